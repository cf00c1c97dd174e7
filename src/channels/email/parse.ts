import { createHash } from 'node:crypto';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import { htmlToText, sanitizeHtml } from './html.ts';
import type { HeaderLookup } from './classify.ts';

/** One inbound e-mail, decoded (any charset, QP/base64) and normalised for intake. */
export interface ParsedEmail {
  /** Without angle brackets; synthesised from the content when the message has none. */
  messageId: string;
  hasMessageId: boolean;
  inReplyTo: string[];
  references: string[];
  subject: string;
  from: { address: string; name: string | null } | null;
  replyTo: { address: string; name: string | null } | null;
  to: string[];
  cc: string[];
  date: Date | null;
  /** Plain text: the text part, or text made from the HTML part. */
  text: string;
  /** The HTML part, sanitised (see html.ts), or null. */
  html: string | null;
  contentType: string;
  headers: HeaderLookup;
  attachments: ParsedAttachment[];
  /** Message-IDs quoted inside the message (the original of a bounce). */
  embeddedMessageIds: string[];
}

export interface ParsedAttachment {
  filename: string;
  contentType: string;
  detectedType: string | null;
  size: number;
  sha256: string;
  contentId: string | null;
  inline: boolean;
  content: Buffer;
}

/** PostgreSQL text takes no NUL; other C0 controls except tab and newlines go too. */
 
const clean = (s: string) => s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '');

const ID_RE = /<([^<>\s]{1,900})>/g;

/** Message-IDs from a header value: `<a@b> <c@d>`, tolerating missing brackets. */
export function messageIds(value: string | undefined | null): string[] {
  if (!value) return [];
  const out = [...value.matchAll(ID_RE)].map((m) => m[1]);
  if (!out.length) {
    const bare = value.trim();
    if (bare && !/\s/.test(bare) && bare.includes('@') && bare.length <= 900) out.push(bare);
  }
  return out;
}

function addressList(v: AddressObject | AddressObject[] | undefined): string[] {
  const out: string[] = [];
  for (const o of Array.isArray(v) ? v : v ? [v] : []) {
    const walk = (list: AddressObject['value']) => {
      for (const a of list) {
        if (a.address) out.push(a.address.toLowerCase());
        if (a.group) walk(a.group);
      }
    };
    walk(o.value);
  }
  return out;
}

function firstAddress(v: AddressObject | undefined): { address: string; name: string | null } | null {
  const a = v?.value.find((x) => x.address);
  return a?.address ? { address: clean(a.address.toLowerCase()), name: clean(a.name ?? '').trim() || null } : null;
}

/** Sniffs the real type of an attachment from its first bytes. */
export function sniffType(b: Buffer): string | null {
  const h = b.subarray(0, 16);
  const starts = (...bytes: number[]) => bytes.every((x, i) => h[i] === x);
  if (starts(0x25, 0x50, 0x44, 0x46)) return 'application/pdf';
  if (starts(0x89, 0x50, 0x4e, 0x47)) return 'image/png';
  if (starts(0xff, 0xd8, 0xff)) return 'image/jpeg';
  if (starts(0x47, 0x49, 0x46, 0x38)) return 'image/gif';
  if (starts(0x52, 0x49, 0x46, 0x46) && b.subarray(8, 12).toString('latin1') === 'WEBP') return 'image/webp';
  if (b.subarray(4, 12).toString('latin1').startsWith('ftyp')) return /heic|heix|mif1/.test(b.subarray(8, 12).toString('latin1')) ? 'image/heic' : 'video/mp4';
  if (starts(0x50, 0x4b, 0x03, 0x04)) return 'application/zip';
  if (starts(0x4d, 0x5a)) return 'application/x-msdownload';
  if (starts(0x7f, 0x45, 0x4c, 0x46)) return 'application/x-executable';
  if (starts(0x23, 0x21)) return 'text/x-script';
  return null;
}

class Lines implements HeaderLookup {
  private readonly map = new Map<string, string>();
  constructor(parsed: ParsedMail) {
    for (const { key, line } of parsed.headerLines) {
      if (this.map.has(key)) continue;
      const i = line.indexOf(':');
      this.map.set(key, (i >= 0 ? line.slice(i + 1) : '').replace(/\r?\n[ \t]+/g, ' ').trim());
    }
    const subject = parsed.subject;
    if (subject !== undefined) this.map.set('subject', subject);
  }
  get(name: string): string | undefined {
    return this.map.get(name.toLowerCase());
  }
}

export async function parseEmail(raw: Buffer): Promise<ParsedEmail> {
  const parsed = await simpleParser(raw, { skipImageLinks: true, skipTextToHtml: true, skipTextLinks: true, skipHtmlToText: true, keepCidLinks: true });
  const headers = new Lines(parsed);
  const ids = messageIds(headers.get('message-id'));
  const hasMessageId = ids.length > 0;
  const messageId = ids[0] ?? `${createHash('sha256').update(raw).digest('hex').slice(0, 40)}@no-message-id.crossdesk`;
  const html = typeof parsed.html === 'string' ? clean(sanitizeHtml(parsed.html)) : null;
  const contentType = (headers.get('content-type') ?? 'text/plain').toLowerCase();
  const attachments: ParsedAttachment[] = parsed.attachments.map((a, i) => ({
    filename: clean(a.filename || `attachment-${i + 1}`).slice(0, 255),
    contentType: a.contentType || 'application/octet-stream',
    detectedType: sniffType(a.content),
    size: a.size ?? a.content.length,
    sha256: createHash('sha256').update(a.content).digest('hex'),
    contentId: a.contentId ? a.contentId.replace(/^<|>$/g, '') : null,
    inline: a.contentDisposition === 'inline' || Boolean(a.related),
    content: a.content,
  }));
  const embedded: string[] = [];
  if (/^multipart\/report/.test(contentType) || attachments.some((a) => /rfc822/.test(a.contentType))) {
    for (const a of attachments) {
      if (!/rfc822|delivery-status/.test(a.contentType)) continue;
      for (const m of a.content.toString('latin1').matchAll(/^Message-ID:\s*<([^<>\s]+)>/gim)) embedded.push(m[1]);
    }
  }
  for (const m of (parsed.text ?? '').matchAll(/^\s*>?\s*Message-ID:\s*<([^<>\s]+)>/gim)) embedded.push(m[1]);
  return {
    messageId,
    hasMessageId,
    inReplyTo: messageIds(headers.get('in-reply-to')),
    references: messageIds(headers.get('references')),
    subject: clean(parsed.subject ?? '').replace(/\s+/g, ' ').trim(),
    from: firstAddress(parsed.from),
    replyTo: firstAddress(parsed.replyTo),
    to: addressList(parsed.to),
    cc: addressList(parsed.cc),
    date: parsed.date ?? null,
    text: clean(parsed.text?.trim() ? parsed.text : typeof parsed.html === 'string' ? htmlToText(parsed.html) : '').replace(/\r\n?/g, '\n'),
    html,
    contentType,
    headers,
    attachments,
    embeddedMessageIds: [...new Set(embedded)].filter((x) => x !== messageId),
  };
}
