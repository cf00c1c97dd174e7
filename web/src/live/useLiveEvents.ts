// The live inbox: one websocket to /api/v1/events (the session cookie authenticates it).
// Each event invalidates the queries it affects; lists and counts are refetched at most
// once a second however busy the helpdesk is. Reconnects with capped, jittered backoff.
import { useEffect, useRef, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import type { LiveEvent } from '../api/types.ts';
import { dispatchTyping } from '../chat/typing.tsx';

export type LiveStatus = 'connecting' | 'open' | 'closed';

export function eventsUrl(loc: Location = window.location): string {
  return `${loc.protocol === 'https:' ? 'wss:' : 'ws:'}//${loc.host}/api/v1/events`;
}

function parse(data: unknown): LiveEvent | null {
  if (typeof data !== 'string') return null;
  try {
    const e = JSON.parse(data) as Partial<LiveEvent> | null;
    return e && typeof e.type === 'string' && typeof e.ticketId === 'string' ? (e as LiveEvent) : null;
  } catch {
    return null;
  }
}

export function useLiveEvents(enabled: boolean, onEvent?: (e: LiveEvent) => void): LiveStatus {
  const qc = useQueryClient();
  const [status, setStatus] = useState<LiveStatus>('connecting');
  const onEventRef = useRef(onEvent);
  useEffect(() => {
    onEventRef.current = onEvent;
  }, [onEvent]);

  useEffect(() => {
    if (!enabled) return;
    let ws: WebSocket | null = null;
    let stopped = false;
    let attempt = 0;
    let retryTimer: number | undefined;
    let listTimer: number | undefined;
    let lastListRefresh = 0;

    const refreshLists = () => {
      const run = () => {
        listTimer = undefined;
        lastListRefresh = Date.now();
        void qc.invalidateQueries({ queryKey: ['tickets'] });
        void qc.invalidateQueries({ queryKey: ['counts'] });
      };
      if (listTimer !== undefined) return;
      const wait = Math.max(0, 1000 - (Date.now() - lastListRefresh));
      listTimer = window.setTimeout(run, wait);
    };

    const connect = () => {
      if (stopped) return;
      setStatus('connecting');
      ws = new WebSocket(eventsUrl());
      ws.onopen = () => {
        const wasReconnect = attempt > 0;
        attempt = 0;
        setStatus('open');
        // events may have been missed while we were away
        if (wasReconnect) {
          void qc.invalidateQueries({ queryKey: ['ticket'] });
          refreshLists();
        }
      };
      ws.onmessage = (msg) => {
        const e = parse(msg.data);
        if (!e) return;
        switch (e.type) {
          case 'ticket.created':
          case 'ticket.updated':
          case 'message.created':
            void qc.invalidateQueries({ queryKey: ['ticket', e.ticketId] });
            refreshLists();
            break;
          case 'market.changed':
            // a trainer edited a market's rules (on any node): panes showing it read it again
            if (typeof e.market === 'string') void qc.invalidateQueries({ queryKey: ['market', e.market] });
            void qc.invalidateQueries({ queryKey: ['markets'] });
            break;
          case 'chat.typing':
            // the chat widget's typing signals: shown in the ticket, no refetch
            dispatchTyping(e);
            break;
          default:
            // sla.warning, sla.breached and future events: the clocks shown may change
            refreshLists();
        }
        onEventRef.current?.(e);
      };
      ws.onclose = () => {
        ws = null;
        if (stopped) return;
        setStatus('closed');
        attempt += 1;
        const base = Math.min(30_000, 500 * 2 ** Math.min(attempt, 6));
        retryTimer = window.setTimeout(connect, base / 2 + Math.random() * (base / 2));
      };
      ws.onerror = () => {
        // onclose follows and schedules the retry
      };
    };

    connect();
    return () => {
      stopped = true;
      window.clearTimeout(retryTimer);
      window.clearTimeout(listTimer);
      if (ws) {
        ws.onclose = null;
        ws.close();
      }
    };
  }, [enabled, qc]);

  return status;
}
