import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isRdb, RdbDecoder, RdbFormatError } from './decoder.js';
import { Collector, plainDataset, plainFromFixtureJson } from './test-support.js';
import { REDIS_7_FIXTURES as FIXTURES } from '../test-fixtures.js';

const fixture = (name: string) => readFileSync(FIXTURES + name);
const fixtureJson = (name: string) => JSON.parse(readFileSync(FIXTURES + name, 'utf8'));

function decode(bytes: Buffer, start = 0) {
  const c = new Collector();
  const d = new RdbDecoder(bytes, c, start).run();
  return { c, d };
}

function decodeError(bytes: Buffer): RdbFormatError {
  try {
    decode(bytes);
  } catch (e) {
    if (e instanceof RdbFormatError) return e;
    throw e;
  }
  throw new Error('decoded without an error');
}

describe('RdbDecoder on Redis-written fixtures', () => {
  it.each([
    ['all-types.rdb', 'all-types.json', 10],
    ['upstream-encodings.rdb', 'upstream-encodings.json', 4],
    ['upstream-hash-ziplist.rdb', 'upstream-hash-ziplist.json', 9],
    ['upstream-hash-zipmap.rdb', 'upstream-hash-zipmap.json', 3],
    ['upstream-list-quicklist.rdb', 'upstream-list-quicklist.json', 8],
    ['upstream-zset-ziplist.rdb', 'upstream-zset-ziplist.json', 10],
  ])('%s matches %s exactly', (rdb, json, version) => {
    const bytes = fixture(rdb);
    const { c, d } = decode(bytes);
    expect(d.version).toBe(version);
    expect(d.offset).toBe(bytes.length);
    expect(plainDataset(c.dbs)).toEqual(plainFromFixtureJson(fixtureJson(json)));
    expect(d.keysLoaded).toBe(Object.values(fixtureJson(json) as Record<string, object>).reduce((n, keys) => n + Object.keys(keys).length, 0));
    expect(d.emptyKeysSkipped).toBe(0);
    expect(d.checksumVerified).toBe(version >= 5);
  });

  it('all-types.rdb delivers its aux fields and RESIZEDB hints', () => {
    const { c } = decode(fixture('all-types.rdb'));
    expect(c.auxFields.map(([name]) => name)).toEqual(['redis-ver', 'redis-bits', 'ctime', 'used-mem', 'aof-base']);
    expect(c.auxFields[0]).toEqual(['redis-ver', '7.0.15']);
    expect(c.auxFields[1]).toEqual(['redis-bits', '64']);
    expect(c.hints).toEqual([
      [0, 23, 1],
      [3, 2, 0],
      [15, 1, 0],
    ]);
  });

  it('the AOF base file (an RDB with aof-base 1) decodes to the dataset before the incr file', () => {
    const { c, d } = decode(fixture('appendonlydir/appendonly.aof.1.base.rdb'));
    expect(c.auxFields).toContainEqual(['aof-base', '1']);
    expect(d.checksumVerified).toBe(true);
    const got = plainDataset(c.dbs);
    const after = plainFromFixtureJson(fixtureJson('appendonlydir.json'));
    // The incr file (see the fixtures README) creates aof:*, changes str:short's
    // expiry, hash:small f2 and zset:small a, and deletes str:neg and list:big.
    const touched = new Set(['aof:ex', 'aof:float', 'aof:s', 'aof:ctr', 'aof:l', 'aof:db5', 'str:short', 'str:neg', 'hash:small', 'zset:small', 'list:big']);
    for (const [db, keys] of Object.entries(after)) {
      for (const [key, entry] of Object.entries(keys)) {
        if (!touched.has(key)) expect(got[db]?.[key], `${db}/${key}`).toEqual(entry);
      }
    }
    expect(Object.keys(got).sort()).toEqual(['0', '15', '3']);
    expect(got['0']!['str:short']).toEqual({ value: { type: 'string', value: 'hello' }, expireAt: null });
    expect(got['0']!['str:neg']).toEqual({ value: { type: 'string', value: '-42' }, expireAt: null });
    expect(got['0']!['hash:small']!.value).toEqual({ type: 'hash', value: [['f1', 'v1'], ['f2', '2'], ['f3', '-3']] });
    expect(got['0']!['zset:small']!.value).toEqual({ type: 'zset', value: [['c', -3], ['a', 1], ['b', 2.5]] });
    expect(got['0']!['list:big']!.value.type).toBe('list');
    for (const key of ['aof:ex', 'aof:float', 'aof:s', 'aof:ctr', 'aof:l']) expect(got['0']![key]).toBeUndefined();
  });

  it('reads the RDB preamble of a single-file AOF and stops right after its checksum', () => {
    const bytes = fixture('upstream-rdb-preamble.aof');
    expect(isRdb(bytes)).toBe(true);
    const { c, d } = decode(bytes);
    expect(plainDataset(c.dbs)).toEqual({
      '0': {
        k1: { value: { type: 'string', value: 'v1' }, expireAt: null },
        k2: { value: { type: 'string', value: 'v2' }, expireAt: null },
      },
    });
    expect(c.auxFields).toContainEqual(['aof-preamble', '1']);
    expect(bytes.subarray(d.offset, d.offset + 4).toString('latin1')).toBe('*2\r\n');
  });

  it('decodes an RDB that starts inside a larger buffer', () => {
    const inner = fixture('all-types.rdb');
    const bytes = Buffer.concat([Buffer.from('garbage before'), inner, Buffer.from('after')]);
    const { c, d } = decode(bytes, 14);
    expect(d.offset).toBe(14 + inner.length);
    expect(plainDataset(c.dbs)).toEqual(plainFromFixtureJson(fixtureJson('all-types.json')));
  });

  it('skips and counts the nine empty collections of upstream-corrupt_empty_keys.rdb', () => {
    const { c, d } = decode(fixture('upstream-corrupt_empty_keys.rdb'));
    expect(d.keysLoaded).toBe(0);
    expect(d.emptyKeysSkipped).toBe(9);
    expect(c.dbs.size).toBe(0);
  });

  it('rejects upstream-corrupt_ziplist.rdb with the hash ziplist integrity error', () => {
    const e = decodeError(fixture('upstream-corrupt_ziplist.rdb'));
    expect(e.message).toBe('Hash ziplist integrity check failed.');
    expect(e.offset).toBeGreaterThan(0);
  });

  it('step(n) delivers at most n keys per call and resumes where it stopped', () => {
    const bytes = fixture('all-types.rdb');
    const c = new Collector();
    const d = new RdbDecoder(bytes, c);
    const counts: number[] = [];
    let done = false;
    while (!done) {
      const before = d.keysLoaded;
      done = d.step(4);
      counts.push(d.keysLoaded - before);
    }
    expect(counts.slice(0, -1).every((n) => n === 4)).toBe(true);
    expect(d.keysLoaded).toBe(26);
    expect(d.step(4)).toBe(true);
    expect(plainDataset(c.dbs)).toEqual(plainFromFixtureJson(fixtureJson('all-types.json')));
  });
});
