import { useTranslation } from 'react-i18next';
import { UI_LANGUAGES, setUiLanguage } from '../i18n/index.ts';

export function LanguageSwitch({ onChange }: { onChange?: (code: string) => void }) {
  const { t, i18n } = useTranslation();
  return (
    <label className="lang-switch">
      <span aria-hidden="true" className="lang-icon">
        文/A
      </span>
      <select aria-label={t('topbar.language')} value={i18n.language} onChange={(e) => {
          setUiLanguage(e.target.value);
          onChange?.(e.target.value);
        }}>
        {UI_LANGUAGES.map((l) => (
          <option key={l.code} value={l.code} lang={l.code}>
            {l.label}
          </option>
        ))}
      </select>
    </label>
  );
}
