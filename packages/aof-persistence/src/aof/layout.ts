import { join } from 'node:path';
import type { Logger } from 'pino';
import type { FileSystem } from '../fs/file-system.js';
import { AofLoadError } from './errors.js';
import {
  baseKindOf,
  formatManifest,
  isEmptyManifest,
  isTempFileName,
  manifestFileName,
  manifestFileNames,
  parseManifest,
  tempManifestFileName,
  type Manifest,
} from './manifest.js';

/** Where a server's AOF lives (Redis's dir, appenddirname, appendfilename). */
export interface AofLocationOptions {
  /** The server's working directory (`dir`). */
  dir: string;
  /** `appenddirname`: the AOF directory inside `dir` (Redis's default: appendonlydir). */
  appenddirname: string;
  /** `appendfilename`: prefix of every AOF file name (default appendonly.aof). */
  appendfilename: string;
}

export interface AofLocation extends AofLocationOptions {
  /** `<dir>/<appenddirname>` */
  appendDir: string;
  /** `<appendDir>/<appendfilename>.manifest` */
  manifestPath: string;
  /** `<dir>/<appendfilename>`: where a pre-7.0 single-file AOF lives. */
  legacyPath: string;
}

export function aofLocation(options: AofLocationOptions): AofLocation {
  const appendDir = join(options.dir, options.appenddirname);
  return {
    dir: options.dir,
    appenddirname: options.appenddirname,
    appendfilename: options.appendfilename,
    appendDir,
    manifestPath: join(appendDir, manifestFileName(options.appendfilename)),
    legacyPath: join(options.dir, options.appendfilename),
  };
}

/** Path of file `name` inside the AOF directory. */
export function aofFilePath(location: AofLocation, name: string): string {
  return join(location.appendDir, name);
}

/** A base or incr file listed in the manifest, as found on disk. */
export interface AofFileOnDisk {
  name: string;
  path: string;
  role: 'base' | 'incr';
  seq: number;
  size: number;
}

interface LayoutCommon {
  location: AofLocation;
  /** `temp-*` names in the AOF directory: leftovers of an interrupted write; ignored, safe to delete. */
  leftoverTemps: string[];
  /** Other names in the AOF directory the manifest does not list (neither temp nor the manifest). */
  unlisted: string[];
}

export type AofLayout =
  /**
   * Nothing to load: no AOF directory, or one without a manifest (or with a
   * manifest listing nothing), and no legacy file. Redis then creates a
   * fresh base and incr file.
   */
  | (LayoutCommon & { kind: 'fresh' })
  /** A Redis 7 multi-part AOF; every listed base and incr file exists. */
  | (LayoutCommon & {
      kind: 'multi-part';
      manifest: Manifest;
      /** The base (if any), then the incr files, in load order. */
      files: AofFileOnDisk[];
      /** History files (type h) still on disk: Redis deletes them at startup. */
      historyFiles: string[];
      /** A legacy `<dir>/<appendfilename>` exists too and is ignored (the manifest wins, as in Redis). */
      legacyIgnored: boolean;
    })
  /**
   * A pre-7.0 single-file AOF at `<dir>/<appendfilename>` to upgrade into the
   * AOF directory as its base. `interrupted`: a previous upgrade wrote the
   * manifest naming it but crashed before moving the file.
   */
  | (LayoutCommon & { kind: 'legacy'; legacySize: number; interrupted: boolean; manifest: Manifest | undefined });

/**
 * Finds what is on disk, with Redis 7.0's rules:
 * - a legacy `<dir>/<appendfilename>` is upgraded when the AOF directory is
 *   missing, or holds no manifest (or one listing nothing), or holds the
 *   manifest of an interrupted upgrade (only a base, named appendfilename,
 *   not present in the AOF directory);
 * - otherwise a manifest listing files is the AOF; a listed base or incr
 *   file that is missing is fatal (Redis: "Unable to obtain the AOF file
 *   <name> length. stat: No such file or directory");
 * - otherwise it is a fresh start (an empty AOF directory, or one holding
 *   only temp files, included).
 *
 * Throws ManifestError for a manifest Redis would refuse, AofLoadError for
 * a missing file. Changes nothing on disk.
 */
