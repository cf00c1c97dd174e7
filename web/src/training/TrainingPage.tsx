// The training ground (issue 6): the scenario library with assignments, a drill that looks
// like a real ticket (chat, the customer's profile and order with tool buttons, hints), and
// the end report with the score per rubric dimension and its evidence.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client.ts';
import { useUsers } from '../api/hooks.ts';
import type { SessionInfo } from '../api/types.ts';
import { countryName, languageName } from '../format.ts';
import { useFeedback } from '../ui/feedback.tsx';
import { errorText } from '../ui/errorText.ts';
import { openDrill, PAGE_SIZE, useAssign, useAssignments, useMyDrills, useScenarios, useStartDrill, type ScenarioFilters, type ScenarioSummary } from './api.ts';
import { DrillView } from './DrillView.tsx';

const CATEGORIES = ['order_status', 'lost_parcel', 'damaged_item', 'wrong_item', 'defective_item', 'return_request', 'exchange_request', 'refund', 'cancellation', 'payment_issue', 'customs_duties', 'address_change', 'product_question', 'other'];
const LANGUAGES = ['en', 'es', 'fr', 'de', 'it', 'pt', 'nl', 'pl', 'sv', 'tr', 'ru', 'ar', 'ja', 'ko', 'zh'];

/** `#/training` is the library, `#/training/drill/<id>` one drill (its report once ended). */
function drillIdFromHash(): string | null {
  const m = /^#\/training\/drill\/([^/?#]+)/.exec(window.location.hash);
  return m ? decodeURIComponent(m[1]) : null;
}

