import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import Type, { type Static } from 'typebox';
import { validationError } from '../core/errors.ts';
import { isUuid } from '../core/ids.ts';
import type { DB } from '../db/types.ts';
import { getStore } from '../helpdesk/stores.ts';
import { getMarket } from '../markets/index.ts';
import { errorResponses, IdParams } from '../server/schemas.ts';
import { policyWarningsJson, setStorePolicy, storePolicyView } from './policy.ts';

const PolicySchema = Type.Object({
  returnWindowDays: Type.Integer({ minimum: 0, maximum: 3650 }),
  returnWindowFrom: Type.Optional(Type.Union([Type.Literal('delivery'), Type.Literal('order')])),
  buyerPaysReturnForChangeOfMind: Type.Boolean(),
  buyerPaysReturnWhenFaulty: Type.Optional(Type.Boolean()),
  restockingFeePercent: Type.Number({ minimum: 0, maximum: 100 }),
  refundWithinDays: Type.Optional(Type.Integer({ minimum: 0, maximum: 365 })),
  warrantyMonths: Type.Optional(Type.Integer({ minimum: 0, maximum: 240 })),
});

/** PUT replaces the policy: a field left out takes the default. */
const PolicyBody = Type.Partial(PolicySchema, { additionalProperties: false, minProperties: 1 });

const WarningSchema = Type.Object({
  code: Type.String(),
  field: Type.String(),
  message: Type.String(),
  localized: Type.Object({ en: Type.String(), zh: Type.String() }),
  required: Type.Optional(Type.Number()),
  source: Type.String(),
});

const PolicyView = Type.Object({
  storeId: Type.String(),
  market: Type.String(),
  custom: Type.Boolean(),
  policy: PolicySchema,
  warnings: Type.Array(WarningSchema),
});

const MarketQuery = Type.Object({ market: Type.Optional(Type.String({ pattern: '^[A-Za-z]{2}$' })) }, { additionalProperties: false });

function marketCode(code: string): string {
  try {
    return getMarket(code).code;
  } catch {
    throw validationError(`There are no market rules for "${code}"`, { field: 'market' });
  }
}

/**
 * A store's own return policy under /api/v1, with a warning wherever it is less generous
 * than the law of the store's market (or of `?market=` for a store selling abroad).
 */
export function returnPolicyRoutes(deps: { db: Kysely<DB> }) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get('/stores/:id/return-policy', {
      schema: { tags: ['stores'], summary: "The store's return policy and where it falls below the market's law", params: IdParams, querystring: MarketQuery, response: { 200: PolicyView, ...errorResponses } },
      config: { roles: ['admin', 'manager', 'trainer', 'agent'] },
    }, async (req) => {
      const id = (req.params as Static<typeof IdParams>).id;
      if (!isUuid(id)) throw validationError('id must be a store id');
      const store = await getStore(deps.db, id);
      const market = marketCode((req.query as Static<typeof MarketQuery>).market ?? store.market);
      return { storeId: id, ...(await storePolicyView(deps.db, id, market)) };
    });

    app.put('/stores/:id/return-policy', {
      schema: { tags: ['stores'], summary: "Set the store's return policy (warnings where it is below the law; the law applies to actions regardless)", params: IdParams, querystring: MarketQuery, body: PolicyBody, response: { 200: PolicyView, ...errorResponses } },
      config: { roles: ['admin', 'manager'] },
    }, async (req) => {
      const id = (req.params as Static<typeof IdParams>).id;
      if (!isUuid(id)) throw validationError('id must be a store id');
      const store = await getStore(deps.db, id);
      const market = marketCode((req.query as Static<typeof MarketQuery>).market ?? store.market);
      const { policy, warnings } = await setStorePolicy(deps.db, id, req.body as Static<typeof PolicyBody>, market);
      return { storeId: id, market, custom: true, policy, warnings: policyWarningsJson(warnings) };
    });
  };
}
