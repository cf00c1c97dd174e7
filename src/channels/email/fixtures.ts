/**
 * Builders of raw e-mail for the tests and the benchmark: real MIME, in the charsets
 * customers use (ISO-2022-JP encoded by hand: iconv-lite only decodes it).
 */
import iconv from 'iconv-lite';

export function encodeCharset(text: string, charset: string): Buffer {
  if (charset.toUpperCase() !== 'ISO-2022-JP') return iconv.encode(text, charset);
  // JIS X 0208 through EUC-JP: each two-byte character minus the high bits, between ESC $ B and ESC ( B
  const e = iconv.encode(text, 'EUC-JP');
  const out: number[] = [];
  let kanji = false;
  for (let i = 0; i < e.length; i++) {
    const b = e[i];
    if (b < 0x80) {
      if (kanji) out.push(0x1b, 0x28, 0x42);
      kanji = false;
      out.push(b);
    } else {
      if (!kanji) out.push(0x1b, 0x24, 0x42);
      kanji = true;
      out.push(b & 0x7f, e[++i] & 0x7f);
    }
  }
  if (kanji) out.push(0x1b, 0x28, 0x42);
  return Buffer.from(out);
}

export function quotedPrintable(b: Buffer): string {
  let line = '';
  const lines: string[] = [];
  for (const byte of b) {
    const ch = byte === 0x0a ? '\n' : (byte >= 33 && byte <= 126 && byte !== 61) || byte === 32 ? String.fromCharCode(byte) : `=${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    if (ch === '\n') {
      lines.push(line.endsWith(' ') ? `${line.slice(0, -1)}=20` : line);
      line = '';
      continue;
    }
    if (line.length + ch.length > 75) {
      lines.push(`${line}=`);
      line = '';
    }
    line += ch;
  }
  lines.push(line);
  return lines.join('\r\n');
}

export const encodedWord = (text: string, charset: string) => `=?${charset}?B?${encodeCharset(text, charset).toString('base64')}?=`;

export interface MailSpec {
  from?: string;
  to?: string;
  subject?: string;
  /** Encoded-word subject in this charset. */
  subjectCharset?: string;
  messageId?: string | null;
  inReplyTo?: string;
  references?: string[];
  text?: string;
  html?: string;
  charset?: string;
  encoding?: 'base64' | 'quoted-printable' | '8bit';
  headers?: Record<string, string>;
  attachments?: Array<{ filename: string; contentType: string; content: Buffer; inline?: boolean; cid?: string }>;
}

function bodyPart(content: string, type: string, charset: string, encoding: 'base64' | 'quoted-printable' | '8bit'): Buffer {
  const bytes = encodeCharset(content, charset);
  const encoded = encoding === 'base64' ? Buffer.from(bytes.toString('base64').replace(/.{76}/g, '$&\r\n')) : encoding === 'quoted-printable' ? Buffer.from(quotedPrintable(bytes)) : bytes;
  return Buffer.concat([Buffer.from(`Content-Type: ${type}; charset=${charset}\r\nContent-Transfer-Encoding: ${encoding}\r\n\r\n`), encoded, Buffer.from('\r\n')]);
}

let counter = 0;

/** A complete message as bytes. */
export function buildMail(spec: MailSpec): Buffer {
  const charset = spec.charset ?? 'UTF-8';
  const encoding = spec.encoding ?? 'quoted-printable';
  const subject = spec.subject ?? 'Hello';
  const head: string[] = [
    `From: ${spec.from ?? 'Customer <customer@example.net>'}`,
    `To: ${spec.to ?? 'support@shop.example'}`,
    `Subject: ${spec.subjectCharset ? encodedWord(subject, spec.subjectCharset) : subject}`,
    `Date: ${new Date().toUTCString().replace('GMT', '+0000')}`,
    'MIME-Version: 1.0',
  ];
  if (spec.messageId !== null) head.push(`Message-ID: <${spec.messageId ?? `m${process.pid}.${Date.now()}.${++counter}@example.net`}>`);
  if (spec.inReplyTo) head.push(`In-Reply-To: <${spec.inReplyTo}>`);
  if (spec.references?.length) head.push(`References: ${spec.references.map((r) => `<${r}>`).join(' ')}`);
  for (const [k, v] of Object.entries(spec.headers ?? {})) head.push(`${k}: ${v}`);
  const parts: Buffer[] = [];
  if (spec.text !== undefined) parts.push(bodyPart(spec.text, 'text/plain', charset, encoding));
  if (spec.html !== undefined) parts.push(bodyPart(spec.html, 'text/html', charset, encoding));
  for (const a of spec.attachments ?? []) {
    parts.push(
      Buffer.from(
        `Content-Type: ${a.contentType}; name="${a.filename}"\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: ${a.inline ? 'inline' : 'attachment'}; filename="${a.filename}"\r\n${a.cid ? `Content-ID: <${a.cid}>\r\n` : ''}\r\n${a.content.toString('base64').replace(/.{76}/g, '$&\r\n')}\r\n`,
      ),
    );
  }
  if (parts.length === 1 && !spec.attachments?.length) return Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n`), parts[0]]);
  const boundary = `b-${Date.now()}-${++counter}`;
  const type = spec.attachments?.length ? 'multipart/mixed' : 'multipart/alternative';
  const chunks: Buffer[] = [Buffer.from(`${head.join('\r\n')}\r\nContent-Type: ${type}; boundary="${boundary}"\r\n\r\nThis is a multi-part message in MIME format.\r\n`)];
  for (const p of parts) chunks.push(Buffer.from(`--${boundary}\r\n`), p);
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

