/**
 * A drill in progress: the scenario (with its variant applied), the sandbox, the simulated
 * customer and the transcript. Pure and in memory; src/training/store.ts persists the turns
 * and rebuilds an engine on any node by replaying them (the engine is deterministic).
 */
import { AppError } from '../core/errors.ts';
import { getMarket, cultureHint } from '../markets/index.ts';
import { recogniseActs, type TurnActs } from './acts.ts';
import { SimulatedCustomer, type CustomerState } from './customer.ts';
import { Sandbox, type ToolCall, type ToolResult } from './sandbox.ts';
import { applyVariant, type Scenario } from './scenario.ts';

export interface Hint {
  code: string;
  en: string;
  zh: string;
}

export interface TranscriptEntry {
  role: 'customer' | 'agent';
  text: string;
  /** Chinese gloss of a customer line. */
  gloss_zh?: string;
  at: string;
  /** Agent turns: recognised act codes, tool calls and results. */
  acts?: string[];
  tools?: ToolResult[];
  /** Customer turns: what moved it (revealed:…, rejected:…, accepted:…). */
  reactions?: string[];
}

export interface TurnInput {
  text?: string;
  tools?: ToolCall[];
}

export interface TurnOutcome {
  turn: number;
  acts: string[];
  evidence: Record<string, string>;
  tools: ToolResult[];
  customer: { text: string; gloss_zh: string; reactions: string[] } | null;
  hints: Hint[];
  state: PublicState;
  ended: boolean;
}

export interface PublicState {
  mood: number;
  patience: number;
  status: CustomerState['status'];
  agentTurns: number;
}

export interface DrillConfig {
  scenario: Scenario;
  variant?: string;
  seed?: number;
  hints?: boolean;
  startedAt: Date;
}

/** The customer-facing state shown after each turn (both kinds of drill). */
export function publicStateOf(s: PublicState): PublicState {
  return { mood: s.mood, patience: s.patience, status: s.status, agentTurns: s.agentTurns };
}

/** Adds hints to `out`: at most three a turn, one of each code. */
export function hintAdder(out: Hint[]): (h: Hint) => void {
  return (h) => {
    if (out.length < 3 && !out.some((x) => x.code === h.code)) out.push(h);
  };
}

/** The hint for a tool call the sandbox refused. */
export function toolRefusedHint(name: string, message = ''): Hint {
  return { code: 'tool_refused', en: `The ${name} tool refused: ${message}`, zh: `工具 ${name} 被拒绝：${message}` };
}

/**
 * What every drill engine (scenario drills here, tau2 tasks in tau2/drill.ts) shares: the
 * drill's clock (start, last turn, end) and the checks at the start of a turn.
 */
export abstract class DrillClock {
  readonly startedAt: Date;
  private endedAt: Date | null = null;
  private lastAt: Date;

  constructor(startedAt: Date) {
    this.startedAt = startedAt;
    this.lastAt = startedAt;
  }

  get ended(): boolean {
    return this.endedAt !== null;
  }
  get endTime(): Date {
    return this.endedAt ?? this.lastAt;
  }

  end(at: Date): void {
    if (!this.endedAt) this.endedAt = at;
  }

  /** Checks a turn (the drill still open; text or tool calls, within limits) and moves the clock to it; the text trimmed. */
  protected beginTurn<C>(input: { text?: string; tools?: C[] }, at: Date): { text: string; calls: C[] } {
    if (this.ended) throw new AppError('conflict', 'This drill has ended', { reason: 'drill_ended' });
    const text = (input.text ?? '').trim();
    const calls = input.tools ?? [];
    if (!text && !calls.length) throw new AppError('validation_failed', 'A turn needs text or at least one tool call', { field: 'text' });
    if (text.length > 8000) throw new AppError('validation_failed', 'text is longer than 8000 characters', { field: 'text' });
    if (calls.length > 10) throw new AppError('validation_failed', 'at most 10 tool calls per turn', { field: 'tools' });
    this.lastAt = at;
    return { text, calls };
  }
}

