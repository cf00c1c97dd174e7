/**
 * Reply templates (macros): one row per template, one variant per language. Search is
 * PostgreSQL full text over `tokensForIndex` (CJK-aware), the same way tickets are searched.
 */
import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import type { DB } from '../db/types.ts';
import { conflict, notFound, validationError } from '../core/errors.ts';
import { isUuid, uuidv7 } from '../core/ids.ts';
import { CATEGORIES } from '../helpdesk/tickets.ts';
import { tokensForIndex } from '../text/segment.ts';
import { KEY_RE, MARKET_RE, variantProblems } from './content.ts';
import { textDirection, variablesIn, withoutVariables } from './variables.ts';

type Db = Kysely<DB> | Transaction<DB>;

/** Who writes (for the trail); null for the content sync. */
export interface Editor {
  id: string | null;
}

// ---------------------------------------------------------------------------------------
// Index and query helpers

/** The search vector of a variant: title (A), key and tags (B), body without variables (D). */
export function variantVector(title: string, body: string, extra: string): RawBuilder<unknown> {
  return sql`setweight(to_tsvector('simple', ${tokensForIndex(title)}), 'A') || setweight(to_tsvector('simple', ${tokensForIndex(extra)}), 'B') || to_tsvector('simple', ${tokensForIndex(withoutVariables(body))})`;
}

/** The ranking vector of a variant: its title alone, without positions (small, stored inline). */
export function titleVector(title: string): RawBuilder<unknown> {
  return sql`strip(to_tsvector('simple', ${tokensForIndex(title)}))`;
}

export const keyWords = (key: string, tags: string[]) => [key.replace(/[._-]+/g, ' '), ...tags].join(' ');

/** Query text -> tsquery text: every token must match, the last one as a prefix (typing). */
export function tsqueryFor(q: string, maxTokens = 16): string | null {
  const tokens = tokensForIndex(q.slice(0, 200)).split(/\s+/).filter(Boolean);
  if (!tokens.length) return null;
  // A CJK bigram implies its characters: drop single characters covered by a longer token,
  // so a query needs fewer index look-ups and means the same.
  const long = tokens.filter((t) => Array.from(t).length > 1);
  const kept = tokens.filter((t) => Array.from(t).length > 1 || !long.some((l) => l.includes(t) && /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u.test(t)));
  const use = kept.slice(0, maxTokens);
  return use.map((t, i) => `'${t.replace(/'/g, "''")}'${i === use.length - 1 ? ':*' : ''}`).join(' & ');
}

/** Any of the words (for ranking by relevance to a customer message). */
export function tsqueryAny(text: string, maxTokens = 24): string | null {
  const tokens = tokensForIndex(text.slice(0, 2000)).split(/\s+/).filter((t) => Array.from(t).length > 1);
  if (!tokens.length) return null;
  return tokens.slice(0, maxTokens).map((t) => `'${t.replace(/'/g, "''")}'`).join(' | ');
}

// ---------------------------------------------------------------------------------------
// Shapes

export interface TemplateVariantJson {
  language: string;
  dir: 'ltr' | 'rtl';
  title: string;
  body: string;
  variables: string[];
  edited: boolean;
  updatedAt: string;
}

export interface TemplateJson {
  id: string;
  key: string;
  category: string;
  markets: string[];
  tags: string[];
  priority: number;
  source: 'content' | 'user';
  archived: boolean;
  edited: boolean;
  createdAt: string;
  updatedAt: string;
  variants: TemplateVariantJson[];
}

export interface TemplateHit {
  templateId: string;
  key: string;
  category: string;
  markets: string[];
  language: string;
  dir: 'ltr' | 'rtl';
  title: string;
  body: string;
  score: number;
}

// ---------------------------------------------------------------------------------------
// Read

