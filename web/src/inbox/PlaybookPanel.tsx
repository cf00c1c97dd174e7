// The ticket's SOP checklist in the right pane: steps in order, required ones marked,
// progress, ticks by hand, and the reason dialog when solving is refused because a
// required step is still open (409 playbook_incomplete).
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, ApiError } from '../api/client.ts';
import { useMe } from '../api/hooks.ts';
import type { Ticket, TicketDetail } from '../api/types.ts';
import { dateTime } from '../format.ts';
import { useFeedback } from '../ui/feedback.tsx';
import { errorText } from '../ui/errorText.ts';

interface Localized {
  en: string;
  zh: string;
}
export interface PlaybookStep {
  id: string;
  title: Localized;
  required: boolean;
  done: boolean;
  doneBy?: { type: string; id: string | null; name: string | null };
  doneAt?: string;
  how?: 'auto' | 'manual';
  autoTicks: boolean;
  note?: Localized;
  law?: { text: Localized; source: string; payer?: string };
  skippedReason?: string;
}
export interface Playbook {
  category: string;
  market: string | null;
  title: Localized;
  steps: PlaybookStep[];
  progress: { done: number; total: number; requiredOpen: number };
}
type WithPlaybook = TicketDetail & { playbook?: Playbook };

const pick = (l: Localized, lng: string) => (lng.startsWith('zh') ? l.zh : l.en);

/** Window event that asks the panel to collect a reason for solving anyway. */
const OVERRIDE_EVENT = 'crossdesk:playbook-incomplete';
interface OverrideRequest {
  ticketId: string;
  openSteps: Array<{ id: string; title: Localized }>;
}

/**
 * For the status control: when solving was refused because required steps are open,
 * open the reason dialog instead of showing an error. Returns whether it did.
 */
export function offerPlaybookOverride(ticketId: string, error: unknown): boolean {
  if (!(error instanceof ApiError) || error.code !== 'playbook_incomplete') return false;
  const details = (error.details ?? {}) as { openSteps?: OverrideRequest['openSteps'] };
  window.dispatchEvent(new CustomEvent<OverrideRequest>(OVERRIDE_EVENT, { detail: { ticketId, openSteps: details.openSteps ?? [] } }));
  return true;
}

export function PlaybookPanel({ ticket }: { ticket: TicketDetail }) {
  const { t, i18n } = useTranslation();
  const lng = i18n.language;
  const { toast } = useFeedback();
  const qc = useQueryClient();
  const me = useMe();
  const canWork = me.data ? me.data.user.role !== 'trainer' : false;
  const playbook = (ticket as WithPlaybook).playbook;
  const [override, setOverride] = useState<OverrideRequest | null>(null);

  const tick = useMutation({
    mutationFn: (v: { stepId: string; done: boolean }) =>
      api.post<Playbook>(`/api/v1/tickets/${encodeURIComponent(ticket.id)}/playbook/steps/${encodeURIComponent(v.stepId)}`, { done: v.done }),
    // the box follows the click at once; the server's checklist replaces it (or the error undoes it)
    onMutate: (v) => {
      qc.setQueryData<WithPlaybook>(['ticket', ticket.id], (old) =>
        old?.playbook ? { ...old, playbook: { ...old.playbook, steps: old.playbook.steps.map((x) => (x.id === v.stepId ? { ...x, done: v.done } : x)) } } : old,
      );
    },
    onSuccess: (pb) => {
      qc.setQueryData<WithPlaybook>(['ticket', ticket.id], (old) => (old ? { ...old, playbook: pb } : old));
      void qc.invalidateQueries({ queryKey: ['ticket', ticket.id] });
    },
    onError: (e) => {
      void qc.invalidateQueries({ queryKey: ['ticket', ticket.id] });
      toast('error', t('toast.error', { message: errorText(e, t) }));
    },
  });

  useEffect(() => {
    const onRequest = (e: Event) => {
      const d = (e as CustomEvent<OverrideRequest>).detail;
      if (d.ticketId === ticket.id) setOverride(d);
    };
    window.addEventListener(OVERRIDE_EVENT, onRequest);
    return () => window.removeEventListener(OVERRIDE_EVENT, onRequest);
  }, [ticket.id]);

  if (!playbook) return null;
  const { done, total } = playbook.progress;
  return (
    <section aria-labelledby="ctx-playbook" className="playbook" data-testid="playbook">
      <h2 id="ctx-playbook">
        {t('playbook.title')}{' '}
        <span className="playbook-progress" aria-label={t('playbook.progress', { done, total })}>
          {done}/{total}
        </span>
      </h2>
      <p className="muted">
        {pick(playbook.title, lng)}
        {playbook.market ? ` · ${playbook.market}` : ''}
      </p>
      <progress className="playbook-bar" value={done} max={Math.max(total, 1)} aria-hidden="true" />
      {playbook.progress.requiredOpen > 0 && <p className="playbook-open">{t('playbook.requiredOpen', { count: playbook.progress.requiredOpen })}</p>}
      <ol className="playbook-steps">
        {playbook.steps.map((s) => {
          const id = `pb-${ticket.id}-${s.id}`;
          return (
            <li key={s.id} className={s.done ? 'done' : s.skippedReason ? 'skipped' : undefined}>
              <div className="playbook-step">
                <input
                  id={id}
                  type="checkbox"
                  checked={s.done}
                  disabled={!canWork || tick.isPending}
                  onChange={() => tick.mutate({ stepId: s.id, done: !s.done })}
                />
                <label htmlFor={id}>
                  {pick(s.title, lng)}
                  {s.required && (
                    <span className="playbook-required" title={t('playbook.required')} aria-label={t('playbook.required')}>
                      *
                    </span>
                  )}
                </label>
              </div>
              {s.done && (
                <p className="muted playbook-meta">
                  {t(s.how === 'auto' ? 'playbook.doneAuto' : 'playbook.doneManual', {
                    who: s.doneBy?.name ?? (s.doneBy?.type === 'customer' ? t('author.customer') : t('event.system')),
                  })}
                  {s.doneAt ? ` · ${dateTime(s.doneAt, lng)}` : ''}
                </p>
              )}
              {!s.done && s.skippedReason && <p className="muted playbook-meta">{t('playbook.skipped', { reason: s.skippedReason })}</p>}
              {!s.done && !s.skippedReason && s.autoTicks && <p className="muted playbook-meta">{t('playbook.autoHint')}</p>}
              {s.note && <p className="playbook-note">{pick(s.note, lng)}</p>}
              {s.law && (
                <p className="playbook-law">
                  {pick(s.law.text, lng)} <cite>{s.law.source}</cite>
                </p>
              )}
            </li>
          );
        })}
      </ol>
      {override && <OverrideDialog ticketId={ticket.id} request={override} onClose={() => setOverride(null)} />}
    </section>
  );
}

