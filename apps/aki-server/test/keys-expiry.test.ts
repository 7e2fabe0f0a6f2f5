// Generic key commands and expiry (lazy and active), compared with redis-server 7.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RawConnection, decodeReply, sleep, startAki, waitFor, type RunningServer } from '@aki/test-utils';

let server: RunningServer;
let c: RawConnection;

const q = async (...args: Array<string | number | Buffer>): Promise<string> => (await c.call(...args)).toString('latin1');
const bulk = (s: string) => `$${Buffer.byteLength(s, 'latin1')}\r\n${s}\r\n`;
const int = (n: number | string) => `:${n}\r\n`;
const OK = '+OK\r\n';
const NIL = '$-1\r\n';
const NOT_INT = '-ERR value is not an integer or out of range\r\n';
const SYNTAX = '-ERR syntax error\r\n';
const arity = (cmd: string) => `-ERR wrong number of arguments for '${cmd}' command\r\n`;

async function value(...args: Array<string | number>): Promise<unknown> {
  return decodeReply(await c.call(...args))!.value;
}
async function num(...args: Array<string | number>): Promise<number> {
  return Number(await value(...args));
}
/** The sorted members of an array reply. */
async function sorted(...args: Array<string | number>): Promise<string[]> {
  return ((await value(...args)) as string[]).slice().sort();
}
async function infoField(section: string, field: string): Promise<string | undefined> {
  const text = String(await value('INFO', section));
  return new RegExp(`^${field}:(.*)\\r$`, 'm').exec(text)?.[1];
}

beforeAll(async () => {
  // DEBUG is needed for SET-ACTIVE-EXPIRE; everything else is plain.
  server = await startAki({ args: ['--enable-debug-command', 'yes'] });
  c = await RawConnection.open(server.port);
});

afterAll(async () => {
  c?.close();
  await server?.stop();
});

beforeEach(async () => {
  expect(await q('FLUSHALL')).toBe(OK);
  expect(await q('DEBUG', 'SET-ACTIVE-EXPIRE', '1')).toBe(OK);
});

describe('DEL / UNLINK / EXISTS / TYPE / TOUCH', () => {
  it('DEL and UNLINK count each removed key once', async () => {
    await q('MSET', 'a', '1', 'b', '2', 'c', '3');
    expect(await q('DEL', 'a', 'a', 'nokey')).toBe(int(1));
    expect(await q('UNLINK', 'b', 'c', 'b')).toBe(int(2));
    expect(await q('DBSIZE')).toBe(int(0));
    expect(await q('DEL')).toBe(arity('del'));
    expect(await q('UNLINK')).toBe(arity('unlink'));
  });

  it('EXISTS counts repeated keys every time', async () => {
    await q('SET', 'd', '1');
    expect(await q('EXISTS', 'd', 'd', 'nokey')).toBe(int(2));
    expect(await q('EXISTS', 'nokey')).toBe(int(0));
    expect(await q('EXISTS')).toBe(arity('exists'));
  });

  it('TYPE', async () => {
    expect(await q('TYPE', 'nokey')).toBe('+none\r\n');
    await q('SET', 's', '1');
    expect(await q('TYPE', 's')).toBe('+string\r\n');
  });

  it('TOUCH counts existing keys', async () => {
    await q('SET', 't', 'v');
    expect(await q('TOUCH', 't', 't', 'z')).toBe(int(2));
    expect(await q('TOUCH', 'z')).toBe(int(0));
  });
});

