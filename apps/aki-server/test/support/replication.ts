// Shared machinery of the replication-*.test.ts tier: starting leaders and
// followers (aki, or redis-server with AKI_TEST_AGAINST_REDIS=1), waiting for
// links and for convergence, INFO parsing, and two hand-driven peers for the
// tests where exact bytes matter: a fake replica (a raw client that performs
// the replica side of the handshake against a real leader) and a fake leader
// (a TCP listener a real follower is pointed at).
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach } from 'vitest';
import {
  RawConnection,
  RespError,
  decodeReply,
  encodeCommand,
  encodePipeline,
  freePort,
  replyLength,
  showBytes,
  startAki,
  waitFor,
  type RespValue,
  type RunningServer,
} from '@aki/test-utils';

/**
 * Arguments every node gets. DEBUG (DIGEST, SET-ACTIVE-EXPIRE) must be enabled
 * on redis-server 7. Disk-based (length-prefixed) sync: a Redis leader with
 * diskless sync would wait repl-diskless-sync-delay (5 s) before every full
 * sync and send `$EOF:` payloads; aki always sends `$<len>`. No AOF and no
 * save points unless a test asks (Redis's defaults in test-utils; aki's own
 * default is appendonly yes).
 */
export const BASE_ARGS = ['--enable-debug-command', 'yes', '--repl-diskless-sync', 'no', '--appendonly', 'no', '--save', ''];

/** A running server with an admin connection. */
export interface Node {
  server: RunningServer;
  port: number;
  /** Admin connection (stays in db 0 unless a test selects another one). */
  c: RawConnection;
}

export interface StartNodeOptions {
  /** Extra server arguments (after BASE_ARGS, so they win). */
  args?: string[];
  /** Data directory (a fresh temp dir by default). */
  dir?: string;
}

/** What replicationFixture() hands a test file; everything registered is released after each test. */
export interface ReplicationFixture {
  /** Starts a node (startAki: aki, or redis-server under AKI_TEST_AGAINST_REDIS=1). */
  start(options?: StartNodeOptions): Promise<Node>;
  /** A raw connection to `node`, closed after the test. */
  connect(node: Pick<Node, 'port'>): Promise<RawConnection>;
  /** A fake leader (TCP listener on a free port), closed after the test. */
  fakeLeader(): Promise<FakeLeader>;
  /** A fake replica connected to `port` (handshake not yet done), closed after the test. */
  fakeReplica(port: number): Promise<FakeReplica>;
  /** A fresh temp dir, removed after the file's last test. */
  tmpDir(): string;
  /** Registers something with disconnect() (ioredis, node-redis) to release after the test. */
  client<T extends { disconnect(): unknown }>(c: T): T;
  /** Registers a cleanup action run after the test (before connections and servers go). */
  defer(fn: () => unknown): void;
}

/**
 * Registers afterEach/afterAll hooks and returns the fixture; call once at the
 * top level of a test file. After each test: deferred actions, clients,
 * connections, fake peers, then the servers (SIGKILL, SIGCONT first in case a
 * test stopped one).
 */
