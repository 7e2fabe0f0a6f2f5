/**
 * Redis's long double arithmetic: INCRBYFLOAT and HINCRBYFLOAT, and the
 * seconds of a blocking command's timeout.
 */
import { INT64_MAX } from '@aki/keyspace';
import { Err } from '../errors.js';

// INCRBYFLOAT: Redis adds in C `long double` (x87 80-bit extended precision on
// x86-64) and prints the sum with "%.17Lf" minus trailing zeros, so
// `0.1 + 0.2` is "0.3" and 1e-20 prints as "0". Doubles would print
// "0.30000000000000004"; to give the same bytes as Redis, the arithmetic below
// emulates the 80-bit format exactly with BigInt: round-to-nearest-even to a
// 64-bit significand, exponent range of the x87 format (subnormals included).

/** A finite 80-bit extended value: (negative ? -1 : 1) * mantissa * 2^exponent, mantissa < 2^64. */
interface Extended {
  negative: boolean;
  mantissa: bigint;
  exponent: number;
}

const EXT_MANTISSA_BITS = 64;
/** Exponent (of the mantissa's lowest bit) of the smallest subnormal: 2^-16445. */
const EXT_MIN_EXPONENT = -16445;
/** Largest exponent of a finite value: below 2^16384 with a 64-bit mantissa. */
const EXT_MAX_EXPONENT = 16384 - EXT_MANTISSA_BITS;
/** Redis refuses float strings of this many characters or more (MAX_LONG_DOUBLE_CHARS). */
const MAX_FLOAT_TEXT = 5 * 1024;
const TWO_64 = 1n << 64n;
const TEN_17 = 10n ** 17n;

const bitLength = (n: bigint): number => (n === 0n ? 0 : n.toString(2).length);

/**
 * Rounds num / den * 2^exp2 (num >= 0, den > 0) to the 80-bit format.
 * Returns null on overflow (the value would be infinite).
 */
function roundExtended(negative: boolean, num: bigint, den: bigint, exp2: number): Extended | null {
  if (num === 0n) return { negative, mantissa: 0n, exponent: 0 };
  // Choose a shift so that the quotient has 64 bits, then clamp for subnormals.
  let shift = EXT_MANTISSA_BITS - (bitLength(num) - bitLength(den));
  let quotient = shifted(num, den, shift);
  if (quotient >= TWO_64) {
    shift--;
    quotient = shifted(num, den, shift);
  }
  if (exp2 - shift < EXT_MIN_EXPONENT) {
    shift = exp2 - EXT_MIN_EXPONENT;
    quotient = shifted(num, den, shift);
  }
  // Remainder test for round-half-even: compare num*2^shift - q*den with den/2.
  const scaledNum = shift >= 0 ? num << BigInt(shift) : num;
  const scaledDen = shift >= 0 ? den : den << BigInt(-shift);
  const twiceRemainder = 2n * (scaledNum - quotient * scaledDen);
  if (twiceRemainder > scaledDen || (twiceRemainder === scaledDen && (quotient & 1n) === 1n)) quotient++;
  let exponent = exp2 - shift;
  if (quotient === TWO_64) {
    quotient >>= 1n;
    exponent++;
  }
  if (exponent > EXT_MAX_EXPONENT) return null;
  return { negative, mantissa: quotient, exponent };
}

function shifted(num: bigint, den: bigint, shift: number): bigint {
  return shift >= 0 ? (num << BigInt(shift)) / den : num / (den << BigInt(-shift));
}

const FLOAT_DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;
const FLOAT_HEX = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?\d+))?$/;
const FLOAT_INFINITY = /^([+-]?)(inf|infinity)$/i;

/** Clamps a decimal exponent's text to a safe number (anything this large over/underflows anyway). */
function exponentValue(text: string | undefined): number {
  if (text === undefined) return 0;
  const n = Number(text);
  return Math.max(-1e7, Math.min(1e7, n));
}

/**
 * Parses a float as Redis's string2ld does (strtold, then refuse leading space,
 * trailing bytes, NaN, overflow and underflow to zero): decimal or hex
 * (0x1.8p3) notation, inf/infinity. Returns the value, Infinity/-Infinity, or
 * undefined when invalid.
 */
function parseExtended(text: string): Extended | number | undefined {
  if (text.length === 0 || text.length >= MAX_FLOAT_TEXT) return undefined;
  const decimal = FLOAT_DECIMAL.exec(text);
  if (decimal !== null) {
    const [, sign, intDigits = '', fracDigits = '', exp] = decimal;
    if (intDigits.length + fracDigits.length === 0) return undefined;
    const negative = sign === '-';
    const digits = (intDigits + fracDigits).replace(/^0+/, '');
    if (digits.length === 0) return { negative, mantissa: 0n, exponent: 0 };
    const power = exponentValue(exp) - fracDigits.length;
    const magnitude = digits.length - 1 + power; // value is in [10^magnitude, 10^(magnitude+1))
    if (magnitude > 4933 || magnitude < -4952) return undefined; // certain overflow or underflow to 0
    const d = BigInt(digits);
    const value =
      power >= 0 ? roundExtended(negative, d * 10n ** BigInt(power), 1n, 0) : roundExtended(negative, d, 10n ** BigInt(-power), 0);
    return value === null || value.mantissa === 0n ? undefined : value;
  }
  const hex = FLOAT_HEX.exec(text);
  if (hex !== null) {
    const [, sign, intDigits = '', fracDigits = '', exp] = hex;
    if (intDigits.length + fracDigits.length === 0) return undefined;
    const negative = sign === '-';
    const mantissa = BigInt(`0x${intDigits}${fracDigits}`);
    if (mantissa === 0n) return { negative, mantissa: 0n, exponent: 0 };
    const exp2 = exponentValue(exp) - 4 * fracDigits.length;
    if (exp2 + bitLength(mantissa) > 16400 || exp2 + bitLength(mantissa) < -16500) return undefined;
    const value = roundExtended(negative, mantissa, 1n, exp2);
    return value === null || value.mantissa === 0n ? undefined : value;
  }
  const infinity = FLOAT_INFINITY.exec(text);
  if (infinity !== null) return infinity[1] === '-' ? -Infinity : Infinity;
  return undefined;
}

