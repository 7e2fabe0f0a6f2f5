/**
 * A leader broke the replication protocol (garbage where a reply line or a
 * payload header belongs, an overlong line, an inline command in the stream,
 * a malformed command). The follower should drop the link and retry.
 * `message` is a log-friendly description, not a RESP error.
 */
export class LeaderProtocolError extends Error {
  override name = 'LeaderProtocolError';
}

/**
 * The line that announces the sync payload (REPLICATION.md §2.1):
 * - `$<len>\r\n`        → `{ kind: 'length', length }`: exactly `len` payload bytes follow;
 * - `$EOF:<mark>\r\n`   → `{ kind: 'eof', mark }`: payload bytes follow, then the same
 *                         40-byte mark again;
 * - `-<message>\r\n`    → `{ kind: 'error', message }` (without the `-`).
 */
export type PayloadHeader =
  | { kind: 'length'; length: number }
  | { kind: 'eof'; mark: Buffer }
  | { kind: 'error'; message: string };

export interface LeaderInputOptions {
  /** The longest reply line accepted, CR LF not counted. Default 64 KiB. */
  maxLineLength?: number;
}

/** Length of the `$EOF:` mark (Redis uses 40 random hex characters). */
export const EOF_MARK_LENGTH = 40;

const LF = 10;
const CR = 13;
const EMPTY: Buffer = Buffer.alloc(0);
const EOF_PREFIX = '$EOF:';
const DECIMAL = /^(?:0|[1-9][0-9]*)$/;

/**
 * The follower's incremental reader of what a leader sends on the replication
 * link before the command stream: reply lines (`+PONG`, `+OK`,
 * `+FULLRESYNC <id> <offset>`, `+CONTINUE [<id>]`, `-ERR ...`), then possibly a
 * sync payload, then the start of the command stream (`takeRest`).
 *
 * Buffer contract: chunks passed to `feed` are borrowed; they are copied before
 * `feed` returns. Buffers returned by `readPayload` and `takeRest` belong to the
 * caller: this reader never writes to them (payload bytes are copied exactly
 * once, in `feed`).
 *
 * Lines end at LF; one CR before it is dropped. A line that is empty after that
 * (a lone `\n` or `\r\n`: the leader's keepalive while it prepares the
 * snapshot) is skipped by `readLine` and `readPayloadHeader`, never returned.
 *
 * Results never depend on how the input was split into chunks: the `$EOF:`
 * payload ends at the first occurrence of the mark after the header, found
 * across chunk boundaries (Redis instead compares the last 40 bytes of each
 * read, which is the same thing as long as the leader sends nothing after the
 * mark before the follower's first ACK, as REPLICATION.md §2.1 requires).
 *
 * Misuse (`readPayload` without a payload header, `readLine`/`takeRest` in the
 * middle of a payload) throws a plain Error: that is a bug in the caller.
 */
export class LeaderInput {
  readonly maxLineLength: number;

  /** Owned copies of the fed chunks, never written after creation; unconsumed bytes start at chunks[first][headPos]. */
  private chunks: Buffer[] = [];
  private first = 0;
  private headPos = 0;
  private queued = 0;

  /** Where the search for the current line's LF resumes: chunk index, offset in it, bytes from the head already searched. */
  private scanIdx = 0;
  private scanOff = 0;
  private scanned = 0;

  private mode: 'lines' | 'length' | 'eof' = 'lines';
  /** `length` mode: payload bytes still to come. */
  private remaining = 0;
  /** `eof` mode: the mark, and up to 39 trailing payload bytes held back because they may start it. */
  private mark: Buffer = EMPTY;
  private tail: Buffer = EMPTY;

  constructor(options: LeaderInputOptions = {}) {
    this.maxLineLength = options.maxLineLength ?? 64 * 1024;
  }

  /** Bytes received and not yet returned by any read (held-back mark candidates included). */
  get bufferedBytes(): number {
    return this.queued + this.tail.length;
  }

  /** True between a length/eof payload header and the `readPayload` call that reports `done`. */
  get inPayload(): boolean {
    return this.mode !== 'lines';
  }

  /** Adds received bytes. `chunk` is borrowed: it is copied here. */
  feed(chunk: Buffer): void {
    const n = chunk.length;
    if (n === 0) return;
    this.chunks.push(Buffer.from(chunk));
    this.queued += n;
  }

