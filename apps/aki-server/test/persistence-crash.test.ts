// Crash safety: concurrent ioredis clients write while the server is SIGKILLed
// at a random (seeded) moment; after a restart on the same directory every
// acknowledged write is there, every MULTI/EXEC is all-or-nothing, and what a
// restart showed is shown again by every later restart (data accumulates over
// the rounds). A SIGKILL keeps the page cache, so this proves the write path
// and the loader, not the fsync policy (that needs a file system that forgets).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { RawConnection, sleep, startAki, type RunningServer } from '@aki/test-utils';
import { info, pipelineOk } from './support/persistence-data.js';
import { prng, readManifest, testSeed } from './support/persistence-files.js';

const CLIENTS = 8;
const ROUNDS = 3;
const SEED = testSeed(20240531);

const tmpDirs: string[] = [];
let current: RunningServer | undefined;

afterEach(async () => {
  await current?.kill();
  current = undefined;
});

afterAll(() => {
  for (const d of tmpDirs) rmSync(d, { recursive: true, force: true });
});

type Op =
  | { kind: 'set'; key: string; value: string }
  | { kind: 'incr'; key: string }
  | { kind: 'rpush'; key: string; value: string }
  | { kind: 'hset'; key: string; field: string; value: string }
  | { kind: 'zadd'; key: string; member: string; score: number }
  | { kind: 'sadd'; key: string; member: string }
  | { kind: 'multi'; keys: { a: string; b: string; c: string; h: string; field: string }; tag: string };

/** What became of one operation: acknowledged (with the reply), failed (the server vanished), or never sent. */
interface Outcome {
  op: Op;
  acked: boolean;
  reply?: unknown;
}

/** One client's ordered history within a round. */
interface ClientLog {
  prefix: string;
  outcomes: Outcome[];
}

function makeOp(prefix: string, j: number, rnd: () => number): Op {
  const pick = Math.floor(rnd() * 7);
  switch (pick) {
    case 0:
      return { kind: 'set', key: `${prefix}:s:${j}`, value: `v${j}-${'x'.repeat(Math.floor(rnd() * 40))}` };
    case 1:
      return { kind: 'incr', key: `${prefix}:ctr` };
    case 2:
      return { kind: 'rpush', key: `${prefix}:list`, value: `e${j}` };
    case 3:
      return { kind: 'hset', key: `${prefix}:hash`, field: `f${j}`, value: `hv${j}` };
    case 4:
      return { kind: 'zadd', key: `${prefix}:zset`, member: `m${j}`, score: j };
    case 5:
      return { kind: 'sadd', key: `${prefix}:set`, member: `m${j}` };
    default:
      return {
        kind: 'multi',
        keys: { a: `${prefix}:m${j}:a`, b: `${prefix}:m${j}:b`, c: `${prefix}:m${j}:c`, h: `${prefix}:mh`, field: `f${j}` },
        tag: `t${j}`,
      };
  }
}

async function run(r: Redis, op: Op): Promise<unknown> {
  switch (op.kind) {
    case 'set':
      return r.set(op.key, op.value);
    case 'incr':
      return r.incr(op.key);
    case 'rpush':
      return r.rpush(op.key, op.value);
    case 'hset':
      return r.hset(op.key, op.field, op.value);
    case 'zadd':
      return r.zadd(op.key, op.score, op.member);
    case 'sadd':
      return r.sadd(op.key, op.member);
    case 'multi': {
      const res = await r
        .multi()
        .set(op.keys.a, op.tag)
        .incr(op.keys.b)
        .rpush(op.keys.c, op.tag)
        .hset(op.keys.h, op.keys.field, op.tag)
        .exec();
      if (!res) throw new Error('EXEC aborted');
      for (const [err] of res) if (err) throw err;
      return res.map(([, v]) => v);
    }
  }
}

/** One client writing until the server goes away; every outcome is logged in order. */
async function worker(port: number, prefix: string, rnd: () => number, stop: { now: boolean }): Promise<ClientLog> {
  const r = new Redis({
    port,
    host: '127.0.0.1',
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    retryStrategy: () => null,
  });
  r.on('error', () => {});
  await r.connect();
  const log: ClientLog = { prefix, outcomes: [] };
  try {
    for (let j = 0; !stop.now; j++) {
      const op = makeOp(prefix, j, rnd);
      const outcome: Outcome = { op, acked: false };
      log.outcomes.push(outcome);
      try {
        outcome.reply = await run(r, op);
        outcome.acked = true;
      } catch {
        // The server died with this one in flight: it may or may not have happened.
        break;
      }
    }
  } finally {
    r.disconnect();
  }
  return log;
}

