import nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';
import { sql } from 'kysely';
import { enqueueJob, type JobHandler } from '../../core/jobs.ts';
import { isUuid, uuidv7 } from '../../core/ids.ts';
import { addAgentMessage } from '../../helpdesk/tickets.ts';
import { systemActor } from '../../helpdesk/visibility.ts';
import { TOKEN_RE, ticketToken, type EmailDeps } from './intake.ts';

export const SEND_JOB = 'email.send';
const uniqueKey = (messageId: string) => `${SEND_JOB}:${messageId}`;

/** The Message-ID of the e-mail that carries a ticket message: stable, so a retry reuses it. */
export function outboundMessageId(messageUuid: string, domain: string): string {
  return `cd.${messageUuid}@${domain}`;
}

/** "Re: <subject> [#CD-n]", without piling up prefixes or tokens. */
export function replySubject(subject: string, number: number): string {
  const base = subject.replace(TOKEN_RE, '').replace(/^(\s*(re|aw|sv|antw|rif|res|回复|回覆|答复|Ответ)\s*[:：]\s*)+/i, '').replace(/\s+/g, ' ').trim();
  return `Re: ${base || '(no subject)'} ${ticketToken(number)}`;
}

interface SendPayload {
  messageId: string;
}

function isPayload(p: unknown): p is SendPayload {
  return typeof p === 'object' && p !== null && typeof (p as SendPayload).messageId === 'string' && isUuid((p as SendPayload).messageId);
}

export interface EmailOutbound {
  enabled: boolean;
  /** One line for the log: where replies go, or that they do not. */
  status: string;
  handlers: Record<string, JobHandler>;
  /** Queues the e-mail for an agent's public reply when its ticket came by e-mail. */
  enqueueFor(messageId: string): Promise<number | null>;
  /** Listens to message.created events; returns the unsubscribe function. */
  subscribe(poke?: () => void): () => void;
  /** Queues replies whose event was missed (node restart): the last day's, idempotently. */
  sweep(): Promise<number>;
  /**
   * Sends one e-mail that is not a ticket message (CSAT/NPS surveys) through the same relay.
   * Throws when outbound e-mail is off; errors carry the relay's `responseCode`.
   */
  deliver(mail: OutboundMail): Promise<{ response?: string }>;
  close(): void;
}

export interface OutboundMail {
  from: { name: string; address: string };
  to: string | { name: string; address: string };
  subject: string;
  text: string;
  html?: string;
  headers?: Record<string, string>;
}

