// GET /api/v1/analytics/tickets (ticket volume for the dashboard) and the demo's survey
// history (src/cli/demo-surveys.ts) as the dashboard reads it through /analytics/surveys.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startTestServer, type TestServer } from './helpers/server.ts';
import { ManualClock } from '../src/core/clock.ts';
import { MemoryEventBus } from '../src/core/events.ts';
import { createStore, getDefaultStore } from '../src/helpdesk/stores.ts';
import { createTicket, updateTicket, type TicketDeps } from '../src/helpdesk/tickets.ts';
import { systemActor } from '../src/helpdesk/visibility.ts';
import { seedDemoSurveys } from '../src/cli/demo-surveys.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('analytics API for the dashboard', () => {
  let s: TestServer;
  let admin: string;
  let clock: ManualClock;
  let deps: TicketDeps;
  let eu: string;
  const now = new Date('2026-11-20T12:00:00Z');

  beforeAll(async () => {
    clock = new ManualClock(now);
    s = await startTestServer({ clock });
    admin = (await s.tokenFor('admin')).token;
    deps = { db: s.db.db, bus: new MemoryEventBus(), clock };
    eu = (await createStore(s.db.db, { name: 'EU shop', market: 'DE', timezone: 'Europe/Berlin' })).id;
    // day -3: 2 refund tickets (default store), one solved on day -2; day -1: 1 damaged item (EU), solved the same day;
    // day -40: 1 ticket outside a 30-day window
    const open = async (daysAgo: number, category: string, storeId?: string) => {
      const at = new Date(now.getTime() - daysAgo * DAY);
      clock.set(at);
      return createTicket(deps, { subject: `${category} ${daysAgo}`, body: 'Hello, I need help with my order.', customer: { email: `c${Math.random()}@mail.example` }, storeId, category, channel: 'email', createdAt: at }, systemActor);
    };
    const a = await open(3, 'refund');
    await open(3, 'refund');
    const c = await open(1, 'damaged_item', eu);
    await open(40, 'other');
    clock.set(new Date(now.getTime() - 2 * DAY));
    await updateTicket(deps, a.id, { status: 'solved' }, systemActor);
    clock.set(new Date(now.getTime() - 1 * DAY + 2 * HOUR));
    await updateTicket(deps, c.id, { status: 'solved' }, systemActor);
    clock.set(now);
  });
  afterAll(async () => s.close());

  const get = (path: string, token = admin) => s.app.inject({ method: 'GET', url: path, headers: bearer(token) });

  it('counts tickets created in the window by status, category and channel, and per day', async () => {
    const from = new Date(now.getTime() - 7 * DAY).toISOString();
    const res = await get(`/api/v1/analytics/tickets?from=${from}`);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.created).toBe(3);
    expect(body.solved).toBe(2);
    expect(body.byCategory).toEqual({ refund: 2, damaged_item: 1 });
    expect(body.byStatus).toEqual({ solved: 2, new: 1 });
    expect(body.byChannel).toEqual({ email: 3 });
    // one entry per UTC day from the 13th to the 20th, days without tickets included
    expect(body.daily.map((d: { date: string }) => d.date)).toEqual(['2026-11-13', '2026-11-14', '2026-11-15', '2026-11-16', '2026-11-17', '2026-11-18', '2026-11-19', '2026-11-20']);
    const day = (date: string) => body.daily.find((d: { date: string }) => d.date === date);
    expect(day('2026-11-17')).toEqual({ date: '2026-11-17', created: 2, solved: 0 });
    expect(day('2026-11-18')).toEqual({ date: '2026-11-18', created: 0, solved: 1 });
    expect(day('2026-11-19')).toEqual({ date: '2026-11-19', created: 1, solved: 1 });
    expect(body.daily.reduce((a: number, d: { created: number }) => a + d.created, 0)).toBe(body.created);
  });

  it('filters by store, defaults to the last 30 days, and refuses bad input and agents', async () => {
    const one = (await get(`/api/v1/analytics/tickets?storeId=${eu}`)).json();
    expect(one).toMatchObject({ storeId: eu, created: 1, byCategory: { damaged_item: 1 } });
    const main = await getDefaultStore(s.db.db);
    expect((await get(`/api/v1/analytics/tickets?storeId=${main.id}`)).json().created).toBe(2);
    const all = (await get('/api/v1/analytics/tickets')).json();
    expect(all.created).toBe(3); // the ticket of 40 days ago is outside
    expect(all.daily.length).toBe(31);
    const bad = await get('/api/v1/analytics/tickets?storeId=nope');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details).toEqual({ field: 'storeId' });
    expect((await get('/api/v1/analytics/tickets?from=2026-11-20&to=2026-11-01')).statusCode).toBe(400);
    const agent = (await s.tokenFor('agent')).token;
    expect((await get('/api/v1/analytics/tickets', agent)).statusCode).toBe(403);
  });

  it('the demo survey history: sent an hour after solving, about half answered, read back by /analytics/surveys', async () => {
    // more solved tickets to survey
    for (let i = 0; i < 12; i++) {
      const at = new Date(now.getTime() - (5 + i) * DAY);
      clock.set(at);
      const t = await createTicket(deps, { subject: `Question ${i}`, body: 'Where is my parcel?', customer: { email: `s${i}@mail.example` }, createdAt: at }, systemActor);
      clock.set(new Date(at.getTime() + 3 * HOUR));
      await updateTicket(deps, t.id, { status: 'solved' }, systemActor);
    }
    clock.set(now);
    let seed = 7;
    const rand = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
    const started = performance.now();
    const out = await seedDemoSurveys(s.db.db, { now, rand });
    const ms = performance.now() - started;
    expect(out.sent).toBeGreaterThanOrEqual(5);
    expect(out.answered).toBeGreaterThan(0);
    expect(out.answered).toBeLessThanOrEqual(out.sent);
    const rows = await s.db.db.selectFrom('surveys').innerJoin('tickets', 'tickets.id', 'surveys.ticket_id').select(['surveys.sent_at', 'surveys.answered_at', 'surveys.csat_score', 'surveys.nps_score', 'surveys.kind', 'tickets.solved_at']).execute();
    expect(rows.length).toBe(out.sent);
    for (const r of rows) {
      expect(r.sent_at!.getTime() - r.solved_at!.getTime()).toBe(60 * 60_000);
      if (r.answered_at) {
        expect(r.answered_at.getTime()).toBeGreaterThan(r.sent_at!.getTime());
        expect(r.answered_at.getTime()).toBeLessThan(now.getTime());
        expect(r.csat_score).toBeGreaterThanOrEqual(1);
      }
      if (r.nps_score !== null) expect(r.kind).toBe('csat_nps');
    }
    const stats = (await get('/api/v1/analytics/surveys?from=2026-10-01')).json();
    expect(stats.sent).toBe(out.sent);
    expect(stats.csat.responses).toBe(out.answered);
    expect(stats.responseRate).toBeCloseTo(out.answered / out.sent, 3);
    console.log(`[analytics] demo surveys: ${out.sent} sent, ${out.answered} answered in ${Math.round(ms)} ms`);
  });
});
