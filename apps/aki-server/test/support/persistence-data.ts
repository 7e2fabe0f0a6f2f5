// Datasets and probes shared by the persistence-*.test.ts tier: a dataset
// that exercises every type, encoding size class, expiry and several
// databases; DEBUG DIGEST; INFO parsing; waiting for background jobs; the
// per-file fixture that releases servers, connections and temp dirs.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach } from 'vitest';
import { RawConnection, RespError, decodeReply, encodePipeline, waitFor, type RunningServer } from '@aki/test-utils';

/** Arguments every persistence test passes so DEBUG DIGEST / RELOAD work on both servers. */
export const DEBUG_ARGS = ['--enable-debug-command', 'yes'];

/** Sends `commands` as one pipeline and returns the decoded replies (errors are RespError values). */
export async function pipeline(c: RawConnection, commands: Array<Array<string | number>>): Promise<unknown[]> {
  if (commands.length === 0) return [];
  c.write(encodePipeline(commands));
  const raw = await c.readReplies(commands.length, 30_000);
  const out: unknown[] = [];
  let at = 0;
  while (at < raw.length) {
    const r = decodeReply(raw, at)!;
    out.push(r.value);
    at += r.length;
  }
  return out;
}

/** Like pipeline() but fails on any error reply. */
export async function pipelineOk(c: RawConnection, commands: Array<Array<string | number>>): Promise<unknown[]> {
  const replies = await pipeline(c, commands);
  replies.forEach((r, i) => {
    if (r instanceof RespError) throw new Error(`${commands[i]!.join(' ').slice(0, 80)} -> ${r.message}`);
  });
  return replies;
}

/** Loads in chunks of `chunk` commands (keeps the socket buffers small). */
export async function pipelineChunks(c: RawConnection, commands: Array<Array<string | number>>, chunk = 5000): Promise<void> {
  for (let i = 0; i < commands.length; i += chunk) await pipelineOk(c, commands.slice(i, i + chunk));
}

const far = () => Date.now() + 3_600_000;

/**
 * Commands building a dataset with all five types in small (listpack/intset)
 * and large (quicklist/hashtable/skiplist) sizes, binary and integer strings,
 * keys with expiry (absolute, so DEBUG DIGEST is stable across a restart), and
 * keys in databases 0, 3 and 15. `tag` varies the contents.
 */
