/**
 * The end of a drill: the outcome check (sandbox writes against the expected end state, one
 * of; must_tell facts told; what the customer ended up doing), the quality rubric over the
 * whole conversation (src/quality — the same scorer as real tickets), efficiency (turns,
 * time) → one score with evidence and pass/fail, plus what a strong agent would have said.
 */
import { scoreConversation, DIMENSION_NAMES, type ConversationScore, type Evidence, type DimensionResult, type CriticalFailure, type Dimension } from '../quality/index.ts';
import { textMatches } from './acts.ts';
import type { DrillEngine, Hint, TranscriptEntry } from './drill.ts';
import type { ToolResult } from './sandbox.ts';
import { daysSinceDelivery, type EndStateAlternative, type MustTellAct } from './scenario.ts';

export interface DrillEvidence {
  dimension: string;
  quote: string;
  effect: 'earned' | 'lost' | 'missing';
  code: string;
  en: string;
  zh: string;
  turn?: number;
}

export interface AlternativeCheck {
  label: string;
  passed: boolean;
  /** Expected actions not performed (with the args that did not match). */
  missing: string[];
  /** Write actions performed that this alternative does not allow. */
  extra: string[];
}

export interface OutcomeCheck {
  passed: boolean;
  endState: { passed: boolean; matched: string | null; alternatives: AlternativeCheck[]; performed: { name: string; args: ToolResult['args'] }[] };
  mustTell: { id: string; en: string; zh: string; told: boolean; turn?: number; quote?: string }[];
  customer: { status: string; acceptedKind: string | null; escalation: string | null; mood: number; patience: number };
  score: number;
}

export interface DimensionScore {
  score: number;
  verdict: 'pass' | 'partial' | 'fail' | 'not_applicable';
  name: { en: string; zh: string };
  evidence: DrillEvidence[];
}

export interface DrillResult {
  scenarioId: string;
  variant: string;
  seed: number;
  score: number;
  passed: boolean;
  passMark: number;
  critical: CriticalFailure[];
  /** Why it failed, stable codes: critical:<x>, outcome, must_tell, customer_left, below_pass_mark. */
  failReasons: string[];
  outcome: OutcomeCheck;
  rubric: { score: number; labels: ConversationScore['labels'] };
  efficiency: { turns: number; seconds: number; score: number };
  /** Rubric dimensions plus `outcome` and `efficiency`, each 0..1 with evidence. */
  dimensions: Record<string, DimensionScore>;
  evidence: DrillEvidence[];
  strongReply: { text: string; gloss_zh: string; source: 'scenario' | 'composed' } | null;
  hints: Hint[];
  transcript: TranscriptEntry[];
}

const WEIGHT_RUBRIC = 0.5;
const WEIGHT_OUTCOME = 0.35;
const WEIGHT_EFFICIENCY = 0.15;
/** Score ceiling when the customer left / escalated, or the end state is wrong. */
const OUTCOME_FAIL_CAP = 60;

/**
 * The drill total (0..100, one decimal): the rubric, the outcome (0..1) and efficiency (0..1)
 * weighted; no more than the rubric score on a critical failure, no more than the fail cap when
 * `capped` (wrong outcome, customer left). Shared by every kind of drill.
 */
export function drillTotal(rubric: Pick<ConversationScore, 'score' | 'critical'>, outcomeScore: number, efficiency: number, capped: boolean): number {
  let score = WEIGHT_RUBRIC * rubric.score + WEIGHT_OUTCOME * 100 * outcomeScore + WEIGHT_EFFICIENCY * 100 * efficiency;
  if (rubric.critical.length) score = Math.min(score, rubric.score);
  if (capped) score = Math.min(score, OUTCOME_FAIL_CAP);
  return Math.round(score * 10) / 10;
}

/** The outcome dimension's score (0..1, three decimals): the end state, the facts told (share) and how the customer ended. */
export function outcomeScoreOf(endStateOk: boolean, toldShare: number, customerScore: number): number {
  return Math.round((0.5 * (endStateOk ? 1 : 0) + 0.3 * toldShare + 0.2 * customerScore) * 1000) / 1000;
}

/** A 0..1 dimension score as a verdict. */
export function verdictOf(score: number): 'pass' | 'partial' | 'fail' {
  return score >= 0.8 ? 'pass' : score >= 0.4 ? 'partial' : 'fail';
}

/** The efficiency dimension: its score and one piece of evidence worded by the caller. */
export function efficiencyDimension(eff: number, en: string, zh: string): DimensionScore {
  return { score: eff, verdict: verdictOf(eff), name: { en: 'Efficiency', zh: '效率' }, evidence: [ev('efficiency', 'turns', eff >= 0.8 ? 'earned' : 'lost', '', en, zh)] };
}