describe('EXPIRE family', () => {
  it('EXPIRE / PEXPIRE / EXPIREAT / PEXPIREAT and the TTL readers', async () => {
    await q('SET', 'a', '1');
    expect(await q('TTL', 'a')).toBe(int(-1));
    expect(await q('PTTL', 'a')).toBe(int(-1));
    expect(await q('EXPIRETIME', 'a')).toBe(int(-1));
    expect(await q('PEXPIRETIME', 'a')).toBe(int(-1));
    expect(await q('EXPIRE', 'a', '100')).toBe(int(1));
    expect(await num('TTL', 'a')).toBe(100);
    expect(await q('PEXPIRE', 'a', '50000')).toBe(int(1));
    const p = await num('PTTL', 'a');
    expect(p).toBeGreaterThan(49_000);
    expect(p).toBeLessThanOrEqual(50_000);
    expect(await q('EXPIREAT', 'a', '4102444800')).toBe(int(1));
    expect(await q('EXPIRETIME', 'a')).toBe(int(4102444800));
    expect(await q('PEXPIRETIME', 'a')).toBe(int(4102444800000));
    expect(await q('PEXPIREAT', 'a', '4102444800123')).toBe(int(1));
    expect(await q('PEXPIRETIME', 'a')).toBe(int(4102444800123));
    expect(await q('EXPIRETIME', 'a')).toBe(int(4102444800));
    const t = await num('TTL', 'a');
    expect(Math.abs(t - (4102444800 - Math.floor(Date.now() / 1000)))).toBeLessThanOrEqual(2);
  });

  it('missing keys: 0 from setters, -2 from readers', async () => {
    expect(await q('EXPIRE', 'nokey', '10')).toBe(int(0));
    expect(await q('PEXPIREAT', 'nokey', '4102444800000')).toBe(int(0));
    expect(await q('TTL', 'nokey')).toBe(int(-2));
    expect(await q('PTTL', 'nokey')).toBe(int(-2));
    expect(await q('EXPIRETIME', 'nokey')).toBe(int(-2));
    expect(await q('PEXPIRETIME', 'nokey')).toBe(int(-2));
    expect(await q('PERSIST', 'nokey')).toBe(int(0));
    expect(await q('EXISTS', 'nokey')).toBe(int(0));
  });

  it('a non-positive or past expiry deletes the key', async () => {
    await q('MSET', 'a', '1', 'b', '1', 'c', '1', 'd', '1');
    expect(await q('EXPIRE', 'a', '-1')).toBe(int(1));
    expect(await q('PEXPIRE', 'b', '0')).toBe(int(1));
    expect(await q('EXPIREAT', 'c', '1')).toBe(int(1));
    expect(await q('PEXPIREAT', 'd', '1000')).toBe(int(1));
    expect(await q('EXISTS', 'a', 'b', 'c', 'd')).toBe(int(0));
    expect(await q('DBSIZE')).toBe(int(0));
  });

  it('NX / XX / GT / LT', async () => {
    await q('SET', 'a', '1');
    expect(await q('EXPIRE', 'a', '100', 'XX')).toBe(int(0)); // no TTL yet
    expect(await q('EXPIRE', 'a', '100', 'GT')).toBe(int(0)); // no TTL counts as infinite
    expect(await q('EXPIRE', 'a', '100', 'NX')).toBe(int(1));
    expect(await q('EXPIRE', 'a', '50', 'NX')).toBe(int(0));
    expect(await q('EXPIRE', 'a', '50', 'GT')).toBe(int(0));
    expect(await q('EXPIRE', 'a', '500', 'GT')).toBe(int(1));
    expect(await num('TTL', 'a')).toBe(500);
    expect(await q('EXPIRE', 'a', '600', 'LT')).toBe(int(0));
    expect(await q('EXPIRE', 'a', '50', 'LT')).toBe(int(1));
    expect(await q('EXPIRE', 'a', '70', 'XX')).toBe(int(1));
    expect(await num('TTL', 'a')).toBe(70);
    expect(await q('PERSIST', 'a')).toBe(int(1));
    expect(await q('PERSIST', 'a')).toBe(int(0));
    expect(await q('EXPIRE', 'a', '50', 'LT')).toBe(int(1)); // infinite > 50
    expect(await num('TTL', 'a')).toBe(50);
    expect(await q('pexpire', 'a', '90000', 'gt')).toBe(int(1));
    expect(await num('TTL', 'a')).toBe(90);
  });

  it('rejects bad arguments with Redis error texts', async () => {
    await q('SET', 'a', '1');
    expect(await q('EXPIRE', 'a', '50', 'NX', 'XX')).toBe(
      '-ERR NX and XX, GT or LT options at the same time are not compatible\r\n',
    );
    expect(await q('EXPIRE', 'a', '50', 'NX', 'GT')).toBe(
      '-ERR NX and XX, GT or LT options at the same time are not compatible\r\n',
    );
    expect(await q('EXPIRE', 'a', '50', 'GT', 'LT')).toBe('-ERR GT and LT options at the same time are not compatible\r\n');
    expect(await q('EXPIRE', 'a', '50', 'FOO')).toBe('-ERR Unsupported option FOO\r\n');
    expect(await q('EXPIRE', 'a', 'abc')).toBe(NOT_INT);
    expect(await q('EXPIRE', 'a', '1.5')).toBe(NOT_INT);
    expect(await q('EXPIRE', 'a', '9223372036854775807')).toBe("-ERR invalid expire time in 'expire' command\r\n");
    expect(await q('PEXPIRE', 'a', '9223372036854775807')).toBe("-ERR invalid expire time in 'pexpire' command\r\n");
    expect(await q('EXPIREAT', 'a', '9223372036854775807')).toBe("-ERR invalid expire time in 'expireat' command\r\n");
    expect(await q('EXPIRE', 'a')).toBe(arity('expire'));
    expect(await q('TTL')).toBe(arity('ttl'));
    expect(await q('TTL', 'a')).toBe(int(-1));
  });

  it('PERSIST removes the TTL', async () => {
    await q('SET', 'a', '1', 'EX', '100');
    expect(await q('PERSIST', 'a')).toBe(int(1));
    expect(await q('TTL', 'a')).toBe(int(-1));
    expect(await q('GET', 'a')).toBe(bulk('1'));
  });
});

