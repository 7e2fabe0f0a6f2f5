import path from 'node:path';
import { aofLocation, AppendOnlyLog, type AppendOnlyLogOptions, type LoadedLog, type Manifest } from '@aki/aof-persistence';
import type { KeyspaceSnapshot } from '@aki/keyspace';
import type { EffectBatch, EffectSink } from '../effects.js';
import type { Outcome } from './control.js';
import { describeError, type PersistenceContext } from './context.js';
import { encodeKeyspace, encodeSnapshot } from './dataset-io.js';

/** How often a failed AOF is retried by writing a fresh base from memory. */
const RECOVERY_RETRY_MS = 1000;

/**
 * The AOF while the server runs: the effect sink that appends to the
 * current incr file, the reply gate's source, rewrites (BGREWRITEAOF,
 * automatic, and recovery after a write error), turning `appendonly` on and
 * off at runtime, and the INFO aof_* bookkeeping.
 *
 * Write errors: under `always` the server stops, because replies already
 * released promised durability the disk did not give. Under `everysec` and
 * `no` writes are refused with MISCONF (reads go on), and the AOF recovers by
 * writing a fresh base from memory into new files: a failed file or fsync is
 * never retried and trusted.
 */
export class AofService {
  private log: AppendOnlyLog | undefined;
  private readonly sink: EffectSink = { append: (batch: EffectBatch) => this.log?.append(batch.bytes, batch.endOffset) };
  private stopProgress: (() => void) | undefined;
  private readonly syncedListeners = new Set<() => void>();

  /** The failure that stopped the current writer (MISCONF until a recovery rewrite succeeds). */
  writeError: NodeJS.ErrnoException | undefined;
  lastRewriteOk = true;
  rewrites = 0;
  consecutiveFailures = 0;
  lastRewriteSeconds = -1;
  delayedFsyncsBefore = 0;
  /** BGREWRITEAOF while a BGSAVE held the snapshot slot: runs when it is free. */
  scheduled = false;
  private rewriteStartedAt: number | undefined;
  private lastRecoveryAttempt = 0;
  /** aof_current_size right after the last rewrite or load (auto-aof-rewrite-percentage's base). */
  private sizeAfterRewrite = 0;
  private cancelRewrite = false;
  private rewriteRunning: Promise<void> | undefined;
  /** Turned on at runtime and its first base is not written yet: retried until it is. */
  private firstBasePending = false;

  /**
   * @param manifestOnDisk reads the manifest currently on disk, for rewrites
   *   that start without an open log (the AOF turned on at runtime, or
   *   BGREWRITEAOF while it is off): their file numbers continue it and its
   *   files are replaced.
   */
  constructor(
    private readonly ctx: PersistenceContext,
    private readonly manifestOnDisk: () => Promise<Manifest | undefined>,
  ) {}

  /** True while the AOF is on and its files are open. */
  get enabled(): boolean {
    return this.log !== undefined && this.ctx.state.config.get('appendonly');
  }

  get rewriteInProgress(): boolean {
    return this.rewriteStartedAt !== undefined;
  }

  get currentRewriteSeconds(): number {
    return this.rewriteStartedAt === undefined ? -1 : Math.floor((Date.now() - this.rewriteStartedAt) / 1000);
  }

  get currentSize(): number {
    return this.log?.currentSize ?? 0;
  }

  get baseSize(): number {
    return this.log?.baseSize ?? 0;
  }

  get bufferedBytes(): number {
    return this.log?.writer?.bufferedBytes ?? 0;
  }

  get fsyncInProgress(): boolean {
    return this.log?.writer?.fsyncInProgress ?? false;
  }

  get delayedFsyncs(): number {
    return this.delayedFsyncsBefore + (this.log?.writer?.delayedFsyncs ?? 0);
  }

  /**
   * Stream offset up to which the AOF on disk is complete and fsynced. -1
   * while the first base of an AOF turned on at runtime is still being
   * written: until then nothing, not even what ran before, is in a loadable
   * AOF.
   */
  get syncedOffset(): number {
    if (this.firstBasePending) return -1;
    return this.log?.syncedOffset ?? 0;
  }

