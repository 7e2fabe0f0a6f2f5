import { encodeCommand } from '@aki/resp-codec';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LeaderProtocolError } from './leader-input.js';
import { REPLICATION_MAX_BULK_LENGTH, StreamCommandReader, encodedLength, type StreamCommand } from './stream-reader.js';

const RUNS = Number(process.env.FC_RUNS ?? 300);
const b = (s: string): Buffer => Buffer.from(s, 'latin1');

/** Our own encoder, independent of resp-codec's. */
const enc = (...argv: string[]): string => `*${argv.length}\r\n${argv.map((a) => `$${a.length}\r\n${a}\r\n`).join('')}`;

function readAll(...chunks: string[]): StreamCommand[] {
  const r = new StreamCommandReader();
  const out: StreamCommand[] = [];
  for (const c of chunks) {
    r.feed(b(c));
    for (let cmd = r.next(); cmd !== null; cmd = r.next()) out.push(cmd);
  }
  return out;
}

function leaderError(...chunks: string[]): LeaderProtocolError {
  let caught: unknown;
  try {
    readAll(...chunks);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(LeaderProtocolError);
  return caught as LeaderProtocolError;
}

describe('encodedLength', () => {
  it('matches the observed stream lengths', () => {
    expect(encodedLength(['ping'])).toBe(14); // REPLICATION.md §3.3
    expect(encodedLength(['REPLCONF', 'GETACK', '*'])).toBe(37); // §4
    expect(encodedLength(['SELECT', '0'])).toBe(23);
  });

  it('counts digits of argument counts and lengths at every width', () => {
    for (const len of [0, 1, 9, 10, 99, 100, 999, 1000, 12345]) {
      const arg = 'x'.repeat(len);
      expect(encodedLength([arg]), `len ${len}`).toBe(enc(arg).length);
    }
    const many = Array.from({ length: 123 }, (_, i) => String(i));
    expect(encodedLength(many)).toBe(enc(...many).length);
    expect(encodedLength([])).toBe(4); // "*0\r\n"
  });

  it('counts latin1 argument bytes, binary safe', () => {
    const argv = ['SET', 'k\x00\xff', 'v\r\n\x80'];
    expect(encodedLength(argv)).toBe(encodeCommand(argv).length);
  });
});

describe('StreamCommandReader', () => {
  it('returns commands with their exact byte counts', () => {
    const stream = enc('SELECT', '0') + enc('set', 'k', 'v') + enc('ping');
    const got = readAll(stream);
    expect(got).toEqual([
      { argv: ['SELECT', '0'], bytes: 23 },
      { argv: ['set', 'k', 'v'], bytes: enc('set', 'k', 'v').length },
      { argv: ['ping'], bytes: 14 },
    ]);
    expect(got.reduce((s, c) => s + c.bytes, 0)).toBe(stream.length);
  });

  it('returns null for an incomplete command and reports buffered bytes', () => {
    const r = new StreamCommandReader();
    r.feed(b('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\nv'));
    expect(r.next()).toBeNull();
    expect(r.bufferedBytes).toBe(25);
    r.feed(b('v\r\n'));
    expect(r.next()).toEqual({ argv: ['SET', 'k', 'vv'], bytes: 28 });
    expect(r.bufferedBytes).toBe(0);
  });

  it('skips bare keepalive newlines; they count 0 bytes but are reported as skipped', () => {
    const r = new StreamCommandReader();
    r.feed(b(`\n${enc('ping')}\n\r\n`));
    expect(r.next()).toEqual({ argv: ['ping'], bytes: 14 });
    expect(r.next()).toBeNull();
    expect(r.skippedBytes).toBe(4);
    r.feed(b('\n'));
    expect(r.next()).toBeNull();
    r.feed(b(enc('ping')));
    expect(r.next()).toEqual({ argv: ['ping'], bytes: 14 });
    expect(r.skippedBytes).toBe(5);
  });

  it('reports empty-array headers as skipped bytes', () => {
    const r = new StreamCommandReader();
    r.feed(b(`*0\r\n*-1\r\n${enc('ping')}`));
    expect(r.next()).toEqual({ argv: ['ping'], bytes: 14 });
    expect(r.skippedBytes).toBe(9);
  });

  it('an inline command from the leader is a protocol error', () => {
    expect(leaderError('PING\r\n').message).toMatch(/inline command/);
    leaderError(`${enc('ping')}SET k v\n`);
    leaderError('$4\r\nping\r\n');
    leaderError('+OK\r\n');
  });

  it('wraps the parser errors in LeaderProtocolError', () => {
    const e = leaderError('*1\r\n$x\r\n');
    expect(e.message).toContain('invalid bulk length');
    expect(e.cause).toBeDefined();
    expect(leaderError('*1\r\n+4\r\n').message).toContain("expected '$'");
    expect(leaderError('*01\r\n').message).toContain('invalid multibulk length');
    leaderError('*1\r\n$04\r\nping\r\n');
    leaderError(`*1\r\n$${REPLICATION_MAX_BULK_LENGTH + 1}\r\n`);
  });

  it('accepts large bulk arguments a client could not send unauthenticated', () => {
    const big = 'y'.repeat(100_000);
    expect(readAll(enc('SET', 'k', big))[0].bytes).toBe(enc('SET', 'k', big).length);
    const r = new StreamCommandReader({ maxBulkLength: 10 });
    r.feed(b(enc('x'.repeat(11))));
    expect(() => r.next()).toThrow(LeaderProtocolError);
  });

  it('counts canonical bytes even when terminators are not CRLF (the parser skips 2 bytes unchecked)', () => {
    // Redis also accepts these; the 2-byte terminators keep the count exact.
    const odd = '*2\rX$3\rYSET\rZ$1\r\nkQQ';
    const got = readAll(odd);
    expect(got).toEqual([{ argv: ['SET', 'k'], bytes: odd.length }]);
  });

  it('does not keep borrowed chunks past next() returning null', () => {
    const r = new StreamCommandReader();
    const shared = Buffer.alloc(64);
    const text = enc('SET', 'key', 'value');
    const out: StreamCommand[] = [];
    for (let i = 0; i < text.length; i += 5) {
      const n = b(text.slice(i, i + 5)).copy(shared);
      r.feed(shared.subarray(0, n));
      for (let cmd = r.next(); cmd !== null; cmd = r.next()) out.push(cmd);
      shared.fill(0x21);
    }
    expect(out).toEqual([{ argv: ['SET', 'key', 'value'], bytes: text.length }]);
  });
});

describe('StreamCommandReader: properties', () => {
  const arg = fc.oneof(
    fc.string({ maxLength: 12 }),
    fc.uint8Array({ maxLength: 40 }).map((u) => Buffer.from(u).toString('latin1')),
    fc.constantFrom('', '\r\n', '*1\r\n', '$3\r\n', '\n'),
    fc.integer({ min: 0, max: 300 }).map((n) => 'z'.repeat(n)),
  );
  const argv = fc.array(arg, { minLength: 1, maxLength: 12 });
  const item = fc.oneof(
    { weight: 6, arbitrary: argv.map((a) => ({ argv: a })) },
    { weight: 1, arbitrary: fc.constantFrom('\n', '\r\n').map((k) => ({ keepalive: k })) },
  );
  const chunkSizes = fc.oneof(
    fc.constant([1]),
    fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 10 }),
    fc.array(fc.integer({ min: 1, max: 4096 }), { minLength: 1, maxLength: 3 }),
  );

  it('byte counts equal the real encoded bytes for random argv, under any chunking', () => {
    fc.assert(
      fc.property(fc.array(item, { maxLength: 25 }), chunkSizes, (items, sizes) => {
        const parts = items.map((it) => ('argv' in it ? encodeCommand(it.argv) : b(it.keepalive)));
        const data = Buffer.concat(parts);
        const expected = items.flatMap((it, i) => ('argv' in it ? [{ argv: it.argv, bytes: parts[i].length }] : []));
        const keepaliveBytes = items.reduce((s, it) => s + ('keepalive' in it ? it.keepalive.length : 0), 0);

        const r = new StreamCommandReader();
        const shared = Buffer.alloc(4096);
        const got: StreamCommand[] = [];
        for (let off = 0, i = 0; off < data.length; i++) {
          const n = Math.min(sizes[i % sizes.length], data.length - off);
          data.copy(shared, 0, off, off + n);
          r.feed(shared.subarray(0, n));
          for (let cmd = r.next(); cmd !== null; cmd = r.next()) got.push(cmd);
          shared.fill(0x3f); // borrowed bytes must not be needed any more
          off += n;
        }
        expect(got).toEqual(expected);
        for (const cmd of got) expect(cmd.bytes).toBe(encodedLength(cmd.argv));
        expect(got.reduce((s, c) => s + c.bytes, 0) + r.skippedBytes).toBe(data.length);
        expect(r.skippedBytes).toBe(keepaliveBytes);
        expect(r.bufferedBytes).toBe(0);
      }),
      { numRuns: RUNS },
    );
  });

  it('encodedLength agrees with an independent encoder', () => {
    fc.assert(
      fc.property(argv, (a) => {
        expect(encodedLength(a)).toBe(enc(...a).length);
        expect(encodedLength(a)).toBe(encodeCommand(a).length);
      }),
      { numRuns: RUNS },
    );
  });
});
