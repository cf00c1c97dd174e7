import os from 'node:os';
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerAddress, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import { acceptsRecipient, ingestEmail, type EmailDeps, type IngestResult } from './intake.ts';

export interface SmtpLogger {
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

export interface InboundSmtp {
  server: SMTPServer;
  port: number;
  close(): Promise<void>;
}

class SmtpReply extends Error {
  constructor(
    readonly responseCode: number,
    message: string,
  ) {
    super(message);
  }
}

function describe(r: IngestResult): string {
  switch (r.status) {
    case 'created':
      return `OK: ticket #${r.ticketNumber ?? '?'} opened`;
    case 'appended':
      return `OK: added to ticket #${r.ticketNumber ?? '?'}`;
    case 'duplicate':
      return 'OK: already received (same Message-ID)';
    case 'auto_reply':
    case 'bounce':
    case 'loop':
      return `OK: recorded as ${r.status.replace('_', '-')}, no ticket opened`;
    case 'rejected':
      return 'rejected';
    default: {
      const never: never = r.status;
      return String(never);
    }
  }
}

/**
 * The inbound SMTP server (SMTP_PORT): takes mail for the stores' support addresses and
 * hands each message to intake. Limits are enforced in the protocol, with the right replies:
 * SIZE and 552 for a message over the limit, 452 for recipients beyond the maximum, 550 for
 * an unclaimed address when intake is restricted, 554 for mail that cannot be parsed, 451
 * when the database is unavailable (the sender retries later, nothing is lost).
 */
export async function startInboundSmtp(deps: EmailDeps, opts: { port: number; host?: string; logger?: SmtpLogger }): Promise<InboundSmtp> {
  const { settings } = deps;
  const log = opts.logger;
  const server = new SMTPServer({
    name: os.hostname() || 'crossdesk',
    banner: 'crossdesk ESMTP',
    size: settings.maxBytes,
    rejectOversized: true,
    maxRecipients: settings.maxRecipients,
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    disableReverseLookup: true,
    logger: false,
    maxClients: 500,
    socketTimeout: 120_000,
    closeTimeout: 5_000,
    onRcptTo(address: SMTPServerAddress, _session: SMTPServerSession, callback: (err?: Error | null) => void) {
      acceptsRecipient(deps, address.address).then(
        (ok) => callback(ok ? null : new SmtpReply(550, `5.1.1 <${address.address}>: no store receives mail at this address`)),
        () => callback(new SmtpReply(451, '4.3.0 temporary failure, try again later')),
      );
    },
    onData(stream: SMTPServerDataStream, session: SMTPServerSession, callback: (err?: Error | null, message?: string) => void) {
      const chunks: Buffer[] = [];
      let bytes = 0;
      stream.on('data', (c: Buffer) => {
        bytes += c.length;
        if (bytes <= settings.maxBytes) chunks.push(c);
      });
      stream.on('error', (e: Error) => callback(new SmtpReply(451, `4.3.0 ${e.message}`)));
      stream.on('end', () => {
        if (stream.sizeExceeded) {
          log?.warn(`smtp: refused a message of ${bytes} bytes from ${session.remoteAddress} (limit ${settings.maxBytes})`);
          callback(new SmtpReply(552, `5.3.4 message exceeds the maximum size of ${settings.maxBytes} bytes`));
          return;
        }
        const raw = Buffer.concat(chunks);
        const mailFrom = session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address;
        ingestEmail(deps, raw, { mailFrom, rcptTo: session.envelope.rcptTo.map((r) => r.address) }).then(
          (r) => {
            if (r.status === 'rejected') {
              log?.warn(`smtp: rejected a message from ${session.remoteAddress}: ${r.reason ?? ''}`);
              callback(new SmtpReply(554, `5.6.0 ${r.reason ?? 'message could not be parsed'}`));
            } else callback(null, describe(r));
          },
          (e: unknown) => {
            log?.error(`smtp: intake failed: ${e instanceof Error ? e.message : String(e)}`);
            callback(new SmtpReply(451, '4.3.0 temporary failure, try again later'));
          },
        );
      });
    },
  });
  server.on('error', (e: Error) => log?.error(`smtp: ${e.message}`));
  await new Promise<void>((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) =>
      reject(e.code === 'EADDRINUSE' ? new Error(`SMTP port ${opts.port} is already in use (set SMTP_PORT or --smtp-port; 0 turns inbound e-mail off)`) : e);
    server.server.once('error', onError);
    server.listen(opts.port, opts.host ?? '0.0.0.0', () => {
      server.server.off('error', onError);
      resolve();
    });
  });
  const port = (server.server.address() as AddressInfo).port;
  log?.info(`smtp: inbound e-mail on port ${port} (max ${settings.maxBytes} bytes, ${settings.maxRecipients} recipients)`);
  return {
    server,
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
