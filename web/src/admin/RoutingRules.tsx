// Admin page: the routing rules (global, and per store where a store has its own),
// edited in place and saved through PUT /api/v1/routing/rules. Managers see them read-only.
import { useEffect, useId, useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, request } from '../api/client.ts';
import { useTeams } from '../api/hooks.ts';
import { useFeedback } from '../ui/feedback.tsx';
import { errorText } from '../ui/errorText.ts';

const PROFICIENCIES = ['basic', 'working', 'fluent', 'native'] as const;
const LEVELS = ['trainee', 'L1', 'L2', 'L3', 'expert'] as const;

export interface RoutingSettings {
  enabled: boolean;
  requireLanguage: boolean;
  minProficiency: (typeof PROFICIENCIES)[number];
  requireSkill: boolean;
  skillFallback: boolean;
  highRiskMinLevel: (typeof LEVELS)[number];
  highRiskUrgent: boolean;
  highRiskAngry: boolean;
  respectMaxLoad: boolean;
  teamId: string | null;
}

interface RoutingRule {
  scope: string;
  storeId: string | null;
  storeName: string | null;
  settings: RoutingSettings;
  updatedAt: string;
}

type BoolKey = { [K in keyof RoutingSettings]: RoutingSettings[K] extends boolean ? K : never }[keyof RoutingSettings];

function useRules() {
  return useQuery({ queryKey: ['routing-rules'], queryFn: () => api.get<{ items: RoutingRule[] }>('/api/v1/routing/rules'), select: (d) => d.items });
}

function useStores(enabled: boolean) {
  return useQuery({ queryKey: ['stores'], queryFn: () => api.get<{ items: { id: string; name: string }[] }>('/api/v1/stores'), enabled, select: (d) => d.items, staleTime: 5 * 60_000 });
}

export function RoutingRulesPage({ canEdit }: { canEdit: boolean }) {
  const { t } = useTranslation();
  const rules = useRules();
  const stores = useStores(canEdit);
  const qc = useQueryClient();
  const { toast } = useFeedback();
  const [newStore, setNewStore] = useState('');

  const create = useMutation({
    mutationFn: (storeId: string) => request<RoutingRule>('PUT', '/api/v1/routing/rules', { storeId, settings: {} }),
    onSuccess: () => {
      setNewStore('');
      toast('success', t('routing.created'));
      void qc.invalidateQueries({ queryKey: ['routing-rules'] });
    },
    onError: (e) => toast('error', errorText(e, t)),
  });

  const withoutRule = (stores.data ?? []).filter((s) => !rules.data?.some((r) => r.storeId === s.id));

  return (
    <main id="main" className="pane-main admin-page" tabIndex={-1} aria-labelledby="routing-title">
      <div className="admin-head">
        <h1 id="routing-title" className="pane-heading">
          {t('routing.title')}
        </h1>
        <p className="muted">{t('routing.intro')}</p>
        {!canEdit && <p className="muted">{t('routing.readOnly')}</p>}
      </div>
      {rules.isPending && <p role="status">{t('list.loading')}</p>}
      {rules.isError && (
        <p className="form-error" role="alert">
          {errorText(rules.error, t)}{' '}
          <button type="button" className="btn btn-small" onClick={() => void rules.refetch()}>
            {t('list.retry')}
          </button>
        </p>
      )}
      {rules.data?.map((r) => <RuleCard key={`${r.scope}:${r.updatedAt}`} rule={r} canEdit={canEdit} />)}
      {canEdit && withoutRule.length > 0 && (
        <form
          className="admin-card admin-row"
          onSubmit={(e) => {
            e.preventDefault();
            if (newStore) create.mutate(newStore);
          }}
        >
          <label className="control">
            {t('routing.addForStore')}
            <select value={newStore} onChange={(e) => setNewStore(e.target.value)}>
              <option value="">{t('routing.chooseStore')}</option>
              {withoutRule.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name}
                </option>
              ))}
            </select>
          </label>
          <button type="submit" className="btn" disabled={!newStore || create.isPending}>
            {t('routing.add')}
          </button>
        </form>
      )}
    </main>
  );
}

