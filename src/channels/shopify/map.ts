/**
 * Shopify Admin REST objects (as sent by webhooks and returned by the Admin API) mapped onto
 * our external-order shapes. Only fields Shopify documents are read: the order (`id`, `name`
 * "#1001", `order_number`, `email`, `created_at`, `updated_at`, `processed_at`, `currency`,
 * `total_price` as a decimal string, `financial_status`, `fulfillment_status`,
 * `cancelled_at`, `cancel_reason`, `customer`, `shipping_address`, `line_items`,
 * `shipping_lines`, `fulfillments`, `refunds`, `payment_gateway_names`, `transactions` when
 * present), the fulfillment (`id`, `order_id`, `status`, `shipment_status`,
 * `tracking_company`, `tracking_number(s)`, `tracking_url(s)`, `line_items`) and the refund
 * (`id`, `order_id`, `refund_line_items`, `transactions`). Anything malformed is a validation
 * error naming the field, never a crash — except a tracking URL, which is only a convenience:
 * one that is not a safe link (see `safeTrackingUrl`) is dropped and the rest is applied.
 */
import type { FinancialStatus, FulfillmentStatus, PostalAddress, ShipmentStatus } from '../../db/types.ts';
import { validationError } from '../../core/errors.ts';
import { fromMinor, toMinor } from '../../commerce/money.ts';
import { checkCountry, checkCurrency, parseDate, type ExternalItem, type ExternalOrder, type ExternalRefund, type ExternalShipment } from '../../commerce/import/model.ts';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function obj(v: unknown, path: string): Obj {
  if (!isObj(v)) throw validationError(`${path} must be an object`, { field: path });
  return v;
}

function arr(v: unknown, path: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw validationError(`${path} must be an array`, { field: path });
  return v;
}

/**
 * Shopify ids are numbers in REST payloads (strings in some exports): kept as text. An id
 * beyond 2^53 loses digits in JSON.parse: then the exact one comes from `admin_graphql_api_id`
 * ("gid://shopify/Order/…") when the object has it.
 */
function id(v: unknown, path: string, gid?: unknown): string {
  if (typeof gid === 'string') {
    const m = /^gid:\/\/shopify\/\w+\/(\d{1,20})$/.exec(gid);
    if (m) return m[1];
  }
  if (typeof v === 'number' && Number.isInteger(v) && v > 0) return BigInt(v).toString();
  if (typeof v === 'string' && /^\d{1,20}$/.test(v)) return v;
  throw validationError(`${path} must be a Shopify id`, { field: path });
}

function optStr(v: unknown, path: string): string | null {
  if (v === undefined || v === null || v === '') return null;
  if (typeof v !== 'string') throw validationError(`${path} must be a string`, { field: path });
  return v.trim() || null;
}

function str(v: unknown, path: string): string {
  const s = optStr(v, path);
  if (s === null) throw validationError(`${path} is required`, { field: path });
  return s;
}

function optDate(v: unknown, path: string): Date | null {
  const s = optStr(v, path);
  return s === null ? null : parseDate(s, path);
}

function money(v: unknown, currency: string, path: string): string {
  const s = typeof v === 'number' ? String(v) : str(v, path);
  const minor = toMinor(s, currency, path);
  if (minor < 0n) throw validationError(`${path} must not be negative`, { field: path });
  return fromMinor(minor, currency);
}

function int(v: unknown, path: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw validationError(`${path} must be a whole number`, { field: path });
  return v;
}

const FINANCIAL: Record<string, FinancialStatus> = {
  pending: 'pending',
  authorized: 'pending',
  partially_paid: 'pending',
  unpaid: 'pending',
  expired: 'voided',
  paid: 'paid',
  partially_refunded: 'partially_refunded',
  refunded: 'refunded',
  voided: 'voided',
};

