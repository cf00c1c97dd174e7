/**
 * Act recognition for drills: what the trainee did in one turn (greeted, apologised, asked for
 * the order number, offered a refund with a date, blamed the customer, asked for a CVV…).
 *
 * Reuses the rubric's lexicon (content/quality/lexicon, through ActIndex) for the acts it
 * knows, and adds the drill's own lexicon (content/training/acts) for what a simulated
 * customer needs beyond it: the things an agent asks for, partial refunds and vouchers,
 * "free of charge", policy explanations, transfers, "please wait". Every turn is scanned in
 * the customer's language, English and Chinese.
 */
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { contentDir } from '../core/paths.ts';
import { ActIndex, compilePattern, normaliseForMatch, prepareText, type Act, type PreparedText } from '../quality/lexicon.ts';
import { ASK_KEYS, type AskKey, type OfferKind } from './scenario.ts';

export const DRILL_ACTS = [
  'email_term',
  'phone_term',
  'name_term',
  'delivery_date_term',
  'purchase_date_term',
  'tracking_term',
  'description_term',
  'serial_term',
  'size_term',
  'preference_term',
  'deadline_term',
  'bank_term',
  'video_term',
  'partial_refund',
  'voucher',
  'free_of_charge',
  'explain_policy',
  'transfer',
  'wait',
  'repair',
  'express',
  'amount',
  'question',
  'status_update',
  'ship_new',
  'refund_done',
  'cancel_done',
  'return_first',
  'time_extra',
  'pickup',
  'alternative',
] as const;
export type DrillAct = (typeof DRILL_ACTS)[number];
const DRILL_ACT_SET: ReadonlySet<string> = new Set(DRILL_ACTS);

const NO_BOUNDARY = new Set(['zh', 'ja', 'ko', 'ar']);
/** Latin-script languages: ASCII once accents are folded, so the fast `\b` marks word edges (as the rubric's lexicon). */
const ASCII_AFTER_FOLDING = new Set(['en', 'de', 'fr', 'es', 'it', 'pt', 'nl', 'pl', 'sv', 'tr']);

/** Compiled drill lexicon of one language: one regex per act. */
type DrillLexicon = Map<DrillAct, RegExp>;

function withBoundaries(raw: string, compiled: string, language: string): string {
  if (NO_BOUNDARY.has(language)) return compiled;
  const ascii = ASCII_AFTER_FOLDING.has(language);
  // `\b` only where the pattern's own edge is a letter or digit; a group may end in a symbol ("€").
  const start = /^[\p{L}\p{N}(]/u.test(raw) && !raw.startsWith('(?:[') ? (ascii ? (/^[\p{L}\p{N}]/u.test(raw) ? '\\b' : '(?<![a-z0-9])') : '(?<![\\p{L}\\p{N}])') : '';
  const end = /[\p{L}\p{N})~?]$/u.test(raw) && !raw.endsWith('\\?') ? (ascii ? (/[\p{L}\p{N}~]$/u.test(raw) ? '\\b' : '(?![a-z0-9])') : '(?![\\p{L}\\p{N}])') : '';
  return `${start}(?:${compiled})${end}`;
}

export function compileDrillLexicon(language: string, raw: unknown, source: string): DrillLexicon {
  const o = raw as { numbers?: unknown; acts?: unknown };
  const numbers = Array.isArray(o?.numbers) ? o.numbers.map(String) : [];
  if (typeof o?.acts !== 'object' || o.acts === null) throw new Error(`${source}: no acts`);
  const out: DrillLexicon = new Map();
  for (const [name, list] of Object.entries(o.acts as Record<string, unknown>)) {
    if (!DRILL_ACT_SET.has(name)) throw new Error(`${source}: unknown act "${name}" (known: ${DRILL_ACTS.join(', ')})`);
    if (!Array.isArray(list) || !list.length) continue;
    const parts = list.map((p) => withBoundaries(String(p), compilePattern(String(p), numbers), language));
    try {
      out.set(name as DrillAct, new RegExp(parts.join('|'), 'gu'));
    } catch (e) {
      for (const p of list) {
        try {
          new RegExp(compilePattern(String(p), numbers), 'u');
        } catch {
          throw new Error(`${source}: act "${name}": bad pattern ${JSON.stringify(p)}`);
        }
      }
      throw new Error(`${source}: act "${name}": ${(e as Error).message}`);
    }
  }
  return out;
}

