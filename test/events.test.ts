import net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import pg from 'pg';
import type { FastifyInstance } from 'fastify';
import { bearer, startTestServer, type TestServer } from './helpers/server.ts';
import { startTwoNodes, uniqueChannel, type TwoNodes } from './helpers/two-nodes.ts';
import { WsClient } from './helpers/ws-client.ts';
import type { Database } from '../src/db/index.ts';
import { randomToken } from '../src/core/ids.ts';
import type { DomainEvent, EventBus } from '../src/core/events.ts';
import { PostgresEventBus, RedisEventBus } from '../src/core/event-bus-remote.ts';
import { createApiToken, createTeam, upsertUser } from '../src/people/users.ts';

/**
 * Live updates: the websocket at /api/v1/events, who receives what, and the fan-out
 * between app nodes through PostgreSQL LISTEN/NOTIFY or Redis.
 */

const DATABASE_URL = process.env.DATABASE_URL;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Whether a Redis answers on the loopback address (a fresh machine may have none). */
async function reachable(url: string): Promise<boolean> {
  const u = new URL(url);
  if (!['127.0.0.1', 'localhost', '::1'].includes(u.hostname)) return false;
  return new Promise((resolve) => {
    const sock = net.connect({ host: u.hostname, port: Number(u.port || 6379) });
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
    sock.setTimeout(1000, () => done(false));
  });
}
const hasRedis = await reachable(REDIS_URL);

const channelName = () => uniqueChannel('t_events');

/** A client of /api/v1/events, connected and subscribed (the server's hello received). */
const Client = {
  async open(url: string, headers: Record<string, string> = {}): Promise<WsClient> {
    const c = await WsClient.open(url, headers);
    await c.next((m) => m.type === 'hello');
    return c;
  },
};

/** The HTTP status with which the server refuses an upgrade (0 when it accepted it). */
function upgradeStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? -1);
      ws.terminate();
    });
    ws.once('open', () => {
      resolve(0);
      ws.close();
    });
    ws.once('error', (e) => reject(e));
  });
}

const wsUrl = (httpUrl: string, query = '') => `${httpUrl.replace(/^http/, 'ws')}/api/v1/events${query}`;

