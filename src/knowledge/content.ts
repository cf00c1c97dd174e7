/**
 * The knowledge library as files, written by people: reply templates in
 * content/knowledge/templates/<category>.yaml and articles in
 * content/knowledge/articles/<key>.<language>.md (YAML front matter + Markdown).
 *
 * Everything is validated on load; a mistake fails with the file and the field.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import { contentDir } from '../core/paths.ts';
import { AppError } from '../core/errors.ts';
import { CATEGORIES } from '../helpdesk/tickets.ts';
import { checkTemplateVariant } from './compliance.ts';
import { unknownVariables } from './variables.ts';

export const knowledgeDir = path.join(contentDir, 'knowledge');

/** The languages every category must have templates in (the starting library). */
export const CORE_LANGUAGES = ['zh', 'en', 'de', 'fr', 'es', 'it', 'ja', 'ko', 'ar', 'pt', 'nl', 'pl', 'sv', 'tr', 'ru'] as const;

export const LANGUAGE_RE = /^[a-z]{2}$/;
export const KEY_RE = /^[a-z0-9][a-z0-9_.-]{1,99}$/;
export const MARKET_RE = /^[A-Z]{2}$/;
export const MAX_TITLE = 200;
export const MAX_TEMPLATE_BODY = 20_000;
export const MAX_ARTICLE_BODY = 200_000;

export interface VariantFile {
  language: string;
  title: string;
  body: string;
}

export interface TemplateFile {
  key: string;
  category: string;
  markets: string[];
  tags: string[];
  priority: number;
  variants: VariantFile[];
  file: string;
}

export interface ArticleFile {
  key: string;
  audience: 'internal' | 'public';
  categories: string[];
  tags: string[];
  language: string;
  title: string;
  summary: string;
  body: string;
  file: string;
}

export class KnowledgeFileError extends AppError {
  constructor(file: string, message: string) {
    super('validation_failed', `${path.basename(file)}: ${message}`, { file });
    this.name = 'KnowledgeFileError';
  }
}

export const contentHash = (...parts: string[]) => createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 32);

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function strings(v: unknown, file: string, field: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new KnowledgeFileError(file, `${field} must be a list of strings`);
  return v as string[];
}

/** Problems of one variant (title, body, variables, compliance), as messages. */
export function variantProblems(category: string, v: { language: string; title: string; body: string }): string[] {
  const out: string[] = [];
  if (!LANGUAGE_RE.test(v.language)) out.push(`language "${v.language}" is not an ISO 639-1 code`);
  if (!v.title.trim()) out.push('title must not be empty');
  if (v.title.length > MAX_TITLE) out.push(`title is longer than ${MAX_TITLE} characters`);
  if (!v.body.trim()) out.push('body must not be empty');
  if (v.body.length > MAX_TEMPLATE_BODY) out.push(`body is longer than ${MAX_TEMPLATE_BODY} characters`);
  const unknown = unknownVariables(v.body).concat(unknownVariables(v.title));
  if (unknown.length) out.push(`unknown variable(s): ${[...new Set(unknown)].map((u) => `{{${u}}}`).join(', ')}`);
  for (const p of checkTemplateVariant(category, v.language, `${v.title}\n${v.body}`)) out.push(p.message);
  return out;
}

