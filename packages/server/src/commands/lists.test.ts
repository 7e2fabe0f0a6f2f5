import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { Harness, ReplyError, type Reply, type TestClient } from '../testing/harness.js';

/*
 * List commands through the in-process harness. Expected replies and error
 * texts were checked against redis-server 7.0.15 (Redis 7.2 where noted:
 * OBJECT ENCODING listpack, LPOS RANK LONG_MIN). The effect stream is
 * asserted exactly; `effects()` drops the SELECT the stream starts with.
 */

const err = (message: string) => new ReplyError(message);
const WRONGTYPE = err('WRONGTYPE Operation against a key holding the wrong kind of value');
const SYNTAX = err('ERR syntax error');
const NOT_INTEGER = err('ERR value is not an integer or out of range');
const MUST_BE_POSITIVE = err('ERR value is out of range, must be positive');
const arity = (name: string) => err(`ERR wrong number of arguments for '${name}' command`);

let h: Harness;
let c: TestClient;
const effects = () => h.takeEffects().filter((argv) => argv[0] !== 'SELECT');
const range = (key: string) => c.call('LRANGE', key, '0', '-1');

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

describe('LPUSH / RPUSH / LPUSHX / RPUSHX', () => {
  it('push at either end, reply the new length, and propagate themselves', () => {
    expect(c.call('lpush', 'k', 'a', 'b', 'c')).toBe(3);
    expect(c.call('rpush', 'k', 'x', 'y')).toBe(5);
    expect(range('k')).toEqual(['c', 'b', 'a', 'x', 'y']);
    expect(c.call('TYPE', 'k')).toBe('list');
    expect(effects()).toEqual([
      ['LPUSH', 'k', 'a', 'b', 'c'],
      ['RPUSH', 'k', 'x', 'y'],
    ]);
  });

  it('are binary safe and keep empty elements', () => {
    const value = 'a\x00b\xff\r\n';
    expect(c.call('RPUSH', 'bin\x00key', value, '')).toBe(2);
    expect(c.callBytes('LRANGE', 'bin\x00key', '0', '-1')).toBe(`*2\r\n$6\r\n${value}\r\n$0\r\n\r\n`);
  });

  it('LPUSHX / RPUSHX push only onto an existing list, and change nothing otherwise', () => {
    expect(c.call('LPUSHX', 'k', 'a')).toBe(0);
    expect(c.call('RPUSHX', 'k', 'a', 'b')).toBe(0);
    expect(c.call('EXISTS', 'k')).toBe(0);
    expect(effects()).toEqual([]);
    c.call('RPUSH', 'k', 'm');
    expect(c.call('lpushx', 'k', 'a', 'b')).toBe(3);
    expect(c.call('rpushx', 'k', 'z')).toBe(4);
    expect(range('k')).toEqual(['b', 'a', 'm', 'z']);
    expect(effects()).toEqual([
      ['RPUSH', 'k', 'm'],
      ['LPUSHX', 'k', 'a', 'b'],
      ['RPUSHX', 'k', 'z'],
    ]);
  });

  it('refuse other types and missing elements', () => {
    c.call('SET', 's', 'v');
    h.takeEffects();
    for (const name of ['LPUSH', 'RPUSH', 'LPUSHX', 'RPUSHX']) {
      expect(c.call(name, 's', 'a'), name).toEqual(WRONGTYPE);
      expect(c.call(name, 'k'), name).toEqual(arity(name.toLowerCase()));
    }
    expect(c.call('GET', 's')).toBe('v');
    expect(effects()).toEqual([]);
  });
});

describe('LPOP / RPOP', () => {
  beforeEach(() => {
    c.call('RPUSH', 'k', 'a', 'b', 'c', 'd');
    h.takeEffects();
  });

  it('pop one element without count', () => {
    expect(c.call('LPOP', 'k')).toBe('a');
    expect(c.call('rpop', 'k')).toBe('d');
    expect(range('k')).toEqual(['b', 'c']);
    expect(effects()).toEqual([['LPOP', 'k'], ['RPOP', 'k']]);
  });

  it('pop up to count elements with count, and delete the emptied list', () => {
    expect(c.call('LPOP', 'k', '1')).toEqual(['a']);
    expect(c.call('RPOP', 'k', '2')).toEqual(['d', 'c']);
    expect(c.call('LPOP', 'k', '10')).toEqual(['b']);
    expect(c.call('EXISTS', 'k')).toBe(0);
    expect(effects()).toEqual([
      ['LPOP', 'k', '1'],
      ['RPOP', 'k', '2'],
      ['LPOP', 'k', '10'],
    ]);
  });

  it('count 0 gives an empty array and changes nothing', () => {
    expect(c.callBytes('LPOP', 'k', '0')).toBe('*0\r\n');
    expect(c.callBytes('RPOP', 'k', '0')).toBe('*0\r\n');
    expect(c.call('LLEN', 'k')).toBe(4);
    expect(effects()).toEqual([]);
  });

  it('a missing key gives a null bulk without count and a null array with one (RESP2)', () => {
    expect(c.callBytes('LPOP', 'none')).toBe('$-1\r\n');
    expect(c.callBytes('RPOP', 'none', '3')).toBe('*-1\r\n');
    expect(c.callBytes('LPOP', 'none', '0')).toBe('*-1\r\n');
    expect(effects()).toEqual([]);
  });

  it('a missing key gives RESP3 null in both forms', () => {
    const c3 = resp3();
    expect(c3.callBytes('LPOP', 'none')).toBe('_\r\n');
    expect(c3.callBytes('RPOP', 'none', '2')).toBe('_\r\n');
  });

  it('refuse a bad count before looking at the key, other types, and extra arguments', () => {
    c.call('SET', 's', 'v');
    expect(c.call('LPOP', 'k', '-1')).toEqual(MUST_BE_POSITIVE);
    expect(c.call('LPOP', 's', 'x')).toEqual(MUST_BE_POSITIVE);
    expect(c.call('RPOP', 'k', '1.5')).toEqual(MUST_BE_POSITIVE);
    expect(c.call('LPOP', 's')).toEqual(WRONGTYPE);
    expect(c.call('RPOP', 's', '0')).toEqual(WRONGTYPE);
    expect(c.call('LPOP', 'k', '1', '2')).toEqual(arity('lpop'));
    expect(c.call('RPOP', 'k', '1', '2')).toEqual(arity('rpop'));
    expect(c.call('LPOP')).toEqual(arity('lpop'));
    expect(c.call('LLEN', 'k')).toBe(4);
  });
});