describe('expiry', () => {
  it('an expired key is invisible to every reader (lazy expiry)', async () => {
    await q('DEBUG', 'SET-ACTIVE-EXPIRE', '0');
    await q('SET', 'gone', 'v', 'PX', '20');
    await q('SET', 'stay', 'v');
    await waitFor(async () => (await q('PTTL', 'gone')) === int(-2), 2000, 5);
    expect(await q('GET', 'gone')).toBe(NIL);
    expect(await q('EXISTS', 'gone')).toBe(int(0));
    expect(await q('TYPE', 'gone')).toBe('+none\r\n');
    expect(await q('TTL', 'gone')).toBe(int(-2));
    expect(await q('MGET', 'gone', 'stay')).toBe(`*2\r\n${NIL}${bulk('v')}`);
    expect(await value('KEYS', '*')).toEqual(['stay']);
    expect(await q('RANDOMKEY')).toBe(bulk('stay'));
    expect(await q('RENAME', 'gone', 'x')).toBe('-ERR no such key\r\n');
    expect(await q('COPY', 'gone', 'x')).toBe(int(0));
    expect(await q('PERSIST', 'gone')).toBe(int(0));
    expect(await q('EXPIRE', 'gone', '100')).toBe(int(0));
    expect(await q('SET', 'gone', 'new', 'NX')).toBe(OK);
    expect(await q('GET', 'gone')).toBe(bulk('new'));
    expect(await q('TTL', 'gone')).toBe(int(-1));
  });

  it('SCAN never returns an expired key', async () => {
    await q('DEBUG', 'SET-ACTIVE-EXPIRE', '0');
    for (let i = 0; i < 20; i++) await q('SET', `e${i}`, 'v', 'PX', '10');
    await q('SET', 'live', 'v');
    await sleep(30);
    const [cursor, keys] = (await value('SCAN', '0', 'COUNT', '1000')) as [string, string[]];
    expect(cursor).toBe('0');
    expect(keys).toEqual(['live']);
  });

  it('with active expiry off, expired keys stay counted until touched', async () => {
    await q('DEBUG', 'SET-ACTIVE-EXPIRE', '0');
    for (let i = 0; i < 50; i++) await q('SET', `k${i}`, 'v', 'PX', '10');
    await sleep(300);
    // DBSIZE counts keys not yet reclaimed, as in Redis.
    expect(await q('DBSIZE')).toBe(int(50));
    expect(await q('GET', 'k0')).toBe(NIL);
    expect(await q('DBSIZE')).toBe(int(49));
  });

  it('active expiry reclaims keys nobody reads and counts them in expired_keys', async () => {
    const before = Number(await infoField('stats', 'expired_keys'));
    for (let i = 0; i < 200; i++) await q('SET', `k${i}`, 'v', 'PX', '10');
    await q('SET', 'persistent', 'v');
    await waitFor(async () => (await q('DBSIZE')) === int(1), 5000, 20);
    expect(Number(await infoField('stats', 'expired_keys')) - before).toBe(200);
    expect(await q('GET', 'persistent')).toBe(bulk('v'));
  });

  it('INFO keyspace counts keys with a TTL', async () => {
    await q('SET', 'a', '1', 'EX', '1000');
    await q('SET', 'b', '1');
    const line = await infoField('keyspace', 'db0');
    expect(line).toMatch(/^keys=2,expires=1,avg_ttl=\d+$/);
  });
});

