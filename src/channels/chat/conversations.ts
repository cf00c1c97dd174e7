import type { Kysely } from 'kysely';
import type { ChatMode, DB } from '../../db/types.ts';
import { AppError, notFound, unauthorized, validationError } from '../../core/errors.ts';
import { isUuid, randomToken, uuidv7 } from '../../core/ids.ts';
import { hashSecret, normaliseEmail } from '../../people/users.ts';
import { hitRateLimit } from '../../people/sessions.ts';
import { getStore } from '../../helpdesk/stores.ts';
import { agentsOnShiftFor } from '../../helpdesk/routing.ts';
import { addCustomerMessage, createTicket, customerVisibleMessages, visibleTicketRef, type MessageJson, type TicketDeps, type TriageFn } from '../../helpdesk/tickets.ts';
import { systemActor, type Actor } from '../../helpdesk/visibility.ts';
import { MAX_NAME, MAX_TEXT, type ChatLimits, type RateRule } from './settings.ts';

/**
 * The chat widget's domain: anonymous visitors of a shop, their conversations (each one a
 * ticket agents work in the normal inbox) and the typing signals between both sides.
 * A visitor proves who they are with a random token kept in their browser; only its
 * SHA-256 is stored.
 */

export interface ChatDeps extends TicketDeps {
  limits: ChatLimits;
  presenceCacheMs: number;
}

/** One message as the visitor sees it: no internal notes, no system lines, no ids of people. */
export interface WidgetMessage {
  id: string;
  from: 'visitor' | 'agent' | 'bot';
  authorName: string | null;
  text: string;
  createdAt: string;
}

export interface ConversationRef {
  id: string;
  storeId: string;
  visitorId: string;
  ticketId: string;
  mode: ChatMode;
}

export const VISITOR_TOKEN_PREFIX = 'cdv_';
const TOKEN_RE = /^cdv_[A-Za-z0-9_-]{20,80}$/;

export function widgetMessage(m: MessageJson): WidgetMessage | null {
  if (m.internal) return null;
  const from = m.authorType === 'customer' ? 'visitor' : m.authorType === 'agent' ? 'agent' : m.authorType === 'bot' ? 'bot' : null;
  if (!from) return null;
  return { id: m.id, from, authorName: from === 'visitor' ? null : m.authorName, text: m.body, createdAt: m.createdAt };
}

// ---------------------------------------------------------------------------------------
// Rate limits

export async function checkRate(deps: Pick<ChatDeps, 'db' | 'clock'>, key: string, rule: RateRule): Promise<void> {
  if (rule.limit <= 0) return;
  const r = await hitRateLimit(deps.db, `chat:${key}`, rule.limit, rule.windowMs, deps.clock.now());
  if (!r.allowed) throw new AppError('rate_limited', `Too many requests; try again in ${r.retryAfterSeconds} s`, { retryAfterSeconds: r.retryAfterSeconds });
}

// ---------------------------------------------------------------------------------------
// Store settings and presence

export interface WidgetSettings {
  storeId: string;
  enabled: boolean;
  allowedOrigins: string[];
}

export async function widgetSettings(db: Kysely<DB>, storeId: string): Promise<WidgetSettings> {
  const row = await db.selectFrom('chat_widget_settings').select(['enabled', 'allowed_origins']).where('store_id', '=', storeId).executeTakeFirst();
  return { storeId, enabled: row?.enabled ?? true, allowedOrigins: row?.allowed_origins ?? [] };
}

const ORIGIN_RE = /^https?:\/\/[a-z0-9.-]+(:\d{1,5})?$/;

export async function putWidgetSettings(db: Kysely<DB>, storeId: string, input: { enabled?: boolean; allowedOrigins?: string[] }, now: Date): Promise<WidgetSettings> {
  await getStore(db, storeId);
  const origins = input.allowedOrigins?.map((o) => o.trim().toLowerCase().replace(/\/+$/, ''));
  for (const o of origins ?? []) if (!ORIGIN_RE.test(o)) throw validationError(`"${o.slice(0, 100)}" is not an origin like https://shop.example`, { field: 'allowedOrigins' });
  const current = await widgetSettings(db, storeId);
  const next = { enabled: input.enabled ?? current.enabled, allowed_origins: [...new Set(origins ?? current.allowedOrigins)] };
  await db
    .insertInto('chat_widget_settings')
    .values({ store_id: storeId, ...next, updated_at: now })
    .onConflict((oc) => oc.column('store_id').doUpdateSet({ ...next, updated_at: now }))
    .execute();
  return { storeId, enabled: next.enabled, allowedOrigins: next.allowed_origins };
}

