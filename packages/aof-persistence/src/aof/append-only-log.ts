import { noSpace } from '../fs/durable-file.js';
import type { FileHandle, FileSystem } from '../fs/file-system.js';
import { aofFilePath, ensureAppendDir, persistManifest, type AofLocation } from './layout.js';
import { baseFileName, incrFileName, type Manifest } from './manifest.js';
import { AofWriter, type FsyncPolicy } from './writer.js';

export interface AppendOnlyLogOptions {
  fs: FileSystem;
  /** Where the files live (`aofLocation({ dir, appenddirname, appendfilename })`). */
  location: AofLocation;
  policy: FsyncPolicy;
  /** A write or fsync failed (see AofWriterOptions.onFailure). */
  onFailure(error: NodeJS.ErrnoException): void;
  clock?: () => number;
}

/** Where the log stands after loading: the manifest in force and the sizes of its files. */
export interface LoadedLog {
  manifest: Manifest;
  baseSize: number;
  /** Size of every incr file of the manifest, by name. */
  incrSizes: ReadonlyMap<string, number>;
}

/**
 * The multi-part AOF of one server (Redis 7's layout): a base file, incr
 * files, and the manifest naming them. It owns which file receives the
 * effect stream and how the set of files changes:
 *
 * - `resume` continues appending to the last incr file of a loaded manifest;
 * - a rewrite (`prepareRewrite`) replaces the base and starts a new incr file
 *   at one point of the stream, in steps that keep a complete manifest on
 *   disk at every moment: a crash anywhere loads either the old files or the
 *   new ones, never a mix that lost acknowledged writes.
 *
 * Every file that is renamed into place is fsynced first, and so is the
 * directory after the rename (a rename is durable only then).
 */
export class AppendOnlyLog {
  /** The writer of the current incr file (undefined for a base-only log). */
  writer: AofWriter | undefined;
  /** A writer being closed after a switch: its bytes precede the current writer's. */
  private retiring: AofWriter | undefined;
  private readonly progressListeners = new Set<() => void>();
  private rewriting = false;
  /** Sequence number of the file `writer` appends to (it may not be listed yet: a recovery rewrite in progress). */
  private writerSeq = 0;

  private constructor(
    private readonly options: AppendOnlyLogOptions,
    /** The manifest on disk (what a restart would load). */
    public manifest: Manifest,
    /** Bytes in the base file. */
    public baseSize: number,
    /** Bytes in the incr files before the current one (still listed in the manifest). */
    private earlierIncrBytes: number,
  ) {}

  /** An empty log: no files yet; the first rewrite creates them. */
  static empty(options: AppendOnlyLogOptions): AppendOnlyLog {
    return new AppendOnlyLog(options, { base: undefined, incr: [], history: [] }, 0, 0);
  }

  /**
   * Continues the log that was just loaded, appending to the last incr file
   * of its manifest (a new one is started when the manifest lists none).
   * `streamOffset` is the effect-stream offset at which new appends begin.
   */
  static async resume(options: AppendOnlyLogOptions, loaded: LoadedLog, streamOffset: number): Promise<AppendOnlyLog> {
    const { manifest } = loaded;
    const last = manifest.incr.at(-1);
    let earlier = 0;
    for (const [name, size] of loaded.incrSizes) if (name !== last?.name) earlier += size;
    const log = new AppendOnlyLog(options, manifest, loaded.baseSize, earlier);
    if (last === undefined) {
      const seq = 1;
      const name = incrFileName(options.location.appendfilename, seq);
      const handle = await log.openIncr(name);
      log.manifest = { ...manifest, incr: [{ name, seq }] };
      await log.persistManifest(log.manifest);
      log.installWriter(handle, 0, streamOffset, seq);
    } else {
      const handle = await options.fs.open(log.pathOf(last.name), 'append');
      log.installWriter(handle, await handle.size(), streamOffset, last.seq);
    }
    return log;
  }

  /** The directory of the files. */
  get directory(): string {
    return this.options.location.appendDir;
  }

  /** True while a rewrite prepared by `prepareRewrite` has not been published or abandoned. */
  get rewriteInProgress(): boolean {
    return this.rewriting;
  }

  /** Base plus incr bytes (INFO aof_current_size). */
  get currentSize(): number {
    return this.baseSize + this.earlierIncrBytes + (this.writer?.fileSize ?? 0);
  }

  /** The stream offset replies wait for (see AofWriter.releasedOffset). */
  get releasedOffset(): number {
    const current = this.writer?.releasedOffset ?? Number.POSITIVE_INFINITY;
    return this.retiring === undefined ? current : Math.min(this.retiring.releasedOffset, current);
  }

