import { describe, expect, it } from 'vitest';
import { fill, pickLanguage, RTL, STRINGS } from '../../../web/widget/i18n.ts';
import { baseLanguage, originAllowed, widgetMessage } from './conversations.ts';
import { escapeHtml, demoPage } from './demo-page.ts';

describe('widget words', () => {
  const keys = Object.keys(STRINGS.en).sort();
  it('has every text in every language, with the same placeholders', () => {
    for (const code of ['en', 'zh', 'de', 'fr', 'es', 'it', 'ja', 'ko', 'ar', 'pt']) expect(STRINGS[code], code).toBeDefined();
    for (const [code, s] of Object.entries(STRINGS)) {
      expect(Object.keys(s).sort(), code).toEqual(keys);
      for (const k of keys) {
        const v = s[k as keyof typeof s];
        expect(v.trim(), `${code}.${k}`).not.toBe('');
        const holes = (x: string) => (x.match(/\{\w+\}/g) ?? []).sort();
        expect(holes(v), `${code}.${k}`).toEqual(holes(STRINGS.en[k as keyof typeof s]));
        if (code !== 'en' && !['email', 'emailRequired', 'agent', 'title', 'you'].includes(k)) expect(v, `${code}.${k} is still English`).not.toBe(STRINGS.en[k as keyof typeof s]);
      }
    }
  });
  it('picks the first supported language of the browser, Arabic right-to-left', () => {
    expect(pickLanguage(['de-AT', 'en'])).toBe('de');
    expect(pickLanguage(['sw', 'pt-BR'])).toBe('pt');
    expect(pickLanguage(['zh-Hant-TW'])).toBe('zh');
    expect(pickLanguage(['xx'])).toBe('en');
    expect(RTL.has(pickLanguage(['ar-SA']))).toBe(true);
    expect(fill(STRINGS.de.typing, { name: 'Lena' })).toBe('Lena schreibt…');
  });
});

describe('chat helpers', () => {
  it('reduces language tags', () => {
    expect(baseLanguage('de-AT')).toBe('de');
    expect(baseLanguage('JA')).toBe('ja');
    expect(baseLanguage('zh_CN')).toBe('zh');
    expect(baseLanguage(undefined)).toBeNull();
    expect(baseLanguage('x')).toBeNull();
  });
  it('allows any origin without a list, only listed ones with one', () => {
    const any = { storeId: 's', enabled: true, allowedOrigins: [] };
    const some = { storeId: 's', enabled: true, allowedOrigins: ['https://shop.example'] };
    expect(originAllowed(any, 'https://x.example')).toBe(true);
    expect(originAllowed(some, 'https://shop.example')).toBe(true);
    expect(originAllowed(some, 'https://SHOP.example/')).toBe(true);
    expect(originAllowed(some, 'https://shop.example.evil.example')).toBe(false);
    expect(originAllowed(some, undefined)).toBe(true);
  });
  it('never turns an internal note or a system line into a widget message', () => {
    const base = { id: 'm', ticketId: 't', authorId: 'u', authorName: 'Lena', body: 'hi', language: 'en', channel: 'chat', createdAt: new Date(0).toISOString() };
    expect(widgetMessage({ ...base, authorType: 'agent', internal: true })).toBeNull();
    expect(widgetMessage({ ...base, authorType: 'system', internal: false })).toBeNull();
    expect(widgetMessage({ ...base, authorType: 'agent', internal: false })).toMatchObject({ from: 'agent', authorName: 'Lena' });
    expect(widgetMessage({ ...base, authorType: 'customer', internal: false })).toMatchObject({ from: 'visitor', authorName: null });
  });
  it('escapes the demo page', () => {
    expect(escapeHtml(`<a href="x">'&`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;');
    const html = demoPage({ storeId: 'id"><script>', storeName: '<b>Shop</b>', lang: 'de"' });
    expect(html).not.toContain('<b>Shop</b>');
    expect(html).not.toContain('id"><script>');
    expect(html).toContain('data-store="id&quot;&gt;&lt;script&gt;"');
    expect(html).not.toContain('data-lang');
  });
});
