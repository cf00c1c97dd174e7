/**
 * Cross-validation of the triage models on the TRAIN split only (the eval split is never read).
 *
 * - grouped: leave one author out. Each author of the train split (`by`: "a" for the first
 *   author, then "b", "d", "f", …) is held out in turn; the models are trained on the other
 *   authors' lines and tested on the held-out author's. This mirrors "a writer the model has
 *   never seen": translations of one situation by one author never sit on both sides.
 * - random: the figure kept from earlier rounds, 3 seeded random folds over the lines of the
 *   first three authors (a, b, d) with every later author's lines always in training.
 *
 * Reported: category macro-F1 and accuracy per fold and averaged, anger precision / recall / F1
 * with the production rules (ANGER_RULES), and for the grouped folds the anger figures pooled
 * over the folds at other model thresholds (to place precision = recall).
 *
 *   npx tsx bench/triage-cv.ts                       # the production settings (TRAIN_SETTINGS, ANGER_RULES)
 *   npx tsx bench/triage-cv.ts baseline balance-1      # named variants (see VARIANTS; baseline = round three)
 *   npx tsx bench/triage-cv.ts --grouped baseline      # only the grouped folds (--random: only those)
 *   npx tsx bench/triage-cv.ts --valid production round-six   # trained on the whole train split,
 *                                                      # scored on the validation split (round seven)
 *   npx tsx bench/triage-cv.ts --valid --writers=opqrs production   # only those validation writers
 *   npx tsx bench/triage-cv.ts --valid --writers=o,p,q,r,s,ak,al,am production   # two-letter writers: commas
 *   npx tsx bench/triage-cv.ts --valid writers          # round seven: the writers' reading of angry
 *
 * Each variant is trained and scored in its own reading of angry (TrainSettings.reading): DESIGN.md's
 * for production (lines marked "outrage" are not angry), the writers' for `writers` and the
 * variants of earlier rounds.
 *
 * --valid reads the validation split (`"split":"valid"`: writers who wrote nothing else, at an
 * ordinary share of angry lines): category macro-F1, and the anger figures over a fine sweep of the
 * model threshold, with the point where precision = recall. The eval split is never read here.
 *
 * Everything is seeded: the same settings give the same figures.
 */
import fs from 'node:fs';
import { CATEGORIES, inDesignReading, loadCorpus, writerSet, type CorpusExample } from '../src/text/corpus.ts';
import { FeatureKind, macroF1, prepareText, setCharFourGrams } from '../src/text/classifier.ts';
import { ANGER_RULES, ROUND_SEVEN_ANGER_RULES, ROUND_SIX_ANGER_RULES, ROUND_SIX_STACK, WRITERS_SETTINGS, DEFAULT_SARCASM_CUES, SARCASM_CUES, TRAIN_SETTINGS, decideAngry, readCapitals, setSarcasmCues, setStackCues, type StackSettings, type SarcasmCue, lexiconHitsPrepared, predictAll, trainModels, triageFeaturesPrepared, type AngerRules, type TrainSettings } from '../src/text/models.ts';

interface Variant {
  settings: TrainSettings;
  rules?: AngerRules;
  /** the anger decision is the model's probability alone: the sweep moves every threshold of the rules */
  pure?: boolean;
  /** set up / undo process-wide switches (character 4-grams) */
  before?: () => void;
  after?: () => void;
}

/**
 * Round three's settings (the starting point of every variant below except `production`):
 * L2 1e-5, no class balance, no noisy copies, anger model threshold 0.35.
 */
const base: TrainSettings = { ...WRITERS_SETTINGS, category: { ...WRITERS_SETTINGS.category, l2: 1e-5, balance: 0 }, augment: null, stack: null };
/** Production (rounds five and six): no second-stage anger model, the anger model's threshold 0.25. */
const ROUND5: TrainSettings = { ...WRITERS_SETTINGS, stack: null };
const ROUND5_RULES: AngerRules = { ...ROUND_SEVEN_ANGER_RULES, model: 0.25 };
const ROUND3_RULES: AngerRules = { ...ROUND_SEVEN_ANGER_RULES, model: 0.35 };
const withCat = (o: Partial<TrainSettings['category']>): TrainSettings => ({ ...base, category: { ...base.category, ...o } });
const withAnger = (o: Partial<TrainSettings['anger']>): TrainSettings => ({ ...base, anger: { ...base.anger, ...o } });
const augment = (o: Partial<NonNullable<TrainSettings['augment']>>): TrainSettings => ({
  ...base,
  augment: { copies: 1, category: 0.5, mood: 0, anger: 0, seed: 11, typo: 0.15, drop: 0.1, truncate: 0.3, ...o },
});

