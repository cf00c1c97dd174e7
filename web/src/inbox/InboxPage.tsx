import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useTicket, useTicketList } from '../api/hooks.ts';
import type { SessionInfo, Ticket } from '../api/types.ts';
import { useNow } from '../ui/useNow.ts';
import { errorText } from '../ui/errorText.ts';
import { BulkBar } from './BulkBar.tsx';
import { ContextPane } from './ContextPane.tsx';
import { FilterBar } from './FilterBar.tsx';
import { TicketList } from './TicketList.tsx';
import { TicketView } from './TicketView.tsx';
import { ViewsNav } from './ViewsNav.tsx';
import { EMPTY_FILTERS, listQuery, VIEW_KEYS, type Filters, type ViewKey } from './views.ts';

function ticketIdFromPath(path: string): string | null {
  const m = /^\/tickets\/([^/]+)\/?$/.exec(path);
  return m?.[1] ? decodeURIComponent(m[1]) : null;
}

function viewFromUrl(): ViewKey {
  const v = new URLSearchParams(window.location.search).get('view');
  return VIEW_KEYS.find((k) => k === v) ?? 'all_open';
}

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

export function InboxPage({ session }: { session: SessionInfo }) {
  const { t } = useTranslation();
  const now = useNow(15_000);
  const [view, setView] = useState<ViewKey>(viewFromUrl);
  const [filters, setFilters] = useState<Filters>(EMPTY_FILTERS);
  const [openId, setOpenId] = useState<string | null>(() => ticketIdFromPath(window.location.pathname));
  const [activeIndex, setActiveIndex] = useState(-1);
  const [selected, setSelected] = useState<Set<string>>(() => new Set());
  const replyRef = useRef<HTMLTextAreaElement>(null);

  const query = useMemo(() => listQuery(view, filters), [view, filters]);
  const list = useTicketList(query);
  const tickets: Ticket[] = useMemo(() => {
    const seen = new Set<string>();
    const out: Ticket[] = [];
    for (const page of list.data?.pages ?? []) {
      for (const x of page.items) {
        if (!seen.has(x.id)) {
          seen.add(x.id);
          out.push(x);
        }
      }
    }
    return out;
  }, [list.data]);

  const ticket = useTicket(openId);

  // the URL follows the open ticket, so a link or a reload opens the same one
  const navigate = useCallback(
    (id: string | null) => {
      setOpenId(id);
      const search = view === 'all_open' ? '' : `?view=${view}`;
      const url = id ? `/tickets/${encodeURIComponent(id)}` : `/${search}`;
      if (window.location.pathname + window.location.search !== url) window.history.pushState(null, '', url);
    },
    [view],
  );
  useEffect(() => {
    const onPop = () => {
      setOpenId(ticketIdFromPath(window.location.pathname));
      setView(viewFromUrl());
    };
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);

  const openIndex = openId ? tickets.findIndex((x) => x.id === openId) : -1;
  useEffect(() => {
    if (openIndex >= 0) setActiveIndex(openIndex);
  }, [openIndex]);

  const { hasNextPage, isFetchingNextPage, fetchNextPage } = list;
  const step = useCallback(
    (delta: 1 | -1) => {
      const from = openId ? openIndex : activeIndex;
      const to = Math.max(0, Math.min(tickets.length - 1, from + delta));
      if (tickets.length === 0) return;
      if (delta > 0 && to >= tickets.length - 3 && hasNextPage && !isFetchingNextPage) void fetchNextPage();
      setActiveIndex(to);
      const target = tickets[to];
      if (openId && target && target.id !== openId) navigate(target.id);
    },
    [openId, openIndex, activeIndex, tickets, hasNextPage, isFetchingNextPage, fetchNextPage, navigate],
  );

  const selectView = (v: ViewKey) => {
    setView(v);
    setSelected(new Set());
    setActiveIndex(-1);
    setOpenId(null);
    window.history.pushState(null, '', v === 'all_open' ? '/' : `/?view=${v}`);
  };

  const changeFilters = useCallback((f: Filters) => {
    setFilters(f);
    setActiveIndex(-1);
  }, []);

  // keyboard: r reply · j/k next/previous · Enter open · Esc back
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
      if (document.querySelector('[role="dialog"]')) return;
      if (isTyping(e.target)) {
        if (e.key === 'Escape') (e.target as HTMLElement).blur();
        return;
      }
      switch (e.key) {
        case 'j':
          e.preventDefault();
          step(1);
          break;
        case 'k':
          e.preventDefault();
          step(-1);
          break;
        case 'r':
          if (openId) {
            e.preventDefault();
            replyRef.current?.focus();
          }
          break;
        case 'Enter': {
          const target = tickets[activeIndex];
          if (!openId && target && !(e.target instanceof HTMLButtonElement || e.target instanceof HTMLAnchorElement)) {
            e.preventDefault();
            navigate(target.id);
          }
          break;
        }
        case 'Escape':
          if (openId) {
            e.preventDefault();
            navigate(null);
          }
          break;
        default:
          break;
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [step, openId, tickets, activeIndex, navigate]);

  const toggle = useCallback((id: string) => {
    setSelected((s) => {
      const n = new Set(s);
      if (n.has(id)) n.delete(id);
      else n.add(id);
      return n;
    });
  }, []);
  const toggleAll = useCallback((on: boolean) => setSelected(on ? new Set(tickets.map((x) => x.id)) : new Set()), [tickets]);
  const clearSelection = useCallback(() => setSelected(new Set()), []);
  const fetchNext = useCallback(() => void fetchNextPage(), [fetchNextPage]);

  const prevId = openIndex > 0 ? tickets[openIndex - 1]?.id : undefined;
  const nextId = openIndex >= 0 ? tickets[openIndex + 1]?.id : undefined;

  return (
    <div className={`workspace${openId ? ' with-ticket' : ''}`}>
      <ViewsNav current={view} onSelect={selectView} />
      <main id="main" className="pane-main" tabIndex={-1}>
        <section className="list-pane" hidden={Boolean(openId)} aria-label={t(`views.${view}`)}>
          <div className="list-header">
            <h1 className="pane-heading">{t(`views.${view}`)}</h1>
            <FilterBar value={filters} onChange={changeFilters} />
          </div>
          {selected.size > 0 && <BulkBar ids={[...selected]} meId={session.user.id} onClear={clearSelection} />}
          <TicketList
            tickets={tickets}
            loading={list.isPending}
            error={list.isError ? errorText(list.error, t) : null}
            onRetry={() => void list.refetch()}
            hasNextPage={Boolean(hasNextPage)}
            fetchingNext={isFetchingNextPage}
            fetchNextPage={fetchNext}
            activeIndex={activeIndex}
            selected={selected}
            onToggle={toggle}
            onToggleAll={toggleAll}
            onOpen={navigate}
            now={now}
          />
        </section>
        {openId && (
          <>
            {ticket.isPending && (
              <p className="list-note" role="status">
                {t('ticket.loading')}
              </p>
            )}
            {ticket.isError && (
              <div className="list-note" role="alert">
                <p>{t('ticket.error', { message: errorText(ticket.error, t) })}</p>
                <button type="button" className="btn" onClick={() => navigate(null)}>
                  {t('ticket.back')}
                </button>
              </div>
            )}
            {ticket.data && (
              <TicketView
                key={ticket.data.id}
                ticket={ticket.data}
                me={session.user}
                now={now}
                replyRef={replyRef}
                onBack={() => navigate(null)}
                onPrev={prevId ? () => navigate(prevId) : null}
                onNext={nextId ? () => navigate(nextId) : null}
              />
            )}
          </>
        )}
      </main>
      {openId && ticket.data && <ContextPane ticket={ticket.data} now={now} />}
    </div>
  );
}
