/**
 * CSAT / NPS surveys. When a ticket becomes solved, a job is queued for `delay_minutes`
 * later (default 60); it creates the ticket's survey with a random token (CSAT 1–5, and on
 * every Nth survey of the store also NPS 0–10) and e-mails the link in the customer's
 * language through the outbound relay. The customer answers once on the public page
 * (/survey/:token); results show on the ticket and in analytics.
 */
import fs from 'node:fs';
import path from 'node:path';
import { sql, type Kysely } from 'kysely';
import { parse as parseYaml } from 'yaml';
import type { DB, SurveyKind, SurveyStatus } from '../db/types.ts';
import type { Clock } from '../core/clock.ts';
import type { EventBus } from '../core/events.ts';
import { AppError, conflict, notFound, validationError } from '../core/errors.ts';
import { isUuid, randomToken, uuidv7 } from '../core/ids.ts';
import { enqueueJob, type JobHandler } from '../core/jobs.ts';
import { contentDir } from '../core/paths.ts';
import { splitName } from '../knowledge/variables.ts';
import { getStore } from './stores.ts';

export const SURVEY_JOB = 'survey.send';
export const MAX_COMMENT = 2000;
export const TOKEN_RE = /^[A-Za-z0-9_-]{20,100}$/;

// ---------------------------------------------------------------------------------------
// Texts (content/surveys)

const TEXT_KEYS = [
  'greeting', 'greeting_anonymous', 'subject', 'email_intro', 'email_nps', 'email_link', 'email_outro', 'page_title',
  'csat_question', 'csat_low', 'csat_high', 'nps_question', 'nps_low', 'nps_high', 'comment_label', 'submit', 'thanks',
  'thanks_detail', 'already', 'expired', 'not_found', 'error_score', 'error_comment',
] as const;
export type SurveyTextKey = (typeof TEXT_KEYS)[number];
export type SurveyTexts = Record<SurveyTextKey, string>;

let texts: Map<string, SurveyTexts> | null = null;

/** Survey texts per language; throws on a malformed file (tests check every file). */
export function surveyTexts(): Map<string, SurveyTexts> {
  if (texts) return texts;
  const dir = path.join(contentDir, 'surveys');
  const out = new Map<string, SurveyTexts>();
  for (const file of fs.readdirSync(dir).filter((f) => /^[a-z]{2}\.yaml$/.test(f)).sort()) {
    const raw: unknown = parseYaml(fs.readFileSync(path.join(dir, file), 'utf8'));
    const language = file.slice(0, 2);
    if (typeof raw !== 'object' || raw === null || (raw as { language?: unknown }).language !== language) throw new Error(`content/surveys/${file}: "language: ${language}" is required`);
    const t = {} as SurveyTexts;
    for (const k of TEXT_KEYS) {
      const v = (raw as Record<string, unknown>)[k];
      if (typeof v !== 'string' || !v.trim()) throw new Error(`content/surveys/${file}: "${k}" is missing`);
      t[k] = v;
    }
    out.set(language, t);
  }
  if (!out.has('en')) throw new Error('content/surveys/en.yaml is required (the fallback language)');
  texts = out;
  return out;
}

/** The texts of a language, English when it has none. */
export function textsFor(language: string | null | undefined): { language: string; t: SurveyTexts } {
  const all = surveyTexts();
  const lang = (language ?? '').slice(0, 2).toLowerCase();
  const t = all.get(lang);
  return t ? { language: lang, t } : { language: 'en', t: all.get('en')! };
}

export const fillText = (s: string, vars: Record<string, string | number>) => s.replace(/\{(\w+)\}/g, (m, k: string) => (vars[k] === undefined ? m : String(vars[k])));

export function greetingFor(t: SurveyTexts, language: string, name: string | null): string {
  const parts = splitName(name, language);
  const n = language === 'ja' ? parts.last : ['de', 'ko', 'zh', 'pl', 'ru'].includes(language) ? parts.full : parts.first;
  return n ? fillText(t.greeting, { name: n }) : t.greeting_anonymous;
}

