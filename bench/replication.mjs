// Replication benchmark (issue 5): an aki leader with an aki follower vs a
// redis-server leader with a redis-server follower, same machine, same run,
// one pair at a time (the other kind is not running), every process with
//   --appendonly no --save '' --enable-debug-command local
// and, on each leader, CONFIG SET repl-diskless-sync-delay 0 (Redis 7 would
// otherwise wait 5 s for more replicas before every full sync; a leader that
// refuses the setting is reported and measured as it is).
//
// Per kind: two leaders each holding exactly 1,000,000 keys (DEBUG POPULATE),
// one that never gets a follower ("solo") and one that does; then
// 1. Full sync: per round a fresh, empty follower is started, sent REPLICAOF
//    127.0.0.1 <leader port>, and timed from that command until it reports
//    master_link_status:up and DBSIZE 1000000 (median of `repeat` rounds; the
//    last follower stays attached). A follower that does not get there within
//    LINK_TIMEOUT_MS is reported as "<kind>: did not link up" and only the
//    no-follower throughput is measured for that kind.
// 2. SET throughput: redis-benchmark -t set -c 50 -r 100000 at -P 16 and -P 1,
//    -n sized by a calibration run on the solo leader so one run takes
//    ~RUN_SECONDS; `repeat` runs on each leader, alternating solo / with
//    follower (so drift on a noisy machine hits both alike), median; reported
//    as rps and as the with/without ratio.
// 3. Follower lag during each run with the follower: leader master_repl_offset
//    minus follower slave_repl_offset (bytes, both asked at once, negatives
//    clamped to 0) every LAG_SAMPLE_MS: median and max over all samples of
//    that pipeline depth; and the time the follower needs after the load to
//    reach the leader's offset (catch-up, median).
// 4. SET+WAIT: one connection sends SET, waits for +OK, sends WAIT 1 1000,
//    waits for its reply, for WAIT_SECONDS: pairs per second, p50/p99 of one
//    pair, and how many WAITs returned 0 (timed out without the ack).
// Then a summary of aki/redis ratios. Note the follower shares the machine's
// CPUs with the leader and redis-benchmark, which is much of what
// "with / without" measures on a small machine.
//
//   node bench/replication.mjs [--quick] [--only aki|redis]   (pnpm bench runs it last)
//
// BENCH_ONLY=redis (or aki) in the environment, or --only, runs one kind
// only: BENCH_ONLY=redis to develop against redis-server pairs while aki's
// replication is not ready (the aki column then reads "skipped"). Only this
// section reads BENCH_ONLY. Everything has a timeout: a server that refuses
// a command, hangs or exits is reported and the run goes on.
import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadBenchUtils, median } from './durability.mjs';

const KINDS = ['aki', 'redis'];
const KEYS = 1_000_000;
const PIPELINES = [16, 1];
const CLIENTS = 50;
const KEYSPACE = 100_000; // -r
const RUN_SECONDS = 2.5;
const CALIBRATION_REQUESTS = { 1: 20_000, 16: 100_000 };
const BENCHMARK_TIMEOUT_MS = 60_000;
const LINK_TIMEOUT_MS = 30_000;
const SYNC_POLL_MS = 10;
const LAG_SAMPLE_MS = 100;
const CATCH_UP_TIMEOUT_MS = 10_000;
const WAIT_SECONDS = 3;
const WAIT_TIMEOUT_MS = 1000; // the WAIT command's own timeout
const COMMAND_TIMEOUT_MS = 10_000;

const SERVER_ARGS = ['--appendonly', 'no', '--save', '', '--enable-debug-command', 'local'];

