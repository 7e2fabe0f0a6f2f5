import type { SortedSetValue } from '@aki/keyspace';
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { Harness, ReplyError, type TestClient } from '../testing/harness.js';

/*
 * Sorted set commands through the in-process harness. Replies, error texts
 * and their order were checked against redis-server 7.0.15 (RESP2 and RESP3
 * shapes); ZRANK WITHSCORE and ZADD's up-front conversion follow Redis 7.2.
 * The effect stream is asserted exactly; `effects()` drops the SELECT the
 * stream starts with.
 */

const err = (message: string) => new ReplyError(message);
const WRONGTYPE = err('WRONGTYPE Operation against a key holding the wrong kind of value');
const SYNTAX = err('ERR syntax error');
const NOT_INTEGER = err('ERR value is not an integer or out of range');
const NOT_FLOAT = err('ERR value is not a valid float');
const SCORE_RANGE = err('ERR min or max is not a float');
const LEX_RANGE = err('ERR min or max not valid string range item');
const arity = (name: string) => err(`ERR wrong number of arguments for '${name}' command`);

let h: Harness;
let c: TestClient;
const effects = () => h.takeEffects().filter((argv) => argv[0] !== 'SELECT');
const all = (key: string) => c.call('ZRANGE', key, '0', '-1', 'WITHSCORES');

/** A client of `h` speaking RESP3. */
function resp3(): TestClient {
  const client = h.connect();
  client.call('HELLO', '3');
  return client;
}

beforeEach(() => {
  h = new Harness();
  c = h.connect();
});

describe('ZADD', () => {
  it('adds members, orders by score then member bytes, and propagates what changed', () => {
    expect(c.call('zadd', 'k', '2', 'b', '1', 'a', '1', 'aa', '-inf', '\xff', '+inf', '')).toBe(5);
    expect(all('k')).toEqual(['\xff', '-inf', 'a', '1', 'aa', '1', 'b', '2', '', 'inf']);
    expect(c.call('ZADD', 'k', '2', 'b', '3', 'c')).toBe(1);
    expect(c.call('ZADD', 'k', '2', 'b')).toBe(0);
    expect(effects()).toEqual([
      ['ZADD', 'k', '2', 'b', '1', 'a', '1', 'aa', '-inf', '\xff', '+inf', ''],
      ['ZADD', 'k', '3', 'c'],
    ]);
  });

  it('counts changes with CH and keeps the score text of the request in the effect', () => {
    c.call('ZADD', 'k', '1', 'a', '2', 'b');
    h.takeEffects();
    expect(c.call('ZADD', 'k', 'CH', '1', 'a', '2.50', 'b', '3', 'c')).toBe(2);
    expect(effects()).toEqual([['ZADD', 'k', '2.50', 'b', '3', 'c']]);
    expect(c.call('ZSCORE', 'k', 'b')).toBe('2.5');
  });

  it('NX adds only, XX updates only, GT / LT update only upward / downward but still add', () => {
    c.call('ZADD', 'k', '5', 'a', '5', 'b');
    h.takeEffects();
    expect(c.call('ZADD', 'k', 'NX', '1', 'a', '1', 'n')).toBe(1);
    expect(c.call('ZADD', 'k', 'XX', 'CH', '9', 'a', '1', 'x')).toBe(1);
    expect(c.call('ZADD', 'k', 'GT', 'CH', '1', 'b', '7', 'g')).toBe(1);
    expect(c.call('ZADD', 'k', 'gt', 'ch', '6', 'b')).toBe(1);
    expect(c.call('ZADD', 'k', 'LT', 'CH', '8', 'b', '2', 'l')).toBe(1);
    expect(c.call('ZADD', 'k', 'XX', 'LT', 'CH', '0', 'a', '0', 'zz')).toBe(1);
    expect(all('k')).toEqual(['a', '0', 'n', '1', 'l', '2', 'b', '6', 'g', '7']);
    expect(effects()).toEqual([
      ['ZADD', 'k', '1', 'n'],
      ['ZADD', 'k', '9', 'a'],
      ['ZADD', 'k', '7', 'g'],
      ['ZADD', 'k', '6', 'b'],
      ['ZADD', 'k', '2', 'l'],
      ['ZADD', 'k', '0', 'a'],
    ]);
  });

  it('INCR replies the new score, null when a condition prevented it, and propagates ZADD of the result', () => {
    expect(c.call('ZADD', 'k', 'INCR', '1.5', 'a')).toBe('1.5');
    expect(c.call('ZADD', 'k', 'INCR', '2', 'a')).toBe('3.5');
    expect(c.call('ZADD', 'k', 'NX', 'INCR', '1', 'a')).toBeNull();
    expect(c.call('ZADD', 'k', 'GT', 'INCR', '-1', 'a')).toBeNull();
    expect(c.call('ZADD', 'k', 'XX', 'INCR', '1', 'nope')).toBeNull();
    expect(c.call('ZADD', 'k', 'INCR', '0', 'a')).toBe('3.5'); // processed, unchanged: no effect
    expect(c.call('ZADD', 'k', 'INCR', '+inf', 'a')).toBe('inf');
    expect(c.call('ZADD', 'k', 'INCR', '-inf', 'a')).toEqual(err('ERR resulting score is not a number (NaN)'));
    expect(c.call('ZADD', 'k', 'INCR', '0.1', 'b')).toBe('0.10000000000000001');
    expect(effects()).toEqual([
      ['ZADD', 'k', '1.5', 'a'],
      ['ZADD', 'k', '3.5', 'a'],
      ['ZADD', 'k', 'inf', 'a'],
      ['ZADD', 'k', '0.10000000000000001', 'b'],
    ]);
    expect(c.callBytes('ZADD', 'k', 'NX', 'INCR', '1', 'a')).toBe('$-1\r\n');
    const c3 = resp3();
    expect(c3.callBytes('ZADD', 'k', 'INCR', '1', 'b')).toBe(',1.1000000000000001\r\n');
    expect(c3.callBytes('ZADD', 'k', 'NX', 'INCR', '1', 'a')).toBe('_\r\n');
  });

  it('accepts what strtod reads as a score and refuses the rest', () => {
    expect(c.call('ZADD', 'k', '0x10', 'h', '1e2', 'e', '.5', 'p', '-Infinity', 'i', '0e-400', 'z')).toBe(5);
    expect(all('k')).toEqual(['i', '-inf', 'z', '0', 'p', '0.5', 'h', '16', 'e', '100']);
    for (const bad of ['abc', 'nan', '', ' 1', '1 ', '1e400', '1e-400', '0x']) {
      expect(c.call('ZADD', 'k', bad, 'x')).toEqual(NOT_FLOAT);
    }
    expect(c.call('ZSCORE', 'k', 'x')).toBeNull();
  });

  it('replies Redis errors in Redis order, writing nothing', () => {
    c.call('SET', 's', 'v');
    expect(c.call('ZADD', 'k', '1')).toEqual(arity('zadd'));
    expect(c.call('ZADD', 'k', 'nx', '1')).toEqual(SYNTAX);
    expect(c.call('ZADD', 'k', '1', 'a', '2')).toEqual(SYNTAX);
    expect(c.call('ZADD', 'k', 'ch', 'incr', 'xx')).toEqual(SYNTAX);
    expect(c.call('ZADD', 'k', 'NX', 'XX', '1', 'a')).toEqual(err('ERR XX and NX options at the same time are not compatible'));
    const gtLtNx = err('ERR GT, LT, and/or NX options at the same time are not compatible');
    expect(c.call('ZADD', 'k', 'NX', 'GT', '1', 'a')).toEqual(gtLtNx);
    expect(c.call('ZADD', 'k', 'LT', 'NX', '1', 'a')).toEqual(gtLtNx);
    expect(c.call('ZADD', 'k', 'GT', 'LT', '1', 'a')).toEqual(gtLtNx);
    expect(c.call('ZADD', 'k', 'INCR', '1', 'a', '2', 'b')).toEqual(err('ERR INCR option supports a single increment-element pair'));
    expect(c.call('ZADD', 'k', '1', 'a', 'x', 'b')).toEqual(NOT_FLOAT);
    expect(c.call('ZADD', 's', 'abc', 'a')).toEqual(NOT_FLOAT); // scores before the type
    expect(c.call('ZADD', 's', 'NX', 'XX', '1', 'a')).toEqual(err('ERR XX and NX options at the same time are not compatible'));
    expect(c.call('ZADD', 's', '1', 'a')).toEqual(WRONGTYPE);
    expect(c.call('EXISTS', 'k')).toBe(0);
    expect(effects()).toEqual([['SET', 's', 'v']]);
  });

  it('XX on a missing key creates nothing', () => {
    expect(c.call('ZADD', 'k', 'XX', '1', 'a')).toBe(0);
    expect(c.call('ZADD', 'k', 'XX', 'INCR', '1', 'a')).toBeNull();
    expect(c.call('EXISTS', 'k')).toBe(0);
    expect(effects()).toEqual([]);
  });

  it('is binary safe in members', () => {
    const member = 'a\x00b\r\n\xff';
    expect(c.call('ZADD', 'k', '1', member)).toBe(1);
    expect(c.call('ZSCORE', 'k', member)).toBe('1');
    expect(c.call('ZRANGE', 'k', '0', '-1')).toEqual([member]);
  });
});

