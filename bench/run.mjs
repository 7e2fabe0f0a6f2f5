#!/usr/bin/env node
// pnpm bench: redis-benchmark against aki and a real redis-server, started side
// by side on free ports in the same run (both with appendonly no, save ""),
// runs alternating between the two, each repeated and reduced to the median.
//
//   node bench/run.mjs [--quick] [--tests set,get] [--repeat N] [--pipelines 1,16] [--clients 50] [--no-big] [--no-durability] [--no-replication]
//
// After the throughput table it measures single-command latency on 1M-element
// collections (bench/big-collections.mjs) unless --no-big or --tests is given,
// then the AOF on both servers (bench/durability.mjs: fsync policies, rewrite
// while serving) unless --no-durability or --tests is given, and last
// replication, a leader+follower pair of each kind (bench/replication.mjs:
// full sync, SET with/without a follower, follower lag, SET+WAIT) unless
// --no-replication or --tests is given; BENCH_ONLY=redis runs that section
// against the redis pair only.
//
// Add a benchmark by adding a row to TESTS: `id` is the redis-benchmark -t
// name, `row` the name redis-benchmark prints in its CSV output. A row with
// `command` runs that command line instead of a built-in test (its CSV row
// is the command line itself); rows run in this order, so ZRANGE reads the
// sorted set ZADD filled.
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchBigCollections } from './big-collections.mjs';
import { benchDurability, median, run } from './durability.mjs';
import { benchReplication } from './replication.mjs';

export const TESTS = [
  { id: 'set', row: 'SET' },
  { id: 'get', row: 'GET' },
  { id: 'incr', row: 'INCR' },
  { id: 'mset', row: 'MSET (10 keys)' },
  { id: 'lpush', row: 'LPUSH' },
  { id: 'lpop', row: 'LPOP' },
  { id: 'sadd', row: 'SADD' },
  { id: 'hset', row: 'HSET' },
  { id: 'zadd', row: 'ZADD' },
  { id: 'zrange', row: 'ZRANGE myzset 0 99', command: ['ZRANGE', 'myzset', '0', '99'] },
];

/** Requests per run for each pipeline depth (deeper pipelines finish sooner). */
const REQUESTS = { 1: 100_000, 16: 200_000 };
const KEYSPACE = 100_000; // -r
const SERVER_ARGS = ['--appendonly', 'no', '--save', ''];

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function die(message) {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(1);
}

function parseOptions(argv) {
  const options = { repeat: 3, tests: TESTS.map((t) => t.id), pipelines: [1, 16], clients: 50, big: true, durability: true, replication: true };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const next = () => {
      const v = argv[++i];
      if (v === undefined) die(`${arg} needs a value`);
      return v;
    };
    if (arg === '--quick') options.repeat = 1;
    else if (arg === '--repeat') options.repeat = Number(next());
    else if (arg === '--tests') {
      options.tests = next().toLowerCase().split(',').filter(Boolean);
      options.big = false;
      options.durability = false;
      options.replication = false;
    } else if (arg === '--no-big') options.big = false;
    else if (arg === '--no-durability') options.durability = false;
    else if (arg === '--no-replication') options.replication = false;
    else if (arg === '--pipelines') options.pipelines = next().split(',').map(Number);
    else if (arg === '--clients') options.clients = Number(next());
    else if (arg === '-h' || arg === '--help') {
      process.stdout.write('usage: node bench/run.mjs [--quick] [--tests set,get] [--repeat N] [--pipelines 1,16] [--clients 50] [--no-big] [--no-durability] [--no-replication]\n');
      process.exit(0);
    } else die(`unknown option ${arg} (try --help)`);
  }
  const unknown = options.tests.filter((id) => !TESTS.some((t) => t.id === id));
  if (unknown.length) die(`unknown test(s) ${unknown.join(', ')}; known: ${TESTS.map((t) => t.id).join(', ')}`);
  if (!Number.isInteger(options.repeat) || options.repeat < 1) die('--repeat must be a positive integer');
  if (options.pipelines.some((p) => !Number.isInteger(p) || p < 1)) die('--pipelines must be positive integers');
  return options;
}

/** Parses redis-benchmark --csv output into { [row]: { rps, p50, p99 } }. */
function parseCsv(text) {
  const lines = text.split('\n').filter((l) => l.startsWith('"'));
  if (lines.length < 2) return {};
  const header = lines[0].split(',').map((h) => h.replaceAll('"', ''));
  const col = (name) => header.indexOf(name);
  const out = {};
  for (const line of lines.slice(1)) {
    const cells = line.split('","').map((c) => c.replaceAll('"', ''));
    out[cells[0]] = {
      rps: Number(cells[col('rps')]),
      p50: Number(cells[col('p50_latency_ms')]),
      p99: Number(cells[col('p99_latency_ms')]),
    };
  }
  return out;
}

