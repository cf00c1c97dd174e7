/**
 * A tau2 retail task played as a drill: the trainee talks to the tau2 customer (customer.ts) and
 * calls the tau2 tools on the task's copy-on-write sandbox; a write passes only after the
 * customer's explicit yes (the sandbox's process rules). The end report has the same shape as
 * other drills' (report.ts) so the API, the store and the UI show it alike: the outcome check is
 * replay-style (the database after the trainee's actions equals the database after the gold
 * actions; process-rule violations listed), `mustTell` are the task's communicateInfo facts, and
 * the rubric (src/quality) scores the conversation. Pure and deterministic for a seed.
 */
import { scoreConversation } from '../../quality/index.ts';
import { recogniseActs } from '../acts.ts';
import { DrillClock, hintAdder, publicStateOf, toolRefusedHint, type Hint, type PublicState, type TranscriptEntry, type TurnOutcome } from '../drill.ts';
import { drillReport, drillTotal, efficiencyDimension, ev, outcomeScoreOf, rubricDimensions, verdictOf, type DrillEvidence, type DrillResult } from '../report.ts';
import { Tau2Customer, isWrite, type Tau2CustomerReply, type Tau2SeenCall } from './customer.ts';
import { secretsOf, type Tau2Voice } from './llm-customer.ts';
import { checkAgainstGold, type Tau2ReplayResult } from './replay.ts';
import { confirmWrite, createSandbox, readOrder, readUser, type Tau2Sandbox } from './sandbox.ts';
import { tau2PublicScenario } from './source.ts';
import { runTool } from './tools.ts';
import type { Tau2Action, Tau2Db, Tau2Order, Tau2Task, Tau2User } from './types.ts';

/** A tool call and its outcome, as the drill API shows it. */
export interface Tau2ToolOutcome {
  name: string;
  ok: boolean;
  args: Record<string, unknown>;
  result?: unknown;
  error?: { code: string; message: string };
}

/** A transcript line as other drills' (drill.ts), with tau2 tool outcomes. */
export interface Tau2TranscriptEntry extends Omit<TranscriptEntry, 'tools'> {
  tools?: Tau2ToolOutcome[];
}

export interface Tau2TurnInput {
  text?: string;
  tools?: { name: string; arguments?: Record<string, unknown> }[];
}

/** A turn's outcome as other drills' (drill.ts), with tau2 tool outcomes. */
export interface Tau2TurnOutcome extends Omit<TurnOutcome, 'tools'> {
  tools: Tau2ToolOutcome[];
}

/** The outcome check of a tau2 drill (in the report as `tau2`). */
export interface Tau2OutcomeCheck {
  taskId: string;
  /** The database equals the one after the gold actions. */
  dbMatches: boolean;
  /** Why it failed: the first difference, or the first broken process rule. */
  reason: string | null;
  differences: string[];
  violations: string[];
  failedCalls: { index: number; name: string; error: string }[];
  expectedHash: string;
  actualHash: string;
  goldWrites: { name: string; arguments: Record<string, unknown>; done: boolean }[];
  communicateInfo: { fact: string; told: boolean; turn?: number; quote?: string }[];
  /** The gold actions, shown once the drill is over (what a strong agent would have done). */
  goldActions: Tau2Action[];
}

export type Tau2DrillResult = Omit<DrillResult, 'outcome' | 'transcript'> & {
  outcome: Omit<DrillResult['outcome'], 'endState'> & {
    endState: Omit<DrillResult['outcome']['endState'], 'performed'> & { performed: { name: string; args: Record<string, unknown> }[] };
  };
  transcript: Tau2TranscriptEntry[];
  tau2: Tau2OutcomeCheck;
};

export interface Tau2DrillConfig {
  task: Tau2Task;
  db: Readonly<Tau2Db>;
  seed?: number;
  hints?: boolean;
  startedAt: Date;
}

const PASS_MARK = 70;

