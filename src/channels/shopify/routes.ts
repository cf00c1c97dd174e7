/**
 * HTTP of the Shopify channel.
 * - `shopifyWebhookRoutes`: POST /webhooks/shopify/:storeId (no sign-in: the HMAC is the
 *   credential). Registered as its own plugin with a body parser that keeps the raw bytes
 *   (the signature covers them exactly) and a 2 MB limit (413 beyond).
 * - `shopifyIntegrationRoutes` (under /api/v1): GET/PUT /stores/:id/integrations/shopify,
 *   admin only; the secret is write-only.
 */
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import Type, { type Static } from 'typebox';
import type { Clock } from '../../core/clock.ts';
import { AppError, notFound, unauthorized, validationError } from '../../core/errors.ts';
import { isUuid } from '../../core/ids.ts';
import type { DB } from '../../db/types.ts';
import { getStore } from '../../helpdesk/stores.ts';
import { ErrorSchema, errorResponses, IdParams } from '../../server/schemas.ts';
import { verifyShopifyHmac } from './hmac.ts';
import { getShopifyIntegration, setShopifyIntegration, shopifySecrets } from './integrations.ts';
import { handleShopifyDelivery } from './webhooks.ts';

export interface ShopifyDeps {
  db: Kysely<DB>;
  clock: Clock;
  /** Largest webhook body accepted; default 2 MB. */
  maxBodyBytes?: number;
}

const header = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

const WebhookParams = Type.Object({ storeId: Type.String({ maxLength: 64 }) }, { additionalProperties: false });
const WebhookResult = Type.Object({
  status: Type.String({ description: 'processed, unchanged, stale (older than what was applied), waiting (its order has not arrived), ignored (topic not handled), duplicate (delivery already received)' }),
  deliveryId: Type.Union([Type.String(), Type.Null()]),
  orderId: Type.Union([Type.String(), Type.Null()]),
});

export function shopifyWebhookRoutes(deps: ShopifyDeps) {
  return async (app: FastifyInstance): Promise<void> => {
    const limit = deps.maxBodyBytes ?? 2 * 1024 * 1024;
    // the signature is over the raw bytes: this context parses nothing (the app's JSON parser is untouched)
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: limit }, (_req, body, done) => done(null, body));

    app.post('/webhooks/shopify/:storeId', {
      bodyLimit: limit,
      schema: {
        tags: ['webhooks'],
        summary: 'Shopify webhook (orders, fulfillments, refunds), signed with the store\'s webhook secret',
        description: 'Headers: X-Shopify-Hmac-Sha256 (base64 HMAC-SHA256 of the raw body), X-Shopify-Topic, X-Shopify-Webhook-Id (a redelivery is a no-op).',
        params: WebhookParams,
        response: { 200: WebhookResult, 400: ErrorSchema, 401: ErrorSchema, 404: ErrorSchema, 413: ErrorSchema },
        security: [],
      },
      config: { public: true },
    }, async (req) => {
      const { storeId } = req.params as Static<typeof WebhookParams>;
      if (!isUuid(storeId)) throw notFound('Store', storeId);
      await getStore(deps.db, storeId);
      const now = deps.clock.now();
      const secrets = await shopifySecrets(deps.db, storeId, now);
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const signature = header(req.headers['x-shopify-hmac-sha256']);
      if (!signature) throw unauthorized('Missing X-Shopify-Hmac-Sha256 header');
      if (!secrets.length) throw unauthorized('No Shopify webhook secret is set for this store (PUT /api/v1/stores/:id/integrations/shopify)');
      if (!verifyShopifyHmac(signature, body, secrets)) throw unauthorized('The X-Shopify-Hmac-Sha256 signature does not match the body');
      const topic = header(req.headers['x-shopify-topic'])?.trim();
      if (!topic) throw validationError('Missing X-Shopify-Topic header');
      let payload: unknown;
      try {
        payload = JSON.parse(body.toString('utf8'));
      } catch {
        throw validationError('The webhook body is not valid JSON');
      }
      return handleShopifyDelivery(deps.db, { storeId, topic, webhookId: header(req.headers['x-shopify-webhook-id']) ?? null, body, payload, clock: deps.clock });
    });
  };
}

const IntegrationSchema = Type.Object({
  storeId: Type.String(),
  provider: Type.Literal('shopify'),
  shopDomain: Type.Union([Type.String(), Type.Null()]),
  hasWebhookSecret: Type.Boolean(),
  previousSecretValidUntil: Type.Union([Type.String(), Type.Null()]),
  webhookUrl: Type.String(),
  updatedAt: Type.Union([Type.String(), Type.Null()]),
});
const IntegrationBody = Type.Object(
  {
    shopDomain: Type.Optional(Type.Union([Type.String({ maxLength: 255 }), Type.Null()])),
    webhookSecret: Type.String({ minLength: 16, maxLength: 256 }),
  },
  { additionalProperties: false },
);

export function shopifyIntegrationRoutes(deps: ShopifyDeps) {
  return async (app: FastifyInstance): Promise<void> => {
    const storeParam = (id: string) => {
      if (!isUuid(id)) throw new AppError('not_found', `Store ${id} was not found`);
      return id;
    };
    app.get('/stores/:id/integrations/shopify', {
      schema: { tags: ['stores'], summary: 'The store\'s Shopify connection (the secret is never returned)', params: IdParams, response: { 200: IntegrationSchema, ...errorResponses } },
      config: { roles: ['admin'] },
    }, async (req) => getShopifyIntegration(deps.db, storeParam((req.params as Static<typeof IdParams>).id), deps.clock.now()));

    app.put('/stores/:id/integrations/shopify', {
      schema: {
        tags: ['stores'],
        summary: 'Set or rotate the Shopify webhook secret (the previous one stays valid for 2 hours)',
        params: IdParams,
        body: IntegrationBody,
        response: { 200: IntegrationSchema, ...errorResponses },
      },
      config: { roles: ['admin'] },
    }, async (req) => {
      const b = req.body as Static<typeof IntegrationBody>;
      return setShopifyIntegration(deps.db, { storeId: storeParam((req.params as Static<typeof IdParams>).id), shopDomain: b.shopDomain, webhookSecret: b.webhookSecret, clock: deps.clock });
    });
  };
}
