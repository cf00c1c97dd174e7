// The analytics dashboard: CSAT (distribution chart, average), NPS, survey response rate,
// bot deflection and reopen rates, ticket volume (per day, by status, by category) and drill
// results, for the last 7/30/90 days and one store or all. Every chart carries its numbers
// as text for screen readers; numbers and labels follow the interface language.
import { useMemo, useState } from 'react';
import { useQueries, useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import type { EChartsCoreOption } from 'echarts/core';
import { api, qs } from '../api/client.ts';
import { useUsers } from '../api/hooks.ts';
import { CATEGORIES, STATUSES, type Role } from '../api/types.ts';
import { errorText } from '../ui/errorText.ts';
import { Chart } from './Chart.tsx';
import { drillSummary, nonZero, npsBand, num, percent, rangeFor, RANGES, type DrillSessionLite, type RangeDays } from './metrics.ts';

interface SurveyAnalytics {
  surveys: number;
  sent: number;
  answered: number;
  responseRate: number | null;
  csat: { responses: number; average: number | null; distribution: Record<'1' | '2' | '3' | '4' | '5', number>; satisfiedShare: number | null };
  nps: { asked: number; responses: number; promoters: number; passives: number; detractors: number; score: number | null };
}

interface BotAnalytics {
  tickets: number;
  decisions: number;
  answered: number;
  answeredByKind: { tracking: number; faq: number };
  handedOff: number;
  deflected: number;
  deflectionRate: number | null;
  reopened: number;
  reopenRate: number | null;
  reopenWindowDays: number;
}

interface TicketAnalytics {
  created: number;
  solved: number;
  byStatus: Record<string, number>;
  byCategory: Record<string, number>;
  byChannel: Record<string, number>;
  byPriority: Record<string, number>;
  daily: Array<{ date: string; created: number; solved: number }>;
}

const COLORS = { accent: '#2b5bd7', green: '#1f7a45', amber: '#b45309', red: '#c62828', grey: '#8a94a6' };
const CSAT_COLORS = ['#c62828', '#e0712c', '#c9a227', '#5aa469', '#1f7a45'];

export function AnalyticsPage({ role }: { role: Role }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const [days, setDays] = useState<RangeDays>(30);
  const [storeId, setStoreId] = useState('');
  // the window is fixed when the filter changes (not on every render), so queries stay cached
  const range = useMemo(() => rangeFor(days, new Date()), [days]);
  const service = role === 'admin' || role === 'manager';
  const params = qs({ from: range.from, to: range.to, storeId });

  const stores = useQuery({ queryKey: ['stores'], queryFn: () => api.get<{ items: { id: string; name: string }[] }>('/api/v1/stores'), select: (d) => d.items, staleTime: 5 * 60_000 });
  const surveys = useQuery({ queryKey: ['analytics', 'surveys', params], queryFn: () => api.get<SurveyAnalytics>(`/api/v1/analytics/surveys${params}`), enabled: service, staleTime: 60_000 });
  const bot = useQuery({ queryKey: ['analytics', 'bot', params], queryFn: () => api.get<BotAnalytics>(`/api/v1/analytics/bot${params}`), enabled: service, staleTime: 60_000 });
  const tickets = useQuery({ queryKey: ['analytics', 'tickets', params], queryFn: () => api.get<TicketAnalytics>(`/api/v1/analytics/tickets${params}`), enabled: service, staleTime: 60_000 });

  return (
    <main id="main" className="pane-main admin-page analytics-page" tabIndex={-1} aria-labelledby="analytics-title">
      <div className="admin-head">
        <h1 id="analytics-title" className="pane-heading">
          {t('analytics.title')}
        </h1>
        <p className="muted">{t('analytics.intro')}</p>
      </div>
      <div className="analytics-filters" role="group" aria-label={t('analytics.filters')}>
        <div className="segmented" role="radiogroup" aria-label={t('analytics.range')}>
          {RANGES.map((d) => (
            <button key={d} type="button" role="radio" aria-checked={days === d} className={`btn btn-small${days === d ? ' active' : ''}`} onClick={() => setDays(d)}>
              {t('analytics.lastDays', { count: d })}
            </button>
          ))}
        </div>
        {service && (
          <label className="control">
            {t('analytics.store')}
            <select value={storeId} onChange={(e) => setStoreId(e.target.value)}>
              <option value="">{t('analytics.allStores')}</option>
              {stores.data?.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name}
                </option>
              ))}
            </select>
          </label>
        )}
        <span className="muted">
          {new Intl.DateTimeFormat(lang, { dateStyle: 'medium' }).format(Date.parse(range.from))} – {new Intl.DateTimeFormat(lang, { dateStyle: 'medium' }).format(Date.parse(range.to) - 60_000)}
        </span>
      </div>

      {service && (
        <>
          <SatisfactionBlock q={surveys} t={t} lang={lang} />
          <BotBlock q={bot} t={t} lang={lang} />
          <TicketsBlock q={tickets} t={t} lang={lang} />
        </>
      )}
      <DrillBlock role={role} from={range.from} to={range.to} />
    </main>
  );
}

