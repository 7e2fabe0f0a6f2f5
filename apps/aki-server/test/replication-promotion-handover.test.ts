// `promotion-handover yes` (aki only), black-box: REPLICAOF NO ONE on a
// follower whose link is up asks its leader for FAILOVER TO <this follower>
// first, so no write the old leader acknowledged is lost (the promotion
// Sentinel's SENTINEL FAILOVER does). Covers the lossless handover under
// continuous writes (partial resync, no full one), every fallback to Redis's
// immediate promotion (option off, link down, leader refuses, leader cannot be
// reached, leader accepts but never finishes), the runtime option, masterauth,
// and REPLICAOF during a pending handover. Nodes come from
// ./support/replication-faults.ts.
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { RawConnection, RespError, freePort, serverUnderTest, sleep, waitFor, type RespValue } from '@aki/test-utils';
import {
  connectTo,
  digest,
  fillStrings,
  replFixture,
  replInfo,
  replicaOf,
  startFaultProxy,
  startNode,
  syncStats,
  waitConverged,
  waitLinkUp,
  waitReplicasOnline,
  type ReplNode,
} from './support/replication-faults.js';

const fx = replFixture('aki-repl-handover-');

const READONLY = "READONLY You can't write against a read only replica.";
const HOST = '127.0.0.1';
const HANDOVER = ['--promotion-handover', 'yes'];
/** The follower's log lines (promotion-handover.ts): the request, and the fallback with its reason. */
const REQUESTED = /Promotion requested: asking MASTER /g;
const FELL_BACK = /Promotion handover did not happen \((.*)\): promoting without it\./g;
/** The target side of FAILOVER (failover.ts): the leader's PSYNC ... FAILOVER promoted this follower. */
const HANDED_OVER = /Failover request received from my master: becoming the master\./;

/** The reply as `+text` / `-text` / JSON, so an assertion shows exactly what came back. */
function show(v: RespValue): string {
  if (v instanceof RespError) return `-${v.message}`;
  if (typeof v === 'string') return `+${v}`;
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? String(x) : x));
}

async function reply(c: RawConnection, ...args: Array<string | number>): Promise<string> {
  return show(await c.command(...args));
}

function count(node: ReplNode, pattern: RegExp): number {
  return [...node.server.logs().matchAll(pattern)].length;
}

/** The reasons of every fallback the node logged. */
function fallbackReasons(node: ReplNode): string[] {
  return [...node.server.logs().matchAll(FELL_BACK)].map((m) => m[1]!);
}

async function role(node: ReplNode): Promise<string | undefined> {
  return (await replInfo(node.c)).get('role');
}

async function waitField(c: RawConnection, field: string, value: string, timeoutMs = 10_000): Promise<void> {
  let last: string | undefined;
  try {
    await waitFor(async () => (last = (await replInfo(c)).get(field)) === value, timeoutMs, 20);
  } catch {
    throw new Error(`INFO ${field} stayed ${last} (wanted ${value}) for ${timeoutMs} ms`);
  }
}

/** Waits until the node reports role:master; returns how long that took from `since`. */
async function waitMaster(node: ReplNode, since: number, timeoutMs = 10_000): Promise<number> {
  await waitField(node.c, 'role', 'master', timeoutMs);
  return Date.now() - since;
}

/** A leader with some data and followers (each with its own extra args) linked to it and converged. */
async function group(followerArgs: string[][], leaderArgs: string[] = []): Promise<{ leader: ReplNode; followers: ReplNode[] }> {
  const leader = await startNode(fx, { args: leaderArgs });
  const followers = await Promise.all(followerArgs.map((args) => startNode(fx, { args })));
  await fillStrings(leader.c, 'pre', 100, 64);
  for (const f of followers) expect(await replicaOf(f.c, leader.port)).toBe('OK');
  for (const f of followers) await waitLinkUp(f.c);
  await waitReplicasOnline(leader.c, followers.length);
  for (const f of followers) await waitConverged(leader.c, f.c);
  return { leader, followers };
}