export function TrainingPage({ session }: { session: SessionInfo }) {
  const [drillId, setDrillId] = useState(drillIdFromHash);
  useEffect(() => {
    const on = () => setDrillId(drillIdFromHash());
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return (
    <main id="main" className="training">
      {drillId ? <DrillView id={drillId} /> : <ScenarioLibrary session={session} />}
    </main>
  );
}

function ScenarioLibrary({ session }: { session: SessionInfo }) {
  const { t, i18n } = useTranslation();
  const zh = i18n.language.startsWith('zh');
  const [filters, setFilters] = useState<ScenarioFilters>({});
  const [offset, setOffset] = useState(0);
  const list = useScenarios(filters, offset);
  const markets = useQuery({ queryKey: ['markets'], queryFn: () => api.get<{ items: Array<{ code: string }> }>('/api/v1/markets'), staleTime: Infinity });
  const isTrainer = ['admin', 'manager', 'trainer'].includes(session.user.role);
  const set = (k: keyof ScenarioFilters, v: string) => {
    setOffset(0);
    setFilters((f) => ({ ...f, [k]: v || undefined }));
  };
  const total = list.data?.total ?? 0;
  return (
    <div className="training-library">
      <h1>{t('drill.library')}</h1>
      <MyWork />
      <div className="filters" role="search">
        <label>
          {t('drill.category')}{' '}
          <select value={filters.category ?? ''} onChange={(e) => set('category', e.target.value)}>
            <option value="">{t('drill.any')}</option>
            {CATEGORIES.map((c) => (
              <option key={c} value={c}>
                {t(`category.${c}`, { defaultValue: c })}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('drill.market')}{' '}
          <select value={filters.market ?? ''} onChange={(e) => set('market', e.target.value)}>
            <option value="">{t('drill.any')}</option>
            {(markets.data?.items ?? []).map((m) => (
              <option key={m.code} value={m.code}>
                {countryName(m.code, i18n.language)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('drill.difficulty')}{' '}
          <select value={filters.difficulty ?? ''} onChange={(e) => set('difficulty', e.target.value)}>
            <option value="">{t('drill.any')}</option>
            {(['easy', 'medium', 'hard'] as const).map((d) => (
              <option key={d} value={d}>
                {t(`drill.level.${d}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('drill.language')}{' '}
          <select value={filters.language ?? ''} onChange={(e) => set('language', e.target.value)}>
            <option value="">{t('drill.any')}</option>
            {LANGUAGES.map((l) => (
              <option key={l} value={l}>
                {languageName(l, i18n.language)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('drill.tau2.sourceLabel')}{' '}
          <select value={filters.source ?? ''} onChange={(e) => set('source', e.target.value)} data-testid="source-filter">
            <option value="">{t('drill.tau2.allSources')}</option>
            <option value="library">{t('drill.tau2.library')}</option>
            <option value="ticket">{t('drill.tau2.ticket')}</option>
            <option value="tau2">{t('drill.tau2.source')}</option>
          </select>
        </label>
        <input type="search" aria-label={t('drill.search')} placeholder={t('drill.search')} value={filters.q ?? ''} maxLength={200} onChange={(e) => set('q', e.target.value)} />
      </div>
      {list.error && <p role="alert">{errorText(list.error, t)}</p>}
      <table className="scenario-table" aria-label={t('drill.library')} data-testid="scenario-table">
        <thead>
          <tr>
            <th>{t('drill.scenario')}</th>
            <th>{t('drill.category')}</th>
            <th>{t('drill.market')}</th>
            <th>{t('drill.language')}</th>
            <th>{t('drill.difficulty')}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {list.data?.items.map((s) => (
            <ScenarioRow key={s.id} s={s} zh={zh} canAssign={isTrainer} />
          ))}
        </tbody>
      </table>
      {list.data && list.data.items.length === 0 && <p className="muted">{t('drill.noScenarios')}</p>}
      <div className="pager">
        <button type="button" className="btn btn-small" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE_SIZE))}>
          ← {t('drill.prev')}
        </button>
        <span className="muted">{t('drill.range', { from: total ? offset + 1 : 0, to: Math.min(offset + PAGE_SIZE, total), total })}</span>
        <button type="button" className="btn btn-small" disabled={offset + PAGE_SIZE >= total} onClick={() => setOffset(offset + PAGE_SIZE)}>
          {t('drill.next')} →
        </button>
      </div>
    </div>
  );
}

function ScenarioRow({ s, zh, canAssign }: { s: ScenarioSummary; zh: boolean; canAssign: boolean }) {
  const { t, i18n } = useTranslation();
  const { toast } = useFeedback();
  const start = useStartDrill();
  const [variant, setVariant] = useState('');
  const [hints, setHints] = useState(true);
  const [assigning, setAssigning] = useState(false);
  return (
    <>
      <tr data-scenario-id={s.id}>
        <td>
          <bdi>{zh ? s.title.zh : s.title.en}</bdi>
          {s.source === 'ticket' && <span className="badge">{t('drill.fromTicket')}</span>}
          {s.source === 'tau2' && <span className="badge">{t('drill.tau2.source')}</span>}
        </td>
        <td>{t(`category.${s.category}`, { defaultValue: s.category })}</td>
        <td>{countryName(s.market, i18n.language)}</td>
        <td>{languageName(s.language, i18n.language)}</td>
        <td>
          <span className={`level level-${s.difficulty}`}>{t(`drill.level.${s.difficulty}`)}</span>
        </td>
        <td className="row-actions">
          {s.variants.length > 0 && (
            <select aria-label={t('drill.variant')} value={variant} onChange={(e) => setVariant(e.target.value)}>
              <option value="">{t('drill.baseVariant')}</option>
              {s.variants.map((v) => (
                <option key={v} value={v}>
                  {v}
                </option>
              ))}
            </select>
          )}
          <label className="inline">
            <input type="checkbox" checked={hints} onChange={(e) => setHints(e.target.checked)} /> {t('drill.hints')}
          </label>
          <button
            type="button"
            className="btn btn-primary btn-small"
            disabled={start.isPending}
            onClick={() =>
              start.mutate(
                { scenarioId: s.id, variant: variant || undefined, hints },
                { onSuccess: (d) => openDrill(d.id), onError: (e) => toast('error', t('toast.error', { message: errorText(e, t) })) },
              )
            }
          >
            {t('drill.start')}
          </button>
          {canAssign && (
            <button type="button" className="btn btn-small" aria-expanded={assigning} onClick={() => setAssigning(!assigning)}>
              {t('drill.assign')}
            </button>
          )}
        </td>
      </tr>
      {assigning && (
        <tr>
          <td colSpan={6}>
            <AssignForm scenario={s} variant={variant} onDone={() => setAssigning(false)} />
          </td>
        </tr>
      )}
    </>
  );
}

function AssignForm({ scenario, variant, onDone }: { scenario: ScenarioSummary; variant: string; onDone: () => void }) {
  const { t } = useTranslation();
  const { toast } = useFeedback();
  const users = useUsers();
  const assign = useAssign();
  const [userId, setUserId] = useState('');
  const [note, setNote] = useState('');
  const agents = (users.data ?? []).filter((u) => u.role === 'agent' && u.active);
  return (
    <form
      className="assign-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (!userId) return;
        assign.mutate(
          { scenarioId: scenario.id, userId, variant: variant || undefined, note: note || undefined },
          {
            onSuccess: () => {
              toast('success', t('drill.assigned'));
              onDone();
            },
            onError: (err) => toast('error', t('toast.error', { message: errorText(err, t) })),
          },
        );
      }}
    >
      <label>
        {t('drill.agent')}{' '}
        <select value={userId} required onChange={(e) => setUserId(e.target.value)}>
          <option value="">—</option>
          {agents.map((u) => (
            <option key={u.id} value={u.id}>
              {u.name}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('drill.note')} <input value={note} maxLength={2000} onChange={(e) => setNote(e.target.value)} />
      </label>
      <button type="submit" className="btn btn-primary btn-small" disabled={!userId || assign.isPending}>
        {t('drill.assign')}
      </button>
    </form>
  );
}

/** My assignments (to do first) and my recent drills with their scores. */
function MyWork() {
  const { t, i18n } = useTranslation();
  const zh = i18n.language.startsWith('zh');
  const assignments = useAssignments();
  const drills = useMyDrills();
  const { toast } = useFeedback();
  const start = useStartDrill();
  const open = (assignments.data?.items ?? []).filter((a) => a.status !== 'passed');
  return (
    <div className="my-work">
      <section aria-labelledby="my-assignments">
        <h2 id="my-assignments">{t('drill.myAssignments')}</h2>
        {open.length === 0 ? (
          <p className="muted">{t('drill.noAssignments')}</p>
        ) : (
          <ul className="assignments">
            {open.map((a) => (
              <li key={a.id}>
                <bdi>{a.scenarioTitle ? (zh ? a.scenarioTitle.zh : a.scenarioTitle.en) : a.scenarioId}</bdi>
                {a.variant !== 'base' && <span className="muted"> · {a.variant}</span>}
                <span className="badge">{t(`drill.assignmentStatus.${a.status}`, { defaultValue: a.status })}</span>
                {a.bestScore !== null && <span className="muted"> {t('drill.best', { score: Math.round(a.bestScore) })}</span>}
                {a.note && <span className="muted"> — {a.note}</span>}{' '}
                <button
                  type="button"
                  className="btn btn-primary btn-small"
                  onClick={() =>
                    start.mutate(
                      { scenarioId: a.scenarioId, variant: a.variant === 'base' ? undefined : a.variant, hints: true, assignmentId: a.id },
                      { onSuccess: (d) => openDrill(d.id), onError: (e) => toast('error', t('toast.error', { message: errorText(e, t) })) },
                    )
                  }
                >
                  {t('drill.start')}
                </button>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="my-drills">
        <h2 id="my-drills">{t('drill.recent')}</h2>
        {(drills.data?.items ?? []).length === 0 ? (
          <p className="muted">{t('drill.noDrills')}</p>
        ) : (
          <ul className="recent-drills">
            {drills.data?.items.map((d) => (
              <li key={d.id}>
                <a href={`#/training/drill/${encodeURIComponent(d.id)}`}>{d.scenarioId}</a>{' '}
                {d.score === null ? (
                  <span className="muted">{t('drill.inProgress')}</span>
                ) : (
                  <span className={d.passed ? 'pass' : 'fail'}>
                    {Math.round(d.score)} · {d.passed ? t('drill.passed') : t('drill.failed')}
                  </span>
                )}
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
