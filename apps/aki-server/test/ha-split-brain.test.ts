// Split-brain bounds, black-box, as an operator running Sentinel relies on
// them: a leader cut off from its followers takes writes for at most about
// min-replicas-max-lag seconds, then refuses them with -NOREPLICAS; once a
// follower is promoted and the old leader rejoins (live, or restarted from its
// AOF), it converges to the new leader's dataset: every write acknowledged
// with WAIT before the cut survives, and only the writes it took while cut off
// are lost. Plus the gate itself (min-replicas-to-write 2 with a follower
// gone, MULTI/EXEC, scripts, CONFIG SET) and its bad inputs, with Redis's
// exact replies. Everything here is Redis behaviour: the file also passes
// against redis-server (AKI_TEST_AGAINST_REDIS=1).
import { describe, expect, it } from 'vitest';
import { RawConnection, RespError, serverUnderTest, waitFor } from '@aki/test-utils';
import { pipeline } from './support/persistence-data.js';
import {
  dbsize,
  digest,
  replFixture,
  replicaOf,
  replInfo,
  startNode,
  syncStats,
  waitLinkUp,
  waitNoReplicas,
  waitReplicasOnline,
  type ReplNode,
} from './support/replication-faults.js';
import {
  NOREPLICAS,
  READONLY,
  acknowledgedWrites,
  aofText,
  hasBulk,
  promoteMostAdvanced,
  startTrio,
  values,
  waitSameDigest,
  writeThroughCut,
  type Trio,
  type TimedWrite,
} from './support/split-brain.js';

const fx = replFixture('aki-split-brain-');
const against = serverUnderTest();

const MAX_LAG = 2;
/**
 * Small (the default is 60) but above WINDOW_MS + 1 s: a cut-off leader also
 * refuses once repl-timeout drops its followers, and the test must see the
 * max-lag bound, not that one.
 */
const REPL_TIMEOUT = 8;
const PACING_MS = 50;
/**
 * The bound a cut-off leader keeps taking writes for: max-lag, plus up to a
 * second for the follower's last ACK to be that old (ACKs come once a second),
 * plus a generous margin (Redis also recounts good followers only once a
 * second). A correctness bound, not a speed measurement.
 */
const WINDOW_MS = (MAX_LAG + 4) * 1000;
/** One configuration for the whole group, as Sentinel deployments have it. */
const GROUP_ARGS = [
  '--min-replicas-to-write',
  '1',
  '--min-replicas-max-lag',
  String(MAX_LAG),
  '--repl-timeout',
  String(REPL_TIMEOUT),
  '--repl-ping-replica-period',
  '1',
];

/** What a leader was told before the cut and what it took after it. */
interface CutOutcome {
  /** Keys written with WAIT 1 >= 1 before the cut, and their values. */
  acknowledged: Map<string, string>;
  /** INCRs of `ctr` acknowledged before the cut. */
  ctrBefore: number;
  /** Every write sent to the old leader after the cut. */
  writes: TimedWrite[];
  /** The ones it answered with success. */
  accepted: TimedWrite[];
  /** ms from the cut to the first -NOREPLICAS reply. */
  onset: number;
}

/** The write the old leader gets as the i-th after the cut: two overwrites, an INCR, then new keys. */
function afterCutWrite(i: number): Array<string | number> {
  if (i === 0) return ['SET', 'shared:a', 'old-leader'];
  if (i === 1) return ['SET', 'shared:b', 'old-leader'];
  if (i === 2) return ['INCR', 'ctr'];
  return ['SET', `post:${i}`, `p${i}`];
}

/**
 * Writes with WAIT 1 to the trio's leader, partitions it from both followers
 * (both proxies blackholed) and keeps writing to it, one write every
 * PACING_MS, until it refuses and one more second. Asserts the bound: every
 * refusal is -NOREPLICAS exactly, no write is accepted after the first
 * refusal, the first refusal comes within WINDOW_MS; reads keep working.
 */
