/** The quality rubric: one scorer for auto-QA of real tickets and for drills. */
export { scoreReply, scoreConversation, analyseTurn, customerFacts } from './rubric.ts';
export type { ConversationScore, TurnAnalysis } from './rubric.ts';
export { DEFAULT_WEIGHTS, resolveWeights, CRITICAL_CAP, LANGUAGE_CAP, TONE_CAP } from './weights.ts';
export { marketRule, marketRules } from './market-rules.ts';
export { DIMENSION_NAMES, EXPLANATIONS, explain } from './explain.ts';
export { agreement, loadLabelled } from './labelled.ts';
export type { MarketRule } from './market-rules.ts';
export { LABELS, DIMENSIONS, CRITICAL_FAILURES } from './types.ts';
export type * from './types.ts';