/** Asserts the old leader now follows `promoted` over an up link, with no failover left in progress. */
async function expectFollows(old: ReplNode, promoted: ReplNode): Promise<void> {
  await waitLinkUp(old.c);
  const i = await replInfo(old.c);
  expect(i.get('role')).toBe('slave');
  expect(i.get('master_host')).toBe(HOST);
  expect(i.get('master_port')).toBe(String(promoted.port));
  expect(i.get('master_link_status')).toBe('up');
  expect(i.get('master_failover_state')).toBe('no-failover');
}

interface WriterResult {
  /** SET answered +OK. */
  setOk: Map<string, string>;
  /** ... and the WAIT 1 after it counted the follower. */
  waited: Set<string>;
  /** The reply that ended the writer (-READONLY once the old leader stepped down). */
  last: string;
  /** The key of the SET that got it. */
  refused?: string;
  /** Replies that were neither +OK nor -READONLY for SET, nor an integer (or the role-change errors) for WAIT. */
  other: string[];
}

/**
 * One writer on its own connection: SET <prefix>:<n> <n>, then WAIT 1 200,
 * until a SET is refused with -READONLY (or `stop`). A WAIT that cannot
 * count any more because the server just became a follower (UNBLOCKED, or
 * WAIT refused on a replica) leaves that write acknowledged by SET only.
 */
async function writer(port: number, prefix: string, stop: { now: boolean }): Promise<WriterResult> {
  const setOk = new Map<string, string>();
  const waited = new Set<string>();
  const other: string[] = [];
  const c = await connectTo(fx, port);
  for (let n = 0; !stop.now; n++) {
    const key = `${prefix}:${n}`;
    const value = String(n);
    const r = await reply(c, 'SET', key, value);
    if (r === `-${READONLY}`) return { setOk, waited, last: r, refused: key, other };
    if (r !== '+OK') {
      other.push(`SET ${key} -> ${r}`);
      if (other.length > 5) return { setOk, waited, last: r, other };
      continue;
    }
    setOk.set(key, value);
    const w = await c.command('WAIT', 1, 200);
    if (typeof w === 'number') {
      if (w >= 1) waited.add(key);
    } else if (!(w instanceof RespError && /^(UNBLOCKED|ERR WAIT cannot be used with replica)/.test(w.message))) {
      other.push(`WAIT after ${key} -> ${show(w)}`);
    }
  }
  return { setOk, waited, last: 'stopped', other };
}

/** The keys of `expected` whose value on `c` differs (as `key=actual`). */
async function missingOn(c: RawConnection, expected: Map<string, string>): Promise<string[]> {
  const keys = [...expected.keys()];
  const missing: string[] = [];
  for (let i = 0; i < keys.length; i += 500) {
    const chunk = keys.slice(i, i + 500);
    const values = (await c.command('MGET', ...chunk)) as Array<string | null>;
    chunk.forEach((k, j) => {
      if (values[j] !== expected.get(k)) missing.push(`${k}=${JSON.stringify(values[j])}`);
    });
  }
  return missing;
}

/** A TCP server that accepts connections and never answers (a leader-to-be that never takes the PSYNC). */
async function silentServer(): Promise<number> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  fx.closables.push({
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  });
  return (server.address() as net.AddressInfo).port;
}

