// Bad input to the collection commands over the wire: wrong arity, counts
// that are not integers or out of range, bad floats, bad lex and score
// ranges, contradictory options. Each gets Redis's exact error, changes no
// data, and leaves the server healthy. Huge counts that are valid are served
// without trying to allocate them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawConnection, startAki, type RunningServer } from '@aki/test-utils';

let server: RunningServer;
const conns: RawConnection[] = [];

beforeAll(async () => {
  server = await startAki({ args: ['--appendonly', 'no', '--save', '', '--enable-debug-command', 'yes'] });
});

afterAll(async () => {
  for (const c of conns) c.close();
  await server?.stop();
});

async function open(resp: 2 | 3): Promise<RawConnection> {
  const c = await RawConnection.open(server.port);
  conns.push(c);
  if (resp === 3) expect((await c.call('HELLO', '3')).toString()).toMatch(/^%7\r\n/);
  return c;
}

const arity = (cmd: string) => `-ERR wrong number of arguments for '${cmd}' command\r\n`;
const NOT_INT = '-ERR value is not an integer or out of range\r\n';
const SYNTAX = '-ERR syntax error\r\n';
const POSITIVE = '-ERR value is out of range, must be positive\r\n';
const NOT_FLOAT = '-ERR value is not a valid float\r\n';
const RANGE_64 = '-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n';
const NUMKEYS = '-ERR numkeys should be greater than 0\r\n';
const COUNT_POSITIVE = '-ERR count should be greater than 0\r\n';
const TIMEOUT_NEGATIVE = '-ERR timeout is negative\r\n';
// A timeout past 2^63 ms: Redis 7.2 says so; 7.0 (the local reference) wraps it to negative.
const TIMEOUT_OVERFLOW = process.env.AKI_TEST_AGAINST_REDIS === '1' ? TIMEOUT_NEGATIVE : '-ERR timeout is out of range\r\n';
const TIMEOUT_NOT_FLOAT = '-ERR timeout is not a float or out of range\r\n';
const SCORE_RANGE = '-ERR min or max is not a float\r\n';
const LEX_RANGE = '-ERR min or max not valid string range item\r\n';
const atLeastOneKey = (cmd: string) => `-ERR at least 1 input key is needed for '${cmd}' command\r\n`;
const HUGE = '99999999999999999999';
const I64_MIN = '-9223372036854775808';