describe('ZINCRBY', () => {
  it('adds to the score, creating member and key, and propagates itself', () => {
    expect(c.call('zincrby', 'k', '5', 'a')).toBe('5');
    expect(c.call('ZINCRBY', 'k', '-1.5', 'a')).toBe('3.5');
    expect(c.call('ZINCRBY', 'k', '0', 'a')).toBe('3.5');
    expect(resp3().call('ZINCRBY', 'k', '1', 'a')).toBe(4.5);
    expect(effects()).toEqual([
      ['ZINCRBY', 'k', '5', 'a'],
      ['ZINCRBY', 'k', '-1.5', 'a'],
      ['ZINCRBY', 'k', '1', 'a'],
    ]);
  });

  it('refuses bad increments, NaN results, option words and other types', () => {
    c.call('ZINCRBY', 'k', '-inf', 'a');
    expect(c.call('ZINCRBY', 'k', '+inf', 'a')).toEqual(err('ERR resulting score is not a number (NaN)'));
    expect(c.call('ZINCRBY', 'k', 'abc', 'a')).toEqual(NOT_FLOAT);
    expect(c.call('ZINCRBY', 'k', 'nan', 'a')).toEqual(NOT_FLOAT);
    expect(c.call('ZINCRBY', 'k', 'nx', 'a')).toEqual(SYNTAX);
    expect(c.call('ZINCRBY', 'k', 'ch', 'a')).toEqual(SYNTAX);
    expect(c.call('ZINCRBY', 'k', '1')).toEqual(arity('zincrby'));
    c.call('SET', 's', 'v');
    expect(c.call('ZINCRBY', 's', '1', 'a')).toEqual(WRONGTYPE);
    expect(c.call('ZSCORE', 'k', 'a')).toBe('-inf');
  });
});

describe('negative zero and encodings', () => {
  it('a listpack-sized set stores -0 as 0, a skiplist keeps -0 (as Redis)', () => {
    c.call('ZADD', 'k', '-0', 'z');
    expect(c.call('ZSCORE', 'k', 'z')).toBe('0');
    expect(c.call('ZINCRBY', 'k', '-0', 'y')).toBe('-0'); // the reply is the computed score
    expect(c.call('ZSCORE', 'k', 'y')).toBe('0');
    c.call('CONFIG', 'SET', 'zset-max-listpack-entries', '0');
    c.call('ZADD', 'big', '-0', 'z');
    expect(c.call('ZSCORE', 'big', 'z')).toBe('-0');
    expect(resp3().call('ZSCORE', 'big', 'z')).toBe(-0);
    expect(c.call('ZSCAN', 'big', '0')).toEqual(['0', ['z', '-0']]);
    c.call('CONFIG', 'SET', 'zset-max-listpack-entries', '128');
    // Replies keep -0; a result stored as a listpack does not.
    expect(c.call('ZUNION', '1', 'big', 'WITHSCORES')).toEqual(['z', '-0']);
    c.call('ZUNIONSTORE', 'u', '1', 'big');
    expect(c.call('ZSCORE', 'u', 'z')).toBe('0');
    c.call('ZRANGESTORE', 'r', 'big', '0', '-1');
    expect(c.call('ZSCORE', 'r', 'z')).toBe('0');
  });

  it('reports listpack until a limit is passed, then skiplist for good', () => {
    const pairs = (n: number, prefix = 'm') => Array.from({ length: n }, (_, i) => [String(i), `${prefix}${i}`]).flat();
    c.call('ZADD', 'k', ...pairs(128));
    expect(c.call('OBJECT', 'ENCODING', 'k')).toBe('listpack');
    c.call('ZADD', 'k', '1', 'one more');
    expect(c.call('OBJECT', 'ENCODING', 'k')).toBe('skiplist');
    c.call('ZREMRANGEBYRANK', 'k', '0', '-3');
    expect(c.call('OBJECT', 'ENCODING', 'k')).toBe('skiplist');
    c.call('ZADD', 'long', '1', 'x'.repeat(65));
    expect(c.call('OBJECT', 'ENCODING', 'long')).toBe('skiplist');
    c.call('ZADD', 'short', '1', 'x'.repeat(64));
    expect(c.call('OBJECT', 'ENCODING', 'short')).toBe('listpack');
    // Redis 7.2 converts up front when one ZADD carries more pairs than the limit.
    c.call('ZADD', 'dups', ...Array.from({ length: 129 }, () => ['1', 'a']).flat());
    expect(c.call('ZCARD', 'dups')).toBe(1);
    expect(c.call('OBJECT', 'ENCODING', 'dups')).toBe('skiplist');
    // A stored result is judged by its content.
    c.call('ZUNIONSTORE', 'u', '1', 'k');
    expect(c.call('OBJECT', 'ENCODING', 'u')).toBe('listpack');
    c.call('ZRANGESTORE', 'r', 'long', '0', '-1');
    expect(c.call('OBJECT', 'ENCODING', 'r')).toBe('skiplist');
  });
});

describe('ZREM, ZSCORE, ZMSCORE, ZCARD', () => {
  beforeEach(() => {
    c.call('ZADD', 'k', '1', 'a', '2.5', 'b', '3', 'c');
    c.call('SET', 's', 'v');
    h.takeEffects();
  });

  it('ZREM removes, deletes the emptied key and propagates only what it removed', () => {
    expect(c.call('zrem', 'k', 'a', 'nope', 'a')).toBe(1);
    expect(c.call('ZREM', 'k', 'nope')).toBe(0);
    expect(c.call('ZREM', 'k', 'b', 'c', 'x')).toBe(2);
    expect(c.call('EXISTS', 'k')).toBe(0);
    expect(c.call('ZREM', 'k', 'a')).toBe(0);
    expect(c.call('ZREM', 's', 'a')).toEqual(WRONGTYPE);
    expect(effects()).toEqual([
      ['ZREM', 'k', 'a'],
      ['ZREM', 'k', 'b', 'c'],
    ]);
  });

  it('ZSCORE / ZMSCORE reply doubles (bulk text in RESP2) or nulls', () => {
    expect(c.call('ZSCORE', 'k', 'b')).toBe('2.5');
    expect(c.call('ZSCORE', 'k', 'x')).toBeNull();
    expect(c.call('ZSCORE', 'none', 'x')).toBeNull();
    expect(c.call('ZMSCORE', 'k', 'a', 'x', 'c')).toEqual(['1', null, '3']);
    expect(c.call('ZMSCORE', 'none', 'a', 'b')).toEqual([null, null]);
    expect(c.callBytes('ZMSCORE', 'k', 'x', 'b')).toBe('*2\r\n$-1\r\n$3\r\n2.5\r\n');
    const c3 = resp3();
    expect(c3.callBytes('ZSCORE', 'k', 'b')).toBe(',2.5\r\n');
    expect(c3.callBytes('ZMSCORE', 'k', 'x', 'b')).toBe('*2\r\n_\r\n,2.5\r\n');
    expect(c.call('ZSCORE', 's', 'a')).toEqual(WRONGTYPE);
    expect(c.call('ZMSCORE', 's', 'a')).toEqual(WRONGTYPE);
    expect(c.call('ZMSCORE', 'k')).toEqual(arity('zmscore'));
  });

  it('ZCARD counts, 0 for a missing key', () => {
    expect(c.call('ZCARD', 'k')).toBe(3);
    expect(c.call('ZCARD', 'none')).toBe(0);
    expect(c.call('ZCARD', 's')).toEqual(WRONGTYPE);
  });
});

describe('ZCOUNT, ZLEXCOUNT', () => {
  beforeEach(() => {
    c.call('ZADD', 'k', '1', 'a', '2', 'b', '3', 'c', '4', 'd');
    c.call('ZADD', 'lex', '0', 'a', '0', 'b', '0', 'c', '0', 'd');
  });

  it('ZCOUNT counts scores in [ and ( ranges with infinities', () => {
    expect(c.call('ZCOUNT', 'k', '-inf', '+inf')).toBe(4);
    expect(c.call('ZCOUNT', 'k', '(1', '(3')).toBe(1);
    expect(c.call('ZCOUNT', 'k', '2', '3')).toBe(2);
    expect(c.call('ZCOUNT', 'k', '3', '1')).toBe(0);
    expect(c.call('ZCOUNT', 'k', '(2', '2')).toBe(0);
    expect(c.call('ZCOUNT', 'k', '', '10')).toBe(4); // an empty end reads as 0, as strtod does
    expect(c.call('ZCOUNT', 'k', ' 2', '10')).toBe(3);
    expect(c.call('ZCOUNT', 'k', '1e400', '10')).toBe(0);
    expect(c.call('ZCOUNT', 'none', '0', '1')).toBe(0);
    for (const [min, max] of [['1 ', '2'], ['nan', '1'], ['(nan', '1'], ['a', '1'], ['1', 'b']]) {
      expect(c.call('ZCOUNT', 'k', min!, max!)).toEqual(SCORE_RANGE);
    }
    expect(c.call('ZCOUNT', 'none', 'a', 'b')).toEqual(SCORE_RANGE); // the range before the key
  });

  it('ZLEXCOUNT counts members in [ ( - + ranges', () => {
    expect(c.call('ZLEXCOUNT', 'lex', '-', '+')).toBe(4);
    expect(c.call('ZLEXCOUNT', 'lex', '[a', '(c')).toBe(2);
    expect(c.call('ZLEXCOUNT', 'lex', '(a', '[c')).toBe(2);
    expect(c.call('ZLEXCOUNT', 'lex', '+', '-')).toBe(0);
    expect(c.call('ZLEXCOUNT', 'lex', '-', '-')).toBe(0);
    expect(c.call('ZLEXCOUNT', 'lex', '[', '+')).toBe(4);
    expect(c.call('ZLEXCOUNT', 'lex', '[b', '[b')).toBe(1);
    expect(c.call('ZLEXCOUNT', 'lex', '(b', '[b')).toBe(0);
    for (const [min, max] of [['a', '+'], ['', '+'], ['-a', '+'], ['-', '+x'], ['[a', 'c']]) {
      expect(c.call('ZLEXCOUNT', 'lex', min!, max!)).toEqual(LEX_RANGE);
    }
    c.call('SET', 's', 'v');
    expect(c.call('ZLEXCOUNT', 's', '-', '+')).toEqual(WRONGTYPE);
    expect(c.call('ZCOUNT', 's', '0', '1')).toEqual(WRONGTYPE);
  });
});

