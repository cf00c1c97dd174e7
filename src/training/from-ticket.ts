/**
 * From a real ticket to a scenario draft, in one call: the customer's words become the
 * opening and the lines, the order becomes the facts, what the agent did on the order becomes
 * the expected end state — with personal data replaced (names, e-mails, phones, addresses,
 * order and tracking numbers). The draft is a valid scenario (playable at once); trainers
 * refine its glosses, objections and hints.
 */
import type { Kysely } from 'kysely';
import YAML from 'yaml';
import type { Clock } from '../core/clock.ts';
import { AppError, validationError } from '../core/errors.ts';
import type { DB } from '../db/types.ts';
import type { Actor } from '../helpdesk/visibility.ts';
import { listMarkets } from '../markets/index.ts';
import { CATEGORIES, LANGUAGES, PAYMENT_METHODS, validateScenario, type Scenario } from './scenario.ts';

export interface TicketSource {
  id: string;
  number: number;
  subject: string;
  category: string;
  language: string | null;
  angry: boolean;
  status: string;
  customer: { name: string | null; email: string; country: string | null };
  createdAt: string;
  messages: { authorType: string; body: string; internal: boolean; createdAt: string }[];
  order?: {
    number: string;
    currency: string;
    placedAt: string;
    total: number;
    items: { sku: string; title: string; quantity: number; unitPrice: number }[];
    payments: { method: string; captured: number }[];
    shipment: { carrier: string | null; trackingNumber: string | null; status: string; shippedAt: string | null; deliveredAt: string | null } | null;
    shippingAddress: Record<string, unknown> | null;
    actions: { type: string; result: unknown }[];
  } | null;
}

