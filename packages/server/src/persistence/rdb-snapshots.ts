import path from 'node:path';
import { writeFileDurably } from '@aki/aof-persistence';
import type { Outcome } from './control.js';
import { describeError, type PersistenceContext } from './context.js';
import { encodeKeyspace, encodeSnapshot } from './dataset-io.js';

/** After a failed background save, `save` rules wait this long before trying again (Redis: 5 s). */
const BGSAVE_RETRY_DELAY_MS = 5000;

/**
 * RDB snapshots in `dir/dbfilename`: SAVE (encode memory at once, then write),
 * BGSAVE (a point-in-time snapshot encoded in slices while clients are
 * served), the `save` rules, and the INFO rdb_* bookkeeping.
 */
export class RdbSnapshots {
  /** Unix ms of the last successful save (LASTSAVE); the start time until one happened. */
  lastSaveAt: number;
  lastBgsaveOk = true;
  lastBgsaveSeconds = -1;
  saves = 0;
  /** Change count (propagator.changes) that the last successful save covered. */
  private changesAtLastSave = 0;
  private bgsaveStartedAt: number | undefined;
  private lastAttemptAt = 0;
  /** BGSAVE SCHEDULE while an AOF rewrite held the snapshot slot. */
  scheduled = false;
  /** The running BGSAVE, and whether it was asked to stop (SHUTDOWN, as Redis kills its child). */
  private running: Promise<void> | undefined;
  private aborting = false;
  keysLoadedAtStart = 0;
  keysExpiredAtStart = 0;

  constructor(private readonly ctx: PersistenceContext) {
    this.lastSaveAt = ctx.state.startedAt;
  }

  get path(): string {
    const config = this.ctx.state.config;
    return path.join(config.get('dir'), config.get('dbfilename'));
  }

  get inProgress(): boolean {
    return this.bgsaveStartedAt !== undefined;
  }

  /** Changes since the last successful save (INFO rdb_changes_since_last_save). */
  get changesSinceSave(): number {
    return this.ctx.state.propagator.changes - this.changesAtLastSave;
  }

  /** Seconds the running BGSAVE has taken so far, or -1. */
  get currentBgsaveSeconds(): number {
    return this.bgsaveStartedAt === undefined ? -1 : Math.floor((Date.now() - this.bgsaveStartedAt) / 1000);
  }

  /** After loading dump.rdb at start-up: what it held counts as saved. */
  markLoaded(): void {
    this.changesAtLastSave = this.ctx.state.propagator.changes;
  }

  /** SAVE: the dataset as it is now, written durably. Resolves with null or an error text. */
  async save(): Promise<string | null> {
    if (this.inProgress) return 'ERR Background save already in progress';
    const state = this.ctx.state;
    const changes = state.propagator.changes;
    const chunks: Buffer[] = [];
    encodeKeyspace(state.keyspace, this.ctx.rdbHeader(false), (chunk) => chunks.push(chunk));
    try {
      await writeFileDurably(this.ctx.fs, this.path, this.tempPath('save'), async (write) => {
        for (const chunk of chunks) await write(chunk);
      });
    } catch (error) {
      this.ctx.logger.warn(`Failed saving the DB: ${describeError(error)}`);
      return 'ERR';
    }
    this.ctx.logger.info('DB saved on disk');
    this.succeeded(changes);
    return null;
  }

  /** BGSAVE [SCHEDULE]. */
  startBackground(schedule: boolean): Outcome {
    if (this.inProgress) return { error: 'ERR Background save already in progress' };
    if (!this.ctx.snapshots.claim('rdb')) {
      if (!schedule) {
        return {
          error:
            "ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.",
        };
      }
      this.scheduled = true;
      return { status: 'Background saving scheduled' };
    }
    this.scheduled = false;
    this.running = this.runBackground();
    return { status: 'Background saving started' };
  }

  /** Cron: starts a scheduled BGSAVE once the slot is free, and applies the `save` rules. */
  tick(now: number): void {
    if (this.inProgress) return;
    if (this.scheduled) {
      if (this.ctx.snapshots.busyWith === undefined) this.startBackground(true);
      return;
    }
    const rules = this.ctx.state.config.get('save');
    if (rules === '') return;
    // After a failure, wait before retrying, so a full disk is not hammered.
    if (!this.lastBgsaveOk && now - this.lastAttemptAt < BGSAVE_RETRY_DELAY_MS) return;
    const numbers = rules.split(' ').map(Number);
    const changes = this.changesSinceSave;
    for (let i = 0; i + 1 < numbers.length; i += 2) {
      const seconds = numbers[i]!;
      const minChanges = numbers[i + 1]!;
      if (changes >= minChanges && now - this.lastSaveAt >= seconds * 1000 && changes > 0) {
        if (this.ctx.snapshots.busyWith !== undefined) return;
        this.ctx.logger.info(`${changes} changes in ${seconds} seconds. Saving...`);
        this.startBackground(false);
        return;
      }
    }
  }

  private async runBackground(): Promise<void> {
    const ctx = this.ctx;
    const state = ctx.state;
    this.bgsaveStartedAt = Date.now();
    this.lastAttemptAt = state.clock();
    const changes = state.propagator.changes;
    ctx.logger.info('Background saving started');
    this.aborting = false;
    // The snapshot is taken now, when BGSAVE answered; the temp file opens after.
    const snapshot = state.keyspace.beginSnapshot();
    try {
      const header = ctx.rdbHeader(false);
      await writeFileDurably(ctx.fs, this.path, this.tempPath('bgsave'), (write) =>
        encodeSnapshot(
          snapshot,
          header,
          async (chunk) => {
            if (this.aborting) throw new Error('background save aborted');
            await write(chunk);
          },
          ctx.pacer(),
        ),
      );
      ctx.logger.info('Background saving terminated with success');
      this.succeeded(changes);
      this.lastBgsaveOk = true;
    } catch (error) {
      snapshot.abort();
      ctx.logger.warn(`Background saving error: ${describeError(error)}`);
      this.lastBgsaveOk = false;
    } finally {
      this.lastBgsaveSeconds = Math.floor((Date.now() - this.bgsaveStartedAt) / 1000);
      this.bgsaveStartedAt = undefined;
      this.running = undefined;
      ctx.snapshots.release('rdb');
    }
  }

  /** Stops a running BGSAVE (its temp file is removed) and resolves once it ended. */
  async abortBackground(): Promise<void> {
    this.scheduled = false;
    if (this.running === undefined) return;
    this.aborting = true;
    await this.running;
  }

  private succeeded(changes: number): void {
    this.changesAtLastSave = changes;
    this.lastSaveAt = this.ctx.state.clock();
    this.saves++;
  }

  private tempPath(kind: 'save' | 'bgsave'): string {
    const dir = this.ctx.state.config.get('dir');
    return path.join(dir, kind === 'save' ? `temp-${process.pid}.rdb` : `temp-bg-${process.pid}.rdb`);
  }
}
