/**
 * After-sales actions on an order: return (RMA + prepaid label), exchange, refund, reship,
 * carrier claim, cancellation, address change, and moving a return along.
 *
 * Every action:
 * - runs in one transaction with the order row locked, so two agents (or a retry) cannot
 *   act on the same order at once;
 * - is idempotent: the first call with an idempotency key records its result in
 *   `order_actions`; a repeat with the same key returns that result and does nothing
 *   (`replayed: true`); the same key with a different request is refused;
 * - refuses what the law, the store policy or the order state forbid with an AppError
 *   (`conflict` for the state, `validation_failed` for the input) and a reason an agent
 *   can read to the customer; a refused action leaves nothing behind;
 * - when given a ticket, leaves a `ticket_events` row of type `order_action` on it.
 * Slow work that needs no lock (the return label PDF) runs after the commit.
 */
import { randomInt } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { DB, ItemQuantity, OrderActionType, PostalAddress, ReturnStatus } from '../db/types.ts';
import { systemClock, type Clock } from '../core/clock.ts';
import { AppError, conflict, notFound, validationError } from '../core/errors.ts';
import { isUuid, uuidv7 } from '../core/ids.ts';
import type { Actor } from '../helpdesk/visibility.ts';
import { isWithinWithdrawal, RETURN_REASONS, whoPaysReturn, type Market, type ReturnReason } from '../markets/index.ts';
import { lockStock, releaseStock, reserveStock, restock } from './catalog.ts';
import { renderReturnLabel, type ReturnLabelInput } from './label.ts';
import { fromMinor, sumMinor, toMinor } from './money.ts';
import { getStorePolicy } from './policy.ts';
import { marketFor } from './orders.ts';

// ---------------------------------------------------------------------------------------
// Shared shapes

export interface ActionBase {
  orderId: string;
  ticketId?: string | null;
  actor: Actor;
  idempotencyKey: string;
  /** Time source (tests pin it). */
  clock?: Clock;
}

export interface ActionOutcome<R> {
  actionId: string;
  type: OrderActionType;
  orderId: string;
  ticketId: string | null;
  /** True when this key was seen before: the stored result, nothing done again. */
  replayed: boolean;
  createdAt: string;
  result: R;
}

type Trx = Transaction<DB>;

interface OrderCtx {
  id: string;
  storeId: string;
  storeName: string;
  number: string;
  currency: string;
  status: string;
  fulfillmentStatus: string;
  financialStatus: string;
  shippingAddress: PostalAddress | null;
  placedAt: Date;
  customerCountry: string | null;
  storeMarket: string;
}

const KEY_RE = /^[\x21-\x7e]{8,200}$/;

/** Stable JSON (sorted keys) to compare a repeat's request with the first one. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).filter((k) => o[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v ?? null);
}

function isUniqueViolation(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: unknown }).code === '23505';
}

async function replay<R>(db: Kysely<DB> | Trx, key: string, type: OrderActionType, orderId: string, request: unknown): Promise<ActionOutcome<R> | null> {
  const prev = await db.selectFrom('order_actions').selectAll().where('idempotency_key', '=', key).executeTakeFirst();
  if (!prev) return null;
  if (prev.type !== type || prev.order_id !== orderId || canonical(prev.request) !== canonical(request)) {
    throw conflict(`The idempotency key "${key}" was already used for a different request (${prev.type} on another order or with other values); use a new key for a new action`, {
      field: 'idempotencyKey',
      previousType: prev.type,
    });
  }
  return { actionId: prev.id, type: prev.type, orderId: prev.order_id, ticketId: prev.ticket_id, replayed: true, createdAt: prev.created_at.toISOString(), result: prev.result as R };
}

/**
 * The frame every action runs in: validate the key, lock the order, replay or run `body`,
 * record the action (and the ticket event), all in one transaction.
 */
async function runAction<R>(
  db: Kysely<DB>,
  type: OrderActionType,
  base: ActionBase,
  request: Record<string, unknown>,
  body: (trx: Trx, order: OrderCtx, now: Date) => Promise<{ result: R; summary: string }>,
): Promise<ActionOutcome<R>> {
  const key = typeof base.idempotencyKey === 'string' ? base.idempotencyKey.trim() : '';
  if (!KEY_RE.test(key)) throw validationError('An idempotency key of 8–200 visible ASCII characters is required (Idempotency-Key header or idempotencyKey field)', { field: 'idempotencyKey' });
  if (!isUuid(base.orderId)) throw validationError('orderId must be an order id', { field: 'orderId' });
  if (base.ticketId != null && !isUuid(base.ticketId)) throw validationError('ticketId must be a ticket id', { field: 'ticketId' });
  const clock = base.clock ?? systemClock;
  const req = JSON.parse(JSON.stringify(request)) as Record<string, unknown>;
  try {
    return await db.transaction().execute(async (trx) => {
      const o = await trx
        .selectFrom('orders')
        .select(['id', 'store_id', 'number', 'currency', 'status', 'fulfillment_status', 'financial_status', 'shipping_address', 'placed_at', 'customer_id'])
        .where('id', '=', base.orderId)
        .forUpdate()
        .executeTakeFirst();
      if (!o) throw notFound('Order', base.orderId);
      const again = await replay<R>(trx, key, type, o.id, req);
      if (again) return again;
      const [store, customer] = await Promise.all([
        trx.selectFrom('stores').select(['name', 'market']).where('id', '=', o.store_id).executeTakeFirstOrThrow(),
        o.customer_id ? trx.selectFrom('customers').select(['country']).where('id', '=', o.customer_id).executeTakeFirst() : Promise.resolve(undefined),
      ]);
      if (base.ticketId) {
        const t = await trx.selectFrom('tickets').select(['id', 'store_id']).where('id', '=', base.ticketId).executeTakeFirst();
        if (!t) throw notFound('Ticket', base.ticketId);
        if (t.store_id !== o.store_id) throw validationError('The ticket belongs to another store than the order', { field: 'ticketId' });
      }
      const now = clock.now();
      const ctx: OrderCtx = {
        id: o.id,
        storeId: o.store_id,
        storeName: store.name,
        number: o.number,
        currency: o.currency,
        status: o.status,
        fulfillmentStatus: o.fulfillment_status,
        financialStatus: o.financial_status,
        shippingAddress: o.shipping_address,
        placedAt: o.placed_at,
        customerCountry: customer?.country ?? null,
        storeMarket: store.market,
      };
      const { result, summary } = await body(trx, ctx, now);
      const stored = JSON.parse(JSON.stringify(result)) as R;
      const actionId = uuidv7(now.getTime());
      await trx.insertInto('order_actions').values({
        id: actionId,
        order_id: o.id,
        ticket_id: base.ticketId ?? null,
        type,
        actor_type: base.actor.type,
        actor_id: base.actor.id,
        idempotency_key: key,
        request: JSON.stringify(req),
        result: JSON.stringify(stored),
        created_at: now,
      }).execute();
      if (base.ticketId) {
        await trx.insertInto('ticket_events').values({
          ticket_id: base.ticketId,
          actor_type: base.actor.type,
          actor_id: base.actor.id,
          type: 'order_action',
          field: type,
          before: null,
          after: JSON.stringify({ actionId, action: type, orderId: o.id, orderNumber: o.number, summary, result: stored }),
          created_at: now,
        }).execute();
      }
      return { actionId, type, orderId: o.id, ticketId: base.ticketId ?? null, replayed: false, createdAt: now.toISOString(), result: stored };
    });
  } catch (e) {
    // the same key raced in on another order row: answer as a repeat would
    if (isUniqueViolation(e)) {
      const again = await replay<R>(db, key, type, base.orderId, req);
      if (again) return again;
    }
    throw e;
  }
}

