/**
 * The set-up of the bot tests: a German store (Lumen Home) with the demo catalogue and the
 * knowledge base, orders whose parcels are on their way, and ticket deps whose intake runs
 * the bot on a manual clock.
 */
import type { Database } from '../../src/db/index.ts';
import { MemoryEventBus } from '../../src/core/events.ts';
import { ManualClock } from '../../src/core/clock.ts';
import { createStore } from '../../src/helpdesk/stores.ts';
import { getTicket, prefetchParts, type AfterIntake, type TicketDeps } from '../../src/helpdesk/tickets.ts';
import { triageForTickets } from '../../src/helpdesk/triage-adapter.ts';
import { botAfterIntake, botPrefetchSql } from '../../src/helpdesk/bot.ts';
import { seedDemoCommerce } from '../../src/commerce/seed.ts';
import { createOrder } from '../../src/commerce/orders.ts';
import { syncKnowledge } from '../../src/knowledge/sync.ts';
import { createTestDatabase } from './db.ts';

/** An order of one item whose parcel is in transit; it shipped at the first tracking scan. */
export interface TransitOrder {
  number: string;
  currency: string;
  placedAt: Date;
  customer: { email: string; name: string; country: string; language: string };
  /** The shipping address; name and country are the customer's. */
  address: { line1: string; city: string; postalCode: string };
  sku: string;
  warehouseCode: string;
  paymentMethod: string;
  carrier: string;
  trackingNumber: string;
  /** Oldest first. */
  scans: Array<{ at: Date; location: string; description: string }>;
}

export interface BotWorld {
  database: Database;
  clock: ManualClock;
  deps: TicketDeps;
  storeId: string;
  /** What the bot's intake hook reported as failed (the tests expect nothing). */
  errors: unknown[];
}

export async function startBotWorld(opts: { start: Date; supportEmail: string; orders: TransitOrder[]; prefetch?: boolean }): Promise<BotWorld> {
  const database = await createTestDatabase();
  const clock = new ManualClock(opts.start);
  const bus = new MemoryEventBus();
  const errors: unknown[] = [];
  const store = await createStore(database.db, { name: 'Lumen Home', market: 'DE', timezone: 'Europe/Berlin', supportEmail: opts.supportEmail });
  const storeId = store.id;
  await seedDemoCommerce(database.db, storeId, { now: opts.start });
  await syncKnowledge(database.db);
  for (const o of opts.orders) {
    await createOrder(database.db, {
      storeId, number: o.number, currency: o.currency, placedAt: o.placedAt,
      customer: o.customer,
      shippingAddress: { name: o.customer.name, ...o.address, country: o.customer.country },
      items: [{ sku: o.sku, quantity: 1, warehouseCode: o.warehouseCode }],
      payment: { method: o.paymentMethod },
      shipment: {
        carrier: o.carrier, trackingNumber: o.trackingNumber, status: 'in_transit', shippedAt: o.scans[0].at,
        events: o.scans.map((s) => ({ ...s, status: 'in_transit' })),
      },
    });
  }
  const deps: TicketDeps = { db: database.db, bus, clock, triage: triageForTickets };
  const bot = botAfterIntake({ db: database.db, bus, clock }, (e) => errors.push(e));
  if (opts.prefetch) {
    // as the server does: the bot's order lookup rides in the creation's statement
    const afterIntake: AfterIntake = (id, reason, intake) => bot(id, reason, intake);
    afterIntake.prefetch = (x) => prefetchParts({ bot: botPrefetchSql(x) });
    deps.afterIntake = afterIntake;
  } else deps.afterIntake = bot;
  return { database, clock, deps, storeId, errors };
}

/** A ticket as a manager sees it (every message, internal ones included). */
export const managerView = (deps: TicketDeps, ticketId: string) => getTicket(deps, ticketId, { type: 'user', id: null, role: 'manager' });

export const botMessages = (t: Awaited<ReturnType<typeof managerView>>) => t.messages.filter((m) => m.authorType === 'bot');
