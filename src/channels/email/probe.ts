/**
 * "Test connection" of an IMAP mailbox: connect, sign in and look at the folder once, then
 * log out. Nothing is fetched, flagged or written; the saved mailbox and its poller are left
 * alone. A failure is an answer (ok: false with the same words the poller would write on
 * the mailbox), not an error of the request.
 */
import { ImapFlow } from 'imapflow';
import type { MailboxTls } from '../../db/types.ts';
import { describeImapError } from './imap.ts';

export interface ProbeTarget {
  host: string;
  port: number;
  tls: MailboxTls;
  tlsVerify: boolean;
  username: string;
  password: string;
  folder: string;
}

export interface ProbeResult {
  ok: boolean;
  /** What went wrong, in words an admin can act on; null when it worked. */
  message: string | null;
  /** Whether the server offers IDLE (null when the test did not get that far). */
  idle: boolean | null;
  /** Messages in the folder, and of those unseen (null when not known). */
  messages: number | null;
  unseen: number | null;
  durationMs: number;
}

export const PROBE_TIMEOUT_MS = 10_000;

export async function probeMailbox(target: ProbeTarget, opts: { timeoutMs?: number } = {}): Promise<ProbeResult> {
  const started = Date.now();
  const timeoutMs = opts.timeoutMs ?? PROBE_TIMEOUT_MS;
  const client = new ImapFlow({
    host: target.host,
    port: target.port,
    secure: target.tls === 'tls',
    doSTARTTLS: target.tls === 'starttls' ? true : target.tls === 'none' ? false : undefined,
    tls: { rejectUnauthorized: target.tlsVerify },
    auth: { user: target.username, pass: target.password },
    logger: false,
    disableAutoIdle: true,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    clientInfo: { name: 'crossdesk' },
  });
  // socket errors after a failed step come here too: never an unhandled 'error' event
  client.on('error', () => undefined);
  let idle: boolean | null = null;
  const deadline = new Promise<never>((_, reject) => {
    const t = setTimeout(() => reject(Object.assign(new Error(`no answer in ${Math.round(timeoutMs / 1000)} s`), { code: 'ETIMEDOUT' })), timeoutMs + 1000);
    t.unref();
  });
  try {
    const status = await Promise.race([
      (async () => {
        await client.connect();
        idle = client.capabilities.has('IDLE');
        const s = await client.status(target.folder, { messages: true, unseen: true });
        if (!s) throw Object.assign(new Error(`folder "${target.folder}" does not exist`), { serverResponseCode: 'NONEXISTENT' });
        return s;
      })(),
      deadline,
    ]);
    return { ok: true, message: null, idle, messages: status.messages ?? null, unseen: status.unseen ?? null, durationMs: Date.now() - started };
  } catch (e) {
    return { ok: false, message: describeImapError(e, target), idle, messages: null, unseen: null, durationMs: Date.now() - started };
  } finally {
    await Promise.race([client.logout().catch(() => undefined), new Promise((r) => setTimeout(r, 1000).unref())]);
    client.close();
  }
}
