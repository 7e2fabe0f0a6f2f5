/** Byte-level helpers shared by the parser, the decoder and the writer. Internal. */

/** Buffer methods Node has on every Buffer but @types/node does not declare. */
interface FastBuffer extends Buffer {
  latin1Slice(start: number, end: number): string;
  latin1Write(s: string, offset: number, length: number): number;
}

/** A shared zero-length buffer. */
export const EMPTY_BUFFER: Buffer = Buffer.alloc(0);

export const CR = 13;
export const LF = 10;

const fcc = String.fromCharCode;

/**
 * `buf[start, end)` as a latin1 string (one char per byte). Short strings are
 * built with a fixed-arity String.fromCharCode, which measured about 4x faster
 * than a native slice call for 8 bytes or fewer; up to 12 bytes two such calls
 * still give a flat string (V8 only builds cons strings from 13 chars up).
 */
export function latin1(buf: Buffer, start: number, end: number): string {
  const n = end - start;
  if (n <= 8) return short(buf, start, n);
  if (n <= 12) return short(buf, start, 8) + short(buf, start + 8, n - 8);
  return (buf as FastBuffer).latin1Slice(start, end);
}

function short(b: Buffer, s: number, n: number): string {
  switch (n) {
    case 0:
      return '';
    case 1:
      return fcc(b[s]);
    case 2:
      return fcc(b[s], b[s + 1]);
    case 3:
      return fcc(b[s], b[s + 1], b[s + 2]);
    case 4:
      return fcc(b[s], b[s + 1], b[s + 2], b[s + 3]);
    case 5:
      return fcc(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4]);
    case 6:
      return fcc(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5]);
    case 7:
      return fcc(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6]);
    default:
      return fcc(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7]);
  }
}

/**
 * Writes the latin1 string `s` at `off` (each char's low byte). Short strings
 * use a plain loop (cheaper than the native call below ~16 chars).
 */
export function writeLatin1(buf: Buffer, off: number, s: string): void {
  const n = s.length;
  if (n <= 32) {
    for (let i = 0; i < n; i++) buf[off + i] = s.charCodeAt(i);
  } else {
    (buf as FastBuffer).latin1Write(s, off, n);
  }
}

const INT64_MAX_DIGITS = [57, 50, 50, 51, 51, 55, 50, 48, 51, 54, 56, 53, 52, 55, 55, 53, 56, 48, 55]; // "9223372036854775807"

/**
 * Parses `buf[start, end)` as a signed 64-bit decimal with Redis's `string2ll`
 * rules: an optional '-', then digits only; no '+', no spaces, no leading zeros
 * (the single "0" aside; "-0" is rejected), at most 20 characters, within the
 * int64 range. Returns NaN when the text is not such a number. Values beyond
 * 2^53 come back as the nearest double, which is only good for comparisons.
 */
export function parseStrictInteger(buf: Uint8Array, start: number, end: number): number {
  const len = end - start;
  if (len <= 0 || len > 20) return NaN;
  let i = start;
  let c = buf[i];
  let negative = false;
  if (c === 45) {
    negative = true;
    if (++i === end) return NaN;
    c = buf[i];
  }
  if (c === 48) return len === 1 ? 0 : NaN;
  if (c < 49 || c > 57) return NaN;
  const digits = end - i;
  if (digits > 19) return NaN;
  let v = 0;
  for (; i < end; i++) {
    c = buf[i];
    if (c < 48 || c > 57) return NaN;
    v = v * 10 + (c - 48);
  }
  if (digits === 19) {
    // Compare with the int64 bound digit by digit (same length: lexicographic = numeric).
    const first = end - 19;
    for (let k = 0; k < 19; k++) {
      const limit = k === 18 && negative ? 56 : INT64_MAX_DIGITS[k];
      const d = buf[first + k];
      if (d < limit) break;
      if (d > limit) return NaN;
    }
  }
  return negative ? -v : v;
}

/** Number of decimal digits of a non-negative safe integer. */
export function digitCount(v: number): number {
  if (v < 10) return 1;
  if (v < 100) return 2;
  if (v < 1000) return 3;
  if (v < 10000) return 4;
  if (v < 100000) return 5;
  if (v < 1000000) return 6;
  if (v < 10000000) return 7;
  if (v < 100000000) return 8;
  if (v < 1000000000) return 9;
  let n = 10;
  let p = 1e10;
  while (v >= p) {
    n++;
    p *= 10;
  }
  return n;
}

/** Writes the non-negative safe integer `v` as `nd` decimal digits ending just before `off + nd`. */
export function writeDigits(buf: Buffer, off: number, v: number, nd: number): void {
  let p = off + nd - 1;
  if (v <= 0x7fffffff) {
    while (v >= 10) {
      const q = (v / 10) | 0;
      buf[p--] = 48 + (v - q * 10);
      v = q;
    }
    buf[p] = 48 + v;
    return;
  }
  while (v >= 10) {
    const q = Math.floor(v / 10);
    buf[p--] = 48 + (v - q * 10);
    v = q;
  }
  buf[p] = 48 + v;
}

/**
 * Makes room for `n` more bytes after the pending bytes `store[pos, end)`:
 * compacts them to the front when that is enough, otherwise moves them into
 * a larger buffer (doubling, but capped at `sizeHint`, the size of the token
 * being assembled, when that suffices, so a large bulk ends up in an exactly
 * sized buffer and total copying stays linear). Returns the buffer to append
 * to; the pending bytes now start at 0 in it.
 */
export function makeRoom(store: Buffer, pos: number, end: number, n: number, sizeHint: number): Buffer {
  const pending = end - pos;
  const needed = pending + n;
  if (needed <= store.length) {
    store.copyWithin(0, pos, end);
    return store;
  }
  let capacity = Math.max(needed, store.length * 2, 256);
  if (sizeHint >= needed && capacity > sizeHint) capacity = sizeHint;
  const grown = Buffer.allocUnsafeSlow(capacity);
  store.copy(grown, 0, pos, end);
  return grown;
}
