// Types and hooks of the drill API (/api/v1/scenarios, /api/v1/drills; src/training/schemas.ts).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, qs } from '../api/client.ts';

export interface Localized {
  en: string;
  zh: string;
}
export interface Line {
  text: string;
  gloss_zh: string;
}
export interface ScenarioSummary {
  id: string;
  title: Localized;
  market: string;
  language: string;
  category: string;
  difficulty: 'easy' | 'medium' | 'hard';
  tags: string[];
  source: string;
  variants: string[];
}
export interface ToolInfo {
  name: string;
  en: string;
  zh: string;
  args: string[];
}
export interface PublicScenario extends ScenarioSummary {
  persona: { name: string; culture: string; writes: string; formality: string | null };
  opening: Line;
  marketRules: Array<{ en: string; zh: string; rule?: string }>;
  cultureHints: Localized;
  tools: ToolInfo[];
}
export interface Hint {
  code: string;
  en: string;
  zh: string;
}
export interface ToolResult {
  name: string;
  ok: boolean;
  args: Record<string, string | number | boolean | string[]>;
  result?: unknown;
  error?: { code: string; message: string };
}
export interface TranscriptEntry {
  role: string;
  text: string;
  gloss_zh?: string;
  at: string;
  acts?: string[];
  tools?: ToolResult[];
  reactions?: string[];
}
export interface DrillState {
  mood: number;
  patience: number;
  status: string;
  agentTurns: number;
}
export interface SandboxItem {
  sku: string;
  name: string;
  qty: number;
  price: number;
  returned: number;
}
export interface Sandbox {
  customer: { name?: string; email?: string; country?: string; phone?: string } | null;
  order: { number: string; status: string; currency: string; total: number; paid: number; refunded: number; paymentMethod: string; items: SandboxItem[]; placedAt?: string; deliveredAt?: string } | null;
  shipments: Array<{ carrier: string; tracking: string; status: string; events?: Array<{ at: string; text: string }> }>;
  returns: Array<{ rma: string; sku: string; qty: number; paidBy: string }>;
  refunds: Array<{ amount: number; method: string }>;
  claims: unknown[];
  transferred: boolean;
  /** tau2 retail drills: the account once identified, the orders looked up. */
  tau2?: Tau2SandboxView;
}
export interface Tau2Order {
  order_id: string;
  status: string;
  items: Array<{ name: string; item_id: string; product_id: string; price: number; options: Record<string, string> }>;
  payment_history: Array<{ transaction_type: string; amount: number; payment_method_id: string }>;
}
export interface Tau2SandboxView {
  user: {
    user_id: string;
    name: { first_name: string; last_name: string };
    email: string;
    address: { address1: string; address2: string; city: string; state: string; zip: string; country: string };
    payment_methods: Record<string, { id: string; source: string; brand?: string; last_four?: string; balance?: number }>;
    orders: string[];
  } | null;
  orders: Tau2Order[];
  confirmed: boolean;
  transferred: boolean;
  violations: string[];
}
export interface Session {
  id: string;
  userId: string;
  scenario: PublicScenario;
  variant: string;
  seed: number;
  hints: boolean;
  assignmentId: string | null;
  status: string;
  state: DrillState;
  startedAt: string;
  endedAt: string | null;
  transcript: TranscriptEntry[];
  startHints: Hint[];
  sandbox: Sandbox;
  score: number | null;
  passed: boolean | null;
}
export interface Evidence {
  dimension: string;
  quote: string;
  effect: string;
  code: string;
  en: string;
  zh: string;
  turn?: number;
}
export interface Report {
  scenarioId: string;
  variant: string;
  score: number;
  passed: boolean;
  passMark: number;
  critical: string[];
  failReasons: string[];
  outcome: {
    passed: boolean;
    score: number;
    endState: { passed: boolean; matched: string | null; alternatives: Array<{ label: string; passed: boolean; missing: string[]; extra: string[] }>; performed: Array<{ name: string; args: Record<string, unknown> }> };
    mustTell: Array<{ id: string; en: string; zh: string; told: boolean; turn?: number; quote?: string }>;
    customer: { status: string; acceptedKind: string | null; escalation: string | null; mood: number; patience: number };
  };
  rubric: { score: number; labels: Record<string, boolean> };
  efficiency: { turns: number; seconds: number; score: number };
  dimensions: Record<string, { score: number; verdict: string; name: Localized; evidence: Evidence[] }>;
  evidence: Evidence[];
  strongReply: { text: string; gloss_zh: string; source: string } | null;
  hints: Hint[];
  transcript: TranscriptEntry[];
  /** tau2 retail drills: the replay-style outcome check. */
  tau2?: {
    taskId: string;
    dbMatches: boolean;
    reason: string | null;
    differences: string[];
    violations: string[];
    communicateInfo: Array<{ fact: string; told: boolean; turn?: number; quote?: string }>;
    goldActions: Array<{ name: string; arguments: Record<string, unknown> }>;
  };
}
export interface TurnResult {
  sessionId: string;
  turn: number;
  acts: string[];
  tools: ToolResult[];
  customer: { text: string; gloss_zh: string; reactions: string[] } | null;
  hints: Hint[];
  state: DrillState;
  ended: boolean;
  report: Report | null;
}
export interface Assignment {
  id: string;
  scenarioId: string;
  scenarioTitle: Localized | null;
  variant: string;
  userId: string;
  note: string | null;
  dueAt: string | null;
  status: string;
  bestScore: number | null;
}

