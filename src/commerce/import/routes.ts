/**
 * HTTP of bulk imports under /api/v1:
 *   POST /imports/orders?storeId=&filename=&format=csv|shopify   body: the file itself
 *        (text/csv, text/plain, application/octet-stream; application/json for a Shopify
 *        export) → 202 with the job; the import runs in the background
 *   GET  /imports/:id   → {status, total, processed, imported, updated, unchanged, failed,
 *        errorCount, errors:[{line,reason}] (first 200), …}
 * This plugin has its own body parser (the raw bytes, up to `maxBytes`): the app's JSON
 * parser and its 1 MB limit stay as they are everywhere else.
 */
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import Type, { type Static } from 'typebox';
import type { Clock } from '../../core/clock.ts';
import { validationError } from '../../core/errors.ts';
import { isUuid } from '../../core/ids.ts';
import type { DB } from '../../db/types.ts';
import { getDefaultStore, getStore } from '../../helpdesk/stores.ts';
import { errorResponses, IdParams } from '../../server/schemas.ts';
import { createImportJob, getImportJob, runImportJob } from './jobs.ts';

export interface ImportRouteDeps {
  db: Kysely<DB>;
  clock: Clock;
  /** Largest upload accepted; default 50 MB. */
  maxBytes?: number;
  /** Called when a background import fails unexpectedly (logged by default). */
  onError?: (e: unknown) => void;
}

const RowErrorSchema = Type.Object({ line: Type.Integer(), reason: Type.String() });
export const ImportJobSchema = Type.Object({
  id: Type.String(),
  storeId: Type.String(),
  format: Type.Union([Type.Literal('csv'), Type.Literal('shopify')]),
  filename: Type.Union([Type.String(), Type.Null()]),
  status: Type.Union([Type.Literal('queued'), Type.Literal('running'), Type.Literal('done'), Type.Literal('failed')]),
  total: Type.Integer(),
  processed: Type.Integer(),
  imported: Type.Integer(),
  updated: Type.Integer(),
  unchanged: Type.Integer(),
  failed: Type.Integer(),
  errorCount: Type.Integer(),
  errors: Type.Array(RowErrorSchema),
  errorsTruncated: Type.Boolean(),
  error: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
  startedAt: Type.Union([Type.String(), Type.Null()]),
  finishedAt: Type.Union([Type.String(), Type.Null()]),
});

const UploadQuery = Type.Object(
  {
    storeId: Type.Optional(Type.String({ maxLength: 64 })),
    filename: Type.Optional(Type.String({ maxLength: 255 })),
    format: Type.Optional(Type.Union([Type.Literal('csv'), Type.Literal('shopify')])),
    encoding: Type.Optional(Type.String({ maxLength: 40, pattern: '^[A-Za-z0-9_-]+$' })),
  },
  { additionalProperties: false },
);

export function importRoutes(deps: ImportRouteDeps) {
  return async (app: FastifyInstance): Promise<void> => {
    const maxBytes = deps.maxBytes ?? 50 * 1024 * 1024;
    const running = new Set<Promise<void>>();
    const stop = new AbortController();
    // the upload is the body itself: keep its bytes (this context only)
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: maxBytes }, (_req, body, done) => done(null, body));
    app.addHook('onClose', async () => {
      stop.abort();
      await Promise.allSettled([...running]);
    });

    app.post('/imports/orders', {
      bodyLimit: maxBytes,
      schema: {
        tags: ['imports'],
        summary: 'Upload orders (CSV, or a Shopify JSON export with format=shopify) to import as a job',
        description: 'The request body is the file. CSV format: see README "CSV format". Poll GET /api/v1/imports/{id} for progress.',
        querystring: UploadQuery,
        response: { 202: ImportJobSchema, ...errorResponses },
      },
      config: { roles: ['admin', 'manager'] },
    }, async (req, reply) => {
      const q = req.query as Static<typeof UploadQuery>;
      const body = req.body;
      if (!Buffer.isBuffer(body) || !body.length) throw validationError('the request body must be the file to import (e.g. Content-Type: text/csv)');
      const type = String(req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
      const format = q.format ?? (type === 'application/json' ? 'shopify' : 'csv');
      if (q.storeId !== undefined && !isUuid(q.storeId)) throw validationError('storeId must be a store id', { field: 'storeId' });
      const store = q.storeId ? await getStore(deps.db, q.storeId) : await getDefaultStore(deps.db);
      const id = await createImportJob(deps.db, { storeId: store.id, format, filename: q.filename ?? null, bytes: body, createdBy: req.auth?.user.id ?? null, clock: deps.clock });
      const task = runImportJob(deps.db, id, { clock: deps.clock, signal: stop.signal, encoding: q.encoding })
        .catch((e: unknown) => (deps.onError ? deps.onError(e) : req.log.error(e)))
        .finally(() => running.delete(task));
      running.add(task);
      return reply.code(202).send(await getImportJob(deps.db, id));
    });

    app.get('/imports/:id', {
      schema: { tags: ['imports'], summary: 'An import job: status, progress, counts and the bad rows', params: IdParams, response: { 200: ImportJobSchema, ...errorResponses } },
      config: { roles: ['admin', 'manager'] },
    }, async (req) => getImportJob(deps.db, (req.params as Static<typeof IdParams>).id));
  };
}
