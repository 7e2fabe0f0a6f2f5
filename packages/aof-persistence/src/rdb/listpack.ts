import { int64leText, intle, latin1, u16le, u32le } from './bytes.js';

/** Bytes of a listpack's header (u32le total bytes, u16le count). */
const HEADER_BYTES = 6;
const END = 0xff;
/** The count field's "too many to count" value. */
const UNKNOWN_COUNT = 0xffff;

/**
 * Validates the listpack (Redis 7's compact encoding) in `b[start, end)`
 * and returns its entries as latin1 strings (integers as decimal text), or
 * undefined when the structure is broken: the header's byte count must be
 * the blob's size, every entry's encoding valid and inside the blob, every
 * back-length equal to its entry's size, the end marker last, and the count
 * (unless 65535, "unknown") right.
 *
 * Entry: encoding + data, then the back-length (the size of encoding + data
 * in 1..5 bytes, 7 bits per byte, read from the right; every byte but the
 * leftmost has its top bit set). Encodings: 0xxxxxxx a 7-bit unsigned
 * integer; 10xxxxxx a string of up to 63 bytes; 110xxxxx + 1 byte a 13-bit
 * signed integer; 1110xxxx + 1 byte a string of up to 4095 bytes; 0xF0 +
 * u32le a longer string; 0xF1..0xF4 16/24/32/64-bit little-endian signed
 * integers.
 */
export function parseListpack(b: Uint8Array, start: number, end: number): string[] | undefined {
  const size = end - start;
  if (size < HEADER_BYTES + 1) return undefined;
  if (u32le(b, start) !== size) return undefined;
  const declared = u16le(b, start + 4);
  const last = end - 1;
  if (b[last] !== END) return undefined;
  const out: string[] = [];
  let p = start + HEADER_BYTES;
  while (p < last) {
    const enc = b[p];
    let entrySize: number;
    let value: string;
    if (enc < 0x80) {
      entrySize = 1;
      value = String(enc);
    } else if (enc < 0xc0) {
      const len = enc & 0x3f;
      entrySize = 1 + len;
      if (entrySize > last - p) return undefined;
      value = latin1(b, p + 1, p + entrySize);
    } else if (enc < 0xe0) {
      entrySize = 2;
      if (entrySize > last - p) return undefined;
      const raw = ((enc & 0x1f) << 8) | b[p + 1];
      value = String(raw >= 4096 ? raw - 8192 : raw);
    } else if (enc < 0xf0) {
      if (2 > last - p) return undefined;
      const len = ((enc & 0x0f) << 8) | b[p + 1];
      entrySize = 2 + len;
      if (entrySize > last - p) return undefined;
      value = latin1(b, p + 2, p + entrySize);
    } else if (enc === 0xf0) {
      if (5 > last - p) return undefined;
      const len = u32le(b, p + 1);
      if (len > last - p - 5) return undefined;
      entrySize = 5 + len;
      value = latin1(b, p + 5, p + entrySize);
    } else if (enc >= 0xf1 && enc <= 0xf4) {
      const width = enc === 0xf1 ? 2 : enc === 0xf2 ? 3 : enc === 0xf3 ? 4 : 8;
      entrySize = 1 + width;
      if (entrySize > last - p) return undefined;
      value = width === 8 ? int64leText(b, p + 1) : String(intle(b, p + 1, width as 2 | 3 | 4));
    } else {
      return undefined; // 0xF5..0xFE are unused; 0xFF is the end marker
    }
    const backBytes = backlenBytes(entrySize);
    if (backBytes > last - p - entrySize) return undefined;
    p += entrySize + backBytes;
    if (decodeBacklen(b, p - 1, backBytes) !== entrySize) return undefined;
    out.push(value);
  }
  if (p !== last) return undefined;
  if (declared !== UNKNOWN_COUNT && declared !== out.length) return undefined;
  return out;
}

/** How many bytes the back-length of an entry of `size` bytes takes. */
export function backlenBytes(size: number): number {
  return size <= 127 ? 1 : size < 16383 ? 2 : size < 2097151 ? 3 : size < 268435455 ? 4 : 5;
}

/**
 * Reads a back-length ending at `b[at]` (reading leftwards, at most
 * `maxBytes` bytes); -1 when it runs longer than that.
 */
function decodeBacklen(b: Uint8Array, at: number, maxBytes: number): number {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < maxBytes; i++) {
    const byte = b[at - i];
    value += (byte & 127) * scale;
    if ((byte & 128) === 0) return value;
    scale *= 128;
  }
  return -1;
}
