/**
 * tau2 retail import: the gold replay of all 114 tasks through the drill sandbox and tools
 * (each task: the gold outcome, then the replay, both hashed and compared), beside a
 * baseline measured in the same run: a JSON deep copy of the whole database per task.
 */
import { performance } from 'node:perf_hooks';
import { sharedDataset } from '../src/core/paths.ts';
import { loadTau2 } from '../src/training/tau2/load.ts';
import { replayTasks } from '../src/training/tau2/replay.ts';
import type { BenchSuite } from './types.ts';

const suite: BenchSuite = async (ctx) => {
  const dir = sharedDataset('tau2-retail');
  if (!dir) {
    process.stderr.write('bench tau2: ../shared/datasets/tau2-retail not found, skipped\n');
    return;
  }
  let t = performance.now();
  const ds = loadTau2(dir);
  const loadMs = performance.now() - t;

  // Baseline: deep-copy the database once per task (what a naive sandbox would do).
  const copies = ctx.quick ? 20 : ds.tasks.length;
  t = performance.now();
  let keep = 0;
  for (let i = 0; i < copies; i++) keep += Object.keys((JSON.parse(JSON.stringify(ds.db)) as { orders: object }).orders).length;
  const cloneMs = ((performance.now() - t) / copies) * ds.tasks.length;
  if (keep === 0) throw new Error('unreachable');

  t = performance.now();
  const summary = replayTasks(ds.tasks, (task) => task.goldActions);
  const replayMs = performance.now() - t;
  const baseline = { name: `JSON deep copy of db.json x${ds.tasks.length}${ctx.quick ? ' (from 20)' : ''}`, value: Math.round(cloneMs), unit: 'ms' };

  ctx.report({
    group: 'tau2',
    name: `gold replay of ${summary.total} tasks (${summary.passed} passed)`,
    value: Math.round(replayMs),
    unit: 'ms',
    baseline,
    target: '<= 10000 ms, 114/114 passed',
    ok: replayMs <= 10_000 && summary.passed === summary.total && summary.total === 114,
  });
  ctx.report({
    group: 'tau2',
    name: 'load dataset (db.json, tasks.json)',
    value: Math.round(loadMs),
    unit: 'ms',
  });
  await Promise.resolve();
};

export default suite;
