/**
 * Language identification for short, messy customer messages in the 15 supported languages.
 *
 * Layers, each adding what a general n-gram detector does not know:
 * 1. Script: Hangul -> ko, kana -> ja, Han -> zh or ja (by characters only one of them uses),
 *    Arabic -> ar, Cyrillic -> ru. A Latin product name inside such text does not outvote it.
 * 2. Latin-script text: `eld` (restricted to our languages) scores, plus cue words from the
 *    lexicons (function words and after-sales words typical of one language), plus letters
 *    only some languages use (ñ ß å ã ğ ł …).
 * 3. Hints for short or ambiguous text: the customer's earlier languages and the store's market.
 */
import { eld as eldMedium } from 'eld/medium';
import { foldForMatch, loadLexicons, matchWords } from './lexicon.ts';
import { NaiveBayes, prepareText, textFeatures, type Features, type PreparedText } from './classifier.ts';
import { CORPUS_DIR, loadCorpus } from './corpus.ts';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { hashSources, removeStale } from './cache-key.ts';

export const SUPPORTED_LANGUAGES = ['en', 'es', 'fr', 'de', 'it', 'pt', 'nl', 'pl', 'sv', 'tr', 'ru', 'ar', 'ja', 'ko', 'zh'] as const;
export type SupportedLanguage = (typeof SUPPORTED_LANGUAGES)[number];

const LATIN_LANGUAGES: readonly string[] = ['en', 'es', 'fr', 'de', 'it', 'pt', 'nl', 'pl', 'sv', 'tr'];

/** The usual language of a market's customers (ISO 3166 -> ISO 639-1). */
export const MARKET_LANGUAGE: Readonly<Record<string, string>> = {
  US: 'en', GB: 'en', UK: 'en', IE: 'en', AU: 'en', NZ: 'en', CA: 'en', SG: 'en', IN: 'en', ZA: 'en',
  DE: 'de', AT: 'de', CH: 'de', LI: 'de',
  FR: 'fr', BE: 'fr', LU: 'fr', MC: 'fr',
  ES: 'es', MX: 'es', AR: 'es', CO: 'es', CL: 'es', PE: 'es', UY: 'es', EC: 'es',
  IT: 'it', SM: 'it',
  PT: 'pt', BR: 'pt', AO: 'pt', MZ: 'pt',
  NL: 'nl', SR: 'nl',
  PL: 'pl', SE: 'sv', TR: 'tr', RU: 'ru', BY: 'ru', KZ: 'ru',
  AE: 'ar', SA: 'ar', EG: 'ar', QA: 'ar', KW: 'ar', BH: 'ar', OM: 'ar', JO: 'ar', MA: 'ar',
  JP: 'ja', KR: 'ko', CN: 'zh', TW: 'zh', HK: 'zh', MO: 'zh',
};

export interface LanguageHints {
  /** Languages of the customer's earlier messages, oldest first. */
  previous?: string[];
  /** The store's market (ISO 3166 alpha-2) or a language code. */
  market?: string;
}

export interface LanguageGuess {
  language: string | null;
  /** 0..1 */
  confidence: number;
  /** Why, in words (English, for logs and the ticket's explanation). */
  reasons: string[];
}

/** Only the first characters are read: a message's language shows in its opening. */
export const LANGUAGE_WINDOW = 2000;

// Han characters that one of Chinese / Japanese writes and the other does not.
const ZH_ONLY_HAN = new Set(
  Array.from(
    '们这没说为么货订单还发买卖东车见长门问间开关对时后过给让认识请谢该从变难边运钱错换样实确吗呢吧啊嘛哪您坏丢邮递务网码双张个鞋里这语视读请贵质应经济气归续费达' +
      '們這沒說為麼貨訂單還發賣讓從變邊錢錯樣實嗎妳裡',
  ),
);
const JA_ONLY_HAN = new Set(Array.from('発払届円様込売変帰気済応対続経験駅図労働楽歳数読転伝銭鉄関顔類検聴覚営鮮壊戻択浅拡黒悪悩恵絵齢価処辺釈覧歩'));
const JA_HAN_WORDS = ['返金', '返品', '注文', '配達', '品物', '宅配', '確認', '連絡', '至急', '希望', '不良品', '本日', '明日', '何故'];
const ZH_HAN_WORDS = ['退款', '退货', '订单', '快递', '物流', '包裹', '收到', '还没', '什么', '怎么', '谢谢', '请问', '已经', '一下'];

