// Application scenarios on sorted sets, hashes and transactions, through
// ioredis and node-redis in RESP2 and RESP3: a leaderboard, a cache of hashes
// with TTLs, sessions, a fixed-window rate limiter (MULTI INCR EXPIRE EXEC)
// and WATCH-based optimistic locking.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { RawConnection, startAki, waitFor, type RunningServer } from '@aki/test-utils';
import { connectIoredis, connectNodeRedis, type NodeRedisClient } from './support/app-clients.js';

let server: RunningServer;
let admin: RawConnection;

beforeAll(async () => {
  server = await startAki({ args: ['--appendonly', 'no', '--save', ''] });
  admin = await RawConnection.open(server.port);
});

afterAll(async () => {
  admin?.close();
  await server?.stop();
});

/** Scores in these tests are exact in binary, so every Redis version prints them alike. */
const PLAYERS: Array<[number, string]> = [
  [100, 'alice'],
  [250, 'bob'],
  [100, 'carol'],
  [175, 'dave'],
  [250, 'erin'],
  [50, 'frank'],
];
// After ZINCRBY dave 25 and frank 0.5: ties (alice/carol at 100, bob/erin at
// 250) are ordered by member, lexicographically; REV reverses that too.
const ASCENDING: Array<[string, number]> = [
  ['frank', 50.5],
  ['alice', 100],
  ['carol', 100],
  ['dave', 200],
  ['bob', 250],
  ['erin', 250],
];
const DESCENDING = ASCENDING.slice().reverse();

