/**
 * First-reply acceptance: plays each scenario's `model_reply` as the trainee's first turn,
 * with the write actions of an expected end state as tool calls, and reads what the simulated
 * customer did. A strong reply should be taken at once unless the scenario is built so that
 * no first reply can be (the customer switches its request first, or needs something only a
 * later turn can give). Measures the act recognition of the drill engine against the library's
 * own strong replies (`drill accept`, tests, bench).
 */
import { DrillEngine } from './drill.ts';
import type { ToolCall } from './sandbox.ts';
import type { Scenario } from './scenario.ts';

export interface FirstReplyResult {
  id: string;
  language: string;
  /** accepted: the customer took an offer; not_applicable: no model reply, or a first reply cannot be accepted. */
  status: 'accepted' | 'not_accepted' | 'not_applicable';
  /** Why it was not accepted / not applicable (the customer's reactions, or the scenario's design). */
  reason?: string;
  /** Acts recognised in the model reply. */
  acts: string[];
  reactions: string[];
  /** The end-state alternative whose actions were played as tools ('' when none). */
  tools: string;
}

/** Tool calls that perform an end-state alternative. */
function callsOf(s: Scenario, alt: number): ToolCall[] {
  const a = s.expected_end_state[alt];
  if (!a) return [];
  return a.actions.map((x) => ({ name: x.action, arguments: { order: s.facts.order.number, ...x.args } }));
}

/** Why no first reply can be accepted in this scenario, or null. */
export function firstReplyBlocker(s: Scenario): string | null {
  if (!s.model_reply) return 'no model_reply';
  // The customer switches its request after the first turn and the model reply answers the
  // new request: a first reply cannot be accepted on it.
  if (s.midway_switch && s.midway_switch.after_turn <= 1) return 'midway_switch after turn 1 (the model reply answers the switched request)';
  return null;
}

/** Plays one scenario's model reply as a first turn, once per end-state alternative (tools), and once without tools. */
export function playFirstReply(s: Scenario, seed = 1): FirstReplyResult {
  const blocker = firstReplyBlocker(s);
  const start = new Date('2026-01-01T00:00:00Z');
  const tries: { label: string; tools: ToolCall[] }[] = [
    ...s.expected_end_state.map((a, i) => ({ label: a.label ?? `alternative ${i + 1}`, tools: callsOf(s, i) })),
    { label: '', tools: [] },
  ];
  let last: FirstReplyResult | null = null;
  for (const t of tries) {
    if (!s.model_reply) break;
    const e = new DrillEngine({ scenario: s, seed, hints: false, startedAt: start });
    const out = e.turn({ text: s.model_reply.text, tools: t.tools }, start);
    const reactions = out.customer?.reactions ?? [];
    const accepted = reactions.find((r) => r.startsWith('accepted:'));
    const refused = out.tools.filter((r) => !r.ok).map((r) => `${r.name} refused: ${r.error?.message ?? ''}`);
    last = {
      id: s.id,
      language: s.language,
      status: accepted ? 'accepted' : 'not_accepted',
      ...(accepted ? {} : { reason: [...reactions.filter((r) => r !== 'opening'), ...refused].join(', ') || 'no reaction' }),
      acts: out.acts,
      reactions,
      tools: t.label,
    };
    if (accepted) return last;
  }
  if (blocker) {
    // The model reply answers the switched request: play it after the switch instead, so that
    // its recognition is still measured (reported in the reason, not counted as a first reply).
    let after = '';
    if (s.model_reply && s.midway_switch) {
      for (const t of tries) {
        const e = new DrillEngine({ scenario: s, seed, hints: false, startedAt: start });
        for (let i = 0; i < s.midway_switch.after_turn && !e.ended; i++) e.turn({ text: '…' }, start);
        if (e.ended) break;
        const out = e.turn({ text: s.model_reply.text, tools: t.tools }, start);
        const reactions = out.customer?.reactions ?? [];
        after = reactions.find((r) => r.startsWith('accepted:')) ? `accepted after the switch (${t.label || 'no tools'})` : `after the switch: ${reactions.join(', ')}`;
        if (after.startsWith('accepted')) break;
      }
    }
    return { id: s.id, language: s.language, status: 'not_applicable', reason: after ? `${blocker}; ${after}` : blocker, acts: last?.acts ?? [], reactions: last?.reactions ?? [], tools: '' };
  }
  return last!;
}

export interface FirstReplySummary {
  total: number;
  applicable: number;
  accepted: number;
  results: FirstReplyResult[];
}

export function measureFirstReplies(scenarios: Iterable<Scenario>, seed = 1): FirstReplySummary {
  const results = [...scenarios].map((s) => playFirstReply(s, seed));
  return {
    total: results.length,
    applicable: results.filter((r) => r.status !== 'not_applicable').length,
    accepted: results.filter((r) => r.status === 'accepted').length,
    results,
  };
}
