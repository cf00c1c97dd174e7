/**
 * Playbooks on tickets: the checklist of a ticket (computed when read: nothing is written
 * when a ticket is created or its category changes), ticks by hand, and the check before a
 * ticket is solved. Only decisions are stored (`ticket_playbook_steps`): a hand tick or
 * untick, a skip with its reason; the rest ticks itself from the ticket's trail.
 */
import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../db/types.ts';
import type { EventBus } from '../core/events.ts';
import type { Clock } from '../core/clock.ts';
import { AppError, forbidden, notFound, validationError } from '../core/errors.ts';
import { isUuid } from '../core/ids.ts';
import { customerImagesOnTicket } from '../channels/email/ticket-attachments.ts';
import { getStorePolicy } from '../commerce/policy.ts';
import { getMarket, type StorePolicy } from '../markets/index.ts';
import {
  evaluatePlaybook,
  lawFact,
  resolvePlaybook,
  type PlaybookJson,
  type PlaybookTrail,
  type ResolvedPlaybook,
  type StoredTick,
  type TrailEvent,
  type TrailMessage,
} from './playbooks.ts';
import { canSeeTicket, canWorkTickets, type Actor } from './visibility.ts';

type Db = Kysely<DB> | Transaction<DB>;

/** The ticket facts a checklist needs (columns of the ticket row as tickets.ts reads it). */
export interface PlaybookTicketRow {
  id: string;
  store_id: string;
  category: string;
  language: string | null;
  order_id: string | null;
  customer_id: string;
  c_name: string | null;
  c_country: string | null;
}

/** Message and event rows as read for the ticket view (snake_case, with joined names). */
export interface MessageRow {
  author_type: string;
  author_id: string | null;
  author_name?: string | null;
  internal: boolean;
  body: string;
  language: string | null;
  /** When known: lets the e-mail attachment lookup be skipped for tickets with no customer mail. */
  channel?: string;
  created_at: Date;
}
export interface EventRow {
  type: string;
  field: string | null;
  after: unknown;
  actor_type: string;
  actor_id: string | null;
  actor_name?: string | null;
  created_at: Date;
}

/** The market a ticket's rules come from: the customer's country, else the store's market. */
export function ticketMarket(row: Pick<PlaybookTicketRow, 'c_country'>, storeMarket: string | null): string | null {
  return (row.c_country ?? storeMarket)?.toUpperCase() ?? null;
}

async function loadTicks(db: Db, ticketId: string): Promise<StoredTick[]> {
  const rows = await db
    .selectFrom('ticket_playbook_steps as s')
    .leftJoin('users as u', 'u.id', 's.done_by')
    .select(['s.step_id', 's.done', 's.how', 's.done_by', 's.done_at', 's.skipped_reason', 's.updated_at', 'u.name as by_name'])
    .where('s.ticket_id', '=', ticketId)
    .execute();
  return rows.map((r) => ({
    stepId: r.step_id,
    done: r.done,
    how: r.how,
    by: r.done_by ? { type: 'user', id: r.done_by, name: r.by_name } : null,
    at: r.updated_at,
    skippedReason: r.skipped_reason,
  }));
}

async function loadTrail(db: Db, ticketId: string): Promise<{ messages: MessageRow[]; events: EventRow[] }> {
  const [messages, events] = await Promise.all([
    db
      .selectFrom('messages')
      .leftJoin('users', 'users.id', 'messages.author_id')
      .select(['messages.author_type', 'messages.author_id', 'users.name as author_name', 'messages.internal', 'messages.body', 'messages.language', 'messages.channel', 'messages.created_at'])
      .where('messages.ticket_id', '=', ticketId)
      .orderBy('messages.created_at')
      .orderBy('messages.id')
      .execute(),
    db
      .selectFrom('ticket_events')
      .leftJoin('users', 'users.id', 'ticket_events.actor_id')
      .select(['ticket_events.type', 'ticket_events.field', 'ticket_events.after', 'ticket_events.actor_type', 'ticket_events.actor_id', 'users.name as actor_name', 'ticket_events.created_at'])
      .where('ticket_events.ticket_id', '=', ticketId)
      .orderBy('ticket_events.id')
      .execute(),
  ]);
  return { messages, events };
}

