import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFaultProxy, type FaultProxy } from './fault-proxy.js';
import { freePort } from './ports.js';
import { RawConnection } from './raw-connection.js';
import { sleep, waitFor } from './wait.js';

// Timing assertions are lower bounds only (a loaded machine only makes things
// slower); everything else is asserted on content and order.

/** The server side of one connection to the echo server. */
interface EchoSide {
  socket: net.Socket;
  chunks: Buffer[];
  closed: Promise<void>;
  error: NodeJS.ErrnoException | undefined;
}

interface EchoServer {
  port: number;
  sides: EchoSide[];
  close(): Promise<void>;
}

/** Echoes every byte back (with backpressure) and records what each connection received. */
async function startEcho(): Promise<EchoServer> {
  const sides: EchoSide[] = [];
  const server = net.createServer({ noDelay: true }, (socket) => {
    const side: EchoSide = {
      socket,
      chunks: [],
      closed: new Promise((resolve) => socket.once('close', () => resolve())),
      error: undefined,
    };
    socket.on('data', (d: Buffer) => side.chunks.push(d));
    socket.on('error', (err) => (side.error = err));
    socket.pipe(socket);
    sides.push(side);
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  return {
    port,
    sides,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sides) s.socket.destroy();
        server.close(() => resolve());
      }),
  };
}

const received = (side: EchoSide): string => Buffer.concat(side.chunks).toString('latin1');

/** A client that keeps each 'data' chunk, to see how bytes were cut. */
async function openCountingClient(port: number): Promise<{ socket: net.Socket; chunks: Buffer[] }> {
  const socket = net.connect({ port, host: '127.0.0.1', noDelay: true });
  const chunks: Buffer[] = [];
  socket.on('data', (d: Buffer) => chunks.push(d));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('error', reject);
  });
  return { socket, chunks };
}

/** Sends `text` and measures until its echo is back. */
async function roundTrip(c: RawConnection, text: string, timeoutMs = 5000): Promise<number> {
  const start = performance.now();
  c.write(text);
  expect((await c.readUntil(text.length, timeoutMs)).toString('latin1')).toBe(text);
  return performance.now() - start;
}

let echo: EchoServer;
let proxy: FaultProxy;
const clients: RawConnection[] = [];

async function connect(): Promise<RawConnection> {
  const c = await RawConnection.open(proxy.port);
  clients.push(c);
  return c;
}

beforeEach(async () => {
  echo = await startEcho();
  proxy = await startFaultProxy({ targetPort: echo.port });
});

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await proxy.close();
  await echo.close();
});

describe('fault proxy without toxics', () => {
  it('forwards both ways and counts connections and bytes', async () => {
    const a = await connect();
    await roundTrip(a, 'hello');
    expect(proxy.connectionCount).toBe(1);
    expect(proxy.bytesForwarded).toEqual({ upstream: 5, downstream: 5 });
    const b = await connect();
    await roundTrip(b, 'hi');
    expect(proxy.connectionCount).toBe(2);
    expect(proxy.bytesForwarded).toEqual({ upstream: 7, downstream: 7 });
    a.close();
    await waitFor(() => proxy.connectionCount === 1);
    await roundTrip(b, 'still');
  });

  it('carries a large binary transfer intact', async () => {
    const c = await connect();
    const data = randomBytes(2 * 1024 * 1024);
    c.write(data);
    const back = await c.readUntil(data.length, 30_000);
    expect(back.equals(data)).toBe(true);
    expect(proxy.bytesForwarded).toEqual({ upstream: data.length, downstream: data.length });
  }, 40_000);

  it('rejects bad arguments', async () => {
    expect(() => proxy.setLatency(-1)).toThrow(RangeError);
    expect(() => proxy.setLatency(10, Number.NaN)).toThrow(RangeError);
    expect(() => proxy.setBandwidth(0)).toThrow(RangeError);
    expect(() => proxy.limitData(1.5)).toThrow(RangeError);
    expect(() => proxy.limitData(-1)).toThrow(RangeError);
    await expect(startFaultProxy({ targetPort: 0 })).rejects.toThrow(RangeError);
  });

  it('resets the client when the target is unreachable', async () => {
    const deadPort = await freePort();
    const dead = await startFaultProxy({ targetPort: deadPort });
    try {
      const c = await RawConnection.open(dead.port);
      c.write('anyone?');
      await c.closed;
      expect(c.bytesReceived).toBe(0);
      expect((c.error() as NodeJS.ErrnoException | undefined)?.code).toBe('ECONNRESET');
      await waitFor(() => dead.connectionCount === 0);
    } finally {
      await dead.close();
    }
  });
});

