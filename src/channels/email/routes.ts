import type { FastifyInstance } from 'fastify';
import Type, { type Static } from 'typebox';
import type { Kysely } from 'kysely';
import type { Clock } from '../../core/clock.ts';
import type { DB } from '../../db/types.ts';
import { actorOf } from '../../server/auth.ts';
import { errorResponses, IdParams, Nullable } from '../../server/schemas.ts';
import { attachmentForDownload, messageHtml } from './attachments.ts';
import { createMailbox, deleteMailbox, getMailboxRow, listMailboxes, mailboxJson, mailboxPassword, secretBox, updateMailbox, type MailboxInput, type MailboxPatch, type MailboxRow, type SecretBox } from './mailboxes.ts';
import { probeMailbox, type ProbeTarget } from './probe.ts';
import { validationError } from '../../core/errors.ts';

const lit = <T extends string>(values: readonly T[]) => Type.Union(values.map((v) => Type.Literal(v)));
const DateTime = Type.String({ format: 'date-time' });

const MailboxSchema = Type.Object({
  id: Type.String(),
  storeId: Nullable(Type.String()),
  name: Type.String(),
  host: Type.String(),
  port: Type.Integer(),
  tls: lit(['tls', 'starttls', 'none'] as const),
  tlsVerify: Type.Boolean(),
  username: Type.String(),
  password: lit(['encrypted', 'plain'] as const),
  folder: Type.String(),
  afterFetch: lit(['seen', 'move'] as const),
  moveTo: Nullable(Type.String()),
  useIdle: Type.Boolean(),
  pollSeconds: Type.Integer(),
  enabled: Type.Boolean(),
  status: lit(['new', 'connecting', 'ok', 'error', 'disabled'] as const),
  lastError: Nullable(Type.String()),
  lastErrorAt: Nullable(DateTime),
  failures: Type.Integer(),
  lastConnectedAt: Nullable(DateTime),
  lastPolledAt: Nullable(DateTime),
  messagesFetched: Type.Integer(),
  uidValidity: Nullable(Type.String()),
  lastUid: Type.Integer(),
  createdAt: DateTime,
  updatedAt: DateTime,
});

const MailboxFields = {
  storeId: Type.Optional(Nullable(Type.String({ format: 'uuid' }))),
  name: Type.Optional(Type.String({ maxLength: 200 })),
  host: Type.String({ minLength: 1, maxLength: 253 }),
  port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
  tls: Type.Optional(lit(['tls', 'starttls', 'none'] as const)),
  tlsVerify: Type.Optional(Type.Boolean()),
  username: Type.String({ minLength: 1, maxLength: 320 }),
  password: Type.String({ minLength: 1, maxLength: 1000 }),
  folder: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
  afterFetch: Type.Optional(lit(['seen', 'move'] as const)),
  moveTo: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 500 }))),
  useIdle: Type.Optional(Type.Boolean()),
  pollSeconds: Type.Optional(Type.Integer({ minimum: 5, maximum: 86400 })),
  enabled: Type.Optional(Type.Boolean()),
};
const CreateMailboxBody = Type.Object(MailboxFields, { additionalProperties: false });
const PatchMailboxBody = Type.Object(
  {
    ...MailboxFields,
    host: Type.Optional(MailboxFields.host),
    username: Type.Optional(MailboxFields.username),
    password: Type.Optional(MailboxFields.password),
  },
  { additionalProperties: false, minProperties: 1 },
);

// "Test connection": the account fields only (store, name and polling do not matter to it)
const probeFields = { host: MailboxFields.host, port: MailboxFields.port, tls: MailboxFields.tls, tlsVerify: MailboxFields.tlsVerify, username: MailboxFields.username, password: MailboxFields.password, folder: MailboxFields.folder };
const ProbeBody = Type.Object(probeFields, { additionalProperties: false });
const ProbeSavedBody = Type.Object(
  { host: Type.Optional(probeFields.host), port: probeFields.port, tls: probeFields.tls, tlsVerify: probeFields.tlsVerify, username: Type.Optional(probeFields.username), password: Type.Optional(probeFields.password), folder: probeFields.folder },
  { additionalProperties: false },
);
const ProbeResultSchema = Type.Object({
  ok: Type.Boolean(),
  message: Nullable(Type.String()),
  idle: Nullable(Type.Boolean()),
  messages: Nullable(Type.Integer()),
  unseen: Nullable(Type.Integer()),
  durationMs: Type.Integer(),
});

const TicketAttachmentParams = Type.Object({ id: Type.String({ maxLength: 64 }), attachmentId: Type.String({ maxLength: 64 }) }, { additionalProperties: false });
const AttachmentQuery = Type.Object({ disposition: Type.Optional(lit(['attachment', 'inline'] as const)) }, { additionalProperties: false });
const MessageHtmlParams = Type.Object({ id: Type.String({ maxLength: 64 }), messageId: Type.String({ maxLength: 64 }) }, { additionalProperties: false });
const MessageHtmlQuery = Type.Object(
  { remoteImages: Type.Optional(lit(['allow', 'block'] as const)), format: Type.Optional(lit(['json', 'document'] as const)) },
  { additionalProperties: false },
);
const MessageHtmlSchema = Type.Object({ messageId: Type.String(), html: Type.String(), remoteImages: lit(['allow', 'block'] as const), remoteImageCount: Type.Integer() });

