import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PDFDocument, PDFName, PDFRawStream } from 'pdf-lib';
import { createTestDatabase } from '../../test/helpers/db.ts';
import type { Database } from '../db/index.ts';
import { ManualClock } from '../core/clock.ts';
import { uuidv7 } from '../core/ids.ts';
import { AppError } from '../core/errors.ts';
import type { Actor } from '../helpdesk/visibility.ts';
import {
  cancelOrder,
  carrierClaim,
  changeAddress,
  createReturn,
  exchange,
  refund,
  reship,
  returnLabel,
  s10TrackingNumber,
  setReturnStatus,
} from './actions.ts';
import { fromMinor, toMinor } from './money.ts';
import { getOrderDetail } from './orders.ts';
import { setStorePolicy } from './policy.ts';
import { seedDemoCommerce, type DemoCommerce } from './seed.ts';
import { stockOf, variantBySku } from './catalog.ts';

const NOW = new Date('2026-11-24T10:00:00Z');
let n = 0;
const key = (label = 'k') => `test-${label}-${++n}-${uuidv7()}`;

async function refused(p: Promise<unknown>, code: string, re?: RegExp): Promise<AppError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    const err = e as AppError;
    expect(err.code, err.message).toBe(code);
    if (re) expect(err.message).toMatch(re);
    return err;
  }
  throw new Error('expected the action to be refused');
}

describe('money', () => {
  it('computes in minor units without float drift', () => {
    expect(toMinor('0.1', 'USD') + toMinor('0.2', 'USD')).toBe(30n);
    expect(fromMinor(toMinor('59.90', 'EUR') * 3n, 'EUR')).toBe('179.70');
    expect(fromMinor(toMinor('1200.00', 'JPY'), 'JPY')).toBe('1200');
    expect(() => toMinor('1.234', 'USD')).toThrow(/decimals/);
    expect(() => toMinor('12.5', 'JPY')).toThrow(/decimals/);
    expect(() => toMinor('abc', 'USD')).toThrow(/decimal amount/);
  });
  it('makes valid S10 tracking numbers', () => {
    expect(s10TrackingNumber('RR', 47312482, 'DE')).toBe('RR473124829DE');
  });
});

