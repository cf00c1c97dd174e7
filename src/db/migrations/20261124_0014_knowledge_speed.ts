import { sql, type Kysely } from 'kysely';

/**
 * Faster template search and suggestions at 20k+ variants (issue 4, measured in bench/knowledge.ts).
 *
 * Search ranks title matches before body-only matches, then by priority, key and language.
 * Title matches are found in their own small GIN index (`title_search` is stored inline), so
 * a common word no longer reads and sorts every variant whose body mentions it: the body-only
 * matches are needed only when the titles do not fill the page. Those come from
 * `knowledge_body_matches`, which carries `SET enable_seqscan = off`: for a common word the
 * planner would pick a sequential scan, which detoasts every row's large search vector (~20x
 * slower than the GIN index); the setting in the function's definition replaces a transaction
 * with `SET LOCAL` (four round trips) by one statement.
 *
 * Suggestions take the first templates of a category in one language: a compound btree
 * (category, language, priority DESC, key) answers that with an ordered scan of a few rows
 * instead of a bitmap over every variant of the category.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE INDEX knowledge_template_variants_title ON knowledge_template_variants USING gin (title_search);
    CREATE INDEX knowledge_template_variants_suggest ON knowledge_template_variants (category, language, priority DESC, key) WHERE NOT archived;

    -- The best n variants (priority DESC, key, language) whose search vector matches q but
    -- whose title does not; null filters are ignored. Titles are part of the search vector,
    -- so "title matches" and these two together are exactly the variants matching q.
    CREATE FUNCTION knowledge_body_matches(q tsquery, lang text, cat text, market text, with_archived boolean, n integer)
    RETURNS TABLE (template_id uuid, language text, key text, priority integer)
    LANGUAGE sql STABLE
    SET enable_seqscan = off
    AS $fn$
      SELECT v.template_id, v.language, v.key, v.priority
      FROM knowledge_template_variants v
      WHERE v.search @@ q
        AND NOT (v.title_search @@ q)
        AND (with_archived OR NOT v.archived)
        AND (lang IS NULL OR v.language = lang)
        AND (cat IS NULL OR v.category = cat)
        AND (market IS NULL OR cardinality(v.markets) = 0 OR v.markets @> ARRAY[market])
      ORDER BY v.priority DESC, v.key, v.language
      LIMIT n
    $fn$;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP FUNCTION IF EXISTS knowledge_body_matches(tsquery, text, text, text, boolean, integer);
    DROP INDEX IF EXISTS knowledge_template_variants_suggest;
    DROP INDEX IF EXISTS knowledge_template_variants_title;
  `.execute(db);
}
