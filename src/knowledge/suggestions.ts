/**
 * Suggested replies for a ticket: templates of the ticket's category (then related ones),
 * in the customer's language (English when a template lacks it), fitting the market, ranked
 * also by how well they match what the customer wrote; variables filled from the ticket.
 */
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/types.ts';
import type { Clock } from '../core/clock.ts';
import { isUuid } from '../core/ids.ts';
import { notFound, validationError } from '../core/errors.ts';
import { ticketJson, type TicketJson } from '../helpdesk/tickets.ts';
import { canSeeTicket, type Actor } from '../helpdesk/visibility.ts';
import { getStore } from '../helpdesk/stores.ts';
import { tsqueryAny } from './templates.ts';
import { formatMoney, localeFor, renderTemplate, splitName, textDirection, type RenderContext } from './variables.ts';

/** Categories whose templates also help (weaker) for a ticket of the key's category. */
export const RELATED_CATEGORIES: Record<string, string[]> = {
  order_status: ['lost_parcel', 'customs_duties', 'address_change'],
  lost_parcel: ['order_status', 'refund'],
  damaged_item: ['return_request', 'refund', 'exchange_request'],
  wrong_item: ['exchange_request', 'return_request', 'refund'],
  defective_item: ['return_request', 'exchange_request', 'refund'],
  return_request: ['refund', 'exchange_request'],
  exchange_request: ['return_request'],
  refund: ['return_request', 'cancellation'],
  cancellation: ['refund'],
  payment_issue: ['refund'],
  customs_duties: ['order_status'],
  address_change: ['order_status'],
  product_question: ['other'],
  other: ['product_question'],
};

export interface SuggestionContextInput {
  ticket: TicketJson & { messages?: Array<{ authorType: string; body: string }> };
  language: string;
  market: string;
}

/**
 * A source of more variable values for a ticket (e.g. commerce: tracking, return label,
 * refund amount). Providers run in order; a later one fills only what is still empty.
 */
export type ContextProvider = (db: Kysely<DB>, input: SuggestionContextInput) => Promise<RenderContext>;

export interface SuggestionDeps {
  db: Kysely<DB>;
  clock: Clock;
  contextProviders?: ContextProvider[];
}

export interface Suggestion {
  templateId: string;
  key: string;
  category: string;
  language: string;
  dir: 'ltr' | 'rtl';
  title: string;
  body: string;
  missing: string[];
  score: number;
}

/** The order facts the variables use. */
export interface OrderFacts {
  number: string;
  currency: string;
  total: string | number;
}

const orderVariables = (o: OrderFacts, language: string, market: string): RenderContext => ({
  'order.number': o.number,
  'order.total': formatMoney(o.total, o.currency, localeFor(language, market)),
});

/** The order linked to the ticket (number, total). */
const orderProvider: ContextProvider = async (db, { ticket, language, market }) => {
  if (!ticket.orderId) return {};
  const o = await db.selectFrom('orders').select(['number', 'currency', 'total']).where('id', '=', ticket.orderId).executeTakeFirst();
  if (!o) return {};
  return orderVariables(o, language, market);
};

/**
 * Values known from the ticket, the customer, the store and the agent. `known` passes what
 * the caller has already read (the store; the linked order, null when there is none), so it
 * is not read again.
 */
export async function contextForTicket(
  deps: SuggestionDeps,
  input: SuggestionContextInput,
  actor: Actor,
  knownStore?: { name: string },
  known: { order?: OrderFacts | null } = {},
): Promise<RenderContext> {
  const { ticket, language } = input;
  const name = splitName(ticket.customer.name, ticket.customer.language ?? language);
  const store = knownStore ?? (await getStore(deps.db, ticket.storeId));
  const ctx: RenderContext = {
    'customer.first_name': name.first,
    'customer.last_name': name.last,
    'customer.name': name.full,
    'agent.name': actor.type === 'user' ? actor.name : null,
    'store.name': store.name,
  };
  const first: ContextProvider =
    known.order === undefined ? orderProvider : () => Promise.resolve(known.order ? orderVariables(known.order, input.language, input.market) : {});
  for (const p of [first, ...(deps.contextProviders ?? [])]) {
    const more = await p(deps.db, input);
    for (const [k, v] of Object.entries(more)) {
      const cur = ctx[k];
      if ((cur === null || cur === undefined || cur === '') && v !== null && v !== undefined && v !== '') ctx[k] = v;
    }
  }
  return ctx;
}

