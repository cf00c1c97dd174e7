import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../server/app.ts';
import { ManualClock } from '../core/clock.ts';
import { MemoryEventBus } from '../core/events.ts';
import type { Database } from '../db/index.ts';
import type { Role } from '../db/types.ts';
import { createApiToken, upsertUser } from '../people/users.ts';
import { createTestDatabase } from '../../test/helpers/db.ts';
import { bearer } from '../../test/helpers/server.ts';
import { routingHooks, type RoutingDeps } from './routing.ts';
import { routingRoutes } from './routing-routes.ts';

describe('routing API', () => {
  let d: Database;
  let app: FastifyInstance;
  const clock = new ManualClock('2026-11-23T02:00:00Z'); // Monday 10:00 in Shanghai
  const tokens: Partial<Record<Role, string>> = {};
  let agentId = '';
  let n = 0;

  async function user(role: Role) {
    const { user: u } = await upsertUser(d.db, {
      email: `${role}${++n}@test.example`,
      role,
      timezone: 'Asia/Shanghai',
      languages: [{ code: 'en', proficiency: 'fluent' }],
      skills: ['order_status'],
      certificationLevel: 'L2',
    });
    return { id: u.id, token: await createApiToken(d.db, u.id, 'test') };
  }

  beforeAll(async () => {
    d = await createTestDatabase();
    const bus = new MemoryEventBus();
    const deps: RoutingDeps = { db: d.db, bus, clock, dbKind: d.kind };
    const hooks = routingHooks(deps);
    app = await buildApp({ db: d.db, dbKind: d.kind, bus, clock, afterIntake: hooks.afterIntake });
    // the lead wires this into buildApp; registered here until then
    if (!app.hasRoute({ method: 'GET', url: '/api/v1/routing/rules' })) await app.register(routingRoutes(deps), { prefix: '/api/v1' });
    await app.ready();
    for (const role of ['admin', 'manager', 'trainer'] as const) tokens[role] = (await user(role)).token;
    const a = await user('agent');
    tokens.agent = a.token;
    agentId = a.id;
  });
  afterAll(async () => {
    await app.close();
    await d.close();
  });

  const call = (method: 'GET' | 'PUT' | 'POST' | 'DELETE', url: string, role: Role, payload?: object) =>
    app.inject({ method, url, headers: bearer(tokens[role] ?? ''), ...(payload ? { payload } : {}) });

  it('lets managers read the rules and only admins change them', async () => {
    const read = await call('GET', '/api/v1/routing/rules', 'manager');
    expect(read.statusCode).toBe(200);
    expect(read.json().items[0]).toMatchObject({ scope: 'global', storeId: null, settings: { enabled: true, requireLanguage: true, minProficiency: 'working', highRiskMinLevel: 'L2', respectMaxLoad: true } });
    expect((await call('GET', '/api/v1/routing/rules', 'agent')).statusCode).toBe(403);
    expect((await app.inject({ method: 'GET', url: '/api/v1/routing/rules' })).statusCode).toBe(401);
    expect((await call('PUT', '/api/v1/routing/rules', 'manager', { storeId: null, settings: { enabled: false } })).statusCode).toBe(403);

    const put = await call('PUT', '/api/v1/routing/rules', 'admin', { storeId: null, settings: { minProficiency: 'fluent', highRiskMinLevel: 'L3' } });
    expect(put.statusCode).toBe(200);
    expect(put.json().settings).toMatchObject({ minProficiency: 'fluent', highRiskMinLevel: 'L3', enabled: true });
    await call('PUT', '/api/v1/routing/rules', 'admin', { storeId: null, settings: { minProficiency: 'working', highRiskMinLevel: 'L2' } });
  });

  it('keeps a store\'s own rule beside the global one, and removes it', async () => {
    const stores = (await call('GET', '/api/v1/stores', 'admin')).json().items as Array<{ id: string }>;
    const storeId = stores[0].id;
    const put = await call('PUT', '/api/v1/routing/rules', 'admin', { storeId, settings: { requireSkill: false } });
    expect(put.statusCode).toBe(200);
    expect(put.json()).toMatchObject({ scope: storeId, storeId, settings: { requireSkill: false, requireLanguage: true } });
    expect((await call('GET', '/api/v1/routing/rules', 'admin')).json().items).toHaveLength(2);
    expect((await call('DELETE', `/api/v1/routing/rules/${storeId}`, 'admin')).statusCode).toBe(204);
    expect((await call('DELETE', `/api/v1/routing/rules/${storeId}`, 'admin')).statusCode).toBe(404);
    expect((await call('GET', '/api/v1/routing/rules', 'admin')).json().items).toHaveLength(1);
  });

  it('refuses bad rules with 400 or 404', async () => {
    const bad = [
      { storeId: null, settings: { highRiskMinLevel: 'L9' } },
      { storeId: null, settings: { minProficiency: 'perfect' } },
      { storeId: null, settings: { enabled: 'yes' } },
      { storeId: null, settings: { colour: 'red' } },
      { settings: {} },
      { storeId: 'not-an-id', settings: {} },
      { storeId: null, settings: { teamId: 'nope' } },
      { storeId: null, settings: { teamId: '018f0000-0000-7000-8000-000000000000' } },
    ];
    for (const body of bad) {
      const res = await call('PUT', '/api/v1/routing/rules', 'admin', body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().error.code).toBe('validation_failed');
    }
    const missing = await call('PUT', '/api/v1/routing/rules', 'admin', { storeId: '018f0000-0000-7000-8000-000000000000', settings: {} });
    expect(missing.statusCode).toBe(404);
  });

  it('reads and replaces an agent\'s shifts (admins and managers)', async () => {
    const url = `/api/v1/users/${agentId}/shifts`;
    const empty = await call('GET', url, 'manager');
    expect(empty.statusCode).toBe(200);
    expect(empty.json()).toMatchObject({ userId: agentId, timezone: 'Asia/Shanghai', shifts: [], presence: { state: 'auto' }, onShift: false });

    const put = await call('PUT', url, 'manager', { shifts: [{ weekday: 0, start: '09:00', end: '18:00' }, { weekday: 6, start: '22:00', end: '06:00' }] });
    expect(put.statusCode).toBe(200);
    expect(put.json()).toMatchObject({ onShift: true, shifts: [{ weekday: 0, start: '09:00', end: '18:00' }, { weekday: 6, start: '22:00', end: '06:00' }] });

    expect((await call('GET', url, 'agent')).statusCode).toBe(403);
    expect((await call('PUT', url, 'trainer', { shifts: [] })).statusCode).toBe(403);
    for (const shifts of [
      [{ weekday: 0, start: '25:00', end: '26:00' }],
      [{ weekday: 7, start: '09:00', end: '10:00' }],
      [{ weekday: 0, start: '09:00' }],
      [{ weekday: 0, start: '09:00', end: '12:00' }, { weekday: 0, start: '11:00', end: '13:00' }],
      [{ weekday: 0, start: '09:00', end: '09:00' }],
      'monday',
    ]) {
      const res = await call('PUT', url, 'admin', { shifts } as object);
      expect(res.statusCode, JSON.stringify(shifts)).toBe(400);
    }
    expect((await call('GET', '/api/v1/users/018f0000-0000-7000-8000-000000000000/shifts', 'admin')).statusCode).toBe(404);
    expect((await call('GET', '/api/v1/users/xyz/shifts', 'admin')).statusCode).toBe(404);
    // unchanged after the refusals
    expect((await call('GET', url, 'admin')).json().shifts).toHaveLength(2);
  });

  it('lets an agent go on and off shift; waiting tickets come to them', async () => {
    const off = await call('POST', '/api/v1/me/presence', 'agent', { state: 'off' });
    expect(off.statusCode).toBe(200);
    expect(off.json()).toMatchObject({ state: 'off', onShift: false });

    const created = await call('POST', '/api/v1/tickets', 'manager', {
      subject: 'Where is my parcel?',
      body: 'It has been two weeks.',
      customer: { email: 'kim@example.com', language: 'en' },
      category: 'order_status',
    });
    expect(created.statusCode).toBe(201);
    const ticket = created.json() as { id: string; assigneeId: string | null };
    expect(ticket.assigneeId).toBeNull();

    const queue = await call('GET', '/api/v1/routing/queue', 'manager');
    expect(queue.statusCode).toBe(200);
    const item = (queue.json().items as Array<{ ticketId: string; why: Array<{ code: string }> }>).find((i) => i.ticketId === ticket.id);
    expect(item?.why[0].code).toBe('off_shift');

    const on = await call('POST', '/api/v1/me/presence', 'agent', { state: 'on' });
    expect(on.json()).toMatchObject({ state: 'on', onShift: true, assigned: 1 });
    const detail = (await call('GET', `/api/v1/tickets/${ticket.id}`, 'manager')).json() as { assigneeId: string; events: Array<{ type: string; after: { outcome?: string } }> };
    expect(detail.assigneeId).toBe(agentId);
    expect(detail.events.filter((e) => e.type === 'routed').map((e) => e.after.outcome)).toEqual(['queued', 'assigned']);

    expect((await call('POST', '/api/v1/me/presence', 'agent', { state: 'away' })).statusCode).toBe(400);
    expect((await call('POST', '/api/v1/me/presence', 'agent', {})).statusCode).toBe(400);
    expect((await call('POST', '/api/v1/me/presence', 'trainer', { state: 'on' })).statusCode).toBe(403);
    expect((await call('GET', '/api/v1/routing/queue?limit=0', 'manager')).statusCode).toBe(400);
    expect((await call('GET', '/api/v1/routing/queue?limit=abc', 'manager')).statusCode).toBe(400);
    expect((await call('GET', '/api/v1/routing/queue', 'trainer')).statusCode).toBe(403);
  });
});
