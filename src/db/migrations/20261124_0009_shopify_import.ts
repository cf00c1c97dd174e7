import { sql, type Kysely } from 'kysely';

/**
 * Shopify webhooks and bulk imports (issue 5):
 * - store_integrations: a store's connection to a platform (Shopify: shop domain, webhook
 *   secret, and the previous secret for a grace period after a rotation);
 * - webhook_deliveries: one row per delivery id, so a redelivery is a no-op; deliveries that
 *   arrived before their order are kept (payload) and applied when the order arrives;
 * - external_refs: which local row an external object (order, fulfillment, refund) became,
 *   with the source's updated_at (older updates never overwrite newer data) and a content
 *   hash (re-importing the same data changes nothing);
 * - import_jobs / import_errors: an upload running as a job, its progress and bad rows.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE store_integrations (
      store_id uuid NOT NULL REFERENCES stores(id) ON DELETE CASCADE,
      provider text NOT NULL CHECK (provider IN ('shopify')),
      shop_domain text,
      webhook_secret text NOT NULL,
      previous_secret text,
      previous_valid_until timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (store_id, provider)
    );

    CREATE TABLE webhook_deliveries (
      id uuid PRIMARY KEY,
      store_id uuid NOT NULL REFERENCES stores(id) ON DELETE CASCADE,
      provider text NOT NULL,
      webhook_id text NOT NULL,
      topic text NOT NULL,
      status text NOT NULL CHECK (status IN ('received','processed','unchanged','stale','ignored','waiting','failed')),
      resource_id text,
      order_external_id text,
      order_id uuid REFERENCES orders(id) ON DELETE SET NULL,
      payload jsonb,
      error text,
      attempts integer NOT NULL DEFAULT 1,
      received_at timestamptz NOT NULL,
      processed_at timestamptz,
      UNIQUE (store_id, provider, webhook_id)
    );
    CREATE INDEX webhook_deliveries_waiting ON webhook_deliveries (store_id, provider, order_external_id) WHERE status = 'waiting';
    CREATE INDEX webhook_deliveries_received ON webhook_deliveries (store_id, received_at);

    CREATE TABLE external_refs (
      store_id uuid NOT NULL REFERENCES stores(id) ON DELETE CASCADE,
      source text NOT NULL,
      kind text NOT NULL CHECK (kind IN ('order','shipment','refund')),
      external_id text NOT NULL,
      local_id uuid NOT NULL,
      order_id uuid NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
      source_updated_at timestamptz,
      content_hash text NOT NULL,
      updated_at timestamptz NOT NULL,
      PRIMARY KEY (store_id, source, kind, external_id)
    );
    CREATE INDEX external_refs_order ON external_refs (order_id);

    CREATE TABLE import_jobs (
      id uuid PRIMARY KEY,
      store_id uuid NOT NULL REFERENCES stores(id) ON DELETE CASCADE,
      format text NOT NULL CHECK (format IN ('csv','shopify')),
      filename text,
      status text NOT NULL CHECK (status IN ('queued','running','done','failed')),
      input bytea,
      total integer NOT NULL DEFAULT 0,
      processed integer NOT NULL DEFAULT 0,
      imported integer NOT NULL DEFAULT 0,
      updated integer NOT NULL DEFAULT 0,
      unchanged integer NOT NULL DEFAULT 0,
      failed integer NOT NULL DEFAULT 0,
      error_count integer NOT NULL DEFAULT 0,
      error text,
      created_by uuid REFERENCES users(id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL,
      started_at timestamptz,
      finished_at timestamptz
    );
    CREATE INDEX import_jobs_created ON import_jobs (created_at);

    CREATE TABLE import_errors (
      id bigserial PRIMARY KEY,
      job_id uuid NOT NULL REFERENCES import_jobs(id) ON DELETE CASCADE,
      line integer NOT NULL,
      reason text NOT NULL
    );
    CREATE INDEX import_errors_job ON import_errors (job_id, line, id);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS import_errors, import_jobs, external_refs, webhook_deliveries, store_integrations CASCADE;`.execute(db);
}
