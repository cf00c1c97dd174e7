import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startTestServer, type TestServer } from './helpers/server.ts';

describe('tickets API', () => {
  let s: TestServer;
  let agent: string;
  let admin: string;
  let agentId: string;
  beforeAll(async () => {
    s = await startTestServer();
    ({ token: agent, userId: agentId } = await s.tokenFor('agent'));
    ({ token: admin } = await s.tokenFor('admin'));
  });
  afterAll(async () => s.close());

  const create = (body: unknown, token = agent) => s.app.inject({ method: 'POST', url: '/api/v1/tickets', headers: bearer(token), payload: body as object });

  it('creates a ticket in the default store with SLA due times', async () => {
    const res = await create({ subject: 'Where is my order #1001?', body: 'Hello, my parcel has not arrived yet.', customer: { email: 'Anna@Example.com', name: 'Anna' } });
    expect(res.statusCode).toBe(201);
    const t = res.json();
    expect(t).toMatchObject({ status: 'new', subject: 'Where is my order #1001?', customer: { email: 'anna@example.com', name: 'Anna' } });
    expect(t.sla.firstResponseDueAt).toMatch(/^\d{4}-/);
    expect(new Date(t.sla.firstResponseDueAt).getTime()).toBeGreaterThan(new Date(t.createdAt).getTime());
    expect(typeof t.priority).toBe('string');
    expect(t.id).toMatch(/^[0-9a-f-]{36}$/);

    const detail = (await s.app.inject({ url: `/api/v1/tickets/${t.id}`, headers: bearer(agent) })).json();
    expect(detail.messages).toHaveLength(1);
    expect(detail.messages[0]).toMatchObject({ authorType: 'customer', internal: false, body: 'Hello, my parcel has not arrived yet.' });
    expect(detail.events.map((e: { type: string }) => e.type)).toContain('created');
  });

  it('replies, notes, changes status and records every change in the trail', async () => {
    const t = (await create({ subject: 'Broken lamp', body: 'It arrived broken.', customer: { email: 'jonas@example.de' } })).json();
    const reply = await s.app.inject({ method: 'POST', url: `/api/v1/tickets/${t.id}/messages`, headers: bearer(agent), payload: { body: 'Sorry to hear that! A replacement ships tomorrow.' } });
    expect(reply.statusCode).toBe(201);
    expect(reply.json()).toMatchObject({ authorType: 'agent', internal: false });
    const note = await s.app.inject({ method: 'POST', url: `/api/v1/tickets/${t.id}/messages`, headers: bearer(agent), payload: { body: 'check stock', internal: true } });
    expect(note.json().internal).toBe(true);

    const after = (await s.app.inject({ url: `/api/v1/tickets/${t.id}`, headers: bearer(agent) })).json();
    expect(after.status).toBe('open');
    expect(after.firstRespondedAt).not.toBeNull();

    const patch = await s.app.inject({ method: 'PATCH', url: `/api/v1/tickets/${t.id}`, headers: bearer(agent), payload: { status: 'pending', priority: 'high', tags: ['Damage', 'lamp'], assigneeId: agentId } });
    expect(patch.statusCode).toBe(200);
    expect(patch.json()).toMatchObject({ status: 'pending', priority: 'high', tags: ['damage', 'lamp'], assigneeId: agentId, sla: { paused: true } });
    const events = (await s.app.inject({ url: `/api/v1/tickets/${t.id}`, headers: bearer(agent) })).json().events;
    const status = events.find((e: { field: string; before: unknown }) => e.field === 'status' && e.before === 'open');
    expect(status).toMatchObject({ after: 'pending', actorType: 'user', actorId: agentId });
    expect(events.some((e: { field: string }) => e.field === 'priority')).toBe(true);
  });

  it('refuses an invalid transition with 409 and changes nothing', async () => {
    const t = (await create({ subject: 'x', body: 'y', customer: { email: 'c@example.com' } })).json();
    const closed = await s.app.inject({ method: 'PATCH', url: `/api/v1/tickets/${t.id}`, headers: bearer(agent), payload: { status: 'closed' } });
    expect(closed.statusCode).toBe(409);
    expect(closed.json().error.code).toBe('invalid_transition');
    const again = (await s.app.inject({ url: `/api/v1/tickets/${t.id}`, headers: bearer(agent) })).json();
    expect(again.status).toBe('new');
  });

  it('rejects bad input with the JSON error shape', async () => {
    const cases: Array<[unknown, number]> = [
      [{ subject: 'a', body: 'b', customer: { email: 'x@y.z' }, extra: 1 }, 400],
      [{ subject: 42, body: 'b', customer: { email: 'x@y.z' } }, 400],
      [{ subject: 'a', body: 'b', customer: { email: 'not-an-email' } }, 400],
      [{ subject: 'a', body: 'b' }, 400],
      [{ subject: 'a'.repeat(2 * 1024 * 1024), body: 'b', customer: { email: 'x@y.z' } }, 413],
      [{ subject: 'a', body: 'b', customer: { email: 'x@y.z' }, storeId: '0190a000-0000-7000-8000-000000000000' }, 404],
    ];
    for (const [body, status] of cases) {
      const res = await create(body);
      expect(res.statusCode, JSON.stringify(body).slice(0, 80)).toBe(status);
      expect(res.json().error.code).toEqual(expect.any(String));
      expect(res.json().error.message).toEqual(expect.any(String));
    }
    const notJson = await s.app.inject({ method: 'POST', url: '/api/v1/tickets', headers: { ...bearer(agent), 'content-type': 'application/json' }, payload: '{bad' });
    expect(notJson.statusCode).toBe(400);
    const unknown = await s.app.inject({ url: '/api/v1/tickets/0190a000-0000-7000-8000-000000000000', headers: bearer(agent) });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('not_found');
    const garbage = await s.app.inject({ url: '/api/v1/tickets/nope', headers: bearer(agent) });
    expect(garbage.statusCode).toBe(404);
    const count = (await s.app.inject({ url: '/api/v1/tickets?limit=200', headers: bearer(admin) })).json().items.length;
    expect(count).toBe(3);
  });

  it('requires a token (401) and the right role (403)', async () => {
    const none = await s.app.inject({ method: 'GET', url: '/api/v1/tickets' });
    expect(none.statusCode).toBe(401);
    expect(none.json().error.code).toBe('unauthorized');
    const wrong = await s.app.inject({ method: 'GET', url: '/api/v1/tickets', headers: bearer('cdt_nope') });
    expect(wrong.statusCode).toBe(401);
    const store = await s.app.inject({ method: 'POST', url: '/api/v1/stores', headers: bearer(agent), payload: { name: 'Shop' } });
    expect(store.statusCode).toBe(403);
    expect(store.json().error.code).toBe('forbidden');
    const ok = await s.app.inject({ method: 'POST', url: '/api/v1/stores', headers: bearer(admin), payload: { name: 'EU shop', market: 'DE', timezone: 'Europe/Berlin', platform: 'shopify', webhookSecret: 'shhh-secret' } });
    expect(ok.statusCode).toBe(201);
    expect(ok.json()).toMatchObject({ name: 'EU shop', market: 'DE', timezone: 'Europe/Berlin', hasWebhookSecret: true });
    expect(ok.json()).not.toHaveProperty('webhookSecret');
  });

  it('paginates with a cursor without gaps or repeats', async () => {
    for (let i = 0; i < 7; i++) await create({ subject: `page ${i}`, body: 'b', customer: { email: `p${i}@example.com` } });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { statusCode: number; json(): { items: Array<{ id: string }>; nextCursor: string | null } } = await s.app.inject({ url: `/api/v1/tickets?limit=4&sort=created_desc${cursor ? `&cursor=${cursor}` : ''}`, headers: bearer(admin) });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      seen.push(...body.items.map((t) => t.id));
      cursor = body.nextCursor;
    } while (cursor);
    expect(seen.length).toBe(10);
    expect(new Set(seen).size).toBe(10);
    const bad = await s.app.inject({ url: '/api/v1/tickets?cursor=garbage', headers: bearer(admin) });
    expect(bad.statusCode).toBe(400);
  });
});