export function datasetCommands(tag = 'd'): Array<Array<string | number>> {
  const cmds: Array<Array<string | number>> = [];
  let bin = '';
  for (let i = 0; i < 256; i++) bin += String.fromCharCode(i);
  const big = (n: number, p: string) => Array.from({ length: n }, (_, i) => `${p}${i}`);
  cmds.push(['SELECT', 0]);
  cmds.push(['SET', `${tag}:str:int`, '12345']);
  cmds.push(['SET', `${tag}:str:neg`, '-9007199254740993']);
  cmds.push(['SET', `${tag}:str:raw`, 'hello world']);
  cmds.push(['SET', `${tag}:str:empty`, '']);
  cmds.push(['SET', `${tag}:str:bin`, bin]);
  cmds.push(['SET', `${tag}:str:long`, 'abc'.repeat(3000)]);
  cmds.push(['SET', `${tag}:str:ttl`, 'soon', 'PXAT', far()]);
  cmds.push(['RPUSH', `${tag}:list:small`, 'a', 'b', 'c', '1', '-2', '300000']);
  cmds.push(['RPUSH', `${tag}:list:big`, ...big(3000, 'element-'), 'x'.repeat(10_000)]);
  cmds.push(['HSET', `${tag}:hash:small`, 'f1', 'v1', 'f2', '2', 'f3', '-3.5']);
  cmds.push(['HSET', `${tag}:hash:bin`, bin, bin]);
  cmds.push(['HSET', `${tag}:hash:big`, ...big(700, 'field-').flatMap((f) => [f, `value-of-${f}`])]);
  cmds.push(['HSET', `${tag}:hash:wide`, 'w', 'y'.repeat(200)]);
  cmds.push(['SADD', `${tag}:set:int`, '1', '2', '3', '-5', '100000', '9223372036854775807']);
  cmds.push(['SADD', `${tag}:set:str`, 'a', 'b', 'c']);
  cmds.push(['SADD', `${tag}:set:big`, ...big(1000, 'member-')]);
  cmds.push(['SADD', `${tag}:set:bigint`, ...Array.from({ length: 600 }, (_, i) => String(i * 7))]);
  cmds.push(['ZADD', `${tag}:zset:small`, '1', 'a', '2.5', 'b', '-inf', 'c', 'inf', 'd', '0.1', 'e']);
  cmds.push(['ZADD', `${tag}:zset:big`, ...big(300, 'zm-').flatMap((m, i) => [String(i / 3), m])]);
  cmds.push(['HSET', `${tag}:hash:ttl`, 'a', '1']);
  cmds.push(['PEXPIREAT', `${tag}:hash:ttl`, far() + 1234]);
  cmds.push(['RPUSH', `${tag}:list:ttl`, 'x']);
  cmds.push(['PEXPIREAT', `${tag}:list:ttl`, far() + 99]);
  cmds.push(['SELECT', 3]);
  cmds.push(['SET', `${tag}:db3:str`, 'three']);
  cmds.push(['SADD', `${tag}:db3:set`, 'x', 'y']);
  cmds.push(['ZADD', `${tag}:db3:zset`, '3', 'three']);
  cmds.push(['SET', `${tag}:db3:ttl`, 'v', 'PXAT', far() + 7]);
  cmds.push(['SELECT', 15]);
  cmds.push(['HSET', `${tag}:db15:hash`, 'k', 'v']);
  cmds.push(['RPUSH', `${tag}:db15:list`, 'only']);
  // Writes whose effect differs from the command: they must replay to the same state.
  cmds.push(['SELECT', 0]);
  cmds.push(['SET', `${tag}:str:incr`, '10']);
  cmds.push(['INCRBYFLOAT', `${tag}:str:incr`, '0.5']);
  cmds.push(['RPUSH', `${tag}:list:pop`, 'a', 'b', 'c']);
  cmds.push(['LPOP', `${tag}:list:pop`]);
  cmds.push(['SET', `${tag}:gone`, 'x']);
  cmds.push(['DEL', `${tag}:gone`]);
  cmds.push(['SET', `${tag}:persisted`, 'x', 'EX', '100']);
  cmds.push(['PERSIST', `${tag}:persisted`]);
  return cmds;
}

/** Writes datasetCommands(tag) over `c` and leaves it in db 0. */
export async function writeDataset(c: RawConnection, tag = 'd'): Promise<void> {
  await pipelineOk(c, datasetCommands(tag));
}

/** The keys per database a dataset with one tag has (for DBSIZE / INFO keyspace checks). */
export const DATASET_KEYS = { 0: 24, 3: 4, 15: 2 } as const;

export async function digest(c: RawConnection): Promise<string> {
  const d = String(await c.command('DEBUG', 'DIGEST'));
  if (!/^[0-9a-f]{40}$/.test(d)) throw new Error(`DEBUG DIGEST replied ${d}`);
  return d;
}

/** Parses an INFO reply (one section or all) into field -> value. */
export function parseInfo(text: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of text.split('\r\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const i = line.indexOf(':');
    if (i > 0) m.set(line.slice(0, i), line.slice(i + 1));
  }
  return m;
}

export async function info(c: RawConnection, section = 'persistence'): Promise<Map<string, string>> {
  const v = await c.command('INFO', section);
  if (v instanceof RespError) throw new Error(`INFO ${section} -> ${v.message}`);
  return parseInfo(String(v));
}

export async function infoField(c: RawConnection, field: string, section = 'persistence'): Promise<string | undefined> {
  return (await info(c, section)).get(field);
}

/** Waits until no BGSAVE / BGREWRITEAOF is running or scheduled. */
export async function waitForBackgroundJobs(c: RawConnection, timeoutMs = 20_000): Promise<void> {
  await waitFor(
    async () => {
      const i = await info(c);
      return (
        i.get('rdb_bgsave_in_progress') === '0' &&
        i.get('aof_rewrite_in_progress') === '0' &&
        (i.get('aof_rewrite_scheduled') ?? '0') === '0'
      );
    },
    timeoutMs,
    20,
  );
}