async function acknowledgeThenCut(t: Trio, label: string): Promise<CutOutcome> {
  const a = t.leader.c;
  const acknowledged = new Map<string, string>();
  const writes: Array<Array<string | number>> = [];
  for (let i = 0; i < 40; i++) {
    const v = `v${i}-${'x'.repeat(i)}`;
    acknowledged.set(`pre:${i}`, v);
    writes.push(['SET', `pre:${i}`, v]);
  }
  acknowledged.set('shared:a', 'pre');
  acknowledged.set('shared:b', 'pre');
  writes.push(['SET', 'shared:a', 'pre'], ['SET', 'shared:b', 'pre']);
  const ctrBefore = 3;
  for (let i = 0; i < ctrBefore; i++) writes.push(['INCR', 'ctr']);
  await acknowledgedWrites(a, writes);

  // The partition: A still has its sockets, nothing gets through either way.
  for (const f of t.followers) f.proxy.blackhole(true);
  const cutAt = Date.now();
  const after = await writeThroughCut(a, cutAt, afterCutWrite, { pacingMs: PACING_MS, afterRefusalMs: 1000, timeoutMs: WINDOW_MS + 4000 });

  const first = after.findIndex((w) => !w.accepted);
  const accepted = after.slice(0, first);
  const onset = after[first]!.repliedAfter;
  console.log(
    `[split-brain] ${label} (${against}): first -NOREPLICAS ${onset} ms after the cut; ${accepted.length} writes accepted after the cut, the last sent at +${accepted.at(-1)?.sentAfter ?? '-'} ms`,
  );
  for (const w of after.slice(first)) {
    expect(w.accepted, `${w.argv.join(' ')} at +${w.sentAfter} ms: accepted after a refusal`).toBe(false);
    expect(w.reply, `${w.argv.join(' ')} at +${w.sentAfter} ms`).toBe(NOREPLICAS);
  }
  expect(after.length - first, 'the refusal lasts').toBeGreaterThanOrEqual(5);
  expect(onset, 'writes are refused within max-lag + 1 s + margin of the cut').toBeLessThanOrEqual(WINDOW_MS);
  // The window exists (the last ACK was fresh at the cut) and is small.
  expect(accepted.length, 'the scenario needs writes the cut-off leader took').toBeGreaterThanOrEqual(1);
  expect(accepted.length).toBeLessThanOrEqual(Math.ceil(WINDOW_MS / PACING_MS) + 1);
  for (const w of accepted) expect(w.sentAfter, `${w.argv.join(' ')} accepted`).toBeLessThanOrEqual(WINDOW_MS);

  // Reads still work on the cut-off leader, and it serves its own unreplicated writes.
  expect(await a.command('GET', 'pre:7')).toBe(acknowledged.get('pre:7'));
  expect(await a.command('EXISTS', 'pre:0', 'pre:39')).toBe(2);
  expect(await dbsize(a)).toBeGreaterThan(acknowledged.size);
  const lastPost = accepted.filter((w) => String(w.argv[1]).startsWith('post:')).at(-1);
  if (lastPost) expect(await a.command('GET', lastPost.argv[1]!)).toBe(lastPost.argv[2]);
  // A client that WAITs learns that nothing it wrote since the cut is replicated.
  expect(await a.command('WAIT', 1, 200)).toBe(0);
  return { acknowledged, ctrBefore, writes: after, accepted, onset };
}

/**
 * The failover Sentinel would do once the leader is unreachable: promote the
 * follower with the largest offset, point the other one at it, write to the
 * new leader (with WAIT 1). Returns the new leader, the other follower and
 * what was written.
 */
