import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../core/clock.ts';
import { MemoryEventBus, type DomainEvent } from '../core/events.ts';
import type { Database } from '../db/index.ts';
import type { AgentLanguage, CertificationLevel, Priority } from '../db/types.ts';
import { createTeam, upsertUser } from '../people/users.ts';
import { JobRunner } from '../core/jobs.ts';
import { createTestDatabase } from '../../test/helpers/db.ts';
import { createTicket, prefetchParts, updateTicket, type AfterIntake, type TriageFn } from './tickets.ts';
import { systemActor } from './visibility.ts';
import {
  assignWaiting,
  checkShifts,
  handBackUrgent,
  isOnShift,
  putRule,
  putShifts,
  routeTicket,
  routingHooks,
  routingPrefetchSql,
  routingTick,
  setPresence,
  waitingQueue,
  type Candidate,
  type RoutingDeps,
} from './routing.ts';

// Monday 23 November 2026, 10:00 in Shanghai (02:00 UTC)
const MONDAY_10_SHANGHAI = '2026-11-23T02:00:00Z';

describe('isOnShift', () => {
  const sh = { timezone: 'Asia/Shanghai' };
  const day = [{ weekday: 0, start: '09:00', end: '18:00' }];
  it('reads shifts as wall-clock times in the agent\'s zone', () => {
    expect(isOnShift(sh, day, null, new Date('2026-11-23T01:00:00Z'))).toBe(true); // 09:00 local
    expect(isOnShift(sh, day, null, new Date('2026-11-23T00:59:00Z'))).toBe(false); // 08:59
    expect(isOnShift(sh, day, null, new Date('2026-11-23T10:00:00Z'))).toBe(false); // 18:00, end excluded
    expect(isOnShift(sh, day, null, new Date('2026-11-24T02:00:00Z'))).toBe(false); // Tuesday
    expect(isOnShift({ timezone: 'Europe/Berlin' }, day, null, new Date(MONDAY_10_SHANGHAI))).toBe(false); // 03:00 in Berlin
  });
  it('runs an overnight shift past midnight, also from Sunday into Monday', () => {
    const night = [{ weekday: 6, start: '22:00', end: '06:00' }];
    expect(isOnShift(sh, night, null, new Date('2026-11-29T15:00:00Z'))).toBe(true); // Sunday 23:00
    expect(isOnShift(sh, night, null, new Date('2026-11-22T21:30:00Z'))).toBe(true); // Monday 05:30
    expect(isOnShift(sh, night, null, new Date('2026-11-22T22:00:00Z'))).toBe(false); // Monday 06:00
    expect(isOnShift(sh, [{ weekday: 0, start: '18:00', end: '24:00' }], null, new Date('2026-11-23T15:59:00Z'))).toBe(true);
  });
  it('lets an explicit presence win over the schedule; no shifts means off shift', () => {
    expect(isOnShift(sh, day, { state: 'off' }, new Date(MONDAY_10_SHANGHAI))).toBe(false);
    expect(isOnShift(sh, [], { state: 'on' }, new Date(MONDAY_10_SHANGHAI))).toBe(true);
    expect(isOnShift(sh, [], { state: 'auto' }, new Date(MONDAY_10_SHANGHAI))).toBe(false);
  });
  it('rejects overlapping or empty shifts', () => {
    expect(() => checkShifts([{ weekday: 0, start: '09:00', end: '13:00' }, { weekday: 0, start: '12:00', end: '18:00' }])).toThrow(/overlap/);
    expect(() => checkShifts([{ weekday: 6, start: '22:00', end: '06:00' }, { weekday: 0, start: '05:00', end: '09:00' }])).toThrow(/overlap/);
    expect(() => checkShifts([{ weekday: 0, start: '09:00', end: '09:00' }])).toThrow(/same time/);
    expect(() => checkShifts([{ weekday: 7, start: '09:00', end: '10:00' }])).toThrow(/weekday/);
    expect(() => checkShifts([{ weekday: 1, start: '9:00', end: '10:00' }])).toThrow(/HH:MM/);
    expect(checkShifts([{ weekday: 1, start: '13:00', end: '18:00' }, { weekday: 1, start: '09:00', end: '13:00' }]).map((s) => s.start)).toEqual(['09:00', '13:00']);
  });
});

