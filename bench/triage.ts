/**
 * Triage: language identification (ours beside `eld` alone, same run, same data), category
 * macro-F1 on the held-out split and on Bitext (mapped), anger precision/recall, throughput
 * beside eld alone, model training time and resident memory.
 *
 * Public datasets are read from ../shared/datasets when present (rows are skipped otherwise).
 * Nothing here was tuned on lingua-langid or Bitext: they are measurements.
 */
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import type { BenchSuite } from './types.ts';
import { repoRoot } from '../src/core/paths.ts';
import { eld } from 'eld/medium';
import { SUPPORTED_LANGUAGES, detectLanguage } from '../src/text/language.ts';
import { CATEGORIES, loadCorpus, narrowAngry, writerSet } from '../src/text/corpus.ts';
import { macroF1 } from '../src/text/classifier.ts';
import { getModels, trainModels } from '../src/text/models.ts';
import { normalise } from '../src/text/segment.ts';
import { LINGUA_KINDS, loadBitext, loadLingua, shortVariants } from '../src/text/measure.ts';
import { triageMessage } from '../src/helpdesk/triage.ts';

function rate(run: () => void, count: number, minMs: number): number {
  let n = 0;
  const t0 = performance.now();
  let elapsed = 0;
  while (elapsed < minMs) {
    run();
    n++;
    elapsed = performance.now() - t0;
  }
  return (n * count) / (elapsed / 1000);
}

const pct = (x: number) => Math.round(x * 10000) / 100;
const r3 = (x: number) => Math.round(x * 1000) / 1000;

/** Anger precision / recall of triaged lines against their labels (n = the angry lines). */
function angerPR(lines: readonly { e: { angry: boolean }; r: { angry: boolean } }[]): { p: number; r: number; n: number } {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (const { e, r } of lines) {
    if (r.angry && e.angry) tp++;
    else if (r.angry) fp++;
    else if (e.angry) fn++;
  }
  return { p: tp / Math.max(1, tp + fp), r: tp / Math.max(1, tp + fn), n: tp + fn };
}

/** The same against DESIGN.md's narrower reading: angry lines marked "outrage" (no threat, insult or shouting) count as not angry (round eight). */
function angerPRNarrow(lines: readonly { e: { angry: boolean; outrage?: boolean }; r: { angry: boolean } }[]): { p: number; r: number; n: number } {
  return angerPR(lines.map(({ e, r }) => ({ e: { angry: narrowAngry(e) }, r })));
}

