import { INT64_MAX, INT64_MIN, parseInt64, parseSafeInteger } from '@aki/keyspace';
import { Err } from '../errors.js';
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

const DECIMAL_FLOAT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INFINITY_TEXT = /^[+-]?inf(?:inity)?$/i;

/**
 * The timeout of a blocking command in seconds, possibly fractional (Redis's
 * getTimeoutFromObjectOrReply with UNIT_SECONDS): returns the absolute
 * deadline in unix ms, or 0 for "block forever" (a timeout of 0), or
 * undefined after replying "timeout is not a float or out of range",
 * "timeout is negative" or "timeout is out of range". Fractions of a
 * millisecond round up, as Redis's ceill does.
 */
export function blockingTimeoutArg(ctx: CommandContext, text: string): number | undefined {
  let seconds: number;
  if (DECIMAL_FLOAT.test(text)) seconds = Number(text);
  else if (INFINITY_TEXT.test(text)) seconds = text.startsWith('-') ? -Infinity : Infinity;
  else {
    ctx.error(Err.timeoutNotFloat);
    return undefined;
  }
  const ms = seconds * 1000;
  if (ms > 9.223372036854776e18) {
    ctx.error(Err.timeoutOutOfRange);
    return undefined;
  }
  const rounded = Math.ceil(ms);
  if (rounded < 0) {
    ctx.error(Err.timeoutNegative);
    return undefined;
  }
  if (rounded === 0) return 0;
  if (rounded > 9.223372036854776e18 - ctx.now) {
    ctx.error(Err.timeoutOutOfRange);
    return undefined;
  }
  return rounded + ctx.now;
}
