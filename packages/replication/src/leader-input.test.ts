import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EOF_MARK_LENGTH, LeaderInput, LeaderProtocolError, type PayloadHeader } from './leader-input.js';

const RUNS = Number(process.env.FC_RUNS ?? 300);
const b = (s: string): Buffer => Buffer.from(s, 'latin1');
const str = (parts: Buffer[]): string => Buffer.concat(parts).toString('latin1');

const ID = '04eec08623f9cb461376c01c1cb9d7415e058d7d';
const MARK = '0ca7268c6ea1546e1674e4a97e8b9d1359a8470c';
const EMPTY_RDB = '\x52\x45\x44\x49\x53\x30\x30\x31\x30\xff\x00\x00\x00\x00\x00\x00\x00\x00';
const PING = '*1\r\n$4\r\nping\r\n';

function input(...chunks: string[]): LeaderInput {
  const li = new LeaderInput();
  for (const c of chunks) li.feed(b(c));
  return li;
}

/** Reads the whole payload that is buffered; asserts it completes. */
function wholePayload(li: LeaderInput): string {
  const { chunks, done } = li.readPayload();
  expect(done).toBe(true);
  return str(chunks);
}

function protocolError(fn: () => unknown): LeaderProtocolError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(LeaderProtocolError);
  return caught as LeaderProtocolError;
}

describe('LeaderInput: reply lines', () => {
  it('returns lines without CRLF, one at a time', () => {
    const li = input('+PONG\r\n+OK\r\n+OK\r\n');
    expect([li.readLine(), li.readLine(), li.readLine(), li.readLine()]).toEqual(['+PONG', '+OK', '+OK', null]);
    expect(li.bufferedBytes).toBe(0);
  });

  it('returns null until the LF arrives, also when split right after CR', () => {
    const li = input('+FULLRES');
    expect(li.readLine()).toBeNull();
    li.feed(b(`YNC ${ID} 0\r`));
    expect(li.readLine()).toBeNull();
    li.feed(b('\n'));
    expect(li.readLine()).toBe(`+FULLRESYNC ${ID} 0`);
  });

  it('skips keepalive newlines (\\n and \\r\\n) and never returns them', () => {
    const li = input('\n\n\r\n\n+CONTINUE\r\n');
    expect(li.readLine()).toBe('+CONTINUE');
    const only = input('\n', '\r\n', '\n');
    expect(only.readLine()).toBeNull();
    expect(only.bufferedBytes).toBe(0);
  });

  it('accepts a bare LF terminator and keeps other CRs', () => {
    expect(input('+OK\n').readLine()).toBe('+OK');
    expect(input('-ERR a\rb\r\r\n').readLine()).toBe('-ERR a\rb\r');
  });

  it('returns error replies as lines', () => {
    const li = input('-NOAUTH Authentication required.\r\n');
    expect(li.readLine()).toBe('-NOAUTH Authentication required.');
  });

  it('reads a line fed one byte at a time', () => {
    const li = new LeaderInput();
    const text = `\n+FULLRESYNC ${ID} 1593\r\n`;
    for (let i = 0; i < text.length - 1; i++) {
      li.feed(b(text[i]));
      expect(li.readLine()).toBeNull();
    }
    li.feed(b('\n'));
    expect(li.readLine()).toBe(`+FULLRESYNC ${ID} 1593`);
  });

  it('copies borrowed chunks', () => {
    const li = new LeaderInput();
    const shared = b('+CONT');
    li.feed(shared);
    shared.fill(0x5a);
    li.feed(b('INUE\r\n'));
    expect(li.readLine()).toBe('+CONTINUE');
  });
});

