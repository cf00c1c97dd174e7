/**
 * The bot: after intake of a customer message (a new ticket, or a customer writing on a
 * solved one), it answers alone only what it can answer right, and hands off otherwise.
 *
 * It answers:
 * - order status, when the message names (or the ticket links) an order of THIS customer
 *   whose parcel is on its way with carrier scans: the live facts (carrier, last scan,
 *   place, date, expected delivery) in the customer's language (content/bot/<lang>.yaml);
 * - a simple product/other question, when a public FAQ answer in the customer's language
 *   matches above the store's confidence threshold (knowledge/faq.ts).
 * It never answers an angry customer, a money decision (refund, cancellation, payment,
 * return or exchange, or a message that asks for money back whatever its category), a
 * message whose category triage is unsure of, a parcel shown delivered, late or stuck, or
 * a customer who wrote again after its answer. A hand-off leaves an internal note with a
 * summary for the agent. Every decision is recorded (bot_decisions): the deflection and
 * reopen figures come from there.
 */
import fs from 'node:fs';
import path from 'node:path';
import { sql, type Kysely, type RawBuilder } from 'kysely';
import { parse as parseYaml } from 'yaml';
import type { DB } from '../db/types.ts';
import type { Clock } from '../core/clock.ts';
import type { DomainEvent, EventBus } from '../core/events.ts';
import { notFound, validationError } from '../core/errors.ts';
import { isUuid, uuidv7 } from '../core/ids.ts';
import { enqueueJob, type JobHandler } from '../core/jobs.ts';
import { contentDir } from '../core/paths.ts';
import { ordersForTracking, ordersForTrackingSql, ordersFromPrefetched, type OrdersForTracking, type OrdersForTrackingInput, type TrackedOrder } from '../commerce/order-tracking.ts';
import type { OrderDetail } from '../commerce/orders.ts';
import { trackingUrl } from '../commerce/suggestion-context.ts';
import { bestFaqMatch, type FaqMatch } from '../knowledge/faq.ts';
import { localeFor, splitName } from '../knowledge/variables.ts';
import { triageMessage, type TriageResult } from './triage.ts';
import { addBotMessage, updateTicket, type IntakeFacts, type IntakeResult, type TicketDeps } from './tickets.ts';
import { getStore } from './stores.ts';

export interface BotDeps {
  db: Kysely<DB>;
  bus: EventBus;
  clock: Clock;
  /** This node's note of what the bot already looked at (runtime.ts): spares `bot.consider` jobs that would find nothing to do. */
  ledger?: BotLedger;
}

// ---------------------------------------------------------------------------------------
// Settings

export interface BotSettings {
  storeId: string;
  enabled: boolean;
  /** FAQ answers need at least this confidence (0..1). */
  faqThreshold: number;
  /** Below this category confidence of triage the bot never answers. */
  minTriageConfidence: number;
  /** A customer writing again within this many days counts the bot's answer as reopened. */
  reopenWindowDays: number;
  updatedAt: string | null;
}

export const BOT_DEFAULTS = { enabled: true, faqThreshold: 0.6, minTriageConfidence: 0.45, reopenWindowDays: 7 } as const;

/**
 * The bot settings of a store as the bot after intake reads them: remembered for a few
 * seconds per database (as the store itself, tickets.ts), forgotten at once when this node
 * changes them. Another node's change is seen within SETTINGS_TTL_MS.
 */
const settingsCaches = new WeakMap<Kysely<DB>, Map<string, { at: number; settings: BotSettings }>>();
const SETTINGS_TTL_MS = 5_000;

async function cachedBotSettings(db: Kysely<DB>, storeId: string): Promise<BotSettings> {
  let cache = settingsCaches.get(db);
  if (!cache) settingsCaches.set(db, (cache = new Map()));
  const hit = cache.get(storeId);
  if (hit && Date.now() - hit.at < SETTINGS_TTL_MS) return hit.settings;
  const settings = await getBotSettings(db, storeId);
  cache.set(storeId, { at: Date.now(), settings });
  return settings;
}

export async function getBotSettings(db: Kysely<DB>, storeId: string): Promise<BotSettings> {
  if (!isUuid(storeId)) throw validationError('storeId must be a store id', { field: 'storeId' });
  const row = await db.selectFrom('bot_settings').selectAll().where('store_id', '=', storeId).executeTakeFirst();
  return settingsOf(storeId, row ?? null);
}

function settingsOf(
  storeId: string,
  row: { enabled: boolean; faq_threshold: number | string; min_triage_confidence: number | string; reopen_window_days: number; updated_at: Date } | null,
): BotSettings {
  if (!row) return { storeId, ...BOT_DEFAULTS, updatedAt: null };
  return {
    storeId,
    enabled: row.enabled,
    faqThreshold: Number(row.faq_threshold),
    minTriageConfidence: Number(row.min_triage_confidence),
    reopenWindowDays: row.reopen_window_days,
    updatedAt: row.updated_at.toISOString(),
  };
}

export type BotSettingsPatch = Partial<Pick<BotSettings, 'enabled' | 'faqThreshold' | 'minTriageConfidence' | 'reopenWindowDays'>>;

export async function putBotSettings(deps: Pick<BotDeps, 'db' | 'clock'>, storeId: string, patch: BotSettingsPatch): Promise<BotSettings> {
  await getStore(deps.db, storeId);
  const cur = await getBotSettings(deps.db, storeId);
  const next = { ...cur, ...patch };
  if (!(next.faqThreshold > 0 && next.faqThreshold <= 1)) throw validationError('faqThreshold must be above 0 and at most 1', { field: 'faqThreshold' });
  if (!(next.minTriageConfidence >= 0 && next.minTriageConfidence <= 1)) throw validationError('minTriageConfidence must be between 0 and 1', { field: 'minTriageConfidence' });
  if (!Number.isInteger(next.reopenWindowDays) || next.reopenWindowDays < 1 || next.reopenWindowDays > 90) throw validationError('reopenWindowDays must be 1 to 90', { field: 'reopenWindowDays' });
  const values = {
    enabled: next.enabled,
    faq_threshold: next.faqThreshold,
    min_triage_confidence: next.minTriageConfidence,
    reopen_window_days: next.reopenWindowDays,
    updated_at: deps.clock.now(),
  };
  await deps.db
    .insertInto('bot_settings')
    .values({ store_id: storeId, ...values })
    .onConflict((oc) => oc.column('store_id').doUpdateSet(values))
    .execute();
  settingsCaches.get(deps.db)?.delete(storeId);
  return getBotSettings(deps.db, storeId);
}

