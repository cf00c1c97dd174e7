// The bot (on/off, FAQ confidence threshold, minimum triage confidence, reopen window) and
// the CSAT/NPS surveys (on/off, delay, NPS every Nth survey, expiry) of a store.
// GET admins and managers; PUT admins.
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { usePutSetting, useStoreSetting, type BotSettings, type StoreFull, type SurveySettings } from './api.ts';
import { Field, Loading, SaveBar, useFormErrors, useSaveToasts } from './Field.tsx';
import { formatMinutes, parseDecimal, parseWhole } from './format.ts';

interface BotDraft {
  enabled: boolean;
  faqThreshold: string;
  minTriageConfidence: string;
  reopenWindowDays: string;
}

const botDraft = (s: BotSettings): BotDraft => ({ enabled: s.enabled, faqThreshold: String(s.faqThreshold), minTriageConfidence: String(s.minTriageConfidence), reopenWindowDays: String(s.reopenWindowDays) });

export function BotSection({ store, canEdit }: { store: StoreFull; canEdit: boolean }) {
  const { t } = useTranslation();
  const q = useStoreSetting<BotSettings>(store.id, 'bot-settings');
  const put = usePutSetting<BotSettings, Partial<Omit<BotSettings, 'storeId' | 'updatedAt'>>>(store.id, 'bot-settings');
  const toasts = useSaveToasts();
  const { errors, setErrors, fromApi, clear } = useFormErrors();
  const initial = useMemo(() => (q.data ? botDraft(q.data) : null), [q.data]);
  const [draft, setDraft] = useState<BotDraft | null>(initial);
  useEffect(() => setDraft(initial), [initial]);
  if (!q.data || !draft || !initial) return <Loading query={q} />;
  const dirty = JSON.stringify(draft) !== JSON.stringify(initial);
  const set = <K extends keyof BotDraft>(k: K, v: BotDraft[K]) => setDraft((d) => (d ? { ...d, [k]: v } : d));

  const submit = () => {
    const faq = parseDecimal(draft.faqThreshold);
    const tri = parseDecimal(draft.minTriageConfidence);
    const reopen = parseWhole(draft.reopenWindowDays);
    const errs: Record<string, string> = {};
    if (faq === null) errs.faqThreshold = t('settings.error.number');
    if (tri === null) errs.minTriageConfidence = t('settings.error.number');
    if (reopen === null) errs.reopenWindowDays = t('settings.error.whole');
    setErrors(errs);
    if (Object.keys(errs).length) return;
    // the server checks the ranges: its 400 details land at the fields
    put.mutate(
      { enabled: draft.enabled, faqThreshold: faq!, minTriageConfidence: tri!, reopenWindowDays: reopen! },
      {
        onSuccess: () => {
          clear();
          toasts.saved();
        },
        onError: (e) => {
          fromApi(e);
          toasts.failed(e);
        },
      },
    );
  };

  const pct = (s: string) => {
    const n = parseDecimal(s);
    return n === null ? '—' : `${Math.round(n * 100)}%`;
  };

  return (
    <form
      className="admin-card settings-card"
      noValidate
      aria-labelledby="settings-bot-title"
      onSubmit={(e) => {
        e.preventDefault();
        if (canEdit && dirty) submit();
      }}
    >
      <h2 id="settings-bot-title" className="admin-card-title">
        {t('settings.tab.bot')}
      </h2>
      <p className="muted">{t('settings.bot.intro')}</p>
      <fieldset className="settings-grid" disabled={!canEdit}>
        <legend className="visually-hidden">{t('settings.tab.bot')}</legend>
        <label className="admin-check settings-span-all">
          <input type="checkbox" checked={draft.enabled} onChange={(e) => set('enabled', e.target.checked)} />
          {t('settings.bot.enabled')}
        </label>
        <Field label={t('settings.bot.faqThreshold')} error={errors.faqThreshold} hint={t('settings.bot.faqThresholdHint', { pct: pct(draft.faqThreshold) })}>
          {(p) => <input {...p} type="number" min={0.01} max={1} step={0.01} inputMode="decimal" value={draft.faqThreshold} onChange={(e) => set('faqThreshold', e.target.value)} />}
        </Field>
        <Field label={t('settings.bot.minTriageConfidence')} error={errors.minTriageConfidence} hint={t('settings.bot.minTriageConfidenceHint', { pct: pct(draft.minTriageConfidence) })}>
          {(p) => <input {...p} type="number" min={0} max={1} step={0.01} inputMode="decimal" value={draft.minTriageConfidence} onChange={(e) => set('minTriageConfidence', e.target.value)} />}
        </Field>
        <Field label={t('settings.bot.reopenWindowDays')} error={errors.reopenWindowDays} hint={t('settings.bot.reopenWindowDaysHint')}>
          {(p) => <input {...p} type="number" min={1} max={90} step={1} inputMode="numeric" value={draft.reopenWindowDays} onChange={(e) => set('reopenWindowDays', e.target.value)} />}
        </Field>
      </fieldset>
      <SaveBar canEdit={canEdit} dirty={dirty} pending={put.isPending} onReset={() => { setDraft(initial); clear(); }} />
    </form>
  );
}

