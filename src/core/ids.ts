import { randomBytes } from 'node:crypto';

// UUID version 7: 48 bits of Unix milliseconds, then random bits. Sorts by creation time,
// which keeps primary-key indexes append-mostly and makes `id` a usable pagination tiebreak.
// Random bits come from a pool refilled 4 KiB at a time: one CSPRNG call per 256 ids
// instead of one per id (ids are made several times per created ticket).
const POOL_SIZE = 4096;
let pool = Buffer.alloc(0);
let poolAt = POOL_SIZE;
let lastMs = -1;
const last = Buffer.alloc(16);

/**
 * UUID version 7, monotonic within this process (RFC 9562, method 3): ids made in the same
 * millisecond (the rows of one insert) sort in the order they were made, by adding one to the
 * previous id's random bits, so "ORDER BY created_at, id" keeps insertion order.
 */
export function uuidv7(now: number = Date.now()): string {
  let b: Buffer;
  if (now === lastMs) {
    b = Buffer.from(last);
    // add one to bytes 9..15 (the low random bits), carrying leftwards; overflow is
    // astronomically unlikely (2^56 ids in one millisecond)
    for (let i = 15; i >= 9; i--) {
      b[i] = (b[i] + 1) & 0xff;
      if (b[i] !== 0) break;
    }
  } else {
    if (poolAt + 16 > pool.length) {
      pool = randomBytes(POOL_SIZE);
      poolAt = 0;
    }
    b = Buffer.from(pool.subarray(poolAt, poolAt + 16));
    poolAt += 16;
    // leave room to count up within this millisecond
    b[9] &= 0x7f;
    b[0] = Math.floor(now / 2 ** 40) & 0xff;
    b[1] = Math.floor(now / 2 ** 32) & 0xff;
    b[2] = Math.floor(now / 2 ** 24) & 0xff;
    b[3] = Math.floor(now / 2 ** 16) & 0xff;
    b[4] = Math.floor(now / 2 ** 8) & 0xff;
    b[5] = now & 0xff;
    b[6] = (b[6] & 0x0f) | 0x70;
    b[8] = (b[8] & 0x3f) | 0x80;
    lastMs = now;
  }
  b.copy(last);
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export function isUuid(s: string): boolean {
  return UUID_RE.test(s);
}

/** A random URL-safe secret (session ids, API tokens, CSRF tokens). */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}
