import { closeSync, fchmodSync, fsyncSync, openSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * Replaces the file at `path` with `bytes` so that a crash leaves either the
 * old or the new content, never a mix: the bytes go to a temporary file in
 * the same directory, which is fsynced, renamed over `path`, and then the
 * directory is fsynced so the rename itself survives a crash. The new file
 * keeps the old one's permission bits (a new file gets 0644 less the umask).
 *
 * Synchronous: it serves CONFIG REWRITE, a rare admin command that Redis also
 * runs synchronously. Throws the system error (with its `code`); the
 * temporary file is removed on failure.
 */
export function replaceFileSync(path: string, bytes: Uint8Array): void {
  const directory = dirname(path);
  const temp = join(directory, `${basename(path)}.tmp-${process.pid}`);
  let mode: number | undefined;
  try {
    mode = statSync(path).mode & 0o7777;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  try {
    const fd = openSync(temp, 'w', 0o644);
    try {
      // A temporary file left by an earlier crash keeps its own mode: set it explicitly.
      if (mode !== undefined) fchmodSync(fd, mode);
      for (let offset = 0; offset < bytes.length; ) offset += writeSync(fd, bytes, offset, bytes.length - offset);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (err) {
    try {
      unlinkSync(temp);
    } catch {
      // Never created, or already renamed away.
    }
    throw err;
  }
  const fd = openSync(directory, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