export function emailOutbound(deps: EmailDeps, opts: { transport?: Transporter } = {}): EmailOutbound {
  const { db, settings } = deps;
  const relay = settings.relayUrl;
  const transporter: Transporter | null = opts.transport ?? (relay ? nodemailer.createTransport({ url: relay, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 60_000 }) : null);
  const status = transporter
    ? `email: outbound e-mail through ${relay ? relay.replace(/\/\/[^@/]*@/, '//***@') : 'a custom transport'}`
    : 'email: outbound e-mail disabled (SMTP_RELAY_URL is not set); agent replies on e-mail tickets are not sent';

  async function enqueueFor(messageId: string): Promise<number | null> {
    if (!transporter || !isUuid(messageId)) return null;
    const m = await db
      .selectFrom('messages as m')
      .innerJoin('tickets as t', 't.id', 'm.ticket_id')
      .select(['m.id', 'm.author_type', 'm.internal', 't.channel'])
      .where('m.id', '=', messageId)
      .executeTakeFirst();
    if (!m || m.internal || m.channel !== 'email' || (m.author_type !== 'agent' && m.author_type !== 'bot')) return null;
    return enqueueJob(db, SEND_JOB, { messageId }, { uniqueKey: uniqueKey(messageId), maxAttempts: 12 });
  }

  const send: JobHandler = async (payload) => {
    if (!transporter || !isPayload(payload)) return;
    const row = await db
      .selectFrom('messages as m')
      .innerJoin('tickets as t', 't.id', 'm.ticket_id')
      .innerJoin('customers as c', 'c.id', 't.customer_id')
      .innerJoin('stores as s', 's.id', 't.store_id')
      .select(['m.id', 'm.body', 'm.internal', 'm.author_type', 't.id as ticket_id', 't.number', 't.subject', 't.store_id', 'c.email', 'c.name as customer_name', 's.name as store_name', 's.support_email'])
      .where('m.id', '=', payload.messageId)
      .executeTakeFirst();
    if (!row || row.internal) return;
    const fromAddress = row.support_email ?? settings.fromFallback;
    const domain = fromAddress.split('@')[1] || settings.messageIdDomain;
    const ourId = outboundMessageId(row.id, domain);
    // claim the send: one row per Message-ID; once 'sent' it is never sent again
    const claimed = await db
      .insertInto('email_messages')
      .values({
        id: uuidv7(),
        direction: 'out',
        message_id: ourId,
        kind: 'message',
        status: 'sending',
        store_id: row.store_id,
        ticket_id: row.ticket_id,
        message_ref: row.id,
        mail_from: fromAddress,
        from_address: fromAddress,
        from_name: row.store_name,
        to_addresses: JSON.stringify([row.email]),
        recipient_count: 1,
        subject: replySubject(row.subject, row.number),
        in_reply_to: null,
        reason: null,
        text_body: row.body,
        html_body: null,
        raw: null,
        last_error: null,
        sent_at: null,
        created_at: deps.clock.now(),
      })
      .onConflict((oc) => oc.columns(['direction', 'message_id']).doUpdateSet((eb) => ({ attempts: eb('email_messages.attempts', '+', 1) })))
      .returning(['id', 'status'])
      .executeTakeFirstOrThrow();
    if (claimed.status === 'sent' || claimed.status === 'failed' || claimed.status === 'bounced') return;

    const thread = await db
      .selectFrom('email_messages')
      .select(['message_id', 'direction'])
      .where('ticket_id', '=', row.ticket_id)
      .where('kind', '=', 'message')
      .where('message_id', '!=', ourId)
      .where((eb) => eb.or([eb('direction', '=', 'in'), eb('status', '=', 'sent')]))
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    const lastIn = [...thread].reverse().find((t) => t.direction === 'in');
    const refs = thread.map((t) => t.message_id);
    const references = refs.length > 20 ? [refs[0], ...refs.slice(-19)] : refs;
    const subject = replySubject(row.subject, row.number);
    try {
      const info = (await transporter.sendMail({
        from: { name: row.store_name, address: fromAddress },
        to: row.customer_name ? { name: row.customer_name, address: row.email } : row.email,
        subject,
        text: row.body,
        messageId: `<${ourId}>`,
        ...(lastIn ? { inReplyTo: `<${lastIn.message_id}>` } : {}),
        ...(references.length ? { references: references.map((r) => `<${r}>`) } : {}),
        headers: { 'X-Crossdesk-Ticket': String(row.number) },
      })) as { response?: string };
      await db
        .updateTable('email_messages')
        .set({ status: 'sent', sent_at: deps.clock.now(), last_error: null, in_reply_to: lastIn?.message_id ?? null, refs: JSON.stringify(references), reason: info.response?.slice(0, 500) ?? null })
        .where('id', '=', claimed.id)
        .execute();
    } catch (e) {
      const code = (e as { responseCode?: unknown }).responseCode;
      const message = e instanceof Error ? e.message : String(e);
      if (typeof code === 'number' && code >= 500 && code < 600) {
        // permanent refusal: do not retry, tell the agent
        await db.updateTable('email_messages').set({ status: 'failed', last_error: message.slice(0, 2000) }).where('id', '=', claimed.id).execute();
        try {
          await addAgentMessage({ db, bus: deps.bus, clock: deps.clock }, row.ticket_id, { body: `The e-mail reply could not be delivered to ${row.email}: ${message}`.slice(0, 4000), internal: true, channel: 'email' }, systemActor);
        } catch {
          // the failure is recorded on the e-mail either way
        }
        return;
      }
      await db.updateTable('email_messages').set({ status: 'queued', last_error: message.slice(0, 2000) }).where('id', '=', claimed.id).execute();
      throw e; // the job runner retries with backoff
    }
  };

  return {
    enabled: Boolean(transporter),
    status,
    handlers: { [SEND_JOB]: send },
    enqueueFor,
    subscribe(poke) {
      if (!transporter) return () => undefined;
      return deps.bus.subscribe((e) => {
        if (e.type !== 'message.created' || e.internal || !e.messageId) return;
        void enqueueFor(e.messageId).then(
          (id) => {
            if (id !== null) poke?.();
          },
          () => undefined, // the sweep picks it up
        );
      });
    },
    async sweep() {
      if (!transporter) return 0;
      const since = new Date(deps.clock.now().getTime() - 24 * 3_600_000);
      const missing = await db
        .selectFrom('messages as m')
        .innerJoin('tickets as t', 't.id', 'm.ticket_id')
        .select('m.id')
        .where('t.channel', '=', 'email')
        .where('m.internal', '=', false)
        .where('m.author_type', 'in', ['agent', 'bot'])
        .where('m.created_at', '>', since)
        .where(({ not, exists, selectFrom }) => not(exists(selectFrom('jobs').select('jobs.id').where('jobs.unique_key', '=', sql<string>`${SEND_JOB + ':'} || m.id::text`))))
        .limit(500)
        .execute();
      let n = 0;
      for (const m of missing) if ((await enqueueFor(m.id)) !== null) n++;
      return n;
    },
    async deliver(mail) {
      if (!transporter) throw new Error('outbound e-mail is off (SMTP_RELAY_URL is not set)');
      return (await transporter.sendMail(mail)) as { response?: string };
    },
    close() {
      transporter?.close();
    },
  };
}
