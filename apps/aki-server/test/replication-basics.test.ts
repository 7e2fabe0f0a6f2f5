// Replication between one leader and one follower, and the exact bytes of
// the protocol seen from each side: a fake leader records what a follower
// sends during the handshake and feeds it a payload and a stream; a fake
// replica performs the replica side against a leader (FULLRESYNC, CONTINUE,
// the stream, GETACK/ACK). Also INFO replication / ROLE, REPLICAOF replies,
// the read-only and stale-data gates, WAIT, min-replicas-to-write, counters,
// promotion, and expiry on a follower.
// Every test that describes Redis behaviour passes against redis-server 7.0.15
// pairs (AKI_TEST_AGAINST_REDIS=1); aki-only behaviour is skipped there.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { RespError, freePort, serverUnderTest, sleep, waitFor, type RawConnection } from '@aki/test-utils';
import {
  GETACK,
  ID_A,
  ID_B,
  RDB_FOO,
  cmd,
  digest,
  errorOf,
  info,
  infoPairs,
  ok,
  parseSlaveLine,
  pipeline,
  replField,
  replicaOf,
  replicationFixture,
  startPair,
  syncStats,
  waitConverged,
  waitLinkDown,
  waitLinkUp,
  waitOnlineReplicas,
  type FakeLeader,
  type LeaderSidePeer,
  type Node,
} from './support/replication.js';

const fx = replicationFixture('aki-repl-basics-');
const onRedis = serverUnderTest() === 'redis';

const HEX40 = /^[0-9a-f]{40}$/;
const ZEROS = '0'.repeat(40);
const READONLY = "READONLY You can't write against a read only replica.";
const MASTERDOWN = "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.";
const NOREPLICAS = 'NOREPLICAS Not enough good replicas to write.';
const EXECABORT = 'EXECABORT Transaction discarded because of previous errors.';
const WAIT_ON_REPLICA =
  'ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a replica is configured to be writable (which is not the default) writes to replicas are just local and are not propagated.';
/** A leader that sends no keepalive PING during a test (offsets stay put unless we write). */
const QUIET_LEADER = ['--repl-ping-replica-period', '3600'];

const roleBytes = async (c: RawConnection) => (await c.call('ROLE')).toString('latin1');

// ---------------------------------------------------------------------------
// The follower side, as a fake leader sees it

const PING = cmd('PING');
const CAPA = cmd('REPLCONF', 'capa', 'eof', 'capa', 'psync2');
const PSYNC_FRESH = cmd('PSYNC', '?', '-1');

/** Expects PING, answers +PONG, expects listening-port + capa (exact bytes), answers +OK twice. */
async function plainHandshake(peer: LeaderSidePeer, followerPort: number): Promise<void> {
  expect(await peer.take(PING.length)).toBe(PING);
  peer.write('+PONG\r\n');
  const rest = cmd('REPLCONF', 'listening-port', followerPort) + CAPA;
  expect(await peer.take(rest.length)).toBe(rest);
  peer.write('+OK\r\n+OK\r\n');
}

/** Every command the follower sent since the last call must be a REPLCONF ACK (a follower never replies to the stream). */
function expectOnlyAcks(peer: LeaderSidePeer): number[] {
  const acks: number[] = [];
  for (const c of peer.drainCommands()) {
    expect(c.argv.slice(0, 2).map((a) => a.toUpperCase()), `follower sent ${JSON.stringify(c.argv)}`).toEqual(['REPLCONF', 'ACK']);
    acks.push(Number(c.argv[2]));
  }
  return acks;
}

/**
 * A follower started with --replicaof the fake leader, taken through the
 * handshake and a full sync (RDB_FOO, then `stream`). Returns once the
 * follower has applied the whole stream, with the exact PSYNC bytes it sent.
 */
async function followerOfFake(stream: string[]): Promise<{ f: Node; peer: LeaderSidePeer; fl: FakeLeader; offset: number; psync: string }> {
  const fl = await fx.fakeLeader();
  const f = await fx.start({ args: ['--replicaof', `127.0.0.1 ${fl.port}`] });
  const peer = await fl.accept();
  await plainHandshake(peer, f.port);
  const psync = await peer.readCommand();
  expect(psync.argv[0]).toBe('PSYNC');
  peer.write(`+FULLRESYNC ${ID_A} 0\r\n`);
  peer.write('\n'); // a keepalive while the "snapshot" is prepared: not part of any offset
  peer.write(`$${RDB_FOO.length}\r\n`);
  peer.write(RDB_FOO);
  const bytes = stream.join('');
  peer.write(bytes);
  await waitFor(async () => (await replField(f.c, 'slave_repl_offset')) === String(bytes.length), 10_000);
  return { f, peer, fl, offset: bytes.length, psync: psync.raw.toString('latin1') };
}

