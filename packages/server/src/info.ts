import os from 'node:os';
import { replicationInfo } from './replication/info.js';
import type { ServerState } from './server-state.js';

/**
 * INFO: Redis's sections of `key:value` lines, each line ending in CRLF, each
 * section under a `# Name` header and separated by a blank line. Exporters,
 * clients (ioredis's ready check reads `loading`) and BullMQ parse these, so
 * the field names and value formats follow Redis 7 exactly, including the
 * historical master/slave spellings.
 */

type Fields = Array<readonly [string, string | number]>;
type SectionBuilder = (state: ServerState) => Fields;

const SECTIONS: Record<string, SectionBuilder> = {
  server: serverSection,
  clients: clientsSection,
  memory: memorySection,
  persistence: persistenceSection,
  stats: statsSection,
  replication: replicationSection,
  cpu: cpuSection,
  modules: () => [],
  errorstats: errorStatsSection,
  cluster: () => [['cluster_enabled', 0]],
  keyspace: keyspaceSection,
  commandstats: commandStatsSection,
};

const HEADERS: Record<string, string> = {
  server: 'Server',
  clients: 'Clients',
  memory: 'Memory',
  persistence: 'Persistence',
  stats: 'Stats',
  replication: 'Replication',
  cpu: 'CPU',
  modules: 'Modules',
  errorstats: 'Errorstats',
  cluster: 'Cluster',
  keyspace: 'Keyspace',
  commandstats: 'Commandstats',
};

/** Every section in the order Redis prints them. */
const ORDERED_SECTIONS = [
  'server',
  'clients',
  'memory',
  'persistence',
  'stats',
  'replication',
  'cpu',
  'modules',
  'commandstats',
  'errorstats',
  'cluster',
  'keyspace',
];
const DEFAULT_SECTIONS = ORDERED_SECTIONS.filter((s) => s !== 'commandstats');
/** aki has no module sections, so "all" and "everything" are the same. */
const ALL_SECTIONS = ORDERED_SECTIONS;

/**
 * Renders INFO for the requested section names (any case). No names, or
 * "default", gives the default sections; "all" and "everything" add
 * commandstats. Unknown names are ignored, as in Redis.
 */
export function renderInfo(state: ServerState, requested: readonly string[]): string {
  const wanted = new Set<string>();
  if (requested.length === 0) for (const s of DEFAULT_SECTIONS) wanted.add(s);
  for (const name of requested) {
    const lower = name.toLowerCase();
    if (lower === 'default') for (const s of DEFAULT_SECTIONS) wanted.add(s);
    else if (lower === 'all' || lower === 'everything') for (const s of ALL_SECTIONS) wanted.add(s);
    else if (lower in SECTIONS) wanted.add(lower);
  }
  const parts: string[] = [];
  for (const section of ORDERED_SECTIONS) {
    if (!wanted.has(section)) continue;
    let text = `# ${HEADERS[section]}\r\n`;
    for (const [key, value] of SECTIONS[section]!(state)) text += `${key}:${value}\r\n`;
    parts.push(text);
  }
  return parts.join('\r\n');
}

function serverSection(state: ServerState): Fields {
  const now = state.clock();
  const uptime = Math.floor((now - state.startedAt) / 1000);
  const hz = state.config.get('hz');
  return [
    ['redis_version', state.redisVersion],
    ['redis_git_sha1', '00000000'],
    ['redis_git_dirty', 0],
    ['redis_build_id', state.runId.slice(0, 16)],
    ['redis_mode', 'standalone'],
    ['os', `${os.type()} ${os.release()} ${os.arch()}`],
    ['arch_bits', process.arch.includes('64') ? 64 : 32],
    ['monotonic_clock', 'POSIX clock_gettime'],
    ['multiplexing_api', 'epoll'],
    ['atomicvar_api', 'c11-builtin'],
    ['gcc_version', '0.0.0'],
    ['process_id', process.pid],
    ['process_supervised', 'no'],
    ['run_id', state.runId],
    ['tcp_port', state.tcpPort],
    ['server_time_usec', now * 1000],
    ['uptime_in_seconds', uptime],
    ['uptime_in_days', Math.floor(uptime / 86400)],
    ['hz', hz],
    ['configured_hz', hz],
    ['lru_clock', Math.floor(now / 1000) & 0xffffff],
    ['executable', process.argv[1] ?? ''],
    ['config_file', state.configFile],
    ['io_threads_active', 0],
    ['aki_version', state.version],
    ['node_version', process.versions.node],
  ];
}

