import { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startTestServer, type TestServer } from '../../../test/helpers/server.ts';
import { dovecotMissing, startDovecot, type Dovecot } from '../../../test/helpers/dovecot.ts';
import { systemClock } from '../../core/clock.ts';
import { MemoryEventBus } from '../../core/events.ts';
import { createStore } from '../../helpdesk/stores.ts';
import { triageForTickets } from '../../helpdesk/triage-adapter.ts';
import { buildMail, CHARSET_SAMPLES } from './fixtures.ts';
import { startImapPollers, type ImapPollers } from './imap.ts';
import type { EmailDeps } from './intake.ts';
import { secretBox } from './mailboxes.ts';
import { emailSettings } from './settings.ts';

const missing = dovecotMissing();
if (missing) console.warn(missing);

let dovecot: Dovecot;
let server: TestServer;
let admin: string;
let deps: EmailDeps;
let storeId: string;
const pollers: ImapPollers[] = [];
const box = secretBox('test-key-for-imap');

const USERS = [
  { user: 'shop', password: 'secret-1' },
  { user: 'shop2', password: 'secret-2' },
  { user: 'resync', password: 'secret-3' },
];

async function imap<T>(user: string, fn: (c: ImapFlow) => Promise<T>): Promise<T> {
  const u = USERS.find((x) => x.user === user)!;
  const c = new ImapFlow({ host: dovecot.host, port: dovecot.port, secure: false, doSTARTTLS: false, auth: { user: u.user, pass: u.password }, logger: false });
  c.on('error', () => undefined);
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.logout().catch(() => c.close());
  }
}
const append = (user: string, raw: Buffer, folder = 'INBOX') => imap(user, (c) => c.append(folder, raw));

