/**
 * "Test connection" of IMAP mailboxes (POST /api/v1/mailboxes/test and /mailboxes/:id/test)
 * against a private Dovecot: a good account answers ok with the folder's counts, a wrong
 * password, an unknown folder and a closed port answer ok:false with the reason; the stored
 * password is never sent to another server; admins only; nothing of the mailbox changes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../test/helpers/net.ts';
import { bearer, startTestServer, type TestServer } from '../../../test/helpers/server.ts';
import { dovecotMissing, startDovecot, type Dovecot } from '../../../test/helpers/dovecot.ts';

const missing = dovecotMissing();
if (missing) console.warn(missing);

describe('mailbox test connection: input and roles (no IMAP server needed)', () => {
  let server: TestServer;
  let admin: string;
  beforeAll(async () => {
    server = await startTestServer();
    admin = (await server.tokenFor('admin')).token;
  });
  afterAll(async () => {
    await server?.close();
  });

  it('refuses other roles, bad bodies and unknown mailboxes', async () => {
    const { token: manager } = await server.tokenFor('manager');
    const body = { host: '127.0.0.1', port: 1, tls: 'none', username: 'u', password: 'p' };
    expect((await server.app.inject({ method: 'POST', url: '/api/v1/mailboxes/test', headers: bearer(manager), payload: body })).statusCode).toBe(403);
    expect((await server.app.inject({ method: 'POST', url: '/api/v1/mailboxes/test', payload: body })).statusCode).toBe(401);
    expect((await server.app.inject({ method: 'POST', url: '/api/v1/mailboxes/00000000-0000-7000-8000-000000000000/test', headers: bearer(manager), payload: {} })).statusCode).toBe(403);
    const noPassword = await server.app.inject({ method: 'POST', url: '/api/v1/mailboxes/test', headers: bearer(admin), payload: { host: 'imap.example.com', username: 'u' } });
    expect(noPassword.statusCode).toBe(400);
    expect(noPassword.json().error).toMatchObject({ code: 'validation_failed' });
    expect(noPassword.json().error.message).toMatch(/password/);
    const badPort = await server.app.inject({ method: 'POST', url: '/api/v1/mailboxes/test', headers: bearer(admin), payload: { ...body, port: 70000 } });
    expect(badPort.statusCode).toBe(400);
    expect(badPort.json().error.details.errors[0].path).toBe('/port');
    expect((await server.app.inject({ method: 'POST', url: '/api/v1/mailboxes/test', headers: bearer(admin), payload: { ...body, extra: 1 } })).statusCode).toBe(400);
    const unknown = await server.app.inject({ method: 'POST', url: '/api/v1/mailboxes/00000000-0000-7000-8000-000000000000/test', headers: bearer(admin), payload: {} });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('not_found');
    // the body of a saved mailbox's test is optional
    expect((await server.app.inject({ method: 'POST', url: '/api/v1/mailboxes/00000000-0000-7000-8000-000000000000/test', headers: bearer(admin) })).statusCode).toBe(404);
  });

  it('a closed port is an answer with the reason, not a failed request', async () => {
    const port = await freePort(); // free a moment ago: nothing listens there
    const r = await server.app.inject({ method: 'POST', url: '/api/v1/mailboxes/test', headers: bearer(admin), payload: { host: '127.0.0.1', port, tls: 'none', username: 'u', password: 'p' } });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ ok: false, idle: null, messages: null });
    expect(r.json().message).toMatch(new RegExp(`^cannot connect to 127\\.0\\.0\\.1:${port}: connection refused`));
  });
});

describe.skipIf(Boolean(missing))('mailbox test connection against Dovecot', () => {
  let dovecot: Dovecot;
  let server: TestServer;
  let admin: string;

  beforeAll(async () => {
    dovecot = await startDovecot([{ user: 'probe', password: 'probe-secret' }]);
    server = await startTestServer();
    admin = (await server.tokenFor('admin')).token;
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    await dovecot?.stop();
  }, 30_000);

  const test = (payload: Record<string, unknown>, id?: string) =>
    server.app.inject({ method: 'POST', url: id ? `/api/v1/mailboxes/${id}/test` : '/api/v1/mailboxes/test', headers: bearer(admin), payload });

  it('tests unsaved settings: ok with the counts and IDLE, or the reason', async () => {
    const base = { host: dovecot.host, port: dovecot.port, tls: 'none', username: 'probe', password: 'probe-secret' };
    const ok = await test(base);
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ ok: true, message: null, idle: true, messages: 0, unseen: 0 });
    expect(ok.json().durationMs).toBeGreaterThanOrEqual(0);

    const wrong = await test({ ...base, password: 'nope' });
    expect(wrong.json()).toMatchObject({ ok: false });
    expect(wrong.json().message).toMatch(/^authentication failed for user "probe"/);

    const folder = await test({ ...base, folder: 'Nowhere' });
    expect(folder.json()).toMatchObject({ ok: false, idle: true });
    expect(folder.json().message).toMatch(/Nowhere/);
    expect(await server.db.db.selectFrom('email_mailboxes').select('id').execute()).toEqual([]);
  });

  it('tests a saved mailbox with its stored password, and changed fields only with the password again', async () => {
    const created = await server.app.inject({
      method: 'POST',
      url: '/api/v1/mailboxes',
      headers: bearer(admin),
      payload: { host: dovecot.host, port: dovecot.port, tls: 'none', username: 'probe', password: 'probe-secret', enabled: false },
    });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json<{ id: string }>().id;
    const before = await server.db.db.selectFrom('email_mailboxes').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

    const ok = await test({}, id);
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ ok: true, idle: true });
    // a folder change is tested with the stored password; the result says the folder is missing
    const folder = await test({ folder: 'Archive' }, id);
    expect(folder.json()).toMatchObject({ ok: false });
    expect(folder.json().message).toMatch(/Archive/);

    // another server or user: the stored password is not sent there
    const elsewhere = [{ host: 'imap.elsewhere.example' }, { port: dovecot.port + 1 }, { username: 'someone' }, { tls: 'starttls' }, { tlsVerify: false }];
    for (const change of elsewhere) {
      const r = await test(change, id);
      expect(r.statusCode, JSON.stringify(change)).toBe(400);
      expect(r.json().error).toMatchObject({ code: 'validation_failed', details: { field: 'password' } });
    }
    // the same rule for a change that is saved: the poller would send the stored password there
    const patch = (payload: Record<string, unknown>) => server.app.inject({ method: 'PATCH', url: `/api/v1/mailboxes/${id}`, headers: bearer(admin), payload });
    for (const change of elsewhere) {
      const r = await patch(change);
      expect(r.statusCode, JSON.stringify(change)).toBe(400);
      expect(r.json().error.details).toEqual({ field: 'password' });
    }
    expect((await server.db.db.selectFrom('email_mailboxes').select(['host', 'port', 'username', 'tls']).where('id', '=', id).executeTakeFirstOrThrow())).toMatchObject({ host: dovecot.host, port: dovecot.port, username: 'probe', tls: 'none' });
    // the same server written differently, or another folder, keeps the stored password
    expect((await patch({ host: dovecot.host.toUpperCase(), folder: 'INBOX' })).statusCode).toBe(200);
    // with the password given again it is tested
    const other = await test({ username: 'someone', password: 'x' }, id);
    expect(other.statusCode).toBe(200);
    expect(other.json().message).toMatch(/^authentication failed for user "someone"/);

    // the tests changed nothing on the mailbox (the PATCH above changed nothing that matters either)
    const after = await server.db.db.selectFrom('email_mailboxes').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect({ ...after, updated_at: before.updated_at }).toEqual(before);

    // a stored password this node cannot read (another CROSSDESK_SECRET_KEY): said, not a 500
    await server.db.db.updateTable('email_mailboxes').set({ password_enc: 'v1:AAAA:AAAA:AAAA' }).where('id', '=', id).execute();
    const unreadable = await test({}, id);
    expect(unreadable.statusCode).toBe(200);
    expect(unreadable.json()).toMatchObject({ ok: false });
    expect(unreadable.json().message).toMatch(/CROSSDESK_SECRET_KEY|set the password again/);
  });
});