export function replicationFixture(prefix: string): ReplicationFixture {
  const servers: RunningServer[] = [];
  const conns: RawConnection[] = [];
  const clients: Array<{ disconnect(): unknown }> = [];
  const closers: Array<() => unknown> = [];
  const deferred: Array<() => unknown> = [];
  const dirs: string[] = [];

  const fx: ReplicationFixture = {
    async start(options = {}) {
      const server = await startAki({ args: [...BASE_ARGS, ...(options.args ?? [])], ...(options.dir ? { dir: options.dir } : {}) });
      servers.push(server);
      const c = await RawConnection.open(server.port);
      conns.push(c);
      return { server, port: server.port, c };
    },
    async connect(node) {
      const c = await RawConnection.open(node.port);
      conns.push(c);
      return c;
    },
    async fakeLeader() {
      const l = await FakeLeader.start();
      closers.push(() => l.close());
      return l;
    },
    async fakeReplica(port) {
      const r = await FakeReplica.open(port);
      closers.push(() => r.close());
      return r;
    },
    tmpDir() {
      const d = mkdtempSync(path.join(os.tmpdir(), prefix));
      dirs.push(d);
      return d;
    },
    client(c) {
      clients.push(c);
      return c;
    },
    defer(fn) {
      deferred.push(fn);
    },
  };

  afterEach(async () => {
    for (const fn of deferred.splice(0)) await fn();
    for (const c of clients.splice(0)) c.disconnect();
    for (const c of conns.splice(0)) c.close();
    for (const close of closers.splice(0)) await close();
    await Promise.all(
      servers.splice(0).map(async (s) => {
        if (!s.hasExited()) {
          try {
            process.kill(s.pid, 'SIGCONT');
          } catch {
            // already gone
          }
        }
        await s.kill();
      }),
    );
  });
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  return fx;
}

// ---------------------------------------------------------------------------
// Commands and INFO

/** Sends a command and returns the decoded reply; throws on an error reply. */
export async function ok(c: RawConnection, ...args: Array<string | number>): Promise<RespValue> {
  const v = await c.command(...args);
  if (v instanceof RespError) throw new Error(`${args.join(' ')} -> -${v.message}`);
  return v;
}

/** The message of an error reply (without the leading '-'); throws if the reply is not an error. */
export async function errorOf(c: RawConnection, ...args: Array<string | number>): Promise<string> {
  const v = await c.command(...args);
  if (!(v instanceof RespError)) throw new Error(`${args.join(' ')} -> expected an error, got ${JSON.stringify(v)}`);
  return v.message;
}

/** Sends `commands` as one pipeline; returns the decoded replies (errors as RespError values). */
export async function pipeline(c: RawConnection, commands: Array<Array<string | number>>): Promise<RespValue[]> {
  if (commands.length === 0) return [];
  c.write(encodePipeline(commands));
  const raw = await c.readReplies(commands.length, 30_000);
  const out: RespValue[] = [];
  for (let at = 0; at < raw.length; ) {
    const r = decodeReply(raw, at)!;
    out.push(r.value);
    at += r.length;
  }
  return out;
}

/** An INFO section as [field, value] pairs in the order the server wrote them. */
export async function infoPairs(c: RawConnection, section: string): Promise<Array<[string, string]>> {
  const v = await c.command('INFO', section);
  if (v instanceof RespError) throw new Error(`INFO ${section} -> ${v.message}`);
  const out: Array<[string, string]> = [];
  for (const line of String(v).split('\r\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const i = line.indexOf(':');
    if (i > 0) out.push([line.slice(0, i), line.slice(i + 1)]);
  }
  return out;
}

/** An INFO section as field -> value. */
export async function info(c: RawConnection, section = 'replication'): Promise<Map<string, string>> {
  return new Map(await infoPairs(c, section));
}

/** One INFO replication field (throws when it is missing). */
export async function replField(c: RawConnection, field: string): Promise<string> {
  const v = (await info(c)).get(field);
  if (v === undefined) throw new Error(`INFO replication has no ${field}`);
  return v;
}

/** sync_full, sync_partial_ok and sync_partial_err from INFO stats. */
export async function syncStats(c: RawConnection): Promise<{ full: number; partialOk: number; partialErr: number }> {
  const s = await info(c, 'stats');
  return { full: Number(s.get('sync_full')), partialOk: Number(s.get('sync_partial_ok')), partialErr: Number(s.get('sync_partial_err')) };
}

/** Parses a `slaveN:ip=...,port=...,state=...,offset=...,lag=...` value. */
export function parseSlaveLine(v: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of v.split(',')) {
    const i = part.indexOf('=');
    if (i > 0) out[part.slice(0, i)] = part.slice(i + 1);
  }
  return out;
}