export interface ScenarioFilters {
  category?: string;
  market?: string;
  difficulty?: string;
  language?: string;
  q?: string;
  /** library, ticket or tau2 (the tau2 retail tasks, only when chosen) */
  source?: string;
}

export const PAGE_SIZE = 20;

export function useScenarios(f: ScenarioFilters, offset: number) {
  return useQuery({
    queryKey: ['scenarios', f, offset],
    queryFn: () => api.get<{ items: ScenarioSummary[]; total: number; limit: number; offset: number }>(`/api/v1/scenarios${qs({ ...f, limit: PAGE_SIZE, offset })}`),
    placeholderData: (prev) => prev,
  });
}

export function useAssignments() {
  return useQuery({ queryKey: ['drill-assignments'], queryFn: () => api.get<{ items: Assignment[] }>('/api/v1/drills/assignments') });
}

export function useMyDrills() {
  return useQuery({
    queryKey: ['drills'],
    queryFn: () => api.get<{ items: Array<{ id: string; scenarioId: string; variant: string; status: string; score: number | null; passed: boolean | null; startedAt: string; turns: number }> }>('/api/v1/drills?limit=10'),
  });
}

export function useSession(id: string) {
  return useQuery({ queryKey: ['drill', id], queryFn: () => api.get<Session>(`/api/v1/drills/${encodeURIComponent(id)}`) });
}

export function useReport(id: string, enabled: boolean) {
  return useQuery({ queryKey: ['drill-report', id], queryFn: () => api.get<Report>(`/api/v1/drills/${encodeURIComponent(id)}/report`), enabled });
}

export function useStartDrill() {
  return useMutation({
    mutationFn: (v: { scenarioId: string; variant?: string; hints: boolean; assignmentId?: string }) => api.post<Session>('/api/v1/drills', v),
  });
}

export function useTurn(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: { text?: string; tools?: Array<{ name: string; arguments: Record<string, unknown> }> }) => api.post<TurnResult>(`/api/v1/drills/${encodeURIComponent(id)}/turns`, v),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['drill', id] }),
  });
}

export function useEndDrill(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => api.post<Report>(`/api/v1/drills/${encodeURIComponent(id)}/end`),
    onSuccess: (r) => {
      qc.setQueryData(['drill-report', id], r);
      void qc.invalidateQueries({ queryKey: ['drill', id] });
      void qc.invalidateQueries({ queryKey: ['drills'] });
      void qc.invalidateQueries({ queryKey: ['drill-assignments'] });
    },
  });
}

export function useAssign() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: { scenarioId: string; userId: string; variant?: string; note?: string }) => api.post<Assignment>('/api/v1/drills/assignments', v),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['drill-assignments'] }),
  });
}

/** `#/training` is the library, `#/training/drill/<id>` one drill (its report once ended). */
export function openDrill(id: string | null): void {
  window.location.hash = id ? `#/training/drill/${encodeURIComponent(id)}` : '#/training';
}
