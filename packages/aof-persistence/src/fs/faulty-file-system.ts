import { posix } from 'node:path';
import type { FileHandle, FileSystem } from './file-system.js';

/**
 * Which paths a fault applies to: a string matches every path that contains
 * it, a RegExp is tested against the path, a function decides. Paths are the
 * normalized absolute paths the file system sees.
 */
export type PathMatch = string | RegExp | ((path: string) => boolean);

export interface FaultyFileSystemOptions {
  /**
   * Awaited before every operation takes effect, so results arrive
   * asynchronously like real I/O (default: one setImmediate turn). A test can
   * pass a controllable delay to hold operations in flight.
   */
  tick?: () => Promise<void>;
}

/**
 * An in-memory FileSystem for tests that models what a crash can lose.
 *
 * The page-cache model:
 * - Every file has its current bytes (what reads see) and its durable bytes
 *   (what survives a crash). `sync()` on a handle makes the current bytes
 *   durable; writes and truncations alone do not.
 * - Every directory has its current entries and its durable entries.
 *   `syncDirectory()` makes the current entries durable. A file created,
 *   renamed or unlinked since then goes back to its previous state at a
 *   crash: a new name disappears, a replaced name points at the old file
 *   again, an unlinked file comes back. (Real file systems often persist
 *   more; this model persists only what POSIX promises, which is what code
 *   must rely on.)
 * - `crash()` applies all of that at once and invalidates every open handle
 *   (later calls on them reject with EBADF).
 *
 * Fsync failure follows Linux: when `sync()` fails, the dirty pages are
 * marked clean although they never reached the disk. Those bytes stay
 * readable until the crash and are then gone, even if a later `sync()`
 * "succeeds" (which it does, having nothing dirty to write): the range reads
 * back as zeros if the file's length became durable beyond it, or is cut
 * off if not. Rewriting those bytes makes them dirty (and syncable) again.
 *
 * Faults (persist until cleared, except `failNextSync`; a crash keeps them):
 * - `failWritesAfter(n)`: a disk that fills up after n more bytes, counted
 *   over all writes. The write crossing the limit writes what fits and
 *   resolves with the short count; every later write rejects.
 * - `failNextSync()`: the next matching fdatasync rejects (EIO).
 * - `failRename(match)`, `failDirectorySync(match)`: those calls reject.
 */
export class FaultyFileSystem implements FileSystem {
  private readonly root: DirNode = newDir();
  /** Bumped by crash(): handles from before it are dead. */
  private generation = 0;
  private readonly tick: () => Promise<void>;
  private writeBudget: number | undefined;
  private writeFailCode = 'ENOSPC';
  private syncFailure: { code: string; match: PathMatch | undefined } | undefined;
  private renameFailure: { code: string; match: PathMatch } | undefined;
  private dirSyncFailure: { code: string; match: PathMatch } | undefined;
  /** What happened, in order (mutations and durability calls), for tests to assert on. */
  readonly operations: string[] = [];

  constructor(options: FaultyFileSystemOptions = {}) {
    this.tick = options.tick ?? (() => new Promise<void>((resolve) => setImmediate(resolve)));
  }

  // ---- FileSystem ----------------------------------------------------------

  async open(path: string, mode: 'append' | 'truncate' | 'read'): Promise<FileHandle> {
    const p = normalize(path);
    await this.tick();
    const existing = this.lookup(p);
    if (existing !== undefined && existing.kind === 'dir') throw fsError('EISDIR', 'open', p);
    let node: FileNode;
    if (existing !== undefined) {
      node = existing;
      if (mode === 'truncate') {
        truncateNode(node, 0);
        this.operations.push(`truncate ${p} 0`);
      }
    } else {
      if (mode === 'read') throw fsError('ENOENT', 'open', p);
      const { dir, name } = this.parentOf(p, 'open');
      node = newFile();
      dir.entries.set(name, node);
      this.operations.push(`create ${p}`);
    }
    return new FaultyFileHandle(this, node, p, mode, this.generation);
  }

  async readFile(path: string): Promise<Buffer> {
    const p = normalize(path);
    await this.tick();
    const node = this.lookup(p);
    if (node === undefined) throw fsError('ENOENT', 'open', p);
    if (node.kind === 'dir') throw fsError('EISDIR', 'read', p);
    return Buffer.from(node.data.subarray(0, node.length));
  }

  async size(path: string): Promise<number | undefined> {
    const p = normalize(path);
    await this.tick();
    const node = this.lookupOrThrowNotDir(p, 'stat');
    if (node === undefined) return undefined;
    return node.kind === 'file' ? node.length : 0;
  }

