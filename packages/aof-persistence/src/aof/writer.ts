import type { FileHandle } from '../fs/file-system.js';

/** Redis's `appendfsync`: when appended bytes are forced to stable storage. */
export type FsyncPolicy = 'always' | 'everysec' | 'no';

/** How often `everysec` fsyncs, and how long before an fsync still running counts as delayed. */
const EVERYSEC_INTERVAL_MS = 1000;

export interface AofWriterOptions {
  policy: FsyncPolicy;
  /**
   * Called once when a write or fsync fails. From then on the writer accepts
   * and discards appends (it never retries a failed file: after a failed
   * fsync the kernel may have dropped the dirty pages and marked them clean,
   * so a later "successful" fsync would prove nothing). The owner decides:
   * under `always` stop the server, otherwise refuse writes (MISCONF) and
   * recover by writing a fresh base from memory into a new file.
   */
  onFailure(error: NodeJS.ErrnoException): void;
  /** Wall clock in ms (tests inject one). */
  clock?: () => number;
}

/**
 * Appends the effect stream to the current incr file with group commit.
 *
 * Offsets are effect-stream offsets (the propagator's), not file positions:
 * a batch appended with `endOffset` E is durable once `syncedOffset >= E`.
 * Three marks move forward:
 * - `appendedOffset`: handed to `append` (in memory, not yet on its way);
 * - `writtenOffset`: written to the file (the page cache: survives kill -9);
 * - `syncedOffset`: fsynced (survives power loss).
 *
 * One write (plus, under `always`, one fdatasync) is in flight at a time,
 * off the event loop (libuv's threadpool). Whatever is appended meanwhile
 * becomes the next write: one fsync covers every command that ran while the
 * previous one was in progress (group commit). `releasedOffset` is what a
 * reply that observed the stream up to some offset must wait for: the synced
 * mark under `always`, the written mark otherwise (as Redis writes before it
 * replies, so a process crash never loses an acknowledged write).
 */
export class AofWriter {
  appendedOffset: number;
  writtenOffset: number;
  syncedOffset: number;
  /** Times `everysec` found its previous fsync still running when the next was due (INFO aof_delayed_fsync). */
  delayedFsyncs = 0;
  /** Bytes in the current file (INFO aof_current_size counts the base too; the owner adds it). */
  fileSize: number;
  /** The error that stopped the writer, once one did. */
  failure: NodeJS.ErrnoException | undefined;

  private policy: FsyncPolicy;
  private readonly clock: () => number;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private writeInFlight = false;
  private syncInFlight = false;
  private drainScheduled = false;
  private lastSyncAt: number;
  private syncTimer: NodeJS.Timeout | undefined;
  private readonly listeners = new Set<() => void>();
  private idleWaiters: Array<() => void> = [];
  private closed = false;

  /**
   * @param handle the incr file, opened for appending; `fileSize` is its size now.
   * @param startOffset the stream offset at which this file's bytes begin
   *   (everything before it is in earlier, already durable files).
   */
  constructor(
    private handle: FileHandle,
    fileSize: number,
    startOffset: number,
    private readonly options: AofWriterOptions,
  ) {
    this.policy = options.policy;
    this.clock = options.clock ?? Date.now;
    this.fileSize = fileSize;
    this.appendedOffset = this.writtenOffset = this.syncedOffset = startOffset;
    this.lastSyncAt = this.clock();
    this.armSyncTimer();
  }

  /** The offset replies wait for (see the class comment). */
  get releasedOffset(): number {
    if (this.policy === 'always') return this.syncedOffset;
    // Under everysec/no a failed writer holds no one back: the owner refuses further writes (MISCONF).
    return this.failure !== undefined ? this.appendedOffset : this.writtenOffset;
  }

  /** Bytes appended but not yet written (INFO aof_buffer_length). */
  get bufferedBytes(): number {
    return this.pendingBytes;
  }

  get fsyncPolicy(): FsyncPolicy {
    return this.policy;
  }

  /** True while an fsync runs in the background (INFO aof_pending_bio_fsync). */
  get fsyncInProgress(): boolean {
    return this.syncInFlight;
  }

  setPolicy(policy: FsyncPolicy): void {
    this.policy = policy;
    this.armSyncTimer();
    // Switching to always must not leave written-but-unsynced bytes behind a released reply.
    if (policy === 'always' && this.syncedOffset < this.writtenOffset) this.scheduleDrain();
  }

  /** Queues the bytes of one effect batch ending at stream offset `endOffset`. Never blocks. */
  append(bytes: Buffer, endOffset: number): void {
    this.appendedOffset = endOffset;
    if (this.failure !== undefined || this.closed) return;
    this.pending.push(bytes);
    this.pendingBytes += bytes.length;
    this.scheduleDrain();
  }