interface SurveyDraft {
  enabled: boolean;
  delayMinutes: string;
  npsEvery: string;
  expiresDays: string;
}

const surveyDraft = (s: SurveySettings): SurveyDraft => ({ enabled: s.enabled, delayMinutes: String(s.delayMinutes), npsEvery: String(s.npsEvery), expiresDays: String(s.expiresDays) });

export function SurveySection({ store, canEdit }: { store: StoreFull; canEdit: boolean }) {
  const { t, i18n } = useTranslation();
  const q = useStoreSetting<SurveySettings>(store.id, 'survey-settings');
  const put = usePutSetting<SurveySettings, Partial<Omit<SurveySettings, 'storeId' | 'updatedAt'>>>(store.id, 'survey-settings');
  const toasts = useSaveToasts();
  const { errors, setErrors, fromApi, clear } = useFormErrors();
  const initial = useMemo(() => (q.data ? surveyDraft(q.data) : null), [q.data]);
  const [draft, setDraft] = useState<SurveyDraft | null>(initial);
  useEffect(() => setDraft(initial), [initial]);
  if (!q.data || !draft || !initial) return <Loading query={q} />;
  const dirty = JSON.stringify(draft) !== JSON.stringify(initial);
  const set = <K extends keyof SurveyDraft>(k: K, v: SurveyDraft[K]) => setDraft((d) => (d ? { ...d, [k]: v } : d));
  const delay = parseWhole(draft.delayMinutes);
  const every = parseWhole(draft.npsEvery);

  const submit = () => {
    const expires = parseWhole(draft.expiresDays);
    const errs: Record<string, string> = {};
    if (delay === null) errs.delayMinutes = t('settings.error.whole');
    if (every === null) errs.npsEvery = t('settings.error.whole');
    if (expires === null) errs.expiresDays = t('settings.error.whole');
    setErrors(errs);
    if (Object.keys(errs).length) return;
    put.mutate(
      { enabled: draft.enabled, delayMinutes: delay!, npsEvery: every!, expiresDays: expires! },
      {
        onSuccess: () => {
          clear();
          toasts.saved();
        },
        onError: (e) => {
          fromApi(e);
          toasts.failed(e);
        },
      },
    );
  };

  return (
    <form
      className="admin-card settings-card"
      noValidate
      aria-labelledby="settings-surveys-title"
      onSubmit={(e) => {
        e.preventDefault();
        if (canEdit && dirty) submit();
      }}
    >
      <h2 id="settings-surveys-title" className="admin-card-title">
        {t('settings.tab.surveys')}
      </h2>
      <p className="muted">{t('settings.surveys.intro')}</p>
      <fieldset className="settings-grid" disabled={!canEdit}>
        <legend className="visually-hidden">{t('settings.tab.surveys')}</legend>
        <label className="admin-check settings-span-all">
          <input type="checkbox" checked={draft.enabled} onChange={(e) => set('enabled', e.target.checked)} />
          {t('settings.surveys.enabled')}
        </label>
        <Field label={t('settings.surveys.delay')} error={errors.delayMinutes} hint={delay !== null && delay >= 0 ? t('settings.surveys.delayHint', { time: formatMinutes(delay, i18n.language) }) : undefined}>
          {(p) => <input {...p} type="number" min={0} max={43200} step={5} inputMode="numeric" value={draft.delayMinutes} onChange={(e) => set('delayMinutes', e.target.value)} />}
        </Field>
        <Field label={t('settings.surveys.npsEvery')} error={errors.npsEvery} hint={every === 0 ? t('settings.surveys.npsNever') : every !== null && every > 0 ? t('settings.surveys.npsEveryHint', { count: every }) : undefined}>
          {(p) => <input {...p} type="number" min={0} max={10000} step={1} inputMode="numeric" value={draft.npsEvery} onChange={(e) => set('npsEvery', e.target.value)} />}
        </Field>
        <Field label={t('settings.surveys.expires')} error={errors.expiresDays}>
          {(p) => <input {...p} type="number" min={1} max={365} step={1} inputMode="numeric" value={draft.expiresDays} onChange={(e) => set('expiresDays', e.target.value)} />}
        </Field>
      </fieldset>
      <SaveBar canEdit={canEdit} dirty={dirty} pending={put.isPending} onReset={() => { setDraft(initial); clear(); }} />
    </form>
  );
}
