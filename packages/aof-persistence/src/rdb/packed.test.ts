import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseIntset } from './intset.js';
import { parseListpack } from './listpack.js';
import { intsetOf, listpackOf, ziplistOf, zipmapOf } from './packed-builders.js';
import { parseZiplist } from './ziplist.js';
import { parseZipmap } from './zipmap.js';

const whole = (parse: (b: Uint8Array, s: number, e: number) => string[] | undefined, b: Buffer) => parse(b, 0, b.length);

function patched(b: Buffer, at: number, ...bytes: number[]): Buffer {
  const c = Buffer.from(b);
  bytes.forEach((x, i) => (c[at + i] = x));
  return c;
}

const item = fc.oneof(fc.string({ maxLength: 300 }).map((s) => Buffer.from(s, 'utf8').toString('latin1')), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }));

describe('ziplist', () => {
  it('round-trips any items', () => {
    fc.assert(
      fc.property(fc.array(item, { maxLength: 40 }), fc.boolean(), (items, bigPrevlen) => {
        expect(whole(parseZiplist, ziplistOf(items, { bigPrevlen }))).toEqual(items.map(String));
      }),
    );
  });

  it('rejects a wrong byte count, tail, count, prevlen, encoding or end marker', () => {
    const good = ziplistOf(['ab', 5n, 'cd']);
    expect(whole(parseZiplist, good)).toEqual(['ab', '5', 'cd']);
    expect(whole(parseZiplist, patched(good, 0, good.length + 1))).toBeUndefined(); // zlbytes
    expect(whole(parseZiplist, patched(good, 4, good[4] - 1))).toBeUndefined(); // tail offset
    expect(whole(parseZiplist, patched(good, 8, 2))).toBeUndefined(); // count
    expect(whole(parseZiplist, patched(good, 14, 9))).toBeUndefined(); // prevlen of the 2nd entry (was 3)
    expect(whole(parseZiplist, patched(good, 15, 0xc1))).toBeUndefined(); // invalid int encoding
    expect(whole(parseZiplist, patched(good, good.length - 1, 0))).toBeUndefined(); // end marker
    expect(whole(parseZiplist, patched(good, 11, 40))).toBeUndefined(); // string runs past the end
    expect(whole(parseZiplist, good.subarray(0, 10))).toBeUndefined();
  });
});

describe('listpack', () => {
  it('round-trips any items', () => {
    fc.assert(
      fc.property(fc.array(item, { maxLength: 40 }), (items) => {
        expect(whole(parseListpack, listpackOf(items))).toEqual(items.map(String));
      }),
    );
  });

  it('rejects a wrong byte count, count, back-length, encoding or end marker', () => {
    const good = listpackOf(['ab', 5n]); // 6 header, 82 61 62 03, 05 01, ff
    expect(whole(parseListpack, good)).toEqual(['ab', '5']);
    expect(whole(parseListpack, patched(good, 0, good.length - 1))).toBeUndefined();
    expect(whole(parseListpack, patched(good, 4, 3))).toBeUndefined();
    expect(whole(parseListpack, patched(good, 9, 4))).toBeUndefined(); // back-length
    expect(whole(parseListpack, patched(good, 10, 0xf5))).toBeUndefined(); // unused encoding
    expect(whole(parseListpack, patched(good, good.length - 1, 0))).toBeUndefined();
    expect(whole(parseListpack, patched(good, 6, 0xbf))).toBeUndefined(); // string past the end
    expect(whole(parseListpack, listpackOf(['a', 'b'], { count: 0xffff }))).toEqual(['a', 'b']);
  });
});

describe('intset', () => {
  it('decodes each width and rejects unsorted, duplicate, empty or mis-sized sets', () => {
    expect(whole(parseIntset, intsetOf([-5n, 7n], 2))).toEqual(['-5', '7']);
    expect(whole(parseIntset, intsetOf([7n, -5n], 2))).toBeUndefined();
    expect(whole(parseIntset, intsetOf([7n, 7n], 4))).toBeUndefined();
    expect(whole(parseIntset, intsetOf([2n ** 40n, 2n ** 40n + 1n], 8))).toEqual([String(2n ** 40n), String(2n ** 40n + 1n)]);
    expect(whole(parseIntset, intsetOf([-1n, -(2n ** 40n)], 8))).toBeUndefined();
    expect(whole(parseIntset, intsetOf([], 2))).toBeUndefined();
    expect(whole(parseIntset, patched(intsetOf([1n], 2), 0, 3))).toBeUndefined();
    expect(whole(parseIntset, intsetOf([1n, 2n], 2).subarray(0, 11))).toBeUndefined();
  });
});

describe('zipmap', () => {
  it('decodes pairs (with free bytes and 5-byte lengths) and rejects broken ones', () => {
    const long = 'v'.repeat(300);
    expect(whole(parseZipmap, zipmapOf([['a', '1'], ['b', long]], 3))).toEqual(['a', '1', 'b', long]);
    const good = zipmapOf([['a', '1']]);
    expect(whole(parseZipmap, patched(good, 0, 2))).toBeUndefined(); // count
    expect(whole(parseZipmap, good.subarray(0, good.length - 1))).toBeUndefined(); // no end marker
    expect(whole(parseZipmap, Buffer.concat([good, Buffer.from([0])]))).toBeUndefined(); // bytes after the end
    expect(whole(parseZipmap, patched(good, 3, 9))).toBeUndefined(); // value length past the end
  });
});
