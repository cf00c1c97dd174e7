import type { FastifyInstance } from 'fastify';
import Type, { type Static } from 'typebox';
import { actorOf } from '../server/auth.ts';
import { errorResponses, IdParams, Uuid } from '../server/schemas.ts';
import { MessageSchema } from '../helpdesk/schemas.ts';
import type { TicketDeps } from '../helpdesk/tickets.ts';
import { previewReply, sendTranslatedReply, translateTicketMessages, MAX_MESSAGES_PER_CALL, type TicketTranslationDeps } from './tickets.ts';

const Language = Type.String({ minLength: 2, maxLength: 12, pattern: '^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$' });
const MAX_TEXT = 20_000;

const Failure = Type.Object({
  code: Type.String(),
  message: Type.String(),
  retryAfter: Type.Optional(Type.Number()),
  customerLanguage: Type.Optional(Type.String()),
});

const TranslateBody = Type.Object(
  { to: Language, messageIds: Type.Optional(Type.Array(Uuid, { minItems: 1, maxItems: MAX_MESSAGES_PER_CALL })) },
  { additionalProperties: false },
);
const TranslationItem = Type.Object({
  messageId: Type.String(),
  ok: Type.Boolean(),
  text: Type.Optional(Type.String()),
  provider: Type.Optional(Type.String()),
  cached: Type.Optional(Type.Boolean()),
  sameLanguage: Type.Optional(Type.Boolean()),
  error: Type.Optional(Failure),
});
const PreviewBody = Type.Object({ text: Type.String({ minLength: 1, maxLength: MAX_TEXT }), from: Language }, { additionalProperties: false });
const PreviewResult = Type.Object({
  ok: Type.Boolean(),
  text: Type.Optional(Type.String()),
  provider: Type.Optional(Type.String()),
  customerLanguage: Type.Union([Type.String(), Type.Null()]),
  sameLanguage: Type.Optional(Type.Boolean()),
  error: Type.Optional(Failure),
});
const SendBody = Type.Object(
  {
    text: Type.String({ minLength: 1, maxLength: MAX_TEXT }),
    original: Type.Object({ text: Type.String({ minLength: 1, maxLength: MAX_TEXT }), language: Language }, { additionalProperties: false }),
    provider: Type.String({ minLength: 1, maxLength: 40 }),
  },
  { additionalProperties: false },
);

/** Translation of tickets under /api/v1 (see src/translation/tickets.ts). */
export function translationRoutes(deps: TicketTranslationDeps & Pick<TicketDeps, 'afterIntake'>) {
  return async (app: FastifyInstance): Promise<void> => {
    const staff = ['admin', 'manager', 'trainer', 'agent'] as const;

    app.get('/translation/status', {
      schema: {
        tags: ['translation'],
        summary: 'Which translation provider is configured',
        response: { 200: Type.Object({ provider: Type.String(), available: Type.Boolean(), reason: Type.Union([Type.String(), Type.Null()]) }), ...errorResponses },
      },
      config: { roles: staff },
    }, async () => ({ provider: deps.translator.name, available: deps.translator.available, reason: deps.translator.reason ?? null }));

    app.post('/tickets/:id/translations', {
      schema: {
        tags: ['translation'],
        summary: "The customer's messages in the agent's language (kept once translated)",
        params: IdParams,
        body: TranslateBody,
        response: {
          200: Type.Object({
            to: Type.String(),
            provider: Type.String(),
            available: Type.Boolean(),
            items: Type.Array(TranslationItem),
            originals: Type.Array(Type.Object({ messageId: Type.String(), text: Type.String(), language: Type.String() })),
          }),
          ...errorResponses,
        },
      },
      config: { roles: staff },
    }, async (req) => {
      const b = req.body as Static<typeof TranslateBody>;
      return translateTicketMessages(deps, { ticketId: (req.params as Static<typeof IdParams>).id, to: b.to, messageIds: b.messageIds }, actorOf(req));
    });

    app.post('/tickets/:id/reply-preview', {
      schema: {
        tags: ['translation'],
        summary: "The agent's draft in the customer's language (nothing is sent)",
        params: IdParams,
        body: PreviewBody,
        response: { 200: PreviewResult, ...errorResponses },
      },
      config: { roles: ['admin', 'manager', 'agent'] },
    }, async (req) => {
      const b = req.body as Static<typeof PreviewBody>;
      return previewReply(deps, { ticketId: (req.params as Static<typeof IdParams>).id, text: b.text, from: b.from }, actorOf(req));
    });

    app.post('/tickets/:id/translated-replies', {
      schema: {
        tags: ['translation'],
        summary: "Send a reply in the customer's language, keeping what the agent wrote",
        params: IdParams,
        body: SendBody,
        response: {
          201: Type.Object({ ...MessageSchema.properties, original: Type.Object({ text: Type.String(), language: Type.String() }) }),
          ...errorResponses,
        },
      },
      config: { roles: ['admin', 'manager', 'agent'] },
    }, async (req, reply) => {
      const b = req.body as Static<typeof SendBody>;
      const m = await sendTranslatedReply(deps, { ticketId: (req.params as Static<typeof IdParams>).id, text: b.text, original: b.original, provider: b.provider }, actorOf(req));
      return reply.code(201).send(m);
    });
  };
}
