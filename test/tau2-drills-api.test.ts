/**
 * tau2 retail tasks through the drill API: the scenario source, a session played to the end,
 * the report's outcome check. Skipped when ../shared/datasets/tau2-retail is absent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedDataset } from '../src/core/paths.ts';
import { clearDrillCache } from '../src/training/store.ts';
import { goldScript } from '../src/training/tau2/gold-script.ts';
import { loadTau2 } from '../src/training/tau2/load.ts';
import { bearer, startTestServer, type TestServer } from './helpers/server.ts';

const dir = sharedDataset('tau2-retail');
if (!dir) console.warn('tau2 retail dataset not found: skipping the tau2 drill API tests');

describe.skipIf(!dir)('tau2 drills over HTTP', { timeout: 180_000 }, () => {
  let s: TestServer;
  let agent: string;
  let agent2: string;
  let agent2Id: string;
  let trainer: string;
  beforeAll(async () => {
    s = await startTestServer();
    ({ token: agent } = await s.tokenFor('agent'));
    ({ token: agent2, userId: agent2Id } = await s.tokenFor('agent'));
    ({ token: trainer } = await s.tokenFor('trainer'));
  });
  afterAll(async () => {
    await s?.close();
  });
  const req = (method: 'GET' | 'POST', url: string, token: string, payload?: unknown) =>
    s.app.inject({ method, url: `/api/v1${url}`, headers: bearer(token), ...(payload === undefined ? {} : { payload: payload as object }) });

  it('lists the tasks as source=tau2 (only when asked for) and shows one without its gold actions to trainees', async () => {
    const list = (await req('GET', '/scenarios?source=tau2&limit=200', agent)).json();
    expect(list.total).toBe(114);
    expect(list.items[0]).toMatchObject({ source: 'tau2', market: 'US', language: 'en' });
    const cancels = (await req('GET', '/scenarios?source=tau2&category=cancellation', agent)).json();
    expect(cancels.items.length).toBeGreaterThan(0);
    expect(cancels.items.every((x: { category: string }) => x.category === 'cancellation')).toBe(true);
    const lib = (await req('GET', '/scenarios?limit=200', agent)).json();
    expect(lib.items.some((x: { source: string }) => x.source === 'tau2')).toBe(false);
    expect((await req('GET', '/scenarios?source=tau3', agent)).statusCode).toBe(400);

    const pub = (await req('GET', '/scenarios/tau2:0', agent)).json();
    expect(pub.opening.text).toMatch(/I received my order #W2378156/);
    expect(pub.tools.map((t: { name: string }) => t.name)).toContain('exchange_delivered_order_items');
    expect(pub.tools.find((t: { name: string }) => t.name === 'exchange_delivered_order_items').args).toContain('item_ids[]');
    expect(pub.full).toBeUndefined();
    expect(JSON.stringify(pub)).not.toMatch(/7706410293/); // the gold new item
    const full = (await req('GET', '/scenarios/tau2:0', trainer)).json();
    expect(full.full.goldActions.length).toBe(5);
    expect((await req('GET', '/scenarios/tau2:9999', agent)).statusCode).toBe(404);
  });

  it('plays a task to the end: tools on the sandbox, the yes, the report with the outcome check', async () => {
    const ds = loadTau2(dir!);
    const bad = await req('POST', '/drills', agent, { scenarioId: 'tau2:0', variant: 'furious' });
    expect(bad.statusCode).toBe(400);
    expect((await req('POST', '/drills', agent, { scenarioId: 'tau2:9999' })).statusCode).toBe(404);

    const start = await req('POST', '/drills', agent, { scenarioId: 'tau2:0', seed: 2 });
    expect(start.statusCode).toBe(201);
    const sess = start.json();
    expect(sess.scenario.source).toBe('tau2');
    expect(sess.sandbox.tau2).toEqual({ user: null, orders: [], confirmed: false, transferred: false, violations: [] });

    // a write before authenticating: refused, a violation
    const early = (await req('POST', `/drills/${sess.id}/turns`, agent, { tools: [{ name: 'get_order_details', arguments: { order_id: '#W2378156' } }] })).json();
    expect(early.tools[0]).toMatchObject({ ok: false, error: { code: 'policy' } });
    expect((await req('POST', `/drills/${sess.id}/turns`, agent2, { text: 'hi' })).statusCode).toBe(404);
    // bad input: a wrong tool or argument type is a refused call, shown as it was sent; no turn at all is a 400
    const odd = await req('POST', `/drills/${sess.id}/turns`, agent, { tools: [{ name: 'get_order_details', arguments: { order_id: { id: 1 } } }, { name: 'no_such_tool' }] });
    expect(odd.statusCode).toBe(200);
    expect(odd.json().tools).toEqual([
      expect.objectContaining({ ok: false, args: { order_id: '{"id":1}' }, error: expect.objectContaining({ code: 'invalid_arguments' }) as object }),
      expect.objectContaining({ ok: false, error: expect.objectContaining({ message: 'unknown tool "no_such_tool"' }) as object }),
    ]);
    expect((await req('POST', `/drills/${sess.id}/turns`, agent, {})).statusCode).toBe(400);
    expect((await req('POST', `/drills/${sess.id}/turns`, agent, { text: 'x', extra: 1 })).statusCode).toBe(400);

    let last: { ended: boolean; report: unknown; customer: { reactions: string[] } | null; tools: { ok: boolean; args: Record<string, unknown> }[] } | undefined;
    const reactions: string[] = [];
    for (const t of goldScript(ds.db, ds.tasks[0]).turns) {
      const r = await req('POST', `/drills/${sess.id}/turns`, agent, t);
      expect(r.statusCode).toBe(200);
      last = r.json();
      reactions.push(...(last?.customer?.reactions ?? []));
      if (last?.ended) break;
      if (t.tools?.[0]?.name === 'get_order_details') {
        clearDrillCache(); // as if the next turn went to another node
        const view = (await req('GET', `/drills/${sess.id}`, agent)).json();
        expect(view.sandbox.customer.email).toBe(ds.db.users.yusuf_rossi_9620.email);
        expect(view.sandbox.tau2.orders[0].order_id).toBe('#W2378156');
      }
    }
    expect(reactions).toContain('confirmed:exchange_delivered_order_items');
    const exchange = (await req('GET', `/drills/${sess.id}`, agent)).json().transcript.flatMap((e: { tools?: { name: string; args: Record<string, unknown> }[] }) => e.tools ?? []).find((x: { name: string }) => x.name === 'exchange_delivered_order_items');
    expect(exchange.args.item_ids).toEqual(['1151293680', '4983901480']);
    expect(last?.ended).toBe(true);

    const end = await req('POST', `/drills/${sess.id}/end`, agent);
    expect(end.statusCode).toBe(200);
    const report = end.json();
    // the early lookup broke a process rule: the database matches, the drill does not pass
    expect(report.tau2.dbMatches).toBe(true);
    expect(report.tau2.violations[0]).toMatch(/before the user was authenticated/);
    expect(report.failReasons).toContain('process_rule');
    expect(report.passed).toBe(false);
    expect(report.outcome.endState.alternatives[0].extra[0]).toMatch(/process rule/);
    expect(report.tau2.goldActions[4].name).toBe('exchange_delivered_order_items');
    expect((await req('GET', `/drills/${sess.id}/report`, trainer)).json().tau2.taskId).toBe('0');
    const mine = (await req('GET', '/drills?scenarioId=tau2:0', agent)).json();
    expect(mine.items[0]).toMatchObject({ scenarioId: 'tau2:0', status: 'ended', passed: false });
  });

  it('trainers assign a tau2 task; the trainee starts it from the assignment', async () => {
    const me = (await req('GET', '/drills/assignments', agent2)).json();
    expect(me.items).toEqual([]);
    const a = await req('POST', '/drills/assignments', trainer, { scenarioId: 'tau2:3', userId: agent2Id });
    expect(a.statusCode).toBe(201);
    expect(a.json().scenarioTitle.en).toMatch(/tau2 retail task 3/);
    const started = await req('POST', '/drills', agent2, { scenarioId: 'tau2:3', assignmentId: a.json().id });
    expect(started.statusCode).toBe(201);
    expect(started.json().assignmentId).toBe(a.json().id);
  });
});
