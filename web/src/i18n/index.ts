import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import en from './en.json' with { type: 'json' };
import zhCN from './zh-CN.json' with { type: 'json' };

export const UI_LANGUAGES = [
  { code: 'zh-CN', label: '简体中文' },
  { code: 'en', label: 'English' },
] as const;
export type UiLanguage = (typeof UI_LANGUAGES)[number]['code'];

const STORAGE_KEY = 'crossdesk.uiLanguage';

function isUiLanguage(v: unknown): v is UiLanguage {
  return UI_LANGUAGES.some((l) => l.code === v);
}

function storedLanguage(): UiLanguage | null {
  try {
    const v = localStorage.getItem(STORAGE_KEY);
    return isUiLanguage(v) ? v : null;
  } catch {
    return null;
  }
}

/** Whether the person chose a language on this device (that choice wins over the profile). */
export function hasStoredLanguage(): boolean {
  return storedLanguage() !== null;
}

export function setUiLanguage(code: string, persist = true): void {
  const lang: UiLanguage = isUiLanguage(code) ? code : code.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
  if (persist) {
    try {
      localStorage.setItem(STORAGE_KEY, lang);
    } catch {
      // private mode: the choice lasts for this page only
    }
  }
  void i18n.changeLanguage(lang);
}

i18n.on('languageChanged', (lng) => {
  document.documentElement.lang = lng;
});

void i18n.use(initReactI18next).init({
  resources: { en: { translation: en }, 'zh-CN': { translation: zhCN } },
  lng: storedLanguage() ?? 'zh-CN',
  fallbackLng: 'en',
  supportedLngs: ['zh-CN', 'en'],
  interpolation: { escapeValue: false },
  returnNull: false,
});
document.documentElement.lang = i18n.language;

export default i18n;
