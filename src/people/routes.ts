import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import Type, { type Static } from 'typebox';
import type { DB } from '../db/types.ts';
import type { Clock } from '../core/clock.ts';
import { AppError, unauthorized, validationError } from '../core/errors.ts';
import { isUuid } from '../core/ids.ts';
import { errorResponses, IdParams, Nullable } from '../server/schemas.ts';
import { CSRF_COOKIE, SESSION_COOKIE } from '../server/auth.ts';
import { verifyPassword } from './passwords.ts';
import { clearRateLimit, createSession, deleteSession, hitRateLimit, SESSION_TTL_MS, undoRateLimitHit } from './sessions.ts';
import { createApiToken, createTeam, findUserByEmail, getUser, listTeams, listUsers, publicUser, updateUser, upsertUser } from './users.ts';

const Lang = Type.Object({ code: Type.String({ pattern: '^[a-z]{2}$' }), proficiency: Type.Union(['native', 'fluent', 'working', 'basic'].map((s) => Type.Literal(s))) }, { additionalProperties: false });
const RoleSchema = Type.Union(['admin', 'manager', 'trainer', 'agent'].map((s) => Type.Literal(s)));
const LevelSchema = Type.Union(['trainee', 'L1', 'L2', 'L3', 'expert'].map((s) => Type.Literal(s)));

export const UserSchema = Type.Object({
  id: Type.String(),
  email: Type.String(),
  name: Type.String(),
  role: Type.String(),
  teamId: Nullable(Type.String()),
  languages: Type.Array(Type.Object({ code: Type.String(), proficiency: Type.String() })),
  skills: Type.Array(Type.String()),
  timezone: Type.String(),
  certificationLevel: Type.String(),
  maxLoad: Type.Integer(),
  uiLanguage: Type.String(),
  active: Type.Boolean(),
});

const LoginBody = Type.Object({ email: Type.String({ minLength: 3, maxLength: 254 }), password: Type.String({ minLength: 1, maxLength: 256 }) }, { additionalProperties: false });
const SessionResponse = Type.Object({ user: UserSchema, csrfToken: Type.String() });

const UserBody = Type.Object(
  {
    email: Type.String({ minLength: 3, maxLength: 254 }),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    password: Type.Optional(Type.String({ minLength: 8, maxLength: 256 })),
    role: RoleSchema,
    teamId: Type.Optional(Nullable(Type.String({ maxLength: 64 }))),
    languages: Type.Optional(Type.Array(Lang, { maxItems: 20 })),
    skills: Type.Optional(Type.Array(Type.String({ maxLength: 40 }), { maxItems: 30 })),
    timezone: Type.Optional(Type.String({ maxLength: 64 })),
    certificationLevel: Type.Optional(LevelSchema),
    maxLoad: Type.Optional(Type.Integer({ minimum: 0, maximum: 500 })),
    uiLanguage: Type.Optional(Type.Union([Type.Literal('zh-CN'), Type.Literal('en')])),
  },
  { additionalProperties: false },
);
const PatchUserBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    password: Type.Optional(Type.String({ minLength: 8, maxLength: 256 })),
    role: Type.Optional(RoleSchema),
    teamId: Type.Optional(Nullable(Type.String({ maxLength: 64 }))),
    languages: Type.Optional(Type.Array(Lang, { maxItems: 20 })),
    skills: Type.Optional(Type.Array(Type.String({ maxLength: 40 }), { maxItems: 30 })),
    timezone: Type.Optional(Type.String({ maxLength: 64 })),
    certificationLevel: Type.Optional(LevelSchema),
    maxLoad: Type.Optional(Type.Integer({ minimum: 0, maximum: 500 })),
    uiLanguage: Type.Optional(Type.Union([Type.Literal('zh-CN'), Type.Literal('en')])),
    active: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
);
const PrefsBody = Type.Object({ uiLanguage: Type.Union([Type.Literal('zh-CN'), Type.Literal('en')]) }, { additionalProperties: false });
const TeamSchema = Type.Object({ id: Type.String(), name: Type.String() });

export const LOGIN_LIMIT = { perIdentity: 5, perAddress: 30, windowMs: 15 * 60_000 };

