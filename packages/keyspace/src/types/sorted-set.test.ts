import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { digestValue } from '../digest.js';
import { DEFAULT_ENCODING_LIMITS } from './encoding.js';
import { isEmptyLexRange, LexBound, type LexRange, type ScoreRange } from './skiplist.js';
import { SortedSetValue } from './sorted-set.js';

type Entry = [member: string, score: number];

const byOrder = (a: Entry, b: Entry): number => a[1] - b[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

/** The reference: a plain array kept sorted by (score, member). */
class Model {
  entries: Entry[] = [];
  set(member: string, score: number): boolean {
    const i = this.entries.findIndex((e) => e[0] === member);
    if (i !== -1) this.entries.splice(i, 1);
    this.entries.push([member, score]);
    this.entries.sort(byOrder);
    return i === -1;
  }
  delete(member: string): boolean {
    const i = this.entries.findIndex((e) => e[0] === member);
    if (i === -1) return false;
    this.entries.splice(i, 1);
    return true;
  }
  inRange(r: ScoreRange): Entry[] {
    return this.entries.filter(
      ([, s]) => (r.minExclusive ? s > r.min : s >= r.min) && (r.maxExclusive ? s < r.max : s <= r.max),
    );
  }
  inLexRange(r: LexRange): Entry[] {
    if (isEmptyLexRange(r)) return [];
    const gte = (m: string) =>
      r.minBound === LexBound.NegativeInfinity ? true : r.minBound === LexBound.PositiveInfinity ? false : r.minBound === LexBound.Inclusive ? m >= r.min : m > r.min;
    const lte = (m: string) =>
      r.maxBound === LexBound.PositiveInfinity ? true : r.maxBound === LexBound.NegativeInfinity ? false : r.maxBound === LexBound.Inclusive ? m <= r.max : m < r.max;
    return this.entries.filter(([m]) => gte(m) && lte(m));
  }
}

function walk(z: SortedSetValue, from: number, to: number): Entry[] {
  const out: Entry[] = [];
  if (from === 0) return out;
  for (let n = from; ; n = z.next(n)) {
    out.push([z.memberOf(n), z.scoreOf(n)]);
    if (n === to) break;
  }
  return out;
}

function all(z: SortedSetValue): Entry[] {
  return [...z.entries()];
}

const range = (min: number, max: number, minExclusive = false, maxExclusive = false): ScoreRange => ({ min, max, minExclusive, maxExclusive });
const lex = (min: string, minBound: LexBound, max: string, maxBound: LexBound): LexRange => ({ min, minBound, max, maxBound });

describe('SortedSetValue', () => {
  it('orders by score, then by member bytes', () => {
    const z = new SortedSetValue();
    expect(z.set('b', 1)).toBe(true);
    z.set('a', 1);
    z.set('\xff', 0);
    z.set('aa', 1);
    z.set('c', -Infinity);
    z.set('d', Infinity);
    expect(all(z)).toEqual([['c', -Infinity], ['\xff', 0], ['a', 1], ['aa', 1], ['b', 1], ['d', Infinity]]);
    expect(z.size).toBe(6);
    z.verify();
  });

  it('updates scores in place or by moving, keeping handles', () => {
    const z = new SortedSetValue();
    for (let i = 0; i < 50; i++) z.set(`m${i}`, i);
    const node = z.nodeOf('m10');
    expect(z.set('m10', 10.5)).toBe(false); // stays between m10's neighbours: in place
    expect(z.nodeOf('m10')).toBe(node);
    z.set('m10', 100); // moves to the end
    expect(z.nodeOf('m10')).toBe(node);
    expect(z.last()).toBe(node);
    expect(z.rank('m10')).toBe(49);
    expect(z.score('m10')).toBe(100);
    z.verify();
  });

  it('treats -0 as equal to 0 (no update), keeping what was stored', () => {
    const z = new SortedSetValue();
    z.set('a', -0);
    z.set('a', 0);
    expect(Object.is(z.score('a'), -0)).toBe(true);
  });

  it('ranks, by-rank, reverse ranks', () => {
    const z = new SortedSetValue();
    ['a', 'b', 'c', 'd'].forEach((m, i) => z.set(m, i * 10));
    expect(z.rank('a')).toBe(0);
    expect(z.rank('d')).toBe(3);
    expect(z.rank('d', true)).toBe(0);
    expect(z.rank('zz')).toBe(-1);
    expect(z.memberOf(z.at(2))).toBe('c');
    expect(z.at(4)).toBe(0);
    expect(z.at(-1)).toBe(0);
  });

  it('finds score ranges with open and infinite ends', () => {
    const z = new SortedSetValue();
    [1, 2, 3, 4, 5].forEach((s) => z.set(`m${s}`, s));
    expect(z.memberOf(z.firstInRange(range(2, 4)))).toBe('m2');
    expect(z.memberOf(z.lastInRange(range(2, 4)))).toBe('m4');
    expect(z.memberOf(z.firstInRange(range(2, 4, true, true)))).toBe('m3');
    expect(z.memberOf(z.lastInRange(range(2, 4, true, true)))).toBe('m3');
    expect(z.countInRange(range(-Infinity, Infinity))).toBe(5);
    expect(z.countInRange(range(3, 3, true))).toBe(0);
    expect(z.countInRange(range(6, 9))).toBe(0);
    expect(z.countInRange(range(3.5, 3.7))).toBe(0);
    expect(z.firstInRange(range(4, 2))).toBe(0);
  });

  it('finds lex ranges with [ ( - +', () => {
    const z = new SortedSetValue();
    ['a', 'b', 'c', 'd'].forEach((m) => z.set(m, 0));
    const { Inclusive: I, Exclusive: E, NegativeInfinity: N, PositiveInfinity: P } = LexBound;
    expect(z.countInLexRange(lex('', N, '', P))).toBe(4);
    expect(z.countInLexRange(lex('b', I, 'c', I))).toBe(2);
    expect(z.countInLexRange(lex('b', E, 'c', I))).toBe(1);
    expect(z.countInLexRange(lex('', P, '', N))).toBe(0);
    expect(z.countInLexRange(lex('', N, '', N))).toBe(0);
    expect(z.countInLexRange(lex('b', I, 'b', E))).toBe(0);
    expect(z.memberOf(z.lastInLexRange(lex('', N, 'c', E)))).toBe('b');
  });

  it('removes ranges by score, lex and rank, keeping the dict in step', () => {
    const z = new SortedSetValue();
    for (let i = 0; i < 100; i++) z.set(`m${String(i).padStart(3, '0')}`, i);
    expect(z.removeRangeByScore(range(10, 19))).toBe(10);
    expect(z.has('m015')).toBe(false);
    expect(z.removeRangeByRank(0, 4)).toBe(5);
    expect(z.memberOf(z.first())).toBe('m005');
    expect(z.removeRangeByRank(3, 2)).toBe(0);
    expect(z.size).toBe(85);
    z.verify();
    const w = new SortedSetValue();
    ['a', 'b', 'c', 'd'].forEach((m) => w.set(m, 0));
    expect(w.removeRangeByLex(lex('b', LexBound.Inclusive, '', LexBound.PositiveInfinity))).toBe(3);
    expect(all(w)).toEqual([['a', 0]]);
    w.verify();
  });

  it('reports listpack until a limit is exceeded, then skiplist for good', () => {
    const z = new SortedSetValue();
    const limits = { ...DEFAULT_ENCODING_LIMITS, zsetMaxListpackEntries: 3, zsetMaxListpackValue: 5 };
    z.set('a', 1);
    z.set('b', 2);
    z.set('c', 3);
    expect(z.encoding(limits)).toBe('listpack');
    expect(z.isCompactWith('d', 3, 5)).toBe(false);
    expect(z.isCompactWith('a', 3, 5)).toBe(true);
    z.set('d', 4);
    expect(z.encoding(limits)).toBe('skiplist');
    z.delete('d');
    z.delete('c');
    expect(z.encoding(limits)).toBe('skiplist');
    const w = new SortedSetValue();
    w.set('123456', 1);
    expect(w.encoding(limits)).toBe('skiplist');
  });

  it('clones deeply, encoding marks included', () => {
    const z = new SortedSetValue();
    for (let i = 0; i < 200; i++) z.set(`m${i}`, i % 7);
    const c = z.clone();
    z.set('m1', 99);
    z.delete('m2');
    expect(c.score('m1')).toBe(1);
    expect(c.has('m2')).toBe(true);
    expect(c.size).toBe(200);
    expect(c.encoding(DEFAULT_ENCODING_LIMITS)).toBe('skiplist');
    c.verify();
    c.set('new', 3);
    c.verify();
    z.verify();
  });

  it('gives back memory when it shrinks far below its peak', () => {
    const z = new SortedSetValue();
    for (let i = 0; i < 10_000; i++) z.set(`m${i}`, i);
    expect(z.capacity).toBeGreaterThan(10_000);
    for (let i = 0; i < 8_000; i++) z.delete(`m${i}`);
    expect(z.capacity).toBeGreaterThan(10_000); // 2000 live: not yet below 1/8
    z.removeRangeByScore(range(8_000, 9_899));
    expect(z.size).toBe(100);
    expect(z.capacity).toBeLessThan(200);
    z.verify();
    expect(z.memberOf(z.first())).toBe('m9900');
    expect(z.score('m9999')).toBe(9999);
    expect(z.rank('m9950')).toBe(50);
    z.set('again', -1);
    z.verify();
  });

  it('scans every member with a cursor and picks random members', () => {
    const z = new SortedSetValue();
    for (let i = 0; i < 1000; i++) z.set(`m${i}`, i);
    const seen = new Map<string, number>();
    let cursor = 0;
    do {
      cursor = z.scan(cursor, 10, (m, s) => seen.set(m, s));
    } while (cursor !== 0);
    expect(seen.size).toBe(1000);
    expect(seen.get('m7')).toBe(7);
    for (let i = 0; i < 100; i++) expect(z.has(z.memberOf(z.randomNode()))).toBe(true);
    expect(new SortedSetValue().randomNode()).toBe(0);
  });

  it('digests like an equivalent view', () => {
    const z = new SortedSetValue();
    z.set('a', 1.5);
    z.set('b', -2);
    expect(digestValue(z)).toBe(digestValue({ type: 'zset', entries: [['b', -2], ['a', 1.5]] }));
  });

  it('stays fast and correct at a million members', () => {
    const z = new SortedSetValue();
    const n = 1_000_000;
    const started = performance.now();
    for (let i = 0; i < n; i++) z.set(`member:${i}`, (i * 7919) % n);
    const built = performance.now() - started;
    expect(z.size).toBe(n);
    const t = performance.now();
    for (let i = 0; i < 10_000; i++) {
      const m = `member:${(i * 104729) % n}`;
      z.rank(m);
      z.at((i * 31) % n);
      z.countInRange(range(i, i + 1000));
    }
    const queries = performance.now() - t;
    expect(z.rank('member:0')).toBe(0);
    expect(z.memberOf(z.at(n - 1))).toBe(`member:${findScoreOwner(n - 1, n)}`);
    // Generous bounds: only an O(n)-per-operation regression blows them.
    expect(built).toBeLessThan(15_000);
    expect(queries).toBeLessThan(2_000);
  }, 60_000);
});

/** The i with (i * 7919) % n === score (7919 is prime, so exactly one). */
function findScoreOwner(score: number, n: number): number {
  for (let i = 0; i < n; i++) if ((i * 7919) % n === score) return i;
  return -1;
}

describe('SortedSetValue against a sorted-array model', () => {
  const member = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'ab', '', '\xff', 'a\x00');
  const score = fc.oneof(fc.integer({ min: -5, max: 5 }), fc.constantFrom(-Infinity, Infinity, 0.5, -0));
  const bound = fc.record({ value: score, exclusive: fc.boolean() });
  const lexBound = fc.record({ text: member, kind: fc.constantFrom(LexBound.Inclusive, LexBound.Exclusive, LexBound.NegativeInfinity, LexBound.PositiveInfinity) });
  const op = fc.oneof(
    { weight: 6, arbitrary: fc.tuple(fc.constant('set' as const), member, score) },
    { weight: 2, arbitrary: fc.tuple(fc.constant('delete' as const), member) },
    { weight: 1, arbitrary: fc.tuple(fc.constant('removeScore' as const), bound, bound) },
    { weight: 1, arbitrary: fc.tuple(fc.constant('removeRank' as const), fc.integer({ min: -1, max: 12 }), fc.integer({ min: -1, max: 12 })) },
    { weight: 1, arbitrary: fc.tuple(fc.constant('removeLex' as const), lexBound, lexBound) },
  );

  it('agrees on contents, ranks, score ranges and lex ranges after any operations', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), fc.array(fc.tuple(bound, bound, lexBound, lexBound), { minLength: 3, maxLength: 3 }), (ops, queries) => {
        const z = new SortedSetValue();
        const model = new Model();
        for (const o of ops) {
          if (o[0] === 'set') expect(z.set(o[1], o[2])).toBe(model.set(o[1], o[2]));
          else if (o[0] === 'delete') expect(z.delete(o[1])).toBe(model.delete(o[1]));
          else if (o[0] === 'removeScore') {
            const r = range(o[1].value, o[2].value, o[1].exclusive, o[2].exclusive);
            const expected = model.inRange(r);
            expect(z.removeRangeByScore(r)).toBe(expected.length);
            for (const [m] of expected) model.delete(m);
          } else if (o[0] === 'removeRank') {
            const [start, end] = [o[1], o[2]];
            const valid = start <= end && start >= 0 && end < model.entries.length;
            const expected = valid ? model.entries.slice(start, end + 1) : [];
            expect(z.removeRangeByRank(start, end)).toBe(expected.length);
            for (const [m] of expected) model.delete(m);
          } else {
            // Lex ranges are defined over equal scores: compare on a same-score copy.
            const r = lex(o[1].text, o[1].kind, o[2].text, o[2].kind);
            const flat = new SortedSetValue();
            const flatModel = new Model();
            for (const [m] of model.entries) {
              flat.set(m, 0);
              flatModel.set(m, 0);
            }
            expect(flat.removeRangeByLex(r)).toBe(flatModel.inLexRange(r).length);
            flat.verify();
          }
          z.verify();
        }
        expect(all(z).map(([m, s]) => [m, s === 0 ? 0 : s])).toEqual(model.entries.map(([m, s]) => [m, s === 0 ? 0 : s]));
        model.entries.forEach(([m], i) => {
          expect(z.rank(m)).toBe(i);
          expect(z.rank(m, true)).toBe(model.entries.length - 1 - i);
          expect(z.memberOf(z.at(i))).toBe(m);
        });
        for (const [lo, hi, llo, lhi] of queries) {
          const r = range(lo.value, hi.value, lo.exclusive, hi.exclusive);
          const expected = model.inRange(r);
          expect(z.countInRange(r)).toBe(expected.length);
          expect(walk(z, z.firstInRange(r), z.lastInRange(r)).map((e) => e[0])).toEqual(expected.map((e) => e[0]));
          const lr = lex(llo.text, llo.kind, lhi.text, lhi.kind);
          const flat = new SortedSetValue();
          const flatModel = new Model();
          for (const [m] of model.entries) {
            flat.set(m, 1);
            flatModel.set(m, 1);
          }
          const lexExpected = flatModel.inLexRange(lr);
          expect(flat.countInLexRange(lr)).toBe(lexExpected.length);
          expect(walk(flat, flat.firstInLexRange(lr), flat.lastInLexRange(lr)).map((e) => e[0])).toEqual(lexExpected.map((e) => e[0]));
        }
      }),
      { numRuns: 400 },
    );
  });
});
