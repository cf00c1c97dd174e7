import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { bearer } from './helpers/server.ts';
import { botMessages, managerView, startBotWorld } from './helpers/bot-world.ts';
import type { Database } from '../src/db/index.ts';
import { MemoryEventBus } from '../src/core/events.ts';
import type { ManualClock } from '../src/core/clock.ts';
import { addCustomerMessage, createTicket, type TicketDeps } from '../src/helpdesk/tickets.ts';
import { triageForTickets } from '../src/helpdesk/triage-adapter.ts';
import { BOT_JOB, botAnalytics, botJobs, putBotSettings, watchForBot } from '../src/helpdesk/bot.ts';
import { JobRunner } from '../src/core/jobs.ts';
import { systemActor } from '../src/helpdesk/visibility.ts';
import { buildApp } from '../src/server/app.ts';
import { createApiToken, upsertUser } from '../src/people/users.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const start = new Date('2026-11-20T10:00:00Z');

let database: Database;
let clock: ManualClock;
let deps: TicketDeps;
let storeId: string;
let errors: unknown[] = [];
const manager = (ticketId: string) => managerView(deps, ticketId);

beforeAll(async () => {
  ({ database, clock, deps, storeId, errors } = await startBotWorld({
    start,
    supportEmail: 'hilfe@lumen.example',
    orders: [
      // a German order on its way: handed to DHL in Leipzig two days ago, scanned in Berlin yesterday
      {
        number: 'CD-20001', currency: 'EUR', placedAt: new Date(start.getTime() - 3 * DAY),
        customer: { email: 'jonas.becker@example.de', name: 'Jonas Becker', country: 'DE', language: 'de' },
        address: { line1: 'Bergmannstraße 42', city: 'Berlin', postalCode: '10961' },
        sku: 'LAMP-AUR-WHT-EU', warehouseCode: 'DE-LEJ', paymentMethod: 'paypal',
        carrier: 'DHL Paket', trackingNumber: '00340434161094099999',
        scans: [
          { at: new Date(start.getTime() - 2 * DAY), location: 'Leipzig, DE', description: 'Processed at origin parcel centre.' },
          { at: new Date(start.getTime() - 20 * HOUR), location: 'Berlin, DE', description: 'Processed at destination parcel centre.' },
        ],
      },
    ],
  }));
});

afterAll(async () => {
  expect(errors).toEqual([]);
  await database?.close();
});

const jonas = { email: 'jonas.becker@example.de', name: 'Jonas Becker', country: 'DE' };

