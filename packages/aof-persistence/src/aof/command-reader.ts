/**
 * Incremental reader of the AOF command format:
 *
 *     *<argc>\r\n  then argc times  $<len>\r\n<len bytes>\r\n
 *
 * plus annotation lines (`#...\r\n`, Redis 7 writes `#TS:<unix time>` ones
 * when aof-timestamp-enabled), which are skipped.
 *
 * Feed bytes with `push` in chunks of any size (cut anywhere) and take
 * commands with `next` until it returns null; when the input is over, `end`
 * tells how the stream ended. A byte is examined once: a bulk string that
 * spans chunks is collected piecewise, never re-parsed, and each argument is
 * one latin1 string made straight from the chunk when it fits in one.
 *
 * MULTI/EXEC blocks are tracked so that the end of a stream inside an
 * unfinished block is reported as a truncation at the block's MULTI (Redis
 * reverts such a block: it was never acknowledged as a whole).
 */

/** Redis's text for a malformed AOF (it adds the file name and a hint). */
export const AOF_BAD_FORMAT = 'Bad file format reading the append only file';

/** The longest argument accepted: V8's maximum string length (a latin1 string holds one byte per char). */
export const MAX_AOF_ARGUMENT_LENGTH = 0x1fffffe8;
/** Upper bound on the argument count of one command (Redis reads it into an int). */
export const MAX_AOF_ARGC = 0x7fffffff;

/** What the command `next` just returned is, for MULTI/EXEC handling. */
export const CommandKind = { Other: 0, Multi: 1, Exec: 2 } as const;
export type CommandKind = (typeof CommandKind)[keyof typeof CommandKind];

export type AofReadEnd =
  /** The input ended at a command boundary, outside any MULTI block. */
  | { kind: 'clean'; offset: number }
  /**
   * The input ended inside a command or annotation, or inside a MULTI block.
   * `lastCompleteEnd`: just past the last complete command (or annotation).
   * `multiStart`: where the unfinished MULTI began, if one is open.
   * `validUpTo`: where to cut the file so it holds only complete, committed
   * records (`multiStart` when a block is open, else `lastCompleteEnd`).
   */
  | { kind: 'truncated'; lastCompleteEnd: number; multiStart: number | undefined; validUpTo: number }
  /** Not the AOF format: `offset` is the first offending byte. */
  | { kind: 'error'; offset: number; message: string; detail: string };

const enum State {
  Start,
  Count,
  CountLf,
  BulkStart,
  BulkLen,
  BulkLenLf,
  BulkData,
  BulkCr,
  BulkLf,
  Annotation,
  Failed,
}

export class AofCommandReader {
  /** Absolute offset of the first byte of the command `next` returned last. */
  commandStart = 0;
  /** Absolute offset just past it. */
  commandEnd = 0;
  /** Whether that command was MULTI, EXEC or anything else. */
  commandKind: CommandKind = CommandKind.Other;

  private readonly queue: Buffer[] = [];
  /** Position in queue[0]. */
  private pos = 0;
  /** Absolute offset of queue[0][0]. */
  private base: number;
  private state = State.Start;
  private recordStart: number;
  private lastCompleteEnd: number;
  private multiStart = -1;
  private num = 0;
  private digits = 0;
  private argc = 0;
  private argv: string[] = [];
  private bulkRemaining = 0;
  private bulkParts: Buffer[] = [];
  private failure: { offset: number; detail: string } | undefined;

  /** @param startOffset absolute offset of the first byte pushed (e.g. after an RDB preamble). */
  constructor(startOffset = 0) {
    this.base = startOffset;
    this.recordStart = startOffset;
    this.lastCompleteEnd = startOffset;
  }

  /** Adds input. The reader keeps a reference to `chunk` until it has consumed it. */
  push(chunk: Buffer): void {
    if (chunk.length !== 0) this.queue.push(chunk);
  }

  /** Absolute offset of the next byte to examine. */
  get offset(): number {
    return this.base + this.pos;
  }

  /** True while a MULTI has been read and its EXEC not yet. */
  get inMulti(): boolean {
    return this.multiStart !== -1;
  }

  /** True once the input was found malformed (then `end()` describes it). */
  get failed(): boolean {
    return this.state === State.Failed;
  }

