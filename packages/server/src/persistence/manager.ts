import { nodeFileSystem, type FileSystem } from '@aki/aof-persistence';
import pino, { type Logger } from 'pino';
import type { Dispatcher } from '../dispatcher.js';
import type { ServerState } from '../server-state.js';
import { AofService } from './aof-service.js';
import { persistenceInfo, type InfoField, type Outcome, type PersistenceControl } from './control.js';
import { describeError, SnapshotSlot, type PersistenceContext } from './context.js';
import { encodeSnapshot, slicePacer, type RdbHeader, type ReplicationMark } from './dataset-io.js';
import { DatasetLoading } from './loading.js';
import { RdbSnapshots } from './rdb-snapshots.js';

export interface PersistenceOptions {
  fs?: FileSystem;
  logger?: Logger;
  /** How the process ends when a failed write under `always` leaves no safe way on (default process.exit). */
  exit?: (code: number) => void;
}

const MISCONF_RDB =
  "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. " +
  'Commands that may modify the data set are disabled, because this instance is configured to report errors ' +
  'during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs ' +
  'for details about the RDB error.';

/**
 * Durability of one server: loads the dataset at start-up (AOF when
 * `appendonly yes`, else dump.rdb), keeps the AOF and RDB snapshots going
 * while it runs (a cron tick from AkiServer), and flushes everything at
 * shutdown. It is the server's PersistenceControl.
 */
export class PersistenceManager implements PersistenceControl {
  readonly aof: AofService;
  readonly rdb: RdbSnapshots;
  private readonly loading: DatasetLoading;
  private readonly ctx: PersistenceContext;

  constructor(
    private readonly state: ServerState,
    dispatcher: Dispatcher,
    options: PersistenceOptions = {},
  ) {
    const logger = (options.logger ?? pino({ level: 'silent' })).child({ component: 'persistence' });
    const exit = options.exit ?? ((code: number) => process.exit(code));
    this.ctx = {
      state,
      fs: options.fs ?? nodeFileSystem,
      logger,
      snapshots: new SnapshotSlot(),
      exit,
      rdbHeader: (aofBase) => this.rdbHeader(aofBase),
      pacer: () => slicePacer(() => state.stats.totalCommandsProcessed),
    };
    this.loading = new DatasetLoading(this.ctx, dispatcher);
    this.aof = new AofService(this.ctx, () => this.loading.manifestOnDisk());
    this.rdb = new RdbSnapshots(this.ctx);
    state.config.onChange('appendfsync', (policy) => this.aof.setPolicy(policy));
    state.config.onChange('appendonly', (on) => void this.setAppendOnly(on));
  }

  /**
   * Start-up: loads what is on disk, then opens the AOF for appending (or
   * creates its first files). While it runs `loading` is set, so clients get
   * -LOADING. Throws (after logging why) when the files cannot be loaded:
   * the server must then not start, and never starts empty instead.
   */
  async start(): Promise<void> {
    const state = this.state;
    if (!state.loading) await this.prepareLoading();
    try {
      if (state.config.get('appendonly')) {
        const loaded = await this.loading.loadAppendOnly();
        if (loaded !== undefined) {
          await this.aof.resume(loaded);
        } else {
          if (await this.loading.loadRdbIfPresent(this.rdb)) this.rdb.markLoaded();
          await this.aof.create();
        }
      } else if (await this.loading.loadRdbIfPresent(this.rdb)) {
        this.rdb.markLoaded();
      }
    } finally {
      state.loading = false;
    }
  }

  /**
   * Marks the server loading and measures what is to be loaded, before the
   * listeners open: the first client already sees `loading:1` with the
   * total bytes (ioredis waits loading_eta_seconds, computed from them).
   */
  async prepareLoading(): Promise<void> {
    this.state.loading = true;
    await this.loading.measure(this.state.config.get('appendonly'), this.rdb);
  }

  /** Periodic work (AkiServer's cron). */
  tick(now: number): void {
    this.aof.tick(now);
    this.rdb.tick(now);
  }

  /**
   * SHUTDOWN (clients must be paused already, so nothing changes meanwhile):
   * stops background saves and rewrites, fsyncs the AOF, then saves the RDB
   * when asked (`save` true) or when save points are configured (undefined).
   * When the RDB save fails the shutdown is refused (`refused` is the error
   * reply) and everything keeps running, unless `force`. An AOF that cannot
   * be fsynced is logged and the exit code becomes 1 (`durable` false), as
   * Redis only logs it. The AOF is closed only once the exit is certain.
   */
  async shutdown(save: boolean | undefined, force: boolean): Promise<{ refused: string | null; durable: boolean }> {
    const logger = this.ctx.logger;
    await this.rdb.abortBackground();
    await this.aof.stopRewrite();
    let durable = true;
    if (this.aof.enabled) {
      logger.info('Calling fsync() on the AOF file.');
      try {
        await this.aof.syncAll();
      } catch (error) {
        logger.warn(`Fail to fsync the AOF file: ${describeError(error)}.`);
        durable = false;
      }
    }
    if (save ?? this.state.config.get('save') !== '') {
      logger.info('Saving the final RDB snapshot before exiting.');
      if ((await this.rdb.save()) !== null) {
        if (!force) {
          logger.warn('Error trying to save the DB, can\'t exit.');
          return { refused: 'ERR Errors trying to SHUTDOWN. Check logs.', durable };
        }
        durable = false;
      }
    }
    await this.aof.disable();
    return { refused: null, durable };
  }

  // ---- PersistenceControl ---------------------------------------------------

