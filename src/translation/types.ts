export type TranslatorName = 'none' | 'libretranslate' | 'deepl' | 'llm';

export interface TranslateRequest {
  text: string;
  /** ISO 639-1 (or a BCP 47 tag such as "pt-BR", "zh-Hans"); null/undefined/"auto" = let the provider detect it. */
  from?: string | null;
  /** ISO 639-1 or a BCP 47 tag: "en-GB" and "pt-PT" choose those variants where the provider has them. */
  to: string;
  format?: 'text' | 'html';
}

export interface TranslateResult {
  text: string;
  /** ISO 639-1 of the source as the provider detected it, when it says. */
  detectedFrom?: string;
  provider: string;
}

export interface Translator {
  readonly name: TranslatorName;
  /** False for `none` and for a provider whose settings are missing (see `reason`). */
  readonly available: boolean;
  /** Why the translator is unavailable, for the admin screen and logs. */
  readonly reason?: string;
  /** Throws a TranslationError on every failure; the caller keeps the original text. */
  translate(req: TranslateRequest): Promise<TranslateResult>;
}
