/**
 * End to end in real Chromium (the Debian package, driven by playwright-core; no browser
 * download) against the real server on a fresh test database with the demo data.
 * The scenario itself is in inbox-scenario.ts. Screenshot: test-results/e2e-inbox.png.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { DEMO_ADMIN, DEMO_PASSWORD, seedDemo } from '../../src/cli/demo-seed.ts';
import { triageForTickets } from '../../src/helpdesk/triage-adapter.ts';
import { ensureWebBuilt } from '../../src/cli/web-build.ts';
import { runInboxScenario } from './inbox-scenario.ts';
import { chromiumMissing, launchChromium, resultsDir } from './support.ts';

const skipReason = chromiumMissing();
if (skipReason) console.warn(`[e2e] inbox test skipped: ${skipReason}`);

describe.skipIf(skipReason !== null)('inbox in the browser', () => {
  let server: TestServer | undefined;
  let browser: Browser | undefined;

  beforeAll(async () => {
    fs.mkdirSync(resultsDir, { recursive: true });
    await ensureWebBuilt(); // before the server starts: it serves the files it finds then
    server = await startTestServer({ listen: true });
    await seedDemo(server.db.db, { tickets: 40, triage: triageForTickets });
    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('an agent replies in the Chinese interface and another browser sees it live', async () => {
    if (!server || !browser) throw new Error('set-up failed');
    await runInboxScenario(browser, {
      url: server.url,
      agentEmail: 'agent1@crossdesk.demo',
      adminEmail: DEMO_ADMIN,
      password: DEMO_PASSWORD,
      screenshotDir: resultsDir,
    });
  }, 120_000);
});
