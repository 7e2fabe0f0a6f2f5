import { constants, promises as fsp, writeSync } from 'node:fs';
import type { FileHandle, FileSystem } from './file-system.js';

/**
 * The real file system (node:fs/promises). Every call runs on libuv's
 * threadpool, so a slow fsync never blocks the event loop.
 */
export const nodeFileSystem: FileSystem = {
  async open(path, mode) {
    const flags = mode === 'append' ? 'a' : mode === 'truncate' ? 'w' : 'r';
    const handle = await fsp.open(path, flags, 0o644);
    return new NodeFileHandle(handle, mode);
  },

  readFile(path) {
    return fsp.readFile(path);
  },

  async size(path) {
    try {
      return (await fsp.stat(path)).size;
    } catch (error) {
      if (isCode(error, 'ENOENT')) return undefined;
      throw error;
    }
  },

  async isDirectory(path) {
    try {
      return (await fsp.stat(path)).isDirectory();
    } catch (error) {
      if (isCode(error, 'ENOENT') || isCode(error, 'ENOTDIR')) return false;
      throw error;
    }
  },

  readdir(path) {
    return fsp.readdir(path);
  },

  async mkdir(path) {
    await fsp.mkdir(path, { recursive: true });
  },

  rename(from, to) {
    return fsp.rename(from, to);
  },

  async unlink(path) {
    try {
      await fsp.unlink(path);
    } catch (error) {
      if (!isCode(error, 'ENOENT')) throw error;
    }
  },

  truncate(path, length) {
    return fsp.truncate(path, length);
  },

  async syncDirectory(path) {
    // A directory can be opened read-only and fsynced: that makes the
    // creations, renames and removals of entries inside it durable.
    const handle = await fsp.open(path, constants.O_RDONLY | constants.O_DIRECTORY);
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
};

class NodeFileHandle implements FileHandle {
  /** Next write position in 'truncate' mode ('append' writes go to the end: O_APPEND). */
  private position = 0;
  /** The error that stopped a write after part of it had gone out; the next write rejects with it. */
  private pendingError: unknown;

  constructor(
    private readonly handle: fsp.FileHandle,
    private readonly mode: 'append' | 'truncate' | 'read',
  ) {}

  // write(2) may write less than asked (disk full, a signal): both writes
  // keep going until everything is out or an error stops them. An error
  // after part of the data went out returns the short count and is thrown by
  // the next write, so the caller learns exactly how much reached the file.

  async write(data: Buffer): Promise<number> {
    this.throwPendingError();
    let done = 0;
    while (done < data.length) {
      let n: number;
      try {
        n = (await this.handle.write(data, done, data.length - done, this.nextPosition())).bytesWritten;
      } catch (error) {
        return this.stopAfter(done, error);
      }
      if (!this.advance(n)) break;
      done += n;
    }
    return done;
  }

  writeSync(data: Buffer): number {
    this.throwPendingError();
    let done = 0;
    while (done < data.length) {
      let n: number;
      try {
        n = writeSync(this.handle.fd, data, done, data.length - done, this.nextPosition());
      } catch (error) {
        return this.stopAfter(done, error);
      }
      if (!this.advance(n)) break;
      done += n;
    }
    return done;
  }

  private throwPendingError(): void {
    if (this.pendingError === undefined) return;
    const error = this.pendingError;
    this.pendingError = undefined;
    throw error;
  }

  /** Where the next write goes: the end (null, O_APPEND) or the handle's position. */
  private nextPosition(): number | null {
    return this.mode === 'append' ? null : this.position;
  }

  /** Accounts `n` bytes written; false when nothing moved, which counts as a full disk rather than a reason to spin. */
  private advance(n: number): boolean {
    if (n === 0) {
      this.pendingError = Object.assign(new Error('No space left on device'), { code: 'ENOSPC' });
      return false;
    }
    if (this.mode !== 'append') this.position += n;
    return true;
  }

  /** An error stopped a write after `done` bytes: throw it now, or report the short count and throw it next time. */
  private stopAfter(done: number, error: unknown): number {
    if (done === 0) throw error;
    this.pendingError = error;
    return done;
  }

  async read(into: Buffer, position: number): Promise<number> {
    if (into.length === 0) return 0;
    return (await this.handle.read(into, 0, into.length, position)).bytesRead;
  }

  sync(): Promise<void> {
    return this.handle.datasync();
  }

  async truncate(length: number): Promise<void> {
    await this.handle.truncate(length);
    // Writes continue right after the kept bytes (never leave a hole).
    if (this.position > length) this.position = length;
  }

  async size(): Promise<number> {
    return (await this.handle.stat()).size;
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}

function isCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as NodeJS.ErrnoException).code === code;
}
