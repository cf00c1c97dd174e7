import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../core/paths.ts';

const webDir = path.join(repoRoot, 'web');
const distDir = path.join(webDir, 'dist');
const stampFile = path.join(distDir, '.source-hash');

function hashSources(): string {
  const h = crypto.createHash('sha256');
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.name === 'dist' || entry.name === 'node_modules') continue;
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else {
        h.update(path.relative(webDir, p));
        h.update(fs.readFileSync(p));
      }
    }
  };
  if (fs.existsSync(webDir)) walk(webDir);
  return h.digest('hex');
}

/**
 * Builds the web app with Vite when web/dist is missing or older than its sources, so
 * `npm start` on a fresh clone serves the UI without a separate build step.
 */
export async function ensureWebBuilt(opts: { force?: boolean; quiet?: boolean } = {}): Promise<'fresh' | 'built' | 'absent'> {
  if (!fs.existsSync(path.join(webDir, 'index.html'))) return 'absent';
  const hash = hashSources();
  // the chat widget (web/widget → web/dist/widget.js, esbuild), after Vite: Vite empties web/dist
  const widget = async (force: boolean) => (await import('../channels/chat/widget-build.ts')).ensureWidgetBuilt({ force });
  if (!opts.force && fs.existsSync(stampFile) && fs.readFileSync(stampFile, 'utf8') === hash) {
    await widget(false);
    return 'fresh';
  }
  const { build } = await import('vite');
  await build({ configFile: path.join(webDir, 'vite.config.ts'), logLevel: opts.quiet === false ? 'info' : 'warn' });
  fs.writeFileSync(stampFile, hash);
  await widget(true);
  return 'built';
}
