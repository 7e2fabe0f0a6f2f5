// How blocked and subscribed connections behave on the wire: a client
// released from a blocking command goes on with the commands it pipelined
// behind it; the idle `timeout` spares blocked and subscribed clients (as in
// Redis); a client killed while blocked is never served.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawConnection, sleep, startAki, waitFor, type RunningServer } from '@aki/test-utils';
import { blockedClients } from './support/app-clients.js';

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

describe('a blocked connection', () => {
  it('runs the commands pipelined behind the blocking one once it is served, in order', async () => {
    const consumer = await RawConnection.open(server.port);
    consumer.write('*3\r\n$5\r\nBLPOP\r\n$2\r\npq\r\n$1\r\n0\r\n*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nLLEN\r\n$2\r\npq\r\n');
    await waitFor(async () => (await blockedClients(admin)) === 1, 3000);
    expect((await admin.call('RPUSH', 'pq', 'job', 'next')).toString()).toBe(':2\r\n');
    const replies = await consumer.readReplies(3);
    expect(replies.toString('latin1')).toBe('*2\r\n$2\r\npq\r\n$3\r\njob\r\n+PONG\r\n:1\r\n');
    consumer.close();
  });

  it('times out with a null array and then runs what it pipelined', async () => {
    const consumer = await RawConnection.open(server.port);
    consumer.write('*3\r\n$5\r\nBLPOP\r\n$5\r\nempty\r\n$3\r\n0.1\r\n*2\r\n$4\r\nECHO\r\n$5\r\nafter\r\n');
    expect((await consumer.readReplies(2, 3000)).toString('latin1')).toBe('*-1\r\n$5\r\nafter\r\n');
    consumer.close();
  });

  it('is not served once CLIENT KILL closed it, even by a push in the same pipeline', async () => {
    const consumer = await RawConnection.open(server.port);
    const id = (await consumer.call('CLIENT', 'ID')).toString().slice(1, -2);
    consumer.write('*3\r\n$5\r\nBLPOP\r\n$2\r\nkq\r\n$1\r\n0\r\n');
    await waitFor(async () => (await blockedClients(admin)) === 1, 3000);
    admin.write(`*4\r\n$6\r\nCLIENT\r\n$4\r\nKILL\r\n$2\r\nID\r\n$${id.length}\r\n${id}\r\n*3\r\n$5\r\nLPUSH\r\n$2\r\nkq\r\n$1\r\nv\r\n`);
    expect((await admin.readReplies(2)).toString('latin1')).toBe(':1\r\n:1\r\n');
    expect((await admin.call('LLEN', 'kq')).toString()).toBe(':1\r\n');
    await waitFor(() => consumer.isClosed(), 3000);
  });
});

describe('input that arrives while a connection is blocked', () => {
  it('is kept and run in order once the connection is served, while other clients keep reading', async () => {
    const consumer = await RawConnection.open(server.port);
    consumer.write('*3\r\n$5\r\nBLPOP\r\n$2\r\nlq\r\n$1\r\n0\r\n');
    await waitFor(async () => (await blockedClients(admin)) === 1, 3000);
    consumer.write('*2\r\n$4\r\nECHO\r\n$5\r\nfirst\r\n');
    await sleep(50);
    // Other connections' reads reuse the server's read buffer meanwhile.
    for (let i = 0; i < 20; i++) await admin.call('SET', `filler${i}`, 'x'.repeat(100));
    consumer.write('*2\r\n$4\r\nECHO\r\n$6\r\nsecond\r\n');
    await sleep(50);
    await admin.call('RPUSH', 'lq', 'v');
    expect((await consumer.readReplies(3)).toString('latin1')).toBe('*2\r\n$2\r\nlq\r\n$1\r\nv\r\n$5\r\nfirst\r\n$6\r\nsecond\r\n');
    consumer.close();
  });
});

describe('the idle timeout', () => {
  it('closes idle clients but spares blocked and subscribed ones', async () => {
    // Every connection that sits still for a second is closed now, admin included: use fresh ones.
    expect((await admin.call('CONFIG', 'SET', 'timeout', '1')).toString()).toBe('+OK\r\n');
    try {
      const idle = await RawConnection.open(server.port);
      const blocked = await RawConnection.open(server.port);
      const subscriber = await RawConnection.open(server.port);
      blocked.write('*3\r\n$5\r\nBLPOP\r\n$2\r\ntq\r\n$1\r\n0\r\n');
      expect((await subscriber.call('SUBSCRIBE', 'news')).toString()).toBe(
        '*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n',
      );
      await waitFor(() => idle.isClosed(), 5000);
      await sleep(1500); // well past the timeout for the other two as well
      const probe = await RawConnection.open(server.port);
      expect((await probe.call('LPUSH', 'tq', 'x')).toString()).toBe(':1\r\n');
      expect((await blocked.readReply()).toString()).toBe('*2\r\n$2\r\ntq\r\n$1\r\nx\r\n');
      expect((await probe.call('PUBLISH', 'news', 'hi')).toString()).toBe(':1\r\n');
      probe.close();
      expect((await subscriber.readReply()).toString()).toBe('*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$2\r\nhi\r\n');
      blocked.close();
      subscriber.close();
    } finally {
      const reset = await RawConnection.open(server.port);
      await reset.call('CONFIG', 'SET', 'timeout', '0');
      reset.close();
    }
  });
});
