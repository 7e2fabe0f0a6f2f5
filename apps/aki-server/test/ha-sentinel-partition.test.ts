// Split brain under stock Redis Sentinel (issue 6): the leader is cut off from
// its followers and from every sentinel, while a client on its side of the cut
// keeps writing to it. With min-replicas-to-write 1 / min-replicas-max-lag 2
// the old leader stops taking writes (NOREPLICAS) within about max-lag + 1 s;
// Sentinel promotes a follower on the other side; when the cut heals,
// Sentinel turns the old leader into a follower of the new one, and the only
// writes lost are the few it acknowledged after the cut.
//
// The cut is made of fault proxies: each follower and every sentinel reaches
// the leader through one, and blackholing them all isolates the leader while
// its own clients still reach it directly. Runs against aki, and against
// redis-server nodes with AKI_TEST_AGAINST_REDIS=1 (Redis behaves the same).
import { describe, expect, it } from 'vitest';
import { freePort, hasSentinel, RespError, sleep, waitFor } from '@aki/test-utils';
import { replFixture, startFaultProxy, type FaultProxy } from './support/replication-faults.js';
import {
  nodeCommand,
  nodeDigest,
  startGroupNode,
  startSentinels,
  waitForNewLeader,
  waitLinkUpTo,
  type GroupNode,
} from './support/sentinel-group.js';

const fx = replFixture('aki-ha-partition-');
const why = hasSentinel() ? '' : ' (skipped: redis-sentinel is not installed)';
const MAX_LAG_S = 2;

async function proxyTo(port: number): Promise<FaultProxy> {
  const proxy = await startFaultProxy({ targetPort: port });
  fx.closables.push(proxy);
  return proxy;
}

describe.skipIf(!hasSentinel())(`split brain under stock Redis Sentinel${why}`, () => {
  it('a leader cut off from followers and sentinels refuses writes after max-lag, and rejoins losing only what it took after the cut', async () => {
    const leader = await startGroupNode(fx, {
      port: await freePort(),
      dir: fx.tmpDir(),
      configLines: ['min-replicas-to-write 1', `min-replicas-max-lag ${MAX_LAG_S}`],
    });
    const [toLeaderFromB, toLeaderFromC, toLeaderFromSentinels] = [await proxyTo(leader.port), await proxyTo(leader.port), await proxyTo(leader.port)];
    const followers: GroupNode[] = [
      await startGroupNode(fx, { port: await freePort(), dir: fx.tmpDir(), followPort: toLeaderFromB.port }),
      await startGroupNode(fx, { port: await freePort(), dir: fx.tmpDir(), followPort: toLeaderFromC.port }),
    ];
    await waitLinkUpTo(followers[0]!, toLeaderFromB.port);
    await waitLinkUpTo(followers[1]!, toLeaderFromC.port);
    const sentinels = await startSentinels(fx, toLeaderFromSentinels.port);

    // Before the cut: writes acknowledged by a follower.
    const acknowledged: string[] = [];
    for (let i = 0; i < 50; i++) {
      expect(await nodeCommand(leader, 'SET', `before:${i}`, String(i))).toBe('OK');
      acknowledged.push(`before:${i}`);
    }
    expect(Number(await nodeCommand(leader, 'WAIT', '2', '5000'))).toBe(2);

    // The cut: the leader's followers and sentinels lose it; its own clients do not.
    const cutAt = Date.now();
    for (const p of [toLeaderFromB, toLeaderFromC, toLeaderFromSentinels]) p.blackhole(true);
    const takenAfterCut: string[] = [];
    let refusedAt: number | undefined;
    for (let i = 0; refusedAt === undefined; i++) {
      const reply = await nodeCommand(leader, 'SET', `after:${i}`, String(i));
      if (reply instanceof RespError) {
        expect(reply.message).toBe('NOREPLICAS Not enough good replicas to write.');
        refusedAt = Date.now();
      } else {
        expect(reply).toBe('OK');
        takenAfterCut.push(`after:${i}`);
      }
      if (Date.now() - cutAt > (MAX_LAG_S + 5) * 1000) throw new Error('the cut-off leader never refused a write');
      await sleep(50);
    }
    const refusedAfterMs = refusedAt - cutAt;
    // Reads go on: the cut-off leader still serves what it has.
    expect(String(await nodeCommand(leader, 'GET', 'before:0'))).toBe('0');

    // Sentinel promotes a follower on the other side of the cut.
    const newLeaderPort = await waitForNewLeader(sentinels, followers, 40_000);
    const newLeader = followers.find((f) => f.port === newLeaderPort)!;
    const otherFollower = followers.find((f) => f !== newLeader)!;
    await waitLinkUpTo(otherFollower, newLeader.port, 30_000);
    expect(await nodeCommand(newLeader, 'SET', 'on-the-new-side', '1')).toBe('OK');
    console.log(
      `[ha] partition: NOREPLICAS ${refusedAfterMs} ms after the cut (max-lag ${MAX_LAG_S} s), ${takenAfterCut.length} writes taken after the cut; new leader by Sentinel`,
    );
    // The window is bounded by max-lag (plus the once-a-second ACK and a margin for a loaded machine).
    expect(refusedAfterMs).toBeLessThan((MAX_LAG_S + 3) * 1000);

    // The cut heals: Sentinel reaches the old leader again and makes it a follower of the new one.
    for (const p of [toLeaderFromB, toLeaderFromC, toLeaderFromSentinels]) p.clear();
    await waitLinkUpTo(leader, newLeader.port, 60_000);
    const expected = await nodeDigest(newLeader);
    await waitFor(async () => (await nodeDigest(leader)) === expected, 20_000, 100);

    // Every acknowledged write survived; what the old leader took after the cut is gone, and only that.
    const beforeValues = await nodeCommand(newLeader, 'MGET', ...acknowledged);
    expect((beforeValues as unknown[]).map(String)).toEqual(acknowledged.map((k) => k.slice('before:'.length)));
    if (takenAfterCut.length > 0) {
      expect(await nodeCommand(leader, 'EXISTS', ...takenAfterCut)).toBe(0);
    }
    expect(String(await nodeCommand(leader, 'GET', 'on-the-new-side'))).toBe('1');
    expect(await nodeCommand(leader, 'SET', 'x', '1')).toEqual(expect.objectContaining({ message: expect.stringMatching(/^READONLY/) }));
  }, 180_000);
});