  /**
   * The next non-empty reply line, without its line terminator, as a latin1
   * string; null until a complete one has arrived. Keepalive newlines are
   * skipped. Throws LeaderProtocolError for a line longer than maxLineLength.
   */
  readLine(): string | null {
    this.expectLines('readLine');
    for (;;) {
      const line = this.nextLine();
      if (line === null || line !== '') return line;
    }
  }

  /**
   * Skips keepalive newlines, then reads the payload header line (see
   * PayloadHeader); null until it is complete. After a `length` or `eof`
   * header, call `readPayload` until it reports `done`. Any other line (also
   * a `$` line with a bad length or a mark that is not exactly 40 bytes)
   * throws LeaderProtocolError.
   */
  readPayloadHeader(): PayloadHeader | null {
    this.expectLines('readPayloadHeader');
    let line: string | null;
    do line = this.nextLine();
    while (line === '');
    if (line === null) return null;
    const first = line.charCodeAt(0);
    if (first === 45 /* - */) return { kind: 'error', message: line.slice(1) };
    if (first !== 36 /* $ */) throw new LeaderProtocolError(`expected the sync payload header, got ${quote(line)}`);
    if (line.startsWith(EOF_PREFIX)) {
      const mark = line.slice(EOF_PREFIX.length);
      if (mark.length !== EOF_MARK_LENGTH) {
        throw new LeaderProtocolError(`the $EOF: mark must be ${EOF_MARK_LENGTH} bytes, got ${quote(line)}`);
      }
      this.mode = 'eof';
      this.mark = Buffer.from(mark, 'latin1');
      this.tail = EMPTY;
      return { kind: 'eof', mark: Buffer.from(this.mark) };
    }
    const digits = line.slice(1);
    const length = DECIMAL.test(digits) ? Number(digits) : NaN;
    if (!Number.isSafeInteger(length)) throw new LeaderProtocolError(`bad sync payload length in ${quote(line)}`);
    this.mode = 'length';
    this.remaining = length;
    return { kind: 'length', length };
  }

  /**
   * The payload bytes available now, in order, and whether the payload is
   * complete (`length` bytes consumed, or the `$EOF:` mark seen; the mark itself
   * is never returned). In `eof` mode up to 39 bytes are held back until they
   * cannot be the start of the mark. Bytes after the payload stay buffered for
   * `readLine`/`takeRest`.
   */
  readPayload(): { chunks: Buffer[]; done: boolean } {
    const out: Buffer[] = [];
    let done: boolean;
    if (this.mode === 'length') {
      const n = Math.min(this.remaining, this.queued);
      this.take(n, out);
      this.remaining -= n;
      done = this.remaining === 0;
    } else if (this.mode === 'eof') {
      done = this.readMarked(out);
    } else {
      throw new Error('LeaderInput.readPayload: no payload header was read');
    }
    if (done) {
      this.mode = 'lines';
      this.mark = EMPTY;
    }
    return { chunks: out, done };
  }

  /** Every unconsumed byte (after the handshake and payload: the start of the command stream), as one new buffer; the reader is then empty. */
  takeRest(): Buffer {
    this.expectLines('takeRest');
    const out = Buffer.allocUnsafe(this.queued);
    let at = 0;
    for (let i = this.first; i < this.chunks.length; i++) {
      const c = this.chunks[i];
      const from = i === this.first ? this.headPos : 0;
      at += c.copy(out, at, from);
    }
    this.chunks = [];
    this.first = this.headPos = this.queued = 0;
    this.resetScan();
    return out;
  }

  /** The next line including empty ones (terminator stripped), consumed; null if incomplete. */
  private nextLine(): string | null {
    const lf = this.findLF();
    if (lf < 0) {
      if (this.scanned > this.maxLineLength + 1) {
        throw new LeaderProtocolError(`reply line longer than ${this.maxLineLength} bytes`);
      }
      return null;
    }
    let len = lf;
    if (len > 0 && this.byteAt(len - 1) === CR) len--;
    if (len > this.maxLineLength) throw new LeaderProtocolError(`reply line longer than ${this.maxLineLength} bytes`);
    let line: string;
    const c = this.chunks[this.first];
    if (c.length - this.headPos >= len) {
      line = c.toString('latin1', this.headPos, this.headPos + len);
      this.consume(lf + 1);
    } else {
      const parts: Buffer[] = [];
      this.take(len, parts);
      line = Buffer.concat(parts).toString('latin1');
      this.consume(lf + 1 - len);
    }
    return line;
  }