export class DrillEngine extends DrillClock {
  readonly scenario: Scenario;
  readonly base: Scenario;
  readonly variant: string;
  readonly seed: number;
  readonly hintsOn: boolean;
  readonly sandbox: Sandbox;
  readonly customer: SimulatedCustomer;
  readonly transcript: TranscriptEntry[] = [];
  /** Acts of each agent turn, in order (for the outcome check). */
  readonly agentActs: TurnActs[] = [];
  readonly hintsShown: Hint[] = [];

  constructor(cfg: DrillConfig) {
    super(cfg.startedAt);
    this.base = cfg.scenario;
    this.variant = cfg.variant ?? 'base';
    this.scenario = applyVariant(cfg.scenario, this.variant);
    this.seed = cfg.seed ?? 1;
    this.hintsOn = cfg.hints ?? true;
    this.sandbox = new Sandbox(this.scenario, cfg.startedAt);
    this.customer = new SimulatedCustomer(this.scenario, this.seed);
    const o = this.customer.opening();
    this.transcript.push({ role: 'customer', text: o.text, gloss_zh: o.gloss_zh, at: cfg.startedAt.toISOString(), reactions: ['opening'] });
  }

  publicState(): PublicState {
    return publicStateOf(this.customer.state);
  }

  /** Hints before the first turn (shown with the opening). */
  startHints(): Hint[] {
    if (!this.hintsOn) return [];
    const out: Hint[] = [];
    const sc = this.scenario;
    for (const c of sc.coaching ?? []) if (c.when === 'start') out.push({ code: 'scenario', en: c.en, zh: c.zh });
    if (sc.persona.mood >= 0.6 && !out.length) out.push(HINTS.angry);
    const rule = sc.market_rules_in_play[0];
    if (rule) out.push({ code: 'market_rule', en: `${sc.market}: ${rule.en}`, zh: `${sc.market}：${rule.zh}` });
    try {
      const m = getMarket(sc.market);
      const c = cultureHint(m, 'en');
      const z = cultureHint(m, 'zh');
      out.push({ code: 'culture', en: `${m.name.en}: address "${c.address}". ${c.formality}`, zh: `${m.name.zh}：称呼「${z.address}」。${z.formality}` });
    } catch {
      // a market without culture notes: no hint
    }
    return out;
  }

  turn(input: TurnInput, at: Date): TurnOutcome {
    const { text, calls } = this.beginTurn(input, at);
    const results = calls.map((c) => this.sandbox.call(c));
    const acts = recogniseActs(text, { language: this.scenario.language, customAsks: this.customer.customAsks });
    this.agentActs.push(acts);
    this.transcript.push({ role: 'agent', text, at: at.toISOString(), acts: acts.codes, tools: results });
    // A tool-only turn (the agent is working, has not written yet): the customer waits.
    let customer: TurnOutcome['customer'] = null;
    if (text || results.some((r) => r.ok && r.name === 'transfer')) {
      const reply = this.customer.respond(acts, results);
      if (reply.text) {
        customer = { text: reply.text, gloss_zh: reply.gloss_zh, reactions: reply.reactions };
        this.transcript.push({ role: 'customer', text: reply.text, gloss_zh: reply.gloss_zh, at: at.toISOString(), reactions: reply.reactions });
      } else customer = { text: '', gloss_zh: '', reactions: reply.reactions };
    }
    const st = this.customer.state;
    if (st.status === 'left' || st.status === 'transferred') this.end(at);
    const hints = this.hintsOn ? this.hintsAfter(acts, results, customer?.reactions ?? []) : [];
    this.hintsShown.push(...hints);
    return {
      turn: this.agentActs.length,
      acts: acts.codes,
      evidence: acts.evidence,
      tools: results,
      customer,
      hints,
      state: this.publicState(),
      ended: this.ended,
    };
  }

