/**
 * The bot's order lookup riding in a ticket's creation (afterIntake.prefetch, as the server
 * wires it) must decide exactly as the bot's own read: the same answers and hand-offs, and
 * the prefetched value read back must equal what the lookup itself returns.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { botMessages, managerView, startBotWorld, type BotWorld, type TransitOrder } from './helpers/bot-world.ts';
import { createTicket } from '../src/helpdesk/tickets.ts';
import { botPrefetchSql } from '../src/helpdesk/bot.ts';
import { ordersForTracking, ordersFromPrefetched } from '../src/commerce/order-tracking.ts';
import { systemActor } from '../src/helpdesk/visibility.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const start = new Date('2026-11-20T10:00:00Z');

const anna = { email: 'anna.schmidt@example.de', name: 'Anna Schmidt', country: 'DE', language: 'de' };
const order = (number: string, daysAgo: number, scans: number, trackingNumber: string): TransitOrder => ({
  number, currency: 'EUR', placedAt: new Date(start.getTime() - daysAgo * DAY),
  customer: anna,
  address: { line1: 'Hauptstraße 7', city: 'Köln', postalCode: '50667' },
  sku: 'LAMP-AUR-WHT-EU', warehouseCode: 'DE-LEJ', paymentMethod: 'paypal',
  carrier: 'DHL Paket', trackingNumber,
  scans: Array.from({ length: scans }, (_, i) => ({ at: new Date(start.getTime() - (scans - i) * 10 * HOUR), location: `Hub ${i + 1}, DE`, description: `Scan ${i + 1}` })),
});
// two orders of Anna's (one with three scans), so a lookup by e-mail finds several rows
const orders = [order('CD-30001', 3, 3, '00340434161094011111'), order('CD-30002', 40, 1, '00340434161094022222')];

const messages = [
  // by number: answered with the tracking facts
  { customer: anna, body: 'Hallo, wo ist meine Bestellung CD-30001? Wann kommt das Paket?' },
  // someone else's number: handed off
  { customer: { email: 'someone.else@example.de', name: 'Max Fremd', country: 'DE' }, body: 'Wo ist meine Bestellung CD-30001 bitte?' },
  // no number: the customer's only order of the last 60 days… here two, so handed off or answered alike
  { customer: anna, body: 'Guten Tag, wo bleibt mein Paket? Es ist noch nicht da.' },
];

describe('the bot with its order lookup prefetched by the creation', () => {
  let own: BotWorld;
  let pre: BotWorld;
  beforeAll(async () => {
    [own, pre] = await Promise.all([
      startBotWorld({ start, supportEmail: 'hilfe@lumen.example', orders }),
      startBotWorld({ start, supportEmail: 'hilfe@lumen.example', orders, prefetch: true }),
    ]);
  });
  afterAll(async () => {
    expect(own?.errors).toEqual([]);
    expect(pre?.errors).toEqual([]);
    await own?.database.close();
    await pre?.database.close();
  });

  it('reads back exactly what the lookup itself returns', async () => {
    const q = botPrefetchSql({ storeId: pre.storeId, email: anna.email, category: 'order_status', text: 'wo ist CD-30001 und CD-30002?', orderNumbers: ['CD-30001'] });
    expect(q).not.toBeNull();
    const { rows } = await sql<{ v: { lookup: { numbers: string[] }; rows: unknown } }>`SELECT ${q} AS v`.execute(pre.database.db);
    const v = rows[0].v;
    expect(v.lookup.numbers).toEqual(['CD-30001', 'CD-30002']);
    const fromPrefetch = ordersFromPrefetched(v.rows);
    const direct = await ordersForTracking(pre.database.db, v.lookup as Parameters<typeof ordersForTracking>[1]);
    expect(fromPrefetch).toEqual(direct);
    // the parity is not empty: both numbers and both of Anna's orders, scans newest first
    expect(direct.byCustomer.map((o) => o.number)).toEqual(['CD-30001', 'CD-30002']);
    expect(direct.byNumber.get('CD-30001')?.[0].shipment?.events.map((e) => e.description)).toEqual(['Scan 3', 'Scan 2', 'Scan 1']);
    // not about an order's status: nothing to prefetch
    expect(botPrefetchSql({ storeId: pre.storeId, email: anna.email, category: 'refund', text: 'CD-30001', orderNumbers: [] })).toBeNull();
  });

  it.each(messages.map((m, i) => [i, m] as const))('decides message %i as the bot that reads for itself', async (_i, m) => {
    const bodies = [];
    for (const w of [own, pre]) {
      const t = await createTicket(w.deps, { subject: 'Bestellung', body: m.body, customer: m.customer, storeId: w.storeId }, systemActor);
      const full = await managerView(w.deps, t.id);
      bodies.push({ status: full.status, bot: botMessages(full).map((b) => ({ internal: b.internal, body: b.body })) });
    }
    expect(bodies[0].bot.length).toBeGreaterThan(0);
    expect(bodies[1]).toEqual(bodies[0]);
  });
});
