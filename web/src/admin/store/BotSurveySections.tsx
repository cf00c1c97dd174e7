// The bot (on/off, FAQ confidence threshold, minimum triage confidence, reopen window) and
// the CSAT/NPS surveys (on/off, delay, NPS every Nth survey, expiry) of a store.
// GET admins and managers; PUT admins.
import { useTranslation } from 'react-i18next';
import { usePutSetting, type BotSettings, type StoreFull, type SurveySettings } from './api.ts';
import { Loading, SaveBar } from './Field.tsx';
import { CheckRow, InputRow, SettingsCard, useSaveForm, useSettingDraft } from './SettingsForm.tsx';
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
  const { query: q, initial, draft, setDraft, dirty } = useSettingDraft(store.id, 'bot-settings', botDraft);
  const put = usePutSetting<BotSettings, Partial<Omit<BotSettings, 'storeId' | 'updatedAt'>>>(store.id, 'bot-settings');
  const { errors, setErrors, clear, saveCallbacks } = useSaveForm();
  if (!q.data || !draft || !initial) return <Loading query={q} />;
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
    put.mutate({ enabled: draft.enabled, faqThreshold: faq!, minTriageConfidence: tri!, reopenWindowDays: reopen! }, saveCallbacks);
  };

  const pct = (s: string) => {
    const n = parseDecimal(s);
    return n === null ? '—' : `${Math.round(n * 100)}%`;
  };

  return (
    <SettingsCard titleId="settings-bot-title" title={t('settings.tab.bot')} intro={t('settings.bot.intro')} canEdit={canEdit} dirty={dirty} onSubmit={submit}>
      <fieldset className="settings-grid" disabled={!canEdit}>
        <legend className="visually-hidden">{t('settings.tab.bot')}</legend>
        <CheckRow className="admin-check settings-span-all" label={t('settings.bot.enabled')} checked={draft.enabled} onChecked={(v) => set('enabled', v)} />
        <InputRow label={t('settings.bot.faqThreshold')} error={errors.faqThreshold} hint={t('settings.bot.faqThresholdHint', { pct: pct(draft.faqThreshold) })}
          type="number" min={0.01} max={1} step={0.01} inputMode="decimal" value={draft.faqThreshold} onValue={(v) => set('faqThreshold', v)} />
        <InputRow label={t('settings.bot.minTriageConfidence')} error={errors.minTriageConfidence} hint={t('settings.bot.minTriageConfidenceHint', { pct: pct(draft.minTriageConfidence) })}
          type="number" min={0} max={1} step={0.01} inputMode="decimal" value={draft.minTriageConfidence} onValue={(v) => set('minTriageConfidence', v)} />
        <InputRow label={t('settings.bot.reopenWindowDays')} error={errors.reopenWindowDays} hint={t('settings.bot.reopenWindowDaysHint')}
          type="number" min={1} max={90} step={1} inputMode="numeric" value={draft.reopenWindowDays} onValue={(v) => set('reopenWindowDays', v)} />
      </fieldset>
      <SaveBar canEdit={canEdit} dirty={dirty} pending={put.isPending} onReset={() => { setDraft(initial); clear(); }} />
    </SettingsCard>
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
  const { query: q, initial, draft, setDraft, dirty } = useSettingDraft(store.id, 'survey-settings', surveyDraft);
  const put = usePutSetting<SurveySettings, Partial<Omit<SurveySettings, 'storeId' | 'updatedAt'>>>(store.id, 'survey-settings');
  const { errors, setErrors, clear, saveCallbacks } = useSaveForm();
  if (!q.data || !draft || !initial) return <Loading query={q} />;
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
    put.mutate({ enabled: draft.enabled, delayMinutes: delay!, npsEvery: every!, expiresDays: expires! }, saveCallbacks);
  };

  return (
    <SettingsCard titleId="settings-surveys-title" title={t('settings.tab.surveys')} intro={t('settings.surveys.intro')} canEdit={canEdit} dirty={dirty} onSubmit={submit}>
      <fieldset className="settings-grid" disabled={!canEdit}>
        <legend className="visually-hidden">{t('settings.tab.surveys')}</legend>
        <CheckRow className="admin-check settings-span-all" label={t('settings.surveys.enabled')} checked={draft.enabled} onChecked={(v) => set('enabled', v)} />
        <InputRow label={t('settings.surveys.delay')} error={errors.delayMinutes} hint={delay !== null && delay >= 0 ? t('settings.surveys.delayHint', { time: formatMinutes(delay, i18n.language) }) : undefined}
          type="number" min={0} max={43200} step={5} inputMode="numeric" value={draft.delayMinutes} onValue={(v) => set('delayMinutes', v)} />
        <InputRow label={t('settings.surveys.npsEvery')} error={errors.npsEvery} hint={every === 0 ? t('settings.surveys.npsNever') : every !== null && every > 0 ? t('settings.surveys.npsEveryHint', { count: every }) : undefined}
          type="number" min={0} max={10000} step={1} inputMode="numeric" value={draft.npsEvery} onValue={(v) => set('npsEvery', v)} />
        <InputRow label={t('settings.surveys.expires')} error={errors.expiresDays}
          type="number" min={1} max={365} step={1} inputMode="numeric" value={draft.expiresDays} onValue={(v) => set('expiresDays', v)} />
      </fieldset>
      <SaveBar canEdit={canEdit} dirty={dirty} pending={put.isPending} onReset={() => { setDraft(initial); clear(); }} />
    </SettingsCard>
  );
}
