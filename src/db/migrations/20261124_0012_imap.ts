import { sql, type Kysely } from 'kysely';

/**
 * IMAP mailboxes polled for inbound mail, one row per mailbox (belonging to a store or to
 * the default store). The password is stored encrypted (see channels/email/mailboxes.ts)
 * and never returned by the API. The row also carries the sync position (UIDVALIDITY and
 * the last UID taken in), the state of the last connection, and a lease: the app node that
 * holds it is the only one polling the mailbox.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE email_mailboxes (
      id uuid PRIMARY KEY,
      store_id uuid REFERENCES stores(id) ON DELETE CASCADE,
      name text NOT NULL,
      host text NOT NULL,
      port integer NOT NULL CHECK (port BETWEEN 1 AND 65535),
      -- tls: TLS from the first byte (993); starttls: upgrade required; none: plain text
      tls text NOT NULL DEFAULT 'tls' CHECK (tls IN ('tls','starttls','none')),
      tls_verify boolean NOT NULL DEFAULT true,
      username text NOT NULL,
      password_enc text NOT NULL,
      folder text NOT NULL DEFAULT 'INBOX',
      -- after a message is taken in: flag it \\Seen, or move it to move_to
      after_fetch text NOT NULL DEFAULT 'seen' CHECK (after_fetch IN ('seen','move')),
      move_to text,
      use_idle boolean NOT NULL DEFAULT true,
      poll_seconds integer NOT NULL DEFAULT 60 CHECK (poll_seconds BETWEEN 5 AND 86400),
      enabled boolean NOT NULL DEFAULT true,
      uid_validity text,
      last_uid bigint NOT NULL DEFAULT 0,
      status text NOT NULL DEFAULT 'new' CHECK (status IN ('new','connecting','ok','error','disabled')),
      last_error text,
      last_error_at timestamptz,
      failures integer NOT NULL DEFAULT 0,
      last_connected_at timestamptz,
      last_polled_at timestamptz,
      messages_fetched integer NOT NULL DEFAULT 0,
      lease_owner text,
      lease_until timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK (after_fetch = 'seen' OR move_to IS NOT NULL)
    );
    CREATE UNIQUE INDEX email_mailboxes_account ON email_mailboxes (lower(host), port, lower(username), folder);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS email_mailboxes;`.execute(db);
}
