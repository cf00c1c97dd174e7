/**
 * Playbooks (SOP checklists) as data: one `content/playbooks/<category>.yaml` per ticket
 * category, ordered steps, some required, with market overrides (EU, GULF or a country
 * code) and triggers that tick a step by themselves.
 *
 * This file is pure: it loads and validates the files, resolves the checklist for a
 * (category, market) and evaluates it against a ticket's trail (agent replies, order
 * actions, customer attachments, status changes) and the ticks stored by hand. The
 * database side is in playbook-store.ts. Nothing is written when a ticket is created: the
 * checklist is computed when it is read, so ticket creation costs nothing more.
 */
import path from 'node:path';
import { AppError } from '../core/errors.ts';
import { ContentFileError, parseYamlMapping, readYamlFiles } from '../core/content-file.ts';
import { contentDir } from '../core/paths.ts';
import type { OrderActionType, TicketStatus } from '../db/types.ts';
import { getMarket, type Localized, type Market, type Payer, type ReturnReason, RETURN_REASONS, type StorePolicy, whoPaysReturn } from '../markets/index.ts';
import { ActIndex, prepareText, type Act } from '../quality/lexicon.ts';
import { detectLanguage } from '../quality/language.ts';
import { CATEGORIES } from '../text/corpus.ts';
import { STATUSES } from './status.ts';

// ---------------------------------------------------------------------------------------
// Types

export const REPLY_MATCHES = [
  'greeting',
  'apology',
  'empathy',
  'thanks',
  'closing',
  'asks_photo',
  'asks_order_number',
  'asks_address',
  'offers_refund',
  'offers_replacement',
  'offers_exchange',
  'offers_return_label',
  'offers_discount',
  'tracking_update',
  'investigates',
  'commits_date',
  'explains_return_terms',
  'cancels',
  'address_update',
] as const;
export type ReplyMatch = (typeof REPLY_MATCHES)[number];

export const ORDER_ACTIONS: readonly OrderActionType[] = ['return', 'exchange', 'refund', 'reship', 'claim', 'cancel', 'address', 'return_status'];
export const LAW_NOTES = ['return_shipping', 'withdrawal', 'legal_guarantee', 'refund_deadline'] as const;
export type LawNote = (typeof LAW_NOTES)[number];

export type PlaybookTrigger =
  | { event: 'order_action'; actions: OrderActionType[]; status?: string }
  | { event: 'agent_reply'; matches: ReplyMatch[]; firstReply: boolean }
  | { event: 'customer_attachment' }
  | { event: 'order_linked' }
  | { event: 'status'; to: TicketStatus[] };
export type TriggerEvent = PlaybookTrigger['event'];
const TRIGGER_EVENTS: readonly TriggerEvent[] = ['order_action', 'agent_reply', 'customer_attachment', 'order_linked', 'status'];

export interface PlaybookStep {
  id: string;
  title: Localized;
  required: boolean;
  note?: Localized;
  law?: LawNote;
  auto: PlaybookTrigger[];
}

export interface MarketOverride {
  steps: Record<string, Partial<Omit<PlaybookStep, 'id'>>>;
  add: Array<PlaybookStep & { after?: string }>;
  remove: string[];
}

export interface Playbook {
  category: string;
  title: Localized;
  returnReason?: ReturnReason;
  steps: PlaybookStep[];
  /** Keyed by market code or group (EU, GULF). */
  markets: Record<string, MarketOverride>;
  file: string;
}

/** Market groups an override can name instead of one country. */
export const MARKET_GROUPS: Record<string, readonly string[]> = {
  EU: ['AT', 'BE', 'BG', 'HR', 'CY', 'CZ', 'DK', 'EE', 'FI', 'FR', 'DE', 'GR', 'HU', 'IE', 'IT', 'LV', 'LT', 'LU', 'MT', 'NL', 'PL', 'PT', 'RO', 'SK', 'SI', 'ES', 'SE'],
  GULF: ['AE', 'SA', 'BH', 'KW', 'OM', 'QA'],
};

// ---------------------------------------------------------------------------------------
// Validation

export class PlaybookFileError extends ContentFileError {
  constructor(file: string, field: string, problem: string) {
    super(file, field, problem);
    this.name = 'PlaybookFileError';
  }
}

