import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import Type, { type Static } from 'typebox';
import type { Kysely } from 'kysely';
import type { DB } from '../db/types.ts';
import type { Clock } from '../core/clock.ts';
import { AppError, isAppError, notFound, validationError } from '../core/errors.ts';
import { isUuid } from '../core/ids.ts';
import { actorOf } from '../server/auth.ts';
import { errorResponses, IdParams, Nullable } from '../server/schemas.ts';
import { hitRateLimit } from '../people/sessions.ts';
import { visibleTicketRef } from './tickets.ts';
import { answerSurvey, getSurveySettings, putSurveySettings, surveyAnalytics, surveyByToken, surveyOfTicket, surveyTexts, MAX_COMMENT, type SurveyAnswer } from './surveys.ts';
import { answeredPage, closedPage, formPage } from './survey-page.ts';

export interface SurveyRouteDeps {
  db: Kysely<DB>;
  clock: Clock;
}

// ---------------------------------------------------------------------------------------
// Public: /survey/:token (no sign-in; the token is the capability)

const TokenParams = Type.Object({ token: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false });
const PageQuery = Type.Object({ score: Type.Optional(Type.String({ pattern: '^[1-5]$' })) }, { additionalProperties: false });
export const AnswerBody = Type.Object(
  {
    score: Type.Integer({ minimum: 1, maximum: 5 }),
    nps: Type.Optional(Type.Integer({ minimum: 0, maximum: 10 })),
    comment: Type.Optional(Type.String({ maxLength: MAX_COMMENT })),
  },
  { additionalProperties: false },
);
const PublicAnswer = Type.Object({
  status: Type.Literal('answered'),
  csatScore: Type.Integer(),
  npsScore: Nullable(Type.Integer()),
  comment: Nullable(Type.String()),
});

/** Per client address: page views and answers (fixed windows in the database, so across nodes). */
export const SURVEY_LIMITS = { views: 120, answers: 20, windowMs: 10 * 60_000 };

/** The first of the customer's languages we have texts for (for pages without a survey). */
function acceptLanguage(req: FastifyRequest): string | null {
  const header = req.headers['accept-language'];
  if (typeof header !== 'string') return null;
  const have = surveyTexts();
  for (const part of header.split(',').slice(0, 10)) {
    const lang = part.trim().slice(0, 2).toLowerCase();
    if (have.has(lang)) return lang;
  }
  return null;
}

/** Urlencoded bodies as plain objects; whole-number fields become numbers, so the same schema checks both. */
function parseForm(body: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(body)) {
    if (k in out) {
      out[k] = [out[k], v]; // a repeated field fails the schema
      continue;
    }
    if ((k === 'score' || k === 'nps') && /^\d{1,2}$/.test(v)) out[k] = Number(v);
    else if (k === 'comment' && v === '') continue;
    else out[k] = v;
  }
  return out;
}

