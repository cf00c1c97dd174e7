/**
 * The fast template search (title matches from their own index, body-only matches only when
 * the titles do not fill the page, migration 0014) must return exactly what the plain
 * definition returns: every variant whose search vector matches, ranked title first, then
 * priority, key and language. The reference here is that definition as one SQL statement.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createTestDatabase } from '../../test/helpers/db.ts';
import type { Database } from '../db/index.ts';
import { syncKnowledge } from './sync.ts';
import { createTemplate, searchTemplates, tsqueryFor, updateTemplate, type SearchTemplatesInput } from './templates.ts';

async function reference(db: Database['db'], input: SearchTemplatesInput & { q: string }) {
  const tsq = tsqueryFor(input.q);
  if (!tsq) return [];
  const q = sql`to_tsquery('simple', ${tsq})`;
  const limit = input.limit ?? 20;
  const offset = input.offset ?? 0;
  const market = input.market?.toUpperCase() ?? null;
  const rows = await sql<{ key: string; language: string; score: string }>`
    SELECT v.key, v.language, CASE WHEN v.title_search @@ ${q} THEN 1 ELSE 0.5 END + 0.001 * v.priority AS score
    FROM knowledge_template_variants v
    WHERE v.search @@ ${q}
      AND (${Boolean(input.includeArchived)} OR NOT v.archived)
      AND (${input.language ?? null}::text IS NULL OR v.language = ${input.language ?? null}::text)
      AND (${input.category ?? null}::text IS NULL OR v.category = ${input.category ?? null}::text)
      AND (${market}::text IS NULL OR cardinality(v.markets) = 0 OR v.markets @> ARRAY[${market}::text])
    ORDER BY score DESC, v.key, v.language
    LIMIT ${limit} OFFSET ${offset}`.execute(db);
  return rows.rows.map((r) => `${r.key}/${r.language}/${Math.round(Number(r.score) * 10000) / 10000}`);
}

describe('template search ranking', () => {
  let d: Database;

  beforeAll(async () => {
    d = await createTestDatabase();
    await syncKnowledge(d.db);
    // 12 templates with the word in the title (two languages each), 30 with it only in
    // the body; priorities spread so that the order is not the key order
    for (let i = 0; i < 42; i++) {
      const inTitle = i < 12;
      const title = inTitle ? `Zephyrine care ${i}` : `Product care ${i}`;
      const body = inTitle ? `How to look after it, part ${i}.` : `Our zephyrine fabric needs care, part ${i}.`;
      const t = await createTemplate(
        d.db,
        {
          key: `other.zephyrine-${String(i).padStart(2, '0')}`,
          category: i % 3 === 0 ? 'product_question' : 'other',
          markets: i % 4 === 0 ? ['DE'] : i % 4 === 1 ? ['US'] : [],
          priority: (i * 7) % 11 - 5,
          variants: [
            { language: 'en', title, body },
            { language: 'de', title: inTitle ? `Zephyrine Pflege ${i}` : `Pflege ${i}`, body: inTitle ? `Pflegehinweise, Teil ${i}.` : `Unser Zephyrine-Stoff braucht Pflege, Teil ${i}.` },
          ],
        },
        { id: null },
      );
      if (i % 10 === 5) await updateTemplate(d.db, t.id, { archived: true }, { id: null });
    }
  });
  afterAll(async () => d.close());

  const cases: Array<SearchTemplatesInput & { q: string }> = [
    { q: 'zephyrine' },
    { q: 'zephyrine', limit: 10 }, // titles alone fill the page
    { q: 'zephyrine', limit: 20, offset: 20 }, // past the titles: body-only matches
    { q: 'zephyrine', limit: 7, offset: 45 },
    { q: 'zephyrine', limit: 100 },
    { q: 'zephyrine', language: 'de', limit: 15, offset: 5 },
    { q: 'zephyrine', category: 'other', limit: 30 },
    { q: 'zephyrine', market: 'DE', limit: 30 },
    { q: 'zephyrine', market: 'us', language: 'en', limit: 30 },
    { q: 'zephyrine', includeArchived: true, limit: 100 },
    { q: 'zeph' }, // prefix while typing
    { q: 'zephyrine care', language: 'en' },
    { q: 'order', limit: 50 },
    { q: '退款', limit: 30 },
    { q: 'return label', language: 'en', offset: 3 },
  ];

  it.each(cases)('returns the same page as the plain definition: %j', async (input) => {
    const got = (await searchTemplates(d.db, input)).items.map((i) => `${i.key}/${i.language}/${i.score}`);
    const want = await reference(d.db, input);
    expect(want.length).toBeGreaterThan(0);
    expect(got).toEqual(want);
  });

  it('ranks every title match before the body-only ones, and pages without gaps or repeats', async () => {
    const all = (await searchTemplates(d.db, { q: 'zephyrine', language: 'en', limit: 100 })).items;
    const firstBody = all.findIndex((i) => i.score < 0.9);
    expect(firstBody).toBeGreaterThan(0);
    expect(all.slice(0, firstBody).every((i) => i.title.includes('Zephyrine'))).toBe(true);
    expect(all.slice(firstBody).every((i) => !i.title.includes('Zephyrine') && i.body.includes('zephyrine'))).toBe(true);
    const paged = [];
    for (let offset = 0; offset < all.length; offset += 9) paged.push(...(await searchTemplates(d.db, { q: 'zephyrine', language: 'en', limit: 9, offset })).items);
    expect(paged.map((i) => i.key)).toEqual(all.map((i) => i.key));
  });
});