describe('LRANGE / LLEN / LINDEX', () => {
  beforeEach(() => {
    c.call('RPUSH', 'k', 'a', 'b', 'c', 'd', 'e');
    c.call('SET', 's', 'v');
  });

  it('LRANGE takes inclusive, negative and clamped ranges', () => {
    expect(c.call('LRANGE', 'k', '0', '-1')).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(c.call('LRANGE', 'k', '1', '2')).toEqual(['b', 'c']);
    expect(c.call('LRANGE', 'k', '-2', '-1')).toEqual(['d', 'e']);
    expect(c.call('LRANGE', 'k', '-100', '100')).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(c.call('LRANGE', 'k', '3', '1')).toEqual([]);
    expect(c.call('LRANGE', 'k', '5', '10')).toEqual([]);
    expect(c.call('LRANGE', 'k', '-1', '-2')).toEqual([]);
    expect(c.call('LRANGE', 'k', '9223372036854775807', '-9223372036854775808')).toEqual([]);
    expect(c.call('LRANGE', 'k', '-9223372036854775808', '9223372036854775807')).toHaveLength(5);
    expect(c.callBytes('LRANGE', 'none', '0', '-1')).toBe('*0\r\n');
  });

  it('LRANGE parses the range before looking at the key', () => {
    expect(c.call('LRANGE', 'none', 'x', '1')).toEqual(NOT_INTEGER);
    expect(c.call('LRANGE', 's', '0', '1.0')).toEqual(NOT_INTEGER);
    expect(c.call('LRANGE', 's', '0', '1')).toEqual(WRONGTYPE);
  });

  it('LLEN counts, 0 for a missing key', () => {
    expect(c.call('LLEN', 'k')).toBe(5);
    expect(c.call('LLEN', 'none')).toBe(0);
    expect(c.call('LLEN', 's')).toEqual(WRONGTYPE);
  });

  it('LINDEX reads by index, negative from the tail, null outside', () => {
    expect(c.call('LINDEX', 'k', '0')).toBe('a');
    expect(c.call('LINDEX', 'k', '-1')).toBe('e');
    expect(c.call('LINDEX', 'k', '-5')).toBe('a');
    expect(c.callBytes('LINDEX', 'k', '5')).toBe('$-1\r\n');
    expect(c.callBytes('LINDEX', 'k', '-6')).toBe('$-1\r\n');
    expect(c.callBytes('LINDEX', 'none', '0')).toBe('$-1\r\n');
    expect(resp3().callBytes('LINDEX', 'k', '99')).toBe('_\r\n');
  });

  it('LINDEX looks at the key before parsing the index', () => {
    expect(c.callBytes('LINDEX', 'none', 'x')).toBe('$-1\r\n');
    expect(c.call('LINDEX', 's', 'x')).toEqual(WRONGTYPE);
    expect(c.call('LINDEX', 'k', 'x')).toEqual(NOT_INTEGER);
  });

  it('count keyspace hits and misses like reads', () => {
    const stats = h.core.state.stats;
    const hits = stats.keyspaceHits;
    const misses = stats.keyspaceMisses;
    c.call('LLEN', 'k');
    c.call('LRANGE', 'k', '0', '1');
    c.call('LINDEX', 'none', '0');
    expect(stats.keyspaceHits - hits).toBe(2);
    expect(stats.keyspaceMisses - misses).toBe(1);
  });
});

describe('LSET', () => {
  it('replaces by index and propagates itself', () => {
    c.call('RPUSH', 'k', 'a', 'b', 'c');
    h.takeEffects();
    expect(c.call('lset', 'k', '0', 'A')).toBe('OK');
    expect(c.call('LSET', 'k', '-1', 'C')).toBe('OK');
    expect(range('k')).toEqual(['A', 'b', 'C']);
    expect(effects()).toEqual([
      ['LSET', 'k', '0', 'A'],
      ['LSET', 'k', '-1', 'C'],
    ]);
  });

  it('setting the element it already holds is still a write (propagated, invalidates WATCH), as in Redis', () => {
    c.call('RPUSH', 'k', 'a', 'b');
    h.takeEffects();
    c.call('WATCH', 'k');
    expect(c.call('LSET', 'k', '0', 'a')).toBe('OK');
    c.call('MULTI');
    c.call('PING');
    expect(c.call('EXEC')).toBeNull();
    expect(effects()).toEqual([['LSET', 'k', '0', 'a']]);
  });

  it('checks the key, then the index', () => {
    c.call('RPUSH', 'k', 'a');
    c.call('SET', 's', 'v');
    h.takeEffects();
    expect(c.call('LSET', 'none', 'x', 'v')).toEqual(err('ERR no such key'));
    expect(c.call('LSET', 's', 'x', 'v')).toEqual(WRONGTYPE);
    expect(c.call('LSET', 'k', 'x', 'v')).toEqual(NOT_INTEGER);
    expect(c.call('LSET', 'k', '1', 'v')).toEqual(err('ERR index out of range'));
    expect(c.call('LSET', 'k', '-2', 'v')).toEqual(err('ERR index out of range'));
    expect(effects()).toEqual([]);
  });
});

describe('LREM', () => {
  beforeEach(() => {
    c.call('RPUSH', 'k', 'a', 'b', 'a', 'c', 'a', 'b');
    h.takeEffects();
  });

  it('removes from the head, the tail, or everywhere', () => {
    expect(c.call('LREM', 'k', '1', 'a')).toBe(1);
    expect(range('k')).toEqual(['b', 'a', 'c', 'a', 'b']);
    expect(c.call('LREM', 'k', '-1', 'b')).toBe(1);
    expect(range('k')).toEqual(['b', 'a', 'c', 'a']);
    expect(c.call('lrem', 'k', '0', 'a')).toBe(2);
    expect(range('k')).toEqual(['b', 'c']);
    expect(c.call('LREM', 'k', '9223372036854775807', 'b')).toBe(1);
    expect(effects()).toEqual([
      ['LREM', 'k', '1', 'a'],
      ['LREM', 'k', '-1', 'b'],
      ['LREM', 'k', '0', 'a'],
      ['LREM', 'k', '9223372036854775807', 'b'],
    ]);
  });

  it('deletes the emptied list; removing nothing propagates nothing', () => {
    expect(c.call('LREM', 'k', '0', 'zz')).toBe(0);
    expect(c.call('LREM', 'none', '0', 'a')).toBe(0);
    expect(effects()).toEqual([]);
    c.call('LREM', 'k', '0', 'a');
    c.call('LREM', 'k', '0', 'b');
    expect(c.call('LREM', 'k', '-5', 'c')).toBe(1);
    expect(c.call('EXISTS', 'k')).toBe(0);
  });

  it('parses the count before looking at the key', () => {
    c.call('SET', 's', 'v');
    expect(c.call('LREM', 'none', 'x', 'a')).toEqual(NOT_INTEGER);
    expect(c.call('LREM', 's', 'x', 'a')).toEqual(NOT_INTEGER);
    expect(c.call('LREM', 's', '0', 'a')).toEqual(WRONGTYPE);
  });
});

describe('LTRIM', () => {
  beforeEach(() => {
    c.call('RPUSH', 'k', 'a', 'b', 'c', 'd', 'e');
    h.takeEffects();
  });

  it('keeps the range, with negative and clamped indices', () => {
    expect(c.call('LTRIM', 'k', '1', '-2')).toBe('OK');
    expect(range('k')).toEqual(['b', 'c', 'd']);
    expect(c.call('ltrim', 'k', '-2', '100')).toBe('OK');
    expect(range('k')).toEqual(['c', 'd']);
    expect(effects()).toEqual([
      ['LTRIM', 'k', '1', '-2'],
      ['LTRIM', 'k', '-2', '100'],
    ]);
  });

  it('deletes the list for an empty range', () => {
    expect(c.call('LTRIM', 'k', '3', '1')).toBe('OK');
    expect(c.call('EXISTS', 'k')).toBe(0);
    c.call('RPUSH', 'j', 'a');
    expect(c.call('LTRIM', 'j', '5', '10')).toBe('OK');
    expect(c.call('EXISTS', 'j')).toBe(0);
    expect(effects()).toEqual([['LTRIM', 'k', '3', '1'], ['RPUSH', 'j', 'a'], ['LTRIM', 'j', '5', '10']]);
  });

  it('propagates nothing when it removes nothing', () => {
    expect(c.call('LTRIM', 'k', '0', '-1')).toBe('OK');
    expect(c.call('LTRIM', 'k', '-100', '100')).toBe('OK');
    expect(c.call('LTRIM', 'none', '0', '1')).toBe('OK');
    expect(effects()).toEqual([]);
  });

  it('counts as a modification for WATCH even when it keeps every element, as in Redis', () => {
    c.call('SET', 's', 'v');
    // [key, start, stop, whether EXEC is refused], checked against redis-server.
    const cases: [string, string, string, boolean][] = [
      ['k', '0', '-1', true],
      ['k', '-100', '100', true],
      ['none', '0', '-1', false],
      ['s', '0', '-1', false], // WRONGTYPE
    ];
    for (const [key, start, stop, refused] of cases) {
      c.call('WATCH', key);
      c.call('LTRIM', key, start, stop);
      c.call('MULTI');
      c.call('PING');
      expect(c.call('EXEC')).toEqual(refused ? null : ['PONG']);
    }
    expect(range('k')).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(effects()).toEqual([['SET', 's', 'v']]);
  });

  it('parses the range before looking at the key', () => {
    c.call('SET', 's', 'v');
    expect(c.call('LTRIM', 'none', 'x', '0')).toEqual(NOT_INTEGER);
    expect(c.call('LTRIM', 's', '0', 'x')).toEqual(NOT_INTEGER);
    expect(c.call('LTRIM', 's', '0', '1')).toEqual(WRONGTYPE);
  });
});

