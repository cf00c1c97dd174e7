// react-query hooks over the API. Query keys: ['me'], ['users'], ['counts'],
// ['tickets', params], ['ticket', id]. Live events invalidate them (live/useLiveEvents.ts).
import { useInfiniteQuery, useMutation, useQuery, useQueryClient, type InfiniteData } from '@tanstack/react-query';
import { api, ApiError, qs, request, setCsrfToken } from './client.ts';
import type {
  BulkResult,
  BulkSet,
  Counts,
  Message,
  Page,
  SessionInfo,
  Ticket,
  TicketDetail,
  TicketPatch,
  UserSummary,
} from './types.ts';

export function useMe() {
  return useQuery({
    queryKey: ['me'],
    queryFn: async (): Promise<SessionInfo | null> => {
      try {
        const s = await request<SessionInfo>('GET', '/api/v1/auth/me', undefined, { auth401: false });
        setCsrfToken(s.csrfToken);
        return s;
      } catch (e) {
        if (e instanceof ApiError && e.status === 401) return null;
        throw e;
      }
    },
    staleTime: Infinity,
    retry: false,
  });
}

export function useLogin() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: { email: string; password: string }) =>
      request<SessionInfo>('POST', '/api/v1/auth/login', v, { auth401: false }),
    onSuccess: (s) => {
      setCsrfToken(s.csrfToken);
      qc.setQueryData(['me'], s);
    },
  });
}

export function useLogout() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => request<unknown>('POST', '/api/v1/auth/logout', {}, { auth401: false }),
    onSettled: () => {
      setCsrfToken(null);
      qc.removeQueries({ predicate: (q) => q.queryKey[0] !== 'me' });
      qc.setQueryData(['me'], null);
    },
  });
}

export function useUsers(enabled = true) {
  return useQuery({
    queryKey: ['users'],
    queryFn: () => api.get<{ items: UserSummary[] }>('/api/v1/users'),
    staleTime: 5 * 60_000,
    enabled,
    select: (d) => d.items.filter((u) => u.active !== false),
  });
}

export function useTeams(enabled = true) {
  return useQuery({
    queryKey: ['teams'],
    queryFn: () => api.get<{ items: { id: string; name: string }[] }>('/api/v1/teams'),
    staleTime: 5 * 60_000,
    enabled,
    select: (d) => d.items,
  });
}

export function useCounts() {
  return useQuery({
    queryKey: ['counts'],
    queryFn: () => api.get<Counts>('/api/v1/tickets/counts'),
    staleTime: 30_000,
    refetchInterval: 60_000,
  });
}

export interface TicketQuery {
  status?: string;
  assignee?: string;
  priority?: string;
  category?: string;
  language?: string;
  q?: string;
  tag?: string;
  breached?: boolean;
  sort?: string;
}

export const PAGE_SIZE = 50;

export function useTicketList(params: TicketQuery) {
  return useInfiniteQuery({
    queryKey: ['tickets', params],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) => fetchTickets(params, pageParam, signal),
    getNextPageParam: (last) => last.nextCursor,
    staleTime: 15_000,
  });
}

function fetchTickets(params: TicketQuery, cursor: string | null, signal: AbortSignal): Promise<Page<Ticket>> {
  const query = qs({ limit: PAGE_SIZE, cursor, ...params, breached: params.breached ? 'true' : undefined });
  return request<Page<Ticket>>('GET', `/api/v1/tickets${query}`, undefined, { signal });
}

export function useTicket(id: string | null) {
  return useQuery({
    queryKey: ['ticket', id],
    queryFn: () => api.get<TicketDetail>(`/api/v1/tickets/${encodeURIComponent(id ?? '')}`),
    enabled: Boolean(id),
    staleTime: 10_000,
  });
}

/** Writes a changed ticket into every cached list page, so the list updates at once. */
function patchCachedLists(qc: ReturnType<typeof useQueryClient>, ticket: Ticket) {
  qc.setQueriesData<InfiniteData<Page<Ticket>>>({ queryKey: ['tickets'] }, (data) =>
    data
      ? {
          ...data,
          pages: data.pages.map((p) => ({ ...p, items: p.items.map((x) => (x.id === ticket.id ? { ...x, ...ticket } : x)) })),
        }
      : data,
  );
}

export function useUpdateTicket(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (patch: TicketPatch) => api.patch<Ticket>(`/api/v1/tickets/${encodeURIComponent(id)}`, patch),
    onSuccess: (ticket) => {
      qc.setQueryData<TicketDetail>(['ticket', id], (old) => (old ? { ...old, ...ticket } : old));
      patchCachedLists(qc, ticket);
      void qc.invalidateQueries({ queryKey: ['ticket', id] });
      void qc.invalidateQueries({ queryKey: ['tickets'] });
      void qc.invalidateQueries({ queryKey: ['counts'] });
    },
  });
}

export function useSendMessage(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: { body: string; internal: boolean }) =>
      api.post<Message>(`/api/v1/tickets/${encodeURIComponent(id)}/messages`, v),
    onSuccess: (msg) => {
      qc.setQueryData<TicketDetail>(['ticket', id], (old) =>
        old && !old.messages.some((m) => m.id === msg.id) ? { ...old, messages: [...old.messages, msg] } : old,
      );
      void qc.invalidateQueries({ queryKey: ['ticket', id] });
      void qc.invalidateQueries({ queryKey: ['tickets'] });
      void qc.invalidateQueries({ queryKey: ['counts'] });
    },
  });
}

export function useBulkUpdate() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: { ids: string[]; set: BulkSet }) => api.post<BulkResult>('/api/v1/tickets/bulk', v),
    onSettled: () => {
      void qc.invalidateQueries({ queryKey: ['tickets'] });
      void qc.invalidateQueries({ queryKey: ['counts'] });
      void qc.invalidateQueries({ queryKey: ['ticket'] });
    },
  });
}
