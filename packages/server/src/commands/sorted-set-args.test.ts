import { LexBound } from '@aki/keyspace';
import { describe, expect, it } from 'vitest';
import { compactScoreText, parseLexRange, parseScore, parseScoreRange, strtod } from './sorted-set-args.js';

/* Score and range parsing; the accepted and refused forms were checked against redis-server 7.0.15. */

describe('parseScore (getDoubleFromObject over strtod)', () => {
  it.each([
    ['1', 1],
    ['-1.5', -1.5],
    ['+.5e+1', 5],
    ['.5', 0.5],
    ['5.', 5],
    ['1e3', 1000],
    ['1E-3', 0.001],
    ['0x10', 16],
    ['0x1.8p1', 3],
    ['0X.8', 0.5],
    ['-0x1p-2', -0.25],
    ['inf', Infinity],
    ['+inf', Infinity],
    ['-Inf', -Infinity],
    ['infinity', Infinity],
    ['-INFINITY', -Infinity],
    ['0e-400', 0],
    ['4e-320', 4e-320],
    ['-0', -0],
    ['00012', 12],
  ])('reads %j', (text, value) => {
    expect(Object.is(parseScore(text), value)).toBe(true);
  });

  it.each(['', ' 1', '1 ', 'abc', 'nan', 'NaN', '-nan', 'nan(123)', '1e400', '-1e400', '1e-400', '0x', '1e', '1e+', 'in', 'infin', '1.2.3', '--1', '1\x00', '0x1p'])(
    'refuses %j',
    (text) => {
      expect(parseScore(text)).toBeUndefined();
    },
  );

  it('stops where C strtod stops', () => {
    strtod('12abc', 0);
    expect(strtod('12abc', 0)).toBe(12);
    expect(strtod('0x', 0)).toBe(0);
    expect(strtod('  -7', 0)).toBe(-7);
  });
});

describe('parseScoreRange (zslParseRange)', () => {
  it('reads inclusive and exclusive ends, infinities, and what strtod tolerates', () => {
    expect(parseScoreRange('1', '(2')).toEqual({ min: 1, max: 2, minExclusive: false, maxExclusive: true });
    expect(parseScoreRange('-inf', '+inf')).toEqual({ min: -Infinity, max: Infinity, minExclusive: false, maxExclusive: false });
    expect(parseScoreRange('', '(')).toEqual({ min: 0, max: 0, minExclusive: false, maxExclusive: true });
    expect(parseScoreRange(' 1', '( 2')).toEqual({ min: 1, max: 2, minExclusive: false, maxExclusive: true });
    expect(parseScoreRange('1e400', '1')).toEqual({ min: Infinity, max: 1, minExclusive: false, maxExclusive: false });
    expect(parseScoreRange('1\x00junk', '2')?.min).toBe(1);
  });

  it.each([
    ['1 ', '2'],
    ['nan', '1'],
    ['(nan', '1'],
    ['1', 'x'],
    ['a', 'b'],
  ])('refuses %j %j', (min, max) => {
    expect(parseScoreRange(min, max)).toBeUndefined();
  });
});

describe('parseLexRange', () => {
  it('reads [ ( - +', () => {
    expect(parseLexRange('[a', '(b')).toEqual({ min: 'a', minBound: LexBound.Inclusive, max: 'b', maxBound: LexBound.Exclusive });
    expect(parseLexRange('-', '+')).toMatchObject({ minBound: LexBound.NegativeInfinity, maxBound: LexBound.PositiveInfinity });
    expect(parseLexRange('[', '(')).toEqual({ min: '', minBound: LexBound.Inclusive, max: '', maxBound: LexBound.Exclusive });
  });

  it.each([
    ['a', '+'],
    ['', '+'],
    ['-a', '+'],
    ['-', '+b'],
    ['[a', 'b'],
  ])('refuses %j %j', (min, max) => {
    expect(parseLexRange(min, max)).toBeUndefined();
  });
});

describe('compactScoreText (a listpack stores integral scores as integers)', () => {
  it.each([
    [1.5, '1.5'],
    [-0, '0'],
    [123456789012345678, '123456789012345680'],
    [4611686018427387904, '4611686018427387904'],
    [-4611686018427387904, '-4611686018427387904'],
    [4.7e18, '4.7e+18'],
    [1e300, '1.0000000000000001e+300'],
    [Infinity, 'inf'],
    [0.1, '0.10000000000000001'],
  ])('prints %d as %s', (score, text) => {
    expect(compactScoreText(score)).toBe(text);
  });
});
