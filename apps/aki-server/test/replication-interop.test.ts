// Mixed pairs: a real redis-server 7 following aki, and aki following a real
// redis-server 7 over both snapshot framings ($EOF: diskless, $<len> disk).
// Every data type in its compact and its large encoding, expiry (absolute and
// one that expires on the leader while the follower watches), several
// databases; DEBUG DIGEST and the replication offsets agree both ways; a
// dropped link (CLIENT KILL TYPE master) comes back with +CONTINUE.
// aki-only by nature: skipped against redis-server alone, and when redis-server
// is not installed.
import { describe, expect, it } from 'vitest';
import { RespError, hasBinary, serverUnderTest, sleep, waitFor, type ServerKind } from '@aki/test-utils';
import { writeDataset } from './support/persistence-data.js';
import {
  connectTo,
  dbsize,
  digest,
  EMPTY_DIGEST,
  fillStrings,
  mixedWrites,
  pipelineOk,
  replFixture,
  replInfo,
  startNode,
  syncStats,
  waitConverged,
  waitLinkUp,
  waitReplicasOnline,
  type ReplNode,
} from './support/replication-faults.js';

const haveRedis = hasBinary('redis-server');
const skip = !haveRedis || serverUnderTest() === 'redis';
const why = !haveRedis ? ' (skipped: redis-server is not installed)' : serverUnderTest() === 'redis' ? ' (skipped: needs aki and redis-server)' : '';
const AKI: ServerKind = 'aki';
const fx = replFixture('aki-repl-interop-');

/** Extra keys beyond writeDataset(): encodings at their size limits, and more databases. */
function encodingEdges(tag: string): Array<Array<string | number>> {
  const seq = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));
  return [
    ['SELECT', 0],
    // intset at 512 members (still an intset), 513 (a hashtable), and a mixed set.
    ['SADD', `${tag}:intset512`, ...seq(512, (i) => String(i * 3 - 700))],
    ['SADD', `${tag}:intset513`, ...seq(513, (i) => String(i))],
    ['SADD', `${tag}:intset:mixed`, '1', '2', 'three'],
    // listpack hash/zset at 128 entries, and one entry over.
    ['HSET', `${tag}:hash128`, ...seq(128, (i) => [`f${i}`, String(i)]).flat()],
    ['HSET', `${tag}:hash129`, ...seq(129, (i) => [`f${i}`, String(i)]).flat()],
    ['ZADD', `${tag}:zset128`, ...seq(128, (i) => [String(i * 1.5), `m${i}`]).flat()],
    ['ZADD', `${tag}:zset129`, ...seq(129, (i) => [String(-i), `m${i}`]).flat()],
    // a value just over the 64-byte listpack limit
    ['ZADD', `${tag}:zset:longmember`, '1', 'z'.repeat(65)],
    ['HSET', `${tag}:hash:longvalue`, 'f', 'h'.repeat(65)],
    // lists of integers of every width, and one of many quicklist nodes
    ['RPUSH', `${tag}:list:ints`, '0', '127', '-128', '32767', '-32768', '8388607', '2147483647', '-2147483648', '9223372036854775807', '12.5'],
    ['RPUSH', `${tag}:list:nodes`, ...seq(5000, (i) => `item-${i}-${'q'.repeat(i % 30)}`)],
    ['SET', `${tag}:str:ttl:s`, 'secs', 'EXAT', String(Math.floor(Date.now() / 1000) + 7200)],
    ['SELECT', 7],
    ['SET', `${tag}:db7:int`, '-42'],
    ['ZADD', `${tag}:db7:zset`, '1e300', 'huge', '-1e-300', 'tiny'],
    ['SELECT', 0],
  ];
}