/** Does any step read the store's policy (who pays where the law leaves it to the store)? */
function needsStorePolicy(pb: ResolvedPlaybook): boolean {
  if (!pb.market || !pb.steps.some((s) => s.law === 'return_shipping')) return false;
  try {
    return getMarket(pb.market).consumer.returnShipping[pb.returnReason ?? 'change_of_mind'] === 'store_policy';
  } catch {
    return false;
  }
}

/**
 * The ticket's checklist with each step's state, from rows already read (getTicket reads
 * messages and events anyway) plus the stored ticks and the customer's images.
 */
export async function ticketPlaybook(db: Db, row: PlaybookTicketRow, market: string | null, messages: MessageRow[], events: EventRow[]): Promise<PlaybookJson> {
  const pb = resolvePlaybook(row.category, market);
  // photos come by e-mail today: look only when a step waits for one and the customer wrote by mail
  const wantsImages = pb.steps.some((s) => s.auto.some((a) => a.event === 'customer_attachment')) && messages.some((m) => m.author_type === 'customer' && (m.channel === undefined || m.channel === 'email'));
  const [ticks, images, policy] = await Promise.all([
    loadTicks(db, row.id),
    wantsImages ? customerImagesOnTicket(db, row.id) : Promise.resolve([]),
    needsStorePolicy(pb) ? getStorePolicy(db, row.store_id) : Promise.resolve(undefined as StorePolicy | undefined),
  ]);
  const trail: PlaybookTrail = {
    ticketLanguage: row.language,
    orderLinked: row.order_id !== null,
    customer: { type: 'customer', id: row.customer_id, name: row.c_name },
    messages: messages.map(
      (m): TrailMessage => ({ authorType: m.author_type, authorId: m.author_id, authorName: m.author_name ?? null, internal: m.internal, body: m.body, language: m.language, createdAt: m.created_at }),
    ),
    events: events.map((e): TrailEvent => ({ type: e.type, field: e.field, after: e.after, actorType: e.actor_type, actorId: e.actor_id, actorName: e.actor_name ?? null, createdAt: e.created_at })),
    attachments: images.map((a) => ({ createdAt: a.createdAt, filename: a.filename })),
  };
  return evaluatePlaybook(pb, trail, ticks, (s) => (s.law ? lawFact(s.law, pb.market, pb.returnReason, policy) : null));
}

async function ticketRow(db: Db, ticketId: string, lock: boolean) {
  const q = db
    .selectFrom('tickets')
    .innerJoin('customers as c', 'c.id', 'tickets.customer_id')
    .innerJoin('stores as st', 'st.id', 'tickets.store_id')
    .select([
      'tickets.id', 'tickets.store_id', 'tickets.category', 'tickets.language', 'tickets.order_id', 'tickets.customer_id', 'tickets.assignee_id', 'tickets.team_id', 'tickets.status',
      'c.name as c_name', 'c.country as c_country', 'st.market as store_market',
    ])
    .where('tickets.id', '=', ticketId);
  return (lock ? q.forUpdate('tickets') : q).executeTakeFirst();
}

/** The checklist of a ticket the actor can see (for the tick route's answer). */
export async function readTicketPlaybook(db: Kysely<DB>, ticketId: string, actor: Actor): Promise<PlaybookJson> {
  if (!isUuid(ticketId)) throw notFound('Ticket', ticketId);
  const t = await ticketRow(db, ticketId, false);
  if (!t || !canSeeTicket(actor, t)) throw notFound('Ticket', ticketId);
  const trail = await loadTrail(db, ticketId);
  return ticketPlaybook(db, t, ticketMarket(t, t.store_market), trail.messages, trail.events);
}

export interface PlaybookDeps {
  db: Kysely<DB>;
  bus: EventBus;
  clock: Clock;
}