  /**
   * The next complete command (argv as latin1 strings), or null when more
   * input is needed or the input is malformed (see `failed`).
   */
  next(): string[] | null {
    const queue = this.queue;
    while (queue.length !== 0) {
      const buf = queue[0]!;
      const n = buf.length;
      let pos = this.pos;
      while (pos < n) {
        switch (this.state) {
          case State.Start: {
            const c = buf[pos]!;
            this.recordStart = this.base + pos;
            if (c === 42 /* * */) {
              // Fast path: a well-formed command entirely inside this chunk.
              const end = this.parseWhole(buf, pos, n);
              if (end !== -1) {
                this.pos = end;
                return this.completed(end, n);
              }
              this.state = State.Count;
              this.num = 0;
              this.digits = 0;
              pos++;
            } else if (c === 35 /* # */) {
              this.state = State.Annotation;
              pos++;
            } else {
              return this.fail(pos, `expected '*' at the start of a command, found ${describeByte(c)}`);
            }
            break;
          }
          case State.Count:
          case State.BulkLen: {
            const c = buf[pos]!;
            if (c >= 48 && c <= 57) {
              this.num = this.num * 10 + (c - 48);
              this.digits++;
              const limit = this.state === State.Count ? MAX_AOF_ARGC : MAX_AOF_ARGUMENT_LENGTH;
              if (this.num > limit) {
                return this.fail(pos, this.state === State.Count ? 'argument count too large' : 'argument too long');
              }
              pos++;
            } else if (c === 13 && this.digits !== 0) {
              this.state = this.state === State.Count ? State.CountLf : State.BulkLenLf;
              pos++;
            } else {
              const what = this.state === State.Count ? 'argument count' : 'argument length';
              return this.fail(pos, `invalid ${what}: found ${describeByte(c)}`);
            }
            break;
          }
          case State.CountLf: {
            if (buf[pos] !== 10) return this.fail(pos, `expected LF after the argument count, found ${describeByte(buf[pos]!)}`);
            if (this.num < 1) return this.fail(this.recordStart, 'a command needs at least one argument', true);
            this.argc = this.num;
            this.argv = [];
            this.state = State.BulkStart;
            pos++;
            break;
          }
          case State.BulkStart: {
            const c = buf[pos]!;
            if (c !== 36 /* $ */) return this.fail(pos, `expected '$' before an argument, found ${describeByte(c)}`);
            this.state = State.BulkLen;
            this.num = 0;
            this.digits = 0;
            pos++;
            break;
          }
          case State.BulkLenLf: {
            if (buf[pos] !== 10) return this.fail(pos, `expected LF after the argument length, found ${describeByte(buf[pos]!)}`);
            pos++;
            this.bulkRemaining = this.num;
            this.bulkParts.length = 0;
            this.state = State.BulkData;
            break;
          }
          case State.BulkData: {
            const take = Math.min(this.bulkRemaining, n - pos);
            if (take === this.bulkRemaining && this.bulkParts.length === 0) {
              // The whole argument is in this chunk: one string, no copy.
              this.argv.push(buf.toString('latin1', pos, pos + take));
            } else {
              this.bulkParts.push(buf.subarray(pos, pos + take));
              if (take === this.bulkRemaining) {
                this.argv.push(Buffer.concat(this.bulkParts).toString('latin1'));
                this.bulkParts.length = 0;
              }
            }
            pos += take;
            this.bulkRemaining -= take;
            if (this.bulkRemaining === 0) this.state = State.BulkCr;
            break;
          }
          case State.BulkCr: {
            if (buf[pos] !== 13) return this.fail(pos, `expected CRLF after an argument, found ${describeByte(buf[pos]!)}`);
            this.state = State.BulkLf;
            pos++;
            break;
          }
          case State.BulkLf: {
            if (buf[pos] !== 10) return this.fail(pos, `expected CRLF after an argument, found ${describeByte(buf[pos]!)}`);
            pos++;
            if (this.argv.length < this.argc) {
              this.state = State.BulkStart;
              break;
            }
            // A complete command.
            this.state = State.Start;
            this.pos = pos;
            return this.completed(pos, n);
          }
          case State.Annotation: {
            const lf = buf.indexOf(10, pos);
            if (lf === -1) {
              pos = n;
            } else {
              pos = lf + 1;
              this.state = State.Start;
              this.lastCompleteEnd = this.base + pos;
            }
            break;
          }
          case State.Failed:
            return null;
        }
      }
      this.pos = pos;
      this.consumedIfDone(n);
    }
    return null;
  }

