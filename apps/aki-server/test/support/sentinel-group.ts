// A Sentinel-managed group for the high-availability tests: three nodes (one
// leader, two followers) started from operator config files on fixed ports,
// three stock redis-sentinel processes watching them, and an ioredis client
// that finds the leader through Sentinel and writes continuously, recording
// which writes were acknowledged with WAIT 1.
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import {
  freePort,
  RawConnection,
  RespError,
  serverUnderTest,
  sleep,
  startOrExit,
  startSentinel,
  waitFor,
  type LaunchedServer,
  type RunningSentinel,
  type ServerKind,
} from '@aki/test-utils';
import { digest, parseInfo } from './persistence-data.js';
import { baseArgs, type ReplFixture } from './replication-faults.js';

export const MASTER_NAME = 'mymaster';

/** The Sentinel timings the tests run with (reported in the closing note of issue 6). */
// down-after leaves a loaded CI machine room: a node's event loop stalling that long would start a failover nobody asked for.
export const SENTINEL_TIMINGS = { downAfterMs: 2500, failoverTimeoutMs: 8000, quorum: 2 } as const;

/**
 * One node of the group. There is no long-lived control connection: Sentinel
 * sends `CLIENT KILL TYPE normal` with every reconfiguration, so each probe
 * opens its own (see nodeCommand).
 */
export interface GroupNode {
  kind: ServerKind;
  port: number;
  dir: string;
  configFile: string;
  server: LaunchedServer;
}

/**
 * Starts (or restarts, on the same port, directory and config file) one node.
 * The config file is written only on the first start, the way an operator
 * would: Sentinel's CONFIG REWRITE edits it from then on.
 */
export async function startGroupNode(
  fx: ReplFixture,
  spec: { port: number; dir: string; followPort?: number; kind?: ServerKind; configLines?: string[] },
): Promise<GroupNode> {
  const kind = spec.kind ?? serverUnderTest();
  const configFile = path.join(spec.dir, 'node.conf');
  if (!existsSync(configFile)) {
    const lines = [
      '# One node of the high-availability test group.',
      `port ${spec.port}`,
      'appendonly yes',
      'appendfsync everysec',
      // aki: a planned switchover (SENTINEL FAILOVER) hands the old leader's role over without losing writes.
      ...(kind === 'aki' ? ['promotion-handover yes'] : []),
      ...(spec.configLines ?? []),
      ...(spec.followPort === undefined ? [] : [`replicaof 127.0.0.1 ${spec.followPort}`]),
      '',
    ];
    writeFileSync(configFile, lines.join('\n'));
  }
  const outcome = await startOrExit({
    kind,
    dir: spec.dir,
    configFile,
    // --port repeats the file's port: the launcher's own free-port default must not win.
    args: [...baseArgs(kind), '--appendonly', 'yes', '--port', String(spec.port)],
    timeoutMs: 20_000,
  });
  if (!outcome.ready) throw new Error(`${kind} did not start on ${spec.port}:\n${outcome.output}`);
  fx.running.push(outcome.server);
  return { kind, port: spec.port, dir: spec.dir, configFile, server: outcome.server };
}

export interface SentinelGroup {
  nodes: GroupNode[];
  sentinels: RunningSentinel[];
}

/**
 * Three nodes (nodes[0] leads) and three sentinels that have discovered all of
 * them and each other. `followerConfig` adds config lines to nodes[1] and nodes[2].
 */
export async function startSentinelGroup(fx: ReplFixture, followerConfig: [string[], string[]] = [[], []]): Promise<SentinelGroup> {
  const ports = [await freePort(), await freePort(), await freePort()];
  const leader = await startGroupNode(fx, { port: ports[0]!, dir: fx.tmpDir() });
  const followers = [
    await startGroupNode(fx, { port: ports[1]!, dir: fx.tmpDir(), followPort: leader.port, configLines: followerConfig[0] }),
    await startGroupNode(fx, { port: ports[2]!, dir: fx.tmpDir(), followPort: leader.port, configLines: followerConfig[1] }),
  ];
  const nodes = [leader, ...followers];
  for (const f of followers) await waitLinkUpTo(f, leader.port);

  return { nodes, sentinels: await startSentinels(fx, leader.port) };
}

/**
 * Three sentinels monitoring the leader at `leaderPort` (a node, or a proxy
 * in front of one), once each has discovered both followers and the other two.
 */
