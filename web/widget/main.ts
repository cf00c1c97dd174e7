/**
 * The crossdesk chat widget, embedded by a seller's shop with one tag:
 *   <script src="https://helpdesk.example/widget.js" data-store="STORE_ID" async></script>
 * A launcher and a panel in a shadow root (the shop's styles cannot reach in), text in the
 * visitor's language, replies and typing live over a websocket that reconnects, and the
 * conversation kept in localStorage under a visitor token. Every text is put into the page
 * with textContent: nothing a visitor or an agent writes is ever parsed as HTML.
 */
import { fill, pickLanguage, RTL, STRINGS, type Strings } from './i18n.ts';
import { CSS } from './styles.ts';

interface WidgetMessage {
  id: string;
  from: 'visitor' | 'agent' | 'bot';
  authorName: string | null;
  text: string;
  createdAt: string;
}

interface Saved {
  token: string;
  conversationId: string;
  mode: 'live' | 'offline';
  name?: string;
  email?: string;
}

interface ApiResult<T> {
  status: number;
  data: T | null;
  error: { code: string; message: string; details?: { reason?: string; field?: string } } | null;
}

const MAX_TEXT = 5000;

function findScript(): HTMLScriptElement | null {
  const current = document.currentScript;
  if (current instanceof HTMLScriptElement && current.dataset.store) return current;
  const all = document.querySelectorAll<HTMLScriptElement>('script[data-store]');
  for (const s of Array.from(all)) if (/widget\.js(\?|$)/.test(s.src)) return s;
  return null;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

function storageGet(key: string): Saved | null {
  try {
    const raw = window.localStorage.getItem(key);
    if (!raw) return null;
    const v = JSON.parse(raw) as Partial<Saved>;
    return typeof v.token === 'string' && typeof v.conversationId === 'string' ? (v as Saved) : null;
  } catch {
    return null;
  }
}

function storageSet(key: string, v: Saved | null): void {
  try {
    if (v) window.localStorage.setItem(key, JSON.stringify(v));
    else window.localStorage.removeItem(key);
  } catch {
    // private mode: the conversation lasts as long as the page
  }
}

function boot(script: HTMLScriptElement): void {
  const storeId = script.dataset.store ?? '';
  const base = new URL(script.src, document.baseURI).origin;
  const langPrefs = [script.dataset.lang ?? '', ...(navigator.languages ?? []), navigator.language ?? ''].filter(Boolean);
  const lang = pickLanguage(langPrefs);
  const t: Strings = STRINGS[lang];
  const storageKey = `crossdesk-chat:${storeId}`;

  let saved = storageGet(storageKey);
  let online = true;
  let storeName = t.title;
  const seen = new Set<string>();
  // the last message up to which the conversation was read in full from the server (the
  // catch-up cursor); pushed messages and our own sends do not move it, so a message missed
  // before them is still fetched by the next catch-up
  let lastId: string | null = null;
  let ws: WebSocket | null = null;
  let wsAttempts = 0;
  let wsTimer: number | undefined;
  let pingTimer: number | undefined;
  let typingHide: number | undefined;
  let typingSentAt = 0;
  let typingIdle: number | undefined;
  let isOpen = false;

  // ---- DOM ----
  const host = el('div', { 'data-crossdesk-chat': '' });
  const shadow = host.attachShadow({ mode: 'open' });
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    shadow.adoptedStyleSheets = [sheet];
  } catch {
    shadow.appendChild(el('style', {}, CSS));
  }
  const root = el('div', { class: 'root', dir: RTL.has(lang) ? 'rtl' : 'ltr', lang });
  const panel = el('section', { class: 'panel', role: 'dialog', 'aria-label': t.title, hidden: '' });
  const head = el('div', { class: 'head' });
  const titles = el('div', { class: 'titles' });
  const title = el('strong', {}, t.title);
  const status = el('div', { class: 'status' });
  const dot = el('span', { class: 'dot' });
  const statusText = el('span', {});
  status.append(dot, statusText);
  const who = el('div', { class: 'who', hidden: '' });
  titles.append(title, status, who);
  const close = el('button', { type: 'button', class: 'close', 'aria-label': t.close, title: t.close }, '×');
  head.append(titles, close);
  const notice = el('div', { class: 'notice', hidden: '', role: 'status' });
  const log = el('div', { class: 'log', role: 'log', 'aria-live': 'polite' });
  const typing = el('div', { class: 'typing', hidden: '', 'aria-live': 'polite' });
  const error = el('div', { class: 'error', hidden: '', role: 'alert' });

  const start = el('form', { class: 'start', novalidate: '' });
  const nameInput = el('input', { type: 'text', name: 'name', maxlength: '100', autocomplete: 'name' });
  const emailInput = el('input', { type: 'email', name: 'email', maxlength: '254', autocomplete: 'email' });
  const emailLabelText = el('span', {}, t.email);
  const startText = el('textarea', { name: 'message', rows: '3', maxlength: String(MAX_TEXT), placeholder: t.placeholder });
  const startButton = el('button', { type: 'submit', class: 'primary' }, t.start);
  const nameLabel = el('label', {}, t.name);
  nameLabel.append(nameInput);
  const emailLabel = el('label', {});
  emailLabel.append(emailLabelText, emailInput);
  const messageLabel = el('label', {}, t.message);
  messageLabel.append(startText);
  start.append(nameLabel, emailLabel, messageLabel, startButton);

  const compose = el('form', { class: 'compose', hidden: '' });
  const composeText = el('textarea', { name: 'message', rows: '1', maxlength: String(MAX_TEXT), placeholder: t.placeholder, 'aria-label': t.message });
  const sendButton = el('button', { type: 'submit', class: 'primary' }, t.send);
  compose.append(composeText, sendButton);
  const newChat = el('button', { type: 'button', class: 'link', hidden: '' }, t.newChat);

  panel.append(head, notice, log, typing, error, start, compose);
  const launcher = el('button', { type: 'button', class: 'launcher', 'aria-expanded': 'false', 'aria-label': t.launcher });
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  const path = document.createElementNS('http://www.w3.org/2000/svg', 'path');
  path.setAttribute('d', 'M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z');
  svg.appendChild(path);
  launcher.appendChild(svg);
  launcher.append(el('span', {}, t.launcher));
  const badge = el('span', { class: 'badge', hidden: '' });
  launcher.append(badge);
  root.append(panel, launcher);
  shadow.appendChild(root);
  document.body.appendChild(host);

  // ---- helpers ----
  const showError = (msg: string | null) => {
    error.textContent = msg ?? '';
    error.hidden = !msg;
  };
  const showNotice = (msg: string | null, kind: 'warn' | 'info' = 'warn') => {
    notice.textContent = msg ?? '';
    notice.className = kind === 'info' ? 'notice info' : 'notice';
    notice.hidden = !msg;
  };
  const renderStatus = () => {
    dot.className = online ? 'dot on' : 'dot';
    statusText.textContent = online ? t.online : t.offline;
    emailLabelText.textContent = online ? t.email : t.emailRequired;
    if (online) emailInput.removeAttribute('required');
    else emailInput.setAttribute('required', '');
    startButton.textContent = online ? t.start : t.leave;
    if (!saved && !online) showNotice(t.offline);
    else if (!saved) showNotice(null);
  };
  const renderWho = () => {
    const name = saved?.name;
    who.textContent = name ? fill(t.chattingAs, { name }) : '';
    who.hidden = !name;
  };
  const scrollDown = () => {
    log.scrollTop = log.scrollHeight;
  };

  function addMessage(m: WidgetMessage): void {
    if (seen.has(m.id)) return;
    seen.add(m.id);
    const time = new Date(m.createdAt);
    const at = Number.isNaN(time.getTime()) ? null : time.getTime();
    const box = el('div', { class: `msg ${m.from}`, 'data-id': m.id, ...(at === null ? {} : { 'data-at': String(at) }) });
    const when = at === null ? '' : time.toLocaleTimeString(lang, { hour: '2-digit', minute: '2-digit' });
    const author = m.from === 'visitor' ? t.you : (m.authorName ?? t.agent);
    box.append(el('span', { class: 'meta' }, when ? `${author} · ${when}` : author), el('div', { class: 'text' }, m.text));
    // a message fetched by a catch-up may be older than one already pushed: keep the order
    const later = at === null ? null : Array.from(log.querySelectorAll<HTMLElement>('.msg[data-at]')).find((x) => Number(x.dataset.at) > at);
    if (later) log.insertBefore(box, later);
    else log.appendChild(box);
    if (m.from !== 'visitor') {
      hideTyping();
      if (!isOpen) badge.hidden = false;
    }
    scrollDown();
  }

  function showIntro(): void {
    if (log.querySelector('.intro')) return;
    const box = el('div', { class: 'msg agent intro' });
    box.append(el('div', { class: 'text' }, t.intro));
    log.appendChild(box);
  }

  function hideTyping(): void {
    typing.hidden = true;
    window.clearTimeout(typingHide);
  }

  function setMode(hasConversation: boolean): void {
    start.hidden = hasConversation;
    compose.hidden = !hasConversation;
    newChat.hidden = !hasConversation;
    renderWho();
  }

  async function api<T>(method: string, path: string, body?: unknown): Promise<ApiResult<T>> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (saved?.token) headers['x-visitor-token'] = saved.token;
    try {
      const res = await fetch(`${base}/widget/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), mode: 'cors', credentials: 'omit' });
      const json = res.status === 204 ? null : ((await res.json().catch(() => null)) as unknown);
      if (res.ok) return { status: res.status, data: json as T, error: null };
      const err = (json as { error?: ApiResult<T>['error'] } | null)?.error ?? { code: 'http', message: res.statusText };
      return { status: res.status, data: null, error: err };
    } catch {
      return { status: 0, data: null, error: { code: 'network', message: 'network' } };
    }
  }

  function errorText(r: ApiResult<unknown>): string {
    if (r.status === 429) return t.rateLimited;
    if (r.status === 413) return t.tooLong;
    return t.failed;
  }

  // ---- websocket ----
  function connect(): void {
    if (!saved || ws) return;
    window.clearTimeout(wsTimer);
    const url = `${base.replace(/^http/, 'ws')}/widget/v1/ws?token=${encodeURIComponent(saved.token)}`;
    let socket: WebSocket;
    try {
      socket = new WebSocket(url);
    } catch {
      scheduleReconnect();
      return;
    }
    ws = socket;
    socket.onopen = () => {
      wsAttempts = 0;
      if (notice.textContent === t.reconnecting) showNotice(null);
      window.clearInterval(pingTimer);
      pingTimer = window.setInterval(() => {
        if (socket.readyState === WebSocket.OPEN) socket.send('{"type":"ping"}');
      }, 25_000);
    };
    socket.onmessage = (ev: MessageEvent) => {
      let data: { type?: string; conversationId?: string; message?: WidgetMessage; typing?: boolean; name?: string | null };
      try {
        data = JSON.parse(String(ev.data)) as typeof data;
      } catch {
        return;
      }
      if (data.conversationId && data.conversationId !== saved?.conversationId) return;
      // 'hello' comes once the server has subscribed this socket: whatever was written
      // before that (while we loaded, connected or were away) is fetched now, after it
      // everything is pushed, so no reply falls between the two
      if (data.type === 'hello') void catchUp();
      else if (data.type === 'message' && data.message) addMessage(data.message);
      else if (data.type === 'typing') {
        if (data.typing) {
          typing.textContent = data.name ? fill(t.typing, { name: data.name }) : t.typingAnon;
          typing.hidden = false;
          window.clearTimeout(typingHide);
          typingHide = window.setTimeout(hideTyping, 8000);
        } else hideTyping();
      }
    };
    socket.onclose = (ev: CloseEvent) => {
      ws = null;
      window.clearInterval(pingTimer);
      if (ev.code === 4401 || ev.code === 1008) {
        forget();
        return;
      }
      scheduleReconnect();
    };
  }

  function scheduleReconnect(): void {
    if (!saved) return;
    wsAttempts += 1;
    if (wsAttempts > 1) showNotice(t.reconnecting);
    const delay = Math.min(30_000, 1000 * 2 ** Math.min(wsAttempts - 1, 5)) * (0.75 + Math.random() * 0.5);
    wsTimer = window.setTimeout(connect, delay);
  }

  async function catchUp(): Promise<void> {
    if (!saved) return;
    const r = await api<{ items: WidgetMessage[]; mode: 'live' | 'offline' }>('GET', `/conversations/${encodeURIComponent(saved.conversationId)}/messages${lastId ? `?after=${encodeURIComponent(lastId)}` : ''}`);
    if (r.data) {
      r.data.items.forEach(addMessage);
      const last = r.data.items[r.data.items.length - 1];
      if (last) lastId = last.id;
    } else if (r.status === 401 || r.status === 404) forget();
  }

  function forget(): void {
    saved = null;
    storageSet(storageKey, null);
    ws?.close();
    ws = null;
    window.clearTimeout(wsTimer);
    log.textContent = '';
    seen.clear();
    lastId = null;
    showIntro();
    setMode(false);
    renderStatus();
  }

  // ---- typing ----
  function sendTyping(on: boolean): void {
    if (!saved) return;
    void api('POST', `/conversations/${encodeURIComponent(saved.conversationId)}/typing`, { typing: on });
  }
  composeText.addEventListener('input', () => {
    const now = Date.now();
    if (composeText.value.trim() && now - typingSentAt > 3000) {
      typingSentAt = now;
      sendTyping(true);
    }
    window.clearTimeout(typingIdle);
    typingIdle = window.setTimeout(() => {
      if (typingSentAt) {
        typingSentAt = 0;
        sendTyping(false);
      }
    }, 4000);
  });

  // ---- actions ----
  async function startConversation(text: string, name: string, email: string): Promise<boolean> {
    const body: Record<string, string> = { storeId, text, language: navigator.language || lang, pageUrl: location.origin + location.pathname };
    if (name) body.name = name;
    if (email) body.email = email;
    const r = await api<{ conversationId: string; visitorToken: string; mode: 'live' | 'offline'; message: WidgetMessage }>('POST', '/conversations', body);
    if (!r.data) {
      if (r.status === 400 && r.error?.details?.reason === 'offline') {
        online = false;
        renderStatus();
        showError(t.emailNeeded);
        emailInput.focus();
      } else showError(errorText(r));
      return false;
    }
    saved = { token: r.data.visitorToken, conversationId: r.data.conversationId, mode: r.data.mode, ...(name ? { name } : {}), ...(email ? { email } : {}) };
    storageSet(storageKey, saved);
    showError(null);
    setMode(true);
    addMessage(r.data.message);
    // the first message of the conversation: everything up to it is known
    lastId = r.data.message.id;
    if (r.data.mode === 'offline') showNotice(fill(t.offlineThanks, { email }), 'info');
    else showNotice(null);
    connect();
    return true;
  }

  start.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const text = startText.value.trim();
    const name = nameInput.value.trim();
    const email = emailInput.value.trim();
    if (!text) {
      startText.focus();
      return;
    }
    if (text.length > MAX_TEXT) return showError(t.tooLong);
    if (!online && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
      showError(t.emailNeeded);
      emailInput.focus();
      return;
    }
    startButton.disabled = true;
    void startConversation(text, name, email).then((ok) => {
      startButton.disabled = false;
      if (ok) {
        startText.value = '';
        composeText.focus();
      }
    });
  });

  async function send(text: string): Promise<boolean> {
    if (!saved) return false;
    const r = await api<WidgetMessage>('POST', `/conversations/${encodeURIComponent(saved.conversationId)}/messages`, { text });
    if (r.data) {
      showError(null);
      addMessage(r.data);
      return true;
    }
    if (r.status === 409 || r.status === 404) {
      // the conversation was closed: the same visitor starts a new one with this text
      const keep = saved;
      log.textContent = '';
      seen.clear();
      lastId = null;
      ws?.close();
      ws = null;
      return startConversation(text, keep.name ?? '', keep.email ?? '');
    }
    if (r.status === 401) {
      forget();
      startText.value = text;
      return false;
    }
    showError(errorText(r));
    return false;
  }

  compose.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const text = composeText.value.trim();
    if (!text) return;
    if (text.length > MAX_TEXT) return showError(t.tooLong);
    sendButton.disabled = true;
    window.clearTimeout(typingIdle);
    typingSentAt = 0;
    void send(text).then((ok) => {
      sendButton.disabled = false;
      if (ok) composeText.value = '';
      composeText.focus();
    });
  });
  composeText.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing) {
      ev.preventDefault();
      compose.requestSubmit();
    }
  });
  newChat.addEventListener('click', () => forget());

  function open(): void {
    isOpen = true;
    panel.hidden = false;
    badge.hidden = true;
    launcher.setAttribute('aria-expanded', 'true');
    launcher.hidden = true;
    (saved ? composeText : startText).focus();
    scrollDown();
  }
  function shut(): void {
    isOpen = false;
    panel.hidden = true;
    launcher.hidden = false;
    launcher.setAttribute('aria-expanded', 'false');
    launcher.focus();
  }
  launcher.addEventListener('click', open);
  close.addEventListener('click', shut);
  root.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape' && isOpen) shut();
  });

  // ---- start-up ----
  showIntro();
  setMode(Boolean(saved));
  renderStatus();
  void api<{ storeName: string; online: boolean }>('GET', `/config?storeId=${encodeURIComponent(storeId)}`).then((r) => {
    if (r.data) {
      online = r.data.online;
      storeName = r.data.storeName || t.title;
      title.textContent = storeName;
      panel.setAttribute('aria-label', storeName);
      renderStatus();
    }
  });
  if (saved) {
    void catchUp().then(connect);
  }
  // the link to start over sits under the composer
  panel.insertBefore(newChat, null);
}

const script = findScript();
if (script) {
  if (document.body) boot(script);
  else document.addEventListener('DOMContentLoaded', () => boot(script));
}
