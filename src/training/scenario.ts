/**
 * Drill scenarios: the schema of content/scenarios/*.yaml (documented field by field in
 * content/scenarios/README.md), a validator whose errors name the file and the field, and
 * the loader. A scenario is data: trainers write it, the simulated customer plays it, the
 * outcome check reads its expected end state.
 */
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { contentDir } from '../core/paths.ts';
import { AppError } from '../core/errors.ts';
import { DIMENSIONS, type Dimension } from '../quality/types.ts';
import { listMarkets } from '../markets/index.ts';

// the 14 categories of DESIGN.md, defined once (src/text/corpus.ts)
export { CATEGORIES, type Category } from '../text/corpus.ts';
import { CATEGORIES, type Category } from '../text/corpus.ts';

export const LANGUAGES = ['en', 'es', 'fr', 'de', 'it', 'pt', 'nl', 'pl', 'sv', 'tr', 'ru', 'ar', 'ja', 'ko', 'zh'] as const;
export type Language = (typeof LANGUAGES)[number];

export const DIFFICULTIES = ['easy', 'medium', 'hard'] as const;
export type Difficulty = (typeof DIFFICULTIES)[number];

/** What a customer may escalate to when patience runs out. */
export const ESCALATIONS = [
  'chargeback',
  'paypal_dispute',
  'marketplace_claim',
  'bad_review',
  'one_star_review',
  'social_media',
  'consumer_authority',
  'legal_action',
  'manager',
] as const;
export type Escalation = (typeof ESCALATIONS)[number];

/**
 * What an agent can offer or do, as the customer sees it: recognised from the agent's text
 * (acts) and from sandbox tool calls. `accepts`/`rejects` and objections are keyed by these.
 */
export const OFFER_KINDS = [
  'refund', // full refund
  'partial_refund', // part of the money back (discount on the order, goodwill amount)
  'voucher', // store credit, coupon, voucher
  'replacement', // a new item (reship or new unit), without saying how
  'reship', // send the same item again now
  'return_label', // a prepaid return label
  'exchange', // another size/colour/model
  'repair', // repair under warranty
  'cancel', // cancel the order
  'address_change', // change the shipping address
  'investigate', // open an investigation / carrier claim
  'tracking_update', // new tracking, where the parcel is
  'explain_policy', // explains the rule/law and why (e.g. a refusal the law supports)
  'transfer', // hand to a human / another team
  // what customers object to
  'customer_pays', // the customer pays return shipping, restocking, a fee
  'return_first', // send the item back first, then we help
  'refusal', // a plain no
  'wait', // "please wait", no date
] as const;
export type OfferKind = (typeof OFFER_KINDS)[number];

/** Triggers of objections besides offer kinds: the agent's behaviour. */
export const BEHAVIOUR_TRIGGERS = [
  'vague', // a solution without a concrete date/amount, or no solution at all
  'asked_again', // asks for something the customer already gave
  'blame', // blames the customer
  'sensitive_data', // asks for card number, CVV, password, one-time code
  'no_empathy', // angry customer, solution-only reply without acknowledgement
  'ignored', // the reply addresses nothing the customer said
] as const;
export type BehaviourTrigger = (typeof BEHAVIOUR_TRIGGERS)[number];
export type ObjectionTrigger = OfferKind | BehaviourTrigger;

/** Things the customer can be asked for; each has built-in recognition in acts.ts. */
export const ASK_KEYS = [
  'order_number',
  'photo',
  'video',
  'address',
  'email',
  'phone',
  'name',
  'delivery_date',
  'purchase_date',
  'tracking_number',
  'description', // what exactly happened / details of the fault
  'serial_number',
  'size',
  'preference', // what the customer would prefer (refund or replacement…)
  'deadline', // by when the customer needs it
  'bank_details', // IBAN etc. for a refund (legit in some markets; never card/CVV)
] as const;
export type AskKey = (typeof ASK_KEYS)[number];

/** Sandbox actions (tools). Reads: lookup_customer, lookup_order. The rest write. */
export const SANDBOX_ACTIONS = [
  'lookup_customer',
  'lookup_order',
  'create_return',
  'exchange',
  'refund',
  'reship',
  'cancel',
  'change_address',
  'open_claim',
  'transfer',
] as const;
export type SandboxAction = (typeof SANDBOX_ACTIONS)[number];
export const READ_ACTIONS: ReadonlySet<SandboxAction> = new Set(['lookup_customer', 'lookup_order']);

export const ORDER_STATUSES = ['pending', 'paid', 'shipped', 'delivered', 'cancelled'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];
export const SHIPMENT_STATUSES = ['label_created', 'in_transit', 'out_for_delivery', 'at_pickup_point', 'delivered', 'exception', 'lost', 'returned'] as const;
export type ShipmentStatus = (typeof SHIPMENT_STATUSES)[number];
export const PAYMENT_METHODS = ['card', 'paypal', 'klarna', 'apple_pay', 'google_pay', 'bank_transfer', 'cod', 'konbini', 'pix', 'boleto', 'ideal', 'blik', 'swish', 'mada', 'alipay', 'other'] as const;

export interface Localized {
  en: string;
  zh: string;
}
/** A customer line: in the customer's language, with the Chinese gloss for trainees. */
export interface Line {
  text: string;
  gloss_zh: string;
}
/** One line, or several alternatives the engine picks from with the session's seed. */
export type Lines = Line[];

export interface Persona {
  name: string;
  culture: string;
  writes: string;
  formality?: 'formal' | 'informal';
  mood: number;
  patience: number;
  escalates_to: Escalation[];
}

