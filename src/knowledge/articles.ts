/**
 * Articles: internal how-tos for agents and public FAQ answers, one variant per language,
 * Markdown rendered to HTML (raw HTML in the source is escaped, links are made safe).
 */
import MarkdownIt from 'markdown-it';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../db/types.ts';
import { notFound, validationError } from '../core/errors.ts';
import { isUuid } from '../core/ids.ts';
import { tsqueryFor } from './templates.ts';
import { textDirection } from './variables.ts';

type Db = Kysely<DB> | Transaction<DB>;

const md = new MarkdownIt({ html: false, linkify: true, typographer: false });

export function renderMarkdown(text: string): string {
  return md.render(text);
}

export interface ArticleHit {
  articleId: string;
  key: string;
  audience: 'internal' | 'public';
  categories: string[];
  language: string;
  dir: 'ltr' | 'rtl';
  title: string;
  summary: string;
  score: number;
}

export interface ArticleJson {
  id: string;
  key: string;
  audience: 'internal' | 'public';
  categories: string[];
  tags: string[];
  archived: boolean;
  updatedAt: string;
  variants: Array<{ language: string; dir: 'ltr' | 'rtl'; title: string; summary: string; body: string; html: string; edited: boolean; updatedAt: string }>;
}

export interface SearchArticlesInput {
  q?: string;
  language?: string;
  category?: string;
  audience?: 'internal' | 'public';
  limit?: number;
  offset?: number;
}

export async function searchArticles(db: Db, input: SearchArticlesInput): Promise<{ items: ArticleHit[] }> {
  const limit = Math.min(Math.max(input.limit ?? 20, 1), 100);
  const offset = Math.min(Math.max(input.offset ?? 0, 0), 10_000);
  const tsq = input.q?.trim() ? tsqueryFor(input.q.trim()) : null;
  if (input.q?.trim() && !tsq) return { items: [] };
  let q = db
    .selectFrom('knowledge_article_variants as v')
    .innerJoin('knowledge_articles as a', 'a.id', 'v.article_id')
    .select(['a.id as articleId', 'a.key', 'a.audience', 'a.categories', 'v.language', 'v.title', 'v.summary'])
    .where('a.archived', '=', false);
  if (input.language) q = q.where('v.language', '=', input.language);
  if (input.audience) q = q.where('a.audience', '=', input.audience);
  if (input.category) q = q.where(sql<boolean>`a.categories @> ARRAY[${input.category}]::text[]`);
  if (tsq) {
    const query = sql`to_tsquery('simple', ${tsq})`;
    const rows = await q
      .select(sql<number>`ts_rank(v.search, ${query})`.as('score'))
      .where(sql<boolean>`v.search @@ ${query}`)
      .orderBy('score', 'desc')
      .orderBy('a.key')
      .limit(limit)
      .offset(offset)
      .execute();
    return { items: rows.map((r) => ({ ...r, dir: textDirection(r.language), score: Number(r.score) })) };
  }
  const rows = await q.orderBy('a.key').orderBy('v.language').limit(limit).offset(offset).execute();
  return { items: rows.map((r) => ({ ...r, dir: textDirection(r.language), score: 0 })) };
}

export async function getArticle(db: Db, id: string): Promise<ArticleJson> {
  if (!isUuid(id)) throw validationError('id must be an article id', { field: 'id' });
  const a = await db.selectFrom('knowledge_articles').select(['id', 'key', 'audience', 'categories', 'tags', 'archived', 'updated_at']).where('id', '=', id).executeTakeFirst();
  if (!a) throw notFound('Article', id);
  const vs = await db
    .selectFrom('knowledge_article_variants')
    .select(['language', 'title', 'summary', 'body', 'edited_at', 'updated_at'])
    .where('article_id', '=', id)
    .orderBy('language')
    .execute();
  return {
    id: a.id,
    key: a.key,
    audience: a.audience,
    categories: a.categories,
    tags: a.tags,
    archived: a.archived,
    updatedAt: a.updated_at.toISOString(),
    variants: vs.map((v) => ({
      language: v.language,
      dir: textDirection(v.language),
      title: v.title,
      summary: v.summary,
      body: v.body,
      html: renderMarkdown(v.body),
      edited: v.edited_at !== null,
      updatedAt: v.updated_at.toISOString(),
    })),
  };
}
