// The binary itself: redis-server's command line and config file syntax,
// start-up errors, the banner, signals, pidfile and logfile.
import { accessSync, constants, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  RawConnection,
  decodeReply,
  freePort,
  runAkiToExit,
  spawnAki,
  startAki,
  waitFor,
  type RunningServer,
} from '@aki/test-utils';

let tmp: string;

beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'aki-startup-'));
});

afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

function file(name: string, content: string): string {
  const p = path.join(tmp, name);
  writeFileSync(p, content);
  return p;
}

async function configGet(server: RunningServer, name: string, auth?: string): Promise<string> {
  const c = await RawConnection.open(server.port);
  try {
    if (auth !== undefined) expect((await c.call('AUTH', auth)).toString()).toBe('+OK\r\n');
    const pairs = decodeReply(await c.call('CONFIG', 'GET', name))!.value as string[];
    expect(pairs[0]).toBe(name);
    return pairs[1]!;
  } finally {
    c.close();
  }
}

/** Runs aki-server expecting it to refuse to start; returns its output. */
async function expectStartFailure(args: string[]): Promise<string> {
  const port = await freePort();
  const r = await runAkiToExit([...args, '--port', String(port), '--dir', tmp], { timeoutMs: 10_000 });
  expect(r.timedOut, `still running; output:\n${r.output}`).toBe(false);
  expect(r.code, r.output).toBe(1);
  return r.output;
}

describe('banner', () => {
  it('names the version, mode, port and PID, then says it is ready', async () => {
    const s = await startAki();
    try {
      const logs = s.logs();
      expect(logs).toContain(`PID: ${s.pid}`);
      expect(logs).toMatch(/\d+\.\d+\.\d+/);
      expect(logs).toMatch(/standalone/);
      expect(logs).toContain(String(s.port));
      expect(logs).toMatch(/Ready to accept connections tcp/);
      expect(logs.indexOf(`PID: ${s.pid}`)).toBeLessThan(logs.indexOf('Ready to accept connections tcp'));
    } finally {
      await s.stop();
    }
  });

  it('--version and -v print the version and exit 0', async () => {
    for (const flag of ['--version', '-v']) {
      const r = await runAkiToExit([flag]);
      expect(r.code, r.output).toBe(0);
      expect(r.stdout).toMatch(/\d+\.\d+\.\d+/);
    }
  });
});

describe('config file syntax', () => {
  it('quoting, include, units, yes/no, case-insensitive names, later lines and --options win', async () => {
    const extra = file('extra.conf', '# included\ndatabases 8\n');
    const conf = file(
      'main.conf',
      [
        '# A comment line, then a blank one',
        '',
        '   # an indented comment',
        'maxmemory 2mb',
        "maxmemory-policy 'allkeys-lru'",
        'requirepass "pa ss\\"word\\x41"',
        'MaxClients 1000',
        `include ${extra}`,
        'protected-mode no',
        'proto-max-bulk-len 1GB',
        'client-query-buffer-limit 2000k',
        'hz 15',
        'save ""',
        'appendonly no',
        '   timeout    0   ',
        'maxmemory 3mb',
        '',
      ].join('\n'),
    );
    const s = await startAki({ configFile: conf, args: ['--hz', '25', '--save', '900', '1', '300', '10'] });
    const auth = 'pa ss"wordA';
    try {
      expect(await configGet(s, 'maxmemory', auth)).toBe(String(3 * 1024 * 1024));
      expect(await configGet(s, 'maxmemory-policy', auth)).toBe('allkeys-lru');
      expect(await configGet(s, 'maxclients', auth)).toBe('1000');
      expect(await configGet(s, 'databases', auth)).toBe('8');
      expect(await configGet(s, 'protected-mode', auth)).toBe('no');
      expect(await configGet(s, 'proto-max-bulk-len', auth)).toBe(String(1024 * 1024 * 1024));
      expect(await configGet(s, 'client-query-buffer-limit', auth)).toBe('2000000');
      expect(await configGet(s, 'hz', auth)).toBe('25');
      expect(await configGet(s, 'save', auth)).toBe('900 1 300 10');
      expect(await configGet(s, 'port', auth)).toBe(String(s.port));
      const c = await RawConnection.open(s.port);
      expect((await c.call('GET', 'x')).toString()).toBe('-NOAUTH Authentication required.\r\n');
      expect((await c.call('AUTH', 'pa ss"word')).toString()).toMatch(/^-WRONGPASS/);
      expect((await c.call('AUTH', auth)).toString()).toBe('+OK\r\n');
      expect((await c.call('SELECT', '8')).toString()).toBe('-ERR DB index is out of range\r\n');
      c.close();
    } finally {
      await s.stop();
    }
  });

  it('reads the config from stdin with "-"', async () => {
    const s = await startAki({ configFile: '-', stdin: 'maxmemory 5mb\nmaxmemory-policy volatile-lru\n' });
    try {
      expect(await configGet(s, 'maxmemory')).toBe(String(5 * 1024 * 1024));
      expect(await configGet(s, 'maxmemory-policy')).toBe('volatile-lru');
    } finally {
      await s.stop();
    }
  });

  it('old slave-* directive names are accepted as aliases', async () => {
    const conf = file('alias.conf', 'slave-read-only no\nslave-serve-stale-data no\n');
    const s = await startAki({ configFile: conf });
    try {
      expect(await configGet(s, 'replica-read-only')).toBe('no');
      expect(await configGet(s, 'replica-serve-stale-data')).toBe('no');
    } finally {
      await s.stop();
    }
  });

  it('a known but unimplemented directive is accepted with one warning line', async () => {
    const names = ['notify-keyspace-events', 'cluster-node-timeout', 'activedefrag'];
    const conf = file('unimplemented.conf', 'notify-keyspace-events Ex\ncluster-node-timeout 5000\nactivedefrag yes\n');
    const s = await startAki({ configFile: conf });
    try {
      const lines = s.logs().split('\n');
      for (const name of names) {
        expect(lines.filter((l) => l.includes(name)).length, `warnings naming ${name}`).toBe(1);
      }
      expect(await configGet(s, 'notify-keyspace-events')).toMatch(/^(Ex|xE)$/);
      expect(await configGet(s, 'cluster-node-timeout')).toBe('5000');
    } finally {
      await s.stop();
    }
  });
});

