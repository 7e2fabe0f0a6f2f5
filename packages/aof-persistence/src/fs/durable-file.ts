import path from 'node:path';
import type { FileSystem } from './file-system.js';

/**
 * Writes a file that must appear whole or not at all (dump.rdb, a manifest):
 * the bytes go to `temp` (in the same directory as `target`), which is
 * fsynced and closed, renamed over `target`, and then the directory is
 * fsynced so the rename itself survives a power loss. `produce` calls
 * `write` for each chunk in order and awaits it. On any failure the temp file
 * is removed and `target` is untouched.
 */
export async function writeFileDurably(
  fs: FileSystem,
  target: string,
  temp: string,
  produce: (write: (chunk: Buffer) => Promise<void>) => Promise<void>,
): Promise<number> {
  let bytes = 0;
  try {
    const handle = await fs.open(temp, 'truncate');
    try {
      await produce(async (chunk) => {
        const written = await handle.write(chunk);
        if (written !== chunk.length) throw noSpace();
        bytes += written;
      });
      await handle.sync();
    } finally {
      await handle.close().catch(() => {});
    }
    await fs.rename(temp, target);
  } catch (error) {
    await fs.unlink(temp).catch(() => {});
    throw error;
  }
  await fs.syncDirectory(path.dirname(target));
  return bytes;
}

/** The error a short write stands for. */
export function noSpace(): NodeJS.ErrnoException {
  return Object.assign(new Error('No space left on device'), { code: 'ENOSPC' });
}