function clientsSection(state: ServerState): Fields {
  return [
    ['connected_clients', state.clients.size],
    ['cluster_connections', 0],
    ['maxclients', state.config.get('maxclients')],
    ['client_recent_max_input_buffer', state.stats.recentMaxInputBuffer],
    ['client_recent_max_output_buffer', state.stats.recentMaxOutputBuffer],
    ['blocked_clients', state.blocking.clientCount + state.replication.waitingClients],
    ['tracking_clients', 0],
    ['clients_in_timeout_table', 0],
    ['total_blocking_keys', state.blocking.keyCount],
    ['total_blocking_keys_on_nokey', 0],
  ];
}

function memorySection(state: ServerState): Fields {
  const usage = process.memoryUsage();
  // `external` already includes `arrayBuffers` (the string store's arenas live there).
  const used = usage.heapUsed + usage.external;
  const peak = Math.max(used, state.stats.peakMemory);
  state.stats.peakMemory = peak;
  const maxmemory = state.config.get('maxmemory');
  const total = os.totalmem();
  return [
    ['used_memory', used],
    ['used_memory_human', humanBytes(used)],
    ['used_memory_rss', usage.rss],
    ['used_memory_rss_human', humanBytes(usage.rss)],
    ['used_memory_peak', peak],
    ['used_memory_peak_human', humanBytes(peak)],
    ['used_memory_peak_perc', `${((used / peak) * 100).toFixed(2)}%`],
    ['used_memory_overhead', usage.heapTotal - usage.heapUsed],
    ['used_memory_dataset', usage.heapUsed],
    ['total_system_memory', total],
    ['total_system_memory_human', humanBytes(total)],
    ['used_memory_lua', 0],
    ['maxmemory', maxmemory],
    ['maxmemory_human', humanBytes(maxmemory)],
    ['maxmemory_policy', state.config.get('maxmemory-policy')],
    ['mem_fragmentation_ratio', (usage.rss / Math.max(1, used)).toFixed(2)],
    ['mem_allocator', 'v8'],
    ['lazyfree_pending_objects', 0],
  ];
}

function persistenceSection(state: ServerState): Fields {
  return [['loading', state.loading ? 1 : 0], ...state.persistence.infoFields()];
}

