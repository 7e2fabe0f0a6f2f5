// Differential test against a real redis-server: the same commands go to both,
// every reply must be byte-identical, and DEBUG DIGEST / DIGEST-VALUE (the
// dataset fingerprints tools use to compare servers) must agree throughout.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawConnection, hasBinary, showBytes, startAki, startRedis, type RunningServer } from '@aki/test-utils';

const haveRedis = hasBinary('redis-server');
const ARGS = ['--enable-debug-command', 'yes', '--appendonly', 'no', '--save', ''];

let aki: RunningServer;
let redis: RunningServer;
let a: RawConnection;
let r: RawConnection;

type Arg = string | number | Buffer;

/** Sends one command to both servers and returns both raw replies. */
async function both(...args: Arg[]): Promise<[string, string]> {
  const [x, y] = await Promise.all([a.call(...args), r.call(...args)]);
  return [x.toString('latin1'), y.toString('latin1')];
}

const describeArgs = (args: Arg[]) =>
  args.map((x) => (Buffer.isBuffer(x) ? showBytes(x, 40) : JSON.stringify(String(x).slice(0, 40)))).join(' ');

/** Runs commands on both servers; returns the ones whose replies differ. */
async function runBoth(commands: Arg[][]): Promise<string[]> {
  const diffs: string[] = [];
  for (const cmd of commands) {
    const [x, y] = await both(...cmd);
    if (x !== y) diffs.push(`${describeArgs(cmd)}\n    aki:   ${JSON.stringify(x)}\n    redis: ${JSON.stringify(y)}`);
  }
  return diffs;
}

async function expectSameDigest(): Promise<void> {
  const [x, y] = await both('DEBUG', 'DIGEST');
  expect(y).toMatch(/^\+[0-9a-f]{40}\r\n$/);
  expect(x, 'DEBUG DIGEST').toBe(y);
}

async function expectSameValueDigests(keys: Arg[]): Promise<void> {
  const [x, y] = await both('DEBUG', 'DIGEST-VALUE', ...keys);
  expect(x, 'DEBUG DIGEST-VALUE').toBe(y);
}

beforeAll(async () => {
  if (!haveRedis) return;
  [aki, redis] = await Promise.all([startAki({ args: ARGS }), startRedis({ args: ARGS })]);
  [a, r] = await Promise.all([RawConnection.open(aki.port), RawConnection.open(redis.port)]);
});

afterAll(async () => {
  a?.close();
  r?.close();
  await Promise.all([aki?.stop(), redis?.stop()]);
});

// Fixed absolute expiry times, so both servers store the same deadline.
const FAR = 4_102_444_800_000; // 2100-01-01 in ms

