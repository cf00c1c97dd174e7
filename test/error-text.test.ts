/**
 * The web UI's text for a failed call (web/src/ui/errorText.ts): a market edit that lost a
 * race (409 version_conflict) reads in Chinese in the Chinese interface, and the English
 * interface keeps the server's specific message; both dictionaries have the text.
 */
import i18n from 'i18next';
import { beforeAll, describe, expect, it } from 'vitest';
import en from '../web/src/i18n/en.json' with { type: 'json' };
import zhCN from '../web/src/i18n/zh-CN.json' with { type: 'json' };
import { ApiError } from '../web/src/api/client.ts';
import { errorText } from '../web/src/ui/errorText.ts';

describe('errorText', () => {
  beforeAll(async () => {
    await i18n.init({ resources: { en: { translation: en }, 'zh-CN': { translation: zhCN } }, lng: 'zh-CN', fallbackLng: 'en', interpolation: { escapeValue: false } });
  });

  const conflict = new ApiError(409, 'version_conflict', 'Market JP was changed by 陈静 Chen Jing since version 1 (now version 2); reload it and apply your change again', { current: 2 });

  it('says a version conflict in Chinese, with its own text in both dictionaries', async () => {
    await i18n.changeLanguage('zh-CN');
    const text = errorText(conflict, i18n.t);
    expect(text).toBe(zhCN.errors.version_conflict);
    expect(text).toMatch(/[\u4e00-\u9fff]/);
    expect(en.errors.version_conflict).toMatch(/reload/i);
  });

  it('keeps the server’s message in English, and unknown codes as the server wrote them', async () => {
    await i18n.changeLanguage('en');
    expect(errorText(conflict, i18n.t)).toBe(conflict.message);
    await i18n.changeLanguage('zh-CN');
    expect(errorText(new ApiError(400, 'validation_error', 'peaks[0].to is before from'), i18n.t)).toBe('peaks[0].to is before from');
  });
});
