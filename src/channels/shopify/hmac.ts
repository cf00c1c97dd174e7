/**
 * Shopify signs each webhook: base64 HMAC-SHA256 of the raw request body, keyed with the
 * store's webhook secret, in `X-Shopify-Hmac-Sha256`. Checked in constant time against each
 * secret still valid (the current one, and the previous one during a rotation).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export function shopifyHmac(secret: string, body: Uint8Array | string): string {
  return createHmac('sha256', secret).update(body).digest('base64');
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** True when `header` is the signature of `body` under one of `secrets`. */
export function verifyShopifyHmac(header: string | undefined, body: Uint8Array, secrets: readonly string[]): boolean {
  if (!header || !BASE64.test(header.trim())) return false;
  const given = Buffer.from(header.trim(), 'base64');
  let ok = false;
  for (const secret of secrets) {
    const expected = createHmac('sha256', secret).update(body).digest();
    // every secret is tried (no early exit): the time taken does not tell which one matched
    if (given.length === expected.length && timingSafeEqual(given, expected)) ok = true;
  }
  return ok;
}