async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${dovecot.log().slice(-1500)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const emailRow = (messageId: string) =>
  server.db.db
    .selectFrom('email_messages as e')
    .leftJoin('tickets as t', 't.id', 'e.ticket_id')
    .select(['e.kind', 'e.ticket_id', 'e.duplicates', 'e.store_id', 't.subject', 't.number'])
    .where('e.direction', '=', 'in')
    .where('e.message_id', '=', messageId)
    .executeTakeFirst();
const ticketed = async (messageId: string) => {
  const r = await emailRow(messageId);
  return r?.ticket_id ? r : null;
};
const bodies = async (ticketId: string) => (await server.db.db.selectFrom('messages').select('body').where('ticket_id', '=', ticketId).orderBy('created_at').orderBy('id').execute()).map((m) => m.body);

async function addMailbox(body: Record<string, unknown>) {
  const res = await server.app.inject({ method: 'POST', url: '/api/v1/mailboxes', headers: bearer(admin), payload: { host: dovecot.host, port: dovecot.port, tls: 'none', storeId, ...body } });
  expect(res.statusCode, res.body).toBe(201);
  return res.json<{ id: string; password: string; status: string }>();
}
const mailbox = (id: string) => server.db.db.selectFrom('email_mailboxes').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

function startPollers(nodeId: string) {
  const p = startImapPollers(deps, { nodeId, scanMs: 150, leaseMs: 3_000, backoffBaseMs: 150, backoffMaxMs: 600, connectTimeoutMs: 5_000, box });
  pollers.push(p);
  return p;
}

describe.skipIf(Boolean(missing))('IMAP polling against Dovecot', () => {
  beforeAll(async () => {
    dovecot = await startDovecot(USERS);
    server = await startTestServer({ deps: {} });
    admin = (await server.tokenFor('admin')).token;
    storeId = (await createStore(server.db.db, { name: 'Tokyo shop', supportEmail: 'support@tokyo.example', market: 'JP', timezone: 'Asia/Tokyo' })).id;
    deps = { db: server.db.db, bus: new MemoryEventBus(), clock: systemClock, triage: triageForTickets, settings: { ...emailSettings({}), floodLimitPerHour: 0 } };
  }, 60_000);

  afterAll(async () => {
    await Promise.all(pollers.map((p) => p.close()));
    await server?.close();
    await dovecot?.stop();
  }, 30_000);

  it('takes in new mail as tickets once, records auto-replies, decodes Japanese charsets, flags \\Seen', async () => {
    const sjis = CHARSET_SAMPLES.find((s) => s.charset === 'Shift_JIS')!;
    const jis = CHARSET_SAMPLES.find((s) => s.charset === 'ISO-2022-JP')!;
    const first = buildMail({ messageId: 'imap-1@example.jp', from: 'Hanako <hanako@example.jp>', subject: 'Order 7781 missing', text: 'My order 7781 has not arrived.' });
    await append('shop', first);
    await append('shop', first); // delivered twice
    await append('shop', buildMail({ messageId: 'imap-sjis@example.jp', from: 'taro@example.jp', subject: sjis.subject, subjectCharset: 'Shift_JIS', text: sjis.text, charset: 'Shift_JIS', encoding: '8bit' }));
    await append('shop', buildMail({ messageId: 'imap-jis@example.jp', from: 'jiro@example.jp', subject: jis.subject, subjectCharset: 'ISO-2022-JP', text: jis.text, charset: 'ISO-2022-JP', encoding: '8bit' }));
    await append('shop', buildMail({ messageId: 'imap-ooo@example.jp', from: 'away@example.jp', subject: '不在のお知らせ', text: 'I am away', headers: { 'Auto-Submitted': 'auto-replied' } }));

    const created = await addMailbox({ username: 'shop', password: 'secret-1', name: 'Tokyo support', pollSeconds: 60 });
    expect(created).not.toHaveProperty('password_enc');
    expect(JSON.stringify(created)).not.toContain('secret-1');
    expect(created.password).toBe('plain'); // the test server has no CROSSDESK_SECRET_KEY
    const listed = await server.app.inject({ method: 'GET', url: '/api/v1/mailboxes', headers: bearer(admin) });
    expect(listed.body).not.toContain('secret-1');
    // give the pollers an encrypted password, as with CROSSDESK_SECRET_KEY set
    await server.db.db.updateTable('email_mailboxes').set({ password_enc: box.seal('secret-1') }).where('id', '=', created.id).execute();
    expect((await mailbox(created.id)).password_enc).not.toContain('secret-1');

    startPollers('node-a');
    await until('the Japanese mails', async () => (await emailRow('imap-jis@example.jp'))?.ticket_id && (await emailRow('imap-ooo@example.jp')));
    // the batch is flagged \Seen and the position saved after its intake
    await until('the position saved', async () => (await mailbox(created.id)).messages_fetched >= 5);

    const one = await emailRow('imap-1@example.jp');
    expect(one?.subject).toBe('Order 7781 missing');
    expect(one?.store_id).toBe(storeId);
    expect(await bodies(one!.ticket_id!)).toEqual(['My order 7781 has not arrived.']);
    const msgs = await server.db.db.selectFrom('messages').select('id').where('external_id', '=', 'email:imap-1@example.jp').execute();
    expect(msgs).toHaveLength(1);
    expect(one?.duplicates).toBe(1);

    const s = await emailRow('imap-sjis@example.jp');
    expect(s?.subject).toBe(sjis.subject);
    expect(await bodies(s!.ticket_id!)).toEqual([sjis.text]);
    const j = await emailRow('imap-jis@example.jp');
    expect(j?.subject).toBe(jis.subject);
    expect(await bodies(j!.ticket_id!)).toEqual([jis.text]);

    const ooo = await emailRow('imap-ooo@example.jp');
    expect(ooo?.kind).toBe('auto_reply');
    expect(ooo?.ticket_id).toBeNull();

    const flags = await imap('shop', async (c) => {
      await c.mailboxOpen('INBOX');
      return (await c.fetchAll('1:*', { uid: true, flags: true })).map((m) => m.flags?.has('\\Seen'));
    });
    expect(flags).toEqual([true, true, true, true, true]);
    const row = await mailbox(created.id);
    expect(row.status).toBe('ok');
    expect(Number(row.last_uid)).toBe(5);
    expect(row.messages_fetched).toBe(5);
    expect(row.uid_validity).toMatch(/^\d+$/);
  }, 60_000);

  it('picks up a reply appended after the poller started through IDLE, on the same ticket', async () => {
    const first = await emailRow('imap-1@example.jp');
    const t0 = Date.now();
    await append('shop', buildMail({ messageId: 'imap-2@example.jp', from: 'Hanako <hanako@example.jp>', subject: 'Re: Order 7781 missing', inReplyTo: 'imap-1@example.jp', references: ['imap-1@example.jp'], text: 'Any news?\n\n> My order 7781 has not arrived.' }));
    const reply = await until('the reply', () => ticketed('imap-2@example.jp'));
    // pollSeconds is 60: only IDLE brings it this fast
    expect(Date.now() - t0).toBeLessThan(20_000);
    expect(reply?.ticket_id).toBe(first?.ticket_id);
    expect(await bodies(first!.ticket_id!)).toEqual(['My order 7781 has not arrived.', 'Any news?']);
  }, 60_000);

  it('records a wrong password on the mailbox, loses nothing, and takes the mail once it is fixed', async () => {
    const created = await addMailbox({ username: 'shop2', password: 'wrong-password', name: 'Second' });
    await append('shop2', buildMail({ messageId: 'imap-wrongpw@example.jp', from: 'kenji@example.jp', subject: 'Refund', text: 'Where is my refund?' }));
    const failed = await until('the error', async () => {
      const r = await mailbox(created.id);
      return r.status === 'error' && r;
    });
    expect(failed.last_error).toMatch(/authentication failed for user "shop2" at 127\.0\.0\.1:\d+/);
    expect(failed.failures).toBeGreaterThan(0);
    const api = await server.app.inject({ method: 'GET', url: `/api/v1/mailboxes/${created.id}`, headers: bearer(admin) });
    expect(api.json<{ status: string; lastError: string }>()).toMatchObject({ status: 'error', lastError: expect.stringMatching(/authentication failed/) as unknown });
    expect(await emailRow('imap-wrongpw@example.jp')).toBeUndefined();
    // the mail is still unread on the server
    const seen = await imap('shop2', async (c) => {
      await c.mailboxOpen('INBOX');
      return (await c.fetchAll('1:*', { flags: true })).map((m) => m.flags?.has('\\Seen'));
    });
    expect(seen).toEqual([false]);

    const patched = await server.app.inject({ method: 'PATCH', url: `/api/v1/mailboxes/${created.id}`, headers: bearer(admin), payload: { password: 'secret-2' } });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.body).not.toContain('secret-2');
    const row = await until('the mail after the fix', () => ticketed('imap-wrongpw@example.jp'));
    expect(row?.subject).toBe('Refund');
    const ok = await until('status ok', async () => {
      const r = await mailbox(created.id);
      return r.status === 'ok' && r;
    });
    expect(ok.last_error).toBeNull();
  }, 60_000);

  it('resynchronises after a UIDVALIDITY change without duplicates, moving mail when asked', async () => {
    await imap('resync', (c) => c.mailboxCreate('Support'));
    const a = buildMail({ messageId: 'resync-a@example.jp', from: 'a@example.jp', subject: 'A', text: 'first' });
    const b = buildMail({ messageId: 'resync-b@example.jp', from: 'b@example.jp', subject: 'B', text: 'second' });
    await append('resync', a, 'Support');
    await append('resync', b, 'Support');
    await imap('resync', (c) => c.mailboxCreate('Done'));
    const created = await addMailbox({ username: 'resync', password: 'secret-3', folder: 'Support', afterFetch: 'move', moveTo: 'Done', useIdle: false, pollSeconds: 5 });
    await until('a and b', async () => (await emailRow('resync-b@example.jp'))?.ticket_id && (await emailRow('resync-a@example.jp'))?.ticket_id);
    // intake first, then the move, then the position
    const before = await until('a and b moved', async () => {
      const r = await mailbox(created.id);
      return r.messages_fetched >= 2 && r;
    });
    const moved = await imap('resync', async (c) => ({ support: (await c.status('Support', { messages: true })) || null, done: (await c.status('Done', { messages: true })) || null }));
    expect(moved.support?.messages).toBe(0);
    expect(moved.done?.messages).toBe(2);

    // the folder is recreated: new UIDVALIDITY, the same two messages again plus a new one.
    // The mailbox is paused meanwhile: deleting a folder that a session holds open makes
    // Dovecot's own index log complain under load ("duplicate transaction log sequence").
    const pause = (enabled: boolean) => server.app.inject({ method: 'PATCH', url: `/api/v1/mailboxes/${created.id}`, headers: bearer(admin), payload: { enabled } });
    expect((await pause(false)).statusCode).toBe(200);
    await new Promise((r) => setTimeout(r, 1_000));
    await imap('resync', async (c) => {
      await c.mailboxDelete('Support');
      await c.mailboxCreate('Support');
    });
    await append('resync', a, 'Support');
    await append('resync', b, 'Support');
    await append('resync', buildMail({ messageId: 'resync-c@example.jp', from: 'c@example.jp', subject: 'C', text: 'third' }), 'Support');
    expect((await pause(true)).statusCode).toBe(200);
    await until('c', async () => (await emailRow('resync-c@example.jp'))?.ticket_id, 30_000);
    const after = await until('a and b seen again', async () => {
      const r = await mailbox(created.id);
      return r.messages_fetched >= 5 && r;
    });
    expect(after.uid_validity).not.toBe(before.uid_validity);
    for (const id of ['resync-a@example.jp', 'resync-b@example.jp', 'resync-c@example.jp']) {
      const m = await server.db.db.selectFrom('messages').select('id').where('external_id', '=', `email:${id}`).execute();
      expect(m, id).toHaveLength(1);
    }
    expect((await emailRow('resync-a@example.jp'))?.duplicates).toBe(1);
  }, 90_000);

  it('lets only one node poll a mailbox', async () => {
    const other = startPollers('node-b');
    await other.scan();
    await other.scan();
    const [a] = pollers;
    await a.scan();
    const ids = (await server.db.db.selectFrom('email_mailboxes').select(['id', 'lease_owner']).execute());
    expect(ids.length).toBe(3);
    for (const r of ids) expect(r.lease_owner).toBe('node-a');
    expect(other.active()).toEqual([]);
    expect(a.active().sort()).toEqual(ids.map((r) => r.id).sort());
    // node a stops: its leases are released and node b takes the mailboxes over
    await a.close();
    await other.scan();
    expect(other.active().sort()).toEqual(ids.map((r) => r.id).sort());
    const owners = await server.db.db.selectFrom('email_mailboxes').select('lease_owner').execute();
    expect(owners.every((o) => o.lease_owner === 'node-b')).toBe(true);
    // and still takes mail in
    await append('shop', buildMail({ messageId: 'imap-nodeb@example.jp', from: 'yuki@example.jp', subject: 'Exchange', text: 'Can I exchange the size?' }));
    await until('mail via node b', async () => (await emailRow('imap-nodeb@example.jp'))?.ticket_id);
  }, 60_000);

  it('refuses bad mailbox input and unknown ids with clear errors', async () => {
    const bad = await server.app.inject({ method: 'POST', url: '/api/v1/mailboxes', headers: bearer(admin), payload: { host: 'imap.example.com', username: 'u', password: 'p', afterFetch: 'move' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ error: { message: string } }>().error.message).toMatch(/moveTo/);
    const dup = await server.app.inject({ method: 'POST', url: '/api/v1/mailboxes', headers: bearer(admin), payload: { host: dovecot.host, port: dovecot.port, tls: 'none', username: 'shop', password: 'x' } });
    expect(dup.statusCode).toBe(409);
    const agent = (await server.tokenFor('agent')).token;
    expect((await server.app.inject({ method: 'GET', url: '/api/v1/mailboxes', headers: bearer(agent) })).statusCode).toBe(403);
    expect((await server.app.inject({ method: 'PATCH', url: '/api/v1/mailboxes/nope', headers: bearer(admin), payload: { enabled: false } })).statusCode).toBe(404);
    expect((await server.app.inject({ method: 'DELETE', url: '/api/v1/mailboxes/00000000-0000-7000-8000-000000000000', headers: bearer(admin) })).statusCode).toBe(404);
  });
});
