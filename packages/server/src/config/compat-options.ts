import {
  INT_MAX,
  SAFE_MAX,
  integer,
  integerTuple,
  keyspaceEvents,
  memory,
  memoryOrPercent,
  octal,
  oneOf,
  percentileList,
  shutdownFlags,
  text,
  yesNo,
  type ValueCodec,
} from './codecs.js';
import { option, type OptionSpec, type OptionTraits } from './option.js';

/**
 * Redis 7.2 options that aki knows but does not implement (yet). Listing them
 * lets a stock redis.conf load, keeps CONFIG GET * complete for tools such as
 * redis_exporter, and keeps Redis's flags and validation so errors read the
 * same. Moving an option to native-options.ts (and ConfigValues) is all it
 * takes to implement it.
 */

const int = (min: number, max: number) => integer({ min, max });
const mem = (min = 0, max = SAFE_MAX) => memory({ min, max });
const MB = 1024 * 1024;

/** A Redis internal knob with no meaning in aki. */
function inert<T>(name: string, codec: ValueCodec<T>, defaultValue: T, traits: OptionTraits = {}): OptionSpec {
  return option(name, codec, defaultValue, { ...traits, support: 'inert' }) as OptionSpec;
}

/** A Redis feature aki does not have yet. */
function missing<T>(name: string, codec: ValueCodec<T>, defaultValue: T, traits: OptionTraits = {}): OptionSpec {
  return option(name, codec, defaultValue, { ...traits, support: 'unsupported' }) as OptionSpec;
}

const IMMUTABLE = { immutable: true } as const;