export const VARIANTS: Record<string, Variant> = {
  production: { settings: TRAIN_SETTINGS, rules: ANGER_RULES },
  // round seven's production: the writers' reading of angry, its rules
  writers: { settings: WRITERS_SETTINGS, rules: ROUND_SEVEN_ANGER_RULES },
  'round-five': { settings: ROUND5, rules: ROUND5_RULES },
  baseline: { settings: base },
  'seed-8': { settings: { ...base, category: { ...base.category, seed: 8 }, anger: { ...base.anger, seed: 8 } } },
  'seed-9': { settings: { ...base, category: { ...base.category, seed: 9 }, anger: { ...base.anger, seed: 9 } } },
  'balance-0.5': { settings: withCat({ balance: 0.5 }) },
  'balance-1': { settings: withCat({ balance: 1 }) },
  'l2-1e-6': { settings: withCat({ l2: 1e-6 }) },
  'l2-3e-5': { settings: withCat({ l2: 3e-5 }) },
  'l2-1e-4': { settings: withCat({ l2: 1e-4 }) },
  'epochs-8': { settings: withCat({ epochs: 8 }) },
  'epochs-25': { settings: withCat({ epochs: 25 }) },
  'lexicon-2': { settings: withCat({ kindWeight: { ...base.category.kindWeight, [FeatureKind.category]: 2 } }) },
  'lexicon-4': { settings: withCat({ kindWeight: { ...base.category.kindWeight, [FeatureKind.category]: 4 } }) },
  'chars-0.3': { settings: withCat({ kindWeight: { ...base.category.kindWeight, [FeatureKind.chars]: 0.3 } }) },
  'chars-0.8': { settings: withCat({ kindWeight: { ...base.category.kindWeight, [FeatureKind.chars]: 0.8 } }) },
  'bigram-0.5': { settings: withCat({ kindWeight: { ...base.category.kindWeight, [FeatureKind.bigram]: 0.5 } }) },
  'no-char4': { settings: base, before: () => setCharFourGrams(false), after: () => setCharFourGrams(true) },
  'aug-0.5': { settings: augment({}) },
  'aug-1': { settings: augment({ category: 1 }) },
  'aug-1-anger': { settings: augment({ category: 1, anger: 1, mood: 1 }) },
  'aug-typo': { settings: augment({ category: 1, drop: 0, truncate: 0, typo: 0.3 }) },
  'aug-drop': { settings: augment({ category: 1, typo: 0, truncate: 0, drop: 0.2 }) },
  'aug-trunc': { settings: augment({ category: 1, typo: 0, drop: 0, truncate: 1 }) },
  'aug-2': { settings: augment({ copies: 2, category: 0.5 }) },
  'bal1-aug': { settings: { ...augment({}), category: { ...base.category, balance: 1 } } },
  'bal0.75-aug': { settings: { ...augment({}), category: { ...base.category, balance: 0.75 } } },
  'bal1-aug-typo': { settings: { ...augment({ drop: 0, truncate: 0, typo: 0.3 }), category: { ...base.category, balance: 1 } } },
  'bal1-aug-anger': { settings: { ...augment({ anger: 1, mood: 1 }), category: { ...base.category, balance: 1 } } },
  'l2-3e-4': { settings: withCat({ l2: 3e-4 }) },
  'l2-1e-4-bal1': { settings: withCat({ l2: 1e-4, balance: 1 }) },
  'l2-1e-4-aug': { settings: { ...augment({}), category: { ...base.category, l2: 1e-4 } } },
  'l2-1e-4-bal1-aug': { settings: { ...augment({}), category: { ...base.category, l2: 1e-4, balance: 1 } } },
  // on top of l2 1e-4 + class balance ("B")
  'B-l2-3e-4': { settings: withCat({ l2: 3e-4, balance: 1 }) },
  'B-l2-1e-3': { settings: withCat({ l2: 1e-3, balance: 1 }) },
  'B-aug': { settings: { ...augment({}), category: { ...base.category, l2: 1e-4, balance: 1 } } },
  'B-lexicon-2': { settings: withCat({ l2: 1e-4, balance: 1, kindWeight: { ...base.category.kindWeight, [FeatureKind.category]: 2 } }) },
  'B-lexicon-4': { settings: withCat({ l2: 1e-4, balance: 1, kindWeight: { ...base.category.kindWeight, [FeatureKind.category]: 4 } }) },
  'B-chars-0.3': { settings: withCat({ l2: 1e-4, balance: 1, kindWeight: { ...base.category.kindWeight, [FeatureKind.chars]: 0.3 } }) },
  'B-epochs-25': { settings: withCat({ l2: 1e-4, balance: 1, epochs: 25 }) },
  'B-epochs-8': { settings: withCat({ l2: 1e-4, balance: 1, epochs: 8 }) },
  'B2-aug': { settings: { ...augment({}), category: { ...base.category, l2: 3e-4, balance: 1 } } },
  'anger-l2-1e-4': { settings: withAnger({ l2: 1e-4 }) },
  'anger-l2-3e-4': { settings: withAnger({ l2: 3e-4 }) },
  'anger-aug': { settings: augment({ category: 0, anger: 1 }) },
  'B2-aug-anger': { settings: { ...augment({ anger: 1 }), category: { ...base.category, l2: 3e-4, balance: 1 } } },
  'production-anger-balance-0.5': { settings: { ...ROUND5, anger: { ...ROUND5.anger, balance: 0.5 } }, rules: ROUND5_RULES },
  'anger-balance-0.5': { settings: withAnger({ balance: 0.5 }) },
  'anger-l2-3e-5': { settings: withAnger({ l2: 3e-5 }) },
  // Round five, anger only, on top of round five's production settings and rules (sarcasm cues: see
  // sarcasmOf; `round-five` has the default cues, scare quotes; the prod-anger-* variants too).
  ...sarcasmVariants(),
  'prod-anger-aug-0.5': { settings: { ...ROUND5, augment: { ...ROUND5.augment!, anger: 0.5 } }, rules: ROUND5_RULES },
  'prod-anger-aug-1': { settings: { ...ROUND5, augment: { ...ROUND5.augment!, anger: 1 } }, rules: ROUND5_RULES },
  'prod-anger-balance-0.3': { settings: { ...ROUND5, anger: { ...ROUND5.anger, balance: 0.3 } }, rules: ROUND5_RULES },
  'prod-anger-no-chars': { settings: { ...ROUND5, anger: { ...ROUND5.anger, kindWeight: { ...ROUND5.anger.kindWeight, [FeatureKind.chars]: 0 } } }, rules: ROUND5_RULES },
  // Round six: a second-stage anger model (StackSettings) on top of the production settings.
  ...stackVariants(),
  'prod-anger-chars-1': { settings: { ...ROUND5, anger: { ...ROUND5.anger, kindWeight: { ...ROUND5.anger.kindWeight, [FeatureKind.chars]: 1 } } }, rules: ROUND5_RULES },
};

