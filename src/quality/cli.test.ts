import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { repoRoot } from '../core/paths.ts';
import { runQaScore } from '../cli/qa.ts';

const good = {
  id: 'r1',
  market: 'DE',
  language: 'de',
  category: 'return_request',
  days_since_delivery: 10,
  customer_message: 'Ich möchte die Schuhe zurückgeben.',
  reply: 'Hallo, leider keine Rückgabe nach 7 Tagen möglich.',
};
const ok2 = {
  id: 2,
  market: 'US',
  language: 'en',
  category: 'order_status',
  customer_message: 'Where is my order?',
  reply: "Hi Sam, sorry for the wait! Your parcel is in transit and arrives by Friday. Kind regards, Mia",
};

describe('qa score', () => {
  it('runQaScore keeps good lines and reports bad ones with their line number', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    const errors = new PassThrough();
    let out = '';
    let err = '';
    output.on('data', (d: Buffer) => (out += d.toString()));
    errors.on('data', (d: Buffer) => (err += d.toString()));
    input.end([JSON.stringify(good), '{broken', JSON.stringify({ id: 'x', market: 'DE' }), '', JSON.stringify(ok2)].join('\n') + '\n');
    const summary = await runQaScore(input, output, errors);
    expect(summary).toEqual({ scored: 2, bad: 2 });
    const lines = out.trim().split('\n').map((l) => JSON.parse(l) as { id: unknown; labels: Record<string, boolean>; score: number; evidence: unknown[] });
    expect(lines.map((l) => l.id)).toEqual(['r1', 2]);
    expect(lines[0].labels.policy_violation).toBe(true);
    expect(lines[0].score).toBeLessThanOrEqual(20);
    expect(lines[1].labels.solution_offered).toBe(true);
    expect(err).toMatch(/^line 2: not valid JSON/m);
    expect(err).toMatch(/^line 3: "language" is required/m);
  });

  it('the installed command reads stdin, writes JSON lines, reports a bad line and exits non-zero', () => {
    const r = spawnSync(process.execPath, [path.join(repoRoot, 'bin', 'crossdesk.js'), 'qa', 'score'], {
      cwd: repoRoot,
      input: `${JSON.stringify(good)}\nthis is not json\n${JSON.stringify(ok2)}\n`,
      encoding: 'utf8',
      timeout: 60_000,
    });
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    const first = JSON.parse(lines[0]) as { id: string; labels: Record<string, boolean>; score: number; evidence: Array<{ en: string; zh: string }> };
    expect(Object.keys(first).slice(0, 3)).toEqual(['id', 'labels', 'score']);
    expect(Object.keys(first.labels).sort()).toEqual(
      ['asks_sensitive_data', 'blame_or_rude', 'closing', 'empathy', 'greeting', 'language_match', 'policy_violation', 'solution_offered'],
    );
    expect(first.evidence.every((e) => e.en && e.zh)).toBe(true);
    expect(r.stderr).toContain('line 2: not valid JSON');
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+/);
    expect(r.status).toBe(1);
  });
});
