import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { AgentLanguage, CertificationLevel, DB, Role, User } from '../db/types.ts';
import { conflict, notFound, validationError } from '../core/errors.ts';
import { randomToken, uuidv7 } from '../core/ids.ts';
import { hashPassword, passwordProblem } from './passwords.ts';

export const ROLES: readonly Role[] = ['admin', 'manager', 'trainer', 'agent'];
export const CERTIFICATION_LEVELS: readonly CertificationLevel[] = ['trainee', 'L1', 'L2', 'L3', 'expert'];

export function isRole(r: string): r is Role {
  return (ROLES as readonly string[]).includes(r);
}

const EMAIL_RE = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:"]+$/;
export function normaliseEmail(email: string): string {
  const e = email.trim().toLowerCase();
  if (e.length > 254 || !EMAIL_RE.test(e)) throw validationError(`"${email.slice(0, 80)}" is not a valid e-mail address`);
  return e;
}

/** What the API shows of a user (never the password hash). */
export interface PublicUser {
  id: string;
  email: string;
  name: string;
  role: Role;
  teamId: string | null;
  languages: AgentLanguage[];
  skills: string[];
  timezone: string;
  certificationLevel: CertificationLevel;
  maxLoad: number;
  uiLanguage: string;
  active: boolean;
}

export function publicUser(u: User): PublicUser {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    role: u.role,
    teamId: u.team_id,
    languages: u.languages,
    skills: u.skills,
    timezone: u.timezone,
    certificationLevel: u.certification_level,
    maxLoad: u.max_load,
    uiLanguage: u.ui_language,
    active: u.active,
  };
}

export interface UserInput {
  email: string;
  name?: string;
  password?: string;
  role: Role;
  teamId?: string | null;
  languages?: AgentLanguage[];
  skills?: string[];
  timezone?: string;
  certificationLevel?: CertificationLevel;
  maxLoad?: number;
  uiLanguage?: string;
}

function checkTimezone(tz: string | undefined): void {
  if (tz === undefined) return;
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
  } catch {
    throw validationError(`"${tz}" is not a known time zone (use an IANA name such as Asia/Shanghai)`);
  }
}

/** Creates the user, or updates role/password/profile when the e-mail exists. */
export async function upsertUser(db: Kysely<DB>, input: UserInput): Promise<{ user: User; created: boolean }> {
  const email = normaliseEmail(input.email);
  if (!isRole(input.role)) throw validationError(`role must be one of ${ROLES.join(', ')}`);
  checkTimezone(input.timezone);
  if (input.password !== undefined) {
    const p = passwordProblem(input.password);
    if (p) throw validationError(p);
  }
  const passwordHash = input.password !== undefined ? await hashPassword(input.password) : undefined;
  const existing = await db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
  const profile = {
    name: input.name ?? existing?.name ?? email.split('@')[0],
    role: input.role,
    ...(input.teamId !== undefined ? { team_id: input.teamId } : {}),
    ...(input.languages ? { languages: JSON.stringify(input.languages) } : {}),
    ...(input.skills ? { skills: JSON.stringify(input.skills) } : {}),
    ...(input.timezone ? { timezone: input.timezone } : {}),
    ...(input.certificationLevel ? { certification_level: input.certificationLevel } : {}),
    ...(input.maxLoad !== undefined ? { max_load: input.maxLoad } : {}),
    ...(input.uiLanguage ? { ui_language: input.uiLanguage } : {}),
    ...(passwordHash ? { password_hash: passwordHash } : {}),
  };
  if (existing) {
    const user = await db.updateTable('users').set(profile).where('id', '=', existing.id).returningAll().executeTakeFirstOrThrow();
    forgetTokenCache(db);
    return { user, created: false };
  }
  const user = await db
    .insertInto('users')
    .values({ id: uuidv7(), email, password_hash: null, team_id: null, ...profile })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { user, created: true };
}

export async function getUser(db: Kysely<DB>, id: string): Promise<User> {
  const u = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  if (!u) throw notFound('User', id);
  return u;
}

