import type { FastifyInstance } from 'fastify';
import Type, { type Static } from 'typebox';
import type { Kysely } from 'kysely';
import type { DB } from '../db/types.ts';
import type { Clock } from '../core/clock.ts';
import { errorResponses, IdParams, Nullable } from '../server/schemas.ts';
import { botAnalytics, getBotSettings, putBotSettings } from './bot.ts';
import { RangeQuery, rangeOf } from './survey-routes.ts';

const SettingsSchema = Type.Object({
  storeId: Type.String(),
  enabled: Type.Boolean(),
  faqThreshold: Type.Number(),
  minTriageConfidence: Type.Number(),
  reopenWindowDays: Type.Integer(),
  updatedAt: Nullable(Type.String()),
});

const SettingsPatch = Type.Object(
  {
    enabled: Type.Optional(Type.Boolean()),
    faqThreshold: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1 })),
    minTriageConfidence: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
    reopenWindowDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 90 })),
  },
  { additionalProperties: false, minProperties: 1 },
);

const BotAnalyticsSchema = Type.Object({
  from: Type.String(),
  to: Type.String(),
  storeId: Nullable(Type.String()),
  tickets: Type.Integer(),
  decisions: Type.Integer(),
  answered: Type.Integer(),
  answeredByKind: Type.Object({ tracking: Type.Integer(), faq: Type.Integer() }),
  handedOff: Type.Integer(),
  handOffReasons: Type.Record(Type.String(), Type.Integer()),
  deflected: Type.Integer(),
  deflectionRate: Nullable(Type.Number()),
  reopened: Type.Integer(),
  reopenRate: Nullable(Type.Number()),
  reopenWindowDays: Type.Integer(),
});

/** Bot settings per store and its figures (deflection, reopened answers). */
export function botRoutes(deps: { db: Kysely<DB>; clock: Clock }) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get('/analytics/bot', {
      schema: {
        tags: ['analytics'],
        summary: 'Bot deflection rate and the share of its answers the customer reopened',
        querystring: RangeQuery,
        response: { 200: BotAnalyticsSchema, ...errorResponses },
      },
      config: { roles: ['admin', 'manager'] },
    }, async (req) => botAnalytics(deps.db, rangeOf(req.query as Static<typeof RangeQuery>, deps.clock.now())));

    app.get('/stores/:id/bot-settings', {
      schema: { tags: ['bot'], params: IdParams, response: { 200: SettingsSchema, ...errorResponses } },
      config: { roles: ['admin', 'manager'] },
    }, async (req) => getBotSettings(deps.db, (req.params as Static<typeof IdParams>).id));

    app.put('/stores/:id/bot-settings', {
      schema: { tags: ['bot'], summary: 'Bot on/off, FAQ confidence threshold, minimum triage confidence', params: IdParams, body: SettingsPatch, response: { 200: SettingsSchema, ...errorResponses } },
      config: { roles: ['admin'] },
    }, async (req) => putBotSettings(deps, (req.params as Static<typeof IdParams>).id, req.body as Static<typeof SettingsPatch>));
  };
}
