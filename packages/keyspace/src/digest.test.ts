import { describe, expect, it } from 'vitest';
import { digestDataset, digestValue, formatScore, ZERO_DIGEST } from './digest.js';
import type { DigestSource, DigestValue } from './digest.js';

/*
 * Every expected hex string below was produced by a real redis-server 7.0.15
 * (Debian package, x86-64) started with
 *   redis-server --port 7788 --save '' --appendonly no --enable-debug-command yes
 * fed the same data through a binary-safe RESP client (FLUSHALL, SELECT, SET,
 * PEXPIRE, RPUSH, SADD, HSET, ZADD) and read back with DEBUG DIGEST and
 * DEBUG DIGEST-VALUE. TTLs were far in the future, so nothing expired.
 */

class FakeDb implements DigestSource {
  readonly data = new Map<string, DigestValue>();
  readonly ttl = new Map<string, number>();
  constructor(readonly index: number) {}
  get size(): number {
    return this.data.size;
  }
  set(key: string, value: DigestValue, expireAt?: number): this {
    this.data.set(key, value);
    if (expireAt !== undefined) this.ttl.set(key, expireAt);
    return this;
  }
  entries(): IterableIterator<[string, DigestValue]> {
    return this.data.entries();
  }
  getExpireAt(key: string): number | undefined {
    return this.ttl.get(key);
  }
}

const FAR = 4102444800000; // 2100-01-01, unix ms

function fullDataset(): FakeDb[] {
  const db0 = new FakeDb(0)
    .set('foo', 'bar')
    .set('num', '12345') // int-encoded in Redis; digested as its text
    .set('neg', '-7')
    .set('bin', '\x00\xff\r\n\x80binary')
    .set('empty', '')
    .set('', 'value of the empty key')
    .set('ttl', 'v', FAR)
    .set('\xe9t\xe9', '\x00');
  const db3 = new FakeDb(3)
    .set('foo', 'bar')
    .set('big', 'x'.repeat(10000))
    .set('pttl', 'vv', FAR);
  return [db0, new FakeDb(1), db3];
}

describe('digestDataset (DEBUG DIGEST)', () => {
  it('is all zeros without keys', () => {
    expect(digestDataset([])).toBe(ZERO_DIGEST);
    expect(digestDataset([new FakeDb(0), new FakeDb(5)])).toBe(
      '0000000000000000000000000000000000000000',
    );
  });

  it('matches Redis for a single key, and depends on the db index and TTL presence', () => {
    expect(digestDataset([new FakeDb(0).set('foo', 'bar')])).toBe(
      'd2ab4820c1be0580ea28efbfe8bfa1dc05bb802a',
    );
    expect(digestDataset([new FakeDb(1).set('foo', 'bar')])).toBe(
      'ca1ca3c163c25b0650d3afe1417fd35e01ab7498',
    );
    expect(digestDataset([new FakeDb(1).set('foo', 'bar', Date.now() + 100_000_000)])).toBe(
      '93bb86c3b2f34bc0cad9fc7969c50af276fbb8f9',
    );
    // only the presence of a TTL counts, not its value
    expect(digestDataset([new FakeDb(1).set('foo', 'bar', 1)])).toBe(
      '93bb86c3b2f34bc0cad9fc7969c50af276fbb8f9',
    );
  });

  it('matches Redis for binary keys and values across dbs 0 and 3', () => {
    expect(digestDataset(fullDataset())).toBe('7fdaff1b4af18d0de98ee72ef3391037e2922879');
  });

  it('ignores key order and db order', () => {
    const [db0, db1, db3] = fullDataset();
    const reversed = new FakeDb(0);
    for (const [k, v] of [...db0.data].reverse()) reversed.set(k, v, db0.ttl.get(k));
    expect(digestDataset([db3, reversed, db1])).toBe('7fdaff1b4af18d0de98ee72ef3391037e2922879');
  });

  it('matches Redis for the dataset above plus db 5 holding every collection type', () => {
    const db5 = new FakeDb(5);
    const c = collections();
    // the keys present when DEBUG DIGEST was taken (hx/hz were added later)
    for (const k of ['l', 's', 'si', 'h', 'z', 'lbig', 'sbig', 'hbig', 'zbig', 'zneg', 'z1']) {
      db5.set(k, c[k], k === 'l' ? FAR : undefined);
    }
    expect(digestDataset([...fullDataset(), db5])).toBe('2d89f3f8c8777f1218a55ecf4dc9f2fb7d36e34a');
  });
});