  get writeRefusal(): string | null {
    const aof = this.aof.writeRefusal;
    if (aof !== null) return aof;
    const config = this.state.config;
    if (!this.rdb.lastBgsaveOk && config.get('stop-writes-on-bgsave-error') && config.get('save') !== '') {
      return MISCONF_RDB;
    }
    return null;
  }

  get lastSaveTime(): number {
    return Math.floor(this.rdb.lastSaveAt / 1000);
  }

  get aofEnabled(): boolean {
    return this.aof.enabled;
  }

  get aofSyncedOffset(): number {
    return this.aof.syncedOffset;
  }

  onAofSynced(listener: () => void): () => void {
    return this.aof.onSynced(listener);
  }

  save(): Promise<string | null> {
    return this.rdb.save();
  }

  backgroundSave(schedule: boolean): Outcome {
    return this.rdb.startBackground(schedule);
  }

  backgroundRewrite(): Outcome {
    return this.aof.backgroundRewrite();
  }

  rewriteSoon(): Outcome {
    return this.aof.rewriteSoon();
  }

  async debugReload(): Promise<string | null> {
    const state = this.state;
    state.loading = true;
    try {
      const saved = await this.rdb.save();
      if (saved !== null) return 'ERR Error trying to save the DB, the server is not reloaded';
      state.keyspace.flushAll();
      // The same dataset comes back: the stream offset stays where it is.
      if (!(await this.loading.loadRdbIfPresent(this.rdb, { adoptReplicationMark: false }))) {
        return 'ERR Error trying to load the RDB dump';
      }
      this.rdb.markLoaded();
      return null;
    } catch (error) {
      this.ctx.logger.warn(`DEBUG RELOAD failed: ${(error as Error).message}`);
      return 'ERR Error trying to load the RDB dump, check server logs.';
    } finally {
      state.loading = false;
    }
  }

  async debugLoadAof(): Promise<string | null> {
    const state = this.state;
    if (!this.aof.enabled) return null;
    state.loading = true;
    try {
      await this.aof.syncAll();
      state.keyspace.flushAll();
      // Replaying must not append the AOF to itself, nor move the stream offset.
      const loaded = await this.aof.withoutAppending(() => this.loading.loadAppendOnly({ adoptReplicationMark: false }));
      return loaded === undefined ? 'ERR Error trying to load the AOF files, check server logs.' : null;
    } catch (error) {
      this.ctx.logger.warn(`DEBUG LOADAOF failed: ${(error as Error).message}`);
      return 'ERR Error trying to load the AOF files, check server logs.';
    } finally {
      state.loading = false;
    }
  }

  snapshotForReplicas(mark: ReplicationMark & { streamDb: number }): Promise<Buffer[]> | undefined {
    const slot = this.ctx.snapshots;
    if (!slot.claim('sync')) return undefined;
    const snapshot = this.state.keyspace.beginSnapshot();
    const header: RdbHeader = { ...this.rdbHeader(false), replication: mark };
    const chunks: Buffer[] = [];
    return encodeSnapshot(
      snapshot,
      header,
      async (chunk) => {
        chunks.push(chunk);
      },
      this.ctx.pacer(),
    )
      .then(() => chunks)
      .finally(() => slot.release('sync'));
  }

  async replaceDataset(swap: () => void): Promise<void> {
    const aofWasOn = this.aof.enabled;
    if (aofWasOn) await this.aof.disable();
    try {
      swap();
    } finally {
      if (aofWasOn) this.aof.enableAtRuntime();
    }
  }

  infoFields(): InfoField[] {
    const rdb = this.rdb;
    const aof = this.aof;
    const fields = persistenceInfo({
      changesSinceSave: rdb.changesSinceSave,
      bgsaveInProgress: rdb.inProgress,
      lastSaveTime: this.lastSaveTime,
      lastBgsaveOk: rdb.lastBgsaveOk,
      lastBgsaveSeconds: rdb.lastBgsaveSeconds,
      currentBgsaveSeconds: rdb.currentBgsaveSeconds,
      saves: rdb.saves,
      keysExpiredAtLoad: this.loading.keysExpired,
      keysLoadedAtLoad: this.loading.keysLoaded,
      aofEnabled: aof.enabled,
      rewriteInProgress: aof.rewriteInProgress,
      rewriteScheduled: aof.scheduled,
      lastRewriteSeconds: aof.lastRewriteSeconds,
      currentRewriteSeconds: aof.currentRewriteSeconds,
      lastRewriteOk: aof.lastRewriteOk,
      rewrites: aof.rewrites,
      rewriteFailures: aof.consecutiveFailures,
      lastWriteOk: aof.writeError === undefined,
    });
    if (aof.enabled) {
      fields.push(
        ['aof_current_size', aof.currentSize],
        ['aof_base_size', aof.baseSize],
        ['aof_pending_rewrite', aof.scheduled ? 1 : 0],
        ['aof_buffer_length', aof.bufferedBytes],
        ['aof_pending_bio_fsync', aof.fsyncInProgress ? 1 : 0],
        ['aof_delayed_fsync', aof.delayedFsyncs],
      );
    }
    if (this.state.loading) fields.push(...this.loading.infoFields());
    return fields;
  }

  // -------------------------------------------------------------------------

  private async setAppendOnly(on: boolean): Promise<void> {
    if (on) {
      this.aof.enableAtRuntime();
    } else {
      await this.aof.disable();
    }
  }

  private rdbHeader(aofBase: boolean): RdbHeader {
    const state = this.state;
    return {
      redisVersion: state.redisVersion,
      now: state.clock(),
      usedMemory: process.memoryUsage().heapUsed,
      aofBase,
      replication: state.replication.markNow(),
    };
  }
}
