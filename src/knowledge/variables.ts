/**
 * Template variables: `{{customer.first_name}}`, `{{order.number}}`, … and
 * `{{name|fallback}}` for a word to use when the value is unknown (e.g. a greeting).
 *
 * `renderTemplate` never throws and never hides a gap: a variable without a value is left
 * visibly as `[order.number]` and listed in `missing`, so the agent sees what to fill.
 */

export const TEMPLATE_VARIABLES = [
  'customer.first_name',
  'customer.last_name',
  'customer.name',
  'order.number',
  'order.total',
  'tracking.url',
  'tracking.number',
  'carrier',
  'return.label_url',
  'return.rma',
  'return.carrier',
  'return.tracking_number',
  'refund.amount',
  'agent.name',
  'store.name',
] as const;
export type TemplateVariable = (typeof TEMPLATE_VARIABLES)[number];

const KNOWN = new Set<string>(TEMPLATE_VARIABLES);
export const isKnownVariable = (name: string): boolean => KNOWN.has(name);

/** Values by dotted name; null/undefined/blank means unknown. */
export type RenderContext = Partial<Record<string, string | number | null | undefined>>;

export interface Rendered {
  text: string;
  /** Variables without a value (in order of first use, no repeats). */
  missing: string[];
}

/** `{{ name }}` or `{{ name | fallback words }}`. Names: letters, digits, `_` and dots. */
const VAR_RE = /\{\{\s*([A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)\s*(?:\|([^{}]*))?\}\}/g;

export function renderTemplate(body: string, context: RenderContext): Rendered {
  const missing: string[] = [];
  const text = body.replace(VAR_RE, (_m, name: string, fallback: string | undefined) => {
    const v = context[name];
    const s = v === null || v === undefined ? '' : String(v).trim();
    if (s) return s;
    const fb = fallback?.trim();
    if (fb) return fb;
    if (!missing.includes(name)) missing.push(name);
    return `[${name}]`;
  });
  return { text, missing };
}

/** The variable names a template body uses (each once). */
export function variablesIn(body: string): string[] {
  const out: string[] = [];
  for (const m of body.matchAll(VAR_RE)) if (!out.includes(m[1])) out.push(m[1]);
  return out;
}

/** Variables a body uses that this product does not know (a typo in a template). */
export function unknownVariables(body: string): string[] {
  return variablesIn(body).filter((v) => !KNOWN.has(v));
}

/** A body with its variables removed: what the search index reads. */
export function withoutVariables(body: string): string {
  return body.replace(VAR_RE, ' ');
}

// ---------------------------------------------------------------------------------------
// Names

const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
const HANGUL = /\p{Script=Hangul}/u;
/** Chinese two-character family names (the common ones); others take one character. */
const ZH_COMPOUND = new Set(['欧阳', '司马', '诸葛', '上官', '东方', '皇甫', '令狐', '慕容', '司徒', '尉迟', '公孙', '长孙', '宇文', '夏侯', '歐陽', '諸葛', '東方']);
const KO_COMPOUND = new Set(['남궁', '황보', '제갈', '선우', '독고', '사공', '서문']);

export interface NameParts {
  first: string | null;
  last: string | null;
  full: string | null;
}

/**
 * Splits a customer's name into given and family name by culture: family name first for
 * names written in Chinese, Japanese or Korean script ("王小明", "田中 花子", "김민수"), and
 * for romanised CJK names with the family name in capitals ("TANAKA Hanako"); given name
 * first otherwise ("Anna Müller"). A Chinese or Korean name without a space loses its
 * family name (one syllable, or a known two-syllable one); a Japanese one without a space
 * cannot be split reliably and is kept whole as the family name (used with 様).
 */
export function splitName(name: string | null | undefined, language?: string | null): NameParts {
  const full = (name ?? '').replace(/\s+/g, ' ').trim();
  if (!full || full.includes('@')) return { first: null, last: null, full: null };
  const parts = full.split(' ');
  const lang = (language ?? '').slice(0, 2).toLowerCase();
  if (CJK.test(full)) {
    if (parts.length >= 2) return { first: parts.slice(1).join(' '), last: parts[0], full };
    const chars = Array.from(full);
    if (HANGUL.test(full)) {
      if (chars.length < 2) return { first: full, last: null, full };
      const two = chars.slice(0, 2).join('');
      const n = chars.length >= 4 && KO_COMPOUND.has(two) ? 2 : 1;
      return { first: chars.slice(n).join(''), last: chars.slice(0, n).join(''), full };
    }
    if (/[\p{Script=Hiragana}\p{Script=Katakana}]/u.test(full) || lang === 'ja') return { first: null, last: full, full };
    if (chars.length < 2) return { first: full, last: null, full };
    const two = chars.slice(0, 2).join('');
    const n = chars.length >= 3 && ZH_COMPOUND.has(two) ? 2 : 1;
    return { first: chars.slice(n).join(''), last: chars.slice(0, n).join(''), full };
  }
  if (parts.length === 1) return { first: full, last: null, full };
  const capsFirst = ['zh', 'ja', 'ko'].includes(lang) && parts[0].length > 1 && parts[0] === parts[0].toUpperCase() && /\p{Lu}/u.test(parts[0]);
  if (capsFirst) return { first: parts.slice(1).join(' '), last: parts[0], full };
  return { first: parts[0], last: parts.slice(1).join(' '), full };
}

// ---------------------------------------------------------------------------------------
// Money

/** A locale for number formats from a language and a market ("de" + "AT" -> "de-AT"). */
export function localeFor(language: string | null | undefined, market?: string | null): string {
  const lang = (language ?? 'en').slice(0, 2).toLowerCase();
  const m = (market ?? '').toUpperCase();
  const candidates = m ? [`${lang}-${m}`, lang] : [lang];
  for (const c of candidates) {
    try {
      if (Intl.NumberFormat.supportedLocalesOf([c]).length) return c;
    } catch {
      // not a valid tag: try the next
    }
  }
  return 'en';
}

/** "49,90 €" for de-DE, "€49.90" for en-IE, "¥5,000" for ja-JP. */
export function formatMoney(amount: number | string, currency: string, locale: string): string {
  const n = typeof amount === 'number' ? amount : Number(amount);
  if (!Number.isFinite(n)) return String(amount);
  try {
    return new Intl.NumberFormat(locale, { style: 'currency', currency: currency.toUpperCase() }).format(n);
  } catch {
    return `${n.toFixed(2)} ${currency.toUpperCase()}`;
  }
}

/** Languages written right to left. */
export function textDirection(language: string): 'rtl' | 'ltr' {
  return ['ar', 'he', 'fa', 'ur'].includes(language.slice(0, 2)) ? 'rtl' : 'ltr';
}