/** Stream traffic across types, rewrites (INCRBYFLOAT, SPOP, EXPIRE...), MULTI and databases. */
function streamWrites(tag: string): Array<Array<string | number>> {
  const cmds: Array<Array<string | number>> = [['SELECT', 0], ...mixedWrites(`${tag}:mix`, 400)];
  cmds.push(['SADD', `${tag}:pop`, 'a', 'b', 'c', 'd', 'e']);
  cmds.push(['SPOP', `${tag}:pop`]);
  cmds.push(['SPOP', `${tag}:pop`, '2']);
  cmds.push(['SET', `${tag}:exp`, 'v']);
  cmds.push(['EXPIRE', `${tag}:exp`, '5000']);
  cmds.push(['HINCRBYFLOAT', `${tag}:mix:hash`, 'fl', '2.5']);
  cmds.push(['MULTI'], ['INCR', `${tag}:tx`], ['RPUSH', `${tag}:txl`, 'x', 'y'], ['EXEC']);
  cmds.push(['SELECT', 5], ['SET', `${tag}:db5`, 'five'], ['RPUSH', `${tag}:db5:l`, '1', '2']);
  cmds.push(['MOVE', `${tag}:db5`, '6']);
  cmds.push(['SELECT', 3], ['SET', `${tag}:db3:src`, 'r'], ['RENAME', `${tag}:db3:src`, `${tag}:db3:renamed`]);
  cmds.push(['SELECT', 9], ['SET', `${tag}:db9`, 'nine'], ['FLUSHDB']);
  cmds.push(['SET', `${tag}:db9:after`, 'x']);
  cmds.push(['SELECT', 0], ['DEL', `${DATASET_TAG}:str:long`]);
  return cmds;
}

const DATASET_TAG = 'ix';

async function loadLeader(leader: ReplNode): Promise<void> {
  await writeDataset(leader.c, DATASET_TAG);
  await pipelineOk(leader.c, encodingEdges(DATASET_TAG));
  await fillStrings(leader.c, `${DATASET_TAG}:bulk`, 400, 700);
}

/** Waits until the follower's processed offset is the leader's master_repl_offset. */
async function waitOffsetsEqual(leader: ReplNode, follower: ReplNode): Promise<void> {
  let last = '';
  await waitFor(
    async () => {
      const [l, f] = [await replInfo(leader.c), await replInfo(follower.c)];
      last = `leader ${l.get('master_repl_offset')} follower ${f.get('slave_repl_offset')}`;
      return l.get('master_repl_offset') === f.get('slave_repl_offset') && l.get('master_repl_offset') === f.get('master_repl_offset');
    },
    10_000,
    50,
  ).catch((e: Error) => {
    throw new Error(`offsets did not meet (${last}): ${e.message}`);
  });
}

/**
 * Everything after the follower was told to follow: the first sync converges,
 * streamed writes converge with equal offsets, a key expiring on the leader is
 * deleted on the follower, and a killed link resumes by partial resync.
 */
