// The collection types seen from outside: redis-cli output text for each type,
// WRONGTYPE across types, TYPE and OBJECT ENCODING (with Redis 7.2's
// thresholds), SCAN TYPE, COPY as a deep copy, RENAME/MOVE of collections and
// DEBUG DIGEST-VALUE fingerprints.
import { execFile } from 'node:child_process';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RawConnection, decodeReply, hasBinary, sleep, startAki, type RunningServer } from '@aki/test-utils';

let server: RunningServer;
let c: RawConnection;

// The local reference redis-server is 7.0, which predates listpack lists and
// listpack sets; the encodings that changed in 7.2 are asserted for aki only.
const againstRedis = process.env.AKI_TEST_AGAINST_REDIS === '1';
const haveCli = hasBinary('redis-cli');

type Arg = string | number | Buffer;
const q = async (...args: Arg[]): Promise<string> => (await c.call(...args)).toString('latin1');
const value = async (...args: Arg[]): Promise<unknown> => decodeReply(await c.call(...args))!.value;
const OK = '+OK\r\n';
const WRONGTYPE = '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n';
const int = (n: number) => `:${n}\r\n`;

function cli(...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('redis-cli', ['-p', String(server.port), ...args], { timeout: 10_000, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) reject(new Error(`redis-cli ${args.join(' ')} failed: ${err.message} ${stderr}`));
      else resolve(stdout);
    });
  });
}

beforeAll(async () => {
  server = await startAki({ args: ['--appendonly', 'no', '--save', '', '--enable-debug-command', 'yes'] });
  c = await RawConnection.open(server.port);
});

afterAll(async () => {
  c?.close();
  await server?.stop();
});

beforeEach(async () => {
  expect(await q('SELECT', '0')).toBe(OK);
  expect(await q('FLUSHALL')).toBe(OK);
});