  /** Calls `listener` whenever a mark moves (replies waiting on the gate, WAITAOF). */
  onProgress(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Writes and fsyncs everything appended so far, whatever the policy
   * (SHUTDOWN, a rewrite closing the old file, WAITAOF under `no`'s owner
   * choice). Rejects with the writer's failure if there is one.
   */
  async syncAll(): Promise<void> {
    const target = this.appendedOffset;
    for (;;) {
      if (this.failure !== undefined) throw this.failure;
      if (this.syncedOffset >= target) return;
      if (!this.writeInFlight && !this.syncInFlight) {
        if (this.pendingBytes === 0) {
          await this.runSync();
          continue;
        }
        // Sets writeInFlight before its first await; its end wakes the wait below.
        void this.drain(true);
      }
      await this.nextIdle();
    }
  }

  /** Syncs everything, stops the timer and closes the file. Appends after this are dropped. */
  async close(): Promise<void> {
    try {
      await this.syncAll();
    } finally {
      this.closed = true;
      if (this.syncTimer !== undefined) clearInterval(this.syncTimer);
      await this.handle.close().catch(() => {});
    }
  }

  /**
   * Stops at once without syncing (the owner found the file untrustworthy or
   * is replacing it after a failure); pending bytes are dropped.
   */
  async abandon(): Promise<void> {
    this.closed = true;
    this.pending = [];
    this.pendingBytes = 0;
    if (this.syncTimer !== undefined) clearInterval(this.syncTimer);
    while (this.writeInFlight || this.syncInFlight) await this.nextIdle();
    await this.handle.close().catch(() => {});
  }

  private scheduleDrain(): void {
    if (this.drainScheduled || this.writeInFlight) return;
    this.drainScheduled = true;
    // After the current event's work: every command run in this turn joins one write.
    setImmediate(() => {
      this.drainScheduled = false;
      void this.drain(false);
    });
  }

  /** One group: write everything pending, then (always, or when forced) fdatasync it. */
  private async drain(forceSync: boolean): Promise<void> {
    if (this.writeInFlight || this.failure !== undefined) return;
    const mustSync = () => forceSync || this.policy === 'always';
    if (this.pendingBytes === 0) {
      if (mustSync() && this.syncedOffset < this.writtenOffset && !this.syncInFlight) await this.runSync();
      return;
    }
    this.writeInFlight = true;
    const chunk = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingBytes);
    const endOffset = this.appendedOffset;
    this.pending = [];
    this.pendingBytes = 0;
    try {
      await this.writeFully(chunk);
      this.writtenOffset = endOffset;
      this.notify();
      if (mustSync()) {
        // A background everysec fsync may be running; ours must start after our write.
        while (this.syncInFlight) await this.nextIdle();
        await this.runSync();
      }
    } catch (error) {
      this.fail(error as NodeJS.ErrnoException);
    } finally {
      this.writeInFlight = false;
      this.wakeIdle();
    }
    if (this.failure === undefined && this.pendingBytes !== 0) void this.drain(false);
  }

  /**
   * Writes `chunk` at the end of the file. A short write (disk full) is cut
   * back so the file never ends in a torn command, and reported as ENOSPC.
   */
  private async writeFully(chunk: Buffer): Promise<void> {
    const before = this.fileSize;
    let written: number;
    try {
      written = await this.handle.write(chunk);
    } catch (error) {
      await this.cutBack(before);
      throw error;
    }
    if (written < chunk.length) {
      await this.cutBack(before);
      throw Object.assign(new Error('No space left on device'), { code: 'ENOSPC' });
    }
    this.fileSize = before + written;
  }

  private async cutBack(size: number): Promise<void> {
    // If even this fails the next load may see a torn tail, which the loader handles (aof-load-truncated).
    await this.handle.truncate(size).catch(() => {});
  }

  private async runSync(): Promise<void> {
    if (this.failure !== undefined) return;
    this.syncInFlight = true;
    const covered = this.writtenOffset;
    try {
      await this.handle.sync();
      this.lastSyncAt = this.clock();
      if (covered > this.syncedOffset) this.syncedOffset = covered;
      this.notify();
    } catch (error) {
      this.fail(error as NodeJS.ErrnoException);
    } finally {
      this.syncInFlight = false;
      this.wakeIdle();
    }
  }

  /** everysec: a timer fsyncs in the background once a second when there is something to sync. */
  private armSyncTimer(): void {
    if (this.syncTimer !== undefined) clearInterval(this.syncTimer);
    this.syncTimer = undefined;
    if (this.policy !== 'everysec' || this.closed) return;
    this.syncTimer = setInterval(() => this.everysecTick(), EVERYSEC_INTERVAL_MS / 4);
    this.syncTimer.unref();
  }

  private everysecTick(): void {
    if (this.failure !== undefined || this.syncedOffset >= this.writtenOffset) return;
    if (this.clock() - this.lastSyncAt < EVERYSEC_INTERVAL_MS) return;
    if (this.syncInFlight) {
      this.delayedFsyncs++;
      return;
    }
    void this.runSync();
  }

  private fail(error: NodeJS.ErrnoException): void {
    if (this.failure !== undefined) return;
    this.failure = error;
    this.pending = [];
    this.pendingBytes = 0;
    this.notify();
    this.options.onFailure(error);
  }

  private notify(): void {
    for (const listener of this.listeners) listener();
  }

  private nextIdle(): Promise<void> {
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private wakeIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const wake of waiters) wake();
  }
}
