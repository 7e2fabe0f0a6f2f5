// Pub/sub fan-out: subscribers with ioredis and node-redis in RESP2 and RESP3
// and with raw sockets (exact push bytes), channel and pattern subscriptions
// side by side, one publisher. Every message must arrive once per matching
// subscription, in publish order.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { RawConnection, decodeReply, startAki, waitFor, type RunningServer } from '@aki/test-utils';
import { connectIoredis, connectNodeRedis, type NodeRedisClient } from './support/app-clients.js';

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

const bulk = (s: string) => `$${Buffer.byteLength(s, 'latin1')}\r\n${s}\r\n`;
const push = (proto: 2 | 3, ...parts: Array<string | number>) =>
  `${proto === 2 ? '*' : '>'}${parts.length}\r\n${parts.map((x) => (typeof x === 'number' ? `:${x}\r\n` : bulk(x))).join('')}`;
const SUBSCRIBED_ONLY = (cmd: string) =>
  `-ERR Can't execute '${cmd}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n`;

async function value(...args: string[]): Promise<unknown> {
  return decodeReply(await admin.call(...args))!.value;
}

describe('fan-out to every kind of subscriber', () => {
  let pub: Redis;
  let a: Redis; // ioredis RESP2: SUBSCRIBE fan:news fan:sports
  let b: Redis; // ioredis RESP3: PSUBSCRIBE fan:n*
  let c: NodeRedisClient; // node-redis RESP2: SUBSCRIBE fan:news, PSUBSCRIBE fan:*
  let d: NodeRedisClient; // node-redis RESP3: SUBSCRIBE fan:sports, PSUBSCRIBE fan:*
  let e: RawConnection; // RESP2: SUBSCRIBE fan:news
  let f: RawConnection; // RESP3: SUBSCRIBE fan:news, PSUBSCRIBE fan:n*
  const got: Record<string, string[]> = { a: [], b: [], cChannel: [], cPattern: [], dChannel: [], dPattern: [] };

  beforeAll(async () => {
    [pub, a, b, c, d, e, f] = await Promise.all([
      connectIoredis(server, 2),
      connectIoredis(server, 2),
      connectIoredis(server, 3),
      connectNodeRedis(server, 2),
      connectNodeRedis(server, 3),
      RawConnection.open(server.port),
      RawConnection.open(server.port),
    ]);
  });
  afterAll(() => {
    for (const x of [pub, a, b]) x?.disconnect();
    for (const x of [c, d]) x?.destroy();
    for (const x of [e, f]) x?.close();
  });

  it('subscribing: replies count the connection\'s subscriptions', async () => {
    a.on('message', (channel: string, message: string) => got.a!.push(`${channel}|${message}`));
    b.on('pmessage', (pattern: string, channel: string, message: string) => got.b!.push(`${pattern}|${channel}|${message}`));
    expect(await a.subscribe('fan:news', 'fan:sports')).toBe(2);
    expect(await b.psubscribe('fan:n*')).toBe(1);
    await c.subscribe('fan:news', (message, channel) => got.cChannel!.push(`${channel}|${message}`));
    await c.pSubscribe('fan:*', (message, channel) => got.cPattern!.push(`${channel}|${message}`));
    await d.subscribe('fan:sports', (message, channel) => got.dChannel!.push(`${channel}|${message}`));
    await d.pSubscribe('fan:*', (message, channel) => got.dPattern!.push(`${channel}|${message}`));

    e.send('SUBSCRIBE', 'fan:news');
    expect((await e.readReply()).toString()).toBe(push(2, 'subscribe', 'fan:news', 1));
    expect((await f.call('HELLO', '3')).toString()).toMatch(/^%7\r\n/);
    f.send('SUBSCRIBE', 'fan:news');
    expect((await f.readReply()).toString()).toBe(push(3, 'subscribe', 'fan:news', 1));
    f.send('PSUBSCRIBE', 'fan:n*');
    expect((await f.readReply()).toString()).toBe(push(3, 'psubscribe', 'fan:n*', 2));
  });

  it('PUBSUB NUMSUB, NUMPAT and CHANNELS see them all', async () => {
    expect(await value('PUBSUB', 'NUMSUB', 'fan:news', 'fan:sports', 'fan:other')).toEqual(['fan:news', 4, 'fan:sports', 2, 'fan:other', 0]);
    expect(await value('PUBSUB', 'NUMSUB')).toEqual([]);
    expect(await value('PUBSUB', 'NUMPAT')).toBe(2); // distinct patterns: fan:n* and fan:*
    expect(((await value('PUBSUB', 'CHANNELS')) as string[]).sort()).toEqual(['fan:news', 'fan:sports']);
    expect(await value('PUBSUB', 'CHANNELS', 'fan:s*')).toEqual(['fan:sports']);
    expect(await value('PUBSUB', 'CHANNELS', 'nothing*')).toEqual([]);
  });

  it('each message arrives once per matching subscription, in order', async () => {
    const expected: Record<string, string[]> = { a: [], b: [], cChannel: [], cPattern: [], dChannel: [], dPattern: [] };
    const expectedE: string[] = [];
    const expectedF: string[] = [];
    const N = 60;
    for (let i = 0; i < N; i++) {
      const channel = i % 3 === 2 ? 'fan:other' : i % 3 === 1 ? 'fan:sports' : 'fan:news';
      const message = `${channel.slice(4)}-${i}`;
      const receivers = await pub.publish(channel, message);
      const m = `${channel}|${message}`;
      if (channel === 'fan:news') {
        expect(receivers).toBe(8); // a, b*, c, c*, d*, e, f, f*
        expected.a!.push(m);
        expected.b!.push(`fan:n*|${m}`);
        expected.cChannel!.push(m);
        expectedE.push(push(2, 'message', channel, message));
        expectedF.push(push(3, 'message', channel, message), push(3, 'pmessage', 'fan:n*', channel, message));
      } else if (channel === 'fan:sports') {
        expect(receivers).toBe(4); // a, c*, d, d*
        expected.a!.push(m);
        expected.dChannel!.push(m);
      } else {
        expect(receivers).toBe(2); // c*, d*
      }
      expected.cPattern!.push(m);
      expected.dPattern!.push(m);
    }
    expect(await pub.publish('nobody-listens', 'x')).toBe(0);

    const total = (o: Record<string, string[]>) => Object.values(o).reduce((n, l) => n + l.length, 0);
    await waitFor(() => total(got) >= total(expected), 5000);
    expect(got).toEqual(expected);
    expect((await e.readReplies(expectedE.length)).toString('latin1')).toBe(expectedE.join(''));
    expect((await f.readReplies(expectedF.length)).toString('latin1')).toBe(expectedF.join(''));
  });

  it('binary-safe channel names and payloads', async () => {
    const payload = Buffer.from([0x00, 0x0d, 0x0a, 0xff, 0x80, 0x24]);
    expect(await pub.publish('fan:news', payload)).toBe(8);
    const raw = await e.readReply();
    expect(raw).toEqual(Buffer.concat([Buffer.from('*3\r\n$7\r\nmessage\r\n$8\r\nfan:news\r\n$6\r\n'), payload, Buffer.from('\r\n')]));
    await f.readReplies(2);
    await waitFor(() => got.a!.length > 0 && got.a!.at(-1)!.startsWith('fan:news|\u0000'), 3000);
  });

  it('RESP2: other commands are refused in subscribed mode; PING replies as a push', async () => {
    e.send('GET', 'fan:k');
    expect((await e.readReply()).toString()).toBe(SUBSCRIBED_ONLY('get'));
    e.send('set', 'fan:k', 'v');
    expect((await e.readReply()).toString()).toBe(SUBSCRIBED_ONLY('set'));
    e.send('LPUSH', 'fan:k', 'v');
    expect((await e.readReply()).toString()).toBe(SUBSCRIBED_ONLY('lpush'));
    e.send('PING');
    expect((await e.readReply()).toString()).toBe(push(2, 'pong', ''));
    e.send('PING', 'hello');
    expect((await e.readReply()).toString()).toBe(push(2, 'pong', 'hello'));
    expect(await value('EXISTS', 'fan:k')).toBe(0);
  });

  it('RESP3: any command runs in subscribed mode; PING is a plain PONG', async () => {
    expect((await admin.call('SET', 'fan:k', 'v')).toString()).toBe('+OK\r\n');
    expect((await f.call('GET', 'fan:k')).toString()).toBe(bulk('v'));
    expect((await f.call('HGETALL', 'fan:nokey')).toString()).toBe('%0\r\n');
    expect((await f.call('PING')).toString()).toBe('+PONG\r\n');
    // A push published before a command's reply arrives before it.
    expect(await pub.publish('fan:news', 'between')).toBe(8);
    f.send('GET', 'fan:k');
    expect((await f.readReplies(3)).toString()).toBe(
      push(3, 'message', 'fan:news', 'between') + push(3, 'pmessage', 'fan:n*', 'fan:news', 'between') + bulk('v'),
    );
    await e.readReply();
    await admin.call('DEL', 'fan:k');
  });

  it('unsubscribing and disconnecting update the counts', async () => {
    expect(await a.unsubscribe('fan:news')).toBe(1); // fan:sports remains
    expect(await b.punsubscribe()).toBe(0);
    await c.pUnsubscribe('fan:*');
    expect(await value('PUBSUB', 'NUMSUB', 'fan:news', 'fan:sports')).toEqual(['fan:news', 3, 'fan:sports', 2]);
    expect(await value('PUBSUB', 'NUMPAT')).toBe(2); // d still has fan:*, f fan:n*
    f.send('PUNSUBSCRIBE', 'fan:n*');
    expect((await f.readReply()).toString()).toBe(push(3, 'punsubscribe', 'fan:n*', 1));
    expect(await value('PUBSUB', 'NUMPAT')).toBe(1);
    e.close();
    await waitFor(async () => JSON.stringify(await value('PUBSUB', 'NUMSUB', 'fan:news')) === '["fan:news",2]', 3000);

    // fan:news now reaches c (channel), d (pattern) and f (channel).
    expect(await pub.publish('fan:news', 'last')).toBe(3);
    expect((await f.readReply()).toString()).toBe(push(3, 'message', 'fan:news', 'last'));
    await waitFor(() => got.cChannel!.at(-1) === 'fan:news|last' && got.dPattern!.at(-1) === 'fan:news|last', 3000);
    expect(got.a!.at(-1)).not.toBe('fan:news|last');

    f.send('UNSUBSCRIBE');
    expect((await f.readReply()).toString()).toBe(push(3, 'unsubscribe', 'fan:news', 0));
    await a.unsubscribe();
    await c.unsubscribe();
    await d.unsubscribe();
    await d.pUnsubscribe();
    await waitFor(async () => (await value('PUBSUB', 'NUMPAT')) === 0 && ((await value('PUBSUB', 'CHANNELS')) as string[]).length === 0, 3000);
    expect(await pub.publish('fan:news', 'gone')).toBe(0);
  });
});

