import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import Type, { type Static } from 'typebox';
import type { Clock } from '../core/clock.ts';
import { validationError } from '../core/errors.ts';
import type { DB } from '../db/types.ts';
import { actorOf } from '../server/auth.ts';
import { errorResponses, IdParams } from '../server/schemas.ts';
import { cancelOrder, carrierClaim, changeAddress, createReturn, exchange, refund, reship, returnLabel, setReturnStatus, type ActionBase } from './actions.ts';
import { exchangeOptions } from './options.ts';
import { findOrders, getOrderDetail } from './orders.ts';
import {
  ActionOutcomeSchema,
  AddressBody,
  CancelBody,
  ClaimBody,
  ExchangeBody,
  OrderDetailSchema,
  OrderQuery,
  OrderSummarySchema,
  RefundBody,
  ReshipBody,
  ReturnBody,
  ReturnStatusBody,
} from './schemas.ts';

export interface CommerceDeps {
  db: Kysely<DB>;
  clock: Clock;
}

/** The key from the `Idempotency-Key` header or the body's `idempotencyKey` (they must agree). */
function idempotencyKey(req: FastifyRequest, body: { idempotencyKey?: string }): string {
  const h = req.headers['idempotency-key'];
  const header = Array.isArray(h) ? h[0] : h;
  if (header && body.idempotencyKey && header !== body.idempotencyKey) {
    throw validationError('The Idempotency-Key header and the idempotencyKey field differ', { field: 'idempotencyKey' });
  }
  const key = header ?? body.idempotencyKey;
  if (!key) throw validationError('An Idempotency-Key header (or idempotencyKey field) is required so a retried action is not done twice', { field: 'idempotencyKey' });
  return key;
}

