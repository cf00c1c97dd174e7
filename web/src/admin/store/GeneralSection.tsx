// General: name, platform, market, time zone, holiday calendar, support e-mail and the
// weekly business hours (PATCH /api/v1/stores/:id, admins).
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useMarkets, usePatchStore, type StoreFull, type StorePatch } from './api.ts';
import { Field, SaveBar } from './Field.tsx';
import { InputRow, SelectRow, SettingsCard, useSaveForm } from './SettingsForm.tsx';
import { badHourDays, formatMinutes, weeklyOpenMinutes, type WeeklyHours } from './format.ts';

const PLATFORMS = ['shopify', 'amazon', 'aliexpress', 'temu', 'woocommerce', 'custom'] as const;
const DAYS = ['0', '1', '2', '3', '4', '5', '6'] as const;

interface Draft {
  name: string;
  platform: string;
  market: string;
  timezone: string;
  holidayCountry: string;
  supportEmail: string;
  businessHours: WeeklyHours;
}

function draftOf(s: StoreFull): Draft {
  const hours: WeeklyHours = {};
  for (const d of DAYS) hours[d] = (s.businessHours[d] ?? []).map((span) => [...span]);
  return { name: s.name, platform: s.platform, market: s.market, timezone: s.timezone, holidayCountry: s.holidayCountry ?? s.market, supportEmail: s.supportEmail ?? '', businessHours: hours };
}

