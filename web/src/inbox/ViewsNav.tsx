import { useTranslation } from 'react-i18next';
import { useCounts } from '../api/hooks.ts';
import { VIEW_KEYS, VIEWS, type ViewKey } from './views.ts';

export function ViewsNav({ current, onSelect }: { current: ViewKey; onSelect: (v: ViewKey) => void }) {
  const { t, i18n } = useTranslation();
  const counts = useCounts();
  const nf = new Intl.NumberFormat(i18n.language);
  return (
    <nav className="pane-views" aria-label={t('views.heading')}>
      <h2 className="pane-title">{t('views.heading')}</h2>
      <ul>
        {VIEW_KEYS.map((key) => {
          const n = counts.data?.[VIEWS[key].count];
          return (
            <li key={key}>
              <button
                type="button"
                className={`view-link${key === current ? ' active' : ''}${key === 'breaching' && n ? ' view-alert' : ''}`}
                aria-current={key === current ? 'page' : undefined}
                onClick={() => onSelect(key)}
              >
                <span className="view-name">{t(`views.${key}`)}</span>
                <span className="view-count" aria-label={n === undefined ? undefined : t('views.countLabel', { count: n })}>
                  {n === undefined ? '' : nf.format(n)}
                </span>
              </button>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