describe('ZRANK, ZREVRANK', () => {
  beforeEach(() => {
    c.call('ZADD', 'k', '1', 'a', '2', 'b', '3.5', 'c');
  });

  it('rank from either end, WITHSCORE adds the score, nulls for missing', () => {
    expect(c.call('ZRANK', 'k', 'a')).toBe(0);
    expect(c.call('ZRANK', 'k', 'c')).toBe(2);
    expect(c.call('ZREVRANK', 'k', 'c')).toBe(0);
    expect(c.call('ZREVRANK', 'k', 'a')).toBe(2);
    expect(c.call('ZRANK', 'k', 'c', 'withscore')).toEqual([2, '3.5']);
    expect(c.call('ZREVRANK', 'k', 'c', 'WITHSCORE')).toEqual([0, '3.5']);
    expect(resp3().call('ZRANK', 'k', 'c', 'WITHSCORE')).toEqual([2, 3.5]);
    expect(c.callBytes('ZRANK', 'k', 'x')).toBe('$-1\r\n');
    expect(c.callBytes('ZRANK', 'none', 'x')).toBe('$-1\r\n');
    expect(c.callBytes('ZRANK', 'k', 'x', 'WITHSCORE')).toBe('*-1\r\n');
    expect(c.callBytes('ZREVRANK', 'none', 'x', 'WITHSCORE')).toBe('*-1\r\n');
  });

  it('refuses extra arguments and other types', () => {
    expect(c.call('ZRANK', 'k', 'a', 'foo')).toEqual(SYNTAX);
    expect(c.call('ZRANK', 'k', 'a', 'WITHSCORE', 'x')).toEqual(arity('zrank'));
    expect(c.call('ZREVRANK', 'k', 'a', 'WITHSCORE', 'x')).toEqual(arity('zrevrank'));
    expect(c.call('ZRANK', 'k')).toEqual(arity('zrank'));
    c.call('SET', 's', 'v');
    expect(c.call('ZRANK', 's', 'a')).toEqual(WRONGTYPE);
  });
});

describe('ZRANGE and its older forms', () => {
  beforeEach(() => {
    c.call('ZADD', 'k', '1', 'a', '2', 'b', '3', 'c', '4', 'd');
    c.call('ZADD', 'lex', '0', 'a', '0', 'b', '0', 'c', '0', 'd', '0', 'e');
  });

  it('ranges by rank with negative indexes and clamping', () => {
    expect(c.call('ZRANGE', 'k', '0', '-1')).toEqual(['a', 'b', 'c', 'd']);
    expect(c.call('ZRANGE', 'k', '-2', '10')).toEqual(['c', 'd']);
    expect(c.call('ZRANGE', 'k', '-100', '0')).toEqual(['a']);
    expect(c.call('ZRANGE', 'k', '2', '1')).toEqual([]);
    expect(c.call('ZRANGE', 'k', '4', '10')).toEqual([]);
    expect(c.call('ZRANGE', 'k', '0', '1', 'REV')).toEqual(['d', 'c']);
    expect(c.call('ZREVRANGE', 'k', '0', '1', 'WITHSCORES')).toEqual(['d', '4', 'c', '3']);
    expect(c.call('ZRANGE', 'none', '0', '-1')).toEqual([]);
    // LIMIT with a negative count is the default, so it is accepted without BYSCORE / BYLEX.
    expect(c.call('ZRANGE', 'k', '0', '-1', 'LIMIT', '5', '-1')).toEqual(['a', 'b', 'c', 'd']);
  });

  it('ranges by score, forward and reverse, with LIMIT', () => {
    expect(c.call('ZRANGE', 'k', '(1', '3', 'BYSCORE')).toEqual(['b', 'c']);
    expect(c.call('ZRANGE', 'k', '0', '5', 'BYSCORE', 'LIMIT', '1', '2', 'WITHSCORES')).toEqual(['b', '2', 'c', '3']);
    expect(c.call('ZRANGE', 'k', '5', '0', 'BYSCORE', 'REV', 'LIMIT', '0', '-1')).toEqual(['d', 'c', 'b', 'a']);
    expect(c.call('ZRANGE', 'k', '5', '0', 'BYSCORE', 'REV', 'LIMIT', '1', '2')).toEqual(['c', 'b']);
    expect(c.call('ZRANGE', 'k', '0', '9', 'BYSCORE', 'LIMIT', '-1', '5')).toEqual([]);
    expect(c.call('ZRANGE', 'k', '0', '9', 'BYSCORE', 'LIMIT', '0', '0')).toEqual([]);
    expect(c.call('ZRANGE', 'k', '0', '9', 'BYSCORE', 'LIMIT', '4', '1')).toEqual([]);
    expect(c.call('ZRANGE', 'k', '0', '1', 'withscores', 'rev', 'byscore')).toEqual([]);
    expect(c.call('ZRANGE', 'k', '0', '9', 'BYSCORE', 'WITHSCORES', 'WITHSCORES')).toEqual(['a', '1', 'b', '2', 'c', '3', 'd', '4']);
    expect(c.call('ZRANGEBYSCORE', 'k', '-inf', '(3', 'WITHSCORES')).toEqual(['a', '1', 'b', '2']);
    expect(c.call('ZRANGEBYSCORE', 'k', '0', '9', 'LIMIT', '1', '1', 'WITHSCORES')).toEqual(['b', '2']);
    expect(c.call('ZREVRANGEBYSCORE', 'k', '+inf', '2')).toEqual(['d', 'c', 'b']);
    expect(c.call('ZREVRANGEBYSCORE', 'k', '(4', '(1', 'LIMIT', '1', '5')).toEqual(['b']);
    expect(c.call('ZRANGEBYSCORE', 'k', '( 2', '+inf')).toEqual(['c', 'd']);
  });

  it('ranges by member, forward and reverse, with LIMIT', () => {
    expect(c.call('ZRANGE', 'lex', '-', '+', 'BYLEX')).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(c.call('ZRANGE', 'lex', '+', '-', 'BYLEX', 'REV', 'LIMIT', '1', '2')).toEqual(['d', 'c']);
    expect(c.call('ZRANGEBYLEX', 'lex', '[b', '(d')).toEqual(['b', 'c']);
    expect(c.call('ZRANGEBYLEX', 'lex', '-', '+', 'LIMIT', '0', '2')).toEqual(['a', 'b']);
    expect(c.call('ZREVRANGEBYLEX', 'lex', '(d', '-')).toEqual(['c', 'b', 'a']);
    expect(c.call('ZRANGEBYLEX', 'lex', '(e', '+')).toEqual([]);
  });

  it('replies RESP3 [member, score] pairs with WITHSCORES', () => {
    const c3 = resp3();
    expect(c3.call('ZRANGE', 'k', '0', '1', 'WITHSCORES')).toEqual([['a', 1], ['b', 2]]);
    expect(c3.call('ZRANGEBYSCORE', 'k', '0', '100', 'WITHSCORES', 'LIMIT', '0', '1')).toEqual([['a', 1]]);
    expect(c3.call('ZREVRANGE', 'k', '0', '0', 'WITHSCORES')).toEqual([['d', 4]]);
    expect(c3.call('ZRANGE', 'k', '0', '0')).toEqual(['a']);
    expect(c3.callBytes('ZRANGE', 'k', '0', '0', 'WITHSCORES')).toBe('*1\r\n*2\r\n$1\r\na\r\n,1\r\n');
  });

  it('replies Redis errors in Redis order', () => {
    expect(c.call('ZRANGE', 'k', '0', '-1', 'LIMIT', '0', '1')).toEqual(
      err('ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX'),
    );
    expect(c.call('ZREVRANGE', 'k', '0', '1', 'LIMIT', '0', '1')).toEqual(
      err('ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX'),
    );
    const withScoresLex = err('ERR syntax error, WITHSCORES not supported in combination with BYLEX');
    expect(c.call('ZRANGE', 'lex', '-', '+', 'BYLEX', 'WITHSCORES')).toEqual(withScoresLex);
    expect(c.call('ZRANGEBYLEX', 'lex', '-', '+', 'WITHSCORES')).toEqual(withScoresLex);
    expect(c.call('ZRANGE', 'k', '0', '-1', 'BYLEX')).toEqual(LEX_RANGE);
    expect(c.call('ZRANGE', 'k', 'a', 'b', 'BYSCORE')).toEqual(SCORE_RANGE);
    expect(c.call('ZRANGE', 'k', '0', '-1', 'BYSCORE', 'BYLEX')).toEqual(SYNTAX);
    expect(c.call('ZRANGE', 'k', '0', '-1', 'REV', 'REV')).toEqual(SYNTAX);
    expect(c.call('ZRANGE', 'k', 'a', 'b')).toEqual(NOT_INTEGER);
    expect(c.call('ZRANGE', 'none', 'a', '1')).toEqual(NOT_INTEGER);
    expect(c.call('ZRANGE', 'k', '0', '1', 'foo')).toEqual(SYNTAX);
    expect(c.call('ZRANGE', 'k', '0', '1', 'LIMIT', '1')).toEqual(SYNTAX);
    expect(c.call('ZRANGE', 'k', '0', '1', 'BYSCORE', 'LIMIT', 'a', '1')).toEqual(NOT_INTEGER);
    expect(c.call('ZRANGE', 'k', '0', '1', 'BYSCORE', 'LIMIT', '0', 'a')).toEqual(NOT_INTEGER);
    expect(c.call('ZRANGEBYSCORE', 'k', '0', '9', 'LIMIT', '1')).toEqual(SYNTAX);
    expect(c.call('ZRANGEBYSCORE', 'k', '0', '9', 'BYLEX')).toEqual(SYNTAX);
    expect(c.call('ZREVRANGE', 'k', '0', '1', 'BYSCORE')).toEqual(SYNTAX);
    expect(c.call('ZREVRANGE', 'k', '0', '1', 'REV')).toEqual(SYNTAX);
    expect(c.call('ZRANGEBYSCORE', 'none', 'x', '1')).toEqual(SCORE_RANGE);
    expect(c.call('ZRANGE', 'k', '0')).toEqual(arity('zrange'));
    c.call('SET', 's', 'v');
    expect(c.call('ZRANGE', 's', '0', '1', 'foo')).toEqual(SYNTAX);
    expect(c.call('ZRANGE', 's', '0', '-1')).toEqual(WRONGTYPE);
  });
});

