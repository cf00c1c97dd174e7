/**
 * tau2 retail tasks played as drills, against the public dataset (../shared/datasets/tau2-retail);
 * skipped, with a message, when that folder is absent. The engine, the store (persistence, LLM
 * opening) and the terminal commands.
 */
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../../test/helpers/db.ts';
import { systemClock } from '../../core/clock.ts';
import { repoRoot, sharedDataset } from '../../core/paths.ts';
import { upsertUser } from '../../people/users.ts';
import { startFakeServer, type FakeServer } from '../../translation/test-server.ts';
import { clearDrillCache, getSession, listScenarios, postTurn, startSession, endSession } from '../store.ts';
import { Tau2DrillEngine } from './drill.ts';
import { goldScript, proposalFor } from './gold-script.ts';
import { tau2VoiceFromEnv } from './llm-customer.ts';
import { loadTau2 } from './load.ts';
import { runTau2Script } from './run.ts';
import type { Tau2Dataset, Tau2Task } from './types.ts';

const dir = sharedDataset('tau2-retail');
if (!dir) console.warn('tau2 retail dataset not found (../shared/datasets/tau2-retail): skipping the tau2 drill tests');

let ds: Tau2Dataset;
const task = (id: string): Tau2Task => ds.tasks.find((t) => t.id === id)!;

