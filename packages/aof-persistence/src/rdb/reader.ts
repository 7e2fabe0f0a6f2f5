import { constants as bufferConstants } from 'node:buffer';
import { doublele, int64leNumber, intle, latin1, u32be } from './bytes.js';
import {
  ENC_INT16,
  ENC_INT32,
  ENC_INT8,
  ENC_LZF,
  LEN_32BIT,
  LEN_64BIT,
  LEN_ENCVAL,
  SCORE_NAN,
  SCORE_NEG_INF,
  SCORE_POS_INF,
} from './constants.js';
import { RdbFormatError } from './errors.js';
import { lzfDecompress } from './lzf.js';

/** Longest string V8 can hold; a longer RDB string cannot become a JS string. */
const MAX_STRING_LENGTH = bufferConstants.MAX_STRING_LENGTH;

/** 2^53: lengths at or above it cannot be exact numbers. */
const TWO_53 = 9007199254740992;

/**
 * A bounds-checked cursor over an RDB held in memory: lengths, strings (all
 * four special encodings), doubles and fixed-width integers. Every read
 * checks the bytes are there and throws an RdbFormatError ("Unexpected end
 * of file") when not, so no read ever leaves the buffer.
 */
export class RdbReader {
  pos: number;
  readonly end: number;

  /** The last `blob()`: bytes in `blobBytes[blobStart, blobEnd)` (the input itself or a decompressed copy). */
  blobBytes: Uint8Array;
  blobStart = 0;
  blobEnd = 0;

  constructor(readonly bytes: Uint8Array, start: number) {
    this.pos = start;
    this.end = bytes.length;
    this.blobBytes = bytes;
  }

  fail(message: string, at = this.pos): never {
    throw new RdbFormatError(message, at);
  }

  /** Throws unless `n` more bytes are available. */
  need(n: number): void {
    if (n > this.end - this.pos) this.truncated();
  }

  truncated(): never {
    this.fail('Unexpected end of file reading RDB file (the file is truncated)', this.end);
  }

  u8(): number {
    if (this.pos >= this.end) this.truncated();
    return this.bytes[this.pos++];
  }

  /** A signed 32-bit little-endian integer. */
  i32le(): number {
    this.need(4);
    const v = intle(this.bytes, this.pos, 4);
    this.pos += 4;
    return v;
  }

  /** A signed 64-bit little-endian integer as the nearest double (expiry times). */
  i64leNumber(): number {
    this.need(8);
    const v = int64leNumber(this.bytes, this.pos);
    this.pos += 8;
    return v;
  }

  /** A little-endian IEEE double (ZSET_2 scores). */
  binaryDouble(): number {
    this.need(8);
    const v = doublele(this.bytes, this.pos);
    this.pos += 8;
    return v;
  }

  /**
   * A length (counts, db numbers, string sizes): 00xxxxxx 6 bits, 01xxxxxx
   * + 1 byte 14 bits, 0x80 + u32be, 0x81 + u64be. A special-encoding byte
   * (top bits 11) is an error here.
   */
  length(): number {
    const at = this.pos;
    const first = this.u8();
    const kind = first >>> 6;
    if (kind === 0) return first;
    if (kind === 1) return ((first & 0x3f) << 8) | this.u8();
    if (first === LEN_32BIT) {
      this.need(4);
      const v = u32be(this.bytes, this.pos);
      this.pos += 4;
      return v;
    }
    if (first === LEN_64BIT) {
      this.need(8);
      const hi = u32be(this.bytes, this.pos);
      const lo = u32be(this.bytes, this.pos + 4);
      this.pos += 8;
      const v = hi * 4294967296 + lo;
      if (v >= TWO_53) this.fail(`Length ${v} is too large`, at);
      return v;
    }
    if (kind === LEN_ENCVAL) this.fail(`Unexpected string encoding 0x${first.toString(16)} where a length was expected`, at);
    return this.fail(`Unknown length encoding 0x${first.toString(16)}`, at);
  }