/** A browser's Origin may talk to the store's widget: no list = any; no Origin header = not a browser page. */
export function originAllowed(settings: WidgetSettings, origin: string | undefined): boolean {
  if (!origin || settings.allowedOrigins.length === 0) return true;
  return settings.allowedOrigins.includes(origin.toLowerCase().replace(/\/+$/, ''));
}

async function openStore(db: Kysely<DB>, storeId: string, origin: string | undefined) {
  if (!isUuid(storeId)) throw notFound('Store', storeId.slice(0, 64));
  const store = await getStore(db, storeId);
  const settings = await widgetSettings(db, storeId);
  if (!settings.enabled) throw new AppError('forbidden', 'The chat is not enabled for this store');
  if (!originAllowed(settings, origin)) throw new AppError('forbidden', 'This site may not embed the chat of this store');
  return store;
}

const presenceCaches = new WeakMap<Kysely<DB>, Map<string, { at: number; online: boolean }>>();

/** Whether at least one agent serving the store is on shift now. */
export async function storeOnline(deps: Pick<ChatDeps, 'db' | 'clock' | 'presenceCacheMs'>, storeId: string): Promise<boolean> {
  let cache = presenceCaches.get(deps.db);
  if (!cache) presenceCaches.set(deps.db, (cache = new Map()));
  const hit = cache.get(storeId);
  if (hit && deps.presenceCacheMs > 0 && Date.now() - hit.at < deps.presenceCacheMs) return hit.online;
  const online = (await agentsOnShiftFor(deps.db, storeId, deps.clock.now())) > 0;
  cache.set(storeId, { at: Date.now(), online });
  return online;
}

export async function widgetConfig(deps: ChatDeps, storeId: string, origin: string | undefined) {
  const store = await openStore(deps.db, storeId, origin);
  return { storeId: store.id, storeName: store.name, online: await storeOnline(deps, store.id) };
}

// ---------------------------------------------------------------------------------------
// Visitors and conversations

function cleanText(text: string): string {
  const t = text.replace(/\r\n?/g, '\n').trim();
  if (!t) throw validationError('text must not be empty', { field: 'text' });
  if (t.length > MAX_TEXT) throw new AppError('payload_too_large', `text is longer than ${MAX_TEXT} characters`, { field: 'text' });
  return t;
}

function cleanName(name: string | undefined): string | null {
  // control characters and bidi overrides would garble the agent's list
  const n = name?.replace(/[\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069]/g, ' ').replace(/\s+/g, ' ').trim();
  if (!n) return null;
  if (n.length > MAX_NAME) throw validationError(`name is longer than ${MAX_NAME} characters`, { field: 'name' });
  return n;
}

/** The widget's language tag reduced to the ISO 639-1 code the helpdesk uses ("de-AT" → "de"). */
export function baseLanguage(tag: string | undefined): string | null {
  const m = tag ? /^([a-z]{2})(?:[-_]|$)/i.exec(tag.trim()) : null;
  return m ? m[1].toLowerCase() : null;
}

async function visitorByToken(db: Kysely<DB>, token: string | undefined) {
  if (!token) return undefined;
  if (!TOKEN_RE.test(token)) return undefined;
  return db.selectFrom('chat_visitors').selectAll().where('token_hash', '=', hashSecret(token)).executeTakeFirst();
}

export async function requireVisitor(db: Kysely<DB>, token: string | undefined) {
  if (!token) throw unauthorized('The visitor token is missing (X-Visitor-Token header)');
  const v = await visitorByToken(db, token);
  if (!v) throw unauthorized('The visitor token is not valid');
  return v;
}

const subjectOf = (text: string) => {
  const first = text.split('\n').find((l) => l.trim()) ?? text;
  const s = first.trim().replace(/\s+/g, ' ');
  return s.length > 80 ? `${s.slice(0, 79)}…` : s;
};

/** Placeholder address of a visitor who gave none (the RFC 2606 .invalid domain never delivers). */
export const placeholderEmail = (visitorId: string) => `visitor-${visitorId}@chat.invalid`;

