// Leader loss and bad REPLICAOF targets, black-box: a leader SIGKILLed under
// load loses no write that WAIT reported replicated once its follower is
// promoted; a follower whose leader came back empty with a new history keeps
// its data and says why (aki's guard; Redis would wipe itself); pointing a
// node at a port nobody listens on, or at itself, never drops its data.
import { rmSync, mkdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RawConnection, RespError, decodeReply, encodePipeline, freePort, serverUnderTest, sleep, waitFor } from '@aki/test-utils';
import { writeDataset } from './support/persistence-data.js';
import {
  dbsize,
  digest,
  fillStrings,
  replFixture,
  replInfo,
  replicaOf,
  startNode,
  waitConverged,
  waitLinkUp,
  waitReplicasOnline,
} from './support/replication-faults.js';

const fx = replFixture('aki-repl-failover-');
const against = serverUnderTest();

/** One writer: SET a unique key, then WAIT 1 <timeout>; returns the keys whose WAIT said 1. */
async function waitedWriter(port: number, prefix: string, stop: { now: boolean }, waitMs: number): Promise<{ confirmed: Map<string, string>; sent: number }> {
  const confirmed = new Map<string, string>();
  let sent = 0;
  const c = await RawConnection.open(port);
  try {
    for (let j = 0; !stop.now; j++) {
      const key = `${prefix}:${j}`;
      const value = `${prefix}-value-${j}-${'x'.repeat(j % 50)}`;
      c.write(encodePipeline([['SET', key, value], ['WAIT', 1, waitMs]]));
      sent++;
      let raw: Buffer;
      try {
        raw = await c.readReplies(2, waitMs + 5000);
      } catch {
        break; // the leader is gone with this one in flight
      }
      const set = decodeReply(raw)!;
      const wait = decodeReply(raw, set.length)!;
      if (set.value instanceof RespError) throw new Error(`SET ${key} -> ${set.value.message}`);
      if (wait.value instanceof RespError) throw new Error(`WAIT -> ${wait.value.message}`);
      if (wait.value === 1) confirmed.set(key, value);
    }
  } finally {
    c.close();
  }
  return { confirmed, sent };
}

