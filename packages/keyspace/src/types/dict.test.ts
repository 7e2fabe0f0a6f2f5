import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nextScanCursor, reverseBits } from '../hash-table.js';
import { Dict } from './dict.js';

/** Length of the dict's slot arrays (white-box: how much memory the slots keep). */
const slotCapacity = (dict: Dict<unknown>): number => (dict as unknown as { keys: unknown[] }).keys.length;

function filled(n: number, prefix = 'k'): Dict<number> {
  const dict = new Dict<number>();
  for (let i = 0; i < n; i++) dict.set(`${prefix}${i}`, i);
  return dict;
}

describe('Dict basics', () => {
  it('sets, adds, gets and deletes', () => {
    const dict = new Dict<string>();
    expect(dict.set('a', '1')).toBe(true);
    expect(dict.set('a', '2')).toBe(false);
    expect(dict.add('a', '3')).toBe(false);
    expect(dict.add('b', '4')).toBe(true);
    expect(dict.get('a')).toBe('2');
    expect(dict.get('b')).toBe('4');
    expect(dict.get('c')).toBeUndefined();
    expect(dict.has('b')).toBe(true);
    expect(dict.size).toBe(2);
    expect(dict.delete('a')).toBe(true);
    expect(dict.delete('a')).toBe(false);
    expect(dict.size).toBe(1);
    const slot = dict.slotOf('b');
    expect(dict.keyAt(slot)).toBe('b');
    expect(dict.valueAt(slot)).toBe('4');
    dict.setValueAt(slot, '5');
    expect(dict.get('b')).toBe('5');
    expect(dict.slotOf('nope')).toBe(-1);
  });

  it('is binary safe: keys differing only in high or zero bytes stay apart', () => {
    const dict = new Dict<number>();
    const keys = ['', '\x00', '\x00\x00', '\xff', 'a\x00', 'a', '\x80\x81'];
    keys.forEach((k, i) => dict.set(k, i));
    expect(dict.size).toBe(keys.length);
    keys.forEach((k, i) => expect(dict.get(k)).toBe(i));
  });

  it('keeps every entry across growth and shrinking, and clear empties it', () => {
    const dict = filled(5000);
    for (let i = 0; i < 5000; i++) expect(dict.get(`k${i}`)).toBe(i);
    for (let i = 0; i < 5000; i += 2) expect(dict.delete(`k${i}`)).toBe(true);
    for (let i = 0; i < 5000; i++) expect(dict.get(`k${i}`)).toBe(i % 2 === 0 ? undefined : i);
    expect([...dict.keysIterator()].length).toBe(2500);
    dict.clear();
    expect(dict.size).toBe(0);
    expect(dict.randomSlot()).toBe(-1);
    expect([...dict.entries()]).toEqual([]);
  });

  it('iterates every entry once with entries, keysIterator, forEach and forEachSlot', () => {
    const dict = filled(300);
    for (let i = 0; i < 300; i += 3) dict.delete(`k${i}`);
    const expected = new Map<string, number>();
    for (let i = 0; i < 300; i++) if (i % 3 !== 0) expected.set(`k${i}`, i);
    expect(new Map(dict.entries())).toEqual(expected);
    expect([...dict.keysIterator()].sort()).toEqual([...expected.keys()].sort());
    const seen: Array<[string, number]> = [];
    dict.forEach((k, v) => seen.push([k, v]));
    expect(new Map(seen)).toEqual(expected);
    const slots: number[] = [];
    dict.forEachSlot((slot) => slots.push(slot));
    expect(new Set(slots).size).toBe(expected.size);
    expect(new Map(slots.map((s) => [dict.keyAt(s), dict.valueAt(s)]))).toEqual(expected);
  });
});

