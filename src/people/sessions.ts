import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { DB, User } from '../db/types.ts';
import { randomToken } from '../core/ids.ts';
import { hashSecret } from './users.ts';

export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

/**
 * Login sessions live in the database (any app node can check them). The cookie holds
 * a random id; only its hash is stored. Each session carries its own CSRF token.
 */
export async function createSession(db: Kysely<DB>, userId: string, now: Date): Promise<{ sessionId: string; csrfToken: string; expiresAt: Date }> {
  const sessionId = randomToken(32);
  const csrfToken = randomToken(24);
  const expiresAt = new Date(now.getTime() + SESSION_TTL_MS);
  await db.insertInto('sessions').values({ id: hashSecret(sessionId), user_id: userId, csrf_token: csrfToken, expires_at: expiresAt }).execute();
  return { sessionId, csrfToken, expiresAt };
}

export async function resolveSession(db: Kysely<DB>, sessionId: string, now: Date): Promise<{ user: User; csrfToken: string } | undefined> {
  const row = await db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .selectAll('users')
    .select(['sessions.csrf_token as csrf', 'sessions.expires_at as session_expires'])
    .where('sessions.id', '=', hashSecret(sessionId))
    .where('users.active', '=', true)
    .executeTakeFirst();
  if (!row || row.session_expires.getTime() <= now.getTime()) return undefined;
  const { csrf, session_expires: _e, ...user } = row;
  return { user, csrfToken: csrf };
}

export async function deleteSession(db: Kysely<DB>, sessionId: string): Promise<void> {
  await db.deleteFrom('sessions').where('id', '=', hashSecret(sessionId)).execute();
}

export async function purgeExpiredSessions(db: Kysely<DB>, now: Date): Promise<number> {
  const r = await db.deleteFrom('sessions').where('expires_at', '<', now).executeTakeFirst();
  return Number(r.numDeletedRows);
}

/**
 * A fixed-window counter in the database, so limits hold across app nodes.
 * Returns whether this hit is allowed and when the window resets.
 */
export async function hitRateLimit(
  db: Kysely<DB>,
  key: string,
  limit: number,
  windowMs: number,
  now: Date,
): Promise<{ allowed: boolean; retryAfterSeconds: number }> {
  const reset = new Date(now.getTime() + windowMs);
  const row = await db
    .insertInto('rate_limits')
    .values({ key, count: 1, reset_at: reset })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet({
        count: sql<number>`CASE WHEN rate_limits.reset_at <= ${now} THEN 1 ELSE rate_limits.count + 1 END`,
        reset_at: sql<Date>`CASE WHEN rate_limits.reset_at <= ${now} THEN ${reset}::timestamptz ELSE rate_limits.reset_at END`,
      }),
    )
    .returning(['count', 'reset_at'])
    .executeTakeFirstOrThrow();
  const retry = Math.max(1, Math.ceil((row.reset_at.getTime() - now.getTime()) / 1000));
  return { allowed: row.count <= limit, retryAfterSeconds: retry };
}

export async function clearRateLimit(db: Kysely<DB>, key: string): Promise<void> {
  await db.deleteFrom('rate_limits').where('key', '=', key).execute();
}

/** Takes one hit back (a sign-in that succeeded should not use up its address's allowance). */
export async function undoRateLimitHit(db: Kysely<DB>, key: string): Promise<void> {
  await db.updateTable('rate_limits').set({ count: sql<number>`count - 1` }).where('key', '=', key).where('count', '>', 0).execute();
}
