/**
 * IMAP mailboxes (per store) that the poller in imap.ts reads: configuration, the encrypted
 * password, and the state of the last connection. The password goes in, never out: the
 * JSON of a mailbox says only whether one is stored and how.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { Clock } from '../../core/clock.ts';
import { AppError, conflict, notFound, validationError } from '../../core/errors.ts';
import { uuidv7 } from '../../core/ids.ts';
import type { DB, EmailMailboxesTable, MailboxStatus, MailboxTls } from '../../db/types.ts';

export type MailboxRow = Selectable<EmailMailboxesTable>;

// ---------------------------------------------------------------------------------------
// Password at rest: AES-256-GCM with a key derived from CROSSDESK_SECRET_KEY

export interface SecretBox {
  /** Whether a key is configured (passwords are then stored encrypted). */
  readonly encrypting: boolean;
  seal(plain: string): string;
  open(sealed: string): string;
}

/** The secret box of `CROSSDESK_SECRET_KEY` (or the key given); without a key passwords are kept as they are. */
export function secretBox(key: string | undefined = process.env.CROSSDESK_SECRET_KEY): SecretBox {
  const k = key ? createHash('sha256').update(`crossdesk-mailbox:${key}`).digest() : null;
  return {
    encrypting: k !== null,
    seal(plain) {
      if (!k) return `plain:${Buffer.from(plain, 'utf8').toString('base64')}`;
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', k, iv);
      const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
      return `v1:${iv.toString('base64')}:${c.getAuthTag().toString('base64')}:${body.toString('base64')}`;
    },
    open(sealed) {
      if (sealed.startsWith('plain:')) return Buffer.from(sealed.slice(6), 'base64').toString('utf8');
      const [v, iv, tag, body] = sealed.split(':');
      if (v !== 'v1' || !iv || !tag || body === undefined) throw new Error('the stored password has an unknown format; set it again');
      if (!k) throw new Error('the stored password is encrypted but CROSSDESK_SECRET_KEY is not set on this node');
      try {
        const d = createDecipheriv('aes-256-gcm', k, Buffer.from(iv, 'base64'));
        d.setAuthTag(Buffer.from(tag, 'base64'));
        return Buffer.concat([d.update(Buffer.from(body, 'base64')), d.final()]).toString('utf8');
      } catch {
        throw new Error('the stored password cannot be decrypted with this CROSSDESK_SECRET_KEY (was the key changed?); set the password again');
      }
    },
  };
}

// ---------------------------------------------------------------------------------------
// JSON