export const COMPAT_OPTIONS: readonly OptionSpec[] = [
  // --- Encodings, allocator, threads, defragmentation: meaningless in aki.
  inert('activerehashing', yesNo(), true),
  inert('activedefrag', yesNo(), false),
  inert('active-defrag-cycle-min', int(1, 99), 1),
  inert('active-defrag-cycle-max', int(1, 99), 25),
  inert('active-defrag-ignore-bytes', mem(1), 100 * MB),
  inert('active-defrag-max-scan-fields', int(1, SAFE_MAX), 1000),
  inert('active-defrag-threshold-lower', int(0, 1000), 10),
  inert('active-defrag-threshold-upper', int(0, 1000), 100),
  inert('active-expire-effort', int(1, 10), 1),
  inert('always-show-logo', yesNo(), false, IMMUTABLE),
  inert('dynamic-hz', yesNo(), true),
  inert('disable-thp', yesNo(), true, IMMUTABLE),
  inert('jemalloc-bg-thread', yesNo(), true),
  inert('io-threads', int(1, 128), 1, IMMUTABLE),
  inert('io-threads-do-reads', yesNo(), false, IMMUTABLE),
  inert('list-compress-depth', int(0, INT_MAX), 0),
  inert('hll-sparse-max-bytes', mem(), 3000),
  inert('stream-node-max-bytes', mem(), 4096),
  inert('stream-node-max-entries', int(0, SAFE_MAX), 100),
  inert('lazyfree-lazy-eviction', yesNo(), false),
  inert('lazyfree-lazy-expire', yesNo(), false),
  inert('lazyfree-lazy-server-del', yesNo(), false),
  inert('lazyfree-lazy-user-flush', yesNo(), false),
  inert('replica-lazy-flush', yesNo(), false, { aliases: ['slave-lazy-flush'] }),
  inert('oom-score-adj', oneOf('no', 'yes', 'relative', 'absolute'), 'no'),
  inert('oom-score-adj-values', integerTuple(3, { min: -2000, max: 2000 }), [0, 200, 800]),
  inert('set-proc-title', yesNo(), true, IMMUTABLE),
  inert('proc-title-template', text(), '{title} {listen-addr} {server-mode}'),
  inert('server_cpulist', text(), '', IMMUTABLE),
  inert('bio_cpulist', text(), '', IMMUTABLE),
  inert('aof_rewrite_cpulist', text(), '', IMMUTABLE),
  inert('bgsave_cpulist', text(), '', IMMUTABLE),
  inert('crash-log-enabled', yesNo(), true),
  inert('crash-memcheck-enabled', yesNo(), true),
  inert('ignore-warnings', text(), ''),
  inert('socket-mark-id', int(0, INT_MAX), 0, IMMUTABLE),
  inert('maxmemory-samples', int(1, 64), 5),
  inert('maxmemory-eviction-tenacity', int(0, 100), 10),
  inert('lfu-log-factor', int(0, INT_MAX), 10),
  inert('lfu-decay-time', int(0, INT_MAX), 1),
  inert('rdbcompression', yesNo(), true),
  inert('rdbchecksum', yesNo(), true, IMMUTABLE),
  inert('rdb-del-sync-files', yesNo(), false),
  inert('rdb-save-incremental-fsync', yesNo(), true),
  inert('aof-rewrite-incremental-fsync', yesNo(), true),

  // --- Features not implemented yet.
  missing('unixsocket', text(), '', IMMUTABLE),
  missing('unixsocketperm', octal(0o777), 0, IMMUTABLE),
  missing('bind-source-addr', text(), ''),
  missing('supervised', oneOf('upstart', 'systemd', 'auto', 'no'), 'no', IMMUTABLE),
  missing('syslog-enabled', yesNo(), false, IMMUTABLE),
  missing('syslog-ident', text(), 'redis', IMMUTABLE),
  missing(
    'syslog-facility',
    oneOf('user', 'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7'),
    'local0',
    IMMUTABLE,
  ),
  missing('enable-module-command', oneOf('no', 'yes', 'local'), 'no', IMMUTABLE),
  missing('shutdown-on-sigterm', shutdownFlags(), 'default'),
  missing('shutdown-on-sigint', shutdownFlags(), 'default'),
  missing('notify-keyspace-events', keyspaceEvents(), ''),
  missing('tracking-table-max-keys', int(0, SAFE_MAX), 1000000),
  missing('latency-tracking-info-percentiles', percentileList(), [50, 99, 99.9]),
  missing('maxmemory-clients', memoryOrPercent({ min: 0, max: SAFE_MAX }), '0'),
  missing('locale-collate', text(), ''),
  missing('sanitize-dump-payload', oneOf('no', 'yes', 'clients'), 'no'),
  missing('no-appendfsync-on-rewrite', yesNo(), false),
  missing('aof-use-rdb-preamble', yesNo(), true),
  missing('aof-timestamp-enabled', yesNo(), false),
  missing('aof-disable-auto-gc', yesNo(), false),
  // ACL
  missing('aclfile', text(), '', IMMUTABLE),
  missing('acllog-max-len', int(0, SAFE_MAX), 128),
  missing('acl-pubsub-default', oneOf('allchannels', 'resetchannels'), 'resetchannels'),
  // Replication: what aki does not implement (it always sends the snapshot from memory, `$<len>` framed).
  missing('repl-disable-tcp-nodelay', yesNo(), false),
  inert('repl-diskless-sync', yesNo(), true),
  inert('repl-diskless-sync-delay', int(0, INT_MAX), 5),
  missing('repl-diskless-sync-max-replicas', int(0, INT_MAX), 0),
  missing('repl-diskless-load', oneOf('disabled', 'on-empty-db', 'swapdb'), 'disabled'),
  missing('propagation-error-behavior', oneOf('ignore', 'panic', 'panic-on-replicas'), 'ignore'),
  // Cluster.
  missing('cluster-enabled', yesNo(), false, IMMUTABLE),
  missing('cluster-config-file', text(), 'nodes.conf', IMMUTABLE),
  missing('cluster-port', int(0, 65535), 0, IMMUTABLE),
  missing('cluster-node-timeout', int(0, SAFE_MAX), 15000),
  missing('cluster-announce-ip', text(), ''),
  missing('cluster-announce-port', int(0, 65535), 0),
  missing('cluster-announce-tls-port', int(0, 65535), 0),
  missing('cluster-announce-bus-port', int(0, 65535), 0),
  missing('cluster-announce-hostname', text(), ''),
  missing('cluster-announce-human-nodename', text(), ''),
  missing('cluster-preferred-endpoint-type', oneOf('ip', 'hostname', 'unknown-endpoint'), 'ip'),
  missing('cluster-require-full-coverage', yesNo(), true),
  missing('cluster-replica-no-failover', yesNo(), false, { aliases: ['cluster-slave-no-failover'] }),
  missing('cluster-replica-validity-factor', int(0, INT_MAX), 10, { aliases: ['cluster-slave-validity-factor'] }),
  missing('cluster-migration-barrier', int(0, INT_MAX), 1),
  missing('cluster-allow-replica-migration', yesNo(), true),
  missing('cluster-allow-reads-when-down', yesNo(), false),
  missing('cluster-allow-pubsubshard-when-down', yesNo(), true),
  missing('cluster-link-sendbuf-limit', mem(), 0),
  // TLS.
  missing('tls-port', int(0, 65535), 0),
  missing('tls-cert-file', text(), ''),
  missing('tls-key-file', text(), ''),
  missing('tls-key-file-pass', text(), '', { sensitive: true }),
  missing('tls-client-cert-file', text(), ''),
  missing('tls-client-key-file', text(), ''),
  missing('tls-client-key-file-pass', text(), '', { sensitive: true }),
  missing('tls-dh-params-file', text(), ''),
  missing('tls-ca-cert-file', text(), ''),
  missing('tls-ca-cert-dir', text(), ''),
  missing('tls-protocols', text(), ''),
  missing('tls-ciphers', text(), ''),
  missing('tls-ciphersuites', text(), ''),
  missing('tls-prefer-server-ciphers', yesNo(), false),
  missing('tls-session-caching', yesNo(), true),
  missing('tls-session-cache-size', int(0, INT_MAX), 20480),
  missing('tls-session-cache-timeout', int(0, INT_MAX), 300),
  missing('tls-cluster', yesNo(), false),
  missing('tls-replication', yesNo(), false),
  missing('tls-auth-clients', oneOf('no', 'yes', 'optional'), 'yes'),
];

/**
 * Config-file directives that are not options (no CONFIG GET/SET). aki
 * accepts them with a warning and ignores them.
 */
export const IGNORED_DIRECTIVES: ReadonlyMap<string, string> = new Map([
  ['rename-command', 'rename-command is not supported by aki; the command keeps its name'],
  ['user', 'ACL users are not supported by aki yet; use requirepass'],
  ['loadmodule', 'modules are not supported by aki; the module is not loaded'],
]);

/** Directives Redis itself ignores silently (deprecated options). */
export const DEPRECATED_DIRECTIVES: ReadonlySet<string> = new Set([
  'list-max-ziplist-entries',
  'list-max-ziplist-value',
  'lua-replicate-commands',
]);