describe('KEYS and SCAN', () => {
  it('KEYS glob patterns', async () => {
    await q('MSET', 'k1', '1', 'k2', '2', 'k10', '3', 'other', '4', 'k*', '5', 'K1', '6');
    expect(await sorted('KEYS', '*')).toEqual(['K1', 'k*', 'k1', 'k10', 'k2', 'other']);
    expect(await sorted('KEYS', 'k?')).toEqual(['k*', 'k1', 'k2']);
    expect(await sorted('KEYS', 'k[12]')).toEqual(['k1', 'k2']);
    expect(await sorted('KEYS', 'k[^1]')).toEqual(['k*', 'k2']);
    expect(await sorted('KEYS', 'k[0-9]*')).toEqual(['k1', 'k10', 'k2']);
    expect(await sorted('KEYS', 'k\\*')).toEqual(['k*']);
    expect(await sorted('KEYS', 'o*r')).toEqual(['other']);
    expect(await sorted('KEYS', 'nomatch*')).toEqual([]);
    expect(await q('KEYS')).toBe(arity('keys'));
  });

  it('SCAN visits every key exactly once', async () => {
    const n = 1000;
    for (let i = 0; i < n; i += 100) {
      const args: string[] = [];
      for (let j = i; j < i + 100; j++) args.push(`key:${j}`, String(j));
      await q('MSET', ...args);
    }
    const seen: string[] = [];
    let cursor = '0';
    let rounds = 0;
    do {
      const [next, keys] = (await value('SCAN', cursor, 'COUNT', '37')) as [string, string[]];
      expect(next).toMatch(/^\d+$/);
      seen.push(...keys);
      cursor = next;
      rounds++;
      expect(rounds).toBeLessThan(10 * n);
    } while (cursor !== '0');
    expect(seen.length).toBe(n);
    expect(new Set(seen).size).toBe(n);
  });

  it('SCAN MATCH and TYPE filter', async () => {
    await q('MSET', 'k1', '1', 'k2', '2', 'other', '3');
    const [cursor, keys] = (await value('SCAN', '0', 'MATCH', 'k?', 'COUNT', '100')) as [string, string[]];
    expect(cursor).toBe('0');
    expect(keys.slice().sort()).toEqual(['k1', 'k2']);
    const [, strings] = (await value('SCAN', '0', 'TYPE', 'string', 'COUNT', '100')) as [string, string[]];
    expect(strings.slice().sort()).toEqual(['k1', 'k2', 'other']);
    const [, lists] = (await value('SCAN', '0', 'TYPE', 'list', 'COUNT', '100')) as [string, string[]];
    expect(lists).toEqual([]);
    const [, combined] = (await value('SCAN', '0', 'MATCH', '*1', 'TYPE', 'STRING', 'COUNT', '100')) as [string, string[]];
    expect(combined).toEqual(['k1']);
  });

  it('SCAN errors', async () => {
    expect(await q('SCAN', 'abc')).toBe('-ERR invalid cursor\r\n');
    expect(await q('SCAN', '18446744073709551616')).toBe('-ERR invalid cursor\r\n');
    expect(await q('SCAN', '0', 'COUNT', '0')).toBe(SYNTAX);
    expect(await q('SCAN', '0', 'COUNT', 'abc')).toBe(NOT_INT);
    expect(await q('SCAN', '0', 'FOO')).toBe(SYNTAX);
    expect(await q('SCAN', '0', 'MATCH')).toBe(SYNTAX);
    expect(await q('SCAN')).toBe(arity('scan'));
  });

  it('SCAN of an empty database', async () => {
    expect(await q('SCAN', '0')).toBe('*2\r\n$1\r\n0\r\n*0\r\n');
  });
});

