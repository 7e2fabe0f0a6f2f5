import { int64leText, intle, latin1, u16le, u32be, u32le } from './bytes.js';

/** Bytes of a ziplist's header (total bytes, tail offset, entry count) and its end marker. */
const HEADER_BYTES = 10;
const END = 0xff;
/** A prevlen first byte of 254 means "four more bytes follow"; 255 is the end marker. */
const BIG_PREVLEN = 254;
/** The entry count field's "too many to count" value. */
const UNKNOWN_COUNT = 0xffff;

/**
 * Validates the ziplist (the pre-7.0 compact encoding) in `b[start, end)`
 * and returns its entries as latin1 strings (integers as decimal text), or
 * undefined when the structure is broken: the header's byte count must be
 * the blob's size, the tail offset must point at the last entry, every
 * entry's prevlen must equal the previous entry's size, every encoding must
 * be valid and every entry inside the blob, the end marker must close it,
 * and the count (unless 65535, "unknown") must match.
 *
 * Layout: u32le total bytes, u32le tail offset, u16le count, entries, 0xFF.
 * Entry: prevlen (1 byte < 254, or 254 + u32le), encoding, data.
 * Encodings: 00xxxxxx (6-bit string length), 01xxxxxx + 1 byte (14-bit,
 * big-endian), 10______ + u32be, 0xC0 int16, 0xD0 int32, 0xE0 int64, 0xF0
 * int24, 0xFE int8 (little-endian, signed), 0xF1..0xFD the values 0..12.
 */
export function parseZiplist(b: Uint8Array, start: number, end: number): string[] | undefined {
  const size = end - start;
  if (size < HEADER_BYTES + 1) return undefined;
  if (u32le(b, start) !== size) return undefined;
  const tail = u32le(b, start + 4);
  const declared = u16le(b, start + 8);
  const last = end - 1;
  if (b[last] !== END) return undefined;
  const out: string[] = [];
  let p = start + HEADER_BYTES;
  let previousSize = 0;
  let lastEntry = -1;
  while (p < last) {
    const entry = p;
    const first = b[p];
    let prevlen: number;
    if (first < BIG_PREVLEN) {
      prevlen = first;
      p += 1;
    } else if (first === BIG_PREVLEN) {
      if (p + 5 > last) return undefined;
      prevlen = u32le(b, p + 1);
      p += 5;
    } else {
      return undefined; // an end marker before the end
    }
    if (prevlen !== previousSize || p >= last) return undefined;
    const enc = b[p];
    let value: string;
    switch (enc >>> 6) {
      case 0:
      case 1:
      case 2: {
        let len: number;
        if (enc < 0x40) {
          len = enc;
          p += 1;
        } else if (enc < 0x80) {
          if (p + 2 > last) return undefined;
          len = ((enc & 0x3f) << 8) | b[p + 1];
          p += 2;
        } else {
          if (p + 5 > last) return undefined;
          len = u32be(b, p + 1);
          p += 5;
        }
        if (len > last - p) return undefined;
        value = latin1(b, p, p + len);
        p += len;
        break;
      }
      default: {
        p += 1;
        let width: number;
        if (enc === 0xc0) width = 2;
        else if (enc === 0xd0) width = 4;
        else if (enc === 0xe0) width = 8;
        else if (enc === 0xf0) width = 3;
        else if (enc === 0xfe) width = 1;
        else if (enc >= 0xf1 && enc <= 0xfd) width = 0;
        else return undefined;
        if (width > last - p) return undefined;
        if (width === 0) value = String((enc & 0x0f) - 1);
        else if (width === 8) value = int64leText(b, p);
        else value = String(intle(b, p, width as 1 | 2 | 3 | 4));
        p += width;
      }
    }
    previousSize = p - entry;
    lastEntry = entry - start;
    out.push(value);
  }
  if (p !== last) return undefined;
  if (tail !== (out.length === 0 ? HEADER_BYTES : lastEntry)) return undefined;
  if (declared !== UNKNOWN_COUNT && declared !== out.length) return undefined;
  return out;
}
