import { useTranslation } from 'react-i18next';
import { useTeams, useUsers } from '../api/hooks.ts';
import type { TicketDetail, TicketEvent } from '../api/types.ts';
import { countryName, countryTimeZone, dateTime, languageName, localTimeIn, showValue } from '../format.ts';
import { PriorityLabel, SlaCountdown } from './badges.tsx';
import { PlaybookPanel } from './PlaybookPanel.tsx';
import { SurveyBadge } from './SurveyBadge.tsx';
import { OrderPanel } from './OrderPanel.tsx';
import { MarketPanel, SuggestionsPanel } from './SuggestionsPanel.tsx';

export function ContextPane({ ticket, now }: { ticket: TicketDetail; now: number }) {
  const { t, i18n } = useTranslation();
  const lng = i18n.language;
  const c = ticket.customer;
  const sentiment = ticket.sentiment ?? 'unknown';
  const users = useUsers();
  const teams = useTeams();
  const userName = (id: string) => users.data?.find((u) => u.id === id)?.name ?? teams.data?.find((x) => x.id === id)?.name ?? null;
  const guessedZone = c.timezone ? null : countryTimeZone(c.country);
  return (
    <aside className="pane-context" aria-label={t('context.label')}>
      <section aria-labelledby="ctx-customer">
        <h2 id="ctx-customer">{t('context.customer')}</h2>
        <dl className="facts">
          <dt>{t('context.name')}</dt>
          <dd>{c.name || t('context.unknown')}</dd>
          <dt>{t('context.email')}</dt>
          <dd className="break">{c.email}</dd>
          <dt>{t('context.country')}</dt>
          <dd>{c.country ? `${countryName(c.country, lng)} (${c.country.toUpperCase()})` : t('context.unknown')}</dd>
          <dt>{t('context.language')}</dt>
          <dd>{languageName(c.language, lng)}</dd>
          <dt>{t('context.localTime')}</dt>
          <dd data-testid="customer-local-time">
            {c.timezone
              ? `${localTimeIn(c.timezone, lng, now)} · ${c.timezone}`
              : guessedZone
                ? `≈ ${localTimeIn(guessedZone, lng, now)} (${t('context.estimated')})`
                : t('context.unknown')}
          </dd>
        </dl>
      </section>
      <section aria-labelledby="ctx-facts">
        <h2 id="ctx-facts">{t('context.facts')}</h2>
        <dl className="facts">
          <dt>{t('context.category')}</dt>
          <dd>{ticket.category ? t(`category.${ticket.category}`, { defaultValue: ticket.category }) : t('category.none')}</dd>
          <dt>{t('context.language')}</dt>
          <dd>{languageName(ticket.language, lng)}</dd>
          <dt>{t('list.priority')}</dt>
          <dd>
            <PriorityLabel priority={ticket.priority} />
          </dd>
          <dt>{t('context.sentiment')}</dt>
          <dd className={`sentiment-${sentiment}`}>{t(`sentiment.${sentiment}`, { defaultValue: sentiment })}</dd>
          <dt>{t('context.angry')}</dt>
          <dd className={ticket.angry ? 'angry-yes' : undefined}>{ticket.angry ? t('context.yes') : t('context.no')}</dd>
          <dt>{t('context.channel')}</dt>
          <dd>{ticket.channel}</dd>
          {ticket.orderId && (
            <>
              <dt>{t('context.order')}</dt>
              <dd className="break">{ticket.orderId}</dd>
            </>
          )}
          <dt>{t('context.created')}</dt>
          <dd>{dateTime(ticket.createdAt, lng)}</dd>
        </dl>
      </section>
      <SurveyBadge ticket={ticket} />
      <OrderPanel ticket={ticket} />
      <SuggestionsPanel ticket={ticket} />
      <MarketPanel ticket={ticket} />
      <PlaybookPanel ticket={ticket} />
      <section aria-labelledby="ctx-sla">
        <h2 id="ctx-sla">{t('sla.label')}</h2>
        <p>
          <SlaCountdown sla={ticket.sla} now={now} status={ticket.status} />
        </p>
        <dl className="facts">
          <dt>{t('sla.firstResponse')}</dt>
          <dd>{ticket.firstRespondedAt ? `✓ ${dateTime(ticket.firstRespondedAt, lng)}` : dateTime(ticket.sla.firstResponseDueAt, lng)}</dd>
          <dt>{t('sla.nextResponse')}</dt>
          <dd>{dateTime(ticket.sla.nextResponseDueAt, lng)}</dd>
          <dt>{t('sla.resolution')}</dt>
          <dd>{dateTime(ticket.sla.resolutionDueAt, lng)}</dd>
        </dl>
      </section>
      <section aria-labelledby="ctx-why">
        <h2 id="ctx-why">{t('context.whyUrgent')}</h2>
        {ticket.priorityReasons.length === 0 ? (
          <p className="muted">{t('context.noReasons')}</p>
        ) : (
          <ul className="reasons">
            {ticket.priorityReasons.map((r, i) => (
              <li key={i}>{typeof r === 'string' ? r : ((lng.startsWith('zh') ? r.zh : r.en) ?? r.en ?? r.zh ?? r.code ?? '')}</li>
            ))}
          </ul>
        )}
      </section>
      <section>
        <details className="event-trail">
          <summary>{t('context.events', { count: ticket.events.length })}</summary>
          <ol>
            {ticket.events.map((e) => (
              <EventLine key={e.id} e={e} userName={userName} />
            ))}
          </ol>
        </details>
      </section>
    </aside>
  );
}

