import { useTranslation } from 'react-i18next';
import type { Priority, PriorityReason, Sla, TicketStatus } from '../api/types.ts';
import { duration } from '../format.ts';

export function StatusBadge({ status }: { status: TicketStatus }) {
  const { t } = useTranslation();
  return <span className={`badge status-${status}`}>{t(`status.${status}`)}</span>;
}

export function PriorityLabel({ priority }: { priority: Priority }) {
  const { t } = useTranslation();
  return (
    <span className={`priority priority-${priority}`}>
      <span className="priority-dot" aria-hidden="true" />
      {t(`priority.${priority}`)}
    </span>
  );
}

/** Time left to the next SLA target: red once breached, amber when warned. */
export function SlaCountdown({
  sla,
  now,
  compact = false,
  status,
}: {
  sla: Sla | null | undefined;
  now: number;
  compact?: boolean;
  status?: TicketStatus;
}) {
  const { t } = useTranslation();
  // waiting on the customer: the clock does not run
  if (status === 'pending' && (!sla?.dueAt || sla.paused)) return <span className="sla sla-paused">{t('sla.paused')}</span>;
  if (!sla || !sla.dueAt) return <span className="sla sla-none">{compact ? '—' : t('sla.none')}</span>;
  if (sla.paused) return <span className="sla sla-paused">{t('sla.paused')}</span>;
  const left = Date.parse(sla.dueAt) - now;
  const breached = sla.breached || left < 0;
  const warning = !breached && (sla.warning || left < 60 * 60_000);
  const cls = breached ? 'sla-breached' : warning ? 'sla-warning' : 'sla-ok';
  // a target already missed (e.g. the first response) while the next one is still ahead
  const text =
    left < 0
      ? t('sla.overdue', { time: duration(left, t) })
      : breached
        ? compact
          ? t('sla.breached')
          : t('sla.breachedNext', { time: duration(left, t) })
        : t('sla.dueIn', { time: duration(left, t) });
  return (
    <span className={`sla ${cls}`} title={new Date(sla.dueAt).toLocaleString()} data-sla={cls}>
      {text}
    </span>
  );
}

/** Why a ticket has its priority, in the UI language ("angry customer; chargeback threat"). */
export function reasonsText(reasons: (string | PriorityReason)[], lng: string): string {
  return reasons.map((r) => (typeof r === 'string' ? r : ((lng.startsWith('zh') ? r.zh : r.en) ?? r.en ?? r.zh ?? r.code ?? ''))).filter(Boolean).join('; ');
}

/** The customer's mood at a glance: negative, neutral or positive. */
export function SentimentMark({ sentiment }: { sentiment: string | null }) {
  const { t } = useTranslation();
  if (!sentiment || sentiment === 'neutral') return null;
  const glyph = sentiment === 'negative' ? '☹' : sentiment === 'positive' ? '☺' : '';
  if (!glyph) return null;
  const label = t(`sentiment.${sentiment}`, { defaultValue: sentiment });
  return (
    <span className={`sentiment-mark sentiment-${sentiment}`} role="img" aria-label={label} title={label}>
      {glyph}
    </span>
  );
}