describe.skipIf(!haveRedis)(
  `aki and redis-server agree${haveRedis ? '' : ' (skipped: redis-server is not installed; apt-get install redis-server)'}`,
  () => {
    it('empty datasets', async () => {
      expect(await runBoth([['FLUSHALL']])).toEqual([]);
      await expectSameDigest();
      const [x] = await both('DEBUG', 'DIGEST');
      expect(x).toBe(`+${'0'.repeat(40)}\r\n`);
    });

    it('strings of every shape', async () => {
      const values: Arg[] = [
        '',
        '0',
        '1',
        '-1',
        '123456789',
        '9223372036854775807',
        '-9223372036854775808',
        '18446744073709551616',
        '007',
        '3.14',
        'hello',
        'a'.repeat(44),
        'a'.repeat(45),
        'x'.repeat(100_000),
        Buffer.from([0, 1, 2, 0xff, 0xfe, 0x0d, 0x0a]),
        'héllo wörld',
      ];
      const cmds: Arg[][] = [['FLUSHALL']];
      values.forEach((v, i) => cmds.push(['SET', `str:${i}`, v]));
      cmds.push(['SET', Buffer.from([0x00, 0xff, 0x80]), 'binary key']);
      expect(await runBoth(cmds)).toEqual([]);
      await expectSameDigest();
      await expectSameValueDigests([...values.map((_, i) => `str:${i}`), Buffer.from([0x00, 0xff, 0x80]), 'nokey']);
    });

    it('keys with and without expiry, in several databases', async () => {
      const cmds: Arg[][] = [
        ['FLUSHALL'],
        ['SET', 'e1', 'v', 'PXAT', FAR],
        ['SET', 'e2', 'v', 'EX', '1000'], // relative: the digest only marks that a TTL exists
        ['SET', 'p1', 'v'],
        ['SELECT', '3'],
        ['SET', 'e1', 'v', 'PXAT', FAR + 1],
        ['MSET', 'm1', '1', 'm2', '2'],
        ['SELECT', '15'],
        ['SET', 'last', 'db'],
        ['SELECT', '0'],
      ];
      expect(await runBoth(cmds)).toEqual([]);
      await expectSameDigest();
      await expectSameValueDigests(['e1', 'e2', 'p1']);
      expect(await runBoth([['PERSIST', 'e1'], ['PEXPIREAT', 'p1', FAR]])).toEqual([]);
      await expectSameDigest();
      await expectSameValueDigests(['e1', 'p1']);
    });

    it('after MOVE, SWAPDB, COPY, RENAME', async () => {
      const cmds: Arg[][] = [
        ['MOVE', 'e1', '5'],
        ['SWAPDB', '3', '7'],
        ['COPY', 'p1', 'p1copy', 'DB', '9'],
        ['RENAME', 'e2', 'e2renamed'],
        ['COPY', 'e2renamed', 'e2copy'],
        ['RENAMENX', 'p1', 'e2copy'],
      ];
      expect(await runBoth(cmds)).toEqual([]);
      await expectSameDigest();
    });

    it('a seeded random workload: every reply and the digest agree', async () => {
      let seed = 20240607;
      const rand = (n: number) => {
        seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
        return (seed >>> 8) % n;
      };
      const key = () => `k${rand(40)}`;
      const val = () => ['', '1', '42', '-7', 'abc', 'hello world', '3.5', 'z'.repeat(rand(60))][rand(8)]!;
      const at = () => FAR + rand(1000);
      const makers: Array<() => Arg[]> = [
        () => ['SET', key(), val()],
        () => ['SET', key(), val(), 'NX'],
        () => ['SET', key(), val(), 'XX', 'GET'],
        () => ['SET', key(), val(), 'PXAT', at()],
        () => ['SET', key(), val(), 'KEEPTTL'],
        () => ['GET', key()],
        () => ['MGET', key(), key(), key()],
        () => ['MSET', key(), val(), key(), val()],
        () => ['MSETNX', key(), val(), key(), val()],
        () => ['SETNX', key(), val()],
        () => ['GETSET', key(), val()],
        () => ['GETDEL', key()],
        () => ['GETEX', key(), 'PXAT', at()],
        () => ['GETEX', key(), 'PERSIST'],
        () => ['APPEND', key(), val()],
        () => ['STRLEN', key()],
        () => ['GETRANGE', key(), String(rand(10) - 5), String(rand(20) - 5)],
        () => ['SETRANGE', key(), String(rand(20)), val()],
        () => ['INCR', key()],
        () => ['DECRBY', key(), String(rand(1000) - 500)],
        () => ['INCRBYFLOAT', key(), ['0.5', '1.25', '-2', '10'][rand(4)]!],
        () => ['DEL', key(), key()],
        () => ['UNLINK', key()],
        () => ['EXISTS', key(), key()],
        () => ['TYPE', key()],
        () => ['PEXPIREAT', key(), at()],
        () => ['EXPIREAT', key(), String(Math.floor(at() / 1000)), ['NX', 'XX', 'GT', 'LT'][rand(4)]!],
        () => ['PEXPIRETIME', key()],
        () => ['EXPIRETIME', key()],
        () => ['PERSIST', key()],
        () => ['RENAME', key(), key()],
        () => ['RENAMENX', key(), key()],
        () => ['COPY', key(), key(), 'REPLACE'],
        () => ['COPY', key(), key(), 'DB', String(rand(4))],
        () => ['MOVE', key(), String(1 + rand(3))],
        () => ['SELECT', String(rand(4))],
        () => ['SWAPDB', String(rand(4)), String(rand(4))],
        () => ['TOUCH', key(), key()],
        () => ['DBSIZE'],
        // OBJECT ENCODING is left out on purpose: Redis's answer depends on each
        // value's history (APPEND makes "raw", INCRBYFLOAT "embstr"...), which
        // keys-expiry.test.ts checks for the common cases.
      ];
      const cmds: Arg[][] = [['FLUSHALL'], ['SELECT', '0']];
      for (let i = 0; i < 3000; i++) cmds.push(makers[rand(makers.length)]!());
      const diffs = await runBoth(cmds);
      expect(diffs.slice(0, 15), `${diffs.length} of ${cmds.length} replies differ`).toEqual([]);
      await expectSameDigest();
      for (let db = 0; db < 4; db++) {
        expect(await runBoth([['SELECT', String(db)]])).toEqual([]);
        await expectSameValueDigests(Array.from({ length: 40 }, (_, i) => `k${i}`));
        const [ka, kr] = await both('KEYS', '*');
        const sortKeys = (s: string) => s.split('\r\n').filter((l) => l && !l.startsWith('*') && !l.startsWith('$')).sort();
        expect(sortKeys(ka), `keys of db ${db}`).toEqual(sortKeys(kr));
      }
    });

    it('DEBUG POPULATE produces the same dataset', async () => {
      expect(await runBoth([['FLUSHALL'], ['SELECT', '0'], ['DEBUG', 'POPULATE', '1000'], ['DEBUG', 'POPULATE', '100', 'p', '32']])).toEqual(
        [],
      );
      await expectSameDigest();
    });
  },
);