describe('RENAME / RENAMENX / COPY / RANDOMKEY', () => {
  it('RENAME moves value and TTL, overwriting the target', async () => {
    expect(await q('RENAME', 'nokey', 'x')).toBe('-ERR no such key\r\n');
    await q('SET', 'src', 'v', 'EX', '100');
    await q('SET', 'dst', 'old');
    expect(await q('RENAME', 'src', 'dst')).toBe(OK);
    expect(await q('EXISTS', 'src')).toBe(int(0));
    expect(await q('GET', 'dst')).toBe(bulk('v'));
    expect(await num('TTL', 'dst')).toBe(100);
    // A target with a TTL loses it when a persistent key is renamed onto it.
    await q('SET', 'p', 'persistent');
    expect(await q('RENAME', 'p', 'dst')).toBe(OK);
    expect(await q('TTL', 'dst')).toBe(int(-1));
    expect(await q('RENAME', 'dst', 'dst')).toBe(OK);
    expect(await q('GET', 'dst')).toBe(bulk('persistent'));
  });

  it('RENAMENX', async () => {
    await q('MSET', 'a', '1', 'b', '2');
    expect(await q('RENAMENX', 'a', 'b')).toBe(int(0));
    expect(await q('RENAMENX', 'a', 'a')).toBe(int(0));
    expect(await q('RENAMENX', 'a', 'c')).toBe(int(1));
    expect(await q('MGET', 'a', 'b', 'c')).toBe(`*3\r\n${NIL}${bulk('2')}${bulk('1')}`);
    expect(await q('RENAMENX', 'nokey', 'z')).toBe('-ERR no such key\r\n');
  });

  it('COPY', async () => {
    await q('SET', 'src', 'v', 'EX', '100');
    expect(await q('COPY', 'src', 'cp')).toBe(int(1));
    expect(await q('GET', 'cp')).toBe(bulk('v'));
    expect(await num('TTL', 'cp')).toBe(100);
    expect(await q('COPY', 'src', 'cp')).toBe(int(0));
    await q('SET', 'src', 'v2');
    expect(await q('COPY', 'src', 'cp', 'REPLACE')).toBe(int(1));
    expect(await q('GET', 'cp')).toBe(bulk('v2'));
    expect(await q('TTL', 'cp')).toBe(int(-1));
    // The copy is independent of the source.
    await q('APPEND', 'cp', 'x');
    expect(await q('GET', 'src')).toBe(bulk('v2'));
    expect(await q('COPY', 'nokey', 'zz')).toBe(int(0));
    expect(await q('COPY', 'src', 'src')).toBe('-ERR source and destination objects are the same\r\n');
    expect(await q('COPY', 'src', 'x', 'DB', '16')).toBe('-ERR DB index is out of range\r\n');
    expect(await q('COPY', 'src', 'x', 'DB', 'abc')).toBe(NOT_INT);
    expect(await q('COPY', 'src', 'x', 'FOO')).toBe(SYNTAX);
    expect(await q('COPY', 'src')).toBe(arity('copy'));
  });

  it('RANDOMKEY', async () => {
    expect(await q('RANDOMKEY')).toBe(NIL);
    await q('MSET', 'a', '1', 'b', '2', 'c', '3');
    const seen = new Set<unknown>();
    for (let i = 0; i < 60; i++) seen.add(await value('RANDOMKEY'));
    for (const k of seen) expect(['a', 'b', 'c']).toContain(k);
    expect(seen.size).toBeGreaterThan(1);
  });
});

describe('OBJECT', () => {
  it('ENCODING follows the Redis string encodings', async () => {
    await q('SET', 'num', '123');
    await q('SET', 'neg', '-5');
    await q('SET', 'short', 'hello');
    await q('SET', 'e44', 'a'.repeat(44));
    await q('SET', 'r45', 'a'.repeat(45));
    await q('SET', 'huge', '12345678901234567890');
    expect(await q('OBJECT', 'ENCODING', 'num')).toBe(bulk('int'));
    expect(await q('OBJECT', 'ENCODING', 'neg')).toBe(bulk('int'));
    expect(await q('OBJECT', 'ENCODING', 'short')).toBe(bulk('embstr'));
    expect(await q('OBJECT', 'ENCODING', 'e44')).toBe(bulk('embstr'));
    expect(await q('OBJECT', 'ENCODING', 'r45')).toBe(bulk('raw'));
    expect(await q('OBJECT', 'ENCODING', 'huge')).toBe(bulk('embstr'));
    expect(await q('OBJECT', 'ENCODING', 'nokey')).toBe(NIL);
    await q('APPEND', 'num', '4');
    expect(await q('OBJECT', 'ENCODING', 'num')).toBe(bulk('raw'));
    await q('INCR', 'counter');
    expect(await q('OBJECT', 'ENCODING', 'counter')).toBe(bulk('int'));
  });

  it('IDLETIME and FREQ', async () => {
    await q('SET', 't', 'v');
    expect(await q('OBJECT', 'IDLETIME', 't')).toMatch(/^:\d+\r\n$/);
    expect(await num('OBJECT', 'IDLETIME', 't')).toBeLessThan(5);
    expect(await q('OBJECT', 'IDLETIME', 'nokey')).toBe(NIL);
    expect(await q('OBJECT', 'FREQ', 't')).toBe(
      '-ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.\r\n',
    );
    expect(await q('OBJECT', 'FOO', 't')).toBe("-ERR unknown subcommand 'FOO'. Try OBJECT HELP.\r\n");
  });
});
