// A reliable work queue, the way applications build one on Redis lists:
// producers LPUSH (RPUSH for urgent jobs), consumers BLMOVE a job from the
// pending list to a processing list and acknowledge it with LREM. Run with
// ioredis and node-redis in RESP2 and RESP3, plus raw bytes where the exact
// reply matters (BLMOVE's timeout null is an array null, not a bulk null).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RawConnection, sleep, startAki, waitFor, type RunningServer } from '@aki/test-utils';
import {
  FLAVOURS,
  blockedClients,
  connectIoredis,
  connectNodeRedis,
  flavourName,
  type Flavour,
} from './support/app-clients.js';

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

beforeEach(async () => {
  expect((await admin.call('FLUSHALL')).toString()).toBe('+OK\r\n');
  // No test may leave a client blocked behind it.
  await waitFor(async () => (await blockedClients(admin)) === 0, 3000);
});

/** The queue operations, on top of each library's own command API. */
interface QueueClient {
  lpush(key: string, ...values: string[]): Promise<number>;
  rpush(key: string, ...values: string[]): Promise<number>;
  /** BLMOVE src dst RIGHT LEFT timeout: the oldest job moves to the processing list. */
  take(src: string, dst: string, timeout: number): Promise<string | null>;
  lrem(key: string, count: number, value: string): Promise<number>;
  lrange(key: string): Promise<string[]>;
  llen(key: string): Promise<number>;
  /** MULTI, RPUSH key v (for each value), EXEC. */
  multiPush(key: string, values: string[]): Promise<number[]>;
  id(): Promise<number>;
  unblock(id: number, mode: 'TIMEOUT' | 'ERROR'): Promise<number>;
  ping(): Promise<string>;
  close(): Promise<void>;
}

async function connect(f: Flavour): Promise<QueueClient> {
  if (f.lib === 'ioredis') {
    const r = await connectIoredis(server, f.protocol);
    return {
      lpush: (k, ...v) => r.lpush(k, ...v),
      rpush: (k, ...v) => r.rpush(k, ...v),
      take: (s, d, t) => r.blmove(s, d, 'RIGHT', 'LEFT', t),
      lrem: (k, n, v) => r.lrem(k, n, v),
      lrange: (k) => r.lrange(k, 0, -1),
      llen: (k) => r.llen(k),
      async multiPush(k, values) {
        const m = r.multi();
        for (const v of values) m.rpush(k, v);
        const res = await m.exec();
        return res!.map(([err, n]) => {
          if (err) throw err;
          return n as number;
        });
      },
      id: async () => Number(await r.client('ID')),
      unblock: async (id, mode) => Number(await r.call('CLIENT', 'UNBLOCK', String(id), mode)),
      ping: () => r.ping(),
      close: async () => r.disconnect(),
    };
  }
  const c = await connectNodeRedis(server, f.protocol);
  return {
    lpush: (k, ...v) => c.lPush(k, v),
    rpush: (k, ...v) => c.rPush(k, v),
    take: async (s, d, t) => (await c.blMove(s, d, 'RIGHT', 'LEFT', t)) as string | null,
    lrem: (k, n, v) => c.lRem(k, n, v),
    lrange: async (k) => (await c.lRange(k, 0, -1)) as string[],
    llen: (k) => c.lLen(k),
    async multiPush(k, values) {
      const m = c.multi();
      for (const v of values) m.rPush(k, v);
      return (await m.exec()) as unknown as number[];
    },
    id: async () => Number(await c.clientId()),
    unblock: async (id, mode) => Number(await c.clientUnblock(id, mode)),
    ping: async () => String(await c.ping()),
    close: async () => c.destroy(),
  };
}

/** A promise's state without waiting for it. */
function track<T>(p: Promise<T>): { promise: Promise<T>; settled: () => boolean } {
  let done = false;
  const promise = p.finally(() => {
    done = true;
  });
  promise.catch(() => {});
  return { promise, settled: () => done };
}

async function waitBlocked(n: number): Promise<void> {
  await waitFor(async () => (await blockedClients(admin)) === n, 3000, 5);
}

