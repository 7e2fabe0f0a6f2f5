import { latin1, u32le } from './bytes.js';

/** A length byte of 254 means "four more bytes follow" (u32le); 255 ends the map. */
const BIG_LEN = 254;
const END = 0xff;

/**
 * Validates the zipmap (the Redis 2.x small-hash encoding) in `b[start, end)`
 * and returns field, value, field, value, ... as latin1 strings, or
 * undefined when broken: every length and entry inside the blob, the end
 * marker last, at least one entry, and the count byte (when below 254)
 * equal to the entries.
 *
 * Layout: a count byte, then per entry <len>field<len><free>value<free
 * unused bytes>, then 0xFF. A length is one byte below 254, or 254 + u32le.
 */
export function parseZipmap(b: Uint8Array, start: number, end: number): string[] | undefined {
  if (end - start < 2) return undefined;
  const declared = b[start];
  const out: string[] = [];
  let p = start + 1;
  for (;;) {
    if (p >= end) return undefined;
    if (b[p] === END) {
      p++;
      break;
    }
    const field = readLength(b, p, end);
    if (field < 0) return undefined;
    p += b[p] === BIG_LEN ? 5 : 1;
    if (field > end - p) return undefined;
    out.push(latin1(b, p, p + field));
    p += field;
    if (p >= end || b[p] === END) return undefined;
    const value = readLength(b, p, end);
    if (value < 0) return undefined;
    p += b[p] === BIG_LEN ? 5 : 1;
    if (p >= end) return undefined;
    const free = b[p++];
    if (value + free > end - p) return undefined;
    out.push(latin1(b, p, p + value));
    p += value + free;
  }
  if (p !== end || out.length === 0) return undefined; // Redis refuses an empty zipmap too
  if (declared < BIG_LEN && declared !== out.length / 2) return undefined;
  return out;
}

/** The length whose first byte is at `b[p]`, or -1 when it does not fit before `end`. */
function readLength(b: Uint8Array, p: number, end: number): number {
  const first = b[p];
  if (first < BIG_LEN) return first;
  if (first !== BIG_LEN || p + 5 > end) return -1;
  return u32le(b, p + 1);
}
