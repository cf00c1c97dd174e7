/**
 * DeepL API v2: `POST {base}/v2/translate` with `Authorization: DeepL-Auth-Key KEY` and a
 * JSON body {text: [...], target_lang, source_lang?, tag_handling?} →
 * {translations: [{detected_source_language, text}]}. Errors: 400, 403 (key), 413, 429
 * (too many requests), 456 (quota exceeded), 5xx/529.
 */
import { errorDetail, parseRetryAfter } from '../llm/client.ts';
import { BaseTranslator, type Parsed } from './base.ts';
import { joinChunks, splitForTranslation } from './chunk.ts';
import { TranslationError } from './errors.ts';
import { httpCall, isRecord, parseJson, trimSlash, type HttpAnswer } from './http.ts';
import type { LanguageTag } from './languages.ts';
import type { TranslateResult } from './types.ts';

export interface DeepLOptions {
  apiKey: string;
  /** Default https://api-free.deepl.com for keys ending in ":fx", else https://api.deepl.com. */
  apiUrl?: string;
  /** Per request. Default 20 s. */
  timeoutMs?: number;
  /** For a bare "en" target. Default EN-US. */
  englishVariant?: 'EN-US' | 'EN-GB';
  /** For a bare "pt" target. Default PT-BR. */
  portugueseVariant?: 'PT-BR' | 'PT-PT';
  /** Longest text item. Default 20,000 characters. */
  maxChars?: number;
  maxTotalChars?: number;
}

/** DeepL takes at most 50 texts and 128 KiB per request; stay below. */
const MAX_ITEMS_PER_REQUEST = 50;
const MAX_BYTES_PER_REQUEST = 100_000;
const DEFAULT_RETRY_AFTER = 10;

export function defaultDeepLUrl(apiKey: string): string {
  return apiKey.trim().endsWith(':fx') ? 'https://api-free.deepl.com' : 'https://api.deepl.com';
}

/** DeepL's source_lang: the bare language in upper case ("EN", "PT", "ZH"). */
export function deeplSource(tag: LanguageTag): string {
  return tag.base.toUpperCase();
}

/** DeepL's target_lang: EN-US/EN-GB, PT-BR/PT-PT, ZH-HANS/ZH-HANT, else the language in upper case. */
export function deeplTarget(
  tag: LanguageTag,
  defaults: { english?: 'EN-US' | 'EN-GB'; portuguese?: 'PT-BR' | 'PT-PT' } = {},
): string {
  switch (tag.base) {
    case 'en':
      if (tag.region === 'GB' || tag.region === 'IE' || tag.region === 'AU' || tag.region === 'NZ') return 'EN-GB';
      if (tag.region === 'US') return 'EN-US';
      return defaults.english ?? 'EN-US';
    case 'pt':
      if (tag.region === 'BR') return 'PT-BR';
      if (tag.region === 'PT' || tag.region === 'AO' || tag.region === 'MZ') return 'PT-PT';
      return defaults.portuguese ?? 'PT-BR';
    case 'zh':
      return tag.script === 'Hant' ? 'ZH-HANT' : 'ZH-HANS';
    default:
      return tag.base.toUpperCase();
  }
}

export class DeepLTranslator extends BaseTranslator {
  readonly name = 'deepl' as const;
  private readonly endpoint: string;
  private readonly apiKey: string;
  private readonly timeoutMs: number;
  private readonly maxChars: number;
  private readonly english?: 'EN-US' | 'EN-GB';
  private readonly portuguese?: 'PT-BR' | 'PT-PT';
  private readonly label: string;

  constructor(o: DeepLOptions) {
    super(o.maxTotalChars);
    this.apiKey = o.apiKey.trim();
    const base = trimSlash(o.apiUrl || defaultDeepLUrl(this.apiKey)).replace(/\/v2(\/translate)?$/, '');
    this.endpoint = `${base}/v2/translate`;
    this.timeoutMs = o.timeoutMs ?? 20_000;
    this.maxChars = o.maxChars ?? 20_000;
    this.english = o.englishVariant;
    this.portuguese = o.portugueseVariant;
    this.label = `DeepL (${base})`;
  }

