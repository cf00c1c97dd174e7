import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startTestServer, type TestServer } from './helpers/server.ts';
import { MemoryEventBus } from '../src/core/events.ts';
import { systemClock } from '../src/core/clock.ts';
import { uuidv7 } from '../src/core/ids.ts';
import { seedDemoCommerce, type DemoCommerce } from '../src/commerce/seed.ts';
import { ingestEmail } from '../src/channels/email/intake.ts';
import { emailSettings } from '../src/channels/email/settings.ts';
import { buildMail } from '../src/channels/email/fixtures.ts';

interface Step {
  id: string;
  title: { en: string; zh: string };
  required: boolean;
  done: boolean;
  how?: string;
  doneAt?: string;
  doneBy?: { type: string; id: string | null; name: string | null };
  note?: { en: string; zh: string };
  law?: { text: { en: string }; source: string; payer?: string };
  skippedReason?: string;
}
interface Playbook {
  category: string;
  market: string | null;
  steps: Step[];
  progress: { done: number; total: number; requiredOpen: number };
}

describe('playbooks on tickets', () => {
  let s: TestServer;
  let agent: string;
  let agentId: string;
  let trainer: string;
  let demo: DemoCommerce;
  let ticket: { id: string; number: number };

  beforeAll(async () => {
    s = await startTestServer();
    ({ token: agent, userId: agentId } = await s.tokenFor('agent', 'li.na@test.example'));
    ({ token: trainer } = await s.tokenFor('trainer'));
    const storeId = (await s.db.db.selectFrom('stores').select('id').where('is_default', '=', true).executeTakeFirstOrThrow()).id;
    demo = await seedDemoCommerce(s.db.db, storeId);
  });
  afterAll(async () => s.close());

  const get = async (id: string, token = agent) => {
    const res = await s.app.inject({ url: `/api/v1/tickets/${id}`, headers: bearer(token) });
    expect(res.statusCode, res.body).toBe(200);
    return res.json<{ status: string; playbook: Playbook; events: Array<{ type: string; field: string | null; after: unknown; actorId: string | null }> }>();
  };
  const step = (pb: Playbook, id: string) => {
    const found = pb.steps.find((x) => x.id === id);
    if (!found) throw new Error(`no step ${id} in ${pb.steps.map((x) => x.id).join(', ')}`);
    return found;
  };
  const tick = (id: string, stepId: string, payload: unknown, token = agent) =>
    s.app.inject({ method: 'POST', url: `/api/v1/tickets/${id}/playbook/steps/${stepId}`, headers: bearer(token), payload: payload as object });
  const patch = (id: string, payload: object, token = agent) => s.app.inject({ method: 'PATCH', url: `/api/v1/tickets/${id}`, headers: bearer(token), payload });

  it('the demo German damaged-item ticket shows the damaged_item playbook for DE, seller-pays label step included', async () => {
    const order = await s.db.db
      .selectFrom('orders')
      .innerJoin('customers', 'customers.id', 'orders.customer_id')
      .select(['orders.id', 'orders.number', 'customers.email', 'customers.name', 'customers.country'])
      .where('orders.id', '=', demo.orders.deDamaged.id)
      .executeTakeFirstOrThrow();
    expect(order.country).toBe('DE');
    // as the demo opens it (src/cli/demo-seed.ts): the customer's mail, then the order linked
    const res = await s.app.inject({
      method: 'POST',
      url: '/api/v1/tickets',
      headers: bearer(agent),
      payload: {
        subject: 'Lampe beschädigt angekommen',
        body: `Guten Tag, meine Lampe aus der Bestellung ${order.number} kam heute mit zerbrochenem Glasschirm an. Ich möchte einen Ersatz oder mein Geld zurück.`,
        customer: { email: order.email, name: order.name ?? undefined, country: 'DE' },
        category: 'damaged_item',
        channel: 'email',
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    ticket = res.json();
    const before = (await get(ticket.id)).playbook;
    expect(before).toMatchObject({ category: 'damaged_item', market: 'DE' });
    expect(before.steps.every((x) => !x.done)).toBe(true);
    expect(before.steps.map((x) => x.id)).toEqual(expect.arrayContaining(['apologise', 'confirm_order', 'ask_photo', 'photo_received', 'offer_resolution', 'create_label', 'confirm_timeline']));
    const label = step(before, 'create_label');
    expect(label.required).toBe(true);
    expect(label.note?.en).toMatch(/seller pays return shipping/i);
    expect(label.law).toMatchObject({ payer: 'seller', source: expect.stringMatching(/BGB/) });
    expect(before.progress).toMatchObject({ done: 0, total: before.steps.length });

    await s.db.db.updateTable('tickets').set({ order_id: order.id }).where('id', '=', ticket.id).execute();
    expect(step((await get(ticket.id)).playbook, 'confirm_order')).toMatchObject({ done: true, how: 'auto' });
    // a trainer reads the checklist too
    expect((await get(ticket.id, trainer)).playbook.category).toBe('damaged_item');
  });

  it("ticks itself: the agent's apology and photo request, then the customer's photo by e-mail", async () => {
    const reply = await s.app.inject({
      method: 'POST',
      url: `/api/v1/tickets/${ticket.id}/messages`,
      headers: bearer(agent),
      payload: { body: 'Guten Tag Herr Becker,\nes tut uns sehr leid, dass Ihre Lampe beschädigt angekommen ist. Könnten Sie uns bitte ein Foto der Lampe und des Kartons schicken?\nMit freundlichen Grüßen' },
    });
    expect(reply.statusCode, reply.body).toBe(201);
    let pb = (await get(ticket.id)).playbook;
    expect(step(pb, 'apologise')).toMatchObject({ done: true, how: 'auto', doneBy: { type: 'user', id: agentId }, doneAt: reply.json().createdAt });
    expect(step(pb, 'ask_photo')).toMatchObject({ done: true, how: 'auto' });
    expect(step(pb, 'photo_received').done).toBe(false);

    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(400, 7)]);
    const mail = await ingestEmail(
      { db: s.db.db, bus: new MemoryEventBus(), clock: systemClock, settings: { ...emailSettings({}), floodLimitPerHour: 0 } },
      buildMail({
        from: 'Jonas Becker <jonas.becker@example.de>',
        subject: `Re: Lampe beschädigt angekommen [#CD-${ticket.number}]`,
        text: 'Hier sind die Fotos.',
        attachments: [{ filename: 'lampe.png', contentType: 'image/png', content: png }],
      }),
    );
    expect(mail).toMatchObject({ status: 'appended', ticketId: ticket.id });
    pb = (await get(ticket.id)).playbook;
    expect(step(pb, 'photo_received')).toMatchObject({ done: true, how: 'auto', doneBy: { type: 'customer' } });
  });

  it('creating the return label through the commerce action ticks create_label (and the resolution)', async () => {
    const o = (await s.app.inject({ url: `/api/v1/orders/${demo.orders.deDamaged.id}`, headers: bearer(agent) })).json<{ id: string; items: Array<{ id: string }> }>();
    const ret = await s.app.inject({
      method: 'POST',
      url: `/api/v1/orders/${o.id}/actions/return`,
      headers: { ...bearer(agent), 'idempotency-key': `ret-${uuidv7()}` },
      payload: { ticketId: ticket.id, reason: 'damaged', items: [{ orderItemId: o.items[0].id, quantity: 1 }] },
    });
    expect(ret.statusCode, ret.body).toBe(200);
    expect(ret.json().result.whoPaysShipping).toBe('seller');
    const pb = (await get(ticket.id)).playbook;
    expect(step(pb, 'create_label')).toMatchObject({ done: true, how: 'auto', doneAt: ret.json().createdAt, doneBy: { id: agentId } });
    expect(step(pb, 'offer_resolution').done).toBe(true);
    expect(step(pb, 'confirm_timeline').done).toBe(false);
  });

  it('ticks and unticks by hand; refuses unknown steps, trainers and bad bodies', async () => {
    const on = await tick(ticket.id, 'follow_up', { done: true });
    expect(on.statusCode, on.body).toBe(200);
    expect(step(on.json<Playbook>(), 'follow_up')).toMatchObject({ done: true, how: 'manual', doneBy: { type: 'user', id: agentId } });
    const t = await get(ticket.id);
    expect(step(t.playbook, 'follow_up').done).toBe(true);
    expect(t.events.at(-1)).toMatchObject({ type: 'playbook_step', field: 'follow_up', after: { done: true }, actorId: agentId });

    const off = await tick(ticket.id, 'follow_up', { done: false });
    expect(step(off.json<Playbook>(), 'follow_up').done).toBe(false);
    // unticking an auto-ticked step holds until the agent does it again
    expect(step((await tick(ticket.id, 'ask_photo', { done: false })).json<Playbook>(), 'ask_photo').done).toBe(false);
    expect(step((await tick(ticket.id, 'ask_photo', { done: true })).json<Playbook>(), 'ask_photo')).toMatchObject({ done: true, how: 'manual' });

    const unknown = await tick(ticket.id, 'dance', { done: true });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.message).toMatch(/not in the damaged_item playbook for DE/);
    expect((await tick(ticket.id, 'follow_up', { done: true }, trainer)).statusCode).toBe(403);
    expect((await tick(ticket.id, 'follow_up', { done: 'yes' })).statusCode).toBe(400);
    expect((await tick(ticket.id, 'follow_up', { done: true, by: 'me' })).statusCode).toBe(400);
    expect((await tick(ticket.id, 'Follow-Up', { done: true })).statusCode).toBe(400);
    expect((await tick(uuidv7(), 'follow_up', { done: true })).statusCode).toBe(404);
  });

  it('solving with a required step open: 409 playbook_incomplete listing it, then allowed with a reason that is recorded', async () => {
    const refused = await patch(ticket.id, { status: 'solved' });
    expect(refused.statusCode).toBe(409);
    const err = refused.json().error;
    expect(err.code).toBe('playbook_incomplete');
    expect(err.details.openSteps.map((x: { id: string }) => x.id)).toEqual(['confirm_timeline']);
    expect((await get(ticket.id)).status).not.toBe('solved');
    // a blank reason is no reason
    expect((await patch(ticket.id, { status: 'solved', playbookOverrideReason: '   ' })).json().error.code).toBe('playbook_incomplete');
    expect((await patch(ticket.id, { status: 'solved', playbookOverrideReason: '' })).statusCode).toBe(400);
    // bulk solving is refused per ticket for the same reason
    const bulk = await s.app.inject({ method: 'POST', url: '/api/v1/tickets/bulk', headers: bearer(agent), payload: { ids: [ticket.id], set: { status: 'solved' } } });
    expect(bulk.json()).toMatchObject({ updated: 0, failed: [{ id: ticket.id, code: 'playbook_incomplete' }] });

    const reason = 'Customer confirmed the timeline by phone';
    const ok = await patch(ticket.id, { status: 'solved', playbookOverrideReason: reason });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().status).toBe('solved');
    const t = await get(ticket.id);
    expect(t.events.find((e) => e.type === 'playbook_override')).toMatchObject({ actorId: agentId, after: { reason, openSteps: ['confirm_timeline'], category: 'damaged_item', market: 'DE' } });
    expect(step(t.playbook, 'confirm_timeline')).toMatchObject({ done: false, skippedReason: reason });
  });

  it('a ticket whose required steps are done solves without a reason; a category change brings its checklist', async () => {
    const created = await s.app.inject({
      method: 'POST', url: '/api/v1/tickets', headers: bearer(agent),
      payload: { subject: 'Does the lamp fit a US socket?', body: 'Hi, does the Aurora lamp work with 110 V?', customer: { email: 'q@example.com', country: 'US' }, category: 'product_question' },
    });
    const id = created.json().id as string;
    expect((await get(id)).playbook).toMatchObject({ category: 'product_question', market: 'US', progress: { requiredOpen: 1 } });
    expect((await patch(id, { status: 'solved' })).json().error.code).toBe('playbook_incomplete');
    await s.app.inject({ method: 'POST', url: `/api/v1/tickets/${id}/messages`, headers: bearer(agent), payload: { body: 'Hi! The US version (LAMP-AUR-WHT-US) works with 110–120 V.' } });
    expect((await get(id)).playbook.progress.requiredOpen).toBe(0);

    const moved = await patch(id, { category: 'return_request' });
    expect(moved.statusCode).toBe(200);
    const pb = (await get(id)).playbook;
    expect(pb.category).toBe('return_request');
    // US: no statutory withdrawal; the default store policy makes the buyer pay a change-of-mind return
    expect(step(pb, 'check_window').law?.text.en).toMatch(/no statutory right/);
    expect(step(pb, 'create_label').law?.payer).toBe('buyer');
    await patch(id, { category: 'product_question' });
    const solved = await patch(id, { status: 'solved' });
    expect(solved.statusCode, solved.body).toBe(200);
    expect((await get(id)).events.some((e) => e.type === 'playbook_override')).toBe(false);
  });
});