describe.skipIf(!haveCli)(`redis-cli output per type${haveCli ? '' : ' (skipped: redis-cli is not installed)'}`, () => {
  it('lists', async () => {
    expect(await cli('RPUSH', 'cli:l', 'a', 'b', 'c')).toBe('3\n');
    expect(await cli('LRANGE', 'cli:l', '0', '-1')).toBe('a\nb\nc\n');
    expect(await cli('--no-raw', 'LRANGE', 'cli:l', '0', '-1')).toBe('1) "a"\n2) "b"\n3) "c"\n');
    expect(await cli('--no-raw', 'LRANGE', 'cli:none', '0', '-1')).toBe('(empty array)\n');
    expect(await cli('--no-raw', 'LINDEX', 'cli:l', '9')).toBe('(nil)\n');
    expect(await cli('LPOS', 'cli:l', 'c')).toBe('2\n');
    expect(await cli('--no-raw', 'LPOP', 'cli:l', '2')).toBe('1) "a"\n2) "b"\n');
    expect(await cli('--no-raw', 'LLEN', 'cli:l')).toBe('(integer) 1\n');
    expect(await cli('--no-raw', 'BLPOP', 'cli:none', '0.01')).toBe('(nil)\n');
    expect(await cli('--no-raw', 'BLPOP', 'cli:l', '0')).toBe('1) "cli:l"\n2) "c"\n');
    expect(await cli('--no-raw', 'TYPE', 'cli:l')).toBe('none\n');
  });

  it('hashes, also as RESP3 maps', async () => {
    expect(await cli('HSET', 'cli:h', 'f1', 'v1', 'f2', 'v2')).toBe('2\n');
    expect(await cli('HGETALL', 'cli:h')).toBe('f1\nv1\nf2\nv2\n');
    expect(await cli('--no-raw', 'HGETALL', 'cli:h')).toBe('1) "f1"\n2) "v1"\n3) "f2"\n4) "v2"\n');
    expect(await cli('-3', '--no-raw', 'HGETALL', 'cli:h')).toBe('1# "f1" => "v1"\n2# "f2" => "v2"\n');
    expect(await cli('-3', 'HGETALL', 'cli:h')).toBe('f1 v1\nf2 v2\n');
    expect(await cli('-3', '--no-raw', 'HGETALL', 'cli:none')).toBe('(empty hash)\n');
    expect(await cli('--no-raw', 'HMGET', 'cli:h', 'f1', 'nof')).toBe('1) "v1"\n2) (nil)\n');
    expect(await cli('--no-raw', 'HINCRBYFLOAT', 'cli:h', 'n', '1.5')).toBe('"1.5"\n');
    expect(await cli('--no-raw', 'HRANDFIELD', 'cli:none', '2', 'WITHVALUES')).toBe('(empty array)\n');
    expect(await cli('TYPE', 'cli:h')).toBe('hash\n');
  });

  it('sets, also as RESP3 sets', async () => {
    expect(await cli('SADD', 'cli:s', '3', '1', '2')).toBe('3\n');
    expect(await cli('--no-raw', 'SMEMBERS', 'cli:s')).toBe('1) "1"\n2) "2"\n3) "3"\n'); // an intset is sorted
    expect(await cli('-3', '--no-raw', 'SMEMBERS', 'cli:s')).toBe('1~ "1"\n2~ "2"\n3~ "3"\n');
    expect(await cli('-3', '--no-raw', 'SMEMBERS', 'cli:none')).toBe('(empty set)\n');
    expect(await cli('--no-raw', 'SMISMEMBER', 'cli:s', '1', '9')).toBe('1) (integer) 1\n2) (integer) 0\n');
    expect(await cli('SISMEMBER', 'cli:s', '2')).toBe('1\n');
    expect(await cli('--no-raw', 'SPOP', 'cli:none')).toBe('(nil)\n');
    expect(await cli('--no-raw', 'SINTERCARD', '1', 'cli:s')).toBe('(integer) 3\n');
    expect(await cli('TYPE', 'cli:s')).toBe('set\n');
  });

  it('sorted sets, with RESP3 doubles', async () => {
    expect(await cli('ZADD', 'cli:z', '1', 'a', '2.5', 'b')).toBe('2\n');
    expect(await cli('--no-raw', 'ZRANGE', 'cli:z', '0', '-1', 'WITHSCORES')).toBe('1) "a"\n2) "1"\n3) "b"\n4) "2.5"\n');
    expect(await cli('-3', '--no-raw', 'ZRANGE', 'cli:z', '0', '-1', 'WITHSCORES')).toBe(
      '1) 1) "a"\n   2) (double) 1\n2) 1) "b"\n   2) (double) 2.5\n',
    );
    expect(await cli('-3', 'ZRANGE', 'cli:z', '0', '-1', 'WITHSCORES')).toBe('a\n1\nb\n2.5\n');
    expect(await cli('ZSCORE', 'cli:z', 'b')).toBe('2.5\n');
    expect(await cli('-3', '--no-raw', 'ZSCORE', 'cli:z', 'b')).toBe('(double) 2.5\n');
    expect(await cli('-3', '--no-raw', 'ZSCORE', 'cli:z', 'nob')).toBe('(nil)\n');
    expect(await cli('-3', '--no-raw', 'ZINCRBY', 'cli:z', '1', 'a')).toBe('(double) 2\n');
    expect(await cli('--no-raw', 'ZINCRBY', 'cli:z', '1', 'a')).toBe('"3"\n');
    expect(await cli('--no-raw', 'ZPOPMIN', 'cli:z')).toBe('1) "b"\n2) "2.5"\n');
    expect(await cli('-3', '--no-raw', 'ZRANDMEMBER', 'cli:none')).toBe('(nil)\n');
    expect(await cli('TYPE', 'cli:z')).toBe('zset\n');
  });

  it('errors and SCAN TYPE', async () => {
    expect(await cli('RPUSH', 'cli:l', 'x')).toBe('1\n');
    expect(await cli('--no-raw', 'GET', 'cli:l')).toBe('(error) WRONGTYPE Operation against a key holding the wrong kind of value\n');
    expect(await cli('GET', 'cli:l')).toBe('WRONGTYPE Operation against a key holding the wrong kind of value\n\n');
    expect(await cli('--no-raw', 'LPUSH', 'cli:l')).toBe("(error) ERR wrong number of arguments for 'lpush' command\n");
    expect(await cli('--no-raw', 'SCAN', '0', 'TYPE', 'list')).toBe('1) "0"\n2) 1) "cli:l"\n');
    expect(await cli('--no-raw', 'SCAN', '0', 'TYPE', 'hash')).toBe('1) "0"\n2) (empty array)\n');
  });
});

