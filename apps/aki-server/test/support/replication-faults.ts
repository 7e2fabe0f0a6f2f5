// Helpers for the replication fault, failover and interop tiers
// (replication-faults / replication-failover / replication-interop .test.ts):
// starting leader and follower processes of a chosen kind, reading the INFO
// fields the scenarios assert on, waiting for a link or for two datasets to
// converge, and bulk writes of a known size.
import { randomBytes } from 'node:crypto';
import { afterEach } from 'vitest';
import {
  RawConnection,
  RespError,
  serverUnderTest,
  startOrExit,
  waitFor,
  type LaunchedServer,
  type ServerKind,
} from '@aki/test-utils';
import { DEBUG_ARGS, digest, info, persistenceFixture, pipelineOk, type PersistenceFixture } from './persistence-data.js';

export { digest, info, pipelineOk };

/** A started server plus one control connection to it. */
export interface ReplNode {
  kind: ServerKind;
  server: LaunchedServer;
  /** The port clients (and followers) connect to. */
  port: number;
  /** A control connection, closed by the fixture after the test. */
  c: RawConnection;
}

/** Anything a test opens that must be released after it (fault proxies, ...). */
export interface Closable {
  close(): unknown;
}

export interface ReplFixture extends PersistenceFixture {
  /** Closed after each test, before the servers are killed. */
  closables: Closable[];
}

/**
 * The per-file fixture: persistenceFixture() (servers killed, connections and
 * clients closed, temp dirs removed) plus `closables` (fault proxies) closed
 * after each test. Call once at the top level of a test file.
 */
export function replFixture(prefix: string): ReplFixture {
  const fx = persistenceFixture(prefix) as ReplFixture;
  fx.closables = [];
  afterEach(async () => {
    for (const p of fx.closables.splice(0)) {
      try {
        await p.close();
      } catch {
        // already closed
      }
    }
  });
  return fx;
}

export interface NodeOptions {
  /** Which binary; serverUnderTest() when omitted. */
  kind?: ServerKind;
  /** Extra server arguments (after the defaults, so they win). */
  args?: string[];
  /** Data directory; a fresh fixture temp dir when omitted. */
  dir?: string;
  /** Listen on this port instead of a free one (to restart a node where its followers expect it). */
  port?: number;
}

/**
 * Arguments every node of these tiers gets: DEBUG enabled (DEBUG DIGEST), and on
 * redis-server no delay before a diskless sync starts (its 7.0 default waits 5 s
 * for more replicas; aki has no such delay).
 */
export function baseArgs(kind: ServerKind): string[] {
  return kind === 'redis' ? [...DEBUG_ARGS, '--repl-diskless-sync-delay', '0'] : [...DEBUG_ARGS];
}

/** Starts a node, waits until it is ready and opens its control connection. */
export async function startNode(fx: ReplFixture, options: NodeOptions = {}): Promise<ReplNode> {
  const kind = options.kind ?? serverUnderTest();
  const dir = options.dir ?? fx.tmpDir();
  const args = [...baseArgs(kind), ...(options.args ?? []), ...(options.port !== undefined ? ['--port', String(options.port)] : [])];
  const outcome = await startOrExit({ kind, dir, args, timeoutMs: 20_000 });
  if (!outcome.ready) {
    throw new Error(`${kind} did not start (code ${outcome.code}, signal ${outcome.signal}, timed out: ${outcome.timedOut}):\n${outcome.output}`);
  }
  const server = outcome.server;
  fx.running.push(server);
  const port = options.port ?? server.port;
  const c = await RawConnection.open(port);
  fx.conns.push(c);
  return { kind, server, port, c };
}

/** Opens another connection to `node`, closed by the fixture after the test. */
export async function connectTo(fx: ReplFixture, port: number): Promise<RawConnection> {
  const c = await RawConnection.open(port);
  fx.conns.push(c);
  return c;
}

/** REPLICAOF host port (or NO ONE when port is omitted); returns the status reply, throws on an error reply. */
export async function replicaOf(c: RawConnection, port?: number, host = '127.0.0.1'): Promise<string> {
  const r = port === undefined ? await c.command('REPLICAOF', 'NO', 'ONE') : await c.command('REPLICAOF', host, port);
  if (r instanceof RespError) throw new Error(`REPLICAOF ${port === undefined ? 'NO ONE' : `${host} ${port}`} -> ${r.message}`);
  return String(r);
}

/** INFO replication as a map. */
export function replInfo(c: RawConnection): Promise<Map<string, string>> {
  return info(c, 'replication');
}

export interface SyncStats {
  full: number;
  partialOk: number;
  partialErr: number;
}

/** The leader-side sync counters of INFO stats. */
export async function syncStats(c: RawConnection): Promise<SyncStats> {
  const s = await info(c, 'stats');
  const n = (k: string) => {
    const v = s.get(k);
    if (v === undefined) throw new Error(`INFO stats has no ${k}`);
    return Number(v);
  };
  return { full: n('sync_full'), partialOk: n('sync_partial_ok'), partialErr: n('sync_partial_err') };
}