describe('store return policy', () => {
  let s: TestServer;
  let admin: string;
  let manager: string;
  let agent: string;
  let storeId: string;
  beforeAll(async () => {
    s = await startTestServer();
    ({ token: admin } = await s.tokenFor('admin'));
    ({ token: manager } = await s.tokenFor('manager'));
    ({ token: agent } = await s.tokenFor('agent'));
    const res = await s.app.inject({ method: 'POST', url: '/api/v1/stores', headers: bearer(admin), payload: { name: 'Lampenwelt DE', market: 'DE', timezone: 'Europe/Berlin' } });
    storeId = res.json().id;
  });
  afterAll(async () => s.close());

  const url = (id: string, q = '') => `/api/v1/stores/${id}/return-policy${q}`;

  it('a store starts on the default policy, which meets German law', async () => {
    const res = await s.app.inject({ url: url(storeId), headers: bearer(agent) });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ storeId, market: 'DE', custom: false, policy: { returnWindowDays: 30, buyerPaysReturnForChangeOfMind: true }, warnings: [] });
  });

  it('warns where the policy is less generous than the law; only admins and managers write it', async () => {
    const body = { returnWindowDays: 7, buyerPaysReturnForChangeOfMind: true, buyerPaysReturnWhenFaulty: true, restockingFeePercent: 0 };
    expect((await s.app.inject({ method: 'PUT', url: url(storeId), headers: bearer(agent), payload: body })).statusCode).toBe(403);
    const res = await s.app.inject({ method: 'PUT', url: url(storeId), headers: bearer(manager), payload: body });
    expect(res.statusCode, res.body).toBe(200);
    const out = res.json();
    expect(out).toMatchObject({ custom: true, market: 'DE', policy: { returnWindowDays: 7 } });
    const codes = out.warnings.map((w: { code: string }) => w.code).sort();
    expect(codes).toEqual(['buyer_pays_faulty_return', 'return_window_too_short']);
    expect(out.warnings.find((w: { code: string }) => w.code === 'return_window_too_short')).toMatchObject({ field: 'returnWindowDays', required: 14, message: expect.stringMatching(/14 days/), localized: { zh: expect.stringMatching(/14/) }, source: expect.stringMatching(/2011\/83\/EU/) });
    // the same policy read later, and against another market the store sells to
    expect((await s.app.inject({ url: url(storeId), headers: bearer(agent) })).json().warnings).toHaveLength(2);
    const us = (await s.app.inject({ url: url(storeId, '?market=US'), headers: bearer(agent) })).json();
    expect(us.market).toBe('US');
    expect(us.warnings.map((w: { code: string }) => w.code)).toEqual(['buyer_pays_faulty_return']);

    // a generous policy: no warning
    const fine = await s.app.inject({ method: 'PUT', url: url(storeId), headers: bearer(admin), payload: { returnWindowDays: 60, buyerPaysReturnForChangeOfMind: false } });
    expect(fine.json().warnings).toEqual([]);
  });

  it('refuses bad input', async () => {
    const put = (payload: object, q = '') => s.app.inject({ method: 'PUT', url: url(storeId, q), headers: bearer(admin), payload });
    expect((await put({ returnWindowDays: -1 })).statusCode).toBe(400);
    expect((await put({ restockingFeePercent: 150 })).statusCode).toBe(400);
    expect((await put({ returnWindowDays: 30, generous: true })).statusCode).toBe(400);
    expect((await put({})).statusCode).toBe(400);
    expect((await s.app.inject({ url: url(storeId, '?market=ZZ'), headers: bearer(agent) })).statusCode).toBe(400);
    expect((await s.app.inject({ url: url(uuidv7()), headers: bearer(agent) })).statusCode).toBe(404);
    expect((await s.app.inject({ url: url(storeId) })).statusCode).toBe(401);
  });
});
