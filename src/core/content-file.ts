/**
 * Content files (`content/<area>/*.yaml`) are written by people, so every loader reads
 * them the same way: the YAML files of a folder in a stable order, each named in errors by
 * its path relative to the working directory, parsed into a mapping, and every mistake
 * reported as `<file>: <field> <problem>` (a `validation_failed` AppError with
 * `{file, field}` as details). Used by markets/ and helpdesk/playbooks.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { AppError } from './errors.ts';

/** A mistake in a content file, naming the file and the field (a dotted path). */
export class ContentFileError extends AppError {
  readonly file: string;
  readonly field: string;
  /** The problem alone, without the file and field ("must be a number"). */
  readonly problem: string;
  constructor(file: string, field: string, problem: string) {
    super('validation_failed', `${file}: ${field ? `${field} ` : ''}${problem}`, { file, field });
    this.name = 'ContentFileError';
    this.file = file;
    this.field = field;
    this.problem = problem;
  }
}

export type ContentErrorFactory = (file: string, field: string, problem: string) => ContentFileError;

/** Parses `text` as YAML that must be a mapping; `fail` builds the module's own error type. */
export function parseYamlMapping(text: string, file: string, fail: ContentErrorFactory): Record<string, unknown> {
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (e) {
    throw fail(file, '', `is not valid YAML: ${(e as Error).message}`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw fail(file, '', 'must be a YAML mapping');
  return data as Record<string, unknown>;
}

export interface ContentFile {
  /** Absolute path. */
  path: string;
  /** How errors name it: relative to the working directory when inside it, else absolute. */
  name: string;
  text: string;
}

/** The `*.yaml` / `*.yml` files of `dir`, sorted by file name, with their text. */
export function readYamlFiles(dir: string): ContentFile[] {
  return fs
    .readdirSync(dir)
    .filter((f) => /\.ya?ml$/i.test(f))
    .sort()
    .map((f) => {
      const file = path.join(dir, f);
      const rel = path.relative(process.cwd(), file);
      return { path: file, name: rel && !rel.startsWith('..') ? rel : file, text: fs.readFileSync(file, 'utf8') };
    });
}
