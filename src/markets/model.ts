/**
 * Market data: the types, the one validator (`validateMarket`, used for the YAML files and
 * for trainers' edits alike) and the loader of `content/markets/<CC>.yaml`.
 */
import path from 'node:path';
import { contentDir } from '../core/paths.ts';
import { ContentFileError, parseYamlMapping, readYamlFiles } from '../core/content-file.ts';
import { holidaysFor, WEEKDAYS, type WeeklyHours } from './calendar.ts';

// ---------------------------------------------------------------------------------------
// Types

export type Payer = 'seller' | 'buyer' | 'store_policy';
export type ReturnReason = 'faulty' | 'damaged' | 'wrong_item' | 'change_of_mind';
export const RETURN_REASONS: readonly ReturnReason[] = ['faulty', 'damaged', 'wrong_item', 'change_of_mind'];
export type WithdrawalStart = 'delivery' | 'contract' | 'none';
export type RefundStart = 'withdrawal_notice' | 'goods_returned' | 'store_policy';
export type RestockingFeeRule = 'never' | 'diminished_value_only' | 'if_disclosed' | 'store_policy';

export interface Localized {
  en: string;
  zh: string;
}

export interface SourcedRule {
  /** The law (act, article) this rule comes from, or "Store policy". */
  source: string;
  /** Caveats, simplifications, or an explicit statement of uncertainty. */
  note?: string;
}

export interface WithdrawalRule extends SourcedRule {
  /** Days of the statutory change-of-mind right; 0 with `from: none` when there is none. */
  days: number;
  from: WithdrawalStart;
  /** Counted in business days (MX) rather than calendar days. */
  businessDays: boolean;
}

export interface LegalGuaranteeRule extends SourcedRule {
  /** Minimum months the seller answers for defects; null when the law sets no fixed period. */
  months: number | null;
}

export interface ReturnShippingRule extends SourcedRule {
  faulty: Payer;
  damaged: Payer;
  wrong_item: Payer;
  change_of_mind: Payer;
}

export interface RefundRule extends SourcedRule {
  /** Days to refund; 0 = immediately; null = no statutory deadline. */
  days: number | null;
  from: RefundStart;
  businessDays: boolean;
}

export interface RestockingFee extends SourcedRule {
  allowed: RestockingFeeRule;
}

export interface ConsumerRules {
  withdrawal: WithdrawalRule;
  legalGuarantee: LegalGuaranteeRule;
  returnShipping: ReturnShippingRule;
  refund: RefundRule;
  restockingFee: RestockingFee;
}

export interface CultureGuide {
  directness: string;
  formality: string;
  apology: string;
  greeting: string;
  signOff: string;
  tips: string[];
}

export interface Culture {
  /** The form of address in a word: "Sie", "vous", "です・ます / 敬語", "존댓말"… */
  address: string;
  en: CultureGuide;
  zh: CultureGuide;
}

export interface ExtraHoliday {
  date: string;
  name: Localized;
  source: string;
}

export interface Peak extends Localized {
  id: string;
  from?: string;
  to?: string;
  note?: string;
}

export interface Market {
  /** ISO 3166-1 alpha-2. */
  code: string;
  name: Localized;
  /** `buyer` markets are where customers are; `seller` is the team's own side (CN). */
  role: 'buyer' | 'seller';
  currency: string;
  /** ISO 639-1, main first. */
  languages: string[];
  /** The main IANA zone. */
  timezone: string;
  timezones: string[];
  /** Default support hours ('0' = Monday … '6' = Sunday) in `timezone`. */
  businessHours: WeeklyHours;
  /** date-holidays code ("DE", "GB-ENG"). */
  holidayCountry: string;
  holidayNote?: string;
  extraHolidays: ExtraHoliday[];
  consumer: ConsumerRules;
  culture: Culture;
  peaks: Peak[];
  /** The file it was loaded from. */
  file: string;
}


// ---------------------------------------------------------------------------------------
// Validation

export class MarketFileError extends ContentFileError {
  constructor(file: string, field: string, problem: string) {
    super(file, field, problem);
    this.name = 'MarketFileError';
  }
}

type Obj = Record<string, unknown>;

class Reader {
  constructor(
    readonly file: string,
    readonly data: Obj,
    readonly prefix = '',
  ) {}

  private at(key: string): string {
    return this.prefix ? `${this.prefix}.${key}` : key;
  }

  fail(key: string, problem: string): never {
    throw new MarketFileError(this.file, this.at(key), problem);
  }