// A new ticket is routed on what its creation's statement read for routing (prefetched, as
// the server does) or on routing's own read: every case below runs both ways.
describe.each([['own read'], ['prefetched in the creation']])('routing (%s)', (mode) => {
  let d: Database;
  let clock: ManualClock;
  let deps: RoutingDeps;
  let n = 0;

  // "ANGRY" in the body makes the test triage flag the message as angry
  const triage: TriageFn = (i) => ({
    language: null,
    category: 'other',
    sentiment: i.text.includes('ANGRY') ? 'negative' : 'neutral',
    angry: i.text.includes('ANGRY'),
    priority: 'normal',
    reasons: [],
  });

  beforeEach(async () => {
    d = await createTestDatabase();
    clock = new ManualClock(MONDAY_10_SHANGHAI);
    deps = { db: d.db, bus: new MemoryEventBus(), clock, triage, dbKind: d.kind };
    const hooks = routingHooks(deps);
    if (mode === 'own read') deps.afterIntake = hooks.afterIntake;
    else {
      // as runtime.ts: the creation's facts, with the prefetched read, go to routing
      const afterIntake: AfterIntake = (id, reason, intake) => hooks.afterIntake(id, reason, intake);
      afterIntake.prefetch = (x) => prefetchParts({ routing: routingPrefetchSql(x.storeId) });
      deps.afterIntake = afterIntake;
    }
  });
  afterEach(async () => d.close());

  async function agent(o: { languages?: AgentLanguage[]; skills?: string[]; level?: CertificationLevel; maxLoad?: number; on?: boolean; name?: string } = {}) {
    const { user } = await upsertUser(d.db, {
      email: `agent${++n}@test.example`,
      name: o.name ?? `agent ${n}`,
      role: 'agent',
      timezone: 'Asia/Shanghai',
      languages: o.languages ?? [{ code: 'de', proficiency: 'fluent' }],
      skills: o.skills ?? ['refund', 'damaged_item'],
      certificationLevel: o.level ?? 'L1',
      maxLoad: o.maxLoad ?? 10,
    });
    if (o.on !== false) await setPresence(deps, user.id, 'on', clock.now());
    return user.id;
  }

  const ticket = (o: { language?: string; category?: string; priority?: Priority; angry?: boolean } = {}) =>
    createTicket(
      deps,
      {
        subject: 'Problem',
        body: o.angry ? 'ANGRY I will file a chargeback' : 'Hallo, bitte helfen',
        customer: { email: `c${++n}@example.de`, language: o.language ?? 'de' },
        category: o.category ?? 'refund',
        priority: o.priority ?? 'normal',
      },
      { type: 'customer', id: null },
    );

  async function routed(ticketId: string) {
    const rows = await d.db.selectFrom('ticket_events').selectAll().where('ticket_id', '=', ticketId).where('type', '=', 'routed').orderBy('id').execute();
    return rows.map((r) => r.after as { outcome: string; trigger: string; assigneeId: string | null; candidates?: Candidate[]; rule?: { scope: string }; why?: Array<{ code: string }> });
  }
  const assignee = async (id: string) => (await d.db.selectFrom('tickets').select('assignee_id').where('id', '=', id).executeTakeFirstOrThrow()).assignee_id;
  const candidate = (cs: Candidate[] | undefined, userId: string) => cs?.find((c) => c.userId === userId);

  it('assigns a new ticket to an eligible agent and records the rule and every candidate', async () => {
    const good = await agent();
    const noGerman = await agent({ languages: [{ code: 'fr', proficiency: 'native' }] });
    const weakGerman = await agent({ languages: [{ code: 'de', proficiency: 'basic' }] });
    const offShift = await agent({ on: false });
    const t = await ticket();
    expect(t.assigneeId).toBe(good);

    const [ev] = await routed(t.id);
    expect(ev).toMatchObject({ outcome: 'assigned', trigger: 'created', assigneeId: good, rule: { scope: 'global' } });
    expect(candidate(ev.candidates, good)).toMatchObject({ eligible: true, reasons: ['on_shift', 'language_ok', 'skill_ok', 'capacity_ok'] });
    expect(candidate(ev.candidates, noGerman)).toMatchObject({ eligible: false });
    expect(candidate(ev.candidates, noGerman)?.reasons).toContain('language_missing');
    expect(candidate(ev.candidates, weakGerman)?.reasons).toContain('language_too_weak');
    expect(candidate(ev.candidates, offShift)?.reasons).toContain('off_shift');

    // the assignment itself is in the trail as an ordinary update too, by the system
    const upd = await d.db.selectFrom('ticket_events').selectAll().where('ticket_id', '=', t.id).where('field', '=', 'assignee').executeTakeFirstOrThrow();
    expect(upd).toMatchObject({ actor_type: 'system', after: good });
  });

  it('an assignment joins the agent\'s team, records both changes and announces them once', async () => {
    const team = await createTeam(d.db, 'DACH');
    const good = await agent();
    await upsertUser(d.db, { email: `agent${n}@test.example`, role: 'agent', teamId: team.id });
    const published: DomainEvent[] = [];
    deps.bus.subscribe((e) => published.push(e));
    const t = await ticket();
    expect(t.assigneeId).toBe(good);
    expect(t.teamId).toBe(team.id);
    const trail = await d.db.selectFrom('ticket_events').selectAll().where('ticket_id', '=', t.id).where('type', 'in', ['updated', 'routed']).orderBy('id').execute();
    expect(trail.map((e) => [e.type, e.field, e.before, e.after])).toEqual([
      ['updated', 'team', null, team.id],
      ['updated', 'assignee', null, good],
      ['routed', null, null, expect.objectContaining({ outcome: 'assigned', assigneeId: good })],
    ]);
    expect(trail.every((e) => e.actor_type === 'system' && e.actor_id === null)).toBe(true);
    const p = await d.db.selectFrom('agent_presence').select('last_assigned_at').where('user_id', '=', good).executeTakeFirstOrThrow();
    expect(p.last_assigned_at).toEqual(clock.now());
    const updates = published.filter((e) => e.type === 'ticket.updated' && e.ticketId === t.id);
    expect(updates).toHaveLength(1);
    expect(updates[0]).toMatchObject({ assigneeId: good, teamId: team.id, changes: ['team', 'assignee'] });
  });

  it('requires the category skill, falling back to any language match only when allowed', async () => {
    const skilled = await agent({ skills: ['damaged_item'], maxLoad: 1 });
    const unskilled = await agent({ skills: [] });
    const first = await ticket({ category: 'damaged_item' });
    expect(first.assigneeId).toBe(skilled);
    expect(candidate((await routed(first.id))[0].candidates, unskilled)?.reasons).toContain('skill_missing');

    // the skilled agent is full: the fallback gives the next one to the German speaker without the skill
    const second = await ticket({ category: 'damaged_item' });
    expect(second.assigneeId).toBe(unskilled);
    const ev = (await routed(second.id))[0];
    expect(ev).toMatchObject({ skillFallback: true });
    expect(candidate(ev.candidates, unskilled)?.reasons).toContain('skill_fallback');
    expect(candidate(ev.candidates, skilled)?.reasons).toContain('at_capacity');

    await putRule(d.db, { storeId: null, settings: { skillFallback: false } }, systemActor, clock.now());
    const third = await ticket({ category: 'damaged_item' });
    expect(third.assigneeId).toBeNull();
    expect((await routed(third.id))[0]).toMatchObject({ outcome: 'queued' });
  });

  it('respects max load and picks the least loaded agent', async () => {
    const a = await agent({ maxLoad: 2 });
    const b = await agent({ maxLoad: 2 });
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push((await ticket()).assigneeId);
    expect(ids.slice(0, 4).sort()).toEqual([a, a, b, b].sort());
    expect(ids[0]).not.toBe(ids[1]);
    expect(ids[4]).toBeNull(); // both at 2 of 2
  });

  it('round-robins among equally loaded agents', async () => {
    const a = await agent();
    const b = await agent();
    const c = await agent();
    const order: Array<string | null> = [];
    for (let i = 0; i < 6; i++) {
      clock.advance(1000);
      const t = await ticket();
      order.push(t.assigneeId);
      // solved at once: every agent is back at load 0, so only round-robin decides
      await updateTicket(deps, t.id, { status: 'solved' }, systemActor);
    }
    expect(new Set(order.slice(0, 3))).toEqual(new Set([a, b, c]));
    expect(order.slice(3)).toEqual(order.slice(0, 3));
  });

  it('gives urgent and angry tickets only to L2 or above (configurable)', async () => {
    const junior = await agent({ level: 'L1' });
    const senior = await agent({ level: 'L2', maxLoad: 2 });
    const urgent = await ticket({ priority: 'urgent' });
    expect(urgent.assigneeId).toBe(senior);
    const ev = (await routed(urgent.id))[0];
    expect(ev).toMatchObject({ highRisk: true });
    expect(candidate(ev.candidates, junior)?.reasons).toContain('level_too_low');
    expect(candidate(ev.candidates, senior)?.reasons).toContain('level_ok');

    const angry = await ticket({ angry: true });
    expect(angry.angry).toBe(true);
    expect(angry.assigneeId).toBe(senior);

    // the senior is full: the next urgent one waits rather than go to the junior
    const third = await ticket({ priority: 'urgent' });
    expect(third.assigneeId).toBeNull();
    const normal = await ticket();
    expect(normal.assigneeId).toBe(junior);

    await putRule(d.db, { storeId: null, settings: { highRiskMinLevel: 'L3' } }, systemActor, clock.now());
    const stricter = await ticket({ angry: true });
    expect(stricter.assigneeId).toBeNull();
    await putRule(d.db, { storeId: null, settings: { highRiskMinLevel: 'L1' } }, systemActor, clock.now());
    expect((await assignWaiting(deps, clock.now())).assigned).toBe(2);
    expect(await assignee(third.id)).toBe(junior);
  });

  it('queues a ticket nobody fits and assigns it when an agent comes on shift', async () => {
    const later = await agent({ on: false });
    const t = await ticket();
    expect(t.assigneeId).toBeNull();
    const [queued] = await routed(t.id);
    expect(queued).toMatchObject({ outcome: 'queued', assigneeId: null });
    expect(queued.why).toEqual([{ code: 'off_shift', count: 1 }]);

    const q = await waitingQueue(d.db, clock.now());
    expect(q.total).toBe(1);
    expect(q.items[0]).toMatchObject({ ticketId: t.id, why: [{ code: 'off_shift', count: 1 }] });

    // nothing changes while nobody fits: no event per minute
    await assignWaiting(deps, clock.now());
    expect(await routed(t.id)).toHaveLength(1);

    const r = await setPresence(deps, later, 'on', clock.now());
    expect(r).toMatchObject({ onShift: true, assigned: 1 });
    expect(await assignee(t.id)).toBe(later);
    const evs = await routed(t.id);
    expect(evs[1]).toMatchObject({ outcome: 'assigned', trigger: 'waiting', assigneeId: later });
    expect(candidate(evs[1].candidates, later)?.eligible).toBe(true);
  });

  it('notices scheduled shift starts and ends in the minute tick', async () => {
    // a Shanghai agent working Monday 11:00-12:00
    const id = await agent({ on: false, level: 'L3' });
    await putShifts(deps, id, [{ weekday: 0, start: '11:00', end: '12:00' }], clock.now());
    const urgent = await ticket({ priority: 'urgent' });
    const normal = await ticket();
    expect(urgent.assigneeId).toBeNull();

    clock.set('2026-11-23T03:00:00Z'); // 11:00 local
    expect(await routingTick(deps, clock.now())).toMatchObject({ cameOn: 1, assigned: 2 });
    expect(await assignee(urgent.id)).toBe(id);
    // urgent first, then oldest
    expect((await routed(urgent.id)).at(-1)).toMatchObject({ trigger: 'waiting' });

    clock.set('2026-11-23T04:00:00Z'); // 12:00 local: off shift
    expect(await routingTick(deps, clock.now())).toMatchObject({ wentOff: 1 });
    expect(await assignee(urgent.id)).toBeNull();
    expect(await assignee(normal.id)).toBe(id);
    expect((await routed(urgent.id)).map((e) => e.outcome)).toEqual(['queued', 'assigned', 'handed_back', 'queued']);
  });

  it('hands open urgent tickets back when the agent goes off shift, and routes them again', async () => {
    const leaving = await agent({ level: 'L3' });
    const urgent = await ticket({ priority: 'urgent' });
    const normal = await ticket();
    expect(urgent.assigneeId).toBe(leaving);
    expect(normal.assigneeId).toBe(leaving);
    const staying = await agent({ level: 'L2' });

    const r = await setPresence(deps, leaving, 'off', clock.now());
    expect(r).toMatchObject({ onShift: false, handedBack: 1 });
    expect(await assignee(urgent.id)).toBe(staying);
    expect(await assignee(normal.id)).toBe(leaving); // not urgent: stays
    const evs = await routed(urgent.id);
    expect(evs.map((e) => [e.trigger, e.outcome])).toEqual([
      ['created', 'assigned'],
      ['handback', 'handed_back'],
      ['handback', 'assigned'],
    ]);
    expect(candidate(evs[2].candidates, leaving)?.reasons).toEqual(expect.arrayContaining(['excluded', 'off_shift']));

    // `staying` leaves too: the urgent ticket comes back to `leaving` (on shift again)…
    await setPresence(deps, leaving, 'on', clock.now());
    await setPresence(deps, staying, 'off', clock.now());
    expect(await assignee(urgent.id)).toBe(leaving);
    // …and with nobody else on shift, handing back leaves it waiting in the queue
    expect(await handBackUrgent(deps, leaving, clock.now())).toEqual({ handedBack: 1, reassigned: 0 });
    expect(await assignee(urgent.id)).toBeNull();
    expect((await routed(urgent.id)).at(-1)).toMatchObject({ trigger: 'handback', outcome: 'queued' });
  });

  it('hands out waiting tickets urgent first, then oldest first', async () => {
    const only = await agent({ on: false, level: 'L2', maxLoad: 2 });
    const old = await ticket();
    clock.advance(60_000);
    const urgent = await ticket({ priority: 'urgent' });
    clock.advance(60_000);
    const newer = await ticket();
    await setPresence(deps, only, 'on', clock.now());
    expect(await assignee(urgent.id)).toBe(only);
    expect(await assignee(old.id)).toBe(only);
    expect(await assignee(newer.id)).toBeNull();
    expect((await waitingQueue(d.db, clock.now())).items[0]).toMatchObject({ ticketId: newer.id, why: [{ code: 'at_capacity', count: 1 }] });
  });

  it('uses a store\'s own rule over the global one, and skips routing when it is off', async () => {
    const a = await agent();
    const store = await d.db.selectFrom('stores').select('id').where('is_default', '=', true).executeTakeFirstOrThrow();
    await putRule(d.db, { storeId: store.id, settings: { enabled: false } }, systemActor, clock.now());
    const t = await ticket();
    expect(t.assigneeId).toBeNull();
    expect(await routed(t.id)).toHaveLength(0);
    expect((await waitingQueue(d.db, clock.now())).items[0].why).toEqual([{ code: 'routing_disabled', count: 0 }]);
    await putRule(d.db, { storeId: store.id, settings: { enabled: true, requireLanguage: false } }, systemActor, clock.now());
    const fr = await ticket({ language: 'fr' });
    expect(fr.assigneeId).toBe(a);
    expect((await routed(fr.id))[0].rule?.scope).toBe(store.id);
  });

  it('leaves an assigned or solved ticket alone', async () => {
    const a = await agent();
    const t = await ticket();
    expect(t.assigneeId).toBe(a);
    expect(await routeTicket(deps, t.id, clock.now(), 'reopened')).toMatchObject({ outcome: 'skipped', reason: 'already_assigned' });
    await updateTicket(deps, t.id, { status: 'solved' }, systemActor);
    expect(await routeTicket(deps, t.id, clock.now())).toMatchObject({ outcome: 'skipped', reason: 'status_solved' });
  });

  it('never exceeds max load when tickets arrive at the same moment', async () => {
    const a = await agent({ maxLoad: 2 });
    const b = await agent({ maxLoad: 1 });
    const made = await Promise.all(Array.from({ length: 6 }, () => ticket()));
    const count = (id: string) => made.filter((t) => t.assigneeId === id).length;
    expect([count(a), count(b)]).toEqual([2, 1]);
    expect(made.filter((t) => t.assigneeId === null)).toHaveLength(3);
  });

  it('hands out a waiting ticket when an agent frees capacity (event, job) and on the minute job', async () => {
    const hooks = routingHooks(deps);
    const stop = hooks.watch();
    const runner = new JobRunner({ db: d.db, clock, handlers: hooks.jobs });
    try {
      const a = await agent({ maxLoad: 1 });
      const first = await ticket();
      const second = await ticket();
      expect([first.assigneeId, second.assigneeId]).toEqual([a, null]);
      await updateTicket(deps, first.id, { status: 'solved' }, systemActor);
      await vi.waitFor(async () => expect(await d.db.selectFrom('jobs').select('id').where('type', '=', 'routing.assign_waiting').execute()).toHaveLength(1));
      await runner.tick();
      expect(await assignee(second.id)).toBe(a);

      const third = await ticket();
      await d.db.updateTable('tickets').set({ status: 'solved' }).where('id', '=', second.id).execute(); // no event
      clock.advance(60_000);
      await hooks.schedule(d.db, clock);
      await hooks.schedule(d.db, clock); // once per minute, however many nodes ask
      expect(await d.db.selectFrom('jobs').select('id').where('type', '=', 'routing.tick').where('status', '=', 'queued').execute()).toHaveLength(1);
      await runner.tick();
      expect(await assignee(third.id)).toBe(a);
    } finally {
      stop();
      await runner.stop();
    }
  });

  it('every assignment carries a routed event with its candidates', async () => {
    await agent();
    await agent({ level: 'L3' });
    const tickets = [await ticket(), await ticket({ priority: 'urgent' }), await ticket({ angry: true }), await ticket({ language: 'de', category: 'other' })];
    const assigned = await d.db.selectFrom('ticket_events').select(['ticket_id', 'after']).where('field', '=', 'assignee').where('ticket_id', 'in', tickets.map((t) => t.id)).execute();
    expect(assigned.length).toBe(4);
    for (const e of assigned) {
      const evs = await routed(e.ticket_id);
      const match = evs.find((x) => x.outcome === 'assigned' && x.assigneeId === e.after);
      expect(match?.candidates?.length).toBe(2);
    }
  });
});
