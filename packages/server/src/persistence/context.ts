import type { FileSystem } from '@aki/aof-persistence';
import type { Logger } from 'pino';
import type { ServerState } from '../server-state.js';
import type { RdbHeader } from './dataset-io.js';

/**
 * What the persistence services share: the server state, the file system
 * (injectable, so tests can fail writes and lose un-fsynced bytes), a logger,
 * and the one snapshot slot.
 */
export interface PersistenceContext {
  readonly state: ServerState;
  readonly fs: FileSystem;
  readonly logger: Logger;
  readonly snapshots: SnapshotSlot;
  /** Ends the process (under appendfsync always a failed write cannot be taken back). */
  exit(code: number): void;
  /** Header fields of an RDB written now. */
  rdbHeader(aofBase: boolean): RdbHeader;
  /** A fresh pause function for one snapshot's slices (see slicePacer). */
  pacer(): () => Promise<void>;
}

/** Who holds the snapshot slot: a BGSAVE, an AOF rewrite, or a full sync for followers. */
export type SnapshotJob = 'rdb' | 'aof' | 'sync';

/**
 * The keyspace supports one point-in-time snapshot at a time, so BGSAVE, AOF
 * rewrites and full syncs for followers take turns (as Redis's fork children do). A job claims the
 * slot synchronously, before its first await, so two jobs can never both
 * believe they got it.
 */
export class SnapshotSlot {
  private holder: SnapshotJob | undefined;

  get busyWith(): SnapshotJob | undefined {
    return this.holder;
  }

  claim(job: SnapshotJob): boolean {
    if (this.holder !== undefined) return false;
    this.holder = job;
    return true;
  }

  release(job: SnapshotJob): void {
    if (this.holder === job) this.holder = undefined;
  }
}

/** strerror(3) texts for the errno codes disks produce, as Redis prints them in MISCONF and logs. */
const STRERROR: Record<string, string> = {
  ENOSPC: 'No space left on device',
  EIO: 'Input/output error',
  EDQUOT: 'Disk quota exceeded',
  EROFS: 'Read-only file system',
  EACCES: 'Permission denied',
  EPERM: 'Operation not permitted',
  ENOENT: 'No such file or directory',
  EBADF: 'Bad file descriptor',
  EFBIG: 'File too large',
  EMFILE: 'Too many open files',
  ENOTDIR: 'Not a directory',
  EISDIR: 'Is a directory',
};

export function describeError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code !== undefined && code in STRERROR) return STRERROR[code]!;
  return error instanceof Error ? error.message : String(error);
}