/**
 * `stack-*`: the second-stage anger model. `-rules`: the production decision rules on its
 * probability; otherwise its probability alone decides (the sweep moves one threshold).
 */
function stackVariants(): Record<string, Variant> {
  const out: Record<string, Variant> = {};
  const mk = (st: Partial<StackSettings>, o: { seed?: number; rules?: boolean } = {}): Variant => {
    const stack: StackSettings = { l2: 1, inputs: 'core', cues: ['scare'], folds: 'author', ...st };
    const settings: TrainSettings = { ...WRITERS_SETTINGS, stack };
    if (o.seed) {
      settings.category = { ...settings.category, seed: o.seed };
      settings.anger = { ...settings.anger, seed: o.seed };
      if (stack.extra?.kind === 'lr') stack.extra = { ...stack.extra, options: { ...stack.extra.options, seed: o.seed } };
    }
    const rules = o.rules ? ROUND_SEVEN_ANGER_RULES : { model: 0.4, withThreat: 0.4, withInsult: 0.4, withShouting: 0.4, withExclaiming: 0.4, withEmphasis: 0.4, calmModel: 0.4 };
    return { settings, rules, pure: !o.rules, before: () => setStackCues(stack.cues), after: () => setStackCues([]) };
  };
  out['stack'] = mk({});
  out['stack-rules'] = mk({}, { rules: true });
  out['stack-plain'] = mk({ inputs: 'plain' });
  out['stack-nosent'] = mk({ inputs: 'nosent' });
  out['stack-cues'] = mk({ cues: SARCASM_CUES });
  out['stack-l2-30'] = mk({ l2: 30 });
  out['stack-folds-5'] = mk({ folds: 5 });
  const A = WRITERS_SETTINGS.anger;
  out['stack-nb'] = mk({ extra: { kind: 'nb' } });
  out['stack-lr-l2'] = mk({ extra: { kind: 'lr', options: { ...A, l2: 3e-4, epochs: 5 } } });
  out['stack-lr-neg'] = mk({ extra: { kind: 'lr', options: A, negOnly: true } });
  for (const seed of [8, 9]) out[`stack-lr-neg-seed-${seed}`] = mk({ extra: { kind: 'lr', options: A, negOnly: true } }, { seed });
  out['stack-lr-neg-rules'] = mk({ extra: { kind: 'lr', options: A, negOnly: true } }, { rules: true });
  out['stack-lr-neg-plain'] = mk({ inputs: 'plain', extra: { kind: 'lr', options: A, negOnly: true } });
  out['stack-lr-neg-l2'] = mk({ extra: { kind: 'lr', options: { ...A, l2: 1e-4 }, negOnly: true } });
  out['stack-lr-neg-cues'] = mk({ cues: SARCASM_CUES, extra: { kind: 'lr', options: A, negOnly: true } });
  out['round-six'] = { settings: { ...WRITERS_SETTINGS, stack: ROUND_SIX_STACK }, rules: ROUND_SIX_ANGER_RULES };
  for (const g of [4]) {
    const st = ROUND_SIX_STACK;
    out[`round-six-groups-${g}`] = { settings: { ...WRITERS_SETTINGS, stack: { ...st, authorGroups: g } }, rules: ROUND_SIX_ANGER_RULES };
    const extra = st.extra?.kind === 'lr' ? { ...st.extra, options: { ...st.extra.options, seed: 8 } } : st.extra;
    out[`round-six-groups-${g}-seed-8`] = { settings: { ...WRITERS_SETTINGS, category: { ...WRITERS_SETTINGS.category, seed: 8 }, anger: { ...WRITERS_SETTINGS.anger, seed: 8 }, stack: { ...st, extra, authorGroups: g } }, rules: ROUND_SIX_ANGER_RULES };
  }
  out['stack-lr-nochars'] = mk({ extra: { kind: 'lr', options: { ...A, l2: 1e-4, kindWeight: { ...A.kindWeight, [FeatureKind.chars]: 0 } } } });
  for (const seed of [8, 9]) {
    out[`stack-seed-${seed}`] = mk({}, { seed });
    out[`stack-cues-seed-${seed}`] = mk({ cues: SARCASM_CUES }, { seed });
  }
  // round five's production settings with another seed of the category and anger models (noise of a run)
  for (const seed of [8, 9]) out[`round-five-seed-${seed}`] = { settings: { ...ROUND5, category: { ...ROUND5.category, seed }, anger: { ...ROUND5.anger, seed } }, rules: ROUND5_RULES };
  // round six's settings with another seed of the category and the anger models
  for (const seed of [8, 9]) {
    const st = ROUND_SIX_STACK;
    const extra = st.extra?.kind === 'lr' ? { ...st.extra, options: { ...st.extra.options, seed } } : st.extra;
    out[`round-six-seed-${seed}`] = { settings: { ...WRITERS_SETTINGS, category: { ...WRITERS_SETTINGS.category, seed }, anger: { ...WRITERS_SETTINGS.anger, seed }, stack: { ...st, extra } }, rules: ROUND_SIX_ANGER_RULES };
  }
  return out;
}

