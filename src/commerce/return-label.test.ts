/**
 * The return label is rendered after createReturn's transaction commits: the return stands
 * even when rendering fails, and the label is rendered later on demand (GET label.pdf or a
 * repeat of the action with the same key), once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../test/helpers/db.ts';
import type { Database } from '../db/index.ts';
import { ManualClock } from '../core/clock.ts';
import { uuidv7 } from '../core/ids.ts';
import type { Actor } from '../helpdesk/visibility.ts';
import { createReturn, ensureReturnLabel, returnLabel, returnLabelInput, type LabelRenderer } from './actions.ts';
import { cityLine, renderReturnLabel } from './label.ts';
import { createOrder, getOrderDetail } from './orders.ts';
import { seedDemoCommerce, type DemoCommerce } from './seed.ts';

const NOW = new Date('2026-11-24T10:00:00Z');
let n = 0;
const key = (label = 'k') => `label-${label}-${++n}-${uuidv7()}`;

/** Fails instead of hanging when `p` waits for a connection held by an open transaction. */
function within<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer — the database is still held by the action's transaction`)), 15_000);
  });
  return Promise.race([p, guard]).finally(() => clearTimeout(timer));
}

describe('return label outside the transaction', () => {
  let d: Database;
  let storeId: string;
  let demo: DemoCommerce;
  const clock = new ManualClock(NOW);
  const actor: Actor = { type: 'user', id: uuidv7(), role: 'agent', name: 'Label tester' };

  beforeAll(async () => {
    d = await createTestDatabase();
    storeId = (await d.db.selectFrom('stores').select('id').where('is_default', '=', true).executeTakeFirstOrThrow()).id;
    demo = await seedDemoCommerce(d.db, storeId, { now: NOW });
  });
  afterAll(async () => d?.close());

  /** A delivered US order of one pair of earbuds, placed 12 days before NOW. */
  async function deliveredOrder(number: string) {
    const o = await createOrder(d.db, {
      storeId, number, currency: 'USD', placedAt: new Date(NOW.getTime() - 12 * 86_400_000),
      customer: { email: `${number.toLowerCase()}@example.com`, name: 'Pat Doe', country: 'US' },
      shippingAddress: { name: 'Pat Doe', line1: '9 Elm Street', city: 'Austin', region: 'TX', postalCode: '73301', country: 'US' },
      items: [{ sku: 'BUDS-ECH-BLK-US', quantity: 1, warehouseCode: 'US-EWR' }],
      payment: { method: 'card' },
      shipment: { carrier: 'USPS', trackingNumber: `9400${number.replace(/\D/g, '')}`, status: 'delivered', shippedAt: new Date(NOW.getTime() - 10 * 86_400_000), deliveredAt: new Date(NOW.getTime() - 5 * 86_400_000) },
    });
    const detail = await getOrderDetail(d.db, o.id, NOW);
    return { id: o.id, itemId: detail.items[0].id };
  }

  it('renders after the commit: while the label renders, the return and its action are already visible', async () => {
    const o = await deliveredOrder('LBL-1001');
    const seen: Array<{ rma: string; hasLabel: boolean; actions: number }> = [];
    const render: LabelRenderer = async (input) => {
      // on PGlite a query here waits forever if the action's transaction still holds the
      // connection; on PostgreSQL an uncommitted return would not be visible
      const row = await within(d.db.selectFrom('returns').select(['rma', 'label_pdf']).where('rma', '=', input.rma).executeTakeFirst(), 'reading the return while rendering');
      const actions = await d.db.selectFrom('order_actions').select('id').where('order_id', '=', o.id).execute();
      seen.push({ rma: row?.rma ?? '', hasLabel: Boolean(row?.label_pdf), actions: actions.length });
      return renderReturnLabel(input);
    };
    const out = await within(createReturn(d.db, { orderId: o.id, actor, clock, idempotencyKey: key('commit'), reason: 'change_of_mind', items: [{ orderItemId: o.itemId, quantity: 1 }], renderLabel: render }), 'createReturn');
    expect(seen).toEqual([{ rma: out.result.rma, hasLabel: false, actions: 1 }]);
    expect(out.result).toMatchObject({ labelReady: true, whoPaysShipping: 'buyer', market: 'US' });
    expect(out.result.labelError).toBeUndefined();
    const stored = await d.db.selectFrom('returns').select('label_pdf').where('id', '=', out.result.returnId).executeTakeFirstOrThrow();
    expect(Buffer.from(stored.label_pdf!).subarray(0, 5).toString('latin1')).toBe('%PDF-');
  });

  it('prints the same data as before: sender, store return address, payer, item count', async () => {
    const us = await getOrderDetail(d.db, demo.orders.usChangeOfMind.id, NOW);
    const out = await createReturn(d.db, { orderId: us.id, actor, clock, idempotencyKey: key('input'), reason: 'change_of_mind', items: [{ orderItemId: us.items[0].id, quantity: 1 }] });
    const input = await returnLabelInput(d.db, out.result.returnId);
    expect(input).toMatchObject({
      rma: out.result.rma,
      carrier: 'USPS',
      trackingNumber: out.result.trackingNumber,
      orderNumber: us.number,
      reason: 'change_of_mind',
      itemCount: 1,
      whoPaysShipping: out.result.whoPaysShipping,
      from: { name: 'Emily Carter', city: 'Portland', country: 'US' },
      to: { name: expect.stringMatching(/ Returns - Returns Dept\. US-EWR$/) as unknown as string, city: 'Edison', country: 'US' },
    });
    expect(input.createdAt.toISOString()).toBe(NOW.toISOString());
  });

  it('a failed render leaves the return standing; the label is rendered on demand, once', async () => {
    const o = await deliveredOrder('LBL-1002');
    const k = key('fail');
    const boom: LabelRenderer = () => Promise.reject(new Error('font file unreadable'));
    const out = await createReturn(d.db, { orderId: o.id, actor, clock, idempotencyKey: k, reason: 'change_of_mind', items: [{ orderItemId: o.itemId, quantity: 1 }], renderLabel: boom });
    expect(out.replayed).toBe(false);
    expect(out.result).toMatchObject({ labelReady: false, labelError: 'font file unreadable', status: 'label_created' });
    // the return, its shipment and the action record are there; only the PDF is missing
    const row = await d.db.selectFrom('returns').select(['status', 'label_pdf']).where('id', '=', out.result.returnId).executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'label_created', label_pdf: null });
    expect(await d.db.selectFrom('order_actions').select('id').where('idempotency_key', '=', k).execute()).toHaveLength(1);
    const detail = await getOrderDetail(d.db, o.id, NOW);
    expect(detail.returns.map((r) => r.rma)).toEqual([out.result.rma]);

    // asking for the label renders and stores it; asking again does not render again
    let renders = 0;
    const counting: LabelRenderer = async (input) => {
      renders++;
      return renderReturnLabel(input);
    };
    const first = await ensureReturnLabel(d.db, out.result.returnId, { render: counting });
    expect(first.rendered).toBe(true);
    expect(Buffer.from(first.pdf).subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const again = await returnLabel(d.db, out.result.returnId, { render: counting });
    expect(renders).toBe(1);
    expect(Buffer.from(again.pdf).equals(Buffer.from(first.pdf))).toBe(true);
    expect(again.rma).toBe(out.result.rma);
  });

  it('repeating the action with the same key renders a missing label and returns the same return', async () => {
    const o = await deliveredOrder('LBL-1003');
    const k = key('replay');
    const req = { orderId: o.id, actor, clock, idempotencyKey: k, reason: 'change_of_mind' as const, items: [{ orderItemId: o.itemId, quantity: 1 }] };
    const failed = await createReturn(d.db, { ...req, renderLabel: () => Promise.reject(new Error('out of memory')) });
    expect(failed.result.labelReady).toBe(false);
    const repeat = await createReturn(d.db, req);
    expect(repeat.replayed).toBe(true);
    expect(repeat.actionId).toBe(failed.actionId);
    expect(repeat.result.returnId).toBe(failed.result.returnId);
    expect(repeat.result).toMatchObject({ labelReady: true });
    expect(repeat.result.labelError).toBeUndefined();
    const row = await d.db.selectFrom('returns').select('label_pdf').where('id', '=', failed.result.returnId).executeTakeFirstOrThrow();
    expect(row.label_pdf).not.toBeNull();
    expect(await d.db.selectFrom('returns').select('id').where('order_id', '=', o.id).execute()).toHaveLength(1);
  });

  it('two requests for a missing label at once store one copy and both answer with it', async () => {
    const o = await deliveredOrder('LBL-1004');
    const out = await createReturn(d.db, { orderId: o.id, actor, clock, idempotencyKey: key('race'), reason: 'change_of_mind', items: [{ orderItemId: o.itemId, quantity: 1 }], renderLabel: () => Promise.reject(new Error('later')) });
    // each render marks its copy so the two are told apart
    const marked = (mark: string): LabelRenderer => async (input) => renderReturnLabel({ ...input, storeName: `${input.storeName} ${mark}` });
    const [a, b] = await Promise.all([ensureReturnLabel(d.db, out.result.returnId, { render: marked('A') }), ensureReturnLabel(d.db, out.result.returnId, { render: marked('B') })]);
    const stored = await d.db.selectFrom('returns').select('label_pdf').where('id', '=', out.result.returnId).executeTakeFirstOrThrow();
    expect(Buffer.from(a.pdf).equals(Buffer.from(stored.label_pdf!))).toBe(true);
    expect(Buffer.from(b.pdf).equals(Buffer.from(stored.label_pdf!))).toBe(true);
  });

  it('writes the city line the way the post of the country reads it', () => {
    expect(cityLine({ name: 'E', line1: '1', city: 'Portland', region: 'OR', postalCode: '97214', country: 'US' })).toBe('Portland, OR 97214');
    expect(cityLine({ name: 'L', line1: '1', city: 'Toronto', region: 'ON', postalCode: 'M5V 2T6', country: 'ca' })).toBe('Toronto, ON M5V 2T6');
    expect(cityLine({ name: 'J', line1: '1', city: 'Berlin', postalCode: '10961', country: 'DE' })).toBe('10961 Berlin');
    expect(cityLine({ name: 'Y', line1: '1', city: '東京都', postalCode: '106-6112', country: 'JP' })).toBe('106-6112 東京都');
  });

  it('refuses a bad id and an unknown return', async () => {
    await expect(returnLabel(d.db, 'nope')).rejects.toMatchObject({ code: 'validation_failed' });
    await expect(returnLabel(d.db, uuidv7())).rejects.toMatchObject({ code: 'not_found' });
  });
});
