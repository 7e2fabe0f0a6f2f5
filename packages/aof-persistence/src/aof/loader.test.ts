import { cp, mkdtemp, readFile, rm, stat, truncate as truncateFile, writeFile, appendFile, mkdir } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HashValue, ListValue, SetValue, SortedSetValue } from '@aki/keyspace';
import { afterEach, describe, expect, it } from 'vitest';
import { FaultyFileSystem } from '../fs/faulty-file-system.js';
import type { FileSystem } from '../fs/file-system.js';
import { nodeFileSystem } from '../fs/node-file-system.js';
import { encodeDataset } from '../rdb/encode-dataset.js';
import { Collector, plainDataset, plainFromFixtureJson } from '../rdb/test-support.js';
import { readAofCommands } from './command-reader.js';
import { AofLoadError } from './errors.js';
import { loadAof, type AofLoadSummary, type AofLogger, type LoadAofOptions } from './loader.js';
import { REDIS_7_FIXTURES as FIXTURES } from '../test-fixtures.js';

const FIXTURE_DIR = join(FIXTURES, 'appendonlydir');
const BASE = 'appendonly.aof.1.base.rdb';
const INCR = 'appendonly.aof.1.incr.aof';
const MANIFEST = 'appendonly.aof.manifest';
const fixtureBytes = (name: string) => readFileSync(join(FIXTURE_DIR, name));
const fixtureJson = (name: string) => JSON.parse(readFileSync(join(FIXTURES, name), 'utf8'));

const SRV = '/srv';
const AOF_DIR = '/srv/appendonlydir';

function encode(...argv: string[]): Buffer {
  let out = `*${argv.length}\r\n`;
  for (const arg of argv) out += `$${arg.length}\r\n${arg}\r\n`;
  return Buffer.from(out, 'latin1');
}

/**
 * A tiny model of the commands the fixture's incr file uses, applied to the
 * RDB test collector's dataset, so the loaded result can be compared with
 * the fixture's JSON.
 */
class Model {
  readonly collector = new Collector();
  readonly applied: string[][] = [];
  private db = 0;

  apply = (argv: string[]): void => {
    this.applied.push(argv);
    const [name, key, ...rest] = argv;
    const keys = this.keys(this.db);
    switch (name!.toUpperCase()) {
      case 'SELECT':
        this.db = Number(key);
        return;
      case 'SET': {
        const old = keys.get(key!);
        const option = rest[1]?.toUpperCase();
        const expireAt = option === 'PXAT' ? Number(rest[2]) : option === 'KEEPTTL' ? old?.expireAt : undefined;
        keys.set(key!, { value: rest[0]!, expireAt });
        return;
      }
      case 'PEXPIREAT': {
        const entry = keys.get(key!);
        if (entry !== undefined) entry.expireAt = Number(rest[0]);
        return;
      }
      case 'INCR': {
        const old = keys.get(key!);
        keys.set(key!, { value: String(BigInt((old?.value as string | undefined) ?? '0') + 1n), expireAt: old?.expireAt });
        return;
      }
      case 'DEL':
        for (const k of [key!, ...rest]) keys.delete(k);
        return;
      case 'SADD':
      case 'SREM': {
        const set = (keys.get(key!)?.value as SetValue | undefined) ?? new SetValue();
        for (const m of rest) if (name!.toUpperCase() === 'SADD') set.add(m);
        else set.delete(m);
        if (set.size === 0) keys.delete(key!);
        else if (!keys.has(key!)) keys.set(key!, { value: set, expireAt: undefined });
        return;
      }
      case 'LPUSH': {
        const list = (keys.get(key!)?.value as ListValue | undefined) ?? new ListValue();
        for (const e of rest) list.pushHead(e);
        if (!keys.has(key!)) keys.set(key!, { value: list, expireAt: undefined });
        return;
      }
      case 'HSET': {
        const hash = (keys.get(key!)?.value as HashValue | undefined) ?? new HashValue();
        for (let i = 0; i < rest.length; i += 2) hash.set(rest[i]!, rest[i + 1]!);
        if (!keys.has(key!)) keys.set(key!, { value: hash, expireAt: undefined });
        return;
      }
      case 'ZINCRBY': {
        const zset = (keys.get(key!)?.value as SortedSetValue | undefined) ?? new SortedSetValue();
        zset.set(rest[1]!, (zset.score(rest[1]!) ?? 0) + Number(rest[0]));
        if (!keys.has(key!)) keys.set(key!, { value: zset, expireAt: undefined });
        return;
      }
      default:
        throw new Error(`ERR unknown command '${name}'`);
    }
  };

