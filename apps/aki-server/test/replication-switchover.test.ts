// Coordinated switchover (FAILOVER), black-box, validated against redis-server
// 7.0.15: under load no acknowledged write is lost and writes issued during the
// pause are held, then refused by the now-follower; FAILOVER without TO picks a
// caught-up follower; every error reply; TIMEOUT with and without FORCE against
// a follower that cannot catch up (SIGSTOPped); ABORT; REPLICAOF while failing
// over. Nodes come from ./support/replication-faults.ts.
import { describe, expect, it } from 'vitest';
import { RawConnection, RespError, decodeReply, sleep, waitFor, type RespValue } from '@aki/test-utils';
import {
  connectTo,
  digest,
  fillStrings,
  replFixture,
  replInfo,
  replicaOf,
  resume,
  startNode,
  syncStats,
  waitConverged,
  waitLinkUp,
  waitReplicasOnline,
  type ReplNode,
} from './support/replication-faults.js';

const fx = replFixture('aki-repl-switchover-');

const READONLY = "READONLY You can't write against a read only replica.";
const HOST = '127.0.0.1';

/** The reply to one command as `+text` / `-text` / JSON, so an assertion shows exactly what came back. */
function show(v: RespValue): string {
  if (v instanceof RespError) return `-${v.message}`;
  if (typeof v === 'string') return `+${v}`;
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? String(x) : x));
}

async function reply(c: RawConnection, ...args: Array<string | number>): Promise<string> {
  return show(await c.command(...args));
}

/** A leader and `n` followers linked to it and converged, with some data. */
async function cluster(n: number): Promise<{ leader: ReplNode; followers: ReplNode[] }> {
  const [leader, ...followers] = await Promise.all(Array.from({ length: n + 1 }, () => startNode(fx)));
  await fillStrings(leader!.c, 'pre', 100, 64);
  for (const f of followers) expect(await replicaOf(f.c, leader!.port)).toBe('OK');
  for (const f of followers) await waitLinkUp(f.c);
  await waitReplicasOnline(leader!.c, n);
  for (const f of followers) await waitConverged(leader!.c, f.c);
  return { leader: leader!, followers };
}

/** Sends SET on its own connection and checks that no reply arrives for `ms` (the write is held, not refused). */
async function heldWrite(port: number, key: string, ms: number): Promise<RawConnection> {
  const h = await connectTo(fx, port);
  h.send('SET', key, 'held');
  await sleep(ms);
  expect(h.bufferedBytes(), `SET ${key} was answered during the pause: ${JSON.stringify(h.peek().toString('latin1'))}`).toBe(0);
  return h;
}

async function nextReply(c: RawConnection, timeoutMs = 10_000): Promise<string> {
  return show(decodeReply(await c.readReply(timeoutMs))!.value);
}

async function waitField(c: RawConnection, field: string, value: string, timeoutMs = 10_000): Promise<void> {
  let last: string | undefined;
  try {
    await waitFor(async () => (last = (await replInfo(c)).get(field)) === value, timeoutMs, 25);
  } catch {
    throw new Error(`INFO ${field} stayed ${last} (wanted ${value}) for ${timeoutMs} ms`);
  }
}

/** One writer: SET unique keys one at a time until a reply is -READONLY; every reply is recorded. */
async function writer(port: number, prefix: string): Promise<{ ok: Map<string, string>; last: string; other: string[] }> {
  const ok = new Map<string, string>();
  const other: string[] = [];
  const c = await connectTo(fx, port);
  for (let j = 0; ; j++) {
    const key = `${prefix}:${j}`;
    const value = `${prefix}-v${j}-${'y'.repeat(j % 40)}`;
    const r = await reply(c, 'SET', key, value);
    if (r === '+OK') ok.set(key, value);
    else if (r === `-${READONLY}`) return { ok, last: r, other };
    else {
      other.push(`${key} -> ${r}`);
      if (other.length > 5) return { ok, last: r, other };
    }
  }
}

