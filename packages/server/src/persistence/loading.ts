import {
  detectAofLayout,
  isRdb,
  loadAof,
  RdbDecoder,
  type AofLayout,
  type LoadedLog,
  type Manifest,
  type RdbDecoderOptions,
} from '@aki/aof-persistence';
import { ClientSession, type ClientTransport } from '../client-session.js';
import type { Dispatcher } from '../dispatcher.js';
import type { InfoField } from './control.js';
import type { PersistenceContext } from './context.js';
import { decodeInSlices, KeyspaceLoader, loaderDecoderOptions } from './dataset-io.js';
import type { RdbSnapshots } from './rdb-snapshots.js';

/** A long load logs how far it got this often. */
const PROGRESS_LOG_INTERVAL_MS = 2000;

/** The pseudo-client AOF commands are replayed by: it has no connection, and its replies are dropped. */
const NO_TRANSPORT: ClientTransport = {
  remoteAddress: '',
  localAddress: '',
  isLocal: true,
  closeAfterFlush() {},
  destroy() {},
  requestFlush() {},
};

export interface LoadOptions {
  /**
   * Take the replication id and offset the files recorded (start-up: the
   * default). DEBUG RELOAD/LOADAOF reload the dataset the server already
   * has, so its stream offset stays.
   */
  adoptReplicationMark?: boolean;
}

/**
 * Loading a dataset from disk into the keyspace: dump.rdb, or the AOF
 * (base + incr files) replayed through the dispatcher. Keeps the progress
 * INFO shows while `loading:1` (ioredis waits loading_eta_seconds).
 */
export class DatasetLoading {
  keysLoaded = 0;
  keysExpired = 0;
  private startedAt = 0;
  private totalBytes = 0;
  private loadedBytes = 0;
  private lastProgressLog = 0;

  constructor(
    private readonly ctx: PersistenceContext,
    private readonly dispatcher: Dispatcher,
  ) {}

  /** The loading_* fields of INFO persistence. */
  infoFields(): InfoField[] {
    const elapsed = (Date.now() - this.startedAt) / 1000;
    const fraction = this.totalBytes === 0 ? 0 : this.loadedBytes / this.totalBytes;
    const eta = fraction === 0 ? 1 : Math.max(0, Math.round((elapsed / fraction) * (1 - fraction)));
    return [
      ['loading_start_time', Math.floor(this.startedAt / 1000)],
      ['loading_total_bytes', this.totalBytes],
      ['loading_rdb_used_mem', 0],
      ['loading_loaded_bytes', this.loadedBytes],
      ['loading_loaded_perc', (fraction * 100).toFixed(2)],
      ['loading_eta_seconds', eta],
    ];
  }

  /**
   * Before loading: the bytes the load will read (the AOF files when the AOF
   * is on, else dump.rdb), so INFO shows the total from the first -LOADING.
   */
  async measure(appendOnly: boolean, rdb: RdbSnapshots): Promise<void> {
    const aofBytes = appendOnly ? await this.sizeOnDisk() : 0;
    this.begin(aofBytes !== 0 ? aofBytes : ((await this.ctx.fs.size(rdb.path)) ?? 0));
  }

  /** Loads `dir/dbfilename` when it exists; false when there is none. Throws when it cannot be read. */
  async loadRdbIfPresent(rdb: RdbSnapshots, options: LoadOptions = {}): Promise<boolean> {
    const ctx = this.ctx;
    const size = await ctx.fs.size(rdb.path);
    if (size === undefined) return false;
    const started = performance.now();
    if (size !== this.totalBytes) this.begin(size);
    const bytes = await ctx.fs.readFile(rdb.path);
    // A leader drops keys that expired while it was down, as Redis does; a
    // follower keeps them: its leader's DEL ends them, and until then the
    // stream may still act on them.
    const follower = ctx.state.config.get('replicaof') !== '';
    const loader = new KeyspaceLoader(ctx.state.keyspace, ctx.state.clock(), !follower);
    const decoder = new RdbDecoder(bytes, loader, 0, this.rdbOptions());
    if (!isRdb(bytes)) throw new Error(`Wrong signature trying to load DB from file ${rdb.path}`);
    await decodeInSlices(decoder, (offset) => this.progress(offset));
    this.loadedBytes = bytes.length;
    this.finish(loader);
    if (options.adoptReplicationMark !== false) this.adoptReplicationMark(loader);
    ctx.logger.info(`Done loading RDB, keys loaded: ${loader.keysLoaded}, keys expired: ${loader.keysExpired}.`);
    if (decoder.emptyKeysSkipped > 0) ctx.logger.info(`Done loading RDB, empty keys skipped: ${decoder.emptyKeysSkipped}.`);
    ctx.logger.info(`DB loaded from disk: ${((performance.now() - started) / 1000).toFixed(3)} seconds`);
    return true;
  }

