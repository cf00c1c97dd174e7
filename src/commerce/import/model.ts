/**
 * The one shape every order source is mapped to before it reaches the database: a CSV
 * file, a Shopify export or a Shopify webhook all become an `ExternalOrder` (plus, for
 * webhooks that carry only a part of an order, an `ExternalShipment` or `ExternalRefund`).
 * Validation of values (money, dates, currencies) happens in the mappers; these types hold
 * values that are already checked.
 */
import { createHash } from 'node:crypto';
import type { FinancialStatus, FulfillmentStatus, PostalAddress, ShipmentStatus } from '../../db/types.ts';
import { validationError } from '../../core/errors.ts';

export type ImportSource = 'shopify' | 'csv';

export interface ExternalItem {
  sku: string;
  title: string;
  quantity: number;
  /** Decimal string in the order's currency. */
  unitPrice: string;
}

export interface ExternalShipment {
  externalId: string;
  carrier: string;
  trackingNumber: string | null;
  /**
   * The carrier's tracking page, already checked to be a safe absolute http(s) URL. Absent
   * when the source gives none: the stored one is then kept (never set to undefined-as-null).
   */
  trackingUrl?: string;
  status: ShipmentStatus;
  shippedAt: Date | null;
  deliveredAt: Date | null;
  /** The source's last change of this shipment; older data never overwrites newer. */
  updatedAt: Date | null;
  /** Items it carries, when the source says (used to tell partial from full fulfilment). */
  lines?: Array<{ sku: string; quantity: number }>;
}

export interface ExternalRefund {
  externalId: string;
  /** Decimal string in the order's currency; "0" for a refund that only restocks. */
  amount: string;
  reason: string;
  createdAt: Date;
}

export interface ExternalOrder {
  source: ImportSource;
  /** The platform's id of the order; null when the source has none (then the number is the key). */
  externalId: string | null;
  number: string;
  currency: string;
  placedAt: Date;
  updatedAt: Date | null;
  customer: { email: string | null; name: string | null; country: string | null; language: string | null };
  shippingAddress: PostalAddress | null;
  items: ExternalItem[];
  /** Shipping charged on top of the items. */
  shipping: string | null;
  /** The order total as the source states it; computed from items + shipping when null. */
  total: string | null;
  financialStatus: FinancialStatus;
  /** Set when the source says; otherwise derived from the shipments. */
  fulfillmentStatus: FulfillmentStatus | null;
  payment: { method: string; providerRef: string | null; amount: string; captured: string } | null;
  status: 'open' | 'cancelled';
  cancelledAt: Date | null;
  cancelReason: string | null;
  shipments: ExternalShipment[];
  refunds: ExternalRefund[];
}

/** The key an order is known by in its source: its external id, else its number. */
export function orderKey(o: { externalId: string | null; number: string }): string {
  return o.externalId ? `id:${o.externalId}` : `number:${o.number}`;
}

function canonical(v: unknown): unknown {
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const x = (v as Record<string, unknown>)[k];
      if (x !== undefined) out[k] = canonical(x);
    }
    return out;
  }
  return v;
}

/** A stable hash of a value (key order and Date objects do not matter). */
export function contentHash(v: unknown): string {
  return createHash('sha256').update(JSON.stringify(canonical(v))).digest('base64url');
}

// ---------------------------------------------------------------------------------------
// Value checks shared by the mappers

const CURRENCIES: ReadonlySet<string> = new Set(Intl.supportedValuesOf('currency'));

export function checkCurrency(code: string, field = 'currency'): string {
  const c = code.trim().toUpperCase();
  if (!/^[A-Z]{3}$/.test(c) || !CURRENCIES.has(c)) throw validationError(`unknown currency "${code}" (use an ISO 4217 code such as USD, EUR, JPY)`, { field });
  return c;
}

// unknown codes come back as themselves; user-assigned ones (AA, QM–QZ, XA–XZ but XK Kosovo, ZZ) are refused above
const regionNames = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'code' });

export function checkCountry(code: string, field = 'country'): string {
  const c = code.trim().toUpperCase();
  if (!/^[A-Z]{2}$/.test(c) || /^(AA|Q[M-Z]|X[A-JL-Z]|ZZ)$/.test(c) || regionNames.of(c) === c) throw validationError(`unknown country "${code}" (use an ISO 3166 code such as DE, JP, US)`, { field });
  return c;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

/** ISO 8601 date or date-time ("2026-11-03", "2026-11-03T14:05:00+08:00"); no offset = UTC. */
export function parseDate(text: string, field = 'date'): Date {
  const t = text.trim();
  const m = ISO_DATE.exec(t);
  if (!m) throw validationError(`bad date "${text}" in ${field} (use ISO 8601, e.g. 2026-11-03 or 2026-11-03T14:05:00+08:00)`, { field });
  const [, y, mo, d, h, mi] = m;
  if (Number(mo) < 1 || Number(mo) > 12 || Number(d) < 1 || Number(d) > 31 || (h !== undefined && (Number(h) > 23 || Number(mi) > 59))) {
    throw validationError(`bad date "${text}" in ${field}`, { field });
  }
  let iso = t.replace(' ', 'T');
  if (h === undefined) iso += 'T00:00:00Z';
  else if (!m[7]) iso += 'Z';
  else if (/^[+-]\d{2}$/.test(m[7])) iso += ':00';
  const date = new Date(iso);
  // "2026-02-30" parses to March 2nd in some engines: the day must survive the round trip
  if (Number.isNaN(date.getTime()) || (h === undefined && date.toISOString().slice(0, 10) !== `${y}-${mo}-${d}`)) {
    throw validationError(`bad date "${text}" in ${field}`, { field });
  }
  return date;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function checkEmail(text: string, field = 'customer_email'): string {
  const e = text.trim().toLowerCase();
  if (!EMAIL.test(e) || e.length > 254) throw validationError(`bad e-mail address "${text}"`, { field });
  return e;
}