/** Shopify's `shipment_status` (carrier tracking) and fulfillment `status` → our shipment status. */
export function shipmentStatusOf(fulfillmentStatus: string | null, shipmentStatus: string | null): ShipmentStatus {
  if (fulfillmentStatus === 'cancelled' || fulfillmentStatus === 'error' || fulfillmentStatus === 'failure') return 'exception';
  switch (shipmentStatus ?? '') {
    case 'label_printed':
    case 'label_purchased':
    case 'confirmed':
      return 'label_created';
    case 'in_transit':
    case 'attempted_delivery':
    case 'ready_for_pickup':
      return 'in_transit';
    case 'out_for_delivery':
      return 'out_for_delivery';
    case 'delivered':
      return 'delivered';
    case 'failure':
      return 'exception';
    default:
      // no carrier status yet: a successful fulfillment has left the warehouse
      return fulfillmentStatus === 'pending' || fulfillmentStatus === 'open' ? 'label_created' : 'in_transit';
  }
}

function lineSku(li: Obj, path: string): string {
  const sku = optStr(li.sku, `${path}.sku`);
  if (sku) return sku;
  // Shopify allows products without SKU: the variant (else the line) identifies it
  if (li.variant_id !== undefined && li.variant_id !== null) return `shopify-variant-${id(li.variant_id, `${path}.variant_id`)}`;
  return `shopify-line-${id(li.id, `${path}.id`)}`;
}

/** The longest tracking URL kept (after normalisation). */
export const MAX_TRACKING_URL = 2000;

/**
 * A tracking URL as a link agents and customers may open: an absolute `http:`/`https:` URL
 * without credentials, at most 2,000 characters, returned normalised (`URL.href`: lower-case
 * scheme and host, spaces and non-ASCII percent-encoded). Anything else — `javascript:`,
 * `data:`, relative or scheme-less text, not a string, too long — is null.
 */
export function safeTrackingUrl(v: unknown): string | null {
  if (typeof v !== 'string') return null;
  const raw = v.trim();
  if (!raw || raw.length > MAX_TRACKING_URL || !/^https?:\/\//i.test(raw)) return null;
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return null;
  }
  if ((u.protocol !== 'http:' && u.protocol !== 'https:') || !u.hostname || u.username || u.password) return null;
  return u.href.length <= MAX_TRACKING_URL ? u.href : null;
}

/**
 * The tracking URL of each of a fulfillment's tracking numbers (by position in `numbers`;
 * one entry when it has no number). The first parcel takes `tracking_url`, else the first
 * of `tracking_urls`; a further parcel takes the entry of `tracking_urls` at its number's
 * position in `tracking_numbers` when both lists have the same length (Shopify keeps them
 * parallel), else none (another parcel's URL would mislead). Unsafe entries count as none.
 */
function trackingUrlsOf(f: Obj, numbers: string[]): Array<string | null> {
  const urls = Array.isArray(f.tracking_urls) ? f.tracking_urls : [];
  const listed = Array.isArray(f.tracking_numbers) ? f.tracking_numbers : [];
  const first = safeTrackingUrl(f.tracking_url) ?? safeTrackingUrl(urls[0]);
  if (!numbers.length) return [first];
  return numbers.map((n, i) => {
    if (i === 0) return first;
    if (urls.length !== listed.length) return null;
    const at = listed.findIndex((x) => typeof x === 'string' && x.trim() === n);
    return at >= 0 ? safeTrackingUrl(urls[at]) : null;
  });
}