async function failOver(t: Trio): Promise<{ b: ReplNode; c: ReplNode; written: Map<string, string>; ctrIncrs: number }> {
  const { promoted, others } = await promoteMostAdvanced(t.followers);
  const b = promoted.node;
  const c = others[0]!.node;
  expect((await replInfo(b.c)).get('role')).toBe('master');
  const before = await syncStats(b.c);
  expect(await replicaOf(c.c, b.port)).toBe('OK');
  await waitLinkUp(c.c);
  await waitReplicasOnline(b.c, 1);
  // C's history is a prefix of B's: it continues from B (PSYNC2), no full sync.
  const joined = await syncStats(b.c);
  expect(joined.full, 'the other follower needed no full sync').toBe(before.full);
  expect(joined.partialOk).toBe(before.partialOk + 1);

  // Every write any follower acknowledged before the cut is on the promoted one.
  // B applies min-replicas-to-write 1 too: it takes writes once it counts C.
  await waitFor(async () => (await b.c.command('SET', 'new-leader', 'b')) === 'OK', 10_000, 50);
  const written = new Map<string, string>([['new-leader', 'b']]);
  const writes: Array<Array<string | number>> = [['SET', 'shared:b', 'new-leader']];
  written.set('shared:b', 'new-leader');
  for (let i = 0; i < 20; i++) {
    writes.push(['SET', `b:${i}`, `nb${i}`]);
    written.set(`b:${i}`, `nb${i}`);
  }
  const ctrIncrs = 2;
  for (let i = 0; i < ctrIncrs; i++) writes.push(['INCR', 'ctr']);
  await acknowledgedWrites(b.c, writes);
  return { b, c, written, ctrIncrs };
}

/** The old leader's dataset after it rejoined: acknowledged writes all there, its cut-off writes all gone. */
async function expectOnlyCutOffWritesLost(
  node: RawConnection,
  cut: CutOutcome,
  failover: { written: Map<string, string>; ctrIncrs: number },
  what: string,
): Promise<void> {
  const expected = new Map(cut.acknowledged);
  for (const [k, v] of failover.written) expected.set(k, v);
  const got = await values(node, [...expected.keys()]);
  const wrong = [...expected].filter(([k, v]) => got.get(k) !== v).map(([k, v]) => `${k}: want ${JSON.stringify(v)}, got ${JSON.stringify(got.get(k))}`);
  expect(wrong, `${what}: acknowledged writes missing or changed`).toEqual([]);
  expect(await node.command('GET', 'ctr'), `${what}: INCR ctr`).toBe(String(cut.ctrBefore + failover.ctrIncrs));
  const lostKeys = cut.accepted.map((w) => String(w.argv[1])).filter((k) => k.startsWith('post:'));
  const lost = await values(node, lostKeys);
  const resurrected = lostKeys.filter((k) => lost.get(k) !== null);
  expect(resurrected, `${what}: writes the cut-off leader took are still there`).toEqual([]);
  // Nothing else either: exactly the acknowledged keys, B's keys, ctr and the warm-up key.
  const keys = new Set([...expected.keys(), 'ctr', 'warm-up']);
  expect(await dbsize(node), `${what}: DBSIZE`).toBe(keys.size);
}

