import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { simpleParser } from 'mailparser';
import { createTestDatabase } from './helpers/db.ts';
import { bearer } from './helpers/server.ts';
import { startSmtpSink, type ReceivedMail, type SmtpSink } from './helpers/smtp-sink.ts';
import type { Database } from '../src/db/index.ts';
import { MemoryEventBus } from '../src/core/events.ts';
import { ManualClock } from '../src/core/clock.ts';
import { JobRunner } from '../src/core/jobs.ts';
import { createStore } from '../src/helpdesk/stores.ts';
import { createTicket, updateTicket, type TicketDeps } from '../src/helpdesk/tickets.ts';
import { systemActor } from '../src/helpdesk/visibility.ts';
import { putSurveySettings, surveyJobs, watchSolvedTickets, SURVEY_JOB } from '../src/helpdesk/surveys.ts';
import { SURVEY_LIMITS } from '../src/helpdesk/survey-routes.ts';
import { emailOutbound, type EmailOutbound } from '../src/channels/email/outbound.ts';
import { emailSettings } from '../src/channels/email/settings.ts';
import { buildApp } from '../src/server/app.ts';
import { createApiToken, upsertUser } from '../src/people/users.ts';

const MIN = 60_000;
const DAY = 24 * 60 * MIN;

let database: Database;
let clock: ManualClock;
let bus: MemoryEventBus;
let deps: TicketDeps;
let storeId: string;
let smtp: SmtpSink;
const received: ReceivedMail[] = [];
let outbound: EmailOutbound;
let runner: JobRunner;
let unwatch: () => void;
let app: FastifyInstance;
let managerToken: string;

async function until<T>(what: string, f: () => Promise<T | undefined | null | false>): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const v = await f();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`gave up waiting for ${what}`);
}

beforeAll(async () => {
  database = await createTestDatabase();
  clock = new ManualClock('2026-11-20T08:00:00Z');
  bus = new MemoryEventBus();
  smtp = await startSmtpSink({ received });
  const store = await createStore(database.db, { name: 'Sakura Select', market: 'JP', timezone: 'Asia/Tokyo', supportEmail: 'support@sakura.example' });
  storeId = store.id;
  deps = { db: database.db, bus, clock };
  outbound = emailOutbound({ db: database.db, bus, clock, settings: { ...emailSettings({}), relayUrl: `smtp://127.0.0.1:${smtp.port}` } });
  const handlers = surveyJobs({ db: database.db, clock, mailer: outbound, publicUrl: 'https://help.sakura.example', fromFallback: 'x@y.example' });
  runner = new JobRunner({ db: database.db, clock, handlers, backoffMs: 60_000 });
  unwatch = watchSolvedTickets(database.db, bus);
  app = await buildApp({ db: database.db, dbKind: database.kind, bus, clock });
  const { user } = await upsertUser(database.db, { email: 'manager@sakura.test', role: 'manager', name: 'M' });
  managerToken = await createApiToken(database.db, user.id, 't');
});

afterAll(async () => {
  unwatch?.();
  await app?.close();
  outbound?.close();
  await smtp?.close();
  await database?.close();
});

async function solvedTicket(customer: { email: string; name: string; language: string }, subject = 'サイズ交換について') {
  const t = await createTicket(deps, { subject, body: 'サイズを交換したいです。', customer, storeId }, systemActor);
  await updateTicket(deps, t.id, { status: 'solved' }, systemActor);
  await until('the survey job', () => database.db.selectFrom('jobs').select('id').where('type', '=', SURVEY_JOB).where('unique_key', 'like', `%${t.id}%`).executeTakeFirst());
  return t;
}

const tokenOf = async (ticketId: string) => (await database.db.selectFrom('surveys').select('token').where('ticket_id', '=', ticketId).executeTakeFirstOrThrow()).token;
const json = { 'content-type': 'application/json' };

