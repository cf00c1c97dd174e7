import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/types.ts';
import type { Clock } from '../core/clock.ts';
import type { EventBus } from '../core/events.ts';
import { enqueueJob, type JobHandler } from '../core/jobs.ts';
import { WARN_BEFORE_MS } from './sla.ts';

/**
 * Every minute one node (whichever inserts the minute's unique job first) scans for
 * clocks about to run out (a warning, once per ticket) or already run out (breach flags
 * set on the ticket, an event for live inboxes).
 */
export async function scheduleSlaScan(db: Kysely<DB>, clock: Clock): Promise<void> {
  const minute = Math.floor(clock.now().getTime() / 60_000);
  await enqueueJob(db, 'sla.scan', {}, { uniqueKey: `sla.scan:${minute}`, maxAttempts: 2, runAt: clock.now() });
}

export async function scanSla(deps: { db: Kysely<DB>; bus: EventBus; clock: Clock }): Promise<{ warned: number; breached: number }> {
  const { db, bus, clock } = deps;
  const now = clock.now();
  const soon = new Date(now.getTime() + WARN_BEFORE_MS);
  const warned = await db
    .updateTable('tickets')
    .set({ sla_warned_at: now })
    .where('sla_due_at', '>', now)
    .where('sla_due_at', '<=', soon)
    .where('sla_warned_at', 'is', null)
    .where('status', 'in', ['new', 'open', 'on_hold'])
    .returning(['id', 'store_id', 'assignee_id', 'team_id', 'sla_due_at'])
    .execute();
  const breached = await db
    .updateTable('tickets')
    .set({
      first_response_breached: sql<boolean>`first_response_breached OR (first_responded_at IS NULL AND first_response_due_at <= ${now})`,
      next_response_breached: sql<boolean>`next_response_breached OR (next_response_due_at IS NOT NULL AND next_response_due_at <= ${now})`,
      resolution_breached: sql<boolean>`resolution_breached OR (status <> 'pending' AND resolution_due_at <= ${now})`,
    })
    .where('sla_due_at', '<=', now)
    .where('status', 'in', ['new', 'open', 'on_hold'])
    .where((eb) =>
      eb.or([
        eb.and([eb('first_responded_at', 'is', null), eb('first_response_due_at', '<=', now), eb('first_response_breached', '=', false)]),
        eb.and([eb('next_response_due_at', '<=', now), eb('next_response_breached', '=', false)]),
        eb.and([eb('resolution_due_at', '<=', now), eb('resolution_breached', '=', false)]),
      ]),
    )
    .returning(['id', 'store_id', 'assignee_id', 'team_id', 'sla_due_at'])
    .execute();
  for (const t of warned) {
    await bus.publish({ type: 'sla.warning', ticketId: t.id, storeId: t.store_id, assigneeId: t.assignee_id, teamId: t.team_id, dueAt: t.sla_due_at?.toISOString(), at: now.toISOString() }).catch(() => undefined);
  }
  for (const t of breached) {
    await bus.publish({ type: 'sla.breached', ticketId: t.id, storeId: t.store_id, assigneeId: t.assignee_id, teamId: t.team_id, at: now.toISOString() }).catch(() => undefined);
  }
  return { warned: warned.length, breached: breached.length };
}

export function slaJobs(deps: { db: Kysely<DB>; bus: EventBus; clock: Clock }): Record<string, JobHandler> {
  return {
    'sla.scan': async () => {
      await scanSla(deps);
    },
  };
}
