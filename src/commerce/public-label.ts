/**
 * The customer's link to a return label: a reply to the customer carries it, so it opens
 * without signing in — `GET /public/returns/:id/label.pdf?t=TOKEN`.
 *
 * The token is the capability: `<expiry>.<mac>`, where expiry is a Unix time in seconds
 * (base 36) and mac the first 128 bits of HMAC-SHA256 over the return id and the expiry,
 * under a key derived from the app's secret (CROSSDESK_SECRET_KEY, else a key kept in the
 * data folder). Nothing is stored per link: any node with the same secret checks it. A
 * link is valid until the end of the UTC day `LABEL_LINK_DAYS` after it was made, so the
 * same suggestion gives the same link all day. A wrong or mistyped token is a 404, an
 * expired one (correctly signed) a 410, a cancelled return a 410: never the PDF.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import Type, { type Static } from 'typebox';
import type { Clock } from '../core/clock.ts';
import { AppError, notFound } from '../core/errors.ts';
import { isUuid } from '../core/ids.ts';
import type { DB } from '../db/types.ts';
import { hitRateLimit } from '../people/sessions.ts';
import { ErrorSchema, errorResponses, IdParams } from '../server/schemas.ts';
import { ensureReturnLabel, type LabelRenderer } from './actions.ts';

/** How long a label link works: until the end of the UTC day this many days after it was made. */
export const LABEL_LINK_DAYS = 30;
const DAY = 86_400_000;
const MAC_BYTES = 16;
const TOKEN_RE = /^([0-9a-z]{1,10})\.([A-Za-z0-9_-]{22})$/;

export type LabelLinkCheck = { ok: true; expiresAt: Date } | { ok: false; reason: 'invalid' } | { ok: false; reason: 'expired'; expiresAt: Date };

export interface ReturnLabelLinks {
  /** The public URL of the label of a return, for a message to the customer. */
  url(returnId: string, now: Date): string;
  /** The `t` of that URL. */
  token(returnId: string, now: Date): string;
  /** Whether `token` opens the label of `returnId` at `now`. */
  check(returnId: string, token: string, now: Date): LabelLinkCheck;
}

/**
 * Signs and checks label links. `secret` is the app's secret; the signing key is derived
 * from it for this one use, so the same secret can also seal other things (mailbox passwords).
 */
export function returnLabelLinks(opts: { publicUrl: string; secret: string | Uint8Array; days?: number }): ReturnLabelLinks {
  if ((typeof opts.secret === 'string' ? opts.secret.length : opts.secret.byteLength) < 16) throw new Error('the secret for label links must be at least 16 characters');
  const key = crypto.createHmac('sha256', opts.secret).update('crossdesk/return-label-link/v1').digest();
  const base = opts.publicUrl.replace(/\/+$/, '');
  const days = opts.days ?? LABEL_LINK_DAYS;
  const mac = (returnId: string, exp: number) => crypto.createHmac('sha256', key).update(`${returnId.toLowerCase()}.${exp}`).digest().subarray(0, MAC_BYTES);
  const token = (returnId: string, now: Date) => {
    const exp = Math.ceil((now.getTime() + days * DAY) / DAY) * (DAY / 1000);
    return `${exp.toString(36)}.${mac(returnId, exp).toString('base64url')}`;
  };
  return {
    token,
    url: (returnId, now) => `${base}/public/returns/${encodeURIComponent(returnId)}/label.pdf?t=${token(returnId, now)}`,
    check(returnId, t, now) {
      const m = TOKEN_RE.exec(t);
      if (!m || !isUuid(returnId)) return { ok: false, reason: 'invalid' };
      const exp = parseInt(m[1], 36);
      // compared as text: base64 has several spellings of the same bytes (the last character's
      // unused bits), and a changed token must never pass
      const expected = Buffer.from(mac(returnId, exp).toString('base64url'));
      const given = Buffer.from(m[2]);
      if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return { ok: false, reason: 'invalid' };
      const expiresAt = new Date(exp * 1000);
      return now.getTime() >= expiresAt.getTime() ? { ok: false, reason: 'expired', expiresAt } : { ok: true, expiresAt };
    },
  };
}

/**
 * The secret that signs public links: CROSSDESK_SECRET_KEY when set (the same on every
 * node), else a random key made once and kept in `<dataDir>/link-signing.key` (enough for
 * one node, or several processes on one machine sharing the data folder).
 */