  has(key: string): boolean {
    return this.data[key] !== undefined && this.data[key] !== null;
  }

  obj(key: string): Reader {
    const v = this.data[key];
    if (typeof v !== 'object' || v === null || Array.isArray(v)) this.fail(key, 'must be a mapping');
    return new Reader(this.file, v as Obj, this.at(key));
  }

  str(key: string): string {
    const v = this.data[key];
    if (typeof v !== 'string' || v.trim() === '') this.fail(key, 'must be a non-empty text');
    return v;
  }

  optStr(key: string): string | undefined {
    return this.has(key) ? this.str(key) : undefined;
  }

  num(key: string, { nullable = false, min = 0, max = Infinity, integer = false } = {}): number | null {
    const v = this.data[key];
    if ((v === null || v === undefined) && nullable) return null;
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(key, nullable ? 'must be a number or null' : 'must be a number');
    if (integer && !Number.isInteger(v)) this.fail(key, 'must be a whole number');
    if (v < min) this.fail(key, `must be at least ${min}`);
    if (v > max) this.fail(key, `must be at most ${max}`);
    return v;
  }

  bool(key: string, fallback: boolean): boolean {
    const v = this.data[key];
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'boolean') this.fail(key, 'must be true or false');
    return v;
  }

  oneOf<T extends string>(key: string, values: readonly T[]): T {
    const v = this.data[key];
    if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) {
      this.fail(key, `must be one of ${values.join(', ')} (got ${JSON.stringify(v)})`);
    }
    return v as T;
  }

  strList(key: string, { optional = false } = {}): string[] {
    const v = this.data[key];
    if ((v === undefined || v === null) && optional) return [];
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string' || x.trim() === '')) this.fail(key, 'must be a list of texts');
    return v as string[];
  }

  list(key: string): Reader[] {
    const v = this.data[key];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) this.fail(key, 'must be a list');
    return v.map((item, i) => {
      if (typeof item !== 'object' || item === null || Array.isArray(item)) this.fail(`${key}[${i}]`, 'must be a mapping');
      return new Reader(this.file, item as Obj, this.at(`${key}[${i}]`));
    });
  }

  localized(key: string): Localized {
    const r = this.obj(key);
    return { en: r.str('en'), zh: r.str('zh') };
  }

  date(key: string): string {
    const v = this.str(key);
    const ms = Date.parse(`${v}T00:00:00Z`);
    // Date.parse takes 2026-02-30 (as 2 March): the day must come back as written
    if (!/^\d{4}-\d{2}-\d{2}$/.test(v) || Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== v) this.fail(key, `must be a date YYYY-MM-DD (got "${v}")`);
    return v;
  }
}

const DAY_KEYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const PAYERS: readonly Payer[] = ['seller', 'buyer', 'store_policy'];
const TIME = /^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/;

function readHours(r: Reader): WeeklyHours {
  const hours = {} as WeeklyHours;
  for (const k of Object.keys(r.data)) {
    if (!(DAY_KEYS as readonly string[]).includes(k)) r.fail(k, `is not a day (use ${DAY_KEYS.join(', ')})`);
  }
  DAY_KEYS.forEach((k, i) => {
    const v = r.data[k];
    const list = v === undefined || v === null ? [] : v;
    if (!Array.isArray(list)) r.fail(k, 'must be a list of ["HH:MM", "HH:MM"]');
    hours[WEEKDAYS[i]] = list.map((pair: unknown, j: number) => {
      if (!Array.isArray(pair) || pair.length !== 2 || !pair.every((t) => typeof t === 'string' && TIME.test(t))) {
        r.fail(`${k}[${j}]`, 'must be ["HH:MM", "HH:MM"] (quote the times)');
      }
      return [pair[0] as string, pair[1] as string];
    });
  });
  return hours;
}

function readGuide(r: Reader): CultureGuide {
  return {
    directness: r.str('directness'),
    formality: r.str('formality'),
    apology: r.str('apology'),
    greeting: r.str('greeting'),
    signOff: r.str('signOff'),
    tips: r.strList('tips', { optional: true }),
  };
}

/** Parse and validate one market file's text. `file` names it in errors. */
export function parseMarket(text: string, file: string): Market {
  return validateMarket(parseYamlMapping(text, file, (f, field, problem) => new MarketFileError(f, field, problem)), file);
}

