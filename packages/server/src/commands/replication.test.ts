import net from 'node:net';
import type { ReplicaChannel, ReplicaPeer } from '@aki/replication';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ClientSession, ClientTransport } from '../client-session.js';
import { NO_PERSISTENCE } from '../persistence/control.js';
import { Harness, ReplyError, TestClient } from '../testing/harness.js';

/*
 * REPLICAOF/SLAVEOF, REPLCONF, PSYNC/SYNC, WAIT, WAITAOF, ROLE, FAILOVER,
 * INFO replication and the NOREPLICAS gate through the in-process harness.
 * Its clients have no socket, so PSYNC from them is refused; a follower is
 * played by a session whose transport hands out a fake ReplicaChannel, and
 * the harness's file-less persistence (whose snapshot slot is always busy)
 * is given a snapshot source that serves FAKE_RDB.
 * Every reply of a command Redis 7.0.15 has was checked against
 * redis-server 7.0.15 (WAITAOF is 7.2's: its texts come from REPLICATION.md §6).
 */

const err = (message: string) => new ReplyError(message);
const SYNTAX = err('ERR syntax error');
const NOT_INTEGER = err('ERR value is not an integer or out of range');
const INVALID_PORT = err('ERR Invalid master port');
const arity = (name: string) => err(`ERR wrong number of arguments for '${name}' command`);
const NOREPLICAS = err('NOREPLICAS Not enough good replicas to write.');
const WAIT_ON_REPLICA = err(
  'ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a replica is configured to be writable (which is not the default) writes to replicas are just local and are not propagated.',
);
const WAITAOF_ON_REPLICA = err(
  'ERR WAITAOF cannot be used with replica instances. Please also note that writes to replicas are just local and are not propagated.',
);
const FORCE_NEEDS = err('ERR FAILOVER with force option requires both a timeout and target HOST and IP.');
const NO_REPLICAS = err('ERR FAILOVER requires connected replicas.');
const IN_PROGRESS = err('ERR FAILOVER already in progress.');
const NO_FAILOVER = err('ERR No failover in progress.');
const HEX40 = /^[0-9a-f]{40}$/;
const FAKE_RDB = 'REDIS0010\xff\r\nfake';

/** Lets full syncs take a snapshot (the harness has no files: its slot is always busy). */
function serveSnapshots(): void {
  h.core.state.persistence = {
    ...NO_PERSISTENCE,
    snapshotForReplicas: () => Promise.resolve([Buffer.from(FAKE_RDB, 'latin1')]),
  };
}
const ZEROS = '0'.repeat(40);

let h: Harness;
let c: TestClient;

beforeEach(() => {
  h = new Harness();
  c = h.connect();
});

afterEach(() => {
  // A test that made this server a follower stops its link (it retries on real timers otherwise).
  if (h.core.state.replication.isFollower) c.call('REPLICAOF', 'NO', 'ONE');
});

/** INFO replication as [field, value] pairs, in order. */
function replicationInfo(client: TestClient = c): Array<[string, string]> {
  const text = client.call('INFO', 'replication') as string;
  const lines = text.split('\r\n').filter((line) => line !== '');
  expect(lines[0]).toBe('# Replication');
  return lines.slice(1).map((line) => {
    const colon = line.indexOf(':');
    return [line.slice(0, colon), line.slice(colon + 1)];
  });
}

const infoField = (name: string): string | undefined => replicationInfo().find(([field]) => field === name)?.[1];

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 3000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(2);
  }
}

/** A follower's connection as the leader sees it: collects the bytes, never queues. */
class FakeChannel implements ReplicaChannel {
  readonly address = '10.0.0.9';
  readonly pendingBytes = 0;
  closed = false;
  private readonly chunks: string[] = [];

  write(bytes: Buffer | string): void {
    this.chunks.push(typeof bytes === 'string' ? bytes : bytes.toString('latin1'));
  }

  close(): void {
    this.closed = true;
  }

  get text(): string {
    return this.chunks.join('');
  }
}

/** A client with a socket-like transport: REPLCONF + PSYNC ? -1 make it a follower of this server. */
async function attachFollower(listeningPort = '7001', options: { waitOnline?: boolean } = {}) {
  if (options.waitOnline !== false) serveSnapshots();
  const channel = new FakeChannel();
  let session: ClientSession | undefined;
  const transport: ClientTransport = {
    remoteAddress: '10.0.0.9:40000',
    localAddress: '127.0.0.1:6379',
    isLocal: true,
    closeAfterFlush: () => {},
    destroy: () => h.core.closeSession(session!),
    requestFlush: () => {},
    replicaChannel: () => channel,
  };
  session = h.core.openSession(transport);
  const client = new TestClient(h.core, session);
  expect(client.call('REPLCONF', 'listening-port', listeningPort)).toBe('OK');
  expect(client.call('REPLCONF', 'capa', 'eof', 'capa', 'psync2')).toBe('OK');
  expect(client.callRaw(['PSYNC', '?', '-1'])).toEqual([]);
  const peer = session.replicaPeer as ReplicaPeer;
  expect(peer).not.toBeNull();
  if (options.waitOnline !== false) await until(() => peer.state === 'online', 'the follower to go online');
  return { client, session, channel, peer };
}