// ---------------------------------------------------------------------------------------
// Content (content/bot)

const SHIPMENT_STATES = ['label_created', 'in_transit', 'out_for_delivery', 'delivered', 'exception', 'lost', 'returned'] as const;
const TEXT_KEYS = [
  'greeting', 'greeting_anonymous', 'tracking_intro', 'tracking_carrier', 'tracking_last', 'tracking_last_nowhere',
  'tracking_expected', 'tracking_today', 'tracking_link', 'faq_intro', 'faq_more', 'outro', 'signoff',
] as const;
export type BotTextKey = (typeof TEXT_KEYS)[number];

export interface BotLanguagePack {
  language: string;
  text: Record<BotTextKey, string>;
  status: Record<string, string>;
}

interface Transit {
  default: [number, number];
  carriers: Record<string, [number, number]>;
  staleDays: number;
}

const botDir = path.join(contentDir, 'bot');
let packs: Map<string, BotLanguagePack> | null = null;
let transit: Transit | null = null;

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const isRange = (x: unknown): x is [number, number] => Array.isArray(x) && x.length === 2 && x.every((n) => typeof n === 'number' && n >= 0) && (x[0] as number) <= (x[1] as number);

/** Reply texts per language; throws on a malformed file (tests check every file). */
export function botLanguagePacks(): Map<string, BotLanguagePack> {
  if (packs) return packs;
  const out = new Map<string, BotLanguagePack>();
  for (const file of fs.readdirSync(botDir).filter((f) => /^[a-z]{2}\.yaml$/.test(f)).sort()) {
    const raw: unknown = parseYaml(fs.readFileSync(path.join(botDir, file), 'utf8'));
    const language = file.slice(0, 2);
    if (!isRecord(raw) || raw.language !== language) throw new Error(`content/bot/${file}: "language: ${language}" is required`);
    const text = {} as Record<BotTextKey, string>;
    for (const k of TEXT_KEYS) {
      const v = raw[k];
      if (typeof v !== 'string' || !v.trim()) throw new Error(`content/bot/${file}: "${k}" is missing`);
      text[k] = v;
    }
    const status = raw.status;
    if (!isRecord(status)) throw new Error(`content/bot/${file}: "status" is missing`);
    const names: Record<string, string> = {};
    for (const s of SHIPMENT_STATES) {
      const v = status[s];
      if (typeof v !== 'string' || !v.trim()) throw new Error(`content/bot/${file}: status "${s}" is missing`);
      names[s] = v;
    }
    out.set(language, { language, text, status: names });
  }
  packs = out;
  return out;
}

function transitTable(): Transit {
  if (transit) return transit;
  const raw: unknown = parseYaml(fs.readFileSync(path.join(botDir, 'transit.yaml'), 'utf8'));
  if (!isRecord(raw) || !isRange(raw.default)) throw new Error('content/bot/transit.yaml: "default: [min, max]" is required');
  const carriers: Record<string, [number, number]> = {};
  if (isRecord(raw.carriers)) for (const [k, v] of Object.entries(raw.carriers)) if (isRange(v)) carriers[k.toLowerCase()] = v;
  transit = { default: raw.default, carriers, staleDays: typeof raw.stale_days === 'number' ? raw.stale_days : 5 };
  return transit;
}

export const BOT_LANGUAGES = (): string[] => [...botLanguagePacks().keys()];

/**
 * Reads the content files now (at start-up) rather than in the first customer's message.
 * A malformed file is not fatal here: runBot reports it on its first use.
 */
function loadBotContent(): void {
  try {
    botLanguagePacks();
    transitTable();
  } catch {
    // reported by the first runBot
  }
}

const fill = (s: string, vars: Record<string, string>) => s.replace(/\{(\w+)\}/g, (m, k: string) => vars[k] ?? m);

// ---------------------------------------------------------------------------------------
// Reasons (shown to agents in the hand-off note, in both UI languages)

export type BotReason =
  | 'angry'
  | 'money_decision'
  | 'money_words'
  | 'category_needs_agent'
  | 'low_confidence'
  | 'language_unsupported'
  | 'bot_already_answered'
  | 'no_order'
  | 'order_not_customers'
  | 'not_shipped'
  | 'no_tracking_events'
  | 'shown_delivered'
  | 'shipment_problem'
  | 'no_recent_scan'
  | 'late'
  | 'faq_no_match'
  | 'faq_below_threshold';

const REASON_TEXT: Record<BotReason, { en: string; zh: string }> = {
  angry: { en: 'the customer is angry: a person must answer', zh: '客户情绪激动，需人工回复' },
  money_decision: { en: 'a money decision (refund, cancellation, payment, return or exchange) is for an agent', zh: '涉及资金决定（退款、取消、支付、退换货），需人工处理' },
  money_words: { en: 'the message asks for money back or a cancellation', zh: '消息中提到退款或取消' },
  category_needs_agent: { en: 'the bot does not handle this category', zh: '机器人不处理此类别' },
  low_confidence: { en: 'triage is unsure of the category', zh: '分类置信度低' },
  language_unsupported: { en: 'the bot has no replies written in this language', zh: '机器人没有该语言的回复文本' },
  bot_already_answered: { en: 'the customer wrote again after the bot\'s answer', zh: '客户在机器人回复后再次来信' },
  no_order: { en: 'no order of this customer could be identified', zh: '无法确定该客户的订单' },
  order_not_customers: { en: 'the order named belongs to another customer (nothing was disclosed)', zh: '所提订单不属于该客户（未透露任何信息）' },
  not_shipped: { en: 'the order has not shipped yet', zh: '订单尚未发货' },
  no_tracking_events: { en: 'the shipment has no carrier scans yet', zh: '物流暂无扫描记录' },
  shown_delivered: { en: 'the parcel is shown as delivered: the customer may not have received it', zh: '物流显示已签收，客户可能未收到' },
  shipment_problem: { en: 'the carrier reports a problem (exception, lost or returned)', zh: '承运商报告异常（异常/丢失/退回）' },
  no_recent_scan: { en: 'no carrier scan for several days: the parcel may be stuck', zh: '多日无物流更新，包裹可能滞留' },
  late: { en: 'the parcel is past its expected delivery window', zh: '包裹已超出预计送达时间' },
  faq_no_match: { en: 'no FAQ answer matches the question', zh: '没有匹配的常见问题解答' },
  faq_below_threshold: { en: 'the best FAQ answer is below the confidence threshold', zh: '最佳常见问题解答低于置信度阈值' },
};

