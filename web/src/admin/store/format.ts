// Pure helpers of the store settings page: SLA minutes <-> hours, business-day length,
// field errors out of the API's 400 `details`, the chat widget's embed snippet.
// No React and no i18next here, so they are unit-tested in Node (test/web/store-format.test.ts).

/** Business hours per weekday ('0' = Monday … '6' = Sunday): [["09:00","18:00"], …]. */
export type WeeklyHours = Record<string, string[][]>;

const numberFormats = new Map<string, Intl.NumberFormat>();
function unit(locale: string, u: 'hour' | 'minute' | 'day', n: number): string {
  const key = `${locale}|${u}`;
  let f = numberFormats.get(key);
  if (!f) {
    f = new Intl.NumberFormat(locale, { style: 'unit', unit: u, unitDisplay: 'short', maximumFractionDigits: 1 });
    numberFormats.set(key, f);
  }
  return f.format(n);
}

/**
 * A number of minutes as hours and minutes in the interface language: 90 → "1 hr 30 min"
 * (en) / "1小时 30分钟" (zh-CN). Days are not used: SLA minutes are business minutes, and a
 * business day is not 24 hours.
 */
export function formatMinutes(minutes: number, locale: string): string {
  if (!Number.isFinite(minutes) || minutes < 0) return '—';
  const m = Math.round(minutes);
  const h = Math.floor(m / 60);
  const rest = m % 60;
  if (h === 0) return unit(locale, 'minute', rest);
  if (rest === 0) return unit(locale, 'hour', h);
  return `${unit(locale, 'hour', h)} ${unit(locale, 'minute', rest)}`;
}

/** Minutes as the text of an hours field: 120 → "2", 90 → "1.5", 100 → "1.67". */
export function minutesToHoursText(minutes: number): string {
  return String(Math.round((minutes / 60) * 100) / 100);
}

/**
 * What a person typed in an hours field, as whole minutes: "2" → 120, "1.5" or "1,5" → 90,
 * "1:30" → 90. Null for anything else, zero or negative.
 */
export function hoursTextToMinutes(text: string): number | null {
  const s = text.trim();
  let minutes: number;
  const hm = /^(\d{1,6}):([0-5]\d)$/.exec(s);
  if (hm) minutes = Number(hm[1]) * 60 + Number(hm[2]);
  else if (/^\d{1,6}([.,]\d{1,4})?$/.test(s)) minutes = Math.round(Number(s.replace(',', '.')) * 60);
  else return null;
  return minutes >= 1 ? minutes : null;
}

function toMinutes(hhmm: string): number | null {
  const m = /^(\d{2}):(\d{2})$/.exec(hhmm);
  if (!m) return null;
  return Number(m[1]) * 60 + Number(m[2]);
}

/** Open minutes of one day's spans (bad spans count as nothing). */
export function dayMinutes(spans: string[][] | undefined): number {
  let total = 0;
  for (const span of spans ?? []) {
    const a = toMinutes(span[0] ?? '');
    const b = toMinutes(span[1] ?? '');
    if (a !== null && b !== null && b > a) total += b - a;
  }
  return total;
}

/** The average length of an open day in minutes (e.g. 540 for 09:00–18:00), null when the store is never open. */
export function businessDayMinutes(hours: WeeklyHours): number | null {
  const open = Object.values(hours).map(dayMinutes).filter((m) => m > 0);
  if (!open.length) return null;
  return Math.round(open.reduce((a, b) => a + b, 0) / open.length);
}

/** Business minutes as business days of the store, one decimal: 1440 with 540-minute days → 2.7. */
export function businessDays(minutes: number, dayLength: number | null): number | null {
  if (!dayLength || dayLength <= 0) return null;
  return Math.round((minutes / dayLength) * 10) / 10;
}

/** Weekly open hours in total (for the summary line of the business hours editor). */
export function weeklyOpenMinutes(hours: WeeklyHours): number {
  return Object.values(hours).reduce((a, spans) => a + dayMinutes(spans), 0);
}

