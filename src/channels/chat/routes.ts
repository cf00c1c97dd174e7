import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import Type, { type Static } from 'typebox';
import { AppError, notFound, validationError } from '../../core/errors.ts';
import { isUuid } from '../../core/ids.ts';
import { getDefaultStore, getStore } from '../../helpdesk/stores.ts';
import { actorOf } from '../../server/auth.ts';
import { errorResponses, IdParams } from '../../server/schemas.ts';
import type { TicketDeps } from '../../helpdesk/tickets.ts';
import {
  agentTyping,
  checkRate,
  createConversation,
  listVisitorMessages,
  originAllowed,
  postVisitorMessage,
  putWidgetSettings,
  requireVisitor,
  visitorConversations,
  visitorTyping,
  widgetConfig,
  widgetSettings,
  type ChatDeps,
} from './conversations.ts';
import { ChatHub } from './hub.ts';
import { demoPage } from './demo-page.ts';
import { chatLimits, MAX_NAME, MAX_TEXT, type ChatOptions } from './settings.ts';
import { ensureWidgetBuilt } from './widget-build.ts';

export const VISITOR_HEADER = 'x-visitor-token';

const Language = Type.String({ maxLength: 35, pattern: '^[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*$' });

export const CreateConversationBody = Type.Object(
  {
    storeId: Type.String({ minLength: 1, maxLength: 64 }),
    name: Type.Optional(Type.String({ maxLength: MAX_NAME })),
    email: Type.Optional(Type.String({ maxLength: 254 })),
    text: Type.String({ minLength: 1, maxLength: MAX_TEXT }),
    language: Type.Optional(Language),
    pageUrl: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false },
);
export const TextBody = Type.Object({ text: Type.String({ minLength: 1, maxLength: MAX_TEXT }) }, { additionalProperties: false });
export const TypingBody = Type.Object({ typing: Type.Boolean() }, { additionalProperties: false });
const AfterQuery = Type.Object({ after: Type.Optional(Type.String({ maxLength: 64 })) }, { additionalProperties: false });
const ConfigQuery = Type.Object({ storeId: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false });
const TokenQuery = Type.Object({ token: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false });
const DemoQuery = Type.Object({ store: Type.Optional(Type.String({ maxLength: 64 })), lang: Type.Optional(Language) }, { additionalProperties: false });

export const WidgetMessageSchema = Type.Object({
  id: Type.String(),
  from: Type.Union([Type.Literal('visitor'), Type.Literal('agent'), Type.Literal('bot')]),
  authorName: Type.Union([Type.String(), Type.Null()]),
  text: Type.String(),
  createdAt: Type.String(),
});
const ModeSchema = Type.Union([Type.Literal('live'), Type.Literal('offline')]);
const CreatedSchema = Type.Object({ conversationId: Type.String(), visitorToken: Type.String(), ticketId: Type.String(), mode: ModeSchema, message: WidgetMessageSchema });
const ListSchema = Type.Object({ conversationId: Type.String(), mode: ModeSchema, items: Type.Array(WidgetMessageSchema) });
const ConfigSchema = Type.Object({ storeId: Type.String(), storeName: Type.String(), online: Type.Boolean() });
export const WidgetSettingsSchema = Type.Object({ storeId: Type.String(), enabled: Type.Boolean(), allowedOrigins: Type.Array(Type.String()) });
const WidgetSettingsBody = Type.Object(
  { enabled: Type.Optional(Type.Boolean()), allowedOrigins: Type.Optional(Type.Array(Type.String({ maxLength: 300 }), { maxItems: 50 })) },
  { additionalProperties: false },
);

const header = (req: FastifyRequest, name: string): string | undefined => {
  const v = req.headers[name];
  return typeof v === 'string' ? v : undefined;
};

