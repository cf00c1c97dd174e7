import type { Kysely } from 'kysely';
import type { DB } from '../db/types.ts';
import { notFound, validationError } from '../core/errors.ts';
import { isUuid } from '../core/ids.ts';
import { fromMinor, toMinor } from './money.ts';

/** For each order item: the other variants of its product, their price difference and stock. */
export async function exchangeOptions(db: Kysely<DB>, orderId: string) {
  if (!isUuid(orderId)) throw validationError('id must be an order id', { field: 'id' });
  const order = await db.selectFrom('orders').select(['id', 'currency']).where('id', '=', orderId).executeTakeFirst();
  if (!order) throw notFound('Order', orderId);
  const items = await db
    .selectFrom('order_items')
    .innerJoin('variants', 'variants.id', 'order_items.variant_id')
    .select(['order_items.id', 'order_items.sku', 'order_items.unit_price', 'variants.product_id', 'variants.id as variant_id'])
    .where('order_items.order_id', '=', orderId)
    .execute();
  if (!items.length) return { items: [] };
  const variants = await db
    .selectFrom('variants')
    .leftJoin('inventory', 'inventory.variant_id', 'variants.id')
    .select((eb) => [
      'variants.id', 'variants.product_id', 'variants.sku', 'variants.title', 'variants.options', 'variants.price', 'variants.currency',
      eb.fn.coalesce(eb.fn.sum<number>(eb('inventory.on_hand', '-', eb.ref('inventory.reserved'))), eb.lit(0)).as('available'),
    ])
    .where('variants.product_id', 'in', [...new Set(items.map((i) => i.product_id))])
    .groupBy('variants.id')
    .orderBy('variants.sku')
    .execute();
  const cur = order.currency;
  return {
    items: items.map((i) => ({
      orderItemId: i.id,
      sku: i.sku,
      alternatives: variants
        .filter((v) => v.product_id === i.product_id && v.id !== i.variant_id && v.currency === cur)
        .map((v) => ({
          variantId: v.id,
          sku: v.sku,
          title: v.title,
          options: v.options,
          price: fromMinor(toMinor(v.price, cur), cur),
          priceDifference: fromMinor(toMinor(v.price, cur) - toMinor(i.unit_price, cur), cur),
          available: Math.max(0, Number(v.available)),
        })),
    })),
  };
}
