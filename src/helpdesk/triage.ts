/**
 * Triage of one inbound customer message: language, category, sentiment and anger, entities,
 * urgency and priority, with the reasons an agent sees ("why is this urgent").
 *
 * Offline and fast: the models are trained once per process from the corpus's train split
 * (content/triage/corpus) and the lexicons (content/triage/lexicons). Never throws.
 */
import { detectLanguage } from '../text/language.ts';
import { extractEntities, type Entities } from '../text/extract.ts';
import { decideAngry, getModels, readCapitals, shoutCounts, lexiconHitsPrepared, predictAll, triageFeaturesPrepared, type LexiconHits } from '../text/models.ts';
import { prepareText } from '../text/classifier.ts';
import type { Category, Sentiment } from '../text/corpus.ts';

export type { Category, Sentiment } from '../text/corpus.ts';
export type Priority = 'urgent' | 'high' | 'normal' | 'low';

export interface TriageInput {
  text: string;
  subject?: string;
  /** Languages of the customer's earlier messages, oldest first. */
  previousLanguages?: string[];
  /** Store market (ISO 3166 alpha-2). */
  market?: string;
  /** Order value in the store's currency. */
  orderValue?: number;
  /** Currency of orderValue, for the reason text (default USD). */
  currency?: string;
  vip?: boolean;
  /** Minutes the customer has already waited for an answer. */
  waitedMinutes?: number;
}

/**
 * One reason behind the result, explainable in the agent's UI language.
 * `code` is stable (for filters and tests); `en` and `zh` are the sentences shown;
 * `weight` is what it added to urgency (0 for reasons that only explain).
 */
export interface TriageReason {
  code:
    | 'language'
    | 'category'
    | 'threat'
    | 'insult'
    | 'shouting'
    | 'negative'
    | 'order_value'
    | 'vip'
    | 'waited'
    | 'category_urgency'
    | 'order_number'
    | 'truncated'
    | 'empty';
  en: string;
  zh: string;
  weight: number;
}

export interface TriageResult {
  language: string | null;
  languageConfidence: number;
  category: Category;
  confidence: number;
  sentiment: Sentiment;
  angry: boolean;
  /** 0..1 */
  urgency: number;
  priority: Priority;
  reasons: TriageReason[];
  entities: Entities;
}

/** Only the first characters are analysed (a 1 MB message costs what a 16 kB one does). */
export const TRIAGE_WINDOW = 16_000;

/** What each category adds to urgency before anything else is known. */
export const CATEGORY_URGENCY: Readonly<Record<Category, number>> = {
  order_status: 0.2,
  lost_parcel: 0.35,
  damaged_item: 0.3,
  wrong_item: 0.3,
  defective_item: 0.3,
  return_request: 0.2,
  exchange_request: 0.2,
  refund: 0.3,
  cancellation: 0.4, // must be acted on before the parcel ships
  payment_issue: 0.4,
  customs_duties: 0.3,
  address_change: 0.45, // must be acted on before the parcel ships
  product_question: 0.1,
  other: 0.05,
};

const CATEGORY_ZH: Readonly<Record<Category, string>> = {
  order_status: '订单状态/物流',
  lost_parcel: '包裹丢失/显示签收未收到',
  damaged_item: '商品破损',
  wrong_item: '发错货/漏发',
  defective_item: '商品故障/质量问题',
  return_request: '退货申请',
  exchange_request: '换货申请',
  refund: '退款',
  cancellation: '取消订单',
  payment_issue: '支付问题',
  customs_duties: '关税/清关',
  address_change: '修改地址',
  product_question: '商品咨询',
  other: '其他',
};

/** Thresholds of urgency for each priority. */
export const PRIORITY_THRESHOLDS = { urgent: 0.75, high: 0.5, normal: 0.2 } as const;

export function priorityOf(urgency: number): Priority {
  if (urgency >= PRIORITY_THRESHOLDS.urgent) return 'urgent';
  if (urgency >= PRIORITY_THRESHOLDS.high) return 'high';
  if (urgency >= PRIORITY_THRESHOLDS.normal) return 'normal';
  return 'low';
}