describe('the follower handshake and sync, as a fake leader sees them', () => {
  it('--replicaof at start: PING, REPLCONF listening-port <port>, REPLCONF capa eof capa psync2, PSYNC ? -1; loads the $<len> RDB and applies the stream without replying', async () => {
    const stream = [
      cmd('SELECT', 0),
      cmd('SET', 'k', 'v'),
      cmd('ping'),
      cmd('INCR', 'n'),
      cmd('GET', 'foo'), // a read: its reply must not reach the leader
      cmd('SELECT', 2),
      cmd('RPUSH', 'l', 'a', 'b'),
    ];
    const { f, peer, offset, psync } = await followerOfFake(stream);
    expect(psync).toBe(PSYNC_FRESH); // no cached master: a node started as a replica knows no history
    const i = await info(f.c);
    expect(i.get('role')).toBe('slave');
    expect(i.get('master_link_status')).toBe('up');
    expect(i.get('master_replid')).toBe(ID_A);
    expect(i.get('master_repl_offset')).toBe(String(offset));
    expect(await f.c.command('GET', 'foo')).toBe('bar'); // from the RDB
    expect(await f.c.command('GET', 'k')).toBe('v');
    expect(await f.c.command('GET', 'n')).toBe('1');
    await ok(f.c, 'SELECT', 2);
    expect(await f.c.command('LRANGE', 'l', 0, -1)).toEqual(['a', 'b']);
    await ok(f.c, 'SELECT', 0);

    // GETACK in the stream: the answer is REPLCONF ACK <offset before the GETACK>.
    expectOnlyAcks(peer);
    peer.write(GETACK);
    const ack = await peer.readCommand(900); // sooner than the 1 s periodic ACK
    expect(ack.argv).toEqual(['REPLCONF', 'ACK', String(offset)]);
    await waitFor(async () => (await replField(f.c, 'slave_repl_offset')) === String(offset + GETACK.length));
    // The next periodic ACK covers the GETACK too (and still nothing but ACKs arrives).
    const later: string[][] = [];
    await waitFor(() => {
      later.push(...peer.drainCommands().map((c) => c.argv));
      return later.some((a) => a[2] === String(offset + GETACK.length));
    }, 3000);
    for (const a of later) expect(a.slice(0, 2), JSON.stringify(a)).toEqual(['REPLCONF', 'ACK']);
    expect(peer.isClosed()).toBe(false);
  });

  it('after the link drops it asks PSYNC <replid> <offset+1>; +CONTINUE <new id> keeps the data and shifts the ids', async () => {
    const { f, peer, fl, offset } = await followerOfFake([cmd('SELECT', 0), cmd('SET', 'k', 'v')]);
    peer.close();
    const peer2 = await fl.accept(5000);
    await plainHandshake(peer2, f.port);
    const psync = cmd('PSYNC', ID_A, offset + 1);
    expect(await peer2.take(psync.length)).toBe(psync);
    peer2.write(`+CONTINUE ${ID_B}\r\n`);
    const more = cmd('SET', 'k2', 'v2');
    peer2.write(more); // no SELECT: a partial resync keeps the selected db
    await waitFor(async () => (await replField(f.c, 'slave_repl_offset')) === String(offset + more.length), 5000);
    const i = await info(f.c);
    expect(i.get('master_link_status')).toBe('up');
    expect(i.get('master_replid')).toBe(ID_B);
    expect(i.get('master_replid2')).toBe(ID_A);
    expect(i.get('second_repl_offset')).toBe(String(offset + 1));
    expect(await f.c.command('MGET', 'foo', 'k', 'k2')).toEqual(['bar', 'v', 'v2']);
    expectOnlyAcks(peer2);
  });

  it('REPLICAOF at run time on a master: -NOAUTH to PING is fine, AUTH <masteruser> <masterauth>, announced ip/port, then PSYNC <own replid> <own offset+1>', async () => {
    const fl = await fx.fakeLeader();
    const f = await fx.start({
      args: ['--masteruser', 'repl', '--masterauth', 'rpass', '--replica-announce-ip', '10.1.2.3', '--replica-announce-port', '7777'],
    });
    const own = await info(f.c);
    expect(own.get('master_repl_offset')).toBe('0');
    expect(await f.c.call('REPLICAOF', '127.0.0.1', fl.port)).toEqual(Buffer.from('+OK\r\n'));
    const peer = await fl.accept();
    expect(await peer.take(PING.length)).toBe(PING);
    peer.write('-NOAUTH Authentication required.\r\n');
    const rest =
      cmd('AUTH', 'repl', 'rpass') + cmd('REPLCONF', 'listening-port', 7777) + cmd('REPLCONF', 'ip-address', '10.1.2.3') + CAPA;
    expect(await peer.take(rest.length)).toBe(rest);
    peer.write('+OK\r\n+OK\r\n+OK\r\n+OK\r\n');
    // A demoted master uses itself as the cached master: its own history, offset 0 + 1.
    const psync = cmd('PSYNC', own.get('master_replid')!, 1);
    expect(await peer.take(psync.length)).toBe(psync);
  });

  it('masterauth alone: AUTH <masterauth>', async () => {
    const fl = await fx.fakeLeader();
    const f = await fx.start({ args: ['--masterauth', 's3cret'] });
    await replicaOf(f, fl);
    const peer = await fl.accept();
    expect(await peer.take(PING.length)).toBe(PING);
    peer.write('+PONG\r\n');
    const rest = cmd('AUTH', 's3cret') + cmd('REPLCONF', 'listening-port', f.port) + CAPA;
    expect(await peer.take(rest.length)).toBe(rest);
  });

  it('an $EOF:<mark> payload: the follower loads it and ACKs, and the stream after it applies', async () => {
    const fl = await fx.fakeLeader();
    const f = await fx.start({ args: ['--replicaof', `127.0.0.1 ${fl.port}`] });
    const peer = await fl.accept();
    await plainHandshake(peer, f.port);
    expect((await peer.readCommand()).argv[0]).toBe('PSYNC');
    const mark = randomBytes(20).toString('hex');
    peer.write(`+FULLRESYNC ${ID_B} 100\r\n$EOF:${mark}\r\n`);
    peer.write(RDB_FOO.subarray(0, 10));
    await sleep(50); // the mark is found across reads
    peer.write(Buffer.concat([RDB_FOO.subarray(10), Buffer.from(mark, 'latin1')]));
    // Nothing may follow the mark before the follower acknowledged the load.
    const first = await peer.readCommand(3000);
    expect(first.argv.slice(0, 2)).toEqual(['REPLCONF', 'ACK']);
    expect(first.argv[2]).toBe('100');
    const stream = cmd('SELECT', 0) + cmd('SET', 'k', 'v');
    peer.write(stream);
    await waitFor(async () => (await replField(f.c, 'slave_repl_offset')) === String(100 + stream.length), 5000);
    expect(await f.c.command('MGET', 'foo', 'k')).toEqual(['bar', 'v']);
    expect(await replField(f.c, 'master_replid')).toBe(ID_B);
  });
});

// ---------------------------------------------------------------------------
// The leader side, as a fake replica sees it