export interface OrderItemFact {
  sku: string;
  name: string;
  qty: number;
  price: number;
  variant?: string;
}
export interface AddressFact {
  line1: string;
  line2?: string;
  city: string;
  postcode?: string;
  region?: string;
  country: string;
}
export interface OrderFact {
  number: string;
  status: OrderStatus;
  placed: string;
  delivered?: string;
  currency: string;
  total: number;
  shipping_fee?: number;
  payment: { method: string; amount: number; last4?: string };
  items: OrderItemFact[];
  shipping_address?: AddressFact;
}
export interface ShipmentFact {
  carrier: string;
  tracking: string;
  status: ShipmentStatus;
  service?: 'standard' | 'express';
  shipped_at?: string;
  delivered_at?: string;
  eta?: string;
  events?: { at: string; text: string }[];
}
export interface CustomerFact {
  email: string;
  phone?: string;
  country: string;
  since?: string;
  orders_count?: number;
  notes?: string;
}
/** One charge on the order (facts.payments): two of the same amount are a double charge. */
export interface PaymentFact {
  amount: number;
  method: string;
  last4?: string;
  at?: string;
  reference?: string;
}
/** A refund already issued before the drill (facts.refunds). */
export interface RefundFact {
  amount: number;
  method: 'original' | 'store_credit';
  at?: string;
  reference?: string;
  reason?: string;
}
export const DISPUTE_KINDS = ['chargeback', 'paypal_dispute', 'marketplace_claim'] as const;
/** An open dispute on the payment (facts.dispute): the money goes back through it. */
export interface DisputeFact {
  kind: (typeof DISPUTE_KINDS)[number];
  amount: number;
  opened?: string;
  reference?: string;
  reason?: string;
}
export interface Facts {
  customer: CustomerFact;
  order: OrderFact;
  /** Every charge on the order; when given, what was paid is their sum (else order.payment.amount). */
  payments?: PaymentFact[];
  /** Refunds issued before the drill: they count against what can still be refunded. */
  refunds?: RefundFact[];
  /** An open chargeback/dispute: the sandbox refuses a refund while it is open. */
  dispute?: DisputeFact;
  shipment?: ShipmentFact;
  stock: Record<string, number>;
  what_happened: string;
  /** Alternative SKUs an exchange may go to, with their price. */
  catalog?: { sku: string; name: string; price: number }[];
}

export interface RevealFact {
  value: string;
  line: Lines;
  /** Extra patterns (regular expressions over normalised text) that count as asking for it. */
  asked_by?: string[];
  /** The customer already gave it in the opening: asking for it again is a comprehension error. */
  in_opening?: boolean;
}

export interface Outcome {
  kind: OfferKind;
  note?: string;
  /** Acts that must come with the offer for the customer to take it (e.g. `time`: a date). */
  requires?: ('time' | 'amount' | 'tracking' | 'apology' | 'empathy' | 'free_of_charge')[];
  /** For accepts: mood change on acceptance (default -0.3). For rejects: default +0.15. */
  mood?: number;
  /** Reply line for this outcome (else lines.accept / the objection / lines.reject). */
  reply?: Lines;
}

export interface MustTell {
  id: string;
  en: string;
  zh: string;
  /** Recognised acts that count as telling it (any one). */
  acts?: MustTellAct[];
  /** Patterns (regular expressions over normalised text, any language) that count (any one). */
  patterns?: string[];
}
export const MUST_TELL_ACTS = [
  'transfer',
  'time',
  'amount',
  'tracking',
  'free_of_charge',
  'return_label',
  'refund',
  'reship',
  'exchange',
  'explain_policy',
  'investigate',
  'cancel',
  'address_change',
  'voucher',
] as const;
export type MustTellAct = (typeof MUST_TELL_ACTS)[number];

export interface ExpectedAction {
  action: SandboxAction;
  /** Argument values the performed action must have (subset; numbers within 0.01). */
  args: Record<string, string | number | boolean>;
}
export interface EndStateAlternative {
  label?: string;
  /** All of these must have been performed; other write actions fail the alternative unless in `allow_extra`. */
  actions: ExpectedAction[];
  allow_extra?: SandboxAction[];
}

export interface MarketRuleInPlay {
  rule?: 'withdrawal' | 'legal_guarantee' | 'return_shipping' | 'refund' | 'restocking_fee' | 'customs' | 'other';
  en: string;
  zh: string;
}

export interface ScriptedLines {
  thanks: Lines;
  repeat: Lines;
  escalate: Lines;
  leave: Lines;
  accept: Lines;
  reject: Lines;
  /** Optional: answers a question it has no fact for. */
  unknown?: Lines;
  /** Optional: reacts to a greeting/apology with no substance. */
  waiting?: Lines;
}

export interface MidwaySwitch {
  /** After this many agent turns the customer changes its request. */
  after_turn: number;
  line: Lines;
  goal: Localized;
  accepts: Outcome[];
  rejects: Outcome[];
  expected_end_state?: EndStateAlternative[];
}

export interface Variant {
  id: string;
  label: Localized;
  language?: Language;
  persona?: Partial<Persona>;
  opening?: Lines;
  lines?: Partial<ScriptedLines>;
  objections?: Partial<Record<ObjectionTrigger, Lines>>;
  knows_and_reveals_when_asked?: Record<string, RevealFact>;
}

export interface Scenario {
  id: string;
  title: Localized;
  market: string;
  language: Language;
  category: Category;
  difficulty: Difficulty;
  tags: string[];
  persona: Persona;
  facts: Facts;
  knows_and_reveals_when_asked: Record<string, RevealFact>;
  /** The customer's first message; with several, one is picked with the session's seed. */
  opening: Lines;
  goal: Localized;
  outcomes: { accepts: Outcome[]; rejects: Outcome[] };
  objections: Partial<Record<ObjectionTrigger, Lines>>;
  must_tell: MustTell[];
  expected_end_state: EndStateAlternative[];
  market_rules_in_play: MarketRuleInPlay[];
  culture_hints: Localized;
  lines: ScriptedLines;
  rubric?: { weights?: Partial<Record<Dimension, number>>; pass_mark?: number };
  model_reply?: { text: string; gloss_zh: string };
  coaching?: { when: 'start' | 'angry' | 'after_turn'; turn?: number; en: string; zh: string }[];
  midway_switch?: MidwaySwitch;
  variants: Variant[];
  /** Where it was loaded from (not in the file). */
  file: string;
}

// ---------------------------------------------------------------------------------------
// Validation

export interface ScenarioIssue {
  file: string;
  field: string;
  message: string;
}

export class ScenarioError extends AppError {
  readonly issues: ScenarioIssue[];
  constructor(issues: ScenarioIssue[]) {
    const first = issues.slice(0, 8).map((i) => `${i.file}: ${i.field}: ${i.message}`);
    super('validation_failed', `Invalid scenario${issues.length > 1 ? 's' : ''}:\n  ${first.join('\n  ')}${issues.length > 8 ? `\n  … and ${issues.length - 8} more` : ''}`, { issues });
    this.issues = issues;
  }
}

const RELATIVE = /^[+-]?\d+(?:\.\d+)?[dhm]$/;
const ID_RE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

type Obj = Record<string, unknown>;

