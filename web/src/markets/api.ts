// The Markets page's client side: types of GET/PUT /api/v1/markets/:code and its history,
// the hooks, and the edit form's draft (strings, so a half-typed value is not lost) turned
// into the PUT body. Only the sections that differ from what was read are sent.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ApiError, request } from '../api/client.ts';
import type { Role } from '../api/types.ts';

export type Payer = 'seller' | 'buyer' | 'store_policy';
export const PAYERS: readonly Payer[] = ['seller', 'buyer', 'store_policy'];
export const REASONS = ['faulty', 'damaged', 'wrong_item', 'change_of_mind'] as const;
export type Reason = (typeof REASONS)[number];
export const WITHDRAWAL_FROM = ['delivery', 'contract', 'none'] as const;
export const REFUND_FROM = ['withdrawal_notice', 'goods_returned', 'store_policy'] as const;
export const RESTOCKING = ['never', 'diminished_value_only', 'if_disclosed', 'store_policy'] as const;
export const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Day = (typeof DAYS)[number];
export const GUIDE_KEYS = ['directness', 'formality', 'apology', 'greeting', 'signOff'] as const;

interface Sourced {
  source: string;
  note?: string;
}
export interface Guide {
  directness: string;
  formality: string;
  apology: string;
  greeting: string;
  signOff: string;
  tips: string[];
}
export interface Holiday {
  date: string;
  name: { en: string; zh: string };
  source: string;
}
export interface Consumer {
  withdrawal: Sourced & { days: number; from: string; businessDays: boolean };
  legalGuarantee: Sourced & { months: number | null };
  returnShipping: Sourced & Record<Reason, Payer>;
  refund: Sourced & { days: number | null; from: string; businessDays: boolean };
  restockingFee: Sourced & { allowed: string };
}

export interface MarketSummary {
  code: string;
  name: { en: string; zh: string };
  role: string;
  currency: string;
  languages: string[];
  timezone: string;
  version: number;
  overridden: string[];
}

export interface MarketView extends MarketSummary {
  timezones: string[];
  holidayCountry: string;
  holidayNote?: string;
  businessHours: Record<Day, Array<[string, string]>>;
  extraHolidays: Holiday[];
  consumer: Consumer;
  culture: { address: string; en: Guide; zh: Guide };
  peaks: Array<{ id: string; en: string; zh: string; from?: string; to?: string; note?: string }>;
  updatedAt: string | null;
  updatedBy: { id: string | null; name: string | null } | null;
  defaults: Record<string, unknown>;
  problem?: string;
  changed?: string[];
}

export interface HistoryEntry {
  version: number;
  action: 'edit' | 'revert';
  changed: string[];
  before: Record<string, unknown>;
  after: Record<string, unknown>;
  actor: { id: string | null; name: string | null } | null;
  at: string;
}

/** Who may edit market rules: the roles the API's PUT and DELETE declare. */
export const canEditMarkets = (role: Role) => role === 'admin' || role === 'manager' || role === 'trainer';

const enc = encodeURIComponent;

export function useMarketList() {
  return useQuery({ queryKey: ['markets'], queryFn: () => api.get<{ items: MarketSummary[] }>('/api/v1/markets'), staleTime: 60_000 });
}

export function useMarketView(code: string) {
  return useQuery({ queryKey: ['market', code], queryFn: () => api.get<MarketView>(`/api/v1/markets/${enc(code)}`), enabled: /^[A-Z]{2}$/.test(code), staleTime: 60_000 });
}

export function useMarketHistory(code: string) {
  return useQuery({ queryKey: ['market-history', code], queryFn: () => api.get<{ items: HistoryEntry[] }>(`/api/v1/markets/${enc(code)}/history`), enabled: /^[A-Z]{2}$/.test(code) });
}

/** After a save or revert: the rules everywhere (ticket panes too) show the new version. */
function useTakeMarket() {
  const qc = useQueryClient();
  return (m: MarketView) => {
    qc.setQueryData(['market', m.code], m);
    void qc.invalidateQueries({ queryKey: ['markets'] });
    void qc.invalidateQueries({ queryKey: ['market-history', m.code] });
  };
}