type Q<T> = { data?: T; isPending: boolean; isError: boolean; error: unknown; refetch: () => unknown };

function State<T>({ q, t }: { q: Q<T>; t: TFunction }) {
  if (q.isError)
    return (
      <p className="form-error" role="alert">
        {errorText(q.error, t)}{' '}
        <button type="button" className="btn btn-small" onClick={() => void q.refetch()}>
          {t('list.retry')}
        </button>
      </p>
    );
  if (q.isPending) return <p role="status">{t('list.loading')}</p>;
  return null;
}

function Stat({ label, value, sub, tone, testId }: { label: string; value: string; sub?: string; tone?: string; testId?: string }) {
  return (
    <div className={`stat${tone ? ` stat-${tone}` : ''}`} data-testid={testId}>
      <span className="stat-label">{label}</span>
      <strong className="stat-value">{value}</strong>
      {sub && <span className="stat-sub muted">{sub}</span>}
    </div>
  );
}

function SatisfactionBlock({ q, t, lang }: { q: Q<SurveyAnalytics>; t: TFunction; lang: string }) {
  const s = q.data;
  const option = useMemo<EChartsCoreOption | null>(() => {
    if (!s) return null;
    const labels = ['1', '2', '3', '4', '5'].map((k) => `${k} · ${t(`survey.csat${k}`)}`);
    return {
      grid: { left: 40, right: 16, top: 16, bottom: 48 },
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      xAxis: { type: 'category', data: labels, axisLabel: { interval: 0, fontSize: 11 } },
      yAxis: { type: 'value', minInterval: 1 },
      series: [
        {
          type: 'bar',
          name: t('analytics.csat.responses'),
          data: (['1', '2', '3', '4', '5'] as const).map((k, i) => ({ value: s.csat.distribution[k], itemStyle: { color: CSAT_COLORS[i] } })),
          barMaxWidth: 48,
          label: { show: true, position: 'top' },
        },
      ],
    };
  }, [s, t]);
  return (
    <section className="analytics-card" aria-labelledby="an-csat">
      <h2 id="an-csat" className="admin-card-title">
        {t('analytics.csat.title')}
      </h2>
      <State q={q} t={t} />
      {s && option && (
        <div className="analytics-row">
          <div className="stats">
            <Stat testId="stat-csat" label={t('analytics.csat.average')} value={s.csat.average === null ? '—' : `${num(s.csat.average, lang, 2)} / 5`} sub={t('analytics.csat.satisfied', { pct: percent(s.csat.satisfiedShare, lang) })} tone={s.csat.average === null ? undefined : s.csat.average >= 4 ? 'good' : s.csat.average >= 3 ? 'mid' : 'bad'} />
            <Stat testId="stat-nps" label={t('analytics.nps.score')} value={s.nps.score === null ? '—' : num(s.nps.score, lang, 1)} sub={t(`analytics.nps.band.${npsBand(s.nps.score)}`, { n: s.nps.responses })} tone={{ excellent: 'good', good: 'mid', poor: 'bad', none: undefined }[npsBand(s.nps.score)]} />
            <Stat testId="stat-response" label={t('analytics.csat.responseRate')} value={percent(s.responseRate, lang)} sub={t('analytics.csat.answeredOf', { answered: s.answered, sent: s.sent })} />
          </div>
          {s.csat.responses > 0 ? (
            <Chart
              testId="chart-csat"
              option={option}
              label={t('analytics.csat.chartLabel', { n: s.csat.responses, list: (['1', '2', '3', '4', '5'] as const).map((k) => `${k}: ${s.csat.distribution[k]}`).join(', ') })}
              table={{
                caption: t('analytics.csat.title'),
                columns: [t('analytics.csat.score'), t('analytics.csat.responses')],
                rows: (['1', '2', '3', '4', '5'] as const).map((k) => [`${k} · ${t(`survey.csat${k}`)}`, s.csat.distribution[k]]),
              }}
            />
          ) : (
            <p className="muted analytics-empty">{t('analytics.noAnswers')}</p>
          )}
          {s.nps.responses > 0 && (
            <p className="muted analytics-note">
              {t('analytics.nps.split', { promoters: s.nps.promoters, passives: s.nps.passives, detractors: s.nps.detractors })}
            </p>
          )}
        </div>
      )}
    </section>
  );
}