/** Checks the spans as the server does (HH:MM, start before end); returns the days (0–6) with a bad span. */
export function badHourDays(hours: WeeklyHours): string[] {
  const bad: string[] = [];
  for (const [day, spans] of Object.entries(hours)) {
    for (const span of spans) {
      const a = toMinutes(span[0] ?? '');
      const b = span[1] === '24:00' ? 1440 : toMinutes(span[1] ?? '');
      if (a === null || b === null || a >= b || a >= 1440) {
        bad.push(day);
        break;
      }
    }
  }
  return bad;
}

interface AjvItem {
  path?: unknown;
  message?: unknown;
  params?: unknown;
}

/**
 * The field errors in an API error's `details`, keyed by the top-level field of the body:
 * domain errors carry `{ field }` (with the error's message), schema errors
 * `{ errors: [{ path: "/faqThreshold", message, params }] }`, and a schema error about an
 * unknown or missing property names it in `params`.
 */
export function fieldErrors(details: unknown, message: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!details || typeof details !== 'object') return out;
  const d = details as { field?: unknown; errors?: unknown };
  if (typeof d.field === 'string' && d.field) out[d.field] = message;
  if (Array.isArray(d.errors)) {
    for (const e of d.errors as AjvItem[]) {
      const params = (e.params && typeof e.params === 'object' ? e.params : {}) as { missingProperty?: unknown; additionalProperty?: unknown; limit?: unknown; comparison?: unknown };
      const path = typeof e.path === 'string' ? e.path : '';
      const top = path.split('/').filter(Boolean)[0] ?? (typeof params.missingProperty === 'string' ? params.missingProperty : typeof params.additionalProperty === 'string' ? params.additionalProperty : '');
      if (!top || out[top]) continue;
      out[top] = typeof e.message === 'string' ? e.message : message;
    }
  }
  return out;
}

/** The numeric bound of a schema error (`must be <= 1`), to say it in the interface language. */
export function boundOf(details: unknown, field: string): { comparison: string; limit: number } | null {
  if (!details || typeof details !== 'object') return null;
  const errors = (details as { errors?: unknown }).errors;
  if (!Array.isArray(errors)) return null;
  for (const e of errors as AjvItem[]) {
    const path = typeof e.path === 'string' ? e.path : '';
    if (path.split('/').filter(Boolean)[0] !== field) continue;
    const p = (e.params ?? {}) as { comparison?: unknown; limit?: unknown };
    if (typeof p.comparison === 'string' && typeof p.limit === 'number') return { comparison: p.comparison, limit: p.limit };
  }
  return null;
}

/** The tag a shop puts on its pages to show the chat widget. */
export function embedSnippet(origin: string, storeId: string): string {
  return `<script src="${origin.replace(/\/+$/, '')}/widget.js" data-store="${storeId}" async></script>`;
}

/** Same shape as the server's check (lower case, no trailing slash): https://shop.example[:port]. */
export const ORIGIN_RE = /^https?:\/\/[a-z0-9.-]+(:\d{1,5})?$/;

/** What an admin typed as an origin, as the server will store it; null when it is not an origin. */
export function normalizeOrigin(text: string): string | null {
  const o = text.trim().toLowerCase().replace(/\/+$/, '');
  return ORIGIN_RE.test(o) ? o : null;
}

/** A whole number typed in a field (null when empty or not a whole number). */
export function parseWhole(text: string): number | null {
  const s = text.trim();
  return /^-?\d{1,9}$/.test(s) ? Number(s) : null;
}

/** A decimal typed in a field ("0.8", "0,8"); null when empty or not a number. */
export function parseDecimal(text: string): number | null {
  const s = text.trim().replace(',', '.');
  if (!/^-?\d{0,9}(\.\d{1,6})?$/.test(s) || s === '' || s === '-' || s === '.') return null;
  const n = Number(s);
  return Number.isFinite(n) ? n : null;
}
