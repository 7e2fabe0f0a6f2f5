import { setImmediate as nextTurn } from 'node:timers/promises';
import { pino, type Logger } from 'pino';
import type { DatasetReceiver } from '../dataset.js';
import type { FileHandle, FileSystem } from '../fs/file-system.js';
import { RdbDecoder, RdbFormatError, type RdbDecoderOptions } from '../rdb/index.js';
import { AofCommandReader, CommandKind } from './command-reader.js';
import { AofLoadError, badFormatText, unexpectedEofText } from './errors.js';
import { detectAofLayout, upgradeLegacyAof, type AofFileOnDisk, type AofLayout, type AofLocation } from './layout.js';
import type { Manifest } from './manifest.js';

/** The logger methods the loader uses (a pino logger fits). */
export type AofLogger = Pick<Logger, 'info' | 'warn'>;

export interface LoadAofOptions {
  fs: FileSystem;
  dir: string;
  appenddirname: string;
  appendfilename: string;
  /** `aof-load-truncated`: accept (and cut off) a torn tail of the last file. */
  loadTruncated: boolean;
  /** Receives the keys of RDB bases and RDB preambles. */
  receiver: DatasetReceiver;
  /**
   * Applies one command of the AOF, in order, SELECT included. Commands of a
   * MULTI ... EXEC block are buffered and applied only when the EXEC is read,
   * one after the other in the same turn (MULTI and EXEC themselves are not
   * passed), so an unfinished block is never applied. An exception aborts the
   * load (as an AofLoadError naming the file and offset).
   */
  apply(argv: string[]): void;
  /**
   * Called before the commands of each file. Redis loads every file with a
   * fresh client, so each file starts in database 0: reset the selected
   * database here.
   */
  onFileStart?(file: { name: string; role: 'base' | 'incr' }): void;
  /** Bytes processed so far (files before plus position in the current one) of the total to load. */
  onProgress?(loadedBytes: number, totalBytes: number): void;
  /** Default: silent. */
  logger?: AofLogger;
  /** Commands or RDB keys between yields to the event loop (default 4096). */
  yieldEvery?: number;
  /** Upgrade a legacy single-file AOF into the AOF directory, as Redis 7.0 does (default true). */
  upgradeLegacy?: boolean;
  /** Options for the RDB decoder (databases, list encoding). */
  rdb?: RdbDecoderOptions;
  /** Read size for command files (default 1 MiB). */
  readChunkBytes?: number;
}

export interface LoadedAofFile {
  name: string;
  path: string;
  role: 'base' | 'incr';
  seq: number;
  /** Size after loading (after truncation, for a cut last file). */
  size: number;
  /** What it held: nothing, an RDB, commands, or an RDB preamble followed by commands. */
  format: 'empty' | 'rdb' | 'aof' | 'rdb+aof';
  /** Commands passed to `apply` from this file. */
  commands: number;
  /** Keys delivered from its RDB part. */
  rdbKeys: number;
}

export interface AofLoadSummary {
  /** Nothing was on disk: the caller creates the first base and incr file. */
  fresh: boolean;
  /** A legacy single-file AOF was moved into the AOF directory first. */
  upgraded: boolean;
  location: AofLocation;
  /** The manifest in force (undefined when fresh, or a legacy file loaded without upgrade). */
  manifest: Manifest | undefined;
  /** In load order. */
  files: LoadedAofFile[];
  /** The last incr file: the writer continues appending to it. */
  lastIncr: LoadedAofFile | undefined;
  commandsApplied: number;
  rdbKeys: number;
  emptyKeysSkipped: number;
  /** Size of the base file (Redis's aof_rewrite_base_size). */
  baseSize: number;
  /** Total size of the incr files. */
  incrSize: number;
  /** Size of every incr file, by name. */
  incrSizes: Map<string, number>;
  /** Set when the last file had a torn tail that was cut off (aof-load-truncated). */
  truncation: { file: string; originalSize: number; truncatedTo: number; revertedMulti: boolean } | undefined;
  /** From the layout: temp leftovers, history files still on disk, other unlisted names. */
  leftoverTemps: string[];
  historyFiles: string[];
  unlisted: string[];
}