let zones: string[] | null = null;
function timeZones(): string[] {
  if (!zones) {
    try {
      zones = (Intl as unknown as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf?.('timeZone') ?? [];
    } catch {
      zones = [];
    }
  }
  return zones;
}

/** Weekday names in the interface language, Monday first (2024-01-01 was a Monday). */
function weekdayName(day: string, locale: string): string {
  return new Intl.DateTimeFormat(locale, { weekday: 'long', timeZone: 'UTC' }).format(Date.UTC(2024, 0, 1 + Number(day)));
}

export function GeneralSection({ store, canEdit }: { store: StoreFull; canEdit: boolean }) {
  const { t, i18n } = useTranslation();
  const markets = useMarkets();
  const patch = usePatchStore(store.id);
  const { errors, setErrors, clear, saveCallbacks } = useSaveForm();
  const initial = useMemo(() => draftOf(store), [store]);
  const [draft, setDraft] = useState<Draft>(initial);
  useEffect(() => setDraft(initial), [initial]);
  const changes = useMemo(() => diff(initial, draft), [initial, draft]);
  const dirty = Object.keys(changes).length > 0;
  const zh = i18n.language.startsWith('zh');
  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => setDraft((d) => ({ ...d, [k]: v }));
  const setDay = (day: string, spans: string[][]) => setDraft((d) => ({ ...d, businessHours: { ...d.businessHours, [day]: spans } }));
  const badDays = badHourDays(draft.businessHours);
  const marketOptions = markets.data ?? [];
  const marketCodes = marketOptions.map((m) => m.code);
  const marketName = (code: string) => {
    const m = marketOptions.find((x) => x.code === code);
    return m ? `${zh ? m.name.zh : m.name.en} (${code})` : code;
  };

  const submit = () => {
    const errs: Record<string, string> = {};
    if (!draft.name.trim()) errs.name = t('settings.error.required');
    if (draft.supportEmail && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(draft.supportEmail.trim())) errs.supportEmail = t('settings.error.email');
    if (badDays.length) errs.businessHours = t('settings.error.hours', { days: badDays.map((d) => weekdayName(d, i18n.language)).join(', ') });
    setErrors(errs);
    if (Object.keys(errs).length) return;
    patch.mutate(changes, saveCallbacks);
  };

  return (
    <SettingsCard titleId="settings-general-title" title={t('settings.tab.general')} canEdit={canEdit} dirty={dirty} onSubmit={submit}>
      <fieldset className="settings-grid" disabled={!canEdit}>
        <legend className="visually-hidden">{t('settings.tab.general')}</legend>
        <InputRow label={t('settings.general.name')} error={errors.name} type="text" maxLength={200} value={draft.name} onValue={(v) => set('name', v)} />
        <SelectRow label={t('settings.general.platform')} error={errors.platform} value={draft.platform} onValue={(v) => set('platform', v)} options={PLATFORMS} optionLabel={(x) => t(`settings.platform.${x}`, { defaultValue: x })} />
        <SelectRow label={t('settings.general.market')} error={errors.market} hint={t('settings.general.marketHint')} value={draft.market} onValue={(v) => set('market', v)} options={marketCodes} optionLabel={marketName} />
        <Field label={t('settings.general.timezone')} error={errors.timezone} hint={t('settings.general.timezoneHint')}>
          {(p) => (
            <>
              <input {...p} type="text" list="settings-tz-list" maxLength={64} value={draft.timezone} onChange={(e) => set('timezone', e.target.value)} />
              <datalist id="settings-tz-list">
                {timeZones().map((z) => (
                  <option key={z} value={z} />
                ))}
              </datalist>
            </>
          )}
        </Field>
        <SelectRow label={t('settings.general.holidayCountry')} error={errors.holidayCountry} value={draft.holidayCountry} onValue={(v) => set('holidayCountry', v)} options={marketCodes} optionLabel={marketName} />
        <InputRow label={t('settings.general.supportEmail')} error={errors.supportEmail} hint={t('settings.general.supportEmailHint')} type="email" maxLength={254} value={draft.supportEmail} onValue={(v) => set('supportEmail', v)} />
      </fieldset>
      <fieldset className="admin-group settings-hours" disabled={!canEdit} aria-describedby={errors.businessHours ? 'settings-hours-error' : undefined}>
        <legend>{t('settings.general.businessHours')}</legend>
        <p className="muted settings-hint-line">{t('settings.general.hoursSummary', { total: formatMinutes(weeklyOpenMinutes(draft.businessHours), i18n.language), zone: draft.timezone })}</p>
        <table className="settings-hours-table">
          <tbody>
            {DAYS.map((day) => {
              const spans = draft.businessHours[day] ?? [];
              const name = weekdayName(day, i18n.language);
              return (
                <tr key={day} className={badDays.includes(day) ? 'has-error' : undefined}>
                  <th scope="row">
                    <label className="admin-check">
                      <input type="checkbox" checked={spans.length > 0} onChange={(e) => setDay(day, e.target.checked ? [['09:00', '18:00']] : [])} />
                      {name}
                    </label>
                  </th>
                  <td>
                    {spans.length === 0 && <span className="muted">{t('settings.general.closed')}</span>}
                    {spans.map((span, i) => (
                      <span key={i} className="settings-span">
                        <input
                          type="time"
                          aria-label={t('settings.general.opens', { day: name })}
                          value={span[0]}
                          onChange={(e) => setDay(day, spans.map((s, j) => (j === i ? [e.target.value, s[1]] : s)))}
                        />
                        –
                        <input
                          type="time"
                          aria-label={t('settings.general.closes', { day: name })}
                          value={span[1]}
                          onChange={(e) => setDay(day, spans.map((s, j) => (j === i ? [s[0], e.target.value] : s)))}
                        />
                        {canEdit && (
                          <button type="button" className="btn btn-small btn-ghost" aria-label={t('settings.general.removeSpan', { day: name })} onClick={() => setDay(day, spans.filter((_, j) => j !== i))}>
                            ×
                          </button>
                        )}
                      </span>
                    ))}
                    {canEdit && spans.length > 0 && spans.length < 6 && (
                      <button type="button" className="btn btn-small btn-ghost" onClick={() => setDay(day, [...spans, ['13:00', '14:00']])}>
                        {t('settings.general.addSpan')}
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        {errors.businessHours && (
          <p id="settings-hours-error" className="settings-field-error" role="alert">
            {errors.businessHours}
          </p>
        )}
      </fieldset>
      <SaveBar canEdit={canEdit} dirty={dirty} pending={patch.isPending} onReset={() => { setDraft(initial); clear(); }} />
    </SettingsCard>
  );
}

/** Only what changed (PATCH needs at least one field; unchanged ones are left out). */
function diff(a: Draft, b: Draft): StorePatch {
  const out: StorePatch = {};
  if (a.name !== b.name) out.name = b.name.trim();
  if (a.platform !== b.platform) out.platform = b.platform;
  if (a.market !== b.market) out.market = b.market;
  if (a.timezone !== b.timezone) out.timezone = b.timezone.trim();
  if (a.holidayCountry !== b.holidayCountry) out.holidayCountry = b.holidayCountry;
  if (a.supportEmail !== b.supportEmail) out.supportEmail = b.supportEmail.trim();
  if (JSON.stringify(a.businessHours) !== JSON.stringify(b.businessHours)) out.businessHours = b.businessHours;
  return out;
}