describe('websocket /api/v1/events', () => {
  let s: TestServer;
  let admin: string;
  const clients: WsClient[] = [];
  const open = async (query: string, headers: Record<string, string> = {}) => {
    const c = await Client.open(wsUrl(s.url, query), headers);
    clients.push(c);
    return c;
  };
  const createTicket = async (subject: string, token = admin) => {
    const res = await s.app.inject({ method: 'POST', url: '/api/v1/tickets', headers: bearer(token), payload: { subject, body: `${subject}: help please`, customer: { email: `${randomToken(6).toLowerCase()}@example.com` } } });
    expect(res.statusCode, res.body).toBe(201);
    return res.json<{ id: string }>().id;
  };

  beforeAll(async () => {
    s = await startTestServer({ listen: true });
    ({ token: admin } = await s.tokenFor('admin'));
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });
  afterAll(async () => s.close());

  it('pushes ticket.created, ticket.updated and message.created to a client signed in with ?token=', async () => {
    const { token, userId } = await s.tokenFor('agent');
    const c = await open(`?token=${encodeURIComponent(token)}`);
    expect(c.messages[0]).toEqual({ type: 'hello', userId });

    const id = await createTicket('Where is my parcel');
    const created = await c.next((m) => m.type === 'ticket.created' && m.ticketId === id, 'ticket.created');
    expect(created).toMatchObject({ type: 'ticket.created', ticketId: id, at: expect.any(String) });

    const patch = await s.app.inject({ method: 'PATCH', url: `/api/v1/tickets/${id}`, headers: bearer(admin), payload: { priority: 'urgent', tags: ['late'] } });
    expect(patch.statusCode).toBe(200);
    const updated = await c.next((m) => m.type === 'ticket.updated' && m.ticketId === id, 'ticket.updated');
    expect(updated.changes).toEqual(expect.arrayContaining(['priority', 'tags']));

    const reply = await s.app.inject({ method: 'POST', url: `/api/v1/tickets/${id}/messages`, headers: bearer(admin), payload: { body: 'On its way!' } });
    expect(reply.statusCode).toBe(201);
    const message = await c.next((m) => m.type === 'message.created' && m.ticketId === id, 'message.created');
    expect(message).toMatchObject({ messageId: reply.json().id, internal: false });
    // events carry ids, never message bodies
    expect(JSON.stringify(c.messages)).not.toContain('On its way!');
  });

  it('accepts the session cookie of a signed-in browser', async () => {
    const { userId } = await s.tokenFor('agent', 'cookie-ws@example.com');
    await s.app.inject({ method: 'PATCH', url: `/api/v1/users/${userId}`, headers: bearer(admin), payload: { password: 'cookie-password' } });
    const login = await s.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'cookie-ws@example.com', password: 'cookie-password' } });
    expect(login.statusCode).toBe(200);
    const sid = (login.cookies as Array<{ name: string; value: string }>).find((x) => x.name === 'cd_session')!.value;
    const c = await open('', { cookie: `cd_session=${sid}` });
    expect(c.messages[0]).toEqual({ type: 'hello', userId });
    const id = await createTicket('Cookie client');
    await c.next((m) => m.type === 'ticket.created' && m.ticketId === id, 'ticket.created');
  });

  it('refuses the upgrade without valid credentials', async () => {
    expect(await upgradeStatus(wsUrl(s.url))).toBe(401);
    expect(await upgradeStatus(wsUrl(s.url, '?token=cdt_not_a_token'))).toBe(401);
    expect(await upgradeStatus(wsUrl(s.url), { cookie: 'cd_session=forged' })).toBe(401);
    // and a plain GET (no upgrade) without credentials is a 401 too
    expect((await s.app.inject({ url: '/api/v1/events' })).statusCode).toBe(401);
  });

  it('an agent of another team does not receive events of a ticket assigned outside it', async () => {
    const teamA = await createTeam(s.db.db, 'Events A');
    const teamB = await createTeam(s.db.db, 'Events B');
    const a1 = await s.tokenFor('agent', 'ev-a1@example.com', { teamId: teamA.id });
    const a2 = await s.tokenFor('agent', 'ev-a2@example.com', { teamId: teamA.id });
    const b1 = await s.tokenFor('agent', 'ev-b1@example.com', { teamId: teamB.id });
    const { token: manager } = await s.tokenFor('manager');
    const ca1 = await open(`?token=${a1.token}`);
    const ca2 = await open(`?token=${a2.token}`);
    const cb1 = await open(`?token=${b1.token}`);
    const cm = await open(`?token=${manager}`);

    const t = await createTicket('Team-only ticket');
    // unassigned: everyone may see it
    for (const c of [ca1, ca2, cb1, cm]) await c.next((m) => m.type === 'ticket.created' && m.ticketId === t);

    await s.app.inject({ method: 'PATCH', url: `/api/v1/tickets/${t}`, headers: bearer(admin), payload: { assigneeId: a1.userId } });
    await s.app.inject({ method: 'POST', url: `/api/v1/tickets/${t}/messages`, headers: bearer(a1.token), payload: { body: 'Checking it now.' } });
    await s.app.inject({ method: 'POST', url: `/api/v1/tickets/${t}/messages`, headers: bearer(a1.token), payload: { body: 'note', internal: true } });
    for (const c of [ca1, ca2, cm]) {
      await c.next((m) => m.type === 'ticket.updated' && m.ticketId === t && (m.changes as string[]).includes('assignee'), 'assignment');
      await c.next((m) => m.type === 'message.created' && m.ticketId === t && m.internal === true, 'the note');
    }
    // a later event b1 may see: once it has arrived, everything published before it has too
    const u = await createTicket('Another unassigned ticket');
    await cb1.next((m) => m.type === 'ticket.created' && m.ticketId === u);
    const leaked = cb1.messages.filter((m) => m.ticketId === t && m.type !== 'ticket.created');
    expect(leaked).toEqual([]);
    expect(cb1.messages.filter((m) => m.ticketId === t)).toHaveLength(1);
  });
});