// ---------------------------------------------------------------------------------------
// Helpers over the order

async function itemsOf(trx: Trx, orderId: string) {
  return trx.selectFrom('order_items').select(['id', 'variant_id', 'warehouse_id', 'sku', 'title', 'quantity', 'unit_price']).where('order_id', '=', orderId).orderBy('created_at').orderBy('id').execute();
}
type ItemRow = Awaited<ReturnType<typeof itemsOf>>[number];

async function shipmentsOf(trx: Trx, orderId: string) {
  return trx.selectFrom('shipments').selectAll().where('order_id', '=', orderId).orderBy('created_at').orderBy('id').execute();
}

function refuseIfCancelled(o: OrderCtx, what: string): void {
  if (o.status === 'cancelled') throw conflict(`Order ${o.number} is cancelled: ${what} is not possible`, { reason: 'order_cancelled' });
}

/** Has fulfilment begun: marked fulfilled, or an outbound label / shipment exists. */
function fulfilmentStarted(o: OrderCtx, shipments: Array<{ kind: string }>): boolean {
  return o.fulfillmentStatus !== 'unfulfilled' || shipments.some((s) => s.kind === 'outbound');
}

const marketOf = (o: OrderCtx): Market => marketFor(o.customerCountry, o.storeMarket);

/** Sums requested lines per order item and checks them against the order. */
function checkLines(lines: ItemQuantity[], items: ItemRow[], field: string): Map<string, { item: ItemRow; quantity: number }> {
  if (!Array.isArray(lines) || lines.length === 0) throw validationError(`${field} must list at least one order item`, { field });
  const out = new Map<string, { item: ItemRow; quantity: number }>();
  for (const [i, l] of lines.entries()) {
    if (!Number.isInteger(l.quantity) || l.quantity < 1) throw validationError(`${field}[${i}].quantity must be a whole number ≥ 1`, { field: `${field}[${i}].quantity` });
    const item = items.find((x) => x.id === l.orderItemId);
    if (!item) throw validationError(`${field}[${i}].orderItemId is not an item of this order`, { field: `${field}[${i}].orderItemId` });
    const prev = out.get(item.id);
    out.set(item.id, { item, quantity: (prev?.quantity ?? 0) + l.quantity });
  }
  for (const { item, quantity } of out.values()) {
    if (quantity > item.quantity) throw validationError(`${item.sku}: ${quantity} asked, the order has ${item.quantity}`, { field, sku: item.sku });
  }
  return out;
}

const DAY = 86_400_000;

function randomCode(n: number): string {
  const A = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  let s = '';
  for (let i = 0; i < n; i++) s += A[randomInt(A.length)];
  return s;
}

/** A UPU S10 tracking number (2 letters, 8 digits, check digit, country): e.g. RR123456785DE. */
export function s10TrackingNumber(prefix: string, serial: number, country: string): string {
  const digits = String(serial % 100_000_000).padStart(8, '0');
  const w = [8, 6, 4, 2, 3, 5, 9, 7];
  const sum = [...digits].reduce((t, d, i) => t + Number(d) * w[i], 0);
  let check = 11 - (sum % 11);
  if (check === 10) check = 0;
  if (check === 11) check = 5;
  return `${prefix}${digits}${check}${country.toUpperCase().slice(0, 2)}`;
}

const CARRIERS: Record<string, string> = {
  DE: 'DHL Paket', AT: 'Austrian Post', US: 'USPS', GB: 'Royal Mail', FR: 'La Poste Colissimo', ES: 'Correos', IT: 'Poste Italiane',
  NL: 'PostNL', PL: 'InPost', SE: 'PostNord', JP: 'Japan Post', KR: 'CJ Logistics', AU: 'Australia Post', CA: 'Canada Post',
  MX: 'Correos de México', BR: 'Correios', AE: 'Aramex', SA: 'SMSA Express',
};
export const returnCarrierFor = (country: string) => CARRIERS[country.toUpperCase()] ?? 'DHL Express';

// ---------------------------------------------------------------------------------------
// Return

export interface ReturnInput extends ActionBase {
  reason: ReturnReason;
  items: ItemQuantity[];
  note?: string;
  /** Renders the label PDF (default renderReturnLabel; tests replace it). */
  renderLabel?: LabelRenderer;
}

/** Turns a label's data into the PDF. */
export type LabelRenderer = (input: ReturnLabelInput) => Promise<Uint8Array>;

export interface ReturnResult {
  returnId: string;
  rma: string;
  status: ReturnStatus;
  reason: ReturnReason;
  market: string;
  whoPaysShipping: 'seller' | 'buyer';
  /** Why: the law's rule (with its source) and whether the store policy decided. */
  rule: { law: string; decidedBy: 'law' | 'store_policy'; source: string };
  carrier: string;
  trackingNumber: string;
  labelUrl: string;
  items: ItemQuantity[];
  itemsValue: string;
  currency: string;
  daysSinceDelivery: number | null;
  /**
   * Whether the label PDF is stored. It is rendered after the return is committed; when that
   * fails the return stands (false, with `labelError`) and the label is rendered when it is
   * first asked for (GET …/label.pdf) or when the action is repeated with the same key.
   * Not part of the stored result: it says how things are now.
   */
  labelReady?: boolean;
  labelError?: string;
}

