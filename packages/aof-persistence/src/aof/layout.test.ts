import { describe, expect, it } from 'vitest';
import { FaultyFileSystem } from '../fs/faulty-file-system.js';
import { AofLoadError } from './errors.js';
import { detectAofLayout, persistManifest, removeLeftoverTemps, upgradeLegacyAof, type AofLayout } from './layout.js';
import { ManifestError, parseManifest } from './manifest.js';

const OPTS = { dir: '/srv', appenddirname: 'appendonlydir', appendfilename: 'appendonly.aof' };
const AOF_DIR = '/srv/appendonlydir';
const MANIFEST = `${AOF_DIR}/appendonly.aof.manifest`;
const LEGACY = '/srv/appendonly.aof';
const LEGACY_BYTES = '*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n';

function multiPart(fs: FaultyFileSystem): void {
  fs.addFile(MANIFEST, 'file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n');
  fs.addFile(`${AOF_DIR}/appendonly.aof.1.base.rdb`, 'REDIS0010...');
  fs.addFile(`${AOF_DIR}/appendonly.aof.1.incr.aof`, '');
}

async function detect(fs: FaultyFileSystem): Promise<AofLayout> {
  return detectAofLayout(fs, OPTS);
}

describe('detectAofLayout', () => {
  it('is fresh with nothing on disk', async () => {
    const fs = new FaultyFileSystem();
    fs.addDirectory('/srv');
    expect(await detect(fs)).toMatchObject({ kind: 'fresh', leftoverTemps: [], unlisted: [] });
  });

  it('is fresh with an empty AOF directory, or one holding only temp files', async () => {
    const fs = new FaultyFileSystem();
    fs.addDirectory(AOF_DIR);
    expect((await detect(fs)).kind).toBe('fresh');
    fs.addFile(`${AOF_DIR}/temp-appendonly.aof.manifest`, 'partial');
    fs.addFile(`${AOF_DIR}/temp-rewriteaof-bg-42.aof`, 'partial');
    const layout = await detect(fs);
    expect(layout).toMatchObject({ kind: 'fresh', leftoverTemps: ['temp-appendonly.aof.manifest', 'temp-rewriteaof-bg-42.aof'] });
    await removeLeftoverTemps(fs, layout);
    expect(fs.paths()).toEqual([]);
  });

  it('is fresh with a manifest that lists nothing (comments only), as Redis', async () => {
    const fs = new FaultyFileSystem();
    fs.addFile(MANIFEST, '# nothing\n');
    expect((await detect(fs)).kind).toBe('fresh');
  });

  it('finds a multi-part AOF with sizes, history files and unlisted names', async () => {
    const fs = new FaultyFileSystem();
    fs.addFile(
      MANIFEST,
      'file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.1.base.rdb seq 1 type h\nfile gone seq 1 type h\n' +
        'file appendonly.aof.2.incr.aof seq 2 type i\nfile appendonly.aof.3.incr.aof seq 3 type i\n',
    );
    fs.addFile(`${AOF_DIR}/appendonly.aof.2.base.rdb`, 'REDIS0010x');
    fs.addFile(`${AOF_DIR}/appendonly.aof.1.base.rdb`, 'old');
    fs.addFile(`${AOF_DIR}/appendonly.aof.2.incr.aof`, 'abc');
    fs.addFile(`${AOF_DIR}/appendonly.aof.3.incr.aof`, '');
    fs.addFile(`${AOF_DIR}/stray.aof`, 'x');
    fs.addFile(`${AOF_DIR}/temp-x`, 'x');
    const layout = await detect(fs);
    expect(layout).toMatchObject({
      kind: 'multi-part',
      files: [
        { name: 'appendonly.aof.2.base.rdb', path: `${AOF_DIR}/appendonly.aof.2.base.rdb`, role: 'base', seq: 2, size: 10 },
        { name: 'appendonly.aof.2.incr.aof', role: 'incr', seq: 2, size: 3 },
        { name: 'appendonly.aof.3.incr.aof', role: 'incr', seq: 3, size: 0 },
      ],
      historyFiles: ['appendonly.aof.1.base.rdb'],
      unlisted: ['stray.aof'],
      leftoverTemps: ['temp-x'],
      legacyIgnored: false,
    });
  });

  it('fails naming a listed file that is missing (Redis 7.0.15 text)', async () => {
    const fs = new FaultyFileSystem();
    fs.addFile(MANIFEST, 'file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n');
    fs.addFile(`${AOF_DIR}/appendonly.aof.1.base.rdb`, 'REDIS0010');
    const error = await detect(fs).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AofLoadError);
    expect((error as AofLoadError).message).toBe(
      'Unable to obtain the AOF file appendonly.aof.2.incr.aof length. stat: No such file or directory',
    );
    expect((error as AofLoadError).file).toBe('appendonly.aof.2.incr.aof');
  });

  it('fails when the manifest names the old AOF but it exists in neither directory', async () => {
    const fs = new FaultyFileSystem();
    fs.addFile(MANIFEST, 'file appendonly.aof seq 1 type b\n');
    await expect(detect(fs)).rejects.toThrow('Unable to obtain the AOF file appendonly.aof length');
  });

  it('passes a bad manifest on as ManifestError', async () => {
    const fs = new FaultyFileSystem();
    fs.addFile(MANIFEST, 'file a seq 1 type i\n\n');
    await expect(detect(fs)).rejects.toBeInstanceOf(ManifestError);
  });

  it('finds a legacy single-file AOF with no AOF directory, or one without a manifest', async () => {
    const fs = new FaultyFileSystem();
    fs.addFile(LEGACY, LEGACY_BYTES);
    expect(await detect(fs)).toMatchObject({ kind: 'legacy', legacySize: LEGACY_BYTES.length, interrupted: false });
    fs.addFile(`${AOF_DIR}/temp-appendonly.aof.manifest`, 'x');
    expect(await detect(fs)).toMatchObject({ kind: 'legacy', interrupted: false, leftoverTemps: ['temp-appendonly.aof.manifest'] });
  });

  it('recognizes an interrupted upgrade (manifest written, file not moved yet)', async () => {
    const fs = new FaultyFileSystem();
    fs.addFile(LEGACY, LEGACY_BYTES);
    fs.addFile(MANIFEST, 'file appendonly.aof seq 1 type b\n');
    expect(await detect(fs)).toMatchObject({ kind: 'legacy', interrupted: true });
  });

  it('ignores a legacy file when the AOF directory has its own AOF (the manifest wins)', async () => {
    const fs = new FaultyFileSystem();
    fs.addFile(LEGACY, LEGACY_BYTES);
    multiPart(fs);
    expect(await detect(fs)).toMatchObject({ kind: 'multi-part', legacyIgnored: true });
    // Also when the manifest names the old file and it is already in the AOF directory.
    const fs2 = new FaultyFileSystem();
    fs2.addFile(LEGACY, LEGACY_BYTES);
    fs2.addFile(MANIFEST, 'file appendonly.aof seq 1 type b\n');
    fs2.addFile(`${AOF_DIR}/appendonly.aof`, 'moved');
    expect(await detectAofLayout(fs2, OPTS)).toMatchObject({ kind: 'multi-part', legacyIgnored: true, files: [{ name: 'appendonly.aof', size: 5 }] });
  });
});

