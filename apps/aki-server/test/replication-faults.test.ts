// Network and process faults on the replication link, black-box: the follower
// reaches its leader through an in-process fault proxy (its REPLICAOF points at
// the proxy port) and the proxy delays, slices, throttles, cuts or blackholes
// the link; or the follower process is stopped. After every fault the two
// datasets converge (DEBUG DIGEST equal), resyncing partially when the backlog
// covers the gap and fully exactly once when it does not, never in a loop.
import { describe, expect, it } from 'vitest';
import { RespError, serverUnderTest, sleep, waitFor } from '@aki/test-utils';
import { writeDataset } from './support/persistence-data.js';
import {
  dbsize,
  digest,
  EMPTY_DIGEST,
  fillStrings,
  mixedWrites,
  pipelineOk,
  replFixture,
  replInfo,
  replicaOf,
  resume,
  startFaultProxy,
  startNode,
  syncStats,
  waitConverged,
  waitLinkUp,
  waitNoReplicas,
  waitReplicasOnline,
  type FaultProxy,
  type NodeOptions,
  type ReplNode,
} from './support/replication-faults.js';

const fx = replFixture('aki-repl-faults-');
const against = serverUnderTest();

interface Pair {
  leader: ReplNode;
  follower: ReplNode;
  proxy: FaultProxy;
}

/**
 * A leader, a fault proxy in front of it and a follower started with `follower`
 * options. `beforeLink` runs once the proxy exists and before REPLICAOF (to set
 * toxics for the initial sync); the link is not awaited when `wait` is false.
 */
async function pairThroughProxy(options: {
  leader?: NodeOptions;
  follower?: NodeOptions;
  fillLeader?: (l: ReplNode) => Promise<void>;
  fillFollower?: (f: ReplNode) => Promise<void>;
  beforeLink?: (p: FaultProxy) => void;
  wait?: boolean;
}): Promise<Pair> {
  const [leader, follower] = await Promise.all([startNode(fx, options.leader), startNode(fx, options.follower)]);
  await options.fillLeader?.(leader);
  await options.fillFollower?.(follower);
  const proxy = await startFaultProxy({ targetPort: leader.port });
  fx.closables.push(proxy);
  options.beforeLink?.(proxy);
  expect(await replicaOf(follower.c, proxy.port)).toBe('OK');
  if (options.wait !== false) {
    await waitLinkUp(follower.c, 30_000);
    await waitReplicasOnline(leader.c, 1);
  }
  return { leader, follower, proxy };
}

/** Cuts the link and keeps it cut: open connections are reset, new ones closed at once. */
async function cut(p: Pair): Promise<void> {
  p.proxy.refuse(true);
  p.proxy.resetAll();
  await waitNoReplicas(p.leader.c);
  await waitFor(async () => (await replInfo(p.follower.c)).get('master_link_status') === 'down', 10_000);
}

/** Every reply to DBSIZE / DEBUG DIGEST is the old dataset's, or -LOADING. */
async function expectOldOrLoading(c: ReplNode['c'], n: number, d: string, what: string): Promise<'old' | 'loading'> {
  const size = await c.command('DBSIZE');
  const dig = await c.command('DEBUG', 'DIGEST');
  for (const [name, reply, want] of [
    ['DBSIZE', size, n],
    ['DEBUG DIGEST', dig, d],
  ] as const) {
    if (reply instanceof RespError) expect(reply.message, `${what}: ${name}`).toMatch(/^LOADING /);
    else expect(reply, `${what}: ${name} (a half-loaded dataset?)`).toBe(want);
  }
  return size instanceof RespError || dig instanceof RespError ? 'loading' : 'old';
}