describe('failover', () => {
  it('kill -9 of the leader under load: every write WAIT confirmed is on the promoted follower', { timeout: 60_000 }, async () => {
    const leader = await startNode(fx);
    const follower = await startNode(fx);
    await fillStrings(leader.c, 'pre', 200, 100);
    expect(await replicaOf(follower.c, leader.port)).toBe('OK');
    await waitLinkUp(follower.c);
    await waitConverged(leader.c, follower.c);

    const stop = { now: false };
    const writers = Array.from({ length: 6 }, (_, i) => waitedWriter(leader.port, `w${i}`, stop, 2000));
    await sleep(1500);
    process.kill(leader.server.pid, 'SIGKILL');
    await leader.server.exited;
    stop.now = true;
    const results = await Promise.all(writers);
    const confirmed = new Map<string, string>();
    for (const r of results) for (const [k, v] of r.confirmed) confirmed.set(k, v);
    expect(confirmed.size, 'too few WAIT-confirmed writes to mean anything').toBeGreaterThan(100);

    expect(await replicaOf(follower.c)).toBe('OK');
    expect((await replInfo(follower.c)).get('role')).toBe('master');
    const keys = [...confirmed.keys()];
    const missing: string[] = [];
    for (let i = 0; i < keys.length; i += 500) {
      const chunk = keys.slice(i, i + 500);
      const values = (await follower.c.command('MGET', ...chunk)) as Array<string | null>;
      chunk.forEach((k, j) => {
        if (values[j] !== confirmed.get(k)) missing.push(`${k}=${JSON.stringify(values[j])}`);
      });
    }
    expect(missing, `WAIT-confirmed writes missing on the promoted follower (of ${confirmed.size})`).toEqual([]);
    // The promoted node takes writes.
    expect(await follower.c.command('SET', 'after-promotion', '1')).toBe('OK');
  });

  it.skipIf(against === 'redis')(
    'leader restarted empty with a new history: the follower refuses to wipe itself and says why',
    { timeout: 60_000 },
    async () => {
      const leaderDir = fx.tmpDir();
      const leaderArgs = ['--appendonly', 'yes', '--appendfsync', 'always'];
      const leader = await startNode(fx, { dir: leaderDir, args: leaderArgs });
      const follower = await startNode(fx);
      await writeDataset(leader.c, 'kept');
      await fillStrings(leader.c, 'kept:bulk', 300, 200);
      expect(await replicaOf(follower.c, leader.port)).toBe('OK');
      await waitLinkUp(follower.c);
      const d = await waitConverged(leader.c, follower.c);
      const n = await dbsize(follower.c);
      expect(n).toBeGreaterThan(300);

      // The leader's disk is lost: kill it, wipe its directory, start it again on the same port.
      const port = leader.port;
      const oldReplid = (await replInfo(leader.c)).get('master_replid');
      process.kill(leader.server.pid, 'SIGKILL');
      await leader.server.exited;
      rmSync(leaderDir, { recursive: true, force: true });
      mkdirSync(leaderDir);
      const reborn = await startNode(fx, { dir: leaderDir, args: leaderArgs, port });
      expect(await dbsize(reborn.c), 'the restarted leader is empty').toBe(0);
      expect((await replInfo(reborn.c)).get('master_replid'), 'the restarted leader has a new history').not.toBe(oldReplid);

      // The follower reconnects, is offered an empty dataset under an unknown history, and refuses.
      await follower.server.waitForLog(/^.*(refus.*empty|empty.*refus).*$/im, 15_000);
      const line = /^.*(refus.*empty|empty.*refus).*$/im.exec(follower.server.logs())![0];
      // Keep refusing: a few more seconds of retries do not wipe anything either.
      const until = Date.now() + 3000;
      while (Date.now() < until) {
        expect(await dbsize(follower.c), `follower DBSIZE after "${line}"`).toBe(n);
        await sleep(200);
      }
      expect(await digest(follower.c)).toBe(d);
      const i = await replInfo(follower.c);
      expect(i.get('role')).toBe('slave');
      expect(i.get('master_link_status'), 'a refused sync leaves the link down').not.toBe('up');
      expect(await dbsize(reborn.c), 'the follower did not push anything back').toBe(0);
    },
  );

  it('REPLICAOF an unreachable port, then itself: the data stays intact', { timeout: 60_000 }, async () => {
    const node = await startNode(fx);
    await writeDataset(node.c, 'mine');
    const n = await dbsize(node.c);
    const d = await digest(node.c);
    expect(n).toBeGreaterThan(0);

    const holdsFor = async (ms: number, what: string) => {
      const until = Date.now() + ms;
      while (Date.now() < until) {
        expect(await dbsize(node.c), what).toBe(n);
        await sleep(200);
      }
      expect(await digest(node.c), what).toBe(d);
      // Stale reads are served (replica-serve-stale-data yes).
      expect(await node.c.command('GET', 'mine:str:raw'), what).toBe('hello world');
    };

    const nobody = await freePort();
    expect(await replicaOf(node.c, nobody)).toBe('OK');
    await holdsFor(3000, `REPLICAOF 127.0.0.1 ${nobody} (nothing listens)`);
    const i = await replInfo(node.c);
    expect(i.get('role')).toBe('slave');
    expect(i.get('master_link_status')).toBe('down');

    // Itself: an error reply is as good as +OK, as long as nothing is flushed.
    const self = await node.c.command('REPLICAOF', '127.0.0.1', node.port);
    expect(self instanceof RespError || self === 'OK', `REPLICAOF self -> ${String(self)}`).toBe(true);
    await holdsFor(3000, 'REPLICAOF itself');
    expect((await replInfo(node.c)).get('master_link_status')).not.toBe('up');

    expect(await replicaOf(node.c)).toBe('OK');
    expect(await digest(node.c)).toBe(d);
    expect(await node.c.command('SET', 'writable-again', '1')).toBe('OK');
  });
});

describe('promotion', () => {
  it('the promoted follower accepts a new follower and it converges', { timeout: 60_000 }, async () => {
    const leader = await startNode(fx);
    const follower = await startNode(fx);
    await writeDataset(leader.c, 'p');
    expect(await replicaOf(follower.c, leader.port)).toBe('OK');
    await waitLinkUp(follower.c);
    await waitConverged(leader.c, follower.c);
    process.kill(leader.server.pid, 'SIGKILL');
    await leader.server.exited;
    expect(await replicaOf(follower.c)).toBe('OK');
    await fillStrings(follower.c, 'after', 100, 50);
    const third = await startNode(fx);
    expect(await replicaOf(third.c, follower.port)).toBe('OK');
    await waitLinkUp(third.c);
    await waitReplicasOnline(follower.c, 1);
    const d = await waitConverged(follower.c, third.c);
    expect(d).not.toBe('0'.repeat(40));
    await waitFor(async () => (await dbsize(third.c)) === (await dbsize(follower.c)), 5000);
  });
});