describe('LeaderInput: oversize lines', () => {
  it('accepts exactly maxLineLength bytes, with or without CR', () => {
    expect(new LeaderInput({ maxLineLength: 10 }).maxLineLength).toBe(10);
    const a = new LeaderInput({ maxLineLength: 10 });
    a.feed(b('0123456789\r\n0123456789\n'));
    expect([a.readLine(), a.readLine()]).toEqual(['0123456789', '0123456789']);
  });

  it('rejects a longer line when its LF arrives', () => {
    const li = new LeaderInput({ maxLineLength: 10 });
    li.feed(b('01234567890'));
    expect(li.readLine()).toBeNull(); // 11 bytes could still be 10 + CR
    li.feed(b('\n'));
    expect(protocolError(() => li.readLine()).message).toMatch(/longer than 10 bytes/);
  });

  it('rejects a longer line before it ends, bounding memory', () => {
    const li = new LeaderInput({ maxLineLength: 10 });
    li.feed(b('0123456789\r'));
    expect(li.readLine()).toBeNull();
    li.feed(b('x'));
    protocolError(() => li.readLine());
  });

  it('applies the default 64 KiB limit, also to the payload header and across tiny chunks', () => {
    const li = new LeaderInput();
    li.feed(Buffer.alloc(64 * 1024, 0x2b));
    expect(li.readLine()).toBeNull();
    li.feed(b('\r'));
    expect(li.readLine()).toBeNull();
    li.feed(b('+'));
    protocolError(() => li.readLine());

    const h = new LeaderInput();
    h.feed(b('$'));
    for (let i = 0; i < 64 * 1024 + 1; i++) h.feed(b('9'));
    protocolError(() => h.readPayloadHeader());
  });

  it('ignores line length once the payload is being read', () => {
    const li = new LeaderInput({ maxLineLength: 10 });
    li.feed(b('$30\r\n'));
    expect(li.readPayloadHeader()).toEqual({ kind: 'length', length: 30 });
    li.feed(Buffer.alloc(30, 0x41));
    expect(wholePayload(li)).toBe('A'.repeat(30));
  });
});

describe('LeaderInput: payload header', () => {
  it('parses $<len>', () => {
    expect(input('$172\r\n').readPayloadHeader()).toEqual({ kind: 'length', length: 172 });
    expect(input('$0\r\n').readPayloadHeader()).toEqual({ kind: 'length', length: 0 });
    expect(input('$9007199254740991\r\n').readPayloadHeader()).toEqual({ kind: 'length', length: 9007199254740991 });
  });

  it('parses $EOF:<40 bytes>', () => {
    const h = input(`$EOF:${MARK}\r\n`).readPayloadHeader() as Extract<PayloadHeader, { kind: 'eof' }>;
    expect(h.kind).toBe('eof');
    expect(h.mark.toString('latin1')).toBe(MARK);
    expect(EOF_MARK_LENGTH).toBe(40);
  });

  it('returns error lines as errors, without the dash', () => {
    expect(input("-NOMASTERLINK Can't SYNC while not connected with my master\r\n").readPayloadHeader()).toEqual({
      kind: 'error',
      message: "NOMASTERLINK Can't SYNC while not connected with my master",
    });
    expect(input('-\r\n').readPayloadHeader()).toEqual({ kind: 'error', message: '' });
  });

  it('skips keepalives before the header and returns null while incomplete', () => {
    const li = input('\n', '\n', '\r\n$1');
    expect(li.readPayloadHeader()).toBeNull();
    li.feed(b('8\r'));
    expect(li.readPayloadHeader()).toBeNull();
    li.feed(b('\n'));
    expect(li.readPayloadHeader()).toEqual({ kind: 'length', length: 18 });
  });

  it('rejects anything else', () => {
    for (const line of ['+FULLRESYNC x 0', '*3', ':1', 'REDIS0010', '$', '$-1', '$01', '$+5', '$1e3', '$ 5', '$5 ', '$99999999999999999999', '$EOF:', `$EOF:${MARK}x`, `$EOF:${MARK.slice(1)}`]) {
      const li = input(`${line}\r\n`);
      expect(() => li.readPayloadHeader(), line).toThrow(LeaderProtocolError);
    }
  });
});