/**
 * Reads back everything `log` could have written and checks it against the
 * history; returns the observed state so later rounds can insist on the same.
 */
async function verify(c: RawConnection, log: ClientLog, ctx: string): Promise<string> {
  const { prefix, outcomes } = log;
  const reads: Array<Array<string | number>> = [];
  const checks: Array<(replies: unknown[]) => void> = [];
  const read = (cmd: Array<string | number>) => reads.push(cmd) - 1;

  // The counter: at least every acknowledged INCR, at most every sent one.
  const incrs = outcomes.filter((o) => o.op.kind === 'incr');
  if (incrs.length > 0) {
    const at = read(['GET', `${prefix}:ctr`]);
    const acked = Math.max(0, ...incrs.filter((o) => o.acked).map((o) => Number(o.reply)));
    checks.push((rep) => {
      const n = rep[at] === null ? 0 : Number(rep[at]);
      expect(n, `${ctx}: ${prefix}:ctr`).toBeGreaterThanOrEqual(acked);
      expect(n, `${ctx}: ${prefix}:ctr`).toBeLessThanOrEqual(incrs.length);
    });
  }
  // The list: a prefix of what was pushed, at least as long as the last acknowledged length.
  const pushes = outcomes.filter((o) => o.op.kind === 'rpush');
  if (pushes.length > 0) {
    const at = read(['LRANGE', `${prefix}:list`, 0, -1]);
    const ackedLen = Math.max(0, ...pushes.filter((o) => o.acked).map((o) => Number(o.reply)));
    const sent = pushes.map((o) => (o.op as { value: string }).value);
    checks.push((rep) => {
      const got = rep[at] as string[];
      expect(got.length, `${ctx}: ${prefix}:list length`).toBeGreaterThanOrEqual(ackedLen);
      expect(got, `${ctx}: ${prefix}:list order`).toEqual(sent.slice(0, got.length));
    });
  }
  for (const o of outcomes) {
    const op = o.op;
    if (op.kind === 'set') {
      const at = read(['GET', op.key]);
      checks.push((rep) => {
        if (o.acked) expect(rep[at], `${ctx}: acknowledged SET ${op.key}`).toBe(op.value);
        else expect([null, op.value], `${ctx}: SET ${op.key}`).toContain(rep[at]);
      });
    } else if (op.kind === 'hset') {
      const at = read(['HGET', op.key, op.field]);
      checks.push((rep) => {
        if (o.acked) expect(rep[at], `${ctx}: acknowledged HSET ${op.key} ${op.field}`).toBe(op.value);
        else expect([null, op.value]).toContain(rep[at]);
      });
    } else if (op.kind === 'zadd') {
      const at = read(['ZSCORE', op.key, op.member]);
      checks.push((rep) => {
        if (o.acked) expect(rep[at], `${ctx}: acknowledged ZADD ${op.key} ${op.member}`).toBe(String(op.score));
        else expect([null, String(op.score)]).toContain(rep[at]);
      });
    } else if (op.kind === 'sadd') {
      const at = read(['SISMEMBER', op.key, op.member]);
      checks.push((rep) => {
        if (o.acked) expect(rep[at], `${ctx}: acknowledged SADD ${op.key} ${op.member}`).toBe(1);
      });
    } else if (op.kind === 'multi') {
      const k = op.keys;
      const a = read(['GET', k.a]);
      const b = read(['GET', k.b]);
      const cc = read(['LRANGE', k.c, 0, -1]);
      const h = read(['HGET', k.h, k.field]);
      checks.push((rep) => {
        const parts = [rep[a] === op.tag, rep[b] === '1', JSON.stringify(rep[cc]) === JSON.stringify([op.tag]), rep[h] === op.tag];
        const absent = [rep[a] === null, rep[b] === null, (rep[cc] as string[]).length === 0, rep[h] === null];
        const all = parts.every(Boolean);
        const none = absent.every(Boolean);
        expect(all || none, `${ctx}: MULTI block ${k.a} is partly applied: ${JSON.stringify([rep[a], rep[b], rep[cc], rep[h]])}`).toBe(
          true,
        );
        if (o.acked) expect(all, `${ctx}: acknowledged MULTI block ${k.a} is missing`).toBe(true);
      });
    }
  }
  const replies: unknown[] = [];
  for (let i = 0; i < reads.length; i += 2000) replies.push(...(await pipelineOk(c, reads.slice(i, i + 2000))));
  for (const check of checks) check(replies);
  return JSON.stringify(replies);
}

