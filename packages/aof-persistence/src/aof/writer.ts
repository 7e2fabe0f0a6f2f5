import type { FileHandle } from '../fs/file-system.js';

/** Redis's `appendfsync`: when appended bytes are forced to stable storage. */
export type FsyncPolicy = 'always' | 'everysec' | 'no';

/** How often `everysec` fsyncs. */
const EVERYSEC_INTERVAL_MS = 1000;
/**
 * fdatasyncs `always` keeps in flight at once. More than one lets the next
 * group start while the kernel still commits the previous one, instead of
 * every group waiting out a whole fsync before its own begins (measured with
 * redis-benchmark SET -c 50 -P 16: 1 in flight 131k, 2: 158k, 4: 304k rps,
 * noisy). One of libuv's four threadpool threads stays free for other file
 * work (rewrite output, RDB saves).
 */
const MAX_SYNCS_IN_FLIGHT = 3;

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
 * - `appendedOffset`: handed to `append` (in memory);
 * - `writtenOffset`: written to the file (the page cache: survives kill -9);
 * - `syncedOffset`: fsynced (survives power loss).
 *
 * Appends are written once per event-loop turn, after the turn's commands
 * ran, on the event loop: write(2) into the page cache takes microseconds,
 * less than a round trip through the threadpool, and Redis does the same.
 * fdatasync is what is slow, so it runs off the event loop (libuv's
 * threadpool) while the server goes on executing: under `always` each sync
 * covers everything written before it started, so every command that ran
 * meanwhile joins the next one (group commit). `releasedOffset` is what a
 * reply that observed the stream up to some offset must wait for: the
 * synced mark under `always`, the written mark otherwise (Redis writes
 * before it replies, so a process crash never loses an acknowledged write).
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
  private writeScheduled = false;
  private syncsInFlight = 0;
  /** The written offset the latest fsync started with: what it will make durable. */
  private syncRequestedUpTo: number;
  private lastSyncAt: number;
  private syncTimer: NodeJS.Timeout | undefined;
  private readonly listeners = new Set<() => void>();
  /** Internal waits (syncAll, close) woken by the next mark movement. */
  private readonly progressWaiters: Array<() => void> = [];
  private closed = false;

  /**
   * @param handle the incr file, opened for appending; `fileSize` is its size now.
   * @param startOffset the stream offset at which this file's bytes begin
   *   (everything before it is in earlier, already durable files).
   */
  constructor(
    private readonly handle: FileHandle,
    fileSize: number,
    startOffset: number,
    private readonly options: AofWriterOptions,
  ) {
    this.policy = options.policy;
    this.clock = options.clock ?? Date.now;
    this.fileSize = fileSize;
    this.appendedOffset = this.writtenOffset = this.syncedOffset = this.syncRequestedUpTo = startOffset;
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
    return this.syncsInFlight !== 0;
  }

  setPolicy(policy: FsyncPolicy): void {
    this.policy = policy;
    this.armSyncTimer();
    // Switching to always must not leave written-but-unsynced bytes behind a released reply.
    if (policy === 'always') this.startSyncIfNeeded();
  }

  /** Queues the bytes of one effect batch ending at stream offset `endOffset`. Never blocks. */
  append(bytes: Buffer, endOffset: number): void {
    this.appendedOffset = endOffset;
    if (this.failure !== undefined || this.closed) return;
    this.pending.push(bytes);
    this.pendingBytes += bytes.length;
    if (this.writeScheduled) return;
    this.writeScheduled = true;
    // After the current event's work: every command run in this turn joins one write.
    setImmediate(() => {
      this.writeScheduled = false;
      this.writePending();
      if (this.policy === 'always') this.startSyncIfNeeded();
    });
  }

  /** Calls `listener` whenever a mark moves (replies waiting on the gate, WAITAOF). */
  onProgress(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Writes and fsyncs everything appended so far, whatever the policy
   * (SHUTDOWN, a rewrite closing the old file). Rejects with the writer's
   * failure if there is one.
   */
  async syncAll(): Promise<void> {
    this.writePending();
    const target = this.writtenOffset;
    while (this.failure === undefined && this.syncedOffset < target) {
      if (this.syncRequestedUpTo < target && this.syncsInFlight < MAX_SYNCS_IN_FLIGHT) {
        await this.sync();
      } else {
        await this.nextProgress();
      }
    }
    if (this.failure !== undefined) throw this.failure;
  }

  /** Syncs everything, stops the timer and closes the file. Appends after this are dropped. */
  async close(): Promise<void> {
    try {
      await this.syncAll();
    } finally {
      this.stop();
      await this.settled();
      await this.handle.close().catch(() => {});
    }
  }

  /**
   * Stops at once without syncing (the file is no longer trusted, after a
   * failure); pending bytes are dropped.
   */
  async abandon(): Promise<void> {
    this.stop();
    await this.settled();
    await this.handle.close().catch(() => {});
  }

  private stop(): void {
    this.closed = true;
    this.pending = [];
    this.pendingBytes = 0;
    if (this.syncTimer !== undefined) clearInterval(this.syncTimer);
    this.syncTimer = undefined;
  }

  /** Resolves once no fsync is running any more. */
  private async settled(): Promise<void> {
    while (this.syncsInFlight !== 0) await this.nextProgress();
  }

  /**
   * Writes everything pending at the end of the file, synchronously. A short
   * write (disk full) is cut back so the file never ends in a torn command,
   * and reported as ENOSPC.
   */
  private writePending(): void {
    if (this.pendingBytes === 0 || this.failure !== undefined) return;
    const chunk = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingBytes);
    const endOffset = this.appendedOffset;
    this.pending = [];
    this.pendingBytes = 0;
    const before = this.fileSize;
    let written: number;
    try {
      written = this.handle.writeSync(chunk);
    } catch (error) {
      void this.cutBack(before);
      return this.fail(error as NodeJS.ErrnoException);
    }
    if (written < chunk.length) {
      void this.cutBack(before);
      return this.fail(Object.assign(new Error('No space left on device'), { code: 'ENOSPC' }));
    }
    this.fileSize = before + written;
    this.writtenOffset = endOffset;
    this.notify();
  }

  private async cutBack(size: number): Promise<void> {
    // If even this fails the next load may see a torn tail, which the loader handles (aof-load-truncated).
    await this.handle.truncate(size).catch(() => {});
  }

  /** always: starts an fsync when written bytes are not covered by one yet and a slot is free. */
  private startSyncIfNeeded(): void {
    if (this.failure !== undefined || this.closed) return;
    if (this.writtenOffset > this.syncRequestedUpTo && this.syncsInFlight < MAX_SYNCS_IN_FLIGHT) void this.sync();
  }

  /** One fdatasync, covering every byte written before it starts. */
  private async sync(): Promise<void> {
    if (this.failure !== undefined) return;
    const covered = this.writtenOffset;
    this.syncRequestedUpTo = Math.max(this.syncRequestedUpTo, covered);
    this.syncsInFlight++;
    try {
      await this.handle.sync();
      this.lastSyncAt = this.clock();
      if (covered > this.syncedOffset) this.syncedOffset = covered;
    } catch (error) {
      this.fail(error as NodeJS.ErrnoException);
    } finally {
      this.syncsInFlight--;
    }
    this.notify();
    // Bytes written while this one ran form the next group.
    if (this.policy === 'always') this.startSyncIfNeeded();
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
    if (this.syncsInFlight !== 0) {
      this.delayedFsyncs++;
      return;
    }
    void this.sync();
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
    const waiters = this.progressWaiters.splice(0);
    for (const wake of waiters) wake();
  }

  private nextProgress(): Promise<void> {
    return new Promise((resolve) => this.progressWaiters.push(resolve));
  }
}
