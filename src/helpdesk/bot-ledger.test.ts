import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../core/clock.ts';
import { MemoryEventBus, type DomainEvent } from '../core/events.ts';
import type { Database } from '../db/index.ts';
import { syncKnowledge } from '../knowledge/sync.ts';
import { createTestDatabase } from '../../test/helpers/db.ts';
import { stampedBus } from '../server/runtime.ts';
import { BOT_JOB, BotLedger, botAfterIntake, watchForBot } from './bot.ts';
import { createStore } from './stores.ts';
import { createTicket, type TicketDeps } from './tickets.ts';
import { triageForTickets } from './triage-adapter.ts';
import { systemActor } from './visibility.ts';

/**
 * The bot's note of what it already looked at (BotLedger) spares the `bot.consider` jobs
 * that could only find the message decided, and each node follows up only its own events;
 * tickets of channels without the intake hook still get their job.
 */

describe('BotLedger', () => {
  it('remembers intakes and counts off the status changes the bot announced', () => {
    const l = new BotLedger();
    expect(l.tookIntake('t1')).toBe(false);
    l.intake('t1');
    expect(l.tookIntake('t1')).toBe(true);
    expect(l.takeOwnStatusChange('t1')).toBe(false);
    l.ownStatusChanges('t1', 2);
    expect(l.takeOwnStatusChange('t1')).toBe(true);
    expect(l.takeOwnStatusChange('t1')).toBe(true);
    expect(l.takeOwnStatusChange('t1')).toBe(false);
  });

  it('forgets entries after its time to live', () => {
    vi.useFakeTimers({ now: new Date('2026-11-24T10:00:00Z') });
    try {
      const l = new BotLedger({ ttlMs: 1000 });
      l.intake('old');
      l.ownStatusChanges('old', 1);
      vi.advanceTimersByTime(1500);
      expect(l.takeOwnStatusChange('old')).toBe(false);
      l.intake('new'); // prunes what is older than the time to live
      expect(l.tookIntake('old')).toBe(false);
      expect(l.tookIntake('new')).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('watchForBot with the ledger', () => {
  let d: Database;
  let storeId: string;
  const clock = new ManualClock('2026-11-24T09:00:00Z');
  beforeEach(async () => {
    d = await createTestDatabase();
    storeId = (await createStore(d.db, { name: 'Lumen Home', market: 'DE', timezone: 'Europe/Berlin' })).id;
  });
  afterEach(async () => d.close());

  const botJobsOf = async (ticketId: string) =>
    (await d.db.selectFrom('jobs').select(['payload']).where('type', '=', BOT_JOB).execute()).filter((j) => (j.payload as { ticketId?: string }).ticketId === ticketId).length;

  it('queues no job for a ticket whose intake ran the bot, nor for the status changes of its answer; e-mail tickets still get one', async () => {
    await syncKnowledge(d.db);
    const bus = new MemoryEventBus();
    const ledger = new BotLedger();
    const unwatch = watchForBot(d.db, clock, bus, undefined, { ledger });
    try {
      const deps: TicketDeps = { db: d.db, bus, clock, triage: triageForTickets };
      const errors: unknown[] = [];
      deps.afterIntake = botAfterIntake({ db: d.db, bus, clock, ledger }, (e) => errors.push(e));
      // answered from the FAQ: the bot's reply opens the ticket, its answer solves it
      const api = await createTicket(deps, { subject: 'Thermobecher', body: 'Guten Tag, ist der Thermobecher spülmaschinenfest?', customer: { email: 'anna@example.de', name: 'Anna Schmidt', country: 'DE' }, storeId }, systemActor);
      expect(errors).toEqual([]);
      expect(api.status).toBe('solved');
      // a ticket of a channel without the intake hook, created after it: its job comes after the first one's would
      const plain: TicketDeps = { db: d.db, bus, clock, triage: triageForTickets };
      const mail = await createTicket(plain, { subject: 'Frage', body: 'Guten Tag, ist der Thermobecher spülmaschinenfest?', customer: { email: 'ben@example.de', name: 'Ben', country: 'DE' }, storeId, channel: 'email' }, systemActor);
      await vi.waitFor(async () => expect(await botJobsOf(mail.id)).toBe(1), { timeout: 5000 });
      expect(await botJobsOf(api.id)).toBe(0);
    } finally {
      unwatch();
    }
  });

  it('a status change nobody announced still queues the job', async () => {
    const bus = new MemoryEventBus();
    const ledger = new BotLedger();
    const unwatch = watchForBot(d.db, clock, bus, undefined, { ledger });
    try {
      const id = '01930000-0000-7000-8000-000000000001';
      ledger.ownStatusChanges(id, 1);
      const e = (at: string): DomainEvent => ({ type: 'ticket.updated', ticketId: id, changes: ['status'], at });
      await bus.publish(e('2026-11-24T09:00:01.000Z')); // the bot's own: skipped
      await bus.publish(e('2026-11-24T09:00:02.000Z')); // someone else's
      await vi.waitFor(async () => expect(await botJobsOf(id)).toBe(1), { timeout: 5000 });
      const keys = (await d.db.selectFrom('jobs').select('unique_key').where('type', '=', BOT_JOB).execute()).map((j) => j.unique_key);
      expect(keys).toEqual([`${BOT_JOB}:${id}:ticket.updated:2026-11-24T09:00:02.000Z`]);
    } finally {
      unwatch();
    }
  });

  it("each node follows up its own events only (stamped by its bus); unstamped events by every node", async () => {
    const shared = new MemoryEventBus();
    const a = stampedBus(shared, 'node-a');
    const b = stampedBus(shared, 'node-b');
    const seen: DomainEvent[] = [];
    shared.subscribe((e) => seen.push(e));
    const unwatchB = watchForBot(d.db, clock, b, undefined, { node: 'node-b' });
    try {
      const fromA = '01930000-0000-7000-8000-00000000000a';
      const fromB = '01930000-0000-7000-8000-00000000000b';
      const unstamped = '01930000-0000-7000-8000-00000000000c';
      await a.publish({ type: 'ticket.created', ticketId: fromA, at: '2026-11-24T09:00:00.000Z' });
      await b.publish({ type: 'ticket.created', ticketId: fromB, at: '2026-11-24T09:00:00.000Z' });
      await shared.publish({ type: 'ticket.created', ticketId: unstamped, at: '2026-11-24T09:00:00.000Z' });
      expect(seen.map((e) => e.node)).toEqual(['node-a', 'node-b', undefined]);
      await vi.waitFor(async () => expect([await botJobsOf(fromB), await botJobsOf(unstamped)]).toEqual([1, 1]), { timeout: 5000 });
      expect(await botJobsOf(fromA)).toBe(0);
      expect(a.kind).toBe('memory');
    } finally {
      unwatchB();
    }
  });
});
