// RELIABILITY.md Appendix T, "Protocol and security": every bad input that
// applies to a single node without persistence or replication. Each case
// checks the exact bytes sent back, whether the connection is closed or kept,
// and (afterEach) that a long-lived witness connection is unaffected; the
// last case checks that memory stayed bounded through all of it.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  RawConnection,
  decodeReply,
  encodeCommand,
  rssBytes,
  sleep,
  startAki,
  waitFor,
  type RunningServer,
} from '@aki/test-utils';

const PASSWORD = 'secret';
// A V8 heap cap makes an unbounded allocation show up as a crash.
const SMALL_HEAP = { NODE_OPTIONS: '--max-old-space-size=256' };

let open: RunningServer; // no password
let locked: RunningServer; // requirepass
let limits: RunningServer; // small query-buffer / bulk limits and an idle timeout
const witnesses = new Map<RunningServer, RawConnection>();
let rssAtStart = 0;

beforeAll(async () => {
  [open, locked, limits] = await Promise.all([
    startAki({ env: SMALL_HEAP, args: ['--appendonly', 'no', '--save', ''] }),
    startAki({ env: SMALL_HEAP, args: ['--appendonly', 'no', '--save', '', '--requirepass', PASSWORD] }),
    startAki({
      env: SMALL_HEAP,
      args: [
        '--appendonly', 'no', '--save', '',
        '--client-query-buffer-limit', '1mb',
        '--proto-max-bulk-len', '2mb',
        '--timeout', '1',
      ],
    }),
  ]);
  for (const s of [open, locked, limits]) witnesses.set(s, await fresh(s));
  rssAtStart = rssBytes(open.pid) ?? 0;
});

/** A new connection to `server`, authenticated where needed. */
async function fresh(server: RunningServer): Promise<RawConnection> {
  const c = await RawConnection.open(server.port);
  if (server === locked) expect((await c.call('AUTH', PASSWORD)).toString()).toBe('+OK\r\n');
  return c;
}

afterEach(async () => {
  for (const [s, w] of witnesses) {
    expect(s.hasExited(), `server on ${s.port} crashed:\n${s.logs().slice(-3000)}`).toBe(false);
    if (s === limits) {
      // `limits` reaps idle clients after 1 s (timeout 1), so its witness may be gone: use a new one.
      w.close();
      const c = await fresh(s);
      expect((await c.call('PING')).toString()).toBe('+PONG\r\n');
      witnesses.set(s, c);
      continue;
    }
    expect(w.isClosed(), 'the witness connection was closed').toBe(false);
    expect((await w.call('PING')).toString()).toBe('+PONG\r\n');
  }
});

afterAll(async () => {
  for (const w of witnesses.values()) w.close();
  await Promise.all([open?.stop(), locked?.stop(), limits?.stop()]);
});

/** Sends `input` on a fresh connection and expects exactly `reply`, then a close. */
async function expectClosed(server: RunningServer, input: string | Buffer, reply: string | RegExp): Promise<void> {
  const c = await RawConnection.open(server.port);
  c.write(input);
  const out = (await c.readAll(5000)).toString('latin1');
  if (typeof reply === 'string') expect(out, label(input)).toBe(reply);
  else expect(out, label(input)).toMatch(reply);
  expect(c.isClosed(), `connection kept after ${label(input)}`).toBe(true);
}

/** Sends `input` then PING on a fresh connection and expects `reply` followed by +PONG. */
async function expectKept(server: RunningServer, input: string | Buffer, reply: string, auth = false): Promise<void> {
  const c = await RawConnection.open(server.port);
  try {
    if (auth) expect((await c.call('AUTH', PASSWORD)).toString()).toBe('+OK\r\n');
    c.write(input);
    c.write('PING\r\n');
    const tail = server === locked && !auth ? '-NOAUTH Authentication required.\r\n' : '+PONG\r\n';
    const want = reply + tail;
    // Read exactly as many bytes as expected; a wrong reply shows up as a mismatch or a timeout.
    const out = (await c.readUntil(Buffer.byteLength(want, 'latin1'), 5000).catch((e: Error) => Buffer.from(e.message))).toString('latin1');
    expect(out, label(input)).toBe(want);
    await sleep(20);
    expect(c.peek().toString('latin1'), 'nothing more').toBe('');
    expect(c.isClosed()).toBe(false);
  } finally {
    c.close();
  }
}