describe('WRONGTYPE across types', () => {
  type Family = 'string' | 'list' | 'hash' | 'set' | 'zset';
  const KEYS: Record<Family, string> = { string: 'w:str', list: 'w:list', hash: 'w:hash', set: 'w:set', zset: 'w:zset' };
  // Each command is written for one key K; `accepts` lists the types it reads without WRONGTYPE.
  const COMMANDS: Array<{ accepts: Family[]; args: (k: string) => Arg[] }> = [
    ...(
      [
        (k) => ['GET', k],
        (k) => ['APPEND', k, 'x'],
        (k) => ['INCR', k],
        (k) => ['INCRBYFLOAT', k, '1.5'],
        (k) => ['STRLEN', k],
        (k) => ['GETRANGE', k, '0', '1'],
        (k) => ['SETRANGE', k, '0', 'x'],
        (k) => ['GETDEL', k],
        (k) => ['GETEX', k, 'PERSIST'],
        (k) => ['GETSET', k, 'x'],
        (k) => ['MGET', k], // the exception: MGET answers nil for a non-string
      ] as Array<(k: string) => Arg[]>
    ).map((args) => ({ accepts: ['string'] as Family[], args })),
    ...(
      [
        (k) => ['LPUSH', k, 'x'],
        (k) => ['RPUSHX', k, 'x'],
        (k) => ['LPOP', k],
        (k) => ['RPOP', k, '2'],
        (k) => ['LLEN', k],
        (k) => ['LRANGE', k, '0', '-1'],
        (k) => ['LINDEX', k, '0'],
        (k) => ['LSET', k, '0', 'x'],
        (k) => ['LINSERT', k, 'BEFORE', 'a', 'b'],
        (k) => ['LREM', k, '0', 'x'],
        (k) => ['LTRIM', k, '0', '-1'],
        (k) => ['LPOS', k, 'x'],
        (k) => ['LMOVE', k, 'w:dest', 'LEFT', 'RIGHT'],
        (k) => ['RPOPLPUSH', k, 'w:dest'],
        (k) => ['BLPOP', k, '0'],
        (k) => ['BLMOVE', k, 'w:dest', 'LEFT', 'RIGHT', '0'],
        (k) => ['LMPOP', '1', k, 'LEFT'],
      ] as Array<(k: string) => Arg[]>
    ).map((args) => ({ accepts: ['list'] as Family[], args })),
    ...(
      [
        (k) => ['HSET', k, 'f', 'v'],
        (k) => ['HSETNX', k, 'f', 'v'],
        (k) => ['HGET', k, 'f'],
        (k) => ['HMGET', k, 'f'],
        (k) => ['HGETALL', k],
        (k) => ['HDEL', k, 'f'],
        (k) => ['HLEN', k],
        (k) => ['HEXISTS', k, 'f'],
        (k) => ['HINCRBY', k, 'f', '1'],
        (k) => ['HINCRBYFLOAT', k, 'f', '1'],
        (k) => ['HKEYS', k],
        (k) => ['HVALS', k],
        (k) => ['HSTRLEN', k, 'f'],
        (k) => ['HRANDFIELD', k],
        (k) => ['HSCAN', k, '0'],
      ] as Array<(k: string) => Arg[]>
    ).map((args) => ({ accepts: ['hash'] as Family[], args })),
    ...(
      [
        (k) => ['SADD', k, 'x'],
        (k) => ['SREM', k, 'x'],
        (k) => ['SMEMBERS', k],
        (k) => ['SISMEMBER', k, 'x'],
        (k) => ['SMISMEMBER', k, 'x'],
        (k) => ['SCARD', k],
        (k) => ['SPOP', k],
        (k) => ['SRANDMEMBER', k, '2'],
        (k) => ['SINTER', k],
        (k) => ['SUNION', 'w:none', k],
        (k) => ['SDIFF', k],
        (k) => ['SINTERCARD', '1', k],
        (k) => ['SMOVE', k, 'w:dest', 'x'],
        (k) => ['SUNIONSTORE', 'w:dest', k],
        (k) => ['SSCAN', k, '0'],
      ] as Array<(k: string) => Arg[]>
    ).map((args) => ({ accepts: ['set'] as Family[], args })),
    ...(
      [
        (k) => ['ZADD', k, '1', 'm'],
        (k) => ['ZINCRBY', k, '1', 'm'],
        (k) => ['ZREM', k, 'm'],
        (k) => ['ZCARD', k],
        (k) => ['ZSCORE', k, 'm'],
        (k) => ['ZMSCORE', k, 'm'],
        (k) => ['ZRANK', k, 'm'],
        (k) => ['ZREVRANK', k, 'm'],
        (k) => ['ZCOUNT', k, '-inf', '+inf'],
        (k) => ['ZLEXCOUNT', k, '-', '+'],
        (k) => ['ZRANGE', k, '0', '-1'],
        (k) => ['ZRANGEBYSCORE', k, '-inf', '+inf'],
        (k) => ['ZREVRANGEBYLEX', k, '+', '-'],
        (k) => ['ZRANGESTORE', 'w:dest', k, '0', '-1'],
        (k) => ['ZPOPMIN', k],
        (k) => ['BZPOPMAX', k, '0'],
        (k) => ['ZMPOP', '1', k, 'MIN'],
        (k) => ['ZREMRANGEBYRANK', k, '0', '-1'],
        (k) => ['ZRANDMEMBER', k],
        (k) => ['ZSCAN', k, '0'],
      ] as Array<(k: string) => Arg[]>
    ).map((args) => ({ accepts: ['zset'] as Family[], args })),
    // The sorted-set algebra reads plain sets as sets with score 1.
    ...(
      [
        (k) => ['ZUNIONSTORE', 'w:dest', '1', k],
        (k) => ['ZINTER', '1', k],
        (k) => ['ZDIFF', '1', k],
        (k) => ['ZINTERCARD', '1', k],
      ] as Array<(k: string) => Arg[]>
    ).map((args) => ({ accepts: ['zset', 'set'] as Family[], args })),
  ];

  async function seed(): Promise<void> {
    expect(await q('SET', KEYS.string, 'text')).toBe(OK);
    expect(await q('RPUSH', KEYS.list, 'a', 'b')).toBe(int(2));
    expect(await q('HSET', KEYS.hash, 'f', 'v')).toBe(int(1));
    expect(await q('SADD', KEYS.set, 'a', 'b')).toBe(int(2));
    expect(await q('ZADD', KEYS.zset, '1', 'a', '2', 'b')).toBe(int(2));
  }
  const allKeys = () => Object.values(KEYS);

  it('every command on a key of another type replies WRONGTYPE and changes nothing', async () => {
    await seed();
    const digests = await q('DEBUG', 'DIGEST-VALUE', ...allKeys());
    const failures: string[] = [];
    for (const { accepts, args } of COMMANDS) {
      for (const family of Object.keys(KEYS) as Family[]) {
        if (accepts.includes(family)) continue;
        const argv = args(KEYS[family]);
        const reply = await q(...argv);
        const expected = argv[0] === 'MGET' ? '*1\r\n$-1\r\n' : WRONGTYPE;
        if (reply !== expected) failures.push(`${argv.join(' ')} on a ${family}: ${JSON.stringify(reply)}`);
      }
    }
    expect(failures).toEqual([]);
    expect(await q('DEBUG', 'DIGEST-VALUE', ...allKeys())).toBe(digests);
    expect(await q('EXISTS', 'w:dest')).toBe(int(0)); // no destination was created
    expect(await q('DBSIZE')).toBe(int(5));
    expect(await q('PING')).toBe('+PONG\r\n');
  });

  it('a wrong-typed destination is refused before the source is touched', async () => {
    await seed();
    expect(await q('LMOVE', KEYS.list, KEYS.hash, 'LEFT', 'RIGHT')).toBe(WRONGTYPE);
    expect(await q('RPOPLPUSH', KEYS.list, KEYS.string)).toBe(WRONGTYPE);
    expect(await q('BLMOVE', KEYS.list, KEYS.zset, 'LEFT', 'RIGHT', '0')).toBe(WRONGTYPE);
    expect(await q('LRANGE', KEYS.list, '0', '-1')).toBe('*2\r\n$1\r\na\r\n$1\r\nb\r\n');
    expect(await q('SMOVE', KEYS.set, KEYS.list, 'a')).toBe(WRONGTYPE);
    expect(await q('SCARD', KEYS.set)).toBe(int(2));
    // A STORE command replaces its destination whatever it held.
    expect(await q('SUNIONSTORE', KEYS.string, KEYS.set)).toBe(int(2));
    expect(await q('TYPE', KEYS.string)).toBe('+set\r\n');
    expect(await q('ZRANGESTORE', KEYS.hash, KEYS.zset, '0', '0')).toBe(int(1));
    expect(await q('TYPE', KEYS.hash)).toBe('+zset\r\n');
    expect(await q('ZUNIONSTORE', KEYS.list, '1', KEYS.set)).toBe(int(2));
    expect(await q('ZRANGE', KEYS.list, '0', '-1', 'WITHSCORES')).toBe('*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n1\r\n');
    // SET overwrites any type.
    expect(await q('SET', KEYS.zset, 'plain')).toBe(OK);
    expect(await q('TYPE', KEYS.zset)).toBe('+string\r\n');
  });

  it('inside MULTI a WRONGTYPE fails only its own command', async () => {
    await seed();
    expect(await q('MULTI')).toBe(OK);
    expect(await q('GET', KEYS.list)).toBe('+QUEUED\r\n');
    expect(await q('LPUSH', KEYS.list, 'z')).toBe('+QUEUED\r\n');
    expect(await q('HGET', KEYS.set, 'f')).toBe('+QUEUED\r\n');
    expect(await q('EXEC')).toBe(`*3\r\n${WRONGTYPE}:3\r\n${WRONGTYPE}`);
  });
});

