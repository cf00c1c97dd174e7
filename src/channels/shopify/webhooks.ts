/**
 * Shopify webhook deliveries, after their signature was checked:
 * - each delivery id (`X-Shopify-Webhook-Id`) is recorded once: a redelivery is a no-op;
 *   a delivery that failed (or whose processing died) may be retried by Shopify;
 * - orders/create, orders/updated, orders/cancelled → the order with its items, customer,
 *   address, payment, shipments and refunds; fulfillments/create|update → shipments;
 *   refunds/create → a refund; any other topic is recorded as ignored;
 * - an update older than what was applied (`updated_at`) is recorded as stale, not applied;
 * - a fulfillment or refund for an order not yet received waits (its payload is kept) and is
 *   applied when the order arrives.
 */
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Clock } from '../../core/clock.ts';
import { isAppError } from '../../core/errors.ts';
import { uuidv7 } from '../../core/ids.ts';
import type { DB, WebhookDeliveryStatus } from '../../db/types.ts';
import { applyExternalRefund, applyExternalShipment, upsertExternalOrder, type PartResult, type UpsertOutcome } from '../../commerce/import/upsert.ts';
import { mapShopifyFulfillment, mapShopifyOrder, mapShopifyRefund, shopifyOrderIdOf } from './map.ts';

export const SHOPIFY_TOPICS = ['orders/create', 'orders/updated', 'orders/cancelled', 'fulfillments/create', 'fulfillments/update', 'refunds/create'] as const;
export type ShopifyTopic = (typeof SHOPIFY_TOPICS)[number];

/** A delivery stuck in 'received' this long (its node died) may be processed again. */
const RECLAIM_AFTER_MS = 5 * 60 * 1000;

export type DeliveryResult = {
  status: WebhookDeliveryStatus | 'duplicate';
  deliveryId: string | null;
  orderId: string | null;
};

export interface DeliveryInput {
  storeId: string;
  topic: string;
  /** X-Shopify-Webhook-Id; absent: a hash of the body stands in. */
  webhookId: string | null;
  body: Uint8Array;
  payload: unknown;
  clock: Clock;
}

const isTopic = (t: string): t is ShopifyTopic => (SHOPIFY_TOPICS as readonly string[]).includes(t);

function statusOf(outcome: UpsertOutcome | PartResult['outcome']): WebhookDeliveryStatus {
  switch (outcome) {
    case 'created':
    case 'updated':
      return 'processed';
    case 'unchanged':
      return 'unchanged';
    case 'stale':
      return 'stale';
    case 'missing_order':
      return 'waiting';
  }
}

interface Applied {
  status: WebhookDeliveryStatus;
  orderId: string | null;
  orderExternalId: string | null;
  resourceId: string | null;
}

/** Applies one payload of a known topic. */
async function apply(db: Kysely<DB>, storeId: string, topic: ShopifyTopic, payload: unknown, clock: Clock): Promise<Applied> {
  switch (topic) {
    case 'orders/create':
    case 'orders/updated':
    case 'orders/cancelled': {
      const order = mapShopifyOrder(payload);
      const r = await upsertExternalOrder(db, { storeId, order, clock });
      return { status: statusOf(r.outcome), orderId: r.orderId, orderExternalId: order.externalId, resourceId: order.externalId };
    }
    case 'fulfillments/create':
    case 'fulfillments/update': {
      const f = mapShopifyFulfillment(payload);
      const r = await applyExternalShipment(db, { storeId, source: 'shopify', orderExternalId: f.orderExternalId, shipments: f.shipments, clock });
      return { status: statusOf(r.outcome), orderId: r.orderId, orderExternalId: f.orderExternalId, resourceId: f.shipments[0]?.externalId ?? null };
    }
    case 'refunds/create': {
      const orderExternalId = shopifyOrderIdOf(payload, 'refund');
      let resourceId: string | null = null;
      const r = await applyExternalRefund(db, {
        storeId,
        source: 'shopify',
        orderExternalId,
        refund: (currency) => {
          const m = mapShopifyRefund(payload, currency);
          resourceId = m.refund.externalId;
          return m.refund;
        },
        clock,
      });
      return { status: statusOf(r.outcome), orderId: r.orderId, orderExternalId, resourceId };
    }
  }
}