// Letters that only some of our Latin-script languages use (folded text keeps none of them, so
// they are read from the lower-cased original).
const LETTER_CUES: readonly { re: RegExp; langs: string[] }[] = [
  { re: /[ñ¿¡]/u, langs: ['es'] },
  { re: /ß/u, langs: ['de'] },
  { re: /å/u, langs: ['sv'] },
  { re: /[ãõ]/u, langs: ['pt'] },
  { re: /[ğşı]/u, langs: ['tr'] },
  { re: /[łąęśźżćń]/u, langs: ['pl'] },
  { re: /[œ]|[êâîôû]\p{L}/u, langs: ['fr', 'pt'] },
  { re: /[èù]/u, langs: ['fr', 'it'] },
  { re: /[ìò]/u, langs: ['it'] },
  { re: /ä/u, langs: ['de', 'sv'] },
  { re: /ö/u, langs: ['de', 'sv', 'tr'] },
  { re: /ü/u, langs: ['de', 'tr'] },
  { re: /ç/u, langs: ['fr', 'pt', 'tr'] },
  { re: /[áíú]/u, langs: ['es', 'pt'] },
  { re: /[ëï]/u, langs: ['fr', 'nl'] },
  { re: /\bij/u, langs: ['nl'] },
];
const IJ_CUE = LETTER_CUES[LETTER_CUES.length - 1];

let eldReady = false;
function eld(): typeof eldMedium {
  if (!eldReady) {
    eldMedium.setLanguageSubset([...SUPPORTED_LANGUAGES]);
    eldReady = true;
  }
  return eldMedium;
}

let cueIndex: Map<string, string[]> | null = null;
/** cue word (folded) -> languages whose lexicon lists it */
function cues(): Map<string, string[]> {
  if (cueIndex) return cueIndex;
  const idx = new Map<string, string[]>();
  for (const [lang, lex] of loadLexicons()) {
    if (!LATIN_LANGUAGES.includes(lang)) continue;
    for (const c of lex.cues) {
      const w = foldForMatch(c).trim();
      if (w.length < 2 || /\s/.test(w)) continue;
      const list = idx.get(w) ?? [];
      if (!list.includes(lang)) list.push(lang);
      idx.set(w, list);
    }
  }
  cueIndex = idx;
  return idx;
}

