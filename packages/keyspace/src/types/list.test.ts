import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { digestValue } from '../digest.js';
import { DEFAULT_ENCODING_LIMITS } from './encoding.js';
import { ListValue, listpackEntryBytes } from './list.js';

const limits = DEFAULT_ENCODING_LIMITS;

describe('ListValue as a deque', () => {
  it('pushes and pops at both ends, wrapping around the ring', () => {
    const list = new ListValue();
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 10; i++) {
        list.pushTail(`t${i}`);
        list.pushHead(`h${i}`);
      }
      expect(list.size).toBe(20);
      expect(list.at(0)).toBe('h9');
      expect(list.at(19)).toBe('t9');
      expect(list.at(-1)).toBe('t9');
      expect(list.at(-20)).toBe('h9');
      expect(list.at(20)).toBeUndefined();
      expect(list.at(-21)).toBeUndefined();
      for (let i = 9; i >= 0; i--) expect(list.popHead()).toBe(`h${i}`);
      for (let i = 9; i >= 0; i--) expect(list.popTail()).toBe(`t${i}`);
      expect(list.size).toBe(0);
      expect(list.popHead()).toBeUndefined();
      expect(list.popTail()).toBeUndefined();
    }
  });

  it('keeps binary strings intact', () => {
    const value = '\x00\xff\r\n';
    const list = ListValue.from([value, '']);
    expect(list.toArray()).toEqual([value, '']);
  });

  it('sets by index, negative from the tail, refusing out of range', () => {
    const list = ListValue.from(['a', 'b', 'c']);
    expect(list.set(0, 'A')).toBe(true);
    expect(list.set(-1, 'C')).toBe(true);
    expect(list.set(3, 'x')).toBe(false);
    expect(list.set(-4, 'x')).toBe(false);
    expect(list.toArray()).toEqual(['A', 'b', 'C']);
  });

  it('inserts anywhere, moving the shorter side', () => {
    const list = ListValue.from(['a', 'b', 'c', 'd', 'e']);
    list.insert(1, 'x'); // head side moves
    list.insert(5, 'y'); // tail side moves
    list.insert(0, 'first');
    list.insert(list.size, 'last');
    expect(list.toArray()).toEqual(['first', 'a', 'x', 'b', 'c', 'd', 'y', 'e', 'last']);
  });

  it('finds the first match from the head', () => {
    const list = ListValue.from(['a', 'b', 'a']);
    expect(list.indexOf('a')).toBe(0);
    expect(list.indexOf('b')).toBe(1);
    expect(list.indexOf('z')).toBe(-1);
  });

  it('removes matches from the head, from the tail, or all', () => {
    const make = () => ListValue.from(['a', 'b', 'a', 'c', 'a', 'b']);
    let list = make();
    expect(list.removeMatching('a', 2, false)).toBe(2);
    expect(list.toArray()).toEqual(['b', 'c', 'a', 'b']);
    list = make();
    expect(list.removeMatching('a', 2, true)).toBe(2);
    expect(list.toArray()).toEqual(['a', 'b', 'c', 'b']);
    list = make();
    expect(list.removeMatching('a', 0, false)).toBe(3);
    expect(list.toArray()).toEqual(['b', 'c', 'b']);
    expect(list.removeMatching('zz', 0, true)).toBe(0);
    expect(list.removeMatching('b', 0, true)).toBe(2);
    expect(list.toArray()).toEqual(['c']);
  });

  it('removes runs from either end', () => {
    const list = ListValue.from(['a', 'b', 'c', 'd', 'e', 'f']);
    list.removeHead(2);
    list.removeTail(1);
    expect(list.toArray()).toEqual(['c', 'd', 'e']);
    list.removeTail(10);
    expect(list.size).toBe(0);
    list.pushTail('again');
    expect(list.toArray()).toEqual(['again']);
  });

  it('clones deeply, keeping the encoding', () => {
    const list = ListValue.from(['a', 'b']);
    list.growEncoding(1, 1, 1);
    const copy = list.clone();
    copy.pushTail('c');
    list.popHead();
    expect(copy.toArray()).toEqual(['a', 'b', 'c']);
    expect(list.toArray()).toEqual(['b']);
    expect(copy.encoding(limits)).toBe('quicklist');
  });

  it('presents its elements to the digest in order', () => {
    const list = ListValue.from(['x', '1', '']);
    expect([...(list.digestView() as { elements: Iterable<string> }).elements]).toEqual(['x', '1', '']);
    expect(digestValue(list)).toBe(digestValue({ type: 'list', elements: ['x', '1', ''] }));
    expect(digestValue(list)).not.toBe(digestValue({ type: 'list', elements: ['1', 'x', ''] }));
  });

  it('stays O(1) at the ends and by index with a million elements', () => {
    const list = new ListValue();
    for (let i = 0; i < 1_000_000; i++) list.pushTail(String(i));
    const started = performance.now();
    for (let i = 0; i < 100_000; i++) {
      list.pushHead('h');
      list.popTail();
      list.at(500_000);
      list.at(-1);
    }
    // An O(n) step would take minutes here; the bound is loose for slow machines.
    expect(performance.now() - started).toBeLessThan(1000);
    expect(list.size).toBe(1_000_000);
    expect(list.at(0)).toBe('h');
    expect(list.at(100_000)).toBe('0');
    // Trimming a big list costs only the removed part, and the ring shrinks with it.
    list.removeHead(999_990);
    expect(list.toArray()).toEqual(['899990', '899991', '899992', '899993', '899994', '899995', '899996', '899997', '899998', '899999']);
  });

  it('behaves like an array under random operations (model test)', () => {
    type Op =
      | { op: 'pushHead' | 'pushTail'; value: string }
      | { op: 'popHead' | 'popTail' }
      | { op: 'set'; index: number; value: string }
      | { op: 'insert'; index: number; value: string }
      | { op: 'removeMatching'; value: string; limit: number; fromTail: boolean }
      | { op: 'removeHead' | 'removeTail'; n: number }
      | { op: 'clone' };
    const value = fc.constantFrom('a', 'b', 'c', '1', '');
    const op: fc.Arbitrary<Op> = fc.oneof(
      { arbitrary: fc.record({ op: fc.constantFrom('pushHead' as const, 'pushTail' as const), value }), weight: 6 },
      fc.record({ op: fc.constantFrom('popHead' as const, 'popTail' as const) }),
      fc.record({ op: fc.constant('set' as const), index: fc.integer({ min: -12, max: 12 }), value }),
      fc.record({ op: fc.constant('insert' as const), index: fc.integer({ min: 0, max: 40 }), value }),
      fc.record({ op: fc.constant('removeMatching' as const), value, limit: fc.integer({ min: 0, max: 3 }), fromTail: fc.boolean() }),
      fc.record({ op: fc.constantFrom('removeHead' as const, 'removeTail' as const), n: fc.integer({ min: 0, max: 6 }) }),
      fc.record({ op: fc.constant('clone' as const) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        let list = new ListValue();
        const model: string[] = [];
        for (const step of ops) {
          switch (step.op) {
            case 'pushHead':
              list.pushHead(step.value);
              model.unshift(step.value);
              break;
            case 'pushTail':
              list.pushTail(step.value);
              model.push(step.value);
              break;
            case 'popHead':
              expect(list.popHead()).toBe(model.shift());
              break;
            case 'popTail':
              expect(list.popTail()).toBe(model.pop());
              break;
            case 'set': {
              const i = step.index < 0 ? step.index + model.length : step.index;
              const inRange = i >= 0 && i < model.length;
              expect(list.set(step.index, step.value)).toBe(inRange);
              if (inRange) model[i] = step.value;
              break;
            }
            case 'insert': {
              const i = Math.min(step.index, model.length);
              list.insert(i, step.value);
              model.splice(i, 0, step.value);
              break;
            }
            case 'removeMatching': {
              const max = step.limit === 0 ? Infinity : step.limit;
              let removed = 0;
              const order = model.map((_, i) => i);
              if (step.fromTail) order.reverse();
              const drop = new Set<number>();
              for (const i of order) if (removed < max && model[i] === step.value) drop.add(i), removed++;
              expect(list.removeMatching(step.value, step.limit, step.fromTail)).toBe(removed);
              model.splice(0, model.length, ...model.filter((_, i) => !drop.has(i)));
              break;
            }
            case 'removeHead':
              list.removeHead(step.n);
              model.splice(0, step.n);
              break;
            case 'removeTail':
              list.removeTail(step.n);
              model.splice(Math.max(0, model.length - step.n), step.n);
              break;
            case 'clone':
              list = list.clone();
              break;
          }
          expect(list.size).toBe(model.length);
        }
        expect(list.toArray()).toEqual(model);
        for (let i = -model.length - 1; i <= model.length; i++) expect(list.at(i)).toBe(model.at(i));
        // The listpack byte count follows every operation exactly.
        const fresh = ListValue.from(model);
        fresh.settleEncoding(1);
        list.settleEncoding(1);
        expect(list.encoding(limits)).toBe(fresh.encoding(limits));
        const bytes = 7 + model.reduce((sum, v) => sum + listpackEntryBytes(v), 0);
        list.settleEncoding(-1);
        expect(list.encoding(limits)).toBe(bytes > 4096 ? 'quicklist' : 'listpack');
      }),
      { numRuns: 300 },
    );
  });
});