export function peopleRoutes(deps: { db: Kysely<DB>; clock: Clock; secureCookies: boolean }) {
  const { db, clock } = deps;
  return async (app: FastifyInstance): Promise<void> => {
    const cookieBase = { path: '/', sameSite: 'lax' as const, secure: deps.secureCookies };

    app.post('/auth/login', {
      schema: { tags: ['auth'], summary: 'Sign in; sets the session cookie', body: LoginBody, response: { 200: SessionResponse, ...errorResponses } },
      config: { public: true },
    }, async (req, reply) => {
      const { email, password } = req.body as Static<typeof LoginBody>;
      const now = clock.now();
      const idKey = `login:${email.trim().toLowerCase()}|${req.ip}`;
      const ipKey = `login-ip:${req.ip}`;
      const [byId, byIp] = await Promise.all([
        hitRateLimit(db, idKey, LOGIN_LIMIT.perIdentity, LOGIN_LIMIT.windowMs, now),
        hitRateLimit(db, ipKey, LOGIN_LIMIT.perAddress, LOGIN_LIMIT.windowMs, now),
      ]);
      if (!byId.allowed || !byIp.allowed) {
        const retry = Math.max(byId.allowed ? 0 : byId.retryAfterSeconds, byIp.allowed ? 0 : byIp.retryAfterSeconds);
        void reply.header('retry-after', String(retry));
        throw new AppError('rate_limited', `Too many sign-in attempts; try again in ${Math.ceil(retry / 60)} minute(s)`, { retryAfterSeconds: retry });
      }
      const user = await findUserByEmail(db, email);
      const ok = await verifyPassword(password, user?.password_hash ?? null);
      if (!user || !ok || !user.active) throw unauthorized('E-mail or password is wrong');
      // only failures count: a team behind one office address may all sign in
      await Promise.all([clearRateLimit(db, idKey), undoRateLimitHit(db, ipKey)]);
      const s = await createSession(db, user.id, now);
      void reply.setCookie(SESSION_COOKIE, s.sessionId, { ...cookieBase, httpOnly: true, maxAge: SESSION_TTL_MS / 1000 });
      void reply.setCookie(CSRF_COOKIE, s.csrfToken, { ...cookieBase, httpOnly: false, maxAge: SESSION_TTL_MS / 1000 });
      return { user: publicUser(user), csrfToken: s.csrfToken };
    });

    app.post('/auth/logout', {
      schema: { tags: ['auth'], summary: 'Sign out', response: { 204: Type.Null(), ...errorResponses } },
      config: { public: true },
    }, async (req, reply) => {
      const sid = req.cookies[SESSION_COOKIE];
      if (sid) await deleteSession(db, sid);
      void reply.clearCookie(SESSION_COOKIE, { path: '/' }).clearCookie(CSRF_COOKIE, { path: '/' });
      return reply.code(204).send();
    });

    app.get('/auth/me', {
      schema: { tags: ['auth'], summary: 'Who is signed in', response: { 200: SessionResponse, ...errorResponses } },
    }, async (req) => ({ user: publicUser(req.auth!.user), csrfToken: req.auth!.csrfToken ?? '' }));

    app.patch('/auth/me', {
      schema: { tags: ['auth'], summary: 'Own preferences (UI language)', body: PrefsBody, response: { 200: UserSchema, ...errorResponses } },
    }, async (req) => publicUser(await updateUser(db, req.auth!.user.id, req.body as Static<typeof PrefsBody>)));

    app.get('/users', {
      schema: {
        tags: ['users'],
        summary: 'List users (for assignment and administration)',
        querystring: Type.Object({ role: Type.Optional(RoleSchema) }, { additionalProperties: false }),
        response: { 200: Type.Object({ items: Type.Array(UserSchema) }), ...errorResponses },
      },
    }, async (req) => {
      const q = req.query as { role?: 'admin' | 'manager' | 'trainer' | 'agent' };
      return { items: (await listUsers(db, { role: q.role })).map(publicUser) };
    });

    app.post('/users', {
      schema: { tags: ['users'], summary: 'Create or update a user by e-mail', body: UserBody, response: { 201: UserSchema, 200: UserSchema, ...errorResponses } },
      config: { roles: ['admin'] },
    }, async (req, reply) => {
      const b = req.body as Static<typeof UserBody>;
      if (b.teamId && !isUuid(b.teamId)) throw validationError('teamId must be a team id');
      const { user, created } = await upsertUser(db, b as Parameters<typeof upsertUser>[1]);
      return reply.code(created ? 201 : 200).send(publicUser(user));
    });

    app.patch('/users/:id', {
      schema: { tags: ['users'], params: IdParams, body: PatchUserBody, response: { 200: UserSchema, ...errorResponses } },
      config: { roles: ['admin'] },
    }, async (req) => {
      const { id } = req.params as Static<typeof IdParams>;
      if (!isUuid(id)) throw validationError('id must be a user id');
      const b = req.body as Static<typeof PatchUserBody>;
      if (b.teamId && !isUuid(b.teamId)) throw validationError('teamId must be a team id');
      await getUser(db, id);
      return publicUser(await updateUser(db, id, b as Parameters<typeof updateUser>[2]));
    });

    app.post('/users/:id/tokens', {
      schema: {
        tags: ['users'],
        summary: 'Create an API token for a user (shown once)',
        params: IdParams,
        body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false }),
        response: { 201: Type.Object({ token: Type.String() }), ...errorResponses },
      },
      config: { roles: ['admin'] },
    }, async (req, reply) => {
      const { id } = req.params as Static<typeof IdParams>;
      if (!isUuid(id)) throw validationError('id must be a user id');
      await getUser(db, id);
      const token = await createApiToken(db, id, (req.body as { name: string }).name);
      return reply.code(201).send({ token });
    });

    app.get('/teams', {
      schema: { tags: ['users'], response: { 200: Type.Object({ items: Type.Array(TeamSchema) }), ...errorResponses } },
    }, async () => ({ items: (await listTeams(db)).map((t) => ({ id: t.id, name: t.name })) }));

    app.post('/teams', {
      schema: { tags: ['users'], body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false }), response: { 201: TeamSchema, ...errorResponses } },
      config: { roles: ['admin'] },
    }, async (req, reply) => {
      const t = await createTeam(db, (req.body as { name: string }).name);
      return reply.code(201).send({ id: t.id, name: t.name });
    });
  };
}
