/**
 * Text on the return label in any script. pdf-lib's standard fonts (Helvetica) only encode
 * WinAnsi, so names and addresses in Chinese, Japanese, Korean, Cyrillic or Arabic need an
 * embedded font: a system font file is parsed with fontkit (@pdf-lib/fontkit), embedded as a
 * subset (only the glyphs the label uses), and chosen per run of text.
 *
 * - `LABEL_FONT_CJK`: a CJK font (.ttc collection, .otf or .ttf); default Debian's
 *   fonts-noto-cjk. From a collection the face is picked for the text and country (JP, KR,
 *   SC, TC, HK), so a Japanese name gets Japanese glyph shapes.
 * - `LABEL_FONT_LATIN`: a font for extended Latin, Cyrillic, Greek and Arabic; default
 *   DejaVu Sans (fonts-dejavu-core), else Noto Sans.
 * An empty value or `none` switches a font off; a path that does not exist or is not a
 * font counts as no font. Without a font for some text the label prints an ASCII
 * transliteration of it and says so on the label: never a crash, never "?" in a name.
 *
 * Arabic: fontkit shapes it (joining forms, lam-alef) and lays an Arabic run out right to
 * left; this module orders mixed runs (Arabic words and Latin/digits) visually for a
 * right-to-left line, which is enough for names and addresses (not a full Unicode bidi).
 */
import fs from 'node:fs';
import { EventEmitter } from 'node:events';
import fontkit from '@pdf-lib/fontkit';
import { StandardFonts, type Color, type PDFDocument, type PDFFont } from 'pdf-lib';
import { transliterate } from './transliterate.ts';

export interface LabelFontConfig {
  /** CJK font file (.ttc/.otf/.ttf), or null for none. */
  cjk: string | null;
  /** Extended Latin / Cyrillic / Greek / Arabic font file, or null for none. */
  latin: string | null;
}

const CJK_DEFAULTS = [
  '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc',
  '/usr/share/fonts/opentype/noto/NotoSansCJKjp-Regular.otf',
  '/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc',
];
const LATIN_DEFAULTS = [
  '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf',
  '/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf',
];

/** The font files from the environment (`LABEL_FONT_CJK`, `LABEL_FONT_LATIN`), else the first default present. */
export function labelFontConfig(env: NodeJS.ProcessEnv = process.env): LabelFontConfig {
  const pick = (value: string | undefined, defaults: string[]): string | null => {
    if (value !== undefined) return value.trim() && value.trim().toLowerCase() !== 'none' ? value.trim() : null;
    return defaults.find((p) => fs.existsSync(p)) ?? null;
  };
  return { cjk: pick(env.LABEL_FONT_CJK, CJK_DEFAULTS), latin: pick(env.LABEL_FONT_LATIN, LATIN_DEFAULTS) };
}

// ---------------------------------------------------------------------------------------
// Loading fonts (cached for a while: the CJK collection is ~19 MB)

type Face = fontkit.Font;
interface Loaded {
  face: Face | null;
  error: string | null;
  timer: NodeJS.Timeout;
}
const KEEP_MS = 10 * 60_000;
const loaded = new Map<string, Loaded>();

const CJK_FACE: Record<string, RegExp> = { jp: /jp/i, kr: /kr/i, sc: /sc/i, tc: /tc/i, hk: /hk/i };

/** One face of a font file (a face of a collection by its region tag), or null with the reason. */
export function loadFace(file: string, region?: string): { face: Face | null; error: string | null } {
  const key = `${file}#${region ?? ''}`;
  const hit = loaded.get(key);
  if (hit) {
    hit.timer.refresh();
    return hit;
  }
  let face: Face | null = null;
  let error: string | null = null;
  try {
    const data = fs.readFileSync(file);
    const font = fontkit.create(data) as Face | { fonts: Face[] };
    if ('fonts' in font) {
      const faces = font.fonts.filter((f) => !/mono/i.test(f.postscriptName ?? ''));
      const want = region ? CJK_FACE[region] : undefined;
      face = (want && faces.find((f) => want.test((f.postscriptName ?? '').replace(/^.*CJK/i, '').replace(/-.*$/, '')))) || faces[0] || font.fonts[0] || null;
    } else face = font;
    if (!face) error = 'no font face in the file';
    else patchCffSubset(face);
  } catch (e) {
    error = e instanceof Error ? e.message : String(e);
    face = null;
  }
  const timer = setTimeout(() => loaded.delete(key), KEEP_MS);
  timer.unref();
  const entry = { face, error, timer };
  loaded.set(key, entry);
  return entry;
}