export async function findUserByEmail(db: Kysely<DB>, email: string): Promise<User | undefined> {
  return db.selectFrom('users').selectAll().where('email', '=', email.trim().toLowerCase()).executeTakeFirst();
}

export async function listUsers(db: Kysely<DB>, opts: { role?: Role; teamId?: string } = {}): Promise<User[]> {
  let q = db.selectFrom('users').selectAll().orderBy('name');
  if (opts.role) q = q.where('role', '=', opts.role);
  if (opts.teamId) q = q.where('team_id', '=', opts.teamId);
  return q.execute();
}

export async function updateUser(db: Kysely<DB>, id: string, patch: Partial<Omit<UserInput, 'email'>> & { active?: boolean }): Promise<User> {
  const current = await getUser(db, id);
  if (patch.role !== undefined && !isRole(patch.role)) throw validationError(`role must be one of ${ROLES.join(', ')}`);
  checkTimezone(patch.timezone);
  const { user } = await upsertUser(db, {
    email: current.email,
    role: patch.role ?? current.role,
    name: patch.name,
    password: patch.password,
    teamId: patch.teamId,
    languages: patch.languages,
    skills: patch.skills,
    timezone: patch.timezone,
    certificationLevel: patch.certificationLevel,
    maxLoad: patch.maxLoad,
    uiLanguage: patch.uiLanguage,
  });
  if (patch.active !== undefined) {
    forgetTokenCache(db);
    return db.updateTable('users').set({ active: patch.active }).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
  }
  return user;
}

// ---- teams ----

export async function createTeam(db: Kysely<DB>, name: string) {
  const n = name.trim();
  if (!n) throw validationError('team name must not be empty');
  const exists = await db.selectFrom('teams').select('id').where('name', '=', n).executeTakeFirst();
  if (exists) throw conflict(`a team named "${n}" already exists`);
  return db.insertInto('teams').values({ id: uuidv7(), name: n }).returningAll().executeTakeFirstOrThrow();
}

export async function listTeams(db: Kysely<DB>) {
  return db.selectFrom('teams').selectAll().orderBy('name').execute();
}

// ---- API tokens (stored as SHA-256: they are long random secrets, so a fast hash is enough) ----

export const hashSecret = (raw: string) => createHash('sha256').update(raw).digest('hex');

export async function createApiToken(db: Kysely<DB>, userId: string, name: string): Promise<string> {
  const raw = `cdt_${randomToken(32)}`;
  await db.insertInto('api_tokens').values({ id: uuidv7(), user_id: userId, name, token_hash: hashSecret(raw) }).execute();
  return raw;
}

/**
 * A resolved token is remembered for TOKEN_TTL_MS on this node, which saves a query on every
 * API call. A change to a user made through this module forgets its entries at once; on
 * other app nodes a role change or deactivation takes effect within TOKEN_TTL_MS.
 */
const TOKEN_TTL_MS = 2_000;
const TOKEN_CACHE_MAX = 10_000;
const tokenCaches = new WeakMap<Kysely<DB>, Map<string, { user: User; at: number }>>();

export function forgetTokenCache(db: Kysely<DB>): void {
  tokenCaches.delete(db);
}

export async function userForApiToken(db: Kysely<DB>, raw: string): Promise<User | undefined> {
  const hash = hashSecret(raw);
  let cache = tokenCaches.get(db);
  if (!cache) tokenCaches.set(db, (cache = new Map()));
  const hit = cache.get(hash);
  if (hit && Date.now() - hit.at < TOKEN_TTL_MS) return hit.user;
  const row = await db
    .selectFrom('api_tokens')
    .innerJoin('users', 'users.id', 'api_tokens.user_id')
    .selectAll('users')
    .select('api_tokens.id as token_id')
    .where('api_tokens.token_hash', '=', hash)
    .where('users.active', '=', true)
    .executeTakeFirst();
  if (!row) {
    cache.delete(hash);
    return undefined;
  }
  const { token_id: _t, ...user } = row;
  if (cache.size >= TOKEN_CACHE_MAX) cache.clear();
  cache.set(hash, { user, at: Date.now() });
  return user;
}
