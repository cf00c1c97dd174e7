/**
 * What an agent sees of an inbound e-mail beyond its text: the attachments (listed on the
 * ticket's messages, downloadable) and the sanitised HTML, with remote images held back
 * until the agent allows them. Read-only; the rows are written by intake.ts.
 */
import { sql, type Kysely } from 'kysely';
import { AppError, notFound } from '../../core/errors.ts';
import type { DB } from '../../db/types.ts';
import { canSeeTicket, type Actor } from '../../helpdesk/visibility.ts';

export interface AttachmentJson {
  id: string;
  filename: string;
  size: number;
  /** The type found in the content when we recognise it, else the declared one. */
  contentType: string;
  inline: boolean;
  blocked: boolean;
  blockedReason: string | null;
}

export interface EmailPartsJson {
  attachments: AttachmentJson[];
  /** Whether the e-mail had an HTML part (GET …/messages/:id/html). */
  hasHtml: boolean;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Types a browser would run or render as a page: never served, whatever the mail said. */
const ACTIVE_TYPES = /^(text\/html|application\/xhtml|image\/svg|text\/xml|application\/xml|application\/javascript|text\/javascript|application\/x-msdownload|application\/x-executable|text\/x-script)/i;
/** Raster images shown inline in the HTML of a mail (cid:). */
const INLINE_IMAGE = /^image\/(png|jpeg|gif|webp)$/;

/** The attachments and HTML flag of the e-mails behind these ticket messages (by messages.id). */
export async function emailPartsOf(db: Kysely<DB>, messageIds: string[]): Promise<Map<string, EmailPartsJson>> {
  const out = new Map<string, EmailPartsJson>();
  if (!messageIds.length) return out;
  const rows = await db
    .selectFrom('email_messages as e')
    .leftJoin('email_attachments as a', 'a.email_id', 'e.id')
    .select(['e.message_ref', sql<boolean>`e.html_body IS NOT NULL`.as('has_html'), 'a.id', 'a.filename', 'a.size', 'a.content_type', 'a.detected_type', 'a.inline', 'a.blocked_reason'])
    .where('e.message_ref', 'in', messageIds)
    .where('e.direction', '=', 'in')
    .orderBy('a.id')
    .execute();
  for (const r of rows) {
    if (!r.message_ref) continue;
    let parts = out.get(r.message_ref);
    if (!parts) out.set(r.message_ref, (parts = { attachments: [], hasHtml: Boolean(r.has_html) }));
    if (r.id && r.filename !== null && r.size !== null && r.content_type !== null) {
      const blockedReason = r.blocked_reason ?? null;
      parts.attachments.push({ id: r.id, filename: r.filename, size: r.size, contentType: r.detected_type ?? r.content_type, inline: Boolean(r.inline), blocked: blockedReason !== null, blockedReason });
    }
  }
  return out;
}

async function visibleTicket(db: Kysely<DB>, ticketId: string, actor: Actor): Promise<void> {
  if (!UUID_RE.test(ticketId)) throw notFound('Ticket', ticketId);
  const t = await db.selectFrom('tickets').select(['assignee_id', 'team_id']).where('id', '=', ticketId).executeTakeFirst();
  if (!t || !canSeeTicket(actor, t)) throw notFound('Ticket', ticketId);
}

/** A filename safe in a header and on any disk: no paths, no controls, no quotes. */
export function safeFilename(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const cleaned = base.replace(/[\u0000-\u001f\u007f"*:<>?|]/g, '_').replace(/^[.\s]+/, '').trim().slice(0, 200);
  return cleaned || 'attachment';
}

export function contentDisposition(kind: 'attachment' | 'inline', filename: string): string {
  const name = safeFilename(filename);
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/[%\\]/g, '_');
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`;
}

export interface AttachmentDownload {
  filename: string;
  contentType: string;
  disposition: string;
  content: Buffer;
}

/**
 * An attachment of an e-mail on the ticket, for download. Refused (409 conflict) when its
 * content was not kept (executable, too large); active types (HTML, SVG, scripts) are
 * served as application/octet-stream so a browser never renders them.
 */
export async function attachmentForDownload(db: Kysely<DB>, input: { ticketId: string; attachmentId: string; actor: Actor; inline?: boolean }): Promise<AttachmentDownload> {
  await visibleTicket(db, input.ticketId, input.actor);
  if (!UUID_RE.test(input.attachmentId)) throw notFound('Attachment', input.attachmentId);
  const a = await db
    .selectFrom('email_attachments as a')
    .innerJoin('email_messages as e', 'e.id', 'a.email_id')
    .select(['a.filename', 'a.content_type', 'a.detected_type', 'a.blocked_reason', 'a.content'])
    .where('a.id', '=', input.attachmentId)
    .where('e.ticket_id', '=', input.ticketId)
    .executeTakeFirst();
  if (!a) throw notFound('Attachment', input.attachmentId);
  if (a.blocked_reason || !a.content) throw new AppError('conflict', `This attachment cannot be downloaded: ${a.blocked_reason ?? 'its content was not kept'}`, { reason: a.blocked_reason });
  const declared = a.content_type.split(';')[0].trim().toLowerCase();
  let type = a.detected_type ?? (/^[a-z0-9.+-]+\/[a-z0-9.+-]+$/.test(declared) ? declared : 'application/octet-stream');
  if (ACTIVE_TYPES.test(type) || ACTIVE_TYPES.test(declared)) type = 'application/octet-stream';
  const inline = Boolean(input.inline) && a.detected_type !== null && INLINE_IMAGE.test(a.detected_type);
  return { filename: safeFilename(a.filename), contentType: type, disposition: contentDisposition(inline ? 'inline' : 'attachment', a.filename), content: Buffer.from(a.content) };
}

const PLACEHOLDER =
  "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='32' height='24' viewBox='0 0 32 24'%3E%3Crect width='32' height='24' rx='3' fill='%23e5e7eb'/%3E%3Cpath d='M6 18l6-7 5 5 3-3 6 5z' fill='%239ca3af'/%3E%3Ccircle cx='22' cy='8' r='2.5' fill='%239ca3af'/%3E%3C/svg%3E";

export interface RenderedHtml {
  html: string;
  remoteImages: 'allow' | 'block';
  /** How many remote images the mail has (blocked or shown). */
  remoteImageCount: number;
}

const attr = (tag: string, name: string) => new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1];

/**
 * The stored, sanitised HTML made ready to show: remote images get a placeholder unless
 * allowed (their address stays in data-remote-src), cid: images point at their attachment.
 */
export function renderEmailHtml(html: string, opts: { remoteImages: 'allow' | 'block'; cidUrl: (cid: string) => string | null }): RenderedHtml {
  let remote = 0;
  const out = html.replace(/<img\b[^>]*>/g, (tag) => {
    const cid = attr(tag, 'data-cid');
    const src = attr(tag, 'data-remote-src');
    const rest = tag.replace(/^<img/, '').replace(/>$/, '');
    if (cid !== undefined) {
      const url = opts.cidUrl(cid.replace(/&amp;/g, '&').replace(/^<|>$/g, ''));
      return url ? `<img src="${url}"${rest}>` : `<img src="${PLACEHOLDER}" data-missing="cid"${rest}>`;
    }
    if (src !== undefined) {
      remote++;
      return opts.remoteImages === 'allow' ? `<img src="${src}" referrerpolicy="no-referrer"${rest}>` : `<img src="${PLACEHOLDER}" data-blocked="remote"${rest}>`;
    }
    return tag;
  });
  return { html: out, remoteImages: opts.remoteImages, remoteImageCount: remote };
}

/** The HTML of the e-mail behind a ticket message, rendered for the agent. */
export async function messageHtml(db: Kysely<DB>, input: { ticketId: string; messageId: string; actor: Actor; remoteImages: 'allow' | 'block'; attachmentUrl: (attachmentId: string) => string }): Promise<RenderedHtml & { messageId: string }> {
  await visibleTicket(db, input.ticketId, input.actor);
  if (!UUID_RE.test(input.messageId)) throw notFound('Message', input.messageId);
  const e = await db
    .selectFrom('email_messages as e')
    .innerJoin('messages as m', 'm.id', 'e.message_ref')
    .select(['e.id', 'e.html_body'])
    .where('e.message_ref', '=', input.messageId)
    .where('m.ticket_id', '=', input.ticketId)
    .where('e.direction', '=', 'in')
    .executeTakeFirst();
  if (!e) throw notFound('Message', input.messageId);
  if (e.html_body === null) throw notFound('HTML part of message', input.messageId);
  const inline = await db
    .selectFrom('email_attachments')
    .select(['id', 'content_id', 'detected_type'])
    .where('email_id', '=', e.id)
    .where('content_id', 'is not', null)
    .where('blocked_reason', 'is', null)
    .execute();
  const byCid = new Map(inline.filter((a) => a.detected_type && INLINE_IMAGE.test(a.detected_type)).map((a) => [a.content_id ?? '', a.id]));
  const rendered = renderEmailHtml(e.html_body, {
    remoteImages: input.remoteImages,
    cidUrl: (cid) => {
      const id = byCid.get(cid);
      return id ? input.attachmentUrl(id) : null;
    },
  });
  return { messageId: input.messageId, ...rendered };
}
