import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ReplicationBacklog } from './backlog.js';

const RUNS = Number(process.env.FC_RUNS ?? 300);
const b = (s: string): Buffer => Buffer.from(s, 'latin1');
const joined = (parts: Buffer[]): string => Buffer.concat(parts).toString('latin1');

/** Every readFrom result for offsets first..end+1, as strings. */
function allReads(backlog: ReplicationBacklog): string[] {
  const out: string[] = [];
  for (let o = backlog.firstByteOffset; o <= backlog.endOffset + 1; o++) out.push(joined(backlog.readFrom(o)));
  return out;
}

describe('ReplicationBacklog: empty', () => {
  it('reports Redis-style offsets right after creation', () => {
    const bl = new ReplicationBacklog(16, 0);
    expect(bl.size).toBe(16);
    expect(bl.histlen).toBe(0);
    expect(bl.endOffset).toBe(0);
    expect(bl.firstByteOffset).toBe(1);
    const later = new ReplicationBacklog(16, 1593);
    expect(later.firstByteOffset).toBe(1594);
    expect(later.endOffset).toBe(1593);
  });

  it('covers only endOffset + 1 and reads nothing there', () => {
    const bl = new ReplicationBacklog(16, 100);
    expect(bl.covers(100)).toBe(false);
    expect(bl.covers(101)).toBe(true);
    expect(bl.covers(102)).toBe(false);
    expect(bl.readFrom(101)).toEqual([]);
    expect(() => bl.readFrom(100)).toThrow(RangeError);
    expect(() => bl.readFrom(102)).toThrow(RangeError);
  });

  it('rejects bad sizes and offsets', () => {
    expect(() => new ReplicationBacklog(0, 0)).toThrow(RangeError);
    expect(() => new ReplicationBacklog(1.5, 0)).toThrow(RangeError);
    expect(() => new ReplicationBacklog(8, -1)).toThrow(RangeError);
    const bl = new ReplicationBacklog(8, 0);
    expect(() => bl.resize(0)).toThrow(RangeError);
    bl.append(b('abc'));
    expect(() => bl.readFrom(1.5)).toThrow(RangeError);
    expect(() => bl.readFrom(Number.NaN)).toThrow(RangeError);
  });

  it('ignores empty appends', () => {
    const bl = new ReplicationBacklog(4, 7);
    bl.append(Buffer.alloc(0));
    expect([bl.histlen, bl.endOffset, bl.firstByteOffset]).toEqual([0, 7, 8]);
  });
});

describe('ReplicationBacklog: append and readFrom', () => {
  it('reads from every offset before wrapping', () => {
    const bl = new ReplicationBacklog(10, 0);
    bl.append(b('abc'));
    bl.append(b('defg'));
    expect([bl.firstByteOffset, bl.endOffset, bl.histlen]).toEqual([1, 7, 7]);
    expect(allReads(bl)).toEqual(['abcdefg', 'bcdefg', 'cdefg', 'defg', 'efg', 'fg', 'g', '']);
    expect(bl.covers(0)).toBe(false);
    expect(bl.covers(1)).toBe(true);
    expect(bl.covers(8)).toBe(true);
    expect(bl.covers(9)).toBe(false);
  });

  it('fills exactly to capacity without wrapping', () => {
    const bl = new ReplicationBacklog(4, 0);
    bl.append(b('ab'));
    bl.append(b('cd'));
    expect([bl.firstByteOffset, bl.endOffset, bl.histlen]).toEqual([1, 4, 4]);
    expect(bl.readFrom(1)).toHaveLength(1);
    expect(allReads(bl)).toEqual(['abcd', 'bcd', 'cd', 'd', '']);
    bl.append(b('e'));
    expect([bl.firstByteOffset, bl.endOffset, bl.histlen]).toEqual([2, 5, 4]);
    expect(allReads(bl)).toEqual(['bcde', 'cde', 'de', 'e', '']);
  });

  it('wraps around and returns two slices across the seam, one on either side', () => {
    const bl = new ReplicationBacklog(8, 0);
    bl.append(b('0123456')); // head at 7
    bl.append(b('789A')); // "7" at index 7, "89A" at 0..2: newest 8 = "3456789A"
    expect([bl.firstByteOffset, bl.endOffset, bl.histlen]).toEqual([4, 11, 8]);
    expect(bl.covers(3)).toBe(false);
    expect(bl.covers(4)).toBe(true);
    expect(bl.covers(12)).toBe(true);
    expect(bl.covers(13)).toBe(false);
    expect(allReads(bl)).toEqual(['3456789A', '456789A', '56789A', '6789A', '789A', '89A', '9A', 'A', '']);
    // ring layout: [8 9 A 3 4 5 6 7], head = 3, oldest at index 3
    expect(bl.readFrom(4).map((x) => x.toString('latin1'))).toEqual(['34567', '89A']);
    expect(bl.readFrom(8).map((x) => x.toString('latin1'))).toEqual(['7', '89A']);
    expect(bl.readFrom(9).map((x) => x.toString('latin1'))).toEqual(['89A']);
  });

  it('an append that ends exactly at the ring end leaves head at 0', () => {
    const bl = new ReplicationBacklog(6, 0);
    bl.append(b('abc'));
    bl.append(b('def'));
    bl.append(b('gh'));
    expect(allReads(bl)).toEqual(['cdefgh', 'defgh', 'efgh', 'fgh', 'gh', 'h', '']);
    expect(bl.readFrom(3).map((x) => x.toString('latin1'))).toEqual(['cdef', 'gh']);
  });

  it('keeps only the last `size` bytes of an oversized append, but counts all of it', () => {
    const bl = new ReplicationBacklog(4, 10);
    bl.append(b('xy'));
    bl.append(b('abcdefghij'));
    expect([bl.firstByteOffset, bl.endOffset, bl.histlen]).toEqual([19, 22, 4]);
    expect(allReads(bl)).toEqual(['ghij', 'hij', 'ij', 'j', '']);
    bl.append(b('ABCD')); // exactly size
    expect([bl.firstByteOffset, bl.endOffset]).toEqual([23, 26]);
    expect(allReads(bl)).toEqual(['ABCD', 'BCD', 'CD', 'D', '']);
    bl.append(b('Z'));
    expect(allReads(bl)).toEqual(['BCDZ', 'CDZ', 'DZ', 'Z', '']);
  });

  it('copies on append: later changes to the source do not leak in', () => {
    const bl = new ReplicationBacklog(8, 0);
    const src = b('hello');
    bl.append(src);
    src.fill(0x21);
    expect(joined(bl.readFrom(1))).toBe('hello');
  });

  it('readFrom returns copies that later appends and resizes cannot change', () => {
    const bl = new ReplicationBacklog(4, 0);
    bl.append(b('abcd'));
    const before = bl.readFrom(1);
    bl.append(b('WXYZ'));
    bl.resize(2);
    expect(joined(before)).toBe('abcd');
    expect(joined(bl.readFrom(7))).toBe('YZ');
  });

  it('a one-byte backlog holds the newest byte', () => {
    const bl = new ReplicationBacklog(1, 0);
    bl.append(b('a'));
    bl.append(b('bc'));
    expect([bl.firstByteOffset, bl.endOffset, bl.histlen]).toEqual([3, 3, 1]);
    expect(allReads(bl)).toEqual(['c', '']);
  });
});

