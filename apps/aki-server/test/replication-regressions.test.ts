// Regressions from the replication review, black-box, one test per finding.
// Each fails on the behaviour before the fixes and passes now; every one not
// marked aki-only is validated against redis-server 7.0.15
// (AKI_TEST_AGAINST_REDIS=1), because Redis behaves the same way there.
//  H1 a full sync's stream starts with SELECT (a tail written in db 3 lands in db 3)
//  H2 a leader restarted from disk keeps its loaded history only as replid2:
//     a follower that is ahead gets a full sync, never a +CONTINUE into garbage
//  H3 a key that expired while the leader was down reaches the follower as a DEL
//  H4 FAILOVER FORCE to a lagging follower: the old leader takes its data
//  M1 after a full sync a former master trusts the leader's offset (partial resync next)
//  M2 EXEC of writes queued before REPLICAOF: EXECABORT with the READONLY reason
//  M4 a SYNC follower (redis-cli --replica) never ACKs and is not timed out
//  L1 a client that leaves while in WAIT leaves nothing behind (its memory is freed)
//  -  PUBLISH on the leader reaches the followers' subscribers
//  -  WAIT's offset moves after every command, reads included (Redis's woff)
//  R2-1 after a completed FAILOVER the old leader's reconnects are plain partial resyncs
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { RawConnection, RespError, decodeReply, encodePipeline, hasBinary, serverUnderTest, sleep, waitFor, whichBinary } from '@aki/test-utils';
import {
  connectTo,
  dbsize,
  digest,
  fillStrings,
  info,
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
  waitReplicasOnline,
  type ReplNode,
} from './support/replication-faults.js';

const fx = replFixture('aki-repl-regressions-');
const onRedis = serverUnderTest() === 'redis';
const HOST = '127.0.0.1';
/** No AOF and no save points on every node (aki's own default is appendonly yes). */
const QUIET = ['--appendonly', 'no', '--save', ''];

function node(args: string[] = [], dir?: string, port?: number): Promise<ReplNode> {
  return startNode(fx, { args: [...QUIET, ...args], ...(dir !== undefined ? { dir } : {}), ...(port !== undefined ? { port } : {}) });
}

/** A leader and `n` followers, every link up. */
async function cluster(n: number, leaderArgs: string[] = []): Promise<{ l: ReplNode; fs: ReplNode[]; dir: string }> {
  const dir = fx.tmpDir();
  const [l, ...fs] = await Promise.all([node(leaderArgs, dir), ...Array.from({ length: n }, () => node())]);
  for (const f of fs) expect(await replicaOf(f.c, l!.port)).toBe('OK');
  for (const f of fs) await waitLinkUp(f.c);
  await waitReplicasOnline(l!.c, n);
  return { l: l!, fs, dir };
}

/**
 * SAVE on `c` and the master_repl_offset the file records (read right before
 * and after SAVE; retried if a keepalive PING entered the stream in between).
 */
async function saveAt(c: RawConnection): Promise<{ replid: string; offset: number }> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const before = await replInfo(c);
    expect(await c.command('SAVE')).toBe('OK');
    const after = await replInfo(c);
    if (before.get('master_repl_offset') === after.get('master_repl_offset') && before.get('master_replid') === after.get('master_replid')) {
      return { replid: after.get('master_replid')!, offset: Number(after.get('master_repl_offset')) };
    }
  }
  throw new Error('the offset kept moving around SAVE');
}

/** SIGKILLs `n` and waits until its process is gone. */
async function kill9(n: ReplNode): Promise<void> {
  process.kill(n.server.pid, 'SIGKILL');
  await n.server.exited;
}

async function role(c: RawConnection): Promise<string> {
  const r = await c.command('ROLE');
  if (!Array.isArray(r)) throw new Error(`ROLE -> ${JSON.stringify(r)}`);
  return String(r[0]);
}

/** Asserts that the follower's link stays up for `ms` (no resync or protocol-error loop). */
async function staysUp(f: RawConnection, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const i = await replInfo(f);
    expect(i.get('master_link_status'), 'the follower link dropped again').toBe('up');
    await sleep(100);
  }
}

