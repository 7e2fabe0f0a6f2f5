/**
 * The file operations aof-persistence needs, as an interface so tests can
 * inject faults (ENOSPC after N bytes, EIO on fsync, lost un-fsynced bytes on
 * a simulated crash, failing renames). `nodeFileSystem` is the real one.
 *
 * Errors are Node-style: an Error with a `code` ('ENOENT', 'ENOSPC', 'EIO', ...).
 * All paths are absolute or relative to the process's working directory.
 */
export interface FileSystem {
  /**
   * Opens `path`: 'append' creates it when missing and writes at its end;
   * 'truncate' creates or empties it; 'read' requires it to exist.
   */
  open(path: string, mode: 'append' | 'truncate' | 'read'): Promise<FileHandle>;
  readFile(path: string): Promise<Buffer>;
  /** Size in bytes, or undefined when `path` does not exist. */
  size(path: string): Promise<number | undefined>;
  /** True when `path` exists and is a directory. */
  isDirectory(path: string): Promise<boolean>;
  /** Names (not paths) of the entries of directory `path`. */
  readdir(path: string): Promise<string[]>;
  /** Creates directory `path` (and parents); no error when it exists. */
  mkdir(path: string): Promise<void>;
  /** Atomically replaces `to` with `from` (rename(2)). */
  rename(from: string, to: string): Promise<void>;
  /** Removes a file; no error when it is already gone. */
  unlink(path: string): Promise<void>;
  /** Cuts file `path` to `length` bytes. */
  truncate(path: string, length: number): Promise<void>;
  /** fsync(2) of directory `path`, making renames and creations inside it durable. */
  syncDirectory(path: string): Promise<void>;
}

export interface FileHandle {
  /**
   * Writes all of `data` at the end of the file (append mode) or at the
   * handle's current position (truncate mode). Resolves with the bytes
   * written; a short count means the rest failed (then it rejects on the next
   * call), so callers must check it.
   */
  write(data: Buffer): Promise<number>;
  /**
   * Reads up to `into.length` bytes starting at byte `position` of the file
   * into `into`; resolves with the count read (0 at or past the end). The
   * loader streams AOF files through this instead of reading them whole.
   */
  read(into: Buffer, position: number): Promise<number>;
  /**
   * `write` on the calling thread: the AOF appends with it, because a
   * write(2) into the page cache takes microseconds, less than a round trip
   * through the threadpool (only fdatasync is slow enough to be worth moving
   * off the event loop). Same contract otherwise: returns the bytes written,
   * a short count meaning the rest failed; throws on an error.
   */
  writeSync(data: Buffer): number;
  /** fdatasync(2): everything written so far is durable once this resolves. */
  sync(): Promise<void>;
  /** Cuts the file to `length` bytes (used to remove a torn tail after a short write). */
  truncate(length: number): Promise<void>;
  /** Current size in bytes. */
  size(): Promise<number>;
  close(): Promise<void>;
}