function EventLine({ e, userName }: { e: TicketEvent; userName: (id: string) => string | null }) {
  const { t, i18n } = useTranslation();
  const actor = e.actorName ?? (e.actorType === 'system' ? t('event.system') : t(`author.${e.actorType}`, { defaultValue: e.actorType }));
  const field = e.field ? t(`ticket.${e.field.replace(/(_id|Id)$/, '')}`, { defaultValue: e.field }) : '';
  const show = (v: unknown) => {
    const s = showValue(v);
    if (e.field === 'status') return t(`status.${s}`, { defaultValue: s });
    if (e.field === 'priority') return t(`priority.${s}`, { defaultValue: s });
    if (e.field === 'category') return t(`category.${s}`, { defaultValue: s });
    if (['assignee', 'assigneeId', 'assignee_id', 'team', 'teamId', 'team_id'].includes(e.field ?? '')) {
      return typeof v === 'string' ? (userName(v) ?? s) : v === null ? t('ticket.unassigned') : s;
    }
    return s;
  };
  const triageSummary = (after: unknown): string => {
    if (!after || typeof after !== 'object') return showValue(after);
    const a = after as Record<string, unknown>;
    const parts: string[] = [];
    if (typeof a.category === 'string') parts.push(t(`category.${a.category}`, { defaultValue: a.category }));
    if (typeof a.language === 'string') parts.push(languageName(a.language, i18n.language));
    if (typeof a.priority === 'string') parts.push(t(`priority.${a.priority}`, { defaultValue: a.priority }));
    if (typeof a.sentiment === 'string') parts.push(t(`sentiment.${a.sentiment}`, { defaultValue: a.sentiment }));
    return parts.join(' · ') || showValue(after);
  };
  return (
    <li>
      <time className="muted" dateTime={e.createdAt}>
        {dateTime(e.createdAt, i18n.language)}
      </time>
      <span>
        {e.field
          ? t('event.changed', { actor, field, before: show(e.before), after: show(e.after) })
          : e.type === 'created'
            ? t('event.created', { actor })
            : e.type === 'triaged'
              ? t('event.triaged', { summary: triageSummary(e.after) })
              : t('event.other', { actor, type: e.type })}
      </span>
    </li>
  );
}