// Keys: L a list [a b c], H a hash, S a set, Z a sorted set (see seed()).
const CASES: Record<string, Array<[string[], string]>> = {
  lists: [
    [['LPUSH', 'L'], arity('lpush')],
    [['RPUSHX', 'L'], arity('rpushx')],
    [['LPOP', 'L', HUGE], POSITIVE],
    [['LPOP', 'L', '-1'], POSITIVE],
    [['LPOP', 'L', 'x'], POSITIVE],
    [['LPOP', 'nokey', '-1'], POSITIVE],
    [['RPOP', 'L', I64_MIN], POSITIVE],
    [['LPOP', 'L', '1', '2'], arity('lpop')],
    [['LRANGE', 'L', 'a', '1'], NOT_INT],
    [['LRANGE', 'L', '0', HUGE], NOT_INT],
    [['LRANGE', 'L', '0'], arity('lrange')],
    [['LINDEX', 'L', 'x'], NOT_INT],
    [['LINDEX', 'L', '1.0'], NOT_INT],
    [['LSET', 'L', 'x', 'v'], NOT_INT],
    [['LSET', 'nokey', '0', 'v'], '-ERR no such key\r\n'],
    [['LSET', 'L', '99', 'v'], '-ERR index out of range\r\n'],
    [['LSET', 'L', '-4', 'v'], '-ERR index out of range\r\n'],
    [['LINSERT', 'L', 'MIDDLE', 'a', 'b'], SYNTAX],
    [['LREM', 'L', 'x', 'v'], NOT_INT],
    [['LTRIM', 'L', 'a', 'b'], NOT_INT],
    [
      ['LPOS', 'L', 'a', 'RANK', '0'],
      "-ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list\r\n",
    ],
    [['LPOS', 'L', 'a', 'RANK', 'x'], NOT_INT],
    [['LPOS', 'L', 'a', 'COUNT', '-1'], "-ERR COUNT can't be negative\r\n"],
    [['LPOS', 'L', 'a', 'MAXLEN', '-1'], "-ERR MAXLEN can't be negative\r\n"],
    [['LPOS', 'L', 'a', 'FOO'], SYNTAX],
    [['LPOS', 'L', 'a', 'COUNT'], SYNTAX],
    [['LMOVE', 'L', 'D', 'UP', 'LEFT'], SYNTAX],
    [['LMOVE', 'L', 'D', 'LEFT'], arity('lmove')],
    [['LMPOP', '0', 'L', 'LEFT'], NUMKEYS],
    [['LMPOP', 'x', 'L', 'LEFT'], NUMKEYS],
    [['LMPOP', '2', 'L', 'LEFT'], SYNTAX],
    [['LMPOP', '99999999999', 'L', 'LEFT'], SYNTAX],
    [['LMPOP', '1', 'L', 'MIDDLE'], SYNTAX],
    [['LMPOP', '1', 'L', 'LEFT', 'COUNT', '0'], COUNT_POSITIVE],
    [['LMPOP', '1', 'L', 'LEFT', 'COUNT', '-1'], COUNT_POSITIVE],
    [['LMPOP', '1', 'L', 'LEFT', 'COUNT', '1', 'COUNT', '2'], SYNTAX],
    [['BLPOP', 'L', '-1'], TIMEOUT_NEGATIVE],
    [['BLPOP', 'L', 'x'], TIMEOUT_NOT_FLOAT],
    [['BRPOP', 'L', 'inf'], TIMEOUT_OVERFLOW],
    [['BLMOVE', 'L', 'D', 'LEFT', 'RIGHT', '-0.5'], TIMEOUT_NEGATIVE],
    [['BLMPOP', '-1', '1', 'L', 'LEFT'], TIMEOUT_NEGATIVE],
    [['BLMPOP', '0', '0', 'L', 'LEFT'], NUMKEYS],
    [['BLPOP', 'L'], arity('blpop')],
  ],
  hashes: [
    [['HSET', 'H', 'f'], arity('hset')],
    [['HSET', 'H', 'f', 'v', 'f2'], arity('hset')],
    [['HMSET', 'H', 'f'], arity('hmset')],
    [['HSETNX', 'H', 'f'], arity('hsetnx')],
    [['HGET', 'H'], arity('hget')],
    [['HDEL', 'H'], arity('hdel')],
    [['HINCRBY', 'H', 'f', 'x'], NOT_INT],
    [['HINCRBY', 'H', 'n', '1.5'], NOT_INT],
    [['HINCRBY', 'H', 'n', HUGE], NOT_INT],
    [['HINCRBY', 'H', 's', '1'], '-ERR hash value is not an integer\r\n'],
    [['HINCRBY', 'H', 'big', '1'], '-ERR increment or decrement would overflow\r\n'],
    [['HINCRBYFLOAT', 'H', 'n', 'x'], NOT_FLOAT],
    [['HINCRBYFLOAT', 'H', 'n', 'nan'], NOT_FLOAT],
    [['HINCRBYFLOAT', 'H', 'n', 'inf'], '-ERR value is NaN or Infinity\r\n'],
    [['HINCRBYFLOAT', 'H', 's', '1'], '-ERR hash value is not a float\r\n'],
    [['HRANDFIELD', 'H', 'x'], NOT_INT],
    [['HRANDFIELD', 'H', HUGE], NOT_INT],
    [['HRANDFIELD', 'H', I64_MIN], RANGE_64],
    // With WITHVALUES the reply would hold twice |count| entries: past 2^62 that is refused.
    [['HRANDFIELD', 'H', '9223372036854775807', 'WITHVALUES'], '-ERR value is out of range\r\n'],
    [['HRANDFIELD', 'H', '-9223372036854775807', 'WITHVALUES'], '-ERR value is out of range\r\n'],
    [['HRANDFIELD', 'H', '1', 'FOO'], SYNTAX],
    [['HRANDFIELD', 'H', '1', 'WITHVALUES', 'x'], SYNTAX],
    [['HSCAN', 'H', 'x'], '-ERR invalid cursor\r\n'],
    [['HSCAN', 'H', HUGE], '-ERR invalid cursor\r\n'],
    [['HSCAN', 'H', '0', 'COUNT', '0'], SYNTAX],
    [['HSCAN', 'H', '0', 'COUNT', 'x'], NOT_INT],
    [['HSCAN', 'H', '0', 'FOO'], SYNTAX],
    [['HSCAN', 'H', '0', 'MATCH'], SYNTAX],
  ],
  sets: [
    [['SADD', 'S'], arity('sadd')],
    [['SREM', 'S'], arity('srem')],
    [['SMISMEMBER', 'S'], arity('smismember')],
    [['SMOVE', 'S', 'D'], arity('smove')],
    [['SPOP', 'S', '-1'], POSITIVE],
    [['SPOP', 'S', 'x'], POSITIVE],
    [['SPOP', 'S', HUGE], POSITIVE],
    [['SPOP', 'S', '1', '2'], SYNTAX],
    [['SRANDMEMBER', 'S', 'x'], NOT_INT],
    [['SRANDMEMBER', 'S', HUGE], NOT_INT],
    [['SRANDMEMBER', 'S', I64_MIN], RANGE_64],
    [['SRANDMEMBER', 'S', '1', '2'], SYNTAX],
    [['SINTERCARD', '0', 'S'], NUMKEYS],
    [['SINTERCARD', 'x', 'S'], NUMKEYS],
    [['SINTERCARD', '2', 'S'], "-ERR Number of keys can't be greater than number of args\r\n"],
    [['SINTERCARD', '1', 'S', 'LIMIT', '-1'], "-ERR LIMIT can't be negative\r\n"],
    [['SINTERCARD', '1', 'S', 'LIMIT'], SYNTAX],
    [['SINTERCARD', '1', 'S', 'FOO'], SYNTAX],
    [['SSCAN', 'S', '0', 'MATCH'], SYNTAX],
    [['SSCAN', 'S', '0', 'COUNT', '-1'], SYNTAX],
  ],
  'sorted sets': [
    [['ZADD', 'Z', '1'], arity('zadd')],
    [['ZADD', 'Z', 'XX'], arity('zadd')],
    [['ZADD', 'Z', '1', 'a', '2'], SYNTAX],
    [['ZADD', 'Z', 'x', 'a'], NOT_FLOAT],
    [['ZADD', 'Z', 'nan', 'a'], NOT_FLOAT],
    [['ZADD', 'Z', '1e400', 'a'], NOT_FLOAT],
    [['ZADD', 'Z', 'NX', 'XX', '1', 'a'], '-ERR XX and NX options at the same time are not compatible\r\n'],
    [['ZADD', 'Z', 'GT', 'LT', '1', 'a'], '-ERR GT, LT, and/or NX options at the same time are not compatible\r\n'],
    [['ZADD', 'Z', 'NX', 'GT', '1', 'a'], '-ERR GT, LT, and/or NX options at the same time are not compatible\r\n'],
    [['ZADD', 'Z', 'INCR', '1', 'a', '2', 'b'], '-ERR INCR option supports a single increment-element pair\r\n'],
    [['ZINCRBY', 'Z', 'x', 'a'], NOT_FLOAT],
    [['ZINCRBY', 'Z', '-inf', 'i'], '-ERR resulting score is not a number (NaN)\r\n'],
    [['ZADD', 'Z', 'INCR', '-inf', 'i'], '-ERR resulting score is not a number (NaN)\r\n'],
    [['ZRANGE', 'Z', '0', 'x'], NOT_INT],
    [['ZRANGE', 'Z', 'a', 'b', 'BYSCORE'], SCORE_RANGE],
    [['ZRANGE', 'Z', 'a', 'b', 'BYLEX'], LEX_RANGE],
    [['ZRANGE', 'Z', '0', '1', 'LIMIT', '0', '1'], '-ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX\r\n'],
    [['ZRANGE', 'Z', '0', '1', 'BYSCORE', 'BYLEX'], SYNTAX],
    [['ZRANGE', 'Z', '-', '+', 'BYLEX', 'WITHSCORES'], '-ERR syntax error, WITHSCORES not supported in combination with BYLEX\r\n'],
    [['ZRANGE', 'Z', '0', '1', 'BYSCORE', 'LIMIT', 'x', '1'], NOT_INT],
    [['ZRANGE', 'Z', '0', '1', 'BYSCORE', 'LIMIT', '0'], SYNTAX],
    [['ZRANGE', 'Z', '0', '1', 'FOO'], SYNTAX],
    [['ZRANGEBYSCORE', 'Z', '(x', '1'], SCORE_RANGE],
    [['ZRANGEBYSCORE', 'Z', '0', '1', 'LIMIT', 'x', '1'], NOT_INT],
    [['ZRANGEBYSCORE', 'Z', '0', '1', 'WITHSCORES', 'FOO'], SYNTAX],
    [['ZRANGEBYLEX', 'Z', 'a', 'b'], LEX_RANGE],
    [['ZRANGEBYLEX', 'Z', '-', '+', 'WITHSCORES'], '-ERR syntax error, WITHSCORES not supported in combination with BYLEX\r\n'],
    [['ZREVRANGEBYLEX', 'Z', '+', '-', 'LIMIT', '0'], SYNTAX],
    [['ZCOUNT', 'Z', 'a', 'b'], SCORE_RANGE],
    [['ZLEXCOUNT', 'Z', 'a', 'b'], LEX_RANGE],
    [['ZREMRANGEBYRANK', 'Z', 'a', '1'], NOT_INT],
    [['ZREMRANGEBYSCORE', 'Z', 'a', '1'], SCORE_RANGE],
    [['ZREMRANGEBYLEX', 'Z', 'a', '1'], LEX_RANGE],
    [['ZPOPMIN', 'Z', '-1'], POSITIVE],
    [['ZPOPMIN', 'Z', 'x'], POSITIVE],
    [['ZPOPMAX', 'Z', HUGE], POSITIVE],
    [['ZPOPMIN', 'Z', '1', '2'], SYNTAX],
    [['ZMPOP', '0', 'Z', 'MIN'], NUMKEYS],
    [['ZMPOP', '2', 'Z', 'MIN'], SYNTAX],
    [['ZMPOP', '1', 'Z', 'MIDDLE'], SYNTAX],
    [['ZMPOP', '1', 'Z', 'MIN', 'COUNT', '0'], COUNT_POSITIVE],
    [['BZPOPMIN', 'Z', '-1'], TIMEOUT_NEGATIVE],
    [['BZMPOP', 'x', '1', 'Z', 'MIN'], TIMEOUT_NOT_FLOAT],
    [['ZUNIONSTORE', 'D', '0', 'Z'], atLeastOneKey('zunionstore')],
    [['ZUNIONSTORE', 'D', '-1', 'Z'], atLeastOneKey('zunionstore')],
    [['ZUNIONSTORE', 'D', 'x', 'Z'], NOT_INT],
    [['ZUNIONSTORE', 'D', '2', 'Z'], SYNTAX],
    [['ZUNIONSTORE', 'D', '1', 'Z', 'WEIGHTS', 'x'], '-ERR weight value is not a float\r\n'],
    [['ZUNIONSTORE', 'D', '1', 'Z', 'WEIGHTS'], SYNTAX],
    [['ZUNIONSTORE', 'D', '1', 'Z', 'AGGREGATE', 'AVG'], SYNTAX],
    [['ZINTERSTORE', 'D', '1', 'Z', 'WITHSCORES'], SYNTAX],
    [['ZINTER', '0', 'Z'], atLeastOneKey('zinter')],
    [['ZDIFF', '0', 'Z'], atLeastOneKey('zdiff')],
    [['ZDIFF', '1', 'Z', 'WEIGHTS', '1'], SYNTAX],
    [['ZDIFFSTORE', 'D', '0', 'Z'], atLeastOneKey('zdiffstore')],
    [['ZINTERCARD', '0', 'Z'], atLeastOneKey('zintercard')],
    [['ZINTERCARD', '1', 'Z', 'LIMIT', '-1'], "-ERR LIMIT can't be negative\r\n"],
    [['ZRANDMEMBER', 'Z', 'x'], NOT_INT],
    [['ZRANDMEMBER', 'Z', I64_MIN], RANGE_64],
    [['ZRANDMEMBER', 'Z', '1', 'FOO'], SYNTAX],
    [['ZRANDMEMBER', 'Z', '1', 'WITHSCORES', 'x'], SYNTAX],
    [['ZRANGESTORE', 'D', 'Z', '0', '1', 'WITHSCORES'], SYNTAX],
    [['ZRANGESTORE', 'D', 'Z', '0', 'x'], NOT_INT],
    [['ZSCORE', 'Z'], arity('zscore')],
    [['ZMSCORE', 'Z'], arity('zmscore')],
    [['ZSCAN', 'Z', '0', 'COUNT', '-1'], SYNTAX],
  ],
};

