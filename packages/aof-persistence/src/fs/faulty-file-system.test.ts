import { describe, expect, it } from 'vitest';
import { FaultyFileSystem } from './faulty-file-system.js';

const b = (s: string) => Buffer.from(s, 'latin1');

async function code(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code;
  }
  return undefined;
}

describe('FaultyFileSystem basics', () => {
  it('creates, appends, reads, lists and sizes files', async () => {
    const fs = new FaultyFileSystem();
    await fs.mkdir('/d/e');
    const h = await fs.open('/d/e/f', 'append');
    expect(await h.write(b('hello '))).toBe(6);
    expect(await h.write(b('world'))).toBe(5);
    expect(await h.size()).toBe(11);
    await h.close();
    expect((await fs.readFile('/d/e/f')).toString()).toBe('hello world');
    expect(await fs.size('/d/e/f')).toBe(11);
    expect(await fs.size('/d/e/nope')).toBeUndefined();
    expect(await fs.isDirectory('/d/e')).toBe(true);
    expect(await fs.isDirectory('/d/e/f')).toBe(false);
    expect(await fs.readdir('/d/e')).toEqual(['f']);
    expect(fs.paths()).toEqual(['/d/e/f']);
    const again = await fs.open('/d/e/f', 'append');
    await again.write(b('!'));
    expect(fs.content('/d/e/f')!.toString()).toBe('hello world!');
  });

  it('truncate mode empties the file and writes from the start; read needs the file', async () => {
    const fs = new FaultyFileSystem();
    fs.addFile('/x', 'old content');
    const h = await fs.open('/x', 'truncate');
    expect(fs.content('/x')!.length).toBe(0);
    await h.write(b('new'));
    expect(fs.content('/x')!.toString()).toBe('new');
    expect(await code(fs.open('/missing', 'read'))).toBe('ENOENT');
    expect(await code(fs.open('/no/dir/file', 'append'))).toBe('ENOENT');
  });

  it('reads at a position', async () => {
    const fs = new FaultyFileSystem();
    fs.addFile('/x', '0123456789');
    const h = await fs.open('/x', 'read');
    const into = Buffer.alloc(4);
    expect(await h.read(into, 3)).toBe(4);
    expect(into.toString()).toBe('3456');
    expect(await h.read(into, 8)).toBe(2);
    expect(await h.read(into, 10)).toBe(0);
    expect(await code(h.write(b('x')))).toBe('EBADF');
  });

  it('handle truncate cuts the file and later writes continue right after', async () => {
    const fs = new FaultyFileSystem();
    const h = await fs.open('/x', 'truncate');
    await h.write(b('abcdef'));
    await h.truncate(2);
    await h.write(b('Z'));
    expect(fs.content('/x')!.toString()).toBe('abZ');
    await fs.truncate('/x', 1);
    expect(fs.content('/x')!.toString()).toBe('a');
  });

  it('renames atomically over an existing file; unlink ignores a missing file', async () => {
    const fs = new FaultyFileSystem();
    fs.addFile('/a', 'A');
    fs.addFile('/b', 'B');
    await fs.rename('/a', '/b');
    expect(fs.paths()).toEqual(['/b']);
    expect(fs.content('/b')!.toString()).toBe('A');
    expect(await code(fs.rename('/a', '/c'))).toBe('ENOENT');
    await fs.unlink('/b');
    await fs.unlink('/b');
    await fs.unlink('/nodir/b');
    expect(fs.paths()).toEqual([]);
  });

  it('reports Node-style errors', async () => {
    const fs = new FaultyFileSystem();
    fs.addFile('/f', 'x');
    expect(await code(fs.readFile('/nope'))).toBe('ENOENT');
    expect(await code(fs.readdir('/f'))).toBe('ENOTDIR');
    expect(await code(fs.readdir('/nope'))).toBe('ENOENT');
    expect(await code(fs.mkdir('/f'))).toBe('EEXIST');
    expect(await code(fs.mkdir('/f/g'))).toBe('ENOTDIR');
    expect(await code(fs.open('/', 'append'))).toBe('EISDIR');
    await fs.mkdir('/f2'); // no error when it exists
    await fs.mkdir('/f2');
  });
});

