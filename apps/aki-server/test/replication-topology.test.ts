// Replication topologies: a leader with two followers and a chained follower
// (a follower of a follower). Random writes of all five types across several
// databases, with expiry, from ioredis pipelines and node-redis transactions,
// must converge everywhere (equal offsets, equal DEBUG DIGEST). Broken links,
// a follower restart and a promotion must resynchronise partially. redis-cli
// --replica and --rdb must work against the leader.
// Every test passes against redis-server 7.0.15 (AKI_TEST_AGAINST_REDIS=1).
import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { describe, expect, it } from 'vitest';
import { hasBinary, serverUnderTest, sleep, waitFor, whichBinary } from '@aki/test-utils';
import {
  errorOf,
  info,
  ok,
  replField,
  replicaOf,
  replicationFixture,
  syncStats,
  waitConverged,
  waitLinkUp,
  waitOnlineReplicas,
  waitSameDigest,
  type Node,
  type ReplicationFixture,
} from './support/replication.js';

const run = promisify(execFile);
const fx = replicationFixture('aki-repl-topology-');
const HEX40 = /^[0-9a-f]{40}$/;
const onRedis = serverUnderTest() === 'redis';

interface Topology {
  leader: Node;
  f1: Node;
  f2: Node;
  /** Follower of f1. */
  chained: Node;
}

/** leader <- f1 <- chained, leader <- f2; every link up. */
async function startTopology(
  fxt: ReplicationFixture,
  options: { leaderArgs?: string[]; f2?: { args?: string[]; dir?: string } } = {},
): Promise<Topology> {
  const [leader, f1, f2, chained] = await Promise.all([
    fxt.start({ args: options.leaderArgs }),
    fxt.start(),
    fxt.start(options.f2 ?? {}),
    fxt.start(),
  ]);
  await replicaOf(f1, leader);
  await replicaOf(f2, leader);
  await waitLinkUp(f1);
  // f1 refuses PSYNC until its own link is up; attaching now avoids a retry cycle.
  await replicaOf(chained, f1);
  await Promise.all([waitLinkUp(f2), waitLinkUp(chained)]);
  await waitOnlineReplicas(leader, 2);
  await waitOnlineReplicas(f1, 1);
  return { leader, f1, f2, chained };
}

// ---------------------------------------------------------------------------
// Workload

function prng(seed: number): (n: number) => number {
  let s = seed >>> 0;
  return (n) => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return (s >>> 8) % n;
  };
}

/**
 * `count` random writes (as argv arrays, SELECTs included) over strings,
 * lists, hashes, sets and sorted sets in databases 0..3. Some keys get short
 * TTLs (they expire during the test, so the leader's DELs must replicate),
 * others long or absolute ones; some commands replicate as a different
 * effect (INCRBYFLOAT, SPOP, EXPIRE, GETDEL, LMPOP-like pops).
 */
function workload(seed: number, count: number, tag: string): string[][] {
  const r = prng(seed);
  const far = Date.now() + 3_600_000;
  const out: string[][] = [];
  const k = (t: string) => `${tag}:${t}:${r(25)}`;
  const v = () => ['', '0', '17', '-3', 'abc', 'hello world', '3.25', 'x'.repeat(r(80)), String(r(1e6))][r(9)]!;
  const makers: Array<() => string[]> = [
    () => ['SET', k('s'), v()],
    () => ['SET', k('s'), v(), 'PX', String(50 + r(350))],
    () => ['SET', k('s'), v(), 'PXAT', String(far + r(1000))],
    () => ['SET', k('s'), v(), 'EX', String(100 + r(1000))],
    () => ['APPEND', k('s'), v()],
    () => ['INCRBY', k('n'), String(r(100) - 50)],
    () => ['INCRBYFLOAT', k('n'), '1.5'],
    () => ['GETDEL', k('s')],
    () => ['RPUSH', k('l'), v(), v()],
    () => ['LPUSH', k('l'), v()],
    () => ['LPOP', k('l')],
    () => ['RPOP', k('l'), '2'],
    () => ['LTRIM', k('l'), '0', String(r(5))],
    () => ['HSET', k('h'), `f${r(10)}`, v(), `f${r(10)}`, v()],
    () => ['HDEL', k('h'), `f${r(10)}`],
    () => ['HINCRBY', k('h'), `c${r(3)}`, String(r(10))],
    () => ['HINCRBYFLOAT', k('h'), `d${r(3)}`, '0.25'],
    () => ['SADD', k('S'), `m${r(20)}`, `m${r(20)}`, String(r(50))],
    () => ['SREM', k('S'), `m${r(20)}`],
    () => ['SPOP', k('S')],
    () => ['SPOP', k('S'), '2'],
    () => ['ZADD', k('z'), String(r(100) / 4), `m${r(15)}`, String(r(100)), `m${r(15)}`],
    () => ['ZINCRBY', k('z'), '2.5', `m${r(15)}`],
    () => ['ZREM', k('z'), `m${r(15)}`],
    () => ['ZPOPMIN', k('z')],
    () => ['EXPIRE', k(['s', 'l', 'h', 'S', 'z'][r(5)]!), String(500 + r(1000))],
    () => ['PEXPIRE', k(['l', 'h', 'S', 'z'][r(4)]!), String(50 + r(300))],
    () => ['PERSIST', k('s')],
    () => ['DEL', k(['s', 'l', 'h', 'S', 'z', 'n'][r(6)]!)],
  ];
  for (let i = 0; i < count; i++) {
    if (r(15) === 0) out.push(['SELECT', String(r(4))]);
    out.push(makers[r(makers.length)]!());
  }
  out.push(['SELECT', '0']);
  return out;
}

