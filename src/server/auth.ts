import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { DB, Role, User } from '../db/types.ts';
import type { Clock } from '../core/clock.ts';
import { AppError, forbidden, unauthorized } from '../core/errors.ts';
import { resolveSession } from '../people/sessions.ts';
import { userForApiToken } from '../people/users.ts';
import type { Actor } from '../helpdesk/visibility.ts';

export const SESSION_COOKIE = 'cd_session';
export const CSRF_COOKIE = 'cd_csrf';
export const CSRF_HEADER = 'x-csrf-token';

export interface AuthState {
  user: User;
  via: 'session' | 'token';
  csrfToken?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    auth: AuthState | null;
  }
  interface FastifyContextConfig {
    /** No sign-in needed (login, health, public pages). */
    public?: boolean;
    /** Roles allowed; absent = any signed-in user. */
    roles?: readonly Role[];
    /** Accept `?token=` (websocket clients cannot set headers). */
    tokenInQuery?: boolean;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && y.length > 0 && timingSafeEqual(x, y);
}

/**
 * Resolves who is calling: `Authorization: Bearer <token>` (API tokens, no CSRF needed:
 * browsers never attach it on their own) or the session cookie (CSRF token required on
 * writes, sent back in the `X-CSRF-Token` header). Then applies the route's role list.
 */
export function authHook(db: Kysely<DB>, clock: Clock) {
  return async (req: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    req.auth = null;
    const cfg = req.routeOptions.config;
    const header = req.headers.authorization;
    let bearer: string | undefined;
    if (header) {
      const m = /^Bearer\s+(\S+)$/i.exec(header);
      if (!m) throw unauthorized('Authorization header must be "Bearer <token>"');
      bearer = m[1];
    } else if (cfg.tokenInQuery) {
      const q = req.query as Record<string, unknown> | undefined;
      if (typeof q?.token === 'string') bearer = q.token;
    }
    if (bearer) {
      const user = await userForApiToken(db, bearer);
      if (!user) throw unauthorized('The API token is not valid');
      req.auth = { user, via: 'token' };
    } else {
      const sid = req.cookies[SESSION_COOKIE];
      if (sid) {
        const s = await resolveSession(db, sid, clock.now());
        if (s) req.auth = { user: s.user, via: 'session', csrfToken: s.csrfToken };
      }
    }
    if (cfg.public) return;
    if (!req.auth) throw unauthorized();
    if (req.auth.via === 'session' && !SAFE_METHODS.has(req.method)) {
      const sent = req.headers[CSRF_HEADER];
      if (typeof sent !== 'string' || !sameSecret(sent, req.auth.csrfToken ?? '')) {
        throw new AppError('csrf_failed', 'Missing or wrong X-CSRF-Token header for a cookie-authenticated request');
      }
    }
    if (cfg.roles && !cfg.roles.includes(req.auth.user.role)) {
      throw forbidden(`This needs one of the roles: ${cfg.roles.join(', ')}`);
    }
  };
}

export function actorOf(req: FastifyRequest): Actor {
  const u = req.auth?.user;
  if (!u) throw unauthorized();
  return { type: 'user', id: u.id, role: u.role, teamId: u.team_id, name: u.name };
}