async function finish(db: Kysely<DB>, id: string, a: Applied, payload: unknown, now: Date): Promise<void> {
  await db
    .updateTable('webhook_deliveries')
    .set({
      status: a.status,
      order_id: a.orderId,
      order_external_id: a.orderExternalId,
      resource_id: a.resourceId,
      // a waiting delivery keeps its payload to be applied when its order arrives
      payload: a.status === 'waiting' ? JSON.stringify(payload) : null,
      error: null,
      processed_at: now,
    })
    .where('id', '=', id)
    .execute();
}

/** Records and applies one verified delivery. Throws (after recording the failure) when it cannot be applied. */
export async function handleShopifyDelivery(db: Kysely<DB>, input: DeliveryInput): Promise<DeliveryResult> {
  const now = input.clock.now();
  const webhookId = input.webhookId?.trim() || `sha256:${createHash('sha256').update(input.body).digest('hex')}`;
  const claimed = await db
    .insertInto('webhook_deliveries')
    .values({ id: uuidv7(now.getTime()), store_id: input.storeId, provider: 'shopify', webhook_id: webhookId.slice(0, 200), topic: input.topic.slice(0, 100), status: 'received', received_at: now })
    .onConflict((oc) =>
      oc
        .columns(['store_id', 'provider', 'webhook_id'])
        .doUpdateSet((eb) => ({ attempts: eb('webhook_deliveries.attempts', '+', 1), status: 'received', received_at: now, error: null }))
        .where((eb) => eb.or([eb('webhook_deliveries.status', '=', 'failed'), eb.and([eb('webhook_deliveries.status', '=', 'received'), eb('webhook_deliveries.received_at', '<', new Date(now.getTime() - RECLAIM_AFTER_MS))])])),
    )
    .returning('id')
    .executeTakeFirst();
  if (!claimed) {
    const prior = await db.selectFrom('webhook_deliveries').select(['id', 'order_id']).where('store_id', '=', input.storeId).where('provider', '=', 'shopify').where('webhook_id', '=', webhookId.slice(0, 200)).executeTakeFirst();
    return { status: 'duplicate', deliveryId: prior?.id ?? null, orderId: prior?.order_id ?? null };
  }
  const topic = input.topic;
  if (!isTopic(topic)) {
    await db.updateTable('webhook_deliveries').set({ status: 'ignored', processed_at: now }).where('id', '=', claimed.id).execute();
    return { status: 'ignored', deliveryId: claimed.id, orderId: null };
  }
  let applied: Applied;
  try {
    applied = await apply(db, input.storeId, topic, input.payload, input.clock);
  } catch (e) {
    const message = isAppError(e) ? e.message : e instanceof Error ? e.message : String(e);
    await db.updateTable('webhook_deliveries').set({ status: 'failed', error: message.slice(0, 2000), processed_at: input.clock.now() }).where('id', '=', claimed.id).execute();
    throw e;
  }
  await finish(db, claimed.id, applied, input.payload, input.clock.now());
  if (topic.startsWith('orders/') && applied.orderExternalId && applied.status !== 'stale') {
    await applyWaiting(db, input.storeId, applied.orderExternalId, input.clock);
  }
  return { status: applied.status, deliveryId: claimed.id, orderId: applied.orderId };
}

/** Applies the fulfillments and refunds that arrived before their order, oldest first. */
async function applyWaiting(db: Kysely<DB>, storeId: string, orderExternalId: string, clock: Clock): Promise<void> {
  const waiting = await db
    .selectFrom('webhook_deliveries')
    .select(['id', 'topic', 'payload'])
    .where('store_id', '=', storeId)
    .where('provider', '=', 'shopify')
    .where('status', '=', 'waiting')
    .where('order_external_id', '=', orderExternalId)
    .orderBy('received_at')
    .orderBy('id')
    .execute();
  for (const w of waiting) {
    if (!isTopic(w.topic)) continue;
    try {
      const a = await apply(db, storeId, w.topic, w.payload, clock);
      await finish(db, w.id, a, w.payload, clock.now());
    } catch (e) {
      const message = isAppError(e) ? e.message : e instanceof Error ? e.message : String(e);
      await db.updateTable('webhook_deliveries').set({ status: 'failed', error: message.slice(0, 2000), processed_at: clock.now() }).where('id', '=', w.id).execute();
    }
  }
}
