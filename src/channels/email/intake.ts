import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { DB, Store } from '../../db/types.ts';
import type { Clock } from '../../core/clock.ts';
import type { EventBus } from '../../core/events.ts';
import { AppError } from '../../core/errors.ts';
import { uuidv7 } from '../../core/ids.ts';
import { addAgentMessage, addCustomerMessage, createTicket, MAX_BODY, MAX_SUBJECT, type TriageFn } from '../../helpdesk/tickets.ts';
import { systemActor } from '../../helpdesk/visibility.ts';
import { classifyAutomatic, type AutoVerdict } from './classify.ts';
import { parseEmail, type ParsedEmail } from './parse.ts';
import type { EmailSettings } from './settings.ts';
import { trimReply } from './trim.ts';

export interface EmailDeps {
  db: Kysely<DB>;
  bus: EventBus;
  clock: Clock;
  triage?: TriageFn;
  settings: EmailSettings;
}

export interface Envelope {
  /** MAIL FROM; '' for the null sender of bounces. */
  mailFrom?: string | null;
  /** RCPT TO addresses. */
  rcptTo?: string[];
  /** The store the mail was received for (an IMAP mailbox of that store); beats the addresses. */
  storeId?: string | null;
}

type EmailKind = 'message' | 'auto_reply' | 'bounce' | 'loop' | 'rejected';

export type IngestStatus = 'created' | 'appended' | 'duplicate' | 'auto_reply' | 'bounce' | 'loop' | 'rejected';

export interface IngestResult {
  status: IngestStatus;
  messageId: string;
  emailId?: string;
  ticketId?: string;
  ticketNumber?: number;
  reason?: string;
}

