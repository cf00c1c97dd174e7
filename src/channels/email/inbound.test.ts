import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../../test/helpers/db.ts';
import type { Database } from '../../db/index.ts';
import { MemoryEventBus } from '../../core/events.ts';
import { systemClock } from '../../core/clock.ts';
import { createStore } from '../../helpdesk/stores.ts';
import { triageForTickets } from '../../helpdesk/triage-adapter.ts';
import { emailSettings } from './settings.ts';
import { startInboundSmtp, type InboundSmtp } from './smtp.ts';
import { buildMail, CHARSET_SAMPLES } from './fixtures.ts';
import type { EmailDeps } from './intake.ts';

const HAS_SWAKS = spawnSync('swaks', ['--version'], { encoding: 'utf8' }).status === 0;
if (!HAS_SWAKS) console.warn('swaks is not installed (apt-get install swaks): the swaks conversations are skipped');

let database: Database;
let smtp: InboundSmtp;
let deps: EmailDeps;
let tmp: string;
let storeId: string;

function transport(opts: { pool?: boolean } = {}) {
  return nodemailer.createTransport({ host: '127.0.0.1', port: smtp.port, secure: false, ignoreTLS: true, pool: opts.pool ?? false, maxConnections: 1 });
}

async function sendRaw(raw: Buffer, env: { from?: string; to?: string[] } = {}) {
  const t = transport();
  try {
    return await t.sendMail({ envelope: { from: env.from ?? 'customer@example.net', to: env.to ?? ['support@shop.example'] }, raw });
  } finally {
    t.close();
  }
}

/** swaks runs while this process serves SMTP: spawned asynchronously, never spawnSync. */
function swaks(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn('swaks', ['--server', '127.0.0.1', '--port', String(smtp.port), '--suppress-data', '--timeout', '60', ...args]);
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    p.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    p.on('error', reject);
    p.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

async function ticketOf(messageId: string) {
  return database.db
    .selectFrom('email_messages as e')
    .leftJoin('tickets as t', 't.id', 'e.ticket_id')
    .select(['e.kind', 'e.status', 'e.ticket_id', 'e.duplicates', 'e.reason', 't.number', 't.subject', 't.channel', 't.store_id'])
    .where('e.direction', '=', 'in')
    .where('e.message_id', '=', messageId)
    .executeTakeFirst();
}
const messagesOn = (ticketId: string) => database.db.selectFrom('messages').selectAll().where('ticket_id', '=', ticketId).orderBy('created_at').orderBy('id').execute();

beforeAll(async () => {
  database = await createTestDatabase();
  storeId = (await createStore(database.db, { name: 'Shop', supportEmail: 'support@shop.example', market: 'DE', timezone: 'Europe/Berlin' })).id;
  deps = { db: database.db, bus: new MemoryEventBus(), clock: systemClock, triage: triageForTickets, settings: { ...emailSettings({}), floodLimitPerHour: 0, maxBytes: 25 * 1024 * 1024, maxRecipients: 100 } };
  smtp = await startInboundSmtp(deps, { port: 0, host: '127.0.0.1' });
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'crossdesk-mail-'));
});

