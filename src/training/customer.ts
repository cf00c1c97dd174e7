/**
 * The simulated customer: a scripted state machine over a scenario. Each trainee turn it
 * reads the recognised acts and the tool results, moves its mood and patience, reveals the
 * facts it was asked for (and only those), repeats itself when ignored, accepts or rejects
 * offers as the scenario says, and threatens then leaves when patience runs out.
 *
 * Deterministic: the same scenario, seed and turns give the same replies and state. An LLM
 * may rephrase the reply text afterwards (llm-voice.ts); it never changes the state.
 */
import { compileCustomAsks, type TurnActs } from './acts.ts';
import { mulberry32 } from '../core/random.ts';
import type { ToolResult } from './sandbox.ts';
import { paidAmount, type Escalation, type Line, type Lines, type ObjectionTrigger, type OfferKind, type Outcome, type Scenario } from './scenario.ts';

export type CustomerStatus = 'open' | 'accepted' | 'threatening' | 'left' | 'transferred';

export interface CustomerState {
  mood: number;
  patience: number;
  status: CustomerStatus;
  /** Facts given (in the opening or revealed on request). */
  given: string[];
  revealed: string[];
  acceptedKind?: OfferKind;
  /** Offers made so far (text and tools). */
  offered: OfferKind[];
  escalation?: Escalation;
  switched: boolean;
  agentTurns: number;
  empathyCount: number;
  unproductive: number;
  /** Triggers seen (for coaching hints and the report). */
  triggers: string[];
}

export interface CustomerReply {
  text: string;
  gloss_zh: string;
  /** What moved the customer this turn, stable codes (e.g. "revealed:order_number", "rejected:partial_refund"). */
  reactions: string[];
  state: CustomerState;
}


const clamp = (n: number) => Math.round(Math.max(0, Math.min(1, n)) * 1000) / 1000;

/** Offers that inform rather than resolve: welcome, never "rejected" when not listed. */
const INFORMATIONAL: ReadonlySet<OfferKind> = new Set(['investigate', 'tracking_update', 'explain_policy']);

/** Kinds that only count against the agent when nothing acceptable comes with them. */
const SOFT: ReadonlySet<OfferKind> = new Set(['investigate', 'tracking_update', 'explain_policy', 'wait', 'transfer']);

/** Kinds that are a condition put on the customer, not an option it can leave aside. */
const CONDITIONS: ReadonlySet<OfferKind> = new Set(['customer_pays', 'return_first', 'refusal', 'wait']);

/** Which offer kinds a successful tool call makes. */
export function offersOfTool(r: ToolResult, paid: number): OfferKind[] {
  if (!r.ok) return [];
  switch (r.name) {
    case 'refund':
      return [typeof r.args.amount === 'number' && r.args.amount < paid - 0.01 ? 'partial_refund' : r.args.method === 'store_credit' ? 'voucher' : 'refund'];
    case 'reship':
      return ['reship'];
    case 'create_return':
      return r.args.paid_by === 'customer' ? ['return_label', 'customer_pays'] : ['return_label'];
    case 'exchange':
      return ['exchange'];
    case 'cancel':
      return ['cancel', 'refund'];
    case 'change_address':
      return ['address_change'];
    case 'open_claim':
      return ['investigate'];
    case 'transfer':
      return ['transfer'];
    default:
      return [];
  }
}

export class SimulatedCustomer {
  readonly state: CustomerState;
  private readonly random: () => number;
  readonly customAsks: Record<string, RegExp[]>;

  constructor(
    readonly scenario: Scenario,
    seed: number,
  ) {
    this.random = mulberry32(seed); // deterministic line choice
    this.customAsks = compileCustomAsks(scenario.knows_and_reveals_when_asked);
    const given = Object.entries(scenario.knows_and_reveals_when_asked)
      .filter(([, f]) => f.in_opening)
      .map(([k]) => k);
    this.state = {
      mood: scenario.persona.mood,
      patience: scenario.persona.patience,
      status: 'open',
      given,
      revealed: [],
      offered: [],
      switched: false,
      agentTurns: 0,
      empathyCount: 0,
      unproductive: 0,
      triggers: [],
    };
  }

  private pick(lines: Lines | undefined): Line | undefined {
    if (!lines?.length) return undefined;
    return lines.length === 1 ? lines[0] : lines[Math.floor(this.random() * lines.length)];
  }

  private objection(t: ObjectionTrigger): Line | undefined {
    return this.pick(this.scenario.objections[t]);
  }