/** A local port nobody listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('REPLCONF', () => {
  it('pairs of known options: +OK; odd arity is a syntax error; unknown options are named', () => {
    expect(c.call('REPLCONF')).toBe('OK');
    expect(c.call('REPLCONF', 'listening-port', '7000')).toBe('OK');
    expect(c.call('REPLCONF', 'LISTENING-PORT', '5')).toBe('OK');
    expect(c.call('REPLCONF', 'listening-port', '99999999')).toBe('OK');
    expect(c.call('REPLCONF', 'listening-port', '-5')).toBe('OK');
    expect(c.call('REPLCONF', 'capa', 'eof', 'capa', 'psync2')).toBe('OK');
    expect(c.call('REPLCONF', 'CAPA', 'EOF')).toBe('OK');
    expect(c.call('REPLCONF', 'capa', 'whatever')).toBe('OK');
    expect(c.call('REPLCONF', 'ip-address', '1.2.3.4')).toBe('OK');
    expect(c.call('REPLCONF', 'ip-address', '')).toBe('OK');
    expect(c.call('REPLCONF', 'listening-port')).toEqual(SYNTAX);
    expect(c.call('REPLCONF', 'getack')).toEqual(SYNTAX);
    expect(c.call('REPLCONF', 'ack')).toEqual(SYNTAX);
    expect(c.call('REPLCONF', 'listening-port', '5', 'foo')).toEqual(SYNTAX);
    expect(c.call('REPLCONF', 'foo', 'bar')).toEqual(err('ERR Unrecognized REPLCONF option: foo'));
    expect(c.call('REPLCONF', 'listening-port', '1', 'Foo', 'bar')).toEqual(err('ERR Unrecognized REPLCONF option: Foo'));
    expect(c.call('REPLCONF', 'foo', 'bar', 'listening-port', 'x')).toEqual(err('ERR Unrecognized REPLCONF option: foo'));
  });

  it('option values: listening-port an integer, ip-address under 256 bytes, rdb-only 0 or 1, rdb-filter-only functions', () => {
    expect(c.call('REPLCONF', 'listening-port', 'abc')).toEqual(NOT_INTEGER);
    expect(c.call('REPLCONF', 'listening-port', '1.5')).toEqual(NOT_INTEGER);
    expect(c.call('REPLCONF', 'listening-port', '99999999999999999999')).toEqual(NOT_INTEGER);
    expect(c.call('REPLCONF', 'ip-address', 'a'.repeat(255))).toBe('OK');
    expect(c.call('REPLCONF', 'ip-address', 'a'.repeat(256))).toEqual(
      err('ERR REPLCONF ip-address provided by replica instance is too long: 256 bytes'),
    );
    expect(c.call('REPLCONF', 'rdb-only', '0')).toBe('OK');
    expect(c.call('REPLCONF', 'rdb-only', '1')).toBe('OK');
    expect(c.call('REPLCONF', 'rdb-only', '2')).toEqual(err('ERR value is out of range, value must between 0 and 1'));
    expect(c.call('REPLCONF', 'rdb-only', '-1')).toEqual(err('ERR value is out of range, value must between 0 and 1'));
    expect(c.call('REPLCONF', 'rdb-only', 'abc')).toEqual(NOT_INTEGER);
    expect(c.call('REPLCONF', 'rdb-only', '01')).toEqual(NOT_INTEGER);
    expect(c.call('REPLCONF', 'rdb-filter-only', 'functions')).toBe('OK');
    expect(c.call('REPLCONF', 'rdb-filter-only', 'FUNCTIONS')).toBe('OK');
    expect(c.call('REPLCONF', 'rdb-filter-only', '')).toBe('OK');
    expect(c.call('REPLCONF', 'rdb-filter-only', 'foo')).toEqual(err('ERR Unsupported rdb-filter-only option: foo'));
    expect(c.call('REPLCONF', 'rdb-filter-only', '"abc')).toEqual(err('ERR Missing rdb-filter-only values'));
    expect(c.call('REPLCONF', 'rdb-only', '1', 'rdb-filter-only', 'x')).toEqual(err('ERR Unsupported rdb-filter-only option: x'));
  });

  it('ACK and GETACK never reply, not even to a client that is no follower (nor with a bad offset)', () => {
    expect(c.callRaw(['REPLCONF', 'ACK', '5'])).toEqual([]);
    expect(c.callRaw(['REPLCONF', 'ack', 'abc'])).toEqual([]);
    expect(c.callRaw(['REPLCONF', 'ACK', '5', 'FACK', '3'])).toEqual([]);
    expect(c.callRaw(['REPLCONF', 'GETACK', '*'])).toEqual([]);
    expect(c.callRaw(['REPLCONF', 'listening-port', '5', 'ack', '3'])).toEqual([]);
    expect(c.callRaw(['REPLCONF', 'ack', '3', 'listening-port', '5'])).toEqual([]);
    // The connection still works.
    expect(c.call('PING')).toBe('PONG');
  });

  it("a follower's ACK records its offsets (FACK separately), keeping the highest", async () => {
    const { client, peer } = await attachFollower();
    expect(client.callRaw(['REPLCONF', 'ACK', '10'])).toEqual([]);
    expect([peer.ackOffset, peer.aofOffset]).toEqual([10, -1]);
    expect(client.callRaw(['REPLCONF', 'ACK', '7', 'FACK', '6'])).toEqual([]);
    expect([peer.ackOffset, peer.aofOffset]).toEqual([10, 6]);
    expect(client.callRaw(['REPLCONF', 'ACK', 'x'])).toEqual([]);
    expect(peer.ackOffset).toBe(10);
  });
});

describe('PSYNC / SYNC', () => {
  it('needs a TCP connection (the harness has none); arity and offset are checked first', () => {
    const noTcp = err('ERR replication needs a TCP connection');
    expect(c.call('PSYNC', '?', '-1')).toEqual(noTcp);
    expect(c.call('SYNC')).toEqual(noTcp);
    expect(c.call('PSYNC')).toEqual(arity('psync'));
    expect(c.call('PSYNC', '?')).toEqual(arity('psync'));
    expect(c.call('SYNC', 'x')).toEqual(arity('sync'));
    expect(c.call('PSYNC', '?', 'abc')).toEqual(NOT_INTEGER);
    expect(c.call('PSYNC', '?', '1.5')).toEqual(NOT_INTEGER);
    expect(c.call('PSYNC', '?', '-1', 'FAILOVER')).toEqual(err("ERR PSYNC FAILOVER can't be sent to a master."));
    expect(c.call('PSYNC', '?', '-1', 'failover')).toEqual(err("ERR PSYNC FAILOVER can't be sent to a master."));
    expect(c.call('PING')).toBe('PONG');
  });

  it('is refused inside MULTI', () => {
    expect(c.call('MULTI')).toBe('OK');
    expect(c.call('PSYNC', '?', '-1')).toEqual(err('ERR Command not allowed inside a transaction'));
    expect(c.call('SYNC')).toEqual(err('ERR Command not allowed inside a transaction'));
    expect(c.call('DISCARD')).toBe('OK');
  });

  it('a socket client becomes a follower: +FULLRESYNC <replid> <offset>, then $len and the RDB payload', async () => {
    c.call('SET', 'k', 'v');
    const offset = h.core.state.propagator.offset;
    const { channel, peer } = await attachFollower();
    const replid = infoField('master_replid')!;
    expect(channel.text.startsWith(`+FULLRESYNC ${replid} ${offset}\r\n$`)).toBe(true);
    expect(channel.text).toBe(`+FULLRESYNC ${replid} ${offset}\r\n$${FAKE_RDB.length}\r\n${FAKE_RDB}`);
    // The stream follows the payload, starting with SELECT.
    c.call('SET', 'k', 'w');
    await until(() => channel.text.endsWith('$1\r\nw\r\n'), 'the stream');
    expect(channel.text.slice(-60)).toContain('*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nw\r\n');
    expect(peer.declaration.listeningPort).toBe(7001);
    expect([...peer.declaration.capabilities]).toEqual(['eof', 'psync2']);
  });
});

describe('REPLICAOF / SLAVEOF', () => {
  it('argument errors', () => {
    expect(c.call('REPLICAOF')).toEqual(arity('replicaof'));
    expect(c.call('REPLICAOF', 'a')).toEqual(arity('replicaof'));
    expect(c.call('REPLICAOF', 'a', 'b', 'c')).toEqual(arity('replicaof'));
    expect(c.call('SLAVEOF', 'x')).toEqual(arity('slaveof'));
    for (const port of ['abc', '-1', '65536', '1.5', 'two']) {
      expect(c.call('REPLICAOF', 'localhost', port)).toEqual(INVALID_PORT);
    }
    expect(c.call('REPLICAOF', 'no', 'two')).toEqual(INVALID_PORT);
    expect(c.call('REPLICAOF', 'one', 'no')).toEqual(INVALID_PORT);
    expect(c.call('SLAVEOF', 'localhost', 'abc')).toEqual(INVALID_PORT);
    expect(h.core.state.replication.isFollower).toBe(false);
  });

  it('NO ONE on a master: +OK in any case, nothing changes', () => {
    const before = replicationInfo();
    expect(c.call('REPLICAOF', 'NO', 'ONE')).toBe('OK');
    expect(c.call('replicaof', 'no', 'one')).toBe('OK');
    expect(c.call('SLAVEOF', 'No', 'One')).toBe('OK');
    expect(replicationInfo()).toEqual(before);
    expect(c.call('ROLE')).toEqual(['master', 0, []]);
  });

  it('host port: +OK, then the same again is "Already connected"; the follower refuses WAIT, WAITAOF, FAILOVER, PSYNC', async () => {
    const port = await closedPort();
    expect(c.call('REPLICAOF', '127.0.0.1', String(port))).toBe('OK');
    expect(c.call('REPLICAOF', '127.0.0.1', String(port))).toBe('OK Already connected to specified master');
    expect(c.call('SLAVEOF', '127.0.0.1', String(port))).toBe('OK Already connected to specified master');
    const role = c.call('ROLE') as unknown[];
    expect(role.slice(0, 3)).toEqual(['slave', '127.0.0.1', port]);
    expect(['connect', 'connecting']).toContain(role[3]);
    expect(role[4]).toBe(-1);
    expect(infoField('role')).toBe('slave');
    expect(infoField('master_link_status')).toBe('down');
    expect(c.call('WAIT', '0', '0')).toEqual(WAIT_ON_REPLICA);
    expect(c.call('WAIT', 'x', '-1')).toEqual(WAIT_ON_REPLICA);
    expect(c.call('WAITAOF', '0', '0', '0')).toEqual(WAITAOF_ON_REPLICA);
    // WAITAOF checks its arguments before the role.
    expect(c.call('WAITAOF', '2', '0', '0')).toEqual(err('ERR value is out of range, value must between 0 and 1'));
    expect(c.call('FAILOVER')).toEqual(err('ERR FAILOVER is not valid when server is a replica.'));
    expect(c.call('FAILOVER', 'FORCE')).toEqual(err('ERR FAILOVER is not valid when server is a replica.'));
    expect(c.call('FAILOVER', 'ABORT')).toEqual(NO_FAILOVER);
    expect(c.call('PSYNC', '?', '-1')).toEqual(err("NOMASTERLINK Can't SYNC while not connected with my master"));
    expect(c.call('SET', 'k', 'v')).toEqual(err("READONLY You can't write against a read only replica."));
  });

  it('NO ONE promotes a follower: the old history becomes replid2, valid up to the offset', async () => {
    const port = await closedPort();
    const replid = infoField('master_replid');
    expect(c.call('REPLICAOF', '127.0.0.1', String(port))).toBe('OK');
    expect(c.call('REPLICAOF', 'NO', 'ONE')).toBe('OK');
    expect(h.core.state.replication.isFollower).toBe(false);
    expect(infoField('role')).toBe('master');
    expect(infoField('master_replid2')).toBe(replid);
    expect(infoField('master_replid')).toMatch(HEX40);
    expect(infoField('master_replid')).not.toBe(replid);
    expect(infoField('second_repl_offset')).toBe(String(Number(infoField('master_repl_offset')) + 1));
    expect(c.call('SET', 'k', 'v')).toBe('OK');
  });
});

describe('WAIT / WAITAOF', () => {
  it('argument errors (numreplicas first, then the timeout)', () => {
    expect(c.call('WAIT')).toEqual(arity('wait'));
    expect(c.call('WAIT', '0')).toEqual(arity('wait'));
    expect(c.call('WAIT', 'x', '0')).toEqual(NOT_INTEGER);
    expect(c.call('WAIT', '1.5', '0')).toEqual(NOT_INTEGER);
    expect(c.call('WAIT', '99999999999999999999', '0')).toEqual(NOT_INTEGER);
    expect(c.call('WAIT', 'x', '-1')).toEqual(NOT_INTEGER);
    expect(c.call('WAIT', '0', 'x')).toEqual(err('ERR timeout is not an integer or out of range'));
    expect(c.call('WAIT', '0', '1.5')).toEqual(err('ERR timeout is not an integer or out of range'));
    expect(c.call('WAIT', '0', '99999999999999999999')).toEqual(err('ERR timeout is not an integer or out of range'));
    expect(c.call('WAIT', '0', '-1')).toEqual(err('ERR timeout is negative'));
    expect(c.call('WAIT', '-1', '-1')).toEqual(err('ERR timeout is negative'));
  });

  it('WAIT 0 0 -> 0 at once; a negative count is satisfied too', () => {
    expect(c.call('WAIT', '0', '0')).toBe(0);
    expect(c.call('WAIT', '-1', '0')).toBe(0);
    c.call('SET', 'k', 'v');
    expect(c.call('WAIT', '0', '0')).toBe(0);
  });

  it('WAIT that cannot be satisfied blocks until its timeout, then answers the count', async () => {
    expect(c.callRaw(['WAIT', '5', '10'])).toEqual([]);
    await sleep(40);
    expect(c.pending()).toEqual([0]);
  });

  it('CLIENT UNBLOCK ends a WAIT: TIMEOUT with the count now, ERROR with -UNBLOCKED (as Redis)', async () => {
    const other = h.connect();
    const id = String(c.call('CLIENT', 'ID'));
    expect(c.callRaw(['WAIT', '5', '0'])).toEqual([]);
    expect(other.call('INFO', 'clients')).toMatch(/blocked_clients:1\r\n/);
    expect(other.call('CLIENT', 'UNBLOCK', id)).toBe(1);
    expect(c.pending()).toEqual([0]);
    expect(c.callRaw(['WAIT', '5', '0'])).toEqual([]);
    expect(other.call('CLIENT', 'UNBLOCK', id, 'ERROR')).toBe(1);
    expect(c.pending()).toEqual([err('UNBLOCKED client unblocked via CLIENT UNBLOCK')]);
    expect(other.call('CLIENT', 'UNBLOCK', id)).toBe(0);
    expect(other.call('INFO', 'clients')).toMatch(/blocked_clients:0\r\n/);
  });

  it('inside MULTI WAIT never blocks and answers the count at EXEC', () => {
    expect(c.call('MULTI')).toBe('OK');
    expect(c.call('SET', 'k', 'v')).toBe('QUEUED');
    expect(c.call('WAIT', '2', '100')).toBe('QUEUED');
    expect(c.call('WAIT', '5', '0')).toBe('QUEUED');
    expect(c.call('EXEC')).toEqual(['OK', 0, 0]);
    expect(c.call('MULTI')).toBe('OK');
    expect(c.call('WAIT', '0', '0')).toBe('QUEUED');
    expect(c.call('EXEC')).toEqual([0]);
  });

  it('WAIT ends when a follower acknowledges the write (a GETACK went out for it)', async () => {
    const { client, channel } = await attachFollower();
    expect(c.call('SET', 'k', 'v')).toBe('OK');
    const offset = h.core.state.propagator.offset;
    expect(c.callRaw(['WAIT', '1', '0'])).toEqual([]);
    await until(() => channel.text.endsWith('*3\r\n$8\r\nREPLCONF\r\n$6\r\nGETACK\r\n$1\r\n*\r\n'), 'the GETACK');
    client.callRaw(['REPLCONF', 'ACK', String(offset - 1)]);
    expect(c.pending()).toEqual([]);
    client.callRaw(['REPLCONF', 'ACK', String(offset)]);
    expect(c.pending()).toEqual([1]);
    // The next WAIT targets the same offset, not the GETACK sent for the first one (Redis keeps woff): at once.
    expect(h.core.state.propagator.offset).toBeGreaterThan(offset);
    expect(c.call('WAIT', '1', '0')).toBe(1);
    // A later command moves woff to the current offset again.
    c.call('GET', 'k');
    expect(c.callRaw(['WAIT', '1', '0'])).toEqual([]);
    client.callRaw(['REPLCONF', 'ACK', String(h.core.state.propagator.offset)]);
    expect(c.pending()).toEqual([1]);
  });

  it('WAITAOF argument errors (aki implements 7.2), then the AOF requirement', () => {
    expect(c.call('WAITAOF', '0', '0')).toEqual(arity('waitaof'));
    expect(c.call('WAITAOF', 'x', '0', '0')).toEqual(NOT_INTEGER);
    expect(c.call('WAITAOF', '2', '0', '0')).toEqual(err('ERR value is out of range, value must between 0 and 1'));
    expect(c.call('WAITAOF', '-1', '0', '0')).toEqual(err('ERR value is out of range, value must between 0 and 1'));
    expect(c.call('WAITAOF', '0', 'x', '0')).toEqual(NOT_INTEGER);
    expect(c.call('WAITAOF', '0', '-1', '0')).toEqual(err('ERR value is out of range, must be positive'));
    expect(c.call('WAITAOF', '0', '0', 'x')).toEqual(err('ERR timeout is not an integer or out of range'));
    expect(c.call('WAITAOF', '0', '0', '-1')).toEqual(err('ERR timeout is negative'));
    expect(c.call('WAITAOF', '1', '0', '0')).toEqual(
      err('ERR WAITAOF cannot be used when numlocal is set but appendonly is disabled.'),
    );
    expect(c.call('WAITAOF', '0', '0', '0')).toEqual([0, 0]);
    expect(c.call('MULTI')).toBe('OK');
    expect(c.call('WAITAOF', '0', '3', '0')).toBe('QUEUED');
    expect(c.call('EXEC')).toEqual([[0, 0]]);
  });
});

describe('ROLE and INFO replication', () => {
  it('ROLE on a fresh master', () => {
    expect(c.call('ROLE')).toEqual(['master', 0, []]);
    expect(c.callBytes('ROLE')).toBe('*3\r\n$6\r\nmaster\r\n:0\r\n*0\r\n');
  });

  it('INFO replication on a fresh master: the fields in Redis 7.0 order', () => {
    const info = replicationInfo();
    expect(info.map(([field]) => field)).toEqual([
      'role',
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
    ]);
    const values = new Map(info);
    expect(values.get('master_replid')).toMatch(HEX40);
    expect(info.filter(([field]) => field !== 'master_replid')).toEqual([
      ['role', 'master'],
      ['connected_slaves', '0'],
      ['master_failover_state', 'no-failover'],
      ['master_replid2', ZEROS],
      ['master_repl_offset', '0'],
      ['second_repl_offset', '-1'],
      ['repl_backlog_active', '0'],
      ['repl_backlog_size', '1048576'],
      ['repl_backlog_first_byte_offset', '0'],
      ['repl_backlog_histlen', '0'],
    ]);
  });

  it('min_slaves_good_slaves follows connected_slaves while min-replicas-to-write and max-lag are set', () => {
    expect(c.call('CONFIG', 'SET', 'min-replicas-to-write', '1')).toBe('OK');
    const fields = replicationInfo().map(([field]) => field);
    expect(fields.slice(0, 4)).toEqual(['role', 'connected_slaves', 'min_slaves_good_slaves', 'master_failover_state']);
    expect(infoField('min_slaves_good_slaves')).toBe('0');
    expect(c.call('CONFIG', 'SET', 'min-replicas-max-lag', '0')).toBe('OK');
    expect(infoField('min_slaves_good_slaves')).toBeUndefined();
  });

  it('an online follower in ROLE and INFO (slave0 line, backlog active)', async () => {
    const { client } = await attachFollower();
    client.callRaw(['REPLCONF', 'ACK', '0']);
    const offset = h.core.state.propagator.offset;
    expect(c.call('ROLE')).toEqual(['master', offset, [['10.0.0.9', '7001', '0']]]);
    const info = new Map(replicationInfo());
    expect(info.get('connected_slaves')).toBe('1');
    expect(info.get('slave0')).toBe(`ip=10.0.0.9,port=7001,state=online,offset=0,lag=0`);
    expect(info.get('repl_backlog_active')).toBe('1');
    h.advance(3000);
    expect(infoField('slave0')).toBe(`ip=10.0.0.9,port=7001,state=online,offset=0,lag=3`);
  });
});

describe('FAILOVER', () => {
  it('syntax errors, checked while parsing', () => {
    expect(c.call('FAILOVER', 'foo')).toEqual(SYNTAX);
    expect(c.call('FAILOVER', 'TO', 'h')).toEqual(SYNTAX);
    expect(c.call('FAILOVER', 'TO', 'h', 'x')).toEqual(NOT_INTEGER);
    expect(c.call('FAILOVER', 'TIMEOUT', 'x')).toEqual(NOT_INTEGER);
    expect(c.call('FAILOVER', 'TIMEOUT', '1.5')).toEqual(NOT_INTEGER);
    expect(c.call('FAILOVER', 'TIMEOUT', '0')).toEqual(err('ERR FAILOVER timeout must be greater than 0'));
    expect(c.call('FAILOVER', 'TIMEOUT', '-1')).toEqual(err('ERR FAILOVER timeout must be greater than 0'));
    expect(c.call('FAILOVER', 'TO', 'h', '1', 'FORCE', 'TIMEOUT', '0')).toEqual(err('ERR FAILOVER timeout must be greater than 0'));
    expect(c.call('FAILOVER', 'TIMEOUT', '10', 'TIMEOUT', '20')).toEqual(SYNTAX);
    expect(c.call('FAILOVER', 'TO', 'h', '1', 'TO', 'h', '2')).toEqual(SYNTAX);
    expect(c.call('FAILOVER', 'FORCE', 'FORCE', 'TIMEOUT', '5', 'TO', 'h', '1')).toEqual(SYNTAX);
    // ABORT only alone.
    expect(c.call('FAILOVER', 'ABORT', 'ABORT')).toEqual(SYNTAX);
    expect(c.call('FAILOVER', 'ABORT', 'TIMEOUT', '10')).toEqual(SYNTAX);
    expect(c.call('FAILOVER', 'ABORT', 'TIMEOUT', '0')).toEqual(SYNTAX);
    expect(c.call('FAILOVER', 'ABORT', 'TO', 'h', 'x')).toEqual(SYNTAX);
    expect(c.call('FAILOVER', 'TO', 'h', '1', 'ABORT')).toEqual(SYNTAX);
    expect(c.call('FAILOVER', 'FORCE', 'ABORT')).toEqual(SYNTAX);
    expect(c.call('FAILOVER', 'TIMEOUT', '0', 'ABORT')).toEqual(err('ERR FAILOVER timeout must be greater than 0'));
  });

  it('state errors without followers: no replicas (also for FORCE without TIMEOUT/TO), ABORT without a failover', () => {
    expect(c.call('FAILOVER')).toEqual(NO_REPLICAS);
    expect(c.call('FAILOVER', 'FORCE')).toEqual(NO_REPLICAS);
    expect(c.call('FAILOVER', 'TO', 'h', '1', 'FORCE')).toEqual(NO_REPLICAS);
    expect(c.call('FAILOVER', 'TIMEOUT', '100', 'FORCE')).toEqual(NO_REPLICAS);
    expect(c.call('FAILOVER', 'TO', 'h', '99999')).toEqual(NO_REPLICAS);
    expect(c.call('FAILOVER', 'ABORT')).toEqual(NO_FAILOVER);
    expect(c.call('failover', 'abort')).toEqual(NO_FAILOVER);
  });

  it('with a follower: FORCE needs TIMEOUT and TO, the target must be a follower and online', async () => {
    // The snapshot slot is busy: the follower waits for its payload.
    const { peer, channel } = await attachFollower('7001', { waitOnline: false });
    expect(peer.state).toBe('wait_bgsave');
    expect(c.call('FAILOVER', 'TO', '10.0.0.9', '7001')).toEqual(err('ERR FAILOVER target replica is not online.'));
    expect(c.call('ROLE')).toEqual(['master', h.core.state.propagator.offset, []]);
    expect(infoField('slave0')).toBe('ip=10.0.0.9,port=7001,state=wait_bgsave,offset=0,lag=0');
    // The server's cron retries the snapshot once the slot is free.
    serveSnapshots();
    h.core.state.replication.tick();
    await until(() => peer.state === 'online', 'the follower to go online');
    expect(channel.text).toContain(`$${FAKE_RDB.length}\r\n${FAKE_RDB}`);
    expect(c.call('FAILOVER', 'FORCE')).toEqual(FORCE_NEEDS);
    expect(c.call('FAILOVER', 'TO', '10.0.0.9', '7001', 'FORCE')).toEqual(FORCE_NEEDS);
    expect(c.call('FAILOVER', 'TIMEOUT', '100', 'FORCE')).toEqual(FORCE_NEEDS);
    expect(c.call('FAILOVER', 'TO', '10.0.0.9', '7002')).toEqual(err('ERR FAILOVER target HOST and PORT is not a replica.'));
    expect(c.call('FAILOVER', 'TO', 'h', '99999', 'FORCE', 'TIMEOUT', '5')).toEqual(
      err('ERR FAILOVER target HOST and PORT is not a replica.'),
    );
    expect(infoField('master_failover_state')).toBe('no-failover');
  });

  it('in progress: FAILOVER again and REPLICAOF are refused; ABORT ends it (also after the follower left)', async () => {
    c.call('SET', 'k', 'v'); // the follower has not acknowledged this: the failover waits
    const { session } = await attachFollower();
    c.call('SET', 'k', 'w');
    expect(c.call('FAILOVER', 'TO', '10.0.0.9', '7001', 'TIMEOUT', '60000')).toBe('OK');
    expect(infoField('master_failover_state')).toBe('waiting-for-sync');
    expect(c.call('FAILOVER')).toEqual(IN_PROGRESS);
    expect(c.call('FAILOVER', 'TO', '10.0.0.9', '7001', 'TIMEOUT', '60000')).toEqual(IN_PROGRESS);
    expect(c.call('REPLICAOF', '127.0.0.1', '1')).toEqual(err('ERR REPLICAOF not allowed while failing over.'));
    expect(c.call('FAILOVER', 'ABORT')).toBe('OK');
    expect(c.call('FAILOVER', 'ABORT')).toEqual(NO_FAILOVER);
    expect(infoField('master_failover_state')).toBe('no-failover');

    expect(c.call('FAILOVER', 'TIMEOUT', '60000')).toBe('OK');
    h.core.closeSession(session);
    expect(infoField('connected_slaves')).toBe('0');
    expect(c.call('FAILOVER')).toEqual(IN_PROGRESS);
    expect(c.call('FAILOVER', 'FORCE')).toEqual(IN_PROGRESS);
    expect(c.call('FAILOVER', 'ABORT')).toBe('OK');
    expect(c.call('FAILOVER')).toEqual(NO_REPLICAS);
    expect(c.call('SET', 'k', 'x')).toBe('OK');
  });

  it('holds writes and PUBLISH while waiting for the target (neither may move the offset); ABORT runs them on the leader', async () => {
    c.call('SET', 'k', 'v'); // not acknowledged yet: the failover keeps waiting
    await attachFollower();
    c.call('SET', 'k', 'w');
    expect(c.call('FAILOVER', 'TIMEOUT', '60000')).toBe('OK');
    const offset = infoField('master_repl_offset');
    const writer = h.connect();
    expect(writer.callRaw(['SET', 'held', '1'])).toEqual([]);
    const publisher = h.connect();
    expect(publisher.callRaw(['PUBLISH', 'ch', 'm'])).toEqual([]);
    expect(infoField('master_repl_offset')).toBe(offset);
    expect(c.call('FAILOVER', 'ABORT')).toBe('OK');
    await sleep(5);
    expect(writer.pending()).toEqual(['OK']);
    expect(publisher.pending()).toEqual([0]);
    expect(c.call('GET', 'held')).toBe('1');
  });
});

describe('the NOREPLICAS gate (min-replicas-to-write, min-replicas-max-lag)', () => {
  it('refuses writes without enough good followers; reads, PING and PUBLISH pass; max-lag 0 turns it off', () => {
    c.call('SET', 'a', 'b');
    expect(c.call('CONFIG', 'SET', 'min-replicas-to-write', '1')).toBe('OK');
    expect(c.call('SET', 'k', 'v')).toEqual(NOREPLICAS);
    expect(c.call('DEL', 'a')).toEqual(NOREPLICAS);
    expect(c.call('INCR', 'n')).toEqual(NOREPLICAS);
    expect(c.call('EXPIRE', 'a', '10')).toEqual(NOREPLICAS);
    expect(c.call('FLUSHALL')).toEqual(NOREPLICAS);
    expect(c.call('GET', 'a')).toBe('b');
    expect(c.call('PING')).toBe('PONG');
    expect(c.call('PUBLISH', 'ch', 'm')).toBe(0);
    expect(c.call('MULTI')).toBe('OK');
    expect(c.call('SET', 'x', 'y')).toEqual(NOREPLICAS);
    expect(c.call('EXEC')).toEqual(err('EXECABORT Transaction discarded because of previous errors.'));
    expect(c.call('MULTI')).toBe('OK');
    expect(c.call('GET', 'a')).toBe('QUEUED');
    expect(c.call('EXEC')).toEqual(['b']);
    expect(c.call('CONFIG', 'SET', 'min-replicas-max-lag', '0')).toBe('OK');
    expect(c.call('SET', 'k', 'v')).toBe('OK');
    expect(c.call('CONFIG', 'SET', 'min-replicas-max-lag', '10', 'min-replicas-to-write', '0')).toBe('OK');
    expect(c.call('SET', 'k', 'v')).toBe('OK');
  });

  it('EXEC of writes queued before the gate closed: EXECABORT with the reason', () => {
    const other = h.connect();
    expect(c.call('MULTI')).toBe('OK');
    expect(c.call('SET', 'a', 'b')).toBe('QUEUED');
    expect(c.call('GET', 'a')).toBe('QUEUED');
    expect(other.call('CONFIG', 'SET', 'min-replicas-to-write', '1')).toBe('OK');
    expect(c.call('EXEC')).toEqual(err('EXECABORT Transaction discarded because of: NOREPLICAS Not enough good replicas to write.'));
    expect(c.call('GET', 'a')).toBeNull();
    // Without writes EXEC passes.
    expect(c.call('MULTI')).toBe('OK');
    expect(c.call('GET', 'a')).toBe('QUEUED');
    expect(c.call('EXEC')).toEqual([null]);
  });

  it('an online follower that acknowledged recently counts as good; one silent for longer than max-lag does not', async () => {
    const { client } = await attachFollower();
    expect(c.call('CONFIG', 'SET', 'min-replicas-to-write', '1', 'min-replicas-max-lag', '10')).toBe('OK');
    client.callRaw(['REPLCONF', 'ACK', '0']);
    expect(infoField('min_slaves_good_slaves')).toBe('1');
    expect(c.call('SET', 'k', 'v')).toBe('OK');
    h.advance(10_999);
    expect(c.call('SET', 'k', 'v')).toBe('OK');
    h.advance(1);
    expect(c.call('SET', 'k', 'v')).toEqual(NOREPLICAS);
    expect(infoField('min_slaves_good_slaves')).toBe('0');
    client.callRaw(['REPLCONF', 'ACK', '0']);
    expect(c.call('SET', 'k', 'v')).toBe('OK');
  });
});