class Checker {
  readonly issues: ScenarioIssue[] = [];
  constructor(readonly file: string) {}
  fail(field: string, message: string): void {
    this.issues.push({ file: this.file, field, message });
  }
  obj(v: unknown, field: string, known?: readonly string[]): Obj | undefined {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      this.fail(field, v === undefined ? 'is required (an object)' : 'must be an object');
      return undefined;
    }
    if (known) for (const k of Object.keys(v)) if (!known.includes(k)) this.fail(`${field}.${k}`, `unknown field (allowed: ${known.join(', ')})`);
    return v as Obj;
  }
  str(v: unknown, field: string, opt = false): string | undefined {
    if (v === undefined && opt) return undefined;
    if (typeof v === 'number' && !opt) return String(v);
    if (typeof v !== 'string' || v.trim() === '') {
      this.fail(field, v === undefined ? 'is required (text)' : 'must be non-empty text');
      return undefined;
    }
    return v;
  }
  num(v: unknown, field: string, min: number, max: number, opt = false): number | undefined {
    if (v === undefined && opt) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
      this.fail(field, v === undefined ? `is required (a number ${min}..${max})` : `must be a number ${min}..${max}`);
      return undefined;
    }
    return v;
  }
  int(v: unknown, field: string, min: number, max: number, opt = false): number | undefined {
    const n = this.num(v, field, min, max, opt);
    if (n !== undefined && !Number.isInteger(n)) {
      this.fail(field, 'must be a whole number');
      return undefined;
    }
    return n;
  }
  bool(v: unknown, field: string): boolean | undefined {
    if (v === undefined) return undefined;
    if (typeof v !== 'boolean') this.fail(field, 'must be true or false');
    return typeof v === 'boolean' ? v : undefined;
  }
  oneOf<T extends string>(v: unknown, field: string, allowed: readonly T[], opt = false): T | undefined {
    if (v === undefined && opt) return undefined;
    if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
      this.fail(field, `${v === undefined ? 'is required' : `"${String(v)}" is not allowed`}; one of: ${allowed.join(', ')}`);
      return undefined;
    }
    return v as T;
  }
  rel(v: unknown, field: string, opt = false): string | undefined {
    if (v === undefined && opt) return undefined;
    if (typeof v !== 'string' || !RELATIVE.test(v)) {
      this.fail(field, 'must be a time relative to the drill start, like -12d, -3h, +2d, 0d');
      return undefined;
    }
    return v;
  }
  arr(v: unknown, field: string, opt = false, min = 0): unknown[] | undefined {
    if (v === undefined && opt) return undefined;
    if (!Array.isArray(v)) {
      this.fail(field, v === undefined ? 'is required (a list)' : 'must be a list');
      return undefined;
    }
    if (v.length < min) this.fail(field, `must list at least ${min}`);
    return v;
  }
  localized(v: unknown, field: string, opt = false): Localized | undefined {
    if (v === undefined && opt) return undefined;
    const o = this.obj(v, field, ['en', 'zh']);
    if (!o) return undefined;
    const en = this.str(o.en, `${field}.en`);
    const zh = this.str(o.zh, `${field}.zh`);
    return en && zh ? { en, zh } : undefined;
  }
  line(v: unknown, field: string): Line | undefined {
    const o = this.obj(v, field, ['text', 'gloss_zh']);
    if (!o) return undefined;
    const text = this.str(o.text, `${field}.text`);
    const gloss = this.str(o.gloss_zh, `${field}.gloss_zh`);
    return text && gloss ? { text, gloss_zh: gloss } : undefined;
  }
  /** A line or a non-empty list of alternative lines. */
  lines(v: unknown, field: string, opt = false): Lines | undefined {
    if (v === undefined && opt) return undefined;
    if (Array.isArray(v)) {
      if (v.length === 0) this.fail(field, 'must list at least one line');
      const out = v.map((x, i) => this.line(x, `${field}[${i}]`)).filter((x): x is Line => !!x);
      return out.length === v.length ? out : undefined;
    }
    const one = this.line(v, field);
    return one ? [one] : undefined;
  }
  patterns(v: unknown, field: string): string[] | undefined {
    const list = this.arr(v, field, true);
    if (!list) return undefined;
    const out: string[] = [];
    list.forEach((p, i) => {
      const s = this.str(p, `${field}[${i}]`);
      if (!s) return;
      try {
        new RegExp(s, 'u');
        out.push(s);
      } catch (e) {
        this.fail(`${field}[${i}]`, `bad regular expression: ${(e as Error).message}`);
      }
    });
    return out;
  }
}

const TOP_FIELDS = [
  'id',
  'title',
  'market',
  'language',
  'category',
  'difficulty',
  'tags',
  'persona',
  'facts',
  'knows_and_reveals_when_asked',
  'opening',
  'goal',
  'outcomes',
  'objections',
  'must_tell',
  'expected_end_state',
  'market_rules_in_play',
  'culture_hints',
  'lines',
  'rubric',
  'model_reply',
  'coaching',
  'midway_switch',
  'variants',
] as const;
const LINE_KEYS = ['thanks', 'repeat', 'escalate', 'leave', 'accept', 'reject'] as const;
const OPTIONAL_LINE_KEYS = ['unknown', 'waiting'] as const;
const OBJECTION_TRIGGERS: readonly string[] = [...OFFER_KINDS, ...BEHAVIOUR_TRIGGERS];
const REQUIRES = ['time', 'amount', 'tracking', 'apology', 'empathy', 'free_of_charge'] as const;

function marketCodes(): string[] {
  return listMarkets().map((m) => m.code);
}

function checkPersona(c: Checker, v: unknown, field: string, partial: boolean): Partial<Persona> | undefined {
  const o = c.obj(v, field, ['name', 'culture', 'writes', 'formality', 'mood', 'patience', 'escalates_to']);
  if (!o) return undefined;
  const p: Partial<Persona> = {};
  p.name = c.str(o.name, `${field}.name`, partial);
  p.culture = c.str(o.culture, `${field}.culture`, partial);
  p.writes = c.str(o.writes, `${field}.writes`, partial);
  p.formality = c.oneOf(o.formality, `${field}.formality`, ['formal', 'informal'] as const, true);
  p.mood = c.num(o.mood, `${field}.mood`, 0, 1, partial);
  p.patience = c.int(o.patience, `${field}.patience`, 1, 12, partial);
  const esc = c.arr(o.escalates_to, `${field}.escalates_to`, partial, partial ? 0 : 1);
  if (esc) p.escalates_to = esc.map((e, i) => c.oneOf(e, `${field}.escalates_to[${i}]`, ESCALATIONS)).filter((e): e is Escalation => !!e);
  for (const k of Object.keys(p) as (keyof Persona)[]) if (p[k] === undefined) delete p[k];
  return p;
}

