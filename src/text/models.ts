/**
 * The triage models: category, sentiment and anger, trained at first use from the train split
 * of the labelled corpus (content/triage/corpus) with lexicon hits as extra, language-independent
 * features (`k:refund` fires for "refund", "reembolso", "退款" alike).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { hashSources, removeStale } from './cache-key.ts';
import { CATEGORIES, CORPUS_DIR, SENTIMENTS, loadCorpus, type Category, type CorpusExample, type Sentiment } from './corpus.ts';
import { FEATURE_WINDOW, FeatureKind, SoftmaxRegression, textFeatures, type Features, type LogisticOptions } from './classifier.ts';
import { LEXICON_DIR, PhraseMatcher, foldForMatch, loadLexicons, matchWords } from './lexicon.ts';

export interface LexiconHits {
  threats: string[];
  insults: string[];
  negative: string[];
  positive: string[];
  /** category -> entries found */
  categories: Partial<Record<Category, string[]>>;
  /** Mostly capital letters, or several long words in capitals. */
  shouting: boolean;
  /** "!!", "?!", "！！" */
  exclaiming: boolean;
  /** The analysed window, folded (foldForMatch), for reuse by the feature extractor. */
  folded: string;
}

const compiled = new Map<string, PhraseMatcher | null>();
/** One matcher per language over all its lists, tagged `threats`, `insults`, …, `cat:<category>`. */
function lexiconFor(language: string): PhraseMatcher | null {
  if (compiled.has(language)) return compiled.get(language) ?? null;
  const lex = loadLexicons().get(language);
  let m: PhraseMatcher | null = null;
  if (lex) {
    const entries: { tag: string; entry: string }[] = [];
    for (const kind of ['threats', 'insults', 'negative', 'positive'] as const) for (const e of lex[kind]) entries.push({ tag: kind, entry: e });
    for (const k of CATEGORIES) for (const e of lex.categories[k] ?? []) entries.push({ tag: 'cat:' + k, entry: e });
    m = new PhraseMatcher(entries);
  }
  compiled.set(language, m);
  return m;
}

// Carrier and other abbreviations written in capitals that are not shouting.
const ACRONYMS = new Set(['UPS', 'USPS', 'DHL', 'FEDEX', 'EMS', 'TNT', 'GLS', 'DPD', 'VAT', 'IVA', 'TVA', 'MWST', 'USB', 'LED', 'XL', 'XXL', 'XS', 'PDF', 'SMS', 'OK', 'ASAP', 'EU', 'UK', 'USA', 'SKU', 'ID', 'PIN', 'ATM', 'RMA', 'CN', 'PS', 'HDMI', 'SSD', 'NFC', 'BLIK', 'PIX', 'CTT', 'PTT']);

/** Shouting: most cased letters are capitals (in a text long enough to tell), or 2+ long words in capitals. */
export function isShouting(text: string): boolean {
  let upper = 0;
  let lower = 0;
  const sample = text.length > 2000 ? text.slice(0, 2000) : text;
  for (const ch of sample) {
    if (ch >= 'a' && ch <= 'z') lower++;
    else if (ch >= 'A' && ch <= 'Z') upper++;
    else if (ch > '\u007f') {
      const c = ch.charCodeAt(0);
      // Only Latin, Greek, Cyrillic and Armenian letters have case; skip the rest cheaply.
      if (c >= 0x590) continue;
      const l = ch.toLowerCase();
      const u = ch.toUpperCase();
      if (l !== u) {
        if (ch === u) upper++;
        else lower++;
      }
    }
  }
  if (upper + lower >= 10 && upper / (upper + lower) >= 0.7) return true;
  let capsWords = 0;
  for (const m of sample.matchAll(/\b\p{Lu}{4,}\b/gu)) if (!ACRONYMS.has(m[0].toUpperCase())) capsWords++;
  return capsWords >= 2;
}

/** Lexicon hits of a text for the given language (plus English, which customers mix in). */
export function lexiconHits(text: string, language: string | null): LexiconHits {
  const src = typeof text === 'string' ? (text.length > FEATURE_WINDOW ? text.slice(0, FEATURE_WINDOW) : text) : '';
  const folded = foldForMatch(src);
  const words = matchWords(folded);
  const hits: LexiconHits = {
    threats: [],
    insults: [],
    negative: [],
    positive: [],
    categories: {},
    shouting: isShouting(src),
    exclaiming: /[!！]{2,}|[?？][!！]|[!！][?？]/.test(src),
    folded,
  };
  const langs = language && language !== 'en' ? [language, 'en'] : ['en'];
  for (const l of langs) {
    const lex = lexiconFor(l);
    if (!lex) continue;
    for (const { tag, entry } of lex.matchTagged(folded, words)) {
      if (tag.startsWith('cat:')) {
        const cat = tag.slice(4) as Category;
        const list = hits.categories[cat] ?? (hits.categories[cat] = []);
        if (!list.includes(entry)) list.push(entry);
      } else if (tag === 'threats' || tag === 'insults' || tag === 'negative' || tag === 'positive') {
        if (!hits[tag].includes(entry)) hits[tag].push(entry);
      }
    }
  }
  return hits;
}