describe('ReplicationBacklog: resize', () => {
  it('growing keeps every byte and the offsets', () => {
    const bl = new ReplicationBacklog(4, 0);
    bl.append(b('abcdef')); // holds cdef
    bl.resize(10);
    expect([bl.size, bl.firstByteOffset, bl.endOffset, bl.histlen]).toEqual([10, 3, 6, 4]);
    expect(allReads(bl)).toEqual(['cdef', 'def', 'ef', 'f', '']);
    bl.append(b('0123456'));
    expect([bl.firstByteOffset, bl.endOffset, bl.histlen]).toEqual([4, 13, 10]);
    expect(joined(bl.readFrom(4))).toBe('def0123456');
  });

  it('shrinking keeps the newest bytes and raises firstByteOffset', () => {
    const bl = new ReplicationBacklog(8, 0);
    bl.append(b('0123456'));
    bl.append(b('789A')); // wrapped: holds 3456789A
    bl.resize(3);
    expect([bl.size, bl.firstByteOffset, bl.endOffset, bl.histlen]).toEqual([3, 9, 11, 3]);
    expect(bl.covers(8)).toBe(false);
    expect(allReads(bl)).toEqual(['89A', '9A', 'A', '']);
    bl.append(b('B'));
    expect(allReads(bl)).toEqual(['9AB', 'AB', 'B', '']);
  });

  it('shrinking to exactly histlen, and resizing an empty or partly filled backlog', () => {
    const bl = new ReplicationBacklog(8, 5);
    bl.resize(2);
    expect([bl.firstByteOffset, bl.endOffset, bl.histlen]).toEqual([6, 5, 0]);
    bl.append(b('ab'));
    bl.resize(2); // same size: no-op
    bl.resize(4);
    bl.append(b('c'));
    expect(allReads(bl)).toEqual(['abc', 'bc', 'c', '']);
    bl.resize(3); // exactly histlen: full ring, next append overwrites the oldest
    bl.append(b('d'));
    expect(allReads(bl)).toEqual(['bcd', 'cd', 'd', '']);
  });
});

describe('ReplicationBacklog: model check', () => {
  type Op = { kind: 'append'; data: string } | { kind: 'resize'; size: number };
  const op: fc.Arbitrary<Op> = fc.oneof(
    { weight: 5, arbitrary: fc.string({ maxLength: 20 }).map((data) => ({ kind: 'append' as const, data })) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 24 }).map((size) => ({ kind: 'resize' as const, size })) },
  );

  it('matches a model that keeps the whole stream', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 24 }), fc.nat(1000), fc.array(op, { maxLength: 40 }), (size, start, ops) => {
        const bl = new ReplicationBacklog(size, start);
        let stream = '';
        let held = 0;
        for (const o of ops) {
          if (o.kind === 'append') {
            bl.append(Buffer.from(o.data, 'latin1'));
            stream += o.data;
            held = Math.min(held + o.data.length, size);
          } else {
            size = o.size;
            bl.resize(size);
            held = Math.min(held, size);
          }
          const end = start + stream.length;
          expect(bl.size).toBe(size);
          expect(bl.endOffset).toBe(end);
          expect(bl.histlen).toBe(held);
          expect(bl.firstByteOffset).toBe(end - held + 1);
          for (let off = end - held - 1; off <= end + 2; off++) {
            const inside = off >= end - held + 1 && off <= end + 1;
            expect(bl.covers(off)).toBe(inside);
            if (inside) {
              const parts = bl.readFrom(off);
              expect(parts.length).toBeLessThanOrEqual(2);
              for (const p of parts) expect(p.length).toBeGreaterThan(0);
              // stream index of offset `off` is off - start - 1
              expect(joined(parts)).toBe(stream.slice(off - start - 1));
            }
          }
        }
      }),
      { numRuns: RUNS },
    );
  });
});