describe('ZRANGESTORE', () => {
  beforeEach(() => {
    c.call('ZADD', 'k', '1', 'a', '2', 'b', '3', 'c');
    c.call('SET', 's', 'v');
    h.takeEffects();
  });

  it('stores a range, replacing any value, and propagates itself', () => {
    expect(c.call('zrangestore', 'd', 'k', '0', '1')).toBe(2);
    expect(all('d')).toEqual(['a', '1', 'b', '2']);
    expect(c.call('ZRANGESTORE', 's', 'k', '(1', '+inf', 'BYSCORE', 'LIMIT', '0', '1')).toBe(1);
    expect(c.call('TYPE', 's')).toBe('zset');
    expect(all('s')).toEqual(['b', '2']);
    expect(c.call('ZRANGESTORE', 'r', 'k', '+inf', '-inf', 'BYSCORE', 'REV')).toBe(3);
    expect(c.call('ZRANGESTORE', 'l', 'k', '[a', '[b', 'BYLEX')).toBe(2);
    expect(effects()).toEqual([
      ['ZRANGESTORE', 'd', 'k', '0', '1'],
      ['ZRANGESTORE', 's', 'k', '(1', '+inf', 'BYSCORE', 'LIMIT', '0', '1'],
      ['ZRANGESTORE', 'r', 'k', '+inf', '-inf', 'BYSCORE', 'REV'],
      ['ZRANGESTORE', 'l', 'k', '[a', '[b', 'BYLEX'],
    ]);
  });

  it('an empty result deletes the destination (propagated only when it existed)', () => {
    c.call('ZADD', 'd', '1', 'x');
    c.call('EXPIRE', 'd', '100');
    h.takeEffects();
    expect(c.call('ZRANGESTORE', 'd', 'k', '5', '6')).toBe(0);
    expect(c.call('EXISTS', 'd')).toBe(0);
    expect(c.call('ZRANGESTORE', 'd', 'none', '0', '-1')).toBe(0);
    expect(effects()).toEqual([['ZRANGESTORE', 'd', 'k', '5', '6']]);
    c.call('SET', 'e', 'v');
    c.call('EXPIRE', 'e', '100');
    expect(c.call('ZRANGESTORE', 'e', 'k', '0', '0')).toBe(1);
    expect(c.call('TTL', 'e')).toBe(-1);
  });

  it('refuses WITHSCORES, bad ranges and a source of another type', () => {
    expect(c.call('ZRANGESTORE', 'd', 'k', '0', '-1', 'WITHSCORES')).toEqual(SYNTAX);
    expect(c.call('ZRANGESTORE', 'd', 'k', '0', '1', 'BYLEX')).toEqual(LEX_RANGE);
    expect(c.call('ZRANGESTORE', 'd', 's', '0', '1')).toEqual(WRONGTYPE);
    expect(c.call('ZRANGESTORE', 'd', 'k', '0')).toEqual(arity('zrangestore'));
    expect(effects()).toEqual([]);
  });
});

describe('ZREMRANGEBYSCORE, ZREMRANGEBYRANK, ZREMRANGEBYLEX', () => {
  beforeEach(() => {
    c.call('ZADD', 'k', '1', 'a', '2', 'b', '3', 'c', '4', 'd', '5', 'e');
    c.call('ZADD', 'lex', '0', 'a', '0', 'b', '0', 'c');
    c.call('SET', 's', 'v');
    h.takeEffects();
  });

  it('remove ranges, propagate themselves when they removed something, delete emptied keys', () => {
    expect(c.call('zremrangebyscore', 'k', '(1', '2')).toBe(1);
    expect(c.call('ZREMRANGEBYSCORE', 'k', '10', '20')).toBe(0);
    expect(c.call('zremrangebyrank', 'k', '-1', '-1')).toBe(1);
    expect(c.call('ZREMRANGEBYRANK', 'k', '5', '10')).toBe(0);
    expect(c.call('ZREMRANGEBYRANK', 'k', '2', '1')).toBe(0);
    expect(c.call('ZRANGE', 'k', '0', '-1')).toEqual(['a', 'c', 'd']);
    expect(c.call('ZREMRANGEBYRANK', 'k', '-100', '100')).toBe(3);
    expect(c.call('EXISTS', 'k')).toBe(0);
    expect(c.call('zremrangebylex', 'lex', '(a', '+')).toBe(2);
    expect(c.call('ZREMRANGEBYLEX', 'lex', '-', '(a')).toBe(0);
    expect(c.call('ZREMRANGEBYLEX', 'lex', '-', '+')).toBe(1);
    expect(c.call('EXISTS', 'lex')).toBe(0);
    expect(c.call('ZREMRANGEBYSCORE', 'none', '0', '1')).toBe(0);
    expect(effects()).toEqual([
      ['ZREMRANGEBYSCORE', 'k', '(1', '2'],
      ['ZREMRANGEBYRANK', 'k', '-1', '-1'],
      ['ZREMRANGEBYRANK', 'k', '-100', '100'],
      ['ZREMRANGEBYLEX', 'lex', '(a', '+'],
      ['ZREMRANGEBYLEX', 'lex', '-', '+'],
    ]);
  });

  it('parse the range before the key', () => {
    expect(c.call('ZREMRANGEBYRANK', 'none', 'a', '1')).toEqual(NOT_INTEGER);
    expect(c.call('ZREMRANGEBYSCORE', 's', 'a', '1')).toEqual(SCORE_RANGE);
    expect(c.call('ZREMRANGEBYLEX', 's', 'a', '+')).toEqual(LEX_RANGE);
    expect(c.call('ZREMRANGEBYRANK', 's', '0', '1')).toEqual(WRONGTYPE);
    expect(c.call('ZREMRANGEBYSCORE', 's', '1', '0')).toEqual(WRONGTYPE);
    expect(c.call('ZREMRANGEBYLEX', 's', '-', '+')).toEqual(WRONGTYPE);
  });
});

describe('ZPOPMIN, ZPOPMAX', () => {
  beforeEach(() => {
    c.call('ZADD', 'k', '1', 'a', '2', 'b', '3', 'c', '4.5', 'd');
    c.call('SET', 's', 'v');
    h.takeEffects();
  });

  it('pop from either end, delete the emptied key and propagate themselves', () => {
    expect(c.call('zpopmin', 'k')).toEqual(['a', '1']);
    expect(c.call('zpopmax', 'k', '1')).toEqual(['d', '4.5']);
    expect(c.call('ZPOPMIN', 'k', '0')).toEqual([]);
    expect(c.call('ZPOPMIN', 'k', '10')).toEqual(['b', '2', 'c', '3']);
    expect(c.call('EXISTS', 'k')).toBe(0);
    expect(c.call('ZPOPMIN', 'k')).toEqual([]);
    expect(c.call('ZPOPMAX', 'k', '2')).toEqual([]);
    expect(effects()).toEqual([
      ['ZPOPMIN', 'k'],
      ['ZPOPMAX', 'k', '1'],
      ['ZPOPMIN', 'k', '10'],
    ]);
  });

  it('RESP3: flat without count, [member, score] pairs with one', () => {
    const c3 = resp3();
    expect(c3.call('ZPOPMIN', 'k')).toEqual(['a', 1]);
    expect(c3.call('ZPOPMIN', 'k', '1')).toEqual([['b', 2]]);
    expect(c3.call('ZPOPMAX', 'k', '2')).toEqual([['d', 4.5], ['c', 3]]);
    expect(c3.call('ZPOPMAX', 'k', '2')).toEqual([]);
  });

  it('refuse bad counts before the type', () => {
    const positive = err('ERR value is out of range, must be positive');
    expect(c.call('ZPOPMIN', 's', '-1')).toEqual(positive);
    expect(c.call('ZPOPMIN', 'k', 'a')).toEqual(positive);
    expect(c.call('ZPOPMIN', 'k', '1', '2')).toEqual(SYNTAX);
    expect(c.call('ZPOPMIN', 's')).toEqual(WRONGTYPE);
    expect(c.call('ZPOPMAX', 's', '0')).toEqual(WRONGTYPE);
    expect(effects()).toEqual([]);
  });
});