  /** Each file is loaded by a fresh client in db 0 (Redis). */
  onFileStart = (): void => {
    this.db = 0;
  };

  dataset() {
    return plainDataset(this.collector.dbs);
  }

  private keys(db: number) {
    let keys = this.collector.dbs.get(db);
    if (keys === undefined) this.collector.dbs.set(db, (keys = new Map()));
    return keys;
  }
}

class CapturingLogger {
  readonly lines: Array<[string, string]> = [];
  info = (msg: string) => void this.lines.push(['info', msg]);
  warn = (msg: string) => void this.lines.push(['warn', msg]);
  warnings(): string[] {
    return this.lines.filter(([level]) => level === 'warn').map(([, msg]) => msg);
  }
}

function load(fs: FileSystem, model: Model, extra: Partial<LoadAofOptions> = {}, dir = SRV): Promise<AofLoadSummary> {
  return loadAof({
    fs,
    dir,
    appenddirname: 'appendonlydir',
    appendfilename: 'appendonly.aof',
    loadTruncated: false,
    receiver: model.collector,
    apply: model.apply,
    onFileStart: model.onFileStart,
    ...extra,
  });
}

/**
 * A FaultyFileSystem holding a copy of the fixture, whose incr file is `incr`
 * (default: the real one); without `withBase` the manifest lists only the
 * incr file (fast, for loops of thousands of loads).
 */
function faultyFixture(incr: Buffer = fixtureBytes(INCR), withBase = true): FaultyFileSystem {
  // Microtask ticks: many loads stay fast, results still arrive asynchronously.
  const fs = new FaultyFileSystem({ tick: () => Promise.resolve() });
  if (withBase) {
    fs.addFile(`${AOF_DIR}/${MANIFEST}`, fixtureBytes(MANIFEST));
    fs.addFile(`${AOF_DIR}/${BASE}`, fixtureBytes(BASE));
  } else {
    fs.addFile(`${AOF_DIR}/${MANIFEST}`, `file ${INCR} seq 1 type i\n`);
  }
  fs.addFile(`${AOF_DIR}/${INCR}`, incr);
  return fs;
}

/** What `apply` must receive for an incr file holding `bytes`: complete commands, blocks only when committed. */
function expectedCommands(bytes: Buffer): string[][] {
  const out: string[][] = [];
  let block: string[][] | undefined;
  for (const { argv } of readAofCommands(bytes).commands) {
    const name = argv[0]!.toLowerCase();
    if (name === 'multi') block = [];
    else if (name === 'exec') {
      out.push(...block!);
      block = undefined;
    } else if (block !== undefined) block.push(argv);
    else out.push(argv);
  }
  return out;
}

const FIXTURE_COMMANDS = expectedCommands(fixtureBytes(INCR));
const BASE_KEYS = 26; // redis-check-aof: "26 keys read"

let tempDirs: string[] = [];
afterEach(async () => {
  for (const d of tempDirs) await rm(d, { recursive: true, force: true });
  tempDirs = [];
});

async function tempCopyOfFixture(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'aki-aof-load-'));
  tempDirs.push(dir);
  await cp(FIXTURE_DIR, join(dir, 'appendonlydir'), { recursive: true });
  return dir;
}

