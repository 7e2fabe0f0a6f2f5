// The 16 logical databases: SELECT, MOVE, SWAPDB, FLUSHDB/FLUSHALL, DBSIZE, INFO keyspace.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { RawConnection, decodeReply, startAki, type RunningServer } from '@aki/test-utils';

let server: RunningServer;
let c: RawConnection;
let other: RawConnection;

const call = async (conn: RawConnection, ...args: Array<string | number>) => (await conn.call(...args)).toString('latin1');
const q = (...args: Array<string | number>) => call(c, ...args);
const bulk = (s: string) => `$${Buffer.byteLength(s, 'latin1')}\r\n${s}\r\n`;
const int = (n: number) => `:${n}\r\n`;
const OK = '+OK\r\n';
const NIL = '$-1\r\n';
const OUT_OF_RANGE = '-ERR DB index is out of range\r\n';
const NOT_INT = '-ERR value is not an integer or out of range\r\n';

async function keyspace(): Promise<string> {
  const info = String(decodeReply(await c.call('INFO', 'keyspace'))!.value);
  return info;
}

beforeAll(async () => {
  server = await startAki();
  c = await RawConnection.open(server.port);
  other = await RawConnection.open(server.port);
});

afterAll(async () => {
  c?.close();
  other?.close();
  await server?.stop();
});

beforeEach(async () => {
  expect(await q('FLUSHALL')).toBe(OK);
  expect(await q('SELECT', '0')).toBe(OK);
  expect(await call(other, 'SELECT', '0')).toBe(OK);
});

describe('SELECT', () => {
  it('accepts 0..15 and rejects the rest', async () => {
    for (let db = 0; db < 16; db++) expect(await q('SELECT', db)).toBe(OK);
    expect(await q('SELECT', '16')).toBe(OUT_OF_RANGE);
    expect(await q('SELECT', '-1')).toBe(OUT_OF_RANGE);
    expect(await q('SELECT', 'abc')).toBe(NOT_INT);
    expect(await q('SELECT', '1.0')).toBe(NOT_INT);
    expect(await q('SELECT')).toBe("-ERR wrong number of arguments for 'select' command\r\n");
    // A failed SELECT leaves the connection where it was.
    await q('SET', 'where', 'db15');
    expect(await q('SELECT', '99')).toBe(OUT_OF_RANGE);
    expect(await q('GET', 'where')).toBe(bulk('db15'));
  });

  it('databases are isolated, and the selection is per connection', async () => {
    await q('SET', 'k', 'db0');
    await q('SELECT', '1');
    expect(await q('GET', 'k')).toBe(NIL);
    await q('SET', 'k', 'db1');
    expect(await call(other, 'GET', 'k')).toBe(bulk('db0'));
    await call(other, 'SELECT', '1');
    expect(await call(other, 'GET', 'k')).toBe(bulk('db1'));
    expect(await q('DBSIZE')).toBe(int(1));
    await q('SELECT', '2');
    expect(await q('DBSIZE')).toBe(int(0));
  });

  it('CLIENT INFO reports the selected db', async () => {
    await q('SELECT', '7');
    expect(String(decodeReply(await c.call('CLIENT', 'INFO'))!.value)).toMatch(/ db=7 /);
  });
});

describe('MOVE', () => {
  it('moves a key with its TTL, only when the target has no such key', async () => {
    await q('SET', 'm', 'v', 'EX', '100');
    expect(await q('MOVE', 'm', '1')).toBe(int(1));
    expect(await q('EXISTS', 'm')).toBe(int(0));
    await q('SELECT', '1');
    expect(await q('GET', 'm')).toBe(bulk('v'));
    expect(await q('TTL', 'm')).toBe(int(100));
    await q('SELECT', '0');
    await q('SET', 'm', 'other');
    expect(await q('MOVE', 'm', '1')).toBe(int(0));
    expect(await q('GET', 'm')).toBe(bulk('other'));
    expect(await q('MOVE', 'nokey', '1')).toBe(int(0));
  });

  it('rejects bad targets', async () => {
    await q('SET', 'k', 'v');
    expect(await q('MOVE', 'k', '0')).toBe('-ERR source and destination objects are the same\r\n');
    expect(await q('MOVE', 'k', '16')).toBe(OUT_OF_RANGE);
    expect(await q('MOVE', 'k', 'abc')).toBe(NOT_INT);
    expect(await q('MOVE', 'k')).toBe("-ERR wrong number of arguments for 'move' command\r\n");
    expect(await q('GET', 'k')).toBe(bulk('v'));
  });
});

