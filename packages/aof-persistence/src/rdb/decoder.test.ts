import { DEFAULT_ENCODING_LIMITS, type ListValue, type SortedSetValue } from '@aki/keyspace';
import { describe, expect, it } from 'vitest';
import * as T from './constants.js';
import { isRdb, RdbDecoder, RdbFormatError } from './decoder.js';
import { intsetOf, listpackOf, RdbBytes, ziplistOf, zipmapOf } from './packed-builders.js';
import { Collector, plainDataset, plainValue } from './test-support.js';

function decode(bytes: Buffer, options = {}) {
  const c = new Collector();
  const d = new RdbDecoder(bytes, c, 0, options).run();
  return { c, d };
}

/** The single value of key `k` in db 0 of an RDB whose body is `build`. */
function valueOf(build: (b: RdbBytes) => RdbBytes, version = 10) {
  const { c } = decode(build(new RdbBytes().selectDb(0)).build(version));
  const e = c.dbs.get(0)?.get('k');
  if (e === undefined) throw new Error('no key k');
  return plainValue(e.value);
}

function errorOf(bytes: Buffer, options = {}): RdbFormatError {
  try {
    decode(bytes, options);
  } catch (e) {
    if (e instanceof RdbFormatError) return e;
    throw e;
  }
  throw new Error('decoded without an error');
}

