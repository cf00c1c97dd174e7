import type { FastifyInstance } from 'fastify';
import Type, { type Static } from 'typebox';
import { errorResponses } from '../server/schemas.ts';
import { notFound } from '../core/errors.ts';
import { getMarket, listMarkets, type Market } from './index.ts';

const Localized = Type.Object({ en: Type.String(), zh: Type.String() });
const Sourced = { source: Type.String(), note: Type.Optional(Type.String()) };
const Payer = Type.String();
const Guide = Type.Object({
  directness: Type.String(),
  formality: Type.String(),
  apology: Type.String(),
  greeting: Type.String(),
  signOff: Type.String(),
  tips: Type.Array(Type.String()),
});

const MarketSummarySchema = Type.Object({ code: Type.String(), name: Localized, role: Type.String(), currency: Type.String(), languages: Type.Array(Type.String()), timezone: Type.String() });
const MarketSchema = Type.Object({
  ...MarketSummarySchema.properties,
  consumer: Type.Object({
    withdrawal: Type.Object({ days: Type.Integer(), from: Type.String(), businessDays: Type.Boolean(), ...Sourced }),
    legalGuarantee: Type.Object({ months: Type.Union([Type.Integer(), Type.Null()]), ...Sourced }),
    returnShipping: Type.Object({ faulty: Payer, damaged: Payer, wrong_item: Payer, change_of_mind: Payer, ...Sourced }),
    refund: Type.Object({ days: Type.Union([Type.Integer(), Type.Null()]), from: Type.String(), businessDays: Type.Boolean(), ...Sourced }),
    restockingFee: Type.Object({ allowed: Type.String(), ...Sourced }),
  }),
  culture: Type.Object({ address: Type.String(), en: Guide, zh: Guide }),
  peaks: Type.Array(Type.Object({ id: Type.String(), en: Type.String(), zh: Type.String(), from: Type.Optional(Type.String()), to: Type.Optional(Type.String()) })),
});

const CodeParams = Type.Object({ code: Type.String({ pattern: '^[A-Za-z]{2}$' }) }, { additionalProperties: false });

function summary(m: Market) {
  return { code: m.code, name: m.name, role: m.role, currency: m.currency, languages: m.languages, timezone: m.timezone };
}

/** Market rules and cultural guidance for agents (read-only here; trainers edit content/markets). */
export function marketRoutes() {
  return async (app: FastifyInstance): Promise<void> => {
    const staff = ['admin', 'manager', 'trainer', 'agent'] as const;
    app.get('/markets', {
      schema: { tags: ['markets'], summary: 'The markets crossdesk knows', response: { 200: Type.Object({ items: Type.Array(MarketSummarySchema) }), ...errorResponses } },
      config: { roles: staff },
    }, async () => ({ items: listMarkets().map(summary) }));

    app.get('/markets/:code', {
      schema: { tags: ['markets'], summary: 'Consumer rules (with their legal source), cultural guidance and peaks of one market', params: CodeParams, response: { 200: MarketSchema, ...errorResponses } },
      config: { roles: staff },
    }, async (req) => {
      const code = (req.params as Static<typeof CodeParams>).code.toUpperCase();
      let m: Market;
      try {
        m = getMarket(code);
      } catch {
        throw notFound('Market', code);
      }
      return { ...summary(m), consumer: m.consumer, culture: m.culture, peaks: m.peaks.map((p) => ({ id: p.id, en: p.en, zh: p.zh, from: p.from, to: p.to })) };
    });
  };
}