/** Sends `input` and expects no reply and an open connection for a moment (a partial request). */
async function expectWaiting(server: RunningServer, input: string | Buffer): Promise<void> {
  const c = await RawConnection.open(server.port);
  c.write(input);
  const out = await c.readAll(300);
  expect(out.toString('latin1'), label(input)).toBe('');
  expect(c.isClosed()).toBe(false);
  c.close();
}

const label = (input: string | Buffer) =>
  JSON.stringify(typeof input === 'string' ? input : input.toString('latin1')).slice(0, 80);
const PROTO = (msg: string) => `-ERR Protocol error: ${msg}\r\n`;

describe('empty and non-positive multibulk headers', () => {
  it('a bare CRLF is ignored', () => expectKept(open, '\r\n', ''));
  it('*-1, *-10, *0 and *-2147483649 are ignored', async () => {
    await expectKept(open, '*-1\r\n', '');
    await expectKept(open, '*-10\r\n*0\r\n', '');
    await expectKept(open, '*-2147483649\r\n', '');
  });
});

describe('invalid multibulk length', () => {
  for (const input of ['*3000000000\r\n', '*abc\r\n', '*99999999999999999999\r\n', '*2147483648\r\n', '*\r\n', '*01\r\n', '*+1\r\n', '* 1\r\n', '*-0\r\n']) {
    it(JSON.stringify(input), () => expectClosed(open, input, PROTO('invalid multibulk length')));
  }
});

describe("expected '$'", () => {
  it('right after the count', () => expectClosed(open, '*1\r\nfoo\r\n', PROTO("expected '$', got 'f'")));
  it('in the middle of a command', () =>
    expectClosed(open, '*3\r\n$3\r\nSET\r\n$1\r\nx\r\nfooz\r\n', PROTO("expected '$', got 'f'")));
  it('the first command of a pipeline is still answered', () =>
    expectClosed(open, '*1\r\n$4\r\nPING\r\n*1\r\n:1\r\n', `+PONG\r\n${PROTO("expected '$', got ':'")}`));
});

describe('invalid bulk length', () => {
  const lengths = ['-1', '-2', '-10', 'blabla', '2000000000', '03', '+3', ' 3', '0:', '', '-0', '00', '536870913', '9223372036854775807', '99999999999999999999'];
  for (const len of lengths) {
    it(`$${len}`, () => expectClosed(open, `*1\r\n$${len}\r\n`, PROTO('invalid bulk length')));
  }
  it('a bulk header just under 512 MB is accepted and waits for the data', () =>
    expectWaiting(open, '*1\r\n$536870000\r\n'));
  // Known difference from Redis, which accepts up to proto-max-bulk-len (536870912):
  // aki's arguments are JS strings, and V8's longest string is 536870888 characters,
  // so the 24 bytes above that are refused before anything is allocated.
  it('the longest argument a JS string can hold (512 MB - 24) is accepted and waits for the data', () =>
    expectWaiting(open, '*1\r\n$536870888\r\n'));
  it('one byte more is refused before allocating', () =>
    expectClosed(open, '*1\r\n$536870889\r\n', PROTO('invalid bulk length')));
});

describe('lines longer than 64 KB without CRLF', () => {
  it('inline', () => expectClosed(open, 'A'.repeat(70_000), PROTO('too big inline request')));
  it('multibulk count', () => expectClosed(open, `*${'1'.repeat(70_000)}`, PROTO('too big mbulk count string')));
  it('bulk length', () => expectClosed(open, `*1\r\n$${'1'.repeat(70_000)}`, PROTO('too big bulk count string')));
});