export function useSaveMarket(code: string) {
  const take = useTakeMarket();
  return useMutation({
    mutationFn: (body: Record<string, unknown>) => request<MarketView>('PUT', `/api/v1/markets/${enc(code)}`, body),
    onSuccess: take,
  });
}

export function useRevertMarket(code: string) {
  const take = useTakeMarket();
  return useMutation({
    mutationFn: (version: number) => request<MarketView>('DELETE', `/api/v1/markets/${enc(code)}/override?version=${version}`),
    onSuccess: take,
  });
}

// ---------------------------------------------------------------------------------------
// The draft

export interface RuleDraft {
  days: string;
  from: string;
  businessDays: boolean;
  source: string;
  note: string;
}
export interface Draft {
  withdrawal: RuleDraft;
  guarantee: { months: string; source: string; note: string };
  shipping: Record<Reason, Payer> & { source: string; note: string };
  refund: RuleDraft;
  restocking: { allowed: string; source: string; note: string };
  /** Per day "09:00-18:00, 19:00-21:00"; empty = closed. */
  hours: Record<Day, string>;
  holidays: Array<{ date: string; en: string; zh: string; source: string }>;
  /** Busy seasons (Golden Week, Ramadan, Singles' Day…); empty dates = a season said in words. */
  peaks: PeakDraft[];
  address: string;
  guides: Record<'en' | 'zh', Record<(typeof GUIDE_KEYS)[number], string> & { tips: string }>;
}

export interface PeakDraft {
  id: string;
  from: string;
  to: string;
  en: string;
  zh: string;
  note: string;
}

export const emptyPeak = (): PeakDraft => ({ id: '', from: '', to: '', en: '', zh: '', note: '' });

const num = (v: number | null | undefined) => (v === null || v === undefined ? '' : String(v));

export function draftOf(m: MarketView): Draft {
  const c = m.consumer;
  const guide = (g: Guide) => ({ directness: g.directness, formality: g.formality, apology: g.apology, greeting: g.greeting, signOff: g.signOff, tips: g.tips.join('\n') });
  return {
    withdrawal: { days: num(c.withdrawal.days), from: c.withdrawal.from, businessDays: c.withdrawal.businessDays, source: c.withdrawal.source, note: c.withdrawal.note ?? '' },
    guarantee: { months: num(c.legalGuarantee.months), source: c.legalGuarantee.source, note: c.legalGuarantee.note ?? '' },
    shipping: { faulty: c.returnShipping.faulty, damaged: c.returnShipping.damaged, wrong_item: c.returnShipping.wrong_item, change_of_mind: c.returnShipping.change_of_mind, source: c.returnShipping.source, note: c.returnShipping.note ?? '' },
    refund: { days: num(c.refund.days), from: c.refund.from, businessDays: c.refund.businessDays, source: c.refund.source, note: c.refund.note ?? '' },
    restocking: { allowed: c.restockingFee.allowed, source: c.restockingFee.source, note: c.restockingFee.note ?? '' },
    hours: Object.fromEntries(DAYS.map((d) => [d, hoursText(m.businessHours[d] ?? [])])) as Record<Day, string>,
    holidays: m.extraHolidays.map((h) => ({ date: h.date, en: h.name.en, zh: h.name.zh, source: h.source })),
    peaks: m.peaks.map((p) => ({ id: p.id, from: p.from ?? '', to: p.to ?? '', en: p.en, zh: p.zh, note: p.note ?? '' })),
    address: m.culture.address,
    guides: { en: guide(m.culture.en), zh: guide(m.culture.zh) },
  };
}

export function hoursText(pairs: Array<[string, string]>): string {
  return pairs.map(([a, b]) => `${a}-${b}`).join(', ');
}

/** "09:00-12:00, 13:00-18:00" → pairs; anything unreadable is sent as written, for the API to name. */
function parseHours(text: string): string[][] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const m = /^(\S+)\s*[-–]\s*(\S+)$/.exec(s);
      return m ? [m[1], m[2]] : [s];
    });
}

/** A number field: a whole number as a number, empty as null, anything else as written (the API names it). */
function numberOrText(s: string, emptyAs: null | undefined): number | string | null | undefined {
  const v = s.trim();
  if (v === '') return emptyAs;
  return /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v;
}

const withNote = <T extends object>(o: T, note: string): T & { note?: string } => (note.trim() ? { ...o, note: note.trim() } : o);