describe('config errors stop the start with exit code 1', () => {
  it('an unknown directive, naming the line', async () => {
    const conf = file('unknown.conf', '# comment\nport 7000\nfoo-bar-baz 12\n');
    const out = await expectStartFailure([conf]);
    expect(out).toMatch(/line 3/i);
    expect(out).toContain('foo-bar-baz');
  });

  it('an unknown --option', async () => {
    const out = await expectStartFailure(['--no-such-option', 'x']);
    expect(out).toContain('no-such-option');
  });

  it('a bad value, naming the directive', async () => {
    const conf = file('badvalue.conf', 'maxmemory abc\n');
    const out = await expectStartFailure([conf]);
    expect(out).toMatch(/line 1/i);
    expect(out).toContain('maxmemory');
  });

  it('a wrong number of arguments', async () => {
    const conf = file('arity.conf', 'port\n');
    const out = await expectStartFailure([conf]);
    expect(out).toMatch(/line 1/i);
  });

  it('unbalanced quotes', async () => {
    const conf = file('quotes.conf', 'hz 10\nrequirepass "abc\n');
    const out = await expectStartFailure([conf]);
    expect(out).toMatch(/line 2/i);
    expect(out).toMatch(/quote/i);
  });

  it('a missing config file', async () => {
    const missing = path.join(tmp, 'does-not-exist.conf');
    const out = await expectStartFailure([missing]);
    expect(out).toContain('does-not-exist.conf');
  });

  it('an include of a missing file', async () => {
    const conf = file('badinclude.conf', `include ${path.join(tmp, 'nope.conf')}\n`);
    const out = await expectStartFailure([conf]);
    expect(out).toContain('nope.conf');
  });

  it('a port that is already taken', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '0.0.0.0', () => resolve()));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const r = await runAkiToExit(['--port', String(port), '--dir', tmp], { timeoutMs: 10_000 });
      expect(r.timedOut).toBe(false);
      expect(r.code, r.output).toBe(1);
      expect(r.output).toContain(String(port));
    } finally {
      blocker.close();
    }
  });
});

