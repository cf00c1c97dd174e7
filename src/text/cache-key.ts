import type { Hash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Feeds a cache key with the code files a trained model depends on (beside this file) and
 * every file of the data folders it is trained on, so a change to either retrains it.
 */
export function hashSources(h: Hash, codeFiles: readonly string[], dataDirs: readonly string[]): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const f of codeFiles) {
    try {
      h.update(fs.readFileSync(path.join(here, f)));
    } catch {
      h.update(f);
    }
  }
  for (const dir of dataDirs) {
    let files: string[] = [];
    try {
      files = fs.readdirSync(dir).sort();
    } catch {
      files = [];
    }
    for (const f of files) {
      h.update(f);
      h.update(fs.readFileSync(path.join(dir, f)));
    }
  }
  return h.digest('hex').slice(0, 32);
}

/**
 * How many other cache files of a kind stay beside the current one: a CI run of one commit and a
 * working copy of another share the cache directory, and each evicting the other's models made
 * the CI run's tests train them again under load (round nine: two tests timed out that way).
 */
const STALE_KEPT = 3;

/** Deletes older cache files of the same kind beside `file`, all but the `keep` most recent. */
export function removeStale(file: string, prefix: string, keep = STALE_KEPT): void {
  const dir = path.dirname(file);
  const others: { f: string; mtime: number }[] = [];
  for (const f of fs.readdirSync(dir)) {
    if (!f.startsWith(prefix) || !f.endsWith('.bin') || f === path.basename(file)) continue;
    try {
      others.push({ f, mtime: fs.statSync(path.join(dir, f)).mtimeMs });
    } catch {
      // another process may have removed it
    }
  }
  // Newest first; the newest `keep` stay (another checkout, a CI run beside a working copy, uses them).
  others.sort((a, b) => b.mtime - a.mtime);
  for (const { f } of others.slice(keep)) {
    try {
      fs.unlinkSync(path.join(dir, f));
    } catch {
      // another process may have removed it
    }
  }
}
