import type { ExpressionBuilder } from 'kysely';
import type { DB, Role } from '../db/types.ts';

/** Who is acting: a signed-in user, the system (jobs, channels) or the customer. */
export interface Actor {
  type: 'user' | 'system' | 'customer';
  id: string | null;
  role?: Role;
  teamId?: string | null;
  name?: string;
}

export const systemActor: Actor = { type: 'system', id: null };

/**
 * Managers, admins and trainers see every ticket; an agent sees tickets assigned to them,
 * unassigned ones, and those of their team.
 */
export function canSeeTicket(actor: Actor, t: { assignee_id: string | null; team_id: string | null }): boolean {
  if (actor.type !== 'user') return true;
  if (actor.role !== 'agent') return true;
  return t.assignee_id === null || t.assignee_id === actor.id || (actor.teamId != null && t.team_id === actor.teamId);
}

/** Who may change tickets and reply: not trainers (they review, they do not answer). */
export function canWorkTickets(actor: Actor): boolean {
  return actor.type !== 'user' || actor.role === 'admin' || actor.role === 'manager' || actor.role === 'agent';
}

/** The same rule as a SQL condition, for lists. */
export function visibleTo(actor: Actor) {
  return (eb: ExpressionBuilder<DB, 'tickets'>) => {
    if (actor.type !== 'user' || actor.role !== 'agent') return eb.lit(true);
    const ors = [eb('tickets.assignee_id', 'is', null), eb('tickets.assignee_id', '=', actor.id)];
    if (actor.teamId) ors.push(eb('tickets.team_id', '=', actor.teamId));
    return eb.or(ors);
  };
}