for (const flavour of FLAVOURS) {
  describe(`work queue with ${flavourName(flavour)}`, () => {
    const p = `${flavour.lib}${flavour.protocol}:`;
    const pending = `${p}pending`;
    const processing = `${p}processing`;
    let producer: QueueClient;
    const extra: QueueClient[] = [];

    async function consumer(): Promise<QueueClient> {
      const c = await connect(flavour);
      extra.push(c);
      return c;
    }

    beforeAll(async () => {
      producer = await connect(flavour);
    });
    afterAll(async () => {
      await Promise.all([producer, ...extra].map((c) => c?.close()));
    });

    it('jobs move to the processing list in FIFO order and are acknowledged with LREM', async () => {
      const worker = await consumer();
      expect(await producer.lpush(pending, 'job1', 'job2')).toBe(2); // [job2, job1]
      expect(await producer.lpush(pending, 'job3')).toBe(3); // [job3, job2, job1]
      expect(await producer.rpush(pending, 'urgent')).toBe(4); // the tail is served next
      expect(await producer.lrange(pending)).toEqual(['job3', 'job2', 'job1', 'urgent']);

      expect(await worker.take(pending, processing, 1)).toBe('urgent');
      expect(await worker.take(pending, processing, 1)).toBe('job1');
      expect(await worker.take(pending, processing, 1)).toBe('job2');
      expect(await producer.lrange(processing)).toEqual(['job2', 'job1', 'urgent']);
      expect(await producer.lrange(pending)).toEqual(['job3']);

      // Acknowledge: remove exactly the finished job from the processing list.
      expect(await worker.lrem(processing, 1, 'job1')).toBe(1);
      expect(await worker.lrem(processing, 1, 'job1')).toBe(0);
      expect(await producer.lrange(processing)).toEqual(['job2', 'urgent']);
      expect(await worker.lrem(processing, 0, 'job2')).toBe(1);
      expect(await worker.lrem(processing, -1, 'urgent')).toBe(1);
      // The last element gone, the key is gone.
      expect(await producer.llen(processing)).toBe(0);
      expect((await admin.call('EXISTS', processing)).toString()).toBe(':0\r\n');

      // A job already waiting is taken without blocking, even with timeout 0.
      expect(await worker.take(pending, processing, 0)).toBe('job3');
      expect((await admin.call('EXISTS', pending)).toString()).toBe(':0\r\n');
    });

    it('fractional-second timeouts return null', async () => {
      const worker = await consumer();
      for (const timeout of [0.1, 0.25]) {
        const start = Date.now();
        expect(await worker.take(pending, processing, timeout)).toBe(null);
        const elapsed = Date.now() - start;
        expect(elapsed).toBeGreaterThanOrEqual(timeout * 1000 - 15);
        expect(elapsed).toBeLessThan(timeout * 1000 + 1500);
      }
      expect(await producer.llen(processing)).toBe(0);
      expect(await worker.ping()).toBe('PONG');
    });

    it('several blocked consumers are served in the order they blocked', async () => {
      const workers = [await consumer(), await consumer(), await consumer()];
      const taken = [];
      for (let i = 0; i < workers.length; i++) {
        taken.push(track(workers[i]!.take(pending, processing, 0)));
        await waitBlocked(i + 1);
      }
      // One push of three jobs: each waiting consumer gets one, oldest waiter first.
      expect(await producer.lpush(pending, 'a', 'b', 'c')).toBe(3); // [c, b, a]
      expect(await Promise.all(taken.map((t) => t.promise))).toEqual(['a', 'b', 'c']);
      expect(await producer.lrange(processing)).toEqual(['c', 'b', 'a']);
      expect(await producer.llen(pending)).toBe(0);
      await waitBlocked(0);

      // With fewer jobs than waiters, the others keep waiting.
      const again = [];
      for (let i = 0; i < workers.length; i++) {
        again.push(track(workers[i]!.take(pending, processing, 0)));
        await waitBlocked(i + 1);
      }
      expect(await producer.rpush(pending, 'd')).toBe(1);
      expect(await again[0]!.promise).toBe('d');
      await sleep(30);
      expect(again[1]!.settled()).toBe(false);
      expect(again[2]!.settled()).toBe(false);
      expect(await blockedClients(admin)).toBe(2);
      expect(await producer.lpush(pending, 'e', 'f')).toBe(2); // [f, e]: e is the older job
      expect(await Promise.all([again[1]!.promise, again[2]!.promise])).toEqual(['e', 'f']);
    });

    it('a consumer blocked forever is released by a push from another connection', async () => {
      const worker = await consumer();
      const t = track(worker.take(pending, processing, 0));
      await waitBlocked(1);
      await sleep(50);
      expect(t.settled()).toBe(false);
      expect(await producer.rpush(pending, 'late')).toBe(1);
      expect(await t.promise).toBe('late');
      expect(await producer.lrange(processing)).toEqual(['late']);
      await waitBlocked(0);
    });

    it('a consumer blocked forever is released by a push inside MULTI/EXEC', async () => {
      const worker = await consumer();
      const t = track(worker.take(pending, processing, 0));
      await waitBlocked(1);
      // The whole transaction runs before the consumer is served: it sees
      // both pushes and takes the oldest.
      expect(await producer.multiPush(pending, ['x1', 'x2'])).toEqual([1, 2]);
      expect(await t.promise).toBe('x2');
      expect(await producer.lrange(pending)).toEqual(['x1']);
      expect(await producer.lrange(processing)).toEqual(['x2']);
    });

    it('CLIENT UNBLOCK with TIMEOUT returns null, with ERROR returns the UNBLOCKED error', async () => {
      const worker = await consumer();
      const id = await worker.id();
      expect(await producer.unblock(id, 'TIMEOUT')).toBe(0); // not blocked yet

      const t1 = track(worker.take(pending, processing, 0));
      await waitBlocked(1);
      expect(await producer.unblock(id, 'TIMEOUT')).toBe(1);
      expect(await t1.promise).toBe(null);
      await waitBlocked(0);

      const t2 = track(worker.take(pending, processing, 0));
      await waitBlocked(1);
      expect(await producer.unblock(id, 'ERROR')).toBe(1);
      await expect(t2.promise).rejects.toThrow('UNBLOCKED client unblocked via CLIENT UNBLOCK');
      await waitBlocked(0);

      // The connection stays usable and nothing moved.
      expect(await worker.ping()).toBe('PONG');
      expect(await producer.rpush(pending, 'j')).toBe(1);
      expect(await worker.take(pending, processing, 0)).toBe('j');
    });

    it('a blocked consumer that disconnects leaves no trace', async () => {
      const worker = await connect(flavour);
      const t = track(worker.take(pending, processing, 0));
      await waitBlocked(1);
      await worker.close();
      await expect(t.promise).rejects.toThrow();
      await waitBlocked(0);
      // Nobody is waiting any more: the job stays pending.
      expect(await producer.rpush(pending, 'orphan')).toBe(1);
      await sleep(30);
      expect(await producer.lrange(pending)).toEqual(['orphan']);
      expect(await producer.llen(processing)).toBe(0);
    });
  });
}

