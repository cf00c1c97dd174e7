import nodemailer from 'nodemailer';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../../test/helpers/db.ts';
import { startSmtpSink, type SmtpSink } from '../../../test/helpers/smtp-sink.ts';
import type { Database } from '../../db/index.ts';
import { MemoryEventBus } from '../../core/events.ts';
import type { Clock } from '../../core/clock.ts';
import { JobRunner } from '../../core/jobs.ts';
import { createStore } from '../../helpdesk/stores.ts';
import { addAgentMessage } from '../../helpdesk/tickets.ts';
import type { Actor } from '../../helpdesk/visibility.ts';
import { upsertUser } from '../../people/users.ts';
import { emailSettings } from './settings.ts';
import { ingestEmail, type EmailDeps } from './intake.ts';
import { emailOutbound, SEND_JOB, type EmailOutbound } from './outbound.ts';
import { startInboundSmtp, type InboundSmtp } from './smtp.ts';
import { buildMail } from './fixtures.ts';

/** The system time, movable forward (to get past the job backoff without waiting). */
class ForwardClock implements Clock {
  offset = 0;
  now() {
    return new Date(Date.now() + this.offset);
  }
}

async function until<T>(what: string, f: () => Promise<T | undefined | null | false>): Promise<T> {
  for (let i = 0; i < 500; i++) {
    const v = await f();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`gave up waiting for ${what}`);
}

let database: Database;
let bus: MemoryEventBus;
let clock: ForwardClock;
let deps: EmailDeps;
let agent: Actor;
let inbound: InboundSmtp;