  /** A length that counts items each taking at least one byte: more than the bytes left means a truncated file. */
  count(): number {
    const n = this.length();
    if (n > this.end - this.pos) this.truncated();
    return n;
  }

  /** A string as a latin1 JS string (integers as decimal text, LZF expanded). */
  string(): string {
    const at = this.pos;
    const first = this.u8();
    if (first >>> 6 === LEN_ENCVAL) {
      const enc = first & 0x3f;
      switch (enc) {
        case ENC_INT8:
          this.need(1);
          return String(intle(this.bytes, this.pos++, 1));
        case ENC_INT16: {
          this.need(2);
          const v = intle(this.bytes, this.pos, 2);
          this.pos += 2;
          return String(v);
        }
        case ENC_INT32: {
          this.need(4);
          const v = intle(this.bytes, this.pos, 4);
          this.pos += 4;
          return String(v);
        }
        case ENC_LZF: {
          this.lzf(at);
          return this.blobText(at);
        }
        default:
          return this.fail(`Unknown RDB string encoding type ${enc}`, at);
      }
    }
    this.pos = at;
    const len = this.length();
    this.need(len);
    if (len > MAX_STRING_LENGTH) this.fail(`String of ${len} bytes is longer than aki can hold`, at);
    const s = latin1(this.bytes, this.pos, this.pos + len);
    this.pos += len;
    return s;
  }

  /**
   * A string as bytes (the payload of a ziplist, listpack, intset or zipmap
   * value): sets blobBytes/blobStart/blobEnd. Plain strings are not copied.
   */
  blob(): void {
    const at = this.pos;
    const first = this.u8();
    if (first >>> 6 === LEN_ENCVAL) {
      if ((first & 0x3f) === ENC_LZF) return this.lzf(at);
      // An integer-encoded payload: its text, so the structure check rejects it.
      this.pos = at;
      const bytes = Buffer.from(this.string(), 'latin1');
      this.setBlob(bytes, 0, bytes.length);
      return;
    }
    this.pos = at;
    const len = this.length();
    this.need(len);
    this.setBlob(this.bytes, this.pos, this.pos + len);
    this.pos += len;
  }

  /**
   * A text score (type 3 zsets): a length byte then that many characters,
   * or 253 / 254 / 255 for nan / +inf / -inf. Undefined for text that is
   * not a number.
   */
  textDouble(): number | undefined {
    const len = this.u8();
    if (len === SCORE_NAN) return NaN;
    if (len === SCORE_POS_INF) return Infinity;
    if (len === SCORE_NEG_INF) return -Infinity;
    this.need(len);
    const text = latin1(this.bytes, this.pos, this.pos + len);
    this.pos += len;
    return parseScore(text);
  }

  /** Reads an LZF string (after its 0xC3 byte) into the blob fields. */
  private lzf(at: number): void {
    const compressed = this.length();
    const length = this.length();
    this.need(compressed);
    const start = this.pos;
    this.pos += compressed;
    const out = lzfDecompress(this.bytes, start, start + compressed, length, at);
    this.setBlob(out, 0, out.length);
  }

  private blobText(at: number): string {
    const n = this.blobEnd - this.blobStart;
    if (n > MAX_STRING_LENGTH) this.fail(`String of ${n} bytes is longer than aki can hold`, at);
    return latin1(this.blobBytes, this.blobStart, this.blobEnd);
  }

  private setBlob(bytes: Uint8Array, start: number, end: number): void {
    this.blobBytes = bytes;
    this.blobStart = start;
    this.blobEnd = end;
  }
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const INFINITY = /^([+-]?)inf(inity)?$/i;

/**
 * A score written as text (type 3 zsets, listpack and ziplist zset entries
 * stored as strings): a decimal number, or inf / -inf (any case, also
 * "infinity"); nan gives NaN. Undefined for anything else.
 */
export function parseScore(text: string): number | undefined {
  if (DECIMAL.test(text)) return Number(text);
  const inf = INFINITY.exec(text);
  if (inf) return inf[1] === '-' ? -Infinity : Infinity;
  if (/^[+-]?nan$/i.test(text)) return NaN;
  return undefined;
}
