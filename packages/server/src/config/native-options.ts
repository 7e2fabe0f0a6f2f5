import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  INT_MAX,
  SAFE_MAX,
  UINT_MAX,
  integer,
  memory,
  oneOf,
  outputBufferLimits,
  saveParams,
  text,
  wordList,
  replicaOf,
  yesNo,
  type OutputBufferLimits,
  type ValueCodec,
} from './codecs.js';
import { ConfigError } from './errors.js';
import { option, type OptionSpec } from './option.js';

export type LogLevel = 'debug' | 'verbose' | 'notice' | 'warning' | 'nothing';
export type ProtectedAction = 'yes' | 'no' | 'local';
export type MaxmemoryPolicy =
  | 'volatile-lru'
  | 'volatile-lfu'
  | 'volatile-random'
  | 'volatile-ttl'
  | 'allkeys-lru'
  | 'allkeys-lfu'
  | 'allkeys-random'
  | 'noeviction';

/**
 * The options aki implements, by canonical name, with the type of their
 * value. `ServerConfig.get` is typed by this map.
 */
export interface ConfigValues {
  'hash-max-listpack-entries': number;
  'hash-max-listpack-value': number;
  'list-max-listpack-size': number;
  'set-max-intset-entries': number;
  'set-max-listpack-entries': number;
  'set-max-listpack-value': number;
  'zset-max-listpack-entries': number;
  'zset-max-listpack-value': number;
  port: number;
  /** Addresses to listen on; a leading '-' marks one that may be unavailable. */
  bind: string[];
  'protected-mode': boolean;
  requirepass: string;
  databases: number;
  /** Working directory for data files; '.' or an absolute path. */
  dir: string;
  dbfilename: string;
  /** '' means standard output. */
  logfile: string;
  loglevel: LogLevel;
  /** aki only: 'redis' is Redis's text format, 'json' is raw pino lines. */
  'log-format': 'redis' | 'json';
  /** '' means no pid file. */
  pidfile: string;
  /** Idle client timeout in seconds; 0 = never. */
  timeout: number;
  /** Seconds; 0 = off. */
  'tcp-keepalive': number;
  'tcp-backlog': number;
  maxclients: number;
  /** Bytes. */
  'proto-max-bulk-len': number;
  /** Bytes. */
  'client-query-buffer-limit': number;
  /** Already clamped to 1..500 as Redis does. */
  hz: number;
  'enable-debug-command': ProtectedAction;
  'enable-protected-configs': ProtectedAction;
  /** Bytes; 0 = no limit. */
  maxmemory: number;
  'maxmemory-policy': MaxmemoryPolicy;
  appendonly: boolean;
  appendfsync: 'always' | 'everysec' | 'no';
  /** Load an AOF whose last file ends in a torn command (cutting the tail off), instead of refusing to start. */
  'aof-load-truncated': boolean;
  /** Rewrite the AOF when it grew by this percentage over its size after the last rewrite; 0 = never. */
  'auto-aof-rewrite-percentage': number;
  /** ... and is at least this many bytes. */
  'auto-aof-rewrite-min-size': number;
  /** Refuse writes (MISCONF) after a failed background RDB save while save points are configured. */
  'stop-writes-on-bgsave-error': boolean;
  appendfilename: string;
  appenddirname: string;
  /** Snapshot points as "seconds changes ..." ("3600 1 300 100 60 10000"); '' = none. */
  save: string;
  /** Accepted but never honoured: aki always runs in the foreground. */
  daemonize: boolean;
  'lazyfree-lazy-user-del': boolean;
  'latency-tracking': boolean;
  /** Microseconds; -1 disables the slow log, 0 logs every command. */
  'slowlog-log-slower-than': number;
  'slowlog-max-len': number;
  /** Milliseconds; 0 = latency monitor off. */
  'latency-monitor-threshold': number;
  /** Milliseconds (alias lua-time-limit). */
  'busy-reply-threshold': number;
  /** The leader followed, "host port", or '' on a leader: read at start-up, kept up to date by REPLICAOF. */
  replicaof: string;
  masterauth: string;
  masteruser: string;
  'replica-serve-stale-data': boolean;
  'replica-read-only': boolean;
  'replica-priority': number;
  'replica-announced': boolean;
  'replica-announce-ip': string;
  'replica-announce-port': number;
  'min-replicas-to-write': number;
  'min-replicas-max-lag': number;
  /** Seconds between the PINGs a leader puts into its stream. */
  'repl-ping-replica-period': number;
  /** Seconds of silence after which either side of a replication link gives it up. */
  'repl-timeout': number;
  'repl-backlog-size': number;
  /** Seconds a leader without followers keeps its backlog (0 = forever). */
  'repl-backlog-ttl': number;
  /**
   * aki's guard (not in Redis): a follower holding data refuses a full sync
   * that would replace it with an empty dataset of an unrelated history from
   * the same leader it synced from (a leader that restarted empty).
   */
  'replica-refuse-empty-resync': boolean;
  /**
   * aki's lossless promotion (not in Redis): REPLICAOF NO ONE on a follower
   * whose link is up first asks its leader to hand over (FAILOVER TO this
   * follower), so writes the leader acknowledged after the promotion began
   * cannot be lost. For Sentinel groups, whose planned switchovers promote
   * with REPLICAOF NO ONE while the old leader still takes writes.
   */
  'promotion-handover': boolean;
  'client-output-buffer-limit': OutputBufferLimits;
  /** Seconds a shutdown waits for lagging followers to catch up (0 = not at all). */
  'shutdown-timeout': number;
}