function checkAddress(c: Checker, v: unknown, field: string): AddressFact | undefined {
  if (v === undefined) return undefined;
  const o = c.obj(v, field, ['line1', 'line2', 'city', 'postcode', 'region', 'country']);
  if (!o) return undefined;
  return {
    line1: c.str(o.line1, `${field}.line1`) ?? '',
    line2: c.str(o.line2, `${field}.line2`, true),
    city: c.str(o.city, `${field}.city`) ?? '',
    postcode: c.str(o.postcode, `${field}.postcode`, true) ?? (typeof o.postcode === 'number' ? String(o.postcode) : undefined),
    region: c.str(o.region, `${field}.region`, true),
    country: c.str(o.country, `${field}.country`) ?? '',
  };
}

function checkFacts(c: Checker, v: unknown): Facts | undefined {
  const o = c.obj(v, 'facts', ['customer', 'order', 'shipment', 'stock', 'what_happened', 'catalog', 'payments', 'refunds', 'dispute']);
  if (!o) return undefined;
  const cu = c.obj(o.customer, 'facts.customer', ['email', 'phone', 'country', 'since', 'orders_count', 'notes']);
  const customer: CustomerFact = {
    email: c.str(cu?.email, 'facts.customer.email') ?? '',
    phone: cu ? c.str(cu.phone, 'facts.customer.phone', true) : undefined,
    country: c.str(cu?.country, 'facts.customer.country') ?? '',
    since: cu ? c.rel(cu.since, 'facts.customer.since', true) : undefined,
    orders_count: cu ? c.int(cu.orders_count, 'facts.customer.orders_count', 0, 100000, true) : undefined,
    notes: cu ? c.str(cu.notes, 'facts.customer.notes', true) : undefined,
  };
  const or = c.obj(o.order, 'facts.order', ['number', 'status', 'placed', 'delivered', 'currency', 'total', 'shipping_fee', 'payment', 'items', 'shipping_address']);
  const items: OrderItemFact[] = [];
  const itemList = c.arr(or?.items, 'facts.order.items', false, 1) ?? [];
  itemList.forEach((it, i) => {
    const f = `facts.order.items[${i}]`;
    const io = c.obj(it, f, ['sku', 'name', 'qty', 'price', 'variant']);
    if (!io) return;
    items.push({
      sku: c.str(io.sku, `${f}.sku`) ?? '',
      name: c.str(io.name, `${f}.name`) ?? '',
      qty: c.int(io.qty, `${f}.qty`, 1, 1000) ?? 1,
      price: c.num(io.price, `${f}.price`, 0, 1e9) ?? 0,
      variant: c.str(io.variant, `${f}.variant`, true),
    });
  });
  const pay = c.obj(or?.payment, 'facts.order.payment', ['method', 'amount', 'last4']);
  const total = c.num(or?.total, 'facts.order.total', 0, 1e9) ?? 0;
  const order: OrderFact = {
    number: c.str(or?.number, 'facts.order.number') ?? '',
    status: c.oneOf(or?.status, 'facts.order.status', ORDER_STATUSES) ?? 'delivered',
    placed: c.rel(or?.placed, 'facts.order.placed') ?? '0d',
    delivered: or ? c.rel(or.delivered, 'facts.order.delivered', true) : undefined,
    currency: c.str(or?.currency, 'facts.order.currency') ?? '',
    total,
    shipping_fee: or ? c.num(or.shipping_fee, 'facts.order.shipping_fee', 0, 1e9, true) : undefined,
    payment: {
      method: c.oneOf(pay?.method, 'facts.order.payment.method', PAYMENT_METHODS) ?? 'other',
      amount: c.num(pay?.amount, 'facts.order.payment.amount', 0, 1e9) ?? 0,
      last4: pay ? c.str(pay.last4, 'facts.order.payment.last4', true) : undefined,
    },
    items,
    shipping_address: or ? checkAddress(c, or.shipping_address, 'facts.order.shipping_address') : undefined,
  };
  if (order.currency && !/^[A-Z]{3}$/.test(order.currency)) c.fail('facts.order.currency', 'must be an ISO 4217 code like EUR');
  const sum = items.reduce((s, it) => s + it.qty * it.price, 0) + (order.shipping_fee ?? 0);
  if (items.length && Math.abs(sum - total) > 0.011) c.fail('facts.order.total', `is ${total} but the items (+ shipping_fee) add up to ${Math.round(sum * 100) / 100}`);
  if (order.payment.amount > total + 0.001) c.fail('facts.order.payment.amount', 'is more than the order total');
  if ((order.status === 'delivered') !== (order.delivered !== undefined)) c.fail('facts.order.delivered', 'is required when (and only when) the status is delivered');

  let shipment: ShipmentFact | undefined;
  if (o.shipment !== undefined) {
    const sh = c.obj(o.shipment, 'facts.shipment', ['carrier', 'tracking', 'status', 'service', 'shipped_at', 'delivered_at', 'eta', 'events']);
    if (sh) {
      const events: { at: string; text: string }[] = [];
      (c.arr(sh.events, 'facts.shipment.events', true) ?? []).forEach((e, i) => {
        const eo = c.obj(e, `facts.shipment.events[${i}]`, ['at', 'text']);
        if (eo) events.push({ at: c.rel(eo.at, `facts.shipment.events[${i}].at`) ?? '0d', text: c.str(eo.text, `facts.shipment.events[${i}].text`) ?? '' });
      });
      shipment = {
        carrier: c.str(sh.carrier, 'facts.shipment.carrier') ?? '',
        tracking: c.str(sh.tracking, 'facts.shipment.tracking') ?? '',
        status: c.oneOf(sh.status, 'facts.shipment.status', SHIPMENT_STATUSES) ?? 'in_transit',
        service: c.oneOf(sh.service, 'facts.shipment.service', ['standard', 'express'] as const, true),
        shipped_at: c.rel(sh.shipped_at, 'facts.shipment.shipped_at', true),
        delivered_at: c.rel(sh.delivered_at, 'facts.shipment.delivered_at', true),
        eta: c.rel(sh.eta, 'facts.shipment.eta', true),
        events: events.length ? events : undefined,
      };
    }
  } else if (order.status === 'shipped' || order.status === 'delivered') {
    c.fail('facts.shipment', `is required when the order is ${order.status}`);
  }
  const stock: Record<string, number> = {};
  const so = c.obj(o.stock, 'facts.stock');
  if (so) for (const [sku, n] of Object.entries(so)) stock[sku] = c.int(n, `facts.stock.${sku}`, 0, 1e7) ?? 0;
  const catalog: { sku: string; name: string; price: number }[] = [];
  (c.arr(o.catalog, 'facts.catalog', true) ?? []).forEach((e, i) => {
    const f = `facts.catalog[${i}]`;
    const eo = c.obj(e, f, ['sku', 'name', 'price']);
    if (eo) catalog.push({ sku: c.str(eo.sku, `${f}.sku`) ?? '', name: c.str(eo.name, `${f}.name`) ?? '', price: c.num(eo.price, `${f}.price`, 0, 1e9) ?? 0 });
  });
  const payments: PaymentFact[] = [];
  (c.arr(o.payments, 'facts.payments', true, 1) ?? []).forEach((e, i) => {
    const f = `facts.payments[${i}]`;
    const po = c.obj(e, f, ['amount', 'method', 'last4', 'at', 'reference']);
    if (!po) return;
    payments.push({
      amount: c.num(po.amount, `${f}.amount`, 0, 1e9) ?? 0,
      method: c.oneOf(po.method, `${f}.method`, PAYMENT_METHODS, true) ?? order.payment.method,
      last4: c.str(po.last4, `${f}.last4`, true),
      at: c.rel(po.at, `${f}.at`, true),
      reference: c.str(po.reference, `${f}.reference`, true),
    });
  });
  const paid = payments.length ? payments.reduce((sum, p) => sum + p.amount, 0) : order.payment.amount;
  const refunds: RefundFact[] = [];
  (c.arr(o.refunds, 'facts.refunds', true, 1) ?? []).forEach((e, i) => {
    const f = `facts.refunds[${i}]`;
    const ro = c.obj(e, f, ['amount', 'method', 'at', 'reference', 'reason']);
    if (!ro) return;
    refunds.push({
      amount: c.num(ro.amount, `${f}.amount`, 0.01, 1e9) ?? 0,
      method: c.oneOf(ro.method, `${f}.method`, ['original', 'store_credit'] as const, true) ?? 'original',
      at: c.rel(ro.at, `${f}.at`, true),
      reference: c.str(ro.reference, `${f}.reference`, true),
      reason: c.str(ro.reason, `${f}.reason`, true),
    });
  });
  const refunded = refunds.reduce((sum, r) => sum + r.amount, 0);
  if (refunded > paid + 0.001) c.fail('facts.refunds', `add up to ${Math.round(refunded * 100) / 100}, more than the ${paid} paid`);
  let dispute: DisputeFact | undefined;
  if (o.dispute !== undefined) {
    const dob = c.obj(o.dispute, 'facts.dispute', ['kind', 'amount', 'opened', 'reference', 'reason']);
    if (dob) {
      dispute = {
        kind: c.oneOf(dob.kind, 'facts.dispute.kind', DISPUTE_KINDS) ?? 'chargeback',
        amount: c.num(dob.amount, 'facts.dispute.amount', 0.01, 1e9) ?? 0,
        opened: c.rel(dob.opened, 'facts.dispute.opened', true),
        reference: c.str(dob.reference, 'facts.dispute.reference', true),
        reason: c.str(dob.reason, 'facts.dispute.reason', true),
      };
      if (dispute.amount > paid + 0.001) c.fail('facts.dispute.amount', `is more than the ${paid} paid`);
    }
  }
  for (const it of items) if (!(it.sku in stock)) c.fail(`facts.stock`, `has no entry for the ordered SKU ${it.sku} (write 0 when out of stock)`);
  for (const it of catalog) if (!(it.sku in stock)) c.fail(`facts.stock`, `has no entry for the catalog SKU ${it.sku}`);
  return {
    customer,
    order,
    shipment,
    stock,
    what_happened: c.str(o.what_happened, 'facts.what_happened') ?? '',
    catalog: catalog.length ? catalog : undefined,
    ...(payments.length ? { payments } : {}),
    ...(refunds.length ? { refunds } : {}),
    ...(dispute ? { dispute } : {}),
  };
}

