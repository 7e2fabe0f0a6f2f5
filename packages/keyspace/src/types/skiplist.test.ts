import { describe, expect, it } from 'vitest';
import { isEmptyLexRange, isEmptyScoreRange, LexBound, SkipList } from './skiplist.js';

/* The skip list on its own; SortedSetValue's tests (with a model) cover it through the set. */

const { Inclusive: I, Exclusive: E, NegativeInfinity: N, PositiveInfinity: P } = LexBound;

describe('SkipList', () => {
  it('keeps every invariant through heavy churn, growing and trimming its levels', () => {
    const list = new SkipList();
    const nodes = new Map<string, number>();
    for (let i = 0; i < 5000; i++) nodes.set(`m${i}`, list.insert(i % 97, `m${i}`));
    list.verify();
    expect(list.size).toBe(5000);
    let i = 0;
    for (const [member, node] of nodes) {
      if (i++ % 3 === 0) {
        list.remove(node);
        nodes.delete(member);
      } else if (i % 5 === 0) {
        list.updateScore(node, -i);
      }
    }
    list.verify();
    expect(list.size).toBe(nodes.size);
    for (const node of nodes.values()) list.remove(node);
    list.verify();
    expect(list.size).toBe(0);
    expect(list.first()).toBe(0);
    expect(list.last()).toBe(0);
    // Freed nodes and link blocks are reused, not appended.
    const capacity = list.capacity;
    for (let j = 0; j < 1000; j++) list.insert(j, `again${j}`);
    expect(list.capacity).toBe(capacity);
    list.verify();
  });

  it('walks both ways and finds by rank', () => {
    const list = new SkipList();
    for (const [score, member] of [[2, 'b'], [1, 'a'], [3, 'c']] as const) list.insert(score, member);
    const forward: string[] = [];
    for (let n = list.first(); n !== 0; n = list.nextOf(n)) forward.push(list.memberOf(n));
    const backward: string[] = [];
    for (let n = list.last(); n !== 0; n = list.prevOf(n)) backward.push(list.memberOf(n));
    expect(forward).toEqual(['a', 'b', 'c']);
    expect(backward).toEqual(['c', 'b', 'a']);
    expect(list.memberOf(list.at(2))).toBe('b');
    expect(list.at(0)).toBe(0);
    expect(list.at(4)).toBe(0);
    expect(list.rank(3, 'c')).toBe(3);
    expect(list.rank(3, 'x')).toBe(0);
    expect(list.rank(2, 'c')).toBe(0); // the score is part of the key
  });

  it('copies with identical handles', () => {
    const list = new SkipList();
    const a = list.insert(1, 'a');
    list.insert(2, 'b');
    const copy = list.clone();
    list.remove(a);
    expect(copy.memberOf(a)).toBe('a');
    expect(copy.size).toBe(2);
    copy.verify();
    list.verify();
  });
});

describe('range emptiness', () => {
  it('score ranges', () => {
    const r = (min: number, max: number, minExclusive = false, maxExclusive = false) => ({ min, max, minExclusive, maxExclusive });
    expect(isEmptyScoreRange(r(1, 2))).toBe(false);
    expect(isEmptyScoreRange(r(2, 2))).toBe(false);
    expect(isEmptyScoreRange(r(2, 2, true))).toBe(true);
    expect(isEmptyScoreRange(r(2, 2, false, true))).toBe(true);
    expect(isEmptyScoreRange(r(3, 2))).toBe(true);
    expect(isEmptyScoreRange(r(-Infinity, Infinity))).toBe(false);
  });

  it('lex ranges treat - and + as open ends below and above every string', () => {
    const r = (min: string, minBound: LexBound, max: string, maxBound: LexBound) => ({ min, minBound, max, maxBound });
    expect(isEmptyLexRange(r('', N, '', P))).toBe(false);
    expect(isEmptyLexRange(r('', N, '', N))).toBe(true);
    expect(isEmptyLexRange(r('', P, '', P))).toBe(true);
    expect(isEmptyLexRange(r('', P, '', N))).toBe(true);
    expect(isEmptyLexRange(r('a', I, '', N))).toBe(true);
    expect(isEmptyLexRange(r('a', I, '', P))).toBe(false);
    expect(isEmptyLexRange(r('a', I, 'a', I))).toBe(false);
    expect(isEmptyLexRange(r('a', E, 'a', I))).toBe(true);
    expect(isEmptyLexRange(r('b', I, 'a', I))).toBe(true);
  });
});
