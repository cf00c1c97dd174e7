import { formatMs, networkReason } from '../llm/client.ts';
import { TranslationError } from './errors.ts';

export interface HttpAnswer {
  status: number;
  headers: Headers;
  text: string;
}

export interface HttpCall {
  provider: string;
  /** How messages name the service, e.g. "LibreTranslate at http://localhost:5000". */
  label: string;
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  timeoutMs: number;
}

/** One HTTP exchange; a transport failure becomes a 'timeout' or 'network' TranslationError. */
export async function httpCall(call: HttpCall): Promise<HttpAnswer> {
  const signal = AbortSignal.timeout(call.timeoutMs);
  try {
    const res = await fetch(call.url, {
      method: call.method ?? 'POST',
      headers: { accept: 'application/json', ...call.headers },
      body: call.body,
      signal,
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, text };
  } catch (e) {
    const name = e instanceof Error ? e.name : '';
    if (name === 'TimeoutError' || name === 'AbortError') {
      throw new TranslationError(
        'timeout',
        `${call.label} did not answer within ${formatMs(call.timeoutMs)}; the original text is kept. Try again later.`,
        { provider: call.provider, cause: e },
      );
    }
    throw new TranslationError('network', `Could not reach ${call.label}: ${networkReason(e)}.`, {
      provider: call.provider,
      cause: e,
    });
  }
}

export function parseJson(answer: HttpAnswer, provider: string, label: string): unknown {
  try {
    return JSON.parse(answer.text);
  } catch {
    throw new TranslationError('bad_response', `${label} answered with something that is not JSON (${answer.status}).`, {
      provider,
      status: answer.status,
    });
  }
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function trimSlash(url: string): string {
  return url.trim().replace(/\/+$/, '');
}
