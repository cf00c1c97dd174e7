/**
 * One search over the whole knowledge base (templates and articles), CJK-aware: the query
 * goes through the same `tokensForIndex` as the documents.
 */
import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../db/types.ts';
import { searchArticles } from './articles.ts';
import { searchTemplates } from './templates.ts';

export interface KnowledgeHit {
  kind: 'template' | 'article';
  id: string;
  key: string;
  language: string;
  title: string;
  /** The template body, or the article summary. */
  text: string;
  score: number;
}

export interface SearchKnowledgeInput {
  q: string;
  language?: string;
  category?: string;
  market?: string;
  limit?: number;
  /** Only templates or only articles (default both). */
  kind?: 'template' | 'article';
}

export async function searchKnowledge(db: Kysely<DB> | Transaction<DB>, input: SearchKnowledgeInput): Promise<{ items: KnowledgeHit[] }> {
  const limit = Math.min(Math.max(input.limit ?? 10, 1), 100);
  const [templates, articles] = await Promise.all([
    input.kind === 'article' ? { items: [] } : searchTemplates(db, { q: input.q, language: input.language, category: input.category, market: input.market, limit }),
    input.kind === 'template' ? { items: [] } : searchArticles(db, { q: input.q, language: input.language, category: input.category, limit }),
  ]);
  const items: KnowledgeHit[] = [
    ...templates.items.map((t) => ({ kind: 'template' as const, id: t.templateId, key: t.key, language: t.language, title: t.title, text: t.body, score: t.score })),
    ...articles.items.map((a) => ({ kind: 'article' as const, id: a.articleId, key: a.key, language: a.language, title: a.title, text: a.summary, score: a.score })),
  ];
  items.sort((a, b) => b.score - a.score || a.key.localeCompare(b.key));
  return { items: items.slice(0, limit) };
}