function RuleCard({ rule, canEdit }: { rule: RoutingRule; canEdit: boolean }) {
  const { t } = useTranslation();
  const id = useId();
  const qc = useQueryClient();
  const { toast, confirm } = useFeedback();
  const teams = useTeams();
  const [draft, setDraft] = useState<RoutingSettings>(rule.settings);
  useEffect(() => setDraft(rule.settings), [rule.settings]);
  const dirty = JSON.stringify(draft) !== JSON.stringify(rule.settings);

  const save = useMutation({
    mutationFn: (settings: RoutingSettings) => request<RoutingRule>('PUT', '/api/v1/routing/rules', { storeId: rule.storeId, settings }),
    onSuccess: () => {
      toast('success', t('routing.saved'));
      void qc.invalidateQueries({ queryKey: ['routing-rules'] });
    },
    onError: (e) => toast('error', errorText(e, t)),
  });
  const remove = useMutation({
    mutationFn: () => request<unknown>('DELETE', `/api/v1/routing/rules/${encodeURIComponent(rule.storeId ?? '')}`),
    onSuccess: () => {
      toast('success', t('routing.removed'));
      void qc.invalidateQueries({ queryKey: ['routing-rules'] });
    },
    onError: (e) => toast('error', errorText(e, t)),
  });

  const title = rule.storeId ? t('routing.storeRule', { name: rule.storeName ?? rule.storeId }) : t('routing.globalRule');
  const set = <K extends keyof RoutingSettings>(k: K, v: RoutingSettings[K]) => setDraft((d) => ({ ...d, [k]: v }));
  const check = (k: BoolKey, disabled = false) => (
    <label className="admin-check">
      <input type="checkbox" checked={draft[k]} disabled={!canEdit || disabled} onChange={(e) => set(k, e.target.checked)} />
      {t(`routing.field.${k}`)}
    </label>
  );

  return (
    <form
      className="admin-card"
      aria-labelledby={`${id}-title`}
      onSubmit={(e) => {
        e.preventDefault();
        if (canEdit && dirty) save.mutate(draft);
      }}
    >
      <h2 id={`${id}-title`} className="admin-card-title">
        {title}
        {!rule.storeId && <span className="muted"> · {t('routing.globalHint')}</span>}
      </h2>
      <fieldset className="admin-group" disabled={!canEdit}>
        <legend className="visually-hidden">{title}</legend>
        {check('enabled')}
      </fieldset>
      <fieldset className="admin-group" disabled={!canEdit || !draft.enabled}>
        <legend>{t('routing.group.language')}</legend>
        {check('requireLanguage')}
        <label className="control">
          {t('routing.field.minProficiency')}
          <select value={draft.minProficiency} disabled={!draft.requireLanguage} onChange={(e) => set('minProficiency', e.target.value as RoutingSettings['minProficiency'])}>
            {PROFICIENCIES.map((p) => (
              <option key={p} value={p}>
                {t(`routing.proficiency.${p}`)}
              </option>
            ))}
          </select>
        </label>
      </fieldset>
      <fieldset className="admin-group" disabled={!canEdit || !draft.enabled}>
        <legend>{t('routing.group.skill')}</legend>
        {check('requireSkill')}
        {check('skillFallback', !draft.requireSkill)}
      </fieldset>
      <fieldset className="admin-group" disabled={!canEdit || !draft.enabled}>
        <legend>{t('routing.group.highRisk')}</legend>
        {check('highRiskUrgent')}
        {check('highRiskAngry')}
        <label className="control">
          {t('routing.field.highRiskMinLevel')}
          <select value={draft.highRiskMinLevel} onChange={(e) => set('highRiskMinLevel', e.target.value as RoutingSettings['highRiskMinLevel'])}>
            {LEVELS.map((l) => (
              <option key={l} value={l}>
                {t(`routing.level.${l}`)}
              </option>
            ))}
          </select>
        </label>
      </fieldset>
      <fieldset className="admin-group" disabled={!canEdit || !draft.enabled}>
        <legend>{t('routing.group.load')}</legend>
        {check('respectMaxLoad')}
        <label className="control">
          {t('routing.field.teamId')}
          <select value={draft.teamId ?? ''} onChange={(e) => set('teamId', e.target.value || null)}>
            <option value="">{t('routing.anyTeam')}</option>
            {(teams.data ?? []).map((tm) => (
              <option key={tm.id} value={tm.id}>
                {tm.name}
              </option>
            ))}
          </select>
        </label>
      </fieldset>
      {canEdit && (
        <div className="admin-actions">
          <button type="submit" className="btn btn-primary" disabled={!dirty || save.isPending}>
            {save.isPending ? t('routing.saving') : t('routing.save')}
          </button>
          <button type="button" className="btn" disabled={!dirty || save.isPending} onClick={() => setDraft(rule.settings)}>
            {t('routing.reset')}
          </button>
          {rule.storeId && (
            <button
              type="button"
              className="btn btn-ghost"
              disabled={remove.isPending}
              onClick={() => {
                void confirm(t('routing.confirmRemove', { name: rule.storeName ?? '' })).then((ok) => {
                  if (ok) remove.mutate();
                });
              }}
            >
              {t('routing.remove')}
            </button>
          )}
        </div>
      )}
    </form>
  );
}
