import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startTestServer, type TestServer } from './helpers/server.ts';
import { startSmtpSink } from './helpers/smtp-sink.ts';
import { startTwoNodes, uniqueChannel, type TwoNodes } from './helpers/two-nodes.ts';
import { WsClient } from './helpers/ws-client.ts';
import { setPresence } from '../src/helpdesk/routing.ts';
import { getDefaultStore } from '../src/helpdesk/stores.ts';
import { systemClock } from '../src/core/clock.ts';
import { JobRunner } from '../src/core/jobs.ts';
import { emailOutbound } from '../src/channels/email/outbound.ts';
import { emailSettings } from '../src/channels/email/settings.ts';
import type { Database } from '../src/db/index.ts';
import type { PostgresEventBus } from '../src/core/event-bus-remote.ts';
import { createApiToken, upsertUser } from '../src/people/users.ts';

/**
 * The chat widget's public API through a real port: conversations become tickets, agents'
 * public replies and typing reach the visitor's websocket (internal notes never do),
 * limits, schemas, CORS, and the offline path into an e-mail ticket.
 */

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: (text ? JSON.parse(text) : null) as Record<string, unknown> & { error?: { code: string; message: string; details?: Record<string, unknown> } } };
}

type InboxTicket = { id: string; channel: string; tags: string[]; customer: { name: string | null; email: string } };
/** A ticket as the inbox list shows it (the list, as agents see it in the normal inbox). */
async function inboxTicket(base: string, token: string, id: string): Promise<InboxTicket> {
  const res = await fetch(`${base}/api/v1/tickets?limit=100`, { headers: bearer(token) });
  const body = (await res.json()) as { items: InboxTicket[] };
  const t = body.items.find((x) => x.id === id);
  if (!t) throw new Error(`ticket ${id} is not in the inbox list`);
  return t;
}

async function get(url: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, { headers });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: (res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : null) as Record<string, unknown> };
}