/**
 * Creates a return: in one transaction the checks, the RMA, the return and its return
 * shipment and the action record; then, after the commit, the label PDF is rendered and
 * stored. Rendering is kept out of the transaction because it can take a second (a CJK
 * font is parsed and subset) and the transaction holds the order's lock — and on the
 * embedded database the only connection. A repeat with the same key renders a label that
 * is still missing.
 */
export async function createReturn(db: Kysely<DB>, input: ReturnInput): Promise<ActionOutcome<ReturnResult>> {
  if (!(RETURN_REASONS as readonly string[]).includes(input.reason)) throw validationError(`reason must be one of ${RETURN_REASONS.join(', ')}`, { field: 'reason' });
  const request = { reason: input.reason, items: input.items, note: input.note, ticketId: input.ticketId ?? undefined };
  const out = await runAction<ReturnResult>(db, 'return', input, request, async (trx, o, now) => {
    refuseIfCancelled(o, 'a return');
    const [items, shipments, previous] = await Promise.all([
      itemsOf(trx, o.id),
      shipmentsOf(trx, o.id),
      trx.selectFrom('returns').select(['rma', 'items', 'status']).where('order_id', '=', o.id).where('status', '!=', 'cancelled').execute(),
    ]);
    const shipped = shipments.filter((s) => s.kind !== 'return' && s.shipped_at);
    if (!shipped.length) {
      throw conflict(`Order ${o.number} has not shipped yet: there is nothing to return — cancel the order (or the item) instead`, { reason: 'not_shipped' });
    }
    const lines = checkLines(input.items, items, 'items');
    for (const { item, quantity } of lines.values()) {
      const already = previous.flatMap((p) => p.items.filter((x) => x.orderItemId === item.id).map((x) => ({ rma: p.rma, q: x.quantity })));
      const taken = already.reduce((t, x) => t + x.q, 0);
      if (taken + quantity > item.quantity) {
        throw conflict(`${item.sku}: ${taken} of ${item.quantity} already in return ${already.map((a) => a.rma).join(', ')}; ${item.quantity - taken} left to return`, { reason: 'already_returned', sku: item.sku });
      }
    }

    const market = marketOf(o);
    const policy = await getStorePolicy(trx, o.storeId);
    const delivered = shipped.map((s) => s.delivered_at).filter((d): d is Date => d !== null).sort((a, b) => b.getTime() - a.getTime())[0] ?? null;
    const daysSinceDelivery = delivered ? Math.floor((now.getTime() - delivered.getTime()) / DAY) : null;
    if (input.reason === 'change_of_mind') {
      const statutory = isWithinWithdrawal(market, daysSinceDelivery ?? -1);
      const from = policy.returnWindowFrom === 'order' ? o.placedAt : delivered;
      const storeDays = from ? Math.floor((now.getTime() - from.getTime()) / DAY) : -1;
      const byStore = policy.returnWindowDays > 0 && storeDays <= policy.returnWindowDays;
      if (!statutory && !byStore) {
        const w = market.consumer.withdrawal;
        throw conflict(
          `The return window has closed: delivered ${daysSinceDelivery} days ago; ` +
            (w.days > 0 ? `the legal withdrawal period in ${market.code} is ${w.days} days (${w.source}) ` : `${market.code} law gives no change-of-mind right `) +
            `and the store accepts returns for ${policy.returnWindowDays} days. Offer goodwill (a partial refund or store credit) instead.`,
          { reason: 'return_window_closed', daysSinceDelivery, statutoryDays: w.days, storeWindowDays: policy.returnWindowDays },
        );
      }
    } else {
      const months = market.consumer.legalGuarantee.months ?? policy.warrantyMonths ?? null;
      if (months !== null && delivered) {
        const end = new Date(delivered);
        end.setUTCMonth(end.getUTCMonth() + months);
        if (now > end) {
          throw conflict(`The ${months}-month guarantee for defects ended on ${end.toISOString().slice(0, 10)} (${market.consumer.legalGuarantee.source})`, { reason: 'guarantee_expired', months });
        }
      }
    }
    const law = market.consumer.returnShipping[input.reason];
    const payer = whoPaysReturn(market, input.reason, policy);
    const whoPays: 'seller' | 'buyer' = payer === 'buyer' ? 'buyer' : 'seller';

    const warehouses = await trx.selectFrom('warehouses').select(['id', 'name', 'country', 'address']).where('store_id', '=', o.storeId).orderBy('created_at').execute();
    if (!warehouses.length) throw conflict('The store has no warehouse to receive returns: add one first', { reason: 'no_warehouse' });
    const custCountry = o.shippingAddress?.country ?? o.customerCountry ?? market.code;
    const eu = new Set(['AT', 'BE', 'BG', 'HR', 'CY', 'CZ', 'DK', 'EE', 'FI', 'FR', 'DE', 'GR', 'HU', 'IE', 'IT', 'LV', 'LT', 'LU', 'MT', 'NL', 'PL', 'PT', 'RO', 'SK', 'SI', 'ES', 'SE']);
    const wh = warehouses.find((w) => w.country === custCountry) ?? warehouses.find((w) => eu.has(w.country) && eu.has(custCountry)) ?? warehouses[0];
    if (!o.shippingAddress) throw conflict(`Order ${o.number} has no shipping address to print as the sender`, { reason: 'no_address' });

    const carrier = returnCarrierFor(custCountry);
    const rma = `RMA-${now.toISOString().slice(2, 10).replace(/-/g, '')}-${randomCode(6)}`;
    const trackingNumber = s10TrackingNumber('RR', randomInt(100_000_000), custCountry);
    const itemList = [...lines.values()].map(({ item, quantity }) => ({ orderItemId: item.id, quantity }));
    const value = sumMinor([...lines.values()].map(({ item, quantity }) => toMinor(item.unit_price, o.currency) * BigInt(quantity)));
    const returnId = uuidv7(now.getTime());
    await trx.insertInto('returns').values({
      id: returnId,
      order_id: o.id,
      rma,
      reason: input.reason,
      items: JSON.stringify(itemList),
      market: market.code,
      who_pays_shipping: whoPays,
      carrier,
      tracking_number: trackingNumber,
      // rendered after the commit (ensureReturnLabel): a CJK label takes a second
      label_pdf: null,
      status: 'label_created',
      warehouse_id: wh.id,
      note: input.note ?? null,
      created_at: now,
      updated_at: now,
    }).execute();
    await trx.insertInto('shipments').values({ id: uuidv7(now.getTime()), order_id: o.id, kind: 'return', carrier, tracking_number: trackingNumber, status: 'label_created', warehouse_id: wh.id }).execute();
    const result: ReturnResult = {
      returnId,
      rma,
      status: 'label_created',
      reason: input.reason,
      market: market.code,
      whoPaysShipping: whoPays,
      rule: { law, decidedBy: law === 'store_policy' ? 'store_policy' : 'law', source: market.consumer.returnShipping.source },
      carrier,
      trackingNumber,
      labelUrl: `/api/v1/returns/${returnId}/label.pdf`,
      items: itemList,
      itemsValue: fromMinor(value, o.currency),
      currency: o.currency,
      daysSinceDelivery,
    };
    return { result, summary: `Return ${rma} (${input.reason}), prepaid ${carrier} label; return shipping paid by the ${whoPays}` };
  });
  try {
    await ensureReturnLabel(db, out.result.returnId, { render: input.renderLabel });
    return { ...out, result: { ...out.result, labelReady: true } };
  } catch (e) {
    // the return is committed and valid: report it, and say the label is still to come
    return { ...out, result: { ...out.result, labelReady: false, labelError: e instanceof Error ? e.message : String(e) } };
  }
}

