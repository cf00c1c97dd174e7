import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CATEGORIES } from '../text/corpus.ts';
import { evaluatePlaybook, lawFact, loadPlaybooks, parsePlaybook, playbooksDir, resolvePlaybook, type PlaybookTrail, type StoredTick } from './playbooks.ts';

const GOOD = `
category: damaged_item
title: {zh: 破损, en: Damaged}
steps:
  - id: apologise
    title: {zh: 致歉, en: Apologise}
    required: true
    auto: {event: agent_reply, matches: apology}
  - id: create_label
    title: {zh: 面单, en: Label}
    auto: {event: order_action, action: return}
`;

/** The error a bad file gives: its message names the file and the field. */
function errorOf(text: string, file = 'content/playbooks/damaged_item.yaml'): string {
  try {
    parsePlaybook(text, file);
  } catch (e) {
    return (e as Error).message;
  }
  return 'no error';
}

describe('playbook files', () => {
  it('every category of the vocabulary has a valid playbook with at least one step', () => {
    const all = loadPlaybooks();
    expect([...all.keys()].sort()).toEqual([...CATEGORIES].sort());
    for (const pb of all.values()) {
      expect(pb.steps.length, pb.category).toBeGreaterThan(0);
      for (const s of pb.steps) expect(s.title.zh && s.title.en, `${pb.category}.${s.id}`).toBeTruthy();
    }
    // a catch-all has no required step: nothing to enforce before its SOP is known
    expect(all.get('other')!.steps.some((s) => s.required)).toBe(false);
  });

  it('names the file and the field of each mistake', () => {
    expect(errorOf(GOOD)).toBe('no error');
    expect(errorOf(GOOD.replace('category: damaged_item', 'category: broken'))).toMatch(/damaged_item\.yaml: category must be one of .*got "broken"/);
    expect(errorOf(GOOD, 'content/playbooks/wrong_item.yaml')).toMatch(/wrong_item\.yaml: category is damaged_item but the file is named wrong_item\.yaml/);
    expect(errorOf(GOOD.replace('id: create_label', 'id: apologise'))).toMatch(/steps\[1\]\.id "apologise" is used twice/);
    expect(errorOf(GOOD.replace('action: return', 'action: retrun'))).toMatch(/steps\[1\]\.auto\.action must be one of return, exchange.*got "retrun"/);
    expect(errorOf(GOOD.replace('matches: apology', 'matches: [apology, hug]'))).toMatch(/steps\[0\]\.auto\.matches\[1\] must be one of .*"hug"/);
    expect(errorOf(GOOD.replace('event: agent_reply', 'event: telepathy'))).toMatch(/steps\[0\]\.auto\.event must be one of order_action/);
    expect(errorOf(GOOD.replace('{zh: 致歉, en: Apologise}', '{en: Apologise}'))).toMatch(/steps\[0\]\.title\.zh must be a non-empty text/);
    expect(errorOf(GOOD.replace('    required: true\n', '    required: yes please\n'))).toMatch(/steps\[0\]\.required must be true or false/);
    expect(errorOf(GOOD.replace('    required: true\n', '    mandatory: true\n'))).toMatch(/steps\[0\]\.mandatory is not a known field/);
    expect(errorOf(GOOD.replace('id: create_label', 'id: Create-Label'))).toMatch(/steps\[1\]\.id "Create-Label" must be lower-case/);
    expect(errorOf(`${GOOD}markets:\n  DE:\n    steps:\n      ask_photo: {required: true}\n`)).toMatch(/markets\.DE\.steps\.ask_photo is not a step of this playbook/);
    expect(errorOf(`${GOOD}markets:\n  Germany:\n    remove: [apologise]\n`)).toMatch(/markets\.Germany must be a market code like DE or a group/);
    expect(errorOf(`${GOOD}markets:\n  JP:\n    add:\n      - {after: nowhere, id: bow, title: {zh: 鞠躬, en: Bow}}\n`)).toMatch(/markets\.JP\.add\[0\]\.after "nowhere" is not a step/);
    expect(errorOf('category: [')).toMatch(/damaged_item\.yaml: is not valid YAML/);
    expect(errorOf('category: damaged_item\ntitle: {zh: x, en: y}\nsteps: []\n')).toMatch(/steps must be a non-empty list/);
  });

  describe('a folder missing a category fails at load', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'playbooks-'));
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
    it('names the missing categories', () => {
      fs.copyFileSync(path.join(playbooksDir, 'damaged_item.yaml'), path.join(dir, 'damaged_item.yaml'));
      expect(() => loadPlaybooks(dir)).toThrow(/has no playbook for order_status, lost_parcel, wrong_item/);
    });
  });
});

