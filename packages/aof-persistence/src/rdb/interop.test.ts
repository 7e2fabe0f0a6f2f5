/**
 * Interop with a real redis-server 7.0 (skipped when it is not installed):
 * aki-written RDBs load in Redis with the same DEBUG DIGEST and pass
 * redis-check-rdb; Redis-written RDBs of every encoding decode to exactly
 * the data written.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { digestDataset } from '@aki/keyspace';
import { afterEach, describe, expect, it } from 'vitest';
import { dataset as datasetArbitrary } from './arbitraries.js';
import { RdbDecoder } from './decoder.js';
import { encodeDataset } from './encode-dataset.js';
import { hasRedis, REDIS_CHECK_RDB, RedisProcess } from './redis-process.js';
import { buildValue, Collector, type Dataset, digestSources, type PlainValue, plainDataset } from './test-support.js';

const run = promisify(execFile);
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'aki-rdb-interop-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function startRedis(dir: string, dbfilename: string): Promise<RedisProcess> {
  const redis = await RedisProcess.start(dir, dbfilename);
  cleanups.push(() => redis.stop());
  return redis;
}

/** A score as a ZADD argument (String(-0) would lose the sign). */
const scoreArg = (s: number) => (s === Infinity ? '+inf' : s === -Infinity ? '-inf' : Object.is(s, -0) ? '-0' : String(s));
const text = (v: unknown) => (Buffer.isBuffer(v) ? v.toString('latin1') : String(v));

/** A random all-types dataset over several dbs, expiry in the future, plus big collections. */
function interopDataset(): Dataset {
  const future = Date.now() + 10 * 365 * 86400_000;
  const dbs: Dataset = new Map();
  for (const sample of fc.sample(datasetArbitrary, { numRuns: 12, seed: 4242 })) {
    for (const [db, keys] of sample) {
      let target = dbs.get(db);
      if (target === undefined) dbs.set(db, (target = new Map()));
      for (const [key, e] of keys) target.set(key, { value: e.value, expireAt: e.expireAt === undefined ? undefined : future + (e.expireAt % 1e9) });
    }
  }
  const big: Array<[string, PlainValue]> = [
    ['big:list', { type: 'list', value: Array.from({ length: 5000 }, (_, i) => (i % 3 === 0 ? String(i - 2500) : `item-${i}`)) }],
    ['big:intset', { type: 'set', value: Array.from({ length: 400 }, (_, i) => String(i * 1_000_003 - 2 ** 40)) }],
    ['big:set', { type: 'set', value: Array.from({ length: 3000 }, (_, i) => `m${i}`) }],
    ['big:hash', { type: 'hash', value: Array.from({ length: 2000 }, (_, i) => [`f${i}`, i % 2 ? String(i) : 'v'.repeat(i % 90)] as [string, string]) }],
    ['big:zset', { type: 'zset', value: Array.from({ length: 2000 }, (_, i) => [`z${i}`, i === 0 ? -Infinity : i === 1 ? Infinity : i / 7 - 100] as [string, number]) }],
    ['big:string', { type: 'string', value: 'x'.repeat(300_000) }],
  ];
  const db2 = dbs.get(2) ?? new Map();
  dbs.set(2, db2);
  for (const [key, v] of big) db2.set(key, { value: buildValue(v), expireAt: undefined });
  return dbs;
}