export function linkSigningSecret(config: { secretKey?: string; dataDir: string }, warn: (message: string) => void = () => undefined): string {
  if (config.secretKey) return config.secretKey;
  const file = path.join(config.dataDir, 'link-signing.key');
  try {
    return keyFromFile(file, config.dataDir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EACCES' && code !== 'EROFS' && code !== 'EPERM') throw e;
    // a read-only data folder (e.g. a container on PostgreSQL) must not stop the server
    warn(`cannot keep the key of return-label links in ${file} (${code}): links will stop working after a restart; set CROSSDESK_SECRET_KEY`);
    return crypto.randomBytes(32).toString('base64url');
  }
}

function keyFromFile(file: string, dataDir: string): string {
  const read = () => {
    const k = fs.readFileSync(file, 'utf8').trim();
    if (k.length < 32) throw new Error(`${file} holds no usable key (delete it to make a new one, or set CROSSDESK_SECRET_KEY)`);
    return k;
  };
  if (fs.existsSync(file)) return read();
  fs.mkdirSync(dataDir, { recursive: true });
  // written aside and linked into place: two processes starting together agree on one key
  const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}`;
  fs.writeFileSync(tmp, `${crypto.randomBytes(32).toString('base64url')}\n`, { mode: 0o600 });
  try {
    fs.linkSync(tmp, file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  return read();
}

// ---------------------------------------------------------------------------------------
// Route

export interface PublicLabelDeps {
  db: Kysely<DB>;
  clock: Clock;
  links: ReturnLabelLinks;
  /** Renders a missing label (default: the commerce label renderer). */
  render?: LabelRenderer;
}

/** Per client address, in the database (so across nodes): a customer opens a label a few times. */
export const LABEL_LINK_LIMIT = { requests: 60, windowMs: 10 * 60_000 };

// `t` may be missing (answered as a wrong link); other parameters (a mail client's tracking
// tags) are ignored rather than breaking the customer's link
const LabelQuery = Type.Object({ t: Type.Optional(Type.String({ maxLength: 200 })) });

/** `GET /public/returns/:id/label.pdf?t=TOKEN`: no sign-in, the token is the capability. */
export function publicLabelRoutes(deps: PublicLabelDeps) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get('/public/returns/:id/label.pdf', {
      schema: {
        tags: ['orders'],
        summary: "The customer's return label (PDF) through a signed, expiring link; no sign-in",
        params: IdParams,
        querystring: LabelQuery,
        response: { 200: Type.Unknown({ description: 'application/pdf' }), ...errorResponses, 410: ErrorSchema },
      },
    }, async (req, reply) => {
      const now = deps.clock.now();
      const hit = await hitRateLimit(deps.db, `label-link:${req.ip}`, LABEL_LINK_LIMIT.requests, LABEL_LINK_LIMIT.windowMs, now);
      if (!hit.allowed) throw new AppError('rate_limited', `Too many requests; try again in ${hit.retryAfterSeconds} s`, { retryAfterSeconds: hit.retryAfterSeconds });
      const { id } = req.params as Static<typeof IdParams>;
      const { t } = req.query as Static<typeof LabelQuery>;
      const check = deps.links.check(id, t ?? '', now);
      if (!check.ok && check.reason === 'invalid') throw new AppError('not_found', 'This return label link is not valid (it may be incomplete): please ask the shop for a new one');
      if (!check.ok) {
        throw new AppError('gone', `This return label link expired on ${check.expiresAt.toISOString().slice(0, 10)}: please ask the shop for a new one`, { expiredAt: check.expiresAt.toISOString() });
      }
      const ret = await deps.db.selectFrom('returns').select(['status']).where('id', '=', id).executeTakeFirst();
      if (!ret) throw notFound('Return');
      if (ret.status === 'cancelled') throw new AppError('gone', 'This return was cancelled, so its label can no longer be used: please ask the shop if you still want to send the item back');
      const { rma, pdf } = await ensureReturnLabel(deps.db, id, { render: deps.render });
      return reply
        .type('application/pdf')
        .header('content-disposition', `inline; filename="${rma}.pdf"`)
        .header('cache-control', 'private, max-age=300')
        .header('x-robots-tag', 'noindex')
        .header('referrer-policy', 'no-referrer')
        .send(Buffer.from(pdf));
    });
  };
}