/** Orders and after-sales actions under /api/v1. Handlers are thin: parse, call, shape. */
export function commerceRoutes(deps: CommerceDeps) {
  return async (app: FastifyInstance): Promise<void> => {
    const staff = ['admin', 'manager', 'trainer', 'agent'] as const;
    const actors = ['admin', 'manager', 'agent'] as const;

    app.get('/orders', {
      schema: {
        tags: ['orders'],
        summary: 'Find orders by external id, number or customer e-mail (newest first)',
        querystring: OrderQuery,
        response: { 200: Type.Object({ items: Type.Array(OrderSummarySchema) }), ...errorResponses },
      },
      config: { roles: staff },
    }, async (req) => {
      const q = req.query as Static<typeof OrderQuery>;
      return findOrders(deps.db, { externalId: q.externalId, number: q.number, customerEmail: q.customerEmail, storeId: q.storeId, limit: q.limit ? Number(q.limit) : undefined });
    });

    app.get('/orders/:id', {
      schema: { tags: ['orders'], summary: 'An order with items, payments, shipments and tracking, returns, refunds and the action trail', params: IdParams, response: { 200: OrderDetailSchema, ...errorResponses } },
      config: { roles: staff },
    }, async (req) => getOrderDetail(deps.db, (req.params as Static<typeof IdParams>).id, deps.clock.now()));

    app.get('/orders/:id/exchange-options', {
      schema: {
        tags: ['orders'],
        summary: 'For each item, the other variants of its product with price difference and stock',
        params: IdParams,
        response: { 200: Type.Object({ items: Type.Array(Type.Unknown()) }), ...errorResponses },
      },
      config: { roles: staff },
    }, async (req) => exchangeOptions(deps.db, (req.params as Static<typeof IdParams>).id));

    // Each action: POST /orders/:id/actions/<name>, body per action, Idempotency-Key required.
    const action = <S extends Type.TSchema, B extends { idempotencyKey?: string; ticketId?: string | null }>(
      name: string,
      summary: string,
      body: S,
      run: (base: ActionBase, b: B) => Promise<unknown>,
    ) => {
      app.post(`/orders/:id/actions/${name}`, {
        schema: {
          tags: ['orders'],
          summary,
          params: IdParams,
          body,
          headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String({ minLength: 8, maxLength: 200 })) }),
          response: { 200: ActionOutcomeSchema, ...errorResponses },
        },
        config: { roles: actors },
      }, async (req) => {
        const b = req.body as B;
        const base: ActionBase = {
          orderId: (req.params as Static<typeof IdParams>).id,
          ticketId: b.ticketId ?? null,
          actor: actorOf(req),
          idempotencyKey: idempotencyKey(req, b),
          clock: deps.clock,
        };
        return run(base, b);
      });
    };

    action<typeof ReturnBody, Static<typeof ReturnBody>>('return', 'Return: RMA, who pays shipping (market law + store policy), prepaid 4×6 label', ReturnBody,
      (base, b) => createReturn(deps.db, { ...base, reason: b.reason as 'faulty', items: b.items, note: b.note }));
    action<typeof ExchangeBody, Static<typeof ExchangeBody>>('exchange', 'Exchange an item for another variant: reserves stock, price difference', ExchangeBody,
      (base, b) => exchange(deps.db, { ...base, orderItemId: b.orderItemId, variantId: b.variantId, quantity: b.quantity, reason: b.reason }));
    action<typeof RefundBody, Static<typeof RefundBody>>('refund', 'Refund in full or in part to the original payment, never above what is left', RefundBody,
      (base, b) => refund(deps.db, { ...base, amount: b.amount, reason: b.reason, returnId: b.returnId, paymentId: b.paymentId }));
    action<typeof ReshipBody, Static<typeof ReshipBody>>('reship', 'Send the items again (stock checked and reserved)', ReshipBody,
      (base, b) => reship(deps.db, { ...base, items: b.items, reason: b.reason }));
    action<typeof ClaimBody, Static<typeof ClaimBody>>('claim', 'File a carrier claim for a lost or damaged parcel', ClaimBody,
      (base, b) => carrierClaim(deps.db, { ...base, kind: b.kind as 'lost', shipmentId: b.shipmentId, description: b.description, amount: b.amount }));
    action<typeof CancelBody, Static<typeof CancelBody>>('cancel', 'Cancel an order that has not shipped; refunds what was captured', CancelBody,
      (base, b) => cancelOrder(deps.db, { ...base, reason: b.reason, refund: b.refund }));
    action<typeof AddressBody, Static<typeof AddressBody>>('address', 'Change the shipping address before fulfilment', AddressBody,
      (base, b) => changeAddress(deps.db, { ...base, address: b.address }));

    app.post('/returns/:id/status', {
      schema: {
        tags: ['orders'],
        summary: 'Move a return along: in_transit, received (restocks change-of-mind items), cancelled',
        params: IdParams,
        body: ReturnStatusBody,
        headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String({ minLength: 8, maxLength: 200 })) }),
        response: { 200: ActionOutcomeSchema, ...errorResponses },
      },
      config: { roles: actors },
    }, async (req) => {
      const b = req.body as Static<typeof ReturnStatusBody>;
      return setReturnStatus(deps.db, {
        returnId: (req.params as Static<typeof IdParams>).id,
        status: b.status as 'received',
        restock: b.restock,
        ticketId: b.ticketId ?? null,
        actor: actorOf(req),
        idempotencyKey: idempotencyKey(req, b),
        clock: deps.clock,
      });
    });

    app.get('/returns/:id/label.pdf', {
      schema: { tags: ['orders'], summary: 'The prepaid return label (PDF, 4×6 in)', params: IdParams, response: { 200: Type.Unknown({ description: 'application/pdf' }), ...errorResponses } },
      config: { roles: staff },
    }, async (req, reply) => {
      const { rma, pdf } = await returnLabel(deps.db, (req.params as Static<typeof IdParams>).id);
      return reply
        .type('application/pdf')
        .header('content-disposition', `inline; filename="${rma}.pdf"`)
        .header('cache-control', 'private, max-age=300')
        .send(Buffer.from(pdf));
    });
  };
}
