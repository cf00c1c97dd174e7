/**
 * Money without float drift: amounts travel as decimal strings ("12.30", exact as the
 * database's numeric gives them) and are computed in integer minor units (cents) with
 * BigInt. Zero-decimal currencies (JPY, KRW…) have no minor unit.
 */
import { validationError } from '../core/errors.ts';

const digitsCache = new Map<string, number>();

/** Decimal places of a currency's minor unit (ISO 4217 via Intl): USD 2, JPY 0. */
export function currencyDigits(currency: string): number {
  const c = currency.toUpperCase();
  let d = digitsCache.get(c);
  if (d === undefined) {
    try {
      d = new Intl.NumberFormat('en', { style: 'currency', currency: c }).resolvedOptions().maximumFractionDigits ?? 2;
    } catch {
      d = 2;
    }
    // the database keeps two decimals at most
    d = Math.min(d, 2);
    digitsCache.set(c, d);
  }
  return d;
}

const DECIMAL = /^(-)?(\d{1,12})(?:\.(\d+))?$/;

/**
 * "12.30" (or a number with at most the currency's decimals) → 1230n. Trailing zeros past
 * the currency's digits are accepted ("1200.00" JPY); other extra decimals are refused.
 */
export function toMinor(amount: string | number, currency: string, field = 'amount'): bigint {
  const text = typeof amount === 'number' ? numberText(amount, field) : amount.trim();
  const m = DECIMAL.exec(text);
  if (!m) throw validationError(`${field} must be a decimal amount like "12.30" (got "${text}")`, { field });
  const digits = currencyDigits(currency);
  const frac = (m[3] ?? '').replace(/0+$/, '');
  if (frac.length > digits) {
    throw validationError(`${field} has more decimals than ${currency.toUpperCase()} allows (${digits})`, { field });
  }
  const minor = BigInt(m[2]) * 10n ** BigInt(digits) + BigInt((frac + '0'.repeat(digits)).slice(0, digits) || '0');
  return m[1] ? -minor : minor;
}

function numberText(n: number, field: string): string {
  if (!Number.isFinite(n)) throw validationError(`${field} must be a finite number`, { field });
  // shortest round-trip text of the number: 12.3 → "12.3", never 12.300000000000001
  const s = String(n);
  if (/e/i.test(s)) throw validationError(`${field} is out of range`, { field });
  return s;
}

/** 1230n → "12.30" (JPY: 1200n → "1200"). */
export function fromMinor(minor: bigint, currency: string): string {
  const digits = currencyDigits(currency);
  const neg = minor < 0n;
  const abs = neg ? -minor : minor;
  if (digits === 0) return `${neg ? '-' : ''}${abs}`;
  const base = 10n ** BigInt(digits);
  const whole = abs / base;
  const frac = (abs % base).toString().padStart(digits, '0');
  return `${neg ? '-' : ''}${whole}.${frac}`;
}

/** Normalise a stored numeric ("1200.00" JPY → "1200", "5" USD → "5.00"). */
export function normalizeAmount(amount: string | number, currency: string): string {
  return fromMinor(toMinor(amount, currency), currency);
}

export const sumMinor = (xs: Iterable<bigint>): bigint => {
  let t = 0n;
  for (const x of xs) t += x;
  return t;
};
