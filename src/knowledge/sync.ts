/**
 * Loads the knowledge library from content/knowledge/ into the database. Idempotent: a
 * second run writes nothing. What a trainer edited in the database (edited_at set) is kept;
 * a content template that disappeared from the files is archived unless it was edited.
 * Several app nodes may start at once: the work runs under one advisory lock.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../db/types.ts';
import { uuidv7 } from '../core/ids.ts';
import { tokensForIndex } from '../text/segment.ts';
import { contentHash, loadKnowledgeLibrary, type KnowledgeLibrary } from './content.ts';
import { copyToVariants, keyWords, titleVector, variantVector } from './templates.ts';

export interface SyncCounts {
  inserted: number;
  updated: number;
  unchanged: number;
  keptEdited: number;
  archived: number;
}

export interface SyncReport {
  templates: SyncCounts;
  variants: SyncCounts;
  articles: SyncCounts;
  /** Content entries skipped (e.g. a key already used by a template made in the app). */
  skipped: string[];
}

const zero = (): SyncCounts => ({ inserted: 0, updated: 0, unchanged: 0, keptEdited: 0, archived: 0 });

export interface SyncOptions {
  /** Folder with templates/ and articles/ (default content/knowledge). */
  dir?: string;
  /** An already loaded library (tests). */
  library?: KnowledgeLibrary;
}

export async function syncKnowledge(db: Kysely<DB>, options: SyncOptions = {}): Promise<SyncReport> {
  const lib = options.library ?? loadKnowledgeLibrary(options.dir);
  return db.transaction().execute(async (trx) => {
    // per schema: apps in other schemas of the same database do not wait for each other
    await sql`SELECT pg_advisory_xact_lock(hashtext('crossdesk.knowledge.sync'), hashtext(current_schema()))`.execute(trx);
    const report: SyncReport = { templates: zero(), variants: zero(), articles: zero(), skipped: [] };
    await syncTemplates(trx, lib, report);
    await syncArticles(trx, lib, report);
    return report;
  });
}

async function syncTemplates(trx: Transaction<DB>, lib: KnowledgeLibrary, report: SyncReport): Promise<void> {
  const existing = await trx.selectFrom('knowledge_templates').select(['id', 'key', 'source', 'content_hash', 'edited_at', 'archived']).execute();
  const byKey = new Map(existing.map((t) => [t.key, t]));
  const variants = await trx
    .selectFrom('knowledge_template_variants')
    .select(['template_id', 'language', 'content_hash', 'edited_at'])
    .execute();
  const vmap = new Map(variants.map((v) => [`${v.template_id}\u0000${v.language}`, v]));
  const now = new Date();
  const inContent = new Set<string>();

  for (const t of lib.templates) {
    inContent.add(t.key);
    const hash = contentHash(t.category, t.markets.join(','), t.tags.join(','), String(t.priority));
    let row = byKey.get(t.key);
    if (row && row.source !== 'content') {
      report.skipped.push(`template ${t.key}: the key is used by a template made in the app`);
      continue;
    }
    if (!row) {
      const id = uuidv7();
      await trx
        .insertInto('knowledge_templates')
        .values({ id, key: t.key, category: t.category, markets: t.markets, tags: t.tags, priority: t.priority, source: 'content', content_hash: hash, created_by: null, created_at: now, updated_at: now })
        .execute();
      row = { id, key: t.key, source: 'content', content_hash: hash, edited_at: null, archived: false };
      report.templates.inserted++;
    } else if (row.edited_at) {
      report.templates.keptEdited++;
    } else if (row.content_hash !== hash || row.archived) {
      await trx
        .updateTable('knowledge_templates')
        .set({ category: t.category, markets: t.markets, tags: t.tags, priority: t.priority, content_hash: hash, archived: false, updated_at: now })
        .where('id', '=', row.id)
        .execute();
      await copyToVariants(trx, row.id, { key: t.key, category: t.category, markets: t.markets, priority: t.priority, archived: false });
      report.templates.updated++;
    } else {
      report.templates.unchanged++;
    }

    const copy = { key: t.key, category: t.category, markets: t.markets, priority: t.priority, archived: false };
    for (const v of t.variants) {
      const vhash = contentHash(v.title, v.body, t.key, t.tags.join(','));
      const cur = vmap.get(`${row.id}\u0000${v.language}`);
      const vector = variantVector(v.title, v.body, keyWords(t.key, t.tags));
      if (!cur) {
        await trx
          .insertInto('knowledge_template_variants')
          .values({ template_id: row.id, language: v.language, ...copy, title: v.title, body: v.body, search: vector, title_search: titleVector(v.title), content_hash: vhash, edited_at: null, edited_by: null, updated_at: now })
          .execute();
        report.variants.inserted++;
      } else if (cur.edited_at) {
        report.variants.keptEdited++;
      } else if (cur.content_hash !== vhash) {
        await trx
          .updateTable('knowledge_template_variants')
          .set({ title: v.title, body: v.body, search: vector, title_search: titleVector(v.title), content_hash: vhash, updated_at: now })
          .where('template_id', '=', row.id)
          .where('language', '=', v.language)
          .execute();
        report.variants.updated++;
      } else {
        report.variants.unchanged++;
      }
    }
  }

  for (const t of existing) {
    if (t.source === 'content' && !inContent.has(t.key) && !t.edited_at && !t.archived) {
      await trx.updateTable('knowledge_templates').set({ archived: true, updated_at: now }).where('id', '=', t.id).execute();
      await trx.updateTable('knowledge_template_variants').set({ archived: true }).where('template_id', '=', t.id).execute();
      report.templates.archived++;
    }
  }
}