describe('LeaderInput: $<len> payloads', () => {
  it('full flow: keepalives before FULLRESYNC and before $len, payload, then the stream', () => {
    const li = input(`\n\n\n+FULLRESYNC ${ID} 0\r\n\n\n$18\r\n${EMPTY_RDB}${PING}*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n`);
    expect(li.readLine()).toBe(`+FULLRESYNC ${ID} 0`);
    expect(li.readPayloadHeader()).toEqual({ kind: 'length', length: 18 });
    expect(li.inPayload).toBe(true);
    expect(wholePayload(li)).toBe(EMPTY_RDB);
    expect(li.inPayload).toBe(false);
    expect(li.takeRest().toString('latin1')).toBe(`${PING}*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n`);
    expect(li.bufferedBytes).toBe(0);
    expect(li.takeRest().length).toBe(0);
  });

  it('delivers the payload incrementally and binary safe (no trailing CRLF expected)', () => {
    const body = '\r\n$EOF:\n\x00\xff\r\n+OK\r\n';
    const li = input(`$${body.length}\r\n`, body.slice(0, 3));
    expect(li.readPayloadHeader()).toEqual({ kind: 'length', length: body.length });
    const first = li.readPayload();
    expect([str(first.chunks), first.done]).toEqual([body.slice(0, 3), false]);
    expect(li.readPayload()).toEqual({ chunks: [], done: false });
    li.feed(b(body.slice(3) + 'STREAM'));
    expect(wholePayload(li)).toBe(body.slice(3));
    expect(li.takeRest().toString('latin1')).toBe('STREAM');
  });

  it('a zero-length payload is done at once', () => {
    const li = input('$0\r\n*1\r\n');
    li.readPayloadHeader();
    expect(li.readPayload()).toEqual({ chunks: [], done: true });
    expect(li.takeRest().toString('latin1')).toBe('*1\r\n');
  });

  it('payload buffers are not changed by later feeds or by the source chunk', () => {
    const li = new LeaderInput();
    const src = b('$4\r\nabcd');
    li.feed(src);
    li.readPayloadHeader();
    const got = li.readPayload().chunks;
    src.fill(0);
    li.feed(b('zzzz'));
    expect(str(got)).toBe('abcd');
    expect(li.takeRest().toString('latin1')).toBe('zzzz');
  });

  it('reads lines again after the payload', () => {
    const li = input('$2\r\nxy+OK\r\n');
    li.readPayloadHeader();
    expect(wholePayload(li)).toBe('xy');
    expect(li.readLine()).toBe('+OK');
  });
});

describe('LeaderInput: $EOF: payloads', () => {
  const header = `$EOF:${MARK}\r\n`;

  it('strips the mark and leaves what follows it', () => {
    const li = input(`+FULLRESYNC ${ID} 7\r\n${header}${EMPTY_RDB}${MARK}${PING}`);
    expect(li.readLine()).toBe(`+FULLRESYNC ${ID} 7`);
    expect(li.readPayloadHeader()).toMatchObject({ kind: 'eof' });
    expect(wholePayload(li)).toBe(EMPTY_RDB);
    expect(li.takeRest().toString('latin1')).toBe(PING);
  });

  it('an empty payload is just the mark', () => {
    const li = input(header + MARK);
    li.readPayloadHeader();
    expect(li.readPayload()).toEqual({ chunks: [], done: true });
    expect(li.bufferedBytes).toBe(0);
  });

  it('holds back only bytes that may start the mark', () => {
    const li = input(header, 'x'.repeat(100));
    li.readPayloadHeader();
    const first = li.readPayload();
    expect([str(first.chunks), first.done]).toEqual(['x'.repeat(61), false]);
    expect(li.bufferedBytes).toBe(39);
    li.feed(b('yy'));
    expect(str(li.readPayload().chunks)).toBe('xx');
    li.feed(b(MARK));
    expect(wholePayload(li)).toBe('x'.repeat(37) + 'yy');
    expect(li.bufferedBytes).toBe(0);
  });

  it('finds a mark split at every position, in two and in three chunks', () => {
    const body = `${EMPTY_RDB}payload\r\n`;
    const whole = body + MARK + 'REST';
    for (let i = 0; i <= whole.length; i++) {
      const li = input(header, whole.slice(0, i), whole.slice(i));
      li.readPayloadHeader();
      expect(wholePayload(li), `split at ${i}`).toBe(body);
      expect(li.takeRest().toString('latin1')).toBe('REST');
    }
    for (let i = body.length - 2; i <= body.length + 40; i++) {
      for (let j = i; j <= body.length + 42; j++) {
        const li = input(header);
        li.readPayloadHeader();
        const got: Buffer[] = [];
        let done = false;
        for (const part of [whole.slice(0, i), whole.slice(i, j), whole.slice(j)]) {
          li.feed(b(part));
          if (done) continue;
          const r = li.readPayload();
          got.push(...r.chunks);
          done = r.done;
        }
        expect(done, `${i}/${j}`).toBe(true);
        expect(str(got)).toBe(body);
        expect(li.takeRest().toString('latin1')).toBe('REST');
      }
    }
  });

  it('a mark fed one byte at a time is found and never leaks into the payload', () => {
    const li = input(header, 'abc');
    li.readPayloadHeader();
    const got: Buffer[] = [];
    for (let i = 0; i < MARK.length; i++) {
      li.feed(b(MARK[i]));
      const r = li.readPayload();
      got.push(...r.chunks);
      expect(r.done).toBe(i === MARK.length - 1);
    }
    expect(str(got)).toBe('abc');
  });

  it('payload bytes that resemble the start of the mark are payload', () => {
    const almost = MARK.slice(0, 39);
    const bodies = [
      almost + 'X', // 39 bytes of the mark, then a mismatch
      almost, // directly followed by the real mark
      MARK.slice(0, 20) + MARK.slice(0, 39) + '!', // two overlapping false starts
      '$EOF:' + MARK.slice(0, 10),
      MARK.slice(1) + MARK.slice(0, 5), // the mark's tail, then its head
    ];
    for (const body of bodies) {
      for (let i = 0; i <= body.length + 40; i++) {
        const whole = body + MARK;
        const li = input(header, whole.slice(0, i), whole.slice(i));
        li.readPayloadHeader();
        expect(wholePayload(li), `${JSON.stringify(body)} split at ${i}`).toBe(body);
      }
    }
  });

  it('self-overlapping marks end at their first occurrence', () => {
    const mark = 'a'.repeat(39) + 'b';
    const li = input(`$EOF:${mark}\r\n`, 'a'.repeat(100), mark, 'tail');
    li.readPayloadHeader();
    expect(wholePayload(li)).toBe('a'.repeat(100));
    expect(li.takeRest().toString('latin1')).toBe('tail');
    const ab = 'ab'.repeat(20);
    const li2 = input(`$EOF:${ab}\r\n`, 'ab'.repeat(30) + 'a', ab);
    li2.readPayloadHeader();
    // "abab...a" + "abab..." first contains the mark at offset 0
    expect(wholePayload(li2)).toBe('');
  });
});

