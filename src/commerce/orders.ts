/**
 * Orders with what they hold: items, payments, shipments with tracking events, and the
 * after-sales records (returns, refunds, exchanges, reships, claims, the action trail).
 * `createOrder` is how the seed, tests and importers put an order in.
 */
import type { Kysely, Transaction } from 'kysely';
import type { DB, FinancialStatus, FulfillmentStatus, PostalAddress, ShipmentStatus } from '../db/types.ts';
import { uuidv7, isUuid } from '../core/ids.ts';
import { notFound, validationError } from '../core/errors.ts';
import { fromMinor, normalizeAmount, sumMinor, toMinor } from './money.ts';
import { variantBySku } from './catalog.ts';
import { getStorePolicy } from './policy.ts';
import { getMarket, isWithinWithdrawal, RETURN_REASONS, whoPaysReturn, type Market } from '../markets/index.ts';
import { AppError } from '../core/errors.ts';

type Db = Kysely<DB> | Transaction<DB>;

export interface CreateOrderInput {
  storeId: string;
  number: string;
  externalId?: string;
  currency: string;
  customer: { email: string; name?: string; country?: string; language?: string };
  shippingAddress: PostalAddress;
  placedAt?: Date;
  /** Items by SKU of the store's catalogue; unitPrice defaults to the variant's price. */
  items: Array<{ sku: string; quantity: number; unitPrice?: string; warehouseCode?: string }>;
  /** Shipping charged on top of the items. */
  shipping?: string;
  payment?: { method: string; providerRef?: string; captured?: boolean };
  shipment?: {
    carrier: string;
    trackingNumber: string;
    status: ShipmentStatus;
    shippedAt: Date;
    deliveredAt?: Date;
    events?: Array<{ at: Date; status: string; location?: string; description: string }>;
  };
}

