// Durability benchmark (issue 4): aki vs a real redis-server in the same run,
// both with the append-only file on, each in its own fresh temp dir, same flags:
//   --appendonly yes --appendfsync <policy> --save '' --auto-aof-rewrite-percentage 0
// (automatic rewrites are off so that a rewrite does not land in one server's
// throughput run and not in the other's; part 2 triggers the rewrite itself).
//
// 1. SET throughput under appendfsync always and everysec: redis-benchmark
//    -t set -c 50 -r 100000 at -P 1 and -P 16, -n sized from a calibration run
//    so one run takes ~3 s, 3 runs per server alternating aki, redis, aki, ...,
//    median reported. The issue's aim: aki >= 1.5x redis under always.
// 2. BGREWRITEAOF while serving (appendfsync everysec): each server gets
//    1,000,000 keys (MSET batches, so both AOFs hold them), then per round a
//    steady load (a worker thread keeping LOAD_CONNECTIONS x LOAD_DEPTH
//    pipelined SET/GET in flight) and a latency probe (one connection, one PING
//    at a time, ~1 per ms) run while BGREWRITEAOF is sent and INFO persistence
//    is polled until aof_rewrite_in_progress:0, aof_rewrite_scheduled:0,
//    aof_rewrites went up and the server has no child process left (Redis
//    rewrites in a fork). Reported, median of 3 rounds alternating: rewrite
//    duration, probe p99 and worst round trip during the rewrite, and the
//    load's throughput during it, next to the same numbers from the 1.5 s
//    window before BGREWRITEAOF (same load, no rewrite).
//
//   node bench/durability.mjs [--quick]     (pnpm bench runs it last)
//
// A server that refuses BGREWRITEAOF (or whose rewrite fails or times out) is
// reported with the error and the run goes on.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isMainThread, Worker, workerData } from 'node:worker_threads';

const POLICIES = ['always', 'everysec'];
const PIPELINES = [1, 16];
const CLIENTS = 50;
const KEYSPACE = 100_000; // -r
const RUN_SECONDS = 3;
const CALIBRATION_REQUESTS = { 1: 10_000, 16: 50_000 };

const REWRITE_POLICY = 'everysec';
const FILL_KEYS = 1_000_000;
const FILL_BATCH = 100; // keys per MSET
const FILL_WINDOW = 100; // MSETs in flight
const VALUE_SIZE = 16;
const LOAD_CONNECTIONS = 4;
const LOAD_DEPTH = 16;
const WARM_MS = 500;
const BASELINE_MS = 1500;
const REWRITE_TIMEOUT_MS = 60_000;
const POLL_MS = 20;
const PROBE_INTERVAL_MS = 1;

const AIM_ALWAYS = 1.5;

const serverArgs = (policy) => ['--appendonly', 'yes', '--appendfsync', policy, '--save', '', '--auto-aof-rewrite-percentage', '0'];

const fillKey = (i) => `key:${i}`;
const fillValue = (i) => `v${i}`.padEnd(VALUE_SIZE, '.');

// ---------------------------------------------------------------- helpers

/** Runs `cmd args` to completion: { code, stdout, stderr } (bench/run.mjs uses it too). */
export function run(cmd, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s) => (stderr += s));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The SET row of redis-benchmark --csv output: { rps, p50, p99 }. */
async function benchSet(port, pipeline, requests) {
  const args = ['-h', '127.0.0.1', '-p', String(port), '-t', 'set', '-c', String(CLIENTS), '-n', String(requests), '-r', String(KEYSPACE), '-P', String(pipeline), '--csv'];
  const r = await run('redis-benchmark', args);
  const lines = r.stdout.split('\n').filter((l) => l.startsWith('"'));
  const header = (lines[0] ?? '').split(',').map((h) => h.replaceAll('"', ''));
  const cells = (lines.find((l) => l.startsWith('"SET"')) ?? '').split('","').map((c) => c.replaceAll('"', ''));
  const row = { rps: Number(cells[header.indexOf('rps')]), p50: Number(cells[header.indexOf('p50_latency_ms')]), p99: Number(cells[header.indexOf('p99_latency_ms')]) };
  if (r.code !== 0 || !Number.isFinite(row.rps) || row.rps <= 0) {
    throw new Error(`redis-benchmark ${args.join(' ')} failed (exit ${r.code}):\n${r.stdout}${r.stderr}`);
  }
  return row;
}

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const quantile = (sorted, q) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] : NaN);

