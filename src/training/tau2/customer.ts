/**
 * The scripted tau2 customer: opens with the task's reason for calling (in the first person),
 * recognises what the trainee asks in each turn (the drill's act recognition plus tau2's own
 * questions: email, name + zip, order id, which item, payment method, cancellation reason, a
 * confirmation), answers only from what it knows (`knownInfo`, its own request), says it does not
 * know what `unknownInfo` says it does not know, and gives the explicit "yes" to a write the agent
 * proposes only when that write is one of the task's gold writes still to do (compared entity by
 * entity: order, items, new variants, payment method, address, reason); otherwise it declines and
 * says what it wants. It ends when the gold writes are done (after asking once for what it wanted
 * to know) or when the agent transfers it; it leaves when its patience runs out.
 * Deterministic for a seed. An LLM may word its lines (llm-customer.ts); the state is decided here.
 */
import { recogniseActs, type TurnActs } from '../acts.ts';
import { canonicalJson } from './sandbox.ts';
import { tau2ToolSpec } from './tools.ts';
import type { Tau2Action, Tau2Db, Tau2PaymentMethod, Tau2Task } from './types.ts';
import { conditionalSentences, firstPerson, fold, keywords, numbersIn, requestSentences, sentencesOf } from './text.ts';
import { mulberry32 } from '../../core/random.ts';

export type Tau2CustomerStatus = 'open' | 'accepted' | 'transferred' | 'left';

export interface Tau2CustomerState {
  status: Tau2CustomerStatus;
  /** 0 calm … 1 furious. */
  mood: number;
  /** Unproductive agent turns left before the customer gives up. */
  patience: number;
  agentTurns: number;
  /** Indices (into the gold actions) of gold writes already performed. */
  goldDone: number[];
  /** communicateInfo facts told, by index, with the agent turn and sentence. */
  told: Record<number, { turn: number; quote: string }>;
  /** The customer has asked for the facts it wanted to know (once, after the writes). */
  askedForInfo: boolean;
  confirmations: number;
  declines: number;
}

/** What the customer does in reply to one agent turn. */
export interface Tau2CustomerReply {
  /** Empty: the customer says nothing (it waits while the agent works). */
  text: string;
  gloss_zh: string;
  /** opening, confirmed:<tool>, declined:<why>, clarified:<what>, answered:<what>, unknown:<what>, … */
  reactions: string[];
  /** The explicit yes to the proposed write: the session records it in the sandbox. */
  confirm: boolean;
}

/** One tool call of the agent's turn, as the customer sees it. */
export interface Tau2SeenCall {
  name: string;
  arguments: Record<string, unknown>;
  ok: boolean;
  /** The index of the gold write it performed, if it was one. */
  gold?: number;
}

const WRITE_KIND: Record<string, string> = {
  exchange_delivered_order_items: 'exchange',
  modify_pending_order_items: 'modify_items',
  return_delivered_order_items: 'return',
  cancel_pending_order: 'cancel',
  modify_pending_order_address: 'order_address',
  modify_user_address: 'user_address',
  modify_pending_order_payment: 'payment',
};

/** Which words of a proposal name each kind of write. */
const KIND_WORDS: Record<string, RegExp> = {
  exchange: /\b(?:exchang\w*|swap\w*|replace\w*)\b|换货|更换/i,
  modify: /\b(?:modif\w*|chang\w*|switch\w*|updat\w*|upgrad\w*|downgrad\w*|replac\w*)\b|修改|更改/i,
  return: /\b(?:return\w*)\b|退货/i,
  refund: /\brefund\w*\b|退款/i,
  cancel: /\bcancel\w*\b|取消/i,
  address: /\baddress\w*\b|地址/i,
  payment: /\b(?:payment method|pay(?:ing)? (?:for (?:it|the order) )?(?:with|by|using)|paid (?:with|by))\b|支付方式|付款方式/i,
};

const ACCEPTS: Record<string, string[]> = {
  exchange: ['exchange', 'modify'],
  modify_items: ['exchange', 'modify'],
  return: ['return', 'refund'],
  cancel: ['cancel'],
  order_address: ['address'],
  user_address: ['address'],
  payment: ['payment', 'modify'],
};

