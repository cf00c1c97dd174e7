/**
 * `crossdesk import orders FILE.csv` and `crossdesk import shopify FILE.json`: a progress bar
 * on stderr when it is a terminal (plain progress lines every few seconds otherwise), every
 * bad row on stderr with its line and reason, a summary at the end on stdout (text, or one
 * JSON object with --json). Exit status 1 when any row failed; the good rows are kept.
 */
import fs from 'node:fs';
import cliProgress from 'cli-progress';
import { openDatabase } from '../db/index.ts';
import { migrateToLatest } from '../db/migrator.ts';
import { loadConfig } from '../core/config.ts';
import { systemClock } from '../core/clock.ts';
import { isAppError } from '../core/errors.ts';
import { isUuid } from '../core/ids.ts';
import { getDefaultStore, getStore, listStores } from '../helpdesk/stores.ts';
import { decodeImportText, importOrdersCsv, importShopifyOrders, type ImportCounts, type RowError } from '../commerce/import/run.ts';
import { CliError } from './io.ts';

export interface ImportCliOptions {
  data?: string;
  databaseUrl?: string;
  store?: string;
  json?: boolean;
  encoding?: string;
}

export interface ImportIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

export async function runImport(kind: 'orders' | 'shopify', file: string, opts: ImportCliOptions, io: ImportIo = { stdout: process.stdout, stderr: process.stderr }): Promise<{ failed: number }> {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    throw new CliError(`cannot read ${file}: ${e instanceof Error ? e.message.replace(/^[A-Z]+: /, '') : String(e)}`);
  }
  let text: string;
  try {
    text = decodeImportText(bytes, opts.encoding);
  } catch (e) {
    throw new CliError(`${file}: ${isAppError(e) ? e.message : String(e)}`);
  }
  const config = loadConfig(process.env, { data: opts.data, databaseUrl: opts.databaseUrl });
  const d = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir }).catch((e: unknown) => {
    throw new CliError(`cannot open the database: ${e instanceof Error ? e.message : String(e)}`);
  });
  const tty = Boolean(io.stderr.isTTY) && !opts.json;
  let bar: cliProgress.SingleBar | null = null;
  try {
    await migrateToLatest(d.db);
    const store = await resolveStore(d.db, opts.store);
    const unit = kind === 'orders' ? 'rows' : 'orders';
    let lastLine = Date.now();
    let lastTotal = 0;
    if (tty) {
      bar = new cliProgress.SingleBar(
        { stream: io.stderr, format: `import {bar} {percentage}% | {value}/{total} ${unit} | {imported} new, {updated} updated, {unchanged} unchanged, {failed} failed | ETA {eta_formatted}`, hideCursor: true, clearOnComplete: false },
        cliProgress.Presets.shades_classic,
      );
      bar.start(1, 0, { imported: 0, updated: 0, unchanged: 0, failed: 0 });
    }
    const onProgress = (c: ImportCounts) => {
      if (bar) {
        if (c.total !== lastTotal) {
          bar.setTotal(c.total);
          lastTotal = c.total;
        }
        bar.update(c.processed, { imported: c.imported, updated: c.updated, unchanged: c.unchanged, failed: c.failed });
      } else if (!opts.json && Date.now() - lastLine >= 2000) {
        lastLine = Date.now();
        io.stderr.write(`import: ${c.processed}/${c.total} ${unit} (${Math.floor((100 * c.processed) / Math.max(1, c.total))}%), ${c.failed} failed\n`);
      }
    };
    const errors: RowError[] = [];
    const onError = (e: RowError) => {
      errors.push(e);
      const where = kind === 'orders' ? `line ${e.line}` : `order ${e.line}`;
      // on a terminal: clear the bar's line first; it is drawn again on the next update
      if (!opts.json) io.stderr.write(`${bar ? '\r\x1b[K' : ''}${file}: ${where}: ${e.reason}\n`);
    };
    const run = kind === 'orders' ? importOrdersCsv : importShopifyOrders;
    const summary = await run(d.db, text, { storeId: store.id, clock: systemClock, onProgress, onError, maxErrors: 0, concurrency: d.kind === 'postgres' ? 4 : 1 });
    if (bar) {
      bar.setTotal(Math.max(1, summary.total));
      bar.update(summary.processed);
      bar.stop();
      bar = null;
    }
    if (opts.json) {
      const { errors: _ignored, aborted: _aborted, ...counts } = summary;
      io.stdout.write(`${JSON.stringify({ file, store: store.id, ...counts, errors })}\n`);
    } else {
      io.stdout.write(
        `${file} → ${store.name}: ${summary.imported} imported, ${summary.updated} updated, ${summary.unchanged} unchanged, ${summary.failed} failed` +
          ` (${summary.processed} ${unit}${summary.errorCount ? `, ${summary.errorCount} reported above` : ''})\n`,
      );
    }
    if (summary.failed > 0) process.exitCode = 1;
    return { failed: summary.failed };
  } catch (e) {
    if (isAppError(e)) throw new CliError(`${file}: ${e.message}`);
    throw e;
  } finally {
    bar?.stop();
    await d.close();
  }
}

async function resolveStore(db: Parameters<typeof getStore>[0], ref: string | undefined) {
  if (!ref) return getDefaultStore(db);
  if (isUuid(ref)) return getStore(db, ref);
  const byName = (await listStores(db)).filter((s) => s.name.toLowerCase() === ref.toLowerCase());
  if (byName.length === 1) return byName[0];
  throw new CliError(`--store ${ref}: no store with that id${byName.length > 1 ? ' (several stores have that name: use the id)' : ' or name'}`);
}