export async function digest(c: RawConnection): Promise<string> {
  const d = String(await c.command('DEBUG', 'DIGEST'));
  if (!/^[0-9a-f]{40}$/.test(d)) throw new Error(`DEBUG DIGEST replied ${d}`);
  return d;
}

// ---------------------------------------------------------------------------
// Topologies

/** REPLICAOF 127.0.0.1 <leader port> on `follower`; expects +OK. */
export async function replicaOf(follower: Node, leader: Pick<Node, 'port'>): Promise<void> {
  const r = await follower.c.command('REPLICAOF', '127.0.0.1', leader.port);
  if (r !== 'OK') throw new Error(`REPLICAOF 127.0.0.1 ${leader.port} -> ${r instanceof RespError ? `-${r.message}` : JSON.stringify(r)}`);
}

/** Waits until `follower` reports master_link_status:up. */
export async function waitLinkUp(follower: Node, timeoutMs = 15_000): Promise<void> {
  await waitFor(async () => (await replField(follower.c, 'master_link_status')) === 'up', timeoutMs, 25).catch(async (e) => {
    throw new Error(`${(e as Error).message}; follower INFO replication: ${JSON.stringify(await infoPairs(follower.c, 'replication'))}`);
  });
}

/** Waits until `follower` reports master_link_status:down. */
export async function waitLinkDown(follower: Node, timeoutMs = 15_000): Promise<void> {
  await waitFor(async () => (await replField(follower.c, 'master_link_status')) === 'down', timeoutMs, 25);
}

/** Waits until the leader lists `count` replicas in state=online. */
export async function waitOnlineReplicas(leader: Node, count: number, timeoutMs = 15_000): Promise<void> {
  await waitFor(
    async () => {
      const i = await info(leader.c);
      let online = 0;
      for (const [k, v] of i) if (/^slave\d+$/.test(k) && parseSlaveLine(v).state === 'online') online++;
      return online === count;
    },
    timeoutMs,
    25,
  );
}

/** A leader and one follower whose link is up. */
export async function startPair(
  fx: ReplicationFixture,
  options: { leaderArgs?: string[]; followerArgs?: string[] } = {},
): Promise<{ leader: Node; follower: Node }> {
  const [leader, follower] = await Promise.all([fx.start({ args: options.leaderArgs }), fx.start({ args: options.followerArgs })]);
  await replicaOf(follower, leader);
  await waitLinkUp(follower);
  await waitOnlineReplicas(leader, 1);
  return { leader, follower };
}

/** The replication offsets of a node: master_repl_offset and (on a follower) slave_repl_offset. */
export async function offsets(n: Node): Promise<{ master: number; slave: number | undefined; replid: string }> {
  const i = await info(n.c);
  const slave = i.get('slave_repl_offset');
  return { master: Number(i.get('master_repl_offset')), slave: slave === undefined ? undefined : Number(slave), replid: i.get('master_replid')! };
}

/**
 * Waits until every follower has processed everything the leader has put in
 * its stream: the same replid, master_repl_offset equal everywhere and each
 * follower's slave_repl_offset equal to it (all read in one pass).
 */
export async function waitConverged(leader: Node, followers: Node[], timeoutMs = 20_000): Promise<number> {
  let last = '';
  let offset = -1;
  try {
    await waitFor(
      async () => {
        const l = await offsets(leader);
        const fs = await Promise.all(followers.map(offsets));
        last = JSON.stringify({ leader: l, followers: fs });
        offset = l.master;
        return fs.every((f) => f.master === l.master && f.slave === l.master && f.replid === l.replid);
      },
      timeoutMs,
      25,
    );
  } catch (e) {
    throw new Error(`${(e as Error).message}; last offsets: ${last}`);
  }
  return offset;
}

/**
 * Waits until the nodes have converged and their DEBUG DIGESTs agree, read
 * between two identical offset snapshots (so a key the leader expires in
 * between only causes a retry). Returns the common digest.
 */
