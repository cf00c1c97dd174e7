// Typing signals of the chat widget in the agent's workspace: the visitor's typing (a
// 'chat.typing' live event, re-dispatched by useLiveEvents as a window event) is shown
// under the thread; the agent's own typing is sent, at most every 3 s, so the visitor
// sees "… is typing".
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { request } from '../api/client.ts';
import type { LiveEvent } from '../api/types.ts';

export const TYPING_EVENT = 'crossdesk:chat-typing';

/** Called by the live connection for each 'chat.typing' event. */
export function dispatchTyping(e: LiveEvent): void {
  window.dispatchEvent(new CustomEvent<LiveEvent>(TYPING_EVENT, { detail: e }));
}

const lastSent = new Map<string, number>();

/** The agent typed in the reply box of a ticket (throttled; failures are ignored). */
export function agentTyped(ticketId: string): void {
  const now = Date.now();
  if (now - (lastSent.get(ticketId) ?? 0) < 3000) return;
  lastSent.set(ticketId, now);
  void request('POST', `/api/v1/tickets/${encodeURIComponent(ticketId)}/typing`, { typing: true }).catch(() => undefined);
}

/** "The customer is typing…" under the thread of a chat ticket, for 8 s after the last signal. */
export function VisitorTyping({ ticketId }: { ticketId: string }) {
  const { t } = useTranslation();
  const [typing, setTyping] = useState(false);
  const timer = useRef<number | undefined>(undefined);
  useEffect(() => {
    const on = (ev: Event) => {
      const e = (ev as CustomEvent<LiveEvent>).detail;
      if (e.ticketId !== ticketId || e.who !== 'visitor') return;
      window.clearTimeout(timer.current);
      setTyping(e.typing === true);
      if (e.typing === true) timer.current = window.setTimeout(() => setTyping(false), 8000);
    };
    window.addEventListener(TYPING_EVENT, on);
    return () => {
      window.removeEventListener(TYPING_EVENT, on);
      window.clearTimeout(timer.current);
      setTyping(false);
    };
  }, [ticketId]);
  if (!typing) return null;
  return (
    <div className="muted chat-typing" role="status" aria-live="polite" style={{ padding: '4px 16px', fontStyle: 'italic' }}>
      {t('chat.visitorTyping')}
    </div>
  );
}