describe('replication regressions', () => {
  it('H1: a second follower full-synced while the writer sits in db 3 applies the tail in db 3', { timeout: 30_000 }, async () => {
    const {
      l,
      fs: [f1],
    } = await cluster(1);
    const f2 = await node();
    const w = await connectTo(fx, l.port);
    expect(await w.command('SELECT', 3)).toBe('OK');
    expect(await w.command('SET', 'a', '1')).toBe('OK');
    await waitConverged(l.c, f1!.c);

    expect(await replicaOf(f2.c, l.port)).toBe('OK');
    await waitLinkUp(f2.c);
    await waitReplicasOnline(l.c, 2);
    // Same connection, still in db 3: the first command of f2's stream after its payload.
    expect(await w.command('SET', 'b', '2')).toBe('OK');

    const d = await waitConverged(l.c, f1!.c);
    await waitConverged(l.c, f2.c);
    expect(await digest(f2.c)).toBe(d);
    const r = await connectTo(fx, f2.port);
    expect(await r.command('SELECT', 3)).toBe('OK');
    expect(await r.command('MGET', 'a', 'b')).toEqual(['1', '2']);
    expect(await r.command('SELECT', 0)).toBe('OK');
    expect(await r.command('DBSIZE'), 'nothing landed in db 0').toBe(0);
  });

  it('H2: a leader restarted from its RDB does not +CONTINUE a follower that is ahead of the file', { timeout: 40_000 }, async () => {
    const {
      l,
      fs: [f],
      dir,
    } = await cluster(1);
    await fillStrings(l.c, 'base', 50, 100);
    await waitConverged(l.c, f!.c);
    const saved = await saveAt(l.c);
    // Writes the follower applies and the file does not have.
    await pipelineOk(l.c, Array.from({ length: 10 }, (_, i) => ['SET', `after-save:${i}`, 'x'.repeat(20)]));
    await waitConverged(l.c, f!.c);
    const ahead = Number((await replInfo(f!.c)).get('slave_repl_offset'));
    expect(ahead).toBeGreaterThan(saved.offset);

    // The follower is held while the leader dies and comes back, so it can only
    // ask to continue once the new leader has written more than the gap.
    process.kill(f!.server.pid, 'SIGSTOP');
    let l2: ReplNode;
    try {
      await kill9(l);
      l2 = await node([], dir, l.port);
      expect(await l2.c.command('EXISTS', 'after-save:0')).toBe(0);
      // New writes, far more bytes than the follower is ahead by.
      await fillStrings(l2.c, 'new', 40, 300);
      expect(Number((await replInfo(l2.c)).get('master_repl_offset'))).toBeGreaterThan(ahead + 1000);
    } finally {
      resume(f!.server.pid);
    }

    await waitLinkUp(f!.c, 20_000);
    const d = await waitConverged(l2.c, f!.c, 15_000);
    expect(await digest(f!.c)).toBe(d);
    expect(await dbsize(f!.c)).toBe(90);
    expect(await f!.c.command('EXISTS', 'after-save:0'), 'the follower dropped what the leader lost').toBe(0);
    await staysUp(f!.c, 1500);
    expect((await syncStats(l2.c)).partialOk, 'never continued').toBe(0);
    const i = await replInfo(l2.c);
    expect(i.get('master_replid2'), 'the loaded history is kept as replid2').toBe(saved.replid);
    expect(i.get('second_repl_offset'), 'valid up to where the file ends').toBe(String(saved.offset + 1));
    expect(i.get('master_replid'), 'and a new history starts').not.toBe(saved.replid);
    expect((await replInfo(f!.c)).get('master_replid')).toBe(i.get('master_replid'));
  });

  it('H3: a key that expired while the leader was down disappears on the follower too', { timeout: 30_000 }, async () => {
    const {
      l,
      fs: [f],
      dir,
    } = await cluster(1, ['--repl-ping-replica-period', '30']); // no PING after SAVE moves the follower past the file
    expect(await l.c.command('SET', 'k', 'v', 'PX', 1500)).toBe('OK');
    await waitConverged(l.c, f!.c);
    await saveAt(l.c);
    process.kill(f!.server.pid, 'SIGSTOP');
    let l2: ReplNode;
    try {
      await kill9(l);
      await sleep(2000);
      l2 = await node([], dir, l.port);
    } finally {
      resume(f!.server.pid);
    }
    await waitLinkUp(f!.c, 15_000);
    // The follower may continue the loaded history: only a DEL from the leader removes k there.
    await waitFor(async () => (await dbsize(f!.c)) === 0, 8000).catch(async () => {
      throw new Error(`the follower still holds ${await dbsize(f!.c)} key(s) (leader: ${await dbsize(l2.c)})`);
    });
    expect(await waitConverged(l2.c, f!.c, 5000)).toBe('0'.repeat(40));
    // The follower continued the loaded history (it was not ahead of the file): no full sync hid the bug.
    expect(await syncStats(l2.c)).toEqual({ full: 0, partialOk: 1, partialErr: 0 });
  });

  it('H4: FAILOVER FORCE to a lagging follower: one master afterwards, the old leader takes its data', { timeout: 30_000 }, async () => {
    const [l, f] = await Promise.all([node(), node()]);
    await fillStrings(l.c, 'pre', 50, 64);
    // The follower reaches the leader through a proxy, so what it misses stays missed.
    const proxy = await startFaultProxy({ targetPort: l.port });
    fx.closables.push(proxy);
    expect(await replicaOf(f.c, proxy.port)).toBe('OK');
    await waitLinkUp(f.c);
    await waitReplicasOnline(l.c, 1);
    await waitConverged(l.c, f.c);

    process.kill(f.server.pid, 'SIGSTOP');
    try {
      proxy.blackhole(true, { direction: 'downstream' });
      await fillStrings(l.c, 'behind', 20, 200);
      expect(await l.c.command('FAILOVER', 'TO', HOST, f.port, 'TIMEOUT', 800, 'FORCE')).toBe('OK');
      await waitFor(async () => (await replInfo(l.c)).get('master_failover_state') === 'failover-in-progress', 5000, 25);
      // The old stream never arrives: its connection is reset.
      proxy.refuse(true);
      proxy.resetAll();
    } finally {
      resume(f.server.pid);
    }

    await waitFor(async () => (await replInfo(l.c)).get('master_failover_state') === 'no-failover', 10_000, 50);
    await waitLinkUp(l.c, 15_000);
    expect(await role(l.c), 'the old leader follows').toBe('slave');
    expect(await role(f.c), 'the target leads').toBe('master');
    expect((await replInfo(l.c)).get('master_port')).toBe(String(f.port));
    const d = await waitConverged(f.c, l.c);
    expect(await digest(l.c)).toBe(d);
    expect(await dbsize(l.c)).toBe(50);
    expect(await l.c.command('EXISTS', 'behind:0'), "the old leader took the new leader's data").toBe(0);
    expect(await f.c.command('SET', 'after', '1')).toBe('OK');
    await waitConverged(f.c, l.c);
    expect(await l.c.command('GET', 'after')).toBe('1');
    await sleep(1000);
    expect(await role(l.c)).toBe('slave');
    expect(await role(f.c)).toBe('master');
  });

  it('M1: a former master with local writes full-syncs once, then a dropped link resyncs partially', { timeout: 30_000 }, async () => {
    const [l, n] = await Promise.all([node(), node()]);
    await fillStrings(l.c, 'lead', 20, 50);
    expect(await n.c.command('SET', 'local', '1')).toBe('OK');
    expect(await replicaOf(n.c, l.port)).toBe('OK');
    await waitLinkUp(n.c);
    await waitReplicasOnline(l.c, 1);
    await waitConverged(l.c, n.c);
    expect((await replInfo(n.c)).get('master_replid')).toBe((await replInfo(l.c)).get('master_replid'));
    expect(await n.c.command('EXISTS', 'local')).toBe(0);
    await fillStrings(l.c, 'more', 5, 50);
    await waitConverged(l.c, n.c);

    const before = await syncStats(l.c);
    expect(before.full).toBe(1);
    expect(await n.c.command('CLIENT', 'KILL', 'TYPE', 'master')).toBe(1);
    await waitFor(async () => (await syncStats(l.c)).partialOk === before.partialOk + 1, 10_000).catch(async () => {
      throw new Error(`no partial resync: ${JSON.stringify(await syncStats(l.c))} (before ${JSON.stringify(before)})`);
    });
    await waitLinkUp(n.c);
    await waitConverged(l.c, n.c);
    expect((await syncStats(l.c)).full, 'no second full sync').toBe(before.full);
  });

  it("M2: EXEC of a write queued before another client's REPLICAOF: EXECABORT with the READONLY reason", { timeout: 30_000 }, async () => {
    const [l, n] = await Promise.all([node(), node()]);
    const tx = await connectTo(fx, n.port);
    expect(await tx.command('MULTI')).toBe('OK');
    expect(await tx.command('SET', 'k', 'v')).toBe('QUEUED');
    expect(await replicaOf(n.c, l.port)).toBe('OK');
    const r = await tx.command('EXEC');
    expect(r instanceof RespError ? `-${r.message}` : JSON.stringify(r)).toBe(
      "-EXECABORT Transaction discarded because of: READONLY You can't write against a read only replica.",
    );
    expect(await tx.command('EXISTS', 'k')).toBe(0);
    // The transaction is over: a command now runs at once.
    expect(await tx.command('PING')).toBe('PONG');
    await waitLinkUp(n.c);
    expect(await n.c.command('EXISTS', 'k')).toBe(0);
    expect(await l.c.command('EXISTS', 'k'), 'nothing reached the leader either').toBe(0);
  });

  it.skipIf(!hasBinary('redis-cli'))(
    'M4: redis-cli --replica (SYNC, never ACKs) outlives repl-timeout 2 and prints a later write',
    { timeout: 30_000 },
    async () => {
      const l = await node(['--repl-timeout', '2']);
      expect(await l.c.command('SET', 'seed', '1')).toBe('OK');
      const child = spawn(whichBinary('redis-cli')!, ['-p', String(l.port), '--replica'], { stdio: ['ignore', 'pipe', 'pipe'] });
      fx.closables.push({ close: () => child.kill('SIGKILL') });
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
      child.stderr.setEncoding('utf8').on('data', (s: string) => (out += s));
      await waitFor(() => /sync done/i.test(out), 15_000).catch(() => {
        throw new Error(`redis-cli --replica never finished its sync: ${out}`);
      });
      await sleep(4000);
      expect(await l.c.command('SET', 'late-key', 'late-value')).toBe('OK');
      await waitFor(() => out.includes('"SET","late-key","late-value"'), 5000).catch(() => {
        throw new Error(`redis-cli --replica did not print the write made after 4 s: ${out}`);
      });
      expect(child.exitCode, `redis-cli exited: ${out}`).toBe(null);
    },
  );

  it.skipIf(onRedis)(
    'L1: clients that disconnect while in WAIT 5 0 leave nothing behind; the leader keeps working',
    { timeout: 40_000 },
    async () => {
      const {
        l,
        fs: [f],
      } = await cluster(1);
      const clientsBefore = await infoNumber(l.c, 'clients', 'connected_clients');
      const base = await settledMemory(l.c, 4);
      // Each waiter also holds ~60 KB of a half-sent command it read with its WAIT:
      // a wait that outlives its client keeps that alive.
      const partial = Buffer.concat([
        encodePipeline([['WAIT', 5, 0]]),
        Buffer.from('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1000000\r\n'),
        Buffer.alloc(60_000, 0x76),
      ]);
      for (let round = 0; round < 4; round++) {
        const conns = await Promise.all(Array.from({ length: 500 }, () => RawConnection.open(l.port)));
        for (const c of conns) c.write(partial);
        await waitFor(async () => (await infoNumber(l.c, 'clients', 'connected_clients')) === clientsBefore + 500, 10_000, 25);
        await sleep(200);
        for (const c of conns) c.close();
        await waitFor(async () => (await infoNumber(l.c, 'clients', 'connected_clients')) === clientsBefore, 10_000, 25);
      }
      // ACKs keep arriving (one a second) meanwhile: nothing answers the departed clients.
      await sleep(1200);
      expect((await replInfo(l.c)).get('connected_slaves')).toBe('1');
      expect(await l.c.command('SET', 'z', '1')).toBe('OK');
      expect(await l.c.command('WAIT', 1, 1000)).toBe(1);
      await waitConverged(l.c, f!.c);
      // 2000 departed waiters x 60 KB: about 120 MB if they were kept.
      const after = await settledMemory(l.c, 8);
      expect((after - base) / 1e6, `used_memory ${base} -> ${after}`).toBeLessThan(60);
      expect(l.server.hasExited()).toBe(false);
    },
  );

  it('R2-1: after a FAILOVER, a dropped link of the old leader resyncs partially (no PSYNC ... FAILOVER again)', { timeout: 30_000 }, async () => {
    const { l, fs } = await cluster(1);
    const f = fs[0]!;
    expect(await l.c.command('SET', 'x', '1')).toBe('OK');
    await waitConverged(l.c, f.c);
    expect(await l.c.command('FAILOVER')).toBe('OK');
    await waitFor(async () => (await replInfo(l.c)).get('role') === 'slave' && (await replInfo(f.c)).get('role') === 'master', 10_000);
    await waitFor(async () => (await replInfo(l.c)).get('master_failover_state') === 'no-failover', 10_000);
    await waitLinkUp(l.c);
    const before = await syncStats(f.c);
    expect(Number(await l.c.command('CLIENT', 'KILL', 'TYPE', 'master'))).toBe(1);
    await waitLinkUp(l.c);
    await waitFor(async () => (await syncStats(f.c)).partialOk === before.partialOk + 1, 10_000);
    expect((await syncStats(f.c)).full).toBe(before.full);
    expect((await replInfo(l.c)).get('master_replid')).toBe((await replInfo(f.c)).get('master_replid'));
    expect(await f.c.command('SET', 'x', '2')).toBe('OK');
    expect(await f.c.command('WAIT', 1, 2000)).toBe(1);
    expect(await l.c.command('GET', 'x')).toBe('2');
  });

  it('PUBLISH on the leader reaches a subscriber on the follower', { timeout: 30_000 }, async () => {
    const {
      l,
      fs: [f],
    } = await cluster(1);
    const sub = await connectTo(fx, f!.port);
    expect(await sub.command('SUBSCRIBE', 'news')).toEqual(['subscribe', 'news', 1]);
    expect(await l.c.command('PUBLISH', 'news', 'hello'), 'no subscriber on the leader itself').toBe(0);
    const msg = decodeReply(await sub.readReply(5000))!.value;
    expect(msg).toEqual(['message', 'news', 'hello']);
    expect(await l.c.command('SET', 'after', '1')).toBe('OK');
    await waitConverged(l.c, f!.c);
  });

  it("woff: a connection whose only command read after another client's SET waits for that SET in WAIT", { timeout: 30_000 }, async () => {
    const {
      l,
      fs: [f],
    } = await cluster(1);
    expect(await l.c.command('WAIT', 1, 2000)).toBe(1);
    process.kill(f!.server.pid, 'SIGSTOP');
    try {
      expect(await l.c.command('SET', 'x', '1')).toBe('OK');
      // A fresh connection has nothing to wait for (woff 0): the stopped follower counts.
      const fresh = await connectTo(fx, l.port);
      expect(await fresh.command('WAIT', 1, 300)).toBe(1);
      // A read moves woff to the stream's end, the SET included: not acked by the stopped follower.
      const reader = await connectTo(fx, l.port);
      expect(await reader.command('GET', 'x')).toBe('1');
      const t0 = Date.now();
      expect(await reader.command('WAIT', 1, 300)).toBe(0);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
      const reader2 = await connectTo(fx, l.port);
      expect(await reader2.command('GET', 'x')).toBe('1');
      resume(f!.server.pid);
      expect(await reader2.command('WAIT', 1, 5000), 'counted once the follower acked').toBe(1);
    } finally {
      resume(f!.server.pid);
    }
    await waitConverged(l.c, f!.c);
  });
});

async function infoNumber(c: RawConnection, section: string, field: string): Promise<number> {
  const v = (await info(c, section)).get(field);
  if (v === undefined) throw new Error(`INFO ${section} has no ${field}`);
  return Number(v);
}

/**
 * The lowest INFO used_memory over `samples` rounds of garbage-making traffic
 * (a 100 KB value read back 200 times each): the garbage collector runs in
 * between, so the minimum is close to what is really retained.
 */
async function settledMemory(c: RawConnection, samples: number): Promise<number> {
  await c.command('SET', '__churn', 'x'.repeat(100_000));
  let min = Number.POSITIVE_INFINITY;
  for (let i = 0; i < samples; i++) {
    for (let j = 0; j < 200; j++) await c.command('GET', '__churn');
    await sleep(200);
    min = Math.min(min, await infoNumber(c, 'memory', 'used_memory'));
  }
  await c.command('DEL', '__churn');
  return min;
}
