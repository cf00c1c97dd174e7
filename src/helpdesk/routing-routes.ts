import type { FastifyInstance } from 'fastify';
import Type, { type Static } from 'typebox';
import { actorOf } from '../server/auth.ts';
import { errorResponses, IdParams, Nullable } from '../server/schemas.ts';
import { validationError } from '../core/errors.ts';
import {
  assignWaiting,
  deleteStoreRule,
  getShifts,
  listRules,
  putRule,
  putShifts,
  setPresence,
  waitingQueue,
  type RoutingDeps,
  type RoutingSettings,
} from './routing.ts';

const lit = <T extends string>(values: readonly T[]) => Type.Union(values.map((v) => Type.Literal(v)));

const Proficiency = lit(['basic', 'working', 'fluent', 'native'] as const);
const Level = lit(['trainee', 'L1', 'L2', 'L3', 'expert'] as const);

const SettingsFields = {
  enabled: Type.Boolean(),
  requireLanguage: Type.Boolean(),
  minProficiency: Proficiency,
  requireSkill: Type.Boolean(),
  skillFallback: Type.Boolean(),
  highRiskMinLevel: Level,
  highRiskUrgent: Type.Boolean(),
  highRiskAngry: Type.Boolean(),
  respectMaxLoad: Type.Boolean(),
  teamId: Nullable(Type.String({ format: 'uuid' })),
};

const SettingsSchema = Type.Object(SettingsFields);
const SettingsPatch = Type.Object(
  Object.fromEntries(Object.entries(SettingsFields).map(([k, v]) => [k, Type.Optional(v)])) as { [K in keyof typeof SettingsFields]: Type.TOptional<(typeof SettingsFields)[K]> },
  { additionalProperties: false },
);

const RuleSchema = Type.Object({
  scope: Type.String(),
  storeId: Nullable(Type.String()),
  storeName: Nullable(Type.String()),
  settings: SettingsSchema,
  updatedAt: Type.String(),
  updatedBy: Nullable(Type.String()),
});

const PutRuleBody = Type.Object(
  { storeId: Nullable(Type.String({ maxLength: 64 })), settings: SettingsPatch },
  { additionalProperties: false },
);

const ShiftSchema = Type.Object(
  {
    weekday: Type.Integer({ minimum: 0, maximum: 6 }),
    start: Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' }),
    end: Type.String({ pattern: '^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$' }),
  },
  { additionalProperties: false },
);
const PresenceState = lit(['auto', 'on', 'off'] as const);
const ShiftsResponse = Type.Object({
  userId: Type.String(),
  timezone: Type.String(),
  shifts: Type.Array(ShiftSchema),
  presence: Type.Object({ state: Type.String(), updatedAt: Nullable(Type.String()) }),
  onShift: Type.Boolean(),
});
const PutShiftsBody = Type.Object({ shifts: Type.Array(ShiftSchema, { maxItems: 28 }) }, { additionalProperties: false });
const PresenceBody = Type.Object({ state: PresenceState }, { additionalProperties: false });
const PresenceResponse = Type.Object({ state: Type.String(), onShift: Type.Boolean(), handedBack: Type.Integer(), assigned: Type.Integer() });

const QueueQuery = Type.Object(
  { limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,3}$' })), offset: Type.Optional(Type.String({ pattern: '^[0-9]{1,6}$' })) },
  { additionalProperties: false },
);
const QueueItem = Type.Object({
  ticketId: Type.String(),
  number: Type.Integer(),
  subject: Type.String(),
  storeId: Type.String(),
  teamId: Nullable(Type.String()),
  priority: Type.String(),
  angry: Type.Boolean(),
  language: Nullable(Type.String()),
  category: Type.String(),
  createdAt: Type.String(),
  waitingMinutes: Type.Integer(),
  highRisk: Type.Boolean(),
  routingEnabled: Type.Boolean(),
  why: Type.Array(Type.Object({ code: Type.String(), count: Type.Integer() })),
});

/**
 * Routing under /api/v1: the rules (managers read, admins write), agents' shifts
 * (admins and managers), an agent's own presence (on / off shift), and the waiting queue.
 */
