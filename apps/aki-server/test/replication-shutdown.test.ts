// A leader's shutdown with a follower that lags: the leader waits (up to
// shutdown-timeout) until the follower acknowledged every write, so nothing it
// had accepted is lost with its output buffers. Checked against redis-server 7
// too (AKI_TEST_AGAINST_REDIS=1), which has the same rule.
import { describe, expect, it } from 'vitest';
import { waitFor } from '@aki/test-utils';
import {
  dbsize,
  fillStrings,
  replFixture,
  replicaOf,
  startFaultProxy,
  startNode,
  waitLinkUp,
  waitReplicasOnline,
} from './support/replication-faults.js';

const fx = replFixture('aki-repl-shutdown-');

describe('shutdown with a lagging follower', () => {
  it('waits until the follower has every write, then exits', { timeout: 60_000 }, async () => {
    const leader = await startNode(fx, { args: ['--save', '', '--appendonly', 'no', '--shutdown-timeout', '20'] });
    const follower = await startNode(fx, { args: ['--save', '', '--appendonly', 'no'] });
    const proxy = await startFaultProxy({ targetPort: leader.port });
    fx.closables.push(proxy);
    await replicaOf(follower.c, proxy.port);
    await waitLinkUp(follower.c);
    await waitReplicasOnline(leader.c, 1);
    // 400 KB of writes through a 100 KB/s link: most of it is still queued at the leader when it shuts down.
    proxy.setBandwidth(100_000, { direction: 'downstream' });
    const keys = 400;
    await fillStrings(leader.c, 'k', keys, 1000);
    const started = Date.now();
    expect(await leader.server.stop('SIGTERM')).toBe(0);
    // Without the wait the leader would have exited at once and its queued writes would be gone.
    expect(Date.now() - started).toBeGreaterThan(1000);
    proxy.clear();
    await waitFor(async () => (await dbsize(follower.c)) === keys, 20_000);
  });
});
