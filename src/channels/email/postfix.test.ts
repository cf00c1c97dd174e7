import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../../test/helpers/db.ts';
import { postfixMissing, startPostfix, type Postfix } from '../../../test/helpers/postfix.ts';
import { startSmtpSink, type SmtpSink } from '../../../test/helpers/smtp-sink.ts';
import { systemClock } from '../../core/clock.ts';
import { MemoryEventBus } from '../../core/events.ts';
import { JobRunner } from '../../core/jobs.ts';
import type { Database } from '../../db/index.ts';
import { createStore } from '../../helpdesk/stores.ts';
import { addAgentMessage } from '../../helpdesk/tickets.ts';
import type { Actor } from '../../helpdesk/visibility.ts';
import { upsertUser } from '../../people/users.ts';
import { buildMail } from './fixtures.ts';
import { ingestEmail, type EmailDeps } from './intake.ts';
import { emailOutbound, SEND_JOB, type EmailOutbound } from './outbound.ts';
import { emailSettings } from './settings.ts';

const missing = postfixMissing();
if (missing) console.warn(missing);

async function until<T>(what: string, f: () => Promise<T | undefined | null | false> | T | undefined | null | false, ms = 20_000, log?: () => string): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}\n${log?.().slice(-2000) ?? ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.skipIf(Boolean(missing))('outbound e-mail through a real Postfix relay', () => {
  let database: Database;
  let deps: EmailDeps;
  let agent: Actor;
  /** The final destination behind Postfix: records what arrives. */
  let sink: SmtpSink;
  let postfix: Postfix;
  let outbound: EmailOutbound;
  let runner: JobRunner;
  let unsubscribe: () => void;
  const bus = new MemoryEventBus();

  beforeAll(async () => {
    database = await createTestDatabase();
    await createStore(database.db, { name: 'Maple Shop', supportEmail: 'help@maple.example', market: 'CA', timezone: 'America/Toronto' });
    const { user } = await upsertUser(database.db, { email: 'agent@crossdesk.test', role: 'agent', name: 'Agent Lee' });
    agent = { type: 'user', id: user.id, role: 'agent', name: user.name };
    sink = await startSmtpSink({ reply: 'stored' });
    postfix = await startPostfix({ nextHopPort: sink.port });
    deps = { db: database.db, bus, clock: systemClock, settings: { ...emailSettings({}), floodLimitPerHour: 0, relayUrl: `smtp://127.0.0.1:${postfix.port}` } };
    outbound = emailOutbound(deps);
    runner = new JobRunner({ db: database.db, clock: systemClock, handlers: outbound.handlers });
    unsubscribe = outbound.subscribe();
  }, 60_000);

  afterAll(async () => {
    unsubscribe?.();
    outbound?.close();
    await postfix?.stop();
    await sink?.close();
    await database?.close();
  }, 30_000);

  async function replyTo(messageId: string, body: string) {
    const r = await ingestEmail(deps, buildMail({ messageId, from: 'Chloé Tremblay <chloe@example.ca>', to: 'help@maple.example', subject: 'Colis en retard', text: 'Où est mon colis?' }));
    const reply = await addAgentMessage({ db: database.db, bus, clock: systemClock }, r.ticketId!, { body }, agent);
    await until('the send job', () => database.db.selectFrom('jobs').select('id').where('unique_key', '=', `${SEND_JOB}:${reply.id}`).executeTakeFirst());
    await runner.tick();
    return { ticketId: r.ticketId!, number: r.ticketNumber!, reply };
  }

  it('hands the agent reply to Postfix, which delivers it threaded and once', async () => {
    const { number, reply } = await replyTo('chloe-1@example.ca', 'Bonjour Chloé, votre colis arrive demain.');
    const got = await until('delivery through postfix', () => sink.received[0], 20_000, postfix.log);
    expect(got.to).toEqual(['chloe@example.ca']);
    const mail = await simpleParser(got.raw);
    expect(mail.subject).toBe(`Re: Colis en retard [#CD-${number}]`);
    expect(mail.inReplyTo).toBe('<chloe-1@example.ca>');
    expect(mail.messageId).toBe(`<cd.${reply.id}@maple.example>`);
    expect(mail.text?.trim()).toBe('Bonjour Chloé, votre colis arrive demain.');
    // it really went through Postfix
    expect(String(mail.headers.get('received'))).toMatch(/relay\.crossdesk\.test/);
    expect(postfix.log()).toMatch(/status=sent/);
    const out = await database.db.selectFrom('email_messages').select('status').where('direction', '=', 'out').where('message_id', '=', `cd.${reply.id}@maple.example`).executeTakeFirstOrThrow();
    expect(out.status).toBe('sent');
    await runner.tick();
    await new Promise((r) => setTimeout(r, 1500));
    expect(sink.received).toHaveLength(1);
  }, 60_000);

  it('keeps the reply in the Postfix queue while the next hop is down and delivers it once later', async () => {
    const port = sink.port;
    const received = sink.received;
    await sink.close();
    const { reply } = await replyTo('chloe-2@example.ca', 'Nous avons renvoyé le colis.');
    // Postfix took it (our side is done) and defers it
    const out = await database.db.selectFrom('email_messages').select('status').where('direction', '=', 'out').where('message_id', '=', `cd.${reply.id}@maple.example`).executeTakeFirstOrThrow();
    expect(out.status).toBe('sent');
    await until('the deferral', () => /status=deferred/.test(postfix.log()), 20_000, postfix.log);
    sink = await startSmtpSink({ port, received, reply: 'stored' });
    await postfix.flush();
    await until('the retried delivery', () => received.length >= 2, 30_000, postfix.log);
    await new Promise((r) => setTimeout(r, 1500));
    expect(received).toHaveLength(2);
    expect((await simpleParser(received[1].raw)).messageId).toBe(`<cd.${reply.id}@maple.example>`);
  }, 60_000);
});