const SEED: Record<string, string[]> = {
  lists: ['RPUSH', 'L', 'a', 'b', 'c'],
  hashes: ['HSET', 'H', 'f', 'v', 'n', '10', 's', 'abc', 'big', '9223372036854775807'],
  sets: ['SADD', 'S', 'a', 'b', '1'],
  'sorted sets': ['ZADD', 'Z', '1', 'a', '2', 'b', 'inf', 'i'],
};
const SEEDED: Record<string, string> = { lists: ':3\r\n', hashes: ':4\r\n', sets: ':3\r\n', 'sorted sets': ':3\r\n' };

/** Writes all four keys; asserts only `family`'s, so each family's test stands on its own. */
async function seed(c: RawConnection, family: string): Promise<void> {
  expect((await c.call('FLUSHALL')).toString()).toBe('+OK\r\n');
  for (const [name, args] of Object.entries(SEED)) {
    const reply = (await c.call(...args)).toString();
    if (name === family) expect(reply, args.join(' ')).toBe(SEEDED[name]);
  }
}

for (const resp of [2, 3] as const) {
  describe(`bad input, RESP${resp}`, () => {
    let c: RawConnection;

    beforeAll(async () => {
      c = await open(resp);
    });

    for (const [family, cases] of Object.entries(CASES)) {
      it(`${family}: exact errors, nothing written, server healthy`, async () => {
        await seed(c, family);
        const digest = (await c.call('DEBUG', 'DIGEST')).toString();
        const wrong: string[] = [];
        for (const [args, expected] of cases) {
          const got = (await c.call(...args)).toString('latin1');
          if (got !== expected) wrong.push(`${args.join(' ')}\n    expected ${JSON.stringify(expected)}\n    got      ${JSON.stringify(got)}`);
        }
        expect(wrong).toEqual([]);
        expect((await c.call('DEBUG', 'DIGEST')).toString()).toBe(digest);
        expect((await c.call('EXISTS', 'D', 'nokey')).toString()).toBe(':0\r\n');
        expect((await c.call('PING')).toString()).toBe('+PONG\r\n');
      });
    }

    it('bad commands inside MULTI: arity errors abort, the rest fail alone at EXEC', async () => {
      await seed(c, 'lists');
      await seed(c, 'hashes');
      const digest = (await c.call('DEBUG', 'DIGEST')).toString();
      expect((await c.call('MULTI')).toString()).toBe('+OK\r\n');
      expect((await c.call('LPOP', 'L', HUGE)).toString()).toBe('+QUEUED\r\n');
      expect((await c.call('HINCRBYFLOAT', 'H', 'n', 'x')).toString()).toBe('+QUEUED\r\n');
      expect((await c.call('LLEN', 'L')).toString()).toBe('+QUEUED\r\n');
      expect((await c.call('EXEC')).toString()).toBe(`*3\r\n${POSITIVE}${NOT_FLOAT}:3\r\n`);
      expect((await c.call('MULTI')).toString()).toBe('+OK\r\n');
      expect((await c.call('HSET', 'H', 'f')).toString()).toBe(arity('hset'));
      expect((await c.call('EXEC')).toString()).toBe('-EXECABORT Transaction discarded because of previous errors.\r\n');
      expect((await c.call('DEBUG', 'DIGEST')).toString()).toBe(digest);
    });
  });
}