/**
 * Validate a market given as data in the file's shape (`MarketInput`: what YAML gives, or
 * a market with a trainer's edits merged in) and return it typed. The one validator of
 * market rules: files and edits through the API go through it alike. Throws
 * MarketFileError naming `file` and the field.
 */
export function validateMarket(data: unknown, file: string): Market {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new MarketFileError(file, '', 'must be a mapping');
  const r = new Reader(file, data as Obj);

  const code = r.str('code');
  if (!/^[A-Z]{2}$/.test(code)) r.fail('code', `must be an ISO 3166 alpha-2 code in capitals (got "${code}")`);
  const base = path.basename(file).replace(/\.ya?ml$/i, '');
  if (/^[A-Z]{2}$/i.test(base) && base.toUpperCase() !== code) r.fail('code', `is ${code} but the file is named ${path.basename(file)}`);

  const languages = r.strList('languages');
  for (const l of languages) if (!/^[a-z]{2}$/.test(l)) r.fail('languages', `"${l}" is not an ISO 639-1 code`);
  const currency = r.str('currency');
  if (!/^[A-Z]{3}$/.test(currency)) r.fail('currency', `must be an ISO 4217 code (got "${currency}")`);

  const timezone = r.str('timezone');
  const timezones = r.strList('timezones', { optional: true });
  for (const [i, z] of [timezone, ...timezones].entries()) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: z });
    } catch {
      r.fail(i === 0 ? 'timezone' : 'timezones', `"${z}" is not an IANA time zone`);
    }
  }
  const businessHours = readHours(r.obj('businessHours'));

  const holidayCountry = r.str('holidayCountry');
  const extraHolidays = r.list('extraHolidays').map((h) => ({ date: h.date('date'), name: h.localized('name'), source: h.str('source') }));
  try {
    holidaysFor(holidayCountry, [2026]);
  } catch (e) {
    r.fail('holidayCountry', (e as Error).message);
  }

  const c = r.obj('consumer');
  const w = c.obj('withdrawal');
  const withdrawal: WithdrawalRule = {
    days: w.num('days', { integer: true, max: 3650 }) ?? 0,
    from: w.oneOf('from', ['delivery', 'contract', 'none'] as const),
    businessDays: w.bool('businessDays', false),
    source: w.str('source'),
    note: w.optStr('note'),
  };
  if ((withdrawal.from === 'none') !== (withdrawal.days === 0)) {
    w.fail('days', 'must be 0 exactly when from is "none" (no statutory right of withdrawal)');
  }
  const g = c.obj('legalGuarantee');
  const legalGuarantee: LegalGuaranteeRule = { months: g.num('months', { nullable: true, integer: true, max: 1200 }), source: g.str('source'), note: g.optStr('note') };
  const s = c.obj('returnShipping');
  const returnShipping: ReturnShippingRule = {
    faulty: s.oneOf('faulty', PAYERS),
    damaged: s.oneOf('damaged', PAYERS),
    wrong_item: s.oneOf('wrong_item', PAYERS),
    change_of_mind: s.oneOf('change_of_mind', PAYERS),
    source: s.str('source'),
    note: s.optStr('note'),
  };
  const f = c.obj('refund');
  const refund: RefundRule = {
    days: f.num('days', { nullable: true, integer: true, max: 3650 }),
    from: f.oneOf('from', ['withdrawal_notice', 'goods_returned', 'store_policy'] as const),
    businessDays: f.bool('businessDays', false),
    source: f.str('source'),
    note: f.optStr('note'),
  };
  const fee = c.obj('restockingFee');
  const restockingFee: RestockingFee = {
    allowed: fee.oneOf('allowed', ['never', 'diminished_value_only', 'if_disclosed', 'store_policy'] as const),
    source: fee.str('source'),
    note: fee.optStr('note'),
  };

  const cu = r.obj('culture');
  const culture: Culture = { address: cu.str('address'), en: readGuide(cu.obj('en')), zh: readGuide(cu.obj('zh')) };

  // the id names a peak (the edit form keys its rows by it): one id, one peak; spaces around it do not count
  const peakIds = new Map<string, number>();
  const peaks = r.list('peaks').map((p, i) => {
    const rawId = String(p.data.id ?? '');
    const id = rawId.trim();
    if (!id) p.fail('id', 'must be a non-empty text');
    const peak: Peak = { id: rawId, en: p.str('en'), zh: p.str('zh') };
    const first = peakIds.get(id);
    if (first !== undefined) p.fail('id', `"${id}" is already the id of peaks[${first}]: each peak needs its own id`);
    peakIds.set(id, i);
    if (p.has('from')) peak.from = p.date('from');
    if (p.has('to')) peak.to = p.date('to');
    if (peak.from && peak.to && peak.to < peak.from) p.fail('to', 'is before from');
    const note = p.optStr('note');
    if (note) peak.note = note;
    return peak;
  });

  const role = r.has('role') ? r.oneOf('role', ['buyer', 'seller'] as const) : 'buyer';

  return {
    code,
    name: r.localized('name'),
    role,
    currency,
    languages,
    timezone,
    timezones: timezones.length ? timezones : [timezone],
    businessHours,
    holidayCountry,
    holidayNote: r.optStr('holidayNote'),
    extraHolidays,
    consumer: { withdrawal, legalGuarantee, returnShipping, refund, restockingFee },
    culture,
    peaks,
    file,
  };
}