/**
 * Two bugs of fontkit's CFF subsetter (all of Noto CJK is CFF; TrueType subsets are fine),
 * worked around on our subsets only:
 * - it writes the CFF header's offSize from an undefined field (a byte above 4), which PDF
 *   readers reject ("Couldn't create a font"): that byte is set to 4 (always valid);
 * - for a CID-keyed font it gives each glyph the most recently added Font DICT instead of
 *   its own, so Latin letters after a kanji get the kanji's private dict and hints (broken
 *   shapes): `subsetFontdict` below maps every glyph to its own Font DICT.
 */
interface CffInternals {
  cff: { topDict: { FDArray: Array<Record<string, unknown> & { Private?: { Subrs?: unknown[] } }> }; fdForGlyph(gid: number): number | null };
  font: { getGlyph(gid: number): { path: unknown; _usedSubrs?: Record<string, boolean> } };
  glyphs: number[];
  subsetSubrs(subrs: unknown[], used: Record<string, boolean>): unknown[];
  subsetFontdict?: (topDict: Record<string, unknown>) => void;
}

function subsetFontdictFixed(this: CffInternals, topDict: Record<string, unknown>): void {
  const fdArray: Array<Record<string, unknown> & { Private?: { Subrs?: unknown[] } }> = [];
  const fds: number[] = [];
  const newIndex = new Map<number, number>();
  const usedSubrs: Array<Record<string, boolean>> = [];
  for (const gid of this.glyphs) {
    const fd = this.cff.fdForGlyph(gid) ?? 0;
    let idx = newIndex.get(fd);
    if (idx === undefined) {
      idx = fdArray.length;
      newIndex.set(fd, idx);
      fdArray.push({ ...this.cff.topDict.FDArray[fd] });
      usedSubrs.push({});
    }
    fds.push(idx);
    const glyph = this.font.getGlyph(gid);
    void glyph.path; // parses the glyph: fills _usedSubrs
    for (const subr in glyph._usedSubrs ?? {}) usedSubrs[idx][subr] = true;
  }
  fdArray.forEach((dict, i) => {
    delete dict.FontName;
    if (dict.Private?.Subrs) dict.Private = { ...dict.Private, Subrs: this.subsetSubrs(dict.Private.Subrs, usedSubrs[i]) };
  });
  topDict.FDArray = fdArray;
  topDict.FDSelect = { version: 0, fds };
}

function patchCffSubset(face: Face): void {
  const f = face as Face & { __cffPatched?: boolean };
  if (f.__cffPatched) return;
  f.__cffPatched = true;
  const create = face.createSubset.bind(face);
  face.createSubset = () => {
    const subset = create() as ReturnType<Face['createSubset']> & { cff?: unknown };
    if (!subset.cff) return subset;
    (subset as unknown as CffInternals).subsetFontdict = subsetFontdictFixed;
    const encode = subset.encodeStream.bind(subset);
    subset.encodeStream = () => {
      const out = new EventEmitter();
      const parts: Uint8Array[] = [];
      const src = encode() as unknown as EventEmitter;
      src.on('data', (b: Uint8Array) => parts.push(b));
      src.on('error', (e: unknown) => out.emit('error', e));
      src.on('end', () => {
        const bytes = Buffer.concat(parts);
        if (bytes.length > 3 && (bytes[3] < 1 || bytes[3] > 4)) bytes[3] = 4;
        out.emit('data', new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length));
        out.emit('end');
      });
      return out as unknown as ReturnType<typeof encode>;
    };
    return subset;
  };
}

// ---------------------------------------------------------------------------------------
// Painting text

const RTL = /[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFF]/u;
const STRONG_LTR = /[\p{L}]/u;
const CJK_CHAR = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\u3000-\u303F\uFF00-\uFFEF]/u;

/** The collection face for a text and the sender's country (kana → JP, hangul → KR…). */
export function cjkRegion(text: string, country?: string): string {
  if (/[\p{Script=Hiragana}\p{Script=Katakana}]/u.test(text)) return 'jp';
  if (/\p{Script=Hangul}/u.test(text)) return 'kr';
  switch ((country ?? '').toUpperCase()) {
    case 'JP': return 'jp';
    case 'KR': return 'kr';
    case 'TW': return 'tc';
    case 'HK': case 'MO': return 'hk';
    default: return 'sc';
  }
}

/**
 * The direction of each character of a line (true: right to left) and of the line: a small
 * part of the Unicode bidi algorithm, enough for names and addresses. The line is right to
 * left when its first letter is; digits run left to right but count as right-to-left
 * neighbours for the spaces and punctuation between them in a right-to-left line (rule N1).
 */
