import { INT64_MAX, INT64_MIN, parseInt64, parseSafeInteger } from '@aki/keyspace';
import { Err } from '../errors.js';
import { timeoutMillis } from './long-double.js';
import type { CommandContext } from './types.js';

/** Argument parsing shared by command handlers. */

/**
 * Strict int64 parse (Redis string2ll) returning a number, or undefined when
 * the text is not a canonical int64. Values beyond 2^53 come back rounded;
 * callers that need exact 64-bit arithmetic use parseInt64.
 */
export function parseInteger(text: string): number | undefined {
  const n = parseSafeInteger(text);
  if (n !== undefined) return n;
  const big = parseInt64(text);
  return big === undefined ? undefined : Number(big);
}

/**
 * The canonical text of INT64_MIN, the one int64 whose negation overflows:
 * Redis's [-LONG_MAX, LONG_MAX] range checks refuse it (the number form
 * cannot tell it from -2^63+1 once rounded to a double).
 */
export const INT64_MIN_TEXT = '-9223372036854775808';

/**
 * A signed 64-bit argument (Redis getLongLongFromObjectOrReply) as a number,
 * rounded beyond 2^53; undefined after replying "value is not an integer or
 * out of range".
 */
export function longArg(ctx: CommandContext, text: string): number | undefined {
  const n = parseInteger(text);
  if (n === undefined) ctx.error(Err.notInteger);
  return n;
}

/**
 * An exact int64 argument (INCRBY, HINCRBY amounts): a number when it is a
 * safe integer, a bigint beyond; undefined after replying "value is not an
 * integer or out of range".
 */
export function int64Arg(ctx: CommandContext, text: string): number | bigint | undefined {
  const n = parseSafeInteger(text);
  if (n !== undefined) return n;
  const big = parseInt64(text);
  if (big === undefined) ctx.error(Err.notInteger);
  return big;
}

/**
 * The stored int64 text `current` plus `by` in exact 64-bit arithmetic (INCRBY
 * and HINCRBY): the sum as a number when it is a safe integer, a bigint
 * beyond. Undefined after replying `notInteger` when `current` is not an
 * int64, or "increment or decrement would overflow" when the sum leaves int64.
 */
export function addToInt64Text(ctx: CommandContext, current: string, by: number | bigint, notInteger: string): number | bigint | undefined {
  const n = parseSafeInteger(current);
  if (n !== undefined && typeof by === 'number' && Number.isSafeInteger(n + by)) return n + by;
  const big = n !== undefined ? BigInt(n) : parseInt64(current);
  if (big === undefined) {
    ctx.error(notInteger);
    return undefined;
  }
  const sum = big + BigInt(by);
  if (sum > INT64_MAX || sum < INT64_MIN) {
    ctx.error(Err.overflow);
    return undefined;
  }
  return sum;
}

/**
 * A count that must be a non-negative int64 (Redis getPositiveLongFromObjectOrReply):
 * a negative or non-integer text gets `message` ("value is out of range, must
 * be positive" unless the command names its own). Undefined after replying.
 */
export function nonNegativeArg(ctx: CommandContext, text: string, message: string = Err.notPositive): number | undefined {
  const n = parseInteger(text);
  if (n === undefined || n < 0) {
    ctx.error(message);
    return undefined;
  }
  return n;
}

/** Case-insensitive comparison of an argument with an upper-case option word. */
export function isOption(arg: string, upperCaseWord: string): boolean {
  return arg.length === upperCaseWord.length && arg.toUpperCase() === upperCaseWord;
}

/**
 * A C int argument (Redis getIntFromObjectOrReply): not an int64 -> "value is
 * not an integer or out of range"; an int64 outside int32 -> "value is out of
 * range, value must between ..."; with `message`, that text for both.
 * Returns undefined after replying.
 */
export function int32Arg(ctx: CommandContext, text: string, message?: string): number | undefined {
  const n = parseInteger(text);
  if (n === undefined) {
    ctx.error(message ?? Err.notInteger);
    return undefined;
  }
  if (n < -2147483648 || n > 2147483647) {
    ctx.error(message ?? Err.notInt32);
    return undefined;
  }
  return n;
}