/** Sends `commands` through an ioredis pipeline in chunks (WRONGTYPE and similar replies are fine). */
async function ioredisPipelines(node: Node, commands: string[][], chunk = 400): Promise<void> {
  const io = fx.client(new Redis({ port: node.port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null }));
  io.on('error', () => {});
  await io.connect();
  for (let i = 0; i < commands.length; i += chunk) {
    const p = io.pipeline();
    for (const [name, ...args] of commands.slice(i, i + chunk)) p.call(name!, args);
    const res = await p.exec();
    if (!res || res.length !== Math.min(chunk, commands.length - i)) throw new Error('pipeline lost replies');
  }
  await io.quit();
}

/** A few node-redis MULTI/EXEC transactions touching every type in db 2. */
async function nodeRedisTransactions(node: Node, tag: string): Promise<void> {
  const c = createClient({ socket: { port: node.port, host: '127.0.0.1', reconnectStrategy: false }, database: 2 });
  c.on('error', () => {});
  await c.connect();
  fx.client({ disconnect: () => c.destroy() });
  for (let i = 0; i < 5; i++) {
    const res = await c
      .multi()
      .set(`${tag}:tx:s${i}`, `v${i}`, { PX: 200 + i * 50 })
      .rPush(`${tag}:tx:l`, [`a${i}`, `b${i}`])
      .hSet(`${tag}:tx:h`, { [`f${i}`]: String(i) })
      .sAdd(`${tag}:tx:S`, [`m${i}`, `n${i}`])
      .zAdd(`${tag}:tx:z`, [{ score: i, value: `z${i}` }])
      .sPop(`${tag}:tx:S`)
      .exec();
    expect(res).toHaveLength(6);
  }
  c.destroy();
}

/** keys= per database from INFO keyspace (expires/avg_ttl differ legitimately). */
async function keyCounts(n: Node): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [db, v] of await info(n.c, 'keyspace')) out[db] = /keys=(\d+)/.exec(v)?.[1] ?? '?';
  return out;
}

const all = (t: Topology) => [t.f1, t.f2, t.chained];

// ---------------------------------------------------------------------------