describe('FaultyFileSystem crash model', () => {
  it('keeps synced bytes and drops unsynced ones', async () => {
    const fs = new FaultyFileSystem();
    fs.addDirectory('/d');
    const h = await fs.open('/d/f', 'append');
    await fs.syncDirectory('/d');
    await h.write(b('durable;'));
    await h.sync();
    await h.write(b('volatile'));
    expect(fs.content('/d/f')!.toString()).toBe('durable;volatile');
    expect(fs.durableContent('/d/f')!.toString()).toBe('durable;');
    fs.crash();
    expect(fs.content('/d/f')!.toString()).toBe('durable;');
    expect(await code(h.write(b('x')))).toBe('EBADF');
    expect(await code(h.sync())).toBe('EBADF');
  });

  it('loses a created file whose directory was not synced, even when the file was', async () => {
    const fs = new FaultyFileSystem();
    fs.addDirectory('/d');
    const h = await fs.open('/d/new', 'append');
    await h.write(b('data'));
    await h.sync();
    expect(fs.durablePaths()).toEqual([]);
    fs.crash();
    expect(fs.paths()).toEqual([]);
  });

  it('undoes an unsynced rename (the old target comes back) and keeps a synced one', async () => {
    const fs = new FaultyFileSystem();
    fs.addFile('/d/manifest', 'old');
    const t = await fs.open('/d/temp', 'truncate');
    await t.write(b('new'));
    await t.sync();
    await t.close();
    await fs.rename('/d/temp', '/d/manifest');
    expect(fs.content('/d/manifest')!.toString()).toBe('new');
    expect(fs.durableContent('/d/manifest')!.toString()).toBe('old');
    fs.crash();
    expect(fs.content('/d/manifest')!.toString()).toBe('old');
    expect(fs.paths()).toEqual(['/d/manifest']); // temp was never durable either

    const t2 = await fs.open('/d/temp', 'truncate');
    await t2.write(b('new'));
    await t2.sync();
    await fs.rename('/d/temp', '/d/manifest');
    await fs.syncDirectory('/d');
    fs.crash();
    expect(fs.content('/d/manifest')!.toString()).toBe('new');
    expect(fs.paths()).toEqual(['/d/manifest']);
  });

  it('brings back an unlinked file when its directory was not synced', async () => {
    const fs = new FaultyFileSystem();
    fs.addFile('/d/f', 'keep');
    await fs.unlink('/d/f');
    fs.crash();
    expect(fs.content('/d/f')!.toString()).toBe('keep');
    await fs.unlink('/d/f');
    await fs.syncDirectory('/d');
    fs.crash();
    expect(fs.paths()).toEqual([]);
  });

  it('loses a new directory unless its parent was synced', async () => {
    const fs = new FaultyFileSystem();
    fs.addDirectory('/data');
    await fs.mkdir('/data/aof');
    fs.crash();
    expect(await fs.isDirectory('/data/aof')).toBe(false);
    await fs.mkdir('/data/aof');
    await fs.syncDirectory('/data');
    fs.crash();
    expect(await fs.isDirectory('/data/aof')).toBe(true);
  });

  it('restores an unsynced truncation', async () => {
    const fs = new FaultyFileSystem();
    fs.addFile('/f', 'abcdef');
    await fs.truncate('/f', 3);
    fs.crash();
    expect(fs.content('/f')!.toString()).toBe('abcdef');
    const h = await fs.open('/f', 'append');
    await h.truncate(3);
    await h.sync();
    fs.crash();
    expect(fs.content('/f')!.toString()).toBe('abc');
  });
});

