/**
 * A minimal client for OpenAI-compatible chat completions (OpenAI, Ollama, vLLM, DeepSeek,
 * Qwen/DashScope, LM Studio…): `POST {LLM_BASE_URL}/chat/completions` with
 * `Authorization: Bearer LLM_API_KEY`. Off unless LLM_BASE_URL is set.
 *
 * Every failure is an LlmError with a stable code and a message an operator can act on;
 * 429 and 5xx answers are retried a bounded number of times with backoff.
 */

export type LlmErrorCode =
  | 'not_configured'
  | 'timeout'
  | 'network'
  | 'auth_failed'
  | 'rate_limited'
  | 'bad_request'
  | 'server_error'
  | 'bad_response';

export class LlmError extends Error {
  readonly code: LlmErrorCode;
  /** HTTP status of the last answer, when there was one. */
  readonly status?: number;
  /** Seconds the server asked us to wait (Retry-After), for 'rate_limited'. */
  readonly retryAfter?: number;

  constructor(code: LlmErrorCode, message: string, extra: { status?: number; retryAfter?: number; cause?: unknown } = {}) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.name = 'LlmError';
    this.code = code;
    this.status = extra.status;
    this.retryAfter = extra.retryAfter;
  }
}

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatRequest {
  messages: ChatMessage[];
  temperature?: number;
  maxTokens?: number;
}

export interface LlmClientOptions {
  baseUrl: string;
  apiKey?: string;
  model?: string;
  /** Per attempt. Default 60 s. */
  timeoutMs?: number;
  /** Retries after a 429 or 5xx answer. Default 2. */
  maxRetries?: number;
  /** First backoff delay; doubles each retry (with jitter). Default 500 ms. */
  retryBaseMs?: number;
  /** Longest single wait; a Retry-After beyond it fails at once instead of waiting. Default 10 s. */
  retryMaxMs?: number;
}

export interface LlmClient {
  readonly baseUrl: string;
  readonly model?: string;
  chat(req: ChatRequest): Promise<string>;
}

/** The shape of Config['llm'] (src/core/config.ts). */
export interface LlmSettings {
  baseUrl: string;
  apiKey?: string;
  model?: string;
  timeoutMs?: number;
}

/** The client when LLM_BASE_URL is set, otherwise undefined (the LLM is off). */
export function createLlmClient(settings: LlmSettings | undefined, overrides: Partial<LlmClientOptions> = {}): LlmClient | undefined {
  if (!settings?.baseUrl) return undefined;
  return new OpenAiCompatibleClient({ ...settings, ...overrides });
}

/** `https://host/v1/` and `https://host/v1/chat/completions` both mean the same endpoint. */
export function chatCompletionsUrl(baseUrl: string): string {
  let base = baseUrl.trim().replace(/\/+$/, '');
  if (base.endsWith('/chat/completions')) return base;
  base = base.replace(/\/chat$/, '');
  return `${base}/chat/completions`;
}

