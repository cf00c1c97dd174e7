/**
 * HTML of inbound mail, made safe to show: an allow-list of tags and attributes, so
 * nothing runs (no script, no event handlers, no javascript: links) and nothing loads
 * by itself (remote images keep their address in `data-remote-src` until the agent allows
 * them; `cid:` images point at the message's own attachments).
 */

const ALLOWED_TAGS = new Set([
  'a', 'abbr', 'b', 'blockquote', 'br', 'caption', 'center', 'code', 'col', 'colgroup', 'dd', 'del', 'div', 'dl', 'dt', 'em',
  'font', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'hr', 'i', 'img', 'ins', 'kbd', 'li', 'ol', 'p', 'pre', 'q', 's', 'small', 'span',
  'strike', 'strong', 'sub', 'sup', 'table', 'tbody', 'td', 'tfoot', 'th', 'thead', 'tr', 'u', 'ul',
]);
const VOID_TAGS = new Set(['br', 'hr', 'img', 'col']);
/** Dropped with everything inside them. */
const DROP_WITH_CONTENT = new Set(['script', 'style', 'head', 'title', 'iframe', 'object', 'embed', 'noscript', 'template', 'svg', 'math', 'textarea', 'select', 'applet', 'frameset', 'noembed', 'xmp']);
const ALLOWED_ATTRS = new Set(['href', 'src', 'alt', 'title', 'width', 'height', 'colspan', 'rowspan', 'align', 'valign', 'dir', 'lang', 'color', 'border', 'cellpadding', 'cellspacing']);

const escapeText = (s: string) => s.replace(/&(?![a-zA-Z][a-zA-Z0-9]{0,31};|#\d{1,7};|#x[0-9a-fA-F]{1,6};)/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const escapeAttr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function decodeEntities(s: string): string {
  return s
    .replace(/&#x([0-9a-f]{1,6});?/gi, (_, h: string) => safeChar(parseInt(h, 16)))
    .replace(/&#(\d{1,7});?/g, (_, d: string) => safeChar(parseInt(d, 10)))
    .replace(/&colon;/gi, ':')
    .replace(/&tab;/gi, '\t')
    .replace(/&newline;/gi, '\n')
    .replace(/&quot;/gi, '"')
    .replace(/&apos;/gi, "'")
    .replace(/&lt;/gi, '<')
    .replace(/&gt;/gi, '>')
    .replace(/&amp;/gi, '&');
}
function safeChar(n: number): string {
  return n > 0 && n <= 0x10ffff ? String.fromCodePoint(n) : '';
}

/** http(s), mailto, tel and cid are the only schemes kept. */
function safeUrl(value: string): string | null {
   
  const v = decodeEntities(value).replace(/[\u0000-\u0020\u007f-\u009f]/g, '');
  if (/^(https?:|mailto:|tel:|cid:)/i.test(v)) return v;
  if (/^[a-z][a-z0-9+.-]*:/i.test(v)) return null;
  return v.startsWith('//') ? `https:${v}` : null;
}

const ATTR_RE = /([^\s"'<>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;

export function sanitizeHtml(html: string): string {
  const out: string[] = [];
  const open: string[] = [];
  let dropping: string | null = null;
  const re = /<!--[\s\S]*?(?:-->|$)|<!\[CDATA\[[\s\S]*?(?:\]\]>|$)|<![^>]*>?|<\?[^>]*>?|<(\/?)([a-zA-Z][a-zA-Z0-9:-]*)((?:[^>"']|"[^"]*"|'[^']*')*)>|<|[^<]+/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(html))) {
    const tok = m[0];
    const name = m[2]?.toLowerCase();
    if (dropping) {
      if (name === dropping && m[1] === '/') dropping = null;
      continue;
    }
    if (name === undefined) {
      if (tok.startsWith('<!') || tok.startsWith('<?')) continue; // comments, doctype, CDATA
      out.push(escapeText(tok));
      continue;
    }
    if (m[1] !== '/' && DROP_WITH_CONTENT.has(name)) {
      if (!/\/\s*$/.test(m[3] ?? '')) dropping = name;
      continue;
    }
    if (!ALLOWED_TAGS.has(name)) continue; // html, body, form, input, meta, link, base… : the tag goes, its text stays
    if (m[1] === '/') {
      const i = open.lastIndexOf(name);
      if (i >= 0) {
        for (let k = open.length - 1; k >= i; k--) out.push(`</${open[k]}>`);
        open.length = i;
      }
      continue;
    }
    const attrs: string[] = [];
    for (const a of (m[3] ?? '').matchAll(ATTR_RE)) {
      const key = a[1].toLowerCase();
      const value = a[2] ?? a[3] ?? a[4] ?? '';
      if (!ALLOWED_ATTRS.has(key)) continue; // on*, style, srcset, formaction, background…
      if (key === 'href') {
        const u = safeUrl(value);
        if (u) attrs.push(`href="${escapeAttr(u)}"`, 'rel="noopener noreferrer nofollow"', 'target="_blank"');
        continue;
      }
      if (key === 'src') {
        const u = safeUrl(value);
        if (!u) continue;
        if (name === 'img' && /^cid:/i.test(u)) attrs.push(`data-cid="${escapeAttr(u.slice(4))}"`);
        else if (name === 'img') attrs.push(`data-remote-src="${escapeAttr(u)}"`);
        continue;
      }
      attrs.push(`${key}="${escapeAttr(decodeEntities(value))}"`);
    }
    out.push(`<${name}${attrs.length ? ` ${attrs.join(' ')}` : ''}>`);
    if (!VOID_TAGS.has(name)) open.push(name);
  }
  for (let k = open.length - 1; k >= 0; k--) out.push(`</${open[k]}>`);
  return out.join('');
}

/** Plain text of (sanitised) HTML: block ends become line breaks, quotes get "> ". */
export function htmlToText(html: string): string {
  const s = sanitizeHtml(html)
    .replace(/<blockquote[^>]*>([\s\S]*?)<\/blockquote>/gi, (_, inner: string) =>
      `\n${htmlToText(inner)
        .split('\n')
        .map((l) => `> ${l}`)
        .join('\n')}\n`,
    )
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|tr|h[1-6]|li|table|ul|ol|pre|center)>/gi, '\n')
    .replace(/<li[^>]*>/gi, '• ')
    .replace(/<\/t[dh]>/gi, '\t')
    .replace(/<img [^>]*alt="([^"]*)"[^>]*>/gi, '$1')
    .replace(/<[^>]+>/g, '');
  return decodeEntities(s.replace(/&nbsp;/gi, ' '))
    .replace(/[ \t\u00a0]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
