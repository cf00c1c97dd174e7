import { afterEach, describe, expect, it } from 'vitest';
import { TranslationError } from './errors.ts';
import { parseLanguage } from './languages.ts';
import { LibreTranslateTranslator, fromLibreCode, libreCode } from './libretranslate.ts';
import { refusedUrl, startFakeServer, type FakeServer, type RecordedRequest, type Reply } from './test-server.ts';

const NEW_LANGS = ['en', 'de', 'es', 'fr', 'ja', 'pt', 'pb', 'zh-Hans', 'zh-Hant'];
const OLD_LANGS = ['en', 'de', 'es', 'fr', 'ja', 'pt', 'zh', 'zt'];

/** Speaks LibreTranslate's API as documented: /languages, /translate, {error} bodies. */
function libre(langs: string[], apiKey?: string) {
  return (req: RecordedRequest): Reply => {
    if (req.method === 'GET' && req.path === '/languages') {
      return { body: langs.map((code) => ({ code, name: code, targets: langs.filter((l) => l !== code) })) };
    }
    if (req.method === 'POST' && req.path === '/translate') {
      const b = req.json as { q?: string; source?: string; target?: string; format?: string; api_key?: string };
      if (apiKey && b.api_key !== apiKey) return { status: 403, body: { error: 'Invalid API key' } };
      if (!b.q) return { status: 400, body: { error: "Invalid request: missing q parameter" } };
      if (!b.target || !langs.includes(b.target)) return { status: 400, body: { error: `${b.target} is not supported` } };
      if (b.source !== 'auto' && !langs.includes(b.source ?? '')) return { status: 400, body: { error: `${b.source} is not supported` } };
      const out: Record<string, unknown> = { translatedText: `[${b.target}] ${b.q}` };
      if (b.source === 'auto') out.detectedLanguage = { confidence: 90, language: 'de' };
      return { body: out };
    }
    return { status: 404, body: { error: 'Not Found' } };
  };
}

let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function translateCalls(s: FakeServer) {
  return s.requests.filter((r) => r.path === '/translate');
}

