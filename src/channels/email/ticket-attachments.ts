import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../../db/types.ts';

/**
 * Images a customer sent on a ticket by e-mail (inline or attached, kept or blocked: the
 * customer sent them either way), oldest first. The helpdesk's playbooks read it to tick
 * "photo received".
 */
export async function customerImagesOnTicket(db: Kysely<DB> | Transaction<DB>, ticketId: string): Promise<Array<{ filename: string; contentType: string; createdAt: Date }>> {
  const rows = await db
    .selectFrom('email_attachments as a')
    .innerJoin('email_messages as m', 'm.id', 'a.email_id')
    .select(['a.filename', 'a.content_type', 'a.detected_type', 'm.created_at'])
    .where('m.ticket_id', '=', ticketId)
    .where('m.direction', '=', 'in')
    .where('m.kind', '=', 'message')
    .where((eb) => eb.or([eb('a.content_type', 'like', 'image/%'), eb('a.detected_type', 'like', 'image/%')]))
    .orderBy('m.created_at')
    .execute();
  return rows.map((r) => ({ filename: r.filename, contentType: r.detected_type ?? r.content_type, createdAt: r.created_at }));
}
