/**
 * The quality rubric: replies scored per second (target >= 2,000/s), beside a baseline measured
 * in the same run (one regular-expression scan of the same texts), and the rubric's agreement
 * with the held-out labelled replies of content/quality/labelled-replies.jsonl.
 */
import type { BenchSuite } from './types.ts';
import { scoreReply } from '../src/quality/rubric.ts';
import { agreement, loadLabelled } from '../src/quality/labelled.ts';
import { LABELS } from '../src/quality/types.ts';
import type { ScoreReplyInput } from '../src/quality/types.ts';

const BASELINE = /sorry|apolog|refund|replace|regards|cvv|password|fault|entschuldig|rückerstatt|désolé|rembours|lo siento|reembols|抱歉|退款|申し訳|返金|죄송|환불/giu;

function throughput(run: () => void, minMs: number): number {
  let n = 0;
  const t0 = performance.now();
  let elapsed = 0;
  while (elapsed < minMs) {
    run();
    n++;
    elapsed = performance.now() - t0;
  }
  return n / (elapsed / 1000);
}

const suite: BenchSuite = async (ctx) => {
  const cases = loadLabelled();
  const inputs: ScoreReplyInput[] = cases.map((c) => ({
    market: c.market,
    language: c.language,
    category: c.category,
    customerMessage: c.customer_message,
    reply: c.reply,
    ...(c.days_since_delivery !== undefined ? { daysSinceDelivery: c.days_since_delivery } : {}),
  }));
  const minMs = ctx.quick ? 300 : 2000;

  // Warm up both (JIT, lexicon compilation) before measuring.
  for (let i = 0; i < 3; i++) for (const x of inputs) scoreReply(x);
  let sink = 0;
  const baselinePasses = throughput(() => {
    for (const x of inputs) {
      BASELINE.lastIndex = 0;
      sink += (x.reply.match(BASELINE) ?? []).length;
    }
  }, minMs);
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  const rubricPasses = throughput(() => {
    for (const x of inputs) sink += scoreReply(x).score;
  }, minMs);
  const wallS = (performance.now() - wall0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuS = (cpu.user + cpu.system) / 1e6;
  if (sink < 0) console.log(sink);

  const perSecond = Math.round(rubricPasses * inputs.length);
  ctx.report({
    group: 'quality',
    name: 'scoreReply (full rubric, 15 languages)',
    value: perSecond,
    unit: 'replies/s',
    baseline: { name: 'one regex scan of the same replies', value: Math.round(baselinePasses * inputs.length), unit: 'replies/s' },
    target: '>= 2000 replies/s',
    ok: perSecond >= 2000,
  });

  // On a busy machine wall-clock time includes waiting for a core; CPU time does not.
  ctx.report({
    group: 'quality',
    name: 'scoreReply per CPU-second (same run)',
    value: Math.round((rubricPasses * wallS * inputs.length) / Math.max(cpuS, 1e-6)),
    unit: 'replies/cpu-s',
  });

  const holdout = agreement(cases.filter((c) => c.split === 'holdout'));
  for (const l of LABELS) {
    const rate = Math.round(holdout.perLabel[l].rate * 1000) / 10;
    ctx.report({
      group: 'quality',
      name: `holdout agreement: ${l} (n=${holdout.n})`,
      value: rate,
      unit: '%',
      target: '>= 90%',
      ok: rate >= 90,
    });
  }
};

export default suite;