async function crashRounds(label: string, args: string[], seed: number): Promise<{ dir: string; acked: number; rounds: number }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), `aki-crash-${label}-`));
  tmpDirs.push(dir);
  const rnd = prng(seed);
  const history: Array<{ log: ClientLog; seen: string }> = [];
  let acked = 0;
  for (let round = 0; round < ROUNDS; round++) {
    current = await startAki({ dir, args });
    const port = current.port;
    const stop = { now: false };
    const workers = Array.from({ length: CLIENTS }, (_, i) => {
      const clientRnd = prng(Math.floor(rnd() * 2 ** 31));
      return worker(port, `r${round}c${i}`, clientRnd, stop);
    });
    // Let the load build up, then pull the plug at a seeded moment.
    await sleep(400 + Math.floor(rnd() * 1000));
    process.kill(current.pid, 'SIGKILL');
    await current.exited;
    stop.now = true;
    const logs = await Promise.all(workers);
    const roundAcked = logs.reduce((n, l) => n + l.outcomes.filter((o) => o.acked).length, 0);
    expect(roundAcked, `round ${round}: no write was acknowledged before the kill`).toBeGreaterThan(0);
    acked += roundAcked;

    current = await startAki({ dir, args });
    const c = await RawConnection.open(current.port);
    try {
      const ctx = `${label} seed ${seed} round ${round}`;
      // Earlier rounds' keys were never written again: they must read exactly as before.
      for (const [i, h] of history.entries()) {
        expect(await verify(c, h.log, `${ctx} (re-reading round ${Math.floor(i / CLIENTS)})`), `${ctx}: ${h.log.prefix} changed`).toBe(h.seen);
      }
      for (const log of logs) history.push({ log, seen: await verify(c, log, ctx) });
    } finally {
      c.close();
    }
    await current.stop('SIGKILL');
    current = undefined;
  }
  return { dir, acked, rounds: ROUNDS };
}

describe('SIGKILL during concurrent writes (ioredis)', () => {
  it('appendfsync always: every acknowledged write and whole MULTI blocks survive', { timeout: 60_000 }, async () => {
    const r = await crashRounds('always', ['--appendonly', 'yes', '--appendfsync', 'always', '--save', ''], SEED);
    expect(r.acked, 'too little load to mean anything').toBeGreaterThan(100);
  });

  it('appendfsync everysec: every acknowledged write and whole MULTI blocks survive', { timeout: 60_000 }, async () => {
    const r = await crashRounds('everysec', ['--appendonly', 'yes', '--appendfsync', 'everysec', '--save', ''], SEED + 1);
    expect(r.acked, 'too little load to mean anything').toBeGreaterThan(100);
  });

  it('everysec with automatic AOF rewrites running while the server is killed', { timeout: 60_000 }, async () => {
    const args = [
      '--appendonly',
      'yes',
      '--appendfsync',
      'everysec',
      '--save',
      '',
      '--auto-aof-rewrite-percentage',
      '10',
      '--auto-aof-rewrite-min-size',
      '65536',
    ];
    const r = await crashRounds('rewrite', args, SEED + 2);
    // At least one automatic rewrite completed somewhere in the rounds: the base moved on.
    const base = readManifest(r.dir).find((l) => l.type === 'b');
    expect(base, 'manifest has a base').toBeDefined();
    expect(base!.seq, 'an automatic rewrite happened').toBeGreaterThan(1);
    const s = await startAki({ dir: r.dir, args });
    current = s;
    const c = await RawConnection.open(s.port);
    try {
      expect((await info(c)).get('aof_last_bgrewrite_status')).toBe('ok');
    } finally {
      c.close();
    }
  });
});