// ---------------------------------------------------------------------------------------
// Settings

export interface SurveySettings {
  storeId: string;
  enabled: boolean;
  delayMinutes: number;
  /** Every Nth survey of the store also asks NPS (0 = never). */
  npsEvery: number;
  expiresDays: number;
  updatedAt: string | null;
}

export const SURVEY_DEFAULTS = { enabled: true, delayMinutes: 60, npsEvery: 10, expiresDays: 30 } as const;

export async function getSurveySettings(db: Kysely<DB>, storeId: string): Promise<SurveySettings> {
  if (!isUuid(storeId)) throw validationError('storeId must be a store id', { field: 'storeId' });
  const r = await db.selectFrom('survey_settings').selectAll().where('store_id', '=', storeId).executeTakeFirst();
  if (!r) return { storeId, ...SURVEY_DEFAULTS, updatedAt: null };
  return { storeId, enabled: r.enabled, delayMinutes: r.delay_minutes, npsEvery: r.nps_every, expiresDays: r.expires_days, updatedAt: r.updated_at.toISOString() };
}

export type SurveySettingsPatch = Partial<Pick<SurveySettings, 'enabled' | 'delayMinutes' | 'npsEvery' | 'expiresDays'>>;

export async function putSurveySettings(deps: { db: Kysely<DB>; clock: Clock }, storeId: string, patch: SurveySettingsPatch): Promise<SurveySettings> {
  await getStore(deps.db, storeId);
  const next = { ...(await getSurveySettings(deps.db, storeId)), ...patch };
  const int = (v: number, lo: number, hi: number, field: string) => {
    if (!Number.isInteger(v) || v < lo || v > hi) throw validationError(`${field} must be a whole number from ${lo} to ${hi}`, { field });
  };
  int(next.delayMinutes, 0, 43_200, 'delayMinutes');
  int(next.npsEvery, 0, 10_000, 'npsEvery');
  int(next.expiresDays, 1, 365, 'expiresDays');
  const values = { enabled: next.enabled, delay_minutes: next.delayMinutes, nps_every: next.npsEvery, expires_days: next.expiresDays, updated_at: deps.clock.now() };
  await deps.db
    .insertInto('survey_settings')
    .values({ store_id: storeId, ...values })
    .onConflict((oc) => oc.column('store_id').doUpdateSet(values))
    .execute();
  return getSurveySettings(deps.db, storeId);
}

/** Whether the nth survey of a store (1-based) also asks NPS. */
export const asksNps = (sequence: number, npsEvery: number): boolean => npsEvery > 0 && sequence % npsEvery === 0;

// ---------------------------------------------------------------------------------------
// Scheduling and sending

export interface SurveyMail {
  from: { name: string; address: string };
  to: string | { name: string; address: string };
  subject: string;
  text: string;
  html?: string;
  headers?: Record<string, string>;
}

/** The outbound relay (channels/email `outbound.deliver`), or null when e-mail is off. */
export interface SurveyMailer {
  deliver(mail: SurveyMail): Promise<{ response?: string }>;
}

export interface SurveyDeps {
  db: Kysely<DB>;
  clock: Clock;
  mailer: SurveyMailer | null;
  /** Base of the links in the e-mail, e.g. https://help.shop.example */
  publicUrl: string;
  /** Sender when the store has no support address. */
  fromFallback: string;
}

interface SendPayload {
  ticketId: string;
  solvedAt: string;
}

const isPayload = (p: unknown): p is SendPayload =>
  typeof p === 'object' && p !== null && typeof (p as SendPayload).ticketId === 'string' && isUuid((p as SendPayload).ticketId) && typeof (p as SendPayload).solvedAt === 'string';

/**
 * Queues the survey of a ticket that is solved now (idempotent per solve). Returns the job
 * id, or null when nothing was queued (not solved, surveys off, already queued).
 */