describe.skipIf(!hasRedis)('interop with redis-server 7.0', () => {
  it('an aki-written RDB loads in Redis with the same DEBUG DIGEST and passes redis-check-rdb', async () => {
    const dbs = interopDataset();
    const { bytes } = encodeDataset(dbs, { aux: [['redis-ver', '7.2.4'], ['redis-bits', 64], ['ctime', Math.floor(Date.now() / 1000)], ['aof-base', 0]] });
    const dir = tempDir();
    writeFileSync(join(dir, 'x.rdb'), bytes);

    const check = await run(REDIS_CHECK_RDB, [join(dir, 'x.rdb')]).then(
      (r) => ({ code: 0, out: r.stdout }),
      (e: { code: number; stdout: string }) => ({ code: e.code, out: e.stdout }),
    );
    expect(check.out).toContain('RDB looks OK!');
    expect(check.code).toBe(0);

    const redis = await startRedis(dir, 'x.rdb');
    expect(redis.log).toMatch(/DB loaded from disk/);
    // Redis turns the -0 scores of sorted sets it keeps as listpacks into 0 (so does aki's decoder).
    for (const keys of dbs.values()) {
      for (const { value } of keys.values()) if (typeof value !== 'string' && value.type === 'zset' && value.isCompact(128, 64)) value.dropNegativeZeros();
    }
    const expected = digestDataset(digestSources(dbs));
    expect(text(await redis.command('DEBUG', 'DIGEST'))).toBe(expected);
    // aki loading the same file ends up with the same dataset.
    const c = new Collector();
    new RdbDecoder(bytes, c).run();
    expect(digestDataset(digestSources(c.dbs))).toBe(expected);
    let keys = 0;
    for (const k of dbs.values()) keys += k.size;
    const info = text(await redis.command('INFO', 'keyspace'));
    const loaded = [...info.matchAll(/keys=(\d+)/g)].reduce((n, m) => n + Number(m[1]), 0);
    expect(loaded).toBe(keys);
  }, 60_000);

  it('a Redis-written RDB of every encoding decodes to exactly the data written', async () => {
    const dir = tempDir();
    const redis = await startRedis(dir, 'dump.rdb');
    const future = Date.now() + 86400_000 * 1000;
    const dbs: Dataset = new Map();
    const cmds: string[][] = [['DEBUG', 'QUICKLIST-PACKED-THRESHOLD', '1000']];
    const put = (db: number, key: string, v: PlainValue, expireAt?: number) => {
      let keys = dbs.get(db);
      if (keys === undefined) dbs.set(db, (keys = new Map()));
      keys.set(key, { value: buildValue(v), expireAt });
      cmds.push(['SELECT', String(db)]);
      switch (v.type) {
        case 'string':
          cmds.push(['SET', key, v.value]);
          break;
        case 'list':
          for (let i = 0; i < v.value.length; i += 500) cmds.push(['RPUSH', key, ...v.value.slice(i, i + 500)]);
          break;
        case 'set':
          for (let i = 0; i < v.value.length; i += 500) cmds.push(['SADD', key, ...v.value.slice(i, i + 500)]);
          break;
        case 'hash':
          for (let i = 0; i < v.value.length; i += 500) cmds.push(['HSET', key, ...v.value.slice(i, i + 500).flat()]);
          break;
        case 'zset':
          for (let i = 0; i < v.value.length; i += 500) {
            cmds.push(['ZADD', key, ...v.value.slice(i, i + 500).flatMap(([m, s]) => [scoreArg(s), m])]);
          }
          break;
      }
      if (expireAt !== undefined) cmds.push(['PEXPIREAT', key, String(expireAt)]);
    };
    const binary = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i)).join('');
    // strings: int8/16/32 and int64 forms, LZF-compressed, binary, empty
    for (const v of ['0', '-1', '127', '-129', '32768', '-2147483648', '2147483648', '9223372036854775807', '-9223372036854775808']) put(0, `int:${v}`, { type: 'string', value: v });
    put(0, 'str:lzf', { type: 'string', value: 'abc'.repeat(1000) });
    put(0, 'str:binary\x00\xff', { type: 'string', value: binary });
    put(0, 'str:empty', { type: 'string', value: '' }, future);
    put(0, 'str:ttl', { type: 'string', value: 'v' }, future + 1);
    // lists: one listpack node, many nodes with integers of every width, a plain (oversized) node
    put(0, 'list:small', { type: 'list', value: ['a', '1', '-1', '300', '70000', '-9000000', '5000000000', binary] });
    put(0, 'list:big', { type: 'list', value: Array.from({ length: 3000 }, (_, i) => (i % 2 ? String(i * 7919 - 10_000_000) : `e${i}`)) });
    put(0, 'list:plain', { type: 'list', value: ['before', 'P'.repeat(5000), 'after'] });
    // sets: intsets of each width, hashtable of strings, big integer-only (hashtable)
    put(1, 'set:int16', { type: 'set', value: ['1', '2', '-3'] });
    put(1, 'set:int32', { type: 'set', value: ['100000', '-100000'] });
    put(1, 'set:int64', { type: 'set', value: ['1099511627776', '-9223372036854775808', '9223372036854775807'] });
    put(1, 'set:strings', { type: 'set', value: ['apple', binary, ''] });
    put(1, 'set:bigints', { type: 'set', value: Array.from({ length: 700 }, (_, i) => String(i)) });
    // hashes: listpack, hashtable by count, hashtable by value length
    put(5, 'hash:small', { type: 'hash', value: [['f', 'v'], ['n', '12'], ['big', '5000000000'], ['neg', '-300']] });
    put(5, 'hash:big', { type: 'hash', value: Array.from({ length: 1000 }, (_, i) => [`field${i}`, `value${i}`] as [string, string]) });
    put(5, 'hash:long', { type: 'hash', value: [['f', 'L'.repeat(100)], [binary, binary]] }, future + 2);
    // sorted sets: listpack with integer and text scores, skiplist with infinities and -0
    put(15, 'zset:small', { type: 'zset', value: [['a', 1], ['b', 2.5], ['c', -3], ['d', 1e300], ['e', 0.1]] });
    put(15, 'zset:inf', { type: 'zset', value: [['lo', -Infinity], ['hi', Infinity], ['z', 0]] });
    // (-0 only survives in a skiplist: ZADD creates a listpack first, which turns it into 0, so it comes in the second batch)
    put(15, 'zset:big', { type: 'zset', value: Array.from({ length: 600 }, (_, i) => [`m${i}`, i === 0 ? Infinity : i === 1 ? -Infinity : i === 550 ? -0 : (i - 250) / 3] as [string, number]) });
    const replies = await redis.commands(cmds);
    for (const r of replies) expect(r).not.toBeInstanceOf(Error);
    // The encodings Redis chose, so the test knows it covered them.
    const encodings = await redis.commands([
      ['SELECT', '0'], ['OBJECT', 'ENCODING', 'list:small'], ['OBJECT', 'ENCODING', 'str:lzf'],
      ['SELECT', '1'], ['OBJECT', 'ENCODING', 'set:int64'], ['OBJECT', 'ENCODING', 'set:bigints'],
      ['SELECT', '5'], ['OBJECT', 'ENCODING', 'hash:small'], ['OBJECT', 'ENCODING', 'hash:long'],
      ['SELECT', '15'], ['OBJECT', 'ENCODING', 'zset:small'], ['OBJECT', 'ENCODING', 'zset:big'],
    ]);
    expect(encodings.filter((_, i) => i % 3 !== 0).map(text)).toEqual(['quicklist', 'raw', 'intset', 'hashtable', 'listpack', 'hashtable', 'listpack', 'skiplist']);
    expect(text(await redis.command('SAVE'))).toBe('OK');

    const bytes = readFileSync(join(dir, 'dump.rdb'));
    const c = new Collector();
    const d = new RdbDecoder(bytes, c).run();
    expect(d.version).toBe(10);
    expect(d.checksumVerified).toBe(true);
    expect(d.offset).toBe(bytes.length);
    expect(plainDataset(c.dbs)).toEqual(plainDataset(dbs));
    expect(digestDataset(digestSources(c.dbs))).toBe(text(await redis.command('DEBUG', 'DIGEST')));
  }, 60_000);
});
