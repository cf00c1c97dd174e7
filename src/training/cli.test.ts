import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../core/paths.ts';
import { EXCELLENT, HARMFUL } from './fixtures/de-lamp-scripts.ts';

const cli = (args: string[], input?: string) =>
  spawnSync(process.execPath, [path.join(repoRoot, 'bin', 'crossdesk.js'), ...args], { cwd: repoRoot, encoding: 'utf8', input, timeout: 120_000 });

// Each case spawns the CLI (tsx start-up): generous timeouts on a busy 2-core machine.
describe('crossdesk drill (CLI)', { timeout: 180_000 }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'drill-cli-'));
  const write = (name: string, v: unknown) => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, typeof v === 'string' ? v : JSON.stringify(v));
    return f;
  };

  it('drill run --script --json prints the scored result; a harmful script fails', () => {
    const good = cli(['drill', 'run', 'de-damaged-lamp-gift', '--script', write('good.json', EXCELLENT), '--json']);
    expect(good.status).toBe(0);
    const r = JSON.parse(good.stdout) as { score: number; passed: boolean; outcome: { passed: boolean }; dimensions: Record<string, unknown>; evidence: unknown[]; transcript: unknown[] };
    expect(r.passed).toBe(true);
    expect(r.outcome.passed).toBe(true);
    expect(Object.keys(r.dimensions)).toEqual(expect.arrayContaining(['empathy', 'solution', 'outcome', 'efficiency']));
    expect(r.evidence.length).toBeGreaterThan(5);
    expect(r.transcript.length).toBe(7);
    const bad = JSON.parse(cli(['drill', 'run', 'de-damaged-lamp-gift', '--script', write('bad.json', HARMFUL), '--json']).stdout) as { score: number; passed: boolean; critical: string[] };
    expect(bad.passed).toBe(false);
    expect(bad.critical).toContain('asks_sensitive_data');
    expect(bad.score).toBeLessThan(r.score);
  });

  it('bad input: a clear message and a non-zero exit, no stack trace', () => {
    const noFile = cli(['drill', 'run', 'de-damaged-lamp-gift', '--script', path.join(dir, 'missing.json'), '--json']);
    expect(noFile.status).not.toBe(0);
    expect(noFile.stderr).toMatch(/cannot read script/);
    const badShape = cli(['drill', 'run', 'de-damaged-lamp-gift', '--script', write('shape.json', { turns: [{ txt: 'hi' }] })]);
    expect(badShape.stderr).toMatch(/turns\[0\]\.txt: unknown field/);
    expect(badShape.stderr).not.toMatch(/at .*\.ts:\d+/);
    expect(cli(['drill', 'run', 'no-such', '--script', write('x.json', EXCELLENT)]).stderr).toMatch(/unknown scenario no-such/);
  });

  it('drill list --json filters; an invalid scenario folder fails naming file and field', () => {
    const list = cli(['drill', 'list', '--json', '--market', 'DE', '--category', 'damaged_item']);
    expect(list.status).toBe(0);
    const items = JSON.parse(list.stdout) as { id: string; market: string }[];
    expect(items.map((i) => i.id)).toContain('de-damaged-lamp-gift');
    expect(items.every((i) => i.market === 'DE')).toBe(true);
    const bad = fs.mkdtempSync(path.join(os.tmpdir(), 'drill-bad-'));
    const src = fs.readFileSync(path.join(repoRoot, 'content', 'scenarios', 'us-late-order-status.yaml'), 'utf8');
    fs.writeFileSync(path.join(bad, 'us-late-order-status.yaml'), src.replace('difficulty: easy', 'difficulty: trivial'));
    const out = cli(['drill', 'list', '--json', '--dir', bad]);
    expect(out.status).toBe(1);
    expect(out.stderr).toMatch(/us-late-order-status\.yaml: difficulty: "trivial" is not allowed/);
  });

  it('drill play reads replies and /tool commands from stdin and prints the report', () => {
    const out = cli(['drill', 'play', 'de-damaged-lamp-gift', '--lang', 'en'], 'Es tut mir leid, Herr Weber. Bis wann brauchen Sie die Lampe?\n/tool refund {"order":"#1047","amount":999}\n/end\n');
    expect(out.status).toBe(0);
    expect(out.stdout).toMatch(/Geburtstagsgeschenk/);
    expect(out.stdout).toMatch(/✗ refund: Refund of 999 EUR is more than/);
    expect(out.stdout).toMatch(/== Score: [\d.]+ — FAILED/);
  });
});
