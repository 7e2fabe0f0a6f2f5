import { constants as bufferConstants } from 'node:buffer';
import { CR, EMPTY_BUFFER, LF, latin1, makeRoom, parseStrictInteger } from './bytes.js';
import { byteAsChar, protocolError } from './errors.js';
import { splitArgs } from './split-args.js';

export interface RequestParserOptions {
  /** proto-max-bulk-len: the largest accepted `$N`. Default 512 MiB. */
  maxBulkLength?: number;
  /** PROTO_INLINE_MAX_SIZE: the longest inline line, `*N` line or `$N` line still waiting for its end. Default 64 KiB. */
  maxInlineLength?: number;
  /** The largest `*N` accepted while `authenticated` is false. Default 10. */
  maxUnauthenticatedMultibulk?: number;
  /** The largest `$N` accepted while `authenticated` is false. Default 16384. */
  maxUnauthenticatedBulk?: number;
}

/**
 * The longest argument this parser can return: argv elements are JS strings,
 * and V8 cannot build a string longer than this (2^29 - 24 chars on 64-bit
 * Node 20), so a larger `$N` is rejected as an invalid bulk length before any
 * allocation, even when it is within proto-max-bulk-len.
 */
export const MAX_ARGUMENT_LENGTH: number = bufferConstants.MAX_STRING_LENGTH;

const STAR = 42;
const DOLLAR = 36;
const INT_MAX = 2147483647;
/** Placeholder argv between commands; never pushed to. */
const NO_ARGS: string[] = [];
/** A parser-owned buffer larger than this is released once it is empty. */
const STORE_RETAIN = 64 * 1024;

const E_INVALID_MULTIBULK = 'invalid multibulk length';
const E_INVALID_BULK = 'invalid bulk length';
const E_UNAUTH_MULTIBULK = 'unauthenticated multibulk length';
const E_UNAUTH_BULK = 'unauthenticated bulk length';
const E_BIG_MBULK = 'too big mbulk count string';
const E_BIG_BULK = 'too big bulk count string';
const E_BIG_INLINE = 'too big inline request';
const E_UNBALANCED = 'unbalanced quotes in request';

/**
 * Incremental parser of client requests, as a Redis server reads them:
 * multibulk (`*N\r\n$len\r\n<bytes>\r\n...`) and inline commands (a text line
 * split like `sdssplitargs`), with Redis's limits and exact error strings.
 *
 * Usage: `feed(chunk)`, then call `next()` until it returns null.
 *
 * Buffer contract: a chunk passed to `feed` is BORROWED. The parser may read it
 * until `next()` returns null or `compact()` is called; at that point every
 * byte it still needs has been copied into parser-owned memory, and the caller
 * may overwrite the chunk (for example, a read buffer shared by all sockets).
 * Returned argv strings never reference the chunk.
 *
 * Redis details kept on purpose:
 * - `*N` and `$N` lines end at the first CR; the byte after the CR is skipped
 *   without being checked, as is the CRLF after a bulk payload.
 * - An inline line ends at LF (one CR before it is dropped).
 * - Like Redis's C string search, a NUL byte before a line's terminator means
 *   the line never ends: the parser waits until the "too big" limit fires. So
 *   `\x00`, `*\x00` and `$\x00` followed by endless `AAAA\n` end in a protocol
 *   error with bounded memory.
 * - `*N` with N <= 0 and empty inline lines are skipped without a reply.
 *
 * Memory: only the token being completed (one line, or one bulk payload) is
 * ever copied; bulk payloads are assembled in a buffer that grows by doubling
 * up to the exact payload size, so memory stays proportional to bytes
 * received, never to a declared length.
 */
export class RequestParser {
  /** When false, the unauthenticated limits apply. The server flips it after AUTH, between commands. */
  authenticated = true;
  /** proto-max-bulk-len; may be changed at any time (CONFIG SET). */
  maxBulkLength: number;
  maxInlineLength: number;
  maxUnauthenticatedMultibulk: number;
  maxUnauthenticatedBulk: number;

