/**
 * Shopify webhooks end to end through the HTTP app: signature (good, forged, missing,
 * rotated), redelivery, each topic mapped onto orders / items / customer / payment /
 * shipments / refunds, out-of-order updates, events before their order, body limit, and the
 * integration settings that never give the secret back. Payloads are our own, shaped like
 * the Shopify Admin REST examples (ids as numbers, money as strings, "#1001" names).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startTestServer, type TestServer } from './helpers/server.ts';
import { ManualClock } from '../src/core/clock.ts';
import { shopifyHmac } from '../src/channels/shopify/hmac.ts';
import { ROTATION_GRACE_MS } from '../src/channels/shopify/integrations.ts';

const SECRET = 'shpss_test_secret_0123456789abcdef';

let nextId = 5940139491000;
const newId = () => ++nextId;

let nextNumber = 5000;
function order(over: Record<string, unknown> = {}) {
  const id = (over.id as number | undefined) ?? newId();
  const n = ++nextNumber;
  return {
    id,
    admin_graphql_api_id: `gid://shopify/Order/${id}`,
    email: 'Jon.Doe@Example.com',
    created_at: '2026-11-10T10:30:00-05:00',
    updated_at: '2026-11-10T10:30:00-05:00',
    processed_at: '2026-11-10T10:30:00-05:00',
    number: n - 1000,
    order_number: n,
    name: `#${n}`,
    currency: 'USD',
    total_price: '59.99',
    subtotal_price: '54.99',
    total_tax: '0.00',
    financial_status: 'paid',
    fulfillment_status: null,
    cancelled_at: null,
    cancel_reason: null,
    customer_locale: 'de-DE',
    payment_gateway_names: ['shopify_payments'],
    customer: { id: 115310627314723950, email: 'jon.doe@example.com', first_name: 'Jon', last_name: 'Doe' },
    shipping_address: { first_name: 'Jon', last_name: 'Doe', name: 'Jon Doe', address1: 'Hauptstraße 1', address2: null, city: 'Berlin', zip: '10115', province: null, country: 'Germany', country_code: 'DE', phone: '+49 30 123' },
    line_items: [
      { id: 866550311766439000, variant_id: 808950810, product_id: 632910392, title: 'IPod Nano - 8GB', variant_title: 'green', name: 'IPod Nano - 8GB - green', sku: 'IPOD2008GREEN', quantity: 1, price: '29.99', fulfillment_status: null },
      { id: 141249953214522980, variant_id: 49148385, product_id: 632910392, title: 'Case', variant_title: null, name: 'Case', sku: '', quantity: 2, price: '12.50', fulfillment_status: null },
    ],
    shipping_lines: [{ id: 271878346596884000, title: 'Standard', code: 'Standard', price: '5.00', discounted_price: '5.00' }],
    fulfillments: [],
    refunds: [],
    ...over,
  };
}

function fulfillment(orderId: number, over: Record<string, unknown> = {}) {
  return {
    id: newId(),
    order_id: orderId,
    status: 'success',
    created_at: '2026-11-11T09:00:00-05:00',
    updated_at: '2026-11-11T09:00:00-05:00',
    tracking_company: 'DHL Express',
    shipment_status: null,
    tracking_number: '1234567890',
    tracking_numbers: ['1234567890'],
    tracking_url: 'https://example.invalid/track/1234567890',
    name: '#1001.1',
    line_items: [
      { id: 866550311766439000, variant_id: 808950810, sku: 'IPOD2008GREEN', quantity: 1 },
      { id: 141249953214522980, variant_id: 49148385, sku: '', quantity: 2 },
    ],
    ...over,
  };
}

function refund(orderId: number, over: Record<string, unknown> = {}) {
  return {
    id: newId(),
    order_id: orderId,
    created_at: '2026-11-15T12:00:00-05:00',
    processed_at: '2026-11-15T12:00:00-05:00',
    note: 'Item arrived scratched',
    restock: false,
    refund_line_items: [{ id: 104689539, line_item_id: 866550311766439000, quantity: 1, subtotal: '29.99', total_tax: '0.00' }],
    transactions: [{ id: 179259969, kind: 'refund', status: 'success', amount: '20.00', currency: 'USD', gateway: 'shopify_payments' }],
    ...over,
  };
}

describe('Shopify webhooks', () => {
  let s: TestServer;
  let admin: string;
  let agent: string;
  let storeId: string;
  const clock = new ManualClock('2026-11-20T08:00:00Z');

  beforeAll(async () => {
    s = await startTestServer({ clock });
    ({ token: admin } = await s.tokenFor('admin'));
    ({ token: agent } = await s.tokenFor('agent'));
    storeId = (await s.db.db.selectFrom('stores').select('id').where('is_default', '=', true).executeTakeFirstOrThrow()).id;
    const res = await s.app.inject({ method: 'PUT', url: `/api/v1/stores/${storeId}/integrations/shopify`, headers: bearer(admin), payload: { shopDomain: 'crossdesk-test.myshopify.com', webhookSecret: SECRET } });
    expect(res.statusCode).toBe(200);
  });
  afterAll(async () => s.close());

  const send = (topic: string, payload: unknown, opts: { id?: string; secret?: string; hmac?: string | null; store?: string; raw?: string } = {}) => {
    const body = opts.raw ?? JSON.stringify(payload);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'x-shopify-topic': topic,
      'x-shopify-shop-domain': 'crossdesk-test.myshopify.com',
      'x-shopify-webhook-id': opts.id ?? `wh-${newId()}`,
      'x-shopify-api-version': '2025-01',
    };
    if (opts.hmac !== null) headers['x-shopify-hmac-sha256'] = opts.hmac ?? shopifyHmac(opts.secret ?? SECRET, body);
    return s.app.inject({ method: 'POST', url: `/webhooks/shopify/${opts.store ?? storeId}`, headers, payload: body });
  };
  const orderByExternal = async (id: number) => {
    const res = await s.app.inject({ url: `/api/v1/orders?externalId=${id}`, headers: bearer(agent) });
    expect(res.statusCode).toBe(200);
    const items = res.json().items as Array<{ id: string }>;
    if (!items.length) return null;
    const detail = await s.app.inject({ url: `/api/v1/orders/${items[0].id}`, headers: bearer(agent) });
    return detail.json();
  };

  it('never returns the secret; only admins see or set it', async () => {
    const res = await s.app.inject({ url: `/api/v1/stores/${storeId}/integrations/shopify`, headers: bearer(admin) });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ storeId, shopDomain: 'crossdesk-test.myshopify.com', hasWebhookSecret: true, webhookUrl: `/webhooks/shopify/${storeId}` });
    expect(res.body).not.toContain(SECRET);
    expect((await s.app.inject({ url: `/api/v1/stores/${storeId}/integrations/shopify`, headers: bearer(agent) })).statusCode).toBe(403);
    const short = await s.app.inject({ method: 'PUT', url: `/api/v1/stores/${storeId}/integrations/shopify`, headers: bearer(admin), payload: { webhookSecret: 'short' } });
    expect(short.statusCode).toBe(400);
  });

  it('accepts a signed orders/create and maps the order, items, customer, address and payment', async () => {
    const o = order({ name: '#1101', order_number: 1101 });
    const res = await send('orders/create', o);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'processed' });
    const d = await orderByExternal(o.id);
    expect(d).toMatchObject({
      number: '#1101',
      externalId: String(o.id),
      currency: 'USD',
      total: '59.99',
      status: 'open',
      financialStatus: 'paid',
      fulfillmentStatus: 'unfulfilled',
      customer: { email: 'jon.doe@example.com', name: 'Jon Doe', country: 'DE', language: 'de' },
      shippingAddress: { name: 'Jon Doe', line1: 'Hauptstraße 1', city: 'Berlin', postalCode: '10115', country: 'DE', phone: '+49 30 123' },
    });
    expect(d.items.map((i: { sku: string; quantity: number; unitPrice: string; title: string }) => [i.sku, i.quantity, i.unitPrice, i.title])).toEqual([
      ['IPOD2008GREEN', 1, '29.99', 'IPod Nano - 8GB - green'],
      ['shopify-variant-49148385', 2, '12.50', 'Case'],
    ]);
    expect(d.payments).toHaveLength(1);
    expect(d.payments[0]).toMatchObject({ method: 'shopify_payments', amount: '59.99', captured: '59.99' });
    // found by number too, with or without "#"
    const byNumber = await s.app.inject({ url: '/api/v1/orders?number=1101', headers: bearer(agent) });
    expect(byNumber.json().items[0].externalId).toBe(String(o.id));
  });

  it('refuses forged, missing and wrong-secret signatures with 401 and records nothing', async () => {
    const o = order({ name: '#1102', order_number: 1102 });
    const body = JSON.stringify(o);
    const forged = await send('orders/create', o, { raw: body.replace('59.99', '0.01'), hmac: shopifyHmac(SECRET, body) });
    expect(forged.statusCode).toBe(401);
    expect(forged.json().error.code).toBe('unauthorized');
    const missing = await send('orders/create', o, { hmac: null });
    expect(missing.statusCode).toBe(401);
    expect(missing.json().error.message).toMatch(/Missing X-Shopify-Hmac-Sha256/);
    expect((await send('orders/create', o, { secret: 'another-secret-of-some-length' })).statusCode).toBe(401);
    expect((await send('orders/create', o, { hmac: 'not base64 at all!' })).statusCode).toBe(401);
    expect((await send('orders/create', o, { hmac: '' })).statusCode).toBe(401);
    expect(await orderByExternal(o.id)).toBeNull();
    expect(await s.db.db.selectFrom('webhook_deliveries').select('id').where('resource_id', '=', String(o.id)).execute()).toEqual([]);
  });

  it('answers 404 for an unknown store and 413 beyond 2 MB', async () => {
    const unknown = await send('orders/create', order(), { store: '0190a8e0-0000-7000-8000-000000000000' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('not_found');
    expect((await send('orders/create', order(), { store: 'not-a-uuid' })).statusCode).toBe(404);
    const big = order({ note: 'x'.repeat(2 * 1024 * 1024 + 10) });
    const res = await send('orders/create', big);
    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBe('payload_too_large');
  });

  it('makes a redelivery (same webhook id) a no-op: one order', async () => {
    const o = order({ name: '#1103', order_number: 1103 });
    const first = await send('orders/create', o, { id: 'dup-1103' });
    const again = await send('orders/create', o, { id: 'dup-1103' });
    expect(first.json().status).toBe('processed');
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ status: 'duplicate', deliveryId: first.json().deliveryId, orderId: first.json().orderId });
    const rows = await s.db.db.selectFrom('orders').select('id').where('external_id', '=', String(o.id)).execute();
    expect(rows).toHaveLength(1);
    // the same content under a new delivery id changes nothing either
    expect((await send('orders/create', o)).json().status).toBe('unchanged');
  });

  it('applies orders/updated, and never lets an older update overwrite a newer one', async () => {
    const o = order({ name: '#1104', order_number: 1104 });
    await send('orders/create', o);
    const newer = { ...o, updated_at: '2026-11-12T10:00:00-05:00', email: 'new.address@example.com', line_items: [{ ...o.line_items[0], quantity: 3 }], total_price: '94.97' };
    const older = { ...o, updated_at: '2026-11-11T10:00:00-05:00', email: 'older@example.com' };
    expect((await send('orders/updated', newer)).json().status).toBe('processed');
    const late = await send('orders/updated', older);
    expect(late.statusCode).toBe(200);
    expect(late.json().status).toBe('stale');
    const d = await orderByExternal(o.id);
    expect(d.customer.email).toBe('new.address@example.com');
    expect(d.total).toBe('94.97');
    expect(d.items.map((i: { sku: string; quantity: number }) => [i.sku, i.quantity])).toEqual([['IPOD2008GREEN', 3]]);
  });

  it('orders/cancelled marks the order cancelled with the reason', async () => {
    const o = order({ name: '#1105', order_number: 1105 });
    await send('orders/create', o);
    const res = await send('orders/cancelled', { ...o, updated_at: '2026-11-10T11:00:00-05:00', cancelled_at: '2026-11-10T11:00:00-05:00', cancel_reason: 'customer', financial_status: 'voided' });
    expect(res.json().status).toBe('processed');
    const d = await orderByExternal(o.id);
    expect(d).toMatchObject({ status: 'cancelled', cancelReason: 'customer', cancelledAt: '2026-11-10T16:00:00.000Z', financialStatus: 'voided' });
  });

  it('fulfillments/create and /update become a shipment with tracking; an older update is ignored', async () => {
    const o = order({ name: '#1106', order_number: 1106 });
    await send('orders/create', o);
    const f = fulfillment(o.id);
    expect((await send('fulfillments/create', f)).json().status).toBe('processed');
    let d = await orderByExternal(o.id);
    expect(d.fulfillmentStatus).toBe('fulfilled');
    expect(d.shipment).toMatchObject({ carrier: 'DHL Express', trackingNumber: '1234567890', status: 'in_transit', shippedAt: '2026-11-11T14:00:00.000Z' });
    const delivered = { ...f, shipment_status: 'delivered', updated_at: '2026-11-14T08:00:00-05:00' };
    const outForDelivery = { ...f, shipment_status: 'out_for_delivery', updated_at: '2026-11-13T08:00:00-05:00' };
    expect((await send('fulfillments/update', delivered)).json().status).toBe('processed');
    expect((await send('fulfillments/update', outForDelivery)).json().status).toBe('stale');
    d = await orderByExternal(o.id);
    expect(d.shipments).toHaveLength(1);
    expect(d.shipment).toMatchObject({ status: 'delivered', deliveredAt: '2026-11-14T13:00:00.000Z' });
    expect(d.shipment.events.map((e: { status: string }) => e.status)).toEqual(['delivered', 'in_transit']);
    // a later orders/updated carrying the fulfillment changes nothing that is newer
    const upd = await send('orders/updated', { ...o, updated_at: '2026-11-14T09:00:00-05:00', fulfillment_status: 'fulfilled', fulfillments: [outForDelivery] });
    expect(upd.json().status).toBe('processed');
    expect((await orderByExternal(o.id)).shipment.status).toBe('delivered');
  });

  it('a partial fulfillment leaves the order partially fulfilled; several tracking numbers make several shipments', async () => {
    const o = order({ name: '#1107', order_number: 1107 });
    await send('orders/create', o);
    const f = fulfillment(o.id, { line_items: [{ id: 1, variant_id: 808950810, sku: 'IPOD2008GREEN', quantity: 1 }], tracking_number: 'YT100', tracking_numbers: ['YT100', 'YT101'], tracking_company: 'YunExpress' });
    expect((await send('fulfillments/create', f)).json().status).toBe('processed');
    const d = await orderByExternal(o.id);
    expect(d.fulfillmentStatus).toBe('partially_fulfilled');
    expect(d.shipments.map((x: { trackingNumber: string; carrier: string }) => [x.carrier, x.trackingNumber]).sort()).toEqual([['YunExpress', 'YT100'], ['YunExpress', 'YT101']]);
  });

  it('refunds/create records the refund from its transactions and moves the financial status', async () => {
    const o = order({ name: '#1108', order_number: 1108 });
    await send('orders/create', o);
    const r = refund(o.id);
    expect((await send('refunds/create', r)).json().status).toBe('processed');
    expect((await send('refunds/create', r)).json().status).toBe('unchanged');
    let d = await orderByExternal(o.id);
    expect(d.refunds).toHaveLength(1);
    expect(d.refunds[0]).toMatchObject({ amount: '20.00', currency: 'USD', method: 'shopify_payments', reason: 'Item arrived scratched', status: 'succeeded' });
    expect(d.financialStatus).toBe('partially_refunded');
    expect(d.totals).toMatchObject({ paid: '59.99', refunded: '20.00', refundable: '39.99' });
    // the rest, without transactions: the lines' subtotals are the amount
    await send('refunds/create', refund(o.id, { transactions: [], refund_line_items: [{ id: 2, line_item_id: 1, quantity: 1, subtotal: '39.99' }] }));
    d = await orderByExternal(o.id);
    expect(d.financialStatus).toBe('refunded');
    expect(d.totals.refundable).toBe('0.00');
  });

  it('keeps a fulfillment or refund that arrives before its order and applies it when the order comes', async () => {
    const o = order({ name: '#1109', order_number: 1109 });
    const early = await send('fulfillments/create', fulfillment(o.id, { tracking_number: 'EARLY1', tracking_numbers: ['EARLY1'] }));
    expect(early.statusCode).toBe(200);
    expect(early.json().status).toBe('waiting');
    expect((await send('refunds/create', refund(o.id))).json().status).toBe('waiting');
    expect((await send('orders/create', o)).json().status).toBe('processed');
    const d = await orderByExternal(o.id);
    expect(d.shipment.trackingNumber).toBe('EARLY1');
    expect(d.refunds.map((r: { amount: string }) => r.amount)).toEqual(['20.00']);
    const left = await s.db.db.selectFrom('webhook_deliveries').select('status').where('order_external_id', '=', String(o.id)).execute();
    expect(left.map((x) => x.status).sort()).toEqual(['processed', 'processed', 'processed']);
  });

  it('records an unknown topic as ignored; rejects a malformed payload with 400 and lets Shopify retry it', async () => {
    const res = await send('products/update', { id: 1, title: 'x' });
    expect(res.statusCode).toBe(200);
    expect(res.json().status).toBe('ignored');
    const row = await s.db.db.selectFrom('webhook_deliveries').select(['status', 'topic']).where('id', '=', res.json().deliveryId).executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'ignored', topic: 'products/update' });
    const bad = order({ total_price: '12.345' });
    const first = await send('orders/create', bad, { id: 'bad-money' });
    expect(first.statusCode).toBe(400);
    expect(first.json().error.message).toMatch(/total_price/);
    const failed = await s.db.db.selectFrom('webhook_deliveries').select(['status', 'error']).where('webhook_id', '=', 'bad-money').executeTakeFirstOrThrow();
    expect(failed.status).toBe('failed');
    // a retry is processed again (not taken for a duplicate) once the payload is right
    const fixed = await send('orders/create', { ...bad, total_price: '12.34' }, { id: 'bad-money' });
    expect(fixed.json().status).toBe('processed');
    expect((await send('orders/create', order(), { raw: '{not json' })).statusCode).toBe(400);
  });

  it('accepts the previous secret for a grace period after a rotation, then only the new one', async () => {
    const next = 'shpss_rotated_secret_fedcba9876543210';
    const put = await s.app.inject({ method: 'PUT', url: `/api/v1/stores/${storeId}/integrations/shopify`, headers: bearer(admin), payload: { shopDomain: 'crossdesk-test.myshopify.com', webhookSecret: next } });
    expect(put.json().previousSecretValidUntil).toBe(new Date(clock.now().getTime() + ROTATION_GRACE_MS).toISOString());
    expect((await send('orders/create', order(), { secret: SECRET })).statusCode).toBe(200);
    expect((await send('orders/create', order(), { secret: next })).statusCode).toBe(200);
    clock.advance(ROTATION_GRACE_MS + 1000);
    expect((await send('orders/create', order(), { secret: SECRET })).statusCode).toBe(401);
    expect((await send('orders/create', order(), { secret: next })).statusCode).toBe(200);
  });
});