describe('the leader, as a fake replica sees it', () => {
  it('PSYNC ? -1: +FULLRESYNC <40 hex> 0, a $<len> RDB beginning REDIS00, then the stream (SELECT first), counted byte for byte in master_repl_offset', async () => {
    const leader = await fx.start({ args: QUIET_LEADER });
    await ok(leader.c, 'SET', 'pre', 'written-before-any-replica');
    // Writes before the first replica attached are not part of any stream.
    expect(await replField(leader.c, 'master_repl_offset')).toBe('0');
    const r = await fx.fakeReplica(leader.port);
    await r.handshake(12345);
    const full = await r.psync('?', -1);
    if (full.kind !== 'full') throw new Error(`expected FULLRESYNC, got ${JSON.stringify(full)}`);
    expect(full.replid).toMatch(HEX40);
    expect(full.offset).toBe(0);
    expect(full.rdb.toString('latin1', 0, 7)).toBe('REDIS00');
    expect(full.rdb.includes('written-before-any-replica')).toBe(true);
    expect(await replField(leader.c, 'master_replid')).toBe(full.replid);

    const w = await fx.connect(leader);
    await ok(w, 'SET', 'k', 'v');
    expect((await r.readNonPing()).argv).toEqual(['SELECT', '0']);
    expect((await r.readNonPing()).argv).toEqual(['SET', 'k', 'v']);
    await ok(w, 'DEL', 'no-such-key'); // changed nothing: propagates nothing
    await ok(w, 'SELECT', 5);
    await ok(w, 'SET', 'a', 'b');
    expect((await r.readNonPing()).argv).toEqual(['SELECT', '5']);
    expect((await r.readNonPing()).argv).toEqual(['SET', 'a', 'b']);
    const before = Date.now();
    await ok(w, 'EXPIRE', 'a', 100);
    const exp = (await r.readNonPing()).argv;
    expect(exp.slice(0, 2)).toEqual(['PEXPIREAT', 'a']);
    expect(Number(exp[2])).toBeGreaterThanOrEqual(before + 100_000 - 50);
    expect(Number(exp[2])).toBeLessThanOrEqual(Date.now() + 100_000 + 50);

    // Offsets count exactly the stream bytes.
    const off = Number(await replField(leader.c, 'master_repl_offset'));
    await r.readStreamUntil(off - full.offset);
    expect(off).toBe(full.offset + r.streamBytes.length);

    r.ack(off);
    await waitFor(async () => {
      const s = (await info(leader.c)).get('slave0');
      return s !== undefined && new RegExp(`^ip=127\\.0\\.0\\.1,port=12345,state=online,offset=${off},lag=[01]$`).test(s);
    }, 5000);
  });

  it('PSYNC <replid> <offset+1>: +CONTINUE <replid> and exactly the backlog bytes from there; without capa psync2 just +CONTINUE', async () => {
    const leader = await fx.start({ args: QUIET_LEADER });
    const r1 = await fx.fakeReplica(leader.port);
    await r1.handshake(12345);
    const full = await r1.psync('?', -1);
    if (full.kind !== 'full') throw new Error(`expected FULLRESYNC, got ${JSON.stringify(full)}`);
    const w = await fx.connect(leader);
    await ok(w, 'SET', 'a', '1');
    const o1 = Number(await replField(leader.c, 'master_repl_offset'));
    await r1.readStreamUntil(o1 - full.offset);
    await pipeline(w, [['SET', 'b', '2'], ['SELECT', 3], ['SET', 'c', '3'], ['RPUSH', 'l', 'x', 'y']]);
    const o2 = Number(await replField(leader.c, 'master_repl_offset'));
    await r1.readStreamUntil(o2 - full.offset);
    const missed = r1.streamBytes.subarray(o1 - full.offset, o2 - full.offset);

    const r2 = await fx.fakeReplica(leader.port);
    await r2.handshake(12346);
    const cont = await r2.psync(full.replid, o1 + 1);
    expect(cont).toEqual({ kind: 'continue', replid: full.replid });
    const got = await r2.conn.readUntil(o2 - o1);
    expect(got.toString('latin1')).toBe(missed.toString('latin1'));

    const r3 = await fx.fakeReplica(leader.port);
    await r3.handshake(12347, []);
    expect(await r3.psync(full.replid, o2 + 1)).toEqual({ kind: 'continue', replid: undefined });

    const s = await syncStats(leader.c);
    expect(s).toEqual({ full: 1, partialOk: 2, partialErr: 0 });
    await waitOnlineReplicas(leader, 3);
  });

  it('PSYNC with an unknown replid or an offset past the end gets +FULLRESYNC; INFO stats counts sync_full, sync_partial_ok, sync_partial_err', async () => {
    const leader = await fx.start({ args: QUIET_LEADER });
    expect(await syncStats(leader.c)).toEqual({ full: 0, partialOk: 0, partialErr: 0 });
    const r1 = await fx.fakeReplica(leader.port);
    await r1.handshake(20001);
    const first = await r1.psync('?', -1);
    if (first.kind !== 'full') throw new Error(`expected FULLRESYNC, got ${JSON.stringify(first)}`);
    await ok(leader.c, 'SET', 'x', '1');
    const off = Number(await replField(leader.c, 'master_repl_offset'));
    expect(off).toBeGreaterThan(0);

    const r2 = await fx.fakeReplica(leader.port);
    await r2.handshake(20002);
    const unknown = await r2.psync(ID_A, 1);
    expect(unknown.kind).toBe('full');
    if (unknown.kind === 'full') {
      expect(unknown.replid).toBe(first.replid);
      expect(unknown.offset).toBe(off);
    }
    const r3 = await fx.fakeReplica(leader.port);
    await r3.handshake(20003);
    expect((await r3.psync(first.replid, 999_999)).kind).toBe('full');
    const r4 = await fx.fakeReplica(leader.port);
    await r4.handshake(20004);
    expect(await r4.psync(first.replid, off + 1)).toEqual({ kind: 'continue', replid: first.replid });
    expect(await syncStats(leader.c)).toEqual({ full: 3, partialOk: 1, partialErr: 2 });
  });

  it('WAIT 1 0 blocks, REPLCONF GETACK * goes into the stream, and only an ACK covering the write unblocks it', async () => {
    const leader = await fx.start({ args: QUIET_LEADER });
    const r = await fx.fakeReplica(leader.port);
    await r.handshake(12345);
    const full = await r.psync('?', -1);
    if (full.kind !== 'full') throw new Error(`expected FULLRESYNC, got ${JSON.stringify(full)}`);
    await waitOnlineReplicas(leader, 1);
    const w = await fx.connect(leader);
    await ok(w, 'SET', 'x', '1');
    const target = Number(await replField(leader.c, 'master_repl_offset'));
    w.send('WAIT', 1, 0);
    expect((await r.readNonPing()).argv).toEqual(['SELECT', '0']);
    expect((await r.readNonPing()).argv).toEqual(['SET', 'x', '1']);
    const ga = await r.readNonPing();
    expect(ga.raw.toString('latin1')).toBe(GETACK);
    r.ack(target - 1);
    await sleep(300);
    expect(w.bufferedBytes()).toBe(0); // still blocked
    r.ack(target);
    expect((await w.readReply(3000)).toString('latin1')).toBe(':1\r\n');
  });

  it('REPLCONF and PSYNC from an ordinary client: syntax and option errors; ACK and GETACK produce no bytes at all', async () => {
    const leader = await fx.start({ args: QUIET_LEADER });
    const c = leader.c;
    expect((await c.call('REPLCONF', 'listening-port')).toString('latin1')).toBe('-ERR syntax error\r\n');
    expect((await c.call('REPLCONF', 'capa', 'eof', 'capa')).toString('latin1')).toBe('-ERR syntax error\r\n');
    expect((await c.call('REPLCONF', 'foo', 'bar')).toString('latin1')).toBe('-ERR Unrecognized REPLCONF option: foo\r\n');
    expect((await c.call('REPLCONF', 'listening-port', 1234)).toString('latin1')).toBe('+OK\r\n');
    expect((await c.call('REPLCONF', 'capa', 'eof', 'capa', 'some-future-capa')).toString('latin1')).toBe('+OK\r\n');
    c.send('REPLCONF', 'ACK', 5);
    c.send('REPLCONF', 'GETACK', '*');
    c.send('PING');
    expect((await c.readUntil(7)).toString('latin1')).toBe('+PONG\r\n');
    expect((await c.call('PSYNC', 'x')).toString('latin1')).toBe("-ERR wrong number of arguments for 'psync' command\r\n");
    expect((await c.call('PING')).toString('latin1')).toBe('+PONG\r\n');
    expect(c.isClosed()).toBe(false);
  });
});