describe('header and framing', () => {
  it('isRdb recognizes "REDIS" + 4 digits at an offset', () => {
    expect(isRdb(Buffer.from('REDIS0010'))).toBe(true);
    expect(isRdb(Buffer.from('xxREDIS0009'), 2)).toBe(true);
    expect(isRdb(Buffer.from('REDIS001'))).toBe(false);
    expect(isRdb(Buffer.from('REDIX0010'))).toBe(false);
    expect(isRdb(Buffer.from('REDIS00a0'))).toBe(false);
  });

  it('reads versions 1 to 11 and refuses 0 and 12+', () => {
    for (let v = 1; v <= 11; v++) expect(decode(new RdbBytes().build(v)).d.version).toBe(v);
    expect(errorOf(new RdbBytes().build(12)).message).toBe("Can't handle RDB format version 12");
    expect(errorOf(new RdbBytes().build(0, 'none')).message).toBe("Can't handle RDB format version 0");
  });

  it('refuses a wrong signature', () => {
    expect(errorOf(Buffer.from('HELLO0010\xff', 'latin1')).message).toMatch(/Wrong signature/);
  });

  it('checks the CRC64, accepts eight zero bytes unchecked, and needs none before version 5', () => {
    expect(decode(new RdbBytes().build(10, 'crc')).d.checksumVerified).toBe(true);
    expect(decode(new RdbBytes().build(10, 'zero')).d.checksumVerified).toBe(false);
    expect(decode(new RdbBytes().build(4, 'none')).d.offset).toBe(10);
    const bad = new RdbBytes().selectDb(0).key(0, 'k').str('v').build();
    bad[bad.length - 1] ^= 1;
    const e = errorOf(bad);
    expect(e.message).toMatch(/^Wrong RDB checksum expected: \([0-9a-f]{16}\) got: \([0-9a-f]{16}\)$/);
    expect(e.offset).toBe(bad.length - 8);
  });

  it('reports any truncation as an unexpected end of file', () => {
    const full = new RdbBytes().hex('fa').str('redis-ver').str('7.0.15').selectDb(0).key(0, 'key').str('value').build();
    for (let n = 1; n < full.length; n++) {
      const e = errorOf(full.subarray(0, n));
      expect(e.message, `cut at ${n}`).toMatch(/Unexpected end of file/);
    }
  });

  it('reads SELECTDB, RESIZEDB, aux fields, expiry in ms and s, and skips IDLE and FREQ', () => {
    const bytes = new RdbBytes()
      .byte(T.OP_AUX).str('redis-ver').str('7.2.4')
      .selectDb(3).byte(T.OP_RESIZEDB).len(3).len(2)
      .byte(T.OP_EXPIRETIME_MS).hex('00d8c32cbb030000').key(0, 'a').str('1')
      .byte(T.OP_EXPIRETIME).hex('00e1f505').key(0, 'b').str('2')
      .byte(T.OP_IDLE).len(1000).byte(T.OP_FREQ, 7).key(0, 'c').str('3')
      .build();
    const { c, d } = decode(bytes);
    expect(c.auxFields).toEqual([['redis-ver', '7.2.4']]);
    expect(c.hints).toEqual([[3, 3, 2]]);
    expect(plainDataset(c.dbs)).toEqual({
      '3': {
        a: { value: { type: 'string', value: '1' }, expireAt: 4102444800000 },
        b: { value: { type: 'string', value: '2' }, expireAt: 100000000 * 1000 },
        c: { value: { type: 'string', value: '3' }, expireAt: null },
      },
    });
    expect(d.keysLoaded).toBe(3);
  });

  it('refuses modules and functions by name', () => {
    expect(errorOf(new RdbBytes().byte(T.OP_MODULE_AUX).len(1).build()).message).toMatch(/aki does not support modules/);
    expect(errorOf(new RdbBytes().byte(T.OP_FUNCTION2).str('#!lua name=x').build()).message).toMatch(/aki does not support functions/);
    expect(errorOf(new RdbBytes().byte(T.OP_FUNCTION_PRE_GA).build()).message).toMatch(/aki does not support functions/);
    for (const t of [T.TYPE_STREAM_LISTPACKS, T.TYPE_STREAM_LISTPACKS_2, T.TYPE_STREAM_LISTPACKS_3]) {
      const e = errorOf(new RdbBytes().selectDb(0).key(t, 's').build());
      expect(e.message).toBe(`aki does not support stream keys (RDB value type ${t})`);
    }
    for (const t of [T.TYPE_MODULE_PRE_GA, T.TYPE_MODULE_2]) {
      expect(errorOf(new RdbBytes().selectDb(0).key(t, 'm').build()).message).toMatch(/aki does not support module keys/);
    }
    expect(errorOf(new RdbBytes().selectDb(0).key(8, 'x').build()).message).toBe('Unknown RDB value type 8');
  });

  it('refuses a duplicate key in one database, not across databases', () => {
    const dup = new RdbBytes().selectDb(0).key(0, 'k').str('1').key(0, 'k').str('2').build();
    expect(errorOf(dup).message).toBe('Duplicate key "k" found in DB 0');
    expect(decode(dup, { detectDuplicateKeys: false }).d.keysLoaded).toBe(2);
    const two = new RdbBytes().selectDb(0).key(0, 'k').str('1').selectDb(1).key(0, 'k').str('2').build();
    expect(decode(two).d.keysLoaded).toBe(2);
  });

  it('refuses a database beyond the configured count', () => {
    const bytes = new RdbBytes().selectDb(16).key(0, 'k').str('v').build();
    expect(errorOf(bytes).message).toMatch(/more than 16 databases/);
    expect(decode(bytes, { databases: 32 }).d.keysLoaded).toBe(1);
  });

  it('reads 14-, 32- and 64-bit lengths and refuses encoded lengths', () => {
    const s = 'x'.repeat(300);
    expect(valueOf((b) => b.key(0, 'k').hex('4130' /* 14-bit 304 */).byte(...Buffer.from(s + 'abcd')))).toEqual({ type: 'string', value: s + 'abcd' });
    const v32 = new RdbBytes().selectDb(0).key(0, 'k').hex('8000000003').byte(...Buffer.from('abc')).build();
    expect(plainValue(decode(v32).c.dbs.get(0)!.get('k')!.value)).toEqual({ type: 'string', value: 'abc' });
    const v64 = new RdbBytes().selectDb(0).key(0, 'k').hex('810000000000000003').byte(...Buffer.from('abc')).build();
    expect(plainValue(decode(v64).c.dbs.get(0)!.get('k')!.value)).toEqual({ type: 'string', value: 'abc' });
    expect(errorOf(new RdbBytes().selectDb(0).key(T.TYPE_LIST, 'k').hex('c001').build()).message).toMatch(/where a length was expected/);
    expect(errorOf(new RdbBytes().selectDb(0).key(0, 'k').hex('c4').build()).message).toBe('Unknown RDB string encoding type 4');
  });
});

