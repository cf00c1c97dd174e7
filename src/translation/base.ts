import { TranslationError } from './errors.ts';
import { describeLanguage, isAuto, parseLanguage, sameLanguage, type LanguageTag } from './languages.ts';
import type { TranslateRequest, TranslateResult, Translator, TranslatorName } from './types.ts';

/** Refuses text longer than this (a provider call per chunk costs time and money). */
export const DEFAULT_MAX_TOTAL_CHARS = 100_000;

export interface Parsed {
  text: string;
  from: LanguageTag | null;
  to: LanguageTag;
  /** The request's codes as ISO 639-1, for errors and results. */
  fromCode?: string;
  toCode: string;
  format: 'text' | 'html';
}

/**
 * What every provider shares: validation of the request, the shortcuts that need no call
 * (empty text, same language), the size guard, and the TranslationError contract.
 */
export abstract class BaseTranslator implements Translator {
  abstract readonly name: TranslatorName;
  readonly available: boolean = true;
  readonly reason?: string;
  protected readonly maxTotalChars: number;

  constructor(maxTotalChars = DEFAULT_MAX_TOTAL_CHARS) {
    this.maxTotalChars = maxTotalChars;
  }

  async translate(req: TranslateRequest): Promise<TranslateResult> {
    const p = this.parse(req);
    if (p.text.trim() === '') return { text: p.text, provider: this.name, detectedFrom: p.fromCode };
    if (p.from && sameLanguage(p.from, p.to)) return { text: p.text, provider: this.name, detectedFrom: p.fromCode };
    if (p.text.length > this.maxTotalChars) {
      throw new TranslationError(
        'text_too_long',
        `This text is ${p.text.length.toLocaleString('en')} characters long; translation is limited to ${this.maxTotalChars.toLocaleString('en')}. The original text is kept.`,
        { provider: this.name, from: p.fromCode, to: p.toCode },
      );
    }
    try {
      return await this.run(p);
    } catch (e) {
      if (e instanceof TranslationError) {
        if (e.from !== undefined || e.to !== undefined || e.provider === undefined) throw e;
        // add the languages so the UI can name them
        throw new TranslationError(e.code, e.message, {
          provider: e.provider,
          status: e.status,
          retryAfter: e.retryAfter,
          from: p.fromCode,
          to: p.toCode,
          cause: e.cause,
        });
      }
      throw new TranslationError('provider_error', `Translation with ${this.name} failed: ${e instanceof Error ? e.message : String(e)}`, {
        provider: this.name,
        from: p.fromCode,
        to: p.toCode,
        cause: e,
      });
    }
  }

  protected parse(req: TranslateRequest): Parsed {
    if (typeof req.text !== 'string') throw new TranslationError('bad_request', 'The text to translate must be a string.');
    if (typeof req.to !== 'string' || isAuto(req.to)) {
      throw new TranslationError('unsupported_language', 'The target language is missing (expected ISO 639-1, e.g. "de").');
    }
    const to = parseLanguage(req.to);
    const from = isAuto(req.from) ? null : parseLanguage(req.from as string);
    return { text: req.text, from, to, fromCode: from?.base, toCode: to.base, format: req.format ?? 'text' };
  }

  protected abstract run(p: Parsed): Promise<TranslateResult>;
}

/** `none`, or a provider whose settings are missing: says which language is needed. */
export class UnavailableTranslator implements Translator {
  readonly available = false;
  readonly name: TranslatorName;
  readonly reason: string;

  constructor(name: TranslatorName, reason: string) {
    this.name = name;
    this.reason = reason;
  }

  translate(req: TranslateRequest): Promise<TranslateResult> {
    const from = isAuto(req.from) ? undefined : safe(req.from as string);
    const to = typeof req.to === 'string' && !isAuto(req.to) ? safe(req.to) : undefined;
    const parts: string[] = [];
    if (from) parts.push(`this message is in ${describeLanguage(from)}`);
    if (to) parts.push(`${from ? 'it' : 'this message'} needs ${describeLanguage(to)}`);
    const what = parts.length > 0 ? `; ${parts.join(' and ')}` : '';
    const code = this.name === 'none' ? 'no_provider' : 'not_configured';
    const fix =
      this.name === 'none'
        ? 'Use a reply template in the customer’s language, or ask an admin to set TRANSLATE_PROVIDER (libretranslate, deepl or llm).'
        : this.reason;
    const head = this.name === 'none' ? 'No translation provider is configured' : `The ${this.name} translation provider is not set up`;
    return Promise.reject(new TranslationError(code, `${head}${what}. ${fix}`, { provider: this.name, from, to }));
  }
}

function safe(code: string): string | undefined {
  try {
    return parseLanguage(code).base;
  } catch {
    return undefined;
  }
}
