import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RespDecoder, RespError, RespPush, RespVerbatim, type RespValue } from './decoder.js';
import { formatDouble, formatDoubleShortest } from './double.js';
import { ProtocolError } from './errors.js';
import { encodeCommand, ReplyWriter } from './reply-writer.js';
import { RequestParser, type RequestParserOptions } from './request-parser.js';
import { splitArgs } from './split-args.js';

/** Raise with FC_RUNS=5000 for a longer hunt. */
const RUNS = Number(process.env.FC_RUNS ?? 300);

// ---------------------------------------------------------------- helpers

/** Latin1 strings biased towards bytes that matter to the protocol. */
const latin1Char = fc.oneof(
  fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)),
  fc.constantFrom('\r', '\n', '\r\n', '$', '*', '"', "'", '\\', ' ', '\t', '\x00', 'x', '0'),
);
const latin1String = (maxLength: number) => fc.array(latin1Char, { maxLength }).map((parts) => parts.join(''));

/** Splits `data` into chunks whose sizes come from `sizes` (cycled). */
function chunksOf(data: Buffer, sizes: readonly number[]): Buffer[] {
  const out: Buffer[] = [];
  let i = 0;
  for (let off = 0; off < data.length; i++) {
    const n = Math.max(1, sizes.length === 0 ? data.length : sizes[i % sizes.length]);
    out.push(data.subarray(off, off + n));
    off += n;
  }
  return out;
}

const chunkSizes = fc.oneof(
  fc.constant([1]),
  fc.array(fc.integer({ min: 1, max: 16 }), { minLength: 1, maxLength: 20 }),
  fc.array(fc.integer({ min: 1, max: 4096 }), { minLength: 1, maxLength: 5 }),
);

type Outcome = { values: unknown[]; error: string | null };

/**
 * Runs `feed`/`next` over the chunks the way the server does: each chunk is
 * copied into one shared buffer that is overwritten as soon as the consumer
 * may no longer reference it (after next() gave "need more", or compact()).
 * With `stopEarly`, draining sometimes stops after a few commands and calls
 * compact(), and chunks are sometimes fed twice before draining.
 */
function runRequests(chunks: Buffer[], options: RequestParserOptions & { authenticated?: boolean }, stopEarly: number[] = []): Outcome & { inline: boolean[]; maxBuffered: number[] } {
  const parser = new RequestParser(options);
  if (options.authenticated === false) parser.authenticated = false;
  const shared = Buffer.alloc(Math.max(1, ...chunks.map((c) => c.length)));
  const values: unknown[] = [];
  const inline: boolean[] = [];
  const maxBuffered: number[] = [];
  try {
    for (let i = 0; i < chunks.length; i++) {
      const chunk = chunks[i];
      chunk.copy(shared);
      parser.feed(shared.subarray(0, chunk.length));
      const limit = stopEarly.length > 0 ? stopEarly[i % stopEarly.length] : -1;
      let taken = 0;
      for (;;) {
        if (limit >= 0 && taken >= limit) {
          parser.compact();
          break;
        }
        const argv = parser.next();
        if (argv === null) break;
        values.push(argv);
        inline.push(parser.lastWasInline);
        taken++;
      }
      maxBuffered.push(parser.bufferedBytes);
      shared.fill(0x2a);
    }
    for (let argv = parser.next(); argv !== null; argv = parser.next()) {
      values.push(argv);
      inline.push(parser.lastWasInline);
    }
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw error;
    return { values, inline, error: error.message, maxBuffered };
  }
  return { values, inline, error: null, maxBuffered };
}

function runDecoder(chunks: Buffer[], options: ConstructorParameters<typeof RespDecoder>[0] = {}): Outcome & { maxBuffered: number } {
  const decoder = new RespDecoder(options);
  const shared = Buffer.alloc(Math.max(1, ...chunks.map((c) => c.length)));
  const values: unknown[] = [];
  let maxBuffered = 0;
  try {
    for (const chunk of chunks) {
      chunk.copy(shared);
      decoder.feed(shared.subarray(0, chunk.length));
      for (let v = decoder.next(); v !== undefined; v = decoder.next()) values.push(v);
      maxBuffered = Math.max(maxBuffered, decoder.bufferedBytes);
      shared.fill(0x2a);
    }
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw error;
    return { values, error: error.message, maxBuffered };
  }
  return { values, error: null, maxBuffered };
}

// ---------------------------------------------------------------- requests