describe('latency', () => {
  it('delays each direction', async () => {
    const c = await connect();
    proxy.setLatency(150);
    expect(await roundTrip(c, 'ping')).toBeGreaterThanOrEqual(295);
  });

  it('applies to one direction only when asked', async () => {
    const c = await connect();
    await roundTrip(c, 'warm');
    proxy.setLatency(2000, { direction: 'downstream' });
    c.write('abc');
    // Upstream is not delayed: the target has the bytes while the client still waits.
    await waitFor(() => received(echo.sides[0]) === 'warmabc');
    expect(c.bufferedBytes()).toBe(0);
    proxy.setLatency(0, { direction: 'downstream' });
    expect((await c.readUntil(3)).toString()).toBe('abc');
  });

  it('jitters without reordering', async () => {
    const c = await connect();
    proxy.setLatency(60, 50);
    let sent = '';
    for (let i = 0; i < 40; i++) {
      const piece = `<${i}>`;
      sent += piece;
      c.write(piece);
      await sleep(2);
    }
    expect((await c.readUntil(sent.length)).toString()).toBe(sent);
    expect(await roundTrip(c, 'x')).toBeGreaterThanOrEqual(2 * (60 - 50) - 1);
  });

  it('releases held bytes when removed', async () => {
    const c = await connect();
    proxy.setLatency(60_000);
    c.write('held');
    await sleep(100);
    expect(received(echo.sides[0])).toBe('');
    proxy.setLatency(0);
    expect((await c.readUntil(4)).toString()).toBe('held');
  });
});

describe('bandwidth', () => {
  it('throttles and keeps the bytes intact', async () => {
    const c = await connect();
    proxy.setBandwidth(20_000);
    const data = randomBytes(10_000);
    const start = performance.now();
    c.write(data);
    const back = await c.readUntil(data.length, 10_000);
    // 10 000 bytes at 20 000 B/s is 500 ms per direction; the first 50 ms slice goes at once.
    expect(performance.now() - start).toBeGreaterThanOrEqual(400);
    expect(back.equals(data)).toBe(true);
  });

  it('throttles only the chosen direction', async () => {
    const c = await connect();
    proxy.setBandwidth(1000, { direction: 'downstream' });
    const data = randomBytes(5_000);
    c.write(data);
    // Upstream is not throttled: the target has everything while the echo, which
    // needs more than 4.9 s at 1000 B/s, is still on its way back.
    await waitFor(() => Buffer.concat(echo.sides[0].chunks).equals(data));
    expect(proxy.bytesForwarded.downstream).toBeLessThan(data.length);
    proxy.setBandwidth(null);
    const back = await c.readUntil(data.length, 10_000);
    expect(back.equals(data)).toBe(true);
  });
});

describe('blackhole', () => {
  it('holds bytes with the sockets open and delivers them in order when lifted', async () => {
    const c = await connect();
    await roundTrip(c, 'before');
    proxy.blackhole(true);
    for (const piece of ['a', 'bb', 'ccc']) {
      c.write(piece);
      await sleep(20);
    }
    await sleep(200);
    expect(received(echo.sides[0])).toBe('before');
    expect(c.bufferedBytes()).toBe(0);
    expect(c.isClosed()).toBe(false);
    expect(echo.sides[0].socket.destroyed).toBe(false);
    expect(proxy.connectionCount).toBe(1);
    proxy.blackhole(false);
    expect((await c.readUntil(6)).toString()).toBe('abbccc');
  });

  it('holds one direction only when asked', async () => {
    const c = await connect();
    proxy.blackhole(true, { direction: 'downstream' });
    c.write('one');
    await waitFor(() => received(echo.sides[0]) === 'one');
    c.write('two');
    await waitFor(() => received(echo.sides[0]) === 'onetwo');
    await sleep(100);
    expect(c.bufferedBytes()).toBe(0);
    proxy.blackhole(false, { direction: 'downstream' });
    expect((await c.readUntil(6)).toString()).toBe('onetwo');
  });

  it('loses nothing of a large transfer held and released', async () => {
    const c = await connect();
    proxy.blackhole(true, { direction: 'downstream' });
    const data = randomBytes(2 * 1024 * 1024);
    c.write(data);
    await sleep(300);
    expect(proxy.bytesForwarded.downstream).toBe(0);
    proxy.blackhole(false);
    const back = await c.readUntil(data.length, 30_000);
    expect(back.equals(data)).toBe(true);
  }, 40_000);

  it('stops reading from a sender it holds (backpressure)', async () => {
    // More than the kernel can buffer on loopback (send buffer <= 4 MiB, receive <= 32 MiB).
    const size = 64 * 1024 * 1024;
    const data = randomBytes(size);
    let sender: net.Socket | undefined;
    const source = net.createServer((s) => {
      sender = s;
      s.on('error', () => {});
      s.write(data);
    });
    const port = await freePort();
    await new Promise<void>((resolve) => source.listen(port, '127.0.0.1', () => resolve()));
    const held = await startFaultProxy({ targetPort: port });
    try {
      held.blackhole(true);
      const c = await RawConnection.open(held.port);
      clients.push(c);
      await waitFor(() => sender !== undefined);
      await sleep(500);
      // Without backpressure the proxy would have swallowed everything by now.
      expect(sender!.writableLength).toBeGreaterThan(0);
      held.blackhole(false);
      const back = await c.readUntil(size, 60_000);
      expect(back.equals(data)).toBe(true);
    } finally {
      await held.close();
      sender?.destroy();
      await new Promise((resolve) => source.close(resolve));
    }
  }, 90_000);

  it('holds a FIN like data', async () => {
    const c = await connect();
    proxy.blackhole(true, { direction: 'upstream' });
    c.write('last words');
    c.end();
    await sleep(200);
    expect(echo.sides[0].socket.destroyed).toBe(false);
    proxy.blackhole(false);
    expect((await c.readAll(5000)).toString()).toBe('last words');
    await echo.sides[0].closed;
    await waitFor(() => proxy.connectionCount === 0);
  });
});

