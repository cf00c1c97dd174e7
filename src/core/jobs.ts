import os from 'node:os';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/types.ts';
import type { Clock } from './clock.ts';
import { randomToken } from './ids.ts';

/**
 * A durable job queue in the database: the same SQL on PGlite and PostgreSQL.
 *
 * - enqueue inserts a row (optionally with a unique key, so a job is queued once);
 * - a worker claims due jobs with `FOR UPDATE SKIP LOCKED`, so with several app nodes
 *   each job is taken by exactly one of them, and marks them running with a lease;
 * - success marks the job done; failure re-queues it with exponential backoff until
 *   max_attempts, then marks it dead with the last error;
 * - a node that crashes mid-job leaves a running row whose lease expires: another
 *   worker takes it again, so no job is lost. Handlers must therefore be idempotent.
 */
export interface JobContext {
  id: number;
  attempt: number;
  db: Kysely<DB>;
}

export type JobHandler = (payload: unknown, ctx: JobContext) => Promise<void>;

export interface EnqueueOptions {
  runAt?: Date;
  uniqueKey?: string;
  maxAttempts?: number;
}

export async function enqueueJob(db: Kysely<DB>, type: string, payload: unknown, opts: EnqueueOptions = {}): Promise<number | null> {
  const row = await db
    .insertInto('jobs')
    .values({
      type,
      payload: JSON.stringify(payload ?? {}),
      ...(opts.runAt ? { run_at: opts.runAt } : {}),
      ...(opts.maxAttempts ? { max_attempts: opts.maxAttempts } : {}),
      unique_key: opts.uniqueKey ?? null,
    })
    .onConflict((oc) => oc.column('unique_key').doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id ?? null;
}

export interface JobRunnerOptions {
  db: Kysely<DB>;
  clock: Clock;
  handlers: Record<string, JobHandler>;
  /** How often to look for due jobs when idle. */
  pollMs?: number;
  /** How long a claimed job may run before another worker may take it again. */
  leaseMs?: number;
  batch?: number;
  /** Base of the exponential backoff between attempts. */
  backoffMs?: number;
  onError?: (err: unknown, job: { id: number; type: string }) => void;
}

export class JobRunner {
  readonly workerId = `${os.hostname()}:${process.pid}:${randomToken(4)}`;
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  /** A poke arrived while a batch ran: look again right after it. */
  private poked = false;
  private stopped = true;
  private idle: Promise<void> = Promise.resolve();
  private readonly o: Required<Omit<JobRunnerOptions, 'onError'>> & Pick<JobRunnerOptions, 'onError'>;

  constructor(opts: JobRunnerOptions) {
    this.o = { pollMs: 1000, leaseMs: 5 * 60_000, batch: 10, backoffMs: 5_000, ...opts };
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.idle;
  }

  /** Wakes the worker now (after an enqueue on this node). */
  poke(): void {
    if (this.stopped) return;
    if (this.running) this.poked = true;
    else this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.poked = false;
      this.idle = this.tick().then(
        // a full batch may have left more due jobs, a poke during the batch announced one;
        // otherwise nothing is due here before the next poll (or poke)
        (n) => this.schedule(n >= this.o.batch || this.poked ? 0 : this.o.pollMs),
        () => this.schedule(this.o.pollMs),
      );
    }, ms);
    this.timer.unref();
  }

  /** Claims and runs one batch of due jobs; returns how many ran. Public for tests. */
  async tick(): Promise<number> {
    if (this.running) return 0;
    this.running = true;
    try {
      const jobs = await this.claim();
      // the batch's successes are marked done together, in one statement after it (a crash
      // before that runs them again, as any crash mid-job does: handlers are idempotent)
      const done: number[] = [];
      try {
        for (const job of jobs) if (await this.runOne(job)) done.push(job.id);
      } finally {
        if (done.length) await this.markDone(done);
      }
      return jobs.length;
    } finally {
      this.running = false;
    }
  }

  private async claim() {
    const { db, clock, batch, leaseMs } = this.o;
    const now = clock.now();
    const until = new Date(now.getTime() + leaseMs);
    const types = Object.keys(this.o.handlers);
    if (!types.length) return [];
    // One statement: a job whose worker died on every attempt (it may be what kills the
    // worker) is given up, and due jobs (queued, or running with an expired lease and
    // attempts left) are claimed. The two sets are disjoint, so no row is changed twice.
    const res = await sql<{ id: number; type: string; payload: unknown; attempts: number; max_attempts: number; claimed: boolean }>`
      WITH given_up AS (
        UPDATE jobs SET status = 'dead', finished_at = ${now}, locked_by = NULL, locked_until = NULL,
          last_error = 'the worker running it stopped (lease expired) on the last attempt'
        WHERE type IN (${sql.join(types)}) AND status = 'running' AND locked_until < ${now} AND attempts >= max_attempts
        RETURNING id
      ), claimed AS (
        UPDATE jobs SET status = 'running', locked_by = ${this.workerId}, locked_until = ${until}, attempts = attempts + 1
        WHERE id IN (
          SELECT id FROM jobs
          WHERE type IN (${sql.join(types)})
            AND ((status = 'queued' AND run_at <= ${now}) OR (status = 'running' AND locked_until < ${now} AND attempts < max_attempts))
          ORDER BY run_at, id
          LIMIT ${batch}
          FOR UPDATE SKIP LOCKED
        )
        RETURNING id, type, payload, attempts, max_attempts
      )
      SELECT id, type, payload, attempts, max_attempts, true AS claimed FROM claimed
      UNION ALL SELECT id, NULL, NULL, NULL, NULL, false FROM given_up`.execute(db);
    return res.rows.filter((r) => r.claimed).sort((a, b) => a.id - b.id);
  }

  private async markDone(ids: number[]): Promise<void> {
    await this.o.db
      .updateTable('jobs')
      .set({ status: 'done', finished_at: this.o.clock.now(), locked_by: null, locked_until: null, last_error: null })
      .where('id', 'in', ids)
      .where('locked_by', '=', this.workerId)
      .execute();
  }

  /** Runs one claimed job; true when it succeeded (the caller marks it done), false when it was re-queued or given up. */
  private async runOne(job: { id: number; type: string; payload: unknown; attempts: number; max_attempts: number }): Promise<boolean> {
    const { db, clock } = this.o;
    const handler = this.o.handlers[job.type];
    try {
      await handler(job.payload, { id: job.id, attempt: job.attempts, db });
      return true;
    } catch (err) {
      this.o.onError?.(err, job);
      const message = err instanceof Error ? err.message : String(err);
      const dead = job.attempts >= job.max_attempts;
      const delay = Math.min(this.o.backoffMs * 2 ** (job.attempts - 1), 6 * 60 * 60_000);
      await db
        .updateTable('jobs')
        .set({
          status: dead ? 'dead' : 'queued',
          run_at: new Date(clock.now().getTime() + delay),
          last_error: message.slice(0, 2000),
          locked_by: null,
          locked_until: null,
          ...(dead ? { finished_at: clock.now() } : {}),
        })
        .where('id', '=', job.id)
        .where('locked_by', '=', this.workerId)
        .execute();
      return false;
    }
  }
}