/** A fulfillment: one shipment per tracking number (one without tracking when it has none). */
export function mapShopifyFulfillment(v: unknown, path = 'fulfillment'): { orderExternalId: string; shipments: ExternalShipment[] } {
  const f = obj(v, path);
  const fid = id(f.id, `${path}.id`, f.admin_graphql_api_id);
  const orderExternalId = id(f.order_id, `${path}.order_id`);
  const numbers = [...new Set([optStr(f.tracking_number, `${path}.tracking_number`), ...arr(f.tracking_numbers, `${path}.tracking_numbers`).map((t, i) => optStr(t, `${path}.tracking_numbers[${i}]`))].filter((t): t is string => Boolean(t)))];
  const status = shipmentStatusOf(optStr(f.status, `${path}.status`), optStr(f.shipment_status, `${path}.shipment_status`));
  const createdAt = optDate(f.created_at, `${path}.created_at`);
  const updatedAt = optDate(f.updated_at, `${path}.updated_at`);
  const lines = arr(f.line_items, `${path}.line_items`).map((x, i) => {
    const li = obj(x, `${path}.line_items[${i}]`);
    return { sku: lineSku(li, `${path}.line_items[${i}]`), quantity: int(li.quantity, `${path}.line_items[${i}].quantity`) };
  });
  const base = {
    carrier: optStr(f.tracking_company, `${path}.tracking_company`) ?? 'unknown',
    status,
    shippedAt: createdAt,
    deliveredAt: status === 'delivered' ? (updatedAt ?? createdAt) : null,
    updatedAt,
  };
  // a URL is set only when the fulfillment has one: absent, the stored one is kept (and the
  // content hash of shipments without URLs stays what it was before URLs were read)
  const urls = trackingUrlsOf(f, numbers);
  const withUrl = (i: number) => (urls[i] ? { trackingUrl: urls[i] } : {});
  const shipments: ExternalShipment[] = numbers.length
    ? numbers.map((n, i) => ({ ...base, externalId: i === 0 ? fid : `${fid}:${n}`, trackingNumber: n, ...withUrl(i), ...(i === 0 && lines.length ? { lines } : {}) }))
    : [{ ...base, externalId: fid, trackingNumber: null, ...withUrl(0), ...(lines.length ? { lines } : {}) }];
  return { orderExternalId, shipments };
}

/** The Shopify id of the order a fulfillment or refund belongs to. */
export function shopifyOrderIdOf(v: unknown, path: string): string {
  return id(obj(v, path).order_id, `${path}.order_id`);
}

/** A refund: the money is the sum of its successful `refund` transactions (else its lines' subtotals). */
export function mapShopifyRefund(v: unknown, currency: string | null, path = 'refund'): { orderExternalId: string; refund: ExternalRefund; currency: string | null } {
  const r = obj(v, path);
  const rid = id(r.id, `${path}.id`, r.admin_graphql_api_id);
  const orderExternalId = id(r.order_id, `${path}.order_id`);
  const transactions = arr(r.transactions, `${path}.transactions`).map((x, i) => obj(x, `${path}.transactions[${i}]`));
  const cur = currency ?? (transactions.length ? optStr(transactions[0].currency, `${path}.transactions[0].currency`) : null);
  if (!cur) throw validationError(`${path}: the currency is unknown (no transactions with a currency)`, { field: `${path}.transactions` });
  const currencyCode = checkCurrency(cur, `${path}.currency`);
  let minor = 0n;
  const refundTx = transactions.filter((t) => (t.kind === undefined || t.kind === 'refund') && (t.status === undefined || t.status === null || t.status === 'success'));
  if (transactions.length) {
    refundTx.forEach((t, i) => { minor += toMinor(money(t.amount, currencyCode, `${path}.transactions[${i}].amount`), currencyCode); });
  } else {
    arr(r.refund_line_items, `${path}.refund_line_items`).forEach((x, i) => {
      const rl = obj(x, `${path}.refund_line_items[${i}]`);
      if (rl.subtotal !== undefined && rl.subtotal !== null) minor += toMinor(money(rl.subtotal, currencyCode, `${path}.refund_line_items[${i}].subtotal`), currencyCode);
    });
  }
  const createdAt = optDate(r.processed_at, `${path}.processed_at`) ?? optDate(r.created_at, `${path}.created_at`);
  if (!createdAt) throw validationError(`${path}.created_at is required`, { field: `${path}.created_at` });
  return {
    orderExternalId,
    currency: currencyCode,
    refund: { externalId: rid, amount: fromMinor(minor, currencyCode), reason: optStr(r.note, `${path}.note`) ?? 'Refund in Shopify', createdAt },
  };
}