/** What suggestions need of a ticket, read in one statement. */
interface TicketFacts {
  ticket: TicketJson & { messages: Array<{ authorType: string; body: string }> };
  store: { name: string; market: string };
  order: OrderFacts | null;
}

/**
 * The ticket (as TicketJson, for the context providers), its messages (author and text), its
 * store and its linked order: one statement instead of getTicket (ticket, messages, events,
 * playbook) plus the store and the order. Read-only; the same visibility rule as getTicket.
 */
async function ticketFacts(deps: SuggestionDeps, id: string, actor: Actor): Promise<TicketFacts> {
  const row = await deps.db
    .selectFrom('tickets')
    .innerJoin('customers as c', 'c.id', 'tickets.customer_id')
    .innerJoin('stores as s', 's.id', 'tickets.store_id')
    .leftJoin('users as a', 'a.id', 'tickets.assignee_id')
    .leftJoin('orders as o', 'o.id', 'tickets.order_id')
    .selectAll('tickets')
    .select(['c.email as c_email', 'c.name as c_name', 'c.language as c_language', 'c.country as c_country', 'c.timezone as c_timezone', 'a.name as a_name'])
    .select(['s.name as s_name', 's.market as s_market', 'o.number as o_number', 'o.currency as o_currency', 'o.total as o_total'])
    .select(
      sql<Array<{ authorType: string; body: string }>>`coalesce((SELECT json_agg(json_build_object('authorType', m.author_type, 'body', m.body) ORDER BY m.created_at, m.id) FROM messages m WHERE m.ticket_id = tickets.id), '[]'::json)`.as(
        'm_list',
      ),
    )
    .where('tickets.id', '=', id)
    .executeTakeFirst();
  if (!row || !canSeeTicket(actor, row)) throw notFound('Ticket', id);
  const { s_name, s_market, o_number, o_currency, o_total, m_list, ...ticketRow } = row;
  return {
    ticket: { ...ticketJson(ticketRow, deps.clock.now()), messages: m_list },
    store: { name: s_name, market: s_market },
    order: o_number !== null && o_currency !== null && o_total !== null ? { number: o_number, currency: o_currency, total: o_total } : null,
  };
}

export interface SuggestionsInput {
  limit?: number;
  /** Override the ticket's language (e.g. the agent picks another). */
  language?: string;
}