/** `[#CD-123]` in a subject names ticket 123. */
export const TOKEN_RE = /\[#CD-(\d{1,12})\]/i;
export const ticketToken = (n: number) => `[#CD-${n}]`;

/** messages.external_id of an e-mail (hashed when the Message-ID is very long). */
export function externalIdFor(messageId: string): string {
  return messageId.length <= 400 ? `email:${messageId}` : `email:sha256:${createHash('sha256').update(messageId).digest('hex')}`;
}

// ---------------------------------------------------------------------------------------
// Store addresses (cached briefly: every RCPT TO asks)

interface StoreAddresses {
  at: number;
  byAddress: Map<string, Store>;
  byId: Map<string, Store>;
  ours: Set<string>;
  defaultStore: Store | undefined;
}
const cache = new WeakMap<Kysely<DB>, StoreAddresses>();

async function storeAddresses(db: Kysely<DB>): Promise<StoreAddresses> {
  const hit = cache.get(db);
  if (hit && Date.now() - hit.at < 5_000) return hit;
  const stores = await db.selectFrom('stores').selectAll().execute();
  const byAddress = new Map<string, Store>();
  for (const s of stores) if (s.support_email) byAddress.set(s.support_email.toLowerCase(), s);
  const v = { at: Date.now(), byAddress, byId: new Map(stores.map((s) => [s.id, s])), ours: new Set(byAddress.keys()), defaultStore: stores.find((s) => s.is_default) };
  cache.set(db, v);
  return v;
}

/** Drops the cached store addresses (after a store changes its support e-mail). */
export function forgetStoreAddresses(db: Kysely<DB>): void {
  cache.delete(db);
}

const withoutTag = (a: string) => a.replace(/\+[^@]*@/, '@');

function storeFor(addresses: StoreAddresses, recipients: string[]): Store | undefined {
  for (const r of recipients) {
    const a = r.toLowerCase();
    const s = addresses.byAddress.get(a) ?? addresses.byAddress.get(withoutTag(a));
    if (s) return s;
  }
  return undefined;
}

/** Whether the SMTP server takes mail for this recipient (RCPT TO). */
export async function acceptsRecipient(deps: Pick<EmailDeps, 'db' | 'settings'>, address: string): Promise<boolean> {
  if (deps.settings.acceptUnclaimed) return true;
  return Boolean(storeFor(await storeAddresses(deps.db), [address]));
}

// ---------------------------------------------------------------------------------------
// Intake

function isUniqueViolation(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return code === '23505' || (e instanceof Error && /duplicate key value|unique constraint/i.test(e.message));
}

function shownBody(p: ParsedEmail): string {
  let body = trimReply(p.text);
  if (!body.trim()) body = p.text.trim();
  const files = p.attachments.filter((a) => !(a.inline && a.contentType.startsWith('image/')));
  if (files.length) {
    const list = files.map((a) => `📎 ${a.filename} (${a.size < 1024 ? `${a.size} B` : `${Math.round(a.size / 1024)} KB`})`).join('\n');
    body = body ? `${body}\n\n${list}` : list;
  }
  if (!body.trim()) body = '(empty message)';
  if (body.length > MAX_BODY) body = `${body.slice(0, MAX_BODY - 200)}\n\n[… message shortened; the full e-mail is kept]`;
  return body;
}

function cleanSubject(s: string): string {
  const t = s.trim() || '(no subject)';
  return t.length > MAX_SUBJECT ? `${t.slice(0, MAX_SUBJECT - 1)}…` : t;
}

async function recordRow(
  deps: EmailDeps,
  p: ParsedEmail,
  raw: Buffer,
  envelope: Envelope,
  fields: {
    kind: 'message' | 'auto_reply' | 'bounce' | 'loop' | 'rejected';
    storeId: string | null;
    ticketId?: string | null;
    reason?: string | null;
    /** Flood guard in the same statement: a message becomes a loop when its sender sent `limit` in the last hour. */
    flood?: { address: string; since: Date; limit: number; reason: string };
  },
): Promise<{ id: string; inserted: boolean; kind: EmailKind; reason: string | null }> {
  const recipients = [...new Set([...(envelope.rcptTo ?? []), ...p.to, ...p.cc].map((x) => x.toLowerCase()))];
  const f = fields.flood;
  const flooded = f
    ? sql<boolean>`((SELECT count(*) FROM email_messages WHERE from_address = ${f.address} AND direction = 'in' AND kind = 'message' AND created_at > ${f.since}) >= ${f.limit})`
    : null;
  const row = await deps.db
    .insertInto('email_messages')
    .values({
      id: uuidv7(),
      direction: 'in',
      message_id: p.messageId,
      kind: flooded ? sql<EmailKind>`CASE WHEN ${flooded} THEN 'loop' ELSE ${fields.kind} END` : fields.kind,
      status: 'received',
      store_id: fields.storeId,
      ticket_id: fields.ticketId ?? null,
      mail_from: envelope.mailFrom ?? null,
      from_address: p.from?.address ?? null,
      from_name: p.from?.name ?? null,
      to_addresses: JSON.stringify(recipients.slice(0, 200)),
      recipient_count: recipients.length,
      subject: p.subject.slice(0, 2000),
      in_reply_to: p.inReplyTo[0] ?? null,
      refs: JSON.stringify(p.references.slice(-50)),
      reason: flooded && f ? sql<string | null>`CASE WHEN ${flooded} THEN ${f.reason} ELSE ${fields.reason ?? null} END` : (fields.reason ?? null),
      text_body: p.text.slice(0, 1_000_000),
      html_body: p.html ? p.html.slice(0, 2_000_000) : null,
      raw,
      size: raw.length,
      created_at: deps.clock.now(),
    })
    .onConflict((oc) => oc.columns(['direction', 'message_id']).doNothing())
    .returning(['id', 'kind', 'reason'])
    .executeTakeFirst();
  if (row) {
    if (p.attachments.length) {
      // ids in the order of the message (uuidv7 is random within a millisecond)
      const ids = p.attachments.map(() => uuidv7()).sort();
      await deps.db
        .insertInto('email_attachments')
        .values(
          p.attachments.map((a, i) => {
            const executable = /x-msdownload|x-executable|x-script/.test(a.detectedType ?? '') || /\.(exe|scr|bat|cmd|com|js|vbs|jar|msi|ps1|sh)$/i.test(a.filename);
            const blocked = executable ? 'executable content is not kept' : a.size > deps.settings.maxAttachmentBytes ? `larger than ${deps.settings.maxAttachmentBytes} bytes` : null;
            return {
              id: ids[i],
              email_id: row.id,
              filename: a.filename,
              content_type: a.contentType.slice(0, 200),
              detected_type: a.detectedType,
              size: a.size,
              sha256: a.sha256,
              content_id: a.contentId?.slice(0, 900) ?? null,
              inline: a.inline,
              blocked_reason: blocked,
              content: blocked ? null : a.content,
            };
          }),
        )
        .execute();
    }
    return { id: row.id, inserted: true, kind: row.kind, reason: row.reason };
  }
  const existing = await deps.db
    .updateTable('email_messages')
    .set((eb) => ({ duplicates: eb('duplicates', '+', 1) }))
    .where('direction', '=', 'in')
    .where('message_id', '=', p.messageId)
    .returning(['id', 'kind', 'reason'])
    .executeTakeFirstOrThrow();
  return { id: existing.id, inserted: false, kind: existing.kind, reason: existing.reason };
}

/** The ticket a reply belongs to: by the Message-IDs it answers, then by the subject token. */
async function threadTicket(db: Kysely<DB>, p: ParsedEmail, senders: string[]): Promise<{ id: string; status: string; number: number } | null> {
  const ids = [...new Set([...p.inReplyTo, ...p.references.slice(-100)])];
  if (ids.length) {
    const rows = await db
      .selectFrom('email_messages as e')
      .innerJoin('tickets as t', 't.id', 'e.ticket_id')
      .select(['t.id', 't.status', 't.number', 'e.created_at'])
      .where('e.message_id', 'in', ids)
      .orderBy('e.created_at', 'desc')
      .limit(1)
      .execute();
    if (rows[0]) return { id: rows[0].id, status: rows[0].status, number: rows[0].number };
  }
  const token = TOKEN_RE.exec(p.subject);
  if (token) {
    // a token alone is guessable: it threads only mail from the ticket's own customer
    const t = await db
      .selectFrom('tickets')
      .innerJoin('customers as c', 'c.id', 'tickets.customer_id')
      .select(['tickets.id', 'tickets.status', 'tickets.number'])
      .where('tickets.number', '=', Number(token[1]))
      .where('c.email', 'in', senders.length ? senders : [''])
      .executeTakeFirst();
    if (t) return t;
  }
  return null;
}

async function noteOnTicket(deps: EmailDeps, ticketId: string, body: string): Promise<void> {
  try {
    await addAgentMessage({ db: deps.db, bus: deps.bus, clock: deps.clock }, ticketId, { body, internal: true, channel: 'email' }, systemActor);
  } catch {
    // a note is a courtesy; the e-mail is recorded either way
  }
}

/** Bounces of our own replies: mark the outbound mail and tell the agent on the ticket. */
async function handleBounce(deps: EmailDeps, p: ParsedEmail, verdict: AutoVerdict, emailId: string): Promise<string | undefined> {
  const candidates = [...new Set([...p.inReplyTo, ...p.references, ...p.embeddedMessageIds])];
  if (!candidates.length) return undefined;
  const out = await deps.db
    .selectFrom('email_messages')
    .select(['id', 'ticket_id', 'status'])
    .where('direction', '=', 'out')
    .where('message_id', 'in', candidates)
    .executeTakeFirst();
  if (!out?.ticket_id) return undefined;
  await deps.db.updateTable('email_messages').set({ ticket_id: out.ticket_id }).where('id', '=', emailId).execute();
  if (verdict.kind === 'bounce' && out.status !== 'bounced') {
    await deps.db.updateTable('email_messages').set({ status: 'bounced', last_error: verdict.reason }).where('id', '=', out.id).execute();
    const detail = p.text.split('\n').map((l) => l.trim()).filter(Boolean).slice(0, 6).join('\n');
    await noteOnTicket(deps, out.ticket_id, `E-mail delivery failed (${verdict.reason}).\n${detail}`.slice(0, 4000));
  }
  return out.ticket_id;
}

/**
 * Takes in one raw e-mail: de-duplicates it by Message-ID, records machine mail without
 * opening tickets, threads a reply onto its ticket or opens a new one.
 */
export async function ingestEmail(deps: EmailDeps, raw: Buffer, envelope: Envelope = {}): Promise<IngestResult> {
  let p: ParsedEmail;
  try {
    p = await parseEmail(raw);
  } catch (e) {
    const messageId = `${createHash('sha256').update(raw).digest('hex').slice(0, 40)}@unparsed.crossdesk`;
    const reason = `could not parse the message: ${e instanceof Error ? e.message : String(e)}`.slice(0, 500);
    await deps.db
      .insertInto('email_messages')
      .values({ id: uuidv7(), direction: 'in', message_id: messageId, kind: 'rejected', store_id: null, mail_from: envelope.mailFrom ?? null, from_address: null, from_name: null, in_reply_to: null, reason, text_body: null, html_body: null, raw, size: raw.length, last_error: null, sent_at: null, ticket_id: null, message_ref: null })
      .onConflict((oc) => oc.columns(['direction', 'message_id']).doNothing())
      .execute();
    return { status: 'rejected', messageId, reason };
  }
  const messageId = p.messageId;
  const externalId = externalIdFor(messageId);

  const addresses = await storeAddresses(deps.db);
  const recipients = [...(envelope.rcptTo ?? []), ...p.to, ...p.cc];
  const store = (envelope.storeId ? addresses.byId.get(envelope.storeId) : undefined) ?? storeFor(addresses, recipients) ?? addresses.defaultStore;
  const customer = p.replyTo && !addresses.ours.has(p.replyTo.address) ? p.replyTo : p.from;

  // 1. machine mail and loops (decided from the message; the flood count in the insert below)
  const verdict: AutoVerdict | null = classifyAutomatic(p.headers, { mailFrom: envelope.mailFrom, fromAddress: p.from?.address, contentType: p.contentType });
  let loopReason: string | null = null;
  if (!verdict) {
    if (!customer) loopReason = 'no sender address';
    else if (addresses.ours.has(customer.address) || addresses.ours.has(withoutTag(customer.address))) loopReason = `sent from our own address ${customer.address}`;
    else if (customer.address === deps.settings.fromFallback.toLowerCase() || p.headers.get('x-crossdesk-ticket')) loopReason = 'our own outbound mail came back';
  }
  const kind0: EmailKind = verdict ? verdict.kind : loopReason ? 'loop' : 'message';
  const flood =
    kind0 === 'message' && customer && deps.settings.floodLimitPerHour > 0
      ? { address: p.from?.address ?? '', since: new Date(deps.clock.now().getTime() - 3_600_000), limit: deps.settings.floodLimitPerHour, reason: `more than ${deps.settings.floodLimitPerHour} messages from ${customer.address} in an hour` }
      : undefined;

  // 2. record the e-mail (raw kept) unless seen before: one statement for a new message
  const row = await recordRow(deps, p, raw, envelope, { kind: kind0, storeId: store?.id ?? null, reason: verdict?.reason ?? loopReason, flood });
  if (!row.inserted) {
    const seen = await deps.db
      .selectNoFrom((eb) => [
        eb.selectFrom('email_messages').select('ticket_id').where('direction', '=', 'in').where('message_id', '=', messageId).as('seen_ticket'),
        eb.selectFrom('messages').select('id').where('external_id', '=', externalId).as('done_id'),
        eb.selectFrom('messages').select('ticket_id').where('external_id', '=', externalId).as('done_ticket'),
      ])
      .executeTakeFirstOrThrow();
    if (seen.done_id) {
      await deps.db.updateTable('email_messages').set({ status: 'ticketed', ticket_id: seen.done_ticket, message_ref: seen.done_id }).where('id', '=', row.id).execute();
      return { status: 'duplicate', messageId, emailId: row.id, ticketId: seen.done_ticket ?? undefined };
    }
    // recorded before without a ticket: machine mail stays so; a message whose ticket an
    // earlier attempt failed to make gets it now
    if (row.kind !== 'message' || kind0 !== 'message') return { status: 'duplicate', messageId, emailId: row.id, ticketId: seen.seen_ticket ?? undefined };
  } else if (row.kind !== 'message') {
    const ticketId = verdict ? await handleBounce(deps, p, verdict, row.id) : undefined;
    return { status: row.kind, messageId, emailId: row.id, ticketId, reason: row.reason ?? undefined };
  }
  if (!customer) throw new Error('unreachable: a message without a sender is a loop');

  // 3. put it on a ticket
  const body = shownBody(p);
  const ticketDeps = { db: deps.db, bus: deps.bus, clock: deps.clock, triage: deps.triage };
  const senders = [...new Set([customer.address, p.from?.address].filter((x): x is string => Boolean(x)))];
  const thread = await threadTicket(deps.db, p, senders);
  let result: IngestResult | null = null;
  try {
    if (thread && thread.status !== 'closed') {
      try {
        const m = await addCustomerMessage(ticketDeps, thread.id, { body, channel: 'email', externalId });
        result = { status: 'appended', messageId, emailId: row.id, ticketId: thread.id, ticketNumber: thread.number };
        await deps.db.updateTable('email_messages').set({ status: 'ticketed', ticket_id: thread.id, message_ref: m.id }).where('id', '=', row.id).execute();
      } catch (e) {
        if (!(e instanceof AppError && e.code === 'invalid_transition')) throw e; // closed meanwhile: a follow-up ticket below
      }
    }
    if (!result) {
      const t = await createTicket(
        ticketDeps,
        {
          subject: cleanSubject(p.subject.replace(TOKEN_RE, '').replace(/\s+/g, ' ')),
          body,
          customer: { email: customer.address, name: customer.name ?? p.from?.name ?? undefined },
          storeId: store?.id,
          channel: 'email',
          externalId,
          tags: thread ? ['follow-up'] : undefined,
        },
        systemActor,
      );
      await deps.db
        .updateTable('email_messages')
        .set((eb) => ({ status: 'ticketed', ticket_id: t.id, message_ref: eb.selectFrom('messages').select('id').where('external_id', '=', externalId) }))
        .where('id', '=', row.id)
        .execute();
      result = { status: 'created', messageId, emailId: row.id, ticketId: t.id, ticketNumber: t.number };
    }
  } catch (e) {
    if (!isUniqueViolation(e)) throw e;
    // the same message delivered twice at once: the other delivery made the ticket
    const m = await deps.db.selectFrom('messages').select(['id', 'ticket_id']).where('external_id', '=', externalId).executeTakeFirst();
    if (m) await deps.db.updateTable('email_messages').set({ status: 'ticketed', ticket_id: m.ticket_id, message_ref: m.id }).where('id', '=', row.id).execute();
    return { status: 'duplicate', messageId, emailId: row.id, ticketId: m?.ticket_id };
  }
  if (result.ticketId && result.ticketNumber === undefined) {
    const t = await deps.db.selectFrom('tickets').select('number').where('id', '=', result.ticketId).executeTakeFirst();
    result.ticketNumber = t?.number;
  }
  return result;
}