function address(v: unknown, path: string): PostalAddress | null {
  if (v === undefined || v === null) return null;
  const a = obj(v, path);
  const code = optStr(a.country_code, `${path}.country_code`);
  if (!code) return null;
  const name = optStr(a.name, `${path}.name`) ?? [optStr(a.first_name, `${path}.first_name`), optStr(a.last_name, `${path}.last_name`)].filter(Boolean).join(' ');
  const line2 = optStr(a.address2, `${path}.address2`);
  const region = optStr(a.province_code, `${path}.province_code`) ?? optStr(a.province, `${path}.province`);
  const phone = optStr(a.phone, `${path}.phone`);
  return {
    name,
    line1: optStr(a.address1, `${path}.address1`) ?? '',
    ...(line2 ? { line2 } : {}),
    city: optStr(a.city, `${path}.city`) ?? '',
    postalCode: optStr(a.zip, `${path}.zip`) ?? '',
    ...(region ? { region } : {}),
    country: checkCountry(code, `${path}.country_code`),
    ...(phone ? { phone } : {}),
  };
}

/** A Shopify order (webhook orders/* payload, or one element of an Admin API export). */
export function mapShopifyOrder(v: unknown, path = 'order'): ExternalOrder {
  const o = obj(v, path);
  const externalId = id(o.id, `${path}.id`, o.admin_graphql_api_id);
  const currency = checkCurrency(str(o.currency, `${path}.currency`), `${path}.currency`);
  const name = optStr(o.name, `${path}.name`);
  const orderNumber = o.order_number === undefined || o.order_number === null ? null : int(o.order_number, `${path}.order_number`);
  const number = name ?? (orderNumber !== null ? `#${orderNumber}` : null);
  if (!number) throw validationError(`${path}.name or ${path}.order_number is required`, { field: `${path}.name` });
  const createdAt = optDate(o.created_at, `${path}.created_at`);
  if (!createdAt) throw validationError(`${path}.created_at is required`, { field: `${path}.created_at` });
  const customer = o.customer === undefined || o.customer === null ? null : obj(o.customer, `${path}.customer`);
  const shippingAddress = address(o.shipping_address, `${path}.shipping_address`);
  const billing = address(o.billing_address, `${path}.billing_address`);
  const customerAddress = customer ? address(customer.default_address, `${path}.customer.default_address`) : null;
  const email = (optStr(o.email, `${path}.email`) ?? optStr(o.contact_email, `${path}.contact_email`) ?? (customer ? optStr(customer.email, `${path}.customer.email`) : null))?.toLowerCase() ?? null;
  const customerName = customer ? [optStr(customer.first_name, `${path}.customer.first_name`), optStr(customer.last_name, `${path}.customer.last_name`)].filter(Boolean).join(' ') || null : null;
  const locale = optStr(o.customer_locale, `${path}.customer_locale`);
  const items: ExternalItem[] = [];
  arr(o.line_items, `${path}.line_items`).forEach((x, i) => {
    const p = `${path}.line_items[${i}]`;
    const li = obj(x, p);
    const quantity = int(li.quantity, `${p}.quantity`);
    if (quantity <= 0) return; // a line removed by an order edit
    const title = optStr(li.name, `${p}.name`) ?? [optStr(li.title, `${p}.title`), optStr(li.variant_title, `${p}.variant_title`)].filter(Boolean).join(' - ');
    items.push({ sku: lineSku(li, p), title: title || lineSku(li, p), quantity, unitPrice: money(li.price, currency, `${p}.price`) });
  });
  let shippingMinor = 0n;
  arr(o.shipping_lines, `${path}.shipping_lines`).forEach((x, i) => {
    const sl = obj(x, `${path}.shipping_lines[${i}]`);
    shippingMinor += toMinor(money(sl.discounted_price ?? sl.price, currency, `${path}.shipping_lines[${i}].price`), currency);
  });
  const total = o.total_price === undefined || o.total_price === null ? null : money(o.total_price, currency, `${path}.total_price`);
  const financialText = optStr(o.financial_status, `${path}.financial_status`) ?? 'pending';
  const financialStatus = FINANCIAL[financialText];
  if (!financialStatus) throw validationError(`${path}.financial_status "${financialText}" is not a Shopify financial status`, { field: `${path}.financial_status` });
  const fulfillmentText = optStr(o.fulfillment_status, `${path}.fulfillment_status`);
  const fulfillmentStatus: FulfillmentStatus = fulfillmentText === 'fulfilled' ? 'fulfilled' : fulfillmentText === 'partial' ? 'partially_fulfilled' : 'unfulfilled';
  const shipments = arr(o.fulfillments, `${path}.fulfillments`).flatMap((f, i) => {
    const fo = obj(f, `${path}.fulfillments[${i}]`);
    // fulfillments embedded in an order may omit order_id
    return mapShopifyFulfillment({ ...fo, order_id: externalId }, `${path}.fulfillments[${i}]`).shipments;
  });
  const refunds = arr(o.refunds, `${path}.refunds`).map((r, i) => mapShopifyRefund({ ...obj(r, `${path}.refunds[${i}]`), order_id: externalId }, currency, `${path}.refunds[${i}]`).refund);
  const cancelledAt = optDate(o.cancelled_at, `${path}.cancelled_at`);
  const totalText = total ?? fromMinor(items.reduce((t, i) => t + toMinor(i.unitPrice, currency) * BigInt(i.quantity), 0n) + shippingMinor, currency);
  const gateway = arr(o.payment_gateway_names, `${path}.payment_gateway_names`).map((g, i) => optStr(g, `${path}.payment_gateway_names[${i}]`)).find(Boolean) ?? optStr(o.gateway, `${path}.gateway`) ?? 'shopify';
  return {
    source: 'shopify',
    externalId,
    number,
    currency,
    placedAt: optDate(o.processed_at, `${path}.processed_at`) ?? createdAt,
    updatedAt: optDate(o.updated_at, `${path}.updated_at`) ?? createdAt,
    customer: {
      email,
      name: customerName ?? shippingAddress?.name ?? billing?.name ?? null,
      country: shippingAddress?.country ?? billing?.country ?? customerAddress?.country ?? null,
      language: locale ? locale.slice(0, 2).toLowerCase() : null,
    },
    shippingAddress,
    items,
    shipping: fromMinor(shippingMinor, currency),
    total,
    financialStatus,
    fulfillmentStatus,
    payment: { method: gateway, providerRef: `shopify-order-${externalId}`, amount: totalText, captured: capturedOf(o, financialText, totalText, currency, path) },
    status: cancelledAt ? 'cancelled' : 'open',
    cancelledAt,
    cancelReason: cancelledAt ? (optStr(o.cancel_reason, `${path}.cancel_reason`) ?? 'cancelled in Shopify') : null,
    shipments,
    refunds,
  };
}