export interface CreateConversationInput {
  storeId: string;
  name?: string;
  email?: string;
  text: string;
  language?: string;
  pageUrl?: string;
  /** A visitor token the browser already holds (same visitor, new conversation). */
  visitorToken?: string;
  origin?: string;
  ip: string;
}

export interface CreatedConversation {
  conversationId: string;
  visitorToken: string;
  ticketId: string;
  mode: ChatMode;
  message: WidgetMessage;
}

export async function createConversation(deps: ChatDeps, input: CreateConversationInput): Promise<CreatedConversation> {
  const { db } = deps;
  await checkRate(deps, `ip:${input.ip}:create`, deps.limits.createPerIp);
  const store = await openStore(db, input.storeId, input.origin);
  const text = cleanText(input.text);
  const name = cleanName(input.name);
  const email = input.email?.trim() ? normaliseEmail(input.email) : null;
  const language = baseLanguage(input.language);
  const online = await storeOnline(deps, store.id);
  if (!online && !email) {
    throw validationError('Nobody is online: an e-mail address is needed so we can answer by e-mail', { field: 'email', reason: 'offline' });
  }

  const now = deps.clock.now();
  let visitor = await visitorByToken(db, input.visitorToken);
  if (visitor && visitor.store_id !== store.id) visitor = undefined;
  let token = input.visitorToken ?? '';
  if (!visitor) {
    token = `${VISITOR_TOKEN_PREFIX}${randomToken(32)}`;
    visitor = await db
      .insertInto('chat_visitors')
      .values({ id: uuidv7(now.getTime()), store_id: store.id, token_hash: hashSecret(token), name, email, language, created_at: now, last_seen_at: now })
      .returningAll()
      .executeTakeFirstOrThrow();
  } else {
    visitor = await db
      .updateTable('chat_visitors')
      .set({ name: name ?? visitor.name, email: email ?? visitor.email, language: language ?? visitor.language, last_seen_at: now })
      .where('id', '=', visitor.id)
      .returningAll()
      .executeTakeFirstOrThrow();
  }
  await checkRate(deps, `visitor:${visitor.id}:msg`, deps.limits.messagesPerVisitor);

  const mode: ChatMode = online ? 'live' : 'offline';
  // Triage reads the language from the text; the browser's language is the fallback for
  // texts too short to tell ("hi", an order number).
  const triage: TriageFn | undefined = deps.triage
    ? (t) => {
        const r = deps.triage!(t);
        return { ...r, language: r.language ?? language };
      }
    : undefined;
  const customerActor: Actor = { type: 'customer', id: null };
  const ticket = await createTicket(
    { ...deps, triage },
    {
      subject: subjectOf(text),
      body: text,
      customer: { email: visitor.email ?? placeholderEmail(visitor.id), ...(visitor.name ? { name: visitor.name } : {}), ...(!triage && language ? { language } : {}) },
      storeId: store.id,
      channel: mode === 'live' ? 'chat' : 'email',
      tags: mode === 'live' ? ['chat'] : ['chat', 'offline'],
      createdAt: now,
    },
    customerActor,
  );
  const conversationId = uuidv7(now.getTime());
  await db
    .insertInto('chat_conversations')
    .values({ id: conversationId, store_id: store.id, visitor_id: visitor.id, ticket_id: ticket.id, mode, language, page_url: input.pageUrl?.slice(0, 2000) ?? null, created_at: now })
    .execute();
  const [first] = await customerVisibleMessages(db, ticket.id, { limit: 1 });
  const message = first ? widgetMessage(first) : null;
  if (!message) throw new AppError('internal', 'the first message of the conversation was not found');
  return { conversationId, visitorToken: token, ticketId: ticket.id, mode, message };
}

/** The visitor's conversation, or 401/404: a token never opens another visitor's conversation. */
export async function visitorConversation(db: Kysely<DB>, conversationId: string, token: string | undefined): Promise<ConversationRef> {
  const visitor = await requireVisitor(db, token);
  if (!isUuid(conversationId)) throw notFound('Conversation', conversationId.slice(0, 64));
  const c = await db
    .selectFrom('chat_conversations')
    .select(['id', 'store_id', 'visitor_id', 'ticket_id', 'mode'])
    .where('id', '=', conversationId)
    .where('visitor_id', '=', visitor.id)
    .executeTakeFirst();
  if (!c) throw notFound('Conversation', conversationId);
  return { id: c.id, storeId: c.store_id, visitorId: c.visitor_id, ticketId: c.ticket_id, mode: c.mode };
}

