import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dataset } from './arbitraries.js';
import { RdbDecoder, RdbFormatError } from './decoder.js';
import { encodeDataset } from './encode-dataset.js';
import { Collector } from './test-support.js';
import { REDIS_7_FIXTURES as FIXTURES } from '../test-fixtures.js';

/** Runs of the fixture-mutation property; raise it (RDB_FUZZ_RUNS=200000) for a longer hunt. */
const FUZZ_RUNS = Number(process.env.RDB_FUZZ_RUNS ?? 3000);
const fixtures = [
  'all-types.rdb',
  'upstream-encodings.rdb',
  'upstream-hash-ziplist.rdb',
  'upstream-hash-zipmap.rdb',
  'upstream-list-quicklist.rdb',
  'upstream-zset-ziplist.rdb',
  'upstream-corrupt_empty_keys.rdb',
  'upstream-corrupt_ziplist.rdb',
  'upstream-rdb-preamble.aof',
  'appendonlydir/appendonly.aof.1.base.rdb',
].map((name) => readFileSync(FIXTURES + name));

type Mutation =
  | { kind: 'set'; at: number; byte: number }
  | { kind: 'xor'; at: number; bit: number }
  | { kind: 'insert'; at: number; bytes: number[] }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'truncate'; at: number };

const position = fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true });
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), at: position, byte: fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(0, 0x40, 0x7f, 0x80, 0x81, 0xc0, 0xc3, 0xfe, 0xff)) }),
  fc.record({ kind: fc.constant('xor' as const), at: position, bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: position, bytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: position, length: fc.integer({ min: 1, max: 16 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: position }),
);

function mutate(input: Buffer, mutations: Mutation[]): Buffer {
  let b = Buffer.from(input);
  for (const m of mutations) {
    if (b.length === 0) break;
    const at = Math.floor(m.at * b.length);
    switch (m.kind) {
      case 'set':
        b[at] = m.byte;
        break;
      case 'xor':
        b[at] ^= 1 << m.bit;
        break;
      case 'insert':
        b = Buffer.concat([b.subarray(0, at), Buffer.from(m.bytes), b.subarray(at)]);
        break;
      case 'delete':
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + m.length)]);
        break;
      case 'truncate':
        b = b.subarray(0, at);
        break;
    }
  }
  return b;
}

/** Decodes `bytes` in random-sized steps; returns normally on success or RdbFormatError, rethrows anything else. */
function decodeOrFormatError(bytes: Buffer, slice: number): void {
  const d = new RdbDecoder(bytes, new Collector());
  try {
    let steps = 0;
    while (!d.step(slice)) {
      // Every step consumes at least one key, so the steps are bounded by the input size.
      if (++steps > bytes.length + 1) throw new Error('decoder made no progress');
    }
  } catch (e) {
    if (!(e instanceof RdbFormatError)) throw e;
    expect(e.offset).toBeGreaterThanOrEqual(0);
    expect(e.offset).toBeLessThanOrEqual(bytes.length);
  }
}

describe('RdbDecoder on corrupt input', () => {
  it('mutated and truncated fixtures only ever fail with RdbFormatError', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: fixtures.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 4 }), fc.integer({ min: 1, max: 5 }), (i, ms, slice) => {
        decodeOrFormatError(mutate(fixtures[i], ms), slice);
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('mutated encoder output (every type, big values) only ever fails with RdbFormatError', () => {
    fc.assert(
      fc.property(dataset, fc.array(mutation, { minLength: 1, maxLength: 3 }), (dbs, ms) => {
        decodeOrFormatError(mutate(encodeDataset(dbs).bytes, ms), 3);
      }),
      { numRuns: Math.ceil(FUZZ_RUNS / 10) },
    );
  });

  it('every truncation of every fixture fails with RdbFormatError', () => {
    for (const f of fixtures) {
      // The preamble AOF continues after its RDB: cut inside the RDB only.
      let rdbLength = f.length;
      try {
        rdbLength = new RdbDecoder(f, new Collector()).run().offset;
      } catch (e) {
        if (!(e instanceof RdbFormatError)) throw e;
      }
      // Every cut of the small files; 500 evenly spread cuts of the big ones.
      const stride = Math.max(1, Math.floor(rdbLength / 500));
      for (let n = 0; n < rdbLength; n += stride) {
        expect(() => new RdbDecoder(f.subarray(0, n), new Collector()).run(), `cut at ${n}`).toThrow(RdbFormatError);
      }
    }
  });
});