describe('the bot', () => {
  let trackingTicket: string;
  let faqTicket: string;

  it('answers a German order-status question alone with the live tracking facts, in German', async () => {
    const t = await createTicket(deps, {
      subject: 'Wo ist meine Bestellung?',
      body: 'Guten Tag, wo ist meine Bestellung CD-20001? Können Sie mir sagen, wann das Paket ankommt?',
      customer: jonas,
      storeId,
      channel: 'email',
    }, systemActor);
    trackingTicket = t.id;
    const full = await manager(t.id);
    const [reply] = botMessages(full);
    expect(reply).toBeDefined();
    expect(reply.internal).toBe(false);
    expect(reply.authorType).toBe('bot');
    expect(reply.body).toContain('Guten Tag Jonas Becker,');
    expect(reply.body).toContain('Ihre Bestellung CD-20001');
    expect(reply.body).toContain('DHL Paket');
    expect(reply.body).toContain('00340434161094099999');
    // the order has no link from its platform: the carrier's tracking page
    expect(reply.body).toContain('Sendungsverfolgung: https://www.dhl.de/de/privatkunden/pakete-empfangen/verfolgen.html?piececode=00340434161094099999');
    expect(reply.body).toContain('in Zustellung unterwegs in Berlin, DE am 19. November 2026');
    // DHL Paket: 2–5 days from hand-over on 18 November
    expect(reply.body).toContain('zwischen dem 20. November 2026 und dem 23. November 2026');
    expect(reply.body).toMatch(/automatische Antwort/);
    expect(full.status).toBe('solved');
  });

  it('never answers an angry customer: it hands off with a summary note', async () => {
    const t = await createTicket(deps, {
      subject: 'Wo bleibt mein Paket???',
      body: 'Das ist eine Frechheit! Wo ist meine Bestellung CD-20001?? Ich warte seit Wochen, ich mache eine Rückbuchung bei PayPal und schreibe eine schlechte Bewertung!',
      customer: jonas,
      storeId,
    }, systemActor);
    const full = await manager(t.id);
    const bots = botMessages(full);
    expect(bots).toHaveLength(1);
    expect(bots[0].internal).toBe(true);
    expect(bots[0].body).toContain('ANGRY');
    expect(bots[0].body).toContain('Language / 语言: de');
    expect(bots[0].body).toContain('Category / 类别: order_status');
    expect(bots[0].body).toContain('CD-20001');
    expect(bots[0].body).toContain('the customer is angry');
    expect(bots[0].body).toContain('Bot sent nothing to the customer');
    expect(full.status).toBe('new');
  });

  it('never decides about money: a refund request is handed off', async () => {
    const t = await createTicket(deps, {
      subject: 'Erstattung',
      body: 'Ich möchte mein Geld zurück für die Bestellung CD-20001, bitte erstatten Sie den Betrag auf mein PayPal-Konto.',
      customer: jonas,
      storeId,
    }, systemActor);
    const full = await manager(t.id);
    const bots = botMessages(full);
    expect(bots.map((m) => m.internal)).toEqual([true]);
    expect(bots[0].body).toMatch(/money decision|asks for money back/);
    expect(bots[0].body).toContain('Customer wants / 客户诉求');
    expect(full.messages.filter((m) => !m.internal && m.authorType !== 'customer')).toHaveLength(0);
  });

  it('does not tell tracking facts to someone who types another customer\'s order number', async () => {
    const t = await createTicket(deps, {
      subject: 'Wo ist die Bestellung?',
      body: 'Hallo, wo ist meine Bestellung CD-20001? Wann kommt das Paket an?',
      customer: { email: 'fremder@example.de', name: 'Max Fremd', country: 'DE' },
      storeId,
    }, systemActor);
    const full = await manager(t.id);
    const bots = botMessages(full);
    expect(bots.map((m) => m.internal)).toEqual([true]);
    expect(bots[0].body).toContain('belongs to another customer');
    expect(bots[0].body).not.toContain('00340434161094099999');
  });

  it('answers a simple FAQ above the threshold and hands off below it', async () => {
    const q = { subject: 'Travel mug', body: 'Hello, quick question before I order: is the travel mug dishwasher safe?', storeId };
    const t = await createTicket(deps, { ...q, customer: { email: 'emily.carter@example.com', name: 'Emily Carter', country: 'US' } }, systemActor);
    faqTicket = t.id;
    const full = await manager(t.id);
    const [reply] = botMessages(full);
    expect(reply.internal).toBe(false);
    expect(reply.body).toContain('Hi Emily,');
    expect(reply.body).toContain('top rack of the dishwasher');
    expect(full.status).toBe('solved');

    await putBotSettings({ db: database.db, clock }, storeId, { faqThreshold: 0.99 });
    try {
      const t2 = await createTicket(deps, { ...q, body: 'Hi, can the travel mug go in the dishwasher?', customer: { email: 'sam@example.com', name: 'Sam Lee', country: 'US' } }, systemActor);
      const bots = botMessages(await manager(t2.id));
      expect(bots.map((m) => m.internal)).toEqual([true]);
      expect(bots[0].body).toContain('below the confidence threshold');
      expect(bots[0].body).toContain('Is the travel mug dishwasher safe?');
    } finally {
      await putBotSettings({ db: database.db, clock }, storeId, { faqThreshold: 0.6 });
    }
  });

  it('hands off when triage is not sure enough, and stays silent when switched off', async () => {
    // the highest bar: triage reports its confidence to three decimals, so only 1 is above any message
    await putBotSettings({ db: database.db, clock }, storeId, { minTriageConfidence: 1 });
    const t = await createTicket(deps, { subject: 'Mug', body: 'Is the travel mug dishwasher safe?', storeId, customer: { email: 'kim@example.com', name: 'Kim', country: 'US' } }, systemActor);
    const bots = botMessages(await manager(t.id));
    expect(bots[0].body).toContain('triage is unsure');
    await putBotSettings({ db: database.db, clock }, storeId, { minTriageConfidence: 0.45, enabled: false });
    const off = await createTicket(deps, { subject: 'Mug', body: 'Is the travel mug dishwasher safe?', storeId, customer: { email: 'lee@example.com', name: 'Lee', country: 'US' } }, systemActor);
    expect(botMessages(await manager(off.id))).toHaveLength(0);
    await putBotSettings({ db: database.db, clock }, storeId, { enabled: true });
  });

  it('hands over when the customer writes again after its answer, and counts the answer as reopened', async () => {
    clock.advance(DAY);
    await addCustomerMessage(deps, trackingTicket, { body: 'Danke, aber das Paket ist immer noch nicht da. Können Sie nachsehen?' });
    const full = await manager(trackingTicket);
    expect(full.status).toBe('open');
    const bots = botMessages(full);
    expect(bots.map((m) => m.internal)).toEqual([false, true]);
    expect(bots[1].body).toContain("wrote again after the bot's answer");

    const a = await botAnalytics(database.db, { from: new Date(start.getTime() - DAY), to: new Date(clock.now().getTime() + HOUR), storeId });
    // tickets: tracking, angry, refund, foreign order, faq, faq below threshold, low confidence
    expect(a.tickets).toBe(7);
    expect(a.decisions).toBe(8);
    expect(a.answered).toBe(2);
    expect(a.answeredByKind).toEqual({ tracking: 1, faq: 1 });
    expect(a.handedOff).toBe(6);
    expect(a.handOffReasons.angry).toBe(1);
    expect(a.handOffReasons.bot_already_answered).toBe(1);
    // only the FAQ ticket stayed solved without an agent
    expect(a.deflected).toBe(1);
    expect(a.deflectionRate).toBeCloseTo(1 / 7, 4);
    expect(a.reopened).toBe(1);
    expect(a.reopenRate).toBe(0.5);
    expect(faqTicket).toBeDefined();
  });

  it('serves the figures to managers only', async () => {
    const app: FastifyInstance = await buildApp({ db: database.db, dbKind: database.kind, bus: new MemoryEventBus(), clock });
    try {
      const token = async (role: 'manager' | 'agent') => {
        const { user } = await upsertUser(database.db, { email: `${role}@bot.test`, role, name: role });
        return createApiToken(database.db, user.id, 't');
      };
      const m = await token('manager');
      const res = await app.inject({ method: 'GET', url: `/api/v1/analytics/bot?from=2026-11-19&storeId=${storeId}`, headers: bearer(m) });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ answered: 2, deflected: 1, reopened: 1 });
      expect((await app.inject({ method: 'GET', url: '/api/v1/analytics/bot', headers: bearer(await token('agent')) })).statusCode).toBe(403);
      expect((await app.inject({ method: 'GET', url: '/api/v1/analytics/bot?from=yesterday', headers: bearer(m) })).statusCode).toBe(400);
      expect((await app.inject({ method: 'GET', url: '/api/v1/analytics/bot?extra=1', headers: bearer(m) })).statusCode).toBe(400);
      const put = await app.inject({ method: 'PUT', url: `/api/v1/stores/${storeId}/bot-settings`, headers: bearer(m), payload: { enabled: false } });
      expect(put.statusCode).toBe(403);
    } finally {
      await app.close();
    }
  });

  it('reaches tickets of channels without the intake hook (e-mail, chat) through its job', async () => {
    const bus = new MemoryEventBus();
    const plain: TicketDeps = { db: database.db, bus, clock, triage: triageForTickets };
    const unwatch = watchForBot(database.db, clock, bus);
    const runner = new JobRunner({ db: database.db, clock, handlers: botJobs({ db: database.db, bus, clock }) });
    try {
      const t = await createTicket(plain, { subject: 'Thermobecher', body: 'Guten Tag, ist der Thermobecher spülmaschinenfest?', customer: { email: 'anna@example.de', name: 'Anna Schmidt', country: 'DE' }, storeId, channel: 'email' }, systemActor);
      expect(botMessages(await manager(t.id))).toHaveLength(0);
      for (let i = 0; i < 50 && !(await database.db.selectFrom('jobs').select('id').where('type', '=', BOT_JOB).where('status', '=', 'queued').executeTakeFirst()); i++) await new Promise((r) => setTimeout(r, 20));
      expect(await runner.tick()).toBeGreaterThan(0);
      const [reply] = botMessages(await manager(t.id));
      expect(reply.internal).toBe(false);
      expect(reply.body).toContain('Guten Tag Anna Schmidt,');
      expect(reply.body).toContain('oberen Korb der Spülmaschine');
      // the status change the bot made queues the job again: it does nothing the second time
      await new Promise((r) => setTimeout(r, 50));
      await runner.tick();
      expect(botMessages(await manager(t.id))).toHaveLength(1);
    } finally {
      unwatch();
    }
  });
});
