// Chat widget of a store: on/off, the sites allowed to embed it (empty = any), the tag to
// paste into the shop's pages with a copy button, and the demo shop page.
// GET/PUT /stores/:id/chat-widget (admins write, managers read).
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useFeedback } from '../../ui/feedback.tsx';
import { usePutSetting, type StoreFull, type WidgetSettings } from './api.ts';
import { Loading, SaveBar } from './Field.tsx';
import { embedSnippet, normalizeOrigin } from './format.ts';
import { CheckRow, InputRow, SettingsCard, useSaveForm, useSettingDraft } from './SettingsForm.tsx';

interface Draft {
  enabled: boolean;
  allowedOrigins: string[];
}

const widgetDraft = (s: WidgetSettings): Draft => ({ enabled: s.enabled, allowedOrigins: s.allowedOrigins });

export function WidgetSection({ store, canEdit }: { store: StoreFull; canEdit: boolean }) {
  const { t } = useTranslation();
  const { toast } = useFeedback();
  const { query: q, initial, draft, setDraft, dirty } = useSettingDraft(store.id, 'chat-widget', widgetDraft);
  const put = usePutSetting<WidgetSettings, Draft>(store.id, 'chat-widget');
  const { errors, setErrors, clear, saveCallbacks } = useSaveForm();
  const [adding, setAdding] = useState('');
  if (!q.data || !draft || !initial) return <Loading query={q} />;
  const snippet = embedSnippet(window.location.origin, store.id);
  const demoUrl = `/widget/demo?store=${encodeURIComponent(store.id)}`;

  const add = () => {
    const o = normalizeOrigin(adding);
    if (!o) {
      setErrors({ origin: t('settings.widget.badOrigin') });
      return;
    }
    clear();
    setAdding('');
    setDraft((d) => (d && !d.allowedOrigins.includes(o) ? { ...d, allowedOrigins: [...d.allowedOrigins, o] } : d));
  };

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(snippet);
      toast('success', t('settings.widget.copied'));
    } catch {
      // no clipboard permission (http, old browser): select the text for Ctrl+C
      const el = document.getElementById('widget-snippet');
      if (el) window.getSelection()?.selectAllChildren(el);
      toast('info', t('settings.widget.copyManually'));
    }
  };

  return (
    <SettingsCard titleId="settings-widget-title" title={t('settings.tab.widget')} canEdit={canEdit} dirty={dirty} onSubmit={() => put.mutate(draft, saveCallbacks)}>
      <fieldset className="admin-group" disabled={!canEdit}>
        <legend className="visually-hidden">{t('settings.tab.widget')}</legend>
        <CheckRow label={t('settings.widget.enabled')} checked={draft.enabled} onChecked={(v) => setDraft({ ...draft, enabled: v })} />
      </fieldset>
      <fieldset className="admin-group settings-origins" disabled={!canEdit}>
        <legend>{t('settings.widget.origins')}</legend>
        <p className="muted settings-hint-line">{draft.allowedOrigins.length ? t('settings.widget.originsHint') : t('settings.widget.anyOrigin')}</p>
        {draft.allowedOrigins.length > 0 && (
          <ul className="settings-origin-list">
            {draft.allowedOrigins.map((o) => (
              <li key={o}>
                <code>{o}</code>
                {canEdit && (
                  <button type="button" className="btn btn-small btn-ghost" aria-label={t('settings.widget.removeOrigin', { origin: o })} onClick={() => setDraft({ ...draft, allowedOrigins: draft.allowedOrigins.filter((x) => x !== o) })}>
                    ×
                  </button>
                )}
              </li>
            ))}
          </ul>
        )}
        {errors.allowedOrigins && (
          <p className="settings-field-error" role="alert">
            {errors.allowedOrigins}
          </p>
        )}
        {canEdit && (
          <div className="settings-add-origin">
            <InputRow
              label={t('settings.widget.addOrigin')}
              error={errors.origin}
              type="url"
              placeholder="https://shop.example"
              value={adding}
              onValue={setAdding}
              onKeyDown={(e) => {
                if (e.key === 'Enter') {
                  e.preventDefault();
                  add();
                }
              }}
            />
            <button type="button" className="btn" onClick={add} disabled={!adding.trim()}>
              {t('settings.widget.add')}
            </button>
          </div>
        )}
      </fieldset>
      <SaveBar canEdit={canEdit} dirty={dirty} pending={put.isPending} onReset={() => { setDraft(initial); clear(); }} />
      <section className="admin-group settings-embed" aria-labelledby="widget-embed-title">
        <h3 id="widget-embed-title">{t('settings.widget.embed')}</h3>
        <p className="muted settings-hint-line">{t('settings.widget.embedHint')}</p>
        <pre className="settings-snippet">
          <code id="widget-snippet" data-testid="widget-snippet">
            {snippet}
          </code>
        </pre>
        <div className="admin-actions">
          <button type="button" className="btn" onClick={() => void copy()}>
            {t('settings.widget.copy')}
          </button>
          <a className="btn btn-ghost" href={demoUrl} target="_blank" rel="noopener">
            {t('settings.widget.demo')}
          </a>
        </div>
        {!draft.enabled && <p className="settings-field-warning">{t('settings.widget.offNote')}</p>}
      </section>
    </SettingsCard>
  );
}