export function directions(chars: string[]): { rtlLine: boolean; rtl: boolean[] } {
  const type = chars.map((c) => (/\p{Nd}/u.test(c) ? 'EN' : RTL.test(c) ? 'R' : STRONG_LTR.test(c) ? 'L' : 'N'));
  const rtlLine = type.find((t) => t === 'R' || t === 'L') === 'R';
  const asNeighbour = (t: string) => (t === 'EN' ? (rtlLine ? 'R' : 'L') : t);
  const rtl = type.map((t, i) => {
    if (t === 'R') return true;
    if (t === 'L' || t === 'EN') return false;
    let before: string | undefined;
    for (let j = i - 1; j >= 0 && !before; j--) if (type[j] !== 'N') before = asNeighbour(type[j]);
    let after: string | undefined;
    for (let j = i + 1; j < type.length && !after; j++) if (type[j] !== 'N') after = asNeighbour(type[j]);
    return before && before === after ? before === 'R' : rtlLine;
  });
  return { rtlLine, rtl };
}

interface FontSlot {
  name: 'helvetica' | 'latin' | 'cjk';
  face: Face | null;
  chars: Set<number>;
  pdf: PDFFont | null;
  pdfBold: PDFFont | null;
}

interface Run {
  text: string;
  slot: FontSlot;
  rtl: boolean;
}

export interface DrawOptions {
  bold?: boolean;
  /** Width available from x. */
  maxWidth: number;
  /** A right-to-left line is right-aligned within maxWidth unless this is 'left'. */
  align?: 'auto' | 'left' | 'center';
  color?: Color;
}

/**
 * Draws strings with the fonts that can show them. Create one per document.
 * `embedded` and `transliterated` say afterwards what it had to do.
 */
export class LabelTextPainter {
  readonly embedded = new Set<string>();
  /** Strings (as given) that were printed transliterated for want of a font. */
  readonly transliterated: string[] = [];
  readonly fontProblems: string[] = [];
  private readonly slots: FontSlot[] = [];
  private helvetica!: FontSlot;
  private cjkRegionHint: string;
  private cjkSlot: FontSlot | null = null;
  private cjkTried = false;

  private constructor(
    private readonly doc: PDFDocument,
    private readonly config: LabelFontConfig,
    opts: { country?: string; sample: string },
  ) {
    this.cjkRegionHint = cjkRegion(opts.sample, opts.country);
  }

  /** `sample`: all text the label will show (picks the CJK face once for the document). */
  static async create(doc: PDFDocument, config: LabelFontConfig, opts: { country?: string; sample: string }): Promise<LabelTextPainter> {
    const p = new LabelTextPainter(doc, config, opts);
    const regular = await doc.embedFont(StandardFonts.Helvetica);
    const bold = await doc.embedFont(StandardFonts.HelveticaBold);
    p.helvetica = { name: 'helvetica', face: null, chars: new Set(regular.getCharacterSet()), pdf: regular, pdfBold: bold };
    p.slots.push(p.helvetica);
    if (config.latin) {
      const { face, error } = loadFace(config.latin);
      if (face) p.slots.push({ name: 'latin', face, chars: new Set(face.characterSet), pdf: null, pdfBold: null });
      else p.fontProblems.push(`LABEL_FONT_LATIN ${config.latin}: ${error ?? 'unreadable'}`);
    }
    doc.registerFontkit({ create: (data: Uint8Array) => p.faceFor(data) ?? (fontkit.create(data) as never) });
    return p;
  }

  private pending = new WeakMap<Uint8Array, Face>();
  private faceFor(data: Uint8Array): Face | undefined {
    return this.pending.get(data);
  }

  private cjk(): FontSlot | null {
    if (this.cjkTried) return this.cjkSlot;
    this.cjkTried = true;
    if (!this.config.cjk) return null;
    const { face, error } = loadFace(this.config.cjk, this.cjkRegionHint);
    if (!face) {
      this.fontProblems.push(`LABEL_FONT_CJK ${this.config.cjk}: ${error ?? 'unreadable'}`);
      return null;
    }
    this.cjkSlot = { name: 'cjk', face, chars: new Set(face.characterSet), pdf: null, pdfBold: null };
    this.slots.push(this.cjkSlot);
    return this.cjkSlot;
  }

  private async pdfFont(slot: FontSlot, bold: boolean): Promise<PDFFont> {
    if (slot.name === 'helvetica') return (bold ? slot.pdfBold : slot.pdf) as PDFFont;
    if (!slot.pdf && slot.face) {
      // pdf-lib hands these bytes to the registered fontkit: it gets the face parsed already
      const token = new Uint8Array(1);
      this.pending.set(token, slot.face);
      slot.pdf = await this.doc.embedFont(token, { subset: true });
      this.embedded.add(slot.face.postscriptName ?? slot.name);
    }
    return slot.pdf as PDFFont; // no bold face embedded: the regular one stands in
  }

