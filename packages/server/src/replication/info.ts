import type { ReplicaPeer } from '@aki/replication';
import type { InfoField } from '../persistence/control.js';
import type { ServerState } from '../server-state.js';

/** Seconds, floored, from `since` to `now` (unix ms). */
const secondsBetween = (since: number, now: number): number => Math.max(0, Math.floor((now - since) / 1000));

/** `slaveN:` value of INFO replication for one follower. */
function replicaLine(peer: ReplicaPeer, now: number): string {
  const lag = peer.state === 'online' ? secondsBetween(peer.lastAckAt, now) : 0;
  return `ip=${peer.address},port=${peer.declaration.listeningPort},state=${peer.state},offset=${peer.ackOffset},lag=${lag}`;
}

/**
 * INFO replication, field for field and in Redis 7's order: the follower
 * block (link, offsets, transfer progress) first when this server follows a
 * leader, then its own followers, then the history and the backlog.
 */
export function replicationInfo(state: ServerState): InfoField[] {
  const replication = state.replication;
  const now = state.clock();
  const config = state.config;
  const link = replication.followerLink;
  const fields: InfoField[] = [['role', link === undefined ? 'master' : 'slave']];
  const offset = state.propagator.offset;
  if (link !== undefined) {
    const up = link.state === 'connected';
    const hasIo = link.state === 'connected' || link.state === 'sync' || link.state === 'handshake';
    const transfer = link.transfer;
    fields.push(
      ['master_host', link.host],
      ['master_port', link.port],
      ['master_link_status', up ? 'up' : 'down'],
      ['master_last_io_seconds_ago', hasIo ? secondsBetween(link.lastIoAt, now) : -1],
      ['master_sync_in_progress', transfer === undefined ? 0 : 1],
      ['slave_read_repl_offset', offset],
      ['slave_repl_offset', offset],
    );
    if (transfer !== undefined) {
      const left = transfer.total === 0 ? 0 : transfer.total - transfer.read;
      fields.push(
        ['master_sync_total_bytes', transfer.total],
        ['master_sync_read_bytes', transfer.read],
        ['master_sync_left_bytes', left],
        ['master_sync_perc', (transfer.total === 0 ? 0 : (transfer.read * 100) / transfer.total).toFixed(2)],
        ['master_sync_last_io_seconds_ago', secondsBetween(link.lastIoAt, now)],
      );
    }
    if (!up) fields.push(['master_link_down_since_seconds', link.everUp ? secondsBetween(link.downSince, now) : -1]);
    fields.push(
      ['slave_priority', config.get('replica-priority')],
      ['slave_read_only', config.get('replica-read-only') ? 1 : 0],
      ['replica_announced', config.get('replica-announced') ? 1 : 0],
    );
  }
  const leader = replication.leader;
  fields.push(['connected_slaves', leader.replicas.size]);
  const minToWrite = config.get('min-replicas-to-write');
  const maxLag = config.get('min-replicas-max-lag');
  if (link === undefined && minToWrite > 0 && maxLag > 0) {
    fields.push(['min_slaves_good_slaves', leader.countGoodReplicas(maxLag)]);
  }
  let index = 0;
  for (const peer of leader.replicas) fields.push([`slave${index++}`, replicaLine(peer, now)]);
  const history = replication.history;
  const backlog = leader.backlog;
  fields.push(
    ['master_failover_state', replication.failover.state],
    ['master_replid', history.replid],
    ['master_replid2', history.replid2],
    ['master_repl_offset', offset],
    ['second_repl_offset', history.secondReplOffset],
    ['repl_backlog_active', backlog === null ? 0 : 1],
    ['repl_backlog_size', config.get('repl-backlog-size')],
    ['repl_backlog_first_byte_offset', backlog === null ? 0 : backlog.firstByteOffset],
    ['repl_backlog_histlen', backlog === null ? 0 : backlog.histlen],
  );
  return fields;
}