describe('loadAof on the Redis 7.0 fixture', () => {
  it('loads appendonlydir (real files) and produces the dataset of appendonlydir.json', async () => {
    const dir = await tempCopyOfFixture();
    const model = new Model();
    const logger = new CapturingLogger();
    const summary = await load(nodeFileSystem, model, { logger: logger as unknown as AofLogger }, dir);
    expect(model.dataset()).toEqual(plainFromFixtureJson(fixtureJson('appendonlydir.json')));
    expect(model.applied).toEqual(FIXTURE_COMMANDS);
    expect(model.applied).toHaveLength(15); // 17 commands less MULTI and EXEC
    expect(summary).toMatchObject({
      fresh: false,
      upgraded: false,
      commandsApplied: 15,
      rdbKeys: BASE_KEYS,
      baseSize: 38347,
      incrSize: 588,
      truncation: undefined,
      manifest: {
        base: { name: BASE, seq: 1, kind: 'rdb' },
        incr: [{ name: INCR, seq: 1 }],
        history: [],
      },
      files: [
        { name: BASE, role: 'base', size: 38347, format: 'rdb', rdbKeys: BASE_KEYS, commands: 0 },
        { name: INCR, role: 'incr', size: 588, format: 'aof', commands: 15, rdbKeys: 0 },
      ],
      lastIncr: { name: INCR, path: join(dir, 'appendonlydir', INCR), size: 588 },
    });
    expect([...summary.incrSizes]).toEqual([[INCR, 588]]);
    expect(logger.warnings()).toEqual([]);
    expect(logger.lines.map(([, m]) => m)).toContain('Reading RDB base file on AOF loading...');
    expect(logger.lines.at(-1)![1]).toMatch(/^DB loaded from append only file: \d+\.\d{3} seconds$/);
  });

  it('loads the same through the faulty file system, with tiny read chunks', async () => {
    const model = new Model();
    const summary = await load(faultyFixture(), model, { readChunkBytes: 16, yieldEvery: 3 });
    expect(model.dataset()).toEqual(plainFromFixtureJson(fixtureJson('appendonlydir.json')));
    expect(summary.commandsApplied).toBe(15);
  });

  it('yields to the event loop while loading and reports progress', async () => {
    const model = new Model();
    let turns = 0;
    let loading = true;
    const spin = () => {
      if (!loading) return;
      turns++;
      setImmediate(spin);
    };
    setImmediate(spin);
    const progress: Array<[number, number]> = [];
    await load(faultyFixture(), model, { yieldEvery: 2, onProgress: (a, b) => progress.push([a, b]) });
    loading = false;
    expect(turns).toBeGreaterThan(10);
    expect(progress.length).toBeGreaterThan(10);
    expect(progress.at(-1)).toEqual([38347 + 588, 38347 + 588]);
    for (let i = 1; i < progress.length; i++) expect(progress[i]![0]).toBeGreaterThanOrEqual(progress[i - 1]![0]);
  });

  it('is fresh with no AOF on disk', async () => {
    const fs = new FaultyFileSystem();
    fs.addDirectory(SRV);
    const model = new Model();
    expect(await load(fs, model)).toMatchObject({ fresh: true, files: [], manifest: undefined, commandsApplied: 0 });
  });

  it('loads a base-only AOF and empty files', async () => {
    const fs = new FaultyFileSystem();
    fs.addFile(`${AOF_DIR}/${MANIFEST}`, `file ${BASE} seq 1 type b\nfile ${INCR} seq 1 type i\nfile appendonly.aof.2.incr.aof seq 2 type i\n`);
    fs.addFile(`${AOF_DIR}/${BASE}`, '');
    fs.addFile(`${AOF_DIR}/${INCR}`, encode('SET', 'k', 'v'));
    fs.addFile(`${AOF_DIR}/appendonly.aof.2.incr.aof`, '');
    const model = new Model();
    const summary = await load(fs, model);
    expect(model.applied).toEqual([['SET', 'k', 'v']]);
    expect(summary.files.map((f) => f.format)).toEqual(['empty', 'aof', 'empty']);
    expect(summary.lastIncr?.name).toBe('appendonly.aof.2.incr.aof');
  });
});