describe('protocol desync: a garbage prefix followed by an endless stream', () => {
  const cases: Array<[string, string, string]> = [
    ['\\x00', '\x00', 'too big inline request'],
    ['*\\x00', '*\x00', 'too big mbulk count string'],
    ['$\\x00', '*1\r\n$\x00', 'too big bulk count string'],
  ];
  for (const [name, prefix, msg] of cases) {
    it(`${name} then AAAA... is cut off with a protocol error`, async () => {
      const c = await RawConnection.open(open.port);
      c.write(prefix);
      const chunk = Buffer.alloc(16 * 1024, 'A');
      const limit = 32 * 1024 * 1024; // far past any limit the server may have
      let sent = 0;
      // Stream (a newline now and then) until the server answers or hangs up. Stop
      // writing as soon as a reply arrives: writing into a closed socket makes the
      // kernel reset the connection, which can discard the reply before it is read.
      while (!c.isClosed() && c.bufferedBytes() === 0 && sent < limit) {
        await c.writeAsync(chunk);
        sent += chunk.length;
        if (sent % (1024 * 1024) === 0) c.write('\n');
        await sleep(0);
      }
      await Promise.race([c.closed, sleep(5000)]);
      expect(sent).toBeLessThan(limit);
      expect(c.isClosed()).toBe(true);
      expect(c.peek().toString('latin1')).toBe(PROTO(msg));
    });
  }
});

describe('inline commands', () => {
  it('LF-only terminator', () => expectKept(open, 'PING\n', '+PONG\r\n'));
  it('extra spaces and quoting', async () => {
    await expectKept(open, '  ECHO   hello  \r\n', '$5\r\nhello\r\n');
    await expectKept(open, 'SET inl "a\\x41b"\r\nGET inl\r\n', '+OK\r\n$3\r\naAb\r\n');
    await expectKept(open, "SET inl 'a b'\r\nGET inl\r\n", '+OK\r\n$3\r\na b\r\n');
  });
  it('arity errors on inline commands keep the connection', () =>
    expectKept(open, 'PING a b\r\n', "-ERR wrong number of arguments for 'ping' command\r\n"));
  it('unbalanced quotes close the connection', async () => {
    await expectClosed(open, 'set """test-key""" v\r\n', PROTO('unbalanced quotes in request'));
    await expectClosed(open, 'set k "a"b\r\n', PROTO('unbalanced quotes in request'));
    await expectClosed(open, "set k 'a\r\n", PROTO('unbalanced quotes in request'));
  });
  it('odd but valid requests', async () => {
    await expectKept(open, '$\r\n', "-ERR unknown command '$', with args beginning with: \r\n");
    await expectKept(open, '*1\r\n$0\r\n\r\n', "-ERR unknown command '', with args beginning with: \r\n");
    await expectKept(open, '*2\r\n$4\r\nECHO\r\n$0\r\n\r\n', '$0\r\n\r\n');
  });
});

