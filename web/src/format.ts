// Small formatting helpers that follow the interface language.
import type { TFunction } from 'i18next';

const displayNames = new Map<string, Intl.DisplayNames>();
function names(locale: string, type: 'language' | 'region'): Intl.DisplayNames | null {
  const key = `${locale}|${type}`;
  let dn = displayNames.get(key);
  if (!dn) {
    try {
      dn = new Intl.DisplayNames([locale], { type });
    } catch {
      return null;
    }
    displayNames.set(key, dn);
  }
  return dn;
}

export function languageName(code: string | null | undefined, locale: string): string {
  if (!code) return '—';
  try {
    return names(locale, 'language')?.of(code) ?? code;
  } catch {
    return code;
  }
}

export function countryName(code: string | null | undefined, locale: string): string {
  if (!code) return '—';
  try {
    return names(locale, 'region')?.of(code.toUpperCase()) ?? code;
  } catch {
    return code;
  }
}

/** "3 min ago" / "3 分钟前" */
export function relativeTime(iso: string | null | undefined, locale: string, now: number): string {
  if (!iso) return '—';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '—';
  const diff = (t - now) / 1000;
  const abs = Math.abs(diff);
  const rtf = new Intl.RelativeTimeFormat(locale, { numeric: 'auto', style: 'short' });
  if (abs < 45) return rtf.format(0, 'second');
  if (abs < 3600) return rtf.format(Math.round(diff / 60), 'minute');
  if (abs < 86400) return rtf.format(Math.round(diff / 3600), 'hour');
  if (abs < 86400 * 30) return rtf.format(Math.round(diff / 86400), 'day');
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium' }).format(t);
}

export function dateTime(iso: string | null | undefined, locale: string, timeZone?: string): string {
  if (!iso) return '—';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '—';
  try {
    return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(t);
  } catch {
    return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(t);
  }
}

/** The time now in a time zone, with the zone's offset: "周二 14:05 (GMT+1)". */
export function localTimeIn(timeZone: string | null | undefined, locale: string, now: number): string {
  if (!timeZone) return '—';
  try {
    return new Intl.DateTimeFormat(locale, {
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      timeZone,
      timeZoneName: 'shortOffset',
    }).format(now);
  } catch {
    return '—';
  }
}

/** A compact duration: "2d 3h", "4h 12m", "35m". */
export function duration(ms: number, t: TFunction): string {
  const totalMin = Math.max(0, Math.floor(Math.abs(ms) / 60000));
  const d = Math.floor(totalMin / 1440);
  const h = Math.floor((totalMin % 1440) / 60);
  const m = totalMin % 60;
  if (d > 0) return t('duration.d', { d, h });
  if (h > 0) return t('duration.h', { h, m });
  return t('duration.m', { m });
}

/** Shows an API value of unknown shape (event before/after). */
export function showValue(v: unknown): string {
  if (v === null || v === undefined || v === '') return '—';
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return v.map(showValue).join(', ') || '—';
  if (typeof v === 'object' && 'name' in v && typeof (v as { name: unknown }).name === 'string') return (v as { name: string }).name;
  return JSON.stringify(v);
}

/** The main time zone of a country, for customers whose own zone is unknown. */
const COUNTRY_ZONES: Record<string, string> = {
  US: 'America/New_York', CA: 'America/Toronto', MX: 'America/Mexico_City', BR: 'America/Sao_Paulo',
  AR: 'America/Argentina/Buenos_Aires', CL: 'America/Santiago', CO: 'America/Bogota', PE: 'America/Lima',
  GB: 'Europe/London', IE: 'Europe/Dublin', PT: 'Europe/Lisbon', ES: 'Europe/Madrid', FR: 'Europe/Paris',
  BE: 'Europe/Brussels', NL: 'Europe/Amsterdam', LU: 'Europe/Luxembourg', DE: 'Europe/Berlin', AT: 'Europe/Vienna',
  CH: 'Europe/Zurich', IT: 'Europe/Rome', DK: 'Europe/Copenhagen', NO: 'Europe/Oslo', SE: 'Europe/Stockholm',
  FI: 'Europe/Helsinki', PL: 'Europe/Warsaw', CZ: 'Europe/Prague', SK: 'Europe/Bratislava', HU: 'Europe/Budapest',
  RO: 'Europe/Bucharest', BG: 'Europe/Sofia', GR: 'Europe/Athens', UA: 'Europe/Kyiv', TR: 'Europe/Istanbul',
  RU: 'Europe/Moscow', IL: 'Asia/Jerusalem', SA: 'Asia/Riyadh', AE: 'Asia/Dubai', QA: 'Asia/Qatar', KW: 'Asia/Kuwait',
  EG: 'Africa/Cairo', MA: 'Africa/Casablanca', ZA: 'Africa/Johannesburg', NG: 'Africa/Lagos', IN: 'Asia/Kolkata',
  TH: 'Asia/Bangkok', VN: 'Asia/Ho_Chi_Minh', MY: 'Asia/Kuala_Lumpur', SG: 'Asia/Singapore', ID: 'Asia/Jakarta',
  PH: 'Asia/Manila', CN: 'Asia/Shanghai', HK: 'Asia/Hong_Kong', TW: 'Asia/Taipei', KR: 'Asia/Seoul', JP: 'Asia/Tokyo',
  AU: 'Australia/Sydney', NZ: 'Pacific/Auckland',
};

export function countryTimeZone(country: string | null | undefined): string | null {
  return country ? (COUNTRY_ZONES[country.toUpperCase()] ?? null) : null;
}