const FAKE_NAMES: Record<string, string> = {
  de: 'Lena Hoffmann',
  fr: 'Camille Martin',
  es: 'Lucía García',
  it: 'Giulia Rossi',
  pt: 'Ana Souza',
  nl: 'Sanne de Vries',
  pl: 'Anna Kowalska',
  sv: 'Elin Johansson',
  tr: 'Elif Yılmaz',
  ru: 'Анна Иванова',
  ar: 'نورة العتيبي',
  ja: '田中 花子',
  ko: '김 지우',
  zh: '王 芳',
  en: 'Sam Taylor',
};

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Replaces personal data in a text: the listed values first, then anything shaped like e-mail/phone/order numbers. */
export function anonymise(text: string, replace: { from: string; to: string }[]): string {
  let out = text;
  for (const r of replace.filter((x) => x.from.trim().length >= 3).sort((a, b) => b.from.length - a.from.length)) {
    out = out.replace(new RegExp(escape(r.from), 'gi'), r.to);
  }
  return out
    .replace(/[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g, 'customer@example.com')
    .replace(/\+?\d[\d ().-]{7,}\d/g, (m) => (m.replace(/\D/g, '').length >= 8 ? '+00 0000 0000' : m))
    .replace(/#\s?\d{3,}/g, '#D1001');
}

function lineFor(language: string): Record<'thanks' | 'repeat' | 'escalate' | 'leave' | 'accept' | 'reject', { text: string; gloss_zh: string }> {
  const L: Record<string, [string, string, string, string, string, string]> = {
    en: ['Thank you.', 'Could you please answer my question?', 'If this is not solved soon I will leave a bad review.', "I'll take this elsewhere.", 'OK, that works for me.', "No, that doesn't work for me."],
    de: ['Vielen Dank.', 'Bitte beantworten Sie meine Frage.', 'Wenn das nicht bald gelöst ist, schreibe ich eine schlechte Bewertung.', 'Dann kläre ich das anders.', 'In Ordnung, so machen wir das.', 'Nein, das passt für mich nicht.'],
    fr: ['Merci beaucoup.', 'Pourriez-vous répondre à ma question ?', "Si ce n'est pas réglé rapidement, je laisserai un avis négatif.", "Je vais régler ça autrement.", "D'accord, ça me convient.", 'Non, cela ne me convient pas.'],
    es: ['Muchas gracias.', '¿Podría responder a mi pregunta, por favor?', 'Si no se soluciona pronto, dejaré una mala reseña.', 'Lo resolveré por otra vía.', 'De acuerdo, me parece bien.', 'No, eso no me sirve.'],
    zh: ['谢谢。', '请回答我的问题。', '如果不尽快解决，我会给差评。', '算了，我去别处解决。', '好的，就这样吧。', '不行，这样不可以。'],
  };
  const G = ['谢谢。', '请回答我的问题。', '如果不尽快解决，我会给差评。', '算了，我去别处解决。', '好的，就这样吧。', '不行，这样不可以。'];
  const l = L[language] ?? L.en;
  const keys = ['thanks', 'repeat', 'escalate', 'leave', 'accept', 'reject'] as const;
  return Object.fromEntries(keys.map((k, i) => [k, { text: l[i], gloss_zh: G[i] }])) as ReturnType<typeof lineFor>;
}

const rel = (iso: string | null | undefined, now: Date): string | undefined => (iso ? `${Math.round((new Date(iso).getTime() - now.getTime()) / 86_400_000)}d` : undefined);

/** Builds the draft (pure). `id` becomes the scenario id. */
export function draftFromTicket(t: TicketSource, id: string, now: Date): { raw: Record<string, unknown>; yaml: string } {
  const language = (LANGUAGES as readonly string[]).includes(t.language ?? '') ? (t.language as string) : 'en';
  const markets = listMarkets().filter((m) => m.role === 'buyer').map((m) => m.code);
  const market = t.customer.country && markets.includes(t.customer.country.toUpperCase()) ? t.customer.country.toUpperCase() : 'US';
  const category = (CATEGORIES as readonly string[]).includes(t.category) ? t.category : 'other';
  const name = FAKE_NAMES[language] ?? FAKE_NAMES.en;
  const orderNo = '#D1001';
  const replace: { from: string; to: string }[] = [];
  if (t.customer.name) {
    replace.push({ from: t.customer.name, to: name });
    for (const part of t.customer.name.split(/\s+/)) if (part.length >= 3) replace.push({ from: part, to: name.split(/\s+/)[0] });
  }
  replace.push({ from: t.customer.email, to: 'customer@example.com' });
  const o = t.order ?? null;
  if (o) {
    replace.push({ from: o.number, to: orderNo }, { from: o.number.replace(/^#/, ''), to: orderNo.slice(1) });
    if (o.shipment?.trackingNumber) replace.push({ from: o.shipment.trackingNumber, to: 'TRK0000000001' });
    for (const v of Object.values(o.shippingAddress ?? {})) if (typeof v === 'string' && v.length >= 3 && !/^[A-Z]{2}$/.test(v)) replace.push({ from: v, to: '[address]' });
  }
  const anon = (s: string) => anonymise(s, replace);
  const customerMsgs = t.messages.filter((m) => m.authorType === 'customer' && !m.internal && m.body.trim());
  const opening = anon(customerMsgs[0]?.body ?? t.subject).slice(0, 2000);
  const later = customerMsgs.slice(1).map((m) => anon(m.body).slice(0, 1000));

  const items = o?.items.length ? o.items.map((i) => ({ sku: i.sku, name: anon(i.title), qty: i.quantity, price: i.unitPrice })) : [{ sku: 'ITEM-1', name: 'Item', qty: 1, price: 50 }];
  const itemsTotal = Math.round(items.reduce((s, i) => s + i.qty * i.price, 0) * 100) / 100;
  const paid = Math.min(itemsTotal, o?.payments.reduce((s, p) => s + p.captured, 0) || itemsTotal);
  const delivered = o?.shipment?.deliveredAt ?? null;
  const shipped = o?.shipment?.shippedAt ?? null;
  const status = delivered ? 'delivered' : shipped ? 'shipped' : 'paid';
  const method = (PAYMENT_METHODS as readonly string[]).includes(o?.payments[0]?.method ?? '') ? o!.payments[0].method : 'card';

  // What the agent did on the order: the expected end state.
  const kindOf: Record<string, { action: string; kind: string }> = {
    return: { action: 'create_return', kind: 'return_label' },
    refund: { action: 'refund', kind: 'refund' },
    reship: { action: 'reship', kind: 'reship' },
    exchange: { action: 'exchange', kind: 'exchange' },
    cancel: { action: 'cancel', kind: 'cancel' },
    address: { action: 'change_address', kind: 'address_change' },
    claim: { action: 'open_claim', kind: 'investigate' },
  };
  const done = (o?.actions ?? []).map((a) => kindOf[a.type]).filter((x): x is { action: string; kind: string } => !!x);
  const uniq = [...new Map(done.map((d) => [d.action, d])).values()];
  const expected = uniq.length ? [{ label: 'what the agent did', actions: uniq.map((d) => ({ action: d.action, args: { order: orderNo } })) }] : [{ label: 'no order change', actions: [], allow_extra: ['open_claim'] }];
  const accepts = uniq.length ? uniq.map((d) => ({ kind: d.kind })) : [{ kind: 'tracking_update' }, { kind: 'investigate' }, { kind: 'explain_policy' }];
  const lines = lineFor(language);
  if (later[0]) lines.repeat = { text: later[0], gloss_zh: '（草稿：请补充中文释义）' + later[0].slice(0, 60) };

  const raw: Record<string, unknown> = {
    id,
    title: { en: `Draft from ticket #${t.number}: ${anon(t.subject).slice(0, 80)}`, zh: `来自工单 #${t.number} 的草稿：${anon(t.subject).slice(0, 80)}` },
    market,
    language,
    category,
    difficulty: t.angry ? 'hard' : 'medium',
    tags: ['from_ticket', 'draft'],
    persona: {
      name,
      culture: `Customer from ${market} (from a real ticket)`,
      writes: 'as in the original ticket',
      mood: t.angry ? 0.75 : 0.4,
      patience: t.angry ? 3 : 5,
      escalates_to: ['bad_review'],
    },
    facts: {
      customer: { email: 'customer@example.com', country: market },
      order: {
        number: orderNo,
        status,
        placed: rel(o?.placedAt, now) ?? '-10d',
        ...(status === 'delivered' ? { delivered: rel(delivered, now) ?? '-2d' } : {}),
        currency: o?.currency ?? 'USD',
        total: itemsTotal,
        payment: { method, amount: paid },
        items,
      },
      ...(status !== 'paid'
        ? { shipment: { carrier: o?.shipment?.carrier ?? 'Carrier', tracking: 'TRK0000000001', status: o?.shipment?.status && ['label_created', 'in_transit', 'out_for_delivery', 'delivered', 'exception', 'lost', 'returned'].includes(o.shipment.status) ? o.shipment.status : status === 'delivered' ? 'delivered' : 'in_transit', shipped_at: rel(shipped, now) } }
        : {}),
      stock: Object.fromEntries(items.map((i) => [i.sku, 10])),
      what_happened: anon(t.subject),
    },
    knows_and_reveals_when_asked: {
      order_number: { value: orderNo, line: { text: orderNo, gloss_zh: `订单号 ${orderNo}` }, in_opening: opening.includes(orderNo) || undefined },
      ...(later[1] ? { description: { value: later[1].slice(0, 200), line: { text: later[1], gloss_zh: '（草稿：请补充中文释义）' } } } : {}),
    },
    opening: { text: opening, gloss_zh: '（草稿：请补充中文释义）' },
    goal: { en: `A resolution like the one the real agent reached (${uniq.map((d) => d.kind).join(', ') || 'information'})`, zh: `与真实工单相同的解决结果（${uniq.map((d) => d.kind).join('、') || '提供信息'}）` },
    outcomes: { accepts, rejects: [{ kind: 'refusal' }] },
    must_tell: [],
    expected_end_state: { one_of: expected },
    market_rules_in_play: [],
    culture_hints: { en: 'Draft: add the cultural hint for this market.', zh: '草稿：请补充该市场的文化提示。' },
    lines,
  };
  // YAML has no undefined: drop it.
  const clean = JSON.parse(JSON.stringify(raw)) as Record<string, unknown>;
  return { raw: clean, yaml: YAML.stringify(clean, { lineWidth: 0 }) };
}

export interface FromTicketDeps {
  db: Kysely<DB>;
  clock: Clock;
}

/** Loads a solved ticket (visible to the actor) and its order, drafts and stores the scenario. */
export async function scenarioFromTicket(deps: FromTicketDeps, ticketId: string, actor: Actor & { id: string }): Promise<{ id: string; yaml: string; scenario: Scenario }> {
  const { getTicket } = await import('../helpdesk/tickets.ts');
  const { getOrderDetail } = await import('../commerce/orders.ts');
  const t = await getTicket(deps, ticketId, actor);
  if (t.status !== 'solved' && t.status !== 'closed') throw new AppError('conflict', `Ticket #${t.number} is ${t.status}: only solved or closed tickets become scenarios`, { reason: 'ticket_not_solved' });
  let order: TicketSource['order'] = null;
  if (t.orderId) {
    const d = await getOrderDetail(deps.db, t.orderId, deps.clock.now());
    order = {
      number: d.number,
      currency: d.currency,
      placedAt: d.placedAt,
      total: Number(d.total),
      items: d.items.map((i) => ({ sku: i.sku, title: i.title, quantity: i.quantity, unitPrice: Number(i.unitPrice) })),
      payments: d.payments.map((p) => ({ method: p.method, captured: Number(p.captured) })),
      shipment: d.shipment ? { carrier: d.shipment.carrier, trackingNumber: d.shipment.trackingNumber, status: d.shipment.status, shippedAt: d.shipment.shippedAt, deliveredAt: d.shipment.deliveredAt } : null,
      shippingAddress: (d.shippingAddress as Record<string, unknown> | null) ?? null,
      actions: d.actions.filter((a) => a.ticketId === t.id || a.ticketId === null).map((a) => ({ type: a.type, result: a.result })),
    };
  }
  const now = deps.clock.now();
  const id = `ticket-${t.number}-${now.getTime().toString(36)}`;
  const { yaml } = draftFromTicket(
    {
      id: t.id,
      number: t.number,
      subject: t.subject,
      category: t.category,
      language: t.language,
      angry: t.angry,
      status: t.status,
      customer: { name: t.customer.name, email: t.customer.email, country: t.customer.country },
      createdAt: t.createdAt,
      messages: t.messages.map((m) => ({ authorType: m.authorType, body: m.body, internal: m.internal, createdAt: m.createdAt })),
      order,
    },
    id,
    now,
  );
  const { scenario, issues } = validateScenario(YAML.parse(yaml), `ticket:${t.number}`);
  if (!scenario) throw validationError(`The ticket could not be turned into a valid scenario: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`, { issues });
  await deps.db
    .insertInto('training_scenarios')
    .values({ id, source: 'ticket', ticket_id: t.id, created_by: actor.id, category: scenario.category, market: scenario.market, language: scenario.language, difficulty: scenario.difficulty, title_en: scenario.title.en, title_zh: scenario.title.zh, yaml, created_at: now })
    .execute();
  return { id, yaml, scenario };
}