/**
 * `sarcasm` (every cue), `sarcasm-<cue>` (that cue only), `sarcasm-no-<cue>` (every cue but that
 * one), `no-sarcasm` (none: production before round five); production settings otherwise.
 */
function sarcasmVariants(): Record<string, Variant> {
  const v = (cues: readonly SarcasmCue[]): Variant => ({ settings: ROUND5, rules: ROUND5_RULES, before: () => setSarcasmCues(cues), after: () => setSarcasmCues(DEFAULT_SARCASM_CUES) });
  const out: Record<string, Variant> = { sarcasm: v(SARCASM_CUES), 'no-sarcasm': v([]) };
  // The noise of one training run: the anger model's example order drawn from another seed.
  const seed8: TrainSettings = { ...ROUND5, anger: { ...ROUND5.anger, seed: 8 } };
  out['prod-anger-seed-8'] = { ...v([]), settings: seed8 };
  out['sarcasm-anger-seed-8'] = { ...v(SARCASM_CUES), settings: seed8 };
  out['sarcasm-scare-anger-seed-8'] = { ...v(['scare']), settings: seed8 };
  for (const c of SARCASM_CUES) {
    out[`sarcasm-${c}`] = v([c]);
    out[`sarcasm-no-${c}`] = v(SARCASM_CUES.filter((x) => x !== c));
  }
  return out;
}