describe('unauthenticated clients (requirepass)', () => {
  it('more than 10 arguments: unauthenticated multibulk length', async () => {
    await expectClosed(locked, '*100\r\n', PROTO('unauthenticated multibulk length'));
    await expectClosed(locked, '*11\r\n', PROTO('unauthenticated multibulk length'));
    await expectWaiting(locked, '*10\r\n');
  });
  it('a bulk over 16 KB: unauthenticated bulk length', async () => {
    await expectClosed(locked, '*1\r\n$100000000\r\n', PROTO('unauthenticated bulk length'));
    await expectClosed(locked, '*1\r\n$16385\r\n', PROTO('unauthenticated bulk length'));
    await expectWaiting(locked, '*1\r\n$16384\r\n');
  });
  it('more than 1 MB buffered is cut off', async () => {
    const c = await RawConnection.open(locked.port);
    c.write('*1\r\n$16384\r\n');
    const chunk = Buffer.alloc(16_000, 'y');
    const limit = 8 * 1024 * 1024;
    let sent = 0;
    // Stop writing once the server reports a protocol error (see the desync cases for why).
    while (!c.isClosed() && !c.peek().includes('Protocol error') && sent < limit) {
      await c.writeAsync(chunk);
      sent += chunk.length;
      await sleep(0);
    }
    await Promise.race([c.closed, sleep(5000)]);
    expect(sent).toBeLessThan(limit);
    expect(c.isClosed()).toBe(true);
    // Redis closes silently (query buffer limit); a protocol error first is fine too.
    const out = c.peek().toString('latin1');
    if (out !== '') expect(out).toMatch(/-ERR Protocol error: [^\r\n]*\r\n$/);
  });
  it('commands get NOAUTH and the connection stays', async () => {
    await expectKept(locked, 'GET k\r\n', '-NOAUTH Authentication required.\r\n');
    await expectKept(locked, encodeCommand('CLIENT', 'SETINFO', 'LIB-NAME', 'x'), '-NOAUTH Authentication required.\r\n');
  });
  it('wrong passwords and protocol versions', async () => {
    await expectKept(locked, 'AUTH wrong\r\n', '-WRONGPASS invalid username-password pair or user is disabled.\r\n');
    await expectKept(
      locked,
      'HELLO 3 AUTH default wrong\r\n',
      '-WRONGPASS invalid username-password pair or user is disabled.\r\n',
    );
    await expectKept(locked, 'HELLO 4\r\n', '-NOPROTO unsupported protocol version\r\n');
  });
  it('after AUTH the limits are the normal ones', async () => {
    const keys = Array.from({ length: 50 }, (_, i) => `unauth-limit-${i}`);
    await expectKept(locked, encodeCommand('DEL', ...keys), ':0\r\n', true);
    await expectKept(locked, encodeCommand('SET', 'big', Buffer.alloc(100_000, 'b')), '+OK\r\n', true);
  });
});

describe('cross-protocol scripting', () => {
  for (const input of ['POST / HTTP/1.1\r\nHost: x\r\n\r\n', 'Host: x\r\n', 'post /x HTTP/1.0\r\n', '*1\r\n$4\r\nPOST\r\n', '*2\r\n$5\r\nHost:\r\n$1\r\nx\r\n']) {
    it(`${JSON.stringify(input)} is closed silently`, () => expectClosed(open, input, ''));
  }
  it('a browser-style GET request is closed at the Host: line', async () => {
    const c = await RawConnection.open(open.port);
    c.write('GET / HTTP/1.1\r\nHost: localhost:6379\r\nUser-Agent: x\r\n\r\nSET pwned 1\r\n');
    await c.readAll(5000);
    expect(c.isClosed()).toBe(true);
    expect((await witnesses.get(open)!.call('EXISTS', 'pwned')).toString()).toBe(':0\r\n');
  });
  it('logs a security warning', () => open.waitForLog(/Possible SECURITY ATTACK detected/, 5000));
});

describe('a TLS ClientHello on the plain port', () => {
  it('does not crash the server', async () => {
    // The start of a TLS 1.2 ClientHello record, with a few CR/LF bytes inside.
    const hello = Buffer.from(
      '16030100a5010000a103035f1e6b1c0d0a0a0d2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7000002c02f01000076000000' +
        '0e000c0000096c6f63616c686f7374000b000403000102000a000c000a001d0017001e00190018',
      'hex',
    );
    const c = await RawConnection.open(open.port);
    c.write(hello);
    const out = (await c.readAll(500)).toString('latin1');
    if (out !== '') expect(out).toMatch(/^-ERR /);
    c.close();
  });
});

