/**
 * The quality rubric: scores one agent reply in context, or a whole conversation, with the
 * evidence (the sentence that earned or lost each point) and a one-line explanation in
 * English and Chinese. One scorer for auto-QA of real tickets and for drills.
 */
import { ActIndex, prepareText } from './lexicon.ts';
import type { Act, ActHit, PreparedText } from './lexicon.ts';
import { detectLanguage } from './language.ts';
import type { DetectedLanguage } from './language.ts';
import { explain } from './explain.ts';
import { marketRule, windowInCalendarDays } from './market-rules.ts';
import type { MarketRule } from './market-rules.ts';
import { CRITICAL_CAP, LANGUAGE_CAP, TONE_CAP, resolveWeights } from './weights.ts';
import { DIMENSIONS } from './types.ts';
import type {
  ConversationTurn,
  CriticalFailure,
  Dimension,
  DimensionResult,
  Evidence,
  Labels,
  ReplyContext,
  ReplyScore,
  ScoreReplyInput,
  Verdict,
} from './types.ts';

const FAULTY = new Set(['damaged_item', 'defective_item', 'wrong_item']);
const RETURN_CATEGORIES = new Set(['return_request', 'refund', 'cancellation', 'exchange_request', 'other']);
const CARRIER_CATEGORIES = new Set(['lost_parcel', 'damaged_item', 'order_status']);
/** Categories where nothing went wrong: an apology is welcome but not owed. */
const NEUTRAL_CATEGORIES = new Set(['product_question', 'address_change', 'other']);

const RESOLUTION_ACTS: readonly Act[] = ['refund', 'replacement', 'reship', 'return_label', 'exchange', 'discount', 'cancel_order', 'address_update'];
const NEXT_STEP_ACTS: readonly Act[] = ['investigate', 'tracking_update'];

/** What answers each category's request. */
const RELEVANT: Record<string, readonly Act[]> = {
  order_status: ['tracking_update', 'investigate', 'reship', 'refund'],
  lost_parcel: ['investigate', 'reship', 'refund', 'replacement'],
  damaged_item: ['refund', 'replacement', 'reship', 'return_label', 'exchange', 'discount'],
  defective_item: ['refund', 'replacement', 'reship', 'return_label', 'exchange', 'discount', 'investigate'],
  wrong_item: ['refund', 'replacement', 'reship', 'return_label', 'exchange'],
  return_request: ['return_label', 'refund', 'exchange'],
  exchange_request: ['exchange', 'replacement', 'return_label'],
  refund: ['refund', 'investigate', 'tracking_update'],
  cancellation: ['cancel_order', 'refund'],
  payment_issue: ['refund', 'investigate'],
  customs_duties: ['refund', 'investigate', 'discount', 'tracking_update'],
  address_change: ['address_update', 'investigate'],
};

/** Words that turn a refusal into a counter-offer ("…, but we can…"), in the lexicon languages. */
const CONTRAST =
  /(?:^|[^\p{L}])(?:but|however|instead|aber|jedoch|stattdessen|mais|cependant|pero|sin embargo|en cambio|ma|tuttavia|pero|mas|porem|no entanto|maar|echter|ale|jednak|men|daremot|ama|fakat|ancak|но|однако|зато|لكن|ولكن|بدلا)(?:[^\p{L}]|$)|但|不过|可是|然而|ただ|しかし|代わりに|하지만|다만|대신/u;

const CARD_TERM = /card|kart|carte|tarjeta|carta|cartao|卡|カード|카드|карт|بطاق/;

interface Facts {
  orderNumber: boolean;
  photo: boolean;
}

/** Everything the rubric recognised in one agent turn. */
export interface TurnAnalysis {
  ctx: ReplyContext;
  rule: MarketRule;
  text: PreparedText;
  idx: ActIndex;
  detected: DetectedLanguage;
  languageMatch: boolean;
  facts: Facts;
  dims: Record<Dimension, DimensionResult>;
  labels: Labels;
  critical: CriticalFailure[];
}

function verdictOf(score: number): Verdict {
  if (score >= 0.8) return 'pass';
  if (score >= 0.4) return 'partial';
  return 'fail';
}

function dim(score: number, evidence: Evidence[], verdict?: Verdict): DimensionResult {
  const s = Math.max(0, Math.min(1, score));
  return { score: Math.round(s * 1000) / 1000, verdict: verdict ?? verdictOf(s), evidence };
}

function ev(
  dimension: Dimension,
  code: string,
  effect: Evidence['effect'],
  quote: string,
  params: Record<string, string | number> = {},
): Evidence {
  return { dimension, quote, effect, code, ...explain(code, params) };
}

