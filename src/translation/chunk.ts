/**
 * Splitting long text under a provider's size limit, on paragraph, then line, then sentence
 * boundaries (Intl.Segmenter, so "。" and "？" count too), and joining the translations back
 * with the original whitespace between the pieces, so paragraphs and newlines survive.
 */

export interface Chunk {
  /** Whitespace before the body, kept verbatim. */
  before: string;
  /** What is sent to the provider (never starts or ends with whitespace; may be empty). */
  body: string;
  /** Whitespace after the body, kept verbatim. */
  after: string;
}

const sentenceSegmenter = new Intl.Segmenter('en', { granularity: 'sentence' });

/** Pieces whose concatenation is `text`, each at most `max` characters, split at the best boundary. */
function pieces(text: string, max: number): string[] {
  if (text.length <= max) return [text];
  // paragraphs (blank line), then lines, then sentences, then words, then hard cuts
  const levels: ((s: string) => string[])[] = [
    (s) => splitKeeping(s, /\n[ \t]*\n\s*/g),
    (s) => splitKeeping(s, /\n/g),
    sentences,
    (s) => splitKeeping(s, /\s+/g),
  ];
  return refine(text, max, levels, 0);
}

/** Intl.Segmenter's sentence iteration is quadratic in V8 on long strings: segment in windows. */
const SENTENCE_WINDOW = 4_000;

function sentences(text: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < text.length) {
    const last = text.length - i <= SENTENCE_WINDOW;
    const segs = Array.from(sentenceSegmenter.segment(text.slice(i, i + SENTENCE_WINDOW)), (seg) => seg.segment);
    // the window's last sentence may be cut off by the window: segment it again from its start
    const keep = last || segs.length <= 1 ? segs : segs.slice(0, -1);
    for (const k of keep) {
      out.push(k);
      i += k.length;
    }
  }
  return out;
}

function refine(text: string, max: number, levels: ((s: string) => string[])[], level: number): string[] {
  if (text.length <= max) return [text];
  if (level >= levels.length) return hardCut(text, max);
  const parts = levels[level](text);
  if (parts.length <= 1) return refine(text, max, levels, level + 1);
  return parts.flatMap((p) => refine(p, max, levels, level + 1));
}

/** Splits after each match of `re`, keeping the separator at the end of the previous part. */
function splitKeeping(text: string, re: RegExp): string[] {
  const out: string[] = [];
  let start = 0;
  for (const m of text.matchAll(re)) {
    const end = (m.index ?? 0) + m[0].length;
    if (end > start && end < text.length) {
      out.push(text.slice(start, end));
      start = end;
    }
  }
  out.push(text.slice(start));
  return out.filter((p) => p.length > 0);
}

function hardCut(text: string, max: number): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < text.length) {
    let end = Math.min(i + max, text.length);
    // never cut a surrogate pair in two
    if (end < text.length && end > i + 1) {
      const c = text.charCodeAt(end - 1);
      if (c >= 0xd800 && c <= 0xdbff) end -= 1;
    }
    out.push(text.slice(i, end));
    i = end;
  }
  return out;
}

/** Splits `text` into chunks whose bodies are at most `maxChars` long. One chunk when it fits. */
export function splitForTranslation(text: string, maxChars: number): Chunk[] {
  if (maxChars < 1) throw new RangeError('maxChars must be positive');
  const groups: string[] = [];
  let current = '';
  for (const p of pieces(text, maxChars)) {
    if (current.length + p.length > maxChars && current.length > 0) {
      groups.push(current);
      current = '';
    }
    current += p;
  }
  if (current.length > 0 || groups.length === 0) groups.push(current);
  return groups.map(toChunk);
}

function toChunk(s: string): Chunk {
  const lead = /^\s*/.exec(s)?.[0] ?? '';
  if (lead.length === s.length) return { before: s, body: '', after: '' };
  const trail = /\s*$/.exec(s)?.[0] ?? '';
  return { before: lead, body: s.slice(lead.length, s.length - trail.length), after: trail };
}

/** Puts translated bodies back between the original whitespace. */
export function joinChunks(chunks: Chunk[], bodies: string[]): string {
  return chunks.map((c, i) => c.before + (c.body === '' ? '' : (bodies[i] ?? '').trim()) + c.after).join('');
}

/**
 * Translates chunk bodies with `translateBody` one after another (providers rate-limit
 * bursts), skipping empty ones, and joins the result.
 */
export async function translateChunked(
  text: string,
  maxChars: number,
  translateBody: (body: string) => Promise<string>,
): Promise<string> {
  const chunks = splitForTranslation(text, maxChars);
  const bodies: string[] = [];
  for (const c of chunks) bodies.push(c.body === '' ? '' : await translateBody(c.body));
  return joinChunks(chunks, bodies);
}