  /** Bytes from the head up to the next LF (its index relative to the head), or -1; resumes the previous search. */
  private findLF(): number {
    const chunks = this.chunks;
    let idx = this.scanIdx;
    let off = this.scanOff;
    let scanned = this.scanned;
    while (idx < chunks.length) {
      const c = chunks[idx];
      const lf = c.indexOf(LF, off);
      if (lf >= 0) {
        scanned += lf - off;
        this.scanIdx = idx;
        this.scanOff = lf;
        this.scanned = scanned;
        return scanned;
      }
      scanned += c.length - off;
      idx++;
      off = 0;
    }
    this.scanIdx = idx;
    this.scanOff = 0;
    this.scanned = scanned;
    return -1;
  }

  /** The unconsumed byte at `i` from the head (which must exist). */
  private byteAt(i: number): number {
    let idx = this.first;
    let at = this.headPos + i;
    while (at >= this.chunks[idx].length) {
      at -= this.chunks[idx].length;
      idx++;
    }
    return this.chunks[idx][at];
  }

  /** Moves the next `n` bytes (which must be buffered) to `out` as views of the owned chunks. */
  private take(n: number, out: Buffer[]): void {
    let left = n;
    let idx = this.first;
    let from = this.headPos;
    while (left > 0) {
      const c = this.chunks[idx];
      const avail = c.length - from;
      const k = avail < left ? avail : left;
      out.push(from === 0 && k === c.length ? c : c.subarray(from, from + k));
      left -= k;
      idx++;
      from = 0;
    }
    this.consume(n);
  }

  /** Drops the next `n` buffered bytes. */
  private consume(n: number): void {
    const chunks = this.chunks;
    this.queued -= n;
    while (n > 0) {
      const avail = chunks[this.first].length - this.headPos;
      if (n < avail) {
        this.headPos += n;
        break;
      }
      n -= avail;
      chunks[this.first] = EMPTY;
      this.first++;
      this.headPos = 0;
    }
    if (this.first === chunks.length) {
      chunks.length = 0;
      this.first = 0;
    } else if (this.first > 64 && this.first * 2 > chunks.length) {
      chunks.splice(0, this.first);
      this.first = 0;
    }
    this.resetScan();
  }

  private resetScan(): void {
    this.scanIdx = this.first;
    this.scanOff = this.headPos;
    this.scanned = 0;
  }

  /**
   * `eof` mode: releases every buffered byte that cannot belong to the mark.
   * Invariant: `tail` holds the last min(39, released-so-far) payload bytes not
   * yet returned; any mark occurrence that starts before `tail` was ruled out.
   * Returns true once the mark was found (and consumed).
   */
  private readMarked(out: Buffer[]): boolean {
    const mark = this.mark;
    const L = mark.length;
    while (this.queued > 0) {
      const c = this.chunks[this.first];
      const piece = this.headPos === 0 ? c : c.subarray(this.headPos);
      const t = this.tail.length;
      if (t > 0) {
        // A mark that starts in `tail` ends within the next L-1 bytes.
        const k = Math.min(piece.length, L - 1);
        const window = Buffer.concat([this.tail, piece.subarray(0, k)], t + k);
        const at = window.indexOf(mark);
        if (at >= 0) {
          // at < t: the window holds fewer than L bytes of `piece`
          if (at > 0) out.push(window.subarray(0, at));
          this.tail = EMPTY;
          this.consume(at + L - t);
          return true;
        }
        if (k === piece.length) {
          // the whole piece fits in the window: keep its last L-1 bytes back
          const keep = Math.min(window.length, L - 1);
          if (window.length > keep) out.push(window.subarray(0, window.length - keep));
          this.tail = window.subarray(window.length - keep);
          this.consume(k);
          continue;
        }
        // every start position in `tail` is now ruled out
        out.push(this.tail);
        this.tail = EMPTY;
      }
      const at = piece.indexOf(mark);
      if (at >= 0) {
        if (at > 0) out.push(piece.subarray(0, at));
        this.consume(at + L);
        return true;
      }
      const keep = Math.min(piece.length, L - 1);
      if (piece.length > keep) out.push(piece.subarray(0, piece.length - keep));
      this.tail = piece.subarray(piece.length - keep);
      this.consume(piece.length);
    }
    return false;
  }

  private expectLines(method: string): void {
    if (this.mode !== 'lines') throw new Error(`LeaderInput.${method}: a sync payload is being read`);
  }
}

/** A line shortened and quoted for an error message. */
function quote(line: string): string {
  return JSON.stringify(line.length > 64 ? `${line.slice(0, 64)}...` : line);
}
