// The end report of a drill: the score and pass mark, a bar per rubric dimension with the
// sentences that earned or lost it, the outcome check, what a strong agent would have said.
import { useTranslation } from 'react-i18next';
import { openDrill, useStartDrill, type Report, type Session } from './api.ts';
import { useFeedback } from '../ui/feedback.tsx';
import { errorText } from '../ui/errorText.ts';
import { Tau2Outcome } from './Tau2Panel.tsx';

export function DrillReport({ report: r, session: s }: { report: Report; session: Session }) {
  const { t, i18n } = useTranslation();
  const zh = i18n.language.startsWith('zh');
  const { toast } = useFeedback();
  const again = useStartDrill();
  const dims = Object.entries(r.dimensions);
  return (
    <div className="drill-report" data-testid="drill-report">
      <button type="button" className="btn btn-ghost btn-small" onClick={() => openDrill(null)}>
        ← {t('drill.library')}
      </button>
      <h1>
        <bdi>{zh ? s.scenario.title.zh : s.scenario.title.en}</bdi>
      </h1>
      <div className={`score-card ${r.passed ? 'pass' : 'fail'}`}>
        <span className="score-big" data-testid="drill-score">
          {Math.round(r.score)}
        </span>
        <span>
          <strong>{r.passed ? t('drill.passed') : t('drill.failed')}</strong>
          <br />
          <span className="muted">{t('drill.passMark', { mark: r.passMark })}</span>
        </span>
        <span className="muted">
          {t('drill.turns', { count: r.efficiency.turns })} · {t('drill.minutes', { count: Math.max(1, Math.round(r.efficiency.seconds / 60)) })}
        </span>
        <button
          type="button"
          className="btn btn-small"
          onClick={() =>
            again.mutate(
              { scenarioId: s.scenario.id, variant: s.variant === 'base' ? undefined : s.variant, hints: s.hints },
              { onSuccess: (d) => openDrill(d.id), onError: (e) => toast('error', t('toast.error', { message: errorText(e, t) })) },
            )
          }
        >
          {t('drill.again')}
        </button>
      </div>
      {r.failReasons.length > 0 && (
        <div className="critical" role="alert">
          <strong>{t('drill.whyFailed')}</strong>
          <ul>
            {r.failReasons.map((c, i) => (
              <li key={i}>{c.startsWith('critical:') ? t('drill.reason.critical', { what: c.slice(9) }) : c === 'process_rule' ? t('drill.tau2.reasonProcessRule') : t(`drill.reason.${c}`, { defaultValue: c })}</li>
            ))}
          </ul>
        </div>
      )}
      <section aria-labelledby="report-dims">
        <h2 id="report-dims">{t('drill.dimensions')}</h2>
        <ul className="dim-bars" data-testid="dimension-bars">
          {dims.map(([key, d]) => (
            <li key={key}>
              <span className="dim-name">{zh ? d.name.zh : d.name.en}</span>
              <span className="bar" role="img" aria-label={`${zh ? d.name.zh : d.name.en}: ${Math.round(d.score * 100)}`}>
                <span className={`fill verdict-${d.verdict}`} style={{ width: `${Math.max(0, Math.min(100, d.score * 100))}%` }} />
              </span>
              <span className="dim-score">{Math.round(d.score * 100)}</span>
              {d.evidence.length > 0 && (
                <details>
                  <summary>{t('drill.evidence', { count: d.evidence.length })}</summary>
                  <ul>
                    {d.evidence.map((e, i) => (
                      <li key={i} className={`evidence effect-${e.effect}`}>
                        {e.quote && <q dir="auto">{e.quote}</q>} — {zh ? e.zh : e.en}
                      </li>
                    ))}
                  </ul>
                </details>
              )}
            </li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="report-outcome">
        <h2 id="report-outcome">{t('drill.outcome')}</h2>
        {/* tau2 drills: the database check is shown, localized, by Tau2Outcome below */}
        {!r.tau2 && (
          <>
            <p>
              {r.outcome.endState.passed ? '✓' : '✗'} {t('drill.endState')}: {r.outcome.endState.matched ?? t('drill.noMatch')}
            </p>
            <ul>
              {r.outcome.endState.alternatives.map((a, i) => (
                <li key={i} className={a.passed ? 'pass' : 'muted'}>
                  {a.label}
                  {a.missing.length > 0 && ` — ${t('drill.missing', { what: a.missing.join(', ') })}`}
                  {a.extra.length > 0 && ` — ${t('drill.extra', { what: a.extra.join(', ') })}`}
                </li>
              ))}
            </ul>
          </>
        )}
        {(!r.tau2 || r.outcome.mustTell.length > 0) && <p>{t('drill.mustTell')}</p>}
        <ul>
          {r.outcome.mustTell.map((m) => (
            <li key={m.id} className={m.told ? 'pass' : 'fail'}>
              {m.told ? '✓' : '✗'} {zh ? m.zh : m.en}
              {m.quote && (
                <>
                  {' '}
                  — <q dir="auto">{m.quote}</q>
                </>
              )}
            </li>
          ))}
        </ul>
        <p className="muted">
          {t('drill.customerEnd', { status: t(`drill.customerStatus.${r.outcome.customer.status}`, { defaultValue: r.outcome.customer.status }) })}
          {r.outcome.customer.escalation ? ` · ${t('drill.escalated', { how: r.outcome.customer.escalation })}` : ''}
        </p>
      </section>
      {r.tau2 && <Tau2Outcome r={r.tau2} />}
      {r.strongReply && (
        <section aria-labelledby="report-strong">
          <h2 id="report-strong">{t('drill.strongReply')}</h2>
          <blockquote dir="auto" lang={s.scenario.language}>
            {r.strongReply.text}
          </blockquote>
          <p className="muted" lang="zh">
            {r.strongReply.gloss_zh}
          </p>
        </section>
      )}
      <details>
        <summary>{t('drill.transcript', { count: r.transcript.length })}</summary>
        <ol className="transcript">
          {r.transcript.map((e, i) => (
            <li key={i} className={`role-${e.role}`}>
              <strong>{t(`drill.role.${e.role}`, { defaultValue: e.role })}:</strong> <span dir="auto">{e.text}</span>
              {e.gloss_zh && <span className="muted"> ({e.gloss_zh})</span>}
            </li>
          ))}
        </ol>
      </details>
    </div>
  );
}