export async function scheduleSurvey(db: Kysely<DB>, ticketId: string): Promise<number | null> {
  if (!isUuid(ticketId)) return null;
  const t = await db.selectFrom('tickets').select(['id', 'store_id', 'status', 'solved_at']).where('id', '=', ticketId).executeTakeFirst();
  if (!t || t.status !== 'solved' || !t.solved_at) return null;
  const settings = await getSurveySettings(db, t.store_id);
  if (!settings.enabled) return null;
  const has = await db.selectFrom('surveys').select('id').where('ticket_id', '=', t.id).executeTakeFirst();
  if (has) return null;
  const runAt = new Date(t.solved_at.getTime() + settings.delayMinutes * 60_000);
  const payload: SendPayload = { ticketId: t.id, solvedAt: t.solved_at.toISOString() };
  return enqueueJob(db, SURVEY_JOB, payload, { runAt, uniqueKey: `${SURVEY_JOB}:${t.id}:${t.solved_at.getTime()}`, maxAttempts: 8 });
}

/** Queues surveys when tickets are solved (ticket.updated events with a status change). */
export function watchSolvedTickets(db: Kysely<DB>, bus: EventBus, poke?: () => void): () => void {
  return bus.subscribe((e) => {
    if (e.type !== 'ticket.updated' || !e.changes?.includes('status')) return;
    void scheduleSurvey(db, e.ticketId).then(
      (id) => {
        if (id !== null) poke?.();
      },
      () => undefined,
    );
  });
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export function surveyUrl(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/survey/${token}`;
}

/** The survey e-mail: plain text, and HTML with one link per score. */
export function surveyEmail(input: { language: string; kind: SurveyKind; name: string | null; store: string; number: number; subject: string; url: string }): { subject: string; text: string; html: string; dir: 'ltr' | 'rtl' } {
  const { t, language } = textsFor(input.language);
  const vars = { store: input.store, number: input.number, subject: input.subject.slice(0, 120), url: input.url };
  const intro = [fillText(t.email_intro, vars), ...(input.kind === 'csat_nps' ? [fillText(t.email_nps, vars)] : [])].join(' ');
  const greeting = greetingFor(t, language, input.name);
  const text = [greeting, intro, fillText(t.email_link, vars), fillText(t.email_outro, vars)].join('\n\n');
  const dir = language === 'ar' ? 'rtl' : 'ltr';
  const scores = [1, 2, 3, 4, 5]
    .map((n) => `<a href="${escapeHtml(`${input.url}?score=${n}`)}" style="display:inline-block;min-width:2.2em;padding:.4em .6em;margin:0 .15em;border:1px solid #888;border-radius:6px;text-decoration:none;color:#1a1a1a;text-align:center">${n}</a>`)
    .join('');
  const html = `<!doctype html><html lang="${language}" dir="${dir}"><body style="font-family:sans-serif;line-height:1.5;color:#1a1a1a">
<p>${escapeHtml(greeting)}</p>
<p>${escapeHtml(intro)}</p>
<p><strong>${escapeHtml(t.csat_question)}</strong></p>
<p>${escapeHtml(t.csat_low)} ${scores} ${escapeHtml(t.csat_high)}</p>
<p><a href="${escapeHtml(input.url)}">${escapeHtml(input.url)}</a></p>
<p>${escapeHtml(fillText(t.email_outro, vars)).replace(/\n/g, '<br>')}</p>
</body></html>`;
  return { subject: fillText(t.subject, vars), text, html, dir };
}

interface SurveyRowForSend {
  id: string;
  token: string;
  status: SurveyStatus;
  kind: SurveyKind;
  language: string;
}

/** Creates the survey of a solved ticket (once): token, CSAT or CSAT+NPS by the store's count. */
async function createSurvey(db: Kysely<DB>, now: Date, t: { id: string; store_id: string; customer_id: string; language: string | null; c_language: string | null }): Promise<SurveyRowForSend> {
  const existing = await db.selectFrom('surveys').select(['id', 'token', 'status', 'kind', 'language']).where('ticket_id', '=', t.id).executeTakeFirst();
  if (existing) return existing;
  return db.transaction().execute(async (trx) => {
    const settings = await trx
      .insertInto('survey_settings')
      .values({ store_id: t.store_id, sequence: 1 })
      .onConflict((oc) => oc.column('store_id').doUpdateSet({ sequence: sql<number>`survey_settings.sequence + 1` }))
      .returning(['sequence', 'nps_every', 'expires_days'])
      .executeTakeFirstOrThrow();
    const language = textsFor(t.language ?? t.c_language).language;
    const row = await trx
      .insertInto('surveys')
      .values({
        id: uuidv7(now.getTime()),
        token: randomToken(24).replace(/[^A-Za-z0-9_-]/g, 'x'),
        ticket_id: t.id,
        store_id: t.store_id,
        customer_id: t.customer_id,
        language,
        kind: asksNps(settings.sequence, settings.nps_every) ? 'csat_nps' : 'csat',
        sequence: settings.sequence,
        created_at: now,
        expires_at: new Date(now.getTime() + settings.expires_days * 86_400_000),
      })
      .onConflict((oc) => oc.column('ticket_id').doNothing())
      .returning(['id', 'token', 'status', 'kind', 'language'])
      .executeTakeFirst();
    if (row) return row;
    return trx.selectFrom('surveys').select(['id', 'token', 'status', 'kind', 'language']).where('ticket_id', '=', t.id).executeTakeFirstOrThrow();
  });
}

/** The job: create the survey and e-mail it (retried by the runner on a temporary failure). */
export async function sendSurvey(deps: SurveyDeps, payload: unknown): Promise<{ status: SurveyStatus | 'skipped'; surveyId?: string }> {
  if (!isPayload(payload)) return { status: 'skipped' };
  const { db, clock } = deps;
  const t = await db
    .selectFrom('tickets')
    .innerJoin('customers as c', 'c.id', 'tickets.customer_id')
    .innerJoin('stores as s', 's.id', 'tickets.store_id')
    .select([
      'tickets.id', 'tickets.number', 'tickets.subject', 'tickets.status', 'tickets.solved_at', 'tickets.store_id', 'tickets.customer_id',
      'tickets.language', 'c.language as c_language', 'c.email', 'c.name', 's.name as store_name', 's.support_email',
    ])
    .where('tickets.id', '=', payload.ticketId)
    .executeTakeFirst();
  // reopened since (a later solve queues its own job), or gone
  if (!t || (t.status !== 'solved' && t.status !== 'closed') || !t.solved_at || t.solved_at.toISOString() !== payload.solvedAt) return { status: 'skipped' };
  if (!(await getSurveySettings(db, t.store_id)).enabled) return { status: 'skipped' };
  const now = clock.now();
  const survey = await createSurvey(db, now, t);
  if (survey.status !== 'created') return { status: survey.status, surveyId: survey.id };
  const to = /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(t.email) ? t.email : null;
  if (!deps.mailer || !to) {
    const reason = !to ? 'the customer has no e-mail address' : 'outbound e-mail is off (SMTP_RELAY_URL is not set)';
    await db.updateTable('surveys').set({ status: 'not_sent', last_error: reason }).where('id', '=', survey.id).execute();
    return { status: 'not_sent', surveyId: survey.id };
  }
  const mail = surveyEmail({ language: survey.language, kind: survey.kind, name: t.name, store: t.store_name, number: t.number, subject: t.subject, url: surveyUrl(deps.publicUrl, survey.token) });
  try {
    await deps.mailer.deliver({
      from: { name: t.store_name, address: t.support_email ?? deps.fromFallback },
      to: t.name ? { name: t.name, address: to } : to,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      // a survey is an automatic message: auto-responders must not answer it
      headers: { 'Auto-Submitted': 'auto-generated', 'X-Crossdesk-Ticket': String(t.number), 'X-Crossdesk-Survey': survey.id },
    });
  } catch (e) {
    const code = (e as { responseCode?: unknown }).responseCode;
    const message = (e instanceof Error ? e.message : String(e)).slice(0, 2000);
    if (typeof code === 'number' && code >= 500 && code < 600) {
      await db.updateTable('surveys').set({ status: 'not_sent', last_error: message }).where('id', '=', survey.id).execute();
      return { status: 'not_sent', surveyId: survey.id };
    }
    await db.updateTable('surveys').set({ last_error: message }).where('id', '=', survey.id).execute();
    throw e; // retried with backoff
  }
  await db.updateTable('surveys').set({ status: 'sent', sent_at: clock.now(), email_to: to, last_error: null }).where('id', '=', survey.id).where('status', '=', 'created').execute();
  return { status: 'sent', surveyId: survey.id };
}

export function surveyJobs(deps: SurveyDeps): Record<string, JobHandler> {
  return {
    [SURVEY_JOB]: async (payload) => {
      await sendSurvey(deps, payload);
    },
  };
}

// ---------------------------------------------------------------------------------------
// The public side

export interface PublicSurvey {
  id: string;
  language: string;
  kind: SurveyKind;
  store: string;
  ticketNumber: number;
  answered: boolean;
  csatScore: number | null;
  npsScore: number | null;
  comment: string | null;
}

/** The survey of a token; 404 unknown, 410 expired (answered ones stay readable). */
export async function surveyByToken(db: Kysely<DB>, token: string, now: Date): Promise<PublicSurvey> {
  if (!TOKEN_RE.test(token)) throw notFound('Survey');
  const r = await db
    .selectFrom('surveys')
    .innerJoin('stores as s', 's.id', 'surveys.store_id')
    .innerJoin('tickets as t', 't.id', 'surveys.ticket_id')
    .select(['surveys.id', 'surveys.language', 'surveys.kind', 'surveys.expires_at', 'surveys.answered_at', 'surveys.csat_score', 'surveys.nps_score', 'surveys.comment', 's.name as store', 't.number'])
    .where('surveys.token', '=', token)
    .executeTakeFirst();
  if (!r) throw notFound('Survey');
  if (!r.answered_at && r.expires_at <= now) throw new AppError('gone', 'This survey has expired', { language: r.language });
  return { id: r.id, language: r.language, kind: r.kind, store: r.store, ticketNumber: r.number, answered: r.answered_at !== null, csatScore: r.csat_score, npsScore: r.nps_score, comment: r.comment };
}

export interface SurveyAnswer {
  score: number;
  nps?: number;
  comment?: string;
}

/** Records the one answer of a token: 409 when already answered, 410 expired, 404 unknown. */
export async function answerSurvey(deps: { db: Kysely<DB>; clock: Clock }, token: string, answer: SurveyAnswer): Promise<PublicSurvey> {
  const now = deps.clock.now();
  const current = await surveyByToken(deps.db, token, now);
  if (current.answered) throw conflict('This survey has already been answered', { language: current.language });
  if (!Number.isInteger(answer.score) || answer.score < 1 || answer.score > 5) throw validationError('score must be a whole number from 1 to 5', { field: 'score' });
  if (answer.nps !== undefined) {
    if (current.kind !== 'csat_nps') throw validationError('this survey does not ask for an NPS score', { field: 'nps' });
    if (!Number.isInteger(answer.nps) || answer.nps < 0 || answer.nps > 10) throw validationError('nps must be a whole number from 0 to 10', { field: 'nps' });
  }
  // control characters out (except newlines and tabs); the text is stored as written and escaped when shown
  const comment = (answer.comment ?? '').replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '').trim();
  if (comment.length > MAX_COMMENT) throw validationError(`comment must be at most ${MAX_COMMENT} characters`, { field: 'comment' });
  const updated = await deps.db
    .updateTable('surveys')
    .set({ csat_score: answer.score, nps_score: answer.nps ?? null, comment: comment || null, answered_at: now, status: 'answered' })
    .where('token', '=', token)
    .where('answered_at', 'is', null)
    .where('expires_at', '>', now)
    .returning('id')
    .executeTakeFirst();
  if (!updated) throw conflict('This survey has already been answered', { language: current.language });
  return { ...current, answered: true, csatScore: answer.score, npsScore: answer.nps ?? null, comment: comment || null };
}

// ---------------------------------------------------------------------------------------
// Staff side: the survey of a ticket, aggregates

export interface SurveyJson {
  id: string;
  kind: SurveyKind;
  status: SurveyStatus;
  language: string;
  csatScore: number | null;
  npsScore: number | null;
  comment: string | null;
  createdAt: string;
  sentAt: string | null;
  answeredAt: string | null;
  expiresAt: string;
  lastError: string | null;
}

export async function surveyOfTicket(db: Kysely<DB>, ticketId: string): Promise<SurveyJson | null> {
  const r = await db.selectFrom('surveys').selectAll().where('ticket_id', '=', ticketId).executeTakeFirst();
  if (!r) return null;
  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  return {
    id: r.id,
    kind: r.kind,
    status: r.status,
    language: r.language,
    csatScore: r.csat_score,
    npsScore: r.nps_score,
    comment: r.comment,
    createdAt: r.created_at.toISOString(),
    sentAt: iso(r.sent_at),
    answeredAt: iso(r.answered_at),
    expiresAt: r.expires_at.toISOString(),
    lastError: r.last_error,
  };
}

export interface SurveyAnalytics {
  from: string;
  to: string;
  storeId: string | null;
  /** Surveys created in the window. */
  surveys: number;
  sent: number;
  answered: number;
  /** answered / sent */
  responseRate: number | null;
  csat: { responses: number; average: number | null; distribution: Record<'1' | '2' | '3' | '4' | '5', number>; satisfiedShare: number | null };
  nps: { asked: number; responses: number; promoters: number; passives: number; detractors: number; score: number | null };
}

/** Aggregates over surveys created in [from, to). NPS = % promoters (9–10) − % detractors (0–6). */
export async function surveyAnalytics(db: Kysely<DB>, input: { from: Date; to: Date; storeId?: string }): Promise<SurveyAnalytics> {
  if (input.storeId !== undefined && !isUuid(input.storeId)) throw validationError('storeId must be a store id', { field: 'storeId' });
  let q = db.selectFrom('surveys').where('created_at', '>=', input.from).where('created_at', '<', input.to);
  if (input.storeId) q = q.where('store_id', '=', input.storeId);
  const rows = await q.select(['kind', 'status', 'sent_at', 'answered_at', 'csat_score', 'nps_score']).execute();
  const sent = rows.filter((r) => r.sent_at !== null || r.status === 'sent').length;
  const answered = rows.filter((r) => r.answered_at !== null);
  const csatScores = answered.map((r) => r.csat_score).filter((x): x is number => x !== null);
  const npsScores = answered.map((r) => r.nps_score).filter((x): x is number => x !== null);
  const dist = { '1': 0, '2': 0, '3': 0, '4': 0, '5': 0 } as Record<'1' | '2' | '3' | '4' | '5', number>;
  for (const s of csatScores) dist[String(s) as '1']++;
  const r4 = (x: number) => Math.round(x * 10_000) / 10_000;
  const promoters = npsScores.filter((s) => s >= 9).length;
  const detractors = npsScores.filter((s) => s <= 6).length;
  return {
    from: input.from.toISOString(),
    to: input.to.toISOString(),
    storeId: input.storeId ?? null,
    surveys: rows.length,
    sent,
    answered: answered.length,
    responseRate: sent ? r4(answered.filter((r) => r.sent_at !== null).length / sent) : null,
    csat: {
      responses: csatScores.length,
      average: csatScores.length ? Math.round((csatScores.reduce((a, b) => a + b, 0) / csatScores.length) * 100) / 100 : null,
      distribution: dist,
      satisfiedShare: csatScores.length ? r4(csatScores.filter((s) => s >= 4).length / csatScores.length) : null,
    },
    nps: {
      asked: rows.filter((r) => r.kind === 'csat_nps').length,
      responses: npsScores.length,
      promoters,
      passives: npsScores.length - promoters - detractors,
      detractors,
      score: npsScores.length ? Math.round(((promoters - detractors) / npsScores.length) * 1000) / 10 : null,
    },
  };
}
