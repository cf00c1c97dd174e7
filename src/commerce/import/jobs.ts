/**
 * An uploaded file imported as a job: the upload is stored with the job row, the import runs
 * in the background of the node that received it, and its progress (rows processed, orders
 * imported/updated/unchanged/failed, the bad rows) is written to the database as it goes,
 * so any node can answer `GET /api/v1/imports/:id` and the UI can draw a progress bar.
 * When the server stops mid-import the job ends as failed with that reason; uploading the
 * file again is safe (orders already imported are reported unchanged).
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../../core/clock.ts';
import { isAppError, notFound, validationError } from '../../core/errors.ts';
import { isUuid, uuidv7 } from '../../core/ids.ts';
import type { DB } from '../../db/types.ts';
import { decodeImportText, importOrdersCsv, importShopifyOrders, type ImportCounts, type RowError } from './run.ts';

/** Bad rows kept per job (the count is exact beyond it). */
export const MAX_STORED_ERRORS = 1000;
/** Bad rows returned by `getImportJob`. */
export const MAX_LISTED_ERRORS = 200;

export interface ImportJobView {
  id: string;
  storeId: string;
  format: 'csv' | 'shopify';
  filename: string | null;
  status: 'queued' | 'running' | 'done' | 'failed';
  total: number;
  processed: number;
  imported: number;
  updated: number;
  unchanged: number;
  failed: number;
  errorCount: number;
  errors: RowError[];
  errorsTruncated: boolean;
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export async function createImportJob(
  db: Kysely<DB>,
  input: { storeId: string; format: 'csv' | 'shopify'; filename?: string | null; bytes: Uint8Array; createdBy: string | null; clock: Clock },
): Promise<string> {
  if (!input.bytes.length) throw validationError('the uploaded file is empty');
  const id = uuidv7(input.clock.now().getTime());
  await db.insertInto('import_jobs').values({
    id,
    store_id: input.storeId,
    format: input.format,
    filename: input.filename ?? null,
    status: 'queued',
    input: input.bytes,
    created_by: input.createdBy,
    created_at: input.clock.now(),
  }).execute();
  return id;
}

/**
 * Runs a queued job to its end (claims it first: a job runs once). Progress is written at
 * most every `flushMs`; errors are stored up to MAX_STORED_ERRORS.
 */
export async function runImportJob(db: Kysely<DB>, id: string, opts: { clock: Clock; signal?: AbortSignal; flushMs?: number; encoding?: string }): Promise<void> {
  const job = await db
    .updateTable('import_jobs')
    .set({ status: 'running', started_at: opts.clock.now() })
    .where('id', '=', id)
    .where('status', '=', 'queued')
    .returning(['id', 'store_id', 'format', 'input'])
    .executeTakeFirst();
  if (!job) return;
  const flushMs = opts.flushMs ?? 300;
  let pending: RowError[] = [];
  let stored = 0;
  let last = 0;
  let latest: ImportCounts | null = null;
  let writing: Promise<void> = Promise.resolve();
  const flush = (c: ImportCounts) => {
    const errs = pending;
    pending = [];
    // one write at a time, in order
    writing = writing.then(async () => {
      if (errs.length) await db.insertInto('import_errors').values(errs.map((e) => ({ job_id: id, line: e.line, reason: e.reason.slice(0, 1000) }))).execute();
      await db.updateTable('import_jobs').set({ total: c.total, processed: c.processed, imported: c.imported, updated: c.updated, unchanged: c.unchanged, failed: c.failed, error_count: c.errorCount }).where('id', '=', id).execute();
    });
  };
  try {
    const text = decodeImportText(job.input ?? new Uint8Array(), opts.encoding);
    const run = job.format === 'csv' ? importOrdersCsv : importShopifyOrders;
    const summary = await run(db, text, {
      storeId: job.store_id,
      clock: opts.clock,
      signal: opts.signal,
      maxErrors: 0,
      onError: (e) => {
        if (stored++ < MAX_STORED_ERRORS) pending.push(e);
      },
      onProgress: (c) => {
        latest = c;
        const now = Date.now();
        if (now - last >= flushMs) {
          last = now;
          flush(c);
        }
      },
    });
    flush(summary);
    await writing;
    await db.updateTable('import_jobs').set(
      summary.aborted
        ? { status: 'failed', error: 'interrupted: the server stopped during the import; upload the file again (orders already imported will be reported unchanged)', finished_at: opts.clock.now() }
        : { status: 'done', input: null, finished_at: opts.clock.now() },
    ).where('id', '=', id).execute();
  } catch (e) {
    if (latest) flush(latest);
    await writing.catch(() => undefined);
    const message = isAppError(e) ? e.message : 'the import stopped on an internal error; it has been logged';
    await db.updateTable('import_jobs').set({ status: 'failed', error: message, finished_at: opts.clock.now() }).where('id', '=', id).execute();
    if (!isAppError(e)) throw e;
  }
}

export async function getImportJob(db: Kysely<DB>, id: string): Promise<ImportJobView> {
  if (!isUuid(id)) throw notFound('Import', id);
  const j = await db
    .selectFrom('import_jobs')
    .select(['id', 'store_id', 'format', 'filename', 'status', 'total', 'processed', 'imported', 'updated', 'unchanged', 'failed', 'error_count', 'error', 'created_at', 'started_at', 'finished_at'])
    .where('id', '=', id)
    .executeTakeFirst();
  if (!j) throw notFound('Import', id);
  const errors = await db.selectFrom('import_errors').select(['line', 'reason']).where('job_id', '=', id).orderBy('line').orderBy('id').limit(MAX_LISTED_ERRORS).execute();
  return {
    id: j.id,
    storeId: j.store_id,
    format: j.format,
    filename: j.filename,
    status: j.status,
    total: j.total,
    processed: j.processed,
    imported: j.imported,
    updated: j.updated,
    unchanged: j.unchanged,
    failed: j.failed,
    errorCount: j.error_count,
    errors,
    errorsTruncated: j.error_count > errors.length,
    error: j.error,
    createdAt: j.created_at.toISOString(),
    startedAt: j.started_at?.toISOString() ?? null,
    finishedAt: j.finished_at?.toISOString() ?? null,
  };
}