export async function detectAofLayout(fs: FileSystem, options: AofLocationOptions): Promise<AofLayout> {
  const location = aofLocation(options);
  const manifestName = manifestFileName(location.appendfilename);
  const dirExists = await fs.isDirectory(location.appendDir);
  if (!dirExists && (await fs.size(location.appendDir)) !== undefined) {
    throw new AofLoadError(`Can't open or create append-only dir ${location.appenddirname}: Not a directory`);
  }
  const entries = dirExists ? await fs.readdir(location.appendDir) : [];
  const leftoverTemps = entries.filter(isTempFileName).sort();

  let manifest: Manifest | undefined;
  if (entries.includes(manifestName)) manifest = parseManifest(await fs.readFile(location.manifestPath));
  const listed = new Set(manifest === undefined ? [] : manifestFileNames(manifest));
  const unlisted = entries.filter((name) => name !== manifestName && !isTempFileName(name) && !listed.has(name)).sort();
  const common = { location, leftoverTemps, unlisted };

  const legacySize = await regularFileSize(fs, location.legacyPath);
  if (legacySize !== undefined) {
    const interrupted =
      manifest !== undefined &&
      manifest.base !== undefined &&
      manifest.incr.length === 0 &&
      manifest.base.name === location.appendfilename &&
      !entries.includes(location.appendfilename);
    if (!dirExists || manifest === undefined || isEmptyManifest(manifest) || interrupted) {
      return { kind: 'legacy', ...common, legacySize, interrupted, manifest };
    }
  }

  if (manifest === undefined || isEmptyManifest(manifest)) return { kind: 'fresh', ...common };

  const files: AofFileOnDisk[] = [];
  const listedFiles = [
    ...(manifest.base === undefined ? [] : [{ name: manifest.base.name, seq: manifest.base.seq, role: 'base' as const }]),
    ...manifest.incr.map((f) => ({ name: f.name, seq: f.seq, role: 'incr' as const })),
  ];
  for (const { name, seq, role } of listedFiles) {
    const path = aofFilePath(location, name);
    const size = await fs.size(path);
    if (size === undefined) {
      throw new AofLoadError(`Unable to obtain the AOF file ${name} length. stat: No such file or directory`, { file: name });
    }
    files.push({ name, path, role, seq, size });
  }
  const historyFiles = manifest.history.map((f) => f.name).filter((name) => entries.includes(name));
  return { kind: 'multi-part', ...common, manifest, files, historyFiles, legacyIgnored: legacySize !== undefined };
}

/**
 * Moves a legacy single-file AOF into the AOF directory as the base of a
 * new manifest, in Redis 7.0's order, each step durable before the next:
 * create the AOF directory (and fsync `dir`), write the manifest naming
 * `<appendfilename>` as base seq 1 (temp file, fsync, rename, fsync the AOF
 * directory), then rename the file into the AOF directory and fsync both
 * directories. A crash at any point leaves either the legacy state or the
 * interrupted-upgrade state, both of which `detectAofLayout` reports as
 * `legacy` again, so the upgrade simply runs again.
 *
 * Returns the resulting multi-part layout.
 */