describe('LibreTranslate adapter', () => {
  it('sends POST /translate with q, source, target, format and api_key as JSON', async () => {
    server = await startFakeServer(libre(NEW_LANGS, 'secret'));
    const t = new LibreTranslateTranslator({ url: `${server.url}/`, apiKey: 'secret' });
    const r = await t.translate({ text: 'Wo ist mein Paket #1001?', from: 'de', to: 'en' });
    expect(r).toEqual({ text: '[en] Wo ist mein Paket #1001?', provider: 'libretranslate', detectedFrom: 'de' });
    const [call] = translateCalls(server);
    expect(call.method).toBe('POST');
    expect(call.headers['content-type']).toMatch(/application\/json/);
    expect(call.json).toEqual({ q: 'Wo ist mein Paket #1001?', source: 'de', target: 'en', format: 'text', api_key: 'secret' });
  });

  it('omits api_key when none is configured, uses source "auto" and reports the detected language', async () => {
    server = await startFakeServer(libre(NEW_LANGS));
    const t = new LibreTranslateTranslator({ url: server.url });
    const r = await t.translate({ text: 'Hallo', from: null, to: 'zh', format: 'html' });
    expect(r.detectedFrom).toBe('de');
    expect(translateCalls(server)[0].json).toEqual({ q: 'Hallo', source: 'auto', target: 'zh-Hans', format: 'html' });
  });

  it('maps Chinese and Portuguese to what /languages offers (zh-Hans/pb on new servers, zh/zt on old)', async () => {
    server = await startFakeServer(libre(NEW_LANGS));
    const t = new LibreTranslateTranslator({ url: server.url });
    await t.translate({ text: '您好', from: 'zh', to: 'pt-BR' });
    await t.translate({ text: 'Olá', from: 'pt-PT', to: 'zh-TW' });
    const calls = translateCalls(server).map((c) => c.json as { source: string; target: string });
    expect(calls).toEqual([
      expect.objectContaining({ source: 'zh-Hans', target: 'pb' }),
      expect.objectContaining({ source: 'pt', target: 'zh-Hant' }),
    ]);
    expect(server.requests.filter((r) => r.path === '/languages')).toHaveLength(1); // cached

    await server.close();
    server = await startFakeServer(libre(OLD_LANGS));
    const old = new LibreTranslateTranslator({ url: server.url });
    await old.translate({ text: 'Hello', from: 'en', to: 'zh' });
    await old.translate({ text: 'Hello', from: 'en', to: 'zh-Hant' });
    await old.translate({ text: 'Hello', from: 'en', to: 'pt-BR' });
    expect(translateCalls(server).map((c) => (c.json as { target: string }).target)).toEqual(['zh', 'zt', 'pt']);
  });

  it('maps codes without /languages and back', () => {
    expect(libreCode(parseLanguage('zh'), null)).toBe('zh');
    expect(libreCode(parseLanguage('de-DE'), null)).toBe('de');
    expect(libreCode(parseLanguage('ko'), new Set(['en']))).toBeUndefined();
    expect(fromLibreCode('zh-Hans')).toBe('zh');
    expect(fromLibreCode('zt')).toBe('zh');
    expect(fromLibreCode('pb')).toBe('pt');
  });

  it('names a language the server does not offer', async () => {
    server = await startFakeServer(libre(NEW_LANGS));
    const t = new LibreTranslateTranslator({ url: server.url });
    const e = await t.translate({ text: 'Hello', from: 'en', to: 'ko' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(TranslationError);
    expect(e).toMatchObject({ code: 'unsupported_language', from: 'en', to: 'ko' });
    expect((e as Error).message).toContain('Korean (ko)');
    expect(translateCalls(server)).toHaveLength(0);
  });

  it('still works when /languages is missing (proxy) using the classic codes', async () => {
    server = await startFakeServer((req) => (req.path === '/languages' ? { status: 404, body: 'nope' } : libre(OLD_LANGS)(req)));
    const t = new LibreTranslateTranslator({ url: server.url });
    const r = await t.translate({ text: 'Hello', from: 'en', to: 'zh' });
    expect(r.text).toBe('[zh] Hello');
  });

  it('403 → auth_failed naming LIBRETRANSLATE_API_KEY', async () => {
    server = await startFakeServer(libre(NEW_LANGS, 'secret'));
    const t = new LibreTranslateTranslator({ url: server.url, apiKey: 'wrong' });
    const e = await t.translate({ text: 'Hallo', from: 'de', to: 'en' }).catch((x: unknown) => x);
    expect(e).toMatchObject({ name: 'TranslationError', code: 'auth_failed', status: 403, provider: 'libretranslate' });
    expect((e as Error).message).toMatch(/Invalid API key.*LIBRETRANSLATE_API_KEY/);
  });

  it('400 → bad_request with the server message', async () => {
    server = await startFakeServer((req) =>
      req.path === '/languages' ? libre(NEW_LANGS)(req) : { status: 400, body: { error: 'Invalid request: request (9000) exceeds text limit (5000)' } },
    );
    const t = new LibreTranslateTranslator({ url: server.url });
    const e = await t.translate({ text: 'Hallo', from: 'de', to: 'en' }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'bad_request', status: 400 });
    expect((e as Error).message).toContain('exceeds text limit');
  });

  it('429 → rate_limited with retryAfter from Retry-After', async () => {
    server = await startFakeServer((req) =>
      req.path === '/languages'
        ? libre(NEW_LANGS)(req)
        : { status: 429, headers: { 'retry-after': '30' }, body: { error: 'Slowdown: 30 per 1 minute' } },
    );
    const t = new LibreTranslateTranslator({ url: server.url });
    const e = await t.translate({ text: 'Hallo', from: 'de', to: 'en' }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'rate_limited', retryAfter: 30, status: 429 });
    expect((e as Error).message).toMatch(/rate limiting.*Slowdown.*30 s/);
  });

  it('429 without Retry-After still suggests a wait', async () => {
    server = await startFakeServer((req) => (req.path === '/languages' ? libre(NEW_LANGS)(req) : { status: 429, body: { error: 'Slowdown' } }));
    const t = new LibreTranslateTranslator({ url: server.url });
    const e = await t.translate({ text: 'Hallo', from: 'de', to: 'en' }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'rate_limited' });
    expect((e as TranslationError).retryAfter).toBeGreaterThan(0);
  });

  it('500 → provider_error', async () => {
    server = await startFakeServer((req) => (req.path === '/languages' ? libre(NEW_LANGS)(req) : { status: 500, body: { error: 'Translation failed' } }));
    const t = new LibreTranslateTranslator({ url: server.url });
    await expect(t.translate({ text: 'Hallo', from: 'de', to: 'en' })).rejects.toMatchObject({ code: 'provider_error', status: 500 });
  });

  it('malformed answers → bad_response', async () => {
    server = await startFakeServer((req) => (req.path === '/languages' ? libre(NEW_LANGS)(req) : { body: '<html>proxy error</html>' }));
    const t = new LibreTranslateTranslator({ url: server.url });
    await expect(t.translate({ text: 'Hallo', from: 'de', to: 'en' })).rejects.toMatchObject({ code: 'bad_response' });
    server.handle((req) => (req.path === '/languages' ? libre(NEW_LANGS)(req) : { body: { translated: 'x' } }));
    const e = await t.translate({ text: 'Hallo', from: 'de', to: 'en' }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'bad_response' });
    expect((e as Error).message).toContain('translatedText');
  });

  it('a server that never answers → timeout, quickly', async () => {
    server = await startFakeServer(() => 'hang');
    const t = new LibreTranslateTranslator({ url: server.url, timeoutMs: 200 });
    const started = Date.now();
    const e = await t.translate({ text: 'Hallo', from: 'de', to: 'en' }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'timeout', provider: 'libretranslate' });
    expect((e as Error).message).toMatch(/did not answer within 200 ms/);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('connection refused → network, naming the URL', async () => {
    const url = await refusedUrl();
    const t = new LibreTranslateTranslator({ url });
    const e = await t.translate({ text: 'Hallo', from: 'de', to: 'en' }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'network' });
    expect((e as Error).message).toContain(url);
    expect((e as Error).message).toMatch(/refused/);
  });

  it('splits long text under the limit on paragraph boundaries and joins it back with its newlines', async () => {
    server = await startFakeServer(libre(NEW_LANGS));
    const t = new LibreTranslateTranslator({ url: server.url, maxChars: 60 });
    const paras = ['Erster Absatz. Mit zwei Sätzen hier.', 'Zweiter Absatz, etwas länger als der erste hier.', 'Dritter.'];
    const text = `${paras.join('\n\n')}\n`;
    const r = await t.translate({ text, from: 'de', to: 'en' });
    const calls = translateCalls(server);
    // paragraphs 2 and 3 fit in one request together; the newlines between requests are kept
    expect(calls.map((c) => (c.json as { q: string }).q)).toEqual([paras[0], `${paras[1]}\n\n${paras[2]}`]);
    for (const c of calls) expect((c.json as { q: string }).q.length).toBeLessThanOrEqual(60);
    expect(r.text).toBe(`[en] ${paras[0]}\n\n[en] ${paras[1]}\n\n${paras[2]}\n`);
  });

  it('makes no call for empty text or the same language', async () => {
    server = await startFakeServer(libre(NEW_LANGS));
    const t = new LibreTranslateTranslator({ url: server.url });
    expect((await t.translate({ text: '  \n', from: 'de', to: 'en' })).text).toBe('  \n');
    expect((await t.translate({ text: 'Hello', from: 'en-GB', to: 'en' })).text).toBe('Hello');
    expect(server.requests).toHaveLength(0);
  });
});
