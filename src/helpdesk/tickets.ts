import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import type { AuthorType, DB, Message, Priority, Store, Ticket, TicketStatus, TicketUpdate } from '../db/types.ts';
import type { Clock } from '../core/clock.ts';
import type { DomainEvent, EventBus } from '../core/events.ts';
import { AppError, forbidden, notFound, validationError } from '../core/errors.ts';
import { isUuid, uuidv7 } from '../core/ids.ts';
import { tokensForIndex } from '../text/segment.ts';
import { addBusinessMinutes } from '../markets/calendar.ts';
import { normaliseEmail } from '../people/users.ts';
import { assertTransition, isStatus } from './status.ts';
import { canSeeTicket, canWorkTickets, visibleTo, type Actor } from './visibility.ts';
import { getDefaultStore, getStore } from './stores.ts';
import { checkPlaybookBeforeSolve, ticketMarket, ticketPlaybook } from './playbook-store.ts';
import { initialDueTimes, nextDue, onPriorityChange, onStatusChange, policiesFor, slaView, storeCalendar, type SlaView } from './sla.ts';

export const PRIORITIES: readonly Priority[] = ['urgent', 'high', 'normal', 'low'];
// The 14 after-sales categories are defined once, with the corpus that teaches them.
export { CATEGORIES, type Category } from '../text/corpus.ts';
import { CATEGORIES } from '../text/corpus.ts';
import { emailPartsOf, type AttachmentJson, type EmailPartsJson } from '../channels/email/attachments.ts';

export const MAX_SUBJECT = 500;
export const MAX_BODY = 200_000;
export const MAX_TAGS = 30;

/** What triage tells about an inbound customer message (see helpdesk/triage.ts). */
export interface TriageOutcome {
  language: string | null;
  category: string;
  sentiment: 'negative' | 'neutral' | 'positive';
  angry: boolean;
  priority: Priority;
  /** Why this priority, in both UI languages (shown on the ticket). */
  reasons: PriorityReason[];
  /** How sure triage is of the category (0..1), when the triage function tells (the bot uses it). */
  confidence?: number;
  /** Order numbers found in the message, when the triage function tells (the bot uses them). */
  orderNumbers?: string[];
}
export interface PriorityReason {
  code: string;
  en: string;
  zh: string;
}
export type TriageFn = (input: { text: string; subject?: string; previousLanguages?: string[]; market?: string; vip?: boolean }) => TriageOutcome;

export interface TicketDeps {
  db: Kysely<DB>;
  bus: EventBus;
  clock: Clock;
  triage?: TriageFn;
  /**
   * Called after a ticket is created or reopened by the customer, outside the ticket's
   * transaction (routing assigns it, the bot may answer). Failures are logged by the
   * caller's hook, never lost tickets.
   */
  afterIntake?: AfterIntake;
}

/**
 * The hook after intake. `prefetch`, when set, is a read (one JSON value) that the creation
 * embeds in its own statement and hands back as IntakeFacts.prefetched: what the hook would
 * otherwise read in a round trip of its own (routing's rule and agents, the bot's order
 * lookup: runtime.ts). Several modules' parts go in one object (prefetchParts).
 */
export type AfterIntake = ((ticketId: string, reason: 'created' | 'reopened', intake?: IntakeFacts) => Promise<IntakeResult | void>) & {
  prefetch?: (x: IntakePrefetchInput) => RawBuilder<unknown>;
};

/** Several modules' prefetches as one JSON object, one key each (a null part is left out). */
export function prefetchParts(parts: Record<string, RawBuilder<unknown> | null>): RawBuilder<unknown> {
  const given = Object.entries(parts).filter((e): e is [string, RawBuilder<unknown>] => e[1] !== null);
  return given.length ? sql`json_build_object(${sql.join(given.map(([k, v]) => sql`${sql.lit(k)}::text, ${v}`))})` : sql`NULL::json`;
}

/** What a creation knows before its statement, for afterIntake.prefetch. */
export interface IntakePrefetchInput {
  storeId: string;
  /** The customer's e-mail as stored. */
  email: string;
  category: string;
  /** The message body. */
  text: string;
  /** Order numbers triage found in the message. */
  orderNumbers: string[];
}

/**
 * What a creation already knows when it calls afterIntake: the ticket as inserted, its
 * store, the first message and its triage. The bot decides on these instead of reading
 * them back and triaging the message again.
 */
export interface IntakeFacts {
  ticket: TicketRow;
  store: Store;
  message: { id: string; body: string; createdAt: Date };
  triage?: TriageOutcome;
  /** What afterIntake.prefetch read in the creation's statement (JSON), if it asked. */
  prefetched?: unknown;
}

/**
 * What afterIntake did to the ticket: `ticketChanged: false` means its fields are as the
 * creation wrote them (a hand-off note moves only `updatedAt`, given here), so the
 * creation answers without reading the ticket again. Without a result it reads it again.
 */
export interface IntakeResult {
  ticketChanged: boolean;
  updatedAt?: Date;
}

// ---------------------------------------------------------------------------------------
// Serialisation