/** Order number and photos the customer already gave. */
export function customerFacts(message: string, language: string): Facts {
  const text = prepareText(message);
  const idx = new ActIndex(text, [language, 'en']);
  let orderNumber = /#\s?[a-z0-9-]*\d{3,}/i.test(message) || /\b[A-Z]{2,5}-?\d{4,}\b/.test(message);
  if (!orderNumber) {
    for (const s of idx.sentencesOf('order_number_term')) {
      if (/\d{3,}/.test(text.sentences[s])) orderNumber = true;
    }
  }
  return { orderNumber, photo: idx.has('photo_term') };
}

function languagesToScan(ctx: ReplyContext, detected: DetectedLanguage): string[] {
  const langs = [ctx.language];
  if (detected.language && detected.language !== ctx.language) langs.push(detected.language);
  return langs;
}

/** Analyses one agent reply (a drill turn or a ticket reply). `facts` are what the customer gave so far. */
export function analyseTurn(reply: string, ctx: ReplyContext, facts: Facts): TurnAnalysis {
  const text = prepareText(reply ?? '');
  const detected = detectLanguage(reply ?? '', ctx.language);
  const idx = new ActIndex(text, languagesToScan(ctx, detected));
  const rule = marketRule(ctx.market);
  const n = text.sentences.length;
  const q = (s: number) => text.sentences[s] ?? '';

  // --- language -------------------------------------------------------------------------
  let languageMatch: boolean;
  if (n === 0) languageMatch = false;
  else if (detected.language === ctx.language) languageMatch = true;
  else if (!detected.language) languageMatch = true;
  else {
    const mine = idx.perLanguage.get(ctx.language) ?? 0;
    const theirs = idx.perLanguage.get(detected.language) ?? 0;
    // A short or mixed text: the detector may be wrong; trust the phrases recognised.
    languageMatch = detected.confidence < 0.9 && mine > 0 && mine >= theirs;
  }
  const language = languageMatch
    ? dim(1, [ev('language', 'language_match', 'earned', q(0), { expected: ctx.language })])
    : dim(0, [ev('language', 'language_mismatch', 'lost', q(0), { expected: ctx.language, found: detected.language || '?' })]);

  // --- sentences that cannot carry an offer ----------------------------------------------
  const refusal = idx.sentencesOf('refusal');
  // Read lazily: most replies refuse nothing, so the condition patterns need not run.
  const conditional = () => idx.sentencesOf('condition_first');
  const hardRefusal = new Set(refusal.size ? [...refusal].filter((s) => !conditional().has(s)) : []);
  const carrierSelf = idx.sentencesOf('carrier_yourself');
  // A sentence asking for card data or passwords is no offer, whatever it promises.
  const sensitiveAsk = new Set([...idx.sentencesOf('sensitive_term')].filter((s) => idx.inSentence('ask', s)));
  const near = (a: Set<number>, s: number) => a.has(s) || a.has(s - 1) || a.has(s + 1);
  const dropDemands = new Set(
    idx.has('dispute_drop') ? [...idx.sentencesOf('dispute_drop')].filter((s) => conditional().has(s) && !near(idx.sentencesOf('customer_choice'), s)) : [],
  );
  const blocked = new Set([...hardRefusal, ...carrierSelf, ...sensitiveAsk]);
  // "We'll look at a refund", "nous verrons pour un remboursement": a resolution only deliberated
  // about is not offered.
  const deliberated = idx.get('deliberate');
  const inDeliberation = (h: ActHit) => deliberated.some((d) => h.index >= d.index && h.index < d.index + d.match.length);

  // "We can't take it back, but we can offer store credit": an offer after a contrast in a
  // refusal sentence still counts.
  const counterOffer = (h: ActHit) => {
    if (!hardRefusal.has(h.sentence) || carrierSelf.has(h.sentence) || sensitiveAsk.has(h.sentence)) return false;
    const refusalEnd = Math.max(...idx.get('refusal').filter((r) => r.sentence === h.sentence).map((r) => r.index + r.match.length));
    return h.index > refusalEnd && CONTRAST.test(text.norm.slice(refusalEnd, h.index));
  };
  const usable = (h: ActHit) => (!blocked.has(h.sentence) || counterOffer(h)) && !inDeliberation(h);
  const resolutions = RESOLUTION_ACTS.flatMap((a) => idx.get(a)).filter(usable);
  const nextSteps = NEXT_STEP_ACTS.flatMap((a) => idx.get(a)).filter(usable);
  const offerSentences = new Set([...resolutions, ...nextSteps].map((h) => h.sentence));
  const timeSentences = (offerSentences.size ? [...idx.sentencesOf('time')] : []).filter(
    (s) => offerSentences.has(s) || offerSentences.has(s - 1) || offerSentences.has(s + 1),
  );

  // --- greeting -------------------------------------------------------------------------
  const greetHits = idx.get('greeting').filter((h) => h.sentence <= 1);
  const greeting = greetHits.length
    ? dim(1, [ev('greeting', 'greeting', 'earned', q(greetHits[0].sentence))])
    : dim(0, [ev('greeting', 'no_greeting', 'missing', '')]);

  // --- empathy --------------------------------------------------------------------------
  const apologies = idx.get('apology');
  const empathies = idx.get('empathy');
  const empEv: Evidence[] = [];
  let empScore: number;
  if (apologies.length) empEv.push(ev('empathy', 'apology', 'earned', q(apologies[0].sentence)));
  if (empathies.length) empEv.push(ev('empathy', 'empathy', 'earned', q(empathies[0].sentence)));
  if (apologies.length && empathies.length) empScore = 1;
  else if (apologies.length || empathies.length) empScore = 0.85;
  else if (idx.has('thanks')) {
    empScore = NEUTRAL_CATEGORIES.has(ctx.category) ? 0.8 : 0.3;
    empEv.push(ev('empathy', 'thanks_only', 'missing', q(idx.get('thanks')[0].sentence)));
  } else {
    empScore = NEUTRAL_CATEGORIES.has(ctx.category) ? 0.6 : 0;
    empEv.push(ev('empathy', 'no_empathy', 'missing', ''));
  }
  const empathy = dim(empScore, empEv);

  // --- comprehension --------------------------------------------------------------------
  const compEv: Evidence[] = [];
  let comp = 0.6;
  const askSentences = idx.sentencesOf('ask');
  const anyQuestion = askSentences.size > 0 || /[?？]/.test(reply);
  const asks = (term: Act) =>
    anyQuestion ? [...idx.sentencesOf(term)].filter((s) => askSentences.has(s) || /[?？]\s*$/.test(q(s))) : [];
  const askOrder = asks('order_number_term');
  const askPhoto = asks('photo_term');
  const relevant = RELEVANT[ctx.category];
  const relevantHit = relevant ? [...resolutions, ...nextSteps].find((h) => relevant.includes(h.act)) : undefined;
  if (relevantHit) {
    comp = 1;
    compEv.push(ev('comprehension', 'addresses_request', 'earned', q(relevantHit.sentence), { category: ctx.category }));
  } else if (!relevant) {
    comp = resolutions.length || nextSteps.length ? 1 : 0.7;
  } else if ((askOrder.length && !facts.orderNumber) || (askPhoto.length && !facts.photo)) {
    comp = 0.8;
    compEv.push(ev('comprehension', 'asks_needed_info', 'earned', q((askOrder[0] ?? askPhoto[0]) as number)));
  } else {
    comp = 0.3;
    compEv.push(ev('comprehension', 'off_request', 'missing', '', { category: ctx.category }));
  }
  if (askOrder.length && facts.orderNumber) {
    comp = Math.min(comp, 0.2);
    compEv.push(ev('comprehension', 'reasks_order_number', 'lost', q(askOrder[0])));
  }
  if (askPhoto.length && facts.photo) {
    comp = Math.min(comp, 0.3);
    compEv.push(ev('comprehension', 'reasks_photo', 'lost', q(askPhoto[0])));
  }
  const comprehension = dim(comp, compEv);

  // --- solution -------------------------------------------------------------------------
  let sol: number;
  let solEv: Evidence;
  const timed = timeSentences.length > 0;
  if (resolutions.length && timed) {
    sol = 1;
    solEv = ev('solution', 'resolution_with_time', 'earned', q(timeSentences[0]));
  } else if (resolutions.length) {
    sol = 0.7;
    solEv = ev('solution', 'resolution_no_time', 'earned', q(resolutions[0].sentence));
  } else if (nextSteps.length && timed) {
    sol = 0.8;
    solEv = ev('solution', 'next_step_with_time', 'earned', q(timeSentences[0]));
  } else if (nextSteps.length) {
    sol = 0.4;
    solEv = ev('solution', 'next_step_vague', 'missing', q(nextSteps[0].sentence));
  } else {
    sol = relevant ? 0 : 0.5;
    solEv = ev('solution', 'no_solution', 'missing', '');
  }
  const solution = dim(sol, [solEv]);
  const solutionOffered = resolutions.length > 0 || (nextSteps.length > 0 && timed);

  // --- policy ---------------------------------------------------------------------------
  const polEv: Evidence[] = [];
  const critical = new Set<CriticalFailure>();
  const legal = windowInCalendarDays(rule);
  // JP's 8-day default only applies when the store states no return policy at all, which a
  // reply alone cannot tell: the store policy decides there.
  const storeWindow = ctx.storePolicy?.returnWindowDays ?? 0;
  const days = ctx.daysSinceDelivery;
  const faulty = FAULTY.has(ctx.category);
  let lawBroken = false;
  const violate = (code: string, s: number, params: Record<string, string | number> = {}) => {
    lawBroken = true;
    polEv.push(ev('policy', code, 'lost', q(s), params));
  };
  if (hardRefusal.size && (RETURN_CATEGORIES.has(ctx.category) || faulty)) {
    const s = [...hardRefusal][0];
    if (days !== undefined && legal > 0 && days <= legal) {
      violate('refusal_in_withdrawal_window', s, { days, window: rule.withdrawalDays, market: rule.market });
    } else if (days !== undefined && storeWindow > 0 && days <= storeWindow) {
      violate('refusal_in_store_window', s, { days, window: storeWindow });
    } else if (faulty && resolutions.length === 0) {
      violate('refuses_remedy_faulty', s);
    }
  }
  if (legal > 0 && !lawBroken) {
    for (const s of refusal) {
      const m = /(\d+)\s*-?\s*(?:calendar |business |working )?(day|tag|jour|d[ií]a|giorn|dag|dni|g[üu]n|日|天|일|дн|يوم|أيام)/i.exec(q(s));
      if (m && Number(m[1]) < rule.withdrawalDays && RETURN_CATEGORIES.has(ctx.category)) {
        violate('window_shorter_than_law', s, { stated: Number(m[1]), window: rule.withdrawalDays, market: rule.market });
        break;
      }
    }
  }
  if (faulty && rule.faultyReturnShipping === 'seller' && idx.has('customer_pays')) {
    violate('customer_pays_faulty', idx.get('customer_pays')[0].sentence);
  }
  if (CARRIER_CATEGORIES.has(ctx.category) && rule.lostInTransit === 'seller' && carrierSelf.size) {
    violate('carrier_yourself', [...carrierSelf][0]);
  }
  if (lawBroken) critical.add('policy_violation');

  // Review manipulation: asking to remove/change a review, or a benefit tied to a good rating.
  const reviewChange = [...idx.sentencesOf('review_change')];
  const positive = idx.sentencesOf('review_positive');
  const incentive = positive.size ? new Set([...idx.sentencesOf('incentive'), ...resolutions.map((h) => h.sentence)]) : new Set<number>();
  const reviewPositive = [...positive].filter((s) => near(incentive, s) || askSentences.has(s) || conditional().has(s));
  const manip = reviewChange[0] ?? reviewPositive[0];
  if (manip !== undefined) {
    critical.add('review_manipulation');
    polEv.push(ev('policy', 'review_manipulation', 'lost', q(manip)));
  }
  // "Close the dispute first, then we refund" is a demand; "whether you close it is up to you,
  // the refund goes out either way" leaves the choice to the customer.
  const disputeDemand = [...dropDemands][0];
  if (disputeDemand !== undefined) {
    critical.add('chargeback_drop_demand');
    polEv.push(ev('policy', 'chargeback_drop_demand', 'lost', q(disputeDemand)));
  }
  const policyBroken = polEv.length > 0;
  if (!policyBroken) {
    const label = idx.get('return_label')[0];
    if (faulty && label && !blocked.has(label.sentence)) polEv.push(ev('policy', 'seller_pays_return', 'earned', q(label.sentence)));
    else polEv.push(ev('policy', 'policy_ok', 'earned', ''));
  }
  const policy = dim(policyBroken ? 0 : 1, polEv);

  // --- tone -----------------------------------------------------------------------------
  const toneEv: Evidence[] = [];
  let tone = 1;
  for (const act of ['blame', 'sarcasm', 'rude'] as const) {
    const seen = new Set<number>();
    for (const h of idx.get(act)) {
      if (seen.has(h.sentence)) continue;
      seen.add(h.sentence);
      tone -= 0.5;
      if (seen.size <= 2) toneEv.push(ev('tone', act, 'lost', q(h.sentence)));
    }
  }
  const blameOrRude = tone < 1;
  const caps = (reply.match(/\b[A-Z]{4,}\b/g) ?? []).filter((w) => !/^(USPS|FEDEX|UPS|DHL|CVV|CVC|OTP|ASAP|HTTP|HTTPS|EUR|USD|GBP|SEPA|IBAN|PDF|SKU|PAYPAL|GLS|DPD|SMS)$/.test(w));
  if (caps.length >= 2 || /[!！]{3,}/.test(reply)) {
    tone -= 0.3;
    toneEv.push(ev('tone', 'shouting', 'lost', q(0)));
  }
  if (!toneEv.length) toneEv.push(ev('tone', 'tone_ok', 'earned', ''));
  const toneDim = dim(tone, toneEv);

  // --- sensitive data -------------------------------------------------------------------
  const sensEv: Evidence[] = [];
  const noSensitive = !idx.has('sensitive_term');
  const warnS = noSensitive ? new Set<number>() : idx.sentencesOf('warn');
  const lastDigits = noSensitive ? new Set<number>() : idx.sentencesOf('last_digits');
  let asksSensitive = false;
  for (const s of idx.sentencesOf('sensitive_term')) {
    if (warnS.has(s)) continue;
    const asked = askSentences.has(s) || /[?？]\s*$/.test(q(s)) || askSentences.has(s - 1);
    if (!asked) continue;
    const terms = idx.get('sensitive_term').filter((h) => h.sentence === s);
    const real = lastDigits.has(s) ? terms.filter((h) => !CARD_TERM.test(h.match)) : terms;
    if (!real.length) continue;
    asksSensitive = true;
    sensEv.push(ev('sensitive_data', 'asks_sensitive', 'lost', q(s)));
    break;
  }
  if (asksSensitive) critical.add('asks_sensitive_data');
  else if (idx.has('sensitive_term') && warnS.size) {
    sensEv.push(ev('sensitive_data', 'warns_sensitive', 'earned', q([...warnS][0])));
  } else sensEv.push(ev('sensitive_data', 'sensitive_ok', 'earned', ''));
  const sensitive = dim(asksSensitive ? 0 : 1, sensEv);

  // --- closing --------------------------------------------------------------------------
  // In the last two sentences; the first sentence only when it is the whole reply.
  const closeFrom = n <= 3 ? 0 : n - 2;
  const closeHits = idx.get('closing').filter((h) => h.sentence >= closeFrom && (h.sentence > 0 || n === 1));
  // A last line that is only thanks ("Thanks", "Danke!", "谢谢") signs off too.
  if (!closeHits.length && n > 1 && wordCount(q(n - 1)) <= 3) {
    const thanks = idx.get('thanks').find((h) => h.sentence === n - 1);
    if (thanks) closeHits.push(thanks);
  }
  const closing = closeHits.length
    ? dim(1, [ev('closing', 'closing', 'earned', q(closeHits[closeHits.length - 1].sentence))])
    : dim(0, [ev('closing', 'no_closing', 'missing', '')]);

  // --- readability ----------------------------------------------------------------------
  const readability = scoreReadability(text);

  // --- cultural fit ---------------------------------------------------------------------
  const cultural = languageMatch
    ? scoreCulture(ctx, text, idx)
    : dim(0, [ev('cultural_fit', 'culture_na', 'lost', '')]);

  const dims: Record<Dimension, DimensionResult> = {
    greeting,
    empathy,
    comprehension,
    solution,
    policy,
    tone: toneDim,
    language,
    sensitive_data: sensitive,
    closing,
    readability,
    cultural_fit: cultural,
  };
  if (n === 0) {
    // Nothing written: nothing earned, whatever the dimensions would say of an absence.
    for (const d of DIMENSIONS) dims[d] = dim(0, [ev(d, 'empty_reply', 'missing', '')]);
  }
  const labels: Labels = {
    greeting: greetHits.length > 0,
    empathy: apologies.length > 0 || empathies.length > 0,
    solution_offered: solutionOffered,
    closing: closeHits.length > 0,
    blame_or_rude: blameOrRude,
    asks_sensitive_data: asksSensitive,
    language_match: languageMatch,
    policy_violation: policyBroken,
  };
  return { ctx, rule, text, idx, detected, languageMatch, facts, dims, labels, critical: [...critical] };
}

