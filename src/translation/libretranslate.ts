/**
 * LibreTranslate (https://libretranslate.com, self-hostable): `POST /translate` with a JSON
 * body {q, source, target, format, api_key?} → {translatedText, detectedLanguage?};
 * `GET /languages` → [{code, name, targets}]. Errors are {error} with 400, 403, 429, 500.
 */
import { errorDetail, parseRetryAfter } from '../llm/client.ts';
import { BaseTranslator, type Parsed } from './base.ts';
import { translateChunked } from './chunk.ts';
import { TranslationError } from './errors.ts';
import { httpCall, isRecord, parseJson, trimSlash, type HttpAnswer } from './http.ts';
import { describeLanguage, type LanguageTag } from './languages.ts';
import type { TranslateResult } from './types.ts';

export interface LibreTranslateOptions {
  url: string;
  apiKey?: string;
  /** Per request. Default 20 s. */
  timeoutMs?: number;
  /** Longest piece sent in one request. Default 2,000 characters (libretranslate.com's limit). */
  maxChars?: number;
  maxTotalChars?: number;
}

/** Seconds suggested after a 429 that carries no Retry-After header. */
const DEFAULT_RETRY_AFTER = 10;

/**
 * LibreTranslate's code for a language, given the codes its /languages lists (null when
 * unknown). Chinese is "zh" on older servers and "zh-Hans"/"zh-Hant" (older: "zt") on newer
 * ones; Brazilian Portuguese is "pb" where offered.
 */
export function libreCode(tag: LanguageTag, offered: ReadonlySet<string> | null): string | undefined {
  let candidates: string[];
  if (tag.base === 'zh') candidates = tag.script === 'Hant' ? ['zh-Hant', 'zt', 'zh', 'zh-Hans'] : ['zh-Hans', 'zh'];
  else if (tag.base === 'pt') candidates = tag.region === 'BR' ? ['pb', 'pt'] : ['pt', 'pb'];
  else candidates = [tag.base];
  if (!offered) return tag.base === 'zh' ? (tag.script === 'Hant' ? 'zh-Hant' : 'zh') : tag.base;
  return candidates.find((c) => offered.has(c));
}

/** ISO 639-1 for a LibreTranslate code ("zh-Hans" → "zh", "pb" → "pt"). */
export function fromLibreCode(code: string): string {
  const c = code.toLowerCase();
  if (c === 'zt' || c.startsWith('zh')) return 'zh';
  if (c === 'pb') return 'pt';
  return c.split('-')[0];
}

export class LibreTranslateTranslator extends BaseTranslator {
  readonly name = 'libretranslate' as const;
  private readonly url: string;
  private readonly apiKey?: string;
  private readonly timeoutMs: number;
  private readonly maxChars: number;
  private readonly label: string;
  private offered?: Promise<Set<string> | null>;

  constructor(o: LibreTranslateOptions) {
    super(o.maxTotalChars);
    this.url = trimSlash(o.url);
    this.apiKey = o.apiKey || undefined;
    this.timeoutMs = o.timeoutMs ?? 20_000;
    this.maxChars = o.maxChars ?? 2_000;
    this.label = `LibreTranslate at ${this.url}`;
  }

  protected async run(p: Parsed): Promise<TranslateResult> {
    const offered = await this.languages();
    const target = this.code(p.to, p.toCode, offered);
    const source = p.from ? this.code(p.from, p.fromCode as string, offered) : 'auto';
    let detected: string | undefined;
    const text = await translateChunked(p.text, this.maxChars, async (q) => {
      const r = await this.request(q, source, target, p.format);
      detected ??= r.detected;
      return r.text;
    });
    return { text, provider: this.name, detectedFrom: p.fromCode ?? detected };
  }

  private code(tag: LanguageTag, iso: string, offered: Set<string> | null): string {
    const c = libreCode(tag, offered);
    if (!c) {
      const list = offered ? [...offered].sort().join(', ') : '';
      throw new TranslationError('unsupported_language', `${this.label} does not offer ${describeLanguage(iso)}; it offers: ${list}.`, {
        provider: this.name,
      });
    }
    return c;
  }

  /** The codes /languages lists, fetched once; null when the server does not say. */
  private languages(): Promise<Set<string> | null> {
    this.offered ??= this.fetchLanguages().catch((e: unknown) => {
      this.offered = undefined; // try again next time
      throw e;
    });
    return this.offered;
  }

  private async fetchLanguages(): Promise<Set<string> | null> {
    // a timeout or refused connection means the server is down: say so (thrown), don't wait twice
    const answer = await httpCall({
      provider: this.name,
      label: this.label,
      url: `${this.url}/languages`,
      method: 'GET',
      timeoutMs: this.timeoutMs,
    });
    if (answer.status !== 200) return null;
    let json: unknown;
    try {
      json = JSON.parse(answer.text);
    } catch {
      return null;
    }
    if (!Array.isArray(json)) return null;
    const codes = new Set<string>();
    for (const l of json) if (isRecord(l) && typeof l.code === 'string') codes.add(l.code);
    return codes.size > 0 ? codes : null;
  }

  private async request(q: string, source: string, target: string, format: 'text' | 'html'): Promise<{ text: string; detected?: string }> {
    const body: Record<string, string> = { q, source, target, format };
    if (this.apiKey) body.api_key = this.apiKey;
    const answer = await httpCall({
      provider: this.name,
      label: this.label,
      url: `${this.url}/translate`,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      timeoutMs: this.timeoutMs,
    });
    if (answer.status !== 200) throw this.statusError(answer);
    const json = parseJson(answer, this.name, this.label);
    if (!isRecord(json) || typeof json.translatedText !== 'string') {
      throw new TranslationError('bad_response', `${this.label} answered without "translatedText".`, {
        provider: this.name,
        status: answer.status,
      });
    }
    const dl = json.detectedLanguage;
    const detected = isRecord(dl) && typeof dl.language === 'string' ? fromLibreCode(dl.language) : undefined;
    return { text: json.translatedText, detected };
  }

  private statusError(answer: HttpAnswer): TranslationError {
    const { status } = answer;
    const detail = errorDetail(answer.text);
    const tail = detail ? `: ${detail}` : '';
    const info = { provider: this.name, status };
    switch (status) {
      case 400:
        return new TranslationError('bad_request', `${this.label} rejected the request (400)${tail}.`, info);
      case 403:
        return new TranslationError(
          'auth_failed',
          `${this.label} refused access (403)${tail}. Check LIBRETRANSLATE_API_KEY.`,
          info,
        );
      case 429: {
        const retryAfter = parseRetryAfter(answer.headers.get('retry-after')) ?? DEFAULT_RETRY_AFTER;
        return new TranslationError(
          'rate_limited',
          `${this.label} is rate limiting requests (429)${tail}. Try again in ${retryAfter} s; the original text is kept.`,
          { ...info, retryAfter },
        );
      }
      default:
        return new TranslationError(
          status >= 500 ? 'provider_error' : 'bad_request',
          `${this.label} failed (${status})${tail}.`,
          info,
        );
    }
  }
}