describe('loadAof of a legacy single-file AOF (RDB preamble + commands)', () => {
  const legacy = readFileSync(join(FIXTURES, 'upstream-rdb-preamble.aof'));
  const expected = {
    '0': {
      k1: { value: { type: 'string', value: 'v1' }, expireAt: null },
      k2: { value: { type: 'string', value: 'v2' }, expireAt: null },
      k3: { value: { type: 'string', value: 'v3' }, expireAt: null },
    },
  };

  it('upgrades it into the AOF directory, then loads it', async () => {
    const fs = new FaultyFileSystem();
    fs.addFile(`${SRV}/appendonly.aof`, legacy);
    const model = new Model();
    const logger = new CapturingLogger();
    const summary = await load(fs, model, { logger: logger as unknown as AofLogger });
    expect(model.dataset()).toEqual(expected);
    expect(model.applied).toEqual([
      ['SELECT', '0'],
      ['set', 'k3', 'v3'],
    ]);
    expect(summary).toMatchObject({
      upgraded: true,
      rdbKeys: 2,
      commandsApplied: 2,
      baseSize: 169,
      lastIncr: undefined,
      files: [{ name: 'appendonly.aof', role: 'base', format: 'rdb+aof', rdbKeys: 2, commands: 2 }],
      manifest: { base: { name: 'appendonly.aof', seq: 1, kind: 'aof' }, incr: [] },
    });
    const messages = logger.lines.map(([, m]) => m);
    expect(messages).toContain('Successfully migrated an old-style AOF file (appendonly.aof) into the AOF directory (appendonlydir).');
    expect(messages).toContain('Reading RDB preamble from AOF file...');
    expect(messages).toContain('Reading the remaining AOF tail...');
    fs.crash();
    expect(fs.paths()).toEqual([`${AOF_DIR}/appendonly.aof`, `${AOF_DIR}/${MANIFEST}`]);
    expect(fs.content(`${AOF_DIR}/${MANIFEST}`)!.toString()).toBe('file appendonly.aof seq 1 type b\n');
  });

  it('loads it in place when the upgrade is disabled', async () => {
    const fs = new FaultyFileSystem();
    fs.addFile(`${SRV}/appendonly.aof`, legacy);
    const model = new Model();
    const summary = await load(fs, model, { upgradeLegacy: false });
    expect(model.dataset()).toEqual(expected);
    expect(summary).toMatchObject({ upgraded: false, manifest: undefined, files: [{ path: `${SRV}/appendonly.aof` }] });
    expect(fs.paths()).toEqual([`${SRV}/appendonly.aof`]);
  });
});

