// The customer's CSAT (and NPS) for this ticket in the right pane: the score as stars, the
// comment (React escapes it), or where the survey stands (queued, sent, not sent, none).
import { useTranslation } from 'react-i18next';
import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client.ts';
import type { TicketDetail } from '../api/types.ts';
import { dateTime } from '../format.ts';

export interface TicketSurvey {
  id: string;
  kind: 'csat' | 'csat_nps';
  status: 'created' | 'sent' | 'not_sent' | 'answered';
  language: string;
  csatScore: number | null;
  npsScore: number | null;
  comment: string | null;
  createdAt: string;
  sentAt: string | null;
  answeredAt: string | null;
  expiresAt: string;
  lastError: string | null;
}

/** Promoter 9–10, passive 7–8, detractor 0–6. */
export function npsGroup(score: number): 'promoter' | 'passive' | 'detractor' {
  return score >= 9 ? 'promoter' : score >= 7 ? 'passive' : 'detractor';
}

export function SurveyBadge({ ticket }: { ticket: TicketDetail }) {
  const { t, i18n } = useTranslation();
  const solved = ticket.status === 'solved' || ticket.status === 'closed';
  const q = useQuery({
    queryKey: ['ticket-survey', ticket.id, ticket.status],
    queryFn: () => api.get<{ survey: TicketSurvey | null }>(`/api/v1/tickets/${ticket.id}/survey`),
    enabled: solved,
    staleTime: 30_000,
  });
  if (!solved) return null;
  const s = q.data?.survey ?? null;
  return (
    <section aria-labelledby="ctx-survey" className="survey-badge">
      <h2 id="ctx-survey">{t('survey.title')}</h2>
      {q.isLoading && <p className="muted">{t('survey.loading')}</p>}
      {q.isError && <p className="muted">{t('survey.unavailable')}</p>}
      {q.isSuccess && !s && <p className="muted">{t('survey.none')}</p>}
      {s && s.status === 'answered' && s.csatScore !== null && (
        <>
          <p className={`csat csat-${s.csatScore}`} aria-label={t('survey.csatAria', { score: s.csatScore })}>
            <span className="csat-stars" aria-hidden="true">
              {'★'.repeat(s.csatScore)}
              {'☆'.repeat(5 - s.csatScore)}
            </span>{' '}
            <strong>{s.csatScore}/5</strong> <span className="muted">{t(`survey.csat${s.csatScore}`)}</span>
          </p>
          {s.npsScore !== null && (
            <p className={`nps nps-${npsGroup(s.npsScore)}`}>
              NPS <strong>{s.npsScore}/10</strong> · {t(`survey.${npsGroup(s.npsScore)}`)}
            </p>
          )}
          {s.comment && <blockquote className="survey-comment">{s.comment}</blockquote>}
          {s.answeredAt && <p className="muted">{t('survey.answeredAt', { when: dateTime(s.answeredAt, i18n.language) })}</p>}
        </>
      )}
      {s && s.status === 'sent' && <p className="muted">{t('survey.sent', { when: dateTime(s.sentAt, i18n.language) })}</p>}
      {s && s.status === 'created' && <p className="muted">{t('survey.queued')}</p>}
      {s && s.status === 'not_sent' && (
        <p className="muted" title={s.lastError ?? undefined}>
          {t('survey.notSent')}
        </p>
      )}
    </section>
  );
}
