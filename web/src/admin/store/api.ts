// Types and hooks of the per-store settings API: stores, SLA, return policy, bot, surveys,
// chat widget (src/helpdesk/routes.ts, commerce/policy-routes.ts, helpdesk/bot-routes.ts,
// helpdesk/survey-routes.ts, channels/chat/routes.ts).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, request } from '../../api/client.ts';
import type { Priority, Role } from '../../api/types.ts';
import type { WeeklyHours } from './format.ts';

export interface StoreFull {
  id: string;
  name: string;
  platform: string;
  market: string;
  timezone: string;
  supportEmail: string | null;
  businessHours: WeeklyHours;
  holidayCountry: string | null;
  isDefault: boolean;
  hasWebhookSecret: boolean;
  createdAt: string;
}

export interface StorePatch {
  name?: string;
  platform?: string;
  market?: string;
  timezone?: string;
  supportEmail?: string;
  businessHours?: WeeklyHours;
  holidayCountry?: string;
}

export interface SlaPolicy {
  firstResponseMinutes: number;
  nextResponseMinutes: number;
  resolutionMinutes: number;
}

export interface ReturnPolicy {
  returnWindowDays: number;
  returnWindowFrom?: 'delivery' | 'order';
  buyerPaysReturnForChangeOfMind: boolean;
  buyerPaysReturnWhenFaulty?: boolean;
  restockingFeePercent: number;
  refundWithinDays?: number;
  warrantyMonths?: number;
}

export interface PolicyWarning {
  code: string;
  field: string;
  message: string;
  localized: { en: string; zh: string };
  required?: number;
  source: string;
}

export interface PolicyView {
  storeId: string;
  market: string;
  custom: boolean;
  policy: ReturnPolicy;
  warnings: PolicyWarning[];
}

export interface BotSettings {
  storeId: string;
  enabled: boolean;
  faqThreshold: number;
  minTriageConfidence: number;
  reopenWindowDays: number;
  updatedAt: string | null;
}

export interface SurveySettings {
  storeId: string;
  enabled: boolean;
  delayMinutes: number;
  npsEvery: number;
  expiresDays: number;
  updatedAt: string | null;
}

export interface WidgetSettings {
  storeId: string;
  enabled: boolean;
  allowedOrigins: string[];
}

export interface MarketSummary {
  code: string;
  name: { en: string; zh: string };
  role: string;
  currency: string;
  languages: string[];
  timezone: string;
}

export interface MarketDetail extends MarketSummary {
  consumer: {
    withdrawal: { days: number; from: string; businessDays: boolean; source: string; note?: string };
    legalGuarantee: { months: number | null; source: string; note?: string };
    returnShipping: { faulty: string; damaged: string; wrong_item: string; change_of_mind: string; source: string; note?: string };
    refund: { days: number | null; from: string; businessDays: boolean; source: string; note?: string };
    restockingFee: { allowed: string; source: string; note?: string };
  };
}

/** Who may change what: the roles each PUT/PATCH route declares. */
export function writeRights(role: Role) {
  return {
    general: role === 'admin',
    sla: role === 'admin',
    returns: role === 'admin' || role === 'manager',
    bot: role === 'admin',
    surveys: role === 'admin',
    widget: role === 'admin',
  };
}

const enc = encodeURIComponent;

export function useStoresFull() {
  return useQuery({ queryKey: ['stores'], queryFn: () => api.get<{ items: StoreFull[] }>('/api/v1/stores'), select: (d) => d.items, staleTime: 5 * 60_000 });
}

export function useMarkets() {
  return useQuery({ queryKey: ['markets'], queryFn: () => api.get<{ items: MarketSummary[] }>('/api/v1/markets'), select: (d) => d.items, staleTime: Infinity });
}

export function useMarket(code: string | undefined) {
  return useQuery({ queryKey: ['market', code], queryFn: () => api.get<MarketDetail>(`/api/v1/markets/${enc(code ?? '')}`), enabled: Boolean(code), staleTime: Infinity });
}

export function useStoreSetting<T>(storeId: string, path: string) {
  return useQuery({ queryKey: ['store-setting', storeId, path], queryFn: () => api.get<T>(`/api/v1/stores/${enc(storeId)}/${path}`), staleTime: 60_000 });
}

export function usePatchStore(storeId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (patch: StorePatch) => api.patch<StoreFull>(`/api/v1/stores/${enc(storeId)}`, patch),
    onSuccess: (store) => {
      qc.setQueryData<{ items: StoreFull[] }>(['stores'], (d) => (d ? { items: d.items.map((s) => (s.id === store.id ? store : s)) } : d));
      // the return policy's warnings follow the store's market
      void qc.invalidateQueries({ queryKey: ['store-setting', storeId] });
    },
  });
}

/** PUT of one settings document; the answer replaces the cached one. */
export function usePutSetting<T, B>(storeId: string, path: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: B) => request<T>('PUT', `/api/v1/stores/${enc(storeId)}/${path}`, body),
    onSuccess: (data) => qc.setQueryData(['store-setting', storeId, path], data),
  });
}

export function usePutSla(storeId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (all: Record<Priority, SlaPolicy>) => {
      for (const [priority, policy] of Object.entries(all)) await request<SlaPolicy>('PUT', `/api/v1/stores/${enc(storeId)}/sla/${priority}`, policy);
      return all;
    },
    onSettled: () => void qc.invalidateQueries({ queryKey: ['store-setting', storeId, 'sla'] }),
  });
}
