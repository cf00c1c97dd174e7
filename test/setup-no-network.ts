/**
 * Tests fail on any unexpected network call: only loopback addresses may be reached
 * (our own servers, PostgreSQL, Redis, the browser under test).
 */
import net from 'node:net';

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost', '::ffff:127.0.0.1', '0.0.0.0', '']);

function allowed(host: unknown): boolean {
  if (host === undefined || host === null) return true;
  const h = String(host).replace(/^\[|\]$/g, '');
  return LOOPBACK.has(h) || h.startsWith('127.');
}

const originalConnect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function patchedConnect(this: net.Socket, ...args: unknown[]) {
  const first = args[0];
  let host: unknown;
  if (typeof first === 'object' && first !== null && !Array.isArray(first)) {
    const o = first as { host?: unknown; path?: unknown };
    if (o.path !== undefined) return (originalConnect as (...a: unknown[]) => net.Socket).apply(this, args);
    host = o.host;
  } else if (typeof first === 'number') {
    host = typeof args[1] === 'string' ? args[1] : undefined;
  } else if (typeof first === 'string' && !/^\d+$/.test(first)) {
    // a unix socket path
    return (originalConnect as (...a: unknown[]) => net.Socket).apply(this, args);
  }
  if (!allowed(host)) {
    throw new Error(`Unexpected network call to ${String(host)} in a test (only loopback is allowed)`);
  }
  return (originalConnect as (...a: unknown[]) => net.Socket).apply(this, args);
} as typeof net.Socket.prototype.connect;

const originalFetch = globalThis.fetch;
globalThis.fetch = (async (input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) => {
  const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
  if (!allowed(url.hostname)) throw new Error(`Unexpected network call to ${url.hostname} in a test (only loopback is allowed)`);
  return originalFetch(input, init);
}) as typeof fetch;