describe('resolving for a market', () => {
  it('Germany, damaged item: the label step is required and says the seller pays, with its legal source', () => {
    const de = resolvePlaybook('damaged_item', 'DE');
    const label = de.steps.find((s) => s.id === 'create_label')!;
    expect(label.required).toBe(true);
    expect(label.note?.en).toMatch(/seller pays return shipping/);
    expect(label.note?.en).toMatch(/BGB/);
    expect(lawFact(label.law!, 'DE', de.returnReason)).toMatchObject({ payer: 'seller', text: { en: expect.stringMatching(/Germany: return shipping for a damaged item: the seller pays/) }, source: expect.stringMatching(/2011\/83\/EU/) });
    // the same playbook in the US: no EU override, the step is optional
    const us = resolvePlaybook('damaged_item', 'US');
    expect(us.steps.find((s) => s.id === 'create_label')!.required).toBe(false);
    expect(us.steps.find((s) => s.id === 'create_label')!.note).toBeUndefined();
  });

  it('Japan: the apology must open the first reply; an EU group override reaches France', () => {
    const jp = resolvePlaybook('damaged_item', 'JP');
    const apologise = jp.steps.find((s) => s.id === 'apologise')!;
    expect(apologise.auto).toEqual([{ event: 'agent_reply', matches: ['apology'], firstReply: true }]);
    expect(apologise.note?.zh).toMatch(/誠に申し訳ございません/);
    const order = resolvePlaybook('order_status', 'JP').steps.map((s) => s.id);
    expect(order.indexOf('apologise')).toBe(order.indexOf('confirm_order') + 1);
    expect(resolvePlaybook('damaged_item', 'FR').steps.find((s) => s.id === 'create_label')!.noteFrom).toBe('EU');
    expect(resolvePlaybook('damaged_item', 'SA').steps.find((s) => s.id === 'confirm_timeline')!.note?.en).toMatch(/Ramadan/);
  });

  it('the US change-of-mind return follows the store policy where the law leaves it open', () => {
    const store = { returnWindowDays: 30, buyerPaysReturnForChangeOfMind: false, restockingFeePercent: 0 };
    expect(lawFact('return_shipping', 'US', 'change_of_mind', store)).toMatchObject({ payer: 'seller', text: { en: expect.stringMatching(/store policy/) } });
    expect(lawFact('return_shipping', 'US', 'change_of_mind', { ...store, buyerPaysReturnForChangeOfMind: true })?.payer).toBe('buyer');
    // …but never against the law: in Brazil the seller pays, whatever the store says
    expect(lawFact('return_shipping', 'BR', 'change_of_mind', { ...store, buyerPaysReturnForChangeOfMind: true })?.payer).toBe('seller');
    expect(lawFact('withdrawal', 'DE', undefined)?.text.en).toMatch(/within 14 days of delivery/);
    expect(lawFact('withdrawal', 'US', undefined)?.text.en).toMatch(/no statutory right/);
    expect(lawFact('return_shipping', 'ZZ', 'damaged')).toBeNull();
  });
});