  /** Which slot draws a character: Helvetica when it can, then the Latin font, then CJK. */
  private slotFor(cp: number, preferCjk: boolean): FontSlot | null {
    if (this.helvetica.chars.has(cp)) return this.helvetica;
    const latin = this.slots.find((s) => s.name === 'latin');
    const order = preferCjk ? [this.cjk(), latin] : [latin, this.cjk()];
    for (const s of order) if (s && s.chars.has(cp)) return s;
    return null;
  }

  /** Splits a line into runs of one font and one direction, in logical order; null chars have no font. */
  private runs(line: string): Array<Run | { text: string; slot: null; rtl: false }> {
    const out: Array<Run | { text: string; slot: null; rtl: false }> = [];
    const chars = [...line];
    const hasCjk = CJK_CHAR.test(line);
    // one font for the whole line when one can (uniform look), else per character
    const whole = [this.helvetica, this.slots.find((s) => s.name === 'latin'), hasCjk ? this.cjk() : null].find(
      (s) => s && chars.every((c) => s.chars.has(c.codePointAt(0) ?? 0)),
    );
    const dirs = directions(chars).rtl;
    chars.forEach((ch, i) => {
      const cp = ch.codePointAt(0) ?? 0;
      const slot = whole ?? this.slotFor(cp, CJK_CHAR.test(ch));
      const rtl = dirs[i];
      const last = out.at(-1);
      if (last && last.slot === slot && last.rtl === rtl) last.text += ch;
      else out.push(slot ? { text: ch, slot, rtl } : { text: ch, slot: null, rtl: false });
    });
    return out;
  }

  /**
   * Draws one line at (x, y): shrinks it (down to 70 %) and then cuts it with "..." to fit
   * maxWidth. Returns the width drawn.
   */
  async draw(page: ReturnType<PDFDocument['addPage']>, line: string, x: number, y: number, size: number, opts: DrawOptions): Promise<number> {
    const prepared = await this.prepare(line, !!opts.bold);
    let s = size;
    let parts = prepared.parts;
    let width = await this.widthOf(parts, s);
    if (width > opts.maxWidth) {
      s = Math.max(size * 0.7, (size * opts.maxWidth) / width);
      width = await this.widthOf(parts, s);
    }
    if (width > opts.maxWidth) {
      let chars = [...prepared.logical];
      while (chars.length > 1 && width > opts.maxWidth) {
        chars = chars.slice(0, -1);
        parts = (await this.prepare(`${chars.join('').trimEnd()}...`, !!opts.bold)).parts;
        width = await this.widthOf(parts, s);
      }
    }
    const rtlLine = prepared.rtl;
    let cx = x;
    if (opts.align === 'center') cx = x + (opts.maxWidth - width) / 2;
    else if (rtlLine && opts.align !== 'left') cx = x + opts.maxWidth - width;
    for (const p of parts) {
      page.drawText(p.text, { x: cx, y, size: s, font: p.font, color: opts.color });
      cx += p.font.widthOfTextAtSize(p.text, s);
    }
    return width;
  }

  /** Width of a line at a size, with the fonts it would be drawn in. */
  async measure(line: string, size: number, bold = false): Promise<number> {
    return this.widthOf((await this.prepare(line, bold)).parts, size);
  }

  private async widthOf(parts: Array<{ text: string; font: PDFFont }>, size: number): Promise<number> {
    return parts.reduce((w, p) => w + p.font.widthOfTextAtSize(p.text, size), 0);
  }

  /** Runs in visual (drawing) order with their PDF fonts; text without a font transliterated. */
  private async prepare(line: string, bold: boolean): Promise<{ parts: Array<{ text: string; font: PDFFont }>; logical: string; rtl: boolean }> {
    const runs = this.runs(line);
    if (runs.some((r) => !r.slot)) {
      // no font for part of it: the whole line in ASCII, in reading order, left to right
      if (!this.transliterated.includes(line)) this.transliterated.push(line);
      return { parts: [{ text: transliterate(line).text, font: await this.pdfFont(this.helvetica, bold) }], logical: line, rtl: false };
    }
    const merged: Array<{ text: string; font: PDFFont; rtl: boolean }> = [];
    for (const r of runs) {
      const font = await this.pdfFont(r.slot as FontSlot, bold);
      const last = merged.at(-1);
      if (last && last.font === font && last.rtl === r.rtl) last.text += r.text;
      else merged.push({ text: r.text, font, rtl: r.rtl });
    }
    const rtl = directions([...line]).rtlLine && merged.some((p) => p.rtl);
    // a right-to-left line: its runs go right to left (each Arabic run is reversed by fontkit)
    const visual = rtl ? [...merged].reverse() : merged;
    return { parts: visual.map(({ text, font }) => ({ text, font })), logical: line, rtl };
  }
}