/** Encodes an argument for an inline command so that splitArgs gives it back. */
function quoteInline(arg: string): string {
  let out = '"';
  for (let i = 0; i < arg.length; i++) {
    const c = arg.charCodeAt(i);
    if (c === 34 || c === 92) out += '\\' + arg[i];
    else if (c < 32 || c > 126) out += '\\x' + c.toString(16).padStart(2, '0');
    else out += arg[i];
  }
  return out + '"';
}

type RequestItem = { bytes: string; argv: string[] | null; inline: boolean };

const argvArb = fc.array(latin1String(20), { minLength: 1, maxLength: 12 });
const requestItem: fc.Arbitrary<RequestItem> = fc.oneof(
  { weight: 5, arbitrary: argvArb.map((argv) => ({ bytes: encodeCommand(argv).toString('latin1'), argv, inline: false })) },
  {
    weight: 2,
    arbitrary: fc.tuple(argvArb, fc.constantFrom(' ', '  ', '\t'), fc.constantFrom('\n', '\r\n')).map(([argv, sep, eol]) => ({
      bytes: argv.map(quoteInline).join(sep) + eol,
      argv,
      inline: true,
    })),
  },
  {
    weight: 1,
    arbitrary: fc.array(fc.stringMatching(/^[a-zA-Z0-9:_-]{1,8}$/), { minLength: 1, maxLength: 4 }).map((argv) => ({
      bytes: argv.join(' ') + '\r\n',
      argv,
      inline: true,
    })),
  },
  { weight: 1, arbitrary: fc.constantFrom('*0\r\n', '*-1\r\n', '*-10\r\n', '\r\n', '\n', '  \t \r\n').map((bytes) => ({ bytes, argv: null, inline: false })) },
);

describe('property: requests split anywhere parse the same', () => {
  it('any command sequence, chunked arbitrarily through a reused buffer, gives the same argv', () => {
    fc.assert(
      fc.property(fc.array(requestItem, { maxLength: 12 }), chunkSizes, fc.array(fc.integer({ min: -1, max: 3 }), { maxLength: 4 }), (items, sizes, stopEarly) => {
        const data = Buffer.from(items.map((i) => i.bytes).join(''), 'latin1');
        const expected = items.filter((i) => i.argv !== null);
        const outcome = runRequests(chunksOf(data, sizes), {}, stopEarly);
        expect(outcome.error).toBeNull();
        expect(outcome.values).toEqual(expected.map((i) => i.argv));
        expect(outcome.inline).toEqual(expected.map((i) => i.inline));
      }),
      { numRuns: RUNS },
    );
  });

  it('a large argument split at arbitrary positions is reassembled exactly', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300_000 }), chunkSizes, (size, sizes) => {
        const big = Buffer.alloc(size);
        for (let i = 0; i < size; i++) big[i] = (i * 31) & 255;
        const data = Buffer.concat([encodeCommand(['SET', big]), encodeCommand(['GET', 'k'])]);
        const scaled = sizes.map((s) => s * 64);
        const outcome = runRequests(chunksOf(data, scaled), {});
        expect(outcome.error).toBeNull();
        expect(outcome.values).toHaveLength(2);
        const [set, get] = outcome.values as string[][];
        expect(set[0]).toBe('SET');
        expect(set[1] === big.toString('latin1')).toBe(true);
        expect(get).toEqual(['GET', 'k']);
      }),
      { numRuns: 40 },
    );
  });
});

describe('property: random bytes never break the request parser', () => {
  const garbage = fc.oneof(
    fc.uint8Array({ maxLength: 3000 }).map((a) => Buffer.from(a)),
    // mutated valid streams get much deeper into the state machine
    fc
      .tuple(fc.array(requestItem, { minLength: 1, maxLength: 8 }), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.nat(2)), { minLength: 1, maxLength: 6 }))
      .map(([items, edits]) => {
        const bytes = [...Buffer.from(items.map((i) => i.bytes).join(''), 'latin1')];
        for (const [at, value, kind] of edits) {
          const p = bytes.length === 0 ? 0 : at % bytes.length;
          if (kind === 0) bytes[p] = value;
          else if (kind === 1) bytes.splice(p, 0, value);
          else bytes.splice(p, 1);
        }
        return Buffer.from(bytes);
      }),
  );

  it('throws only ProtocolError, and the outcome does not depend on chunking', () => {
    fc.assert(
      fc.property(garbage, chunkSizes, fc.boolean(), (data, sizes, authenticated) => {
        const whole = runRequests([data], { authenticated });
        const chunked = runRequests(chunksOf(data, sizes), { authenticated });
        expect(chunked.values).toEqual(whole.values);
        expect(chunked.error).toBe(whole.error);
      }),
      { numRuns: RUNS * 2 },
    );
  });

  it('keeps the query buffer bounded under endless garbage', () => {
    const options = { maxInlineLength: 256, maxUnauthenticatedBulk: 64, authenticated: false } as const;
    // At most: one line up to the limit, the biggest unauthenticated command parsed so far, one chunk.
    const bound = (chunk: number) => 256 + 2 + 10 * (64 + 2 + 256 + 2) + 16 + chunk;
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ minLength: 1, maxLength: 512 }), { minLength: 1, maxLength: 40 }), (arrays) => {
        const chunks = arrays.map((a) => Buffer.from(a));
        const outcome = runRequests(chunks, options);
        outcome.maxBuffered.forEach((buffered, i) => expect(buffered).toBeLessThanOrEqual(bound(chunks[i].length)));
      }),
      { numRuns: RUNS },
    );
  });
});