/** Words in a sentence; Chinese and Japanese characters count as half a word each (about 2 a word). */
function wordCount(s: string): number {
  let words = 0;
  let cjk = 0;
  let inWord = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c >= 0x3040 && c <= 0x30ff) || (c >= 0x4e00 && c <= 0x9fff) || (c >= 0x3400 && c <= 0x4dbf)) {
      cjk++;
      inWord = false;
    } else if (c === 0x20 || c === 0x0a || c === 0x09 || c === 0x3000) {
      inWord = false;
    } else if (!inWord && c > 0x40) {
      words++;
      inWord = true;
    }
  }
  return words + Math.round(cjk / 2);
}

function scoreReadability(text: PreparedText): DimensionResult {
  const n = text.sentences.length;
  if (n === 0) return dim(0, [ev('readability', 'too_short', 'lost', '')]);
  const counts = text.sentences.map(wordCount);
  const total = counts.reduce((a, b) => a + b, 0);
  const avg = total / n;
  let s = 1;
  const evs: Evidence[] = [];
  if (total < 5) {
    s -= 0.6;
    evs.push(ev('readability', 'too_short', 'lost', text.sentences[0]));
  }
  if (avg > 28) {
    s -= 0.5;
    evs.push(ev('readability', 'long_sentences', 'lost', text.sentences[counts.indexOf(Math.max(...counts))], { avg: Math.round(avg) }));
  } else if (avg > 20 || Math.max(...counts) > 40) {
    s -= 0.25;
    evs.push(ev('readability', 'long_sentences', 'lost', text.sentences[counts.indexOf(Math.max(...counts))], { avg: Math.round(avg) }));
  }
  if (total > 260) {
    s -= 0.3;
    evs.push(ev('readability', 'too_long', 'lost', ''));
  }
  if (/([!?！？])\1{2,}/.test(text.original)) {
    s -= 0.2;
    evs.push(ev('readability', 'repeated_punct', 'lost', ''));
  }
  if (!evs.length) evs.push(ev('readability', 'readable', 'earned', ''));
  return dim(s, evs);
}