describe('split brain: a leader cut off from its followers', () => {
  it(
    'stops taking writes within max-lag (-NOREPLICAS), and after the failover and the heal loses only what it took meanwhile',
    { timeout: 60_000 },
    async () => {
      const t = await startTrio(fx, { args: GROUP_ARGS });
      const a = t.leader;
      const cut = await acknowledgeThenCut(t, 'live old leader');

      // The old leader also gives up on the silent followers after repl-timeout.
      await waitNoReplicas(a.c, (REPL_TIMEOUT + 4) * 1000);
      const refused = await a.c.command('SET', 'late', '1');
      expect(refused instanceof RespError && refused.message).toBe(NOREPLICAS);

      const failover = await failOver(t);
      const { b, c } = failover;

      // The partition heals (the held bytes are delivered to sockets nobody uses
      // any more) and the old leader is reconfigured as a follower of B.
      for (const f of t.followers) f.proxy.clear();
      const bBefore = await syncStats(b.c);
      expect(await replicaOf(a.c, b.port)).toBe('OK');
      await waitLinkUp(a.c, 20_000);
      await waitReplicasOnline(b.c, 2);
      const d = await waitSameDigest([b.c, c.c, a.c]);
      // A's history went further than B's (the cut-off writes): it could not continue, it resynced in full.
      const bAfter = await syncStats(b.c);
      expect(bAfter.full, 'the old leader resynced in full').toBe(bBefore.full + 1);
      expect(bAfter.partialErr, 'its PSYNC was refused').toBe(bBefore.partialErr + 1);

      await expectOnlyCutOffWritesLost(a.c, cut, failover, 'old leader after the heal');
      await expectOnlyCutOffWritesLost(b.c, cut, failover, 'new leader');
      expect(await a.c.command('GET', 'shared:a'), 'overwritten only by the cut-off leader: back to the acknowledged value').toBe('pre');
      // The old leader is a read-only follower now: no more writes at all.
      const ro = await a.c.command('SET', 'shared:a', 'again');
      expect(ro instanceof RespError && ro.message).toBe(READONLY);
      // New writes on B reach everyone.
      expect(await b.c.command('SET', 'after-heal', '1')).toBe('OK');
      expect(await b.c.command('WAIT', 2, 5000)).toBe(2);
      expect(await waitSameDigest([b.c, c.c, a.c])).not.toBe(d);
    },
  );

  it(
    'kill -9 after the cut, restart from its AOF with --replicaof the new leader: converges, the cut-off writes stay lost',
    { timeout: 60_000 },
    async () => {
      const aDir = fx.tmpDir();
      const aof = ['--appendonly', 'yes', '--appendfsync', 'always'];
      const t = await startTrio(fx, { args: GROUP_ARGS, leaderArgs: aof, leaderDir: aDir });
      const cut = await acknowledgeThenCut(t, 'old leader killed');

      // Everything it accepted after the cut is durable in its AOF (appendfsync always).
      process.kill(t.leader.server.pid, 'SIGKILL');
      await t.leader.server.exited;
      const onDisk = aofText(aDir);
      const postKeys = cut.accepted.map((w) => String(w.argv[1])).filter((k) => k.startsWith('post:'));
      expect(postKeys.length, 'the scenario needs new keys the cut-off leader took').toBeGreaterThanOrEqual(1);
      expect(postKeys.filter((k) => !hasBulk(onDisk, k)), 'accepted writes missing from the AOF').toEqual([]);

      const failover = await failOver(t);
      const { b, c } = failover;
      for (const f of t.followers) f.proxy.clear();

      const bBefore = await syncStats(b.c);
      const a = await startNode(fx, { dir: aDir, args: [...GROUP_ARGS, ...aof, '--replicaof', '127.0.0.1', String(b.port)] });
      await waitLinkUp(a.c, 20_000);
      await waitReplicasOnline(b.c, 2);
      await waitSameDigest([b.c, c.c, a.c]);
      expect((await syncStats(b.c)).full, 'the restarted leader resynced in full').toBe(bBefore.full + 1);
      await expectOnlyCutOffWritesLost(a.c, cut, failover, 'old leader restarted from its AOF');
      expect(await a.c.command('GET', 'shared:a')).toBe('pre');

      // Its AOF now holds the new leader's dataset: a second crash and a
      // standalone restart do not bring the cut-off writes back.
      await waitFor(
        async () => {
          const s = String(await a.c.command('INFO', 'persistence'));
          return /aof_rewrite_in_progress:0/.test(s) && /aof_rewrite_scheduled:0/.test(s) && /aof_last_bgrewrite_status:ok/.test(s);
        },
        15_000,
        50,
      );
      const d = await digest(b.c);
      process.kill(a.server.pid, 'SIGKILL');
      await a.server.exited;
      const again = await startNode(fx, { dir: aDir, args: [...GROUP_ARGS, ...aof] });
      expect(await digest(again.c), 'restarted again, standalone, from the rewritten AOF').toBe(d);
      await expectOnlyCutOffWritesLost(again.c, cut, failover, 'old leader after a second restart');
    },
  );
});