describe('ZMPOP', () => {
  beforeEach(() => {
    c.call('ZADD', 'k', '1', 'a', '2', 'b', '3', 'c', '4', 'd');
    c.call('SET', 's', 'v');
    h.takeEffects();
  });

  it('pops from the first non-empty key and propagates ZPOPMIN / ZPOPMAX with the count popped', () => {
    expect(c.call('zmpop', '2', 'none', 'k', 'min')).toEqual(['k', [['a', '1']]]);
    expect(c.call('ZMPOP', '1', 'k', 'MAX', 'COUNT', '2')).toEqual(['k', [['d', '4'], ['c', '3']]]);
    expect(c.call('ZMPOP', '1', 'k', 'MAX', 'count', '10')).toEqual(['k', [['b', '2']]]);
    expect(c.call('EXISTS', 'k')).toBe(0);
    expect(c.callBytes('ZMPOP', '1', 'k', 'MIN')).toBe('*-1\r\n');
    expect(effects()).toEqual([
      ['ZPOPMIN', 'k', '1'],
      ['ZPOPMAX', 'k', '2'],
      ['ZPOPMAX', 'k', '1'],
    ]);
  });

  it('RESP3 shape and null', () => {
    const c3 = resp3();
    expect(c3.call('ZMPOP', '1', 'k', 'MIN', 'COUNT', '2')).toEqual(['k', [['a', 1], ['b', 2]]]);
    expect(c3.callBytes('ZMPOP', '1', 'none', 'MIN')).toBe('_\r\n');
  });

  it('replies Redis errors', () => {
    expect(c.call('ZMPOP', '0', 'k', 'MIN')).toEqual(err('ERR numkeys should be greater than 0'));
    expect(c.call('ZMPOP', 'a', 'k', 'MIN')).toEqual(err('ERR numkeys should be greater than 0'));
    expect(c.call('ZMPOP', '2', 'k', 'MIN')).toEqual(SYNTAX);
    expect(c.call('ZMPOP', '1', 'k', 'foo')).toEqual(SYNTAX);
    expect(c.call('ZMPOP', '1', 'k', 'MIN', 'extra')).toEqual(SYNTAX);
    expect(c.call('ZMPOP', '1', 'k', 'MIN', 'COUNT')).toEqual(SYNTAX);
    expect(c.call('ZMPOP', '1', 'k', 'MIN', 'COUNT', '1', 'COUNT', '2')).toEqual(SYNTAX);
    for (const count of ['0', '-1', 'a']) {
      expect(c.call('ZMPOP', '1', 'k', 'MIN', 'COUNT', count)).toEqual(err('ERR count should be greater than 0'));
    }
    expect(c.call('ZMPOP', '2', 's', 'k', 'MIN')).toEqual(WRONGTYPE);
    expect(c.call('ZMPOP', '2', 'k', 's', 'MIN')).toEqual(['k', [['a', '1']]]);
    expect(c.call('ZMPOP', '1', 'k')).toEqual(arity('zmpop'));
  });
});

describe('BZPOPMIN, BZPOPMAX, BZMPOP served at once', () => {
  beforeEach(() => {
    c.call('ZADD', 'k', '1', 'a', '2', 'b', '3', 'c');
    c.call('SET', 's', 'v');
    h.takeEffects();
  });

  it('pop from the first non-empty key and propagate ZPOPMIN / ZPOPMAX', () => {
    expect(c.call('bzpopmin', 'none', 'k', '0')).toEqual(['k', 'a', '1']);
    expect(c.call('BZPOPMAX', 'k', 's', '0')).toEqual(['k', 'c', '3']);
    expect(resp3().call('BZPOPMIN', 'k', '1')).toEqual(['k', 'b', 2]);
    expect(c.call('EXISTS', 'k')).toBe(0);
    expect(effects()).toEqual([['ZPOPMIN', 'k'], ['ZPOPMAX', 'k'], ['ZPOPMIN', 'k']]);
  });

  it('BZMPOP pops like ZMPOP', () => {
    expect(c.call('bzmpop', '0', '2', 'none', 'k', 'MAX', 'COUNT', '2')).toEqual(['k', [['c', '3'], ['b', '2']]]);
    expect(resp3().call('BZMPOP', '0', '1', 'k', 'MIN')).toEqual(['k', [['a', 1]]]);
    expect(effects()).toEqual([['ZPOPMAX', 'k', '2'], ['ZPOPMIN', 'k', '1']]);
  });

  it('check the timeout, then the keys in order', () => {
    expect(c.call('BZPOPMIN', 'k', 'abc')).toEqual(err('ERR timeout is not a float or out of range'));
    expect(c.call('BZPOPMIN', 'k', '-1')).toEqual(err('ERR timeout is negative'));
    expect(c.call('BZPOPMIN', 's', 'k', '0')).toEqual(WRONGTYPE);
    expect(c.call('BZPOPMIN', 'none', 's', '0')).toEqual(WRONGTYPE);
    expect(c.call('BZPOPMIN', 'k')).toEqual(arity('bzpopmin'));
    expect(c.call('BZMPOP', 'abc', '1', 'k', 'MIN')).toEqual(err('ERR timeout is not a float or out of range'));
    expect(c.call('BZMPOP', '0', '0', 'k', 'MIN')).toEqual(err('ERR numkeys should be greater than 0'));
    expect(c.call('BZMPOP', '0', '1', 'k', 'MIN', 'COUNT', '0')).toEqual(err('ERR count should be greater than 0'));
    expect(c.call('BZMPOP', '0', '2', 'none', 's', 'MIN')).toEqual(WRONGTYPE);
    expect(c.call('BZMPOP', '0', '1', 'k')).toEqual(arity('bzmpop'));
    expect(effects()).toEqual([]);
  });

  it('inside a transaction reply the timeout answer at once', () => {
    c.call('MULTI');
    for (const argv of [
      ['BZPOPMIN', 'none', '0'],
      ['BZPOPMAX', 'none', 'other', '1'],
      ['BZMPOP', '0', '1', 'none', 'MIN'],
      ['BZPOPMIN', 'none', 'k', '0'],
    ]) {
      expect(c.call(...argv)).toBe('QUEUED');
    }
    expect(c.callBytes('EXEC')).toBe('*4\r\n*-1\r\n*-1\r\n*-1\r\n*3\r\n$1\r\nk\r\n$1\r\na\r\n$1\r\n1\r\n');
    expect(effects()).toEqual([['ZPOPMIN', 'k']]);
  });
});

describe('blocked BZPOPMIN / BZPOPMAX / BZMPOP', () => {
  let c2: TestClient;
  beforeEach(() => {
    c2 = h.connect();
  });
  const pendingBytes = (client: TestClient) => client.session.reply.take().toString('latin1');

  it('BZPOPMIN waits for a ZADD, then pops and propagates ZPOPMIN after it', () => {
    expect(c.callRaw(['BZPOPMIN', 'k', '0'])).toEqual([]);
    expect(c2.call('ZADD', 'k', '2', 'b', '1', 'a')).toBe(2);
    expect(c.pending()).toEqual([['k', 'a', '1']]);
    expect(c2.call('ZRANGE', 'k', '0', '-1')).toEqual(['b']);
    expect(effects()).toEqual([['ZADD', 'k', '2', 'b', '1', 'a'], ['ZPOPMIN', 'k']]);
    expect(c.call('ZCARD', 'k')).toBe(1);
  });

  it('serves waiters in arrival order and deletes the emptied key', () => {
    const c3 = h.connect();
    expect(c.callRaw(['BZPOPMAX', 'k', '0'])).toEqual([]);
    expect(c3.callRaw(['BZPOPMIN', 'other', 'k', '0'])).toEqual([]);
    c2.call('ZADD', 'k', '1', 'a', '2', 'b');
    expect(c.pending()).toEqual([['k', 'b', '2']]);
    expect(c3.pending()).toEqual([['k', 'a', '1']]);
    expect(c2.call('EXISTS', 'k')).toBe(0);
    expect(effects()).toEqual([['ZADD', 'k', '1', 'a', '2', 'b'], ['ZPOPMAX', 'k'], ['ZPOPMIN', 'k']]);
  });

  it('ignores a key that gets another type', () => {
    expect(c.callRaw(['BZPOPMIN', 'k', '0'])).toEqual([]);
    c2.call('SET', 'k', 'v');
    expect(c.pending()).toEqual([]);
    c2.call('DEL', 'k');
    c2.call('ZADD', 'k', '1', 'x');
    expect(c.pending()).toEqual([['k', 'x', '1']]);
  });

  it('BZMPOP waits and pops up to COUNT, propagating ZPOPMIN key n', () => {
    expect(c.callRaw(['BZMPOP', '0', '2', 'a', 'b', 'MIN', 'COUNT', '5'])).toEqual([]);
    c2.call('ZADD', 'b', '1', 'x', '2', 'y');
    expect(c.pending()).toEqual([['b', [['x', '1'], ['y', '2']]]]);
    expect(effects()).toEqual([['ZADD', 'b', '1', 'x', '2', 'y'], ['ZPOPMIN', 'b', '2']]);
  });

  it('times out with a null array (RESP2 and RESP3)', () => {
    expect(c.callRaw(['BZPOPMIN', 'k', '1.5'])).toEqual([]);
    h.advance(1499);
    expect(pendingBytes(c)).toBe('');
    h.advance(1);
    expect(pendingBytes(c)).toBe('*-1\r\n');
    const c3 = resp3();
    expect(c3.callRaw(['BZMPOP', '0.01', '1', 'k', 'MIN'])).toEqual([]);
    h.advance(10);
    expect(pendingBytes(c3)).toBe('_\r\n');
    c2.call('ZADD', 'k', '1', 'x');
    expect(c.pending()).toEqual([]);
    expect(effects()).toEqual([['ZADD', 'k', '1', 'x']]);
  });
});

