import { sql, type Kysely } from 'kysely';

/**
 * The bot and the CSAT/NPS surveys (helpdesk/bot.ts, helpdesk/surveys.ts):
 * - bot_settings: per store, whether the bot answers alone and how sure it must be;
 * - bot_decisions: one row per customer message the bot looked at (answered or handed off,
 *   with the reasons), the basis of the deflection and reopen figures;
 * - survey_settings: per store, the delay after solving, every Nth survey with NPS, and the
 *   running count of surveys that decides which one that is;
 * - surveys: one per solved ticket, a random token for the public page, the answer.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE bot_settings (
      store_id uuid PRIMARY KEY REFERENCES stores(id) ON DELETE CASCADE,
      enabled boolean NOT NULL DEFAULT true,
      faq_threshold real NOT NULL DEFAULT 0.6 CHECK (faq_threshold > 0 AND faq_threshold <= 1),
      min_triage_confidence real NOT NULL DEFAULT 0.45 CHECK (min_triage_confidence >= 0 AND min_triage_confidence <= 1),
      reopen_window_days integer NOT NULL DEFAULT 7 CHECK (reopen_window_days BETWEEN 1 AND 90),
      updated_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE bot_decisions (
      id uuid PRIMARY KEY,
      ticket_id uuid NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
      store_id uuid NOT NULL REFERENCES stores(id) ON DELETE CASCADE,
      message_id uuid NOT NULL UNIQUE REFERENCES messages(id) ON DELETE CASCADE,
      outcome text NOT NULL CHECK (outcome IN ('answered', 'handed_off')),
      kind text CHECK (kind IN ('tracking', 'faq')),
      reasons jsonb NOT NULL DEFAULT '[]',
      confidence real,
      language text,
      category text NOT NULL,
      reply_message_id uuid REFERENCES messages(id) ON DELETE SET NULL,
      note_message_id uuid REFERENCES messages(id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL
    );
    CREATE INDEX bot_decisions_store_created ON bot_decisions (store_id, created_at);
    CREATE INDEX bot_decisions_ticket ON bot_decisions (ticket_id, created_at);

    CREATE TABLE survey_settings (
      store_id uuid PRIMARY KEY REFERENCES stores(id) ON DELETE CASCADE,
      enabled boolean NOT NULL DEFAULT true,
      delay_minutes integer NOT NULL DEFAULT 60 CHECK (delay_minutes BETWEEN 0 AND 43200),
      nps_every integer NOT NULL DEFAULT 10 CHECK (nps_every BETWEEN 0 AND 10000),
      expires_days integer NOT NULL DEFAULT 30 CHECK (expires_days BETWEEN 1 AND 365),
      sequence integer NOT NULL DEFAULT 0,
      updated_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE surveys (
      id uuid PRIMARY KEY,
      token text NOT NULL UNIQUE,
      ticket_id uuid NOT NULL UNIQUE REFERENCES tickets(id) ON DELETE CASCADE,
      store_id uuid NOT NULL REFERENCES stores(id) ON DELETE CASCADE,
      customer_id uuid NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
      language text NOT NULL,
      kind text NOT NULL CHECK (kind IN ('csat', 'csat_nps')),
      sequence integer NOT NULL,
      status text NOT NULL DEFAULT 'created' CHECK (status IN ('created', 'sent', 'not_sent', 'answered')),
      email_to text,
      last_error text,
      csat_score smallint CHECK (csat_score BETWEEN 1 AND 5),
      nps_score smallint CHECK (nps_score BETWEEN 0 AND 10),
      comment text CHECK (length(comment) <= 2000),
      created_at timestamptz NOT NULL,
      sent_at timestamptz,
      expires_at timestamptz NOT NULL,
      answered_at timestamptz
    );
    CREATE INDEX surveys_store_created ON surveys (store_id, created_at);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS surveys, survey_settings, bot_decisions, bot_settings CASCADE`.execute(db);
}
