import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { PDFDict, PDFDocument, PDFName, PDFRawStream } from 'pdf-lib';
import { renderReturnLabel, renderReturnLabelDetailed, type ReturnLabelInput } from './label.ts';
import { directions, labelFontConfig, loadFace } from './label-text.ts';
import { transliterate } from './transliterate.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'crossdesk-label-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const fonts = labelFontConfig({});
const hasCjkFont = !!fonts.cjk && fs.existsSync(fonts.cjk);
const hasLatinFont = !!fonts.latin && fs.existsSync(fonts.latin);
const has = (bin: string) => spawnSync('sh', ['-c', `command -v ${bin}`]).status === 0;
const hasPoppler = has('pdftotext') && has('pdftoppm');

function input(from: ReturnLabelInput['from'], to?: ReturnLabelInput['to']): ReturnLabelInput {
  return {
    rma: 'RMA-261120-AB12CD',
    carrier: 'Japan Post',
    trackingNumber: 'RR123456785JP',
    orderNumber: 'CD-40001',
    reason: 'damaged',
    itemCount: 1,
    from,
    to: to ?? { name: 'Lumen Home Returns - 返品センター', line1: '東京都江東区新木場1-2-3', city: '江東区', postalCode: '136-0082', country: 'JP' },
    whoPaysShipping: 'seller',
    storeName: 'Lumen Home',
    createdAt: new Date('2026-11-20T10:00:00Z'),
  };
}
const yamada = { name: '山田 太郎', line1: '港区六本木6-10-1 六本木ヒルズ森タワー 12F', city: '東京都', postalCode: '106-6112', country: 'JP' };
const leipzig = { name: 'Returns Dept. DE-LEJ', line1: 'Am Exer 12', city: 'Leipzig', postalCode: '04158', country: 'DE' };

function save(name: string, pdf: Uint8Array): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, pdf);
  return file;
}
const pdftotext = (file: string, ...args: string[]) => spawnSync('pdftotext', [...args, file, '-'], { encoding: 'utf8' }).stdout;

/** Fonts of the PDF: BaseFont of each font dictionary and whether a font program is embedded. */
async function fontsOf(pdf: Uint8Array): Promise<Array<{ name: string; subtype: string; embedded: boolean }>> {
  const doc = await PDFDocument.load(pdf);
  const out: Array<{ name: string; subtype: string; embedded: boolean }> = [];
  for (const [, obj] of doc.context.enumerateIndirectObjects()) {
    if (!(obj instanceof PDFDict) || obj.get(PDFName.of('Type')) !== PDFName.of('FontDescriptor')) continue;
    const name = obj.get(PDFName.of('FontName'))?.toString() ?? '';
    const file = ['FontFile', 'FontFile2', 'FontFile3'].find((k) => obj.has(PDFName.of(k)));
    out.push({ name, subtype: file ?? '', embedded: !!file });
  }
  for (const [, obj] of doc.context.enumerateIndirectObjects()) {
    if (obj instanceof PDFDict && obj.get(PDFName.of('Type')) === PDFName.of('Font') && obj.get(PDFName.of('Subtype')) === PDFName.of('Type1')) {
      out.push({ name: obj.get(PDFName.of('BaseFont'))?.toString() ?? '', subtype: 'Type1', embedded: false });
    }
  }
  return out;
}

/** The barcode image: a single image stream much wider than tall. */
async function barcodeOf(pdf: Uint8Array): Promise<{ width: number; height: number }> {
  const doc = await PDFDocument.load(pdf);
  const images = doc.context.enumerateIndirectObjects().filter(([, o]) => o instanceof PDFRawStream && o.dict.get(PDFName.of('Subtype')) === PDFName.of('Image'));
  const main = images.filter(([, o]) => (o as PDFRawStream).dict.has(PDFName.of('SMask')) || images.length === 1);
  expect(main).toHaveLength(1);
  const d = (main[0][1] as PDFRawStream).dict;
  return { width: Number(d.get(PDFName.of('Width'))?.toString()), height: Number(d.get(PDFName.of('Height'))?.toString()) };
}