  /** The bytes being parsed: a borrowed chunk or `store`. Unparsed bytes are `cur[pos, end)`. */
  private cur: Buffer = EMPTY_BUFFER;
  private pos = 0;
  private end = 0;
  private curOwned = false;
  /** Parser-owned memory holding a token that straddles chunks. */
  private store: Buffer = EMPTY_BUFFER;
  /** A borrowed chunk to parse after `cur`, when `cur` holds an incomplete token. */
  private nxt: Buffer | null = null;
  private nxtPos = 0;

  /** Bytes of the current line (starting at `pos`) already searched without finding its end. */
  private scanned = 0;
  /** The current line has a NUL before any terminator: it can never end. */
  private poisoned = false;

  /** Arguments still expected by the multibulk command being read; 0 between commands. */
  private remaining = 0;
  /** Length of the bulk payload being waited for, or -1 when a `$N` line comes next. */
  private bulkLen = -1;
  private argv: string[] = NO_ARGS;
  /** Bytes of the command being read that are already parsed into `argv`. */
  private partial = 0;
  private inline = false;

  constructor(options: RequestParserOptions = {}) {
    this.maxBulkLength = options.maxBulkLength ?? 512 * 1024 * 1024;
    this.maxInlineLength = options.maxInlineLength ?? 64 * 1024;
    this.maxUnauthenticatedMultibulk = options.maxUnauthenticatedMultibulk ?? 10;
    this.maxUnauthenticatedBulk = options.maxUnauthenticatedBulk ?? 16384;
  }

  /**
   * Bytes received but not yet returned as part of a command: unparsed bytes
   * plus the already parsed part of a multibulk command still being read (the
   * query buffer size for client-query-buffer-limit and CLIENT LIST qbuf).
   */
  get bufferedBytes(): number {
    const tail = this.nxt === null ? 0 : this.nxt.length - this.nxtPos;
    return this.end - this.pos + tail + this.partial;
  }

  /** True if the last command returned by next() was an inline command. */
  get lastWasInline(): boolean {
    return this.inline;
  }

  /** Adds received bytes. The chunk is borrowed; see the class comment. */
  feed(chunk: Buffer): void {
    if (chunk.length === 0) return;
    if (this.nxt !== null) {
      // fed twice without draining: keep the earlier chunk's tail
      this.appendToStore(this.nxt, this.nxtPos, this.nxt.length, 0);
      this.nxt = null;
    }
    if (this.pos >= this.end) {
      this.releaseCurrent();
      this.cur = chunk;
      this.pos = 0;
      this.end = chunk.length;
      this.curOwned = false;
      return;
    }
    if (!this.curOwned) this.adopt(0);
    this.nxt = chunk;
    this.nxtPos = 0;
  }

  /** Copies every still-borrowed unconsumed byte into parser-owned memory. */
  compact(): void {
    if (this.nxt !== null) {
      if (this.pos >= this.end) {
        this.releaseCurrent();
        this.curOwned = true;
        this.cur = this.store;
        this.pos = this.end = 0;
      } else if (!this.curOwned) {
        this.adopt(0);
      }
      this.appendToStore(this.nxt, this.nxtPos, this.nxt.length, 0);
      this.nxt = null;
      return;
    }
    this.suspend(this.remaining > 0 && this.bulkLen >= 0 ? this.bulkLen + 2 : 0);
  }