describe('ZRANDMEMBER', () => {
  beforeEach(() => {
    c.call('ZADD', 'k', '1', 'a', '2', 'b', '3', 'c');
    c.call('SET', 's', 'v');
  });

  it('without count: one member or null', () => {
    for (let i = 0; i < 20; i++) expect(['a', 'b', 'c']).toContain(c.call('ZRANDMEMBER', 'k'));
    expect(c.call('ZRANDMEMBER', 'none')).toBeNull();
  });

  it('positive counts give distinct members (all of them at or beyond the size)', () => {
    const big = Array.from({ length: 300 }, (_, i) => [String(i), `m${i}`]).flat();
    c.call('ZADD', 'big', ...big);
    for (const n of [1, 2, 50, 150, 299, 300, 1000]) {
      const reply = c.call('ZRANDMEMBER', 'big', String(n)) as string[];
      expect(reply.length).toBe(Math.min(n, 300));
      expect(new Set(reply).size).toBe(reply.length);
    }
    expect(c.call('ZRANDMEMBER', 'k', '5')).toHaveLength(3);
    const withScores = c.call('ZRANDMEMBER', 'big', '10', 'WITHSCORES') as string[];
    expect(withScores.length).toBe(20);
    for (let i = 0; i < 20; i += 2) expect(withScores[i]).toBe(`m${withScores[i + 1]}`);
  });

  it('negative counts may repeat; RESP3 WITHSCORES gives pairs', () => {
    const reply = c.call('ZRANDMEMBER', 'k', '-10') as string[];
    expect(reply.length).toBe(10);
    for (const m of reply) expect(['a', 'b', 'c']).toContain(m);
    const pairs = resp3().call('ZRANDMEMBER', 'k', '-4', 'WITHSCORES') as Array<[string, number]>;
    expect(pairs.length).toBe(4);
    for (const [m, s] of pairs) expect(s).toBe({ a: 1, b: 2, c: 3 }[m]);
    expect(c.call('ZRANDMEMBER', 'k', '0')).toEqual([]);
    expect(c.call('ZRANDMEMBER', 'none', '3')).toEqual([]);
  });

  it('replies Redis errors', () => {
    expect(c.call('ZRANDMEMBER', 'k', 'a')).toEqual(NOT_INTEGER);
    expect(c.call('ZRANDMEMBER', 'k', '1', 'foo')).toEqual(SYNTAX);
    expect(c.call('ZRANDMEMBER', 'k', '1', 'WITHSCORES', 'x')).toEqual(SYNTAX);
    expect(c.call('ZRANDMEMBER', 'k', '-9223372036854775808')).toEqual(
      err('ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807'),
    );
    expect(c.call('ZRANDMEMBER', 'k', '-9223372036854775807', 'WITHSCORES')).toEqual(err('ERR value is out of range'));
    expect(c.call('ZRANDMEMBER', 'k', '4611686018427387904', 'WITHSCORES')).toEqual(err('ERR value is out of range'));
    expect(c.call('ZRANDMEMBER', 'k', '9223372036854775807')).toHaveLength(3);
    expect(c.call('ZRANDMEMBER', 's')).toEqual(WRONGTYPE);
    expect(c.call('ZRANDMEMBER', 's', '0')).toEqual(WRONGTYPE);
  });

  it('refuses, before any pick, a negative count whose reply cannot fit in the output limit', () => {
    const tooLarge = (limit: number) =>
      err(`ERR count is too large: the reply would pass the ${limit} bytes a client may have pending`);
    // 200 million picks of at least 6 bytes (12 with scores) pass the 1 GiB limit: refused at once.
    expect(c.call('ZRANDMEMBER', 'k', '-200000000')).toEqual(tooLarge(1024 ** 3));
    expect(c.call('ZRANDMEMBER', 'k', '-100000000', 'WITHSCORES')).toEqual(tooLarge(1024 ** 3));
    expect(resp3().call('ZRANDMEMBER', 'k', '-100000000', 'WITHSCORES')).toEqual(tooLarge(1024 ** 3));
    expect(c.call('ZRANDMEMBER', 'k', '-9223372036854775807')).toEqual(tooLarge(1024 ** 3));
    // The count's own errors (Redis checks them first), the type and a missing key come first.
    expect(c.call('ZRANDMEMBER', 'k', '-9223372036854775808')).toEqual(
      err('ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807'),
    );
    expect(c.call('ZRANDMEMBER', 'k', '-4611686018427387904', 'WITHSCORES')).toEqual(err('ERR value is out of range'));
    expect(c.call('ZRANDMEMBER', 'k', '-200000000', 'foo')).toEqual(SYNTAX);
    expect(c.call('ZRANDMEMBER', 's', '-200000000')).toEqual(WRONGTYPE);
    expect(c.call('ZRANDMEMBER', 'none', '-200000000', 'WITHSCORES')).toEqual([]);
    // The bound is what the client may still have pending, with pairs counted twice.
    c.session.reply.maxLength = 1200;
    expect(c.call('ZRANDMEMBER', 'k', '-201')).toEqual(tooLarge(1200));
    expect(c.call('ZRANDMEMBER', 'k', '-101', 'WITHSCORES')).toEqual(tooLarge(1200));
    expect(c.call('ZRANDMEMBER', 'k', '-50', 'WITHSCORES')).toHaveLength(100);
    expect(c.closed).toBe(false);
  });
});