describe('order actions', () => {
  let d: Database;
  let storeId: string;
  let demo: DemoCommerce;
  const clock = new ManualClock(NOW);
  const actor: Actor = { type: 'user', id: uuidv7(), role: 'agent', name: 'Test agent' };
  const base = (orderId: string, label?: string) => ({ orderId, actor, idempotencyKey: key(label), clock });

  beforeAll(async () => {
    d = await createTestDatabase();
    storeId = (await d.db.selectFrom('stores').select('id').where('is_default', '=', true).executeTakeFirstOrThrow()).id;
    demo = await seedDemoCommerce(d.db, storeId, { now: NOW });
  });
  afterAll(async () => d?.close());

  it('seeds the demo once: calling again changes nothing', async () => {
    const again = await seedDemoCommerce(d.db, storeId, { now: NOW });
    expect(again.orders.deDamaged.id).toBe(demo.orders.deDamaged.id);
    const de = await getOrderDetail(d.db, demo.orders.deDamaged.id);
    expect(de).toMatchObject({ currency: 'EUR', total: '114.60', market: 'DE', financialStatus: 'paid', fulfillmentStatus: 'fulfilled' });
    expect(de.payments[0]).toMatchObject({ method: 'paypal', captured: '114.60', refundable: '114.60' });
    expect(de.shipment?.status).toBe('delivered');
    expect(de.shipment?.events.length).toBe(4);
  });

  it('DE damaged item: the seller pays return shipping; a 4×6 in label PDF with a Code 128 barcode', async () => {
    const de = await getOrderDetail(d.db, demo.orders.deDamaged.id);
    const lamp = de.items.find((i) => i.sku === 'LAMP-AUR-WHT-EU')!;
    const out = await createReturn(d.db, { ...base(de.id, 'ret'), reason: 'damaged', items: [{ orderItemId: lamp.id, quantity: 1 }] });
    expect(out.replayed).toBe(false);
    expect(out.result).toMatchObject({ status: 'label_created', market: 'DE', whoPaysShipping: 'seller', carrier: 'DHL Paket', itemsValue: '59.90', rule: { law: 'seller', decidedBy: 'law' } });
    expect(out.result.rma).toMatch(/^RMA-\d{6}-[A-Z0-9]{6}$/);
    expect(out.result.trackingNumber).toMatch(/^RR\d{9}DE$/);

    const { pdf } = await returnLabel(d.db, out.result.returnId);
    expect(Buffer.from(pdf.subarray(0, 5)).toString('latin1')).toBe('%PDF-');
    const doc = await PDFDocument.load(pdf);
    expect(doc.getPageCount()).toBe(1);
    const { width, height } = doc.getPage(0).getSize();
    expect([width, height]).toEqual([288, 432]);
    expect(doc.getTitle()).toContain(out.result.rma);
    const images = doc.context.enumerateIndirectObjects().filter(([, o]) => o instanceof PDFRawStream && o.dict.get(PDFName.of('Subtype')) === PDFName.of('Image'));
    // the barcode, and its transparency mask when the PNG has alpha
    const main = images.filter(([, o]) => (o as PDFRawStream).dict.has(PDFName.of('SMask')) || images.length === 1);
    expect(main.length).toBe(1);
    const img = main[0][1] as PDFRawStream;
    // a barcode: much wider than tall
    const w = Number(img.dict.get(PDFName.of('Width'))?.toString());
    const h = Number(img.dict.get(PDFName.of('Height'))?.toString());
    expect(w).toBeGreaterThan(h);
  });

  it('DE change of mind within 14 days: the buyer pays (law), unless the store takes it on', async () => {
    const de = await getOrderDetail(d.db, demo.orders.deDamaged.id);
    const mug = de.items.find((i) => i.sku === 'MUG-THM-GRY-EU')!;
    const r = await createReturn(d.db, { ...base(de.id), reason: 'change_of_mind', items: [{ orderItemId: mug.id, quantity: 1 }] });
    expect(r.result.whoPaysShipping).toBe('buyer');
  });

  it('US change of mind follows the store policy', async () => {
    const us = await getOrderDetail(d.db, demo.orders.usChangeOfMind.id);
    const item = us.items[0];
    // default policy: the buyer pays a change-of-mind return
    const a = await createReturn(d.db, { ...base(us.id), reason: 'change_of_mind', items: [{ orderItemId: item.id, quantity: 1 }] });
    expect(a.result).toMatchObject({ market: 'US', whoPaysShipping: 'buyer', rule: { law: 'store_policy', decidedBy: 'store_policy' }, carrier: 'USPS' });
    // the same item cannot be returned twice
    await refused(createReturn(d.db, { ...base(us.id), reason: 'change_of_mind', items: [{ orderItemId: item.id, quantity: 1 }] }), 'conflict', /already in return/);
    await setReturnStatus(d.db, { returnId: a.result.returnId, status: 'cancelled', actor, idempotencyKey: key(), clock });
    // a generous store pays it
    await setStorePolicy(d.db, storeId, { buyerPaysReturnForChangeOfMind: false }, 'US');
    const b = await createReturn(d.db, { ...base(us.id), reason: 'change_of_mind', items: [{ orderItemId: item.id, quantity: 1 }] });
    expect(b.result.whoPaysShipping).toBe('seller');
    await setStorePolicy(d.db, storeId, { buyerPaysReturnForChangeOfMind: true }, 'US');
    // outside the store window (30 days after delivery) it is refused
    const late = new ManualClock(new Date(NOW.getTime() + 25 * 86_400_000));
    await setReturnStatus(d.db, { returnId: b.result.returnId, status: 'cancelled', actor, idempotencyKey: key(), clock });
    await refused(createReturn(d.db, { ...base(us.id), clock: late, reason: 'change_of_mind', items: [{ orderItemId: item.id, quantity: 1 }] }), 'conflict', /return window has closed/);
  });

  it('a return moves received → refunded through the refund; invalid steps are refused', async () => {
    const es = await getOrderDetail(d.db, demo.orders.esWrongItem.id);
    const r = await createReturn(d.db, { ...base(es.id), reason: 'wrong_item', items: [{ orderItemId: es.items[0].id, quantity: 1 }] });
    expect(r.result.whoPaysShipping).toBe('seller');
    await refused(refund(d.db, { ...base(es.id), reason: 'return', returnId: r.result.returnId }), 'conflict', /once the parcel is received/);
    await refused(setReturnStatus(d.db, { returnId: r.result.returnId, status: 'label_created', actor, idempotencyKey: key(), clock }), 'invalid_transition');
    await setReturnStatus(d.db, { returnId: r.result.returnId, status: 'in_transit', actor, idempotencyKey: key(), clock });
    await setReturnStatus(d.db, { returnId: r.result.returnId, status: 'received', actor, idempotencyKey: key(), clock });
    const f = await refund(d.db, { ...base(es.id), reason: 'Wrong colour sent', returnId: r.result.returnId });
    expect(f.result).toMatchObject({ amount: '69.90', method: 'klarna', remaining: '5.90', financialStatus: 'partially_refunded' });
    const after = await getOrderDetail(d.db, es.id);
    expect(after.returns[0].status).toBe('refunded');
    await refused(refund(d.db, { ...base(es.id), reason: 'again', returnId: r.result.returnId }), 'conflict', /already refunded/);
  });

  it('refund: partial, then above what is left is refused; never above captured', async () => {
    const id = demo.orders.deDamaged.id;
    const a = await refund(d.db, { ...base(id), amount: '20.00', reason: 'Goodwill for the damaged lamp' });
    expect(a.result).toMatchObject({ amount: '20.00', currency: 'EUR', method: 'paypal', refundedTotal: '20.00', remaining: '94.60' });
    const err = await refused(refund(d.db, { ...base(id), amount: '94.61', reason: 'too much' }), 'conflict', /more than can still be refunded.*94\.60 EUR/);
    expect(err.details).toMatchObject({ reason: 'exceeds_refundable', refundable: '94.60' });
    await refused(refund(d.db, { ...base(id), amount: '1000', reason: 'way too much' }), 'conflict');
    await refused(refund(d.db, { ...base(id), amount: '0', reason: 'zero' }), 'validation_failed');
    await refused(refund(d.db, { ...base(id), amount: '1.234', reason: 'x' }), 'validation_failed', /decimals/);
    await refused(refund(d.db, { ...base(id), reason: '  ' }), 'validation_failed');
    const detail = await getOrderDetail(d.db, id);
    expect(detail.totals).toEqual({ paid: '114.60', refunded: '20.00', refundable: '94.60' });
  });

  it('is idempotent: the same key gives the same result and does nothing twice', async () => {
    const id = demo.orders.deDamaged.id;
    const k = key('idem');
    const first = await refund(d.db, { orderId: id, actor, clock, idempotencyKey: k, amount: '1.50', reason: 'Shipping delay goodwill' });
    const again = await refund(d.db, { orderId: id, actor, clock, idempotencyKey: k, amount: '1.50', reason: 'Shipping delay goodwill' });
    expect(again.replayed).toBe(true);
    expect(again.actionId).toBe(first.actionId);
    expect(again.result).toEqual(first.result);
    const detail = await getOrderDetail(d.db, id);
    expect(detail.refunds.filter((r) => r.amount === '1.50')).toHaveLength(1);
    // the same key for something else is refused
    await refused(refund(d.db, { orderId: id, actor, clock, idempotencyKey: k, amount: '2.00', reason: 'Shipping delay goodwill' }), 'conflict', /already used/);
    await refused(refund(d.db, { orderId: id, actor, clock, idempotencyKey: 'short', amount: '2.00', reason: 'x' }), 'validation_failed');
  });

  it('concurrent repeats and concurrent refunds never pay out twice', async () => {
    const id = demo.orders.usChangeOfMind.id;
    const k = key('race');
    const same = await Promise.all([0, 1, 2].map(() => refund(d.db, { orderId: id, actor, clock, idempotencyKey: k, amount: '3.00', reason: 'race' })));
    expect(new Set(same.map((r) => r.actionId)).size).toBe(1);
    expect(same.filter((r) => !r.replayed)).toHaveLength(1);
    // two agents refund everything left at once: one wins, the other is refused
    const settled = await Promise.allSettled([0, 1].map(() => refund(d.db, { ...base(id), reason: 'full refund' })));
    expect(settled.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const lost = settled.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect((lost.reason as AppError).code).toBe('conflict');
    const detail = await getOrderDetail(d.db, id);
    expect(detail.totals).toMatchObject({ paid: '79.99', refunded: '79.99', refundable: '0.00' });
    expect(detail.financialStatus).toBe('refunded');
  });

  it('exchange: reserves stock and computes the price difference; refuses without stock', async () => {
    const de = await getOrderDetail(d.db, demo.orders.deDamaged.id);
    const lamp = de.items.find((i) => i.sku === 'LAMP-AUR-WHT-EU')!;
    const black = await variantBySku(d.db, storeId, 'LAMP-AUR-BLK-EU');
    const err = await refused(exchange(d.db, { ...base(de.id), orderItemId: lamp.id, variantId: black.id, reason: 'wants black' }), 'conflict', /No stock of LAMP-AUR-BLK-EU/);
    expect(err.details).toMatchObject({ reason: 'out_of_stock', available: 0 });
    const oak = await variantBySku(d.db, storeId, 'LAMP-AUR-OAK-EU');
    const before = (await stockOf(d.db, oak.id))[0];
    const k = key();
    const x = await exchange(d.db, { ...base(de.id), idempotencyKey: k, orderItemId: lamp.id, variantId: oak.id, reason: 'prefers oak' });
    expect(x.result).toMatchObject({ fromSku: 'LAMP-AUR-WHT-EU', toSku: 'LAMP-AUR-OAK-EU', priceDifference: '10.00', settlement: 'customer_pays', warehouseCode: 'DE-LEJ' });
    await exchange(d.db, { ...base(de.id), idempotencyKey: k, orderItemId: lamp.id, variantId: oak.id, reason: 'prefers oak' });
    const after = (await stockOf(d.db, oak.id))[0];
    expect(after.reserved).toBe(before.reserved + 1);
    const usd = await variantBySku(d.db, storeId, 'LAMP-AUR-WHT-US');
    await refused(exchange(d.db, { ...base(de.id), orderItemId: lamp.id, variantId: usd.id, reason: 'x' }), 'validation_failed', /priced in USD/);
  });

  it('cancel: refused once shipped; an unshipped order is cancelled, stock released and payment refunded', async () => {
    const err = await refused(cancelOrder(d.db, { ...base(demo.orders.frInTransit.id), reason: 'too slow' }), 'conflict', /already shipped with La Poste Colissimo/);
    expect(err.details).toMatchObject({ reason: 'already_shipped' });
    const us = demo.orders.usUnfulfilled.id;
    const blue = await variantBySku(d.db, storeId, 'BUDS-ECH-BLU-US');
    const reservedBefore = (await stockOf(d.db, blue.id))[0].reserved;
    expect(reservedBefore).toBe(1);
    const c = await cancelOrder(d.db, { ...base(us), reason: 'Customer ordered twice' });
    expect(c.result).toMatchObject({ status: 'cancelled', releasedUnits: 2, refundedTotal: '155.97', financialStatus: 'refunded' });
    expect((await stockOf(d.db, blue.id))[0].reserved).toBe(0);
    await refused(cancelOrder(d.db, { ...base(us), reason: 'again' }), 'conflict', /already cancelled/);
    await refused(refund(d.db, { ...base(us), amount: '0.01', reason: 'x' }), 'conflict', /more than can still be refunded/);
  });

  it('address change: only before fulfilment, same country', async () => {
    const addr = { name: 'Camille Martin', line1: '2 place Bellecour', city: 'Lyon', postalCode: '69002', country: 'FR' };
    await refused(changeAddress(d.db, { ...base(demo.orders.frInTransit.id), address: addr }), 'conflict', /can no longer be changed/);
    const { createOrder } = await import('./orders.ts');
    const o = await createOrder(d.db, {
      storeId, number: 'T-ADDR-1', currency: 'EUR', customer: { email: 'x@example.fr', country: 'FR' },
      shippingAddress: { name: 'X', line1: '1 rue A', city: 'Paris', postalCode: '75001', country: 'FR' },
      items: [{ sku: 'MUG-THM-RED-EU', quantity: 1, warehouseCode: 'DE-LEJ' }], payment: { method: 'card' },
    });
    const ok = await changeAddress(d.db, { ...base(o.id), address: { ...addr, line2: ' ' } });
    expect(ok.result.after).toEqual(addr);
    await refused(changeAddress(d.db, { ...base(o.id), address: { ...addr, country: 'DE' } }), 'conflict', /changes duties/);
    await refused(changeAddress(d.db, { ...base(o.id), address: { ...addr, city: '' } }), 'validation_failed', /address.city/);
  });

  it('reship checks stock; a claim needs a shipment', async () => {
    const fr = await getOrderDetail(d.db, demo.orders.frInTransit.id);
    const rs = await reship(d.db, { ...base(fr.id), reason: 'Parcel stuck in transit for 11 days' });
    expect(rs.result).toMatchObject({ warehouseCode: 'DE-LEJ', status: 'pending' });
    const claim = await carrierClaim(d.db, { ...base(fr.id), kind: 'lost', description: 'No scan for 11 days' });
    expect(claim.result).toMatchObject({ kind: 'lost', carrier: 'La Poste Colissimo', amount: '74.90', status: 'filed' });
    await refused(carrierClaim(d.db, { ...base(fr.id), kind: 'lost' }), 'conflict', /already open/);
    await refused(carrierClaim(d.db, { ...base(fr.id), kind: 'damaged' }), 'conflict', /delivered parcel/);
    const { createOrder } = await import('./orders.ts');
    const o = await createOrder(d.db, {
      storeId, number: 'T-CLAIM-1', currency: 'EUR', customer: { email: 'y@example.de', country: 'DE' },
      shippingAddress: { name: 'Y', line1: 'Weg 1', city: 'Köln', postalCode: '50667', country: 'DE' },
      items: [{ sku: 'MUG-THM-RED-EU', quantity: 2, warehouseCode: 'DE-LEJ' }], payment: { method: 'card' },
    });
    await refused(carrierClaim(d.db, { ...base(o.id), kind: 'lost' }), 'conflict', /no shipment/);
    await refused(reship(d.db, { ...base(o.id), reason: 'x' }), 'conflict', /not shipped/);
    // red mugs: 2 on hand, both reserved by this order -> a reship of the DE order's mugs has none
    const de = await getOrderDetail(d.db, demo.orders.deDamaged.id);
    await refused(reship(d.db, { ...base(de.id), reason: 'x', items: [{ orderItemId: de.items[0].id, quantity: 5 }] }), 'validation_failed', /the order has 1/);
  });

  it('refuses unknown orders and bad ids', async () => {
    await refused(refund(d.db, { ...base(uuidv7()), reason: 'x' }), 'not_found');
    await refused(refund(d.db, { ...base('nope'), reason: 'x' }), 'validation_failed');
    await refused(refund(d.db, { ...base(demo.orders.deDamaged.id), ticketId: uuidv7(), reason: 'x', amount: '1' }), 'not_found', /Ticket/);
  });
});
