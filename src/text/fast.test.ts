import { describe, expect, it } from 'vitest';
import { FeatureKind, FusedSoftmax, HASH_BITS, SoftmaxRegression, prepareText, textFeatures, withExtras } from './classifier.ts';
import { foldForMatch, matchWords, PhraseMatcher } from './lexicon.ts';
import { normalise } from './segment.ts';
import { detectLanguage } from './language.ts';

// The fast paths must give what the plain definitions give.
const SAMPLES = [
  "Où est ma commande ? J'attends depuis 3 semaines…",
  'İSTANBUL’a kargo ÇOK geç geldi, iade istiyorum',
  'Straße, Æble, Øre, łódź, ﬁne, ＡＢＣ１２３',
  'ｶﾞｷﾞ 返金希望です！注文#1234',
  'أين طلبي؟ أُرسل منذ أسبوعين',
  '환불해 주세요 😡😡 진짜',
  'a😀b 𠀀漢字 x\u0301y don`t',
  '',
];

describe('folding and splitting', () => {
  it('foldForMatch character by character equals folding the whole text', () => {
    const whole = (t: string) =>
      /^[\x00-\x7f]*$/.test(t)
        ? t.toLowerCase().replace(/`/g, "'")
        : normalise(t, { stripAccents: true })
            .replace(/[\u064B-\u065F\u0670\u0640]/g, '')
            .replace(/[أإآٱ]/g, 'ا')
            .replace(/ى/g, 'ي')
            .replace(/ة/g, 'ه')
            .replace(/[’`´]/g, "'");
    for (const s of SAMPLES) expect(foldForMatch(s)).toBe(whole(s));
  });
  it('matchWords equals a Unicode split on non-letters', () => {
    for (const s of SAMPLES) {
      const f = foldForMatch(s);
      expect(matchWords(f)).toEqual(f.split(/[^\p{L}\p{N}\p{M}']+/u).filter(Boolean));
    }
  });
  it('prepareText gives the same features as textFeatures', () => {
    for (const s of SAMPLES) {
      const a = prepareText(s).features;
      const b = textFeatures(s);
      expect([...a.ids].sort()).toEqual([...b.ids].sort());
    }
  });
  it('withExtras adds each lexicon token once and leaves the base untouched', () => {
    const base = prepareText('refund please').features;
    const n = base.ids.length;
    const f = withExtras(base, ['k:refund', 'k:refund', 'x:threat']);
    expect(base.ids.length).toBe(n);
    expect(f.ids.length).toBe(n + 2);
    expect(f.kinds.slice(n)).toEqual([FeatureKind.category, FeatureKind.mood]);
  });
  it('finds CJK and Arabic substrings through the first-character index', () => {
    const m = new PhraseMatcher(['退款', '差评', 'استرداد', '환불']);
    expect(m.match('我要退款，不然给差评').sort()).toEqual(['差评', '退款']);
    expect(m.match('أريد استرداد المبلغ')).toEqual(['استرداد']);
    expect(m.match('환불해 주세요')).toEqual(['환불']);
    expect(m.match('没有问题')).toEqual([]);
  });
});

describe('FusedSoftmax', () => {
  const data = [
    ['where is my parcel', 'a', 'x'],
    ['parcel still not here', 'a', 'x'],
    ['refund my money', 'b', 'y'],
    ['money back please refund', 'b', 'y'],
    ['the parcel and the money', 'a', 'y'],
  ] as const;
  const rows = data.map(([t, l1, l2]) => ({ f: textFeatures(t), l1, l2 }));
  const opts = { epochs: 20, minCount: 2, kindWeight: { [FeatureKind.chars]: 0.5 } };
  const m1 = new SoftmaxRegression(['a', 'b'], opts).train(rows.map((r) => ({ features: r.f, label: r.l1 })));
  const m2 = new SoftmaxRegression(['x', 'y', 'z'], { ...opts, kindWeight: { [FeatureKind.chars]: 2 } }).train(rows.map((r) => ({ features: r.f, label: r.l2 })));
  it('gives the probabilities of the separate models', () => {
    expect(m1.sameRows(m2)).toBe(true);
    const fused = new FusedSoftmax([m1, m2]);
    for (const t of ['my parcel', 'refund money', 'something else entirely', '']) {
      const f = textFeatures(t);
      const [p1, p2] = fused.predict(f);
      const a = m1.predict(f).probabilities;
      const b = m2.predict(f).probabilities;
      expect(p1[0]).toBeCloseTo(a.a, 3);
      expect(p1[1]).toBeCloseTo(a.b, 3);
      expect(p2[0]).toBeCloseTo(b.x, 3);
      expect(p2[2]).toBeCloseTo(b.z, 3);
    }
  });
  it('gives no weights to features met in fewer than minCount examples', () => {
    // "where" occurs once: with minCount 2 it has no row; "parcel" occurs three times.
    expect(m1.resolve(textFeatures('where'))[0]).toBe(-1);
    expect(m1.resolve(textFeatures('parcel')).some((d) => d >= 0)).toBe(true);
  });
  it('keeps every row when the vocabulary passes 65,535 rows (32-bit row index)', () => {
    // 700 pairs of examples, each pair with its own 100 made-up features: 70,000 rows, each met twice.
    const ex: { features: { ids: number[]; kinds: (typeof FeatureKind)[keyof typeof FeatureKind][] }; label: 'p' | 'q' }[] = [];
    for (let i = 0; i < 700; i++) {
      const ids = Array.from({ length: 100 }, (_, j) => (i * 100 + j) % (1 << HASH_BITS));
      const kinds = ids.map(() => FeatureKind.word);
      const label = i % 2 ? 'p' : 'q';
      ex.push({ features: { ids, kinds }, label }, { features: { ids, kinds }, label });
    }
    const big = new SoftmaxRegression(['p', 'q'], { epochs: 1, minCount: 2 }).train(ex);
    expect(big.vocabularySize).toBeGreaterThan(0xffff);
    const fused = new FusedSoftmax([big]);
    // The last examples' features got the highest rows: the fused model must still read them.
    for (const e of ex.slice(-6)) {
      const [p] = fused.predict(e.features);
      expect(p[0]).toBeCloseTo(big.predict(e.features).probabilities.p, 3);
    }
  });
  it('refuses models trained on different examples', () => {
    const other = new SoftmaxRegression(['a', 'b'], opts).train(rows.slice(0, 3).map((r) => ({ features: r.f, label: r.l1 })));
    expect(() => new FusedSoftmax([m1, other])).toThrow();
  });
});

describe('language with a prepared text', () => {
  it('gives the same answer whether triage prepared the text or not', () => {
    for (const s of [...SAMPLES, 'Hallo, mein Paket ist immer noch nicht da', 'hola donde esta mi pedido', 'ok', 'refund pls', 'mi scrivete su info@example.com per il reso?']) {
      expect(detectLanguage(s, undefined, prepareText(s))).toEqual(detectLanguage(s));
    }
  });
  it('settles clear after-sales text without eld, and asks eld when the evidence is thin', () => {
    const clear = detectLanguage('Hallo, meine Bestellung ist immer noch nicht angekommen, wo bleibt das Paket?');
    expect(clear.language).toBe('de');
    expect(clear.reasons).toContain('after-sales words and letters');
    const thin = detectLanguage('ok ok');
    expect(thin.reasons).not.toContain('after-sales words and letters');
  });
});