  async isDirectory(path: string): Promise<boolean> {
    const p = normalize(path);
    await this.tick();
    return this.lookup(p)?.kind === 'dir';
  }

  async readdir(path: string): Promise<string[]> {
    const p = normalize(path);
    await this.tick();
    const node = this.lookupOrThrowNotDir(p, 'scandir');
    if (node === undefined) throw fsError('ENOENT', 'scandir', p);
    if (node.kind !== 'dir') throw fsError('ENOTDIR', 'scandir', p);
    return [...node.entries.keys()];
  }

  async mkdir(path: string): Promise<void> {
    const p = normalize(path);
    await this.tick();
    let dir = this.root;
    let at = '';
    for (const part of components(p)) {
      at += '/' + part;
      const next = dir.entries.get(part);
      if (next === undefined) {
        const created = newDir();
        dir.entries.set(part, created);
        this.operations.push(`mkdir ${at}`);
        dir = created;
      } else if (next.kind === 'dir') {
        dir = next;
      } else {
        throw fsError(at === p ? 'EEXIST' : 'ENOTDIR', 'mkdir', p);
      }
    }
  }

  async rename(from: string, to: string): Promise<void> {
    const f = normalize(from);
    const t = normalize(to);
    await this.tick();
    const failure = this.renameFailure;
    if (failure !== undefined && (matches(failure.match, f) || matches(failure.match, t))) {
      throw fsError(failure.code, 'rename', f, t);
    }
    const source = this.parentOf(f, 'rename', t);
    const node = source.dir.entries.get(source.name);
    if (node === undefined) throw fsError('ENOENT', 'rename', f, t);
    const target = this.parentOf(t, 'rename', f);
    if (f === t) return;
    if (node.kind === 'dir' && (t + '/').startsWith(f + '/')) throw fsError('EINVAL', 'rename', f, t);
    const replaced = target.dir.entries.get(target.name);
    if (replaced !== undefined) {
      if (replaced.kind === 'dir' && node.kind === 'file') throw fsError('EISDIR', 'rename', f, t);
      if (replaced.kind === 'file' && node.kind === 'dir') throw fsError('ENOTDIR', 'rename', f, t);
      if (replaced.kind === 'dir' && replaced.entries.size > 0) throw fsError('ENOTEMPTY', 'rename', f, t);
    }
    source.dir.entries.delete(source.name);
    target.dir.entries.set(target.name, node);
    this.operations.push(`rename ${f} ${t}`);
  }