describe('min-replicas-to-write 2 with one follower down', () => {
  /** A leader (min-replicas-to-write 2, max-lag 10) with one online follower it counts as good. */
  async function leaderShortOfOne(): Promise<{ l: ReplNode; f: ReplNode }> {
    const [l, f] = await Promise.all([startNode(fx), startNode(fx)]);
    await pipeline(l.c, [
      ['SET', 'k', 'v'],
      ['RPUSH', 'list', 'a', 'b'],
    ]);
    expect(await l.c.command('CONFIG', 'SET', 'min-replicas-to-write', '2', 'min-replicas-max-lag', '10')).toBe('OK');
    expect(await replicaOf(f.c, l.port)).toBe('OK');
    await waitLinkUp(f.c);
    await waitReplicasOnline(l.c, 1);
    await waitFor(async () => (await replInfo(l.c)).get('min_slaves_good_slaves') === '1', 10_000, 50);
    return { l, f };
  }

  async function expectRefused(c: RawConnection, ...argv: Array<string | number>): Promise<void> {
    const r = await c.command(...argv);
    expect(r instanceof RespError ? r.message : r, argv.join(' ')).toBe(NOREPLICAS);
  }

  it('a follower killed: writes refused at once (not after max-lag), nothing applied or propagated; reads, WAIT, PUBLISH work', { timeout: 30_000 }, async () => {
    const [l, f1, f2] = await Promise.all([
      startNode(fx, { args: ['--min-replicas-to-write', '2', '--min-replicas-max-lag', '10'] }),
      startNode(fx),
      startNode(fx),
    ]);
    for (const f of [f1, f2]) expect(await replicaOf(f.c, l.port)).toBe('OK');
    await Promise.all([waitLinkUp(f1.c), waitLinkUp(f2.c)]);
    await waitReplicasOnline(l.c, 2);
    await waitFor(async () => (await l.c.command('SET', 'k', 'v')) === 'OK', 10_000, 50);
    await acknowledgedWrites(l.c, [['RPUSH', 'list', 'a', 'b'], ['HSET', 'h', 'f', '1']]);
    expect(await l.c.command('WAIT', 2, 5000)).toBe(2);

    process.kill(f2.server.pid, 'SIGKILL');
    await f2.server.exited;
    // As soon as the leader knows the follower is gone (its connection closed),
    // with max-lag at 10 s: the refusal does not wait for the lag.
    const killedAt = Date.now();
    await waitReplicasOnline(l.c, 1);
    const t0 = Date.now();
    await expectRefused(l.c, 'SET', 'k', 'changed');
    expect(Date.now() - t0, 'the refusal is immediate').toBeLessThan(1000);
    expect(Date.now() - killedAt, 'refused long before max-lag').toBeLessThan(5000);
    expect((await replInfo(l.c)).get('min_slaves_good_slaves')).toBe('1');

    const d = await digest(l.c);
    const refused = await pipeline(l.c, [
      ['SET', 'k', 'changed'],
      ['INCR', 'n'],
      ['DEL', 'k'],
      ['EXPIRE', 'k', 100],
      ['RPUSH', 'list', 'c'],
      ['HSET', 'h', 'g', '2'],
      ['FLUSHALL'],
      ['SELECT', 5],
      ['SET', 'in-db5', '1'],
      ['SELECT', 0],
    ]);
    expect(refused.map((r) => (r instanceof RespError ? r.message : r))).toEqual([
      NOREPLICAS,
      NOREPLICAS,
      NOREPLICAS,
      NOREPLICAS,
      NOREPLICAS,
      NOREPLICAS,
      NOREPLICAS,
      'OK',
      NOREPLICAS,
      'OK',
    ]);
    // Reads and non-write commands are served.
    expect(await pipeline(l.c, [['GET', 'k'], ['LRANGE', 'list', 0, -1], ['HGETALL', 'h'], ['EXISTS', 'k', 'list'], ['TTL', 'k'], ['DBSIZE'], ['PING'], ['WAIT', 1, 1000], ['WAIT', 2, 100], ['PUBLISH', 'ch', 'm']])).toEqual([
      'v',
      ['a', 'b'],
      ['f', '1'],
      2,
      -1,
      3,
      'PONG',
      1,
      1,
      0,
    ]);
    // Nothing was applied, and nothing reached the follower.
    expect(await digest(l.c)).toBe(d);
    await waitSameDigest([l.c, f1.c]);
  });

  it('MULTI/EXEC: a queued write gets -NOREPLICAS and EXEC -EXECABORT; a read-only transaction runs; a gate closing before EXEC aborts it', { timeout: 30_000 }, async () => {
    const { l } = await leaderShortOfOne();
    const admin = await RawConnection.open(l.port);
    fx.conns.push(admin);
    const c = l.c;

    expect(await pipeline(c, [['MULTI'], ['SET', 'k', 'tx'], ['GET', 'k'], ['EXEC'], ['GET', 'k']])).toEqual([
      'OK',
      new RespError(NOREPLICAS),
      'QUEUED',
      new RespError('EXECABORT Transaction discarded because of previous errors.'),
      'v',
    ]);
    expect(await pipeline(c, [['MULTI'], ['GET', 'k'], ['LRANGE', 'list', 0, -1], ['EXEC']])).toEqual(['OK', 'QUEUED', 'QUEUED', ['v', ['a', 'b']]]);
    expect(await pipeline(c, [['MULTI'], ['EXEC']])).toEqual(['OK', []]);

    // Queued while writes were allowed, executed once they are not.
    expect(await admin.command('CONFIG', 'SET', 'min-replicas-to-write', '1')).toBe('OK');
    expect(await pipeline(c, [['MULTI'], ['SET', 'k', 'tx'], ['INCR', 'n']])).toEqual(['OK', 'QUEUED', 'QUEUED']);
    expect(await admin.command('CONFIG', 'SET', 'min-replicas-to-write', '2')).toBe('OK');
    expect(await pipeline(c, [['EXEC'], ['GET', 'k'], ['EXISTS', 'n'], ['DISCARD']])).toEqual([
      new RespError(`EXECABORT Transaction discarded because of: ${NOREPLICAS}`),
      'v',
      0,
      new RespError('ERR DISCARD without MULTI'),
    ]);
  });

  it('scripts: read-only scripts run, writing ones are refused (skipped where EVAL is not implemented)', { timeout: 30_000 }, async (ctx) => {
    const { l } = await leaderShortOfOne();
    const c = l.c;
    const eval_ = await c.command('COMMAND', 'INFO', 'EVAL');
    if (!Array.isArray(eval_) || eval_[0] === null) ctx.skip();

    const write = "return redis.call('SET', KEYS[1], 'script')";
    const sha = String(await c.command('SCRIPT', 'LOAD', write));
    expect(
      await pipeline(c, [
        ['EVAL', "return redis.call('GET', KEYS[1])", 1, 'k'],
        ['EVAL_RO', "return redis.call('GET', KEYS[1])", 1, 'k'],
        ['EVAL', "#!lua flags=no-writes\nreturn redis.call('GET', KEYS[1])", 1, 'k'],
        ['EVAL', 'return 1', 0],
        ['EVAL', write, 1, 'k'],
        ['EVALSHA', sha, 1, 'k'],
        ['EVAL', "#!lua\nreturn redis.call('GET', KEYS[1])", 1, 'k'],
        ['GET', 'k'],
      ]),
    ).toEqual([
      'v',
      'v',
      'v',
      1,
      new RespError(`${NOREPLICAS} script: ${sha}, on @user_script:1.`),
      new RespError(`${NOREPLICAS} script: ${sha}, on @user_script:1.`),
      // A script with a shebang and no no-writes flag counts as a write before it runs.
      new RespError(NOREPLICAS),
      'v',
    ]);
  });

  it('CONFIG SET min-replicas-to-write / -max-lag takes effect at the next command, both ways', { timeout: 30_000 }, async () => {
    const { l } = await leaderShortOfOne();
    const c = l.c;
    const set = (k: string, v: string) => c.command('CONFIG', 'SET', k, v);
    const write = async () => {
      const r = await c.command('INCR', 'n');
      return r instanceof RespError ? r.message : 'accepted';
    };
    expect(await write()).toBe(NOREPLICAS);
    expect(await set('min-replicas-to-write', '1')).toBe('OK');
    expect(await write()).toBe('accepted');
    expect(await set('min-replicas-to-write', '2')).toBe('OK');
    expect(await write()).toBe(NOREPLICAS);
    // max-lag 0 switches the gate off too (and INFO stops reporting good replicas).
    expect(await set('min-replicas-max-lag', '0')).toBe('OK');
    expect(await write()).toBe('accepted');
    expect((await replInfo(c)).has('min_slaves_good_slaves')).toBe(false);
    expect(await set('min-replicas-max-lag', '10')).toBe('OK');
    expect(await write()).toBe(NOREPLICAS);
    expect((await replInfo(c)).get('min_slaves_good_slaves')).toBe('1');
    expect(await set('min-replicas-to-write', '0')).toBe('OK');
    expect(await write()).toBe('accepted');
    expect(await set('min-replicas-to-write', '3')).toBe('OK');
    expect(await write()).toBe(NOREPLICAS);
    expect(await c.command('GET', 'n')).toBe('3');
  });
});