describe('digestValue (DEBUG DIGEST-VALUE)', () => {
  it.each([
    ['bar', false, '68467c70ae30376e7ce005bcc8827f5ba7fd67dc'],
    ['12345', false, 'e1cf90774e995ae03de66e8109dc5cb9d9c2dc83'],
    ['-7', false, '220f87802dc1eca9ffb9dd7f52e30f559e135f81'],
    ['\x00\xff\r\n\x80binary', false, '289884744146d7fcc87b0827680c370c86cd0e3d'],
    ['', false, '8b3447c33a834b810e3e181b6fd6a2ee1020921c'],
    ['value of the empty key', false, '6ed531867412938c88fa0615f222c1403203c620'],
    ['v', true, '311b17018163335616e089f6b951c82c477335ac'],
    ['\x00', false, 'ac69da48ae8a437e0fa1115946e2f12024ff6b63'],
    ['x'.repeat(10000), false, '2eef0c5e3469a6e489d9d37868ae8cd7a34f7ec0'],
    ['vv', true, '4659bb343647c5006f5415a3122ba4957dd7cef9'],
    ['bar', true, '8ec3828f7209dd3abdf6ee448de8b0c0bd53265f'],
  ] as Array<[string, boolean, string]>)('string %j (ttl: %s)', (value, ttl, hex) => {
    expect(digestValue(value, ttl)).toBe(hex);
  });

  it('does not include the key name', () => {
    // 'foo' in db 0 and db 3 both print the same DIGEST-VALUE in Redis
    expect(digestValue('bar')).toBe('68467c70ae30376e7ce005bcc8827f5ba7fd67dc');
  });

  it.each([
    ['l', 'a71e5ae97f872503805ed0b40fae99f54e355da8'],
    ['s', 'b75d8bfd41557452c6d626c4d5fa490d09c932d6'],
    ['si', '5e497276f46b9037a75afe0286ef7a77cbed85e4'],
    ['h', 'e57ced465b80250af1b65b36fbb5fa4edd3bc79c'],
    ['z', '07fd64c5c972019bb6e0c3ba32e9745975f8bb73'],
    ['lbig', '4d6e694e1b1365a53f27a294ef45cd97482409eb'],
    ['sbig', 'a3fb6fb576def292047e71a2e770fb1969ece6cd'],
    ['hbig', '14f5920ba5bb40409a2cebf37109ae088c09d391'],
    ['zbig', '5b5f066641998c3128c6d78e199d8e9e5be87f98'],
    ['zneg', 'ec8ec096ebd0c25179377a4eef1d145046fb3852'],
    ['z1', 'f15b13463fca8c8123ac3525a9b7d49003aed6e3'],
    ['hx', '4c408d2a8ceb7354ea086545d4bfbcc96adc480f'],
    ['hz', '4fa8e5765eca64f4c04bf1f8649025099f08f859'],
  ])('collection %s', (key, hex) => {
    expect(digestValue(collections()[key])).toBe(hex);
  });

  it('collection with TTL', () => {
    expect(digestValue(collections().l, true)).toBe('419ba416a3becf5741483b4c4ac4566e549b1c2b');
  });

  it('sets, hashes and zsets ignore element order; lists do not', () => {
    const big = Array.from({ length: 300 }, (_, i) => 'e' + i).reverse();
    expect(digestValue({ type: 'set', members: big })).toBe('a3fb6fb576def292047e71a2e770fb1969ece6cd');
    expect(digestValue({ type: 'hash', fields: big.map((e) => [e, e + 'v'] as const) })).toBe(
      '14f5920ba5bb40409a2cebf37109ae088c09d391',
    );
    expect(
      digestValue({ type: 'zset', entries: big.map((e) => [e, Number(e.slice(1)) / 7] as const) }),
    ).toBe('5b5f066641998c3128c6d78e199d8e9e5be87f98');
    expect(digestValue({ type: 'list', elements: ['', '\xff', '2', '1', 'b', 'a'] })).not.toBe(
      'a71e5ae97f872503805ed0b40fae99f54e355da8',
    );
  });

  it('zset score -0: Redis keeps it only in skiplist-encoded zsets', () => {
    // Redis 7.0 turns a -0 score into 0 in a small (listpack) zset -- `zneg` above
    // was written with ZADD zneg -0 x and digests like score 0 -- but keeps -0 in
    // a skiplist zset: zbig (300 members) plus member "neg" with -0 or with 0.
    const big = Array.from({ length: 300 }, (_, i) => ['e' + i, i / 7] as [string, number]);
    expect(digestValue({ type: 'zset', entries: [...big, ['neg', -0]] })).toBe(
      '653f22853e1ff78aa30fbac334b1717ea1d7611c',
    );
    expect(digestValue({ type: 'zset', entries: [...big, ['neg', 0]] })).toBe(
      'bec15b7f0316491ec824b705c5c8d3f95a3c90eb',
    );
  });
});

