/**
 * The prepaid return label: a 4×6 in (288×432 pt) PDF, the thermal-printer size carriers
 * use, with the RMA as a real Code 128 barcode (bwip-js renders a PNG, pdf-lib embeds it),
 * the sender (customer) and the return address (warehouse), carrier and tracking number.
 *
 * Names and addresses are printed in their own script (Japanese, Chinese, Korean, Cyrillic,
 * Arabic…) with a system font embedded as a subset (label-text.ts: `LABEL_FONT_CJK`,
 * `LABEL_FONT_LATIN`); without such a font they are transliterated and the label says so.
 */
import bwipjs from 'bwip-js';
import { PDFDocument, rgb, type PDFPage } from 'pdf-lib';
import type { PostalAddress } from '../db/types.ts';
import { LabelTextPainter, labelFontConfig, type LabelFontConfig } from './label-text.ts';

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

export interface ReturnLabelOptions {
  /** Font files; default from the environment (labelFontConfig). */
  fonts?: LabelFontConfig;
}

export interface RenderedReturnLabel {
  pdf: Uint8Array;
  /** PostScript names of the fonts embedded besides Helvetica. */
  embeddedFonts: string[];
  /** Lines printed transliterated for want of a font for their script. */
  transliterated: string[];
  /** Configured font files that could not be used, with the reason. */
  fontProblems: string[];
}

export async function renderReturnLabel(input: ReturnLabelInput, opts: ReturnLabelOptions = {}): Promise<Uint8Array> {
  return (await renderReturnLabelDetailed(input, opts)).pdf;
}

export async function renderReturnLabelDetailed(input: ReturnLabelInput, opts: ReturnLabelOptions = {}): Promise<RenderedReturnLabel> {
  const doc = await PDFDocument.create();
  doc.setTitle(`Return label ${input.rma}`);
  doc.setSubject(`Prepaid return for order ${input.orderNumber}`);
  doc.setCreator('crossdesk');
  doc.setProducer('crossdesk (pdf-lib, bwip-js)');
  doc.setCreationDate(input.createdAt);
  doc.setModificationDate(input.createdAt);
  const page = doc.addPage([LABEL_WIDTH_PT, LABEL_HEIGHT_PT]);
  const sample = [input.from, input.to].flatMap((a) => [a.name, a.line1, a.line2 ?? '', a.city, a.region ?? '']).join(' ');
  const painter = await LabelTextPainter.create(doc, opts.fonts ?? labelFontConfig(), { country: input.from.country, sample });
  const black = rgb(0, 0, 0);
  const M = 12;
  const W = LABEL_WIDTH_PT - 2 * M;

  const text = (s: string, x: number, y: number, size: number, bold = false) =>
    painter.draw(page, s, x, y, size, { bold, maxWidth: LABEL_WIDTH_PT - M - x, color: black, align: 'left' });
  const rule = (y: number, thickness = 1) => page.drawLine({ start: { x: M, y }, end: { x: M + W, y }, thickness, color: black });

  // frame
  page.drawRectangle({ x: 6, y: 6, width: LABEL_WIDTH_PT - 12, height: LABEL_HEIGHT_PT - 12, borderColor: black, borderWidth: 1.5 });

  // header: carrier and the prepaid mark
  let y = LABEL_HEIGHT_PT - 34;
  const mark = 'PREPAID RETURN';
  const markW = (await painter.measure(mark, 9, true)) + 10;
  await painter.draw(page, input.carrier.toUpperCase(), M, y, 16, { bold: true, maxWidth: W - markW - 6, color: black, align: 'left' });
  page.drawRectangle({ x: M + W - markW, y: y - 4, width: markW, height: 18, color: black });
  await painter.draw(page, mark, M + W - markW + 5, y + 1, 9, { bold: true, maxWidth: markW, color: rgb(1, 1, 1), align: 'left' });
  y -= 14;
  await text(input.whoPaysShipping === 'seller' ? 'Postage paid by the seller - no charge to you' : 'Return postage will be deducted from your refund', M, y, 7.5);
  y -= 8;
  rule(y, 1.5);

  // from (customer)
  y -= 12;
  await text('FROM', M, y, 7, true);
  y = await addressBlock(page, painter, input.from, M, y - 10, 8, 10);
  rule(y + 2);

  // to (warehouse): the largest text on the label
  y -= 12;
  await text('SHIP TO', M, y, 7, true);
  y = await addressBlock(page, painter, input.to, M + 8, y - 15, 12, 14);
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
  await painter.draw(page, `RMA ${input.rma}`, M, y, 11, { bold: true, maxWidth: W, color: black, align: 'center' });
  y -= 8;
  rule(y);

  // references
  y -= 12;
  await text(`Tracking: ${input.trackingNumber}`, M, y, 8, true);
  y -= 11;
  await text(`Order: ${input.orderNumber}   Items: ${input.itemCount}`, M, y, 8);
  y -= 11;
  await text(`Reason: ${REASONS[input.reason] ?? input.reason}`, M, y, 8);
  y -= 11;
  await text(`Store: ${input.storeName}   Created: ${input.createdAt.toISOString().slice(0, 10)}`, M, y, 8);

  if (painter.transliterated.length) {
    // said on the label itself: whoever reads it knows the name is not in its own script
    await text(`Some text transliterated (no font for its script on this server); original in order ${input.orderNumber}.`, M, 25, 6, true);
  }
  await text('Pack the items securely, put this label on the parcel and hand it to the carrier.', M, 16, 6);

  const pdf = await doc.save({ useObjectStreams: false });
  return { pdf, embeddedFonts: [...painter.embedded], transliterated: [...painter.transliterated], fontProblems: [...painter.fontProblems] };
}

async function addressBlock(page: PDFPage, painter: LabelTextPainter, a: PostalAddress, x: number, y: number, size: number, lead: number): Promise<number> {
  const lines: Array<[string, boolean]> = [[a.name, true], [a.line1, false]];
  if (a.line2) lines.push([a.line2, false]);
  lines.push([cityLine(a), false]);
  lines.push([countryName(a.country), true]);
  for (const [line, bold] of lines) {
    await painter.draw(page, line, x, y, size, { bold, maxWidth: LABEL_WIDTH_PT - 12 - x, color: rgb(0, 0, 0) });
    y -= lead;
  }
  return y;
}

/** Where the city, region and postal code go: "Portland, OR 97214" in the US, "10961 Berlin" in Germany. */
const CITY_FIRST = new Set(['US', 'CA', 'AU']);
export function cityLine(a: PostalAddress): string {
  if (CITY_FIRST.has(a.country.toUpperCase())) return [[a.city, a.region].filter(Boolean).join(', '), a.postalCode].filter(Boolean).join(' ');
  return [a.postalCode, a.city].filter(Boolean).join(' ') + (a.region ? `, ${a.region}` : '');
}

function countryName(code: string): string {
  try {
    return (new Intl.DisplayNames(['en'], { type: 'region' }).of(code.toUpperCase()) ?? code).toUpperCase();
  } catch {
    return code.toUpperCase();
  }
}
