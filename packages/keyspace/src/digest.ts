/**
 * The dataset digest of `DEBUG DIGEST` and the per-key digest of
 * `DEBUG DIGEST-VALUE`, computed exactly as Redis 7 does, so the output of aki
 * and of a real redis-server holding the same data can be compared verbatim.
 *
 * The algorithm (facts from Redis's src/debug.c, re-implemented here):
 *
 *   Two primitives on a 20-byte accumulator D, with H = SHA-1:
 *     xor(D, bytes):  D ^= H(bytes)               (order-insensitive "add")
 *     mix(D, bytes):  D = H(D ^ H(bytes))         (order-sensitive "append")
 *
 *   Dataset: F = 20 zero bytes. For each database in ascending index order
 *   that holds at least one key: mix(F, index as 4-byte big-endian); then for
 *   every key (any order): K = zeros; mix(K, key bytes); add the value's
 *   digest to K (below); xor(F, K) -- note F ^= H(K), not F ^= K.
 *   A dataset without keys therefore digests to 40 zeros.
 *
 *   Value digest into K: mix(K, type code as 4-byte big-endian) where
 *   string=0, list=1, set=2, zset=3, hash=4 (module=5, stream=6); then the
 *   type's payload (see `mixPayload`); then, if the key has a TTL,
 *   xor(K, "!!expire!!"). Only the presence of a TTL counts, not its time.
 *
 *   DEBUG DIGEST-VALUE k prints the value digest alone, started from zeros
 *   (the key name is not mixed in; the TTL marker is); a missing key prints
 *   40 zeros. Both commands reply with status strings (`+<hex>`).
 *
 * Redis hashes the decoded bytes of every element (integer encodings are
 * turned back into their decimal text first), so the result does not depend on
 * Redis's internal encodings (int/embstr/raw, listpack/quicklist/intset/
 * hashtable/skiplist). The one formatting dependency is the zset score text,
 * which changed between Redis versions (see `formatScore`).
 *
 * Redis (both commands) walks the raw key table, so keys that are logically
 * expired but not yet reclaimed are included. Compare digests only when no
 * key with a TTL is past its deadline (or with active expiry disabled on both
 * sides and the same keys reclaimed).
 */
import { createHash } from 'node:crypto';

/** A 20-byte digest accumulator. */
type Acc = Buffer;

/**
 * The shape of a value as the digest sees it. Strings (latin1, one char per
 * byte) are aki string values; the other views describe collection values.
 */
export type DigestView =
  | { readonly type: 'list'; readonly elements: Iterable<string> }
  | { readonly type: 'set'; readonly members: Iterable<string> }
  | { readonly type: 'hash'; readonly fields: Iterable<readonly [field: string, value: string]> }
  | { readonly type: 'zset'; readonly entries: Iterable<readonly [member: string, score: number]> };

/**
 * Any stored value the digest accepts: a string, a view, or a collection
 * value that presents itself as a view (`digestView()`, as the keyspace's
 * ListValue, HashValue, SetValue and SortedSetValue do).
 */
export type DigestValue = string | DigestView | { digestView(): DigestView };

/** What the digest needs from one database (the keyspace's Database satisfies it). */
export interface DigestSource {
  /** Database number (0-based), as in SELECT. */
  readonly index: number;
  /** Number of keys. Databases with 0 keys contribute nothing. */
  readonly size: number;
  /** Every key with its value. */
  entries(): IterableIterator<[key: string, value: DigestValue]>;
  /** Absolute expiry time in unix ms, or undefined when the key has no TTL. */
  getExpireAt(key: string): number | undefined;
}

/** The digest of an empty dataset and of a missing key. */
export const ZERO_DIGEST = '0'.repeat(40);

const TYPE_STRING = 0;
const TYPE_LIST = 1;
const TYPE_SET = 2;
const TYPE_ZSET = 3;
const TYPE_HASH = 4;

const EXPIRE_MARK = Buffer.from('!!expire!!', 'latin1');

function sha1(data: Buffer | string): Buffer {
  const h = createHash('sha1');
  if (typeof data === 'string') h.update(data, 'latin1');
  else h.update(data);
  return h.digest();
}

/** acc ^= SHA1(data) */
function xorDigest(acc: Acc, data: Buffer | string): void {
  const h = sha1(data);
  for (let i = 0; i < 20; i++) acc[i] ^= h[i];
}

/** acc = SHA1(acc ^ SHA1(data)) */
function mixDigest(acc: Acc, data: Buffer | string): void {
  xorDigest(acc, data);
  sha1(acc).copy(acc);
}

function be32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

const TYPE_CODES = [TYPE_STRING, TYPE_LIST, TYPE_SET, TYPE_ZSET, TYPE_HASH].map(be32);

/** The single place that maps stored values to digest views. */
function viewOf(value: DigestValue): { code: number; view: DigestView | string } {
  if (typeof value === 'string') return { code: TYPE_STRING, view: value };
  if ('digestView' in value) value = value.digestView();
  switch (value.type) {
    case 'list':
      return { code: TYPE_LIST, view: value };
    case 'set':
      return { code: TYPE_SET, view: value };
    case 'zset':
      return { code: TYPE_ZSET, view: value };
    case 'hash':
      return { code: TYPE_HASH, view: value };
  }
}