export const drillLexiconDir = path.join(contentDir, 'training', 'acts');
let drillCache: Map<string, DrillLexicon> | null = null;

export function drillLexicons(): Map<string, DrillLexicon> {
  if (drillCache) return drillCache;
  const out = new Map<string, DrillLexicon>();
  for (const file of fs.readdirSync(drillLexiconDir).sort()) {
    if (!file.endsWith('.yaml')) continue;
    const lang = file.replace(/\.yaml$/, '');
    out.set(lang, compileDrillLexicon(lang, YAML.parse(fs.readFileSync(path.join(drillLexiconDir, file), 'utf8')), file));
  }
  drillCache = out;
  return out;
}

/** Sentences (indices) where each drill act occurs. */
class DrillIndex {
  private readonly found = new Map<DrillAct, { sentence: number; match: string }[]>();
  private readonly lexs: DrillLexicon[];
  constructor(
    private readonly text: PreparedText,
    languages: string[],
  ) {
    const all = drillLexicons();
    this.lexs = [...new Set(languages)].map((l) => all.get(l)).filter((x): x is DrillLexicon => !!x);
  }
  get(act: DrillAct): { sentence: number; match: string }[] {
    const have = this.found.get(act);
    if (have) return have;
    const out: { sentence: number; match: string }[] = [];
    for (const lex of this.lexs) {
      const re = lex.get(act);
      if (!re) continue;
      re.lastIndex = 0;
      let m: RegExpExecArray | null;
      while ((m = re.exec(this.text.norm)) !== null) {
        if (!m[0].length) {
          re.lastIndex++;
          continue;
        }
        out.push({ sentence: sentenceAt(this.text.starts, m.index), match: m[0] });
      }
    }
    this.found.set(act, out);
    return out;
  }
  has(act: DrillAct): boolean {
    return this.get(act).length > 0;
  }
  sentences(act: DrillAct): Set<number> {
    return new Set(this.get(act).map((h) => h.sentence));
  }
}

function sentenceAt(starts: number[], offset: number): number {
  let i = 0;
  while (i + 1 < starts.length && starts[i + 1] <= offset) i++;
  return i;
}

/** Where the term of each built-in ask key comes from. */
const ASK_TERMS: Record<AskKey, { q?: Act; d?: DrillAct }> = {
  order_number: { q: 'order_number_term' },
  photo: { q: 'photo_term' },
  video: { d: 'video_term' },
  address: { q: 'address_term' },
  email: { d: 'email_term' },
  phone: { d: 'phone_term' },
  name: { d: 'name_term' },
  delivery_date: { d: 'delivery_date_term' },
  purchase_date: { d: 'purchase_date_term' },
  tracking_number: { d: 'tracking_term' },
  description: { d: 'description_term' },
  serial_number: { d: 'serial_term' },
  size: { d: 'size_term' },
  preference: { d: 'preference_term' },
  deadline: { d: 'deadline_term' },
  bank_details: { d: 'bank_term' },
};

/** Modifiers that an accepted outcome may require, and must_tell acts. */
export type Modifier = 'time' | 'amount' | 'tracking' | 'apology' | 'empathy' | 'free_of_charge' | 'express';

