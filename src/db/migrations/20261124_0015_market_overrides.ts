import { sql, type Kysely } from 'kysely';

/**
 * Trainers' edits of market rules (issue 4). The rules themselves are the YAML files in
 * content/markets; a market edited in the product has one row in `market_overrides` with
 * the fields that differ from its file (consumer rules with source and note, business hours,
 * extra holidays, cultural guidance, peaks), in the file's shape, and a version that each
 * edit or revert raises by one (optimistic concurrency: an edit names the version it read).
 * A revert keeps the row with no fields, so versions never repeat. Every change is a row of
 * `market_override_history` with the changed fields' values before and after, and who made it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE market_overrides (
      code text PRIMARY KEY CHECK (code ~ '^[A-Z]{2}$'),
      rules jsonb NOT NULL DEFAULT '{}',
      version integer NOT NULL CHECK (version >= 1),
      updated_by uuid REFERENCES users(id) ON DELETE SET NULL,
      updated_by_name text,
      updated_at timestamptz NOT NULL
    );
    CREATE TABLE market_override_history (
      id uuid PRIMARY KEY,
      code text NOT NULL CHECK (code ~ '^[A-Z]{2}$'),
      -- the version this change made
      version integer NOT NULL,
      action text NOT NULL CHECK (action IN ('edit','revert')),
      changed text[] NOT NULL,
      before jsonb NOT NULL,
      after jsonb NOT NULL,
      actor_id uuid REFERENCES users(id) ON DELETE SET NULL,
      actor_name text,
      created_at timestamptz NOT NULL,
      UNIQUE (code, version)
    );
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS market_override_history; DROP TABLE IF EXISTS market_overrides;`.execute(db);
}