const fileName = (option: string, what: string) =>
  text((value) => {
    if (value.includes('/') || value.includes('\\')) {
      throw new ConfigError(`${option} can't be a path, just a ${what}`);
    }
  });

const SYSTEM_ERRORS: Record<string, string> = {
  ENOENT: 'No such file or directory',
  ENOTDIR: 'Not a directory',
  EACCES: 'Permission denied',
};

/**
 * `dir`: must name an existing directory, checked when set (Redis changes
 * into it at once and fails the same way). Stored as an absolute path so a
 * later change of the process's working directory cannot move the data; the
 * default '.' is the directory aki was started in.
 *
 * Like every config string, the path is latin1 (one char per byte, as it
 * arrives from a config file or CONFIG SET); file system calls get it as a
 * Buffer so non-ASCII names keep their bytes.
 */
function directory(): ValueCodec<string> {
  const base = text();
  return {
    multiArg: false,
    parse(args, ctx) {
      const path = absolutePath(base.parse(args, ctx));
      let isDirectory: boolean;
      try {
        isDirectory = statSync(Buffer.from(path, 'latin1')).isDirectory();
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? '';
        throw new ConfigError(SYSTEM_ERRORS[code] ?? (err as Error).message);
      }
      if (!isDirectory) throw new ConfigError('Not a directory');
      return path;
    },
    format: (value) => absolutePath(value),
  };
}

/** A latin1 path made absolute against the working directory (itself converted to latin1). */
function absolutePath(path: string): string {
  return resolve(Buffer.from(process.cwd(), 'utf8').toString('latin1'), path);
}

const protectedAction = () => oneOf('no', 'yes', 'local');

type NativeOptionTable = { readonly [K in keyof ConfigValues]: OptionSpec<ConfigValues[K]> & { readonly name: K } };

/**
 * Defaults are Redis 7's, except: appendonly yes (aki is durable by
 * default), dir '.', logfile '' (stdout). Flags follow Redis 7 (immutable,
 * protected, sensitive).
 */
