/**
 * CRC-64/Jones, the checksum Redis stores after an RDB's EOF opcode:
 * polynomial 0xad93d23594c935a9 processed reflected (LSB first), initial
 * value 0, no final xor; crc64("123456789") = 0xe9c6d914c4b8d9ca. Stored in
 * the file little-endian; eight zero bytes there mean "not checked".
 *
 * The state is two unsigned 32-bit halves so the inner loop stays in small
 * integers (no BigInt). It is table-driven, eight bytes per step
 * ("slicing-by-8": table k holds the CRC of a byte followed by k zero
 * bytes), reading aligned 32-bit words on little-endian hosts. Measured on
 * 64 MiB: about 300 MB/s byte at a time, 540 MB/s sliced with bytes
 * assembled by shifts, 750 MB/s sliced with word loads.
 */
import { endianness } from 'node:os';

/** Below this many bytes the word path's view allocation does not pay off. */
const WORD_PATH_MIN_BYTES = 256;
/** Word loads read the host's byte order; the shift path serves big-endian hosts. */
const LITTLE_ENDIAN_HOST = endianness() === 'LE';

/** The reflected polynomial's halves. */
const POLY_HI = 0x95ac9329;
const POLY_LO = 0xac4bc9b5;

/** TABLES_LO[k * 256 + i] / TABLES_HI[...]: the CRC of byte i followed by k zero bytes (k = 0..7). */
const TABLES_LO = new Uint32Array(8 * 256);
const TABLES_HI = new Uint32Array(8 * 256);

(function buildTables(): void {
  for (let i = 0; i < 256; i++) {
    let lo = i;
    let hi = 0;
    for (let bit = 0; bit < 8; bit++) {
      const carry = lo & 1;
      lo = ((lo >>> 1) | (hi << 31)) >>> 0;
      hi >>>= 1;
      if (carry) {
        lo = (lo ^ POLY_LO) >>> 0;
        hi = (hi ^ POLY_HI) >>> 0;
      }
    }
    TABLES_LO[i] = lo;
    TABLES_HI[i] = hi;
  }
  for (let k = 1; k < 8; k++) {
    for (let i = 0; i < 256; i++) {
      const prevLo = TABLES_LO[(k - 1) * 256 + i];
      const prevHi = TABLES_HI[(k - 1) * 256 + i];
      const t = prevLo & 0xff;
      TABLES_LO[k * 256 + i] = (TABLES_LO[t] ^ ((prevLo >>> 8) | (prevHi << 24))) >>> 0;
      TABLES_HI[k * 256 + i] = (TABLES_HI[t] ^ (prevHi >>> 8)) >>> 0;
    }
  }
})();

/** A running CRC-64/Jones. */
export class Crc64 {
  /** Low and high 32 bits of the current value. */
  lo = 0;
  hi = 0;

