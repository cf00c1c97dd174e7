import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startTestServer, type TestServer } from './helpers/server.ts';

describe('health, docs and errors', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(async () => s.close());

  it('reports health with the database kind', async () => {
    const res = await s.app.inject({ url: '/api/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'ok', database: s.db.kind, version: expect.any(String) });
  });

  it('documents every /api/v1 route in OpenAPI with schemas', async () => {
    const res = await s.app.inject({ url: '/api/docs/json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json() as { openapi: string; paths: Record<string, Record<string, { responses?: object; requestBody?: object }>> };
    expect(doc.openapi).toMatch(/^3\./);
    for (const p of ['/api/v1/tickets', '/api/v1/tickets/{id}', '/api/v1/tickets/{id}/messages', '/api/v1/stores', '/api/v1/auth/login']) {
      expect(doc.paths[p], p).toBeDefined();
    }
    expect(doc.paths['/api/v1/tickets'].post.requestBody).toBeDefined();
    expect(Object.keys(doc.paths['/api/v1/tickets'].post.responses ?? {})).toContain('201');
    const ui = await s.app.inject({ url: '/api/docs' });
    expect([200, 302]).toContain(ui.statusCode);
  });

  it('answers unknown API routes with the JSON error shape', async () => {
    const { token } = await s.tokenFor('agent');
    const res = await s.app.inject({ url: '/api/v1/nothing-here', headers: bearer(token) });
    expect(res.statusCode).toBe(404);
    expect(res.json().error).toMatchObject({ code: 'not_found' });
  });

  it('keeps a script tag in a customer name as text, never markup', async () => {
    const { token } = await s.tokenFor('agent');
    const res = await s.app.inject({
      method: 'POST',
      url: '/api/v1/tickets',
      headers: bearer(token),
      payload: { subject: '<img src=x onerror=alert(1)>', body: 'hi <script>alert(1)</script>', customer: { email: 'x@example.com', name: '<script>alert("x")</script>' } },
    });
    expect(res.statusCode).toBe(201);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    // stored verbatim (the UI renders text, not HTML) and returned as JSON strings
    expect(res.json().customer.name).toBe('<script>alert("x")</script>');
  });
});