const FORMAL_MARKETS_LANGS = new Set(['de', 'fr', 'es', 'it', 'pl', 'ru', 'tr', 'pt', 'nl']);
/** Languages where informal address is common in customer service: no penalty (sv du, nl je). */
const INFORMAL_OK = new Set(['sv', 'nl']);
const COMPLAINT = (c: string) => !NEUTRAL_CATEGORIES.has(c);

function scoreCulture(ctx: ReplyContext, text: PreparedText, idx: ActIndex): DimensionResult {
  const lang = ctx.language;
  const q = (s: number) => text.sentences[s] ?? '';
  const own = (act: Act) => idx.get(act).filter((h) => h.language === lang);
  if (lang === 'ja') return scoreJapanese(ctx, text, idx);
  if (lang === 'ko') {
    const banmal = text.sentences.findIndex((s) => {
      const t = s.replace(/[\s.!?。！？~…)\]"'」』♡^]+$/u, '');
      if (!/\p{Script=Hangul}$/u.test(t)) return false;
      return !/(요|니다|니까|세요|십시오|시오|죠|드림|님|팀|센터|까지|합니다|습니다)$/u.test(t) && t.length > 6;
    });
    const informal = own('informal_address');
    if (banmal >= 0 || informal.length) {
      return dim(0.3, [ev('cultural_fit', 'ko_banmal', 'lost', q(informal[0]?.sentence ?? banmal))]);
    }
    return dim(1, [ev('cultural_fit', 'ko_polite', 'earned', q(own('formal_address')[0]?.sentence ?? 0))]);
  }
  if (lang === 'zh') {
    const ni = text.sentences.findIndex((s) => /你(?!们)/u.test(s));
    const nin = text.sentences.findIndex((s) => s.includes('您'));
    if (ni >= 0 && nin < 0) return dim(0.6, [ev('cultural_fit', 'zh_ni', 'lost', q(ni))]);
    if (ni >= 0) return dim(0.8, [ev('cultural_fit', 'zh_ni', 'lost', q(ni))]);
    return dim(1, [ev('cultural_fit', nin >= 0 ? 'formal_address' : 'culture_neutral', nin >= 0 ? 'earned' : 'missing', nin >= 0 ? q(nin) : '')]);
  }
  const informal = own('informal_address');
  if (informal.length && !INFORMAL_OK.has(lang)) {
    const code = lang === 'en' ? 'en_slang' : 'informal_address';
    return dim(lang === 'en' ? 0.6 : 0.3, [ev('cultural_fit', code, 'lost', q(informal[0].sentence), { found: informal[0].match })]);
  }
  const formal = own('formal_address');
  if (formal.length && FORMAL_MARKETS_LANGS.has(lang)) return dim(1, [ev('cultural_fit', 'formal_address', 'earned', q(formal[0].sentence))]);
  return dim(FORMAL_MARKETS_LANGS.has(lang) ? 0.8 : 1, [ev('cultural_fit', 'culture_neutral', 'missing', '')]);
}

