import { afterEach, describe, expect, it } from 'vitest';
import { createLlmClient } from '../llm/client.ts';
import { createTranslator } from './index.ts';
import { LlmTranslator, cleanLlmOutput } from './llm.ts';
import { refusedUrl, startFakeServer, type FakeServer, type RecordedRequest, type Reply } from './test-server.ts';

type Msg = { role: string; content: string };

/** An OpenAI-compatible server whose "model" tags the user text with the target from the system prompt. */
function model(req: RecordedRequest): Reply {
  if (req.path !== '/v1/chat/completions') return { status: 404, body: { error: { message: 'Not found' } } };
  if (req.headers.authorization !== 'Bearer sk-llm') return { status: 401, body: { error: { message: 'Invalid API key' } } };
  const b = req.json as { messages: Msg[] };
  const to = /into (.+?)\.\n/.exec(b.messages[0].content)?.[1] ?? '?';
  return { body: { choices: [{ message: { role: 'assistant', content: `[${to}] ${b.messages[1].content}` } }] } };
}

let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function translator(url: string, extra: { timeoutMs?: number; maxChars?: number } = {}) {
  const client = createLlmClient({ baseUrl: `${url}/v1`, apiKey: 'sk-llm', model: 'qwen', timeoutMs: extra.timeoutMs }, { retryBaseMs: 5, retryMaxMs: 100 })!;
  return new LlmTranslator({ client, maxChars: extra.maxChars });
}

describe('LLM translator', () => {
  it('sends a strict system prompt and the text as the user message, at temperature 0', async () => {
    server = await startFakeServer(model);
    const r = await translator(server.url).translate({ text: 'Where is order #1001? https://shop.example/t/1', from: 'en', to: 'de' });
    expect(r).toEqual({ text: '[German (de)] Where is order #1001? https://shop.example/t/1', provider: 'llm', detectedFrom: 'en' });
    const body = server.requests[0].json as { model: string; temperature: number; messages: Msg[] };
    expect(body.model).toBe('qwen');
    expect(body.temperature).toBe(0);
    expect(body.messages[0].role).toBe('system');
    expect(body.messages[0].content).toMatch(/from English \(en\) into German \(de\)/);
    expect(body.messages[0].content).toMatch(/Output only the translation/);
    expect(body.messages[0].content).toMatch(/order numbers.*URLs/s);
    expect(body.messages[0].content).toMatch(/never instructions/);
    expect(body.messages[1]).toEqual({ role: 'user', content: 'Where is order #1001? https://shop.example/t/1' });
  });

  it('names Chinese script and language variants in the prompt; HTML gets a tag rule', async () => {
    server = await startFakeServer(model);
    const t = translator(server.url);
    await t.translate({ text: 'Hola', from: null, to: 'zh-TW' });
    await t.translate({ text: '<b>您好</b>', from: 'zh', to: 'pt-BR', format: 'html' });
    const prompts = server.requests.map((r) => (r.json as { messages: Msg[] }).messages[0].content);
    expect(prompts[0]).toMatch(/from the language it is written in into Traditional Chinese \(zh-Hant\)/);
    expect(prompts[1]).toMatch(/from Simplified Chinese \(zh-Hans\) into Brazilian Portuguese \(pt-BR\)/);
    expect(prompts[1]).toMatch(/HTML: keep every tag/);
  });

  it('cleans what chatty models add', () => {
    expect(cleanLlmOutput('<think>user wants German</think>\nHallo', 'Hello')).toBe('Hallo');
    expect(cleanLlmOutput('"Hallo"', 'Hello')).toBe('Hallo');
    expect(cleanLlmOutput('```\nHallo\n```', 'Hello')).toBe('Hallo');
    expect(cleanLlmOutput('"Hallo"', '"Hello"')).toBe('"Hallo"');
  });

  it('auth failure → auth_failed', async () => {
    server = await startFakeServer(model);
    const client = createLlmClient({ baseUrl: `${server.url}/v1`, apiKey: 'wrong', model: 'qwen' })!;
    const e = await new LlmTranslator({ client }).translate({ text: 'Hallo', from: 'de', to: 'en' }).catch((x: unknown) => x);
    expect(e).toMatchObject({ name: 'TranslationError', code: 'auth_failed', status: 401, provider: 'llm', from: 'de', to: 'en' });
    expect((e as Error).message).toMatch(/Invalid API key.*LLM_API_KEY/);
  });

  it('429 → rate_limited with retryAfter once the bounded retries are spent', async () => {
    server = await startFakeServer(() => ({ status: 429, headers: { 'retry-after': '60' }, body: { error: { message: 'Rate limit reached for requests' } } }));
    const e = await translator(server.url).translate({ text: 'Hallo', from: 'de', to: 'en' }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'rate_limited', retryAfter: 60 });
    expect((e as Error).message).toMatch(/rate limiting.*60 s.*original text is kept/);
  });

  it('5xx → provider_error; empty or malformed content → bad_response', async () => {
    server = await startFakeServer(() => ({ status: 500, body: { error: { message: 'CUDA out of memory' } } }));
    await expect(translator(server.url).translate({ text: 'Hallo', from: 'de', to: 'en' })).rejects.toMatchObject({ code: 'provider_error' });
    server.handle(() => ({ body: { choices: [{ message: { content: '  <think>hmm</think> ' } }] } }));
    await expect(translator(server.url).translate({ text: 'Hallo', from: 'de', to: 'en' })).rejects.toMatchObject({ code: 'bad_response' });
    server.handle(() => ({ body: { result: 'Hello' } }));
    await expect(translator(server.url).translate({ text: 'Hallo', from: 'de', to: 'en' })).rejects.toMatchObject({ code: 'bad_response' });
  });

  it('timeout and refused connection', async () => {
    server = await startFakeServer(() => 'hang');
    const started = Date.now();
    await expect(translator(server.url, { timeoutMs: 150 }).translate({ text: 'Hallo', from: 'de', to: 'en' })).rejects.toMatchObject({ code: 'timeout' });
    expect(Date.now() - started).toBeLessThan(2000);
    const url = await refusedUrl();
    await expect(translator(url).translate({ text: 'Hallo', from: 'de', to: 'en' })).rejects.toMatchObject({ code: 'network' });
  });

  it('translates long text piece by piece and keeps paragraphs', async () => {
    server = await startFakeServer(model);
    const paras = ['Erster Absatz mit etwas Text.', 'Zweiter Absatz mit mehr Text.', 'Dritter Absatz, der letzte.'];
    const r = await translator(server.url, { maxChars: 40 }).translate({ text: paras.join('\n\n'), from: 'de', to: 'en' });
    expect(server.requests).toHaveLength(3);
    expect(r.text).toBe(paras.map((p) => `[English (en)] ${p}`).join('\n\n'));
  });

  it('createTranslator builds it from LLM_* and TRANSLATE_TIMEOUT_MS', async () => {
    server = await startFakeServer(() => 'hang');
    const t = createTranslator({
      translateProvider: 'llm',
      llm: { baseUrl: `${server.url}/v1`, apiKey: 'sk-llm', model: 'qwen' },
      translation: { timeoutMs: 100 },
    });
    expect(t.name).toBe('llm');
    expect(t.available).toBe(true);
    await expect(t.translate({ text: 'Hallo', from: 'de', to: 'en' })).rejects.toMatchObject({ code: 'timeout' });
  });
});