/** A DB index argument: replies the error and returns undefined when not an int or out of range. */
export function dbIndexArg(ctx: CommandContext, text: string): number | undefined {
  const index = int32Arg(ctx, text);
  if (index === undefined) return undefined;
  if (index < 0 || index >= ctx.server.keyspace.databases.length) {
    ctx.error(Err.dbIndexOutOfRange);
    return undefined;
  }
  return index;
}

/** An absolute time in unix ms with its exact decimal text (the number is rounded beyond 2^53). */
export interface AbsoluteTime {
  ms: number;
  text: string;
}

/**
 * Resolves an expiry argument: int64 `text` times `unitMs` (1000 for seconds)
 * plus `baseMs` (the command's time for relative forms, 0 for absolute ones),
 * as Redis computes it in 64-bit arithmetic. Not an int64 -> "value is not an
 * integer or out of range"; a result outside int64, or (with `mustBePositive`,
 * the SET/GETEX/SETEX rule) a value <= 0 -> "invalid expire time in
 * '<command>' command". Returns undefined after replying the error.
 */
export function absoluteTimeArg(
  ctx: CommandContext,
  text: string,
  unitMs: number,
  baseMs: number,
  command: string,
  mustBePositive: boolean,
): AbsoluteTime | undefined {
  const n = parseSafeInteger(text);
  if (n !== undefined) {
    if (mustBePositive && n <= 0) {
      ctx.error(Err.invalidExpire(command));
      return undefined;
    }
    const ms = n * unitMs + baseMs;
    if (Number.isSafeInteger(ms)) return { ms, text: String(ms) };
  }
  const big = parseInt64(text);
  if (big === undefined) {
    ctx.error(Err.notInteger);
    return undefined;
  }
  const scaled = big * BigInt(unitMs);
  const ms = scaled + BigInt(baseMs);
  if ((mustBePositive && big <= 0n) || scaled > INT64_MAX || scaled < INT64_MIN || ms > INT64_MAX) {
    ctx.error(Err.invalidExpire(command));
    return undefined;
  }
  return { ms: Number(ms), text: String(ms) };
}

/**
 * The timeout of a blocking command in seconds, possibly fractional (Redis's
 * getTimeoutFromObjectOrReply with UNIT_SECONDS; the text is read as C's
 * strtold does, see timeoutMillis: "0x10" is 16 s, "1e-400" 1 ms, " 1" and
 * "nan" are refused): returns the absolute deadline in unix ms, or 0 for
 * "block forever" (a timeout of 0, or one that rounds up to 0 ms), or
 * undefined after replying "timeout is not a float or out of range",
 * "timeout is negative" or "timeout is out of range" (Redis 7.2's texts:
 * over INT64_MAX ms, or a deadline past it).
 */
export function blockingTimeoutArg(ctx: CommandContext, text: string): number | undefined {
  const ms = timeoutMillis(text);
  if (ms === undefined) {
    ctx.error(Err.timeoutNotFloat);
    return undefined;
  }
  if (ms === Infinity) {
    ctx.error(Err.timeoutOutOfRange);
    return undefined;
  }
  if (ms < 0) {
    ctx.error(Err.timeoutNegative);
    return undefined;
  }
  if (ms === 0) return 0;
  if (ms > 9.223372036854776e18 - ctx.now) {
    ctx.error(Err.timeoutOutOfRange);
    return undefined;
  }
  return ms + ctx.now;
}

/** Redis's LONG_MAX / 2: the largest |count| of a random pick that replies pairs. */
const HALF_INT64_MAX = INT64_MAX / 2n;

/**
 * The count of SRANDMEMBER / HRANDFIELD / ZRANDMEMBER key count [pairOption]
 * at argv[2], checked as Redis does before the key is looked up: not an int64
 * -> "value is not an integer or out of range"; -2^63 -> "value is out of
 * range, value must between ..."; then, with `pairOption` (WITHVALUES,
 * WITHSCORES), anything else at argv[3] or more arguments -> syntax error,
 * and with the option given |count| above 2^62-1 -> "value is out of range"
 * (the reply holds two elements a pick). Returns the count, rounded beyond
 * 2^53 (such a count only compares with sizes), or undefined after replying.
 */
