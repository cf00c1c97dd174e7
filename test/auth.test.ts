import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startTestServer, type TestServer } from './helpers/server.ts';
import { createTeam, upsertUser } from '../src/people/users.ts';
import { ManualClock } from '../src/core/clock.ts';
import { LOGIN_LIMIT } from '../src/people/routes.ts';

/**
 * People and access: sessions in cookies with CSRF on writes, hashed secrets, the login
 * rate limit, 401 on every protected route, and role and visibility checks.
 */

interface InjectCookie {
  name: string;
  value: string;
  httpOnly?: boolean;
  sameSite?: string;
  path?: string;
  maxAge?: number;
}

const PASSWORD = 'correct horse battery';

/** Every [METHOD, path] in Fastify's route tree (`printRoutes({ commonPrefix: false })`). */
function listRoutes(tree: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const stack: string[] = [''];
  for (const line of tree.split('\n')) {
    const m = /^([\s│├└─]*)(\S.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!m || !m[1]) continue;
    const depth = Math.round(m[1].length / 4);
    const full = stack[depth - 1] + m[2];
    stack[depth] = full;
    stack.length = depth + 1;
    for (const method of (m[3] ?? '').split(',').map((x) => x.trim()).filter(Boolean)) out.push([method, full]);
  }
  return out;
}

