/**
 * The prepaid return label: a 4×6 in (288×432 pt) PDF, the thermal-printer size carriers
 * use, with the RMA as a real Code 128 barcode (bwip-js renders a PNG, pdf-lib embeds it),
 * the sender (customer) and the return address (warehouse), carrier and tracking number.
 */
import bwipjs from 'bwip-js';
import { PDFDocument, StandardFonts, rgb, type PDFFont, type PDFPage } from 'pdf-lib';
import type { PostalAddress } from '../db/types.ts';

export const LABEL_WIDTH_PT = 288;
export const LABEL_HEIGHT_PT = 432;

export interface ReturnLabelInput {
  rma: string;
  carrier: string;
  trackingNumber: string;
  orderNumber: string;
  reason: string;
  itemCount: number;
  from: PostalAddress;
  to: PostalAddress;
  /** Who the carrier bills: the label is prepaid either way. */
  whoPaysShipping: 'seller' | 'buyer';
  storeName: string;
  createdAt: Date;
}

/** Code 128 of `text` as a PNG (bars only; the text is drawn by us, in the PDF's font). */
export async function code128Png(text: string): Promise<Buffer> {
  return bwipjs.toBuffer({ bcid: 'code128', text, scale: 3, height: 14, includetext: false, paddingwidth: 0, paddingheight: 0 });
}

const REASONS: Record<string, string> = {
  faulty: 'Faulty / defective',
  damaged: 'Damaged in transit',
  wrong_item: 'Wrong item sent',
  change_of_mind: 'Change of mind',
};

export async function renderReturnLabel(input: ReturnLabelInput): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.setTitle(`Return label ${input.rma}`);
  doc.setSubject(`Prepaid return for order ${input.orderNumber}`);
  doc.setCreator('crossdesk');
  doc.setProducer('crossdesk (pdf-lib, bwip-js)');
  doc.setCreationDate(input.createdAt);
  doc.setModificationDate(input.createdAt);
  const page = doc.addPage([LABEL_WIDTH_PT, LABEL_HEIGHT_PT]);
  const regular = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  const black = rgb(0, 0, 0);
  const M = 12;
  const W = LABEL_WIDTH_PT - 2 * M;

  const text = (s: string, x: number, y: number, size: number, font: PDFFont = regular) =>
    page.drawText(fit(safeText(s, font), font, size, LABEL_WIDTH_PT - M - x), { x, y, size, font, color: black });
  const rule = (y: number, thickness = 1) => page.drawLine({ start: { x: M, y }, end: { x: M + W, y }, thickness, color: black });

  // frame
  page.drawRectangle({ x: 6, y: 6, width: LABEL_WIDTH_PT - 12, height: LABEL_HEIGHT_PT - 12, borderColor: black, borderWidth: 1.5 });

  // header: carrier and the prepaid mark
  let y = LABEL_HEIGHT_PT - 34;
  text(input.carrier.toUpperCase(), M, y, 16, bold);
  const mark = 'PREPAID RETURN';
  const markW = bold.widthOfTextAtSize(mark, 9) + 10;
  page.drawRectangle({ x: M + W - markW, y: y - 4, width: markW, height: 18, color: black });
  page.drawText(mark, { x: M + W - markW + 5, y: y + 1, size: 9, font: bold, color: rgb(1, 1, 1) });
  y -= 14;
  text(input.whoPaysShipping === 'seller' ? 'Postage paid by the seller - no charge to you' : 'Return postage will be deducted from your refund', M, y, 7.5);
  y -= 8;
  rule(y, 1.5);

  // from (customer)
  y -= 12;
  text('FROM', M, y, 7, bold);
  y = addressBlock(page, input.from, M, y - 10, 8, 10, regular, bold);
  rule(y + 2);

  // to (warehouse): the largest text on the label
  y -= 12;
  text('SHIP TO', M, y, 7, bold);
  y = addressBlock(page, input.to, M + 8, y - 15, 12, 14, regular, bold);
  rule(y + 4, 1.5);

  // RMA barcode
  const png = await doc.embedPng(await code128Png(input.rma));
  const maxW = W - 28; // keeps a quiet zone of ≥ 10 modules each side
  const scale = Math.min(1, maxW / png.width, 70 / png.height);
  const bw = png.width * scale;
  const bh = png.height * scale;
  y -= 6 + bh;
  page.drawImage(png, { x: M + (W - bw) / 2, y, width: bw, height: bh });
  y -= 14;
  const rmaText = `RMA ${input.rma}`;
  text(rmaText, M + (W - bold.widthOfTextAtSize(rmaText, 11)) / 2, y, 11, bold);
  y -= 8;
  rule(y);

  // references
  y -= 12;
  text(`Tracking: ${input.trackingNumber}`, M, y, 8, bold);
  y -= 11;
  text(`Order: ${input.orderNumber}   Items: ${input.itemCount}`, M, y, 8);
  y -= 11;
  text(`Reason: ${REASONS[input.reason] ?? input.reason}`, M, y, 8);
  y -= 11;
  text(`Store: ${input.storeName}   Created: ${input.createdAt.toISOString().slice(0, 10)}`, M, y, 8);

  text('Pack the items securely, put this label on the parcel and hand it to the carrier.', M, 16, 6);

  return doc.save({ useObjectStreams: false });
}

function addressBlock(page: PDFPage, a: PostalAddress, x: number, y: number, size: number, lead: number, regular: PDFFont, bold: PDFFont): number {
  const lines: Array<[string, PDFFont]> = [[a.name, bold], [a.line1, regular]];
  if (a.line2) lines.push([a.line2, regular]);
  lines.push([[a.postalCode, a.city].filter(Boolean).join(' ') + (a.region ? `, ${a.region}` : ''), regular]);
  lines.push([countryName(a.country), bold]);
  for (const [line, font] of lines) {
    const s = fit(safeText(line, font), font, size, LABEL_WIDTH_PT - 12 - x);
    page.drawText(s, { x, y, size, font, color: rgb(0, 0, 0) });
    y -= lead;
  }
  return y;
}

function countryName(code: string): string {
  try {
    return (new Intl.DisplayNames(['en'], { type: 'region' }).of(code.toUpperCase()) ?? code).toUpperCase();
  } catch {
    return code.toUpperCase();
  }
}

/**
 * The standard PDF fonts encode WinAnsi only: keep what they can draw, fold accents
 * ("Ł" → "L") where needed, and show anything else (CJK, Arabic) as "?" rather than fail.
 * A label in another script would need an embedded font; carriers' labels are Latin.
 */
export function safeText(s: string, font: PDFFont): string {
  const set = charSet(font);
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 63;
    if (set.has(cp)) {
      out += ch;
      continue;
    }
    const base = ch.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
    out += [...base].every((c) => set.has(c.codePointAt(0) ?? 63)) && base ? base : '?';
  }
  return out;
}

const charSets = new WeakMap<PDFFont, Set<number>>();
function charSet(font: PDFFont): Set<number> {
  let s = charSets.get(font);
  if (!s) {
    s = new Set(font.getCharacterSet());
    charSets.set(font, s);
  }
  return s;
}

function fit(s: string, font: PDFFont, size: number, width: number): string {
  if (font.widthOfTextAtSize(s, size) <= width) return s;
  let t = s;
  while (t.length > 1 && font.widthOfTextAtSize(`${t}...`, size) > width) t = t.slice(0, -1);
  return `${t}...`;
}