type Obj = Record<string, unknown>;
const ID = /^[a-z][a-z0-9_]{0,49}$/;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

class Reader {
  constructor(
    readonly file: string,
    readonly data: Obj,
    readonly prefix = '',
  ) {}

  at(key: string): string {
    return this.prefix ? `${this.prefix}.${key}` : key;
  }

  fail(key: string, problem: string): never {
    throw new PlaybookFileError(this.file, this.at(key), problem);
  }

  only(keys: readonly string[]): void {
    for (const k of Object.keys(this.data)) {
      if (!keys.includes(k)) this.fail(k, `is not a known field (expected one of ${keys.join(', ')})`);
    }
  }

  has(key: string): boolean {
    return this.data[key] !== undefined && this.data[key] !== null;
  }

  obj(key: string): Reader {
    const v = this.data[key];
    if (!isObj(v)) this.fail(key, 'must be a mapping');
    return new Reader(this.file, v, this.at(key));
  }

  str(key: string): string {
    const v = this.data[key];
    if (typeof v !== 'string' || v.trim() === '') this.fail(key, 'must be a non-empty text');
    return v.trim();
  }

  bool(key: string, fallback: boolean): boolean {
    const v = this.data[key];
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'boolean') this.fail(key, 'must be true or false');
    return v;
  }

  /** One value or a list of them, each from `values`. */
  oneOrMany<T extends string>(key: string, values: readonly T[]): T[] {
    const v = this.data[key];
    const list = Array.isArray(v) ? v : [v];
    if (!list.length) this.fail(key, `must name at least one of ${values.join(', ')}`);
    list.forEach((x, i) => {
      if (typeof x !== 'string' || !(values as readonly string[]).includes(x)) {
        this.fail(Array.isArray(v) ? `${key}[${i}]` : key, `must be one of ${values.join(', ')} (got ${JSON.stringify(x)})`);
      }
    });
    return [...new Set(list as T[])];
  }

  localized(key: string): Localized {
    const r = this.obj(key);
    r.only(['en', 'zh']);
    return { en: r.str('en'), zh: r.str('zh') };
  }
}

function readTrigger(r: Reader): PlaybookTrigger {
  const event = r.data.event;
  if (typeof event !== 'string' || !(TRIGGER_EVENTS as readonly string[]).includes(event)) {
    r.fail('event', `must be one of ${TRIGGER_EVENTS.join(', ')} (got ${JSON.stringify(event)})`);
  }
  switch (event as TriggerEvent) {
    case 'order_action': {
      r.only(['event', 'action', 'status']);
      const status = r.has('status') ? r.str('status') : undefined;
      return { event: 'order_action', actions: r.oneOrMany('action', ORDER_ACTIONS), ...(status ? { status } : {}) };
    }
    case 'agent_reply':
      r.only(['event', 'matches', 'firstReply']);
      // no `matches`: any public agent reply ticks it
      return { event: 'agent_reply', matches: r.has('matches') ? r.oneOrMany('matches', REPLY_MATCHES) : [], firstReply: r.bool('firstReply', false) };
    case 'customer_attachment':
      r.only(['event']);
      return { event: 'customer_attachment' };
    case 'order_linked':
      r.only(['event']);
      return { event: 'order_linked' };
    case 'status':
      r.only(['event', 'to']);
      return { event: 'status', to: r.oneOrMany('to', STATUSES) };
    default:
      return r.fail('event', 'is not a known trigger');
  }
}

function readTriggers(r: Reader, key: string): PlaybookTrigger[] {
  const v = r.data[key];
  if (v === undefined || v === null) return [];
  const list = Array.isArray(v) ? v : [v];
  return list.map((item, i) => {
    const field = Array.isArray(v) ? `${key}[${i}]` : key;
    if (!isObj(item)) r.fail(field, 'must be a trigger mapping like {event: order_action, action: return}');
    return readTrigger(new Reader(r.file, item, r.at(field)));
  });
}

const STEP_FIELDS = ['id', 'title', 'required', 'note', 'law', 'auto'] as const;

function readStep(r: Reader): PlaybookStep {
  r.only(STEP_FIELDS);
  const id = r.str('id');
  if (!ID.test(id)) r.fail('id', `"${id}" must be lower-case letters, digits and _ (starting with a letter)`);
  const step: PlaybookStep = { id, title: r.localized('title'), required: r.bool('required', false), auto: readTriggers(r, 'auto') };
  if (r.has('note')) step.note = r.localized('note');
  if (r.has('law')) step.law = r.oneOrMany('law', LAW_NOTES)[0];
  return step;
}

