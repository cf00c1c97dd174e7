import { DateTime } from 'luxon';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../test/helpers/db.ts';
import type { Database } from '../db/index.ts';
import type { Priority, Store } from '../db/types.ts';
import { ManualClock } from '../core/clock.ts';
import { MemoryEventBus, type DomainEvent } from '../core/events.ts';
import { upsertUser } from '../people/users.ts';
import { createStore } from './stores.ts';
import { addAgentMessage, addCustomerMessage, createTicket, forgetStores, getTicket, updateTicket, type TicketDeps } from './tickets.ts';
import { editMarket, openMarketService, revertMarket } from '../markets/overrides.ts';
import { scanSla, scheduleSlaScan } from './sla-jobs.ts';
import type { Actor } from './visibility.ts';

/**
 * SLA clocks in a German store's calendar: Europe/Berlin, Monday–Friday 09:00–18:00,
 * German public holidays. Default targets (business minutes): urgent 120/240/1440,
 * normal 480/960/4320.
 */

const berlin = (local: string) => DateTime.fromISO(local, { zone: 'Europe/Berlin' }).toJSDate();
const iso = (local: string) => berlin(local).toISOString();

describe('SLA clocks in business hours', () => {
  let d: Database;
  let store: Store;
  let clock: ManualClock;
  let bus: MemoryEventBus;
  let deps: TicketDeps;
  let agent: Actor;
  let n = 0;

  beforeEach(async () => {
    d = await createTestDatabase();
    clock = new ManualClock(berlin('2026-11-23T09:00'));
    bus = new MemoryEventBus();
    deps = { db: d.db, bus, clock };
    store = await createStore(d.db, { name: 'Nordlicht DE', market: 'DE', timezone: 'Europe/Berlin', holidayCountry: 'DE' });
    const { user } = await upsertUser(d.db, { email: 'agent@example.de', role: 'agent', name: 'Agent' });
    agent = { type: 'user', id: user.id, role: 'agent', teamId: null, name: user.name };
  });
  afterEach(async () => {
    await bus.close();
    await d.close();
  });

  async function ticketAt(local: string, priority: Priority) {
    clock.set(berlin(local));
    return createTicket(deps, { subject: `Ticket ${++n}`, body: 'Hallo, wo ist meine Bestellung?', customer: { email: `kunde${n}@example.de` }, storeId: store.id, priority }, agent);
  }
  const row = (id: string) => d.db.selectFrom('tickets').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const at = (local: string) => clock.set(berlin(local));

  it('the store calendar is the one under test (Berlin hours, DE holidays)', () => {
    expect(store.timezone).toBe('Europe/Berlin');
    expect(store.holiday_country).toBe('DE');
    expect(store.business_hours['0']).toEqual([['09:00', '18:00']]);
    expect(store.business_hours['5']).toEqual([]);
  });

  it('urgent ticket created Friday 17:30 gets its first response due Monday 10:30', async () => {
    const t = await ticketAt('2026-11-27T17:30', 'urgent');
    expect(t.sla.firstResponseDueAt).toBe(iso('2026-11-30T10:30'));
    // resolution: 1440 business minutes = 30 min Friday + 1410 → Mon 9h, Tue 9h, Wed 5.5h
    expect(t.sla.resolutionDueAt).toBe(iso('2026-12-02T14:30'));
    expect(t.sla.dueAt).toBe(t.sla.firstResponseDueAt);
  });

  it('a ticket created outside hours starts counting at the next opening', async () => {
    const t = await ticketAt('2026-11-28T11:00', 'urgent'); // Saturday
    expect(t.sla.firstResponseDueAt).toBe(iso('2026-11-30T11:00'));
    const night = await ticketAt('2026-11-30T22:15', 'urgent'); // Monday night
    expect(night.sla.firstResponseDueAt).toBe(iso('2026-12-01T11:00'));
  });

  it('a ticket created on a public holiday counts from the next business day', async () => {
    // Christi Himmelfahrt, Thursday 6 May 2027
    const ascension = await ticketAt('2027-05-06T11:00', 'urgent');
    expect(ascension.sla.firstResponseDueAt).toBe(iso('2027-05-07T11:00'));
    // Christmas Day is a Friday in 2026: the next business day is Monday the 28th
    const christmas = await ticketAt('2026-12-25T10:00', 'urgent');
    expect(christmas.sla.firstResponseDueAt).toBe(iso('2026-12-28T11:00'));
    // the holiday also interrupts a running clock: Thursday 17:00 + 2 h → Monday 10:00
    const eve = await ticketAt('2026-12-24T17:00', 'urgent');
    expect(eve.sla.firstResponseDueAt).toBe(iso('2026-12-28T10:00'));
  });

  it('a market\'s extra holidays close its stores, merged with the store\'s own, and an edit reaches every node', async () => {
    // two app nodes on one database, hearing each other on the bus
    const nodeA = await openMarketService({ db: d.db, bus });
    const nodeB = await openMarketService({ db: d.db, bus });
    const trainer = { id: null, name: 'Trainer' };
    const firstDue = async (node: typeof nodeA) => (await node.run(() => ticketAt('2026-11-23T17:30', 'urgent'))).sla.firstResponseDueAt; // Monday 17:30 + 2 h
    try {
      expect(await firstDue(nodeB)).toBe(iso('2026-11-24T10:30'));
      // a trainer closes Tuesday 24 November for the German market on node A
      const change = await editMarket(
        { db: d.db, clock, markets: nodeA },
        'DE',
        { version: 0, fields: { extraHolidays: [{ date: '2026-11-24', name: { en: 'Team day', zh: '团队日' }, source: 'Team' }] } },
        trainer,
      );
      expect(change.changed).toEqual(['extraHolidays']);
      await nodeB.settled();
      expect(await firstDue(nodeA)).toBe(iso('2026-11-25T10:30'));
      expect(await firstDue(nodeB)).toBe(iso('2026-11-25T10:30'));
      // the store's own closing day (Wednesday) counts as well
      await d.db.updateTable('stores').set({ extra_holidays: JSON.stringify(['2026-11-25']) }).where('id', '=', store.id).execute();
      forgetStores(d.db);
      expect(await firstDue(nodeB)).toBe(iso('2026-11-26T10:30'));
      // a store of another market is not touched by the German edit
      const fr = await createStore(d.db, { name: 'Lumière FR', market: 'FR', timezone: 'Europe/Berlin', holidayCountry: 'FR' });
      clock.set(berlin('2026-11-23T17:30'));
      const frTicket = await nodeA.run(() => createTicket(deps, { subject: 'Commande', body: 'Bonjour, où est ma commande ?', customer: { email: 'client@example.fr' }, storeId: fr.id, priority: 'urgent' }, agent));
      expect(frTicket.sla.firstResponseDueAt).toBe(iso('2026-11-24T10:30'));
      // back to the file on node B: Tuesday is open again on both nodes, Wednesday stays closed
      await revertMarket({ db: d.db, clock, markets: nodeB }, 'DE', {}, trainer);
      await nodeA.settled();
      expect(await firstDue(nodeA)).toBe(iso('2026-11-24T10:30'));
      expect(await firstDue(nodeB)).toBe(iso('2026-11-24T10:30'));
    } finally {
      nodeA.close();
      nodeB.close();
    }
  });

  it('pending pauses the resolution clock; resuming restores the remaining business minutes', async () => {
    const t = await ticketAt('2026-11-30T09:00', 'urgent'); // Monday
    expect(t.sla.resolutionDueAt).toBe(iso('2026-12-02T15:00'));
    at('2026-11-30T10:00');
    await addAgentMessage(deps, t.id, { body: 'Können Sie uns ein Foto schicken?' }, agent);
    at('2026-11-30T12:00');
    const pending = await updateTicket(deps, t.id, { status: 'pending' }, agent);
    expect(pending.sla).toMatchObject({ paused: true });
    expect((await row(t.id)).resolution_remaining_minutes).toBe(1440 - 180);

    // the original due time passes while waiting on the customer: no breach
    at('2026-12-03T10:00');
    const scan = await scanSla(deps);
    expect(scan.breached).toBe(0);
    const waiting = await getTicket(deps, t.id, agent);
    expect(waiting.sla.breaches).not.toContain('resolution');
    expect(waiting.sla.paused).toBe(true);

    // the customer answers Thursday 10:00: 1260 minutes remain → Thu 480 + Fri 540 + Mon 240
    await addCustomerMessage(deps, t.id, { body: 'Hier ist das Foto.' });
    const resumed = await row(t.id);
    expect(resumed.status).toBe('open');
    expect(resumed.resolution_remaining_minutes).toBeNull();
    expect(resumed.resolution_due_at?.toISOString()).toBe(iso('2026-12-07T13:00'));

    // pausing again and resuming through the API path (agent sets open) works the same
    at('2026-12-07T12:00'); // 60 minutes left
    await updateTicket(deps, t.id, { status: 'pending' }, agent);
    expect((await row(t.id)).resolution_remaining_minutes).toBe(60);
    at('2026-12-08T17:30');
    const reopened = await updateTicket(deps, t.id, { status: 'open' }, agent);
    expect(reopened.sla.resolutionDueAt).toBe(iso('2026-12-09T09:30'));
    expect(reopened.sla.paused).toBe(false);
  });

  it('the first agent reply after the due time sets first_response_breached', async () => {
    const late = await ticketAt('2026-11-27T17:30', 'urgent');
    const onTime = await ticketAt('2026-11-27T17:30', 'urgent');
    at('2026-11-30T10:29');
    await addAgentMessage(deps, onTime.id, { body: 'Wir kümmern uns darum.' }, agent);
    // an internal note is not a response
    at('2026-11-30T10:20');
    await addAgentMessage(deps, late.id, { body: 'check stock', internal: true }, agent);
    expect((await row(late.id)).first_responded_at).toBeNull();
    at('2026-11-30T10:31');
    await addAgentMessage(deps, late.id, { body: 'Entschuldigung für die Wartezeit.' }, agent);

    const l = await row(late.id);
    expect(l.first_responded_at?.toISOString()).toBe(iso('2026-11-30T10:31'));
    expect(l.first_response_breached).toBe(true);
    expect((await getTicket(deps, late.id, agent)).sla.breaches).toContain('first_response');
    const o = await row(onTime.id);
    expect(o.first_response_breached).toBe(false);
    expect((await getTicket(deps, onTime.id, agent)).sla.breached).toBe(false);
  });

  it('a priority change recomputes the due times from creation', async () => {
    const t = await ticketAt('2026-11-30T09:00', 'normal');
    expect(t.sla.firstResponseDueAt).toBe(iso('2026-11-30T17:00')); // 480 minutes
    at('2026-11-30T09:30');
    const urgent = await updateTicket(deps, t.id, { priority: 'urgent' }, agent);
    expect(urgent.sla.firstResponseDueAt).toBe(iso('2026-11-30T11:00'));
    expect(urgent.sla.resolutionDueAt).toBe(iso('2026-12-02T15:00'));
    expect(urgent.sla.dueAt).toBe(iso('2026-11-30T11:00'));
    const low = await updateTicket(deps, t.id, { priority: 'low' }, agent);
    expect(low.sla.firstResponseDueAt).toBe(iso('2026-12-02T15:00')); // 1440 minutes
    // once answered, the first-response clock is history and stays as it was
    at('2026-11-30T10:00');
    await addAgentMessage(deps, t.id, { body: 'Danke, wir prüfen das.' }, agent);
    const answered = await row(t.id);
    const high = await updateTicket(deps, t.id, { priority: 'high' }, agent);
    expect((await row(t.id)).first_response_due_at).toEqual(answered.first_response_due_at);
    // high: 2880 minutes from Monday 09:00 → five full days + 180 → Monday 7 Dec 12:00
    expect(high.sla.resolutionDueAt).toBe(iso('2026-12-07T12:00'));
  });

  it('a priority change keeps the credit of time spent pending', async () => {
    const t = await ticketAt('2026-11-30T09:00', 'normal'); // resolution 4320 min → Wed 9 Dec 18:00
    expect(t.sla.resolutionDueAt).toBe(iso('2026-12-09T18:00'));
    at('2026-11-30T10:00');
    await addAgentMessage(deps, t.id, { body: 'Bitte senden Sie ein Foto.' }, agent);
    at('2026-11-30T12:00');
    await updateTicket(deps, t.id, { status: 'pending' }, agent);
    // while pending, a priority change moves what remains by the difference of the targets
    at('2026-12-01T10:00');
    await updateTicket(deps, t.id, { priority: 'urgent' }, agent);
    expect((await row(t.id)).resolution_remaining_minutes).toBe(1440 - 180);
    // paused Mon 12:00 → Wed 09:00 (900 business minutes); 1260 remain → Fri 4 Dec 12:00
    at('2026-12-02T09:00');
    const resumed = await updateTicket(deps, t.id, { status: 'open' }, agent);
    expect(resumed.sla.resolutionDueAt).toBe(iso('2026-12-04T12:00'));
    // and after the pause, going back to normal adds the difference to the shifted due time
    const normal = await updateTicket(deps, t.id, { priority: 'normal' }, agent);
    expect(normal.sla.resolutionDueAt).toBe(iso('2026-12-11T15:00'));
    expect(normal.sla.breached).toBe(false);
  });

  it('scanSla warns once before the due time and flags breaches', async () => {
    const events: DomainEvent[] = [];
    bus.subscribe((e) => events.push(e));
    const t = await ticketAt('2026-11-30T09:00', 'urgent'); // first response due 11:00
    const calm = await ticketAt('2026-11-30T09:00', 'low'); // due Wed 18:00
    const waiting = await ticketAt('2026-11-30T09:00', 'urgent');
    at('2026-11-30T09:05');
    await addAgentMessage(deps, waiting.id, { body: 'Foto bitte' }, agent);
    await updateTicket(deps, waiting.id, { status: 'pending' }, agent);

    at('2026-11-30T10:00');
    expect(await scanSla(deps)).toEqual({ warned: 0, breached: 0 });
    at('2026-11-30T10:35');
    expect(await scanSla(deps)).toEqual({ warned: 1, breached: 0 });
    expect((await row(t.id)).sla_warned_at?.toISOString()).toBe(iso('2026-11-30T10:35'));
    expect(events.filter((e) => e.type === 'sla.warning').map((e) => e.ticketId)).toEqual([t.id]);
    expect((await getTicket(deps, t.id, agent)).sla.warning).toBe(true);
    at('2026-11-30T10:50');
    expect(await scanSla(deps)).toEqual({ warned: 0, breached: 0 }); // once

    at('2026-11-30T11:01');
    expect(await scanSla(deps)).toEqual({ warned: 0, breached: 1 });
    const breached = await row(t.id);
    expect(breached.first_response_breached).toBe(true);
    expect(breached.resolution_breached).toBe(false);
    expect(events.filter((e) => e.type === 'sla.breached').map((e) => e.ticketId)).toEqual([t.id]);
    expect(await scanSla(deps)).toEqual({ warned: 0, breached: 0 }); // flagged once
    expect((await row(calm.id)).first_response_breached).toBe(false);
    expect((await row(waiting.id)).resolution_breached).toBe(false);

    // Wednesday 15:00: t's resolution clock and calm's first-response clock (1440 min) run out
    at('2026-12-02T15:01');
    const later = await scanSla(deps);
    expect(later.breached).toBe(2);
    expect((await row(t.id)).resolution_breached).toBe(true);
    expect((await row(calm.id)).first_response_breached).toBe(true);
    // the pending ticket's clock is stopped: never flagged
    expect((await row(waiting.id)).resolution_breached).toBe(false);
  });

  it('scheduleSlaScan queues one scan job per minute', async () => {
    at('2026-11-30T10:00:10');
    await scheduleSlaScan(d.db, clock);
    at('2026-11-30T10:00:50');
    await scheduleSlaScan(d.db, clock);
    at('2026-11-30T10:01:00');
    await scheduleSlaScan(d.db, clock);
    const jobs = await d.db.selectFrom('jobs').select(['type', 'unique_key']).where('type', '=', 'sla.scan').execute();
    expect(jobs).toHaveLength(2);
  });
});