describe('auth', () => {
  let s: TestServer;
  let admin: string;
  let ip = 0;
  /** A fresh client address per test, so the per-address login limit never leaks between tests. */
  const nextIp = () => `10.0.0.${++ip}`;

  beforeAll(async () => {
    s = await startTestServer();
    ({ token: admin } = await s.tokenFor('admin'));
  });
  afterAll(async () => s.close());

  async function createUser(email: string, role = 'agent', extra: Record<string, unknown> = {}) {
    const res = await s.app.inject({ method: 'POST', url: '/api/v1/users', headers: bearer(admin), payload: { email, password: PASSWORD, role, ...extra } });
    expect(res.statusCode, res.body).toBe(201);
    return res.json<{ id: string; email: string }>();
  }

  const login = (email: string, password: string, remoteAddress = '10.1.1.1') =>
    s.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password }, remoteAddress });

  async function signIn(email: string) {
    const res = await login(email, PASSWORD, nextIp());
    expect(res.statusCode, res.body).toBe(200);
    const cookies = res.cookies as InjectCookie[];
    const session = cookies.find((c) => c.name === 'cd_session')!;
    const csrf = cookies.find((c) => c.name === 'cd_csrf')!;
    return { res, session, csrf, cookie: `cd_session=${session.value}; cd_csrf=${csrf.value}` };
  }

  it('login sets an httpOnly SameSite=Lax session cookie and a readable CSRF cookie', async () => {
    await createUser('cookie@example.com');
    const { res, session, csrf } = await signIn('Cookie@Example.com');
    expect(session).toBeDefined();
    expect(session.httpOnly).toBe(true);
    expect(session.sameSite?.toLowerCase()).toBe('lax');
    expect(session.path).toBe('/');
    expect(session.value.length).toBeGreaterThanOrEqual(32);
    expect(csrf).toBeDefined();
    expect(csrf.httpOnly).toBeFalsy();
    expect(csrf.sameSite?.toLowerCase()).toBe('lax');
    const body = res.json<{ user: Record<string, unknown>; csrfToken: string }>();
    expect(body.csrfToken).toBe(csrf.value);
    expect(body.user).toMatchObject({ email: 'cookie@example.com', role: 'agent' });
    expect(body.user).not.toHaveProperty('passwordHash');
    expect(JSON.stringify(body)).not.toContain('scrypt$');
  });

  it('a cookie works for reads; cookie writes need the right X-CSRF-Token; Bearer needs none', async () => {
    await createUser('csrf@example.com');
    const { cookie, csrf } = await signIn('csrf@example.com');

    const me = await s.app.inject({ url: '/api/v1/auth/me', headers: { cookie } });
    expect(me.statusCode).toBe(200);
    expect(me.json().user.email).toBe('csrf@example.com');
    const list = await s.app.inject({ url: '/api/v1/tickets', headers: { cookie } });
    expect(list.statusCode).toBe(200);

    const ticket = { subject: 'Parcel late', body: 'Where is it?', customer: { email: 'c1@example.com' } };
    const noHeader = await s.app.inject({ method: 'POST', url: '/api/v1/tickets', headers: { cookie }, payload: ticket });
    expect(noHeader.statusCode).toBe(403);
    expect(noHeader.json().error.code).toBe('csrf_failed');
    const wrong = await s.app.inject({ method: 'POST', url: '/api/v1/tickets', headers: { cookie, 'x-csrf-token': 'not-the-token' }, payload: ticket });
    expect(wrong.statusCode).toBe(403);
    expect(wrong.json().error.code).toBe('csrf_failed');
    // nothing was created by the refused writes
    expect((await s.app.inject({ url: '/api/v1/tickets', headers: { cookie } })).json().items).toHaveLength(0);

    const ok = await s.app.inject({ method: 'POST', url: '/api/v1/tickets', headers: { cookie, 'x-csrf-token': csrf.value }, payload: ticket });
    expect(ok.statusCode, ok.body).toBe(201);
    const id = ok.json<{ id: string }>().id;

    const patchNo = await s.app.inject({ method: 'PATCH', url: `/api/v1/tickets/${id}`, headers: { cookie }, payload: { priority: 'high' } });
    expect(patchNo.statusCode).toBe(403);
    expect(patchNo.json().error.code).toBe('csrf_failed');
    const prefsNo = await s.app.inject({ method: 'PATCH', url: '/api/v1/auth/me', headers: { cookie, 'x-csrf-token': `${csrf.value}x` }, payload: { uiLanguage: 'zh-CN' } });
    expect(prefsNo.json().error.code).toBe('csrf_failed');
    const patchOk = await s.app.inject({ method: 'PATCH', url: `/api/v1/tickets/${id}`, headers: { cookie, 'x-csrf-token': csrf.value }, payload: { priority: 'high' } });
    expect(patchOk.statusCode).toBe(200);
    expect(patchOk.json().priority).toBe('high');

    // the CSRF token of another session does not fit this one
    await createUser('csrf2@example.com');
    const other = await signIn('csrf2@example.com');
    const crossed = await s.app.inject({ method: 'PATCH', url: `/api/v1/tickets/${id}`, headers: { cookie, 'x-csrf-token': other.csrf.value }, payload: { priority: 'low' } });
    expect(crossed.statusCode).toBe(403);

    // Bearer tokens are never attached by a browser on its own: no CSRF header needed
    const { token } = await s.tokenFor('agent');
    const viaToken = await s.app.inject({ method: 'PATCH', url: `/api/v1/tickets/${id}`, headers: bearer(token), payload: { priority: 'low' } });
    expect(viaToken.statusCode).toBe(200);
    expect(viaToken.json().priority).toBe('low');
  });

  it('a wrong password gives 401 with the JSON error shape and no cookie', async () => {
    await createUser('wrongpw@example.com');
    const res = await login('wrongpw@example.com', 'not the password', nextIp());
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(res.json()).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
    expect((res.cookies as InjectCookie[]).find((c) => c.name === 'cd_session')).toBeUndefined();
    // unknown user: the same answer (no account enumeration)
    const unknown = await login('nobody@example.com', 'whatever1', nextIp());
    expect(unknown.statusCode).toBe(401);
    expect(unknown.json().error.message).toBe(res.json().error.message);
    // a deactivated user cannot sign in even with the right password
    const u = await createUser('inactive@example.com');
    await s.app.inject({ method: 'PATCH', url: `/api/v1/users/${u.id}`, headers: bearer(admin), payload: { active: false } });
    expect((await login('inactive@example.com', PASSWORD, nextIp())).statusCode).toBe(401);
  });

  it('a cached API token stops working at once when its user is demoted or deactivated', async () => {
    const { token, userId } = await s.tokenFor('admin', 'cached-token@example.com');
    const createAs = (t: string, email: string) => s.app.inject({ method: 'POST', url: '/api/v1/users', headers: bearer(t), payload: { email, password: PASSWORD, role: 'agent' } });
    // used twice, so the second call is answered from the token cache
    expect((await createAs(token, 'cache-1@example.com')).statusCode).toBe(201);
    expect((await createAs(token, 'cache-2@example.com')).statusCode).toBe(201);
    expect((await s.app.inject({ method: 'PATCH', url: `/api/v1/users/${userId}`, headers: bearer(admin), payload: { role: 'agent' } })).statusCode).toBe(200);
    expect((await createAs(token, 'cache-3@example.com')).statusCode).toBe(403);
    expect((await s.app.inject({ method: 'PATCH', url: `/api/v1/users/${userId}`, headers: bearer(admin), payload: { active: false } })).statusCode).toBe(200);
    expect((await s.app.inject({ method: 'GET', url: '/api/v1/tickets', headers: bearer(token) })).statusCode).toBe(401);
  });

  it('rate-limits sign-in: 429 with Retry-After after 5 wrong attempts for one e-mail and address', async () => {
    await createUser('limited@example.com');
    const addr = nextIp();
    for (let i = 0; i < 5; i++) {
      const r = await login('limited@example.com', `wrong-${i}`, addr);
      expect(r.statusCode, `attempt ${i + 1}`).toBe(401);
    }
    const blocked = await login('limited@example.com', 'wrong-again', addr);
    expect(blocked.statusCode).toBe(429);
    expect(blocked.json().error.code).toBe('rate_limited');
    const retry = Number(blocked.headers['retry-after']);
    expect(retry).toBeGreaterThan(0);
    expect(retry).toBeLessThanOrEqual(15 * 60);
    // even the right password is refused while blocked
    const right = await login('limited@example.com', PASSWORD, addr);
    expect(right.statusCode).toBe(429);
    expect(right.cookies as InjectCookie[]).toHaveLength(0);
    // other addresses and other e-mails are not affected
    expect((await login('limited@example.com', PASSWORD, nextIp())).statusCode).toBe(200);
    await createUser('neighbour@example.com');
    expect((await login('neighbour@example.com', PASSWORD, addr)).statusCode).toBe(200);
  });

  it('a successful sign-in clears the failed attempts', async () => {
    await createUser('clears@example.com');
    const addr = nextIp();
    for (let i = 0; i < 4; i++) expect((await login('clears@example.com', 'nope-nope', addr)).statusCode).toBe(401);
    expect((await login('clears@example.com', PASSWORD, addr)).statusCode).toBe(200);
    // the counter starts again: five more wrong attempts are answered 401, not 429
    for (let i = 0; i < 5; i++) expect((await login('clears@example.com', 'nope-nope', addr)).statusCode, `attempt ${i + 1}`).toBe(401);
    expect((await login('clears@example.com', 'nope-nope', addr)).statusCode).toBe(429);
  });

  it('logout ends the session on the server', async () => {
    await createUser('logout@example.com');
    const { cookie, session } = await signIn('logout@example.com');
    expect((await s.app.inject({ url: '/api/v1/auth/me', headers: { cookie } })).statusCode).toBe(200);
    const out = await s.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { cookie } });
    expect(out.statusCode).toBe(204);
    const cleared = (out.cookies as InjectCookie[]).find((c) => c.name === 'cd_session');
    expect(cleared?.value ?? '').toBe('');
    // replaying the old cookie does not work any more
    const after = await s.app.inject({ url: '/api/v1/auth/me', headers: { cookie } });
    expect(after.statusCode).toBe(401);
    const sha = createHash('sha256').update(session.value).digest('hex');
    const row = await s.db.db.selectFrom('sessions').select('id').where('id', '=', sha).executeTakeFirst();
    expect(row).toBeUndefined();
  });

  it('stores passwords as scrypt hashes, sessions and API tokens as hashes, never raw', async () => {
    const u = await createUser('hashes@example.com');
    const row = await s.db.db.selectFrom('users').select('password_hash').where('id', '=', u.id).executeTakeFirstOrThrow();
    expect(row.password_hash).toMatch(/^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(row.password_hash).not.toContain(PASSWORD);
    // same password, different salt: different hashes
    const u2 = await createUser('hashes2@example.com');
    const row2 = await s.db.db.selectFrom('users').select('password_hash').where('id', '=', u2.id).executeTakeFirstOrThrow();
    expect(row2.password_hash).not.toBe(row.password_hash);

    const tokenRes = await s.app.inject({ method: 'POST', url: `/api/v1/users/${u.id}/tokens`, headers: bearer(admin), payload: { name: 'ci' } });
    expect(tokenRes.statusCode).toBe(201);
    const raw = tokenRes.json<{ token: string }>().token;
    const tokens = await s.db.db.selectFrom('api_tokens').selectAll().where('user_id', '=', u.id).execute();
    expect(tokens).toHaveLength(1);
    expect(tokens[0].token_hash).not.toBe(raw);
    expect(tokens[0].token_hash).not.toContain(raw);
    expect(tokens[0].token_hash).toBe(createHash('sha256').update(raw).digest('hex'));
    expect((await s.app.inject({ url: '/api/v1/auth/me', headers: bearer(raw) })).json().user.email).toBe('hashes@example.com');
    // the stored hash itself is not a usable token
    expect((await s.app.inject({ url: '/api/v1/auth/me', headers: bearer(tokens[0].token_hash) })).statusCode).toBe(401);

    const { session } = await signIn('hashes@example.com');
    const sessions = await s.db.db.selectFrom('sessions').select('id').where('user_id', '=', u.id).execute();
    expect(sessions.length).toBeGreaterThan(0);
    expect(sessions.map((x) => x.id)).not.toContain(session.value);
    expect(sessions.map((x) => x.id)).toContain(createHash('sha256').update(session.value).digest('hex'));
  });

  it('every /api/v1 route except login and logout answers 401 without credentials', async () => {
    const PUBLIC = new Set(['POST /api/v1/auth/login', 'POST /api/v1/auth/logout']);
    const routes = listRoutes(s.app.printRoutes({ commonPrefix: false })).filter(([m, p]) => p.startsWith('/api/v1/') && m !== 'HEAD');
    // a sanity floor: the foundation's routes are all there
    expect(routes.length).toBeGreaterThanOrEqual(20);
    for (const r of ['GET /api/v1/tickets', 'POST /api/v1/tickets', 'PATCH /api/v1/tickets/:id', 'POST /api/v1/stores', 'GET /api/v1/events', 'POST /api/v1/users']) {
      expect(routes.map(([m, p]) => `${m} ${p}`)).toContain(r);
    }
    const id = '0190a000-0000-7000-8000-000000000000';
    const failures: string[] = [];
    for (const [method, p] of routes) {
      if (PUBLIC.has(`${method} ${p}`)) continue;
      const url = p.replace(/:id\b/g, id).replace(/:priority\b/g, 'urgent').replace(/:[a-zA-Z]+/g, 'x');
      const hasBody = method !== 'GET' && method !== 'DELETE';
      const res = await s.app.inject({ method: method as 'GET', url, ...(hasBody ? { payload: {} } : {}) });
      if (res.statusCode !== 401 || res.json().error?.code !== 'unauthorized') failures.push(`${method} ${url} -> ${res.statusCode}`);
      // a forged token is no better
      const forged = await s.app.inject({ method: method as 'GET', url, headers: bearer('cdt_forged'), ...(hasBody ? { payload: {} } : {}) });
      if (forged.statusCode !== 401) failures.push(`${method} ${url} (forged token) -> ${forged.statusCode}`);
    }
    expect(failures).toEqual([]);
    // the public ones really are public
    expect((await s.app.inject({ method: 'POST', url: '/api/v1/auth/logout' })).statusCode).toBe(204);
    expect((await login('nobody@example.com', 'whatever1', nextIp())).statusCode).toBe(401);
    // percent-encoding the path reaches the same routes, and the same checks
    const encoded: Array<[string, string, object?]> = [
      ['POST', '/%61pi/v1/users', { email: 'intruder@example.com', role: 'admin', password: 'intruder-password' }],
      ['POST', '/%61pi/v1/stores', { name: 'Intruder shop' }],
      ['GET', '/%61pi/v1/users'],
      ['GET', '/api/%761/teams'],
      ['POST', '/api/v1/%74eams', { name: 'Intruders' }],
    ];
    for (const [method, url, payload] of encoded) {
      const res = await s.app.inject({ method: method as 'GET', url, ...(payload ? { payload } : {}) });
      expect(res.statusCode, `${method} ${url}`).toBe(401);
    }
    expect(await s.db.db.selectFrom('users').select('id').where('email', '=', 'intruder@example.com').executeTakeFirst()).toBeUndefined();
    expect(await s.db.db.selectFrom('stores').select('id').where('name', '=', 'Intruder shop').executeTakeFirst()).toBeUndefined();
    const { token: agentToken } = await s.tokenFor('agent');
    const encodedAsAgent = await s.app.inject({ method: 'POST', url: '/%61pi/v1/stores', headers: bearer(agentToken), payload: { name: 'Intruder shop' } });
    expect(encodedAsAgent.statusCode).toBe(403);
    // a malformed Authorization header is a 401 too, not a 500
    expect((await s.app.inject({ url: '/api/v1/tickets', headers: { authorization: 'Basic abc' } })).statusCode).toBe(401);
  });

  it('checks roles on the server: agents cannot administer, trainers cannot change tickets', async () => {
    const { token: agent } = await s.tokenFor('agent');
    const { token: trainer } = await s.tokenFor('trainer');
    const { token: manager } = await s.tokenFor('manager');
    const adminOnly: Array<[string, string, object]> = [
      ['POST', '/api/v1/stores', { name: 'Agent shop' }],
      ['POST', '/api/v1/users', { email: 'made-by-agent@example.com', role: 'admin', password: PASSWORD }],
      ['POST', '/api/v1/teams', { name: 'Agent team' }],
    ];
    for (const [method, url, payload] of adminOnly) {
      for (const token of [agent, trainer, manager]) {
        const res = await s.app.inject({ method: method as 'POST', url, headers: bearer(token), payload });
        expect(res.statusCode, `${method} ${url}`).toBe(403);
        expect(res.json().error.code).toBe('forbidden');
      }
    }
    // nothing was created by the refused calls
    expect(await s.db.db.selectFrom('users').select('id').where('email', '=', 'made-by-agent@example.com').executeTakeFirst()).toBeUndefined();
    expect(await s.db.db.selectFrom('teams').select('id').where('name', '=', 'Agent team').executeTakeFirst()).toBeUndefined();
    expect(await s.db.db.selectFrom('stores').select('id').where('name', '=', 'Agent shop').executeTakeFirst()).toBeUndefined();

    const t = (await s.app.inject({ method: 'POST', url: '/api/v1/tickets', headers: bearer(agent), payload: { subject: 'Trainer test', body: 'hello', customer: { email: 'tt@example.com' } } })).json<{ id: string }>();
    // trainers read tickets…
    expect((await s.app.inject({ url: `/api/v1/tickets/${t.id}`, headers: bearer(trainer) })).statusCode).toBe(200);
    expect((await s.app.inject({ url: '/api/v1/tickets', headers: bearer(trainer) })).statusCode).toBe(200);
    // …but do not write them
    const writes: Array<[string, string, object]> = [
      ['POST', '/api/v1/tickets', { subject: 'x', body: 'y', customer: { email: 'z@example.com' } }],
      ['PATCH', `/api/v1/tickets/${t.id}`, { status: 'solved' }],
      ['POST', `/api/v1/tickets/${t.id}/messages`, { body: 'trainer reply' }],
      ['POST', '/api/v1/tickets/bulk', { ids: [t.id], set: { status: 'solved' } }],
    ];
    for (const [method, url, payload] of writes) {
      const res = await s.app.inject({ method: method as 'POST', url, headers: bearer(trainer), payload });
      expect(res.statusCode, `${method} ${url}`).toBe(403);
      expect(res.json().error.code).toBe('forbidden');
    }
    const after = (await s.app.inject({ url: `/api/v1/tickets/${t.id}`, headers: bearer(admin) })).json<{ status: string; messages: unknown[] }>();
    expect(after.status).toBe('new');
    expect(after.messages).toHaveLength(1);
  });

  it('an agent cannot see a ticket assigned to someone outside their team (404)', async () => {
    const teamA = await createTeam(s.db.db, 'Team A');
    const teamB = await createTeam(s.db.db, 'Team B');
    const a1 = await s.tokenFor('agent', 'a1@team.example', { teamId: teamA.id });
    const a2 = await s.tokenFor('agent', 'a2@team.example', { teamId: teamA.id });
    const b1 = await s.tokenFor('agent', 'b1@team.example', { teamId: teamB.id });
    const t = (await s.app.inject({ method: 'POST', url: '/api/v1/tickets', headers: bearer(admin), payload: { subject: 'Team ticket', body: 'hello', customer: { email: 'team@example.com' } } })).json<{ id: string }>();
    // unassigned: every agent sees it
    expect((await s.app.inject({ url: `/api/v1/tickets/${t.id}`, headers: bearer(b1.token) })).statusCode).toBe(200);
    const assign = await s.app.inject({ method: 'PATCH', url: `/api/v1/tickets/${t.id}`, headers: bearer(admin), payload: { assigneeId: a1.userId } });
    expect(assign.json()).toMatchObject({ assigneeId: a1.userId, teamId: teamA.id });

    expect((await s.app.inject({ url: `/api/v1/tickets/${t.id}`, headers: bearer(a1.token) })).statusCode).toBe(200);
    expect((await s.app.inject({ url: `/api/v1/tickets/${t.id}`, headers: bearer(a2.token) })).statusCode).toBe(200);
    const hidden = await s.app.inject({ url: `/api/v1/tickets/${t.id}`, headers: bearer(b1.token) });
    expect(hidden.statusCode).toBe(404);
    expect(hidden.json().error.code).toBe('not_found');
    // nor change it, nor find it in lists
    expect((await s.app.inject({ method: 'PATCH', url: `/api/v1/tickets/${t.id}`, headers: bearer(b1.token), payload: { priority: 'low' } })).statusCode).toBe(404);
    expect((await s.app.inject({ method: 'POST', url: `/api/v1/tickets/${t.id}/messages`, headers: bearer(b1.token), payload: { body: 'hi' } })).statusCode).toBe(404);
    const list = (await s.app.inject({ url: '/api/v1/tickets?limit=200', headers: bearer(b1.token) })).json<{ items: Array<{ id: string }> }>();
    expect(list.items.map((x) => x.id)).not.toContain(t.id);
    const listA = (await s.app.inject({ url: '/api/v1/tickets?limit=200', headers: bearer(a2.token) })).json<{ items: Array<{ id: string }> }>();
    expect(listA.items.map((x) => x.id)).toContain(t.id);
    // managers see everything
    const { token: manager } = await s.tokenFor('manager');
    expect((await s.app.inject({ url: `/api/v1/tickets/${t.id}`, headers: bearer(manager) })).statusCode).toBe(200);
  });
});

