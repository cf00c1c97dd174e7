import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startTestServer, type TestServer } from './helpers/server.ts';
import { clearDrillCache } from '../src/training/store.ts';
import { EXCELLENT } from '../src/training/fixtures/de-lamp-scripts.ts';

let s: TestServer;
let agent: string;
let agentId: string;
let agent2: string;
let trainer: string;
let admin: string;

beforeAll(async () => {
  s = await startTestServer();
  ({ token: agent, userId: agentId } = await s.tokenFor('agent'));
  ({ token: agent2 } = await s.tokenFor('agent'));
  ({ token: trainer } = await s.tokenFor('trainer'));
  ({ token: admin } = await s.tokenFor('admin'));
});
afterAll(async () => {
  await s?.close();
});

const req = (method: 'GET' | 'POST' | 'PATCH', url: string, token: string, payload?: unknown) =>
  s.app.inject({ method, url: `/api/v1${url}`, headers: bearer(token), ...(payload === undefined ? {} : { payload: payload as object }) });

describe('drill API', () => {
  it('lists scenarios with filters and pagination; validates the query', async () => {
    const all = (await req('GET', '/scenarios?limit=200', agent)).json();
    expect(all.total).toBeGreaterThanOrEqual(3);
    const de = (await req('GET', '/scenarios?category=damaged_item&market=DE&difficulty=hard', agent)).json();
    expect(de.items.map((x: { id: string }) => x.id)).toContain('de-damaged-lamp-gift');
    expect(de.items.every((x: { market: string; category: string }) => x.market === 'DE' && x.category === 'damaged_item')).toBe(true);
    const page = (await req('GET', '/scenarios?limit=1&offset=1', agent)).json();
    expect(page.items).toHaveLength(1);
    expect(page.items[0].id).toBe(all.items[1].id);
    expect((await req('GET', '/scenarios?limit=abc', agent)).statusCode).toBe(400);
    expect((await req('GET', '/scenarios?colour=red', agent)).statusCode).toBe(400);
    expect((await s.app.inject({ method: 'GET', url: '/api/v1/scenarios' })).statusCode).toBe(401);
  });

  it('shows trainees the public part, trainers the whole scenario; 404 for unknown ids', async () => {
    const pub = (await req('GET', '/scenarios/de-damaged-lamp-gift', agent)).json();
    expect(pub.opening.text).toMatch(/Lampe/);
    expect(pub.full).toBeUndefined();
    expect(JSON.stringify(pub)).not.toMatch(/expected_end_state/);
    const full = (await req('GET', '/scenarios/de-damaged-lamp-gift', trainer)).json();
    expect(full.full.expected_end_state.length).toBe(2);
    expect(full.yaml).toMatch(/knows_and_reveals_when_asked/);
    const missing = await req('GET', '/scenarios/no-such-scenario', agent);
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('not_found');
  });

  it('plays a drill end to end: turns, tools, report; the session survives a lost cache', async () => {
    const start = await req('POST', '/drills', agent, { scenarioId: 'de-damaged-lamp-gift', seed: 1 });
    expect(start.statusCode).toBe(201);
    const sess = start.json();
    expect(sess.transcript[0].role).toBe('customer');
    expect(sess.sandbox.order.number).toBe('#1047');
    expect(sess.startHints.length).toBeGreaterThan(0);

    const t1 = (await req('POST', `/drills/${sess.id}/turns`, agent, EXCELLENT.turns[0])).json();
    expect(t1.customer.reactions).toContain('revealed:deadline');
    clearDrillCache(); // another node: rebuilt from the stored turns
    const again = (await req('GET', `/drills/${sess.id}`, agent)).json();
    expect(again.transcript).toHaveLength(3);
    expect(again.transcript[2].text).toBe(t1.customer.text);

    const t2 = (await req('POST', `/drills/${sess.id}/turns`, agent, EXCELLENT.turns[1])).json();
    expect(t2.tools[0]).toMatchObject({ name: 'reship', ok: true });
    expect(t2.state.status).toBe('accepted');
    await req('POST', `/drills/${sess.id}/turns`, agent, EXCELLENT.turns[2]);

    expect((await req('GET', `/drills/${sess.id}/report`, agent)).statusCode).toBe(409);
    const end = await req('POST', `/drills/${sess.id}/end`, agent);
    expect(end.statusCode).toBe(200);
    const report = end.json();
    expect(report.passed).toBe(true);
    expect(report.score).toBeGreaterThan(80);
    expect(report.dimensions.outcome.score).toBe(1);
    expect(report.outcome.endState.matched).toBe('express reship');
    expect((await req('GET', `/drills/${sess.id}/report`, trainer)).json().score).toBe(report.score);
    const after = await req('POST', `/drills/${sess.id}/turns`, agent, { text: 'Hallo?' });
    expect(after.statusCode).toBe(409);

    const mine = (await req('GET', '/drills', agent)).json();
    expect(mine.items[0]).toMatchObject({ id: sess.id, status: 'ended', passed: true });
  });

  it('validates turns and sessions; only the owner plays, trainers may read', async () => {
    const sess = (await req('POST', '/drills', agent, { scenarioId: 'jp-wrong-size-exchange', seed: 2, variant: 'calm' })).json();
    expect(sess.variant).toBe('calm');
    expect((await req('POST', '/drills', agent, { scenarioId: 'jp-wrong-size-exchange', extra: 1 })).statusCode).toBe(400);
    expect((await req('POST', '/drills', agent, { scenarioId: 'jp-wrong-size-exchange', variant: 'nope' })).statusCode).toBe(400);
    expect((await req('POST', '/drills', agent, { scenarioId: 'nope' })).statusCode).toBe(404);
    expect((await req('POST', `/drills/${sess.id}/turns`, agent, {})).statusCode).toBe(400);
    expect((await req('POST', `/drills/${sess.id}/turns`, agent, { text: 5 })).statusCode).toBe(400);
    expect((await req('POST', `/drills/${sess.id}/turns`, agent, { tools: [{ name: 'refund', args: {} }] })).statusCode).toBe(400);
    const refused = (await req('POST', `/drills/${sess.id}/turns`, agent, { tools: [{ name: 'exchange', arguments: { order: '#3318', new_sku: 'JKT-NAVY-L' } }] })).json();
    expect(refused.tools[0].ok).toBe(false);
    expect(refused.tools[0].error.message).toMatch(/No stock/);
    expect(refused.customer).toBeNull();
    expect((await req('GET', `/drills/${sess.id}`, agent2)).statusCode).toBe(404);
    expect((await req('GET', `/drills/${sess.id}`, trainer)).statusCode).toBe(200);
    expect((await req('POST', `/drills/${sess.id}/turns`, trainer, { text: 'hi' })).statusCode).toBe(403);
    expect((await req('GET', '/drills/00000000-0000-7000-8000-000000000000', agent)).statusCode).toBe(404);
    expect((await req('GET', `/drills?userId=${agentId}`, agent2)).statusCode).toBe(403);
    expect((await req('GET', `/drills?userId=${agentId}`, trainer)).json().items.length).toBeGreaterThan(0);
  });

  it('assigns scenarios (trainers only), lists my assignments, completes one; reports pass^k', async () => {
    expect((await req('POST', '/drills/assignments', agent, { scenarioId: 'de-damaged-lamp-gift', userId: agentId })).statusCode).toBe(403);
    expect((await req('POST', '/drills/assignments', trainer, { scenarioId: 'de-damaged-lamp-gift', userId: 'x' })).statusCode).toBe(400);
    expect((await req('POST', '/drills/assignments', trainer, { scenarioId: 'nope', userId: agentId })).statusCode).toBe(404);
    const a = await req('POST', '/drills/assignments', trainer, { scenarioId: 'de-damaged-lamp-gift', userId: agentId, variant: 'furious', note: 'Übung', dueAt: '2030-01-01T00:00:00Z' });
    expect(a.statusCode).toBe(201);
    const asg = a.json();
    const mine = (await req('GET', '/drills/assignments', agent)).json();
    expect(mine.items.map((x: { id: string }) => x.id)).toContain(asg.id);
    expect((await req('GET', `/drills/assignments?userId=${agentId}`, agent2)).statusCode).toBe(403);

    const sess = (await req('POST', '/drills', agent, { scenarioId: 'de-damaged-lamp-gift', assignmentId: asg.id, seed: 5 })).json();
    expect(sess.variant).toBe('furious');
    for (const t of EXCELLENT.turns) await req('POST', `/drills/${sess.id}/turns`, agent, t);
    await req('POST', `/drills/${sess.id}/end`, agent);
    const done = (await req('GET', '/drills/assignments', agent)).json().items.find((x: { id: string }) => x.id === asg.id);
    expect(done.status).toBe('passed');
    expect(done.bestScore).toBeGreaterThan(70);

    const pk = (await req('GET', '/drills/pass-k?scenarioId=de-damaged-lamp-gift', agent)).json();
    expect(pk.k).toBe(2); // base and furious played
    expect(pk.passK).toBe(1);
    expect((await req('GET', `/drills/pass-k?scenarioId=de-damaged-lamp-gift&userId=${agentId}`, agent2)).statusCode).toBe(403);
  });

  it('turns a solved ticket into a playable scenario draft with personal data replaced', async () => {
    const t = (
      await req('POST', '/tickets', admin, {
        subject: 'Kaputte Tasse, Bestellung #88231',
        body: 'Hallo, hier ist Maria Schneider (maria.schneider@example.de, +49 170 1234567). Meine Tasse aus Bestellung #88231 kam zerbrochen an. Bitte um Ersatz.',
        customer: { email: 'maria.schneider@example.de', name: 'Maria Schneider', language: 'de', country: 'DE' },
        category: 'damaged_item',
      })
    ).json();
    expect((await req('POST', '/scenarios/from-ticket', trainer, { ticketId: t.id })).statusCode).toBe(409);
    const solved = await req('PATCH', `/tickets/${t.id}`, admin, { status: 'solved', playbookOverrideReason: 'test' });
    expect(solved.statusCode).toBe(200);
    expect((await req('POST', '/scenarios/from-ticket', agent, { ticketId: t.id })).statusCode).toBe(403);
    const r = await req('POST', '/scenarios/from-ticket', trainer, { ticketId: t.id });
    expect(r.statusCode).toBe(201);
    const out = r.json();
    expect(out.yaml).not.toMatch(/Maria|Schneider|maria\.schneider|1234567|88231/);
    expect(out.scenario).toMatchObject({ market: 'DE', language: 'de', category: 'damaged_item', source: 'ticket' });
    const listed = (await req('GET', '/scenarios?source=ticket', agent)).json();
    expect(listed.items.map((x: { id: string }) => x.id)).toContain(out.id);
    const sess = await req('POST', '/drills', agent, { scenarioId: out.id });
    expect(sess.statusCode).toBe(201);
    expect(sess.json().transcript[0].text).toMatch(/Tasse/);
  });
});