const MONEY_CATEGORIES = new Set(['refund', 'cancellation', 'payment_issue', 'return_request', 'exchange_request']);
const FAQ_CATEGORIES = new Set(['product_question', 'other']);
/** Words that turn any message into a money decision, whatever its category. */
const MONEY_WORDS =
  /\b(refund\w*|money back|reimburse\w*|chargeback|cancel\w*|r[üu]ckerstatt\w*|erstatt\w*|geld zur[üu]ck|stornier\w*|r[üu]ckbuchung|rembours\w*|annul\w*|reembols\w*|devoluci[óo]n del dinero|rimbors\w*|storn\w*|restituzione|estorno|terugbetal\w*|zwrot\w*|återbetal\w*|iade|возврат\w*)\b|返金|キャンセル|払い戻し|환불|취소|退款|退钱|取消订单|استرداد|استرجاع|إلغاء/iu;

const INTENT: Record<string, { en: string; zh: string }> = {
  order_status: { en: 'wants to know where the order is', zh: '想知道订单/包裹到哪了' },
  lost_parcel: { en: 'has not received a parcel (lost or shown delivered)', zh: '未收到包裹（丢失或显示签收）' },
  damaged_item: { en: 'received a damaged item', zh: '收到的商品破损' },
  wrong_item: { en: 'received a wrong or incomplete order', zh: '收到错发/漏发的商品' },
  defective_item: { en: 'has an item that does not work', zh: '商品有故障' },
  return_request: { en: 'wants to return an item', zh: '想要退货' },
  exchange_request: { en: 'wants to exchange an item', zh: '想要换货' },
  refund: { en: 'wants money back or asks about a refund', zh: '要求退款或询问退款进度' },
  cancellation: { en: 'wants to cancel the order', zh: '想取消订单' },
  payment_issue: { en: 'has a payment problem', zh: '支付有问题' },
  customs_duties: { en: 'asks about customs or duties', zh: '询问关税/清关' },
  address_change: { en: 'wants to change the delivery address', zh: '想修改收货地址' },
  product_question: { en: 'has a question about a product', zh: '咨询商品问题' },
  other: { en: 'has another request', zh: '其他需求' },
};

// ---------------------------------------------------------------------------------------
// Tracking facts

export interface TrackingFacts {
  orderNumber: string;
  carrier: string;
  trackingNumber: string | null;
  status: string;
  lastEvent: { at: Date; status: string; location: string | null; description: string };
  expected: { from: Date; to: Date } | null;
  /** Where the customer can follow the parcel: the link the shop's platform gave, else the carrier's page. */
  url: string | null;
}

const DAY = 86_400_000;

/**
 * The tracking facts of an order's outbound parcel, or why the bot must not answer from
 * them. Pure: `now` is given.
 */
export function trackingFacts(order: Pick<OrderDetail, 'number' | 'shipment'>, now: Date): { facts: TrackingFacts } | { reason: BotReason } {
  const s = order.shipment;
  if (!s) return { reason: 'not_shipped' };
  if (!s.events.length) return { reason: 'no_tracking_events' };
  if (s.status === 'delivered') return { reason: 'shown_delivered' };
  if (s.status === 'exception' || s.status === 'lost' || s.status === 'returned') return { reason: 'shipment_problem' };
  const last = [...s.events].sort((a, b) => b.at.localeCompare(a.at))[0];
  const lastAt = new Date(last.at);
  const table = transitTable();
  if (now.getTime() - lastAt.getTime() > table.staleDays * DAY) return { reason: 'no_recent_scan' };
  const range = table.carriers[s.carrier.toLowerCase()] ?? table.default;
  const start = new Date(s.shippedAt ?? [...s.events].sort((a, b) => a.at.localeCompare(b.at))[0].at);
  let expected: TrackingFacts['expected'] = { from: new Date(start.getTime() + range[0] * DAY), to: new Date(start.getTime() + range[1] * DAY) };
  if (s.status === 'out_for_delivery') expected = null; // "today"
  else if (expected.to.getTime() < now.getTime()) return { reason: 'late' };
  else if (expected.from.getTime() < now.getTime()) expected = { from: now, to: expected.to };
  return {
    facts: {
      orderNumber: order.number,
      carrier: s.carrier,
      trackingNumber: s.trackingNumber,
      status: s.status,
      lastEvent: { at: lastAt, status: last.status, location: last.location, description: last.description },
      expected,
      url: s.trackingUrl ?? (s.trackingNumber ? trackingUrl(s.carrier, s.trackingNumber) : null),
    },
  };
}

// ---------------------------------------------------------------------------------------
// Replies

interface ReplyContext {
  language: string;
  market: string | null;
  timezone: string;
  customerName: string | null;
  store: string;
}

function greeting(pack: BotLanguagePack, ctx: ReplyContext): string {
  const parts = splitName(ctx.customerName, ctx.language);
  const name = ctx.language === 'ja' ? parts.last : ['de', 'ko', 'zh'].includes(ctx.language) ? parts.full : parts.first;
  return name ? fill(pack.text.greeting, { name }) : pack.text.greeting_anonymous;
}

// date formatters by locale and time zone: building one costs more than formatting
const dateFormats = new Map<string, Intl.DateTimeFormat>();
function dateFormat(locale: string, timeZone: string): Intl.DateTimeFormat {
  const key = `${locale}\u0000${timeZone}`;
  let f = dateFormats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone });
    if (dateFormats.size > 500) dateFormats.clear();
    dateFormats.set(key, f);
  }
  return f;
}

function dateIn(d: Date, ctx: ReplyContext): string {
  const locale = localeFor(ctx.language, ctx.market);
  try {
    return dateFormat(locale, ctx.timezone).format(d);
  } catch {
    return dateFormat(locale, 'UTC').format(d);
  }
}

