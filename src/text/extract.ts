/**
 * Entities in customer messages: order numbers, tracking numbers with their carrier, e-mail
 * addresses and phone numbers. Pure regular expressions; never throws.
 */

export interface TrackingNumber {
  number: string;
  carrier: string;
}

export interface Entities {
  orderNumbers: string[];
  tracking: TrackingNumber[];
  emails: string[];
  phones: string[];
}

/** Only this many characters are scanned. */
export const EXTRACT_WINDOW = 20_000;

// Tracking formats, most specific first. Each number is claimed by the first that matches.
const TRACKING: { carrier: string; re: RegExp }[] = [
  { carrier: 'UPS', re: /\b1Z[0-9A-Z]{16}\b/g },
  // UPU S10 (China Post, EMS, other posts): 2 letters, 9 digits, country code.
  { carrier: 'China Post', re: /\b[LRCV][A-Z]\d{9}CN\b/g },
  { carrier: 'EMS', re: /\bE[A-Z]\d{9}CN\b/g },
  { carrier: 'Yanwen', re: /\b(?:UG|YW|VR)\d{9}YP\b|\bY[A-Z]\d{9}YW\b/g },
  { carrier: '4PX', re: /\b4PX\d{10,16}(?:CN)?\b/g },
  { carrier: 'Cainiao', re: /\bLP\d{14,16}\b|\bCAINIAO\w{6,20}\b|\bCNG?\d{12,16}\b/g },
  { carrier: 'YunExpress', re: /\bYT\d{16}\b/g },
  { carrier: 'USPS', re: /\b(?:94|93|92|95)\d{20}\b|\b(?:94|93|92|95)\d{2}(?: ?\d{4}){4} ?\d{2}\b/g },
  { carrier: 'DHL', re: /\bJJD\d{10,20}\b|\bJVGL\d{10,20}\b/g },
  { carrier: 'Postal (UPU)', re: /\b[A-Z]{2}\d{9}[A-Z]{2}\b/g },
];

// Numbers that need a carrier word nearby to be read as tracking numbers.
const CONTEXT_TRACKING: { carrier: string; word: RegExp; re: RegExp }[] = [
  { carrier: 'FedEx', word: /fedex/i, re: /\b\d{12}\b|\b\d{15}\b/g },
  { carrier: 'DHL', word: /\bdhl\b/i, re: /\b\d{10,11}\b/g },
];

const ORDER_PATTERNS: RegExp[] = [
  // Amazon
  /\b\d{3}-\d{7}-\d{7}\b/g,
  // tau2 retail (#W1234567)
  /#W\d{7}\b/g,
  // Shopify and similar (#1001), also "#SO-1234"
  /#[A-Z]{0,4}-?\d{3,10}\b/g,
];
// AliExpress / Temu / Shein long numeric ids; and "order 1234" written out.
const LONG_NUMERIC = /(?<![\w-])\d{12,20}(?![\w-])/g;
const ORDER_WORD =
  /(?:order|commande|pedido|bestellung|ordine|encomenda|bestelling|beställning|zamówienie|sipariş|заказ|طلب|注文|주문|订单|訂單|auftrag|ordernummer|order number|no\.?|nr\.?|n[º°]|番号|번호|号)\s*(?:#|nr\.?|no\.?|number|nummer|numéro|número|numero|номер|رقم|:)?\s*[:#]?\s*([A-Z]{0,3}-?\d{4,12})\b/giu;

const EMAIL = /[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*\.[A-Za-z]{2,24}/g;
const PHONE = /(?<![\w+])(?:\+|00)\d{1,3}[\s.-]?(?:\(?\d{1,4}\)?[\s.-]?){2,5}\d{2,4}(?!\w)|(?<![\w+-])\(?\d{3}\)?[\s.-]\d{3}[\s.-]\d{4}(?![\w-])|(?<!\d)1[3-9]\d{9}(?!\d)|(?<!\d)0[1-9]\d{0,3}[\s-]\d{3,4}[\s-]\d{3,4}(?!\d)/g;

function uniq<T>(xs: T[], key: (x: T) => string = String): T[] {
  const seen = new Set<string>();
  return xs.filter((x) => {
    const k = key(x);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Finds the entities of a message. */
export function extractEntities(text: string): Entities {
  const empty: Entities = { orderNumbers: [], tracking: [], emails: [], phones: [] };
  if (typeof text !== 'string' || text.length === 0) return empty;
  const src = (text.length > EXTRACT_WINDOW ? text.slice(0, EXTRACT_WINDOW) : text).normalize('NFKC');
  const claimed = new Set<string>();
  const hasDigits = /\d{3}/.test(src);
  const hasAt = src.includes('@');
  if (!hasDigits && !hasAt) return empty; // no number, no address: nothing to find

  const tracking: TrackingNumber[] = [];
  const upper = hasDigits ? src.toUpperCase() : '';
  for (const t of hasDigits ? TRACKING : []) {
    for (const m of upper.matchAll(t.re)) {
      const n = m[0].replace(/\s+/g, '');
      if (claimed.has(n)) continue;
      claimed.add(n);
      tracking.push({ number: n, carrier: t.carrier });
    }
  }

  const emails = hasAt ? uniq([...src.matchAll(EMAIL)].map((m) => m[0])) : [];
  const withoutEmails = hasAt ? src.replace(EMAIL, ' ') : src;
  if (!/\d{3}/.test(withoutEmails)) return { orderNumbers: [], tracking, emails, phones: [] };

  const orders: string[] = [];
  for (const re of ORDER_PATTERNS) {
    for (const m of withoutEmails.matchAll(re)) {
      const n = m[0];
      if (claimed.has(n)) continue;
      claimed.add(n);
      orders.push(n);
    }
  }
  for (const t of CONTEXT_TRACKING) {
    if (!t.word.test(src)) continue;
    for (const m of withoutEmails.matchAll(t.re)) {
      if (claimed.has(m[0])) continue;
      claimed.add(m[0]);
      tracking.push({ number: m[0], carrier: t.carrier });
    }
  }
  for (const m of withoutEmails.matchAll(LONG_NUMERIC)) {
    const n = m[0];
    if (claimed.has(n) || /^(?:94|93|92|95)\d{20}$/.test(n)) continue;
    claimed.add(n);
    orders.push(n);
  }
  for (const m of withoutEmails.matchAll(ORDER_WORD)) {
    const n = m[1];
    if ([...claimed].some((c) => c.includes(n))) continue;
    claimed.add(n);
    orders.push(n);
  }

  const phones: string[] = [];
  const claimedDigits = new Set([...claimed].map((c) => c.replace(/\D/g, '')));
  for (const m of withoutEmails.matchAll(PHONE)) {
    const p = m[0].trim();
    const digits = p.replace(/\D/g, '');
    if (digits.length < 7 || digits.length > 15) continue;
    if (claimedDigits.has(digits)) continue;
    phones.push(p);
  }
  return { orderNumbers: uniq(orders), tracking: uniq(tracking, (t) => t.number), emails, phones: uniq(phones) };
}