describe('a leader, two followers and a chained follower', () => {
  it('random writes of all five types in four databases, with expiry, converge: equal offsets and DEBUG DIGEST on all four; the chain shares replid and offsets', async () => {
    const t = await startTopology(fx);
    await Promise.all([ioredisPipelines(t.leader, workload(11, 2500, 'a')), nodeRedisTransactions(t.leader, 'b')]);
    await ioredisPipelines(t.leader, workload(12, 1000, 'c'));
    await sleep(450); // the short TTLs run out: the leader's DELs must reach everyone
    const d = await waitSameDigest(t.leader, all(t));
    expect(d).not.toBe('0'.repeat(40));
    const counts = await keyCounts(t.leader);
    expect(Object.keys(counts).sort()).toEqual(['db0', 'db1', 'db2', 'db3']);
    for (const n of all(t)) expect(await keyCounts(n)).toEqual(counts);
    // The workload really covered every type, and keys with a TTL.
    for (const type of ['string', 'list', 'hash', 'set', 'zset']) {
      const [, keys] = (await t.chained.c.command('SCAN', 0, 'TYPE', type, 'COUNT', 10_000)) as [string, string[]];
      expect(keys.length, type).toBeGreaterThan(3);
    }
    expect(Number(/expires=(\d+)/.exec((await info(t.chained.c, 'keyspace')).get('db0')!)?.[1])).toBeGreaterThan(3);

    const [l, f1, c] = await Promise.all([info(t.leader.c), info(t.f1.c), info(t.chained.c)]);
    expect(l.get('master_replid')).toMatch(HEX40);
    expect(c.get('master_replid')).toBe(l.get('master_replid'));
    expect(f1.get('master_replid')).toBe(l.get('master_replid'));
    expect(c.get('master_repl_offset')).toBe(l.get('master_repl_offset'));
    expect(c.get('slave_repl_offset')).toBe(l.get('master_repl_offset'));
    expect(c.get('master_port')).toBe(String(t.f1.port));
    // The middle node shows both sides.
    expect(f1.get('role')).toBe('slave');
    expect(f1.get('connected_slaves')).toBe('1');
    expect(f1.get('slave0')).toMatch(new RegExp(`^ip=127\\.0\\.0\\.1,port=${t.chained.port},state=online,offset=\\d+,lag=\\d+$`));
    expect(l.get('connected_slaves')).toBe('2');
  });

  it('a killed link resyncs partially: CLIENT KILL TYPE master on a follower, TYPE replica on the leader; sync_partial_ok grows, sync_full does not', async () => {
    const t = await startTopology(fx);
    await ioredisPipelines(t.leader, workload(21, 800, 'p'));
    await waitConverged(t.leader, all(t));
    const s0 = await syncStats(t.leader.c);
    expect(s0.full).toBe(2);
    const m0 = await syncStats(t.f1.c);

    expect(await t.f2.c.command('CLIENT', 'KILL', 'TYPE', 'master')).toBe(1);
    await ioredisPipelines(t.leader, workload(22, 200, 'q')); // written while f2 is away: served from the backlog
    await waitFor(async () => (await syncStats(t.leader.c)).partialOk === s0.partialOk + 1, 10_000);
    await waitSameDigest(t.leader, all(t));

    expect(await t.leader.c.command('CLIENT', 'KILL', 'TYPE', 'replica')).toBe(2);
    await ioredisPipelines(t.leader, workload(23, 200, 'r'));
    await waitFor(async () => (await syncStats(t.leader.c)).partialOk === s0.partialOk + 3, 10_000);
    await Promise.all(all(t).map((n) => waitLinkUp(n)));
    await waitSameDigest(t.leader, all(t));
    expect((await syncStats(t.leader.c)).full).toBe(s0.full);
    // The chained follower never noticed: its link to f1 stayed up.
    expect(await syncStats(t.f1.c)).toEqual(m0);
  });

  /**
   * Stops f2 with SIGTERM (which must leave `savedFile` in its directory),
   * writes while it is down, restarts it on the same directory with
   * --replicaof, and expects a partial resync and convergence.
   */
  async function restartFollower(persistence: string[], savedFile: string): Promise<void> {
    const dir = fx.tmpDir();
    const t = await startTopology(fx, { f2: { args: persistence, dir } });
    await ioredisPipelines(t.leader, workload(31, 800, 's'));
    await waitConverged(t.leader, all(t));
    const s0 = await syncStats(t.leader.c);
    const replid = await replField(t.f2.c, 'master_replid');

    expect(await t.f2.server.stop('SIGTERM')).toBe(0);
    expect(existsSync(path.join(dir, savedFile)), savedFile).toBe(true);
    await ioredisPipelines(t.leader, workload(32, 200, 'u')); // missed while down

    const f2 = await fx.start({ dir, args: [...persistence, '--replicaof', `127.0.0.1 ${t.leader.port}`] });
    await waitLinkUp(f2);
    await waitFor(async () => (await syncStats(t.leader.c)).partialOk === s0.partialOk + 1, 10_000);
    expect((await syncStats(t.leader.c)).full).toBe(s0.full);
    await waitSameDigest(t.leader, all({ ...t, f2 }));
    expect(await replField(f2.c, 'master_replid')).toBe(replid);
  }

  it('a follower restarted after SIGTERM (RDB saved on shutdown) resyncs partially from the replid and offset in its RDB', async () => {
    await restartFollower(['--save', '3600 1', '--appendonly', 'no'], 'dump.rdb');
  });

  // Redis 7.0 cannot do this (the AOF does not record the replication offset, valkey#2677);
  // aki promises a partial resync from its persisted replid and offset.
  it.skipIf(onRedis)('aki: a follower with appendonly yes restarted after SIGTERM also resyncs partially and converges', async () => {
    await restartFollower(['--appendonly', 'yes', '--appendfsync', 'everysec', '--save', ''], 'appendonlydir');
  });

  it('promotion: REPLICAOF NO ONE on f1, the old leader and f2 REPLICAOF f1 and get +CONTINUE (sync_partial_ok on f1, no full sync), identical digests', async () => {
    // A leader that sends no keepalive PING: one PING between the promotion and its
    // own demotion would put it past the promotion point and force a full sync.
    const t = await startTopology(fx, { leaderArgs: ['--repl-ping-replica-period', '3600'] });
    await ioredisPipelines(t.leader, workload(41, 800, 'v'));
    // Let the short PX keys expire first: an expiry DEL on the old leader between the
    // promotion and its demotion would (rightly) cost it a full sync.
    await sleep(500);
    // SCAN expires what is due now (lazily, with its DEL); KEYS would not: redis-server
    // 7.0 only hides expired keys from KEYS, without deleting them.
    for (let db = 0; db < 16; db++) {
      await t.leader.c.command('SELECT', db);
      let cursor = '0';
      do cursor = ((await t.leader.c.command('SCAN', cursor, 'COUNT', 1000)) as [string, string[]])[0];
      while (cursor !== '0');
    }
    await t.leader.c.command('SELECT', 0);
    const offset = await waitConverged(t.leader, all(t));
    const oldId = await replField(t.leader.c, 'master_replid');
    const m0 = await syncStats(t.f1.c);
    expect(m0.full).toBe(1); // the chained follower

    expect(await t.f1.c.command('REPLICAOF', 'NO', 'ONE')).toBe('OK');
    expect(await t.leader.c.command('REPLICAOF', '127.0.0.1', t.f1.port)).toBe('OK');
    expect(await t.f2.c.command('REPLICAOF', '127.0.0.1', t.f1.port)).toBe('OK');
    const promoted = await info(t.f1.c);
    expect(promoted.get('role')).toBe('master');
    expect(promoted.get('master_replid2')).toBe(oldId);
    expect(promoted.get('second_repl_offset')).toBe(String(offset + 1));
    const newId = promoted.get('master_replid')!;
    expect(newId).not.toBe(oldId);

    const old = t.leader;
    await Promise.all([waitLinkUp(old), waitLinkUp(t.f2), waitLinkUp(t.chained)]);
    await waitOnlineReplicas(t.f1, 3);
    // Three replicas came back (the chained one was dropped at promotion), all partially.
    await waitFor(async () => (await syncStats(t.f1.c)).partialOk === m0.partialOk + 3, 10_000);
    expect((await syncStats(t.f1.c)).full).toBe(m0.full);
    expect(await replField(old.c, 'master_replid')).toBe(newId);
    expect(await replField(old.c, 'role')).toBe('slave');

    await ioredisPipelines(t.f1, workload(42, 500, 'w'));
    await waitSameDigest(t.f1, [old, t.f2, t.chained]);
    expect(await errorOf(old.c, 'SET', 'x', '1')).toMatch(/^READONLY /);
  });
});

