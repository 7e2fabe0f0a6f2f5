import { digitCount, EMPTY_BUFFER, writeDigits, writeLatin1 } from './bytes.js';
import { formatDouble } from './double.js';

/** take() copies out at most this many bytes; above it, it hands over the internal buffer (measured crossover ~4 KiB). */
const COPY_OUT_LIMIT = 4096;
/** A buffer larger than this is released once its output is gone, not kept for the next small reply. */
const RETAINED_CAPACITY = 1024 * 1024;

const PLUS = 43;
const MINUS = 45;
const COLON = 58;
const DOLLAR = 36;
const STAR = 42;
const PERCENT = 37;
const TILDE = 126;
const GT = 62;
const COMMA = 44;
const HASH = 35;
const LPAREN = 40;
const EQUALS = 61;
const UNDERSCORE = 95;

/**
 * Something that holds byte strings and can copy one into a reply buffer,
 * identified by a handle of its own (e.g. a record in an off-heap store).
 */
export interface BulkSource {
  /** Length in bytes of the value behind `handle`. */
  valueLength(handle: number): number;
  /** Copies the value's bytes to `target` starting at `offset` (room is reserved). */
  copyValue(handle: number, target: Buffer, offset: number): void;
}

/**
 * Builds RESP replies into one growable buffer; one `take()` per batch gives
 * the bytes to write to the socket.
 *
 * Strings are latin1 (one char per byte, binary safe). `protocol` selects how
 * RESP3-only types are written: in RESP2 maps become flat arrays, sets and
 * pushes arrays, doubles/big numbers/verbatim strings bulk strings, booleans
 * integers, and both nulls `$-1` / `*-1`.
 */
export class ReplyWriter {
  /** RESP version of the connection. */
  protocol: 2 | 3 = 2;
  /**
   * Most bytes that may be pending at once (an output-buffer limit). A write
   * that would pass it discards everything pending and sets `overflowed`;
   * writing goes on into the reused buffer, so memory stays bounded while the
   * command that overflowed runs to its end. The owner must then drop the
   * connection: its reply stream is lost.
   */
  maxLength = Number.MAX_SAFE_INTEGER;
  private lostOutput = false;
  private buf: Buffer;
  private len = 0;
  private readonly initialCapacity: number;
  /** Size of the next buffer allocated from empty (see take). */
  private nextCapacity: number;

  /** `initialCapacity` is allocated on the first write (idle connections hold no buffer). */
  constructor(initialCapacity = 16 * 1024) {
    this.initialCapacity = Math.max(64, initialCapacity | 0);
    this.nextCapacity = this.initialCapacity;
    this.buf = EMPTY_BUFFER;
  }

  /** Bytes pending. */
  get length(): number {
    return this.len;
  }

  /** True once pending output passed `maxLength` and was discarded (see there). */
  get overflowed(): boolean {
    return this.lostOutput;
  }

  /**
   * Returns the pending bytes and resets the writer. The returned Buffer is
   * owned by the caller: the writer never writes into it again, so it is safe
   * to hand to `socket.write` (which may keep it queued). Up to 4 KiB is copied
   * into a fresh (pooled) Buffer; larger output hands over the internal buffer
   * itself and the writer allocates a new one on its next write, which avoids
   * copying big replies (measured: copying wins below ~4 KiB, handing over above).
   */
  take(): Buffer {
    const n = this.len;
    if (n === 0) return EMPTY_BUFFER;
    this.len = 0;
    if (n <= COPY_OUT_LIMIT) {
      const out = Buffer.allocUnsafe(n);
      this.buf.copy(out, 0, 0, n);
      // A buffer grown for one huge reply is not kept for small ones.
      if (this.buf.length > RETAINED_CAPACITY) this.buf = EMPTY_BUFFER;
      return out;
    }
    const out = this.buf.subarray(0, n);
    this.buf = EMPTY_BUFFER; // a new buffer is allocated by the next write,
    // as large as this output was (up to RETAINED_CAPACITY), so a client that
    // keeps getting big batches does not regrow (and copy) from the initial size each time.
    this.nextCapacity = Math.min(Math.max(n, this.initialCapacity), RETAINED_CAPACITY);
    return out;
  }

  /** Drops everything written after the first `length` pending bytes (e.g. a half-written reply). */
  truncate(length: number): void {
    if (length >= 0 && length < this.len) this.len = length;
    if (this.len === 0 && this.buf.length > RETAINED_CAPACITY) this.buf = EMPTY_BUFFER;
  }

  /** `+OK\r\n` */
  ok(): void {
    const b = this.buf;
    let o = this.len;
    if (o + 5 > b.length) return this.simple('OK');
    b[o++] = PLUS;
    b[o++] = 79;
    b[o++] = 75;
    b[o++] = 13;
    b[o++] = 10;
    this.len = o;
  }

