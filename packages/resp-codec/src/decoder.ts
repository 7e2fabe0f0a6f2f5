import { CR, EMPTY_BUFFER, LF, latin1, makeRoom, parseStrictInteger } from './bytes.js';
import { byteAsChar, protocolError } from './errors.js';

/**
 * An error reply: `-ERR message` or the RESP3 blob error `!len`. `message` is
 * the whole text (latin1), e.g. "WRONGTYPE Operation against a key ...".
 * Extends Error so tools can throw it; `code` is the first word.
 */
export class RespError extends Error {
  override name = 'RespError';

  /** The error code: the text up to the first space ("ERR", "WRONGTYPE", "MOVED", ...). */
  get code(): string {
    const space = this.message.indexOf(' ');
    return space < 0 ? this.message : this.message.slice(0, space);
  }
}

/** A RESP3 verbatim string (`=len\r\nfmt:text`): `format` is the 3-letter type such as "txt" or "mkd". */
export class RespVerbatim {
  constructor(
    readonly format: string,
    readonly text: Buffer,
  ) {}

  toString(): string {
    return this.text.toString('utf8');
  }
}

/** A RESP3 push message (`>N`), e.g. a pub/sub message or a client-tracking invalidation. */
export class RespPush {
  constructor(readonly values: RespValue[]) {}
}

/**
 * A decoded RESP2/RESP3 value:
 *
 * | wire | value |
 * |---|---|
 * | `+` simple string | `string` (latin1) |
 * | `-` error, `!` blob error | `RespError` |
 * | `:` integer | `number`, or `bigint` beyond ±2^53 |
 * | `$` bulk string | `Buffer` (a copy; `$-1` is `null`) |
 * | `*` array | `RespValue[]` (`*-1` is `null`) |
 * | `_` null | `null` |
 * | `,` double | `number` (inf, -inf, nan included) |
 * | `#` boolean | `boolean` |
 * | `(` big number | `bigint` |
 * | `=` verbatim string | `RespVerbatim` |
 * | `%` map | `Map` (keys compare by identity, so Buffer keys are distinct objects) |
 * | `~` set | `Set` (likewise by identity) |
 * | `>` push | `RespPush` |
 * | `\|` attribute | not returned: decoded and passed to `onAttribute`, then skipped |
 */
export type RespValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Buffer
  | RespError
  | RespVerbatim
  | RespPush
  | RespValue[]
  | Map<RespValue, RespValue>
  | Set<RespValue>;

export interface RespDecoderOptions {
  /** Largest `$`, `!` or `=` payload accepted. Default 512 MiB. */
  maxBulkLength?: number;
  /** Deepest nesting of aggregates (arrays, maps, sets, pushes, attributes). Default 1024. */
  maxDepth?: number;
  /** Longest line (`+`, `-`, `:`, `,`, `(` ...) accepted. Default: maxBulkLength. */
  maxLineLength?: number;
  /** Receives each attribute map (`|N`); attributes are otherwise dropped. */
  onAttribute?: (attributes: Map<RespValue, RespValue>) => void;
}

const PLUS = 43;
const MINUS = 45;
const COLON = 58;
const DOLLAR = 36;
const STAR = 42;
const UNDERSCORE = 95;
const COMMA = 44;
const HASH = 35;
const LPAREN = 40;
const BANG = 33;
const EQUALS = 61;
const PERCENT = 37;
const TILDE = 126;
const GT = 62;
const PIPE = 124;

const INT_MAX = 2147483647;
const STORE_RETAIN = 64 * 1024;

/** An aggregate being filled. Maps and attributes hold keys and values alternately in `items`. */
interface Frame {
  type: number;
  remaining: number;
  items: RespValue[];
}

/**
 * Incremental decoder of RESP2 and RESP3 values (replies, the replication
 * link, tools). Feed bytes split anywhere; `next()` returns each complete
 * top-level value, or `undefined` when more bytes are needed.
 *
 * Nesting is handled with an explicit stack (no recursion), limited by
 * `maxDepth`. Malformed input throws ProtocolError only. Lines must end with
 * CRLF. RESP3 streamed strings and aggregates (`$?`, `*?`) are not supported
 * (Redis never sends them) and are rejected.
 *
 * Buffer contract: as for RequestParser, chunks are borrowed until `next()`
 * returns undefined; decoded values never reference them.
 */
export class RespDecoder {
  readonly maxBulkLength: number;
  readonly maxDepth: number;
  readonly maxLineLength: number;
  private readonly onAttribute: ((attributes: Map<RespValue, RespValue>) => void) | undefined;

  private buf: Buffer = EMPTY_BUFFER;
  private pos = 0;
  private end = 0;
  private owned = false;
  private store: Buffer = EMPTY_BUFFER;
  private scanned = 0;

