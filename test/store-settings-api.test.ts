// The API contract the store settings page relies on (web/src/admin/StoreSettings.tsx):
// which role may write which section (store/api.ts writeRights mirrors it), and 400s that
// name the field, so the page can show the error at that field.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startTestServer, type TestServer } from './helpers/server.ts';
import { createStore } from '../src/helpdesk/stores.ts';
import { writeRights } from '../web/src/admin/store/api.ts';
import { fieldErrors } from '../web/src/admin/store/format.ts';

describe('store settings API for the settings page', () => {
  let s: TestServer;
  let storeId: string;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    s = await startTestServer();
    storeId = (await createStore(s.db.db, { name: 'Settings shop', market: 'DE', timezone: 'Europe/Berlin' })).id;
    for (const role of ['admin', 'manager', 'trainer', 'agent'] as const) tokens[role] = (await s.tokenFor(role)).token;
  });
  afterAll(async () => s.close());

  const call = (role: string, method: 'GET' | 'PUT' | 'PATCH', url: string, payload?: unknown) => s.app.inject({ method, url, headers: bearer(tokens[role]), payload: payload as object });

  it('each role may write exactly the sections the page lets it edit', async () => {
    const writes = {
      general: (role: string) => call(role, 'PATCH', `/api/v1/stores/${storeId}`, { supportEmail: 'help@shop.example' }),
      sla: (role: string) => call(role, 'PUT', `/api/v1/stores/${storeId}/sla/urgent`, { firstResponseMinutes: 90, nextResponseMinutes: 240, resolutionMinutes: 1440 }),
      returns: (role: string) => call(role, 'PUT', `/api/v1/stores/${storeId}/return-policy`, { returnWindowDays: 30 }),
      bot: (role: string) => call(role, 'PUT', `/api/v1/stores/${storeId}/bot-settings`, { faqThreshold: 0.8 }),
      surveys: (role: string) => call(role, 'PUT', `/api/v1/stores/${storeId}/survey-settings`, { npsEvery: 5 }),
      widget: (role: string) => call(role, 'PUT', `/api/v1/stores/${storeId}/chat-widget`, { allowedOrigins: ['https://shop.example'] }),
    };
    for (const role of ['admin', 'manager'] as const) {
      const rights = writeRights(role);
      for (const [section, write] of Object.entries(writes)) {
        const res = await write(role);
        expect(res.statusCode, `${role} writes ${section}`).toBe(rights[section as keyof typeof rights] ? 200 : 403);
      }
    }
    // and managers can read every section they see
    for (const path of ['', '/sla', '/return-policy', '/bot-settings', '/survey-settings', '/chat-widget']) {
      expect((await call('manager', 'GET', `/api/v1/stores/${storeId}${path}`)).statusCode, path).toBe(200);
    }
  });

  it('400s name the field: domain checks and schema checks', async () => {
    const tz = await call('admin', 'PATCH', `/api/v1/stores/${storeId}`, { timezone: 'Mars/Olympus' });
    expect(tz.statusCode).toBe(400);
    expect(Object.keys(fieldErrors(tz.json().error.details, tz.json().error.message))).toEqual(['timezone']);
    const hours = await call('admin', 'PATCH', `/api/v1/stores/${storeId}`, { businessHours: { '0': [['18:00', '09:00']] } });
    expect(hours.statusCode).toBe(400);
    expect(Object.keys(fieldErrors(hours.json().error.details, ''))).toEqual(['businessHours']);
    const sla = await call('admin', 'PUT', `/api/v1/stores/${storeId}/sla/high`, { firstResponseMinutes: 0, nextResponseMinutes: 10, resolutionMinutes: 10 });
    expect(sla.statusCode).toBe(400);
    expect(Object.keys(fieldErrors(sla.json().error.details, ''))).toEqual(['firstResponseMinutes']);
    const bot = await call('admin', 'PUT', `/api/v1/stores/${storeId}/bot-settings`, { faqThreshold: 1.5 });
    expect(fieldErrors(bot.json().error.details, '')).toEqual({ faqThreshold: 'must be <= 1' });
    const origin = await call('admin', 'PUT', `/api/v1/stores/${storeId}/chat-widget`, { allowedOrigins: ['https://shop.example/page'] });
    expect(Object.keys(fieldErrors(origin.json().error.details, ''))).toEqual(['allowedOrigins']);
  });

  it('a return policy below the law comes back with warnings in both UI languages and their source', async () => {
    const res = await call('manager', 'PUT', `/api/v1/stores/${storeId}/return-policy`, { returnWindowDays: 7, restockingFeePercent: 10 });
    expect(res.statusCode).toBe(200);
    const w = res.json().warnings as Array<{ code: string; field: string; localized: { en: string; zh: string }; source: string }>;
    expect(w.map((x) => x.code).sort()).toEqual(['restocking_fee_limited', 'return_window_too_short']);
    for (const x of w) {
      expect(x.localized.zh).toMatch(/德国/);
      expect(x.source.length).toBeGreaterThan(3);
    }
  });
});
