/**
 * Translation in the ticket workflow (issue 3):
 * - a customer's messages shown in the agent's language, translated once and kept beside
 *   the original (`message_translations`, kind 'translation');
 * - an agent's reply written in Chinese or English, previewed in the customer's language,
 *   sent in that language, with what the agent wrote kept as kind 'original'.
 * Without a provider nothing is sent anywhere: the answers say which language the customer
 * needs, so the UI can offer reply templates in it.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/types.ts';
import type { Clock } from '../core/clock.ts';
import type { EventBus } from '../core/events.ts';
import { AppError, notFound, validationError } from '../core/errors.ts';
import { isUuid } from '../core/ids.ts';
import { addAgentMessage, getTicket, type MessageJson, type TicketDeps } from '../helpdesk/tickets.ts';
import { canSeeTicket, type Actor } from '../helpdesk/visibility.ts';
import { parseLanguage } from './languages.ts';
import { translateForAgent, translateForCustomer, type TranslationFailure } from './service.ts';
import type { Translator } from './types.ts';

export interface TicketTranslationDeps {
  db: Kysely<DB>;
  clock: Clock;
  bus: EventBus;
  translator: Translator;
}

export type MessageTranslation =
  | { messageId: string; ok: true; text: string; provider: string; cached: boolean; sameLanguage?: boolean }
  | { messageId: string; ok: false; error: TranslationFailure };

/** The most customer messages translated in one call (older ones are asked for by id). */
export const MAX_MESSAGES_PER_CALL = 20;

function languageOrThrow(code: string, field: string): string {
  try {
    return parseLanguage(code).base;
  } catch {
    throw validationError(`${field} "${code}" is not a language code`, { field });
  }
}

/**
 * The customer's messages of a ticket in `to`: cached translations first, the provider for
 * the rest (one message at a time, in order; a failure is reported for that message and
 * the others still come back).
 */
export async function translateTicketMessages(
  deps: TicketTranslationDeps,
  input: { ticketId: string; to: string; messageIds?: string[] },
  actor: Actor,
): Promise<{ to: string; provider: string; available: boolean; items: MessageTranslation[]; originals: Array<{ messageId: string; text: string; language: string }> }> {
  const to = languageOrThrow(input.to, 'to');
  const ticket = await getTicket(deps, input.ticketId, actor);
  let messages = ticket.messages.filter((m) => m.authorType === 'customer' && !m.internal);
  if (input.messageIds) {
    const wanted = new Set(input.messageIds);
    const unknown = input.messageIds.filter((id) => !messages.some((m) => m.id === id));
    if (unknown.length) throw new AppError('not_found', `No customer message ${unknown[0]} on this ticket`, { messageIds: unknown });
    messages = messages.filter((m) => wanted.has(m.id));
  }
  messages = messages.slice(-MAX_MESSAGES_PER_CALL);
  const cached = messages.length
    ? await deps.db
        .selectFrom('message_translations')
        .select(['message_id', 'text', 'provider'])
        .where('kind', '=', 'translation')
        .where('language', '=', to)
        .where('message_id', 'in', messages.map((m) => m.id))
        .execute()
    : [];
  const byId = new Map(cached.map((c) => [c.message_id, c]));
  const items: MessageTranslation[] = [];
  for (const m of messages) {
    const hit = byId.get(m.id);
    if (hit) {
      items.push({ messageId: m.id, ok: true, text: hit.text, provider: hit.provider, cached: true });
      continue;
    }
    const out = await translateForAgent(deps.translator, { text: m.body, from: m.language ?? ticket.language ?? null, agentLanguage: to });
    if (!out.ok) {
      items.push({ messageId: m.id, ok: false, error: out.error });
      continue;
    }
    if (out.skipped) {
      items.push({ messageId: m.id, ok: true, text: m.body, provider: out.provider, cached: false, sameLanguage: true });
      continue;
    }
    await deps.db
      .insertInto('message_translations')
      .values({ message_id: m.id, kind: 'translation', language: to, text: out.text, provider: out.provider, created_by: actor.id })
      .onConflict((oc) => oc.columns(['message_id', 'kind', 'language']).doNothing())
      .execute();
    items.push({ messageId: m.id, ok: true, text: out.text, provider: out.provider, cached: false });
  }
  const agentIds = ticket.messages.filter((m) => m.authorType === 'agent').map((m) => m.id);
  const originals = [...(await originalsOf(deps.db, agentIds))].map(([messageId, o]) => ({ messageId, ...o }));
  return { to, provider: deps.translator.name, available: deps.translator.available, items, originals };
}

