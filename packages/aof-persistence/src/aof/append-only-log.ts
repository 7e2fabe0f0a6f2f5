import { noSpace } from '../fs/durable-file.js';
import type { FileHandle, FileSystem } from '../fs/file-system.js';
import { aofFilePath, ensureAppendDir, ManifestNotDurableError, persistManifest, type AofLocation } from './layout.js';
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
  /**
   * Set while `writer`'s file is not yet listed in the manifest on disk: the
   * stream offset where that file begins. Nothing from there on is durable
   * in a loadable AOF yet, so `syncedOffset` stops there (and, when
   * `holdUnlisted`, `releasedOffset` too).
   */
  private unlistedFrom: number | undefined;
  private holdUnlisted = false;

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

  /**
   * The stream offset replies wait for (see AofWriter.releasedOffset). While
   * the current incr file is not yet listed in the manifest on disk (see
   * `unlistedFrom`), what was appended to it is not in a loadable AOF, so
   * replies that observed it are held under `always` (and, during the short
   * step of a normal rewrite that lists it, under every policy).
   */
  get releasedOffset(): number {
    const current = this.writer?.releasedOffset ?? Number.POSITIVE_INFINITY;
    const released = this.retiring === undefined ? current : Math.min(this.retiring.releasedOffset, current);
    return this.unlistedFrom !== undefined && this.holdUnlisted ? Math.min(released, this.unlistedFrom) : released;
  }

  /** The stream offset up to which every byte is fsynced in a file the manifest on disk lists (WAITAOF). */
  get syncedOffset(): number {
    const current = this.writer?.syncedOffset ?? 0;
    const synced = this.retiring === undefined ? current : Math.min(this.retiring.syncedOffset, current);
    return this.unlistedFrom === undefined ? synced : Math.min(synced, this.unlistedFrom);
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
   * Starts a rewrite: opens the next incr file. `keepIncr` (a normal
   * rewrite): acknowledged writes go to the new incr file before the new base
   * exists, so right after the switch (see PreparedRewrite.switchNow) a
   * manifest listing it after the current files is published. A recovery
   * rewrite after a write failure passes keepIncr false: the old files may
   * have lost bytes, so nothing new is listed until the fresh base from
   * memory is complete. `withIncr` false makes a base-only log (BGREWRITEAOF
   * while appendonly is off).
   */
  async prepareRewrite(options: { withIncr: boolean; keepIncr: boolean }): Promise<PreparedRewrite> {
    if (this.rewriting) throw new Error('an AOF rewrite is already in progress');
    this.rewriting = true;
    try {
      await ensureAppendDir(this.options.fs, this.options.location);
      let incr: NewIncrFile | undefined;
      if (options.withIncr) {
        const listed = [...this.manifest.incr, ...this.manifest.history].map((f) => f.seq);
        const seq = Math.max(this.writerSeq, ...listed) + 1;
        const name = incrFileName(this.fileName, seq);
        incr = { name, seq, handle: await this.openIncr(name) };
      }
      return new PreparedRewrite(this, incr, options.keepIncr);
    } catch (error) {
      this.rewriting = false;
      throw error;
    }
  }

  // ---- used by PreparedRewrite -------------------------------------------

  /**
   * @internal Makes `incr` the current incr file from stream offset `offset`
   * on. The previous writer is closed (its last bytes written and fsynced)
   * in the background; the promise settles when that is done. Until the
   * file is listed (`listed`), `unlistedFrom` caps the offsets.
   */
  switchTo(incr: NewIncrFile, offset: number, holdReplies: boolean): Promise<void> {
    const previous = this.writer;
    let closed: Promise<void> = Promise.resolve();
    if (previous !== undefined) {
      this.earlierIncrBytes += previous.fileSize;
      if (previous.failure !== undefined) {
        void previous.abandon();
      } else {
        this.retiring = previous;
        closed = previous.close().finally(() => {
          if (this.retiring === previous) this.retiring = undefined;
          this.notify();
        });
      }
    }
    this.unlistedFrom = offset;
    this.holdUnlisted = holdReplies || this.options.policy === 'always';
    this.installWriter(incr.handle, 0, offset, incr.seq);
    return closed;
  }

  /** @internal The current incr file is listed in the manifest on disk now: lift the caps. */
  listed(manifest: Manifest): void {
    this.manifest = manifest;
    this.unlistedFrom = undefined;
    this.holdUnlisted = false;
    this.notify();
  }

  /**
   * @internal Listing the current incr file failed: it stays unlisted (so
   * WAITAOF reports nothing new), replies are no longer held for it, and the
   * owner hears of it as a write failure (MISCONF, then a recovery rewrite).
   */
  listingFailed(error: NodeJS.ErrnoException): void {
    this.holdUnlisted = false;
    this.notify();
    this.options.onFailure(error);
  }

  /** @internal The rewrite finished: `manifest` (new base + current incr) is now the one on disk. */
  completed(manifest: Manifest, baseSize: number, obsolete: string[]): void {
    this.baseSize = baseSize;
    this.earlierIncrBytes = 0;
    this.rewriting = false;
    this.listed(manifest);
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

/** An incr file opened for a rewrite, not yet written to. */
interface NewIncrFile {
  name: string;
  seq: number;
  handle: FileHandle;
}

/**
 * A rewrite between `prepareRewrite` and `publish`/`abandon`. The owner
 * calls `switchNow` at the instant its point-in-time snapshot begins (same
 * event-loop turn, nothing in between), writes the snapshot with
 * `writeBase`, then `publish`es. At every step the manifest on disk names a
 * complete set of files:
 *
 * 1. switch: appends go to the new incr file; the old one is fsynced and
 *    closed; then (keepIncr) a manifest of old base + old incr files + new
 *    incr file is published. Until it is, offsets past the switch are not
 *    reported durable.
 * 2. the new base is written to a temp file and fsynced;
 * 3. publish: the base is renamed into place and the manifest of new base +
 *    new incr file is published; only then are the old files deleted.
 */
export class PreparedRewrite {
  private baseTemp: string | undefined;
  private baseBytes = 0;
  private switched = false;
  /** Step 1's listing of the new incr file (keepIncr), once switched. */
  private listing: Promise<void> = Promise.resolve();

  constructor(
    private readonly log: AppendOnlyLog,
    private readonly incr: NewIncrFile | undefined,
    private readonly keepIncr: boolean,
  ) {}

  /** From this call on, appends go to the new incr file; `offset` is the stream offset now. */
  switchNow(offset: number): void {
    if (this.incr === undefined || this.switched) return;
    this.switched = true;
    const log = this.log;
    const oldClosed = log.switchTo(this.incr, offset, this.keepIncr);
    if (!this.keepIncr) return;
    const interim: Manifest = { ...log.manifest, incr: [...log.manifest.incr, { name: this.incr.name, seq: this.incr.seq }] };
    // The old file is complete and fsynced before a manifest lists a file after it,
    // so a power loss can never leave a torn tail in a file that is not the last.
    const listed = (): void => log.listed(interim);
    const failed = (error: NodeJS.ErrnoException): never => {
      // A manifest that was renamed into place names the new file: keep using it.
      if (error instanceof ManifestNotDurableError) log.manifest = interim;
      log.listingFailed(error);
      throw error;
    };
    this.listing = oldClosed.then(() => log.persistManifest(interim)).then(listed, failed);
    // Observed by publish; a failure has been reported already.
    this.listing.catch(() => {});
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
    await this.listing;
    const old = log.manifest;
    const baseSeq = Math.max(0, old.base?.seq ?? 0, ...old.history.map((f) => f.seq)) + 1;
    const baseName = baseFileName(log.fileName, baseSeq, 'rdb');
    if (this.baseTemp === undefined) throw new Error('publish before writeBase');
    await log.fs.rename(this.baseTemp, log.pathOf(baseName));
    this.baseTemp = undefined;
    const manifest: Manifest = {
      base: { name: baseName, seq: baseSeq, kind: 'rdb' },
      incr: this.incr === undefined ? [] : [{ name: this.incr.name, seq: this.incr.seq }],
      history: [],
    };
    const obsolete = [
      ...(old.base === undefined ? [] : [old.base.name]),
      ...old.incr.filter((f) => f.name !== this.incr?.name).map((f) => f.name),
      ...old.history.map((f) => f.name),
    ];
    try {
      await log.persistManifest(manifest);
    } catch (error) {
      if (error instanceof ManifestNotDurableError) {
        // In place, but a power loss may bring the old manifest back: keep every file of both.
        log.completed(manifest, this.baseBytes, []);
      } else {
        // The old manifest stays in force; the renamed base is unreferenced.
        await log.fs.unlink(log.pathOf(baseName)).catch(() => {});
      }
      throw error;
    }
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
      await this.log.fs.unlink(this.log.pathOf(this.incr.name)).catch(() => {});
    }
    this.log.finishedWithoutPublishing();
  }
}
