/**
 * Issue 4, the US half of "done when", in real Chromium on the demo data: Emily Carter (US)
 * changed her mind about her order. US law gives no change-of-mind return right, so the
 * store's return policy decides both whether she may return it and who pays the postage.
 *
 * 1. English interface: the return-request playbook, English suggested replies with the
 *    order number, the order pane's return with the reason change_of_mind picked from the
 *    ticket's category. With a 7-day store window (delivered 10 days ago) the return is
 *    refused with the reason; the admin then sets free returns within 30 days in the store
 *    settings, and the return goes through with a label whose postage the seller pays
 *    (checked in the PDF's text with pdftotext).
 * 2. Chinese interface: the refused actions, each with its reason at the form — a refund
 *    above what was paid, an exchange for a sold-out colour, cancelling the shipped order —
 *    and nothing changed on the order.
 * Screenshots: test-results/e2e-us-return-*.png.
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { bearer, type TestServer } from '../helpers/server.ts';
import { DEMO_PASSWORD } from '../../src/cli/demo-seed.ts';
import { chromiumMissing, newContext, resultsDir, signIn, startDemoInBrowser } from './support.ts';

const skipReason = chromiumMissing();
if (skipReason) console.warn(`[e2e] US return test skipped: ${skipReason}`);
const hasPdftotext = spawnSync('sh', ['-c', 'command -v pdftotext']).status === 0;

interface Order {
  id: string;
  number: string;
  storeId: string;
  status: string;
  totals: { paid: string; refunded: string; refundable: string };
  returns: Array<{ rma: string; reason: string; whoPaysShipping: string }>;
  actions: Array<{ type: string }>;
}
interface Ticket {
  id: string;
  orderId: string | null;
  language: string | null;
  category: string | null;
  playbook: { category: string; steps: Array<{ id: string; done: boolean }> };
  events: Array<{ type: string; field: string | null; after: unknown }>;
}

describe.skipIf(skipReason !== null)('US change-of-mind return in the browser', () => {
  let server: TestServer | undefined;
  let browser: Browser | undefined;
  let token = '';
  let ticket: Ticket;
  let order: Order;

  const api = async <T,>(url: string, init: RequestInit = {}): Promise<T> => {
    const res = await fetch(`${server!.url}${url}`, { ...init, headers: { ...bearer(token), 'content-type': 'application/json' } });
    const body = (await res.json()) as T;
    if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${url}: ${res.status} ${JSON.stringify(body)}`);
    return body;
  };

  beforeAll(async () => {
    ({ server, browser } = await startDemoInBrowser({ tickets: 10, knowledge: true }));
    token = (await server.tokenFor('admin', 'e2e-us-admin@test.example')).token;
    const list = await api<{ items: Array<{ id: string; orderId: string | null; language: string | null }> }>('/api/v1/tickets?limit=100&q=changed%20my%20mind');
    const found = list.items.find((t) => t.orderId && t.language === 'en');
    expect(found, 'the demo has the US change-of-mind ticket linked to its order').toBeTruthy();
    ticket = await api<Ticket>(`/api/v1/tickets/${found!.id}`);
    order = await api<Order>(`/api/v1/orders/${found!.orderId}`);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function openAs(email: string, lang: 'en' | 'zh-CN', url: string): Promise<{ page: Page; errors: string[]; close: () => Promise<void> }> {
    const ctx = await newContext(browser!, lang === 'en' ? 'en-US' : 'zh-CN');
    const page = await ctx.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(server!.url);
    await page.evaluate((l) => localStorage.setItem('crossdesk.uiLanguage', l), lang);
    await page.goto(url);
    await signIn(page, email, DEMO_PASSWORD);
    return { page, errors, close: () => ctx.close() };
  }

  /** The text of the refusal shown at the open action form. */
  async function refusalText(page: Page): Promise<string> {
    const box = page.getByTestId('order-panel').getByTestId('action-refusal');
    await box.waitFor();
    return box.innerText();
  }

  it('English: playbook, English replies, return refused outside the store window, then free returns in the settings and a seller-paid label', async () => {
    if (!server || !browser) throw new Error('set-up failed');
    expect(ticket.category).toBe('return_request');
    expect(ticket.playbook.category).toBe('return_request');
    // the store allows 7 days, buyer pays: delivered 10 days ago, US law gives no right of its own
    await api(`/api/v1/stores/${order.storeId}/return-policy`, { method: 'PUT', body: JSON.stringify({ returnWindowDays: 7, buyerPaysReturnForChangeOfMind: true, restockingFeePercent: 0 }) });

    const agent = await openAs('agent1@crossdesk.demo', 'en', `${server.url}/tickets/${ticket.id}`);
    const { page } = agent;
    const panel = page.getByTestId('order-panel');
    await panel.waitFor();
    expect(await panel.innerText()).toContain(order.number);

    // the playbook of the category, for the US market
    const playbook = page.getByTestId('playbook');
    await playbook.waitFor();
    const steps = await playbook.innerText();
    expect(steps).toContain('Return request · US');
    expect(steps).toContain('Create the RMA and the return label');

    // English suggested replies with the order number filled in
    const suggestions = page.getByTestId('suggestions');
    await suggestions.locator('li').first().waitFor();
    await suggestions.locator('li summary').first().click();
    const reply = suggestions.locator('.suggestion-body').first();
    expect(await reply.getAttribute('lang')).toBe('en');
    expect(await reply.innerText()).toContain(order.number);

    // the return terms: no legal right in the US, the store's 7 days are over
    const terms = await page.getByTestId('return-terms').innerText();
    expect(terms).toMatch(/Delivered 10 days ago; US law gives no change-of-mind return right, the store allows 7 days/);
    expect(terms).toContain('Return window closed');

    // one click: the reason comes from the ticket's category; the payer from the store policy
    await panel.getByRole('button', { name: 'Return + label' }).click();
    const form = panel.getByTestId('action-form-return');
    expect(await form.locator('select').inputValue()).toBe('change_of_mind');
    const payer = await form.getByTestId('return-payer').innerText();
    expect(payer).toContain('Return shipping paid by: the customer');
    expect(payer).toContain("set by the store's return policy (US law leaves it to the seller)");
    await form.getByRole('button', { name: 'Create return and label' }).click();
    const closed = await refusalText(page);
    expect(closed).toMatch(/^Not possible:/);
    expect(closed).toMatch(/return window has closed: delivered 10 days ago; US law gives no change-of-mind right and the store accepts returns for 7 days/);
    await page.screenshot({ path: path.join(resultsDir, 'e2e-us-return-window-closed.png') });
    expect((await api<Order>(`/api/v1/orders/${order.id}`)).returns).toEqual([]);

    // the admin makes returns free within 30 days, in the store settings
    const admin = await openAs('admin@crossdesk.demo', 'en', server.url);
    await admin.page.getByRole('link', { name: 'Settings' }).click();
    await admin.page.getByRole('heading', { name: 'Store settings' }).waitFor();
    await admin.page.getByRole('combobox', { name: /^Store/ }).selectOption(order.storeId);
    await admin.page.getByRole('tab', { name: 'Return policy' }).click();
    const window = admin.page.getByLabel('Return window (days)');
    await window.waitFor();
    await window.fill('30');
    await admin.page.getByLabel('Return shipping, change of mind, paid by').selectOption('seller');
    await admin.page.getByRole('button', { name: 'Save' }).click();
    await admin.page.locator('.toast-success', { hasText: 'Settings saved' }).waitFor();
    const policy = await api<{ policy: { returnWindowDays: number; buyerPaysReturnForChangeOfMind: boolean }; warnings: unknown[] }>(`/api/v1/stores/${order.storeId}/return-policy`);
    expect(policy.policy).toMatchObject({ returnWindowDays: 30, buyerPaysReturnForChangeOfMind: false });
    expect(policy.warnings).toEqual([]);
    expect(admin.errors).toEqual([]);
    await admin.close();

    // the agent's pane follows the new policy
    await page.reload();
    await panel.waitFor();
    await page.waitForFunction(() => document.querySelector('[data-testid="return-terms"]')?.textContent?.includes('the store allows 30 days') ?? false);
    expect(await page.getByTestId('return-terms').innerText()).toContain('Return window open');
    await panel.getByRole('button', { name: 'Return + label' }).click();
    expect(await form.locator('select').inputValue()).toBe('change_of_mind');
    expect(await form.getByTestId('return-payer').innerText()).toContain('Return shipping paid by: the seller');
    await form.getByRole('button', { name: 'Create return and label' }).click();
    const label = panel.getByRole('link', { name: 'Return label (PDF)' });
    await label.waitFor();
    await page.locator('.toast-success', { hasText: 'Return created; the label is ready' }).waitFor();
    const returned = await panel.locator('.returns li').first().innerText();
    expect(returned).toContain('Change of mind');
    expect(returned).toContain('Return shipping paid by: the seller');

    // the label: a PDF, downloadable with the agent's session, saying the seller pays
    const href = await label.getAttribute('href');
    const pdf = await page.evaluate(async (u) => {
      const r = await fetch(u!);
      const b = new Uint8Array(await r.arrayBuffer());
      let s = '';
      for (const x of b) s += String.fromCharCode(x);
      return { type: r.headers.get('content-type'), disposition: r.headers.get('content-disposition'), base64: btoa(s) };
    }, href);
    expect(pdf.type).toBe('application/pdf');
    const bytes = Buffer.from(pdf.base64, 'base64');
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const after = await api<Order>(`/api/v1/orders/${order.id}`);
    expect(after.returns).toHaveLength(1);
    const rma = after.returns[0].rma;
    expect(after.returns[0]).toMatchObject({ reason: 'change_of_mind', whoPaysShipping: 'seller' });
    expect(pdf.disposition).toContain(`${rma}.pdf`);
    const file = path.join(resultsDir, 'e2e-us-return-label.pdf');
    fs.writeFileSync(file, bytes);
    if (hasPdftotext) {
      const text = spawnSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' }).stdout.replace(/\s+/g, ' ');
      expect(text).toContain('Postage paid by the seller - no charge to you');
      expect(text).not.toContain('deducted from your refund');
      expect(text).toContain('Reason: Change of mind');
      expect(text).toContain(`RMA ${rma}`);
      expect(text).toContain(`Order: ${order.number}`);
      expect(text).toContain('Emily Carter');
      expect(text).toContain('Portland, OR 97214');
      expect(text).toContain('USPS');
      expect(text).toMatch(/Returns Dept\. US-EWR/);
    } else {
      console.warn('[e2e] pdftotext missing: the label text is not checked');
    }

    // on the ticket: the action with the rule that decided, and the playbook step ticked
    const t = await api<Ticket>(`/api/v1/tickets/${ticket.id}`);
    const ev = t.events.find((e) => e.type === 'order_action' && e.field === 'return');
    expect(ev?.after).toMatchObject({ result: { market: 'US', whoPaysShipping: 'seller', rule: { law: 'store_policy', decidedBy: 'store_policy' } } });
    expect(t.playbook.steps.find((s) => s.id === 'create_label')?.done).toBe(true);
    await page.screenshot({ path: path.join(resultsDir, 'e2e-us-return.png') });
    expect(agent.errors).toEqual([]);
    await agent.close();
  }, 180_000);

  it('Chinese: a refund above what was paid, an exchange without stock and cancelling the shipped order are refused with their reason', async () => {
    if (!server || !browser) throw new Error('set-up failed');
    const before = await api<Order>(`/api/v1/orders/${order.id}`);
    const { page, errors, close } = await openAs('agent1@crossdesk.demo', 'zh-CN', `${server.url}/tickets/${ticket.id}`);
    const panel = page.getByTestId('order-panel');
    await panel.waitFor();
    const actions = panel.getByRole('group', { name: '订单操作' });

    // refund above what was paid: refused before anything is asked or sent
    await actions.getByRole('button', { name: '退款', exact: true }).click();
    const refundForm = panel.getByTestId('action-form-refund');
    await refundForm.getByLabel(/^金额/).fill('100.00');
    await refundForm.getByRole('button', { name: '退款', exact: true }).click();
    const tooMuch = await refusalText(page);
    expect(tooMuch).toMatch(/^无法执行：/);
    expect(tooMuch).toMatch(/退款 US\$100\.00 超过可退金额：最多还能退 US\$79\.99（已付 US\$79\.99，已退 US\$0\.00）/);
    expect(await page.getByRole('dialog').count()).toBe(0);
    await page.screenshot({ path: path.join(resultsDir, 'e2e-us-return-refused-refund.png') });

    // exchange for the white earbuds, sold out: the option says so and the server refuses
    await actions.getByRole('button', { name: '换货', exact: true }).click();
    const swap = panel.getByTestId('action-form-exchange');
    const to = swap.getByLabel(/^将 BUDS-ECH-BLK-US 换成/);
    await to.waitFor();
    const white = await to.locator('option', { hasText: 'BUDS-ECH-WHT-US' }).getAttribute('value');
    expect(await to.locator('option', { hasText: 'BUDS-ECH-WHT-US' }).innerText()).toContain('已售罄');
    expect(await to.locator('option', { hasText: 'BUDS-ECH-BLU-US' }).innerText()).toMatch(/库存 \d+/);
    await to.selectOption(white!);
    await swap.getByLabel('原因').fill('Prefers white');
    await swap.getByRole('button', { name: '预留新商品' }).click();
    const noStock = await refusalText(page);
    expect(noStock).toMatch(/BUDS-ECH-WHT-US 库存不足，无法换货：需要 1 件，可用 0 件/);
    // the server's own words beside the translation, for quoting to the customer
    expect(noStock).toContain('No stock of BUDS-ECH-WHT-US for this exchange');
    await page.screenshot({ path: path.join(resultsDir, 'e2e-us-return-refused-exchange.png') });

    // cancelling the delivered order: asked first, then refused with the reason
    await actions.getByRole('button', { name: '取消订单', exact: true }).click();
    const cancel = panel.getByTestId('action-form-cancel');
    await cancel.getByRole('button', { name: '取消该订单' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    expect(await dialog.innerText()).toContain(`确定取消订单 ${order.number}？`);
    await dialog.getByRole('button', { name: '确定' }).click();
    const shipped = await refusalText(page);
    expect(shipped).toContain(`订单 ${order.number} 已发货，不能再取消`);
    expect(shipped).toMatch(/has already shipped with USPS \(tracking \d+\)/);
    await page.screenshot({ path: path.join(resultsDir, 'e2e-us-return-refused-cancel.png') });

    // nothing happened to the order
    const after = await api<Order>(`/api/v1/orders/${order.id}`);
    expect(after.totals).toEqual(before.totals);
    expect(after.status).toBe(before.status);
    expect(after.actions.map((a) => a.type)).toEqual(before.actions.map((a) => a.type));
    expect(errors).toEqual([]);
    await close();
  }, 120_000);
});