describe('LINSERT', () => {
  beforeEach(() => {
    c.call('RPUSH', 'k', 'a', 'b', 'c');
    h.takeEffects();
  });

  it('inserts before or after the first pivot, canonicalising the effect', () => {
    expect(c.call('LINSERT', 'k', 'before', 'b', 'x')).toBe(4);
    expect(c.call('linsert', 'k', 'After', 'c', 'y')).toBe(5);
    expect(c.call('LINSERT', 'k', 'BEFORE', 'a', 'first')).toBe(6);
    expect(range('k')).toEqual(['first', 'a', 'x', 'b', 'c', 'y']);
    expect(effects()).toEqual([
      ['LINSERT', 'k', 'BEFORE', 'b', 'x'],
      ['LINSERT', 'k', 'AFTER', 'c', 'y'],
      ['LINSERT', 'k', 'BEFORE', 'a', 'first'],
    ]);
  });

  it('replies -1 without the pivot and 0 without the key, propagating nothing', () => {
    expect(c.call('LINSERT', 'k', 'BEFORE', 'zz', 'x')).toBe(-1);
    expect(c.call('LINSERT', 'none', 'AFTER', 'a', 'x')).toBe(0);
    expect(c.call('EXISTS', 'none')).toBe(0);
    expect(effects()).toEqual([]);
  });

  it('checks BEFORE|AFTER before the key', () => {
    c.call('SET', 's', 'v');
    expect(c.call('LINSERT', 'none', 'MIDDLE', 'a', 'x')).toEqual(SYNTAX);
    expect(c.call('LINSERT', 's', 'MIDDLE', 'a', 'x')).toEqual(SYNTAX);
    expect(c.call('LINSERT', 's', 'BEFORE', 'a', 'x')).toEqual(WRONGTYPE);
  });
});

describe('LPOS', () => {
  beforeEach(() => {
    c.call('RPUSH', 'k', 'a', 'b', 'c', 'a', 'b', 'c');
  });

  it('finds the first match, or the rank-th from either end', () => {
    expect(c.call('LPOS', 'k', 'a')).toBe(0);
    expect(c.call('LPOS', 'k', 'c')).toBe(2);
    expect(c.call('LPOS', 'k', 'a', 'RANK', '2')).toBe(3);
    expect(c.call('LPOS', 'k', 'a', 'rank', '-1')).toBe(3);
    expect(c.call('LPOS', 'k', 'a', 'RANK', '-2')).toBe(0);
    expect(c.callBytes('LPOS', 'k', 'a', 'RANK', '3')).toBe('$-1\r\n');
    expect(c.callBytes('LPOS', 'k', 'zz')).toBe('$-1\r\n');
    expect(c.call('LPOS', 'k', 'a', 'RANK', '-9223372036854775807')).toBeNull();
  });

  it('lists matches with COUNT (0 = all), from the rank on', () => {
    expect(c.call('LPOS', 'k', 'a', 'COUNT', '0')).toEqual([0, 3]);
    expect(c.call('LPOS', 'k', 'b', 'COUNT', '1')).toEqual([1]);
    expect(c.call('LPOS', 'k', 'a', 'RANK', '-1', 'COUNT', '0')).toEqual([3, 0]);
    expect(c.call('LPOS', 'k', 'a', 'RANK', '2', 'COUNT', '5')).toEqual([3]);
    expect(c.callBytes('LPOS', 'k', 'zz', 'COUNT', '2')).toBe('*0\r\n');
  });

  it('compares at most MAXLEN elements (0 = all)', () => {
    expect(c.call('LPOS', 'k', 'c', 'RANK', '-1', 'MAXLEN', '1')).toBe(5);
    expect(c.call('LPOS', 'k', 'c', 'MAXLEN', '2')).toBeNull();
    expect(c.call('LPOS', 'k', 'c', 'MAXLEN', '0')).toBe(2);
    expect(c.call('LPOS', 'k', 'a', 'COUNT', '0', 'MAXLEN', '3')).toEqual([0]);
    expect(c.call('LPOS', 'k', 'a', 'rank', '1', 'count', '1', 'maxlen', '0')).toEqual([0]);
  });

  it('lets a repeated option override the earlier one', () => {
    expect(c.call('LPOS', 'k', 'a', 'RANK', '1', 'RANK', '2')).toBe(3);
  });

  it('answers a missing key with null, or an empty array with COUNT (RESP2 and RESP3)', () => {
    expect(c.callBytes('LPOS', 'none', 'a')).toBe('$-1\r\n');
    expect(c.callBytes('LPOS', 'none', 'a', 'COUNT', '1')).toBe('*0\r\n');
    const c3 = resp3();
    expect(c3.callBytes('LPOS', 'none', 'a')).toBe('_\r\n');
    expect(c3.callBytes('LPOS', 'k', 'zz')).toBe('_\r\n');
    expect(c3.callBytes('LPOS', 'none', 'a', 'COUNT', '0')).toBe('*0\r\n');
  });

  it('refuses bad options with Redis texts, before looking at the key', () => {
    c.call('SET', 's', 'v');
    const rankZero = err(
      "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list",
    );
    expect(c.call('LPOS', 'k', 'a', 'RANK', '0')).toEqual(rankZero);
    expect(c.call('LPOS', 's', 'a', 'RANK', '0')).toEqual(rankZero);
    expect(c.call('LPOS', 'k', 'a', 'RANK', 'x')).toEqual(NOT_INTEGER);
    // Redis 7.2 (7.0 took LONG_MIN as -1).
    expect(c.call('LPOS', 'k', 'a', 'RANK', '-9223372036854775808')).toEqual(
      err('ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807'),
    );
    expect(c.call('LPOS', 'k', 'a', 'COUNT', '-1')).toEqual(err("ERR COUNT can't be negative"));
    expect(c.call('LPOS', 'k', 'a', 'COUNT', 'x')).toEqual(err("ERR COUNT can't be negative"));
    expect(c.call('LPOS', 'k', 'a', 'MAXLEN', '-1')).toEqual(err("ERR MAXLEN can't be negative"));
    expect(c.call('LPOS', 'k', 'a', 'MAXLEN', 'x')).toEqual(err("ERR MAXLEN can't be negative"));
    expect(c.call('LPOS', 'k', 'a', 'FOO')).toEqual(SYNTAX);
    expect(c.call('LPOS', 'k', 'a', 'RANK')).toEqual(SYNTAX);
    expect(c.call('LPOS', 'k', 'a', 'COUNT', '1', 'MAXLEN')).toEqual(SYNTAX);
    expect(c.call('LPOS', 's', 'a')).toEqual(WRONGTYPE);
    expect(c.call('LPOS', 'k')).toEqual(arity('lpos'));
  });
});