/** The bot's tracking answer in the customer's language. */
export function trackingReply(pack: BotLanguagePack, ctx: ReplyContext, f: TrackingFacts): string {
  const t = pack.text;
  const statusName = pack.status[f.lastEvent.status] ?? pack.status[f.status] ?? f.lastEvent.status;
  const lines = [
    fill(t.tracking_carrier, { carrier: f.carrier, tracking: f.trackingNumber ?? '—' }),
    f.lastEvent.location
      ? fill(t.tracking_last, { status: statusName, location: f.lastEvent.location, date: dateIn(f.lastEvent.at, ctx) })
      : fill(t.tracking_last_nowhere, { status: statusName, date: dateIn(f.lastEvent.at, ctx) }),
    f.expected ? fill(t.tracking_expected, { from: dateIn(f.expected.from, ctx), to: dateIn(f.expected.to, ctx) }) : t.tracking_today,
    ...(f.url ? [fill(t.tracking_link, { url: f.url })] : []),
  ];
  return [greeting(pack, ctx), fill(t.tracking_intro, { order: f.orderNumber }), lines.map((l) => `• ${l}`).join('\n'), t.outro, fill(t.signoff, { store: ctx.store })].join('\n\n');
}

/** The bot's FAQ answer in the customer's language. */
export function faqReply(pack: BotLanguagePack, ctx: ReplyContext, m: Pick<FaqMatch, 'question' | 'answer' | 'title'>): string {
  const t = pack.text;
  return [greeting(pack, ctx), t.faq_intro, `${m.question}\n${m.answer}`, fill(t.faq_more, { title: m.title }), t.outro, fill(t.signoff, { store: ctx.store })].join('\n\n');
}

// ---------------------------------------------------------------------------------------
// Deciding

export interface BotDecision {
  ticketId: string;
  messageId: string;
  outcome: 'answered' | 'handed_off';
  kind: 'tracking' | 'faq' | null;
  reasons: BotReason[];
  confidence: number | null;
  replyMessageId: string | null;
  noteMessageId: string | null;
  /** When the bot decided (the time of its note or answer). */
  at: Date;
}

