import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from './errors.js';
import { ALL_OPTIONS } from './registry.js';
import { ServerConfig, allowsProtectedAction, isSensitiveOption } from './server-config.js';

function directiveError(config: ServerConfig, name: string, args: string[]): string {
  try {
    config.applyDirective(name, args);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error(`expected directive ${name} ${args.join(' ')} to be rejected`);
}

const getOne = (config: ServerConfig, name: string) => config.getMatching([name])[0]?.[1];

const tmp = mkdtempSync(join(tmpdir(), 'aki-config-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('defaults', () => {
  const config = new ServerConfig();
  it('are Redis 7 defaults except for aki durability and paths', () => {
    expect(config.get('port')).toBe(6379);
    expect(config.get('bind')).toEqual(['*', '-::*']);
    expect(config.get('protected-mode')).toBe(true);
    expect(config.get('requirepass')).toBe('');
    expect(config.get('databases')).toBe(16);
    expect(config.get('dir')).toBe('.');
    expect(config.get('dbfilename')).toBe('dump.rdb');
    expect(config.get('logfile')).toBe('');
    expect(config.get('loglevel')).toBe('notice');
    expect(config.get('log-format')).toBe('redis');
    expect(config.get('pidfile')).toBe('');
    expect(config.get('timeout')).toBe(0);
    expect(config.get('tcp-keepalive')).toBe(300);
    expect(config.get('tcp-backlog')).toBe(511);
    expect(config.get('maxclients')).toBe(10000);
    expect(config.get('proto-max-bulk-len')).toBe(512 * 1024 * 1024);
    expect(config.get('client-query-buffer-limit')).toBe(1024 * 1024 * 1024);
    expect(config.get('hz')).toBe(10);
    expect(config.get('enable-debug-command')).toBe('local');
    expect(config.get('enable-protected-configs')).toBe('no');
    expect(config.get('maxmemory')).toBe(0);
    expect(config.get('maxmemory-policy')).toBe('noeviction');
    expect(config.get('appendonly')).toBe(true);
    expect(config.get('appendfsync')).toBe('everysec');
    expect(config.get('appendfilename')).toBe('appendonly.aof');
    expect(config.get('appenddirname')).toBe('appendonlydir');
    expect(config.get('save')).toBe('3600 1 300 100 60 10000');
    expect(config.get('daemonize')).toBe(false);
    expect(config.get('lazyfree-lazy-user-del')).toBe(false);
    expect(config.get('latency-tracking')).toBe(true);
    expect(config.get('slowlog-log-slower-than')).toBe(10000);
    expect(config.get('slowlog-max-len')).toBe(128);
    expect(config.get('latency-monitor-threshold')).toBe(0);
    expect(config.get('busy-reply-threshold')).toBe(5000);
  });

  it('are independent per instance', () => {
    const a = new ServerConfig();
    const b = new ServerConfig();
    a.applyDirective('port', ['1234']);
    expect(b.get('port')).toBe(6379);
  });

  it('hand out frozen lists', () => {
    expect(Object.isFrozen(new ServerConfig().get('bind'))).toBe(true);
  });
});

describe('the option table', () => {
  it('has lower-case names and defaults that survive their own codec', () => {
    for (const spec of ALL_OPTIONS) {
      expect(spec.name).toBe(spec.name.toLowerCase());
      for (const alias of spec.aliases) expect(alias).toBe(alias.toLowerCase());
      if (spec.name === 'dir') continue; // checks the file system
      if (spec.name === 'replicaof') continue; // '' (a primary) is written as no line at all
      const text = spec.codec.format(spec.defaultValue);
      const args = spec.codec.multiArg && text === '' ? [''] : [text];
      const reparsed = spec.codec.parse(args, { previous: spec.defaultValue, repeated: false });
      expect(spec.codec.format(reparsed), spec.name).toBe(text);
    }
  });

  it('marks what Redis 7 marks immutable, protected and sensitive', () => {
    const flagged = (flag: 'immutable' | 'protected' | 'sensitive') =>
      ALL_OPTIONS.filter((spec) => spec[flag])
        .map((spec) => spec.name)
        .sort();
    expect(flagged('protected')).toEqual(['dbfilename', 'dir']);
    expect(flagged('sensitive')).toEqual(['masterauth', 'requirepass', 'tls-client-key-file-pass', 'tls-key-file-pass']);
    expect(flagged('immutable')).toEqual(
      [
        'aclfile',
        'always-show-logo',
        'aof_rewrite_cpulist',
        'appenddirname',
        'appendfilename',
        'bgsave_cpulist',
        'bio_cpulist',
        'cluster-config-file',
        'cluster-enabled',
        'cluster-port',
        'daemonize',
        'databases',
        'disable-thp',
        'enable-debug-command',
        'enable-module-command',
        'enable-protected-configs',
        'io-threads',
        'io-threads-do-reads',
        'log-format',
        'logfile',
        'pidfile',
        'rdbchecksum',
        'replicaof',
        'server_cpulist',
        'set-proc-title',
        'socket-mark-id',
        'supervised',
        'syslog-enabled',
        'syslog-facility',
        'syslog-ident',
        'tcp-backlog',
        'unixsocket',
        'unixsocketperm',
      ].sort(),
    );
  });
});

describe('applyDirective', () => {
  it('sets typed values, matching the name case-insensitively', () => {
    const config = new ServerConfig();
    expect(config.applyDirective('PORT', ['6380'])).toEqual({});
    expect(config.applyDirective('bind', ['127.0.0.1', '-::1'])).toEqual({});
    expect(config.applyDirective('maxmemory', ['100mb'])).toEqual({});
    expect(config.applyDirective('AppendOnly', ['NO'])).toEqual({});
    expect(config.applyDirective('maxmemory-policy', ['allkeys-lru'])).toEqual({});
    expect(config.applyDirective('requirepass', ['s3cret'])).toEqual({});
    expect(config.get('port')).toBe(6380);
    expect(config.get('bind')).toEqual(['127.0.0.1', '-::1']);
    expect(config.get('maxmemory')).toBe(100 * 1024 * 1024);
    expect(config.get('appendonly')).toBe(false);
    expect(config.get('maxmemory-policy')).toBe('allkeys-lru');
    expect(config.get('requirepass')).toBe('s3cret');
  });

  it('lets later lines win', () => {
    const config = new ServerConfig();
    config.applyDirective('port', ['1']);
    config.applyDirective('port', ['2']);
    expect(config.get('port')).toBe(2);
  });

  it('rejects unknown directives and wrong argument counts', () => {
    const config = new ServerConfig();
    expect(directiveError(config, 'foo', ['bar'])).toBe('Bad directive or wrong number of arguments');
    expect(directiveError(config, 'port', [])).toBe('wrong number of arguments');
    expect(directiveError(config, 'port', ['1', '2'])).toBe('wrong number of arguments');
    expect(directiveError(config, 'sentinel', ['monitor'])).toBe('sentinel directive while not in sentinel mode');
  });

  it('rejects invalid values with Redis wording', () => {
    const config = new ServerConfig();
    expect(directiveError(config, 'port', ['abc'])).toBe("argument couldn't be parsed into an integer");
    expect(directiveError(config, 'port', ['65536'])).toBe('argument must be between 0 and 65535 inclusive');
    expect(directiveError(config, 'databases', ['0'])).toBe('argument must be between 1 and 2147483647 inclusive');
    expect(directiveError(config, 'appendonly', ['maybe'])).toBe("argument must be 'yes' or 'no'");
    expect(directiveError(config, 'loglevel', ['loud'])).toBe(
      'argument(s) must be one of the following: debug, verbose, notice, warning, nothing',
    );
    expect(directiveError(config, 'enable-debug-command', ['sometimes'])).toBe(
      'argument(s) must be one of the following: no, yes, local',
    );
    expect(directiveError(config, 'appendfsync', ['often'])).toBe(
      'argument(s) must be one of the following: always, everysec, no',
    );
    expect(directiveError(config, 'maxmemory', ['1.5gb'])).toBe('argument must be a memory value');
    expect(directiveError(config, 'maxclients', ['0'])).toBe('argument must be between 1 and 4294967295 inclusive');
    expect(directiveError(config, 'proto-max-bulk-len', ['1000'])).toMatch(/^argument must be between 1048576 and/);
    expect(directiveError(config, 'save', ['100', 'x'])).toBe('Invalid save parameters');
    expect(directiveError(config, 'dbfilename', ['a/b'])).toBe("dbfilename can't be a path, just a filename");
    expect(directiveError(config, 'appendfilename', ['a/b'])).toBe("appendfilename can't be a path, just a filename");
    expect(directiveError(config, 'appenddirname', ['a/b'])).toBe("appenddirname can't be a path, just a dirname");
    expect(directiveError(config, 'bind', Array.from({ length: 17 }, (_, i) => `10.0.0.${i}`))).toBe(
      'Too many bind addresses specified.',
    );
    expect(directiveError(config, 'log-format', ['xml'])).toBe('argument(s) must be one of the following: redis, json');
    // Nothing was changed by the rejected lines.
    expect(config.get('port')).toBe(6379);
  });

  it('checks that dir is an existing directory and stores it absolute', () => {
    const config = new ServerConfig();
    expect(directiveError(config, 'dir', [join(tmp, 'missing')])).toBe('No such file or directory');
    const file = join(tmp, 'file');
    writeFileSync(file, '');
    expect(directiveError(config, 'dir', [file])).toBe('Not a directory');
    config.applyDirective('dir', [tmp]);
    expect(config.get('dir')).toBe(tmp);
    config.applyDirective('dir', ['.']);
    expect(config.get('dir')).toBe(resolve('.'));
  });

  it('clamps hz to 1..500 like Redis', () => {
    const config = new ServerConfig();
    config.applyDirective('hz', ['0']);
    expect(config.get('hz')).toBe(1);
    config.applyDirective('hz', ['100000']);
    expect(config.get('hz')).toBe(500);
  });

  it('accumulates save lines after the first, which replaces the default', () => {
    const config = new ServerConfig();
    config.applyDirective('save', ['900', '1']);
    expect(config.get('save')).toBe('900 1');
    config.applyDirective('save', ['300', '10']);
    expect(config.get('save')).toBe('900 1 300 10');
    config.applyDirective('save', ['']);
    expect(config.get('save')).toBe('');
    config.applyDirective('save', ['60 10000']);
    expect(config.get('save')).toBe('60 10000');
  });

  it('accepts multi-argument options quoted into one argument', () => {
    const config = new ServerConfig();
    config.applyDirective('bind', ['127.0.0.1 ::1']);
    expect(config.get('bind')).toEqual(['127.0.0.1', '::1']);
  });

  it('maps old replication spellings to the replica-* options', () => {
    const config = new ServerConfig();
    config.applyDirective('slave-read-only', ['no']);
    config.applyDirective('slaveof', ['10.0.0.1', '6379']);
    config.applyDirective('min-slaves-to-write', ['2']);
    config.applyDirective('slave-serve-stale-data', ['no']);
    config.applyDirective('slave-priority', ['5']);
    config.applyDirective('min-slaves-max-lag', ['3']);
    config.applyDirective('masterauth', ['pw']);
    config.applyDirective('lua-time-limit', ['100']);
    expect(config.getMatching(['replica-read-only', 'replicaof', 'min-replicas-to-write'])).toEqual([
      ['replica-read-only', 'no'],
      ['replicaof', '10.0.0.1 6379'],
      ['min-replicas-to-write', '2'],
    ]);
    expect(getOne(config, 'replica-serve-stale-data')).toBe('no');
    expect(getOne(config, 'replica-priority')).toBe('5');
    expect(getOne(config, 'min-replicas-max-lag')).toBe('3');
    expect(getOne(config, 'masterauth')).toBe('pw');
    expect(config.get('busy-reply-threshold')).toBe(100);
  });

  it('accepts known options aki does not implement, warning only when they differ from the default', () => {
    const config = new ServerConfig();
    expect(config.applyDirective('cluster-enabled', ['no'])).toEqual({});
    expect(config.applyDirective('cluster-enabled', ['yes']).warning).toBe(
      "'cluster-enabled' is not supported by aki yet; the value is only kept for CONFIG GET",
    );
    expect(getOne(config, 'cluster-enabled')).toBe('yes');
    expect(config.applyDirective('hash-max-ziplist-entries', ['64']).warning).toBeUndefined();
    expect(getOne(config, 'hash-max-listpack-entries')).toBe('64');
    expect(config.applyDirective('activerehashing', ['no']).warning).toBe(
      "'activerehashing' has no effect in aki; the value is only kept for CONFIG GET",
    );
    expect(config.applyDirective('notify-keyspace-events', ['']).warning).toBeUndefined();
    // Their values are still validated.
    expect(directiveError(config, 'activerehashing', ['maybe'])).toBe("argument must be 'yes' or 'no'");
    expect(directiveError(config, 'tls-port', ['-1'])).toBe('argument must be between 0 and 65535 inclusive');
  });

  it('warns that daemonize is ignored', () => {
    const config = new ServerConfig();
    expect(config.applyDirective('daemonize', ['yes']).warning).toBe(
      'daemonize is not supported, run aki-server under a supervisor',
    );
    expect(config.applyDirective('daemonize', ['no'])).toEqual({});
  });

  it('accepts directives that are not options with a warning, and deprecated ones silently', () => {
    const config = new ServerConfig();
    expect(config.applyDirective('rename-command', ['CONFIG', '']).warning).toMatch(/rename-command/);
    expect(config.applyDirective('user', ['default', 'on', 'nopass']).warning).toMatch(/ACL/);
    expect(config.applyDirective('loadmodule', ['/x.so']).warning).toMatch(/module/);
    expect(config.applyDirective('list-max-ziplist-entries', ['512'])).toEqual({});
    expect(config.getMatching(['rename-command', 'list-max-ziplist-entries'])).toEqual([]);
  });

  it('loads every directive of the stock Debian Redis 7 redis.conf', () => {
    const config = new ServerConfig();
    const warnings: string[] = [];
    for (const [name, ...args] of DEBIAN_REDIS_CONF) {
      const { warning } = config.applyDirective(name, args);
      if (warning) warnings.push(warning);
    }
    expect(warnings).toEqual(['daemonize is not supported, run aki-server under a supervisor']);
    expect(config.get('bind')).toEqual(['127.0.0.1', '-::1']);
    expect(config.get('appendonly')).toBe(false);
    expect(getOne(config, 'client-output-buffer-limit')).toBe(
      'normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60',
    );
  });
});

describe('setAtRuntime', () => {
  it('sets several options at once', () => {
    const config = new ServerConfig();
    expect(config.setAtRuntime([['maxmemory', '1GB'], ['timeout', '30'], ['appendfsync', 'ALWAYS']], false)).toBeNull();
    expect(config.get('maxmemory')).toBe(1024 ** 3);
    expect(config.get('timeout')).toBe(30);
    expect(config.get('appendfsync')).toBe('always');
  });

  it('reports unknown options', () => {
    const config = new ServerConfig();
    expect(config.setAtRuntime([['foo', 'bar']], false)).toBe(
      "ERR Unknown option or number of arguments for CONFIG SET - 'foo'",
    );
    // Names are all checked before any value: the unknown name wins over a bad value.
    expect(config.setAtRuntime([['port', 'abc'], ['foo', 'bar']], false)).toBe(
      "ERR Unknown option or number of arguments for CONFIG SET - 'foo'",
    );
  });

  it('reports invalid values naming the argument as given', () => {
    const config = new ServerConfig();
    expect(config.setAtRuntime([['PORT', 'abc']], false)).toBe(
      "ERR CONFIG SET failed (possibly related to argument 'PORT') - argument couldn't be parsed into an integer",
    );
    expect(config.setAtRuntime([['maxmemory', '-1']], false)).toBe(
      "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value",
    );
    expect(config.setAtRuntime([['appendonly', 'maybe']], false)).toBe(
      "ERR CONFIG SET failed (possibly related to argument 'appendonly') - argument must be 'yes' or 'no'",
    );
    expect(config.setAtRuntime([['timeout', '-1']], false)).toBe(
      "ERR CONFIG SET failed (possibly related to argument 'timeout') - argument must be between 0 and 2147483647 inclusive",
    );
    expect(config.setAtRuntime([['maxmemory-policy', 'foo']], false)).toBe(
      "ERR CONFIG SET failed (possibly related to argument 'maxmemory-policy') - argument(s) must be one of the following: volatile-lru, volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction",
    );
    expect(config.setAtRuntime([['save', '100']], false)).toBe(
      "ERR CONFIG SET failed (possibly related to argument 'save') - Invalid save parameters",
    );
  });

  it('refuses immutable options before looking at values', () => {
    const config = new ServerConfig();
    expect(config.setAtRuntime([['databases', '3']], false)).toBe(
      "ERR CONFIG SET failed (possibly related to argument 'databases') - can't set immutable config",
    );
    expect(config.setAtRuntime([['port', 'abc'], ['databases', '3']], false)).toBe(
      "ERR CONFIG SET failed (possibly related to argument 'databases') - can't set immutable config",
    );
    expect(config.setAtRuntime([['databases', '3'], ['foo', 'bar']], false)).toBe(
      "ERR CONFIG SET failed (possibly related to argument 'databases') - can't set immutable config",
    );
    for (const name of ['logfile', 'daemonize', 'pidfile', 'enable-debug-command', 'enable-protected-configs', 'appendfilename', 'appenddirname', 'slaveof', 'log-format']) {
      expect(config.setAtRuntime([[name, 'x']], true)).toBe(
        `ERR CONFIG SET failed (possibly related to argument '${name}') - can't set immutable config`,
      );
    }
  });

  it('guards protected options with enable-protected-configs', () => {
    const no = new ServerConfig();
    expect(no.setAtRuntime([['dir', tmp]], true)).toBe(
      "ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected config",
    );
    expect(no.setAtRuntime([['dbfilename', 'x.rdb']], true)).toBe(
      "ERR CONFIG SET failed (possibly related to argument 'dbfilename') - can't set protected config",
    );

    const local = new ServerConfig();
    local.applyDirective('enable-protected-configs', ['local']);
    expect(local.setAtRuntime([['dbfilename', 'x.rdb']], false)).toBe(
      "ERR CONFIG SET failed (possibly related to argument 'dbfilename') - can't set protected config",
    );
    expect(local.setAtRuntime([['dbfilename', 'x.rdb']], true)).toBeNull();
    expect(local.get('dbfilename')).toBe('x.rdb');

    const yes = new ServerConfig();
    yes.applyDirective('enable-protected-configs', ['yes']);
    expect(yes.setAtRuntime([['dbfilename', 'y.rdb']], false)).toBeNull();
    expect(yes.setAtRuntime([['dbfilename', 'a/y.rdb']], false)).toBe(
      "ERR CONFIG SET failed (possibly related to argument 'dbfilename') - dbfilename can't be a path, just a filename",
    );
  });

  it('refuses the same option twice, also through an alias', () => {
    const config = new ServerConfig();
    expect(config.setAtRuntime([['timeout', '1'], ['TIMEOUT', '2']], false)).toBe(
      "ERR CONFIG SET failed (possibly related to argument 'TIMEOUT') - duplicate parameter",
    );
    expect(config.setAtRuntime([['busy-reply-threshold', '1'], ['lua-time-limit', '2']], false)).toBe(
      "ERR CONFIG SET failed (possibly related to argument 'lua-time-limit') - duplicate parameter",
    );
  });

  it('is atomic: one bad value changes nothing', () => {
    const config = new ServerConfig();
    expect(config.setAtRuntime([['maxmemory', '10mb'], ['maxmemory-policy', 'bogus']], false)).toMatch(
      /maxmemory-policy/,
    );
    expect(config.get('maxmemory')).toBe(0);
  });

  it('splits multi-argument values and replaces save', () => {
    const config = new ServerConfig();
    expect(config.setAtRuntime([['save', '100 0 5 1']], false)).toBeNull();
    expect(config.get('save')).toBe('100 0 5 1');
    expect(config.setAtRuntime([['save', '']], false)).toBeNull();
    expect(config.get('save')).toBe('');
    expect(config.setAtRuntime([['save', '60 1']], false)).toBeNull();
    expect(config.get('save')).toBe('60 1');
  });

  it('runs listeners only for values that changed', () => {
    const config = new ServerConfig();
    const seen: number[] = [];
    config.onChange('proto-max-bulk-len', (value) => seen.push(value));
    expect(config.setAtRuntime([['proto-max-bulk-len', '1mb']], false)).toBeNull();
    expect(config.setAtRuntime([['proto-max-bulk-len', '1048576']], false)).toBeNull();
    expect(seen).toEqual([1048576]);
  });

  it('rolls every value back when a listener vetoes', () => {
    const config = new ServerConfig();
    const timeouts: number[] = [];
    config.onChange('timeout', (value) => timeouts.push(value));
    config.onChange('port', (value) => {
      if (value === 1) throw new ConfigError('Unable to listen on this port');
    });
    expect(config.setAtRuntime([['timeout', '5'], ['port', '1'], ['maxmemory', '1mb']], false)).toBe(
      "ERR CONFIG SET failed (possibly related to argument 'port') - Unable to listen on this port",
    );
    expect(config.get('timeout')).toBe(0);
    expect(config.get('port')).toBe(6379);
    expect(config.get('maxmemory')).toBe(0);
    // The timeout listener saw the new value, then the restored one.
    expect(timeouts).toEqual([5, 0]);
  });

  it('refuses options that need the server to act until a listener is registered', () => {
    const config = new ServerConfig();
    for (const [name, value] of [['port', '7000'], ['bind', '127.0.0.1'], ['appendonly', 'no'], ['loglevel', 'debug']]) {
      expect(config.setAtRuntime([[name!, value!]], false)).toBe(
        `ERR CONFIG SET failed (possibly related to argument '${name}') - aki can't change this config at runtime yet`,
      );
    }
    config.onChange('loglevel', () => {});
    expect(config.setAtRuntime([['loglevel', 'debug']], false)).toBeNull();
    expect(config.get('loglevel')).toBe('debug');
  });

  it('accepts inert options and refuses to turn on unsupported features', () => {
    const config = new ServerConfig();
    expect(config.setAtRuntime([['hash-max-listpack-entries', '0']], false)).toBeNull();
    expect(getOne(config, 'hash-max-ziplist-entries')).toBe('0');
    expect(config.setAtRuntime([['notify-keyspace-events', 'KEA']], false)).toBe(
      "ERR CONFIG SET failed (possibly related to argument 'notify-keyspace-events') - aki does not support this config yet",
    );
    expect(config.setAtRuntime([['notify-keyspace-events', '']], false)).toBeNull();
    expect(config.setAtRuntime([['slave-read-only', 'yes']], false)).toBeNull();
    expect(config.setAtRuntime([['tls-port', 'abc']], false)).toBe(
      "ERR CONFIG SET failed (possibly related to argument 'tls-port') - argument couldn't be parsed into an integer",
    );
  });
});

describe('getMatching', () => {
  const config = new ServerConfig();

  it('answers an exact name under the name as given', () => {
    expect(config.getMatching(['port'])).toEqual([['port', '6379']]);
    expect(config.getMatching(['PORT'])).toEqual([['PORT', '6379']]);
    expect(config.getMatching(['slave-read-only'])).toEqual([['slave-read-only', 'yes']]);
    expect(config.getMatching(['nosuchoption'])).toEqual([]);
  });

  it('matches globs case-insensitively over names and aliases', () => {
    expect(config.getMatching(['*read-only*'])).toEqual([
      ['replica-read-only', 'yes'],
      ['slave-read-only', 'yes'],
    ]);
    expect(config.getMatching(['P*RT'])).toEqual([['port', '6379']]);
    expect(config.getMatching(['maxmemory-polic?'])).toEqual([['maxmemory-policy', 'noeviction']]);
    expect(config.getMatching(['[pq]ort'])).toEqual([['port', '6379']]);
    expect(config.getMatching(['[^a-z]ort'])).toEqual([]);
    expect(config.getMatching(['tcp-[a-c]*']).map(([name]) => name)).toEqual(['tcp-backlog']);
  });

  it('lists each name once across patterns', () => {
    expect(config.getMatching(['port', 'port', 'PORT', 'p?rt'])).toEqual([['port', '6379']]);
    const all = config.getMatching(['*']);
    const names = all.map(([name]) => name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toContain('databases');
    expect(names).toContain('maxclients');
    expect(names).toContain('slaveof');
    expect(names).toContain('hash-max-ziplist-entries');
  });

  it('prints values as Redis does', () => {
    const get = (name: string) => getOne(config, name);
    expect(get('appendonly')).toBe('yes');
    expect(get('protected-mode')).toBe('yes');
    expect(get('maxmemory')).toBe('0');
    expect(get('proto-max-bulk-len')).toBe('536870912');
    expect(get('save')).toBe('3600 1 300 100 60 10000');
    expect(get('bind')).toBe('* -::*');
    expect(get('dir')).toBe(resolve('.'));
    expect(get('logfile')).toBe('');
    expect(get('auto-aof-rewrite-min-size')).toBe('67108864');
    expect(get('oom-score-adj-values')).toBe('0 200 800');
    expect(get('latency-tracking-info-percentiles')).toBe('50 99 99.9');
    expect(get('unixsocketperm')).toBe('0');
    expect(get('replicaof')).toBe('');
    expect(get('client-output-buffer-limit')).toBe(
      'normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60',
    );
  });

  it('reflects changes', () => {
    const changed = new ServerConfig();
    changed.applyDirective('maxmemory', ['1kb']);
    changed.applyDirective('bind', ['127.0.0.1', '-::1']);
    expect(changed.getMatching(['maxmemory', 'bind'])).toEqual([
      ['maxmemory', '1024'],
      ['bind', '127.0.0.1 -::1'],
    ]);
  });
});

describe('helpers', () => {
  it('allowsProtectedAction', () => {
    expect(allowsProtectedAction('yes', false)).toBe(true);
    expect(allowsProtectedAction('local', true)).toBe(true);
    expect(allowsProtectedAction('local', false)).toBe(false);
    expect(allowsProtectedAction('no', true)).toBe(false);
  });
  it('isSensitiveOption', () => {
    expect(isSensitiveOption('requirepass')).toBe(true);
    expect(isSensitiveOption('MASTERAUTH')).toBe(true);
    expect(isSensitiveOption('port')).toBe(false);
    expect(isSensitiveOption('nosuch')).toBe(false);
  });
});

/** The directives of Debian's stock /etc/redis/redis.conf for Redis 7, already split. */
const DEBIAN_REDIS_CONF: string[][] = [
  ['bind', '127.0.0.1', '-::1'],
  ['protected-mode', 'yes'],
  ['port', '6379'],
  ['tcp-backlog', '511'],
  ['timeout', '0'],
  ['tcp-keepalive', '300'],
  ['daemonize', 'yes'],
  ['pidfile', '/run/redis/redis-server.pid'],
  ['loglevel', 'notice'],
  ['logfile', '/var/log/redis/redis-server.log'],
  ['databases', '16'],
  ['always-show-logo', 'no'],
  ['set-proc-title', 'yes'],
  ['proc-title-template', '{title} {listen-addr} {server-mode}'],
  ['stop-writes-on-bgsave-error', 'yes'],
  ['rdbcompression', 'yes'],
  ['rdbchecksum', 'yes'],
  ['dbfilename', 'dump.rdb'],
  ['rdb-del-sync-files', 'no'],
  ['dir', '.'],
  ['replica-serve-stale-data', 'yes'],
  ['replica-read-only', 'yes'],
  ['repl-diskless-sync', 'yes'],
  ['repl-diskless-sync-delay', '5'],
  ['repl-diskless-sync-max-replicas', '0'],
  ['repl-diskless-load', 'disabled'],
  ['repl-disable-tcp-nodelay', 'no'],
  ['replica-priority', '100'],
  ['acllog-max-len', '128'],
  ['lazyfree-lazy-eviction', 'no'],
  ['lazyfree-lazy-expire', 'no'],
  ['lazyfree-lazy-server-del', 'no'],
  ['replica-lazy-flush', 'no'],
  ['lazyfree-lazy-user-del', 'no'],
  ['lazyfree-lazy-user-flush', 'no'],
  ['oom-score-adj', 'no'],
  ['oom-score-adj-values', '0', '200', '800'],
  ['disable-thp', 'yes'],
  ['appendonly', 'no'],
  ['appendfilename', 'appendonly.aof'],
  ['appenddirname', 'appendonlydir'],
  ['appendfsync', 'everysec'],
  ['no-appendfsync-on-rewrite', 'no'],
  ['auto-aof-rewrite-percentage', '100'],
  ['auto-aof-rewrite-min-size', '64mb'],
  ['aof-load-truncated', 'yes'],
  ['aof-use-rdb-preamble', 'yes'],
  ['aof-timestamp-enabled', 'no'],
  ['slowlog-log-slower-than', '10000'],
  ['slowlog-max-len', '128'],
  ['latency-monitor-threshold', '0'],
  ['notify-keyspace-events', ''],
  ['hash-max-listpack-entries', '512'],
  ['hash-max-listpack-value', '64'],
  ['list-max-listpack-size', '-2'],
  ['list-compress-depth', '0'],
  ['set-max-intset-entries', '512'],
  ['zset-max-listpack-entries', '128'],
  ['zset-max-listpack-value', '64'],
  ['hll-sparse-max-bytes', '3000'],
  ['stream-node-max-bytes', '4096'],
  ['stream-node-max-entries', '100'],
  ['activerehashing', 'yes'],
  ['client-output-buffer-limit', 'normal', '0', '0', '0'],
  ['client-output-buffer-limit', 'replica', '256mb', '64mb', '60'],
  ['client-output-buffer-limit', 'pubsub', '32mb', '8mb', '60'],
  ['hz', '10'],
  ['dynamic-hz', 'yes'],
  ['aof-rewrite-incremental-fsync', 'yes'],
  ['rdb-save-incremental-fsync', 'yes'],
  ['jemalloc-bg-thread', 'yes'],
];