describe('LMOVE / RPOPLPUSH', () => {
  beforeEach(() => {
    c.call('RPUSH', 'src', 'a', 'b', 'c');
    h.takeEffects();
  });

  it('moves between any ends, creating the destination, canonicalising the effect', () => {
    expect(c.call('LMOVE', 'src', 'dst', 'left', 'right')).toBe('a');
    expect(c.call('LMOVE', 'src', 'dst', 'RIGHT', 'LEFT')).toBe('c');
    expect(c.call('lmove', 'dst', 'src', 'Right', 'Right')).toBe('a');
    expect(c.call('LMOVE', 'dst', 'src', 'LEFT', 'LEFT')).toBe('c');
    expect(range('src')).toEqual(['c', 'b', 'a']);
    expect(c.call('EXISTS', 'dst')).toBe(0);
    expect(effects()).toEqual([
      ['LMOVE', 'src', 'dst', 'LEFT', 'RIGHT'],
      ['LMOVE', 'src', 'dst', 'RIGHT', 'LEFT'],
      ['LMOVE', 'dst', 'src', 'RIGHT', 'RIGHT'],
      ['LMOVE', 'dst', 'src', 'LEFT', 'LEFT'],
    ]);
  });

  it('RPOPLPUSH moves tail to head and propagates itself', () => {
    expect(c.call('rpoplpush', 'src', 'dst')).toBe('c');
    expect(c.call('RPOPLPUSH', 'src', 'dst')).toBe('b');
    expect(range('dst')).toEqual(['b', 'c']);
    expect(effects()).toEqual([
      ['RPOPLPUSH', 'src', 'dst'],
      ['RPOPLPUSH', 'src', 'dst'],
    ]);
  });

  it('rotates a list onto itself, also a single-element one', () => {
    expect(c.call('RPOPLPUSH', 'src', 'src')).toBe('c');
    expect(range('src')).toEqual(['c', 'a', 'b']);
    expect(c.call('LMOVE', 'src', 'src', 'LEFT', 'RIGHT')).toBe('c');
    expect(range('src')).toEqual(['a', 'b', 'c']);
    c.call('RPUSH', 'one', 'x');
    expect(c.call('LMOVE', 'one', 'one', 'LEFT', 'LEFT')).toBe('x');
    expect(range('one')).toEqual(['x']);
  });

  it('replies null for a missing source without checking the destination', () => {
    c.call('SET', 's', 'v');
    h.takeEffects();
    expect(c.callBytes('LMOVE', 'none', 's', 'LEFT', 'RIGHT')).toBe('$-1\r\n');
    expect(c.callBytes('RPOPLPUSH', 'none', 'dst')).toBe('$-1\r\n');
    expect(resp3().callBytes('RPOPLPUSH', 'none', 'dst')).toBe('_\r\n');
    expect(effects()).toEqual([]);
  });

  it('refuses wrong types on either side, and bad directions before anything', () => {
    c.call('SET', 's', 'v');
    h.takeEffects();
    expect(c.call('LMOVE', 's', 'dst', 'LEFT', 'LEFT')).toEqual(WRONGTYPE);
    expect(c.call('LMOVE', 'src', 's', 'LEFT', 'LEFT')).toEqual(WRONGTYPE);
    expect(c.call('RPOPLPUSH', 'src', 's')).toEqual(WRONGTYPE);
    expect(c.call('LMOVE', 's', 'dst', 'MIDDLE', 'LEFT')).toEqual(SYNTAX);
    expect(c.call('LMOVE', 'none', 'dst', 'LEFT', 'UP')).toEqual(SYNTAX);
    expect(range('src')).toEqual(['a', 'b', 'c']);
    expect(effects()).toEqual([]);
  });
});

describe('LMPOP', () => {
  beforeEach(() => {
    c.call('RPUSH', 'k1', 'a', 'b', 'c');
    c.call('RPUSH', 'k2', 'x');
    c.call('SET', 's', 'v');
    h.takeEffects();
  });

  it('pops from the first non-empty list, propagating LPOP|RPOP key <popped>', () => {
    expect(c.call('LMPOP', '2', 'none', 'k1', 'LEFT')).toEqual(['k1', ['a']]);
    expect(c.call('lmpop', '2', 'k2', 'k1', 'right', 'count', '5')).toEqual(['k2', ['x']]);
    expect(c.call('LMPOP', '1', 'k1', 'RIGHT', 'COUNT', '10')).toEqual(['k1', ['c', 'b']]);
    expect(c.call('EXISTS', 'k1', 'k2')).toBe(0);
    expect(effects()).toEqual([
      ['LPOP', 'k1', '1'],
      ['RPOP', 'k2', '1'],
      ['RPOP', 'k1', '2'],
    ]);
  });

  it('replies a null array when every key is missing (RESP2 and RESP3)', () => {
    expect(c.callBytes('LMPOP', '2', 'none', 'other', 'LEFT')).toBe('*-1\r\n');
    expect(resp3().callBytes('LMPOP', '1', 'none', 'LEFT', 'COUNT', '3')).toBe('_\r\n');
    expect(effects()).toEqual([]);
  });

  it('answers WRONGTYPE only for a key of another type met before the first list', () => {
    expect(c.call('LMPOP', '2', 's', 'k1', 'LEFT')).toEqual(WRONGTYPE);
    expect(c.call('LMPOP', '2', 'k2', 's', 'LEFT')).toEqual(['k2', ['x']]);
  });

  it('refuses bad arguments with Redis texts', () => {
    const numkeys = err('ERR numkeys should be greater than 0');
    const count = err('ERR count should be greater than 0');
    expect(c.call('LMPOP', '0', 'k1', 'LEFT')).toEqual(numkeys);
    expect(c.call('LMPOP', 'x', 'k1', 'LEFT')).toEqual(numkeys);
    expect(c.call('LMPOP', '-1', 'k1', 'LEFT')).toEqual(numkeys);
    expect(c.call('LMPOP', '2', 'k1', 'LEFT')).toEqual(SYNTAX);
    expect(c.call('LMPOP', '9223372036854775807', 'k1', 'LEFT')).toEqual(SYNTAX);
    expect(c.call('LMPOP', '1', 'k1', 'MIDDLE')).toEqual(SYNTAX);
    expect(c.call('LMPOP', '1', 'k1', 'LEFT', 'COUNT', '0')).toEqual(count);
    expect(c.call('LMPOP', '1', 'k1', 'LEFT', 'COUNT', '-1')).toEqual(count);
    expect(c.call('LMPOP', '1', 'k1', 'LEFT', 'COUNT', 'x')).toEqual(count);
    expect(c.call('LMPOP', '1', 'k1', 'LEFT', 'COUNT')).toEqual(SYNTAX);
    expect(c.call('LMPOP', '1', 'k1', 'LEFT', 'COUNT', '1', 'COUNT', '1')).toEqual(SYNTAX);
    expect(c.call('LMPOP', '1', 'k1', 'LEFT', 'FOO')).toEqual(SYNTAX);
    expect(c.call('LMPOP', '1', 'k1')).toEqual(arity('lmpop'));
    expect(range('k1')).toEqual(['a', 'b', 'c']);
    expect(effects()).toEqual([]);
  });

  it('takes numkeys literally: keys may look like directions', () => {
    c.call('RPUSH', 'LEFT', 'l');
    expect(c.call('LMPOP', '2', 'none', 'LEFT', 'LEFT')).toEqual(['LEFT', ['l']]);
  });
});