function OverrideDialog({ ticketId, request, onClose }: { ticketId: string; request: OverrideRequest; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const { toast } = useFeedback();
  const qc = useQueryClient();
  const [reason, setReason] = useState('');
  const inputRef = useRef<HTMLTextAreaElement>(null);
  const solve = useMutation({
    mutationFn: (r: string) => api.patch<Ticket>(`/api/v1/tickets/${encodeURIComponent(ticketId)}`, { status: 'solved', playbookOverrideReason: r }),
    onSuccess: () => {
      toast('success', t('toast.statusChanged', { status: t('status.solved') }));
      void qc.invalidateQueries({ queryKey: ['ticket', ticketId] });
      void qc.invalidateQueries({ queryKey: ['tickets'] });
      void qc.invalidateQueries({ queryKey: ['counts'] });
      onClose();
    },
    onError: (e) => toast('error', t('toast.error', { message: errorText(e, t) })),
  });
  useEffect(() => {
    inputRef.current?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        e.stopPropagation();
        onClose();
      }
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [onClose]);
  const text = reason.trim();
  return (
    <div className="modal-backdrop">
      <form
        className="modal"
        role="dialog"
        aria-modal="true"
        aria-labelledby="pb-override-title"
        onSubmit={(e) => {
          e.preventDefault();
          if (text) solve.mutate(text);
        }}
      >
        <h2 id="pb-override-title">{t('playbook.overrideTitle')}</h2>
        <p>{t('playbook.overrideIntro')}</p>
        <ul className="playbook-open-list">
          {request.openSteps.map((s) => (
            <li key={s.id}>{pick(s.title, i18n.language)}</li>
          ))}
        </ul>
        <label htmlFor="pb-override-reason">{t('playbook.overrideReason')}</label>
        <textarea id="pb-override-reason" ref={inputRef} rows={3} maxLength={1000} value={reason} onChange={(e) => setReason(e.target.value)} />
        <div className="modal-actions">
          <button type="button" className="btn" onClick={onClose}>
            {t('confirm.cancel')}
          </button>
          <button type="submit" className="btn btn-primary" disabled={!text || solve.isPending}>
            {t('playbook.overrideSubmit')}
          </button>
        </div>
      </form>
    </div>
  );
}