export async function startSentinels(fx: ReplFixture, leaderPort: number): Promise<RunningSentinel[]> {
  const sentinels: RunningSentinel[] = [];
  for (let i = 0; i < 3; i++) {
    const s = await startSentinel({ masterName: MASTER_NAME, masterPort: leaderPort, dir: fx.tmpDir(), ...SENTINEL_TIMINGS });
    sentinels.push(s);
    fx.closables.push({ close: () => s.kill() });
  }
  for (const s of sentinels) {
    await waitFor(
      async () => {
        const m = await sentinelMaster(s);
        return m.get('num-slaves') === '2' && m.get('num-other-sentinels') === '2' && m.get('flags') === 'master';
      },
      30_000,
      100,
    );
  }
  return sentinels;
}

/** Runs `use` on a short-lived connection to a node or a sentinel (Sentinel kills long-lived ones). */
async function withConnection<T>(target: { port: number }, use: (c: RawConnection) => Promise<T>): Promise<T> {
  const c = await RawConnection.open(target.port);
  try {
    return await use(c);
  } finally {
    c.close();
  }
}

/** One request to a node or a sentinel. */
export function nodeCommand(target: { port: number }, ...args: string[]): Promise<unknown> {
  return withConnection(target, (c) => c.command(...args));
}

/** One request to a sentinel. */
export const askSentinel = (s: RunningSentinel, ...args: string[]) => nodeCommand(s, ...args);

/** DEBUG DIGEST of a node. */
export function nodeDigest(node: GroupNode): Promise<string> {
  return withConnection(node, digest);
}

/** SENTINEL MASTER <name> as a map. */
export async function sentinelMaster(s: RunningSentinel): Promise<Map<string, string>> {
  const reply = await askSentinel(s, 'SENTINEL', 'MASTER', MASTER_NAME);
  if (!Array.isArray(reply)) throw new Error(`SENTINEL MASTER: ${String(reply)}`);
  const m = new Map<string, string>();
  for (let i = 0; i + 1 < reply.length; i += 2) m.set(String(reply[i]), String(reply[i + 1]));
  return m;
}

