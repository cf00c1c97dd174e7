/**
 * Shared pieces of the browser end-to-end tests: the Debian Chromium (no browser
 * download), launched by playwright-core, and a few page helpers.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

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