/** Feature tokens of a text: n-grams and words, plus lexicon tags. */
export function triageFeatures(text: string, hits: LexiconHits): Features {
  const extra: string[] = [];
  for (const [cat, entries] of Object.entries(hits.categories)) {
    if (!entries?.length) continue;
    extra.push('k:' + cat);
    if (entries.length >= 2) extra.push('k2:' + cat);
  }
  if (hits.threats.length) extra.push('x:threat');
  if (hits.insults.length) extra.push('x:insult');
  if (hits.negative.length) extra.push('x:neg');
  if (hits.negative.length >= 2) extra.push('x:neg2');
  if (hits.positive.length) extra.push('x:pos');
  if (hits.shouting) extra.push('x:shout');
  if (hits.exclaiming) extra.push('x:exclaim');
  return textFeatures(text, extra, hits.folded);
}

export type AngerLabel = 'angry' | 'calm';

/**
 * Lexicon features (`k:` category words, `x:` threats/insults/shouting) count several times an
 * n-gram: they carry across languages where the n-grams of ~15 examples a category cannot.
 * Chosen by 3-fold cross-validation on the train split (scratch scripts; eval split untouched).
 */
export const CATEGORY_MODEL_OPTIONS: LogisticOptions = {
  learningRate: 0.2,
  epochs: 6,
  kindWeight: { [FeatureKind.category]: 4, [FeatureKind.chars]: 0.5 },
};
export const MOOD_MODEL_OPTIONS: LogisticOptions = {
  learningRate: 0.2,
  epochs: 5,
  kindWeight: { [FeatureKind.mood]: 3, [FeatureKind.chars]: 0.5 },
};

export interface TriageModels {
  category: SoftmaxRegression<Category>;
  sentiment: SoftmaxRegression<Sentiment>;
  anger: SoftmaxRegression<AngerLabel>;
  /** Number of training examples and how long training took. */
  trainedOn: number;
  trainMs: number;
}

/** Train the three models on the given examples (use only split=train ones). */
export function trainModels(examples: readonly CorpusExample[]): TriageModels {
  const t0 = performance.now();
  const rows = examples.map((e) => ({ e, f: triageFeatures(e.text, lexiconHits(e.text, e.language)) }));
  const category = new SoftmaxRegression<Category>(CATEGORIES, CATEGORY_MODEL_OPTIONS).train(rows.map((r) => ({ features: r.f, label: r.e.category })));
  const sentiment = new SoftmaxRegression<Sentiment>(SENTIMENTS, MOOD_MODEL_OPTIONS).train(
    rows.map((r) => ({ features: r.f, label: r.e.sentiment })),
  );
  const anger = new SoftmaxRegression<AngerLabel>(['angry', 'calm'], MOOD_MODEL_OPTIONS).train(
    rows.map((r) => ({ features: r.f, label: r.e.angry ? 'angry' : 'calm' })),
  );
  category.sameRows(sentiment);
  category.sameRows(anger);
  return { category, sentiment, anger, trainedOn: rows.length, trainMs: performance.now() - t0 };
}

let models: TriageModels | null = null;

/**
 * The models trained on the corpus's train split, once per process. The trained weights are
 * cached in a file (CROSSDESK_CACHE_DIR, default <tmp>/crossdesk-cache) keyed by a hash of the
 * corpus, the lexicons and this code, so a later process loads them in milliseconds instead of
 * training again. CROSSDESK_TRIAGE_CACHE=0 turns the cache off.
 */
export function getModels(): TriageModels {
  if (models) return models;
  const useCache = process.env.CROSSDESK_TRIAGE_CACHE !== '0';
  const key = useCache ? cacheKey() : '';
  if (useCache) {
    const cached = readModelCache(cacheFile(key), key);
    if (cached) return (models = cached);
  }
  models = trainModels(loadCorpus().examples.filter((e) => e.split === 'train'));
  if (useCache) writeModelCache(cacheFile(key), key, models);
  return models;
}

const MODEL_VERSION = 'triage-models-1';

function cacheDir(): string {
  return process.env.CROSSDESK_CACHE_DIR ?? path.join(os.tmpdir(), 'crossdesk-cache');
}

function cacheKey(): string {
  const h = createHash('sha256');
  h.update(MODEL_VERSION);
  h.update(JSON.stringify([CATEGORY_MODEL_OPTIONS, MOOD_MODEL_OPTIONS]));
  return hashSources(h, ['classifier.ts', 'models.ts', 'lexicon.ts', 'segment.ts', 'corpus.ts'], [CORPUS_DIR, LEXICON_DIR]);
}