function statsSection(state: ServerState): Fields {
  const stats = state.stats;
  return [
    ['total_connections_received', stats.totalConnectionsReceived],
    ['total_commands_processed', stats.totalCommandsProcessed],
    ['instantaneous_ops_per_sec', Math.round(stats.opsPerSecond.perSecond)],
    ['total_net_input_bytes', stats.netInputBytes],
    ['total_net_output_bytes', stats.netOutputBytes],
    ['total_net_repl_input_bytes', 0],
    ['total_net_repl_output_bytes', 0],
    ['instantaneous_input_kbps', (stats.inputBytesPerSecond.perSecond / 1024).toFixed(2)],
    ['instantaneous_output_kbps', (stats.outputBytesPerSecond.perSecond / 1024).toFixed(2)],
    ['instantaneous_input_repl_kbps', '0.00'],
    ['instantaneous_output_repl_kbps', '0.00'],
    ['rejected_connections', stats.rejectedConnections],
    ['sync_full', state.replication.leader.stats.syncFull],
    ['sync_partial_ok', state.replication.leader.stats.syncPartialOk],
    ['sync_partial_err', state.replication.leader.stats.syncPartialErr],
    ['expired_keys', stats.expiredKeys],
    ['expired_stale_perc', '0.00'],
    ['expired_time_cap_reached_count', 0],
    ['expire_cycle_cpu_milliseconds', 0],
    ['evicted_keys', 0],
    ['evicted_clients', 0],
    ['total_eviction_exceeded_time', 0],
    ['current_eviction_exceeded_time', 0],
    ['keyspace_hits', stats.keyspaceHits],
    ['keyspace_misses', stats.keyspaceMisses],
    ['pubsub_channels', state.pubsub.channelCount],
    ['pubsub_patterns', state.pubsub.patternCount],
    ['pubsubshard_channels', state.pubsub.shardChannelCount],
    ['latest_fork_usec', 0],
    ['total_forks', 0],
    ['migrate_cached_sockets', 0],
    ['slave_expires_tracked_keys', 0],
    ['active_defrag_hits', 0],
    ['active_defrag_misses', 0],
    ['active_defrag_key_hits', 0],
    ['active_defrag_key_misses', 0],
    ['total_active_defrag_time', 0],
    ['current_active_defrag_time', 0],
    ['tracking_total_keys', 0],
    ['tracking_total_items', 0],
    ['tracking_total_prefixes', 0],
    ['unexpected_error_replies', 0],
    ['total_error_replies', stats.totalErrorReplies],
    ['dump_payload_sanitizations', 0],
    ['total_reads_processed', stats.totalCommandsProcessed],
    ['total_writes_processed', stats.totalCommandsProcessed],
    ['io_threaded_reads_processed', 0],
    ['io_threaded_writes_processed', 0],
    ['reply_buffer_shrinks', 0],
    ['reply_buffer_expands', 0],
  ];
}

function replicationSection(state: ServerState): Fields {
  return replicationInfo(state);
}

function cpuSection(): Fields {
  const usage = process.cpuUsage();
  return [
    ['used_cpu_sys', (usage.system / 1e6).toFixed(6)],
    ['used_cpu_user', (usage.user / 1e6).toFixed(6)],
    ['used_cpu_sys_children', '0.000000'],
    ['used_cpu_user_children', '0.000000'],
    ['used_cpu_sys_main_thread', (usage.system / 1e6).toFixed(6)],
    ['used_cpu_user_main_thread', (usage.user / 1e6).toFixed(6)],
  ];
}

function errorStatsSection(state: ServerState): Fields {
  return [...state.stats.errors].map(([code, count]) => [`errorstat_${code}`, `count=${count}`]);
}

function keyspaceSection(state: ServerState): Fields {
  const fields: Fields = [];
  for (const db of state.keyspace.databases) {
    if (db.size === 0) continue;
    fields.push([`db${db.index}`, `keys=${db.size},expires=${db.expiringCount},avg_ttl=${db.averageTtl}`]);
  }
  return fields;
}

function commandStatsSection(state: ServerState): Fields {
  const fields: Fields = [];
  for (const [name, stats] of state.stats.commands) {
    if (stats.calls === 0 && stats.rejectedCalls === 0 && stats.failedCalls === 0) continue;
    const usec = Math.round(stats.usec);
    const perCall = stats.calls === 0 ? 0 : usec / stats.calls;
    fields.push([
      `cmdstat_${name}`,
      `calls=${stats.calls},usec=${usec},usec_per_call=${perCall.toFixed(2)},rejected_calls=${stats.rejectedCalls},failed_calls=${stats.failedCalls}`,
    ]);
  }
  return fields;
}

/** Redis's human-readable byte counts: 1.00K, 2.50M, ... */
export function humanBytes(bytes: number): string {
  const units = ['B', 'K', 'M', 'G', 'T', 'P'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes}B` : `${value.toFixed(2)}${units[unit]}`;
}