// ---------------------------------------------------------------------------
// INFO replication and ROLE

const LEADER_FIELDS = [
  'role',
  'connected_slaves',
  'slave0',
  'master_failover_state',
  'master_replid',
  'master_replid2',
  'master_repl_offset',
  'second_repl_offset',
  'repl_backlog_active',
  'repl_backlog_size',
  'repl_backlog_first_byte_offset',
  'repl_backlog_histlen',
];
const FOLLOWER_HEAD = [
  'role',
  'master_host',
  'master_port',
  'master_link_status',
  'master_last_io_seconds_ago',
  'master_sync_in_progress',
  'slave_read_repl_offset',
  'slave_repl_offset',
];
const FOLLOWER_TAIL = [
  'slave_priority',
  'slave_read_only',
  'replica_announced',
  'connected_slaves',
  'master_failover_state',
  'master_replid',
  'master_replid2',
  'master_repl_offset',
  'second_repl_offset',
  'repl_backlog_active',
  'repl_backlog_size',
  'repl_backlog_first_byte_offset',
  'repl_backlog_histlen',
];

describe('INFO replication and ROLE', () => {
  it('a master that never had a replica', async () => {
    const n = await fx.start();
    await ok(n.c, 'SET', 'k', 'v');
    const pairs = await infoPairs(n.c, 'replication');
    expect(pairs.map(([k]) => k)).toEqual(LEADER_FIELDS.filter((f) => f !== 'slave0'));
    const i = new Map(pairs);
    expect(i.get('role')).toBe('master');
    expect(i.get('connected_slaves')).toBe('0');
    expect(i.get('master_failover_state')).toBe('no-failover');
    expect(i.get('master_replid')).toMatch(HEX40);
    expect(i.get('master_replid2')).toBe(ZEROS);
    expect(i.get('master_repl_offset')).toBe('0');
    expect(i.get('second_repl_offset')).toBe('-1');
    expect(i.get('repl_backlog_active')).toBe('0');
    expect(i.get('repl_backlog_size')).toBe('1048576');
    expect(i.get('repl_backlog_first_byte_offset')).toBe('0');
    expect(i.get('repl_backlog_histlen')).toBe('0');
    expect(await roleBytes(n.c)).toBe('*3\r\n$6\r\nmaster\r\n:0\r\n*0\r\n');
  });

  it('leader and follower: fields in order, offsets, ids; ROLE exact shapes', async () => {
    const { leader, follower } = await startPair(fx, { leaderArgs: QUIET_LEADER });
    await pipeline(leader.c, [['SET', 'a', '1'], ['RPUSH', 'l', 'x'], ['SELECT', 1], ['SET', 'b', '2'], ['SELECT', 0]]);
    const off = await waitConverged(leader, [follower]);
    expect(off).toBeGreaterThan(0);

    const lp = await infoPairs(leader.c, 'replication');
    expect(lp.map(([k]) => k)).toEqual(LEADER_FIELDS);
    const l = new Map(lp);
    expect(l.get('role')).toBe('master');
    expect(l.get('connected_slaves')).toBe('1');
    const s0 = parseSlaveLine(l.get('slave0')!);
    expect(Object.keys(s0)).toEqual(['ip', 'port', 'state', 'offset', 'lag']);
    expect(s0).toMatchObject({ ip: '127.0.0.1', port: String(follower.port), state: 'online' });
    expect(s0.offset).toMatch(/^\d+$/);
    expect(s0.lag).toMatch(/^\d+$/);
    expect(l.get('master_replid')).toMatch(HEX40);
    expect(l.get('master_replid2')).toBe(ZEROS);
    expect(l.get('second_repl_offset')).toBe('-1');
    expect(l.get('repl_backlog_active')).toBe('1');
    expect(l.get('repl_backlog_first_byte_offset')).toBe('1');
    expect(l.get('repl_backlog_histlen')).toBe(String(off));

    const fp = await infoPairs(follower.c, 'replication');
    expect(fp.map(([k]) => k)).toEqual([...FOLLOWER_HEAD, ...FOLLOWER_TAIL]);
    const f = new Map(fp);
    expect(f.get('role')).toBe('slave');
    expect(f.get('master_host')).toBe('127.0.0.1');
    expect(f.get('master_port')).toBe(String(leader.port));
    expect(f.get('master_link_status')).toBe('up');
    expect(Number(f.get('master_last_io_seconds_ago'))).toBeGreaterThanOrEqual(0);
    expect(Number(f.get('master_last_io_seconds_ago'))).toBeLessThanOrEqual(11);
    expect(f.get('master_sync_in_progress')).toBe('0');
    expect(f.get('slave_read_repl_offset')).toBe(String(off));
    expect(f.get('slave_repl_offset')).toBe(String(off));
    expect(f.get('slave_priority')).toBe('100');
    expect(f.get('slave_read_only')).toBe('1');
    expect(f.get('replica_announced')).toBe('1');
    expect(f.get('connected_slaves')).toBe('0');
    expect(f.get('master_failover_state')).toBe('no-failover');
    expect(f.get('master_replid')).toBe(l.get('master_replid'));
    expect(f.get('master_replid2')).toBe(ZEROS);
    expect(f.get('master_repl_offset')).toBe(String(off));
    expect(f.get('second_repl_offset')).toBe('-1');
    expect(f.get('repl_backlog_active')).toBe('1');
    expect(f.get('repl_backlog_first_byte_offset')).toBe('1');
    expect(f.get('repl_backlog_histlen')).toBe(String(off));

    // ROLE on the leader lists [ip, port, acked offset] with port and offset as bulk strings.
    const lport = String(follower.port);
    const ackedAll = `*3\r\n$6\r\nmaster\r\n:${off}\r\n*1\r\n*3\r\n$9\r\n127.0.0.1\r\n$${lport.length}\r\n${lport}\r\n$${String(off).length}\r\n${off}\r\n`;
    let lastRole = '';
    await waitFor(async () => {
      lastRole = await roleBytes(leader.c);
      return lastRole === ackedAll;
    }, 5000).catch(() => {
      throw new Error(`leader ROLE ${JSON.stringify(lastRole)}, expected ${JSON.stringify(ackedAll)}`);
    });
    expect(await roleBytes(follower.c)).toBe(
      `*5\r\n$5\r\nslave\r\n$9\r\n127.0.0.1\r\n:${leader.port}\r\n$9\r\nconnected\r\n:${off}\r\n`,
    );
  });

  it('link down: master_link_status:down, master_last_io_seconds_ago:-1, master_link_down_since_seconds; ROLE connect -1; stale data still served', async () => {
    const { leader, follower } = await startPair(fx, { leaderArgs: QUIET_LEADER });
    await ok(leader.c, 'SET', 'kept', 'yes');
    const off = await waitConverged(leader, [follower]);
    await leader.server.kill();
    await waitLinkDown(follower);
    await sleep(1100);
    const fp = await infoPairs(follower.c, 'replication');
    expect(fp.map(([k]) => k)).toEqual([...FOLLOWER_HEAD, 'master_link_down_since_seconds', ...FOLLOWER_TAIL]);
    const f = new Map(fp);
    expect(f.get('master_link_status')).toBe('down');
    expect(f.get('master_last_io_seconds_ago')).toBe('-1');
    expect(Number(f.get('master_link_down_since_seconds'))).toBeGreaterThanOrEqual(1);
    expect(Number(f.get('master_link_down_since_seconds'))).toBeLessThanOrEqual(10);
    expect(f.get('slave_repl_offset')).toBe(String(off));
    expect(f.get('master_host')).toBe('127.0.0.1');
    expect(f.get('master_port')).toBe(String(leader.port));
    const connect = `*5\r\n$5\r\nslave\r\n$9\r\n127.0.0.1\r\n:${leader.port}\r\n$7\r\nconnect\r\n:-1\r\n`;
    await waitFor(async () => (await roleBytes(follower.c)) === connect, 5000);
    expect(await follower.c.command('GET', 'kept')).toBe('yes'); // replica-serve-stale-data yes (default)
  });
});

