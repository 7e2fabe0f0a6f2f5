import { LexBound, type LexRange, type ScoreRange } from '@aki/keyspace';
import { formatDouble } from '@aki/resp-codec';

/*
 * Score, range and score-text rules of the sorted set commands, as Redis
 * reads and prints them.
 *
 * Redis reads every score with C's strtod, so aki accepts exactly what glibc's
 * strtod does: optional sign, decimal digits with an optional point and
 * exponent, hexadecimal floats ("0x1.8p3"), "inf"/"infinity" in any case
 * ("nan" parses but is refused). What differs is the check around it:
 *
 *   scores, increments, weights (getDoubleFromObject): the whole argument
 *     must be the number; no leading space; overflow to infinity and
 *     underflow to zero are refused; NaN is refused.
 *   score range ends (zslParseRange): leading spaces are skipped (strtod does
 *     that), overflow is fine ("1e999" is +inf), an empty end is 0, only NaN
 *     is refused, and the check stops at a NUL byte (C strings), so "1\0x"
 *     reads as 1.
 */

/** Position where the last `strtod` call stopped (module scratch: handlers are synchronous). */
let scanEnd = 0;
/** Whether the last `strtod` call overflowed to infinity or underflowed to zero (C's ERANGE). */
let scanRangeError = false;

const isCSpace = (c: number): boolean => c === 32 || (c >= 9 && c <= 13);
const isDigit = (c: number): boolean => c >= 48 && c <= 57;

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const lower = c | 0x20;
  return lower >= 97 && lower <= 102 ? lower - 87 : -1;
}

/** True when `text` at `at` starts with the lower-case ASCII `word`, any case. */
function matchesWord(text: string, at: number, word: string): boolean {
  if (at + word.length > text.length) return false;
  for (let i = 0; i < word.length; i++) {
    if ((text.charCodeAt(at + i) | 0x20) !== word.charCodeAt(i)) return false;
  }
  return true;
}

/**
 * C's strtod on `text` from `from`: returns the value of the longest prefix
 * that is a number and leaves where it stopped in `scanEnd` (`from` when
 * nothing parsed, the value then being 0) and C's ERANGE in `scanRangeError`.
 */
export function strtod(text: string, from: number): number {
  scanRangeError = false;
  const n = text.length;
  let i = from;
  while (i < n && isCSpace(text.charCodeAt(i))) i++;
  const numberStart = i;
  let negative = false;
  let c = text.charCodeAt(i);
  if (c === 43 || c === 45) {
    negative = c === 45;
    c = text.charCodeAt(++i);
  }
  const lower = c | 0x20;
  if (lower === 0x69 /* i */) {
    if (!matchesWord(text, i, 'inf')) return nothingParsed(from);
    i += 3;
    if (matchesWord(text, i, 'inity')) i += 5;
    scanEnd = i;
    return negative ? -Infinity : Infinity;
  }
  if (lower === 0x6e /* n */) {
    if (!matchesWord(text, i, 'nan')) return nothingParsed(from);
    i += 3;
    if (text.charCodeAt(i) === 40 /* ( */) {
      let j = i + 1;
      for (; j < n; j++) {
        const d = text.charCodeAt(j);
        if (!(isDigit(d) || ((d | 0x20) >= 97 && (d | 0x20) <= 122) || d === 95)) break;
      }
      if (text.charCodeAt(j) === 41 /* ) */) i = j + 1;
    }
    scanEnd = i;
    return NaN;
  }
  if (c === 48 && (text.charCodeAt(i + 1) | 0x20) === 0x78 /* 0x */) {
    const hex = hexFloat(text, i + 2);
    if (hex !== undefined) return negative ? -hex : hex;
    // "0x" without hex digits: strtod reads the "0" and stops at the "x".
  }
  let sawDigit = false;
  let nonZero = false;
  while (i < n && isDigit((c = text.charCodeAt(i)))) {
    sawDigit = true;
    if (c !== 48) nonZero = true;
    i++;
  }
  if (text.charCodeAt(i) === 46 /* . */) {
    i++;
    while (i < n && isDigit((c = text.charCodeAt(i)))) {
      sawDigit = true;
      if (c !== 48) nonZero = true;
      i++;
    }
  }
  if (!sawDigit) return nothingParsed(from);
  if ((text.charCodeAt(i) | 0x20) === 0x65 /* e */) {
    let j = i + 1;
    const s = text.charCodeAt(j);
    if (s === 43 || s === 45) j++;
    if (isDigit(text.charCodeAt(j))) {
      while (j < n && isDigit(text.charCodeAt(j))) j++;
      i = j;
    }
  }
  const value = Number(text.slice(numberStart, i));
  if (value === Infinity || value === -Infinity || (value === 0 && nonZero)) scanRangeError = true;
  scanEnd = i;
  return value;
}

function nothingParsed(from: number): number {
  scanEnd = from;
  return 0;
}

/**
 * The hexadecimal float after "0x" at `at` (digits, optional point and
 * digits, optional binary exponent "p[+-]d"), unsigned; sets scanEnd and
 * scanRangeError. Undefined when no hex digit follows.
 */
