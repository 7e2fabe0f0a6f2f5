import type { DigestView } from './digest.js';
import type { EncodingLimits } from './types/encoding.js';
import type { HashValue } from './types/hash.js';
import type { ListValue } from './types/list.js';
import type { SetValue } from './types/set.js';
import type { SortedSetValue } from './types/sorted-set.js';

/**
 * What every collection value class provides beyond its own operations.
 * Contract: a collection stored in a database is never empty (commands
 * delete the key when they remove the last element, as Redis does).
 */
export interface CollectionValue {
  readonly type: 'list' | 'hash' | 'set' | 'zset';
  /** Number of elements (LLEN, HLEN, SCARD, ZCARD). */
  readonly size: number;
  /** A deep copy (COPY; a snapshot will need it to keep a value a write is about to change). */
  clone(): CollectionValue;
  /** OBJECT ENCODING's name for this value as Redis 7.2 would encode it. */
  encoding(limits: EncodingLimits): string;
  /** The elements as the dataset digest sees them (DEBUG DIGEST). */
  digestView(): DigestView;
}

/**
 * A stored value. Strings are latin1 JS strings: one char per byte, so any
 * binary value round-trips. Collections are objects with a `type` tag, so
 * `typeOf` stays a cheap check on the hot path (`typeof value === 'string'`
 * first). The string store keeps strings off the V8 heap; a collection is
 * kept there as a reference.
 */
export type StoredValue = string | ListValue | HashValue | SetValue | SortedSetValue;

/** The names TYPE prints and SCAN TYPE filters on. */
export type ValueType = 'string' | 'list' | 'set' | 'zset' | 'hash' | 'stream';

export function typeOf(value: StoredValue): ValueType {
  return typeof value === 'string' ? 'string' : value.type;
}

/** Largest integer a Redis string can hold as an integer (int64). */
export const INT64_MAX = 9223372036854775807n;
export const INT64_MIN = -9223372036854775808n;

/**
 * The OBJECT ENCODING of a string value, as Redis 7 chooses it: "int" when the
 * string is the canonical form of a 64-bit integer of at most 20 characters,
 * "embstr" for strings up to 44 bytes, "raw" beyond.
 */
export function stringEncoding(value: string): 'int' | 'embstr' | 'raw' {
  if (value.length <= 20 && isCanonicalInt64(value)) return 'int';
  return value.length <= 44 ? 'embstr' : 'raw';
}

/**
 * True when `text` is exactly how Redis prints a signed 64-bit integer: optional
 * '-', no leading zeros (except "0"), no '+', no spaces, within int64 range.
 */
export function isCanonicalInt64(text: string): boolean {
  return parseInt64(text) !== undefined;
}

/**
 * Strict string-to-int64 (Redis string2ll): returns a bigint or undefined.
 * The fast path avoids BigInt for values that fit a double exactly.
 */
export function parseInt64(text: string): bigint | undefined {
  const n = parseSafeInteger(text);
  if (n !== undefined) return BigInt(n);
  const len = text.length;
  if (len === 0 || len > 20) return undefined;
  let i = text.charCodeAt(0) === 45 ? 1 : 0;
  if (i === len) return undefined;
  if (text.charCodeAt(i) === 48) return undefined; // leading zero (plain "0" took the fast path)
  for (; i < len; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
  }
  const value = BigInt(text);
  return value > INT64_MAX || value < INT64_MIN ? undefined : value;
}

/**
 * Strict parse of an integer that fits in a double exactly (|n| <= 2^53 - 1),
 * with string2ll's syntax rules. Undefined for anything else, including
 * valid int64 values beyond 2^53 (callers fall back to parseInt64).
 */
export function parseSafeInteger(text: string): number | undefined {
  const len = text.length;
  if (len === 0 || len > 17) return undefined;
  let i = 0;
  let negative = false;
  if (text.charCodeAt(0) === 45) {
    negative = true;
    i = 1;
    if (len === 1) return undefined;
  }
  const first = text.charCodeAt(i);
  if (first === 48) return len === i + 1 && !negative ? 0 : undefined;
  let n = 0;
  for (; i < len; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return undefined;
    n = n * 10 + c;
  }
  if (n > Number.MAX_SAFE_INTEGER) return undefined;
  return negative ? -n : n;
}