for (const protocol of [2, 3] as const) {
  describe(`ioredis, RESP${protocol}`, () => {
    let r: Redis;
    let other: Redis;
    const p = `io${protocol}:`;

    beforeAll(async () => {
      [r, other] = await Promise.all([connectIoredis(server, protocol), connectIoredis(server, protocol)]);
    });
    afterAll(() => {
      r?.disconnect();
      other?.disconnect();
    });

    it('leaderboard: ZADD, ZINCRBY, ranks, scores and counts', async () => {
      const lb = `${p}lb`;
      expect(await r.zadd(lb, ...PLAYERS.flat())).toBe(6);
      expect(await r.zadd(lb, 999, 'alice', 1, 'zoe')).toBe(1); // alice updated, zoe added
      expect(await r.zadd(lb, 100, 'alice')).toBe(0);
      expect(await r.zrem(lb, 'zoe', 'nobody')).toBe(1);
      expect(await r.zincrby(lb, 25, 'dave')).toBe('200');
      expect(await r.zincrby(lb, 0.5, 'frank')).toBe('50.5');
      expect(await r.zcard(lb)).toBe(6);

      expect(await r.zrange(lb, '0', '-1', 'REV', 'WITHSCORES')).toEqual(DESCENDING.flatMap(([m, s]) => [m, String(s)]));
      expect(await r.zrange(lb, '0', '2', 'REV')).toEqual(['erin', 'bob', 'dave']);
      expect(await r.zrange(lb, '0', '-1')).toEqual(ASCENDING.map(([m]) => m));
      expect(await r.zrevrange(lb, 0, 1, 'WITHSCORES')).toEqual(['erin', '250', 'bob', '250']);

      expect(await r.zrank(lb, 'frank')).toBe(0);
      expect(await r.zrank(lb, 'alice')).toBe(1);
      expect(await r.zrank(lb, 'carol')).toBe(2);
      expect(await r.zrevrank(lb, 'erin')).toBe(0);
      expect(await r.zrevrank(lb, 'alice')).toBe(4);
      expect(await r.zrank(lb, 'nobody')).toBe(null);
      expect(await r.zrevrank(`${p}nolb`, 'alice')).toBe(null);

      expect(await r.zscore(lb, 'frank')).toBe('50.5');
      expect(await r.zscore(lb, 'bob')).toBe('250');
      expect(await r.zscore(lb, 'nobody')).toBe(null);
      expect(await r.zmscore(lb, 'dave', 'nobody')).toEqual(['200', null]);

      expect(await r.zcount(lb, 100, 200)).toBe(3);
      expect(await r.zcount(lb, '(100', 200)).toBe(1);
      expect(await r.zcount(lb, '(100', '(250')).toBe(1);
      expect(await r.zcount(lb, '-inf', '+inf')).toBe(6);
      expect(await r.zcount(lb, '(250', '+inf')).toBe(0);
    });

    it('leaderboard: BYSCORE with exclusive bounds, REV and LIMIT', async () => {
      const lb = `${p}lb`;
      expect(await r.zrange(lb, '(100', '+inf', 'BYSCORE')).toEqual(['dave', 'bob', 'erin']);
      expect(await r.zrange(lb, '(100', '+inf', 'BYSCORE', 'LIMIT', '1', '2')).toEqual(['bob', 'erin']);
      expect(await r.zrange(lb, '+inf', '(100', 'BYSCORE', 'REV', 'LIMIT', '0', '2')).toEqual(['erin', 'bob']);
      expect(await r.zrange(lb, '(50.5', '(250', 'BYSCORE', 'WITHSCORES')).toEqual(['alice', '100', 'carol', '100', 'dave', '200']);
      expect(await r.zrange(lb, '100', '100', 'BYSCORE', 'LIMIT', '1', '-1')).toEqual(['carol']);
      expect(await r.zrangebyscore(lb, '-inf', '(100', 'WITHSCORES')).toEqual(['frank', '50.5']);
      expect(await r.zrevrangebyscore(lb, 250, 200, 'LIMIT', 1, 5)).toEqual(['bob', 'dave']);
      expect(await r.zrange(lb, '(250', '+inf', 'BYSCORE')).toEqual([]);
      // Paging through the board 4 at a time.
      expect(await r.zrange(lb, '0', '3', 'REV')).toEqual(['erin', 'bob', 'dave', 'carol']);
      expect(await r.zrange(lb, '4', '7', 'REV')).toEqual(['alice', 'frank']);
      expect(await r.zrange(lb, '8', '11', 'REV')).toEqual([]);
    });

    it('cache: a hash with a TTL disappears whole; TTL, PTTL, PERSIST', async () => {
      const key = `${p}cache:user:1`;
      expect(await r.hset(key, { name: 'Ada', lang: 'en', visits: '3' })).toBe(3);
      expect(await r.expire(key, 100)).toBe(1);
      expect(await r.ttl(key)).toBe(100);
      const pttl = await r.pttl(key);
      expect(pttl).toBeGreaterThan(98_000);
      expect(pttl).toBeLessThanOrEqual(100_000);
      // Writing a field keeps the key's TTL.
      expect(await r.hincrby(key, 'visits', 1)).toBe(4);
      expect(await r.hset(key, 'lang', 'fr')).toBe(0);
      expect(await r.ttl(key)).toBe(100);
      expect(await r.persist(key)).toBe(1);
      expect(await r.persist(key)).toBe(0);
      expect(await r.ttl(key)).toBe(-1);

      expect(await r.pexpire(key, 80)).toBe(1);
      expect(await r.hgetall(key)).toEqual({ name: 'Ada', lang: 'fr', visits: '4' });
      await waitFor(async () => Object.keys(await r.hgetall(key)).length === 0, 3000);
      expect(await r.hgetall(key)).toEqual({});
      expect(await r.exists(key)).toBe(0);
      expect(await r.ttl(key)).toBe(-2);
      expect(await r.pttl(key)).toBe(-2);
      expect(await r.hget(key, 'name')).toBe(null);
      expect(await r.hlen(key)).toBe(0);
      // A fresh write after expiry starts a key without a TTL.
      expect(await r.hset(key, 'name', 'Grace')).toBe(1);
      expect(await r.ttl(key)).toBe(-1);
    });

    it('sessions as hashes', async () => {
      const sid = `${p}session:abc`;
      expect(await r.hset(sid, 'user', '42', 'created', '1700000000', 'hits', '0')).toBe(3);
      expect(await r.expire(sid, 1800)).toBe(1);
      expect(await r.hget(sid, 'user')).toBe('42');
      expect(await r.hmget(sid, 'user', 'missing', 'created')).toEqual(['42', null, '1700000000']);
      expect(await r.hexists(sid, 'user')).toBe(1);
      expect(await r.hexists(sid, 'missing')).toBe(0);
      expect(await r.hsetnx(sid, 'user', '43')).toBe(0);
      expect(await r.hsetnx(sid, 'theme', 'dark')).toBe(1);
      expect(await r.hincrby(sid, 'hits', 5)).toBe(5);
      expect(await r.hincrbyfloat(sid, 'hits', '0.5')).toBe('5.5');
      expect(await r.hlen(sid)).toBe(4);
      expect(await r.hkeys(sid)).toEqual(['user', 'created', 'hits', 'theme']);
      expect(await r.hvals(sid)).toEqual(['42', '1700000000', '5.5', 'dark']);
      expect(await r.hstrlen(sid, 'created')).toBe(10);
      // Sliding expiry: only an existing session is refreshed.
      expect(await r.expire(sid, 3600, 'XX')).toBe(1);
      expect(await r.ttl(sid)).toBe(3600);
      expect(await r.expire(`${p}session:none`, 3600, 'XX')).toBe(0);
      // Logout field by field: removing the last field removes the session.
      expect(await r.hdel(sid, 'user', 'created', 'missing')).toBe(2);
      expect(await r.hdel(sid, 'hits', 'theme')).toBe(2);
      expect(await r.exists(sid)).toBe(0);
    });

    it('rate limiter: MULTI INCR EXPIRE NX EXEC', async () => {
      const key = `${p}rl:10.0.0.1`;
      const LIMIT = 3;
      const decisions: boolean[] = [];
      for (let i = 1; i <= 5; i++) {
        const res = await r.multi().incr(key).expire(key, 60, 'NX').exec();
        expect(res).toEqual([
          [null, i],
          [null, i === 1 ? 1 : 0],
        ]);
        decisions.push((res![0]![1] as number) <= LIMIT);
      }
      expect(decisions).toEqual([true, true, true, false, false]);
      const ttl = await r.ttl(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(60);
      // A queued command with a wrong type fails alone; the others run.
      await r.hset(`${p}rl:hash`, 'f', '1');
      const mixed = await r.multi().incr(`${p}rl:hash`).incr(key).exec();
      expect(mixed![0]![0]).toBeInstanceOf(Error);
      expect((mixed![0]![0] as Error).message).toBe('WRONGTYPE Operation against a key holding the wrong kind of value');
      expect(mixed![1]).toEqual([null, 6]);
    });

    it('optimistic locking: a concurrent write makes EXEC return null, a retry succeeds', async () => {
      const key = `${p}balance`;
      await r.set(key, '100');
      expect(await r.watch(key)).toBe('OK');
      const balance = Number(await r.get(key));
      expect(await other.incrby(key, 50)).toBe(150); // someone else got there first
      expect(await r.multi().set(key, String(balance - 30)).exec()).toBe(null);
      expect(await r.get(key)).toBe('150');

      // Retry: nobody interferes this time.
      expect(await r.watch(key)).toBe('OK');
      const fresh = Number(await r.get(key));
      expect(await r.multi().set(key, String(fresh - 30)).get(key).exec()).toEqual([
        [null, 'OK'],
        [null, '120'],
      ]);

      // Watching a hash: HINCRBY from another connection aborts; UNWATCH forgets.
      const inv = `${p}inventory`;
      await r.hset(inv, 'widgets', '10');
      await r.watch(inv);
      await other.hincrby(inv, 'widgets', -1);
      expect(await r.multi().hincrby(inv, 'widgets', -5).exec()).toBe(null);
      await r.watch(inv);
      await r.unwatch();
      await other.hincrby(inv, 'widgets', -1);
      expect(await r.multi().hincrby(inv, 'widgets', -5).exec()).toEqual([[null, 3]]);

      // A list push, a set or sorted-set change, or DEL of a watched key all count.
      const names = [`${p}w:list`, `${p}w:set`, `${p}w:zset`, `${p}w:del`];
      await r.rpush(names[0]!, 'a');
      await r.sadd(names[1]!, 'a');
      await r.zadd(names[2]!, 1, 'a');
      await r.set(names[3]!, 'x');
      const touch: Array<() => Promise<unknown>> = [
        () => other.lpush(names[0]!, 'b'),
        () => other.srem(names[1]!, 'a'),
        () => other.zincrby(names[2]!, 1, 'a'),
        () => other.del(names[3]!),
      ];
      for (let i = 0; i < names.length; i++) {
        await r.watch(names[i]!);
        await touch[i]!();
        expect(await r.multi().ping().exec(), names[i]).toBe(null);
      }
      // A no-op write (SADD of an existing member) is not a change.
      await r.sadd(names[1]!, 'z');
      await r.watch(names[1]!);
      expect(await other.sadd(names[1]!, 'z')).toBe(0);
      expect(await r.multi().scard(names[1]!).exec()).toEqual([[null, 1]]);
    });
  });
}

for (const RESP of [2, 3] as const) {
  describe(`node-redis, RESP${RESP}`, () => {
    let c: NodeRedisClient;
    let other: NodeRedisClient;
    const p = `nr${RESP}:`;

    beforeAll(async () => {
      [c, other] = await Promise.all([connectNodeRedis(server, RESP), connectNodeRedis(server, RESP)]);
    });
    afterAll(() => {
      c?.destroy();
      other?.destroy();
    });

    it('leaderboard: ZADD, ZINCRBY, ranks, scores and counts', async () => {
      const lb = `${p}lb`;
      expect(await c.zAdd(lb, PLAYERS.map(([score, value]) => ({ score, value })))).toBe(6);
      expect(await c.zAdd(lb, { score: 300, value: 'alice' }, { GT: true, CH: true })).toBe(1);
      expect(await c.zAdd(lb, { score: 100, value: 'alice' }, { GT: true })).toBe(0); // not greater
      expect(await c.zScore(lb, 'alice')).toBe(300);
      expect(await c.zAdd(lb, { score: 100, value: 'alice' }, { LT: true, CH: true })).toBe(1);
      expect(await c.zAdd(lb, { score: 5, value: 'zoe' }, { XX: true })).toBe(0);
      expect(await c.zIncrBy(lb, 25, 'dave')).toBe(200);
      expect(await c.zIncrBy(lb, 0.5, 'frank')).toBe(50.5);
      expect(await c.zCard(lb)).toBe(6);

      expect(await c.zRangeWithScores(lb, 0, -1, { REV: true })).toEqual(DESCENDING.map(([value, score]) => ({ value, score })));
      expect(await c.zRange(lb, 0, 2, { REV: true })).toEqual(['erin', 'bob', 'dave']);
      expect(await c.zRange(lb, 0, -1)).toEqual(ASCENDING.map(([m]) => m));

      expect(await c.zRank(lb, 'frank')).toBe(0);
      expect(await c.zRank(lb, 'carol')).toBe(2);
      expect(await c.zRevRank(lb, 'erin')).toBe(0);
      expect(await c.zRevRank(lb, 'alice')).toBe(4);
      expect(await c.zRank(lb, 'nobody')).toBe(null);
      expect(await c.zScore(lb, 'frank')).toBe(50.5);
      expect(await c.zScore(lb, 'nobody')).toBe(null);
      expect(await c.zmScore(lb, ['bob', 'nobody'])).toEqual([250, null]);

      expect(await c.zCount(lb, 100, 200)).toBe(3);
      expect(await c.zCount(lb, '(100', 200)).toBe(1);
      expect(await c.zCount(lb, '(100', '(250')).toBe(1);
      expect(await c.zCount(lb, '-inf', '+inf')).toBe(6);
    });

    it('leaderboard: BYSCORE with exclusive bounds, REV and LIMIT', async () => {
      const lb = `${p}lb`;
      expect(await c.zRange(lb, '(100', '+inf', { BY: 'SCORE' })).toEqual(['dave', 'bob', 'erin']);
      expect(await c.zRange(lb, '(100', '+inf', { BY: 'SCORE', LIMIT: { offset: 1, count: 2 } })).toEqual(['bob', 'erin']);
      expect(await c.zRange(lb, '+inf', '(100', { BY: 'SCORE', REV: true, LIMIT: { offset: 0, count: 2 } })).toEqual(['erin', 'bob']);
      expect(await c.zRangeWithScores(lb, '(50.5', '(250', { BY: 'SCORE' })).toEqual([
        { value: 'alice', score: 100 },
        { value: 'carol', score: 100 },
        { value: 'dave', score: 200 },
      ]);
      expect(await c.zRangeByScore(lb, '-inf', '(100')).toEqual(['frank']);
      expect(await c.zRange(lb, '(250', '+inf', { BY: 'SCORE' })).toEqual([]);
      expect(await c.zPopMax(lb)).toEqual({ value: 'erin', score: 250 });
      expect(await c.zPopMinCount(lb, 2)).toEqual([
        { value: 'frank', score: 50.5 },
        { value: 'alice', score: 100 },
      ]);
      expect(await c.zRange(lb, 0, -1)).toEqual(['carol', 'dave', 'bob']);
    });

    it('cache: a hash with a TTL disappears whole; TTL, PTTL, PERSIST', async () => {
      const key = `${p}cache:user:1`;
      expect(await c.hSet(key, { name: 'Ada', lang: 'en', visits: '3' })).toBe(3);
      expect(await c.expire(key, 100)).toBe(1);
      expect(await c.ttl(key)).toBe(100);
      expect(await c.hIncrBy(key, 'visits', 1)).toBe(4);
      expect(await c.ttl(key)).toBe(100);
      expect(await c.persist(key)).toBe(1);
      expect(await c.ttl(key)).toBe(-1);
      expect(await c.pExpire(key, 80)).toBe(1);
      const pttl = await c.pTTL(key);
      expect(pttl).toBeGreaterThan(0);
      expect(pttl).toBeLessThanOrEqual(80);
      expect({ ...(await c.hGetAll(key)) }).toEqual({ name: 'Ada', lang: 'en', visits: '4' });
      await waitFor(async () => Object.keys(await c.hGetAll(key)).length === 0, 3000);
      expect({ ...(await c.hGetAll(key)) }).toEqual({});
      expect(await c.exists(key)).toBe(0);
      expect(await c.ttl(key)).toBe(-2);
      expect(await c.pTTL(key)).toBe(-2);
    });

    it('sessions as hashes', async () => {
      const sid = `${p}session:abc`;
      expect(await c.hSet(sid, { user: '42', created: '1700000000' })).toBe(2);
      expect(await c.expire(sid, 1800)).toBe(1);
      expect(await c.hGet(sid, 'user')).toBe('42');
      expect(await c.hmGet(sid, ['user', 'missing'])).toEqual(['42', null]);
      expect(await c.hExists(sid, 'user')).toBe(1);
      expect(await c.hSetNX(sid, 'user', '43')).toBe(0);
      expect(await c.hIncrByFloat(sid, 'score', 1.5)).toBe('1.5');
      expect(await c.hLen(sid)).toBe(3);
      expect(await c.hKeys(sid)).toEqual(['user', 'created', 'score']);
      expect(await c.hVals(sid)).toEqual(['42', '1700000000', '1.5']);
      expect(await c.expire(sid, 3600, 'GT')).toBe(1);
      expect(await c.ttl(sid)).toBe(3600);
      expect(await c.expire(sid, 60, 'GT')).toBe(0);
      expect(await c.del(sid)).toBe(1);
      expect({ ...(await c.hGetAll(sid)) }).toEqual({});
    });

    it('rate limiter: MULTI INCR EXPIRE NX EXEC', async () => {
      const key = `${p}rl:10.0.0.1`;
      const counts: number[] = [];
      for (let i = 1; i <= 5; i++) {
        const res = (await c.multi().incr(key).expire(key, 60, 'NX').exec()) as unknown as [number, number];
        expect(res).toEqual([i, i === 1 ? 1 : 0]);
        counts.push(res[0]);
      }
      expect(counts.map((n) => n <= 3)).toEqual([true, true, true, false, false]);
      const ttl = await c.ttl(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(60);
    });

    it('optimistic locking: a concurrent write makes EXEC fail, a retry succeeds', async () => {
      const key = `${p}balance`;
      await c.set(key, '100');
      expect(await c.watch(key)).toBe('OK');
      const balance = Number(await c.get(key));
      expect(await other.incrBy(key, 50)).toBe(150);
      // node-redis turns EXEC's null reply into a WatchError.
      await expect(c.multi().set(key, String(balance - 30)).exec()).rejects.toThrow(/watched keys has been changed/);
      expect(await c.get(key)).toBe('150');
      expect(await c.watch(key)).toBe('OK');
      const fresh = Number(await c.get(key));
      expect(await c.multi().set(key, String(fresh - 30)).get(key).exec()).toEqual(['OK', '120']);

      const inv = `${p}inventory`;
      await c.hSet(inv, 'widgets', '10');
      await c.watch(inv);
      await other.hIncrBy(inv, 'widgets', -1);
      await expect(c.multi().hIncrBy(inv, 'widgets', -5).exec()).rejects.toThrow(/watched keys has been changed/);
      expect(await c.hGet(inv, 'widgets')).toBe('9');
    });
  });
}

describe('raw transaction bytes', () => {
  it('EXEC after a watched key changed replies with a null array (RESP2) or null (RESP3)', async () => {
    const c = await RawConnection.open(server.port);
    try {
      for (const [hello, nil] of [
        ['2', '*-1\r\n'],
        ['3', '_\r\n'],
      ] as const) {
        await c.call('HELLO', hello);
        expect((await c.call('HSET', 'raw:h', 'f', '1')).toString()).toMatch(/^:[01]\r\n$/);
        expect((await c.call('WATCH', 'raw:h')).toString()).toBe('+OK\r\n');
        expect((await admin.call('HSET', 'raw:h', 'f', '2')).toString()).toBe(':0\r\n');
        expect((await c.call('MULTI')).toString()).toBe('+OK\r\n');
        expect((await c.call('HGET', 'raw:h', 'f')).toString()).toBe('+QUEUED\r\n');
        expect((await c.call('EXEC')).toString()).toBe(nil);
      }
    } finally {
      c.close();
    }
  });
});