export function routingRoutes(deps: RoutingDeps) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get('/routing/rules', {
      schema: { tags: ['routing'], summary: 'Routing rules: the global one, then each store with its own', response: { 200: Type.Object({ items: Type.Array(RuleSchema) }), ...errorResponses } },
      config: { roles: ['admin', 'manager'] },
    }, async () => ({ items: await listRules(deps.db) }));

    app.put('/routing/rules', {
      schema: {
        tags: ['routing'],
        summary: 'Set the global rule (storeId null) or a store\'s own rule; fields left out keep their value',
        body: PutRuleBody,
        response: { 200: RuleSchema, ...errorResponses },
      },
      config: { roles: ['admin'] },
    }, async (req) => {
      const b = req.body as Static<typeof PutRuleBody>;
      const now = deps.clock.now();
      const rule = await putRule(deps.db, { storeId: b.storeId, settings: b.settings as Partial<RoutingSettings> }, actorOf(req), now);
      await kick(deps, now, req.log);
      return rule;
    });

    app.delete('/routing/rules/:id', {
      schema: { tags: ['routing'], summary: 'Remove a store\'s own rule (its tickets follow the global rule)', params: IdParams, response: { 204: Type.Null(), ...errorResponses } },
      config: { roles: ['admin'] },
    }, async (req, reply) => {
      await deleteStoreRule(deps.db, (req.params as Static<typeof IdParams>).id);
      return reply.code(204).send();
    });

    app.get('/users/:id/shifts', {
      schema: { tags: ['routing'], summary: 'An agent\'s weekly shifts (in their time zone) and presence', params: IdParams, response: { 200: ShiftsResponse, ...errorResponses } },
      config: { roles: ['admin', 'manager'] },
    }, async (req) => getShifts(deps.db, (req.params as Static<typeof IdParams>).id, deps.clock.now()));

    app.put('/users/:id/shifts', {
      schema: { tags: ['routing'], summary: 'Replace an agent\'s weekly shifts', params: IdParams, body: PutShiftsBody, response: { 200: ShiftsResponse, ...errorResponses } },
      config: { roles: ['admin', 'manager'] },
    }, async (req) => {
      const id = (req.params as Static<typeof IdParams>).id;
      return putShifts(deps, id, (req.body as Static<typeof PutShiftsBody>).shifts, deps.clock.now());
    });

    app.post('/me/presence', {
      schema: {
        tags: ['routing'],
        summary: 'Go on shift, off shift (open urgent tickets are handed back), or back to the schedule (auto)',
        body: PresenceBody,
        response: { 200: PresenceResponse, ...errorResponses },
      },
      config: { roles: ['admin', 'manager', 'agent'] },
    }, async (req) => {
      const { state } = req.body as Static<typeof PresenceBody>;
      return setPresence(deps, actorOf(req).id ?? '', state, deps.clock.now());
    });

    app.get('/routing/queue', {
      schema: {
        tags: ['routing'],
        summary: 'Tickets waiting for an agent (urgent and oldest first) and why nobody fits them now',
        querystring: QueueQuery,
        response: { 200: Type.Object({ items: Type.Array(QueueItem), total: Type.Integer() }), ...errorResponses },
      },
      config: { roles: ['admin', 'manager', 'agent'] },
    }, async (req) => {
      const q = req.query as Static<typeof QueueQuery>;
      const limit = q.limit === undefined ? undefined : Number(q.limit);
      if (limit !== undefined && (limit < 1 || limit > 200)) throw validationError('limit must be 1 … 200', { field: 'limit' });
      return waitingQueue(deps.db, deps.clock.now(), { limit, offset: q.offset === undefined ? undefined : Number(q.offset) });
    });
  };
}

/** After a rule change, waiting tickets may fit someone now. */
async function kick(deps: RoutingDeps, now: Date, log: { warn: (o: object, m: string) => void }): Promise<void> {
  try {
    await assignWaiting(deps, now);
  } catch (err) {
    log.warn({ err }, 'routing: handing out waiting tickets failed');
  }
}