describe('strings', () => {
  it('reads int8, int16 and int32 encodings as decimal text', () => {
    expect(valueOf((b) => b.key(0, 'k').hex('c0ff'))).toEqual({ type: 'string', value: '-1' });
    expect(valueOf((b) => b.key(0, 'k').hex('c10080'))).toEqual({ type: 'string', value: '-32768' });
    expect(valueOf((b) => b.key(0, 'k').hex('c2ffffff7f'))).toEqual({ type: 'string', value: '2147483647' });
  });

  it('expands LZF strings (the sample from REPLICATION.md 2.4) and rejects broken ones', () => {
    expect(valueOf((b) => b.key(0, 'k').hex('c3 09 28 01 61 61 e0 1b 00 01 61 61'))).toEqual({ type: 'string', value: 'a'.repeat(40) });
    // claims 41 bytes: one too many
    expect(errorOf(new RdbBytes().selectDb(0).key(0, 'k').hex('c3 09 29 01 61 61 e0 1b 00 01 61 61').build()).message).toMatch(/Invalid LZF/);
    // back-reference before the start of the output
    expect(errorOf(new RdbBytes().selectDb(0).key(0, 'k').hex('c3 03 05 20 05 00').build()).message).toMatch(/Invalid LZF/);
  });

  it('keeps binary bytes as latin1 chars', () => {
    const bin = Buffer.from([0, 1, 0xff, 0x80, 13, 10]);
    const bytes = new RdbBytes().selectDb(0).byte(0).str(Buffer.from([0xff, 0])).str(bin).build();
    const { c } = decode(bytes);
    expect(c.dbs.get(0)!.get('\xff\x00')!.value).toBe(bin.toString('latin1'));
  });
});

describe('plain collections (types 1 to 5)', () => {
  it('reads lists, sets, hashes and both zset score forms', () => {
    expect(valueOf((b) => b.key(T.TYPE_LIST, 'k').len(3).str('a').hex('c005').str('c'))).toEqual({ type: 'list', value: ['a', '5', 'c'] });
    expect(valueOf((b) => b.key(T.TYPE_SET, 'k').len(2).str('b').str('a'))).toEqual({ type: 'set', value: ['a', 'b'] });
    expect(valueOf((b) => b.key(T.TYPE_HASH, 'k').len(2).str('f').str('v').str('g').hex('c001'))).toEqual({
      type: 'hash',
      value: [['f', 'v'], ['g', '1']],
    });
    expect(
      valueOf((b) => b.key(T.TYPE_ZSET, 'k').len(4).str('a').byte(3, ...Buffer.from('1.5')).str('b').byte(254).str('c').byte(255).str('d').byte(4, ...Buffer.from('-2e3'))),
    ).toEqual({ type: 'zset', value: [['c', -Infinity], ['d', -2000], ['a', 1.5], ['b', Infinity]] });
    expect(valueOf((b) => b.key(T.TYPE_ZSET_2, 'k').len(2).str('a').hex('000000000000f83f').str('b').hex('0000000000000080'))).toEqual({
      type: 'zset',
      value: [['b', 0], ['a', 1.5]],
    });
  });

  it('keeps a -0 score only in sorted sets too big for a listpack, as Redis does', () => {
    const bytes = new RdbBytes().selectDb(0).key(T.TYPE_ZSET_2, 'k').len(2).str('a').hex('000000000000f83f').str('b').hex('0000000000000080').build();
    const score = (options: object) => {
      const { c } = decode(bytes, options);
      return (c.dbs.get(0)!.get('k')!.value as SortedSetValue).score('b');
    };
    expect(Object.is(score({}), 0)).toBe(true);
    expect(Object.is(score({ encodingLimits: { ...DEFAULT_ENCODING_LIMITS, zsetMaxListpackEntries: 1 } }), -0)).toBe(true);
    expect(Object.is(score({ encodingLimits: { ...DEFAULT_ENCODING_LIMITS, zsetMaxListpackValue: 0 } }), -0)).toBe(true);
  });

  it('settles list encodings against list-max-listpack-size', () => {
    const bytes = new RdbBytes().selectDb(0).key(T.TYPE_LIST, 'k').len(3).str('a').str('b').str('c').build();
    const encoding = (fill: number) => {
      const { c } = decode(bytes, { encodingLimits: { ...DEFAULT_ENCODING_LIMITS, listMaxListpackSize: fill } });
      return (c.dbs.get(0)!.get('k')!.value as ListValue).encoding(DEFAULT_ENCODING_LIMITS);
    };
    expect(encoding(-2)).toBe('listpack');
    expect(encoding(2)).toBe('quicklist');
  });

  it('refuses NaN scores, bad score text and duplicates', () => {
    const zset = (scoreBytes: number[]) => new RdbBytes().selectDb(0).key(T.TYPE_ZSET, 'k').len(1).str('a').byte(...scoreBytes).build();
    expect(errorOf(zset([253])).message).toBe('Zset with NAN score detected');
    expect(errorOf(zset([3, ...Buffer.from('abc')])).message).toBe('Zset with an invalid score detected');
    expect(errorOf(new RdbBytes().selectDb(0).key(T.TYPE_ZSET_2, 'k').len(1).str('a').hex('000000000000f87f').build()).message).toBe(
      'Zset with NAN score detected',
    );
    expect(errorOf(new RdbBytes().selectDb(0).key(T.TYPE_SET, 'k').len(2).str('a').str('a').build()).message).toBe('Duplicate set members detected');
    expect(errorOf(new RdbBytes().selectDb(0).key(T.TYPE_HASH, 'k').len(2).str('f').str('1').str('f').str('2').build()).message).toBe(
      'Duplicate hash fields detected',
    );
    expect(errorOf(new RdbBytes().selectDb(0).key(T.TYPE_ZSET_2, 'k').len(2).str('a').hex('0000000000000000').str('a').hex('0000000000000000').build()).message).toBe(
      'Duplicate zset fields detected',
    );
  });

  it('skips and counts empty collections, dropping their expiry', () => {
    const bytes = new RdbBytes()
      .selectDb(0)
      .byte(T.OP_EXPIRETIME_MS).hex('00d8c32cbb030000').key(T.TYPE_LIST, 'l').len(0)
      .key(T.TYPE_SET, 's').len(0)
      .key(T.TYPE_ZSET_2, 'z').len(0)
      .key(T.TYPE_HASH, 'h').len(0)
      .key(0, 'k').str('v')
      .build();
    const { c, d } = decode(bytes);
    expect(d.emptyKeysSkipped).toBe(4);
    expect(d.keysLoaded).toBe(1);
    expect(plainDataset(c.dbs)).toEqual({ '0': { k: { value: { type: 'string', value: 'v' }, expireAt: null } } });
  });
});