describe('blocking commands served at once', () => {
  beforeEach(() => {
    c.call('RPUSH', 'k1', 'a', 'b');
    c.call('RPUSH', 'k2', 'x', 'y');
    c.call('SET', 's', 'v');
    h.takeEffects();
  });

  it('BLPOP / BRPOP pop from the first non-empty list and propagate LPOP / RPOP', () => {
    expect(c.call('BLPOP', 'none', 'k2', 'k1', '0')).toEqual(['k2', 'x']);
    expect(c.call('brpop', 'k1', 'k2', '1.5')).toEqual(['k1', 'b']);
    expect(c.call('BRPOP', 'k1', '0')).toEqual(['k1', 'a']);
    expect(c.call('EXISTS', 'k1')).toBe(0);
    expect(effects()).toEqual([['LPOP', 'k2'], ['RPOP', 'k1'], ['RPOP', 'k1']]);
  });

  it('BLPOP checks the timeout before the keys, then the types in order', () => {
    expect(c.call('BLPOP', 's', 'x')).toEqual(err('ERR timeout is not a float or out of range'));
    expect(c.call('BLPOP', 's', '-1')).toEqual(err('ERR timeout is negative'));
    expect(c.call('BLPOP', 's', 'k1', '0')).toEqual(WRONGTYPE);
    expect(c.call('BLPOP', 'k1', 's', '0')).toEqual(['k1', 'a']);
    expect(c.call('BLPOP', 'k1')).toEqual(arity('blpop'));
  });

  it('reads the timeout as C strtold does (hex floats, inf, the long double range), as Redis', () => {
    const notFloat = err('ERR timeout is not a float or out of range');
    const negative = err('ERR timeout is negative');
    const outOfRange = err('ERR timeout is out of range');
    // Whether redis-server 7.0.15 accepts each text was checked with BLPOP inside MULTI; the
    // range errors are Redis 7.2's (7.0 answers "negative" for "inf" and "1e400").
    const cases: [string, Reply][] = [
      ['0x10', null],
      ['0x1p3', null],
      ['0X1P-2', null],
      ['1e3', null],
      ['.5', null],
      ['+1', null],
      ['-0', null],
      ['-0.0001', null], // rounds up to 0 ms: block forever
      ['1e-400', null], // below a double, not below a long double
      ['1e-4950', null],
      [' 1', notFloat],
      ['1 ', notFloat],
      ['nan', notFloat],
      ['1e', notFloat],
      ['0x', notFloat],
      ['', notFloat],
      ['1\x00', notFloat],
      ['1e5000', notFloat], // beyond the long double range
      ['1e-5000', notFloat], // underflows to 0
      ['0x1p20000', notFloat],
      ['-1', negative],
      ['-inf', negative],
      ['inf', outOfRange],
      ['1e400', outOfRange],
      ['9300000000000000', outOfRange],
    ];
    c.call('MULTI');
    for (const [text] of cases) c.call('BLPOP', 'none', text);
    expect(c.call('EXEC')).toEqual(cases.map(([, reply]) => reply));
  });

  it('waits as long as the strtold-read timeout says, rounding fractions of a ms up', () => {
    const c2 = h.connect();
    for (const [text, ms] of [
      ['0x10', 16_000],
      ['0x1p-3', 125],
      ['1e-400', 1],
      ['0.0015', 2],
    ] as const) {
      expect(c2.callRaw(['BLPOP', 'none', text])).toEqual([]);
      h.advance(ms - 1);
      expect(c2.pending()).toEqual([]);
      h.advance(1);
      expect(c2.pending()).toEqual([null]);
    }
  });

  it('BLMOVE / BRPOPLPUSH move at once and propagate LMOVE / RPOPLPUSH', () => {
    expect(c.call('BLMOVE', 'k1', 'd', 'left', 'left', '0')).toBe('a');
    expect(c.call('BRPOPLPUSH', 'k2', 'd', '0')).toBe('y');
    expect(range('d')).toEqual(['y', 'a']);
    expect(effects()).toEqual([
      ['LMOVE', 'k1', 'd', 'LEFT', 'LEFT'],
      ['RPOPLPUSH', 'k2', 'd'],
    ]);
  });

  it('BLMOVE checks the directions, then the timeout, then the types', () => {
    expect(c.call('BLMOVE', 's', 'd', 'LEFT', 'MIDDLE', 'x')).toEqual(SYNTAX);
    expect(c.call('BLMOVE', 's', 'd', 'LEFT', 'LEFT', 'x')).toEqual(err('ERR timeout is not a float or out of range'));
    expect(c.call('BLMOVE', 's', 'd', 'LEFT', 'LEFT', '0')).toEqual(WRONGTYPE);
    expect(c.call('BLMOVE', 'k1', 's', 'LEFT', 'LEFT', '0')).toEqual(WRONGTYPE);
    expect(c.call('BRPOPLPUSH', 'k1', 's', 'x')).toEqual(err('ERR timeout is not a float or out of range'));
    expect(c.call('BRPOPLPUSH', 'k1', 's', '0')).toEqual(WRONGTYPE);
    expect(range('k1')).toEqual(['a', 'b']);
    expect(effects()).toEqual([]);
  });

  it('BLMPOP pops like LMPOP and propagates LPOP|RPOP key <popped>', () => {
    expect(c.call('BLMPOP', '0', '2', 'none', 'k1', 'RIGHT', 'COUNT', '5')).toEqual(['k1', ['b', 'a']]);
    expect(c.call('blmpop', '0.1', '1', 'k2', 'left')).toEqual(['k2', ['x']]);
    expect(effects()).toEqual([
      ['RPOP', 'k1', '2'],
      ['LPOP', 'k2', '1'],
    ]);
  });

  it('BLMPOP checks numkeys and the rest before the timeout', () => {
    const numkeys = err('ERR numkeys should be greater than 0');
    expect(c.call('BLMPOP', 'x', 'x', 'k1', 'LEFT')).toEqual(numkeys);
    expect(c.call('BLMPOP', 'x', '1', 'k1', 'MIDDLE')).toEqual(SYNTAX);
    expect(c.call('BLMPOP', 'x', '1', 'k1', 'LEFT')).toEqual(err('ERR timeout is not a float or out of range'));
    expect(c.call('BLMPOP', '-1', '1', 'k1', 'LEFT')).toEqual(err('ERR timeout is negative'));
    expect(c.call('BLMPOP', '0', '1', 'k1', 'LEFT', 'COUNT', '0')).toEqual(err('ERR count should be greater than 0'));
    expect(c.call('BLMPOP', '0', '2', 's', 'k1', 'LEFT')).toEqual(WRONGTYPE);
    expect(c.call('BLMPOP', '0', '1', 'k1')).toEqual(arity('blmpop'));
    expect(range('k1')).toEqual(['a', 'b']);
  });

  it('inside a transaction reply the timeout answer at once: null array, or null bulk for the moves', () => {
    c.call('MULTI');
    for (const argv of [
      ['BLPOP', 'none', '0'],
      ['BRPOP', 'none', 'other', '1'],
      ['BLMPOP', '0', '1', 'none', 'LEFT'],
      ['BLMOVE', 'none', 'd', 'LEFT', 'LEFT', '0'],
      ['BRPOPLPUSH', 'none', 'd', '0'],
      ['BLPOP', 'none', 'k1', '0'], // still served when there is something to pop
    ]) {
      expect(c.call(...argv)).toBe('QUEUED');
    }
    expect(c.callBytes('EXEC')).toBe('*6\r\n*-1\r\n*-1\r\n*-1\r\n$-1\r\n$-1\r\n*2\r\n$2\r\nk1\r\n$1\r\na\r\n');
    expect(effects()).toEqual([['LPOP', 'k1']]);
  });

  it('inside a transaction reply RESP3 nulls', () => {
    const c3 = resp3();
    c3.call('MULTI');
    c3.call('BLPOP', 'none', '0');
    c3.call('BLMOVE', 'none', 'd', 'LEFT', 'LEFT', '0');
    expect(c3.callBytes('EXEC')).toBe('*2\r\n_\r\n_\r\n');
  });
});