const DEFAULT_YIELD_EVERY = 4096;
const DEFAULT_READ_CHUNK = 1 << 20;

/**
 * Loads a server's AOF as Redis 7.0 does at startup: finds the layout (and
 * upgrades a legacy single file), then loads the base (an RDB when it starts
 * with "REDIS", possibly followed by commands; else commands) and every incr
 * file in order. Yields to the event loop every `yieldEvery` commands or
 * keys so a server stays responsive (-LOADING replies) meanwhile.
 *
 * A torn tail of the LAST file (a command cut short, or a MULTI block without
 * its EXEC) is, with `loadTruncated`, logged with Redis's warnings and cut
 * off the file, which is fsynced, so appends that follow survive the next
 * restart; without it the load fails with Redis's "Unexpected end of file"
 * text. A torn tail in any other file, malformed bytes anywhere, a bad RDB,
 * or an exception from `apply`/the receiver fail the load with an
 * AofLoadError naming the file (and offset where one applies). A manifest
 * Redis would refuse throws ManifestError. Nothing is changed on disk
 * unless the load succeeds (except the upgrade, which is itself safe).
 */
export async function loadAof(options: LoadAofOptions): Promise<AofLoadSummary> {
  const logger: AofLogger = options.logger ?? pino({ level: 'silent' });
  let layout: AofLayout = await detectAofLayout(options.fs, options);
  let upgraded = false;
  if (layout.kind === 'legacy' && options.upgradeLegacy !== false) {
    layout = await upgradeLegacyAof(options.fs, layout, logger);
    upgraded = true;
  }

  const summary: AofLoadSummary = {
    fresh: layout.kind === 'fresh',
    upgraded,
    location: layout.location,
    manifest: layout.kind === 'multi-part' ? layout.manifest : undefined,
    files: [],
    lastIncr: undefined,
    commandsApplied: 0,
    rdbKeys: 0,
    emptyKeysSkipped: 0,
    baseSize: 0,
    incrSize: 0,
    incrSizes: new Map(),
    truncation: undefined,
    leftoverTemps: layout.leftoverTemps,
    historyFiles: layout.kind === 'multi-part' ? layout.historyFiles : [],
    unlisted: layout.unlisted,
  };
  if (layout.kind === 'fresh') return summary;

  // Loaded without the upgrade, the legacy file is a manifest-less AOF of its own.
  const files: AofFileOnDisk[] =
    layout.kind === 'multi-part'
      ? layout.files
      : [{ name: layout.location.appendfilename, path: layout.location.legacyPath, role: 'base', seq: 1, size: layout.legacySize }];

  const loader = new Loader(options, logger, files.reduce((n, f) => n + f.size, 0));
  const started = performance.now();
  for (let i = 0; i < files.length; i++) {
    const file = files[i]!;
    const loaded = await loader.loadFile(file, i === files.length - 1, summary);
    summary.files.push(loaded);
    if (loaded.role === 'base') summary.baseSize = loaded.size;
    else {
      summary.incrSize += loaded.size;
      summary.incrSizes.set(loaded.name, loaded.size);
      summary.lastIncr = loaded;
    }
  }
  summary.commandsApplied = loader.commandsApplied;
  summary.rdbKeys = loader.rdbKeys;
  summary.emptyKeysSkipped = loader.emptyKeysSkipped;
  options.onProgress?.(loader.totalBytes, loader.totalBytes);
  logger.info(`DB loaded from append only file: ${seconds(started)} seconds`);
  return summary;
}

class Loader {
  commandsApplied = 0;
  rdbKeys = 0;
  emptyKeysSkipped = 0;
  /** Bytes of the files already loaded. */
  private doneBytes = 0;
  private sinceYield = 0;
  private readonly yieldEvery: number;
  private readonly chunkBytes: number;

  constructor(
    private readonly options: LoadAofOptions,
    private readonly logger: AofLogger,
    readonly totalBytes: number,
  ) {
    this.yieldEvery = Math.max(1, options.yieldEvery ?? DEFAULT_YIELD_EVERY);
    this.chunkBytes = Math.max(16, options.readChunkBytes ?? DEFAULT_READ_CHUNK);
  }