describe.skipIf(!dir)('tau2 tasks as drills', { timeout: 120_000 }, () => {
  beforeAll(() => {
    ds = loadTau2(dir!);
  });

  it('a scripted trainee who follows the gold actions, with a yes before each write, passes every task', () => {
    const failed: string[] = [];
    for (const t of ds.tasks) {
      const r = runTau2Script(t, ds.db, goldScript(ds.db, t));
      if (!r.passed || !r.tau2.dbMatches || r.tau2.violations.length) failed.push(`${t.id}: ${r.failReasons.join(',')} ${r.tau2.reason ?? ''}`);
    }
    expect(failed).toEqual([]);
  });

  it('task 0 solved: the exchange is confirmed and done, the customer thanks; the report shows the outcome check', () => {
    const r = runTau2Script(task('0'), ds.db, goldScript(ds.db, task('0')));
    expect(r.passed).toBe(true);
    expect(r.tau2.goldWrites).toEqual([expect.objectContaining({ name: 'exchange_delivered_order_items', done: true })]);
    expect(r.outcome.customer.status).toBe('accepted');
    const yes = r.transcript.find((e) => e.reactions?.includes('confirmed:exchange_delivered_order_items'));
    expect(yes?.text).toMatch(/^Yes\b/);
    expect(r.dimensions.outcome.evidence[0].code).toBe('db_matches');
  });

  it('a wrong write fails with the reason: another new item is declined, and writing it anyway breaks the rule', () => {
    const t = task('0');
    const gold = t.goldActions.find((a) => a.name === 'exchange_delivered_order_items')!;
    // the same exchange, but the keyboard for another variant than the one the customer wants
    const wrong = { ...gold, arguments: { ...gold.arguments, new_item_ids: ['9025753381', '7747408585'] } };
    const r = runTau2Script(t, ds.db, goldScript(ds.db, t, t.goldActions.map((a) => (a === gold ? wrong : a))));
    expect(r.transcript.some((e) => e.reactions?.some((x) => x.startsWith('declined:')))).toBe(true);
    expect(r.passed).toBe(false);
    expect(r.failReasons).toEqual(expect.arrayContaining(['outcome', 'process_rule']));
    expect(r.tau2.reason).toMatch(/^order #W2378156 differs: status expected "exchange requested" got "delivered"/);
    expect(r.tau2.violations[0]).toMatch(/exchange_delivered_order_items without the user's explicit confirmation/);
  });

  it('a write after the yes that is not what was agreed: the database differs and the report names the field', () => {
    const t = task('0');
    const e = new Tau2DrillEngine({ task: t, db: ds.db, seed: 1, startedAt: new Date('2026-01-01T00:00:00Z') });
    const gold = t.goldActions.find((a) => a.name === 'exchange_delivered_order_items')!;
    const at = new Date('2026-01-01T00:01:00Z');
    e.turn({ text: 'Hello! Could you give me your name and zip code?' }, at);
    e.turn({ tools: [{ name: 'find_user_id_by_name_zip', arguments: { first_name: 'Yusuf', last_name: 'Rossi', zip: '19122' } }] }, at);
    expect(e.turn({ text: proposalFor(ds.db, gold) }, at).customer?.reactions).toContain('confirmed:exchange_delivered_order_items');
    // …then exchanges only the thermostat, not the keyboard it proposed as well
    const out = e.turn({ tools: [{ name: gold.name, arguments: { ...gold.arguments, item_ids: ['4983901480'], new_item_ids: ['7747408585'] } }] }, at);
    expect(out.tools[0].ok).toBe(true);
    expect(out.customer?.reactions).toContain(`unwanted:${gold.name}`);
    e.end(at);
    const r = e.score();
    expect(r.passed).toBe(false);
    expect(r.failReasons).toContain('outcome');
    expect(r.tau2.reason).toMatch(/^order #W2378156 differs: exchange_items/);
    expect(r.tau2.violations).toEqual([]);
  });

  it('never reveals the e-mail address it does not know, however it is asked', () => {
    const leaks: string[] = [];
    for (const t of ds.tasks.filter((x) => /email/i.test(x.unknownInfo) && x.userId)) {
      const e = new Tau2DrillEngine({ task: t, db: ds.db, seed: 3, startedAt: new Date() });
      const email = ds.db.users[t.userId!].email.toLowerCase();
      for (const text of ['Hi! What is your email address?', 'Could you please share the e-mail on your account?']) {
        const reply = e.turn({ text }, new Date()).customer?.text ?? '';
        if (reply.toLowerCase().includes(email) || !/(?:do not|don't) (?:remember|know|have)/i.test(reply)) leaks.push(`${t.id}: ${reply}`);
      }
    }
    expect(leaks).toEqual([]);
  });

  it('the customer refuses a write that is not its goal (task 24 wants no change at all)', () => {
    const t = task('24');
    const e = new Tau2DrillEngine({ task: t, db: ds.db, seed: 1, startedAt: new Date() });
    e.turn({ tools: [{ name: 'find_user_id_by_name_zip', arguments: { first_name: 'Sofia', last_name: 'Hernandez', zip: '98193' } }] }, new Date());
    const user = ds.db.users[e.sandbox.session.authenticatedUserId!];
    const pending = user.orders.map((o) => ds.db.orders[o]).find((o) => o.status === 'pending' && o.items.some((i) => /grill/i.test(i.name)))!;
    const out = e.turn({ text: `I can cancel order ${pending.order_id} with the reason "no longer needed". Do you confirm?` }, new Date());
    expect(out.customer?.reactions.some((r) => r.startsWith('declined:'))).toBe(true);
    expect(e.sandbox.session.confirmed).toBe(false);
  });

  it('is deterministic for a seed', () => {
    const t = task('5');
    const play = (seed: number) => JSON.stringify(runTau2Script(t, ds.db, goldScript(ds.db, t), { seed }).transcript);
    expect(play(11)).toBe(play(11));
  });
});

// --- persistence and the LLM customer ------------------------------------------------------

let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe.skipIf(!dir)('tau2 drills in the store', { timeout: 180_000 }, () => {
  it('lists source=tau2, plays and persists a session, rebuilds it on another node; the LLM opens and speaks', async () => {
    ds ??= loadTau2(dir!);
    server = await startFakeServer((req) => {
      const body = req.json as { messages: { role: string; content: string }[] };
      const decision = body.messages.at(-1)?.content ?? '';
      const content = /Open the conversation/.test(decision) ? 'Hey, I got order #W2378156 and need to swap two things in it.' : /AGREE/.test(decision) ? 'Yes, please do that.' : 'LLM says: ' + (/«(.*)»/s.exec(decision)?.[1] ?? '');
      return { body: { id: 'c', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }] } };
    });
    const db = await createTestDatabase();
    try {
      const { user } = await upsertUser(db.db, { email: 'tau2@test.example', role: 'agent', name: 'T' });
      const actor = { id: user.id, role: 'agent' as const };
      const deps = { db: db.db, clock: systemClock, tau2Voice: tau2VoiceFromEnv({ LLM_BASE_URL: `${server.url}/v1`, LLM_MODEL: 'm' }) };
      const list = await listScenarios(db.db, { source: 'tau2', category: 'exchange_request', limit: 200 });
      expect(list.total).toBeGreaterThan(10);
      expect(list.items.every((s) => s.source === 'tau2' && s.id.startsWith('tau2:'))).toBe(true);
      expect((await listScenarios(db.db, { source: 'tau2', tau2Dir: path.join(os.tmpdir(), 'no-such-tau2') })).total).toBe(0);

      const sess = await startSession(deps, { scenarioId: 'tau2:0', seed: 4 }, actor);
      expect(sess.transcript[0].text).toBe('Hey, I got order #W2378156 and need to swap two things in it.');
      const script = goldScript(ds.db, task('0'));
      let last;
      for (const t of script.turns.slice(0, 3)) last = await postTurn(deps, sess.id, t, actor);
      expect(last?.tools[0]).toMatchObject({ ok: true, name: 'get_order_details' });
      clearDrillCache(); // another node: rebuilt from the stored turns, with the words shown
      const view = await getSession(deps, sess.id, actor);
      expect(view.transcript[0].text).toBe('Hey, I got order #W2378156 and need to swap two things in it.');
      expect(view.transcript.find((e) => e.role === 'customer' && e.text.startsWith('LLM says:'))).toBeTruthy();
      expect((view.sandbox as { tau2: { user: { user_id: string } | null } }).tau2.user?.user_id).toBe('yusuf_rossi_9620');
      for (const t of script.turns.slice(3)) {
        last = await postTurn(deps, sess.id, t, actor);
        if (last.ended) break;
      }
      const yes = (await getSession(deps, sess.id, actor)).transcript.find((e) => e.reactions?.some((r) => r.startsWith('confirmed:')));
      expect(yes?.text).toBe('Yes, please do that.');
      const report = last?.report ?? (await endSession(deps, sess.id, actor));
      expect(report.passed).toBe(true);
      expect((report as { tau2?: { dbMatches: boolean } }).tau2?.dbMatches).toBe(true);
    } finally {
      await db.close();
    }
  });
});

// --- the terminal --------------------------------------------------------------------------

const run = promisify(execFile);
const bin = path.join(repoRoot, 'bin', 'crossdesk.js');

describe.skipIf(!dir)('crossdesk drill … --tau2', { timeout: 180_000 }, () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tau2-drill-'));

  it('drill list --tau2 lists the tasks with their category; run --tau2 --script --json scores a scripted trainee', async () => {
    ds ??= loadTau2(dir!);
    const list = JSON.parse((await run(process.execPath, [bin, 'drill', 'list', '--tau2', '--json'], { cwd: repoRoot, maxBuffer: 8 << 20 })).stdout) as { id: string; category: string }[];
    expect(list).toHaveLength(ds.tasks.length);
    expect(list[0]).toMatchObject({ id: 'tau2:0', category: 'exchange_request' });
    const good = path.join(tmp, 'good.json');
    fs.writeFileSync(good, JSON.stringify(goldScript(ds.db, task('0'))));
    const r = JSON.parse((await run(process.execPath, [bin, 'drill', 'run', '--tau2', '0', '--script', good, '--json'], { cwd: repoRoot, maxBuffer: 8 << 20 })).stdout) as { passed: boolean; tau2: { dbMatches: boolean } };
    expect(r.passed).toBe(true);
    expect(r.tau2.dbMatches).toBe(true);
    const missing = await run(process.execPath, [bin, 'drill', 'run', '--tau2', '9999', '--script', good], { cwd: repoRoot }).catch((e: { code: number; stderr: string }) => e);
    expect((missing as { code: number }).code).not.toBe(0);
    expect((missing as { stderr: string }).stderr).toMatch(/unknown tau2 task 9999/);
  });

  it('drill play --tau2 reads the trainee from stdin: replies and /tool calls, then the score', async () => {
    const lines = [
      'Hello! Could you tell me your name and zip code?',
      '/tool find_user_id_by_name_zip {"first_name":"Yusuf","last_name":"Rossi","zip":"19122"}',
      '/tool exchange_delivered_order_items {"order_id":"#W2378156","item_ids":["1151293680"],"new_item_ids":["7706410293"],"payment_method_id":"credit_card_9513926"}',
      '/end',
    ];
    const child = spawn(process.execPath, [bin, 'drill', 'play', '--tau2', '0', '--lang', 'en'], { cwd: repoRoot, env: { ...process.env, LLM_BASE_URL: '' } });
    let stdout = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stdin.end(lines.join('\n') + '\n');
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    expect(stdout).toMatch(/Customer: .*I received my order #W2378156/);
    expect(stdout).toMatch(/Customer: I am Yusuf Rossi in zip code 19122\./);
    expect(stdout).toMatch(/✗ exchange_delivered_order_items: .*without the user's explicit confirmation/);
    expect(stdout).toMatch(/== Score: [\d.]+ — FAILED \(.*process_rule/);
  });
});