describe('work queue, raw bytes', () => {
  const conns: RawConnection[] = [];
  async function open(): Promise<RawConnection> {
    const c = await RawConnection.open(server.port);
    conns.push(c);
    return c;
  }
  afterAll(() => conns.forEach((c) => c.close()));

  it('a timeout replies with a null array (RESP2) or null (RESP3); LMOVE on empty with a null bulk', async () => {
    const c = await open();
    expect((await c.call('BLMOVE', 'q', 'w', 'LEFT', 'RIGHT', '0.05')).toString()).toBe('*-1\r\n');
    expect((await c.call('BLPOP', 'q', '0.05')).toString()).toBe('*-1\r\n');
    expect((await c.call('BRPOPLPUSH', 'q', 'w', '0.01')).toString()).toBe('*-1\r\n');
    expect((await c.call('LMOVE', 'q', 'w', 'LEFT', 'RIGHT')).toString()).toBe('$-1\r\n');
    expect((await c.call('HELLO', '3')).toString()).toMatch(/^%7\r\n/);
    expect((await c.call('BLMOVE', 'q', 'w', 'LEFT', 'RIGHT', '0.05')).toString()).toBe('_\r\n');
    expect((await c.call('BLPOP', 'q', '0.05')).toString()).toBe('_\r\n');
    expect((await c.call('LMOVE', 'q', 'w', 'LEFT', 'RIGHT')).toString()).toBe('_\r\n');
  });

  it('inside MULTI, blocking commands do not block', async () => {
    const c = await open();
    expect((await c.call('MULTI')).toString()).toBe('+OK\r\n');
    for (const cmd of [
      ['BLMOVE', 'q', 'w', 'LEFT', 'RIGHT', '0'],
      ['BLPOP', 'q', '0'],
      ['BRPOPLPUSH', 'q', 'w', '0'],
      ['BLMPOP', '0', '1', 'q', 'LEFT'],
    ]) {
      expect((await c.call(...cmd)).toString()).toBe('+QUEUED\r\n');
    }
    expect((await c.call('EXEC')).toString()).toBe('*4\r\n$-1\r\n*-1\r\n$-1\r\n*-1\r\n');
    expect(await blockedClients(admin)).toBe(0);
  });

  it('a push queued in MULTI releases the consumer only at EXEC; a push and pop in one EXEC releases nobody', async () => {
    const worker = await open();
    const producer = await open();
    worker.send('BLMOVE', 'q', 'w', 'RIGHT', 'LEFT', '0');
    await waitBlocked(1);

    expect((await producer.call('MULTI')).toString()).toBe('+OK\r\n');
    expect((await producer.call('RPUSH', 'q', 'ghost')).toString()).toBe('+QUEUED\r\n');
    expect((await producer.call('RPOP', 'q')).toString()).toBe('+QUEUED\r\n');
    await sleep(30);
    expect(worker.bufferedBytes()).toBe(0);
    // The list exists only inside the transaction: the consumer stays blocked.
    expect((await producer.call('EXEC')).toString()).toBe('*2\r\n:1\r\n$5\r\nghost\r\n');
    await sleep(30);
    expect(worker.bufferedBytes()).toBe(0);
    expect(await blockedClients(admin)).toBe(1);

    expect((await producer.call('MULTI')).toString()).toBe('+OK\r\n');
    expect((await producer.call('RPUSH', 'q', 'real')).toString()).toBe('+QUEUED\r\n');
    await sleep(30);
    expect(worker.bufferedBytes()).toBe(0);
    expect((await producer.call('EXEC')).toString()).toBe('*1\r\n:1\r\n');
    expect((await worker.readReply()).toString()).toBe('$4\r\nreal\r\n');
    expect((await producer.call('LRANGE', 'w', '0', '-1')).toString()).toBe('*1\r\n$4\r\nreal\r\n');
    expect((await producer.call('EXISTS', 'q')).toString()).toBe(':0\r\n');
  });

  it('a circular list: BLMOVE with the same source and destination rotates it', async () => {
    const c = await open();
    expect((await c.call('RPUSH', 'ring', '1', '2', '3')).toString()).toBe(':3\r\n');
    expect((await c.call('BLMOVE', 'ring', 'ring', 'RIGHT', 'LEFT', '0')).toString()).toBe('$1\r\n3\r\n');
    expect((await c.call('LMOVE', 'ring', 'ring', 'LEFT', 'RIGHT')).toString()).toBe('$1\r\n3\r\n');
    expect((await c.call('LRANGE', 'ring', '0', '-1')).toString()).toBe('*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n');
  });

  it('a blocked raw connection that closes leaves blocked_clients at 0 and the keys untouched', async () => {
    const worker = await RawConnection.open(server.port);
    worker.send('BLMOVE', 'q', 'w', 'RIGHT', 'LEFT', '0');
    worker.send('PING'); // pipelined behind the blocked command: never runs
    await waitBlocked(1);
    worker.close();
    await waitBlocked(0);
    const c = await open();
    expect((await c.call('RPUSH', 'q', 'j')).toString()).toBe(':1\r\n');
    expect((await c.call('LRANGE', 'q', '0', '-1')).toString()).toBe('*1\r\n$1\r\nj\r\n');
    expect((await c.call('EXISTS', 'w')).toString()).toBe(':0\r\n');
  });

  it('bad timeouts are refused before blocking', async () => {
    const c = await open();
    expect((await c.call('BLMOVE', 'q', 'w', 'LEFT', 'RIGHT', '-1')).toString()).toBe('-ERR timeout is negative\r\n');
    expect((await c.call('BLMOVE', 'q', 'w', 'LEFT', 'RIGHT', 'abc')).toString()).toBe(
      '-ERR timeout is not a float or out of range\r\n',
    );
    // A timeout past 2^63 ms: Redis 7.2 says so; 7.0 (the local reference) wraps it to negative.
    const overflow = process.env.AKI_TEST_AGAINST_REDIS === '1' ? '-ERR timeout is negative\r\n' : '-ERR timeout is out of range\r\n';
    expect((await c.call('BLPOP', 'q', 'inf')).toString()).toBe(overflow);
    expect((await c.call('BLPOP', 'q', '9223372036854775807')).toString()).toBe(overflow);
    expect((await c.call('BLMOVE', 'q', 'w', 'UP', 'RIGHT', '0')).toString()).toBe('-ERR syntax error\r\n');
    expect((await c.call('CLIENT', 'UNBLOCK', 'abc')).toString()).toBe('-ERR value is not an integer or out of range\r\n');
    expect((await c.call('CLIENT', 'UNBLOCK', '1', 'LATER')).toString()).toBe(
      '-ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR\r\n',
    );
    expect(await blockedClients(admin)).toBe(0);
    expect((await c.call('PING')).toString()).toBe('+PONG\r\n');
  });
});
