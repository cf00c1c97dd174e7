import type { TicketQuery } from '../api/hooks.ts';
import type { Counts } from '../api/types.ts';

export const VIEW_KEYS = ['all_open', 'mine', 'unassigned', 'new', 'pending', 'on_hold', 'solved', 'breaching'] as const;
export type ViewKey = (typeof VIEW_KEYS)[number];

const UNSOLVED = 'new,open,pending,on_hold';

export const VIEWS: Record<ViewKey, { query: TicketQuery; count: keyof Counts }> = {
  all_open: { query: { status: UNSOLVED }, count: 'all_open' },
  mine: { query: { status: UNSOLVED, assignee: 'me' }, count: 'mine' },
  unassigned: { query: { status: UNSOLVED, assignee: 'none' }, count: 'unassigned' },
  new: { query: { status: 'new' }, count: 'new' },
  pending: { query: { status: 'pending' }, count: 'pending' },
  on_hold: { query: { status: 'on_hold' }, count: 'on_hold' },
  solved: { query: { status: 'solved' }, count: 'solved' },
  breaching: { query: { status: UNSOLVED, breached: true, sort: 'sla_due' }, count: 'breaching' },
};

export interface Filters {
  status: string;
  priority: string;
  language: string;
  category: string;
  q: string;
  sort: string;
}

export const EMPTY_FILTERS: Filters = { status: '', priority: '', language: '', category: '', q: '', sort: '' };

export function listQuery(view: ViewKey, f: Filters): TicketQuery {
  const base = VIEWS[view].query;
  const q: TicketQuery = { ...base };
  if (f.status) q.status = f.status;
  if (f.priority) q.priority = f.priority;
  if (f.language) q.language = f.language;
  if (f.category) q.category = f.category;
  if (f.q.trim()) q.q = f.q.trim();
  q.sort = f.sort || base.sort || 'updated_desc';
  return q;
}