/** A request for the customer's explicit go-ahead. */
const CONFIRM_RE =
  /\b(?:confirm\w*|proceed\w*|go ahead|(?:shall|should|may|can) i (?:go ahead|process|place|submit|do (?:it|that|this)|make (?:the|this|these|that) changes?|cancel|exchange|return|change|modify|update)|do you want me to|would you like me to|is (?:that|this) (?:correct|right|ok|okay|alright)|(?:reply|answer|respond|say) (?:with )?["“']?yes|ok to|okay to|do you agree|are you sure)\b|确认|是否继续|可以吗|同意吗|要我/i;
const QUESTION_RE = /\?|？|\b(?:could you|can you|would you|please (?:provide|give|tell|share|confirm|let me know)|may i (?:have|know|get)|let me know|what is|what's)\b|请(?:提供|告诉|确认)/i;
const NEGATION_RE = /\b(?:except|not|keep|keeping|without|other than|but not|excluding|no longer)\b/i;
const UNAVAILABLE_RE = /\b(?:not available|unavailable|out of stock|no (?:such|matching)|isn'?t (?:available|possible)|not possible|cannot|can'?t|unable|doesn'?t exist|there is no|there are no|only (?:one|1)\b)/i;

const ORDER_ID_RE = /#\s?W\d{1,8}\b|\bW\d{7}\b/g;
const TEN_DIGITS_RE = /\b\d{10}\b/g;
const PM_ID_RE = /\b(?:credit_card|gift_card|paypal)_\d+\b/gi;
const EMAIL_RE = /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g;
const USER_ID_RE = /\b[a-z]+_[a-z]+_\d{3,5}\b/g;

const normOrderId = (s: string) => `#${s.replace(/[#\s]/g, '').toUpperCase()}`;

interface Proposal {
  kinds: Set<string>;
  orderIds: Set<string>;
  tenDigits: Set<string>;
  pmIds: Set<string>;
  pmWords: { paypal: boolean; giftCard: boolean; creditCard: boolean; original: boolean; brands: Set<string>; lastFour: Set<string> };
  folded: string;
  /** The text with negated clauses ("except the pet bed") removed, folded. */
  positive: string;
  defaultAddress: boolean;
}

function proposalOf(text: string): Proposal {
  const lower = text.toLowerCase();
  const kinds = new Set<string>();
  for (const [k, re] of Object.entries(KIND_WORDS)) if (re.test(text)) kinds.add(k);
  const positive = sentencesOf(text)
    .map((s) => s.split(/[,;]|\band\b/).filter((c) => !NEGATION_RE.test(c)).join(' '))
    .join(' ');
  return {
    kinds,
    orderIds: new Set((text.match(ORDER_ID_RE) ?? []).map(normOrderId)),
    tenDigits: new Set(text.match(TEN_DIGITS_RE) ?? []),
    pmIds: new Set((text.match(PM_ID_RE) ?? []).map((x) => x.toLowerCase())),
    pmWords: {
      paypal: /pay ?pal/.test(lower),
      giftCard: /gift ?card|\bgc\b/.test(lower),
      creditCard: /credit card|\bcard ending|\bvisa\b|mastercard|\bamex\b|american express|discover/.test(lower),
      original: /original (?:payment|method|card|form)/.test(lower),
      brands: new Set((lower.match(/\b(?:visa|mastercard|amex|american express|discover)\b/g) ?? []).map((b) => (b === 'american express' ? 'amex' : b))),
      lastFour: new Set([...lower.matchAll(/(?:ending(?: in| with)?|last (?:four|4)(?: digits)?(?: of)?|\*{2,}|x{2,})\s*:?\s*(\d{4})\b/g)].map((m) => m[1])),
    },
    folded: fold(text),
    positive: fold(positive),
    defaultAddress: /\b(?:default|profile|account|user) address\b|\baddress (?:on|in|of) (?:your|the) (?:profile|account)\b/i.test(text),
  };
}

/** Does the (folded) text state this option value? "none" also as "no backlight" / "without backlight". */
function optionSaid(folded: string, key: string, value: string): boolean {
  const v = fold(value);
  if (v && folded.includes(v)) return true;
  if (v === 'none' || v === 'no') {
    const k = fold(key).split(' ').pop() ?? '';
    return k.length > 2 && new RegExp(`\\b(?:no|without|non)\\s+${k}`).test(folded);
  }
  return false;
}

/** How a customer names a payment method ("my PayPal account", "my Visa credit card"). */
export function describePaymentMethod(pm: Readonly<Tau2PaymentMethod> | undefined): string {
  if (!pm) return 'the original payment method';
  if (pm.source === 'paypal') return 'my PayPal account';
  if (pm.source === 'gift_card') return 'my gift card';
  if (pm.source === 'credit_card') return pm.brand ? `my ${pm.brand.charAt(0).toUpperCase()}${pm.brand.slice(1)} credit card` : 'my credit card';
  return `my ${pm.source.replace(/_/g, ' ')}`;
}

/** Whether two tool calls do the same write (lists compared as sets of pairs, as the database sees them). */
export function sameWrite(a: Tau2Action, b: Tau2Action): boolean {
  if (a.name !== b.name) return false;
  if (a.name === 'transfer_to_human_agents') return true;
  const norm = (x: Tau2Action) => {
    const args = { ...x.arguments };
    const ids = args.item_ids;
    const next = args.new_item_ids;
    if (Array.isArray(ids) && Array.isArray(next)) {
      const pairs = ids.map((id, i) => `${String(id)}>${String(next[i])}`).sort();
      delete args.item_ids;
      delete args.new_item_ids;
      args.pairs = pairs;
    } else if (Array.isArray(ids)) args.item_ids = [...ids].map(String).sort();
    return canonicalJson(args);
  };
  return norm(a) === norm(b);
}

export const isWrite = (name: string) => tau2ToolSpec(name)?.kind === 'write';

const YES = ['Yes, please go ahead.', 'Yes, I confirm. Please proceed.', 'Yes, that is right, please do it.', 'Yes, go ahead with that.'];
const YES_ZH = '是的，请继续办理。';

interface Gold {
  index: number;
  action: Tau2Action;
  kind: string;
}

export class Tau2Customer {
  readonly state: Tau2CustomerState;
  private readonly rand: () => number;
  private readonly requests: string[];
  private readonly conditionals: string[];
  private readonly revealedConditionals = new Set<number>();
  private readonly golds: Gold[];
  private readonly transferGoal: boolean;
  private lastRestated = -1;

  constructor(
    readonly task: Tau2Task,
    private readonly db: Readonly<Tau2Db>,
    readonly seed: number,
  ) {
    // the same seed picks the same phrasings (a seed of 0 counts as 1, as it always has here)
    this.rand = mulberry32((seed * 7919 + Number(task.id.replace(/\D/g, '') || 0)) >>> 0 || 1);
    this.requests = requestSentences(task.reasonForCall).map(firstPerson);
    if (!this.requests.length) this.requests.push('I need some help with my orders.');
    this.conditionals = conditionalSentences(task.reasonForCall).map(firstPerson);
    this.golds = task.goldActions.flatMap((action, index) => (WRITE_KIND[action.name] ? [{ index, action, kind: WRITE_KIND[action.name] }] : []));
    this.transferGoal = task.goldActions.some((a) => a.name === 'transfer_to_human_agents');
    const text = `${task.taskInstructions} ${task.reasonForCall}`.toLowerCase();
    const upset = /angry|frustrat|bad mood|upset|furious|swear/.test(text);
    const hurried = /impatient|rush|urgent|quickly|as soon as possible|anxious/.test(text);
    this.state = {
      status: 'open',
      mood: upset ? 0.6 : hurried ? 0.45 : 0.3,
      patience: hurried || upset ? 4 : 6,
      agentTurns: 0,
      goldDone: [],
      told: {},
      askedForInfo: false,
      confirmations: 0,
      declines: 0,
    };
  }

  /** The gold writes (and their index in the gold actions). */
  get goldWrites(): readonly { index: number; action: Tau2Action }[] {
    return this.golds;
  }

  private pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.rand() * list.length) % list.length];
  }

  opening(): Tau2CustomerReply {
    const hello = this.pick(['Hi.', 'Hello.', 'Hi there.', 'Hello, I need some help.']);
    const text = `${hello} ${this.requests.join(' ')}`;
    return { text, gloss_zh: `客户说明来意（英文原文见上）：${this.requests.join(' ')}`, reactions: ['opening'], confirm: false };
  }

  /** Gold writes not performed yet. */
  pendingGolds(): Gold[] {
    const done = new Set(this.state.goldDone);
    return this.golds.filter((g) => !done.has(g.index));
  }

  /** A successful write: which pending gold write it performs (if any), marked done. */
  recordWrite(call: Tau2Action): number | undefined {
    const g = this.pendingGolds().find((x) => sameWrite(x.action, call));
    if (g) this.state.goldDone.push(g.index);
    return g?.index;
  }

  private goalDone(): boolean {
    return this.golds.length > 0 && this.pendingGolds().length === 0;
  }

  /** Facts of communicateInfo stated in an agent's text (numbers compared as values). */
  private noteTold(text: string, turn: number): number[] {
    const found: number[] = [];
    const sentences = sentencesOf(text);
    this.task.communicateInfo.forEach((fact, i) => {
      if (this.state.told[i]) return;
      const numeric = /^\s*-?\$?\d[\d,]*(\.\d+)?\s*$/.test(fact);
      const hit = sentences.find((s) => {
        if (numeric) {
          const v = Number(fact.replace(/[$,\s]/g, ''));
          return numbersIn(s).some((n) => Math.abs(n - v) < 0.005);
        }
        return fold(s).includes(fold(fact));
      });
      if (hit !== undefined) {
        this.state.told[i] = { turn, quote: hit.slice(0, 200) };
        found.push(i);
      }
    });
    return found;
  }

  private allTold(): boolean {
    return this.task.communicateInfo.every((_f, i) => this.state.told[i] !== undefined);
  }

  /** The sentences of the request that say what the customer wanted to know. */
  private infoQuestions(): string[] {
    return this.requests.filter((s) => /\b(?:know|wonder|ask|how much|total|balance|tracking|which|what)\b/i.test(s));
  }

  /** The request sentence most related to `text` (ties: the first not restated last time). */
  private relevantRequest(text: string): string {
    const kw = keywords(text);
    let best = 0;
    let bestScore = -1;
    this.requests.forEach((s, i) => {
      let score = 0;
      for (const w of keywords(s)) if (kw.has(w)) score++;
      if (i === this.lastRestated) score -= 0.5;
      if (score > bestScore) {
        bestScore = score;
        best = i;
      }
    });
    this.lastRestated = best;
    return this.requests[best];
  }

  // -------------------------------------------------------------------------------------
  // What the customer knows

  private emails(): string[] {
    return this.task.knownInfo.match(EMAIL_RE) ?? [];
  }
  private identity(): string {
    return firstPerson(this.task.knownInfo.replace(/\s+/g, ' ').trim()) || "I'd rather not say.";
  }
  private unknownAbout(what: RegExp): string | null {
    const s = sentencesOf(this.task.unknownInfo).find((x) => what.test(x));
    return s ? firstPerson(s) : null;
  }

  private answerEmail(): { text: string; reaction: string } {
    const mails = this.emails();
    if (mails.length === 1) return { text: `My email is ${mails[0]}.`, reaction: 'answered:email' };
    if (mails.length > 1) return { text: `I have two emails: ${mails.join(' and ')}.`, reaction: 'answered:email' };
    const unknown = (this.unknownAbout(/email/i) ?? "I don't remember my email address.").replace(/([^.!?])$/, '$1.');
    const offer = /\d{5}|[A-Z][a-z]+ [A-Z][a-z]+|_\d{3,}/.test(this.task.knownInfo) ? ' I can give you my name and zip code instead.' : '';
    return { text: `${unknown}${offer}`, reaction: 'unknown:email' };
  }

  private answerOrderId(): { text: string; reaction: string } {
    const ids = [...new Set([...(this.task.reasonForCall.match(ORDER_ID_RE) ?? []), ...(this.task.knownInfo.match(ORDER_ID_RE) ?? [])])];
    if (ids.length) return { text: `It's ${ids.map((x) => (x.startsWith('#') ? x : `#${x}`)).join(' and ')}.`, reaction: 'answered:order_id' };
    const unknown = this.unknownAbout(/order (?:number|id)/i);
    return { text: `${unknown ?? "I don't remember the order number."} Can you look it up in my account?`, reaction: 'unknown:order_id' };
  }

  private answerPayment(): { text: string; reaction: string } {
    const said = this.requests.find((s) => /pay ?pal|gift ?card|credit card|\bcard\b|payment|refund (?:to|on)|\bpay\b/i.test(s));
    if (said) return { text: said, reaction: 'answered:payment' };
    const g = this.pendingGolds().find((x) => typeof x.action.arguments.payment_method_id === 'string');
    if (!g) return { text: 'Please use the original payment method.', reaction: 'answered:payment' };
    return { text: `Please use ${this.pmDescription(g.action)}.`, reaction: 'answered:payment' };
  }

  private pmDescription(action: Tau2Action): string {
    const pmId = String(action.arguments.payment_method_id ?? '');
    const order = typeof action.arguments.order_id === 'string' ? this.db.orders[action.arguments.order_id] : undefined;
    const user = order ? this.db.users[order.user_id] : this.task.userId ? this.db.users[this.task.userId] : undefined;
    if (order && order.payment_history[0]?.payment_method_id === pmId && action.name !== 'modify_pending_order_payment') {
      return `the original payment method (${describePaymentMethod(user?.payment_methods[pmId]).replace(/^my /, '')})`;
    }
    return describePaymentMethod(user?.payment_methods[pmId]);
  }

  private answerCancelReason(): { text: string; reaction: string } | null {
    const g = this.pendingGolds().find((x) => x.kind === 'cancel');
    const reason = g ? String(g.action.arguments.reason ?? '') : '';
    if (reason === 'ordered by mistake') return { text: 'I ordered it by mistake.', reaction: 'answered:reason' };
    if (reason === 'no longer needed') return { text: "I don't need it anymore.", reaction: 'answered:reason' };
    return null;
  }

  // -------------------------------------------------------------------------------------
  // Proposals

  /** Does the proposal name this item by its id? */
  private mentionsItem(p: Proposal, id: string): boolean {
    return /^\d{10}$/.test(id) ? p.tenDigits.has(id) : p.folded.includes(fold(id));
  }

  /** Does the text name this product ("Mechanical Keyboard", or just "keyboard")? */
  private namesProduct(text: string, name: string): boolean {
    const n = fold(name);
    if (!n) return false;
    if (text.includes(n)) return true;
    const head = n.split(' ').pop() ?? n;
    const heads = [head, head.endsWith('s') ? head.slice(0, -1) : `${head}s`];
    if (head === 't shirt') heads.push('tshirt');
    return heads.some((h) => h.length >= 3 && new RegExp(`\\b${h.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`).test(text));
  }

  /**
   * Checks a proposal against one gold write: 'yes' when it names that write well enough and
   * nothing in it contradicts; otherwise what is missing or wrong.
   */
  private judge(p: Proposal, g: Gold): { ok: true } | { ok: false; contradiction: boolean; what: string; say: string } {
    const a = g.action.arguments;
    if (!ACCEPTS[g.kind].some((k) => p.kinds.has(k))) return { ok: false, contradiction: false, what: 'kind', say: '' };
    const orderId = typeof a.order_id === 'string' ? a.order_id : null;
    const order = orderId ? this.db.orders[orderId] : undefined;
    if (orderId && p.orderIds.size > 0 && !p.orderIds.has(orderId)) {
      return { ok: false, contradiction: true, what: 'order', say: `No, that's not the order I mean.` };
    }
    if (g.kind === 'user_address' && p.orderIds.size > 0 && !p.defaultAddress) {
      return { ok: false, contradiction: false, what: 'kind', say: '' };
    }
    if (g.kind === 'order_address' && p.defaultAddress && p.orderIds.size === 0) {
      return { ok: false, contradiction: false, what: 'kind', say: '' };
    }
    // items
    const itemIds = Array.isArray(a.item_ids) ? a.item_ids.map(String) : [];
    const newIds = Array.isArray(a.new_item_ids) ? a.new_item_ids.map(String) : [];
    const known = new Set<string>([...itemIds, ...newIds]);
    if (order) for (const it of order.items) if (itemIds.includes(it.item_id)) known.add(it.product_id);
    for (const id of p.tenDigits) {
      if (!known.has(id)) return { ok: false, contradiction: true, what: 'item', say: `No, that's not the item I want.` };
    }
    if (order && itemIds.length) {
      const lines = order.items.filter((it) => itemIds.includes(it.item_id));
      const names = [...new Set(lines.map((it) => it.name))];
      const missing = names.filter((n) => !lines.some((l) => l.name === n && p.tenDigits.has(l.item_id)) && !this.namesProduct(p.folded, n));
      if (missing.length) {
        return { ok: false, contradiction: false, what: 'items', say: `That's not everything: I also mean the ${missing.map((n) => n.toLowerCase()).join(' and the ')}.` };
      }
      // lines of the same product the customer does not mean: the proposal must tell them apart
      const rest = order.items.filter((it, i) => !itemIds.includes(it.item_id) || order.items.findIndex((x) => x.item_id === it.item_id) !== i);
      for (const l of lines) {
        if (this.mentionsItem(p, l.item_id)) continue;
        const twins = rest.filter((it) => it.name === l.name && it.item_id !== l.item_id);
        if (!twins.length) continue;
        const own = Object.entries(l.options).filter(([k, v]) => twins.every((t) => t.options[k] !== v)).map(([, v]) => fold(v));
        const theirs = twins.flatMap((t) => Object.entries(t.options).filter(([k, v]) => l.options[k] !== v).map(([, v]) => fold(v)));
        const saysOwn = own.some((v) => v && p.folded.includes(v));
        if (!saysOwn && theirs.some((v) => v && p.positive.includes(v))) {
          return { ok: false, contradiction: true, what: 'items', say: `No, not that one: I mean the ${l.name.toLowerCase()} with ${Object.entries(l.options).map(([k, v]) => `${k} ${v}`).join(', ')}.` };
        }
        if (!saysOwn && own.length) {
          return { ok: false, contradiction: false, what: 'items', say: `Which ${l.name.toLowerCase()} do you mean? I mean the one with ${Object.entries(l.options).map(([k, v]) => `${k} ${v}`).join(', ')}.` };
        }
      }
      const others = [...new Set(order.items.filter((it) => !itemIds.includes(it.item_id)).map((it) => it.name))].filter((n) => !names.includes(n));
      const extra = others.filter((n) => this.namesProduct(p.positive, n));
      if (extra.length) {
        return { ok: false, contradiction: true, what: 'items', say: `No, I don't want that for the ${extra.map((n) => n.toLowerCase()).join(' or the ')}.` };
      }
      // the new variants: by id, or by the options that change
      for (let i = 0; i < newIds.length; i++) {
        if (p.tenDigits.has(newIds[i])) continue;
        const old = order.items.find((it) => it.item_id === itemIds[i]);
        const variant = old ? this.db.products[old.product_id]?.variants[newIds[i]] : undefined;
        if (!old || !variant) continue;
        const changed = Object.entries(variant.options).filter(([k, v]) => old.options[k] !== v);
        const unsaid = changed.filter(([k, v]) => !optionSaid(p.folded, k, v));
        if (unsaid.length) {
          return { ok: false, contradiction: false, what: 'new_item', say: `Not quite: for the ${old.name.toLowerCase()} I want ${changed.map(([k, v]) => `${k} ${v}`).join(', ')}.` };
        }
      }
    }
    // payment method
    if (typeof a.payment_method_id === 'string') {
      const pmId = a.payment_method_id;
      const user = order ? this.db.users[order.user_id] : this.task.userId ? this.db.users[this.task.userId] : undefined;
      const pm = user?.payment_methods[pmId];
      const w = p.pmWords;
      const mentioned = p.pmIds.size > 0 || w.paypal || w.giftCard || w.creditCard || w.original || w.lastFour.size > 0;
      const preferred = `I'd like to use ${this.pmDescription(g.action)}.`;
      if (!mentioned) return { ok: false, contradiction: false, what: 'payment', say: `Which payment method would that use? ${preferred}` };
      let fits = false;
      if (p.pmIds.size > 0) fits = p.pmIds.has(pmId.toLowerCase()) && p.pmIds.size === 1;
      else if (w.original && !w.paypal && !w.giftCard && !(w.creditCard && w.brands.size)) {
        fits = order?.payment_history[0]?.payment_method_id === pmId && g.kind !== 'payment';
      } else if (pm) {
        const src = pm.source;
        fits =
          (src === 'paypal' && w.paypal && !w.giftCard) ||
          (src === 'gift_card' && w.giftCard && !w.paypal) ||
          (src === 'credit_card' && w.creditCard && !w.paypal && !w.giftCard && (w.brands.size === 0 || w.brands.has(String(pm.brand ?? '').toLowerCase())));
        if (fits && w.lastFour.size > 0) fits = pm.last_four !== undefined && w.lastFour.has(pm.last_four);
      }
      if (!fits) return { ok: false, contradiction: true, what: 'payment', say: `No. ${preferred}` };
    }
    // address
    if (g.kind === 'order_address' || g.kind === 'user_address') {
      const zip = String(a.zip ?? '');
      const street = fold(String(a.address1 ?? ''));
      const line2 = fold(String(a.address2 ?? ''));
      const zips: string[] = p.folded.match(/\b\d{5}\b/g) ?? [];
      const about = this.relevantRequest('address deliver delivered ship sent move moved suite street');
      if (!zips.length) return { ok: false, contradiction: false, what: 'address', say: `Could you read me the full new address first? ${about}` };
      if (!zips.includes(zip) || (street && !p.folded.includes(street)) || (line2 && !p.folded.includes(line2))) {
        return { ok: false, contradiction: true, what: 'address', say: `No, that's not the right address. ${about}` };
      }
    }
    // cancellation reason: a wrong one is a contradiction; none is fine (the customer gives it)
    if (g.kind === 'cancel') {
      const reason = String(a.reason ?? '');
      const other = reason === 'ordered by mistake' ? 'no longer needed' : 'ordered by mistake';
      if (p.folded.includes(other) && !p.folded.includes(reason)) {
        return { ok: false, contradiction: true, what: 'reason', say: `Not for that reason: ${reason === 'ordered by mistake' ? 'I ordered it by mistake' : "I just don't need it anymore"}.` };
      }
    }
    return { ok: true };
  }

  // -------------------------------------------------------------------------------------

  /**
   * The customer's reply to one agent turn: `text` (may be empty for a tool-only turn) and the
   * calls it made (their results already applied to the sandbox).
   */
  respond(text: string, calls: Tau2SeenCall[]): Tau2CustomerReply {
    const st = this.state;
    const said: string[] = [];
    const gloss: string[] = [];
    const reactions: string[] = [];
    let confirm = false;
    let productive = false;
    const say = (t: string, zh: string, reaction?: string) => {
      if (t && !said.includes(t)) {
        said.push(t);
        gloss.push(zh);
      }
      if (reaction) reactions.push(reaction);
    };
    if (text) st.agentTurns++;

    // --- what the agent's tools did ---------------------------------------------------------
    for (const c of calls) {
      if (!c.ok) continue;
      productive = true;
      if (c.name === 'transfer_to_human_agents') {
        st.status = 'transferred';
        return { text: 'Okay, thank you. I will wait for the human agent.', gloss_zh: '好的，谢谢，我等人工客服。', reactions: [...reactions, 'transferred'], confirm: false };
      }
      if (isWrite(c.name)) {
        if (c.gold !== undefined) reactions.push(`done:${c.name}`);
        else {
          st.mood = Math.min(1, st.mood + 0.2);
          say("Wait, that's not what I asked for.", '等等，这不是我要的。', `unwanted:${c.name}`);
        }
      }
    }
    if (!text) {
      // a tool-only turn: the customer waits, unless the last goal write was just done
      if (this.goalDone() && calls.some((c) => c.gold !== undefined)) return this.finishOrAsk(reactions, said, gloss);
      return { text: said.join(' '), gloss_zh: gloss.join(''), reactions, confirm: false };
    }

    const acts: TurnActs = recogniseActs(text, { language: 'en' });
    const told = this.noteTold(text, st.agentTurns);
    if (told.length) {
      productive = true;
      reactions.push(...told.map((i) => `told:${i}`));
    }
    if (acts.empathy || acts.apology) st.mood = Math.max(0, st.mood - 0.05);
    if (acts.blame || acts.rude) st.mood = Math.min(1, st.mood + 0.2);
    if (acts.sensitive) {
      st.mood = Math.min(1, st.mood + 0.2);
      say("I'm not comfortable sharing that.", '我不方便提供这个信息。', 'refused:sensitive');
    }

    const sentences = sentencesOf(text);
    const questions = sentences.filter((s) => QUESTION_RE.test(s));
    const qText = questions.join(' ');
    const lowerQ = qText.toLowerCase();

    // --- a proposed write: yes only to a gold write still to do ----------------------------
    const proposalSentences = sentences.filter((s) => CONFIRM_RE.test(s));
    const confirmAsked = proposalSentences.length > 0;
    if (confirmAsked) {
      productive = true;
      const p = proposalOf(text);
      const writeWords = ['exchange', 'modify', 'return', 'refund', 'cancel', 'address', 'payment'].some((k) => p.kinds.has(k));
      if (!writeWords) {
        say('Yes, that is correct.', '是的，没错。', 'affirmed');
      } else {
        const pending = this.pendingGolds();
        let verdict: ReturnType<Tau2Customer['judge']> | null = null;
        let match: Gold | undefined;
        for (const g of pending) {
          const j = this.judge(p, g);
          if (j.ok) {
            match = g;
            break;
          }
          if (j.what !== 'kind' && (!verdict || (!j.contradiction && verdict.ok === false && verdict.contradiction))) verdict = j;
        }
        if (match) {
          confirm = true;
          st.confirmations++;
          const yes = this.pick(YES);
          let extra = '';
          if (match.kind === 'cancel' && !/no longer needed|ordered by mistake/.test(p.folded)) extra = ` ${this.answerCancelReason()?.text ?? ''}`;
          say(`${yes}${extra}`.trim(), YES_ZH, `confirmed:${match.action.name}`);
        } else {
          st.declines++;
          st.mood = Math.min(1, st.mood + 0.05);
          if (verdict && verdict.ok === false) {
            say(verdict.say, '不对，这不是我想要的（客户说明了原因）。', `declined:${verdict.what}`);
          } else if (this.golds.length === 0) {
            say("No, actually, let's not do that.", '不，还是不要这样做了。', 'declined:not_wanted');
          } else if (pending.length === 0) {
            say("No, please don't change anything else.", '不用了，请不要再做其他更改。', 'declined:done');
          } else {
            say(`No, I don't want that. ${this.relevantRequest(text)}`, '不，我不想这样。（客户重述了诉求）', 'declined:not_wanted');
          }
        }
      }
    }

    // --- questions the customer can answer -------------------------------------------------
    if (questions.length) {
      const asks = new Set(acts.asks);
      const askEmail = asks.has('email') || /e-?mail|邮箱/.test(lowerQ);
      const askName = asks.has('name') || /\bname\b|姓名|名字/.test(lowerQ);
      const askZip = /\bzip\b|postal code|post code|postcode|邮编/.test(lowerQ);
      const askUserId = /user ?id|account id|username|用户id/.test(lowerQ);
      const askOrder = asks.has('order_number') || /order (?:id|number)|which order|订单号/.test(lowerQ);
      const askPayment = /payment method|which (?:card|payment)|pay (?:for|with)|refund (?:to|go)|how would you like to (?:pay|be refunded)|gift card|paypal|credit card|付款|支付/.test(lowerQ) && !confirm;
      const askReason = /\breason\b|why (?:do|would) you (?:like|want) to cancel|原因/.test(lowerQ) && !confirm;
      const askWhich = /which (?:item|product|one|ones)|what (?:item|product|would you like|do you want|can i help)|how can i (?:help|assist)|what (?:else )?can i do|(?:which|what) (?:size|colou?r|option|variant|material|type|capacity|kind)|do you prefer|would you prefer|preference|哪(?:件|个)|需要什么帮助/.test(lowerQ);
      const askElse = /anything else|something else|any other|还有.*(?:帮|需要)/.test(lowerQ);
      const askAddress = (asks.has('address') || /\baddress\b/.test(lowerQ.replace(/e-?mail address/g, ''))) && /\baddress\b/.test(lowerQ.replace(/e-?mail address/g, '')) && !askZip;
      if (askEmail) {
        const r = this.answerEmail();
        say(r.text, r.reaction === 'unknown:email' ? '我不记得我的邮箱了。' : '我的邮箱是……（见原文）', r.reaction);
      }
      const newAddress = askAddress && this.pendingGolds().some((g) => g.kind === 'order_address' || g.kind === 'user_address');
      if (askName || askZip || (askAddress && !newAddress)) {
        say(this.identity(), '这是我的身份信息（见原文）。', 'answered:identity');
      }
      if (askUserId) {
        const ids = this.task.knownInfo.match(USER_ID_RE);
        if (ids?.length) say(`My user id is ${ids[0]}.`, '我的用户 ID 见原文。', 'answered:user_id');
        else say("I don't know my user id.", '我不知道我的用户 ID。', 'unknown:user_id');
      }
      if (askOrder && !confirm) {
        const r = this.answerOrderId();
        say(r.text, r.reaction === 'answered:order_id' ? '订单号见原文。' : '我不记得订单号，你能在我的账户里查一下吗？', r.reaction);
      }
      if (askPayment && !confirmAsked) {
        const r = this.answerPayment();
        say(r.text, '付款方式见原文。', r.reaction);
      }
      if (askReason && !confirmAsked) {
        const r = this.answerCancelReason();
        if (r) say(r.text, r.text.includes('mistake') ? '我下错单了。' : '我不再需要了。', r.reaction);
      }
      if (newAddress) {
        say(this.relevantRequest('address deliver delivered ship sent move moved suite street'), '新地址见原文。', 'answered:address');
      }
      if (askWhich && !confirmAsked) {
        say(this.relevantRequest(qText), '客户说明了具体诉求（见原文）。', 'answered:request');
      }
      if (askElse && !confirmAsked) {
        const pending = this.pendingGolds();
        if (pending.length) say(`Yes. ${this.relevantRequest(this.describeGold(pending[0]))}`, '还有，客户重述了尚未办理的诉求。', 'answered:pending');
        else if (this.allTold() || st.askedForInfo || !this.infoQuestions().length) {
          st.status = 'accepted';
          return { text: [...said, "No, that's all. Thank you for your help!"].join(' '), gloss_zh: `${gloss.join('')}没有了，谢谢你的帮助！`, reactions: [...reactions, 'thanks'], confirm };
        } else {
          st.askedForInfo = true;
          say(`One more thing: ${this.infoQuestions()[0]}`, '还有一件事：客户想了解的信息（见原文）。', 'asked:info');
        }
      }
      if (said.length) productive = true;
    }

    // --- the agent says something is not possible: the customer's fallback ------------------
    if (UNAVAILABLE_RE.test(text) && !confirmAsked) {
      // the first unrevealed fallback that is about what the agent said (a shared word: "keyboard", "gift card"…)
      const kw = keywords(text);
      const i = this.conditionals.findIndex((c, k) => !this.revealedConditionals.has(k) && [...keywords(c)].some((w) => kw.has(w)));
      if (i >= 0) {
        this.revealedConditionals.add(i);
        productive = true;
        say(this.conditionals[i].replace(/^If /, 'In that case, if '), '那样的话，客户给出了备选方案（见原文）。', 'fallback');
      }
    }

    // --- the goal is done ------------------------------------------------------------------
    if (this.goalDone() && !confirm && (calls.some((c) => c.gold !== undefined) || st.askedForInfo || acts.closing)) {
      return this.finishOrAsk(reactions, said, gloss);
    }
    if (this.golds.length === 0 && !this.transferGoal && !confirmAsked && this.allTold() && this.task.communicateInfo.length > 0 && told.length) {
      st.status = 'accepted';
      return { text: [...said, 'Thanks, that answers my question. That is all I needed.'].join(' '), gloss_zh: `${gloss.join('')}谢谢，这解答了我的问题，没有别的了。`, reactions: [...reactions, 'thanks'], confirm };
    }
    if (told.length && !said.length) say('Okay, thanks for letting me know.', '好的，谢谢告知。');

    // --- nothing the customer could use ----------------------------------------------------
    if (!productive && !said.length) {
      if (acts.offers.includes('wait') || /\b(?:let me|i will|i'll|one moment|give me a (?:moment|second))\b/i.test(text)) {
        say('Sure, I can wait.', '好的，我可以等。', 'waits');
      } else {
        st.patience--;
        st.mood = Math.min(1, st.mood + 0.1);
        if (st.patience <= 0) {
          st.status = 'left';
          return { text: "This isn't going anywhere. I'll contact you another time.", gloss_zh: '这样下去没有结果，我改天再联系你们。', reactions: [...reactions, 'left'], confirm: false };
        }
        say(`Can you help me with this? ${this.relevantRequest(text)}`, '你能帮我处理吗？（客户重述了诉求）', 'asked_again');
      }
    }
    return { text: said.join(' '), gloss_zh: gloss.join(''), reactions, confirm };
  }

  /** All gold writes are done: ask once for what the customer wanted to know, else thank and end. */
  private finishOrAsk(reactions: string[], said: string[], gloss: string[]): Tau2CustomerReply {
    const st = this.state;
    const questions = this.infoQuestions();
    if (!this.allTold() && !st.askedForInfo && questions.length) {
      st.askedForInfo = true;
      return { text: [...said, `Thank you. ${questions[0]}`].join(' '), gloss_zh: `${gloss.join('')}谢谢。客户还想了解一些信息（见原文）。`, reactions: [...reactions, 'asked:info'], confirm: false };
    }
    st.status = 'accepted';
    return { text: [...said, 'Great, that is everything I needed. Thank you!'].join(' '), gloss_zh: `${gloss.join('')}太好了，我需要的都办好了，谢谢！`, reactions: [...reactions, 'thanks'], confirm: false };
  }

  /** Words for a gold write (for finding the request sentence about it). */
  private describeGold(g: Gold): string {
    const a = g.action.arguments;
    const order = typeof a.order_id === 'string' ? this.db.orders[a.order_id] : undefined;
    const ids = Array.isArray(a.item_ids) ? a.item_ids.map(String) : [];
    const names = order ? order.items.filter((it) => ids.includes(it.item_id)).map((it) => it.name) : [];
    return `${g.kind.replace('_', ' ')} ${names.join(' ')} ${g.kind.includes('address') ? 'address' : ''}`;
  }
}

/** Product name of an item line (for descriptions), exported for the session view. */
export function productNameOf(db: Readonly<Tau2Db>, productId: string): string {
  return db.products[productId]?.name ?? productId;
}
