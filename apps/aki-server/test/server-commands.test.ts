// Server commands: INFO, CONFIG, COMMAND, TIME, DEBUG, SHUTDOWN, and the
// generic error replies (unknown command, arity).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RawConnection, decodeReply, startAki, type RunningServer } from '@aki/test-utils';

let server: RunningServer; // enable-debug-command yes
let c: RawConnection;
let other: RawConnection;

const str = async (conn: RawConnection, ...args: Array<string | number | Buffer>) => (await conn.call(...args)).toString('latin1');
const q = (...args: Array<string | number | Buffer>) => str(c, ...args);
const value = async (...args: Array<string | number>) => decodeReply(await c.call(...args))!.value;
const bulk = (s: string) => `$${Buffer.byteLength(s, 'latin1')}\r\n${s}\r\n`;
const OK = '+OK\r\n';

async function info(...sections: string[]): Promise<string> {
  return String(await value('INFO', ...sections));
}
function field(text: string, name: string): string | undefined {
  return new RegExp(`^${name}:(.*)\\r$`, 'm').exec(text)?.[1];
}
function sectionsOf(text: string): string[] {
  return [...text.matchAll(/^# (\w+)\r$/gm)].map((m) => m[1]!);
}

beforeAll(async () => {
  server = await startAki({ args: ['--enable-debug-command', 'yes', '--appendonly', 'no', '--save', ''] });
  c = await RawConnection.open(server.port);
  other = await RawConnection.open(server.port);
});

afterAll(async () => {
  c?.close();
  other?.close();
  await server?.stop();
});

beforeEach(async () => {
  expect(await q('FLUSHALL')).toBe(OK);
});

describe('error replies', () => {
  it('unknown command, quoting up to 128 bytes of arguments and sanitising CR/LF', async () => {
    expect(await q('FOO', 'a', 'b')).toBe("-ERR unknown command 'FOO', with args beginning with: 'a' 'b' \r\n");
    expect(await q('foo')).toBe("-ERR unknown command 'foo', with args beginning with: \r\n");
    expect(await q('FOOBAR', 'a\r\nb', 'c')).toBe("-ERR unknown command 'FOOBAR', with args beginning with: 'a  b' 'c' \r\n");
    expect(await q('FOOBAR', 'a'.repeat(160), 'b', 'c')).toBe(
      `-ERR unknown command 'FOOBAR', with args beginning with: '${'a'.repeat(128)}' \r\n`,
    );
    expect(await q('x'.repeat(160))).toBe(`-ERR unknown command '${'x'.repeat(128)}', with args beginning with: \r\n`);
    const many = Array.from({ length: 45 }, (_, i) => String.fromCharCode(97 + (i % 26)));
    expect(await q('FOO', ...many)).toBe(
      `-ERR unknown command 'FOO', with args beginning with: ${many
        .slice(0, 32)
        .map((a) => `'${a}' `)
        .join('')}\r\n`,
    );
  });

  it('wrong number of arguments, for commands and subcommands', async () => {
    expect(await q('GET')).toBe("-ERR wrong number of arguments for 'get' command\r\n");
    expect(await q('DBSIZE', 'x')).toBe("-ERR wrong number of arguments for 'dbsize' command\r\n");
    expect(await q('CONFIG', 'GET')).toBe("-ERR wrong number of arguments for 'config|get' command\r\n");
    expect(await q('CONFIG', 'SET', 'port')).toBe("-ERR wrong number of arguments for 'config|set' command\r\n");
    expect(await q('CONFIG', 'RESETSTAT', 'x')).toBe("-ERR wrong number of arguments for 'config|resetstat' command\r\n");
    expect(await q('COMMAND', 'GETKEYS')).toBe("-ERR wrong number of arguments for 'command|getkeys' command\r\n");
    expect(await q('CONFIG')).toBe("-ERR wrong number of arguments for 'config' command\r\n");
    expect(await q('CONFIG', 'FOO')).toBe("-ERR unknown subcommand 'FOO'. Try CONFIG HELP.\r\n");
    expect(await q('COMMAND', 'FOO')).toBe("-ERR unknown subcommand 'FOO'. Try COMMAND HELP.\r\n");
  });

  it('the connection survives errors', async () => {
    await q('FOO');
    await q('GET');
    expect(await q('PING')).toBe('+PONG\r\n');
  });
});

describe('INFO', () => {
  it('default sections, CRLF line endings and key:value lines', async () => {
    const text = await info();
    const sections = sectionsOf(text);
    for (const s of ['Server', 'Clients', 'Memory', 'Persistence', 'Stats', 'Replication', 'CPU', 'Keyspace']) {
      expect(sections).toContain(s);
    }
    expect(sections).not.toContain('Commandstats');
    expect(text).not.toMatch(/[^\r]\n/);
    for (const line of text.split('\r\n')) {
      if (line === '' || line.startsWith('# ')) continue;
      expect(line).toMatch(/^[A-Za-z0-9_|.-]+:[^\r\n]*$/);
    }
  });

  it('the fields clients and exporters parse', async () => {
    const text = await info();
    expect(field(text, 'redis_version')).toMatch(/^7\.\d+\.\d+$/);
    expect(field(text, 'redis_mode')).toBe('standalone');
    expect(field(text, 'process_id')).toBe(String(server.pid));
    expect(field(text, 'tcp_port')).toBe(String(server.port));
    expect(field(text, 'run_id')).toMatch(/^[0-9a-f]{40}$/);
    expect(field(text, 'uptime_in_seconds')).toMatch(/^\d+$/);
    expect(field(text, 'arch_bits')).toMatch(/^(32|64)$/);
    expect(Number(field(text, 'connected_clients'))).toBeGreaterThanOrEqual(2);
    expect(field(text, 'blocked_clients')).toBe('0');
    expect(field(text, 'maxclients')).toMatch(/^\d+$/);
    expect(Number(field(text, 'used_memory'))).toBeGreaterThan(0);
    expect(Number(field(text, 'used_memory_rss'))).toBeGreaterThan(0);
    expect(field(text, 'maxmemory')).toBe('0');
    expect(field(text, 'maxmemory_policy')).toBe('noeviction');
    expect(field(text, 'loading')).toBe('0');
    expect(field(text, 'aof_enabled')).toBe('0');
    expect(field(text, 'rdb_last_bgsave_status')).toBe('ok');
    expect(field(text, 'aof_last_write_status')).toBe('ok');
    expect(Number(field(text, 'total_connections_received'))).toBeGreaterThanOrEqual(2);
    expect(Number(field(text, 'total_commands_processed'))).toBeGreaterThan(0);
    expect(field(text, 'rejected_connections')).toBe('0');
    expect(field(text, 'role')).toBe('master');
    expect(field(text, 'connected_slaves')).toBe('0');
    expect(field(text, 'master_replid')).toMatch(/^[0-9a-f]{40}$/);
    expect(field(text, 'master_repl_offset')).toMatch(/^\d+$/);
    expect(field(text, 'used_cpu_sys')).toMatch(/^\d+(\.\d+)?$/);
    expect(field(text, 'used_cpu_user')).toMatch(/^\d+(\.\d+)?$/);
    expect(field(text, 'cluster_enabled')).toBe('0');
    for (const name of ['keyspace_hits', 'keyspace_misses', 'expired_keys', 'evicted_keys', 'instantaneous_ops_per_sec', 'total_net_input_bytes', 'sync_full', 'sync_partial_ok', 'sync_partial_err']) {
      expect(field(text, name), name).toMatch(/^\d+(\.\d+)?$/);
    }
  });

  it('the Keyspace section lists db lines', async () => {
    await q('SET', 'a', '1', 'EX', '100');
    await q('SET', 'b', '2');
    const text = await info('keyspace');
    expect(text).toMatch(/^# Keyspace\r\ndb0:keys=2,expires=1,avg_ttl=\d+\r\n$/);
  });

  it('selects sections by name, case-insensitively, several at once', async () => {
    expect(sectionsOf(await info('server'))).toEqual(['Server']);
    expect(sectionsOf(await info('CLIENTS'))).toEqual(['Clients']);
    expect(sectionsOf(await info('server', 'clients'))).toEqual(['Server', 'Clients']);
    expect(await q('INFO', 'nosuchsection')).toBe('$0\r\n\r\n');
    const all = sectionsOf(await info('all'));
    expect(all).toContain('Commandstats');
    expect(all).toContain('Keyspace');
    expect(sectionsOf(await info('everything'))).toEqual(expect.arrayContaining(all));
    expect(sectionsOf(await info('default'))).toEqual(sectionsOf(await info()));
  });

  it('commandstats counts calls', async () => {
    await q('CONFIG', 'RESETSTAT');
    await q('SET', 'k', 'v');
    await q('GET', 'k');
    await q('GET', 'k');
    const text = await info('commandstats');
    expect(text).toMatch(/^cmdstat_get:calls=2,usec=\d+,usec_per_call=\d+\.\d+,rejected_calls=0,failed_calls=0\r$/m);
    expect(text).toMatch(/^cmdstat_set:calls=1,/m);
  });

  it('keyspace_hits and keyspace_misses count reads; CONFIG RESETSTAT zeroes them', async () => {
    await q('SET', 'k', 'v');
    expect(await q('CONFIG', 'RESETSTAT')).toBe(OK);
    let text = await info('stats');
    expect(field(text, 'keyspace_hits')).toBe('0');
    expect(field(text, 'keyspace_misses')).toBe('0');
    await q('GET', 'k');
    await q('GET', 'k');
    await q('GET', 'missing');
    text = await info('stats');
    expect(field(text, 'keyspace_hits')).toBe('2');
    expect(field(text, 'keyspace_misses')).toBe('1');
  });
});

describe('CONFIG', () => {
  it('GET single names, globs and several patterns', async () => {
    expect(await q('CONFIG', 'GET', 'port')).toBe(`*2\r\n$4\r\nport\r\n${bulk(String(server.port))}`);
    expect(await q('CONFIG', 'GET', 'maxmemory')).toBe('*2\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n');
    expect(await q('CONFIG', 'GET', 'maxmemory-policy')).toBe('*2\r\n$16\r\nmaxmemory-policy\r\n$10\r\nnoeviction\r\n');
    expect(await q('CONFIG', 'GET', 'databases')).toBe('*2\r\n$9\r\ndatabases\r\n$2\r\n16\r\n');
    expect(await q('CONFIG', 'GET', 'appendonly')).toBe('*2\r\n$10\r\nappendonly\r\n$2\r\nno\r\n');
    expect(await q('CONFIG', 'GET', 'save')).toBe('*2\r\n$4\r\nsave\r\n$0\r\n\r\n');
    expect(await q('CONFIG', 'GET', 'requirepass')).toBe('*2\r\n$11\r\nrequirepass\r\n$0\r\n\r\n');
    expect(await q('CONFIG', 'GET', 'nonexistent')).toBe('*0\r\n');
    const dir = (await value('CONFIG', 'GET', 'dir')) as string[];
    expect(dir[0]).toBe('dir');
    expect(dir[1]).toContain(server.dir.split('/').pop()!);
    const pairs = (await value('CONFIG', 'GET', 'max*', 'port')) as string[];
    const names = pairs.filter((_, i) => i % 2 === 0);
    expect(names).toEqual(expect.arrayContaining(['maxmemory', 'maxmemory-policy', 'maxclients', 'port']));
    expect(names.every((n) => n.startsWith('max') || n === 'port')).toBe(true);
    expect(new Set(names).size).toBe(names.length);
    const everything = (await value('CONFIG', 'GET', '*')) as string[];
    expect(everything.length % 2).toBe(0);
    expect(everything.length).toBeGreaterThan(20);
  });

  it('SET applies values, with units', async () => {
    expect(await q('CONFIG', 'SET', 'maxmemory', '10mb')).toBe(OK);
    expect(await q('CONFIG', 'GET', 'maxmemory')).toBe('*2\r\n$9\r\nmaxmemory\r\n$8\r\n10485760\r\n');
    expect(field(await info('memory'), 'maxmemory')).toBe('10485760');
    expect(await q('CONFIG', 'SET', 'maxmemory', '0')).toBe(OK);
    expect(await q('CONFIG', 'SET', 'hz', '20')).toBe(OK);
    expect(await q('CONFIG', 'GET', 'hz')).toBe('*2\r\n$2\r\nhz\r\n$2\r\n20\r\n');
    expect(await q('CONFIG', 'SET', 'hz', '10')).toBe(OK);
    expect(await q('config', 'set', 'MAXMEMORY-POLICY', 'allkeys-lru')).toBe(OK);
    expect(field(await info('memory'), 'maxmemory_policy')).toBe('allkeys-lru');
    expect(await q('CONFIG', 'SET', 'maxmemory-policy', 'noeviction')).toBe(OK);
  });

  it('SET of several pairs is atomic', async () => {
    expect(await q('CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lru', 'maxmemory', 'abc')).toBe(
      "-ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value\r\n",
    );
    expect(await q('CONFIG', 'GET', 'maxmemory-policy')).toBe('*2\r\n$16\r\nmaxmemory-policy\r\n$10\r\nnoeviction\r\n');
    expect(await q('CONFIG', 'SET', 'hz', '15', 'maxmemory', '1mb')).toBe(OK);
    expect(await q('CONFIG', 'GET', 'hz')).toBe('*2\r\n$2\r\nhz\r\n$2\r\n15\r\n');
    expect(await q('CONFIG', 'GET', 'maxmemory')).toBe('*2\r\n$9\r\nmaxmemory\r\n$7\r\n1048576\r\n');
    await q('CONFIG', 'SET', 'hz', '10', 'maxmemory', '0');
  });

  it('SET errors', async () => {
    expect(await q('CONFIG', 'SET', 'nonexistent', '1')).toBe(
      "-ERR Unknown option or number of arguments for CONFIG SET - 'nonexistent'\r\n",
    );
    expect(await q('CONFIG', 'SET', 'maxmemory', 'abc')).toBe(
      "-ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value\r\n",
    );
    expect(await q('CONFIG', 'SET', 'maxmemory', '1', 'maxmemory', '2')).toBe(
      "-ERR CONFIG SET failed (possibly related to argument 'maxmemory') - duplicate parameter\r\n",
    );
    expect(await q('CONFIG', 'SET', 'maxmemory-policy', 'bogus')).toBe(
      "-ERR CONFIG SET failed (possibly related to argument 'maxmemory-policy') - argument(s) must be one of the following: volatile-lru, volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction\r\n",
    );
    expect(await q('CONFIG', 'SET', 'timeout', '-1')).toBe(
      "-ERR CONFIG SET failed (possibly related to argument 'timeout') - argument must be between 0 and 2147483647 inclusive\r\n",
    );
    expect(await q('CONFIG', 'SET', 'databases', '4')).toBe(
      "-ERR CONFIG SET failed (possibly related to argument 'databases') - can't set immutable config\r\n",
    );
    expect(await q('CONFIG', 'SET', 'dir', '/root/.ssh')).toBe(
      "-ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected config\r\n",
    );
    expect(await q('CONFIG', 'SET', 'dbfilename', 'x.rdb')).toBe(
      "-ERR CONFIG SET failed (possibly related to argument 'dbfilename') - can't set protected config\r\n",
    );
    expect(await q('CONFIG', 'SET', 'enable-debug-command', 'no')).toBe(
      "-ERR CONFIG SET failed (possibly related to argument 'enable-debug-command') - can't set immutable config\r\n",
    );
  });

  it('old slave-* names are aliases for CONFIG GET', async () => {
    expect(await q('CONFIG', 'GET', 'replica-read-only')).toBe('*2\r\n$17\r\nreplica-read-only\r\n$3\r\nyes\r\n');
    expect(await q('CONFIG', 'GET', 'slave-read-only')).toBe('*2\r\n$15\r\nslave-read-only\r\n$3\r\nyes\r\n');
    expect(await q('CONFIG', 'GET', 'slave-serve-stale-data')).toBe(
      '*2\r\n$22\r\nslave-serve-stale-data\r\n$3\r\nyes\r\n',
    );
  });

  it('RESETSTAT', async () => {
    await q('GET', 'x');
    expect(await q('CONFIG', 'RESETSTAT')).toBe(OK);
    const text = await info('stats');
    expect(field(text, 'keyspace_misses')).toBe('0');
    expect(field(text, 'expired_keys')).toBe('0');
  });
});

describe('COMMAND', () => {
  // arity, first key, last key, step, and the flags the dispatcher relies on (from redis-server 7).
  const TABLE: Record<string, [number, number, number, number, string[]]> = {
    get: [2, 1, 1, 1, ['readonly', 'fast']],
    set: [-3, 1, 1, 1, ['write', 'denyoom']],
    setnx: [3, 1, 1, 1, ['write', 'denyoom', 'fast']],
    setex: [4, 1, 1, 1, ['write', 'denyoom']],
    psetex: [4, 1, 1, 1, ['write', 'denyoom']],
    mget: [-2, 1, -1, 1, ['readonly', 'fast']],
    mset: [-3, 1, -1, 2, ['write', 'denyoom']],
    msetnx: [-3, 1, -1, 2, ['write', 'denyoom']],
    getset: [3, 1, 1, 1, ['write', 'denyoom', 'fast']],
    getdel: [2, 1, 1, 1, ['write', 'fast']],
    getex: [-2, 1, 1, 1, ['write', 'fast']],
    append: [3, 1, 1, 1, ['write', 'denyoom', 'fast']],
    strlen: [2, 1, 1, 1, ['readonly', 'fast']],
    getrange: [4, 1, 1, 1, ['readonly']],
    setrange: [4, 1, 1, 1, ['write', 'denyoom']],
    incr: [2, 1, 1, 1, ['write', 'denyoom', 'fast']],
    decr: [2, 1, 1, 1, ['write', 'denyoom', 'fast']],
    incrby: [3, 1, 1, 1, ['write', 'denyoom', 'fast']],
    decrby: [3, 1, 1, 1, ['write', 'denyoom', 'fast']],
    incrbyfloat: [3, 1, 1, 1, ['write', 'denyoom', 'fast']],
    del: [-2, 1, -1, 1, ['write']],
    unlink: [-2, 1, -1, 1, ['write', 'fast']],
    exists: [-2, 1, -1, 1, ['readonly', 'fast']],
    type: [2, 1, 1, 1, ['readonly', 'fast']],
    expire: [-3, 1, 1, 1, ['write', 'fast']],
    pexpire: [-3, 1, 1, 1, ['write', 'fast']],
    expireat: [-3, 1, 1, 1, ['write', 'fast']],
    pexpireat: [-3, 1, 1, 1, ['write', 'fast']],
    ttl: [2, 1, 1, 1, ['readonly', 'fast']],
    pttl: [2, 1, 1, 1, ['readonly', 'fast']],
    expiretime: [2, 1, 1, 1, ['readonly', 'fast']],
    pexpiretime: [2, 1, 1, 1, ['readonly', 'fast']],
    persist: [2, 1, 1, 1, ['write', 'fast']],
    keys: [2, 0, 0, 0, ['readonly']],
    scan: [-2, 0, 0, 0, ['readonly']],
    rename: [3, 1, 2, 1, ['write']],
    renamenx: [3, 1, 2, 1, ['write', 'fast']],
    randomkey: [1, 0, 0, 0, ['readonly']],
    copy: [-3, 1, 2, 1, ['write', 'denyoom']],
    dbsize: [1, 0, 0, 0, ['readonly', 'fast']],
    flushdb: [-1, 0, 0, 0, ['write']],
    flushall: [-1, 0, 0, 0, ['write']],
    object: [-2, 0, 0, 0, []],
    touch: [-2, 1, -1, 1, ['readonly', 'fast']],
    select: [2, 0, 0, 0, ['fast']],
    move: [3, 1, 1, 1, ['write', 'fast']],
    swapdb: [3, 0, 0, 0, ['write', 'fast']],
    ping: [-1, 0, 0, 0, ['fast']],
    echo: [2, 0, 0, 0, ['fast']],
    quit: [-1, 0, 0, 0, ['no_auth', 'fast']],
    hello: [-1, 0, 0, 0, ['no_auth', 'fast']],
    auth: [-2, 0, 0, 0, ['no_auth', 'fast']],
    client: [-2, 0, 0, 0, []],
    command: [-1, 0, 0, 0, []],
    info: [-1, 0, 0, 0, []],
    config: [-2, 0, 0, 0, []],
    time: [1, 0, 0, 0, ['fast']],
    shutdown: [-1, 0, 0, 0, ['admin']],
    debug: [-2, 0, 0, 0, ['admin']],
  };
  const EXACT_FLAGS = ['write', 'readonly', 'denyoom', 'admin', 'no_auth'];

  it('INFO matches Redis for every implemented command', async () => {
    const names = Object.keys(TABLE);
    const replies = (await value('COMMAND', 'INFO', ...names)) as unknown[][];
    expect(replies.length).toBe(names.length);
    replies.forEach((entry, i) => {
      const name = names[i]!;
      expect(entry, name).not.toBeNull();
      const [arity, first, last, step, flags] = TABLE[name]!;
      expect(entry[0], name).toBe(name);
      expect([entry[1], entry[3], entry[4], entry[5]], name).toEqual([arity, first, last, step]);
      const got = entry[2] as string[];
      for (const f of flags) expect(got, `${name} has ${f}`).toContain(f);
      for (const f of EXACT_FLAGS) if (!flags.includes(f)) expect(got, `${name} lacks ${f}`).not.toContain(f);
      expect(entry.length, name).toBeGreaterThanOrEqual(7);
      expect(Array.isArray(entry[6]), `${name} ACL categories`).toBe(true);
    });
  });

  it('INFO of get in detail; unknown names give nil', async () => {
    const [get] = (await value('COMMAND', 'INFO', 'GET')) as unknown[][];
    expect(get!.slice(0, 6)).toEqual(['get', 2, ['readonly', 'fast'], 1, 1, 1]);
    expect(get![6]).toEqual(expect.arrayContaining(['@read', '@string', '@fast']));
    expect(await q('COMMAND', 'INFO', 'nosuchcommand')).toBe('*1\r\n$-1\r\n');
  });

  it('COUNT, LIST and the full table agree', async () => {
    const count = Number(await value('COMMAND', 'COUNT'));
    const list = (await value('COMMAND', 'LIST')) as string[];
    const all = (await value('COMMAND')) as unknown[][];
    // LIST also names subcommands ("config|get"); COUNT and COMMAND cover top-level commands.
    const topLevel = list.filter((n) => !n.includes('|'));
    expect(count).toBe(topLevel.length);
    expect(count).toBe(all.length);
    expect(new Set(list).size).toBe(list.length);
    expect(list).toEqual(expect.arrayContaining(Object.keys(TABLE)));
    expect(list).toEqual(expect.arrayContaining(['config|get', 'client|setname', 'command|getkeys']));
    expect(all.map((e) => e[0]).sort()).toEqual([...topLevel].sort());
    expect(list.every((n) => n === n.toLowerCase())).toBe(true);
    const filtered = (await value('COMMAND', 'LIST', 'FILTERBY', 'PATTERN', 'get*')) as string[];
    expect(filtered.sort()).toEqual(list.filter((n) => n.startsWith('get')).sort());
    expect(filtered).toEqual(expect.arrayContaining(['get', 'getdel', 'getex', 'getrange', 'getset']));
  });

  it('GETKEYS', async () => {
    expect(await q('COMMAND', 'GETKEYS', 'SET', 'a', 'b')).toBe('*1\r\n$1\r\na\r\n');
    expect(await q('COMMAND', 'GETKEYS', 'MSET', 'a', '1', 'b', '2')).toBe('*2\r\n$1\r\na\r\n$1\r\nb\r\n');
    expect(await q('COMMAND', 'GETKEYS', 'DEL', 'a', 'b', 'c')).toBe('*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n');
    expect(await q('COMMAND', 'GETKEYS', 'RENAME', 'a', 'b')).toBe('*2\r\n$1\r\na\r\n$1\r\nb\r\n');
    expect(await q('COMMAND', 'GETKEYS', 'COPY', 'a', 'b', 'DB', '1')).toBe('*2\r\n$1\r\na\r\n$1\r\nb\r\n');
    expect(await q('COMMAND', 'GETKEYS', 'ECHO', 'a')).toBe('-ERR The command has no key arguments\r\n');
    expect(await q('COMMAND', 'GETKEYS', 'NOSUCH', 'x')).toBe('-ERR Invalid command specified\r\n');
    expect(await q('COMMAND', 'GETKEYS', 'GET', 'k', 'z')).toBe('-ERR Invalid number of arguments specified for command\r\n');
  });

  it('DOCS gives a real map for each command (redis-cli builds its hints from it)', async () => {
    const reply = (await value('COMMAND', 'DOCS', 'get')) as unknown[];
    expect(reply.length).toBe(2);
    expect(reply[0]).toBe('get');
    const doc = reply[1] as unknown[];
    const docMap = new Map<unknown, unknown>();
    for (let i = 0; i < doc.length; i += 2) docMap.set(doc[i], doc[i + 1]);
    expect(String(docMap.get('summary')).length).toBeGreaterThan(5);
    expect(docMap.get('group')).toBe('string');
    expect(String(docMap.get('since'))).toMatch(/^\d+\.\d+\.\d+$/);
    expect(Array.isArray(docMap.get('arguments'))).toBe(true);
    expect(await q('COMMAND', 'DOCS', 'nosuchcommand')).toBe('*0\r\n');
    const all = (await value('COMMAND', 'DOCS')) as unknown[];
    expect(all.length / 2).toBe(Number(await value('COMMAND', 'COUNT')));
  });
});

describe('TIME and DBSIZE', () => {
  it('TIME is [seconds, microseconds] as bulk strings near the local clock', async () => {
    const raw = await q('TIME');
    expect(raw).toMatch(/^\*2\r\n\$\d+\r\n\d+\r\n\$\d+\r\n\d+\r\n$/);
    const [s, us] = (decodeReply(Buffer.from(raw))!.value as string[]).map(Number);
    expect(Math.abs(s! - Date.now() / 1000)).toBeLessThan(5);
    expect(us).toBeGreaterThanOrEqual(0);
    expect(us).toBeLessThan(1_000_000);
    expect(await q('TIME', 'x')).toBe("-ERR wrong number of arguments for 'time' command\r\n");
  });

  it('DBSIZE', async () => {
    expect(await q('DBSIZE')).toBe(':0\r\n');
    await q('MSET', 'a', '1', 'b', '2');
    expect(await q('DBSIZE')).toBe(':2\r\n');
  });
});

describe('DEBUG (enable-debug-command yes)', () => {
  it('DIGEST and DIGEST-VALUE match redis-server for known data', async () => {
    expect(await q('DEBUG', 'DIGEST')).toBe(`+${'0'.repeat(40)}\r\n`);
    await q('SET', 'a', '1');
    expect(await q('DEBUG', 'DIGEST')).toBe('+943d800368fb9c0e951138f1bc0e313ac769d91f\r\n');
    expect(await q('DEBUG', 'DIGEST-VALUE', 'a')).toBe('*1\r\n+b4fc66738120fba0b5aa500ab5c2bf89cea1c5da\r\n');
    await q('SET', 'x', 'y');
    expect(await q('DEBUG', 'DIGEST-VALUE', 'nokey', 'x')).toBe(
      `*2\r\n+${'0'.repeat(40)}\r\n+5de2ea9d5ffab1d9674bdd0e51d2eff013a722cc\r\n`,
    );
    expect(await q('DEBUG', 'DIGEST-VALUE')).toBe('*0\r\n');
    // A TTL adds a marker (not the deadline) to both digests.
    await q('DEL', 'x');
    await q('EXPIRE', 'a', '100');
    expect(await q('DEBUG', 'DIGEST')).toBe('+0c68bbcf4ad5c984f8ca839729889d52ec025271\r\n');
    expect(await q('DEBUG', 'DIGEST-VALUE', 'a')).toBe('*1\r\n+5279988c5d1911f474bcbbf2f0a87012d40f8459\r\n');
    await q('PEXPIREAT', 'a', '4102444800000');
    expect(await q('DEBUG', 'DIGEST-VALUE', 'a')).toBe('*1\r\n+5279988c5d1911f474bcbbf2f0a87012d40f8459\r\n');
  });

  it('POPULATE', async () => {
    await q('SET', 'key:0', 'mine');
    expect(await q('DEBUG', 'POPULATE', '10')).toBe(OK);
    expect(await q('DBSIZE')).toBe(':10\r\n');
    expect(await q('GET', 'key:0')).toBe(bulk('mine')); // existing keys are left alone
    expect(await q('GET', 'key:9')).toBe(bulk('value:9'));
    expect(await q('DEBUG', 'POPULATE', '3', 'pfx')).toBe(OK);
    expect(await q('GET', 'pfx:1')).toBe(bulk('value:1'));
    expect(await q('DEBUG', 'POPULATE', '2', 'sz', '20')).toBe(OK);
    expect(await q('GET', 'sz:1')).toBe(bulk(`value:1${'\x00'.repeat(13)}`));
    expect(await q('DEBUG', 'POPULATE', '-1')).toBe('-ERR value is out of range, must be positive\r\n');
    expect(await q('DEBUG', 'POPULATE', 'abc')).toBe('-ERR value is out of range, must be positive\r\n');
  });

  it('SLEEP blocks the whole server', async () => {
    const start = Date.now();
    c.send('DEBUG', 'SLEEP', '0.3');
    await new Promise((r) => setTimeout(r, 50));
    expect(await str(other, 'PING')).toBe('+PONG\r\n');
    expect(Date.now() - start).toBeGreaterThanOrEqual(280);
    expect((await c.readReply()).toString()).toBe(OK);
    expect(await q('DEBUG', 'SLEEP', '0')).toBe(OK);
  });

  it('OBJECT', async () => {
    await q('SET', 'n', '12345');
    expect(await q('DEBUG', 'OBJECT', 'n')).toMatch(
      /^\+Value at:\S+ refcount:\d+ encoding:int serializedlength:\d+ lru:\d+ lru_seconds_idle:\d+.*\r\n$/,
    );
    expect(await q('DEBUG', 'OBJECT', 'nokey')).toBe('-ERR no such key\r\n');
  });

  it('PROTOCOL in RESP2', async () => {
    const cases: Array<[string, string]> = [
      ['string', '$11\r\nHello World\r\n'],
      ['integer', ':12345\r\n'],
      ['double', '$5\r\n3.141\r\n'],
      ['bignum', '$37\r\n1234567999999999999999999999999999999\r\n'],
      ['null', '$-1\r\n'],
      ['array', '*3\r\n:0\r\n:1\r\n:2\r\n'],
      ['set', '*3\r\n:0\r\n:1\r\n:2\r\n'],
      ['map', '*6\r\n:0\r\n:0\r\n:1\r\n:1\r\n:2\r\n:0\r\n'],
      ['attrib', '$39\r\nSome real reply following the attribute\r\n'],
      ['verbatim', '$25\r\nThis is a verbatim\nstring\r\n'],
      ['true', ':1\r\n'],
      ['false', ':0\r\n'],
      ['push', '-ERR RESP2 is not supported by this command\r\n'],
    ];
    for (const [type, expected] of cases) expect(await q('DEBUG', 'PROTOCOL', type), type).toBe(expected);
    expect(await q('DEBUG', 'PROTOCOL', 'foo')).toBe(
      '-ERR Wrong protocol type name. Please use one of the following: string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false\r\n',
    );
  });

  it('PROTOCOL in RESP3', async () => {
    const r3 = await RawConnection.open(server.port);
    try {
      expect((await r3.call('HELLO', '3')).toString()).toMatch(/^%7\r\n/);
      const cases: Array<[string, string]> = [
        ['string', '$11\r\nHello World\r\n'],
        ['integer', ':12345\r\n'],
        ['double', ',3.141\r\n'],
        ['bignum', '(1234567999999999999999999999999999999\r\n'],
        ['null', '_\r\n'],
        ['array', '*3\r\n:0\r\n:1\r\n:2\r\n'],
        ['set', '~3\r\n:0\r\n:1\r\n:2\r\n'],
        ['map', '%3\r\n:0\r\n#f\r\n:1\r\n#t\r\n:2\r\n#f\r\n'],
        ['attrib', '|1\r\n$14\r\nkey-popularity\r\n*2\r\n$7\r\nkey:123\r\n:90\r\n$39\r\nSome real reply following the attribute\r\n'],
        ['verbatim', '=29\r\ntxt:This is a verbatim\nstring\r\n'],
        ['true', '#t\r\n'],
        ['false', '#f\r\n'],
      ];
      for (const [type, expected] of cases) {
        expect((await r3.call('DEBUG', 'PROTOCOL', type)).toString(), type).toBe(expected);
      }
      // push: an out-of-band push message, then the command's own reply.
      r3.send('DEBUG', 'PROTOCOL', 'push');
      expect((await r3.readReplies(2)).toString()).toBe(
        '>2\r\n$16\r\nserver-cpu-usage\r\n:42\r\n$40\r\nSome real reply following the push reply\r\n',
      );
    } finally {
      r3.close();
    }
  });

  it('SET-ACTIVE-EXPIRE and unknown subcommands', async () => {
    expect(await q('DEBUG', 'SET-ACTIVE-EXPIRE', '0')).toBe(OK);
    expect(await q('DEBUG', 'SET-ACTIVE-EXPIRE', '1')).toBe(OK);
    expect(await q('DEBUG', 'NOSUCHSUB')).toBe(
      "-ERR unknown subcommand or wrong number of arguments for 'NOSUCHSUB'. Try DEBUG HELP.\r\n",
    );
  });
});

describe('DEBUG gating', () => {
  const DENIED =
    '-ERR DEBUG command not allowed. If the enable-debug-command option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.\r\n';

  it('is refused with enable-debug-command no', async () => {
    const s = await startAki({ args: ['--enable-debug-command', 'no'] });
    const conn = await RawConnection.open(s.port);
    try {
      expect((await conn.call('DEBUG', 'SLEEP', '0')).toString()).toBe(DENIED);
      expect((await conn.call('DEBUG', 'DIGEST')).toString()).toBe(DENIED);
      expect((await conn.call('DEBUG')).toString()).toBe("-ERR wrong number of arguments for 'debug' command\r\n");
      expect((await conn.call('CONFIG', 'GET', 'enable-debug-command')).toString()).toBe(
        '*2\r\n$20\r\nenable-debug-command\r\n$2\r\nno\r\n',
      );
    } finally {
      conn.close();
      await s.stop();
    }
  });

  it('local allows loopback connections', async () => {
    const s = await startAki({ args: ['--enable-debug-command', 'local'] });
    const conn = await RawConnection.open(s.port);
    try {
      expect((await conn.call('DEBUG', 'SLEEP', '0')).toString()).toBe(OK);
    } finally {
      conn.close();
      await s.stop();
    }
  });
});

describe('SHUTDOWN', () => {
  it('ABORT without a shutdown in progress, and bad options', async () => {
    expect(await q('SHUTDOWN', 'ABORT')).toBe('-ERR No shutdown in progress.\r\n');
    expect(await q('SHUTDOWN', 'FOO')).toBe('-ERR syntax error\r\n');
    expect(await q('SHUTDOWN', 'NOSAVE', 'SAVE')).toBe('-ERR syntax error\r\n');
    expect(await q('PING')).toBe('+PONG\r\n');
  });

  for (const args of [[], ['NOSAVE']]) {
    it(`SHUTDOWN ${args.join(' ')} closes the connection and exits with code 0`, async () => {
      const s = await startAki();
      const conn = await RawConnection.open(s.port);
      conn.send('SHUTDOWN', ...args);
      const reply = await conn.readAll(5000);
      expect(reply.toString()).toBe('');
      expect(conn.isClosed()).toBe(true);
      const { code } = await s.exited;
      expect(code).toBe(0);
      expect(s.logs()).toMatch(/User requested shutdown/);
    });
  }
});