// ---------------------------------------------------------------------------
// REPLICAOF / SLAVEOF

describe('REPLICAOF and SLAVEOF replies', () => {
  it('+OK, +OK Already connected to specified master, NO ONE, invalid ports, arity errors naming the command', async () => {
    const [leader, n] = await Promise.all([fx.start(), fx.start()]);
    const c = n.c;
    const raw = async (...a: Array<string | number>) => (await c.call(...a)).toString('latin1');
    expect(await raw('REPLICAOF', '127.0.0.1', leader.port)).toBe('+OK\r\n');
    expect(await raw('REPLICAOF', '127.0.0.1', leader.port)).toBe('+OK Already connected to specified master\r\n');
    expect(await raw('SLAVEOF', '127.0.0.1', leader.port)).toBe('+OK Already connected to specified master\r\n');
    await waitLinkUp(n);
    expect(await raw('REPLICAOF', '127.0.0.1', leader.port)).toBe('+OK Already connected to specified master\r\n');
    for (const port of ['notaport', '65536', '-1', '1.5', '']) {
      expect(await raw('REPLICAOF', '127.0.0.1', port), `port ${JSON.stringify(port)}`).toBe('-ERR Invalid master port\r\n');
    }
    expect(await replField(c, 'master_port')).toBe(String(leader.port)); // a rejected REPLICAOF changes nothing
    expect(await raw('REPLICAOF', '127.0.0.1')).toBe("-ERR wrong number of arguments for 'replicaof' command\r\n");
    expect(await raw('REPLICAOF')).toBe("-ERR wrong number of arguments for 'replicaof' command\r\n");
    expect(await raw('SLAVEOF', 'a', 'b', 'c')).toBe("-ERR wrong number of arguments for 'slaveof' command\r\n");
    expect(await raw('REPLICAOF', 'NO', 'ONE')).toBe('+OK\r\n');
    expect(await replField(c, 'role')).toBe('master');
    expect(await raw('replicaof', 'no', 'one')).toBe('+OK\r\n'); // already a master
    expect(await raw('SLAVEOF', 'No', 'One')).toBe('+OK\r\n');
    await waitFor(async () => (await replField(leader.c, 'connected_slaves')) === '0', 5000);
  });
});