export async function suggestionsForTicket(deps: SuggestionDeps, ticketId: string, input: SuggestionsInput, actor: Actor): Promise<{ items: Suggestion[]; language: string; market: string }> {
  const limit = Math.min(Math.max(input.limit ?? 5, 1), 20);
  if (!isUuid(ticketId)) throw validationError('id must be a ticket id', { field: 'id' });
  if (input.language !== undefined && !/^[a-z]{2}$/.test(input.language)) throw validationError('language must be an ISO 639-1 code', { field: 'language' });
  const { ticket, store, order } = await ticketFacts(deps, ticketId, actor);
  const language = (input.language ?? ticket.language ?? ticket.customer.language ?? 'en').slice(0, 2).toLowerCase();
  const market = (ticket.customer.country ?? store.market).toUpperCase();
  const categories = [ticket.category, ...(RELATED_CATEGORIES[ticket.category] ?? [])];
  const languages = [...new Set([language, 'en'])];
  const customerText = [ticket.subject, ...ticket.messages.filter((m) => m.authorType === 'customer').map((m) => m.body)].join('\n').slice(0, 4000);
  const anyQuery = tsqueryAny(customerText);

  // 1. candidates: cheap columns only (no text, no search vector), the first few of each
  //    category in (priority, key, language) order: per category and language an ordered
  //    scan of the compound index (category, language, priority DESC, key) (migration 0014),
  //    merged per category, so the cost does not grow with the size of the library
  const perCategory = Math.max(40, limit * 8);
  const cand = await sql<{ id: string; key: string; category: string; markets: string[]; priority: number; language: string }>`
    SELECT c.* FROM unnest(${categories}::text[]) AS cat(name)
    CROSS JOIN LATERAL (
      SELECT x.* FROM unnest(${languages}::text[]) AS l(code)
      CROSS JOIN LATERAL (
        SELECT v.template_id AS id, v.key, v.category, v.markets, v.priority, v.language
        FROM knowledge_template_variants v
        WHERE v.category = cat.name AND v.language = l.code AND NOT v.archived
          -- as a CASE, the planner counts this as a 50 % filter (most templates fit every
          -- market); written as an OR it estimates ~1 row and reads and sorts the whole range
          AND CASE WHEN cardinality(v.markets) = 0 THEN true ELSE v.markets @> ARRAY[${market}]::text[] END
        ORDER BY v.priority DESC, v.key
        LIMIT ${perCategory}
      ) x
      ORDER BY x.priority DESC, x.key, x.language
      LIMIT ${perCategory}
    ) c`.execute(deps.db);
  const rows = cand.rows;

  // one variant per template: the customer's language, else English
  const best = new Map<string, (typeof rows)[number]>();
  for (const r of rows) {
    const cur = best.get(r.id);
    if (!cur || (r.language === language && cur.language !== language)) best.set(r.id, r);
  }
  const baseScore = (r: (typeof rows)[number]) => {
    const catWeight = r.category === ticket.category ? 1 : 0.4 - 0.05 * Math.max(0, categories.indexOf(r.category) - 1);
    return catWeight + (r.language === language ? 0.5 : 0) + (r.markets.length > 0 ? 0.2 : 0) + Math.max(-10, Math.min(10, r.priority)) * 0.01;
  };
  const shortlist = [...best.values()]
    .map((r) => ({ r, base: baseScore(r) }))
    .sort((a, b) => b.base - a.base || a.r.key.localeCompare(b.r.key))
    .slice(0, Math.max(20, limit * 4));
  if (!shortlist.length) return { items: [], language, market };

  // 2. text and relevance to what the customer wrote, for the shortlisted variants only
  const relevance = anyQuery ? sql<number>`ts_rank(v.search, to_tsquery('simple', ${anyQuery}))` : sql<number>`0`;
  const texts = await sql<{ template_id: string; language: string; title: string; body: string; relevance: number }>`
    SELECT v.template_id, v.language, v.title, v.body, ${relevance} AS relevance
    FROM unnest(${shortlist.map(({ r }) => r.id)}::uuid[], ${shortlist.map(({ r }) => r.language)}::text[]) AS w(id, language)
    JOIN knowledge_template_variants v ON v.template_id = w.id AND v.language = w.language`.execute(deps.db);
  const wanted = new Map(shortlist.map(({ r }) => [r.id, r.language]));
  const byId = new Map(texts.rows.filter((t) => wanted.get(t.template_id) === t.language).map((t) => [t.template_id, t]));
  const scored = shortlist.flatMap(({ r, base }) => {
    const t = byId.get(r.id);
    if (!t) return [];
    const score = base + Math.min(1, Number(t.relevance) * 10) * 0.25;
    return [{ r, t, score: Math.round(score * 1000) / 1000 }];
  });
  scored.sort((a, b) => b.score - a.score || a.r.key.localeCompare(b.r.key));
  const top = scored.slice(0, limit);

  const ctx = await contextForTicket(deps, { ticket, language, market }, actor, store, { order });
  const items = top.map(({ r, t, score }): Suggestion => {
    const title = renderTemplate(t.title, ctx);
    const body = renderTemplate(t.body, ctx);
    return {
      templateId: r.id,
      key: r.key,
      category: r.category,
      language: r.language,
      dir: textDirection(r.language),
      title: title.text,
      body: body.text,
      missing: [...new Set([...title.missing, ...body.missing])],
      score,
    };
  });
  return { items, language, market };
}