  /**
   * The next complete command as an argv of latin1 strings, or null when more
   * bytes are needed. Never returns an empty argv. Throws ProtocolError.
   */
  next(): string[] | null {
    outer: for (;;) {
      const buf = this.cur;
      let pos = this.pos;
      const end = this.end;

      if (this.remaining === 0) {
        if (pos >= end) {
          if (this.refill(0)) continue;
          return null;
        }
        if (buf[pos] !== STAR) {
          // Inline command: one line ending at LF.
          const lf = this.findLineEnd(buf, pos, end, LF);
          if (lf < 0) {
            if (end - pos > this.maxInlineLength) throw protocolError(E_BIG_INLINE);
            if (this.refill(0)) continue;
            return null;
          }
          const lineEnd = lf > pos && buf[lf - 1] === CR ? lf - 1 : lf;
          this.pos = lf + 1;
          const argv = splitArgs(latin1(buf, pos, lineEnd));
          if (argv === null) throw protocolError(E_UNBALANCED);
          if (argv.length === 0) continue;
          this.inline = true;
          return argv;
        }
        // Multibulk header `*N`. Fast path: `*D\r` with one digit 1-9, fully present.
        const d = buf[pos + 1] - 48;
        if (d >= 1 && d <= 9 && buf[pos + 2] === CR && pos + 3 < end && this.scanned === 0) {
          if (d > this.maxUnauthenticatedMultibulk && !this.authenticated) throw protocolError(E_UNAUTH_MULTIBULK);
          this.remaining = d;
          this.bulkLen = -1;
          this.argv = [];
          this.partial = 4;
          pos += 4;
          this.pos = pos;
        } else {
          pos = this.multibulkHeader(buf, pos, end);
          if (pos < 0) {
            if (this.refill(0)) continue;
            return null;
          }
          if (this.remaining === 0) continue;
        }
      }

      // Arguments of a multibulk command.
      const argv = this.argv;
      let remaining = this.remaining;
      let bulkLen = this.bulkLen;
      let partial = this.partial;
      for (;;) {
        if (bulkLen < 0) {
          // Fast path: a short well-formed `$N\r` (1 to 8 digits, no leading zero) fully present.
          if (buf[pos] === DOLLAR && this.scanned === 0) {
            let i = pos + 1;
            let c = buf[i];
            if (c >= 49 && c <= 57) {
              let n = c - 48;
              const limit = Math.min(end - 1, pos + 9);
              for (i++; i < limit; i++) {
                c = buf[i];
                if (c < 48 || c > 57) break;
                n = n * 10 + c - 48;
              }
              if (i < end - 1 && buf[i] === CR && n <= this.maxBulkLength && (this.authenticated || n <= this.maxUnauthenticatedBulk)) {
                partial += i + 2 - pos;
                pos = i + 2;
                bulkLen = n;
              }
            }
          }
        }
        if (bulkLen < 0) {
          const cr = this.findLineEnd(buf, pos, end, CR);
          if (cr < 0) {
            this.saveArgState(pos, remaining, -1, partial);
            if (end - pos > this.maxInlineLength) throw protocolError(E_BIG_BULK);
            if (this.refill(0)) continue outer;
            return null;
          }
          const first = buf[pos];
          if (first !== DOLLAR) throw protocolError(`expected '$', got '${byteAsChar(first)}'`);
          const n = parseStrictInteger(buf, pos + 1, cr);
          if (!(n >= 0 && n <= this.maxBulkLength) || n > MAX_ARGUMENT_LENGTH) {
            throw protocolError(E_INVALID_BULK);
          }
          if (n > this.maxUnauthenticatedBulk && !this.authenticated) throw protocolError(E_UNAUTH_BULK);
          partial += cr + 2 - pos;
          pos = cr + 2;
          bulkLen = n;
        }
        const next = pos + bulkLen + 2;
        if (next > end) {
          this.saveArgState(pos, remaining, bulkLen, partial);
          if (this.refill(bulkLen + 2)) continue outer;
          return null;
        }
        argv.push(latin1(buf, pos, pos + bulkLen));
        partial += bulkLen + 2;
        pos = next;
        bulkLen = -1;
        if (--remaining === 0) break;
      }
      this.pos = pos;
      this.remaining = 0;
      this.bulkLen = -1;
      this.partial = 0;
      this.argv = NO_ARGS; // do not keep the returned (possibly huge) arguments alive
      this.inline = false;
      return argv;
    }
  }

  /**
   * Parses a `*N` line at `pos` (general path). Returns the position after it
   * (with `remaining` set, 0 when N <= 0 and the line is skipped), or -1 when
   * the line is not complete yet.
   */
  private multibulkHeader(buf: Buffer, pos: number, end: number): number {
    const cr = this.findLineEnd(buf, pos, end, CR);
    if (cr < 0) {
      if (end - pos > this.maxInlineLength) throw protocolError(E_BIG_MBULK);
      return -1;
    }
    const n = parseStrictInteger(buf, pos + 1, cr);
    if (!(n <= INT_MAX)) throw protocolError(E_INVALID_MULTIBULK);
    if (n > this.maxUnauthenticatedMultibulk && !this.authenticated) throw protocolError(E_UNAUTH_MULTIBULK);
    this.pos = cr + 2;
    if (n > 0) {
      this.remaining = n;
      this.bulkLen = -1;
      this.argv = [];
      this.partial = cr + 2 - pos;
    }
    return cr + 2;
  }