function scoreJapanese(ctx: ReplyContext, text: PreparedText, idx: ActIndex): DimensionResult {
  const q = (s: number) => text.sentences[s] ?? '';
  const evs: Evidence[] = [];
  let s = 1;
  const jaSentences = text.sentences.map((t, i) => ({ t, i })).filter(({ t }) => /[\p{Script=Hiragana}]/u.test(t));
  const polite = idx.sentencesOf('formal_address');
  const plain = jaSentences.filter(({ i }) => !polite.has(i));
  const informal = idx.get('informal_address').filter((h) => h.language === 'ja');
  if (informal.length || (jaSentences.length && plain.length / jaSentences.length > 0.5)) {
    s -= 0.5;
    evs.push(ev('cultural_fit', 'ja_plain_form', 'lost', q(informal[0]?.sentence ?? plain[0]?.i ?? 0)));
  }
  if (COMPLAINT(ctx.category)) {
    const apologies = idx.get('apology').filter((h) => h.language === 'ja');
    const formal = apologies.filter((h) => /申し訳|お詫び|詫/.test(h.match));
    const explanation = [...RESOLUTION_ACTS, ...NEXT_STEP_ACTS, 'refusal' as const]
      .flatMap((a) => idx.get(a))
      .map((h) => h.sentence)
      .sort((a, b) => a - b)[0];
    if (formal.length) {
      const first = Math.min(...formal.map((h) => h.sentence));
      if (explanation !== undefined && first > explanation) {
        s -= 0.4;
        evs.push(ev('cultural_fit', 'ja_apology_late', 'lost', q(first)));
      } else evs.push(ev('cultural_fit', 'ja_formal_apology_first', 'earned', q(first)));
    } else if (apologies.length) {
      s -= 0.4;
      evs.push(ev('cultural_fit', 'ja_casual_apology', 'lost', q(apologies[0].sentence)));
    } else {
      s -= 0.5;
      evs.push(ev('cultural_fit', 'ja_no_apology', 'missing', ''));
    }
  }
  if (!evs.length) evs.push(ev('cultural_fit', 'formal_address', 'earned', q([...polite][0] ?? 0)));
  return dim(s, evs);
}

