/** HTTP of drills: /api/v1/scenarios and /api/v1/drills. Thin: parse, call store.ts, shape. */
import type { FastifyInstance } from 'fastify';
import type { Static } from 'typebox';
import YAML from 'yaml';
import { actorOf } from '../server/auth.ts';
import { errorResponses } from '../server/schemas.ts';
import { scenarioFromTicket } from './from-ticket.ts';
import {
  AssignBody,
  AssignmentQuery,
  AssignmentSchema,
  FromTicketBody,
  FromTicketSchema,
  IdParam,
  PassKQuery,
  PassKSchema,
  ReportSchema,
  ScenarioDetailSchema,
  ScenarioListSchema,
  ScenarioQuery,
  SessionListQuery,
  SessionListSchema,
  SessionSchema,
  StartBody,
  TurnBody,
  TurnResultSchema,
} from './schemas.ts';
import {
  assignScenario,
  endSession,
  getReport,
  getScenario,
  getSession,
  isTrainer,
  listAssignments,
  listScenarios,
  listSessions,
  passK,
  postTurn,
  publicScenario,
  startSession,
  type DrillActor,
  type DrillDeps,
} from './store.ts';
import { variantIds } from './scenario.ts';
import type { Role } from '../db/types.ts';
import { Tau2Customer } from './tau2/customer.ts';
import { tau2VoiceFromEnv } from './tau2/llm-customer.ts';
import { isTau2ScenarioId, tau2PublicScenario } from './tau2/source.ts';
import { tau2TaskFor } from './store.ts';

const staff = ['admin', 'manager', 'trainer', 'agent'] as const;
const trainers = ['admin', 'manager', 'trainer'] as const;
const num = (s: string | undefined) => (s === undefined ? undefined : Number(s));

