/**
 * Bulk imports: a CSV of order lines, or a Shopify export (JSON). Good orders are written,
 * bad rows are reported with their line (CSV) or position (JSON) and the reason, and the
 * summary counts orders: imported (new), updated, unchanged (already there as they are in
 * the file: re-running a file changes nothing) and failed. Used by `crossdesk import` and
 * by the HTTP import jobs.
 */
import iconv from 'iconv-lite';
import type { Kysely } from 'kysely';
import type { Clock } from '../../core/clock.ts';
import { isAppError, validationError } from '../../core/errors.ts';
import type { DB } from '../../db/types.ts';
import { mapShopifyOrder, shopifyOrdersOf } from '../../channels/shopify/map.ts';
import { estimateCsvRows, readOrdersCsv, type RowError } from './csv.ts';
import type { ExternalOrder } from './model.ts';
import { upsertExternalOrders, type UpsertOutcome } from './upsert.ts';

export type { RowError } from './csv.ts';

export interface ImportCounts {
  /** Units of progress: rows (CSV) or orders (Shopify JSON). `total` is an estimate until the end. */
  total: number;
  processed: number;
  /** Orders. */
  imported: number;
  updated: number;
  unchanged: number;
  failed: number;
  /** Rows (or JSON orders) reported as errors. */
  errorCount: number;
}

export interface ImportSummary extends ImportCounts {
  format: 'csv' | 'shopify';
  /** The first `maxErrors` errors (all are passed to `onError`). */
  errors: RowError[];
}

export interface ImportOptions {
  storeId: string;
  clock: Clock;
  /** Called after each order with the counts so far (throttle on your side). */
  onProgress?: (c: ImportCounts) => void;
  /** Called for every bad row, in file order. */
  onError?: (e: RowError) => void;
  maxErrors?: number;
  /** Orders written at the same time (PostgreSQL pool; PGlite runs them one by one). */
  concurrency?: number;
  /** Stop between orders when aborted (the summary so far is returned, `aborted` set). */
  signal?: AbortSignal;
}

/** File bytes → text: UTF-8 (BOM or not) unless told otherwise; a clear error when it is not. */
export function decodeImportText(bytes: Uint8Array, encoding = 'utf-8'): string {
  const enc = encoding.toLowerCase();
  if (enc === 'utf-8' || enc === 'utf8') {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      throw validationError('the file is not valid UTF-8: save it as "CSV UTF-8", or pass its encoding (e.g. --encoding gb18030 for a Chinese Excel export, windows-1252 for a Western one)');
    }
  }
  if (!iconv.encodingExists(enc)) throw validationError(`unknown encoding "${encoding}"`);
  return iconv.decode(Buffer.from(bytes), enc);
}

class Progress {
  readonly c: ImportCounts = { total: 0, processed: 0, imported: 0, updated: 0, unchanged: 0, failed: 0, errorCount: 0 };
  readonly errors: RowError[] = [];
  constructor(private readonly o: ImportOptions) {}
  error(e: RowError): void {
    this.c.errorCount++;
    if (this.errors.length < (this.o.maxErrors ?? 1000)) this.errors.push(e);
    this.o.onError?.(e);
  }
  outcome(o: UpsertOutcome): void {
    if (o === 'created') this.c.imported++;
    else if (o === 'updated') this.c.updated++;
    else this.c.unchanged++;
  }
  tick(units: number): void {
    this.c.processed += units;
    if (this.c.processed > this.c.total) this.c.total = this.c.processed;
    this.o.onProgress?.({ ...this.c });
  }
}

/** Runs up to `n` tasks at a time; `drain` waits for all. Errors are handled inside tasks. */
function limiter(n: number) {
  const running = new Set<Promise<void>>();
  return {
    async run(task: () => Promise<void>): Promise<void> {
      while (running.size >= n) await Promise.race(running);
      const p = task().finally(() => running.delete(p));
      running.add(p);
    },
    async drain(): Promise<void> {
      await Promise.all(running);
    },
  };
}

const reasonOf = (e: unknown) => (isAppError(e) ? e.message : e instanceof Error ? e.message : String(e));

interface Pending {
  order: ExternalOrder;
  line: number;
  units: number;
}

/** Orders written per transaction (new ones in a few statements; see upsertExternalOrders). */
const BATCH = 100;

async function writeBatch(db: Kysely<DB>, o: ImportOptions, p: Progress, batch: Pending[]): Promise<void> {
  const results = await upsertExternalOrders(db, { storeId: o.storeId, orders: batch.map((b) => b.order), clock: o.clock });
  results.forEach((r, k) => {
    const b = batch[k];
    if (r.ok) p.outcome(r.result.outcome);
    else {
      // a failure of this one order (a conflict with another order's number…) is its error
      p.c.failed++;
      p.error({ line: b.line, reason: `order ${b.order.number}: ${reasonOf(r.error)}` });
    }
    p.tick(b.units);
  });
}

/** Imports a CSV of order lines (README "CSV format"). Throws only when the file as a whole is unusable. */
export async function importOrdersCsv(db: Kysely<DB>, text: string, o: ImportOptions): Promise<ImportSummary & { aborted: boolean }> {
  const p = new Progress(o);
  p.c.total = estimateCsvRows(text);
  const pool = limiter(o.concurrency ?? 2);
  let aborted = false;
  let batch: Pending[] = [];
  for await (const ev of readOrdersCsv(text)) {
    if (o.signal?.aborted) {
      aborted = true;
      break;
    }
    if (ev.kind === 'rejected') {
      p.c.failed++;
      for (const e of ev.errors) p.error(e);
      p.tick(ev.rows);
      continue;
    }
    batch.push({ order: ev.order, line: ev.lines[0], units: ev.lines.length });
    if (batch.length >= BATCH) {
      const b = batch;
      batch = [];
      await pool.run(() => writeBatch(db, o, p, b));
    }
  }
  if (batch.length && !aborted) await pool.run(() => writeBatch(db, o, p, batch));
  await pool.drain();
  if (!aborted) p.c.total = p.c.processed;
  return { format: 'csv', ...p.c, errors: p.errors, aborted };
}

/** Imports a Shopify export: an array of orders, `{"orders":[…]}` (Admin API) or `{"order":{…}}`. */
export async function importShopifyOrders(db: Kysely<DB>, text: string, o: ImportOptions): Promise<ImportSummary & { aborted: boolean }> {
  let doc: unknown;
  try {
    doc = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    throw validationError(`the file is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  const orders = shopifyOrdersOf(doc);
  const p = new Progress(o);
  p.c.total = orders.length;
  const pool = limiter(o.concurrency ?? 2);
  let aborted = false;
  let batch: Pending[] = [];
  for (let i = 0; i < orders.length; i++) {
    if (o.signal?.aborted) {
      aborted = true;
      break;
    }
    let order: ExternalOrder;
    try {
      order = mapShopifyOrder(orders[i], `orders[${i}]`);
    } catch (e) {
      p.c.failed++;
      p.error({ line: i + 1, reason: reasonOf(e) });
      p.tick(1);
      continue;
    }
    batch.push({ order, line: i + 1, units: 1 });
    if (batch.length >= BATCH) {
      const b = batch;
      batch = [];
      await pool.run(() => writeBatch(db, o, p, b));
    }
  }
  if (batch.length && !aborted) await pool.run(() => writeBatch(db, o, p, batch));
  await pool.drain();
  return { format: 'shopify', ...p.c, errors: p.errors, aborted };
}
