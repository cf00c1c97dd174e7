import type { FastifyInstance } from 'fastify';
import Type, { type Static } from 'typebox';
import type { Kysely } from 'kysely';
import type { DB } from '../db/types.ts';
import type { Clock } from '../core/clock.ts';
import { errorResponses, Nullable } from '../server/schemas.ts';
import { RangeQuery, rangeOf } from './survey-routes.ts';
import { ticketAnalytics } from './ticket-analytics.ts';

const Counts = Type.Record(Type.String(), Type.Integer());

const TicketAnalyticsSchema = Type.Object({
  from: Type.String(),
  to: Type.String(),
  storeId: Nullable(Type.String()),
  created: Type.Integer(),
  solved: Type.Integer(),
  byStatus: Counts,
  byCategory: Counts,
  byChannel: Counts,
  byPriority: Counts,
  daily: Type.Array(Type.Object({ date: Type.String(), created: Type.Integer(), solved: Type.Integer() })),
});

/** GET /api/v1/analytics/tickets: ticket volume by status, category, channel, priority and day. */
export function ticketAnalyticsRoutes(deps: { db: Kysely<DB>; clock: Clock }) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get('/analytics/tickets', {
      schema: {
        tags: ['analytics'],
        summary: 'Tickets created in [from, to) by status, category, channel and priority; created and solved per UTC day',
        querystring: RangeQuery,
        response: { 200: TicketAnalyticsSchema, ...errorResponses },
      },
      config: { roles: ['admin', 'manager'] },
    }, async (req) => ticketAnalytics(deps.db, rangeOf(req.query as Static<typeof RangeQuery>, deps.clock.now())));
  };
}