/**
 * The corpus in the variant's reading of angry (round eight): DESIGN.md's (`reading: 'design'`,
 * production) scores lines marked "outrage" as not angry; the writers' reading as angry.
 */
function corpusExamples(v: Variant): CorpusExample[] {
  const all = loadCorpus().examples;
  return v.settings.reading === 'design' ? all.map(inDesignReading) : all;
}

interface Scored {
  e: CorpusExample;
  predicted: string;
  /** category probabilities (CATEGORIES order) */
  probs: Float64Array;
  pAngry: number;
  /** the sentiment model's probability of negative (the rule for a word in capitals reads it) */
  pNegative: number;
  hits: ReturnType<typeof lexiconHitsPrepared>;
}

function evaluate(train: readonly CorpusExample[], test: readonly CorpusExample[], v: Variant): Scored[] {
  const m = trainModels(train, v.settings);
  return test.map((e) => {
    const prep = prepareText(e.text);
    const hits = lexiconHitsPrepared(prep, e.language);
    readCapitals(hits, prep.window, m.ordinary);
    const p = predictAll(m, triageFeaturesPrepared(prep, hits), hits);
    return { e, predicted: p.category.label, probs: Float64Array.from(CATEGORIES, (c) => p.category.probabilities[c]), pAngry: p.anger.probabilities.angry, pNegative: p.sentiment.probabilities.negative, hits };
  });
}


/** Macro-F1 of scored lines with log-probability offsets per category added before the argmax. */
function offsetF1(scored: readonly Scored[], offsets: Float64Array): number {
  const pairs = scored.map((s) => {
    let best = 0;
    let bestV = -Infinity;
    for (let c = 0; c < CATEGORIES.length; c++) {
      const v = Math.log(s.probs[c] + 1e-12) + offsets[c];
      if (v > bestV) {
        bestV = v;
        best = c;
      }
    }
    return { gold: s.e.category, predicted: CATEGORIES[best] };
  });
  return macroF1(CATEGORIES, pairs).macroF1;
}

/** Per-category offsets fitted by coordinate ascent on macro-F1 (steps of 0.1 within ±1, 3 rounds). */
function fitOffsets(scored: readonly Scored[]): Float64Array {
  const off = new Float64Array(CATEGORIES.length);
  let best = offsetF1(scored, off);
  for (let round = 0; round < 3; round++) {
    for (let c = 0; c < CATEGORIES.length; c++) {
      const keep = off[c];
      let bestV = keep;
      for (let v = -1; v <= 1.0001; v += 0.1) {
        off[c] = v;
        const f = offsetF1(scored, off);
        if (f > best + 1e-9) {
          best = f;
          bestV = v;
        }
      }
      off[c] = bestV;
    }
  }
  return off;
}

function anger(scored: readonly Scored[], rules: AngerRules): { p: number; r: number; f1: number; n: number } {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (const s of scored) {
    const a = decideAngry(s.pAngry, s.hits, rules, s.pNegative);
    if (a && s.e.angry) tp++;
    else if (a) fp++;
    else if (s.e.angry) fn++;
  }
  const p = tp / Math.max(1, tp + fp);
  const r = tp / Math.max(1, tp + fn);
  return { p, r, f1: p + r ? (2 * p * r) / (p + r) : 0, n: tp + fn };
}

const r3 = (x: number) => x.toFixed(3);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

