import { ProtocolError, RequestParser } from '@aki/resp-codec';
import { LeaderProtocolError } from './leader-input.js';

/**
 * The largest bulk argument accepted from a leader: 1 GiB. Deliberately far
 * above a client's proto-max-bulk-len default (a leader relays whatever its
 * clients were allowed to write) but never unlimited. In practice the
 * RequestParser also caps arguments at MAX_ARGUMENT_LENGTH (the longest JS
 * string, about 512 MiB), which is then the effective limit.
 */
export const REPLICATION_MAX_BULK_LENGTH = 1024 * 1024 * 1024;

export interface StreamCommand {
  /** The command's arguments as latin1 strings (one char per byte). */
  argv: string[];
  /** Its exact length in the stream: what it adds to the replication offset. */
  bytes: number;
}

export interface StreamCommandReaderOptions {
  /** Largest accepted `$N`. Default REPLICATION_MAX_BULK_LENGTH. */
  maxBulkLength?: number;
}

/**
 * The canonical RESP length of a command: `*<N>\r\n` then, per argument,
 * `$<len>\r\n<bytes>\r\n`. Arguments are latin1 strings, so a string's length
 * is its byte count.
 */
export function encodedLength(argv: readonly string[]): number {
  let n = 3 + decimalLength(argv.length);
  for (let i = 0; i < argv.length; i++) {
    const len = argv[i].length;
    n += 5 + decimalLength(len) + len;
  }
  return n;
}

function decimalLength(v: number): number {
  let n = 1;
  while (v >= 10) {
    v = Math.floor(v / 10);
    n++;
  }
  return n;
}

/**
 * Parses the replication stream a follower applies (after `+CONTINUE`, or
 * after the sync payload): RESP arrays of bulk strings only.
 *
 * Byte counts: `bytes` is `encodedLength(argv)`, which equals the bytes the
 * command occupied on the wire because resp-codec's RequestParser accepts only
 * canonical lengths: `*N` and `$N` are parsed with Redis's strict integer rules
 * (no sign, no leading zeros, no spaces), and every terminator it skips (after
 * `*N`, after `$N`, after a bulk payload) is exactly 2 bytes even though the
 * byte after CR is not checked.
 *
 * Bytes the parser skips without producing a command are not in any `bytes`;
 * they are added to `skippedBytes` instead: keepalive newlines (`\n`, `\r\n`,
 * or any blank line) and empty-array headers (`*0\r\n`, `*-1\r\n`). Redis
 * 7.0.15 as a follower counts such bytes in its offset too (observed: a fake
 * leader's `\n\n\n*0\r\n` in the stream raised slave_repl_offset by 7), so a
 * caller that wants Redis's exact arithmetic adds `skippedBytes`.
 *
 * A non-blank inline command is a protocol error (LeaderProtocolError), as is
 * every RESP violation the parser reports (its ProtocolError is wrapped, with
 * the original as `cause`). After an error the reader is unusable.
 *
 * Buffer contract (RequestParser's): a chunk passed to `feed` is borrowed until
 * `next()` returned null or `compact()` was called; argv strings never
 * reference it.
 */
export class StreamCommandReader {
  private readonly parser: RequestParser;
  /** Bytes fed so far. */
  private fed = 0;
  /** Bytes fed and fully accounted for (returned in a command or skipped). */
  private accounted = 0;
  private skipped = 0;

  constructor(options: StreamCommandReaderOptions = {}) {
    // `authenticated` stays true: the unauthenticated request limits do not apply to a leader.
    this.parser = new RequestParser({ maxBulkLength: options.maxBulkLength ?? REPLICATION_MAX_BULK_LENGTH });
  }

  /** Adds stream bytes (borrowed; see the class comment). */
  feed(chunk: Buffer): void {
    this.parser.feed(chunk);
    this.fed += chunk.length;
  }

  /** Copies every still-borrowed byte into reader-owned memory (when stopping before next() returned null). */
  compact(): void {
    this.parser.compact();
  }

  /** The next complete command, or null when more bytes are needed. Throws LeaderProtocolError. */
  next(): StreamCommand | null {
    const parser = this.parser;
    let argv: string[] | null;
    try {
      argv = parser.next();
    } catch (error) {
      if (error instanceof ProtocolError) {
        throw new LeaderProtocolError(`bad replication stream from the leader: ${error.message}`, { cause: error });
      }
      throw error;
    }
    const consumed = this.fed - parser.bufferedBytes;
    if (argv === null) {
      this.skipped += consumed - this.accounted;
      this.accounted = consumed;
      return null;
    }
    if (parser.lastWasInline) {
      throw new LeaderProtocolError(`inline command from the leader (stream desync?): ${JSON.stringify(argv.join(' ').slice(0, 64))}`);
    }
    const bytes = encodedLength(argv);
    this.skipped += consumed - this.accounted - bytes;
    this.accounted = consumed;
    return { argv, bytes };
  }

  /** Total bytes skipped so far without being part of a command (see the class comment). */
  get skippedBytes(): number {
    return this.skipped;
  }

  /** Bytes received but not yet returned or skipped (a partial command included): read offset minus applied offset. */
  get bufferedBytes(): number {
    return this.parser.bufferedBytes;
  }
}
