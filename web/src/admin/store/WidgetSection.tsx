// Chat widget of a store: on/off, the sites allowed to embed it (empty = any), the tag to
// paste into the shop's pages with a copy button, and the demo shop page.
// GET/PUT /stores/:id/chat-widget (admins write, managers read).
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useFeedback } from '../../ui/feedback.tsx';
import { usePutSetting, useStoreSetting, type StoreFull, type WidgetSettings } from './api.ts';
import { Field, Loading, SaveBar, useFormErrors, useSaveToasts } from './Field.tsx';
import { embedSnippet, normalizeOrigin } from './format.ts';

interface Draft {
  enabled: boolean;
  allowedOrigins: string[];
}

export function WidgetSection({ store, canEdit }: { store: StoreFull; canEdit: boolean }) {
  const { t } = useTranslation();
  const { toast } = useFeedback();
  const q = useStoreSetting<WidgetSettings>(store.id, 'chat-widget');
  const put = usePutSetting<WidgetSettings, Draft>(store.id, 'chat-widget');
  const toasts = useSaveToasts();
  const { errors, setErrors, fromApi, clear } = useFormErrors();
  const initial = useMemo<Draft | null>(() => (q.data ? { enabled: q.data.enabled, allowedOrigins: q.data.allowedOrigins } : null), [q.data]);
  const [draft, setDraft] = useState<Draft | null>(initial);
  const [adding, setAdding] = useState('');
  useEffect(() => setDraft(initial), [initial]);
  if (!q.data || !draft || !initial) return <Loading query={q} />;
  const dirty = JSON.stringify(draft) !== JSON.stringify(initial);
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
    <form
      className="admin-card settings-card"
      noValidate
      aria-labelledby="settings-widget-title"
      onSubmit={(e) => {
        e.preventDefault();
        if (canEdit && dirty)
          put.mutate(draft, {
            onSuccess: () => {
              clear();
              toasts.saved();
            },
            onError: (e) => {
              fromApi(e);
              toasts.failed(e);
            },
          });
      }}
    >
      <h2 id="settings-widget-title" className="admin-card-title">
        {t('settings.tab.widget')}
      </h2>
      <fieldset className="admin-group" disabled={!canEdit}>
        <legend className="visually-hidden">{t('settings.tab.widget')}</legend>
        <label className="admin-check">
          <input type="checkbox" checked={draft.enabled} onChange={(e) => setDraft({ ...draft, enabled: e.target.checked })} />
          {t('settings.widget.enabled')}
        </label>
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
            <Field label={t('settings.widget.addOrigin')} error={errors.origin}>
              {(p) => (
                <input
                  {...p}
                  type="url"
                  placeholder="https://shop.example"
                  value={adding}
                  onChange={(e) => setAdding(e.target.value)}
                  onKeyDown={(e) => {
                    if (e.key === 'Enter') {
                      e.preventDefault();
                      add();
                    }
                  }}
                />
              )}
            </Field>
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
    </form>
  );
}