describe('ZUNION, ZINTER, ZDIFF and their STORE forms, ZINTERCARD', () => {
  beforeEach(() => {
    c.call('ZADD', 'z1', '1', 'a', '2', 'b', '3', 'c');
    c.call('ZADD', 'z2', '10', 'b', '20', 'c', '30', 'd');
    c.call('SADD', 'set', 'a', 'x');
    c.call('SET', 's', 'v');
    h.takeEffects();
  });

  it('union sums by default; WEIGHTS, AGGREGATE MIN / MAX; plain sets score 1', () => {
    expect(c.call('ZUNION', '2', 'z1', 'z2', 'WITHSCORES')).toEqual(['a', '1', 'b', '12', 'c', '23', 'd', '30']);
    expect(c.call('zunion', '2', 'z1', 'z2', 'weights', '2', '0.5', 'withscores')).toEqual(['a', '2', 'b', '9', 'd', '15', 'c', '16']);
    expect(c.call('ZUNION', '2', 'z1', 'z2', 'AGGREGATE', 'MIN', 'WITHSCORES')).toEqual(['a', '1', 'b', '2', 'c', '3', 'd', '30']);
    expect(c.call('ZUNION', '2', 'z1', 'z2', 'AGGREGATE', 'max')).toEqual(['a', 'b', 'c', 'd']);
    expect(c.call('ZUNION', '2', 'z1', 'set', 'WITHSCORES', 'WEIGHTS', '1', '2', 'AGGREGATE', 'MAX')).toEqual(['a', '2', 'b', '2', 'x', '2', 'c', '3']);
    expect(c.call('ZUNION', '2', 'none', 'z1')).toEqual(['a', 'b', 'c']);
    expect(c.call('ZUNION', '1', 'z1', 'z1', 'WITHSCORES')).toEqual(SYNTAX);
    expect(c.call('ZUNION', '2', 'z1', 'z1', 'WITHSCORES')).toEqual(['a', '2', 'b', '4', 'c', '6']);
  });

  it('intersection and difference', () => {
    expect(c.call('ZINTER', '2', 'z1', 'z2', 'WITHSCORES')).toEqual(['b', '12', 'c', '23']);
    expect(c.call('ZINTER', '2', 'z1', 'z2', 'AGGREGATE', 'MIN', 'WITHSCORES')).toEqual(['b', '2', 'c', '3']);
    expect(c.call('ZINTER', '2', 'z1', 'set', 'WITHSCORES')).toEqual(['a', '2']);
    expect(c.call('ZINTER', '2', 'z1', 'none')).toEqual([]);
    expect(c.call('ZINTER', '1', 'none')).toEqual([]);
    expect(c.call('ZDIFF', '2', 'z1', 'z2', 'WITHSCORES')).toEqual(['a', '1']);
    expect(c.call('ZDIFF', '3', 'z1', 'set', 'none')).toEqual(['b', 'c']);
    expect(c.call('ZDIFF', '1', 'none')).toEqual([]);
    expect(c.call('ZDIFF', '2', 'z2', 'z1', 'WITHSCORES')).toEqual(['d', '30']);
  });

  it('treats 0 * inf as 0 and an inf - inf sum as 0, as Redis does', () => {
    c.call('ZADD', 'inf', '+inf', 'a', '-inf', 'b');
    c.call('ZADD', 'ninf', '-inf', 'a');
    expect(c.call('ZUNION', '1', 'inf', 'WEIGHTS', '0', 'WITHSCORES')).toEqual(['a', '0', 'b', '0']);
    expect(c.call('ZUNION', '2', 'inf', 'ninf', 'WITHSCORES')).toEqual(['b', '-inf', 'a', '0']);
    expect(c.call('ZINTER', '2', 'inf', 'ninf', 'WITHSCORES')).toEqual(['a', '0']);
  });

  it('RESP3 WITHSCORES gives pairs', () => {
    const c3 = resp3();
    expect(c3.call('ZUNION', '2', 'z1', 'z2', 'WITHSCORES')).toEqual([['a', 1], ['b', 12], ['c', 23], ['d', 30]]);
    expect(c3.call('ZINTER', '2', 'z1', 'z2')).toEqual(['b', 'c']);
    expect(c3.call('ZDIFF', '1', 'z1', 'WITHSCORES')).toEqual([['a', 1], ['b', 2], ['c', 3]]);
  });

  it('the STORE forms store, replace, delete on an empty result, and propagate themselves', () => {
    expect(c.call('zunionstore', 'dst', '2', 'z1', 'z2', 'WEIGHTS', '1', '2')).toBe(4);
    expect(all('dst')).toEqual(['a', '1', 'b', '22', 'c', '43', 'd', '60']);
    expect(c.call('ZINTERSTORE', 's', '2', 'z1', 'z2', 'AGGREGATE', 'MAX')).toBe(2);
    expect(all('s')).toEqual(['b', '10', 'c', '20']);
    expect(c.call('ZDIFFSTORE', 'diff', '2', 'z1', 'z2')).toBe(1);
    expect(c.call('ZDIFFSTORE', 'diff', '2', 'z1', 'z1')).toBe(0);
    expect(c.call('EXISTS', 'diff')).toBe(0);
    expect(c.call('ZINTERSTORE', 'nothing', '2', 'z1', 'none')).toBe(0);
    expect(c.call('ZUNIONSTORE', 'z1', '2', 'z1', 'z2')).toBe(4); // a source can be the destination
    expect(all('z1')).toEqual(['a', '1', 'b', '12', 'c', '23', 'd', '30']);
    expect(effects()).toEqual([
      ['ZUNIONSTORE', 'dst', '2', 'z1', 'z2', 'WEIGHTS', '1', '2'],
      ['ZINTERSTORE', 's', '2', 'z1', 'z2', 'AGGREGATE', 'MAX'],
      ['ZDIFFSTORE', 'diff', '2', 'z1', 'z2'],
      ['ZDIFFSTORE', 'diff', '2', 'z1', 'z1'],
      ['ZUNIONSTORE', 'z1', '2', 'z1', 'z2'],
    ]);
  });

  it('ZINTERCARD counts the intersection, up to LIMIT', () => {
    expect(c.call('ZINTERCARD', '2', 'z1', 'z2')).toBe(2);
    expect(c.call('zintercard', '2', 'z1', 'z2', 'limit', '1')).toBe(1);
    expect(c.call('ZINTERCARD', '2', 'z1', 'z2', 'LIMIT', '0')).toBe(2);
    expect(c.call('ZINTERCARD', '2', 'z1', 'set')).toBe(1);
    expect(c.call('ZINTERCARD', '1', 'none')).toBe(0);
    expect(c.call('ZINTERCARD', '1', 'set')).toBe(2);
    expect(c.call('ZINTERCARD', '1', 'z1', 'LIMIT', '-1')).toEqual(err("ERR LIMIT can't be negative"));
    expect(c.call('ZINTERCARD', '1', 'z1', 'LIMIT', 'a')).toEqual(err("ERR LIMIT can't be negative"));
    expect(c.call('ZINTERCARD', '1', 'z1', 'WITHSCORES')).toEqual(SYNTAX);
    expect(c.call('ZINTERCARD', '1', 'z1', 'WEIGHTS', '1')).toEqual(SYNTAX);
  });

  it('replies Redis errors in Redis order: numkeys, keys (types), then options', () => {
    expect(c.call('ZUNION', '0', 'z1')).toEqual(err("ERR at least 1 input key is needed for 'zunion' command"));
    expect(c.call('ZUNION', '-1', 'z1')).toEqual(err("ERR at least 1 input key is needed for 'zunion' command"));
    expect(c.call('ZUNIONSTORE', 'd', '0', 'z1')).toEqual(err("ERR at least 1 input key is needed for 'zunionstore' command"));
    expect(c.call('ZDIFFSTORE', 'd', '0', 'z1')).toEqual(err("ERR at least 1 input key is needed for 'zdiffstore' command"));
    expect(c.call('ZINTERCARD', '0', 'z1')).toEqual(err("ERR at least 1 input key is needed for 'zintercard' command"));
    expect(c.call('ZUNION', 'a', 'z1')).toEqual(NOT_INTEGER);
    expect(c.call('ZUNION', '3', 'z1')).toEqual(SYNTAX);
    expect(c.call('ZUNION', '1', 's', 'WEIGHTS', 'x')).toEqual(WRONGTYPE);
    expect(c.call('ZUNION', '1', 'z1', 'WEIGHTS', 'x')).toEqual(err('ERR weight value is not a float'));
    expect(c.call('ZUNION', '2', 'z1', 'z2', 'WEIGHTS', '1')).toEqual(SYNTAX);
    expect(c.call('ZUNION', '1', 'z1', 'AGGREGATE', 'foo')).toEqual(SYNTAX);
    expect(c.call('ZUNION', '1', 'z1', 'AGGREGATE')).toEqual(SYNTAX);
    expect(c.call('ZDIFF', '1', 'z1', 'WEIGHTS', '1')).toEqual(SYNTAX);
    expect(c.call('ZDIFF', '1', 'z1', 'AGGREGATE', 'SUM')).toEqual(SYNTAX);
    expect(c.call('ZUNIONSTORE', 'd', '1', 'z1', 'WITHSCORES')).toEqual(SYNTAX);
    expect(c.call('ZINTERSTORE', 'd', '2', 'z1', 's')).toEqual(WRONGTYPE);
    expect(c.call('ZDIFFSTORE', 'd', '2', 'none', 's')).toEqual(WRONGTYPE);
    expect(c.call('ZUNION', '1')).toEqual(arity('zunion'));
    expect(effects()).toEqual([]);
  });
});

describe('ZSCAN', () => {
  it('returns a listpack-sized set whole with cursor 0, printing scores as a listpack stores them', () => {
    c.call('ZADD', 'k', '1.5', 'a', '123456789012345678', 'b', '-0', 'c', '4.7e18', 'd', '0.1', 'e');
    expect(c.call('ZSCAN', 'k', '0')).toEqual(['0', ['c', '0', 'e', '0.10000000000000001', 'a', '1.5', 'b', '123456789012345680', 'd', '4.7e+18']]);
    expect(c.call('ZSCAN', 'k', '123', 'COUNT', '1', 'MATCH', '[ab]')).toEqual(['0', ['a', '1.5', 'b', '123456789012345680']]);
    expect(resp3().call('ZSCAN', 'k', '0', 'MATCH', 'a')).toEqual(['0', ['a', '1.5']]);
  });

  it('walks a big set with a cursor, visiting every member', () => {
    const pairs = Array.from({ length: 500 }, (_, i) => [String(i), `m${i}`]).flat();
    c.call('ZADD', 'k', ...pairs);
    c.call('ZADD', 'k', '123456789012345678', 'huge');
    const seen = new Map<string, string>();
    let cursor = '0';
    let calls = 0;
    do {
      const [next, items] = c.call('ZSCAN', 'k', cursor, 'COUNT', '20') as [string, string[]];
      for (let i = 0; i < items.length; i += 2) seen.set(items[i]!, items[i + 1]!);
      cursor = next;
      calls++;
    } while (cursor !== '0');
    expect(calls).toBeGreaterThan(5);
    expect(seen.size).toBe(501);
    expect(seen.get('m7')).toBe('7');
    expect(seen.get('huge')).toBe('1.2345678901234568e+17'); // %.17g in a skiplist
    const matched = c.call('ZSCAN', 'k', '0', 'MATCH', 'm1*', 'COUNT', '1000') as [string, string[]];
    expect(matched[1].length).toBe(2 * 111);
  });

  it('checks the cursor, then the key, then the options', () => {
    c.call('ZADD', 'k', '1', 'a');
    c.call('SET', 's', 'v');
    expect(c.call('ZSCAN', 'none', 'abc')).toEqual(err('ERR invalid cursor'));
    expect(c.call('ZSCAN', 'none', '0', 'COUNT', '0')).toEqual(['0', []]);
    expect(c.call('ZSCAN', 's', '0', 'COUNT', '0')).toEqual(WRONGTYPE);
    expect(c.call('ZSCAN', 'k', '0', 'COUNT', '0')).toEqual(SYNTAX);
    expect(c.call('ZSCAN', 'k', '0', 'COUNT', 'x')).toEqual(NOT_INTEGER);
    expect(c.call('ZSCAN', 'k', '0', 'MATCH')).toEqual(SYNTAX);
    expect(c.call('ZSCAN', 'k', '0', 'NOVALUES')).toEqual(SYNTAX);
  });
});