export async function getTemplate(db: Db, id: string): Promise<TemplateJson> {
  if (!isUuid(id)) throw validationError('id must be a template id', { field: 'id' });
  const t = await db
    .selectFrom('knowledge_templates')
    .select(['id', 'key', 'category', 'markets', 'tags', 'priority', 'source', 'archived', 'edited_at', 'created_at', 'updated_at'])
    .where('id', '=', id)
    .executeTakeFirst();
  if (!t) throw notFound('Template', id);
  const vs = await db
    .selectFrom('knowledge_template_variants')
    .select(['language', 'title', 'body', 'edited_at', 'updated_at'])
    .where('template_id', '=', id)
    .orderBy('language')
    .execute();
  return {
    id: t.id,
    key: t.key,
    category: t.category,
    markets: t.markets,
    tags: t.tags,
    priority: t.priority,
    source: t.source,
    archived: t.archived,
    edited: t.edited_at !== null,
    createdAt: t.created_at.toISOString(),
    updatedAt: t.updated_at.toISOString(),
    variants: vs.map((v) => ({
      language: v.language,
      dir: textDirection(v.language),
      title: v.title,
      body: v.body,
      variables: variablesIn(`${v.title}\n${v.body}`),
      edited: v.edited_at !== null,
      updatedAt: v.updated_at.toISOString(),
    })),
  };
}

export interface SearchTemplatesInput {
  q?: string;
  language?: string;
  category?: string;
  market?: string;
  limit?: number;
  offset?: number;
  includeArchived?: boolean;
}

/**
 * Template variants matching a query (all words, CJK-aware), best first; without a query,
 * the library in category/key order. Filters: language, category, market (templates for
 * that market or for every market).
 */
export async function searchTemplates(db: Db, input: SearchTemplatesInput): Promise<{ items: TemplateHit[] }> {
  const limit = Math.min(Math.max(input.limit ?? 20, 1), 100);
  const offset = Math.min(Math.max(input.offset ?? 0, 0), 10_000);
  const tsq = input.q?.trim() ? tsqueryFor(input.q.trim()) : null;
  if (input.q?.trim() && !tsq) return { items: [] };
  const base = (d: Db) => {
    let q = d
      .selectFrom('knowledge_template_variants as v')
      .select(['v.template_id as templateId', 'v.key', 'v.category', 'v.markets', 'v.language', 'v.title', 'v.body']);
    if (!input.includeArchived) q = q.where('v.archived', '=', false);
    if (input.language) q = q.where('v.language', '=', input.language);
    if (input.category) q = q.where('v.category', '=', input.category);
    if (input.market) {
      const m = input.market.toUpperCase();
      q = q.where((eb) => eb.or([sql<boolean>`cardinality(v.markets) = 0`, sql<boolean>`v.markets @> ARRAY[${m}]::text[]`]));
    }
    return q;
  };
  if (tsq) return { items: await rankedMatches(db, input, tsq, limit, offset) };
  const rows = await base(db).orderBy('v.category').orderBy('v.priority', 'desc').orderBy('v.key').orderBy('v.language').limit(limit).offset(offset).execute();
  return { items: rows.map((r) => ({ ...r, dir: textDirection(r.language), score: 0 })) };
}

/**
 * The page of variants matching a tsquery, in one statement. Rank: a match in the title
 * first (score 1), else in the body (0.5), plus 0.001 × priority; then key and language.
 *
 * Within each of the two groups that order is (priority DESC, key, language), so the page
 * (merged by score) is among the first `offset + limit` title matches and the first
 * `offset + limit` body-only matches. Title matches come from the small inline `title_search`
 * (its own GIN index): no read of the large search vector, and a common word ("order",
 * "退款") hits far fewer titles than bodies. A title is part of the search vector, so a title
 * match is a match. Body-only matches (knowledge_body_matches, migration 0014: GIN index
 * forced, as a sequential scan would detoast every search vector) are looked for only when
 * the titles do not fill the page. Title and body text are read for the page's rows only.
 * One statement, where the transaction with SET LOCAL enable_seqscan took four round trips.
 */
