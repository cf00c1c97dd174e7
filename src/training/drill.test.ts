import { describe, expect, it } from 'vitest';
import { DrillEngine } from './drill.ts';
import { checkEndState, scoreDrill } from './report.ts';
import { runScript } from './run.ts';
import { Sandbox } from './sandbox.ts';
import { scenarioLibrary } from './scenario.ts';
import { passKOf } from './store.ts';
import { EXCELLENT, HARMFUL, MEDIOCRE } from './fixtures/de-lamp-scripts.ts';

const lamp = () => scenarioLibrary().get('de-damaged-lamp-gift')!;
const jacket = () => scenarioLibrary().get('jp-wrong-size-exchange')!;
const start = new Date('2026-03-02T09:00:00Z');
const at = (s: number) => new Date(start.getTime() + s * 1000);

describe('drill scoring: one scenario, three trainees', () => {
  const ex = runScript(lamp(), EXCELLENT);
  const me = runScript(lamp(), MEDIOCRE);
  const ha = runScript(lamp(), HARMFUL);

  it('scores excellent > mediocre > harmful', () => {
    expect(ex.score).toBeGreaterThan(me.score + 10);
    expect(me.score).toBeGreaterThan(ha.score + 10);
    expect(ex.passed).toBe(true);
    expect(me.passed).toBe(false);
    expect(ha.passed).toBe(false);
  });

  it('carries evidence: the sentences that earned and lost points, per dimension', () => {
    const empathy = ex.dimensions.empathy.evidence.find((e) => e.effect === 'earned');
    expect(empathy?.quote).toMatch(/tut mir sehr leid/);
    expect(empathy?.turn).toBe(1);
    expect(ex.outcome.endState.matched).toBe('express reship');
    expect(ex.outcome.mustTell.every((m) => m.told)).toBe(true);
    // mediocre: no empathy for an angry customer, a partial refund turned down, nothing said about costs
    expect(me.dimensions.empathy.score).toBeLessThan(0.5);
    expect(me.transcript.some((t) => t.reactions?.includes('rejected:partial_refund'))).toBe(true);
    expect(me.outcome.mustTell.find((m) => m.id === 'free')?.told).toBe(false);
    expect(me.failReasons).toContain('must_tell');
    expect(me.evidence.some((e) => e.code === 'must_tell_missing' && /pays nothing/.test(e.en))).toBe(true);
  });

  it('a critical failure (asking for the CVV) fails the drill whatever else', () => {
    expect(ha.critical).toContain('asks_sensitive_data');
    expect(ha.failReasons).toContain('critical:asks_sensitive_data');
    const ev = ha.dimensions.sensitive_data.evidence.find((e) => e.effect === 'lost');
    expect(ev?.quote).toMatch(/CVV/);
    expect(ev?.turn).toBe(2);
    expect(ha.dimensions.tone.score).toBeLessThan(1);
    // the refund was done (end state matched) — still a fail
    expect(ha.outcome.endState.passed).toBe(true);
    expect(ha.passed).toBe(false);
  });
});