afterAll(async () => {
  await smtp?.close();
  await database?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe('inbound SMTP', () => {
  it('decodes every charset customers use, in base64, quoted-printable and 8bit', async () => {
    const encodings = ['base64', 'quoted-printable', '8bit'] as const;
    for (const [i, s] of CHARSET_SAMPLES.entries()) {
      const encoding = encodings[i % 3];
      const id = `cs-${i}-${s.charset}@example.net`;
      const raw = buildMail({ messageId: id, from: `Kunde ${i} <cs${i}@example.net>`, subject: s.subject, subjectCharset: s.charset, text: s.text, charset: s.charset, encoding });
      const info = await sendRaw(raw, { from: `cs${i}@example.net` });
      expect(info.response, s.charset).toMatch(/^250 .*ticket #\d+ opened/);
      const row = await ticketOf(id);
      expect(row?.subject, `${s.charset} subject`).toBe(s.subject);
      expect(row?.channel).toBe('email');
      expect(row?.store_id).toBe(storeId);
      const msgs = await messagesOn(row!.ticket_id!);
      expect(msgs[0].body, `${s.charset} body (${encoding})`).toBe(s.text);
    }
  });

  it('takes mail from swaks, with the sender name and the store by address', async () => {
    if (!HAS_SWAKS) return;
    const file = path.join(tmp, 'swaks.eml');
    fs.writeFileSync(file, buildMail({ messageId: 'swaks-1@example.net', from: 'Émilie Durand <emilie@example.fr>', subject: 'Colis abîmé', subjectCharset: 'ISO-8859-1', text: 'Le colis est arrivé abîmé.', charset: 'ISO-8859-1', encoding: '8bit' }));
    const r = await swaks(['--from', 'emilie@example.fr', '--to', 'support@shop.example', '--data', `@${file}`]);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/<- +250 .*ticket #\d+ opened/);
    const row = await ticketOf('swaks-1@example.net');
    expect(row?.subject).toBe('Colis abîmé');
    const c = await database.db.selectFrom('tickets').innerJoin('customers as c', 'c.id', 'tickets.customer_id').select(['c.email', 'c.name']).where('tickets.id', '=', row!.ticket_id!).executeTakeFirstOrThrow();
    expect(c).toEqual({ email: 'emilie@example.fr', name: 'Émilie Durand' });
  });

  it('turns HTML-only mail into text, keeps sanitised HTML and attachment metadata', async () => {
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(2000, 7)]);
    const raw = buildMail({
      messageId: 'html-1@example.net',
      subject: 'Photo of the damage',
      html: '<html><head><script>document.cookie</script></head><body><p onclick="x()">The mug arrived <b>broken</b>.</p><img src="cid:photo1"><img src="https://tracker.example/o.gif"></body></html>',
      attachments: [
        { filename: 'broken.png', contentType: 'image/png', content: png },
        { filename: 'invoice.pdf', contentType: 'application/pdf', content: Buffer.from('%PDF-1.4 fake') },
        { filename: 'run.exe', contentType: 'application/octet-stream', content: Buffer.from('MZ\x90\x00rest', 'latin1') },
      ],
    });
    await sendRaw(raw);
    const row = await ticketOf('html-1@example.net');
    const msgs = await messagesOn(row!.ticket_id!);
    expect(msgs[0].body).toContain('The mug arrived broken.');
    expect(msgs[0].body).not.toContain('document.cookie');
    expect(msgs[0].body).toContain('📎 broken.png');
    const e = await database.db.selectFrom('email_messages').select(['id', 'html_body', 'raw']).where('message_id', '=', 'html-1@example.net').executeTakeFirstOrThrow();
    expect(e.html_body).toContain('<b>broken</b>');
    expect(e.html_body).not.toMatch(/script|onclick|\ssrc=/);
    expect(Buffer.from(e.raw!).equals(raw)).toBe(true);
    const atts = await database.db.selectFrom('email_attachments').select(['filename', 'content_type', 'detected_type', 'size', 'blocked_reason', 'content']).where('email_id', '=', e.id).orderBy('filename').execute();
    expect(atts.map((a) => [a.filename, a.detected_type, a.size, a.blocked_reason === null])).toEqual([
      ['broken.png', 'image/png', png.length, true],
      ['invoice.pdf', 'application/pdf', 13, true],
      ['run.exe', 'application/x-msdownload', 8, false],
    ]);
    expect(Buffer.from(atts[0].content!).equals(png)).toBe(true);
    expect(atts[2].content).toBeNull();
  });

  it('threads replies by In-Reply-To/References and by the ticket token, trimming the quote', async () => {
    await sendRaw(buildMail({ messageId: 'thread-1@example.net', from: 'Ann <ann@example.com>', subject: 'Order 5521 late', text: 'Where is my order 5521?' }), { from: 'ann@example.com' });
    const first = await ticketOf('thread-1@example.net');
    // the reply only carries References (no In-Reply-To)
    await sendRaw(
      buildMail({ messageId: 'thread-2@example.net', from: 'Ann <ann@example.com>', subject: 'Re: Order 5521 late', references: ['thread-1@example.net'], text: 'Any news?\n\nOn Mon, 3 Nov 2026, Ann <ann@example.com> wrote:\n> Where is my order 5521?\n' }),
      { from: 'ann@example.com' },
    );
    const second = await ticketOf('thread-2@example.net');
    expect(second?.ticket_id).toBe(first?.ticket_id);
    // a new mail from the same customer with the token in the subject and no headers
    await sendRaw(buildMail({ messageId: 'thread-3@example.net', from: 'ann@example.com', subject: `Still waiting [#CD-${first!.number}]`, text: 'Hello again' }), { from: 'ann@example.com' });
    expect((await ticketOf('thread-3@example.net'))?.ticket_id).toBe(first?.ticket_id);
    // the same token from a stranger does not get onto Ann's ticket
    await sendRaw(buildMail({ messageId: 'thread-4@example.net', from: 'mallory@example.org', subject: `Hi [#CD-${first!.number}]`, text: 'let me in' }), { from: 'mallory@example.org' });
    expect((await ticketOf('thread-4@example.net'))?.ticket_id).not.toBe(first?.ticket_id);
    const msgs = await messagesOn(first!.ticket_id!);
    expect(msgs.map((m) => m.body)).toEqual(['Where is my order 5521?', 'Any news?', 'Hello again']);
    const raw2 = await database.db.selectFrom('email_messages').select('text_body').where('message_id', '=', 'thread-2@example.net').executeTakeFirstOrThrow();
    expect(raw2.text_body).toContain('> Where is my order 5521?');
  });

  it('makes one message of the same Message-ID delivered twice (also at the same time)', async () => {
    const raw = buildMail({ messageId: 'dup-1@example.net', from: 'dup@example.com', subject: 'Twice', text: 'Sent twice' });
    const a = await sendRaw(raw, { from: 'dup@example.com' });
    const b = await sendRaw(raw, { from: 'dup@example.com' });
    expect(a.response).toMatch(/opened/);
    expect(b.response).toMatch(/already received/);
    const raw2 = buildMail({ messageId: 'dup-2@example.net', from: 'dup2@example.com', subject: 'At once', text: 'Sent at once' });
    await Promise.all([sendRaw(raw2, { from: 'dup2@example.com' }), sendRaw(raw2, { from: 'dup2@example.com' }), sendRaw(raw2, { from: 'dup2@example.com' })]);
    for (const id of ['dup-1@example.net', 'dup-2@example.net']) {
      const r = await database.db.selectFrom('messages').select(['ticket_id']).where('external_id', '=', `email:${id}`).execute();
      expect(r).toHaveLength(1);
    }
    const tickets = await database.db.selectFrom('tickets').innerJoin('customers as c', 'c.id', 'tickets.customer_id').select('tickets.id').where('c.email', 'in', ['dup@example.com', 'dup2@example.com']).execute();
    expect(tickets).toHaveLength(2);
    // no Message-ID at all: the content identifies it
    const bare = buildMail({ messageId: null, from: 'noid@example.com', subject: 'No id', text: 'no id here' });
    await sendRaw(bare, { from: 'noid@example.com' });
    expect((await sendRaw(bare, { from: 'noid@example.com' })).response).toMatch(/already received/);
  });

  it('records auto-replies, bounces and bulk mail without opening tickets', async () => {
    const before = await database.db.selectFrom('tickets').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const cases: Array<[string, Buffer, string, string]> = [
      ['auto-1@example.net', buildMail({ messageId: 'auto-1@example.net', subject: 'Out of office', text: 'I am away', headers: { 'Auto-Submitted': 'auto-replied' } }), 'ooo@example.com', 'auto_reply'],
      ['auto-2@example.net', buildMail({ messageId: 'auto-2@example.net', subject: 'Re: your mail', text: 'Autoreply', headers: { 'X-Autoreply': 'yes' } }), 'ar@example.com', 'auto_reply'],
      ['auto-3@example.net', buildMail({ messageId: 'auto-3@example.net', subject: 'Newsletter', text: 'Sale!', headers: { Precedence: 'bulk' } }), 'news@example.com', 'auto_reply'],
      ['auto-4@example.net', buildMail({ messageId: 'auto-4@example.net', from: 'MAILER-DAEMON@mx.example', subject: 'Undelivered Mail Returned to Sender', text: 'could not be delivered' }), '', 'bounce'],
    ];
    for (const [id, raw, from, kind] of cases) {
      const info = await sendRaw(raw, { from });
      expect(info.response).toMatch(/no ticket opened/);
      const row = await ticketOf(id);
      expect(row?.kind).toBe(kind);
      expect(row?.ticket_id).toBeNull();
    }
    if (HAS_SWAKS) {
      const r = await swaks(['--from', 'vacation@example.com', '--to', 'support@shop.example', '--header', 'Auto-Submitted: auto-replied', '--header', 'Message-Id: <auto-swaks@example.net>', '--body', 'I am on holiday']);
      expect(r.status, r.stdout).toBe(0);
      expect((await ticketOf('auto-swaks@example.net'))?.kind).toBe('auto_reply');
    }
    const after = await database.db.selectFrom('tickets').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });

  it('refuses a 30 MB attachment with 552 and loses nothing around it', async () => {
    const big = Buffer.alloc(30 * 1024 * 1024, 65);
    const t = transport({ pool: true });
    try {
      await t.sendMail({ from: 'big@example.com', to: 'support@shop.example', subject: 'before', text: 'before the big one', messageId: '<big-before@example.net>' });
      const err = await t
        .sendMail({ from: 'big@example.com', to: 'support@shop.example', subject: 'big', text: 'see attachment', messageId: '<big-1@example.net>', attachments: [{ filename: 'video.bin', content: big }] })
        .then(
          () => null,
          (e: { responseCode?: number; response?: string }) => e,
        );
      expect(err?.responseCode).toBe(552);
      expect(err?.response).toMatch(/552 .*(size|exceeds)/i);
      await t.sendMail({ from: 'big@example.com', to: 'support@shop.example', subject: 'after', text: 'after the big one', messageId: '<big-after@example.net>' });
    } finally {
      t.close();
    }
    expect((await ticketOf('big-before@example.net'))?.ticket_id).toBeTruthy();
    expect((await ticketOf('big-after@example.net'))?.ticket_id).toBeTruthy();
    expect(await ticketOf('big-1@example.net')).toBeUndefined();
    if (HAS_SWAKS) {
      const file = path.join(tmp, 'big.bin');
      fs.writeFileSync(file, big);
      const r = await swaks(['--from', 'big@example.com', '--to', 'support@shop.example', '--attach', `@${file}`, '--header', 'Message-Id: <big-swaks@example.net>']);
      expect(r.status).not.toBe(0);
      expect(r.stdout + r.stderr).toMatch(/552 .*(size|exceeds)/i);
      expect(await ticketOf('big-swaks@example.net')).toBeUndefined();
    }
  });

  it('takes a message with 5,000 recipients once, refusing recipients beyond the limit', async () => {
    const rcpt = Array.from({ length: 5000 }, (_, i) => `person${i}@example.org`);
    rcpt[4321] = 'support@shop.example';
    const t = transport();
    try {
      const info = await t.sendMail({
        envelope: { from: 'spammy@example.com', to: rcpt },
        raw: buildMail({ messageId: 'many-1@example.net', from: 'spammy@example.com', to: rcpt.slice(0, 5000).join(', '), subject: 'To everyone', text: 'Hello all' }),
      });
      expect(info.accepted).toHaveLength(100);
      expect(info.rejected).toHaveLength(4900);
    } finally {
      t.close();
    }
    const row = await ticketOf('many-1@example.net');
    expect(row?.kind).toBe('message');
    expect(await messagesOn(row!.ticket_id!)).toHaveLength(1);
    const e = await database.db.selectFrom('email_messages').select(['recipient_count']).where('message_id', '=', 'many-1@example.net').executeTakeFirstOrThrow();
    expect(e.recipient_count).toBe(5000);
    if (HAS_SWAKS) {
      const r = await swaks(['--from', 'spammy2@example.com', '--to', rcpt.join(','), '--header', 'Message-Id: <many-swaks@example.net>', '--body', 'hello all']);
      expect(r.stdout).toMatch(/452 .*too many recipients/i);
      expect((await ticketOf('many-swaks@example.net'))?.kind).toBe('message');
    }
  });

  it('gives malformed MIME a ticket or a clear rejection', async () => {
    const broken: Array<[string, string]> = [
      ['bad-1@example.net', 'From: bad@example.com\r\nSubject: unterminated\r\nMessage-ID: <bad-1@example.net>\r\nContent-Type: multipart/mixed; boundary="zzz"\r\n\r\n--zzz\r\nContent-Type: text/plain\r\n\r\nthe body never ends\r\n'],
      ['bad-2@example.net', 'From: bad@example.com\r\nSubject: broken base64\r\nMessage-ID: <bad-2@example.net>\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!not*base64%%%\r\nSGVsbG8=\r\n'],
      ['bad-3@example.net', 'From: bad@example.com\r\nSubject: =?x-unknown-charset?B?SGVsbG8=?=\r\nMessage-ID: <bad-3@example.net>\r\nContent-Type: text/plain; charset=x-made-up\r\n\r\nstrange charset\r\n'],
      ['bad-4@example.net', 'this line is not a header\r\nFrom bad@example.com\r\nMessage-ID: <bad-4@example.net>\r\n\r\n\u0000\u0001binary\u0002garbage\r\n'],
      ['bad-5@example.net', 'From: bad@example.com\r\nMessage-ID: <bad-5@example.net>\r\nContent-Type: multipart/alternative\r\n\r\nno boundary parameter at all\r\n'],
    ];
    for (const [id, text] of broken) {
      const res = await sendRaw(Buffer.from(text, 'latin1'), { from: 'bad@example.com' }).then(
        (i) => i.response,
        (e: { response?: string }) => e.response ?? String(e),
      );
      expect(res, id).toMatch(/^(250 .*(ticket|recorded)|554 5\.6\.0 )/);
      if (res.startsWith('250')) {
        const row = await ticketOf(id);
        expect(row?.kind === 'message' ? row.ticket_id : row?.kind, id).toBeTruthy();
      }
    }
  });

  it('refuses unclaimed addresses when intake is restricted', async () => {
    const strict = await startInboundSmtp({ ...deps, settings: { ...deps.settings, acceptUnclaimed: false } }, { port: 0, host: '127.0.0.1' });
    try {
      const t = nodemailer.createTransport({ host: '127.0.0.1', port: strict.port, ignoreTLS: true });
      const info = await t.sendMail({ envelope: { from: 'c@example.com', to: ['nobody@elsewhere.example', 'SUPPORT+de@shop.example'] }, raw: buildMail({ messageId: 'strict-1@example.net', to: 'support@shop.example', text: 'hi' }) });
      t.close();
      expect(info.rejected).toEqual(['nobody@elsewhere.example']);
      expect(info.rejectedErrors?.[0]?.response).toMatch(/^550 .*no store/);
      expect((await ticketOf('strict-1@example.net'))?.store_id).toBe(storeId);
    } finally {
      await strict.close();
    }
  });
});