/**
 * Whether these settings would send the stored (write-only) password somewhere it was not
 * saved for: another host, port, user or TLS mode, or without the certificate check it had.
 * Then the password must be given again (a change or a test could otherwise hand it to any
 * server an admin, or someone with an admin's session, names).
 */
function leavesSavedServer(row: MailboxRow, next: { host: string; port: number; tls: string; tlsVerify: boolean; username: string }): boolean {
  return next.host !== row.host || next.port !== row.port || next.tls !== row.tls || next.username !== row.username || (row.tls_verify && !next.tlsVerify);
}
const passwordAgain = () => validationError('give the password again: the stored one is only used with the server, port, TLS setting and user it was saved for', { field: 'password' });

/** A page of its own for the mail's HTML (framed by the app): no script at all, images as allowed. */
function documentCsp(remote: boolean): string {
  return `default-src 'none'; img-src 'self' data:${remote ? ' https: http:' : ''}; style-src 'unsafe-inline'; frame-ancestors 'self'; base-uri 'none'; form-action 'none'`;
}
const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * E-mail under /api/v1: IMAP mailboxes (admins; the password is write-only), attachment
 * downloads and the HTML of a message (anyone who can see the ticket).
 */
export function emailRoutes(deps: { db: Kysely<DB>; clock: Clock; box?: SecretBox }) {
  return async (app: FastifyInstance): Promise<void> => {
    const staff = ['admin', 'manager', 'trainer', 'agent'] as const;

    app.get('/mailboxes', {
      schema: { tags: ['email'], summary: 'IMAP mailboxes polled for mail, with the state of their last connection (passwords are never returned)', response: { 200: Type.Object({ items: Type.Array(MailboxSchema) }), ...errorResponses } },
      config: { roles: ['admin'] },
    }, async () => ({ items: await listMailboxes(deps) }));

    app.get('/mailboxes/:id', {
      schema: { tags: ['email'], summary: 'One IMAP mailbox', params: IdParams, response: { 200: MailboxSchema, ...errorResponses } },
      config: { roles: ['admin'] },
    }, async (req) => {
      return mailboxJson(await getMailboxRow(deps.db, (req.params as Static<typeof IdParams>).id));
    });

    app.post('/mailboxes', {
      schema: { tags: ['email'], summary: 'Add an IMAP mailbox (polled by one app node; IDLE when the server offers it)', body: CreateMailboxBody, response: { 201: MailboxSchema, ...errorResponses } },
      config: { roles: ['admin'] },
    }, async (req, reply) => reply.code(201).send(await createMailbox(deps, req.body as MailboxInput)));

    app.patch('/mailboxes/:id', {
      schema: { tags: ['email'], summary: 'Change an IMAP mailbox; its poller restarts and retries at once. A new host, port, TLS mode or user (or turning the certificate check off) needs the password again', params: IdParams, body: PatchMailboxBody, response: { 200: MailboxSchema, ...errorResponses } },
      config: { roles: ['admin'] },
    }, async (req) => {
      const id = (req.params as Static<typeof IdParams>).id;
      const patch = req.body as MailboxPatch;
      if (patch.password === undefined && (patch.host !== undefined || patch.port !== undefined || patch.tls !== undefined || patch.username !== undefined || patch.tlsVerify === false)) {
        const row = await getMailboxRow(deps.db, id);
        const next = { host: patch.host !== undefined ? patch.host.trim().toLowerCase() : row.host, port: patch.port ?? row.port, tls: patch.tls ?? row.tls, tlsVerify: patch.tlsVerify ?? row.tls_verify, username: patch.username ?? row.username };
        if (leavesSavedServer(row, next)) throw passwordAgain();
      }
      return updateMailbox(deps, id, patch);
    });

    app.delete('/mailboxes/:id', {
      schema: { tags: ['email'], summary: 'Remove an IMAP mailbox (the mail already taken in stays)', params: IdParams, response: { 204: Type.Null(), ...errorResponses } },
      config: { roles: ['admin'] },
    }, async (req, reply) => {
      await deleteMailbox(deps, (req.params as Static<typeof IdParams>).id);
      return reply.code(204).send();
    });

    app.post('/mailboxes/test', {
      schema: {
        tags: ['email'],
        summary: 'Test IMAP settings before saving them: connect, sign in, look at the folder (nothing is fetched or stored; a failure is ok:false with the reason)',
        body: ProbeBody,
        response: { 200: ProbeResultSchema, ...errorResponses },
      },
      config: { roles: ['admin'] },
    }, async (req) => {
      const b = req.body as Static<typeof ProbeBody>;
      const tls = b.tls ?? 'tls';
      return probeMailbox({
        host: b.host.trim().toLowerCase(),
        port: b.port ?? (tls === 'tls' ? 993 : 143),
        tls,
        tlsVerify: b.tlsVerify ?? true,
        username: b.username,
        password: b.password,
        folder: b.folder?.trim() || 'INBOX',
      });
    });

    app.post('/mailboxes/:id/test', {
      schema: {
        tags: ['email'],
        summary:
          'Test a saved IMAP mailbox, optionally with changed fields not saved yet. The stored password is used only against the same host, port, TLS and user; otherwise send the password again',
        params: IdParams,
        body: ProbeSavedBody,
        response: { 200: ProbeResultSchema, ...errorResponses },
      },
      config: { roles: ['admin'] },
      // no body at all means "as saved"
      preValidation: async (req) => {
        req.body ??= {};
      },
    }, async (req) => {
      const row = await getMailboxRow(deps.db, (req.params as Static<typeof IdParams>).id);
      const b = (req.body ?? {}) as Static<typeof ProbeSavedBody>;
      const target: Omit<ProbeTarget, 'password'> = {
        host: b.host !== undefined ? b.host.trim().toLowerCase() : row.host,
        port: b.port ?? row.port,
        tls: b.tls ?? row.tls,
        tlsVerify: b.tlsVerify ?? row.tls_verify,
        username: b.username ?? row.username,
        folder: b.folder?.trim() || row.folder,
      };
      // the write-only password never goes anywhere it was not meant for
      if (b.password === undefined && leavesSavedServer(row, target)) throw passwordAgain();
      let password = b.password;
      if (password === undefined) {
        try {
          password = mailboxPassword(row, deps.box ?? secretBox());
        } catch (e) {
          // e.g. encrypted under another CROSSDESK_SECRET_KEY: the test says so, as the poller would
          return { ok: false, message: e instanceof Error ? e.message : String(e), idle: null, messages: null, unseen: null, durationMs: 0 };
        }
      }
      return probeMailbox({ ...target, password });
    });

    app.get('/tickets/:id/attachments/:attachmentId', {
      schema: {
        tags: ['email'],
        summary: 'Download an attachment of an e-mail on the ticket (blocked ones are refused with 409)',
        params: TicketAttachmentParams,
        querystring: AttachmentQuery,
        response: { 200: { type: 'string', format: 'binary' }, ...errorResponses },
      },
      config: { roles: staff },
    }, async (req, reply) => {
      const p = req.params as Static<typeof TicketAttachmentParams>;
      const q = req.query as Static<typeof AttachmentQuery>;
      const a = await attachmentForDownload(deps.db, { ticketId: p.id, attachmentId: p.attachmentId, actor: actorOf(req), inline: q.disposition === 'inline' });
      return reply
        .header('content-type', a.contentType)
        .header('content-disposition', a.disposition)
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "default-src 'none'; sandbox")
        .header('cache-control', 'private, max-age=300')
        .send(a.content);
    });

    app.get('/tickets/:id/messages/:messageId/html', {
      schema: {
        tags: ['email'],
        summary: 'The sanitised HTML of an e-mail message; remote images show a placeholder unless remoteImages=allow (format=document: a page to frame)',
        params: MessageHtmlParams,
        querystring: MessageHtmlQuery,
        response: { 200: MessageHtmlSchema, ...errorResponses },
      },
      config: { roles: staff },
    }, async (req, reply) => {
      const p = req.params as Static<typeof MessageHtmlParams>;
      const q = req.query as Static<typeof MessageHtmlQuery>;
      const remoteImages: 'allow' | 'block' = q.remoteImages === 'allow' ? 'allow' : 'block';
      const r = await messageHtml(deps.db, {
        ticketId: p.id,
        messageId: p.messageId,
        actor: actorOf(req),
        remoteImages,
        attachmentUrl: (attachmentId) => `/api/v1/tickets/${p.id}/attachments/${attachmentId}?disposition=inline`,
      });
      if (q.format !== 'document') return r;
      const page = `<!doctype html><html><head><meta charset="utf-8"><meta name="referrer" content="no-referrer"><base target="_blank"><title>${escapeHtml(p.messageId)}</title><style>body{font:14px/1.5 system-ui,sans-serif;margin:8px;color:#111;word-wrap:break-word}img{max-width:100%;height:auto}img[data-blocked]{width:32px;height:24px}</style></head><body>${r.html}</body></html>`;
      return reply
        .header('content-type', 'text/html; charset=utf-8')
        .header('content-security-policy', documentCsp(remoteImages === 'allow'))
        .header('x-content-type-options', 'nosniff')
        .header('referrer-policy', 'no-referrer')
        .serializer((x: unknown) => String(x))
        .send(page);
    });
  };
}
