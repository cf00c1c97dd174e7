import cluster from 'node:cluster';
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../core/config.ts';
import { repoRoot } from '../core/paths.ts';
import { startRuntime } from '../server/runtime.ts';
import { triageForTickets } from '../helpdesk/triage-adapter.ts';
import { DEMO_ADMIN, DEMO_PASSWORD, isSeeded, seedDemo } from './demo-seed.ts';
import { CliError } from './io.ts';
import { ensureWebBuilt } from './web-build.ts';

export interface ServeOptions {
  port?: string;
  host?: string;
  data?: string;
  databaseUrl?: string;
  redisUrl?: string;
  smtpPort?: string;
  /** App processes sharing the port (`serve --workers N`, WORKERS); PostgreSQL only. */
  workers?: string;
  demo: boolean;
}

/** `--workers` / WORKERS: 1 (one process, the default) … 64. */
export function workerCount(value: string | undefined): number {
  if (value === undefined || value === '') return 1;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new CliError(`--workers must be a whole number from 1 to 64, got "${value}"`);
  return n;
}

/** What a worker tells the primary (serve --workers). */
type WorkerNote = { crossdesk: 'ready'; url: string; events: string } | { crossdesk: 'failed'; message: string };

export async function runServe(opts: ServeOptions): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env, opts);
  } catch (e) {
    throw new CliError(e instanceof Error ? e.message : String(e));
  }
  const workers = opts.demo ? 1 : workerCount(opts.workers ?? process.env.WORKERS);
  if (workers > 1 && !config.databaseUrl) {
    throw new CliError('--workers needs PostgreSQL (DATABASE_URL or --database-url): the embedded database belongs to one process');
  }
  if (workers > 1 && cluster.isPrimary) return runPrimary(workers, config.port);
  const worker = !cluster.isPrimary;
  const started = Date.now();
  // workers: the primary built the web app before forking them
  const web = worker
    ? Promise.resolve()
    : ensureWebBuilt().catch((e: unknown) => {
        process.stderr.write(`crossdesk: the web app could not be built (${e instanceof Error ? e.message : String(e)}); the API still works.\n`);
      });
  if (!config.databaseUrl) fs.mkdirSync(config.dataDir, { recursive: true });
  let seeded = false;
  const runtime = await startRuntime(config, {
    logger: process.env.LOG_LEVEL ? true : false,
    onReady: async (database) => {
      await web;
      if (opts.demo && !(await isSeeded(database.db))) {
        await seedDemo(database.db, { triage: triageForTickets });
        seeded = true;
      }
    },
  }).catch((e: unknown) => {
    const msg = e instanceof Error ? e.message : String(e);
    const err = /EADDRINUSE/.test(msg) ? new CliError(`port ${config.port} is already in use (set PORT or --port)`) : new CliError(`could not start: ${msg}`);
    if (worker) process.send?.({ crossdesk: 'failed', message: err.message } satisfies WorkerNote);
    throw err;
  });
  const stop = async () => {
    await runtime.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
  if (worker) {
    // the primary prints the banner once every worker listens
    process.send?.({ crossdesk: 'ready', url: runtime.url, events: runtime.bus.kind } satisfies WorkerNote);
    process.on('disconnect', () => void stop());
    return;
  }
  const shown = `http://localhost:${config.port}`;
  const where = config.databaseUrl ? 'PostgreSQL' : `embedded PostgreSQL (PGlite) in ${path.relative(repoRoot, config.dataDir) || '.'}`;
  process.stdout.write(`\ncrossdesk is running at ${shown}  (database: ${where}, events: ${runtime.bus.kind}, ready in ${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
  if (opts.demo) {
    if (seeded) process.stdout.write('Demo data seeded.\n');
    process.stdout.write(`Sign in as ${DEMO_ADMIN} / ${DEMO_PASSWORD} (admin), or agent1@crossdesk.demo … agent7@crossdesk.demo with the same password.\n`);
    process.stdout.write('WARNING: these are public demo passwords. Change them (npx crossdesk user create --email … --password … --role …) before real use.\n');
  }
  process.stdout.write(`API docs: ${shown}/api/docs\n`);
}

/**
 * `serve --workers N`: N app processes (node:cluster) share the port; the primary only
 * forks, restarts a worker that dies, and stops them all on SIGINT/SIGTERM. Each worker
 * is a full app node (its own pool, job runner, timers), as several machines on one
 * PostgreSQL would be: jobs are claimed with SKIP LOCKED, live events cross processes by
 * LISTEN/NOTIFY (or Redis), caches are per node (see README, Deploying on PostgreSQL).
 */
async function runPrimary(workers: number, port: number): Promise<void> {
  const started = Date.now();
  await ensureWebBuilt().catch((e: unknown) => {
    process.stderr.write(`crossdesk: the web app could not be built (${e instanceof Error ? e.message : String(e)}); the API still works.\n`);
  });
  let stopping = false;
  let ready = 0;
  const restarts: number[] = [];
  await new Promise<void>((resolve, reject) => {
    const fork = () => {
      const w = cluster.fork();
      w.on('message', (note: WorkerNote) => {
        if (note?.crossdesk === 'failed') {
          stopping = true;
          for (const other of Object.values(cluster.workers ?? {})) other?.kill('SIGTERM');
          reject(new CliError(note.message));
        } else if (note?.crossdesk === 'ready' && ++ready === workers) {
          process.stdout.write(`\ncrossdesk is running at http://localhost:${port}  (${workers} worker processes, database: PostgreSQL, events: ${note.events}, ready in ${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
          process.stdout.write(`API docs: http://localhost:${port}/api/docs\n`);
          resolve();
        }
      });
    };
    cluster.on('exit', (w, code, signal) => {
      if (stopping) return;
      // a worker that died is replaced; five deaths within a minute stop the server
      const now = Date.now();
      restarts.push(now);
      while (restarts.length && restarts[0] < now - 60_000) restarts.shift();
      process.stderr.write(`crossdesk: worker ${w.process.pid} exited (${signal ?? `code ${code}`})${restarts.length >= 5 ? '; too many restarts, stopping' : '; starting another'}\n`);
      if (restarts.length >= 5) {
        stopping = true;
        for (const other of Object.values(cluster.workers ?? {})) other?.kill('SIGTERM');
        process.exitCode = 1;
        return;
      }
      fork();
    });
    for (let i = 0; i < workers; i++) fork();
  });
  const stop = () => {
    stopping = true;
    for (const w of Object.values(cluster.workers ?? {})) w?.kill('SIGTERM');
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