  /** The stream offset up to which every byte is fsynced. */
  get syncedOffset(): number {
    const current = this.writer?.syncedOffset ?? 0;
    return this.retiring === undefined ? current : Math.min(this.retiring.syncedOffset, current);
  }

  /** Calls `listener` when released or synced offsets may have moved. */
  onProgress(listener: () => void): () => void {
    this.progressListeners.add(listener);
    return () => this.progressListeners.delete(listener);
  }

  /** Queues one effect batch for the current incr file. */
  append(bytes: Buffer, endOffset: number): void {
    this.writer?.append(bytes, endOffset);
  }

  setPolicy(policy: FsyncPolicy): void {
    this.options.policy = policy;
    this.writer?.setPolicy(policy);
  }

  /** Writes and fsyncs everything appended (SHUTDOWN, DEBUG LOADAOF). */
  async syncAll(): Promise<void> {
    await this.retiring?.syncAll();
    await this.writer?.syncAll();
  }

  /** Syncs and closes the files; the log takes no appends afterwards. */
  async close(): Promise<void> {
    const writers = [this.retiring, this.writer];
    this.retiring = this.writer = undefined;
    for (const writer of writers) await writer?.close();
  }

  /**
   * Starts a rewrite. Opens the next incr file and, when `keepIncr` (a
   * normal rewrite: acknowledged writes go to the new incr file before the
   * new base exists), publishes a manifest that lists it after the current
   * files, so a crash before the rewrite completes still loads everything.
   * A recovery rewrite after a write failure passes keepIncr false: the old
   * files may have lost bytes, so nothing new is listed until the fresh base
   * from memory is complete. `withIncr` false makes a base-only log
   * (BGREWRITEAOF while appendonly is off).
   */
  async prepareRewrite(options: { withIncr: boolean; keepIncr: boolean }): Promise<PreparedRewrite> {
    if (this.rewriting) throw new Error('an AOF rewrite is already in progress');
    this.rewriting = true;
    try {
      await ensureAppendDir(this.options.fs, this.options.location);
      let incr: { name: string; seq: number; handle: FileHandle } | undefined;
      if (options.withIncr) {
        const listed = [...this.manifest.incr, ...this.manifest.history].map((f) => f.seq);
        const seq = Math.max(this.writerSeq, ...listed) + 1;
        const name = incrFileName(this.fileName, seq);
        incr = { name, seq, handle: await this.openIncr(name) };
        if (options.keepIncr) {
          const interim: Manifest = { ...this.manifest, incr: [...this.manifest.incr, { name, seq }] };
          try {
            await this.persistManifest(interim);
          } catch (error) {
            await incr.handle.close().catch(() => {});
            await this.options.fs.unlink(this.pathOf(name)).catch(() => {});
            throw error;
          }
          this.manifest = interim;
        }
      }
      return new PreparedRewrite(this, incr);
    } catch (error) {
      this.rewriting = false;
      throw error;
    }
  }

  // ---- used by PreparedRewrite -------------------------------------------

  /** @internal Makes `handle` (incr file number `seq`) the current incr file from stream offset `offset` on. */
  switchTo(handle: FileHandle, offset: number, seq: number): void {
    const previous = this.writer;
    if (previous !== undefined) {
      this.earlierIncrBytes += previous.fileSize;
      if (previous.failure !== undefined) {
        void previous.abandon();
      } else {
        this.retiring = previous;
        void previous
          .close()
          .catch(() => {})
          .finally(() => {
            if (this.retiring === previous) this.retiring = undefined;
            this.notify();
          });
      }
    }
    this.installWriter(handle, 0, offset, seq);
  }

  /** @internal The rewrite finished: `manifest` (new base + current incr) is now the one on disk. */
  completed(manifest: Manifest, baseSize: number, obsolete: string[]): void {
    this.manifest = manifest;
    this.baseSize = baseSize;
    this.earlierIncrBytes = 0;
    this.rewriting = false;
    for (const name of obsolete) void this.options.fs.unlink(this.pathOf(name)).catch(() => {});
  }

  /** @internal */
  finishedWithoutPublishing(): void {
    this.rewriting = false;
  }

  /** @internal Writes `manifest` durably: temp file, fsync, rename, directory fsync. */
  async persistManifest(manifest: Manifest): Promise<void> {
    await persistManifest(this.options.fs, this.options.location, manifest);
  }

  /** @internal */
  pathOf(name: string): string {
    return aofFilePath(this.options.location, name);
  }