describe('SWAPDB', () => {
  it('swaps contents, visible to connections that selected either db', async () => {
    await q('SET', 'a', 'in0', 'EX', '100');
    await q('SELECT', '1');
    await q('SET', 'b', 'in1');
    await call(other, 'SELECT', '1');
    expect(await call(other, 'GET', 'b')).toBe(bulk('in1'));
    expect(await q('SWAPDB', '0', '1')).toBe(OK);
    // `other` stays on db 1, which now holds what db 0 held.
    expect(await call(other, 'GET', 'b')).toBe(NIL);
    expect(await call(other, 'GET', 'a')).toBe(bulk('in0'));
    expect(await call(other, 'TTL', 'a')).toBe(int(100));
    await q('SELECT', '0');
    expect(await q('GET', 'b')).toBe(bulk('in1'));
    expect(await q('SWAPDB', '0', '0')).toBe(OK);
    expect(await q('GET', 'b')).toBe(bulk('in1'));
  });

  it('rejects bad indexes', async () => {
    expect(await q('SWAPDB', '0', '16')).toBe(OUT_OF_RANGE);
    expect(await q('SWAPDB', 'a', '1')).toBe('-ERR invalid first DB index\r\n');
    expect(await q('SWAPDB', '0', 'b')).toBe('-ERR invalid second DB index\r\n');
    expect(await q('SWAPDB', '0')).toBe("-ERR wrong number of arguments for 'swapdb' command\r\n");
  });
});

describe('FLUSHDB / FLUSHALL / DBSIZE', () => {
  it('FLUSHDB empties only the selected db', async () => {
    await q('SET', 'x', '1');
    await q('SELECT', '3');
    await q('MSET', 'y', '1', 'z', '2');
    expect(await q('DBSIZE')).toBe(int(2));
    expect(await q('FLUSHDB')).toBe(OK);
    expect(await q('DBSIZE')).toBe(int(0));
    await q('SELECT', '0');
    expect(await q('DBSIZE')).toBe(int(1));
    expect(await q('FLUSHDB', 'ASYNC')).toBe(OK);
    expect(await q('DBSIZE')).toBe(int(0));
    await q('SET', 'x', '1');
    expect(await q('FLUSHDB', 'SYNC')).toBe(OK);
    expect(await q('DBSIZE')).toBe(int(0));
    expect(await q('FLUSHDB', 'FOO')).toBe('-ERR syntax error\r\n');
  });

  it('FLUSHALL empties every db', async () => {
    for (const db of [0, 5, 15]) {
      await q('SELECT', db);
      await q('SET', `k${db}`, 'v');
    }
    expect(await q('FLUSHALL', 'SYNC')).toBe(OK);
    for (const db of [0, 5, 15]) {
      await q('SELECT', db);
      expect(await q('DBSIZE')).toBe(int(0));
    }
    expect(await q('FLUSHALL', 'FOO')).toBe('-ERR syntax error\r\n');
  });

  it('COPY into another db', async () => {
    await q('SET', 'src', 'v', 'EX', '100');
    expect(await q('COPY', 'src', 'dst', 'DB', '4')).toBe(int(1));
    expect(await q('COPY', 'src', 'dst', 'DB', '4')).toBe(int(0));
    expect(await q('EXISTS', 'dst')).toBe(int(0));
    await q('SELECT', '4');
    expect(await q('GET', 'dst')).toBe(bulk('v'));
    expect(await q('TTL', 'dst')).toBe(int(100));
    // COPY with a different db may use the same key name.
    await q('SELECT', '0');
    expect(await q('COPY', 'src', 'src', 'DB', '5')).toBe(int(1));
  });
});

describe('INFO keyspace', () => {
  it('lists only non-empty dbs, in order, with keys/expires/avg_ttl', async () => {
    expect(await keyspace()).toBe('# Keyspace\r\n');
    await q('SELECT', '1');
    await q('SET', 'aa', '1', 'EX', '100');
    await q('SET', 'bb', '1');
    await q('SELECT', '0');
    await q('SET', 'cc', '1');
    const info = await keyspace();
    expect(info).toMatch(/^# Keyspace\r\ndb0:keys=1,expires=0,avg_ttl=0\r\ndb1:keys=2,expires=1,avg_ttl=\d+\r\n$/);
  });
});

describe('clients selecting a database', () => {
  it('ioredis db option', async () => {
    await q('SELECT', '3');
    await q('SET', 'via', 'raw');
    const r = new Redis({ port: server.port, host: server.host, db: 3, lazyConnect: true });
    try {
      await r.connect();
      expect(await r.get('via')).toBe('raw');
      await r.set('from', 'ioredis');
      expect(await q('GET', 'from')).toBe(bulk('ioredis'));
    } finally {
      r.disconnect();
    }
  });

  it('node-redis database option', async () => {
    await q('SELECT', '9');
    await q('SET', 'via', 'raw');
    const client = createClient({ socket: { port: server.port, host: server.host }, database: 9 });
    client.on('error', () => {});
    await client.connect();
    try {
      expect(await client.get('via')).toBe('raw');
    } finally {
      client.destroy();
    }
  });
});

describe('a server with fewer databases', () => {
  it('--databases 4 limits SELECT and CONFIG GET reports it', async () => {
    const small = await startAki({ args: ['--databases', '4'] });
    const s = await RawConnection.open(small.port);
    try {
      expect((await s.call('SELECT', '3')).toString()).toBe(OK);
      expect((await s.call('SELECT', '4')).toString()).toBe(OUT_OF_RANGE);
      expect((await s.call('CONFIG', 'GET', 'databases')).toString()).toBe('*2\r\n$9\r\ndatabases\r\n$1\r\n4\r\n');
    } finally {
      s.close();
      await small.stop();
    }
  });
});
