// File-format interoperability with a real redis-server 7.0: each loads the
// other's multi-part AOF directory (RDB-preamble base + RESP incr) and
// dump.rdb to the same DEBUG DIGEST, and redis-check-aof / redis-check-rdb
// accept what aki wrote. aki writes RDB version 10 (what 7.0 reads); a 7.2
// server writing version 11 would not load into 7.0, so the "redis writes"
// half always uses the installed (7.0) redis-server.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { RawConnection, hasBinary, startAki, startRedis, whichBinary, type RunningServer } from '@aki/test-utils';
import {
  DEBUG_ARGS,
  digest,
  digestDiff,
  info,
  keyDigests,
  persistenceFixture,
  waitForBackgroundJobs,
  writeDataset,
} from './support/persistence-data.js';
import { AOF_DIR, MANIFEST, readManifest } from './support/persistence-files.js';

const run = promisify(execFile);
const AOF = [...DEBUG_ARGS, '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '', '--aof-use-rdb-preamble', 'yes'];
const NO_AOF = [...DEBUG_ARGS, '--appendonly', 'no', '--save', ''];

const { tmpDir, running, conns } = persistenceFixture('aki-interop-');

async function open(s: RunningServer): Promise<RawConnection> {
  running.push(s);
  const c = await RawConnection.open(s.port);
  conns.push(c);
  return c;
}

/** Writes the dataset in two halves around a BGREWRITEAOF, so the base holds one half and the incr file the other. */
async function writeAcrossRewrite(c: RawConnection): Promise<void> {
  await writeDataset(c, 'base');
  expect(await c.command('BGREWRITEAOF')).toBe('Background append only file rewriting started');
  await waitForBackgroundJobs(c);
  expect((await info(c)).get('aof_last_bgrewrite_status')).toBe('ok');
  await writeDataset(c, 'incr');
  await c.command('DEL', 'base:str:raw');
  await c.command('HSET', 'base:hash:small', 'later', 'yes');
}

/** Expects `c` to hold exactly what `expected` was taken from; on a mismatch, names the keys. */
async function expectSameData(c: RawConnection, expected: { digest: string; keys: Map<string, string> }): Promise<void> {
  const got = await digest(c);
  if (got !== expected.digest) {
    const diff = digestDiff(expected.keys, await keyDigests(c));
    expect.fail(`DEBUG DIGEST differs (${got} vs ${expected.digest}); keys: ${diff.slice(0, 30).join(', ') || '(values agree: expiry differs)'}`);
  }
}

async function snapshot(c: RawConnection): Promise<{ digest: string; keys: Map<string, string> }> {
  return { digest: await digest(c), keys: await keyDigests(c) };
}

/**
 * The writing half of every case: `start` (startAki or startRedis) on a fresh
 * dir with `args`, `write` on a connection to it, a snapshot, then a clean
 * SIGTERM stop (exit 0). Returns the dir, which now holds what that server
 * persisted, and the snapshot a reader of it must match.
 */
async function persistWith(
  start: typeof startAki,
  args: string[],
  write: (c: RawConnection) => Promise<void>,
): Promise<{ dir: string; expected: { digest: string; keys: Map<string, string> } }> {
  const dir = tmpDir();
  const server = await start({ dir, args });
  const c = await open(server);
  await write(c);
  const expected = await snapshot(c);
  expect(await server.stop('SIGTERM')).toBe(0);
  return { dir, expected };
}

describe.skipIf(!hasBinary('redis-server'))('persistence files interoperate with redis-server 7.0', () => {
  it('redis-server loads the appendonlydir aki wrote (RDB base + incr), to the same digest', async () => {
    const { dir, expected } = await persistWith(startAki, AOF, writeAcrossRewrite);
    const m = readManifest(dir);
    expect(m.find((l) => l.type === 'b')?.file).toMatch(/\.base\.rdb$/);

    const redis = await startRedis({ dir, args: AOF });
    await expectSameData(await open(redis), expected);
  });

  it('redis-check-aof accepts the manifest aki wrote, and redis-check-rdb its dump.rdb', async () => {
    const { dir } = await persistWith(startAki, AOF, async (c) => {
      await writeAcrossRewrite(c);
      expect(await c.command('SAVE')).toBe('OK');
    });
    if (hasBinary('redis-check-aof')) {
      const r = await run(whichBinary('redis-check-aof')!, [path.join(dir, AOF_DIR, MANIFEST)]);
      expect(r.stdout).toMatch(/is valid/);
    }
    if (hasBinary('redis-check-rdb')) {
      const r = await run(whichBinary('redis-check-rdb')!, [path.join(dir, 'dump.rdb')]);
      expect(r.stdout).toMatch(/RDB looks OK/);
    }
  });

  it('aki loads the appendonlydir redis-server wrote (listpack, intset, quicklist encodings in the base)', async () => {
    const { dir, expected } = await persistWith(startRedis, AOF, async (rc) => {
      await writeAcrossRewrite(rc);
      // The compact encodings the RDB base carries.
      expect(await rc.command('OBJECT', 'ENCODING', 'base:hash:small')).toBe('listpack');
      expect(await rc.command('OBJECT', 'ENCODING', 'base:zset:small')).toBe('listpack');
      expect(await rc.command('OBJECT', 'ENCODING', 'base:set:int')).toBe('intset');
      expect(await rc.command('OBJECT', 'ENCODING', 'base:list:big')).toBe('quicklist');
      expect(await rc.command('OBJECT', 'ENCODING', 'base:hash:big')).toBe('hashtable');
      expect(await rc.command('OBJECT', 'ENCODING', 'base:zset:big')).toBe('skiplist');
    });

    const aki = await startAki({ dir, args: AOF });
    await expectSameData(await open(aki), expected);
  });

  it('aki loads a dump.rdb redis-server wrote (appendonly no), compressed strings included', async () => {
    const { dir, expected } = await persistWith(startRedis, [...NO_AOF, '--rdbcompression', 'yes'], async (rc) => {
      await writeDataset(rc);
      await rc.command('SET', 'compressible', 'abcabcabc'.repeat(500));
      expect(await rc.command('SAVE')).toBe('OK');
    });

    const aki = await startAki({ dir, args: NO_AOF });
    await expectSameData(await open(aki), expected);
  });

  it('redis-server loads a dump.rdb aki wrote', async () => {
    const { dir, expected } = await persistWith(startAki, NO_AOF, async (c) => {
      await writeDataset(c);
      expect(await c.command('SAVE')).toBe('OK');
    });

    const redis = await startRedis({ dir, args: NO_AOF });
    await expectSameData(await open(redis), expected);
  });
});