export async function upsertCustomer(db: Db, storeId: string, c: CreateOrderInput['customer']): Promise<string> {
  const email = c.email.trim().toLowerCase();
  const row = await db
    .insertInto('customers')
    .values({ id: uuidv7(), store_id: storeId, email, name: c.name ?? null, language: c.language ?? null, country: c.country?.toUpperCase() ?? null })
    .onConflict((oc) => oc.columns(['store_id', 'email']).doUpdateSet((eb) => ({ name: eb.fn.coalesce('excluded.name', 'customers.name') })))
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Puts an order in, with items, its payment and (when shipped) its shipment. */
export async function createOrder(db: Kysely<DB>, input: CreateOrderInput): Promise<{ id: string; number: string }> {
  return db.transaction().execute(async (trx) => {
    const currency = input.currency.toUpperCase();
    const customerId = await upsertCustomer(trx, input.storeId, input.customer);
    const orderId = uuidv7();
    const items = [];
    for (const it of input.items) {
      const v = await variantBySku(trx, input.storeId, it.sku);
      let warehouseId: string | null = null;
      if (it.warehouseCode) {
        const w = await trx.selectFrom('warehouses').select('id').where('store_id', '=', input.storeId).where('code', '=', it.warehouseCode).executeTakeFirst();
        if (!w) throw notFound('Warehouse', it.warehouseCode);
        warehouseId = w.id;
      }
      items.push({
        id: uuidv7(),
        order_id: orderId,
        variant_id: v.id,
        warehouse_id: warehouseId,
        sku: v.sku,
        title: v.title ? `${v.product_title} (${v.title})` : v.product_title,
        quantity: it.quantity,
        unit_price: normalizeAmount(it.unitPrice ?? v.price, currency),
      });
    }
    const total = sumMinor(items.map((i) => toMinor(i.unit_price, currency) * BigInt(i.quantity))) + (input.shipping ? toMinor(input.shipping, currency) : 0n);
    const captured = input.payment && input.payment.captured !== false;
    const fulfillment: FulfillmentStatus = input.shipment ? 'fulfilled' : 'unfulfilled';
    const financial: FinancialStatus = captured ? 'paid' : 'pending';
    await trx
      .insertInto('orders')
      .values({
        id: orderId,
        store_id: input.storeId,
        customer_id: customerId,
        number: input.number,
        external_id: input.externalId ?? null,
        currency,
        total: fromMinor(total, currency),
        status: 'open',
        placed_at: input.placedAt ?? new Date(),
        fulfillment_status: fulfillment,
        financial_status: financial,
        shipping_address: JSON.stringify(input.shippingAddress),
      })
      .execute();
    if (items.length) await trx.insertInto('order_items').values(items).execute();
    // an unshipped order holds its stock
    if (!input.shipment) {
      for (const i of items) {
        if (i.variant_id && i.warehouse_id) {
          await trx.updateTable('inventory').set((eb) => ({ reserved: eb('reserved', '+', i.quantity) }))
            .where('variant_id', '=', i.variant_id).where('warehouse_id', '=', i.warehouse_id).execute();
        }
      }
    }
    if (input.payment) {
      await trx.insertInto('payments').values({
        id: uuidv7(),
        order_id: orderId,
        method: input.payment.method,
        provider_ref: input.payment.providerRef ?? null,
        amount: fromMinor(total, currency),
        captured: captured ? fromMinor(total, currency) : '0',
        currency,
      }).execute();
    }
    if (input.shipment) {
      const s = input.shipment;
      const shipmentId = uuidv7();
      await trx.insertInto('shipments').values({
        id: shipmentId,
        order_id: orderId,
        kind: 'outbound',
        carrier: s.carrier,
        tracking_number: s.trackingNumber,
        status: s.status,
        warehouse_id: items.find((i) => i.warehouse_id)?.warehouse_id ?? null,
        shipped_at: s.shippedAt,
        delivered_at: s.deliveredAt ?? null,
      }).execute();
      if (s.events?.length) {
        await trx.insertInto('tracking_events').values(s.events.map((e) => ({ shipment_id: shipmentId, at: e.at, status: e.status, location: e.location ?? null, description: e.description }))).execute();
      }
    }
    return { id: orderId, number: input.number };
  });
}

// ---------------------------------------------------------------------------------------
// Reading

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export interface OrderSummary {
  id: string;
  storeId: string;
  number: string;
  externalId: string | null;
  currency: string;
  total: string;
  status: string;
  fulfillmentStatus: string;
  financialStatus: string;
  placedAt: string;
  customer: { id: string; email: string; name: string | null; country: string | null; language: string | null } | null;
}

function orderBase(db: Db) {
  return db
    .selectFrom('orders')
    .leftJoin('customers', 'customers.id', 'orders.customer_id')
    .select([
      'orders.id', 'orders.store_id', 'orders.number', 'orders.external_id', 'orders.currency', 'orders.total', 'orders.status',
      'orders.fulfillment_status', 'orders.financial_status', 'orders.placed_at', 'orders.shipping_address', 'orders.cancelled_at', 'orders.cancel_reason',
      'customers.id as customer_id', 'customers.email as customer_email', 'customers.name as customer_name',
      'customers.country as customer_country', 'customers.language as customer_language',
    ]);
}
type OrderBaseRow = Awaited<ReturnType<ReturnType<typeof orderBase>['executeTakeFirstOrThrow']>>;

function summary(r: OrderBaseRow): OrderSummary {
  return {
    id: r.id,
    storeId: r.store_id,
    number: r.number,
    externalId: r.external_id,
    currency: r.currency,
    total: normalizeAmount(r.total, r.currency),
    status: r.status,
    fulfillmentStatus: r.fulfillment_status,
    financialStatus: r.financial_status,
    placedAt: r.placed_at.toISOString(),
    customer: r.customer_id
      ? { id: r.customer_id, email: r.customer_email ?? '', name: r.customer_name, country: r.customer_country, language: r.customer_language }
      : null,
  };
}

/** A shipment as the order detail gives it. */
export interface ShipmentJson {
  id: string;
  kind: 'outbound' | 'reship' | 'return';
  carrier: string;
  trackingNumber: string | null;
  /**
   * The carrier's tracking page as the shop platform gave it (an absolute http(s) URL), else
   * null; always present in getOrderDetail's answer. Optional here because other readers
   * that build this shape (the bot's tracking read) do not load it.
   */
  trackingUrl?: string | null;
  status: ShipmentStatus;
  shippedAt: string | null;
  deliveredAt: string | null;
  events: Array<{ at: string; status: string; location: string | null; description: string }>;
}

export interface FindOrdersInput {
  externalId?: string;
  number?: string;
  customerEmail?: string;
  storeId?: string;
  limit?: number;
}

/** Orders by external id, number (with or without "#") or customer e-mail; newest first. */
export async function findOrders(db: Db, q: FindOrdersInput): Promise<{ items: OrderSummary[] }> {
  const limit = Math.min(Math.max(q.limit ?? 20, 1), 100);
  let query = orderBase(db);
  if (q.storeId) {
    if (!isUuid(q.storeId)) throw validationError('storeId must be a store id', { field: 'storeId' });
    query = query.where('orders.store_id', '=', q.storeId);
  }
  if (q.externalId) query = query.where('orders.external_id', '=', q.externalId.trim());
  if (q.number) {
    const n = q.number.trim().replace(/^#/, '');
    query = query.where((eb) => eb.or([eb('orders.number', '=', n), eb('orders.number', '=', `#${n}`)]));
  }
  if (q.customerEmail) query = query.where('customers.email', '=', q.customerEmail.trim().toLowerCase());
  const rows = await query.orderBy('orders.placed_at', 'desc').orderBy('orders.id', 'desc').limit(limit).execute();
  return { items: rows.map(summary) };
}

export async function getOrderDetail(db: Db, id: string, now: Date = new Date()) {
  if (!isUuid(id)) throw validationError('id must be an order id', { field: 'id' });
  const r = await orderBase(db).where('orders.id', '=', id).executeTakeFirst();
  if (!r) throw notFound('Order', id);
  const cur = r.currency;
  const [items, payments, refunds, shipments, returns, exchanges, reships, claims, actions, store] = await Promise.all([
    db.selectFrom('order_items').leftJoin('variants', 'variants.id', 'order_items.variant_id')
      .select(['order_items.id', 'order_items.variant_id', 'order_items.sku', 'order_items.title', 'order_items.quantity', 'order_items.unit_price', 'variants.options'])
      .where('order_items.order_id', '=', id).orderBy('order_items.created_at').orderBy('order_items.id').execute(),
    db.selectFrom('payments').selectAll().where('order_id', '=', id).orderBy('created_at').execute(),
    db.selectFrom('refunds').selectAll().where('order_id', '=', id).orderBy('created_at').execute(),
    db.selectFrom('shipments').selectAll().where('order_id', '=', id).orderBy('created_at').orderBy('id').execute(),
    db.selectFrom('returns').select(['id', 'rma', 'reason', 'items', 'market', 'who_pays_shipping', 'carrier', 'tracking_number', 'status', 'received_at', 'refunded_at', 'created_at', 'updated_at'])
      .where('order_id', '=', id).orderBy('created_at').execute(),
    db.selectFrom('exchanges').innerJoin('variants', 'variants.id', 'exchanges.to_variant_id')
      .select(['exchanges.id', 'exchanges.order_item_id', 'exchanges.to_variant_id', 'variants.sku as to_sku', 'exchanges.quantity', 'exchanges.price_difference', 'exchanges.status', 'exchanges.reason', 'exchanges.created_at'])
      .where('exchanges.order_id', '=', id).orderBy('exchanges.created_at').execute(),
    db.selectFrom('reships').selectAll().where('order_id', '=', id).orderBy('created_at').execute(),
    db.selectFrom('carrier_claims').selectAll().where('order_id', '=', id).orderBy('created_at').execute(),
    db.selectFrom('order_actions').select(['id', 'type', 'ticket_id', 'actor_type', 'actor_id', 'result', 'created_at'])
      .where('order_id', '=', id).orderBy('created_at', 'desc').limit(50).execute(),
    db.selectFrom('stores').select(['market', 'name']).where('id', '=', r.store_id).executeTakeFirstOrThrow(),
  ]);
  const events = shipments.length
    ? await db.selectFrom('tracking_events').selectAll().where('shipment_id', 'in', shipments.map((s) => s.id)).orderBy('at', 'desc').orderBy('id', 'desc').execute()
    : [];
  const returned = new Map<string, number>();
  for (const ret of returns) {
    if (ret.status === 'cancelled') continue;
    for (const it of ret.items) returned.set(it.orderItemId, (returned.get(it.orderItemId) ?? 0) + it.quantity);
  }
  const refundedBy = new Map<string, bigint>();
  for (const f of refunds) if (f.status !== 'failed') refundedBy.set(f.payment_id, (refundedBy.get(f.payment_id) ?? 0n) + toMinor(f.amount, cur));
  const paid = sumMinor(payments.map((p) => toMinor(p.captured, cur)));
  const refunded = sumMinor(refundedBy.values());
  const shipmentJson = shipments.map((s): ShipmentJson & { trackingUrl: string | null } => ({
    id: s.id,
    kind: s.kind,
    carrier: s.carrier,
    trackingNumber: s.tracking_number,
    trackingUrl: s.tracking_url,
    status: s.status,
    shippedAt: iso(s.shipped_at),
    deliveredAt: iso(s.delivered_at),
    events: events.filter((e) => e.shipment_id === s.id).map((e) => ({ at: e.at.toISOString(), status: e.status, location: e.location, description: e.description })),
  }));
  const outbound: ShipmentJson | null = [...shipmentJson].reverse().find((s) => s.kind === 'outbound') ?? null;
  const market = marketFor(r.customer_country, store.market);
  const policy = await getStorePolicy(db, r.store_id);
  const deliveredAt = shipments.filter((s) => s.kind !== 'return' && s.delivered_at).map((s) => s.delivered_at!).sort((a, b) => b.getTime() - a.getTime())[0] ?? null;
  const daysSinceDelivery = deliveredAt ? Math.floor((now.getTime() - deliveredAt.getTime()) / 86_400_000) : null;
  const windowFrom = policy.returnWindowFrom === 'order' ? r.placed_at : deliveredAt;
  const storeDays = windowFrom ? Math.floor((now.getTime() - windowFrom.getTime()) / 86_400_000) : -1;
  const returnTerms = {
    market: market.code,
    daysSinceDelivery,
    withdrawalDays: market.consumer.withdrawal.days,
    withdrawalOpen: isWithinWithdrawal(market, daysSinceDelivery ?? -1),
    storeWindowDays: policy.returnWindowDays,
    storeWindowOpen: policy.returnWindowDays > 0 && storeDays <= policy.returnWindowDays,
    whoPaysShipping: Object.fromEntries(RETURN_REASONS.map((reason) => [reason, whoPaysReturn(market, reason, policy) === 'buyer' ? 'buyer' : 'seller'])) as Record<string, 'seller' | 'buyer'>,
    source: market.consumer.returnShipping.source,
  };
  return {
    ...summary(r),
    market: market.code,
    storeMarket: store.market,
    returnTerms,
    shippingAddress: r.shipping_address,
    cancelledAt: iso(r.cancelled_at),
    cancelReason: r.cancel_reason,
    items: items.map((i) => ({
      id: i.id,
      variantId: i.variant_id,
      sku: i.sku,
      title: i.title,
      options: i.options ?? {},
      quantity: i.quantity,
      unitPrice: normalizeAmount(i.unit_price, cur),
      returnedQuantity: returned.get(i.id) ?? 0,
    })),
    payments: payments.map((p) => {
      const done = refundedBy.get(p.id) ?? 0n;
      return {
        id: p.id,
        method: p.method,
        amount: normalizeAmount(p.amount, cur),
        captured: normalizeAmount(p.captured, cur),
        refunded: fromMinor(done, cur),
        refundable: fromMinor(toMinor(p.captured, cur) - done, cur),
        currency: p.currency,
        createdAt: p.created_at.toISOString(),
      };
    }),
    totals: { paid: fromMinor(paid, cur), refunded: fromMinor(refunded, cur), refundable: fromMinor(paid - refunded, cur) },
    shipment: outbound,
    shipments: shipmentJson,
    returns: returns.map((x) => ({
      id: x.id,
      rma: x.rma,
      reason: x.reason,
      items: x.items,
      market: x.market,
      whoPaysShipping: x.who_pays_shipping,
      carrier: x.carrier,
      trackingNumber: x.tracking_number,
      status: x.status,
      labelUrl: `/api/v1/returns/${x.id}/label.pdf`,
      receivedAt: iso(x.received_at),
      refundedAt: iso(x.refunded_at),
      createdAt: x.created_at.toISOString(),
    })),
    refunds: refunds.map((f) => ({
      id: f.id,
      paymentId: f.payment_id,
      returnId: f.return_id,
      amount: normalizeAmount(f.amount, cur),
      currency: f.currency,
      method: f.method,
      reason: f.reason,
      status: f.status,
      createdAt: f.created_at.toISOString(),
    })),
    exchanges: exchanges.map((e) => ({
      id: e.id,
      orderItemId: e.order_item_id,
      toVariantId: e.to_variant_id,
      toSku: e.to_sku,
      quantity: e.quantity,
      priceDifference: normalizeAmount(e.price_difference, cur),
      status: e.status,
      reason: e.reason,
      createdAt: e.created_at.toISOString(),
    })),
    reships: reships.map((x) => ({ id: x.id, items: x.items, warehouseId: x.warehouse_id, reason: x.reason, status: x.status, createdAt: x.created_at.toISOString() })),
    claims: claims.map((c) => ({
      id: c.id,
      shipmentId: c.shipment_id,
      kind: c.kind,
      carrier: c.carrier,
      reference: c.reference,
      amount: normalizeAmount(c.amount, cur),
      status: c.status,
      createdAt: c.created_at.toISOString(),
    })),
    actions: actions.map((a) => ({ id: a.id, type: a.type, ticketId: a.ticket_id, actorType: a.actor_type, actorId: a.actor_id, result: a.result, createdAt: a.created_at.toISOString() })),
  };
}

/** The market whose law applies: the customer's country, else the store's; US when unknown. */
export function marketFor(...codes: Array<string | null>): Market {
  for (const code of codes) {
    if (!code) continue;
    try {
      return getMarket(code);
    } catch (e) {
      if (!(e instanceof AppError) || e.code !== 'not_found') throw e;
    }
  }
  return getMarket('US');
}

export type OrderDetail = Awaited<ReturnType<typeof getOrderDetail>>;
