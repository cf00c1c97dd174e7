import type { Kysely } from 'kysely';
import type { DB } from '../../db/types.ts';
import type { Clock } from '../../core/clock.ts';
import type { EventBus } from '../../core/events.ts';
import type { JobHandler } from '../../core/jobs.ts';
import type { TriageFn } from '../../helpdesk/tickets.ts';
import { emailOutbound, type EmailOutbound } from './outbound.ts';
import { emailSettings, type EmailSettings } from './settings.ts';
import { startInboundSmtp, type InboundSmtp, type SmtpLogger } from './smtp.ts';
import { startImapPollers, type ImapPollerOptions, type ImapPollers } from './imap.ts';

export { ingestEmail, type IngestResult, type Envelope } from './intake.ts';
export { emailSettings, type EmailSettings } from './settings.ts';
export { startImapPollers, type ImapPollers, type ImapPollerOptions } from './imap.ts';

export interface EmailChannel {
  /** Job handlers to register with the JobRunner (outbound sending). */
  handlers: Record<string, JobHandler>;
  outbound: EmailOutbound;
  smtp: InboundSmtp | null;
  /** The IMAP pollers of this node (when started with `imap`). */
  imap: ImapPollers | null;
  /** Starts the SMTP server (port > 0), the IMAP pollers (imap: true or options) and the outbound hook. */
  start(opts: { smtpPort: number; host?: string; poke?: () => void; logger?: SmtpLogger; imap?: boolean | ImapPollerOptions }): Promise<void>;
  close(): Promise<void>;
}

/**
 * The e-mail channel: inbound SMTP into tickets, agent replies out through the relay.
 * Create it before the JobRunner (for its handlers), start it once the runner runs.
 */
export function emailChannel(deps: { db: Kysely<DB>; bus: EventBus; clock: Clock; triage?: TriageFn; settings?: EmailSettings }): EmailChannel {
  const settings = deps.settings ?? emailSettings();
  const full = { db: deps.db, bus: deps.bus, clock: deps.clock, triage: deps.triage, settings };
  const outbound = emailOutbound(full);
  let unsubscribe: () => void = () => undefined;
  let sweepTimer: NodeJS.Timeout | null = null;
  const channel: EmailChannel = {
    handlers: outbound.handlers,
    outbound,
    smtp: null,
    imap: null,
    async start(opts) {
      opts.logger?.info(outbound.status);
      unsubscribe = outbound.subscribe(opts.poke);
      if (outbound.enabled) {
        const sweep = () =>
          void outbound.sweep().then(
            (n) => {
              if (n) opts.poke?.();
            },
            () => undefined,
          );
        sweepTimer = setInterval(sweep, 60_000);
        sweepTimer.unref();
        sweep();
      }
      if (opts.smtpPort > 0) channel.smtp = await startInboundSmtp(full, { port: opts.smtpPort, host: opts.host, logger: opts.logger });
      else opts.logger?.info('smtp: inbound e-mail off (SMTP_PORT=0)');
      if (opts.imap) channel.imap = startImapPollers(full, { logger: opts.logger, ...(typeof opts.imap === 'object' ? opts.imap : {}) });
    },
    async close() {
      unsubscribe();
      await channel.imap?.close();
      channel.imap = null;
      if (sweepTimer) clearInterval(sweepTimer);
      await channel.smtp?.close();
      channel.smtp = null;
      outbound.close();
    },
  };
  return channel;
}