describe('blocking commands that wait', () => {
  let c2: TestClient;
  beforeEach(() => {
    c2 = h.connect();
  });
  /** The bytes that reached `client` outside its own calls. */
  const pendingBytes = (client: TestClient) => client.session.reply.take().toString('latin1');

  it('BLPOP waits for a push, then pops and propagates LPOP after the push', () => {
    expect(c.callRaw(['BLPOP', 'k', '0'])).toEqual([]);
    expect(c2.call('LPUSH', 'k', 'a')).toBe(1);
    expect(c.pending()).toEqual([['k', 'a']]);
    expect(c2.call('EXISTS', 'k')).toBe(0);
    expect(effects()).toEqual([['LPUSH', 'k', 'a'], ['LPOP', 'k']]);
    // Unblocked: the next command runs normally.
    expect(c.call('LLEN', 'k')).toBe(0);
  });

  it('serves waiters in arrival order, one element each', () => {
    const c3 = h.connect();
    expect(c.callRaw(['BRPOP', 'k', '0'])).toEqual([]);
    expect(c3.callRaw(['BLPOP', 'k', '0'])).toEqual([]);
    expect(c2.call('RPUSH', 'k', 'a', 'b', 'c')).toBe(3);
    expect(c.pending()).toEqual([['k', 'c']]);
    expect(c3.pending()).toEqual([['k', 'a']]);
    expect(c2.call('LRANGE', 'k', '0', '-1')).toEqual(['b']);
    expect(effects()).toEqual([['RPUSH', 'k', 'a', 'b', 'c'], ['RPOP', 'k'], ['LPOP', 'k']]);
  });

  it('waits on several keys and pops from the one that got elements', () => {
    expect(c.callRaw(['BLPOP', 'a', 'b', 'a', '0'])).toEqual([]);
    c2.call('RPUSH', 'b', 'x');
    expect(c.pending()).toEqual([['b', 'x']]);
  });

  it('ignores a key that gets another type, and is served once it holds a list', () => {
    expect(c.callRaw(['BLPOP', 'k', '0'])).toEqual([]);
    c2.call('SET', 'k', 'v');
    expect(c.pending()).toEqual([]);
    c2.call('DEL', 'k');
    c2.call('RPUSH', 'k', 'x');
    expect(c.pending()).toEqual([['k', 'x']]);
  });

  it('is served after a transaction that leaves elements, not by one that leaves none', () => {
    expect(c.callRaw(['BLPOP', 'k', '0'])).toEqual([]);
    c2.call('MULTI');
    c2.call('RPUSH', 'k', 'a');
    c2.call('LPOP', 'k');
    expect(c2.call('EXEC')).toEqual([1, 'a']);
    expect(c.pending()).toEqual([]);
    c2.call('MULTI');
    c2.call('RPUSH', 'k', 'a');
    c2.call('RPUSH', 'k', 'b');
    c2.call('EXEC');
    expect(c.pending()).toEqual([['k', 'a']]);
    expect(c2.call('LRANGE', 'k', '0', '-1')).toEqual(['b']);
  });

  it('times out with a null array (RESP2 and RESP3) at the deadline', () => {
    expect(c.callRaw(['BLPOP', 'k', '1.5'])).toEqual([]);
    h.advance(1499);
    expect(pendingBytes(c)).toBe('');
    h.advance(1);
    expect(pendingBytes(c)).toBe('*-1\r\n');
    const c3 = resp3();
    expect(c3.callRaw(['BLMPOP', '0.01', '1', 'k', 'LEFT'])).toEqual([]);
    h.advance(10);
    expect(pendingBytes(c3)).toBe('_\r\n');
    // Nothing is served afterwards.
    c2.call('RPUSH', 'k', 'x');
    expect(c.pending()).toEqual([]);
    expect(c2.call('LLEN', 'k')).toBe(1);
    expect(effects()).toEqual([['RPUSH', 'k', 'x']]);
  });

  it('BLMOVE and BRPOPLPUSH time out with a null array, as Redis does', () => {
    expect(c.callRaw(['BLMOVE', 'src', 'dst', 'LEFT', 'LEFT', '1'])).toEqual([]);
    expect(c2.callRaw(['BRPOPLPUSH', 'src', 'dst', '1'])).toEqual([]);
    h.advance(1000);
    expect(pendingBytes(c)).toBe('*-1\r\n');
    expect(pendingBytes(c2)).toBe('*-1\r\n');
  });

  it('BLMOVE waits for the source, then moves and propagates LMOVE', () => {
    expect(c.callRaw(['BLMOVE', 'src', 'dst', 'RIGHT', 'LEFT', '0'])).toEqual([]);
    c2.call('RPUSH', 'src', 'a', 'b');
    expect(c.pending()).toEqual(['b']);
    expect(c2.call('LRANGE', 'dst', '0', '-1')).toEqual(['b']);
    expect(c2.call('LRANGE', 'src', '0', '-1')).toEqual(['a']);
    expect(effects()).toEqual([['RPUSH', 'src', 'a', 'b'], ['LMOVE', 'src', 'dst', 'RIGHT', 'LEFT']]);
  });

  it('BRPOPLPUSH waits, then moves and propagates RPOPLPUSH', () => {
    expect(c.callRaw(['BRPOPLPUSH', 'src', 'dst', '0'])).toEqual([]);
    c2.call('RPUSH', 'src', 'a');
    expect(c.pending()).toEqual(['a']);
    expect(effects()).toEqual([['RPUSH', 'src', 'a'], ['RPOPLPUSH', 'src', 'dst']]);
  });

  it('chains: a BLMOVE into a list another client waits on serves that client too', () => {
    const c3 = h.connect();
    expect(c.callRaw(['BLMOVE', 'a', 'b', 'LEFT', 'LEFT', '0'])).toEqual([]);
    expect(c2.callRaw(['BLPOP', 'b', '0'])).toEqual([]);
    c3.call('RPUSH', 'a', 'x');
    expect(c.pending()).toEqual(['x']);
    expect(c2.pending()).toEqual([['b', 'x']]);
    expect(c3.call('EXISTS', 'a', 'b')).toBe(0);
    expect(effects()).toEqual([['RPUSH', 'a', 'x'], ['LMOVE', 'a', 'b', 'LEFT', 'LEFT'], ['LPOP', 'b']]);
  });

  it('BLMOVE answers WRONGTYPE (and is unblocked) when the destination got another type, as Redis 7.2', () => {
    expect(c.callRaw(['BLMOVE', 'src', 'dst', 'LEFT', 'LEFT', '0'])).toEqual([]);
    c2.call('SET', 'dst', 'v');
    c2.call('RPUSH', 'src', 'a');
    expect(c.pending()).toEqual([WRONGTYPE]);
    expect(c2.call('LRANGE', 'src', '0', '-1')).toEqual(['a']);
    expect(effects()).toEqual([['SET', 'dst', 'v'], ['RPUSH', 'src', 'a']]);
  });

  it('BLMPOP waits, then pops up to count and propagates LPOP|RPOP key <popped>', () => {
    expect(c.callRaw(['BLMPOP', '0', '2', 'a', 'b', 'RIGHT', 'COUNT', '5'])).toEqual([]);
    c2.call('RPUSH', 'b', '1', '2', '3');
    expect(c.pending()).toEqual([['b', ['3', '2', '1']]]);
    expect(effects()).toEqual([['RPUSH', 'b', '1', '2', '3'], ['RPOP', 'b', '3']]);
  });

  it('CLIENT UNBLOCK ends the wait with the timeout reply or the UNBLOCKED error', () => {
    const id = String(c.call('CLIENT', 'ID'));
    expect(c.callRaw(['BLPOP', 'k', '0'])).toEqual([]);
    expect(c2.call('CLIENT', 'UNBLOCK', id)).toBe(1);
    expect(c.pending()).toEqual([null]);
    expect(c.callRaw(['BLMOVE', 'k', 'd', 'LEFT', 'LEFT', '0'])).toEqual([]);
    expect(c2.call('CLIENT', 'UNBLOCK', id, 'ERROR')).toBe(1);
    expect(c.pending()).toEqual([err('UNBLOCKED client unblocked via CLIENT UNBLOCK')]);
    expect(c2.call('CLIENT', 'UNBLOCK', id)).toBe(0);
  });

  it('a client killed by CLIENT KILL is not served by a push in the same batch', () => {
    expect(c.callRaw(['BLPOP', 'k', '0'])).toEqual([]);
    expect(c2.call('CLIENT', 'KILL', 'ID', String(c.session.id))).toBe(1);
    c2.call('RPUSH', 'k', 'a');
    expect(c2.call('LRANGE', 'k', '0', '-1')).toEqual(['a']);
    expect(effects()).toEqual([['RPUSH', 'k', 'a']]);
    expect(String(c2.call('INFO', 'clients'))).toContain('blocked_clients:0');
  });

  it('a closed client is not served: the element stays', () => {
    expect(c.callRaw(['BLPOP', 'k', '0'])).toEqual([]);
    h.core.closeSession(c.session);
    c2.call('RPUSH', 'k', 'a');
    expect(c2.call('LRANGE', 'k', '0', '-1')).toEqual(['a']);
    expect(effects()).toEqual([['RPUSH', 'k', 'a']]);
  });
});

