import { afterEach, describe, expect, it } from 'vitest';
import { refusedUrl, startFakeServer, type FakeServer, type RecordedRequest, type Reply } from '../translation/test-server.ts';
import { LlmError, chatCompletionsUrl, createLlmClient, parseRetryAfter } from './client.ts';

const ok = (content: string): Reply => ({
  body: { id: 'chatcmpl-1', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }] },
});

/** Speaks the OpenAI chat completions API: Bearer auth, {model, messages} in, {choices} out. */
function openai(key: string) {
  return (req: RecordedRequest): Reply => {
    if (req.method !== 'POST' || req.path !== '/v1/chat/completions') return { status: 404, body: { error: { message: 'Not found' } } };
    if (req.headers.authorization !== `Bearer ${key}`) {
      return { status: 401, body: { error: { message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key' } } };
    }
    const b = req.json as { model?: string; messages?: { content: string }[] };
    if (!b.model) return { status: 400, body: { error: { message: 'you must provide a model parameter' } } };
    return ok(`echo: ${b.messages?.at(-1)?.content ?? ''}`);
  };
}

let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const fast = { retryBaseMs: 5, retryMaxMs: 200 };

describe('OpenAI-compatible client', () => {
  it('is off without LLM_BASE_URL', () => {
    expect(createLlmClient(undefined)).toBeUndefined();
    expect(createLlmClient({ baseUrl: '' })).toBeUndefined();
  });

  it('builds the chat completions URL from the base', () => {
    expect(chatCompletionsUrl('http://localhost:11434/v1')).toBe('http://localhost:11434/v1/chat/completions');
    expect(chatCompletionsUrl('http://localhost:11434/v1/')).toBe('http://localhost:11434/v1/chat/completions');
    expect(chatCompletionsUrl('https://api.example.com/v1/chat/completions')).toBe('https://api.example.com/v1/chat/completions');
  });

  it('POSTs {model, messages, temperature, max_tokens} with a Bearer key and returns the content', async () => {
    server = await startFakeServer(openai('sk-test'));
    const client = createLlmClient({ baseUrl: `${server.url}/v1`, apiKey: 'sk-test', model: 'qwen2.5:7b' })!;
    const out = await client.chat({ messages: [{ role: 'user', content: 'hi' }], temperature: 0.2, maxTokens: 50 });
    expect(out).toBe('echo: hi');
    const [call] = server.requests;
    expect(call.path).toBe('/v1/chat/completions');
    expect(call.headers.authorization).toBe('Bearer sk-test');
    expect(call.headers['content-type']).toMatch(/application\/json/);
    expect(call.json).toEqual({ model: 'qwen2.5:7b', messages: [{ role: 'user', content: 'hi' }], temperature: 0.2, max_tokens: 50, stream: false });
  });

  it('sends no Authorization header without a key (Ollama, vLLM)', async () => {
    server = await startFakeServer(() => ok('x'));
    await createLlmClient({ baseUrl: server.url, model: 'm' })!.chat({ messages: [{ role: 'user', content: 'hi' }] });
    expect(server.requests[0].headers.authorization).toBeUndefined();
    expect((server.requests[0].json as { temperature: number }).temperature).toBe(0);
  });

  it('401 → auth_failed with the server message, not retried', async () => {
    server = await startFakeServer(openai('sk-right'));
    const client = createLlmClient({ baseUrl: `${server.url}/v1`, apiKey: 'sk-wrong', model: 'm' }, fast)!;
    const e = await client.chat({ messages: [{ role: 'user', content: 'hi' }] }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(LlmError);
    expect(e).toMatchObject({ code: 'auth_failed', status: 401 });
    expect((e as Error).message).toMatch(/Incorrect API key provided.*LLM_API_KEY/);
    expect(server.requests).toHaveLength(1);
  });

  it('400 → bad_request, not retried', async () => {
    server = await startFakeServer(openai('k'));
    const client = createLlmClient({ baseUrl: `${server.url}/v1`, apiKey: 'k' }, fast)!;
    await expect(client.chat({ messages: [{ role: 'user', content: 'hi' }] })).rejects.toMatchObject({ code: 'bad_request', status: 400 });
    expect(server.requests).toHaveLength(1);
  });

  it('retries a 429 after Retry-After and then succeeds', async () => {
    let n = 0;
    server = await startFakeServer(() => (n++ === 0 ? { status: 429, headers: { 'retry-after': '0' }, body: { error: { message: 'Rate limit reached' } } } : ok('done')));
    const client = createLlmClient({ baseUrl: server.url, model: 'm' }, fast)!;
    await expect(client.chat({ messages: [{ role: 'user', content: 'hi' }] })).resolves.toBe('done');
    expect(server.requests).toHaveLength(2);
  });

  it('gives up on 429 after the bounded retries → rate_limited with retryAfter', async () => {
    server = await startFakeServer(() => ({ status: 429, headers: { 'retry-after': '0' }, body: { error: { message: 'Rate limit reached' } } }));
    const client = createLlmClient({ baseUrl: server.url, model: 'm' }, { ...fast, maxRetries: 2 })!;
    const e = await client.chat({ messages: [{ role: 'user', content: 'hi' }] }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'rate_limited', status: 429, retryAfter: 0 });
    expect(server.requests).toHaveLength(3);
  });

  it('does not sleep through a long Retry-After: fails at once with it', async () => {
    server = await startFakeServer(() => ({ status: 429, headers: { 'retry-after': '120' }, body: { error: { message: 'slow down' } } }));
    const client = createLlmClient({ baseUrl: server.url, model: 'm' }, fast)!;
    const started = Date.now();
    const e = await client.chat({ messages: [{ role: 'user', content: 'hi' }] }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'rate_limited', retryAfter: 120 });
    expect((e as Error).message).toMatch(/120 s/);
    expect(server.requests).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('retries 5xx with backoff, then reports server_error', async () => {
    let n = 0;
    server = await startFakeServer(() => (n++ < 1 ? { status: 502, body: 'Bad Gateway' } : ok('recovered')));
    const client = createLlmClient({ baseUrl: server.url, model: 'm' }, fast)!;
    await expect(client.chat({ messages: [{ role: 'user', content: 'hi' }] })).resolves.toBe('recovered');

    server.handle(() => ({ status: 503, body: { error: { message: 'model is loading' } } }));
    const before = server.requests.length;
    const e = await client.chat({ messages: [{ role: 'user', content: 'hi' }] }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'server_error', status: 503 });
    expect((e as Error).message).toContain('model is loading');
    expect(server.requests.length - before).toBe(3);
  });

  it('malformed answers → bad_response', async () => {
    server = await startFakeServer(() => ({ body: 'data: not json' }));
    const client = createLlmClient({ baseUrl: server.url, model: 'm' }, fast)!;
    await expect(client.chat({ messages: [{ role: 'user', content: 'hi' }] })).rejects.toMatchObject({ code: 'bad_response' });
    server.handle(() => ({ body: { choices: [] } }));
    await expect(client.chat({ messages: [{ role: 'user', content: 'hi' }] })).rejects.toMatchObject({ code: 'bad_response' });
    server.handle(() => ({ body: { choices: [{ message: { content: null, refusal: 'no' } }] } }));
    await expect(client.chat({ messages: [{ role: 'user', content: 'hi' }] })).rejects.toMatchObject({ code: 'bad_response' });
  });

  it('a server that never answers → timeout, quickly (no retry)', async () => {
    server = await startFakeServer(() => 'hang');
    const client = createLlmClient({ baseUrl: server.url, model: 'm', timeoutMs: 150 }, fast)!;
    const started = Date.now();
    const e = await client.chat({ messages: [{ role: 'user', content: 'hi' }] }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'timeout' });
    expect((e as Error).message).toMatch(/did not answer within 150 ms/);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('connection refused → network', async () => {
    const url = await refusedUrl();
    const e = await createLlmClient({ baseUrl: url, model: 'm' }, fast)!
      .chat({ messages: [{ role: 'user', content: 'hi' }] })
      .catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'network' });
    expect((e as Error).message).toMatch(/Could not reach the LLM.*refused/);
  });

  it('parses Retry-After in seconds or as a date', () => {
    expect(parseRetryAfter('7')).toBe(7);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30);
  });
});