function readPatch(r: Reader): Partial<Omit<PlaybookStep, 'id'>> {
  r.only(['title', 'required', 'note', 'law', 'auto']);
  const out: Partial<Omit<PlaybookStep, 'id'>> = {};
  if (r.has('title')) out.title = r.localized('title');
  if (r.has('required')) out.required = r.bool('required', false);
  if (r.has('note')) out.note = r.localized('note');
  if (r.has('law')) out.law = r.oneOrMany('law', LAW_NOTES)[0];
  if (r.has('auto')) out.auto = readTriggers(r, 'auto');
  return out;
}

/** Parse and validate one playbook file's text. `file` names it in errors. */
export function parsePlaybook(text: string, file: string): Playbook {
  const data = parseYamlMapping(text, file, (f, field, problem) => new PlaybookFileError(f, field, problem));
  const r: Reader = new Reader(file, data);
  r.only(['category', 'title', 'returnReason', 'steps', 'markets']);

  const category = r.str('category');
  if (!(CATEGORIES as readonly string[]).includes(category)) r.fail('category', `must be one of ${CATEGORIES.join(', ')} (got "${category}")`);
  const base = path.basename(file).replace(/\.ya?ml$/i, '');
  if (base !== category) r.fail('category', `is ${category} but the file is named ${path.basename(file)}`);
  const title = r.localized('title');
  const returnReason = r.has('returnReason') ? r.oneOrMany('returnReason', RETURN_REASONS)[0] : undefined;

  const rawSteps = r.data.steps;
  if (!Array.isArray(rawSteps) || rawSteps.length === 0) r.fail('steps', 'must be a non-empty list of steps');
  const steps = rawSteps.map((s, i) => {
    if (!isObj(s)) r.fail(`steps[${i}]`, 'must be a mapping');
    return readStep(new Reader(file, s, r.at(`steps[${i}]`)));
  });
  const ids = new Set<string>();
  steps.forEach((s, i) => {
    if (ids.has(s.id)) r.fail(`steps[${i}].id`, `"${s.id}" is used twice`);
    ids.add(s.id);
  });

  const markets: Record<string, MarketOverride> = {};
  if (r.has('markets')) {
    const m: Reader = r.obj('markets');
    for (const key of Object.keys(m.data)) {
      if (!MARKET_GROUPS[key] && !/^[A-Z]{2}$/.test(key)) m.fail(key, `must be a market code like DE or a group (${Object.keys(MARKET_GROUPS).join(', ')})`);
      const o: Reader = m.obj(key);
      o.only(['steps', 'add', 'remove']);
      const override: MarketOverride = { steps: {}, add: [], remove: [] };
      if (o.has('steps')) {
        const ps = o.obj('steps');
        for (const id of Object.keys(ps.data)) {
          if (!ids.has(id)) ps.fail(id, `is not a step of this playbook (steps: ${[...ids].join(', ')})`);
          override.steps[id] = readPatch(ps.obj(id));
        }
      }
      const added = new Set<string>();
      if (o.has('add')) {
        const list = o.data.add;
        if (!Array.isArray(list)) o.fail('add', 'must be a list of steps');
        list.forEach((s, i) => {
          const sr = new Reader(file, isObj(s) ? s : o.fail(`add[${i}]`, 'must be a mapping'), o.at(`add[${i}]`));
          const after = sr.has('after') ? sr.str('after') : undefined;
          const { after: _after, ...rest } = sr.data;
          const step = readStep(new Reader(file, rest, sr.prefix));
          if (ids.has(step.id) || added.has(step.id)) sr.fail('id', `"${step.id}" already exists in this playbook`);
          if (after !== undefined && !ids.has(after) && !added.has(after)) sr.fail('after', `"${after}" is not a step of this playbook`);
          added.add(step.id);
          override.add.push({ ...step, ...(after ? { after } : {}) });
        });
      }
      if (o.has('remove')) {
        const list = o.data.remove;
        if (!Array.isArray(list)) o.fail('remove', 'must be a list of step ids');
        list.forEach((id, i) => {
          if (typeof id !== 'string' || !ids.has(id)) o.fail(`remove[${i}]`, `${JSON.stringify(id)} is not a step of this playbook`);
          override.remove.push(id);
        });
      }
      markets[key] = override;
    }
  }
  return { category, title, ...(returnReason ? { returnReason } : {}), steps, markets, file };
}