// ---------------------------------------------------------------------------
// Gates on a follower

describe('a follower refuses writes', () => {
  it('-READONLY for writes, EXECABORT for a MULTI with a write; reads, SELECT and PUBLISH work; replica-read-only no allows local writes', async () => {
    const { leader, follower } = await startPair(fx);
    await ok(leader.c, 'SET', 'k', 'from-leader');
    await waitConverged(leader, [follower]);
    const c = follower.c;
    for (const w of [['SET', 'k', 'x'], ['DEL', 'k'], ['INCR', 'n'], ['EXPIRE', 'k', 10], ['LPUSH', 'l', 'a'], ['FLUSHALL']]) {
      expect(await errorOf(c, ...w), w.join(' ')).toBe(READONLY);
    }
    expect(await c.command('GET', 'k')).toBe('from-leader');
    expect(await c.command('SELECT', 1)).toBe('OK');
    expect(await c.command('SELECT', 0)).toBe('OK');
    expect(await c.command('PUBLISH', 'ch', 'm')).toBe(0);

    expect(await pipeline(c, [['MULTI'], ['SET', 'k', 'x'], ['GET', 'k'], ['EXEC']])).toEqual([
      'OK',
      new RespError(READONLY),
      'QUEUED',
      new RespError(EXECABORT),
    ]);
    expect((await c.call('SET', 'k', 'x')).toString('latin1')).toBe(`-${READONLY}\r\n`);

    expect(await c.command('CONFIG', 'SET', 'replica-read-only', 'no')).toBe('OK');
    expect(await replField(c, 'slave_read_only')).toBe('0');
    expect(await c.command('SET', 'local', '1')).toBe('OK');
    expect(await c.command('GET', 'local')).toBe('1');
    expect(await leader.c.command('GET', 'local')).toBe(null); // local writes are not propagated anywhere
  });

  it('replica-serve-stale-data no: exact -MASTERDOWN while the link is down; INFO, ROLE, CONFIG still work; served again once the link is up', async () => {
    const n = await fx.start({ args: ['--replica-serve-stale-data', 'no'] });
    const closed = await freePort();
    await replicaOf(n, { port: closed });
    for (const c of [['GET', 'k'], ['PING'], ['DBSIZE'], ['SET', 'k', 'v']]) {
      expect(await errorOf(n.c, ...c), c.join(' ')).toBe(c[0] === 'SET' ? READONLY : MASTERDOWN);
    }
    expect((await n.c.call('GET', 'k')).toString('latin1')).toBe(`-${MASTERDOWN}\r\n`);
    expect(await replField(n.c, 'master_link_status')).toBe('down');
    expect(String(await roleBytes(n.c))).toMatch(/^\*5\r\n\$5\r\nslave\r\n/);
    expect(await n.c.command('CONFIG', 'GET', 'replica-serve-stale-data')).toEqual(['replica-serve-stale-data', 'no']);

    const leader = await fx.start({ args: QUIET_LEADER });
    await ok(leader.c, 'SET', 'k', 'v');
    await replicaOf(n, leader);
    await waitLinkUp(n);
    expect(await n.c.command('PING')).toBe('PONG');
    await waitFor(async () => (await n.c.command('GET', 'k')) === 'v', 5000);
  });
});

// ---------------------------------------------------------------------------
// WAIT