describe('LeaderInput: misuse', () => {
  it('throws plain errors for calls out of order', () => {
    const li = input('$3\r\nab');
    expect(() => li.readPayload()).toThrow(/no payload header/);
    li.readPayloadHeader();
    expect(() => li.readLine()).toThrow(/sync payload is being read/);
    expect(() => li.readPayloadHeader()).toThrow(/sync payload is being read/);
    expect(() => li.takeRest()).toThrow(/sync payload is being read/);
    let caught: unknown;
    try {
      li.readLine();
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(Error);
    expect(caught).not.toBeInstanceOf(LeaderProtocolError);
  });
});

// ---------------------------------------------------------------- property tests

/** Splits `data` into chunks whose sizes come from `sizes` (cycled). */
function chunksOf(data: Buffer, sizes: readonly number[]): Buffer[] {
  const out: Buffer[] = [];
  for (let off = 0, i = 0; off < data.length; i++) {
    const n = Math.max(1, sizes[i % sizes.length]);
    out.push(data.subarray(off, off + n));
    off += n;
  }
  return out;
}

const chunkSizes = fc.oneof(
  fc.constant([1]),
  fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 20 }),
  fc.array(fc.integer({ min: 1, max: 4096 }), { minLength: 1, maxLength: 5 }),
);

const keepalives = fc.array(fc.constantFrom('\n', '\r\n'), { maxLength: 3 }).map((k) => k.join(''));
const replyLine = fc
  .string({ minLength: 1, maxLength: 30 })
  .filter((s) => !/[\r\n]/.test(s))
  .map((s) => `+${s}`);

/** Marks and payload bytes drawn from a small alphabet, so payloads often contain long prefixes of the mark. */
const mark = fc.oneof(
  fc.array(fc.constantFrom('a', 'b'), { minLength: 40, maxLength: 40 }).map((m) => m.join('')),
  fc.constant('a'.repeat(39) + 'b'),
  fc.constant('ab'.repeat(20)),
  fc.constant(MARK),
);
const payloadText = (m: string) =>
  fc
    .array(fc.oneof(fc.constantFrom('a', 'b', 'c', '\r', '\n', '$'), fc.integer({ min: 1, max: 39 }).map((n) => m.slice(0, n))), {
      maxLength: 40,
    })
    .map((p) => p.join(''));

interface Transcript {
  text: string;
  lines: string[];
  header: PayloadHeader;
  payload: string;
  rest: string;
}