/** What the label of a stored return prints: the return, its order, store and warehouse. */
export async function returnLabelInput(db: Kysely<DB>, returnId: string): Promise<ReturnLabelInput> {
  const r = await db
    .selectFrom('returns')
    .innerJoin('orders', 'orders.id', 'returns.order_id')
    .innerJoin('stores', 'stores.id', 'orders.store_id')
    .leftJoin('warehouses', 'warehouses.id', 'returns.warehouse_id')
    .select([
      'returns.rma', 'returns.carrier', 'returns.tracking_number', 'returns.reason', 'returns.items', 'returns.who_pays_shipping', 'returns.created_at',
      'orders.number', 'orders.shipping_address', 'stores.name as store_name', 'warehouses.address as warehouse_address',
    ])
    .where('returns.id', '=', returnId)
    .executeTakeFirst();
  if (!r) throw notFound('Return', returnId);
  if (!r.shipping_address) throw conflict(`Order ${r.number} has no shipping address to print as the sender of return ${r.rma}`, { reason: 'no_address' });
  if (!r.warehouse_address) throw conflict(`Return ${r.rma} has no warehouse to send it to`, { reason: 'no_warehouse' });
  return {
    rma: r.rma,
    carrier: r.carrier,
    trackingNumber: r.tracking_number,
    orderNumber: r.number,
    reason: r.reason,
    itemCount: r.items.reduce((t, x) => t + x.quantity, 0),
    from: r.shipping_address,
    to: { ...r.warehouse_address, name: `${r.store_name} Returns - ${r.warehouse_address.name}` },
    whoPaysShipping: r.who_pays_shipping === 'buyer' ? 'buyer' : 'seller',
    storeName: r.store_name,
    createdAt: r.created_at,
  };
}

/**
 * The label PDF of a return, rendered and stored first if it is not yet (outside any
 * transaction). Two callers at once may both render; the first stored copy wins and both
 * answer with it.
 */
export async function ensureReturnLabel(db: Kysely<DB>, returnId: string, opts: { render?: LabelRenderer } = {}): Promise<{ rma: string; pdf: Uint8Array; rendered: boolean }> {
  if (!isUuid(returnId)) throw validationError('id must be a return id', { field: 'id' });
  const stored = async () => {
    const r = await db.selectFrom('returns').select(['rma', 'label_pdf']).where('id', '=', returnId).executeTakeFirst();
    if (!r) throw notFound('Return', returnId);
    return r;
  };
  const have = await stored();
  if (have.label_pdf) return { rma: have.rma, pdf: new Uint8Array(have.label_pdf), rendered: false };
  const pdf = await (opts.render ?? renderReturnLabel)(await returnLabelInput(db, returnId));
  const res = await db.updateTable('returns').set({ label_pdf: Buffer.from(pdf) }).where('id', '=', returnId).where('label_pdf', 'is', null).executeTakeFirst();
  if (Number(res.numUpdatedRows) === 0) {
    const won = await stored();
    if (won.label_pdf) return { rma: won.rma, pdf: new Uint8Array(won.label_pdf), rendered: false };
  }
  return { rma: have.rma, pdf, rendered: true };
}

/** The label PDF of a return (rendered now if it is missing, e.g. after a failed render). */
export async function returnLabel(db: Kysely<DB>, returnId: string, opts: { render?: LabelRenderer } = {}): Promise<{ rma: string; pdf: Uint8Array }> {
  const { rma, pdf } = await ensureReturnLabel(db, returnId, opts);
  return { rma, pdf };
}

// ---------------------------------------------------------------------------------------
// Return status

const RETURN_FLOW: Record<ReturnStatus, ReturnStatus[]> = {
  requested: ['label_created', 'cancelled'],
  label_created: ['in_transit', 'received', 'cancelled'],
  in_transit: ['received'],
  received: ['refunded'],
  refunded: [],
  cancelled: [],
};

export interface ReturnStatusInput extends Omit<ActionBase, 'orderId'> {
  returnId: string;
  status: Exclude<ReturnStatus, 'refunded' | 'requested'>;
  /** On receipt: put change-of-mind items back in stock (default true). */
  restock?: boolean;
}