describe('resetAll', () => {
  it('resets every connection on both sides, and later connections work', async () => {
    const a = await connect();
    const b = await connect();
    await roundTrip(a, 'a');
    await roundTrip(b, 'b');
    proxy.resetAll();
    await Promise.all([a.closed, b.closed]);
    for (const c of [a, b]) expect((c.error() as NodeJS.ErrnoException | undefined)?.code).toBe('ECONNRESET');
    await Promise.all(echo.sides.map((s) => s.closed));
    for (const s of echo.sides) expect(s.error?.code).toBe('ECONNRESET');
    await waitFor(() => proxy.connectionCount === 0);
    await roundTrip(await connect(), 'again');
  });
});

describe('slice', () => {
  it('forwards upstream one byte per write, all bytes in order', async () => {
    const c = await connect();
    proxy.slice(true, { direction: 'upstream' });
    const text = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ!?';
    c.write(text);
    expect((await c.readUntil(text.length)).toString()).toBe(text);
    const chunks = echo.sides[0].chunks;
    expect(received(echo.sides[0])).toBe(text);
    // One read per byte in practice; a generous bound that one unsliced write cannot meet.
    expect(chunks.length).toBeGreaterThanOrEqual(text.length / 2);
    expect(proxy.bytesForwarded).toEqual({ upstream: text.length, downstream: text.length });
  });

  it('cuts downstream frames into pieces', async () => {
    const { socket, chunks } = await openCountingClient(proxy.port);
    try {
      proxy.slice(true);
      const frame = '*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n';
      socket.write(frame);
      await waitFor(() => Buffer.concat(chunks).length >= frame.length);
      expect(Buffer.concat(chunks).toString()).toBe(frame);
      expect(chunks.length).toBeGreaterThanOrEqual(frame.length / 2);
      proxy.slice(false);
      socket.write('plain');
      await waitFor(() => Buffer.concat(chunks).toString().endsWith('plain'));
    } finally {
      socket.destroy();
    }
  });
});

describe('limitData', () => {
  it('closes the connection after N bytes downstream', async () => {
    proxy.limitData(10, { direction: 'downstream' });
    const c = await connect();
    c.write('0123456789abcdefghijklmnopqrst');
    expect((await c.readAll(5000)).toString()).toBe('0123456789');
    expect(c.isClosed()).toBe(true);
    await echo.sides[0].closed;
    await waitFor(() => proxy.connectionCount === 0);
    expect(proxy.bytesForwarded.downstream).toBe(10);
  });

  it('closes the connection after N bytes upstream', async () => {
    proxy.limitData(5, { direction: 'upstream' });
    const c = await connect();
    c.write('abcdefghij');
    await c.closed;
    await echo.sides[0].closed;
    expect(received(echo.sides[0])).toBe('abcde');
    expect(proxy.bytesForwarded.upstream).toBe(5);
  });

  it('closes as soon as the N-th byte is forwarded; with 0 at the next byte', async () => {
    proxy.limitData(4, { direction: 'upstream' });
    const c = await connect();
    c.write('abcd'); // exactly the limit, nothing after it
    await c.closed;
    await echo.sides[0].closed;
    expect(received(echo.sides[0])).toBe('abcd');
    proxy.limitData(0, { direction: 'upstream' });
    const d = await connect();
    await waitFor(() => echo.sides.length === 2);
    await sleep(50);
    expect(d.isClosed()).toBe(false); // nothing sent yet
    d.write('x');
    await d.closed;
    await echo.sides[1].closed;
    expect(received(echo.sides[1])).toBe('');
  });

  it('counts from the call on an open connection, and null removes it', async () => {
    const c = await connect();
    await roundTrip(c, 'hello');
    proxy.limitData(100);
    proxy.limitData(null);
    await roundTrip(c, 'x'.repeat(300));
    proxy.limitData(3, { direction: 'downstream' });
    c.write('world');
    expect((await c.readAll(5000)).toString()).toBe('wor');
    expect(c.isClosed()).toBe(true);
  });
});