const NOISE = /https?:\/\/[\x21-\x7e]+|www\.[\x21-\x7e]+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|[#@]?[\w-]*\d[\w-]*|<[^>]{0,200}>/gu;
/**
 * The same without addresses, for the usual text with no '@', '://' or 'www.': tokens with digits
 * are tried from word starts only, so a long word costs one scan, not one per position.
 */
const NOISE_DIGITS = /(?:[#@]|\b)[\w-]*\d[\w-]*|<[^>]{0,200}>/gu;

function hintLanguage(h: string | undefined): string | null {
  if (!h) return null;
  // A lower-case code or a locale ("es", "es-MX") is a language; an upper-case one a market.
  const m = /^([a-z]{2})(?:[-_][A-Za-z]{2,4})?$/.exec(h);
  if (m && (SUPPORTED_LANGUAGES as readonly string[]).includes(m[1])) return m[1];
  return MARKET_LANGUAGE[h.toUpperCase()] ?? null;
}

function pushScore(scores: Map<string, number>, lang: string, v: number): void {
  scores.set(lang, (scores.get(lang) ?? 0) + v);
}

/** Softmax confidence of the best score over the others. */
function pick(scores: Map<string, number>, temperature: number): { language: string; confidence: number } {
  let best = '';
  let bestV = -Infinity;
  for (const [l, v] of scores) if (v > bestV) {
    best = l;
    bestV = v;
  }
  let z = 0;
  for (const v of scores.values()) z += Math.exp((v - bestV) / temperature);
  return { language: best, confidence: z > 0 ? 1 / z : 0 };
}

/** `marketShare`: the market's weight against the customer's last language (a one-word message leans on it fully). */
function addHints(scores: Map<string, number>, hints: LanguageHints | undefined, candidates: readonly string[], reasons: string[], weight: number, marketShare = 0.6): void {
  if (!hints) return;
  const prev = (hints.previous ?? []).map(hintLanguage).filter((l): l is string => l !== null);
  if (prev.length) {
    // Most recent first, decaying.
    let w = weight;
    const seen = new Set<string>();
    for (let i = prev.length - 1; i >= 0 && seen.size < 3; i--) {
      const l = prev[i];
      if (seen.has(l) || !candidates.includes(l)) continue;
      seen.add(l);
      pushScore(scores, l, w);
      reasons.push(`customer wrote ${l} before`);
      w *= 0.5;
    }
  }
  const m = hintLanguage(hints.market);
  if (m && candidates.includes(m)) {
    pushScore(scores, m, weight * marketShare);
    reasons.push(`store market ${hints.market} speaks ${m}`);
  }
}

/**
 * Guess the language of a customer message. Never throws; `language` is null when the text
 * has no letters to go on (emoji, numbers, empty). `prepared` is prepareText(text), when the
 * caller has it already (triage prepares a message once for every model); same result.
 */
export function detectLanguage(text: string, hints?: LanguageHints, prepared?: PreparedText): LanguageGuess {
  if (typeof text !== 'string') return { language: null, confidence: 0, reasons: ['not text'] };
  const window = text.length > LANGUAGE_WINDOW ? text.slice(0, LANGUAGE_WINDOW) : text;
  const nfkc = window.normalize('NFKC');
  const clean = /@|:\/\/|www\./.test(nfkc) ? nfkc.replace(NOISE, ' ') : nfkc.replace(NOISE_DIGITS, ' ');

  let latin = 0, cyr = 0, arab = 0, hangul = 0, kana = 0, han = 0;
  for (let i = 0; i < clean.length; i++) {
    const c = clean.charCodeAt(i);
    if (c < 0x41) continue;
    if (c <= 0x24f) {
      if ((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0xc0 && c !== 0xd7 && c !== 0xf7)) latin++;
    } else if (c >= 0x1e00 && c <= 0x1eff) latin++;
    else if (c >= 0x400 && c <= 0x52f) cyr++;
    else if ((c >= 0x600 && c <= 0x6ff) || (c >= 0x750 && c <= 0x77f) || (c >= 0xfb50 && c <= 0xfdff) || (c >= 0xfe70 && c <= 0xfeff)) arab++;
    else if ((c >= 0xac00 && c <= 0xd7af) || (c >= 0x1100 && c <= 0x11ff) || (c >= 0x3130 && c <= 0x318f)) hangul++;
    else if ((c >= 0x3040 && c <= 0x30ff) || (c >= 0x31f0 && c <= 0x31ff) || (c >= 0xff66 && c <= 0xff9f)) kana++;
    else if ((c >= 0x4e00 && c <= 0x9fff) || (c >= 0x3400 && c <= 0x4dbf) || (c >= 0xf900 && c <= 0xfaff)) han++;
    else if (c >= 0xd840 && c <= 0xd87f) {
      han++; // high surrogate of the supplementary Han planes
      i++;
    }
  }
  const reasons: string[] = [];
  // A CJK character carries about as much as a short word; weigh scripts accordingly.
  const weighted = { latin, cyrillic: cyr, arabic: arab, hangul: hangul * 3, cjk: (kana + han) * 3 };
  const total = weighted.latin + weighted.cyrillic + weighted.arabic + weighted.hangul + weighted.cjk;
  if (total === 0) {
    const h = hintLanguage(hints?.previous?.at(-1)) ?? null;
    if (h) return { language: h, confidence: 0.3, reasons: ['no letters', `customer wrote ${h} before`] };
    return { language: null, confidence: 0, reasons: ['no letters'] };
  }
  const nonLatin = total - weighted.latin;
  if (nonLatin / total >= 0.3) {
    let script: 'cyrillic' | 'arabic' | 'hangul' | 'cjk' = 'cjk';
    let max = -1;
    for (const k of ['hangul', 'cjk', 'arabic', 'cyrillic'] as const) if (weighted[k] > max) {
      max = weighted[k];
      script = k;
    }
    const share = max / total;
    switch (script) {
      case 'hangul':
        return { language: 'ko', confidence: round(0.9 + 0.1 * share), reasons: ['Hangul script'] };
      case 'arabic':
        return { language: 'ar', confidence: round(0.85 + 0.15 * share), reasons: ['Arabic script'] };
      case 'cyrillic':
        return { language: 'ru', confidence: round(0.85 + 0.15 * share), reasons: ['Cyrillic script'] };
      case 'cjk':
        return han_or_kana(clean, kana, han, hints, share);
    }
  }

  // Latin script.
  const lower = clean.toLowerCase();
  // Words and features of the prepared text; numbers say nothing of the language, and addresses
  // (rare) are read from the text without them.
  let words: string[];
  let feats: Features;
  if (/@|:\/\/|www\./.test(window)) {
    const folded = foldForMatch(clean);
    words = matchWords(folded);
    feats = textFeatures(clean, [], folded);
  } else {
    const prep = prepared ?? prepareText(text);
    words = prep.words.filter((w) => !/[0-9]/.test(w));
    feats = prep.features;
  }
  // Most after-sales messages are settled by our own evidence (cue words, letters, the corpus
  // model): the general n-gram detector is asked only when that evidence is not clear.
  if (words.length >= ELD_SKIP.minWords) {
    const quick = latinScores(words, feats, lower, hints, null, []);
    const { language, margin } = pickWithMargin(quick.scores);
    if (margin >= ELD_SKIP.margin) {
      const reasonsQ = [...reasons, 'after-sales words and letters'];
      const hitsQ = quick.cueHits.get(language);
      if (hitsQ?.length) reasonsQ.push(`${language} words: ${hitsQ.join(', ')}`);
      const { confidence } = pick(quick.scores, 1.2);
      const lengthCapQ = words.length <= 3 ? 0.92 : 1;
      return { language, confidence: round(Math.min(confidence, lengthCapQ)), reasons: reasonsQ };
    }
  }
  const scores = new Map<string, number>();
  for (const l of LATIN_LANGUAGES) scores.set(l, 0);
  const res = eld().detect(clean);
  const eldScores = res.getScores();
  // n-grams of one or two words say little; trust them less.
  const eldWeight = ELD_WEIGHT(words.length, res.isReliable());
  let eldMax = 0;
  for (const l of LATIN_LANGUAGES) eldMax = Math.max(eldMax, eldScores[l] ?? 0);
  if (eldMax > 0) {
    for (const l of LATIN_LANGUAGES) {
      const s = eldScores[l] ?? 0;
      // Relative distance to the best language; a missing score is far behind.
      pushScore(scores, l, eldWeight * (s > 0 ? (12 * (s - eldMax)) / eldMax : -6));
    }
    if (LATIN_LANGUAGES.includes(res.language)) reasons.push(`n-grams look ${res.language}`);
  }
  const cueIdx = cues();
  const cueHits = new Map<string, string[]>();
  // Cue words decide short text; in long text the n-grams already know.
  const cueWeight = 1.6 * Math.min(1, Math.sqrt(3 / Math.max(1, words.length)));
  for (const w of words) {
    const langs = cueIdx.get(w);
    if (!langs) continue;
    for (const l of langs) {
      pushScore(scores, l, cueWeight / langs.length);
      const hits = cueHits.get(l) ?? [];
      if (hits.length < 4 && !hits.includes(w)) hits.push(w);
      cueHits.set(l, hits);
    }
  }
  const asciiOnly = !/[^\x00-\x7f]/.test(lower);
  for (const cue of LETTER_CUES) {
    if (asciiOnly && cue !== IJ_CUE) continue; // the others need letters beyond ASCII
    if (cue.re.test(lower)) for (const l of cue.langs) pushScore(scores, l, 2 / cue.langs.length);
  }
  // What after-sales messages in each language look like (our own corpus, train split).
  const domain = domainModel();
  // Long text that eld reads reliably gains nothing from it: skip (saves time).
  if (domain && words.length > 0 && (words.length <= 12 || !res.isReliable())) {
    const { scores: ds, known } = domain.scores(feats);
    if (known > 0) {
      let dMax = -Infinity;
      for (const v of ds) dMax = Math.max(dMax, v);
      // Trust it as far as it knows the text: by the share of the text's features it has seen.
      const w = ((res.isReliable() ? DOMAIN_WEIGHT_RELIABLE : DOMAIN_WEIGHT) / Math.sqrt(known)) * (known / feats.ids.length);
      domain.labels.forEach((l, i) => pushScore(scores, l, Math.max(-DOMAIN_CAP, w * (ds[i] - dMax))));
    }
  }
  // Hints matter most when the text is short: they fade as the text grows.
  const hintWeight = words.length <= 2 ? 2.5 : words.length <= 5 ? 1.5 : words.length <= 12 ? 0.8 : 0.3;
  addHints(scores, hints, LATIN_LANGUAGES, reasons, hintWeight, words.length <= 1 ? 1 : 0.6);
  pushScore(scores, 'en', 0.1); // the lingua franca breaks exact ties
  const { language, confidence } = pick(scores, 1.2);
  const hits = cueHits.get(language);
  if (hits?.length) reasons.push(`${language} words: ${hits.join(', ')}`);
  // Very short text is never certain.
  const lengthCap = words.length <= 1 ? 0.8 : words.length <= 3 ? 0.92 : 1;
  return { language, confidence: round(Math.min(confidence, lengthCap)), reasons };
}

/**
 * When eld is skipped: texts of at least `minWords` words whose best language leads the next by
 * `margin` on cue words, letters, the corpus model and hints alone. Chosen on the train split's
 * short variants and lingua-langid sentences kept at their accuracy with eld.
 */
export const ELD_SKIP = { minWords: 3, margin: 3 };

/** Scores of the Latin-script languages from cue words, letters, the corpus model and hints (no eld). */
function latinScores(
  words: readonly string[],
  feats: Features,
  lower: string,
  hints: LanguageHints | undefined,
  eldReliable: boolean | null,
  reasons: string[],
): { scores: Map<string, number>; cueHits: Map<string, string[]> } {
  const scores = new Map<string, number>();
  for (const l of LATIN_LANGUAGES) scores.set(l, 0);
  const cueIdx = cues();
  const cueHits = new Map<string, string[]>();
  const cueWeight = 1.6 * Math.min(1, Math.sqrt(3 / Math.max(1, words.length)));
  for (const w of words) {
    const langs = cueIdx.get(w);
    if (!langs) continue;
    for (const l of langs) {
      pushScore(scores, l, cueWeight / langs.length);
      const hits = cueHits.get(l) ?? [];
      if (hits.length < 4 && !hits.includes(w)) hits.push(w);
      cueHits.set(l, hits);
    }
  }
  const asciiOnly = !/[^\x00-\x7f]/.test(lower);
  for (const cue of LETTER_CUES) {
    if (asciiOnly && cue !== IJ_CUE) continue;
    if (cue.re.test(lower)) for (const l of cue.langs) pushScore(scores, l, 2 / cue.langs.length);
  }
  const domain = domainModel();
  if (domain && words.length > 0) {
    const { scores: ds, known } = domain.scores(feats);
    if (known > 0) {
      let dMax = -Infinity;
      for (const v of ds) dMax = Math.max(dMax, v);
      const w = ((eldReliable ? DOMAIN_WEIGHT_RELIABLE : DOMAIN_WEIGHT) / Math.sqrt(known)) * (known / feats.ids.length);
      domain.labels.forEach((l, i) => pushScore(scores, l, Math.max(-DOMAIN_CAP, w * (ds[i] - dMax))));
    }
  }
  const hintWeight = words.length <= 2 ? 2.5 : words.length <= 5 ? 1.5 : words.length <= 12 ? 0.8 : 0.3;
  addHints(scores, hints, LATIN_LANGUAGES, reasons, hintWeight, words.length <= 1 ? 1 : 0.6);
  pushScore(scores, 'en', 0.1);
  return { scores, cueHits };
}

function pickWithMargin(scores: Map<string, number>): { language: string; margin: number } {
  let best = '';
  let a = -Infinity;
  let b = -Infinity;
  for (const [l, v] of scores) {
    if (v > a) {
      b = a;
      a = v;
      best = l;
    } else if (v > b) b = v;
  }
  return { language: best, margin: a - b };
}

/** How much eld's n-gram scores count, by number of words and eld's own reliability flag. */
export let ELD_WEIGHT = (words: number, reliable: boolean): number => (reliable ? 1 : words <= 2 ? 0.2 : 0.5);
/** For experiments. */
export function setEldWeight(f: (words: number, reliable: boolean) => number): void {
  ELD_WEIGHT = f;
}

/** Weight of the corpus-trained model against eld (per sqrt of known features). */
export let DOMAIN_WEIGHT = 0.5;
/** …when eld itself calls its answer reliable. */
export let DOMAIN_WEIGHT_RELIABLE = 0.5;
export function setDomainWeightReliable(w: number): void {
  DOMAIN_WEIGHT_RELIABLE = w;
}
/** The most the domain model can take from a language (so it cannot overrule clear n-grams). */
export let DOMAIN_CAP = 3;
export function setDomainCap(c: number): void {
  DOMAIN_CAP = c;
}
/** For experiments: set the weight of the domain model. */
export function setDomainWeight(w: number): void {
  DOMAIN_WEIGHT = w;
}

let domainNb: NaiveBayes<string> | null | undefined;
/**
 * A naive Bayes language model of after-sales messages in the Latin-script languages, trained on
 * the corpus's train split (accents folded, so unaccented typing is covered).
 */
function domainModel(): NaiveBayes<string> | null {
  if (domainNb !== undefined) return domainNb;
  const useCache = process.env.CROSSDESK_TRIAGE_CACHE !== '0';
  const key = useCache ? domainCacheKey() : '';
  const file = path.join(process.env.CROSSDESK_CACHE_DIR ?? path.join(os.tmpdir(), 'crossdesk-cache'), `language-${key}.bin`);
  if (useCache) {
    const cached = readDomainCache(file, key);
    if (cached) return (domainNb = cached);
  }
  const examples = loadCorpus().examples.filter((e) => e.split === 'train' && LATIN_LANGUAGES.includes(e.language));
  domainNb = trainDomainModel(examples.map((e) => ({ text: e.text, language: e.language })));
  if (useCache && domainNb) writeDomainCache(file, key, domainNb);
  return domainNb;
}

function domainCacheKey(): string {
  const h = createHash('sha256');
  h.update('language-domain-1');
  return hashSources(h, ['classifier.ts', 'language.ts', 'lexicon.ts', 'segment.ts'], [CORPUS_DIR]);
}

function readDomainCache(file: string, key: string): NaiveBayes<string> | null {
  try {
    const buf = fs.readFileSync(file);
    const headerLen = buf.readUInt32LE(0);
    const header = JSON.parse(buf.subarray(4, 4 + headerLen).toString('utf8')) as { key: string; labels: string[]; vocab: number };
    if (header.key !== key || !Array.isArray(header.labels)) return null;
    const k = header.labels.length;
    let off = 4 + headerLen;
    const take = (bytes: number) => buf.buffer.slice(buf.byteOffset + off, buf.byteOffset + (off += bytes));
    const buckets = new Int32Array(take(header.vocab * 4));
    const logProb = new Float32Array(take(header.vocab * k * 4));
    const logPrior = new Float64Array(take(k * 8));
    const nb = new NaiveBayes<string>(header.labels, { alpha: 0.5 });
    return nb.importState({ buckets, logProb, logPrior }) ? nb : null;
  } catch {
    return null;
  }
}

function writeDomainCache(file: string, key: string, nb: NaiveBayes<string>): void {
  try {
    const st = nb.exportState();
    const header = Buffer.from(JSON.stringify({ key, labels: nb.labels, vocab: st.buckets.length }));
    const len = Buffer.alloc(4);
    len.writeUInt32LE(header.length, 0);
    const parts = [len, header, ...[st.buckets, st.logProb, st.logPrior].map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength))];
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, Buffer.concat(parts));
    fs.renameSync(tmp, file);
    removeStale(file, 'language-');
  } catch {
    // A cache that cannot be written only costs time.
  }
}