  /** Folds `bytes[start, end)` into the checksum. */
  update(bytes: Uint8Array, start = 0, end = bytes.length): this {
    let lo = this.lo;
    let hi = this.hi;
    let i = start;
    if (LITTLE_ENDIAN_HOST && end - start >= WORD_PATH_MIN_BYTES) {
      // Bytes up to a 4-byte boundary, then aligned 32-bit loads.
      for (; ((bytes.byteOffset + i) & 3) !== 0; i++) {
        const t = (lo ^ bytes[i]) & 0xff;
        lo = TABLES_LO[t] ^ ((lo >>> 8) | (hi << 24));
        hi = TABLES_HI[t] ^ (hi >>> 8);
      }
      const pairs = (end - i) >>> 3;
      const words = new Uint32Array(bytes.buffer, bytes.byteOffset + i, pairs * 2);
      const T_LO = TABLES_LO;
      const T_HI = TABLES_HI;
      for (let j = 0, n = pairs * 2; j < n; j += 2) {
        const a = lo ^ words[j];
        const b = hi ^ words[j + 1];
        const i7 = 1792 + (a & 0xff);
        const i6 = 1536 + ((a >>> 8) & 0xff);
        const i5 = 1280 + ((a >>> 16) & 0xff);
        const i4 = 1024 + (a >>> 24);
        const i3 = 768 + (b & 0xff);
        const i2 = 512 + ((b >>> 8) & 0xff);
        const i1 = 256 + ((b >>> 16) & 0xff);
        const i0 = b >>> 24;
        lo = T_LO[i7] ^ T_LO[i6] ^ T_LO[i5] ^ T_LO[i4] ^ T_LO[i3] ^ T_LO[i2] ^ T_LO[i1] ^ T_LO[i0];
        hi = T_HI[i7] ^ T_HI[i6] ^ T_HI[i5] ^ T_HI[i4] ^ T_HI[i3] ^ T_HI[i2] ^ T_HI[i1] ^ T_HI[i0];
      }
      i += pairs * 8;
    } else {
      for (const stop = end - 8; i <= stop; i += 8) {
        const a = lo ^ (bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24));
        const b = hi ^ (bytes[i + 4] | (bytes[i + 5] << 8) | (bytes[i + 6] << 16) | (bytes[i + 7] << 24));
        lo = foldLo(a, b);
        hi = foldHi(a, b);
      }
    }
    for (; i < end; i++) {
      const t = (lo ^ bytes[i]) & 0xff;
      lo = TABLES_LO[t] ^ ((lo >>> 8) | (hi << 24));
      hi = TABLES_HI[t] ^ (hi >>> 8);
    }
    this.lo = lo >>> 0;
    this.hi = hi >>> 0;
    return this;
  }

  /** The value as a BigInt (tests, messages). */
  value(): bigint {
    return (BigInt(this.hi) << 32n) | BigInt(this.lo);
  }

  /** Sixteen lowercase hex digits, as Redis logs a checksum. */
  hex(): string {
    return this.hi.toString(16).padStart(8, '0') + this.lo.toString(16).padStart(8, '0');
  }

  /** Writes the value little-endian at `buf[at, at + 8)` (how an RDB stores it). */
  writeLE(buf: Uint8Array, at: number): void {
    writeU32LE(buf, at, this.lo);
    writeU32LE(buf, at + 4, this.hi);
  }

  /** True when `buf[at, at + 8)` holds this value little-endian. */
  matchesLE(buf: Uint8Array, at: number): boolean {
    return readU32LE(buf, at) === this.lo && readU32LE(buf, at + 4) === this.hi;
  }
}

/** `crc` extended over `bytes` (start with 0n). Convenience form of `Crc64`. */
export function crc64(crc: bigint, bytes: Uint8Array): bigint {
  const c = new Crc64();
  c.lo = Number(crc & 0xffffffffn);
  c.hi = Number((crc >> 32n) & 0xffffffffn);
  return c.update(bytes).value();
}

/** Low half of the CRC after folding the 8 bytes whose xor with the CRC is (a, b). */
function foldLo(a: number, b: number): number {
  const T = TABLES_LO;
  return (
    T[1792 + (a & 0xff)] ^ T[1536 + ((a >>> 8) & 0xff)] ^ T[1280 + ((a >>> 16) & 0xff)] ^ T[1024 + (a >>> 24)] ^
    T[768 + (b & 0xff)] ^ T[512 + ((b >>> 8) & 0xff)] ^ T[256 + ((b >>> 16) & 0xff)] ^ T[b >>> 24]
  );
}

function foldHi(a: number, b: number): number {
  const T = TABLES_HI;
  return (
    T[1792 + (a & 0xff)] ^ T[1536 + ((a >>> 8) & 0xff)] ^ T[1280 + ((a >>> 16) & 0xff)] ^ T[1024 + (a >>> 24)] ^
    T[768 + (b & 0xff)] ^ T[512 + ((b >>> 8) & 0xff)] ^ T[256 + ((b >>> 16) & 0xff)] ^ T[b >>> 24]
  );
}

function writeU32LE(buf: Uint8Array, at: number, v: number): void {
  buf[at] = v & 0xff;
  buf[at + 1] = (v >>> 8) & 0xff;
  buf[at + 2] = (v >>> 16) & 0xff;
  buf[at + 3] = v >>> 24;
}

function readU32LE(buf: Uint8Array, at: number): number {
  return (buf[at] | (buf[at + 1] << 8) | (buf[at + 2] << 16) | (buf[at + 3] << 24)) >>> 0;
}