  private hintsAfter(acts: TurnActs, tools: ToolResult[], reactions: string[]): Hint[] {
    const out: Hint[] = [];
    const st = this.customer.state;
    const add = hintAdder(out);
    if (acts.sensitive) add(HINTS.sensitive);
    if (acts.blame || acts.rude) add(HINTS.blame);
    for (const r of reactions) {
      if (r === 'asked_again') add(HINTS.asked_again);
      if (r === 'vague' || r.startsWith('needs:')) add(HINTS.vague);
      if (r === 'no_empathy') add(HINTS.angry);
      if (r.startsWith('rejected:')) {
        const kind = r.slice('rejected:'.length);
        add({ code: 'rejected', en: `The customer does not accept "${kind}". Goal: ${this.currentGoal().en}`, zh: `客户不接受「${kind}」。客户目标：${this.currentGoal().zh}` });
        if (kind === 'customer_pays') {
          const rule = this.scenario.market_rules_in_play.find((m) => m.rule === 'return_shipping') ?? this.scenario.market_rules_in_play[0];
          if (rule) add({ code: 'market_rule', en: rule.en, zh: rule.zh });
        }
      }
      if (r.startsWith('threatened:')) add(HINTS.threat);
      if (r === 'switched') add(HINTS.switched);
    }
    for (const t of tools) if (!t.ok) add(toolRefusedHint(t.name, t.error?.message));
    if (st.status === 'open' && st.mood >= 0.6 && !acts.empathy && !acts.apology && st.empathyCount === 0) add(HINTS.angry);
    if (st.status === 'open' && st.patience === 1) add(HINTS.patience);
    if (st.status === 'accepted' && !this.sandbox.writes().length && this.expectedNeedsWrite()) add(HINTS.do_it);
    if (st.status === 'accepted' && !acts.closing && reactions.some((r) => r.startsWith('accepted:'))) add(HINTS.close);
    for (const c of this.scenario.coaching ?? []) if (c.when === 'after_turn' && c.turn === st.agentTurns) add({ code: 'scenario', en: c.en, zh: c.zh });
    for (const c of this.scenario.coaching ?? []) if (c.when === 'angry' && st.mood >= 0.6) add({ code: 'scenario', en: c.en, zh: c.zh });
    return out;
  }

  currentGoal(): { en: string; zh: string } {
    return this.customer.state.switched && this.scenario.midway_switch ? this.scenario.midway_switch.goal : this.scenario.goal;
  }

  expectedNeedsWrite(): boolean {
    const alts = this.expectedEndState();
    return alts.every((a) => a.actions.length > 0);
  }

  expectedEndState() {
    return this.customer.state.switched && this.scenario.midway_switch?.expected_end_state ? this.scenario.midway_switch.expected_end_state : this.scenario.expected_end_state;
  }
}

const HINTS = {
  angry: { code: 'angry', en: 'The customer is upset: acknowledge the problem and apologise before solving it.', zh: '客户情绪激动：先表示理解并致歉，再解决问题。' },
  sensitive: { code: 'sensitive_data', en: 'Never ask for a full card number, CVV, password or one-time code.', zh: '绝不要索要完整卡号、CVV、密码或验证码。' },
  blame: { code: 'blame', en: 'Do not blame the customer; describe what you will do instead.', zh: '不要指责客户，说明你会怎么做。' },
  asked_again: { code: 'asked_again', en: 'The customer already gave this: read the conversation before asking.', zh: '客户已经提供过这个信息：提问前先看清对话。' },
  vague: { code: 'vague', en: 'Be concrete: give a date, an amount or a tracking number.', zh: '要具体：给出日期、金额或运单号。' },
  threat: { code: 'threat', en: 'The customer threatens to escalate: make a concrete offer now; never ask them to drop a dispute.', zh: '客户威胁升级：马上给出具体方案；不要要求客户撤销争议。' },
  patience: { code: 'patience', en: 'The customer is running out of patience: one more unproductive reply and they escalate.', zh: '客户快没耐心了：再有一次无效回复就会升级投诉。' },
  switched: { code: 'switched', en: 'The customer changed the request: address the new request.', zh: '客户改变了诉求：请回应新的诉求。' },
  do_it: { code: 'do_it', en: 'The customer agreed: now perform the action in the sandbox (tools).', zh: '客户已同意：现在用工具在沙盒里执行操作。' },
  close: { code: 'close', en: 'Confirm what happens next and close politely.', zh: '确认后续步骤并礼貌结束对话。' },
} satisfies Record<string, Hint>;
