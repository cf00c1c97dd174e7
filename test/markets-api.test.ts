import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startTestServer, type TestServer } from './helpers/server.ts';

describe('markets API', () => {
  let s: TestServer;
  let agent: string;
  beforeAll(async () => {
    s = await startTestServer();
    ({ token: agent } = await s.tokenFor('agent'));
  });
  afterAll(async () => s.close());

  it('lists the markets and gives one with its rules, sources and culture', async () => {
    const list = await s.app.inject({ method: 'GET', url: '/api/v1/markets', headers: bearer(agent) });
    expect(list.statusCode).toBe(200);
    const codes = list.json().items.map((m: { code: string }) => m.code);
    for (const c of ['US', 'GB', 'DE', 'FR', 'ES', 'IT', 'NL', 'PL', 'SE', 'JP', 'KR', 'AU', 'CA', 'MX', 'BR', 'AE', 'SA']) expect(codes).toContain(c);
    const de = await s.app.inject({ method: 'GET', url: '/api/v1/markets/de', headers: bearer(agent) });
    expect(de.statusCode, de.body).toBe(200);
    const m = de.json();
    expect(m.consumer.withdrawal).toMatchObject({ days: 14, from: 'delivery' });
    expect(m.consumer.withdrawal.source).toMatch(/2011\/83\/EU/);
    expect(m.consumer.returnShipping).toMatchObject({ faulty: 'seller', damaged: 'seller' });
    expect(m.culture.address).toBe('Sie');
    expect(m.culture.zh.tips.length).toBeGreaterThan(0);
  });

  it('unknown market 404, bad code 400, no token 401', async () => {
    expect((await s.app.inject({ method: 'GET', url: '/api/v1/markets/ZZ', headers: bearer(agent) })).statusCode).toBe(404);
    expect((await s.app.inject({ method: 'GET', url: '/api/v1/markets/germany', headers: bearer(agent) })).statusCode).toBe(400);
    expect((await s.app.inject({ method: 'GET', url: '/api/v1/markets/DE' })).statusCode).toBe(401);
  });
});