  async loadFile(file: AofFileOnDisk, isLast: boolean, summary: AofLoadSummary): Promise<LoadedAofFile> {
    const loaded: LoadedAofFile = { name: file.name, path: file.path, role: file.role, seq: file.seq, size: file.size, format: 'empty', commands: 0, rdbKeys: 0 };
    const started = performance.now();
    const { fs } = this.options;
    const handle = await fs.open(file.path, 'read');
    try {
      // The size may have changed since the layout was taken; trust the file.
      const size = await handle.size();
      loaded.size = size;
      if (size === 0) {
        this.logLoaded(file, started);
        return loaded;
      }
      this.options.onFileStart?.({ name: file.name, role: file.role });
      const head = Buffer.alloc(5);
      const headBytes = await handle.read(head, 0);
      let reader: AofCommandReader;
      let whole: Buffer | undefined;
      if (headBytes === 5 && head.toString('latin1') === 'REDIS') {
        whole = await fs.readFile(file.path);
        const end = await this.loadRdb(file, whole, loaded);
        loaded.format = end < whole.length ? 'rdb+aof' : 'rdb';
        if (end === whole.length) {
          this.doneBytes += size;
          this.logLoaded(file, started);
          return loaded;
        }
        this.logger.info('Reading the remaining AOF tail...');
        reader = new AofCommandReader(end);
        reader.push(whole.subarray(end));
      } else {
        loaded.format = 'aof';
        reader = new AofCommandReader(0);
      }

      const multi: { block: string[][] | undefined } = { block: undefined };
      await this.drain(reader, file, loaded, multi);
      if (whole === undefined) {
        for (let position = 0; position < size && !reader.failed; ) {
          const chunk = Buffer.allocUnsafe(Math.min(this.chunkBytes, size - position));
          const n = await readFully(handle, chunk, position);
          if (n === 0) break;
          position += n;
          reader.push(n === chunk.length ? chunk : chunk.subarray(0, n));
          await this.drain(reader, file, loaded, multi);
        }
      }

      const end = reader.end();
      if (end.kind === 'error') {
        throw new AofLoadError(badFormatText(file.name), { file: file.name, offset: end.offset, detail: end.detail });
      }
      if (end.kind === 'truncated') {
        if (!isLast) {
          throw new AofLoadError(`Fatal error: the truncated file is not the last file`, {
            file: file.name,
            offset: end.validUpTo,
            detail: `unexpected end of file in ${file.name}`,
          });
        }
        if (end.multiStart !== undefined) this.logger.warn(`Revert incomplete MULTI/EXEC transaction in AOF file ${file.name}`);
        if (!this.options.loadTruncated) {
          throw new AofLoadError(unexpectedEofText(file.name), { file: file.name, offset: end.validUpTo });
        }
        this.logger.warn(`!!! Warning: short read while loading the AOF file ${file.name}!!!`);
        this.logger.warn(`!!! Truncating the AOF ${file.name} at offset ${end.validUpTo} !!!`);
        await this.cutTail(file, end.validUpTo);
        this.logger.warn(`AOF ${file.name} loaded anyway because aof-load-truncated is enabled`);
        summary.truncation = { file: file.name, originalSize: size, truncatedTo: end.validUpTo, revertedMulti: end.multiStart !== undefined };
        loaded.size = end.validUpTo;
      }
      this.doneBytes += size;
      this.logLoaded(file, started);
      return loaded;
    } finally {
      await handle.close().catch(() => {});
    }
  }