export async function upgradeLegacyAof(
  fs: FileSystem,
  layout: Extract<AofLayout, { kind: 'legacy' }>,
  logger?: Pick<Logger, 'info'>,
): Promise<Extract<AofLayout, { kind: 'multi-part' }>> {
  const { location } = layout;
  const name = location.appendfilename;
  const target = aofFilePath(location, name);
  await ensureAppendDir(fs, location);
  if ((await fs.size(target)) !== undefined) {
    throw new AofLoadError(
      `Can't upgrade the old-style AOF file ${name}: a file of that name already exists in the AOF directory ${location.appenddirname}`,
      { file: name },
    );
  }
  // Keep what else an interrupted upgrade's manifest listed (history); the base is the legacy file.
  const manifest: Manifest = {
    base: { name, seq: 1, kind: baseKindOf(name) },
    incr: [],
    history: layout.manifest?.history ?? [],
  };
  await persistManifest(fs, location, manifest);
  try {
    await fs.rename(location.legacyPath, target);
  } catch (error) {
    throw new AofLoadError(`Error trying to rename the existing AOF to the new AOF directory: ${(error as Error).message}`, {
      file: name,
      cause: error,
    });
  }
  await fs.syncDirectory(location.appendDir);
  await fs.syncDirectory(location.dir);
  logger?.info(
    `Successfully migrated an old-style AOF file (${name}) into the AOF directory (${location.appenddirname}).`,
  );
  return {
    kind: 'multi-part',
    location,
    leftoverTemps: layout.leftoverTemps,
    unlisted: layout.unlisted.filter((n) => n !== name),
    manifest,
    files: [{ name, path: target, role: 'base', seq: 1, size: layout.legacySize }],
    historyFiles: [],
    legacyIgnored: false,
  };
}

/**
 * Creates the AOF directory when missing and fsyncs `dir`, so the new
 * directory itself survives a crash. Returns true when it created it.
 */
export async function ensureAppendDir(fs: FileSystem, location: AofLocation): Promise<boolean> {
  if (await fs.isDirectory(location.appendDir)) return false;
  try {
    await fs.mkdir(location.appendDir);
  } catch (error) {
    throw new AofLoadError(
      `Can't open or create append-only dir ${location.appenddirname}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  await fs.syncDirectory(location.dir);
  return true;
}

/**
 * Writes `manifest` durably: into `temp-<appendfilename>.manifest`, fsync,
 * close, rename over the manifest, fsync the AOF directory. On failure the
 * temp file is removed (best effort) and the old manifest stays in force.
 */
export async function persistManifest(fs: FileSystem, location: AofLocation, manifest: Manifest): Promise<void> {
  const temp = aofFilePath(location, tempManifestFileName(location.appendfilename));
  const bytes = Buffer.from(formatManifest(manifest), 'latin1');
  try {
    const handle = await fs.open(temp, 'truncate');
    try {
      const written = await handle.write(bytes);
      if (written !== bytes.length) throw Object.assign(new Error('No space left on device'), { code: 'ENOSPC' });
      await handle.sync();
    } finally {
      await handle.close().catch(() => {});
    }
    await fs.rename(temp, location.manifestPath);
  } catch (error) {
    await fs.unlink(temp).catch(() => {});
    throw error;
  }
  try {
    await fs.syncDirectory(location.appendDir);
  } catch (error) {
    throw new ManifestNotDurableError(error);
  }
}

/**
 * The new manifest was renamed into place but the directory fsync after it
 * failed: it is the manifest a restart finds now, but a power loss may bring
 * the previous one back. Callers must keep the files of both.
 */
export class ManifestNotDurableError extends Error {
  constructor(cause: unknown) {
    super(`Fail to fsync AOF directory: ${(cause as Error).message}`, { cause });
    this.name = 'ManifestNotDurableError';
    const code = (cause as NodeJS.ErrnoException | undefined)?.code;
    if (code !== undefined) (this as NodeJS.ErrnoException).code = code;
  }
}

/** Deletes the `temp-*` leftovers a layout found (best effort: a failure is ignored). */
export async function removeLeftoverTemps(fs: FileSystem, layout: AofLayout): Promise<void> {
  for (const name of layout.leftoverTemps) await fs.unlink(aofFilePath(layout.location, name)).catch(() => {});
}

async function regularFileSize(fs: FileSystem, path: string): Promise<number | undefined> {
  const size = await fs.size(path);
  if (size === undefined || (await fs.isDirectory(path))) return undefined;
  return size;
}
