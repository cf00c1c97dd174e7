/**
 * What the helpdesk calls: translate an inbound message for the agent, or the agent's reply
 * for the customer. These never throw: a failure comes back as {ok:false, error} next to
 * the original text, so neither the customer's message nor the agent's reply is ever lost.
 */
import { TranslationError, type TranslationErrorCode } from './errors.ts';
import { describeLanguage, isAuto, parseLanguage, sameLanguage } from './languages.ts';
import type { Translator } from './types.ts';

export interface TranslationFailure {
  code: TranslationErrorCode;
  message: string;
  /** Seconds to wait before retrying ('rate_limited'). */
  retryAfter?: number;
  /** ISO 639-1 of the customer's language, when known: the UI offers reply templates in it. */
  customerLanguage?: string;
}

export type TranslationOutcome =
  | {
      ok: true;
      text: string;
      provider: string;
      detectedFrom?: string;
      /** True when nothing had to be translated (same language, empty text). */
      skipped?: boolean;
    }
  | { ok: false; error: TranslationFailure; original: string };

export interface ForAgentInput {
  text: string;
  /** The message's language from triage; null when unknown. */
  from: string | null | undefined;
  /** The agent's working language, usually "zh" or "en". */
  agentLanguage: string;
  format?: 'text' | 'html';
}

export interface ForCustomerInput {
  text: string;
  /** The language the agent wrote in. */
  from: 'zh' | 'en' | (string & {});
  /** The customer's language (a BCP 47 tag such as "pt-BR" picks the variant). */
  customerLanguage: string;
  format?: 'text' | 'html';
}

/** An inbound customer message, translated into the agent's language. */
export async function translateForAgent(translator: Translator, input: ForAgentInput): Promise<TranslationOutcome> {
  const customer = isAuto(input.from) ? undefined : baseOf(input.from as string);
  return run(translator, input.text, input.from ?? null, input.agentLanguage, input.format, customer, (lang) =>
    lang
      ? `No translation provider is configured; this message is in ${describeLanguage(lang)}. Reply with a template in ${describeLanguage(lang)}, or ask an admin to set TRANSLATE_PROVIDER (libretranslate, deepl or llm).`
      : 'No translation provider is configured, and the language of this message was not recognised. Ask an admin to set TRANSLATE_PROVIDER (libretranslate, deepl or llm).',
  );
}

/** The agent's reply (Chinese or English), translated into the customer's language for preview and sending. */
export async function translateForCustomer(translator: Translator, input: ForCustomerInput): Promise<TranslationOutcome> {
  const customer = baseOf(input.customerLanguage);
  return run(translator, input.text, input.from, input.customerLanguage, input.format, customer, (lang) =>
    lang
      ? `No translation provider is configured; this customer needs a reply in ${describeLanguage(lang)}. Use a reply template in ${describeLanguage(lang)}, or ask an admin to set TRANSLATE_PROVIDER (libretranslate, deepl or llm).`
      : 'No translation provider is configured. Ask an admin to set TRANSLATE_PROVIDER (libretranslate, deepl or llm).',
  );
}

async function run(
  translator: Translator,
  text: string,
  from: string | null,
  to: string,
  format: 'text' | 'html' | undefined,
  customerLanguage: string | undefined,
  noProviderMessage: (lang: string | undefined) => string,
): Promise<TranslationOutcome> {
  const original = typeof text === 'string' ? text : '';
  try {
    if (typeof text !== 'string') throw new TranslationError('bad_request', 'The text to translate must be a string.');
    if (text.trim() === '') return { ok: true, text, provider: translator.name, skipped: true };
    if (!isAuto(from) && typeof to === 'string' && !isAuto(to)) {
      if (sameLanguage(parseLanguage(from as string), parseLanguage(to))) {
        return { ok: true, text, provider: translator.name, detectedFrom: baseOf(from as string), skipped: true };
      }
    }
    const r = await translator.translate({ text, from, to, format });
    return { ok: true, text: r.text, provider: r.provider, detectedFrom: r.detectedFrom };
  } catch (e) {
    if (e instanceof TranslationError) {
      const message = e.code === 'no_provider' ? noProviderMessage(customerLanguage) : e.message;
      const error: TranslationFailure = { code: e.code, message };
      if (e.retryAfter !== undefined) error.retryAfter = e.retryAfter;
      if (customerLanguage) error.customerLanguage = customerLanguage;
      return { ok: false, error, original };
    }
    const error: TranslationFailure = {
      code: 'provider_error',
      message: `Translation failed: ${e instanceof Error ? e.message : String(e)}. The original text is kept.`,
    };
    if (customerLanguage) error.customerLanguage = customerLanguage;
    return { ok: false, error, original };
  }
}

function baseOf(code: string): string | undefined {
  try {
    return parseLanguage(code).base;
  } catch {
    return undefined;
  }
}