/** Mixes the type's payload into acc (after the type code, before the TTL mark). */
function mixPayload(acc: Acc, view: DigestView | string): void {
  if (typeof view === 'string') {
    // string: its bytes, mixed once
    mixDigest(acc, view);
    return;
  }
  switch (view.type) {
    case 'list':
      // list: every element mixed in order, head to tail
      for (const e of view.elements) mixDigest(acc, e);
      return;
    case 'set':
      // set: every member xor-ed in (order-insensitive)
      for (const m of view.members) xorDigest(acc, m);
      return;
    case 'hash':
      // hash: per field, E = zeros; mix(E, field); mix(E, value); then xor(acc, E)
      for (const [f, v] of view.fields) {
        const e = Buffer.alloc(20);
        mixDigest(e, f);
        mixDigest(e, v);
        xorDigest(acc, e);
      }
      return;
    case 'zset':
      // zset: per member, E = zeros; mix(E, member); mix(E, score text); then xor(acc, E)
      for (const [m, score] of view.entries) {
        const e = Buffer.alloc(20);
        mixDigest(e, m);
        mixDigest(e, formatScore(score));
        xorDigest(acc, e);
      }
      return;
  }
}

/** Adds a value's digest (type, payload, TTL mark) into acc. */
function mixValue(acc: Acc, value: DigestValue, hasExpire: boolean): void {
  const { code, view } = viewOf(value);
  mixDigest(acc, TYPE_CODES[code]);
  mixPayload(acc, view);
  if (hasExpire) xorDigest(acc, EXPIRE_MARK);
}

/**
 * The digest of a whole dataset, as `DEBUG DIGEST` prints it: 40 lowercase hex
 * chars, all zeros when no database holds a key. Databases may come in any
 * order; they are processed by ascending index as Redis does.
 */
export function digestDataset(dbs: Iterable<DigestSource>): string {
  const sorted = [...dbs].filter((db) => db.size > 0).sort((a, b) => a.index - b.index);
  const final = Buffer.alloc(20);
  for (const db of sorted) {
    mixDigest(final, be32(db.index));
    for (const [key, value] of db.entries()) {
      const kv = Buffer.alloc(20);
      mixDigest(kv, key);
      mixValue(kv, value, db.getExpireAt(key) !== undefined);
      xorDigest(final, kv);
    }
  }
  return final.toString('hex');
}

/**
 * The digest of one value, as `DEBUG DIGEST-VALUE key` prints it for an
 * existing key: pass hasExpire = true when the key has a TTL (Redis mixes a TTL
 * marker in). For a missing key Redis prints `ZERO_DIGEST`.
 */
export function digestValue(value: DigestValue, hasExpire = false): string {
  const acc = Buffer.alloc(20);
  mixValue(acc, value, hasExpire);
  return acc.toString('hex');
}

/**
 * The text of a zset score inside the digest. Redis 7.0 formats it with C's
 * `%.17g` (17 significant digits, glibc rounding: exact value, ties to even),
 * which this reproduces exactly. NOTE: Redis 7.2+ switched this to its
 * shortest round-trip formatter (`fpconv_dtoa`, e.g. 0.1 -> "0.1" instead of
 * "0.10000000000000001"), so zset digests differ between 7.0 and 7.2+ for
 * scores that are not short exact decimals; swap the formatter to target 7.2+.
 */
export function formatScore(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const neg = x < 0;
  const { digits, exp } = round17(Math.abs(x));
  // digits: exactly 17 decimal digits d0.d1..d16, value = d0.d1... x 10^exp
  let out: string;
  if (exp < -4 || exp >= 17) {
    let mant = digits[0] + '.' + digits.slice(1);
    mant = mant.replace(/0+$/, '').replace(/\.$/, '');
    const e = Math.abs(exp);
    out = mant + 'e' + (exp < 0 ? '-' : '+') + (e < 10 ? '0' + e : String(e));
  } else if (exp >= 0) {
    const int = digits.slice(0, exp + 1);
    const frac = digits.slice(exp + 1).replace(/0+$/, '');
    out = frac ? int + '.' + frac : int;
  } else {
    const frac = ('0'.repeat(-exp - 1) + digits).replace(/0+$/, '');
    out = '0.' + frac;
  }
  return neg ? '-' + out : out;
}

/** Exact decimal of a finite positive double, rounded to 17 significant digits (ties to even). */
function round17(x: number): { digits: string; exp: number } {
  // x = mant * 2^e2 exactly
  const buf = new DataView(new ArrayBuffer(8));
  buf.setFloat64(0, x);
  const hi = buf.getUint32(0);
  const lo = buf.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e2: number;
  if (biased === 0) {
    e2 = -1074;
  } else {
    mant |= 1n << 52n;
    e2 = biased - 1075;
  }
  // exact value = num / den
  let num = mant;
  let den = 1n;
  if (e2 >= 0) num <<= BigInt(e2);
  else den <<= BigInt(-e2);
  // decimal exponent: 10^exp <= x < 10^(exp+1)
  let exp = Math.floor(Math.log10(x));
  const pow10 = (k: number) => 10n ** BigInt(k);
  const ge = (n: bigint, d: bigint, k: number) =>
    k >= 0 ? n >= d * pow10(k) : n * pow10(-k) >= d;
  if (!ge(num, den, exp)) exp--;
  else if (ge(num, den, exp + 1)) exp++;
  // scaled = x * 10^(16 - exp), integer part has 17 digits
  const shift = 16 - exp;
  let sn = num;
  let sd = den;
  if (shift >= 0) sn *= pow10(shift);
  else sd *= pow10(-shift);
  let q = sn / sd;
  const r = sn - q * sd;
  const twice = 2n * r;
  if (twice > sd || (twice === sd && (q & 1n) === 1n)) q++;
  let digits = q.toString();
  if (digits.length > 17) {
    // rounded up to a power of ten
    digits = digits.slice(0, 17);
    exp++;
  }
  return { digits, exp };
}
