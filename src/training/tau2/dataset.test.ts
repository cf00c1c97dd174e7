/**
 * Against the public tau2 retail dataset (../shared/datasets/tau2-retail); skipped, with a
 * message, when that folder is absent.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, sharedDataset } from '../../core/paths.ts';
import { loadTau2, tasksOfSplit } from './load.ts';
import { goldOutcome, replayTask, replayTasks } from './replay.ts';
import { createSandbox, dbHash } from './sandbox.ts';
import { tau2ToolSpec } from './tools.ts';
import type { Tau2Action, Tau2Dataset, Tau2Task } from './types.ts';

const dir = sharedDataset('tau2-retail');
if (!dir) console.warn('tau2 retail dataset not found (../shared/datasets/tau2-retail): skipping the dataset tests');

const run = promisify(execFile);

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [path.join(repoRoot, 'bin', 'crossdesk.js'), ...args], {
      cwd: repoRoot,
      maxBuffer: 16 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof x.code === 'number' ? x.code : -1, stdout: x.stdout ?? '', stderr: x.stderr ?? '' };
  }
}

describe.skipIf(!dir)('tau2 retail dataset', () => {
  let ds: Tau2Dataset;
  let task0: Tau2Task;
  const write = (t: Tau2Task) => t.goldActions.findIndex((a) => tau2ToolSpec(a.name)?.kind === 'write');

  beforeAll(() => {
    ds = loadTau2(dir as string);
    task0 = ds.tasks.find((t) => t.id === '0') as Tau2Task;
  });

  it('loads 114 tasks, the 74/40 split, the policy and a frozen db', () => {
    expect(ds.tasks).toHaveLength(114);
    expect(tasksOfSplit(ds, 'train')).toHaveLength(74);
    expect(tasksOfSplit(ds, 'test')).toHaveLength(40);
    expect(ds.policy).toMatch(/authenticate/);
    expect(Object.isFrozen(ds.db.orders['#W2378156'].items)).toBe(true);
    expect(task0).toMatchObject({ category: 'exchange_request', userId: 'yusuf_rossi_9620', goldAuthenticates: true });
    expect(task0.reasonForCall).toMatch(/#W2378156/);
  });

  it('replays the gold actions of all 114 tasks: 114 pass, no process rule broken', () => {
    const s = replayTasks(ds.tasks, (t) => t.goldActions);
    expect(s.failed).toBe(0);
    expect(s.passed).toBe(114);
    expect(s.tasks.flatMap((r) => r.violations)).toEqual([]);
  });

  it('the gold writes really change the database, except where the dataset expects them to fail', () => {
    const initial = dbHash(createSandbox(ds.db));
    const unchanged = ds.tasks.filter((t) => write(t) >= 0 && goldOutcome(t, ds.db).hash === initial).map((t) => t.id);
    expect(unchanged).toEqual(['105']); // an exchange the gift card cannot pay for
    const refusedWrites = ds.tasks.flatMap((t) =>
      goldOutcome(t, ds.db).sandbox.session.log.filter((c) => c.kind === 'write' && !c.outcome.ok).map(() => t.id),
    );
    expect(refusedWrites).toEqual(['64', '105']); // exchange of a pending order; gift card too small
  });

  it('a missing write fails every task that writes', () => {
    const writers = ds.tasks.filter((t) => goldOutcome(t, ds.db).hash !== dbHash(createSandbox(ds.db)));
    expect(writers.length).toBeGreaterThan(100);
    for (const t of writers) {
      const r = replayTask(t, t.goldActions.filter((a) => tau2ToolSpec(a.name)?.kind !== 'write'));
      expect(r.passed, t.id).toBe(false);
      expect(r.reason, t.id).toMatch(/differs: /);
    }
  });

  describe('tampered actions of task 0 (exchange keyboard + thermostat)', () => {
    const exchangeOf = (t: Tau2Task) => t.goldActions[write(t)];
    const withExchange = (t: Tau2Task, change: (a: Record<string, unknown>) => void): Tau2Action[] =>
      t.goldActions.map((a, i) => {
        if (i !== write(t)) return a;
        const args = structuredClone(a.arguments);
        change(args);
        return { name: a.name, arguments: args };
      });

    it('another item fails with the differing item', () => {
      const gold = exchangeOf(task0).arguments as { new_item_ids: string[] };
      const thermostat = Object.values(ds.db.products['4896585277'].variants).find(
        (v) => v.available && v.item_id !== gold.new_item_ids[1] && v.item_id !== '4983901480',
      );
      expect(thermostat).toBeDefined();
      const r = replayTask(task0, withExchange(task0, (a) => ((a.new_item_ids as string[])[1] = thermostat!.item_id)));
      expect(r.passed).toBe(false);
      expect(r.reason).toMatch(/^order #W2378156 differs: exchange_new_items\[\d\] expected "\d+" got "\d+"/);
    });

    it('another payment method (one the tool accepts) fails', () => {
      // the first task paying an item change with a card or PayPal whose user has another card or PayPal
      let found: { task: Tau2Task; gold: string; other: string } | undefined;
      for (const t of ds.tasks) {
        const w = write(t);
        const a = t.goldActions[w];
        if (w < 0 || !['exchange_delivered_order_items', 'modify_pending_order_items'].includes(a.name) || !t.userId) continue;
        const gold = a.arguments.payment_method_id as string;
        const other = Object.values(ds.db.users[t.userId].payment_methods).find((pm) => pm.id !== gold && pm.source !== 'gift_card');
        if (other) {
          found = { task: t, gold, other: other.id };
          break;
        }
      }
      expect(found).toBeDefined();
      const { task, gold, other } = found!;
      const r = replayTask(task, withExchange(task, (a) => (a.payment_method_id = other)));
      expect(r.passed).toBe(false);
      expect(r.failedCalls).toEqual([]);
      expect(r.reason).toMatch(new RegExp(`payment_method_id expected "${gold}" got "${other}"`));
    });

    it('a missing write fails on the status', () => {
      const r = replayTask(task0, task0.goldActions.slice(0, write(task0)));
      expect(r.reason).toMatch(/^order #W2378156 differs: status expected "exchange requested" got "delivered"/);
    });

    it('a write before authentication is refused', () => {
      const ex = exchangeOf(task0);
      const r = replayTask(task0, [ex, ...task0.goldActions.filter((a) => a !== ex)]);
      expect(r.passed).toBe(false);
      expect(r.violations[0]).toMatch(/before the user was authenticated/);
      expect(r.reason).toMatch(/exchange_delivered_order_items was refused: .*before the user was authenticated/);
    });

    it('an order of another user is refused (one user per conversation)', () => {
      const foreign = Object.values(ds.db.orders).find((o) => o.user_id !== 'yusuf_rossi_9620')!;
      const r = replayTask(task0, [...task0.goldActions, { name: 'get_order_details', arguments: { order_id: foreign.order_id } }]);
      expect(r.dbMatches).toBe(true);
      expect(r.passed).toBe(false);
      expect(r.reason).toMatch(/one user per conversation/);
    });
  });

  describe('the command line', () => {
    let tmp: string;
    beforeAll(() => {
      tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tau2-'));
    });

    it('drill tau2 --replay gold --json passes every task of a split', async () => {
      const r = await cli(['drill', 'tau2', '--data', dir as string, '--split', 'test', '--replay', 'gold', '--json']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const out = JSON.parse(r.stdout) as { total: number; passed: number; failed: number; tasks: { id: string; passed: boolean }[] };
      expect(out).toMatchObject({ total: 40, passed: 40, failed: 0 });
      expect(out.tasks.every((t) => t.passed)).toBe(true);
    });

    it('--replay FILE fails wrong and missing writes with a reason; readable summary without --json', async () => {
      const wrong = structuredClone(task0.goldActions);
      const ex = wrong[write(task0)].arguments as { item_ids: string[]; new_item_ids: string[] };
      ex.new_item_ids = [...ex.new_item_ids].reverse();
      const t1 = ds.tasks.find((t) => t.id === '1')!;
      const file = path.join(tmp, 'replay.json');
      fs.writeFileSync(file, JSON.stringify({ '0': wrong, '1': t1.goldActions.slice(0, write(t1)), '2': ds.tasks[2].goldActions }));
      const r = await cli(['drill', 'tau2', '--data', dir as string, '--replay', file, '--json']);
      expect(r.code).toBe(0);
      const out = JSON.parse(r.stdout) as { total: number; passed: number; tasks: { id: string; passed: boolean; reason?: string }[] };
      expect(out).toMatchObject({ total: 3, passed: 1, failed: 2 });
      expect(out.tasks[0].reason).toMatch(/^order #W2378156 differs: /);
      expect(out.tasks[1].reason).toMatch(/differs: status expected/);
      const text = await cli(['drill', 'tau2', '--data', dir as string, '--replay', file]);
      expect(text.stdout).toMatch(/1\/3 tasks passed, 2 failed/);
      expect(text.stdout).toMatch(/FAIL task 0: order #W2378156 differs/);
    });

    it('bad input: a clear message, a non-zero exit, no stack trace', async () => {
      const bad = path.join(tmp, 'bad.json');
      fs.writeFileSync(bad, '{"0": [');
      const cases: [string[], RegExp][] = [
        [['--data', path.join(tmp, 'missing')], /dataset folder .* not found/],
        [['--data', tmp], /db\.json not found/],
        [['--data', dir as string, '--replay', bad], /not valid JSON/],
        [['--data', dir as string, '--replay', path.join(tmp, 'nope.json')], /replay file .* not found/],
        [['--data', dir as string, '--split', 'dev'], /--split must be one of train, test, all/],
      ];
      for (const [args, message] of cases) {
        const r = await cli(['drill', 'tau2', ...args, '--json']);
        expect(r.code, args.join(' ')).not.toBe(0);
        expect(r.stderr).toMatch(message);
        expect(r.stderr).not.toMatch(/\n\s+at /);
        expect(r.stdout).toBe('');
      }
    });
  });
});