describe('Dict shrinking', () => {
  it('shrinks the table and packs the slots when mostly empty', () => {
    const dict = filled(10_000);
    expect(dict.bucketCount).toBeGreaterThanOrEqual(10_000);
    expect(slotCapacity(dict)).toBe(10_000);
    for (let i = 10; i < 10_000; i++) dict.delete(`k${i}`);
    expect(dict.size).toBe(10);
    expect(dict.bucketCount).toBeLessThanOrEqual(80);
    expect(dict.bucketCount).toBeGreaterThanOrEqual(4);
    expect(slotCapacity(dict)).toBeLessThanOrEqual(80);
    for (let i = 0; i < 10; i++) expect(dict.get(`k${i}`)).toBe(i);
    // Still a working table after the rebuild: grow again, delete again.
    for (let i = 10; i < 2000; i++) dict.set(`k${i}`, i);
    for (let i = 0; i < 2000; i++) expect(dict.get(`k${i}`)).toBe(i);
    for (let i = 0; i < 2000; i++) expect(dict.delete(`k${i}`)).toBe(true);
    expect(dict.size).toBe(0);
    expect(dict.bucketCount).toBe(4);
    expect(slotCapacity(dict)).toBe(0);
  });

  it('keeps at most 8 slots per live entry whatever the order of writes (bounds randomSlot retries)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 400 })), { maxLength: 3000 }), (ops) => {
        const dict = new Dict<number>();
        for (const [insert, n] of ops) {
          if (insert) dict.set(`k${n}`, n);
          else dict.delete(`k${n}`);
          if (dict.size > 0) expect(slotCapacity(dict)).toBeLessThanOrEqual(Math.max(4, dict.size * 8));
          expect(slotCapacity(dict)).toBeLessThanOrEqual(dict.bucketCount);
        }
      }),
      { numRuns: 50 },
    );
  });
});

describe('Dict.randomSlot', () => {
  /** Counts how often each key comes out of `picks` random picks. */
  function pickCounts(dict: Dict<number>, picks: number): Map<string, number> {
    const counts = new Map<string, number>();
    for (let i = 0; i < picks; i++) {
      const key = dict.keyAt(dict.randomSlot());
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return counts;
  }

  it('picks every entry about equally often, also with free slots in the arrays', () => {
    // Grow to 400 (512 buckets), then delete down to 67: still more than 1/8
    // of the buckets, so no shrink, and the arrays keep free slots.
    const dict = filled(400);
    for (let i = 0; i < 400; i++) if (i % 6 !== 0) dict.delete(`k${i}`);
    const live = dict.size;
    expect(live).toBe(67);
    expect(slotCapacity(dict)).toBe(400);
    const perKey = 3000;
    const counts = pickCounts(dict, live * perKey);
    expect(counts.size).toBe(live);
    // Each count is Binomial(n, 1/67): sd ~ 54 around 3000; allow 20% (> 10 sd).
    for (const [key, n] of counts) {
      expect(dict.has(key)).toBe(true);
      expect(Math.abs(n - perKey)).toBeLessThan(perKey * 0.2);
    }
  });

  it('is fair between keys that share a bucket and keys alone in theirs', () => {
    const dict = filled(64);
    const counts = pickCounts(dict, 64 * 4000);
    const values = [...counts.values()];
    expect(values.length).toBe(64);
    expect(Math.min(...values)).toBeGreaterThan(4000 * 0.85);
    expect(Math.max(...values)).toBeLessThan(4000 * 1.15);
  });

  it('returns the only entry of a one-entry dict', () => {
    const dict = filled(100);
    for (let i = 1; i < 100; i++) dict.delete(`k${i}`);
    for (let i = 0; i < 50; i++) expect(dict.keyAt(dict.randomSlot())).toBe('k0');
  });
});

describe('Dict.scan', () => {
  it('the cursor walks every bucket of a table once (reverse-binary increment)', () => {
    for (const size of [4, 8, 64, 1024]) {
      const mask = size - 1;
      const seen = new Set<number>();
      let v = 0;
      do {
        seen.add(v & mask);
        v = nextScanCursor(v, mask);
      } while (v !== 0);
      expect(seen.size).toBe(size);
    }
    expect(reverseBits(1)).toBe(0x80000000);
    expect(reverseBits(0x80000000)).toBe(1);
    expect(reverseBits(0xffffffff)).toBe(0xffffffff);
  });

  it('a full scan of a quiet dict returns every entry exactly once', () => {
    const dict = filled(1000);
    const seen: string[] = [];
    let cursor = 0;
    do {
      cursor = dict.scan(cursor, 7, (k) => seen.push(k));
    } while (cursor !== 0);
    expect(seen.length).toBe(1000);
    expect(new Set(seen).size).toBe(1000);
  });

  it('an empty dict scans to cursor 0 at once', () => {
    expect(new Dict<number>().scan(0, 10, () => expect.unreachable())).toBe(0);
  });

  it('a table that shrinks mid-scan still returns every surviving entry', () => {
    const dict = filled(1024);
    const returned = new Set<string>();
    let cursor = dict.scan(0, 300, (k) => returned.add(k));
    expect(cursor).not.toBe(0);
    const survivors: string[] = [];
    for (let i = 0; i < 1024; i++) {
      if (i % 9 === 0) survivors.push(`k${i}`);
      else dict.delete(`k${i}`);
    }
    expect(dict.bucketCount).toBeLessThan(1024);
    while (cursor !== 0) cursor = dict.scan(cursor, 10, (k) => returned.add(k));
    for (const k of survivors) expect(returned.has(k)).toBe(true);
  });

  it('a table that grows mid-scan still returns every entry', () => {
    const dict = filled(100);
    const returned = new Set<string>();
    let cursor = dict.scan(0, 30, (k) => returned.add(k));
    for (let i = 100; i < 5000; i++) dict.set(`k${i}`, i);
    while (cursor !== 0) cursor = dict.scan(cursor, 10, (k) => returned.add(k));
    for (let i = 0; i < 100; i++) expect(returned.has(`k${i}`)).toBe(true);
  });

  /**
   * Between scan calls, a batch of random writes: inserts of new keys (the
   * table grows), deletes of existing ones (it shrinks and packs), deletes of
   * what the last call returned (the common pattern). Every key present for
   * the whole scan must be returned at least once; nothing never stored may
   * be returned; the scan ends.
   */
  it('returns every entry present for the whole scan, under interleaved inserts, deletes and resizes', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('insert' as const), n: fc.integer({ min: 1, max: 600 }) }),
      fc.record({
        kind: fc.constant('delete' as const),
        // Heavy deletions (over 7/8) are what shrinks the table mid-scan.
        fraction: fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0.85, max: 0.99, noNaN: true })),
      }),
      fc.record({ kind: fc.constant('deleteReturned' as const) }),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2000 }),
        fc.integer({ min: 1, max: 50 }),
        fc.array(fc.array(op, { maxLength: 3 }), { maxLength: 60 }),
        fc.integer(),
        (initial, count, batches, seed) => {
          let rng = seed | 0;
          const random = () => {
            rng = (Math.imul(rng, 1103515245) + 12345) | 0;
            return (rng >>> 8) / 0x1000000;
          };
          const dict = new Dict<number>();
          let nextKey = 0;
          for (; nextKey < initial; nextKey++) dict.set(`k${nextKey}`, nextKey);
          const everStored = new Set<string>(dict.keysIterator());
          const removed = new Set<string>();
          const returned = new Set<string>();
          const startKeys = [...dict.keysIterator()];
          let cursor = 0;
          let calls = 0;
          let batch = 0;
          do {
            const lastReturned: string[] = [];
            cursor = dict.scan(cursor, count, (k) => {
              lastReturned.push(k);
              returned.add(k);
            });
            for (const k of lastReturned) expect(everStored.has(k)).toBe(true);
            for (const action of batches[batch++] ?? []) {
              if (action.kind === 'insert') {
                for (let i = 0; i < action.n; i++, nextKey++) {
                  dict.set(`k${nextKey}`, nextKey);
                  everStored.add(`k${nextKey}`);
                }
              } else {
                const victims =
                  action.kind === 'deleteReturned'
                    ? lastReturned
                    : [...dict.keysIterator()].filter(() => random() < action.fraction);
                for (const k of victims) if (dict.delete(k)) removed.add(k);
              }
            }
            calls++;
            expect(calls).toBeLessThan(100_000);
          } while (cursor !== 0);
          for (const k of startKeys) if (!removed.has(k)) expect(returned.has(k)).toBe(true);
        },
      ),
      { numRuns: 150 },
    );
  }, 30_000); // a property test: seconds under load, not a timing assertion
});