function BotBlock({ q, t, lang }: { q: Q<BotAnalytics>; t: TFunction; lang: string }) {
  const b = q.data;
  return (
    <section className="analytics-card" aria-labelledby="an-bot">
      <h2 id="an-bot" className="admin-card-title">
        {t('analytics.bot.title')}
      </h2>
      <State q={q} t={t} />
      {b && (
        <div className="stats">
          <Stat testId="stat-deflection" label={t('analytics.bot.deflection')} value={percent(b.deflectionRate, lang)} sub={t('analytics.bot.deflected', { deflected: b.deflected, tickets: b.tickets })} />
          <Stat testId="stat-reopen" label={t('analytics.bot.reopen')} value={percent(b.reopenRate, lang)} sub={t('analytics.bot.reopened', { reopened: b.reopened, answered: b.answered, days: b.reopenWindowDays })} tone={b.reopenRate !== null && b.reopenRate > 0.2 ? 'bad' : undefined} />
          <Stat label={t('analytics.bot.answered')} value={num(b.answered, lang, 0)} sub={t('analytics.bot.byKind', { tracking: b.answeredByKind.tracking, faq: b.answeredByKind.faq })} />
          <Stat label={t('analytics.bot.handedOff')} value={num(b.handedOff, lang, 0)} />
        </div>
      )}
    </section>
  );
}

