/**
 * A store's Shopify connection: its shop domain and the webhook secret its deliveries are
 * signed with. The secret is write-only through the API (never returned). Rotating it keeps
 * the previous secret valid for a grace period, since Shopify may keep signing with the old
 * one for up to an hour after a rotation.
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../../core/clock.ts';
import { validationError } from '../../core/errors.ts';
import type { DB } from '../../db/types.ts';
import { getStore } from '../../helpdesk/stores.ts';

export const ROTATION_GRACE_MS = 2 * 60 * 60 * 1000;

export interface ShopifyIntegrationView {
  storeId: string;
  provider: 'shopify';
  shopDomain: string | null;
  hasWebhookSecret: boolean;
  /** Until when the secret before the last rotation is still accepted. */
  previousSecretValidUntil: string | null;
  webhookUrl: string;
  updatedAt: string | null;
}

const DOMAIN = /^[a-z0-9][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*)+$/;

export async function getShopifyIntegration(db: Kysely<DB>, storeId: string, now: Date): Promise<ShopifyIntegrationView> {
  const store = await getStore(db, storeId);
  const row = await db.selectFrom('store_integrations').selectAll().where('store_id', '=', store.id).where('provider', '=', 'shopify').executeTakeFirst();
  const graceLeft = row?.previous_secret && row.previous_valid_until && row.previous_valid_until > now;
  return {
    storeId: store.id,
    provider: 'shopify',
    shopDomain: row?.shop_domain ?? null,
    hasWebhookSecret: Boolean(row?.webhook_secret ?? store.webhook_secret),
    previousSecretValidUntil: graceLeft ? row.previous_valid_until!.toISOString() : null,
    webhookUrl: `/webhooks/shopify/${store.id}`,
    updatedAt: row?.updated_at.toISOString() ?? null,
  };
}

/** Sets (or rotates) the shop domain and webhook secret. */
export async function setShopifyIntegration(
  db: Kysely<DB>,
  input: { storeId: string; shopDomain?: string | null; webhookSecret: string; clock: Clock },
): Promise<ShopifyIntegrationView> {
  const store = await getStore(db, input.storeId);
  const secret = input.webhookSecret;
  if (secret.trim() !== secret || secret.length < 16) throw validationError('webhookSecret must be at least 16 characters, without surrounding spaces', { field: 'webhookSecret' });
  const domain = input.shopDomain?.trim().toLowerCase() || null;
  if (domain && !DOMAIN.test(domain)) throw validationError('shopDomain must be a host name such as my-shop.myshopify.com', { field: 'shopDomain' });
  const now = input.clock.now();
  await db.transaction().execute(async (trx) => {
    const old = await trx.selectFrom('store_integrations').select(['webhook_secret']).where('store_id', '=', store.id).where('provider', '=', 'shopify').forUpdate().executeTakeFirst();
    const previous = old && old.webhook_secret !== secret ? old.webhook_secret : null;
    const rotation = previous ? { previous_secret: previous, previous_valid_until: new Date(now.getTime() + ROTATION_GRACE_MS) } : {};
    await trx
      .insertInto('store_integrations')
      .values({ store_id: store.id, provider: 'shopify', shop_domain: domain, webhook_secret: secret, created_at: now, updated_at: now, ...rotation })
      .onConflict((oc) => oc.columns(['store_id', 'provider']).doUpdateSet({ shop_domain: domain, webhook_secret: secret, updated_at: now, ...rotation }))
      .execute();
  });
  return getShopifyIntegration(db, store.id, now);
}

/** The secrets a delivery to this store may be signed with right now (none: not set up). */
export async function shopifySecrets(db: Kysely<DB>, storeId: string, now: Date): Promise<string[]> {
  const row = await db.selectFrom('store_integrations').select(['webhook_secret', 'previous_secret', 'previous_valid_until']).where('store_id', '=', storeId).where('provider', '=', 'shopify').executeTakeFirst();
  if (!row) {
    // a secret set on the store itself (stores.webhook_secret) before integrations existed
    const s = await getStore(db, storeId);
    return s.webhook_secret ? [s.webhook_secret] : [];
  }
  const out = [row.webhook_secret];
  if (row.previous_secret && row.previous_valid_until && row.previous_valid_until > now) out.push(row.previous_secret);
  return out;
}
