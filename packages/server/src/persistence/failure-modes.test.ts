import { afterEach, describe, expect, it } from 'vitest';
import {
  connectClient,
  freshFileSystem,
  plainReply,
  powerLoss,
  startServer,
  stopAll,
} from '../testing/persistent-server.js';

/** Shutdown, reload and rewrite paths where a mistake would lose acknowledged writes or files. */

afterEach(stopAll);

async function eventually(check: () => Promise<boolean>, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function infoField(call: (...argv: string[]) => Promise<unknown>, field: string): Promise<string | undefined> {
  const info = String(await call('INFO', 'persistence'));
  return info.match(new RegExp(`^${field}:(.*)\\r$`, 'm'))?.[1];
}

describe('SHUTDOWN', () => {
  it('refused because dump.rdb cannot be saved: the server keeps running with its AOF on', async () => {
    const fs = await freshFileSystem();
    const started = await startServer(fs, [['appendonly', 'yes'], ['save', '3600 1']]);
    const { call } = started;
    await call('SET', 'a', '1');
    fs.failRename(/dump\.rdb$/);
    expect(await call('SHUTDOWN')).toBe('ERROR: ERR Errors trying to SHUTDOWN. Check logs.');
    fs.clearRenameFailure();
    expect(await call('SET', 'b', '2')).toBe('OK');
    expect(await infoField(call, 'aof_enabled')).toBe('1');
    expect(await call('WAITAOF', '1', '0', '0')).toEqual([1, 0]);
    await powerLoss(fs, started);
    const after = await startServer(fs, [['appendonly', 'yes']]);
    expect(await after.call('MGET', 'a', 'b')).toEqual(['1', '2']);
  });

  it('runs no command while it saves: every write acknowledged before the exit is in the files', async () => {
    const fs = await freshFileSystem();
    const started = await startServer(fs, [['appendonly', 'yes'], ['appendfsync', 'everysec'], ['save', '3600 1']]);
    const writer = await connectClient(started.server.port);
    const acknowledged: number[] = [];
    let stop = false;
    const loop = (async () => {
      for (let i = 0; !stop; i++) {
        const reply = plainReply(await writer.call('SET', `k:${i}`, String(i)));
        if (reply !== 'OK') break;
        acknowledged.push(i);
      }
    })();
    await eventually(async () => acknowledged.length > 200);
    void started.client.call('SHUTDOWN');
    await started.server.closed;
    stop = true;
    await loop;
    const after = await startServer(fs, [['appendonly', 'yes']]);
    for (const i of acknowledged) expect(await after.call('GET', `k:${i}`)).toBe(String(i));
  });

  it('a second SHUTDOWN while one runs shares its outcome', async () => {
    const fs = await freshFileSystem();
    const started = await startServer(fs, [['appendonly', 'yes'], ['save', '3600 1']]);
    await started.call('SET', 'a', '1');
    fs.failRename(/dump\.rdb$/);
    const other = await connectClient(started.server.port);
    const [first, second] = await Promise.all([started.call('SHUTDOWN'), other.call('SHUTDOWN').then(plainReply)]);
    expect(first).toBe('ERROR: ERR Errors trying to SHUTDOWN. Check logs.');
    expect(second).toBe('ERROR: ERR Errors trying to SHUTDOWN. Check logs.');
  });
});

describe('DEBUG LOADAOF', () => {
  it('replays the AOF without appending it to itself', async () => {
    const fs = await freshFileSystem();
    const started = await startServer(fs, [['appendonly', 'yes']]);
    const { call } = started;
    for (let i = 0; i < 5; i++) await call('RPUSH', 'l', String(i));
    const size = await infoField(call, 'aof_current_size');
    expect(await call('DEBUG', 'LOADAOF')).toBe('OK');
    expect(await call('LLEN', 'l')).toBe(5);
    expect(await infoField(call, 'aof_current_size')).toBe(size);
    await call('RPUSH', 'l', '5');
    expect(await call('WAITAOF', '1', '0', '0')).toEqual([1, 0]);
    await powerLoss(fs, started);
    const after = await startServer(fs, [['appendonly', 'yes']]);
    expect(await after.call('LLEN', 'l')).toBe(6);
  });
});

describe('rewrites that hit disk errors', () => {
  it('a failed directory fsync after the manifest rename keeps every file a restart may need', async () => {
    const fs = await freshFileSystem();
    const started = await startServer(fs, [['appendonly', 'yes'], ['appendfsync', 'always']]);
    const { call } = started;
    for (let i = 0; i < 100; i++) await call('SET', `k:${i}`, String(i));
    fs.failDirectorySync(/appendonlydir$/);
    await call('BGREWRITEAOF');
    await eventually(async () => (await infoField(call, 'aof_rewrite_in_progress')) === '0');
    fs.clearDirectorySyncFailure();
    await powerLoss(fs, started);
    const after = await startServer(fs, [['appendonly', 'yes']]);
    expect(await after.call('DBSIZE')).toBe(100);
  });

  it('a failed BGSAVE releases its snapshot: the next BGSAVE and BGREWRITEAOF work', async () => {
    const fs = await freshFileSystem();
    const { call } = await startServer(fs, [['appendonly', 'yes']]);
    await call('SET', 'a', '1');
    fs.failWritesAfter(0);
    expect(await call('BGSAVE')).toBe('Background saving started');
    await eventually(async () => (await infoField(call, 'rdb_bgsave_in_progress')) === '0');
    expect(await infoField(call, 'rdb_last_bgsave_status')).toBe('err');
    fs.clearWriteFailure();
    await eventually(async () => (await infoField(call, 'aof_last_write_status')) === 'ok', 8000);
    expect(await call('BGSAVE')).toBe('Background saving started');
    await eventually(async () => (await infoField(call, 'rdb_bgsave_in_progress')) === '0');
    expect(await infoField(call, 'rdb_last_bgsave_status')).toBe('ok');
  }, 15_000);

  it('under always, WAITAOF during the first rewrite of CONFIG SET appendonly yes waits until the file is listed', async () => {
    const fs = await freshFileSystem();
    const started = await startServer(fs, [['appendonly', 'no'], ['appendfsync', 'always']]);
    const { call } = started;
    for (let i = 0; i < 2000; i++) void call('SET', `filler:${i}`, 'x'.repeat(100));
    expect(await call('CONFIG', 'SET', 'appendonly', 'yes')).toBe('OK');
    expect(await call('SET', 'x', '1')).toBe('OK');
    expect(await call('WAITAOF', '1', '0', '0')).toEqual([1, 0]);
    await powerLoss(fs, started);
    const after = await startServer(fs, [['appendonly', 'yes']]);
    expect(await after.call('GET', 'x')).toBe('1');
  });
});
