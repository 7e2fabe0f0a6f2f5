// The two big Node clients, unmodified, in both protocols: connect (with their
// handshakes and ready checks), pipelines, binary data, RESP3 types.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { createClient, RESP_TYPES } from 'redis';
import { RawConnection, decodeReply, startAki, type RunningServer } from '@aki/test-utils';

let server: RunningServer;
let admin: RawConnection;

beforeAll(async () => {
  server = await startAki({ args: ['--appendonly', 'no', '--save', ''] });
  admin = await RawConnection.open(server.port);
});

afterAll(async () => {
  admin?.close();
  await server?.stop();
});

async function clientList(): Promise<string> {
  return String(decodeReply(await admin.call('CLIENT', 'LIST'))!.value);
}

const BINARY_KEY = Buffer.from([0x00, 0x0d, 0x0a, 0xff, 0x80, 0x20, 0x00]);
const BINARY_VALUE = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

for (const protocol of [2, 3] as const) {
  describe(`ioredis, protocol ${protocol}`, () => {
    let r: Redis;
    const p = `io${protocol}:`;

    beforeAll(async () => {
      r = new Redis({ port: server.port, host: server.host, protocol, lazyConnect: true, connectionName: `ioredis-${protocol}` });
      await r.connect();
    });
    afterAll(() => r?.disconnect());

    it('connects through the INFO ready check', async () => {
      expect(r.status).toBe('ready');
      // Run ioredis's own ready check again to see what it parsed out of INFO.
      const info = await new Promise<Record<string, string>>((resolve, reject) =>
        (r as unknown as { _readyCheck(cb: (err: Error | null, info: Record<string, string>) => void): void })._readyCheck(
          (err, parsed) => (err ? reject(err) : resolve(parsed)),
        ),
      );
      expect(info.loading).toBe('0');
      expect(info.redis_version).toMatch(/^7\./);
      expect(info.role).toBe('master');
      expect(await r.ping()).toBe('PONG');
    });

    it('handshake: connection name and CLIENT SETINFO', async () => {
      expect(await r.client('GETNAME')).toBe(`ioredis-${protocol}`);
      const line = (await clientList()).split('\n').find((l) => l.includes(` name=ioredis-${protocol} `));
      expect(line).toMatch(/ lib-name=ioredis /);
      expect(line).toMatch(/ lib-ver=\d+\.\d+\.\d+/);
      expect(line).toMatch(new RegExp(` resp=${protocol}`));
    });

    it('strings, counters and expiry', async () => {
      expect(await r.set(`${p}k`, 'v')).toBe('OK');
      expect(await r.get(`${p}k`)).toBe('v');
      expect(await r.get(`${p}missing`)).toBe(null);
      expect(await r.incrby(`${p}n`, 5)).toBe(5);
      expect(await r.incrbyfloat(`${p}n`, '0.5')).toBe('5.5');
      expect(await r.set(`${p}e`, 'v', 'EX', 100)).toBe('OK');
      expect(await r.ttl(`${p}e`)).toBe(100);
      expect(await r.mget(`${p}k`, `${p}missing`)).toEqual(['v', null]);
      expect(await r.del(`${p}k`, `${p}n`, `${p}e`)).toBe(3);
      await expect(r.incr(`${p}nonint`).then(() => r.set(`${p}nonint`, 'x')).then(() => r.incr(`${p}nonint`))).rejects.toThrow(
        'ERR value is not an integer or out of range',
      );
    });

    it('a pipeline of 10k commands', async () => {
      const n = 10_000;
      const writes = r.pipeline();
      for (let i = 0; i < n; i++) writes.set(`${p}pipe:${i}`, `value-${i}`);
      const written = await writes.exec();
      expect(written?.length).toBe(n);
      expect(written?.every(([err, res]) => err === null && res === 'OK')).toBe(true);
      const reads = r.pipeline();
      for (let i = 0; i < n; i++) reads.get(`${p}pipe:${i}`);
      const read = await reads.exec();
      expect(read?.map(([, v]) => v)).toEqual(Array.from({ length: n }, (_, i) => `value-${i}`));
      const keys: string[] = [];
      for await (const batch of r.scanStream({ match: `${p}pipe:*`, count: 500 })) keys.push(...(batch as string[]));
      expect(new Set(keys).size).toBe(n);
    });

    it('binary-safe keys and values', async () => {
      const key = Buffer.concat([Buffer.from(p), BINARY_KEY]);
      expect(await r.set(key, BINARY_VALUE)).toBe('OK');
      expect((await r.getBuffer(key))?.equals(BINARY_VALUE)).toBe(true);
      expect(await r.strlen(key)).toBe(256);
      expect(await r.exists(Buffer.concat([Buffer.from(p), BINARY_KEY.subarray(0, 6)]))).toBe(0);
      expect(await r.append(key, Buffer.from([0xfe]))).toBe(257);
      expect((await r.getrangeBuffer(key, -2, -1)).equals(Buffer.from([0xff, 0xfe]))).toBe(true);
    });

    it('a 5 MB value', async () => {
      const big = Buffer.alloc(5 * 1024 * 1024, 0xab);
      big.write('start', 0);
      big.write('end', big.length - 3);
      expect(await r.set(`${p}big`, big)).toBe('OK');
      expect((await r.getBuffer(`${p}big`))?.equals(big)).toBe(true);
      await r.del(`${p}big`);
    });

    it('errors come back as ReplyErrors with Redis text', async () => {
      await expect(r.call('NOSUCHCOMMAND', 'x')).rejects.toThrow("ERR unknown command 'NOSUCHCOMMAND', with args beginning with: 'x' ");
      await expect(r.call('GET')).rejects.toThrow("ERR wrong number of arguments for 'get' command");
      expect(await r.ping()).toBe('PONG');
    });
  });
}

