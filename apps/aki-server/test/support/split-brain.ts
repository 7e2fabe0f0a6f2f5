// Machinery of ha-split-brain.test.ts: a leader with two followers, each
// behind its own fault proxy (so a test can partition the leader from both),
// writes acknowledged with WAIT before a partition, paced writes with their
// timing while the leader is cut off, the Sentinel-style promotion of the most
// advanced follower, and probes of a node's AOF files.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { RawConnection, RespError, sleep, waitFor } from '@aki/test-utils';
import { digest, pipeline } from './persistence-data.js';
import {
  replicaOf,
  replInfo,
  startFaultProxy,
  startNode,
  waitLinkUp,
  waitReplicasOnline,
  type FaultProxy,
  type ReplFixture,
  type ReplNode,
} from './replication-faults.js';

/** The exact error of a leader without enough good followers (min-replicas-to-write). */
export const NOREPLICAS = 'NOREPLICAS Not enough good replicas to write.';
/** The exact error of a write sent to a read-only follower. */
export const READONLY = "READONLY You can't write against a read only replica.";

/** A follower of the trio and the proxy it reaches the leader through. */
export interface ProxiedFollower {
  node: ReplNode;
  proxy: FaultProxy;
}

export interface Trio {
  leader: ReplNode;
  followers: [ProxiedFollower, ProxiedFollower];
}

/**
 * Starts a leader and two followers (all with `args`, as a Sentinel-managed
 * group shares one configuration), each follower connected through its own
 * fault proxy, and waits until both are online and the leader takes writes
 * (a Redis leader recounts its good followers once a second).
 */
export async function startTrio(fx: ReplFixture, options: { args: string[]; leaderArgs?: string[]; leaderDir?: string }): Promise<Trio> {
  const [leader, b, c] = await Promise.all([
    startNode(fx, { args: [...options.args, ...(options.leaderArgs ?? [])], ...(options.leaderDir ? { dir: options.leaderDir } : {}) }),
    startNode(fx, { args: options.args }),
    startNode(fx, { args: options.args }),
  ]);
  const followers: ProxiedFollower[] = [];
  for (const node of [b, c]) {
    const proxy = await startFaultProxy({ targetPort: leader.port });
    fx.closables.push(proxy);
    await replicaOf(node.c, proxy.port);
    followers.push({ node, proxy });
  }
  await Promise.all(followers.map((f) => waitLinkUp(f.node.c, 20_000)));
  await waitReplicasOnline(leader.c, 2);
  await waitFor(async () => (await leader.c.command('SET', 'warm-up', '1')) === 'OK', 10_000, 50);
  return { leader, followers: followers as [ProxiedFollower, ProxiedFollower] };
}

/**
 * Runs each write followed by `WAIT 1 <waitMs>` and fails unless the write
 * succeeded and at least one follower acknowledged it: these are the writes a
 * client was told are replicated.
 */
export async function acknowledgedWrites(c: RawConnection, writes: Array<Array<string | number>>, waitMs = 5000): Promise<void> {
  for (const w of writes) {
    const [reply, acked] = await pipeline(c, [w, ['WAIT', 1, waitMs]]);
    if (reply instanceof RespError) throw new Error(`${w.join(' ')} -> -${reply.message}`);
    if (acked instanceof RespError || typeof acked !== 'number' || acked < 1) {
      throw new Error(`${w.join(' ')}: WAIT 1 ${waitMs} -> ${acked instanceof RespError ? `-${acked.message}` : String(acked)}`);
    }
  }
}

/** One write sent to a leader that may be cut off, with what it answered and when. */
export interface TimedWrite {
  argv: Array<string | number>;
  /** ms after the cut at which the write was sent. */
  sentAfter: number;
  /** ms after the cut at which its reply arrived. */
  repliedAfter: number;
  /** The simple-string reply ('OK'), the integer reply, or the error message. */
  reply: string | number;
  accepted: boolean;
}

/**
 * Sends `next(i)` every `pacingMs` to `c` from `cutAt` on, one at a time,
 * until the first refusal and `afterRefusalMs` more; returns every write with
 * its timing. Fails after `timeoutMs` without a refusal.
 */