/** Retry-After: delta-seconds or an HTTP date. Returns seconds, or undefined. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.ceil(Number(trimmed));
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, Math.ceil((date - now) / 1000));
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

class OpenAiCompatibleClient implements LlmClient {
  readonly baseUrl: string;
  readonly model?: string;
  private readonly url: string;
  private readonly apiKey?: string;
  private readonly timeoutMs: number;
  private readonly maxRetries: number;
  private readonly retryBaseMs: number;
  private readonly retryMaxMs: number;

  constructor(o: LlmClientOptions) {
    this.baseUrl = o.baseUrl;
    this.url = chatCompletionsUrl(o.baseUrl);
    this.apiKey = o.apiKey || undefined;
    this.model = o.model || undefined;
    this.timeoutMs = o.timeoutMs ?? 60_000;
    this.maxRetries = Math.max(0, Math.min(o.maxRetries ?? 2, 5));
    this.retryBaseMs = o.retryBaseMs ?? 500;
    this.retryMaxMs = o.retryMaxMs ?? 10_000;
  }

  async chat(req: ChatRequest): Promise<string> {
    const body: Record<string, unknown> = {
      messages: req.messages,
      temperature: req.temperature ?? 0,
      stream: false,
    };
    if (this.model) body.model = this.model;
    if (req.maxTokens !== undefined) body.max_tokens = req.maxTokens;
    const payload = JSON.stringify(body);

    for (let attempt = 0; ; attempt++) {
      try {
        return await this.once(payload);
      } catch (e) {
        if (!(e instanceof LlmError) || attempt >= this.maxRetries) throw e;
        const retryable = e.code === 'rate_limited' || e.code === 'server_error';
        if (!retryable) throw e;
        let wait = this.retryBaseMs * 2 ** attempt;
        wait = wait / 2 + Math.random() * (wait / 2);
        if (e.retryAfter !== undefined) wait = Math.max(wait, e.retryAfter * 1000);
        if (wait > this.retryMaxMs) throw e; // the server wants a longer pause than we may wait
        await sleep(wait);
      }
    }
  }

  private async once(payload: string): Promise<string> {
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    if (this.apiKey) headers.authorization = `Bearer ${this.apiKey}`;
    const signal = AbortSignal.timeout(this.timeoutMs);
    let res: Response;
    let text: string;
    try {
      res = await fetch(this.url, { method: 'POST', headers, body: payload, signal });
      text = await res.text();
    } catch (e) {
      throw this.transportError(e);
    }

    if (!res.ok) throw this.statusError(res, text);

    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new LlmError('bad_response', `The LLM at ${this.url} answered with something that is not JSON: ${snippet(text)}`, {
        status: res.status,
      });
    }
    const content = extractContent(json);
    if (content === undefined) {
      throw new LlmError(
        'bad_response',
        `The LLM at ${this.url} answered without choices[0].message.content: ${snippet(text)}`,
        { status: res.status },
      );
    }
    return content;
  }

  private transportError(e: unknown): LlmError {
    const name = e instanceof Error ? e.name : '';
    if (name === 'TimeoutError' || name === 'AbortError') {
      return new LlmError('timeout', `The LLM at ${this.url} did not answer within ${formatMs(this.timeoutMs)}`, { cause: e });
    }
    return new LlmError('network', `Could not reach the LLM at ${this.url}: ${networkReason(e)}`, { cause: e });
  }

  private statusError(res: Response, text: string): LlmError {
    const status = res.status;
    const detail = errorDetail(text);
    const tail = detail ? `: ${detail}` : '';
    if (status === 401 || status === 403) {
      return new LlmError(
        'auth_failed',
        `The LLM at ${this.url} refused the API key (${status})${tail}. Check LLM_API_KEY.`,
        { status },
      );
    }
    if (status === 429) {
      const retryAfter = parseRetryAfter(res.headers.get('retry-after'));
      const when = retryAfter !== undefined ? ` Try again in ${retryAfter} s.` : ' Try again shortly.';
      return new LlmError('rate_limited', `The LLM at ${this.url} is rate limiting requests (429)${tail}.${when}`, {
        status,
        retryAfter,
      });
    }
    if (status >= 500) {
      return new LlmError('server_error', `The LLM at ${this.url} failed (${status})${tail}`, { status });
    }
    return new LlmError('bad_request', `The LLM at ${this.url} rejected the request (${status})${tail}`, { status });
  }
}

function extractContent(json: unknown): string | undefined {
  if (!isRecord(json) || !Array.isArray(json.choices) || json.choices.length === 0) return undefined;
  const first: unknown = json.choices[0];
  if (!isRecord(first) || !isRecord(first.message)) return undefined;
  const content = first.message.content;
  return typeof content === 'string' ? content : undefined;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The message inside an OpenAI-style `{"error":{"message"}}`, `{"error":"…"}` or `{"message"}` body. */
export function errorDetail(text: string): string {
  try {
    const json: unknown = JSON.parse(text);
    if (isRecord(json)) {
      const err = json.error;
      if (typeof err === 'string') return snippet(err);
      if (isRecord(err) && typeof err.message === 'string') return snippet(err.message);
      if (typeof json.message === 'string') return snippet(json.message);
      if (typeof json.detail === 'string') return snippet(json.detail);
    }
  } catch {
    // not JSON: fall through to the raw text
  }
  return snippet(text);
}

export function snippet(text: string, max = 200): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

export function formatMs(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${ms} ms`;
}

const NETWORK_REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused (is the service running?)',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host not found',
  ECONNRESET: 'the connection was closed',
  UND_ERR_SOCKET: 'the connection was closed',
  ETIMEDOUT: 'the connection timed out',
  UND_ERR_CONNECT_TIMEOUT: 'the connection timed out',
};

/** "connection refused", "host not found"… from a fetch failure. */
export function networkReason(e: unknown): string {
  const cause = e instanceof Error ? (e.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  const code = cause && typeof cause.code === 'string' ? cause.code : undefined;
  const known = code ? NETWORK_REASONS[code] : undefined;
  if (known) return known;
  if (cause && typeof cause.message === 'string' && cause.message) return cause.message;
  return e instanceof Error ? e.message : String(e);
}