function TicketsBlock({ q, t, lang }: { q: Q<TicketAnalytics>; t: TFunction; lang: string }) {
  const d = q.data;
  const dayFmt = useMemo(() => new Intl.DateTimeFormat(lang, { month: 'short', day: 'numeric', timeZone: 'UTC' }), [lang]);
  const charts = useMemo(() => {
    if (!d) return null;
    const dayLabels = d.daily.map((x) => dayFmt.format(Date.parse(`${x.date}T00:00:00Z`)));
    const volume: EChartsCoreOption = {
      grid: { left: 40, right: 16, top: 36, bottom: 28 },
      tooltip: { trigger: 'axis' },
      legend: { top: 0, data: [t('analytics.tickets.created'), t('analytics.tickets.solved')] },
      xAxis: { type: 'category', data: dayLabels, boundaryGap: false },
      yAxis: { type: 'value', minInterval: 1 },
      series: [
        { type: 'line', name: t('analytics.tickets.created'), data: d.daily.map((x) => x.created), showSymbol: false, itemStyle: { color: COLORS.accent }, areaStyle: { opacity: 0.08 } },
        { type: 'line', name: t('analytics.tickets.solved'), data: d.daily.map((x) => x.solved), showSymbol: false, itemStyle: { color: COLORS.green } },
      ],
    };
    const statuses = nonZero(d.byStatus, STATUSES);
    const statusCount = new Map(statuses.map(([k, v]) => [t(`status.${k}`), v]));
    const status: EChartsCoreOption = {
      tooltip: { trigger: 'item', formatter: '{b}: {c} ({d}%)' },
      // names and counts in the legend (wraps to more lines), none around the ring where they would be cut
      legend: { bottom: 0, itemWidth: 10, itemHeight: 10, textStyle: { fontSize: 11 }, formatter: (name: string) => `${name} ${statusCount.get(name) ?? ''}` },
      series: [{ type: 'pie', radius: ['36%', '62%'], center: ['50%', '40%'], label: { show: false }, data: statuses.map(([k, v]) => ({ name: t(`status.${k}`), value: v })) }],
    };
    const cats = nonZero(d.byCategory, [...CATEGORIES, 'none'] as const).reverse();
    const category: EChartsCoreOption = {
      grid: { left: 150, right: 36, top: 8, bottom: 24 },
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: { type: 'category', data: cats.map(([k]) => t(`category.${k}`)), axisLabel: { fontSize: 11 } },
      series: [{ type: 'bar', data: cats.map(([, v]) => v), itemStyle: { color: COLORS.accent }, label: { show: true, position: 'right' }, barMaxWidth: 18 }],
    };
    return { volume, status, statuses, category, cats, dayLabels };
  }, [d, t, dayFmt]);

  return (
    <section className="analytics-card" aria-labelledby="an-tickets">
      <h2 id="an-tickets" className="admin-card-title">
        {t('analytics.tickets.title')}
      </h2>
      <State q={q} t={t} />
      {d && charts && (
        <>
          <div className="stats">
            <Stat testId="stat-created" label={t('analytics.tickets.created')} value={num(d.created, lang, 0)} />
            <Stat testId="stat-solved" label={t('analytics.tickets.solved')} value={num(d.solved, lang, 0)} />
          </div>
          <div className="analytics-grid">
            <Chart
              testId="chart-volume"
              option={charts.volume}
              label={t('analytics.tickets.volumeLabel', { created: d.created, solved: d.solved, days: d.daily.length })}
              table={{
                caption: t('analytics.tickets.volume'),
                columns: [t('analytics.tickets.day'), t('analytics.tickets.created'), t('analytics.tickets.solved')],
                rows: d.daily.map((x, i) => [charts.dayLabels[i], x.created, x.solved]),
              }}
            />
            <Chart
              testId="chart-status"
              option={charts.status}
              label={t('analytics.tickets.statusLabel', { list: charts.statuses.map(([k, v]) => `${t(`status.${k}`)} ${v}`).join(', ') || '—' })}
              table={{ caption: t('analytics.tickets.byStatus'), columns: [t('analytics.tickets.status'), t('analytics.tickets.count')], rows: charts.statuses.map(([k, v]) => [t(`status.${k}`), v]) }}
            />
          </div>
          <Chart
            testId="chart-category"
            height={Math.max(160, charts.cats.length * 26 + 40)}
            option={charts.category}
            label={t('analytics.tickets.categoryLabel', { list: [...charts.cats].reverse().map(([k, v]) => `${t(`category.${k}`)} ${v}`).join(', ') || '—' })}
            table={{ caption: t('analytics.tickets.byCategory'), columns: [t('analytics.tickets.category'), t('analytics.tickets.count')], rows: [...charts.cats].reverse().map(([k, v]) => [t(`category.${k}`), v]) }}
          />
        </>
      )}
    </section>
  );
}

