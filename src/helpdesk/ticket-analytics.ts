/**
 * Ticket volume over a window, for the analytics dashboard: tickets created in [from, to) by
 * their status now, category, channel and priority, and per UTC day how many were created and
 * how many were solved.
 */
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/types.ts';
import { validationError } from '../core/errors.ts';
import { isUuid } from '../core/ids.ts';

export interface TicketAnalytics {
  from: string;
  to: string;
  storeId: string | null;
  /** Tickets created in the window. */
  created: number;
  /** Tickets whose (latest) solve falls in the window. */
  solved: number;
  byStatus: Record<string, number>;
  byCategory: Record<string, number>;
  byChannel: Record<string, number>;
  byPriority: Record<string, number>;
  /** One entry per UTC day of the window, oldest first (days without tickets included). */
  daily: Array<{ date: string; created: number; solved: number }>;
}

/** At most this many days in the daily series (a longer window still counts every ticket). */
export const MAX_DAYS = 400;

const DAY = 86_400_000;
const utcDay = (d: Date) => d.toISOString().slice(0, 10);

export async function ticketAnalytics(db: Kysely<DB>, input: { from: Date; to: Date; storeId?: string }): Promise<TicketAnalytics> {
  if (input.storeId !== undefined && !isUuid(input.storeId)) throw validationError('storeId must be a store id', { field: 'storeId' });
  if (!(input.from < input.to)) throw validationError('from must be before to', { field: 'from' });
  const created = db
    .selectFrom('tickets')
    .where('created_at', '>=', input.from)
    .where('created_at', '<', input.to)
    .$if(Boolean(input.storeId), (q) => q.where('store_id', '=', input.storeId!));
  const solvedQ = db
    .selectFrom('tickets')
    .where('solved_at', '>=', input.from)
    .where('solved_at', '<', input.to)
    .$if(Boolean(input.storeId), (q) => q.where('store_id', '=', input.storeId!));

  const group = (col: 'status' | 'category' | 'channel' | 'priority') =>
    created
      .select([`${col} as key`, sql<number>`count(*)::int`.as('n')])
      .groupBy(col)
      .execute()
      .then((rows) => Object.fromEntries(rows.map((r) => [String(r.key), Number(r.n)])));

  const [byStatus, byCategory, byChannel, byPriority, createdDaily, solvedDaily] = await Promise.all([
    group('status'),
    group('category'),
    group('channel'),
    group('priority'),
    created
      .select([sql<string>`to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')`.as('day'), sql<number>`count(*)::int`.as('n')])
      .groupBy(sql`1`)
      .execute(),
    solvedQ
      .select([sql<string>`to_char(solved_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')`.as('day'), sql<number>`count(*)::int`.as('n')])
      .groupBy(sql`1`)
      .execute(),
  ]);

  const c = new Map(createdDaily.map((r) => [r.day, Number(r.n)]));
  const s = new Map(solvedDaily.map((r) => [r.day, Number(r.n)]));
  const daily: TicketAnalytics['daily'] = [];
  const last = new Date(input.to.getTime() - 1);
  const firstDay = Date.UTC(input.from.getUTCFullYear(), input.from.getUTCMonth(), input.from.getUTCDate());
  const start = Math.max(firstDay, Date.UTC(last.getUTCFullYear(), last.getUTCMonth(), last.getUTCDate()) - (MAX_DAYS - 1) * DAY);
  for (let t = start; t <= last.getTime(); t += DAY) {
    const day = utcDay(new Date(t));
    daily.push({ date: day, created: c.get(day) ?? 0, solved: s.get(day) ?? 0 });
  }
  return {
    from: input.from.toISOString(),
    to: input.to.toISOString(),
    storeId: input.storeId ?? null,
    created: Object.values(byStatus).reduce((a, b) => a + b, 0),
    solved: solvedDaily.reduce((a, r) => a + Number(r.n), 0),
    byStatus,
    byCategory,
    byChannel,
    byPriority,
    daily,
  };
}