/** Tick or untick a step by hand (an agent who can work the ticket). Returns the checklist. */
export async function setPlaybookStep(deps: PlaybookDeps, input: { ticketId: string; stepId: string; done: boolean }, actor: Actor): Promise<PlaybookJson> {
  if (!canWorkTickets(actor)) throw forbidden('Trainers can read tickets but not change them');
  if (!isUuid(input.ticketId)) throw notFound('Ticket', input.ticketId);
  if (typeof input.done !== 'boolean') throw validationError('done must be true or false', { field: 'done' });
  const now = deps.clock.now();
  const t = await deps.db.transaction().execute(async (trx) => {
    const t = await ticketRow(trx, input.ticketId, true);
    if (!t || !canSeeTicket(actor, t)) throw notFound('Ticket', input.ticketId);
    const market = ticketMarket(t, t.store_market);
    const pb = resolvePlaybook(t.category, market);
    if (!pb.steps.some((s) => s.id === input.stepId)) {
      throw new AppError('not_found', `Step "${input.stepId}" is not in the ${pb.category} playbook${market ? ` for ${market}` : ''} (steps: ${pb.steps.map((s) => s.id).join(', ')})`, { stepId: input.stepId });
    }
    const before = await trx.selectFrom('ticket_playbook_steps').select(['done']).where('ticket_id', '=', t.id).where('step_id', '=', input.stepId).executeTakeFirst();
    const values = {
      category: pb.category,
      done: input.done,
      how: 'manual' as const,
      done_by: input.done ? actor.id : null,
      done_at: input.done ? now : null,
      skipped_reason: null,
      updated_at: now,
    };
    await trx
      .insertInto('ticket_playbook_steps')
      .values({ ticket_id: t.id, step_id: input.stepId, ...values })
      .onConflict((oc) => oc.columns(['ticket_id', 'step_id']).doUpdateSet(values))
      .execute();
    await trx
      .insertInto('ticket_events')
      .values({
        ticket_id: t.id,
        actor_type: actor.type,
        actor_id: actor.id,
        type: 'playbook_step',
        field: input.stepId,
        before: before ? JSON.stringify({ done: before.done }) : null,
        after: JSON.stringify({ done: input.done, category: pb.category }),
        created_at: now,
      })
      .execute();
    return t;
  });
  try {
    await deps.bus.publish({ type: 'ticket.updated', ticketId: t.id, storeId: t.store_id, assigneeId: t.assignee_id, teamId: t.team_id, changes: ['playbook'], at: now.toISOString() });
  } catch {
    // live updates are best effort; the tick is committed
  }
  const trail = await loadTrail(deps.db, t.id);
  return ticketPlaybook(deps.db, t, ticketMarket(t, t.store_market), trail.messages, trail.events);
}

export const MAX_OVERRIDE_REASON = 1000;

/**
 * Before a ticket becomes solved: every required step must be done, or the request must
 * give a reason. With a reason, the open steps are recorded as skipped and a
 * `playbook_override` event carries the reason and the steps. Runs inside the status
 * change's transaction.
 */
export async function checkPlaybookBeforeSolve(
  trx: Transaction<DB>,
  row: PlaybookTicketRow,
  market: string | null,
  input: { overrideReason?: string; actor: Actor; now: Date },
): Promise<void> {
  const trail = await loadTrail(trx, row.id);
  const pb = await ticketPlaybook(trx, row, market, trail.messages, trail.events);
  const open = pb.steps.filter((s) => s.required && !s.done);
  if (!open.length) return;
  const reason = input.overrideReason?.trim() ?? '';
  if (!reason) {
    throw new AppError(
      'playbook_incomplete',
      `Required steps of the ${pb.category} playbook are still open: ${open.map((s) => s.title.en).join('; ')}. Do them, or solve with a reason (playbookOverrideReason).`,
      { category: pb.category, market: pb.market, openSteps: open.map((s) => ({ id: s.id, title: s.title })) },
    );
  }
  if (reason.length > MAX_OVERRIDE_REASON) throw validationError(`playbookOverrideReason is longer than ${MAX_OVERRIDE_REASON} characters`, { field: 'playbookOverrideReason' });
  const values = { category: pb.category, done: false, how: 'manual' as const, done_by: null, done_at: null, skipped_reason: reason, updated_at: input.now };
  await trx
    .insertInto('ticket_playbook_steps')
    .values(open.map((s) => ({ ticket_id: row.id, step_id: s.id, ...values })))
    .onConflict((oc) => oc.columns(['ticket_id', 'step_id']).doUpdateSet(values))
    .execute();
  await trx
    .insertInto('ticket_events')
    .values({
      ticket_id: row.id,
      actor_type: input.actor.type,
      actor_id: input.actor.id,
      type: 'playbook_override',
      field: null,
      before: null,
      after: JSON.stringify({ reason, category: pb.category, market: pb.market, openSteps: open.map((s) => s.id) }),
      created_at: input.now,
    })
    .execute();
}
