/**
 * Orders from a CSV file: one row per order line, rows of one order next to each other.
 * Parsed with csv-parse (quotes, quoted commas and line breaks, BOM, CRLF); each row is
 * checked and a bad row is reported with its line number in the file and the reason.
 * An order with a bad row is not imported at all (a half order would have a wrong total);
 * its good rows are reported as held back, so every row that was not imported is listed.
 *
 * Columns (header row, any order, case-insensitive; README "CSV format"):
 *   required: order_number, created_at, currency, customer_email, sku, quantity, unit_price
 *   optional: external_id, customer_name, country, language, product_name, shipping_price,
 *             financial_status, shipping_carrier, tracking_number, shipment_status,
 *             shipped_at, delivered_at, cancelled_at, cancel_reason, ship_to_name,
 *             address_line1, address_line2, city, postal_code, region, phone
 */
import { parse } from 'csv-parse';
import type { FinancialStatus, PostalAddress, ShipmentStatus } from '../../db/types.ts';
import { isAppError, validationError } from '../../core/errors.ts';
import { fromMinor, toMinor } from '../money.ts';
import { checkCountry, checkCurrency, checkEmail, parseDate, type ExternalOrder, type ExternalShipment } from './model.ts';

export const CSV_REQUIRED = ['order_number', 'created_at', 'currency', 'customer_email', 'sku', 'quantity', 'unit_price'] as const;
export const CSV_OPTIONAL = [
  'external_id', 'customer_name', 'country', 'language', 'product_name', 'shipping_price', 'financial_status',
  'shipping_carrier', 'tracking_number', 'shipment_status', 'shipped_at', 'delivered_at', 'cancelled_at', 'cancel_reason',
  'ship_to_name', 'address_line1', 'address_line2', 'city', 'postal_code', 'region', 'phone',
] as const;
type Column = (typeof CSV_REQUIRED)[number] | (typeof CSV_OPTIONAL)[number];
const KNOWN = new Set<string>([...CSV_REQUIRED, ...CSV_OPTIONAL]);

const FINANCIAL: Record<string, FinancialStatus> = {
  pending: 'pending', authorized: 'pending', unpaid: 'pending', partially_paid: 'pending',
  paid: 'paid', partially_refunded: 'partially_refunded', refunded: 'refunded', voided: 'voided',
};
const SHIPMENT: Record<string, ShipmentStatus> = {
  label_created: 'label_created', in_transit: 'in_transit', shipped: 'in_transit', out_for_delivery: 'out_for_delivery',
  delivered: 'delivered', exception: 'exception', lost: 'lost', returned: 'returned',
};

export interface RowError {
  line: number;
  reason: string;
}

export type CsvEvent =
  | { kind: 'order'; order: ExternalOrder; lines: number[] }
  | { kind: 'rejected'; errors: RowError[]; rows: number };

/** Rows in the text (an estimate for progress: quoted line breaks count too). */
export function estimateCsvRows(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  if (text.length && !text.endsWith('\n')) n++;
  return Math.max(0, n - 1);
}

const reasonOf = (e: unknown): string => (isAppError(e) ? e.message : e instanceof Error ? e.message : String(e));

interface Row {
  line: number;
  get(c: Column): string;
}

interface Group {
  key: string;
  first: Row;
  order: ExternalOrder;
  lines: number[];
  errors: RowError[];
  shipments: Map<string, ExternalShipment>;
}

/**
 * Reads the CSV text and yields one event per order: the mapped order with the lines it came
 * from, or the rejected rows with their reasons. Throws a validation error when the header
 * lacks a required column (nothing in the file can be read then).
 */
