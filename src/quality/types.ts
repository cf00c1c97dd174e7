/**
 * The quality rubric's vocabulary: the labels of the `qa score` contract (DESIGN.md), the
 * rubric's dimensions, evidence and weights.
 */

/** The eight boolean labels of `qa score` (DESIGN.md, Contracts). */
export const LABELS = [
  'greeting',
  'empathy',
  'solution_offered',
  'closing',
  'blame_or_rude',
  'asks_sensitive_data',
  'language_match',
  'policy_violation',
] as const;
export type LabelName = (typeof LABELS)[number];
export type Labels = Record<LabelName, boolean>;

/** Rubric dimensions, each scored 0..1. */
export const DIMENSIONS = [
  'greeting',
  'empathy',
  'comprehension',
  'solution',
  'policy',
  'tone',
  'language',
  'sensitive_data',
  'closing',
  'readability',
  'cultural_fit',
] as const;
export type Dimension = (typeof DIMENSIONS)[number];

export type Verdict = 'pass' | 'partial' | 'fail' | 'not_applicable';

/** Critical failures: any one of them fails the reply or conversation whatever else. */
export const CRITICAL_FAILURES = [
  'policy_violation',
  'asks_sensitive_data',
  'review_manipulation',
  'chargeback_drop_demand',
] as const;
export type CriticalFailure = (typeof CRITICAL_FAILURES)[number];

export interface Evidence {
  dimension: Dimension;
  /** The sentence of the reply that earned or lost the point ('' when the point is an absence). */
  quote: string;
  /** earned: the sentence earned credit; lost: it cost credit; missing: something expected is absent. */
  effect: 'earned' | 'lost' | 'missing';
  /** The recognised act or rule, a stable code (e.g. "apology", "refusal_in_withdrawal_window"). */
  code: string;
  /** One-line explanation in English. */
  en: string;
  /** One-line explanation in Chinese. */
  zh: string;
  /** Index of the agent turn (conversation scoring only). */
  turn?: number;
}

export interface DimensionResult {
  score: number;
  verdict: Verdict;
  evidence: Evidence[];
}

export type Weights = Record<Dimension, number>;

/** What the store promises beyond the law (e.g. a 30-day return window in the US). */
export interface StorePolicy {
  /** Days after delivery during which the store accepts returns for any reason. */
  returnWindowDays?: number;
  /** The store pays return shipping for change-of-mind returns too. */
  freeReturns?: boolean;
}

export interface ReplyContext {
  /** ISO 3166 market of the customer (US, DE, JP…). */
  market: string;
  /** ISO 639-1 language of the customer. */
  language: string;
  /** Triage category (DESIGN.md vocabulary). */
  category: string;
  daysSinceDelivery?: number;
  storePolicy?: StorePolicy;
  /** Overrides of the default weights (per scenario, per team). */
  weights?: Partial<Weights>;
}

export interface ScoreReplyInput extends ReplyContext {
  customerMessage: string;
  reply: string;
}

export interface ReplyScore {
  labels: Labels;
  dimensions: Record<Dimension, DimensionResult>;
  /** 0..100, capped when a critical failure occurred. */
  score: number;
  critical: CriticalFailure[];
  /** All evidence, in dimension order. */
  evidence: Evidence[];
  /** The language the reply was recognised as. */
  replyLanguage: string;
}

export interface ConversationTurn {
  role: 'customer' | 'agent';
  text: string;
}
