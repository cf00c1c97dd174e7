/**
 * The light read of orders for tracking answers (helpdesk/bot.ts): who the order belongs to
 * and its latest outbound parcel with the carrier's scans, for several ways of naming the
 * order at once (its id, order numbers typed by the customer, the customer's e-mail), in one
 * statement. getOrderDetail reads about fifteen tables for the agent's order panel; the bot
 * needs two of them, for every customer message.
 */
import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import type { DB } from '../db/types.ts';
import type { OrderDetail } from './orders.ts';

type Db = Kysely<DB> | Transaction<DB>;

/** The same shape as `OrderDetail['shipment']`. */
export type OutboundShipment = NonNullable<OrderDetail['shipment']>;

export interface TrackedOrder {
  id: string;
  storeId: string;
  number: string;
  fulfillmentStatus: string;
  /** ISO time, like OrderSummary.placedAt. */
  placedAt: string;
  customer: { id: string; email: string } | null;
  /** The latest outbound shipment (as getOrderDetail's `shipment`), scans newest first. */
  shipment: OutboundShipment | null;
}

export interface OrdersForTrackingInput {
  storeId: string;
  /** Orders by id, whatever their store (the caller checks whose they are). */
  ids?: string[];
  /** Order numbers of the store, with or without "#"; newest first per number (as findOrders). */
  numbers?: string[];
  perNumber?: number;
  /** The newest orders of this customer e-mail in the store (as findOrders). */
  customerEmail?: string;
  perCustomer?: number;
}

export interface OrdersForTracking {
  byId: Map<string, TrackedOrder>;
  /** Per number as given (after trimming and dropping a leading "#"). */
  byNumber: Map<string, TrackedOrder[]>;
  byCustomer: TrackedOrder[];
}

