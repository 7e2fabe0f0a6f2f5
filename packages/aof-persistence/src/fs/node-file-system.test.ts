import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nodeFileSystem as fs } from './node-file-system.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aki-nodefs-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('nodeFileSystem', () => {
  it('appends, syncs, reads at a position, truncates and sizes', async () => {
    await fs.mkdir(join(dir, 'a/b'));
    await fs.mkdir(join(dir, 'a/b'));
    const path = join(dir, 'a/b/f');
    const h = await fs.open(path, 'append');
    expect(await h.write(Buffer.from('hello world'))).toBe(11);
    await h.sync();
    expect(await h.size()).toBe(11);
    await h.truncate(5);
    expect(await h.write(Buffer.from('!'))).toBe(1);
    await h.close();
    expect((await fs.readFile(path)).toString()).toBe('hello!');
    const r = await fs.open(path, 'read');
    const into = Buffer.alloc(3);
    expect(await r.read(into, 2)).toBe(3);
    expect(into.toString()).toBe('llo');
    expect(await r.read(into, 6)).toBe(0);
    await r.close();
    expect(await fs.size(path)).toBe(6);
    expect(await fs.size(join(dir, 'nope'))).toBeUndefined();
    expect(await fs.isDirectory(join(dir, 'a'))).toBe(true);
    expect(await fs.isDirectory(path)).toBe(false);
    expect(await fs.isDirectory(join(path, 'x'))).toBe(false);
    expect(await fs.readdir(join(dir, 'a/b'))).toEqual(['f']);
  });

  it('truncate mode writes from the start and continues after a cut', async () => {
    const path = join(dir, 't');
    const h = await fs.open(path, 'truncate');
    await h.write(Buffer.from('abcdef'));
    await h.truncate(2);
    await h.write(Buffer.from('Z'));
    await h.close();
    expect((await fs.readFile(path)).toString()).toBe('abZ');
    await fs.truncate(path, 1);
    expect((await fs.readFile(path)).toString()).toBe('a');
  });

  it('renames, fsyncs a directory, unlinks (missing is fine)', async () => {
    const a = join(dir, 'a');
    const h = await fs.open(a, 'truncate');
    await h.write(Buffer.from('x'));
    await h.close();
    await fs.rename(a, join(dir, 'b'));
    await fs.syncDirectory(dir);
    expect(await fs.readdir(dir)).toEqual(['b']);
    await fs.unlink(join(dir, 'b'));
    await fs.unlink(join(dir, 'b'));
    await expect(fs.open(join(dir, 'missing'), 'read')).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(fs.syncDirectory(join(dir, 'missing'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
