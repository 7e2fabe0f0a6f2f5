import net from 'node:net';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  akiBinaryPath,
  decodeReply,
  encodeCommand,
  freePort,
  hasBinary,
  isAlive,
  RawConnection,
  replyLength,
  RespError,
  startRedis,
  trackedPids,
  waitFor,
  type RunningServer,
} from './index.js';

describe('freePort', () => {
  it('returns distinct bindable ports', async () => {
    const a = await freePort();
    const b = await freePort();
    expect(a).not.toBe(b);
    const srv = net.createServer();
    await new Promise<void>((resolve, reject) => {
      srv.once('error', reject);
      srv.listen(a, '127.0.0.1', () => resolve());
    });
    await new Promise((r) => srv.close(r));
  });
});

describe('waitFor', () => {
  it('resolves once the condition holds', async () => {
    let n = 0;
    await waitFor(() => ++n >= 3, 1000, 1);
    expect(n).toBe(3);
  });
  it('rejects on timeout with the last error', async () => {
    await expect(
      waitFor(
        () => {
          throw new Error('boom');
        },
        50,
        5,
      ),
    ).rejects.toThrow(/within 50 ms; last error: boom/);
  });
});

describe('RESP helpers', () => {
  it('encodes commands as multibulk', () => {
    expect(encodeCommand('SET', 'k', Buffer.from([0, 255])).toString('latin1')).toBe(
      '*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\n\x00\xff\r\n',
    );
  });
  it('frames complete replies and waits for incomplete ones', () => {
    expect(replyLength(Buffer.from('+OK\r\n'))).toBe(5);
    expect(replyLength(Buffer.from('$3\r\nab'))).toBe(-1);
    expect(replyLength(Buffer.from('*2\r\n$1\r\na\r\n:1\r\n+X'))).toBe(15);
    expect(replyLength(Buffer.from('%1\r\n+a\r\n'))).toBe(-1);
    expect(replyLength(Buffer.from('$-1\r\n'))).toBe(5);
    expect(() => replyLength(Buffer.from('?x\r\n'))).toThrow(/unknown RESP type/);
  });
  it('decodes RESP3', () => {
    const r = decodeReply(Buffer.from('%2\r\n+a\r\n:1\r\n$1\r\nb\r\n~1\r\n,1.5\r\n'));
    expect(r?.value).toEqual(
      new Map<unknown, unknown>([
        ['a', 1],
        ['b', new Set([1.5])],
      ]),
    );
    expect(decodeReply(Buffer.from('-ERR x\r\n'))?.value).toEqual(new RespError('ERR x'));
  });
});

describe('RawConnection', () => {
  let srv: net.Server;
  let port: number;
  beforeAll(async () => {
    srv = net.createServer((s) => {
      s.on('data', (d) => {
        const text = d.toString('latin1');
        if (text.includes('close')) s.end('bye\r\n');
        else s.write(d); // echo
      });
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    port = (srv.address() as net.AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => srv.close(() => r())));

  it('reads until expected bytes and keeps the rest buffered', async () => {
    const c = await RawConnection.open(port);
    c.write('+one\r\n+two\r\n');
    expect((await c.readUntil('\r\n')).toString()).toBe('+one\r\n');
    expect((await c.readReply()).toString()).toBe('+two\r\n');
    c.write(Buffer.from([0x00, 0xff, 0x0a]));
    expect([...(await c.readUntil(3))]).toEqual([0, 255, 10]);
    c.close();
    await c.closed;
    expect(c.isClosed()).toBe(true);
  });

  it('rejects a read on timeout, showing what arrived', async () => {
    const c = await RawConnection.open(port);
    c.write('partial');
    await expect(c.readUntil('\r\n', 100)).rejects.toThrow(/timed out.*"partial"/);
    c.close();
  });

  it('rejects a read when the peer closes first, and readAll returns the tail', async () => {
    const c = await RawConnection.open(port);
    c.write('close');
    await expect(c.readUntil('never', 2000)).rejects.toThrow(/connection closed first; buffered: "bye\\r\\n"/);
    expect((await c.readAll(100)).toString()).toBe('bye\r\n');
    expect(c.isClosed()).toBe(true);
  });
});

describe('akiBinaryPath', () => {
  it('points at the aki-server launcher', () => {
    expect(akiBinaryPath()).toMatch(/apps\/aki-server\/bin\/aki-server$/);
    expect(existsSync(akiBinaryPath())).toBe(true);
  });
});

describe.skipIf(!hasBinary('redis-server'))('startRedis (needs redis-server)', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(async () => {
    await server?.kill();
  });

  it('starts on a free port, answers, and stops with SIGTERM', async () => {
    expect(trackedPids()).toContain(server.pid);
    const c = await RawConnection.open(server.port);
    expect((await c.call('PING')).toString()).toBe('+PONG\r\n');
    expect((await c.call('CONFIG', 'GET', 'dir')).toString()).toContain(server.dir);
    expect((await c.call('CONFIG', 'GET', 'save')).toString()).toBe('*2\r\n$4\r\nsave\r\n$0\r\n\r\n');
    c.close();
    const code = await server.stop();
    expect(code).toBe(0);
    expect(isAlive(server.pid)).toBe(false);
    expect(trackedPids()).not.toContain(server.pid);
    expect(existsSync(server.dir)).toBe(false);
  });

  it('rejects with the logs when the server cannot start', async () => {
    await expect(startRedis({ args: ['--no-such-directive', 'x'] })).rejects.toThrow(/exited before it was ready[\s\S]*no-such-directive/);
  });
});