describe('FAILOVER switchover', () => {
  it('under load: no acknowledged write is lost, held writes get -READONLY, roles swap with a partial resync', { timeout: 30_000 }, async () => {
    const {
      leader: l,
      followers: [f],
    } = await cluster(1);
    const before = await replInfo(l.c);
    const oldReplid = before.get('master_replid')!;
    const statsBefore = await syncStats(f!.c);

    const writers = Array.from({ length: 6 }, (_, i) => writer(l.port, `w${i}`));
    await sleep(800);
    const t0 = Date.now();
    expect(await reply(l.c, 'FAILOVER', 'TO', HOST, f!.port, 'TIMEOUT', 5000)).toBe('+OK');
    // A write sent after the +OK is never accepted by the old leader.
    const late = await connectTo(fx, l.port);
    expect(await reply(late, 'SET', 'late', '1')).toBe(`-${READONLY}`);
    const results = await Promise.all(writers);
    expect(Date.now() - t0, 'the switchover finished well before its timeout').toBeLessThan(4000);

    const confirmed = new Map<string, string>();
    for (const r of results) {
      expect(r.other, 'writers saw only +OK, then -READONLY').toEqual([]);
      expect(r.last).toBe(`-${READONLY}`);
      for (const [k, v] of r.ok) confirmed.set(k, v);
    }
    expect(confirmed.size, 'too few acknowledged writes to mean anything').toBeGreaterThan(200);

    // Roles swapped, the old leader's link to the new one is up, nobody is failing over.
    await waitLinkUp(l.c);
    await waitReplicasOnline(f!.c, 1);
    const li = await replInfo(l.c);
    const fi = await replInfo(f!.c);
    expect(li.get('role')).toBe('slave');
    expect(li.get('master_host')).toBe(HOST);
    expect(li.get('master_port')).toBe(String(f!.port));
    expect(li.get('master_link_status')).toBe('up');
    expect(li.get('master_failover_state')).toBe('no-failover');
    expect(fi.get('role')).toBe('master');
    expect(fi.get('master_failover_state')).toBe('no-failover');
    expect(fi.get('master_replid')).not.toBe(oldReplid);
    expect(fi.get('master_replid2')).toBe(oldReplid);
    expect(li.get('master_replid'), 'the old leader follows the new history').toBe(fi.get('master_replid'));

    const lr = (await l.c.command('ROLE')) as RespValue[];
    expect(lr.slice(0, 4)).toEqual(['slave', HOST, f!.port, 'connected']);
    const fr = (await f!.c.command('ROLE')) as RespValue[];
    expect(fr[0]).toBe('master');
    expect((fr[2] as RespValue[][]).map((r) => [r[0], r[1]])).toEqual([[HOST, String(l.port)]]);

    // Every acknowledged write is on the new leader.
    const keys = [...confirmed.keys()];
    const missing: string[] = [];
    for (let i = 0; i < keys.length; i += 500) {
      const chunk = keys.slice(i, i + 500);
      const values = (await f!.c.command('MGET', ...chunk)) as Array<string | null>;
      chunk.forEach((k, j) => {
        if (values[j] !== confirmed.get(k)) missing.push(`${k}=${JSON.stringify(values[j])}`);
      });
    }
    expect(missing, `acknowledged writes missing on the new leader (of ${confirmed.size})`).toEqual([]);
    expect(await f!.c.command('EXISTS', 'late')).toBe(0);
    await waitConverged(f!.c, l.c);

    // The old leader continued the history: a partial resync, no full one.
    const statsAfter = await syncStats(f!.c);
    expect(statsAfter.full - statsBefore.full, 'sync_full on the new leader').toBe(0);
    expect(statsAfter.partialOk - statsBefore.partialOk, 'sync_partial_ok on the new leader').toBe(1);

    // The new leader takes writes and streams them to the old one.
    expect(await reply(f!.c, 'SET', 'after', 'switch')).toBe('+OK');
    await waitFor(async () => (await l.c.command('GET', 'after')) === 'switch', 5000);
    expect(await digest(l.c)).toBe(await digest(f!.c));
  });

  it('without TO: a caught-up follower takes over; the other one keeps following the old leader', { timeout: 30_000 }, async () => {
    const { leader: l, followers } = await cluster(2);
    const oldReplid = (await replInfo(l.c)).get('master_replid')!;
    expect(await reply(l.c, 'SET', 'k', 'v')).toBe('+OK');
    expect(await reply(l.c, 'FAILOVER')).toBe('+OK');
    await waitField(l.c, 'role', 'slave');
    await waitLinkUp(l.c);
    const li = await replInfo(l.c);
    expect(li.get('master_failover_state')).toBe('no-failover');
    const promoted = followers.find((f) => String(f.port) === li.get('master_port'));
    expect(promoted, `the old leader follows port ${li.get('master_port')}`).toBeDefined();
    const other = followers.find((f) => f !== promoted)!;
    const pi = await replInfo(promoted!.c);
    expect(pi.get('role')).toBe('master');
    expect(pi.get('master_replid2')).toBe(oldReplid);
    expect(pi.get('master_failover_state')).toBe('no-failover');
    // The other follower reconnects to the old leader, now a follower itself (a chain).
    await waitLinkUp(other.c);
    const oi = await replInfo(other.c);
    expect(oi.get('master_port')).toBe(String(l.port));
    expect(await reply(promoted!.c, 'SET', 'k2', 'v2')).toBe('+OK');
    await waitConverged(promoted!.c, l.c);
    await waitConverged(promoted!.c, other.c);
    expect(await other.c.command('GET', 'k2')).toBe('v2');
  });

  // expect.soft: one run lists every reply that differs, not just the first.
  it('error replies', { timeout: 30_000 }, async () => {
    const lone = await startNode(fx);
    expect.soft(await reply(lone.c, 'FAILOVER')).toBe('-ERR FAILOVER requires connected replicas.');
    expect.soft(await reply(lone.c, 'FAILOVER', 'TO', HOST, 6379)).toBe('-ERR FAILOVER requires connected replicas.');
    // FORCE is checked after the replica count.
    expect.soft(await reply(lone.c, 'FAILOVER', 'FORCE')).toBe('-ERR FAILOVER requires connected replicas.');
    expect.soft(await reply(lone.c, 'FAILOVER', 'ABORT')).toBe('-ERR No failover in progress.');
    expect.soft(await reply(lone.c, 'failover', 'abort')).toBe('-ERR No failover in progress.');
    // Syntax is checked first.
    const syntax: Array<Array<string | number>> = [
      ['BOGUS'],
      ['TIMEOUT'],
      ['TO', HOST],
      ['TO'],
      ['ABORT', 'TIMEOUT', 5],
      ['TIMEOUT', 5, 'ABORT'],
      ['TIMEOUT', 5, 'TIMEOUT', 6],
      ['FORCE', 'FORCE'],
      ['TO', HOST, 1, 'TO', HOST, 2],
    ];
    for (const args of syntax) expect.soft(await reply(lone.c, 'FAILOVER', ...args), `FAILOVER ${args.join(' ')}`).toBe('-ERR syntax error');
    for (const args of [['TIMEOUT', 'abc'], ['TO', HOST, 'abc'], ['TIMEOUT', '1.5']])
      expect.soft(await reply(lone.c, 'FAILOVER', ...args), `FAILOVER ${args.join(' ')}`).toBe('-ERR value is not an integer or out of range');
    for (const ms of [0, -5])
      expect.soft(await reply(lone.c, 'FAILOVER', 'TIMEOUT', ms), `TIMEOUT ${ms}`).toBe('-ERR FAILOVER timeout must be greater than 0');
    expect.soft(await reply(lone.c, 'FAILOVER', 'TO', HOST, 1, 'FORCE', 'TIMEOUT', 0)).toBe('-ERR FAILOVER timeout must be greater than 0');

    const {
      leader: l,
      followers: [f],
    } = await cluster(1);
    const force = '-ERR FAILOVER with force option requires both a timeout and target HOST and IP.';
    expect.soft(await reply(l.c, 'FAILOVER', 'FORCE')).toBe(force);
    expect.soft(await reply(l.c, 'FAILOVER', 'TIMEOUT', 100, 'FORCE')).toBe(force);
    expect.soft(await reply(l.c, 'FAILOVER', 'TO', HOST, f!.port, 'FORCE')).toBe(force);
    const notReplica = '-ERR FAILOVER target HOST and PORT is not a replica.';
    expect.soft(await reply(l.c, 'FAILOVER', 'TO', HOST, l.port)).toBe(notReplica);
    expect.soft(await reply(l.c, 'FAILOVER', 'TO', HOST, 99999)).toBe(notReplica);
    // The host is compared as given: localhost is not 127.0.0.1.
    expect.soft(await reply(l.c, 'FAILOVER', 'TO', 'localhost', f!.port)).toBe(notReplica);

    const replicaErr = '-ERR FAILOVER is not valid when server is a replica.';
    expect.soft(await reply(f!.c, 'FAILOVER')).toBe(replicaErr);
    expect.soft(await reply(f!.c, 'FAILOVER', 'TO', HOST, l.port)).toBe(replicaErr);
    // Checked before FORCE's requirements.
    expect.soft(await reply(f!.c, 'FAILOVER', 'FORCE')).toBe(replicaErr);
    expect.soft(await reply(f!.c, 'FAILOVER', 'ABORT')).toBe('-ERR No failover in progress.');
    expect.soft(await reply(f!.c, 'FAILOVER', 'BOGUS')).toBe('-ERR syntax error');
    expect.soft(await reply(f!.c, 'FAILOVER', 'TIMEOUT', 0)).toBe('-ERR FAILOVER timeout must be greater than 0');

    // None of that started anything.
    for (const n of [lone, l, f!]) expect((await replInfo(n.c)).get('master_failover_state')).toBe('no-failover');
    expect.soft(await reply(l.c, 'SET', 'still', 'writable')).toBe('+OK');
    expect((await replInfo(f!.c)).get('role')).toBe('slave');
  });

  it('a follower that cannot catch up: already in progress, REPLICAOF refused, ABORT releases the held writes', { timeout: 30_000 }, async () => {
    const {
      leader: l,
      followers: [f],
    } = await cluster(1);
    process.kill(f!.server.pid, 'SIGSTOP');
    try {
      expect(await reply(l.c, 'SET', 'behind', '1')).toBe('+OK');
      expect(await reply(l.c, 'FAILOVER', 'TO', HOST, f!.port)).toBe('+OK');
      expect((await replInfo(l.c)).get('master_failover_state')).toBe('waiting-for-sync');
      const held = await heldWrite(l.port, 'held-1', 300);

      const already = '-ERR FAILOVER already in progress.';
      expect(await reply(l.c, 'FAILOVER')).toBe(already);
      expect(await reply(l.c, 'FAILOVER', 'TO', HOST, f!.port)).toBe(already);
      expect(await reply(l.c, 'FAILOVER', 'TO', HOST, f!.port, 'TIMEOUT', 100, 'FORCE')).toBe(already);
      // Checked before FORCE's requirements (soft: the scenario goes on either way).
      expect.soft(await reply(l.c, 'FAILOVER', 'FORCE')).toBe(already);
      expect(await reply(l.c, 'FAILOVER', 'BOGUS'), 'syntax is checked before the state').toBe('-ERR syntax error');
      const refused = '-ERR REPLICAOF not allowed while failing over.';
      expect(await reply(l.c, 'REPLICAOF', HOST, f!.port)).toBe(refused);
      expect(await reply(l.c, 'REPLICAOF', 'NO', 'ONE')).toBe(refused);
      expect(await reply(l.c, 'SLAVEOF', 'no', 'one')).toBe(refused);
      // Reads are served during the pause.
      expect(await reply(l.c, 'GET', 'behind')).toBe('+1');
      const i = await replInfo(l.c);
      expect(i.get('role')).toBe('master');
      expect(i.get('master_failover_state')).toBe('waiting-for-sync');
      expect(held.bufferedBytes(), 'the held write is still held').toBe(0);

      expect(await reply(l.c, 'FAILOVER', 'ABORT')).toBe('+OK');
      expect(await nextReply(held), 'the held write runs once the pause ends').toBe('+OK');
      const after = await replInfo(l.c);
      expect(after.get('role')).toBe('master');
      expect(after.get('master_failover_state')).toBe('no-failover');
      expect(await reply(l.c, 'SET', 'after-abort', '1')).toBe('+OK');
      expect(await reply(l.c, 'GET', 'held-1')).toBe('+held');
      expect(await reply(l.c, 'FAILOVER', 'ABORT')).toBe('-ERR No failover in progress.');
    } finally {
      resume(f!.server.pid);
    }
    await waitConverged(l.c, f!.c);
    expect(await f!.c.command('GET', 'after-abort')).toBe('1');
    expect((await replInfo(f!.c)).get('role')).toBe('slave');
  });

  it('TIMEOUT without FORCE: the failover aborts, the leader stays leader and runs the held writes', { timeout: 30_000 }, async () => {
    const {
      leader: l,
      followers: [f],
    } = await cluster(1);
    process.kill(f!.server.pid, 'SIGSTOP');
    try {
      expect(await reply(l.c, 'SET', 'behind', '1')).toBe('+OK');
      const t0 = Date.now();
      expect(await reply(l.c, 'FAILOVER', 'TO', HOST, f!.port, 'TIMEOUT', 1000)).toBe('+OK');
      const held = await heldWrite(l.port, 'held-1', 500);
      expect((await replInfo(l.c)).get('master_failover_state')).toBe('waiting-for-sync');
      expect(await nextReply(held, 5000), 'the held write runs once the failover gave up').toBe('+OK');
      expect(Date.now() - t0, 'not before the timeout').toBeGreaterThanOrEqual(950);
      const i = await replInfo(l.c);
      expect(i.get('role')).toBe('master');
      expect(i.get('master_failover_state')).toBe('no-failover');
      expect(await reply(l.c, 'SET', 'after-timeout', '1')).toBe('+OK');
      expect(await reply(l.c, 'GET', 'held-1')).toBe('+held');
    } finally {
      resume(f!.server.pid);
    }
    await waitConverged(l.c, f!.c);
    const fi = await replInfo(f!.c);
    expect(fi.get('role')).toBe('slave');
    expect(fi.get('master_port')).toBe(String(l.port));
    expect(await f!.c.command('GET', 'after-timeout')).toBe('1');
  });

  it('TIMEOUT with FORCE: the leader hands over anyway and completes once the target answers', { timeout: 30_000 }, async () => {
    const {
      leader: l,
      followers: [f],
    } = await cluster(1);
    const oldReplid = (await replInfo(l.c)).get('master_replid')!;
    process.kill(f!.server.pid, 'SIGSTOP');
    let held!: RawConnection;
    try {
      expect(await reply(l.c, 'SET', 'behind', '1')).toBe('+OK');
      const t0 = Date.now();
      expect(await reply(l.c, 'FAILOVER', 'TO', HOST, f!.port, 'TIMEOUT', 800, 'FORCE')).toBe('+OK');
      held = await heldWrite(l.port, 'held-1', 300);
      expect((await replInfo(l.c)).get('master_failover_state')).toBe('waiting-for-sync');
      // After the timeout the leader turns itself into a follower of the (still stopped) target.
      await waitField(l.c, 'master_failover_state', 'failover-in-progress', 5000);
      expect(Date.now() - t0, 'not before the timeout').toBeGreaterThanOrEqual(750);
      const i = await replInfo(l.c);
      expect(i.get('role')).toBe('slave');
      expect(i.get('master_port')).toBe(String(f!.port));
      expect(i.get('master_link_status')).toBe('down');
      // Connected to the stopped target, waiting for its reply to PING.
      expect(await l.c.command('ROLE')).toEqual(['slave', HOST, f!.port, 'handshake', -1]);
      await sleep(300);
      expect(held.bufferedBytes(), 'writes stay held while the handover is in progress').toBe(0);
      expect(await reply(l.c, 'REPLICAOF', 'NO', 'ONE')).toBe('-ERR REPLICAOF not allowed while failing over.');
    } finally {
      resume(f!.server.pid);
    }
    // The target wakes up, takes the handover, and the held write is refused by the new follower.
    expect(await nextReply(held)).toBe(`-${READONLY}`);
    await waitLinkUp(l.c);
    const li = await replInfo(l.c);
    expect(li.get('role')).toBe('slave');
    expect(li.get('master_failover_state')).toBe('no-failover');
    const fi = await replInfo(f!.c);
    expect(fi.get('role')).toBe('master');
    expect(fi.get('master_replid2')).toBe(oldReplid);
    expect(fi.get('master_failover_state')).toBe('no-failover');
    expect(await reply(f!.c, 'SET', 'after-force', '1')).toBe('+OK');
    await waitConverged(f!.c, l.c);
    expect(await l.c.command('GET', 'after-force')).toBe('1');
    expect(await l.c.command('EXISTS', 'held-1')).toBe(0);
  });
});