const isForm = (req: FastifyRequest) => (req.headers['content-type'] ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded');

function html(reply: FastifyReply, status: number, body: string) {
  return reply.code(status).header('cache-control', 'no-store').header('x-robots-tag', 'noindex').type('text/html; charset=utf-8').send(body);
}

async function limit(deps: SurveyRouteDeps, req: FastifyRequest, kind: 'views' | 'answers'): Promise<void> {
  const max = kind === 'views' ? SURVEY_LIMITS.views : SURVEY_LIMITS.answers;
  const r = await hitRateLimit(deps.db, `survey:${kind}:${req.ip}`, max, SURVEY_LIMITS.windowMs, deps.clock.now());
  if (!r.allowed) throw new AppError('rate_limited', `Too many requests; try again in ${r.retryAfterSeconds} s`, { retryAfterSeconds: r.retryAfterSeconds });
}

export function surveyPublicRoutes(deps: SurveyRouteDeps) {
  return async (app: FastifyInstance): Promise<void> => {
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 32 * 1024 }, (_req, body, done) => {
      try {
        done(null, parseForm(String(body)));
      } catch (e) {
        done(e as Error, undefined);
      }
    });

    app.get('/survey/:token', {
      schema: { tags: ['surveys'], summary: 'The survey page (HTML, in the customer\'s language)', params: TokenParams, querystring: PageQuery, response: { 200: Type.String(), ...errorResponses, 410: errorResponses[404] } },
    }, async (req, reply) => {
      await limit(deps, req, 'views');
      const { token } = req.params as Static<typeof TokenParams>;
      const q = req.query as Static<typeof PageQuery>;
      try {
        const s = await surveyByToken(deps.db, token, deps.clock.now());
        if (s.answered) return html(reply, 200, answeredPage({ language: s.language, store: s.store, csatScore: s.csatScore, npsScore: s.npsScore, comment: s.comment, already: true }));
        return html(reply, 200, formPage({ token, language: s.language, kind: s.kind, store: s.store, score: q.score ? Number(q.score) : undefined }));
      } catch (e) {
        if (isAppError(e) && e.code === 'not_found') return html(reply, 404, closedPage(acceptLanguage(req), 'not_found'));
        if (isAppError(e) && e.code === 'gone') return html(reply, 410, closedPage((e.details as { language?: string } | undefined)?.language ?? null, 'expired'));
        throw e;
      }
    });

    app.post('/survey/:token', {
      schema: {
        tags: ['surveys'],
        summary: 'Answer a survey once (JSON or an HTML form post)',
        params: TokenParams,
        body: AnswerBody,
        response: { 200: PublicAnswer, ...errorResponses, 410: errorResponses[404] },
      },
      attachValidation: true,
      bodyLimit: 32 * 1024,
    }, async (req, reply) => {
      await limit(deps, req, 'answers');
      const { token } = req.params as Static<typeof TokenParams>;
      const form = isForm(req);
      if (req.validationError) {
        if (!form) throw req.validationError;
        // the customer's browser: show the form again with what was wrong
        try {
          const s = await surveyByToken(deps.db, token, deps.clock.now());
          const b = (req.body ?? {}) as Record<string, unknown>;
          const commentTooLong = typeof b.comment === 'string' && b.comment.length > MAX_COMMENT;
          return html(reply, 400, formPage({
            token, language: s.language, kind: s.kind, store: s.store,
            score: typeof b.score === 'number' ? b.score : undefined,
            nps: typeof b.nps === 'number' ? b.nps : undefined,
            comment: typeof b.comment === 'string' ? b.comment.slice(0, MAX_COMMENT) : undefined,
            error: commentTooLong ? 'comment' : 'score',
          }));
        } catch (e) {
          if (isAppError(e) && e.code === 'not_found') return html(reply, 404, closedPage(acceptLanguage(req), 'not_found'));
          if (isAppError(e) && e.code === 'gone') return html(reply, 410, closedPage((e.details as { language?: string } | undefined)?.language ?? null, 'expired'));
          throw e;
        }
      }
      const body = req.body as SurveyAnswer;
      try {
        const s = await answerSurvey(deps, token, body);
        if (form) return html(reply, 200, answeredPage({ language: s.language, store: s.store, csatScore: s.csatScore, npsScore: s.npsScore, comment: s.comment, already: false }));
        return { status: 'answered' as const, csatScore: s.csatScore!, npsScore: s.npsScore, comment: s.comment };
      } catch (e) {
        if (!form || !isAppError(e)) throw e;
        const lang = (e.details as { language?: string } | undefined)?.language ?? acceptLanguage(req);
        if (e.code === 'not_found') return html(reply, 404, closedPage(lang, 'not_found'));
        if (e.code === 'gone') return html(reply, 410, closedPage(lang, 'expired'));
        if (e.code === 'conflict') {
          const s = await surveyByToken(deps.db, token, deps.clock.now());
          return html(reply, 409, answeredPage({ language: s.language, store: s.store, csatScore: s.csatScore, npsScore: s.npsScore, comment: s.comment, already: true }));
        }
        throw e;
      }
    });
  };
}

// ---------------------------------------------------------------------------------------
// Staff: /api/v1

const SurveySchema = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  status: Type.String(),
  language: Type.String(),
  csatScore: Nullable(Type.Integer()),
  npsScore: Nullable(Type.Integer()),
  comment: Nullable(Type.String()),
  createdAt: Type.String(),
  sentAt: Nullable(Type.String()),
  answeredAt: Nullable(Type.String()),
  expiresAt: Type.String(),
  lastError: Nullable(Type.String()),
});

