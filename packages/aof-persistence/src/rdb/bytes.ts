/** Byte helpers shared by the RDB decoder and encoder. Internal. */

/** Buffer methods every Node Buffer has but @types/node does not declare. */
interface FastBuffer extends Buffer {
  latin1Slice(start: number, end: number): string;
  latin1Write(s: string, offset: number, length: number): number;
}

const fcc = String.fromCharCode;

/**
 * `buf[start, end)` as a latin1 string (one char per byte). Up to 8 bytes
 * a fixed-arity String.fromCharCode beats the native slice call.
 */
export function latin1(buf: Uint8Array, start: number, end: number): string {
  const n = end - start;
  const b = buf;
  switch (n) {
    case 0:
      return '';
    case 1:
      return fcc(b[start]);
    case 2:
      return fcc(b[start], b[start + 1]);
    case 3:
      return fcc(b[start], b[start + 1], b[start + 2]);
    case 4:
      return fcc(b[start], b[start + 1], b[start + 2], b[start + 3]);
    case 5:
      return fcc(b[start], b[start + 1], b[start + 2], b[start + 3], b[start + 4]);
    case 6:
      return fcc(b[start], b[start + 1], b[start + 2], b[start + 3], b[start + 4], b[start + 5]);
    case 7:
      return fcc(b[start], b[start + 1], b[start + 2], b[start + 3], b[start + 4], b[start + 5], b[start + 6]);
    case 8:
      return fcc(b[start], b[start + 1], b[start + 2], b[start + 3], b[start + 4], b[start + 5], b[start + 6], b[start + 7]);
    default:
      if (Buffer.isBuffer(buf)) return (buf as FastBuffer).latin1Slice(start, end);
      return Buffer.from(buf.buffer, buf.byteOffset + start, n).toString('latin1');
  }
}

/**
 * Writes the latin1 string `s` at `buf[at]` (each char's low byte). Short
 * strings use a plain loop, cheaper than the native call.
 */
export function writeLatin1(buf: Buffer, at: number, s: string): void {
  const n = s.length;
  if (n <= 24) {
    for (let i = 0; i < n; i++) buf[at + i] = s.charCodeAt(i);
  } else {
    (buf as FastBuffer).latin1Write(s, at, n);
  }
}

/** Little-endian unsigned 16/32-bit reads (no bounds checks: callers check). */
export function u16le(b: Uint8Array, at: number): number {
  return b[at] | (b[at + 1] << 8);
}

export function u32le(b: Uint8Array, at: number): number {
  return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
}

export function u32be(b: Uint8Array, at: number): number {
  return ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
}

/** Signed little-endian integers of 1, 2, 3 or 4 bytes, as a number. */
export function intle(b: Uint8Array, at: number, size: 1 | 2 | 3 | 4): number {
  switch (size) {
    case 1:
      return (b[at] << 24) >> 24;
    case 2:
      return ((b[at] | (b[at + 1] << 8)) << 16) >> 16;
    case 3:
      return ((b[at] | (b[at + 1] << 8) | (b[at + 2] << 16)) << 8) >> 8;
    default:
      return b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24);
  }
}

const TWO_32 = 4294967296;

/** The decimal text of the signed 64-bit little-endian integer at `b[at, at + 8)`. */
export function int64leText(b: Uint8Array, at: number): string {
  const lo = u32le(b, at);
  const hi = u32le(b, at + 4) | 0;
  // |value| < 2^53 when hi is within 21 bits either side of zero.
  if (hi >= -0x200000 && hi < 0x200000) return String(hi * TWO_32 + lo);
  return ((BigInt(hi) << 32n) | BigInt(lo)).toString();
}

/** The signed 64-bit little-endian integer at `b[at, at + 8)` as the nearest double (expiry times). */
export function int64leNumber(b: Uint8Array, at: number): number {
  return (u32le(b, at + 4) | 0) * TWO_32 + u32le(b, at);
}

/** The little-endian IEEE double at `b[at, at + 8)`. */
export function doublele(b: Uint8Array, at: number): number {
  scratchBytes[0] = b[at];
  scratchBytes[1] = b[at + 1];
  scratchBytes[2] = b[at + 2];
  scratchBytes[3] = b[at + 3];
  scratchBytes[4] = b[at + 4];
  scratchBytes[5] = b[at + 5];
  scratchBytes[6] = b[at + 6];
  scratchBytes[7] = b[at + 7];
  return scratchView.getFloat64(0, true);
}

const scratchBytes = new Uint8Array(8);
const scratchView = new DataView(scratchBytes.buffer);