/** Waits until the follower reports its link up and no sync in progress. */
export async function waitLinkUp(f: RawConnection, timeoutMs = 15_000): Promise<void> {
  let last = '';
  try {
    await waitFor(
      async () => {
        const i = await replInfo(f);
        last = `role=${i.get('role')} link=${i.get('master_link_status')} sync_in_progress=${i.get('master_sync_in_progress')}`;
        return i.get('role') === 'slave' && i.get('master_link_status') === 'up' && i.get('master_sync_in_progress') === '0';
      },
      timeoutMs,
      50,
    );
  } catch (e) {
    throw new Error(`follower link not up within ${timeoutMs} ms (last: ${last}): ${(e as Error).message}`);
  }
}

/** The state= field of every slaveN line of a leader's INFO replication. */
export function replicaStates(i: Map<string, string>): string[] {
  const out: string[] = [];
  for (const [k, v] of i) if (/^slave\d+$/.test(k)) out.push(/state=([a-z_]+)/.exec(v)?.[1] ?? '?');
  return out;
}

/** Waits until the leader lists `n` replicas, all online. */
export async function waitReplicasOnline(l: RawConnection, n = 1, timeoutMs = 15_000): Promise<void> {
  await waitFor(
    async () => {
      const states = replicaStates(await replInfo(l));
      return states.length === n && states.every((s) => s === 'online');
    },
    timeoutMs,
    50,
  );
}

/** Waits until the leader lists no replica at all. */
export async function waitNoReplicas(l: RawConnection, timeoutMs = 15_000): Promise<void> {
  await waitFor(async () => (await replInfo(l)).get('connected_slaves') === '0', timeoutMs, 50);
}

/**
 * Waits until DEBUG DIGEST is the same on both connections and returns it. On
 * timeout the error says how far apart the two are (digests, DBSIZE, offsets).
 */
export async function waitConverged(l: RawConnection, f: RawConnection, timeoutMs = 20_000): Promise<string> {
  let d = '';
  try {
    await waitFor(
      async () => {
        const [a, b] = [await digest(l), await digest(f)];
        d = a;
        return a === b;
      },
      timeoutMs,
      100,
    );
  } catch (e) {
    const describe = async (c: RawConnection) => {
      try {
        const i = await replInfo(c);
        return `digest=${await digest(c)} dbsize=${String(await c.command('DBSIZE'))} role=${i.get('role')} link=${i.get('master_link_status')} master_repl_offset=${i.get('master_repl_offset')} slave_repl_offset=${i.get('slave_repl_offset')}`;
      } catch (err) {
        return `(unreadable: ${(err as Error).message})`;
      }
    };
    throw new Error(`datasets did not converge within ${timeoutMs} ms:\n  leader:   ${await describe(l)}\n  follower: ${await describe(f)}\n${(e as Error).message}`);
  }
  return d;
}

/** DEBUG DIGEST of an empty dataset. */
export const EMPTY_DIGEST = '0'.repeat(40);

/** A value of `size` random (incompressible) bytes, as a latin1 string. */
export function randomValue(size: number): string {
  return randomBytes(size).toString('latin1');
}

/**
 * SETs `count` keys `<prefix>:<i>` to random values of `size` bytes, pipelined in
 * batches; returns the approximate number of stream bytes that produces.
 */
export async function fillStrings(c: RawConnection, prefix: string, count: number, size: number, batch = 200): Promise<number> {
  let bytes = 0;
  for (let i = 0; i < count; i += batch) {
    const cmds: Array<Array<string | number>> = [];
    for (let j = i; j < Math.min(count, i + batch); j++) {
      const key = `${prefix}:${j}`;
      cmds.push(['SET', key, randomValue(size)]);
      bytes += size + key.length + 30;
    }
    await pipelineOk(c, cmds);
  }
  return bytes;
}

/** A few writes of every type (small encodings) under `prefix`, for stream traffic that is not just SET. */
export function mixedWrites(prefix: string, n: number): Array<Array<string | number>> {
  const cmds: Array<Array<string | number>> = [];
  for (let i = 0; i < n; i++) {
    switch (i % 8) {
      case 0:
        cmds.push(['SET', `${prefix}:s:${i}`, `v${i}`]);
        break;
      case 1:
        cmds.push(['INCR', `${prefix}:ctr`]);
        break;
      case 2:
        cmds.push(['RPUSH', `${prefix}:list`, `e${i}`, String(i)]);
        break;
      case 3:
        cmds.push(['HSET', `${prefix}:hash`, `f${i}`, `hv${i}`]);
        break;
      case 4:
        cmds.push(['SADD', `${prefix}:set`, String(i), `m${i}`]);
        break;
      case 5:
        cmds.push(['ZADD', `${prefix}:zset`, String(i / 7), `z${i}`]);
        break;
      case 6:
        cmds.push(['LPOP', `${prefix}:list`]);
        break;
      default:
        cmds.push(['INCRBYFLOAT', `${prefix}:float`, '1.25']);
    }
  }
  return cmds;
}

/** DBSIZE as a number. */
export async function dbsize(c: RawConnection): Promise<number> {
  const r = await c.command('DBSIZE');
  if (r instanceof RespError) throw new Error(`DBSIZE -> ${r.message}`);
  return Number(r);
}

/** Resumes a SIGSTOPped process; harmless when it already runs or is gone. */
export function resume(pid: number): void {
  try {
    process.kill(pid, 'SIGCONT');
  } catch {
    // gone
  }
}

export { startFaultProxy, type FaultProxy } from '@aki/test-utils';
