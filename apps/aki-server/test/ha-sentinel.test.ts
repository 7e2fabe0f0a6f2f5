// High availability under stock Redis Sentinel (issue 6): three nodes, three
// real redis-sentinel processes on loopback, an ioredis client that finds the
// leader through Sentinel and writes continuously. Covers an unplanned
// failover (kill -9 of the leader) and a planned one (SENTINEL FAILOVER).
//
// Runs against aki by default and against redis-server nodes with
// AKI_TEST_AGAINST_REDIS=1 (the unplanned failover asks only for what Redis
// does; the planned one asks for more). Skipped when redis-sentinel is not
// installed.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hasSentinel, serverUnderTest, waitFor } from '@aki/test-utils';
import { replFixture } from './support/replication-faults.js';
import {
  askSentinel,
  missingAcknowledged,
  nodeCommand,
  nodeDigest,
  roleOf,
  SENTINEL_TIMINGS,
  SentinelWriter,
  startGroupNode,
  startSentinelGroup,
  waitForNewLeader,
  waitLinkUpTo,
  type GroupNode,
  type SentinelGroup,
} from './support/sentinel-group.js';

const fx = replFixture('aki-ha-');
const why = hasSentinel() ? '' : ' (skipped: redis-sentinel is not installed)';

function nodeOn(group: SentinelGroup, port: number): GroupNode {
  const node = group.nodes.find((n) => n.port === port);
  if (node === undefined) throw new Error(`no node on port ${port}`);
  return node;
}

/** After a failover to `leader`: the remaining follower follows it and every node holds the same data. */
async function expectGroupConverged(group: SentinelGroup, leader: GroupNode, others: GroupNode[]): Promise<void> {
  for (const n of others) await waitLinkUpTo(n, leader.port, 60_000);
  const expected = await nodeDigest(leader);
  for (const n of others) await waitFor(async () => (await nodeDigest(n)) === expected, 20_000, 100);
}

