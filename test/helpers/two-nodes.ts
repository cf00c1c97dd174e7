/**
 * Two app nodes on one PostgreSQL (the server of DATABASE_URL), as two processes of a
 * deployment would run: the test's own schema opened twice (a pool each) and a
 * LISTEN/NOTIFY event bus each on one shared channel. Only where DATABASE_URL is set.
 */
import type { FastifyInstance } from 'fastify';
import { buildApp, type AppDeps } from '../../src/server/app.ts';
import { openDatabase, type Database } from '../../src/db/index.ts';
import { systemClock } from '../../src/core/clock.ts';
import { randomToken } from '../../src/core/ids.ts';
import { PostgresEventBus } from '../../src/core/event-bus-remote.ts';
import { createTestDatabase } from './db.ts';

/** A fresh event channel name for one test: `prefix_` and eight random lower-case characters. */
export const uniqueChannel = (prefix: string) => `${prefix}_${randomToken(8).toLowerCase().replace(/[^a-z0-9]/g, 'x')}`;

export interface TwoNodes {
  /** Node A's database (the test's schema); `d2` is node B's pool on the same schema. */
  d1: Database;
  d2: Database;
  busA: PostgresEventBus;
  busB: PostgresEventBus;
  appA: FastifyInstance;
  appB: FastifyInstance;
  /** Node A's address, or '' when it was only made ready (`listenA: false`). */
  urlA: string;
  urlB: string;
  /** Closes the apps, then the buses, then the databases. */
  close(): Promise<void>;
}

export async function startTwoNodes(opts: { channel: string; deps?: Partial<AppDeps>; listenA?: boolean }): Promise<TwoNodes> {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) throw new Error('two app nodes need DATABASE_URL');
  const n: Partial<TwoNodes> = {};
  const close = async () => {
    await n.appA?.close();
    await n.appB?.close();
    await n.busA?.close();
    await n.busB?.close();
    await n.d2?.close();
    await n.d1?.close();
  };
  try {
    n.d1 = await createTestDatabase();
    n.d2 = await openDatabase({ databaseUrl, schema: n.d1.schema, poolSize: 4 });
    n.busA = await PostgresEventBus.connect(databaseUrl, opts.channel);
    n.busB = await PostgresEventBus.connect(databaseUrl, opts.channel);
    n.appA = await buildApp({ db: n.d1.db, dbKind: 'postgres', bus: n.busA, clock: systemClock, ...opts.deps });
    n.appB = await buildApp({ db: n.d2.db, dbKind: 'postgres', bus: n.busB, clock: systemClock, ...opts.deps });
    if (opts.listenA === false) {
      await n.appA.ready();
      n.urlA = '';
    } else {
      n.urlA = await n.appA.listen({ port: 0, host: '127.0.0.1' });
    }
    n.urlB = await n.appB.listen({ port: 0, host: '127.0.0.1' });
  } catch (e) {
    await close();
    throw e;
  }
  return { ...(n as Omit<TwoNodes, 'close'>), close };
}