describe('TYPE and OBJECT ENCODING', () => {
  const enc = (k: string) => q('OBJECT', 'ENCODING', k);
  const simple = (s: string) => `+${s}\r\n`;
  const members = (n: number, prefix = 'm') => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

  it('TYPE names each type', async () => {
    await q('SET', 't:s', 'v');
    await q('RPUSH', 't:l', 'v');
    await q('HSET', 't:h', 'f', 'v');
    await q('SADD', 't:set', 'v');
    await q('ZADD', 't:z', '1', 'v');
    expect(await q('TYPE', 't:s')).toBe(simple('string'));
    expect(await q('TYPE', 't:l')).toBe(simple('list'));
    expect(await q('TYPE', 't:h')).toBe(simple('hash'));
    expect(await q('TYPE', 't:set')).toBe(simple('set'));
    expect(await q('TYPE', 't:z')).toBe(simple('zset'));
    expect(await q('TYPE', 't:none')).toBe(simple('none'));
    expect(await enc('t:none')).toBe('$-1\r\n');
  });

  it('hashes: listpack up to 512 fields of up to 64 bytes, then hashtable for good', async () => {
    await q('HSET', 'e:h', ...members(512).flatMap((m) => [m, 'v']));
    expect(await enc('e:h')).toBe('$8\r\nlistpack\r\n');
    await q('HSET', 'e:h', 'one-more', 'v');
    expect(await enc('e:h')).toBe('$9\r\nhashtable\r\n');
    await q('HDEL', 'e:h', ...members(512));
    expect(await q('HLEN', 'e:h')).toBe(int(1));
    expect(await enc('e:h')).toBe('$9\r\nhashtable\r\n');
    await q('HSET', 'e:v', 'f', 'x'.repeat(64));
    expect(await enc('e:v')).toBe('$8\r\nlistpack\r\n');
    await q('HSET', 'e:v', 'g', 'x'.repeat(65));
    expect(await enc('e:v')).toBe('$9\r\nhashtable\r\n');
    await q('HSET', 'e:f', 'f'.repeat(65), 'x');
    expect(await enc('e:f')).toBe('$9\r\nhashtable\r\n');
    // Overwriting an existing field with a long value converts too.
    await q('HSET', 'e:n', 'n', '1');
    expect(await enc('e:n')).toBe('$8\r\nlistpack\r\n');
    await q('HSET', 'e:n', 'n', '1'.repeat(65));
    expect(await enc('e:n')).toBe('$9\r\nhashtable\r\n');
  });

  it('sorted sets: listpack up to 128 members of up to 64 bytes, then skiplist', async () => {
    const zargs = (ms: string[]) => ms.flatMap((m, i) => [String(i), m]);
    await q('ZADD', 'e:z', ...zargs(members(128)));
    expect(await enc('e:z')).toBe('$8\r\nlistpack\r\n');
    await q('ZADD', 'e:z', '1000', 'one-more');
    expect(await enc('e:z')).toBe('$8\r\nskiplist\r\n');
    await q('ZREMRANGEBYRANK', 'e:z', '0', '-2');
    expect(await q('ZCARD', 'e:z')).toBe(int(1));
    expect(await enc('e:z')).toBe('$8\r\nskiplist\r\n');
    await q('ZADD', 'e:big', ...zargs(members(129)));
    expect(await enc('e:big')).toBe('$8\r\nskiplist\r\n');
    await q('ZADD', 'e:m', '1', 'x'.repeat(64));
    expect(await enc('e:m')).toBe('$8\r\nlistpack\r\n');
    await q('ZADD', 'e:m', '2', 'y'.repeat(65));
    expect(await enc('e:m')).toBe('$8\r\nskiplist\r\n');
    // A STORE result gets the encoding its size calls for.
    await q('ZUNIONSTORE', 'e:u', '1', 'e:big');
    expect(await enc('e:u')).toBe('$8\r\nskiplist\r\n');
    await q('ZRANGESTORE', 'e:r', 'e:big', '0', '9');
    expect(await enc('e:r')).toBe('$8\r\nlistpack\r\n');
  });

  it('sets of integers: intset up to 512, then hashtable', async () => {
    await q('SADD', 'e:i', '-5', '0', '9223372036854775807', '-9223372036854775808');
    expect(await enc('e:i')).toBe('$6\r\nintset\r\n');
    await q('SADD', 'e:i', ...Array.from({ length: 508 }, (_, i) => String(i + 1)));
    expect(await q('SCARD', 'e:i')).toBe(int(512));
    expect(await enc('e:i')).toBe('$6\r\nintset\r\n');
    await q('SADD', 'e:i', '100000');
    expect(await enc('e:i')).toBe('$9\r\nhashtable\r\n');
    // Not integers in canonical form: these are strings.
    await q('SADD', 'e:ni', '007', '1.0');
    expect(await enc('e:ni')).not.toBe('$6\r\nintset\r\n');
    await q('SADD', 'e:huge', '9223372036854775808');
    expect(await enc('e:huge')).not.toBe('$6\r\nintset\r\n');
  });

  it('CONFIG SET changes the thresholds for values created afterwards', async () => {
    try {
      expect(await q('CONFIG', 'SET', 'hash-max-listpack-entries', '2', 'zset-max-listpack-value', '4')).toBe(OK);
      await q('HSET', 'c:h', 'a', '1', 'b', '2');
      expect(await enc('c:h')).toBe('$8\r\nlistpack\r\n');
      await q('HSET', 'c:h', 'c', '3');
      expect(await enc('c:h')).toBe('$9\r\nhashtable\r\n');
      await q('ZADD', 'c:z', '1', 'abcd');
      expect(await enc('c:z')).toBe('$8\r\nlistpack\r\n');
      await q('ZADD', 'c:z', '1', 'abcde');
      expect(await enc('c:z')).toBe('$8\r\nskiplist\r\n');
    } finally {
      await q('CONFIG', 'SET', 'hash-max-listpack-entries', '512', 'zset-max-listpack-value', '64');
    }
  });

  it.skipIf(againstRedis)('lists: listpack while small, quicklist past 8 KB, listpack again below half (Redis 7.2; aki only)', async () => {
    await q('RPUSH', 'e:l', 'a', 'b', 'c');
    expect(await enc('e:l')).toBe('$8\r\nlistpack\r\n');
    await q('RPUSH', 'e:l', 'x'.repeat(10_000));
    expect(await enc('e:l')).toBe('$9\r\nquicklist\r\n');
    await q('RPOP', 'e:l');
    expect(await enc('e:l')).toBe('$8\r\nlistpack\r\n');
    await q('RPUSH', 'e:many', ...Array.from({ length: 1000 }, (_, i) => `item-${String(i).padStart(5, '0')}`));
    expect(await enc('e:many')).toBe('$9\r\nquicklist\r\n');
    await q('LTRIM', 'e:many', '0', '1');
    expect(await enc('e:many')).toBe('$8\r\nlistpack\r\n');
  });

  it.skipIf(againstRedis)('sets of strings: listpack up to 128 members of up to 64 bytes, then hashtable (Redis 7.2; aki only)', async () => {
    await q('SADD', 'e:s', ...members(128));
    expect(await enc('e:s')).toBe('$8\r\nlistpack\r\n');
    // A listpack set answers in insertion order.
    await q('SADD', 'e:order', 'c', 'a', 'b', 'zz', 'a');
    expect(await value('SMEMBERS', 'e:order')).toEqual(['c', 'a', 'b', 'zz']);
    await q('SREM', 'e:order', 'a');
    await q('SADD', 'e:order', 'a');
    expect(await value('SMEMBERS', 'e:order')).toEqual(['c', 'b', 'zz', 'a']);
    await q('SADD', 'e:s', 'one-more');
    expect(await enc('e:s')).toBe('$9\r\nhashtable\r\n');
    await q('SADD', 'e:sv', 'x'.repeat(64));
    expect(await enc('e:sv')).toBe('$8\r\nlistpack\r\n');
    await q('SADD', 'e:sv', 'y'.repeat(65));
    expect(await enc('e:sv')).toBe('$9\r\nhashtable\r\n');
    // A small intset that gains a string becomes a listpack; a big one a hashtable.
    await q('SADD', 'e:is', '1', '2', '3');
    expect(await enc('e:is')).toBe('$6\r\nintset\r\n');
    await q('SADD', 'e:is', 'word');
    expect(await enc('e:is')).toBe('$8\r\nlistpack\r\n');
    await q('SADD', 'e:bigis', ...Array.from({ length: 200 }, (_, i) => String(i)));
    expect(await enc('e:bigis')).toBe('$6\r\nintset\r\n');
    await q('SADD', 'e:bigis', 'word');
    expect(await enc('e:bigis')).toBe('$9\r\nhashtable\r\n');
  });
});

