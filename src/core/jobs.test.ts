import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTestDatabase, usingPostgres } from '../../test/helpers/db.ts';
import { openDatabase, type Database } from '../db/index.ts';
import { ManualClock } from './clock.ts';
import { enqueueJob, JobRunner, type JobHandler } from './jobs.ts';

/**
 * The durable job runner: once, retried with backoff, dead after max_attempts, deduplicated
 * by unique key, taken again after a crash, and never run twice by two concurrent runners.
 */

const dbs: Database[] = [];
async function database(): Promise<Database> {
  const d = await createTestDatabase();
  dbs.push(d);
  return d;
}
afterEach(async () => {
  // the clones/extra connections first, the owner of the schema last
  for (const d of dbs.splice(0).reverse()) await d.close();
});

/** Jobs enqueued without runAt are due at the database's now(); start the test clock after it. */
const startClock = () => new ManualClock(new Date(Date.now() + 60_000));

async function job(d: Database, id: number) {
  return d.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

describe('JobRunner', () => {
  it('runs a due job once with its payload and marks it done', async () => {
    const d = await database();
    const clock = startClock();
    const calls: Array<{ payload: unknown; attempt: number; id: number }> = [];
    const runner = new JobRunner({ db: d.db, clock, handlers: { 'mail.send': async (payload, ctx) => void calls.push({ payload, attempt: ctx.attempt, id: ctx.id }) } });
    const id = (await enqueueJob(d.db, 'mail.send', { to: 'a@example.com' }))!;
    expect(id).toEqual(expect.any(Number));
    // not yet due: scheduled for later
    const later = (await enqueueJob(d.db, 'mail.send', { to: 'later@example.com' }, { runAt: new Date(clock.now().getTime() + 3_600_000) }))!;

    expect(await runner.tick()).toBe(1);
    expect(calls).toEqual([{ payload: { to: 'a@example.com' }, attempt: 1, id }]);
    const row = await job(d, id);
    expect(row).toMatchObject({ status: 'done', attempts: 1, last_error: null, locked_by: null });
    expect(row.finished_at).toEqual(clock.now());
    expect(await runner.tick()).toBe(0);
    expect(calls).toHaveLength(1);
    expect((await job(d, later)).status).toBe('queued');

    clock.advance(3_600_000);
    expect(await runner.tick()).toBe(1);
    expect(calls.map((c) => c.id)).toEqual([id, later]);
  });

  it('marks a batch\'s successes done together and re-queues only the job that failed', async () => {
    const d = await database();
    const clock = startClock();
    const ran: number[] = [];
    const runner = new JobRunner({
      db: d.db,
      clock,
      handlers: {
        work: async (payload, ctx) => {
          ran.push(ctx.id);
          if ((payload as { fail?: boolean }).fail) throw new Error('no');
        },
      },
    });
    const ids = [(await enqueueJob(d.db, 'work', {}))!, (await enqueueJob(d.db, 'work', { fail: true }))!, (await enqueueJob(d.db, 'work', {}))!];
    const updates: string[] = [];
    const original = d.db.updateTable.bind(d.db);
    const spy = vi.spyOn(d.db, 'updateTable').mockImplementation(((table: 'jobs') => {
      updates.push(table);
      return original(table);
    }) as typeof d.db.updateTable);
    expect(await runner.tick()).toBe(3);
    spy.mockRestore();
    expect(ran).toEqual(ids);
    expect((await job(d, ids[0])).status).toBe('done');
    expect((await job(d, ids[1])).status).toBe('queued');
    expect((await job(d, ids[2])).status).toBe('done');
    // one update for the failure, one for both successes
    expect(updates).toEqual(['jobs', 'jobs']);
  });

  it('leaves jobs of types it has no handler for to other runners', async () => {
    const d = await database();
    const clock = startClock();
    const runner = new JobRunner({ db: d.db, clock, handlers: { known: async () => undefined } });
    const other = (await enqueueJob(d.db, 'unknown', {}))!;
    expect(await runner.tick()).toBe(0);
    expect((await job(d, other)).status).toBe('queued');
  });

  it('retries a failing job with exponential backoff, then succeeds', async () => {
    const d = await database();
    const clock = startClock();
    let failures = 2;
    const attempts: number[] = [];
    const errors: unknown[] = [];
    const runner = new JobRunner({
      db: d.db,
      clock,
      backoffMs: 1000,
      onError: (e) => errors.push(e),
      handlers: {
        flaky: async (_p, ctx) => {
          attempts.push(ctx.attempt);
          if (failures-- > 0) throw new Error(`carrier API down (attempt ${ctx.attempt})`);
        },
      },
    });
    const id = (await enqueueJob(d.db, 'flaky', {}))!;

    expect(await runner.tick()).toBe(1);
    let row = await job(d, id);
    expect(row).toMatchObject({ status: 'queued', attempts: 1, last_error: 'carrier API down (attempt 1)', locked_by: null });
    expect(row.run_at.getTime()).toBe(clock.now().getTime() + 1000);
    expect(errors).toHaveLength(1);

    expect(await runner.tick()).toBe(0); // backing off
    clock.advance(999);
    expect(await runner.tick()).toBe(0);
    clock.advance(1);
    expect(await runner.tick()).toBe(1);
    row = await job(d, id);
    expect(row).toMatchObject({ status: 'queued', attempts: 2, last_error: 'carrier API down (attempt 2)' });
    // the second wait is twice as long
    expect(row.run_at.getTime()).toBe(clock.now().getTime() + 2000);
    clock.advance(1999);
    expect(await runner.tick()).toBe(0);
    clock.advance(1);
    expect(await runner.tick()).toBe(1);
    row = await job(d, id);
    expect(row).toMatchObject({ status: 'done', attempts: 3, last_error: null });
    expect(attempts).toEqual([1, 2, 3]);
  });

  it('gives up after max_attempts: the job is dead with its last error', async () => {
    const d = await database();
    const clock = startClock();
    let runs = 0;
    const runner = new JobRunner({
      db: d.db,
      clock,
      backoffMs: 10,
      handlers: {
        doomed: async (_p, ctx) => {
          runs++;
          throw new Error(`still failing #${ctx.attempt}`);
        },
      },
    });
    const id = (await enqueueJob(d.db, 'doomed', {}, { maxAttempts: 3 }))!;
    for (let i = 0; i < 6; i++) {
      await runner.tick();
      clock.advance(60_000);
    }
    expect(runs).toBe(3);
    const row = await job(d, id);
    expect(row).toMatchObject({ status: 'dead', attempts: 3, max_attempts: 3, last_error: 'still failing #3', locked_by: null });
    expect(row.finished_at).not.toBeNull();
    expect(await runner.tick()).toBe(0);
  });

  it('queues a job with a unique key only once', async () => {
    const d = await database();
    const clock = startClock();
    let runs = 0;
    const runner = new JobRunner({ db: d.db, clock, handlers: { 'sla.scan': async () => void runs++ } });
    const first = await enqueueJob(d.db, 'sla.scan', { n: 1 }, { uniqueKey: 'sla.scan:42' });
    const second = await enqueueJob(d.db, 'sla.scan', { n: 2 }, { uniqueKey: 'sla.scan:42' });
    expect(first).toEqual(expect.any(Number));
    expect(second).toBeNull();
    const rows = await d.db.selectFrom('jobs').selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(rows[0].payload).toEqual({ n: 1 });
    await runner.tick();
    // still deduplicated once it ran
    expect(await enqueueJob(d.db, 'sla.scan', {}, { uniqueKey: 'sla.scan:42' })).toBeNull();
    expect(await runner.tick()).toBe(0);
    expect(runs).toBe(1);
    // another key is another job
    expect(await enqueueJob(d.db, 'sla.scan', {}, { uniqueKey: 'sla.scan:43' })).toEqual(expect.any(Number));
  });

  it('takes a job again when the worker running it died and its lease expired', async () => {
    const d = await database();
    const clock = startClock();
    const leaseMs = 60_000;
    // node A claims the job and then hangs (as good as crashed)
    let releaseA!: () => void;
    const hung = new Promise<void>((resolve) => (releaseA = resolve));
    let startedA = 0;
    const nodeA = new JobRunner({ db: d.db, clock, leaseMs, handlers: { export: async () => {
      startedA++;
      await hung;
    } } });
    let runsB = 0;
    const nodeB = new JobRunner({ db: d.db, clock, leaseMs, handlers: { export: async () => void runsB++ } });
    const id = (await enqueueJob(d.db, 'export', {}))!;

    const tickA = nodeA.tick();
    while (startedA === 0) await new Promise((r) => setImmediate(r));
    let row = await job(d, id);
    expect(row).toMatchObject({ status: 'running', locked_by: nodeA.workerId, attempts: 1 });

    // while the lease holds, nobody else takes it
    clock.advance(leaseMs - 1);
    expect(await nodeB.tick()).toBe(0);
    // once it has run out, node B does, and finishes it
    clock.advance(2);
    expect(await nodeB.tick()).toBe(1);
    expect(runsB).toBe(1);
    row = await job(d, id);
    expect(row).toMatchObject({ status: 'done', attempts: 2 });

    // node A wakes up late: its outcome no longer touches the job
    releaseA();
    await tickA;
    row = await job(d, id);
    expect(row).toMatchObject({ status: 'done', attempts: 2, locked_by: null });
    expect(await nodeB.tick()).toBe(0);
  });

  it('a crashed job row (running, lease expired) left by a dead process is picked up', async () => {
    const d = await database();
    const clock = startClock();
    const id = (await enqueueJob(d.db, 'report', { month: '2026-10' }))!;
    await d.db
      .updateTable('jobs')
      .set({ status: 'running', locked_by: 'gone-host:123:abcd', locked_until: new Date(clock.now().getTime() - 1000), attempts: 1 })
      .where('id', '=', id)
      .execute();
    const seen: unknown[] = [];
    const runner = new JobRunner({ db: d.db, clock, handlers: { report: async (p) => void seen.push(p) } });
    expect(await runner.tick()).toBe(1);
    expect(seen).toEqual([{ month: '2026-10' }]);
    expect((await job(d, id)).status).toBe('done');
  });

  it('a job whose worker keeps dying is given up after max_attempts, not retried forever', async () => {
    const d = await database();
    const clock = startClock();
    const id = (await enqueueJob(d.db, 'poison', {}, { maxAttempts: 2 }))!;
    // its second attempt was claimed too, and that worker died as well
    await d.db
      .updateTable('jobs')
      .set({ status: 'running', locked_by: 'gone-host:1:x', locked_until: new Date(clock.now().getTime() - 1000), attempts: 2 })
      .where('id', '=', id)
      .execute();
    let runs = 0;
    const runner = new JobRunner({ db: d.db, clock, handlers: { poison: async () => void runs++ } });
    expect(await runner.tick()).toBe(0);
    expect(runs).toBe(0);
    const row = await job(d, id);
    expect(row).toMatchObject({ status: 'dead', attempts: 2, locked_by: null });
    expect(row.last_error).toMatch(/lease expired/);
  });

  it('two runners claiming concurrently never run the same job twice', async () => {
    const d = await database();
    // on a server, the second runner has its own connections, as a second app node would
    const d2 = usingPostgres() ? await openDatabase({ databaseUrl: process.env.DATABASE_URL!, schema: d.schema, poolSize: 4 }) : d;
    if (d2 !== d) dbs.push(d2);
    const clock = startClock();
    const N = 50;
    const runs = new Map<number, number>();
    const by = { a: 0, b: 0 };
    const handler = (who: 'a' | 'b'): JobHandler => async (_p, ctx) => {
      runs.set(ctx.id, (runs.get(ctx.id) ?? 0) + 1);
      by[who]++;
      // yield so the other runner gets to claim in between
      await new Promise((r) => setImmediate(r));
    };
    const ids: number[] = [];
    for (let i = 0; i < N; i++) ids.push((await enqueueJob(d.db, 'work', { i }))!);
    const a = new JobRunner({ db: d.db, clock, batch: 3, handlers: { work: handler('a') } });
    const b = new JobRunner({ db: d2.db, clock, batch: 3, handlers: { work: handler('b') } });
    const drain = async (r: JobRunner) => {
      while ((await r.tick()) > 0) { /* keep claiming */ }
    };
    await Promise.all([drain(a), drain(b)]);
    // whatever is left (a runner may stop while the other still works) is drained once more
    await drain(a);

    expect([...runs.keys()].sort((x, y) => x - y)).toEqual(ids);
    const twice = [...runs.entries()].filter(([, n]) => n !== 1);
    expect(twice).toEqual([]);
    expect(by.a + by.b).toBe(N);
    const statuses = await d.db.selectFrom('jobs').select(['status', 'attempts']).execute();
    expect(statuses.every((s) => s.status === 'done' && s.attempts === 1)).toBe(true);
  });

  it('a poke while a batch runs is not lost: the runner looks again right after the batch', async () => {
    const d = await database();
    const clock = startClock();
    const ran: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const ref: { runner?: JobRunner } = {};
    const handlers: Record<string, JobHandler> = {
      first: async () => {
        ran.push('first');
        // a job queued (and poked) on this node while the batch runs
        await enqueueJob(d.db, 'second', {});
        ref.runner?.poke();
        await gate;
      },
      second: async () => void ran.push('second'),
    };
    // polling an hour apart: only the poke can bring the second job in during the test
    const runner = new JobRunner({ db: d.db, clock, pollMs: 3_600_000, handlers });
    ref.runner = runner;
    await enqueueJob(d.db, 'first', {});
    runner.start();
    try {
      await vi.waitFor(() => expect(ran).toEqual(['first']));
      release();
      await vi.waitFor(() => expect(ran).toEqual(['first', 'second']), { timeout: 10_000 });
    } finally {
      await runner.stop();
    }
  });
});