  async unlink(path: string): Promise<void> {
    const p = normalize(path);
    await this.tick();
    let parent: { dir: DirNode; name: string };
    try {
      parent = this.parentOf(p, 'unlink');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    const node = parent.dir.entries.get(parent.name);
    if (node === undefined) return;
    if (node.kind === 'dir') throw fsError('EISDIR', 'unlink', p);
    parent.dir.entries.delete(parent.name);
    this.operations.push(`unlink ${p}`);
  }

  async truncate(path: string, length: number): Promise<void> {
    const p = normalize(path);
    await this.tick();
    const node = this.lookupOrThrowNotDir(p, 'open');
    if (node === undefined) throw fsError('ENOENT', 'open', p);
    if (node.kind === 'dir') throw fsError('EISDIR', 'open', p);
    truncateNode(node, length);
    this.operations.push(`truncate ${p} ${length}`);
  }

  async syncDirectory(path: string): Promise<void> {
    const p = normalize(path);
    await this.tick();
    const node = this.lookupOrThrowNotDir(p, 'open');
    if (node === undefined) throw fsError('ENOENT', 'open', p);
    if (node.kind !== 'dir') throw fsError('ENOTDIR', 'open', p);
    const failure = this.dirSyncFailure;
    if (failure !== undefined && matches(failure.match, p)) throw fsError(failure.code, 'fsync', p);
    node.durableEntries = new Map(node.entries);
    this.operations.push(`syncDirectory ${p}`);
  }

  // ---- crash and faults -----------------------------------------------------

  /**
   * A power loss and reboot: every directory goes back to its durable
   * entries, every file to its durable bytes; open handles die.
   */
  crash(): void {
    this.generation++;
    const seen = new Set<Node>();
    const visit = (dir: DirNode): void => {
      dir.entries = new Map(dir.durableEntries);
      for (const node of dir.entries.values()) {
        if (seen.has(node)) continue;
        seen.add(node);
        if (node.kind === 'dir') {
          visit(node);
        } else {
          node.data = Buffer.from(node.durable);
          node.length = node.durable.length;
          node.dirtyFrom = Number.POSITIVE_INFINITY;
          node.lost = [];
        }
      }
    };
    visit(this.root);
    this.operations.push('crash');
  }

  /** The disk fills up after `bytes` more bytes have been written (over all files). */
  failWritesAfter(bytes: number, code = 'ENOSPC'): void {
    this.writeBudget = Math.max(0, bytes);
    this.writeFailCode = code;
  }

  clearWriteFailure(): void {
    this.writeBudget = undefined;
  }

  /** The next fdatasync (of a file whose path matches, when given) fails; see the class comment. */
  failNextSync(code = 'EIO', match?: PathMatch): void {
    this.syncFailure = { code, match };
  }

  /** Renames whose source or target matches reject until cleared. */
  failRename(match: PathMatch, code = 'EIO'): void {
    this.renameFailure = { code, match };
  }

  clearRenameFailure(): void {
    this.renameFailure = undefined;
  }

  /** Directory fsyncs of matching directories reject until cleared. */
  failDirectorySync(match: PathMatch, code = 'EIO'): void {
    this.dirSyncFailure = { code, match };
  }

  clearDirectorySyncFailure(): void {
    this.dirSyncFailure = undefined;
  }

  clearFaults(): void {
    this.writeBudget = undefined;
    this.syncFailure = undefined;
    this.renameFailure = undefined;
    this.dirSyncFailure = undefined;
  }

  // ---- inspection and setup -------------------------------------------------

  /** The bytes a read sees now, or undefined when `path` is not a file. */
  content(path: string): Buffer | undefined {
    const node = this.lookup(normalize(path));
    return node?.kind === 'file' ? Buffer.from(node.data.subarray(0, node.length)) : undefined;
  }

  /** The bytes `path` would hold after a crash now, or undefined when it would not exist. */
  durableContent(path: string): Buffer | undefined {
    const node = this.lookup(normalize(path), true);
    return node?.kind === 'file' ? Buffer.from(node.durable) : undefined;
  }

  /** Every file path that exists now, sorted. */
  paths(): string[] {
    return listFiles(this.root, '', false).sort();
  }

  /** Every file path that would exist after a crash now, sorted. */
  durablePaths(): string[] {
    return listFiles(this.root, '', true).sort();
  }

  /** Test setup: creates `path` (and its parents) holding `data`, all of it durable already. */
  addFile(path: string, data: Buffer | string): void {
    const p = normalize(path);
    const dir = this.ensureDurableDir(posix.dirname(p));
    const bytes = typeof data === 'string' ? Buffer.from(data, 'latin1') : Buffer.from(data);
    const node = newFile();
    node.data = bytes;
    node.length = bytes.length;
    node.durable = Buffer.from(bytes);
    const name = posix.basename(p);
    dir.entries.set(name, node);
    dir.durableEntries.set(name, node);
  }

  /** Test setup: creates directory `path` and its parents, durably. */
  addDirectory(path: string): void {
    this.ensureDurableDir(normalize(path));
  }

  /** Returns and clears the operation log. */
  takeOperations(): string[] {
    return this.operations.splice(0);
  }

  // ---- used by FaultyFileHandle ------------------------------------------

  /** @internal */
  checkHandle(handle: FaultyFileHandle, syscall: string): void {
    if (handle.closed || handle.generation !== this.generation) throw fsError('EBADF', syscall, handle.path);
  }

  /** @internal How much of an `n`-byte write the disk takes (throws when it takes nothing). */
  admitWrite(n: number, path: string): number {
    if (this.writeBudget === undefined || n === 0) return n;
    if (this.writeBudget === 0) throw fsError(this.writeFailCode, 'write', path);
    const admitted = Math.min(n, this.writeBudget);
    this.writeBudget -= admitted;
    return admitted;
  }

  /** @internal True when this fdatasync must fail (consumes the one-shot fault). */
  takeSyncFailure(path: string): string | undefined {
    const failure = this.syncFailure;
    if (failure === undefined || (failure.match !== undefined && !matches(failure.match, path))) return undefined;
    this.syncFailure = undefined;
    return failure.code;
  }

  /** @internal */
  awaitTick(): Promise<void> {
    return this.tick();
  }

  // ---- internals -------------------------------------------------------------

  private lookup(p: string, durable = false): Node | undefined {
    let node: Node = this.root;
    for (const part of components(p)) {
      if (node.kind !== 'dir') return undefined;
      const next: Node | undefined = (durable ? node.durableEntries : node.entries).get(part);
      if (next === undefined) return undefined;
      node = next;
    }
    return node;
  }

  /** Like lookup, but a file used as a directory on the way is ENOTDIR (as the kernel says). */
  private lookupOrThrowNotDir(p: string, syscall: string): Node | undefined {
    let node: Node = this.root;
    for (const part of components(p)) {
      if (node.kind !== 'dir') throw fsError('ENOTDIR', syscall, p);
      const next = node.entries.get(part);
      if (next === undefined) return undefined;
      node = next;
    }
    return node;
  }

  private parentOf(p: string, syscall: string, dest?: string): { dir: DirNode; name: string } {
    if (p === '/') throw fsError('EBUSY', syscall, p, dest);
    const parent = this.lookupOrThrowNotDir(posix.dirname(p), syscall);
    if (parent === undefined) throw fsError('ENOENT', syscall, p, dest);
    if (parent.kind !== 'dir') throw fsError('ENOTDIR', syscall, p, dest);
    return { dir: parent, name: posix.basename(p) };
  }

  private ensureDurableDir(p: string): DirNode {
    let dir = this.root;
    for (const part of components(p)) {
      let next = dir.entries.get(part);
      if (next === undefined) {
        next = newDir();
        dir.entries.set(part, next);
      }
      if (next.kind !== 'dir') throw fsError('ENOTDIR', 'mkdir', p);
      dir.durableEntries.set(part, next);
      dir = next;
    }
    return dir;
  }
}

class FaultyFileHandle implements FileHandle {
  closed = false;
  /** Next write position in 'truncate' mode. */
  private position = 0;

