/**
 * Additive scenario fields: a list of openings, must_tell by `transfer`, shipment status
 * `at_pickup_point`, facts.payments (double charge), facts.refunds (issued before), facts.dispute
 * (open chargeback), and change_address compared after normalising the address.
 */
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { describe, expect, it } from 'vitest';
import { DrillEngine } from './drill.ts';
import { checkEndState, scoreDrill } from './report.ts';
import { Sandbox } from './sandbox.ts';
import { scenariosDir, scenarioLibrary, validateScenario, type Scenario } from './scenario.ts';

const start = new Date('2026-03-02T09:00:00Z');
type Raw = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const raw = (id: string): Raw => YAML.parse(fs.readFileSync(path.join(scenariosDir, `${id}.yaml`), 'utf8')) as Raw;
const valid = (r: Raw, id: string): Scenario => {
  const { scenario, issues } = validateScenario(r, `${id}.yaml`);
  expect(issues).toEqual([]);
  return scenario!;
};

describe('scenario schema extensions (backward compatible)', () => {
  it('opening may be a list; the engine picks one per seed, deterministically', () => {
    const r = raw('us-late-order-status');
    const s = valid(r, 'us-late-order-status');
    expect(s.opening.length).toBe(2);
    const texts = new Set<string>();
    for (let seed = 1; seed <= 12; seed++) texts.add(new DrillEngine({ scenario: s, seed, startedAt: start }).transcript[0].text);
    expect(texts.size).toBe(2);
    const a = new DrillEngine({ scenario: s, seed: 5, startedAt: start }).transcript[0].text;
    expect(new DrillEngine({ scenario: s, seed: 5, startedAt: start }).transcript[0].text).toBe(a);
    // a single object still works
    expect(valid(raw('de-damaged-lamp-gift'), 'de-damaged-lamp-gift').opening.length).toBe(1);
  });

  it('must_tell may be told by a transfer; shipment status at_pickup_point', () => {
    const r = raw('us-address-forwarder-takeover');
    r.must_tell = [{ id: 'handover', en: 'handed to account security', zh: '转交账户安全团队', acts: ['transfer'] }];
    const s = valid(r, 'us-address-forwarder-takeover');
    const e = new DrillEngine({ scenario: s, seed: 1, startedAt: start });
    e.turn({ text: 'I have passed your case to our account security team; a colleague will contact you within the hour.' }, start);
    expect(scoreDrill(e).outcome.mustTell[0].told).toBe(true);
    const bad = raw('se-lost-parcel-service-point');
    bad.facts.shipment.status = 'at_the_shop';
    expect(validateScenario(bad, 'se-lost-parcel-service-point.yaml').issues.map((i) => i.field)).toContain('facts.shipment.status');
    expect(scenarioLibrary().get('se-lost-parcel-service-point')!.facts.shipment!.status).toBe('at_pickup_point');
  });

  it('facts.payments: a double charge is paid twice; the duplicate can be refunded, not more', () => {
    const s = scenarioLibrary().get('br-payment-duplicate-charge')!;
    expect(s.facts.payments?.length).toBe(2);
    const box = new Sandbox(s, start);
    expect(box.state.order.paid).toBeCloseTo(499.8);
    expect(box.call({ name: 'refund', arguments: { order: '#BR-6810', amount: 249.9 } }).ok).toBe(true);
    const again = box.call({ name: 'refund', arguments: { order: '#BR-6810', amount: 300 } });
    expect(again.ok).toBe(false);
    expect(again.error?.message).toMatch(/more than/);
    const r = raw('br-payment-duplicate-charge');
    r.facts.payments[0].method = 'cheque';
    expect(validateScenario(r, 'br-payment-duplicate-charge.yaml').issues.map((i) => i.field)).toContain('facts.payments[0].method');
  });

  it('facts.refunds issued before count against what can still be refunded', () => {
    const s = scenarioLibrary().get('us-refund-where-is-it')!;
    const box = new Sandbox(s, start);
    expect(box.state.order.refunded).toBeCloseTo(47.99);
    expect(box.state.refunds[0]).toMatchObject({ amount: 47.99, earlier: true, reference: 'RF-88213' });
    const r = box.call({ name: 'refund', arguments: { order: '#4520' } });
    expect(r.ok).toBe(false);
    expect(box.writes()).toEqual([]);
    const over = raw('us-refund-where-is-it');
    over.facts.refunds.push({ amount: 10 });
    expect(validateScenario(over, 'us-refund-where-is-it.yaml').issues.map((i) => i.field)).toContain('facts.refunds');
  });

  it('facts.dispute: a refund is refused while the chargeback is open (the money goes back through it)', () => {
    const s = scenarioLibrary().get('gb-payment-chargeback-open')!;
    expect(s.facts.dispute).toMatchObject({ kind: 'chargeback', amount: 89, reference: 'CB-55120' });
    const box = new Sandbox(s, start);
    expect(box.state.order.dispute?.status).toBe('open');
    const r = box.call({ name: 'refund', arguments: { order: '#GB-21150' } });
    expect(r.ok).toBe(false);
    expect(r.error?.message).toMatch(/chargeback is open/);
    expect(box.call({ name: 'transfer', arguments: { reason: 'payments team: accept the dispute' } }).ok).toBe(true);
  });

  it('change_address args are compared after normalising case, accents, punctuation and spaces', () => {
    const alts = [{ actions: [{ action: 'change_address' as const, args: { order: '#SA-3455', line1: 'Via Roma 12', city: 'Città di Castello', postcode: '06012' } }] }];
    const performed = (args: Record<string, string>) => [{ name: 'change_address', ok: true, args: { order: '#SA-3455', ...args } }];
    expect(checkEndState(alts, performed({ line1: 'via roma, 12', city: 'CITTA  DI CASTELLO', postcode: '06012' })).passed).toBe(true);
    expect(checkEndState(alts, performed({ line1: 'Via Roma 21', city: 'Città di Castello', postcode: '06012' })).passed).toBe(false);
    expect(checkEndState(alts, performed({ line1: 'Via Roma 12', city: 'Città di Castello', postcode: '06 012' })).passed).toBe(true);
    expect(checkEndState(alts, performed({ line1: 'Via Roma 12', city: 'Città di Castello', postcode: '06013' })).passed).toBe(false);
  });
});