async function rankedMatches(db: Db, input: SearchTemplatesInput, tsq: string, limit: number, offset: number): Promise<TemplateHit[]> {
  const need = limit + offset;
  const market = input.market ? input.market.toUpperCase() : null;
  const query = sql`to_tsquery('simple', ${tsq})`;
  const filters: RawBuilder<unknown>[] = [];
  if (!input.includeArchived) filters.push(sql`NOT v.archived`);
  if (input.language) filters.push(sql`v.language = ${input.language}`);
  if (input.category) filters.push(sql`v.category = ${input.category}`);
  if (market) filters.push(sql`(cardinality(v.markets) = 0 OR v.markets @> ARRAY[${market}]::text[])`);
  const where = filters.length ? sql`AND ${sql.join(filters, sql` AND `)}` : sql``;
  // tm is MATERIALIZED so the planner cannot walk an ordered btree filtering on the title:
  // matching titles cluster by key, which makes such a walk read most of the table
  const rows = await sql<{ templateId: string; key: string; category: string; markets: string[]; language: string; title: string; body: string; score: number }>`
    WITH tm AS MATERIALIZED (
      SELECT v.template_id, v.language, v.key, v.priority FROM knowledge_template_variants v
      WHERE v.title_search @@ ${query} ${where}
    ), t AS MATERIALIZED (
      SELECT tm.*, 1 + 0.001 * tm.priority AS score FROM tm ORDER BY tm.priority DESC, tm.key, tm.language LIMIT ${need}
    ), b AS MATERIALIZED (
      SELECT m.*, 0.5 + 0.001 * m.priority AS score
      FROM knowledge_body_matches(${query}, ${input.language ?? null}::text, ${input.category ?? null}::text, ${market}::text, ${Boolean(input.includeArchived)}, ${need}) m
      WHERE (SELECT count(*) FROM t) < ${need}
    ), page AS (
      SELECT * FROM t UNION ALL SELECT * FROM b
      ORDER BY score DESC, key, language LIMIT ${limit} OFFSET ${offset}
    )
    SELECT v.template_id AS "templateId", v.key, v.category, v.markets, v.language, v.title, v.body, p.score
    FROM page p JOIN knowledge_template_variants v ON v.template_id = p.template_id AND v.language = p.language
    ORDER BY p.score DESC, p.key, p.language`.execute(db);
  return rows.rows.map((r) => ({ ...r, dir: textDirection(r.language), score: Math.round(Number(r.score) * 10000) / 10000 }));
}

// ---------------------------------------------------------------------------------------
// Write (trainers, managers, admins)

export interface VariantInput {
  language: string;
  title: string;
  body: string;
}

export interface CreateTemplateInput {
  key: string;
  category: string;
  markets?: string[];
  tags?: string[];
  priority?: number;
  variants: VariantInput[];
}

export interface PatchTemplateInput {
  category?: string;
  markets?: string[];
  tags?: string[];
  priority?: number;
  archived?: boolean;
  /** Added or replaced, by language. */
  variants?: VariantInput[];
  /** Languages to delete. */
  removeLanguages?: string[];
}

function checkCategory(c: string): void {
  if (!(CATEGORIES as readonly string[]).includes(c)) throw validationError(`category "${c}" is not one of ${CATEGORIES.join(', ')}`, { field: 'category' });
}

function cleanMarkets(ms: string[]): string[] {
  const out = [...new Set(ms.map((m) => m.trim().toUpperCase()))];
  for (const m of out) if (!MARKET_RE.test(m)) throw validationError(`market "${m}" is not an ISO 3166 country code`, { field: 'markets' });
  return out.sort();
}

function cleanTags(tags: string[]): string[] {
  const out = [...new Set(tags.map((t) => t.trim().toLowerCase()).filter(Boolean))];
  for (const t of out) if (t.length > 50 || /[\s,]/.test(t)) throw validationError(`tag "${t.slice(0, 60)}" must be one word of at most 50 characters`, { field: 'tags' });
  return out;
}

function checkVariants(category: string, variants: VariantInput[]): void {
  const langs = new Set<string>();
  const problems: Array<{ language: string; problems: string[] }> = [];
  for (const v of variants) {
    if (langs.has(v.language)) throw validationError(`language "${v.language}" is given twice`, { field: 'variants' });
    langs.add(v.language);
    const p = variantProblems(category, v);
    if (p.length) problems.push({ language: v.language, problems: p });
  }
  if (problems.length) {
    throw validationError(`variant ${problems[0].language}: ${problems[0].problems.join('; ')}`, { field: 'variants', variants: problems });
  }
}

/** The template fields copied onto each of its variants. */
export interface TemplateCopy {
  key: string;
  category: string;
  markets: string[];
  priority: number;
  archived: boolean;
}

/** Keeps the copies on the variants equal to the template after a change. */
export async function copyToVariants(db: Db, templateId: string, t: TemplateCopy): Promise<void> {
  await db
    .updateTable('knowledge_template_variants')
    .set({ key: t.key, category: t.category, markets: t.markets, priority: t.priority, archived: t.archived })
    .where('template_id', '=', templateId)
    .execute();
}

