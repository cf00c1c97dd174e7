import { afterEach, describe, expect, it } from 'vitest';
import { DeepLTranslator, deeplSource, deeplTarget, defaultDeepLUrl } from './deepl.ts';
import { TranslationError } from './errors.ts';
import { parseLanguage } from './languages.ts';
import { refusedUrl, startFakeServer, type FakeServer, type RecordedRequest, type Reply } from './test-server.ts';

const KEY = '0a1b2c3d-0000-4000-8000-000000000000:fx';
const TARGETS = ['AR', 'DE', 'EN-GB', 'EN-US', 'ES', 'FR', 'IT', 'JA', 'KO', 'NL', 'PL', 'PT-BR', 'PT-PT', 'RU', 'SV', 'TR', 'ZH-HANS', 'ZH-HANT'];

/** Speaks DeepL API v2 as documented: header auth, {text:[…]} in, {translations:[…]} out. */
function deepl(req: RecordedRequest): Reply {
  if (req.path !== '/v2/translate' || req.method !== 'POST') return { status: 404, body: { message: 'Not found' } };
  if (req.headers.authorization !== `DeepL-Auth-Key ${KEY}`) return { status: 403, body: { message: 'Authorization failure, check auth_key' } };
  const b = req.json as { text?: string[]; target_lang?: string; source_lang?: string };
  if (!Array.isArray(b.text) || b.text.length === 0) return { status: 400, body: { message: "Parameter 'text' not specified." } };
  if (!TARGETS.includes(b.target_lang ?? '')) return { status: 400, body: { message: "Value for 'target_lang' not supported." } };
  return {
    body: { translations: b.text.map((t) => ({ detected_source_language: b.source_lang ?? 'DE', text: `[${b.target_lang}] ${t}` })) },
  };
}

let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const make = (url: string, extra: Partial<ConstructorParameters<typeof DeepLTranslator>[0]> = {}) =>
  new DeepLTranslator({ apiKey: KEY, apiUrl: url, ...extra });