describe('SCAN TYPE', () => {
  it('returns only keys of the asked type, with MATCH and across pages', async () => {
    const expected: Record<string, string[]> = { string: [], list: [], hash: [], set: [], zset: [] };
    for (let i = 0; i < 40; i++) {
      const kind = ['string', 'list', 'hash', 'set', 'zset'][i % 5]!;
      const key = `scan:${kind}:${i}`;
      expected[kind]!.push(key);
      if (kind === 'string') await q('SET', key, 'v');
      if (kind === 'list') await q('RPUSH', key, 'v');
      if (kind === 'hash') await q('HSET', key, 'f', 'v');
      if (kind === 'set') await q('SADD', key, 'v');
      if (kind === 'zset') await q('ZADD', key, '1', 'v');
    }
    for (const [kind, keys] of Object.entries(expected)) {
      const found: string[] = [];
      let cursor = '0';
      do {
        const [next, batch] = (await value('SCAN', cursor, 'TYPE', kind, 'COUNT', '7')) as [string, string[]];
        found.push(...batch);
        cursor = next;
      } while (cursor !== '0');
      expect(found.sort(), kind).toEqual(keys.slice().sort());
      const [cur, matched] = (await value('SCAN', '0', 'MATCH', `scan:${kind}:1*`, 'TYPE', kind.toUpperCase(), 'COUNT', '1000')) as [
        string,
        string[],
      ];
      expect(cur).toBe('0');
      expect(matched.sort()).toEqual(keys.filter((k) => k.startsWith(`scan:${kind}:1`)).sort());
    }
  });
});

