/**
 * Writes external orders (and the shipments and refunds that arrive on their own) into the
 * commerce tables, idempotently:
 * - an order is found again by its external id (or number) through `external_refs`;
 * - data whose `updatedAt` is older than what was already applied is skipped ('stale'), so a
 *   late, out-of-order webhook never overwrites newer data;
 * - data whose content hash equals the last applied one changes nothing ('unchanged'), so
 *   re-running an import or a redelivered event is a no-op.
 * Each order is one transaction. Imported orders do not reserve stock: the platform they
 * come from already did.
 */
import type { Insertable, Kysely, Transaction } from 'kysely';
import type { Clock } from '../../core/clock.ts';
import { conflict } from '../../core/errors.ts';
import { uuidv7 } from '../../core/ids.ts';
import type { DB, FinancialStatus, FulfillmentStatus } from '../../db/types.ts';
import { fromMinor, sumMinor, toMinor } from '../money.ts';
import { upsertCustomer } from '../orders.ts';
import { contentHash, orderKey, type ExternalOrder, type ExternalRefund, type ExternalShipment, type ImportSource } from './model.ts';

type Trx = Transaction<DB>;

export type UpsertOutcome = 'created' | 'updated' | 'unchanged' | 'stale';

export interface UpsertResult {
  outcome: UpsertOutcome;
  orderId: string;
  number: string;
}

function isUniqueViolation(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: unknown }).code === '23505';
}

/** Runs `fn` in a transaction; once more when a concurrent writer created the same row first. */
async function inTransaction<T>(db: Kysely<DB>, fn: (trx: Trx) => Promise<T>): Promise<T> {
  try {
    return await db.transaction().execute(fn);
  } catch (e) {
    if (!isUniqueViolation(e)) throw e;
    return db.transaction().execute(fn);
  }
}

async function refFor(trx: Trx, storeId: string, source: string, kind: 'order' | 'shipment' | 'refund', externalId: string) {
  return trx
    .selectFrom('external_refs')
    .select(['local_id', 'order_id', 'source_updated_at', 'content_hash'])
    .where('store_id', '=', storeId)
    .where('source', '=', source)
    .where('kind', '=', kind)
    .where('external_id', '=', externalId)
    .forUpdate()
    .executeTakeFirst();
}

async function saveRef(
  trx: Trx,
  r: { storeId: string; source: string; kind: 'order' | 'shipment' | 'refund'; externalId: string; localId: string; orderId: string; sourceUpdatedAt: Date | null; hash: string; now: Date },
): Promise<void> {
  await trx
    .insertInto('external_refs')
    .values({
      store_id: r.storeId,
      source: r.source,
      kind: r.kind,
      external_id: r.externalId,
      local_id: r.localId,
      order_id: r.orderId,
      source_updated_at: r.sourceUpdatedAt,
      content_hash: r.hash,
      updated_at: r.now,
    })
    .onConflict((oc) =>
      oc.columns(['store_id', 'source', 'kind', 'external_id']).doUpdateSet({
        local_id: r.localId,
        order_id: r.orderId,
        source_updated_at: r.sourceUpdatedAt,
        content_hash: r.hash,
        updated_at: r.now,
      }),
    )
    .execute();
}

const newer = (a: Date | null, b: Date | null): Date | null => (a && b ? (a > b ? a : b) : (a ?? b));

/** Finds the local order an external order id refers to (through its ref, else orders.external_id). */
async function orderByExternalId(trx: Trx, storeId: string, source: string, externalId: string) {
  const ref = await refFor(trx, storeId, source, 'order', orderKey({ externalId, number: '' }));
  const id = ref?.order_id;
  const q = trx.selectFrom('orders').select(['id', 'number', 'currency', 'status', 'fulfillment_status']).where('store_id', '=', storeId);
  return id ? q.where('id', '=', id).forUpdate().executeTakeFirst() : q.where('external_id', '=', externalId).forUpdate().executeTakeFirst();
}

// ---------------------------------------------------------------------------------------
// Orders

export async function upsertExternalOrder(db: Kysely<DB>, input: { storeId: string; order: ExternalOrder; clock: Clock }): Promise<UpsertResult> {
  return inTransaction(db, (trx) => upsertOrderTx(trx, input.storeId, input.order, input.clock.now()));
}

