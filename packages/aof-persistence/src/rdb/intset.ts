import { int64leText, intle, u32le } from './bytes.js';

/**
 * Validates the intset in `b[start, end)` and returns its members as decimal
 * text, or undefined when broken: the width must be 2, 4 or 8 bytes, the
 * size exactly header + count * width, the count non-zero, and the members
 * strictly ascending (sorted, no duplicates).
 *
 * Layout: u32le width, u32le count, then count little-endian signed
 * integers of that width.
 */
export function parseIntset(b: Uint8Array, start: number, end: number): string[] | undefined {
  const size = end - start;
  if (size < 8) return undefined;
  const width = u32le(b, start);
  if (width !== 2 && width !== 4 && width !== 8) return undefined;
  const count = u32le(b, start + 4);
  if (8 + count * width !== size) return undefined;
  if (count === 0) return undefined; // Redis never writes an empty intset and refuses one
  const out = new Array<string>(count);
  let p = start + 8;
  if (width === 8) {
    let prevHi = 0;
    let prevLo = 0;
    for (let i = 0; i < count; i++, p += 8) {
      const lo = u32le(b, p);
      const hi = u32le(b, p + 4) | 0;
      if (i > 0 && (hi < prevHi || (hi === prevHi && lo <= prevLo))) return undefined;
      prevHi = hi;
      prevLo = lo;
      out[i] = int64leText(b, p);
    }
  } else {
    let prev = 0;
    for (let i = 0; i < count; i++, p += width) {
      const v = intle(b, p, width as 2 | 4);
      if (i > 0 && v <= prev) return undefined;
      prev = v;
      out[i] = String(v);
    }
  }
  return out;
}