describe('COPY, RENAME and MOVE of collections', () => {
  const seedAll = async () => {
    await q('RPUSH', 'src:l', 'a', 'b', 'c');
    await q('HSET', 'src:h', 'f1', 'v1', 'f2', 'v2');
    await q('SADD', 'src:s', 'x', 'y');
    await q('ZADD', 'src:z', '1', 'a', '2', 'b');
  };

  it('COPY is a deep copy: changing either side leaves the other alone', async () => {
    await seedAll();
    await q('PEXPIREAT', 'src:h', '4102444800000');
    for (const k of ['l', 'h', 's', 'z']) expect(await q('COPY', `src:${k}`, `dst:${k}`)).toBe(int(1));
    expect(await q('DEBUG', 'DIGEST-VALUE', 'src:l', 'src:h', 'src:s', 'src:z')).toBe(
      await q('DEBUG', 'DIGEST-VALUE', 'dst:l', 'dst:h', 'dst:s', 'dst:z'),
    );
    expect(await q('PEXPIRETIME', 'dst:h')).toBe(int(4102444800000)); // the TTL is copied too

    await q('RPUSH', 'dst:l', 'd');
    await q('LSET', 'dst:l', '0', 'A');
    await q('HSET', 'dst:h', 'f1', 'changed', 'f3', 'v3');
    await q('SREM', 'dst:s', 'x');
    await q('ZINCRBY', 'dst:z', '10', 'a');
    expect(await value('LRANGE', 'src:l', '0', '-1')).toEqual(['a', 'b', 'c']);
    expect(await value('HGETALL', 'src:h')).toEqual(['f1', 'v1', 'f2', 'v2']);
    expect(((await value('SMEMBERS', 'src:s')) as string[]).sort()).toEqual(['x', 'y']);
    expect(await value('ZRANGE', 'src:z', '0', '-1', 'WITHSCORES')).toEqual(['a', '1', 'b', '2']);

    await q('LPOP', 'src:l');
    await q('HDEL', 'src:h', 'f2');
    await q('SADD', 'src:s', 'z');
    await q('ZREM', 'src:z', 'b');
    expect(await value('LRANGE', 'dst:l', '0', '-1')).toEqual(['A', 'b', 'c', 'd']);
    expect(await value('HGETALL', 'dst:h')).toEqual(['f1', 'changed', 'f2', 'v2', 'f3', 'v3']);
    expect(await value('SMEMBERS', 'dst:s')).toEqual(['y']);
    expect(await value('ZRANGE', 'dst:z', '0', '-1', 'WITHSCORES')).toEqual(['b', '2', 'a', '11']);
  });

  it('COPY onto an existing key needs REPLACE; COPY DB copies across databases', async () => {
    await seedAll();
    expect(await q('COPY', 'src:l', 'src:h')).toBe(int(0));
    expect(await q('TYPE', 'src:h')).toBe('+hash\r\n');
    expect(await q('COPY', 'src:l', 'src:h', 'REPLACE')).toBe(int(1));
    expect(await q('TYPE', 'src:h')).toBe('+list\r\n');
    expect(await q('COPY', 'src:z', 'src:z', 'DB', '2')).toBe(int(1));
    expect(await q('SELECT', '2')).toBe(OK);
    expect(await q('ZINCRBY', 'src:z', '5', 'a')).toBe('$1\r\n6\r\n');
    expect(await q('SELECT', '0')).toBe(OK);
    expect(await q('ZSCORE', 'src:z', 'a')).toBe('$1\r\n1\r\n');
  });

  it('RENAME moves a collection with its TTL and replaces any type at the target', async () => {
    await seedAll();
    await q('EXPIRE', 'src:z', '1000');
    expect(await q('RENAME', 'src:z', 'src:h')).toBe(OK);
    expect(await q('TYPE', 'src:h')).toBe('+zset\r\n');
    expect(await q('EXISTS', 'src:z')).toBe(int(0));
    expect(Number(await value('TTL', 'src:h'))).toBeGreaterThan(990);
    expect(await q('RENAMENX', 'src:l', 'src:s')).toBe(int(0));
    expect(await q('RENAMENX', 'src:l', 'new:l')).toBe(int(1));
    expect(await value('LRANGE', 'new:l', '0', '-1')).toEqual(['a', 'b', 'c']);
    expect(await q('RENAME', 'new:l', 'new:l')).toBe(OK);
    expect(await q('LLEN', 'new:l')).toBe(int(3));
  });

  it('MOVE takes a collection to another database unless the key exists there', async () => {
    await seedAll();
    expect(await q('MOVE', 'src:s', '3')).toBe(int(1));
    expect(await q('EXISTS', 'src:s')).toBe(int(0));
    await q('SADD', 'src:s', 'again');
    expect(await q('MOVE', 'src:s', '3')).toBe(int(0));
    expect(await q('SELECT', '3')).toBe(OK);
    expect(((await value('SMEMBERS', 'src:s')) as string[]).sort()).toEqual(['x', 'y']);
    expect(await q('SELECT', '0')).toBe(OK);
    expect(await value('SMEMBERS', 'src:s')).toEqual(['again']);
  });

  it('RENAME and COPY onto a key a client is blocked on serve that client', async () => {
    const waiter = await RawConnection.open(server.port);
    try {
      waiter.send('BLPOP', 'wanted', '0');
      await waitForBlocked(1);
      await q('RPUSH', 'src:l', 'a', 'b');
      expect(await q('RENAME', 'src:l', 'wanted')).toBe(OK);
      expect((await waiter.readReply()).toString()).toBe('*2\r\n$6\r\nwanted\r\n$1\r\na\r\n');
      expect(await value('LRANGE', 'wanted', '0', '-1')).toEqual(['b']);

      waiter.send('BZPOPMIN', 'wantedz', '0');
      await waitForBlocked(1);
      await q('ZADD', 'src:z', '3', 'c', '4', 'd');
      expect(await q('COPY', 'src:z', 'wantedz')).toBe(int(1));
      expect((await waiter.readReply()).toString()).toBe('*3\r\n$7\r\nwantedz\r\n$1\r\nc\r\n$1\r\n3\r\n');
      expect(await value('ZRANGE', 'src:z', '0', '-1')).toEqual(['c', 'd']);
    } finally {
      waiter.close();
    }
  });

  async function waitForBlocked(n: number): Promise<void> {
    for (let i = 0; i < 200; i++) {
      const info = String(await value('INFO', 'clients'));
      if (new RegExp(`^blocked_clients:${n}\\r$`, 'm').test(info)) return;
      await sleep(5);
    }
    throw new Error(`blocked_clients never reached ${n}`);
  }
});