const transcript: fc.Arbitrary<Transcript> = fc
  .record({
    lines: fc.array(fc.tuple(keepalives, replyLine), { maxLength: 4 }),
    beforeHeader: keepalives,
    eof: fc.boolean(),
    mark,
    rest: fc.string({ maxLength: 30 }),
  })
  .chain((r) => payloadText(r.mark).map((body) => ({ ...r, body })))
  .map((r) => {
    let text = r.lines.map(([k, l]) => `${k}${l}\r\n`).join('') + r.beforeHeader;
    let header: PayloadHeader;
    let payload: string;
    let rest: string;
    if (r.eof) {
      text += `$EOF:${r.mark}\r\n`;
      const after = r.body + r.mark + r.rest;
      const end = after.indexOf(r.mark); // the payload ends at the first occurrence
      header = { kind: 'eof', mark: b(r.mark) };
      payload = after.slice(0, end);
      rest = after.slice(end + 40);
      text += after;
    } else {
      text += `$${r.body.length}\r\n${r.body}${r.rest}`;
      header = { kind: 'length', length: r.body.length };
      payload = r.body;
      rest = r.rest;
    }
    return { text, lines: r.lines.map(([, l]) => l), header, payload, rest };
  });

/**
 * Drives a LeaderInput the way the follower does, feeding every chunk through
 * one shared buffer that is overwritten right after (so any borrowed byte the
 * reader kept would be corrupted).
 */
function drive(chunks: Buffer[], lineCount: number): { lines: string[]; header: PayloadHeader | null; payload: string; rest: string } {
  const li = new LeaderInput();
  const shared = Buffer.alloc(Math.max(1, ...chunks.map((c) => c.length)));
  const lines: string[] = [];
  let header: PayloadHeader | null = null;
  const payload: Buffer[] = [];
  let done = false;
  for (const chunk of chunks) {
    chunk.copy(shared);
    li.feed(shared.subarray(0, chunk.length));
    shared.fill(0x3f);
    for (;;) {
      if (lines.length < lineCount) {
        const line = li.readLine();
        if (line === null) break;
        lines.push(line);
      } else if (header === null) {
        header = li.readPayloadHeader();
        if (header === null) break;
      } else if (!done) {
        const r = li.readPayload();
        payload.push(...r.chunks);
        done = r.done;
        if (!done) break;
      } else break;
    }
  }
  expect(done).toBe(true);
  return { lines, header, payload: str(payload), rest: li.takeRest().toString('latin1') };
}

describe('LeaderInput: any chunking gives the same result', () => {
  it('lines, header, payload and rest do not depend on the split', () => {
    fc.assert(
      fc.property(transcript, chunkSizes, (t, sizes) => {
        const data = b(t.text);
        const got = drive(chunksOf(data, sizes), t.lines.length);
        expect(got).toEqual({ lines: t.lines, header: t.header, payload: t.payload, rest: t.rest });
        expect(drive([data], t.lines.length)).toEqual(got);
      }),
      { numRuns: RUNS },
    );
  });

  it('cuts at arbitrary positions (often next to the mark) give the same result', () => {
    fc.assert(
      fc.property(
        transcript.chain((t) => fc.tuple(fc.constant(t), fc.uniqueArray(fc.integer({ min: 0, max: t.text.length }), { maxLength: 4 }))),
        ([t, cuts]) => {
          const data = b(t.text);
          const points = [0, ...cuts.sort((x, y) => x - y), data.length];
          const chunks = points.slice(1).map((p, i) => data.subarray(points[i], p)).filter((c) => c.length > 0);
          expect(drive(chunks, t.lines.length)).toEqual({ lines: t.lines, header: t.header, payload: t.payload, rest: t.rest });
        },
      ),
      { numRuns: RUNS * 3 },
    );
  });

  it('an oversize line is rejected whatever the split', () => {
    fc.assert(
      fc.property(fc.integer({ min: 11, max: 40 }), fc.boolean(), chunkSizes, (len, cr, sizes) => {
        const data = b(`+OK\r\n\n${'x'.repeat(len)}${cr ? '\r' : ''}\n`);
        const li = new LeaderInput({ maxLineLength: 10 });
        const seen: string[] = [];
        let error: unknown = null;
        try {
          for (const c of chunksOf(data, sizes)) {
            li.feed(c);
            for (let l = li.readLine(); l !== null; l = li.readLine()) seen.push(l);
          }
        } catch (e) {
          error = e;
        }
        expect(seen).toEqual(['+OK']);
        expect(error).toBeInstanceOf(LeaderProtocolError);
      }),
      { numRuns: RUNS },
    );
  });
});