export function randomCountArg(ctx: CommandContext, argv: readonly string[], pairOption?: string): number | undefined {
  const text = argv[2]!;
  const count = parseSafeInteger(text);
  const big = count === undefined ? parseInt64(text) : undefined;
  if (count === undefined) {
    if (big === undefined) {
      ctx.error(Err.notInteger);
      return undefined;
    }
    if (big === INT64_MIN) {
      ctx.error(Err.outsideLongRange);
      return undefined;
    }
  }
  if (pairOption !== undefined) {
    if (argv.length > 4 || (argv.length === 4 && !isOption(argv[3]!, pairOption))) {
      ctx.error(Err.syntax);
      return undefined;
    }
    if (argv.length === 4 && big !== undefined && (big > HALF_INT64_MAX || big < -HALF_INT64_MAX)) {
      ctx.error(Err.outOfRange);
      return undefined;
    }
  }
  return count ?? Number(big);
}

/** The fewest bytes one element of an array reply takes: an empty bulk string, `$0\r\n\r\n`. */
export const MIN_REPLY_ELEMENT_BYTES = 6;

/**
 * For a reply whose size the data does not bound (a negative count of
 * SRANDMEMBER, HRANDFIELD or ZRANDMEMBER repeats picks: -200000000 asks for
 * 200 million elements of a one-element set): replies an error and returns
 * true when even the smallest such reply, `elements` x `bytesEach`, cannot
 * fit in what the client may still have pending (ReplyWriter.maxLength).
 * Building it would block the event loop for seconds and fill memory only
 * for the output limit to drop the client. O(1): call it before any work.
 * `bytesEach` must be a lower bound (MIN_REPLY_ELEMENT_BYTES, twice that for
 * field-value or member-score pairs), so no reply that fits is refused.
 */
export function refuseOversizedReply(ctx: CommandContext, elements: number, bytesEach: number): boolean {
  const reply = ctx.reply;
  if (elements * bytesEach <= reply.maxLength - reply.length) return false;
  ctx.error(Err.countTooLarge(reply.maxLength));
  return true;
}

/** What mpopArgs read. One shared object (handlers are synchronous): copy what must outlive the call. */
export interface MpopArgs {
  /** argv index of the first key. */
  firstKey: number;
  /** argv index of the last key. */
  lastKey: number;
  /** True for the second direction word (RIGHT, MAX), false for the first (LEFT, MIN). */
  second: boolean;
  /** The COUNT option, 1 when absent. */
  count: number;
}

const mpopResult: MpopArgs = { firstKey: 0, lastKey: 0, second: false, count: 1 };

/**
 * Parses `numkeys key [key ...] first|second [COUNT count]` from argv[at]
 * (LMPOP / BLMPOP: LEFT|RIGHT; ZMPOP / BZMPOP: MIN|MAX), with Redis's errors:
 * numkeys not an integer or below 1 -> "numkeys should be greater than 0";
 * too few arguments for the keys and the direction, another direction word,
 * an unknown, repeated or value-less option -> syntax error; a COUNT below 1
 * -> "count should be greater than 0". Undefined after replying.
 */
export function mpopArgs(
  ctx: CommandContext,
  argv: readonly string[],
  at: number,
  firstWord: string,
  secondWord: string,
): MpopArgs | undefined {
  const numkeys = parseInteger(argv[at]!);
  if (numkeys === undefined || numkeys < 1) {
    ctx.error(Err.numkeysNotPositive);
    return undefined;
  }
  const whereIndex = at + numkeys + 1;
  if (whereIndex >= argv.length) {
    ctx.error(Err.syntax);
    return undefined;
  }
  const where = argv[whereIndex]!;
  let second: boolean;
  if (isOption(where, firstWord)) second = false;
  else if (isOption(where, secondWord)) second = true;
  else {
    ctx.error(Err.syntax);
    return undefined;
  }
  let count = 0; // 0: no COUNT given
  for (let j = whereIndex + 1; j < argv.length; j++) {
    if (count === 0 && j + 1 < argv.length && isOption(argv[j]!, 'COUNT')) {
      const n = parseInteger(argv[++j]!);
      if (n === undefined || n < 1) {
        ctx.error(Err.countNotPositive);
        return undefined;
      }
      count = n;
    } else {
      ctx.error(Err.syntax);
      return undefined;
    }
  }
  mpopResult.firstKey = at + 1;
  mpopResult.lastKey = whereIndex - 1;
  mpopResult.second = second;
  mpopResult.count = count === 0 ? 1 : count;
  return mpopResult;
}