function checkReveals(c: Checker, v: unknown, field: string, partial: boolean): Record<string, RevealFact> | undefined {
  const o = c.obj(v, field);
  if (!o) return undefined;
  const out: Record<string, RevealFact> = {};
  for (const [key, raw] of Object.entries(o)) {
    const f = `${field}.${key}`;
    if (!/^[a-z][a-z0-9_]*$/.test(key)) c.fail(f, 'keys are snake_case');
    const ro = c.obj(raw, f, ['value', 'line', 'asked_by', 'in_opening']);
    if (!ro) continue;
    const askedBy = c.patterns(ro.asked_by, `${f}.asked_by`);
    if (!(ASK_KEYS as readonly string[]).includes(key) && !askedBy?.length)
      c.fail(f, `is not a built-in key (${ASK_KEYS.join(', ')}): give asked_by patterns saying how an agent asks for it`);
    const value = typeof ro.value === 'number' ? String(ro.value) : c.str(ro.value, `${f}.value`);
    const line = c.lines(ro.line, `${f}.line`);
    if (value && line) out[key] = { value, line, asked_by: askedBy?.length ? askedBy : undefined, in_opening: c.bool(ro.in_opening, `${f}.in_opening`) };
  }
  if (!partial && Object.keys(o).length === 0) c.fail(field, 'must list at least one fact the customer reveals when asked');
  return out;
}

function checkOutcomes(c: Checker, v: unknown, field: string): Outcome[] | undefined {
  const list = c.arr(v, field);
  if (!list) return undefined;
  const out: Outcome[] = [];
  list.forEach((raw, i) => {
    const f = `${field}[${i}]`;
    const o = c.obj(raw, f, ['kind', 'note', 'requires', 'mood', 'reply']);
    if (!o) return;
    const kind = c.oneOf(o.kind, `${f}.kind`, OFFER_KINDS);
    const requires = (c.arr(o.requires, `${f}.requires`, true) ?? []).map((r, j) => c.oneOf(r, `${f}.requires[${j}]`, REQUIRES)).filter((r): r is (typeof REQUIRES)[number] => !!r);
    if (kind) out.push({ kind, note: c.str(o.note, `${f}.note`, true), requires: requires.length ? requires : undefined, mood: c.num(o.mood, `${f}.mood`, -1, 1, true), reply: c.lines(o.reply, `${f}.reply`, true) });
  });
  return out;
}