describe('size limits (client-query-buffer-limit 1mb, proto-max-bulk-len 2mb)', () => {
  it('a bulk above proto-max-bulk-len is refused before its data arrives', async () => {
    await expectClosed(limits, '*1\r\n$2097153\r\n', PROTO('invalid bulk length'));
    await expectWaiting(limits, '*1\r\n$2097152\r\n');
  });
  it('a query buffer above client-query-buffer-limit closes the client and logs it', async () => {
    const c = await RawConnection.open(limits.port);
    c.write('*3\r\n$3\r\nSET\r\n$1\r\nq\r\n$1500000\r\n');
    c.write(Buffer.alloc(1_500_000, 'q'));
    c.write('\r\n');
    await c.readAll(5000);
    expect(c.isClosed()).toBe(true);
    await limits.waitForLog(/Closing client that reached max query buffer length/, 5000);
    const check = await fresh(limits);
    expect((await check.call('EXISTS', 'q')).toString()).toBe(':0\r\n');
    check.close();
  });
  it('SETRANGE and APPEND beyond proto-max-bulk-len are errors', async () => {
    const w = await fresh(limits);
    expect((await w.call('SETRANGE', 'sr', '2097152', 'x')).toString()).toBe(
      '-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n',
    );
    expect((await w.call('SETRANGE', 'sr', '2097151', 'x')).toString()).toBe(':2097152\r\n');
    expect((await w.call('APPEND', 'sr', 'y')).toString()).toBe(
      '-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n',
    );
    expect((await w.call('DEL', 'sr')).toString()).toBe(':1\r\n');
    w.close();
  });
  it('SETRANGE beyond the default 512 MB limit is an error', async () => {
    expect((await witnesses.get(open)!.call('SETRANGE', 'sr', '536870912', 'x')).toString()).toBe(
      '-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n',
    );
  });
});

describe('slow and idle clients', () => {
  it('a slowloris client does not slow others down', async () => {
    const slow = await RawConnection.open(open.port);
    const w = witnesses.get(open)!;
    const partial = '*2\r\n$4\r\nECHO\r\n$10\r\nabcde';
    for (const ch of partial) {
      slow.write(ch);
      const t = Date.now();
      expect((await w.call('PING')).toString()).toBe('+PONG\r\n');
      expect(Date.now() - t).toBeLessThan(200);
      await sleep(5);
    }
    slow.write('fghij\r\n');
    expect((await slow.readReply()).toString()).toBe('$10\r\nabcdefghij\r\n');
    slow.close();
  });
  it('timeout 1 reaps an idle half-sent request', async () => {
    const c = await RawConnection.open(limits.port);
    c.write('*2\r\n$3\r\nGET\r\n');
    const t = Date.now();
    await Promise.race([c.closed, sleep(5000)]);
    expect(c.isClosed()).toBe(true);
    expect(Date.now() - t).toBeGreaterThanOrEqual(900);
  });
});

describe('pipelining', () => {
  it('100k commands in one write: all replies, in order, and others still served', async () => {
    const n = 100_000;
    const w = witnesses.get(open)!;
    await w.call('DEL', 'pipe:counter');
    const one = encodeCommand('INCR', 'pipe:counter');
    const c = await RawConnection.open(open.port);
    c.write(Buffer.concat(Array.from({ length: n }, () => one)));
    let expected = '';
    for (let i = 1; i <= n; i++) expected += `:${i}\r\n`;
    const first = await c.readUntil(':1\r\n', 10_000);
    expect(first.toString()).toBe(':1\r\n');
    // While the pipeline is processed, another client is answered.
    let pingDoneAt = 0;
    const ping = w.call('PING').then((r) => {
      pingDoneAt = Date.now();
      return r.toString();
    });
    const rest = (await c.readUntil(Buffer.byteLength(expected) - 4, 30_000)).toString();
    const lastAt = Date.now();
    expect(':1\r\n' + rest).toBe(expected);
    expect(await ping).toBe('+PONG\r\n');
    expect(pingDoneAt).toBeLessThanOrEqual(lastAt);
    c.close();
  });
});