describe('auth over time', () => {
  let s: TestServer;
  const clock = new ManualClock('2026-11-24T08:00:00Z');
  beforeAll(async () => {
    s = await startTestServer({ clock });
    await upsertUser(s.db.db, { email: 'timed@example.com', role: 'agent', password: PASSWORD });
  });
  afterAll(async () => s.close());
  const login = (email: string, password: string, remoteAddress: string) =>
    s.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password }, remoteAddress });

  it('a session expires after its lifetime', async () => {
    const res = await login('timed@example.com', PASSWORD, '10.2.0.1');
    const sid = (res.cookies as InjectCookie[]).find((c) => c.name === 'cd_session')!;
    expect(sid.maxAge).toBe(12 * 60 * 60);
    const cookie = `cd_session=${sid.value}`;
    clock.advance(12 * 60 * 60_000 - 1000);
    expect((await s.app.inject({ url: '/api/v1/auth/me', headers: { cookie } })).statusCode).toBe(200);
    clock.advance(2000);
    expect((await s.app.inject({ url: '/api/v1/auth/me', headers: { cookie } })).statusCode).toBe(401);
  });

  it('the sign-in block lifts when its window has passed', async () => {
    for (let i = 0; i < 6; i++) await login('timed@example.com', 'wrong-password', '10.2.0.2');
    const blocked = await login('timed@example.com', PASSWORD, '10.2.0.2');
    expect(blocked.statusCode).toBe(429);
    const retry = Number(blocked.headers['retry-after']);
    clock.advance(retry * 1000 - 5000);
    expect((await login('timed@example.com', PASSWORD, '10.2.0.2')).statusCode).toBe(429);
    clock.advance(10_000);
    expect((await login('timed@example.com', PASSWORD, '10.2.0.2')).statusCode).toBe(200);
  });

  it('a whole team signing in from one office address is not blocked; spraying many e-mails is', async () => {
    // one scrypt hash copied to many users (hashing is slow on purpose)
    const { user } = await upsertUser(s.db.db, { email: 'office0@example.com', role: 'agent', password: PASSWORD });
    const n = LOGIN_LIMIT.perAddress + 2;
    for (let i = 1; i < n; i++) await upsertUser(s.db.db, { email: `office${i}@example.com`, role: 'agent' });
    await s.db.db.updateTable('users').set({ password_hash: user.password_hash }).where('email', 'like', 'office%@example.com').execute();
    const office = '10.3.0.1';
    const codes: number[] = [];
    for (let i = 0; i < n; i++) codes.push((await login(`office${i}@example.com`, PASSWORD, office)).statusCode);
    expect(codes.filter((c) => c !== 200)).toEqual([]);

    // failures from one address across many e-mails still hit the per-address limit
    const sprayer = '10.3.0.2';
    const spray: number[] = [];
    for (let i = 0; i < LOGIN_LIMIT.perAddress + 1; i++) spray.push((await login(`guess${i}@example.com`, 'guess-123', sprayer)).statusCode);
    expect(spray.slice(0, LOGIN_LIMIT.perAddress).every((c) => c === 401)).toBe(true);
    expect(spray.at(-1)).toBe(429);
  }, 180_000);
});