// A representative redis.conf (Redis 7 directives with their stock values), used when
// the Debian one is not on this machine.
const REPRESENTATIVE_REDIS_CONF = `# Redis configuration file example (abridged).
bind 127.0.0.1 -::1
protected-mode yes
port 6379
tcp-backlog 511
timeout 0
tcp-keepalive 300
daemonize yes
pidfile /var/run/redis_6379.pid
loglevel notice
logfile /var/log/redis/redis-server.log
databases 16
always-show-logo no
set-proc-title yes
proc-title-template "{title} {listen-addr} {server-mode}"
save 3600 1 300 100 60 10000
stop-writes-on-bgsave-error yes
rdbcompression yes
rdbchecksum yes
dbfilename dump.rdb
rdb-del-sync-files no
dir /var/lib/redis
replica-serve-stale-data yes
replica-read-only yes
repl-diskless-sync yes
repl-diskless-sync-delay 5
repl-diskless-sync-max-replicas 0
repl-diskless-load disabled
repl-disable-tcp-nodelay no
replica-priority 100
acllog-max-len 128
lazyfree-lazy-eviction no
lazyfree-lazy-expire no
lazyfree-lazy-server-del no
replica-lazy-flush no
lazyfree-lazy-user-del no
lazyfree-lazy-user-flush no
oom-score-adj no
oom-score-adj-values 0 200 800
disable-thp yes
appendonly no
appendfilename "appendonly.aof"
appenddirname "appendonlydir"
appendfsync everysec
no-appendfsync-on-rewrite no
auto-aof-rewrite-percentage 100
auto-aof-rewrite-min-size 64mb
aof-load-truncated yes
aof-use-rdb-preamble yes
aof-timestamp-enabled no
slowlog-log-slower-than 10000
slowlog-max-len 128
latency-monitor-threshold 0
notify-keyspace-events ""
hash-max-listpack-entries 512
hash-max-listpack-value 64
list-max-listpack-size -2
list-compress-depth 0
set-max-intset-entries 512
zset-max-listpack-entries 128
zset-max-listpack-value 64
hll-sparse-max-bytes 3000
stream-node-max-bytes 4096
stream-node-max-entries 100
activerehashing yes
client-output-buffer-limit normal 0 0 0
client-output-buffer-limit replica 256mb 64mb 60
client-output-buffer-limit pubsub 32mb 8mb 60
hz 10
dynamic-hz yes
aof-rewrite-incremental-fsync yes
rdb-save-incremental-fsync yes
jemalloc-bg-thread yes
`;

function stockRedisConf(): { path: string; source: string } {
  const debian = '/etc/redis/redis.conf';
  try {
    accessSync(debian, constants.R_OK);
    return { path: debian, source: debian };
  } catch {
    return { path: file('redis-7.conf', REPRESENTATIVE_REDIS_CONF), source: 'a representative redis.conf' };
  }
}

describe('a stock redis.conf', () => {
  const stock = stockRedisConf();
  it(`starts from ${stock.source} (paths overridden), warning about what it ignores`, async () => {
    const dir = mkdtempSync(path.join(tmp, 'stock-'));
    const s = await startAki({
      configFile: stock.path,
      dir,
      args: ['--logfile', '', '--pidfile', path.join(dir, 'stock.pid'), '--appendonly', 'no', '--save', ''],
    });
    try {
      expect(s.logs()).toMatch(/daemoniz/i);
      const c = await RawConnection.open(s.port);
      expect((await c.call('PING')).toString()).toBe('+PONG\r\n');
      expect((await c.call('SET', 'k', 'v')).toString()).toBe('+OK\r\n');
      c.close();
      expect(await configGet(s, 'databases')).toBe('16');
      expect(await configGet(s, 'tcp-keepalive')).toBe('300');
      expect(await configGet(s, 'maxmemory-policy')).toBe('noeviction');
    } finally {
      expect(await s.stop()).toBe(0);
    }
  });
});

describe('signals', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal} shuts down promptly with exit code 0`, async () => {
      const s = await startAki();
      const c = await RawConnection.open(s.port);
      expect((await c.call('SET', 'k', 'v')).toString()).toBe('+OK\r\n');
      const start = Date.now();
      const code = await s.stop(signal, 5000);
      expect(Date.now() - start).toBeLessThan(3000);
      expect(code).toBe(0);
      expect(s.logs()).toContain(`Received ${signal}`);
      await c.closed;
    });
  }
});

describe('pidfile and logfile', () => {
  it('writes the pidfile while running and removes it on shutdown', async () => {
    const dir = mkdtempSync(path.join(tmp, 'pid-'));
    const pidfile = path.join(dir, 'aki.pid');
    const s = await startAki({ dir, args: ['--pidfile', pidfile] });
    try {
      expect(readFileSync(pidfile, 'utf8').trim()).toBe(String(s.pid));
    } finally {
      expect(await s.stop()).toBe(0);
    }
    expect(existsSync(pidfile)).toBe(false);
  });

  it('logs to a file instead of stdout', async () => {
    const dir = mkdtempSync(path.join(tmp, 'log-'));
    const logfile = path.join(dir, 'aki.log');
    const port = await freePort();
    const p = spawnAki(['--port', String(port), '--dir', dir, '--logfile', logfile]);
    try {
      await waitFor(() => existsSync(logfile) && readFileSync(logfile, 'utf8').includes('Ready to accept connections tcp'), 10_000);
      const log = readFileSync(logfile, 'utf8');
      expect(log).toContain(`PID: ${p.process.pid}`);
      const c = await RawConnection.open(port);
      expect((await c.call('PING')).toString()).toBe('+PONG\r\n');
      c.close();
      p.process.kill('SIGTERM');
      expect((await p.exited).code).toBe(0);
      expect(readFileSync(logfile, 'utf8')).toMatch(/Received SIGTERM/);
      expect(p.stdout()).not.toContain('Ready to accept connections');
    } finally {
      p.process.kill('SIGKILL');
    }
  });
});