// ---------------------------------------------------------------- helpers

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const firstLine = (err) => `${err?.message ?? err}`.split('\n')[0];
const fmtInt = (n) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a');
const fmtMs = (n, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
const fmtRatio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}x` : 'n/a');
const quantile = (sorted, q) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] : NaN);

function table(header, body) {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const fmt = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [fmt(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(fmt)].join('\n');
}

/** The fields of an INFO reply as a Map. */
function parseInfo(raw) {
  const fields = new Map();
  for (const line of raw.toString('latin1').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0 && !line.startsWith('#')) fields.set(line.slice(0, colon), line.slice(colon + 1));
  }
  return fields;
}

/** A RESP error reply's text, or undefined when `raw` is not an error. */
const errorText = (raw) => (raw[0] === 0x2d ? raw.toString('latin1').slice(1).trimEnd() : undefined);

/** Sends one command and returns its raw reply, waiting at most `timeoutMs`. */
function call(connection, argv, timeoutMs = COMMAND_TIMEOUT_MS) {
  connection.send(...argv);
  return connection.readReply(timeoutMs);
}

/** Like call, but an error reply rejects, naming the command. */
async function callOk(connection, argv, timeoutMs) {
  const raw = await call(connection, argv, timeoutMs);
  const err = errorText(raw);
  if (err) throw new Error(`${argv.join(' ')}: ${err}`);
  return raw;
}

async function replicationInfo(connection, timeoutMs) {
  return parseInfo(await callOk(connection, ['INFO', 'replication'], timeoutMs));
}

/** Runs `cmd args` to completion, SIGKILLing it after `timeoutMs`: { code, stdout, stderr, timedOut }. */
function runWithTimeout(cmd, args, timeoutMs) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (s) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s) => (stderr += s));
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, timedOut });
    });
  });
}

/** redis-benchmark SET against `port`: the CSV row { rps, p50, p99 }. */
async function benchSet(port, pipeline, requests) {
  const args = ['-h', '127.0.0.1', '-p', String(port), '-t', 'set', '-c', String(CLIENTS), '-n', String(requests), '-r', String(KEYSPACE), '-P', String(pipeline), '--csv'];
  const r = await runWithTimeout('redis-benchmark', args, BENCHMARK_TIMEOUT_MS);
  if (r.timedOut) throw new Error(`redis-benchmark ${args.join(' ')} did not finish within ${BENCHMARK_TIMEOUT_MS / 1000} s`);
  const lines = r.stdout.split('\n').filter((l) => l.startsWith('"'));
  const header = (lines[0] ?? '').split(',').map((h) => h.replaceAll('"', ''));
  const cells = (lines.find((l) => l.startsWith('"SET"')) ?? '').split('","').map((c) => c.replaceAll('"', ''));
  const row = { rps: Number(cells[header.indexOf('rps')]), p50: Number(cells[header.indexOf('p50_latency_ms')]), p99: Number(cells[header.indexOf('p99_latency_ms')]) };
  if (r.code !== 0 || !Number.isFinite(row.rps) || row.rps <= 0) {
    throw new Error(`redis-benchmark ${args.join(' ')} failed (exit ${r.code}): ${(r.stdout + r.stderr).trim().split('\n').slice(-3).join(' | ')}`);
  }
  return row;
}

/** DEBUG POPULATE KEYS on an empty database 0, checked with DBSIZE. */
async function populate(connection) {
  await callOk(connection, ['DEBUG', 'POPULATE', String(KEYS)], 120_000);
  const size = await dbsizeOf(connection);
  if (size !== KEYS) throw new Error(`after DEBUG POPULATE ${KEYS}: DBSIZE ${size}`);
}

/** CONFIG GET `name`: its value, or '?' when the server does not report it. */
async function configGet(connection, name) {
  const reply = await connection.command('CONFIG', 'GET', name);
  return Array.isArray(reply) && typeof reply[1] === 'string' ? reply[1] : '?';
}

async function dbsizeOf(connection, timeoutMs) {
  const raw = await call(connection, ['DBSIZE'], timeoutMs);
  const text = raw.toString('latin1');
  return text[0] === ':' ? Number(text.slice(1, text.indexOf('\r'))) : NaN; // NaN: an error (e.g. -LOADING)
}

// ---------------------------------------------------------------- part 2: full sync

/**
 * Sends REPLICAOF to `follower` (an empty server) and polls it until it
 * reports master_link_status:up and DBSIZE KEYS. Returns { ms } or { error }.
 */
async function fullSync(utils, follower, leader) {
  const c = await utils.RawConnection.open(follower.port);
  try {
    const started = performance.now();
    const deadline = started + LINK_TIMEOUT_MS;
    const remaining = () => Math.max(1, deadline - performance.now());
    const refused = errorText(await call(c, ['REPLICAOF', '127.0.0.1', String(leader.port)]));
    if (refused) return { error: `REPLICAOF: ${refused}` };
    let link = '?';
    let size = NaN;
    for (;;) {
      // Each read may take until the deadline: a follower busy loading may answer late.
      const info = await replicationInfo(c, remaining());
      link = info.get('master_link_status') ?? '(no master_link_status)';
      if (link === 'up') {
        size = await dbsizeOf(c, remaining());
        if (size === KEYS) return { ms: performance.now() - started };
      }
      if (follower.hasExited()) return { error: 'the follower exited' };
      if (leader.hasExited()) return { error: 'the leader exited' };
      if (performance.now() > deadline) break;
      await sleep(SYNC_POLL_MS);
    }
    return { error: `not linked within ${LINK_TIMEOUT_MS / 1000} s (master_link_status:${link}, DBSIZE ${Number.isNaN(size) ? 'n/a' : size})` };
  } catch (err) {
    return { error: firstLine(err) };
  } finally {
    c.close();
  }
}

// ---------------------------------------------------------------- part 3: lag

/** leader master_repl_offset - follower slave_repl_offset, both asked at once. */
async function lagBytes(leaderConnection, followerConnection) {
  const [l, f] = await Promise.all([replicationInfo(leaderConnection), replicationInfo(followerConnection)]);
  return { leader: Number(l.get('master_repl_offset')), follower: Number(f.get('slave_repl_offset')) };
}

/** Samples the lag every LAG_SAMPLE_MS until stopped; stop() resolves with { samples, error }. */
function startLagSampler(leaderConnection, followerConnection) {
  const samples = [];
  let stopped = false;
  let error;
  const loop = (async () => {
    while (!stopped) {
      const at = performance.now();
      try {
        const o = await lagBytes(leaderConnection, followerConnection);
        if (!Number.isFinite(o.leader) || !Number.isFinite(o.follower)) {
          error = 'INFO replication lacks master_repl_offset (leader) or slave_repl_offset (follower)';
          return;
        }
        samples.push(Math.max(0, o.leader - o.follower)); // the two answers are not simultaneous
      } catch (err) {
        error = firstLine(err);
        return;
      }
      const wait = LAG_SAMPLE_MS - (performance.now() - at);
      if (wait > 0 && !stopped) await sleep(wait);
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      return { samples, error };
    },
  };
}

/**
 * How long the follower takes to reach the leader's offset as of now:
 * { ms } or { error } (offsets not reported, not reached within
 * CATCH_UP_TIMEOUT_MS, or a command failed).
 */
async function catchUp(leaderConnection, followerConnection) {
  try {
    const started = performance.now();
    const target = Number((await replicationInfo(leaderConnection)).get('master_repl_offset'));
    if (!Number.isFinite(target)) return { error: 'the leader reports no master_repl_offset' };
    for (;;) {
      const at = Number((await replicationInfo(followerConnection)).get('slave_repl_offset'));
      if (!Number.isFinite(at)) return { error: 'the follower reports no slave_repl_offset' };
      if (at >= target) return { ms: performance.now() - started };
      if (performance.now() - started > CATCH_UP_TIMEOUT_MS) return { error: `the follower stayed ${fmtInt(target - at)} bytes behind for ${CATCH_UP_TIMEOUT_MS / 1000} s` };
      await sleep(5);
    }
  } catch (err) {
    return { error: firstLine(err) };
  }
}

// ---------------------------------------------------------------- part 4: SET + WAIT

/**
 * One connection, strictly sequential: SET, its +OK, WAIT 1 1000, its
 * integer, repeated for WAIT_SECONDS. Resolves with { pairs, seconds, acked,
 * timedOut, p50, p99 } or rejects on an unexpected reply or a stall.
 */
function setWaitLoop(port) {
  const encode = (argv) => Buffer.from(`*${argv.length}\r\n${argv.map((a) => `$${a.length}\r\n${a}\r\n`).join('')}`, 'latin1');
  const SET = encode(['SET', 'bench:wait', 'v'.repeat(16)]);
  const WAIT = encode(['WAIT', '1', String(WAIT_TIMEOUT_MS)]);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.setNoDelay(true);
    const latencies = [];
    let acked = 0;
    let timedOut = 0;
    let waiting = false; // the reply expected next is WAIT's
    let pending = '';
    let started = 0;
    let pairStarted = 0;
    let lastReply = 0;
    let done = false;
    const finish = (err) => {
      if (done) return;
      done = true;
      clearInterval(watchdog);
      socket.destroy();
      if (err) return reject(err);
      latencies.sort((a, b) => a - b);
      const seconds = (lastReply - started) / 1000;
      resolve({ pairs: latencies.length, seconds, acked, timedOut, p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99) });
    };
    // A reply later than WAIT's own timeout plus slack means the server stalled.
    const watchdog = setInterval(() => {
      if (started && performance.now() - lastReply > WAIT_TIMEOUT_MS + 4000) finish(new Error(`SET+WAIT: no reply for ${((performance.now() - lastReply) / 1000).toFixed(1)} s`));
    }, 250);
    socket.once('connect', () => {
      started = pairStarted = lastReply = performance.now();
      socket.write(SET);
    });
    socket.on('error', (err) => finish(err));
    socket.on('close', () => finish(new Error('SET+WAIT: the connection closed')));
    socket.on('data', (chunk) => {
      pending += chunk.toString('latin1');
      let eol;
      while (!done && (eol = pending.indexOf('\r\n')) >= 0) {
        const line = pending.slice(0, eol);
        pending = pending.slice(eol + 2);
        const now = performance.now();
        lastReply = now;
        if (!waiting) {
          if (line !== '+OK') return finish(new Error(`SET replied ${JSON.stringify(line)}`));
          waiting = true;
          socket.write(WAIT);
          continue;
        }
        if (line[0] !== ':') return finish(new Error(`WAIT 1 ${WAIT_TIMEOUT_MS} replied ${JSON.stringify(line)}`));
        if (Number(line.slice(1)) >= 1) acked++;
        else timedOut++;
        latencies.push(now - pairStarted);
        waiting = false;
        if (now - started >= WAIT_SECONDS * 1000) return finish();
        pairStarted = now;
        socket.write(SET);
      }
    });
  });
}

// ---------------------------------------------------------------- one kind

/** Starts a leader of `kind` with the diskless delay off and KEYS keys; returns { server, connection }. */
async function startLeader(utils, start, kind, label) {
  const server = await start({ args: SERVER_ARGS });
  let connection;
  try {
    connection = await utils.RawConnection.open(server.port);
    const refused = errorText(await call(connection, ['CONFIG', 'SET', 'repl-diskless-sync-delay', '0']));
    const diskless = await configGet(connection, 'repl-diskless-sync');
    const began = performance.now();
    await populate(connection);
    process.stderr.write(
      `  ${kind}: ${label} pid ${server.pid} port ${server.port}, repl-diskless-sync ${diskless}, ` +
        `CONFIG SET repl-diskless-sync-delay 0: ${refused ? `refused (${refused})` : 'ok'}; ` +
        `DEBUG POPULATE ${KEYS} took ${fmtInt(performance.now() - began)} ms\n`,
    );
    return { server, connection };
  } catch (err) {
    connection?.close();
    await server.stop().catch(() => server.kill());
    throw err;
  }
}

/**
 * Runs every part for one kind. Two leaders with the same KEYS keys: `solo`
 * never gets a follower, `leader` gets the followers; the throughput runs
 * alternate between the two so drift (and a noisy machine) affects both
 * columns alike. Never throws: failures end up in `result.error`,
 * `result.linkError` or a part's own field.
 */
async function benchKind(utils, kind, repeat) {
  const start = kind === 'aki' ? utils.startAki : utils.startRedis;
  const result = { kind, sync: [], throughput: {}, wait: undefined };
  const say = (text) => process.stderr.write(`  ${kind}: ${text}\n`);
  let solo;
  let leader;
  let follower;
  let fc;
  try {
    solo = await startLeader(utils, start, kind, 'leader without follower');
    leader = await startLeader(utils, start, kind, 'leader with follower');

    // Part 2: full syncs of exactly KEYS keys (before any benchmark key exists).
    for (let round = 0; round < repeat; round++) {
      const f = await start({ args: SERVER_ARGS });
      const r = await fullSync(utils, f, leader.server);
      if (r.error) {
        result.linkError = r.error;
        say(`full sync round ${round + 1}: ${r.error}`);
        await f.stop().catch(() => f.kill());
        break;
      }
      result.sync.push(r.ms);
      say(`full sync round ${round + 1} (follower pid ${f.pid}): ${fmtInt(r.ms)} ms`);
      if (follower) await follower.stop().catch(() => follower.kill());
      follower = f;
    }
    const linked = !result.linkError;
    if (linked) fc = await utils.RawConnection.open(follower.port);
    const lc = leader.connection;

    /**
     * One run on the leader with the follower, lag sampled; the follower is
     * let catch up first (so each run starts level) and timed catching up
     * after. Lag problems are noted in `t.lagError`; the throughput still counts.
     */
    const runWithFollower = async (t, pipeline, requests) => {
      const note = (error) => {
        if (t && error) t.lagError ??= error;
      };
      note((await catchUp(lc, fc)).error);
      const sampler = startLagSampler(lc, fc);
      let row;
      try {
        row = await benchSet(leader.server.port, pipeline, requests);
      } finally {
        const s = await sampler.stop();
        if (t) t.lag.push(...s.samples);
        note(s.error);
      }
      const caught = await catchUp(lc, fc);
      note(caught.error);
      if (t && caught.ms !== undefined) t.catchUp.push(caught.ms);
      return row;
    };

    // Parts 1 and 3: SET without / with the follower, alternating.
    for (const pipeline of PIPELINES) {
      // Calibration on the solo leader (also its warm-up), then the same warm-up on the other.
      const probe = await benchSet(solo.server.port, pipeline, CALIBRATION_REQUESTS[pipeline]);
      if (linked) await runWithFollower(undefined, pipeline, CALIBRATION_REQUESTS[pipeline]);
      const requests = Math.min(5_000_000, Math.max(20_000, Math.round((probe.rps * RUN_SECONDS) / 10_000) * 10_000));
      const t = { requests, none: [], with: [], lag: [], catchUp: [] };
      result.throughput[pipeline] = t;
      for (let rep = 0; rep < repeat; rep++) {
        const order = rep % 2 === 0 ? ['none', 'with'] : ['with', 'none'];
        for (const which of order) {
          if (which === 'none') t.none.push(await benchSet(solo.server.port, pipeline, requests));
          else if (linked) t.with.push(await runWithFollower(t, pipeline, requests));
        }
      }
      const lags = [...t.lag].sort((a, b) => a - b);
      say(`SET -P ${pipeline} -n ${requests}, no follower: ${t.none.map((r) => fmtInt(r.rps)).join(', ')} rps`);
      if (linked) {
        say(
          `SET -P ${pipeline} -n ${requests}, 1 follower: ${t.with.map((r) => fmtInt(r.rps)).join(', ')} rps; ` +
            `lag median ${fmtInt(median(lags))} B, max ${fmtInt(lags.at(-1))} B (${lags.length} samples${t.lagError ? `; ${t.lagError}` : ''}); ` +
            `catch-up ${t.catchUp.map((x) => fmtMs(x, 1)).join(', ')} ms`,
        );
      }
    }
    if (!linked) return result;

    // Part 4: SET + WAIT 1.
    try {
      result.wait = await setWaitLoop(leader.server.port);
      const w = result.wait;
      say(`SET+WAIT 1 ${WAIT_TIMEOUT_MS}: ${fmtInt(w.pairs / w.seconds)} pairs/s, p50 ${fmtMs(w.p50, 3)} ms, p99 ${fmtMs(w.p99, 3)} ms, ${w.timedOut} of ${w.pairs} WAITs timed out`);
    } catch (err) {
      result.wait = { error: firstLine(err) };
      say(`SET+WAIT: ${result.wait.error}`);
    }
  } catch (err) {
    result.error = firstLine(err);
    say(result.error);
  } finally {
    solo?.connection.close();
    leader?.connection.close();
    fc?.close();
    await Promise.allSettled([solo?.server.stop(), leader?.server.stop(), follower?.stop()]);
  }
  return result;
}

// ---------------------------------------------------------------- entry

/** The kinds BENCH_ONLY (or `only`) selects; throws on an unknown value. */
function selectedKinds(only = process.env.BENCH_ONLY) {
  if (!only) return KINDS;
  if (!KINDS.includes(only)) throw new Error(`BENCH_ONLY / --only must be one of ${KINDS.join(', ')} (got ${JSON.stringify(only)})`);
  return [only];
}

/**
 * Runs the replication section and prints its summary. `utils` is the built
 * tooling/test-utils module, `repeat` the runs per measurement (median).
 * Returns false when a part failed for a reason other than aki not linking up
 * (that one is expected while aki's replication is unfinished and only
 * reported).
 */
export async function benchReplication(utils, { repeat = 3, only } = {}) {
  let kinds;
  try {
    kinds = selectedKinds(only);
  } catch (err) {
    console.log(`replication: ${err.message}`);
    return false;
  }
  console.log('');
  console.log(
    `replication: leader + 1 follower of the same kind, ${KEYS / 1e6}M keys (DEBUG POPULATE); full sync median of ${repeat}; ` +
      `SET -c ${CLIENTS} -r ${KEYSPACE} -P ${PIPELINES.join('/')} without and with the follower, lag sampled every ${LAG_SAMPLE_MS} ms; ` +
      `SET+WAIT 1 ${WAIT_TIMEOUT_MS} for ${WAIT_SECONDS} s` +
      (kinds.length < KINDS.length ? ` (BENCH_ONLY=${kinds[0]})` : ''),
  );
  const began = performance.now();
  const results = {};
  for (const kind of KINDS) results[kind] = kinds.includes(kind) ? await benchKind(utils, kind, repeat) : { skipped: true };

  // A cell's text and numeric value per kind; a kind that failed before the
  // part shows why in the cell.
  const blocked = (r, needsLink) => {
    if (r.skipped) return 'skipped';
    if (needsLink && r.linkError) return 'no link';
    return r.error ? 'error' : undefined;
  };
  const body = [];
  const row = (label, needsLink, value, fmt, ratio = true) => {
    const cells = KINDS.map((k) => {
      const r = results[k];
      const v = (() => {
        try {
          return value(r);
        } catch {
          return undefined;
        }
      })();
      if (v === undefined || (typeof v === 'number' && Number.isNaN(v))) return { text: blocked(r, needsLink) ?? 'n/a', v: NaN };
      return { text: fmt(v), v: typeof v === 'number' ? v : NaN };
    });
    body.push([label, ...cells.map((c) => c.text), ratio ? fmtRatio(cells[0].v, cells[1].v) : '']);
  };
  const rps = (xs) => (xs?.length ? median(xs.map((x) => x.rps)) : undefined);
  row(`full sync ${KEYS / 1e6}M keys ms (lower is better)`, true, (r) => (r.sync.length && !r.linkError ? median(r.sync) : undefined), fmtInt);
  for (const p of PIPELINES) {
    const t = (r) => r.throughput?.[p];
    row(`SET -P ${p} rps, no follower`, false, (r) => rps(t(r)?.none), fmtInt);
    row(`SET -P ${p} rps, 1 follower`, true, (r) => rps(t(r)?.with), fmtInt);
    row(`SET -P ${p} with / without follower`, true, (r) => rps(t(r)?.with) / rps(t(r)?.none), (v) => `${v.toFixed(2)}x`);
    const lags = (r) => (t(r)?.lag?.length ? [...t(r).lag].sort((a, b) => a - b) : undefined);
    row(`SET -P ${p} follower lag bytes, median (lower)`, true, (r) => median(lags(r)), fmtInt);
    row(`SET -P ${p} follower lag bytes, max (lower)`, true, (r) => lags(r).at(-1), fmtInt);
    row(`SET -P ${p} catch-up ms after the load (lower)`, true, (r) => median(t(r).catchUp), (v) => fmtMs(v, 1));
  }
  row(`SET+WAIT 1 ${WAIT_TIMEOUT_MS} pairs/s (1 client)`, true, (r) => (r.wait && !r.wait.error ? r.wait.pairs / r.wait.seconds : undefined), fmtInt);
  row(`SET+WAIT 1 pair p50 ms (lower)`, true, (r) => r.wait?.p50, (v) => fmtMs(v, 3));
  row(`SET+WAIT 1 pair p99 ms (lower)`, true, (r) => r.wait?.p99, (v) => fmtMs(v, 3));
  row(`WAITs that timed out`, true, (r) => (r.wait && !r.wait.error ? `${r.wait.timedOut} of ${r.wait.pairs}` : undefined), String, false);
  console.log('');
  console.log(table(['replication summary', 'aki', 'redis', 'aki/redis'], body));

  let ok = true;
  for (const kind of kinds) {
    const r = results[kind];
    if (r.linkError) console.log(`${kind}: did not link up (${r.linkError})`);
    if (r.error) console.log(`${kind}: ${r.error}`);
    if (r.wait?.error) console.log(`${kind}: SET+WAIT: ${r.wait.error}`);
    for (const p of PIPELINES) if (r.throughput?.[p]?.lagError) console.log(`${kind}: -P ${p} lag: ${r.throughput[p].lagError}`);
    if (r.error || r.wait?.error || (r.linkError && kind !== 'aki')) ok = false;
  }
  process.stderr.write(`  replication section took ${((performance.now() - began) / 1000).toFixed(0)} s\n`);
  return ok;
}

const here = fileURLToPath(import.meta.url);

if (process.argv[1] && pathToFileURL(path.resolve(process.argv[1])).href === pathToFileURL(here).href) {
  const root = path.resolve(path.dirname(here), '..');
  const args = process.argv.slice(2);
  let repeat = 3;
  let only;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--quick') repeat = 1;
    else if (args[i] === '--only' && args[i + 1]) only = args[++i];
    else {
      process.stderr.write('usage: node bench/replication.mjs [--quick] [--only aki|redis]   (or BENCH_ONLY=aki|redis)\n');
      process.exit(2);
    }
  }
  let kinds;
  try {
    kinds = selectedKinds(only ?? process.env.BENCH_ONLY);
  } catch (err) {
    process.stderr.write(`bench: ${err.message}\n`);
    process.exit(2);
  }
  const utils = await loadBenchUtils(root, { aki: kinds.includes('aki'), akiHint: ' (or BENCH_ONLY=redis)' });
  const ok = await benchReplication(utils, { repeat, only: kinds.length === 1 ? kinds[0] : undefined });
  process.exit(ok ? 0 : 1);
}