function checkObjections(c: Checker, v: unknown, field: string): Partial<Record<ObjectionTrigger, Lines>> {
  const out: Partial<Record<ObjectionTrigger, Lines>> = {};
  if (v === undefined) return out;
  const o = c.obj(v, field);
  if (!o) return out;
  for (const [k, raw] of Object.entries(o)) {
    if (!OBJECTION_TRIGGERS.includes(k)) {
      c.fail(`${field}.${k}`, `unknown trigger; one of: ${OBJECTION_TRIGGERS.join(', ')}`);
      continue;
    }
    const l = c.lines(raw, `${field}.${k}`);
    if (l) out[k as ObjectionTrigger] = l;
  }
  return out;
}

function checkEndState(c: Checker, v: unknown, field: string, facts: Facts | undefined): EndStateAlternative[] | undefined {
  const o = c.obj(v, field, ['one_of']);
  if (!o) return undefined;
  const list = c.arr(o.one_of, `${field}.one_of`, false, 1);
  if (!list) return undefined;
  const out: EndStateAlternative[] = [];
  list.forEach((raw, i) => {
    const f = `${field}.one_of[${i}]`;
    const ao = c.obj(raw, f, ['label', 'actions', 'allow_extra']);
    if (!ao) return;
    const actions: ExpectedAction[] = [];
    (c.arr(ao.actions, `${f}.actions`) ?? []).forEach((a, j) => {
      const af = `${f}.actions[${j}]`;
      const aa = c.obj(a, af, ['action', 'args']);
      if (!aa) return;
      const action = c.oneOf(aa.action, `${af}.action`, SANDBOX_ACTIONS);
      if (action && READ_ACTIONS.has(action)) c.fail(`${af}.action`, 'lookups are not end state; list write actions only');
      const args: Record<string, string | number | boolean> = {};
      if (aa.args !== undefined) {
        const ar = c.obj(aa.args, `${af}.args`);
        if (ar)
          for (const [k, val] of Object.entries(ar)) {
            if (typeof val === 'string' || typeof val === 'number' || typeof val === 'boolean') args[k] = val;
            else c.fail(`${af}.args.${k}`, 'must be text, a number or true/false');
          }
      }
      if (facts && typeof args.order === 'string' && args.order !== facts.order.number) c.fail(`${af}.args.order`, `is not the scenario's order ${facts.order.number}`);
      if (facts && typeof args.sku === 'string' && !(args.sku in facts.stock)) c.fail(`${af}.args.sku`, `${args.sku} is not in facts.stock`);
      if (action) actions.push({ action, args });
    });
    const extra = (c.arr(ao.allow_extra, `${f}.allow_extra`, true) ?? []).map((x, j) => c.oneOf(x, `${f}.allow_extra[${j}]`, SANDBOX_ACTIONS)).filter((x): x is SandboxAction => !!x);
    out.push({ label: c.str(ao.label, `${f}.label`, true), actions, allow_extra: extra.length ? extra : undefined });
  });
  return out;
}

function checkVariant(c: Checker, v: unknown, field: string): Variant | undefined {
  const o = c.obj(v, field, ['id', 'label', 'language', 'persona', 'opening', 'lines', 'objections', 'knows_and_reveals_when_asked']);
  if (!o) return undefined;
  const id = c.str(o.id, `${field}.id`);
  if (id && !ID_RE.test(id)) c.fail(`${field}.id`, 'must be kebab-case (a-z, 0-9, -)');
  const label = c.localized(o.label, `${field}.label`);
  const language = c.oneOf(o.language, `${field}.language`, LANGUAGES, true);
  const out: Variant = { id: id ?? '', label: label ?? { en: '', zh: '' }, language };
  if (o.persona !== undefined) out.persona = checkPersona(c, o.persona, `${field}.persona`, true);
  if (o.opening !== undefined) out.opening = c.lines(o.opening, `${field}.opening`);
  if (o.lines !== undefined) {
    const lo = c.obj(o.lines, `${field}.lines`, [...LINE_KEYS, ...OPTIONAL_LINE_KEYS]);
    if (lo) {
      const l: Partial<ScriptedLines> = {};
      for (const k of [...LINE_KEYS, ...OPTIONAL_LINE_KEYS]) {
        const x = c.lines(lo[k], `${field}.lines.${k}`, true);
        if (x) l[k] = x;
      }
      out.lines = l;
    }
  }
  if (o.objections !== undefined) out.objections = checkObjections(c, o.objections, `${field}.objections`);
  if (o.knows_and_reveals_when_asked !== undefined) out.knows_and_reveals_when_asked = checkReveals(c, o.knows_and_reveals_when_asked, `${field}.knows_and_reveals_when_asked`, true);
  if (language && (!out.opening || !out.lines || LINE_KEYS.some((k) => !out.lines?.[k])))
    c.fail(field, 'a language variant must give opening and all lines (thanks, repeat, escalate, leave, accept, reject) in that language');
  return out;
}