describe('listpack entry sizes (checked against Redis 7.0 quicklist node sizes)', () => {
  it.each([
    ['a', 3],
    ['', 2],
    ['1', 2],
    ['127', 2],
    ['128', 3],
    ['-1', 3],
    ['-4096', 3],
    ['4095', 3],
    ['4096', 4],
    ['-32768', 4],
    ['32767', 4],
    ['32768', 5],
    ['8388607', 5],
    ['8388608', 6],
    ['2147483647', 6],
    ['-2147483648', 6],
    ['2147483648', 10],
    ['9223372036854775807', 10],
    ['-9223372036854775808', 10],
    ['9223372036854775808', 21],
    ['-0', 4],
    ['01', 4],
    ['x'.repeat(63), 65],
    ['x'.repeat(64), 67],
    ['x'.repeat(126), 130],
    ['x'.repeat(127), 131],
    ['x'.repeat(4095), 4099],
    ['x'.repeat(4096), 4103],
  ])('%j takes %d bytes', (value, bytes) => {
    expect(listpackEntryBytes(value)).toBe(bytes);
  });
});

describe('encoding (Redis 7.2 listpack / quicklist)', () => {
  /** A list of `n` one-byte strings, grown the way LPUSH grows it. */
  function grown(n: number, fill: number): ListValue {
    const list = new ListValue();
    for (let i = 0; i < n; i++) {
      list.growEncoding(fill, 1, 1);
      list.pushTail('x');
    }
    return list;
  }

  it('starts as a listpack and converts when a write exceeds a positive entry limit', () => {
    expect(grown(128, 128).encoding(limits)).toBe('listpack');
    expect(grown(129, 128).encoding(limits)).toBe('quicklist');
    expect(grown(1, 0).encoding(limits)).toBe('listpack');
    expect(grown(2, 0).encoding(limits)).toBe('quicklist');
  });

  it('counts the bytes the new elements add, before adding them (negative limits)', () => {
    // Empty listpack 7 bytes; each 'x' entry 3 bytes; the check adds raw lengths (1 byte each).
    const fill = -1; // 4096 bytes
    const list = new ListValue();
    list.growEncoding(fill, 4089, 1);
    expect(list.encoding(limits)).toBe('listpack');
    list.growEncoding(fill, 4090, 1);
    expect(list.encoding(limits)).toBe('quicklist');
    const big = new ListValue();
    big.growEncoding(-2, 8000, 1);
    big.pushTail('y'.repeat(8000));
    expect(big.encoding(limits)).toBe('listpack');
    big.growEncoding(-2, 200, 1);
    expect(big.encoding(limits)).toBe('quicklist');
  });

  it('caps positive limits at 8 KiB, as Redis does', () => {
    const list = new ListValue();
    list.growEncoding(1000, 8186, 1);
    expect(list.encoding(limits)).toBe('quicklist');
  });

  it('returns to a listpack only when a removal leaves it at half the limit', () => {
    const list = grown(129, 128);
    list.removeTail(64); // 65 left
    list.shrinkEncoding(128);
    expect(list.encoding(limits)).toBe('quicklist');
    list.popTail(); // 64 left
    list.shrinkEncoding(128);
    expect(list.encoding(limits)).toBe('listpack');

    const bytes = new ListValue();
    bytes.growEncoding(-2, 9000, 1);
    bytes.pushTail('z'.repeat(9000));
    bytes.growEncoding(-2, 1, 1);
    bytes.pushTail('a');
    expect(bytes.encoding(limits)).toBe('quicklist');
    bytes.popTail();
    bytes.shrinkEncoding(-2);
    expect(bytes.encoding(limits)).toBe('quicklist');
    bytes.set(0, 'z'.repeat(4000));
    bytes.shrinkEncoding(-2);
    expect(bytes.encoding(limits)).toBe('listpack');
  });

  it('is a state of the writes: the limits passed to encoding() change nothing', () => {
    const list = grown(10, 5);
    expect(list.encoding({ ...limits, listMaxListpackSize: 1000 })).toBe('quicklist');
  });

  it('settles a list built wholesale against the full limit', () => {
    const list = ListValue.from(Array.from({ length: 200 }, () => 'v'));
    expect(list.encoding(limits)).toBe('listpack');
    list.settleEncoding(128);
    expect(list.encoding(limits)).toBe('quicklist');
    list.settleEncoding(-2);
    expect(list.encoding(limits)).toBe('listpack');
  });
});