describe('faults on the link (through a fault proxy)', () => {
  it('latency with jitter and one-byte slices: the sync and the stream still converge, no resync', { timeout: 60_000 }, async () => {
    const p = await pairThroughProxy({
      fillLeader: async (l) => {
        await writeDataset(l.c, 'slow');
      },
      beforeLink: (proxy) => {
        proxy.setLatency(15, 10);
        proxy.slice(true);
      },
    });
    const start = await syncStats(p.leader.c);
    await pipelineOk(p.leader.c, mixedWrites('sliced', 400));
    await writeDataset(p.leader.c, 'sliced2');
    const d = await waitConverged(p.leader.c, p.follower.c, 40_000);
    expect(d).not.toBe(EMPTY_DIGEST);
    // The faults slowed the link down but never broke it.
    p.proxy.clear();
    await pipelineOk(p.leader.c, mixedWrites('clear', 100));
    await waitConverged(p.leader.c, p.follower.c);
    const end = await syncStats(p.leader.c);
    expect(end, 'one full sync at attach time, nothing after').toEqual({ ...start, full: 1 });
    expect((await replInfo(p.follower.c)).get('master_link_status')).toBe('up');
  });

  it('link reset while the backlog covers the gap: +CONTINUE, no full sync', { timeout: 60_000 }, async () => {
    const p = await pairThroughProxy({ fillLeader: (l) => fillStrings(l.c, 'base', 300, 300).then(() => undefined) });
    await pipelineOk(p.leader.c, mixedWrites('before', 200));
    await waitConverged(p.leader.c, p.follower.c);
    const before = await syncStats(p.leader.c);
    const followerReplid = (await replInfo(p.follower.c)).get('master_replid');

    await cut(p);
    // ~100 KB of writes while the follower is away: far below the 1 MB default backlog.
    const gap = await fillStrings(p.leader.c, 'gap', 200, 400);
    expect(gap).toBeLessThan(512 * 1024);
    await pipelineOk(p.leader.c, mixedWrites('gap-mixed', 300));
    await sleep(1200); // the follower retries against the refusing proxy meanwhile
    p.proxy.refuse(false);

    await waitLinkUp(p.follower.c, 20_000);
    await waitFor(async () => (await syncStats(p.leader.c)).partialOk === before.partialOk + 1, 10_000);
    await waitConverged(p.leader.c, p.follower.c);
    const after = await syncStats(p.leader.c);
    expect(after.full, 'no full sync').toBe(before.full);
    expect(after.partialOk).toBe(before.partialOk + 1);
    expect(after.partialErr).toBe(before.partialErr);
    expect((await replInfo(p.follower.c)).get('master_replid'), 'same history').toBe(followerReplid);
  });

  it('outage longer than the backlog: exactly one more full sync', { timeout: 60_000 }, async () => {
    const p = await pairThroughProxy({
      leader: { args: ['--repl-backlog-size', '16384'] },
      fillLeader: (l) => fillStrings(l.c, 'base', 100, 300).then(() => undefined),
    });
    await waitConverged(p.leader.c, p.follower.c);
    const before = await syncStats(p.leader.c);

    await cut(p);
    // ~400 KB while away, 25 times the backlog.
    await fillStrings(p.leader.c, 'gap', 400, 1000);
    await pipelineOk(p.leader.c, mixedWrites('gap-mixed', 300));
    await sleep(500);
    p.proxy.refuse(false);

    await waitLinkUp(p.follower.c, 20_000);
    await waitFor(async () => (await syncStats(p.leader.c)).full === before.full + 1, 10_000);
    await waitConverged(p.leader.c, p.follower.c);
    await pipelineOk(p.leader.c, mixedWrites('after', 100));
    await waitConverged(p.leader.c, p.follower.c);
    await sleep(1500); // no second attempt follows
    const after = await syncStats(p.leader.c);
    expect(after.full, 'exactly one more full sync').toBe(before.full + 1);
    expect(after.partialOk, 'the gap cannot be served partially').toBe(before.partialOk);
    expect(after.partialErr, 'the refused partial resync is counted').toBe(before.partialErr + 1);
  });

  /**
   * A follower holding dataset X is pointed at a leader with several MB while
   * every connection is cut after 1 MB of snapshot. Returns once at least two
   * sync attempts were cut and `minMs` passed (calling `probe` all along), with
   * the link held cut.
   */
  async function cutSnapshots(
    minMs: number,
    probe: (x: { n: number; d: string }, follower: ReplNode) => Promise<void>,
  ): Promise<Pair & { x: { n: number; d: string } }> {
    let x = { n: 0, d: '' };
    const p = await pairThroughProxy({
      fillLeader: async (l) => {
        await fillStrings(l.c, 'big', 400, 10_000); // ~4 MB of incompressible values
      },
      fillFollower: async (f) => {
        await writeDataset(f.c, 'x');
        x = { n: await dbsize(f.c), d: await digest(f.c) };
      },
      beforeLink: (proxy) => proxy.limitData(1_000_000, { direction: 'downstream' }),
      wait: false,
    });
    const start = await syncStats(p.leader.c);
    const t0 = Date.now();
    const deadline = t0 + 20_000;
    while ((await syncStats(p.leader.c)).full < start.full + 2 || Date.now() - t0 < minMs) {
      if (Date.now() > deadline) throw new Error('fewer than two cut sync attempts within 20 s');
      await probe(x, p.follower);
    }
    await probe(x, p.follower);
    await cut(p);
    return { ...p, x };
  }

  it('snapshot cut mid-transfer: the follower keeps its data, then syncs once when the link heals', { timeout: 60_000 }, async () => {
    const p = await cutSnapshots(0, async () => {
      await sleep(100);
    });
    const state = await expectOldOrLoading(p.follower.c, p.x.n, p.x.d, 'after the cut attempts');
    if (against === 'redis') expect(state).toBe('old');
    expect((await replInfo(p.follower.c)).get('master_link_status')).not.toBe('up');

    const before = await syncStats(p.leader.c);
    p.proxy.clear();
    await waitLinkUp(p.follower.c, 30_000);
    const d = await waitConverged(p.leader.c, p.follower.c);
    expect(d).not.toBe(p.x.d);
    expect(await dbsize(p.follower.c)).toBe(400);
    await sleep(1000);
    expect((await syncStats(p.leader.c)).full, 'one full sync after the heal').toBe(before.full + 1);
  });

  it.skipIf(against === 'redis')(
    'snapshot cut mid-transfer: while the syncs fail the follower serves its old data or -LOADING, never a part',
    { timeout: 60_000 },
    async () => {
      let probes = 0;
      const p = await cutSnapshots(3000, async (x, follower) => {
        await expectOldOrLoading(follower.c, x.n, x.d, `probe ${probes}`);
        probes++;
        await sleep(20);
      });
      expect(probes).toBeGreaterThan(20);
      p.proxy.clear();
      await waitLinkUp(p.follower.c, 30_000);
      await waitConverged(p.leader.c, p.follower.c);
    },
  );

  it('slow follower (bandwidth-limited link) and a write burst: bounded full syncs, then convergence', { timeout: 60_000 }, async () => {
    const p = await pairThroughProxy({
      fillLeader: (l) => fillStrings(l.c, 'base', 60, 10_000).then(() => undefined), // ~600 KB snapshot
      beforeLink: (proxy) => proxy.setBandwidth(400_000, { direction: 'downstream' }),
    });
    const attached = await syncStats(p.leader.c);
    expect(attached.full).toBe(1);
    let maxFull = attached.full;
    const sample = async () => {
      maxFull = Math.max(maxFull, (await syncStats(p.leader.c)).full);
    };
    // ~1.2 MB burst: three seconds of link time, written far faster than that.
    for (let i = 0; i < 10; i++) {
      await fillStrings(p.leader.c, `burst${i}`, 12, 10_000);
      await pipelineOk(p.leader.c, mixedWrites(`burst${i}`, 50));
      await sample();
    }
    const until = Date.now() + 25_000;
    let converged = false;
    while (!converged && Date.now() < until) {
      await sample();
      converged = (await digest(p.leader.c)) === (await digest(p.follower.c));
      if (!converged) await sleep(250);
    }
    expect(converged, 'converged while still throttled').toBe(true);
    p.proxy.clear();
    await pipelineOk(p.leader.c, mixedWrites('end', 50));
    await waitConverged(p.leader.c, p.follower.c);
    await sleep(1500);
    await sample();
    expect(maxFull - attached.full, 'at most one extra full sync (no sync loop)').toBeLessThanOrEqual(1);
    expect((await replInfo(p.follower.c)).get('master_link_status')).toBe('up');
  });

  it('blackholed link with min-replicas-to-write 1: writes get -NOREPLICAS after the lag, reads and WAIT 0 work', { timeout: 60_000 }, async () => {
    const p = await pairThroughProxy({
      leader: { args: ['--min-replicas-to-write', '1', '--min-replicas-max-lag', '2'] },
      fillLeader: async (l) => {
        await l.c.command('SET', 'seed', 'v');
      },
    });
    // Good replicas are counted once a second: wait until the leader counts the follower.
    await waitFor(async () => (await p.leader.c.command('SET', 'warm', '1')) === 'OK', 10_000, 100);
    await waitConverged(p.leader.c, p.follower.c);

    p.proxy.blackhole(true);
    const holed = Date.now();
    // The last ACK is fresh: this write is accepted (and propagated into the hole).
    expect(await p.leader.c.command('SET', 'during', '1')).toBe('OK');
    const w0 = Date.now();
    expect(await p.leader.c.command('WAIT', 1, 100)).toBe(0);
    expect(Date.now() - w0).toBeGreaterThanOrEqual(90);

    let refusedAt = 0;
    await waitFor(
      async () => {
        const r = await p.leader.c.command('SET', 'probe', String(Date.now()));
        if (r instanceof RespError) {
          expect(r.message).toBe('NOREPLICAS Not enough good replicas to write.');
          refusedAt = Date.now();
          return true;
        }
        expect(r).toBe('OK');
        return false;
      },
      10_000,
      100,
    );
    const lag = refusedAt - holed;
    expect(lag, 'writes are refused only after the max lag').toBeGreaterThanOrEqual(1500);
    expect(lag).toBeLessThanOrEqual(8000);
    expect(await p.leader.c.command('GET', 'during')).toBe('1');
    expect(await p.leader.c.command('DBSIZE')).toBeTypeOf('number');
    expect(await p.leader.c.command('WAIT', 1, 100)).toBe(0);
    const refused = await p.leader.c.command('INCR', 'counter');
    expect(refused instanceof RespError && refused.message).toBe('NOREPLICAS Not enough good replicas to write.');

    // Healing: the held bytes flow, ACKs resume, writes are accepted again.
    p.proxy.blackhole(false);
    await waitFor(async () => (await p.leader.c.command('SET', 'healed', '1')) === 'OK', 10_000, 100);
    await waitConverged(p.leader.c, p.follower.c);
    expect(await p.leader.c.command('WAIT', 1, 1000)).toBe(1);
    expect(await p.follower.c.command('GET', 'during')).toBe('1');
  });
});