describe('refuse', () => {
  it('closes new connections at once without reaching the target', async () => {
    const open = await connect();
    proxy.refuse(true);
    const c = await connect();
    c.write('hello?');
    await c.closed;
    expect(c.bytesReceived).toBe(0);
    expect(echo.sides.length).toBe(1);
    // Connections opened before are left alone.
    await roundTrip(open, 'fine');
    proxy.refuse(false);
    await roundTrip(await connect(), 'welcome');
    expect(echo.sides.length).toBe(2);
  });
});

describe('clear', () => {
  it('removes every toxic and releases held bytes', async () => {
    const c = await connect();
    proxy.setLatency(60_000, 10);
    proxy.setBandwidth(1);
    proxy.slice(true);
    proxy.blackhole(true, { direction: 'downstream' });
    proxy.limitData(2, { direction: 'upstream' });
    proxy.refuse(true);
    c.write('held');
    await sleep(100);
    expect(received(echo.sides[0])).toBe('');
    proxy.clear();
    expect((await c.readUntil(4)).toString()).toBe('held');
    await roundTrip(c, 'y'.repeat(50_000));
    await roundTrip(await connect(), 'new');
  });

  it('never reorders bytes while toxics change mid-stream', async () => {
    const c = await connect();
    const data = randomBytes(60_000);
    let off = 0;
    const toggles: Array<() => void> = [
      () => proxy.setLatency(20, 15),
      () => proxy.slice(true, { direction: 'downstream' }),
      () => proxy.blackhole(true),
      () => proxy.setBandwidth(200_000, { direction: 'upstream' }),
      () => proxy.blackhole(false),
      () => proxy.slice(false),
      () => proxy.setLatency(0),
      () => proxy.setBandwidth(null),
    ];
    for (let round = 0; off < data.length; round++) {
      const n = Math.min(data.length - off, 1 + ((round * 7919) % 3000));
      c.write(data.subarray(off, off + n));
      off += n;
      toggles[round % toggles.length]();
      await sleep(5);
    }
    proxy.clear();
    const back = await c.readUntil(data.length, 20_000);
    expect(back.equals(data)).toBe(true);
  }, 30_000);
});

describe('closing', () => {
  it('closes the target side when the client closes', async () => {
    const c = await connect();
    await roundTrip(c, 'x');
    c.close();
    await echo.sides[0].closed;
    await waitFor(() => proxy.connectionCount === 0);
  });

  it('closes the client side when the target closes', async () => {
    const c = await connect();
    await roundTrip(c, 'x');
    echo.sides[0].socket.end();
    await c.closed;
    await waitFor(() => proxy.connectionCount === 0);
  });

  it('resets the target side when the client resets', async () => {
    const c = await connect();
    await roundTrip(c, 'x');
    c.socket.resetAndDestroy();
    await echo.sides[0].closed;
    expect(echo.sides[0].error?.code).toBe('ECONNRESET');
    await waitFor(() => proxy.connectionCount === 0);
  });

  it('delivers delayed bytes before the close', async () => {
    const c = await connect();
    proxy.setLatency(100);
    const text = 'z'.repeat(1000);
    c.write(text);
    c.end();
    expect((await c.readAll(5000)).toString()).toBe(text);
    expect(c.isClosed()).toBe(true);
  });

  it('close() ends every connection and stops listening', async () => {
    const c = await connect();
    await roundTrip(c, 'x');
    const port = proxy.port;
    await proxy.close();
    await c.closed;
    await echo.sides[0].closed;
    expect(proxy.connectionCount).toBe(0);
    await expect(RawConnection.open(port)).rejects.toThrow(/ECONNREFUSED/);
    await proxy.close(); // idempotent
  });
});