describe('packed encodings', () => {
  const ints = [0n, 12n, 13n, -1n, 127n, -128n, 128n, 4095n, -4096n, 4096n, 32767n, -32768n, 32768n, 8388607n, -8388608n, 8388608n];
  const wide = [2147483647n, -2147483648n, 2147483648n, 9007199254740993n, -(2n ** 63n), 2n ** 63n - 1n];
  const texts = (xs: Array<string | bigint>) => xs.map(String);

  it('ziplist lists with every entry encoding (and 5-byte prevlens) decode in order', () => {
    const items: Array<string | bigint> = ['', 'a', 'x'.repeat(63), 'y'.repeat(64), 'z'.repeat(16384), ...ints, ...wide];
    for (const bigPrevlen of [false, true]) {
      expect(valueOf((b) => b.key(T.TYPE_LIST_ZIPLIST, 'k').str(ziplistOf(items, { bigPrevlen })))).toEqual({ type: 'list', value: texts(items) });
    }
    expect(valueOf((b) => b.key(T.TYPE_LIST_ZIPLIST, 'k').str(ziplistOf(['a', 'b'], { count: 0xffff })))).toEqual({ type: 'list', value: ['a', 'b'] });
  });

  it('listpack hashes, zsets and sets with every entry encoding decode', () => {
    const items: Array<string | bigint> = ['', 'a', 'x'.repeat(63), 'y'.repeat(64), 'w'.repeat(4095), 'z'.repeat(4096), ...ints, ...wide];
    const hashItems = items.flatMap((x, i) => [`f${i}`, x]);
    const got = valueOf((b) => b.key(T.TYPE_HASH_LISTPACK, 'k').str(listpackOf(hashItems)));
    expect(got).toEqual({ type: 'hash', value: items.map((x, i) => [`f${i}`, String(x)]).sort((a, b) => (a[0] < b[0] ? -1 : 1)) });
    expect(valueOf((b) => b.key(T.TYPE_SET_LISTPACK, 'k').str(listpackOf(['b', 5n, 'a'])))).toEqual({ type: 'set', value: ['5', 'a', 'b'] });
    expect(valueOf((b) => b.key(T.TYPE_ZSET_LISTPACK, 'k').str(listpackOf(['a', 5n, 'b', '2.5', 'c', 'inf', 'd', '-inf', 'e', -7n])))).toEqual({
      type: 'zset',
      value: [['d', -Infinity], ['e', -7], ['b', 2.5], ['a', 5], ['c', Infinity]],
    });
  });

  it('ziplist hashes and zsets, zipmaps and intsets decode', () => {
    expect(valueOf((b) => b.key(T.TYPE_HASH_ZIPLIST, 'k').str(ziplistOf(['f', 'v', 'n', 300n])))).toEqual({ type: 'hash', value: [['f', 'v'], ['n', '300']] });
    expect(valueOf((b) => b.key(T.TYPE_ZSET_ZIPLIST, 'k').str(ziplistOf(['a', 2n, 'b', '1.25'])))).toEqual({ type: 'zset', value: [['b', 1.25], ['a', 2]] });
    expect(valueOf((b) => b.key(T.TYPE_HASH_ZIPMAP, 'k').str(zipmapOf([['f1', 'v1'], ['f2', 'x'.repeat(300)]], 2)))).toEqual({
      type: 'hash',
      value: [['f1', 'v1'], ['f2', 'x'.repeat(300)]],
    });
    for (const width of [2, 4, 8] as const) {
      const values = width === 2 ? [-32768n, -1n, 0n, 32767n] : width === 4 ? [-(2n ** 31n), 0n, 2n ** 31n - 1n] : [-(2n ** 63n), -1n, 2n ** 53n + 1n, 2n ** 63n - 1n];
      expect(valueOf((b) => b.key(T.TYPE_SET_INTSET, 'k').str(intsetOf(values, width)))).toEqual({ type: 'set', value: texts(values).sort() });
    }
  });

  it('quicklists of ziplists and quicklist-2 of listpack and plain nodes decode, skipping empty nodes', () => {
    expect(valueOf((b) => b.key(T.TYPE_LIST_QUICKLIST, 'k').len(3).str(ziplistOf(['a', 1n])).str(ziplistOf([])).str(ziplistOf(['b'])))).toEqual({
      type: 'list',
      value: ['a', '1', 'b'],
    });
    expect(
      valueOf((b) => b.key(T.TYPE_LIST_QUICKLIST_2, 'k').len(4).len(2).str(listpackOf(['a', 1n])).len(1).str('big plain').len(2).str(listpackOf([])).len(2).str(listpackOf(['z']))),
    ).toEqual({ type: 'list', value: ['a', '1', 'big plain', 'z'] });
    expect(errorOf(new RdbBytes().selectDb(0).key(T.TYPE_LIST_QUICKLIST_2, 'k').len(1).len(3).str('x').build()).message).toMatch(/^Quicklist integrity check failed/);
  });

  it('skips empty ziplists, listpacks and quicklists, and refuses empty intsets and zipmaps (as Redis 7.0 does)', () => {
    const bytes = new RdbBytes()
      .selectDb(0)
      .key(T.TYPE_LIST_ZIPLIST, 'a').str(ziplistOf([]))
      .key(T.TYPE_HASH_LISTPACK, 'b').str(listpackOf([]))
      .key(T.TYPE_SET_LISTPACK, 'c').str(listpackOf([]))
      .key(T.TYPE_LIST_QUICKLIST_2, 'd').len(0)
      .key(T.TYPE_LIST_QUICKLIST, 'e').len(1).str(ziplistOf([]))
      .build();
    expect(decode(bytes).d.emptyKeysSkipped).toBe(5);
    expect(errorOf(new RdbBytes().selectDb(0).key(T.TYPE_SET_INTSET, 'k').str(intsetOf([], 2)).build()).message).toBe('Intset integrity check failed.');
    expect(errorOf(new RdbBytes().selectDb(0).key(T.TYPE_HASH_ZIPMAP, 'k').str(zipmapOf([])).build()).message).toBe('Zipmap integrity check failed.');
  });

  it('reads a packed value stored LZF-compressed', () => {
    const lp = listpackOf(['a'.repeat(20)]); // 29 bytes: header, 0x94, 20 x 'a', backlen, end
    const literal = [...lp.subarray(0, 8)]; // header, encoding byte, the first 'a'
    // literal run of 8; back-reference to the previous byte copying 17 + 2 = 19 bytes; literal run of 2
    const lzf = Buffer.from([7, ...literal, 0xe0, 17 - 7, 0, 1, ...lp.subarray(lp.length - 2)]);
    const bytes = new RdbBytes().selectDb(0).key(T.TYPE_LIST_QUICKLIST_2, 'k').len(1).len(2).hex('c3').len(lzf.length).len(lp.length).byte(...lzf).build();
    expect(plainValue(decode(bytes).c.dbs.get(0)!.get('k')!.value)).toEqual({ type: 'list', value: ['a'.repeat(20)] });
  });
});