describe('ioredis with RESP3 reply mapping', () => {
  it('maps and doubles arrive as RESP3 types', async () => {
    const r = new Redis({ port: server.port, host: server.host, protocol: 3, replyMapping: 'resp3', lazyConnect: true });
    try {
      await r.connect();
      expect(await r.call('CONFIG', 'GET', 'port')).toEqual({ port: String(server.port) });
      const hello = (await r.call('HELLO', '3')) as Record<string, unknown>;
      expect(hello.proto).toBe(3);
      expect(hello.mode).toBe('standalone');
      expect(hello.role).toBe('master');
    } finally {
      r.disconnect();
    }
  });
});

for (const RESP of [2, 3] as const) {
  describe(`node-redis, RESP ${RESP}`, () => {
    let client: ReturnType<typeof createClient>;
    const p = `nr${RESP}:`;

    beforeAll(async () => {
      client = createClient({ socket: { port: server.port, host: server.host }, RESP, name: `node-redis-${RESP}` });
      client.on('error', () => {});
      await client.connect();
    });
    afterAll(() => client?.destroy());

    it('connects and identifies itself', async () => {
      expect(client.isReady).toBe(true);
      expect(await client.ping()).toBe('PONG');
      expect(await client.clientGetName()).toBe(`node-redis-${RESP}`);
      const line = (await clientList()).split('\n').find((l) => l.includes(` name=node-redis-${RESP} `));
      expect(line).toMatch(/ lib-name=node-redis /);
      expect(line).toMatch(/ lib-ver=\d+\.\d+\.\d+/);
      expect(line).toMatch(new RegExp(` resp=${RESP}`));
    });

    it('strings, counters and expiry', async () => {
      expect(await client.set(`${p}k`, 'v', { EX: 100 })).toBe('OK');
      expect(await client.get(`${p}k`)).toBe('v');
      expect(await client.ttl(`${p}k`)).toBe(100);
      expect(await client.get(`${p}missing`)).toBe(null);
      expect(await client.incrBy(`${p}n`, 7)).toBe(7);
      expect(await client.mGet([`${p}k`, `${p}missing`])).toEqual(['v', null]);
      expect(await client.set(`${p}k`, 'w', { NX: true })).toBe(null);
      expect(await client.getDel(`${p}k`)).toBe('v');
      await expect(client.sendCommand(['NOSUCHCOMMAND'])).rejects.toThrow("ERR unknown command 'NOSUCHCOMMAND'");
    });

    it('10k commands auto-pipelined', async () => {
      const n = 10_000;
      const sets = await Promise.all(Array.from({ length: n }, (_, i) => client.set(`${p}pipe:${i}`, `value-${i}`)));
      expect(sets.every((x) => x === 'OK')).toBe(true);
      const gets = await Promise.all(Array.from({ length: n }, (_, i) => client.get(`${p}pipe:${i}`)));
      expect(gets).toEqual(Array.from({ length: n }, (_, i) => `value-${i}`));
      let count = 0;
      for await (const batch of client.scanIterator({ MATCH: `${p}pipe:*`, COUNT: 1000 })) count += batch.length;
      expect(count).toBe(n);
    });

    it('binary-safe keys and values', async () => {
      const binary = client.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer });
      const key = Buffer.concat([Buffer.from(p), BINARY_KEY]);
      expect(await binary.set(key, BINARY_VALUE)).toBe('OK');
      const got = (await binary.get(key)) as unknown as Buffer;
      expect(Buffer.isBuffer(got)).toBe(true);
      expect(got.equals(BINARY_VALUE)).toBe(true);
    });

    it('CONFIG GET and HELLO decode as maps', async () => {
      expect(await client.configGet('port')).toEqual({ port: String(server.port) });
      const hello = (await client.sendCommand(['HELLO', String(RESP)])) as unknown;
      const asObject =
        hello instanceof Map
          ? Object.fromEntries(hello)
          : Array.isArray(hello)
            ? Object.fromEntries(Array.from({ length: hello.length / 2 }, (_, i) => [hello[2 * i], hello[2 * i + 1]]))
            : (hello as Record<string, unknown>);
      expect(asObject.proto).toBe(RESP);
      expect(asObject.role).toBe('master');
    });
  });
}

describe('many clients at once', () => {
  it('50 ioredis connections incrementing one counter', async () => {
    const clients = Array.from({ length: 50 }, () => new Redis({ port: server.port, host: server.host, lazyConnect: true }));
    try {
      await Promise.all(clients.map((c) => c.connect()));
      await clients[0]!.del('shared:counter');
      await Promise.all(clients.map(async (c) => { for (let i = 0; i < 100; i++) await c.incr('shared:counter'); }));
      expect(await clients[0]!.get('shared:counter')).toBe('5000');
    } finally {
      for (const c of clients) c.disconnect();
    }
  });
});