function hexFloat(text: string, at: number): number | undefined {
  const n = text.length;
  let i = at;
  let mantissa = 0n;
  let digits = 0;
  let fractionDigits = 0;
  let significant = false;
  let dropped = 0; // digits beyond what the mantissa keeps (only their count matters)
  const take = (v: number, inFraction: boolean) => {
    digits++;
    if (v !== 0) significant = true;
    if (mantissa < 1n << 64n) {
      mantissa = (mantissa << 4n) | BigInt(v);
      if (inFraction) fractionDigits++;
    } else if (!inFraction) {
      dropped++;
    }
  };
  let v: number;
  while (i < n && (v = hexValue(text.charCodeAt(i))) !== -1) {
    take(v, false);
    i++;
  }
  if (text.charCodeAt(i) === 46) {
    let j = i + 1;
    let any = false;
    while (j < n && (v = hexValue(text.charCodeAt(j))) !== -1) {
      take(v, true);
      any = true;
      j++;
    }
    if (any || digits > 0) i = j;
  }
  if (digits === 0) return undefined;
  let exponent = 0;
  if ((text.charCodeAt(i) | 0x20) === 0x70 /* p */) {
    let j = i + 1;
    let sign = 1;
    const s = text.charCodeAt(j);
    if (s === 43 || s === 45) {
      if (s === 45) sign = -1;
      j++;
    }
    if (isDigit(text.charCodeAt(j))) {
      let e = 0;
      while (j < n && isDigit(text.charCodeAt(j))) {
        if (e < 100000) e = e * 10 + (text.charCodeAt(j) - 48);
        j++;
      }
      exponent = sign * e;
      i = j;
    }
  }
  scanEnd = i;
  // value = mantissa * 2^(exponent - 4 * fractionDigits + 4 * dropped)
  let value = Number(mantissa);
  let e2 = exponent - 4 * fractionDigits + 4 * dropped;
  while (e2 > 0 && value !== Infinity) {
    const step = Math.min(e2, 1000);
    value *= 2 ** step;
    e2 -= step;
  }
  while (e2 < 0 && value !== 0) {
    const step = Math.min(-e2, 1000);
    value /= 2 ** step;
    e2 += step;
  }
  scanRangeError = value === Infinity || (value === 0 && significant);
  return value;
}

/**
 * A score, increment or weight argument (Redis's getDoubleFromObject):
 * undefined when it is not exactly a finite-or-infinite, non-NaN number.
 */
export function parseScore(text: string): number | undefined {
  if (text.length === 0 || isCSpace(text.charCodeAt(0))) return undefined;
  const value = strtod(text, 0);
  if (scanEnd !== text.length || scanRangeError || value !== value) return undefined;
  return value;
}

/** One end of a score range; undefined when not a number (see the module comment). */
function rangeEnd(text: string, from: number): number | undefined {
  const value = strtod(text, from);
  if ((scanEnd !== text.length && text.charCodeAt(scanEnd) !== 0) || value !== value) return undefined;
  return value;
}

/** `min max` of ZRANGEBYSCORE / ZCOUNT / ZREMRANGEBYSCORE ("(" makes an end exclusive); undefined when invalid. */
export function parseScoreRange(minText: string, maxText: string): ScoreRange | undefined {
  const minExclusive = minText.charCodeAt(0) === 40;
  const min = rangeEnd(minText, minExclusive ? 1 : 0);
  if (min === undefined) return undefined;
  const maxExclusive = maxText.charCodeAt(0) === 40;
  const max = rangeEnd(maxText, maxExclusive ? 1 : 0);
  if (max === undefined) return undefined;
  return { min, max, minExclusive, maxExclusive };
}

/** One end of a lex range: "[x", "(x", "-" or "+"; undefined otherwise. */
function lexEnd(text: string): LexBound | undefined {
  switch (text.charCodeAt(0)) {
    case 91: // [
      return LexBound.Inclusive;
    case 40: // (
      return LexBound.Exclusive;
    case 45: // -
      return text.length === 1 ? LexBound.NegativeInfinity : undefined;
    case 43: // +
      return text.length === 1 ? LexBound.PositiveInfinity : undefined;
    default:
      return undefined;
  }
}

/** `min max` of ZRANGEBYLEX / ZLEXCOUNT / ZREMRANGEBYLEX; undefined when invalid. */
export function parseLexRange(minText: string, maxText: string): LexRange | undefined {
  const minBound = lexEnd(minText);
  if (minBound === undefined) return undefined;
  const maxBound = lexEnd(maxText);
  if (maxBound === undefined) return undefined;
  return { min: minText.slice(1), minBound, max: maxText.slice(1), maxBound };
}

/**
 * A score as text, exactly as replies print it (ReplyWriter.double's
 * format): ZSCAN of a skiplist-encoded set and the scores aki propagates
 * (which strtod reads back to the same double).
 */
export const scoreText = (score: number): string => formatDouble(score);

/**
 * The text ZSCAN prints for a score of a listpack-encoded set: a listpack
 * stores an integral score within +-2^62 as an integer, and ZSCAN prints what
 * is stored; anything else prints as %.17g (as for a skiplist-encoded set).
 */
export function compactScoreText(score: number): string {
  if (Number.isInteger(score) && score >= -4611686018427387904 && score <= 4611686018427387904) {
    return Number.isSafeInteger(score) ? String(score === 0 ? 0 : score) : BigInt(score).toString();
  }
  return formatDouble(score);
}
