import { sql, type Kysely } from 'kysely';

/**
 * The chat widget: per-store widget settings (which web origins may embed it), the
 * anonymous visitors of a shop (identified by a random token, stored only as its SHA-256),
 * and their conversations. Each conversation is one ticket (channel 'chat', or 'email'
 * when it was left while nobody was online); the messages live in `messages` like any
 * other ticket's.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE chat_widget_settings (
      store_id uuid PRIMARY KEY REFERENCES stores(id) ON DELETE CASCADE,
      enabled boolean NOT NULL DEFAULT true,
      -- exact origins ("https://shop.example"); empty = any origin may embed the widget
      allowed_origins text[] NOT NULL DEFAULT '{}',
      updated_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE chat_visitors (
      id uuid PRIMARY KEY,
      store_id uuid NOT NULL REFERENCES stores(id) ON DELETE CASCADE,
      token_hash text NOT NULL UNIQUE,
      name text,
      email text,
      language text,
      created_at timestamptz NOT NULL DEFAULT now(),
      last_seen_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE chat_conversations (
      id uuid PRIMARY KEY,
      store_id uuid NOT NULL REFERENCES stores(id) ON DELETE CASCADE,
      visitor_id uuid NOT NULL REFERENCES chat_visitors(id) ON DELETE CASCADE,
      ticket_id uuid NOT NULL UNIQUE REFERENCES tickets(id) ON DELETE CASCADE,
      -- live: agents online, answered in the widget; offline: became an e-mail ticket
      mode text NOT NULL CHECK (mode IN ('live', 'offline')),
      language text,
      page_url text,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX chat_conversations_visitor ON chat_conversations (visitor_id, created_at);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS chat_conversations, chat_visitors, chat_widget_settings CASCADE;`.execute(db);
}