  /**
   * `+s\r\n`. A status line cannot hold CR or LF, so any are written as
   * spaces: text that echoes client input can never forge a second reply.
   */
  simple(s: string): void {
    this.line(PLUS, oneLine(s));
  }

  /** `-s\r\n`; `s` starts with its code, e.g. "ERR syntax error". CR/LF become spaces, as in simple(). */
  error(s: string): void {
    this.line(MINUS, oneLine(s));
  }

  /** `:n\r\n`; a number beyond 2^53 is written exactly via BigInt, never in exponent form. */
  integer(n: number | bigint): void {
    if (typeof n === 'number' && Number.isSafeInteger(n)) {
      this.headerNumber(COLON, n);
    } else {
      this.line(COLON, (typeof n === 'number' ? BigInt(Math.trunc(n)) : n).toString());
    }
  }

  /** A bulk string from a latin1 string; null writes nullBulk(). */
  bulk(s: string | null): void {
    if (s === null) return this.nullBulk();
    const at = this.openBulk(s.length);
    writeLatin1(this.buf, at, s);
    this.closeBulk(at + s.length);
  }

  /** A bulk string from bytes. */
  bulkBuffer(bytes: Uint8Array): void {
    const at = this.openBulk(bytes.length);
    this.buf.set(bytes, at);
    this.closeBulk(at + bytes.length);
  }

  /**
   * A bulk string whose bytes a `BulkSource` copies straight into the reply
   * buffer: a store can answer GET without first building a JS string.
   */
  bulkFrom(source: BulkSource, handle: number): void {
    const n = source.valueLength(handle);
    const at = this.openBulk(n);
    source.copyValue(handle, this.buf, at);
    this.closeBulk(at + n);
  }

  /** Reserves room for an `n`-byte bulk string, writes `$n\r\n`, returns where the payload goes. */
  private openBulk(n: number): number {
    const nd = digitCount(n);
    const b = this.reserve(n + nd + 5);
    const o = this.len;
    b[o] = DOLLAR;
    writeDigits(b, o + 1, n, nd);
    b[o + nd + 1] = 13;
    b[o + nd + 2] = 10;
    return o + nd + 3;
  }

  /** Ends the bulk string whose payload ends at `end`. */
  private closeBulk(end: number): void {
    const b = this.buf;
    b[end] = 13;
    b[end + 1] = 10;
    this.len = end + 2;
  }

  /** RESP2 `$-1\r\n`, RESP3 `_\r\n`. */
  nullBulk(): void {
    if (this.protocol === 3) return this.resp3Null();
    const b = this.reserve(5);
    const o = this.len;
    b[o] = DOLLAR;
    b[o + 1] = MINUS;
    b[o + 2] = 49;
    b[o + 3] = 13;
    b[o + 4] = 10;
    this.len = o + 5;
  }

  /** RESP2 `*-1\r\n`, RESP3 `_\r\n`. */
  nullArray(): void {
    if (this.protocol === 3) return this.resp3Null();
    const b = this.reserve(5);
    const o = this.len;
    b[o] = STAR;
    b[o + 1] = MINUS;
    b[o + 2] = 49;
    b[o + 3] = 13;
    b[o + 4] = 10;
    this.len = o + 5;
  }

  /** `*n\r\n` */
  arrayHeader(n: number): void {
    this.headerNumber(STAR, n);
  }

  /** RESP3 `%n\r\n` (n pairs); RESP2 `*2n\r\n`. */
  mapHeader(n: number): void {
    if (this.protocol === 3) this.headerNumber(PERCENT, n);
    else this.headerNumber(STAR, n * 2);
  }

  /** RESP3 `~n\r\n`; RESP2 `*n\r\n`. */
  setHeader(n: number): void {
    this.headerNumber(this.protocol === 3 ? TILDE : STAR, n);
  }

  /** RESP3 `>n\r\n`; RESP2 `*n\r\n`. */
  pushHeader(n: number): void {
    this.headerNumber(this.protocol === 3 ? GT : STAR, n);
  }

  /** RESP3 `,<%.17g>\r\n` (inf, -inf, nan); RESP2 the same text as a bulk string. See formatDouble. */
  double(n: number): void {
    const text = formatDouble(n);
    if (this.protocol === 3) this.line(COMMA, text);
    else this.bulk(text);
  }

  /** RESP3 `#t` / `#f`; RESP2 `:1` / `:0`. */
  boolean(value: boolean): void {
    const b = this.reserve(4);
    const o = this.len;
    if (this.protocol === 3) {
      b[o] = HASH;
      b[o + 1] = value ? 116 : 102;
    } else {
      b[o] = COLON;
      b[o + 1] = value ? 49 : 48;
    }
    b[o + 2] = 13;
    b[o + 3] = 10;
    this.len = o + 4;
  }