describe('formatScore (%.17g as in Redis 7.0)', () => {
  // left: score; right: Redis 7.0.15's ZRANGE WITHSCORES text for it
  it.each([
    [-Infinity, '-inf'],
    [Infinity, 'inf'],
    [-0.1, '-0.10000000000000001'],
    [0, '0'],
    [-0, '-0'],
    [5e-324, '4.9406564584124654e-324'],
    [0.00001, '1.0000000000000001e-05'],
    [0.0001, '0.0001'],
    [1, '1'],
    [2.5, '2.5'],
    [3, '3'],
    [123456789012, '123456789012'],
    [1234567890123.03125, '1234567890123.0312'], // exact tie: glibc rounds half to even
    [1e16, '10000000000000000'],
    [1e17, '1e+17'],
    [1e300, '1.0000000000000001e+300'],
    [0.1, '0.10000000000000001'],
    [1.7976931348623157e308, '1.7976931348623157e+308'],
    [9.9999999999999995e-5, '9.9999999999999991e-05'],
  ])('%s -> %s', (x, text) => {
    expect(formatScore(x)).toBe(text);
  });
});

/** The collection values used in the Redis session (db 5). */
function collections(): Record<string, DigestValue> {
  const big = Array.from({ length: 300 }, (_, i) => 'e' + i);
  return {
    l: { type: 'list', elements: ['a', 'b', '1', '2', '\xff', ''] },
    s: { type: 'set', members: ['a', 'b', '1', '2', '\xff'] },
    si: { type: 'set', members: ['1', '2', '3', '-5'] }, // intset in Redis
    h: { type: 'hash', fields: [['f', 'v'], ['n', '1'], ['\x00', '']] },
    z: {
      type: 'zset',
      entries: [
        ['a', 1],
        ['b', 2.5],
        ['c', -0.1],
        ['d', 1e300],
        ['e', Infinity],
        ['f', -Infinity],
        ['g', 0],
        ['h', 123456789012],
        ['i', 0.0001],
        ['j', 0.00001],
        ['k', 1e17],
        ['l', 1e16],
        ['m', 1234567890123.03125],
        ['n', 5e-324],
        ['7', 3],
      ],
    },
    lbig: { type: 'list', elements: big },
    sbig: { type: 'set', members: big },
    hbig: { type: 'hash', fields: big.map((e) => [e, e + 'v'] as [string, string]) },
    zbig: { type: 'zset', entries: big.map((e, i) => [e, i / 7] as [string, number]) },
    zneg: { type: 'zset', entries: [['x', 0]] }, // written as ZADD zneg -0 x (see the -0 test)
    z1: { type: 'zset', entries: [['x', 0.1]] },
    hx: { type: 'hash', fields: [['f', 'v'.repeat(100)], ['n', '1']] }, // hashtable in Redis
    hz: { type: 'hash', fields: [['f', 'short'], ['n', '1']] }, // listpack; Redis gave the same digest for a hashtable-encoded copy
  };
}
