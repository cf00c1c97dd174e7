import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { startTestServer, type TestServer } from './helpers/server.ts';
import { DEMO_ADMIN, DEMO_PASSWORD, isSeeded, seedDemo } from '../src/cli/demo-seed.ts';
import { triageForTickets } from '../src/helpdesk/triage-adapter.ts';

/** The demo `npm start` serves: enough people, tickets, languages and history to look real. */

const DAY = 86_400_000;

describe('demo data', { timeout: 600_000 }, () => {
  let s: TestServer;
  const now = new Date();
  let result: { tickets: number; agents: number };

  beforeAll(async () => {
    s = await startTestServer();
    expect(await isSeeded(s.db.db)).toBe(false);
    result = await seedDemo(s.db.db, { tickets: 320, triage: triageForTickets, now });
  }, 600_000);
  afterAll(async () => s.close());

  it('has at least six agents with different languages and time zones', async () => {
    expect(await isSeeded(s.db.db)).toBe(true);
    const agents = await s.db.db.selectFrom('users').selectAll().where('role', '=', 'agent').execute();
    expect(agents.length).toBeGreaterThanOrEqual(6);
    expect(result.agents).toBe(agents.length);
    expect(new Set(agents.map((a) => a.timezone)).size).toBeGreaterThanOrEqual(3);
    const spoken = new Set(agents.flatMap((a) => a.languages.map((l) => l.code)));
    expect(spoken.size).toBeGreaterThanOrEqual(6);
    expect(agents.every((a) => a.email.endsWith('@crossdesk.demo') && a.password_hash?.startsWith('scrypt$'))).toBe(true);
    const roles = await s.db.db.selectFrom('users').select('role').distinct().execute();
    expect(roles.map((r) => r.role).sort()).toEqual(['admin', 'agent', 'manager', 'trainer']);
  });

  it('has 300+ tickets in at least eight languages and all six statuses', async () => {
    const total = await s.db.db.selectFrom('tickets').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(total.n)).toBeGreaterThanOrEqual(300);
    const langs = await s.db.db.selectFrom('tickets').select('language').distinct().where('language', 'is not', null).execute();
    expect(langs.length).toBeGreaterThanOrEqual(8);
    const statuses = await s.db.db
      .selectFrom('tickets')
      .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy('status')
      .execute();
    expect(statuses.map((r) => r.status).sort()).toEqual(['closed', 'new', 'on_hold', 'open', 'pending', 'solved']);
    // triage ran: categories and priorities vary
    const cats = await s.db.db.selectFrom('tickets').select('category').distinct().execute();
    expect(cats.length).toBeGreaterThanOrEqual(4);
    const prios = await s.db.db.selectFrom('tickets').select('priority').distinct().execute();
    expect(prios.length).toBeGreaterThanOrEqual(2);
    // a conversation, not just opening messages
    const replies = await s.db.db.selectFrom('messages').select((eb) => eb.fn.countAll<number>().as('n')).where('author_type', '=', 'agent').executeTakeFirstOrThrow();
    expect(Number(replies.n)).toBeGreaterThanOrEqual(200);
  });

  it('spreads realistic timestamps over the last ~60 days, none in the future', async () => {
    const span = await s.db.db
      .selectFrom('tickets')
      .select([sql<Date>`min(created_at)`.as('first'), sql<Date>`max(created_at)`.as('last')])
      .executeTakeFirstOrThrow();
    expect(now.getTime() - span.first.getTime()).toBeGreaterThan(45 * DAY);
    expect(now.getTime() - span.first.getTime()).toBeLessThanOrEqual(61 * DAY);
    expect(span.last.getTime()).toBeLessThanOrEqual(now.getTime());
    // tickets on many different days, not all at once
    const days = await s.db.db.selectFrom('tickets').select(sql<string>`date_trunc('day', created_at)`.as('d')).distinct().execute();
    expect(days.length).toBeGreaterThanOrEqual(30);

    const future = (col: 'solved_at' | 'closed_at' | 'first_responded_at' | 'updated_at') =>
      s.db.db.selectFrom('tickets').select('id').where(col, '>', now).execute();
    for (const col of ['solved_at', 'closed_at', 'first_responded_at', 'updated_at'] as const) {
      expect(await future(col), col).toEqual([]);
    }
    expect(await s.db.db.selectFrom('messages').select('id').where('created_at', '>', now).execute()).toEqual([]);
    // causality: answers after questions, solving after creation, closing after solving
    const backwards = await s.db.db
      .selectFrom('tickets')
      .select('id')
      .where((eb) => eb.or([
        eb('first_responded_at', '<', eb.ref('created_at')),
        eb('solved_at', '<', eb.ref('created_at')),
        eb('closed_at', '<', eb.ref('solved_at')),
      ]))
      .execute();
    expect(backwards).toEqual([]);
    const solvedWithout = await s.db.db.selectFrom('tickets').select('id').where('status', 'in', ['solved', 'closed']).where('solved_at', 'is', null).execute();
    expect(solvedWithout).toEqual([]);
  });

  it('lets the demo admin and the agents sign in with the demo password', async () => {
    const login = (email: string, password: string) => s.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } });
    const admin = await login(DEMO_ADMIN, DEMO_PASSWORD);
    expect(DEMO_ADMIN).toBe('admin@crossdesk.demo');
    expect(DEMO_PASSWORD).toBe('crossdesk-demo');
    expect(admin.statusCode, admin.body).toBe(200);
    expect(admin.json().user).toMatchObject({ email: 'admin@crossdesk.demo', role: 'admin' });
    const agent = await login('agent1@crossdesk.demo', 'crossdesk-demo');
    expect(agent.statusCode, agent.body).toBe(200);
    expect(agent.json().user.role).toBe('agent');
    expect((await login(DEMO_ADMIN, 'wrong-password')).statusCode).toBe(401);

    const cookie = (admin.cookies as Array<{ name: string; value: string }>).map((c) => `${c.name}=${c.value}`).join('; ');
    const list = await s.app.inject({ url: '/api/v1/tickets?limit=50', headers: { cookie } });
    expect(list.statusCode).toBe(200);
    expect(list.json().items).toHaveLength(50);
    expect(list.json().nextCursor).not.toBeNull();
  });
});
