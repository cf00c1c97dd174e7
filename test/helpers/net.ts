/**
 * Loopback helpers for tests that start a real server process (Postfix, Dovecot): a free
 * port to configure it with, and waiting until it greets on that port.
 */
import net from 'node:net';

/** A port of 127.0.0.1 that was free a moment ago (the OS picks it; the probe socket is closed). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Whether something listens on the port and sends its greeting (SMTP 220, IMAP * OK). */
function greets(port: number, timeoutMs?: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('data', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
    if (timeoutMs !== undefined) {
      setTimeout(() => {
        s.destroy();
        resolve(false);
      }, timeoutMs);
    }
  });
}

/**
 * Polls every 100 ms until the port greets (true) or `ms` have passed (false). `probeTimeoutMs`
 * bounds one attempt; `check` runs before each attempt and may throw (a process that exited).
 */
export async function waitForGreeting(port: number, opts: { ms: number; probeTimeoutMs?: number; check?: () => void }): Promise<boolean> {
  const until = Date.now() + opts.ms;
  for (;;) {
    opts.check?.();
    if (await greets(port, opts.probeTimeoutMs)) return true;
    if (Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
}
