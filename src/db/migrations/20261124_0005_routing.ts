import { sql, type Kysely } from 'kysely';

/**
 * Routing: the rules (one global row, optionally one per store, settings as JSON), agents'
 * weekly shifts in their own time zone, and their presence (an explicit on/off-shift
 * override, the on-shift state last seen by the routing job, and when they were last
 * given a ticket, for round-robin).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE routing_rules (
      scope text PRIMARY KEY,
      store_id uuid UNIQUE REFERENCES stores(id) ON DELETE CASCADE,
      settings jsonb NOT NULL DEFAULT '{}',
      updated_by uuid REFERENCES users(id) ON DELETE SET NULL,
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK ((scope = 'global' AND store_id IS NULL) OR (store_id IS NOT NULL AND scope = store_id::text))
    );
    INSERT INTO routing_rules (scope, settings) VALUES ('global', '{}');

    -- weekday 0 = Monday … 6 = Sunday; "HH:MM" wall-clock times in the agent's time zone;
    -- an end at or before the start runs past midnight into the next day.
    CREATE TABLE agent_shifts (
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      weekday smallint NOT NULL CHECK (weekday BETWEEN 0 AND 6),
      start text NOT NULL CHECK (start ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
      "end" text NOT NULL CHECK ("end" ~ '^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$'),
      PRIMARY KEY (user_id, weekday, start)
    );

    CREATE TABLE agent_presence (
      user_id uuid PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
      state text NOT NULL DEFAULT 'auto' CHECK (state IN ('auto','on','off')),
      on_shift_seen boolean NOT NULL DEFAULT false,
      last_assigned_at timestamptz,
      updated_at timestamptz NOT NULL DEFAULT now()
    );

    -- the team queue: unassigned tickets waiting for an agent, urgent and oldest first
    CREATE INDEX tickets_routing_queue ON tickets (created_at, id) WHERE assignee_id IS NULL AND status IN ('new','open');
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP INDEX IF EXISTS tickets_routing_queue;
    DROP TABLE IF EXISTS agent_presence, agent_shifts, routing_rules CASCADE;
  `.execute(db);
}