// Control characters (except tab/newline), replacement characters: binary garbage.
const GARBAGE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufffd]+/g;

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function cleanInput(s: unknown, max: number): string {
  if (typeof s !== 'string' || s.length === 0) return '';
  let t = s.length > max ? s.slice(0, max) : s;
  t = t.replace(LONE_SURROGATE, ' ').replace(GARBAGE, ' ');
  return t;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function fallback(reason: TriageReason): TriageResult {
  return {
    language: null,
    languageConfidence: 0,
    category: 'other',
    confidence: 0,
    sentiment: 'neutral',
    angry: false,
    urgency: 0,
    priority: 'low',
    reasons: [reason],
    entities: { orderNumbers: [], tracking: [], emails: [], phones: [] },
  };
}

/** Triage one message. Never throws: bad input gives category `other`, priority `low`. */
export function triageMessage(input: TriageInput): TriageResult {
  try {
    return triageUnsafe(input);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    return fallback({ code: 'empty', en: `could not analyse the message (${msg.slice(0, 80)})`, zh: '无法分析此消息', weight: 0 });
  }
}

function triageUnsafe(input: TriageInput): TriageResult {
  const text = cleanInput(input?.text, TRIAGE_WINDOW);
  const subject = cleanInput(input?.subject, 500);
  const full = subject && text ? `${subject}\n${text}` : subject || text;
  if (!full.trim()) return fallback({ code: 'empty', en: 'empty message', zh: '空消息', weight: 0 });

  const reasons: TriageReason[] = [];
  if (typeof input.text === 'string' && input.text.length > TRIAGE_WINDOW) {
    reasons.push({ code: 'truncated', en: `long message: the first ${TRIAGE_WINDOW} characters were analysed`, zh: `消息过长：仅分析前 ${TRIAGE_WINDOW} 个字符`, weight: 0 });
  }

  // The body says more about the customer's language than a subject ("Re: Order #1234").
  // The message is folded, split and hashed once; language, lexicons and models all read that.
  const prepared = prepareText(full);
  const body = text.trim() ? text : full;
  const lang = detectLanguage(body, { previous: input.previousLanguages, market: input.market }, body === full ? prepared : undefined);
  if (lang.language) {
    reasons.push({ code: 'language', en: `language ${lang.language} (${lang.reasons.join('; ')})`, zh: `语言 ${lang.language}`, weight: 0 });
  }

  const models = getModels();
  const hits: LexiconHits = lexiconHitsPrepared(prepared, lang.language);
  readCapitals(hits, prepared.window, models.ordinary);
  const features = triageFeaturesPrepared(prepared, hits, true); // language is decided: add the tags in place
  const { category: cat, sentiment: sent, anger } = predictAll(models, features, hits); // hits: for a second-stage anger model, when one is trained (none in production)

  const insulted = hits.insults.length > 0;
  const angry = decideAngry(anger.probabilities.angry, hits, undefined, sent.probabilities.negative);
  const shouting = shoutCounts(hits, undefined, sent.probabilities.negative);
  // "I won't open a dispute", "opened a chargeback by mistake": a threat not meant adds no urgency.
  const threatened = hits.threats.length > 0 && (angry || hits.calm.length === 0);
  // An angry customer is not neutral, whatever the words.
  const sentiment: Sentiment = angry ? 'negative' : sent.label;

  const category = cat.label;
  reasons.push({ code: 'category', en: `category ${category} (${Math.round(cat.confidence * 100)}%)`, zh: `类别：${CATEGORY_ZH[category]}`, weight: 0 });

  let urgency = CATEGORY_URGENCY[category];
  reasons.push({ code: 'category_urgency', en: `${category} needs a timely answer`, zh: `${CATEGORY_ZH[category]}需及时处理`, weight: urgency });
  if (threatened) {
    const w = 0.3;
    urgency += w;
    const what = hits.threats.slice(0, 3).join(', ');
    reasons.push({ code: 'threat', en: `threatens: ${what}`, zh: `威胁（拒付/投诉/差评/法律）：${what}`, weight: w });
  }
  if (insulted) {
    const w = 0.1;
    urgency += w;
    reasons.push({ code: 'insult', en: `insults: ${hits.insults.slice(0, 3).join(', ')}`, zh: `辱骂：${hits.insults.slice(0, 3).join('、')}`, weight: w });
  }
  if (angry && !threatened && !insulted) {
    const w = 0.2;
    urgency += w;
    const stress = hits.emphasis && !shouting ? ` ("${hits.emphasis}" in capitals)` : '';
    reasons.push({ code: 'negative', en: `customer is angry${stress}`, zh: `客户情绪激动${stress ? `（大写强调 "${hits.emphasis}"）` : ''}`, weight: w });
  } else if (angry) {
    urgency += 0.1;
  } else if (sentiment === 'negative') {
    const w = 0.05;
    urgency += w;
    reasons.push({ code: 'negative', en: 'customer is unhappy', zh: '客户不满', weight: w });
  }
  if (shouting) {
    const w = 0.05;
    urgency += w;
    reasons.push({ code: 'shouting', en: 'writes in capitals (shouting)', zh: '全大写（情绪激动）', weight: w });
  }
  const value = typeof input.orderValue === 'number' && Number.isFinite(input.orderValue) ? input.orderValue : 0;
  if (value >= 200) {
    const w = value >= 500 ? 0.15 : 0.1;
    urgency += w;
    const cur = input.currency ?? 'USD';
    reasons.push({ code: 'order_value', en: `order value ${value} ${cur}`, zh: `订单金额 ${value} ${cur}`, weight: w });
  }
  if (input.vip === true) {
    const w = 0.15;
    urgency += w;
    reasons.push({ code: 'vip', en: 'VIP customer', zh: 'VIP 客户', weight: w });
  }
  const waited = typeof input.waitedMinutes === 'number' && Number.isFinite(input.waitedMinutes) ? input.waitedMinutes : 0;
  if (waited > 60) {
    const w = waited > 1440 ? 0.2 : waited > 240 ? 0.1 : 0.05;
    urgency += w;
    const h = Math.round(waited / 60);
    reasons.push({ code: 'waited', en: `has waited ${h} h`, zh: `已等待 ${h} 小时`, weight: w });
  }
  urgency = round(Math.max(0, Math.min(1, urgency)));

  const entities = extractEntities(full);
  if (entities.orderNumbers.length) {
    reasons.push({ code: 'order_number', en: `order ${entities.orderNumbers.join(', ')}`, zh: `订单号 ${entities.orderNumbers.join('、')}`, weight: 0 });
  }

  return {
    language: lang.language,
    languageConfidence: lang.confidence,
    category,
    confidence: round(cat.confidence),
    sentiment,
    angry,
    urgency,
    priority: priorityOf(urgency),
    reasons,
    entities,
  };
}
