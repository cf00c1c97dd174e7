import { sql, type Kysely } from 'kysely';

/**
 * The carrier's own tracking page of a shipment, as the shop platform states it (Shopify's
 * fulfillment `tracking_url`). Nullable: most sources give none. Only absolute http(s) URLs
 * of at most 2,000 characters are written (checked by the mapper; the CHECK is the backstop).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE shipments ADD COLUMN tracking_url text
      CHECK (tracking_url IS NULL OR (tracking_url ~* '^https?://' AND length(tracking_url) <= 2000));
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE shipments DROP COLUMN IF EXISTS tracking_url;`.execute(db);
}
