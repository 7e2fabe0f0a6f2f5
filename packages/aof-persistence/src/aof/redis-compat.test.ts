/**
 * Cross-checks with the real redis-check-aof 7.0.15 (skipped when it is not
 * installed): it must accept the manifests and files we write, and agree
 * with our reader on where a torn file's valid prefix ends.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { nodeFileSystem } from '../fs/node-file-system.js';
import { readAofCommands } from './command-reader.js';
import { aofLocation, persistManifest } from './layout.js';
import { baseFileName, incrFileName, manifestFileName, type Manifest } from './manifest.js';
import path from 'node:path';
import { REDIS_7_FIXTURES } from '../test-fixtures.js';

const CHECK_AOF = '/usr/bin/redis-check-aof';
const FIXTURE_DIR = path.join(REDIS_7_FIXTURES, 'appendonlydir/');
const base = readFileSync(join(FIXTURE_DIR, 'appendonly.aof.1.base.rdb'));
const incr = readFileSync(join(FIXTURE_DIR, 'appendonly.aof.1.incr.aof'));

function encode(...argv: string[]): Buffer {
  let out = `*${argv.length}\r\n`;
  for (const arg of argv) out += `$${arg.length}\r\n${arg}\r\n`;
  return Buffer.from(out, 'latin1');
}

function checkAof(manifestPath: string): { status: number | null; out: string } {
  const r = spawnSync(CHECK_AOF, [manifestPath], { encoding: 'latin1' });
  return { status: r.status, out: r.stdout + r.stderr };
}

let dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
  dirs = [];
});

async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'aki-check-aof-'));
  dirs.push(d);
  return d;
}

describe.skipIf(!existsSync(CHECK_AOF))('redis-check-aof 7.0.15 agrees', () => {
  // "q'x.aof": Redis itself would write it unquoted and fail to read it back; we quote it.
  // (ASCII only: node:fs encodes string paths as UTF-8, the manifest holds latin1 bytes.)
  for (const appendfilename of ['appendonly.aof', 'a b.aof', 'q"x.aof', "q'x.aof", 't\tab\x01\x7f.aof']) {
    it(`accepts a manifest and files we write (appendfilename ${JSON.stringify(appendfilename)})`, async () => {
      const dir = await tempDir();
      const location = aofLocation({ dir, appenddirname: 'appendonlydir', appendfilename });
      await mkdir(location.appendDir);
      const manifest: Manifest = {
        base: { name: baseFileName(appendfilename, 3, 'rdb'), seq: 3, kind: 'rdb' },
        history: [{ name: baseFileName(appendfilename, 2, 'rdb'), seq: 2 }],
        incr: [
          { name: incrFileName(appendfilename, 4), seq: 4 },
          { name: incrFileName(appendfilename, 6), seq: 6 },
        ],
      };
      const path = (name: string) => join(location.appendDir, name);
      await writeFile(path(manifest.base!.name), base);
      await writeFile(path(manifest.incr[0]!.name), incr);
      await writeFile(path(manifest.incr[1]!.name), Buffer.concat([encode('SELECT', '1'), encode('SET', 'k', '\x00\xff v')]));
      await persistManifest(nodeFileSystem, location, manifest);
      expect(location.manifestPath).toBe(join(location.appendDir, manifestFileName(appendfilename)));
      const { status, out } = checkAof(location.manifestPath);
      expect(out).toContain('All AOF files and manifest are valid');
      expect(status).toBe(0);
    });
  }

  it('finds the same valid prefix as our reader for the real incr file cut around every record boundary', async () => {
    const dir = await tempDir();
    const location = aofLocation({ dir, appenddirname: 'appendonlydir', appendfilename: 'appendonly.aof' });
    await mkdir(location.appendDir);
    await persistManifest(nodeFileSystem, location, { incr: [{ name: 'appendonly.aof.1.incr.aof', seq: 1 }], history: [] });
    const incrPath = join(location.appendDir, 'appendonly.aof.1.incr.aof');
    // Each run spawns the tool (~30 ms): cut at every record boundary and one byte either side, and every 11th byte.
    const cuts = new Set<number>();
    for (const { start, end } of readAofCommands(incr).commands) for (const c of [start - 1, start + 1, end - 1, end]) cuts.add(c);
    for (let c = 1; c < incr.length; c += 11) cuts.add(c);
    cuts.delete(0);
    cuts.delete(-1);
    for (const cut of [...cuts].sort((a, b) => a - b)) {
      const prefix = incr.subarray(0, cut);
      await writeFile(incrPath, prefix);
      const end = readAofCommands(prefix).end;
      const { status, out } = checkAof(location.manifestPath);
      const okUpTo = Number(/ok_up_to=(\d+)/.exec(out)?.[1]);
      if (end.kind === 'clean') {
        expect(status, `cut ${cut}`).toBe(0);
        expect(okUpTo, `cut ${cut}`).toBe(cut);
      } else {
        expect(status, `cut ${cut}`).toBe(1);
        expect(end.kind).toBe('truncated');
        expect(okUpTo, `cut ${cut}`).toBe(end.kind === 'truncated' ? end.validUpTo : -1);
      }
    }
  }, 120_000);
});