export async function setReturnStatus(db: Kysely<DB>, input: ReturnStatusInput): Promise<ActionOutcome<{ returnId: string; rma: string; from: ReturnStatus; status: ReturnStatus; restocked: number }>> {
  if (!isUuid(input.returnId)) throw validationError('returnId must be a return id', { field: 'returnId' });
  const ret = await db.selectFrom('returns').select(['order_id']).where('id', '=', input.returnId).executeTakeFirst();
  if (!ret) throw notFound('Return', input.returnId);
  const request = { returnId: input.returnId, status: input.status, restock: input.restock, ticketId: input.ticketId ?? undefined };
  return runAction(db, 'return_status', { ...input, orderId: ret.order_id }, request, async (trx, o, now) => {
    const r = await trx.selectFrom('returns').selectAll().where('id', '=', input.returnId).forUpdate().executeTakeFirstOrThrow();
    if ((input.status as string) === 'refunded') throw validationError('A return becomes refunded by issuing the refund (refund action with returnId)', { field: 'status' });
    if (!RETURN_FLOW[r.status].includes(input.status)) {
      throw new AppError('invalid_transition', `Return ${r.rma} is ${r.status}: it cannot move to ${input.status} (allowed: ${RETURN_FLOW[r.status].join(', ') || 'none'})`, { from: r.status, to: input.status });
    }
    let restocked = 0;
    if (input.status === 'received' && (input.restock ?? true) && r.reason === 'change_of_mind' && r.warehouse_id) {
      const items = await itemsOf(trx, o.id);
      for (const line of r.items) {
        const it = items.find((x) => x.id === line.orderItemId);
        if (it?.variant_id) {
          await restock(trx, it.variant_id, r.warehouse_id, line.quantity);
          restocked += line.quantity;
        }
      }
    }
    await trx.updateTable('returns').set({
      status: input.status,
      updated_at: now,
      ...(input.status === 'received' ? { received_at: now } : {}),
    }).where('id', '=', r.id).execute();
    const shipStatus = input.status === 'in_transit' ? 'in_transit' : input.status === 'received' ? 'delivered' : null;
    if (shipStatus) {
      await trx.updateTable('shipments').set({ status: shipStatus, ...(shipStatus === 'in_transit' ? { shipped_at: now } : { delivered_at: now }) })
        .where('order_id', '=', o.id).where('kind', '=', 'return').where('tracking_number', '=', r.tracking_number).execute();
    }
    return {
      result: { returnId: r.id, rma: r.rma, from: r.status, status: input.status, restocked },
      summary: `Return ${r.rma}: ${r.status} → ${input.status}${restocked ? ` (${restocked} back in stock)` : ''}`,
    };
  });
}

// ---------------------------------------------------------------------------------------
// Refund

export interface RefundInput extends ActionBase {
  /** Decimal string in the order currency; omitted = everything still refundable (or the return's value). */
  amount?: string;
  reason: string;
  /** Refund for a received return: marks it refunded. */
  returnId?: string;
  /** Which payment to refund to; default the original one. */
  paymentId?: string;
}

export interface RefundResult {
  refundId: string;
  amount: string;
  currency: string;
  method: string;
  paymentId: string;
  returnId: string | null;
  refundedTotal: string;
  remaining: string;
  financialStatus: string;
}

async function paymentBalances(trx: Trx, o: OrderCtx) {
  const [payments, refunds] = await Promise.all([
    trx.selectFrom('payments').selectAll().where('order_id', '=', o.id).orderBy('created_at').orderBy('id').forUpdate().execute(),
    trx.selectFrom('refunds').select(['payment_id', 'amount', 'status']).where('order_id', '=', o.id).execute(),
  ]);
  return payments.map((p) => {
    const refunded = sumMinor(refunds.filter((f) => f.payment_id === p.id && f.status !== 'failed').map((f) => toMinor(f.amount, o.currency)));
    const captured = toMinor(p.captured, o.currency);
    return { id: p.id, method: p.method, captured, refunded, remaining: captured - refunded };
  });
}

async function insertRefund(trx: Trx, o: OrderCtx, now: Date, pay: { id: string; method: string }, amount: bigint, reason: string, returnId: string | null) {
  const id = uuidv7(now.getTime());
  await trx.insertInto('refunds').values({
    id, order_id: o.id, payment_id: pay.id, return_id: returnId, amount: fromMinor(amount, o.currency), currency: o.currency, method: pay.method, reason, status: 'succeeded', created_at: now,
  }).execute();
  return id;
}

async function updateFinancialStatus(trx: Trx, o: OrderCtx): Promise<{ status: string; refunded: bigint; remaining: bigint }> {
  const b = await paymentBalances(trx, o);
  const captured = sumMinor(b.map((x) => x.captured));
  const refunded = sumMinor(b.map((x) => x.refunded));
  const status = captured === 0n ? (o.status === 'cancelled' ? 'voided' : 'pending') : refunded === 0n ? 'paid' : refunded >= captured ? 'refunded' : 'partially_refunded';
  await trx.updateTable('orders').set({ financial_status: status }).where('id', '=', o.id).execute();
  return { status, refunded, remaining: captured - refunded };
}

