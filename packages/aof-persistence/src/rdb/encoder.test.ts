import fc from 'fast-check';
import { DEFAULT_ENCODING_LIMITS, HashValue, ListValue, SetValue, SortedSetValue, type StoredValue } from '@aki/keyspace';
import { describe, expect, it } from 'vitest';
import { dataset } from './arbitraries.js';
import { RdbDecoder } from './decoder.js';
import { encodeDataset } from './encode-dataset.js';
import { RdbEncoder } from './encoder.js';
import { Collector, type Dataset, plainDataset } from './test-support.js';

function encode(write: (enc: RdbEncoder) => void, chunkBytes?: number): Buffer {
  const chunks: Buffer[] = [];
  const enc = new RdbEncoder((c) => chunks.push(c), { chunkBytes });
  write(enc);
  return Buffer.concat(chunks);
}

/** Decodes with no listpack-sized sorted sets, so -0 scores survive and the round trip is exact. */
const EXACT = { encodingLimits: { ...DEFAULT_ENCODING_LIMITS, zsetMaxListpackEntries: 0 } };

function decode(bytes: Buffer): Collector {
  const c = new Collector();
  const d = new RdbDecoder(bytes, c, 0, EXACT).run();
  expect(d.offset).toBe(bytes.length);
  expect(d.checksumVerified).toBe(true);
  return c;
}

/** The bytes `entry` writes for one string key (between the header + SELECTDB and the EOF). */
function stringEntryBytes(key: string, value: string): string {
  const bytes = encode((enc) => {
    enc.header([]);
    enc.selectDb(0, 1, 0);
    enc.entry(key, value, undefined);
    enc.finish();
  });
  return bytes.subarray(9 + 5, bytes.length - 9).toString('hex');
}

