import { compileGlob } from '@aki/keyspace';
import { Err } from '../errors.js';
import { isOption, parseInteger } from './args.js';
import type { CommandContext } from './types.js';

/** Cursor and option parsing shared by SCAN, HSCAN, SSCAN and ZSCAN. */

export const ERR_INVALID_CURSOR = 'ERR invalid cursor';

const TWO_64 = 1n << 64n;

/**
 * A SCAN cursor as C's strtoul reads it (what Redis uses): optional sign
 * (a negative value wraps modulo 2^64), decimal digits, nothing else; the
 * empty string is 0; leading space or a value beyond 2^64-1 is refused.
 */
export function parseCursor(text: string): number | undefined {
  if (text.length === 0) return 0;
  let i = 0;
  const first = text.charCodeAt(0);
  const negative = first === 45; // '-'
  if (negative || first === 43) i = 1; // '+'
  if (i === text.length || text.length - i > 20) return undefined;
  for (let j = i; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c < 48 || c > 57) return undefined;
  }
  let value = BigInt(text.slice(i));
  if (value >= TWO_64) return undefined;
  if (negative && value !== 0n) value = TWO_64 - value;
  // Only the low 32 bits select a bucket: a 64-bit cursor's high bits are
  // erased by the first step anyway, exactly as in Redis's 64-bit cursor.
  return Number(value & 0xffffffffn);
}

/** What HSCAN / SSCAN / ZSCAN key cursor [MATCH pattern] [COUNT count] asked for. */
export interface CollectionScanArgs {
  cursor: number;
  /** Approximate number of elements to examine (COUNT, default 10). */
  count: number;
  /** The compiled MATCH pattern, or undefined when everything matches. */
  match: ((element: string) => boolean) | undefined;
}

/**
 * Parses argv[2] (the cursor) and the MATCH / COUNT options from argv[3..]
 * of HSCAN, SSCAN or ZSCAN. Replies the error and returns undefined on bad
 * input: "invalid cursor", "value is not an integer or out of range" for
 * COUNT, "syntax error" for COUNT < 1 or an unknown option.
 */
export function parseCollectionScan(ctx: CommandContext, argv: string[]): CollectionScanArgs | undefined {
  const cursor = parseCursor(argv[2]!);
  if (cursor === undefined) {
    ctx.error(ERR_INVALID_CURSOR);
    return undefined;
  }
  let count = 10;
  let pattern: string | undefined;
  for (let i = 3; i < argv.length; i += 2) {
    const option = argv[i]!;
    const hasValue = i + 1 < argv.length;
    if (isOption(option, 'COUNT') && hasValue) {
      const n = parseInteger(argv[i + 1]!);
      if (n === undefined) {
        ctx.error(Err.notInteger);
        return undefined;
      }
      if (n < 1) {
        ctx.error(Err.syntax);
        return undefined;
      }
      count = n;
    } else if (isOption(option, 'MATCH') && hasValue) {
      pattern = argv[i + 1]!;
    } else {
      ctx.error(Err.syntax);
      return undefined;
    }
  }
  const match = pattern === undefined || pattern === '*' ? undefined : compileGlob(pattern);
  return { cursor, count, match };
}

const NOTHING_FOUND: readonly string[] = [];

/**
 * Replies one SCAN / HSCAN / SSCAN / ZSCAN page: [next cursor, [item ...]] (a flat
 * array in RESP3 too). Without `items`, the empty page of a missing key
 * (cursor 0, nothing).
 */
export function replyScanPage(ctx: CommandContext, next: number, items: readonly string[] = NOTHING_FOUND): void {
  const reply = ctx.reply;
  reply.arrayHeader(2);
  reply.bulk(String(next));
  reply.arrayHeader(items.length);
  for (let i = 0; i < items.length; i++) reply.bulk(items[i]!);
}