describe('property: splitArgs', () => {
  it('round-trips arguments quoted with double quotes and \\xHH', () => {
    fc.assert(
      fc.property(fc.array(latin1String(30), { maxLength: 8 }), (args) => {
        expect(splitArgs(args.map(quoteInline).join(' '))).toEqual(args);
      }),
      { numRuns: RUNS },
    );
  });

  it('never throws on arbitrary input', () => {
    fc.assert(
      fc.property(latin1String(60), (line) => {
        const out = splitArgs(line);
        expect(out === null || Array.isArray(out)).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });
});

// ---------------------------------------------------------------- RESP3 values

/** A generated value: its wire bytes and what the decoder must return. */
type Encoded = { wire: string; value: RespValue };

const bytesArb = fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a));
const lineText = fc.array(latin1Char, { maxLength: 20 }).map((p) => p.join('').replace(/[\r\n]/g, '.'));
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

const scalar: fc.Arbitrary<Encoded> = fc.oneof(
  lineText.map((s) => ({ wire: `+${s}\r\n`, value: s })),
  lineText.map((s) => ({ wire: `-ERR ${s}\r\n`, value: new RespError(`ERR ${s}`) })),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((n) => ({
    wire: `:${n}\r\n`,
    value: n <= MAX_SAFE && n >= -MAX_SAFE ? Number(n) : n,
  })),
  fc.integer({ min: -1000, max: 1000 }).map((n) => ({ wire: `:${n}\r\n`, value: n })),
  bytesArb.map((b) => ({ wire: `$${b.length}\r\n${b.toString('latin1')}\r\n`, value: b })),
  fc.constant({ wire: '$-1\r\n', value: null }),
  fc.constant({ wire: '*-1\r\n', value: null }),
  fc.constant({ wire: '_\r\n', value: null }),
  fc.tuple(fc.double(), fc.boolean()).map(([d, shortest]) => ({ wire: `,${shortest ? formatDoubleShortest(d) : formatDouble(d)}\r\n`, value: d })),
  fc.boolean().map((b) => ({ wire: b ? '#t\r\n' : '#f\r\n', value: b })),
  fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }).map((n) => ({ wire: `(${n}\r\n`, value: n })),
  bytesArb.map((b) => ({ wire: `!${b.length}\r\n${b.toString('latin1')}\r\n`, value: new RespError(b.toString('latin1')) })),
  fc.tuple(fc.constantFrom('txt', 'mkd'), bytesArb).map(([f, b]) => ({
    wire: `=${b.length + 4}\r\n${f}:${b.toString('latin1')}\r\n`,
    value: new RespVerbatim(f, b),
  })),
);

const { value: respValue } = fc.letrec<{ value: Encoded; attributed: Encoded }>((tie) => ({
  attributed: fc
    .tuple(fc.array(fc.tuple(tie('value'), tie('value')), { minLength: 0, maxLength: 2 }), tie('value'))
    .map(([attrs, v]) => ({ wire: `|${attrs.length}\r\n${attrs.map(([k, a]) => k.wire + a.wire).join('')}${v.wire}`, value: v.value })),
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 6, arbitrary: scalar },
    { weight: 1, arbitrary: fc.array(tie('value'), { maxLength: 4 }).map((xs) => ({ wire: `*${xs.length}\r\n${xs.map((x) => x.wire).join('')}`, value: xs.map((x) => x.value) })) },
    {
      weight: 1,
      arbitrary: fc.array(fc.tuple(tie('value'), tie('value')), { maxLength: 3 }).map((pairs) => ({
        wire: `%${pairs.length}\r\n${pairs.map(([k, v]) => k.wire + v.wire).join('')}`,
        value: new Map(pairs.map(([k, v]) => [k.value, v.value])),
      })),
    },
    { weight: 1, arbitrary: fc.array(tie('value'), { maxLength: 4 }).map((xs) => ({ wire: `~${xs.length}\r\n${xs.map((x) => x.wire).join('')}`, value: new Set(xs.map((x) => x.value)) })) },
    { weight: 1, arbitrary: fc.array(tie('value'), { maxLength: 4 }).map((xs) => ({ wire: `>${xs.length}\r\n${xs.map((x) => x.wire).join('')}`, value: new RespPush(xs.map((x) => x.value)) })) },
    { weight: 1, arbitrary: tie('attributed') },
  ),
}));