describe('the sorted set command table', () => {
  // Arity, flags, key positions and categories are pinned against Redis in introspection.test.ts.
  it('gives COMMAND GETKEYS the counted keys of the movable-keys commands', () => {
    const c = h.connect();
    expect(c.call('COMMAND', 'GETKEYS', 'ZUNIONSTORE', 'dst', '2', 'a', 'b', 'WEIGHTS', '1', '2')).toEqual(['dst', 'a', 'b']);
    expect(c.call('COMMAND', 'GETKEYS', 'ZINTER', '2', 'a', 'b')).toEqual(['a', 'b']);
    expect(c.call('COMMAND', 'GETKEYS', 'BZMPOP', '0', '1', 'a', 'MIN')).toEqual(['a']);
    expect(c.call('COMMAND', 'GETKEYS', 'ZINTERCARD', '3', 'a', 'b')).toEqual(
      new ReplyError('ERR Invalid arguments specified for command'),
    );
  });
});

// ---------------------------------------------------------------------------
// Randomized comparison with a sorted-array model

type Entry = [member: string, score: number];
const order = (a: Entry, b: Entry) => a[1] - b[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
const text = (score: number) => (score === Infinity ? 'inf' : score === -Infinity ? '-inf' : String(score === 0 ? 0 : score));

class Model {
  entries: Entry[] = [];
  set(member: string, score: number): void {
    this.entries = this.entries.filter(([m]) => m !== member);
    this.entries.push([member, score]);
    this.entries.sort(order);
  }
  remove(member: string): boolean {
    const before = this.entries.length;
    this.entries = this.entries.filter(([m]) => m !== member);
    return this.entries.length !== before;
  }
  score(member: string): number | undefined {
    return this.entries.find(([m]) => m === member)?.[1];
  }
  inRange(min: number, minEx: boolean, max: number, maxEx: boolean): Entry[] {
    return this.entries.filter(([, s]) => (minEx ? s > min : s >= min) && (maxEx ? s < max : s <= max));
  }
  rankRange(start: number, end: number): Entry[] {
    return rankSlice(this.entries, start, end);
  }
}

/** Redis's rank range start..end (negative from the end, clamped) over `list`. */
function rankSlice<T>(list: readonly T[], start: number, end: number): T[] {
  const n = list.length;
  if (start < 0) start += n;
  if (end < 0) end += n;
  if (start < 0) start = 0;
  if (start > end || start >= n) return [];
  return list.slice(start, Math.min(end, n - 1) + 1);
}

const flat = (entries: Entry[]) => entries.flatMap(([m, s]) => [m, text(s)]);
const bound = (value: number, exclusive: boolean) => (exclusive ? '(' : '') + text(value);

describe('sorted set commands against a sorted-array model', () => {
  const member = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'ab', 'ba', '');
  const score = fc.oneof(fc.integer({ min: -4, max: 4 }), fc.constantFrom(0.5, -2.25, Infinity, -Infinity));
  const index = fc.integer({ min: -8, max: 8 });
  const op = fc.oneof(
    fc.record({ kind: fc.constant('zadd' as const), pairs: fc.array(fc.tuple(score, member), { minLength: 1, maxLength: 4 }) }),
    fc.record({ kind: fc.constant('zincrby' as const), by: fc.integer({ min: -3, max: 3 }), member }),
    fc.record({ kind: fc.constant('zrem' as const), members: fc.array(member, { minLength: 1, maxLength: 3 }) }),
    fc.record({ kind: fc.constant('zpop' as const), max: fc.boolean(), count: fc.integer({ min: 0, max: 3 }) }),
    fc.record({ kind: fc.constant('zremrangebyrank' as const), start: index, end: index }),
    fc.record({ kind: fc.constant('zremrangebyscore' as const), min: score, minEx: fc.boolean(), max: score, maxEx: fc.boolean() }),
  );
  const query = fc.record({
    start: index,
    end: index,
    min: score,
    minEx: fc.boolean(),
    max: score,
    maxEx: fc.boolean(),
    offset: fc.integer({ min: -1, max: 4 }),
    limit: fc.integer({ min: -1, max: 4 }),
    member,
  });

  it('agrees on replies after any sequence of writes', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 25 }), fc.array(query, { minLength: 1, maxLength: 4 }), (ops, queries) => {
        h = new Harness();
        c = h.connect();
        const model = new Model();
        for (const o of ops) {
          if (o.kind === 'zadd') {
            c.call('ZADD', 'k', ...o.pairs.flatMap(([s, m]) => [text(s), m]));
            for (const [s, m] of o.pairs) model.set(m, s);
          } else if (o.kind === 'zincrby') {
            const current = model.score(o.member) ?? 0;
            const next = current + o.by;
            const reply = c.call('ZINCRBY', 'k', String(o.by), o.member);
            if (next !== next) {
              expect(reply).toBeInstanceOf(ReplyError);
            } else {
              expect(reply).toBe(text(next));
              model.set(o.member, next);
            }
          } else if (o.kind === 'zrem') {
            const expected = new Set(o.members.filter((m) => model.score(m) !== undefined)).size;
            expect(c.call('ZREM', 'k', ...o.members)).toBe(expected);
            for (const m of o.members) model.remove(m);
          } else if (o.kind === 'zpop') {
            const n = Math.min(o.count, model.entries.length);
            const popped = o.max ? model.entries.slice(model.entries.length - n).reverse() : model.entries.slice(0, n);
            expect(c.call(o.max ? 'ZPOPMAX' : 'ZPOPMIN', 'k', String(o.count))).toEqual(flat(popped));
            for (const [m] of popped) model.remove(m);
          } else if (o.kind === 'zremrangebyrank') {
            const doomed = model.rankRange(o.start, o.end);
            expect(c.call('ZREMRANGEBYRANK', 'k', String(o.start), String(o.end))).toBe(doomed.length);
            for (const [m] of doomed) model.remove(m);
          } else {
            const doomed = model.inRange(o.min, o.minEx, o.max, o.maxEx);
            expect(c.call('ZREMRANGEBYSCORE', 'k', bound(o.min, o.minEx), bound(o.max, o.maxEx))).toBe(doomed.length);
            for (const [m] of doomed) model.remove(m);
          }
        }
        const entries = model.entries;
        expect(c.call('ZCARD', 'k')).toBe(entries.length);
        expect(c.call('EXISTS', 'k')).toBe(entries.length > 0 ? 1 : 0);
        expect(c.call('ZRANGE', 'k', '0', '-1', 'WITHSCORES')).toEqual(flat(entries));
        entries.forEach(([m], i) => {
          expect(c.call('ZRANK', 'k', m)).toBe(i);
          expect(c.call('ZREVRANK', 'k', m)).toBe(entries.length - 1 - i);
        });
        // Lex queries run on a same-score copy (lex order is defined for equal scores).
        c.call('DEL', 'lex');
        if (entries.length > 0) c.call('ZADD', 'lex', ...entries.flatMap(([m]) => ['0', m]));
        const lexSorted = entries.map(([m]) => m).sort();
        for (const q of queries) {
          expect(c.call('ZRANGE', 'k', String(q.start), String(q.end))).toEqual(model.rankRange(q.start, q.end).map(([m]) => m));
          expect(c.call('ZREVRANGE', 'k', String(q.start), String(q.end))).toEqual(
            rankSlice([...entries].reverse(), q.start, q.end).map(([m]) => m),
          );
          const inRange = model.inRange(q.min, q.minEx, q.max, q.maxEx);
          const lo = bound(q.min, q.minEx);
          const hi = bound(q.max, q.maxEx);
          expect(c.call('ZCOUNT', 'k', lo, hi)).toBe(inRange.length);
          expect(c.call('ZRANGEBYSCORE', 'k', lo, hi, 'WITHSCORES')).toEqual(flat(inRange));
          expect(c.call('ZRANGEBYSCORE', 'k', lo, hi, 'LIMIT', String(q.offset), String(q.limit))).toEqual(
            limited(inRange, q.offset, q.limit).map(([m]) => m),
          );
          expect(c.call('ZREVRANGEBYSCORE', 'k', hi, lo, 'LIMIT', String(q.offset), String(q.limit))).toEqual(
            limited([...inRange].reverse(), q.offset, q.limit).map(([m]) => m),
          );
          const upper = `${[...q.member].reverse().join('')}b`;
          const lexMin = `${q.minEx ? '(' : '['}${q.member}`;
          const lexMax = `${q.maxEx ? '(' : '['}${upper}`;
          const lexIn = lexSorted.filter((m) => (q.minEx ? m > q.member : m >= q.member) && (q.maxEx ? m < upper : m <= upper));
          expect(c.call('ZLEXCOUNT', 'lex', lexMin, lexMax)).toBe(lexIn.length);
          expect(c.call('ZRANGEBYLEX', 'lex', lexMin, lexMax, 'LIMIT', String(q.offset), String(q.limit))).toEqual(
            limitedList(lexIn, q.offset, q.limit),
          );
          expect(c.call('ZREVRANGEBYLEX', 'lex', lexMax, lexMin)).toEqual([...lexIn].reverse());
          const rank = entries.findIndex(([m]) => m === q.member);
          expect(c.call('ZRANK', 'k', q.member, 'WITHSCORE')).toEqual(rank === -1 ? null : [rank, text(entries[rank]![1])]);
        }
        const stored = h.core.state.keyspace.databases[0]!.peek('k') as SortedSetValue | undefined;
        stored?.verify();
      }),
      { numRuns: 300 },
    );
  });
});

function limited(entries: Entry[], offset: number, limit: number): Entry[] {
  if (offset < 0) return [];
  return entries.slice(offset, limit < 0 ? undefined : offset + limit);
}

function limitedList(items: string[], offset: number, limit: number): string[] {
  if (offset < 0) return [];
  return items.slice(offset, limit < 0 ? undefined : offset + limit);
}