export async function refund(db: Kysely<DB>, input: RefundInput): Promise<ActionOutcome<RefundResult>> {
  const reason = typeof input.reason === 'string' ? input.reason.trim() : '';
  if (!reason) throw validationError('reason is required for a refund', { field: 'reason' });
  if (input.returnId !== undefined && !isUuid(input.returnId)) throw validationError('returnId must be a return id', { field: 'returnId' });
  if (input.paymentId !== undefined && !isUuid(input.paymentId)) throw validationError('paymentId must be a payment id', { field: 'paymentId' });
  const request = { amount: input.amount, reason, returnId: input.returnId, paymentId: input.paymentId, ticketId: input.ticketId ?? undefined };
  return runAction(db, 'refund', input, request, async (trx, o, now) => {
    let amount = input.amount !== undefined ? toMinor(input.amount, o.currency) : null;
    if (amount !== null && amount <= 0n) throw validationError('amount must be more than zero', { field: 'amount' });
    const balances = await paymentBalances(trx, o);
    if (!balances.length) throw conflict(`Order ${o.number} has no payment to refund`, { reason: 'no_payment' });
    const pay = input.paymentId ? balances.find((b) => b.id === input.paymentId) : (balances.find((b) => b.remaining > 0n) ?? balances[0]);
    if (!pay) throw validationError('paymentId is not a payment of this order', { field: 'paymentId' });

    let ret: { id: string; rma: string; status: ReturnStatus; items: ItemQuantity[] } | undefined;
    if (input.returnId) {
      ret = await trx.selectFrom('returns').select(['id', 'rma', 'status', 'items']).where('id', '=', input.returnId).where('order_id', '=', o.id).forUpdate().executeTakeFirst();
      if (!ret) throw validationError('returnId is not a return of this order', { field: 'returnId' });
      if (ret.status === 'refunded') throw conflict(`Return ${ret.rma} is already refunded`, { reason: 'already_refunded' });
      if (ret.status !== 'received') {
        throw conflict(`Return ${ret.rma} is ${ret.status}: refund it once the parcel is received (or refund without the return for a goodwill refund)`, { reason: 'return_not_received', status: ret.status });
      }
      if (amount === null) {
        const items = await itemsOf(trx, o.id);
        amount = sumMinor(ret.items.map((l) => {
          const it = items.find((x) => x.id === l.orderItemId);
          return it ? toMinor(it.unit_price, o.currency) * BigInt(l.quantity) : 0n;
        }));
        if (amount > pay.remaining) amount = pay.remaining;
      }
    }
    if (amount === null) amount = pay.remaining;
    if (amount <= 0n || amount > pay.remaining) {
      const c = o.currency;
      throw conflict(
        `A refund of ${fromMinor(amount, c)} ${c} is more than can still be refunded to the ${pay.method} payment: ${fromMinor(pay.remaining, c)} ${c} ` +
          `(captured ${fromMinor(pay.captured, c)}, already refunded ${fromMinor(pay.refunded, c)})`,
        { reason: 'exceeds_refundable', refundable: fromMinor(pay.remaining, c), captured: fromMinor(pay.captured, c), refunded: fromMinor(pay.refunded, c) },
      );
    }
    const refundId = await insertRefund(trx, o, now, pay, amount, reason, ret?.id ?? null);
    if (ret) await trx.updateTable('returns').set({ status: 'refunded', refunded_at: now, updated_at: now }).where('id', '=', ret.id).execute();
    const fin = await updateFinancialStatus(trx, o);
    const result: RefundResult = {
      refundId,
      amount: fromMinor(amount, o.currency),
      currency: o.currency,
      method: pay.method,
      paymentId: pay.id,
      returnId: ret?.id ?? null,
      refundedTotal: fromMinor(fin.refunded, o.currency),
      remaining: fromMinor(fin.remaining, o.currency),
      financialStatus: fin.status,
    };
    return { result, summary: `Refunded ${result.amount} ${o.currency} to ${pay.method}${ret ? ` for return ${ret.rma}` : ''}` };
  });
}

// ---------------------------------------------------------------------------------------
// Exchange

export interface ExchangeInput extends ActionBase {
  orderItemId: string;
  variantId: string;
  quantity?: number;
  reason: string;
}

export interface ExchangeResult {
  exchangeId: string;
  orderItemId: string;
  fromSku: string;
  toSku: string;
  quantity: number;
  warehouseId: string;
  warehouseCode: string;
  priceDifference: string;
  currency: string;
  /** customer_pays: new item costs more; refund_due: it costs less. */
  settlement: 'none' | 'customer_pays' | 'refund_due';
}

export async function exchange(db: Kysely<DB>, input: ExchangeInput): Promise<ActionOutcome<ExchangeResult>> {
  const quantity = input.quantity ?? 1;
  if (!Number.isInteger(quantity) || quantity < 1) throw validationError('quantity must be a whole number ≥ 1', { field: 'quantity' });
  if (!isUuid(input.orderItemId)) throw validationError('orderItemId must be an order item id', { field: 'orderItemId' });
  if (!isUuid(input.variantId)) throw validationError('variantId must be a variant id', { field: 'variantId' });
  const reason = typeof input.reason === 'string' ? input.reason.trim() : '';
  if (!reason) throw validationError('reason is required for an exchange', { field: 'reason' });
  const request = { orderItemId: input.orderItemId, variantId: input.variantId, quantity, reason, ticketId: input.ticketId ?? undefined };
  return runAction(db, 'exchange', input, request, async (trx, o, now) => {
    refuseIfCancelled(o, 'an exchange');
    const items = await itemsOf(trx, o.id);
    const item = items.find((i) => i.id === input.orderItemId);
    if (!item) throw validationError('orderItemId is not an item of this order', { field: 'orderItemId' });
    if (quantity > item.quantity) throw validationError(`quantity ${quantity} is more than the ${item.quantity} ordered`, { field: 'quantity' });
    const v = await trx.selectFrom('variants').select(['id', 'sku', 'price', 'currency', 'store_id']).where('id', '=', input.variantId).executeTakeFirst();
    if (!v || v.store_id !== o.storeId) throw notFound('Variant', input.variantId);
    if (v.id === item.variant_id) throw validationError('The new variant is the one already ordered: use a reship for the same item', { field: 'variantId' });
    if (v.currency !== o.currency) throw validationError(`The variant is priced in ${v.currency}, the order in ${o.currency}`, { field: 'variantId' });
    const stock = await lockStock(trx, v.id);
    const best = [...stock].sort((a, b) => b.available - a.available)[0];
    if (!best || best.available < quantity) {
      const have = stock.reduce((t, s) => t + s.available, 0);
      throw conflict(`No stock of ${v.sku} for this exchange: ${quantity} needed, ${best?.available ?? 0} available in any one warehouse (${have} in all). Offer a refund or another variant.`, {
        reason: 'out_of_stock', sku: v.sku, needed: quantity, available: have,
      });
    }
    await reserveStock(trx, v.id, best.warehouseId, quantity);
    const diff = (toMinor(v.price, o.currency) - toMinor(item.unit_price, o.currency)) * BigInt(quantity);
    const exchangeId = uuidv7(now.getTime());
    await trx.insertInto('exchanges').values({
      id: exchangeId, order_id: o.id, order_item_id: item.id, from_variant_id: item.variant_id, to_variant_id: v.id, warehouse_id: best.warehouseId,
      quantity, price_difference: fromMinor(diff, o.currency), currency: o.currency, reason, status: 'reserved', created_at: now,
    }).execute();
    const result: ExchangeResult = {
      exchangeId,
      orderItemId: item.id,
      fromSku: item.sku,
      toSku: v.sku,
      quantity,
      warehouseId: best.warehouseId,
      warehouseCode: best.warehouseCode,
      priceDifference: fromMinor(diff, o.currency),
      currency: o.currency,
      settlement: diff === 0n ? 'none' : diff > 0n ? 'customer_pays' : 'refund_due',
    };
    return { result, summary: `Exchange ${item.sku} → ${v.sku} ×${quantity}, reserved in ${best.warehouseCode}; price difference ${result.priceDifference} ${o.currency}` };
  });
}

