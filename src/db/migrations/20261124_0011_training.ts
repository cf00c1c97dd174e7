import { sql, type Kysely } from 'kysely';

/**
 * Drills (src/training): sessions with their turns (the engine is deterministic, so the
 * stored turns rebuild a session on any node), assignments of scenarios to agents, and
 * scenarios created by trainers from solved tickets (the library itself is content/scenarios).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE training_scenarios (
      id text PRIMARY KEY,
      source text NOT NULL DEFAULT 'ticket' CHECK (source IN ('ticket','user')),
      ticket_id uuid,
      created_by uuid,
      category text NOT NULL,
      market text NOT NULL,
      language text NOT NULL,
      difficulty text NOT NULL,
      title_en text NOT NULL,
      title_zh text NOT NULL,
      yaml text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX training_scenarios_filter ON training_scenarios (category, market, difficulty);

    CREATE TABLE drill_assignments (
      id uuid PRIMARY KEY,
      scenario_id text NOT NULL,
      variant text NOT NULL DEFAULT 'base',
      user_id uuid NOT NULL,
      assigned_by uuid NOT NULL,
      note text,
      due_at timestamptz,
      status text NOT NULL DEFAULT 'assigned' CHECK (status IN ('assigned','started','passed','failed')),
      best_score numeric(5,1),
      created_at timestamptz NOT NULL DEFAULT now(),
      completed_at timestamptz
    );
    CREATE INDEX drill_assignments_user ON drill_assignments (user_id, status, created_at DESC);

    CREATE TABLE drill_sessions (
      id uuid PRIMARY KEY,
      user_id uuid NOT NULL,
      scenario_id text NOT NULL,
      variant text NOT NULL DEFAULT 'base',
      seed integer NOT NULL,
      hints boolean NOT NULL DEFAULT true,
      assignment_id uuid REFERENCES drill_assignments(id) ON DELETE SET NULL,
      status text NOT NULL DEFAULT 'active' CHECK (status IN ('active','ended')),
      customer_status text NOT NULL DEFAULT 'open',
      turns integer NOT NULL DEFAULT 0,
      score numeric(5,1),
      passed boolean,
      report jsonb,
      started_at timestamptz NOT NULL,
      ended_at timestamptz,
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX drill_sessions_user ON drill_sessions (user_id, started_at DESC);
    CREATE INDEX drill_sessions_scenario ON drill_sessions (scenario_id, user_id, variant);

    CREATE TABLE drill_turns (
      session_id uuid NOT NULL REFERENCES drill_sessions(id) ON DELETE CASCADE,
      seq integer NOT NULL,
      text text NOT NULL DEFAULT '',
      tools jsonb NOT NULL DEFAULT '[]',
      customer_text text,
      customer_gloss text,
      outcome jsonb NOT NULL,
      created_at timestamptz NOT NULL,
      PRIMARY KEY (session_id, seq)
    );
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP TABLE IF EXISTS drill_turns;
    DROP TABLE IF EXISTS drill_sessions;
    DROP TABLE IF EXISTS drill_assignments;
    DROP TABLE IF EXISTS training_scenarios;
  `.execute(db);
}