/** What was captured: the order's sale/capture transactions when present, else from its financial status. */
function capturedOf(o: Obj, financial: string, total: string, currency: string, path: string): string {
  const transactions = arr(o.transactions, `${path}.transactions`);
  if (transactions.length) {
    let minor = 0n;
    transactions.forEach((x, i) => {
      const t = obj(x, `${path}.transactions[${i}]`);
      if ((t.kind === 'sale' || t.kind === 'capture') && (t.status === undefined || t.status === 'success')) minor += toMinor(money(t.amount, currency, `${path}.transactions[${i}].amount`), currency);
    });
    return fromMinor(minor, currency);
  }
  switch (financial) {
    case 'paid':
    case 'partially_refunded':
    case 'refunded':
      return total;
    case 'partially_paid': {
      const outstanding = o.total_outstanding === undefined || o.total_outstanding === null ? null : money(o.total_outstanding, currency, `${path}.total_outstanding`);
      const minor = toMinor(total, currency) - (outstanding ? toMinor(outstanding, currency) : 0n);
      return fromMinor(minor > 0n ? minor : 0n, currency);
    }
    default:
      return fromMinor(0n, currency);
  }
}

/** The orders in a Shopify export: an array of orders, `{"orders":[…]}` or `{"order":{…}}`. */
export function shopifyOrdersOf(doc: unknown): unknown[] {
  if (Array.isArray(doc)) return doc;
  if (isObj(doc) && Array.isArray(doc.orders)) return doc.orders;
  if (isObj(doc) && isObj(doc.order)) return [doc.order];
  throw validationError('expected a JSON array of Shopify orders, {"orders":[…]} or {"order":{…}}');
}