async function upsertOrderTx(trx: Trx, storeId: string, o: ExternalOrder, now: Date): Promise<UpsertResult> {
  const key = orderKey(o);
  const ref = await refFor(trx, storeId, o.source, 'order', key);
  let existing: { id: string; external_id: string | null } | undefined;
  if (ref) {
    existing = await trx.selectFrom('orders').select(['id', 'external_id']).where('id', '=', ref.order_id).forUpdate().executeTakeFirst();
  } else {
    // an order this source has not sent before may exist already (another source, the seed):
    // adopt it when it is the same order (same external id, or same number and no other id)
    if (o.externalId) {
      existing = await trx.selectFrom('orders').select(['id', 'external_id']).where('store_id', '=', storeId).where('external_id', '=', o.externalId).forUpdate().executeTakeFirst();
    }
    if (!existing) {
      const bare = o.number.replace(/^#/, '');
      const byNumber = await trx
        .selectFrom('orders')
        .select(['id', 'external_id'])
        .where('store_id', '=', storeId)
        .where((eb) => eb.or([eb('number', '=', o.number), eb('number', '=', bare), eb('number', '=', `#${bare}`)]))
        .forUpdate()
        .executeTakeFirst();
      if (byNumber?.external_id && o.externalId && byNumber.external_id !== o.externalId) {
        throw conflict(`order number ${o.number} already belongs to another order (external id ${byNumber.external_id})`, { number: o.number });
      }
      existing = byNumber;
    }
  }
  if (ref && existing && o.updatedAt && ref.source_updated_at && o.updatedAt < ref.source_updated_at) {
    return { outcome: 'stale', orderId: existing.id, number: o.number };
  }
  const hash = contentHash(o);
  if (ref && existing && ref.content_hash === hash) {
    if (o.updatedAt && (!ref.source_updated_at || o.updatedAt > ref.source_updated_at)) {
      await saveRef(trx, { storeId, source: o.source, kind: 'order', externalId: key, localId: existing.id, orderId: existing.id, sourceUpdatedAt: o.updatedAt, hash, now });
    }
    return { outcome: 'unchanged', orderId: existing.id, number: o.number };
  }

  const cur = o.currency;
  const customerId = o.customer.email
    ? await upsertCustomer(trx, storeId, { email: o.customer.email, name: o.customer.name ?? undefined, country: o.customer.country ?? undefined, language: o.customer.language ?? undefined })
    : null;
  const skus = [...new Set(o.items.map((i) => i.sku))];
  const variants = skus.length
    ? await trx.selectFrom('variants').select(['id', 'sku']).where('store_id', '=', storeId).where('sku', 'in', skus).execute()
    : [];
  const variantOf = new Map(variants.map((v) => [v.sku, v.id]));
  const itemsTotal = sumMinor(o.items.map((i) => toMinor(i.unitPrice, cur) * BigInt(i.quantity)));
  const total = o.total !== null ? toMinor(o.total, cur) : itemsTotal + (o.shipping ? toMinor(o.shipping, cur) : 0n);
  const fulfillment: FulfillmentStatus = o.fulfillmentStatus ?? (o.shipments.length ? 'fulfilled' : 'unfulfilled');
  const row = {
    customer_id: customerId,
    number: o.number,
    external_id: o.externalId,
    currency: cur,
    total: fromMinor(total, cur),
    status: o.status,
    placed_at: o.placedAt,
    fulfillment_status: fulfillment,
    financial_status: o.financialStatus,
    shipping_address: o.shippingAddress ? JSON.stringify(o.shippingAddress) : null,
    cancelled_at: o.cancelledAt,
    cancel_reason: o.cancelReason,
  };

  let orderId: string;
  if (!existing) {
    orderId = uuidv7(now.getTime());
    await trx.insertInto('orders').values({ id: orderId, store_id: storeId, ...row }).execute();
    if (o.items.length) {
      // ids made in one millisecond sort at random: sorted, they keep the lines in file order
      const ids = o.items.map(() => uuidv7(now.getTime())).sort();
      await trx
        .insertInto('order_items')
        .values(o.items.map((i, k) => ({ id: ids[k], order_id: orderId, variant_id: variantOf.get(i.sku) ?? null, warehouse_id: null, sku: i.sku, title: i.title, quantity: i.quantity, unit_price: i.unitPrice })))
        .execute();
    }
    if (o.payment) {
      const amount = maxMinor(toMinor(o.payment.amount, cur), toMinor(o.payment.captured, cur));
      await trx.insertInto('payments').values({
        id: uuidv7(now.getTime()),
        order_id: orderId,
        method: o.payment.method,
        provider_ref: o.payment.providerRef,
        amount: fromMinor(amount, cur),
        captured: o.payment.captured,
        currency: cur,
      }).execute();
    }
  } else {
    orderId = existing.id;
    await trx.updateTable('orders').set({ ...row, external_id: o.externalId ?? existing.external_id }).where('id', '=', orderId).execute();
    await reconcileItems(trx, orderId, o, variantOf, now);
    if (o.payment) {
      const amount = maxMinor(toMinor(o.payment.amount, cur), toMinor(o.payment.captured, cur));
      const pay = await trx.selectFrom('payments').select('id').where('order_id', '=', orderId).orderBy('created_at').orderBy('id').executeTakeFirst();
      if (pay) {
        await trx.updateTable('payments').set({ method: o.payment.method, provider_ref: o.payment.providerRef, amount: fromMinor(amount, cur), captured: o.payment.captured, currency: cur }).where('id', '=', pay.id).execute();
      } else {
        await trx.insertInto('payments').values({ id: uuidv7(now.getTime()), order_id: orderId, method: o.payment.method, provider_ref: o.payment.providerRef, amount: fromMinor(amount, cur), captured: o.payment.captured, currency: cur }).execute();
      }
    }
  }
  for (const s of o.shipments) await applyShipmentTx(trx, { storeId, source: o.source, orderId, now }, s);
  for (const r of o.refunds) await applyRefundTx(trx, { storeId, source: o.source, orderId, currency: cur, now }, r);
  await saveRef(trx, { storeId, source: o.source, kind: 'order', externalId: key, localId: orderId, orderId, sourceUpdatedAt: newer(o.updatedAt, ref?.source_updated_at ?? null), hash, now });
  return { outcome: existing ? 'updated' : 'created', orderId, number: o.number };
}

const maxMinor = (a: bigint, b: bigint) => (a > b ? a : b);

/**
 * Brings an existing order's items in line with the source: matched by SKU (and position
 * among lines of the same SKU), changed ones updated, new ones added, vanished ones removed
 * unless an after-sales record (return, exchange, reship) refers to them.
 */
async function reconcileItems(trx: Trx, orderId: string, o: ExternalOrder, variantOf: Map<string, string>, now: Date): Promise<void> {
  const have = await trx.selectFrom('order_items').select(['id', 'sku', 'title', 'quantity', 'unit_price']).where('order_id', '=', orderId).orderBy('created_at').orderBy('id').execute();
  const pool = new Map<string, typeof have>();
  for (const h of have) pool.set(h.sku, [...(pool.get(h.sku) ?? []), h]);
  const cur = o.currency;
  for (const it of o.items) {
    const match = pool.get(it.sku)?.shift();
    if (!match) {
      await trx.insertInto('order_items').values({ id: uuidv7(now.getTime()), order_id: orderId, variant_id: variantOf.get(it.sku) ?? null, warehouse_id: null, sku: it.sku, title: it.title, quantity: it.quantity, unit_price: it.unitPrice }).execute();
    } else if (match.quantity !== it.quantity || match.title !== it.title || toMinor(match.unit_price, cur) !== toMinor(it.unitPrice, cur)) {
      await trx.updateTable('order_items').set({ quantity: it.quantity, title: it.title, unit_price: it.unitPrice }).where('id', '=', match.id).execute();
    }
  }
  const gone = [...pool.values()].flat().map((h) => h.id);
  if (!gone.length) return;
  const [exchanges, returns, reships] = await Promise.all([
    trx.selectFrom('exchanges').select('order_item_id').where('order_id', '=', orderId).execute(),
    trx.selectFrom('returns').select('items').where('order_id', '=', orderId).execute(),
    trx.selectFrom('reships').select('items').where('order_id', '=', orderId).execute(),
  ]);
  const used = new Set<string>([...exchanges.map((e) => e.order_item_id), ...returns.flatMap((r) => r.items.map((i) => i.orderItemId)), ...reships.flatMap((r) => r.items.map((i) => i.orderItemId))]);
  const removable = gone.filter((id) => !used.has(id));
  if (removable.length) await trx.deleteFrom('order_items').where('id', 'in', removable).execute();
}

// ---------------------------------------------------------------------------------------
// Shipments and refunds

interface Ctx {
  storeId: string;
  source: string;
  orderId: string;
  now: Date;
}

async function applyShipmentTx(trx: Trx, ctx: Ctx, s: ExternalShipment): Promise<UpsertOutcome> {
  const ref = await refFor(trx, ctx.storeId, ctx.source, 'shipment', s.externalId);
  if (ref && s.updatedAt && ref.source_updated_at && s.updatedAt < ref.source_updated_at) return 'stale';
  const hash = contentHash(s);
  if (ref && ref.content_hash === hash) return 'unchanged';
  // an update without a tracking URL keeps the stored one; a new one replaces it
  const values = { carrier: s.carrier, tracking_number: s.trackingNumber, status: s.status, shipped_at: s.shippedAt, delivered_at: s.deliveredAt, ...(s.trackingUrl ? { tracking_url: s.trackingUrl } : {}) };
  const current = ref ? await trx.selectFrom('shipments').select(['id', 'status']).where('id', '=', ref.local_id).executeTakeFirst() : undefined;
  let shipmentId: string;
  if (current) {
    shipmentId = current.id;
    await trx.updateTable('shipments').set(values).where('id', '=', shipmentId).execute();
  } else {
    shipmentId = uuidv7(ctx.now.getTime());
    await trx.insertInto('shipments').values({ id: shipmentId, order_id: ctx.orderId, kind: 'outbound', warehouse_id: null, ...values }).execute();
  }
  if (current?.status !== s.status) {
    await trx
      .insertInto('tracking_events')
      .values({ shipment_id: shipmentId, at: s.updatedAt ?? s.shippedAt ?? ctx.now, status: s.status, location: null, description: `${s.carrier}: ${s.status.replace(/_/g, ' ')} (${ctx.source})` })
      .execute();
  }
  await saveRef(trx, { storeId: ctx.storeId, source: ctx.source, kind: 'shipment', externalId: s.externalId, localId: shipmentId, orderId: ctx.orderId, sourceUpdatedAt: newer(s.updatedAt, ref?.source_updated_at ?? null), hash, now: ctx.now });
  return current ? 'updated' : 'created';
}

async function applyRefundTx(trx: Trx, ctx: Ctx & { currency: string }, r: ExternalRefund): Promise<UpsertOutcome> {
  const ref = await refFor(trx, ctx.storeId, ctx.source, 'refund', r.externalId);
  // a refund never changes once made: seen = done
  if (ref) return 'unchanged';
  let localId = ctx.orderId;
  const amount = toMinor(r.amount, ctx.currency);
  if (amount > 0n) {
    const pay = await trx.selectFrom('payments').select(['id', 'method']).where('order_id', '=', ctx.orderId).orderBy('created_at').orderBy('id').executeTakeFirst();
    if (pay) {
      localId = uuidv7(ctx.now.getTime());
      await trx.insertInto('refunds').values({
        id: localId,
        order_id: ctx.orderId,
        payment_id: pay.id,
        return_id: null,
        amount: fromMinor(amount, ctx.currency),
        currency: ctx.currency,
        method: pay.method,
        reason: r.reason,
        status: 'succeeded',
        created_at: r.createdAt,
      }).execute();
    }
  }
  await saveRef(trx, { storeId: ctx.storeId, source: ctx.source, kind: 'refund', externalId: r.externalId, localId, orderId: ctx.orderId, sourceUpdatedAt: r.createdAt, hash: contentHash(r), now: ctx.now });
  return 'created';
}

export interface PartResult {
  outcome: UpsertOutcome | 'missing_order';
  orderId: string | null;
}

/** A shipment that arrives on its own (fulfillments/create|update) for an order known by its external id. */
export async function applyExternalShipment(
  db: Kysely<DB>,
  input: { storeId: string; source: ImportSource; orderExternalId: string; shipments: ExternalShipment[]; clock: Clock },
): Promise<PartResult> {
  return inTransaction(db, async (trx) => {
    const order = await orderByExternalId(trx, input.storeId, input.source, input.orderExternalId);
    if (!order) return { outcome: 'missing_order', orderId: null };
    const ctx = { storeId: input.storeId, source: input.source, orderId: order.id, now: input.clock.now() };
    const outcomes: UpsertOutcome[] = [];
    for (const s of input.shipments) outcomes.push(await applyShipmentTx(trx, ctx, s));
    if (outcomes.some((x) => x === 'created' || x === 'updated')) {
      const items = await trx.selectFrom('order_items').select(['sku', 'quantity']).where('order_id', '=', order.id).execute();
      const lines = input.shipments.flatMap((s) => s.lines ?? []);
      const covered = new Map<string, number>();
      for (const l of lines) covered.set(l.sku, (covered.get(l.sku) ?? 0) + l.quantity);
      const all = !lines.length || items.every((i) => (covered.get(i.sku) ?? 0) >= i.quantity);
      const status: FulfillmentStatus = all ? 'fulfilled' : order.fulfillment_status === 'fulfilled' ? 'fulfilled' : 'partially_fulfilled';
      if (status !== order.fulfillment_status) await trx.updateTable('orders').set({ fulfillment_status: status }).where('id', '=', order.id).execute();
    }
    return { outcome: summarise(outcomes), orderId: order.id };
  });
}

/** A refund that arrives on its own (refunds/create). */
export async function applyExternalRefund(
  db: Kysely<DB>,
  /** The refund, or a function making it from the order's currency (a refund may not state it). */
  input: { storeId: string; source: ImportSource; orderExternalId: string; refund: ExternalRefund | ((orderCurrency: string) => ExternalRefund); clock: Clock },
): Promise<PartResult> {
  return inTransaction(db, async (trx) => {
    const order = await orderByExternalId(trx, input.storeId, input.source, input.orderExternalId);
    if (!order) return { outcome: 'missing_order', orderId: null };
    const refund = typeof input.refund === 'function' ? input.refund(order.currency) : input.refund;
    const outcome = await applyRefundTx(trx, { storeId: input.storeId, source: input.source, orderId: order.id, currency: order.currency, now: input.clock.now() }, refund);
    if (outcome === 'created') {
      const [payments, refunds] = await Promise.all([
        trx.selectFrom('payments').select('captured').where('order_id', '=', order.id).execute(),
        trx.selectFrom('refunds').select('amount').where('order_id', '=', order.id).where('status', '!=', 'failed').execute(),
      ]);
      const captured = sumMinor(payments.map((p) => toMinor(p.captured, order.currency)));
      const refunded = sumMinor(refunds.map((f) => toMinor(f.amount, order.currency)));
      if (captured > 0n && refunded > 0n) {
        const status: FinancialStatus = refunded >= captured ? 'refunded' : 'partially_refunded';
        await trx.updateTable('orders').set({ financial_status: status }).where('id', '=', order.id).execute();
      }
    }
    return { outcome, orderId: order.id };
  });
}

function summarise(outcomes: UpsertOutcome[]): UpsertOutcome {
  if (outcomes.includes('created')) return 'created';
  if (outcomes.includes('updated')) return 'updated';
  if (outcomes.length && outcomes.every((o) => o === 'stale')) return 'stale';
  return 'unchanged';
}

// ---------------------------------------------------------------------------------------
// Batches: the fast path of bulk imports

export type BatchResult = { ok: true; result: UpsertResult } | { ok: false; error: unknown };

/**
 * Upserts many orders of one source. Orders never seen before are written together, a few
 * statements for the whole batch in one transaction; orders already known (or adopted) take
 * the one-by-one path inside that transaction. When anything in the batch fails, each order
 * is retried on its own, so one bad order costs only itself.
 */
export async function upsertExternalOrders(db: Kysely<DB>, input: { storeId: string; orders: ExternalOrder[]; clock: Clock }): Promise<BatchResult[]> {
  const { storeId, orders, clock } = input;
  if (!orders.length) return [];
  try {
    return await db.transaction().execute(async (trx) => {
      const now = clock.now();
      const out: BatchResult[] = new Array(orders.length);
      const source = orders[0].source;
      const keys = orders.map(orderKey);
      const refs = new Map(
        (await trx.selectFrom('external_refs').select(['external_id', 'order_id', 'content_hash', 'source_updated_at']).where('store_id', '=', storeId).where('source', '=', source).where('kind', '=', 'order').where('external_id', 'in', keys).execute()).map((r) => [r.external_id, r]),
      );
      // known and the same as last time: nothing to write (the common case of a re-run)
      const unknown: number[] = [];
      orders.forEach((o, i) => {
        const ref = refs.get(keys[i]);
        if (ref && ref.content_hash === contentHash(o) && !(o.updatedAt && ref.source_updated_at && o.updatedAt > ref.source_updated_at)) {
          out[i] = { ok: true, result: { outcome: 'unchanged', orderId: ref.order_id, number: o.number } };
        } else unknown.push(i);
      });
      const known = new Set(refs.keys());
      const ids = unknown.flatMap((i) => (orders[i].externalId ? [orders[i].externalId!] : []));
      const numbers = unknown.flatMap((i) => { const bare = orders[i].number.replace(/^#/, ''); return [orders[i].number, bare, `#${bare}`]; });
      // two lookups, each on its own index
      const clash = [
        ...(numbers.length ? await trx.selectFrom('orders').select(['external_id', 'number']).where('store_id', '=', storeId).where('number', 'in', numbers).execute() : []),
        ...(ids.length ? await trx.selectFrom('orders').select(['external_id', 'number']).where('store_id', '=', storeId).where('external_id', 'in', ids).execute() : []),
      ];
      const takenIds = new Set(clash.flatMap((c) => (c.external_id ? [c.external_id] : [])));
      const takenNumbers = new Set(clash.map((c) => c.number.replace(/^#/, '')));
      const fresh: number[] = [];
      const seenKeys = new Set<string>();
      for (const i of unknown) {
        const o = orders[i];
        const bare = o.number.replace(/^#/, '');
        const isFresh = !known.has(keys[i]) && !(o.externalId && takenIds.has(o.externalId)) && !takenNumbers.has(bare) && !seenKeys.has(keys[i]) && !seenKeys.has(`n:${bare}`);
        seenKeys.add(keys[i]);
        seenKeys.add(`n:${bare}`);
        if (isFresh && !o.refunds.length) fresh.push(i);
        else out[i] = { ok: true, result: await upsertOrderTx(trx, storeId, o, now) };
      }
      if (fresh.length) await createFresh(trx, storeId, fresh.map((i) => orders[i]), now, (k, r) => { out[fresh[k]] = { ok: true, result: r }; });
      return out;
    });
  } catch {
    const out: BatchResult[] = [];
    for (const order of orders) {
      try {
        out.push({ ok: true, result: await upsertExternalOrder(db, { storeId, order, clock }) });
      } catch (error) {
        out.push({ ok: false, error });
      }
    }
    return out;
  }
}

/** Writes orders known to be new: customers, orders, items, payments, shipments, events and refs in a few statements. */
async function createFresh(trx: Trx, storeId: string, orders: ExternalOrder[], now: Date, done: (k: number, r: UpsertResult) => void): Promise<void> {
  const t = now.getTime();
  const byEmail = new Map<string, ExternalOrder['customer']>();
  for (const o of orders) if (o.customer.email && !byEmail.has(o.customer.email)) byEmail.set(o.customer.email, o.customer);
  const customerIds = new Map<string, string>();
  if (byEmail.size) {
    const rows = await trx
      .insertInto('customers')
      .values([...byEmail.values()].map((c) => ({ id: uuidv7(t), store_id: storeId, email: c.email!, name: c.name, language: c.language, country: c.country })))
      .onConflict((oc) => oc.columns(['store_id', 'email']).doUpdateSet((eb) => ({ name: eb.fn.coalesce('excluded.name', 'customers.name') })))
      .returning(['id', 'email'])
      .execute();
    for (const r of rows) customerIds.set(r.email, r.id);
  }
  const skus = [...new Set(orders.flatMap((o) => o.items.map((i) => i.sku)))];
  const variantOf = new Map(
    (skus.length ? await trx.selectFrom('variants').select(['id', 'sku']).where('store_id', '=', storeId).where('sku', 'in', skus).execute() : []).map((v) => [v.sku, v.id]),
  );
  const orderRows: Array<Insertable<DB['orders']> & { id: string }> = [];
  const itemRows: Array<Insertable<DB['order_items']>> = [];
  const paymentRows: Array<Insertable<DB['payments']>> = [];
  const shipmentRows: Array<Insertable<DB['shipments']>> = [];
  const eventRows: Array<Insertable<DB['tracking_events']>> = [];
  const refRows: Array<Insertable<DB['external_refs']>> = [];
  for (const o of orders) {
    const cur = o.currency;
    const orderId = uuidv7(t);
    const itemsTotal = sumMinor(o.items.map((i) => toMinor(i.unitPrice, cur) * BigInt(i.quantity)));
    const total = o.total !== null ? toMinor(o.total, cur) : itemsTotal + (o.shipping ? toMinor(o.shipping, cur) : 0n);
    orderRows.push({
      id: orderId,
      store_id: storeId,
      customer_id: o.customer.email ? (customerIds.get(o.customer.email) ?? null) : null,
      number: o.number,
      external_id: o.externalId,
      currency: cur,
      total: fromMinor(total, cur),
      status: o.status,
      placed_at: o.placedAt,
      fulfillment_status: o.fulfillmentStatus ?? (o.shipments.length ? 'fulfilled' as const : 'unfulfilled' as const),
      financial_status: o.financialStatus,
      shipping_address: o.shippingAddress ? JSON.stringify(o.shippingAddress) : null,
      cancelled_at: o.cancelledAt,
      cancel_reason: o.cancelReason,
    });
    const ids = o.items.map(() => uuidv7(t)).sort();
    o.items.forEach((i, k) => itemRows.push({ id: ids[k], order_id: orderId, variant_id: variantOf.get(i.sku) ?? null, warehouse_id: null, sku: i.sku, title: i.title, quantity: i.quantity, unit_price: i.unitPrice }));
    if (o.payment) {
      const amount = maxMinor(toMinor(o.payment.amount, cur), toMinor(o.payment.captured, cur));
      paymentRows.push({ id: uuidv7(t), order_id: orderId, method: o.payment.method, provider_ref: o.payment.providerRef, amount: fromMinor(amount, cur), captured: o.payment.captured, currency: cur });
    }
    for (const s of o.shipments) {
      const id = uuidv7(t);
      shipmentRows.push({ id, order_id: orderId, kind: 'outbound' as const, warehouse_id: null, carrier: s.carrier, tracking_number: s.trackingNumber, tracking_url: s.trackingUrl ?? null, status: s.status, shipped_at: s.shippedAt, delivered_at: s.deliveredAt });
      eventRows.push({ shipment_id: id, at: s.updatedAt ?? s.shippedAt ?? now, status: s.status, location: null, description: `${s.carrier}: ${s.status.replace(/_/g, ' ')} (${o.source})` });
      refRows.push({ store_id: storeId, source: o.source, kind: 'shipment' as const, external_id: s.externalId, local_id: id, order_id: orderId, source_updated_at: s.updatedAt, content_hash: contentHash(s), updated_at: now });
    }
    refRows.push({ store_id: storeId, source: o.source, kind: 'order' as const, external_id: orderKey(o), local_id: orderId, order_id: orderId, source_updated_at: o.updatedAt, content_hash: contentHash(o), updated_at: now });
  }
  await trx.insertInto('orders').values(orderRows).execute();
  if (itemRows.length) await trx.insertInto('order_items').values(itemRows).execute();
  if (paymentRows.length) await trx.insertInto('payments').values(paymentRows).execute();
  if (shipmentRows.length) await trx.insertInto('shipments').values(shipmentRows).execute();
  if (eventRows.length) await trx.insertInto('tracking_events').values(eventRows).execute();
  // a shipment id already known under another order makes the insert fail: the caller retries one by one
  await trx.insertInto('external_refs').values(refRows).execute();
  orders.forEach((o, k) => done(k, { outcome: 'created', orderId: orderRows[k].id, number: o.number }));
}