  /** Type byte of the bulk-like value whose payload is awaited (0 = none). */
  private bulkType = 0;
  private bulkLen = 0;
  private readonly stack: Frame[] = [];

  constructor(options: RespDecoderOptions = {}) {
    this.maxBulkLength = options.maxBulkLength ?? 512 * 1024 * 1024;
    this.maxDepth = options.maxDepth ?? 1024;
    this.maxLineLength = options.maxLineLength ?? this.maxBulkLength;
    this.onAttribute = options.onAttribute;
  }

  /** Bytes received and not yet consumed (excluding values already decoded into an unfinished aggregate). */
  get bufferedBytes(): number {
    return this.end - this.pos;
  }

  /** Adds received bytes (borrowed until next() returns undefined). */
  feed(chunk: Buffer): void {
    if (chunk.length === 0) return;
    if (this.pos >= this.end) {
      if (this.owned && this.store.length > STORE_RETAIN) this.store = EMPTY_BUFFER;
      this.buf = chunk;
      this.pos = 0;
      this.end = chunk.length;
      this.owned = false;
      return;
    }
    if (!this.owned) this.adopt(0);
    this.append(chunk, 0, chunk.length, 0);
  }

  /** The next complete value, or undefined when more bytes are needed. Throws ProtocolError. */
  next(): RespValue | undefined {
    for (;;) {
      const buf = this.buf;
      const pos = this.pos;
      const end = this.end;
      let value: RespValue;

      if (this.bulkType !== 0) {
        const len = this.bulkLen;
        if (end - pos < len + 2) {
          this.suspend(len + 2);
          return undefined;
        }
        if (buf[pos + len] !== CR || buf[pos + len + 1] !== LF) throw protocolError('expected CRLF after bulk payload');
        value = bulkValue(this.bulkType, buf, pos, len);
        this.pos = pos + len + 2;
        this.bulkType = 0;
      } else {
        if (pos >= end) {
          this.suspend(0);
          return undefined;
        }
        const cr = this.findCRLF(buf, pos, end);
        if (cr < 0) {
          if (end - pos > this.maxLineLength + 2) throw protocolError('too big line');
          this.suspend(0);
          return undefined;
        }
        const type = buf[pos];
        const from = pos + 1;
        this.pos = cr + 2;
        switch (type) {
          case PLUS:
            value = latin1(buf, from, cr);
            break;
          case MINUS:
            value = new RespError(latin1(buf, from, cr));
            break;
          case COLON:
            value = integerValue(buf, from, cr);
            break;
          case DOLLAR:
          case BANG:
          case EQUALS: {
            const n = parseStrictInteger(buf, from, cr);
            if (type === DOLLAR && n === -1) {
              value = null;
              break;
            }
            if (!(n >= 0 && n <= this.maxBulkLength)) throw protocolError('invalid bulk length');
            if (type === EQUALS && n < 4) throw protocolError('invalid verbatim string length');
            this.bulkType = type;
            this.bulkLen = n;
            continue;
          }
          case STAR:
          case PERCENT:
          case TILDE:
          case GT:
          case PIPE: {
            const n = parseStrictInteger(buf, from, cr);
            if (type === STAR && n === -1) {
              value = null;
              break;
            }
            if (!(n >= 0 && n <= INT_MAX)) throw protocolError('invalid multibulk length');
            if (n === 0) {
              if (type === PIPE) continue;
              value = emptyAggregate(type);
              break;
            }
            if (this.stack.length >= this.maxDepth) throw protocolError('reply nesting too deep');
            this.stack.push({ type, remaining: type === PERCENT || type === PIPE ? n * 2 : n, items: [] });
            continue;
          }
          case UNDERSCORE:
            if (cr !== from) throw protocolError('invalid null');
            value = null;
            break;
          case COMMA:
            value = doubleValue(buf, from, cr);
            break;
          case HASH:
            if (cr !== from + 1 || (buf[from] !== 116 && buf[from] !== 102)) throw protocolError('invalid boolean');
            value = buf[from] === 116;
            break;
          case LPAREN:
            value = bigNumberValue(buf, from, cr);
            break;
          default:
            throw protocolError(`invalid RESP type byte '${byteAsChar(type)}'`);
        }
      }

      // Deliver the value to the innermost open aggregate, closing the ones it completes.
      const stack = this.stack;
      for (;;) {
        const top = stack[stack.length - 1];
        if (top === undefined) return value;
        top.items.push(value);
        if (--top.remaining > 0) break;
        stack.pop();
        if (top.type === PIPE) {
          this.onAttribute?.(pairsToMap(top.items));
          break; // an attribute is not a value of its parent
        }
        value = aggregateValue(top);
      }
    }
  }

