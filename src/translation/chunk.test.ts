import { describe, expect, it } from 'vitest';
import { joinChunks, splitForTranslation, translateChunked } from './chunk.ts';
import { describeLanguage, isAuto, languageName, parseLanguage, sameLanguage } from './languages.ts';

const rebuild = (text: string, max: number) => {
  const chunks = splitForTranslation(text, max);
  for (const c of chunks) expect(c.body.length).toBeLessThanOrEqual(max);
  return joinChunks(chunks, chunks.map((c) => c.body));
};

describe('splitting for translation', () => {
  it('keeps short text in one chunk, with its outer whitespace apart', () => {
    expect(splitForTranslation('  Hallo Welt\n', 100)).toEqual([{ before: '  ', body: 'Hallo Welt', after: '\n' }]);
    expect(splitForTranslation('', 100)).toEqual([{ before: '', body: '', after: '' }]);
  });

  it('splits on paragraphs first, then sentences (CJK too), and rebuilds the exact text', () => {
    const text = 'Erster Satz. Zweiter Satz!\n\nDritter Satz? Vierter.\nFünfter.\n\n\n我的包裹在哪里？已经两个星期了。请尽快回复。';
    for (const max of [5, 12, 20, 30, 60, 1000]) expect(rebuild(text, max)).toBe(text);
    const cjk = splitForTranslation('我的包裹在哪里？已经两个星期了。请尽快回复。', 10).map((c) => c.body);
    expect(cjk).toEqual(['我的包裹在哪里？', '已经两个星期了。', '请尽快回复。']);
  });

  it('prefers paragraph boundaries over sentence ones', () => {
    const a = 'One two three. Four five six.';
    const b = 'Seven eight nine.';
    const chunks = splitForTranslation(`${a}\n\n${b}`, 30);
    expect(chunks.map((c) => c.body)).toEqual([a, b]);
    expect(chunks[0].after + chunks[1].before).toBe('\n\n');
  });

  it('cuts text without any boundary hard, never inside a surrogate pair', () => {
    const text = '😀'.repeat(50);
    const chunks = splitForTranslation(text, 7);
    for (const c of chunks) expect(c.body.length).toBeLessThanOrEqual(7);
    expect(chunks.map((c) => c.body).join('')).toBe(text);
    for (const c of chunks) expect(/^(?:[\uD800-\uDBFF][\uDC00-\uDFFF])*$/.test(c.body)).toBe(true);
  });

  it('handles a megabyte quickly', async () => {
    const text = 'Das ist ein Satz. '.repeat(60_000);
    const started = Date.now();
    const out = await translateChunked(text, 2000, (s) => Promise.resolve(s.toUpperCase()));
    expect(out).toBe(text.toUpperCase());
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describe('language codes', () => {
  it('parses ISO 639-1 and BCP 47 tags', () => {
    expect(parseLanguage('de')).toEqual({ base: 'de' });
    expect(parseLanguage('DE')).toEqual({ base: 'de' });
    expect(parseLanguage('pt_BR')).toEqual({ base: 'pt', region: 'BR' });
    expect(parseLanguage('zh')).toEqual({ base: 'zh', script: 'Hans' });
    expect(parseLanguage('zh-TW')).toMatchObject({ base: 'zh', script: 'Hant' });
    expect(parseLanguage('zh-Hant')).toMatchObject({ base: 'zh', script: 'Hant' });
    expect(() => parseLanguage('German!')).toThrow(/not a language code/);
    expect(() => parseLanguage('')).toThrow(/not a language code/);
  });

  it('auto, sameness and names', () => {
    expect(isAuto(null)).toBe(true);
    expect(isAuto('auto')).toBe(true);
    expect(isAuto('und')).toBe(true);
    expect(isAuto('de')).toBe(false);
    expect(sameLanguage(parseLanguage('en-GB'), parseLanguage('en'))).toBe(true);
    expect(sameLanguage(parseLanguage('zh-TW'), parseLanguage('zh'))).toBe(false);
    expect(describeLanguage('de')).toBe('German (de)');
    expect(languageName('ja', 'zh')).toBe('日语');
  });
});