describe('huge but valid counts and ranges are served without allocating them', () => {
  const I64_MAX = '9223372036854775807';
  let c: RawConnection;
  const q = async (...args: string[]) => (await c.call(...args)).toString('latin1');
  beforeAll(async () => {
    c = await open(2);
  });

  it('lists', async () => {
    await seed(c, 'lists');
    expect(await q('LRANGE', 'L', I64_MIN, I64_MAX)).toBe('*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n');
    expect(await q('LINDEX', 'L', I64_MIN)).toBe('$-1\r\n');
    expect(await q('LPOS', 'L', 'c', 'COUNT', '0', 'MAXLEN', I64_MAX)).toBe('*1\r\n:2\r\n');
    expect(await q('LTRIM', 'L', '0', I64_MAX)).toBe('+OK\r\n');
    expect(await q('LMPOP', '1', 'L', 'LEFT', 'COUNT', I64_MAX)).toBe('*2\r\n$1\r\nL\r\n*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n');
    expect(await q('EXISTS', 'L')).toBe(':0\r\n');
    expect(await q('RPUSH', 'L', 'a', 'b')).toBe(':2\r\n');
    expect(await q('RPOP', 'L', I64_MAX)).toBe('*2\r\n$1\r\nb\r\n$1\r\na\r\n');
    expect(await q('EXISTS', 'L')).toBe(':0\r\n');
    expect(await q('PING')).toBe('+PONG\r\n');
  });

  it('hashes', async () => {
    await seed(c, 'hashes');
    expect(await q('HRANDFIELD', 'H', I64_MAX)).toMatch(/^\*4\r\n/);
    expect(await q('HRANDFIELD', 'H', '4611686018427387903', 'WITHVALUES')).toMatch(/^\*8\r\n/);
    expect(await q('HSCAN', 'H', '0', 'COUNT', I64_MAX)).toMatch(/^\*2\r\n\$1\r\n0\r\n\*8\r\n/);
    expect(await q('PING')).toBe('+PONG\r\n');
  });

  it('sets', async () => {
    await seed(c, 'sets');
    expect(await q('SRANDMEMBER', 'S', I64_MAX)).toMatch(/^\*3\r\n/);
    expect(await q('SINTERCARD', '1', 'S', 'LIMIT', I64_MAX)).toBe(':3\r\n');
    expect(await q('SPOP', 'S', I64_MAX)).toMatch(/^\*3\r\n/);
    expect(await q('EXISTS', 'S')).toBe(':0\r\n');
    expect(await q('PING')).toBe('+PONG\r\n');
  });

  it('sorted sets', async () => {
    await seed(c, 'sorted sets');
    expect(await q('ZRANGE', 'Z', I64_MIN, I64_MAX)).toBe('*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\ni\r\n');
    expect(await q('ZRANGE', 'Z', '-inf', '+inf', 'BYSCORE', 'LIMIT', I64_MAX, I64_MAX)).toBe('*0\r\n');
    expect(await q('ZRANGE', 'Z', '-inf', '+inf', 'BYSCORE', 'LIMIT', '1', I64_MAX)).toBe('*2\r\n$1\r\nb\r\n$1\r\ni\r\n');
    expect(await q('ZRANDMEMBER', 'Z', I64_MAX)).toMatch(/^\*3\r\n/);
    expect(await q('ZPOPMAX', 'Z', I64_MAX)).toBe('*6\r\n$1\r\ni\r\n$3\r\ninf\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\na\r\n$1\r\n1\r\n');
    expect(await q('EXISTS', 'Z')).toBe(':0\r\n');
    expect(await q('PING')).toBe('+PONG\r\n');
  });
});