  /** Index of the CR of a CRLF ending the line at `pos`, or -1 if incomplete. */
  private findCRLF(buf: Buffer, pos: number, end: number): number {
    // indexOf may look past `end` (into unused store capacity): ignore such hits.
    const i = buf.indexOf(CR, pos + this.scanned);
    if (i < 0 || i >= end) {
      this.scanned = end - pos;
      return -1;
    }
    if (i + 1 >= end) {
      this.scanned = i - pos;
      return -1;
    }
    if (buf[i + 1] !== LF) throw protocolError('expected CRLF');
    this.scanned = 0;
    return i;
  }

  private suspend(sizeHint: number): void {
    if (this.pos >= this.end) {
      if (this.owned && this.store.length > STORE_RETAIN) this.store = EMPTY_BUFFER;
      this.buf = EMPTY_BUFFER;
      this.owned = false;
      this.pos = this.end = 0;
    } else if (!this.owned) {
      this.adopt(sizeHint);
    }
  }

  private adopt(sizeHint: number): void {
    const src = this.buf;
    const from = this.pos;
    const to = this.end;
    this.buf = this.store;
    this.owned = true;
    this.pos = this.end = 0;
    this.append(src, from, to, sizeHint);
  }

  /** Appends to `store` (the current buffer); see makeRoom for how it grows. */
  private append(src: Buffer, from: number, to: number, sizeHint: number): void {
    const n = to - from;
    if (this.end + n > this.store.length) {
      const pending = this.end - this.pos;
      this.store = makeRoom(this.store, this.pos, this.end, n, sizeHint);
      this.pos = 0;
      this.end = pending;
    }
    src.copy(this.store, this.end, from, to);
    this.buf = this.store;
    this.end += n;
  }
}

function copyBytes(buf: Buffer, start: number, end: number): Buffer {
  const out = Buffer.allocUnsafe(end - start);
  buf.copy(out, 0, start, end);
  return out;
}

function bulkValue(type: number, buf: Buffer, pos: number, len: number): RespValue {
  if (type === DOLLAR) return copyBytes(buf, pos, pos + len);
  if (type === BANG) return new RespError(latin1(buf, pos, pos + len));
  if (buf[pos + 3] !== COLON) throw protocolError('invalid verbatim string');
  return new RespVerbatim(latin1(buf, pos, pos + 3), copyBytes(buf, pos + 4, pos + len));
}

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

function integerValue(buf: Buffer, start: number, end: number): number | bigint {
  const n = parseStrictInteger(buf, start, end);
  if (n !== n) throw protocolError('invalid integer');
  if (n <= MAX_SAFE && n >= -MAX_SAFE) return n;
  const exact = BigInt(latin1(buf, start, end));
  return exact <= BigInt(MAX_SAFE) && exact >= -BigInt(MAX_SAFE) ? Number(exact) : exact;
}

function doubleValue(buf: Buffer, start: number, end: number): number {
  const text = latin1(buf, start, end);
  switch (text) {
    case 'inf':
    case '+inf':
      return Infinity;
    case '-inf':
      return -Infinity;
    case 'nan':
    case '-nan':
      return NaN;
  }
  if (start === end) throw protocolError('invalid double');
  for (let i = start; i < end; i++) {
    const c = buf[i];
    // digits . + - e E
    if (!((c >= 48 && c <= 57) || c === 46 || c === 43 || c === 45 || c === 101 || c === 69)) {
      throw protocolError('invalid double');
    }
  }
  const n = Number(text);
  if (n !== n) throw protocolError('invalid double');
  return n;
}

function bigNumberValue(buf: Buffer, start: number, end: number): bigint {
  let i = start;
  if (i < end && (buf[i] === 45 || buf[i] === 43)) i++;
  if (i === end) throw protocolError('invalid big number');
  for (; i < end; i++) {
    const c = buf[i];
    if (c < 48 || c > 57) throw protocolError('invalid big number');
  }
  return BigInt(latin1(buf, start, end));
}

function emptyAggregate(type: number): RespValue {
  switch (type) {
    case PERCENT:
      return new Map();
    case TILDE:
      return new Set();
    case GT:
      return new RespPush([]);
    default:
      return [];
  }
}

function pairsToMap(items: RespValue[]): Map<RespValue, RespValue> {
  const map = new Map<RespValue, RespValue>();
  for (let i = 0; i < items.length; i += 2) map.set(items[i], items[i + 1]);
  return map;
}

function aggregateValue(frame: Frame): RespValue {
  switch (frame.type) {
    case PERCENT:
      return pairsToMap(frame.items);
    case TILDE:
      return new Set(frame.items);
    case GT:
      return new RespPush(frame.items);
    default:
      return frame.items;
  }
}