describe('the simulated customer', () => {
  it('reveals facts only when asked, and complains when asked again', () => {
    const e = new DrillEngine({ scenario: lamp(), seed: 3, startedAt: start });
    const t1 = e.turn({ text: 'Sehr geehrter Herr Weber, es tut mir leid, das ist sehr ärgerlich.' }, at(10));
    expect(t1.customer?.text).not.toMatch(/Geburtstag|#1047/);
    const t2 = e.turn({ text: 'Bis wann benötigen Sie die Lampe?' }, at(20));
    expect(t2.customer?.reactions).toContain('revealed:deadline');
    expect(t2.customer?.text).toMatch(/Geburtstagsgeschenk für Samstag/);
    expect(t2.customer?.text).not.toMatch(/#1047/);
    const t3 = e.turn({ text: 'Bis wann brauchen Sie die Lampe genau?' }, at(30));
    expect(t3.customer?.reactions).toContain('asked_again');
    expect(t3.customer?.text).toMatch(/bereits geschrieben/);
  });

  it('repeats when ignored, threatens when patience runs out, then leaves (escalates)', () => {
    const e = new DrillEngine({ scenario: lamp(), seed: 1, startedAt: start });
    const p0 = e.publicState().patience;
    const replies: string[][] = [];
    // stalling: "we are checking" is news once, then it is not
    for (let i = 0; i < p0 + 3 && !e.ended; i++) replies.push(e.turn({ text: 'Wir prüfen das.' }, at(i * 10)).customer?.reactions ?? []);
    expect(replies[0]).toContain('vague');
    expect(replies.length).toBeGreaterThanOrEqual(3);
    expect(replies.length).toBeLessThanOrEqual(p0 + 2);
    expect(replies.flat()).toContain('threatened:paypal_dispute');
    expect(replies.at(-1)).toContain('left:paypal_dispute');
    expect(e.ended).toBe(true);
    expect(e.publicState().status).toBe('left');
    expect(e.transcript.at(-1)?.text).toMatch(/PayPal-Konflikt eröffnet/);
    const r = scoreDrill(e);
    expect(r.failReasons).toContain('customer_left');
    expect(r.outcome.customer.escalation).toBe('paypal_dispute');
    expect(r.score).toBeLessThanOrEqual(60);
    expect(() => e.turn({ text: 'Hallo?' }, at(999))).toThrow(/ended/);
  });

  it('repeats its request when the reply addresses nothing', () => {
    const e = new DrillEngine({ scenario: lamp(), seed: 1, startedAt: start });
    const t = e.turn({ text: 'Okay.' }, at(1));
    expect(t.customer?.reactions).toContain('ignored');
    expect(lamp().lines.repeat.map((l) => l.text)).toContain(t.customer?.text);
    expect(t.state.patience).toBe(lamp().persona.patience - 1);
  });

  it('moves mood with empathy and blame', () => {
    const calm = new DrillEngine({ scenario: lamp(), seed: 1, startedAt: start });
    const m0 = calm.publicState().mood;
    calm.turn({ text: 'Es tut mir sehr leid, ich verstehe Ihren Ärger vollkommen.' }, at(1));
    expect(calm.publicState().mood).toBeLessThan(m0);
    const hot = new DrillEngine({ scenario: lamp(), seed: 1, startedAt: start });
    hot.turn({ text: 'Das ist Ihre eigene Schuld.' }, at(1));
    expect(hot.publicState().mood).toBeGreaterThan(m0);
  });

  it('rejects what the scenario rejects and needs what an accepted offer requires', () => {
    const e = new DrillEngine({ scenario: lamp(), seed: 1, startedAt: start });
    const vague = e.turn({ text: 'Es tut mir leid. Wir schicken Ihnen eine neue Lampe.' }, at(1));
    expect(vague.customer?.reactions).toEqual(expect.arrayContaining(['vague', 'needs:time']));
    expect(e.publicState().status).toBe('open');
    const pay = e.turn({ text: 'Wir schicken Ihnen morgen eine neue Lampe, aber die Rücksendekosten müssen Sie selbst tragen.' }, at(2));
    expect(pay.customer?.reactions).toContain('rejected:customer_pays');
    expect(e.publicState().status).toBe('open');
    const ok = e.turn({ text: 'Verzeihung. Wir schicken Ihnen morgen per Express eine neue Lampe, kostenlos.' }, at(3));
    expect(ok.customer?.reactions.some((r) => r.startsWith('accepted:'))).toBe(true);
    expect(e.publicState().status).toBe('accepted');
  });

  it('is deterministic for a seed', () => {
    const play = (seed: number) => {
      const e = new DrillEngine({ scenario: lamp(), seed, startedAt: start });
      for (const t of ['Okay.', 'Hm.', 'Ja.']) e.turn({ text: t }, at(1));
      return JSON.stringify(e.transcript.map((x) => [x.text, x.reactions]));
    };
    expect(play(7)).toBe(play(7));
    // `repeat` has two alternative lines: some seed picks the other one
    const seen = new Set([1, 2, 3, 4, 5, 6, 7, 8].map(play));
    expect(seen.size).toBeGreaterThan(1);
  });

  it('plays a language variant in its language', () => {
    const r = runScript(lamp(), { turns: [{ text: "I'm so sorry, Mr Weber. When do you need the lamp?" }] }, { variant: 'en-speaker' });
    expect(r.transcript[0].text).toMatch(/Your lamp arrived/);
    expect(r.transcript[2].text).toMatch(/birthday present for Saturday/);
  });
});

describe('sandbox tools', () => {
  it('refuse what commerce refuses and change nothing', () => {
    const sb = new Sandbox(jacket(), start);
    expect(sb.call({ name: 'refund', arguments: { order: '#3318', amount: 20000 } }).error?.message).toMatch(/more than the 12800 JPY paid/);
    expect(sb.call({ name: 'exchange', arguments: { order: '#3318', sku: 'JKT-NAVY-M', new_sku: 'JKT-NAVY-L' } }).error?.message).toMatch(/No stock of JKT-NAVY-L/);
    expect(sb.call({ name: 'cancel', arguments: { order: '#3318' } }).error?.message).toMatch(/already shipped/);
    expect(sb.call({ name: 'change_address', arguments: { order: '#3318', line1: 'x', city: 'y' } }).ok).toBe(false);
    expect(sb.call({ name: 'lookup_order', arguments: { order: '#9999' } }).error?.code).toBe('not_found');
    expect(sb.call({ name: 'fly_to_moon' }).error?.code).toBe('unknown_tool');
    expect(sb.writes()).toEqual([]);
    expect(sb.state.order.refunded).toBe(0);
    expect(sb.state.stock['JKT-GREY-L']).toBe(6);
    const ok = sb.call({ name: 'exchange', arguments: { order: '#3318', new_sku: 'JKT-GREY-L' } });
    expect(ok.ok).toBe(true);
    expect(ok.args).toEqual({ order: '#3318', sku: 'JKT-NAVY-M', new_sku: 'JKT-GREY-L', qty: 1 });
    expect(sb.state.stock['JKT-GREY-L']).toBe(5);
    // a second refund cannot exceed what is left
    expect(sb.call({ name: 'refund', arguments: { amount: 12800 } }).ok).toBe(true);
    expect(sb.call({ name: 'refund', arguments: { amount: 1 } }).ok).toBe(false);
  });

  it('fills who pays a return from the market rules', () => {
    const sb = new Sandbox(lamp(), start);
    const r = sb.call({ name: 'create_return', arguments: { order: '#1047', reason: 'damaged' } });
    expect(r.args).toMatchObject({ paid_by: 'seller', label: true, qty: 1 });
  });
});

describe('outcome check', () => {
  it('passes when one alternative matches, fails on a missing or an extra write', () => {
    const alts = lamp().expected_end_state;
    const sb = new Sandbox(lamp(), start);
    expect(checkEndState(alts, sb.writes()).passed).toBe(false);
    sb.call({ name: 'refund', arguments: { order: '#1047' } });
    const one = checkEndState(alts, sb.writes());
    expect(one.passed).toBe(true);
    expect(one.matched).toBe('full refund');
    // a reship without express does not match the express alternative, and is an extra write for the refund one
    sb.call({ name: 'reship', arguments: { order: '#1047' } });
    const two = checkEndState(alts, sb.writes());
    expect(two.passed).toBe(false);
    expect(two.alternatives[0].missing[0]).toMatch(/reship/);
    expect(two.alternatives[1].extra[0]).toMatch(/^reship/);
    // allow_extra: a return beside the reship is fine
    const sb2 = new Sandbox(lamp(), start);
    sb2.call({ name: 'reship', arguments: { express: true } });
    sb2.call({ name: 'create_return', arguments: { reason: 'damaged' } });
    expect(checkEndState(alts, sb2.writes()).matched).toBe('express reship');
  });

  it('pass^k over variants', () => {
    const runs = ['base', 'calm', 'furious'].map((variant, i) => ({ variant, passed: runScript(lamp(), EXCELLENT, { variant }).passed, score: 0, sessionId: String(i) }));
    expect(runs.every((r) => r.passed)).toBe(true);
    expect(passKOf(runs).passK).toBe(1);
    const mixed = passKOf([...runs, { variant: 'calm', passed: false, score: 10, sessionId: 'x' }]);
    expect(mixed.passK).toBe(0);
    expect(mixed.k).toBe(3);
    expect(mixed.estimate).toBeCloseTo(0.25, 3); // C(3,3)/C(4,3)
  });
});