describe('WAIT', () => {
  it('counts acknowledging replicas; 0 blocks until the ACK; timeouts; argument errors; never blocks inside MULTI; SIGSTOPped follower → 0', async () => {
    const { leader, follower } = await startPair(fx, { leaderArgs: QUIET_LEADER });
    const c = await fx.connect(leader);
    await ok(c, 'SET', 'w', '1');
    expect(await c.command('WAIT', 1, 0)).toBe(1); // blocks until the follower answers the GETACK
    const fresh = await fx.connect(leader);
    expect(await fresh.command('WAIT', 0, 0)).toBe(1); // nothing to wait for: the current count
    let t0 = Date.now();
    expect(await c.command('WAIT', 2, 300)).toBe(1); // only one replica exists: the timeout decides
    expect(Date.now() - t0).toBeGreaterThanOrEqual(280);
    expect(Date.now() - t0).toBeLessThan(3000);

    expect(await errorOf(c, 'WAIT', 1, -1)).toBe('ERR timeout is negative');
    expect(await errorOf(c, 'WAIT', 1, 'abc')).toBe('ERR timeout is not an integer or out of range');
    expect(await errorOf(c, 'WAIT', 1, '1.5')).toBe('ERR timeout is not an integer or out of range');
    expect(await errorOf(c, 'WAIT', 'abc', 0)).toBe('ERR value is not an integer or out of range');
    expect((await c.call('WAIT', 1)).toString('latin1')).toBe("-ERR wrong number of arguments for 'wait' command\r\n");

    // Inside MULTI it answers at once with the count for the offset before the transaction.
    const master = async () => Number(await replField(leader.c, 'master_repl_offset'));
    await waitFor(async () => parseSlaveLine((await info(leader.c)).get('slave0') ?? '').offset === String(await master()), 5000);
    t0 = Date.now();
    expect(await pipeline(c, [['MULTI'], ['SET', 'm', '1'], ['WAIT', 2, 100], ['WAIT', 5, 0], ['EXEC']])).toEqual([
      'OK',
      'QUEUED',
      'QUEUED',
      'QUEUED',
      ['OK', 1, 1],
    ]); // (WAIT 5 0 would block forever if it blocked)
    expect(Date.now() - t0).toBeLessThan(1000);

    // A stopped follower acknowledges nothing: WAIT returns 0 at the timeout, the write stays.
    process.kill(follower.server.pid, 'SIGSTOP');
    fx.defer(() => {
      try {
        process.kill(follower.server.pid, 'SIGCONT');
      } catch {
        // gone
      }
    });
    await ok(c, 'SET', 'during-stop', '1');
    t0 = Date.now();
    expect(await c.command('WAIT', 1, 500)).toBe(0);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(480);
    expect(await c.command('GET', 'during-stop')).toBe('1');
    process.kill(follower.server.pid, 'SIGCONT');
    await ok(c, 'SET', 'after-stop', '1');
    expect(await c.command('WAIT', 1, 0)).toBe(1);
    expect(await follower.c.command('MGET', 'during-stop', 'after-stop')).toEqual(['1', '1']);
  });

  it('on a follower: the exact replica error, before any argument check', async () => {
    const { follower } = await startPair(fx);
    expect(await errorOf(follower.c, 'WAIT', 1, 0)).toBe(WAIT_ON_REPLICA);
    expect(await errorOf(follower.c, 'WAIT', 'x', 'y')).toBe(WAIT_ON_REPLICA);
  });
});

// ---------------------------------------------------------------------------
// min-replicas-to-write

describe('min-replicas-to-write and min-replicas-max-lag', () => {
  it('-NOREPLICAS once the follower lags or is gone (reads still work), writes again once it is back', async () => {
    const MIN = ['--min-replicas-to-write', '1', '--min-replicas-max-lag', '2'];
    const { leader, follower } = await startPair(fx, { leaderArgs: MIN });
    const c = leader.c;
    await waitFor(async () => (await c.command('SET', 'k', '1')) === 'OK', 5000);
    const pairs = await infoPairs(c, 'replication');
    expect(pairs.slice(0, 3).map(([k]) => k)).toEqual(['role', 'connected_slaves', 'min_slaves_good_slaves']);
    expect(new Map(pairs).get('min_slaves_good_slaves')).toBe('1');

    // A stopped follower stops acknowledging: after max-lag seconds it no longer counts.
    process.kill(follower.server.pid, 'SIGSTOP');
    fx.defer(() => {
      try {
        process.kill(follower.server.pid, 'SIGCONT');
      } catch {
        // gone
      }
    });
    await waitFor(async () => (await c.command('SET', 'probe', '1')) instanceof RespError, 8000);
    expect((await c.call('SET', 'k', '3')).toString('latin1')).toBe(`-${NOREPLICAS}\r\n`);
    expect(await c.command('GET', 'k')).toBe('1'); // reads still work, the refused write changed nothing
    expect(await pipeline(c, [['MULTI'], ['INCR', 'n'], ['EXEC']])).toEqual(['OK', new RespError(NOREPLICAS), new RespError(EXECABORT)]);
    expect(await replField(c, 'min_slaves_good_slaves')).toBe('0');
    process.kill(follower.server.pid, 'SIGCONT');
    await waitFor(async () => (await c.command('SET', 'k', '4')) === 'OK', 8000);

    // A follower that is gone does not count either; a new one restores writes.
    await follower.server.kill();
    await waitFor(async () => (await c.command('SET', 'probe', '2')) instanceof RespError, 8000);
    expect(await errorOf(c, 'SET', 'k', '6')).toBe(NOREPLICAS);
    const again = await fx.start();
    await replicaOf(again, leader);
    await waitLinkUp(again);
    await waitFor(async () => (await c.command('SET', 'k', '7')) === 'OK', 8000);
    await waitConverged(leader, [again]);
    expect(await again.c.command('GET', 'k')).toBe('7');
  });
});

// ---------------------------------------------------------------------------
// Counters, partial resync, promotion

describe('resynchronisation and promotion', () => {
  it('first attach is a full sync; CLIENT KILL TYPE master on the follower leads to a partial one (sync_partial_ok), data intact', async () => {
    const { leader, follower } = await startPair(fx);
    await ok(leader.c, 'SET', 'a', '1');
    await waitConverged(leader, [follower]);
    const s0 = await syncStats(leader.c);
    expect(s0.full).toBe(1);
    expect(s0.partialOk).toBe(0);
    expect(await follower.c.command('CLIENT', 'KILL', 'TYPE', 'master')).toBe(1);
    await waitFor(async () => (await syncStats(leader.c)).partialOk === 1, 10_000);
    await waitLinkUp(follower);
    await ok(leader.c, 'SET', 'b', '2');
    await waitConverged(leader, [follower]);
    expect(await follower.c.command('MGET', 'a', 'b')).toEqual(['1', '2']);
    expect((await syncStats(leader.c)).full).toBe(1);
  });

  it('REPLICAOF NO ONE keeps the data, takes a new master_replid, replid2 = the old id, second_repl_offset = offset + 1', async () => {
    const { leader, follower } = await startPair(fx);
    await pipeline(leader.c, [['SET', 'a', '1'], ['HSET', 'h', 'f', 'v'], ['SELECT', 4], ['SADD', 's', 'x'], ['SELECT', 0]]);
    await waitConverged(leader, [follower]);
    await leader.server.kill();
    await waitLinkDown(follower);
    const before = await info(follower.c);
    const d = await digest(follower.c);
    const off = Number(before.get('slave_repl_offset'));
    expect(await follower.c.command('REPLICAOF', 'NO', 'ONE')).toBe('OK');
    const after = await info(follower.c);
    expect(after.get('role')).toBe('master');
    expect(after.get('master_replid')).toMatch(HEX40);
    expect(after.get('master_replid')).not.toBe(before.get('master_replid'));
    expect(after.get('master_replid2')).toBe(before.get('master_replid'));
    expect(after.get('second_repl_offset')).toBe(String(off + 1));
    expect(after.get('master_repl_offset')).toBe(String(off));
    expect(after.get('repl_backlog_active')).toBe('1');
    expect(await digest(follower.c)).toBe(d);
    expect(await follower.c.command('SET', 'now-writable', '1')).toBe('OK');
  });
});