/** What one trainee turn did, in the customer's eyes. Evidence: the sentence of each act. */
export interface TurnActs {
  greeting: boolean;
  apology: boolean;
  empathy: boolean;
  thanks: boolean;
  closing: boolean;
  /** Keys asked for (built-in and custom). */
  asks: string[];
  offers: OfferKind[];
  modifiers: Modifier[];
  blame: boolean;
  rude: boolean;
  sensitive: boolean;
  reviewManipulation: boolean;
  disputeDrop: boolean;
  /** The turn offers options ("a refund, or an exchange if you prefer"): the customer may pick one. */
  alternatives: boolean;
  /** Act code → the sentence that showed it. */
  evidence: Record<string, string>;
  /** Flat list of recognised act codes (asks as `asks:<key>`, offers as `offers:<kind>`). */
  codes: string[];
}

export interface RecogniseOptions {
  /** The customer's language (scanned with en and zh). */
  language: string;
  /** Custom ask keys with their patterns (from the scenario). */
  customAsks?: Record<string, RegExp[]>;
}

const CODE_RE = /(?:#\s?[a-z0-9-]*\d{3,})|\b[A-Z]{2,4}\d{8,}[A-Z]{0,2}\b|\b\d{10,22}\b|\b\d{4}-\d{4}-\d{4}\b/;

/** Recognises the acts of one trainee turn. Pure and fast (a few regex scans). */
export function recogniseActs(text: string, opts: RecogniseOptions): TurnActs {
  const prepared = prepareText(text);
  const langs = [opts.language, 'en', 'zh'];
  const q = new ActIndex(prepared, langs);
  const d = new DrillIndex(prepared, langs);
  const evidence: Record<string, string> = {};
  const quote = (s: number) => prepared.sentences[s] ?? '';
  const mark = (code: string, sentence: number | undefined) => {
    if (sentence !== undefined && !(code in evidence)) evidence[code] = quote(sentence);
  };
  const qFirst = (a: Act) => q.get(a)[0]?.sentence;
  const dFirst = (a: DrillAct) => d.get(a)[0]?.sentence;
  const qHas = (a: Act) => {
    const s = qFirst(a);
    return s !== undefined;
  };

  const greeting = qHas('greeting');
  const apology = qHas('apology');
  const empathy = qHas('empathy');
  const thanks = qHas('thanks');
  const closing = qHas('closing');
  if (greeting) mark('greeting', qFirst('greeting'));
  if (apology) mark('apology', qFirst('apology'));
  if (empathy) mark('empathy', qFirst('empathy'));
  if (closing) mark('closing', qFirst('closing'));

  // Question sentences: a request form ("could you", "please send", "请提供") or a question mark.
  const questionSentences = new Set<number>([...q.sentencesOf('ask'), ...d.sentences('question')]);

  // --- sensitive data, blame, integrity -------------------------------------------------
  const warned = q.sentencesOf('warn');
  const sensitiveSentences = [...q.sentencesOf('sensitive_term')].filter((s) => questionSentences.has(s) && !warned.has(s) && !q.inSentence('last_digits', s));
  const sensitive = sensitiveSentences.length > 0;
  if (sensitive) mark('asks_sensitive_data', sensitiveSentences[0]);
  const blame = qHas('blame');
  if (blame) mark('blame', qFirst('blame'));
  const rude = qHas('rude') || qHas('sarcasm');
  if (rude) mark('rude', qFirst('rude') ?? qFirst('sarcasm'));
  const reviewManipulation = qHas('review_change') || (qHas('incentive') && qHas('review_positive'));
  if (reviewManipulation) mark('review_manipulation', qFirst('review_change') ?? qFirst('incentive'));
  // A demand to drop the dispute (as a condition), not a choice left to the customer (as the rubric).
  const choiceNear = (s: number) => [s - 1, s, s + 1].some((x) => q.inSentence('customer_choice', x));
  const dropDemand = [...q.sentencesOf('dispute_drop')].find((s) => q.inSentence('condition_first', s) && !choiceNear(s));
  const disputeDrop = dropDemand !== undefined;
  if (disputeDrop) mark('dispute_drop', dropDemand);

  // --- asks -----------------------------------------------------------------------------
  const asks: string[] = [];
  for (const key of ASK_KEYS) {
    const t = ASK_TERMS[key];
    const sents = t.q ? q.sentencesOf(t.q) : t.d ? d.sentences(t.d) : new Set<number>();
    for (const s of sents) {
      if (!questionSentences.has(s)) continue;
      // "your order #1047 has shipped" mentions the order number; asking needs no number given.
      if (key === 'order_number' && CODE_RE.test(quote(s))) continue;
      if (sensitiveSentences.includes(s) && (key === 'bank_details' || key === 'name')) continue;
      asks.push(key);
      mark(`asks:${key}`, s);
      break;
    }
  }
  // Custom keys count as asked only in a question or request, like the built-in ones: "we added
  // the gift message" mentions it, "what should the gift message say?" asks for it.
  for (const [key, patterns] of Object.entries(opts.customAsks ?? {})) {
    for (let s = 0; s < prepared.sentences.length; s++) {
      if (!questionSentences.has(s)) continue;
      const norm = normaliseForMatch(prepared.sentences[s]);
      if (patterns.some((re) => re.test(norm))) {
        asks.push(key);
        mark(`asks:${key}`, s);
        break;
      }
    }
  }
  // A sentence that asks for something carries no offer ("which size would you like for the exchange?").
  const askSentences = new Set(Object.entries(evidence).filter(([k]) => k.startsWith('asks:')).map(([, v]) => prepared.sentences.indexOf(v)));

  // --- offers ---------------------------------------------------------------------------
  const refusal = q.sentencesOf('refusal');
  const conditional = q.sentencesOf('condition_first');
  const blocked = (s: number) => askSentences.has(s) || sensitiveSentences.includes(s) || (refusal.has(s) && !conditional.has(s));
  const offers = new Set<OfferKind>();
  const offerFromQ = (a: Act, kind: OfferKind) => {
    const hit = q.get(a).find((h) => !blocked(h.sentence));
    if (hit) {
      offers.add(kind);
      mark(`offers:${kind}`, hit.sentence);
    }
  };
  const offerFromD = (a: DrillAct, kind: OfferKind, block: (s: number) => boolean = blocked) => {
    const hit = d.get(a).find((h) => !block(h.sentence));
    if (hit) {
      offers.add(kind);
      mark(`offers:${kind}`, hit.sentence);
    }
  };
  offerFromD('partial_refund', 'partial_refund');
  offerFromD('voucher', 'voucher');
  if (!offers.has('partial_refund')) {
    offerFromQ('refund', 'refund');
    offerFromD('refund_done', 'refund');
  }
  offerFromQ('replacement', 'replacement');
  offerFromQ('reship', 'reship');
  offerFromD('ship_new', 'reship');
  offerFromQ('exchange', 'exchange');
  offerFromD('repair', 'repair');
  offerFromQ('cancel_order', 'cancel');
  offerFromD('cancel_done', 'cancel');
  offerFromD('status_update', 'tracking_update');
  offerFromQ('address_update', 'address_change');
  offerFromQ('investigate', 'investigate');
  offerFromQ('tracking_update', 'tracking_update');
  // The rule and why is often said in the refusal itself ("the 14-day window closed, so I can't…").
  offerFromD('explain_policy', 'explain_policy', (s) => askSentences.has(s) || sensitiveSentences.includes(s));
  offerFromD('transfer', 'transfer');
  // return label: the rubric's lexicon counts "free of charge" as a label; a label needs more.
  {
    const free = d.sentences('free_of_charge');
    const hit = q.get('return_label').find((h) => !blocked(h.sentence) && (!free.has(h.sentence) || /label|etikett|etiquet|etichett|面单|标签|ラベル|伝票|라벨|ملصق|etykiet|etiket|этикет/.test(h.match)));
    if (hit) {
      offers.add('return_label');
      mark('offers:return_label', hit.sentence);
    } else offerFromD('pickup', 'return_label');
  }
  // What customers object to.
  const payHit = q.get('customer_pays')[0] ?? q.get('carrier_yourself')[0];
  if (payHit) {
    offers.add('customer_pays');
    mark('offers:customer_pays', payHit.sentence);
  }
  const condHit = d.get('return_first')[0];
  if (condHit) {
    offers.add('return_first');
    mark('offers:return_first', condHit.sentence);
  }
  const waitHit = d.get('wait')[0];
  if (waitHit) {
    offers.add('wait');
    mark('offers:wait', waitHit.sentence);
  }
  const hardRefusals = [...refusal].filter((s) => !conditional.has(s));
  if (hardRefusals.length) {
    offers.add('refusal');
    mark('offers:refusal', hardRefusals[0]);
  }

  // --- modifiers ------------------------------------------------------------------------
  const modifiers: Modifier[] = [];
  const timeHit = q.get('time').find((h) => !askSentences.has(h.sentence)) ?? d.get('time_extra').find((h) => !askSentences.has(h.sentence));
  if (timeHit) {
    modifiers.push('time');
    mark('time', timeHit.sentence);
  }
  const amountHit = d.get('amount').find((h) => !askSentences.has(h.sentence));
  if (amountHit) {
    modifiers.push('amount');
    mark('amount', amountHit.sentence);
  }
  const codeSentence = prepared.sentences.findIndex((s) => CODE_RE.test(s) && !/#\s?[a-z0-9-]*\d{3,}/i.test(s.match(CODE_RE)?.[0] ?? ''));
  if (codeSentence >= 0 && !offers.has('tracking_update') && !askSentences.has(codeSentence)) {
    offers.add('tracking_update');
    mark('offers:tracking_update', codeSentence);
  }
  if (codeSentence >= 0 || offers.has('tracking_update')) {
    modifiers.push('tracking');
    mark('tracking', codeSentence >= 0 ? codeSentence : prepared.sentences.indexOf(evidence['offers:tracking_update'] ?? ''));
  }
  if (apology) modifiers.push('apology');
  if (empathy) modifiers.push('empathy');
  if (d.has('free_of_charge')) {
    modifiers.push('free_of_charge');
    mark('free_of_charge', dFirst('free_of_charge'));
  }
  if (d.has('express')) modifiers.push('express');

  const codes = [
    ...(greeting ? ['greeting'] : []),
    ...(apology ? ['apology'] : []),
    ...(empathy ? ['empathy'] : []),
    ...(thanks ? ['thanks'] : []),
    ...(closing ? ['closing'] : []),
    ...asks.map((a) => `asks:${a}`),
    ...[...offers].map((o) => `offers:${o}`),
    ...modifiers.filter((m) => m !== 'apology' && m !== 'empathy'),
    ...(blame ? ['blame'] : []),
    ...(rude ? ['rude'] : []),
    ...(sensitive ? ['asks_sensitive_data'] : []),
    ...(reviewManipulation ? ['review_manipulation'] : []),
    ...(disputeDrop ? ['dispute_drop'] : []),
  ];
  const alternatives = d.has('alternative') || asks.includes('preference');
  return { greeting, apology, empathy, thanks, closing, asks, offers: [...offers], modifiers, blame, rude, sensitive, reviewManipulation, disputeDrop, alternatives, evidence, codes };
}

/** Compiles a scenario's custom ask patterns. */
export function compileCustomAsks(reveals: Record<string, { asked_by?: string[] }>): Record<string, RegExp[]> {
  const out: Record<string, RegExp[]> = {};
  for (const [key, f] of Object.entries(reveals)) if (f.asked_by?.length) out[key] = f.asked_by.map((p) => new RegExp(normaliseForMatch(p), 'u'));
  return out;
}

/** Does a text state a must_tell fact? (acts recognised, or a pattern matching). */
export function textMatches(text: string, patterns: string[]): boolean {
  const norm = normaliseForMatch(text);
  return patterns.some((p) => new RegExp(normaliseForMatch(p), 'u').test(norm));
}
