import { parseInt64, parseSafeInteger } from '@aki/keyspace';

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