// ---------------------------------------------------------------------------------------
// Loading

export const playbooksDir = path.join(contentDir, 'playbooks');

/** Load and validate every `<category>.yaml` in `dir`; every category must have one. */
export function loadPlaybooks(dir: string = playbooksDir): Map<string, Playbook> {
  const out = new Map<string, Playbook>();
  for (const f of readYamlFiles(dir)) {
    const p = parsePlaybook(f.text, f.name);
    if (out.has(p.category)) throw new PlaybookFileError(p.file, 'category', `duplicates ${out.get(p.category)?.file}`);
    out.set(p.category, p);
  }
  const missing = CATEGORIES.filter((c) => !out.has(c));
  if (missing.length) throw new PlaybookFileError(dir, '', `has no playbook for ${missing.join(', ')} (one <category>.yaml per category)`);
  return out;
}

let cache: Map<string, Playbook> | null = null;
const resolvedCache = new Map<string, ResolvedPlaybook>();

/** Drop the loaded playbooks (after a trainer edited a file). */
export function reloadPlaybooks(): void {
  cache = null;
  resolvedCache.clear();
}

export function playbooks(): Map<string, Playbook> {
  cache ??= loadPlaybooks();
  return cache;
}

// ---------------------------------------------------------------------------------------
// Resolving for a market

export interface ResolvedStep extends PlaybookStep {
  /** Where the step's note came from, for the curious: 'playbook', a market or group key. */
  noteFrom?: string;
}

export interface ResolvedPlaybook {
  category: string;
  market: string | null;
  title: Localized;
  returnReason?: ReturnReason;
  steps: ResolvedStep[];
}

/** Override keys that apply to a market, groups first, then its own code. */
export function overrideKeysFor(market: string | null): string[] {
  if (!market) return [];
  const m = market.toUpperCase();
  return [...Object.keys(MARKET_GROUPS).filter((g) => MARKET_GROUPS[g].includes(m)), m];
}

/** The checklist of a category for a market (an unknown category gets `other`'s). */
export function resolvePlaybook(category: string, market: string | null): ResolvedPlaybook {
  const key = `${category}|${market ?? ''}`;
  const hit = resolvedCache.get(key);
  if (hit) return hit;
  const all = playbooks();
  const pb = all.get(category) ?? all.get('other');
  if (!pb) throw new AppError('internal', 'no playbook for "other"');
  let steps: ResolvedStep[] = pb.steps.map((s) => ({ ...s, ...(s.note ? { noteFrom: 'playbook' } : {}) }));
  for (const k of overrideKeysFor(market)) {
    const o = pb.markets[k];
    if (!o) continue;
    steps = steps.filter((s) => !o.remove.includes(s.id));
    steps = steps.map((s) => {
      const p = o.steps[s.id];
      return p ? { ...s, ...p, ...(p.note ? { noteFrom: k } : {}) } : s;
    });
    for (const a of o.add) {
      const { after, ...step } = a;
      const at = after ? steps.findIndex((s) => s.id === after) : -1;
      const added: ResolvedStep = { ...step, ...(step.note ? { noteFrom: k } : {}) };
      if (at >= 0) steps.splice(at + 1, 0, added);
      else steps.push(added);
    }
  }
  const out: ResolvedPlaybook = { category: pb.category, market: market ? market.toUpperCase() : null, title: pb.title, ...(pb.returnReason ? { returnReason: pb.returnReason } : {}), steps };
  resolvedCache.set(key, out);
  return out;
}

function marketOrNull(code: string | null): Market | null {
  if (!code) return null;
  try {
    return getMarket(code);
  } catch {
    return null;
  }
}

const PAYER_TEXT: Record<Payer, Localized> = {
  seller: { en: 'the seller pays', zh: '由卖家承担' },
  buyer: { en: 'the customer pays', zh: '由客户承担' },
  store_policy: { en: 'the store policy decides', zh: '由店铺政策决定' },
};

