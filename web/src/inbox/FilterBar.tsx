import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { CATEGORIES, LANGUAGES, PRIORITIES, STATUSES } from '../api/types.ts';
import { languageName } from '../format.ts';
import { EMPTY_FILTERS, type Filters } from './views.ts';

const SORTS = ['updated_desc', 'created_desc', 'created_asc', 'sla_due'] as const;

export function FilterBar({ value, onChange }: { value: Filters; onChange: (f: Filters) => void }) {
  const { t, i18n } = useTranslation();
  const [search, setSearch] = useState(value.q);

  // the search box waits for a pause in typing before it asks the server
  useEffect(() => {
    if (search === value.q) return;
    const id = window.setTimeout(() => onChange({ ...value, q: search }), 300);
    return () => window.clearTimeout(id);
  }, [search, value, onChange]);
  useEffect(() => setSearch(value.q), [value.q]);

  const set = (k: keyof Filters) => (e: { target: { value: string } }) => onChange({ ...value, [k]: e.target.value });
  const active = value.status || value.priority || value.language || value.category || value.q || value.sort;

  return (
    <div className="filters" role="search" aria-label={t('filters.label')}>
      <input
        type="search"
        className="filter-search"
        aria-label={t('filters.search')}
        placeholder={t('filters.searchPlaceholder')}
        value={search}
        onChange={(e) => setSearch(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') onChange({ ...value, q: search });
        }}
      />
      <select aria-label={t('filters.byStatus')} value={value.status} onChange={set('status')}>
        <option value="">{t('filters.anyStatus')}</option>
        {STATUSES.map((s) => (
          <option key={s} value={s}>
            {t(`status.${s}`)}
          </option>
        ))}
      </select>
      <select aria-label={t('filters.byPriority')} value={value.priority} onChange={set('priority')}>
        <option value="">{t('filters.anyPriority')}</option>
        {PRIORITIES.map((p) => (
          <option key={p} value={p}>
            {t(`priority.${p}`)}
          </option>
        ))}
      </select>
      <select aria-label={t('filters.byLanguage')} value={value.language} onChange={set('language')}>
        <option value="">{t('filters.anyLanguage')}</option>
        {LANGUAGES.map((l) => (
          <option key={l} value={l}>
            {languageName(l, i18n.language)}
          </option>
        ))}
      </select>
      <select aria-label={t('filters.byCategory')} value={value.category} onChange={set('category')}>
        <option value="">{t('filters.anyCategory')}</option>
        {CATEGORIES.map((c) => (
          <option key={c} value={c}>
            {t(`category.${c}`)}
          </option>
        ))}
      </select>
      <select aria-label={t('filters.sort')} value={value.sort} onChange={set('sort')}>
        <option value="">{t('filters.sort')}</option>
        {SORTS.map((s) => (
          <option key={s} value={s}>
            {t(`filters.sortBy.${s}`)}
          </option>
        ))}
      </select>
      {active && (
        <button type="button" className="btn btn-ghost btn-small" onClick={() => onChange(EMPTY_FILTERS)}>
          {t('filters.clear')}
        </button>
      )}
    </div>
  );
}
