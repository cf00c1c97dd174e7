/**
 * Shared pieces of the browser end-to-end tests: the Debian Chromium (no browser
 * download), launched by playwright-core, a few page helpers, and the demo set-up.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { bearer, startTestServer, type TestServer } from '../helpers/server.ts';
import { DEMO_PASSWORD, seedDemo } from '../../src/cli/demo-seed.ts';
import { ensureWebBuilt } from '../../src/cli/web-build.ts';
import { triageForTickets } from '../../src/helpdesk/triage-adapter.ts';
import { syncKnowledge } from '../../src/knowledge/sync.ts';
import { upsertUser } from '../../src/people/users.ts';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const resultsDir = path.join(repoRoot, 'test-results');
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

export function chromiumMissing(): string | null {
  return fs.existsSync(CHROMIUM_PATH)
    ? null
    : `Chromium not found at ${CHROMIUM_PATH} (install the Debian package: apt-get install -y chromium, or set CHROMIUM_PATH)`;
}

/** Signs in through the login form (labels in either interface language). */
export async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.getByLabel(/^(Email|邮箱)$/).fill(email);
  await page.getByLabel(/^(Password|密码)$/).fill(password);
  await page.getByRole('button', { name: /^(Sign in|登录)$/ }).click();
  await page.getByRole('navigation', { name: /^(Views|视图)$/ }).waitFor();
}

/** Waits until `fn` returns true in the page (polling; playwright-core has no expect). */
export async function waitForTrue(page: Page, fn: () => boolean, timeout = 10_000): Promise<void> {
  await page.waitForFunction(fn, undefined, { timeout });
}

export async function newContext(browser: Browser, locale = 'en-US'): Promise<BrowserContext> {
  const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale, timezoneId: 'Asia/Shanghai' });
  ctx.setDefaultTimeout(15_000);
  return ctx;
}

/** A signed-in page of its own browser context (see openAsUser); `close` closes the context. */
export interface UserPage {
  page: Page;
  /** The page's uncaught errors. */
  errors: string[];
  close: () => Promise<void>;
}

/**
 * The app opened in a new context as `email`, in the English interface: the interface
 * language is set before signing in through the login form. `password` defaults to the
 * demo's; `permissions` are granted to the app's origin (e.g. the clipboard).
 */
export async function openAsUser(browser: Browser, baseUrl: string, email: string, opts: { password?: string; permissions?: string[] } = {}): Promise<UserPage> {
  const ctx = await newContext(browser, 'en-US');
  if (opts.permissions?.length) await ctx.grantPermissions(opts.permissions, { origin: baseUrl });
  const page = await ctx.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(baseUrl);
  await page.evaluate(() => localStorage.setItem('crossdesk.uiLanguage', 'en'));
  await page.reload();
  await signIn(page, email, opts.password ?? DEMO_PASSWORD);
  return { page, errors, close: () => ctx.close() };
}

/**
 * The demo for a browser test: the web bundle built (before the server starts: it serves
 * the files it finds then), a listening server with triage, the knowledge base when asked,
 * `tickets` demo tickets, and Chromium. Whatever started is closed again when a step fails.
 */
export async function startDemoInBrowser(opts: { tickets: number; knowledge?: boolean }): Promise<{ server: TestServer; browser: Browser }> {
  fs.mkdirSync(resultsDir, { recursive: true });
  await ensureWebBuilt();
  const server = await startTestServer({ listen: true, deps: { triage: triageForTickets } });
  try {
    if (opts.knowledge) await syncKnowledge(server.db.db);
    await seedDemo(server.db.db, { tickets: opts.tickets, triage: triageForTickets });
    return { server, browser: await launchChromium() };
  } catch (e) {
    await server.close();
    throw e;
  }
}

/**
 * The training ground for a browser test: the web bundle built, a listening server with one
 * agent (`agent`: email, name, password), and Chromium; the server is closed again when a step fails.
 */
export async function startTrainingInBrowser(agent: { email: string; name: string; password: string }): Promise<{ server: TestServer; browser: Browser }> {
  fs.mkdirSync(resultsDir, { recursive: true });
  await ensureWebBuilt();
  const server = await startTestServer({ listen: true });
  try {
    await upsertUser(server.db.db, { ...agent, role: 'agent' });
    return { server, browser: await launchChromium() };
  } catch (e) {
    await server.close();
    throw e;
  }
}

/** The training page in the Chinese interface, signed in as `email` (it opens on the drill library). */
export async function openTrainingZh(browser: Browser, baseUrl: string, email: string, password: string): Promise<Page> {
  const ctx = await newContext(browser, 'zh-CN');
  const page = await ctx.newPage();
  await page.goto(baseUrl);
  await page.evaluate(() => localStorage.setItem('crossdesk.uiLanguage', 'zh-CN'));
  await page.goto(`${baseUrl}/#/training`);
  // the training page, not the inbox, is what appears after signing in here
  await page.getByLabel(/^(Email|邮箱)$/).fill(email);
  await page.getByLabel(/^(Password|密码)$/).fill(password);
  await page.getByRole('button', { name: /^(Sign in|登录)$/ }).click();
  await page.getByTestId('scenario-table').waitFor();
  return page;
}

/** The demo's German lamp ticket that is linked to its order (found by the API). */
export async function germanLampTicket(server: TestServer, token: string): Promise<{ id: string; orderId: string }> {
  const res = await fetch(`${server.url}/api/v1/tickets?limit=100&q=Lampe`, { headers: bearer(token) });
  const list = (await res.json()) as { items: Array<{ id: string; orderId: string | null; language: string | null }> };
  const ticket = list.items.find((t) => t.orderId && t.language === 'de');
  expect(ticket, 'the demo has the German lamp ticket linked to its order').toBeTruthy();
  return { id: ticket!.id, orderId: ticket!.orderId! };
}

/**
 * A ticket's page in the English interface, signed in as the demo's first agent; `errors`
 * collects the page's uncaught errors.
 */
export async function openTicketAsAgent(browser: Browser, baseUrl: string, ticketId: string): Promise<{ ctx: BrowserContext; page: Page; errors: string[] }> {
  const ctx = await newContext(browser, 'en-US');
  const page = await ctx.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(baseUrl);
  await page.evaluate(() => localStorage.setItem('crossdesk.uiLanguage', 'en'));
  await page.goto(`${baseUrl}/tickets/${ticketId}`);
  await signIn(page, 'agent1@crossdesk.demo', DEMO_PASSWORD);
  return { ctx, page, errors };
}