describe('property: RESP3 values split anywhere decode the same', () => {
  it('any sequence of values, chunked arbitrarily through a reused buffer', () => {
    fc.assert(
      fc.property(fc.array(respValue, { maxLength: 6 }), chunkSizes, (values, sizes) => {
        const data = Buffer.from(values.map((v) => v.wire).join(''), 'latin1');
        const outcome = runDecoder(chunksOf(data, sizes));
        expect(outcome.error).toBeNull();
        expect(outcome.values).toEqual(values.map((v) => v.value));
      }),
      { numRuns: RUNS },
    );
  });

  it('ReplyWriter output decodes to what was written (RESP2 and RESP3)', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(latin1String(20), fc.integer(), fc.double(), fc.boolean()), { maxLength: 10 }), fc.constantFrom(2, 3) as fc.Arbitrary<2 | 3>, (items, protocol) => {
        const w = new ReplyWriter(16);
        w.protocol = protocol;
        w.arrayHeader(items.length);
        for (const item of items) {
          if (typeof item === 'string') w.bulk(item);
          else if (typeof item === 'boolean') w.boolean(item);
          else if (Number.isSafeInteger(item) && !Object.is(item, -0)) w.integer(item);
          else w.double(item);
        }
        const [decoded] = runDecoder([w.take()]).values as RespValue[][];
        expect(decoded).toHaveLength(items.length);
        items.forEach((item, i) => {
          const got = decoded[i];
          if (typeof item === 'string') expect(got).toEqual(Buffer.from(item, 'latin1'));
          else if (typeof item === 'boolean') expect(got).toBe(protocol === 3 ? item : item ? 1 : 0);
          else if (Number.isSafeInteger(item) && !Object.is(item, -0)) expect(got).toBe(item);
          else if (protocol === 3) expect(got).toBe(item);
          else expect(Number((got as Buffer).toString().replace('inf', 'Infinity'))).toBe(item);
        });
      }),
      { numRuns: RUNS },
    );
  });
});

describe('property: random bytes never break the decoder', () => {
  const garbage = fc.oneof(
    fc.uint8Array({ maxLength: 2000 }).map((a) => Buffer.from(a)),
    fc
      .tuple(fc.array(respValue, { minLength: 1, maxLength: 4 }), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.nat(2)), { minLength: 1, maxLength: 6 }))
      .map(([values, edits]) => {
        const bytes = [...Buffer.from(values.map((v) => v.wire).join(''), 'latin1')];
        for (const [at, value, kind] of edits) {
          const p = bytes.length === 0 ? 0 : at % bytes.length;
          if (kind === 0) bytes[p] = value;
          else if (kind === 1) bytes.splice(p, 0, value);
          else bytes.splice(p, 1);
        }
        return Buffer.from(bytes);
      }),
  );

  it('throws only ProtocolError, and the outcome does not depend on chunking', () => {
    fc.assert(
      fc.property(garbage, chunkSizes, (data, sizes) => {
        const options = { maxBulkLength: 1000, maxLineLength: 300, maxDepth: 16 };
        const whole = runDecoder([data], options);
        const chunked = runDecoder(chunksOf(data, sizes), options);
        expect(chunked.values).toEqual(whole.values);
        expect(chunked.error).toBe(whole.error);
        expect(chunked.maxBuffered).toBeLessThanOrEqual(1002 + Math.max(...sizes, data.length));
      }),
      { numRuns: RUNS * 2 },
    );
  });
});

describe('property: doubles', () => {
  it('formatDouble and formatDoubleShortest read back to the same double', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (d) => {
        expect(Number(formatDouble(d))).toBe(d);
        expect(Number(formatDoubleShortest(d))).toBe(d);
        expect(formatDouble(d).replace(/^-/, '').replace(/e.*$/, '').replace('.', '').replace(/^0+/, '').length).toBeLessThanOrEqual(17);
      }),
      { numRuns: RUNS * 3 },
    );
  });
});