describe('Dict iteration order', () => {
  it('is insertion order: updates keep their place, deletes close the gap, across growth and shrinking', () => {
    const dict = new Dict<number>();
    const model: string[] = [];
    for (let i = 0; i < 1000; i++) {
      dict.set(`k${i}`, i);
      model.push(`k${i}`);
    }
    dict.set('k10', -1); // update in place
    for (let i = 0; i < 1000; i += 3) {
      dict.delete(`k${i}`);
      model.splice(model.indexOf(`k${i}`), 1);
    }
    for (let i = 0; i < 950; i++) {
      if (dict.delete(`k${i}`)) model.splice(model.indexOf(`k${i}`), 1); // shrinks and packs on the way
    }
    dict.set('new', 1);
    model.push('new');
    expect([...dict.keysIterator()]).toEqual(model);
    const visited: string[] = [];
    dict.forEach((key) => visited.push(key));
    expect(visited).toEqual(model);
    expect([...dict.entries()].map(([key]) => key)).toEqual(model);
  });

  it('restarts cleanly after being emptied', () => {
    const dict = new Dict<number>();
    dict.set('a', 1);
    dict.delete('a');
    dict.set('b', 2);
    dict.set('c', 3);
    expect([...dict.keysIterator()]).toEqual(['b', 'c']);
  });
});