// ---------------------------------------------------------------------------
// Expiry

describe('expiry on a follower', () => {
  it('a key with a short PX set on the leader disappears on the follower (the leader DELs it)', async () => {
    const { leader, follower } = await startPair(fx);
    await ok(leader.c, 'SET', 'short', 'v', 'PX', 1000);
    await ok(leader.c, 'SET', 'long', 'v');
    await waitConverged(leader, [follower]);
    expect(await follower.c.command('GET', 'short')).toBe('v');
    expect(Number(await follower.c.command('PTTL', 'short'))).toBeGreaterThan(0);
    await waitFor(async () => Number(await follower.c.command('DBSIZE')) === 1, 10_000);
    expect(await follower.c.command('GET', 'short')).toBe(null);
    expect(await follower.c.command('GET', 'long')).toBe('v');
  });

  it('with the leader\'s active expiry off the follower hides the expired key (GET nil, EXISTS 0, TTL -2) but DBSIZE counts it until the leader deletes it', async () => {
    const { leader, follower } = await startPair(fx);
    expect(await leader.c.command('DEBUG', 'SET-ACTIVE-EXPIRE', 0)).toBe('OK');
    await ok(leader.c, 'SET', 'lazy', 'v', 'PX', 400);
    await waitConverged(leader, [follower]);
    await sleep(600);
    const f = follower.c;
    expect(await f.command('GET', 'lazy')).toBe(null);
    expect(await f.command('EXISTS', 'lazy')).toBe(0);
    expect(await f.command('TTL', 'lazy')).toBe(-2);
    expect(await f.command('PTTL', 'lazy')).toBe(-2);
    expect(await f.command('DBSIZE')).toBe(1); // still stored: only the leader's DEL removes it
    expect(await leader.c.command('DBSIZE')).toBe(1);
    // Reading it on the leader expires it there, and the DEL reaches the follower.
    expect(await leader.c.command('GET', 'lazy')).toBe(null);
    await waitFor(async () => Number(await f.command('DBSIZE')) === 0, 5000);
    await waitConverged(leader, [follower]);
  });
});

// ---------------------------------------------------------------------------
// aki only: WAITAOF (Redis 7.2; redis-server 7.0.15 has no such command)

describe('WAITAOF (aki; Redis 7.2 semantics)', () => {
  it.skipIf(onRedis)('counts followers that fsynced the write; a follower without AOF never counts; replica and argument errors', async () => {
    const AOF_ALWAYS = ['--appendonly', 'yes', '--appendfsync', 'always'];
    const leader = await fx.start({ args: AOF_ALWAYS });
    const [withAof, withoutAof] = await Promise.all([fx.start({ args: AOF_ALWAYS }), fx.start({ args: ['--appendonly', 'no'] })]);
    await replicaOf(withAof, leader);
    await replicaOf(withoutAof, leader);
    await Promise.all([waitLinkUp(withAof), waitLinkUp(withoutAof)]);
    await waitOnlineReplicas(leader, 2);
    const c = await fx.connect(leader);
    await ok(c, 'SET', 'k', 'v');
    expect(await c.command('WAITAOF', 1, 1, 0)).toEqual([1, 1]); // blocks until the AOF follower's FACK
    await ok(c, 'SET', 'k2', 'v');
    let t0 = Date.now();
    expect(await c.command('WAITAOF', 1, 2, 300)).toEqual([1, 1]); // the follower without AOF never counts
    expect(Date.now() - t0).toBeGreaterThanOrEqual(280);
    // Inside MULTI it never blocks (WAITAOF 0 5 0 would wait forever otherwise).
    t0 = Date.now();
    const tx = await pipeline(c, [['MULTI'], ['SET', 'm', '1'], ['WAITAOF', 0, 5, 0], ['EXEC']]);
    expect(tx.slice(0, 3)).toEqual(['OK', 'QUEUED', 'QUEUED']);
    const [setReply, counts] = tx[3] as [unknown, number[]];
    expect(setReply).toBe('OK');
    expect(counts).toHaveLength(2);
    expect(counts[1]).toBeLessThanOrEqual(1);
    expect(Date.now() - t0).toBeLessThan(1000);

    expect(await errorOf(c, 'WAITAOF', 2, 0, 0)).toBe('ERR value is out of range, value must between 0 and 1');
    expect(await errorOf(c, 'WAITAOF', 0, -1, 0)).toBe('ERR value is out of range, must be positive');
    expect(await errorOf(c, 'WAITAOF', 0, 0, -1)).toBe('ERR timeout is negative');
    expect(await errorOf(withoutAof.c, 'WAITAOF', 0, 0, 0)).toBe(
      'ERR WAITAOF cannot be used with replica instances. Please also note that writes to replicas are just local and are not propagated.',
    );
    expect(await errorOf(withoutAof.c, 'WAITAOF', 1, 0, 0)).toBe(
      'ERR WAITAOF cannot be used with replica instances. Please also note that writes to replicas are just local and are not propagated.',
    );
  });
});
