import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (where package.json is). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The product's own data: market rules, templates, scenarios, corpora. */
export const contentDir = path.join(repoRoot, 'content');

/**
 * A public dataset from `../shared/datasets/` (beside the repository), or null when that
 * folder is absent (tests then skip with a message; nothing is ever copied in).
 */
export function sharedDataset(name: string): string | null {
  const base = process.env.CROSSDESK_DATASETS ?? path.resolve(repoRoot, '..', 'shared', 'datasets');
  const p = path.join(base, name);
  return fs.existsSync(p) ? p : null;
}