describe('DEBUG DIGEST-VALUE', () => {
  it('fingerprints each type as Redis does: order matters for lists only', async () => {
    await q('RPUSH', 'd:l', 'a', 'b', 'c');
    await q('RPUSH', 'd:l2', 'c', 'b', 'a');
    await q('HSET', 'd:h', 'f1', 'v1', 'f2', 'v2');
    await q('HSET', 'd:h2', 'f2', 'v2', 'f1', 'v1');
    await q('SADD', 'd:s', 'x', 'y', 'z');
    await q('SADD', 'd:s2', 'z', 'y', 'x');
    await q('SADD', 'd:i', '1', '2', '3');
    await q('ZADD', 'd:z', '1', 'a', '2.5', 'b');
    await q('SET', 'd:str', 'hello');
    expect(await value('DEBUG', 'DIGEST-VALUE', 'd:l', 'd:l2', 'd:h', 'd:h2', 'd:s', 'd:s2', 'd:i', 'd:z', 'd:str', 'd:none')).toEqual([
      '8bf72d812571eea9b927f3c11beb0c4165a6ff89',
      'ab68e07de85d09ef55234146f46ee46a318beead',
      '047cc60ea73a34cde6d08a2721a4a26d19ee6570',
      '047cc60ea73a34cde6d08a2721a4a26d19ee6570',
      '0fd9977d57e46b1b9b87439f5ac5b338416ccc24',
      '0fd9977d57e46b1b9b87439f5ac5b338416ccc24',
      '2a462a3f51a1db89738ebbeef0c47ce1bbc85246',
      'c45c5b051acd64070e5ed1a949939d5145f806c5',
      '36b23a1456b2dce2c3ed252c456761301dba8060',
      '0000000000000000000000000000000000000000',
    ]);
  });

  it('does not depend on the encoding', async () => {
    // The same contents reached through a hashtable / skiplist / quicklist.
    await q('HSET', 'd:h', 'f1', 'v1', 'f2', 'v2', 'big', 'x'.repeat(100));
    await q('HDEL', 'd:h', 'big');
    await q('ZADD', 'd:z', '1', 'a', '2.5', 'b', '3', 'y'.repeat(100));
    await q('ZREM', 'd:z', 'y'.repeat(100));
    await q('SADD', 'd:s', 'x', 'y', 'z', 'w'.repeat(100));
    await q('SREM', 'd:s', 'w'.repeat(100));
    await q('RPUSH', 'd:l', 'a', 'b', 'c', 'q'.repeat(10_000));
    await q('RPOP', 'd:l');
    expect(await value('DEBUG', 'DIGEST-VALUE', 'd:h', 'd:z', 'd:s', 'd:l')).toEqual([
      '047cc60ea73a34cde6d08a2721a4a26d19ee6570',
      'c45c5b051acd64070e5ed1a949939d5145f806c5',
      '0fd9977d57e46b1b9b87439f5ac5b338416ccc24',
      '8bf72d812571eea9b927f3c11beb0c4165a6ff89',
    ]);
  });
});
