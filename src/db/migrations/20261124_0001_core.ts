import { sql, type Kysely } from 'kysely';

/**
 * The helpdesk core: stores, people and access, customers, a minimal order, tickets,
 * messages, the event trail, SLA policies and the durable job queue.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE stores (
      id uuid PRIMARY KEY,
      name text NOT NULL,
      platform text NOT NULL DEFAULT 'custom',
      market text NOT NULL DEFAULT 'US',
      timezone text NOT NULL DEFAULT 'UTC',
      webhook_secret text,
      support_email text,
      business_hours jsonb NOT NULL,
      holiday_country text,
      extra_holidays jsonb NOT NULL DEFAULT '[]',
      is_default boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE UNIQUE INDEX stores_one_default ON stores (is_default) WHERE is_default;

    CREATE TABLE teams (
      id uuid PRIMARY KEY,
      name text NOT NULL UNIQUE,
      created_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE users (
      id uuid PRIMARY KEY,
      email text NOT NULL UNIQUE,
      name text NOT NULL,
      password_hash text,
      role text NOT NULL CHECK (role IN ('admin','manager','trainer','agent')),
      team_id uuid REFERENCES teams(id) ON DELETE SET NULL,
      languages jsonb NOT NULL DEFAULT '[]',
      skills jsonb NOT NULL DEFAULT '[]',
      timezone text NOT NULL DEFAULT 'UTC',
      certification_level text NOT NULL DEFAULT 'trainee',
      max_load integer NOT NULL DEFAULT 20,
      ui_language text NOT NULL DEFAULT 'zh-CN',
      active boolean NOT NULL DEFAULT true,
      created_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE sessions (
      id text PRIMARY KEY,
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      csrf_token text NOT NULL,
      expires_at timestamptz NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX sessions_user ON sessions (user_id);

    CREATE TABLE api_tokens (
      id uuid PRIMARY KEY,
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      name text NOT NULL,
      token_hash text NOT NULL UNIQUE,
      last_used_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE rate_limits (
      key text PRIMARY KEY,
      count integer NOT NULL,
      reset_at timestamptz NOT NULL
    );

    CREATE TABLE customers (
      id uuid PRIMARY KEY,
      store_id uuid NOT NULL REFERENCES stores(id),
      email text NOT NULL,
      name text,
      language text,
      country text,
      timezone text,
      vip boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (store_id, email)
    );

    CREATE TABLE orders (
      id uuid PRIMARY KEY,
      store_id uuid NOT NULL REFERENCES stores(id),
      customer_id uuid REFERENCES customers(id),
      number text NOT NULL,
      external_id text,
      currency text NOT NULL DEFAULT 'USD',
      total numeric(12,2) NOT NULL DEFAULT 0,
      status text NOT NULL DEFAULT 'open',
      placed_at timestamptz NOT NULL DEFAULT now(),
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (store_id, number)
    );
    CREATE INDEX orders_external ON orders (store_id, external_id);

    CREATE TABLE sla_policies (
      store_id uuid NOT NULL REFERENCES stores(id) ON DELETE CASCADE,
      priority text NOT NULL CHECK (priority IN ('urgent','high','normal','low')),
      first_response_minutes integer NOT NULL,
      next_response_minutes integer NOT NULL,
      resolution_minutes integer NOT NULL,
      PRIMARY KEY (store_id, priority)
    );

    CREATE TABLE tickets (
      id uuid PRIMARY KEY,
      number bigserial UNIQUE,
      store_id uuid NOT NULL REFERENCES stores(id),
      subject text NOT NULL,
      preview text NOT NULL DEFAULT '',
      status text NOT NULL CHECK (status IN ('new','open','pending','on_hold','solved','closed')),
      priority text NOT NULL CHECK (priority IN ('urgent','high','normal','low')),
      category text NOT NULL DEFAULT 'other',
      language text,
      sentiment text,
      angry boolean NOT NULL DEFAULT false,
      priority_reasons jsonb NOT NULL DEFAULT '[]',
      channel text NOT NULL DEFAULT 'api',
      customer_id uuid NOT NULL REFERENCES customers(id),
      order_id uuid REFERENCES orders(id),
      assignee_id uuid REFERENCES users(id) ON DELETE SET NULL,
      team_id uuid REFERENCES teams(id) ON DELETE SET NULL,
      tags text[] NOT NULL DEFAULT '{}',
      first_response_due_at timestamptz,
      next_response_due_at timestamptz,
      resolution_due_at timestamptz,
      resolution_remaining_minutes integer,
      sla_due_at timestamptz,
      sla_warned_at timestamptz,
      first_response_breached boolean NOT NULL DEFAULT false,
      next_response_breached boolean NOT NULL DEFAULT false,
      resolution_breached boolean NOT NULL DEFAULT false,
      first_responded_at timestamptz,
      last_customer_message_at timestamptz,
      last_agent_message_at timestamptz,
      solved_at timestamptz,
      closed_at timestamptz,
      search tsvector,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL
    );
    CREATE INDEX tickets_created ON tickets (created_at DESC, id DESC);
    CREATE INDEX tickets_status_created ON tickets (status, created_at DESC, id DESC);
    CREATE INDEX tickets_status_assignee_due ON tickets (status, assignee_id, sla_due_at, id);
    CREATE INDEX tickets_assignee_status ON tickets (assignee_id, status);
    CREATE INDEX tickets_customer ON tickets (customer_id);
    CREATE INDEX tickets_sla_due ON tickets (sla_due_at) WHERE sla_due_at IS NOT NULL;
    CREATE INDEX tickets_search ON tickets USING gin (search);
    CREATE INDEX tickets_tags ON tickets USING gin (tags);

    CREATE TABLE messages (
      id uuid PRIMARY KEY,
      ticket_id uuid NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
      author_type text NOT NULL CHECK (author_type IN ('customer','agent','bot','system')),
      author_id uuid,
      internal boolean NOT NULL DEFAULT false,
      body text NOT NULL,
      language text,
      channel text NOT NULL DEFAULT 'api',
      external_id text UNIQUE,
      created_at timestamptz NOT NULL
    );
    CREATE INDEX messages_ticket ON messages (ticket_id, created_at, id);

    CREATE TABLE ticket_events (
      id bigserial PRIMARY KEY,
      ticket_id uuid NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
      actor_type text NOT NULL,
      actor_id uuid,
      type text NOT NULL,
      field text,
      before jsonb,
      after jsonb,
      created_at timestamptz NOT NULL
    );
    CREATE INDEX ticket_events_ticket ON ticket_events (ticket_id, id);

    CREATE TABLE jobs (
      id bigserial PRIMARY KEY,
      type text NOT NULL,
      payload jsonb NOT NULL DEFAULT '{}',
      status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued','running','done','dead')),
      run_at timestamptz NOT NULL DEFAULT now(),
      attempts integer NOT NULL DEFAULT 0,
      max_attempts integer NOT NULL DEFAULT 8,
      locked_by text,
      locked_until timestamptz,
      last_error text,
      unique_key text UNIQUE,
      created_at timestamptz NOT NULL DEFAULT now(),
      finished_at timestamptz
    );
    CREATE INDEX jobs_ready ON jobs (run_at, id) WHERE status IN ('queued','running');

    -- A fresh database has one default store (used when a request names none) with the
    -- default SLA targets in business minutes: urgent first response within 2 business hours.
    INSERT INTO stores (id, name, platform, market, timezone, business_hours, holiday_country, is_default)
    VALUES (gen_random_uuid(), 'Default store', 'custom', 'US', 'Asia/Shanghai',
      '{"0":[["09:00","18:00"]],"1":[["09:00","18:00"]],"2":[["09:00","18:00"]],"3":[["09:00","18:00"]],"4":[["09:00","18:00"]],"5":[],"6":[]}',
      'CN', true);
    INSERT INTO sla_policies (store_id, priority, first_response_minutes, next_response_minutes, resolution_minutes)
    SELECT s.id, p.priority, p.fr, p.nr, p.res
    FROM stores s, (VALUES ('urgent', 120, 240, 1440), ('high', 240, 480, 2880), ('normal', 480, 960, 4320), ('low', 1440, 2880, 7200))
      AS p(priority, fr, nr, res)
    WHERE s.is_default;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP TABLE IF EXISTS jobs, ticket_events, messages, tickets, sla_policies, orders, customers,
      rate_limits, api_tokens, sessions, users, teams, stores CASCADE;
  `.execute(db);
}