export interface LawFact {
  kind: LawNote;
  text: Localized;
  source: string;
  /** For return_shipping: who pays, after the store policy where the law leaves it open. */
  payer?: Payer;
}

/**
 * The market's rule a step points at, as a sentence with its source. `store` resolves
 * who pays where the law leaves it to the store (never against the law).
 */
export function lawFact(law: LawNote, marketCode: string | null, reason: ReturnReason | undefined, store?: StorePolicy): LawFact | null {
  const m = marketOrNull(marketCode);
  if (!m) return null;
  const c = m.consumer;
  switch (law) {
    case 'return_shipping': {
      const r = reason ?? 'change_of_mind';
      const payer = whoPaysReturn(m, r, store);
      const byPolicy = c.returnShipping[r] === 'store_policy' && store ? { en: ' (store policy; the law leaves it open)', zh: '（按店铺政策，法律未作规定）' } : { en: '', zh: '' };
      const what = { damaged: { en: 'a damaged item', zh: '破损商品' }, faulty: { en: 'a faulty item', zh: '故障商品' }, wrong_item: { en: 'a wrong item', zh: '发错的商品' }, change_of_mind: { en: 'a change-of-mind return', zh: '无理由退货' } }[r];
      return {
        kind: law,
        payer,
        source: c.returnShipping.source,
        text: {
          en: `${m.name.en}: return shipping for ${what.en}: ${PAYER_TEXT[payer].en}${byPolicy.en}.`,
          zh: `${m.name.zh}：${what.zh}的退货运费${PAYER_TEXT[payer].zh}${byPolicy.zh}。`,
        },
      };
    }
    case 'withdrawal': {
      const w = c.withdrawal;
      if (w.from === 'none' || w.days <= 0) {
        return { kind: law, source: w.source, text: { en: `${m.name.en}: no statutory right to return a distance purchase; the store policy decides.`, zh: `${m.name.zh}：远程购物没有法定无理由退货权，以店铺政策为准。` } };
      }
      const unit = w.businessDays ? { en: 'business days', zh: '个工作日' } : { en: 'days', zh: '天' };
      const from = w.from === 'delivery' ? { en: 'of delivery', zh: '自收货起' } : { en: 'of the contract', zh: '自下单起' };
      return { kind: law, source: w.source, text: { en: `${m.name.en}: the customer may withdraw within ${w.days} ${unit.en} ${from.en}.`, zh: `${m.name.zh}：${from.zh} ${w.days} ${unit.zh}内可无理由退货。` } };
    }
    case 'legal_guarantee': {
      const g = c.legalGuarantee;
      return g.months === null
        ? { kind: law, source: g.source, text: { en: `${m.name.en}: goods must be fit and as described; the law sets no fixed period.`, zh: `${m.name.zh}：商品须合格且与描述相符，法律未规定固定期限。` } }
        : { kind: law, source: g.source, text: { en: `${m.name.en}: legal guarantee of ${g.months} months for defects.`, zh: `${m.name.zh}：法定保修期 ${g.months} 个月。` } };
    }
    case 'refund_deadline': {
      const f = c.refund;
      if (f.days === null) return { kind: law, source: f.source, text: { en: `${m.name.en}: no statutory refund deadline; keep the store's promise.`, zh: `${m.name.zh}：法律未规定退款期限，按店铺承诺执行。` } };
      const unit = f.businessDays ? { en: 'business days', zh: '个工作日' } : { en: 'days', zh: '天' };
      const from = { withdrawal_notice: { en: 'of the withdrawal notice', zh: '自收到退货通知起' }, goods_returned: { en: 'of receiving the goods back', zh: '自收到退货起' }, store_policy: { en: '', zh: '' } }[f.from];
      return f.days === 0
        ? { kind: law, source: f.source, text: { en: `${m.name.en}: refund immediately.`, zh: `${m.name.zh}：须立即退款。` } }
        : { kind: law, source: f.source, text: { en: `${m.name.en}: refund within ${f.days} ${unit.en} ${from.en}.`.replace(/ \.$/, '.'), zh: `${m.name.zh}：须${from.zh} ${f.days} ${unit.zh}内退款。` } };
    }
    default: {
      const never: never = law;
      throw new AppError('internal', `unknown law note ${String(never)}`);
    }
  }
}