  /** @internal */
  get fs(): FileSystem {
    return this.options.fs;
  }

  /** @internal */
  get fileName(): string {
    return this.options.location.appendfilename;
  }

  /** A new incr file starts empty, even if a stale file of that name was left behind. */
  private async openIncr(name: string): Promise<FileHandle> {
    return this.options.fs.open(this.pathOf(name), 'truncate');
  }

  private installWriter(handle: FileHandle, size: number, offset: number, seq: number): void {
    this.writerSeq = seq;
    const writer = new AofWriter(handle, size, offset, {
      policy: this.options.policy,
      onFailure: (error) => this.options.onFailure(error),
      ...(this.options.clock === undefined ? {} : { clock: this.options.clock }),
    });
    writer.onProgress(() => this.notify());
    this.writer = writer;
    this.notify();
  }

  private notify(): void {
    for (const listener of this.progressListeners) listener();
  }
}

/**
 * A rewrite between `prepareRewrite` and `publish`/`abandon`. The owner
 * calls `switchNow` at the instant its point-in-time snapshot begins (same
 * event-loop turn, nothing in between), writes the snapshot with
 * `writeBase`, then `publish`es.
 */
export class PreparedRewrite {
  private baseTemp: string | undefined;
  private baseBytes = 0;
  private switched = false;

  constructor(
    private readonly log: AppendOnlyLog,
    private readonly incr: { name: string; seq: number; handle: FileHandle } | undefined,
  ) {}

  /** From this call on, appends go to the new incr file; `offset` is the stream offset now. */
  switchNow(offset: number): void {
    if (this.incr === undefined || this.switched) return;
    this.switched = true;
    this.log.switchTo(this.incr.handle, offset, this.incr.seq);
  }

  /**
   * Writes the new base into a temp file: `produce` calls `write` for each
   * chunk of the RDB in order, awaiting each (so memory stays bounded).
   */
  async writeBase(produce: (write: (chunk: Buffer) => Promise<void>) => Promise<void>): Promise<void> {
    const fs = this.log.fs;
    this.baseTemp = this.log.pathOf(`temp-rewriteaof-bg-${process.pid}.aof`);
    const handle = await fs.open(this.baseTemp, 'truncate');
    try {
      await produce(async (chunk) => {
        const written = await handle.write(chunk);
        if (written !== chunk.length) throw noSpace();
        this.baseBytes += written;
      });
      await handle.sync();
    } finally {
      await handle.close().catch(() => {});
    }
  }

  /**
   * Moves the new base into place and publishes the manifest of new base +
   * new incr file; the old files become obsolete and are deleted.
   */
  async publish(): Promise<void> {
    const log = this.log;
    const old = log.manifest;
    const baseSeq = Math.max(0, old.base?.seq ?? 0, ...old.history.map((f) => f.seq ?? 0)) + 1;
    const baseName = baseFileName(log.fileName, baseSeq, 'rdb');
    if (this.baseTemp === undefined) throw new Error('publish before writeBase');
    await log.fs.rename(this.baseTemp, log.pathOf(baseName));
    this.baseTemp = undefined;
    const manifest: Manifest = {
      base: { name: baseName, seq: baseSeq, kind: 'rdb' },
      incr: this.incr === undefined ? [] : [{ name: this.incr.name, seq: this.incr.seq }],
      history: [],
    };
    try {
      await log.persistManifest(manifest);
    } catch (error) {
      // The old manifest stays in force; the renamed base is unreferenced.
      await log.fs.unlink(log.pathOf(baseName)).catch(() => {});
      throw error;
    }
    const obsolete = [
      ...(old.base === undefined ? [] : [old.base.name]),
      ...old.incr.filter((f) => f.name !== this.incr?.name).map((f) => f.name),
      ...old.history.map((f) => f.name),
    ];
    log.completed(manifest, this.baseBytes, obsolete);
  }

  /**
   * Gives up: removes the temp base. The manifest on disk stays valid (the
   * old files, plus the new incr file when it was listed), and appends keep
   * going to the new incr file if `switchNow` ran.
   */
  async abandon(): Promise<void> {
    if (this.baseTemp !== undefined) await this.log.fs.unlink(this.baseTemp).catch(() => {});
    this.baseTemp = undefined;
    if (this.incr !== undefined && !this.switched) {
      await this.incr.handle.close().catch(() => {});
      const listed = this.log.manifest.incr.some((f) => f.name === this.incr!.name);
      if (!listed) await this.log.fs.unlink(this.log.pathOf(this.incr.name)).catch(() => {});
    }
    this.log.finishedWithoutPublishing();
  }
}