describe('DeepL adapter', () => {
  it('POSTs /v2/translate with the DeepL-Auth-Key header and {text:[…], source_lang, target_lang}', async () => {
    server = await startFakeServer(deepl);
    const r = await make(server.url).translate({ text: 'Mein Paket LX123456789CN ist nicht da.', from: 'de', to: 'en' });
    expect(r).toEqual({ text: '[EN-US] Mein Paket LX123456789CN ist nicht da.', provider: 'deepl', detectedFrom: 'de' });
    const [call] = server.requests;
    expect(call.path).toBe('/v2/translate');
    expect(call.headers.authorization).toBe(`DeepL-Auth-Key ${KEY}`);
    expect(call.headers['content-type']).toMatch(/application\/json/);
    expect(call.json).toEqual({ text: ['Mein Paket LX123456789CN ist nicht da.'], source_lang: 'DE', target_lang: 'EN-US' });
  });

  it('detects the source when from is unknown, and sends tag_handling for HTML', async () => {
    server = await startFakeServer(deepl);
    const r = await make(`${server.url}/v2`).translate({ text: '<p>Hallo</p>', from: null, to: 'zh', format: 'html' });
    expect(r.detectedFrom).toBe('de');
    expect(server.requests[0].json).toEqual({ text: ['<p>Hallo</p>'], target_lang: 'ZH-HANS', tag_handling: 'html' });
  });

  it('maps language codes to DeepL variants', () => {
    const t = (code: string) => deeplTarget(parseLanguage(code));
    expect(t('en')).toBe('EN-US');
    expect(t('en-GB')).toBe('EN-GB');
    expect(t('en_US')).toBe('EN-US');
    expect(t('pt')).toBe('PT-BR');
    expect(t('pt-PT')).toBe('PT-PT');
    expect(t('pt-BR')).toBe('PT-BR');
    expect(t('zh')).toBe('ZH-HANS');
    expect(t('zh-CN')).toBe('ZH-HANS');
    expect(t('zh-TW')).toBe('ZH-HANT');
    expect(t('zh-Hant')).toBe('ZH-HANT');
    expect(t('de')).toBe('DE');
    expect(t('ar')).toBe('AR');
    expect(deeplTarget(parseLanguage('en'), { english: 'EN-GB' })).toBe('EN-GB');
    expect(deeplTarget(parseLanguage('pt'), { portuguese: 'PT-PT' })).toBe('PT-PT');
    expect(deeplSource(parseLanguage('zh-Hans'))).toBe('ZH');
    expect(deeplSource(parseLanguage('pt-BR'))).toBe('PT');
    expect(deeplSource(parseLanguage('EN-gb'))).toBe('EN');
  });

  it('every supported language reaches the fake as a target DeepL accepts', async () => {
    server = await startFakeServer(deepl);
    const t = make(server.url);
    for (const to of ['en', 'es', 'fr', 'de', 'it', 'pt', 'nl', 'pl', 'sv', 'tr', 'ru', 'ar', 'ja', 'ko']) {
      await expect(t.translate({ text: '你好', from: 'zh', to })).resolves.toMatchObject({ provider: 'deepl' });
    }
  });

  it('chooses api-free.deepl.com for ":fx" keys and api.deepl.com otherwise', () => {
    expect(defaultDeepLUrl('abc:fx')).toBe('https://api-free.deepl.com');
    expect(defaultDeepLUrl('abc')).toBe('https://api.deepl.com');
  });

  it('403 → auth_failed naming DEEPL_API_KEY', async () => {
    server = await startFakeServer(deepl);
    const e = await new DeepLTranslator({ apiKey: 'bad', apiUrl: server.url })
      .translate({ text: 'Hallo', from: 'de', to: 'en' })
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(TranslationError);
    expect(e).toMatchObject({ code: 'auth_failed', status: 403, provider: 'deepl', from: 'de', to: 'en' });
    expect((e as Error).message).toMatch(/Authorization failure.*DEEPL_API_KEY/);
  });

  it('429 → rate_limited with retryAfter', async () => {
    server = await startFakeServer(() => ({ status: 429, headers: { 'retry-after': '5' }, body: { message: 'Too many requests' } }));
    const e = await make(server.url).translate({ text: 'Hallo', from: 'de', to: 'en' }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'rate_limited', status: 429, retryAfter: 5 });
    expect((e as Error).message).toMatch(/too many requests.*5 s/i);
  });

  it('456 → quota_exceeded', async () => {
    server = await startFakeServer(() => ({ status: 456, body: { message: 'Quota exceeded' } }));
    const e = await make(server.url).translate({ text: 'Hallo', from: 'de', to: 'en' }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'quota_exceeded', status: 456 });
    expect((e as Error).message).toMatch(/quota/i);
  });

  it('400 for a language DeepL refuses → unsupported_language; 5xx → provider_error', async () => {
    server = await startFakeServer(deepl);
    await expect(make(server.url).translate({ text: 'Hallo', from: 'de', to: 'hi' })).rejects.toMatchObject({
      code: 'unsupported_language',
      status: 400,
    });
    server.handle(() => ({ status: 503, body: '' }));
    await expect(make(server.url).translate({ text: 'Hallo', from: 'de', to: 'en' })).rejects.toMatchObject({
      code: 'provider_error',
      status: 503,
    });
  });

  it('malformed answers → bad_response', async () => {
    server = await startFakeServer(() => ({ body: { translations: [] } }));
    await expect(make(server.url).translate({ text: 'Hallo', from: 'de', to: 'en' })).rejects.toMatchObject({ code: 'bad_response' });
    server.handle(() => ({ body: 'not json' }));
    await expect(make(server.url).translate({ text: 'Hallo', from: 'de', to: 'en' })).rejects.toMatchObject({ code: 'bad_response' });
    server.handle(() => ({ body: { translations: [{ detected_source_language: 'DE' }] } }));
    await expect(make(server.url).translate({ text: 'Hallo', from: 'de', to: 'en' })).rejects.toMatchObject({ code: 'bad_response' });
  });

  it('a server that never answers → timeout, quickly', async () => {
    server = await startFakeServer(() => 'hang');
    const started = Date.now();
    await expect(make(server.url, { timeoutMs: 150 }).translate({ text: 'Hallo', from: 'de', to: 'en' })).rejects.toMatchObject({
      code: 'timeout',
      provider: 'deepl',
    });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('connection refused → network', async () => {
    const url = await refusedUrl();
    const e = await make(url).translate({ text: 'Hallo', from: 'de', to: 'en' }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'network', provider: 'deepl' });
    expect((e as Error).message).toMatch(/Could not reach DeepL.*refused/);
  });

  it('sends long text as several text items in one request and joins the translations with the original newlines', async () => {
    server = await startFakeServer(deepl);
    const lines = Array.from({ length: 6 }, (_, i) => `Satz Nummer ${i + 1} in diesem langen Text.`);
    const text = lines.join('\n');
    const r = await make(server.url, { maxChars: 80 }).translate({ text, from: 'de', to: 'en-GB' });
    expect(server.requests).toHaveLength(1);
    const items = (server.requests[0].json as { text: string[] }).text;
    expect(items.length).toBeGreaterThan(1);
    for (const item of items) expect(item.length).toBeLessThanOrEqual(80);
    expect(items.join('\n')).toBe(text);
    expect(r.text.split('\n')).toHaveLength(6);
    expect(r.text).toBe(items.map((i) => `[EN-GB] ${i}`).join('\n'));
  });
});
