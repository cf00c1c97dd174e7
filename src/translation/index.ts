/**
 * Translation providers behind one interface (DESIGN.md, Configuration: TRANSLATE_PROVIDER).
 *
 *   none (default)  nothing is sent anywhere; translate() rejects with 'no_provider' naming the language
 *   libretranslate  LIBRETRANSLATE_URL, LIBRETRANSLATE_API_KEY?
 *   deepl           DEEPL_API_KEY, DEEPL_API_URL? (api-free.deepl.com for ":fx" keys)
 *   llm             LLM_BASE_URL, LLM_API_KEY?, LLM_MODEL
 *   all             TRANSLATE_TIMEOUT_MS (per request)
 */
import type { TranslationSettings } from '../core/config.ts';
import { createLlmClient, type LlmClient, type LlmSettings } from '../llm/client.ts';
import { UnavailableTranslator } from './base.ts';
import { DeepLTranslator } from './deepl.ts';
import { LibreTranslateTranslator } from './libretranslate.ts';
import { LlmTranslator } from './llm.ts';
import type { Translator } from './types.ts';

export type { TranslateRequest, TranslateResult, Translator, TranslatorName } from './types.ts';
export { TranslationError, isTranslationError, type TranslationErrorCode } from './errors.ts';
export { translateForAgent, translateForCustomer, type TranslationOutcome, type TranslationFailure } from './service.ts';
export { SUPPORTED_LANGUAGES, languageName, describeLanguage } from './languages.ts';
export { LibreTranslateTranslator } from './libretranslate.ts';
export { DeepLTranslator } from './deepl.ts';
export { LlmTranslator } from './llm.ts';

/** The part of Config (src/core/config.ts) translation reads. */
export interface TranslatorConfig {
  translateProvider: string;
  llm?: LlmSettings;
  translation?: TranslationSettings;
}

export interface TranslatorOverrides {
  /** Use this LLM client instead of one built from config.llm. */
  llmClient?: LlmClient;
}

export function createTranslator(config: TranslatorConfig, overrides: TranslatorOverrides = {}): Translator {
  const t = config.translation ?? {};
  const provider = (config.translateProvider || 'none').toLowerCase();
  switch (provider) {
    case 'none':
      return new UnavailableTranslator('none', 'No translation provider is configured (TRANSLATE_PROVIDER=none).');
    case 'libretranslate':
      if (!t.libretranslateUrl) {
        return new UnavailableTranslator('libretranslate', 'TRANSLATE_PROVIDER=libretranslate needs LIBRETRANSLATE_URL.');
      }
      return new LibreTranslateTranslator({ url: t.libretranslateUrl, apiKey: t.libretranslateApiKey, timeoutMs: t.timeoutMs });
    case 'deepl':
      if (!t.deeplApiKey) return new UnavailableTranslator('deepl', 'TRANSLATE_PROVIDER=deepl needs DEEPL_API_KEY.');
      return new DeepLTranslator({ apiKey: t.deeplApiKey, apiUrl: t.deeplApiUrl, timeoutMs: t.timeoutMs });
    case 'llm': {
      const client =
        overrides.llmClient ?? createLlmClient(config.llm, t.timeoutMs !== undefined ? { timeoutMs: t.timeoutMs } : {});
      if (!client) return new UnavailableTranslator('llm', 'TRANSLATE_PROVIDER=llm needs LLM_BASE_URL (and usually LLM_MODEL).');
      return new LlmTranslator({ client });
    }
    default:
      return new UnavailableTranslator(
        'none',
        `Unknown TRANSLATE_PROVIDER "${config.translateProvider}" (expected none, libretranslate, deepl or llm).`,
      );
  }
}
