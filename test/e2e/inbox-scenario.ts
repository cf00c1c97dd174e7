/**
 * The inbox scenario, in real Chromium: an agent signs in, switches the interface to
 * Chinese, opens a ticket, replies and sees the reply in the thread; a second browser
 * (an admin) sees it arrive live, without a reload. Uses node:assert so it also runs
 * outside vitest against any running server.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import { newContext, signIn } from './support.ts';

export interface ScenarioOptions {
  url: string;
  agentEmail: string;
  adminEmail: string;
  password: string;
  screenshotDir: string;
}

export async function runInboxScenario(browser: Browser, o: ScenarioOptions): Promise<void> {
  const contexts: BrowserContext[] = [];
  try {
    fs.mkdirSync(o.screenshotDir, { recursive: true });
    // Agent A starts in English, to switch the interface to Chinese like a person would.
    const ctxA = await newContext(browser, 'en-US');
    contexts.push(ctxA);
    const a = await ctxA.newPage();
    const pageErrors: string[] = [];
    a.on('pageerror', (e) => pageErrors.push(e.message));
    await a.goto(o.url);
    await a.evaluate(() => localStorage.setItem('crossdesk.uiLanguage', 'en'));
    await a.reload();

    // a wrong password shows the server's message; then the right one signs in
    await a.getByLabel('Email').fill(o.agentEmail);
    await a.getByLabel('Password').fill('wrong-password');
    await a.getByRole('button', { name: 'Sign in' }).click();
    await a.getByRole('alert').filter({ hasText: 'Sign-in failed' }).waitFor();
    await signIn(a, o.agentEmail, o.password);

    await a.getByLabel('Interface language').selectOption('zh-CN');
    await a.getByRole('navigation', { name: '视图' }).waitFor();
    assert.equal(await a.evaluate(() => document.documentElement.lang), 'zh-CN');
    assert.equal(await a.evaluate(() => localStorage.getItem('crossdesk.uiLanguage')), 'zh-CN');
    await a.getByRole('button', { name: /全部未解决/ }).waitFor();

    // the list: the first open ticket
    const list = a.getByRole('list', { name: '工单列表' });
    const firstRow = list.locator('li[data-ticket-id]').first();
    await firstRow.waitFor();
    const ticketId = await firstRow.getAttribute('data-ticket-id');
    assert.ok(ticketId, 'the first row names its ticket');
    await a.screenshot({ path: path.join(o.screenshotDir, 'e2e-inbox-list.png') });

    // Browser B (an admin) opens the same ticket by its link, signs in there and waits.
    const ctxB = await newContext(browser, 'zh-CN');
    contexts.push(ctxB);
    const b = await ctxB.newPage();
    await b.goto(o.url);
    await b.evaluate(() => localStorage.setItem('crossdesk.uiLanguage', 'zh-CN'));
    await b.goto(`${o.url}/tickets/${ticketId}`);
    await signIn(b, o.adminEmail, o.password);
    const threadB = b.getByRole('log', { name: '会话记录' });
    await threadB.waitFor();
    await b.locator('[data-live="open"]').waitFor();
    await b.evaluate(() => {
      (window as Window & { __sameDocument?: boolean }).__sameDocument = true;
    });

    // A opens the ticket and replies
    await firstRow.getByRole('link').click();
    const thread = a.getByRole('log', { name: '会话记录' });
    await thread.waitFor();
    assert.equal(new URL(a.url()).pathname, `/tickets/${ticketId}`);
    await a.locator('[data-live="open"]').waitFor();
    await a.keyboard.press('r');
    assert.equal(await a.evaluate(() => document.activeElement?.id), 'reply-body', 'r focuses the reply box');

    const reply = `您好，非常抱歉给您带来不便。我们已为您安排补发，单号会在 24 小时内发送给您。[e2e ${Date.now()}]`;
    await a.getByLabel('回复客户').fill(reply);
    await a.getByRole('button', { name: '发送回复' }).click();
    await thread.getByRole('article').filter({ hasText: reply }).waitFor();
    await a.getByRole('status').filter({ hasText: '回复已发送' }).waitFor();
    assert.equal(await a.getByLabel('回复客户').inputValue(), '');

    // B sees it without a reload
    await threadB.getByRole('article').filter({ hasText: reply }).waitFor({ timeout: 10_000 });
    assert.equal(await b.evaluate(() => (window as Window & { __sameDocument?: boolean }).__sameDocument), true, 'no reload in B');

    // an internal note, sent with Ctrl+Enter, shows as a note
    await a.getByRole('button', { name: '内部备注', exact: true }).click();
    const note = `客户很着急，请优先跟进物流 [e2e ${Date.now()}]`;
    const noteBox = a.getByLabel('内部备注（仅客服可见）');
    await noteBox.fill(note);
    await noteBox.press('Control+Enter');
    const noteArticle = thread.getByRole('article').filter({ hasText: note });
    await noteArticle.waitFor();
    assert.match((await noteArticle.getAttribute('class')) ?? '', /message-internal/);
    await a.getByRole('button', { name: '回复', exact: true }).click();
    await a.getByRole('status').filter({ hasText: '内部备注已添加' }).waitFor();

    await a.screenshot({ path: path.join(o.screenshotDir, 'e2e-inbox.png') });

    // Esc goes back to the list
    await a.locator('body').click({ position: { x: 5, y: 5 } });
    await a.keyboard.press('Escape');
    await list.waitFor();
    assert.equal(new URL(a.url()).pathname, '/');
    assert.deepEqual(pageErrors, []);
  } finally {
    for (const c of contexts) await c.close().catch(() => undefined);
  }
}
