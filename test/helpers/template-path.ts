import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Per-run migrated PGlite template (see test/global-setup.ts). */
export const TEMPLATE_PATH = path.join(root, 'node_modules', '.cache', 'crossdesk', `pglite-template-${process.env.VITEST_POOL_ID ? 'run' : 'run'}.tar`);