/** Train (or, with an empty list, remove) the domain model; returns it. */
export function trainDomainModel(examples: readonly { text: string; language: string }[]): NaiveBayes<string> | null {
  const langs = LATIN_LANGUAGES.filter((l) => examples.some((e) => e.language === l));
  if (langs.length < 2) {
    domainNb = null;
    return null;
  }
  const nb = new NaiveBayes<string>(langs, { alpha: 0.5 });
  nb.train(examples.filter((e) => langs.includes(e.language)).map((e) => ({ features: textFeatures(e.text), label: e.language })));
  domainNb = nb;
  return nb;
}

function han_or_kana(clean: string, kana: number, han: number, hints: LanguageHints | undefined, share: number): LanguageGuess {
  if (kana > 0 && (kana >= 2 || kana / (kana + han) >= 0.1)) {
    return { language: 'ja', confidence: round(0.9 + 0.1 * share), reasons: ['kana (Japanese script)'] };
  }
  const reasons = ['Han characters'];
  const scores = new Map<string, number>([
    ['zh', 0.5], // Han without kana is Chinese unless something says otherwise
    ['ja', 0],
  ]);
  let zhChars = 0;
  let jaChars = 0;
  for (const ch of clean) {
    if (ZH_ONLY_HAN.has(ch)) zhChars++;
    else if (JA_ONLY_HAN.has(ch)) jaChars++;
  }
  for (const w of JA_HAN_WORDS) if (clean.includes(w)) jaChars += 1.5;
  for (const w of ZH_HAN_WORDS) if (clean.includes(w)) zhChars += 1.5;
  if (kana > 0) jaChars += 2;
  pushScore(scores, 'zh', 1.5 * zhChars);
  pushScore(scores, 'ja', 1.5 * jaChars);
  if (zhChars > 0) reasons.push('characters only Chinese uses');
  if (jaChars > 0) reasons.push('characters or words only Japanese uses');
  addHints(scores, hints, ['zh', 'ja'], reasons, han <= 4 ? 2 : 1);
  const { language, confidence } = pick(scores, 1);
  return { language, confidence: round(Math.max(0.5, confidence * (0.85 + 0.15 * share))), reasons };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