async function syncArticles(trx: Transaction<DB>, lib: KnowledgeLibrary, report: SyncReport): Promise<void> {
  const existing = await trx.selectFrom('knowledge_articles').select(['id', 'key', 'source', 'audience', 'categories', 'tags', 'archived']).execute();
  const byKey = new Map(existing.map((a) => [a.key, a]));
  const variants = await trx.selectFrom('knowledge_article_variants').select(['article_id', 'language', 'content_hash', 'edited_at']).execute();
  const vmap = new Map(variants.map((v) => [`${v.article_id}\u0000${v.language}`, v]));
  const now = new Date();
  const inContent = new Set<string>();
  const done = new Set<string>();

  for (const a of lib.articles) {
    inContent.add(a.key);
    let row = byKey.get(a.key);
    if (row && row.source !== 'content') {
      report.skipped.push(`article ${a.key}: the key is used by an article made in the app`);
      continue;
    }
    if (!row) {
      const id = uuidv7();
      await trx.insertInto('knowledge_articles').values({ id, key: a.key, audience: a.audience, categories: a.categories, tags: a.tags, source: 'content', created_at: now, updated_at: now }).execute();
      row = { id, key: a.key, source: 'content', audience: a.audience, categories: a.categories, tags: a.tags, archived: false };
      byKey.set(a.key, row);
      done.add(a.key);
    } else if (!done.has(a.key)) {
      done.add(a.key);
      const same = row.audience === a.audience && row.categories.join(',') === a.categories.join(',') && row.tags.join(',') === a.tags.join(',') && !row.archived;
      if (!same) {
        await trx.updateTable('knowledge_articles').set({ audience: a.audience, categories: a.categories, tags: a.tags, archived: false, updated_at: now }).where('id', '=', row.id).execute();
      }
    }
    const hash = contentHash(a.title, a.summary, a.body);
    const cur = vmap.get(`${row.id}\u0000${a.language}`);
    const vector = sql`setweight(to_tsvector('simple', ${tokensForIndex(a.title)}), 'A') || setweight(to_tsvector('simple', ${tokensForIndex(`${a.summary} ${a.tags.join(' ')}`)}), 'B') || to_tsvector('simple', ${tokensForIndex(a.body)})`;
    if (!cur) {
      await trx
        .insertInto('knowledge_article_variants')
        .values({ article_id: row.id, language: a.language, title: a.title, summary: a.summary, body: a.body, search: vector, content_hash: hash, edited_at: null, updated_at: now })
        .execute();
      report.articles.inserted++;
    } else if (cur.edited_at) {
      report.articles.keptEdited++;
    } else if (cur.content_hash !== hash) {
      await trx
        .updateTable('knowledge_article_variants')
        .set({ title: a.title, summary: a.summary, body: a.body, search: vector, content_hash: hash, updated_at: now })
        .where('article_id', '=', row.id)
        .where('language', '=', a.language)
        .execute();
      report.articles.updated++;
    } else {
      report.articles.unchanged++;
    }
  }
  for (const a of existing) {
    if (a.source === 'content' && !inContent.has(a.key) && !a.archived) {
      await trx.updateTable('knowledge_articles').set({ archived: true, updated_at: now }).where('id', '=', a.id).execute();
      report.articles.archived++;
    }
  }
}
