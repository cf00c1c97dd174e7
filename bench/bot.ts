/**
 * Bot figures: the time the bot adds to a customer message (decide + answer or hand off),
 * p95, beside the ticket creation it follows (same database, same run); and how the
 * decisions split on a mixed set of messages (tracking questions about the customer's own
 * parcel, FAQ questions, angry ones, refund requests), with the deflection rate the
 * analytics endpoint reports for them. PGlite.
 *
 * The p95 is of the steady state: one message of each kind (an extra customer, not in the
 * mixed set) goes first, and the first decision's time is reported on its own (the first
 * decision of a process reads the bot's content files: reply texts, transit times).
 */
import { ManualClock } from '../src/core/clock.ts';
import { MemoryEventBus } from '../src/core/events.ts';
import { createStore } from '../src/helpdesk/stores.ts';
import { createTicket, type TicketDeps } from '../src/helpdesk/tickets.ts';
import { triageForTickets } from '../src/helpdesk/triage-adapter.ts';
import { systemActor } from '../src/helpdesk/visibility.ts';
import { botAnalytics, runBot } from '../src/helpdesk/bot.ts';
import { seedDemoCommerce } from '../src/commerce/seed.ts';
import { createOrder } from '../src/commerce/orders.ts';
import { syncKnowledge } from '../src/knowledge/sync.ts';
import type { BenchSuite } from './types.ts';
import { freshDatabase, pct } from './util.ts';

const DAY = 86_400_000;

const suite: BenchSuite = async (ctx) => {
  const d = await freshDatabase('pglite', 4);
  try {
    const now = new Date('2026-11-20T10:00:00Z');
    const clock = new ManualClock(now);
    const bus = new MemoryEventBus();
    const store = await createStore(d.db, { name: 'Bench Shop', market: 'DE', timezone: 'Europe/Berlin' });
    await seedDemoCommerce(d.db, store.id, { now });
    await syncKnowledge(d.db);
    const n = ctx.quick ? 40 : 200;
    const customers = n / 4;
    for (let i = 0; i <= customers; i++) {
      await createOrder(d.db, {
        storeId: store.id, number: `BN-${10000 + i}`, currency: 'EUR', placedAt: new Date(now.getTime() - 3 * DAY),
        customer: { email: `c${i}@bench.example`, name: `Kunde ${i}`, country: 'DE', language: 'de' },
        shippingAddress: { name: `Kunde ${i}`, line1: 'Weg 1', city: 'Berlin', postalCode: '10115', country: 'DE' },
        items: [{ sku: 'MUG-THM-GRY-EU', quantity: 1, warehouseCode: 'DE-LEJ' }],
        payment: { method: 'card' },
        shipment: {
          carrier: 'DHL Paket', trackingNumber: `0034${String(i).padStart(16, '0')}`, status: 'in_transit', shippedAt: new Date(now.getTime() - 2 * DAY),
          events: [{ at: new Date(now.getTime() - DAY), status: 'in_transit', location: 'Berlin, DE', description: 'Processed.' }],
        },
      });
    }
    const deps: TicketDeps = { db: d.db, bus, clock, triage: triageForTickets };
    const messages = (i: number) => [
      { subject: 'Wo ist meine Bestellung?', body: `Guten Tag, wo ist meine Bestellung BN-${10000 + i}? Wann kommt das Paket an?` },
      { subject: 'Thermobecher', body: 'Hallo, ist der Thermobecher spülmaschinenfest?' },
      { subject: 'Unverschämt', body: `Das ist eine Frechheit! Wo ist meine Bestellung BN-${10000 + i}?? Ich mache eine Rückbuchung und schreibe eine schlechte Bewertung!` },
      { subject: 'Erstattung', body: `Ich möchte mein Geld zurück für Bestellung BN-${10000 + i}, bitte erstatten Sie den Betrag.` },
    ];
    const create: number[] = [];
    const decide: number[] = [];
    // warm-up: the extra customer (index `customers`), outside the measured mixed set
    let first = 0;
    for (const m of messages(customers)) {
      const t = await createTicket(deps, { ...m, storeId: store.id, customer: { email: `c${customers}@bench.example`, name: `Kunde ${customers}`, country: 'DE' } }, systemActor);
      const t0 = performance.now();
      await runBot({ db: d.db, bus, clock }, t.id);
      if (!first) first = performance.now() - t0;
    }
    const since = new Date(clock.now().getTime());
    clock.set(new Date(since.getTime() + 1000));
    for (let i = 0; i < customers; i++) {
      for (const m of messages(i)) {
        let t0 = performance.now();
        const t = await createTicket(deps, { ...m, storeId: store.id, customer: { email: `c${i}@bench.example`, name: `Kunde ${i}`, country: 'DE' } }, systemActor);
        create.push(performance.now() - t0);
        t0 = performance.now();
        await runBot({ db: d.db, bus, clock }, t.id);
        decide.push(performance.now() - t0);
      }
    }
    const p95 = pct(decide, 95);
    ctx.report({
      group: 'bot', name: 'bot decision + answer/hand-off per message, p95', value: Math.round(p95 * 10) / 10, unit: 'ms',
      baseline: { name: 'ticket creation p95', value: Math.round(pct(create, 95) * 10) / 10, unit: 'ms' },
      target: '<= 50 ms', ok: p95 <= 50,
    });
    ctx.report({ group: 'bot', name: 'first decision of the process (content files loaded), not in the p95', value: Math.round(first * 10) / 10, unit: 'ms' });
    const a = await botAnalytics(d.db, { from: new Date(since.getTime() + 500), to: new Date(now.getTime() + DAY), storeId: store.id });
    ctx.report({
      group: 'bot', name: `deflection on a mixed set (${a.tickets} tickets: ¼ tracking, ¼ FAQ, ¼ angry, ¼ refund)`, value: Math.round((a.deflectionRate ?? 0) * 1000) / 10, unit: '%',
      baseline: { name: 'answerable share of the set', value: 50, unit: '%' },
      target: '= 50 % (answers all answerable, none of the rest)', ok: a.answered === a.tickets / 2 && a.answeredByKind.tracking === a.tickets / 4,
    });
  } finally {
    await d.drop();
  }
};

export default suite;