const SettingsSchema = Type.Object({
  storeId: Type.String(),
  enabled: Type.Boolean(),
  delayMinutes: Type.Integer(),
  npsEvery: Type.Integer(),
  expiresDays: Type.Integer(),
  updatedAt: Nullable(Type.String()),
});
const SettingsPatch = Type.Object(
  {
    enabled: Type.Optional(Type.Boolean()),
    delayMinutes: Type.Optional(Type.Integer({ minimum: 0, maximum: 43_200 })),
    npsEvery: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000 })),
    expiresDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 365 })),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const RangeQuery = Type.Object(
  {
    from: Type.Optional(Type.String({ maxLength: 40 })),
    to: Type.Optional(Type.String({ maxLength: 40 })),
    storeId: Type.Optional(Type.String({ maxLength: 64 })),
  },
  { additionalProperties: false },
);

/** from/to as dates (YYYY-MM-DD or ISO date-time); default: the last 30 days. */
export function rangeOf(q: Static<typeof RangeQuery>, now: Date): { from: Date; to: Date; storeId?: string } {
  const parse = (s: string, field: string) => {
    if (!/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(s)) throw validationError(`${field} must be a date (YYYY-MM-DD) or an ISO date-time`, { field });
    const d = new Date(s);
    if (Number.isNaN(d.getTime())) throw validationError(`${field} is not a valid date`, { field });
    return d;
  };
  // the window is [from, to): by default it ends just after now, so what happened now counts
  const to = q.to ? parse(q.to, 'to') : new Date(now.getTime() + 1);
  const from = q.from ? parse(q.from, 'from') : new Date(to.getTime() - 30 * 86_400_000);
  if (from >= to) throw validationError('from must be before to', { field: 'from' });
  if (q.storeId !== undefined && !isUuid(q.storeId)) throw validationError('storeId must be a store id', { field: 'storeId' });
  return { from, to, storeId: q.storeId };
}

const SurveyAnalyticsSchema = Type.Object({
  from: Type.String(),
  to: Type.String(),
  storeId: Nullable(Type.String()),
  surveys: Type.Integer(),
  sent: Type.Integer(),
  answered: Type.Integer(),
  responseRate: Nullable(Type.Number()),
  csat: Type.Object({
    responses: Type.Integer(),
    average: Nullable(Type.Number()),
    distribution: Type.Object({ 1: Type.Integer(), 2: Type.Integer(), 3: Type.Integer(), 4: Type.Integer(), 5: Type.Integer() }),
    satisfiedShare: Nullable(Type.Number()),
  }),
  nps: Type.Object({
    asked: Type.Integer(),
    responses: Type.Integer(),
    promoters: Type.Integer(),
    passives: Type.Integer(),
    detractors: Type.Integer(),
    score: Nullable(Type.Number()),
  }),
});

export function surveyRoutes(deps: SurveyRouteDeps) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get('/tickets/:id/survey', {
      schema: { tags: ['surveys'], summary: 'The CSAT/NPS survey of a ticket and its answer', params: IdParams, response: { 200: Type.Object({ survey: Nullable(SurveySchema) }), ...errorResponses } },
      config: { roles: ['admin', 'manager', 'trainer', 'agent'] },
    }, async (req) => {
      const { id } = req.params as Static<typeof IdParams>;
      const ref = await visibleTicketRef(deps.db, id, actorOf(req));
      if (!ref) throw notFound('Ticket', id);
      return { survey: await surveyOfTicket(deps.db, id) };
    });

    app.get('/analytics/surveys', {
      schema: { tags: ['analytics'], summary: 'CSAT average and distribution, NPS, response rate', querystring: RangeQuery, response: { 200: SurveyAnalyticsSchema, ...errorResponses } },
      config: { roles: ['admin', 'manager'] },
    }, async (req) => surveyAnalytics(deps.db, rangeOf(req.query as Static<typeof RangeQuery>, deps.clock.now())));

    app.get('/stores/:id/survey-settings', {
      schema: { tags: ['surveys'], params: IdParams, response: { 200: SettingsSchema, ...errorResponses } },
      config: { roles: ['admin', 'manager'] },
    }, async (req) => getSurveySettings(deps.db, (req.params as Static<typeof IdParams>).id));

    app.put('/stores/:id/survey-settings', {
      schema: { tags: ['surveys'], summary: 'Survey delay, NPS every Nth survey, expiry, on/off', params: IdParams, body: SettingsPatch, response: { 200: SettingsSchema, ...errorResponses } },
      config: { roles: ['admin'] },
    }, async (req) => putSurveySettings(deps, (req.params as Static<typeof IdParams>).id, req.body as Static<typeof SettingsPatch>));
  };
}
