/**
 * IMAP polling: each enabled mailbox (email_mailboxes) is read by exactly one app node, the
 * one holding its lease (a row lock by compare-and-set on lease_owner/lease_until, the same
 * SQL on PGlite and PostgreSQL). The holder keeps one connection open, takes in every
 * message above the last UID through the same intake as SMTP (de-duplication by
 * Message-ID, threading, loop protection), then flags it \Seen or moves it, and waits with
 * IDLE when the server offers it (else polls every pollSeconds).
 *
 * - First sync, and a new UIDVALIDITY: the unseen messages of the folder are taken in (what
 *   was read before is history); a message seen twice is a duplicate and makes nothing new.
 * - The position (last UID) advances only after intake stored the message, so a crash or a
 *   database outage loses nothing: the message is fetched again.
 * - Connection, login and folder errors are written on the mailbox (status error, a clear
 *   message) and retried with exponential backoff.
 */
import os from 'node:os';
import { ImapFlow, type MailboxObject } from 'imapflow';
import { sql, type UpdateObject } from 'kysely';
import type { DB } from '../../db/types.ts';
import { randomToken } from '../../core/ids.ts';
import { ingestEmail, type EmailDeps } from './intake.ts';
import { mailboxPassword, secretBox, type MailboxRow, type SecretBox } from './mailboxes.ts';
import type { SmtpLogger } from './smtp.ts';

export interface ImapPollerOptions {
  /** This node's name in lease_owner. */
  nodeId?: string;
  /** How often the mailbox list is read (new, changed, lost leases). */
  scanMs?: number;
  /** How long a lease lasts without renewal (renewed every scan). */
  leaseMs?: number;
  /** Backoff after a failure: base·2^(failures-1), at most max. */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** Connect/greeting timeout. */
  connectTimeoutMs?: number;
  /** Messages fetched per round trip. */
  batch?: number;
  /** Re-issue IDLE this often (servers drop IDLE after ~30 min). */
  maxIdleMs?: number;
  box?: SecretBox;
  logger?: SmtpLogger;
}

export interface ImapPollers {
  readonly nodeId: string;
  /** Reads the mailbox list now: starts, restarts and stops pollers; renews leases. */
  scan(): Promise<void>;
  /** Mailboxes this node is polling. */
  active(): string[];
  close(): Promise<void>;
}

type Opts = Required<Omit<ImapPollerOptions, 'logger' | 'box'>> & Pick<ImapPollerOptions, 'logger'> & { box: SecretBox };

interface ImapErrorLike {
  message?: string;
  code?: string;
  authenticationFailed?: boolean;
  responseText?: string;
  serverResponseCode?: string;
}

/** One line an admin can act on, for the mailbox's last_error. */
export function describeImapError(e: unknown, row: Pick<MailboxRow, 'host' | 'port' | 'username' | 'folder'>): string {
  const err = (e ?? {}) as ImapErrorLike;
  const where = `${row.host}:${row.port}`;
  const said = err.responseText ? ` (server said: ${err.responseText})` : '';
  let msg: string;
  if (err.authenticationFailed || err.serverResponseCode === 'AUTHENTICATIONFAILED') msg = `authentication failed for user "${row.username}" at ${where}: check the user name and password${said}`;
  else if (err.code === 'ECONNREFUSED') msg = `cannot connect to ${where}: connection refused (is the IMAP server running, and the port right?)`;
  else if (err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN') msg = `cannot resolve the host name "${row.host}"`;
  else if (err.code === 'ETIMEDOUT' || err.code === 'CONNECT_TIMEOUT' || err.code === 'GREETING_TIMEOUT') msg = `no answer from ${where} in time (${err.code})`;
  else if (err.code === 'NoConnection' || err.code === 'EConnectionClosed') msg = `the connection to ${where} was closed`;
  else if (/certificate|self[- ]signed|TLS|SSL/i.test(err.message ?? '') || /^ERR_TLS|^CERT_|^DEPTH_ZERO|^UNABLE_TO/.test(err.code ?? '')) msg = `TLS with ${where} failed: ${err.message ?? err.code}`;
  else if (err.serverResponseCode === 'NONEXISTENT' || /doesn't exist|does not exist|unknown mailbox/i.test(err.responseText ?? '')) msg = `folder "${row.folder}" does not exist on ${where}${said}`;
  else msg = `${where}: ${err.message ?? String(e)}${said && !err.message?.includes(err.responseText ?? '') ? said : ''}`;
  return msg.slice(0, 1000);
}

/** MAIL FROM of a message delivered to a mailbox, from its Return-Path header (`<>` for bounces). */
export function returnPath(raw: Buffer): string | undefined {
  const end = raw.indexOf('\r\n\r\n');
  const head = raw.subarray(0, end < 0 ? Math.min(raw.length, 64 * 1024) : end).toString('latin1');
  const m = /^Return-Path:[ \t]*<([^<>]*)>/im.exec(head);
  return m ? m[1].trim() : undefined;
}

const sleep = (ms: number, signal: { wake?: () => void }) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(done, ms);
    t.unref();
    function done() {
      clearTimeout(t);
      signal.wake = undefined;
      resolve();
    }
    signal.wake = done;
  });