/** Validates one parsed scenario; returns it, or the issues found (each naming the field). */
export function validateScenario(raw: unknown, file: string): { scenario?: Scenario; issues: ScenarioIssue[] } {
  const c = new Checker(file);
  const o = c.obj(raw, '(root)', TOP_FIELDS);
  if (!o) return { issues: c.issues };
  const id = c.str(o.id, 'id');
  if (id && !ID_RE.test(id)) c.fail('id', 'must be kebab-case (a-z, 0-9, -)');
  const base = path.basename(file).replace(/\.ya?ml$/, '');
  if (id && file.match(/\.ya?ml$/) && base !== id) c.fail('id', `must equal the file name without .yaml ("${base}")`);
  const title = c.localized(o.title, 'title');
  const markets = marketCodes();
  const market = c.oneOf(o.market, 'market', markets);
  const language = c.oneOf(o.language, 'language', LANGUAGES);
  const category = c.oneOf(o.category, 'category', CATEGORIES);
  const difficulty = c.oneOf(o.difficulty, 'difficulty', DIFFICULTIES);
  const tags = (c.arr(o.tags, 'tags', true) ?? []).map((t, i) => c.str(t, `tags[${i}]`)).filter((t): t is string => !!t);
  const persona = checkPersona(c, o.persona, 'persona', false) as Persona | undefined;
  const facts = checkFacts(c, o.facts);
  const reveals = checkReveals(c, o.knows_and_reveals_when_asked, 'knows_and_reveals_when_asked', false);
  const opening = c.lines(o.opening, 'opening');
  const goal = c.localized(o.goal, 'goal');
  const oo = c.obj(o.outcomes, 'outcomes', ['accepts', 'rejects']);
  const accepts = checkOutcomes(c, oo?.accepts, 'outcomes.accepts');
  const rejects = checkOutcomes(c, oo?.rejects, 'outcomes.rejects');
  if (accepts && accepts.length === 0) c.fail('outcomes.accepts', 'must list at least one outcome the customer accepts');
  if (accepts && rejects) for (const a of accepts) if (rejects.some((r) => r.kind === a.kind)) c.fail('outcomes', `kind ${a.kind} is both accepted and rejected`);
  const objections = checkObjections(c, o.objections, 'objections');
  const mustTell: MustTell[] = [];
  (c.arr(o.must_tell, 'must_tell') ?? []).forEach((raw, i) => {
    const f = `must_tell[${i}]`;
    const mo = c.obj(raw, f, ['id', 'en', 'zh', 'acts', 'patterns']);
    if (!mo) return;
    const acts = (c.arr(mo.acts, `${f}.acts`, true) ?? []).map((a, j) => c.oneOf(a, `${f}.acts[${j}]`, MUST_TELL_ACTS)).filter((a): a is MustTellAct => !!a);
    const patterns = c.patterns(mo.patterns, `${f}.patterns`) ?? [];
    if (!acts.length && !patterns.length) c.fail(f, 'needs acts or patterns so that telling it can be checked');
    const mid = c.str(mo.id, `${f}.id`) ?? '';
    if (mustTell.some((m) => m.id === mid)) c.fail(`${f}.id`, `duplicate id ${mid}`);
    mustTell.push({ id: mid, en: c.str(mo.en, `${f}.en`) ?? '', zh: c.str(mo.zh, `${f}.zh`) ?? '', acts: acts.length ? acts : undefined, patterns: patterns.length ? patterns : undefined });
  });
  const endState = checkEndState(c, o.expected_end_state, 'expected_end_state', facts);
  const rules: MarketRuleInPlay[] = [];
  (c.arr(o.market_rules_in_play, 'market_rules_in_play') ?? []).forEach((raw, i) => {
    const f = `market_rules_in_play[${i}]`;
    const ro = c.obj(raw, f, ['rule', 'en', 'zh']);
    if (ro)
      rules.push({
        rule: c.oneOf(ro.rule, `${f}.rule`, ['withdrawal', 'legal_guarantee', 'return_shipping', 'refund', 'restocking_fee', 'customs', 'other'] as const, true),
        en: c.str(ro.en, `${f}.en`) ?? '',
        zh: c.str(ro.zh, `${f}.zh`) ?? '',
      });
  });
  const cultureHints = c.localized(o.culture_hints, 'culture_hints');
  const lo = c.obj(o.lines, 'lines', [...LINE_KEYS, ...OPTIONAL_LINE_KEYS]);
  const lines: Partial<ScriptedLines> = {};
  if (lo) {
    for (const k of LINE_KEYS) {
      const l = c.lines(lo[k], `lines.${k}`);
      if (l) lines[k] = l;
    }
    for (const k of OPTIONAL_LINE_KEYS) {
      const l = c.lines(lo[k], `lines.${k}`, true);
      if (l) lines[k] = l;
    }
  }
  let rubric: Scenario['rubric'];
  if (o.rubric !== undefined) {
    const ru = c.obj(o.rubric, 'rubric', ['weights', 'pass_mark']);
    if (ru) {
      rubric = { pass_mark: c.num(ru.pass_mark, 'rubric.pass_mark', 0, 100, true) };
      if (ru.weights !== undefined) {
        const wo = c.obj(ru.weights, 'rubric.weights', DIMENSIONS);
        if (wo) {
          const w: Partial<Record<Dimension, number>> = {};
          for (const [k, val] of Object.entries(wo)) {
            const n = c.num(val, `rubric.weights.${k}`, 0, 100);
            if (n !== undefined) w[k as Dimension] = n;
          }
          rubric.weights = w;
        }
      }
    }
  }
  const modelReply = o.model_reply === undefined ? undefined : c.line(o.model_reply, 'model_reply');
  const coaching: NonNullable<Scenario['coaching']> = [];
  (c.arr(o.coaching, 'coaching', true) ?? []).forEach((raw, i) => {
    const f = `coaching[${i}]`;
    const co = c.obj(raw, f, ['when', 'turn', 'en', 'zh']);
    if (!co) return;
    const when = c.oneOf(co.when, `${f}.when`, ['start', 'angry', 'after_turn'] as const);
    const turn = c.int(co.turn, `${f}.turn`, 1, 100, when !== 'after_turn');
    coaching.push({ when: when ?? 'start', turn, en: c.str(co.en, `${f}.en`) ?? '', zh: c.str(co.zh, `${f}.zh`) ?? '' });
  });
  let midway: MidwaySwitch | undefined;
  if (o.midway_switch !== undefined) {
    const mo = c.obj(o.midway_switch, 'midway_switch', ['after_turn', 'line', 'goal', 'accepts', 'rejects', 'expected_end_state']);
    if (mo) {
      midway = {
        after_turn: c.int(mo.after_turn, 'midway_switch.after_turn', 1, 20) ?? 1,
        line: c.lines(mo.line, 'midway_switch.line') ?? [],
        goal: c.localized(mo.goal, 'midway_switch.goal') ?? { en: '', zh: '' },
        accepts: checkOutcomes(c, mo.accepts, 'midway_switch.accepts') ?? [],
        rejects: checkOutcomes(c, mo.rejects, 'midway_switch.rejects') ?? [],
        expected_end_state: mo.expected_end_state === undefined ? undefined : checkEndState(c, mo.expected_end_state, 'midway_switch.expected_end_state', facts),
      };
    }
  }
  const variants: Variant[] = [];
  (c.arr(o.variants, 'variants', true) ?? []).forEach((raw, i) => {
    const vr = checkVariant(c, raw, `variants[${i}]`);
    if (vr) {
      if (variants.some((x) => x.id === vr.id) || vr.id === 'base') c.fail(`variants[${i}].id`, `duplicate or reserved id ${vr.id}`);
      variants.push(vr);
    }
  });
  if (c.issues.length) return { issues: c.issues };
  return {
    issues: [],
    scenario: {
      id: id!,
      title: title!,
      market: market!,
      language: language!,
      category: category!,
      difficulty: difficulty!,
      tags,
      persona: persona!,
      facts: facts!,
      knows_and_reveals_when_asked: reveals!,
      opening: opening!,
      goal: goal!,
      outcomes: { accepts: accepts!, rejects: rejects! },
      objections,
      must_tell: mustTell,
      expected_end_state: endState!,
      market_rules_in_play: rules,
      culture_hints: cultureHints!,
      lines: lines as ScriptedLines,
      rubric,
      model_reply: modelReply,
      coaching: coaching.length ? coaching : undefined,
      midway_switch: midway,
      variants,
      file,
    },
  };
}