describe('loadAof with a truncated last file', () => {
  const incr = fixtureBytes(INCR);

  it('at every byte: loads the complete prefix, cuts the file durably, and appends afterwards survive', async () => {
    let truncations = 0;
    for (let cut = 0; cut <= incr.length; cut++) {
      const prefix = incr.subarray(0, cut);
      const end = readAofCommands(prefix).end;
      const validUpTo = end.kind === 'truncated' ? end.validUpTo : cut;
      const fs = faultyFixture(prefix, false);
      const model = new Model();
      const logger = new CapturingLogger();
      const summary = await load(fs, model, { loadTruncated: true, logger: logger as unknown as AofLogger });
      expect(model.applied, `cut ${cut}`).toEqual(expectedCommands(prefix));
      expect(fs.content(`${AOF_DIR}/${INCR}`)!.length, `cut ${cut}`).toBe(validUpTo);
      if (end.kind === 'truncated') {
        truncations++;
        expect(summary.truncation).toEqual({ file: INCR, originalSize: cut, truncatedTo: validUpTo, revertedMulti: end.multiStart !== undefined });
        expect(summary.lastIncr?.size).toBe(validUpTo);
        expect(logger.warnings()).toEqual([
          ...(end.multiStart !== undefined ? [`Revert incomplete MULTI/EXEC transaction in AOF file ${INCR}`] : []),
          `!!! Warning: short read while loading the AOF file ${INCR}!!!`,
          `!!! Truncating the AOF ${INCR} at offset ${validUpTo} !!!`,
          `AOF ${INCR} loaded anyway because aof-load-truncated is enabled`,
        ]);
      } else {
        expect(summary.truncation).toBeUndefined();
        expect(logger.warnings()).toEqual([]);
      }

      // The server goes on appending to the (cut) file; a crash; a strict reload sees it all.
      const handle = await fs.open(`${AOF_DIR}/${INCR}`, 'append');
      await handle.write(encode('SET', 'after', String(cut)));
      await handle.sync();
      fs.crash();
      const again = new Model();
      await load(fs, again, { loadTruncated: false });
      expect(again.applied, `reload after cut ${cut}`).toEqual([...expectedCommands(prefix), ['SET', 'after', String(cut)]]);
    }
    expect(truncations).toBeGreaterThan(500);
  }, 30_000);

  it('cuts an unfinished MULTI at the MULTI (one step, where Redis needs two restarts)', async () => {
    // Cut inside "LPUSH aof:l x", the second command of the block.
    const multiAt = incr.indexOf(encode('MULTI'));
    const lpushAt = incr.indexOf(encode('LPUSH', 'aof:l', 'x'));
    const fs = faultyFixture(incr.subarray(0, lpushAt + 10));
    const model = new Model();
    const summary = await load(fs, model, { loadTruncated: true });
    expect(summary.truncation).toEqual({ file: INCR, originalSize: lpushAt + 10, truncatedTo: multiAt, revertedMulti: true });
    expect(model.applied.map((a) => a[0])).not.toContain('INCR');
    expect(fs.content(`${AOF_DIR}/${INCR}`)!.length).toBe(multiAt);
  });

  it('on the real file system too, at every byte of the last records', async () => {
    const dir = await tempCopyOfFixture();
    await writeFile(join(dir, 'appendonlydir', MANIFEST), `file ${INCR} seq 1 type i\n`); // no base: fast
    const path = join(dir, 'appendonlydir', INCR);
    const lastRecords = incr.indexOf(encode('HSET', 'hash:small', 'f2', '2.5'));
    for (let cut = lastRecords; cut <= incr.length; cut++) {
      await writeFile(path, incr.subarray(0, cut));
      const end = readAofCommands(incr.subarray(0, cut)).end;
      const model = new Model();
      await load(nodeFileSystem, model, { loadTruncated: true }, dir);
      const validUpTo = end.kind === 'truncated' ? end.validUpTo : cut;
      expect((await stat(path)).size, `cut ${cut}`).toBe(validUpTo);
      await appendFile(path, encode('SET', 'after', 'x'));
      const again = new Model();
      await load(nodeFileSystem, again, {}, dir);
      expect(again.applied.at(-1)).toEqual(['SET', 'after', 'x']);
      expect(again.applied).toHaveLength(expectedCommands(incr.subarray(0, cut)).length + 1);
    }
  }, 30_000);

  it('refuses without aof-load-truncated, with Redis 7.0.15 text, and leaves the file alone', async () => {
    for (const fsKind of ['faulty', 'node'] as const) {
      const cut = 75;
      let fs: FileSystem;
      let dir = SRV;
      if (fsKind === 'faulty') fs = faultyFixture(incr.subarray(0, cut));
      else {
        dir = await tempCopyOfFixture();
        await truncateFile(join(dir, 'appendonlydir', INCR), cut);
        fs = nodeFileSystem;
      }
      const error = await load(fs, new Model(), { loadTruncated: false }, dir).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AofLoadError);
      expect((error as AofLoadError).redisText).toBe(
        'Unexpected end of file reading the append only file appendonly.aof.1.incr.aof. You can: ' +
          '1) Make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>. ' +
          "2) Alternatively you can set the 'aof-load-truncated' configuration option to yes and restart the server.",
      );
      expect((error as AofLoadError).file).toBe(INCR);
      expect(await fs.size(join(dir, 'appendonlydir', INCR))).toBe(cut);
    }
  });

  it('refuses a truncated file that is not the last one, even with aof-load-truncated', async () => {
    const fs = faultyFixture(incr.subarray(0, 75));
    fs.addFile(`${AOF_DIR}/${MANIFEST}`, `file ${BASE} seq 1 type b\nfile ${INCR} seq 1 type i\nfile appendonly.aof.2.incr.aof seq 2 type i\n`);
    fs.addFile(`${AOF_DIR}/appendonly.aof.2.incr.aof`, encode('SET', 'k', 'v'));
    const error = await load(fs, new Model(), { loadTruncated: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AofLoadError);
    expect((error as AofLoadError).redisText).toBe('Fatal error: the truncated file is not the last file');
    expect((error as AofLoadError).file).toBe(INCR);
    expect(fs.content(`${AOF_DIR}/${INCR}`)!.length).toBe(75);
  });

  it('reports a failure to cut the file', async () => {
    const fs = faultyFixture(incr.subarray(0, 75));
    fs.failNextSync('EIO', INCR);
    await expect(load(fs, new Model(), { loadTruncated: true })).rejects.toThrow(`Error truncating the AOF file ${INCR}: EIO`);
  });
});