type ModelName = 'category' | 'sentiment' | 'anger';
const MODEL_NAMES: ModelName[] = ['category', 'sentiment', 'anger'];

function cacheFile(key: string): string {
  return path.join(cacheDir(), `triage-${key}.bin`);
}

/** Trained models from a cache file written by writeModelCache with the same key, or null. */
export function readModelCache(file: string, key: string): TriageModels | null {
  try {
    const t0 = performance.now();
    const buf = fs.readFileSync(file);
    const headerLen = buf.readUInt32LE(0);
    const header = JSON.parse(buf.subarray(4, 4 + headerLen).toString('utf8')) as { key: string; trainedOn: number; sizes: { vocab: number; k: number }[] };
    if (header.key !== key || header.sizes.length !== 3) return null;
    let off = 4 + headerLen;
    const take = (bytes: number) => {
      const ab = buf.buffer.slice(buf.byteOffset + off, buf.byteOffset + off + bytes);
      off += bytes;
      return ab;
    };
    const fresh = {
      category: new SoftmaxRegression<Category>(CATEGORIES, CATEGORY_MODEL_OPTIONS),
      sentiment: new SoftmaxRegression<Sentiment>(SENTIMENTS, MOOD_MODEL_OPTIONS),
      anger: new SoftmaxRegression<AngerLabel>(['angry', 'calm'], MOOD_MODEL_OPTIONS),
    };
    for (let m = 0; m < 3; m++) {
      const { vocab, k } = header.sizes[m];
      const buckets = new Int32Array(take(vocab * 4));
      const weights = new Float32Array(take(vocab * k * 4));
      const bias = new Float64Array(take(k * 8));
      if (!fresh[MODEL_NAMES[m]].importState({ buckets, weights, bias })) return null;
    }
    fresh.category.sameRows(fresh.sentiment);
    fresh.category.sameRows(fresh.anger);
    return { ...fresh, trainedOn: header.trainedOn, trainMs: performance.now() - t0 };
  } catch {
    return null;
  }
}

/** Writes trained models to a cache file (atomically; failures are ignored). */
export function writeModelCache(file: string, key: string, m: TriageModels): void {
  try {
    const states = MODEL_NAMES.map((n) => m[n].exportState());
    const header = Buffer.from(JSON.stringify({ key, trainedOn: m.trainedOn, sizes: states.map((st, i) => ({ vocab: st.buckets.length, k: m[MODEL_NAMES[i]].labels.length })) }));
    const len = Buffer.alloc(4);
    len.writeUInt32LE(header.length, 0);
    const parts: Buffer[] = [len, header];
    for (const st of states) {
      for (const arr of [st.buckets, st.weights, st.bias]) parts.push(Buffer.from(arr.buffer, arr.byteOffset, arr.byteLength));
    }
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, Buffer.concat(parts));
    fs.renameSync(tmp, file);
    removeStale(file, 'triage-');
  } catch {
    // A cache that cannot be written only costs time.
  }
}

/** Thresholds of the anger decision (see decideAngry). Chosen by cross-validation on the train split. */
export const ANGER_RULES = { model: 0.25, withThreat: 0.1, withInsult: 0.1, withShouting: 0.1, withExclaiming: 0.15 };

/**
 * Angry = the model is fairly sure, or a threat / insult / shouting is present and the model
 * does not rule anger out (a customer who "opened a chargeback by mistake" is not angry).
 */
export function decideAngry(pAngry: number, hits: LexiconHits, rules = ANGER_RULES): boolean {
  if (pAngry >= rules.model) return true;
  if (hits.threats.length > 0 && pAngry >= rules.withThreat) return true;
  if (hits.insults.length > 0 && pAngry >= rules.withInsult) return true;
  if (hits.shouting && pAngry >= rules.withShouting) return true;
  if (hits.exclaiming && pAngry >= rules.withExclaiming) return true;
  return false;
}


/** Category, sentiment and anger of a text's features in one pass over the feature rows. */
export function predictAll(m: TriageModels, features: Features): {
  category: ReturnType<SoftmaxRegression<Category>['predict']>;
  sentiment: ReturnType<SoftmaxRegression<Sentiment>['predict']>;
  anger: ReturnType<SoftmaxRegression<AngerLabel>['predict']>;
} {
  const rows = m.category.resolve(features);
  const shared = m.category.sameRows(m.sentiment) && m.category.sameRows(m.anger);
  return {
    category: m.category.predict(features, rows),
    sentiment: m.sentiment.predict(features, shared ? rows : undefined),
    anger: m.anger.predict(features, shared ? rows : undefined),
  };
}