export interface TicketJson {
  id: string;
  number: number;
  storeId: string;
  subject: string;
  preview: string;
  status: TicketStatus;
  priority: Priority;
  category: string;
  language: string | null;
  sentiment: string | null;
  angry: boolean;
  priorityReasons: PriorityReason[];
  channel: string;
  customer: { id: string; email: string; name: string | null; language: string | null; country: string | null; timezone: string | null };
  orderId: string | null;
  assigneeId: string | null;
  assignee: { id: string; name: string } | null;
  teamId: string | null;
  tags: string[];
  sla: SlaView;
  firstRespondedAt: string | null;
  solvedAt: string | null;
  closedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface MessageJson {
  id: string;
  ticketId: string;
  authorType: AuthorType;
  authorId: string | null;
  authorName: string | null;
  internal: boolean;
  body: string;
  language: string | null;
  channel: string;
  createdAt: string;
  /** E-mail messages: their attachments and whether an HTML part exists (channels/email). */
  attachments?: AttachmentJson[];
  hasHtml?: boolean;
}

export type TicketRow = Ticket & {
  c_email: string;
  c_name: string | null;
  c_language: string | null;
  c_country: string | null;
  c_timezone: string | null;
  a_name: string | null;
};

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function ticketJson(r: TicketRow, now: Date): TicketJson {
  return {
    id: r.id,
    number: r.number,
    storeId: r.store_id,
    subject: r.subject,
    preview: r.preview,
    status: r.status,
    priority: r.priority,
    category: r.category,
    language: r.language,
    sentiment: r.sentiment,
    angry: r.angry,
    priorityReasons: r.priority_reasons,
    channel: r.channel,
    customer: { id: r.customer_id, email: r.c_email, name: r.c_name, language: r.c_language, country: r.c_country, timezone: r.c_timezone },
    orderId: r.order_id,
    assigneeId: r.assignee_id,
    assignee: r.assignee_id && r.a_name ? { id: r.assignee_id, name: r.a_name } : null,
    teamId: r.team_id,
    tags: r.tags,
    sla: slaView(r, now),
    firstRespondedAt: iso(r.first_responded_at),
    solvedAt: iso(r.solved_at),
    closedAt: iso(r.closed_at),
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

function ticketQuery(db: Kysely<DB> | Transaction<DB>) {
  return db
    .selectFrom('tickets')
    .innerJoin('customers as c', 'c.id', 'tickets.customer_id')
    .leftJoin('users as a', 'a.id', 'tickets.assignee_id')
    .selectAll('tickets')
    .select(['c.email as c_email', 'c.name as c_name', 'c.language as c_language', 'c.country as c_country', 'c.timezone as c_timezone', 'a.name as a_name']);
}

function messageJson(m: Message & { author_name?: string | null }): MessageJson {
  return {
    id: m.id,
    ticketId: m.ticket_id,
    authorType: m.author_type,
    authorId: m.author_id,
    authorName: m.author_name ?? null,
    internal: m.internal,
    body: m.body,
    language: m.language,
    channel: m.channel,
    createdAt: m.created_at.toISOString(),
  };
}

// ---------------------------------------------------------------------------------------
// Events

async function recordEvents(
  trx: Transaction<DB> | Kysely<DB>,
  ticketId: string,
  actor: Actor,
  at: Date,
  changes: Array<{ type: string; field?: string; before?: unknown; after?: unknown }>,
): Promise<void> {
  if (!changes.length) return;
  await trx
    .insertInto('ticket_events')
    .values(
      changes.map((c) => ({
        ticket_id: ticketId,
        actor_type: actor.type,
        actor_id: actor.id,
        type: c.type,
        field: c.field ?? null,
        before: c.before === undefined ? null : JSON.stringify(c.before),
        after: c.after === undefined ? null : JSON.stringify(c.after),
        created_at: at,
      })),
    )
    .execute();
}

async function publish(bus: EventBus, e: Omit<DomainEvent, 'at'> & { at?: string }): Promise<void> {
  try {
    await bus.publish({ ...e, at: e.at ?? new Date().toISOString() } as DomainEvent);
  } catch {
    // live updates are best effort; the data is committed
  }
}

// ---------------------------------------------------------------------------------------
// Create

export interface CreateTicketInput {
  subject: string;
  body: string;
  customer: { email: string; name?: string; language?: string; country?: string };
  storeId?: string;
  channel?: string;
  priority?: Priority;
  category?: string;
  tags?: string[];
  /** For imports and the demo: when the customer wrote. */
  createdAt?: Date;
  externalId?: string;
}

function checkText(subject: string, body: string): void {
  if (!subject.trim()) throw validationError('subject must not be empty', { field: 'subject' });
  if (subject.length > MAX_SUBJECT) throw new AppError('payload_too_large', `subject is longer than ${MAX_SUBJECT} characters`, { field: 'subject' });
  if (!body.trim()) throw validationError('body must not be empty', { field: 'body' });
  if (body.length > MAX_BODY) throw new AppError('payload_too_large', `body is longer than ${MAX_BODY} characters`, { field: 'body' });
}

function cleanTags(tags: string[]): string[] {
  const out = [...new Set(tags.map((t) => t.trim().toLowerCase()).filter(Boolean))];
  if (out.length > MAX_TAGS) throw validationError(`at most ${MAX_TAGS} tags`);
  for (const t of out) if (t.length > 50 || /[\s,]/.test(t)) throw validationError(`tag "${t.slice(0, 60)}" must be one word of at most 50 characters`);
  return out;
}

const storeCaches = new WeakMap<Kysely<DB>, Map<string, { at: number; store: Store }>>();
const STORE_TTL_MS = 5_000;

/** Stores change rarely; a few seconds of cache saves a query per ticket. */
async function resolveStore(db: Kysely<DB>, storeId?: string, via: Kysely<DB> | Transaction<DB> = db): Promise<Store> {
  if (storeId !== undefined && !isUuid(storeId)) throw validationError(`storeId "${storeId}" is not a valid id`);
  const key = storeId ?? 'default';
  let storeCache = storeCaches.get(db);
  if (!storeCache) storeCaches.set(db, (storeCache = new Map()));
  const hit = storeCache.get(key);
  if (hit && Date.now() - hit.at < STORE_TTL_MS) return hit.store;
  // `via`: inside a transaction the query must use it (PGlite has one connection)
  const store = storeId ? await getStore(via, storeId) : await getDefaultStore(via);
  storeCache.set(key, { at: Date.now(), store });
  return store;
}

/** After a store changes (the cache would otherwise serve it for a few seconds). */
export function forgetStores(db: Kysely<DB>): void {
  storeCaches.delete(db);
}

/**
 * What triage is told about a customer: whether the store knows them, their language and
 * VIP flag, as they were before this message. Remembered per database and store/e-mail on
 * this node (bounded), but only as a guess: the insert checks it (see createTicket).
 */
interface CustomerFacts {
  exists: boolean;
  language: string | null;
  vip: boolean;
}
const NEW_CUSTOMER: CustomerFacts = { exists: false, language: null, vip: false };
const CUSTOMER_FACTS_MAX = 10_000;
const customerFactCaches = new WeakMap<Kysely<DB>, Map<string, CustomerFacts>>();

function rememberFacts(cache: Map<string, CustomerFacts>, key: string, facts: CustomerFacts): void {
  cache.delete(key); // re-inserted last: the oldest entries go first when the map is full
  if (cache.size >= CUSTOMER_FACTS_MAX) cache.delete(cache.keys().next().value as string);
  cache.set(key, facts);
}

type CreatedRow = {
  ok: boolean;
  prev_exists: boolean;
  prev_language: string | null;
  prev_vip: boolean | null;
  id: string | null;
  email: string | null;
  name: string | null;
  language: string | null;
  country: string | null;
  timezone: string | null;
  vip: boolean | null;
  number: number | null;
  prefetched: unknown;
};

export async function createTicket(deps: TicketDeps, input: CreateTicketInput, actor: Actor): Promise<TicketJson> {
  const { db, clock } = deps;
  checkText(input.subject, input.body);
  const email = normaliseEmail(input.customer.email);
  const store = await resolveStore(db, input.storeId);
  const now = input.createdAt ?? clock.now();
  const tags = cleanTags(input.tags ?? []);
  const channel = input.channel ?? 'api';
  const subject = input.subject.trim();
  const preview = input.body.slice(0, 200);
  const country = input.customer.country?.toUpperCase() ?? null;
  const search = tokensForIndex(`${input.subject}\n${input.body}`);
  const id = uuidv7(now.getTime());
  const messageId = uuidv7(now.getTime());
  const customerId = uuidv7();
  const cal = storeCalendar(store);
  const policies = await policiesFor(db, store.id);

  // Triage needs what we knew of the customer before this message (their language, VIP).
  // Rather than a query before the insert, triage runs on the facts this node last saw
  // (or "a new customer") and the insert below checks them in the same statement: when
  // they no longer hold it writes nothing and returns the real facts, and we triage again.
  // The third attempt takes the facts it was given (as a read-then-write would).
  let factCache = customerFactCaches.get(db);
  if (!factCache) customerFactCaches.set(db, (factCache = new Map()));
  const factKey = `${store.id}\n${email}`;
  let facts = factCache.get(factKey) ?? NEW_CUSTOMER;
  for (let attempt = 1; ; attempt++) {
    const triage = deps.triage?.({
      text: input.body,
      subject: input.subject,
      previousLanguages: facts.language ? [facts.language] : undefined,
      market: input.customer.country ?? store.market,
      vip: facts.exists ? facts.vip : undefined,
    });
    const priority = input.priority ?? triage?.priority ?? 'normal';
    const category = input.category ?? triage?.category ?? 'other';
    const language = input.customer.language ?? triage?.language ?? null;
    const due = initialDueTimes(now, policies[priority], cal);
    const slaDue = nextDue({ ...due, next_response_due_at: null, first_responded_at: null, status: 'new' });
    const reasons = triage?.reasons ?? [];
    const prefetch = deps.afterIntake?.prefetch?.({ storeId: store.id, email, category, text: input.body, orderNumbers: triage?.orderNumbers ?? [] }) ?? sql`NULL::json`;
    const events = [
      { type: 'created', after: { status: 'new', priority, category, language, channel } },
      ...(triage ? [{ type: 'triaged', after: { language: triage.language, category: triage.category, sentiment: triage.sentiment, angry: triage.angry, priority: triage.priority, reasons: triage.reasons } }] : []),
    ];

    // One statement (atomic on its own), one round trip: the check of the customer facts,
    // customer upsert, ticket, first message and events. Data-modifying CTEs all see the
    // snapshot from before the statement (so `prev` is the customer as triage should have
    // seen it); foreign keys are checked at the end of the statement, when the ticket exists.
    // (On PostgreSQL a named prepared statement: planned once per connection, see db/index.ts.)
    const res = await sql<CreatedRow>`/* prepared:create_ticket */
      WITH prev AS (
        SELECT language, vip FROM customers WHERE store_id = ${store.id} AND email = ${email}
      ), go AS (
        SELECT ${attempt >= 3}::boolean OR CASE WHEN ${facts.exists}::boolean
          THEN EXISTS (SELECT 1 FROM prev WHERE language IS NOT DISTINCT FROM ${facts.language}::text AND vip = ${facts.vip}::boolean)
          ELSE NOT EXISTS (SELECT 1 FROM prev) END AS ok
      ), c AS (
        INSERT INTO customers (id, store_id, email, name, language, country)
        SELECT ${customerId}, ${store.id}, ${email}, ${input.customer.name ?? null}, ${language}, ${country}
        FROM go WHERE go.ok
        ON CONFLICT (store_id, email) DO UPDATE SET
          name = coalesce(excluded.name, customers.name),
          language = coalesce(customers.language, excluded.language),
          country = coalesce(excluded.country, customers.country)
        RETURNING id, email, name, language, country, timezone, vip
      ), t AS (
        INSERT INTO tickets (id, store_id, subject, preview, status, priority, category, language, sentiment, angry,
          priority_reasons, channel, customer_id, tags, first_response_due_at, resolution_due_at, sla_due_at,
          last_customer_message_at, search, created_at, updated_at)
        SELECT ${id}, ${store.id}, ${subject}, ${preview}, 'new', ${priority}, ${category}, ${language},
          ${triage?.sentiment ?? null}, ${triage?.angry ?? false}, ${JSON.stringify(reasons)}::jsonb, ${channel}, c.id,
          ${tags}::text[], ${due.first_response_due_at}::timestamptz, ${due.resolution_due_at}::timestamptz, ${slaDue}::timestamptz,
          ${now}::timestamptz, to_tsvector('simple', ${search}), ${now}::timestamptz, ${now}::timestamptz
        FROM c
        RETURNING number
      ), m AS (
        INSERT INTO messages (id, ticket_id, author_type, author_id, internal, body, language, channel, external_id, created_at)
        SELECT ${messageId}, ${id}, 'customer', c.id, false, ${input.body}, ${language}, ${channel}, ${input.externalId ?? null}, ${now}::timestamptz
        FROM c
      ), e AS (
        INSERT INTO ticket_events (ticket_id, actor_type, actor_id, type, after, created_at)
        SELECT ${id}, ${actor.type}, ${actor.id}::uuid, ev.type, ev.after, ${now}::timestamptz
        FROM jsonb_to_recordset(${JSON.stringify(events)}::jsonb) AS ev(type text, after jsonb), t
      )
      SELECT go.ok, EXISTS (SELECT 1 FROM prev) AS prev_exists, (SELECT language FROM prev) AS prev_language, (SELECT vip FROM prev) AS prev_vip,
        c.id, c.email, c.name, c.language, c.country, c.timezone, c.vip, t.number,
        CASE WHEN go.ok THEN ${prefetch} END AS prefetched
      FROM go LEFT JOIN (c CROSS JOIN t) ON true`.execute(db);
    const r = res.rows[0];
    if (!r.ok || r.id === null) {
      facts = { exists: r.prev_exists, language: r.prev_language, vip: r.prev_vip ?? false };
      rememberFacts(factCache, factKey, facts);
      continue;
    }
    rememberFacts(factCache, factKey, { exists: true, language: r.language, vip: r.vip ?? false });
    return ticketCreated(deps, { id, messageId, body: input.body, store, subject, preview, priority, category, language, triage, reasons, channel, tags, due, slaDue, now, row: r });
  }
}

async function ticketCreated(
  deps: TicketDeps,
  x: {
    id: string;
    messageId: string;
    body: string;
    store: Store;
    subject: string;
    preview: string;
    priority: Priority;
    category: string;
    language: string | null;
    triage: TriageOutcome | undefined;
    reasons: PriorityReason[];
    channel: string;
    tags: string[];
    due: { first_response_due_at: Date; resolution_due_at: Date };
    slaDue: Date | null;
    now: Date;
    row: CreatedRow;
  },
): Promise<TicketJson> {
  const { db, clock } = deps;
  const { id, store, subject, preview, priority, category, language, triage, reasons, channel, tags, due, slaDue, now } = x;
  const c = x.row;
  const row: TicketRow = {
    id,
    number: Number(c.number),
    store_id: store.id,
    subject,
    preview,
    status: 'new',
    priority,
    category,
    language,
    sentiment: triage?.sentiment ?? null,
    angry: triage?.angry ?? false,
    priority_reasons: reasons,
    channel,
    customer_id: c.id as string,
    order_id: null,
    assignee_id: null,
    team_id: null,
    tags,
    ...due,
    next_response_due_at: null,
    resolution_remaining_minutes: null,
    sla_due_at: slaDue,
    sla_warned_at: null,
    first_response_breached: false,
    next_response_breached: false,
    resolution_breached: false,
    first_responded_at: null,
    last_customer_message_at: now,
    last_agent_message_at: null,
    solved_at: null,
    closed_at: null,
    search: null,
    created_at: now,
    updated_at: now,
    c_email: c.email as string,
    c_name: c.name,
    c_language: c.language,
    c_country: c.country,
    c_timezone: c.timezone,
    a_name: null,
  };
  // not awaited: live updates are best effort, the bus keeps their order, and the creation's
  // answer should not wait for a NOTIFY round trip (the bus gathers events for a few ms)
  void publish(deps.bus, { type: 'ticket.created', ticketId: id, storeId: store.id, assigneeId: null, teamId: null, at: now.toISOString() });
  if (deps.afterIntake) {
    const done = await deps.afterIntake(id, 'created', { ticket: row, store, message: { id: x.messageId, body: x.body, createdAt: now }, triage, prefetched: c.prefetched ?? undefined }).catch(() => undefined);
    // the bot's note and a queued routing decision leave the ticket's fields as written
    if (done && !done.ticketChanged) return ticketJson(done.updatedAt ? { ...row, updated_at: done.updatedAt } : row, clock.now());
    const routed = await ticketQuery(db).where('tickets.id', '=', id).executeTakeFirstOrThrow();
    return ticketJson(routed, clock.now());
  }
  return ticketJson(row, clock.now());
}

// ---------------------------------------------------------------------------------------
// Read

async function loadVisible(db: Kysely<DB> | Transaction<DB>, id: string, actor: Actor, lock = false) {
  if (!isUuid(id)) throw notFound('Ticket', id);
  // lock: on a server, two agents' edits of one ticket serialise on its row
  const q = ticketQuery(db).where('tickets.id', '=', id);
  const row = await (lock ? q.forUpdate('tickets') : q).executeTakeFirst();
  if (!row || !canSeeTicket(actor, row)) throw notFound('Ticket', id);
  return row;
}

export interface TicketEventJson {
  id: number;
  type: string;
  field: string | null;
  before: unknown;
  after: unknown;
  actorType: string;
  actorId: string | null;
  actorName: string | null;
  createdAt: string;
}

export async function getTicket(deps: Pick<TicketDeps, 'db' | 'clock'>, id: string, actor: Actor) {
  const { db } = deps;
  const row = await loadVisible(db, id, actor);
  const [messages, events] = await Promise.all([
    db
      .selectFrom('messages')
      .leftJoin('users', 'users.id', 'messages.author_id')
      .selectAll('messages')
      .select('users.name as author_name')
      .where('ticket_id', '=', id)
      .orderBy('messages.created_at')
      .orderBy('messages.id')
      .execute(),
    db
      .selectFrom('ticket_events')
      .leftJoin('users', 'users.id', 'ticket_events.actor_id')
      .selectAll('ticket_events')
      .select('users.name as actor_name')
      .where('ticket_id', '=', id)
      .orderBy('ticket_events.id')
      .execute(),
  ]);
  const emailIds = messages.filter((m) => m.channel === 'email' && m.author_type === 'customer').map((m) => m.id);
  const emailParts = emailIds.length ? await emailPartsOf(db, emailIds) : new Map<string, EmailPartsJson>();
  // the SOP checklist of its category and market, computed on read (playbook-store.ts)
  const playbook = await ticketPlaybook(db, row, ticketMarket(row, row.c_country ? null : (await resolveStore(db, row.store_id)).market), messages, events);
  return {
    ...ticketJson(row, deps.clock.now()),
    playbook,
    messages: messages.map((m) => ({ ...messageJson(m), authorName: m.author_type === 'customer' ? row.c_name : m.author_name, ...emailParts.get(m.id) })),
    events: events.map(
      (e): TicketEventJson => ({
        id: e.id,
        type: e.type,
        field: e.field,
        before: e.before,
        after: e.after,
        actorType: e.actor_type,
        actorId: e.actor_id,
        actorName: e.actor_name,
        createdAt: e.created_at.toISOString(),
      }),
    ),
  };
}

export type TicketSort = 'created_desc' | 'created_asc' | 'updated_desc' | 'sla_due';

export interface ListTicketsInput {
  limit?: number;
  cursor?: string;
  status?: TicketStatus[];
  assignee?: string; // 'me' | 'none' | uuid
  priority?: Priority[];
  category?: string[];
  language?: string[];
  storeId?: string;
  tag?: string;
  q?: string;
  breached?: boolean;
  sort?: TicketSort;
}

interface Cursor {
  v: string | null; // sort value (ISO date) or null
  id: string;
}

function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}
function decodeCursor(s: string): Cursor {
  try {
    const c = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as Cursor;
    if (typeof c !== 'object' || c === null || typeof c.id !== 'string' || !isUuid(c.id) || (c.v !== null && typeof c.v !== 'string')) throw new Error('shape');
    if (c.v !== null && Number.isNaN(Date.parse(c.v))) throw new Error('date');
    return c;
  } catch {
    throw validationError('cursor is not valid (use nextCursor from the previous page)', { field: 'cursor' });
  }
}

export async function listTickets(deps: Pick<TicketDeps, 'db' | 'clock'>, input: ListTicketsInput, actor: Actor) {
  const { db } = deps;
  const limit = Math.min(Math.max(input.limit ?? 50, 1), 200);
  const sort = input.sort ?? 'updated_desc';
  let q = ticketQuery(db).where(visibleTo(actor));
  if (input.status?.length) q = q.where('tickets.status', 'in', input.status);
  if (input.priority?.length) q = q.where('tickets.priority', 'in', input.priority);
  if (input.category?.length) q = q.where('tickets.category', 'in', input.category);
  if (input.language?.length) q = q.where('tickets.language', 'in', input.language);
  if (input.storeId) q = q.where('tickets.store_id', '=', input.storeId);
  if (input.tag) q = q.where(sql<boolean>`tickets.tags @> ARRAY[${input.tag.toLowerCase()}]::text[]`);
  if (input.assignee === 'me') q = q.where('tickets.assignee_id', '=', actor.id ?? '00000000-0000-0000-0000-000000000000');
  else if (input.assignee === 'none') q = q.where('tickets.assignee_id', 'is', null);
  else if (input.assignee) {
    if (!isUuid(input.assignee)) throw validationError('assignee must be "me", "none" or a user id', { field: 'assignee' });
    q = q.where('tickets.assignee_id', '=', input.assignee);
  }
  if (input.breached) {
    const now = deps.clock.now();
    q = q.where((eb) =>
      eb.or([
        eb('tickets.first_response_breached', '=', true),
        eb('tickets.next_response_breached', '=', true),
        eb('tickets.resolution_breached', '=', true),
        eb('tickets.sla_due_at', '<=', now),
      ]),
    );
  }
  if (input.q?.trim()) {
    const text = input.q.trim().slice(0, 200);
    const tokens = tokensForIndex(text).split(/\s+/).filter(Boolean).slice(0, 12);
    const numberMatch = /^#?(\d{1,12})$/.exec(text);
    q = q.where((eb) => {
      const ors = [];
      if (tokens.length) {
        // every token must match (prefix match on the last one while typing)
        const tsq = tokens.map((t, i) => `'${t.replace(/'/g, "''")}'${i === tokens.length - 1 ? ':*' : ''}`).join(' & ');
        ors.push(sql<boolean>`tickets.search @@ to_tsquery('simple', ${tsq})`);
      }
      if (numberMatch) ors.push(eb('tickets.number', '=', Number(numberMatch[1])));
      if (text.includes('@')) ors.push(eb('c.email', '=', text.toLowerCase()));
      return ors.length ? eb.or(ors) : eb.lit(false);
    });
  }

  const cursor = input.cursor ? decodeCursor(input.cursor) : null;
  switch (sort) {
    case 'created_desc':
    case 'updated_desc': {
      const col = sort === 'created_desc' ? 'tickets.created_at' : 'tickets.updated_at';
      if (cursor?.v) {
        const v = new Date(cursor.v);
        q = q.where((eb) => eb.or([eb(col, '<', v), eb.and([eb(col, '=', v), eb('tickets.id', '<', cursor.id)])]));
      }
      q = q.orderBy(col, 'desc').orderBy('tickets.id', 'desc');
      break;
    }
    case 'created_asc': {
      if (cursor?.v) {
        const v = new Date(cursor.v);
        q = q.where((eb) => eb.or([eb('tickets.created_at', '>', v), eb.and([eb('tickets.created_at', '=', v), eb('tickets.id', '>', cursor.id)])]));
      }
      q = q.orderBy('tickets.created_at', 'asc').orderBy('tickets.id', 'asc');
      break;
    }
    case 'sla_due': {
      if (cursor) {
        if (cursor.v === null) q = q.where((eb) => eb.and([eb('tickets.sla_due_at', 'is', null), eb('tickets.id', '>', cursor.id)]));
        else {
          const v = new Date(cursor.v);
          q = q.where((eb) =>
            eb.or([
              eb('tickets.sla_due_at', '>', v),
              eb.and([eb('tickets.sla_due_at', '=', v), eb('tickets.id', '>', cursor.id)]),
              eb('tickets.sla_due_at', 'is', null),
            ]),
          );
        }
      }
      q = q.orderBy(sql`tickets.sla_due_at ASC NULLS LAST`).orderBy('tickets.id', 'asc');
      break;
    }
    default: {
      const never: never = sort;
      throw validationError(`unknown sort ${String(never)}`);
    }
  }
  const rows = await q.limit(limit + 1).execute();
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  let nextCursor: string | null = null;
  if (rows.length > limit && last) {
    const v = sort === 'sla_due' ? last.sla_due_at : sort === 'updated_desc' ? last.updated_at : last.created_at;
    nextCursor = encodeCursor({ v: v ? v.toISOString() : null, id: last.id });
  }
  const now = deps.clock.now();
  return { items: page.map((r) => ticketJson(r, now)), nextCursor };
}

export async function ticketCounts(deps: Pick<TicketDeps, 'db' | 'clock'>, actor: Actor) {
  const { db } = deps;
  const now = deps.clock.now();
  const r = await db
    .selectFrom('tickets')
    .where(visibleTo(actor))
    .select((eb) => [
      sql<number>`count(*) FILTER (WHERE status IN ('new','open','pending','on_hold'))::int`.as('all_open'),
      sql<number>`count(*) FILTER (WHERE status IN ('new','open','pending','on_hold') AND assignee_id = ${actor.id ?? null}::uuid)::int`.as('mine'),
      sql<number>`count(*) FILTER (WHERE status IN ('new','open','pending','on_hold') AND assignee_id IS NULL)::int`.as('unassigned'),
      ...(['new', 'open', 'pending', 'on_hold', 'solved', 'closed'] as const).map((s) => sql<number>`count(*) FILTER (WHERE status = ${s})::int`.as(s)),
      sql<number>`count(*) FILTER (WHERE status IN ('new','open','pending','on_hold') AND (sla_due_at <= ${now} OR first_response_breached OR next_response_breached OR resolution_breached))::int`.as('breaching'),
      eb.lit(1).as('_'),
    ])
    .executeTakeFirstOrThrow();
  const { _: _unused, ...counts } = r;
  return counts;
}

// ---------------------------------------------------------------------------------------
// Update

export interface TicketPatch {
  status?: TicketStatus;
  assigneeId?: string | null;
  teamId?: string | null;
  priority?: Priority;
  category?: string;
  tags?: string[];
  /** Solving with required playbook steps open: why (recorded in the event trail). */
  playbookOverrideReason?: string;
}

async function applyPatch(
  trx: Transaction<DB>,
  deps: TicketDeps,
  current: TicketRow,
  patch: TicketPatch,
  actor: Actor,
  now: Date,
): Promise<{ changes: string[]; assigneeId: string | null; teamId: string | null; row: TicketRow }> {
  const set: TicketUpdate = {};
  let assigneeName = current.a_name;
  const events: Array<{ type: string; field: string; before: unknown; after: unknown }> = [];
  const store = await resolveStore(deps.db, current.store_id, trx);
  const cal = storeCalendar(store);

  if (patch.status !== undefined && patch.status !== current.status) {
    if (!isStatus(patch.status)) throw validationError(`unknown status "${String(patch.status)}"`);
    assertTransition(current.status, patch.status);
    if (patch.status === 'solved' && actor.type === 'user') {
      await checkPlaybookBeforeSolve(trx, { ...current, category: patch.category ?? current.category }, ticketMarket(current, store.market), { overrideReason: patch.playbookOverrideReason, actor, now });
    }
    Object.assign(set, onStatusChange(current, patch.status, now, cal));
    set.status = patch.status;
    if (patch.status === 'solved') set.solved_at = now;
    if (patch.status === 'closed') set.closed_at = now;
    if (current.status === 'solved' && patch.status === 'open') set.solved_at = null;
    events.push({ type: 'updated', field: 'status', before: current.status, after: patch.status });
  }
  if (patch.priority !== undefined && patch.priority !== current.priority) {
    if (!PRIORITIES.includes(patch.priority)) throw validationError(`priority must be one of ${PRIORITIES.join(', ')}`);
    const policies = await policiesFor(trx, current.store_id);
    Object.assign(set, onPriorityChange({ ...current, ...set } as TicketRow, policies[current.priority], policies[patch.priority], cal));
    set.priority = patch.priority;
    events.push({ type: 'updated', field: 'priority', before: current.priority, after: patch.priority });
  }
  if (patch.category !== undefined && patch.category !== current.category) {
    if (!(CATEGORIES as readonly string[]).includes(patch.category)) throw validationError(`category must be one of ${CATEGORIES.join(', ')}`);
    set.category = patch.category;
    events.push({ type: 'updated', field: 'category', before: current.category, after: patch.category });
  }
  if (patch.assigneeId !== undefined && patch.assigneeId !== current.assignee_id) {
    if (patch.assigneeId !== null) {
      if (!isUuid(patch.assigneeId)) throw validationError('assigneeId must be a user id or null');
      const u = await trx.selectFrom('users').select(['id', 'name', 'role', 'active', 'team_id']).where('id', '=', patch.assigneeId).executeTakeFirst();
      if (!u || !u.active) throw validationError(`user ${patch.assigneeId} does not exist or is inactive`, { field: 'assigneeId' });
      if (u.role === 'trainer') throw validationError('tickets can be assigned to agents, managers and admins, not trainers', { field: 'assigneeId' });
      assigneeName = u.name;
      // a ticket without a team joins its assignee's team (so teammates can cover it)
      if (patch.teamId === undefined && current.team_id === null && u.team_id) {
        set.team_id = u.team_id;
        events.push({ type: 'updated', field: 'team', before: null, after: u.team_id });
      }
    }
    set.assignee_id = patch.assigneeId;
    if (patch.assigneeId === null) assigneeName = null;
    events.push({ type: 'updated', field: 'assignee', before: current.assignee_id, after: patch.assigneeId });
  }
  if (patch.teamId !== undefined && patch.teamId !== current.team_id) {
    if (patch.teamId !== null) {
      if (!isUuid(patch.teamId)) throw validationError('teamId must be a team id or null');
      const t = await trx.selectFrom('teams').select('id').where('id', '=', patch.teamId).executeTakeFirst();
      if (!t) throw validationError(`team ${patch.teamId} does not exist`, { field: 'teamId' });
    }
    set.team_id = patch.teamId;
    events.push({ type: 'updated', field: 'team', before: current.team_id, after: patch.teamId });
  }
  if (patch.tags !== undefined) {
    const tags = cleanTags(patch.tags);
    if (JSON.stringify([...tags].sort()) !== JSON.stringify([...current.tags].sort())) {
      set.tags = tags;
      events.push({ type: 'updated', field: 'tags', before: current.tags, after: tags });
    }
  }
  if (!events.length) return { changes: [], assigneeId: current.assignee_id, teamId: current.team_id, row: current };
  set.updated_at = now;
  const merged = { ...current, ...set, a_name: assigneeName } as TicketRow;
  set.sla_due_at = nextDue(merged);
  merged.sla_due_at = set.sla_due_at;
  await trx.updateTable('tickets').set(set).where('id', '=', current.id).execute();
  await recordEvents(trx, current.id, actor, now, events);
  return { changes: events.map((e) => e.field), assigneeId: merged.assignee_id, teamId: merged.team_id, row: merged };
}

export async function updateTicket(deps: TicketDeps, id: string, patch: TicketPatch, actor: Actor): Promise<TicketJson> {
  if (!canWorkTickets(actor)) throw forbidden('Trainers can read tickets but not change them');
  const now = deps.clock.now();
  const result = await deps.db.transaction().execute(async (trx) => {
    const current = await loadVisible(trx, id, actor, true);
    const r = await applyPatch(trx, deps, current, patch, actor, now);
    return r;
  });
  if (result.changes.length) {
    await publish(deps.bus, {
      type: 'ticket.updated',
      ticketId: id,
      storeId: result.row.store_id,
      assigneeId: result.assigneeId,
      teamId: result.teamId,
      changes: result.changes,
    });
  }
  return ticketJson(result.row, deps.clock.now());
}

export interface BulkInput {
  ids: string[];
  set: { status?: TicketStatus; assigneeId?: string | null; priority?: Priority; addTags?: string[]; removeTags?: string[] };
}

/** Applies the same change to many tickets; each ticket succeeds or fails on its own. */
export async function bulkUpdate(deps: TicketDeps, input: BulkInput, actor: Actor) {
  if (!canWorkTickets(actor)) throw forbidden('Trainers can read tickets but not change them');
  const ids = [...new Set(input.ids)];
  if (!ids.length) throw validationError('ids must list at least one ticket');
  if (ids.length > 500) throw validationError('at most 500 tickets per bulk action');
  const failed: Array<{ id: string; code: string; message: string }> = [];
  let updated = 0;
  for (const id of ids) {
    try {
      let tags: string[] | undefined;
      if (input.set.addTags || input.set.removeTags) {
        const cur = await loadVisible(deps.db, id, actor);
        const remove = new Set((input.set.removeTags ?? []).map((t) => t.toLowerCase()));
        tags = [...new Set([...cur.tags, ...(input.set.addTags ?? [])])].filter((t) => !remove.has(t.toLowerCase()));
      }
      await updateTicket(deps, id, { status: input.set.status, assigneeId: input.set.assigneeId, priority: input.set.priority, tags }, actor);
      updated++;
    } catch (e) {
      if (e instanceof AppError) failed.push({ id, code: e.code, message: e.message });
      else throw e;
    }
  }
  return { updated, failed };
}

// ---------------------------------------------------------------------------------------
// Messages

export interface AddMessageInput {
  body: string;
  internal?: boolean;
  language?: string;
  channel?: string;
  externalId?: string;
  createdAt?: Date;
}

/** An agent's public reply or internal note. */
export async function addAgentMessage(deps: TicketDeps, ticketId: string, input: AddMessageInput, actor: Actor): Promise<MessageJson> {
  if (!canWorkTickets(actor)) throw forbidden('Trainers can read tickets but not reply');
  return addMessage(deps, ticketId, { ...input, authorType: actor.type === 'user' ? 'agent' : 'system' }, actor);
}

/** A customer's message on an existing ticket (channels call this). Reopens a solved ticket. */
export async function addCustomerMessage(deps: TicketDeps, ticketId: string, input: AddMessageInput): Promise<MessageJson> {
  return addMessage(deps, ticketId, { ...input, internal: false, authorType: 'customer' }, { type: 'customer', id: null });
}

/** The bot's public answer or internal hand-off note (helpdesk/bot.ts); author type 'bot'. */
export async function addBotMessage(deps: TicketDeps, ticketId: string, input: AddMessageInput): Promise<MessageJson> {
  return addMessage(deps, ticketId, { ...input, authorType: 'bot' }, { type: 'system', id: null, name: 'Bot' });
}

async function addMessage(
  deps: TicketDeps,
  ticketId: string,
  input: AddMessageInput & { authorType: AuthorType },
  actor: Actor,
): Promise<MessageJson> {
  if (!input.body.trim()) throw validationError('body must not be empty', { field: 'body' });
  if (input.body.length > MAX_BODY) throw new AppError('payload_too_large', `body is longer than ${MAX_BODY} characters`, { field: 'body' });
  const now = input.createdAt ?? deps.clock.now();
  const internal = input.internal ?? false;
  const res = await deps.db.transaction().execute(async (trx) => {
    const t = await loadVisible(trx, ticketId, actor, true);
    if (t.status === 'closed' && !internal) {
      throw new AppError('invalid_transition', 'this ticket is closed; a new message needs a follow-up ticket', { status: 'closed' });
    }
    if (input.externalId) {
      const dup = await trx.selectFrom('messages').selectAll().where('external_id', '=', input.externalId).executeTakeFirst();
      if (dup) return { message: dup, t, changed: [] as string[], duplicate: true };
    }
    const message = await trx
      .insertInto('messages')
      .values({
        id: uuidv7(now.getTime()),
        ticket_id: ticketId,
        author_type: input.authorType,
        author_id: input.authorType === 'customer' ? t.customer_id : actor.id,
        internal,
        body: input.body,
        language: input.language ?? (input.authorType === 'customer' ? t.language : t.language),
        channel: input.channel ?? 'api',
        external_id: input.externalId ?? null,
        created_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();

    const set: TicketUpdate = { updated_at: now };
    const events: Array<{ type: string; field?: string; before?: unknown; after?: unknown }> = [];
    const store = await resolveStore(deps.db, t.store_id, trx);
    const cal = storeCalendar(store);
    const policies = await policiesFor(trx, t.store_id);
    if (!internal && (input.authorType === 'agent' || input.authorType === 'bot')) {
      if (!t.first_responded_at && input.authorType === 'agent') {
        set.first_responded_at = now;
        if (t.first_response_due_at && t.first_response_due_at < now) set.first_response_breached = true;
      }
      if (t.next_response_due_at && t.next_response_due_at < now) set.next_response_breached = true;
      set.next_response_due_at = null;
      set.last_agent_message_at = now;
      set.preview = input.body.slice(0, 200);
      if (t.status === 'new') {
        Object.assign(set, onStatusChange(t, 'open', now, cal));
        set.status = 'open';
        events.push({ type: 'updated', field: 'status', before: 'new', after: 'open' });
      }
    } else if (input.authorType === 'customer') {
      set.last_customer_message_at = now;
      set.preview = input.body.slice(0, 200);
      set.search = sql`coalesce(search, ''::tsvector) || to_tsvector('simple', ${tokensForIndex(input.body)})`;
      if (t.last_agent_message_at) set.next_response_due_at = addBusinessMinutes(now, policies[t.priority].nextResponseMinutes, cal);
      if (t.status === 'pending' || t.status === 'solved') {
        Object.assign(set, onStatusChange(t, 'open', now, cal));
        if (t.status === 'solved') set.solved_at = null;
        set.status = 'open';
        events.push({ type: 'updated', field: 'status', before: t.status, after: 'open' });
      }
    }
    const merged = { ...t, ...set } as TicketRow;
    set.sla_due_at = nextDue(merged);
    await trx.updateTable('tickets').set(set).where('id', '=', ticketId).execute();
    events.unshift({ type: internal ? 'note_added' : 'message_added', after: { messageId: message.id, authorType: input.authorType } });
    await recordEvents(trx, ticketId, actor, now, events);
    return { message, t: merged, changed: events.filter((e) => e.field).map((e) => e.field as string), duplicate: false };
  });
  if (!res.duplicate) {
    const base = { ticketId, storeId: res.t.store_id, assigneeId: res.t.assignee_id, teamId: res.t.team_id };
    await publish(deps.bus, { type: 'message.created', ...base, messageId: res.message.id, internal });
    await publish(deps.bus, { type: 'ticket.updated', ...base, changes: ['messages', ...res.changed] });
    if (deps.afterIntake && input.authorType === 'customer' && res.changed.includes('status')) {
      await deps.afterIntake(ticketId, 'reopened').catch(() => undefined);
    }
  }
  const authorName = actor.name ?? null;
  return { ...messageJson(res.message), authorName };
}



// ---------------------------------------------------------------------------------------
// The customer's side (chat widget)

/**
 * The messages a customer may see on their ticket: public ones only (never internal
 * notes), oldest first; `afterId` for "what is new since", `messageId` for one message.
 */
export async function customerVisibleMessages(
  db: Kysely<DB>,
  ticketId: string,
  opts: { afterId?: string; messageId?: string; limit?: number } = {},
): Promise<MessageJson[]> {
  if (!isUuid(ticketId)) return [];
  let q = db
    .selectFrom('messages')
    .leftJoin('users', (j) => j.onRef('users.id', '=', 'messages.author_id').on('messages.author_type', '!=', 'customer'))
    .selectAll('messages')
    .select('users.name as author_name')
    .where('messages.ticket_id', '=', ticketId)
    .where('messages.internal', '=', false)
    .where('messages.author_type', '!=', 'system');
  if (opts.messageId !== undefined) {
    if (!isUuid(opts.messageId)) return [];
    q = q.where('messages.id', '=', opts.messageId);
  }
  if (opts.afterId !== undefined && isUuid(opts.afterId)) {
    const after = opts.afterId;
    q = q.where((eb) =>
      eb.or([
        eb('messages.created_at', '>', eb.selectFrom('messages as a').select('a.created_at').where('a.id', '=', after)),
        eb.and([eb('messages.created_at', '=', eb.selectFrom('messages as a').select('a.created_at').where('a.id', '=', after)), eb('messages.id', '>', after)]),
      ]),
    );
  }
  const rows = await q.orderBy('messages.created_at').orderBy('messages.id').limit(Math.min(Math.max(opts.limit ?? 200, 1), 500)).execute();
  return rows.map((m) => ({ ...messageJson(m), authorName: m.author_type === 'customer' ? null : m.author_name }));
}

/** Light facts of a ticket the actor may see (typing signals and similar), or null. */
export async function visibleTicketRef(db: Kysely<DB>, id: string, actor: Actor): Promise<{ id: string; storeId: string; assigneeId: string | null; teamId: string | null; channel: string; status: TicketStatus } | null> {
  if (!isUuid(id)) return null;
  const t = await db.selectFrom('tickets').select(['id', 'store_id', 'assignee_id', 'team_id', 'channel', 'status']).where('id', '=', id).executeTakeFirst();
  if (!t || !canSeeTicket(actor, t)) return null;
  return { id: t.id, storeId: t.store_id, assigneeId: t.assignee_id, teamId: t.team_id, channel: t.channel, status: t.status };
}
