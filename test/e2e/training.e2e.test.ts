/**
 * The training ground in real Chromium, Chinese interface: a trainer assigns a scenario to an
 * agent; the agent finds it under "assigned to me", plays the drill (reply in German, a tool
 * from the order pane), ends it and reads the report: score, bars per rubric dimension, the
 * outcome check. Screenshots: test-results/e2e-training-*.png.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { bearer, type TestServer } from '../helpers/server.ts';
import { chromiumMissing, openTrainingZh, resultsDir, startTrainingInBrowser } from './support.ts';

const skipReason = chromiumMissing();
if (skipReason) console.warn(`[e2e] training test skipped: ${skipReason}`);
const PASSWORD = 'training-e2e-pass';

describe.skipIf(skipReason !== null)('training ground in the browser', () => {
  let server: TestServer | undefined;
  let browser: Browser | undefined;

  beforeAll(async () => {
    ({ server, browser } = await startTrainingInBrowser({ email: 'agent@training.test', name: '王芳 Wang Fang', password: PASSWORD }));
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  function open(email: string): Promise<Page> {
    return openTrainingZh(browser!, server!.url, email, PASSWORD);
  }

  it('an assigned drill is played and scored with evidence', async () => {
    if (!server || !browser) throw new Error('set-up failed');
    // the trainer assigns through the API (the form is the same call)
    const { token: trainer } = await server.tokenFor('trainer');
    const agent = await server.db.db.selectFrom('users').select('id').where('email', '=', 'agent@training.test').executeTakeFirstOrThrow();
    const assigned = await fetch(`${server.url}/api/v1/drills/assignments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(trainer) },
      body: JSON.stringify({ scenarioId: 'de-damaged-lamp-gift', userId: agent.id, note: '周五前完成' }),
    });
    expect(assigned.status).toBe(201);

    const page = await open('agent@training.test');
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // the library: filters and the assignment
    await page.getByTestId('scenario-table').locator('tbody tr').first().waitFor();
    await page.getByLabel('难度').selectOption('hard');
    await page.locator('tr[data-scenario-id="de-damaged-lamp-gift"]').waitFor();
    expect(await page.locator('tr[data-scenario-id="us-late-order-status"]').count()).toBe(0);
    const mine = page.locator('.assignments li').filter({ hasText: '周五前完成' });
    await mine.waitFor();
    await page.screenshot({ path: path.join(resultsDir, 'e2e-training-library.png') });
    await mine.getByRole('button', { name: '开始练习' }).click();

    // the drill: the customer's German opening with its Chinese gloss, the order pane
    const drill = page.getByTestId('drill');
    await drill.waitFor();
    expect(await drill.locator('.message-customer').first().innerText()).toMatch(/Lampe/);
    expect(await drill.locator('.message-customer .message-translation').first().innerText()).toMatch(/台灯/);
    expect(await page.getByTestId('drill-order').innerText()).toContain('#1047');
    await page.locator('#drill-reply').fill('Sehr geehrter Herr Weber, es tut mir sehr leid, dass Ihre Lampe zerbrochen angekommen ist. Könnten Sie mir bitte Ihre Bestellnummer nennen?');
    await page.getByRole('button', { name: '发送回复' }).click();
    await drill.locator('.message-customer').nth(1).waitFor();
    // a tool from the order pane: look up the order
    await page.getByRole('button', { name: '查询订单' }).click();
    await page.locator('.drill-side form').getByRole('button', { name: '执行' }).click();
    await drill.locator('.tool-result').first().waitFor();
    await page.screenshot({ path: path.join(resultsDir, 'e2e-training-drill.png') });

    // end and score
    await page.getByRole('button', { name: '结束并评分' }).click();
    await page.getByRole('dialog').getByRole('button').last().click();
    const report = page.getByTestId('drill-report');
    await report.waitFor();
    const score = Number(await page.getByTestId('drill-score').innerText());
    expect(score).toBeGreaterThan(0);
    expect(score).toBeLessThan(70); // no replacement, no date: this drill is not passed
    expect(await report.innerText()).toContain('未通过');
    expect(await page.getByTestId('dimension-bars').locator('li').count()).toBeGreaterThanOrEqual(8);
    expect(await report.innerText()).toContain('结果检查');
    await page.screenshot({ path: path.join(resultsDir, 'e2e-training-report.png'), fullPage: true });
    expect(errors).toEqual([]);

    // the session is stored with its score; the assignment is no longer "to do"
    const list = (await (await fetch(`${server.url}/api/v1/drills?userId=${agent.id}`, { headers: bearer(trainer) })).json()) as { items: Array<{ score: number | null }> };
    expect(Math.round(list.items[0]?.score ?? -1)).toBe(score);
  }, 150_000);
});