describe('RdbEncoder bytes', () => {
  it('writes the minimal foo=bar RDB byte for byte (REPLICATION.md 2.3)', () => {
    const bytes = encode((enc) => {
      enc.header([]);
      enc.selectDb(0, 1, 0);
      enc.entry('foo', 'bar', undefined);
      enc.finish();
    });
    expect(bytes.toString('hex')).toBe('524544495330303130' + 'fe00' + 'fb0100' + '00' + '03666f6f' + '03626172' + 'ff' + 'a125e41c1ad07c4c');
  });

  it('writes the empty RDB with its known CRC', () => {
    expect(encode((enc) => (enc.header([]), enc.finish())).toString('hex')).toBe('524544495330303130ffa9fd37fe89a77eeb');
  });

  it('writes aux fields as Redis does: numbers and integer text in int form', () => {
    const bytes = encode((enc) => {
      enc.header([
        ['redis-ver', '7.0.15'],
        ['redis-bits', 64],
        ['ctime', 1795415290],
        ['aof-base', 0],
      ]);
      enc.finish();
    });
    const hex = bytes.toString('hex');
    expect(hex).toContain('fa0972656469732d76657206372e302e3135');
    expect(hex).toContain('fa0a72656469732d62697473c040');
    expect(hex).toContain('fa056374696d65c2' + 'fadc036b');
    expect(hex).toContain('fa08616f662d62617365c000');
    expect(decode(bytes).auxFields).toEqual([
      ['redis-ver', '7.0.15'],
      ['redis-bits', '64'],
      ['ctime', '1795415290'],
      ['aof-base', '0'],
    ]);
  });

  it.each([
    ['0', 'c000'],
    ['-1', 'c0ff'],
    ['127', 'c07f'],
    ['-128', 'c080'],
    ['128', 'c18000'],
    ['-129', 'c17fff'],
    ['32767', 'c1ff7f'],
    ['-32768', 'c10080'],
    ['32768', 'c200800000'],
    ['2147483647', 'c2ffffff7f'],
    ['-2147483648', 'c200000080'],
    ['2147483648', '0a' + Buffer.from('2147483648').toString('hex')],
    ['-0', '022d30'],
    ['007', '03303037'],
    ['+1', '022b31'],
    ['12345678901', '0b' + Buffer.from('12345678901').toString('hex')],
  ])('value %j is written as %s', (value, hex) => {
    expect(stringEntryBytes('k', value)).toBe('00016b' + hex);
  });

  it('int-encodes keys too', () => {
    expect(stringEntryBytes('12', 'x')).toBe('00c00c0178');
  });

  it('writes 14-bit, 32-bit lengths and splits long strings across chunks', () => {
    for (const n of [63, 64, 16383, 16384, 70_000]) {
      const value = 'x'.repeat(n);
      const bytes = encode((enc) => {
        enc.header([]);
        enc.selectDb(0, 1, 0);
        enc.entry('k', value, undefined);
        enc.finish();
      }, 1000);
      const lenHex = bytes.subarray(17, 22).toString('hex');
      if (n < 64) expect(lenHex.slice(0, 2)).toBe(n.toString(16).padStart(2, '0'));
      else if (n < 16384) expect(lenHex.slice(0, 4)).toBe((0x4000 | n).toString(16));
      else expect(lenHex).toBe('80' + n.toString(16).padStart(8, '0'));
      expect(decode(bytes).dbs.get(0)!.get('k')!.value).toBe(value);
    }
  });

  it('writes expiry as 0xFC with 8-byte little-endian ms', () => {
    const bytes = encode((enc) => {
      enc.header([]);
      enc.selectDb(0, 1, 1);
      enc.entry('k', 'v', 4102444800000);
      enc.finish();
    });
    expect(bytes.subarray(9, 9 + 5 + 9).toString('hex')).toBe('fe00fb0101' + 'fc' + '00d8c32cbb030000');
    expect(decode(bytes).dbs.get(0)!.get('k')!.expireAt).toBe(4102444800000);
  });

  it('uses types 1, 2, 4 and 5 for collections', () => {
    const values: Array<[StoredValue, number]> = [[ListValue.from(['a']), 1]];
    const set = new SetValue();
    set.add('a');
    const hash = new HashValue();
    hash.set('f', 'v');
    const zset = new SortedSetValue();
    zset.set('m', 1.5);
    values.push([set, 2], [hash, 4], [zset, 5]);
    for (const [value, type] of values) {
      const bytes = encode((enc) => {
        enc.header([]);
        enc.selectDb(0, 1, 0);
        enc.entry('k', value, undefined);
        enc.finish();
      });
      expect(bytes[14]).toBe(type);
    }
  });

  it('hands over chunks of at most chunkBytes (bigger only never), with bytesWritten counting all', () => {
    const dbs: Dataset = new Map([[0, new Map()]]);
    for (let i = 0; i < 5000; i++) dbs.get(0)!.set('key:' + i, { value: 'value:' + i, expireAt: i % 7 === 0 ? 1e13 + i : undefined });
    const { bytes, chunks } = encodeDataset(dbs, { chunkBytes: 4096 });
    expect(chunks.length).toBeGreaterThan(10);
    for (const c of chunks) expect(c.length).toBeLessThanOrEqual(4096);
    for (const c of chunks.slice(0, -1)) expect(c.length).toBeGreaterThan(4096 - 64);
    expect(plainDataset(decode(bytes).dbs)).toEqual(plainDataset(dbs));
  });

  it('refuses a second finish', () => {
    const enc = new RdbEncoder(() => {});
    enc.header([]);
    enc.finish();
    expect(() => enc.finish()).toThrow(/twice/);
  });
});

describe('RdbEncoder round trip', () => {
  it('decode(encode(dataset)) equals the dataset, for random datasets of every type', () => {
    fc.assert(
      fc.property(dataset, fc.integer({ min: 64, max: 5000 }), (dbs, chunkBytes) => {
        const { bytes } = encodeDataset(dbs, { chunkBytes, aux: [['redis-ver', '7.2.4']] });
        const c = decode(bytes);
        expect(plainDataset(c.dbs)).toEqual(plainDataset(dbs));
        const nonEmpty = [...dbs].filter(([, keys]) => keys.size > 0).sort((a, b) => a[0] - b[0]);
        expect(c.hints).toEqual(
          nonEmpty.map(([db, keys]) => [db, keys.size, [...keys.values()].filter((e) => e.expireAt !== undefined).length]),
        );
      }),
      { numRuns: 200 },
    );
  });
});