const HINTS = {
  authenticate: { code: 'authenticate', en: 'Authenticate the user first: ask for the email, or first name, last name and zip.', zh: '先验证身份：询问邮箱，或名、姓和邮编。' },
  confirm: { code: 'confirm', en: 'Before a write, list the exact change (order, items, new item, payment method) and ask for an explicit "yes".', zh: '执行修改前，列出具体变更（订单、商品、新款式、支付方式），并请客户明确回答“yes”。' },
  declined: { code: 'declined', en: 'The customer did not agree: propose exactly what they asked for.', zh: '客户没有同意：请按客户的原始诉求提出方案。' },
  do_it: { code: 'do_it', en: 'The customer said yes: now call the write tool with exactly what you proposed.', zh: '客户已同意：现在用工具执行你提出的修改。' },
  policy: { code: 'policy', en: 'A process rule was broken; it is listed in the end report.', zh: '违反了流程规则，会记录在结束报告中。' },
  asked_again: { code: 'asked_again', en: 'The customer repeated the request: answer it, or look up what you need with the tools.', zh: '客户重复了诉求：请回应，或用工具查询所需信息。' },
  patience: { code: 'patience', en: 'The customer is running out of patience.', zh: '客户快没耐心了。' },
} satisfies Record<string, Hint>;

export class Tau2DrillEngine extends DrillClock {
  readonly kind = 'tau2' as const;
  readonly task: Tau2Task;
  readonly db: Readonly<Tau2Db>;
  readonly seed: number;
  readonly variant = 'base';
  readonly hintsOn: boolean;
  readonly sandbox: Tau2Sandbox;
  readonly customer: Tau2Customer;
  readonly transcript: Tau2TranscriptEntry[] = [];
  readonly hintsShown: Hint[] = [];
  /** Orders the agent looked up (shown in the drill's context pane). */
  private readonly seenOrders: string[] = [];
  private agentTextTurns = 0;

  constructor(cfg: Tau2DrillConfig) {
    super(cfg.startedAt);
    this.task = cfg.task;
    this.db = cfg.db;
    this.seed = cfg.seed ?? 1;
    this.hintsOn = cfg.hints ?? true;
    this.sandbox = createSandbox(cfg.db, { requireAuth: true, requireConfirmation: true, authenticatedUserId: null });
    this.customer = new Tau2Customer(cfg.task, cfg.db, this.seed);
    const o = this.customer.opening();
    this.transcript.push({ role: 'customer', text: o.text, gloss_zh: o.gloss_zh, at: cfg.startedAt.toISOString(), reactions: o.reactions });
  }

  publicState(): PublicState {
    return publicStateOf(this.customer.state);
  }

  /** What the trainee sees of the task (the opening as played). */
  publicScenario() {
    const o = this.transcript[0];
    return tau2PublicScenario(this.task, { text: o.text, gloss_zh: o.gloss_zh ?? '' });
  }

  startHints(): Hint[] {
    return this.hintsOn ? [HINTS.authenticate, HINTS.confirm] : [];
  }

