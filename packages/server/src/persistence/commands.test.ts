import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freshFileSystem as freshFs, startServer as start, stopAll, TEST_DIR as DIR } from '../testing/persistent-server.js';

/** SAVE, BGSAVE, LASTSAVE, BGREWRITEAOF, WAITAOF, DEBUG RELOAD/LOADAOF, CONFIG SET appendonly, INFO persistence. */

afterEach(stopAll);

async function infoField(call: (...argv: string[]) => Promise<unknown>, field: string): Promise<string | undefined> {
  const info = String(await call('INFO', 'persistence'));
  return info.match(new RegExp(`^${field}:(.*)\\r$`, 'm'))?.[1];
}

async function eventually(check: () => Promise<boolean>, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const DUMP = path.join(DIR, 'dump.rdb');

describe('RDB snapshots', () => {
  it('SAVE writes dump.rdb durably, LASTSAVE moves, and a restart with appendonly no loads it', async () => {
    const fs = await freshFs();
    const { call } = await start(fs, [['appendonly', 'no']]);
    await call('HSET', 'h', 'f', 'v');
    await call('SET', 's', 'x', 'PX', '100000');
    expect(await infoField(call, 'rdb_changes_since_last_save')).toBe('2');
    expect(await call('SAVE')).toBe('OK');
    expect(await infoField(call, 'rdb_changes_since_last_save')).toBe('0');
    expect(typeof (await call('LASTSAVE'))).toBe('number');
    const digest = await call('DEBUG', 'DIGEST');
    fs.crash();
    expect(fs.durableContent(DUMP)?.subarray(0, 9).toString()).toBe('REDIS0010');
    const after = await start(fs, [['appendonly', 'no']]);
    expect(await after.call('DEBUG', 'DIGEST')).toBe(digest);
    expect(await infoField(after.call, 'rdb_last_load_keys_loaded')).toBe('2');
  });

  it('BGSAVE answers at once, serves writes while it runs, and saves the dataset as it was when it started', async () => {
    const fs = await freshFs();
    const { call } = await start(fs, [['appendonly', 'no']]);
    for (let i = 0; i < 2000; i++) await call('RPUSH', 'list', String(i));
    const before = await call('DEBUG', 'DIGEST');
    expect(await call('BGSAVE')).toBe('Background saving started');
    await call('RPUSH', 'list', 'after');
    await eventually(async () => (await infoField(call, 'rdb_bgsave_in_progress')) === '0');
    expect(await infoField(call, 'rdb_last_bgsave_status')).toBe('ok');
    const after = await start(fs, [['appendonly', 'no']]);
    expect(await after.call('DEBUG', 'DIGEST')).toBe(before);
  });

  it('BGSAVE SCHEDULE waits for a running rewrite; a plain BGSAVE is refused with Redis\'s text', async () => {
    const fs = await freshFs();
    const { call } = await start(fs, [['appendonly', 'yes']]);
    for (let i = 0; i < 20000; i++) void call('SET', `k${i}`, 'v');
    await call('PING');
    expect(await call('BGREWRITEAOF')).toBe('Background append only file rewriting started');
    expect(await call('BGREWRITEAOF')).toBe('ERROR: ERR Background append only file rewriting already in progress');
    const refused = await call('BGSAVE');
    if (refused !== 'Background saving started') {
      expect(refused).toBe(
        "ERROR: ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.",
      );
      expect(await call('BGSAVE', 'SCHEDULE')).toBe('Background saving scheduled');
      await eventually(async () => (await infoField(call, 'rdb_saves')) === '1');
    }
    expect(await call('BGSAVE', 'NOW')).toBe('ERROR: ERR syntax error');
  });

  it('a failed BGSAVE with save points set refuses writes with MISCONF (stop-writes-on-bgsave-error)', async () => {
    const fs = await freshFs();
    const { call } = await start(fs, [['appendonly', 'no'], ['save', '3600 1']]);
    await call('SET', 'a', '1');
    fs.failRename(/dump\.rdb$/);
    expect(await call('BGSAVE')).toBe('Background saving started');
    await eventually(async () => (await infoField(call, 'rdb_last_bgsave_status')) === 'err');
    expect(String(await call('SET', 'b', '2'))).toMatch(/^ERROR: MISCONF Redis is configured to save RDB snapshots/);
    expect(await call('GET', 'a')).toBe('1');
    expect(await call('CONFIG', 'SET', 'stop-writes-on-bgsave-error', 'no')).toBe('OK');
    expect(await call('SET', 'b', '2')).toBe('OK');
  });
});

describe('AOF commands', () => {
  it('WAITAOF 1 0 returns [1, 0] once the write is fsynced; errors as Redis 7.2 does', async () => {
    const fs = await freshFs();
    const { call } = await start(fs, [['appendonly', 'yes'], ['appendfsync', 'everysec']]);
    await call('SET', 'k', 'v');
    expect(await call('WAITAOF', '1', '0', '0')).toEqual([1, 0]);
    expect(await call('WAITAOF', '0', '1', '50')).toEqual([1, 0]);
    expect(await call('WAITAOF', 'x', '0', '0')).toBe('ERROR: ERR value is not an integer or out of range');
    expect(await call('WAITAOF', '1', '0', '-1')).toBe('ERROR: ERR timeout is negative');
    expect(await call('WAITAOF', '1', '0', '1.5')).toBe('ERROR: ERR timeout is not an integer or out of range');
    expect(await call('WAITAOF', '1', '0')).toBe("ERROR: ERR wrong number of arguments for 'waitaof' command");
    const off = await start(fs, [['appendonly', 'no']]);
    expect(await off.call('WAITAOF', '1', '0', '0')).toBe(
      'ERROR: ERR WAITAOF cannot be used when numlocal is set but appendonly is disabled.',
    );
    expect(await off.call('WAITAOF', '0', '0', '0')).toEqual([0, 0]);
  });

  it('WAITAOF inside MULTI answers at once, for the writes before the transaction', async () => {
    const fs = await freshFs();
    const { call } = await start(fs, [['appendonly', 'yes'], ['appendfsync', 'no']]);
    expect(await call('MULTI')).toBe('OK');
    expect(await call('SET', 'k', 'v')).toBe('QUEUED');
    expect(await call('WAITAOF', '1', '0', '0')).toBe('QUEUED');
    // The transaction's own effects are committed at EXEC's end, after WAITAOF ran.
    const [, waited] = (await call('EXEC')) as unknown[];
    expect(waited).toEqual([1, 0]);
  });

  it('INFO persistence shows Redis 7\'s fields, with the AOF ones while it is on', async () => {
    const fs = await freshFs();
    const { call } = await start(fs, [['appendonly', 'yes']]);
    const info = String(await call('INFO', 'persistence'));
    const fields = info.split('\r\n').filter((line) => line.includes(':')).map((line) => line.split(':')[0]);
    expect(fields).toEqual([
      'loading', 'async_loading', 'current_cow_peak', 'current_cow_size', 'current_cow_size_age', 'current_fork_perc',
      'current_save_keys_processed', 'current_save_keys_total', 'rdb_changes_since_last_save', 'rdb_bgsave_in_progress',
      'rdb_last_save_time', 'rdb_last_bgsave_status', 'rdb_last_bgsave_time_sec', 'rdb_current_bgsave_time_sec',
      'rdb_saves', 'rdb_last_cow_size', 'rdb_last_load_keys_expired', 'rdb_last_load_keys_loaded', 'aof_enabled',
      'aof_rewrite_in_progress', 'aof_rewrite_scheduled', 'aof_last_rewrite_time_sec', 'aof_current_rewrite_time_sec',
      'aof_last_bgrewrite_status', 'aof_rewrites', 'aof_rewrites_consecutive_failures', 'aof_last_write_status',
      'aof_last_cow_size', 'module_fork_in_progress', 'module_fork_last_cow_size', 'aof_current_size', 'aof_base_size',
      'aof_pending_rewrite', 'aof_buffer_length', 'aof_pending_bio_fsync', 'aof_delayed_fsync',
    ]);
    expect(await infoField(call, 'aof_enabled')).toBe('1');
  });

  it('CONFIG SET appendonly yes at runtime writes a base from memory; no stops appending', async () => {
    const fs = await freshFs();
    const { call } = await start(fs, [['appendonly', 'no']]);
    await call('SET', 'before', '1');
    expect(await call('CONFIG', 'SET', 'appendonly', 'yes')).toBe('OK');
    await call('SET', 'during', '1');
    await eventually(async () => (await infoField(call, 'aof_rewrite_in_progress')) === '0' && (await infoField(call, 'aof_rewrites')) === '1');
    await call('SET', 'after', '1');
    expect(await call('WAITAOF', '1', '0', '0')).toEqual([1, 0]);
    expect(await call('CONFIG', 'SET', 'appendonly', 'no')).toBe('OK');
    await call('SET', 'unlogged', '1');
    const restarted = await start(fs, [['appendonly', 'yes']]);
    expect(await restarted.call('MGET', 'before', 'during', 'after', 'unlogged')).toEqual(['1', '1', '1', null]);
  });

  it('rewrites automatically past auto-aof-rewrite-percentage and min-size', async () => {
    const fs = await freshFs();
    const { call } = await start(fs, [
      ['appendonly', 'yes'],
      ['auto-aof-rewrite-min-size', '1024'],
      ['auto-aof-rewrite-percentage', '100'],
      ['hz', '100'],
    ]);
    for (let i = 0; i < 200; i++) await call('SET', `key:${i}`, 'x'.repeat(20));
    await eventually(async () => Number(await infoField(call, 'aof_rewrites')) >= 1);
  });

  it('DEBUG RELOAD and DEBUG LOADAOF keep the dataset', async () => {
    const fs = await freshFs();
    const { call } = await start(fs, [['appendonly', 'yes']]);
    await call('ZADD', 'z', '1', 'a', '2', 'b');
    await call('SADD', 's', '1', '2', '3');
    await call('SET', 'e', 'v', 'PX', '100000');
    const digest = await call('DEBUG', 'DIGEST');
    expect(await call('DEBUG', 'RELOAD')).toBe('OK');
    expect(await call('DEBUG', 'DIGEST')).toBe(digest);
    expect(await call('DEBUG', 'LOADAOF')).toBe('OK');
    expect(await call('DEBUG', 'DIGEST')).toBe(digest);
  });
});