async function benchmark(port, test, pipeline, clients, requests) {
  const what = test.command ?? ['-t', test.id];
  const args = ['-h', '127.0.0.1', '-p', String(port), '-n', String(requests), '-c', String(clients), '-P', String(pipeline), '-r', String(KEYSPACE), '--csv', ...what];
  const r = await run('redis-benchmark', args);
  const row = parseCsv(r.stdout)[test.row];
  if (r.code !== 0 || !row || !Number.isFinite(row.rps)) {
    throw new Error(`redis-benchmark ${args.join(' ')} failed (exit ${r.code}):\n${r.stdout}${r.stderr}`);
  }
  return row;
}

function table(rows) {
  const header = ['test', 'pipeline', 'aki rps', 'redis rps', 'aki/redis', 'aki p50/p99 ms', 'redis p50/p99 ms'];
  const body = rows.map((r) => [
    r.test,
    String(r.pipeline),
    Math.round(r.aki.rps).toLocaleString('en-US'),
    Math.round(r.redis.rps).toLocaleString('en-US'),
    `${(r.aki.rps / r.redis.rps).toFixed(2)}x`,
    `${r.aki.p50.toFixed(3)} / ${r.aki.p99.toFixed(3)}`,
    `${r.redis.p50.toFixed(3)} / ${r.redis.p99.toFixed(3)}`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const fmt = (cells) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [fmt(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(fmt)].join('\n');
}

async function main() {
  const options = parseOptions(process.argv.slice(2));
  let utils;
  try {
    utils = await import(path.join(root, 'tooling/test-utils/dist/index.js'));
  } catch {
    die('tooling/test-utils is not built: run `npx -y pnpm@10 build` (pnpm bench does it for you)');
  }
  const { hasBinary, startAki, startRedis, akiIsBuilt } = utils;
  const missing = ['redis-benchmark', 'redis-server'].filter((b) => !hasBinary(b));
  if (missing.length) {
    die(`${missing.join(' and ')} not found on PATH. Install them (Debian/Ubuntu: apt-get install redis-server redis-tools) and run again.`);
  }
  if (!akiIsBuilt()) die('aki-server is not built: run `npx -y pnpm@10 build` first');

  const tests = TESTS.filter((t) => options.tests.includes(t.id));
  const [aki, redis] = await Promise.all([startAki({ args: SERVER_ARGS }), startRedis({ args: SERVER_ARGS })]);
  const servers = { aki, redis };
  const stopAll = async () => {
    await Promise.allSettled([aki.stop(), redis.stop()]);
  };
  process.once('SIGINT', () => void stopAll().then(() => process.exit(130)));

  try {
    const version = (await run('redis-server', ['--version'])).stdout.trim();
    console.log(`aki (pid ${aki.pid}, port ${aki.port}) vs ${version} (pid ${redis.pid}, port ${redis.port})`);
    console.log(
      `node ${process.version}, ${os.cpus().length} CPUs; -c ${options.clients}, -r ${KEYSPACE}, ` +
        `${options.repeat} run(s) each, alternating, median reported`,
    );

    // Warm up both (JIT, allocator) with a short run that is not reported.
    for (const s of [aki, redis]) await benchmark(s.port, TESTS[0], 16, options.clients, 50_000);

    const results = [];
    for (const pipeline of options.pipelines) {
      const requests = REQUESTS[pipeline] ?? (pipeline > 1 ? 200_000 : 100_000);
      for (const test of tests) {
        const samples = { aki: [], redis: [] };
        for (let rep = 0; rep < options.repeat; rep++) {
          // Alternate which server goes first so drift affects both alike.
          const order = rep % 2 === 0 ? ['aki', 'redis'] : ['redis', 'aki'];
          for (const name of order) samples[name].push(await benchmark(servers[name].port, test, pipeline, options.clients, requests));
        }
        const reduce = (xs) => ({ rps: median(xs.map((x) => x.rps)), p50: median(xs.map((x) => x.p50)), p99: median(xs.map((x) => x.p99)) });
        const row = { test: test.row, pipeline, aki: reduce(samples.aki), redis: reduce(samples.redis) };
        results.push(row);
        process.stderr.write(
          `  ${test.row} -P ${pipeline}: aki ${Math.round(row.aki.rps)} rps, redis ${Math.round(row.redis.rps)} rps\n`,
        );
      }
    }
    console.log('');
    console.log(table(results));
    if (options.big) await benchBigCollections(servers, utils);
  } finally {
    await stopAll();
  }
  if (options.durability && !(await benchDurability(utils, { repeat: options.repeat }))) process.exitCode = 1;
  if (options.replication && !(await benchReplication(utils, { repeat: options.repeat }))) process.exitCode = 1;
}

main().catch((err) => {
  process.stderr.write(`bench: ${err?.stack ?? err}\n`);
  process.exit(1);
});