  turn(input: Tau2TurnInput, at: Date): Tau2TurnOutcome {
    const { text, calls } = this.beginTurn(input, at);
    const violationsBefore = this.sandbox.session.violations.length;
    const seen: Tau2SeenCall[] = [];
    const results: Tau2ToolOutcome[] = calls.map((c) => {
      const args = c.arguments ?? {};
      const r = runTool(this.sandbox, c.name, args);
      const logged = displayArgs(this.sandbox.session.log[this.sandbox.session.log.length - 1]?.arguments ?? {});
      const call: Tau2SeenCall = { name: c.name, arguments: logged, ok: r.ok };
      if (r.ok && isWrite(c.name)) call.gold = this.customer.recordWrite({ name: c.name, arguments: logged });
      if (r.ok && c.name === 'get_order_details' && typeof logged.order_id === 'string' && !this.seenOrders.includes(logged.order_id)) {
        this.seenOrders.push(logged.order_id);
      }
      seen.push(call);
      return r.ok ? { name: c.name, ok: true, args: logged, result: r.result } : { name: c.name, ok: false, args: logged, error: { code: r.code, message: r.error } };
    });
    const acts = recogniseActs(text, { language: 'en' });
    if (text) this.agentTextTurns++;
    this.transcript.push({ role: 'agent', text, at: at.toISOString(), acts: acts.codes, tools: results });

    let customer: Tau2TurnOutcome['customer'] = null;
    const transferred = results.some((r) => r.ok && r.name === 'transfer_to_human_agents');
    // The customer got everything: the agent's next words close the conversation.
    const closing = this.customer.state.status === 'accepted';
    if (closing) {
      if (text) this.end(at);
    } else if (text || transferred || seen.some((c) => c.ok && isWrite(c.name))) {
      const reply: Tau2CustomerReply = this.customer.respond(text, seen);
      if (reply.confirm) confirmWrite(this.sandbox);
      customer = { text: reply.text, gloss_zh: reply.gloss_zh, reactions: reply.reactions };
      if (reply.text) this.transcript.push({ role: 'customer', text: reply.text, gloss_zh: reply.gloss_zh, at: at.toISOString(), reactions: reply.reactions });
    }
    const st = this.customer.state;
    if (st.status === 'left' || st.status === 'transferred') this.end(at);

    const hints: Hint[] = [];
    if (this.hintsOn) {
      const add = hintAdder(hints);
      for (const r of results) {
        if (r.ok) continue;
        if (/authenticated/.test(r.error?.message ?? '')) add(HINTS.authenticate);
        else if (/confirmation/.test(r.error?.message ?? '')) add(HINTS.confirm);
        add(toolRefusedHint(r.name, r.error?.message));
      }
      if (this.sandbox.session.violations.length > violationsBefore) add(HINTS.policy);
      const reactions = customer?.reactions ?? [];
      if (reactions.some((r) => r.startsWith('declined:'))) add(HINTS.declined);
      if (reactions.some((r) => r.startsWith('confirmed:'))) add(HINTS.do_it);
      if (reactions.includes('asked_again')) add(HINTS.asked_again);
      if (st.status === 'open' && st.patience === 1) add(HINTS.patience);
      this.hintsShown.push(...hints);
    }
    return { turn: this.transcript.filter((t) => t.role === 'agent').length, acts: acts.codes, evidence: acts.evidence, tools: results, customer, hints, state: this.publicState(), ended: this.ended };
  }

  /**
   * Words a customer line of the transcript (the opening is index 0) with the LLM voice; the
   * engine's decision stays, and the scripted line stays on any failure (an LLM outage never
   * breaks a drill). Returns the line as shown.
   */
  async speak(voice: Tau2Voice, index: number): Promise<string> {
    const e = this.transcript[index];
    if (!e || e.role !== 'customer' || !e.text) return e?.text ?? '';
    try {
      const text = await voice(this.task, { text: e.text, reactions: e.reactions ?? [] }, this.transcript.slice(0, index), secretsOf(this.task, this.db));
      if (text) e.text = text;
    } catch {
      // the scripted line stays
    }
    return e.text;
  }

  /** The sandbox as the trainee's context pane shows it: the authenticated user and the orders looked up. */
  sandboxView(): { user: Tau2User | null; orders: Tau2Order[]; confirmed: boolean; transferred: boolean; violations: string[] } {
    const id = this.sandbox.session.authenticatedUserId;
    const user = id ? readUser(this.sandbox, id) : undefined;
    const orders = this.seenOrders.map((o) => readOrder(this.sandbox, o)).filter((o): o is Tau2Order => o !== undefined);
    return {
      user: user ? structuredClone(user) : null,
      orders: structuredClone(orders),
      confirmed: this.sandbox.session.confirmed,
      transferred: this.sandbox.session.transferred,
      violations: [...this.sandbox.session.violations],
    };
  }

  /** The replay-style outcome: the database against the gold outcome, and the process rules. */
  outcomeCheck(): Tau2ReplayResult {
    return checkAgainstGold(this.task, this.db, this.sandbox);
  }

