/**
 * E-mail intake (issue 5): messages per second from SMTP into tickets — the product's SMTP
 * server fed by nodemailer over pooled connections, each message parsed, de-duplicated,
 * threaded and made into a ticket (with triage) — on PostgreSQL when DATABASE_URL is set,
 * else PGlite; beside mailparser alone on the same messages in the same run.
 */
import { Worker } from 'node:worker_threads';
import nodemailer from 'nodemailer';
import { simpleParser } from 'mailparser';
import { sql } from 'kysely';
import { MemoryEventBus } from '../src/core/events.ts';
import { systemClock } from '../src/core/clock.ts';
import { randomToken } from '../src/core/ids.ts';
import { triageForTickets } from '../src/helpdesk/triage-adapter.ts';
import { createTicket } from '../src/helpdesk/tickets.ts';
import { systemActor } from '../src/helpdesk/visibility.ts';
import { emailSettings } from '../src/channels/email/settings.ts';
import { startInboundSmtp } from '../src/channels/email/smtp.ts';
import { buildMail, CHARSET_SAMPLES } from '../src/channels/email/fixtures.ts';
import type { BenchSuite } from './types.ts';
import { freshDatabase } from './util.ts';


function messages(n: number, run: string): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    const s = CHARSET_SAMPLES[i % CHARSET_SAMPLES.length];
    out.push(
      buildMail({
        messageId: `bench-${run}-${i}@example.net`,
        from: `Customer ${i} <c${i}.${run}@example.net>`,
        subject: s.subject,
        subjectCharset: s.charset,
        text: `${s.text}\n\nOrder #${100000 + i}`,
        charset: s.charset,
        encoding: i % 2 ? 'base64' : 'quoted-printable',
      }),
    );
  }
  return out;
}

const suite: BenchSuite = async (ctx) => {
  const n = ctx.quick ? 300 : 2000;
  const concurrency = 8;
  const run = randomToken(4).toLowerCase().replace(/[^a-z0-9]/g, 'x');
  const raws = messages(n, run);

  // the parser alone, same messages
  for (let k = 0; k < 3; k++) for (const r of raws.slice(0, 300)) await simpleParser(r); // warm (JIT, charset tables)
  const p0 = performance.now();
  for (const r of raws) await simpleParser(r);
  const parserRate = n / ((performance.now() - p0) / 1000);

  const d = await freshDatabase(process.env.DATABASE_URL ? 'postgres' : 'pglite', 16);
  const smtp = await startInboundSmtp(
    { db: d.db, bus: new MemoryEventBus(), clock: systemClock, triage: triageForTickets, settings: emailSettings({}) },
    { port: 0, host: '127.0.0.1' },
  );
  // warm the server path in this process
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: smtp.port, ignoreTLS: true });
  try {
    for (let i = 0; i < 20; i++) await transport.sendMail({ envelope: { from: `w${i}.${run}@example.net`, to: ['support@shop.example'] }, raw: messages(1, `${run}w${i}`)[0] });
    transport.close();
    // the senders run in a worker thread, as remote MTAs would run elsewhere: the figure is the server's
    const t0 = performance.now();
    const failed = await new Promise<number>((resolve, reject) => {
      const w = new Worker(SENDER, { eval: true, workerData: { port: smtp.port, concurrency, run, raws: raws.map((r) => r.toString('latin1')) } });
      w.once('message', (m: number) => resolve(m));
      w.once('error', reject);
    });
    const secs = (performance.now() - t0) / 1000;
    const made = await sql<{ n: number }>`SELECT count(*)::int AS n FROM email_messages WHERE direction = 'in' AND status = 'ticketed' AND message_id LIKE ${`bench-${run}-%`}`.execute(d.db);
    const ticketed = made.rows[0]?.n ?? 0;
    const rate = ticketed / secs;
    ctx.report({
      group: 'email',
      name: `inbound SMTP -> tickets (${d.kind}, ${concurrency} connections, ${n} msgs, ${failed} failed)`,
      value: Math.round(rate),
      unit: 'msg/s',
      baseline: { name: 'mailparser alone (1 core)', value: Math.round(parserRate), unit: 'msg/s' },
      target: d.kind === 'postgres' ? '>= 200 msg/s on PostgreSQL' : '>= 200 msg/s on PostgreSQL (this run: PGlite)',
      ok: rate >= 200 && ticketed === n,
    });
    // the ceiling set by the helpdesk core: the same tickets made directly, same concurrency, no SMTP, no MIME
    const m = Math.max(100, Math.floor(n / 4));
    let k = 0;
    const c0 = performance.now();
    const tdeps = { db: d.db, bus: new MemoryEventBus(), clock: systemClock, triage: triageForTickets };
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (k < m) {
          const i = k++;
          const s = CHARSET_SAMPLES[i % CHARSET_SAMPLES.length];
          await createTicket(tdeps, { subject: s.subject, body: `${s.text}\n\nOrder #${200000 + i}`, customer: { email: `direct${i}.${run}@example.net` }, channel: 'email' }, systemActor);
        }
      }),
    );
    ctx.report({
      group: 'email',
      name: `createTicket alone (${d.kind}, ${concurrency} concurrent, ${m} tickets)`,
      value: Math.round(m / ((performance.now() - c0) / 1000)),
      unit: 'tickets/s',
    });
  } finally {
    transport.close();
    await smtp.close();
    await d.drop();
  }
};

/** Sends the messages over `concurrency` pooled SMTP connections; posts the number that failed. */
const SENDER = `
const { parentPort, workerData } = require('node:worker_threads');
const { createRequire } = require('node:module');
const req = createRequire(${JSON.stringify(`${process.cwd()}/package.json`)});
const nodemailer = req('nodemailer');
const { port, concurrency, run, raws } = workerData;
const t = nodemailer.createTransport({ host: '127.0.0.1', port, ignoreTLS: true, pool: true, maxConnections: concurrency, maxMessages: Infinity });
let next = 0, failed = 0;
Promise.all(Array.from({ length: concurrency }, async () => {
  while (next < raws.length) {
    const i = next++;
    await t.sendMail({ envelope: { from: 'c' + i + '.' + run + '@example.net', to: ['support@shop.example'] }, raw: Buffer.from(raws[i], 'latin1') }).catch(() => failed++);
  }
})).then(() => { t.close(); parentPort.postMessage(failed); });
`;

export default suite;
