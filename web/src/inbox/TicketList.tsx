import { useEffect, useRef } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useTranslation } from 'react-i18next';
import type { Ticket } from '../api/types.ts';
import { languageName, relativeTime } from '../format.ts';
import { PriorityLabel, reasonsText, SentimentMark, SlaCountdown, StatusBadge } from './badges.tsx';

const ROW_HEIGHT = 58;

interface Props {
  tickets: Ticket[];
  loading: boolean;
  error: string | null;
  onRetry: () => void;
  hasNextPage: boolean;
  fetchingNext: boolean;
  fetchNextPage: () => void;
  activeIndex: number;
  selected: ReadonlySet<string>;
  onToggle: (id: string) => void;
  onToggleAll: (on: boolean) => void;
  onOpen: (id: string) => void;
  now: number;
}

/**
 * The ticket list: only the rows on screen are in the DOM (100k tickets stay fast);
 * the next page is fetched by cursor when the last loaded row scrolls into view.
 */
export function TicketList(p: Props) {
  const { t, i18n } = useTranslation();
  const scrollRef = useRef<HTMLDivElement>(null);
  const count = p.tickets.length + (p.hasNextPage ? 1 : 0);
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });
  const items = virtualizer.getVirtualItems();
  const last = items[items.length - 1];

  const { hasNextPage, fetchingNext, fetchNextPage, tickets } = p;
  useEffect(() => {
    if (last && last.index >= tickets.length - 5 && hasNextPage && !fetchingNext) fetchNextPage();
  }, [last, tickets.length, hasNextPage, fetchingNext, fetchNextPage]);

  useEffect(() => {
    if (p.activeIndex >= 0) virtualizer.scrollToIndex(p.activeIndex, { align: 'auto' });
  }, [p.activeIndex, virtualizer]);

  const allSelected = p.tickets.length > 0 && p.tickets.every((x) => p.selected.has(x.id));

  return (
    <div className="ticket-table">
      <div className="ticket-row ticket-head">
        <span className="cell-check">
          <input
            type="checkbox"
            aria-label={t('list.selectAll')}
            checked={allSelected}
            disabled={p.tickets.length === 0}
            onChange={(e) => p.onToggleAll(e.target.checked)}
          />
        </span>
        <span>{t('list.subject')}</span>
        <span>{t('list.status')}</span>
        <span>{t('list.priority')}</span>
        <span>{t('list.category')}</span>
        <span>{t('list.language')}</span>
        <span>{t('list.assignee')}</span>
        <span>{t('list.sla')}</span>
        <span>{t('list.updated')}</span>
      </div>
      <div className="ticket-scroll" ref={scrollRef}>
        {p.loading && (
          <p className="list-note" role="status">
            {t('list.loading')}
          </p>
        )}
        {p.error && (
          <div className="list-note" role="alert">
            <p>{t('list.error', { message: p.error })}</p>
            <button type="button" className="btn" onClick={p.onRetry}>
              {t('list.retry')}
            </button>
          </div>
        )}
        {!p.loading && !p.error && p.tickets.length === 0 && <p className="list-note">{t('list.empty')}</p>}
        <ul className="ticket-rows" aria-label={t('list.label')} style={{ height: virtualizer.getTotalSize() }}>
          {items.map((vi) => {
            const ticket = p.tickets[vi.index];
            const style = { transform: `translateY(${vi.start}px)`, height: ROW_HEIGHT };
            if (!ticket) {
              return (
                <li key="loader" className="ticket-row ticket-loader" style={style} aria-live="polite">
                  {p.fetchingNext ? t('list.loadingMore') : ''}
                </li>
              );
            }
            const checked = p.selected.has(ticket.id);
            return (
              <li
                key={ticket.id}
                className={`ticket-row${vi.index === p.activeIndex ? ' active' : ''}${checked ? ' selected' : ''}`}
                style={style}
                data-ticket-id={ticket.id}
                aria-current={vi.index === p.activeIndex ? 'true' : undefined}
                onClick={(e) => {
                  if ((e.target as HTMLElement).closest('input,a,button')) return;
                  p.onOpen(ticket.id);
                }}
              >
                <span className="cell-check">
                  <input
                    type="checkbox"
                    aria-label={t('list.selectTicket', { number: ticket.number })}
                    checked={checked}
                    onChange={() => p.onToggle(ticket.id)}
                  />
                </span>
                <span className="cell-subject">
                  <a
                    href={`/tickets/${ticket.id}`}
                    className="subject-link"
                    onClick={(e) => {
                      if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
                      e.preventDefault();
                      p.onOpen(ticket.id);
                    }}
                  >
                    {ticket.angry && (
                      <span className="angry" role="img" aria-label={t('list.angry')} title={t('list.angry')}>
                        !
                      </span>
                    )}
                    <SentimentMark sentiment={ticket.sentiment} />
                    <bdi>{ticket.subject}</bdi>
                  </a>
                  <span className="subline">
                    #{ticket.number} · <bdi>{ticket.customer.name || ticket.customer.email}</bdi>
                    {ticket.preview ? ' · ' : ''}
                    {ticket.preview ? <bdi>{ticket.preview}</bdi> : null}
                  </span>
                </span>
                <span>
                  <StatusBadge status={ticket.status} />
                </span>
                <span className="cell-priority" title={ticket.priorityReasons.length ? `${t('list.whyPriority')}: ${reasonsText(ticket.priorityReasons, i18n.language)}` : undefined}>
                  <PriorityLabel priority={ticket.priority} />
                  {(ticket.priority === 'urgent' || ticket.priority === 'high') && ticket.priorityReasons.length > 0 && (
                    <span className="why-priority">{reasonsText(ticket.priorityReasons.slice(0, 1), i18n.language)}</span>
                  )}
                </span>
                <span className="ellipsis">{ticket.category ? t(`category.${ticket.category}`, { defaultValue: ticket.category }) : '—'}</span>
                <span className="ellipsis" title={languageName(ticket.language, i18n.language)}>
                  {ticket.language ? ticket.language.toUpperCase() : '—'}
                </span>
                <span className="ellipsis">{ticket.assignee?.name ?? <span className="muted">{t('list.unassigned')}</span>}</span>
                <span>
                  <SlaCountdown sla={ticket.sla} now={p.now} status={ticket.status} compact />
                </span>
                <span className="muted" title={new Date(ticket.updatedAt).toLocaleString(i18n.language)}>
                  {relativeTime(ticket.updatedAt, i18n.language, p.now)}
                </span>
              </li>
            );
          })}
        </ul>
        {!p.hasNextPage && p.tickets.length > 0 && <p className="list-end muted">{t('list.end')}</p>}
      </div>
    </div>
  );
}