/** Parses and validates YAML text; throws ScenarioError naming the file and fields. */
export function parseScenario(text: string, file: string): Scenario {
  let raw: unknown;
  try {
    raw = YAML.parse(text);
  } catch (e) {
    throw new ScenarioError([{ file, field: '(yaml)', message: (e as Error).message.split('\n')[0] }]);
  }
  const { scenario, issues } = validateScenario(raw, file);
  if (!scenario) throw new ScenarioError(issues);
  return scenario;
}

export const scenariosDir = path.join(contentDir, 'scenarios');

export interface LoadResult {
  scenarios: Scenario[];
  issues: ScenarioIssue[];
}

/** Loads every *.yaml of a folder; collects all issues (duplicate ids too) instead of stopping at the first. */
export function loadScenarioDir(dir: string = scenariosDir): LoadResult {
  const scenarios: Scenario[] = [];
  const issues: ScenarioIssue[] = [];
  if (!fs.existsSync(dir)) return { scenarios, issues };
  const seen = new Map<string, string>();
  for (const name of fs.readdirSync(dir).sort()) {
    if (!/\.ya?ml$/.test(name)) continue;
    const file = path.join(dir, name);
    const relative = path.relative(process.cwd(), file);
    const rel = relative && !relative.startsWith('..') ? relative : file;
    try {
      const s = parseScenario(fs.readFileSync(file, 'utf8'), rel);
      const prev = seen.get(s.id);
      if (prev) issues.push({ file: rel, field: 'id', message: `duplicate id ${s.id} (also in ${prev})` });
      else {
        seen.set(s.id, rel);
        scenarios.push(s);
      }
    } catch (e) {
      if (e instanceof ScenarioError) issues.push(...e.issues);
      else throw e;
    }
  }
  return { scenarios, issues };
}

let cache: Map<string, Scenario> | null = null;

/** The library, loaded once per process; throws ScenarioError when any file is invalid. */
export function scenarioLibrary(): Map<string, Scenario> {
  if (cache) return cache;
  const { scenarios, issues } = loadScenarioDir();
  if (issues.length) throw new ScenarioError(issues);
  cache = new Map(scenarios.map((s) => [s.id, s]));
  return cache;
}

export function reloadScenarios(): void {
  cache = null;
}

/** Parses a relative time ("-12d", "+3h", "-30m") to an absolute date from `start`. */
export function resolveRelative(rel: string, start: Date): Date {
  const m = /^([+-]?\d+(?:\.\d+)?)([dhm])$/.exec(rel);
  if (!m) throw new AppError('validation_failed', `bad relative time ${rel}`);
  const n = Number(m[1]);
  const unit = m[2] === 'd' ? 86_400_000 : m[2] === 'h' ? 3_600_000 : 60_000;
  return new Date(start.getTime() + n * unit);
}

/** What the customer paid: the sum of facts.payments (a double charge counts twice), else order.payment.amount. */
export function paidAmount(f: Facts): number {
  return f.payments?.length ? Math.round(f.payments.reduce((s, p) => s + p.amount, 0) * 100) / 100 : f.order.payment.amount;
}

/** Days between the delivery and the drill start (for the rubric's market rules), if delivered. */
export function daysSinceDelivery(s: Scenario): number | undefined {
  const d = s.facts.order.delivered ?? s.facts.shipment?.delivered_at;
  if (!d) return undefined;
  return Math.max(0, Math.round(-resolveRelative(d, new Date(0)).getTime() / 86_400_000));
}

/** A scenario with a variant applied (deep enough for persona, lines, objections, reveals). */
export function applyVariant(s: Scenario, variantId: string | undefined): Scenario {
  if (!variantId || variantId === 'base') return s;
  const auto = AUTO_VARIANTS[variantId];
  if (auto) return { ...s, persona: { ...s.persona, ...auto(s.persona) } };
  const v = s.variants.find((x) => x.id === variantId);
  if (!v) throw new AppError('not_found', `Scenario ${s.id} has no variant ${variantId} (has: ${variantIds(s).join(', ')})`);
  return {
    ...s,
    language: v.language ?? s.language,
    persona: { ...s.persona, ...v.persona },
    opening: v.opening ?? s.opening,
    lines: { ...s.lines, ...v.lines },
    objections: v.language ? { ...v.objections } : { ...s.objections, ...v.objections },
    knows_and_reveals_when_asked: v.knows_and_reveals_when_asked
      ? Object.fromEntries(Object.entries(s.knows_and_reveals_when_asked).map(([k, f]) => [k, { ...f, ...v.knows_and_reveals_when_asked?.[k] }]))
      : s.knows_and_reveals_when_asked,
  };
}

/** Variants every scenario has without writing them: the same customer calmer or angrier, less patient. */
const AUTO_VARIANTS: Record<string, (p: Persona) => Partial<Persona>> = {
  calm: (p) => ({ mood: Math.max(0, Math.round((p.mood - 0.35) * 100) / 100), patience: p.patience + 1 }),
  furious: (p) => ({ mood: Math.min(1, Math.round((p.mood + 0.3) * 100) / 100), patience: Math.max(2, p.patience - 1) }),
};

export function variantIds(s: Scenario): string[] {
  return ['base', ...s.variants.map((v) => v.id), ...Object.keys(AUTO_VARIANTS)];
}