describe('faults on the follower process', () => {
  it('follower SIGSTOPped: WAIT 1 500 returns 0 at the timeout; after SIGCONT it catches up by partial resync', { timeout: 60_000 }, async () => {
    // A short repl-timeout so the stopped follower is dropped by the leader and
    // must resync; pings every second keep an idle link inside that timeout.
    const timeouts = ['--repl-timeout', '3', '--repl-ping-replica-period', '1'];
    const [leader, follower] = await Promise.all([startNode(fx, { args: timeouts }), startNode(fx, { args: timeouts })]);
    await fillStrings(leader.c, 'base', 200, 200);
    expect(await replicaOf(follower.c, leader.port)).toBe('OK');
    await waitLinkUp(follower.c);
    await waitReplicasOnline(leader.c, 1);
    await waitConverged(leader.c, follower.c);
    expect(await leader.c.command('WAIT', 1, 2000)).toBe(1);
    const before = await syncStats(leader.c);

    process.kill(follower.server.pid, 'SIGSTOP');
    try {
      expect(await leader.c.command('SET', 'while-stopped', '1')).toBe('OK');
      const t0 = Date.now();
      expect(await leader.c.command('WAIT', 1, 500)).toBe(0);
      const took = Date.now() - t0;
      expect(took, 'WAIT waited for its timeout').toBeGreaterThanOrEqual(450);
      expect(took, 'WAIT returned at about its timeout').toBeLessThan(2000);
      // The write stays applied on the leader.
      expect(await leader.c.command('GET', 'while-stopped')).toBe('1');
      await pipelineOk(leader.c, mixedWrites('stopped', 200));
      // The leader gives up on the silent follower after repl-timeout.
      await waitNoReplicas(leader.c, 15_000);
    } finally {
      resume(follower.server.pid);
    }

    await waitLinkUp(follower.c, 20_000);
    await waitFor(async () => (await syncStats(leader.c)).partialOk === before.partialOk + 1, 10_000);
    await waitConverged(leader.c, follower.c);
    const after = await syncStats(leader.c);
    expect(after.full, 'caught up without a full sync').toBe(before.full);
    expect(await follower.c.command('GET', 'while-stopped')).toBe('1');
    expect(await leader.c.command('WAIT', 1, 2000)).toBe(1);
  });
});