  score(): Tau2DrillResult {
    const task = this.task;
    const st = this.customer.state;
    const check = this.outcomeCheck();
    const done = new Set(st.goldDone);
    const writesOk = check.passed;

    // --- outcome ----------------------------------------------------------------------------
    const communicate = task.communicateInfo.map((fact, i) => {
      const t = st.told[i];
      return { fact, told: !!t, ...(t ? { turn: t.turn, quote: t.quote } : {}) };
    });
    const told = communicate.length ? communicate.filter((c) => c.told).length / communicate.length : 1;
    const transferGoal = task.goldActions.some((a) => a.name === 'transfer_to_human_agents');
    const customerScore =
      st.status === 'accepted' ? 1 : st.status === 'left' ? 0 : st.status === 'transferred' ? (transferGoal && writesOk ? 1 : writesOk ? 0.8 : 0.2) : 0.4;
    const outcomeScore = outcomeScoreOf(writesOk, told, customerScore);
    const performed = this.sandbox.session.log.filter((c) => c.kind === 'write' && c.outcome.ok).map((c) => ({ name: c.name, args: c.arguments }));
    const missing = check.differences;
    const alternative = { label: 'database after the gold actions', passed: writesOk, missing, extra: check.violations.map((v) => `process rule: ${v}`) };
    const mustTell = communicate.map((c, i) => ({
      id: `fact-${i + 1}`,
      en: `Tell the customer: ${c.fact}`,
      zh: `告知客户：${c.fact}`,
      told: c.told,
      ...(c.turn !== undefined ? { turn: c.turn, quote: c.quote } : {}),
    }));
    const outcome: Tau2DrillResult['outcome'] = {
      passed: writesOk && told === 1 && st.status !== 'left',
      endState: { passed: writesOk, matched: writesOk ? 'gold actions' : null, alternatives: [alternative], performed },
      mustTell,
      customer: { status: st.status, acceptedKind: st.status === 'accepted' ? 'goal' : null, escalation: st.status === 'left' ? 'left' : null, mood: st.mood, patience: st.patience },
      score: outcomeScore,
    };

    // --- rubric over the conversation ------------------------------------------------------
    const convo = this.transcript.filter((t) => t.text).map((t) => ({ role: t.role, text: t.text }));
    const rubric = scoreConversation(convo, { market: 'US', language: 'en', category: task.category });

    // --- efficiency: text turns against about two per write plus identifying and closing ----
    const writes = this.customer.goldWrites.length;
    const ideal = 3 + 2 * writes;
    const turns = this.agentTextTurns;
    const seconds = Math.max(0, Math.round((this.endTime.getTime() - this.startedAt.getTime()) / 1000));
    let eff = turns === 0 ? 0 : turns <= ideal + 2 ? 1 : Math.max(0.2, 1 - 0.1 * (turns - ideal - 2));
    if (seconds > 1800) eff = Math.max(0.2, eff - 0.2);
    eff = Math.round(eff * 1000) / 1000;

    // --- dimensions -------------------------------------------------------------------------
    const dimensions: Tau2DrillResult['dimensions'] = rubricDimensions(rubric, this.transcript);
    const outEv: DrillEvidence[] = [];
    if (check.dbMatches) outEv.push(ev('outcome', 'db_matches', 'earned', '', 'The database equals the one after the gold actions.', '数据库与标准操作后的结果一致。'));
    else outEv.push(ev('outcome', 'db_differs', 'lost', '', `The database differs from the gold outcome: ${check.reason ?? ''}`, `数据库与标准结果不一致：${check.reason ?? ''}`));
    for (const v of check.violations) outEv.push(ev('outcome', 'process_rule', 'lost', '', `Process rule broken: ${v}.`, `违反流程规则：${v}。`));
    for (const m of mustTell) {
      outEv.push(m.told ? ev('outcome', 'must_tell_told', 'earned', m.quote ?? '', `Told the customer: ${m.en.replace(/^Tell the customer: /, '')}.`, `已告知客户：${m.zh.replace(/^告知客户：/, '')}。`, m.turn) : ev('outcome', 'must_tell_missing', 'missing', '', `Never told the customer: ${m.en.replace(/^Tell the customer: /, '')}.`, `未告知客户：${m.zh.replace(/^告知客户：/, '')}。`));
    }
    if (st.status === 'accepted') outEv.push(ev('outcome', 'customer_accepted', 'earned', '', 'The customer got what they came for and ended the conversation.', '客户的诉求已办妥，结束了对话。'));
    else if (st.status === 'left') outEv.push(ev('outcome', 'customer_left', 'lost', '', 'The customer ran out of patience and left.', '客户失去耐心离开了。'));
    else if (st.status === 'transferred') outEv.push(ev('outcome', 'customer_transferred', transferGoal ? 'earned' : 'lost', '', 'The customer was transferred to a human agent.', '客户被转接给人工客服。'));
    else outEv.push(ev('outcome', 'customer_unresolved', 'missing', '', 'The conversation ended before the customer got everything they asked for.', '客户的诉求尚未全部办妥对话就结束了。'));
    dimensions.outcome = { score: outcomeScore, verdict: verdictOf(outcomeScore), name: { en: 'Outcome', zh: '处理结果' }, evidence: outEv };
    dimensions.efficiency = efficiencyDimension(eff, `${turns} reply turn(s) (a strong agent needs about ${ideal}), ${seconds} s.`, `共 ${turns} 轮回复（优秀客服约需 ${ideal} 轮），用时 ${seconds} 秒。`);

    // --- total ------------------------------------------------------------------------------
    const score = drillTotal(rubric, outcomeScore, eff, !writesOk || st.status === 'left');
    const failReasons: string[] = [];
    for (const c of rubric.critical) failReasons.push(`critical:${c}`);
    if (!check.dbMatches) failReasons.push('outcome');
    if (check.violations.length) failReasons.push('process_rule');
    if (told < 1) failReasons.push('must_tell');
    if (st.status === 'left') failReasons.push('customer_left');
    if (score < PASS_MARK) failReasons.push('below_pass_mark');

    const tau2: Tau2OutcomeCheck = {
      taskId: task.id,
      dbMatches: check.dbMatches,
      reason: check.reason ?? null,
      differences: check.differences,
      violations: check.violations,
      failedCalls: check.failedCalls,
      expectedHash: check.expectedHash,
      actualHash: check.actualHash,
      goldWrites: this.customer.goldWrites.map((g) => ({ name: g.action.name, arguments: g.action.arguments, done: done.has(g.index) })),
      communicateInfo: communicate,
      goldActions: task.goldActions,
    };
    const { variant, seed, hintsShown: hints, transcript } = this;
    const efficiency = { turns, seconds, score: eff };
    const report = drillReport({ scenarioId: `tau2:${task.id}`, variant, seed, score, passMark: PASS_MARK, failReasons, outcome, rubric, efficiency, dimensions, strongReply: strongReply(task), hints, transcript });
    return { ...report, tau2 };
  }
}

