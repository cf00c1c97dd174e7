/**
 * Commerce values for reply templates (knowledge/variables.ts): for the order linked to a
 * ticket, the parcel on its way to the customer (`carrier`, `tracking.number`,
 * `tracking.url`), the latest return (`return.label_url`: the customer's signed link to its
 * label, `return.rma`…) and the latest refund (`refund.amount`, in the reply's locale).
 * Read in one statement; a value the order does not have stays empty, so the agent still
 * sees "fill in before sending" for it.
 */
import { sql, type Kysely } from 'kysely';
import type { Clock } from '../core/clock.ts';
import type { DB } from '../db/types.ts';
import type { ContextProvider } from '../knowledge/suggestions.ts';
import { formatMoney, localeFor, splitName, type RenderContext } from '../knowledge/variables.ts';
import type { ReturnLabelLinks } from './public-label.ts';

// ---------------------------------------------------------------------------------------
// Tracking pages

/**
 * The carriers' own public tracking pages (what a shopper opens from a shop's e-mail; no
 * account or API key needed), by carrier name. `{n}` is the tracking number. Carriers whose
 * page takes no number in its address (China Post, EMS, Yanwen, SF Express…) and every
 * carrier not listed here get the universal tracker, which follows postal (UPU S10) and
 * most courier numbers.
 */
export const UNIVERSAL_TRACKER = 'https://t.17track.net/en#nums={n}';
export const TRACKING_PAGES: ReadonlyArray<{ carrier: string; names: string[]; url: string }> = [
  { carrier: 'UPS', names: ['ups', 'unitedparcelservice'], url: 'https://www.ups.com/track?tracknum={n}' },
  { carrier: 'USPS', names: ['usps', 'unitedstatespostalservice'], url: 'https://tools.usps.com/go/TrackConfirmAction?tLabels={n}' },
  { carrier: 'FedEx', names: ['fedex', 'federalexpress'], url: 'https://www.fedex.com/fedextrack/?trknbr={n}' },
  { carrier: 'DHL Paket', names: ['dhlpaket', 'dhlparcel', 'deutschepost', 'deutschepostdhl'], url: 'https://www.dhl.de/de/privatkunden/pakete-empfangen/verfolgen.html?piececode={n}' },
  { carrier: 'DHL (Express, eCommerce, Global Mail)', names: ['dhl', 'dhlexpress'], url: 'https://www.dhl.com/global-en/home/tracking.html?tracking-id={n}&submit=1' },
  { carrier: 'China Post / EMS', names: ['chinapost', 'chinaems', 'emschina', 'ems', 'epacket', '中国邮政', '邮政', 'chinapostems'], url: UNIVERSAL_TRACKER },
  { carrier: 'Yanwen', names: ['yanwen', '燕文'], url: UNIVERSAL_TRACKER },
  { carrier: '4PX', names: ['4px', '递四方'], url: 'https://track.4px.com/#/result/0/{n}' },
  { carrier: 'Cainiao', names: ['cainiao', 'aliexpressstandardshipping', '菜鸟'], url: 'https://global.cainiao.com/detail.htm?mailNoList={n}' },
  { carrier: 'YunExpress', names: ['yunexpress', '云途'], url: 'https://www.yuntrack.com/parcelTracking?id={n}' },
  { carrier: 'Royal Mail', names: ['royalmail'], url: 'https://www.royalmail.com/track-your-item#/tracking-results/{n}' },
  { carrier: 'La Poste Colissimo', names: ['lapostecolissimo', 'colissimo', 'laposte'], url: 'https://www.laposte.fr/outils/suivre-vos-envois?code={n}' },
];

const norm = (s: string) => s.normalize('NFKC').toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');
/** Names longest first, so "DHL Paket International" is DHL Paket and not DHL Express. */
const BY_NAME = TRACKING_PAGES.flatMap((p) => p.names.map((name) => ({ name: norm(name), url: p.url }))).sort((a, b) => b.name.length - a.name.length);

