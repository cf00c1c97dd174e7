/**
 * Drills: one scripted drill turn (act recognition, sandbox tools, the simulated customer,
 * coaching hints) p95 — goal <= 15 ms — beside a baseline measured in the same run: the
 * quality rubric alone (scoreReply) on the same replies. Also a whole scripted drill scored
 * (turns + outcome check + rubric over the conversation).
 */
import type { BenchSuite } from './types.ts';
import { scoreReply } from '../src/quality/rubric.ts';
import { DrillEngine, type TurnInput } from '../src/training/drill.ts';
import { runScript } from '../src/training/run.ts';
import { scenarioLibrary, type Scenario } from '../src/training/scenario.ts';
import { EXCELLENT, HARMFUL, MEDIOCRE } from '../src/training/fixtures/de-lamp-scripts.ts';
import { measureFirstReplies } from '../src/training/first-reply.ts';

function p95(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * 0.95))];
}

/** A generic trainee script for any scenario: its model reply (or a polite question), then a close. */
function scriptFor(s: Scenario): TurnInput[] {
  return [{ text: 'Hello, I am sorry to hear that. Could you tell me your order number?' }, { text: s.model_reply?.text ?? 'We will refund you within 3 days.' }, { text: 'Thank you, kind regards' }];
}

const suite: BenchSuite = async (ctx) => {
  const lib = [...scenarioLibrary().values()];
  const plays: { scenario: Scenario; turns: TurnInput[] }[] = lib.map((s) => ({ scenario: s, turns: scriptFor(s) }));
  const lamp = scenarioLibrary().get('de-damaged-lamp-gift')!;
  for (const sc of [EXCELLENT, MEDIOCRE, HARMFUL]) plays.push({ scenario: lamp, turns: sc.turns });
  const start = new Date('2026-01-01T00:00:00Z');
  const rounds = ctx.quick ? 2 : 8;

  // Warm-up: lexicons of every language compiled, JIT.
  for (const p of plays) runScript(p.scenario, { turns: p.turns });

  const turnMs: number[] = [];
  const rubricMs: number[] = [];
  let sink = 0;
  for (let r = 0; r < rounds; r++) {
    for (const p of plays) {
      const e = new DrillEngine({ scenario: p.scenario, seed: r + 1, startedAt: start });
      let customer = e.transcript[0].text;
      for (const t of p.turns) {
        if (e.ended) break;
        const t0 = performance.now();
        const out = e.turn(t, start);
        turnMs.push(performance.now() - t0);
        const t1 = performance.now();
        sink += scoreReply({ market: p.scenario.market, language: p.scenario.language, category: p.scenario.category, customerMessage: customer, reply: t.text ?? '' }).score;
        rubricMs.push(performance.now() - t1);
        customer = out.customer?.text || customer;
      }
    }
  }
  const wholeMs: number[] = [];
  for (let r = 0; r < rounds; r++) for (const p of plays.slice(0, 30)) {
    const t0 = performance.now();
    sink += runScript(p.scenario, { turns: p.turns }).score;
    wholeMs.push(performance.now() - t0);
  }
  if (sink < 0) console.log(sink);
  const turnP95 = Math.round(p95(turnMs) * 100) / 100;
  ctx.report({
    group: 'drill',
    name: `scripted drill turn p95 (${plays.length} scripts, ${turnMs.length} turns)`,
    value: turnP95,
    unit: 'ms',
    baseline: { name: 'the rubric alone (scoreReply) on the same reply, p95', value: Math.round(p95(rubricMs) * 100) / 100, unit: 'ms' },
    target: '<= 15 ms',
    ok: turnP95 <= 15,
  });
  const fr = measureFirstReplies(lib);
  ctx.report({
    group: 'drill',
    name: `model replies accepted by their own customer on a first reply (${fr.applicable} of ${fr.total} scenarios allow it)`,
    value: fr.accepted,
    unit: 'scenarios',
    target: `>= ${Math.min(60, fr.applicable)}`,
    ok: fr.accepted >= Math.min(60, fr.applicable),
  });
  ctx.report({ group: 'drill', name: 'whole scripted drill scored (3 turns + outcome + conversation rubric) p95', value: Math.round(p95(wholeMs) * 100) / 100, unit: 'ms' });
};

export default suite;
