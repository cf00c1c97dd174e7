import fs from 'node:fs';
import path from 'node:path';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import helmet from 'helmet';
import websocket from '@fastify/websocket';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fastifyStatic from '@fastify/static';
import type { Kysely } from 'kysely';
import type { DB } from '../db/types.ts';
import type { DatabaseKind } from '../db/index.ts';
import type { Clock } from '../core/clock.ts';
import type { EventBus } from '../core/events.ts';
import { isAppError } from '../core/errors.ts';
import { repoRoot } from '../core/paths.ts';
import { authHook } from './auth.ts';
import { eventsRoute } from './events-ws.ts';
import { ErrorSchema } from './schemas.ts';
import { helpdeskRoutes } from '../helpdesk/routes.ts';
import type { TicketDeps, TriageFn } from '../helpdesk/tickets.ts';
import { peopleRoutes } from '../people/routes.ts';
import { routingRoutes } from '../helpdesk/routing-routes.ts';
import { createTranslator, type Translator } from '../translation/index.ts';

export const VERSION: string = (JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;

export interface AppDeps {
  db: Kysely<DB>;
  dbKind: DatabaseKind;
  bus: EventBus;
  clock: Clock;
  triage?: TriageFn;
  afterIntake?: TicketDeps['afterIntake'];
  secureCookies?: boolean;
  logger?: boolean | { level: string };
  /** Folder of the built web app; default web/dist. */
  webDist?: string;
  bodyLimit?: number;
  /** Chat widget: rate limits, presence cache (defaults suit production). */
  chat?: import('../channels/chat/settings.ts').ChatOptions;
  /** Translation provider (TRANSLATE_PROVIDER); default none. */
  translator?: Translator;
  /** Market rules in force for this app (files + trainers' edits); default: loaded from `db`. */
  markets?: import('../markets/overrides.ts').MarketService;
  /** Base of links to the customer (return-label links); default http://localhost:3000. */
  publicUrl?: string;
  /** The secret that signs public links (runtime: CROSSDESK_SECRET_KEY or the data folder's key); default a random one per app. */
  linkSecret?: string;
}

function errorBody(code: string, message: string, details?: unknown) {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

/** The composition root: one Fastify app built from the modules' route plugins. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: deps.logger ?? false,
    bodyLimit: deps.bodyLimit ?? 1024 * 1024,
    trustProxy: true,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: true, allErrors: false } },
  });
  // schemas use `format` (uuid, date-time): register the formats with the validator
  const addFormats = (await import('ajv-formats')).default as unknown as (ajv: unknown) => void;
  app.setValidatorCompiler(await validatorCompiler(addFormats));

  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (isAppError(err)) {
      if (err.status >= 500) req.log.error(err);
      return reply.code(err.status).send(errorBody(err.code, err.message, err.details));
    }
    if (err.validation) {
      const first = err.validation[0];
      const where = err.validationContext ?? 'request';
      const field = first?.instancePath ? first.instancePath.replace(/^\//, '').replace(/\//g, '.') : (first?.params as { missingProperty?: string; additionalProperty?: string } | undefined)?.missingProperty;
      const extra = (first?.params as { additionalProperty?: string } | undefined)?.additionalProperty;
      const msg = extra
        ? `${where}: unknown field "${extra}"`
        : `${where}${field ? ` field "${field}"` : ''} ${first?.message ?? 'is invalid'}`;
      return reply.code(400).send(errorBody('validation_failed', msg, { context: where, errors: err.validation.slice(0, 5).map((v) => ({ path: v.instancePath, message: v.message, params: v.params })) }));
    }
    const status = err.statusCode ?? 500;
    if (status === 413) return reply.code(413).send(errorBody('payload_too_large', 'The request body is too large'));
    if (status === 415) return reply.code(415).send(errorBody('unsupported_media_type', err.message));
    if (status === 429) return reply.code(429).send(errorBody('rate_limited', err.message));
    if (status >= 400 && status < 500) {
      const code = err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ? 'validation_failed' : status === 404 ? 'not_found' : 'validation_failed';
      const message = code === 'validation_failed' && err.code?.startsWith('FST_ERR_CTP') ? `The request body is not valid JSON: ${err.message}` : err.message;
      return reply.code(status).send(errorBody(code, message));
    }
    req.log.error(err);
    return reply.code(500).send(errorBody('internal', 'Something went wrong on our side; it has been logged'));
  });

  await app.register(cookie);
  // Security headers; the CSP allows only our own scripts (a customer's <script> in a name
  // or message can never run even if some view rendered it as HTML). Helmet's headers are
  // worked out once at start-up (helmet sets the same headers on every response).
  const headers = await securityHeaders();
  app.addHook('onRequest', (_req, reply, done) => {
    for (const [name, value] of headers) reply.raw.setHeader(name, value);
    done();
  });
  await app.register(websocket, { options: { maxPayload: 64 * 1024 } });
  await app.register(swagger, {
    openapi: {
      info: { title: 'crossdesk API', version: VERSION, description: 'After-sales service and training for cross-border sellers' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' }, cookie: { type: 'apiKey', in: 'cookie', name: 'cd_session' } } },
      security: [{ bearer: [] }, { cookie: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs', staticCSP: true });

  const auth = authHook(deps.db, deps.clock);
  app.addHook('onRequest', async (req, reply) => {
    // the matched route, not the raw URL: "/%61pi/v1/users" is routed to /api/v1/users too
    const route = req.routeOptions.url ?? req.url.split('?')[0];
    if (!route.startsWith('/api/v1')) return;
    await auth(req, reply);
  });
  app.decorateRequest('auth', null);
  // the market rules in force are this app's (files + edits in its database): every request
  // runs with them (again before the handler: body parsing may leave the async context)
  const markets = deps.markets ?? (await (await import('../markets/overrides.ts')).openMarketService({ db: deps.db, bus: deps.bus }));
  app.addHook('onRequest', markets.hook);
  app.addHook('preHandler', markets.hook);
  if (!deps.markets) app.addHook('onClose', async () => markets.close());

  app.get('/api/health', {
    schema: {
      tags: ['system'],
      response: { 200: { type: 'object', properties: { status: { type: 'string' }, database: { type: 'string' }, version: { type: 'string' }, events: { type: 'string' } } }, 503: ErrorSchema },
    },
  }, async (_req, reply) => {
    try {
      await deps.db.selectFrom('stores').select('id').limit(1).execute();
    } catch {
      return reply.code(503).send(errorBody('internal', 'database unavailable'));
    }
    return { status: 'ok', database: deps.dbKind, version: VERSION, events: deps.bus.kind };
  });

  // customers' signed links to their return labels (suggested replies carry them)
  const labelLinks = (await import('../commerce/public-label.ts')).returnLabelLinks({
    publicUrl: deps.publicUrl ?? 'http://localhost:3000',
    secret: deps.linkSecret ?? (await import('node:crypto')).randomBytes(32).toString('base64url'),
  });
  await app.register(
    async (api) => {
      await api.register(peopleRoutes({ db: deps.db, clock: deps.clock, secureCookies: deps.secureCookies ?? false }));
      await api.register(helpdeskRoutes({ db: deps.db, bus: deps.bus, clock: deps.clock, triage: deps.triage, afterIntake: deps.afterIntake }));
      await api.register((await import('../knowledge/routes.ts')).knowledgeRoutes({ db: deps.db, clock: deps.clock, contextProviders: [(await import('../commerce/suggestion-context.ts')).commerceContextProvider({ links: labelLinks, clock: deps.clock })] }));
      await api.register((await import('../commerce/routes.ts')).commerceRoutes({ db: deps.db, clock: deps.clock }));
      await api.register((await import('../commerce/policy-routes.ts')).returnPolicyRoutes({ db: deps.db }));
      await api.register((await import('../helpdesk/playbook-routes.ts')).playbookRoutes({ db: deps.db, bus: deps.bus, clock: deps.clock }));
      await api.register((await import('../channels/email/routes.ts')).emailRoutes({ db: deps.db, clock: deps.clock }));
      await api.register(eventsRoute(deps.bus));
      await api.register((await import('../markets/routes.ts')).marketRoutes({ db: deps.db, clock: deps.clock, markets }));
      await api.register((await import('../training/routes.ts')).drillRoutes({ db: deps.db, clock: deps.clock, voice: (await import('../training/llm-voice.ts')).voiceFromEnv() }));
      const translator = deps.translator ?? createTranslator({ translateProvider: 'none' });
      await api.register((await import('../translation/routes.ts')).translationRoutes({ db: deps.db, bus: deps.bus, clock: deps.clock, translator, afterIntake: deps.afterIntake }));
      await api.register(routingRoutes({ db: deps.db, bus: deps.bus, clock: deps.clock, triage: deps.triage, dbKind: deps.dbKind }));
      await api.register((await import('../helpdesk/bot-routes.ts')).botRoutes({ db: deps.db, clock: deps.clock }));
      await api.register((await import('../helpdesk/survey-routes.ts')).surveyRoutes({ db: deps.db, clock: deps.clock }));
      await api.register((await import('../helpdesk/ticket-analytics-routes.ts')).ticketAnalyticsRoutes({ db: deps.db, clock: deps.clock }));
      await api.register((await import('../channels/chat/routes.ts')).chatAgentRoutes({ db: deps.db, bus: deps.bus, clock: deps.clock }));
      await api.register((await import('../channels/shopify/routes.ts')).shopifyIntegrationRoutes({ db: deps.db, clock: deps.clock }));
      await api.register((await import('../commerce/import/routes.ts')).importRoutes({ db: deps.db, clock: deps.clock }));
    },
    { prefix: '/api/v1' },
  );
  // Shopify webhooks (signed with the store's secret, no sign-in; raw body in their own plugin)
  await app.register((await import('../channels/shopify/routes.ts')).shopifyWebhookRoutes({ db: deps.db, clock: deps.clock }));
  // the chat widget's public side: /widget.js, /widget/demo, /widget/v1/* (own CORS, no sign-in)
  await app.register((await import('../channels/chat/routes.ts')).chatWidgetRoutes({ db: deps.db, bus: deps.bus, clock: deps.clock, triage: deps.triage, afterIntake: deps.afterIntake }, deps.chat));

  // CSAT/NPS survey pages: /survey/:token (the token is the capability; rate-limited, no sign-in)
  await app.register((await import('../helpdesk/survey-routes.ts')).surveyPublicRoutes({ db: deps.db, clock: deps.clock }));
  // return labels for customers: /public/returns/:id/label.pdf?t= (signed, expiring; no sign-in)
  await app.register((await import('../commerce/public-label.ts')).publicLabelRoutes({ db: deps.db, clock: deps.clock, links: labelLinks }));

  // The web app: built files from web/dist, index.html for client-side routes.
  const dist = deps.webDist ?? path.join(repoRoot, 'web', 'dist');
  const hasWeb = fs.existsSync(path.join(dist, 'index.html'));
  if (hasWeb) await app.register(fastifyStatic, { root: dist, prefix: '/', wildcard: false, index: ['index.html'], globIgnore: ['widget.js'] });
  app.setNotFoundHandler((req, reply) => {
    if (req.url.startsWith('/api') || req.url.startsWith('/webhooks') || req.url.startsWith('/widget/') || req.method !== 'GET') {
      return reply.code(404).send(errorBody('not_found', `No route ${req.method} ${req.url.split('?')[0]}`));
    }
    if (hasWeb) return reply.type('text/html').sendFile('index.html');
    return reply.code(404).type('text/plain').send('The web app is not built: run `npm run build:web`.');
  });
  return app;
}

/** The headers helmet sets with our policy (it sets the same ones on every response). */
async function securityHeaders(): Promise<Array<[string, string]>> {
  const headers = new Map<string, string>();
  const res = {
    setHeader: (name: string, value: string) => void headers.set(name, String(value)),
    removeHeader: (name: string) => void headers.delete(name),
  };
  await new Promise<void>((resolve, reject) => {
    helmet({
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'", "'unsafe-inline'"],
          imgSrc: ["'self'", 'data:'],
          connectSrc: ["'self'", 'ws:', 'wss:'],
          objectSrc: ["'none'"],
          frameAncestors: ["'self'"],
          upgradeInsecureRequests: null,
        },
      },
      crossOriginEmbedderPolicy: false,
    })({} as never, res as never, (err) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve()));
  });
  return [...headers];
}

async function validatorCompiler(addFormats: (ajv: unknown) => void) {
  const { default: Ajv } = (await import('ajv')) as unknown as { default: new (o: object) => { compile: (s: object) => unknown } };
  const strict = new Ajv({ removeAdditional: false, coerceTypes: false, useDefaults: true, allErrors: false, strict: false });
  addFormats(strict);
  return ({ schema }: { schema: object }) => strict.compile(schema) as (data: unknown) => boolean;
}
