/**
 * Double formatting for replies.
 *
 * `formatDouble` gives exactly what C's `printf("%.17g")` prints (glibc, round
 * half to even on the exact binary value), which is what Redis 7.0 sends for
 * ZSCORE, ZINCRBY, RESP3 doubles and the like: 17 significant digits, trailing
 * zeros removed, exponent form (`1e+300`) when the decimal exponent is below -4
 * or at least 17. Infinities are "inf" / "-inf" and NaN is "nan", as Redis
 * writes them.
 *
 * `formatDoubleShortest` uses the shortest digits that read back to the same
 * double (Redis 7.2+ and Valkey print this way) in the same layout.
 */
export function formatDouble(n: number): string {
  if (n !== n) return 'nan';
  if (n === Infinity) return 'inf';
  if (n === -Infinity) return '-inf';
  if (n === 0) return Object.is(n, -0) ? '-0' : '0';
  // Safe integers have at most 16 digits: %.17g prints them exactly, without exponent.
  if (Number.isSafeInteger(n)) return String(n);
  const negative = n < 0;
  const a = negative ? -n : n;
  let digits: string;
  let exponent: number;
  const e17 = a.toExponential(17);
  if (e17.charCodeAt(18) === 53 /* '5' */) {
    // The 18th digit is 5: possibly an exact tie, where JS rounds half up and
    // printf rounds half to even. Decide on the exact decimal expansion.
    const exact = exactDigits17(a);
    digits = exact.digits;
    exponent = exact.exponent;
  } else {
    const e16 = a.toExponential(16); // "d.dddddddddddddddde±x"
    digits = e16[0] + e16.slice(2, 18);
    exponent = Number(e16.slice(19));
  }
  const text = layout(digits, exponent, 17);
  return negative ? '-' + text : text;
}

/** Shortest round-trip digits, laid out like `%.17g` (Redis 7.2+ style). */
export function formatDoubleShortest(n: number): string {
  if (n !== n) return 'nan';
  if (n === Infinity) return 'inf';
  if (n === -Infinity) return '-inf';
  if (n === 0) return Object.is(n, -0) ? '-0' : '0';
  if (Number.isSafeInteger(n)) return String(n);
  const negative = n < 0;
  const a = negative ? -n : n;
  const e = a.toExponential(); // shortest digits: "d[.ddd]e±x"
  const mark = e.indexOf('e');
  const digits = e[0] + (mark > 1 ? e.slice(2, mark) : '');
  const text = layout(digits, Number(e.slice(mark + 1)), 17);
  return negative ? '-' + text : text;
}

/**
 * %g layout of the significant digits `digits` (first digit non-zero) with
 * decimal exponent `exponent` (value = d.ddd × 10^exponent) for `precision`.
 */
function layout(digits: string, exponent: number, precision: number): string {
  let end = digits.length;
  while (end > 1 && digits.charCodeAt(end - 1) === 48) end--;
  const sig = digits.slice(0, end);
  if (exponent < -4 || exponent >= precision) {
    const mantissa = sig.length > 1 ? sig[0] + '.' + sig.slice(1) : sig;
    const abs = exponent < 0 ? -exponent : exponent;
    return mantissa + (exponent < 0 ? 'e-' : 'e+') + (abs < 10 ? '0' + abs : String(abs));
  }
  if (exponent < 0) return '0.' + '0'.repeat(-exponent - 1) + sig;
  if (sig.length <= exponent + 1) return sig + '0'.repeat(exponent + 1 - sig.length);
  return sig.slice(0, exponent + 1) + '.' + sig.slice(exponent + 1);
}

const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);

/** 17 significant digits of the positive finite `a`, rounded half to even on its exact value. */
function exactDigits17(a: number): { digits: string; exponent: number } {
  f64[0] = a;
  const bits = u64[0];
  const biased = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & 0xfffffffffffffn;
  const mantissa = biased === 0 ? fraction : fraction | 0x10000000000000n;
  const e2 = biased === 0 ? -1074 : biased - 1075;
  // a = mantissa × 2^e2 = all × 10^-scale, exactly.
  let all: string;
  let scale: number;
  if (e2 >= 0) {
    all = (mantissa << BigInt(e2)).toString();
    scale = 0;
  } else {
    all = (mantissa * 5n ** BigInt(-e2)).toString();
    scale = -e2;
  }
  let exponent = all.length - 1 - scale;
  if (all.length <= 17) return { digits: all, exponent };
  let head = BigInt(all.slice(0, 17));
  const next = all.charCodeAt(17) - 48;
  let restNonZero = false;
  for (let i = 18; i < all.length; i++) {
    if (all.charCodeAt(i) !== 48) {
      restNonZero = true;
      break;
    }
  }
  if (next > 5 || (next === 5 && (restNonZero || (head & 1n) === 1n))) head += 1n;
  let digits = head.toString();
  if (digits.length > 17) {
    digits = digits.slice(0, 17);
    exponent++;
  }
  return { digits, exponent };
}