/** 429s say when to come back. */
function retryAfter(reply: FastifyReply, e: unknown): never {
  if (e instanceof AppError && e.code === 'rate_limited') {
    const s = (e.details as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds;
    if (s) void reply.header('retry-after', String(s));
  }
  throw e;
}

function chatDeps(deps: TicketDeps, opts: ChatOptions): ChatDeps {
  return { ...deps, limits: chatLimits(opts.limits), presenceCacheMs: opts.presenceCacheMs ?? 10_000 };
}

/**
 * The public side of the chat widget, outside /api/v1 and its sign-in: the visitor API and
 * websocket under /widget/v1 (CORS for these only), the script /widget.js and the demo
 * shop page /widget/demo.
 */
export function chatWidgetRoutes(deps: TicketDeps, opts: ChatOptions = {}) {
  const chat = chatDeps(deps, opts);
  return async (app: FastifyInstance): Promise<void> => {
    const hub = new ChatHub(deps.db, deps.bus);
    app.addHook('onClose', async () => hub.close());

    app.get('/widget.js', { schema: { hide: true } }, async (_req, reply) => {
      const bundle = await ensureWidgetBuilt();
      return reply
        .header('content-type', 'application/javascript; charset=utf-8')
        .header('cache-control', 'public, max-age=300')
        .header('etag', `"${bundle.hash.slice(0, 32)}"`)
        // shops on other origins load it with a plain <script>: allow that explicitly
        .header('cross-origin-resource-policy', 'cross-origin')
        .header('access-control-allow-origin', '*')
        .send(bundle.code);
    });

    app.get('/widget/demo', { schema: { hide: true, querystring: DemoQuery } }, async (req, reply) => {
      const q = req.query as Static<typeof DemoQuery>;
      if (q.store !== undefined && !isUuid(q.store)) throw notFound('Store', q.store);
      const store = q.store ? await getStore(deps.db, q.store) : await getDefaultStore(deps.db);
      return reply.type('text/html; charset=utf-8').send(demoPage({ storeId: store.id, storeName: store.name, lang: q.lang }));
    });

    await app.register(
      async (w) => {
        // CORS for the widget routes only. Any origin may ask; each store's allowed origins
        // are enforced on the real request (403), and no cookies are ever involved.
        w.addHook('onRequest', async (req, reply) => {
          const origin = header(req, 'origin');
          if (origin) {
            void reply.header('access-control-allow-origin', origin);
            void reply.header('vary', 'Origin');
            void reply.header('access-control-expose-headers', 'Retry-After');
          }
        });
        w.options('/*', { schema: { hide: true } }, async (_req, reply) =>
          reply
            .code(204)
            .header('access-control-allow-methods', 'GET, POST, OPTIONS')
            .header('access-control-allow-headers', `content-type, ${VISITOR_HEADER}`)
            .header('access-control-max-age', '600')
            .send(),
        );

        const tags = ['chat widget'];
        w.get('/config', {
          schema: { tags, summary: 'Widget start-up: store name and whether an agent is online', querystring: ConfigQuery, response: { 200: ConfigSchema, ...errorResponses } },
        }, async (req, reply) => {
          try {
            await checkRate(chat, `ip:${req.ip}:read`, chat.limits.readsPerIp);
            return await widgetConfig(chat, (req.query as Static<typeof ConfigQuery>).storeId, header(req, 'origin'));
          } catch (e) {
            return retryAfter(reply, e);
          }
        });

        w.post('/conversations', {
          bodyLimit: 64 * 1024,
          schema: {
            tags,
            summary: 'Start a conversation (a ticket with channel chat, or e-mail when nobody is online)',
            body: CreateConversationBody,
            response: { 201: CreatedSchema, ...errorResponses },
          },
        }, async (req, reply) => {
          const b = req.body as Static<typeof CreateConversationBody>;
          try {
            const r = await createConversation(chat, { ...b, visitorToken: header(req, VISITOR_HEADER), origin: header(req, 'origin'), ip: req.ip });
            return reply.code(201).send(r);
          } catch (e) {
            return retryAfter(reply, e);
          }
        });

        w.post('/conversations/:id/messages', {
          bodyLimit: 64 * 1024,
          schema: { tags, summary: 'The visitor writes (X-Visitor-Token header)', params: IdParams, body: TextBody, response: { 201: WidgetMessageSchema, ...errorResponses } },
        }, async (req, reply) => {
          try {
            const m = await postVisitorMessage(chat, {
              conversationId: (req.params as Static<typeof IdParams>).id,
              token: header(req, VISITOR_HEADER),
              text: (req.body as Static<typeof TextBody>).text,
              ip: req.ip,
              origin: header(req, 'origin'),
            });
            return reply.code(201).send(m);
          } catch (e) {
            return retryAfter(reply, e);
          }
        });

        w.get('/conversations/:id/messages', {
          schema: { tags, summary: 'The conversation as the visitor sees it (after= a message id for what is new)', params: IdParams, querystring: AfterQuery, response: { 200: ListSchema, ...errorResponses } },
        }, async (req, reply) => {
          try {
            return await listVisitorMessages(chat, {
              conversationId: (req.params as Static<typeof IdParams>).id,
              token: header(req, VISITOR_HEADER),
              after: (req.query as Static<typeof AfterQuery>).after,
              ip: req.ip,
              origin: header(req, 'origin'),
            });
          } catch (e) {
            return retryAfter(reply, e);
          }
        });

        w.post('/conversations/:id/typing', {
          bodyLimit: 1024,
          schema: { tags, summary: 'The visitor is typing (or stopped)', params: IdParams, body: TypingBody, response: { 204: Type.Null(), ...errorResponses } },
        }, async (req, reply) => {
          try {
            await visitorTyping(chat, {
              conversationId: (req.params as Static<typeof IdParams>).id,
              token: header(req, VISITOR_HEADER),
              typing: (req.body as Static<typeof TypingBody>).typing,
              origin: header(req, 'origin'),
            });
            return reply.code(204).send();
          } catch (e) {
            return retryAfter(reply, e);
          }
        });

        // The visitor's live channel: agents' public replies and typing, for every
        // conversation of the visitor. Browsers do not apply CORS to websockets, so the
        // Origin is checked here against the store's list.
        const visitors = new WeakMap<FastifyRequest, { id: string; storeId: string }>();
        w.get('/ws', {
          websocket: true,
          schema: { tags, summary: 'Visitor websocket (?token=): message, typing, status', querystring: TokenQuery },
          preValidation: async (req, reply) => {
            try {
              await checkRate(chat, `ip:${req.ip}:read`, chat.limits.readsPerIp);
            } catch (e) {
              return retryAfter(reply, e);
            }
            const token = (req.query as { token?: unknown }).token;
            const v = await requireVisitor(deps.db, typeof token === 'string' ? token : undefined);
            if (!originAllowed(await widgetSettings(deps.db, v.store_id), header(req, 'origin'))) {
              throw new AppError('forbidden', 'This site may not embed the chat of this store');
            }
            visitors.set(req, { id: v.id, storeId: v.store_id });
          },
        }, (socket, req) => {
          const visitor = visitors.get(req);
          if (!visitor) {
            socket.close(4401, 'unauthorized');
            return;
          }
          let closed = false;
          const ping = setInterval(() => {
            if (socket.readyState === socket.OPEN) socket.ping();
          }, 25_000);
          ping.unref();
          socket.on('message', (raw: Buffer) => {
            if (raw.length < 100 && raw.toString() === '{"type":"ping"}') socket.send('{"type":"pong"}');
          });
          socket.on('close', () => {
            closed = true;
            clearInterval(ping);
            hub.detach(socket);
          });
          void visitorConversations(deps.db, visitor.id).then(
            (conversations) => {
              if (closed) return;
              hub.attach(socket, conversations);
              socket.send(JSON.stringify({ type: 'hello', conversations: conversations.map((c) => c.id) }));
            },
            () => socket.close(1011, 'try again'),
          );
        });
      },
      { prefix: '/widget/v1' },
    );
  };
}

/** The agents' side, under /api/v1: typing on a ticket, and the store's widget settings. */
export function chatAgentRoutes(deps: Pick<TicketDeps, 'db' | 'bus' | 'clock'>) {
  return async (app: FastifyInstance): Promise<void> => {
    app.post('/tickets/:id/typing', {
      bodyLimit: 1024,
      schema: { tags: ['tickets'], summary: 'The agent is typing a reply (shown in the chat widget)', params: IdParams, body: TypingBody, response: { 204: Type.Null(), ...errorResponses } },
      config: { roles: ['admin', 'manager', 'agent'] },
    }, async (req, reply) => {
      await agentTyping(deps, (req.params as Static<typeof IdParams>).id, (req.body as Static<typeof TypingBody>).typing, actorOf(req));
      return reply.code(204).send();
    });

    app.get('/stores/:id/chat-widget', {
      schema: { tags: ['stores'], summary: 'Chat widget settings of a store', params: IdParams, response: { 200: WidgetSettingsSchema, ...errorResponses } },
      config: { roles: ['admin', 'manager'] },
    }, async (req) => {
      const id = (req.params as Static<typeof IdParams>).id;
      if (!isUuid(id)) throw validationError('id must be a store id');
      await getStore(deps.db, id);
      return widgetSettings(deps.db, id);
    });

    app.put('/stores/:id/chat-widget', {
      schema: { tags: ['stores'], summary: 'Enable the widget; restrict the sites that may embed it (empty list = any)', params: IdParams, body: WidgetSettingsBody, response: { 200: WidgetSettingsSchema, ...errorResponses } },
      config: { roles: ['admin'] },
    }, async (req) => {
      const id = (req.params as Static<typeof IdParams>).id;
      if (!isUuid(id)) throw validationError('id must be a store id');
      return putWidgetSettings(deps.db, id, req.body as Static<typeof WidgetSettingsBody>, deps.clock.now());
    });
  };
}
