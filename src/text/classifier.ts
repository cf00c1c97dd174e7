/**
 * A small multinomial naive Bayes text classifier over word tokens and character n-grams,
 * trained in Node from labelled examples in tens of milliseconds. Works across scripts: words
 * are split on non-letters, and runs of Chinese/Japanese/Korean characters give character
 * unigrams and bigrams (so no dictionary segmentation is needed at prediction time).
 */
import { foldForMatch, matchWords } from './lexicon.ts';

/** Only this many characters of a text are turned into features. */
export const FEATURE_WINDOW = 3000;

const CJK_RUN = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]+/gu;
const SPLIT = /[^\p{L}\p{N}\p{M}']+/u;

/** Kinds of feature; a model may weigh kinds differently. */
export const FeatureKind = { word: 0, bigram: 1, chars: 2, cjk: 3, category: 4, mood: 5, other: 6 } as const;
export type FeatureKind = (typeof FeatureKind)[keyof typeof FeatureKind];

/** Features are hashed into 2^HASH_BITS buckets (no vocabulary map: fast and bounded memory). */
export const HASH_BITS = 18;

/** The hash buckets a trained model uses, in the order of its dense rows (for a cache file). */
function denseToBuckets(dense: Int32Array, rows: number): Int32Array {
  const buckets = new Int32Array(rows);
  for (let b = 0; b < dense.length; b++) if (dense[b] >= 0) buckets[dense[b]] = b;
  return buckets;
}

/** The inverse of denseToBuckets; null when a bucket is out of range. */
function bucketsToDense(buckets: Int32Array): Int32Array<ArrayBuffer> | null {
  const dense = new Int32Array(1 << HASH_BITS).fill(-1);
  for (let d = 0; d < buckets.length; d++) {
    const b = buckets[d];
    if (b < 0 || b >= dense.length) return null;
    dense[b] = d;
  }
  return dense;
}
const HASH_MASK = (1 << HASH_BITS) - 1;

/** A bitset of the buckets that have a dense row. */
function presentBits(dense: Int32Array): Uint32Array<ArrayBuffer> {
  const bits = new Uint32Array(dense.length >>> 5);
  for (let b = 0; b < dense.length; b++) if (dense[b] >= 0) bits[b >>> 5] |= 1 << (b & 31);
  return bits;
}

let charFourGrams = true;
/** For experiments: whether alphabetic words also give character 4-grams. */
export function setCharFourGrams(on: boolean): void {
  charFourGrams = on;
}

/** Hashed features of one text: bucket ids (distinct) and the kind of each. */
export interface Features {
  ids: number[];
  kinds: FeatureKind[];
}

const FNV_OFFSET = 0x811c9dc5;
function fnvChars(h: number, s: string, from: number, to: number): number {
  for (let i = from; i < to; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h;
}

/** The bucket of a feature string of a kind (for extra tokens and tests). */
export function hashFeature(kind: FeatureKind, s: string): number {
  return (fnvChars(FNV_OFFSET ^ (kind * 0x9e3779b1), s, 0, s.length) >>> 0) & HASH_MASK;
}

/** The kind of an extra token from its prefix: `k:` category lexicon, `x:` mood lexicon. */
function extraKind(t: string): FeatureKind {
  return t.startsWith('k') ? FeatureKind.category : t.startsWith('x:') ? FeatureKind.mood : FeatureKind.other;
}

/** Generation stamps of the buckets already added to the current text's features (dedupe without a Set). */
const stamp = new Int32Array(1 << HASH_BITS);
let generation = 0;

/**
 * The features of a text: words, word bigrams, character 3/4-grams of alphabetic words, CJK
 * character 1/2/3-grams, and `extra` tokens the caller adds (e.g. lexicon hits), hashed.
 * `foldedText` is the text already passed through foldForMatch (saves doing it twice).
 */
export function textFeatures(text: string, extra: readonly string[] = [], foldedText?: string): Features {
  const src = typeof text === 'string' ? (text.length > FEATURE_WINDOW ? text.slice(0, FEATURE_WINDOW) : text) : '';
  const folded = foldedText ?? foldForMatch(src);
  return wordFeatures(folded.split(SPLIT), extra);
}

/** A text prepared once for every model: folded, split into words, its hashed features. */
export interface PreparedText {
  /** The analysed window of the original text. */
  window: string;
  /** foldForMatch of the window. */
  folded: string;
  /** matchWords of folded. */
  words: string[];
  /** textFeatures of the window (no extra tokens). */
  features: Features;
}

/** Fold, split and hash a text once (the language, lexicon and triage models all read it). */
export function prepareText(text: string): PreparedText {
  const window = typeof text === 'string' ? (text.length > FEATURE_WINDOW ? text.slice(0, FEATURE_WINDOW) : text) : '';
  const folded = foldForMatch(window);
  const words = matchWords(folded);
  return { window, folded, words, features: wordFeatures(words) };
}

/** Features plus extra tokens (lexicon hits), as a new object (`inPlace`: added to `base` itself). */
export function withExtras(base: Features, extra: readonly string[], inPlace = false): Features {
  const ids = inPlace ? base.ids : base.ids.slice();
  const kinds = inPlace ? base.kinds : base.kinds.slice();
  for (const t of extra) {
    const kind = extraKind(t);
    const id = hashFeature(kind, t);
    if (ids.includes(id)) continue;
    ids.push(id);
    kinds.push(kind);
  }
  return { ids, kinds };
}

/** Features of the words of a folded text (digits count as 0; apostrophes at the ends dropped). */
function wordFeatures(words: readonly string[], extra: readonly string[] = []): Features {
  if (++generation >= 0x7fffffff) {
    stamp.fill(0);
    generation = 1;
  }
  const gen = generation;
  const ids: number[] = [];
  const kinds: FeatureKind[] = [];
  const add = (id: number, kind: FeatureKind) => {
    if (stamp[id] === gen) return;
    stamp[id] = gen;
    ids.push(id);
    kinds.push(kind);
  };
  for (const t of extra) add(hashFeature(extraKind(t), t), extraKind(t));
  let prevHash = 0;
  const seedW = FNV_OFFSET ^ (FeatureKind.word * 0x9e3779b1);
  const seedB = FNV_OFFSET ^ (FeatureKind.bigram * 0x9e3779b1);
  const seedC = FNV_OFFSET ^ (FeatureKind.chars * 0x9e3779b1);
  const seedH = FNV_OFFSET ^ (FeatureKind.cjk * 0x9e3779b1);
  for (const raw of words) {
    let w = raw.length && (raw.charCodeAt(0) === 39 || raw.charCodeAt(raw.length - 1) === 39) ? raw.replace(/^'+|'+$/g, '') : raw;
    if (!w) continue;
    let cjk = false;
    let digit = false;
    for (let i = 0; i < w.length; i++) {
      const c = w.charCodeAt(i);
      if (c >= 48 && c <= 57) digit = true;
      else if ((c >= 0x3040 && c <= 0x9fff) || (c >= 0xac00 && c <= 0xd7af) || (c >= 0xf900 && c <= 0xfaff) || (c >= 0x3400 && c <= 0x4dbf) || (c >= 0x1100 && c <= 0x11ff)) {
        cjk = true;
      }
    }
    if (digit) w = w.replace(/[0-9]+/g, '0');
    if (cjk) {
      CJK_RUN.lastIndex = 0;
      for (const m of w.matchAll(CJK_RUN)) {
        const run = m[0];
        // Code units: CJK of the BMP is one unit a character (rare astral Han splits harmlessly).
        for (let i = 0; i < run.length; i++) {
          let h = fnvChars(seedH, run, i, i + 1);
          add((h >>> 0) & HASH_MASK, FeatureKind.cjk);
          if (i + 1 < run.length) {
            h = fnvChars(h, run, i + 1, i + 2);
            add((h >>> 0) & HASH_MASK, FeatureKind.cjk);
            if (i + 2 < run.length) add((fnvChars(h, run, i + 2, i + 3) >>> 0) & HASH_MASK, FeatureKind.cjk);
          }
        }
      }
      if (w.length <= 12) add((fnvChars(seedW, w, 0, w.length) >>> 0) & HASH_MASK, FeatureKind.word);
      prevHash = 0;
      continue;
    }
    const wh = fnvChars(seedW, w, 0, w.length);
    add((wh >>> 0) & HASH_MASK, FeatureKind.word);
    if (prevHash !== 0) add((Math.imul(prevHash ^ seedB, 0x01000193) ^ wh) >>> 0 & HASH_MASK, FeatureKind.bigram);
    prevHash = wh;
    if (w.length >= 4) {
      const p = ' ' + w + ' ';
      for (let i = 0; i + 3 <= p.length; i++) {
        const h3 = fnvChars(seedC, p, i, i + 3);
        add((h3 >>> 0) & HASH_MASK, FeatureKind.chars);
        if (charFourGrams && i + 4 <= p.length) add((fnvChars(h3 ^ 0x5bd1e995, p, i + 3, i + 4) >>> 0) & HASH_MASK, FeatureKind.chars);
      }
    }
  }
  return { ids, kinds };
}

export interface Prediction<L extends string> {
  label: L;
  /** Probability of the label (softmax of the class scores, tempered). */
  confidence: number;
  probabilities: Record<L, number>;
}

export interface NaiveBayesOptions {
  /** Additive smoothing. */
  alpha?: number;
  /** Use class frequencies as priors (else uniform). */
  fitPrior?: boolean;
  /** Softmax temperature per feature (larger = less confident). */
  temperature?: number;
}

/** Multinomial naive Bayes over binary (hashed) feature occurrences. */
export class NaiveBayes<L extends string> {
  /** log P(feature | label), feature-major: [dense * k + label] */
  private logProb: Float32Array<ArrayBufferLike> = new Float32Array(0);
  /** bucket -> dense row, -1 when never seen in training */
  private dense = new Int32Array(0);
  /** One bit a bucket: seen in training (32 kB: checked before the 1 MB dense table). */
  private present = new Uint32Array(0);
  private logPrior: number[] = [];
  private readonly alpha: number;
  private readonly fitPrior: boolean;
  private readonly temperature: number;

  constructor(
    readonly labels: readonly L[],
    options: NaiveBayesOptions = {},
  ) {
    this.alpha = options.alpha ?? 0.3;
    this.fitPrior = options.fitPrior ?? false;
    this.temperature = options.temperature ?? 0.15;
  }

  train(examples: readonly { features: Features; label: L }[]): this {
    const k = this.labels.length;
    const labelIdx = new Map<L, number>(this.labels.map((l, i) => [l, i]));
    // Buckets seen in training get dense rows (small table: fewer cache misses than 2^bits rows).
    const dense = new Int32Array(1 << HASH_BITS).fill(-1);
    let vocab = 0;
    for (const e of examples) for (const i of e.features.ids) if (dense[i] < 0) dense[i] = vocab++;
    const counts = new Float32Array(vocab * k);
    const totals = new Array<number>(k).fill(0);
    const docs = new Array<number>(k).fill(0);
    for (const e of examples) {
      const c = labelIdx.get(e.label);
      if (c === undefined) continue;
      docs[c]++;
      for (const i of e.features.ids) {
        counts[dense[i] * k + c] += 1;
        totals[c] += 1;
      }
    }
    const denom = totals.map((t) => Math.log(t + this.alpha * Math.max(1, vocab)));
    for (let d = 0; d < vocab; d++) {
      const base = d * k;
      for (let c = 0; c < k; c++) counts[base + c] = Math.log(counts[base + c] + this.alpha) - denom[c];
    }
    const nDocs = docs.reduce((a, b) => a + b, 0);
    this.logProb = counts;
    this.dense = dense;
    this.present = presentBits(dense);
    this.logPrior = docs.map((d) => (this.fitPrior && nDocs > 0 ? Math.log((d + 1) / (nDocs + k)) : Math.log(1 / k)));
    return this;
  }

  /** The trained state as typed arrays (for a cache file). */
  exportState(): { buckets: Int32Array; logProb: Float32Array; logPrior: Float64Array } {
    const k = this.labels.length;
    const buckets = denseToBuckets(this.dense, this.logProb.length / Math.max(1, k));
    return { buckets, logProb: this.logProb, logPrior: Float64Array.from(this.logPrior) };
  }

  /** Restore a state made by exportState (same labels). Returns false if it does not fit. */
  importState(state: { buckets: Int32Array; logProb: Float32Array; logPrior: Float64Array }): boolean {
    const k = this.labels.length;
    if (state.logPrior.length !== k || state.logProb.length !== state.buckets.length * k) return false;
    const dense = bucketsToDense(state.buckets);
    if (!dense) return false;
    this.dense = dense;
    this.present = presentBits(dense);
    this.logProb = state.logProb;
    this.logPrior = Array.from(state.logPrior);
    return true;
  }

  /** Raw log scores per label. Features never seen in training are ignored. */
  scores(features: Features): { scores: number[]; known: number } {
    const k = this.labels.length;
    const s = this.logPrior.length === k ? this.logPrior.slice() : new Array<number>(k).fill(0);
    let known = 0;
    const lp = this.logProb;
    const dense = this.dense;
    const present = this.present;
    if (dense.length === 0) return { scores: s, known };
    for (const i of features.ids) {
      if ((present[i >>> 5] & (1 << (i & 31))) === 0) continue;
      const d = dense[i];
      if (d < 0) continue;
      known++;
      const base = d * k;
      for (let c = 0; c < k; c++) s[c] += lp[base + c];
    }
    return { scores: s, known };
  }

  predict(features: Features): Prediction<L> {
    const { scores, known } = this.scores(features);
    // Temper: naive Bayes adds up correlated n-grams and is over-confident otherwise.
    const t = Math.max(1, known * this.temperature);
    let max = -Infinity;
    let best = 0;
    scores.forEach((v, i) => {
      if (v > max) {
        max = v;
        best = i;
      }
    });
    const exps = scores.map((v) => Math.exp((v - max) / t));
    const z = exps.reduce((a, b) => a + b, 0);
    const probabilities = {} as Record<L, number>;
    this.labels.forEach((l, i) => {
      probabilities[l] = exps[i] / z;
    });
    return { label: this.labels[best], confidence: known === 0 ? 0 : exps[best] / z, probabilities };
  }
}

/** Macro-averaged F1 (and per-label F1) of predictions against gold labels. */
export function macroF1<L extends string>(
  labels: readonly L[],
  pairs: readonly { gold: L; predicted: L }[],
): { macroF1: number; accuracy: number; perLabel: Record<string, { f1: number; support: number }> } {
  const perLabel: Record<string, { f1: number; support: number }> = {};
  let sum = 0;
  let n = 0;
  for (const l of labels) {
    let tp = 0, fp = 0, fn = 0;
    for (const p of pairs) {
      if (p.predicted === l && p.gold === l) tp++;
      else if (p.predicted === l) fp++;
      else if (p.gold === l) fn++;
    }
    const support = tp + fn;
    if (support === 0 && fp === 0) continue; // label absent from this set
    const prec = tp + fp ? tp / (tp + fp) : 0;
    const rec = tp + fn ? tp / (tp + fn) : 0;
    const f1 = prec + rec ? (2 * prec * rec) / (prec + rec) : 0;
    perLabel[l] = { f1, support };
    sum += f1;
    n++;
  }
  const correct = pairs.filter((p) => p.gold === p.predicted).length;
  return { macroF1: n ? sum / n : 0, accuracy: pairs.length ? correct / pairs.length : 0, perLabel };
}

export interface LogisticOptions {
  epochs?: number;
  learningRate?: number;
  l2?: number;
  /** Seed of the example shuffling (training is deterministic for a seed). */
  seed?: number;
  /** Value of a feature of each kind before the example is scaled to unit length (default 1). */
  kindWeight?: Partial<Record<FeatureKind, number>>;
  /**
   * Features met in fewer training examples than this get no weights (they still count in the
   * example's length): a smaller table that stays in the CPU cache, and no weight learnt from one example.
   */
  minCount?: number;
  /**
   * Class balance of the loss: each example counts (n / (k * n_class))^balance (0 = every example
   * alike, 1 = every class alike in total). Multiplies the example's own weight.
   */
  balance?: number;
}

/**
 * Multinomial logistic regression over hashed binary features (each example's vector scaled
 * to unit length), trained with AdaGrad. Learns which features matter, so strong cross-language
 * lexicon features are not drowned by hundreds of n-grams as in naive Bayes.
 */
export class SoftmaxRegression<L extends string> {
  /** weights, feature-major: [dense * k + label] */
  private weights: Float32Array<ArrayBufferLike> = new Float32Array(0);
  /** bucket -> dense row of the weights, -1 for buckets never seen in training */
  private dense = new Int32Array(0);
  private bias: number[] = [];
  private readonly opts: Required<Omit<LogisticOptions, 'kindWeight' | 'minCount' | 'balance'>>;
  private readonly balance: number;
  private readonly minCount: number;
  private readonly kindValue: Float64Array;

  constructor(
    readonly labels: readonly L[],
    options: LogisticOptions = {},
  ) {
    this.opts = { epochs: options.epochs ?? 10, learningRate: options.learningRate ?? 0.5, l2: options.l2 ?? 1e-5, seed: options.seed ?? 7 };
    this.minCount = options.minCount ?? 1;
    this.balance = options.balance ?? 0;
    this.kindValue = new Float64Array(8).fill(1);
    for (const [kind, v] of Object.entries(options.kindWeight ?? {})) this.kindValue[Number(kind)] = v;
  }

  private scaled(f: Features): Float32Array {
    const xs = new Float32Array(f.ids.length);
    let sq = 0;
    for (let t = 0; t < f.ids.length; t++) {
      const v = this.kindValue[f.kinds[t]];
      xs[t] = v;
      sq += v * v;
    }
    const norm = Math.sqrt(sq) || 1;
    for (let t = 0; t < xs.length; t++) xs[t] /= norm;
    return xs;
  }

  /**
   * `weight` of an example scales its gradient (default 1; 0 = it only shares the feature rows,
   * so models trained on the same examples with different weights keep the same rows).
   */
  train(examples: readonly { features: Features; label: L; weight?: number }[]): this {
    const k = this.labels.length;
    const labelIdx = new Map<L, number>(this.labels.map((l, i) => [l, i]));
    const data: { ids: Int32Array; xs: Float32Array; y: number; weight: number }[] = [];
    const perClass = new Float64Array(k);
    for (const e of examples) {
      const y = labelIdx.get(e.label);
      if (y !== undefined) perClass[y] += e.weight ?? 1;
    }
    const totalWeight = perClass.reduce((a, b) => a + b, 0);
    const classWeight = Array.from(perClass, (n) => (this.balance && n > 0 ? Math.pow(totalWeight / (k * n), this.balance) : 1));
    const dense = new Int32Array(1 << HASH_BITS).fill(-1);
    const df = new Int32Array(1 << HASH_BITS);
    for (const e of examples) if (labelIdx.has(e.label)) for (const b of e.features.ids) df[b]++;
    let vocab = 0;
    for (const e of examples) {
      const y = labelIdx.get(e.label);
      if (y === undefined) continue;
      const xsAll = this.scaled(e.features);
      const kept: number[] = [];
      const xs: number[] = [];
      e.features.ids.forEach((b, t) => {
        if (df[b] < this.minCount) return; // no row: it still counted in the scaling above
        if (dense[b] < 0) dense[b] = vocab++;
        kept.push(dense[b]);
        xs.push(xsAll[t]);
      });
      data.push({ ids: Int32Array.from(kept), xs: Float32Array.from(xs), y, weight: (e.weight ?? 1) * classWeight[y] });
    }
    const w = new Float32Array(vocab * k);
    const g2 = new Float32Array(vocab * k);
    const b = new Array<number>(k).fill(0);
    const bg2 = new Array<number>(k).fill(0);
    const { epochs, learningRate: lr, l2 } = this.opts;
    let seed = this.opts.seed;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const order = data.map((_, i) => i);
    const z = new Float64Array(k);
    for (let ep = 0; ep < epochs; ep++) {
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(rand() * (i + 1));
        [order[i], order[j]] = [order[j], order[i]];
      }
      for (const di of order) {
        const { ids, xs, y, weight } = data[di];
        if (weight === 0) continue;
        const n = ids.length;
        for (let c = 0; c < k; c++) z[c] = b[c];
        for (let t = 0; t < n; t++) {
          const base = ids[t] * k;
          const x = xs[t];
          for (let c = 0; c < k; c++) z[c] += w[base + c] * x;
        }
        let max = -Infinity;
        for (let c = 0; c < k; c++) if (z[c] > max) max = z[c];
        let sum = 0;
        for (let c = 0; c < k; c++) {
          z[c] = Math.exp(z[c] - max);
          sum += z[c];
        }
        for (let c = 0; c < k; c++) {
          const grad = (z[c] / sum - (c === y ? 1 : 0)) * weight;
          z[c] = grad;
          bg2[c] += grad * grad;
          b[c] -= (lr * grad) / Math.sqrt(bg2[c] + 1e-8);
        }
        for (let t = 0; t < n; t++) {
          const base = ids[t] * k;
          const x = xs[t];
          for (let c = 0; c < k; c++) {
            const grad = z[c];
            if (grad < 1e-4 && grad > -1e-4) continue;
            const p = base + c;
            const g = grad * x + l2 * w[p];
            const acc = g2[p] + g * g;
            g2[p] = acc;
            w[p] -= (lr * g) / Math.sqrt(acc + 1e-8);
          }
        }
      }
    }
    this.weights = w;
    this.bias = b;
    this.dense = dense;
    return this;
  }

  /** Number of distinct feature buckets seen in training. */
  get vocabularySize(): number {
    return this.weights.length / Math.max(1, this.labels.length);
  }

  /**
   * The dense rows of a text's features (-1 for features unseen in training). Models trained on
   * the same examples share their rows (sameRows), so one resolve serves them all.
   */
  resolve(features: Features): Int32Array {
    const out = new Int32Array(features.ids.length);
    const dense = this.dense;
    for (let t = 0; t < out.length; t++) out[t] = dense.length ? dense[features.ids[t]] : -1;
    return out;
  }

  /** True when both models map features to the same rows (trained on the same examples). */
  sameRows(other: SoftmaxRegression<string>): boolean {
    if (this.dense === other.dense) return true;
    if (this.dense.length !== other.dense.length) return false;
    for (let i = 0; i < this.dense.length; i++) if (this.dense[i] !== other.dense[i]) return false;
    other.dense = this.dense; // share one table from now on
    return true;
  }

  predict(features: Features, rows?: Int32Array): Prediction<L> {
    const k = this.labels.length;
    const z = new Float64Array(k);
    const w = this.weights;
    const resolved = rows ?? this.resolve(features);
    const kinds = features.kinds;
    const kv = this.kindValue;
    let sq = 0;
    for (let t = 0; t < resolved.length; t++) {
      const v = kv[kinds[t]];
      sq += v * v; // unseen features still count in the length, as in training
      const d = resolved[t];
      if (d < 0) continue;
      const base = d * k;
      for (let c = 0; c < k; c++) z[c] += w[base + c] * v;
    }
    const norm = Math.sqrt(sq) || 1;
    let max = -Infinity;
    let best = 0;
    for (let c = 0; c < k; c++) {
      z[c] = (this.bias[c] ?? 0) + z[c] / norm;
      if (z[c] > max) {
        max = z[c];
        best = c;
      }
    }
    let sum = 0;
    for (let c = 0; c < k; c++) {
      z[c] = Math.exp(z[c] - max);
      sum += z[c];
    }
    const probabilities = {} as Record<L, number>;
    for (let c = 0; c < k; c++) probabilities[this.labels[c]] = z[c] / sum;
    return { label: this.labels[best], confidence: z[best] / sum, probabilities };
  }

  /** The trained parameters, read-only (for FusedSoftmax). */
  parts(): { dense: Int32Array; weights: Float32Array<ArrayBufferLike>; bias: readonly number[]; kindValue: Float64Array } {
    return { dense: this.dense, weights: this.weights, bias: this.bias, kindValue: this.kindValue };
  }

  /** The trained state as typed arrays (for a cache file). */
  exportState(): { buckets: Int32Array; weights: Float32Array; bias: Float64Array } {
    const k = this.labels.length;
    const buckets = denseToBuckets(this.dense, this.weights.length / Math.max(1, k));
    return { buckets, weights: this.weights, bias: Float64Array.from(this.bias) };
  }

  /** Restore a state made by exportState (same labels and options). Returns false if it does not fit. */
  importState(state: { buckets: Int32Array; weights: Float32Array; bias: Float64Array }): boolean {
    const k = this.labels.length;
    if (state.bias.length !== k || state.weights.length !== state.buckets.length * k) return false;
    const dense = bucketsToDense(state.buckets);
    if (!dense) return false;
    this.dense = dense;
    this.weights = state.weights;
    this.bias = Array.from(state.bias);
    return true;
  }
}


/**
 * Several softmax regressions trained on the same examples (same feature rows), evaluated in one
 * pass over a text's features. Built for speed, because every inbound message goes through it:
 * - a bitset of the buckets that have weights (32 kB, stays in the CPU cache) answers "unseen"
 *   without touching the larger tables;
 * - bucket -> row is 16-bit when the vocabulary allows (half the memory of 32-bit), else 32-bit;
 * - the models' weights are interleaved row by row and stored as 16-bit integers with one scale
 *   per model (a quarter of the memory of separate 32-bit tables; error < 1e-4 of the largest
 *   weight), so each known feature costs one contiguous read for all models.
 */
export class FusedSoftmax {
  private readonly present: Uint32Array;
  /** bucket -> row: 16-bit while the rows fit (half the memory), 32-bit beyond 65,535 rows */
  private readonly rowOf: Uint16Array | Uint32Array;
  private readonly weights: Int16Array;
  private readonly bias: Float64Array;
  /** first column of each model, and one past the last */
  private readonly offsets: number[];
  private readonly kindValues: Float64Array[];
  /** [kind * width + column]: the feature's value for that column's model times its dequantisation scale */
  private readonly columnScale: Float64Array;
  private readonly width: number;

  constructor(models: readonly SoftmaxRegression<string>[]) {
    const parts = models.map((m) => m.parts());
    for (const p of parts) if (p.dense !== parts[0].dense) throw new Error('FusedSoftmax: models do not share their feature rows');
    const dense = parts[0].dense;
    this.offsets = [0];
    for (const m of models) this.offsets.push(this.offsets[this.offsets.length - 1] + m.labels.length);
    const width = (this.width = this.offsets[this.offsets.length - 1]);
    const rows = models.length ? parts[0].weights.length / Math.max(1, models[0].labels.length) : 0;
    this.present = new Uint32Array((1 << HASH_BITS) >>> 5);
    this.rowOf = rows <= 0x10000 ? new Uint16Array(1 << HASH_BITS) : new Uint32Array(1 << HASH_BITS);
    for (let b = 0; b < dense.length; b++) {
      if (dense[b] < 0 || dense[b] >= rows) continue;
      this.present[b >>> 5] |= 1 << (b & 31);
      this.rowOf[b] = dense[b];
    }
    const w = new Int16Array(rows * width);
    const bias = new Float64Array(width);
    const dequant: number[] = [];
    models.forEach((m, mi) => {
      const k = m.labels.length;
      const off = this.offsets[mi];
      const src = parts[mi].weights;
      let max = 0;
      for (let i = 0; i < src.length; i++) max = Math.max(max, Math.abs(src[i]));
      const q = max > 0 ? 32767 / max : 1;
      dequant.push(1 / q);
      for (let r = 0; r < rows; r++) for (let c = 0; c < k; c++) w[r * width + off + c] = Math.round(src[r * k + c] * q);
      for (let c = 0; c < k; c++) bias[off + c] = parts[mi].bias[c] ?? 0;
    });
    this.weights = w;
    this.bias = bias;
    this.kindValues = parts.map((p) => p.kindValue);
    const kinds = this.kindValues[0]?.length ?? 0;
    this.columnScale = new Float64Array(kinds * width);
    for (let kind = 0; kind < kinds; kind++) {
      for (let m = 0; m < models.length; m++) {
        for (let c = this.offsets[m]; c < this.offsets[m + 1]; c++) this.columnScale[kind * width + c] = this.kindValues[m][kind] * dequant[m];
      }
    }
  }

  /** The probabilities of each model's labels (in each model's label order). */
  predict(features: Features): Float64Array[] {
    const n = this.offsets.length - 1;
    const width = this.width;
    const z = new Float64Array(width);
    const sq = new Float64Array(n);
    const { ids, kinds } = features;
    const present = this.present;
    const rowOf = this.rowOf;
    const w = this.weights;
    const kvs = this.kindValues;
    const scale = this.columnScale;
    const nKinds = kvs[0]?.length ?? 0;
    const kindCount = new Int32Array(nKinds);
    // Integer sums per kind of feature (exact, no multiply in the loop), scaled once at the end.
    const acc = new Int32Array(nKinds * width);
    for (let t = 0; t < ids.length; t++) {
      const kind = kinds[t];
      kindCount[kind]++; // unseen features still count in the length, as in training
      const id = ids[t];
      if ((present[id >>> 5] & (1 << (id & 31))) === 0) continue;
      const base = rowOf[id] * width;
      const ab = kind * width;
      for (let c = 0; c < width; c++) acc[ab + c] += w[base + c];
    }
    for (let kind = 0; kind < nKinds; kind++) {
      if (kindCount[kind] === 0) continue;
      const ab = kind * width;
      for (let c = 0; c < width; c++) z[c] += acc[ab + c] * scale[ab + c];
    }
    for (let m = 0; m < n; m++) {
      const kv = kvs[m];
      for (let kind = 0; kind < kindCount.length; kind++) sq[m] += kindCount[kind] * kv[kind] * kv[kind];
    }
    const out: Float64Array[] = [];
    const offs = this.offsets;
    for (let m = 0; m < n; m++) {
      const norm = Math.sqrt(sq[m]) || 1;
      const k = offs[m + 1] - offs[m];
      const p = new Float64Array(k);
      let max = -Infinity;
      for (let c = 0; c < k; c++) {
        p[c] = this.bias[offs[m] + c] + z[offs[m] + c] / norm;
        if (p[c] > max) max = p[c];
      }
      let sum = 0;
      for (let c = 0; c < k; c++) {
        p[c] = Math.exp(p[c] - max);
        sum += p[c];
      }
      for (let c = 0; c < k; c++) p[c] /= sum;
      out.push(p);
    }
    return out;
  }
}