describe('loadAof refuses damaged files', () => {
  it('garbage in the middle: names the file and the offset (Redis text)', async () => {
    const incr = Buffer.from(fixtureBytes(INCR));
    const at = readAofCommands(incr).commands[2]!.start;
    expect(at).toBe(23 + 62);
    incr[at] = 0x21; // '!'
    const fs = faultyFixture(incr);
    const error = await load(fs, new Model(), { loadTruncated: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AofLoadError);
    expect(error).toMatchObject({
      file: INCR,
      offset: at,
      redisText: `Bad file format reading the append only file ${INCR}: make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>`,
    });
    expect((error as Error).message).toContain(`at offset ${at}`);
  });

  it('a bad RDB base: names the file', async () => {
    const base = Buffer.from(fixtureBytes(BASE));
    base[base.length - 3]! ^= 0xff; // the checksum
    const fs = faultyFixture();
    fs.addFile(`${AOF_DIR}/${BASE}`, base);
    const error = await load(fs, new Model()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AofLoadError);
    expect(error).toMatchObject({ file: BASE, redisText: `Error reading the RDB base file ${BASE}, AOF loading aborted` });
  });

  it('a truncated RDB base is fatal even with aof-load-truncated (Redis fails the RDB load)', async () => {
    const fs = faultyFixture();
    fs.addFile(`${AOF_DIR}/${BASE}`, fixtureBytes(BASE).subarray(0, 1000));
    await expect(load(fs, new Model(), { loadTruncated: true })).rejects.toMatchObject({ file: BASE });
  });

  it('MULTI inside MULTI and EXEC without MULTI', async () => {
    for (const [bytes, offset] of [
      [Buffer.concat([encode('MULTI'), encode('MULTI'), encode('EXEC')]), 15],
      [Buffer.concat([encode('SET', 'a', 'b'), encode('EXEC')]), 27],
    ] as const) {
      const fs = faultyFixture(bytes);
      const error = await load(fs, new Model()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AofLoadError);
      expect((error as AofLoadError).message).toMatch(/MULTI inside MULTI|EXEC without MULTI/);
      expect((error as AofLoadError).offset).toBe(offset);
    }
  });

  it('an exception from apply: names the command, file and offset', async () => {
    const fs = faultyFixture(Buffer.concat([encode('SET', 'a', 'b'), encode('BOGUS', 'x')]));
    const error = await load(fs, new Model()).catch((e: unknown) => e);
    expect(error).toMatchObject({ file: INCR, offset: 27 });
    expect((error as Error).message).toContain("Error applying the command 'BOGUS'");
    expect((error as Error).message).toContain("ERR unknown command 'BOGUS'");
  });

  it('a missing listed file', async () => {
    const fs = faultyFixture();
    fs.addFile(`${AOF_DIR}/${MANIFEST}`, `file ${BASE} seq 1 type b\nfile ${INCR} seq 1 type i\nfile appendonly.aof.2.incr.aof seq 2 type i\n`);
    await expect(load(fs, new Model())).rejects.toThrow(
      'Unable to obtain the AOF file appendonly.aof.2.incr.aof length. stat: No such file or directory',
    );
  });
});

describe('each file starts in db 0', () => {
  it('calls onFileStart before the commands of every file', async () => {
    const fs = new FaultyFileSystem();
    fs.addFile(`${AOF_DIR}/${MANIFEST}`, `file ${INCR} seq 1 type i\nfile appendonly.aof.2.incr.aof seq 2 type i\n`);
    fs.addFile(`${AOF_DIR}/${INCR}`, Buffer.concat([encode('SELECT', '3'), encode('SET', 'a', '1')]));
    fs.addFile(`${AOF_DIR}/appendonly.aof.2.incr.aof`, encode('SET', 'b', '2'));
    const model = new Model();
    const started: string[] = [];
    await load(fs, model, {
      onFileStart: (f) => {
        started.push(f.name);
        model.onFileStart();
      },
    });
    expect(started).toEqual([INCR, 'appendonly.aof.2.incr.aof']);
    expect(Object.keys(model.dataset())).toEqual(['0', '3']);
  });
});

describe('an RDB base written by our encoder', () => {
  it('loads through the loader', async () => {
    const dbs = new Map([[2, new Map([['k', { value: 'v' as const, expireAt: undefined }]])]]);
    const { bytes } = encodeDataset(dbs, { aux: [['aof-base', 1]] });
    const dir = await mkdtemp(join(tmpdir(), 'aki-aof-load-'));
    tempDirs.push(dir);
    await mkdir(join(dir, 'appendonlydir'));
    await writeFile(join(dir, 'appendonlydir', MANIFEST), `file ${BASE} seq 1 type b\n`);
    await writeFile(join(dir, 'appendonlydir', BASE), bytes);
    const model = new Model();
    const summary = await load(nodeFileSystem, model, {}, dir);
    expect(model.dataset()).toEqual({ '2': { k: { value: { type: 'string', value: 'v' }, expireAt: null } } });
    expect(summary.files[0]!.format).toBe('rdb');
    expect(await readFile(join(dir, 'appendonlydir', BASE))).toEqual(bytes);
  });
});
