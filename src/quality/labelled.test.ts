import { describe, expect, it } from 'vitest';
import { agreement, loadLabelled } from './labelled.ts';
import { LABELS } from './types.ts';

describe('the labelled corpus (content/quality/labelled-replies.jsonl)', () => {
  const cases = loadLabelled();

  it('has 150+ cases across 10+ languages, split into dev and holdout', () => {
    expect(cases.length).toBeGreaterThanOrEqual(150);
    expect(new Set(cases.map((c) => c.language)).size).toBeGreaterThanOrEqual(10);
    expect(new Set(cases.map((c) => c.id)).size).toBe(cases.length);
    const holdout = cases.filter((c) => c.split === 'holdout');
    expect(holdout.length).toBeGreaterThanOrEqual(50);
    expect(new Set(holdout.map((c) => c.language)).size).toBeGreaterThanOrEqual(10);
    for (const c of cases) for (const l of LABELS) expect(typeof c.expected[l]).toBe('boolean');
  });

  it('agrees with the holdout labels (measured, never tuned on)', () => {
    const holdout = cases.filter((c) => c.split === 'holdout');
    const a = agreement(holdout);
    const table = LABELS.map((l) => `${l.padEnd(20)} ${(a.perLabel[l].rate * 100).toFixed(1).padStart(5)}%`).join('\n');
    console.log(`rubric agreement on ${a.n} holdout replies:\n${table}`);
    // A regression guard, not the goal (the goal is >= 90% on every label).
    for (const l of LABELS) expect(a.perLabel[l].rate, l).toBeGreaterThanOrEqual(0.8);
  });
});