export async function visitorConversations(db: Kysely<DB>, visitorId: string): Promise<ConversationRef[]> {
  const rows = await db
    .selectFrom('chat_conversations')
    .select(['id', 'store_id', 'visitor_id', 'ticket_id', 'mode'])
    .where('visitor_id', '=', visitorId)
    .orderBy('created_at', 'desc')
    .limit(20)
    .execute();
  return rows.map((c) => ({ id: c.id, storeId: c.store_id, visitorId: c.visitor_id, ticketId: c.ticket_id, mode: c.mode }));
}

export async function postVisitorMessage(
  deps: ChatDeps,
  input: { conversationId: string; token: string | undefined; text: string; ip: string; origin?: string },
): Promise<WidgetMessage> {
  await checkRate(deps, `ip:${input.ip}:msg`, deps.limits.messagesPerIp);
  const c = await visitorConversation(deps.db, input.conversationId, input.token);
  await openStore(deps.db, c.storeId, input.origin);
  await checkRate(deps, `visitor:${c.visitorId}:msg`, deps.limits.messagesPerVisitor);
  const text = cleanText(input.text);
  const m = await addCustomerMessage(deps, c.ticketId, { body: text, channel: 'chat' });
  const w = widgetMessage({ ...m, authorName: null });
  if (!w) throw new AppError('internal', 'the message could not be shown');
  return w;
}

export async function listVisitorMessages(
  deps: ChatDeps,
  input: { conversationId: string; token: string | undefined; after?: string; ip: string; origin?: string },
): Promise<{ conversationId: string; mode: ChatMode; items: WidgetMessage[] }> {
  await checkRate(deps, `ip:${input.ip}:read`, deps.limits.readsPerIp);
  const c = await visitorConversation(deps.db, input.conversationId, input.token);
  await openStore(deps.db, c.storeId, input.origin);
  if (input.after !== undefined && !isUuid(input.after)) throw validationError('after must be a message id', { field: 'after' });
  const items = (await customerVisibleMessages(deps.db, c.ticketId, { afterId: input.after, limit: 500 })).map(widgetMessage).filter((m): m is WidgetMessage => m !== null);
  return { conversationId: c.id, mode: c.mode, items };
}

// ---------------------------------------------------------------------------------------
// Typing

export async function visitorTyping(deps: ChatDeps, input: { conversationId: string; token: string | undefined; typing: boolean; origin?: string }): Promise<void> {
  const c = await visitorConversation(deps.db, input.conversationId, input.token);
  await openStore(deps.db, c.storeId, input.origin);
  await checkRate(deps, `visitor:${c.visitorId}:typing`, deps.limits.typingPerVisitor);
  const t = await visibleTicketRef(deps.db, c.ticketId, systemActor);
  if (!t) throw notFound('Conversation', c.id);
  await publishTyping(deps, { ticketId: t.id, storeId: t.storeId, assigneeId: t.assigneeId, teamId: t.teamId, who: 'visitor', typing: input.typing, name: null, conversationId: c.id });
}

/** An agent typing on a ticket they may see; the visitor's widget shows it. */
export async function agentTyping(deps: Pick<ChatDeps, 'db' | 'bus' | 'clock'>, ticketId: string, typing: boolean, actor: Actor): Promise<void> {
  const t = await visibleTicketRef(deps.db, ticketId, actor);
  if (!t) throw notFound('Ticket', ticketId);
  await publishTyping(deps, { ticketId: t.id, storeId: t.storeId, assigneeId: t.assigneeId, teamId: t.teamId, who: 'agent', typing, name: actor.name ?? null, userId: actor.id });
}

async function publishTyping(deps: Pick<ChatDeps, 'bus' | 'clock'>, e: { ticketId: string; storeId: string; assigneeId: string | null; teamId: string | null; who: 'agent' | 'visitor'; typing: boolean; name: string | null; conversationId?: string; userId?: string | null }): Promise<void> {
  try {
    await deps.bus.publish({ type: 'chat.typing', ...e, at: deps.clock.now().toISOString() });
  } catch {
    // a typing signal is best effort
  }
}
