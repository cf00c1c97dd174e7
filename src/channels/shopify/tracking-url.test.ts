/**
 * The carrier's tracking URL of a Shopify fulfillment: kept on the shipment only when it is a
 * safe absolute http(s) link, returned by the order detail as `trackingUrl`; anything else is
 * dropped while the rest of the fulfillment (and the delivery) still goes through; an update
 * without a URL keeps the stored one, a new valid one replaces it. End to end through the
 * signed webhook route, on PGlite or (DATABASE_URL) PostgreSQL.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startTestServer, type TestServer } from '../../../test/helpers/server.ts';
import { ManualClock } from '../../core/clock.ts';
import { shopifyHmac } from './hmac.ts';
import { mapShopifyFulfillment, safeTrackingUrl } from './map.ts';

const SECRET = 'shpss_tracking_url_secret_0123456789';

let nextId = 7_340_000_000_000;
const newId = () => ++nextId;

function order(over: Record<string, unknown> = {}) {
  const id = newId();
  const n = 1000 + (id % 100_000);
  return {
    id,
    email: 'mia@example.com',
    created_at: '2026-11-10T10:30:00Z',
    updated_at: '2026-11-10T10:30:00Z',
    name: `#TU${n}`,
    order_number: n,
    currency: 'EUR',
    total_price: '20.00',
    financial_status: 'paid',
    fulfillment_status: null,
    customer: { email: 'mia@example.com', first_name: 'Mia', last_name: 'Kurz' },
    shipping_address: { name: 'Mia Kurz', address1: 'Ring 2', city: 'Wien', zip: '1010', country_code: 'AT' },
    line_items: [{ id: newId(), variant_id: 1, sku: 'TU-SKU', name: 'Mug', quantity: 1, price: '20.00' }],
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
    created_at: '2026-11-11T09:00:00Z',
    updated_at: '2026-11-11T09:00:00Z',
    tracking_company: 'Austrian Post',
    shipment_status: 'in_transit',
    tracking_number: 'AT100200300',
    tracking_numbers: ['AT100200300'],
    line_items: [{ id: 1, variant_id: 1, sku: 'TU-SKU', quantity: 1 }],
    ...over,
  };
}

describe('safeTrackingUrl', () => {
  it('keeps absolute http(s) URLs, normalised', () => {
    expect(safeTrackingUrl('https://www.post.at/sv/sendungssuche?snr=AT1')).toBe('https://www.post.at/sv/sendungssuche?snr=AT1');
    expect(safeTrackingUrl('  HTTP://Track.Example.com/a b  ')).toBe('http://track.example.com/a%20b');
  });

  it('drops scripts, data, relative or scheme-less text, credentials, non-strings and overlong URLs', () => {
    const bad: unknown[] = [
      'javascript:alert(1)',
      'JavaScript:alert(1)',
      ' javascript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'vbscript:msgbox(1)',
      '/track/123',
      'track/123',
      '//evil.example/track',
      'https:evil.example',
      'ftp://example.com/x',
      'https://',
      'https://carrier.example@evil.example/',
      '',
      42,
      null,
      undefined,
      { href: 'https://example.com' },
      ['https://example.com'],
      `https://example.com/${'a'.repeat(2000)}`,
    ];
    for (const v of bad) expect(safeTrackingUrl(v), JSON.stringify(v)).toBeNull();
    // exactly 2,000 characters is still kept
    const max = `https://example.com/${'a'.repeat(2000 - 'https://example.com/'.length)}`;
    expect(max).toHaveLength(2000);
    expect(safeTrackingUrl(max)).toBe(max);
  });
});

describe('mapShopifyFulfillment: tracking URLs', () => {
  it('gives each parcel its own URL from parallel lists, the first falling back to tracking_urls[0]', () => {
    const m = mapShopifyFulfillment({ id: 1, order_id: 2, tracking_numbers: ['A1', 'B2'], tracking_urls: ['https://t.example/A1', 'https://t.example/B2'] });
    expect(m.shipments.map((s) => [s.trackingNumber, s.trackingUrl])).toEqual([['A1', 'https://t.example/A1'], ['B2', 'https://t.example/B2']]);
    // lists of different lengths: only the first parcel gets a URL (never another parcel's)
    const uneven = mapShopifyFulfillment({ id: 1, order_id: 2, tracking_numbers: ['A1', 'B2'], tracking_url: 'https://t.example/A1' });
    expect(uneven.shipments.map((s) => s.trackingUrl)).toEqual(['https://t.example/A1', undefined]);
    // no number at all: the one shipment still takes the URL
    expect(mapShopifyFulfillment({ id: 1, order_id: 2, tracking_url: 'https://t.example/x' }).shipments[0].trackingUrl).toBe('https://t.example/x');
  });

  it('leaves the URL out (not null) when there is none or it is unsafe, and never fails the fulfillment for it', () => {
    for (const over of [{}, { tracking_url: 'javascript:alert(1)' }, { tracking_url: 7 }, { tracking_urls: 'https://x.example' }, { tracking_urls: [{}] }]) {
      const m = mapShopifyFulfillment({ id: 1, order_id: 2, tracking_number: 'N1', ...over });
      expect(m.shipments).toHaveLength(1);
      expect(m.shipments[0].trackingNumber).toBe('N1');
      expect('trackingUrl' in m.shipments[0], JSON.stringify(over)).toBe(false);
    }
  });
});

describe('Shopify fulfillment tracking URL through the webhook', () => {
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
    const res = await s.app.inject({ method: 'PUT', url: `/api/v1/stores/${storeId}/integrations/shopify`, headers: bearer(admin), payload: { webhookSecret: SECRET } });
    expect(res.statusCode).toBe(200);
  });
  afterAll(async () => s?.close());

  const send = async (topic: string, payload: unknown) => {
    const body = JSON.stringify(payload);
    const res = await s.app.inject({
      method: 'POST',
      url: `/webhooks/shopify/${storeId}`,
      headers: { 'content-type': 'application/json', 'x-shopify-topic': topic, 'x-shopify-webhook-id': `wh-${newId()}`, 'x-shopify-hmac-sha256': shopifyHmac(SECRET, body) },
      payload: body,
    });
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as { status: string; orderId: string | null };
  };

  type ShipmentOut = { trackingNumber: string | null; trackingUrl: string | null; carrier: string; status: string };
  const detail = async (orderId: string) => {
    const res = await s.app.inject({ url: `/api/v1/orders/${orderId}`, headers: bearer(agent) });
    expect(res.statusCode).toBe(200);
    return res.json() as { shipment: ShipmentOut | null; shipments: ShipmentOut[] };
  };
  const newOrder = async () => {
    const o = order();
    const r = await send('orders/create', o);
    expect(r.status).toBe('processed');
    return { o, orderId: r.orderId! };
  };

  it('stores a fulfillment\'s tracking_url and the order detail returns it', async () => {
    const { o, orderId } = await newOrder();
    const url = 'https://www.post.at/sv/sendungsdetails?snr=AT100200300';
    expect((await send('fulfillments/create', fulfillment(o.id, { tracking_url: url }))).status).toBe('processed');
    const d = await detail(orderId);
    expect(d.shipment).toMatchObject({ carrier: 'Austrian Post', trackingNumber: 'AT100200300', trackingUrl: url });
    expect(d.shipments).toHaveLength(1);
    expect(d.shipments[0].trackingUrl).toBe(url);
    const row = await s.db.db.selectFrom('shipments').select(['tracking_url']).where('order_id', '=', orderId).executeTakeFirstOrThrow();
    expect(row.tracking_url).toBe(url);
  });

  it('takes the first of tracking_urls when tracking_url is absent; a shipment without any URL answers null', async () => {
    const { o, orderId } = await newOrder();
    await send('fulfillments/create', fulfillment(o.id, { tracking_urls: ['https://track.example/AT100200300'] }));
    expect((await detail(orderId)).shipment?.trackingUrl).toBe('https://track.example/AT100200300');
    const other = await newOrder();
    await send('fulfillments/create', fulfillment(other.o.id));
    expect((await detail(other.orderId)).shipment).toMatchObject({ trackingNumber: 'AT100200300', trackingUrl: null });
  });

  it('drops javascript:, data:, relative, non-string and overlong URLs but keeps the tracking number and accepts the delivery', async () => {
    const bad: unknown[] = ['javascript:alert(1)', '/track?n=AT100200300', 'data:text/html,hi', 12345, `https://x.example/${'a'.repeat(2100)}`];
    for (const v of bad) {
      const { o, orderId } = await newOrder();
      const r = await send('fulfillments/create', fulfillment(o.id, { tracking_url: v, tracking_urls: [v] }));
      expect(r.status, JSON.stringify(v).slice(0, 40)).toBe('processed');
      const d = await detail(orderId);
      expect(d.shipment, JSON.stringify(v).slice(0, 40)).toMatchObject({ trackingNumber: 'AT100200300', trackingUrl: null, status: 'in_transit' });
      const rows = await s.db.db.selectFrom('shipments').select(['tracking_number', 'tracking_url']).where('order_id', '=', orderId).execute();
      expect(rows).toEqual([{ tracking_number: 'AT100200300', tracking_url: null }]);
    }
  });

  it('an update without a URL keeps the stored one; a new valid one replaces it; an unsafe one changes nothing', async () => {
    const { o, orderId } = await newOrder();
    const first = 'https://track.example/v1/AT100200300';
    const f = fulfillment(o.id, { tracking_url: first, shipment_status: 'in_transit' });
    await send('fulfillments/create', f);

    // later update, no URL at all: status moves, URL stays
    const noUrl = { ...f, tracking_url: undefined, tracking_urls: [], shipment_status: 'out_for_delivery', updated_at: '2026-11-12T09:00:00Z' };
    expect((await send('fulfillments/update', noUrl)).status).toBe('processed');
    let d = await detail(orderId);
    expect(d.shipment).toMatchObject({ status: 'out_for_delivery', trackingUrl: first });

    // the order itself, re-sent with the fulfillment embedded without a URL: still kept
    expect((await send('orders/updated', { ...o, updated_at: '2026-11-12T10:00:00Z', fulfillment_status: 'fulfilled', fulfillments: [{ ...noUrl, updated_at: '2026-11-12T10:00:00Z' }] })).status).toBe('processed');
    expect((await detail(orderId)).shipment?.trackingUrl).toBe(first);

    // a new valid URL replaces it
    const second = 'https://carrier.example/track?id=AT100200300&lang=de';
    expect((await send('fulfillments/update', { ...f, tracking_url: second, shipment_status: 'out_for_delivery', updated_at: '2026-11-13T09:00:00Z' })).status).toBe('processed');
    expect((await detail(orderId)).shipment?.trackingUrl).toBe(second);

    // an unsafe one is dropped: the stored URL stays, the rest of the update is applied
    expect((await send('fulfillments/update', { ...f, tracking_url: 'javascript:alert(document.cookie)', shipment_status: 'delivered', updated_at: '2026-11-14T09:00:00Z' })).status).toBe('processed');
    d = await detail(orderId);
    expect(d.shipment).toMatchObject({ status: 'delivered', trackingUrl: second });
    expect(d.shipments).toHaveLength(1);
  });

  it('the column refuses anything but an http(s) URL of at most 2,000 characters', async () => {
    const { o, orderId } = await newOrder();
    await send('fulfillments/create', fulfillment(o.id));
    const set = (url: string) => sql`UPDATE shipments SET tracking_url = ${url} WHERE order_id = ${orderId}`.execute(s.db.db);
    await expect(set('javascript:alert(1)')).rejects.toThrow(/check constraint/i);
    await expect(set(`https://x.example/${'a'.repeat(2000)}`)).rejects.toThrow(/check constraint/i);
    await set('https://ok.example/1');
    expect((await detail(orderId)).shipment?.trackingUrl).toBe('https://ok.example/1');
  });
});
