/**
 * FAQ matching for the bot: public articles in the customer's language are split into
 * question/answer pairs (`**Question?** answer` paragraphs; the title and summary when an
 * article has none), and a customer message is scored against each question.
 *
 * The confidence is explainable and bounded 0..1: how much of the FAQ question the message
 * covers (IDF-weighted, so "how long does the battery last" counts more than "the"), blended
 * with how much of the message the question and its answer cover (a message that asks three
 * other things is a weaker match). CJK text is compared on the same bigrams as the index.
 */
import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../db/types.ts';
import { tokensForIndex } from '../text/segment.ts';

type Db = Kysely<DB> | Transaction<DB>;

export interface FaqPair {
  articleId: string;
  articleKey: string;
  title: string;
  question: string;
  answer: string;
  categories: string[];
}

export interface FaqMatch extends FaqPair {
  confidence: number;
  /** Share of the question's weight found in the message. */
  questionCoverage: number;
  /** Share of the message's weight found in the question and answer. */
  messageCoverage: number;
}

const BOLD_QA = /\*\*([^*\n]{3,300}?)\*\*\s*([^\n][\s\S]*?)(?=\n\s*\n|$)/g;

/** Question/answer pairs of one article body (Markdown). */
export function faqPairsOf(body: string, fallback: { title: string; summary: string }): Array<{ question: string; answer: string }> {
  const out: Array<{ question: string; answer: string }> = [];
  for (const m of body.matchAll(BOLD_QA)) {
    const question = m[1].trim();
    const answer = m[2].replace(/\s+/g, ' ').trim();
    if (/[?？؟]$/.test(question) && answer) out.push({ question, answer });
  }
  if (!out.length && fallback.summary.trim()) out.push({ question: fallback.title, answer: fallback.summary.trim() });
  return out;
}

/** Index tokens of a text, without single characters (CJK bigrams carry the meaning). */
export function faqTokens(text: string): Set<string> {
  return new Set(tokensForIndex(text).split(' ').filter((t) => Array.from(t).length > 1));
}

// The tokens of FAQ questions and answers, remembered by their text: segmenting every pair
// again for each customer message was most of the bot's FAQ time. Keyed by the text itself,
// so an edited article is simply new text (nothing to invalidate); bounded.
const DOC_TOKENS_MAX = 5000;
const docTokenCache = new Map<string, ReadonlySet<string>>();
function docTokens(text: string): ReadonlySet<string> {
  let t = docTokenCache.get(text);
  if (!t) {
    if (docTokenCache.size >= DOC_TOKENS_MAX) docTokenCache.clear();
    t = faqTokens(text);
    docTokenCache.set(text, t);
  }
  return t;
}

export async function faqPairs(db: Db, language: string, opts: { categories?: string[] } = {}): Promise<FaqPair[]> {
  const rows = await db
    .selectFrom('knowledge_article_variants as v')
    .innerJoin('knowledge_articles as a', 'a.id', 'v.article_id')
    .select(['a.id', 'a.key', 'a.categories', 'v.title', 'v.summary', 'v.body'])
    .where('a.archived', '=', false)
    .where('a.audience', '=', 'public')
    .where('v.language', '=', language)
    .orderBy('a.key')
    .limit(500)
    .execute();
  const wanted = opts.categories;
  return rows
    .filter((r) => !wanted || r.categories.some((c) => wanted.includes(c)))
    .flatMap((r) => faqPairsOf(r.body, { title: r.title, summary: r.summary }).map((p) => ({ articleId: r.id, articleKey: r.key, title: r.title, categories: r.categories, ...p })));
}

/** Scores a message against FAQ pairs; best first. Pure (tests call it directly). */
export function scoreFaq(message: string, pairs: FaqPair[]): FaqMatch[] {
  if (!pairs.length) return [];
  const msg = faqTokens(message);
  if (!msg.size) return [];
  const docs = pairs.map((p) => ({ p, q: docTokens(p.question), all: docTokens(`${p.title} ${p.question} ${p.answer}`) }));
  const df = new Map<string, number>();
  for (const d of docs) for (const t of d.all) df.set(t, (df.get(t) ?? 0) + 1);
  const n = docs.length;
  const idf = (t: string) => Math.log(1 + (n + 1) / (1 + (df.get(t) ?? 0)));
  let msgWeight = 0;
  for (const t of msg) msgWeight += idf(t);
  const out: FaqMatch[] = [];
  for (const d of docs) {
    let qWeight = 0;
    let qHit = 0;
    for (const t of d.q) {
      const w = idf(t);
      qWeight += w;
      if (msg.has(t)) qHit += w;
    }
    let mHit = 0;
    for (const t of msg) if (d.all.has(t)) mHit += idf(t);
    const questionCoverage = qWeight ? qHit / qWeight : 0;
    const messageCoverage = msgWeight ? mHit / msgWeight : 0;
    const confidence = Math.round((0.65 * questionCoverage + 0.35 * messageCoverage) * 1000) / 1000;
    out.push({ ...d.p, confidence, questionCoverage, messageCoverage });
  }
  return out.sort((a, b) => b.confidence - a.confidence || a.articleKey.localeCompare(b.articleKey));
}

/** The best FAQ answer for a message in a language, or null when there is none. */
export async function bestFaqMatch(db: Db, input: { text: string; language: string; categories?: string[] }): Promise<FaqMatch | null> {
  const pairs = await faqPairs(db, input.language, { categories: input.categories });
  return scoreFaq(input.text.slice(0, 4000), pairs)[0] ?? null;
}