  get directory(): string {
    const config = this.ctx.state.config;
    return path.join(config.get('dir'), config.get('appenddirname'));
  }

  onSynced(listener: () => void): () => void {
    this.syncedListeners.add(listener);
    return () => this.syncedListeners.delete(listener);
  }

  /** Start-up after the AOF was loaded: keep appending to its last incr file. */
  async resume(loaded: LoadedLog): Promise<void> {
    const log = await AppendOnlyLog.resume(this.logOptions(), loaded, this.ctx.state.propagator.offset);
    this.attach(log);
    this.sizeAfterRewrite = log.currentSize;
  }

  /**
   * Start-up without AOF files (or turning the AOF on at runtime): the first
   * base is the dataset in memory, written before anything else is appended.
   * At start-up nothing runs meanwhile, so it is encoded at once; at runtime
   * it is a background rewrite.
   */
  async create(): Promise<void> {
    const ctx = this.ctx;
    const log = AppendOnlyLog.empty(this.logOptions());
    const prepared = await log.prepareRewrite({ withIncr: true, keepIncr: false });
    try {
      this.switchStream(prepared);
      this.attach(log);
      const chunks: Buffer[] = [];
      encodeKeyspace(ctx.state.keyspace, ctx.rdbHeader(true), (chunk) => chunks.push(chunk));
      await prepared.writeBase(async (write) => {
        for (const chunk of chunks) await write(chunk);
      });
      await prepared.publish();
    } catch (error) {
      await prepared.abandon();
      this.detach();
      throw error;
    }
    ctx.logger.info(`Creating AOF base and incr files in ${this.directory} on server start`);
    this.sizeAfterRewrite = log.currentSize;
  }

  /**
   * CONFIG SET appendonly yes: the sink is live from now on (INFO says
   * aof_enabled:1 at once) and a background rewrite writes the first base.
   */
  enableAtRuntime(): void {
    if (this.log !== undefined) return;
    this.log = AppendOnlyLog.empty(this.logOptions());
    this.firstBasePending = true;
    this.startRewrite('enable');
  }

  /**
   * CONFIG SET appendonly no (or shutdown): stop appending at once, cancel a
   * rewrite, then fsync and close. Replies keep waiting on the gate until
   * what they observed is fsynced.
   */
  async disable(): Promise<void> {
    const log = this.log;
    if (log === undefined) return;
    const state = this.ctx.state;
    this.log = undefined;
    this.firstBasePending = false;
    this.writeError = undefined;
    this.delayedFsyncsBefore += log.writer?.delayedFsyncs ?? 0;
    state.propagator.removeSink(this.sink);
    await this.stopRewrite();
    await log.close().catch((error) => this.ctx.logger.warn(`Error closing the AOF: ${describeError(error)}`));
    if (this.log === undefined) this.detach();
  }

  /** Runs `work` with the sink detached (DEBUG LOADAOF replays the AOF's own commands). */
  async withoutAppending<T>(work: () => Promise<T>): Promise<T> {
    const propagator = this.ctx.state.propagator;
    propagator.removeSink(this.sink);
    try {
      return await work();
    } finally {
      if (this.log !== undefined) propagator.addSink(this.sink);
    }
  }

  /** Writes and fsyncs everything appended so far; throws the writer's failure if there is one. */
  async syncAll(): Promise<void> {
    await this.log?.syncAll();
  }

  /** The -MISCONF text while a write error stands. */
  get writeRefusal(): string | null {
    if (this.writeError === undefined) return null;
    return `MISCONF Errors writing to the AOF file: ${describeError(this.writeError)}`;
  }