/** Candidate order numbers of a message: triage's entities plus store-style "CD-10482". */
export function orderNumberCandidates(text: string, entities: string[]): string[] {
  const more = [...text.normalize('NFKC').matchAll(/(?:#|(?<![\w-]))([A-Z]{1,4}-?\d{4,10})(?![\w-])/g)].map((m) => m[1]);
  return [...new Set([...entities.map((e) => e.replace(/^#/, '')), ...more])].slice(0, 5);
}

function firstWords(text: string, max = 240): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}

/** What the bot uses of triage: the stored triage of a creation, or triage run again on the message. */
type BotTriage = Pick<TriageResult, 'language' | 'sentiment' | 'angry' | 'confidence'> & { category: string; entities: { orderNumbers: string[] } };

function handOffNote(input: {
  triage: BotTriage;
  language: string | null;
  category: string;
  angry: boolean;
  sentiment: string | null;
  text: string;
  order: { number: string; summary: string } | null;
  reasons: BotReason[];
  faq: FaqMatch | null;
  threshold: number;
}): string {
  const intent = INTENT[input.category] ?? INTENT.other;
  const pct = (x: number) => `${Math.round(x * 100)}%`;
  const lines = [
    '🤖 Bot hand-off / 机器人转人工',
    `• Language / 语言: ${input.language ?? 'unknown'}`,
    `• Category / 类别: ${input.category} (triage ${pct(input.triage.confidence)})`,
    `• Sentiment / 情绪: ${input.angry ? 'ANGRY / 愤怒' : (input.sentiment ?? 'neutral')}`,
    `• Order / 订单: ${input.order ? `${input.order.number} — ${input.order.summary}` : 'none identified / 未识别'}`,
    `• Customer wants / 客户诉求: ${intent.en} / ${intent.zh}`,
    `  “${firstWords(input.text)}”`,
    `• Bot did not answer because / 机器人未回复原因:`,
    ...input.reasons.map((r) => `  – ${REASON_TEXT[r].en} / ${REASON_TEXT[r].zh}`),
  ];
  if (input.faq) lines.push(`• Closest FAQ / 最接近的常见问题: “${input.faq.question}” (${pct(input.faq.confidence)}, threshold / 阈值 ${pct(input.threshold)})`);
  lines.push('• Bot sent nothing to the customer / 机器人未向客户发送任何内容');
  return lines.join('\n');
}

function orderSummary(o: Pick<OrderDetail, 'fulfillmentStatus' | 'shipment'>): string {
  const s = o.shipment;
  if (!s) return `${o.fulfillmentStatus}, not shipped / 未发货`;
  const last = s.events[0];
  return `${s.carrier} ${s.trackingNumber ?? ''} · ${s.status}${last ? ` · last scan ${last.at.slice(0, 10)} ${last.location ?? ''}` : ''}`.replace(/\s+/g, ' ').trim();
}

const botTicketDeps = (deps: BotDeps): TicketDeps => ({ db: deps.db, bus: deps.bus, clock: deps.clock });

/**
 * Looks at the latest customer message of a ticket and answers or hands off. Idempotent
 * per message (a second call, or a second node, does nothing). Returns null when the bot
 * is off for the store or there is nothing to look at.
 */
export async function runBot(deps: BotDeps, ticketId: string, intake?: IntakeFacts, alsoRecord?: SystemEvent): Promise<BotDecision | null> {
  const { db, clock } = deps;
  if (!isUuid(ticketId)) throw notFound('Ticket', ticketId);
  const known = intake && intake.ticket.id === ticketId ? await factsOfIntake(db, intake) : await readFacts(db, ticketId);
  if (!known) return null;
  const { t, settings, messages, storedTriage } = known;
  const lastCustomer = [...messages].reverse().find((m) => m.author_type === 'customer');
  if (!lastCustomer) return null;
  if (lastCustomer.claimed) return null;

  const isFirst = messages.find((m) => m.author_type === 'customer')?.id === lastCustomer.id;
  const text = lastCustomer.body;
  // a creation's own triage of this very message is reused; otherwise triage runs again
  const triage: BotTriage = isFirst && storedTriage ? storedTriage : triageMessage({ text, subject: isFirst ? t.subject : undefined, previousLanguages: t.language ? [t.language] : undefined });
  const language = (t.language ?? triage.language ?? '').slice(0, 2) || null;
  const category = isFirst ? t.category : triage.category;
  const angry = (isFirst && t.angry) || triage.angry;
  const pack = language ? botLanguagePacks().get(language) : undefined;
  const publicBefore = messages.filter((m) => !m.internal && m.author_type !== 'customer' && m.created_at <= lastCustomer.created_at);
  // an agent's conversation: the bot stays out of it (no answer, no note)
  if (publicBefore.some((m) => m.author_type === 'agent')) return null;
  const reasons: BotReason[] = [];

  if (angry) reasons.push('angry');
  if (MONEY_CATEGORIES.has(category)) reasons.push('money_decision');
  else if (MONEY_WORDS.test(text)) reasons.push('money_words');
  if (triage.confidence < settings.minTriageConfidence) reasons.push('low_confidence');
  if (!pack) reasons.push('language_unsupported');
  if (publicBefore.at(-1)?.author_type === 'bot') reasons.push('bot_already_answered');
  if (!reasons.includes('money_decision') && category !== 'order_status' && !FAQ_CATEGORIES.has(category)) reasons.push('category_needs_agent');

  const ctx: ReplyContext = { language: language ?? 'en', market: t.country ?? t.store_market, timezone: t.timezone ?? t.store_timezone, customerName: t.name, store: t.store_name };
  let order: TrackedOrder | null = null;
  let facts: TrackingFacts | null = null;
  let faq: FaqMatch | null = null;
  const now = clock.now();

  if (category === 'order_status') {
    const prefetched = isFirst && intake?.ticket.id === ticketId ? (intake.prefetched as { bot?: unknown } | undefined)?.bot : undefined;
    order = await findCustomersOrder(db, { storeId: t.store_id, email: t.email, linkedOrderId: t.order_id, text, entities: triage.entities.orderNumbers, now, prefetched }, reasons);
    if (order) {
      const r = trackingFacts(order, now);
      if ('facts' in r) facts = r.facts;
      else reasons.push(r.reason);
    }
  } else if (FAQ_CATEGORIES.has(category) && language) {
    faq = await bestFaqMatch(db, { text, language });
    if (!faq || faq.confidence <= 0) reasons.push('faq_no_match');
    else if (faq.confidence < settings.faqThreshold) reasons.push('faq_below_threshold');
  }

  const answer = !reasons.length && pack ? (facts ? { kind: 'tracking' as const, body: trackingReply(pack, ctx, facts) } : faq ? { kind: 'faq' as const, body: faqReply(pack, ctx, faq) } : null) : null;
  if (!answer && !reasons.length) reasons.push(category === 'order_status' ? 'no_order' : 'faq_no_match');

  if (!answer) {
    const body = handOffNote({
      triage,
      language,
      category,
      angry,
      sentiment: isFirst ? t.sentiment : triage.sentiment,
      text,
      order: order ? { number: order.number, summary: orderSummary(order) } : null,
      reasons,
      faq,
      threshold: settings.faqThreshold,
    });
    const noteMessageId = await handOff(deps, { t, messageId: lastCustomer.id, reasons, confidence: faq ? faq.confidence : triage.confidence, language, category, body, now, alsoRecord });
    if (!noteMessageId) return null;
    return { ticketId: t.id, messageId: lastCustomer.id, outcome: 'handed_off', kind: null, reasons, confidence: faq ? faq.confidence : triage.confidence, replyMessageId: null, noteMessageId, at: now };
  }

  // claim the message first: one decision per customer message, whichever node gets here first
  const decisionId = uuidv7(now.getTime());
  const inserted = await db
    .insertInto('bot_decisions')
    .values({
      id: decisionId,
      ticket_id: t.id,
      store_id: t.store_id,
      message_id: lastCustomer.id,
      outcome: 'answered',
      kind: answer.kind,
      reasons: JSON.stringify(reasons),
      confidence: faq ? faq.confidence : triage.confidence,
      language,
      category,
      reply_message_id: null,
      note_message_id: null,
      created_at: now,
    })
    .onConflict((oc) => oc.column('message_id').doNothing())
    .returning('id')
    .executeTakeFirst();
  if (!inserted) return null;

  const tdeps = botTicketDeps(deps);
  // the status changes the bot makes itself (new → open with its reply, then solved) need no job
  deps.ledger?.ownStatusChanges(t.id, t.status === 'new' ? 2 : 1);
  const m = await addBotMessage(tdeps, t.id, { body: answer.body, language: language ?? undefined, channel: t.channel });
  await updateTicket(tdeps, t.id, { status: 'solved' }, { type: 'system', id: null, name: 'Bot' });
  await db.updateTable('bot_decisions').set({ reply_message_id: m.id }).where('id', '=', decisionId).execute();
  return {
    ticketId: t.id,
    messageId: lastCustomer.id,
    outcome: 'answered',
    kind: answer.kind,
    reasons,
    confidence: faq ? faq.confidence : triage.confidence,
    replyMessageId: m.id,
    noteMessageId: null,
    at: now,
  };
}

/**
 * A hand-off in one statement: the decision (which claims the customer message: one
 * decision per message, whichever node gets there first), the internal note, the ticket's
 * `updated_at` and its `note_added` event; nothing when the message was already claimed.
 * As addBotMessage would for an internal note, then message.created and ticket.updated
 * are published. `alsoRecord`: one more event of the ticket's trail written with them (and
 * only with them), after the note's (routing's decision on a new ticket: runtime.ts).
 * Returns the note's id, or null when another decision came first.
 */
async function handOff(
  deps: BotDeps,
  x: { t: BotTicket; messageId: string; reasons: BotReason[]; confidence: number; language: string | null; category: string; body: string; now: Date; alsoRecord?: SystemEvent },
): Promise<string | null> {
  const { t, now } = x;
  const decisionId = uuidv7(now.getTime());
  const noteId = uuidv7(now.getTime());
  // foreign keys (the decision's note) are checked at the end of the statement
  const res = await sql<{ store_id: string; assignee_id: string | null; team_id: string | null }>`
    WITH d AS (
      INSERT INTO bot_decisions (id, ticket_id, store_id, message_id, outcome, kind, reasons, confidence, language, category, reply_message_id, note_message_id, created_at)
      VALUES (${decisionId}, ${t.id}, ${t.store_id}, ${x.messageId}, 'handed_off', NULL, ${JSON.stringify(x.reasons)}::jsonb, ${x.confidence}, ${x.language}, ${x.category}, NULL, ${noteId}, ${now}::timestamptz)
      ON CONFLICT (message_id) DO NOTHING
      RETURNING id
    ), tk AS (
      UPDATE tickets SET updated_at = ${now}::timestamptz WHERE id = ${t.id} AND EXISTS (SELECT 1 FROM d)
      RETURNING store_id, assignee_id, team_id, language
    ), m AS (
      INSERT INTO messages (id, ticket_id, author_type, author_id, internal, body, language, channel, external_id, created_at)
      SELECT ${noteId}, ${t.id}, 'bot', NULL, true, ${x.body}, tk.language, ${t.channel}, NULL, ${now}::timestamptz FROM tk
    ), e AS (
      INSERT INTO ticket_events (ticket_id, actor_type, actor_id, type, field, before, after, created_at)
      SELECT ${t.id}, 'system', NULL, x.type, NULL, NULL, x.after, ${now}::timestamptz
      FROM tk CROSS JOIN LATERAL (VALUES
        (1, 'note_added', jsonb_build_object('messageId', ${noteId}::text, 'authorType', 'bot')),
        (2, ${x.alsoRecord?.type ?? null}::text, ${x.alsoRecord ? JSON.stringify(x.alsoRecord.after) : null}::jsonb)
      ) AS x(n, type, after)
      WHERE x.type IS NOT NULL
      ORDER BY x.n
    )
    SELECT store_id, assignee_id, team_id FROM tk`.execute(deps.db);
  const r = res.rows[0];
  if (!r) return null;
  const base = { ticketId: t.id, storeId: r.store_id, assigneeId: r.assignee_id, teamId: r.team_id };
  const at = new Date().toISOString();
  // not awaited (best effort, in order): the creation that called the bot answers sooner
  deps.bus.publish({ type: 'message.created', ...base, messageId: noteId, internal: true, at }).catch(() => undefined);
  deps.bus.publish({ type: 'ticket.updated', ...base, changes: ['messages'], at }).catch(() => undefined);
  return noteId;
}

/** An event of a ticket's trail by the system (actor_type 'system', no field). */
export interface SystemEvent {
  type: string;
  after: Record<string, unknown>;
}

interface BotTicket {
  id: string;
  store_id: string;
  status: string;
  category: string;
  language: string | null;
  sentiment: string | null;
  angry: boolean;
  order_id: string | null;
  subject: string;
  channel: string;
  email: string;
  name: string | null;
  country: string | null;
  timezone: string | null;
  store_name: string;
  store_market: string;
  store_timezone: string;
}

interface BotMessage {
  id: string;
  author_type: string;
  internal: boolean;
  body: string;
  created_at: Date;
  /** A customer message the bot already decided on. */
  claimed: boolean;
}

interface BotFacts {
  t: BotTicket;
  settings: BotSettings;
  messages: BotMessage[];
  /** The creation's triage of the first message, when it came with the intake. */
  storedTriage?: BotTriage;
}

/**
 * The facts of a ticket just created on this node: as the creation wrote them (its only
 * message, not decided yet: the decision's insert checks that), so nothing is read but
 * the store's bot settings (remembered for a few seconds).
 */
async function factsOfIntake(db: Kysely<DB>, intake: IntakeFacts): Promise<BotFacts | null> {
  const { ticket: r, store } = intake;
  if (r.status === 'closed' || r.status === 'solved') return null;
  const settings = await cachedBotSettings(db, r.store_id);
  if (!settings.enabled) return null;
  const tr = intake.triage;
  const storedTriage: BotTriage | undefined =
    tr && tr.confidence !== undefined && tr.orderNumbers !== undefined
      ? { language: tr.language, category: tr.category, sentiment: tr.sentiment, angry: tr.angry, confidence: tr.confidence, entities: { orderNumbers: tr.orderNumbers } }
      : undefined;
  return {
    t: {
      id: r.id, store_id: r.store_id, status: r.status, category: r.category, language: r.language, sentiment: r.sentiment, angry: r.angry,
      order_id: r.order_id, subject: r.subject, channel: r.channel, email: r.c_email, name: r.c_name, country: r.c_country, timezone: r.c_timezone,
      store_name: store.name, store_market: store.market, store_timezone: store.timezone,
    },
    settings,
    messages: [{ id: intake.message.id, author_type: 'customer', internal: false, body: intake.message.body, created_at: intake.message.createdAt, claimed: false }],
    storedTriage,
  };
}

/**
 * One statement: the ticket, its customer, store and bot settings, and its messages (one
 * row each, oldest first) with whether the bot already decided on each customer message.
 */
async function readFacts(db: Kysely<DB>, ticketId: string): Promise<BotFacts | null> {
  const rows = await db
    .selectFrom('tickets')
    .innerJoin('customers as c', 'c.id', 'tickets.customer_id')
    .innerJoin('stores as s', 's.id', 'tickets.store_id')
    .leftJoin('bot_settings as bs', 'bs.store_id', 'tickets.store_id')
    .leftJoin('messages as m', 'm.ticket_id', 'tickets.id')
    .select([
      'tickets.id', 'tickets.store_id', 'tickets.status', 'tickets.category', 'tickets.language', 'tickets.sentiment', 'tickets.angry',
      'tickets.order_id', 'tickets.subject', 'tickets.customer_id', 'tickets.channel', 'c.email', 'c.name', 'c.country', 'c.timezone',
      's.name as store_name', 's.market as store_market', 's.timezone as store_timezone',
      'bs.enabled as bs_enabled', 'bs.faq_threshold as bs_faq_threshold', 'bs.min_triage_confidence as bs_min_triage_confidence',
      'bs.reopen_window_days as bs_reopen_window_days', 'bs.updated_at as bs_updated_at',
      'm.id as m_id', 'm.author_type as m_author_type', 'm.internal as m_internal', 'm.body as m_body', 'm.created_at as m_created_at',
      sql<boolean>`m.author_type = 'customer' AND EXISTS (SELECT 1 FROM bot_decisions d WHERE d.message_id = m.id)`.as('m_claimed'),
    ])
    .where('tickets.id', '=', ticketId)
    .orderBy('m.created_at')
    .orderBy('m.id')
    .execute();
  const t = rows[0];
  if (!t) throw notFound('Ticket', ticketId);
  if (t.status === 'closed' || t.status === 'solved') return null;
  const settings = settingsOf(
    t.store_id,
    t.bs_enabled === null || t.bs_faq_threshold === null || t.bs_min_triage_confidence === null || t.bs_reopen_window_days === null || t.bs_updated_at === null
      ? null
      : { enabled: t.bs_enabled, faq_threshold: t.bs_faq_threshold, min_triage_confidence: t.bs_min_triage_confidence, reopen_window_days: t.bs_reopen_window_days, updated_at: t.bs_updated_at },
  );
  if (!settings.enabled) return null;
  const messages = rows.flatMap((r) =>
    r.m_id !== null && r.m_author_type !== null && r.m_internal !== null && r.m_body !== null && r.m_created_at !== null
      ? [{ id: r.m_id, author_type: r.m_author_type, internal: r.m_internal, body: r.m_body, created_at: r.m_created_at, claimed: r.m_claimed }]
      : [],
  );
  return { t, settings, messages };
}

/**
 * The order the customer asks about: the ticket's linked order, else an order number in the
 * message, else the customer's only order of the last 60 days. Only orders of this customer
 * (same store, same e-mail) are ever used: anyone can type someone else's order number.
 */
async function findCustomersOrder(
  db: Kysely<DB>,
  input: { storeId: string; email: string; linkedOrderId: string | null; text: string; entities: string[]; now: Date; prefetched?: unknown },
  reasons: BotReason[],
): Promise<TrackedOrder | null> {
  const mine = (o: TrackedOrder) => o.storeId === input.storeId && o.customer?.email === input.email;
  const lookup = orderLookup(input);
  // every way of naming the order in one read (or what the creation's statement read for
  // exactly this lookup); then the same order of preference as before
  const found = prefetchedOrders(input.prefetched, lookup) ?? (await ordersForTracking(db, lookup));
  const numbers = lookup.numbers ?? [];
  if (input.linkedOrderId) {
    const o = found.byId.get(input.linkedOrderId);
    if (o && mine(o)) return o;
  }
  let foreign = false;
  for (const n of numbers) {
    const items = found.byNumber.get(n.trim().replace(/^#/, '')) ?? [];
    const own = items.find(mine);
    if (own) return own;
    if (items.length) foreign = true;
  }
  if (foreign) {
    reasons.push('order_not_customers');
    return null;
  }
  const recent = found.byCustomer.filter((o) => input.now.getTime() - new Date(o.placedAt).getTime() < 60 * DAY);
  if (recent.length === 1) return recent[0];
  reasons.push('no_order');
  return null;
}

/** The orders the bot looks for when a customer asks where their order is. */
function orderLookup(x: { storeId: string; email: string; linkedOrderId: string | null; text: string; entities: string[] }): OrdersForTrackingInput & { numbers: string[] } {
  return {
    storeId: x.storeId,
    ids: x.linkedOrderId ? [x.linkedOrderId] : [],
    numbers: orderNumberCandidates(x.text, x.entities),
    perNumber: 5,
    customerEmail: x.email,
    perCustomer: 3,
  };
}

/**
 * For a new ticket's creation to embed (TicketDeps.afterIntake.prefetch): the bot's order
 * lookup, when the ticket is about an order's status, as one JSON value with the lookup it
 * answers; null otherwise. The bot uses it only for that same lookup (prefetchedOrders).
 */
export function botPrefetchSql(x: { storeId: string; email: string; category: string; text: string; orderNumbers: string[] }): RawBuilder<unknown> | null {
  if (x.category !== 'order_status') return null;
  const lookup = orderLookup({ ...x, linkedOrderId: null, entities: x.orderNumbers });
  return sql`json_build_object('lookup', ${JSON.stringify(lookup)}::json, 'rows', ${ordersForTrackingSql(lookup)})`;
}

function prefetchedOrders(value: unknown, lookup: OrdersForTrackingInput): OrdersForTracking | null {
  const v = value as { lookup?: unknown; rows?: unknown } | null | undefined;
  if (!v || typeof v !== 'object' || JSON.stringify(v.lookup) !== JSON.stringify(lookup)) return null;
  return ordersFromPrefetched(v.rows);
}

export const BOT_JOB = 'bot.consider';

/** The job: runs the bot on a ticket (idempotent per customer message). */
export function botJobs(deps: BotDeps): Record<string, JobHandler> {
  loadBotContent();
  return {
    [BOT_JOB]: async (payload) => {
      const id = (payload as { ticketId?: unknown } | null)?.ticketId;
      if (typeof id === 'string' && isUuid(id)) await runBot(deps, id);
    },
  };
}

/**
 * What the bot of this node has already looked at, so that `watchForBot` does not queue a
 * `bot.consider` job that could only find the message decided (each costs an insert, a
 * claim, the bot's read and a completion; with every ticket created over the API that was
 * most of the bot's database work). Two facts, both about this node only:
 * - tickets whose creation ran the bot in afterIntake (`intake`): their `ticket.created`
 *   needs no job;
 * - status changes the bot is about to make itself (`ownStatusChanges`: its reply opens a
 *   new ticket, its answer solves it): that many status events of the ticket need no job.
 *   Skipping one of several status events of a ticket is safe either way: the job of any
 *   other reads the ticket as it is then, and decides on its newest customer message.
 * Entries are forgotten after a minute (an event arrives within milliseconds).
 */
export class BotLedger {
  private readonly intakes = new Map<string, number>();
  private readonly statuses = new Map<string, { n: number; at: number }>();
  private readonly ttlMs: number;

  constructor(opts: { ttlMs?: number } = {}) {
    this.ttlMs = opts.ttlMs ?? 60_000;
  }

  intake(ticketId: string): void {
    this.prune();
    this.intakes.set(ticketId, Date.now());
  }

  tookIntake(ticketId: string): boolean {
    return this.intakes.has(ticketId);
  }

  ownStatusChanges(ticketId: string, n: number): void {
    this.prune();
    const cur = this.statuses.get(ticketId);
    this.statuses.set(ticketId, { n: (cur?.n ?? 0) + n, at: Date.now() });
  }

  /** Whether a status event of the ticket is one the bot announced (and counts it off). */
  takeOwnStatusChange(ticketId: string): boolean {
    const cur = this.statuses.get(ticketId);
    if (!cur || Date.now() - cur.at > this.ttlMs) return false;
    if (cur.n <= 1) this.statuses.delete(ticketId);
    else cur.n -= 1;
    return true;
  }

  private prune(): void {
    const old = Date.now() - this.ttlMs;
    // Maps keep insertion order: the oldest entries come first
    for (const [id, at] of this.intakes) {
      if (at >= old) break;
      this.intakes.delete(id);
    }
    for (const [id, e] of this.statuses) {
      if (e.at >= old) break;
      this.statuses.delete(id);
    }
  }
}

/** How long a `ticket.created` waits for its creation's afterIntake to be noted (it follows the publish at once). */
const INTAKE_GRACE_MS = 250;

export interface WatchForBotOptions {
  /** This node's ledger (the same one its bot and afterIntake use). */
  ledger?: BotLedger;
  /**
   * This node's id, as its bus stamps it on the events it publishes (`node`, runtime.ts).
   * An event another node published is that node's to follow up: its own watcher queues
   * the job, so the nodes do not all queue (and run) one. Events without a `node` (from a
   * process that does not stamp them) are followed up by everyone, as before.
   */
  node?: string;
}

/**
 * Channels that open tickets without the afterIntake hook (e-mail, IMAP, chat) reach the bot
 * through this: a new ticket or a status change queues the job once per event.
 */
export function watchForBot(db: Kysely<DB>, clock: Clock, bus: EventBus, poke?: () => void, opts: WatchForBotOptions = {}): () => void {
  const timers = new Set<NodeJS.Timeout>();
  const enqueue = (e: DomainEvent) =>
    void enqueueJob(db, BOT_JOB, { ticketId: e.ticketId }, { uniqueKey: `${BOT_JOB}:${e.ticketId}:${e.type}:${e.at}`, maxAttempts: 3, runAt: clock.now() }).then(
      (id) => {
        if (id !== null) poke?.();
      },
      () => undefined,
    );
  const unsubscribe = bus.subscribe((e) => {
    if (e.type !== 'ticket.created' && !(e.type === 'ticket.updated' && e.changes?.includes('status'))) return;
    if (opts.node && typeof e.node === 'string' && e.node !== opts.node) return;
    const ledger = opts.ledger;
    if (!ledger) return enqueue(e);
    if (e.type === 'ticket.updated') {
      if (!ledger.takeOwnStatusChange(e.ticketId)) enqueue(e);
      return;
    }
    // the creation's afterIntake is called right after this event is published
    if (ledger.tookIntake(e.ticketId)) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!ledger.tookIntake(e.ticketId)) enqueue(e);
    }, INTAKE_GRACE_MS);
    timer.unref();
    timers.add(timer);
  });
  return () => {
    unsubscribe();
    for (const t of timers) clearTimeout(t);
    timers.clear();
  };
}

/**
 * For TicketDeps.afterIntake: never throws (a failing bot must not lose a ticket).
 * `alsoRecord` is written with a hand-off and only then (`recorded: true`).
 */
export function botAfterIntake(
  deps: BotDeps,
  onError?: (e: unknown) => void,
): (ticketId: string, reason?: 'created' | 'reopened', intake?: IntakeFacts, alsoRecord?: SystemEvent) => Promise<(IntakeResult & { recorded?: boolean }) | undefined> {
  loadBotContent();
  return async (ticketId, reason = 'created', intake, alsoRecord) => {
    if (reason === 'created') deps.ledger?.intake(ticketId);
    try {
      const d = await runBot(deps, ticketId, intake, alsoRecord);
      // a hand-off note leaves the ticket's fields alone but for updated_at; an answer changes
      // it; no decision (another came first, bot off): the caller reads the ticket again
      if (d?.outcome === 'handed_off') return { ticketChanged: false, updatedAt: d.at, recorded: alsoRecord !== undefined };
      return d ? { ticketChanged: true } : undefined;
    } catch (e) {
      onError?.(e);
      return undefined;
    }
  };
}

// ---------------------------------------------------------------------------------------
// Analytics

export interface BotAnalytics {
  from: string;
  to: string;
  storeId: string | null;
  /** Tickets the bot looked at in the window. */
  tickets: number;
  decisions: number;
  answered: number;
  answeredByKind: { tracking: number; faq: number };
  handedOff: number;
  handOffReasons: Record<string, number>;
  /** Tickets the bot answered that were solved (or closed) without any agent reply. */
  deflected: number;
  /** deflected / tickets */
  deflectionRate: number | null;
  /** Bot answers after which the customer wrote again within the reopen window. */
  reopened: number;
  /** reopened / answered */
  reopenRate: number | null;
  reopenWindowDays: number;
}

export async function botAnalytics(db: Kysely<DB>, input: { from: Date; to: Date; storeId?: string; reopenWindowDays?: number }): Promise<BotAnalytics> {
  if (input.storeId !== undefined && !isUuid(input.storeId)) throw validationError('storeId must be a store id', { field: 'storeId' });
  const windowDays = input.reopenWindowDays ?? (input.storeId ? (await getBotSettings(db, input.storeId)).reopenWindowDays : BOT_DEFAULTS.reopenWindowDays);
  let q = db.selectFrom('bot_decisions as d').where('d.created_at', '>=', input.from).where('d.created_at', '<', input.to);
  if (input.storeId) q = q.where('d.store_id', '=', input.storeId);
  const rows = await q
    .select([
      'd.ticket_id', 'd.outcome', 'd.kind', 'd.reasons', 'd.created_at',
      sql<boolean>`EXISTS (SELECT 1 FROM messages m WHERE m.ticket_id = d.ticket_id AND m.author_type = 'agent' AND m.internal = false)`.as('agent_replied'),
      sql<boolean>`EXISTS (SELECT 1 FROM tickets t WHERE t.id = d.ticket_id AND t.status IN ('solved', 'closed'))`.as('solved'),
      sql<boolean>`EXISTS (SELECT 1 FROM messages m WHERE m.ticket_id = d.ticket_id AND m.author_type = 'customer'
        AND m.created_at > d.created_at AND m.created_at <= d.created_at + make_interval(days => ${windowDays}))`.as('customer_again'),
    ])
    .execute();
  const tickets = new Set(rows.map((r) => r.ticket_id));
  const answered = rows.filter((r) => r.outcome === 'answered');
  const deflectedTickets = new Set(answered.filter((r) => r.solved && !r.agent_replied).map((r) => r.ticket_id));
  const reopened = answered.filter((r) => r.customer_again).length;
  const reasons: Record<string, number> = {};
  for (const r of rows) if (r.outcome === 'handed_off') for (const code of r.reasons) reasons[code] = (reasons[code] ?? 0) + 1;
  const ratio = (a: number, b: number) => (b ? Math.round((a / b) * 10_000) / 10_000 : null);
  return {
    from: input.from.toISOString(),
    to: input.to.toISOString(),
    storeId: input.storeId ?? null,
    tickets: tickets.size,
    decisions: rows.length,
    answered: answered.length,
    answeredByKind: { tracking: answered.filter((r) => r.kind === 'tracking').length, faq: answered.filter((r) => r.kind === 'faq').length },
    handedOff: rows.length - answered.length,
    handOffReasons: reasons,
    deflected: deflectedTickets.size,
    deflectionRate: ratio(deflectedTickets.size, tickets.size),
    reopened,
    reopenRate: ratio(reopened, answered.length),
    reopenWindowDays: windowDays,
  };
}