describe.skipIf(serverUnderTest() === 'redis')('promotion-handover (aki)', () => {
  it('under continuous writes: B takes over through the leader, no acknowledged write is lost, A resyncs partially', { timeout: 40_000 }, async () => {
    const {
      leader: a,
      followers: [b, c],
    } = await group([HANDOVER, []]);
    const oldReplid = (await replInfo(a.c)).get('master_replid')!;
    const before = await syncStats(b!.c);

    const stop = { now: false };
    const writers = Array.from({ length: 4 }, (_, i) => writer(a.port, `w${i}`, stop));
    let results: WriterResult[];
    let tookMs: number;
    try {
      await sleep(600);
      const t0 = Date.now();
      expect(await replicaOf(b!.c)).toBe('OK');
      tookMs = await waitMaster(b!, t0);
      // The held writes are refused once A is a follower: every writer ends on -READONLY.
      results = await Promise.race([
        Promise.all(writers),
        sleep(10_000).then(() => {
          throw new Error('the writers on A never got -READONLY');
        }),
      ]);
    } finally {
      stop.now = true;
    }
    // Not a speed check: the fallback promotes after 3 s, and the log lines below prove it did not.
    expect(tookMs, 'the handover took').toBeLessThan(2900);
    expect(fallbackReasons(b!), 'B did not fall back to a plain promotion').toEqual([]);
    expect(count(b!, REQUESTED)).toBe(1);
    expect(b!.server.logs()).toMatch(HANDED_OVER);

    const setOk = new Map<string, string>();
    let waited = 0;
    for (const r of results) {
      expect(r.other, 'writers saw only +OK / WAIT counts, then -READONLY').toEqual([]);
      expect(r.last).toBe(`-${READONLY}`);
      for (const [k, v] of r.setOk) setOk.set(k, v);
      waited += r.waited.size;
    }
    expect(waited, 'too few WAIT-confirmed writes to mean anything').toBeGreaterThan(100);

    // Roles: B leads a new history continuing A's, A follows B.
    await expectFollows(a, b!);
    const bi = await replInfo(b!.c);
    expect(bi.get('role')).toBe('master');
    expect(bi.get('master_failover_state')).toBe('no-failover');
    expect(bi.get('master_replid2')).toBe(oldReplid);
    expect((await replInfo(a.c)).get('master_replid'), 'A follows the new history').toBe(bi.get('master_replid'));

    // Every write A acknowledged with SET +OK (WAIT-confirmed or not) is on B; the refused ones are nowhere.
    expect(await missingOn(b!.c, setOk), `acknowledged writes missing on B (of ${setOk.size})`).toEqual([]);
    const refused = results.map((r) => r.refused!);
    expect(await b!.c.command('EXISTS', ...refused), `refused writes ${refused.join(' ')} on B`).toBe(0);

    // A continued B's history: a partial resync on B, no full one.
    const after = await syncStats(b!.c);
    expect(after.full - before.full, 'sync_full on B').toBe(0);
    expect(after.partialOk - before.partialOk, 'sync_partial_ok on B').toBe(1);

    // A refuses writes now; B takes them and every node converges (C may stay chained behind A).
    expect(await reply(a.c, 'SET', 'late', '1')).toBe(`-${READONLY}`);
    expect(await reply(b!.c, 'SET', 'after', 'handover')).toBe('+OK');
    await waitLinkUp(c!.c);
    const d = await waitConverged(b!.c, a.c);
    expect(await waitConverged(b!.c, c!.c)).toBe(d);
    expect(await c!.c.command('GET', 'after')).toBe('handover');
    expect(await c!.c.command('EXISTS', 'late')).toBe(0);
  });

  describe('falls back to an immediate promotion', () => {
    it('promotion-handover no (the default): B promotes at once, A stays a leader and its later writes are not on B', { timeout: 30_000 }, async () => {
      const {
        leader: a,
        followers: [b],
      } = await group([[]]);
      expect(await b!.c.command('CONFIG', 'GET', 'promotion-handover')).toEqual(['promotion-handover', 'no']);
      expect(await replicaOf(b!.c)).toBe('OK');
      expect(await role(b!), 'promoted by the REPLICAOF NO ONE itself').toBe('master');
      expect(count(b!, REQUESTED)).toBe(0);
      expect(await role(a)).toBe('master');
      expect(await reply(a.c, 'SET', 'after', '1')).toBe('+OK');
      await sleep(300);
      expect(await b!.c.command('EXISTS', 'after')).toBe(0);
      expect((await replInfo(a.c)).get('master_failover_state')).toBe('no-failover');
    });

    it('link down (the leader was killed): B promotes at once', { timeout: 30_000 }, async () => {
      const {
        leader: a,
        followers: [b],
      } = await group([HANDOVER]);
      const d = await digest(b!.c);
      await a.server.kill();
      await waitFor(async () => (await replInfo(b!.c)).get('master_link_status') !== 'up', 10_000, 20);
      expect(await replicaOf(b!.c)).toBe('OK');
      expect(await role(b!), 'promoted by the REPLICAOF NO ONE itself').toBe('master');
      expect(count(b!, REQUESTED)).toBe(0);
      expect(await digest(b!.c)).toBe(d);
      expect(await reply(b!.c, 'SET', 'k', 'v')).toBe('+OK');
    });

    it('the leader refuses (its follower is not known at the announced address): B promotes at once and logs why', { timeout: 30_000 }, async () => {
      const {
        leader: a,
        followers: [b],
      } = await group([HANDOVER]);
      // Announced after the link came up: A knows B as 127.0.0.1, B asks for FAILOVER TO 10.9.9.9.
      expect(await reply(b!.c, 'CONFIG', 'SET', 'replica-announce-ip', '10.9.9.9')).toBe('+OK');
      const t0 = Date.now();
      expect(await replicaOf(b!.c)).toBe('OK');
      expect(await waitMaster(b!, t0)).toBeLessThan(1000);
      expect(count(b!, REQUESTED)).toBe(1);
      expect(b!.server.logs()).toMatch(/Promotion requested: asking MASTER 127\.0\.0\.1:\d+ to hand over to 10\.9\.9\.9:\d+ first/);
      expect(fallbackReasons(b!)).toEqual(['ERR FAILOVER target HOST and PORT is not a replica.']);
      expect(b!.server.logs()).not.toMatch(HANDED_OVER);
      const ai = await replInfo(a.c);
      expect(ai.get('role')).toBe('master');
      expect(ai.get('master_failover_state')).toBe('no-failover');
      expect(await reply(a.c, 'SET', 'a-still-leads', '1')).toBe('+OK');
    });

    it('the leader is a follower itself (chained): it refuses, B promotes at once', { timeout: 30_000 }, async () => {
      const top = await startNode(fx);
      const mid = await startNode(fx);
      const b = await startNode(fx, { args: HANDOVER });
      expect(await reply(top.c, 'SET', 'k', 'v')).toBe('+OK');
      expect(await replicaOf(mid.c, top.port)).toBe('OK');
      await waitLinkUp(mid.c);
      expect(await replicaOf(b.c, mid.port)).toBe('OK');
      await waitLinkUp(b.c);
      const t0 = Date.now();
      expect(await replicaOf(b.c)).toBe('OK');
      expect(await waitMaster(b, t0)).toBeLessThan(1000);
      expect(fallbackReasons(b)).toEqual(['ERR FAILOVER is not valid when server is a replica.']);
      const mi = await replInfo(mid.c);
      expect(mi.get('role')).toBe('slave');
      expect(mi.get('master_port')).toBe(String(top.port));
      expect(await b.c.command('GET', 'k')).toBe('v');
    });

    it('the leader cannot be reached (link still up, traffic blackholed): B promotes itself after the 2 s reply timeout', { timeout: 30_000 }, async () => {
      const a = await startNode(fx);
      const b = await startNode(fx, { args: HANDOVER });
      const proxy = await startFaultProxy({ targetPort: a.port });
      fx.closables.push(proxy);
      await fillStrings(a.c, 'pre', 50, 32);
      expect(await replicaOf(b.c, proxy.port)).toBe('OK');
      await waitLinkUp(b.c);
      await waitConverged(a.c, b.c);
      proxy.blackhole(true);
      const t0 = Date.now();
      expect(await replicaOf(b.c)).toBe('OK');
      await sleep(300);
      expect(await role(b), 'B waits for the handover').toBe('slave');
      const took = await waitMaster(b, t0);
      expect(took).toBeGreaterThanOrEqual(1800);
      expect(took).toBeLessThan(3500);
      expect(fallbackReasons(b)).toEqual(['the master did not answer in time']);
      expect((await replInfo(a.c)).get('master_failover_state'), 'A never saw the FAILOVER').toBe('no-failover');
      expect(await reply(b.c, 'SET', 'k', 'v')).toBe('+OK');
    });

    it('the leader accepts but never hands over (its PSYNC to B never arrives): B promotes itself after 2 s + 1 s', { timeout: 30_000 }, async () => {
      // B announces the port of a server that accepts and stays silent: A
      // accepts FAILOVER TO it (the port matches B's REPLCONF listening-port),
      // waits for B's ack, then follows the silent port and never gets to B.
      const silent = await silentServer();
      const {
        leader: a,
        followers: [b],
      } = await group([[...HANDOVER, '--replica-announce-port', String(silent)]]);
      const t0 = Date.now();
      expect(await replicaOf(b!.c)).toBe('OK');
      await waitField(a.c, 'master_failover_state', 'failover-in-progress', 2000);
      expect((await replInfo(a.c)).get('master_port'), 'A hands over to the announced (silent) port').toBe(String(silent));
      expect(await role(b!), 'B still waits for the handover').toBe('slave');
      const took = await waitMaster(b!, t0);
      expect(took).toBeGreaterThanOrEqual(2800);
      expect(took).toBeLessThan(4500);
      expect(b!.server.logs()).toMatch(/MASTER accepted the handover/);
      expect(fallbackReasons(b!)).toEqual(['the master did not hand over in time']);
      expect(b!.server.logs()).not.toMatch(HANDED_OVER);
      expect(await reply(b!.c, 'SET', 'k', 'v')).toBe('+OK');
    });
  });

  describe('the option', () => {
    it('CONFIG GET / SET: yes and no in any case, and Redis\'s yes/no error for anything else', async () => {
      const n = await startNode(fx);
      expect(await n.c.command('CONFIG', 'GET', 'promotion-handover')).toEqual(['promotion-handover', 'no']);
      expect(await reply(n.c, 'CONFIG', 'SET', 'promotion-handover', 'YES')).toBe('+OK');
      expect(await n.c.command('CONFIG', 'GET', 'promotion-handover')).toEqual(['promotion-handover', 'yes']);
      expect(await n.c.command('CONFIG', 'GET', 'promotion-h*')).toEqual(['promotion-handover', 'yes']);
      // Text checked against redis-server 7.0 with another yes/no option (CONFIG SET replica-read-only maybe).
      expect(await reply(n.c, 'CONFIG', 'SET', 'promotion-handover', 'maybe')).toBe(
        "-ERR CONFIG SET failed (possibly related to argument 'promotion-handover') - argument must be 'yes' or 'no'",
      );
      expect(await n.c.command('CONFIG', 'GET', 'promotion-handover')).toEqual(['promotion-handover', 'yes']);
      expect(await reply(n.c, 'CONFIG', 'SET', 'promotion-handover', 'no')).toBe('+OK');
      expect(await n.c.command('CONFIG', 'GET', 'promotion-handover')).toEqual(['promotion-handover', 'no']);
      expect(await reply(n.c, 'CONFIG', 'SET', 'replica-read-only', 'maybe')).toBe(
        "-ERR CONFIG SET failed (possibly related to argument 'replica-read-only') - argument must be 'yes' or 'no'",
      );
    });

    it('CONFIG SET takes effect at once: yes hands over, no promotes at once', { timeout: 30_000 }, async () => {
      const {
        leader: a,
        followers: [b],
      } = await group([[]]);
      expect(await reply(b!.c, 'CONFIG', 'SET', 'promotion-handover', 'yes')).toBe('+OK');
      expect(await replicaOf(b!.c)).toBe('OK');
      await waitMaster(b!, Date.now(), 2000);
      expect(b!.server.logs()).toMatch(HANDED_OVER);
      expect(fallbackReasons(b!)).toEqual([]);
      await expectFollows(a, b!);

      // Now A follows B; with the option back to no, A promotes at once and B keeps leading.
      expect(await reply(a.c, 'CONFIG', 'SET', 'promotion-handover', 'yes')).toBe('+OK');
      expect(await reply(a.c, 'CONFIG', 'SET', 'promotion-handover', 'no')).toBe('+OK');
      expect(await replicaOf(a.c)).toBe('OK');
      expect(await role(a)).toBe('master');
      expect(count(a, REQUESTED)).toBe(0);
      expect(await role(b!)).toBe('master');
    });
  });

  describe('masterauth', () => {
    for (const user of [undefined, 'default']) {
      it(`leader with requirepass, follower with masterauth${user ? ` and masteruser ${user}` : ''}: the handover authenticates first`, { timeout: 30_000 }, async () => {
        const pass = 's3cret';
        const a = await startNode(fx, { args: ['--requirepass', pass] });
        expect(await reply(a.c, 'AUTH', pass)).toBe('+OK');
        const b = await startNode(fx, { args: [...HANDOVER, '--masterauth', pass, ...(user ? ['--masteruser', user] : [])] });
        await fillStrings(a.c, 'pre', 50, 32);
        expect(await replicaOf(b.c, a.port)).toBe('OK');
        await waitLinkUp(b.c);
        await waitConverged(a.c, b.c);
        expect(await reply(a.c, 'SET', 'last', 'write')).toBe('+OK');
        expect(await replicaOf(b.c)).toBe('OK');
        await waitMaster(b, Date.now(), 2000);
        expect(fallbackReasons(b), 'without AUTH A would answer -NOAUTH').toEqual([]);
        expect(b.server.logs()).toMatch(HANDED_OVER);
        expect(await b.c.command('GET', 'last')).toBe('write');
        await expectFollows(a, b);
      });
    }

    it('wrong masterauth (changed after the link came up): the AUTH is refused, B promotes at once and logs why', { timeout: 30_000 }, async () => {
      const a = await startNode(fx, { args: ['--requirepass', 'right'] });
      expect(await reply(a.c, 'AUTH', 'right')).toBe('+OK');
      const b = await startNode(fx, { args: [...HANDOVER, '--masterauth', 'right'] });
      expect(await replicaOf(b.c, a.port)).toBe('OK');
      await waitLinkUp(b.c);
      expect(await reply(b.c, 'CONFIG', 'SET', 'masterauth', 'wrong')).toBe('+OK');
      const t0 = Date.now();
      expect(await replicaOf(b.c)).toBe('OK');
      expect(await waitMaster(b, t0)).toBeLessThan(1000);
      expect(fallbackReasons(b)).toEqual(['AUTH failed: WRONGPASS invalid username-password pair or user is disabled.']);
      expect(await role(a)).toBe('master');
    });
  });

  describe('REPLICAOF during a pending handover', () => {
    /** B follows A through a proxy that is then blackholed: the handover request hangs (link still reported up). */
    async function pending(): Promise<{ a: ReplNode; b: ReplNode; t0: number }> {
      const a = await startNode(fx);
      const b = await startNode(fx, { args: HANDOVER });
      const proxy = await startFaultProxy({ targetPort: a.port });
      fx.closables.push(proxy);
      expect(await reply(a.c, 'SET', 'from-a', '1')).toBe('+OK');
      expect(await replicaOf(b.c, proxy.port)).toBe('OK');
      await waitLinkUp(b.c);
      await waitConverged(a.c, b.c);
      proxy.blackhole(true);
      const t0 = Date.now();
      expect(await replicaOf(b.c)).toBe('OK');
      expect(count(b, REQUESTED)).toBe(1);
      expect(await role(b)).toBe('slave');
      return { a, b, t0 };
    }

    it('a second REPLICAOF NO ONE replies +OK and starts nothing new: one request, one fallback, on the first one\'s clock', { timeout: 30_000 }, async () => {
      const { b, t0 } = await pending();
      await sleep(1200);
      expect(await replicaOf(b.c)).toBe('OK');
      expect(await role(b), 'still waiting for the first handover').toBe('slave');
      expect(count(b, REQUESTED)).toBe(1);
      const took = await waitMaster(b, t0);
      // The first request's 2 s reply timeout; a restarted one would end after 3.2 s.
      expect(took).toBeLessThan(3000);
      await sleep(500);
      expect(count(b, REQUESTED)).toBe(1);
      expect(fallbackReasons(b)).toEqual(['the master did not answer in time']);
    });

    it('REPLICAOF host port cancels it: the node follows the other leader and never promotes itself', { timeout: 30_000 }, async () => {
      const other = await startNode(fx);
      expect(await reply(other.c, 'SET', 'from-other', '1')).toBe('+OK');
      const { b, t0 } = await pending();
      await sleep(300);
      expect(await replicaOf(b.c, other.port)).toBe('OK');
      await waitLinkUp(b.c);
      // Past the handover's 2 s + 1 s deadline.
      await sleep(Math.max(0, t0 + 3600 - Date.now()));
      const bi = await replInfo(b.c);
      expect(bi.get('role')).toBe('slave');
      expect(bi.get('master_port')).toBe(String(other.port));
      expect(bi.get('master_link_status')).toBe('up');
      expect(fallbackReasons(b)).toEqual([]);
      expect(await b.c.command('GET', 'from-other')).toBe('1');
      expect(await b.c.command('EXISTS', 'from-a')).toBe(0);
    });

    it('REPLICAOF host port after the leader accepted: its late PSYNC ... FAILOVER does not promote the node', { timeout: 30_000 }, async () => {
      // B announces the port of a proxy to itself, blackholed: A accepts, then
      // its PSYNC ... FAILOVER to B is held until B was repointed elsewhere
      // (a port nobody listens on, so B keeps A's history and replid).
      const a = await startNode(fx);
      const b = await startNode(fx, { args: HANDOVER });
      const toB = await startFaultProxy({ targetPort: b.port });
      fx.closables.push(toB);
      toB.blackhole(true);
      expect(await reply(b.c, 'CONFIG', 'SET', 'replica-announce-port', String(toB.port))).toBe('+OK');
      expect(await reply(a.c, 'SET', 'from-a', '1')).toBe('+OK');
      expect(await replicaOf(b.c, a.port)).toBe('OK');
      await waitLinkUp(b.c);
      await waitReplicasOnline(a.c, 1);
      expect(await replicaOf(b.c)).toBe('OK');
      await waitField(a.c, 'master_failover_state', 'failover-in-progress', 2000);
      const nowhere = await freePort();
      expect(await replicaOf(b.c, nowhere)).toBe('OK');
      toB.blackhole(false);
      // A's PSYNC ... FAILOVER now reaches B, which follows `nowhere` by the operator's last word.
      await waitField(a.c, 'master_failover_state', 'no-failover', 5000);
      await sleep(500);
      const bi = await replInfo(b.c);
      expect(bi.get('role'), `B after its REPLICAOF ${HOST} ${nowhere}`).toBe('slave');
      expect(bi.get('master_port')).toBe(String(nowhere));
      expect(b.server.logs()).not.toMatch(HANDED_OVER);
      expect(fallbackReasons(b)).toEqual([]);
      expect(await role(a), 'A leads again once B refused').toBe('master');
    });
  });
});