  protected async run(p: Parsed): Promise<TranslateResult> {
    const target = deeplTarget(p.to, { english: this.english, portuguese: this.portuguese });
    const source = p.from ? deeplSource(p.from) : undefined;
    const chunks = splitForTranslation(p.text, this.maxChars);
    const todo = chunks.map((c, i) => ({ i, body: c.body })).filter((c) => c.body !== '');
    const bodies: string[] = chunks.map(() => '');
    let detected: string | undefined;
    for (const batch of batches(todo)) {
      const out = await this.request(
        batch.map((b) => b.body),
        source,
        target,
        p.format,
      );
      batch.forEach((b, k) => (bodies[b.i] = out[k].text));
      detected ??= out[0]?.detected;
    }
    return { text: joinChunks(chunks, bodies), provider: this.name, detectedFrom: p.fromCode ?? detected };
  }

  private async request(
    texts: string[],
    source: string | undefined,
    target: string,
    format: 'text' | 'html',
  ): Promise<{ text: string; detected?: string }[]> {
    const body: Record<string, unknown> = { text: texts, target_lang: target };
    if (source) body.source_lang = source;
    if (format === 'html') body.tag_handling = 'html';
    const answer = await httpCall({
      provider: this.name,
      label: this.label,
      url: this.endpoint,
      headers: { 'content-type': 'application/json', authorization: `DeepL-Auth-Key ${this.apiKey}` },
      body: JSON.stringify(body),
      timeoutMs: this.timeoutMs,
    });
    if (answer.status !== 200) throw this.statusError(answer, source, target);
    const json = parseJson(answer, this.name, this.label);
    const list = isRecord(json) ? json.translations : undefined;
    if (!Array.isArray(list) || list.length !== texts.length) {
      throw new TranslationError(
        'bad_response',
        `${this.label} answered without the expected "translations" (${texts.length} asked).`,
        { provider: this.name, status: answer.status },
      );
    }
    return list.map((t: unknown) => {
      if (!isRecord(t) || typeof t.text !== 'string') {
        throw new TranslationError('bad_response', `${this.label} answered with a translation without "text".`, {
          provider: this.name,
          status: answer.status,
        });
      }
      const d = t.detected_source_language;
      return { text: t.text, detected: typeof d === 'string' && d ? d.toLowerCase().split('-')[0] : undefined };
    });
  }

  private statusError(answer: HttpAnswer, source: string | undefined, target: string): TranslationError {
    const { status } = answer;
    const detail = errorDetail(answer.text);
    const tail = detail ? `: ${detail}` : '';
    const info = { provider: this.name, status };
    switch (status) {
      case 400:
        if (/target_lang|source_lang|language/i.test(detail)) {
          return new TranslationError(
            'unsupported_language',
            `${this.label} does not accept the language pair ${source ?? 'auto'} → ${target} (400)${tail}.`,
            info,
          );
        }
        return new TranslationError('bad_request', `${this.label} rejected the request (400)${tail}.`, info);
      case 401:
      case 403:
        return new TranslationError(
          'auth_failed',
          `${this.label} refused the authentication key (${status})${tail}. Check DEEPL_API_KEY (free keys end in ":fx" and use api-free.deepl.com; set DEEPL_API_URL otherwise).`,
          info,
        );
      case 404:
        return new TranslationError('bad_request', `${this.label}: ${this.endpoint} was not found (404). Check DEEPL_API_URL.`, info);
      case 413:
        return new TranslationError('text_too_long', `${this.label} says the request is too large (413).`, info);
      case 429:
      case 529: {
        const retryAfter = parseRetryAfter(answer.headers.get('retry-after')) ?? DEFAULT_RETRY_AFTER;
        return new TranslationError(
          'rate_limited',
          `${this.label} is receiving too many requests (${status})${tail}. Try again in ${retryAfter} s; the original text is kept.`,
          { ...info, retryAfter },
        );
      }
      case 456:
        return new TranslationError(
          'quota_exceeded',
          `${this.label}: the character quota of this DeepL account is used up (456)${tail}. Raise the limit in the DeepL account or wait for the next billing period.`,
          info,
        );
      default:
        return new TranslationError(
          status >= 500 ? 'provider_error' : 'bad_request',
          `${this.label} failed (${status})${tail}.`,
          info,
        );
    }
  }
}

function* batches<T extends { body: string }>(items: T[]): Generator<T[]> {
  let batch: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = Buffer.byteLength(item.body, 'utf8') + 8;
    if (batch.length > 0 && (batch.length >= MAX_ITEMS_PER_REQUEST || bytes + size > MAX_BYTES_PER_REQUEST)) {
      yield batch;
      batch = [];
      bytes = 0;
    }
    batch.push(item);
    bytes += size;
  }
  if (batch.length > 0) yield batch;
}
