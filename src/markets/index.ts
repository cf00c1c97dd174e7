/**
 * Markets: per-country facts as data (`content/markets/<CC>.yaml`) — consumer rules with
 * their legal source, default business hours, holidays, languages and cultural guidance.
 *
 * The YAML files are written by people (trainers may edit them), so they are validated on
 * load and a mistake fails with the file and the field. Rules here are the statutory
 * minimum: a store may be more generous, never less (`checkStorePolicy`).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { contentDir } from '../core/paths.ts';
import { AppError, notFound } from '../core/errors.ts';
import { calendarForStore, holidaysFor, WEEKDAYS, type BusinessCalendar, type WeeklyHours } from './calendar.ts';

export * from './calendar.ts';

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

export class MarketFileError extends AppError {
  readonly file: string;
  readonly field: string;
  constructor(file: string, field: string, problem: string) {
    super('validation_failed', `${file}: ${field ? `${field} ` : ''}${problem}`, { file, field });
    this.name = 'MarketFileError';
    this.file = file;
    this.field = field;
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

  num(key: string, { nullable = false, min = 0 } = {}): number | null {
    const v = this.data[key];
    if ((v === null || v === undefined) && nullable) return null;
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(key, nullable ? 'must be a number or null' : 'must be a number');
    if (v < min) this.fail(key, `must be at least ${min}`);
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
    if (!/^\d{4}-\d{2}-\d{2}$/.test(v) || Number.isNaN(Date.parse(`${v}T00:00:00Z`))) this.fail(key, `must be a date YYYY-MM-DD (got "${v}")`);
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
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (e) {
    throw new MarketFileError(file, '', `is not valid YAML: ${(e as Error).message}`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new MarketFileError(file, '', 'must be a YAML mapping');
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
    days: w.num('days') ?? 0,
    from: w.oneOf('from', ['delivery', 'contract', 'none'] as const),
    businessDays: w.bool('businessDays', false),
    source: w.str('source'),
    note: w.optStr('note'),
  };
  if ((withdrawal.from === 'none') !== (withdrawal.days === 0)) {
    w.fail('days', 'must be 0 exactly when from is "none" (no statutory right of withdrawal)');
  }
  const g = c.obj('legalGuarantee');
  const legalGuarantee: LegalGuaranteeRule = { months: g.num('months', { nullable: true }), source: g.str('source'), note: g.optStr('note') };
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
    days: f.num('days', { nullable: true }),
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

  const peaks = r.list('peaks').map((p) => {
    const peak: Peak = { id: String(p.data.id ?? '') || p.fail('id', 'must be a non-empty text'), en: p.str('en'), zh: p.str('zh') };
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
// Loading

export const marketsDir = path.join(contentDir, 'markets');

/** Load and validate every `<CC>.yaml` in `dir`. Throws on the first bad file. */
export function loadMarkets(dir: string = marketsDir): Map<string, Market> {
  const out = new Map<string, Market>();
  const files = fs
    .readdirSync(dir)
    .filter((f) => /\.ya?ml$/i.test(f))
    .sort();
  for (const f of files) {
    const file = path.join(dir, f);
    const rel = path.relative(process.cwd(), file) || file;
    const m = parseMarket(fs.readFileSync(file, 'utf8'), rel.startsWith('..') ? file : rel);
    if (out.has(m.code)) throw new MarketFileError(m.file, 'code', `duplicates ${out.get(m.code)?.file}`);
    out.set(m.code, m);
  }
  return out;
}

let cache: Map<string, Market> | null = null;

/** Drop the loaded markets (after a trainer edited a file). */
export function reloadMarkets(): void {
  cache = null;
}

function markets(): Map<string, Market> {
  cache ??= loadMarkets();
  return cache;
}

/** All markets, by code. */
export function listMarkets(): Market[] {
  return [...markets().values()];
}

/** One market by ISO code (case-insensitive); `not_found` when there is no file for it. */
export function getMarket(code: string): Market {
  const m = markets().get(code.trim().toUpperCase());
  if (!m) throw notFound('Market', code);
  return m;
}

function resolve(market: Market | string): Market {
  return typeof market === 'string' ? getMarket(market) : market;
}

/** The market's default business calendar (its zone, hours and holidays). */
export function marketCalendar(market: Market | string, years?: number[]): BusinessCalendar {
  const m = resolve(market);
  return calendarForStore({
    timezone: m.timezone,
    businessHours: m.businessHours,
    holidayCountry: m.holidayCountry,
    extraHolidays: m.extraHolidays.map((h) => h.date),
    years,
  });
}

// ---------------------------------------------------------------------------------------
// Rules

export interface StorePolicy {
  /** Days the store accepts change-of-mind returns (0 = none). */
  returnWindowDays: number;
  /** What the window counts from; default delivery. */
  returnWindowFrom?: 'delivery' | 'order';
  /** The buyer pays return shipping for a change-of-mind return. */
  buyerPaysReturnForChangeOfMind: boolean;
  /** The buyer pays return shipping when the item is faulty, damaged or wrong. Default false. */
  buyerPaysReturnWhenFaulty?: boolean;
  /** Flat restocking fee, percent of the price (0 = none). */
  restockingFeePercent: number;
  /** Days the store takes to refund. */
  refundWithinDays?: number;
  /** Months the store answers for defects (its warranty). */
  warrantyMonths?: number;
}