describe('CSAT / NPS surveys', () => {
  let jaTicket: string;
  let token: string;

  it('sends the survey an hour after solving, by e-mail in the customer\'s language', async () => {
    const t = await solvedTicket({ email: 'hanako.tanaka@example.jp', name: '田中 花子', language: 'ja' });
    jaTicket = t.id;
    expect(await runner.tick()).toBe(0); // not yet: the default delay is one hour
    clock.advance(59 * MIN);
    expect(await runner.tick()).toBe(0);
    clock.advance(2 * MIN);
    expect(await runner.tick()).toBe(1);
    expect(received).toHaveLength(1);
    expect(received[0].to).toEqual(['hanako.tanaka@example.jp']);
    const mail = await simpleParser(received[0].raw);
    expect(mail.subject).toContain('アンケート');
    expect(mail.text).toContain('田中様');
    expect(mail.headers.get('auto-submitted')).toBe('auto-generated');
    token = await tokenOf(t.id);
    expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(mail.text).toContain(`https://help.sakura.example/survey/${token}`);
    expect(mail.html || '').toContain(`/survey/${token}?score=5`);
    const s = await database.db.selectFrom('surveys').selectAll().where('ticket_id', '=', t.id).executeTakeFirstOrThrow();
    expect(s.status).toBe('sent');
    expect(s.kind).toBe('csat');
    expect(s.language).toBe('ja');
    // a second tick sends nothing more
    clock.advance(MIN);
    expect(await runner.tick()).toBe(0);
    expect(received).toHaveLength(1);
  });

  it('renders the page in Japanese, self-contained, under the CSP', async () => {
    const res = await app.inject({ method: 'GET', url: `/survey/${token}?score=4` });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.body).toContain('<html lang="ja" dir="ltr">');
    expect(res.body).toContain('今回の対応にどの程度ご満足いただけましたか？');
    expect(res.body).toContain('value="4" checked');
    expect(res.body).not.toMatch(/<script|src=|<link/i);
  });

  it('renders right to left for Arabic', async () => {
    const t = await solvedTicket({ email: 'layla@example.sa', name: 'ليلى أحمد', language: 'ar' }, 'استفسار عن الطلب');
    clock.advance(61 * MIN);
    expect(await runner.tick()).toBe(1);
    const res = await app.inject({ method: 'GET', url: `/survey/${await tokenOf(t.id)}` });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<html lang="ar" dir="rtl">');
    expect(res.body).toContain('ما مدى رضاك عن المساعدة التي تلقيتها؟');
  });

  it('takes one answer per token; hostile comments are stored as written and shown escaped', async () => {
    const comment = '<script>alert("x")</script> とても丁寧でした';
    const first = await app.inject({ method: 'POST', url: `/survey/${token}`, headers: json, payload: { score: 4, comment } });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({ status: 'answered', csatScore: 4, npsScore: null, comment });
    const second = await app.inject({ method: 'POST', url: `/survey/${token}`, headers: json, payload: { score: 1 } });
    expect(second.statusCode).toBe(409);
    expect(second.json().error.code).toBe('conflict');
    const page = await app.inject({ method: 'GET', url: `/survey/${token}` });
    expect(page.body).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; とても丁寧でした');
    expect(page.body).not.toContain('<script>alert');
    const onTicket = await app.inject({ method: 'GET', url: `/api/v1/tickets/${jaTicket}/survey`, headers: bearer(managerToken) });
    expect(onTicket.statusCode).toBe(200);
    expect(onTicket.json().survey).toMatchObject({ csatScore: 4, npsScore: null, comment, status: 'answered', kind: 'csat' });
  });

  it('is schema-strict: bad scores, unknown fields, NPS on a CSAT survey, oversized comments are 400', async () => {
    const t = await solvedTicket({ email: 'kenji@example.jp', name: '佐藤 健二', language: 'ja' });
    clock.advance(61 * MIN);
    await runner.tick();
    const tok = await tokenOf(t.id);
    const post = (payload: unknown) => app.inject({ method: 'POST', url: `/survey/${tok}`, headers: json, payload: JSON.stringify(payload) });
    expect((await post({ score: 6 })).statusCode).toBe(400);
    expect((await post({ score: '5' })).statusCode).toBe(400);
    expect((await post({ score: 5, admin: true })).statusCode).toBe(400);
    expect((await post({ score: 5, nps: 9 })).statusCode).toBe(400);
    const long = await post({ score: 5, comment: 'あ'.repeat(2001) });
    expect(long.statusCode).toBe(400);
    expect(long.json().error.code).toBe('validation_failed');
    // a browser form post: the page again with the error, then the thanks page
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const bad = await app.inject({ method: 'POST', url: `/survey/${tok}`, headers: form, payload: `score=5&comment=${'x'.repeat(2001)}` });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('コメントが長すぎます');
    const ok = await app.inject({ method: 'POST', url: `/survey/${tok}`, headers: form, payload: 'score=5&comment=%E3%81%82%E3%82%8A%E3%81%8C%E3%81%A8%E3%81%86' });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toContain('ご回答いただき、誠にありがとうございました。');
    expect(ok.body).toContain('ありがとう');
  });

  it('answers 404 for an unknown token and 410 once a survey has expired', async () => {
    expect((await app.inject({ method: 'GET', url: '/survey/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/survey/..%2F..%2Fetc' })).statusCode).toBe(404);
    const post404 = await app.inject({ method: 'POST', url: '/survey/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', headers: json, payload: { score: 3 } });
    expect(post404.statusCode).toBe(404);
    const t = await solvedTicket({ email: 'yui@example.jp', name: '鈴木 結衣', language: 'ja' });
    clock.advance(61 * MIN);
    await runner.tick();
    const tok = await tokenOf(t.id);
    clock.advance(31 * DAY);
    expect((await app.inject({ method: 'GET', url: `/survey/${tok}` })).statusCode).toBe(410);
    const late = await app.inject({ method: 'POST', url: `/survey/${tok}`, headers: json, payload: { score: 3 } });
    expect(late.statusCode).toBe(410);
    expect(late.json().error.code).toBe('gone');
  });

  it('asks NPS on every Nth survey of the store, and the figures follow the answers', async () => {
    clock.advance(DAY); // a fresh analytics window
    const from = clock.now();
    await putSurveySettings({ db: database.db, clock }, storeId, { npsEvery: 3, delayMinutes: 10 });
    // the store has made 4 surveys so far; the next ones are numbers 5..10: NPS on 6 and 9
    const tickets = [];
    for (let i = 0; i < 6; i++) tickets.push(await solvedTicket({ email: `c${i}@example.jp`, name: `客 ${i}`, language: 'ja' }));
    clock.advance(11 * MIN);
    expect(await runner.tick()).toBe(6);
    const rows = await database.db.selectFrom('surveys').select(['ticket_id', 'kind', 'sequence', 'token']).where('created_at', '>=', from).orderBy('sequence').execute();
    expect(rows.map((r) => [r.sequence, r.kind])).toEqual([[5, 'csat'], [6, 'csat_nps'], [7, 'csat'], [8, 'csat'], [9, 'csat_nps'], [10, 'csat']]);
    const page = await app.inject({ method: 'GET', url: `/survey/${rows[1].token}` });
    expect(page.body).toContain('Sakura Selectをご友人や同僚にすすめる可能性はどのくらいありますか？');
    // answers: CSAT 5, 4 (+NPS 10), 2, 5 (+NPS… on #9: 3); #10 unanswered
    const answer = async (i: number, body: object) => expect((await app.inject({ method: 'POST', url: `/survey/${rows[i].token}`, headers: json, payload: body })).statusCode).toBe(200);
    await answer(0, { score: 5 });
    await answer(1, { score: 4, nps: 10 });
    await answer(2, { score: 2 });
    await answer(3, { score: 5 });
    await answer(4, { score: 3, nps: 3 });
    const res = await app.inject({ method: 'GET', url: `/api/v1/analytics/surveys?from=${encodeURIComponent(from.toISOString())}&storeId=${storeId}`, headers: bearer(managerToken) });
    expect(res.statusCode).toBe(200);
    const a = res.json();
    expect(a.surveys).toBe(6);
    expect(a.sent).toBe(6);
    expect(a.answered).toBe(5);
    expect(a.responseRate).toBeCloseTo(5 / 6, 4);
    expect(a.csat.average).toBeCloseTo((5 + 4 + 2 + 5 + 3) / 5, 2);
    expect(a.csat.distribution).toEqual({ 1: 0, 2: 1, 3: 1, 4: 1, 5: 2 });
    expect(a.csat.satisfiedShare).toBeCloseTo(3 / 5, 4);
    // one promoter (10), one detractor (3): 50 % − 50 % = 0
    expect(a.nps).toEqual({ asked: 2, responses: 2, promoters: 1, passives: 0, detractors: 1, score: 0 });
    const agent = await upsertUser(database.db, { email: 'agent@sakura.test', role: 'agent', name: 'A' });
    const agentToken = await createApiToken(database.db, agent.user.id, 't');
    expect((await app.inject({ method: 'GET', url: '/api/v1/analytics/surveys', headers: bearer(agentToken) })).statusCode).toBe(403);
  });

  it('rate-limits answers per client address', async () => {
    let limited = 0;
    for (let i = 0; i <= SURVEY_LIMITS.answers; i++) {
      const r = await app.inject({ method: 'POST', url: '/survey/BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB', headers: json, payload: { score: 3 }, remoteAddress: '203.0.113.9' });
      if (r.statusCode === 429) limited++;
    }
    expect(limited).toBeGreaterThan(0);
  });
});
