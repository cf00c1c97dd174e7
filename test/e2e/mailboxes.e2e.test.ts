/**
 * The IMAP mailbox admin page in real Chromium: an admin adds a mailbox (the page's own
 * check and then the API's refusal land at their fields), tests the connection (a closed
 * port: the reason is shown), saves; the row shows store, SMTP address, server and status;
 * a failed poll shows its error; editing keeps the write-only password (and wants it again
 * for another port); delete asks first.
 * An agent has no such page. Screenshots: test-results/e2e-mailboxes-form.png,
 * e2e-mailboxes-list.png.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { freePort } from '../helpers/net.ts';
import { bearer, startTestServer, type TestServer } from '../helpers/server.ts';
import { ensureWebBuilt } from '../../src/cli/web-build.ts';
import { createStore } from '../../src/helpdesk/stores.ts';
import { upsertUser } from '../../src/people/users.ts';
import { chromiumMissing, launchChromium, openAsUser, resultsDir } from './support.ts';

const skipReason = chromiumMissing();
if (skipReason) console.warn(`[e2e] mailboxes test skipped: ${skipReason}`);

const PASSWORD = 'mailbox-admin-pass-1';
const IMAP_PASSWORD = 'imap-s3cret-Pw!';

interface MailboxJson {
  id: string;
  name: string;
  storeId: string | null;
  host: string;
  port: number;
  folder: string;
  pollSeconds: number;
}

describe.skipIf(skipReason !== null)('IMAP mailboxes in the browser', () => {
  let server: TestServer | undefined;
  let browser: Browser | undefined;
  let token = '';
  let storeId = '';

  beforeAll(async () => {
    fs.mkdirSync(resultsDir, { recursive: true });
    await ensureWebBuilt();
    server = await startTestServer({ listen: true });
    await upsertUser(server.db.db, { email: 'mail-admin@test.example', role: 'admin', name: 'Mia Admin', password: PASSWORD });
    await upsertUser(server.db.db, { email: 'mail-agent@test.example', role: 'agent', name: 'Ari Agent', password: PASSWORD });
    token = (await server.tokenFor('admin', 'mail-api@test.example')).token;
    storeId = (await createStore(server.db.db, { name: 'Berlin Lights', supportEmail: 'hilfe@berlin-lights.example', market: 'DE', timezone: 'Europe/Berlin' })).id;
    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const open = (email: string) => openAsUser(browser!, server!.url, email, { password: PASSWORD });

  const list = async (): Promise<MailboxJson[]> => ((await (await fetch(`${server!.url}/api/v1/mailboxes`, { headers: bearer(token) })).json()) as { items: MailboxJson[] }).items;

  it('admin: add (errors at their fields, test connection), see the row, edit, delete', async () => {
    if (!server || !browser) throw new Error('set-up failed');
    const { page, errors, close } = await open('mail-admin@test.example');
    await page.getByRole('link', { name: 'Mailboxes' }).click();
    await page.getByRole('heading', { name: 'IMAP mailboxes' }).waitFor();
    await page.getByText('No mailboxes yet', { exact: false }).waitFor();

    await page.getByRole('button', { name: 'Add mailbox' }).click();
    const form = page.locator('form.mailbox-form');
    await form.getByRole('heading', { name: 'New mailbox' }).waitFor();
    const host = form.getByLabel('IMAP server', { exact: true });
    const port = form.getByLabel('Port', { exact: true });
    const password = form.getByLabel('Password', { exact: true });

    // the page's own checks: a port out of range, no password
    await host.fill('imap_berlin.example');
    await port.fill('99999');
    await form.getByLabel('Encryption').selectOption('none');
    await form.getByLabel('User name').fill('hilfe@berlin-lights.example');
    await form.getByLabel('Store', { exact: true }).selectOption(storeId);
    await form.getByRole('button', { name: 'Add', exact: true }).click();
    await form.getByText('A port from 1 to 65535').waitFor();
    expect(await port.getAttribute('aria-invalid')).toBe('true');
    expect(await password.getAttribute('aria-invalid')).toBe('true');
    await page.locator('.toast-error', { hasText: 'Not saved: check the fields marked in red' }).waitFor();
    expect(await list()).toEqual([]);

    // the API's check: the host name is refused, and its message lands at the host field
    const closed = await freePort(); // free a moment ago: nothing listens there
    await port.fill(String(closed));
    await password.fill(IMAP_PASSWORD);
    await form.getByRole('button', { name: 'Add', exact: true }).click();
    await form.getByText('host "imap_berlin.example" is not a host name or IP address').waitFor();
    expect(await host.getAttribute('aria-invalid')).toBe('true');
    expect(await port.getAttribute('aria-invalid')).toBeNull();
    expect(await list()).toEqual([]);

    // test connection before saving: nothing listens on that port
    await host.fill('127.0.0.1');
    await form.getByRole('button', { name: 'Test connection' }).click();
    const result = form.getByTestId('mailbox-test-result');
    await result.waitFor();
    expect(await result.innerText()).toBe(`Connection failed: cannot connect to 127.0.0.1:${closed}: connection refused (is the IMAP server running, and the port right?)`);
    expect(await list()).toEqual([]);
    await page.screenshot({ path: path.join(resultsDir, 'e2e-mailboxes-form.png') });

    await form.getByLabel('Display name').fill('Berlin support');
    await form.getByRole('button', { name: 'Add', exact: true }).click();
    await page.locator('.toast-success', { hasText: 'Mailbox Berlin support added' }).waitFor();
    await form.waitFor({ state: 'detached' });
    const [created] = await list();
    expect(created).toMatchObject({ name: 'Berlin support', storeId, host: '127.0.0.1', port: closed, folder: 'INBOX', pollSeconds: 60 });

    // the row: store, the store's SMTP address, server, status
    const row = page.locator('tr[data-mailbox="Berlin support"]');
    await row.waitFor();
    const rowText = await row.innerText();
    expect(rowText).toContain('Berlin Lights');
    expect(rowText).toContain('hilfe@berlin-lights.example');
    expect(rowText).toContain(`127.0.0.1:${closed} · None (local servers only)`);
    expect(await row.getByTestId('mailbox-status').innerText()).toBe('Waiting for a poller');
    // the password is never shown back
    expect(await page.content()).not.toContain(IMAP_PASSWORD);

    // a poller's failure shows on the row (as the poller writes it)
    await server.db.db
      .updateTable('email_mailboxes')
      .set({ status: 'error', last_error: `cannot connect to 127.0.0.1:${closed}: connection refused`, last_error_at: new Date(), failures: 3 })
      .where('id', '=', created!.id)
      .execute();
    await page.reload();
    await row.getByTestId('mailbox-error').waitFor();
    expect(await row.getByTestId('mailbox-status').innerText()).toBe('Error');
    expect(await row.innerText()).toContain('3 failures in a row');
    await page.screenshot({ path: path.join(resultsDir, 'e2e-mailboxes-list.png') });

    // edit: the password field is empty, a bad interval is refused at its field, then saved
    const before = await server.db.db.selectFrom('email_mailboxes').select('password_enc').where('id', '=', created!.id).executeTakeFirstOrThrow();
    await page.getByRole('button', { name: 'Edit Berlin support' }).click();
    await form.getByRole('heading', { name: 'Edit Berlin support' }).waitFor();
    expect(await form.getByLabel('Password', { exact: true }).inputValue()).toBe('');
    await form.getByLabel('Folder', { exact: true }).fill('Support');
    // another port without the password: the stored password is not sent there
    const editPort = form.getByLabel('Port', { exact: true });
    await editPort.fill(String(closed === 65535 ? closed - 1 : closed + 1));
    await form.getByRole('button', { name: 'Save' }).click();
    await form.getByText('Type the password again', { exact: false }).waitFor();
    expect(await form.getByLabel('Password', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    await editPort.fill(String(closed));
    const poll = form.getByLabel('Poll every (seconds)');
    await poll.fill('3');
    await form.getByRole('button', { name: 'Save' }).click();
    await form.getByText('A whole number from 5 to 86,400').waitFor();
    expect(await poll.getAttribute('aria-invalid')).toBe('true');
    await poll.fill('120');
    await form.getByRole('button', { name: 'Save' }).click();
    await page.locator('.toast-success', { hasText: 'Mailbox Berlin support saved' }).waitFor();
    const [edited] = await list();
    expect(edited).toMatchObject({ folder: 'Support', pollSeconds: 120, port: closed });
    const after = await server.db.db.selectFrom('email_mailboxes').select(['password_enc', 'status', 'last_error']).where('id', '=', created!.id).executeTakeFirstOrThrow();
    expect(after.password_enc).toBe(before.password_enc);
    // a change clears the error: the poller tries again at once
    expect(after).toMatchObject({ status: 'new', last_error: null });
    await row.getByTestId('mailbox-status').getByText('Waiting for a poller').waitFor();

    // delete asks first; "Cancel" keeps it, "Confirm" removes it
    await page.getByRole('button', { name: 'Delete Berlin support' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('Delete the mailbox Berlin support?', { exact: false }).waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect(await list()).toHaveLength(1);
    await page.getByRole('button', { name: 'Delete Berlin support' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
    await page.locator('.toast-success', { hasText: 'Mailbox Berlin support deleted' }).waitFor();
    await page.getByText('No mailboxes yet', { exact: false }).waitFor();
    expect(await list()).toEqual([]);

    // the page in Chinese
    await page.getByLabel('Interface language').selectOption('zh-CN');
    await page.getByRole('heading', { name: 'IMAP 邮箱' }).waitFor();
    await page.getByRole('button', { name: '添加邮箱' }).waitFor();
    await page.getByLabel('界面语言').selectOption('en');

    expect(errors).toEqual([]);
    await close();
  }, 120_000);

  it('agent: no mailboxes link, and the address shows the inbox instead', async () => {
    if (!server || !browser) throw new Error('set-up failed');
    const { page, errors, close } = await open('mail-agent@test.example');
    expect(await page.getByRole('link', { name: 'Mailboxes' }).count()).toBe(0);
    await page.goto(`${server.url}/#/admin/mailboxes`);
    await page.getByRole('navigation', { name: 'Views' }).waitFor();
    expect(await page.getByRole('heading', { name: 'IMAP mailboxes' }).count()).toBe(0);
    expect(errors).toEqual([]);
    await close();
  }, 60_000);
});