export async function* readOrdersCsv(text: string): AsyncGenerator<CsvEvent> {
  // csv-parse counts a CR inside a quoted field as a line of its own: normalise line ends
  // first so that the line numbers reported are the ones an editor shows
  const input = text.replace(/\r\n?/g, '\n');
  const skipped: RowError[] = [];
  const parser = parse(input, {
    bom: true,
    info: true,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    on_skip: (err) => {
      skipped.push({ line: parser.info.lines, reason: `unreadable CSV: ${err?.message.replace(/ at line \d+.*$/, '') ?? 'malformed row'}` });
      return undefined;
    },
  });
  let header: string[] | null = null;
  let index = new Map<Column, number>();
  const seen = new Map<string, number>();
  let group: Group | null = null;

  const finish = function* (g: Group): Generator<CsvEvent> {
    seen.set(g.key, g.first.line);
    if (g.errors.length) {
      const bad = new Set(g.errors.map((e) => e.line));
      const held = g.lines.filter((l) => !bad.has(l)).map((l) => ({ line: l, reason: `not imported: order ${g.order.number} has a bad row (line ${[...bad][0]})` }));
      yield { kind: 'rejected', errors: [...g.errors, ...held].sort((a, b) => a.line - b.line), rows: g.lines.length };
      return;
    }
    g.order.shipments = [...g.shipments.values()];
    if (!g.order.fulfillmentStatus) g.order.fulfillmentStatus = g.order.shipments.length ? 'fulfilled' : 'unfulfilled';
    g.order.total = null;
    g.order.payment = csvPayment(g.order);
    yield { kind: 'order', order: g.order, lines: g.lines };
  };

  for await (const rec of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
    const fields = rec.record;
    // the record ends on info.lines; it starts earlier by the line breaks inside its fields
    const line = rec.info.lines - fields.reduce((n, f) => n + countNewlines(f), 0);
    if (!header) {
      header = fields.map((h) => h.trim().toLowerCase().replace(/[\s-]+/g, '_'));
      const missing = CSV_REQUIRED.filter((c) => !header!.includes(c));
      if (missing.length) throw validationError(`line ${line}: the header lacks required column(s) ${missing.join(', ')} (see README "CSV format")`, { missing });
      index = new Map(header.flatMap((h, i) => (KNOWN.has(h) ? [[h as Column, i] as const] : [])));
      continue;
    }
    const row: Row = { line, get: (c) => { const i = index.get(c); return i === undefined ? '' : (fields[i] ?? '').trim(); } };
    const numberText = row.get('order_number');
    const key = row.get('external_id') || numberText;
    // rows csv-parse could not read: part of the open order when the next row continues it
    // (then the whole order is held back), else reported on their own
    if (skipped.length) {
      if (group && group.key === key) {
        for (const s of skipped) {
          group.lines.push(s.line);
          group.errors.push(s);
        }
      } else {
        if (group) yield* finish(group);
        group = null;
        for (const s of skipped) yield { kind: 'rejected', errors: [s], rows: 1 };
      }
      skipped.length = 0;
    }
    const columnsWrong = fields.length !== header.length ? `expected ${header.length} columns, found ${fields.length}` : null;
    if (group && group.key === key) {
      group.lines.push(line);
      if (columnsWrong) {
        group.errors.push({ line, reason: columnsWrong });
        continue;
      }
    } else {
      if (group) yield* finish(group);
      group = null;
      if (!key) {
        yield { kind: 'rejected', errors: [{ line, reason: columnsWrong ?? 'missing order_number' }], rows: 1 };
        continue;
      }
      const earlier = seen.get(key);
      if (earlier !== undefined) {
        yield { kind: 'rejected', errors: [{ line, reason: `order ${numberText || key} already appeared at line ${earlier}: rows of one order must be next to each other` }], rows: 1 };
        continue;
      }
      let problem = columnsWrong ?? (numberText ? null : 'missing order_number');
      if (!problem) {
        try {
          group = startGroup(row, key);
        } catch (e) {
          problem = reasonOf(e);
        }
      }
      if (problem || !group) {
        // the order's first row is bad: its other rows follow under the same key and are held back
        group = { key, first: row, order: emptyOrder(numberText || key), lines: [line], errors: [{ line, reason: problem ?? 'unreadable row' }], shipments: new Map() };
        continue;
      }
    }
    try {
      addRow(group, row);
    } catch (e) {
      group.errors.push({ line, reason: reasonOf(e) });
    }
  }
  if (group) yield* finish(group);
  for (const s of skipped) yield { kind: 'rejected', errors: [s], rows: 1 };
  if (!header) throw validationError('the file is empty: expected a header row and order rows (see README "CSV format")');
}

