/** fast-check generators of datasets for the RDB codec's tests (not exported from the package). */
import fc from 'fast-check';
import type { Dataset, PlainValue } from './test-support.js';
import { buildValue } from './test-support.js';

/** One latin1 char (any byte). */
const byte = fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c));

/** Integers at the edges of the int8/16/32 encodings, and near misses that must stay strings. */
export const edgeIntegerText = fc.oneof(
  fc
    .constantFrom(0, 1, -1, 127, 128, -128, -129, 255, 256, 32767, 32768, -32768, -32769, 65535, 2147483647, 2147483648, -2147483648, -2147483649)
    .map(String),
  fc.constantFrom('-0', '007', '+1', ' 1', '1 ', '00', '-', '12345678901', '-1234567890', '9223372036854775807', '1e3', '0x10'),
  fc.integer().map(String),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String),
);

/** Short binary strings, integer-looking text, and now and then a big value. */
export const element = fc.oneof(
  { weight: 5, arbitrary: fc.string({ unit: byte, maxLength: 24 }) },
  { weight: 3, arbitrary: edgeIntegerText },
  { weight: 1, arbitrary: fc.tuple(byte, fc.integer({ min: 60, max: 70_000 })).map(([c, n]) => c.repeat(n)) },
);

export const score = fc.oneof(
  fc.double({ noNaN: true }),
  fc.constantFrom(0, -0, Infinity, -Infinity, 1.5, -3, 0.1, Number.MAX_VALUE, Number.MIN_VALUE),
  fc.integer().map((n) => n),
);

export const plainValue: fc.Arbitrary<PlainValue> = fc.oneof(
  element.map((value) => ({ type: 'string' as const, value })),
  fc.array(element, { minLength: 1, maxLength: 40 }).map((value) => ({ type: 'list' as const, value })),
  fc.uniqueArray(element, { minLength: 1, maxLength: 40 }).map((value) => ({ type: 'set' as const, value: value.sort() })),
  fc
    .uniqueArray(fc.tuple(element, element), { minLength: 1, maxLength: 30, selector: (p) => p[0] })
    .map((value) => ({ type: 'hash' as const, value: value.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)) })),
  fc
    .uniqueArray(fc.tuple(element, score), { minLength: 1, maxLength: 30, selector: (p) => p[0] })
    .map((value) => ({ type: 'zset' as const, value })),
);

/** Absolute unix ms: mostly in the future, sometimes beyond 2^32 or tiny. */
export const expireAt = fc.option(
  fc.oneof(fc.integer({ min: 1, max: 2 ** 47 }), fc.constantFrom(1, 4294967295, 4294967296, 4102444800000)),
  { freq: 3 },
);

export const dataset: fc.Arbitrary<Dataset> = fc
  .uniqueArray(
    fc.tuple(
      fc.integer({ min: 0, max: 15 }),
      fc.uniqueArray(fc.tuple(element, plainValue, expireAt), { minLength: 1, maxLength: 12, selector: (e) => e[0] }),
    ),
    { maxLength: 4, selector: (d) => d[0] },
  )
  .map((dbs) => {
    const out: Dataset = new Map();
    for (const [db, entries] of dbs) {
      out.set(db, new Map(entries.map(([key, v, exp]) => [key, { value: buildValue(v), expireAt: exp ?? undefined }])));
    }
    return out;
  });
