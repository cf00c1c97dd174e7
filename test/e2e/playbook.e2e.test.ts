/**
 * The playbook panel in real Chromium, on the demo's German damaged-item ticket: the
 * checklist with its progress and the seller-pays note, a step ticked by hand, and solving
 * with required steps open: the reason dialog, then the reason in the event trail.
 * Screenshot: test-results/e2e-playbook.png.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { bearer, type TestServer } from '../helpers/server.ts';
import { chromiumMissing, germanLampTicket, openTicketAsAgent, resultsDir, startDemoInBrowser } from './support.ts';

const skipReason = chromiumMissing();
if (skipReason) console.warn(`[e2e] playbook test skipped: ${skipReason}`);

interface Detail {
  status: string;
  category: string;
  playbook: { steps: Array<{ id: string; done: boolean; how?: string }> };
  events: Array<{ type: string; after: unknown }>;
}

describe.skipIf(skipReason !== null)('playbook panel in the browser', () => {
  let server: TestServer | undefined;
  let browser: Browser | undefined;

  beforeAll(async () => {
    ({ server, browser } = await startDemoInBrowser({ tickets: 10 }));
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows the checklist, ticks a step by hand, and asks for a reason when solving with steps open', async () => {
    if (!server || !browser) throw new Error('set-up failed');
    const { token } = await server.tokenFor('admin', 'e2e-pb-admin@test.example');
    const api = async <T,>(url: string, init: RequestInit = {}) => (await (await fetch(`${server!.url}${url}`, { ...init, headers: { ...bearer(token), 'content-type': 'application/json' } })).json()) as T;
    const { id } = await germanLampTicket(server, token);
    if ((await api<Detail>(`/api/v1/tickets/${id}`)).category !== 'damaged_item') {
      await api(`/api/v1/tickets/${id}`, { method: 'PATCH', body: JSON.stringify({ category: 'damaged_item' }) });
    }

    const { ctx, page, errors } = await openTicketAsAgent(browser, server.url, id);

    const panel = page.getByTestId('playbook');
    await panel.waitFor();
    const text = await panel.innerText();
    expect(text).toMatch(/playbook\s+\d+\/\d+/i);
    expect(text).toContain('Damaged item · DE');
    expect(text).toMatch(/seller pays return shipping/i);

    // tick a step by hand
    // click, not check(): the box follows the server's answer, which check() does not wait for
    await panel.getByLabel('Follow up until the customer has it').click();
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="playbook"] li.done label')].some((l) => l.textContent?.includes('Follow up')));
    const ticked = await api<Detail>(`/api/v1/tickets/${id}`);
    expect(ticked.playbook.steps.find((s) => s.id === 'follow_up')).toMatchObject({ done: true, how: 'manual' });

    // solving with required steps open: the dialog asks why, and the reason is recorded
    await page.locator('#ticket-status').selectOption('solved');
    const dialog = page.getByRole('dialog', { name: 'Solve with steps open?' });
    await dialog.waitFor();
    expect(await dialog.innerText()).toMatch(/Apologise/);
    await page.screenshot({ path: path.join(resultsDir, 'e2e-playbook.png') });
    await dialog.getByLabel(/Why solve anyway/).fill('Handled by phone with the customer');
    await dialog.getByRole('button', { name: 'Solve anyway' }).click();
    await dialog.waitFor({ state: 'detached' });
    const solved = await api<Detail>(`/api/v1/tickets/${id}`);
    expect(solved.status).toBe('solved');
    expect(solved.events.find((e) => e.type === 'playbook_override')?.after).toMatchObject({ reason: 'Handled by phone with the customer' });
    expect(errors).toEqual([]);
    await ctx.close();
  });
});
