/**
 * Catalogue and stock: products, their variants (SKU, options, price), warehouses and the
 * stock of each variant in each warehouse (on hand, reserved; available = on hand − reserved).
 */
import type { Kysely, Transaction } from 'kysely';
import { sql } from 'kysely';
import type { DB, PostalAddress } from '../db/types.ts';
import { uuidv7 } from '../core/ids.ts';
import { conflict, notFound, validationError } from '../core/errors.ts';
import { normalizeAmount } from './money.ts';

type Db = Kysely<DB> | Transaction<DB>;

export interface VariantInput {
  sku: string;
  title?: string;
  options?: Record<string, string>;
  price: string | number;
  currency: string;
}

export async function createProduct(db: Db, input: { storeId: string; title: string; description?: string; variants: VariantInput[] }) {
  if (!input.variants.length) throw validationError('a product needs at least one variant', { field: 'variants' });
  const productId = uuidv7();
  await db.insertInto('products').values({ id: productId, store_id: input.storeId, title: input.title, description: input.description ?? '' }).execute();
  const variants = input.variants.map((v) => ({
    id: uuidv7(),
    product_id: productId,
    store_id: input.storeId,
    sku: v.sku,
    title: v.title ?? Object.values(v.options ?? {}).join(' / '),
    options: JSON.stringify(v.options ?? {}),
    price: normalizeAmount(v.price, v.currency),
    currency: v.currency.toUpperCase(),
  }));
  await db.insertInto('variants').values(variants).execute();
  return { id: productId, variants: variants.map((v) => ({ id: v.id, sku: v.sku })) };
}

export async function createWarehouse(db: Db, input: { storeId: string; code: string; name: string; address: PostalAddress }) {
  const id = uuidv7();
  await db
    .insertInto('warehouses')
    .values({ id, store_id: input.storeId, code: input.code, name: input.name, country: input.address.country.toUpperCase(), address: JSON.stringify(input.address) })
    .execute();
  return { id };
}

/** Sets the stock on hand of a variant in a warehouse (reservations kept). */
export async function setStock(db: Db, variantId: string, warehouseId: string, onHand: number): Promise<void> {
  if (!Number.isInteger(onHand) || onHand < 0) throw validationError('onHand must be a whole number ≥ 0', { field: 'onHand' });
  await db
    .insertInto('inventory')
    .values({ variant_id: variantId, warehouse_id: warehouseId, on_hand: onHand, reserved: 0 })
    .onConflict((oc) => oc.columns(['variant_id', 'warehouse_id']).doUpdateSet({ on_hand: onHand, updated_at: new Date() }))
    .execute();
}

export async function variantBySku(db: Db, storeId: string, sku: string) {
  const v = await db.selectFrom('variants').innerJoin('products', 'products.id', 'variants.product_id')
    .select(['variants.id', 'variants.sku', 'variants.title', 'variants.options', 'variants.price', 'variants.currency', 'products.title as product_title'])
    .where('variants.store_id', '=', storeId).where('variants.sku', '=', sku).executeTakeFirst();
  if (!v) throw notFound('Variant with SKU', sku);
  return v;
}

export interface StockLevel {
  warehouseId: string;
  warehouseCode: string;
  onHand: number;
  reserved: number;
  available: number;
}

/** Stock of a variant per warehouse, rows locked for the rest of the transaction. */
export async function lockStock(trx: Transaction<DB>, variantId: string): Promise<StockLevel[]> {
  const rows = await trx
    .selectFrom('inventory')
    .innerJoin('warehouses', 'warehouses.id', 'inventory.warehouse_id')
    .select(['inventory.warehouse_id', 'warehouses.code', 'inventory.on_hand', 'inventory.reserved'])
    .where('inventory.variant_id', '=', variantId)
    .orderBy('warehouses.code')
    .forUpdate('inventory')
    .execute();
  return rows.map((r) => ({ warehouseId: r.warehouse_id, warehouseCode: r.code, onHand: r.on_hand, reserved: r.reserved, available: Math.max(0, r.on_hand - r.reserved) }));
}

export async function stockOf(db: Db, variantId: string): Promise<StockLevel[]> {
  const rows = await db
    .selectFrom('inventory')
    .innerJoin('warehouses', 'warehouses.id', 'inventory.warehouse_id')
    .select(['inventory.warehouse_id', 'warehouses.code', 'inventory.on_hand', 'inventory.reserved'])
    .where('inventory.variant_id', '=', variantId)
    .orderBy('warehouses.code')
    .execute();
  return rows.map((r) => ({ warehouseId: r.warehouse_id, warehouseCode: r.code, onHand: r.on_hand, reserved: r.reserved, available: Math.max(0, r.on_hand - r.reserved) }));
}

/** Reserves `quantity`; the caller has locked the row and checked availability. */
export async function reserveStock(trx: Transaction<DB>, variantId: string, warehouseId: string, quantity: number): Promise<void> {
  const r = await trx
    .updateTable('inventory')
    .set({ reserved: sql<number>`reserved + ${quantity}`, updated_at: new Date() })
    .where('variant_id', '=', variantId)
    .where('warehouse_id', '=', warehouseId)
    .where(sql<boolean>`on_hand - reserved >= ${quantity}`)
    .executeTakeFirst();
  if (Number(r.numUpdatedRows) !== 1) throw conflict('The stock was taken meanwhile: not enough available to reserve');
}

export async function releaseStock(trx: Transaction<DB>, variantId: string, warehouseId: string, quantity: number): Promise<void> {
  await trx
    .updateTable('inventory')
    .set({ reserved: sql<number>`greatest(0, reserved - ${quantity})`, updated_at: new Date() })
    .where('variant_id', '=', variantId)
    .where('warehouse_id', '=', warehouseId)
    .execute();
}

export async function restock(trx: Transaction<DB>, variantId: string, warehouseId: string, quantity: number): Promise<void> {
  await trx
    .insertInto('inventory')
    .values({ variant_id: variantId, warehouse_id: warehouseId, on_hand: quantity, reserved: 0 })
    .onConflict((oc) => oc.columns(['variant_id', 'warehouse_id']).doUpdateSet({ on_hand: sql<number>`inventory.on_hand + ${quantity}`, updated_at: new Date() }))
    .execute();
}