describe('OBJECT ENCODING (Redis 7.2: listpack, quicklist)', () => {
  it('converts past list-max-listpack-size entries and back at half of it', () => {
    c.call('CONFIG', 'SET', 'list-max-listpack-size', '4');
    c.call('RPUSH', 'k', 'a', 'b', 'c', 'd');
    expect(c.call('OBJECT', 'ENCODING', 'k')).toBe('listpack');
    c.call('RPUSH', 'k', 'e');
    expect(c.call('OBJECT', 'ENCODING', 'k')).toBe('quicklist');
    c.call('RPOP', 'k', '2');
    expect(c.call('OBJECT', 'ENCODING', 'k')).toBe('quicklist');
    c.call('LTRIM', 'k', '1', '-1');
    expect(c.call('OBJECT', 'ENCODING', 'k')).toBe('listpack');
    // A single push of more than the limit converts at once.
    c.call('RPUSH', 'big', '1', '2', '3', '4', '5');
    expect(c.call('OBJECT', 'ENCODING', 'big')).toBe('quicklist');
  });

  it('converts past the byte limit of a negative size (default -2: 8 KiB)', () => {
    c.call('RPUSH', 'k', 'x'.repeat(100));
    expect(c.call('OBJECT', 'ENCODING', 'k')).toBe('listpack');
    c.call('LPUSH', 'k', 'y'.repeat(8100));
    expect(c.call('OBJECT', 'ENCODING', 'k')).toBe('quicklist');
    c.call('LPOP', 'k');
    expect(c.call('OBJECT', 'ENCODING', 'k')).toBe('listpack');
    c.call('LINSERT', 'k', 'BEFORE', 'nope', 'z'.repeat(9000));
    expect(c.call('OBJECT', 'ENCODING', 'k')).toBe('quicklist'); // Redis converts before looking for the pivot
    c.call('LSET', 'k', '0', 'small');
    expect(c.call('OBJECT', 'ENCODING', 'k')).toBe('listpack');
    c.call('LMOVE', 'k', 'moved', 'LEFT', 'LEFT');
    expect(c.call('OBJECT', 'ENCODING', 'moved')).toBe('listpack');
  });
});

describe('the command table', () => {
  // Arity, flags, key positions and categories are pinned against Redis in introspection.test.ts.
  it('gives COMMAND GETKEYS the keys of the fixed-position commands', () => {
    expect(c.call('COMMAND', 'GETKEYS', 'BLPOP', 'a', 'b', '0')).toEqual(['a', 'b']);
    expect(c.call('COMMAND', 'GETKEYS', 'BLMOVE', 'a', 'b', 'LEFT', 'LEFT', '0')).toEqual(['a', 'b']);
    expect(c.call('COMMAND', 'GETKEYS', 'LPUSH', 'k', 'v')).toEqual(['k']);
  });

  it('gives COMMAND GETKEYS the counted keys of LMPOP and BLMPOP (movablekeys)', () => {
    expect(c.call('COMMAND', 'GETKEYS', 'LMPOP', '2', 'a', 'b', 'LEFT')).toEqual(['a', 'b']);
    expect(c.call('COMMAND', 'GETKEYS', 'BLMPOP', '0', '2', 'a', 'b', 'LEFT', 'COUNT', '3')).toEqual(['a', 'b']);
    expect(c.call('COMMAND', 'GETKEYS', 'LMPOP', '5', 'a', 'b', 'LEFT')).toEqual(
      new ReplyError('ERR Invalid arguments specified for command'),
    );
    const [info] = c.call('COMMAND', 'INFO', 'lmpop') as Reply[][];
    expect(info!.slice(0, 6)).toEqual(['lmpop', -4, ['write', 'movablekeys'], 0, 0, 0]);
  });
});

describe('DEBUG DIGEST-VALUE', () => {
  it('digests a list as Redis does', () => {
    c.call('RPUSH', 'l', 'a', 'b', 'c', '1', '');
    expect(c.call('DEBUG', 'DIGEST-VALUE', 'l')).toEqual(['1779c46fd8a11b0291366cd50f82c279965a13da']);
  });
});

describe('a list of a million elements', () => {
  it('answers pushes, pops, LINDEX, LSET and small LRANGE windows without walking it', () => {
    const batch = Array.from({ length: 10_000 }, (_, i) => String(i));
    for (let i = 0; i < 100; i++) c.call('RPUSH', 'big', ...batch);
    expect(c.call('LLEN', 'big')).toBe(1_000_000);
    h.takeEffects();
    const started = performance.now();
    for (let i = 0; i < 5_000; i++) {
      c.call('LPUSH', 'big', 'h');
      c.call('RPOP', 'big');
      c.call('LINDEX', 'big', '500000');
      c.call('LSET', 'big', '-500000', 'm');
      c.call('LRANGE', 'big', '600000', '600009');
    }
    // An O(n) step would take minutes here; the bound is loose for slow machines.
    expect(performance.now() - started).toBeLessThan(3000);
    expect(c.call('LRANGE', 'big', '0', '1')).toEqual(['h', 'h']);
    expect(c.call('LINDEX', 'big', '-1')).toBe('4999');
    // LTRIM costs what it removes; LRANGE of the rest is exact.
    expect(c.call('LTRIM', 'big', '-3', '-1')).toBe('OK');
    expect(c.call('LRANGE', 'big', '0', '-1')).toEqual(['4997', '4998', '4999']);
    expect(c.call('OBJECT', 'ENCODING', 'big')).toBe('listpack');
  });
});