/**
 * Who pays the return shipping in `market` for `reason`: the law's answer, or
 * 'store_policy' when the law leaves it to the store. Given the store's policy, the answer
 * is resolved: the store may take a cost on itself, never push one the law gives it onto
 * the buyer.
 */
export function whoPaysReturn(market: Market | string, reason: ReturnReason, store?: StorePolicy): Payer {
  const law = resolve(market).consumer.returnShipping[reason];
  if (!store) return law;
  const storeSays: Payer =
    reason === 'change_of_mind'
      ? store.buyerPaysReturnForChangeOfMind
        ? 'buyer'
        : 'seller'
      : store.buyerPaysReturnWhenFaulty
        ? 'buyer'
        : 'seller';
  if (law === 'seller') return 'seller';
  return storeSays;
}

/**
 * Is the statutory right of withdrawal (change of mind) still open `daysSinceDelivery`
 * days after delivery? Day 0 is the delivery day; the last day of the period counts.
 * Before delivery (negative) the right is open where one exists. False where the law gives
 * none (US, CA, AU, AE): the store policy decides there. Business-day periods (MX) are
 * approximated with calendar days ×7/5 — use the market calendar for an exact answer.
 */
export function isWithinWithdrawal(market: Market | string, daysSinceDelivery: number): boolean {
  if (!Number.isFinite(daysSinceDelivery)) throw new AppError('validation_failed', 'daysSinceDelivery must be a number');
  const w = resolve(market).consumer.withdrawal;
  if (w.from === 'none' || w.days <= 0) return false;
  if (daysSinceDelivery < 0) return true;
  const limit = w.businessDays ? Math.floor((w.days * 7) / 5) : w.days;
  return daysSinceDelivery <= limit;
}

export type PolicyField = keyof StorePolicy;

export interface PolicyWarning {
  /** Stable code, e.g. `return_window_too_short`. */
  code:
    | 'return_window_too_short'
    | 'return_window_counts_from_order'
    | 'buyer_pays_faulty_return'
    | 'buyer_pays_change_of_mind_return'
    | 'restocking_fee_not_allowed'
    | 'restocking_fee_limited'
    | 'refund_too_slow'
    | 'warranty_too_short'
    | 'invalid_value';
  field: PolicyField;
  /** The statutory minimum, e.g. 14 (days) — when there is one. */
  required?: number;
  message: Localized;
  source: string;
}

/**
 * Compare a store's policy with the market's law: one warning for each point where the
 * store is LESS generous than the law (more generous is always fine). An empty list means
 * the policy is at least the legal minimum on the points we check.
 */
