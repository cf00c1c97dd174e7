import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '../core/paths.ts';
import type { BenchRow, BenchSuite } from '../../bench/types.ts';
import { CliError } from './io.ts';

function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Math.abs(n) >= 100) return n.toFixed(0);
  if (Math.abs(n) >= 1) return n.toFixed(2);
  return n.toPrecision(3);
}

/**
 * `crossdesk bench`: runs every bench/<name>.ts suite (or those named with --only) and
 * prints each figure beside the baseline measured in the same run.
 */
export async function runBench(opts: { json?: boolean; quick?: boolean; only?: string }): Promise<void> {
  const dir = path.join(repoRoot, 'bench');
  const all = fs.readdirSync(dir).filter((f) => f.endsWith('.ts') && f !== 'types.ts' && f !== 'util.ts' && !f.endsWith('.test.ts')).map((f) => f.replace(/\.ts$/, '')).sort();
  const wanted = opts.only ? opts.only.split(',') : all;
  for (const w of wanted) if (!all.includes(w)) throw new CliError(`no benchmark suite "${w}" (have: ${all.join(', ')})`);
  const rows: BenchRow[] = [];
  const failures: string[] = [];
  for (const name of wanted) {
    const mod = (await import(pathToFileURL(path.join(dir, `${name}.ts`)).href)) as { default: BenchSuite };
    if (!opts.json) process.stdout.write(`\n== ${name} ==\n`);
    try {
      await mod.default({
        quick: Boolean(opts.quick),
        report(row) {
          rows.push(row);
          if (opts.json) return;
          const base = row.baseline ? `   baseline ${row.baseline.name}: ${fmt(row.baseline.value)} ${row.baseline.unit}` : '';
          const target = row.target ? `   target ${row.target} ${row.ok === undefined ? '' : row.ok ? 'OK' : 'MISSED'}` : '';
          process.stdout.write(`${row.name}: ${fmt(row.value)} ${row.unit}${base}${target}\n`);
        },
      });
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      failures.push(`${name}: ${msg}`);
      if (!opts.json) process.stdout.write(`suite ${name} failed: ${msg}\n`);
    }
  }
  if (opts.json) process.stdout.write(`${JSON.stringify({ rows, failures }, null, 2)}\n`);
  if (failures.length) process.exitCode = 1;
}