/** The fields of an INFO reply as a Map. */
function parseInfo(raw) {
  const text = raw.toString('latin1');
  const fields = new Map();
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0 && !line.startsWith('#')) fields.set(line.slice(0, colon), line.slice(colon + 1));
  }
  return fields;
}

async function infoPersistence(connection) {
  return parseInfo(await connection.call('INFO', 'persistence'));
}

/** A RESP error reply's text, or undefined when `raw` is not an error. */
const errorText = (raw) => (raw[0] === 0x2d ? raw.toString('latin1').slice(1).trimEnd() : undefined);

/** Child pids of `pid` (all threads), from /proc; [] where /proc is not there. */
function childPids(pid) {
  try {
    const out = [];
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const text = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
      if (text) out.push(...text.split(/\s+/).map(Number));
    }
    return out;
  } catch {
    return [];
  }
}

const fmtInt = (n) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a');
const fmtMs = (n, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
const fmtRatio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}x` : 'n/a');

function table(header, body, leftColumns = 1) {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const fmt = (cells) => cells.map((c, i) => (i < leftColumns ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [fmt(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(fmt)].join('\n');
}

async function startPair(utils, policy) {
  const args = serverArgs(policy);
  const [aki, redis] = await Promise.all([utils.startAki({ args }), utils.startRedis({ args })]);
  return { aki, redis };
}

async function stopPair(pair) {
  if (pair) await Promise.allSettled([pair.aki.stop(), pair.redis.stop()]);
}

/** Prints whether each server really runs with the AOF on, and returns { name: aof_enabled }. */
async function describePair(utils, pair, policy) {
  const enabled = {};
  const parts = [];
  for (const [name, server] of Object.entries(pair)) {
    const c = await utils.RawConnection.open(server.port);
    const info = await infoPersistence(c);
    const fsync = (await c.command('CONFIG', 'GET', 'appendfsync'))?.[1] ?? '?';
    c.close();
    enabled[name] = info.get('aof_enabled') === '1';
    parts.push(`${name} pid ${server.pid} port ${server.port} aof_enabled:${info.get('aof_enabled') ?? '?'} appendfsync ${fsync}`);
  }
  process.stderr.write(`  appendfsync ${policy}: ${parts.join('; ')}\n`);
  if (!enabled.aki) process.stderr.write('  note: aki reports aof_enabled:0, so its numbers here are without an AOF\n');
  return enabled;
}

// ---------------------------------------------------------------- part 1

async function benchThroughput(utils, repeat) {
  const results = [];
  const aofEnabled = { aki: true, redis: true };
  for (const policy of POLICIES) {
    const pair = await startPair(utils, policy);
    try {
      const enabled = await describePair(utils, pair, policy);
      aofEnabled.aki &&= enabled.aki;
      aofEnabled.redis &&= enabled.redis;
      for (const pipeline of PIPELINES) {
        // Calibration (also the warm-up): size -n so a run takes ~RUN_SECONDS
        // at the geometric mean of the two servers' rates; same -n for both.
        const probe = {};
        for (const name of ['aki', 'redis']) probe[name] = (await benchSet(pair[name].port, pipeline, CALIBRATION_REQUESTS[pipeline])).rps;
        const rate = Math.sqrt(probe.aki * probe.redis);
        const requests = Math.min(3_000_000, Math.max(20_000, Math.round((rate * RUN_SECONDS) / 10_000) * 10_000));
        const samples = { aki: [], redis: [] };
        for (let rep = 0; rep < repeat; rep++) {
          for (const name of ['aki', 'redis']) samples[name].push(await benchSet(pair[name].port, pipeline, requests));
        }
        const reduce = (xs) => ({ rps: median(xs.map((x) => x.rps)), p50: median(xs.map((x) => x.p50)), p99: median(xs.map((x) => x.p99)) });
        const row = { policy, pipeline, requests, aki: reduce(samples.aki), redis: reduce(samples.redis) };
        results.push(row);
        process.stderr.write(
          `  SET appendfsync ${policy} -P ${pipeline} -n ${requests}: aki ${Math.round(row.aki.rps)} rps, ` +
            `redis ${Math.round(row.redis.rps)} rps (${fmtRatio(row.aki.rps, row.redis.rps)})\n`,
        );
      }
    } finally {
      await stopPair(pair);
    }
  }
  console.log('');
  console.log(
    table(
      ['SET (AOF on)', 'pipeline', 'aki rps', 'redis rps', 'aki/redis', 'aki p50/p99 ms', 'redis p50/p99 ms'],
      results.map((r) => [
        `appendfsync ${r.policy}`,
        String(r.pipeline),
        fmtInt(r.aki.rps),
        fmtInt(r.redis.rps),
        fmtRatio(r.aki.rps, r.redis.rps),
        `${r.aki.p50.toFixed(3)} / ${r.aki.p99.toFixed(3)}`,
        `${r.redis.p50.toFixed(3)} / ${r.redis.p99.toFixed(3)}`,
      ]),
      2,
    ),
  );
  return { results, aofEnabled };
}

// ---------------------------------------------------------------- part 2

/** The RESP bytes of the MSETs for keys [from, to), FILL_BATCH keys each (keys and values are ASCII). */
function encodeFill(from, to) {
  let text = '';
  for (let start = from; start < to; start += FILL_BATCH) {
    const end = Math.min(to, start + FILL_BATCH);
    text += `*${1 + 2 * (end - start)}\r\n$4\r\nMSET\r\n`;
    for (let i = start; i < end; i++) {
      const key = fillKey(i);
      text += `$${key.length}\r\n${key}\r\n$${VALUE_SIZE}\r\n${fillValue(i)}\r\n`;
    }
  }
  return Buffer.from(text, 'latin1');
}

/**
 * Fills the server with FILL_KEYS string keys through pipelined MSETs (written
 * to the AOF like any write), encoding the next window while the server works
 * on the current one.
 */
async function fill(connection) {
  const windowKeys = FILL_BATCH * FILL_WINDOW;
  let next = encodeFill(0, Math.min(FILL_KEYS, windowKeys));
  for (let from = 0; from < FILL_KEYS; from += windowKeys) {
    const to = Math.min(FILL_KEYS, from + windowKeys);
    connection.write(next);
    const pending = connection.readReplies(Math.ceil((to - from) / FILL_BATCH), 60_000);
    if (to < FILL_KEYS) next = encodeFill(to, Math.min(FILL_KEYS, to + windowKeys));
    const replies = await pending;
    const err = replies.toString('latin1').split('\r\n').find((l) => l.startsWith('-'));
    if (err) throw new Error(`fill failed: ${err}`);
  }
  const size = await connection.command('DBSIZE');
  if (size !== FILL_KEYS) throw new Error(`fill: DBSIZE is ${size}, expected ${FILL_KEYS}`);
}

/**
 * The latency probe: one connection, one PING at a time, the next sent no
 * sooner than PROBE_INTERVAL_MS after the previous one (so it samples the
 * server without adding load). Each sample is a send time (performance.now()
 * ms) and its round trip in ms.
 */
function startProbe(port) {
  const socket = net.connect({ port, host: '127.0.0.1' });
  socket.setNoDelay(true);
  const PING = Buffer.from('*1\r\n$4\r\nPING\r\n');
  const sent = [];
  const rtt = [];
  let sentAt = 0;
  let pending = 0;
  let stopped = false;
  let timer;
  let error;
  const send = () => {
    timer = undefined;
    if (stopped) return;
    sentAt = performance.now();
    pending = 7; // +PONG\r\n
    socket.write(PING);
  };
  socket.on('data', (chunk) => {
    pending -= chunk.length;
    if (pending > 0) return;
    const now = performance.now();
    sent.push(sentAt);
    rtt.push(now - sentAt);
    const wait = PROBE_INTERVAL_MS - (now - sentAt);
    if (wait > 0) timer = setTimeout(send, wait);
    else setImmediate(send);
  });
  socket.on('error', (e) => (error = e));
  socket.once('connect', send);
  return {
    /** Samples whose round trip overlaps [from, to], plus the one in flight. */
    window(from, to) {
      const out = [];
      for (let i = 0; i < sent.length; i++) if (sent[i] <= to && sent[i] + rtt[i] >= from) out.push(rtt[i]);
      if (!stopped && pending > 0 && sentAt <= to) out.push(performance.now() - sentAt);
      return out.sort((a, b) => a - b);
    },
    error: () => error,
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      socket.destroy();
    },
  };
}

/** The steady load: a worker thread (own event loop, so the probe's timing is not disturbed by it). */
function startLoad(port) {
  const counters = new Int32Array(new SharedArrayBuffer(8)); // [replies, error replies]
  const worker = new Worker(new URL(import.meta.url), {
    workerData: { role: 'durability-load', port, counters, connections: LOAD_CONNECTIONS, depth: LOAD_DEPTH, keys: FILL_KEYS },
  });
  let failure;
  worker.on('error', (e) => (failure = e));
  return {
    replies: () => Atomics.load(counters, 0),
    errors: () => Atomics.load(counters, 1),
    failure: () => failure,
    stop: () => worker.terminate(),
  };
}

/** Worker side of startLoad: pre-encoded batches of LOAD_DEPTH commands (half SET, half GET) per connection, one batch in flight each. */
function runLoadWorker({ port, counters, connections, depth, keys }) {
  const encode = (argv) => `*${argv.length}\r\n${argv.map((a) => `$${Buffer.byteLength(a, 'latin1')}\r\n${a}\r\n`).join('')}`;
  const batches = [];
  for (let b = 0; b < 256; b++) {
    let text = '';
    for (let i = 0; i < depth; i++) {
      const k = Math.floor(Math.random() * keys);
      text += i % 2 === 0 ? encode(['SET', fillKey(k), fillValue(k + 1)]) : encode(['GET', fillKey(k)]);
    }
    batches.push(Buffer.from(text, 'latin1'));
  }
  for (let c = 0; c < connections; c++) {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.setNoDelay(true);
    let next = c * 64;
    let outstanding = 0;
    let rest = Buffer.alloc(0);
    const sendBatch = () => {
      outstanding = depth;
      socket.write(batches[next++ & 255]);
    };
    socket.once('connect', sendBatch);
    socket.on('error', () => {});
    socket.on('data', (chunk) => {
      const buf = rest.length ? Buffer.concat([rest, chunk]) : chunk;
      let at = 0;
      let done = 0;
      let errors = 0;
      for (;;) {
        const cr = buf.indexOf(13, at);
        if (cr < 0 || cr + 1 >= buf.length) break;
        let end = cr + 2;
        if (buf[at] === 0x24) {
          const len = Number(buf.toString('latin1', at + 1, cr));
          if (len >= 0) end += len + 2;
          if (end > buf.length) break;
        } else if (buf[at] === 0x2d) errors++;
        at = end;
        done++;
      }
      rest = at < buf.length ? buf.subarray(at) : Buffer.alloc(0);
      if (done) Atomics.add(counters, 0, done);
      if (errors) Atomics.add(counters, 1, errors);
      outstanding -= done;
      if (outstanding === 0) sendBatch();
    });
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const probeStats = (samples) => ({ p99: quantile(samples, 0.99), max: samples.length ? samples[samples.length - 1] : NaN, pings: samples.length });

/**
 * One round on a filled server: load and probe start, a quiet window is
 * measured, then BGREWRITEAOF is sent under the same load and INFO polled until
 * the rewrite is over. Returns { baseline, during, rewriteMs, commandMs,
 * aofBefore, aofAfter } with baseline/during = { rps, p99, max, pings }, or
 * { error } (plus the baseline) when the rewrite is refused, fails or hangs.
 */
async function rewriteRound(control, server) {
  const result = {};
  const before = await infoPersistence(control);
  result.aofBefore = Number(before.get('aof_current_size'));
  const rewritesBefore = Number(before.get('aof_rewrites') ?? 0);
  const failuresBefore = Number(before.get('aof_rewrites_consecutive_failures') ?? 0);
  const load = startLoad(server.port);
  const probe = startProbe(server.port);
  try {
    await sleep(WARM_MS);
    const baseStart = performance.now();
    const baseReplies = load.replies();
    await sleep(BASELINE_MS);
    const baseEnd = performance.now();
    result.baseline = { rps: ((load.replies() - baseReplies) * 1000) / (baseEnd - baseStart), ...probeStats(probe.window(baseStart, baseEnd)) };

    const rwReplies = load.replies();
    const started = performance.now();
    const reply = await control.call('BGREWRITEAOF');
    result.commandMs = performance.now() - started;
    const refused = errorText(reply);
    if (refused) {
      result.error = `BGREWRITEAOF: ${refused}`;
      return result;
    }
    // Over when nothing is in progress or scheduled, one more rewrite is
    // counted and no forked child is left (Redis reaps its child from cron).
    for (;;) {
      const info = await infoPersistence(control);
      if (Number(info.get('aof_rewrites_consecutive_failures') ?? 0) > failuresBefore || info.get('aof_last_bgrewrite_status') === 'err') {
        result.error = `rewrite failed (aof_last_bgrewrite_status:${info.get('aof_last_bgrewrite_status')})`;
        return result;
      }
      const idle = info.get('aof_rewrite_in_progress') === '0' && info.get('aof_rewrite_scheduled') === '0';
      if (idle && Number(info.get('aof_rewrites') ?? 0) > rewritesBefore && childPids(server.pid).length === 0) {
        result.aofAfter = Number(info.get('aof_current_size'));
        break;
      }
      if (performance.now() - started > REWRITE_TIMEOUT_MS) {
        result.error = `rewrite not finished after ${REWRITE_TIMEOUT_MS / 1000} s`;
        return result;
      }
      if (server.hasExited()) {
        result.error = 'server exited during the rewrite';
        return result;
      }
      await sleep(POLL_MS);
    }
    const ended = performance.now();
    result.rewriteMs = ended - started;
    result.during = { rps: ((load.replies() - rwReplies) * 1000) / (ended - started), ...probeStats(probe.window(started, ended)) };
    if (load.errors()) result.error = `the load got ${load.errors()} error replies`;
    if (load.failure()) throw load.failure();
    if (probe.error()) throw probe.error();
    return result;
  } finally {
    probe.stop();
    await load.stop();
  }
}

const fmtWindow = (w) => `load ${fmtInt(w.rps)} ops/s, probe p99 ${fmtMs(w.p99)} ms, max ${fmtMs(w.max)} ms (${w.pings} pings)`;

/**
 * Part 2: both servers filled, then `repeat` rounds each, alternating, one
 * server at a time (the other sits idle, so they do not share the CPUs).
 * Returns { aki, redis }, each the medians over its rounds or { error }.
 */
async function benchRewrite(utils, repeat) {
  const pair = await startPair(utils, REWRITE_POLICY);
  const names = ['aki', 'redis'];
  const state = {};
  try {
    await describePair(utils, pair, REWRITE_POLICY);
    for (const name of names) {
      state[name] = { rounds: [], control: await utils.RawConnection.open(pair[name].port) };
      const started = performance.now();
      try {
        await fill(state[name].control);
        process.stderr.write(`  ${name}: filled ${FILL_KEYS.toLocaleString('en-US')} keys in ${fmtInt(performance.now() - started)} ms\n`);
      } catch (err) {
        state[name].error = `${err?.message ?? err}`.split('\n')[0];
        process.stderr.write(`  ${name}: ${state[name].error}\n`);
      }
    }
    for (let rep = 0; rep < repeat; rep++) {
      for (const name of names) {
        const s = state[name];
        if (s.error) continue; // the same failure again tells nothing new
        let r;
        try {
          r = await rewriteRound(s.control, pair[name]);
        } catch (err) {
          r = { error: `${err?.message ?? err}`.split('\n')[0] };
        }
        if (r.baseline) process.stderr.write(`  ${name}: before BGREWRITEAOF: ${fmtWindow(r.baseline)}\n`);
        if (r.error) {
          s.error = r.error;
          process.stderr.write(`  ${name}: ${r.error}\n`);
        } else {
          s.rounds.push(r);
          process.stderr.write(
            `  ${name}: BGREWRITEAOF took ${fmtInt(r.rewriteMs)} ms (reply in ${fmtMs(r.commandMs)} ms; ` +
              `aof_current_size ${fmtInt(r.aofBefore)} -> ${fmtInt(r.aofAfter)}): ${fmtWindow(r.during)}\n`,
          );
        }
      }
    }
  } finally {
    for (const name of names) state[name]?.control.close();
    await stopPair(pair);
  }
  const results = {};
  for (const name of names) {
    const { rounds, error } = state[name];
    if (error) {
      results[name] = { error };
      continue;
    }
    const med = (f) => median(rounds.map(f));
    results[name] = {
      rewriteMs: med((r) => r.rewriteMs),
      baseline: { rps: med((r) => r.baseline.rps), p99: med((r) => r.baseline.p99), max: med((r) => r.baseline.max) },
      during: { rps: med((r) => r.during.rps), p99: med((r) => r.during.p99), max: med((r) => r.during.max) },
    };
  }
  const cell = (r, f) => (r.error ? 'error' : f(r));
  const rows = [
    ['rewrite duration ms', (r) => fmtInt(r.rewriteMs)],
    ['probe p99 ms before / during', (r) => `${fmtMs(r.baseline.p99)} / ${fmtMs(r.during.p99)}`],
    ['probe max ms before / during', (r) => `${fmtMs(r.baseline.max)} / ${fmtMs(r.during.max)}`],
    ['load ops/s before / during', (r) => `${fmtInt(r.baseline.rps)} / ${fmtInt(r.during.rps)}`],
  ];
  console.log('');
  console.log(
    table(
      [`BGREWRITEAOF, ${FILL_KEYS / 1e6}M keys, ${REWRITE_POLICY}, median of ${repeat}`, 'aki', 'redis'],
      rows.map(([label, f]) => [label, cell(results.aki, f), cell(results.redis, f)]),
    ),
  );
  for (const name of names) if (results[name].error) console.log(`${name}: ${results[name].error}`);
  return results;
}

// ---------------------------------------------------------------- entry

/**
 * Runs both parts and prints a summary of aki/redis ratios. `utils` is the
 * built tooling/test-utils module; `repeat` the runs per server in part 1.
 * A part that fails is reported and the other still runs; returns false then.
 */
export async function benchDurability(utils, { repeat = 3 } = {}) {
  console.log('');
  console.log(
    `durability: SET -c ${CLIENTS} -r ${KEYSPACE} under appendfsync ${POLICIES.join(' and ')}, ${repeat} run(s) each alternating, median; ` +
      `then BGREWRITEAOF of ${FILL_KEYS / 1e6}M keys while serving`,
  );
  const began = performance.now();
  let ok = true;
  let throughput;
  let rewrite;
  try {
    throughput = await benchThroughput(utils, repeat);
  } catch (err) {
    ok = false;
    console.log(`durability: the throughput part failed: ${err?.stack ?? err}`);
  }
  try {
    rewrite = await benchRewrite(utils, repeat);
  } catch (err) {
    ok = false;
    console.log(`durability: the rewrite part failed: ${err?.stack ?? err}`);
  }

  const body = [];
  for (const r of throughput?.results ?? []) {
    body.push([`SET ${r.policy} -P ${r.pipeline} rps`, fmtInt(r.aki.rps), fmtInt(r.redis.rps), fmtRatio(r.aki.rps, r.redis.rps)]);
  }
  if (rewrite) {
    const { aki, redis } = rewrite;
    const value = (x, f) => (x.error ? NaN : f(x));
    const shown = (x, f, fmt) => (x.error ? 'error' : fmt(f(x)));
    const line = (label, f, fmt) => body.push([label, shown(aki, f, fmt), shown(redis, f, fmt), fmtRatio(value(aki, f), value(redis, f))]);
    line('rewrite duration ms (lower is better)', (x) => x.rewriteMs, fmtInt);
    line('probe p99 ms during rewrite (lower)', (x) => x.during.p99, (v) => fmtMs(v));
    line('probe max ms during rewrite (lower)', (x) => x.during.max, (v) => fmtMs(v));
    line('load ops/s during rewrite', (x) => x.during.rps, fmtInt);
  }
  if (body.length) {
    console.log('');
    console.log(table(['durability summary', 'aki', 'redis', 'aki/redis'], body));
  }
  const always = (throughput?.results ?? []).filter((r) => r.policy === 'always');
  if (always.length) {
    const verdict = always.map((r) => `-P ${r.pipeline} ${fmtRatio(r.aki.rps, r.redis.rps)}`).join(', ');
    const met = always.every((r) => r.aki.rps >= AIM_ALWAYS * r.redis.rps);
    console.log(`aim (issue 4): aki >= ${AIM_ALWAYS}x redis SET rps under appendfsync always: ${met ? 'met' : 'not met'} (${verdict})`);
  }
  if (throughput && !throughput.aofEnabled.aki) console.log('note: aki reported aof_enabled:0, so its AOF was not active in this build');
  process.stderr.write(`  durability section took ${((performance.now() - began) / 1000).toFixed(0)} s\n`);
  return ok;
}

const here = fileURLToPath(import.meta.url);

/**
 * For a bench run on its own: the built test-utils, after checking that
 * redis-server and redis-benchmark are installed (and aki-server built when
 * `aki`); exits with a message saying what to do otherwise.
 */
export async function loadBenchUtils(root, { aki, akiHint = '' }) {
  let utils;
  try {
    utils = await import(path.join(root, 'tooling/test-utils/dist/index.js'));
  } catch {
    process.stderr.write('bench: tooling/test-utils is not built: run `npx -y pnpm@10 build`\n');
    process.exit(1);
  }
  const missing = ['redis-benchmark', 'redis-server'].filter((b) => !utils.hasBinary(b));
  if (missing.length) {
    process.stderr.write(`bench: ${missing.join(' and ')} not found on PATH (apt-get install redis-server redis-tools)\n`);
    process.exit(1);
  }
  if (aki && !utils.akiIsBuilt()) {
    process.stderr.write(`bench: aki-server is not built: run \`npx -y pnpm@10 build\` first${akiHint}\n`);
    process.exit(1);
  }
  return utils;
}

if (!isMainThread && workerData?.role === 'durability-load') {
  runLoadWorker(workerData);
} else if (isMainThread && process.argv[1] && pathToFileURL(path.resolve(process.argv[1])).href === pathToFileURL(here).href) {
  const root = path.resolve(path.dirname(here), '..');
  const repeat = process.argv.includes('--quick') ? 1 : 3;
  const unknown = process.argv.slice(2).filter((a) => a !== '--quick');
  if (unknown.length) {
    process.stderr.write(`usage: node bench/durability.mjs [--quick]\n`);
    process.exit(2);
  }
  const utils = await loadBenchUtils(root, { aki: true });
  const ok = await benchDurability(utils, { repeat });
  process.exit(ok ? 0 : 1);
}