export function parseTemplateFile(text: string, file: string): TemplateFile[] {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new KnowledgeFileError(file, `not valid YAML: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!isRecord(doc)) throw new KnowledgeFileError(file, 'must be a mapping with category and templates');
  const category = doc.category;
  if (typeof category !== 'string' || !(CATEGORIES as readonly string[]).includes(category)) throw new KnowledgeFileError(file, `category "${String(category)}" is not one of ${CATEGORIES.join(', ')}`);
  if (!Array.isArray(doc.templates) || doc.templates.length === 0) throw new KnowledgeFileError(file, 'templates must be a non-empty list');
  return doc.templates.map((t: unknown, i: number): TemplateFile => {
    const where = `templates[${i}]`;
    if (!isRecord(t)) throw new KnowledgeFileError(file, `${where} must be a mapping`);
    const key = t.key;
    if (typeof key !== 'string' || !KEY_RE.test(key)) throw new KnowledgeFileError(file, `${where}.key must be lower-case letters, digits, "_", "." or "-"`);
    const markets = strings(t.markets, file, `${key}.markets`);
    for (const m of markets) if (!MARKET_RE.test(m)) throw new KnowledgeFileError(file, `${key}.markets: "${m}" is not an ISO 3166 country code`);
    const priority = t.priority ?? 0;
    if (typeof priority !== 'number' || !Number.isInteger(priority)) throw new KnowledgeFileError(file, `${key}.priority must be an integer`);
    if (!isRecord(t.variants)) throw new KnowledgeFileError(file, `${key}.variants must map a language to {title, body}`);
    const variants: VariantFile[] = [];
    for (const [language, v] of Object.entries(t.variants)) {
      if (!isRecord(v) || typeof v.title !== 'string' || typeof v.body !== 'string') throw new KnowledgeFileError(file, `${key}.variants.${language} needs a title and a body`);
      const variant = { language, title: v.title.trim(), body: v.body.replace(/\s+$/, '') };
      const problems = variantProblems(category, variant);
      if (problems.length) throw new KnowledgeFileError(file, `${key}.variants.${language}: ${problems.join('; ')}`);
      variants.push(variant);
    }
    return { key, category, markets, tags: strings(t.tags, file, `${key}.tags`), priority, variants, file };
  });
}

const FRONT_MATTER = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?/;

export function parseArticleFile(text: string, file: string): ArticleFile {
  const m = FRONT_MATTER.exec(text);
  if (!m) throw new KnowledgeFileError(file, 'must start with YAML front matter between --- lines');
  let fm: unknown;
  try {
    fm = parseYaml(m[1]);
  } catch (e) {
    throw new KnowledgeFileError(file, `front matter is not valid YAML: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!isRecord(fm)) throw new KnowledgeFileError(file, 'front matter must be a mapping');
  const name = path.basename(file).replace(/\.md$/, '');
  const dot = name.lastIndexOf('.');
  const key = typeof fm.key === 'string' ? fm.key : name.slice(0, dot);
  const language = typeof fm.language === 'string' ? fm.language : name.slice(dot + 1);
  if (!KEY_RE.test(key)) throw new KnowledgeFileError(file, `key "${key}" must be lower-case letters, digits, "_", "." or "-"`);
  if (!LANGUAGE_RE.test(language)) throw new KnowledgeFileError(file, `language "${language}" is not an ISO 639-1 code (name files <key>.<language>.md)`);
  if (typeof fm.title !== 'string' || !fm.title.trim()) throw new KnowledgeFileError(file, 'title is required');
  if (fm.audience !== 'internal' && fm.audience !== 'public') throw new KnowledgeFileError(file, 'audience must be internal or public');
  const categories = strings(fm.categories, file, 'categories');
  for (const c of categories) if (!(CATEGORIES as readonly string[]).includes(c)) throw new KnowledgeFileError(file, `category "${c}" is unknown`);
  const body = text.slice(m[0].length).trim();
  if (!body) throw new KnowledgeFileError(file, 'body must not be empty');
  if (body.length > MAX_ARTICLE_BODY) throw new KnowledgeFileError(file, `body is longer than ${MAX_ARTICLE_BODY} characters`);
  return {
    key,
    audience: fm.audience,
    categories,
    tags: strings(fm.tags, file, 'tags'),
    language,
    title: fm.title.trim(),
    summary: typeof fm.summary === 'string' ? fm.summary.trim() : '',
    body,
    file,
  };
}

export interface KnowledgeLibrary {
  templates: TemplateFile[];
  articles: ArticleFile[];
}

/** Reads and validates the whole library from a folder (default content/knowledge). */
export function loadKnowledgeLibrary(dir: string = knowledgeDir): KnowledgeLibrary {
  const templates: TemplateFile[] = [];
  const articles: ArticleFile[] = [];
  const tdir = path.join(dir, 'templates');
  if (fs.existsSync(tdir)) {
    for (const f of fs.readdirSync(tdir).filter((x) => /\.ya?ml$/.test(x)).sort()) {
      const file = path.join(tdir, f);
      templates.push(...parseTemplateFile(fs.readFileSync(file, 'utf8'), file));
    }
  }
  const seen = new Map<string, string>();
  for (const t of templates) {
    const prev = seen.get(t.key);
    if (prev) throw new KnowledgeFileError(t.file, `template key "${t.key}" is also used in ${path.basename(prev)}`);
    seen.set(t.key, t.file);
  }
  const adir = path.join(dir, 'articles');
  if (fs.existsSync(adir)) {
    for (const f of fs.readdirSync(adir).filter((x) => x.endsWith('.md')).sort()) {
      const file = path.join(adir, f);
      articles.push(parseArticleFile(fs.readFileSync(file, 'utf8'), file));
    }
  }
  const akeys = new Map<string, ArticleFile>();
  for (const a of articles) {
    const first = akeys.get(a.key);
    if (!first) akeys.set(a.key, a);
    else if (first.audience !== a.audience) throw new KnowledgeFileError(a.file, `audience differs from ${path.basename(first.file)} for the same article`);
  }
  return { templates, articles };
}