/**
 * The language a reply to the customer should be in, read in one narrow statement (the
 * ticket's row, its customer and the language of the latest public customer message)
 * instead of the whole ticket with its conversation and events: the ticket's language,
 * else the customer's, else that of their latest message. A ticket the actor may not see
 * is not found, as with getTicket.
 */
export async function customerLanguageOf(
  db: Kysely<DB>,
  ticketId: string,
  actor: Actor,
): Promise<{ ticketId: string; storeId: string; customerLanguage: string | null }> {
  if (!isUuid(ticketId)) throw notFound('Ticket', ticketId);
  const row = await db
    .selectFrom('tickets as t')
    .innerJoin('customers as c', 'c.id', 't.customer_id')
    .select((eb) => [
      't.id',
      't.store_id',
      't.assignee_id',
      't.team_id',
      't.language',
      'c.language as customer_language',
      eb
        .selectFrom('messages as m')
        .select('m.language')
        .whereRef('m.ticket_id', '=', 't.id')
        .where('m.author_type', '=', 'customer')
        .where('m.internal', '=', false)
        .where('m.language', 'is not', null)
        .orderBy('m.created_at', 'desc')
        .orderBy('m.id', 'desc')
        .limit(1)
        .as('message_language'),
    ])
    .where('t.id', '=', ticketId)
    .executeTakeFirst();
  if (!row || !canSeeTicket(actor, row)) throw notFound('Ticket', ticketId);
  return { ticketId: row.id, storeId: row.store_id, customerLanguage: row.language ?? row.customer_language ?? row.message_language ?? null };
}

/** The agent's draft in the customer's language, for preview. Nothing is stored or sent. */
export async function previewReply(
  deps: TicketTranslationDeps,
  input: { ticketId: string; text: string; from: string },
  actor: Actor,
): Promise<
  | { ok: true; text: string; provider: string; customerLanguage: string; sameLanguage: boolean }
  | { ok: false; error: TranslationFailure; customerLanguage: string | null }
> {
  const from = languageOrThrow(input.from, 'from');
  const { customerLanguage } = await customerLanguageOf(deps.db, input.ticketId, actor);
  if (!customerLanguage) {
    return { ok: false, customerLanguage: null, error: { code: 'bad_request', message: "The customer's language is not known yet; set the ticket's language first." } };
  }
  const out = await translateForCustomer(deps.translator, { text: input.text, from, customerLanguage });
  if (!out.ok) return { ok: false, error: out.error, customerLanguage };
  return { ok: true, text: out.text, provider: out.provider, customerLanguage, sameLanguage: out.skipped === true };
}

/**
 * Sends the reply the agent approved (`text`, in the customer's language, possibly edited
 * after the preview) and keeps what the agent wrote (`original`) beside it.
 */
export async function sendTranslatedReply(
  deps: TicketTranslationDeps & Pick<TicketDeps, 'afterIntake'>,
  input: { ticketId: string; text: string; original: { text: string; language: string }; provider: string },
  actor: Actor,
): Promise<MessageJson & { original: { text: string; language: string } }> {
  const originalLanguage = languageOrThrow(input.original.language, 'original.language');
  if (!input.original.text.trim()) throw validationError('original.text must not be empty', { field: 'original.text' });
  const { customerLanguage } = await customerLanguageOf(deps.db, input.ticketId, actor);
  const message = await addAgentMessage(deps, input.ticketId, { body: input.text, language: customerLanguage ?? undefined }, actor);
  await deps.db
    .insertInto('message_translations')
    .values({ message_id: message.id, kind: 'original', language: originalLanguage, text: input.original.text, provider: input.provider, created_by: actor.id })
    .execute();
  return { ...message, original: { text: input.original.text, language: originalLanguage } };
}

/** What the agents wrote before translation, for the messages of a ticket. */
export async function originalsOf(db: Kysely<DB>, messageIds: string[]): Promise<Map<string, { text: string; language: string }>> {
  if (!messageIds.length) return new Map();
  const rows = await db
    .selectFrom('message_translations')
    .select(['message_id', 'text', 'language'])
    .where('kind', '=', 'original')
    .where('message_id', 'in', messageIds)
    .execute();
  return new Map(rows.map((r) => [r.message_id, { text: r.text, language: r.language }]));
}