  get accepts(): Outcome[] {
    return this.state.switched && this.scenario.midway_switch ? this.scenario.midway_switch.accepts : this.scenario.outcomes.accepts;
  }
  get rejects(): Outcome[] {
    return this.state.switched && this.scenario.midway_switch ? this.scenario.midway_switch.rejects : this.scenario.outcomes.rejects;
  }

  /** The first message (one of the scenario's openings, picked with the seed). */
  opening(): Line {
    return this.pick(this.scenario.opening) ?? { text: '', gloss_zh: '' };
  }

  /** One trainee turn: its recognised acts and tool results → the customer's reply. */
  respond(acts: TurnActs, tools: ToolResult[]): CustomerReply {
    const s = this.state;
    const sc = this.scenario;
    const parts: Line[] = [];
    const reactions: string[] = [];
    const say = (l: Line | undefined) => {
      if (l && !parts.some((p) => p.text === l.text)) parts.push(l);
    };
    const trigger = (t: string) => {
      reactions.push(t);
      if (!s.triggers.includes(t)) s.triggers.push(t);
    };
    s.agentTurns++;

    if (s.status === 'left' || s.status === 'transferred') {
      return { text: '', gloss_zh: '', reactions: ['gone'], state: { ...s } };
    }

    let productive = false;
    const wasUpset = s.mood >= 0.6;

    // --- harm first: it colours everything else --------------------------------------------
    if (acts.sensitive) {
      s.mood = clamp(s.mood + 0.25);
      trigger('sensitive_data');
      say(this.objection('sensitive_data') ?? this.pick(sc.lines.reject));
    }
    if (acts.blame || acts.rude) {
      s.mood = clamp(s.mood + 0.2);
      trigger('blame');
      say(this.objection('blame') ?? this.pick(sc.lines.reject));
    }

    // --- empathy --------------------------------------------------------------------------
    if (acts.empathy || acts.apology) {
      const relief = s.empathyCount === 0 ? 0.12 : s.empathyCount === 1 ? 0.05 : 0;
      s.mood = clamp(s.mood - relief);
      s.empathyCount++;
      if (s.agentTurns === 1 && wasUpset) productive = true;
    }

    // --- asks -----------------------------------------------------------------------------
    for (const key of acts.asks) {
      if (s.given.includes(key)) {
        s.mood = clamp(s.mood + 0.1);
        trigger('asked_again');
        say(this.objection('asked_again') ?? this.pick(sc.lines.repeat));
        continue;
      }
      const fact = sc.knows_and_reveals_when_asked[key];
      if (fact) {
        s.given.push(key);
        s.revealed.push(key);
        reactions.push(`revealed:${key}`);
        say(this.pick(fact.line));
        productive = true;
      } else if (sc.lines.unknown) {
        reactions.push(`unknown:${key}`);
        say(this.pick(sc.lines.unknown));
      }
    }

    // --- offers ---------------------------------------------------------------------------
    const offers = new Set<OfferKind>(acts.offers);
    const refundable = paidAmount(sc.facts) - (sc.facts.refunds ?? []).reduce((sum, r) => sum + r.amount, 0);
    for (const t of tools) for (const k of offersOfTool(t, refundable)) offers.add(k);
    const offeredBefore = new Set(s.offered);
    for (const k of offers) if (!s.offered.includes(k)) s.offered.push(k);
    const transferred = tools.some((t) => t.ok && t.name === 'transfer');

    if (s.status !== 'accepted' && offers.size) {
      const accepted = this.accepts.filter((a) => offers.has(a.kind));
      const missing = (a: Outcome) => (a.requires ?? []).filter((m) => !acts.modifiers.includes(m));
      const complete = accepted.some((a) => missing(a).length === 0);
      // "We refund you and lodge the claim ourselves": a soft kind (information, waiting) the
      // customer dislikes on its own does not spoil a resolution it accepts in the same turn.
      // "We can't refund a change of mind after 14 days, but …" with a complete offer it takes
      // is no plain no; and when the agent offers options ("an exchange, or a refund if you
      // prefer") the customer picks the one it wants instead of rejecting the other.
      const spoils = (r: Outcome) => {
        if (!accepted.length) return true;
        if (SOFT.has(r.kind)) return false;
        if (complete && r.kind === 'refusal') return false;
        if (complete && acts.alternatives && !CONDITIONS.has(r.kind)) return false;
        return true;
      };
      const rejected = this.rejects.filter((r) => offers.has(r.kind) && spoils(r));
      if (rejected.length) {
        for (const r of rejected) {
          s.mood = clamp(s.mood + (r.mood ?? 0.15));
          trigger(`rejected:${r.kind}`);
          say(this.pick(r.reply) ?? this.objection(r.kind) ?? this.pick(sc.lines.reject));
        }
      } else if (accepted.length) {
        // Nobody accepts from an agent who just asked for their CVV or blamed them.
        const ok = acts.sensitive || acts.blame || acts.rude ? undefined : accepted.find((a) => missing(a).length === 0);
        if (ok) {
          s.status = 'accepted';
          s.acceptedKind = ok.kind;
          s.mood = clamp(s.mood + (ok.mood ?? -0.3));
          reactions.push(`accepted:${ok.kind}`);
          say(this.pick(ok.reply) ?? this.pick(sc.lines.accept));
          productive = true;
        } else {
          // The right offer, but not concrete enough: progress, and a push for details.
          s.mood = clamp(s.mood + 0.03);
          trigger('vague');
          reactions.push(`needs:${missing(accepted[0]).join('+')}`);
          say(this.objection('vague') ?? this.pick(sc.lines.repeat));
          productive = true;
        }
      } else {
        const resolving = [...offers].filter((k) => !INFORMATIONAL.has(k));
        if (resolving.length) {
          for (const k of resolving) {
            trigger(`not_wanted:${k}`);
            say(this.objection(k) ?? this.pick(sc.lines.reject));
          }
        } else {
          // Information (tracking, investigation, the rule): progress the first time, or with a
          // date or tracking; "we are checking" again and again is stalling.
          const concrete = acts.modifiers.includes('time') || acts.modifiers.includes('tracking');
          const fresh = [...offers].some((k) => !offeredBefore.has(k));
          if (concrete || fresh) productive = true;
          if (!concrete) {
            s.mood = clamp(s.mood + 0.03);
            trigger('vague');
            say(this.objection('vague') ?? this.pick(sc.lines.repeat));
          } else s.mood = clamp(s.mood - 0.05);
        }
      }
    } else if (s.status === 'accepted') {
      productive = true;
      if (acts.closing || acts.thanks) {
        reactions.push('thanks');
        say(this.pick(sc.lines.thanks));
      }
    }

    if (transferred) {
      s.status = 'transferred';
      reactions.push('transferred');
    }

    // --- no acknowledgement of an upset customer -----------------------------------------
    if (wasUpset && s.status !== 'accepted' && !acts.empathy && !acts.apology && s.empathyCount === 0 && (offers.size || acts.asks.length)) {
      s.mood = clamp(s.mood + 0.05);
      trigger('no_empathy');
      const l = this.objection('no_empathy');
      if (l) parts.unshift(l);
    }

    // --- nothing of substance ---------------------------------------------------------------
    const waiting = s.status === 'open' || s.status === 'threatening';
    if (!parts.length && !productive && waiting) {
      const polite = acts.greeting || acts.apology || acts.empathy || acts.thanks;
      trigger('ignored');
      say(polite ? (this.pick(sc.lines.waiting) ?? this.pick(sc.lines.repeat)) : (this.objection('ignored') ?? this.pick(sc.lines.repeat)));
    } else if (!parts.length && waiting) {
      say(this.pick(sc.lines.waiting) ?? this.pick(sc.lines.repeat));
    }

    // --- patience -------------------------------------------------------------------------
    if (!productive && s.status !== 'accepted' && s.status !== 'transferred') {
      s.unproductive++;
      s.patience = Math.max(0, s.patience - 1);
      if (s.status === 'threatening') {
        s.status = 'left';
        reactions.push(`left:${s.escalation ?? sc.persona.escalates_to[0]}`);
        const leave = this.pick(sc.lines.leave)!;
        return this.reply([leave], reactions);
      }
    }
    if (s.status === 'open' && (s.patience === 0 || s.mood >= 1)) {
      s.status = 'threatening';
      s.escalation = sc.persona.escalates_to[0];
      s.mood = clamp(Math.max(s.mood, 0.85));
      reactions.push(`threatened:${s.escalation}`);
      say(this.pick(sc.lines.escalate));
    }

    // --- the customer changes its request -------------------------------------------------
    const sw = sc.midway_switch;
    if (sw && !s.switched && (s.status === 'open' || s.status === 'threatening') && s.agentTurns >= sw.after_turn) {
      s.switched = true;
      reactions.push('switched');
      say(this.pick(sw.line));
    }
    return this.reply(parts, reactions);
  }

  private reply(parts: Line[], reactions: string[]): CustomerReply {
    return {
      text: parts.map((p) => p.text).join(' '),
      gloss_zh: parts.map((p) => p.gloss_zh).join(' '),
      reactions,
      state: { ...this.state, given: [...this.state.given], revealed: [...this.state.revealed], offered: [...this.state.offered], triggers: [...this.state.triggers] },
    };
  }
}