export interface MailboxJson {
  id: string;
  storeId: string | null;
  name: string;
  host: string;
  port: number;
  tls: MailboxTls;
  tlsVerify: boolean;
  username: string;
  /** How the password is kept: encrypted with CROSSDESK_SECRET_KEY, or plain (no key set). */
  password: 'encrypted' | 'plain';
  folder: string;
  afterFetch: 'seen' | 'move';
  moveTo: string | null;
  useIdle: boolean;
  pollSeconds: number;
  enabled: boolean;
  status: MailboxStatus;
  lastError: string | null;
  lastErrorAt: string | null;
  failures: number;
  lastConnectedAt: string | null;
  lastPolledAt: string | null;
  messagesFetched: number;
  uidValidity: string | null;
  lastUid: number;
  createdAt: string;
  updatedAt: string;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function mailboxJson(r: MailboxRow): MailboxJson {
  return {
    id: r.id,
    storeId: r.store_id,
    name: r.name,
    host: r.host,
    port: r.port,
    tls: r.tls,
    tlsVerify: r.tls_verify,
    username: r.username,
    password: r.password_enc.startsWith('plain:') ? 'plain' : 'encrypted',
    folder: r.folder,
    afterFetch: r.after_fetch,
    moveTo: r.move_to,
    useIdle: r.use_idle,
    pollSeconds: r.poll_seconds,
    enabled: r.enabled,
    status: r.status,
    lastError: r.last_error,
    lastErrorAt: iso(r.last_error_at),
    failures: r.failures,
    lastConnectedAt: iso(r.last_connected_at),
    lastPolledAt: iso(r.last_polled_at),
    messagesFetched: r.messages_fetched,
    uidValidity: r.uid_validity,
    lastUid: Number(r.last_uid),
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

// ---------------------------------------------------------------------------------------
// Service functions

export interface MailboxDeps {
  db: Kysely<DB>;
  clock: Clock;
  box?: SecretBox;
}

export interface MailboxInput {
  storeId?: string | null;
  name?: string;
  host: string;
  port?: number;
  tls?: MailboxTls;
  tlsVerify?: boolean;
  username: string;
  password: string;
  folder?: string;
  afterFetch?: 'seen' | 'move';
  moveTo?: string | null;
  useIdle?: boolean;
  pollSeconds?: number;
  enabled?: boolean;
}

export type MailboxPatch = Partial<MailboxInput>;

const HOST_RE = /^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$|^\[?[0-9A-Fa-f:.]+\]?$/;

function checkShape(m: { host: string; port: number; afterFetch: 'seen' | 'move'; moveTo: string | null; folder: string; username: string; pollSeconds: number }): void {
  if (!HOST_RE.test(m.host)) throw validationError(`host "${m.host}" is not a host name or IP address`, { field: 'host' });
  if (!Number.isInteger(m.port) || m.port < 1 || m.port > 65535) throw validationError('port must be 1–65535', { field: 'port' });
  if (!m.username.trim()) throw validationError('username must not be empty', { field: 'username' });
  if (!m.folder.trim()) throw validationError('folder must not be empty', { field: 'folder' });
  if (m.afterFetch === 'move' && !m.moveTo?.trim()) throw validationError('moveTo names the folder mail is moved to when afterFetch is "move"', { field: 'moveTo' });
  if (m.afterFetch === 'move' && m.moveTo === m.folder) throw validationError('moveTo must differ from the polled folder', { field: 'moveTo' });
  if (!Number.isInteger(m.pollSeconds) || m.pollSeconds < 5 || m.pollSeconds > 86400) throw validationError('pollSeconds must be 5–86400', { field: 'pollSeconds' });
}

async function checkStore(db: Kysely<DB>, storeId: string | null | undefined): Promise<void> {
  if (!storeId) return;
  const s = await db.selectFrom('stores').select('id').where('id', '=', storeId).executeTakeFirst();
  if (!s) throw validationError(`store ${storeId} does not exist`, { field: 'storeId' });
}

function isUniqueViolation(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return code === '23505' || (e instanceof Error && /duplicate key value|unique constraint/i.test(e.message));
}
const duplicate = () => conflict('this mailbox (host, port, user and folder) is already configured');

export async function listMailboxes(deps: Pick<MailboxDeps, 'db'>, opts: { storeId?: string } = {}): Promise<MailboxJson[]> {
  let q = deps.db.selectFrom('email_mailboxes').selectAll().orderBy('created_at').orderBy('id');
  if (opts.storeId) q = q.where('store_id', '=', opts.storeId);
  return (await q.execute()).map(mailboxJson);
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function getMailboxRow(db: Kysely<DB>, id: string): Promise<MailboxRow> {
  if (!UUID_RE.test(id)) throw notFound('mailbox', id);
  const r = await db.selectFrom('email_mailboxes').selectAll().where('id', '=', id).executeTakeFirst();
  if (!r) throw notFound('mailbox', id);
  return r;
}

export async function createMailbox(deps: MailboxDeps, input: MailboxInput): Promise<MailboxJson> {
  const box = deps.box ?? secretBox();
  const tls = input.tls ?? 'tls';
  const m = {
    host: input.host.trim().toLowerCase(),
    port: input.port ?? (tls === 'tls' ? 993 : 143),
    afterFetch: input.afterFetch ?? 'seen',
    moveTo: input.moveTo?.trim() || null,
    folder: input.folder?.trim() || 'INBOX',
    username: input.username,
    pollSeconds: input.pollSeconds ?? 60,
  };
  checkShape(m);
  if (!input.password) throw validationError('password must not be empty', { field: 'password' });
  await checkStore(deps.db, input.storeId);
  const now = deps.clock.now();
  const enabled = input.enabled ?? true;
  try {
    const row = await deps.db
      .insertInto('email_mailboxes')
      .values({
        id: uuidv7(),
        store_id: input.storeId ?? null,
        name: input.name?.trim() || `${m.username}@${m.host}`,
        host: m.host,
        port: m.port,
        tls,
        tls_verify: input.tlsVerify ?? true,
        username: m.username,
        password_enc: box.seal(input.password),
        folder: m.folder,
        after_fetch: m.afterFetch,
        move_to: m.afterFetch === 'move' ? m.moveTo : null,
        use_idle: input.useIdle ?? true,
        poll_seconds: m.pollSeconds,
        enabled,
        status: enabled ? 'new' : 'disabled',
        uid_validity: null,
        last_uid: 0,
        last_error: null,
        last_error_at: null,
        last_connected_at: null,
        last_polled_at: null,
        lease_owner: null,
        lease_until: null,
        created_at: now,
        updated_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return mailboxJson(row);
  } catch (e) {
    if (isUniqueViolation(e)) throw duplicate();
    throw e;
  }
}

/**
 * Changes a mailbox. A new account or folder starts its sync position afresh (the
 * Message-ID de-duplication keeps mail already taken in from coming twice); any change
 * clears the last error so the poller tries again at once.
 */
export async function updateMailbox(deps: MailboxDeps, id: string, patch: MailboxPatch): Promise<MailboxJson> {
  const box = deps.box ?? secretBox();
  const cur = await getMailboxRow(deps.db, id);
  const tls = patch.tls ?? cur.tls;
  const m = {
    host: patch.host !== undefined ? patch.host.trim().toLowerCase() : cur.host,
    port: patch.port ?? cur.port,
    afterFetch: patch.afterFetch ?? cur.after_fetch,
    moveTo: patch.moveTo !== undefined ? patch.moveTo?.trim() || null : cur.move_to,
    folder: patch.folder !== undefined ? patch.folder.trim() : cur.folder,
    username: patch.username ?? cur.username,
    pollSeconds: patch.pollSeconds ?? cur.poll_seconds,
  };
  checkShape(m);
  if (patch.password === '') throw validationError('password must not be empty', { field: 'password' });
  if (patch.storeId !== undefined) await checkStore(deps.db, patch.storeId);
  const account = m.host !== cur.host || m.port !== cur.port || m.username !== cur.username || m.folder !== cur.folder;
  const enabled = patch.enabled ?? cur.enabled;
  try {
    const row = await deps.db
      .updateTable('email_mailboxes')
      .set({
        ...(patch.storeId !== undefined ? { store_id: patch.storeId } : {}),
        ...(patch.name !== undefined ? { name: patch.name.trim() || `${m.username}@${m.host}` } : {}),
        host: m.host,
        port: m.port,
        tls,
        ...(patch.tlsVerify !== undefined ? { tls_verify: patch.tlsVerify } : {}),
        username: m.username,
        ...(patch.password !== undefined ? { password_enc: box.seal(patch.password) } : {}),
        folder: m.folder,
        after_fetch: m.afterFetch,
        move_to: m.afterFetch === 'move' ? m.moveTo : null,
        ...(patch.useIdle !== undefined ? { use_idle: patch.useIdle } : {}),
        poll_seconds: m.pollSeconds,
        enabled,
        status: enabled ? 'new' : 'disabled',
        last_error: null,
        last_error_at: null,
        failures: 0,
        ...(account ? { uid_validity: null, last_uid: 0 } : {}),
        updated_at: deps.clock.now(),
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    if (!row) throw notFound('mailbox', id);
    return mailboxJson(row);
  } catch (e) {
    if (isUniqueViolation(e)) throw duplicate();
    throw e;
  }
}

export async function deleteMailbox(deps: Pick<MailboxDeps, 'db'>, id: string): Promise<void> {
  if (!UUID_RE.test(id)) throw notFound('mailbox', id);
  const r = await deps.db.deleteFrom('email_mailboxes').where('id', '=', id).executeTakeFirst();
  if (Number(r.numDeletedRows) === 0) throw notFound('mailbox', id);
}

/** Reads the password of a mailbox for the poller (never for the API). */
export function mailboxPassword(row: Pick<MailboxRow, 'password_enc'>, box: SecretBox = secretBox()): string {
  try {
    return box.open(row.password_enc);
  } catch (e) {
    throw new AppError('internal', e instanceof Error ? e.message : String(e));
  }
}
