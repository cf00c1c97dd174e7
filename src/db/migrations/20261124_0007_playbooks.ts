import { sql, type Kysely } from 'kysely';

/**
 * Playbooks (SOP checklists). The checklist itself is data (content/playbooks) resolved
 * for the ticket's category and market when the ticket is read, and most steps tick
 * themselves from the ticket's trail; only what a person decided is stored here: a step
 * ticked or unticked by hand, and a required step skipped with a reason when the ticket
 * was solved anyway. One row per ticket and step, the latest state.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE ticket_playbook_steps (
      ticket_id uuid NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
      step_id text NOT NULL CHECK (step_id ~ '^[a-z][a-z0-9_]{0,49}$'),
      -- the playbook the step was ticked in (the ticket's category then)
      category text NOT NULL,
      done boolean NOT NULL,
      how text NOT NULL CHECK (how IN ('manual','auto')),
      done_by uuid REFERENCES users(id) ON DELETE SET NULL,
      done_at timestamptz,
      skipped_reason text CHECK (skipped_reason IS NULL OR length(skipped_reason) BETWEEN 1 AND 1000),
      -- when this state was set: newer evidence in the trail (a reply, an order action) wins over it
      updated_at timestamptz NOT NULL,
      PRIMARY KEY (ticket_id, step_id),
      CHECK (done = (done_at IS NOT NULL))
    );
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS ticket_playbook_steps;`.execute(db);
}