describe('upgradeLegacyAof', () => {
  it('moves the file into the AOF directory behind a new manifest, durably, in Redis order', async () => {
    const fs = new FaultyFileSystem();
    fs.addFile(LEGACY, LEGACY_BYTES);
    const layout = await detect(fs);
    if (layout.kind !== 'legacy') throw new Error(layout.kind);
    fs.takeOperations();
    const logged: string[] = [];
    const upgraded = await upgradeLegacyAof(fs, layout, { info: (msg: string) => logged.push(msg) } as never);
    expect(fs.takeOperations()).toEqual([
      'mkdir /srv/appendonlydir',
      'syncDirectory /srv',
      'create /srv/appendonlydir/temp-appendonly.aof.manifest',
      'write /srv/appendonlydir/temp-appendonly.aof.manifest 33',
      'sync /srv/appendonlydir/temp-appendonly.aof.manifest',
      'rename /srv/appendonlydir/temp-appendonly.aof.manifest /srv/appendonlydir/appendonly.aof.manifest',
      'syncDirectory /srv/appendonlydir',
      'rename /srv/appendonly.aof /srv/appendonlydir/appendonly.aof',
      'syncDirectory /srv/appendonlydir',
      'syncDirectory /srv',
    ]);
    expect(logged).toEqual(['Successfully migrated an old-style AOF file (appendonly.aof) into the AOF directory (appendonlydir).']);
    expect(upgraded).toMatchObject({ kind: 'multi-part', files: [{ name: 'appendonly.aof', role: 'base', seq: 1, size: LEGACY_BYTES.length }] });
    fs.crash();
    expect(fs.paths()).toEqual([`${AOF_DIR}/appendonly.aof`, MANIFEST]);
    expect(fs.content(MANIFEST)!.toString()).toBe('file appendonly.aof seq 1 type b\n');
    expect(fs.content(`${AOF_DIR}/appendonly.aof`)!.toString()).toBe(LEGACY_BYTES);
    expect(await detect(fs)).toMatchObject({ kind: 'multi-part', files: [{ name: 'appendonly.aof' }] });
  });

  it('continues an interrupted upgrade', async () => {
    const fs = new FaultyFileSystem();
    fs.addFile(LEGACY, LEGACY_BYTES);
    fs.addFile(MANIFEST, 'file appendonly.aof seq 1 type b\n');
    const layout = await detect(fs);
    if (layout.kind !== 'legacy') throw new Error(layout.kind);
    await upgradeLegacyAof(fs, layout);
    expect(await detect(fs)).toMatchObject({ kind: 'multi-part', files: [{ name: 'appendonly.aof', size: LEGACY_BYTES.length }] });
  });

  it('survives a crash at every step: the next start upgrades again and nothing is lost', async () => {
    // Count the file-system calls of a clean upgrade, then crash before each of them in turn.
    let calls = 0;
    const probe = new FaultyFileSystem({ tick: async () => void calls++ });
    probe.addFile(LEGACY, LEGACY_BYTES);
    const probeLayout = await detectAofLayout(probe, OPTS);
    calls = 0;
    await upgradeLegacyAof(probe, probeLayout as Extract<AofLayout, { kind: 'legacy' }>);
    const steps = calls;
    expect(steps).toBeGreaterThan(10);

    const seen = new Set<string>();
    for (let crashAt = 0; crashAt <= steps; crashAt++) {
      let budget = Number.POSITIVE_INFINITY;
      const fs = new FaultyFileSystem({
        tick: async () => {
          await Promise.resolve();
          if (budget-- <= 0) throw Object.assign(new Error('power loss'), { code: 'EPOWER' });
        },
      });
      fs.addFile(LEGACY, LEGACY_BYTES);
      const layout = await detectAofLayout(fs, OPTS);
      budget = crashAt;
      // The process dies before the crashAt-th call takes effect (and the machine with it).
      const done = await upgradeLegacyAof(fs, layout as Extract<AofLayout, { kind: 'legacy' }>).then(
        () => true,
        (e: Error & { code?: string; cause?: { code?: string } }) => {
          if (e.code !== 'EPOWER' && e.cause?.code !== 'EPOWER') throw e;
          return false;
        },
      );
      budget = Number.POSITIVE_INFINITY;
      fs.crash();
      let after = await detectAofLayout(fs, OPTS);
      seen.add(after.kind === 'legacy' ? `legacy interrupted=${after.interrupted}` : after.kind);
      if (after.kind === 'legacy') after = await upgradeLegacyAof(fs, after);
      expect(after.kind, `crash at ${crashAt} (completed: ${done})`).toBe('multi-part');
      if (after.kind !== 'multi-part') continue;
      expect(after.files).toMatchObject([{ name: 'appendonly.aof', role: 'base', size: LEGACY_BYTES.length }]);
      expect(fs.content(`${AOF_DIR}/appendonly.aof`)!.toString()).toBe(LEGACY_BYTES);
      expect(parseManifest(fs.content(MANIFEST)!)).toEqual({ base: { name: 'appendonly.aof', seq: 1, kind: 'aof' }, incr: [], history: [] });
    }
    // Every state a crash can leave was met: not started, interrupted, done.
    expect([...seen].sort()).toEqual(['legacy interrupted=false', 'legacy interrupted=true', 'multi-part']);
  });
});

describe('persistManifest', () => {
  it('leaves the old manifest in force when the rename fails, and removes the temp file', async () => {
    const fs = new FaultyFileSystem();
    multiPart(fs);
    fs.failRename('temp-appendonly.aof.manifest');
    const layout = await detect(fs);
    await expect(
      persistManifest(fs, layout.location, { base: { name: 'appendonly.aof.1.base.rdb', seq: 1, kind: 'rdb' }, incr: [], history: [] }),
    ).rejects.toMatchObject({ code: 'EIO' });
    expect(fs.paths()).not.toContain(`${AOF_DIR}/temp-appendonly.aof.manifest`);
    expect(fs.content(MANIFEST)!.toString()).toContain('type i');
  });

  it('reports a short write as ENOSPC', async () => {
    const fs = new FaultyFileSystem();
    multiPart(fs);
    fs.failWritesAfter(10);
    const layout = await detect(fs);
    await expect(persistManifest(fs, layout.location, { incr: [{ name: 'x', seq: 1 }], history: [] })).rejects.toMatchObject({
      code: 'ENOSPC',
    });
    expect(fs.content(MANIFEST)!.toString()).toContain('type b');
  });
});