/** a + b rounded to the 80-bit format; null when the sum overflows. */
function addExtended(a: Extended, b: Extended): Extended | null {
  if (a.mantissa === 0n) return b.mantissa === 0n ? { negative: a.negative && b.negative, mantissa: 0n, exponent: 0 } : b;
  if (b.mantissa === 0n) return a;
  const exponent = Math.min(a.exponent, b.exponent);
  const av = (a.negative ? -a.mantissa : a.mantissa) << BigInt(a.exponent - exponent);
  const bv = (b.negative ? -b.mantissa : b.mantissa) << BigInt(b.exponent - exponent);
  const sum = av + bv;
  return roundExtended(sum < 0n, sum < 0n ? -sum : sum, 1n, exponent);
}

/** Formats like C's printf("%.17Lf") followed by Redis's trailing-zero trim and "-0" -> "0". */
function formatExtended(v: Extended): string {
  let scaled: bigint;
  if (v.exponent >= 0) {
    scaled = (v.mantissa << BigInt(v.exponent)) * TEN_17;
  } else {
    const bits = BigInt(-v.exponent);
    const num = v.mantissa * TEN_17;
    scaled = num >> bits;
    const remainder = num - (scaled << bits);
    const half = 1n << (bits - 1n);
    if (remainder > half || (remainder === half && (scaled & 1n) === 1n)) scaled++;
  }
  const digits = scaled.toString().padStart(18, '0');
  const integerPart = digits.slice(0, digits.length - 17);
  const fraction = digits.slice(digits.length - 17).replace(/0+$/, '');
  const text = fraction.length === 0 ? integerPart : `${integerPart}.${fraction}`;
  return v.negative && text !== '0' ? `-${text}` : text;
}

/** Outcome of a float increment: the new value's text, or the error to reply. */
export type FloatIncrement = { ok: true; value: string } | { ok: false; error: string };

/**
 * Adds the float text `increment` to `current` (undefined = 0) with Redis's
 * long double semantics and formatting. Shared by INCRBYFLOAT and (later)
 * HINCRBYFLOAT. Errors: "value is not a valid float" for either operand,
 * "increment would produce NaN or Infinity".
 */
export function addFloatText(current: string | undefined, increment: string): FloatIncrement {
  const base = current === undefined ? ZERO : parseExtended(current);
  if (base === undefined) return { ok: false, error: Err.notFloat };
  const by = parseExtended(increment);
  if (by === undefined) return { ok: false, error: Err.notFloat };
  if (typeof base === 'number' || typeof by === 'number') return { ok: false, error: Err.nanOrInfinity };
  const sum = addExtended(base, by);
  if (sum === null) return { ok: false, error: Err.nanOrInfinity };
  return { ok: true, value: formatExtended(sum) };
}

const ZERO: Extended = { negative: false, mantissa: 0n, exponent: 0 };

/** Whole seconds this short are read exactly as doubles (times 1000 stays below 2^53). */
const PLAIN_SECONDS = /^\d{1,12}$/;

/**
 * The milliseconds of a blocking command's timeout given in seconds, as
 * Redis's getTimeoutFromObjectOrReply computes them: `text` read by
 * string2ld (C strtold over the whole argument: decimal or hex floats,
 * inf/infinity; no leading space, trailing byte or NaN, nothing beyond the
 * 80-bit range, nothing that underflows to 0), times 1000 in long double,
 * rounded up (ceill; so "1e-400" is 1 ms and "-0.0001" is 0). Returns the
 * whole milliseconds (rounded to a double beyond 2^53), Infinity above
 * INT64_MAX ms, -Infinity for -inf or a negative product past the 80-bit
 * range, or undefined when the text is not a float Redis accepts.
 */
export function timeoutMillis(text: string): number | undefined {
  if (PLAIN_SECONDS.test(text)) return Number(text) * 1000;
  const seconds = parseExtended(text);
  if (seconds === undefined || typeof seconds === 'number') return seconds;
  if (seconds.mantissa === 0n) return 0;
  const ms = roundExtended(seconds.negative, seconds.mantissa * 1000n, 1n, seconds.exponent);
  if (ms === null || (ms.exponent >= 0 && bitLength(ms.mantissa) + ms.exponent > 64)) {
    return seconds.negative ? -Infinity : Infinity;
  }
  let whole: bigint;
  if (ms.exponent >= 0) {
    whole = ms.mantissa << BigInt(ms.exponent);
  } else {
    const bits = BigInt(-ms.exponent);
    whole = ms.mantissa >> bits;
    // ceil: a positive value with a fraction rounds up; a negative one truncates toward 0.
    if (!ms.negative && whole << bits !== ms.mantissa) whole++;
  }
  if (ms.negative) return whole === 0n ? 0 : -Number(whole);
  return whole > INT64_MAX ? Infinity : Number(whole);
}
