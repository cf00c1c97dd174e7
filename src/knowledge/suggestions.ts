/**
 * Suggested replies for a ticket: templates of the ticket's category (then related ones),
 * in the customer's language (English when a template lacks it), fitting the market, ranked
 * also by how well they match what the customer wrote; variables filled from the ticket.
 */
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/types.ts';
import type { Clock } from '../core/clock.ts';
import { validationError } from '../core/errors.ts';
import { isUuid } from '../core/ids.ts';
import { getTicket, type TicketJson } from '../helpdesk/tickets.ts';
import type { Actor } from '../helpdesk/visibility.ts';
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

/** The order linked to the ticket (number, total). */
const orderProvider: ContextProvider = async (db, { ticket, language, market }) => {
  if (!ticket.orderId) return {};
  const o = await db.selectFrom('orders').select(['number', 'currency', 'total']).where('id', '=', ticket.orderId).executeTakeFirst();
  if (!o) return {};
  return { 'order.number': o.number, 'order.total': formatMoney(o.total, o.currency, localeFor(language, market)) };
};

/** Values known from the ticket, the customer, the store and the agent. */
export async function contextForTicket(deps: SuggestionDeps, input: SuggestionContextInput, actor: Actor, knownStore?: { name: string }): Promise<RenderContext> {
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
  for (const p of [orderProvider, ...(deps.contextProviders ?? [])]) {
    const more = await p(deps.db, input);
    for (const [k, v] of Object.entries(more)) {
      const cur = ctx[k];
      if ((cur === null || cur === undefined || cur === '') && v !== null && v !== undefined && v !== '') ctx[k] = v;
    }
  }
  return ctx;
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
  const ticket = await getTicket(deps, ticketId, actor);
  const store = await getStore(deps.db, ticket.storeId);
  const language = (input.language ?? ticket.language ?? ticket.customer.language ?? 'en').slice(0, 2).toLowerCase();
  const market = (ticket.customer.country ?? store.market).toUpperCase();
  const categories = [ticket.category, ...(RELATED_CATEGORIES[ticket.category] ?? [])];
  const languages = [...new Set([language, 'en'])];
  const customerText = [ticket.subject, ...ticket.messages.filter((m) => m.authorType === 'customer').map((m) => m.body)].join('\n').slice(0, 4000);
  const anyQuery = tsqueryAny(customerText);

  // 1. candidates: cheap columns only (no text, no search vector), the first few of each
  //    category in the browse index order (priority, key), so the cost does not grow with
  //    the size of the library
  const perCategory = Math.max(40, limit * 8);
  const cand = await sql<{ id: string; key: string; category: string; markets: string[]; priority: number; language: string }>`
    SELECT c.* FROM unnest(${categories}::text[]) AS cat(name)
    CROSS JOIN LATERAL (
      SELECT v.template_id AS id, v.key, v.category, v.markets, v.priority, v.language
      FROM knowledge_template_variants v
      WHERE v.category = cat.name AND NOT v.archived AND v.language = ANY(${languages}::text[])
        AND (cardinality(v.markets) = 0 OR v.markets @> ARRAY[${market}]::text[])
      ORDER BY v.priority DESC, v.key, v.language
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

  // 2. text and relevance to what the customer wrote, for the shortlist only
  const relevance = anyQuery ? sql<number>`ts_rank(v.search, to_tsquery('simple', ${anyQuery}))` : sql<number>`0`;
  const texts = await deps.db
    .selectFrom('knowledge_template_variants as v')
    .select(['v.template_id', 'v.language', 'v.title', 'v.body'])
    .select(relevance.as('relevance'))
    .where(sql<boolean>`v.template_id = ANY(${shortlist.map(({ r }) => r.id)}::uuid[])`)
    .where('v.language', 'in', languages)
    .execute();
  const wanted = new Map(shortlist.map(({ r }) => [r.id, r.language]));
  const byId = new Map(texts.filter((t) => wanted.get(t.template_id) === t.language).map((t) => [t.template_id, t]));
  const scored = shortlist.flatMap(({ r, base }) => {
    const t = byId.get(r.id);
    if (!t) return [];
    const score = base + Math.min(1, Number(t.relevance) * 10) * 0.25;
    return [{ r, t, score: Math.round(score * 1000) / 1000 }];
  });
  scored.sort((a, b) => b.score - a.score || a.r.key.localeCompare(b.r.key));
  const top = scored.slice(0, limit);

  const ctx = await contextForTicket(deps, { ticket, language, market }, actor, store);
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
