/**
 * What runs after a ticket's intake as the server wires it (runtime.ts intakeHooks): the
 * bot, then routing. When nobody fits, routing's `routed` event rides in the bot's hand-off
 * statement; these tests hold that it is the same decision routing writes on its own, that
 * it is written exactly once, and that it is not taken when the bot answered or someone fits.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KyselyPlugin } from 'kysely';
import { ManualClock } from '../src/core/clock.ts';
import { MemoryEventBus } from '../src/core/events.ts';
import type { Database } from '../src/db/index.ts';
import { syncKnowledge } from '../src/knowledge/sync.ts';
import { createTestDatabase } from './helpers/db.ts';
import { intakeHooks } from '../src/server/runtime.ts';
import { botAfterIntake, putBotSettings } from '../src/helpdesk/bot.ts';
import { routingHooks, setPresence } from '../src/helpdesk/routing.ts';
import { createStore } from '../src/helpdesk/stores.ts';
import { createTicket, type TicketDeps } from '../src/helpdesk/tickets.ts';
import { triageForTickets } from '../src/helpdesk/triage-adapter.ts';
import { systemActor } from '../src/helpdesk/visibility.ts';
import { upsertUser } from '../src/people/users.ts';

// Monday 23 November 2026, 10:00 in Berlin
const clock = new ManualClock('2026-11-23T09:00:00Z');

describe('intake hooks (bot, then routing)', () => {
  let d: Database;
  let deps: TicketDeps;
  let storeId: string;
  let quietStoreId: string;
  const errors: unknown[] = [];

  beforeEach(async () => {
    errors.length = 0;
    d = await createTestDatabase();
    await syncKnowledge(d.db);
    storeId = (await createStore(d.db, { name: 'Lumen Home', market: 'DE', timezone: 'Europe/Berlin' })).id;
    // a store whose bot is off: routing there runs on its own, as before the bot's statement carried it
    quietStoreId = (await createStore(d.db, { name: 'Lumen Outlet', market: 'DE', timezone: 'Europe/Berlin' })).id;
    await putBotSettings({ db: d.db, clock }, quietStoreId, { enabled: false });
    const bus = new MemoryEventBus();
    deps = { db: d.db, bus, clock, triage: triageForTickets };
    const routing = routingHooks({ ...deps, dbKind: d.kind });
    deps.afterIntake = intakeHooks(botAfterIntake({ db: d.db, bus, clock }, (e) => errors.push(e)), routing);
  });
  afterEach(async () => {
    expect(errors).toEqual([]);
    await d.close();
  });

  const where = (store: string, email: string) =>
    createTicket(deps, { subject: 'Paket', body: 'Hallo, wo ist mein Paket? Ich warte seit zwei Wochen darauf.', customer: { email, name: 'Anna', country: 'DE' }, storeId: store }, systemActor);

  const eventsOf = (ticketId: string) =>
    d.db.selectFrom('ticket_events').select(['id', 'type', 'after', 'created_at']).where('ticket_id', '=', ticketId).orderBy('id').execute();

  async function agentOnShift() {
    const { user } = await upsertUser(d.db, {
      email: 'lena@lumen.example', name: 'Lena', role: 'agent', timezone: 'Europe/Berlin',
      languages: [{ code: 'de', proficiency: 'native' }], skills: ['order_status', 'delivery_issue'], certificationLevel: 'L2', maxLoad: 10,
    });
    await setPresence({ ...deps, dbKind: d.kind }, user.id, 'on', clock.now());
    return user.id;
  }

  it('writes the waiting decision once, with the hand-off, and as routing writes it on its own', async () => {
    const t = await where(storeId, 'anna@example.de');
    const alone = await where(quietStoreId, 'ben@example.de');
    const evs = await eventsOf(t.id);
    const routed = evs.filter((e) => e.type === 'routed');
    expect(routed).toHaveLength(1);
    // right after the bot's note, in the same statement (same time)
    const note = evs.findIndex((e) => e.type === 'note_added');
    expect(note).toBeGreaterThanOrEqual(0);
    expect(evs[note + 1].type).toBe('routed');
    expect(evs[note + 1].created_at.getTime()).toBe(evs[note].created_at.getTime());
    const after = routed[0].after as Record<string, unknown>;
    expect(after).toMatchObject({ trigger: 'created', outcome: 'queued', assigneeId: null });
    // the same decision as routing's own write on the store without the bot
    const own = (await eventsOf(alone.id)).filter((e) => e.type === 'routed');
    expect(own).toHaveLength(1);
    expect((await eventsOf(alone.id)).some((e) => e.type === 'note_added')).toBe(false);
    const ownAfter = own[0].after as Record<string, unknown>;
    expect(after.why).toEqual(ownAfter.why);
    expect(after.candidates).toEqual(ownAfter.candidates);
    expect(after.rule).toEqual(ownAfter.rule);
    expect(t.assignee).toBeNull();
  });

  it('spends one statement fewer than routing writing the waiting decision itself', async () => {
    let statements = 0;
    const counter: KyselyPlugin = {
      transformQuery: (a) => {
        statements++;
        return a.node;
      },
      transformResult: async (a) => a.result,
    };
    const db = d.db.withPlugin(counter);
    const bus = new MemoryEventBus();
    const bot = botAfterIntake({ db, bus, clock }, (e) => errors.push(e));
    const routing = routingHooks({ db, bus, clock, triage: triageForTickets, dbKind: d.kind });
    const folded: TicketDeps = { db, bus, clock, triage: triageForTickets, afterIntake: intakeHooks(bot, routing) };
    const apart: TicketDeps = { db, bus, clock, triage: triageForTickets, afterIntake: intakeHooks(bot, { afterIntake: routing.afterIntake, planIntake: () => null }) };
    const cost = async (x: TicketDeps, email: string) => {
      const before = statements;
      const t = await createTicket(x, { subject: 'Paket', body: 'Hallo, wo ist mein Paket? Ich warte seit zwei Wochen darauf.', customer: { email, name: 'Anna', country: 'DE' }, storeId }, systemActor);
      expect((await eventsOf(t.id)).filter((e) => e.type === 'routed')).toHaveLength(1);
      return statements - before;
    };
    // first tickets fill the caches (store, bot settings, SLA policies)
    await cost(folded, 'a1@example.de');
    await cost(apart, 'a2@example.de');
    const a = await cost(apart, 'a3@example.de');
    const f = await cost(folded, 'a4@example.de');
    expect(f).toBe(a - 1);
  });

  it('leaves an assignment to routing (under its lock) when someone fits', async () => {
    const lena = await agentOnShift();
    const t = await where(storeId, 'anna@example.de');
    const evs = await eventsOf(t.id);
    const routed = evs.filter((e) => e.type === 'routed');
    expect(routed).toHaveLength(1);
    expect(routed[0].after).toMatchObject({ outcome: 'assigned', assigneeId: lena });
    expect(evs.some((e) => e.type === 'note_added')).toBe(true);
    const row = await d.db.selectFrom('tickets').select(['assignee_id']).where('id', '=', t.id).executeTakeFirstOrThrow();
    expect(row.assignee_id).toBe(lena);
  });

  it('records no waiting decision for a ticket the bot answered and solved', async () => {
    const t = await createTicket(deps, { subject: 'Thermobecher', body: 'Guten Tag, ist der Thermobecher spülmaschinenfest?', customer: { email: 'carla@example.de', name: 'Carla', country: 'DE' }, storeId }, systemActor);
    expect(t.status).toBe('solved');
    const evs = await eventsOf(t.id);
    expect(evs.filter((e) => e.type === 'routed')).toHaveLength(0);
    expect(evs.some((e) => e.type === 'note_added')).toBe(false);
  });
});