  /** RESP3 `=len\r\nfmt:s\r\n` (format is 3 chars, e.g. "txt"); RESP2 a bulk string of s. */
  verbatim(format: string, s: string): void {
    if (this.protocol !== 3) return this.bulk(s);
    if (format.length !== 3) throw new RangeError('verbatim format must be 3 characters');
    const n = s.length + 4;
    const nd = digitCount(n);
    const b = this.reserve(n + nd + 5);
    let o = this.len;
    b[o] = EQUALS;
    writeDigits(b, o + 1, n, nd);
    o += nd + 1;
    b[o] = 13;
    b[o + 1] = 10;
    writeLatin1(b, o + 2, format);
    b[o + 5] = COLON;
    writeLatin1(b, o + 6, s);
    o += n + 2;
    b[o] = 13;
    b[o + 1] = 10;
    this.len = o + 2;
  }

  /** RESP3 `(digits\r\n`; RESP2 a bulk string. */
  bigNumber(digits: string): void {
    if (this.protocol === 3) this.line(LPAREN, digits);
    else this.bulk(digits);
  }

  /** Appends pre-encoded bytes. */
  raw(bytes: Uint8Array): void {
    const n = bytes.length;
    const b = this.reserve(n);
    if (n <= 16) {
      const o = this.len;
      for (let i = 0; i < n; i++) b[o + i] = bytes[i];
    } else {
      b.set(bytes, this.len);
    }
    this.len += n;
  }

  /** Appends a command as a multibulk array of bulk strings (see encodeCommand). */
  command(argv: ReadonlyArray<string | Uint8Array>): void {
    this.arrayHeader(argv.length);
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i];
      if (typeof a === 'string') this.bulk(a);
      else this.bulkBuffer(a);
    }
  }

  private resp3Null(): void {
    const b = this.reserve(3);
    const o = this.len;
    b[o] = UNDERSCORE;
    b[o + 1] = 13;
    b[o + 2] = 10;
    this.len = o + 3;
  }

  /** `<type><s>\r\n` */
  private line(type: number, s: string): void {
    const n = s.length;
    const b = this.reserve(n + 3);
    const o = this.len;
    b[o] = type;
    writeLatin1(b, o + 1, s);
    b[o + n + 1] = 13;
    b[o + n + 2] = 10;
    this.len = o + n + 3;
  }

  /** `<type><n>\r\n` for a safe integer n. */
  private headerNumber(type: number, n: number): void {
    const negative = n < 0;
    const v = negative ? -n : n;
    const nd = digitCount(v);
    const sign = negative ? 1 : 0;
    const b = this.reserve(nd + sign + 3);
    let o = this.len;
    b[o++] = type;
    if (negative) b[o++] = MINUS;
    writeDigits(b, o, v, nd);
    o += nd;
    b[o] = 13;
    b[o + 1] = 10;
    this.len = o + 2;
  }

  /** Ensures room for `n` more bytes; returns the (possibly new) buffer. */
  private reserve(n: number): Buffer {
    let need = this.len + n;
    if (need > this.maxLength) {
      this.lostOutput = true;
      this.len = 0;
      need = n;
    }
    if (need <= this.buf.length) return this.buf;
    const grown = Buffer.allocUnsafeSlow(
      Math.min(Math.max(need, this.buf.length * 2, this.nextCapacity), Math.max(need, this.maxLength)),
    );
    this.buf.copy(grown, 0, 0, this.len);
    this.buf = grown;
    return grown;
  }
}

/** `s` with CR and LF replaced by spaces (the common case, none, allocates nothing). */
function oneLine(s: string): string {
  return s.indexOf('\r') === -1 && s.indexOf('\n') === -1 ? s : s.replace(/[\r\n]/g, ' ');
}

/**
 * Encodes a command as a RESP multibulk array of bulk strings (latin1 strings
 * or bytes), as used by the effect stream, the AOF and replication. Returns a
 * new Buffer owned by the caller.
 */
export function encodeCommand(argv: ReadonlyArray<string | Uint8Array>): Buffer {
  const count = argv.length;
  let size = digitCount(count) + 3;
  for (let i = 0; i < count; i++) {
    const n = argv[i].length;
    size += digitCount(n) + n + 5;
  }
  const b = Buffer.allocUnsafe(size);
  b[0] = STAR;
  let o = 1;
  let nd = digitCount(count);
  writeDigits(b, o, count, nd);
  o += nd;
  b[o++] = 13;
  b[o++] = 10;
  for (let i = 0; i < count; i++) {
    const a = argv[i];
    const n = a.length;
    nd = digitCount(n);
    b[o++] = DOLLAR;
    writeDigits(b, o, n, nd);
    o += nd;
    b[o++] = 13;
    b[o++] = 10;
    if (typeof a === 'string') writeLatin1(b, o, a);
    else b.set(a, o);
    o += n;
    b[o++] = 13;
    b[o++] = 10;
  }
  return b;
}