class MailboxWorker {
  private stopped = false;
  private client: ImapFlow | null = null;
  private readonly signal: { wake?: () => void } = {};
  private failures: number;
  private uidValidity: string | null;
  private lastUid: number;
  readonly done: Promise<void>;

  constructor(
    private readonly deps: EmailDeps,
    readonly row: MailboxRow,
    private readonly o: Opts,
  ) {
    this.failures = row.failures;
    this.uidValidity = row.uid_validity;
    this.lastUid = Number(row.last_uid);
    this.done = this.run();
  }

  get updatedAt(): number {
    return this.row.updated_at.getTime();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.signal.wake?.();
    const c = this.client;
    if (c) {
      await Promise.race([c.logout().catch(() => undefined), new Promise((r) => setTimeout(r, 2000).unref())]);
      c.close();
    }
    await this.done;
  }

  private async save(values: UpdateObject<DB, 'email_mailboxes'>): Promise<void> {
    await this.deps.db
      .updateTable('email_mailboxes')
      .set(values)
      .where('id', '=', this.row.id)
      .where('lease_owner', '=', this.o.nodeId)
      .execute();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.session();
      } catch (e) {
        this.client?.close();
        this.client = null;
        if (this.stopped) break;
        this.failures++;
        const message = describeImapError(e, this.row);
        this.o.logger?.warn(`imap: mailbox ${this.row.name}: ${message}`);
        await this.save({ status: 'error', last_error: message, last_error_at: this.deps.clock.now(), failures: this.failures }).catch(() => undefined);
        const wait = Math.min(this.o.backoffMaxMs, this.o.backoffBaseMs * 2 ** Math.min(this.failures - 1, 20));
        await sleep(wait, this.signal);
      }
    }
    this.client?.close();
    this.client = null;
  }

  private async session(): Promise<void> {
    const row = this.row;
    await this.save({ status: 'connecting' });
    const client = new ImapFlow({
      host: row.host,
      port: row.port,
      secure: row.tls === 'tls',
      doSTARTTLS: row.tls === 'starttls' ? true : row.tls === 'none' ? false : undefined,
      tls: { rejectUnauthorized: row.tls_verify },
      auth: { user: row.username, pass: mailboxPassword(row, this.o.box) },
      logger: false,
      disableAutoIdle: true,
      maxIdleTime: this.o.maxIdleMs,
      connectionTimeout: this.o.connectTimeoutMs,
      greetingTimeout: this.o.connectTimeoutMs,
      clientInfo: { name: 'crossdesk' },
    });
    this.client = client;
    let closed = false;
    let lastError: Error | null = null;
    client.on('error', (e: Error) => {
      lastError = e;
    });
    client.on('close', () => {
      closed = true;
      this.signal.wake?.();
    });
    let newMail = false;
    client.on('exists', () => {
      newMail = true;
      this.signal.wake?.();
    });
    await client.connect();
    if (this.stopped) return;
    const mailbox = await client.mailboxOpen(row.folder);
    this.failures = 0;
    await this.save({ status: 'ok', last_error: null, failures: 0, last_connected_at: this.deps.clock.now() });
    const idle = row.use_idle && client.capabilities.has('IDLE');
    this.o.logger?.info(`imap: mailbox ${row.name} (${row.host}:${row.port} ${row.folder}) connected, ${idle ? 'IDLE' : `polling every ${row.poll_seconds} s`}`);
    while (!this.stopped) {
      if (closed || !client.usable) throw lastError ?? Object.assign(new Error('the server closed the connection'), { code: 'EConnectionClosed' });
      newMail = false;
      await this.sync(client, client.mailbox || mailbox);
      if (this.stopped || newMail) continue;
      if (idle) {
        // IDLE ends by itself when the next command is sent; wake on new mail, a closed
        // connection or stop, else look again now and then anyway
        void client.idle().catch(() => undefined);
        await sleep(Math.max(this.o.maxIdleMs, 1000), this.signal);
      } else {
        await sleep(row.poll_seconds * 1000, this.signal);
      }
    }
  }

  /** Takes in every message above the last UID (after a new UIDVALIDITY: the unseen ones). */
  private async sync(client: ImapFlow, mailbox: MailboxObject): Promise<void> {
    const validity = String(mailbox.uidValidity);
    let uids: number[];
    let floor = 0;
    if (validity !== this.uidValidity) {
      if (this.uidValidity !== null) this.o.logger?.warn(`imap: mailbox ${this.row.name}: UIDVALIDITY changed (${this.uidValidity} → ${validity}); resynchronising`);
      const unseen = await client.search({ seen: false }, { uid: true });
      uids = Array.isArray(unseen) ? unseen : [];
      // messages already seen below UIDNEXT are history; later ones come by UID
      floor = Math.max(0, mailbox.uidNext - 1);
      this.uidValidity = validity;
      this.lastUid = 0;
      await this.save({ uid_validity: validity, last_uid: 0 });
    } else {
      const found = await client.search({ uid: `${this.lastUid + 1}:*` }, { uid: true });
      uids = (Array.isArray(found) ? found : []).filter((u) => u > this.lastUid);
    }
    uids.sort((a, b) => a - b);
    let taken = 0;
    for (let i = 0; i < uids.length && !this.stopped; i += this.o.batch) {
      const batch = uids.slice(i, i + this.o.batch);
      const messages = (await client.fetchAll(batch.join(','), { uid: true, source: true }, { uid: true })).sort((a, b) => a.uid - b.uid);
      const done: number[] = [];
      for (const m of messages) {
        if (!m.source) continue;
        // throws when the database is unavailable: the position stays, the message comes again
        await ingestEmail(this.deps, m.source, { mailFrom: returnPath(m.source), storeId: this.row.store_id });
        done.push(m.uid);
      }
      if (done.length) {
        if (this.row.after_fetch === 'move' && this.row.move_to) await client.messageMove(done.join(','), this.row.move_to, { uid: true });
        else await client.messageFlagsAdd(done.join(','), ['\\Seen'], { uid: true });
      }
      this.lastUid = Math.max(this.lastUid, ...batch);
      taken += done.length;
      await this.save({ last_uid: this.lastUid, messages_fetched: sql<number>`messages_fetched + ${done.length}`, last_polled_at: this.deps.clock.now() });
    }
    if (floor > this.lastUid) this.lastUid = floor;
    await this.save({ last_uid: this.lastUid, last_polled_at: this.deps.clock.now(), status: 'ok' });
    if (taken) this.o.logger?.info(`imap: mailbox ${this.row.name}: took in ${taken} message(s)`);
  }
}

