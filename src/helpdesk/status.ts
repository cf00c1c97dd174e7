import type { TicketStatus } from '../db/types.ts';
import { AppError } from '../core/errors.ts';

export const STATUSES: readonly TicketStatus[] = ['new', 'open', 'pending', 'on_hold', 'solved', 'closed'];

/**
 * Allowed status moves. `pending` waits on the customer (SLA clock paused), `on_hold`
 * waits on a third party (carrier, warehouse); `closed` is final: a customer writing
 * again opens a follow-up ticket.
 */
const TRANSITIONS: Record<TicketStatus, readonly TicketStatus[]> = {
  new: ['open', 'pending', 'on_hold', 'solved'],
  open: ['pending', 'on_hold', 'solved'],
  pending: ['open', 'on_hold', 'solved'],
  on_hold: ['open', 'pending', 'solved'],
  solved: ['open', 'closed'],
  closed: [],
};

export function isStatus(s: string): s is TicketStatus {
  return (STATUSES as readonly string[]).includes(s);
}

export function allowedTransitions(from: TicketStatus): readonly TicketStatus[] {
  return TRANSITIONS[from];
}

export function assertTransition(from: TicketStatus, to: TicketStatus): void {
  if (from === to) return;
  if (!TRANSITIONS[from].includes(to)) {
    const allowed = TRANSITIONS[from];
    throw new AppError(
      'invalid_transition',
      `a ${from} ticket cannot become ${to}` + (allowed.length ? ` (allowed: ${allowed.join(', ')})` : ' (closed tickets are final)'),
      { from, to, allowed },
    );
  }
}

/** Statuses whose tickets still need work (the "open" views). */
export const ACTIVE_STATUSES: readonly TicketStatus[] = ['new', 'open', 'pending', 'on_hold'];
