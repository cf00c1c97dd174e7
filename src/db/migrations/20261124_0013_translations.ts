import { sql, type Kysely } from 'kysely';

/**
 * Translations of messages, kept beside the original (which is never changed):
 * - kind 'translation': a customer message put into an agent's language by the provider;
 * - kind 'original': what the agent wrote (Chinese or English) before the reply was sent in
 *   the customer's language, so a reviewer can see both.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE message_translations (
      message_id uuid NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
      kind text NOT NULL CHECK (kind IN ('translation', 'original')),
      language text NOT NULL CHECK (length(language) BETWEEN 2 AND 12),
      text text NOT NULL,
      provider text NOT NULL,
      created_by uuid REFERENCES users(id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (message_id, kind, language)
    );
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS message_translations`.execute(db);
}