// ---------------------------------------------------------------------------------------
// Reship

export interface ReshipInput extends ActionBase {
  /** Default: every item, in full. */
  items?: ItemQuantity[];
  reason: string;
}

export async function reship(db: Kysely<DB>, input: ReshipInput) {
  const reason = typeof input.reason === 'string' ? input.reason.trim() : '';
  if (!reason) throw validationError('reason is required for a reship', { field: 'reason' });
  const request = { items: input.items, reason, ticketId: input.ticketId ?? undefined };
  return runAction(db, 'reship', input, request, async (trx, o, now) => {
    refuseIfCancelled(o, 'a reship');
    const [items, shipments] = await Promise.all([itemsOf(trx, o.id), shipmentsOf(trx, o.id)]);
    const original = [...shipments].reverse().find((s) => s.kind === 'outbound' && s.shipped_at);
    if (!original) throw conflict(`Order ${o.number} has not shipped yet: there is nothing to reship`, { reason: 'not_shipped' });
    const lines = checkLines(input.items ?? items.map((i) => ({ orderItemId: i.id, quantity: i.quantity })), items, 'items');
    // one warehouse that has every line
    const need = [...lines.values()];
    for (const { item } of need) if (!item.variant_id) throw conflict(`${item.sku} is no longer in the catalogue: it cannot be reshipped`, { reason: 'no_variant', sku: item.sku });
    const stocks = new Map<string, Awaited<ReturnType<typeof lockStock>>>();
    for (const { item } of need) stocks.set(item.variant_id!, await lockStock(trx, item.variant_id!));
    const candidates = new Set(need.flatMap(({ item }) => stocks.get(item.variant_id!)!.map((s) => s.warehouseId)));
    const fits = (w: string) => need.every(({ item, quantity }) => (stocks.get(item.variant_id!)!.find((s) => s.warehouseId === w)?.available ?? 0) >= quantity);
    const wh = [original.warehouse_id, ...candidates].find((w): w is string => !!w && candidates.has(w) && fits(w));
    if (!wh) {
      const short = need.filter(({ item, quantity }) => stocks.get(item.variant_id!)!.reduce((t, s) => t + s.available, 0) < quantity).map(({ item }) => item.sku);
      throw conflict(`Not enough stock to reship ${short.length ? short.join(', ') : 'all items from one warehouse'}: offer a refund instead`, { reason: 'out_of_stock', skus: short });
    }
    for (const { item, quantity } of need) await reserveStock(trx, item.variant_id!, wh, quantity);
    const reshipId = uuidv7(now.getTime());
    const list = need.map(({ item, quantity }) => ({ orderItemId: item.id, quantity }));
    await trx.insertInto('reships').values({ id: reshipId, order_id: o.id, items: JSON.stringify(list), warehouse_id: wh, reason, status: 'pending', created_at: now }).execute();
    const code = await trx.selectFrom('warehouses').select('code').where('id', '=', wh).executeTakeFirstOrThrow();
    return {
      result: { reshipId, items: list, warehouseId: wh, warehouseCode: code.code, carrier: original.carrier, status: 'pending' as const },
      summary: `Reship of ${list.reduce((t, l) => t + l.quantity, 0)} item(s) from ${code.code} (${reason})`,
    };
  });
}

// ---------------------------------------------------------------------------------------
// Carrier claim

export interface ClaimInput extends ActionBase {
  kind: 'lost' | 'damaged';
  shipmentId?: string;
  description?: string;
  /** Claimed value; default the value of the order's items. */
  amount?: string;
}

export async function carrierClaim(db: Kysely<DB>, input: ClaimInput) {
  if (input.kind !== 'lost' && input.kind !== 'damaged') throw validationError('kind must be lost or damaged', { field: 'kind' });
  if (input.shipmentId !== undefined && !isUuid(input.shipmentId)) throw validationError('shipmentId must be a shipment id', { field: 'shipmentId' });
  const request = { kind: input.kind, shipmentId: input.shipmentId, description: input.description, amount: input.amount, ticketId: input.ticketId ?? undefined };
  return runAction(db, 'claim', input, request, async (trx, o, now) => {
    const shipments = await shipmentsOf(trx, o.id);
    const s = input.shipmentId ? shipments.find((x) => x.id === input.shipmentId) : [...shipments].reverse().find((x) => x.kind !== 'return' && x.shipped_at);
    if (input.shipmentId && !s) throw validationError('shipmentId is not a shipment of this order', { field: 'shipmentId' });
    if (!s) throw conflict(`Order ${o.number} has no shipment to claim against: a carrier claim needs a parcel the carrier took`, { reason: 'no_shipment' });
    if (!s.shipped_at && s.status === 'label_created') throw conflict(`The parcel ${s.tracking_number ?? ''} was never handed to ${s.carrier}: nothing to claim`, { reason: 'not_shipped' });
    if (input.kind === 'damaged' && s.status !== 'delivered') {
      throw conflict(`A damage claim needs a delivered parcel; ${s.tracking_number ?? 'the parcel'} is ${s.status}. For a parcel that never arrived, file a lost claim`, { reason: 'not_delivered' });
    }
    const open = await trx.selectFrom('carrier_claims').select(['reference']).where('shipment_id', '=', s.id).where('kind', '=', input.kind).where('status', 'in', ['filed', 'approved']).executeTakeFirst();
    if (open) throw conflict(`A ${input.kind} claim for this parcel is already open: ${open.reference}`, { reason: 'claim_open', reference: open.reference });
    const items = await itemsOf(trx, o.id);
    const itemsValue = sumMinor(items.map((i) => toMinor(i.unit_price, o.currency) * BigInt(i.quantity)));
    const amount = input.amount !== undefined ? toMinor(input.amount, o.currency) : itemsValue;
    if (amount < 0n) throw validationError('amount must not be negative', { field: 'amount' });
    if (amount > itemsValue) throw conflict(`A claim of ${fromMinor(amount, o.currency)} is more than the parcel's goods are worth (${fromMinor(itemsValue, o.currency)} ${o.currency})`, { reason: 'exceeds_value' });
    const claimId = uuidv7(now.getTime());
    const reference = `CLM-${now.toISOString().slice(2, 10).replace(/-/g, '')}-${randomCode(6)}`;
    await trx.insertInto('carrier_claims').values({
      id: claimId, order_id: o.id, shipment_id: s.id, kind: input.kind, carrier: s.carrier, reference, amount: fromMinor(amount, o.currency), currency: o.currency,
      description: input.description ?? '', status: 'filed', created_at: now,
    }).execute();
    if (input.kind === 'lost' && s.status !== 'delivered') await trx.updateTable('shipments').set({ status: 'lost' }).where('id', '=', s.id).execute();
    return {
      result: { claimId, reference, kind: input.kind, shipmentId: s.id, carrier: s.carrier, trackingNumber: s.tracking_number, amount: fromMinor(amount, o.currency), currency: o.currency, status: 'filed' as const },
      summary: `${input.kind === 'lost' ? 'Lost' : 'Damage'} claim ${reference} filed with ${s.carrier} for ${fromMinor(amount, o.currency)} ${o.currency}`,
    };
  });
}