/** The public page where the customer follows a parcel (never null when there is a number). */
export function trackingUrl(carrier: string | null | undefined, trackingNumber: string): string {
  const c = norm(carrier ?? '');
  const page = (c && BY_NAME.find((p) => c === p.name || c.startsWith(p.name))?.url) || UNIVERSAL_TRACKER;
  return page.replace('{n}', encodeURIComponent(trackingNumber.replace(/\s+/g, '')));
}

// ---------------------------------------------------------------------------------------
// Provider

/** A carrier name fit for a reply: imports record a missing one as "unknown". */
const knownCarrier = (c: string | null): string | null => (c && !/^(unknown|other|none|n\/a|-)?$/i.test(c.trim()) ? c.trim() : null);

interface CommerceFacts {
  order_customer_id: string | null;
  ship_name: string | null;
  s_carrier: string | null;
  s_number: string | null;
  r_id: string | null;
  r_rma: string | null;
  r_carrier: string | null;
  r_number: string | null;
  f_amount: string | null;
  f_currency: string | null;
}

/**
 * The order's facts in one statement: the newest parcel to the customer (outbound or
 * reship, those with a tracking number first), the newest return that is not cancelled and
 * the newest refund that did not fail. Each comes from its (order_id, created_at) index.
 */
async function commerceFacts(db: Kysely<DB>, orderId: string): Promise<CommerceFacts | undefined> {
  const r = await sql<CommerceFacts>`
    SELECT o.customer_id AS order_customer_id, o.shipping_address->>'name' AS ship_name,
      s.carrier AS s_carrier, s.tracking_number AS s_number,
      r.id AS r_id, r.rma AS r_rma, r.carrier AS r_carrier, r.tracking_number AS r_number,
      f.amount::text AS f_amount, f.currency AS f_currency
    FROM orders o
    LEFT JOIN LATERAL (
      SELECT carrier, tracking_number FROM shipments
      WHERE order_id = o.id AND kind IN ('outbound', 'reship')
      ORDER BY (tracking_number IS NULL), coalesce(shipped_at, created_at) DESC, created_at DESC, id DESC LIMIT 1
    ) s ON true
    LEFT JOIN LATERAL (
      SELECT id, rma, carrier, tracking_number FROM returns
      WHERE order_id = o.id AND status <> 'cancelled'
      ORDER BY created_at DESC, id DESC LIMIT 1
    ) r ON true
    LEFT JOIN LATERAL (
      SELECT amount, currency FROM refunds
      WHERE order_id = o.id AND status <> 'failed'
      ORDER BY created_at DESC, id DESC LIMIT 1
    ) f ON true
    WHERE o.id = ${orderId}`.execute(db);
  return r.rows[0];
}

/**
 * The commerce values of a ticket's linked order. `links` makes the customer's label link;
 * `clock` dates it. Registered in the app with the knowledge routes (server/app.ts).
 */
export function commerceContextProvider(deps: { links: ReturnLabelLinks; clock: Clock }): ContextProvider {
  return async (db, { ticket, language, market }) => {
    if (!ticket.orderId) return {};
    const f = await commerceFacts(db, ticket.orderId);
    if (!f) return {};
    const ctx: RenderContext = {};
    const carrier = knownCarrier(f.s_carrier);
    ctx.carrier = carrier;
    if (f.s_number) {
      ctx['tracking.number'] = f.s_number;
      ctx['tracking.url'] = trackingUrl(carrier, f.s_number);
    }
    if (f.r_id) {
      ctx['return.label_url'] = deps.links.url(f.r_id, deps.clock.now());
      ctx['return.rma'] = f.r_rma;
      ctx['return.carrier'] = knownCarrier(f.r_carrier);
      ctx['return.tracking_number'] = f.r_number;
    }
    if (f.f_amount !== null && f.f_currency) ctx['refund.amount'] = formatMoney(f.f_amount, f.f_currency, localeFor(language, market));
    // a customer known only by e-mail: the name the order was shipped to, if it is their order
    if (!ticket.customer.name && f.ship_name && f.order_customer_id === ticket.customer.id) {
      const name = splitName(f.ship_name, ticket.customer.language ?? language);
      ctx['customer.first_name'] = name.first;
      ctx['customer.last_name'] = name.last;
      ctx['customer.name'] = name.full;
    }
    return ctx;
  };
}