export async function writeThroughCut(
  c: RawConnection,
  cutAt: number,
  next: (i: number) => Array<string | number>,
  options: { pacingMs: number; afterRefusalMs: number; timeoutMs: number },
): Promise<TimedWrite[]> {
  const out: TimedWrite[] = [];
  let refusedAt: number | undefined;
  for (let i = 0; ; i++) {
    const now = Date.now();
    if (refusedAt !== undefined && now - refusedAt >= options.afterRefusalMs) return out;
    if (refusedAt === undefined && now - cutAt > options.timeoutMs) {
      throw new Error(`no write was refused within ${options.timeoutMs} ms of the cut (${out.length} accepted)`);
    }
    const argv = next(i);
    const r = await c.command(...argv);
    const repliedAt = Date.now();
    const accepted = !(r instanceof RespError);
    out.push({ argv, sentAfter: now - cutAt, repliedAfter: repliedAt - cutAt, reply: r instanceof RespError ? r.message : (r as string | number), accepted });
    if (!accepted && refusedAt === undefined) refusedAt = repliedAt;
    await sleep(options.pacingMs);
  }
}

/** The replication offset a follower has processed (slave_repl_offset, else master_repl_offset). */
export async function processedOffset(c: RawConnection): Promise<number> {
  const i = await replInfo(c);
  return Number(i.get('slave_repl_offset') ?? i.get('master_repl_offset'));
}

/**
 * What Sentinel does: the follower with the largest processed offset becomes
 * the leader (REPLICAOF NO ONE), so every write any follower acknowledged
 * survives (the followers' streams are prefixes of one another). Returns the
 * promoted one and the others.
 */
export async function promoteMostAdvanced<T extends { node: ReplNode }>(followers: T[]): Promise<{ promoted: T; others: T[]; offsets: number[] }> {
  const offsets = await Promise.all(followers.map((f) => processedOffset(f.node.c)));
  let best = 0;
  for (let i = 1; i < followers.length; i++) if (offsets[i]! > offsets[best]!) best = i;
  const promoted = followers[best]!;
  await replicaOf(promoted.node.c);
  return { promoted, others: followers.filter((_, i) => i !== best), offsets };
}

/** Waits until every node has the same DEBUG DIGEST; returns it (the error lists the digests). */
export async function waitSameDigest(nodes: RawConnection[], timeoutMs = 20_000): Promise<string> {
  let last: string[] = [];
  try {
    await waitFor(
      async () => {
        last = await Promise.all(nodes.map((c) => digest(c)));
        return last.every((d) => d === last[0]);
      },
      timeoutMs,
      50,
    );
  } catch (e) {
    throw new Error(`digests differ after ${timeoutMs} ms: ${last.join(' ')} (${(e as Error).message})`);
  }
  return last[0]!;
}

/** GET of each key (null when missing), in one MGET per 500 keys. */
export async function values(c: RawConnection, keys: string[]): Promise<Map<string, string | null>> {
  const out = new Map<string, string | null>();
  for (let i = 0; i < keys.length; i += 500) {
    const chunk = keys.slice(i, i + 500);
    const r = await c.command('MGET', ...chunk);
    if (!Array.isArray(r)) throw new Error(`MGET -> ${r instanceof RespError ? r.message : String(r)}`);
    chunk.forEach((k, j) => out.set(k, r[j] as string | null));
  }
  return out;
}

/** Every byte of every file under `dir`/appendonlydir (latin1), for "is this key in the AOF" probes. */
export function aofText(dir: string): string {
  const root = path.join(dir, 'appendonlydir');
  let text = '';
  for (const name of readdirSync(root).sort()) {
    const p = path.join(root, name);
    if (statSync(p).isFile()) text += readFileSync(p).toString('latin1');
  }
  return text;
}

/** True when `key` appears in `text` as a whole RESP bulk string (so `k:1` does not match `k:12`). */
export function hasBulk(text: string, key: string): boolean {
  return text.includes(`$${key.length}\r\n${key}\r\n`);
}
