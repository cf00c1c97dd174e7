// Admin page: a store's settings in tabs — general (name, market, time zone, business hours,
// support e-mail), SLA per priority, return policy with the law's warnings, bot, surveys and
// chat widget. Admins change everything; managers read, and may change the return policy
// (as the API's routes declare: see store/api.ts writeRights).
import { useEffect, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { Role } from '../api/types.ts';
import { errorText } from '../ui/errorText.ts';
import { useStoresFull, writeRights, type StoreFull } from './store/api.ts';
import { GeneralSection } from './store/GeneralSection.tsx';
import { SlaSection } from './store/SlaSection.tsx';
import { ReturnPolicySection } from './store/ReturnPolicySection.tsx';
import { BotSection, SurveySection } from './store/BotSurveySections.tsx';
import { WidgetSection } from './store/WidgetSection.tsx';

export const SETTINGS_TABS = ['general', 'sla', 'returns', 'bot', 'surveys', 'widget'] as const;
export type SettingsTab = (typeof SETTINGS_TABS)[number];

/** `#/admin/store/returns` opens the return policy tab; anything else the first. */
function tabFromHash(): SettingsTab {
  const part = window.location.hash.replace(/^#\/admin\/store\/?/, '').split(/[/?]/)[0];
  return (SETTINGS_TABS as readonly string[]).includes(part) ? (part as SettingsTab) : 'general';
}

export function StoreSettingsPage({ role }: { role: Role }) {
  const { t } = useTranslation();
  const stores = useStoresFull();
  const [storeId, setStoreId] = useState('');
  const [tab, setTab] = useState<SettingsTab>(tabFromHash);
  const rights = writeRights(role);
  const store: StoreFull | undefined = stores.data?.find((s) => s.id === storeId) ?? stores.data?.[0];

  useEffect(() => {
    const onHash = () => {
      if (window.location.hash.startsWith('#/admin/store')) setTab(tabFromHash());
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  const choose = (next: SettingsTab) => {
    setTab(next);
    // the address follows, so a reload or a shared link opens the same tab
    window.history.replaceState(null, '', `#/admin/store/${next}`);
  };

  const onTabKey = (e: KeyboardEvent<HTMLButtonElement>) => {
    const i = SETTINGS_TABS.indexOf(tab);
    const next = e.key === 'ArrowRight' ? SETTINGS_TABS[(i + 1) % SETTINGS_TABS.length] : e.key === 'ArrowLeft' ? SETTINGS_TABS[(i + SETTINGS_TABS.length - 1) % SETTINGS_TABS.length] : e.key === 'Home' ? SETTINGS_TABS[0] : e.key === 'End' ? SETTINGS_TABS[SETTINGS_TABS.length - 1] : null;
    if (!next) return;
    e.preventDefault();
    choose(next);
    document.getElementById(`settings-tab-${next}`)?.focus();
  };

  const readOnlyHere = !rights[tab];

  return (
    <main id="main" className="pane-main admin-page settings-page" tabIndex={-1} aria-labelledby="settings-title">
      <div className="admin-head">
        <h1 id="settings-title" className="pane-heading">
          {t('settings.title')}
        </h1>
        <p className="muted">{t('settings.intro')}</p>
      </div>
      {stores.isPending && <p role="status">{t('list.loading')}</p>}
      {stores.isError && (
        <p className="form-error" role="alert">
          {errorText(stores.error, t)}
        </p>
      )}
      {store && (
        <>
          <div className="settings-toolbar">
            <label className="control">
              {t('settings.store')}
              <select value={store.id} onChange={(e) => setStoreId(e.target.value)}>
                {stores.data?.map((s) => (
                  <option key={s.id} value={s.id}>
                    {s.name}
                    {s.isDefault ? ` · ${t('settings.defaultStore')}` : ''}
                  </option>
                ))}
              </select>
            </label>
            <span className="muted">
              {store.market} · {store.timezone}
            </span>
          </div>
          <div role="tablist" aria-label={t('settings.sections')} className="settings-tabs">
            {SETTINGS_TABS.map((x) => (
              <button
                key={x}
                id={`settings-tab-${x}`}
                type="button"
                role="tab"
                className="settings-tab"
                aria-selected={tab === x}
                aria-controls="settings-panel"
                tabIndex={tab === x ? 0 : -1}
                onClick={() => choose(x)}
                onKeyDown={onTabKey}
              >
                {t(`settings.tab.${x}`)}
                {!rights[x] && <span className="visually-hidden"> ({t('settings.readOnlyShort')})</span>}
              </button>
            ))}
          </div>
          <div id="settings-panel" role="tabpanel" aria-labelledby={`settings-tab-${tab}`} className="settings-panel">
            {readOnlyHere && <p className="muted settings-readonly-note">{t('settings.readOnly')}</p>}
            {/* keyed by store: a draft never leaks from one store into another */}
            {tab === 'general' && <GeneralSection key={store.id} store={store} canEdit={rights.general} />}
            {tab === 'sla' && <SlaSection key={store.id} store={store} canEdit={rights.sla} />}
            {tab === 'returns' && <ReturnPolicySection key={store.id} store={store} canEdit={rights.returns} />}
            {tab === 'bot' && <BotSection key={store.id} store={store} canEdit={rights.bot} />}
            {tab === 'surveys' && <SurveySection key={store.id} store={store} canEdit={rights.surveys} />}
            {tab === 'widget' && <WidgetSection key={store.id} store={store} canEdit={rights.widget} />}
          </div>
        </>
      )}
    </main>
  );
}