/** What customers write, per charset (the fixture's decoded truth). */
export const CHARSET_SAMPLES: Array<{ charset: string; subject: string; text: string }> = [
  { charset: 'UTF-8', subject: 'Wo ist mein Paket? 📦', text: 'Hallo, meine Bestellung #1001 ist noch nicht da. Grüße, Jürgen' },
  { charset: 'ISO-2022-JP', subject: '荷物が届きません', text: '注文した商品がまだ届きません。確認をお願いします。' },
  { charset: 'Shift_JIS', subject: '返品について', text: 'サイズが合わないので返品したいです。' },
  { charset: 'EUC-JP', subject: '商品が壊れていました', text: '届いた商品が壊れていました。交換してください。' },
  { charset: 'GB2312', subject: '我的包裹还没到', text: '你好，我的订单还没有收到，请帮我查一下物流。' },
  { charset: 'GBK', subject: '退款什么时候到账', text: '我申请的退款已经一周了，还没有到账。' },
  { charset: 'GB18030', subject: '发错货了', text: '收到的颜色不对，我要的是蓝色。𠀀' },
  { charset: 'Big5', subject: '我的包裹還沒到', text: '您好，我的訂單還沒有收到，請幫我查詢物流。' },
  { charset: 'EUC-KR', subject: '배송 문의', text: '안녕하세요, 주문한 상품이 아직 도착하지 않았습니다.' },
  { charset: 'windows-1251', subject: 'Где моя посылка?', text: 'Здравствуйте, мой заказ до сих пор не пришёл.' },
  { charset: 'windows-1252', subject: 'Où est mon colis ?', text: 'Bonjour, ma commande n’est pas arrivée. Merci — 29,99 €' },
  { charset: 'windows-1256', subject: 'أين طلبي؟', text: 'مرحبا، لم يصل طلبي حتى الآن.' },
  { charset: 'ISO-8859-1', subject: 'Pedido não chegou', text: 'Olá, o meu pedido ainda não chegou. Obrigado.' },
  { charset: 'ISO-8859-2', subject: 'Gdzie jest moja paczka?', text: 'Dzień dobry, zamówienie jeszcze nie dotarło. Dziękuję, Łukasz' },
  { charset: 'ISO-8859-5', subject: 'Где мой заказ', text: 'Добрый день, посылка не пришла.' },
  { charset: 'ISO-8859-7', subject: 'Πού είναι το δέμα μου;', text: 'Γεια σας, η παραγγελία μου δεν έχει φτάσει.' },
  { charset: 'ISO-8859-9', subject: 'Siparişim nerede?', text: 'Merhaba, siparişim hâlâ gelmedi. Teşekkürler.' },
  { charset: 'ISO-8859-15', subject: 'Remboursement', text: 'Je voudrais être remboursé de 15 €, merci.' },
];