/** Weighted total with the caps of critical failures, wrong language and blame. */
function total(dims: Record<Dimension, DimensionResult>, critical: CriticalFailure[], labels: Labels, ctx: ReplyContext): number {
  const w = resolveWeights(ctx.weights);
  let sum = 0;
  let wsum = 0;
  for (const d of DIMENSIONS) {
    sum += w[d] * dims[d].score;
    wsum += w[d];
  }
  let score = wsum > 0 ? (100 * sum) / wsum : 0;
  if (!labels.language_match) score = Math.min(score, LANGUAGE_CAP);
  if (labels.blame_or_rude) score = Math.min(score, TONE_CAP);
  if (critical.length) score = Math.min(score, CRITICAL_CAP);
  return Math.round(score * 10) / 10;
}

function allEvidence(dims: Record<Dimension, DimensionResult>): Evidence[] {
  return DIMENSIONS.flatMap((d) => dims[d].evidence);
}

/** Scores one agent reply to a customer message. */
export function scoreReply(input: ScoreReplyInput): ReplyScore {
  const facts = customerFacts(input.customerMessage ?? '', input.language);
  const a = analyseTurn(input.reply ?? '', input, facts);
  return {
    labels: a.labels,
    dimensions: a.dims,
    score: total(a.dims, a.critical, a.labels, input),
    critical: a.critical,
    evidence: allEvidence(a.dims),
    replyLanguage: a.detected.language,
  };
}

