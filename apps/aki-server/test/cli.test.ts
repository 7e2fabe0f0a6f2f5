// Smoke tests with the stock Redis tools (Debian's redis-tools). Skipped, with
// the reason in the suite name, when the tools are not installed.
import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawConnection, decodeReply, hasBinary, startAki, type RunningServer } from '@aki/test-utils';

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], input?: string | Buffer, timeoutMs = 20_000): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, args, { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err && (err as NodeJS.ErrnoException).code === 'ENOENT') return reject(err);
      const code = err ? ((err as { code?: number | null }).code ?? null) : 0;
      resolve({ code: typeof code === 'number' ? code : null, stdout, stderr });
    });
    if (input !== undefined) child.stdin?.end(input);
    else child.stdin?.end();
  });
}

let server: RunningServer;
let locked: RunningServer;
let admin: RawConnection;
const cli = (...args: string[]) => run('redis-cli', ['-p', String(server.port), ...args]);

const haveCli = hasBinary('redis-cli');
const haveBenchmark = hasBinary('redis-benchmark');
const needed = haveCli || haveBenchmark;

beforeAll(async () => {
  if (!needed) return;
  [server, locked] = await Promise.all([
    startAki({ args: ['--appendonly', 'no', '--save', ''] }),
    startAki({ args: ['--appendonly', 'no', '--save', '', '--requirepass', 'secret'] }),
  ]);
  admin = await RawConnection.open(server.port);
});

afterAll(async () => {
  admin?.close();
  await Promise.all([server?.stop(), locked?.stop()]);
});

describe.skipIf(!haveCli)(`redis-cli${haveCli ? '' : ' (skipped: redis-cli is not installed; apt-get install redis-tools)'}`, () => {
  it('PING, SET and GET', async () => {
    expect(await cli('PING')).toEqual({ code: 0, stdout: 'PONG\n', stderr: '' });
    expect((await cli('SET', 'cli:k', 'hello world')).stdout).toBe('OK\n');
    expect((await cli('GET', 'cli:k')).stdout).toBe('hello world\n');
    expect((await cli('--no-raw', 'GET', 'cli:k')).stdout).toBe('"hello world"\n');
    expect((await cli('GET', 'cli:missing')).stdout).toBe('\n');
    expect((await cli('--no-raw', 'GET', 'cli:missing')).stdout).toBe('(nil)\n');
    expect((await cli('--no-raw', 'INCR', 'cli:n')).stdout).toBe('(integer) 1\n');
  });

  it('errors are printed', async () => {
    // In raw mode redis-cli prints an error reply followed by an empty line.
    expect((await cli('NOSUCH')).stdout).toBe("ERR unknown command 'NOSUCH', with args beginning with: \n\n");
    expect((await cli('--no-raw', 'GET')).stdout).toBe("(error) ERR wrong number of arguments for 'get' command\n");
  });

  it('-n selects a database', async () => {
    expect((await cli('-n', '3', 'SET', 'cli:db', 'three')).stdout).toBe('OK\n');
    expect((await cli('-n', '3', 'GET', 'cli:db')).stdout).toBe('three\n');
    expect((await cli('GET', 'cli:db')).stdout).toBe('\n');
  });

  it('-a authenticates; without it commands get NOAUTH', async () => {
    const port = String(locked.port);
    expect((await run('redis-cli', ['-p', port, '-a', 'secret', '--no-auth-warning', 'PING'])).stdout).toBe('PONG\n');
    expect((await run('redis-cli', ['-p', port, '--user', 'default', '--pass', 'secret', '--no-auth-warning', 'PING'])).stdout).toBe(
      'PONG\n',
    );
    expect((await run('redis-cli', ['-p', port, 'PING'])).stdout).toBe('NOAUTH Authentication required.\n\n');
    const wrong = await run('redis-cli', ['-p', port, '-a', 'wrong', '--no-auth-warning', 'PING']);
    expect(wrong.stderr).toMatch(/AUTH failed: WRONGPASS invalid username-password pair or user is disabled\./);
    expect(wrong.stdout).toBe('NOAUTH Authentication required.\n\n');
  });

  it('-3 speaks RESP3 (HELLO 3) and prints maps', async () => {
    expect((await cli('-3', '--no-raw', 'CONFIG', 'GET', 'port')).stdout).toBe(`1# "port" => "${server.port}"\n`);
    expect((await cli('-3', 'CONFIG', 'GET', 'port')).stdout).toBe(`port ${server.port}\n`);
    expect((await cli('-3', '--no-raw', 'GET', 'cli:missing3')).stdout).toBe('(nil)\n');
  });

  it('reads commands from stdin', async () => {
    const r = await run('redis-cli', ['-p', String(server.port)], 'SET cli:s 1\nINCR cli:s\nGET cli:s\n');
    expect(r.stdout).toBe('OK\n2\n2\n');
  });

  it('-r repeats a command', async () => {
    expect((await cli('-r', '3', 'INCR', 'cli:r')).stdout).toBe('1\n2\n3\n');
  });

  it('--pipe mass insertion of 10k commands', async () => {
    const parts: string[] = [];
    for (let i = 0; i < 10_000; i++) {
      const k = `cli:pipe:${i}`;
      const v = `v${i}`;
      parts.push(`*3\r\n$3\r\nSET\r\n$${k.length}\r\n${k}\r\n$${v.length}\r\n${v}\r\n`);
    }
    const r = await run('redis-cli', ['-p', String(server.port), '--pipe'], parts.join(''));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/errors: 0, replies: 10000/);
    expect((await cli('GET', 'cli:pipe:9999')).stdout).toBe('v9999\n');
  });

  it('--scan with a pattern', async () => {
    for (let i = 0; i < 30; i++) await admin.call('SET', `cli:scan:${i}`, 'x');
    const r = await cli('--scan', '--pattern', 'cli:scan:*');
    const keys = r.stdout.trim().split('\n');
    expect(new Set(keys).size).toBe(30);
    expect(keys.every((k) => k.startsWith('cli:scan:'))).toBe(true);
  });

  it('--bigkeys walks the keyspace', async () => {
    await admin.call('SET', 'cli:biggest', 'x'.repeat(5000));
    const r = await cli('--bigkeys');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Biggest string found '?"?cli:biggest"?'? has 5000 bytes/);
    expect(r.stdout).not.toMatch(/error/i);
  });

  it('INFO and CLIENT LIST', async () => {
    expect((await cli('INFO', 'server')).stdout).toMatch(/^redis_version:7\.\d+\.\d+\r?$/m);
    expect((await cli('CLIENT', 'LIST')).stdout).toMatch(/cmd=client\|list/);
  });

  it('SHUTDOWN through redis-cli stops the server', async () => {
    const s = await startAki({ args: ['--appendonly', 'no', '--save', ''] });
    const r = await run('redis-cli', ['-p', String(s.port), 'SHUTDOWN']);
    expect(r.stdout).not.toMatch(/error/i);
    expect((await s.exited).code).toBe(0);
  });
});