/**
 * The rubric's dimensions as drill dimensions. Rubric evidence carries the index into the
 * conversation it scored (the transcript's lines with text); it is reported as the agent turn
 * number (tool-only agent turns count as turns).
 */
export function rubricDimensions(rubric: ConversationScore, transcript: readonly { role: 'customer' | 'agent'; text: string }[]): Record<string, DimensionScore> {
  const agentTurnOf = new Map<number, number>();
  let k = 0;
  let idx = 0;
  for (const t of transcript) {
    if (!t.text) {
      if (t.role === 'agent') k++;
      continue;
    }
    if (t.role === 'agent') agentTurnOf.set(idx, ++k);
    idx++;
  }
  const fromRubric = (e: Evidence): DrillEvidence => ({ ...e, turn: e.turn !== undefined ? agentTurnOf.get(e.turn) : undefined });
  const dimensions: Record<string, DimensionScore> = {};
  for (const [d, r] of Object.entries(rubric.dimensions) as [Dimension, DimensionResult][]) {
    dimensions[d] = { score: r.score, verdict: r.verdict, name: DIMENSION_NAMES[d], evidence: r.evidence.map(fromRubric) };
  }
  return dimensions;
}

function near(a: unknown, b: string | number | boolean): boolean {
  if (typeof b === 'number') return typeof a === 'number' && Math.abs(a - b) <= 0.01;
  if (typeof b === 'string' && typeof a === 'string') return a.replace(/^#/, '').toLowerCase() === b.replace(/^#/, '').toLowerCase();
  return a === b;
}

/** An address as typed: case, accents, punctuation and spacing do not matter ("Via Roma 12," = "via roma, 12"). */
export function normaliseAddressPart(s: string): string {
  return s
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

function argMatches(action: string, key: string, performed: unknown, expected: string | number | boolean): boolean {
  if (action === 'change_address' && key !== 'order' && typeof expected === 'string' && typeof performed === 'string') {
    // postcodes are written with or without spaces ("722 12", "72212", "SW1A 1AA")
    const norm = (x: string) => (key === 'postcode' ? normaliseAddressPart(x).replace(/ /g, '') : normaliseAddressPart(x));
    return norm(performed) === norm(expected);
  }
  return near(performed, expected);
}

export function checkEndState(alts: EndStateAlternative[], writes: ToolResult[]): OutcomeCheck['endState'] {
  const checks: AlternativeCheck[] = alts.map((alt, i) => {
    const used = new Set<number>();
    const missing: string[] = [];
    for (const exp of alt.actions) {
      const k = writes.findIndex((w, j) => !used.has(j) && w.name === exp.action && Object.entries(exp.args).every(([key, val]) => argMatches(exp.action, key, w.args[key], val)));
      if (k >= 0) used.add(k);
      else missing.push(`${exp.action} ${JSON.stringify(exp.args)}`);
    }
    const allowed = new Set([...(alt.allow_extra ?? [])]);
    const extra = writes.filter((w, j) => !used.has(j) && !allowed.has(w.name as never)).map((w) => `${w.name} ${JSON.stringify(w.args)}`);
    return { label: alt.label ?? `alternative ${i + 1}`, passed: missing.length === 0 && extra.length === 0, missing, extra };
  });
  const hit = checks.find((c) => c.passed);
  return { passed: !!hit, matched: hit?.label ?? null, alternatives: checks, performed: writes.map((w) => ({ name: w.name, args: w.args })) };
}

const ACT_TO_MODIFIER: Partial<Record<MustTellAct, string>> = {
  time: 'time',
  amount: 'amount',
  tracking: 'tracking',
  free_of_charge: 'free_of_charge',
};
const ACT_TO_OFFER: Partial<Record<MustTellAct, string>> = {
  transfer: 'transfer',
  return_label: 'return_label',
  refund: 'refund',
  reship: 'reship',
  exchange: 'exchange',
  explain_policy: 'explain_policy',
  investigate: 'investigate',
  cancel: 'cancel',
  address_change: 'address_change',
  voucher: 'voucher',
};

/**
 * The end report from its parts (every kind of drill, fields in one order): passed when there
 * is no fail reason; the critical failures and the rubric's score and labels from `rubric`; the
 * evidence of every dimension in one list.
 */
export function drillReport<O, T>(
  p: Omit<DrillResult, 'passed' | 'critical' | 'rubric' | 'evidence' | 'outcome' | 'transcript'> & { rubric: ConversationScore; outcome: O; transcript: T },
): Omit<DrillResult, 'outcome' | 'transcript'> & { outcome: O; transcript: T } {
  return {
    scenarioId: p.scenarioId,
    variant: p.variant,
    seed: p.seed,
    score: p.score,
    passed: p.failReasons.length === 0,
    passMark: p.passMark,
    critical: p.rubric.critical,
    failReasons: p.failReasons,
    outcome: p.outcome,
    rubric: { score: p.rubric.score, labels: p.rubric.labels },
    efficiency: p.efficiency,
    dimensions: p.dimensions,
    evidence: Object.values(p.dimensions).flatMap((d) => d.evidence),
    strongReply: p.strongReply,
    hints: p.hints,
    transcript: p.transcript,
  };
}

/** One piece of drill evidence (`turn` only when given). */
export function ev(dimension: string, code: string, effect: DrillEvidence['effect'], quote: string, en: string, zh: string, turn?: number): DrillEvidence {
  return { dimension, code, effect, quote, en, zh, ...(turn !== undefined ? { turn } : {}) };
}

/** Scores an ended (or abandoned) drill. */
export function scoreDrill(engine: DrillEngine): DrillResult {
  const sc = engine.scenario;
  const st = engine.customer.state;

  // --- outcome ----------------------------------------------------------------------------
  const endState = checkEndState(engine.expectedEndState(), engine.sandbox.writes());
  const agentTurns = engine.transcript.map((t, i) => ({ t, i })).filter((x) => x.t.role === 'agent');
  const mustTell = sc.must_tell.map((m) => {
    let turn: number | undefined;
    let quote: string | undefined;
    agentTurns.some(({ t }, k) => {
      const acts = engine.agentActs[k];
      const byAct = (m.acts ?? []).find((a) => {
        const mod = ACT_TO_MODIFIER[a];
        const off = ACT_TO_OFFER[a];
        return (mod && acts.modifiers.includes(mod as never)) || (off && acts.offers.includes(off as never));
      });
      if (byAct) {
        turn = k + 1;
        const key = ACT_TO_MODIFIER[byAct] ?? `offers:${ACT_TO_OFFER[byAct]}`;
        quote = acts.evidence[key] ?? t.text;
        return true;
      }
      if (m.patterns?.length && t.text && textMatches(t.text, m.patterns)) {
        turn = k + 1;
        quote = t.text.slice(0, 200);
        return true;
      }
      return false;
    });
    return { id: m.id, en: m.en, zh: m.zh, told: turn !== undefined, turn, quote };
  });
  const told = mustTell.length ? mustTell.filter((m) => m.told).length / mustTell.length : 1;
  const customerScore = st.status === 'accepted' ? 1 : st.status === 'left' ? 0 : st.status === 'transferred' ? (endState.passed ? 0.8 : 0.2) : st.status === 'threatening' ? 0.1 : 0.4;
  const outcomeScore = outcomeScoreOf(endState.passed, told, customerScore);
  const outcome: OutcomeCheck = {
    passed: endState.passed && told === 1 && st.status !== 'left',
    endState,
    mustTell,
    customer: { status: st.status, acceptedKind: st.acceptedKind ?? null, escalation: st.status === 'left' || st.status === 'threatening' ? (st.escalation ?? null) : null, mood: st.mood, patience: st.patience },
    score: outcomeScore,
  };

  // --- rubric over the whole conversation --------------------------------------------------
  const convo = engine.transcript.filter((t) => t.text).map((t) => ({ role: t.role, text: t.text }));
  const rubric = scoreConversation(convo, {
    market: sc.market,
    language: sc.language,
    category: sc.category,
    daysSinceDelivery: daysSinceDelivery(sc),
    weights: sc.rubric?.weights,
  });

  // --- efficiency -------------------------------------------------------------------------
  const turns = agentTurns.length;
  const seconds = Math.max(0, Math.round((engine.endTime.getTime() - engine.startedAt.getTime()) / 1000));
  // A strong agent: acknowledge + ask what is missing, resolve, close — one more when the request switches.
  const mustAsk = Object.values(sc.knows_and_reveals_when_asked).some((f) => !f.in_opening);
  const ideal = 2 + (mustAsk ? 1 : 0) + (sc.midway_switch ? 1 : 0);
  let eff = turns === 0 ? 0 : turns <= ideal + 1 ? 1 : Math.max(0.2, 1 - 0.15 * (turns - ideal - 1));
  if (seconds > 900) eff = Math.max(0.2, eff - 0.2);
  eff = Math.round(eff * 1000) / 1000;

  // --- dimensions and evidence ------------------------------------------------------------
  const dimensions = rubricDimensions(rubric, engine.transcript);
  const outEv: DrillEvidence[] = [];
  if (endState.passed) outEv.push(ev('outcome', 'end_state_ok', 'earned', '', `The order data matches the expected end state (${endState.matched}).`, `订单数据符合预期结果（${endState.matched}）。`));
  else {
    const best = endState.alternatives[0];
    const what = endState.performed.length ? endState.performed.map((p) => p.name).join(', ') : 'no action';
    outEv.push(ev('outcome', 'end_state_wrong', 'lost', '', `The order data does not match any expected end state (done: ${what}; expected e.g. ${best?.missing.join('; ') || best?.label || '-'}).`, `订单数据不符合任何预期结果（已执行：${what}；预期例如：${best?.missing.join('；') || best?.label || '-'}）。`));
  }
  for (const m of mustTell)
    outEv.push(
      m.told
        ? ev('outcome', 'must_tell_told', 'earned', m.quote ?? '', `Told the customer: ${m.en}.`, `已告知客户：${m.zh}。`, m.turn)
        : ev('outcome', 'must_tell_missing', 'missing', '', `Never told the customer: ${m.en}.`, `未告知客户：${m.zh}。`),
    );
  if (st.status === 'accepted') outEv.push(ev('outcome', 'customer_accepted', 'earned', '', `The customer accepted (${st.acceptedKind}).`, `客户接受了方案（${st.acceptedKind}）。`));
  else if (st.status === 'left') outEv.push(ev('outcome', 'customer_left', 'lost', '', `The customer ran out of patience and escalated (${st.escalation}).`, `客户失去耐心并升级投诉（${st.escalation}）。`));
  else if (st.status === 'threatening') outEv.push(ev('outcome', 'customer_threatening', 'lost', '', `The drill ended with the customer threatening ${st.escalation}.`, `演练结束时客户仍威胁要 ${st.escalation}。`));
  else if (st.status === 'transferred') outEv.push(ev('outcome', 'customer_transferred', endState.passed ? 'earned' : 'lost', '', 'The customer was transferred to a colleague.', '客户被转接给同事。'));
  else outEv.push(ev('outcome', 'customer_unresolved', 'missing', '', 'The customer never accepted a solution.', '客户没有接受任何方案。'));
  dimensions.outcome = { score: outcomeScore, verdict: verdictOf(outcomeScore), name: { en: 'Outcome', zh: '处理结果' }, evidence: outEv };
  dimensions.efficiency = efficiencyDimension(eff, `${turns} agent turn(s) (a strong agent needs about ${ideal}), ${seconds} s.`, `共 ${turns} 轮回复（优秀客服约需 ${ideal} 轮），用时 ${seconds} 秒。`);

  // --- total ------------------------------------------------------------------------------
  const score = drillTotal(rubric, outcomeScore, eff, !endState.passed || st.status === 'left');
  const failReasons: string[] = [];
  for (const c of rubric.critical) failReasons.push(`critical:${c}`);
  if (!endState.passed) failReasons.push('outcome');
  if (told < 1) failReasons.push('must_tell');
  if (st.status === 'left') failReasons.push('customer_left');
  const passMark = sc.rubric?.pass_mark ?? 70;
  if (score < passMark) failReasons.push('below_pass_mark');
  const { variant, seed, hintsShown: hints, transcript } = engine;
  const efficiency = { turns, seconds, score: eff };
  return drillReport({ scenarioId: sc.id, variant, seed, score, passMark, failReasons, outcome, rubric, efficiency, dimensions, strongReply: strongReply(engine), hints, transcript });
}

function strongReply(engine: DrillEngine): DrillResult['strongReply'] {
  const sc = engine.scenario;
  if (sc.model_reply && sc.language === engine.base.language) return { ...sc.model_reply, source: 'scenario' };
  if (engine.base.model_reply) return { ...engine.base.model_reply, source: 'scenario' };
  // Composed guidance (in Chinese and English) when the scenario has no model reply.
  const accept = sc.outcomes.accepts[0];
  const tell = sc.must_tell.map((m) => m.en).join('; ');
  const tellZh = sc.must_tell.map((m) => m.zh).join('；');
  return {
    text: `Greet ${sc.persona.name} in ${sc.language}, acknowledge the problem, offer ${accept.kind}${accept.requires?.length ? ` with ${accept.requires.join(', ')}` : ''}, tell: ${tell || '-'}, do it in the sandbox, close politely.`,
    gloss_zh: `用客户的语言（${sc.language}）问候 ${sc.persona.name}，表示理解并致歉，提供「${accept.kind}」${accept.requires?.length ? `（附带 ${accept.requires.join('、')}）` : ''}，告知：${tellZh || '-'}，在沙盒中执行操作，礼貌结束。`,
    source: 'composed',
  };
}