describe('chat widget API', () => {
  let s: TestServer;
  let storeId: string;
  let agent: { token: string; userId: string };
  let admin: { token: string; userId: string };

  beforeAll(async () => {
    s = await startTestServer({ listen: true, deps: { chat: { presenceCacheMs: 0 } } });
    storeId = (await getDefaultStore(s.db.db)).id;
    agent = await s.tokenFor('agent', 'chat-agent@test.example');
    admin = await s.tokenFor('admin', 'chat-admin@test.example');
    await setPresence({ db: s.db.db, bus: s.bus, clock: systemClock }, agent.userId, 'on', new Date());
  });
  afterAll(async () => {
    await s?.close();
  });

  const start = (body: Record<string, unknown>, headers: Record<string, string> = {}) => post(`${s.url}/widget/v1/conversations`, { storeId, ...body }, headers);

  it('a conversation becomes a chat ticket in the normal inbox, names kept as text', async () => {
    const cfg = await get(`${s.url}/widget/v1/config?storeId=${storeId}`);
    expect(cfg.status).toBe(200);
    expect(cfg.json).toMatchObject({ storeId, online: true });

    const name = '<script>alert("x")</script> Ana';
    const r = await start({ name, text: 'Hola, ¿dónde está mi pedido #1234?', language: 'es-ES' }, { 'x-forwarded-for': '10.0.0.1' });
    expect(r.status).toBe(201);
    expect(r.json.mode).toBe('live');
    expect(String(r.json.visitorToken)).toMatch(/^cdv_/);
    const ticketId = String(r.json.ticketId);

    const t = await inboxTicket(s.url, agent.token, ticketId);
    expect(t.channel).toBe('chat');
    expect(t.tags).toEqual(['chat']);
    expect(t.customer.name).toBe(name);
    expect(t.customer.email).toMatch(/@chat\.invalid$/);

    // the token is stored hashed, never as given
    const stored = await s.db.db.selectFrom('chat_visitors').select('token_hash').execute();
    expect(stored.map((v) => v.token_hash)).not.toContain(r.json.visitorToken);

    // the visitor reads it back; another visitor's token does not open it
    const mine = await get(`${s.url}/widget/v1/conversations/${String(r.json.conversationId)}/messages`, { 'x-visitor-token': String(r.json.visitorToken) });
    expect(mine.status).toBe(200);
    expect((mine.json.items as Array<{ text: string; from: string }>)[0]).toMatchObject({ from: 'visitor', text: 'Hola, ¿dónde está mi pedido #1234?' });
    const other = await start({ text: 'another visitor' }, { 'x-forwarded-for': '10.0.0.2' });
    const theirs = await get(`${s.url}/widget/v1/conversations/${String(r.json.conversationId)}/messages`, { 'x-visitor-token': String(other.json.visitorToken) });
    expect(theirs.status).toBe(404);
    const none = await get(`${s.url}/widget/v1/conversations/${String(r.json.conversationId)}/messages`);
    expect(none.status).toBe(401);
  });

  it('pushes agent replies and typing to the visitor, never internal notes; visitor typing reaches agents', async () => {
    const r = await start({ name: 'Jonas', text: 'Mein Paket ist beschädigt angekommen.' }, { 'x-forwarded-for': '10.0.1.1' });
    const token = String(r.json.visitorToken);
    const conversationId = String(r.json.conversationId);
    const ticketId = String(r.json.ticketId);
    const wsUrl = s.url.replace('http', 'ws');
    const visitor = await WsClient.open(`${wsUrl}/widget/v1/ws?token=${encodeURIComponent(token)}`);
    const agents = await WsClient.open(`${wsUrl}/api/v1/events?token=${encodeURIComponent(agent.token)}`);
    try {
      await visitor.next((m) => m.type === 'hello');
      await agents.next((m) => m.type === 'hello');

      // agent typing → visitor
      const typ = await post(`${s.url}/api/v1/tickets/${ticketId}/typing`, { typing: true }, bearer(agent.token));
      expect(typ.status).toBe(204);
      const shown = await visitor.next((m) => m.type === 'typing');
      expect(shown).toMatchObject({ conversationId, typing: true, name: expect.any(String) });

      // visitor typing → agents' websocket
      const vt = await post(`${s.url}/widget/v1/conversations/${conversationId}/typing`, { typing: true }, { 'x-visitor-token': token });
      expect(vt.status).toBe(204);
      const seen = await agents.next((m) => m.type === 'chat.typing' && m.who === 'visitor');
      expect(seen).toMatchObject({ ticketId, typing: true });

      // an internal note first, then the public reply
      const note = await post(`${s.url}/api/v1/tickets/${ticketId}/messages`, { body: 'INTERNAL: customer is a known refund abuser', internal: true }, bearer(agent.token));
      expect(note.status).toBe(201);
      const reply = await post(`${s.url}/api/v1/tickets/${ticketId}/messages`, { body: 'Das tut mir leid! Wir senden Ihnen sofort Ersatz.' }, bearer(agent.token));
      expect(reply.status).toBe(201);
      const pushed = await visitor.next((m) => m.type === 'message' && (m.message as { from: string }).from === 'agent');
      expect(pushed.conversationId).toBe(conversationId);
      expect((pushed.message as { text: string }).text).toBe('Das tut mir leid! Wir senden Ihnen sofort Ersatz.');
      await sleep(300);
      expect(JSON.stringify(visitor.messages)).not.toContain('INTERNAL');
      const all = await get(`${s.url}/widget/v1/conversations/${conversationId}/messages`, { 'x-visitor-token': token });
      expect(JSON.stringify(all.json)).not.toContain('INTERNAL');
      expect((all.json.items as unknown[]).length).toBe(2);

      // the visitor answers; agents see the message; after= gives only what is new
      const first = (all.json.items as Array<{ id: string }>)[1].id;
      const answer = await post(`${s.url}/widget/v1/conversations/${conversationId}/messages`, { text: 'Danke!' }, { 'x-visitor-token': token });
      expect(answer.status).toBe(201);
      await agents.next((m) => m.type === 'message.created' && m.ticketId === ticketId && m.messageId === answer.json.id);
      const newer = await get(`${s.url}/widget/v1/conversations/${conversationId}/messages?after=${first}`, { 'x-visitor-token': token });
      expect((newer.json.items as Array<{ text: string }>).map((m) => m.text)).toEqual(['Danke!']);
    } finally {
      await visitor.close();
      await agents.close();
    }
  });

  it('rejects a bad token on the websocket', async () => {
    await expect(WsClient.open(`${s.url.replace('http', 'ws')}/widget/v1/ws?token=cdv_${'x'.repeat(43)}`)).rejects.toThrow(/401/);
  });

  it('accepts nothing beyond the schema and limits sizes', async () => {
    const h = { 'x-forwarded-for': '10.0.2.1' };
    const extra = await start({ text: 'hi', admin: true }, h);
    expect(extra.status).toBe(400);
    expect(extra.json.error?.message).toMatch(/unknown field "admin"/);
    expect((await start({}, h)).status).toBe(400);
    expect((await start({ text: 'hi', language: 'en"><script>' }, h)).status).toBe(400);
    expect((await start({ text: 'x'.repeat(5001) }, h)).status).toBe(400);
    expect((await post(`${s.url}/widget/v1/conversations`, { storeId, text: 'y'.repeat(70_000) }, h)).status).toBe(413);
    expect((await post(`${s.url}/widget/v1/conversations`, '{not json', h)).status).toBe(400);
    expect((await start({ text: '   ' }, h)).status).toBe(400);
    expect((await post(`${s.url}/widget/v1/conversations`, { storeId: '00000000-0000-7000-8000-000000000000', text: 'hi' }, h)).status).toBe(404);
    const ok = await start({ text: 'x'.repeat(5000) }, h);
    expect(ok.status).toBe(201);
    const typing = await post(`${s.url}/widget/v1/conversations/${String(ok.json.conversationId)}/typing`, { typing: 'yes' }, { 'x-visitor-token': String(ok.json.visitorToken) });
    expect(typing.status).toBe(400);
  });

  it('answers CORS preflights on the widget routes only and enforces a store origin list', async () => {
    const pre = await fetch(`${s.url}/widget/v1/conversations`, { method: 'OPTIONS', headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-visitor-token' } });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    expect(pre.headers.get('access-control-allow-headers')).toContain('x-visitor-token');
    const api = await fetch(`${s.url}/api/v1/tickets`, { headers: { origin: 'https://shop.example', ...bearer(agent.token) } });
    expect(api.headers.get('access-control-allow-origin')).toBeNull();

    const put = await fetch(`${s.url}/api/v1/stores/${storeId}/chat-widget`, { method: 'PUT', headers: { 'content-type': 'application/json', ...bearer(admin.token) }, body: JSON.stringify({ allowedOrigins: ['https://shop.example'] }) });
    expect(put.status).toBe(200);
    try {
      const h = { 'x-forwarded-for': '10.0.3.1' };
      expect((await start({ text: 'from the shop' }, { ...h, origin: 'https://shop.example' })).status).toBe(201);
      const evil = await start({ text: 'from elsewhere' }, { ...h, origin: 'https://evil.example' });
      expect(evil.status).toBe(403);
      expect((await get(`${s.url}/widget/v1/config?storeId=${storeId}`, { origin: 'https://evil.example' })).status).toBe(403);
    } finally {
      await fetch(`${s.url}/api/v1/stores/${storeId}/chat-widget`, { method: 'PUT', headers: { 'content-type': 'application/json', ...bearer(admin.token) }, body: JSON.stringify({ allowedOrigins: [] }) });
    }
  });

  it('serves the script (embeddable from any site) and the demo shop page', async () => {
    const js = await get(`${s.url}/widget.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toContain('javascript');
    expect(js.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    expect(js.text).toContain('/widget/v1');
    const demo = await get(`${s.url}/widget/demo`);
    expect(demo.status).toBe(200);
    expect(demo.text).toContain(`<script src="/widget.js" data-store="${storeId}" async></script>`);
    expect((await get(`${s.url}/widget/nope`)).status).toBe(404);
  });

  it('turns the conversation into an e-mail ticket when nobody is online, and replies go out by e-mail', async () => {
    await setPresence({ db: s.db.db, bus: s.bus, clock: systemClock }, agent.userId, 'off', new Date());
    const relay = await startSmtpSink();
    const { received } = relay;
    const outbound = emailOutbound({ db: s.db.db, bus: s.bus, clock: systemClock, settings: { ...emailSettings({}), relayUrl: `smtp://127.0.0.1:${relay.port}` } });
    const runner = new JobRunner({ db: s.db.db, clock: systemClock, handlers: outbound.handlers });
    try {
      const cfg = await get(`${s.url}/widget/v1/config?storeId=${storeId}`);
      expect(cfg.json.online).toBe(false);
      const h = { 'x-forwarded-for': '10.0.4.1' };
      const noEmail = await start({ text: 'Is the charger compatible with a MacBook?' }, h);
      expect(noEmail.status).toBe(400);
      expect(noEmail.json.error?.details).toMatchObject({ field: 'email', reason: 'offline' });
      const r = await start({ name: 'Marie', email: 'Marie.Dupont@example.fr', text: 'Le chargeur est-il compatible avec un MacBook ?', language: 'fr-FR' }, h);
      expect(r.status).toBe(201);
      expect(r.json.mode).toBe('offline');
      const t = await inboxTicket(s.url, admin.token, String(r.json.ticketId));
      expect(t.channel).toBe('email');
      expect(t.tags).toEqual(['chat', 'offline']);
      expect(t.customer.email).toBe('marie.dupont@example.fr');

      const reply = await post(`${s.url}/api/v1/tickets/${String(r.json.ticketId)}/messages`, { body: 'Bonjour Marie, oui, il est compatible.' }, bearer(admin.token));
      expect(await outbound.enqueueFor(String(reply.json.id))).not.toBeNull();
      await runner.tick();
      expect(received).toHaveLength(1);
      expect(received[0].to).toEqual(['marie.dupont@example.fr']);
      const mail = await simpleParser(received[0].raw);
      expect(mail.text?.trim()).toBe('Bonjour Marie, oui, il est compatible.');
      expect(mail.subject).toMatch(/\[#CD-\d+\]$/);
    } finally {
      outbound.close();
      await relay.close();
      await setPresence({ db: s.db.db, bus: s.bus, clock: systemClock }, agent.userId, 'on', new Date());
    }
  });

  it('a live chat reply is not e-mailed', async () => {
    const r = await start({ text: 'quick question', email: 'live@example.com' }, { 'x-forwarded-for': '10.0.5.1' });
    expect(r.json.mode).toBe('live');
    const reply = await post(`${s.url}/api/v1/tickets/${String(r.json.ticketId)}/messages`, { body: 'Sure!' }, bearer(agent.token));
    const outbound = emailOutbound({ db: s.db.db, bus: s.bus, clock: systemClock, settings: { ...emailSettings({}), relayUrl: 'smtp://127.0.0.1:9' } });
    try {
      expect(await outbound.enqueueFor(String(reply.json.id))).toBeNull();
    } finally {
      outbound.close();
    }
  });
});

describe('chat widget rate limits', () => {
  let s: TestServer;
  let storeId: string;

  beforeAll(async () => {
    s = await startTestServer({
      listen: true,
      deps: { chat: { presenceCacheMs: 0, limits: { createPerIp: { limit: 2, windowMs: 60_000 }, messagesPerVisitor: { limit: 3, windowMs: 60_000 } } } },
    });
    storeId = (await getDefaultStore(s.db.db)).id;
    const agent = await s.tokenFor('agent');
    await setPresence({ db: s.db.db, bus: s.bus, clock: systemClock }, agent.userId, 'on', new Date());
  });
  afterAll(async () => {
    await s?.close();
  });

  it('limits new conversations per address and messages per visitor (429 with Retry-After)', async () => {
    const a = { 'x-forwarded-for': '192.0.2.10' };
    const first = await post(`${s.url}/widget/v1/conversations`, { storeId, text: 'one' }, a);
    expect(first.status).toBe(201);
    expect((await post(`${s.url}/widget/v1/conversations`, { storeId, text: 'two' }, a)).status).toBe(201);
    const third = await post(`${s.url}/widget/v1/conversations`, { storeId, text: 'three' }, { ...a, origin: 'https://shop.example' });
    expect(third.status).toBe(429);
    expect(third.json.error?.code).toBe('rate_limited');
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(third.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    // another address is not affected
    expect((await post(`${s.url}/widget/v1/conversations`, { storeId, text: 'hello' }, { 'x-forwarded-for': '192.0.2.11' })).status).toBe(201);

    // the first message counted; two more pass, the fourth is refused
    const url = `${s.url}/widget/v1/conversations/${String(first.json.conversationId)}/messages`;
    const h = { 'x-visitor-token': String(first.json.visitorToken), 'x-forwarded-for': '192.0.2.12' };
    expect((await post(url, { text: 'm2' }, h)).status).toBe(201);
    expect((await post(url, { text: 'm3' }, h)).status).toBe(201);
    const refused = await post(url, { text: 'm4' }, h);
    expect(refused.status).toBe(429);
    const ticket = await s.db.db.selectFrom('messages').select('body').where('ticket_id', '=', String(first.json.ticketId)).execute();
    expect(ticket.map((m) => m.body)).toEqual(['one', 'm2', 'm3']);
  });
});

const DATABASE_URL = process.env.DATABASE_URL;

describe.skipIf(!DATABASE_URL)('chat widget on two app nodes (PostgreSQL LISTEN/NOTIFY)', () => {
  let d1: Database;
  let busA: PostgresEventBus;
  let urlA: string;
  let urlB: string;
  let nodes: TwoNodes | undefined;

  beforeAll(async () => {
    nodes = await startTwoNodes({ channel: uniqueChannel('t_chat'), deps: { chat: { presenceCacheMs: 0 } } });
    ({ d1, busA, urlA, urlB } = nodes);
  });
  afterAll(async () => {
    await nodes?.close();
  });

  it('an agent reply and typing on node B reach the visitor connected to node A', async () => {
    const { user } = await upsertUser(d1.db, { email: 'two-nodes@test.example', role: 'agent', name: 'Kenji' });
    const token = await createApiToken(d1.db, user.id, 'test');
    await setPresence({ db: d1.db, bus: busA, clock: systemClock }, user.id, 'on', new Date());
    const storeId = (await getDefaultStore(d1.db)).id;
    const r = await post(`${urlA}/widget/v1/conversations`, { storeId, text: '注文した商品がまだ届きません。', language: 'ja' });
    expect(r.status).toBe(201);
    const visitor = await WsClient.open(`${urlA.replace('http', 'ws')}/widget/v1/ws?token=${encodeURIComponent(String(r.json.visitorToken))}`);
    try {
      await visitor.next((m) => m.type === 'hello');
      expect((await post(`${urlB}/api/v1/tickets/${String(r.json.ticketId)}/typing`, { typing: true }, bearer(token))).status).toBe(204);
      await visitor.next((m) => m.type === 'typing' && m.typing === true && m.name === 'Kenji');
      await post(`${urlB}/api/v1/tickets/${String(r.json.ticketId)}/messages`, { body: 'メモ：倉庫に確認中', internal: true }, bearer(token));
      const reply = await post(`${urlB}/api/v1/tickets/${String(r.json.ticketId)}/messages`, { body: '大変申し訳ございません。すぐにお調べいたします。' }, bearer(token));
      expect(reply.status).toBe(201);
      const got = await visitor.next((m) => m.type === 'message' && (m.message as { id: string }).id === reply.json.id);
      expect((got.message as { text: string }).text).toBe('大変申し訳ございません。すぐにお調べいたします。');
      await sleep(300);
      expect(JSON.stringify(visitor.messages)).not.toContain('メモ');
    } finally {
      await visitor.close();
    }
  });
});