async function exercise(leader: ReplNode, follower: ReplNode): Promise<void> {
  await waitLinkUp(follower.c, 20_000);
  await waitReplicasOnline(leader.c, 1);
  const d0 = await waitConverged(leader.c, follower.c);
  expect(d0).not.toBe(EMPTY_DIGEST);
  expect(await dbsize(follower.c)).toBe(await dbsize(leader.c));
  const fi = await replInfo(follower.c);
  expect(fi.get('role')).toBe('slave');
  expect(fi.get('master_replid')).toBe((await replInfo(leader.c)).get('master_replid'));

  // The command stream.
  await pipelineOk(leader.c, streamWrites('s1'));
  await waitConverged(leader.c, follower.c);
  await waitOffsetsEqual(leader, follower);
  // Reads on the follower see the streamed values (not only an equal digest).
  const fc = await connectTo(fx, follower.port);
  expect(await fc.command('GET', 's1:mix:float')).toBe(await leader.c.command('GET', 's1:mix:float'));
  await fc.command('SELECT', 6);
  expect(await fc.command('GET', 's1:db5')).toBe('five');
  // The follower is read-only for clients.
  const ro = await fc.command('SET', 'nope', '1');
  expect(ro instanceof RespError && ro.message).toBe("READONLY You can't write against a read only replica.");

  // Expiry driven by the leader: the follower drops the key when the leader's DEL arrives.
  await pipelineOk(leader.c, [['SELECT', 2], ['SET', 'short', 'lived', 'PX', '150'], ['SET', 'stays', 'x'], ['SELECT', 0]]);
  await sleep(400);
  await waitFor(async () => {
    await leader.c.command('SELECT', 2);
    const n = await dbsize(leader.c);
    await leader.c.command('SELECT', 0);
    return n === 1;
  }, 5000);
  await waitConverged(leader.c, follower.c);
  await follower.c.command('SELECT', 2);
  expect(await follower.c.command('EXISTS', 'short')).toBe(0);
  expect(await dbsize(follower.c), 'the follower holds no expired key (DEL arrived)').toBe(1);
  await follower.c.command('SELECT', 0);

  // Drop the link from the follower's side: it comes back with +CONTINUE.
  const before = await syncStats(leader.c);
  const killed = await follower.c.command('CLIENT', 'KILL', 'TYPE', 'master');
  expect(killed, 'CLIENT KILL TYPE master').toBe(1);
  await pipelineOk(leader.c, streamWrites('s2'));
  await waitLinkUp(follower.c);
  await waitFor(async () => (await syncStats(leader.c)).partialOk === before.partialOk + 1, 10_000);
  const after = await syncStats(leader.c);
  expect(after.full, 'no full sync after the link drop').toBe(before.full);
  expect(after.partialOk).toBe(before.partialOk + 1);
  await waitConverged(leader.c, follower.c);

  // And writes keep flowing.
  await pipelineOk(leader.c, streamWrites('s3'));
  await fillStrings(leader.c, 's3:bulk', 200, 300);
  const d = await waitConverged(leader.c, follower.c);
  await waitOffsetsEqual(leader, follower);
  expect(d).not.toBe(d0);
  expect((await syncStats(leader.c)).full, 'still no second full sync').toBe(before.full);
}

describe.skipIf(skip)(`mixed pairs${why}`, () => {
  it('redis-server 7 follows aki', { timeout: 60_000 }, async () => {
    const leader = await startNode(fx, { kind: AKI });
    await loadLeader(leader);
    const follower = await startNode(fx, { kind: 'redis', args: ['--replicaof', '127.0.0.1', String(leader.port)] });
    await exercise(leader, follower);
    expect(follower.server.logs()).toMatch(/MASTER <-> REPLICA sync: Finished with success/);
    expect(follower.server.logs()).toMatch(/Successful partial resynchronization with master/);
  });

  for (const diskless of ['yes', 'no'] as const) {
    const framing = diskless === 'yes' ? '$EOF: payload' : '$<len> payload';
    it(`aki follows redis-server 7 (repl-diskless-sync ${diskless}: ${framing})`, { timeout: 60_000 }, async () => {
      const leader = await startNode(fx, { kind: 'redis', args: ['--repl-diskless-sync', diskless] });
      await loadLeader(leader);
      const follower = await startNode(fx, { kind: AKI, args: ['--replicaof', '127.0.0.1', String(leader.port)] });
      await exercise(leader, follower);
      // The leader really used the framing this case is about.
      expect(leader.server.logs()).toMatch(diskless === 'yes' ? /BGSAVE for SYNC with target: replicas sockets/ : /BGSAVE for SYNC with target: disk/);
    });
  }

  it('chain: redis-server follows aki which follows redis-server, same offsets everywhere', { timeout: 60_000 }, async () => {
    const top = await startNode(fx, { kind: 'redis' });
    await loadLeader(top);
    const middle = await startNode(fx, { kind: AKI, args: ['--replicaof', '127.0.0.1', String(top.port)] });
    await waitLinkUp(middle.c, 20_000);
    const bottom = await startNode(fx, { kind: 'redis', args: ['--replicaof', '127.0.0.1', String(middle.port)] });
    await waitLinkUp(bottom.c, 20_000);
    await pipelineOk(top.c, streamWrites('c1'));
    const d = await waitConverged(top.c, bottom.c);
    expect(await digest(middle.c)).toBe(d);
    await waitFor(async () => {
      const offs = await Promise.all([top, middle, bottom].map(async (n) => (await replInfo(n.c)).get('master_repl_offset')));
      return offs[0] === offs[1] && offs[1] === offs[2];
    }, 10_000);
  });
});