function parseCsv(out: string): Map<string, Record<string, string>> {
  const lines = out.trim().split('\n').filter((l) => l.startsWith('"'));
  const header = lines.shift()!.split(',').map((h) => h.replace(/"/g, ''));
  const rows = new Map<string, Record<string, string>>();
  for (const line of lines) {
    const cells = line.split(',').map((c) => c.replace(/"/g, ''));
    rows.set(cells[0]!, Object.fromEntries(header.map((h, i) => [h, cells[i]!])));
  }
  return rows;
}

describe.skipIf(!haveBenchmark)(
  `redis-benchmark${haveBenchmark ? '' : ' (skipped: redis-benchmark is not installed; apt-get install redis-tools)'}`,
  () => {
    it('SET, GET, INCR, MSET with and without pipelining', async () => {
      for (const pipeline of ['1', '16']) {
        const r = await run('redis-benchmark', ['-p', String(server.port), '-t', 'set,get,incr,mset', '-n', '5000', '-c', '10', '-P', pipeline, '--csv']);
        expect(r.code).toBe(0);
        expect(`${r.stdout}${r.stderr}`).not.toMatch(/error|warning/i);
        const rows = parseCsv(r.stdout);
        for (const test of ['SET', 'GET', 'INCR', 'MSET (10 keys)']) {
          expect(rows.has(test), `${test} in ${r.stdout}`).toBe(true);
          expect(Number(rows.get(test)!.rps)).toBeGreaterThan(100);
        }
      }
    });

    it('inline and multibulk PING', async () => {
      const r = await run('redis-benchmark', ['-p', String(server.port), '-t', 'ping_inline,ping_mbulk', '-n', '2000', '--csv']);
      expect(r.code).toBe(0);
      const rows = parseCsv(r.stdout);
      expect(Number(rows.get('PING_INLINE')?.rps)).toBeGreaterThan(100);
      expect(Number(rows.get('PING_MBULK')?.rps)).toBeGreaterThan(100);
    });

    it('a random keyspace writes the keys redis-benchmark names', async () => {
      await admin.call('SELECT', '5');
      await admin.call('FLUSHDB');
      const r = await run('redis-benchmark', ['-p', String(server.port), '--dbnum', '5', '-t', 'set', '-n', '3000', '-r', '100', '-q']);
      expect(r.code).toBe(0);
      const size = Number(decodeReply(await admin.call('DBSIZE'))!.value);
      expect(size).toBeGreaterThan(50);
      expect(size).toBeLessThanOrEqual(100);
      const keys = decodeReply(await admin.call('KEYS', '*'))!.value as string[];
      expect(keys.every((k) => /^key:\d{12}$/.test(k))).toBe(true);
      await admin.call('SELECT', '0');
    });

    it('works against a password-protected server with -a', async () => {
      const r = await run('redis-benchmark', ['-p', String(locked.port), '-a', 'secret', '-t', 'set', '-n', '1000', '--csv']);
      expect(r.code).toBe(0);
      expect(Number(parseCsv(r.stdout).get('SET')?.rps)).toBeGreaterThan(100);
    });
  },
);