describe('subscribed-mode edges, raw bytes', () => {
  it('UNSUBSCRIBE with nothing subscribed, RESET leaves subscribed mode, SUBSCRIBE counts', async () => {
    const s = await RawConnection.open(server.port);
    try {
      s.send('UNSUBSCRIBE');
      expect((await s.readReply()).toString()).toBe('*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:0\r\n');
      s.send('PUNSUBSCRIBE');
      expect((await s.readReply()).toString()).toBe('*3\r\n$12\r\npunsubscribe\r\n$-1\r\n:0\r\n');
      s.send('SUBSCRIBE', 'x1', 'x2', 'x1');
      expect((await s.readReplies(3)).toString()).toBe(
        push(2, 'subscribe', 'x1', 1) + push(2, 'subscribe', 'x2', 2) + push(2, 'subscribe', 'x1', 2),
      );
      s.send('PSUBSCRIBE', 'x*');
      expect((await s.readReply()).toString()).toBe(push(2, 'psubscribe', 'x*', 3));
      s.send('UNSUBSCRIBE', 'x2', 'never');
      expect((await s.readReplies(2)).toString()).toBe(push(2, 'unsubscribe', 'x2', 2) + push(2, 'unsubscribe', 'never', 2));
      s.send('GET', 'x');
      expect((await s.readReply()).toString()).toBe(SUBSCRIBED_ONLY('get'));
      expect((await s.call('RESET')).toString()).toBe('+RESET\r\n');
      expect((await s.call('GET', 'x')).toString()).toBe('$-1\r\n');
      expect(await value('PUBSUB', 'NUMSUB', 'x1')).toEqual(['x1', 0]);
      expect(await value('PUBSUB', 'NUMPAT')).toBe(0);
      expect((await s.call('SUBSCRIBE')).toString()).toBe("-ERR wrong number of arguments for 'subscribe' command\r\n");
      expect((await s.call('PUBLISH', 'x')).toString()).toBe("-ERR wrong number of arguments for 'publish' command\r\n");
      expect((await s.call('PUBSUB', 'NOSUCH')).toString()).toMatch(/^-ERR unknown subcommand 'NOSUCH'\. Try PUBSUB HELP\.\r\n$/);
      expect((await s.call('PING')).toString()).toBe('+PONG\r\n');
    } finally {
      s.close();
    }
  });

  it('PUBLISH inside MULTI delivers at EXEC, in order', async () => {
    const s = await RawConnection.open(server.port);
    const t = await RawConnection.open(server.port);
    try {
      s.send('SUBSCRIBE', 'tx');
      await s.readReply();
      expect((await t.call('MULTI')).toString()).toBe('+OK\r\n');
      expect((await t.call('PUBLISH', 'tx', 'one')).toString()).toBe('+QUEUED\r\n');
      expect((await t.call('PUBLISH', 'tx', 'two')).toString()).toBe('+QUEUED\r\n');
      expect(s.bufferedBytes()).toBe(0);
      expect((await t.call('EXEC')).toString()).toBe('*2\r\n:1\r\n:1\r\n');
      expect((await s.readReplies(2)).toString()).toBe(push(2, 'message', 'tx', 'one') + push(2, 'message', 'tx', 'two'));
    } finally {
      s.close();
      t.close();
    }
  });
});
