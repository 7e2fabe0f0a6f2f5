import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RdbFormatError } from './errors.js';
import { lzfDecompress } from './lzf.js';
import path from 'node:path';
import { REDIS_7_FIXTURES } from '../test-fixtures.js';

/** A simple greedy LZF compressor (test reference): literals of up to 32 bytes, back-references of 3..264 bytes within 8 KiB (searching the last 400 bytes). */
function compress(input: Uint8Array): Buffer {
  const out: number[] = [];
  let literal: number[] = [];
  const flush = () => {
    for (let i = 0; i < literal.length; i += 32) {
      const run = literal.slice(i, i + 32);
      out.push(run.length - 1, ...run);
    }
    literal = [];
  };
  let i = 0;
  while (i < input.length) {
    let bestLen = 0;
    let bestOff = 0;
    for (let off = 1; off <= Math.min(i, 400); off++) {
      let len = 0;
      while (len < 264 && i + len < input.length && input[i + len] === input[i - off + len]) len++;
      if (len > bestLen) {
        bestLen = len;
        bestOff = off;
      }
    }
    if (bestLen >= 3) {
      flush();
      const len = bestLen - 2;
      const off = bestOff - 1;
      if (len < 7) out.push((len << 5) | (off >> 8), off & 0xff);
      else out.push((7 << 5) | (off >> 8), len - 7, off & 0xff);
      i += bestLen;
    } else {
      literal.push(input[i++]);
    }
  }
  flush();
  return Buffer.from(out);
}

const repetitive = fc
  .array(fc.oneof(fc.uint8Array({ minLength: 1, maxLength: 8 }), fc.constant(new Uint8Array(300).fill(97))), { maxLength: 12 })
  .chain((parts) => fc.tuple(fc.constant(parts), fc.array(fc.integer({ min: 1, max: 12 }), { minLength: parts.length, maxLength: parts.length })))
  .map(([parts, repeats]) => Buffer.concat(parts.map((p, k) => Buffer.concat(Array.from({ length: repeats[k] }, () => Buffer.from(p))))));

describe('lzfDecompress', () => {
  it('expands what the reference compressor produced', () => {
    fc.assert(
      fc.property(repetitive, (data) => {
        const packed = compress(data);
        const framed = Buffer.concat([Buffer.from([1, 2, 3]), packed, Buffer.from([9])]);
        expect(lzfDecompress(framed, 3, 3 + packed.length, data.length, 0).equals(data)).toBe(true);
      }),
      { numRuns: 100 },
    );
  });

  it('expands the LZF strings Redis wrote in all-types.rdb', () => {
    const json = JSON.parse(readFileSync(path.join(REDIS_7_FIXTURES, 'all-types.json'), 'utf8'));
    const rdb = readFileSync(path.join(REDIS_7_FIXTURES, 'all-types.rdb'));
    // str:compressible's value is stored as c3 <clen> <len> <data>
    const key = Buffer.from('\x10str:compressible', 'latin1');
    const at = rdb.indexOf(key) + key.length;
    expect(rdb[at]).toBe(0xc3);
    const value: string = json['0']['str:compressible'].value;
    const clen = rdb[at + 1];
    const lenBytes = value.length < 64 ? 1 : 2;
    const dataAt = at + 2 + lenBytes;
    expect(lzfDecompress(rdb, dataAt, dataAt + clen, value.length, 0).toString('latin1')).toBe(value);
  });

  it('never throws anything but RdbFormatError, and output is exactly the length asked for', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.integer({ min: 0, max: 20000 }), (input, length) => {
        try {
          expect(lzfDecompress(input, 0, input.length, length, 7).length).toBe(length);
        } catch (e) {
          expect(e).toBeInstanceOf(RdbFormatError);
          expect((e as RdbFormatError).offset).toBe(7);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('rejects each kind of corruption', () => {
    const msg = (input: number[], length: number) => {
      try {
        lzfDecompress(Uint8Array.from(input), 0, input.length, length, 0);
      } catch (e) {
        return (e as Error).message;
      }
      return 'ok';
    };
    expect(msg([2, 97, 98], 3)).toMatch(/literal run past the input/);
    expect(msg([1, 97, 98], 1)).toMatch(/literal run past the output/);
    expect(msg([0, 97, 0x20], 3)).toMatch(/truncated back-reference/);
    expect(msg([0, 97, 0xe0], 20)).toMatch(/truncated back-reference/);
    expect(msg([0, 97, 0x20, 5], 4)).toMatch(/before the output/);
    expect(msg([0, 97, 0x20, 0], 3)).toMatch(/past the output/);
    expect(msg([0, 97], 2)).toMatch(/expanded to 1 bytes instead of 2/);
    expect(msg([0, 97], 1000)).toMatch(/impossible expanded length/);
    expect(msg([0, 97, 0x20, 0], 4)).toBe('ok');
  });
});