describe('evaluating against the trail', () => {
  const t0 = new Date('2026-11-24T08:00:00Z');
  const at = (min: number) => new Date(t0.getTime() + min * 60_000);
  const agent = { authorType: 'agent', authorId: 'u1', authorName: 'Li Na', internal: false, language: 'de' };
  const trail = (over: Partial<PlaybookTrail> = {}): PlaybookTrail => ({
    ticketLanguage: 'de',
    orderLinked: false,
    messages: [],
    events: [],
    attachments: [],
    customer: { type: 'customer', id: 'c1', name: 'Jonas' },
    ...over,
  });
  const pb = resolvePlaybook('damaged_item', 'DE');
  const step = (json: ReturnType<typeof evaluatePlaybook>, id: string) => json.steps.find((s) => s.id === id)!;

  it('ticks from replies (apology, asking for a photo), an order action, a photo, the linked order', () => {
    const empty = evaluatePlaybook(pb, trail(), []);
    expect(empty.steps.every((s) => !s.done)).toBe(true);
    expect(empty.progress).toEqual({ done: 0, total: pb.steps.length, requiredOpen: pb.steps.filter((s) => s.required).length });

    const json = evaluatePlaybook(
      pb,
      trail({
        orderLinked: true,
        messages: [
          { ...agent, body: 'Guten Tag Herr Becker, es tut uns sehr leid, dass die Lampe beschädigt angekommen ist. Könnten Sie uns bitte ein Foto der Lampe und des Kartons schicken?', createdAt: at(5) },
          { ...agent, internal: true, body: 'Wir senden Ihnen einen Ersatz.', createdAt: at(6) },
        ],
        events: [{ type: 'order_action', field: 'return', after: { action: 'return' }, actorType: 'user', actorId: 'u1', actorName: 'Li Na', createdAt: at(20) }],
        attachments: [{ createdAt: at(12), filename: 'lampe.jpg' }],
      }),
      [],
    );
    expect(step(json, 'apologise')).toMatchObject({ done: true, how: 'auto', doneAt: at(5).toISOString(), doneBy: { id: 'u1', name: 'Li Na' } });
    expect(step(json, 'ask_photo')).toMatchObject({ done: true, how: 'auto', evidence: 'agent_reply:asks_photo' });
    expect(step(json, 'photo_received')).toMatchObject({ done: true, doneBy: { type: 'customer', id: 'c1' }, doneAt: at(12).toISOString() });
    expect(step(json, 'create_label')).toMatchObject({ done: true, evidence: 'order_action:return', doneAt: at(20).toISOString() });
    // a return is also a resolution; the internal note offering a replacement counts for nothing
    expect(step(json, 'offer_resolution')).toMatchObject({ done: true, evidence: 'order_action:return' });
    expect(step(json, 'confirm_order')).toMatchObject({ done: true, evidence: 'order_linked' });
    expect(step(json, 'confirm_timeline').done).toBe(false);
    expect(step(json, 'follow_up')).toMatchObject({ done: false, autoTicks: false });
  });

  it('a reply without the act does not tick; a hand tick stands until newer evidence', () => {
    const plain = { ...agent, body: 'Guten Tag, wir prüfen das.', createdAt: at(5) };
    expect(step(evaluatePlaybook(pb, trail({ messages: [plain] }), []), 'apologise').done).toBe(false);

    const sorry = { ...agent, body: 'Es tut uns leid.', createdAt: at(5) };
    const untick: StoredTick = { stepId: 'apologise', done: false, how: 'manual', by: null, at: at(10), skippedReason: null };
    expect(step(evaluatePlaybook(pb, trail({ messages: [sorry] }), [untick]), 'apologise').done).toBe(false);
    const later = { ...sorry, createdAt: at(15) };
    expect(step(evaluatePlaybook(pb, trail({ messages: [sorry, later] }), [untick]), 'apologise')).toMatchObject({ done: true, how: 'auto', doneAt: at(15).toISOString() });

    const tick: StoredTick = { stepId: 'follow_up', done: true, how: 'manual', by: { type: 'user', id: 'u2', name: 'Sam' }, at: at(30), skippedReason: null };
    expect(step(evaluatePlaybook(pb, trail(), [tick]), 'follow_up')).toMatchObject({ done: true, how: 'manual', doneBy: { id: 'u2' }, doneAt: at(30).toISOString() });
    const skipped: StoredTick = { stepId: 'confirm_timeline', done: false, how: 'manual', by: null, at: at(40), skippedReason: 'customer stopped answering' };
    expect(step(evaluatePlaybook(pb, trail(), [skipped]), 'confirm_timeline')).toMatchObject({ done: false, skippedReason: 'customer stopped answering' });
  });

  it('Japan: an apology only in a later reply does not tick the formal-apology-first step', () => {
    const jp = resolvePlaybook('damaged_item', 'JP');
    const first = { ...agent, language: 'ja', body: 'ご連絡ありがとうございます。確認いたします。', createdAt: at(5) };
    const second = { ...agent, language: 'ja', body: 'この度はご迷惑をおかけし、誠に申し訳ございません。', createdAt: at(30) };
    expect(step(evaluatePlaybook(jp, trail({ ticketLanguage: 'ja', messages: [first, second] }), []), 'apologise').done).toBe(false);
    expect(step(evaluatePlaybook(jp, trail({ ticketLanguage: 'ja', messages: [second] }), []), 'apologise').done).toBe(true);
  });
});