  /** BGREWRITEAOF. */
  backgroundRewrite(): Outcome {
    if (this.rewriteInProgress) return { error: 'ERR Background append only file rewriting already in progress' };
    if (this.ctx.snapshots.busyWith !== undefined) {
      this.scheduled = true;
      return { status: 'Background append only file rewriting scheduled' };
    }
    // After a write error the only useful rewrite is the recovery one (a fresh base, nothing old trusted).
    this.startRewrite(this.writeError === undefined ? 'command' : 'recovery');
    return { status: 'Background append only file rewriting started' };
  }

  /** A rewrite now, or scheduled after the one in progress (the cron starts it), as Redis's aof_rewrite_scheduled. */
  rewriteSoon(): Outcome {
    if (!this.rewriteInProgress) return this.backgroundRewrite();
    this.scheduled = true;
    return { status: 'Background append only file rewriting scheduled' };
  }

  /** Cron: scheduled rewrites, automatic rewrites, recovery after a write error. */
  tick(now: number): void {
    if (this.rewriteInProgress || this.ctx.snapshots.busyWith !== undefined) return;
    if (this.scheduled) {
      this.startRewrite(this.writeError === undefined ? 'command' : 'recovery');
      return;
    }
    if (this.log === undefined) return;
    if (this.firstBasePending) {
      if (now - this.lastRecoveryAttempt >= RECOVERY_RETRY_MS) {
        this.lastRecoveryAttempt = now;
        this.startRewrite('enable');
      }
      return;
    }
    if (this.writeError !== undefined) {
      if (now - this.lastRecoveryAttempt >= RECOVERY_RETRY_MS) {
        this.lastRecoveryAttempt = now;
        this.startRewrite('recovery');
      }
      return;
    }
    const config = this.ctx.state.config;
    const percentage = config.get('auto-aof-rewrite-percentage');
    const size = this.log.currentSize;
    if (percentage === 0 || size < config.get('auto-aof-rewrite-min-size')) return;
    const base = Math.max(1, this.sizeAfterRewrite);
    const growth = ((size - base) * 100) / base;
    if (growth >= percentage) {
      this.ctx.logger.info(`Starting automatic rewriting of AOF on ${Math.floor(growth)}% growth`);
      this.startRewrite('auto');
    }
  }

  setPolicy(policy: 'always' | 'everysec' | 'no'): void {
    this.log?.setPolicy(policy);
  }

  // -------------------------------------------------------------------------

  /**
   * A rewrite in the background: new incr file, then (synchronously) the
   * snapshot and the switch of the stream to the new file, then the new base
   * encoded slice by slice, then the new manifest. Without the AOF on
   * (BGREWRITEAOF with appendonly no) it writes a base-only AOF.
   */
  private startRewrite(reason: 'command' | 'auto' | 'recovery' | 'enable'): void {
    const ctx = this.ctx;
    if (!ctx.snapshots.claim('aof')) return;
    this.scheduled = false;
    this.cancelRewrite = false;
    this.rewriteStartedAt = Date.now();
    const log = this.log ?? AppendOnlyLog.empty(this.logOptions());
    const withIncr = this.log !== undefined;
    // A log that has written nothing yet continues the numbering of what is on disk.
    const fromDisk = log.writer === undefined;
    const recovering = reason === 'recovery';
    ctx.logger.info('Background append only file rewriting started');
    const run = (async () => {
      if (fromDisk) {
        const existing = await this.manifestOnDisk();
        if (existing !== undefined) log.manifest = existing;
      }
      const prepared = await log.prepareRewrite({ withIncr, keepIncr: !recovering && reason !== 'enable' });
      let snapshot: KeyspaceSnapshot | undefined;
      try {
        // Turned off (or shutting down) while the files were being prepared: switch nothing.
        if (this.cancelRewrite) throw new Error('rewrite cancelled');
        const taken = ctx.state.keyspace.beginSnapshot();
        snapshot = taken;
        if (withIncr) this.switchStream(prepared);
        if (reason === 'enable') this.attach(log);
        const header = ctx.rdbHeader(true);
        await prepared.writeBase((write) =>
          encodeSnapshot(
            taken,
            header,
            async (chunk) => {
              if (this.cancelRewrite) throw new Error('rewrite cancelled');
              await write(chunk);
            },
            ctx.pacer(),
          ),
        );
        // A write error during the rewrite makes the new incr file untrustworthy too.
        if (this.writeError !== undefined && !recovering) throw this.writeError;
        if (this.cancelRewrite) throw new Error('rewrite cancelled');
        await prepared.publish();
      } catch (error) {
        snapshot?.abort();
        await prepared.abandon();
        throw error;
      }
    })();
    this.rewriteRunning = run.then(
      () => {
        this.rewrites++;
        this.consecutiveFailures = 0;
        this.lastRewriteOk = true;
        this.sizeAfterRewrite = log.currentSize;
        if (reason === 'enable') {
          this.firstBasePending = false;
          for (const listener of this.syncedListeners) listener();
        }
        ctx.logger.info('Background AOF rewrite finished successfully');
        if (recovering && this.writeError !== undefined && log.writer?.failure === undefined) {
          this.writeError = undefined;
          ctx.logger.warn('AOF write error looks solved. Redis can write again.');
        }
      },
      (error) => {
        this.consecutiveFailures++;
        this.lastRewriteOk = false;
        ctx.logger.warn(`Background AOF rewrite failed: ${describeError(error)}`);
      },
    ).finally(() => {
      this.lastRewriteSeconds = Math.floor((Date.now() - this.rewriteStartedAt!) / 1000);
      this.rewriteStartedAt = undefined;
      this.rewriteRunning = undefined;
      ctx.snapshots.release('aof');
    });
  }

