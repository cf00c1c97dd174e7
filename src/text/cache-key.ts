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

/** Deletes older cache files of the same kind beside `file` (they can never be read again). */
export function removeStale(file: string, prefix: string): void {
  const dir = path.dirname(file);
  for (const f of fs.readdirSync(dir)) {
    if (f.startsWith(prefix) && f.endsWith('.bin') && f !== path.basename(file)) {
      try {
        fs.unlinkSync(path.join(dir, f));
      } catch {
        // another process may have removed it
      }
    }
  }
}