// ---------------------------------------------------------------------------------------
// Evaluating against a ticket's trail

export interface Who {
  type: string;
  id: string | null;
  name: string | null;
}

export interface TrailMessage {
  authorType: string;
  authorId: string | null;
  authorName: string | null;
  internal: boolean;
  body: string;
  language: string | null;
  createdAt: Date;
}

export interface TrailEvent {
  type: string;
  field: string | null;
  after: unknown;
  actorType: string;
  actorId: string | null;
  actorName: string | null;
  createdAt: Date;
}

export interface TrailAttachment {
  createdAt: Date;
  filename: string;
}

/** Everything a checklist can tick itself from. */
export interface PlaybookTrail {
  ticketLanguage: string | null;
  orderLinked: boolean;
  messages: TrailMessage[];
  events: TrailEvent[];
  attachments: TrailAttachment[];
  customer: Who;
}

/** A step's stored state (a hand tick or untick, or a skip when solving with a reason). */
export interface StoredTick {
  stepId: string;
  done: boolean;
  how: 'manual' | 'auto';
  by: Who | null;
  at: Date;
  skippedReason: string | null;
}

export interface StepJson {
  id: string;
  title: Localized;
  required: boolean;
  done: boolean;
  doneBy?: Who;
  doneAt?: string;
  how?: 'auto' | 'manual';
  /** What ticked it by itself, e.g. "order_action:return", "agent_reply:apology". */
  evidence?: string;
  /** Whether the step can tick itself at all. */
  autoTicks: boolean;
  note?: Localized;
  law?: { text: Localized; source: string; payer?: Payer };
  skippedReason?: string;
}

export interface PlaybookJson {
  category: string;
  market: string | null;
  title: Localized;
  steps: StepJson[];
  progress: { done: number; total: number; requiredOpen: number };
}

interface Evidence {
  at: Date;
  by: Who;
  what: string;
}

/** Replies cut into acts once per evaluation (several steps read the same reply). */
class ReplyReader {
  private readonly cache = new Map<TrailMessage, ActIndex>();
  constructor(private readonly ticketLanguage: string | null) {}

  private index(m: TrailMessage): ActIndex {
    let idx = this.cache.get(m);
    if (!idx) {
      // the languages it is written in: as recorded, else as detected, and English
      const detected = detectLanguage(m.body, m.language ?? this.ticketLanguage ?? undefined).language;
      const langs = [m.language, this.ticketLanguage, detected, 'en'].filter((l): l is string => !!l);
      idx = new ActIndex(prepareText(m.body), langs);
      this.cache.set(m, idx);
    }
    return idx;
  }

  matches(m: TrailMessage, what: ReplyMatch): boolean {
    const idx = this.index(m);
    const any = (...acts: Act[]) => acts.some((a) => idx.has(a));
    const asks = (term: Act) => {
      const terms = idx.sentencesOf(term);
      if (!terms.size) return false;
      const ask = idx.sentencesOf('ask');
      return [...terms].some((s) => ask.has(s) || /[?？؟]\s*$/.test(idx.quote(s)));
    };
    switch (what) {
      case 'greeting':
      case 'apology':
      case 'empathy':
      case 'thanks':
      case 'closing':
        return any(what);
      case 'asks_photo':
        return asks('photo_term');
      case 'asks_order_number':
        return asks('order_number_term');
      case 'asks_address':
        return asks('address_term');
      case 'offers_refund':
        return any('refund');
      case 'offers_replacement':
        return any('replacement', 'reship');
      case 'offers_exchange':
        return any('exchange');
      case 'offers_return_label':
        return any('return_label');
      case 'offers_discount':
        return any('discount');
      case 'tracking_update':
        return any('tracking_update');
      case 'investigates':
        return any('investigate');
      case 'commits_date':
        return any('time');
      case 'explains_return_terms':
        return any('return_term', 'return_label');
      case 'cancels':
        return any('cancel_order');
      case 'address_update':
        return any('address_update');
      default: {
        const never: never = what;
        throw new AppError('internal', `unknown reply match ${String(never)}`);
      }
    }
  }
}

