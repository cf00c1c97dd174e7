import { sql, type Kysely } from 'kysely';

/**
 * The e-mail channel: every message seen on the wire (in and out) by its Message-ID, for
 * threading, de-duplication and loop protection, with the raw source kept; and the
 * attachments of inbound mail.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE email_messages (
      id uuid PRIMARY KEY,
      direction text NOT NULL CHECK (direction IN ('in','out')),
      message_id text NOT NULL,
      -- message: a customer's mail on a ticket; auto_reply, bounce: recorded, no ticket opened;
      -- loop: our own mail coming back; rejected: could not be taken in
      kind text NOT NULL CHECK (kind IN ('message','auto_reply','bounce','loop','rejected')),
      status text NOT NULL DEFAULT 'received' CHECK (status IN ('received','ticketed','queued','sending','sent','failed','bounced')),
      store_id uuid REFERENCES stores(id) ON DELETE SET NULL,
      ticket_id uuid REFERENCES tickets(id) ON DELETE SET NULL,
      message_ref uuid REFERENCES messages(id) ON DELETE SET NULL,
      mail_from text,
      from_address text,
      from_name text,
      to_addresses jsonb NOT NULL DEFAULT '[]',
      recipient_count integer NOT NULL DEFAULT 0,
      subject text NOT NULL DEFAULT '',
      in_reply_to text,
      refs jsonb NOT NULL DEFAULT '[]',
      reason text,
      text_body text,
      html_body text,
      raw bytea,
      size integer NOT NULL DEFAULT 0,
      duplicates integer NOT NULL DEFAULT 0,
      attempts integer NOT NULL DEFAULT 0,
      last_error text,
      sent_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (direction, message_id)
    );
    CREATE INDEX email_messages_message_id ON email_messages (message_id);
    CREATE INDEX email_messages_ticket ON email_messages (ticket_id, created_at);
    CREATE INDEX email_messages_ref ON email_messages (message_ref);
    CREATE INDEX email_messages_sender ON email_messages (from_address, created_at);

    CREATE TABLE email_attachments (
      id uuid PRIMARY KEY,
      email_id uuid NOT NULL REFERENCES email_messages(id) ON DELETE CASCADE,
      filename text NOT NULL,
      content_type text NOT NULL,
      detected_type text,
      size integer NOT NULL,
      sha256 text NOT NULL,
      content_id text,
      inline boolean NOT NULL DEFAULT false,
      -- why the content was not kept (too large, executable), or null when it was
      blocked_reason text,
      content bytea,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX email_attachments_email ON email_attachments (email_id);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS email_attachments, email_messages CASCADE;`.execute(db);
}