/**
 * Starts the IMAP pollers of this node: every scan it claims the leases of enabled
 * mailboxes nobody holds (or whose holder stopped renewing), renews its own, and restarts
 * a poller whose mailbox was changed.
 */
export function startImapPollers(deps: EmailDeps, options: ImapPollerOptions = {}): ImapPollers {
  const o: Opts = {
    nodeId: options.nodeId ?? `${os.hostname()}:${process.pid}:${randomToken(4)}`,
    scanMs: options.scanMs ?? 15_000,
    leaseMs: options.leaseMs ?? 60_000,
    backoffBaseMs: options.backoffBaseMs ?? 5_000,
    backoffMaxMs: options.backoffMaxMs ?? 15 * 60_000,
    connectTimeoutMs: options.connectTimeoutMs ?? 20_000,
    batch: options.batch ?? 25,
    maxIdleMs: options.maxIdleMs ?? 5 * 60_000,
    box: options.box ?? secretBox(),
    logger: options.logger,
  };
  const { db, clock } = deps;
  const workers = new Map<string, MailboxWorker>();
  let closed = false;
  let scanning: Promise<void> = Promise.resolve();

  async function release(id: string): Promise<void> {
    await db.updateTable('email_mailboxes').set({ lease_owner: null, lease_until: null }).where('id', '=', id).where('lease_owner', '=', o.nodeId).execute();
  }

  async function scanOnce(): Promise<void> {
    const now = clock.now();
    const until = new Date(now.getTime() + o.leaseMs);
    const rows = await db.selectFrom('email_mailboxes').select(['id', 'enabled', 'updated_at']).execute();
    const byId = new Map(rows.map((r) => [r.id, r]));
    // stop what was deleted, disabled or changed
    for (const [id, w] of workers) {
      const r = byId.get(id);
      if (!r || !r.enabled || r.updated_at.getTime() !== w.updatedAt) {
        workers.delete(id);
        await w.stop();
        if (r) await release(id);
      }
    }
    // renew this node's leases; a lease lost (expired and taken by another node) stops its poller
    if (workers.size) {
      const kept = await db
        .updateTable('email_mailboxes')
        .set({ lease_until: until })
        .where('id', 'in', [...workers.keys()])
        .where('lease_owner', '=', o.nodeId)
        .returning('id')
        .execute();
      const keptIds = new Set(kept.map((k) => k.id));
      for (const [id, w] of workers) {
        if (keptIds.has(id)) continue;
        workers.delete(id);
        o.logger?.warn(`imap: lost the lease of mailbox ${w.row.name} to another node`);
        await w.stop();
      }
    }
    // claim free mailboxes
    for (const r of rows) {
      if (closed || !r.enabled || workers.has(r.id)) continue;
      const row = await db
        .updateTable('email_mailboxes')
        .set({ lease_owner: o.nodeId, lease_until: until })
        .where('id', '=', r.id)
        .where('enabled', '=', true)
        .where((eb) => eb.or([eb('lease_owner', 'is', null), eb('lease_owner', '=', o.nodeId), eb('lease_until', '<', now)]))
        .returningAll()
        .executeTakeFirst();
      if (row) workers.set(row.id, new MailboxWorker(deps, row, o));
    }
  }

  const scan = () => {
    scanning = scanning.then(() => (closed ? undefined : scanOnce())).catch((e: unknown) => o.logger?.error(`imap: scan failed: ${e instanceof Error ? e.message : String(e)}`));
    return scanning;
  };
  const timer = setInterval(() => void scan(), o.scanMs);
  timer.unref();
  void scan();

  return {
    nodeId: o.nodeId,
    scan,
    active: () => [...workers.keys()],
    async close() {
      closed = true;
      clearInterval(timer);
      await scanning;
      const all = [...workers.entries()];
      workers.clear();
      await Promise.all(all.map(([, w]) => w.stop()));
      await Promise.all(all.map(([id]) => release(id).catch(() => undefined)));
    },
  };
}
