import type { ReplicationMark } from './dataset-io.js';

/** One INFO line: field name and value. */
export type InfoField = readonly [name: string, value: string | number];

/** A command's outcome: a status reply text, or an error reply text (starting with its code word). */
export type Outcome = { readonly status: string } | { readonly error: string };

/**
 * What commands, INFO and the dispatcher need from persistence (the AOF and
 * RDB snapshots). `PersistenceManager` implements it; a server core that was
 * never started with files (unit tests) keeps the inert `NO_PERSISTENCE`.
 */
export interface PersistenceControl {
  /** The -MISCONF error text while writes must be refused (a disk error), else null. */
  readonly writeRefusal: string | null;
  /** Unix seconds of the last successful RDB save (LASTSAVE). */
  readonly lastSaveTime: number;
  /** True while the AOF is on and open (WAITAOF numlocal needs it). */
  readonly aofEnabled: boolean;
  /** Effect-stream offset up to which the local AOF is fsynced. */
  readonly aofSyncedOffset: number;
  /** Calls `listener` whenever `aofSyncedOffset` may have moved; returns the unsubscribe function. */
  onAofSynced(listener: () => void): () => void;
  /** SAVE: writes the RDB file from memory; resolves with null or an error text. */
  save(): Promise<string | null>;
  /** BGSAVE [SCHEDULE]. */
  backgroundSave(schedule: boolean): Outcome;
  /** BGREWRITEAOF. */
  backgroundRewrite(): Outcome;
  /** A rewrite now, or right after the one in progress (whose base was begun before the reason arose). */
  rewriteSoon(): Outcome;
  /** DEBUG RELOAD: save the RDB, empty the keyspace and load it again. */
  debugReload(): Promise<string | null>;
  /** DEBUG LOADAOF: fsync the AOF, empty the keyspace and load the AOF again. */
  debugLoadAof(): Promise<string | null>;
  /** The persistence fields of INFO, after `loading`. */
  infoFields(): InfoField[];
  /**
   * The RDB payload of a full sync for followers, from a point-in-time
   * snapshot taken now (recording `mark` as repl-id, repl-offset and
   * repl-stream-db); undefined while another snapshot holds the slot.
   */
  snapshotForReplicas(mark: ReplicationMark & { streamDb: number }): Promise<Buffer[]> | undefined;
  /**
   * A follower replaces its whole dataset (full sync): `swap` runs with the
   * AOF closed, and the AOF is rebuilt from the new data afterwards (as Redis
   * restarts its AOF after a sync), so the files never mix two histories.
   */
  replaceDataset(swap: () => void): Promise<void>;
}

/** The state INFO persistence reports (the fields every server shows, AOF on or off). */
export interface PersistenceStatus {
  changesSinceSave: number;
  bgsaveInProgress: boolean;
  lastSaveTime: number;
  lastBgsaveOk: boolean;
  lastBgsaveSeconds: number;
  currentBgsaveSeconds: number;
  saves: number;
  keysExpiredAtLoad: number;
  keysLoadedAtLoad: number;
  aofEnabled: boolean;
  rewriteInProgress: boolean;
  rewriteScheduled: boolean;
  lastRewriteSeconds: number;
  currentRewriteSeconds: number;
  lastRewriteOk: boolean;
  rewrites: number;
  rewriteFailures: number;
  lastWriteOk: boolean;
}

/** INFO persistence after `loading`, in Redis 7's order (aki never forks: the copy-on-write fields stay 0). */
export function persistenceInfo(status: PersistenceStatus): InfoField[] {
  const flag = (on: boolean): number => (on ? 1 : 0);
  const ok = (good: boolean): string => (good ? 'ok' : 'err');
  return [
    ['async_loading', 0],
    ['current_cow_peak', 0],
    ['current_cow_size', 0],
    ['current_cow_size_age', 0],
    ['current_fork_perc', '0.00'],
    ['current_save_keys_processed', 0],
    ['current_save_keys_total', 0],
    ['rdb_changes_since_last_save', status.changesSinceSave],
    ['rdb_bgsave_in_progress', flag(status.bgsaveInProgress)],
    ['rdb_last_save_time', status.lastSaveTime],
    ['rdb_last_bgsave_status', ok(status.lastBgsaveOk)],
    ['rdb_last_bgsave_time_sec', status.lastBgsaveSeconds],
    ['rdb_current_bgsave_time_sec', status.currentBgsaveSeconds],
    ['rdb_saves', status.saves],
    ['rdb_last_cow_size', 0],
    ['rdb_last_load_keys_expired', status.keysExpiredAtLoad],
    ['rdb_last_load_keys_loaded', status.keysLoadedAtLoad],
    ['aof_enabled', flag(status.aofEnabled)],
    ['aof_rewrite_in_progress', flag(status.rewriteInProgress)],
    ['aof_rewrite_scheduled', flag(status.rewriteScheduled)],
    ['aof_last_rewrite_time_sec', status.lastRewriteSeconds],
    ['aof_current_rewrite_time_sec', status.currentRewriteSeconds],
    ['aof_last_bgrewrite_status', ok(status.lastRewriteOk)],
    ['aof_rewrites', status.rewrites],
    ['aof_rewrites_consecutive_failures', status.rewriteFailures],
    ['aof_last_write_status', ok(status.lastWriteOk)],
    ['aof_last_cow_size', 0],
    ['module_fork_in_progress', 0],
    ['module_fork_last_cow_size', 0],
  ];
}

const NOT_STARTED = 'ERR persistence is not available in this server';

/** The PersistenceControl of a core that has no files (in-process tests). */
export const NO_PERSISTENCE: PersistenceControl = {
  writeRefusal: null,
  lastSaveTime: 0,
  aofEnabled: false,
  aofSyncedOffset: 0,
  onAofSynced: () => () => {},
  save: async () => NOT_STARTED,
  backgroundSave: () => ({ error: NOT_STARTED }),
  backgroundRewrite: () => ({ error: NOT_STARTED }),
  rewriteSoon: () => ({ error: NOT_STARTED }),
  debugReload: async () => NOT_STARTED,
  debugLoadAof: async () => NOT_STARTED,
  snapshotForReplicas: (mark) => {
    void mark;
    return undefined;
  },
  replaceDataset: async (swap) => swap(),
  infoFields: () =>
    persistenceInfo({
      changesSinceSave: 0,
      bgsaveInProgress: false,
      lastSaveTime: 0,
      lastBgsaveOk: true,
      lastBgsaveSeconds: -1,
      currentBgsaveSeconds: -1,
      saves: 0,
      keysExpiredAtLoad: 0,
      keysLoadedAtLoad: 0,
      aofEnabled: false,
      rewriteInProgress: false,
      rewriteScheduled: false,
      lastRewriteSeconds: -1,
      currentRewriteSeconds: -1,
      lastRewriteOk: true,
      rewrites: 0,
      rewriteFailures: 0,
      lastWriteOk: true,
    }),
};