describe('pathological glob patterns', () => {
  it('KEYS and SCAN MATCH stay fast and match nothing', async () => {
    const w = witnesses.get(open)!;
    expect((await w.call('SET', 'glob:' + 'a'.repeat(5000), '1')).toString()).toBe('+OK\r\n');
    const patterns = [
      'glob:' + 'a*'.repeat(40) + 'b',
      'glob:' + '*a]'.repeat(3000) + '*c',
      'glob:' + '*'.repeat(20_000) + 'b',
      'glob:' + '[a'.repeat(3000),
      'glob:' + '*[a-z]*'.repeat(2000) + 'b',
      'glob:' + '*\\'.repeat(2000),
    ];
    for (const p of patterns) {
      const t = Date.now();
      expect((await w.call('KEYS', p)).toString(), p.slice(0, 40)).toBe('*0\r\n');
      expect(Date.now() - t, p.slice(0, 40)).toBeLessThan(2000);
      const reply = decodeReply(await w.call('SCAN', '0', 'MATCH', p, 'COUNT', '1000'))!.value as [string, string[]];
      expect(reply[1]).toEqual([]);
    }
    await w.call('DEL', 'glob:' + 'a'.repeat(5000));
  });
});

describe('fuzzing', () => {
  it('random bytes on many connections never hurt the server', async () => {
    let seed = 0x2545f491;
    const rand = () => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) / 0x1_0000_0000;
    };
    const alphabet = Buffer.from('*$\r\n-+:0123456789 "\'\\xSETGETPINGabc\x00\xff', 'latin1');
    for (let round = 0; round < 10; round++) {
      const conns = await Promise.all(Array.from({ length: 20 }, () => RawConnection.open(open.port)));
      for (const c of conns) {
        const len = 1 + Math.floor(rand() * 3000);
        const buf = Buffer.alloc(len);
        for (let i = 0; i < len; i++) buf[i] = rand() < 0.5 ? alphabet[Math.floor(rand() * alphabet.length)]! : Math.floor(rand() * 256);
        c.write(buf);
      }
      await sleep(30);
      for (const c of conns) {
        const out = c.peek();
        // Whatever came back must be well-formed RESP (the server never writes garbage).
        let off = 0;
        while (off < out.length) {
          const r = decodeReply(out, off);
          if (!r) break;
          off += r.length;
        }
        expect(off, `undecodable reply bytes: ${JSON.stringify(out.subarray(off, off + 80).toString('latin1'))}`).toBe(out.length);
        c.close();
      }
    }
    expect(open.hasExited()).toBe(false);
  });

  it('300 concurrent connections are all served', async () => {
    const conns = await Promise.all(Array.from({ length: 300 }, () => RawConnection.open(open.port)));
    const replies = await Promise.all(conns.map((c) => c.call('PING')));
    expect(replies.every((r) => r.toString() === '+PONG\r\n')).toBe(true);
    for (const c of conns) c.close();
    const w = witnesses.get(open)!;
    await waitFor(async () => {
      const info = String(decodeReply(await w.call('INFO', 'clients'))!.value);
      return Number(/connected_clients:(\d+)/.exec(info)![1]) < 10;
    }, 5000);
  });
});

describe('protected mode', () => {
  // Which peers are refused is unit-tested in packages/server (protected-mode.test.ts):
  // tests never connect to a non-loopback address, even one of this machine's.
  it('serves loopback clients without a password, and counts no rejection', async () => {
    const s = await startAki({ args: ['--bind', '127.0.0.1', '--appendonly', 'no', '--save', ''] });
    try {
      const local = await RawConnection.open(s.port);
      expect((await local.call('PING')).toString()).toBe('+PONG\r\n');
      const info = String(decodeReply(await local.call('INFO', 'stats'))!.value);
      expect(info).toMatch(/^rejected_connections:0\r$/m);
      expect((await local.call('CONFIG', 'GET', 'protected-mode')).toString()).toBe(
        '*2\r\n$14\r\nprotected-mode\r\n$3\r\nyes\r\n',
      );
      local.close();
    } finally {
      await s.stop();
    }
  });
});

describe('memory', () => {
  it('stayed bounded through every case above', () => {
    const now = rssBytes(open.pid);
    if (now === undefined || rssAtStart === 0) return; // not Linux
    expect(now - rssAtStart).toBeLessThan(200 * 1024 * 1024);
  });
});