// ---------------------------------------------------------------------------------------
// Cancellation

export interface CancelInput extends ActionBase {
  reason: string;
  /** Refund what was captured to the original payment (default true). */
  refund?: boolean;
}

export async function cancelOrder(db: Kysely<DB>, input: CancelInput) {
  const reason = typeof input.reason === 'string' ? input.reason.trim() : '';
  if (!reason) throw validationError('reason is required to cancel an order', { field: 'reason' });
  const doRefund = input.refund ?? true;
  const request = { reason, refund: doRefund, ticketId: input.ticketId ?? undefined };
  return runAction(db, 'cancel', input, request, async (trx, o, now) => {
    if (o.status === 'cancelled') throw conflict(`Order ${o.number} is already cancelled`, { reason: 'already_cancelled' });
    const shipments = await shipmentsOf(trx, o.id);
    if (fulfilmentStarted(o, shipments)) {
      const s = [...shipments].reverse().find((x) => x.kind === 'outbound');
      const where = s ? ` with ${s.carrier}${s.tracking_number ? ` (tracking ${s.tracking_number})` : ''}${s.shipped_at ? ` on ${s.shipped_at.toISOString().slice(0, 10)}` : ''}` : '';
      throw conflict(`Order ${o.number} has already shipped${where}: it can no longer be cancelled. Offer a return once it arrives, or ask the customer to refuse the delivery.`, { reason: 'already_shipped' });
    }
    const items = await itemsOf(trx, o.id);
    let released = 0;
    for (const i of items) {
      if (i.variant_id && i.warehouse_id) {
        await releaseStock(trx, i.variant_id, i.warehouse_id, i.quantity);
        released += i.quantity;
      }
    }
    await trx.updateTable('orders').set({ status: 'cancelled', cancelled_at: now, cancel_reason: reason }).where('id', '=', o.id).execute();
    const refunds: Array<{ refundId: string; amount: string; method: string }> = [];
    if (doRefund) {
      for (const b of await paymentBalances(trx, o)) {
        if (b.remaining > 0n) {
          const refundId = await insertRefund(trx, o, now, b, b.remaining, `Order cancelled: ${reason}`, null);
          refunds.push({ refundId, amount: fromMinor(b.remaining, o.currency), method: b.method });
        }
      }
    }
    const fin = await updateFinancialStatus(trx, { ...o, status: 'cancelled' });
    return {
      result: { status: 'cancelled' as const, reason, releasedUnits: released, refunds, refundedTotal: fromMinor(fin.refunded, o.currency), currency: o.currency, financialStatus: fin.status },
      summary: `Order cancelled (${reason})${refunds.length ? `; refunded ${refunds.map((r) => `${r.amount} ${o.currency} to ${r.method}`).join(', ')}` : ''}`,
    };
  });
}

// ---------------------------------------------------------------------------------------
// Address change

export interface AddressInput extends ActionBase {
  address: PostalAddress;
}

function checkAddress(a: PostalAddress): PostalAddress {
  const req = ['name', 'line1', 'city', 'postalCode', 'country'] as const;
  if (!a || typeof a !== 'object') throw validationError('address is required', { field: 'address' });
  for (const k of req) {
    if (typeof a[k] !== 'string' || !a[k].trim()) throw validationError(`address.${k} is required`, { field: `address.${k}` });
  }
  if (!/^[A-Za-z]{2}$/.test(a.country)) throw validationError('address.country must be an ISO 3166 code like DE', { field: 'address.country' });
  const clean: PostalAddress = { name: a.name.trim(), line1: a.line1.trim(), city: a.city.trim(), postalCode: a.postalCode.trim(), country: a.country.toUpperCase() };
  if (a.line2?.trim()) clean.line2 = a.line2.trim();
  if (a.region?.trim()) clean.region = a.region.trim();
  if (a.phone?.trim()) clean.phone = a.phone.trim();
  return clean;
}

export async function changeAddress(db: Kysely<DB>, input: AddressInput) {
  const address = checkAddress(input.address);
  const request = { address, ticketId: input.ticketId ?? undefined };
  return runAction(db, 'address', input, request, async (trx, o) => {
    refuseIfCancelled(o, 'an address change');
    const shipments = await shipmentsOf(trx, o.id);
    if (fulfilmentStarted(o, shipments)) {
      const s = [...shipments].reverse().find((x) => x.kind === 'outbound');
      throw conflict(`Order ${o.number} is already ${s?.shipped_at ? 'shipped' : 'being fulfilled'}${s ? ` (${s.carrier}${s.tracking_number ? ` ${s.tracking_number}` : ''})` : ''}: the address can no longer be changed here. Ask the carrier for a redirect instead.`, { reason: 'already_fulfilled' });
    }
    const before = o.shippingAddress;
    if (before?.country && before.country !== address.country) {
      throw conflict(`Moving the delivery from ${before.country} to ${address.country} changes duties, taxes and shipping: cancel and place a new order instead`, { reason: 'country_change' });
    }
    await trx.updateTable('orders').set({ shipping_address: JSON.stringify(address) }).where('id', '=', o.id).execute();
    return { result: { before, after: address }, summary: `Shipping address changed to ${address.line1}, ${address.postalCode} ${address.city}` };
  });
}