export const NATIVE_OPTIONS: NativeOptionTable = {
  port: option('port', integer({ min: 0, max: 65535 }), 6379, { needsListener: true }),
  bind: option('bind', wordList(16, 'Too many bind addresses specified.'), ['*', '-::*'], {
    needsListener: true,
  }),
  'protected-mode': option('protected-mode', yesNo(), true),
  requirepass: option('requirepass', text(), '', { sensitive: true }),
  databases: option('databases', integer({ min: 1, max: INT_MAX }), 16, { immutable: true }),
  dir: option('dir', directory(), '.', { protected: true, needsListener: true }),
  dbfilename: option('dbfilename', fileName('dbfilename', 'filename'), 'dump.rdb', { protected: true }),
  logfile: option('logfile', text(), '', { immutable: true }),
  loglevel: option('loglevel', oneOf('debug', 'verbose', 'notice', 'warning', 'nothing'), 'notice', {
    needsListener: true,
  }),
  'log-format': option('log-format', oneOf('redis', 'json'), 'redis', { immutable: true }),
  pidfile: option('pidfile', text(), '', { immutable: true }),
  timeout: option('timeout', integer({ min: 0, max: INT_MAX }), 0),
  'tcp-keepalive': option('tcp-keepalive', integer({ min: 0, max: INT_MAX }), 300),
  'tcp-backlog': option('tcp-backlog', integer({ min: 0, max: INT_MAX }), 511, { immutable: true }),
  maxclients: option('maxclients', integer({ min: 1, max: UINT_MAX }), 10000),
  'proto-max-bulk-len': option('proto-max-bulk-len', memory({ min: 1024 * 1024, max: SAFE_MAX }), 512 * 1024 * 1024),
  'client-query-buffer-limit': option(
    'client-query-buffer-limit',
    memory({ min: 1024 * 1024, max: SAFE_MAX }),
    1024 * 1024 * 1024,
  ),
  // Redis accepts any non-negative hz and clamps what it uses to 1..500.
  hz: option('hz', integer({ min: 0, max: INT_MAX, normalize: (v) => Math.min(Math.max(v, 1), 500) }), 10),
  // aki's default is 'local' (Redis: 'no'): operators and test tools use DEBUG
  // DIGEST/SLEEP from the same host, while remote clients stay locked out.
  'enable-debug-command': option('enable-debug-command', protectedAction(), 'local', { immutable: true }),
  'enable-protected-configs': option('enable-protected-configs', protectedAction(), 'no', { immutable: true }),
  maxmemory: option('maxmemory', memory({ min: 0, max: SAFE_MAX }), 0),
  'maxmemory-policy': option(
    'maxmemory-policy',
    oneOf(
      'volatile-lru',
      'volatile-lfu',
      'volatile-random',
      'volatile-ttl',
      'allkeys-lru',
      'allkeys-lfu',
      'allkeys-random',
      'noeviction',
    ),
    'noeviction',
  ),
  appendonly: option('appendonly', yesNo(), true, { needsListener: true }),
  appendfsync: option('appendfsync', oneOf('always', 'everysec', 'no'), 'everysec'),
  appendfilename: option('appendfilename', fileName('appendfilename', 'filename'), 'appendonly.aof', {
    immutable: true,
  }),
  appenddirname: option('appenddirname', fileName('appenddirname', 'dirname'), 'appendonlydir', {
    immutable: true,
  }),
  save: option('save', saveParams(), '3600 1 300 100 60 10000'),
  'aof-load-truncated': option('aof-load-truncated', yesNo(), true),
  'auto-aof-rewrite-percentage': option('auto-aof-rewrite-percentage', integer({ min: 0, max: INT_MAX }), 100),
  'auto-aof-rewrite-min-size': option('auto-aof-rewrite-min-size', memory({ min: 0, max: SAFE_MAX }), 64 * 1024 * 1024),
  'stop-writes-on-bgsave-error': option('stop-writes-on-bgsave-error', yesNo(), true),
  daemonize: option('daemonize', yesNo(), false, {
    immutable: true,
    // A Node process cannot fork safely; supervisors (systemd, docker) own the lifecycle.
    warnWhen: (on) => (on ? 'daemonize is not supported, run aki-server under a supervisor' : undefined),
  }),
  'lazyfree-lazy-user-del': option('lazyfree-lazy-user-del', yesNo(), false),
  'latency-tracking': option('latency-tracking', yesNo(), true),
  'slowlog-log-slower-than': option('slowlog-log-slower-than', integer({ min: -1, max: SAFE_MAX }), 10000),
  'slowlog-max-len': option('slowlog-max-len', integer({ min: 0, max: SAFE_MAX }), 128),
  'latency-monitor-threshold': option('latency-monitor-threshold', integer({ min: 0, max: SAFE_MAX }), 0),
  'busy-reply-threshold': option('busy-reply-threshold', integer({ min: 0, max: SAFE_MAX }), 5000, {
    aliases: ['lua-time-limit'],
  }),
  replicaof: option('replicaof', replicaOf(), '', { immutable: true, aliases: ['slaveof'] }),
  masterauth: option('masterauth', text(), '', { sensitive: true }),
  masteruser: option('masteruser', text(), ''),
  'replica-serve-stale-data': option('replica-serve-stale-data', yesNo(), true, { aliases: ['slave-serve-stale-data'] }),
  'replica-read-only': option('replica-read-only', yesNo(), true, { aliases: ['slave-read-only'] }),
  'replica-priority': option('replica-priority', integer({ min: 0, max: INT_MAX }), 100, { aliases: ['slave-priority'] }),
  'replica-announced': option('replica-announced', yesNo(), true),
  'replica-announce-ip': option('replica-announce-ip', text(), '', { aliases: ['slave-announce-ip'] }),
  'replica-announce-port': option('replica-announce-port', integer({ min: 0, max: 65535 }), 0, {
    aliases: ['slave-announce-port'],
  }),
  'min-replicas-to-write': option('min-replicas-to-write', integer({ min: 0, max: INT_MAX }), 0, {
    aliases: ['min-slaves-to-write'],
  }),
  'min-replicas-max-lag': option('min-replicas-max-lag', integer({ min: 0, max: INT_MAX }), 10, {
    aliases: ['min-slaves-max-lag'],
  }),
  'repl-ping-replica-period': option('repl-ping-replica-period', integer({ min: 1, max: INT_MAX }), 10, {
    aliases: ['repl-ping-slave-period'],
  }),
  'repl-timeout': option('repl-timeout', integer({ min: 1, max: INT_MAX }), 60),
  'repl-backlog-size': option('repl-backlog-size', memory({ min: 1, max: SAFE_MAX }), 1024 * 1024),
  'repl-backlog-ttl': option('repl-backlog-ttl', integer({ min: 0, max: INT_MAX }), 3600),
  'replica-refuse-empty-resync': option('replica-refuse-empty-resync', yesNo(), true),
  'promotion-handover': option('promotion-handover', yesNo(), false),
  'shutdown-timeout': option('shutdown-timeout', integer({ min: 0, max: INT_MAX }), 10),
  // aki applies the replica class to followers; the normal and pubsub limits are fixed (see connection.ts).
  'client-output-buffer-limit': option('client-output-buffer-limit', outputBufferLimits(), {
    normal: { hard: 0, soft: 0, softSeconds: 0 },
    replica: { hard: 256 * 1024 * 1024, soft: 64 * 1024 * 1024, softSeconds: 60 },
    pubsub: { hard: 32 * 1024 * 1024, soft: 8 * 1024 * 1024, softSeconds: 60 },
  }),
  // Collection encodings: aki's structures do not change with them, but OBJECT
  // ENCODING reports what Redis would have chosen under these limits.
  'hash-max-listpack-entries': option('hash-max-listpack-entries', integer({ min: 0, max: SAFE_MAX }), 512, {
    aliases: ['hash-max-ziplist-entries'],
  }),
  'hash-max-listpack-value': option('hash-max-listpack-value', integer({ min: 0, max: SAFE_MAX }), 64, {
    aliases: ['hash-max-ziplist-value'],
  }),
  'list-max-listpack-size': option('list-max-listpack-size', integer({ min: -INT_MAX - 1, max: INT_MAX }), -2, {
    aliases: ['list-max-ziplist-size'],
  }),
  'set-max-intset-entries': option('set-max-intset-entries', integer({ min: 0, max: SAFE_MAX }), 512),
  'set-max-listpack-entries': option('set-max-listpack-entries', integer({ min: 0, max: SAFE_MAX }), 128),
  'set-max-listpack-value': option('set-max-listpack-value', integer({ min: 0, max: SAFE_MAX }), 64),
  'zset-max-listpack-entries': option('zset-max-listpack-entries', integer({ min: 0, max: SAFE_MAX }), 128, {
    aliases: ['zset-max-ziplist-entries'],
  }),
  'zset-max-listpack-value': option('zset-max-listpack-value', integer({ min: 0, max: SAFE_MAX }), 64, {
    aliases: ['zset-max-ziplist-value'],
  }),
};
