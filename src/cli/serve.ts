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
  demo: boolean;
}

export async function runServe(opts: ServeOptions): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env, opts);
  } catch (e) {
    throw new CliError(e instanceof Error ? e.message : String(e));
  }
  const started = Date.now();
  const web = ensureWebBuilt().catch((e: unknown) => {
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
    if (/EADDRINUSE/.test(msg)) throw new CliError(`port ${config.port} is already in use (set PORT or --port)`);
    throw new CliError(`could not start: ${msg}`);
  });
  const shown = `http://localhost:${config.port}`;
  const where = config.databaseUrl ? 'PostgreSQL' : `embedded PostgreSQL (PGlite) in ${path.relative(repoRoot, config.dataDir) || '.'}`;
  process.stdout.write(`\ncrossdesk is running at ${shown}  (database: ${where}, events: ${runtime.bus.kind}, ready in ${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
  if (opts.demo) {
    if (seeded) process.stdout.write('Demo data seeded.\n');
    process.stdout.write(`Sign in as ${DEMO_ADMIN} / ${DEMO_PASSWORD} (admin), or agent1@crossdesk.demo … agent7@crossdesk.demo with the same password.\n`);
    process.stdout.write('WARNING: these are public demo passwords. Change them (npx crossdesk user create --email … --password … --role …) before real use.\n');
  }
  process.stdout.write(`API docs: ${shown}/api/docs\n`);
  const stop = async () => {
    await runtime.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}