function shuffled<T>(xs: readonly T[], seed: number): T[] {
  const out = xs.slice();
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

export interface CvResult {
  variant: string;
  grouped?: { meanSupportedF1: number; folds: { by: string; n: number; macroF1: number; supportedF1: number; angerP: number; angerR: number; angerF1: number }[]; meanF1: number; pooledF1: number; anger: { p: number; r: number; f1: number }; sweep: { t: number; p: number; r: number; f1: number }[]; biasCorrected: { meanF1: number; folds: { by: string; f1: number; offsets: number[] }[] } };
  random?: { folds: number[]; meanF1: number; anger: { p: number; r: number; f1: number } };
  /** grouped: every held-out line's anger probability (for scratch analysis; not printed) */
  scores?: { by: string; angry: boolean; p: number }[];
  ms: number;
}

export function crossValidate(name: string, v: Variant, which: { grouped: boolean; random: boolean }): CvResult {
  const t0 = performance.now();
  v.before?.();
  const rules = v.rules ?? ROUND3_RULES;
  const train = corpusExamples(v).filter((e) => e.split === 'train');
  const result: CvResult = { variant: name, ms: 0 };
  try {
    if (which.grouped) {
      const authors = [...new Set(train.map((e) => e.by ?? 'a'))].sort();
      const all: Scored[] = [];
      const folds: NonNullable<CvResult['grouped']>['folds'] = [];
      for (const by of authors) {
        const scored = evaluate(train.filter((e) => (e.by ?? 'a') !== by), train.filter((e) => (e.by ?? 'a') === by), v);
        all.push(...scored);
        const f = macroF1(CATEGORIES, scored.map((s) => ({ gold: s.e.category, predicted: s.predicted as (typeof CATEGORIES)[number] })));
        const a = anger(scored, rules);
        // Over the categories this author wrote (a fold without some categories would count a
        // stray prediction of one as a category with F1 0).
        const present = CATEGORIES.filter((c) => scored.some((s) => s.e.category === c));
        const supported = present.reduce((a, c) => a + (f.perLabel[c]?.f1 ?? 0), 0) / Math.max(1, present.length);
        folds.push({ by, n: scored.length, macroF1: f.macroF1, supportedF1: supported, angerP: a.p, angerR: a.r, angerF1: a.f1 });
      }
      const pooled = macroF1(CATEGORIES, all.map((s) => ({ gold: s.e.category, predicted: s.predicted as (typeof CATEGORIES)[number] })));
      const at = (t: number): AngerRules => (v.pure ? { model: t, withThreat: t, withInsult: t, withShouting: t, withExclaiming: t, withEmphasis: t, calmModel: t } : { ...rules, model: t });
      const sweep = [0.15, 0.18, 0.2, 0.22, 0.25, 0.27, 0.3, 0.32, 0.35, 0.37, 0.4, 0.42, 0.45, 0.5, 0.55].map((t) => ({ t, ...anger(all, at(t)) }));
      result.scores = all.map((s) => ({ by: s.e.by ?? 'a', angry: s.e.angry, p: s.pAngry }));
      const a = anger(all, rules);
      // Per-category bias correction, fitted for each held-out author on the other authors'
      // out-of-fold predictions only, then applied to the held-out author's.
      const corrected = authors.map((by) => {
        const off = fitOffsets(all.filter((s) => (s.e.by ?? 'a') !== by));
        return { by, f1: offsetF1(all.filter((s) => (s.e.by ?? 'a') === by), off), offsets: Array.from(off, (x) => Math.round(x * 10) / 10) };
      });
      result.grouped = { folds, meanF1: mean(folds.map((f) => f.macroF1)), meanSupportedF1: mean(folds.map((f) => f.supportedF1)), pooledF1: pooled.macroF1, anger: a, sweep, biasCorrected: { meanF1: mean(corrected.map((c) => c.f1)), folds: corrected } };
    }
    if (which.random) {
      const first = shuffled(train.filter((e) => ['a', 'b', 'd'].includes(e.by ?? 'a')), 1234);
      const always = train.filter((e) => !['a', 'b', 'd'].includes(e.by ?? 'a'));
      const k = 3;
      const all: Scored[] = [];
      const folds: number[] = [];
      for (let i = 0; i < k; i++) {
        const test = first.filter((_, j) => j % k === i);
        const rest = first.filter((_, j) => j % k !== i).concat(always);
        const scored = evaluate(rest, test, v);
        all.push(...scored);
        folds.push(macroF1(CATEGORIES, scored.map((s) => ({ gold: s.e.category, predicted: s.predicted as (typeof CATEGORIES)[number] }))).macroF1);
      }
      result.random = { folds, meanF1: mean(folds), anger: anger(all, rules) };
    }
  } finally {
    v.after?.();
  }
  result.ms = performance.now() - t0;
  return result;
}

/** Where precision - recall changes sign between two swept thresholds, linearly interpolated. */
function equalPoint(sweep: readonly { t: number; p: number; r: number }[]): { t: number; pr: number } | null {
  for (let i = 1; i < sweep.length; i++) {
    const a = sweep[i - 1];
    const b = sweep[i];
    const da = a.p - a.r;
    const db = b.p - b.r;
    if (da === 0) return { t: a.t, pr: a.p };
    if (Math.sign(da) !== Math.sign(db)) {
      const u = da / (da - db);
      return { t: a.t + u * (b.t - a.t), pr: a.p + u * (b.p - a.p) };
    }
  }
  return null;
}

function print(r: CvResult): void {
  const lines = [`== ${r.variant} (${(r.ms / 1000).toFixed(0)} s)`];
  if (r.grouped) {
    const g = r.grouped;
    lines.push(
      `grouped (leave one author out): category macro-F1 mean ${r3(g.meanF1)} (pooled ${r3(g.pooledF1)}) | ` +
        g.folds.map((f) => `${f.by} ${r3(f.macroF1)}`).join(' · ') +
        ` | angry P/R/F1 ${r3(g.anger.p)}/${r3(g.anger.r)}/${r3(g.anger.f1)}`,
    );
    lines.push(`  over the categories each author wrote: mean ${r3(g.meanSupportedF1)} | ` + g.folds.map((f) => `${f.by} ${r3(f.supportedF1)}`).join(' · '));
    lines.push('  anger per held-out author: ' + g.folds.map((f) => `${f.by} ${r3(f.angerP)}/${r3(f.angerR)}`).join(' · '));
    lines.push(`  with per-category bias correction fitted on the other authors: mean ${r3(g.biasCorrected.meanF1)} | ` + g.biasCorrected.folds.map((f) => `${f.by} ${r3(f.f1)}`).join(' · '));
    lines.push('  anger model threshold (pooled): ' + g.sweep.map((s) => `${s.t} ${r3(s.p)}/${r3(s.r)}/${r3(s.f1)}`).join(' · '));
    const eq = equalPoint(g.sweep);
    lines.push(`  anger precision = recall (interpolated over the sweep): ${eq ? `${r3(eq.pr)} at model threshold ${eq.t.toFixed(3)}` : 'not within the sweep'}`);
  }
  if (r.random) {
    lines.push(`random 3-fold (a, b, d; later authors always in training): category macro-F1 ${r3(r.random.meanF1)} (${r.random.folds.map(r3).join(' ')}) | angry P/R/F1 ${r3(r.random.anger.p)}/${r3(r.random.anger.r)}/${r3(r.random.anger.f1)}`);
  }
  console.log(lines.join('\n'));
  console.log('JSON ' + JSON.stringify({ ...r, scores: undefined }));
  if (process.env.CV_SCORES && r.scores) fs.writeFileSync(`${process.env.CV_SCORES}/${r.variant}.json`, JSON.stringify(r.scores));
}

export interface ValidResult {
  variant: string;
  n: number;
  angry: number;
  macroF1: number;
  byAuthor: { by: string; n: number; angry: number; macroF1: number; p: number; r: number }[];
  /** with the variant's own rules */
  anger: { p: number; r: number; f1: number };
  sweep: { t: number; p: number; r: number; f1: number }[];
  /** the rule for a word in capitals for stress at other thresholds (round nine chose it here) */
  emphasisSweep: { t: number; p: number; r: number; f1: number }[];
  equal: { t: number; pr: number } | null;
  ms: number;
}

/** Trained on the whole train split, scored on the validation split (never on the eval split). */
export function validate(name: string, v: Variant, writers: ReadonlySet<string> | null = null): ValidResult {
  const t0 = performance.now();
  v.before?.();
  try {
    const all = corpusExamples(v);
    const valid = all.filter((e) => e.split === 'valid' && (!writers || writers.has(e.by ?? 'a')));
    if (!valid.length) throw new Error('the corpus has no validation lines ("split":"valid")');
    const scored = evaluate(all.filter((e) => e.split === 'train'), valid, v);
    const rules = v.rules ?? ROUND3_RULES;
    const at = (t: number): AngerRules => (v.pure ? { model: t, withThreat: t, withInsult: t, withShouting: t, withExclaiming: t, withEmphasis: t, calmModel: t } : { ...rules, model: t });
    const sweep: ValidResult['sweep'] = [];
    for (let t = 0.1; t <= 0.7001; t += 0.01) sweep.push({ t: Math.round(t * 100) / 100, ...anger(scored, at(Math.round(t * 100) / 100)) });
    const equal = equalPoint(sweep);
    const cat = (xs: readonly Scored[]) => macroF1(CATEGORIES, xs.map((s) => ({ gold: s.e.category, predicted: s.predicted as (typeof CATEGORIES)[number] }))).macroF1;
    const eqRules = equal ? at(equal.t) : rules;
    const emphasisSweep = [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 2].map((t) => ({ t, ...anger(scored, { ...rules, withEmphasis: t }) }));
    const byAuthor = [...new Set(valid.map((e) => e.by ?? 'a'))].sort().map((by) => {
      const sub = scored.filter((s) => (s.e.by ?? 'a') === by);
      const a = anger(sub, eqRules);
      return { by, n: sub.length, angry: sub.filter((s) => s.e.angry).length, macroF1: cat(sub), p: a.p, r: a.r };
    });
    if (process.env.CV_SCORES) fs.writeFileSync(`${process.env.CV_SCORES}/valid-${name}.json`, JSON.stringify(scored.map((s) => ({ by: s.e.by, lang: s.e.language, angry: s.e.angry, p: s.pAngry, text: s.e.text }))));
    return { variant: name, n: valid.length, angry: valid.filter((e) => e.angry).length, macroF1: cat(scored), byAuthor, anger: anger(scored, rules), sweep, emphasisSweep, equal, ms: performance.now() - t0 };
  } finally {
    v.after?.();
  }
}

function printValid(r: ValidResult): void {
  const best = r.sweep.reduce((a, b) => (b.f1 > a.f1 ? b : a));
  console.log(
    [
      `== ${r.variant}, validation split (n=${r.n}, ${r.angry} angry; ${(r.ms / 1000).toFixed(0)} s)`,
      `category macro-F1 ${r3(r.macroF1)} | angry P/R/F1 with its rules ${r3(r.anger.p)}/${r3(r.anger.r)}/${r3(r.anger.f1)}`,
      `  anger precision = recall: ${r.equal ? `${r3(r.equal.pr)} at model threshold ${r.equal.t.toFixed(3)}` : 'not within the sweep'}; best F1 ${r3(best.f1)} at ${best.t}`,
      '  sweep: ' + r.sweep.filter((_, i) => i % 2 === 0).map((s) => `${s.t} ${r3(s.p)}/${r3(s.r)}`).join(' · '),
      '  rule for a word in capitals (sentiment negative >=): ' + r.emphasisSweep.map((x) => `${x.t} ${r3(x.p)}/${r3(x.r)}`).join(' · '),
      '  by author (anger at the precision = recall threshold): ' + r.byAuthor.map((a) => `${a.by} n=${a.n} F1 ${r3(a.macroF1)} P/R ${r3(a.p)}/${r3(a.r)} (${a.angry})`).join(' · '),
    ].join('\n'),
  );
  console.log('JSON ' + JSON.stringify(r));
}

const args = process.argv.slice(2);
const onlyGrouped = args.includes('--grouped');
const onlyRandom = args.includes('--random');
const onValid = args.includes('--valid');
// --writers=opqrs: only those validation writers (round eight places the threshold on o-s and
// keeps w-z for one reading at the end).
const writersArg = args.find((a) => a.startsWith('--writers='));
// Two-letter writers (round nine's ak, al, am) are given with commas: --writers=ak,al,am.
const validWriters = writersArg ? writerSet(writersArg.slice('--writers='.length)) : null;
const names = args.filter((a) => !a.startsWith('--'));
for (const n of names.length ? names : ['production']) {
  const v = VARIANTS[n];
  if (!v) {
    console.error(`unknown variant ${n}; known: ${Object.keys(VARIANTS).join(', ')}`);
    process.exitCode = 1;
    continue;
  }
  if (onValid) printValid(validate(n, v, validWriters));
  else print(crossValidate(n, v, { grouped: !onlyRandom, random: !onlyGrouped }));
}