  /** Decodes the RDB at the start of `bytes`; returns the offset just past it. */
  private async loadRdb(file: AofFileOnDisk, bytes: Buffer, loaded: LoadedAofFile): Promise<number> {
    const preamble = file.name === this.options.appendfilename;
    this.logger.info(preamble ? 'Reading RDB preamble from AOF file...' : 'Reading RDB base file on AOF loading...');
    const decoder = new RdbDecoder(bytes, this.options.receiver, 0, this.options.rdb);
    try {
      for (;;) {
        const before = decoder.keysLoaded;
        const done = decoder.step(this.yieldEvery);
        this.rdbKeys += decoder.keysLoaded - before;
        loaded.rdbKeys = decoder.keysLoaded;
        if (done) break;
        this.options.onProgress?.(this.doneBytes + decoder.offset, this.totalBytes);
        await nextTurn();
      }
    } catch (error) {
      const what = preamble ? `Error reading the RDB preamble of the AOF file ${file.name}` : `Error reading the RDB base file ${file.name}`;
      if (error instanceof RdbFormatError) {
        throw new AofLoadError(`${what}, AOF loading aborted`, { file: file.name, offset: error.offset, detail: error.message, cause: error });
      }
      throw new AofLoadError(`${what}, AOF loading aborted`, { file: file.name, detail: (error as Error).message, cause: error });
    }
    this.emptyKeysSkipped += decoder.emptyKeysSkipped;
    const skipped = decoder.emptyKeysSkipped === 0 ? '' : `, empty keys skipped: ${decoder.emptyKeysSkipped}`;
    this.logger.info(`Done loading RDB, keys loaded: ${decoder.keysLoaded}${skipped}.`);
    return decoder.offset;
  }

  /** Applies every complete command the reader has, yielding now and then. */
  private async drain(
    reader: AofCommandReader,
    file: AofFileOnDisk,
    loaded: LoadedAofFile,
    multi: { block: string[][] | undefined },
  ): Promise<void> {
    for (let argv = reader.next(); argv !== null; argv = reader.next()) {
      const kind = reader.commandKind;
      if (kind === CommandKind.Multi) {
        if (multi.block !== undefined) this.formatError(file, reader.commandStart, 'MULTI inside MULTI');
        multi.block = [];
      } else if (kind === CommandKind.Exec) {
        if (multi.block === undefined) this.formatError(file, reader.commandStart, 'EXEC without MULTI');
        const block = multi.block!;
        multi.block = undefined;
        for (const queued of block) this.applyOne(queued, file, loaded, reader.commandStart);
      } else if (multi.block !== undefined) {
        multi.block.push(argv);
      } else {
        this.applyOne(argv, file, loaded, reader.commandStart);
      }
      if (++this.sinceYield >= this.yieldEvery) {
        this.sinceYield = 0;
        this.options.onProgress?.(this.doneBytes + reader.offset, this.totalBytes);
        await nextTurn();
      }
    }
  }

  private applyOne(argv: string[], file: AofFileOnDisk, loaded: LoadedAofFile, offset: number): void {
    try {
      this.options.apply(argv);
    } catch (error) {
      throw new AofLoadError(`Error applying the command '${argv[0]}' reading the append only file ${file.name}`, {
        file: file.name,
        offset,
        detail: (error as Error).message,
        cause: error,
      });
    }
    loaded.commands++;
    this.commandsApplied++;
  }

  private formatError(file: AofFileOnDisk, offset: number, detail: string): never {
    throw new AofLoadError(badFormatText(file.name), { file: file.name, offset, detail });
  }

  /** Cuts a torn tail off, durably: later appends must follow the valid prefix after a restart too. */
  private async cutTail(file: AofFileOnDisk, length: number): Promise<void> {
    const { fs } = this.options;
    let handle: FileHandle | undefined;
    try {
      handle = await fs.open(file.path, 'append');
      await handle.truncate(length);
      await handle.sync();
    } catch (error) {
      throw new AofLoadError(`Error truncating the AOF file ${file.name}: ${(error as Error).message}`, {
        file: file.name,
        cause: error,
      });
    } finally {
      await handle?.close().catch(() => {});
    }
  }

  private logLoaded(file: AofFileOnDisk, started: number): void {
    this.logger.info(`DB loaded from ${file.role} file ${file.name}: ${seconds(started)} seconds`);
  }
}

/** Reads until `into` is full or the file ends. */
async function readFully(handle: FileHandle, into: Buffer, position: number): Promise<number> {
  let done = 0;
  while (done < into.length) {
    const n = await handle.read(done === 0 ? into : into.subarray(done), position + done);
    if (n === 0) break;
    done += n;
  }
  return done;
}

function seconds(since: number): string {
  return ((performance.now() - since) / 1000).toFixed(3);
}
