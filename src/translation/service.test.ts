import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../core/config.ts';
import { TranslationError, createTranslator, translateForAgent, translateForCustomer, type Translator } from './index.ts';
import { startFakeServer, type FakeServer } from './test-server.ts';

let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const none = () => createTranslator({ translateProvider: 'none' });

describe('createTranslator', () => {
  it('defaults to none: unavailable, rejects naming the language needed', async () => {
    const t = createTranslator(loadConfig({}));
    expect(t.name).toBe('none');
    expect(t.available).toBe(false);
    const e = await t.translate({ text: 'Wo ist mein Paket?', from: 'de', to: 'zh' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(TranslationError);
    expect(e).toMatchObject({ code: 'no_provider', from: 'de', to: 'zh' });
    expect((e as Error).message).toMatch(/^No translation provider is configured; this message is in German \(de\)/);
  });

  it('reads the provider settings from the environment', () => {
    const env = {
      TRANSLATE_PROVIDER: 'deepl',
      DEEPL_API_KEY: 'k:fx',
      LIBRETRANSLATE_URL: 'http://lt:5000',
      TRANSLATE_TIMEOUT_MS: '5000',
    };
    expect(createTranslator(loadConfig(env))).toMatchObject({ name: 'deepl', available: true });
    expect(createTranslator(loadConfig({ ...env, TRANSLATE_PROVIDER: 'libretranslate' }))).toMatchObject({ name: 'libretranslate', available: true });
    expect(() => loadConfig({ TRANSLATE_TIMEOUT_MS: 'soon' })).toThrow(/TRANSLATE_TIMEOUT_MS/);
  });

  it('a chosen provider without its settings is unavailable and says what is missing', async () => {
    for (const [provider, missing] of [
      ['deepl', 'DEEPL_API_KEY'],
      ['libretranslate', 'LIBRETRANSLATE_URL'],
      ['llm', 'LLM_BASE_URL'],
    ] as const) {
      const t = createTranslator(loadConfig({ TRANSLATE_PROVIDER: provider }));
      expect(t).toMatchObject({ name: provider, available: false });
      expect(t.reason).toContain(missing);
      await expect(t.translate({ text: 'Hallo', from: 'de', to: 'en' })).rejects.toMatchObject({
        code: 'not_configured',
        message: expect.stringContaining(missing) as unknown,
      });
    }
  });
});

describe('translateForAgent / translateForCustomer', () => {
  it('without a provider: ok:false with the language needed, never a throw', async () => {
    const a = await translateForAgent(none(), { text: 'Wo ist mein Paket?', from: 'de', agentLanguage: 'zh' });
    expect(a).toEqual({
      ok: false,
      original: 'Wo ist mein Paket?',
      error: {
        code: 'no_provider',
        customerLanguage: 'de',
        message: expect.stringMatching(/this message is in German \(de\)\. Reply with a template in German \(de\)/) as unknown,
      },
    });
    const c = await translateForCustomer(none(), { text: '您好，我们会退款。', from: 'zh', customerLanguage: 'ja' });
    expect(c.ok).toBe(false);
    if (!c.ok) {
      expect(c.original).toBe('您好，我们会退款。');
      expect(c.error.customerLanguage).toBe('ja');
      expect(c.error.message).toMatch(/needs a reply in Japanese \(ja\)/);
    }
  });

  it('same language or empty text: ok without a provider call', async () => {
    expect(await translateForAgent(none(), { text: 'Where is it?', from: 'en', agentLanguage: 'en' })).toMatchObject({
      ok: true,
      text: 'Where is it?',
      skipped: true,
    });
    expect(await translateForCustomer(none(), { text: '   ', from: 'zh', customerLanguage: 'de' })).toMatchObject({ ok: true, skipped: true });
  });

  it('passes through a provider result, and turns provider failures into ok:false with retryAfter', async () => {
    server = await startFakeServer((req) =>
      req.path === '/languages' ? { body: [{ code: 'en' }, { code: 'de' }, { code: 'zh-Hans' }] } : { body: { translatedText: 'Sehr geehrter Kunde' } },
    );
    const t = createTranslator({ translateProvider: 'libretranslate', translation: { libretranslateUrl: server.url } });
    expect(await translateForCustomer(t, { text: '尊敬的客户', from: 'zh', customerLanguage: 'de' })).toEqual({
      ok: true,
      text: 'Sehr geehrter Kunde',
      provider: 'libretranslate',
      detectedFrom: 'zh',
    });
    server.handle(() => ({ status: 429, headers: { 'retry-after': '12' }, body: { error: 'Slowdown' } }));
    const r = await translateForCustomer(t, { text: '尊敬的客户', from: 'zh', customerLanguage: 'de' });
    expect(r).toMatchObject({ ok: false, original: '尊敬的客户', error: { code: 'rate_limited', retryAfter: 12, customerLanguage: 'de' } });
  });

  it('never throws, even for a broken translator or bad input', async () => {
    const broken: Translator = { name: 'llm', available: true, translate: () => Promise.reject(new Error('boom')) };
    const r = await translateForAgent(broken, { text: 'Hallo', from: 'de', agentLanguage: 'zh' });
    expect(r).toMatchObject({ ok: false, original: 'Hallo', error: { code: 'provider_error' } });
    const bad = await translateForCustomer(none(), { text: 'hi', from: 'en', customerLanguage: '!!' });
    expect(bad).toMatchObject({ ok: false, original: 'hi', error: { code: 'unsupported_language' } });
    const notText = await translateForAgent(none(), { text: 42 as unknown as string, from: 'de', agentLanguage: 'zh' });
    expect(notText).toMatchObject({ ok: false, error: { code: 'bad_request' } });
  });
});