  constructor(
    private readonly fs: FaultyFileSystem,
    private readonly node: FileNode,
    readonly path: string,
    private readonly mode: 'append' | 'truncate' | 'read',
    readonly generation: number,
  ) {}

  async write(data: Buffer): Promise<number> {
    this.fs.checkHandle(this, 'write');
    if (this.mode === 'read') throw fsError('EBADF', 'write', this.path);
    await this.fs.awaitTick();
    return this.writeSync(data);
  }

  writeSync(data: Buffer): number {
    this.fs.checkHandle(this, 'write');
    if (this.mode === 'read') throw fsError('EBADF', 'write', this.path);
    const n = this.fs.admitWrite(data.length, this.path);
    const at = this.mode === 'append' ? this.node.length : this.position;
    writeNode(this.node, at, data.subarray(0, n));
    if (this.mode !== 'append') this.position = at + n;
    this.fs.operations.push(`write ${this.path} ${n}`);
    return n;
  }

  async read(into: Buffer, position: number): Promise<number> {
    this.fs.checkHandle(this, 'read');
    await this.fs.awaitTick();
    this.fs.checkHandle(this, 'read');
    const end = Math.min(this.node.length, position + into.length);
    if (end <= position) return 0;
    return this.node.data.copy(into, 0, position, end);
  }

  async sync(): Promise<void> {
    this.fs.checkHandle(this, 'fsync');
    await this.fs.awaitTick();
    this.fs.checkHandle(this, 'fsync');
    const node = this.node;
    const code = this.fs.takeSyncFailure(this.path);
    if (code !== undefined) {
      // Linux: the dirty pages are now "clean" but never reached the disk.
      if (node.dirtyFrom < node.length) node.lost = addRange(node.lost, node.dirtyFrom, node.length);
      node.dirtyFrom = Number.POSITIVE_INFINITY;
      this.fs.operations.push(`sync-failed ${this.path}`);
      throw fsError(code, 'fsync', this.path);
    }
    const durable = Buffer.from(node.data.subarray(0, node.length));
    for (const [start, end] of node.lost) durable.fill(0, start, Math.min(end, durable.length));
    node.durable = durable;
    node.dirtyFrom = Number.POSITIVE_INFINITY;
    this.fs.operations.push(`sync ${this.path}`);
  }

  async truncate(length: number): Promise<void> {
    this.fs.checkHandle(this, 'ftruncate');
    if (this.mode === 'read') throw fsError('EINVAL', 'ftruncate', this.path);
    await this.fs.awaitTick();
    this.fs.checkHandle(this, 'ftruncate');
    truncateNode(this.node, length);
    if (this.position > length) this.position = length;
    this.fs.operations.push(`truncate ${this.path} ${length}`);
  }

  async size(): Promise<number> {
    this.fs.checkHandle(this, 'fstat');
    await this.fs.awaitTick();
    return this.node.length;
  }