  /**
   * How the input ended; call once everything was pushed and `next` returned
   * null. An unfinished annotation counts as truncated (Redis would accept it
   * and then misread whatever is appended after it).
   */
  end(): AofReadEnd {
    if (this.failure !== undefined) {
      return { kind: 'error', offset: this.failure.offset, message: AOF_BAD_FORMAT, detail: this.failure.detail };
    }
    if (this.state === State.Start && this.multiStart === -1) return { kind: 'clean', offset: this.offset };
    const multiStart = this.multiStart === -1 ? undefined : this.multiStart;
    return { kind: 'truncated', lastCompleteEnd: this.lastCompleteEnd, multiStart, validUpTo: multiStart ?? this.lastCompleteEnd };
  }

  /** Finishes the command in `this.argv` that ends at `pos` of the current chunk (of length `n`). */
  private completed(pos: number, n: number): string[] {
    this.commandStart = this.recordStart;
    this.commandEnd = this.base + pos;
    this.lastCompleteEnd = this.commandEnd;
    const argv = this.argv;
    this.argv = [];
    this.commandKind = kindOf(argv[0]!);
    if (this.commandKind === CommandKind.Multi) {
      if (this.multiStart === -1) this.multiStart = this.commandStart;
    } else if (this.commandKind === CommandKind.Exec) {
      this.multiStart = -1;
    }
    this.consumedIfDone(n);
    return argv;
  }

  /**
   * Parses the command starting at `start` (a '*') when it is complete and
   * well formed within `buf[0, n)`: fills `this.argv` and returns the
   * position just past it. Returns -1 otherwise (incomplete, or anything
   * unusual), leaving the byte-by-byte path to handle it and to report any
   * error precisely.
   */
  private parseWhole(buf: Buffer, start: number, n: number): number {
    let pos = start + 1;
    let argc = 0;
    let digits = 0;
    for (; pos < n; pos++) {
      const c = buf[pos]!;
      if (c < 48 || c > 57) break;
      argc = argc * 10 + (c - 48);
      if (++digits > 9) return -1;
    }
    if (argc < 1 || pos + 1 >= n || buf[pos] !== 13 || buf[pos + 1] !== 10) return -1;
    pos += 2;
    const argv: string[] = [];
    for (let i = 0; i < argc; i++) {
      if (pos >= n || buf[pos] !== 36) return -1;
      pos++;
      let len = 0;
      digits = 0;
      for (; pos < n; pos++) {
        const c = buf[pos]!;
        if (c < 48 || c > 57) break;
        len = len * 10 + (c - 48);
        if (++digits > 9) return -1;
      }
      if (digits === 0 || len > MAX_AOF_ARGUMENT_LENGTH || pos + 1 >= n || buf[pos] !== 13 || buf[pos + 1] !== 10) return -1;
      pos += 2;
      const end = pos + len;
      if (end + 2 > n || buf[end] !== 13 || buf[end + 1] !== 10) return -1;
      argv.push(buf.toString('latin1', pos, end));
      pos = end + 2;
    }
    this.argv = argv;
    return pos;
  }

  private consumedIfDone(n: number): void {
    if (this.pos === n) {
      this.queue.shift();
      this.base += n;
      this.pos = 0;
    }
  }

  /** `at` is a position in the current chunk, or an absolute offset when `absolute`. */
  private fail(at: number, detail: string, absolute = false): null {
    this.failure = { offset: absolute ? at : this.base + at, detail };
    this.state = State.Failed;
    return null;
  }
}

/** One parsed command with its byte range (for tests and small inputs). */
export interface AofCommand {
  argv: string[];
  start: number;
  end: number;
}

/** Reads a whole buffer: every complete command, and how the input ended. */
export function readAofCommands(bytes: Buffer, startOffset = 0): { commands: AofCommand[]; end: AofReadEnd } {
  const reader = new AofCommandReader(startOffset);
  reader.push(bytes);
  const commands: AofCommand[] = [];
  for (let argv = reader.next(); argv !== null; argv = reader.next()) {
    commands.push({ argv, start: reader.commandStart, end: reader.commandEnd });
  }
  return { commands, end: reader.end() };
}

function kindOf(name: string): CommandKind {
  if (name.length === 5 && name.toLowerCase() === 'multi') return CommandKind.Multi;
  if (name.length === 4 && name.toLowerCase() === 'exec') return CommandKind.Exec;
  return CommandKind.Other;
}

function describeByte(c: number): string {
  return c >= 33 && c <= 126 ? `'${String.fromCharCode(c)}'` : `byte 0x${c.toString(16).padStart(2, '0')}`;
}