export function checkStorePolicy(market: Market | string, store: StorePolicy): PolicyWarning[] {
  const m = resolve(market);
  const { withdrawal, returnShipping, refund, restockingFee, legalGuarantee } = m.consumer;
  const out: PolicyWarning[] = [];
  const bad = (field: PolicyField, v: number | undefined, max = Infinity) => {
    if (v !== undefined && (!Number.isFinite(v) || v < 0 || v > max)) {
      out.push({
        code: 'invalid_value',
        field,
        message: { en: `${field} must be a number from 0${max < Infinity ? ` to ${max}` : ''}.`, zh: `${field} 必须是 0${max < Infinity ? `–${max}` : ' 以上'}的数字。` },
        source: 'crossdesk',
      });
      return true;
    }
    return false;
  };
  if (bad('returnWindowDays', store.returnWindowDays) || bad('restockingFeePercent', store.restockingFeePercent, 100)) return out;
  bad('refundWithinDays', store.refundWithinDays);
  bad('warrantyMonths', store.warrantyMonths);

  if (withdrawal.from !== 'none') {
    const unit = withdrawal.businessDays ? { en: 'business days', zh: '个工作日' } : { en: 'days', zh: '天' };
    if (store.returnWindowDays < withdrawal.days) {
      out.push({
        code: 'return_window_too_short',
        field: 'returnWindowDays',
        required: withdrawal.days,
        message: {
          en: `${m.name.en}: consumers may withdraw within ${withdrawal.days} ${unit.en} of delivery; the store allows ${store.returnWindowDays}.`,
          zh: `${m.name.zh}：消费者自收货起 ${withdrawal.days} ${unit.zh}内可无理由撤回，店铺只允许 ${store.returnWindowDays} 天。`,
        },
        source: withdrawal.source,
      });
    } else if (store.returnWindowFrom === 'order' && withdrawal.from === 'delivery') {
      out.push({
        code: 'return_window_counts_from_order',
        field: 'returnWindowFrom',
        required: withdrawal.days,
        message: {
          en: `${m.name.en}: the ${withdrawal.days}-day period runs from delivery, not from the order; a window counted from the order can end too early.`,
          zh: `${m.name.zh}：${withdrawal.days} 天期限自收货起算，而非下单起算；按下单日计算可能提前结束。`,
        },
        source: withdrawal.source,
      });
    }
  }

  if (store.buyerPaysReturnWhenFaulty) {
    const reasons = (['faulty', 'damaged', 'wrong_item'] as const).filter((r) => returnShipping[r] === 'seller');
    if (reasons.length) {
      out.push({
        code: 'buyer_pays_faulty_return',
        field: 'buyerPaysReturnWhenFaulty',
        message: {
          en: `${m.name.en}: the seller pays return shipping for ${reasons.join(', ').replace(/_/g, ' ')} items.`,
          zh: `${m.name.zh}：商品${reasons.map((r) => ({ faulty: '有缺陷', damaged: '破损', wrong_item: '发错' })[r]).join('、')}时，退货运费由卖家承担。`,
        },
        source: returnShipping.source,
      });
    }
  }

  if (store.buyerPaysReturnForChangeOfMind && returnShipping.change_of_mind === 'seller') {
    out.push({
      code: 'buyer_pays_change_of_mind_return',
      field: 'buyerPaysReturnForChangeOfMind',
      message: {
        en: `${m.name.en}: the seller pays return shipping even for a change-of-mind return.`,
        zh: `${m.name.zh}：即使是无理由退货，退货运费也由卖家承担。`,
      },
      source: returnShipping.source,
    });
  }

  if (store.restockingFeePercent > 0) {
    if (restockingFee.allowed === 'never') {
      out.push({
        code: 'restocking_fee_not_allowed',
        field: 'restockingFeePercent',
        required: 0,
        message: {
          en: `${m.name.en}: no restocking fee may be charged on a statutory return.`,
          zh: `${m.name.zh}：法定退货不得收取重新入库费。`,
        },
        source: restockingFee.source,
      });
    } else if (restockingFee.allowed === 'diminished_value_only') {
      out.push({
        code: 'restocking_fee_limited',
        field: 'restockingFeePercent',
        required: 0,
        message: {
          en: `${m.name.en}: no flat restocking fee on a withdrawal; only a deduction for actual loss of value from handling beyond what was needed to check the goods.`,
          zh: `${m.name.zh}：撤回时不得收取固定比例的重新入库费，只能就超出检查所需的使用造成的实际贬值予以扣减。`,
        },
        source: restockingFee.source,
      });
    }
  }

  if (store.refundWithinDays !== undefined && refund.days !== null && store.refundWithinDays > refund.days) {
    const unit = refund.businessDays ? { en: 'business days', zh: '个工作日' } : { en: 'days', zh: '天' };
    const from = {
      withdrawal_notice: { en: 'of the withdrawal notice', zh: '自收到撤回通知起' },
      goods_returned: { en: 'of receiving the goods back', zh: '自收到退货起' },
      store_policy: { en: '', zh: '' },
    }[refund.from];
    out.push({
      code: 'refund_too_slow',
      field: 'refundWithinDays',
      required: refund.days,
      message:
        refund.days === 0
          ? { en: `${m.name.en}: refunds on withdrawal are due immediately; the store takes ${store.refundWithinDays} days.`, zh: `${m.name.zh}：撤回后须立即退款，店铺需要 ${store.refundWithinDays} 天。` }
          : {
              en: `${m.name.en}: refund within ${refund.days} ${unit.en} ${from.en}; the store takes ${store.refundWithinDays}.`,
              zh: `${m.name.zh}：须${from.zh} ${refund.days} ${unit.zh}内退款，店铺需要 ${store.refundWithinDays} 天。`,
            },
      source: refund.source,
    });
  }

  if (store.warrantyMonths !== undefined && legalGuarantee.months !== null && store.warrantyMonths < legalGuarantee.months) {
    out.push({
      code: 'warranty_too_short',
      field: 'warrantyMonths',
      required: legalGuarantee.months,
      message: {
        en: `${m.name.en}: the legal guarantee is ${legalGuarantee.months} months and cannot be shortened; the store states ${store.warrantyMonths}.`,
        zh: `${m.name.zh}：法定保修期为 ${legalGuarantee.months} 个月，不得缩短；店铺写的是 ${store.warrantyMonths} 个月。`,
      },
      source: legalGuarantee.source,
    });
  }
  return out;
}

/** The cultural guide for a market in the UI language. */
export function cultureHint(market: Market | string, uiLanguage: 'en' | 'zh' = 'zh'): CultureGuide & { address: string } {
  const m = resolve(market);
  return { address: m.culture.address, ...m.culture[uiLanguage] };
}

/** Peaks overlapping a date ('YYYY-MM-DD'); undated peaks are not returned. */
export function peaksOn(market: Market | string, date: string): Peak[] {
  return resolve(market).peaks.filter((p) => p.from !== undefined && p.from <= date && date <= (p.to ?? p.from));
}
