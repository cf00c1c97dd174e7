import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../core/clock.ts';
import { MemoryEventBus } from '../core/events.ts';
import { openDatabase, type Database } from '../db/index.ts';
import { upsertUser } from '../people/users.ts';
import { createTestDatabase, usingPostgres } from '../../test/helpers/db.ts';
import { createTicket, type TriageFn } from './tickets.ts';
import { routeTicket, routingHooks, setPresence, withRoutingLock, type RoutingDeps } from './routing.ts';

/**
 * Ticket intake does not queue behind the routing lock when nobody fits the ticket (the
 * decision gives nobody anything); a ticket somebody fits is decided under the lock, after
 * whatever holds it.
 */
describe('routing decisions and the routing lock', () => {
  let d: Database;
  let deps: RoutingDeps;
  const clock = new ManualClock('2026-11-23T02:00:00Z');
  const triage: TriageFn = () => ({ language: null, category: 'other', sentiment: 'neutral', angry: false, priority: 'normal', reasons: [] });
  beforeEach(async () => {
    d = await createTestDatabase();
    deps = { db: d.db, bus: new MemoryEventBus(), clock, triage, dbKind: d.kind };
  });
  afterEach(async () => d.close());

  const ticket = (n: number) =>
    createTicket(deps, { subject: 'Hallo', body: 'Hallo, bitte helfen', customer: { email: `c${n}@example.de`, language: 'de' }, category: 'refund' }, { type: 'customer', id: null });
  /** `p`, or 'waiting' if it has not settled within `ms` (it waits for the lock). */
  const within = <T>(p: Promise<T>, ms: number) => Promise.race([p, new Promise<'waiting'>((r) => setTimeout(() => r('waiting'), ms))]);

  it('queues a ticket nobody fits while the lock is held; assigns one somebody fits only after it is released', async () => {
    const t1 = await ticket(1);
    const t2 = await ticket(2);
    const later: { pending?: Promise<unknown> } = {};
    await withRoutingLock(deps, async () => {
      // nobody is on shift: decided and recorded without the lock
      const r = await within(routeTicket(deps, t1.id, clock.now(), 'created'), 10_000);
      expect(r).toMatchObject({ outcome: 'queued', reason: 'no_eligible_agent' });
      // an agent who fits comes on shift (written directly: setPresence would hand out the queue under the lock)
      const { user } = await upsertUser(d.db, { email: 'a@test.example', name: 'A', role: 'agent', timezone: 'Asia/Shanghai', languages: [{ code: 'de', proficiency: 'fluent' }], skills: ['refund'] });
      await d.db.insertInto('agent_presence').values({ user_id: user.id, state: 'on' }).execute();
      later.pending = routeTicket(deps, t2.id, clock.now(), 'created');
      expect(await within(later.pending, 300)).toBe('waiting');
    });
    expect(await later.pending).toMatchObject({ outcome: 'assigned' });
    const events = await d.db.selectFrom('ticket_events').select(['ticket_id', 'after']).where('type', '=', 'routed').execute();
    expect(events.find((e) => e.ticket_id === t1.id)?.after).toMatchObject({ outcome: 'queued', trigger: 'created', why: [{ code: 'no_agents', count: 0 }] });
    expect(events.find((e) => e.ticket_id === t2.id)?.after).toMatchObject({ outcome: 'assigned', trigger: 'created' });
  });

  it('intake routes a ticket through the same decision (assignment when someone fits, with the presence noted)', async () => {
    deps.afterIntake = routingHooks(deps).afterIntake;
    const { user } = await upsertUser(d.db, { email: 'b@test.example', name: 'B', role: 'agent', timezone: 'Asia/Shanghai', languages: [{ code: 'de', proficiency: 'fluent' }], skills: ['refund'] });
    await setPresence(deps, user.id, 'on', clock.now());
    const t = await ticket(3);
    expect(t.assigneeId).toBe(user.id);
    const p = await d.db.selectFrom('agent_presence').select(['last_assigned_at']).where('user_id', '=', user.id).executeTakeFirstOrThrow();
    expect(p.last_assigned_at).toEqual(clock.now());
  });
});

/**
 * The advisory lock is shared by the app nodes of one schema, not by apps in other schemas
 * of the same database (tests run side by side in schemas of one database).
 */
describe.skipIf(!usingPostgres())('the routing lock on a PostgreSQL server', () => {
  const opened: Database[] = [];
  afterEach(async () => {
    for (const x of opened.splice(0)) await x.close();
  });
  const depsOf = (x: Database): RoutingDeps => ({
    db: x.db,
    bus: new MemoryEventBus(),
    clock: new ManualClock('2026-11-23T02:00:00Z'),
    triage: () => ({ language: null, category: 'other', sentiment: 'neutral', angry: false, priority: 'normal', reasons: [] }),
    dbKind: x.kind,
  });
  const within = <T>(p: Promise<T>, ms: number) => Promise.race([p, new Promise<'waiting'>((r) => setTimeout(() => r('waiting'), ms))]);

  it('holds off another node of the same schema but not an app in another schema', async () => {
    const a = await createTestDatabase();
    opened.push(a);
    const b = await createTestDatabase();
    opened.push(b);
    expect(b.schema).not.toBe(a.schema);
    // a second app node on a's schema: its own pool, so only the advisory lock stands between them
    const a2 = await openDatabase({ databaseUrl: process.env.DATABASE_URL, schema: a.schema, poolSize: 2 });
    opened.push(a2);
    const later: { sameSchema?: Promise<string> } = {};
    await withRoutingLock(depsOf(a), async () => {
      expect(await within(withRoutingLock(depsOf(b), async () => 'other schema'), 10_000)).toBe('other schema');
      later.sameSchema = withRoutingLock(depsOf(a2), async () => 'same schema');
      expect(await within(later.sameSchema, 500)).toBe('waiting');
    });
    expect(await later.sameSchema).toBe('same schema');
  });
});