export async function waitSameDigest(leader: Node, followers: Node[], timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    const o1 = await waitConverged(leader, followers, Math.max(1000, deadline - Date.now()));
    const ds = await Promise.all([leader, ...followers].map((n) => digest(n.c)));
    const after = await Promise.all([leader, ...followers].map(offsets));
    const stable = after.every((o) => o.master === o1);
    if (stable && ds.every((d) => d === ds[0])) return ds[0]!;
    last = `offset ${o1}, stable ${stable}, digests ${ds.join(' ')}`;
    if (Date.now() > deadline) throw new Error(`digests did not agree within ${timeoutMs} ms: ${last}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// ---------------------------------------------------------------------------
// Bytes

/** One command as the RESP bytes a client or leader sends (latin1 string). */
export function cmd(...args: Array<string | number>): string {
  return encodeCommand(...args).toString('latin1');
}

/** `REPLCONF GETACK *` as it appears in a replication stream (37 bytes). */
export const GETACK = cmd('REPLCONF', 'GETACK', '*');

/**
 * An RDB (version 10) holding the string foo=bar in db 0, without aux fields,
 * with its CRC64 (32 bytes; accepted by redis-server 7.0 and redis-check-rdb).
 */
export const RDB_FOO = Buffer.from('524544495330303130fe00fb01000003666f6f03626172ffa125e41c1ad07c4c', 'hex');
/** The empty RDB (version 10) with a zero checksum ("not checked"), 18 bytes. */
export const RDB_EMPTY = Buffer.from('524544495330303130ff0000000000000000', 'hex');

/** Two distinct, valid-looking replication ids. */
export const ID_A = '4f1d7c2b9e8a6d5c3b2a190817263544536271a0';
export const ID_B = 'b0e1d2c3f4a5968778695a4b3c2d1e0f9a8b7c6d';

/** Length of the RESP command (array of bulk strings) at `from` in `buf`, or -1 if incomplete. */
function commandLength(buf: Buffer, from: number): number {
  if (from >= buf.length) return -1;
  if (buf[from] !== 0x2a /* * */) throw new Error(`expected a RESP array in the stream, got ${showBytes(buf.subarray(from), 80)}`);
  return replyLength(buf, from);
}

function skipNewlines(buf: Buffer, from = 0): number {
  let i = from;
  while (i < buf.length && buf[i] === 0x0a) i++;
  return i;
}

/** A command read from a replication stream. */
export interface StreamCommand {
  argv: string[];
  /** The command's exact bytes (without preceding '\n' keepalives). */
  raw: Buffer;
}

function decodeCommand(raw: Buffer): string[] {
  const v = decodeReply(raw)!.value;
  if (!Array.isArray(v)) throw new Error(`not a command: ${showBytes(raw)}`);
  return v.map((x) => String(x));
}

/** Reads one command (skipping '\n' keepalives) from a raw connection. */
export async function readStreamCommand(c: RawConnection, timeoutMs = 5000): Promise<StreamCommand> {
  const bytes = await c.readUntil((b) => {
    const s = skipNewlines(b);
    const n = commandLength(b, s);
    return n < 0 ? false : s + n;
  }, timeoutMs);
  const raw = bytes.subarray(skipNewlines(bytes));
  return { argv: decodeCommand(raw), raw: Buffer.from(raw) };
}

/** True for the leader's keepalive PING in the stream. */
export const isPing = (c: StreamCommand) => c.argv.length === 1 && c.argv[0]!.toLowerCase() === 'ping';

// ---------------------------------------------------------------------------
// Fake replica

export type PsyncOutcome =
  | { kind: 'full'; replid: string; offset: number; rdb: Buffer }
  | { kind: 'continue'; replid: string | undefined }
  | { kind: 'error'; message: string };

/** A raw client that plays the replica side of the protocol against a real leader. */
export class FakeReplica {
  /** Stream bytes received after the payload (or +CONTINUE), in order. */
  streamBytes = Buffer.alloc(0);

  private constructor(readonly conn: RawConnection) {}

  static async open(port: number): Promise<FakeReplica> {
    return new FakeReplica(await RawConnection.open(port));
  }

  /** PING, REPLCONF listening-port, REPLCONF capa ...; checks each reply. */
  async handshake(listeningPort: number, capas: string[] = ['psync2']): Promise<void> {
    const pong = (await this.conn.call('PING')).toString('latin1');
    if (pong !== '+PONG\r\n') throw new Error(`PING -> ${JSON.stringify(pong)}`);
    const lp = (await this.conn.call('REPLCONF', 'listening-port', listeningPort)).toString('latin1');
    if (lp !== '+OK\r\n') throw new Error(`REPLCONF listening-port -> ${JSON.stringify(lp)}`);
    if (capas.length) {
      const r = (await this.conn.call('REPLCONF', ...capas.flatMap((c) => ['capa', c]))).toString('latin1');
      if (r !== '+OK\r\n') throw new Error(`REPLCONF capa -> ${JSON.stringify(r)}`);
    }
  }

  /**
   * Sends PSYNC and reads the reply line (skipping '\n' keepalives); for a full
   * resync also the `$<len>` payload. Leaves the stream to readCommand().
   */
  async psync(replid: string, offset: number | string, timeoutMs = 15_000): Promise<PsyncOutcome> {
    this.conn.send('PSYNC', replid, offset);
    const lineBytes = await this.conn.readUntil(/^\n*[+-][^\r\n]*\r\n/, timeoutMs);
    const line = lineBytes.toString('latin1').replace(/^\n+/, '').replace(/\r\n$/, '');
    if (line.startsWith('-')) return { kind: 'error', message: line.slice(1) };
    let m = /^\+FULLRESYNC (\S+) (\d+)$/.exec(line);
    if (m) {
      const header = (await this.conn.readUntil(/^\n*\$[^\r\n]*\r\n/, timeoutMs)).toString('latin1').replace(/^\n+/, '');
      const lm = /^\$(\d+)\r\n$/.exec(header);
      if (!lm) throw new Error(`expected a $<len> payload header, got ${JSON.stringify(header)}`);
      const rdb = await this.conn.readUntil(Number(lm[1]), timeoutMs);
      return { kind: 'full', replid: m[1]!, offset: Number(m[2]), rdb };
    }
    m = /^\+CONTINUE(?: (\S+))?$/.exec(line);
    if (m) return { kind: 'continue', replid: m[1] };
    throw new Error(`unexpected PSYNC reply ${JSON.stringify(line)}`);
  }

  /** Reads the next stream command (recording its bytes in streamBytes). */
  async readCommand(timeoutMs = 5000): Promise<StreamCommand> {
    const c = await readStreamCommand(this.conn, timeoutMs);
    this.streamBytes = Buffer.concat([this.streamBytes, c.raw]);
    return c;
  }

  /** Reads the next stream command that is not a keepalive PING. */
  async readNonPing(timeoutMs = 5000): Promise<StreamCommand> {
    for (;;) {
      const c = await this.readCommand(timeoutMs);
      if (!isPing(c)) return c;
    }
  }

  /** Reads commands until `total` stream bytes have been received in all. */
  async readStreamUntil(total: number, timeoutMs = 5000): Promise<StreamCommand[]> {
    const out: StreamCommand[] = [];
    while (this.streamBytes.length < total) out.push(await this.readCommand(timeoutMs));
    if (this.streamBytes.length !== total) throw new Error(`stream overshot: ${this.streamBytes.length} bytes, wanted ${total}`);
    return out;
  }

  ack(offset: number): void {
    this.conn.send('REPLCONF', 'ACK', offset);
  }

  close(): void {
    this.conn.close();
  }
}

// ---------------------------------------------------------------------------
// Fake leader

/** One connection accepted by a FakeLeader: everything the follower sent, read in order. */
export class LeaderSidePeer {
  private buf = Buffer.alloc(0);
  private pos = 0;
  readonly closed: Promise<void>;
  private isClosedFlag = false;

  constructor(readonly socket: net.Socket) {
    socket.setNoDelay(true);
    socket.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
    });
    socket.on('error', () => {});
    this.closed = new Promise((r) =>
      socket.once('close', () => {
        this.isClosedFlag = true;
        r();
      }),
    );
  }

  isClosed(): boolean {
    return this.isClosedFlag;
  }

  /** Every byte received so far, consumed or not. */
  received(): Buffer {
    return this.buf;
  }

  /** Bytes received and not consumed yet. */
  pending(): Buffer {
    return this.buf.subarray(this.pos);
  }

  /** Consumes and returns the next `n` bytes (latin1), waiting for them. */
  async take(n: number, timeoutMs = 5000): Promise<string> {
    try {
      await waitFor(() => this.buf.length - this.pos >= n, timeoutMs, 5);
    } catch {
      throw new Error(`fake leader: wanted ${n} bytes within ${timeoutMs} ms, have ${showBytes(this.pending())}`);
    }
    const s = this.buf.toString('latin1', this.pos, this.pos + n);
    this.pos += n;
    return s;
  }

  /** Consumes and decodes the next command (skipping '\n' keepalives). */
  async readCommand(timeoutMs = 5000): Promise<StreamCommand> {
    let result: StreamCommand | undefined;
    const attempt = () => {
      const s = skipNewlines(this.buf, this.pos);
      const n = commandLength(this.buf, s);
      if (n < 0) return false;
      const raw = Buffer.from(this.buf.subarray(s, s + n));
      this.pos = s + n;
      result = { argv: decodeCommand(raw), raw };
      return true;
    };
    try {
      await waitFor(attempt, timeoutMs, 5);
    } catch (e) {
      throw new Error(`fake leader: no complete command within ${timeoutMs} ms (${(e as Error).message}); have ${showBytes(this.pending())}`);
    }
    return result!;
  }

  /** Consumes every complete command received so far (and bare '\n's). */
  drainCommands(): StreamCommand[] {
    const out: StreamCommand[] = [];
    for (;;) {
      const s = skipNewlines(this.buf, this.pos);
      this.pos = s;
      const n = commandLength(this.buf, s);
      if (n < 0) return out;
      const raw = Buffer.from(this.buf.subarray(s, s + n));
      this.pos = s + n;
      out.push({ argv: decodeCommand(raw), raw });
    }
  }

  write(data: string | Buffer): void {
    if (!this.socket.destroyed) this.socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  }

  close(): void {
    this.socket.destroy();
  }
}

/** A TCP listener standing in for a leader: tests drive each accepted connection by hand. */
export class FakeLeader {
  private accepted: LeaderSidePeer[] = [];
  private next = 0;

  private constructor(
    private readonly srv: net.Server,
    readonly port: number,
  ) {
    srv.on('connection', (s) => this.accepted.push(new LeaderSidePeer(s)));
  }

  static async start(): Promise<FakeLeader> {
    for (let attempt = 0; ; attempt++) {
      const port = await freePort();
      const srv = net.createServer();
      try {
        await new Promise<void>((resolve, reject) => {
          srv.once('error', reject);
          srv.listen({ port, host: '127.0.0.1' }, () => resolve());
        });
        return new FakeLeader(srv, port);
      } catch (e) {
        srv.close();
        if (attempt >= 3) throw e;
      }
    }
  }

  /** The next connection a follower made (in arrival order), waiting for it. */
  async accept(timeoutMs = 10_000): Promise<LeaderSidePeer> {
    await waitFor(() => this.accepted.length > this.next, timeoutMs, 5).catch(() => {
      throw new Error(`fake leader on ${this.port}: no connection within ${timeoutMs} ms`);
    });
    return this.accepted[this.next++]!;
  }

  /** Number of connections accepted so far. */
  connectionCount(): number {
    return this.accepted.length;
  }

  async close(): Promise<void> {
    for (const p of this.accepted) p.close();
    await new Promise<void>((r) => this.srv.close(() => r()));
  }
}