/** The PUT body's sections from a draft (all of them; `changedBody` keeps those that differ). */
export function sectionsOf(d: Draft): Record<string, unknown> {
  const guide = (g: Draft['guides']['en']) => ({
    directness: g.directness,
    formality: g.formality,
    apology: g.apology,
    greeting: g.greeting,
    signOff: g.signOff,
    tips: g.tips
      .split('\n')
      .map((x) => x.trim())
      .filter(Boolean),
  });
  return {
    'consumer.withdrawal': withNote({ days: numberOrText(d.withdrawal.days, undefined), from: d.withdrawal.from, businessDays: d.withdrawal.businessDays, source: d.withdrawal.source }, d.withdrawal.note),
    'consumer.legalGuarantee': withNote({ months: numberOrText(d.guarantee.months, null), source: d.guarantee.source }, d.guarantee.note),
    'consumer.returnShipping': withNote({ faulty: d.shipping.faulty, damaged: d.shipping.damaged, wrong_item: d.shipping.wrong_item, change_of_mind: d.shipping.change_of_mind, source: d.shipping.source }, d.shipping.note),
    'consumer.refund': withNote({ days: numberOrText(d.refund.days, null), from: d.refund.from, businessDays: d.refund.businessDays, source: d.refund.source }, d.refund.note),
    'consumer.restockingFee': withNote({ allowed: d.restocking.allowed, source: d.restocking.source }, d.restocking.note),
    businessHours: Object.fromEntries(DAYS.map((day) => [day, parseHours(d.hours[day])])),
    extraHolidays: d.holidays.map((h) => ({ date: h.date.trim(), name: { en: h.en, zh: h.zh }, source: h.source })),
    // in the API's shape: dates and note only when given (an empty date is no date)
    peaks: d.peaks.map((p) => {
      const out: Record<string, string> = { id: p.id.trim(), en: p.en, zh: p.zh };
      if (p.from.trim()) out.from = p.from.trim();
      if (p.to.trim()) out.to = p.to.trim();
      if (p.note.trim()) out.note = p.note.trim();
      return out;
    }),
    'culture.address': d.address,
    'culture.en': guide(d.guides.en),
    'culture.zh': guide(d.guides.zh),
  };
}

/** The PUT body: `version` and the sections of `draft` that differ from `base` (the market as read). */
export function changedBody(base: MarketView, draft: Draft): { body: Record<string, unknown>; fields: string[] } {
  const before = sectionsOf(draftOf(base));
  const after = sectionsOf(draft);
  const fields = Object.keys(after).filter((k) => JSON.stringify(after[k]) !== JSON.stringify(before[k]));
  const body: Record<string, unknown> = { version: base.version };
  for (const f of fields) {
    const [head, tail] = f.split('.');
    if (tail) body[head] = { ...((body[head] as object | undefined) ?? {}), [tail]: after[f] };
    else body[head] = after[f];
  }
  return { body, fields };
}

/** The first peak whose id an earlier peak already has (the id names the peak), or -1. */
export function duplicatePeak(d: Draft): number {
  const seen = new Set<string>();
  return d.peaks.findIndex((p) => {
    const id = p.id.trim();
    if (id && seen.has(id)) return true;
    seen.add(id);
    return false;
  });
}

/** The field a failed save names: `details.field` (our validator) or the first schema error's path. */
export function errorField(e: unknown): string | null {
  if (!(e instanceof ApiError) || e.status !== 400 || !e.details || typeof e.details !== 'object') return null;
  const d = e.details as { field?: unknown; errors?: Array<{ path?: unknown; params?: { additionalProperty?: unknown } }> };
  if (typeof d.field === 'string' && d.field) return d.field;
  const first = d.errors?.[0];
  if (first && typeof first.path === 'string' && first.path) {
    return first.path
      .split('/')
      .filter(Boolean)
      .reduce((acc, p) => (/^\d+$/.test(p) ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), '');
  }
  return null;
}

/** Does an error about `errorPath` belong to the input for `key` (the same field or inside it)? */
export function belongsTo(errorPath: string | null, key: string): boolean {
  if (!errorPath) return false;
  return errorPath === key || errorPath.startsWith(`${key}.`) || errorPath.startsWith(`${key}[`);
}
