/**
 * Bulk imports of orders: CSV (broken rows, re-run is a no-op, changed rows update), Shopify
 * exports, the HTTP upload running as a job with progress, and `crossdesk import` run as a
 * user would.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { bearer, startTestServer, type TestServer } from './helpers/server.ts';
import { createTestDatabase } from './helpers/db.ts';
import type { Database } from '../src/db/index.ts';
import { systemClock } from '../src/core/clock.ts';
import { repoRoot } from '../src/core/paths.ts';
import { importOrdersCsv, importShopifyOrders, decodeImportText } from '../src/commerce/import/run.ts';
import { getOrderDetail } from '../src/commerce/orders.ts';

const HEADER = 'order_number,external_id,created_at,currency,customer_email,customer_name,country,sku,product_name,quantity,unit_price,shipping_price,shipping_carrier,tracking_number,financial_status';

const CSV = [
  HEADER,
  'A-1001,ext-1001,2026-10-01T09:00:00Z,EUR,hans@example.de,Hans Müller,DE,MUG-1,"Becher, groß",2,12.50,4.90,DHL,JJD0001,paid', // 2
  'A-1001,ext-1001,2026-10-01T09:00:00Z,EUR,hans@example.de,Hans Müller,DE,PLT-1,Teller,1,7.00,,DHL,JJD0001,paid', // 3
  'A-1002,ext-1002,2026-10-02,JPY,sato@example.jp,佐藤 花子,JP,MUG-1,マグカップ,3,1500,,,,pending', // 4
  'A-1003,ext-1003,2026-10-03,USD,bad-row@example.com,Bad Row,US,MUG-1,Mug,-1,9.99,,,,paid', // 5
  'A-1004,ext-1004,2026-10-04,USD,amy@example.com,Amy,US,MUG-1,Mug,1,9.999,,,,paid', // 6
  'A-1005,ext-1005,2026-10-05,CNY,wang@example.cn,王芳,CN,MUG-1,"杯子, 白色",1,39.00,,,,paid', // 7
].join('\r\n');

async function counts(db: Database['db']) {
  const r = await sql<{ orders: number; items: number; payments: number; shipments: number; customers: number; events: number }>`
    SELECT (SELECT count(*)::int FROM orders) AS orders, (SELECT count(*)::int FROM order_items) AS items,
           (SELECT count(*)::int FROM payments) AS payments, (SELECT count(*)::int FROM shipments) AS shipments,
           (SELECT count(*)::int FROM customers) AS customers, (SELECT count(*)::int FROM tracking_events) AS events`.execute(db);
  return r.rows[0];
}

describe('order imports', () => {
  let d: Database;
  let storeId: string;
  beforeAll(async () => {
    d = await createTestDatabase();
    storeId = (await d.db.selectFrom('stores').select('id').where('is_default', '=', true).executeTakeFirstOrThrow()).id;
  });
  afterAll(async () => d.close());

  it('imports the good orders of a CSV, lists the bad rows, and a re-run changes nothing', async () => {
    const progress: number[] = [];
    const first = await importOrdersCsv(d.db, decodeImportText(Buffer.from('\uFEFF' + CSV)), { storeId, clock: systemClock, onProgress: (c) => progress.push(c.processed) });
    expect(first).toMatchObject({ imported: 3, updated: 0, unchanged: 0, failed: 2, processed: 6, total: 6, errorCount: 2 });
    expect(first.errors).toEqual([
      { line: 5, reason: 'bad quantity -1: must be 1 or more' },
      { line: 6, reason: expect.stringMatching(/^bad money "9.999" in unit_price/) },
    ]);
    expect(progress.at(-1)).toBe(6);
    const before = await counts(d.db);
    expect(before).toMatchObject({ orders: 3, items: 4, payments: 3, shipments: 1 });

    const a = (await d.db.selectFrom('orders').select('id').where('external_id', '=', 'ext-1001').executeTakeFirstOrThrow()).id;
    const detail = await getOrderDetail(d.db, a);
    expect(detail).toMatchObject({ number: 'A-1001', currency: 'EUR', total: '36.90', financialStatus: 'paid', fulfillmentStatus: 'fulfilled', customer: { name: 'Hans Müller', country: 'DE' } });
    expect(detail.items.map((i) => [i.sku, i.title, i.quantity, i.unitPrice])).toEqual([['MUG-1', 'Becher, groß', 2, '12.50'], ['PLT-1', 'Teller', 1, '7.00']]);
    expect(detail.shipment).toMatchObject({ carrier: 'DHL', trackingNumber: 'JJD0001' });
    expect(detail.totals).toMatchObject({ paid: '36.90' });
    const jp = await getOrderDetail(d.db, (await d.db.selectFrom('orders').select('id').where('external_id', '=', 'ext-1002').executeTakeFirstOrThrow()).id);
    expect(jp).toMatchObject({ total: '4500', financialStatus: 'pending', customer: { name: '佐藤 花子' } });
    expect(jp.totals.paid).toBe('0');

    const again = await importOrdersCsv(d.db, CSV, { storeId, clock: systemClock });
    expect(again).toMatchObject({ imported: 0, updated: 0, unchanged: 3, failed: 2 });
    expect(await counts(d.db)).toEqual(before);
  });

  it('updates an order whose rows changed, and adds the fixed rows', async () => {
    const fixed = CSV.replace('MUG-1,Mug,-1,9.99', 'MUG-1,Mug,1,9.99').replace('PLT-1,Teller,1,7.00', 'PLT-1,Teller,2,7.00');
    const r = await importOrdersCsv(d.db, fixed, { storeId, clock: systemClock });
    expect(r).toMatchObject({ imported: 1, updated: 1, unchanged: 2, failed: 1 });
    const a = await d.db.selectFrom('orders').select(['total']).where('external_id', '=', 'ext-1001').executeTakeFirstOrThrow();
    expect(a.total).toBe('43.90');
    expect(await d.db.selectFrom('order_items').innerJoin('orders', 'orders.id', 'order_items.order_id').select('order_items.quantity').where('orders.external_id', '=', 'ext-1001').where('order_items.sku', '=', 'PLT-1').executeTakeFirstOrThrow()).toEqual({ quantity: 2 });
  });

  it('one order that clashes with another costs only itself (the rest of its batch is imported)', async () => {
    const text = [
      HEADER,
      'C-1,ext-c1,2026-10-05,USD,c1@example.com,C1,US,MUG-1,Mug,1,1.00,,,,paid',
      'A-1001,someone-else,2026-10-05,USD,c2@example.com,C2,US,MUG-1,Mug,1,1.00,,,,paid', // number taken by ext-1001
      'C-3,ext-c3,2026-10-05,USD,c3@example.com,C3,US,MUG-1,Mug,1,1.00,,,,paid',
    ].join('\n');
    const r = await importOrdersCsv(d.db, text, { storeId, clock: systemClock });
    expect(r).toMatchObject({ imported: 2, failed: 1 });
    expect(r.errors).toEqual([{ line: 3, reason: expect.stringMatching(/order A-1001: order number A-1001 already belongs to another order \(external id ext-1001\)/) }]);
  });

  it('imports a Shopify export ({"orders":[…]} or an array), reporting bad orders by position', async () => {
    const mk = (id: number, name: string, over: Record<string, unknown> = {}) => ({
      id, name, order_number: Number(name.slice(1)), email: `c${id}@example.com`, currency: 'GBP', total_price: '20.00', financial_status: 'paid',
      created_at: '2026-09-01T10:00:00+01:00', updated_at: '2026-09-01T10:00:00+01:00',
      line_items: [{ id: id * 10, variant_id: 77, sku: 'TEE-M', title: 'T-shirt', variant_title: 'M', quantity: 2, price: '10.00' }],
      shipping_address: { name: 'Cleo', address1: '1 High St', city: 'Leeds', zip: 'LS1 1AA', country_code: 'GB' },
      fulfillments: [{ id: id * 100, status: 'success', tracking_company: 'Royal Mail', tracking_number: `RM${id}GB`, created_at: '2026-09-02T10:00:00+01:00', updated_at: '2026-09-02T10:00:00+01:00', shipment_status: 'in_transit' }],
      ...over,
    });
    const doc = { orders: [mk(4400001, '#3001'), mk(4400002, '#3002', { currency: 'ZZZ' }), mk(4400003, '#3003', { fulfillments: [] })] };
    const r = await importShopifyOrders(d.db, JSON.stringify(doc), { storeId, clock: systemClock });
    expect(r).toMatchObject({ imported: 2, failed: 1, total: 3, processed: 3 });
    expect(r.errors).toEqual([{ line: 2, reason: expect.stringMatching(/unknown currency "ZZZ"/) }]);
    const again = await importShopifyOrders(d.db, JSON.stringify([doc.orders[0], doc.orders[2]]), { storeId, clock: systemClock });
    expect(again).toMatchObject({ imported: 0, unchanged: 2, failed: 0 });
    const o = await getOrderDetail(d.db, (await d.db.selectFrom('orders').select('id').where('external_id', '=', '4400001').executeTakeFirstOrThrow()).id);
    expect(o).toMatchObject({ number: '#3001', currency: 'GBP', total: '20.00', fulfillmentStatus: 'unfulfilled', shipment: { carrier: 'Royal Mail', trackingNumber: 'RM4400001GB', status: 'in_transit' } });
    await expect(importShopifyOrders(d.db, '{"nope":1}', { storeId, clock: systemClock })).rejects.toThrow(/expected a JSON array of Shopify orders/);
    await expect(importShopifyOrders(d.db, '[{', { storeId, clock: systemClock })).rejects.toThrow(/not valid JSON/);
  });

  it('refuses a file that is not UTF-8 unless its encoding is given', () => {
    const gbk = Buffer.from([0xd5, 0xc5, 0xce, 0xb0]); // 张伟 in GB18030
    expect(() => decodeImportText(gbk)).toThrow(/not valid UTF-8.*gb18030/);
    expect(decodeImportText(gbk, 'gb18030')).toBe('张伟');
  });
});

describe('HTTP import jobs', () => {
  let s: TestServer;
  let manager: string;
  let agent: string;
  beforeAll(async () => {
    s = await startTestServer();
    ({ token: manager } = await s.tokenFor('manager'));
    ({ token: agent } = await s.tokenFor('agent'));
  });
  afterAll(async () => s.close());

  const upload = (body: string, query = '', token = manager, type = 'text/csv; charset=utf-8') =>
    s.app.inject({ method: 'POST', url: `/api/v1/imports/orders${query}`, headers: { ...bearer(token), 'content-type': type }, payload: body });

  async function waitDone(id: string) {
    const seen: Array<{ status: string; processed: number; total: number }> = [];
    for (let i = 0; i < 200; i++) {
      const res = await s.app.inject({ url: `/api/v1/imports/${id}`, headers: bearer(manager) });
      expect(res.statusCode).toBe(200);
      const j = res.json();
      seen.push({ status: j.status, processed: j.processed, total: j.total });
      if (j.status === 'done' || j.status === 'failed') return { job: j, seen };
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('the import did not finish');
  }

  it('runs an uploaded CSV as a job with progress, counts and bad rows; the order is then found by external id', async () => {
    const rows = [HEADER];
    for (let i = 0; i < 300; i++) rows.push(`B-${i},bulk-${i},2026-10-01,USD,buyer${i}@example.com,Buyer ${i},US,SKU-${i % 7},Item,${(i % 3) + 1},${i % 50}.25,,,,paid`);
    rows.push('B-bad,bulk-bad,2026-10-01,USD,bad@example.com,Bad,US,SKU-1,Item,1,free,,,,paid');
    const res = await upload(rows.join('\n'), '?filename=bulk.csv');
    expect(res.statusCode).toBe(202);
    const created = res.json();
    expect(created).toMatchObject({ format: 'csv', filename: 'bulk.csv' });
    expect(['queued', 'running', 'done']).toContain(created.status);
    const { job, seen } = await waitDone(created.id);
    expect(job).toMatchObject({ status: 'done', total: 301, processed: 301, imported: 300, updated: 0, unchanged: 0, failed: 1, errorCount: 1, errorsTruncated: false, error: null });
    expect(job.errors).toEqual([{ line: 302, reason: expect.stringMatching(/bad money "free"/) }]);
    // progress never goes backwards and never passes the total
    for (let i = 1; i < seen.length; i++) expect(seen[i].processed).toBeGreaterThanOrEqual(seen[i - 1].processed);
    for (const x of seen) expect(x.processed).toBeLessThanOrEqual(Math.max(x.total, 301));
    const found = await s.app.inject({ url: '/api/v1/orders?externalId=bulk-42', headers: bearer(agent) });
    expect(found.statusCode).toBe(200);
    expect(found.json().items).toHaveLength(1);
    expect(found.json().items[0]).toMatchObject({ number: 'B-42', externalId: 'bulk-42', total: '42.25', currency: 'USD', customer: { email: 'buyer42@example.com' } });
    // the same upload again: nothing changes
    const again = await waitDone((await upload(rows.join('\n'))).json().id);
    expect(again.job).toMatchObject({ status: 'done', imported: 0, unchanged: 300, failed: 1 });
  });

  it('imports a Shopify export sent as JSON, and a whole-file problem fails the job with its reason', async () => {
    const res = await upload(JSON.stringify([{ id: 9900001, name: '#9001', currency: 'EUR', total_price: '5.00', financial_status: 'paid', created_at: '2026-09-01T10:00:00Z', line_items: [{ id: 1, sku: 'X', title: 'X', quantity: 1, price: '5.00' }] }]), '', manager, 'application/json');
    expect(res.statusCode).toBe(202);
    expect((await waitDone(res.json().id)).job).toMatchObject({ status: 'done', format: 'shopify', imported: 1 });
    const bad = await upload('sku,quantity\nA,1\n');
    const { job } = await waitDone(bad.json().id);
    expect(job.status).toBe('failed');
    expect(job.error).toMatch(/lacks required column/);
  });

  it('is for admins and managers only, needs a body, and checks the store', async () => {
    expect((await upload(`${HEADER}\n`, '', agent)).statusCode).toBe(403);
    expect((await upload('')).statusCode).toBe(400);
    expect((await upload(`${HEADER}\n`, '?storeId=nope')).statusCode).toBe(400);
    expect((await upload(`${HEADER}\n`, '?storeId=0190a8e0-0000-7000-8000-000000000000')).statusCode).toBe(404);
    expect((await upload(`${HEADER}\n`, '?bogus=1')).statusCode).toBe(400);
    expect((await s.app.inject({ url: '/api/v1/imports/0190a8e0-0000-7000-8000-000000000000', headers: bearer(manager) })).statusCode).toBe(404);
  });
});

describe('crossdesk import (command line)', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crossdesk-import-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const run = (args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      const env = { ...process.env };
      delete env.DATABASE_URL;
      delete env.REDIS_URL;
      execFile(process.execPath, [path.join(repoRoot, 'bin', 'crossdesk.js'), ...args], { cwd: repoRoot, env, timeout: 170_000 }, (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
      });
    });

  it('imports good rows, reports bad ones with line numbers, exits 1; a re-run reports everything unchanged', async () => {
    const file = path.join(dir, 'orders.csv');
    fs.writeFileSync(file, '\uFEFF' + CSV);
    const data = path.join(dir, 'data');
    const first = await run(['import', 'orders', file, '--data', data]);
    expect(first.code).toBe(1);
    expect(first.stdout).toMatch(/3 imported, 0 updated, 0 unchanged, 2 failed/);
    expect(first.stderr).toContain('line 5: bad quantity -1');
    expect(first.stderr).toContain('line 6: bad money "9.999"');
    expect(first.stderr).not.toMatch(/\n\s+at /); // no stack trace
    const second = await run(['import', 'orders', file, '--data', data, '--json']);
    expect(second.code).toBe(1);
    expect(JSON.parse(second.stdout)).toMatchObject({ imported: 0, updated: 0, unchanged: 3, failed: 2, errors: [{ line: 5 }, { line: 6 }] });
    const missing = await run(['import', 'orders', path.join(dir, 'nope.csv'), '--data', data]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/cannot read .*nope\.csv/);
  }, 180_000);
});