  private saveArgState(pos: number, remaining: number, bulkLen: number, partial: number): void {
    this.pos = pos;
    this.remaining = remaining;
    this.bulkLen = bulkLen;
    this.partial = partial;
  }

  /**
   * Index of the terminator (`term`, CR or LF) of the line starting at `pos`,
   * or -1 if it is not complete yet. After a CR one more byte must be present.
   * Resumes where the previous search stopped; a NUL before the terminator
   * poisons the line (it never ends, as with C's strchr).
   */
  private findLineEnd(buf: Buffer, pos: number, end: number, term: number): number {
    if (this.poisoned) return -1;
    for (let i = pos + this.scanned; i < end; i++) {
      const c = buf[i];
      if (c === term) {
        if (term === CR && i + 1 >= end) {
          this.scanned = i - pos;
          return -1;
        }
        this.scanned = 0;
        return i;
      }
      if (c === 0) {
        this.poisoned = true;
        return -1;
      }
    }
    this.scanned = end - pos;
    return -1;
  }

  /**
   * Makes more bytes available after `cur` ran out mid-token: switches to the
   * pending borrowed chunk, or moves just enough of it into `store` to complete
   * the token (`bulkToken` = the token's full size for a bulk payload, 0 for a
   * line). Returns false when there is nothing more; the parser is then
   * suspended (no borrowed bytes referenced).
   */
  private refill(bulkToken: number): boolean {
    const nxt = this.nxt;
    if (nxt === null) {
      this.suspend(bulkToken);
      return false;
    }
    if (this.pos >= this.end) {
      this.releaseCurrent();
      this.cur = nxt;
      this.pos = this.nxtPos;
      this.end = nxt.length;
      this.curOwned = false;
      this.nxt = null;
      return true;
    }
    // `cur` is `store` and holds the start of the token; extend it.
    const from = this.nxtPos;
    const avail = nxt.length - from;
    const pending = this.end - this.pos;
    let take: number;
    if (bulkToken > 0) {
      take = Math.min(avail, bulkToken - pending);
    } else {
      // A line: take up to its LF, but never more than can still make a legal line.
      const cap = Math.max(1, this.maxInlineLength + 1 - pending);
      if (this.poisoned) {
        take = Math.min(avail, cap);
      } else {
        const lf = nxt.indexOf(LF, from);
        take = Math.min(lf < 0 ? avail : lf - from + 1, cap);
      }
    }
    if (take <= 0) take = avail;
    this.appendToStore(nxt, from, from + take, bulkToken);
    this.nxtPos = from + take;
    if (this.nxtPos >= nxt.length) this.nxt = null;
    return true;
  }

  /** Stops reading: keeps the unconsumed bytes in parser-owned memory only. */
  private suspend(bulkToken: number): void {
    if (this.pos >= this.end) {
      this.releaseCurrent();
      this.cur = EMPTY_BUFFER;
      this.curOwned = false;
      this.pos = this.end = 0;
    } else if (!this.curOwned) {
      this.adopt(bulkToken);
    }
  }

  /** Forgets the exhausted current buffer; drops `store` if it grew large. */
  private releaseCurrent(): void {
    if (this.curOwned && this.store.length > STORE_RETAIN) this.store = EMPTY_BUFFER;
  }

  /** Moves the unconsumed bytes of the borrowed `cur` into `store` and parses from there. */
  private adopt(sizeHint: number): void {
    const src = this.cur;
    const from = this.pos;
    const to = this.end;
    this.cur = this.store;
    this.curOwned = true;
    this.pos = this.end = 0;
    this.appendToStore(src, from, to, sizeHint);
  }

  /** Appends `src[from, to)` to the bytes in `store` (which must be `cur`); see makeRoom. */
  private appendToStore(src: Buffer, from: number, to: number, sizeHint: number): void {
    const n = to - from;
    if (this.end + n > this.store.length) {
      const pending = this.end - this.pos;
      this.store = makeRoom(this.store, this.pos, this.end, n, sizeHint);
      this.pos = 0;
      this.end = pending;
    }
    src.copy(this.store, this.end, from, to);
    this.cur = this.store;
    this.end += n;
  }
}