describe('return label text in any script', () => {
  const saved = { cjk: process.env.LABEL_FONT_CJK, latin: process.env.LABEL_FONT_LATIN };
  afterEach(() => {
    for (const [k, v] of [['LABEL_FONT_CJK', saved.cjk], ['LABEL_FONT_LATIN', saved.latin]] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  it.skipIf(!hasCjkFont)('prints a Japanese name and address with an embedded, subset CJK font, the barcode and a reasonable size', async () => {
    const r = await renderReturnLabelDetailed(input(yamada));
    expect(r.embeddedFonts.some((f) => /CJKjp/.test(f)), r.embeddedFonts.join()).toBe(true);
    expect(r.transliterated).toEqual([]);
    const fontList = await fontsOf(r.pdf);
    const cjk = fontList.find((f) => /NotoSansCJKjp/.test(f.name));
    expect(cjk?.embedded).toBe(true);
    const bar = await barcodeOf(r.pdf);
    expect(bar.width).toBeGreaterThan(bar.height);
    // a subset: the collection is ~19 MB, the label stays small
    console.info(`Japanese label: ${(r.pdf.length / 1024).toFixed(1)} KB`);
    expect(r.pdf.length).toBeLessThan(150 * 1024);
    if (hasPoppler) {
      const file = save('ja.pdf', r.pdf);
      const text = pdftotext(file);
      expect(text).toContain('山田 太郎');
      expect(text).toContain('港区六本木6-10-1 六本木ヒルズ森タワー 12F');
      expect(text).toContain('Lumen Home Returns - 返品センター');
      expect(text).toContain('RMA RMA-261120-AB12CD');
      // a reader can build the font: fontkit's broken CFF header is repaired
      const render = spawnSync('pdftoppm', ['-r', '30', '-png', file, path.join(tmp, 'ja')], { encoding: 'utf8' });
      expect(render.status).toBe(0);
      expect(render.stderr).not.toMatch(/error/i);
    }
  });

  it.skipIf(!hasCjkFont)('gives each glyph of a CJK subset its own Font DICT (kanji and Latin letters mixed)', () => {
    const { face } = loadFace(fonts.cjk!, 'jp');
    expect(face).not.toBeNull();
    const f = face!;
    const subset = f.createSubset() as unknown as {
      includeGlyph(g: number): number;
      glyphs: number[];
      cff: { fdForGlyph(gid: number): number };
      subsetFontdict(top: Record<string, unknown>): void;
    };
    const gids = ['L', '山', 'u', '田', 'm', '1'].map((c) => f.glyphForCodePoint(c.codePointAt(0)!).id);
    for (const g of gids) subset.includeGlyph(g);
    const top: { FDArray?: unknown[]; FDSelect?: { fds: number[] } } = {};
    subset.subsetFontdict(top as Record<string, unknown>);
    const fds = top.FDSelect!.fds;
    expect(fds).toHaveLength(subset.glyphs.length);
    // glyphs that share a Font DICT in the font share it in the subset, and only those
    const original = subset.glyphs.map((g) => subset.cff.fdForGlyph(g));
    for (let i = 0; i < fds.length; i++) for (let j = 0; j < fds.length; j++) expect(fds[i] === fds[j], `${i},${j}`).toBe(original[i] === original[j]);
    expect(new Set(original).size).toBeGreaterThan(1);
  });

  it.skipIf(!hasLatinFont)('prints Cyrillic and shaped Arabic, right to left with the digits in order', async () => {
    const ru = await renderReturnLabelDetailed(input({ name: 'Анна Смирнова', line1: 'ул. Тверская, д. 7, кв. 12', city: 'Москва', postalCode: '125009', country: 'RU' }, leipzig));
    const ar = await renderReturnLabelDetailed(input({ name: 'محمد العلي', line1: 'شارع الملك فهد 12، حي العليا', city: 'الرياض', postalCode: '12211', country: 'SA' }, leipzig));
    for (const r of [ru, ar]) {
      expect(r.embeddedFonts.length).toBe(1);
      expect(r.transliterated).toEqual([]);
      expect(r.pdf.length).toBeLessThan(40 * 1024);
    }
    if (!hasPoppler) return;
    const ruText = pdftotext(save('ru.pdf', ru.pdf));
    expect(ruText).toContain('Анна Смирнова');
    expect(ruText).toContain('125009 Москва');
    // Arabic is stored in visual order: words from right to left, letters joined by fontkit
    const words = [...pdftotext(save('ar.pdf', ar.pdf), '-bbox').matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>([^<]+)<\/word>/g)].map((m) => ({
      x: Number(m[1]),
      y: Math.round(Number(m[2])),
      text: m[3],
    }));
    const visual = (w: string) => [...w].reverse().join('');
    const at = (w: string) => words.find((x) => x.text === visual(w) || x.text === w);
    expect(at('محمد')!.x).toBeGreaterThan(at('العلي')!.x);
    expect(at('شارع')!.x).toBeGreaterThan(at('الملك')!.x);
    const line2 = words.filter((w) => w.y === at('شارع')!.y);
    expect(line2.map((w) => w.text).join(' ')).toContain('12');
    expect(line2.map((w) => w.text).join(' ')).not.toContain('21');
    // the house number sits between "fahd" and "hay" as in the logical text
    const n = line2.find((w) => w.text.includes('12'))!;
    expect(n.x).toBeLessThan(at('فهد')!.x);
    expect(n.x).toBeGreaterThan(at('حي')!.x);
    // shaped: fontkit lays the name out with joining forms, not the isolated letters
    const { face } = loadFace(fonts.latin!);
    const laidOut = face!.layout('محمد').glyphs.map((g) => g.id);
    const isolated = [...'محمد'].map((c) => face!.glyphForCodePoint(c.codePointAt(0)!).id);
    expect(laidOut).toHaveLength(4);
    expect(laidOut).not.toEqual(isolated);
    expect(laidOut).not.toEqual([...isolated].reverse());
  });

  it('falls back to a transliteration with a note when the fonts are missing (LABEL_FONT_* pointing nowhere)', async () => {
    process.env.LABEL_FONT_CJK = path.join(tmp, 'missing', 'NotoSansCJK-Regular.ttc');
    process.env.LABEL_FONT_LATIN = path.join(tmp, 'missing', 'DejaVuSans.ttf');
    const jp = await renderReturnLabelDetailed(input(yamada));
    const ru = await renderReturnLabelDetailed(input({ name: 'Анна Смирнова', line1: 'ул. Тверская, д. 7', city: 'Москва', postalCode: '125009', country: 'RU' }, leipzig));
    const kr = await renderReturnLabelDetailed(input({ name: '김민준', line1: '테헤란로 152', city: '서울', postalCode: '06236', country: 'KR' }, leipzig));
    for (const r of [jp, ru, kr]) {
      expect(r.embeddedFonts).toEqual([]);
      expect(r.fontProblems.join('\n')).toMatch(/LABEL_FONT_(CJK|LATIN) .*missing/);
      expect((await fontsOf(r.pdf)).every((f) => !f.embedded && f.subtype === 'Type1')).toBe(true);
      const bar = await barcodeOf(r.pdf);
      expect(bar.width).toBeGreaterThan(bar.height);
    }
    expect(jp.transliterated).toContain('山田 太郎');
    expect(ru.transliterated).toContain('Анна Смирнова');
    if (!hasPoppler) return;
    const ruText = pdftotext(save('ru-nofont.pdf', ru.pdf));
    expect(ruText).toContain('Anna Smirnova');
    expect(ruText).toContain('ul. Tverskaia, d. 7');
    expect(ruText).toContain('125009 Moskva');
    expect(ruText).toMatch(/Some text transliterated \(no font for its script on this server\); original in\s+order CD-40001/);
    const krText = pdftotext(save('kr-nofont.pdf', kr.pdf));
    expect(krText).toContain('Gimminjun');
    expect(krText).toContain('Teheranro 152');
    const jpText = pdftotext(save('jp-nofont.pdf', jp.pdf));
    // kanji have no reading without a dictionary: marked, never a bare "?"
    expect(jpText).toContain('[?] [?]');
    expect(jpText).toContain('Hiruzu');
    expect(jpText.replace(/\[\?\]/g, '')).not.toContain('?');
  });

  it('treats a file that is not a font like a missing one', async () => {
    const bad = path.join(tmp, 'not-a-font.ttc');
    fs.writeFileSync(bad, 'this is not a font');
    const r = await renderReturnLabelDetailed(input(yamada), { fonts: { cjk: bad, latin: null } });
    expect(r.embeddedFonts).toEqual([]);
    expect(r.fontProblems[0]).toContain('not-a-font.ttc');
    expect(r.transliterated.length).toBeGreaterThan(0);
  });

  it('keeps a Latin-only label on the standard fonts, with nothing embedded', async () => {
    const pdf = await renderReturnLabel(input({ name: 'Jonas Becker', line1: 'Bergmannstraße 42', city: 'Berlin', postalCode: '10961', country: 'DE' }, leipzig));
    expect((await fontsOf(pdf)).every((f) => !f.embedded)).toBe(true);
    expect(pdf.length).toBeLessThan(16 * 1024);
  });

  it('uses a font switched off with LABEL_FONT_LATIN=none as absent', () => {
    expect(labelFontConfig({ LABEL_FONT_LATIN: 'none', LABEL_FONT_CJK: '' })).toEqual({ cjk: null, latin: null });
    expect(labelFontConfig({ LABEL_FONT_CJK: '/x/y.ttc' }).cjk).toBe('/x/y.ttc');
  });
});

describe('transliteration', () => {
  it('renders Cyrillic, Greek, kana, hangul and Arabic letters in ASCII', () => {
    expect(transliterate('Анна Смирнова, МОСКВА')).toEqual({ text: 'Anna Smirnova, MOSKVA', complete: true });
    expect(transliterate('Щукин Юрий').text).toBe('Shchukin Iurii');
    expect(transliterate('Αθήνα').text).toBe('Athina');
    expect(transliterate('やまだ たろう').text).toBe('Yamada Tarou');
    expect(transliterate('ハットリ しゃしん ジュン').text).toBe('Hattori Shashin Jun');
    expect(transliterate('김민준').text).toBe('Gimminjun');
    expect(transliterate('شارع ١٢').text).toBe("shar' 12");
    expect(transliterate('Łódź, Straße – №5').text).toBe('Lodz, Strasse - No.5');
  });

  it('marks what it cannot read (Chinese characters) instead of guessing', () => {
    expect(transliterate('山田 太郎')).toEqual({ text: '[?] [?]', complete: false });
    expect(transliterate('東京都港区1-2-3')).toEqual({ text: '[?]1-2-3', complete: false });
  });
});

describe('line direction', () => {
  it('lays out an Arabic line right to left with its numbers left to right', () => {
    const d = directions([...'شارع 12، حي']);
    expect(d.rtlLine).toBe(true);
    expect(d.rtl).toEqual([true, true, true, true, true, false, false, true, true, true, true]);
    const l = directions([...'Apt 5, الرياض']);
    expect(l.rtlLine).toBe(false);
    expect(l.rtl.slice(-6)).toEqual([true, true, true, true, true, true]);
    expect(l.rtl[3]).toBe(false);
  });
});