function evidenceFor(trigger: PlaybookTrigger, trail: PlaybookTrail, replies: ReplyReader): Evidence[] {
  switch (trigger.event) {
    case 'order_action':
      return trail.events
        .filter((e) => e.type === 'order_action' && e.field !== null && (trigger.actions as string[]).includes(e.field))
        .filter((e) => {
          if (!trigger.status) return true;
          const after = e.after as { result?: { status?: unknown } } | null;
          return after?.result?.status === trigger.status;
        })
        .map((e) => ({ at: e.createdAt, by: { type: e.actorType, id: e.actorId, name: e.actorName }, what: `order_action:${e.field}` }));
    case 'agent_reply': {
      const replies_ = trail.messages.filter((m) => m.authorType === 'agent' && !m.internal);
      const pool = trigger.firstReply ? replies_.slice(0, 1) : replies_;
      return pool
        .filter((m) => trigger.matches.length === 0 || trigger.matches.some((w) => replies.matches(m, w)))
        .map((m) => ({
          at: m.createdAt,
          by: { type: 'user', id: m.authorId, name: m.authorName },
          what: `agent_reply:${trigger.matches.find((w) => replies.matches(m, w)) ?? 'any'}`,
        }));
    }
    case 'customer_attachment':
      return trail.attachments.map((a) => ({ at: a.createdAt, by: trail.customer, what: `customer_attachment:${a.filename}` }));
    case 'order_linked': {
      if (!trail.orderLinked) return [];
      // when: the event that linked it, else the first order action, else "already linked"
      const e = trail.events.find((x) => (x.type === 'updated' && (x.field === 'order' || x.field === 'order_id')) || x.type === 'order_linked' || x.type === 'order_action');
      return [{ at: e?.createdAt ?? new Date(0), by: e ? { type: e.actorType, id: e.actorId, name: e.actorName } : { type: 'system', id: null, name: null }, what: 'order_linked' }];
    }
    case 'status':
      return trail.events
        .filter((e) => e.type === 'updated' && e.field === 'status' && typeof e.after === 'string' && (trigger.to as string[]).includes(e.after))
        .map((e) => ({ at: e.createdAt, by: { type: e.actorType, id: e.actorId, name: e.actorName }, what: `status:${String(e.after)}` }));
    default: {
      const never: never = trigger;
      throw new AppError('internal', `unknown trigger ${JSON.stringify(never)}`);
    }
  }
}

/**
 * The checklist with each step's state. A step is done by hand (a stored tick) or by
 * itself (evidence in the trail). A hand tick or untick stands until newer evidence
 * arrives: unticking an auto-ticked step keeps it open until the agent does it again.
 */
export function evaluatePlaybook(pb: ResolvedPlaybook, trail: PlaybookTrail, ticks: StoredTick[], law?: (step: ResolvedStep) => LawFact | null): PlaybookJson {
  const replies = new ReplyReader(trail.ticketLanguage);
  const byStep = new Map(ticks.map((t) => [t.stepId, t]));
  const steps = pb.steps.map((s): StepJson => {
    const tick = byStep.get(s.id);
    const evidence = s.auto.flatMap((t) => evidenceFor(t, trail, replies)).sort((a, b) => a.at.getTime() - b.at.getTime());
    const fresh = tick ? evidence.filter((e) => e.at.getTime() > tick.at.getTime()) : evidence;
    const out: StepJson = { id: s.id, title: s.title, required: s.required, done: false, autoTicks: s.auto.length > 0 };
    if (fresh.length) {
      const e = fresh[0];
      Object.assign(out, { done: true, how: 'auto', doneBy: e.by, evidence: e.what, ...(e.at.getTime() > 0 ? { doneAt: e.at.toISOString() } : {}) });
    } else if (tick) {
      if (tick.done) Object.assign(out, { done: true, how: tick.how, doneAt: tick.at.toISOString(), ...(tick.by ? { doneBy: tick.by } : {}) });
      else if (tick.skippedReason) out.skippedReason = tick.skippedReason;
    }
    if (s.note) out.note = s.note;
    const fact = s.law && law ? law(s) : null;
    if (fact) out.law = { text: fact.text, source: fact.source, ...(fact.payer ? { payer: fact.payer } : {}) };
    return out;
  });
  const done = steps.filter((s) => s.done).length;
  return {
    category: pb.category,
    market: pb.market,
    title: pb.title,
    steps,
    progress: { done, total: steps.length, requiredOpen: steps.filter((s) => s.required && !s.done).length },
  };
}