/** The leader's port according to one sentinel. */
export async function leaderPortSeenBy(s: RunningSentinel): Promise<number> {
  const reply = await askSentinel(s, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', MASTER_NAME);
  if (!Array.isArray(reply)) throw new Error(`GET-MASTER-ADDR-BY-NAME: ${String(reply)}`);
  return Number(reply[1]);
}

async function replInfo(node: GroupNode): Promise<Map<string, string>> {
  const text = await nodeCommand(node, 'INFO', 'replication');
  if (text instanceof RespError) throw new Error(text.message);
  return parseInfo(String(text));
}

/**
 * Waits until every sentinel names the same leader, one of `candidates`;
 * returns its port.
 */
export async function waitForNewLeader(sentinels: RunningSentinel[], candidates: GroupNode[], timeoutMs: number): Promise<number> {
  let port = 0;
  await waitFor(
    async () => {
      const seen = await Promise.all(sentinels.map((s) => leaderPortSeenBy(s)));
      port = seen[0]!;
      return seen.every((p) => p === port) && candidates.some((n) => n.port === port);
    },
    timeoutMs,
    100,
  );
  return port;
}

/** Waits until `node` follows the node on `leaderPort` with its link up and no sync running. */
export async function waitLinkUpTo(node: GroupNode, leaderPort: number, timeoutMs = 20_000): Promise<void> {
  let last = '';
  try {
    await waitFor(
      async () => {
        const i = await replInfo(node);
        last = `role=${i.get('role')} master_port=${i.get('master_port')} link=${i.get('master_link_status')}`;
        return (
          i.get('role') === 'slave' &&
          i.get('master_port') === String(leaderPort) &&
          i.get('master_link_status') === 'up' &&
          i.get('master_sync_in_progress') === '0'
        );
      },
      timeoutMs,
      100,
    );
  } catch (e) {
    throw new Error(`not a follower of ${leaderPort} with its link up within ${timeoutMs} ms (last: ${last}): ${(e as Error).message}`);
  }
}

/** The role a node reports in INFO replication. */
export async function roleOf(node: GroupNode): Promise<string | undefined> {
  return (await replInfo(node)).get('role');
}

interface Ack {
  value: string;
  at: number;
}

/**
 * An ioredis client connected through the sentinels that writes `SET w:<n> <n>`
 * followed by `WAIT 1 <ms>` in one pipeline, one pair at a time, until
 * stopped. A write counts as acknowledged when SET answered OK and WAIT
 * counted at least one follower, both on the same connection: when a
 * connection drops, ioredis rejects a pipeline that got only part of its
 * replies and resends a pipeline that got none as a whole, so a WAIT only
 * ever vouches for the SET sent with it to the same node.
 */
export class SentinelWriter {
  readonly client: Redis;
  readonly acknowledged = new Map<string, Ack>();
  /** Every SET that answered OK (acknowledged by WAIT or not): when, and the port of the node that answered. */
  readonly oks: Array<{ at: number; port: number | undefined }> = [];
  errors = 0;
  lastError = '';
  /** Times the client had ended (ioredis gave up) and the writer connected it again. */
  restarts = 0;
  #stopped = false;
  #loop: Promise<void> | undefined;
  #n = 0;

  constructor(sentinels: RunningSentinel[]) {
    this.client = new Redis({
      sentinels: sentinels.map((s) => ({ host: '127.0.0.1', port: s.port })),
      name: MASTER_NAME,
      // No failoverDetector: in ioredis 6.0 its +switch-master handler can close the
      // connector while a reconnect is resolving the leader, which ends the client for good.
      sentinelRetryStrategy: () => 100,
      retryStrategy: () => 100,
      // A write to a node that just became a follower: reconnect (through Sentinel) and retry.
      reconnectOnError: (err) => (err.message.startsWith('READONLY') ? 2 : false),
      maxRetriesPerRequest: null,
      enableOfflineQueue: true,
    });
    this.client.on('error', () => {});
  }

  start(): void {
    this.#loop = this.#run();
  }

  async #run(): Promise<void> {
    while (!this.#stopped) {
      if (this.client.status === 'end') {
        // A client library giving up is not what these tests are about: start it again, and say so.
        this.restarts++;
        this.client.connect().catch(() => {});
      }
      const n = ++this.#n;
      const key = `w:${n}`;
      const value = String(n);
      try {
        const results = await this.client.pipeline().set(key, value).wait(1, 1000).exec();
        const [setResult, waitResult] = results ?? [];
        if (setResult?.[0] == null && setResult?.[1] === 'OK') {
          this.oks.push({ at: Date.now(), port: this.client.stream?.remotePort });
          if (waitResult?.[0] == null && Number(waitResult?.[1]) >= 1) this.acknowledged.set(key, { value, at: Date.now() });
        } else {
          this.#failed(setResult?.[0] ?? waitResult?.[0]);
          await sleep(20);
        }
      } catch (err) {
        this.#failed(err);
        await sleep(20);
      }
    }
  }

  #failed(err: unknown): void {
    this.errors++;
    this.lastError = err instanceof Error ? err.message : String(err);
  }

  /** Writes acknowledged after `t` (ms since epoch). */
  acknowledgedAfter(t: number): number {
    let n = 0;
    for (const ack of this.acknowledged.values()) if (ack.at > t) n++;
    return n;
  }

  /** When the node on `port` first answered a SET with OK after `t`, or undefined. */
  firstOkOn(port: number, t: number): number | undefined {
    return this.oks.find((ok) => ok.at > t && ok.port === port)?.at;
  }

  /** The longest time between two consecutive OK SETs after `t` (how long writes were unavailable). */
  longestGapAfter(t: number): number {
    let longest = 0;
    const times = this.oks.filter((ok) => ok.at > t).map((ok) => ok.at);
    for (let i = 1; i < times.length; i++) longest = Math.max(longest, times[i]! - times[i - 1]!);
    return longest;
  }

  /**
   * Stops writing. Disconnecting first fails the pipeline in flight (ioredis
   * rejects queued commands on a manual disconnect), so the loop ends even
   * when that pipeline waits for a node that is gone.
   */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.client.disconnect();
    await Promise.race([this.#loop, sleep(5_000)]);
  }
}

/** The acknowledged keys missing (or different) on `node`. */
export async function missingAcknowledged(node: GroupNode, acknowledged: Map<string, Ack>): Promise<string[]> {
  const keys = [...acknowledged.keys()];
  const missing: string[] = [];
  for (let i = 0; i < keys.length; i += 500) {
    const batch = keys.slice(i, i + 500);
    const values = await nodeCommand(node, 'MGET', ...batch);
    if (!Array.isArray(values)) throw new Error(`MGET: ${String(values)}`);
    batch.forEach((k, j) => {
      if (values[j] === null || String(values[j]) !== acknowledged.get(k)!.value) missing.push(k);
    });
  }
  return missing;
}