export interface ConversationScore extends ReplyScore {
  /** The score of each agent turn alone, in order. */
  turns: Array<{ turn: number; score: number; labels: Labels }>;
}

/**
 * Scores a whole conversation (a drill or a ticket): greeting once at the start, closing at the
 * end, no asking again for what the customer already gave, a solution with a time somewhere,
 * tone, policy, sensitive data and language in every turn.
 */
export function scoreConversation(turns: ConversationTurn[], ctx: ReplyContext): ConversationScore {
  const analyses: Array<{ turn: number; a: TurnAnalysis }> = [];
  let customerSoFar = '';
  turns.forEach((t, i) => {
    if (t.role === 'customer') {
      customerSoFar += (customerSoFar ? '\n' : '') + t.text;
      return;
    }
    const facts = customerFacts(customerSoFar, ctx.language);
    analyses.push({ turn: i, a: analyseTurn(t.text, ctx, facts) });
  });
  if (!analyses.length) {
    const a = analyseTurn('', ctx, { orderNumber: false, photo: false });
    return { labels: a.labels, dimensions: a.dims, score: 0, critical: [], evidence: allEvidence(a.dims), replyLanguage: '', turns: [] };
  }
  const tag = (e: Evidence, turn: number): Evidence => ({ ...e, turn });
  const tagged = (d: Dimension, x: { turn: number; a: TurnAnalysis }) => x.a.dims[d].evidence.map((e) => tag(e, x.turn));
  const first = analyses[0];
  const last = analyses[analyses.length - 1];
  const dims = {} as Record<Dimension, DimensionResult>;

  // Greeting: once, at the start.
  {
    const evs = tagged('greeting', first);
    let s = first.a.dims.greeting.score;
    for (const x of analyses.slice(1)) {
      if (x.a.labels.greeting && x.a.idx.get('greeting').some((h) => h.sentence === 0 && !/thank|danke|merci|gracias|谢|感谢|ありがとう|감사/.test(h.match))) {
        s = Math.min(s, 0.8);
        evs.push(tag(ev('greeting', 'greeting_again', 'lost', x.a.text.sentences[0]), x.turn));
        break;
      }
    }
    dims.greeting = dim(s, evs);
  }
  // Closing: at the end.
  dims.closing = dim(last.a.dims.closing.score, tagged('closing', last));
  // Empathy: best early.
  {
    const k = analyses.findIndex((x) => x.a.labels.empathy);
    if (k < 0) dims.empathy = dim(Math.max(...analyses.map((x) => x.a.dims.empathy.score)), tagged('empathy', first));
    else if (k <= 1) dims.empathy = dim(analyses[k].a.dims.empathy.score, tagged('empathy', analyses[k]));
    else dims.empathy = dim(0.6, [...tagged('empathy', analyses[k]), tag(ev('empathy', 'empathy_late', 'lost', ''), analyses[k].turn)]);
  }
  // Solution: the best offer made.
  {
    const best = analyses.reduce((b, x) => (x.a.dims.solution.score > b.a.dims.solution.score ? x : b), first);
    dims.solution = dim(best.a.dims.solution.score, tagged('solution', best));
  }
  // Comprehension: the best answer, pulled down by any re-asking.
  {
    const best = analyses.reduce((b, x) => (x.a.dims.comprehension.score > b.a.dims.comprehension.score ? x : b), first);
    const lost = analyses.flatMap((x) => tagged('comprehension', x).filter((e) => e.effect === 'lost'));
    let s = best.a.dims.comprehension.score;
    if (lost.length) s = Math.min(s, 0.3);
    dims.comprehension = dim(s, [...tagged('comprehension', best).filter((e) => e.effect !== 'lost'), ...lost]);
  }
  // Every turn must hold: the worst turn decides.
  for (const d of ['policy', 'tone', 'language', 'sensitive_data', 'cultural_fit'] as const) {
    const worst = analyses.reduce((b, x) => (x.a.dims[d].score < b.a.dims[d].score ? x : b), first);
    const lost = analyses.flatMap((x) => tagged(d, x).filter((e) => e.effect === 'lost'));
    dims[d] = dim(worst.a.dims[d].score, lost.length ? lost : tagged(d, worst));
  }
  // Readability: the mean.
  {
    const mean = analyses.reduce((s, x) => s + x.a.dims.readability.score, 0) / analyses.length;
    dims.readability = dim(mean, analyses.flatMap((x) => tagged('readability', x).filter((e) => e.effect === 'lost')).slice(0, 4));
    if (!dims.readability.evidence.length) dims.readability.evidence.push(tag(ev('readability', 'readable', 'earned', ''), first.turn));
  }

  const any = (l: keyof Labels) => analyses.some((x) => x.a.labels[l]);
  const labels: Labels = {
    greeting: first.a.labels.greeting,
    empathy: any('empathy'),
    solution_offered: any('solution_offered'),
    closing: last.a.labels.closing,
    blame_or_rude: any('blame_or_rude'),
    asks_sensitive_data: any('asks_sensitive_data'),
    language_match: analyses.every((x) => x.a.labels.language_match),
    policy_violation: any('policy_violation'),
  };
  const critical = [...new Set(analyses.flatMap((x) => x.a.critical))];
  return {
    labels,
    dimensions: dims,
    score: total(dims, critical, labels, ctx),
    critical,
    evidence: allEvidence(dims),
    replyLanguage: first.a.detected.language,
    turns: analyses.map((x) => ({ turn: x.turn, score: total(x.a.dims, x.a.critical, x.a.labels, ctx), labels: x.a.labels })),
  };
}
