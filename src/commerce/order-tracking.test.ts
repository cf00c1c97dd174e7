/**
 * ordersForTracking (the bot's one-statement read) must agree with findOrders and
 * getOrderDetail on everything the bot uses: which orders a number or an e-mail finds, in
 * which order, whose they are, and the latest outbound parcel with its scans.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../test/helpers/db.ts';
import type { Database } from '../db/index.ts';
import { uuidv7 } from '../core/ids.ts';
import { createStore } from '../helpdesk/stores.ts';
import { seedDemoCommerce } from './seed.ts';
import { createOrder, findOrders, getOrderDetail } from './orders.ts';
import { ordersForTracking, type TrackedOrder } from './order-tracking.ts';

const DAY = 86_400_000;
const now = new Date('2026-11-20T10:00:00Z');
const ago = (days: number) => new Date(now.getTime() - days * DAY);

describe('ordersForTracking', () => {
  let d: Database;
  let storeId: string;
  let otherStoreId: string;

  const order = (storeId: string, number: string, email: string, placedDaysAgo: number, shipped = true) =>
    createOrder(d.db, {
      storeId,
      number,
      currency: 'EUR',
      placedAt: ago(placedDaysAgo),
      customer: { email, name: 'Kim Test', country: 'DE', language: 'de' },
      shippingAddress: { name: 'Kim Test', line1: 'Weg 1', city: 'Berlin', postalCode: '10115', country: 'DE' },
      items: [{ sku: 'MUG-THM-GRY-EU', quantity: 1, warehouseCode: 'DE-LEJ' }],
      payment: { method: 'card' },
      ...(shipped
        ? {
            shipment: {
              carrier: 'DHL Paket',
              trackingNumber: `00340000${number.replace(/\D/g, '')}`,
              status: 'in_transit' as const,
              shippedAt: ago(placedDaysAgo - 1),
              events: [
                { at: ago(placedDaysAgo - 1), status: 'label_created', description: 'Label created.' },
                { at: ago(placedDaysAgo - 1.5), status: 'in_transit', location: 'Leipzig, DE', description: 'Left the hub.' },
              ],
            },
          }
        : {}),
    });

  beforeAll(async () => {
    d = await createTestDatabase();
    storeId = (await createStore(d.db, { name: 'Tracking Shop', market: 'DE', timezone: 'Europe/Berlin' })).id;
    otherStoreId = (await createStore(d.db, { name: 'Other Shop', market: 'FR', timezone: 'Europe/Paris' })).id;
    await seedDemoCommerce(d.db, storeId, { now });
    await seedDemoCommerce(d.db, otherStoreId, { now, prefix: 'OT' });
    await order(storeId, 'TR-1001', 'kim@example.de', 5);
    await order(storeId, '#TR-1002', 'kim@example.de', 4); // stored with "#"
    await order(storeId, 'TR-1003', 'kim@example.de', 3, false); // not shipped
    await order(storeId, 'TR-1004', 'kim@example.de', 2);
    await order(storeId, 'TR-2001', 'sam@example.de', 6);
    await order(storeId, '#TR-2001', 'max@example.de', 1); // one number written two ways
    await order(otherStoreId, 'TR-1001', 'kim@example.de', 2); // the same number in another store
    // a later outbound parcel (a second one for the same order) and a later return parcel:
    // the tracking facts come from the latest outbound one (createOrder's rows are made now)
    const o = (await findOrders(d.db, { storeId, number: 'TR-1004' })).items[0];
    const later = uuidv7();
    await d.db.insertInto('shipments').values({ id: later, order_id: o.id, kind: 'outbound', carrier: 'UPS', tracking_number: '1Z999', status: 'out_for_delivery', shipped_at: ago(1), created_at: new Date(Date.now() + 60_000) }).execute();
    await d.db.insertInto('tracking_events').values([
      { shipment_id: later, at: ago(0.9), status: 'in_transit', location: 'Köln, DE', description: 'Arrived.' },
      { shipment_id: later, at: ago(0.2), status: 'out_for_delivery', location: null, description: 'Out for delivery.' },
    ]).execute();
    await d.db.insertInto('shipments').values({ id: uuidv7(), order_id: o.id, kind: 'return', carrier: 'DHL Paket', tracking_number: 'RET1', status: 'label_created', shipped_at: null, created_at: new Date(Date.now() + 120_000) }).execute();
  });
  afterAll(async () => d.close());

  /** What the bot reads of a getOrderDetail result, in TrackedOrder's shape. */
  const fromDetail = async (id: string): Promise<TrackedOrder> => {
    const o = await getOrderDetail(d.db, id, now);
    return {
      id: o.id,
      storeId: o.storeId,
      number: o.number,
      fulfillmentStatus: o.fulfillmentStatus,
      placedAt: o.placedAt,
      customer: o.customer ? { id: o.customer.id, email: o.customer.email } : null,
      shipment: o.shipment,
    };
  };

  it('finds by number (with or without "#") what findOrders finds, newest first, with getOrderDetail\'s parcel', async () => {
    const numbers = ['TR-1001', '#TR-1002', 'TR-1002', 'TR-1003', 'TR-1004', 'TR-2001', 'CD-10482', 'NOPE-1'];
    const got = await ordersForTracking(d.db, { storeId, numbers, perNumber: 5 });
    for (const n of numbers) {
      const want = await Promise.all((await findOrders(d.db, { storeId, number: n, limit: 5 })).items.map((o) => fromDetail(o.id)));
      expect(got.byNumber.get(n.replace(/^#/, '')) ?? []).toEqual(want);
    }
    expect(got.byNumber.get('TR-2001')).toHaveLength(2);
    expect(got.byNumber.get('TR-1003')?.[0].shipment).toBeNull();
    const latest = got.byNumber.get('TR-1004')?.[0].shipment;
    expect(latest).toMatchObject({ carrier: 'UPS', kind: 'outbound', status: 'out_for_delivery' });
    expect(latest?.events.map((e) => e.status)).toEqual(['out_for_delivery', 'in_transit']);
  });

  it('finds the newest orders of a customer e-mail in the store, and any order by id', async () => {
    const got = await ordersForTracking(d.db, { storeId, customerEmail: ' Kim@Example.de ', perCustomer: 3 });
    const want = await Promise.all((await findOrders(d.db, { storeId, customerEmail: 'kim@example.de', limit: 3 })).items.map((o) => fromDetail(o.id)));
    expect(got.byCustomer).toEqual(want);
    expect(got.byCustomer.map((o) => o.number)).toEqual(['TR-1004', 'TR-1003', '#TR-1002']);
    const foreign = (await findOrders(d.db, { storeId: otherStoreId, number: 'TR-1001' })).items[0];
    const byId = await ordersForTracking(d.db, { storeId, ids: [foreign.id] });
    expect(byId.byId.get(foreign.id)).toEqual(await fromDetail(foreign.id));
    expect(byId.byId.get(foreign.id)?.storeId).toBe(otherStoreId);
  });

  it('returns nothing when asked nothing', async () => {
    const got = await ordersForTracking(d.db, { storeId });
    expect(got.byId.size + got.byNumber.size + got.byCustomer.length).toBe(0);
  });
});