describe.skipIf(!hasSentinel())(`automatic failover under stock Redis Sentinel${why}`, () => {
  it('kill -9 of the leader: a follower takes over, the client follows, WAIT-acknowledged writes survive, the old leader rejoins', async () => {
    // replica-priority 0: Sentinel must never promote nodes[2].
    const group = await startSentinelGroup(fx, [[], ['replica-priority 0']]);
    const [oldLeader, ...followers] = group.nodes as [GroupNode, GroupNode, GroupNode];
    const writer = new SentinelWriter(group.sentinels);
    fx.clients.push({ disconnect: () => void writer.stop() });
    writer.start();
    await waitFor(() => writer.acknowledged.size >= 300, 20_000, 20);

    const killedAt = Date.now();
    await oldLeader.server.kill();
    const newLeaderPort = await waitForNewLeader(group.sentinels, followers, SENTINEL_TIMINGS.downAfterMs + SENTINEL_TIMINGS.failoverTimeoutMs * 3);
    const newLeader = nodeOn(group, newLeaderPort);
    expect(newLeader).toBe(followers[0]);
    expect(await roleOf(newLeader)).toBe('master');

    // The client reconnected through Sentinel and keeps writing, acknowledged by the other follower.
    await waitFor(() => writer.acknowledgedAfter(killedAt) >= 200, 60_000, 50).catch(async (e) => {
      const state = await Promise.all(followers.map(async (f) => `${f.port}: ${String(await nodeCommand(f, 'INFO', 'replication')).replace(/\r\n/g, ' ')}`));
      throw new Error(
        `${(e as Error).message}; writer: ${writer.oks.filter((ok) => ok.at > killedAt).length} OK after the kill, ${writer.errors} errors (last: ${writer.lastError}), ${writer.restarts} client restarts\n${state.join('\n')}`,
      );
    });
    const firstWrite = writer.firstOkOn(newLeader.port, killedAt)!;
    console.log(
      `[ha] kill -9 -> first write on the new leader: ${firstWrite - killedAt} ms (down-after ${SENTINEL_TIMINGS.downAfterMs} ms, failover-timeout ${SENTINEL_TIMINGS.failoverTimeoutMs} ms, quorum ${SENTINEL_TIMINGS.quorum}); ${writer.restarts} client restarts`,
    );
    await writer.stop();

    const otherFollower = followers.find((f) => f !== newLeader)!;
    await expectGroupConverged(group, newLeader, [otherFollower]);
    expect(await missingAcknowledged(newLeader, writer.acknowledged)).toEqual([]);

    // Sentinel's CONFIG REWRITE recorded the new roles in the operators' files.
    await waitFor(() => !/^replicaof /m.test(readFileSync(newLeader.configFile, 'latin1')), 10_000, 100);
    await waitFor(() => readFileSync(otherFollower.configFile, 'latin1').includes(`replicaof 127.0.0.1 ${newLeader.port}`), 10_000, 100);

    // The old leader comes back from its files as a leader; Sentinel turns it into a follower of the new one.
    const restarted = await startGroupNode(fx, { port: oldLeader.port, dir: oldLeader.dir });
    group.nodes[0] = restarted;
    await waitLinkUpTo(restarted, newLeader.port, 60_000);
    await expectGroupConverged(group, newLeader, [restarted, otherFollower]);
    expect(await missingAcknowledged(restarted, writer.acknowledged)).toEqual([]);
    await waitFor(() => readFileSync(restarted.configFile, 'latin1').includes(`replicaof 127.0.0.1 ${newLeader.port}`), 10_000, 100);
  }, 180_000);

  // aki only: stock Sentinel promotes with REPLICAOF NO ONE while the old leader still takes
  // writes, and its other follower still acknowledges them (WAIT 1) until Sentinel repoints it.
  // Redis nodes lose those writes (about a second's worth: over 3,000 here); aki nodes with
  // promotion-handover yes hand the old leader's role over first and lose none.
  it.skipIf(serverUnderTest() === 'redis')('SENTINEL FAILOVER (a planned switchover) under continuous writes loses no acknowledged write', async () => {
    const group = await startSentinelGroup(fx);
    const [oldLeader] = group.nodes as [GroupNode, GroupNode, GroupNode];
    const writer = new SentinelWriter(group.sentinels);
    fx.clients.push({ disconnect: () => void writer.stop() });
    writer.start();
    await waitFor(() => writer.acknowledged.size >= 300, 20_000, 20);

    const startedAt = Date.now();
    // Sentinel refuses while its view of the replicas is not fresh enough ("NOGOODSLAVE"): retry.
    await waitFor(async () => String(await askSentinel(group.sentinels[0]!, 'SENTINEL', 'FAILOVER', 'mymaster')) === 'OK', 30_000, 500);
    const newLeaderPort = await waitForNewLeader(group.sentinels, group.nodes.slice(1), SENTINEL_TIMINGS.failoverTimeoutMs * 3);
    const newLeader = nodeOn(group, newLeaderPort);
    await waitFor(() => writer.acknowledgedAfter(startedAt) >= 200, 60_000, 50);

    // The old leader is turned into a follower of the new one.
    await waitLinkUpTo(oldLeader, newLeader.port, 60_000);
    await writer.stop();
    const firstWrite = writer.firstOkOn(newLeader.port, startedAt)!;
    console.log(
      `[ha] SENTINEL FAILOVER -> first write on the new leader: ${firstWrite - startedAt} ms; longest write gap ${writer.longestGapAfter(startedAt)} ms; ${writer.errors} failed attempts (last: ${writer.lastError}); ${writer.restarts} client restarts`,
    );

    const others = group.nodes.filter((n) => n !== newLeader);
    await expectGroupConverged(group, newLeader, others);
    const missing = await missingAcknowledged(newLeader, writer.acknowledged);
    expect(missing).toEqual([]);

    // Sentinel's CONFIG REWRITE on the promoted node already records it as a leader,
    // and the follower it repointed names the new leader.
    expect(readFileSync(newLeader.configFile, 'latin1')).not.toMatch(/^replicaof /m);
    const repointed = others.find((n) => n !== oldLeader)!;
    await waitFor(() => readFileSync(repointed.configFile, 'latin1').includes(`replicaof 127.0.0.1 ${newLeader.port}`), 10_000, 100);
  }, 180_000);
});