function countNewlines(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i !== -1; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

function emptyOrder(number: string): ExternalOrder {
  return {
    source: 'csv', externalId: null, number, currency: 'USD', placedAt: new Date(0), updatedAt: null,
    customer: { email: null, name: null, country: null, language: null }, shippingAddress: null, items: [], shipping: null, total: null,
    financialStatus: 'paid', fulfillmentStatus: null, payment: null, status: 'open', cancelledAt: null, cancelReason: null, shipments: [], refunds: [],
  };
}

function required(row: Row, c: Column): string {
  const v = row.get(c);
  if (!v) throw validationError(`missing ${c}`, { field: c });
  return v;
}

function money(text: string, currency: string, field: string): string {
  if (text.startsWith('-')) throw validationError(`bad money "${text}" in ${field}: must not be negative`, { field });
  try {
    return fromMinor(toMinor(text, currency, field), currency);
  } catch (e) {
    throw validationError(`bad money "${text}" in ${field}: ${reasonOf(e).replace(/^\w+ /, '')}`, { field });
  }
}

function startGroup(row: Row, key: string): Group {
  const currency = checkCurrency(required(row, 'currency'));
  const email = checkEmail(required(row, 'customer_email'));
  const placedAt = parseDate(required(row, 'created_at'), 'created_at');
  const countryText = row.get('country');
  const country = countryText ? checkCountry(countryText) : null;
  const financialText = row.get('financial_status').toLowerCase();
  const financialStatus = financialText ? FINANCIAL[financialText] : 'paid';
  if (!financialStatus) throw validationError(`unknown financial_status "${financialText}" (${Object.keys(FINANCIAL).join(', ')})`);
  const shippingText = row.get('shipping_price');
  const shipping = shippingText ? money(shippingText, currency, 'shipping_price') : null;
  const cancelledText = row.get('cancelled_at');
  const cancelledAt = cancelledText ? parseDate(cancelledText, 'cancelled_at') : null;
  const line1 = row.get('address_line1');
  let shippingAddress: PostalAddress | null = null;
  if (line1) {
    if (!country) throw validationError('missing country (needed with address_line1)', { field: 'country' });
    shippingAddress = {
      name: row.get('ship_to_name') || row.get('customer_name') || email,
      line1,
      ...(row.get('address_line2') ? { line2: row.get('address_line2') } : {}),
      city: row.get('city'),
      postalCode: row.get('postal_code'),
      ...(row.get('region') ? { region: row.get('region') } : {}),
      country,
      ...(row.get('phone') ? { phone: row.get('phone') } : {}),
    };
  }
  const language = row.get('language').toLowerCase() || null;
  if (language && !/^[a-z]{2}$/.test(language)) throw validationError(`bad language "${language}" (use an ISO 639-1 code such as de, ja)`, { field: 'language' });
  const order: ExternalOrder = {
    source: 'csv',
    externalId: row.get('external_id') || null,
    number: row.get('order_number'),
    currency,
    placedAt,
    updatedAt: null,
    customer: { email, name: row.get('customer_name') || null, country, language },
    shippingAddress,
    items: [],
    shipping,
    total: null,
    financialStatus,
    fulfillmentStatus: null,
    payment: null,
    status: cancelledAt ? 'cancelled' : 'open',
    cancelledAt,
    cancelReason: cancelledAt ? row.get('cancel_reason') || 'cancelled' : null,
    shipments: [],
    refunds: [],
  };
  return { key, first: row, order, lines: [row.line], errors: [], shipments: new Map() };
}

/** Adds a row's line (and shipment) to its order; the order-level columns must agree with the first row. */
function addRow(g: Group, row: Row): void {
  const o = g.order;
  if (row !== g.first) {
    for (const c of ['order_number', 'currency', 'customer_email', 'created_at'] as const) {
      const a = g.first.get(c);
      const b = row.get(c);
      if (b && b.toLowerCase() !== a.toLowerCase()) throw validationError(`${c} "${b}" differs from the order's first row (line ${g.first.line}: "${a}")`, { field: c });
    }
  }
  const sku = required(row, 'sku');
  const qText = required(row, 'quantity');
  if (!/^-?\d+$/.test(qText)) throw validationError(`bad quantity "${qText}": must be a whole number`, { field: 'quantity' });
  const quantity = Number(qText);
  if (quantity <= 0) throw validationError(`bad quantity ${quantity}: must be 1 or more`, { field: 'quantity' });
  if (quantity > 1_000_000) throw validationError(`bad quantity ${quantity}: too large`, { field: 'quantity' });
  const unitPrice = money(required(row, 'unit_price'), o.currency, 'unit_price');
  const carrier = row.get('shipping_carrier');
  const tracking = row.get('tracking_number');
  const statusText = row.get('shipment_status').toLowerCase();
  let shipment: ExternalShipment | null = null;
  if (carrier || tracking) {
    const status = statusText ? SHIPMENT[statusText] : 'in_transit';
    if (!status) throw validationError(`unknown shipment_status "${statusText}" (${Object.keys(SHIPMENT).join(', ')})`, { field: 'shipment_status' });
    const shippedText = row.get('shipped_at');
    const deliveredText = row.get('delivered_at');
    shipment = {
      externalId: `${o.externalId ?? o.number}:${tracking || carrier}`,
      carrier: carrier || 'unknown',
      trackingNumber: tracking || null,
      status,
      shippedAt: shippedText ? parseDate(shippedText, 'shipped_at') : o.placedAt,
      deliveredAt: deliveredText ? parseDate(deliveredText, 'delivered_at') : null,
      updatedAt: null,
    };
  }
  o.items.push({ sku, title: row.get('product_name') || sku, quantity, unitPrice });
  if (shipment && !g.shipments.has(shipment.externalId)) g.shipments.set(shipment.externalId, shipment);
}

/** The payment an imported order gets: captured unless the file says it is pending or voided. */
export function csvPayment(o: ExternalOrder): ExternalOrder['payment'] {
  const cur = o.currency;
  let total = 0n;
  for (const i of o.items) total += toMinor(i.unitPrice, cur) * BigInt(i.quantity);
  if (o.shipping) total += toMinor(o.shipping, cur);
  const amount = fromMinor(total, cur);
  const captured = o.financialStatus === 'pending' || o.financialStatus === 'voided' ? fromMinor(0n, cur) : amount;
  return { method: 'import', providerRef: null, amount, captured };
}