interface DrillPage {
  items: DrillSessionLite[];
}

/** Drill results: everyone's (agents, via GET /drills?userId=…) for trainers, managers and admins. */
function DrillBlock({ role, from, to }: { role: Role; from: string; to: string }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const users = useUsers();
  const trainees = (users.data ?? []).filter((u) => u.role === 'agent').slice(0, 50);
  const results = useQueries({
    queries: trainees.map((u) => ({
      queryKey: ['analytics', 'drills', u.id],
      queryFn: () => api.get<DrillPage>(`/api/v1/drills${qs({ userId: u.id, limit: 200 })}`),
      staleTime: 60_000,
    })),
  });
  const pending = users.isPending || results.some((r) => r.isPending);
  const failed = results.find((r) => r.isError);
  const perUser = trainees.map((u, i) => ({ user: u, summary: drillSummary(results[i]?.data?.items ?? [], from, to) }));
  const all = drillSummary(results.flatMap((r) => r.data?.items ?? []), from, to);
  const active = perUser.filter((p) => p.summary.finished > 0).sort((a, b) => (b.summary.averageScore ?? 0) - (a.summary.averageScore ?? 0));

  const activeKey = JSON.stringify(active.map((p) => [p.user.name, p.summary.averageScore]));
  const option = useMemo<EChartsCoreOption>(() => {
    const rows = JSON.parse(activeKey) as Array<[string, number | null]>;
    return {
      grid: { left: 130, right: 40, top: 8, bottom: 24 },
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      xAxis: { type: 'value', min: 0, max: 100 },
      yAxis: { type: 'category', data: [...rows].reverse().map((r) => r[0]), axisLabel: { fontSize: 11 } },
      series: [{ type: 'bar', data: [...rows].reverse().map((r) => r[1]), itemStyle: { color: COLORS.accent }, label: { show: true, position: 'right' }, barMaxWidth: 18 }],
    };
  }, [activeKey]);

  if (role === 'agent') return null;
  return (
    <section className="analytics-card" aria-labelledby="an-drills">
      <h2 id="an-drills" className="admin-card-title">
        {t('analytics.drills.title')}
      </h2>
      {failed?.error ? (
        <p className="form-error" role="alert">
          {errorText(failed.error, t)}
        </p>
      ) : pending ? (
        <p role="status">{t('list.loading')}</p>
      ) : all.sessions === 0 ? (
        <p className="muted analytics-empty">{t('analytics.drills.none')}</p>
      ) : (
        <>
          <div className="stats">
            <Stat testId="stat-drill-score" label={t('analytics.drills.average')} value={num(all.averageScore, lang, 1)} sub={t('analytics.drills.finished', { finished: all.finished, sessions: all.sessions })} />
            <Stat testId="stat-drill-pass" label={t('analytics.drills.passRate')} value={percent(all.passRate, lang)} />
            <Stat label={t('analytics.drills.trainees')} value={num(all.trainees, lang, 0)} />
          </div>
          {active.length > 0 && (
            <Chart
              testId="chart-drills"
              height={Math.max(140, active.length * 28 + 40)}
              option={option}
              label={t('analytics.drills.chartLabel', { list: active.map((p) => `${p.user.name} ${num(p.summary.averageScore, lang, 1)}`).join(', ') })}
              table={{
                caption: t('analytics.drills.byAgent'),
                columns: [t('analytics.drills.agent'), t('analytics.drills.average'), t('analytics.drills.passRate'), t('analytics.drills.count')],
                rows: active.map((p) => [p.user.name, num(p.summary.averageScore, lang, 1), percent(p.summary.passRate, lang), p.summary.finished]),
              }}
            />
          )}
        </>
      )}
    </section>
  );
}
