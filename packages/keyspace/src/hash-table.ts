/**
 * What aki's two chained hash tables share: the string store (keys of a
 * database) and Dict (fields and members of collections).
 */

/** Per-process seed, so clients cannot precompute keys or fields that collide in every server. */
const HASH_SEED = (Math.random() * 0x100000000) | 0;

/**
 * FNV-1a over the chars of a latin1 string (one byte each), seeded, with a
 * final avalanche so the low bits (the bucket index) depend on every byte.
 */
export function hashString(key: string): number {
  let h = 0x811c9dc5 ^ HASH_SEED;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h | 0;
}

/** Reverses the bits of a 32-bit unsigned value. */
export function reverseBits(v: number): number {
  v = ((v >>> 1) & 0x55555555) | ((v & 0x55555555) << 1);
  v = ((v >>> 2) & 0x33333333) | ((v & 0x33333333) << 2);
  v = ((v >>> 4) & 0x0f0f0f0f) | ((v & 0x0f0f0f0f) << 4);
  v = ((v >>> 8) & 0x00ff00ff) | ((v & 0x00ff00ff) << 8);
  return ((v >>> 16) | (v << 16)) >>> 0;
}

/**
 * The SCAN cursor after bucket `v` of a table of `mask + 1` buckets: Redis's
 * reverse-binary increment (it increments the reversed bits of the bucket
 * index), so buckets that a resize splits or merges between two calls are
 * still covered whatever the table's size at each call.
 */
export function nextScanCursor(v: number, mask: number): number {
  v = (v | ~mask) >>> 0;
  v = reverseBits(v);
  v = (v + 1) >>> 0;
  return reverseBits(v);
}