  async close(): Promise<void> {
    this.fs.checkHandle(this, 'close');
    this.closed = true;
  }
}

// ---- nodes ---------------------------------------------------------------

interface FileNode {
  kind: 'file';
  /** Current bytes: data[0, length); the buffer may have spare capacity. */
  data: Buffer;
  length: number;
  /** What survives a crash. */
  durable: Buffer;
  /** Lowest offset changed since the last sync (Infinity when clean). */
  dirtyFrom: number;
  /** Ranges whose sync failed: they never become durable unless rewritten. Sorted, disjoint. */
  lost: Array<[number, number]>;
}

interface DirNode {
  kind: 'dir';
  entries: Map<string, Node>;
  durableEntries: Map<string, Node>;
}

type Node = FileNode | DirNode;

function newFile(): FileNode {
  return { kind: 'file', data: Buffer.alloc(0), length: 0, durable: Buffer.alloc(0), dirtyFrom: Number.POSITIVE_INFINITY, lost: [] };
}

function newDir(): DirNode {
  return { kind: 'dir', entries: new Map(), durableEntries: new Map() };
}

function ensureCapacity(node: FileNode, size: number): void {
  if (node.data.length >= size) return;
  const grown = Buffer.alloc(Math.max(size, node.data.length * 2, 256));
  node.data.copy(grown, 0, 0, node.length);
  node.data = grown;
}

function writeNode(node: FileNode, at: number, bytes: Buffer): void {
  if (bytes.length === 0) return;
  if (at > node.length) truncateNode(node, at);
  ensureCapacity(node, at + bytes.length);
  bytes.copy(node.data, at);
  node.length = Math.max(node.length, at + bytes.length);
  node.dirtyFrom = Math.min(node.dirtyFrom, at);
  node.lost = subtractRange(node.lost, at, at + bytes.length);
}

function truncateNode(node: FileNode, length: number): void {
  if (length < node.length) {
    node.length = length;
    node.lost = subtractRange(node.lost, length, Number.POSITIVE_INFINITY);
    node.dirtyFrom = Math.min(node.dirtyFrom, length);
  } else if (length > node.length) {
    ensureCapacity(node, length);
    node.data.fill(0, node.length, length);
    node.dirtyFrom = Math.min(node.dirtyFrom, node.length);
    node.length = length;
  }
}

function addRange(ranges: Array<[number, number]>, start: number, end: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let s = start;
  let e = end;
  for (const [a, b] of ranges) {
    if (b < s || a > e) out.push([a, b]);
    else {
      s = Math.min(s, a);
      e = Math.max(e, b);
    }
  }
  out.push([s, e]);
  return out.sort((x, y) => x[0] - y[0]);
}

function subtractRange(ranges: Array<[number, number]>, start: number, end: number): Array<[number, number]> {
  if (ranges.length === 0) return ranges;
  const out: Array<[number, number]> = [];
  for (const [a, b] of ranges) {
    if (b <= start || a >= end) {
      out.push([a, b]);
      continue;
    }
    if (a < start) out.push([a, start]);
    if (b > end) out.push([end, b]);
  }
  return out;
}

function listFiles(dir: DirNode, prefix: string, durable: boolean): string[] {
  const out: string[] = [];
  for (const [name, node] of durable ? dir.durableEntries : dir.entries) {
    const p = `${prefix}/${name}`;
    if (node.kind === 'file') out.push(p);
    else out.push(...listFiles(node, p, durable));
  }
  return out;
}

// ---- paths and errors ------------------------------------------------------

function normalize(path: string): string {
  return posix.resolve('/', path);
}

function components(p: string): string[] {
  return p === '/' ? [] : p.slice(1).split('/');
}

function matches(match: PathMatch, path: string): boolean {
  if (typeof match === 'string') return path.includes(match);
  if (match instanceof RegExp) return match.test(path);
  return match(path);
}

const MESSAGES: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EEXIST: 'file already exists',
  EISDIR: 'illegal operation on a directory',
  ENOTDIR: 'not a directory',
  ENOTEMPTY: 'directory not empty',
  EBADF: 'bad file descriptor',
  EINVAL: 'invalid argument',
  EBUSY: 'resource busy or locked',
  ENOSPC: 'no space left on device',
  EIO: 'i/o error',
  EDQUOT: 'disk quota exceeded',
};

function fsError(code: string, syscall: string, path: string, dest?: string): NodeJS.ErrnoException {
  const where = dest === undefined ? `'${path}'` : `'${path}' -> '${dest}'`;
  const error: NodeJS.ErrnoException = new Error(`${code}: ${MESSAGES[code] ?? 'error'}, ${syscall} ${where}`);
  error.code = code;
  error.syscall = syscall;
  error.path = path;
  if (dest !== undefined) (error as NodeJS.ErrnoException & { dest?: string }).dest = dest;
  return error;
}