  /**
   * Loads the AOF in `dir/appenddirname` (upgrading a legacy single-file AOF
   * first). Undefined when there is no AOF at all (a fresh start). Throws an
   * error naming the file and what is wrong when the AOF cannot be loaded.
   */
  async loadAppendOnly(options: LoadOptions = {}): Promise<LoadedLog | undefined> {
    const ctx = this.ctx;
    const state = ctx.state;
    const config = state.config;
    const loader = new KeyspaceLoader(state.keyspace, state.clock(), false);
    const client = new ClientSession(0, NO_TRANSPORT, state.clock(), { authenticated: true, maxBulkLength: Number.MAX_SAFE_INTEGER });
    let failure: string | null = null;
    let incrStarted = false;
    // Replayed commands act on the keys they acted on when they first ran,
    // even where a key has since passed its time (Redis expires nothing while
    // loading); expiry resumes once the load is done.
    const expiryMode = state.keyspace.expiryMode;
    state.keyspace.setExpiryMode('keep');
    let result: Awaited<ReturnType<typeof loadAof>>;
    try {
      result = await loadAof({
      fs: ctx.fs,
      dir: config.get('dir'),
      appenddirname: config.get('appenddirname'),
      appendfilename: config.get('appendfilename'),
      loadTruncated: config.get('aof-load-truncated'),
      receiver: loader,
      rdb: this.rdbOptions(),
      logger: ctx.logger,
      // The stream continues across files: the first incr file starts in the
      // database the base recorded as the stream's (repl-stream-db, 0 when
      // absent), later ones where the previous file left off. A leader's incr
      // files begin with SELECT anyway; a follower's carry its leader's stream
      // verbatim and begin wherever that stream was when the file was opened.
      onFileStart: (file) => {
        if (file.role === 'base') client.dbIndex = 0;
        else if (!incrStarted) client.dbIndex = loader.streamDb;
        if (file.role === 'incr') incrStarted = true;
      },
      apply: (argv) => {
        if (failure !== null) return;
        failure = this.dispatcher.replay(client, argv);
        // The pseudo-client's replies are dropped; its selected db carries over (SELECT).
        client.reply.take();
        if (failure !== null) throw new Error(failure);
      },
      onProgress: (loaded, total) => {
        // The loader learns file sizes as it goes; keep the full size measured up front.
        if (total > this.totalBytes) this.totalBytes = total;
        this.progress(loaded);
      },
      });
    } finally {
      state.keyspace.setExpiryMode(expiryMode);
    }
    if (result.fresh || result.manifest === undefined) return undefined;
    this.finish(loader);
    // The incr files hold exactly the effect stream after the base, so the
    // stream offset after loading is the base's plus every incr byte.
    if (options.adoptReplicationMark !== false) this.adoptReplicationMark(loader, result.incrSize, client.dbIndex);
    return { manifest: result.manifest, baseSize: result.baseSize, incrSizes: result.incrSizes };
  }

  /** The manifest currently on disk, if a valid one exists (turning the AOF on at runtime continues its numbering). */
  async manifestOnDisk(): Promise<Manifest | undefined> {
    const layout = await this.layoutOnDisk();
    return layout?.kind === 'multi-part' ? layout.manifest : undefined;
  }

  /**
   * Continues the replication history the files recorded (repl-id and
   * repl-offset aux fields), so a restart can later resume replication with
   * a partial sync instead of a full one. `streamBytesAfter` are the bytes of
   * the effect stream stored after the RDB (the AOF's incr files).
   */
  private adoptReplicationMark(loader: KeyspaceLoader, streamBytesAfter = 0, streamDbAtEnd = loader.streamDb): void {
    const mark = loader.replicationMark;
    if (mark === undefined) return;
    this.ctx.state.replication.adoptLoadedHistory(mark.replicationId, mark.offset + streamBytesAfter, streamDbAtEnd);
  }

  /** Bytes of the AOF files a load will read (0 when there are none or the layout is invalid: the load reports that). */
  private async sizeOnDisk(): Promise<number> {
    const layout = await this.layoutOnDisk();
    if (layout?.kind === 'multi-part') return layout.files.reduce((sum, file) => sum + file.size, 0);
    if (layout?.kind === 'legacy') return layout.legacySize;
    return 0;
  }

  /** What the AOF directory holds, or undefined when it cannot be read as an AOF (loading reports why). */
  private async layoutOnDisk(): Promise<AofLayout | undefined> {
    const config = this.ctx.state.config;
    try {
      return await detectAofLayout(this.ctx.fs, {
        dir: config.get('dir'),
        appenddirname: config.get('appenddirname'),
        appendfilename: config.get('appendfilename'),
      });
    } catch {
      return undefined;
    }
  }

  /** Loaded values settle their encodings against the live config, and a db beyond `databases` is refused. */
  private rdbOptions(): RdbDecoderOptions {
    const state = this.ctx.state;
    return loaderDecoderOptions(state.config, state.keyspace.databases.length);
  }

  private progress(loadedBytes: number): void {
    this.loadedBytes = loadedBytes;
    const now = Date.now();
    if (now - this.lastProgressLog < PROGRESS_LOG_INTERVAL_MS) return;
    this.lastProgressLog = now;
    const percent = this.totalBytes === 0 ? 100 : (loadedBytes * 100) / this.totalBytes;
    this.ctx.logger.info(`Loading: ${percent.toFixed(1)}% (${loadedBytes} of ${this.totalBytes} bytes)`);
  }

  private begin(totalBytes: number): void {
    this.startedAt = this.lastProgressLog = Date.now();
    this.totalBytes = totalBytes;
    this.loadedBytes = 0;
  }

  private finish(loader: KeyspaceLoader): void {
    this.keysLoaded = loader.keysLoaded;
    this.keysExpired = loader.keysExpired;
  }
}

