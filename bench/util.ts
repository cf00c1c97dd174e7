/** Helpers shared by the benchmark suites. */
import fs from 'node:fs';
import os from 'node:os';
import { openDatabase, type Database } from '../src/db/index.ts';
import { migrateToLatest } from '../src/db/migrator.ts';
import { randomToken } from '../src/core/ids.ts';

/** The p-th percentile of a list of measurements. */
export function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

/** A migrated database of the bench's own: a new PGlite, or a new schema on DATABASE_URL. */
export async function freshDatabase(kind: 'pglite' | 'postgres', poolSize = 10): Promise<Database & { drop(): Promise<void> }> {
  if (kind === 'postgres') {
    const schema = `bench_${randomToken(5).toLowerCase().replace(/[^a-z0-9]/g, 'x')}`;
    const d = await openDatabase({ databaseUrl: process.env.DATABASE_URL, schema, poolSize });
    await migrateToLatest(d.db, schema);
    return {
      ...d,
      drop: async () => {
        await d.db.schema.dropSchema(schema).cascade().execute();
        await d.close();
      },
    };
  }
  const d = await openDatabase({});
  await migrateToLatest(d.db);
  return { ...d, drop: () => d.close() };
}

/**
 * CPU time (user + system, ms) of one process, from /proc (Linux); NaN elsewhere or when
 * the process is gone.
 */
export function processCpuMs(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return Number.NaN;
  }
}

/**
 * CPU time (ms) of this process's children that have ended and been waited for (cutime +
 * cstime in /proc/self/stat): the bench's load generator, measured after it exits.
 */
export function endedChildrenCpuMs(): number {
  try {
    const stat = fs.readFileSync('/proc/self/stat', 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[13]) + Number(f[14])) * 1000) / CLOCK_TICKS;
  } catch {
    return Number.NaN;
  }
}

/** The pids whose parent is `pid` (Linux; empty elsewhere). */
export function childPids(pid: number): number[] {
  try {
    return fs
      .readdirSync('/proc')
      .filter((p) => /^\d+$/.test(p))
      .filter((p) => {
        try {
          const stat = fs.readFileSync(`/proc/${p}/stat`, 'utf8');
          return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid;
        } catch {
          return false;
        }
      })
      .map(Number);
  } catch {
    return [];
  }
}

/** The 1-minute load average (what else the machine was doing), NaN where unknown. */
export function loadAverage(): number {
  return os.loadavg()[0] ?? Number.NaN;
}

// USER_HZ: 100 on every Linux this runs on
const CLOCK_TICKS = 100;