  /** Cancels a running rewrite (its temp files are removed) and resolves once it ended. */
  async stopRewrite(): Promise<void> {
    this.scheduled = false;
    if (this.rewriteRunning === undefined) return;
    this.cancelRewrite = true;
    await this.rewriteRunning;
  }

  /**
   * Points the effect stream at the new incr file at this instant. The next
   * batch starts with a SELECT, so the new file stands alone, and the bytes
   * every sink receives stay identical (replication and AOF share offsets).
   */
  private switchStream(prepared: { switchNow(offset: number): void }): void {
    const propagator = this.ctx.state.propagator;
    propagator.resetSelectedDb();
    prepared.switchNow(propagator.offset);
  }

  private attach(log: AppendOnlyLog): void {
    const state = this.ctx.state;
    this.detach();
    this.log = log;
    state.propagator.removeSink(this.sink);
    state.propagator.addSink(this.sink);
    state.replyGate.setSource(() => log.releasedOffset);
    this.stopProgress = log.onProgress(() => {
      state.replyGate.progress();
      for (const listener of this.syncedListeners) listener();
    });
  }

  /** Disconnects the sink, the reply gate and the progress listener from whatever log they serve. */
  private detach(): void {
    const state = this.ctx.state;
    state.propagator.removeSink(this.sink);
    state.replyGate.setSource(undefined);
    this.stopProgress?.();
    this.stopProgress = undefined;
  }

  private logOptions(): AppendOnlyLogOptions {
    const ctx = this.ctx;
    const config = ctx.state.config;
    return {
      fs: ctx.fs,
      location: aofLocation({
        dir: config.get('dir'),
        appenddirname: config.get('appenddirname'),
        appendfilename: config.get('appendfilename'),
      }),
      policy: config.get('appendfsync'),
      onFailure: (error) => this.onWriteFailure(error),
    };
  }

  private onWriteFailure(error: NodeJS.ErrnoException): void {
    const ctx = this.ctx;
    const text = describeError(error);
    if (ctx.state.config.get('appendfsync') === 'always') {
      ctx.logger.fatal(
        `Can't recover from AOF write error when the AOF fsync policy is 'always' (${text}). Exiting...`,
      );
      ctx.exit(1);
      return;
    }
    if (this.writeError === undefined) {
      ctx.logger.warn(`Error writing to the AOF file: ${text}. Refusing writes until a fresh AOF base is written.`);
    }
    this.writeError = error;
  }
}
