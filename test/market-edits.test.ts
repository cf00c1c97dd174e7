/**
 * Trainers edit market rules in the product (issue 4): PUT /markets/:code with optimistic
 * concurrency, GET /markets/:code/history, DELETE /markets/:code/override; roles, strict
 * schemas, validation by the files' validator, the store-policy warning following the edit,
 * no leak between apps on different databases, and the reload of another app node on the
 * same PostgreSQL database through the event bus.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { bearer, startTestServer, type TestServer } from './helpers/server.ts';
import { createTestDatabase } from './helpers/db.ts';
import { buildApp } from '../src/server/app.ts';
import { openDatabase, type Database } from '../src/db/index.ts';
import { systemClock } from '../src/core/clock.ts';
import { randomToken } from '../src/core/ids.ts';
import { PostgresEventBus } from '../src/core/event-bus-remote.ts';
import { createApiToken, upsertUser } from '../src/people/users.ts';
import { createStore } from '../src/helpdesk/stores.ts';
import { getMarket } from '../src/markets/index.ts';

const DATABASE_URL = process.env.DATABASE_URL;

const DE_WITHDRAWAL = { days: 30, from: 'delivery', source: 'House rule of the test: 30 days (BGB §356 minimum is 14)', note: 'Longer than the law on purpose.' };

describe('editing market rules', () => {
  let s: TestServer;
  let other: TestServer;
  let trainer: string;
  let admin: string;
  let agent: string;
  let manager: string;
  let trainerName = '';

  beforeAll(async () => {
    s = await startTestServer();
    other = await startTestServer();
    const t = await s.tokenFor('trainer', 'trainer-markets@test.example');
    trainer = t.token;
    trainerName = (await s.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(trainer) })).json().user.name as string;
    ({ token: admin } = await s.tokenFor('admin'));
    ({ token: agent } = await s.tokenFor('agent'));
    ({ token: manager } = await s.tokenFor('manager'));
  }, 60_000);
  afterAll(async () => {
    await s?.close();
    await other?.close();
  });

  const get = (srv: TestServer, token: string, url: string) => srv.app.inject({ method: 'GET', url, headers: bearer(token) });
  const put = (token: string, code: string, payload: unknown) => s.app.inject({ method: 'PUT', url: `/api/v1/markets/${code}`, headers: bearer(token), payload: payload as object });

  it('agents read but may not write; trainers, managers and admins may', async () => {
    expect((await get(s, agent, '/api/v1/markets/FR')).statusCode).toBe(200);
    expect((await get(s, agent, '/api/v1/markets/FR/history')).json()).toEqual({ items: [] });
    const denied = await put(agent, 'FR', { version: 0, culture: { address: 'tu' } });
    expect(denied.statusCode).toBe(403);
    expect(denied.json().error.code).toBe('forbidden');
    expect((await s.app.inject({ method: 'DELETE', url: '/api/v1/markets/FR/override', headers: bearer(agent) })).statusCode).toBe(403);
    expect((await s.app.inject({ method: 'PUT', url: '/api/v1/markets/FR', payload: { version: 0 } })).statusCode).toBe(401);
    expect((await get(s, agent, '/api/v1/markets/FR')).json().culture.address).toBe('vous');

    // each editing role can save (one after the other, each with the version it read)
    let version = 0;
    for (const [token, address] of [[manager, 'vous (m)'], [admin, 'vous (a)'], [trainer, 'vous']] as const) {
      const r = await put(token, 'FR', { version, culture: { address } });
      expect(r.statusCode, r.body).toBe(200);
      version = r.json().version;
    }
    expect(version).toBe(3);
    const fr = (await get(s, agent, '/api/v1/markets/FR')).json();
    expect(fr.overridden).toEqual([]); // back to the file's value: no override left
    expect(fr.version).toBe(3);
  });

  it('strict schema: unknown fields and wrong types are 400s naming the field', async () => {
    const extra = await put(trainer, 'DE', { version: 0, consumer: { withdrawal: { ...DE_WITHDRAWAL, colour: 'red' } } });
    expect(extra.statusCode).toBe(400);
    expect(extra.json().error.message).toMatch(/unknown field "colour"/);
    const top = await put(trainer, 'DE', { version: 0, currency: 'USD' });
    expect(top.statusCode).toBe(400);
    expect(top.json().error.message).toMatch(/unknown field "currency"/);
    const type = await put(trainer, 'DE', { version: 0, consumer: { withdrawal: { ...DE_WITHDRAWAL, days: '30' } } });
    expect(type.statusCode).toBe(400);
    expect(type.json().error.details.errors[0].path).toBe('/consumer/withdrawal/days');
    const nothing = await put(trainer, 'DE', { version: 0 });
    expect(nothing.statusCode).toBe(400);
    expect(nothing.json().error.message).toMatch(/Nothing to change/);
    expect((await put(trainer, 'ZZ', { version: 0, culture: { address: 'x' } })).statusCode).toBe(404);
  });

  it('the rules the files obey apply to edits too (same validator), with the field in details', async () => {
    const cases: Array<[unknown, string, RegExp]> = [
      [{ consumer: { withdrawal: { ...DE_WITHDRAWAL, days: 0 } } }, 'consumer.withdrawal.days', /must be 0 exactly when from is "none"/],
      [{ consumer: { withdrawal: { ...DE_WITHDRAWAL, days: 14.5 } } }, 'consumer.withdrawal.days', /whole number/],
      [{ consumer: { withdrawal: { ...DE_WITHDRAWAL, from: 'tomorrow' } } }, 'consumer.withdrawal.from', /one of delivery, contract, none/],
      [{ consumer: { withdrawal: { ...DE_WITHDRAWAL, source: '  ' } } }, 'consumer.withdrawal.source', /non-empty text/],
      [{ consumer: { returnShipping: { faulty: 'nobody', damaged: 'seller', wrong_item: 'seller', change_of_mind: 'buyer', source: 'x' } } }, 'consumer.returnShipping.faulty', /seller, buyer, store_policy/],
      [{ businessHours: { mon: [['9', '18:00']] } }, 'businessHours.mon[0]', /HH:MM/],
      [{ extraHolidays: [{ date: '2026-02-30', name: { en: 'x', zh: 'x' }, source: 'x' }] }, 'extraHolidays[0].date', /YYYY-MM-DD/],
      [{ peaks: [{ id: 'p', en: 'x', zh: 'x', from: '2026-05-02', to: '2026-05-01' }] }, 'peaks[0].to', /before from/],
      [{ culture: { en: { directness: 'x', formality: 'x', apology: '', greeting: 'x', signOff: 'x' } } }, 'culture.en.apology', /non-empty/],
    ];
    for (const [body, field, message] of cases) {
      const r = await put(trainer, 'DE', { version: 0, ...(body as object) });
      expect(r.statusCode, JSON.stringify(body)).toBe(400);
      expect(r.json().error.code).toBe('validation_failed');
      expect(r.json().error.details.field).toBe(field);
      expect(r.json().error.message).toMatch(message);
      expect(r.json().error.message).toMatch(new RegExp(`^DE: ${field.replace(/[[\]().]/g, '\\$&')}`));
    }
    // nothing was stored by the refused edits
    expect((await get(s, trainer, '/api/v1/markets/DE')).json()).toMatchObject({ version: 0, overridden: [] });
  });

  it('an edit shows in the rules with what it overrides, the version guards concurrent saves, the history says who', async () => {
    const r = await put(trainer, 'DE', { version: 0, consumer: { withdrawal: DE_WITHDRAWAL }, extraHolidays: [{ date: '2026-12-24', name: { en: 'Christmas Eve', zh: '平安夜' }, source: 'Team decision' }] });
    expect(r.statusCode, r.body).toBe(200);
    const de = r.json();
    expect(de.version).toBe(1);
    expect(de.changed).toEqual(['consumer.withdrawal', 'extraHolidays']);
    expect(de.overridden).toEqual(['consumer.withdrawal', 'extraHolidays']);
    expect(de.consumer.withdrawal).toMatchObject({ days: 30, from: 'delivery', businessDays: false, source: DE_WITHDRAWAL.source, note: DE_WITHDRAWAL.note });
    expect(de.defaults['consumer.withdrawal']).toMatchObject({ days: 14, from: 'delivery' });
    expect(de.defaults.extraHolidays).toEqual([]);
    expect(de.updatedBy).toMatchObject({ name: trainerName });
    // the rest stays as the file says
    expect(de.consumer.legalGuarantee.months).toBe(24);
    expect(de.businessHours.mon).toEqual([['09:00', '18:00']]);

    const again = await get(s, agent, '/api/v1/markets/DE');
    expect(again.json().consumer.withdrawal.days).toBe(30);
    expect((await get(s, agent, '/api/v1/markets')).json().items.find((m: { code: string }) => m.code === 'DE')).toMatchObject({ version: 1, overridden: ['consumer.withdrawal', 'extraHolidays'] });

    // someone who read version 0 saves: refused, the current version told
    const stale = await put(admin, 'DE', { version: 0, culture: { address: 'du' } });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().error.code).toBe('version_conflict');
    expect(stale.json().error.details).toMatchObject({ currentVersion: 1, updatedBy: { name: trainerName } });
    expect((await get(s, agent, '/api/v1/markets/DE')).json().culture.address).toBe('Sie');

    // an edit that changes nothing writes nothing
    const same = await put(trainer, 'DE', { version: 1, consumer: { withdrawal: DE_WITHDRAWAL } });
    expect(same.json()).toMatchObject({ version: 1, changed: [] });

    const h = (await get(s, agent, '/api/v1/markets/DE/history')).json().items;
    expect(h).toHaveLength(1);
    expect(h[0]).toMatchObject({ version: 1, action: 'edit', changed: ['consumer.withdrawal', 'extraHolidays'], actor: { name: trainerName } });
    expect(h[0].before['consumer.withdrawal'].days).toBe(14);
    expect(h[0].after['consumer.withdrawal'].days).toBe(30);
    expect(h[0].after.extraHolidays[0].date).toBe('2026-12-24');
  });

  it("another app on another database never sees this app's edits", async () => {
    const { token } = await other.tokenFor('agent');
    const de = (await get(other, token, '/api/v1/markets/DE')).json();
    expect(de).toMatchObject({ version: 0, overridden: [] });
    expect(de.consumer.withdrawal.days).toBe(14);
    // nor does code outside any app (CLI, unit tests)
    expect(getMarket('DE').consumer.withdrawal.days).toBe(14);
  });

  it("the store-policy warning follows the market's rules in force", async () => {
    const store = await createStore(s.db.db, { name: 'Warn DE', market: 'DE', timezone: 'Europe/Berlin' });
    const policyUrl = `/api/v1/stores/${store.id}/return-policy`;
    const set = await s.app.inject({ method: 'PUT', url: policyUrl, headers: bearer(admin), payload: { returnWindowDays: 21, buyerPaysReturnForChangeOfMind: true, restockingFeePercent: 0 } });
    expect(set.statusCode, set.body).toBe(200);
    // DE is edited to 30 days above: 21 is now below the rules in force
    const warned = (await get(s, agent, policyUrl)).json();
    const w = warned.warnings.find((x: { code: string }) => x.code === 'return_window_too_short');
    expect(w).toMatchObject({ field: 'returnWindowDays', required: 30, source: DE_WITHDRAWAL.source });
    expect(w.localized.zh).toMatch(/30/);

    // a further edit moves the warning: 20 days → 21 is enough again
    const v = (await get(s, agent, '/api/v1/markets/DE')).json().version as number;
    const r = await put(trainer, 'DE', { version: v, consumer: { withdrawal: { ...DE_WITHDRAWAL, days: 20 } } });
    expect(r.statusCode, r.body).toBe(200);
    expect((await get(s, agent, policyUrl)).json().warnings.map((x: { code: string }) => x.code)).not.toContain('return_window_too_short');
    // a save of the policy answers with the same rules
    const saved = await s.app.inject({ method: 'PUT', url: policyUrl, headers: bearer(admin), payload: { returnWindowDays: 19, buyerPaysReturnForChangeOfMind: true, restockingFeePercent: 0 } });
    expect(saved.json().warnings.find((x: { code: string }) => x.code === 'return_window_too_short')).toMatchObject({ required: 20 });
    // on the other app, the file's 14 days apply
    const store2 = await createStore(other.db.db, { name: 'Warn DE 2', market: 'DE', timezone: 'Europe/Berlin' });
    const { token } = await other.tokenFor('admin');
    const saved2 = await other.app.inject({ method: 'PUT', url: `/api/v1/stores/${store2.id}/return-policy`, headers: bearer(token), payload: { returnWindowDays: 19, buyerPaysReturnForChangeOfMind: true, restockingFeePercent: 0 } });
    expect(saved2.json().warnings.map((x: { code: string }) => x.code)).not.toContain('return_window_too_short');
  });

  it('revert goes back to the file, keeps the history, and is a no-op when nothing is edited', async () => {
    const before = (await get(s, agent, '/api/v1/markets/DE')).json();
    expect(before.version).toBeGreaterThan(1);
    const stale = await s.app.inject({ method: 'DELETE', url: `/api/v1/markets/DE/override?version=${before.version - 1}`, headers: bearer(trainer) });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().error.code).toBe('version_conflict');
    const r = await s.app.inject({ method: 'DELETE', url: `/api/v1/markets/DE/override?version=${before.version}`, headers: bearer(trainer) });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ version: before.version + 1, overridden: [], changed: ['consumer.withdrawal', 'extraHolidays'], defaults: {} });
    expect(r.json().consumer.withdrawal.days).toBe(14);
    expect(r.json().extraHolidays).toEqual([]);
    const h = (await get(s, agent, '/api/v1/markets/DE/history')).json().items;
    expect(h.map((x: { action: string }) => x.action)).toEqual(['revert', 'edit', 'edit']);
    expect(h[0].before['consumer.withdrawal'].days).toBe(20);
    expect(h[0].after['consumer.withdrawal'].days).toBe(14);
    expect((await get(s, agent, '/api/v1/markets/DE/history?limit=1&before=3')).json().items.map((x: { version: number }) => x.version)).toEqual([2]);

    const noop = await s.app.inject({ method: 'DELETE', url: '/api/v1/markets/DE/override', headers: bearer(trainer) });
    expect(noop.json()).toMatchObject({ version: before.version + 1, changed: [] });
    // the next edit continues the numbering
    const next = await put(trainer, 'DE', { version: before.version + 1, culture: { address: 'Sie / du' } });
    expect(next.json()).toMatchObject({ version: before.version + 2, overridden: ['culture.address'] });
  });
});

describe.skipIf(!DATABASE_URL)('two app nodes on one PostgreSQL: an edit on one reloads the other', () => {
  let d1: Database;
  let d2: Database;
  let busA: PostgresEventBus;
  let busB: PostgresEventBus;
  let appA: FastifyInstance;
  let appB: FastifyInstance;
  let token = '';

  beforeAll(async () => {
    d1 = await createTestDatabase();
    d2 = await openDatabase({ databaseUrl: DATABASE_URL!, schema: d1.schema, poolSize: 4 });
    const channel = `t_markets_${randomToken(8).toLowerCase().replace(/[^a-z0-9]/g, 'x')}`;
    busA = await PostgresEventBus.connect(DATABASE_URL!, channel);
    busB = await PostgresEventBus.connect(DATABASE_URL!, channel);
    appA = await buildApp({ db: d1.db, dbKind: 'postgres', bus: busA, clock: systemClock });
    appB = await buildApp({ db: d2.db, dbKind: 'postgres', bus: busB, clock: systemClock });
    await appA.ready();
    await appB.ready();
    const { user } = await upsertUser(d1.db, { email: 'trainer-nodes@test.example', role: 'trainer', name: 'Node Trainer' });
    token = await createApiToken(d1.db, user.id, 'test');
  }, 60_000);
  afterAll(async () => {
    await appA?.close();
    await appB?.close();
    await busA?.close();
    await busB?.close();
    await d2?.close();
    await d1?.close();
  });

  async function untilB(pred: (m: { version: number; consumer: { withdrawal: { days: number } } }) => boolean) {
    for (let i = 0; i < 150; i++) {
      const m = (await appB.inject({ method: 'GET', url: '/api/v1/markets/JP', headers: bearer(token) })).json();
      if (pred(m)) return m;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('node B never reloaded JP');
  }

  it('node B takes the edit and the revert made on node A', async () => {
    expect((await appB.inject({ method: 'GET', url: '/api/v1/markets/JP', headers: bearer(token) })).json().version).toBe(0);
    const jp = (await appA.inject({ method: 'GET', url: '/api/v1/markets/JP', headers: bearer(token) })).json();
    const r = await appA.inject({
      method: 'PUT',
      url: '/api/v1/markets/JP',
      headers: bearer(token),
      payload: { version: 0, consumer: { withdrawal: { days: 8, from: 'delivery', source: jp.consumer.withdrawal.source, note: 'Cooling-off applied to mail order by the store' } } },
    });
    expect(r.statusCode, r.body).toBe(200);
    const b = await untilB((m) => m.version === 1);
    expect(b.consumer.withdrawal.days).toBe(8);
    // B edits next with the version it now holds
    const r2 = await appB.inject({ method: 'DELETE', url: '/api/v1/markets/JP/override?version=1', headers: bearer(token) });
    expect(r2.statusCode, r2.body).toBe(200);
    for (let i = 0; i < 150; i++) {
      const a = (await appA.inject({ method: 'GET', url: '/api/v1/markets/JP', headers: bearer(token) })).json();
      if (a.version === 2) {
        expect(a.consumer.withdrawal.days).toBe(jp.consumer.withdrawal.days);
        return;
      }
      await new Promise((res) => setTimeout(res, 100));
    }
    throw new Error('node A never reloaded JP');
  });
});
