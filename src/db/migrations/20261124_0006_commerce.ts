import { sql, type Kysely } from 'kysely';

/**
 * Commerce: the catalogue (products, variants), stock per warehouse, what an order holds
 * (items, payments, shipments with tracking events) and the after-sales actions taken on
 * it (returns with their label, refunds, exchanges, reships, carrier claims), with one
 * audit row per action keyed by its idempotency key. Money is numeric (exact), never float.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE orders
      ADD COLUMN fulfillment_status text NOT NULL DEFAULT 'unfulfilled'
        CHECK (fulfillment_status IN ('unfulfilled','partially_fulfilled','fulfilled')),
      ADD COLUMN financial_status text NOT NULL DEFAULT 'pending'
        CHECK (financial_status IN ('pending','paid','partially_refunded','refunded','voided')),
      ADD COLUMN shipping_address jsonb,
      ADD COLUMN cancelled_at timestamptz,
      ADD COLUMN cancel_reason text;

    CREATE TABLE store_return_policies (
      store_id uuid PRIMARY KEY REFERENCES stores(id) ON DELETE CASCADE,
      policy jsonb NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE products (
      id uuid PRIMARY KEY,
      store_id uuid NOT NULL REFERENCES stores(id) ON DELETE CASCADE,
      title text NOT NULL,
      description text NOT NULL DEFAULT '',
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX products_store ON products (store_id, created_at);

    CREATE TABLE variants (
      id uuid PRIMARY KEY,
      product_id uuid NOT NULL REFERENCES products(id) ON DELETE CASCADE,
      store_id uuid NOT NULL REFERENCES stores(id) ON DELETE CASCADE,
      sku text NOT NULL,
      title text NOT NULL DEFAULT '',
      options jsonb NOT NULL DEFAULT '{}',
      price numeric(12,2) NOT NULL CHECK (price >= 0),
      currency text NOT NULL DEFAULT 'USD',
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (store_id, sku)
    );
    CREATE INDEX variants_product ON variants (product_id);

    CREATE TABLE warehouses (
      id uuid PRIMARY KEY,
      store_id uuid NOT NULL REFERENCES stores(id) ON DELETE CASCADE,
      code text NOT NULL,
      name text NOT NULL,
      country text NOT NULL,
      address jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (store_id, code)
    );

    CREATE TABLE inventory (
      variant_id uuid NOT NULL REFERENCES variants(id) ON DELETE CASCADE,
      warehouse_id uuid NOT NULL REFERENCES warehouses(id) ON DELETE CASCADE,
      on_hand integer NOT NULL DEFAULT 0 CHECK (on_hand >= 0),
      reserved integer NOT NULL DEFAULT 0 CHECK (reserved >= 0),
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (variant_id, warehouse_id)
    );

    CREATE TABLE order_items (
      id uuid PRIMARY KEY,
      order_id uuid NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
      variant_id uuid REFERENCES variants(id) ON DELETE SET NULL,
      warehouse_id uuid REFERENCES warehouses(id) ON DELETE SET NULL,
      sku text NOT NULL,
      title text NOT NULL,
      quantity integer NOT NULL CHECK (quantity > 0),
      unit_price numeric(12,2) NOT NULL CHECK (unit_price >= 0),
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX order_items_order ON order_items (order_id);

    CREATE TABLE payments (
      id uuid PRIMARY KEY,
      order_id uuid NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
      method text NOT NULL,
      provider_ref text,
      amount numeric(12,2) NOT NULL CHECK (amount >= 0),
      captured numeric(12,2) NOT NULL DEFAULT 0 CHECK (captured >= 0 AND captured <= amount),
      currency text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX payments_order ON payments (order_id);

    CREATE TABLE shipments (
      id uuid PRIMARY KEY,
      order_id uuid NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
      kind text NOT NULL DEFAULT 'outbound' CHECK (kind IN ('outbound','reship','return')),
      carrier text NOT NULL,
      tracking_number text,
      status text NOT NULL DEFAULT 'label_created'
        CHECK (status IN ('label_created','in_transit','out_for_delivery','delivered','exception','lost','returned')),
      warehouse_id uuid REFERENCES warehouses(id) ON DELETE SET NULL,
      shipped_at timestamptz,
      delivered_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX shipments_order ON shipments (order_id, created_at);
    CREATE INDEX shipments_tracking ON shipments (tracking_number);

    CREATE TABLE tracking_events (
      id bigserial PRIMARY KEY,
      shipment_id uuid NOT NULL REFERENCES shipments(id) ON DELETE CASCADE,
      at timestamptz NOT NULL,
      status text NOT NULL,
      location text,
      description text NOT NULL
    );
    CREATE INDEX tracking_events_shipment ON tracking_events (shipment_id, at, id);

    CREATE TABLE order_actions (
      id uuid PRIMARY KEY,
      order_id uuid NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
      ticket_id uuid REFERENCES tickets(id) ON DELETE SET NULL,
      type text NOT NULL CHECK (type IN ('return','exchange','refund','reship','claim','cancel','address','return_status')),
      actor_type text NOT NULL,
      actor_id uuid,
      idempotency_key text NOT NULL UNIQUE,
      request jsonb NOT NULL,
      result jsonb NOT NULL,
      created_at timestamptz NOT NULL
    );
    CREATE INDEX order_actions_order ON order_actions (order_id, created_at);
    CREATE INDEX order_actions_ticket ON order_actions (ticket_id) WHERE ticket_id IS NOT NULL;

    CREATE TABLE returns (
      id uuid PRIMARY KEY,
      order_id uuid NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
      rma text NOT NULL UNIQUE,
      reason text NOT NULL CHECK (reason IN ('faulty','damaged','wrong_item','change_of_mind')),
      items jsonb NOT NULL,
      market text NOT NULL,
      who_pays_shipping text NOT NULL CHECK (who_pays_shipping IN ('seller','buyer')),
      carrier text NOT NULL,
      tracking_number text NOT NULL,
      label_pdf bytea,
      status text NOT NULL DEFAULT 'requested'
        CHECK (status IN ('requested','label_created','in_transit','received','refunded','cancelled')),
      warehouse_id uuid REFERENCES warehouses(id) ON DELETE SET NULL,
      note text,
      received_at timestamptz,
      refunded_at timestamptz,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL
    );
    CREATE INDEX returns_order ON returns (order_id, created_at);

    CREATE TABLE refunds (
      id uuid PRIMARY KEY,
      order_id uuid NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
      payment_id uuid NOT NULL REFERENCES payments(id),
      return_id uuid REFERENCES returns(id) ON DELETE SET NULL,
      amount numeric(12,2) NOT NULL CHECK (amount > 0),
      currency text NOT NULL,
      method text NOT NULL,
      reason text NOT NULL,
      status text NOT NULL DEFAULT 'succeeded' CHECK (status IN ('pending','succeeded','failed')),
      created_at timestamptz NOT NULL
    );
    CREATE INDEX refunds_order ON refunds (order_id, created_at);
    CREATE INDEX refunds_payment ON refunds (payment_id);

    CREATE TABLE exchanges (
      id uuid PRIMARY KEY,
      order_id uuid NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
      order_item_id uuid NOT NULL REFERENCES order_items(id) ON DELETE CASCADE,
      from_variant_id uuid REFERENCES variants(id) ON DELETE SET NULL,
      to_variant_id uuid NOT NULL REFERENCES variants(id),
      warehouse_id uuid NOT NULL REFERENCES warehouses(id),
      quantity integer NOT NULL CHECK (quantity > 0),
      price_difference numeric(12,2) NOT NULL,
      currency text NOT NULL,
      reason text NOT NULL,
      status text NOT NULL DEFAULT 'reserved' CHECK (status IN ('reserved','shipped','completed','cancelled')),
      created_at timestamptz NOT NULL
    );
    CREATE INDEX exchanges_order ON exchanges (order_id);

    CREATE TABLE reships (
      id uuid PRIMARY KEY,
      order_id uuid NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
      items jsonb NOT NULL,
      warehouse_id uuid NOT NULL REFERENCES warehouses(id),
      reason text NOT NULL,
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','shipped','cancelled')),
      created_at timestamptz NOT NULL
    );
    CREATE INDEX reships_order ON reships (order_id);

    CREATE TABLE carrier_claims (
      id uuid PRIMARY KEY,
      order_id uuid NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
      shipment_id uuid NOT NULL REFERENCES shipments(id) ON DELETE CASCADE,
      kind text NOT NULL CHECK (kind IN ('lost','damaged')),
      carrier text NOT NULL,
      reference text NOT NULL UNIQUE,
      amount numeric(12,2) NOT NULL CHECK (amount >= 0),
      currency text NOT NULL,
      description text NOT NULL DEFAULT '',
      status text NOT NULL DEFAULT 'filed' CHECK (status IN ('filed','approved','rejected','paid')),
      created_at timestamptz NOT NULL
    );
    CREATE UNIQUE INDEX carrier_claims_open ON carrier_claims (shipment_id, kind) WHERE status IN ('filed','approved');
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP TABLE IF EXISTS carrier_claims, reships, exchanges, refunds, returns, order_actions, tracking_events,
      shipments, payments, order_items, inventory, warehouses, variants, products, store_return_policies CASCADE;
    ALTER TABLE orders
      DROP COLUMN IF EXISTS fulfillment_status,
      DROP COLUMN IF EXISTS financial_status,
      DROP COLUMN IF EXISTS shipping_address,
      DROP COLUMN IF EXISTS cancelled_at,
      DROP COLUMN IF EXISTS cancel_reason;
  `.execute(db);
}