/** redis_version from INFO server as [major, minor, patch]. */
export async function serverVersion(c: RawConnection): Promise<[number, number, number]> {
  const v = (await info(c, 'server')).get('redis_version') ?? '0.0.0';
  const [a, b, p] = v.split('.').map(Number);
  return [a ?? 0, b ?? 0, p ?? 0];
}

/** True when the server reports 7.2 or later (WAITAOF, listpack sets in RDB 11, ...). */
export async function atLeast72(c: RawConnection): Promise<boolean> {
  const [a, b] = await serverVersion(c);
  return a > 7 || (a === 7 && b >= 2);
}

/** Opens a raw connection to `server`. */
export function connect(server: Pick<RunningServer, 'port'>): Promise<RawConnection> {
  return RawConnection.open(server.port);
}

/**
 * DEBUG DIGEST-VALUE of every key in databases 0..15, as "db:key" -> digest
 * (values only; DEBUG DIGEST also covers expiry). Turns a DEBUG DIGEST
 * mismatch into a list of keys.
 */
export async function keyDigests(c: RawConnection): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (let db = 0; db < 16; db++) {
    await c.command('SELECT', db);
    let cursor = '0';
    const keys: string[] = [];
    do {
      const [next, batch] = (await c.command('SCAN', cursor, 'COUNT', 1000)) as [string, string[]];
      keys.push(...batch);
      cursor = next;
    } while (cursor !== '0');
    for (let i = 0; i < keys.length; i += 500) {
      const chunk = keys.slice(i, i + 500);
      const ds = (await c.command('DEBUG', 'DIGEST-VALUE', ...chunk)) as string[];
      chunk.forEach((k, j) => out.set(`${db}:${k}`, ds[j]!));
    }
  }
  await c.command('SELECT', 0);
  return out;
}

/** The keys whose DEBUG DIGEST-VALUE differ between two keyDigests() maps (missing on either side included). */
export function digestDiff(a: Map<string, string>, b: Map<string, string>): string[] {
  const diff: string[] = [];
  for (const [k, v] of a) if (b.get(k) !== v) diff.push(b.has(k) ? `${k} differs` : `${k} missing after`);
  for (const k of b.keys()) if (!a.has(k)) diff.push(`${k} only after`);
  return diff.sort();
}

/** What persistenceFixture() hands a test file: push what a test opens, and it is released. */
export interface PersistenceFixture {
  /** A fresh temp dir (os.tmpdir()/<prefix>XXXXXX), removed after the file's last test. */
  tmpDir(): string;
  /** Servers SIGKILLed after each test (a server the test stopped itself is left as is). */
  running: Array<Pick<RunningServer, 'kill'>>;
  /** Raw connections closed after each test. */
  conns: RawConnection[];
  /** Client libraries (ioredis, ...) disconnected after each test, before the servers go. */
  clients: Array<{ disconnect(): void }>;
}

/**
 * Registers the afterEach/afterAll hooks of a persistence test file and returns
 * the lists they release; call once at the top level of the file. After each
 * test: clients disconnect, then connections close, then the servers are
 * killed (so no client sees its server vanish mid-command and reconnects).
 */
export function persistenceFixture(prefix: string): PersistenceFixture {
  const tmpDirs: string[] = [];
  const fixture: PersistenceFixture = {
    tmpDir() {
      const d = mkdtempSync(path.join(os.tmpdir(), prefix));
      tmpDirs.push(d);
      return d;
    },
    running: [],
    conns: [],
    clients: [],
  };
  afterEach(async () => {
    for (const r of fixture.clients.splice(0)) r.disconnect();
    for (const c of fixture.conns.splice(0)) c.close();
    await Promise.all(fixture.running.splice(0).map((s) => s.kill()));
  });
  afterAll(() => {
    for (const d of tmpDirs) rmSync(d, { recursive: true, force: true });
  });
  return fixture;
}