// ---------------------------------------------------------------------------------------
// Back to the file's shape

/** A market in the shape of its YAML file (what `validateMarket` reads). */
export type MarketInput = Record<string, unknown>;

/** Drops keys whose value is undefined (so JSON comparisons see the same keys). */
function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** Weekly hours as the files write them: `mon`…`sun` → [["HH:MM","HH:MM"]]. */
export function hoursToInput(hours: WeeklyHours): Record<string, Array<[string, string]>> {
  return Object.fromEntries(DAY_KEYS.map((k, i) => [k, (hours[WEEKDAYS[i]] ?? []).map(([a, b]) => [a, b] as [string, string])]));
}

function guideToInput(g: CultureGuide): CultureGuide {
  return { directness: g.directness, formality: g.formality, apology: g.apology, greeting: g.greeting, signOff: g.signOff, tips: [...g.tips] };
}

/**
 * The market back in its file's shape, with a fixed key order: `validateMarket(marketToInput(m), m.file)`
 * gives `m` again. Edits are merged into this shape and validated as a whole.
 */
export function marketToInput(m: Market): MarketInput {
  const c = m.consumer;
  return defined({
    code: m.code,
    name: { en: m.name.en, zh: m.name.zh },
    role: m.role,
    currency: m.currency,
    languages: [...m.languages],
    timezone: m.timezone,
    timezones: [...m.timezones],
    businessHours: hoursToInput(m.businessHours),
    holidayCountry: m.holidayCountry,
    holidayNote: m.holidayNote,
    extraHolidays: m.extraHolidays.map((h) => ({ date: h.date, name: { en: h.name.en, zh: h.name.zh }, source: h.source })),
    consumer: {
      withdrawal: defined({ days: c.withdrawal.days, from: c.withdrawal.from, businessDays: c.withdrawal.businessDays, source: c.withdrawal.source, note: c.withdrawal.note }),
      legalGuarantee: defined({ months: c.legalGuarantee.months, source: c.legalGuarantee.source, note: c.legalGuarantee.note }),
      returnShipping: defined({
        faulty: c.returnShipping.faulty,
        damaged: c.returnShipping.damaged,
        wrong_item: c.returnShipping.wrong_item,
        change_of_mind: c.returnShipping.change_of_mind,
        source: c.returnShipping.source,
        note: c.returnShipping.note,
      }),
      refund: defined({ days: c.refund.days, from: c.refund.from, businessDays: c.refund.businessDays, source: c.refund.source, note: c.refund.note }),
      restockingFee: defined({ allowed: c.restockingFee.allowed, source: c.restockingFee.source, note: c.restockingFee.note }),
    },
    culture: { address: m.culture.address, en: guideToInput(m.culture.en), zh: guideToInput(m.culture.zh) },
    peaks: m.peaks.map((p) => defined({ id: p.id, en: p.en, zh: p.zh, from: p.from, to: p.to, note: p.note })),
  });
}

// ---------------------------------------------------------------------------------------
// Loading

export const marketsDir = path.join(contentDir, 'markets');

/** Load and validate every `<CC>.yaml` in `dir`. Throws on the first bad file. */
export function loadMarkets(dir: string = marketsDir): Map<string, Market> {
  const out = new Map<string, Market>();
  for (const f of readYamlFiles(dir)) {
    const m = parseMarket(f.text, f.name);
    if (out.has(m.code)) throw new MarketFileError(m.file, 'code', `duplicates ${out.get(m.code)?.file}`);
    out.set(m.code, m);
  }
  return out;
}