/** Arguments as the transcript shows them: strings, numbers, booleans and lists of strings; anything else as JSON text. */
function displayArgs(args: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(args)) {
    const plain = typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || (Array.isArray(v) && v.every((x) => typeof x === 'string'));
    out[k] = plain ? v : JSON.stringify(v) ?? String(v);
  }
  return out;
}

/** What a strong agent would have done: the gold actions, with a yes before each write. */
function strongReply(task: Tau2Task): NonNullable<DrillResult['strongReply']> {
  const steps = task.goldActions.map((a) => `${a.name}(${Object.values(a.arguments).map((v) => (Array.isArray(v) ? `[${v.join(', ')}]` : String(v))).join(', ')})`);
  const tell = task.communicateInfo.length ? ` Tell the customer: ${task.communicateInfo.join('; ')}.` : '';
  const tellZh = task.communicateInfo.length ? ` 告知客户：${task.communicateInfo.join('；')}。` : '';
  return {
    text: `Identify the customer (email, or name + zip), look up what they mean, then for each change state it exactly and wait for an explicit "yes". Gold actions: ${steps.join(' → ') || 'none (nothing should change)'}.${tell}`,
    gloss_zh: `先验证客户身份（邮箱，或姓名 + 邮编），查清客户所指的订单和商品；每次修改前准确说明变更并等待客户明确回答“yes”。标准操作：${steps.join(' → ') || '无（不应做任何修改）'}。${tellZh}`,
    source: 'composed',
  };
}
