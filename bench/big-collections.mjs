// Latency of single commands against one 1,000,000-element list and one
// 1,000,000-member sorted set, aki vs redis-server in the same run: the check
// that no command is O(n) where Redis is O(1) or O(log n). Each command runs
// ROUNDS times as sequential round trips on one connection (no pipelining),
// so the numbers are per-command latencies including loopback.
//
//   node bench/big-collections.mjs        (pnpm bench runs it after the throughput table)

const SIZE = 1_000_000;
const BATCH = 1000;
const ROUNDS = 2000;

/** The commands measured; `i` is the round number, `r` a random index below SIZE. */
const OPERATIONS = [
  { name: 'LPUSH', argv: (i) => ['LPUSH', 'biglist', `new:${i}`] },
  { name: 'RPOP', argv: () => ['RPOP', 'biglist'] },
  { name: 'LINDEX middle', argv: () => ['LINDEX', 'biglist', String(SIZE / 2)] },
  { name: 'LRANGE 10 at middle', argv: () => ['LRANGE', 'biglist', String(SIZE / 2), String(SIZE / 2 + 9)] },
  { name: 'LSET middle', argv: (i) => ['LSET', 'biglist', String(SIZE / 2), `set:${i}`] },
  { name: 'ZADD new member', argv: (i, r) => ['ZADD', 'bigzset', String(r + 0.5), `new:${i}`] },
  { name: 'ZSCORE', argv: (i, r) => ['ZSCORE', 'bigzset', `m:${r}`] },
  { name: 'ZRANK', argv: (i, r) => ['ZRANK', 'bigzset', `m:${r}`] },
  { name: 'ZRANGE 10 by rank', argv: (i, r) => ['ZRANGE', 'bigzset', String(r), String(r + 9)] },
  { name: 'ZRANGE BYSCORE LIMIT 10', argv: (i, r) => ['ZRANGE', 'bigzset', `(${r}`, '+inf', 'BYSCORE', 'LIMIT', '0', '10'] },
  { name: 'ZCOUNT window', argv: (i, r) => ['ZCOUNT', 'bigzset', String(r), String(r + 1000)] },
  { name: 'ZINCRBY', argv: (i, r) => ['ZINCRBY', 'bigzset', '1', `m:${r}`] },
  { name: 'ZREM', argv: (i, r) => ['ZREM', 'bigzset', `m:${r}`] },
];

/** Fills biglist and bigzset with SIZE elements each, BATCH per command, pipelined. */
async function fill(connection, encodePipeline) {
  await connection.call('DEL', 'biglist', 'bigzset');
  const commands = [];
  for (let start = 0; start < SIZE; start += BATCH) {
    const list = ['RPUSH', 'biglist'];
    const zset = ['ZADD', 'bigzset'];
    for (let i = start; i < start + BATCH; i++) {
      list.push(`e:${i}`);
      zset.push(String(i), `m:${i}`);
    }
    commands.push(list, zset);
  }
  for (let at = 0; at < commands.length; at += 100) {
    const slice = commands.slice(at, at + 100);
    connection.write(encodePipeline(slice));
    await connection.readReplies(slice.length, 60_000);
  }
}

async function measure(connection, operation) {
  const samples = new Float64Array(ROUNDS);
  for (let i = 0; i < ROUNDS; i++) {
    const r = Math.floor(Math.random() * (SIZE - 20));
    const started = process.hrtime.bigint();
    await connection.call(...operation.argv(i, r));
    samples[i] = Number(process.hrtime.bigint() - started) / 1e6;
  }
  samples.sort();
  const mean = samples.reduce((a, b) => a + b, 0) / ROUNDS;
  return { mean, p50: samples[Math.floor(ROUNDS / 2)], p99: samples[Math.floor(ROUNDS * 0.99)], max: samples[ROUNDS - 1] };
}

/** Runs the measurement against both servers and prints one table. */
export async function benchBigCollections(servers, utils) {
  const { RawConnection, encodePipeline } = utils;
  const connections = {};
  for (const [name, server] of Object.entries(servers)) {
    connections[name] = await RawConnection.open(server.port);
    const started = Date.now();
    await fill(connections[name], encodePipeline);
    process.stderr.write(`  filled a ${SIZE}-element list and sorted set on ${name} in ${Date.now() - started} ms\n`);
  }
  const rows = [];
  for (const operation of OPERATIONS) {
    const result = {};
    for (const name of Object.keys(servers)) result[name] = await measure(connections[name], operation);
    rows.push({ name: operation.name, ...result });
  }
  for (const connection of Object.values(connections)) connection.close();
  const header = ['command (1M elements)', 'aki mean/p99/max ms', 'redis mean/p99/max ms', 'aki/redis mean'];
  const fmt = (r) => `${r.mean.toFixed(3)} / ${r.p99.toFixed(3)} / ${r.max.toFixed(2)}`;
  const body = rows.map((r) => [r.name, fmt(r.aki), fmt(r.redis), `${(r.aki.mean / r.redis.mean).toFixed(2)}x`]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log('');
  console.log([line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n'));
}
