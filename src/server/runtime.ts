import type { FastifyInstance } from 'fastify';
import { openDatabase, type Database } from '../db/index.ts';
import { migrateToLatest } from '../db/migrator.ts';
import type { Config } from '../core/config.ts';
import { systemClock, type Clock } from '../core/clock.ts';
import { createEventBus } from '../core/event-bus-remote.ts';
import type { EventBus } from '../core/events.ts';
import { JobRunner } from '../core/jobs.ts';
import { buildApp } from './app.ts';
import { triageForTickets } from '../helpdesk/triage-adapter.ts';
import { slaJobs, scheduleSlaScan } from '../helpdesk/sla-jobs.ts';

export interface Runtime {
  app: FastifyInstance;
  database: Database;
  bus: EventBus;
  jobs: JobRunner;
  url: string;
  close(): Promise<void>;
}

/** Opens the database (migrating it), the event bus and the job runner, then listens. */
export async function startRuntime(config: Config, opts: { clock?: Clock; logger?: boolean; onReady?: (db: Database) => Promise<void> } = {}): Promise<Runtime> {
  const clock = opts.clock ?? systemClock;
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    await migrateToLatest(database.db);
    if (opts.onReady) await opts.onReady(database);
  } catch (e) {
    await database.close();
    throw e;
  }
  const bus = await createEventBus({ databaseUrl: config.databaseUrl, redisUrl: config.redisUrl });
  const jobs = new JobRunner({ db: database.db, clock, handlers: { ...slaJobs({ db: database.db, bus, clock }) } });
  const app = await buildApp({
    db: database.db,
    dbKind: database.kind,
    bus,
    clock,
    triage: triageForTickets,
    secureCookies: config.secureCookies,
    logger: opts.logger === false ? false : { level: config.logLevel },
  });
  const url = await app.listen({ port: config.port, host: config.host });
  jobs.start();
  const slaTimer = setInterval(() => void scheduleSlaScan(database.db, clock).catch(() => undefined), 60_000);
  slaTimer.unref();
  void scheduleSlaScan(database.db, clock).catch(() => undefined);
  return {
    app,
    database,
    bus,
    jobs,
    url,
    async close() {
      clearInterval(slaTimer);
      await jobs.stop();
      await app.close();
      await bus.close();
      await database.close();
    },
  };
}
