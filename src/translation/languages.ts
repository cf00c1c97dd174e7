import { TranslationError } from './errors.ts';

/** The languages crossdesk supports everywhere (DESIGN.md, Vocabulary). Providers may offer more. */
export const SUPPORTED_LANGUAGES = ['en', 'es', 'fr', 'de', 'it', 'pt', 'nl', 'pl', 'sv', 'tr', 'ru', 'ar', 'ja', 'ko', 'zh'] as const;
export type SupportedLanguage = (typeof SUPPORTED_LANGUAGES)[number];

export interface LanguageTag {
  /** ISO 639-1 (lower case), e.g. "pt". */
  base: string;
  /** ISO 3166 region (upper case) when given, e.g. "BR". */
  region?: string;
  /** ISO 15924 script: always set for Chinese ("Hans" unless the tag says Hant/TW/HK/MO). */
  script?: string;
}

const AUTO = new Set(['', 'auto', 'und', 'unknown', 'mul']);

/** True when `from` asks the provider to detect the language. */
export function isAuto(code: string | null | undefined): boolean {
  return code === null || code === undefined || AUTO.has(code.trim().toLowerCase());
}

/** Parses "de", "DE", "de_DE", "pt-BR", "zh-Hans", "zh-TW"… Throws 'unsupported_language' for anything else. */
export function parseLanguage(code: string): LanguageTag {
  const raw = code.trim().replace(/_/g, '-');
  if (!/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(raw)) {
    throw new TranslationError('unsupported_language', `"${snippetOf(code)}" is not a language code (expected ISO 639-1, e.g. "de")`);
  }
  let locale: Intl.Locale;
  try {
    locale = new Intl.Locale(raw);
  } catch {
    throw new TranslationError('unsupported_language', `"${snippetOf(code)}" is not a language code (expected ISO 639-1, e.g. "de")`);
  }
  const tag: LanguageTag = { base: locale.language.toLowerCase() };
  if (locale.region) tag.region = locale.region.toUpperCase();
  if (locale.script) tag.script = locale.script;
  if (tag.base === 'zh' && !tag.script) tag.script = locale.maximize().script ?? 'Hans';
  return tag;
}

/** Same language for translation purposes (Simplified and Traditional Chinese differ). */
export function sameLanguage(a: LanguageTag, b: LanguageTag): boolean {
  return a.base === b.base && (a.base !== 'zh' || a.script === b.script);
}

const names = new Map<string, Intl.DisplayNames>();

/** "German" (or "德语" with uiLanguage "zh"). */
export function languageName(code: string, uiLanguage: 'en' | 'zh' = 'en'): string {
  let dn = names.get(uiLanguage);
  if (!dn) {
    dn = new Intl.DisplayNames([uiLanguage], { type: 'language', fallback: 'code' });
    names.set(uiLanguage, dn);
  }
  try {
    return dn.of(code) ?? code;
  } catch {
    return code;
  }
}

/** "German (de)": how messages name a language. */
export function describeLanguage(code: string | null | undefined): string {
  if (isAuto(code)) return 'an undetected language';
  const base = safeBase(code as string);
  return `${languageName(base)} (${base})`;
}

/** The ISO 639-1 part of a tag, or the input lower-cased when it does not parse. */
export function safeBase(code: string): string {
  try {
    return parseLanguage(code).base;
  } catch {
    return code.trim().toLowerCase();
  }
}

function snippetOf(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}
