import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../core/paths.ts';

/**
 * The embeddable chat widget: a small vanilla TypeScript bundle (web/widget/), not part of
 * the React app, bundled by esbuild (already installed: tsx runs on it) into
 * web/dist/widget.js. Built by `crossdesk build-web` and, when missing or older than its
 * sources, on the first request for /widget.js.
 */
export const widgetSrcDir = path.join(repoRoot, 'web', 'widget');
export const widgetOutFile = path.join(repoRoot, 'web', 'dist', 'widget.js');
const stampFile = path.join(repoRoot, 'web', 'dist', '.widget-hash');

function hashSources(): string {
  const h = crypto.createHash('sha256');
  for (const name of fs.readdirSync(widgetSrcDir).sort()) {
    if (!name.endsWith('.ts') || name.endsWith('.test.ts')) continue;
    h.update(name);
    h.update(fs.readFileSync(path.join(widgetSrcDir, name)));
  }
  return h.digest('hex');
}

export interface WidgetBundle {
  code: string;
  hash: string;
}

let inFlight: Promise<WidgetBundle> | null = null;

async function build(hash: string): Promise<WidgetBundle> {
  const { build: esbuild } = await import('esbuild');
  const res = await esbuild({
    entryPoints: [path.join(widgetSrcDir, 'main.ts')],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: ['es2020'],
    minify: true,
    legalComments: 'none',
    write: false,
    logLevel: 'silent',
  });
  const code = res.outputFiles[0].text;
  fs.mkdirSync(path.dirname(widgetOutFile), { recursive: true });
  // write-then-rename: a server reading the file never sees half of it
  const tmp = `${widgetOutFile}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  fs.writeFileSync(tmp, code);
  fs.renameSync(tmp, widgetOutFile);
  fs.writeFileSync(stampFile, hash);
  return { code, hash };
}

/** The bundle, built when web/dist/widget.js is missing or older than web/widget/*.ts. */
export async function ensureWidgetBuilt(opts: { force?: boolean } = {}): Promise<WidgetBundle> {
  const hash = hashSources();
  if (!opts.force && fs.existsSync(widgetOutFile) && fs.existsSync(stampFile) && fs.readFileSync(stampFile, 'utf8') === hash) {
    return { code: fs.readFileSync(widgetOutFile, 'utf8'), hash };
  }
  if (!inFlight) inFlight = build(hash).finally(() => (inFlight = null));
  return inFlight;
}