describe.skipIf(!hasBinary('redis-cli'))('redis-cli against the leader', () => {
  it('redis-cli --replica prints a live write; redis-cli --rdb <file> writes a file beginning REDIS', async () => {
    const t = await startTopology(fx);
    await ioredisPipelines(t.leader, workload(51, 300, 'cli'));
    const cli = whichBinary('redis-cli')!;

    const child = spawn(cli, ['-p', String(t.leader.port), '--replica'], { stdio: ['ignore', 'pipe', 'pipe'] });
    fx.defer(() => child.kill('SIGKILL'));
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (out += s));
    await waitFor(() => /sync done/i.test(out), 15_000).catch(() => {
      throw new Error(`redis-cli --replica never finished its sync: ${out}`);
    });
    await ok(t.leader.c, 'SET', 'live-key', 'live-value');
    await waitFor(() => out.includes('"SET","live-key","live-value"'), 10_000).catch(() => {
      throw new Error(`redis-cli --replica did not show the write: ${out}`);
    });
    child.kill('SIGKILL');

    const file = path.join(fx.tmpDir(), 'snapshot.rdb');
    const r = await run(cli, ['-p', String(t.leader.port), '--rdb', file], { timeout: 20_000 });
    expect(`${r.stdout}${r.stderr}`).toMatch(/Transfer finished with success/);
    const bytes = readFileSync(file);
    expect(bytes.toString('latin1', 0, 5)).toBe('REDIS');
    expect(bytes.length).toBeGreaterThan(100);
    // The real followers were not disturbed.
    await ok(t.leader.c, 'SET', 'after-cli', '1');
    await waitSameDigest(t.leader, all(t));
    await waitFor(async () => (await replField(t.leader.c, 'connected_slaves')) === '2', 5000);
  });
});
