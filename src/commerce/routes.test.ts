import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PDFDocument } from 'pdf-lib';
import { bearer, startTestServer, type TestServer } from '../../test/helpers/server.ts';
import { uuidv7 } from '../core/ids.ts';
import { seedDemoCommerce, type DemoCommerce } from './seed.ts';

describe('orders API', () => {
  let s: TestServer;
  let agent: string;
  let trainer: string;
  let demo: DemoCommerce;
  let storeId: string;
  beforeAll(async () => {
    s = await startTestServer();
    ({ token: agent } = await s.tokenFor('agent'));
    ({ token: trainer } = await s.tokenFor('trainer'));
    storeId = (await s.db.db.selectFrom('stores').select('id').where('is_default', '=', true).executeTakeFirstOrThrow()).id;
    demo = await seedDemoCommerce(s.db.db, storeId);
  });
  afterAll(async () => s.close());

  const get = (url: string, token = agent) => s.app.inject({ url, headers: bearer(token) });
  const act = (orderId: string, name: string, body: object, key?: string, token = agent) =>
    s.app.inject({ method: 'POST', url: `/api/v1/orders/${orderId}/actions/${name}`, headers: { ...bearer(token), ...(key ? { 'idempotency-key': key } : {}) }, payload: body });

  it('finds orders by number, external id and customer e-mail', async () => {
    const byNumber = await get('/api/v1/orders?number=%23CD-10482');
    expect(byNumber.statusCode).toBe(200);
    expect(byNumber.json().items).toHaveLength(1);
    expect(byNumber.json().items[0]).toMatchObject({ number: 'CD-10482', currency: 'EUR', customer: { email: 'jonas.becker@example.de', country: 'DE' } });
    expect((await get('/api/v1/orders?externalId=shopify-5801102481')).json().items[0].number).toBe('CD-10481');
    expect((await get('/api/v1/orders?customerEmail=Emily.Carter@example.com')).json().items[0].number).toBe('CD-10481');
    expect((await get('/api/v1/orders?number=nope')).json().items).toEqual([]);
    expect((await get('/api/v1/orders?limit=abc')).statusCode).toBe(400);
    expect((await get('/api/v1/orders?bogus=1')).statusCode).toBe(400);
  });

  it('shows an order with items, payments, shipment and tracking events', async () => {
    const res = await get(`/api/v1/orders/${demo.orders.deDamaged.id}`, trainer);
    expect(res.statusCode).toBe(200);
    const o = res.json();
    expect(o.items.map((i: { sku: string }) => i.sku)).toEqual(['LAMP-AUR-WHT-EU', 'MUG-THM-GRY-EU']);
    expect(o.payments[0]).toMatchObject({ method: 'paypal', captured: '114.60' });
    expect(o.shipment).toMatchObject({ carrier: 'DHL Paket', status: 'delivered' });
    expect(o.shipment.events[0]).toMatchObject({ status: 'delivered', location: 'Berlin, DE' });
    expect(o.returnTerms).toMatchObject({ market: 'DE', withdrawalDays: 14, withdrawalOpen: true, whoPaysShipping: { damaged: 'seller', faulty: 'seller', change_of_mind: 'buyer' } });
    expect(o.returnTerms.daysSinceDelivery).toBeGreaterThanOrEqual(3);
    const us = (await get(`/api/v1/orders/${demo.orders.usChangeOfMind.id}`)).json();
    expect(us.returnTerms).toMatchObject({ market: 'US', withdrawalOpen: false, storeWindowDays: 30, storeWindowOpen: true, whoPaysShipping: { change_of_mind: 'buyer', damaged: 'seller' } });
    expect((await get(`/api/v1/orders/${uuidv7()}`)).statusCode).toBe(404);
    expect((await get('/api/v1/orders/not-an-id')).statusCode).toBe(400);
    expect((await s.app.inject({ url: `/api/v1/orders/${demo.orders.deDamaged.id}` })).statusCode).toBe(401);
  });

  it('a one-click return on a German damaged-item ticket: seller pays, label PDF, event on the ticket', async () => {
    const t = (await s.app.inject({
      method: 'POST', url: '/api/v1/tickets', headers: bearer(agent),
      payload: { subject: 'Lampe beschädigt angekommen', body: 'Die Lampe kam zerbrochen an. Bestellung CD-10482.', customer: { email: 'jonas.becker@example.de', name: 'Jonas Becker' } },
    })).json();
    const o = (await get(`/api/v1/orders/${demo.orders.deDamaged.id}`)).json();
    const lamp = o.items[0];
    const key = `ret-${uuidv7()}`;
    const res = await act(o.id, 'return', { ticketId: t.id, reason: 'damaged', items: [{ orderItemId: lamp.id, quantity: 1 }] }, key);
    expect(res.statusCode, res.body).toBe(200);
    const out = res.json();
    expect(out).toMatchObject({ type: 'return', replayed: false, ticketId: t.id, result: { whoPaysShipping: 'seller', market: 'DE', status: 'label_created' } });

    // a retry (double click, network) gives the same return, not a second one
    const again = await act(o.id, 'return', { ticketId: t.id, reason: 'damaged', items: [{ orderItemId: lamp.id, quantity: 1 }] }, key);
    expect(again.json()).toMatchObject({ actionId: out.actionId, replayed: true, result: { rma: out.result.rma } });
    expect((await get(`/api/v1/orders/${o.id}`)).json().returns).toHaveLength(1);

    const pdf = await s.app.inject({ url: out.result.labelUrl, headers: bearer(agent) });
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.rawPayload.subarray(0, 4).toString('latin1')).toBe('%PDF');
    const doc = await PDFDocument.load(pdf.rawPayload);
    expect(doc.getPage(0).getSize()).toEqual({ width: 288, height: 432 });
    expect(pdf.rawPayload.includes(Buffer.from('/Subtype /Image'))).toBe(true);
    expect((await get(`/api/v1/returns/${uuidv7()}/label.pdf`)).statusCode).toBe(404);

    const ticket = (await get(`/api/v1/tickets/${t.id}`)).json();
    const ev = ticket.events.find((e: { type: string }) => e.type === 'order_action');
    expect(ev).toBeTruthy();
    expect(ticket.events.filter((e: { type: string }) => e.type === 'order_action')).toHaveLength(1);
  });

  it('refuses what the order state forbids with 409 and a reason', async () => {
    const over = await act(demo.orders.usChangeOfMind.id, 'refund', { amount: '500.00', reason: 'test' }, `r-${uuidv7()}`);
    expect(over.statusCode).toBe(409);
    expect(over.json().error).toMatchObject({ code: 'conflict', details: { reason: 'exceeds_refundable', refundable: '79.99' } });
    const shipped = await act(demo.orders.frInTransit.id, 'cancel', { reason: 'too slow' }, `c-${uuidv7()}`);
    expect(shipped.statusCode).toBe(409);
    expect(shipped.json().error.message).toMatch(/already shipped/);
    const addr = await act(demo.orders.deDamaged.id, 'address', { address: { name: 'J', line1: 'x 1', city: 'Berlin', postalCode: '10115', country: 'DE' } }, `a-${uuidv7()}`);
    expect(addr.statusCode).toBe(409);
    const o = (await get(`/api/v1/orders/${demo.orders.usChangeOfMind.id}`)).json();
    const white = await s.db.db.selectFrom('variants').select('id').where('sku', '=', 'BUDS-ECH-WHT-US').executeTakeFirstOrThrow();
    const ex = await act(o.id, 'exchange', { orderItemId: o.items[0].id, variantId: white.id, reason: 'colour' }, `x-${uuidv7()}`);
    expect(ex.statusCode).toBe(409);
    expect(ex.json().error.details).toMatchObject({ reason: 'out_of_stock', sku: 'BUDS-ECH-WHT-US' });
    const opts = (await get(`/api/v1/orders/${o.id}/exchange-options`)).json();
    expect(opts.items[0].alternatives.find((a: { sku: string }) => a.sku === 'BUDS-ECH-BLU-US')).toMatchObject({ priceDifference: '5.00' });
  });

  it('rejects bad input, a missing idempotency key and the wrong role', async () => {
    const id = demo.orders.usChangeOfMind.id;
    const k = () => `b-${uuidv7()}`;
    const cases: Array<[string, object, string | undefined, number]> = [
      ['refund', { amount: '10', reason: 'x' }, undefined, 400],
      ['refund', { amount: '10', reason: 'x', idempotencyKey: 'short' }, undefined, 400],
      ['refund', { amount: 10, reason: 'x' }, k(), 400],
      ['refund', { amount: '-1', reason: 'x' }, k(), 400],
      ['refund', { amount: '1.999', reason: 'x' }, k(), 400],
      ['refund', { amount: '1', reason: '' }, k(), 400],
      ['refund', { amount: '1', reason: 'x', extra: true }, k(), 400],
      ['return', { reason: 'bored', items: [] }, k(), 400],
      ['return', { reason: 'faulty', items: [{ orderItemId: uuidv7(), quantity: 1 }] }, k(), 400],
      ['claim', { kind: 'stolen' }, k(), 400],
      ['exchange', { orderItemId: 'x', variantId: uuidv7(), reason: 'r' }, k(), 400],
      ['address', { address: { name: 'a', line1: 'b', city: 'c', postalCode: 'd', country: 'Germany' } }, k(), 400],
      ['refund', { amount: '1', reason: 'x', ticketId: uuidv7() }, k(), 404],
    ];
    for (const [name, body, key, status] of cases) {
      const res = await act(id, name, body, key);
      expect(res.statusCode, `${name} ${JSON.stringify(body)}: ${res.body}`).toBe(status);
      expect(res.json().error.code).toEqual(expect.any(String));
    }
    // header and body keys must agree; the body key alone works
    const both = await act(id, 'refund', { amount: '1.00', reason: 'x', idempotencyKey: k() }, k());
    expect(both.statusCode).toBe(400);
    const bodyKey = await act(id, 'refund', { amount: '1.00', reason: 'goodwill', idempotencyKey: k() });
    expect(bodyKey.statusCode).toBe(200);
    expect(bodyKey.json().result).toMatchObject({ amount: '1.00', method: 'card', remaining: '78.99' });
    const trainerTries = await act(id, 'refund', { amount: '1.00', reason: 'x' }, k(), trainer);
    expect(trainerTries.statusCode).toBe(403);
    expect((await act(uuidv7(), 'refund', { amount: '1.00', reason: 'x' }, k())).statusCode).toBe(404);
  });

  it('moves a return through in_transit and received, then refunds it', async () => {
    const o = (await get(`/api/v1/orders/${demo.orders.esWrongItem.id}`)).json();
    const r = (await act(o.id, 'return', { reason: 'wrong_item', items: [{ orderItemId: o.items[0].id, quantity: 1 }] }, `r-${uuidv7()}`)).json();
    const step = (status: string) => s.app.inject({ method: 'POST', url: `/api/v1/returns/${r.result.returnId}/status`, headers: { ...bearer(agent), 'idempotency-key': `s-${uuidv7()}` }, payload: { status } });
    expect((await step('received')).statusCode).toBe(200);
    expect((await step('in_transit')).statusCode).toBe(409);
    const f = await act(o.id, 'refund', { reason: 'wrong item returned', returnId: r.result.returnId }, `f-${uuidv7()}`);
    expect(f.json().result).toMatchObject({ amount: '69.90', method: 'klarna' });
    const after = (await get(`/api/v1/orders/${o.id}`)).json();
    expect(after.returns[0]).toMatchObject({ status: 'refunded', whoPaysShipping: 'seller' });
    expect(after.financialStatus).toBe('partially_refunded');
  });
});