const normNumber = (n: string) => n.trim().replace(/^#/, '');

/** One row of the read: per (way found, order, scan); orders without scans or shipment come once. */
interface TrackingRow {
  via: 'id' | 'number' | 'customer';
  via_key: string | null;
  id: string;
  store_id: string;
  number: string;
  fulfillment_status: string;
  placed_at: Date;
  customer_id: string | null;
  customer_email: string | null;
  s_id: string | null;
  s_kind: 'outbound' | 'reship' | 'return' | null;
  s_carrier: string | null;
  s_tracking_number: string | null;
  s_tracking_url: string | null;
  s_status: OutboundShipment['status'] | null;
  s_shipped_at: Date | null;
  s_delivered_at: Date | null;
  e_id: number | null;
  e_at: Date | null;
  e_status: string | null;
  e_location: string | null;
  e_description: string | null;
}

const noOrders = (): OrdersForTracking => ({ byId: new Map(), byNumber: new Map(), byCustomer: [] });

export async function ordersForTracking(db: Db, input: OrdersForTrackingInput): Promise<OrdersForTracking> {
  const q = trackingRowsSql(input);
  return q ? groupTrackingRows((await q.execute(db)).rows) : noOrders();
}

/**
 * The same read as one JSON value, for a statement to embed (a ticket's creation reads what
 * the bot will look for: TicketDeps.afterIntake.prefetch); ordersFromPrefetched reads it back.
 */
export function ordersForTrackingSql(input: OrdersForTrackingInput): RawBuilder<unknown> {
  const q = trackingRowsSql(input);
  return q ? sql`(SELECT coalesce(json_agg(x), '[]'::json) FROM (${q}) x)` : sql`'[]'::json`;
}

/** ordersForTrackingSql's value (JSON: times as text, rows in any order) as ordersForTracking answers. */
export function ordersFromPrefetched(value: unknown): OrdersForTracking | null {
  if (!Array.isArray(value)) return null;
  const time = (v: unknown) => (typeof v === 'string' ? new Date(v) : null);
  const rows = (value as Array<Record<string, unknown>>).map(
    (r) => ({ ...r, placed_at: time(r.placed_at) as Date, s_shipped_at: time(r.s_shipped_at), s_delivered_at: time(r.s_delivered_at), e_at: time(r.e_at) }) as TrackingRow,
  );
  // the statement's ORDER BY: via, via_key (nulls last), placed_at desc, id desc, scan time desc (nulls first), scan id desc
  const cmp = (a: string | null, b: string | null) => (a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1);
  const desc = (a: number | null, b: number | null) => (a === b ? 0 : a === null ? -1 : b === null ? 1 : b - a);
  rows.sort(
    (a, b) =>
      cmp(a.via, b.via) || cmp(a.via_key, b.via_key) || b.placed_at.getTime() - a.placed_at.getTime() || cmp(b.id, a.id) ||
      desc(a.e_at?.getTime() ?? null, b.e_at?.getTime() ?? null) || desc(a.e_id, b.e_id),
  );
  return groupTrackingRows(rows);
}

function trackingRowsSql(input: OrdersForTrackingInput): RawBuilder<TrackingRow> | null {
  const ids = input.ids ?? [];
  const numbers = [...new Set((input.numbers ?? []).map(normNumber).filter(Boolean))];
  const email = input.customerEmail?.trim().toLowerCase() ?? null;
  const perNumber = Math.min(Math.max(input.perNumber ?? 5, 1), 100);
  const perCustomer = Math.min(Math.max(input.perCustomer ?? 3, 1), 100);
  if (!ids.length && !numbers.length && !email) return null;
  // Only the ways asked for are in the text, and the numbers as a VALUES list: a prepared
  // statement's generic plan must not look dearer than a custom one, or PostgreSQL plans it
  // again on every call. With every way in the text and `unnest` of an array (guessed at 10
  // elements) it did: 0.37 ms of planning, forty times the run time, on each ticket the bot
  // looked at. Texts vary only with the ways used and the count of numbers (mostly one).
  const ways = [];
  if (ids.length) ways.push(sql`SELECT o.id, 'id' AS via, NULL::text AS via_key FROM orders o WHERE o.id = ANY(${ids}::uuid[])`);
  if (numbers.length) {
    ways.push(sql`
      SELECT x.id, 'number' AS via, n.num AS via_key FROM (VALUES ${sql.join(numbers.map((n) => sql`(${n}::text)`))}) AS n(num)
      CROSS JOIN LATERAL (
        SELECT o.id FROM orders o
        WHERE o.store_id = ${input.storeId} AND (o.number = n.num OR o.number = '#' || n.num)
        ORDER BY o.placed_at DESC, o.id DESC LIMIT ${sql.lit(perNumber)}
      ) x`);
  }
  if (email) {
    ways.push(sql`
      SELECT x.id, 'customer' AS via, NULL::text AS via_key FROM (
        SELECT o.id FROM orders o JOIN customers c ON c.id = o.customer_id
        WHERE o.store_id = ${input.storeId} AND c.email = ${email}::text
        ORDER BY o.placed_at DESC, o.id DESC LIMIT ${sql.lit(perCustomer)}
      ) x`);
  }
  const picked = sql.join(ways, sql` UNION ALL `);
  // one row per (way found, order, scan); orders without scans or shipment come once
  return sql<TrackingRow>`
    WITH picked AS (${picked})
    SELECT p.via, p.via_key, o.id, o.store_id, o.number, o.fulfillment_status, o.placed_at,
      c.id AS customer_id, c.email AS customer_email,
      s.id AS s_id, s.kind AS s_kind, s.carrier AS s_carrier, s.tracking_number AS s_tracking_number, s.tracking_url AS s_tracking_url, s.status AS s_status,
      s.shipped_at AS s_shipped_at, s.delivered_at AS s_delivered_at,
      e.id AS e_id, e.at AS e_at, e.status AS e_status, e.location AS e_location, e.description AS e_description
    FROM picked p
    JOIN orders o ON o.id = p.id
    LEFT JOIN customers c ON c.id = o.customer_id
    LEFT JOIN LATERAL (
      SELECT * FROM shipments s WHERE s.order_id = o.id AND s.kind = 'outbound' ORDER BY s.created_at DESC, s.id DESC LIMIT 1
    ) s ON true
    LEFT JOIN tracking_events e ON e.shipment_id = s.id
    ORDER BY p.via, p.via_key, o.placed_at DESC, o.id DESC, e.at DESC, e.id DESC`;
}

/** Rows in the statement's order, grouped per way and order, scans newest first. */
function groupTrackingRows(rows: TrackingRow[]): OrdersForTracking {
  const out = noOrders();
  let cur: TrackedOrder | null = null;
  let curKey = '';
  for (const r of rows) {
    const key = `${r.via}\u0000${r.via_key ?? ''}\u0000${r.id}`;
    if (!cur || key !== curKey) {
      curKey = key;
      const order: TrackedOrder = {
        id: r.id,
        storeId: r.store_id,
        number: r.number,
        fulfillmentStatus: r.fulfillment_status,
        placedAt: r.placed_at.toISOString(),
        customer: r.customer_id ? { id: r.customer_id, email: r.customer_email ?? '' } : null,
        shipment: r.s_id
          ? {
              id: r.s_id,
              kind: r.s_kind ?? 'outbound',
              carrier: r.s_carrier ?? '',
              trackingNumber: r.s_tracking_number,
              trackingUrl: r.s_tracking_url ?? null,
              status: r.s_status ?? 'label_created',
              shippedAt: r.s_shipped_at ? r.s_shipped_at.toISOString() : null,
              deliveredAt: r.s_delivered_at ? r.s_delivered_at.toISOString() : null,
              events: [],
            }
          : null,
      };
      cur = order;
      if (r.via === 'id') out.byId.set(r.id, order);
      else if (r.via === 'customer') out.byCustomer.push(order);
      else {
        const list = out.byNumber.get(r.via_key ?? '') ?? [];
        list.push(order);
        out.byNumber.set(r.via_key ?? '', list);
      }
    }
    if (cur.shipment && r.e_id !== null && r.e_at) {
      cur.shipment.events.push({ at: r.e_at.toISOString(), status: r.e_status ?? '', location: r.e_location, description: r.e_description ?? '' });
    }
  }
  return out;
}