async function writeVariant(db: Db, templateId: string, t: TemplateCopy, tags: string[], v: VariantInput, editor: Editor, now: Date): Promise<void> {
  const vector = variantVector(v.title, v.body, keyWords(t.key, tags));
  const titleVec = titleVector(v.title);
  await db
    .insertInto('knowledge_template_variants')
    .values({ template_id: templateId, language: v.language, ...t, title: v.title.trim(), body: v.body, search: vector, title_search: titleVec, content_hash: null, edited_at: now, edited_by: editor.id, updated_at: now })
    .onConflict((oc) =>
      oc.columns(['template_id', 'language']).doUpdateSet({ title: v.title.trim(), body: v.body, search: vector, title_search: titleVec, edited_at: now, edited_by: editor.id, updated_at: now }),
    )
    .execute();
}

export async function createTemplate(db: Kysely<DB>, input: CreateTemplateInput, editor: Editor): Promise<TemplateJson> {
  const key = input.key.trim();
  if (!KEY_RE.test(key)) throw validationError('key must be 2–100 lower-case letters, digits, "_", "." or "-"', { field: 'key' });
  checkCategory(input.category);
  if (!input.variants.length) throw validationError('a template needs at least one language variant', { field: 'variants' });
  checkVariants(input.category, input.variants);
  const markets = cleanMarkets(input.markets ?? []);
  const tags = cleanTags(input.tags ?? []);
  const id = uuidv7();
  const now = new Date();
  await db.transaction().execute(async (trx) => {
    const exists = await trx.selectFrom('knowledge_templates').select('id').where('key', '=', key).executeTakeFirst();
    if (exists) throw conflict(`a template with key "${key}" exists`, { id: exists.id });
    await trx
      .insertInto('knowledge_templates')
      .values({ id, key, category: input.category, markets, tags, priority: input.priority ?? 0, source: 'user', created_by: editor.id, edited_at: now, created_at: now, updated_at: now })
      .execute();
    const copy = { key, category: input.category, markets, priority: input.priority ?? 0, archived: false };
    for (const v of input.variants) await writeVariant(trx, id, copy, tags, v, editor, now);
  });
  return getTemplate(db, id);
}

export async function updateTemplate(db: Kysely<DB>, id: string, patch: PatchTemplateInput, editor: Editor): Promise<TemplateJson> {
  if (!isUuid(id)) throw validationError('id must be a template id', { field: 'id' });
  const now = new Date();
  await db.transaction().execute(async (trx) => {
    const t = await trx.selectFrom('knowledge_templates').select(['id', 'key', 'category', 'tags', 'markets', 'priority', 'archived']).where('id', '=', id).forUpdate().executeTakeFirst();
    if (!t) throw notFound('Template', id);
    const category = patch.category ?? t.category;
    checkCategory(category);
    const tags = patch.tags ? cleanTags(patch.tags) : t.tags;
    const upserts = patch.variants ?? [];
    checkVariants(category, upserts);
    const remove = patch.removeLanguages ?? [];
    if (remove.some((l) => upserts.some((v) => v.language === l))) throw validationError('a language cannot be both replaced and removed', { field: 'removeLanguages' });
    if (patch.category && patch.category !== t.category) {
      // the existing variants must also hold for the new category (e.g. the return-shipping rule)
      const kept = await trx.selectFrom('knowledge_template_variants').select(['language', 'title', 'body']).where('template_id', '=', id).execute();
      checkVariants(category, kept.filter((k) => !upserts.some((u) => u.language === k.language) && !remove.includes(k.language)));
    }
    const copy: TemplateCopy = {
      key: t.key,
      category,
      markets: patch.markets ? cleanMarkets(patch.markets) : t.markets,
      priority: patch.priority ?? t.priority,
      archived: patch.archived ?? t.archived,
    };
    await trx
      .updateTable('knowledge_templates')
      .set({ category, tags, markets: copy.markets, priority: copy.priority, archived: copy.archived, edited_at: now, updated_at: now })
      .where('id', '=', id)
      .execute();
    await copyToVariants(trx, id, copy);
    for (const v of upserts) await writeVariant(trx, id, copy, tags, v, editor, now);
    if (remove.length) await trx.deleteFrom('knowledge_template_variants').where('template_id', '=', id).where('language', 'in', remove).execute();
    const left = await trx.selectFrom('knowledge_template_variants').select(sql<number>`count(*)::int`.as('n')).where('template_id', '=', id).executeTakeFirstOrThrow();
    if (left.n === 0) throw validationError('a template needs at least one language variant', { field: 'removeLanguages' });
  });
  return getTemplate(db, id);
}
