import { sql, type Kysely } from 'kysely';

/**
 * The knowledge base: reply templates (macros) and articles, each with one variant per
 * language. Content comes from content/knowledge/ (synced at start-up) and may be edited in
 * the database by trainers; an edited variant is never overwritten by a later sync.
 *
 * `search` holds `to_tsvector('simple', tokensForIndex(…))` of title, key, tags and body (GIN,
 * for matching), so Chinese, Japanese and Korean are searchable without extensions;
 * `title_search` is the title alone, small and stored inline, for ranking the matches
 * without reading the large vector of each one.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE knowledge_templates (
      id uuid PRIMARY KEY,
      key text NOT NULL UNIQUE,
      category text NOT NULL,
      markets text[] NOT NULL DEFAULT '{}',
      tags text[] NOT NULL DEFAULT '{}',
      priority integer NOT NULL DEFAULT 0,
      source text NOT NULL DEFAULT 'content' CHECK (source IN ('content','user')),
      archived boolean NOT NULL DEFAULT false,
      content_hash text,
      edited_at timestamptz,
      created_by uuid,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX knowledge_templates_category ON knowledge_templates (category, priority DESC, key);

    CREATE TABLE knowledge_template_variants (
      template_id uuid NOT NULL REFERENCES knowledge_templates(id) ON DELETE CASCADE,
      language text NOT NULL,
      -- copies of the template's fields (kept equal by src/knowledge), so a search reads one
      -- table: no join over thousands of matches
      key text NOT NULL,
      category text NOT NULL,
      markets text[] NOT NULL DEFAULT '{}',
      priority integer NOT NULL DEFAULT 0,
      archived boolean NOT NULL DEFAULT false,
      title text NOT NULL,
      body text NOT NULL,
      search tsvector NOT NULL,
      title_search tsvector NOT NULL,
      content_hash text,
      edited_at timestamptz,
      edited_by uuid,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (template_id, language)
    );
    -- Keep heap rows narrow: the body and the search vector go to TOAST, so a search that
    -- matches thousands of variants reads a few dozen pages, not one page per variant. The
    -- vector is stored uncompressed (EXTERNAL) and is never read when the GIN index answers.
    -- The small columns a search reads for every match (title_search to rank) stay PLAIN,
    -- in the row; titles are at most 200 characters.
    ALTER TABLE knowledge_template_variants ALTER COLUMN search SET STORAGE EXTERNAL;
    ALTER TABLE knowledge_template_variants ALTER COLUMN title_search SET STORAGE PLAIN;
    ALTER TABLE knowledge_template_variants ALTER COLUMN title SET STORAGE PLAIN;
    ALTER TABLE knowledge_template_variants ALTER COLUMN key SET STORAGE PLAIN;
    ALTER TABLE knowledge_template_variants SET (toast_tuple_target = 128);
    CREATE INDEX knowledge_template_variants_search ON knowledge_template_variants USING gin (search);
    CREATE INDEX knowledge_template_variants_browse ON knowledge_template_variants (category, priority DESC, key, language);

    CREATE TABLE knowledge_articles (
      id uuid PRIMARY KEY,
      key text NOT NULL UNIQUE,
      audience text NOT NULL CHECK (audience IN ('internal','public')),
      categories text[] NOT NULL DEFAULT '{}',
      tags text[] NOT NULL DEFAULT '{}',
      source text NOT NULL DEFAULT 'content' CHECK (source IN ('content','user')),
      archived boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE knowledge_article_variants (
      article_id uuid NOT NULL REFERENCES knowledge_articles(id) ON DELETE CASCADE,
      language text NOT NULL,
      title text NOT NULL,
      summary text NOT NULL DEFAULT '',
      body text NOT NULL,
      search tsvector NOT NULL,
      content_hash text,
      edited_at timestamptz,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (article_id, language)
    );
    CREATE INDEX knowledge_article_variants_search ON knowledge_article_variants USING gin (search);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP TABLE IF EXISTS knowledge_article_variants;
    DROP TABLE IF EXISTS knowledge_articles;
    DROP TABLE IF EXISTS knowledge_template_variants;
    DROP TABLE IF EXISTS knowledge_templates;
  `.execute(db);
}