beforeAll(async () => {
  database = await createTestDatabase();
  bus = new MemoryEventBus();
  clock = new ForwardClock();
  await createStore(database.db, { name: 'Nordic Shop', supportEmail: 'help@nordic.example', market: 'SE', timezone: 'Europe/Stockholm' });
  const { user } = await upsertUser(database.db, { email: 'agent@crossdesk.test', role: 'agent', name: 'Agent Smith' });
  agent = { type: 'user', id: user.id, role: 'agent', name: user.name };
  deps = { db: database.db, bus, clock, settings: { ...emailSettings({}), floodLimitPerHour: 0 } };
  inbound = await startInboundSmtp(deps, { port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  await inbound?.close();
  await database?.close();
});

async function customerWrites(id: string, extra: { inReplyTo?: string; subject?: string; text?: string } = {}) {
  const t = nodemailer.createTransport({ host: '127.0.0.1', port: inbound.port, ignoreTLS: true });
  await t.sendMail({
    envelope: { from: 'lars@example.se', to: ['help@nordic.example'] },
    raw: buildMail({ messageId: id, from: 'Lars Berg <lars@example.se>', to: 'help@nordic.example', subject: extra.subject ?? 'Trasig lampa', text: extra.text ?? 'Lampan kom trasig.', inReplyTo: extra.inReplyTo, references: extra.inReplyTo ? [extra.inReplyTo] : undefined }),
  });
  t.close();
  const e = await database.db.selectFrom('email_messages').select(['ticket_id']).where('message_id', '=', id).executeTakeFirstOrThrow();
  return e.ticket_id!;
}

describe('outbound e-mail', () => {
  /** The relay: records what it receives, or refuses it. */
  let relay: SmtpSink;
  let outbound: EmailOutbound;
  let runner: JobRunner;
  let unsubscribe: () => void;

  beforeAll(async () => {
    relay = await startSmtpSink({ reply: 'queued' });
    outbound = emailOutbound({ ...deps, settings: { ...deps.settings, relayUrl: `smtp://127.0.0.1:${relay.port}` } });
    runner = new JobRunner({ db: database.db, clock, handlers: outbound.handlers, backoffMs: 60_000 });
    unsubscribe = outbound.subscribe();
  });
  afterAll(async () => {
    unsubscribe();
    outbound.close();
    await relay.close();
  });

  it('sends an agent reply threaded, once, and threads the customer answer back', async () => {
    const ticketId = await customerWrites('lars-1@example.se');
    const t = await database.db.selectFrom('tickets').select(['number']).where('id', '=', ticketId).executeTakeFirstOrThrow();
    const reply = await addAgentMessage({ db: database.db, bus, clock }, ticketId, { body: 'Hej Lars, vi skickar en ny lampa i dag.' }, agent);
    await addAgentMessage({ db: database.db, bus, clock }, ticketId, { body: 'internal: check stock', internal: true }, agent);
    await until('the send job', () => database.db.selectFrom('jobs').select('id').where('unique_key', '=', `${SEND_JOB}:${reply.id}`).executeTakeFirst());
    await runner.tick();
    expect(relay.received).toHaveLength(1);
    const got = relay.received[0];
    expect(got.to).toEqual(['lars@example.se']);
    expect(got.from).toBe('help@nordic.example');
    const mail = await simpleParser(got.raw);
    expect(mail.subject).toBe(`Re: Trasig lampa [#CD-${t.number}]`);
    expect(mail.inReplyTo).toBe('<lars-1@example.se>');
    expect(mail.references).toBe('<lars-1@example.se>');
    expect(mail.messageId).toBe(`<cd.${reply.id}@nordic.example>`);
    expect(mail.text?.trim()).toBe('Hej Lars, vi skickar en ny lampa i dag.');
    // run again, enqueue again, sweep: never a second copy
    expect(await outbound.enqueueFor(reply.id)).toBeNull();
    expect(await outbound.sweep()).toBe(0);
    await runner.tick();
    expect(relay.received).toHaveLength(1);
    // the customer answers our mail: same ticket
    const again = await customerWrites('lars-2@example.se', { inReplyTo: `cd.${reply.id}@nordic.example`, subject: `Re: Trasig lampa [#CD-${t.number}]`, text: 'Tack!' });
    expect(again).toBe(ticketId);
    // a bounce of our mail is recorded on the ticket, with no reply and no new ticket
    const dsn = [
      'From: Mail Delivery System <MAILER-DAEMON@mx.nordic.example>',
      'To: help@nordic.example',
      'Subject: Undelivered Mail Returned to Sender',
      'Message-ID: <bounce-1@mx.nordic.example>',
      'Auto-Submitted: auto-replied',
      'MIME-Version: 1.0',
      'Content-Type: multipart/report; report-type=delivery-status; boundary="R"',
      '',
      '--R',
      'Content-Type: text/plain',
      '',
      'Your message could not be delivered: mailbox full.',
      '--R',
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; mx.nordic.example',
      '',
      'Final-Recipient: rfc822; lars@example.se',
      'Action: failed',
      'Status: 5.2.2',
      '--R',
      'Content-Type: text/rfc822-headers',
      '',
      `Message-ID: <cd.${reply.id}@nordic.example>`,
      'Subject: Re: Trasig lampa',
      '--R--',
      '',
    ].join('\r\n');
    const tr = nodemailer.createTransport({ host: '127.0.0.1', port: inbound.port, ignoreTLS: true });
    const info = await tr.sendMail({ envelope: { from: '', to: ['help@nordic.example'] } as unknown as { from: string; to: string[] }, raw: Buffer.from(dsn) });
    tr.close();
    expect(info.response).toMatch(/bounce/);
    const out = await database.db.selectFrom('email_messages').select(['status']).where('direction', '=', 'out').where('message_id', '=', `cd.${reply.id}@nordic.example`).executeTakeFirstOrThrow();
    expect(out.status).toBe('bounced');
    const notes = await database.db.selectFrom('messages').select(['body', 'internal']).where('ticket_id', '=', ticketId).where('author_type', '=', 'system').execute();
    expect(notes.some((n) => n.internal && /delivery failed/i.test(n.body))).toBe(true);
    await runner.tick();
    expect(relay.received).toHaveLength(1);
  });

  it('retries with backoff while the relay is down, then sends exactly once', async () => {
    const ticketId = await customerWrites('lars-3@example.se', { subject: 'Ny fråga', text: 'Har ni blå?' });
    const port = relay.port;
    await relay.close();
    const reply = await addAgentMessage({ db: database.db, bus, clock }, ticketId, { body: 'Ja, vi har blå.' }, agent);
    await until('the send job', () => database.db.selectFrom('jobs').select('id').where('unique_key', '=', `${SEND_JOB}:${reply.id}`).executeTakeFirst());
    await runner.tick();
    const job1 = await database.db.selectFrom('jobs').selectAll().where('unique_key', '=', `${SEND_JOB}:${reply.id}`).executeTakeFirstOrThrow();
    expect(job1.status).toBe('queued');
    expect(job1.attempts).toBe(1);
    expect(job1.last_error).toMatch(/ECONNREFUSED|connect/i);
    expect(job1.run_at.getTime()).toBeGreaterThan(Date.now() + 30_000); // backed off, not due yet
    expect(await runner.tick()).toBe(0);
    // the relay comes back on the same port; time moves past the backoff
    const back = await startSmtpSink({ port, reply: 'queued' });
    const before = back.received.length;
    clock.offset += 2 * 60_000;
    await runner.tick();
    expect(back.received.length - before).toBe(1);
    const job2 = await database.db.selectFrom('jobs').selectAll().where('unique_key', '=', `${SEND_JOB}:${reply.id}`).executeTakeFirstOrThrow();
    expect(job2.status).toBe('done');
    expect(job2.attempts).toBe(2);
    const mail = await simpleParser(back.received[0].raw);
    expect(mail.inReplyTo).toBe('<lars-3@example.se>');
    clock.offset += 60 * 60_000;
    await runner.tick();
    expect(back.received).toHaveLength(1);
    relay = back;
  });

  it('does not retry a permanent refusal and tells the agent', async () => {
    const ticketId = await customerWrites('lars-4@example.se', { subject: 'Tredje', text: 'Hallå?' });
    relay.refuse = true;
    const reply = await addAgentMessage({ db: database.db, bus, clock }, ticketId, { body: 'Hej igen' }, agent);
    await until('the send job', () => database.db.selectFrom('jobs').select('id').where('unique_key', '=', `${SEND_JOB}:${reply.id}`).executeTakeFirst());
    await runner.tick();
    relay.refuse = false;
    const job = await database.db.selectFrom('jobs').selectAll().where('unique_key', '=', `${SEND_JOB}:${reply.id}`).executeTakeFirstOrThrow();
    expect(job.status).toBe('done');
    const out = await database.db.selectFrom('email_messages').select(['status', 'last_error']).where('message_ref', '=', reply.id).executeTakeFirstOrThrow();
    expect(out.status).toBe('failed');
    const notes = await database.db.selectFrom('messages').select(['body']).where('ticket_id', '=', ticketId).where('internal', '=', true).execute();
    expect(notes.some((n) => /could not be delivered/.test(n.body))).toBe(true);
  });

  it('sends nothing for tickets from other channels, and says so when no relay is set', async () => {
    const off = emailOutbound({ ...deps, settings: { ...deps.settings, relayUrl: undefined } });
    expect(off.enabled).toBe(false);
    expect(off.status).toMatch(/disabled \(SMTP_RELAY_URL is not set\)/);
    const t = await database.db.selectFrom('tickets').select('id').executeTakeFirstOrThrow();
    await database.db.updateTable('tickets').set({ channel: 'api' }).where('id', '=', t.id).execute();
    const m = await addAgentMessage({ db: database.db, bus, clock }, t.id, { body: 'via API ticket' }, agent);
    expect(await outbound.enqueueFor(m.id)).toBeNull();
    await database.db.updateTable('tickets').set({ channel: 'email' }).where('id', '=', t.id).execute();
  });
});

describe('intake without SMTP', () => {
  it('records an unparseable or sender-less message without losing it', async () => {
    const r = await ingestEmail(deps, Buffer.from('Subject: nobody\r\nMessage-ID: <nobody@x>\r\n\r\nno From header\r\n'));
    expect(['loop', 'rejected']).toContain(r.status);
    const row = await database.db.selectFrom('email_messages').select(['kind', 'raw']).where('direction', '=', 'in').where('message_id', '=', r.messageId).executeTakeFirstOrThrow();
    expect(row.raw).toBeTruthy();
  });

  it('stops a sender that writes in a loop from opening ticket after ticket', async () => {
    const strict = { ...deps, settings: { ...deps.settings, floodLimitPerHour: 2 } };
    const statuses: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await ingestEmail(strict, buildMail({ messageId: `flood-${i}@bot.example`, from: 'robot@bot.example', subject: `Ticket ${i}`, text: 'ping' }), { mailFrom: 'robot@bot.example' });
      statuses.push(r.status);
    }
    expect(statuses).toEqual(['created', 'created', 'loop']);
  });
});
