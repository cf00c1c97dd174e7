import os from 'node:os';
import path from 'node:path';

/**
 * Per-run migrated PGlite template (see test/global-setup.ts). The global setup picks a
 * fresh path for each `vitest run` and hands it to the workers through the environment,
 * so two runs on one machine never read each other's half-written file.
 */
export function templatePath(): string {
  const p = process.env.CROSSDESK_TEST_TEMPLATE;
  if (!p) throw new Error('CROSSDESK_TEST_TEMPLATE is not set: run tests through vitest (test/global-setup.ts prepares it)');
  return p;
}

export function newTemplatePath(): string {
  return path.join(os.tmpdir(), `crossdesk-template-${process.pid}-${Date.now()}.tar`);
}
