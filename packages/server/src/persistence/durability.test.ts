import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  connectClient,
  freshFileSystem as freshFs,
  powerLoss,
  startServer as start,
  stopAll,
} from '../testing/persistent-server.js';

/**
 * What each fsync policy promises, shown with the fake file system's
 * `crash()`: it drops every byte that was not fsynced, as a power loss would.
 */

afterEach(stopAll);

const text = (value: unknown): unknown => (Buffer.isBuffer(value) ? value.toString('latin1') : value);

describe('appendfsync always: group commit', () => {
  it('loses no acknowledged write when every un-fsynced byte vanishes', async () => {
    const fs = await freshFs();
    const first = await start(fs, [['appendonly', 'yes'], ['appendfsync', 'always']]);
    const acknowledged: number[] = [];
    const inFlight: Array<Promise<void>> = [];
    // Pipelined writes from one client and acknowledged in order; crash at an arbitrary point.
    for (let i = 0; i < 400; i++) {
      inFlight.push(
        first.client.call('SET', `key:${i}`, `value:${i}`).then((reply) => {
          if (text(reply) === 'OK') acknowledged.push(i);
        }),
      );
      if (i === 250) await inFlight[200];
    }
    await inFlight[300];
    await powerLoss(fs, first);
    await Promise.allSettled(inFlight);
    expect(acknowledged.length).toBeGreaterThan(300);

    const second = await start(fs, [['appendonly', 'yes'], ['appendfsync', 'always']]);
    for (const i of acknowledged) {
      expect(text(await second.client.call('GET', `key:${i}`))).toBe(`value:${i}`);
    }
  });

  it('holds even a read reply until the write it observed is durable', async () => {
    const fs = await freshFs();
    const started = await start(fs, [['appendonly', 'yes'], ['appendfsync', 'always']]);
    const writer = started.client;
    const reader = await connectClient(started.server.port);
    const write = writer.call('SET', 'k', 'v');
    const read = reader.call('GET', 'k');
    const [, seen] = await Promise.all([write, read]);
    if (text(seen) === 'v') {
      // The reader saw the value, so it must survive a power loss now.
      await powerLoss(fs, started);
      const after = await start(fs, [['appendonly', 'yes'], ['appendfsync', 'always']]);
      expect(text(await after.client.call('GET', 'k'))).toBe('v');
    }
  });
});

describe('appendfsync everysec', () => {
  it('loses at most about the last two seconds of writes on power loss', async () => {
    const fs = await freshFs();
    const first = await start(fs, [['appendonly', 'yes'], ['appendfsync', 'everysec']]);
    await first.client.call('SET', 'old', '1');
    await new Promise((resolve) => setTimeout(resolve, 2500));
    await first.client.call('SET', 'recent', '1');
    await powerLoss(fs, first);
    const second = await start(fs, [['appendonly', 'yes'], ['appendfsync', 'everysec']]);
    expect(text(await second.client.call('GET', 'old'))).toBe('1');
  }, 15_000);
});

describe('write errors', () => {
  it('everysec: a failed fsync refuses writes with MISCONF, keeps reads, and recovers with a fresh base', async () => {
    const fs = await freshFs();
    const started = await start(fs, [['appendonly', 'yes'], ['appendfsync', 'no']]);
    const { client } = started;
    await client.call('SET', 'a', '1');
    fs.failWritesAfter(0, 'ENOSPC');
    await client.call('SET', 'b', '2');
    // The failed write is noticed once it is attempted.
    let refused: unknown;
    for (let i = 0; i < 100; i++) {
      refused = await client.call('SET', 'c', '3');
      if (refused instanceof Error) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect((refused as Error).message).toBe('MISCONF Errors writing to the AOF file: No space left on device');
    expect(text(await client.call('GET', 'a'))).toBe('1');
    expect((await client.call('PING')) instanceof Error).toBe(true);
    fs.clearWriteFailure();
    let accepted: unknown;
    for (let i = 0; i < 50; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      accepted = await client.call('SET', 'c', '3');
      if (!(accepted instanceof Error)) break;
    }
    expect(text(accepted)).toBe('OK');
    // The fresh base holds what memory had (b included) and survives a power loss.
    await client.call('WAITAOF', '0', '0', '0');
    await new Promise((resolve) => setTimeout(resolve, 50));
    await started.server.persistence.aof.syncAll();
    await powerLoss(fs, started);
    const after = await start(fs, [['appendonly', 'yes']]);
    expect(text(await after.client.call('GET', 'b'))).toBe('2');
    expect(text(await after.client.call('GET', 'c'))).toBe('3');
  }, 15_000);

  it('always: a failed write stops the server rather than acknowledge it', async () => {
    const fs = await freshFs();
    const started = await start(fs, [['appendonly', 'yes'], ['appendfsync', 'always']]);
    fs.failNextSync('EIO');
    const reply = started.client.call('SET', 'x', '1');
    for (let i = 0; i < 100 && started.exits.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(started.exits).toEqual([1]);
    // The client is never told OK for a write that may not be on disk.
    const settled = await Promise.race([reply, new Promise((resolve) => setTimeout(() => resolve('pending'), 100))]);
    expect(settled).toBe('pending');
  });
});

describe('rewrite', () => {
  it('BGREWRITEAOF while writes continue: nothing is lost across the switch, and the old files go', async () => {
    const fs = await freshFs();
    const started = await start(fs, [['appendonly', 'yes'], ['appendfsync', 'everysec']]);
    const { client } = started;
    const writes: Array<Promise<unknown>> = [];
    for (let i = 0; i < 3000; i++) writes.push(client.call('RPUSH', `list:${i % 50}`, String(i)));
    await Promise.all(writes.slice(0, 1000));
    expect(text(await client.call('BGREWRITEAOF'))).toBe('Background append only file rewriting started');
    for (let i = 0; i < 2000; i++) writes.push(client.call('INCR', 'counter'));
    await Promise.all(writes);
    for (let i = 0; i < 200; i++) {
      const info = String(text(await client.call('INFO', 'persistence')));
      if (info.includes('aof_rewrite_in_progress:0') && info.includes('aof_rewrites:1')) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const digest = text(await client.call('DEBUG', 'DIGEST'));
    await started.server.persistence.aof.syncAll();
    const names = fs.paths().map((p) => path.basename(p)).filter((n) => n.startsWith('appendonly.aof'));
    expect(names.sort()).toEqual(['appendonly.aof.2.base.rdb', 'appendonly.aof.2.incr.aof', 'appendonly.aof.manifest']);
    await powerLoss(fs, started);
    const after = await start(fs, [['appendonly', 'yes']]);
    expect(text(await after.client.call('DEBUG', 'DIGEST'))).toBe(digest);
    expect(text(await after.client.call('GET', 'counter'))).toBe('2000');
  }, 20_000);
});
