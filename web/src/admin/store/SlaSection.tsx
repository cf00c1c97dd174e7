// SLA targets per priority in business hours (the API keeps business minutes):
// GET /stores/:id/sla, PUT /stores/:id/sla/:priority (admins).
import { useEffect, useMemo, useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { ApiError, request } from '../../api/client.ts';
import { PRIORITIES, type Priority } from '../../api/types.ts';
import { useStoreSetting, type SlaPolicy, type StoreFull } from './api.ts';
import { Loading, localizedFieldErrors, SaveBar, useSaveToasts } from './Field.tsx';
import { businessDayMinutes, businessDays, formatMinutes, hoursTextToMinutes, minutesToHoursText } from './format.ts';

const TARGETS = ['firstResponseMinutes', 'nextResponseMinutes', 'resolutionMinutes'] as const;
type Target = (typeof TARGETS)[number];
type Draft = Record<Priority, Record<Target, string>>;
type Policies = Record<Priority, SlaPolicy>;

const LABEL: Record<Target, string> = { firstResponseMinutes: 'sla.firstResponse', nextResponseMinutes: 'sla.nextResponse', resolutionMinutes: 'sla.resolution' };

function draftOf(p: Policies): Draft {
  const out = {} as Draft;
  for (const pr of PRIORITIES) out[pr] = { firstResponseMinutes: minutesToHoursText(p[pr].firstResponseMinutes), nextResponseMinutes: minutesToHoursText(p[pr].nextResponseMinutes), resolutionMinutes: minutesToHoursText(p[pr].resolutionMinutes) };
  return out;
}

/** A failed PUT, with the priority it was for (so its field errors land in the right row). */
class PriorityError extends Error {
  readonly priority: Priority;
  readonly inner: unknown;
  constructor(priority: Priority, inner: unknown) {
    super(inner instanceof Error ? inner.message : String(inner));
    this.priority = priority;
    this.inner = inner;
  }
}

export function SlaSection({ store, canEdit }: { store: StoreFull; canEdit: boolean }) {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const toasts = useSaveToasts();
  const sla = useStoreSetting<Policies>(store.id, 'sla');
  const initial = useMemo(() => (sla.data ? draftOf(sla.data) : null), [sla.data]);
  const [draft, setDraft] = useState<Draft | null>(initial);
  const [errors, setErrors] = useState<Record<string, string>>({});
  useEffect(() => setDraft(initial), [initial]);
  const dayLength = businessDayMinutes(store.businessHours);

  const save = useMutation({
    mutationFn: async (changed: Array<[Priority, SlaPolicy]>) => {
      for (const [priority, policy] of changed) {
        try {
          await request<SlaPolicy>('PUT', `/api/v1/stores/${encodeURIComponent(store.id)}/sla/${priority}`, policy);
        } catch (e) {
          throw new PriorityError(priority, e);
        }
      }
    },
    onSettled: () => void qc.invalidateQueries({ queryKey: ['store-setting', store.id, 'sla'] }),
  });

  if (!draft || !sla.data || !initial) return <Loading query={sla} />;
  const dirty = JSON.stringify(draft) !== JSON.stringify(initial);

  const submit = () => {
    const errs: Record<string, string> = {};
    const changed: Array<[Priority, SlaPolicy]> = [];
    for (const pr of PRIORITIES) {
      const policy = {} as SlaPolicy;
      for (const k of TARGETS) {
        const m = hoursTextToMinutes(draft[pr][k]);
        if (m === null) errs[`${pr}.${k}`] = t('settings.error.hours_value');
        else if (m > 525_600) errs[`${pr}.${k}`] = t('settings.error.bound', { comparison: '<=', limit: 8760 });
        else policy[k] = m;
      }
      if (JSON.stringify(draft[pr]) !== JSON.stringify(initial[pr])) changed.push([pr, policy]);
    }
    setErrors(errs);
    if (Object.keys(errs).length) return;
    save.mutate(changed, {
      onSuccess: () => {
        setErrors({});
        toasts.saved();
      },
      onError: (e) => {
        if (e instanceof PriorityError && e.inner instanceof ApiError && e.inner.status === 400) {
          const fe = localizedFieldErrors(e.inner, t);
          setErrors(Object.fromEntries(Object.entries(fe).map(([k, v]) => [`${e.priority}.${k}`, v])));
        }
        toasts.failed(e instanceof PriorityError ? e.inner : e);
      },
    });
  };

  return (
    <form
      className="admin-card settings-card settings-wide"
      noValidate
      aria-labelledby="settings-sla-title"
      onSubmit={(e) => {
        e.preventDefault();
        if (canEdit && dirty) submit();
      }}
    >
      <h2 id="settings-sla-title" className="admin-card-title">
        {t('settings.tab.sla')}
      </h2>
      <p className="muted">
        {t('settings.sla.intro', { zone: store.timezone })}{' '}
        {dayLength ? t('settings.sla.dayLength', { length: formatMinutes(dayLength, i18n.language) }) : t('settings.sla.neverOpen')}
      </p>
      <fieldset disabled={!canEdit} className="settings-plain">
        <legend className="visually-hidden">{t('settings.tab.sla')}</legend>
        <table className="settings-table">
          <thead>
            <tr>
              <th scope="col">{t('settings.sla.priority')}</th>
              {TARGETS.map((k) => (
                <th key={k} scope="col">
                  {t(LABEL[k])} <span className="muted">({t('settings.sla.hours')})</span>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {PRIORITIES.map((pr) => (
              <tr key={pr}>
                <th scope="row">{t(`priority.${pr}`)}</th>
                {TARGETS.map((k) => {
                  const key = `${pr}.${k}`;
                  const minutes = hoursTextToMinutes(draft[pr][k]);
                  const days = minutes === null ? null : businessDays(minutes, dayLength);
                  return (
                    <td key={k} className={errors[key] ? 'has-error' : undefined}>
                      <input
                        type="text"
                        inputMode="decimal"
                        size={6}
                        aria-label={`${t(`priority.${pr}`)} · ${t(LABEL[k])} (${t('settings.sla.hours')})`}
                        aria-invalid={errors[key] ? true : undefined}
                        aria-describedby={`sla-${pr}-${k}-note`}
                        value={draft[pr][k]}
                        onChange={(e) => setDraft((d) => (d ? { ...d, [pr]: { ...d[pr], [k]: e.target.value } } : d))}
                      />
                      <span id={`sla-${pr}-${k}-note`} className={errors[key] ? 'settings-field-error' : 'settings-hint'}>
                        {errors[key] ??
                          (minutes === null
                            ? '—'
                            : `${t('settings.sla.businessTime', { time: formatMinutes(minutes, i18n.language) })}${days !== null && days >= 1 ? ` ≈ ${t('settings.sla.businessDays', { count: days })}` : ''}`)}
                      </span>
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </fieldset>
      <SaveBar canEdit={canEdit} dirty={dirty} pending={save.isPending} onReset={() => { setDraft(initial); setErrors({}); }} />
    </form>
  );
}