describe('model test: the commands against a JS array', () => {
  type Cmd = string[];
  const value = fc.constantFrom('a', 'b', 'c', '1', '');
  const index = fc.integer({ min: -8, max: 8 }).map(String);
  const key = fc.constantFrom('k', 'j');
  const side = fc.constantFrom('LEFT', 'RIGHT');
  const cmd: fc.Arbitrary<Cmd> = fc.oneof(
    { weight: 5, arbitrary: fc.tuple(fc.constantFrom('LPUSH', 'RPUSH', 'LPUSHX', 'RPUSHX'), key, fc.array(value, { minLength: 1, maxLength: 4 })).map(([n, k, vs]) => [n, k, ...vs]) },
    fc.tuple(fc.constantFrom('LPOP', 'RPOP'), key).map(([n, k]) => [n, k]),
    fc.tuple(fc.constantFrom('LPOP', 'RPOP'), key, fc.integer({ min: 0, max: 4 })).map(([n, k, i]) => [n, k, String(i)]),
    fc.tuple(key, index, index).map(([k, a, b]) => ['LRANGE', k, a, b]),
    fc.tuple(key, index).map(([k, i]) => ['LINDEX', k, i]),
    fc.tuple(key, index, value).map(([k, i, v]) => ['LSET', k, i, v]),
    fc.tuple(key, fc.integer({ min: -3, max: 3 }), value).map(([k, n, v]) => ['LREM', k, String(n), v]),
    fc.tuple(key, index, index).map(([k, a, b]) => ['LTRIM', k, a, b]),
    fc.tuple(key, fc.constantFrom('BEFORE', 'AFTER'), value, value).map(([k, w, p, v]) => ['LINSERT', k, w, p, v]),
    fc.tuple(key, value, fc.constantFrom(1, 2, -1, -2), fc.integer({ min: 0, max: 3 })).map(([k, v, r, n]) => ['LPOS', k, v, 'RANK', String(r), 'COUNT', String(n)]),
    fc.tuple(key, key, side, side).map(([s, d, a, b]) => ['LMOVE', s, d, a, b]),
    fc.tuple(key, key).map(([s, d]) => ['RPOPLPUSH', s, d]),
    fc.tuple(side, fc.integer({ min: 1, max: 3 })).map(([w, n]) => ['LMPOP', '2', 'k', 'j', w, 'COUNT', String(n)]),
    fc.tuple(key).map(([k]) => ['BLPOP', k, '0']),
    fc.tuple(key).map(([k]) => ['LLEN', k]),
  );

  /** What Redis replies to `argv` given `lists`, mutating `lists` as Redis would. */
  function model(lists: Map<string, string[]>, argv: Cmd): Reply {
    const [name, k = '', ...rest] = argv;
    const list = lists.get(k);
    const norm = (i: number, n: number) => (i < 0 ? i + n : i);
    const done = (key: string) => {
      if (lists.get(key)?.length === 0) lists.delete(key);
    };
    switch (name) {
      case 'LPUSH':
      case 'RPUSH':
      case 'LPUSHX':
      case 'RPUSHX': {
        if (!list && name.endsWith('X')) return 0;
        const target = list ?? [];
        for (const v of rest) if (name.startsWith('L')) target.unshift(v);
        else target.push(v);
        lists.set(k, target);
        return target.length;
      }
      case 'LPOP':
      case 'RPOP': {
        const take = () => (name === 'LPOP' ? list!.shift()! : list!.pop()!);
        if (rest.length === 0) {
          if (!list) return null;
          const v = take();
          done(k);
          return v;
        }
        if (!list) return null;
        const n = Math.min(Number(rest[0]), list.length);
        const out = Array.from({ length: n }, take);
        done(k);
        return out;
      }
      case 'LLEN':
        return list?.length ?? 0;
      case 'LRANGE': {
        if (!list) return [];
        const n = list.length;
        const from = Math.max(0, norm(Number(rest[0]), n));
        const to = Math.min(n - 1, norm(Number(rest[1]), n));
        return from > to ? [] : list.slice(from, to + 1);
      }
      case 'LINDEX':
        return list?.at(Number(rest[0])) ?? null;
      case 'LSET': {
        if (!list) return err('ERR no such key');
        const i = norm(Number(rest[0]), list.length);
        if (i < 0 || i >= list.length) return err('ERR index out of range');
        list[i] = rest[1]!;
        return 'OK';
      }
      case 'LREM': {
        if (!list) return 0;
        const count = Number(rest[0]);
        const order = list.map((_, i) => i);
        if (count < 0) order.reverse();
        const max = count === 0 ? Infinity : Math.abs(count);
        const drop = new Set<number>();
        for (const i of order) if (drop.size < max && list[i] === rest[1]) drop.add(i);
        lists.set(k, list.filter((_, i) => !drop.has(i)));
        done(k);
        return drop.size;
      }
      case 'LTRIM': {
        if (!list) return 'OK';
        const n = list.length;
        const from = Math.max(0, norm(Number(rest[0]), n));
        const to = Math.min(n - 1, norm(Number(rest[1]), n));
        lists.set(k, from > to ? [] : list.slice(from, to + 1));
        done(k);
        return 'OK';
      }
      case 'LINSERT': {
        if (!list) return 0;
        const at = list.indexOf(rest[1]!);
        if (at < 0) return -1;
        list.splice(rest[0] === 'AFTER' ? at + 1 : at, 0, rest[2]!);
        return list.length;
      }
      case 'LPOS': {
        if (!list) return [];
        const rank = Number(rest[2]);
        const count = Number(rest[4]);
        const order = list.map((_, i) => i);
        if (rank < 0) order.reverse();
        const matches = order.filter((i) => list[i] === rest[0]).slice(Math.abs(rank) - 1);
        return count === 0 ? matches : matches.slice(0, count);
      }
      case 'LMOVE':
      case 'RPOPLPUSH': {
        const [dst, from, to] = name === 'RPOPLPUSH' ? [rest[0]!, 'RIGHT', 'LEFT'] : [rest[0]!, rest[1]!, rest[2]!];
        if (!list) return null;
        const v = from === 'LEFT' ? list.shift()! : list.pop()!;
        const target = lists.get(dst) ?? [];
        if (to === 'LEFT') target.unshift(v);
        else target.push(v);
        lists.set(dst, target);
        done(k);
        return v;
      }
      case 'LMPOP': {
        const where = argv[4];
        const count = Number(argv[6]);
        for (const key of ['k', 'j']) {
          const l = lists.get(key);
          if (!l) continue;
          const n = Math.min(count, l.length);
          const out = Array.from({ length: n }, () => (where === 'LEFT' ? l.shift()! : l.pop()!));
          done(key);
          return [key, out];
        }
        return null;
      }
      case 'BLPOP': {
        // Only generated for a key known to hold a list (blocking is not modelled here).
        const v = list!.shift()!;
        done(k);
        return [k, v];
      }
    }
    throw new Error(`unmodelled ${name}`);
  }

  it('replies as the model does, deletes emptied lists, and its effects replay to the same data', () => {
    fc.assert(
      fc.property(fc.array(cmd, { maxLength: 60 }), (cmds) => {
        h = new Harness();
        c = h.connect();
        const lists = new Map<string, string[]>();
        for (const argv of cmds) {
          if (argv[0] === 'BLPOP' && !lists.has(argv[1]!)) continue;
          const expected = model(lists, argv);
          expect(c.call(...argv), argv.join(' ')).toEqual(expected);
          for (const k of ['k', 'j']) {
            expect(c.call('LRANGE', k, '0', '-1'), `${k} after ${argv.join(' ')}`).toEqual(lists.get(k) ?? []);
            expect(c.call('EXISTS', k)).toBe(lists.has(k) ? 1 : 0);
          }
        }
        // Replaying the effect stream on a fresh server reproduces the data.
        const replica = new Harness();
        const r = replica.connect();
        for (const effect of h.takeEffects()) r.call(...effect);
        for (const k of ['k', 'j']) expect(r.call('LRANGE', k, '0', '-1')).toEqual(lists.get(k) ?? []);
        expect(r.call('DEBUG', 'DIGEST')).toEqual(c.call('DEBUG', 'DIGEST'));
      }),
      { numRuns: 200 },
    );
  });
});
