import type { FastifyInstance } from 'fastify';
import { buildApp, type AppDeps } from '../../src/server/app.ts';
import { MemoryEventBus, type EventBus } from '../../src/core/events.ts';
import { systemClock, type Clock } from '../../src/core/clock.ts';
import { upsertUser, createApiToken } from '../../src/people/users.ts';
import type { Role } from '../../src/db/types.ts';
import type { Database } from '../../src/db/index.ts';
import { createTestDatabase } from './db.ts';

export interface TestServer {
  app: FastifyInstance;
  db: Database;
  bus: EventBus;
  /** http://127.0.0.1:PORT when `listen` was asked for. */
  url: string;
  /** Creates a user with the role and returns a Bearer token for it. */
  tokenFor(role: Role, email?: string, extra?: Partial<Parameters<typeof upsertUser>[1]>): Promise<{ token: string; userId: string }>;
  close(): Promise<void>;
}

export async function startTestServer(opts: { listen?: boolean; clock?: Clock; bus?: EventBus; deps?: Partial<AppDeps> } = {}): Promise<TestServer> {
  const db = await createTestDatabase();
  const bus = opts.bus ?? new MemoryEventBus();
  const app = await buildApp({ db: db.db, dbKind: db.kind, bus, clock: opts.clock ?? systemClock, ...opts.deps });
  let url = '';
  if (opts.listen) url = await app.listen({ port: 0, host: '127.0.0.1' });
  else await app.ready();
  let n = 0;
  return {
    app,
    db,
    bus,
    url,
    async tokenFor(role, email, extra) {
      const { user } = await upsertUser(db.db, { email: email ?? `${role}${++n}@test.example`, role, name: `${role} ${n}`, ...extra });
      return { token: await createApiToken(db.db, user.id, 'test'), userId: user.id };
    },
    async close() {
      await app.close();
      await bus.close();
      await db.close();
    },
  };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
