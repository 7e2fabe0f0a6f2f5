import { describe, expect, it } from 'vitest';
import { FaultyFileSystem } from '../fs/faulty-file-system.js';
import { AofWriter, type FsyncPolicy } from './writer.js';

const FILE = '/data/appendonlydir/appendonly.aof.1.incr.aof';

async function setup(policy: FsyncPolicy, clock?: () => number) {
  const fs = new FaultyFileSystem();
  await fs.mkdir('/data/appendonlydir');
  await fs.syncDirectory('/data/appendonlydir');
  await fs.syncDirectory('/data');
  await fs.syncDirectory('/');
  const handle = await fs.open(FILE, 'append');
  await fs.syncDirectory('/data/appendonlydir');
  const failures: NodeJS.ErrnoException[] = [];
  const writer = new AofWriter(handle, 0, 0, {
    policy,
    onFailure: (error) => failures.push(error),
    ...(clock === undefined ? {} : { clock }),
  });
  let offset = 0;
  const append = (text: string): number => {
    const bytes = Buffer.from(text, 'latin1');
    offset += bytes.length;
    writer.append(bytes, offset);
    return offset;
  };
  return { fs, writer, failures, append };
}

/** Resolves once `check` holds, polling the event loop (the writer works through the threadpool-free fake). */
async function until(check: () => boolean, turns = 10_000): Promise<void> {
  for (let i = 0; i < turns; i++) {
    if (check()) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  throw new Error('condition not reached');
}

describe('AofWriter under appendfsync always', () => {
  it('releases an offset only once its bytes are fsynced, and a crash keeps every released byte', async () => {
    const { fs, writer, append } = await setup('always');
    const end = append('*1\r\n$4\r\nPING\r\n');
    expect(writer.releasedOffset).toBe(0);
    await until(() => writer.releasedOffset >= end);
    expect(writer.syncedOffset).toBe(end);
    fs.crash();
    expect(fs.durableContent(FILE)?.toString('latin1')).toBe('*1\r\n$4\r\nPING\r\n');
  });

  it('group-commits: batches appended while an fsync runs share the next one', async () => {
    const { fs, writer, append } = await setup('always');
    append('a');
    await new Promise<void>((resolve) => setImmediate(resolve));
    // The first group is in flight now; these three join the second.
    append('b');
    append('c');
    const last = append('d');
    fs.takeOperations();
    await until(() => writer.releasedOffset >= last);
    const syncs = fs.takeOperations().filter((op) => op.startsWith('sync'));
    expect(syncs.length).toBeLessThanOrEqual(2);
    expect(fs.durableContent(FILE)?.toString('latin1')).toBe('abcd');
  });

  it('under random crashes never loses a released byte (property over many runs)', async () => {
    for (let run = 0; run < 40; run++) {
      const { fs, writer, append } = await setup('always');
      let released = '';
      let all = '';
      const steps = 5 + (run % 17);
      for (let i = 0; i < steps; i++) {
        const text = `${run}:${i};`;
        all += text;
        append(text);
        if (i % 3 === run % 3) await new Promise<void>((resolve) => setImmediate(resolve));
        released = all.slice(0, writer.releasedOffset);
      }
      fs.crash();
      const survived = fs.durableContent(FILE)?.toString('latin1') ?? '';
      expect(survived.startsWith(released)).toBe(true);
      expect(all.startsWith(survived)).toBe(true);
    }
  });

  it('reports a failed fsync once, never releases what it could not sync, and drops later appends', async () => {
    const { fs, writer, failures, append } = await setup('always');
    fs.failNextSync('EIO');
    const end = append('x');
    await until(() => failures.length === 1);
    expect(failures[0]!.code).toBe('EIO');
    expect(writer.failure).toBeDefined();
    expect(writer.releasedOffset).toBeLessThan(end);
    append('y');
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(fs.content(FILE)?.toString('latin1')).toBe('x');
    await expect(writer.syncAll()).rejects.toMatchObject({ code: 'EIO' });
  });
});

describe('AofWriter under everysec and no', () => {
  it('everysec releases once written, and fsyncs within about a second', async () => {
    let now = 0;
    const { fs, writer, append } = await setup('everysec', () => now);
    const end = append('SET');
    await until(() => writer.releasedOffset >= end);
    expect(writer.syncedOffset).toBe(0);
    fs.crash();
    // Written but not fsynced: a power loss takes it (a process crash would not).
    expect(fs.durableContent(FILE)?.length ?? 0).toBe(0);
  });

  it('everysec loses at most the last second of writes when un-fsynced bytes vanish', async () => {
    let now = 0;
    const { fs, writer, append } = await setup('everysec', () => now);
    append('old;');
    await until(() => writer.writtenOffset === 4);
    now += 1000;
    // The timer ticks every 250 ms of real time; drive it by waiting for the sync.
    await until(() => writer.syncedOffset === 4, 2_000_000);
    append('recent;');
    await until(() => writer.writtenOffset === 11);
    fs.crash();
    expect(fs.durableContent(FILE)?.toString('latin1')).toBe('old;');
  }, 10_000);

  it('a short write (disk full) is cut back and reported as ENOSPC', async () => {
    const { fs, writer, failures, append } = await setup('no');
    append('12345');
    await until(() => writer.writtenOffset === 5);
    fs.failWritesAfter(3);
    append('abcdef');
    await until(() => failures.length === 1);
    expect(failures[0]!.code).toBe('ENOSPC');
    // The torn part is cut off right after the failure is reported.
    await until(() => fs.content(FILE)?.length === 5);
    expect(fs.content(FILE)?.toString('latin1')).toBe('12345');
    expect(writer.fileSize).toBe(5);
  });

  it('syncAll forces an fsync under no', async () => {
    const { fs, writer, append } = await setup('no');
    append('abc');
    await writer.syncAll();
    fs.crash();
    expect(fs.durableContent(FILE)?.toString('latin1')).toBe('abc');
  });

  it('switching to always fsyncs what was only written', async () => {
    const { writer, append } = await setup('no');
    const end = append('abc');
    await until(() => writer.writtenOffset === end);
    writer.setPolicy('always');
    expect(writer.releasedOffset).toBeLessThan(end);
    await until(() => writer.releasedOffset === end);
  });
});