const suite: BenchSuite = async (ctx) => {
  const rss0 = process.memoryUsage().rss;
  eld.setLanguageSubset([...SUPPORTED_LANGUAGES]);
  const t0 = performance.now();
  const models = getModels();
  triageMessage({ text: 'warm up' });
  const ready = performance.now() - t0;
  ctx.report({ group: 'triage', name: 'models ready (cache file, or training when the corpus changed)', value: Math.round(ready), unit: 'ms', target: '< 300 ms', ok: ready < 300 });
  const trainSet = loadCorpus().examples.filter((e) => e.split === 'train');
  const fresh = trainModels(trainSet);
  ctx.report({ group: 'triage', name: `training from scratch (${fresh.trainedOn} train-split messages)`, value: Math.round(fresh.trainMs), unit: 'ms' });
  if (models.trainedOn !== fresh.trainedOn) console.log('triage: cached models were trained on a different corpus size');

  // Language: lingua-langid, ours vs eld alone.
  for (const kind of LINGUA_KINDS) {
    const data = loadLingua(kind, SUPPORTED_LANGUAGES, ctx.quick ? 100 : Infinity);
    if (!data) {
      ctx.report({ group: 'triage', name: `language lingua ${kind}: dataset absent (skipped)`, value: 0, unit: '' });
      continue;
    }
    let ours = 0;
    let base = 0;
    for (const d of data) {
      if (detectLanguage(d.text).language === d.language) ours++;
      if (eld.detect(d.text).language === d.language) base++;
    }
    ctx.report({
      group: 'triage',
      name: `language accuracy, lingua ${kind} (n=${data.length})`,
      value: pct(ours / data.length),
      unit: '%',
      baseline: { name: 'eld alone (medium, 15 languages)', value: pct(base / data.length), unit: '%' },
      ...(kind === 'sentences' ? { target: '>= 99.5 %', ok: ours / data.length >= 0.995 } : {}),
    });
  }

  // Language on our held-out split: whole messages, and short messy variants.
  const corpus = loadCorpus();
  const evalSet = corpus.examples.filter((e) => e.split === 'eval');
  if (evalSet.length) {
    const sets = {
      'eval messages': evalSet.map((e) => ({ text: e.text, language: e.language })),
      'short (< 25 chars) messy variants of eval messages': shortVariants(evalSet, (s) => normalise(s, { stripAccents: true })),
    };
    for (const [name, data] of Object.entries(sets)) {
      let ours = 0;
      let base = 0;
      for (const d of data) {
        if (detectLanguage(d.text).language === d.language) ours++;
        if (eld.detect(d.text).language === d.language) base++;
      }
      const short = name.startsWith('short');
      ctx.report({
        group: 'triage',
        name: `language accuracy, ${name} (n=${data.length})`,
        value: pct(ours / data.length),
        unit: '%',
        baseline: { name: 'eld alone', value: pct(base / data.length), unit: '%' },
        ...(short ? { target: '>= 97 %', ok: ours / data.length >= 0.97 } : {}),
      });
    }

    // Category, sentiment, anger on the eval split.
    const results = evalSet.map((e) => ({ e, r: triageMessage({ text: e.text }) }));
    const categoryF1 = (lines: typeof results) => macroF1(CATEGORIES, lines.map(({ e, r }) => ({ gold: e.category, predicted: r.category })));
    const cat = categoryF1(results);
    ctx.report({ group: 'triage', name: `category macro-F1, eval split, 15 languages (n=${evalSet.length})`, value: r3(cat.macroF1), unit: 'F1', target: '>= 0.85', ok: cat.macroF1 >= 0.85 });
    ctx.report({ group: 'triage', name: 'category accuracy, eval split', value: pct(cat.accuracy), unit: '%' });
    // Each author's eval lines alone (first author "a", then "c", "e": other people's styles).
    for (const by of [...new Set(evalSet.map((e) => e.by ?? 'a'))].sort()) {
      const sub = results.filter(({ e }) => (e.by ?? 'a') === by);
      const f = categoryF1(sub);
      const a = angerPR(sub);
      const w = angerPRNarrow(sub);
      ctx.report({
        group: 'triage',
        name: `eval lines by author ${by} (n=${sub.length}, ${w.n} angry): category macro-F1 ${r3(f.macroF1)}, accuracy ${pct(f.accuracy)} %, angry P/R ${r3(w.p)}/${r3(w.r)}; the writers' reading (${a.n}) ${r3(a.p)}/${r3(a.r)}`,
        value: r3(f.macroF1),
        unit: 'F1',
      });
    }
    // Like for like with round two: the eval split without the round-three lines (author "g").
    const earlier = results.filter(({ e }) => (e.by ?? 'a') !== 'g');
    if (earlier.length < results.length) {
      const f = categoryF1(earlier);
      const a = angerPRNarrow(earlier);
      ctx.report({
        group: 'triage',
        name: `eval split without round three's lines (n=${earlier.length}, ${a.n} angry, like for like with round two): category macro-F1 ${r3(f.macroF1)}, angry P/R ${r3(a.p)}/${r3(a.r)}`,
        value: r3(f.macroF1),
        unit: 'F1',
      });
    }
    for (const l of corpus.languages) {
      const sub = results.filter(({ e }) => e.language === l);
      if (!sub.length) continue;
      ctx.report({ group: 'triage', name: `category macro-F1, eval split, ${l} (n=${sub.length})`, value: r3(categoryF1(sub).macroF1), unit: 'F1' });
    }
    for (const [label, v] of Object.entries(cat.perLabel)) {
      ctx.report({ group: 'triage', name: `category F1, eval split, ${label} (n=${v.support})`, value: r3(v.f1), unit: 'F1' });
    }
    // Calibration of the category confidence: expected calibration error over 10 bins.
    const bins = Array.from({ length: 10 }, () => ({ n: 0, conf: 0, acc: 0 }));
    for (const { e, r } of results) {
      const b = bins[Math.min(9, Math.floor(r.confidence * 10))];
      b.n++;
      b.conf += r.confidence;
      b.acc += r.category === e.category ? 1 : 0;
    }
    const ece = bins.reduce((a, b) => a + Math.abs(b.acc - b.conf), 0) / results.length;
    ctx.report({ group: 'triage', name: 'category confidence, expected calibration error (eval split)', value: r3(ece), unit: 'ECE' });
    const sent = macroF1(['negative', 'neutral', 'positive'] as const, results.map(({ e, r }) => ({ gold: e.sentiment, predicted: r.sentiment })));
    ctx.report({ group: 'triage', name: 'sentiment macro-F1, eval split', value: r3(sent.macroF1), unit: 'F1' });
    // DESIGN.md's reading (round eight, what the anger model learns): angry lines marked "outrage"
    // (sarcasm, contempt, plain outrage; no threat, insult or shouting) are not angry.
    const whole = angerPRNarrow(results);
    ctx.report({ group: 'triage', name: `angry precision, eval split, DESIGN.md's reading (${whole.n} angry)`, value: r3(whole.p), unit: 'P', target: '>= 0.85', ok: whole.p >= 0.85 });
    ctx.report({ group: 'triage', name: "angry recall, eval split, DESIGN.md's reading", value: r3(whole.r), unit: 'R', target: '>= 0.85', ok: whole.r >= 0.85 });
    // The corpus writers' wider reading (rounds four to seven): reported beside it.
    const wide = angerPR(results);
    ctx.report({ group: 'triage', name: `angry precision / recall, eval split, the writers' reading (${wide.n} angry: outrage lines counted angry): ${r3(wide.p)}/${r3(wide.r)}`, value: r3(wide.p), unit: 'P' });

    // The validation split (round seven: writers of their own, who wrote nothing else). Writers o-s
    // placed the anger threshold and showed lexicon false alarms; w-z were written afterwards and
    // chose nothing (read after rounds seven and eight); round nine's ak-am were read once and then
    // chose the shouting and question rules; an-ap were written blind meanwhile, read once, then
    // chose three more rules; aq-as were written blind meanwhile and read once; ay-ba were written
    // blind while part two's train lines and lexicons were made, and chose nothing; bb-bd were
    // written after the last change, a second reading of the final code by writers it never saw.
    const validSet = corpus.examples.filter((e) => e.split === 'valid');
    if (validSet.length) {
      const scored = validSet.map((e) => ({ e, r: triageMessage({ text: e.text }) }));
      const groups: [string, typeof scored][] = [['validation split', scored]];
      for (const [name, set] of [['writers o-s (chose the rules)', 'opqrs'], ['fresh writers w-z', 'wxyz'], ['writers ak-am (round nine: read, then chose the shouting and question rules)', 'ak,al,am'], ['writers an-ap (round nine: read, then chose the "!!", product-name and per-sentence rules)', 'an,ao,ap'], ['writers aq-as (round nine: read once, then the unmeant lexicons of part two were chosen on the others)', 'aq,ar,as'], ['fresh writers ay-ba (round nine, read once at its end)', 'ay,az,ba'], ['fresh writers bb-bd (round nine, written and read once after every choice)', 'bb,bc,bd']] as const) {
        const writers = writerSet(set);
        const sub = scored.filter(({ e }) => writers.has(e.by ?? 'a'));
        if (sub.length) groups.push([`validation lines by ${name}`, sub]);
      }
      for (const by of [...new Set(validSet.map((e) => e.by ?? 'a'))].sort()) groups.push([`validation lines by writer ${by}`, scored.filter(({ e }) => (e.by ?? 'a') === by)]);
      for (const [name, sub] of groups) {
        const f = categoryF1(sub);
        const a = angerPR(sub);
        const w = angerPRNarrow(sub);
        ctx.report({ group: 'triage', name: `${name} (n=${sub.length}, ${w.n} angry): category macro-F1 ${r3(f.macroF1)}, angry P/R ${r3(w.p)}/${r3(w.r)}; the writers' reading (${a.n}) ${r3(a.p)}/${r3(a.r)}`, value: r3(f.macroF1), unit: 'F1' });
      }
    }

    // Throughput: full triage vs eld alone on the same messages.
    const texts = evalSet.map((e) => e.text);
    const minMs = ctx.quick ? 300 : 2000;
    let sink = 0;
    const eldRate = rate(() => {
      for (const t of texts) sink += eld.detect(t).language.length;
    }, texts.length, minMs);
    const triRate = rate(() => {
      for (const t of texts) sink += triageMessage({ text: t }).urgency;
    }, texts.length, minMs);
    if (sink < 0) console.log(sink);
    ctx.report({
      group: 'triage',
      name: 'full triage throughput (one core)',
      value: Math.round(triRate),
      unit: 'msg/s',
      baseline: { name: 'eld.detect alone', value: Math.round(eldRate), unit: 'msg/s' },
      target: '>= 5000 msg/s',
      ok: triRate >= 5000,
    });
    ctx.report({ group: 'triage', name: 'full triage throughput as a share of eld alone (same run)', value: r3(triRate / eldRate), unit: '×' });
  }

  // Bitext (English, out of domain), mapped with the dataset README's table.
  const bitext = loadBitext();
  if (bitext) {
    const rows = ctx.quick ? bitext.filter((_, i) => i % 10 === 0) : bitext;
    const triaged = rows.map((b) => ({ b, t: triageMessage({ text: b.text }) }));
    const res = macroF1(CATEGORIES, triaged.map(({ b, t }) => ({ gold: b.category, predicted: t.category })));
    ctx.report({ group: 'triage', name: `category macro-F1, Bitext mapped (n=${rows.length}, English, out of domain)`, value: r3(res.macroF1), unit: 'F1' });
    ctx.report({ group: 'triage', name: 'category accuracy, Bitext mapped', value: pct(res.accuracy), unit: '%' });
    // Bitext's requests are plain service requests (some with profanity, some a "complaint against
    // your company"): the share called angry is an out-of-domain look at false alarms (round
    // seven's model: 17.9 %).
    const angry = triaged.filter(({ t }) => t.angry).length;
    ctx.report({ group: 'triage', name: 'share of Bitext requests called angry (out of domain, mostly calm)', value: pct(angry / Math.max(1, rows.length)), unit: '%' });
  } else {
    ctx.report({ group: 'triage', name: 'Bitext: dataset absent (skipped)', value: 0, unit: '' });
  }

  // Resident memory of the triage module alone: a fresh process, before and after importing it
  // and triaging 2,000 messages in several scripts.
  const mem = triageProcessMemory();
  if (mem) {
    const delta = (mem.after - mem.before) / 1e6;
    ctx.report({
      group: 'triage',
      name: 'resident memory added by the triage module (fresh process, 2,000 messages)',
      value: Math.round(delta),
      unit: 'MB',
      baseline: { name: 'the same process before importing it', value: Math.round(mem.before / 1e6), unit: 'MB' },
      target: '<= 250 MB',
      ok: delta <= 250,
    });
  }
  const rss = process.memoryUsage().rss;
  ctx.report({ group: 'triage', name: 'resident memory of this bench process (lingua data, eld, triage)', value: Math.round(rss / 1e6), unit: 'MB', baseline: { name: 'at suite start', value: Math.round(rss0 / 1e6), unit: 'MB' } });
};

function triageProcessMemory(): { before: number; after: number } | null {
  const url = pathToFileURL(path.join(repoRoot, 'src', 'helpdesk', 'triage.ts')).href;
  const code = [
    'const before = process.memoryUsage().rss;',
    `const { triageMessage } = await import(${JSON.stringify(url)});`,
    "const texts = ['Where is my order #1001?', '¿Dónde está mi pedido? Llevo 3 semanas', '我的订单还没到，请尽快处理', '注文した商品が届きません', '환불해 주세요', 'Wo ist mein Paket?!', 'أين طلبي؟', 'Где мой заказ?'];",
    'for (let i = 0; i < 2000; i++) triageMessage({ text: texts[i % texts.length] + " " + i });',
    'console.log(JSON.stringify({ before, after: process.memoryUsage().rss }));',
  ].join('\n');
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: repoRoot, encoding: 'utf8', timeout: 120_000 });
  try {
    const line = r.stdout.trim().split('\n').at(-1) ?? '';
    const parsed = JSON.parse(line) as { before: number; after: number };
    return typeof parsed.before === 'number' && typeof parsed.after === 'number' ? parsed : null;
  } catch {
    return null;
  }
}

export default suite;
