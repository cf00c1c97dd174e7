/**
 * A local SMTP server that records what it receives: the relay, or the final destination
 * behind a relay, of a test that sends e-mail. Plain SMTP on loopback, no AUTH, no TLS.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  /** The envelope sender ('' for a null sender). */
  from: string;
  to: string[];
  raw: Buffer;
}

export interface SmtpSink {
  port: number;
  /** What arrived, in order: the array passed in as `received`, when one was. */
  received: ReceivedMail[];
  /** While true, every message is refused with 550 (as a mailbox that does not exist). */
  refuse: boolean;
  close(): Promise<void>;
}

/**
 * Listens on `port` (0: a free one) of 127.0.0.1. `received` lets a sink started again on the
 * same port keep appending to the list of the one before; `reply` is the text of the 250 answer.
 */
export async function startSmtpSink(opts: { port?: number; received?: ReceivedMail[]; reply?: string } = {}): Promise<SmtpSink> {
  const sink: SmtpSink = { port: 0, received: opts.received ?? [], refuse: false, close: async () => undefined };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (sink.refuse) return cb(Object.assign(new Error('5.1.1 mailbox unavailable'), { responseCode: 550 }));
        sink.received.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks) });
        cb(null, opts.reply);
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', () => resolve()));
  sink.port = (server.server.address() as AddressInfo).port;
  sink.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return sink;
}