export function drillRoutes(given: DrillDeps) {
  // The tau2 customer speaks through the LLM when one is configured (LLM_BASE_URL), as the voice does.
  const deps: DrillDeps = { ...given, tau2Voice: given.tau2Voice ?? (given.voice ? tau2VoiceFromEnv() : undefined) };
  return async (app: FastifyInstance): Promise<void> => {
    const who = (req: Parameters<typeof actorOf>[0]): DrillActor => {
      const a = actorOf(req);
      return { id: a.id!, role: a.role as Role };
    };

    app.get('/scenarios', {
      schema: { tags: ['drills'], summary: 'Drill scenarios (library and from tickets), filtered and paginated', querystring: ScenarioQuery, response: { 200: ScenarioListSchema, ...errorResponses } },
      config: { roles: staff },
    }, async (req) => {
      const q = req.query as Static<typeof ScenarioQuery>;
      return listScenarios(deps.db, { ...q, limit: num(q.limit), offset: num(q.offset), tau2Dir: deps.tau2Dir });
    });

    app.get('/scenarios/:id', {
      schema: { tags: ['drills'], summary: 'One scenario: what a trainee sees; trainers also get the full scenario and YAML', params: IdParam, response: { 200: ScenarioDetailSchema, ...errorResponses } },
      config: { roles: staff },
    }, async (req) => {
      const { id } = req.params as Static<typeof IdParam>;
      if (isTau2ScenarioId(id)) {
        const { dataset, task } = tau2TaskFor(deps, id);
        const base = tau2PublicScenario(task, new Tau2Customer(task, dataset.db, 1).opening());
        // trainers also see the whole task (instructions, gold actions, facts to tell)
        return isTrainer(who(req)) ? { ...base, full: task } : base;
      }
      const { scenario, source } = await getScenario(deps.db, id);
      const base = publicScenario(scenario, source);
      if (!isTrainer(who(req))) return base;
      const { file: _file, ...full } = scenario;
      return { ...base, full, yaml: YAML.stringify(full, { lineWidth: 0 }) };
    });

    app.post('/scenarios/from-ticket', {
      schema: { tags: ['drills'], summary: 'Turn a solved ticket into a scenario draft (personal data replaced)', body: FromTicketBody, response: { 201: FromTicketSchema, ...errorResponses } },
      config: { roles: trainers },
    }, async (req, reply) => {
      const a = actorOf(req);
      const { ticketId } = req.body as Static<typeof FromTicketBody>;
      const out = await scenarioFromTicket(deps, ticketId, { ...a, id: a.id! });
      reply.code(201);
      const s = out.scenario;
      return { id: out.id, yaml: out.yaml, scenario: { id: s.id, title: s.title, market: s.market, language: s.language, category: s.category, difficulty: s.difficulty, tags: s.tags, source: 'ticket', variants: variantIds(s) } };
    });

    app.post('/drills', {
      schema: { tags: ['drills'], summary: 'Start a drill session on a scenario (optionally a variant, a seed, an assignment)', body: StartBody, response: { 201: SessionSchema, ...errorResponses } },
      config: { roles: staff },
    }, async (req, reply) => {
      const out = await startSession(deps, req.body as Static<typeof StartBody>, who(req));
      reply.code(201);
      return out;
    });

    app.get('/drills', {
      schema: { tags: ['drills'], summary: 'Drill sessions of a user (default: me; others for trainers/managers/admins)', querystring: SessionListQuery, response: { 200: SessionListSchema, ...errorResponses } },
      config: { roles: staff },
    }, async (req) => {
      const q = req.query as Static<typeof SessionListQuery>;
      return listSessions(deps, { userId: q.userId, scenarioId: q.scenarioId, limit: num(q.limit), offset: num(q.offset) }, who(req));
    });

    app.get('/drills/pass-k', {
      schema: { tags: ['drills'], summary: "pass^k of a user on a scenario over the variants played", querystring: PassKQuery, response: { 200: PassKSchema, ...errorResponses } },
      config: { roles: staff },
    }, async (req) => {
      const q = req.query as Static<typeof PassKQuery>;
      return passK(deps, { scenarioId: q.scenarioId, userId: q.userId, k: num(q.k) }, who(req));
    });

    app.post('/drills/assignments', {
      schema: { tags: ['drills'], summary: 'Assign a scenario (and variant) to an agent', body: AssignBody, response: { 201: AssignmentSchema, ...errorResponses } },
      config: { roles: trainers },
    }, async (req, reply) => {
      const out = await assignScenario(deps, req.body as Static<typeof AssignBody>, who(req));
      reply.code(201);
      return out;
    });

    app.get('/drills/assignments', {
      schema: { tags: ['drills'], summary: "Assignments of a user (default: mine)", querystring: AssignmentQuery, response: { 200: { type: 'object', properties: { items: { type: 'array', items: AssignmentSchema } } }, ...errorResponses } },
      config: { roles: staff },
    }, async (req) => listAssignments(deps, req.query as Static<typeof AssignmentQuery>, who(req)));

    app.get('/drills/:id', {
      schema: { tags: ['drills'], summary: 'A drill session: transcript, customer state, sandbox data, hints', params: IdParam, response: { 200: SessionSchema, ...errorResponses } },
      config: { roles: staff },
    }, async (req) => getSession(deps, (req.params as Static<typeof IdParam>).id, who(req)));

    app.post('/drills/:id/turns', {
      schema: { tags: ['drills'], summary: "Post the trainee's turn (text and/or tool calls); returns the customer's reply, hints and state", params: IdParam, body: TurnBody, response: { 200: TurnResultSchema, ...errorResponses } },
      config: { roles: staff },
    }, async (req) => postTurn(deps, (req.params as Static<typeof IdParam>).id, req.body as Static<typeof TurnBody>, who(req)));

    app.post('/drills/:id/end', {
      schema: { tags: ['drills'], summary: 'End the drill and score it (idempotent: an ended drill returns its report)', params: IdParam, response: { 200: ReportSchema, ...errorResponses } },
      config: { roles: staff },
    }, async (req) => endSession(deps, (req.params as Static<typeof IdParam>).id, who(req)));

    app.get('/drills/:id/report', {
      schema: { tags: ['drills'], summary: 'The end report of an ended drill', params: IdParam, response: { 200: ReportSchema, ...errorResponses } },
      config: { roles: staff },
    }, async (req) => getReport(deps, (req.params as Static<typeof IdParam>).id, who(req)));
  };
}