describe('FaultyFileSystem faults', () => {
  it('failWritesAfter: the crossing write is short, later writes reject, clearing restores', async () => {
    const fs = new FaultyFileSystem();
    const h = await fs.open('/f', 'append');
    await h.write(b('12345'));
    fs.failWritesAfter(3);
    expect(await h.write(b('abcdef'))).toBe(3);
    expect(fs.content('/f')!.toString()).toBe('12345abc');
    expect(await code(h.write(b('x')))).toBe('ENOSPC');
    const other = await fs.open('/g', 'append');
    expect(await code(other.write(b('x')))).toBe('ENOSPC');
    fs.clearWriteFailure();
    expect(await h.write(b('!'))).toBe(1);
    fs.failWritesAfter(0, 'EDQUOT');
    expect(await code(h.write(b('x')))).toBe('EDQUOT');
  });

  it('failNextSync: the sync rejects once; its bytes are lost at a crash although a later sync succeeds', async () => {
    const fs = new FaultyFileSystem();
    fs.addDirectory('/d');
    const h = await fs.open('/d/f', 'append');
    await fs.syncDirectory('/d');
    await h.write(b('AAAA'));
    await h.sync();
    await h.write(b('BBBB'));
    fs.failNextSync();
    expect(await code(h.sync())).toBe('EIO');
    await h.sync(); // "succeeds": the kernel thinks the pages are clean
    expect(fs.content('/d/f')!.toString()).toBe('AAAABBBB'); // still readable from the cache
    expect(fs.durableContent('/d/f')!.toString('latin1')).toBe('AAAA\0\0\0\0');
    fs.crash();
    expect(fs.content('/d/f')!.toString('latin1')).toBe('AAAA\0\0\0\0');
  });

  it('failNextSync: without a later sync the lost bytes are simply gone; bytes written later are durable', async () => {
    const fs = new FaultyFileSystem();
    fs.addDirectory('/d');
    const h = await fs.open('/d/f', 'append');
    await fs.syncDirectory('/d');
    await h.write(b('AAAA'));
    fs.failNextSync('EIO', '/d/f');
    expect(await code(h.sync())).toBe('EIO');
    expect(fs.durableContent('/d/f')!.length).toBe(0);
    await h.write(b('CC'));
    await h.sync();
    expect(fs.durableContent('/d/f')!.toString('latin1')).toBe('\0\0\0\0CC');
  });

  it('failNextSync with a match leaves other files alone', async () => {
    const fs = new FaultyFileSystem();
    const a = await fs.open('/a', 'append');
    const other = await fs.open('/other', 'append');
    fs.failNextSync('EIO', '/a');
    await other.sync();
    expect(await code(a.sync())).toBe('EIO');
    await a.sync();
  });

  it('failRename and failDirectorySync reject until cleared', async () => {
    const fs = new FaultyFileSystem();
    fs.addFile('/d/temp-x', 'x');
    fs.failRename('temp-');
    expect(await code(fs.rename('/d/temp-x', '/d/x'))).toBe('EIO');
    expect(fs.paths()).toEqual(['/d/temp-x']);
    fs.clearRenameFailure();
    await fs.rename('/d/temp-x', '/d/x');
    fs.failDirectorySync(/^\/d$/);
    expect(await code(fs.syncDirectory('/d'))).toBe('EIO');
    fs.crash();
    expect(fs.paths()).toEqual(['/d/temp-x']);
    fs.clearFaults();
    await fs.syncDirectory('/d');
  });

  it('logs operations in order', async () => {
    const fs = new FaultyFileSystem();
    fs.addDirectory('/d');
    const h = await fs.open('/d/t', 'truncate');
    await h.write(b('m'));
    await h.sync();
    await fs.rename('/d/t', '/d/m');
    await fs.syncDirectory('/d');
    expect(fs.takeOperations()).toEqual(['create /d/t', 'write /d/t 1', 'sync /d/t', 'rename /d/t /d/m', 'syncDirectory /d']);
    expect(fs.operations).toEqual([]);
  });
});