describe.skipIf(!DATABASE_URL)('PostgresEventBus (LISTEN/NOTIFY)', () => {
  const buses: EventBus[] = [];
  afterEach(async () => {
    await Promise.all(buses.splice(0).map((b) => b.close()));
  });

  it('fans an event published on one bus out to another on the same database', async () => {
    const channel = channelName();
    const a = await PostgresEventBus.connect(DATABASE_URL!, channel);
    const b = await PostgresEventBus.connect(DATABASE_URL!, channel);
    const other = await PostgresEventBus.connect(DATABASE_URL!, channelName());
    buses.push(a, b, other);
    expect(a.kind).toBe('postgres');
    const gotB: DomainEvent[] = [];
    const gotOther: DomainEvent[] = [];
    other.subscribe((e) => gotOther.push(e));
    const arrived = new Promise<DomainEvent>((resolve) => b.subscribe((e) => {
      gotB.push(e);
      if (e.ticketId === 'second') resolve(e);
    }));
    const event: DomainEvent = { type: 'ticket.created', ticketId: 'first', assigneeId: null, teamId: null, at: new Date().toISOString() };
    await a.publish(event);
    await a.publish({ ...event, type: 'ticket.updated', ticketId: 'second', changes: ['status'] });
    await arrived;
    expect(gotB).toEqual([event, { ...event, type: 'ticket.updated', ticketId: 'second', changes: ['status'] }]);
    // a bus on another channel (another test, another deployment) hears nothing
    await other.publish({ ...event, ticketId: 'marker' });
    await new Promise<void>((resolve) => {
      const check = () => (gotOther.some((e) => e.ticketId === 'marker') ? resolve() : setTimeout(check, 10));
      check();
    });
    expect(gotOther.map((e) => e.ticketId)).toEqual(['marker']);
  });

  it('listens again when its connection to PostgreSQL is lost', async () => {
    const channel = channelName();
    const a = await PostgresEventBus.connect(DATABASE_URL!, channel);
    const b = await PostgresEventBus.connect(DATABASE_URL!, channel);
    buses.push(a, b);
    const got: string[] = [];
    b.subscribe((e) => got.push(e.ticketId));
    // a server restart or failover, as b's listening connection sees it
    const admin = new pg.Client({ connectionString: DATABASE_URL });
    await admin.connect();
    try {
      const killed = await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = $1`, [`LISTEN ${channel}`]);
      expect(killed.rowCount).toBe(2);
    } finally {
      await admin.end();
    }
    // events published while nobody listens are lost (live updates are best effort);
    // once b listens again, they arrive
    for (let i = 0; i < 300 && !got.includes('after-restart'); i++) {
      await a.publish({ type: 'ticket.updated', ticketId: 'after-restart', at: new Date().toISOString() });
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(got).toContain('after-restart');
  });

  it('refuses a channel name that is not an identifier', async () => {
    await expect(PostgresEventBus.connect(DATABASE_URL!, 'bad; DROP TABLE x')).rejects.toThrow(/invalid event channel/);
  });
});

describe.skipIf(!hasRedis)('RedisEventBus', () => {
  it('fans an event published on one bus out to another', async () => {
    const channel = channelName();
    const a = await RedisEventBus.connect(REDIS_URL, channel);
    const b = await RedisEventBus.connect(REDIS_URL, channel);
    try {
      expect(b.kind).toBe('redis');
      const got: DomainEvent[] = [];
      const arrived = new Promise<void>((resolve) => b.subscribe((e) => {
        got.push(e);
        if (got.length === 2) resolve();
      }));
      const event: DomainEvent = { type: 'message.created', ticketId: 't1', messageId: 'm1', internal: false, at: new Date().toISOString() };
      await a.publish(event);
      await a.publish({ ...event, ticketId: 't2' });
      await arrived;
      expect(got).toEqual([event, { ...event, ticketId: 't2' }]);
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe.skipIf(!DATABASE_URL)('two app nodes on one PostgreSQL', () => {
  let d1: Database;
  let appA: FastifyInstance;
  let appB: FastifyInstance;
  let urlB: string;
  let nodes: TwoNodes | undefined;

  beforeAll(async () => {
    nodes = await startTwoNodes({ channel: channelName(), listenA: false });
    ({ d1, appA, appB, urlB } = nodes);
  });
  afterAll(async () => {
    await nodes?.close();
  });

  it('pushes a ticket created through node A to a websocket client of node B', async () => {
    const { user } = await upsertUser(d1.db, { email: 'node-agent@example.com', role: 'agent' });
    const token = await createApiToken(d1.db, user.id, 'test');
    const c = await Client.open(wsUrl(urlB, `?token=${token}`));
    try {
      const res = await appA.inject({ method: 'POST', url: '/api/v1/tickets', headers: bearer(token), payload: { subject: 'Across nodes', body: 'Hello from node A', customer: { email: 'nodes@example.com' } } });
      expect(res.statusCode, res.body).toBe(201);
      const id = res.json<{ id: string }>().id;
      await c.next((m) => m.type === 'ticket.created' && m.ticketId === id, 'ticket.created from node A');
      // and node B serves the ticket from the shared database
      const read = await appB.inject({ url: `/api/v1/tickets/${id}`, headers: bearer(token) });
      expect(read.json().subject).toBe('Across nodes');
      const reply = await appA.inject({ method: 'POST', url: `/api/v1/tickets/${id}/messages`, headers: bearer(token), payload: { body: 'Answer' } });
      await c.next((m) => m.type === 'message.created' && m.messageId === reply.json().id, 'message.created from node A');
    } finally {
      await c.close();
    }
  });
});