describe('bad min-replicas settings', () => {
  it("CONFIG SET with a negative, non-integer or out-of-range value: Redis's exact error, nothing changes", { timeout: 30_000 }, async () => {
    const [l, f] = await Promise.all([startNode(fx, { args: ['--min-replicas-to-write', '2', '--min-replicas-max-lag', '10'] }), startNode(fx)]);
    expect(await replicaOf(f.c, l.port)).toBe('OK');
    await waitLinkUp(f.c);
    await waitReplicasOnline(l.c, 1);
    const c = l.c;
    const settings = async () => {
      const r = (await c.command('CONFIG', 'GET', 'min-replicas-*')) as string[];
      const m = new Map<string, string>();
      for (let i = 0; i < r.length; i += 2) m.set(r[i]!, r[i + 1]!);
      return Object.fromEntries([...m].sort());
    };
    const initial = { 'min-replicas-max-lag': '10', 'min-replicas-to-write': '2' };
    expect(await settings()).toEqual(initial);

    const range = (name: string) => `ERR CONFIG SET failed (possibly related to argument '${name}') - argument must be between 0 and 2147483647 inclusive`;
    const parse = (name: string) => `ERR CONFIG SET failed (possibly related to argument '${name}') - argument couldn't be parsed into an integer`;
    const cases: Array<[string[], string]> = [
      [['min-replicas-to-write', '-1'], range('min-replicas-to-write')],
      [['min-replicas-to-write', 'abc'], parse('min-replicas-to-write')],
      [['min-replicas-to-write', '2147483648'], range('min-replicas-to-write')],
      [['min-replicas-to-write', '1.5'], parse('min-replicas-to-write')],
      [['min-replicas-to-write', ''], parse('min-replicas-to-write')],
      [['min-replicas-to-write', ' 1'], parse('min-replicas-to-write')],
      [['min-replicas-max-lag', '-1'], range('min-replicas-max-lag')],
      [['min-replicas-max-lag', 'abc'], parse('min-replicas-max-lag')],
      [['min-replicas-max-lag', '99999999999'], range('min-replicas-max-lag')],
      // One bad value fails the whole CONFIG SET: the good one is not applied either.
      [['min-replicas-to-write', '0', 'min-replicas-max-lag', '-1'], range('min-replicas-max-lag')],
      [['min-replicas-max-lag', '0', 'min-replicas-to-write', 'abc'], parse('min-replicas-to-write')],
    ];
    for (const [args, error] of cases) {
      const r = await c.command('CONFIG', 'SET', ...args);
      expect(r instanceof RespError ? r.message : r, `CONFIG SET ${args.join(' ')}`).toBe(error);
      expect(await settings(), `after CONFIG SET ${args.join(' ')}`).toEqual(initial);
    }
    // The gate is as it was: two good followers needed, one there.
    const r = await c.command('SET', 'k', 'v');
    expect(r instanceof RespError && r.message).toBe(NOREPLICAS);
    expect(await c.command('EXISTS', 'k')).toBe(0);
  });
});
