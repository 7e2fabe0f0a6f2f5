import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { Harness, type Reply, ReplyError, type TestClient } from '../testing/harness.js';

/*
 * Hash commands through the in-process harness. Expected replies, error
 * texts and the order in which errors are checked were taken from
 * redis-server 7.0.15 (7.2 behaviour where the two differ: HSET's up-front
 * conversion). The effect stream is asserted exactly; `effects()` drops the
 * SELECT the stream starts with.
 */

const err = (message: string) => new ReplyError(message);
const WRONGTYPE = err('WRONGTYPE Operation against a key holding the wrong kind of value');
const SYNTAX = err('ERR syntax error');
const NOT_INTEGER = err('ERR value is not an integer or out of range');
const NOT_FLOAT = err('ERR value is not a valid float');
const HASH_NOT_INTEGER = err('ERR hash value is not an integer');
const HASH_NOT_FLOAT = err('ERR hash value is not a float');
const OVERFLOW = err('ERR increment or decrement would overflow');
const NAN_OR_INF = err('ERR increment would produce NaN or Infinity');
const ARG_NAN_OR_INF = err('ERR value is NaN or Infinity');
const INVALID_CURSOR = err('ERR invalid cursor');
const arity = (name: string) => err(`ERR wrong number of arguments for '${name}' command`);

let h: Harness;
let c: TestClient;
const effects = () => h.takeEffects().filter((argv) => argv[0] !== 'SELECT');
const stats = () => h.core.state.stats;

/** A reply array of field/value pairs as a Map (HGETALL in RESP2, HSCAN pages, HRANDFIELD WITHVALUES). */
function pairs(reply: Reply): Map<Reply, Reply> {
  const list = reply as Reply[];
  const map = new Map<Reply, Reply>();
  for (let i = 0; i < list.length; i += 2) map.set(list[i]!, list[i + 1]!);
  return map;
}

/** Every field and value via a full HSCAN (cursor until 0). */
function scanAll(client: TestClient, key: string, ...options: string[]): Map<Reply, Reply> {
  const all = new Map<Reply, Reply>();
  let cursor = '0';
  let calls = 0;
  do {
    const [next, page] = client.call('HSCAN', key, cursor, ...options) as [string, Reply[]];
    for (const [f, v] of pairs(page)) all.set(f, v);
    cursor = next;
    expect(++calls).toBeLessThan(10_000);
  } while (cursor !== '0');
  return all;
}

beforeEach(() => {
  h = new Harness();
  c = h.connect();
});

describe('HSET / HMSET', () => {
  it('counts the new fields, overwrites existing ones, and propagates HSET', () => {
    expect(c.call('hset', 'h', 'a', '1', 'b', '2')).toBe(2);
    expect(c.call('HSET', 'h', 'b', '3', 'c', '4')).toBe(1);
    expect(c.call('HSET', 'h', 'a', '1')).toBe(0);
    expect(pairs(c.call('HGETALL', 'h'))).toEqual(new Map([['a', '1'], ['b', '3'], ['c', '4']]));
    expect(effects()).toEqual([
      ['HSET', 'h', 'a', '1', 'b', '2'],
      ['HSET', 'h', 'b', '3', 'c', '4'],
      ['HSET', 'h', 'a', '1'],
    ]);
  });

  it('a repeated field in one call counts once and the last value wins', () => {
    expect(c.call('HSET', 'h', 'a', '1', 'a', '2', 'a', '3')).toBe(1);
    expect(c.call('HGET', 'h', 'a')).toBe('3');
    expect(c.call('HLEN', 'h')).toBe(1);
  });

  it('HMSET replies OK and is propagated as HSET', () => {
    expect(c.call('hmset', 'h', 'a', '1', 'b', '2')).toBe('OK');
    expect(c.call('HMSET', 'h', 'a', 'x')).toBe('OK');
    expect(c.call('HGET', 'h', 'a')).toBe('x');
    expect(effects()).toEqual([
      ['HSET', 'h', 'a', '1', 'b', '2'],
      ['HSET', 'h', 'a', 'x'],
    ]);
  });

  it('is binary safe in keys, fields and values, and keeps empty ones', () => {
    const field = 'f\x00\xff\r\n';
    const value = 'v\x00\r\n\xfe';
    expect(c.call('HSET', 'k\x00', field, value, '', '')).toBe(2);
    expect(c.call('HGET', 'k\x00', field)).toBe(value);
    expect(c.callBytes('HGET', 'k\x00', '')).toBe('$0\r\n\r\n');
    expect(c.call('HSTRLEN', 'k\x00', field)).toBe(5);
    expect(c.call('HEXISTS', 'k\x00', '')).toBe(1);
  });

  it('refuses an odd number of field/value arguments with the arity error, changing nothing', () => {
    expect(c.call('HSET', 'h', 'a', '1', 'b')).toEqual(arity('hset'));
    expect(c.call('HMSET', 'h', 'a', '1', 'b')).toEqual(arity('hmset'));
    expect(c.call('HSET', 'h', 'a')).toEqual(arity('hset'));
    expect(c.call('HMSET', 'h')).toEqual(arity('hmset'));
    expect(c.call('EXISTS', 'h')).toBe(0);
    expect(effects()).toEqual([]);
  });

  it('refuses a key of another type (after the arity check)', () => {
    c.call('SET', 's', 'x');
    h.takeEffects();
    expect(c.call('HSET', 's', 'a', '1')).toEqual(WRONGTYPE);
    expect(c.call('HMSET', 's', 'a', '1')).toEqual(WRONGTYPE);
    expect(c.call('HSET', 's', 'a', '1', 'b')).toEqual(arity('hset'));
    expect(c.call('GET', 's')).toBe('x');
    expect(effects()).toEqual([]);
  });

  it('keeps the time to live of an existing hash', () => {
    c.call('HSET', 'h', 'a', '1');
    c.call('PEXPIRE', 'h', '10000');
    c.call('HSET', 'h', 'b', '2');
    expect(c.call('PTTL', 'h')).toBe(10000);
  });
});

describe('HSETNX', () => {
  it('sets only a missing field, creating the key, and propagates HSET only when it set', () => {
    expect(c.call('hsetnx', 'h', 'a', '1')).toBe(1);
    expect(c.call('HSETNX', 'h', 'a', '2')).toBe(0);
    expect(c.call('HSETNX', 'h', 'b', '3')).toBe(1);
    expect(pairs(c.call('HGETALL', 'h'))).toEqual(new Map([['a', '1'], ['b', '3']]));
    expect(effects()).toEqual([
      ['HSET', 'h', 'a', '1'],
      ['HSET', 'h', 'b', '3'],
    ]);
  });

  it('refuses a key of another type and the wrong arity', () => {
    c.call('SET', 's', 'x');
    expect(c.call('HSETNX', 's', 'a', '1')).toEqual(WRONGTYPE);
    expect(c.call('HSETNX', 'h', 'a')).toEqual(arity('hsetnx'));
    expect(c.call('HSETNX', 'h', 'a', '1', 'b')).toEqual(arity('hsetnx'));
  });
});

describe('reads: HGET HMGET HEXISTS HLEN HSTRLEN HKEYS HVALS HGETALL', () => {
  beforeEach(() => {
    c.call('HSET', 'h', 'a', '1', 'b', 'two', 'c', '');
    c.call('SET', 's', 'x');
    h.takeEffects();
  });

  it('answer for present and missing fields and keys', () => {
    expect(c.call('HGET', 'h', 'b')).toBe('two');
    expect(c.call('HGET', 'h', 'zz')).toBeNull();
    expect(c.call('HGET', 'nokey', 'a')).toBeNull();
    expect(c.call('HMGET', 'h', 'a', 'zz', 'c', 'a')).toEqual(['1', null, '', '1']);
    expect(c.call('HMGET', 'nokey', 'a', 'b')).toEqual([null, null]);
    expect(c.call('HEXISTS', 'h', 'c')).toBe(1);
    expect(c.call('HEXISTS', 'h', 'zz')).toBe(0);
    expect(c.call('HEXISTS', 'nokey', 'a')).toBe(0);
    expect(c.call('HLEN', 'h')).toBe(3);
    expect(c.call('HLEN', 'nokey')).toBe(0);
    expect(c.call('HSTRLEN', 'h', 'b')).toBe(3);
    expect(c.call('HSTRLEN', 'h', 'c')).toBe(0);
    expect(c.call('HSTRLEN', 'h', 'zz')).toBe(0);
    expect(c.call('HSTRLEN', 'nokey', 'a')).toBe(0);
    expect((c.call('HKEYS', 'h') as string[]).sort()).toEqual(['a', 'b', 'c']);
    expect((c.call('HVALS', 'h') as string[]).sort()).toEqual(['', '1', 'two']);
    expect(c.call('HKEYS', 'nokey')).toEqual([]);
    expect(c.call('HVALS', 'nokey')).toEqual([]);
    expect(pairs(c.call('HGETALL', 'h'))).toEqual(new Map([['a', '1'], ['b', 'two'], ['c', '']]));
    expect(c.call('HGETALL', 'nokey')).toEqual([]);
    expect(effects()).toEqual([]);
  });

  it('HKEYS, HVALS and HGETALL list the pairs in the same order', () => {
    const keys = c.call('HKEYS', 'h') as string[];
    const values = c.call('HVALS', 'h') as string[];
    const all = c.call('HGETALL', 'h') as string[];
    expect(all).toEqual(keys.flatMap((k, i) => [k, values[i]!]));
  });

  it('refuse a key of another type', () => {
    for (const argv of [
      ['HGET', 's', 'a'],
      ['HMGET', 's', 'a'],
      ['HEXISTS', 's', 'a'],
      ['HLEN', 's'],
      ['HSTRLEN', 's', 'a'],
      ['HKEYS', 's'],
      ['HVALS', 's'],
      ['HGETALL', 's'],
    ]) {
      expect(c.call(...argv)).toEqual(WRONGTYPE);
    }
  });

  it('check their arity', () => {
    expect(c.call('HGET', 'h')).toEqual(arity('hget'));
    expect(c.call('HMGET', 'h')).toEqual(arity('hmget'));
    expect(c.call('HEXISTS', 'h', 'a', 'b')).toEqual(arity('hexists'));
    expect(c.call('HLEN', 'h', 'a')).toEqual(arity('hlen'));
    expect(c.call('HSTRLEN', 'h')).toEqual(arity('hstrlen'));
    expect(c.call('HKEYS')).toEqual(arity('hkeys'));
    expect(c.call('HVALS', 'h', 'x')).toEqual(arity('hvals'));
    expect(c.call('HGETALL')).toEqual(arity('hgetall'));
  });

  it('count keyspace hits and misses', () => {
    const before = { hits: stats().keyspaceHits, misses: stats().keyspaceMisses };
    c.call('HGET', 'h', 'a');
    c.call('HGET', 'h', 'zz'); // a missing field is still a hit on the key
    c.call('HLEN', 'nokey');
    c.call('HGETALL', 'nokey');
    expect(stats().keyspaceHits - before.hits).toBe(2);
    expect(stats().keyspaceMisses - before.misses).toBe(2);
  });

  it('RESP2 and RESP3 reply shapes', () => {
    c.call('DEL', 'h');
    c.call('HSET', 'h', 'a', '1');
    expect(c.callBytes('HGETALL', 'h')).toBe('*2\r\n$1\r\na\r\n$1\r\n1\r\n');
    expect(c.callBytes('HGETALL', 'nokey')).toBe('*0\r\n');
    expect(c.callBytes('HGET', 'h', 'zz')).toBe('$-1\r\n');
    expect(c.callBytes('HMGET', 'h', 'a', 'zz')).toBe('*2\r\n$1\r\n1\r\n$-1\r\n');
    c.call('HELLO', '3');
    expect(c.callBytes('HGETALL', 'h')).toBe('%1\r\n$1\r\na\r\n$1\r\n1\r\n');
    expect(c.callBytes('HGETALL', 'nokey')).toBe('%0\r\n');
    expect(c.call('HGETALL', 'h')).toEqual(new Map([['a', '1']]));
    expect(c.callBytes('HGET', 'h', 'zz')).toBe('_\r\n');
    expect(c.callBytes('HMGET', 'h', 'a', 'zz')).toBe('*2\r\n$1\r\n1\r\n_\r\n');
    expect(c.callBytes('HKEYS', 'h')).toBe('*1\r\n$1\r\na\r\n');
    expect(c.callBytes('HVALS', 'nokey')).toBe('*0\r\n');
  });
});

describe('HDEL', () => {
  beforeEach(() => {
    c.call('HSET', 'h', 'a', '1', 'b', '2', 'c', '3');
    h.takeEffects();
  });

  it('removes fields, counts them, and propagates only the removed ones', () => {
    expect(c.call('hdel', 'h', 'a', 'zz', 'a', 'b')).toBe(2);
    expect(c.call('HDEL', 'h', 'zz')).toBe(0);
    expect(c.call('HDEL', 'nokey', 'a')).toBe(0);
    expect(c.call('HKEYS', 'h')).toEqual(['c']);
    expect(effects()).toEqual([['HDEL', 'h', 'a', 'b']]);
  });

  it('reuses the request as the effect when every field was removed', () => {
    expect(c.call('hdel', 'h', 'b', 'a')).toBe(2);
    expect(effects()).toEqual([['HDEL', 'h', 'b', 'a']]);
  });

  it('deletes the key with its last field', () => {
    c.call('PEXPIRE', 'h', '10000');
    h.takeEffects();
    expect(c.call('HDEL', 'h', 'a', 'b', 'c', 'd')).toBe(3);
    expect(c.call('EXISTS', 'h')).toBe(0);
    expect(c.call('TYPE', 'h')).toBe('none');
    expect(effects()).toEqual([['HDEL', 'h', 'a', 'b', 'c']]);
    // A new hash at that name does not inherit the old time to live.
    c.call('HSET', 'h', 'x', '1');
    expect(c.call('TTL', 'h')).toBe(-1);
  });

  it('refuses a key of another type and the wrong arity', () => {
    c.call('SET', 's', 'x');
    expect(c.call('HDEL', 's', 'a')).toEqual(WRONGTYPE);
    expect(c.call('HDEL', 'h')).toEqual(arity('hdel'));
  });
});

describe('HINCRBY', () => {
  it('adds to a field, counting a missing field or key as 0, and propagates itself', () => {
    expect(c.call('hincrby', 'h', 'n', '5')).toBe(5);
    expect(c.call('HINCRBY', 'h', 'n', '-7')).toBe(-2);
    expect(c.call('HINCRBY', 'h', 'm', '0')).toBe(0);
    expect(c.call('HGET', 'h', 'n')).toBe('-2');
    expect(effects()).toEqual([
      ['HINCRBY', 'h', 'n', '5'],
      ['HINCRBY', 'h', 'n', '-7'],
      ['HINCRBY', 'h', 'm', '0'],
    ]);
  });

  it('is exact over the whole int64 range and refuses to overflow', () => {
    c.call('HSET', 'h', 'max', '9223372036854775806', 'min', '-9223372036854775807', 'big', '9007199254740993');
    expect(c.call('HINCRBY', 'h', 'max', '1')).toBe(9223372036854775807n);
    expect(c.call('HINCRBY', 'h', 'max', '1')).toEqual(OVERFLOW);
    expect(c.call('HINCRBY', 'h', 'min', '-1')).toBe(-9223372036854775808n);
    expect(c.call('HINCRBY', 'h', 'min', '-1')).toEqual(OVERFLOW);
    expect(c.call('HINCRBY', 'h', 'min', '9223372036854775807')).toBe(-1);
    expect(c.call('HINCRBY', 'h', 'big', '2')).toBe(9007199254740995n);
    expect(c.call('HGET', 'h', 'big')).toBe('9007199254740995');
    expect(c.call('HINCRBY', 'h', 'fresh', '-9223372036854775808')).toBe(-9223372036854775808n);
    h.takeEffects();
    expect(c.call('HGET', 'h', 'max')).toBe('9223372036854775807');
  });

  it('refuses a stored value that is not an integer', () => {
    c.call('HSET', 'h', 's', 'abc', 'lead', '01', 'space', ' 1', 'plus', '+1', 'float', '1.0', 'empty', '', 'toobig', '9223372036854775808');
    h.takeEffects();
    for (const field of ['s', 'lead', 'space', 'plus', 'float', 'empty', 'toobig']) {
      expect(c.call('HINCRBY', 'h', field, '1')).toEqual(HASH_NOT_INTEGER);
    }
    expect(c.call('HGET', 'h', 's')).toBe('abc');
    expect(effects()).toEqual([]);
  });

  it('refuses an increment that is not an int64, before looking at the key', () => {
    c.call('SET', 's', 'x');
    for (const bad of ['x', '1.5', ' 1', '+1', '-0', '01', '', '9223372036854775808']) {
      expect(c.call('HINCRBY', 'h', 'f', bad)).toEqual(NOT_INTEGER);
    }
    expect(c.call('HINCRBY', 's', 'f', 'x')).toEqual(NOT_INTEGER);
    expect(c.call('HINCRBY', 's', 'f', '1')).toEqual(WRONGTYPE);
    expect(c.call('EXISTS', 'h')).toBe(0);
    expect(c.call('HINCRBY', 'h', 'f')).toEqual(arity('hincrby'));
  });
});

describe('HINCRBYFLOAT', () => {
  it('adds with long double precision and formats like Redis', () => {
    c.call('HSET', 'h', 'a', '10.50', 'b', '5.0e3', 'c', '0.1', 'd', '9223372036854775807', 'e', '-1.5', 'g', '1e3');
    h.takeEffects();
    expect(c.call('hincrbyfloat', 'h', 'a', '0.1')).toBe('10.6');
    expect(c.call('HINCRBYFLOAT', 'h', 'b', '2.0e2')).toBe('5200');
    expect(c.call('HINCRBYFLOAT', 'h', 'c', '0.2')).toBe('0.3');
    expect(c.call('HINCRBYFLOAT', 'h', 'd', '1')).toBe('9223372036854775808');
    expect(c.call('HINCRBYFLOAT', 'h', 'e', '1.5')).toBe('0');
    expect(c.call('HINCRBYFLOAT', 'h', 'g', '0.1')).toBe('1000.09999999999999998');
    expect(c.call('HINCRBYFLOAT', 'h', 'new', '-0.0000000000000000001')).toBe('0');
    expect(c.call('HINCRBYFLOAT', 'h', 'i', '1.23456789012345678901234')).toBe('1.23456789012345679');
    expect(c.call('HINCRBYFLOAT', 'h', 'j', '1e-17')).toBe('0.00000000000000001');
    expect(c.call('HINCRBYFLOAT', 'h', 'x', '0x1p-3')).toBe('0.125');
    expect(c.call('HINCRBYFLOAT', 'h', 'y', '5e1')).toBe('50');
    expect(c.call('HGET', 'h', 'a')).toBe('10.6');
    expect(c.call('HINCRBYFLOAT', 'fresh', 'f', '3.0')).toBe('3');
    expect(effects()).toEqual([
      ['HSET', 'h', 'a', '10.6'],
      ['HSET', 'h', 'b', '5200'],
      ['HSET', 'h', 'c', '0.3'],
      ['HSET', 'h', 'd', '9223372036854775808'],
      ['HSET', 'h', 'e', '0'],
      ['HSET', 'h', 'g', '1000.09999999999999998'],
      ['HSET', 'h', 'new', '0'],
      ['HSET', 'h', 'i', '1.23456789012345679'],
      ['HSET', 'h', 'j', '0.00000000000000001'],
      ['HSET', 'h', 'x', '0.125'],
      ['HSET', 'h', 'y', '50'],
      ['HSET', 'fresh', 'f', '3'],
    ]);
  });

  it('prints huge results in full, as %.17Lf does', () => {
    expect(c.call('HINCRBYFLOAT', 'h', 'f', '1.5e308')).toBe(
      '149999999999999999999901476489468468031016840965060944967133685421180106066691046036756664728216022031902928370522024964340854582506645209487860806577896175175227643677561112877760303256738896516844124921428435196017215141331511736789270744288327321353040504243421434090049846615188904452633296864511849922560',
    );
  });

  it('refuses bad increments (before the key is looked up) and bad stored values', () => {
    c.call('SET', 's', 'x');
    c.call('HSET', 'h', 'str', 'abc', 'nan', 'nan', 'space', '1 ', 'inf', 'inf');
    h.takeEffects();
    expect(c.call('HINCRBYFLOAT', 'h', 'f', 'abc')).toEqual(NOT_FLOAT);
    expect(c.call('HINCRBYFLOAT', 'h', 'f', '1 ')).toEqual(NOT_FLOAT);
    expect(c.call('HINCRBYFLOAT', 'h', 'f', '1e5000')).toEqual(NOT_FLOAT);
    expect(c.call('HINCRBYFLOAT', 'h', 'f', 'nan')).toEqual(NOT_FLOAT);
    expect(c.call('HINCRBYFLOAT', 'h', 'f', 'inf')).toEqual(ARG_NAN_OR_INF);
    expect(c.call('HINCRBYFLOAT', 'nokey', 'f', '-inf')).toEqual(ARG_NAN_OR_INF);
    expect(c.call('HINCRBYFLOAT', 's', 'f', 'abc')).toEqual(NOT_FLOAT);
    expect(c.call('HINCRBYFLOAT', 's', 'f', 'inf')).toEqual(ARG_NAN_OR_INF);
    expect(c.call('HINCRBYFLOAT', 's', 'f', '1')).toEqual(WRONGTYPE);
    expect(c.call('HINCRBYFLOAT', 'h', 'str', '1')).toEqual(HASH_NOT_FLOAT);
    expect(c.call('HINCRBYFLOAT', 'h', 'nan', '1')).toEqual(HASH_NOT_FLOAT);
    expect(c.call('HINCRBYFLOAT', 'h', 'space', '1')).toEqual(HASH_NOT_FLOAT);
    expect(c.call('HINCRBYFLOAT', 'h', 'inf', '1')).toEqual(NAN_OR_INF);
    c.call('HSET', 'h', 'max', '1e4932');
    h.takeEffects();
    expect(c.call('HINCRBYFLOAT', 'h', 'max', '1e4932')).toEqual(NAN_OR_INF);
    expect(c.call('HGET', 'h', 'max')).toBe('1e4932');
    expect(c.call('EXISTS', 'nokey')).toBe(0);
    expect(effects()).toEqual([]);
    expect(c.call('HINCRBYFLOAT', 'h', 'f')).toEqual(arity('hincrbyfloat'));
  });
});

describe('HRANDFIELD', () => {
  const fields = ['a', 'b', 'c', 'd', 'e'];
  beforeEach(() => {
    c.call('HSET', 'h', ...fields.flatMap((f) => [f, f.toUpperCase()]));
    c.call('SET', 's', 'x');
    h.takeEffects();
  });

  it('without count: one random field, null for a missing key', () => {
    const seen = new Set<Reply>();
    for (let i = 0; i < 200; i++) seen.add(c.call('HRANDFIELD', 'h'));
    expect([...seen].sort()).toEqual(fields);
    expect(c.call('HRANDFIELD', 'nokey')).toBeNull();
    expect(c.callBytes('HRANDFIELD', 'nokey')).toBe('$-1\r\n');
    c.call('HELLO', '3');
    expect(c.callBytes('HRANDFIELD', 'nokey')).toBe('_\r\n');
  });

  it('a positive count gives distinct fields, the whole hash when count >= HLEN', () => {
    for (let round = 0; round < 50; round++) {
      const three = c.call('HRANDFIELD', 'h', '3') as string[];
      expect(three.length).toBe(3);
      expect(new Set(three).size).toBe(3);
      for (const f of three) expect(fields).toContain(f);
      const one = c.call('HRANDFIELD', 'h', '1') as string[];
      expect(one.length).toBe(1);
    }
    expect((c.call('HRANDFIELD', 'h', '5') as string[]).sort()).toEqual(fields);
    expect((c.call('HRANDFIELD', 'h', '9223372036854775807') as string[]).sort()).toEqual(fields);
  });

  it('a negative count allows repeats and gives exactly |count| fields', () => {
    const picks = c.call('HRANDFIELD', 'h', '-200') as string[];
    expect(picks.length).toBe(200);
    expect(new Set(picks)).toEqual(new Set(fields));
    expect(c.call('HRANDFIELD', 'h', '-1')).toHaveLength(1);
  });

  it('count 0 and a missing key give an empty array', () => {
    expect(c.call('HRANDFIELD', 'h', '0')).toEqual([]);
    expect(c.call('HRANDFIELD', 'nokey', '5')).toEqual([]);
    expect(c.call('HRANDFIELD', 'nokey', '-5', 'WITHVALUES')).toEqual([]);
    c.call('HELLO', '3');
    expect(c.callBytes('HRANDFIELD', 'nokey', '2', 'withvalues')).toBe('*0\r\n');
    expect(c.callBytes('HRANDFIELD', 'h', '0', 'withvalues')).toBe('*0\r\n');
  });

  it('WITHVALUES: flat pairs in RESP2, [field, value] arrays in RESP3', () => {
    const flat = c.call('HRANDFIELD', 'h', '2', 'withvalues') as string[];
    expect(flat.length).toBe(4);
    for (const [f, v] of pairs(flat)) expect(v).toBe((f as string).toUpperCase());
    const repeats = c.call('HRANDFIELD', 'h', '-7', 'WITHVALUES') as string[];
    expect(repeats.length).toBe(14);
    for (const [f, v] of pairs(repeats)) expect(v).toBe((f as string).toUpperCase());
    expect(pairs(c.call('HRANDFIELD', 'h', '10', 'WITHVALUES'))).toEqual(new Map(fields.map((f) => [f, f.toUpperCase()])));
    c.call('HELLO', '3');
    for (const count of ['2', '-7', '10']) {
      const nested = c.call('HRANDFIELD', 'h', count, 'WITHVALUES') as string[][];
      expect(nested.length).toBe(count === '2' ? 2 : count === '-7' ? 7 : 5);
      for (const pair of nested) {
        expect(pair).toHaveLength(2);
        expect(pair[1]).toBe(pair[0]!.toUpperCase());
      }
    }
    c.call('DEL', 'h');
    c.call('HSET', 'h', 'a', '1');
    expect(c.callBytes('HRANDFIELD', 'h', '1', 'WITHVALUES')).toBe('*1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n');
    expect(c.callBytes('HRANDFIELD', 'h', '-2')).toBe('*2\r\n$1\r\na\r\n$1\r\na\r\n');
  });

  it('checks the count and the options before the key, as Redis does', () => {
    expect(c.call('HRANDFIELD', 'h', 'x')).toEqual(NOT_INTEGER);
    expect(c.call('HRANDFIELD', 's', 'x')).toEqual(NOT_INTEGER);
    expect(c.call('HRANDFIELD', 'nokey', 'x')).toEqual(NOT_INTEGER);
    expect(c.call('HRANDFIELD', 'h', '1.5')).toEqual(NOT_INTEGER);
    expect(c.call('HRANDFIELD', 'h', '9223372036854775808')).toEqual(NOT_INTEGER);
    expect(c.call('HRANDFIELD', 'h', '-9223372036854775808')).toEqual(
      err('ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807'),
    );
    expect(c.call('HRANDFIELD', 'h', '1', 'foo')).toEqual(SYNTAX);
    expect(c.call('HRANDFIELD', 's', '1', 'foo')).toEqual(SYNTAX);
    expect(c.call('HRANDFIELD', 'nokey', '1', 'foo')).toEqual(SYNTAX);
    expect(c.call('HRANDFIELD', 'h', '1', 'WITHVALUES', 'extra')).toEqual(SYNTAX);
    const outOfRange = err('ERR value is out of range');
    expect(c.call('HRANDFIELD', 'h', '4611686018427387904', 'WITHVALUES')).toEqual(outOfRange);
    expect(c.call('HRANDFIELD', 'h', '-4611686018427387904', 'WITHVALUES')).toEqual(outOfRange);
    expect(c.call('HRANDFIELD', 'nokey', '-4611686018427387904', 'WITHVALUES')).toEqual(outOfRange);
    expect(c.call('HRANDFIELD', 'h', '4611686018427387903', 'WITHVALUES')).toHaveLength(10);
    expect(c.call('HRANDFIELD', 's')).toEqual(WRONGTYPE);
    expect(c.call('HRANDFIELD', 's', '0')).toEqual(WRONGTYPE);
    expect(c.call('HRANDFIELD', 's', '1', 'WITHVALUES')).toEqual(WRONGTYPE);
    expect(c.call('HRANDFIELD')).toEqual(arity('hrandfield'));
    expect(effects()).toEqual([]);
  });

  it('refuses, before any pick, a negative count whose reply cannot fit in the output limit', () => {
    const tooLarge = (limit: number) =>
      err(`ERR count is too large: the reply would pass the ${limit} bytes a client may have pending`);
    // 200 million picks of at least 6 bytes (12 with values) pass the 1 GiB limit: refused at once.
    expect(c.call('HRANDFIELD', 'h', '-200000000')).toEqual(tooLarge(1024 ** 3));
    expect(c.call('HRANDFIELD', 'h', '-100000000', 'WITHVALUES')).toEqual(tooLarge(1024 ** 3));
    expect(c.call('HRANDFIELD', 'h', '-4611686018427387903', 'WITHVALUES')).toEqual(tooLarge(1024 ** 3));
    // The count's own errors, the type and a missing key still come first; positive counts are bounded by the hash.
    expect(c.call('HRANDFIELD', 'h', '-4611686018427387904', 'WITHVALUES')).toEqual(err('ERR value is out of range'));
    expect(c.call('HRANDFIELD', 'h', '-200000000', 'foo')).toEqual(SYNTAX);
    expect(c.call('HRANDFIELD', 's', '-200000000')).toEqual(WRONGTYPE);
    expect(c.call('HRANDFIELD', 'nokey', '-200000000', 'WITHVALUES')).toEqual([]);
    expect(c.call('HRANDFIELD', 'h', '9223372036854775807')).toHaveLength(5);
    // The bound is what the client may still have pending, with pairs counted twice.
    c.session.reply.maxLength = 1200;
    expect(c.call('HRANDFIELD', 'h', '-201')).toEqual(tooLarge(1200)); // 201 * 6 > 1200
    expect(c.call('HRANDFIELD', 'h', '-101', 'WITHVALUES')).toEqual(tooLarge(1200)); // 101 * 12 > 1200
    expect(c.call('HRANDFIELD', 'h', '-50', 'WITHVALUES')).toHaveLength(100);
    expect(c.closed).toBe(false);
    expect(effects()).toEqual([]);
  });

  it('picks fields of a big hash about uniformly', () => {
    c.call('HSET', 'big', ...Array.from({ length: 200 }, (_, i) => [`f${i}`, `${i}`]).flat());
    const counts = new Map<Reply, number>();
    for (const f of c.call('HRANDFIELD', 'big', '-100000') as string[]) counts.set(f, (counts.get(f) ?? 0) + 1);
    expect(counts.size).toBe(200);
    // 500 expected per field (sd ~ 22): allow 30%.
    for (const n of counts.values()) expect(Math.abs(n - 500)).toBeLessThan(150);
    for (const count of ['3', '150', '199']) {
      const picked = c.call('HRANDFIELD', 'big', count, 'WITHVALUES') as string[];
      expect(picked.length).toBe(Number(count) * 2);
      const map = pairs(picked);
      expect(map.size).toBe(Number(count));
      for (const [f, v] of map) expect(`f${v as string}`).toBe(f);
    }
  });
});

describe('HSCAN', () => {
  beforeEach(() => {
    c.call('SET', 's', 'x');
    h.takeEffects();
  });

  it('returns a small (listpack) hash whole with cursor 0, whatever the cursor and COUNT', () => {
    c.call('HSET', 'h', 'a', '1', 'b', '2', 'c', '3');
    const [cursor, page] = c.call('HSCAN', 'h', '0') as [string, Reply[]];
    expect(cursor).toBe('0');
    expect(pairs(page)).toEqual(new Map([['a', '1'], ['b', '2'], ['c', '3']]));
    const [again, whole] = c.call('HSCAN', 'h', '12345', 'COUNT', '1') as [string, Reply[]];
    expect(again).toBe('0');
    expect(whole).toHaveLength(6);
    expect(c.call('HSCAN', 'h', '0', 'MATCH', '[ab]')).toEqual(['0', expect.any(Array)]);
    expect(pairs((c.call('HSCAN', 'h', '0', 'MATCH', '[ab]') as Reply[])[1]!)).toEqual(new Map([['a', '1'], ['b', '2']]));
    expect(c.call('HSCAN', 'h', '0', 'match', 'zz*', 'count', '100')).toEqual(['0', []]);
  });

  it('walks a big (hashtable) hash with a cursor and finds every field once when quiet', () => {
    const n = 1000;
    c.call('HSET', 'big', ...Array.from({ length: n }, (_, i) => [`f${i}`, `v${i}`]).flat());
    expect(c.call('OBJECT', 'ENCODING', 'big')).toBe('hashtable');
    const [first, page] = c.call('HSCAN', 'big', '0', 'COUNT', '20') as [string, Reply[]];
    expect(first).not.toBe('0');
    expect(page.length).toBeGreaterThanOrEqual(40);
    expect(page.length).toBeLessThan(400);
    let cursor = '0';
    const seen: Reply[] = [];
    do {
      const [next, items] = c.call('HSCAN', 'big', cursor) as [string, Reply[]];
      for (let i = 0; i < items.length; i += 2) {
        seen.push(items[i]!);
        expect(items[i + 1]).toBe(`v${(items[i] as string).slice(1)}`);
      }
      cursor = next;
    } while (cursor !== '0');
    expect(seen.length).toBe(n);
    expect(new Set(seen).size).toBe(n);
    const matched = scanAll(c, 'big', 'MATCH', 'f1*', 'COUNT', '50');
    expect(matched.size).toBe(111);
    for (const f of matched.keys()) expect((f as string).startsWith('f1')).toBe(true);
  });

  it('uses the hash-max-listpack limits of the moment to decide', () => {
    h = new Harness({ config: [['hash-max-listpack-entries', '2']] });
    c = h.connect();
    c.call('HSET', 'h', 'a', '1', 'b', '2');
    const [small, page] = c.call('HSCAN', 'h', '0', 'COUNT', '1') as [string, Reply[]];
    expect(small).toBe('0');
    expect(pairs(page)).toEqual(new Map([['a', '1'], ['b', '2']]));
    c.call('HSET', 'h', 'c', '3', 'd', '4', 'e', '5', 'f', '6', 'g', '7', 'h', '8', 'i', '9');
    expect(scanAll(c, 'h', 'COUNT', '1').size).toBe(9);
    const [cursor] = c.call('HSCAN', 'h', '0', 'COUNT', '1') as [string];
    expect(cursor).not.toBe('0');
  });

  it('answers an empty page for a missing key, in RESP2 and RESP3 alike', () => {
    expect(c.callBytes('HSCAN', 'nokey', '0')).toBe('*2\r\n$1\r\n0\r\n*0\r\n');
    c.call('HSET', 'h', 'a', '1');
    expect(c.callBytes('HSCAN', 'h', '0')).toBe('*2\r\n$1\r\n0\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n');
    c.call('HELLO', '3');
    expect(c.callBytes('HSCAN', 'nokey', '0')).toBe('*2\r\n$1\r\n0\r\n*0\r\n');
    expect(c.callBytes('HSCAN', 'h', '0')).toBe('*2\r\n$1\r\n0\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n');
  });

  it('checks the cursor, then the key, then the options, as Redis does', () => {
    c.call('HSET', 'h', 'a', '1');
    expect(c.call('HSCAN', 'h', 'x')).toEqual(INVALID_CURSOR);
    expect(c.call('HSCAN', 's', 'x')).toEqual(INVALID_CURSOR);
    expect(c.call('HSCAN', 'nokey', 'x')).toEqual(INVALID_CURSOR);
    expect(c.call('HSCAN', 'h', '18446744073709551616')).toEqual(INVALID_CURSOR);
    expect(c.call('HSCAN', 's', '0', 'BAD')).toEqual(WRONGTYPE);
    expect(c.call('HSCAN', 'nokey', '0', 'BAD')).toEqual(['0', []]);
    expect(c.call('HSCAN', 'nokey', '0', 'COUNT', '0')).toEqual(['0', []]);
    expect(c.call('HSCAN', 'h', '0', 'COUNT', '0')).toEqual(SYNTAX);
    expect(c.call('HSCAN', 'h', '0', 'COUNT', 'x')).toEqual(NOT_INTEGER);
    expect(c.call('HSCAN', 'h', '0', 'MATCH')).toEqual(SYNTAX);
    expect(c.call('HSCAN', 'h', '0', 'NOVALUES')).toEqual(SYNTAX);
    expect(c.call('HSCAN', 'h')).toEqual(arity('hscan'));
  });
});

describe('OBJECT ENCODING of hashes', () => {
  const encoding = (key: string) => c.call('OBJECT', 'ENCODING', key);

  it('listpack while within hash-max-listpack-entries / -value, hashtable for good after', () => {
    h = new Harness({ config: [['hash-max-listpack-entries', '4'], ['hash-max-listpack-value', '8']] });
    c = h.connect();
    c.call('HSET', 'h', 'a', '1', 'b', '2', 'c', '3', 'd', '12345678');
    expect(encoding('h')).toBe('listpack');
    c.call('HSET', 'h', 'e', '5');
    expect(encoding('h')).toBe('hashtable');
    c.call('HDEL', 'h', 'a', 'b', 'c', 'd');
    expect(encoding('h')).toBe('hashtable');
    c.call('HSET', 'long', 'f', '123456789');
    expect(encoding('long')).toBe('hashtable');
    c.call('HSET', 'field', '123456789', 'v');
    expect(encoding('field')).toBe('hashtable');
    // A deleted key starts over.
    c.call('DEL', 'h');
    c.call('HSET', 'h', 'a', '1');
    expect(encoding('h')).toBe('listpack');
  });

  it('HSET with more pairs than the entry limit converts up front, duplicates included (Redis 7.2)', () => {
    h = new Harness({ config: [['hash-max-listpack-entries', '2']] });
    c = h.connect();
    c.call('HSET', 'h', 'a', '1', 'a', '2', 'a', '3');
    expect(c.call('HLEN', 'h')).toBe(1);
    expect(encoding('h')).toBe('hashtable');
    c.call('HMSET', 'm', 'a', '1', 'b', '2');
    expect(encoding('m')).toBe('listpack');
  });

  it('HSETNX of an existing field, HINCRBY and HINCRBYFLOAT follow Redis', () => {
    h = new Harness({ config: [['hash-max-listpack-entries', '2'], ['hash-max-listpack-value', '8']] });
    c = h.connect();
    c.call('HSET', 'nx', 'a', '1', 'b', '2');
    c.call('HSETNX', 'nx', 'a', 'a-very-long-value');
    expect(encoding('nx')).toBe('listpack');
    c.call('HSETNX', 'nx', 'c', '3');
    expect(encoding('nx')).toBe('hashtable');
    c.call('HINCRBY', 'i', 'a-long-field-name', '1');
    expect(encoding('i')).toBe('hashtable');
    c.call('HINCRBYFLOAT', 'f', 'x', '1.5e70');
    expect(encoding('f')).toBe('hashtable');
    c.call('HINCRBYFLOAT', 'g', 'x', '1.5');
    expect(encoding('g')).toBe('listpack');
  });
});

// ---------------------------------------------------------------------------
// Randomized model test

type Op =
  | { kind: 'hset'; key: string; pairs: Array<[string, string]> }
  | { kind: 'hsetnx'; key: string; field: string; value: string }
  | { kind: 'hdel'; key: string; fields: string[] }
  | { kind: 'hincrby'; key: string; field: string; by: number }
  | { kind: 'hincrbyfloat'; key: string; field: string; by: string }
  | { kind: 'read'; key: string; field: string }
  | { kind: 'del'; key: string };

const KEYS = ['h1', 'h2'];
const FIELDS = ['a', 'b', 'c', 'd', 'e', 'f', '', '\x00x', 'long-field-name'];
const key = fc.constantFrom(...KEYS);
const field = fc.constantFrom(...FIELDS);
const value = fc.oneof(fc.constantFrom('0', '1', '-5', '12', 'x', '', '1.5'), fc.string({ maxLength: 12 }));
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('hset' as const), key, pairs: fc.array(fc.tuple(field, value), { minLength: 1, maxLength: 3 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('hsetnx' as const), key, field, value }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('hdel' as const), key, fields: fc.array(field, { minLength: 1, maxLength: 3 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('hincrby' as const), key, field, by: fc.integer({ min: -100, max: 100 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('hincrbyfloat' as const), key, field, by: fc.constantFrom('1', '0.5', '-2', '1e2') }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('read' as const), key, field }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('del' as const), key }) },
);

/** What Redis would report as the encoding, tracked alongside the model (limits: 4 entries, 8 bytes). */
interface ModelHash {
  fields: Map<string, string>;
  peak: number;
  longest: number;
}

const MODEL_LIMITS = { entries: 4, value: 8 };

function checkReads(client: TestClient, model: Map<string, ModelHash>, k: string, f: string): void {
  const entry = model.get(k);
  const fields = entry?.fields ?? new Map<string, string>();
  expect(client.call('HGET', k, f)).toBe(fields.get(f) ?? null);
  expect(client.call('HEXISTS', k, f)).toBe(fields.has(f) ? 1 : 0);
  expect(client.call('HSTRLEN', k, f)).toBe(fields.get(f)?.length ?? 0);
  expect(client.call('HLEN', k)).toBe(fields.size);
  expect(client.call('HMGET', k, f, 'a')).toEqual([fields.get(f) ?? null, fields.get('a') ?? null]);
  expect(pairs(client.call('HGETALL', k))).toEqual(fields);
  expect(new Set(client.call('HKEYS', k) as string[])).toEqual(new Set(fields.keys()));
  expect((client.call('HVALS', k) as string[]).sort()).toEqual([...fields.values()].sort());
  expect(scanAll(client, k, 'COUNT', '2')).toEqual(fields);
  expect(client.call('EXISTS', k)).toBe(entry === undefined ? 0 : 1);
  const random = client.call('HRANDFIELD', k, '3', 'WITHVALUES') as string[];
  expect(random.length).toBe(Math.min(3, fields.size) * 2);
  for (const [rf, rv] of pairs(random)) expect(fields.get(rf as string)).toBe(rv);
  if (entry !== undefined) {
    const expected = entry.peak <= MODEL_LIMITS.entries && entry.longest <= MODEL_LIMITS.value ? 'listpack' : 'hashtable';
    expect(client.call('OBJECT', 'ENCODING', k)).toBe(expected);
  }
}

describe('hash commands against a Map model', () => {
  it('agree on replies, contents and encodings; the effect stream rebuilds the same data', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const config: Array<[string, string]> = [
          ['hash-max-listpack-entries', String(MODEL_LIMITS.entries)],
          ['hash-max-listpack-value', String(MODEL_LIMITS.value)],
        ];
        const server = new Harness({ config });
        const client = server.connect();
        const model = new Map<string, ModelHash>();
        const entryFor = (k: string): ModelHash => {
          let entry = model.get(k);
          if (entry === undefined) {
            entry = { fields: new Map(), peak: 0, longest: 0 };
            model.set(k, entry);
          }
          return entry;
        };
        const note = (entry: ModelHash, f: string, v: string) => {
          entry.peak = Math.max(entry.peak, entry.fields.size);
          entry.longest = Math.max(entry.longest, f.length, v.length);
        };
        for (const o of ops) {
          switch (o.kind) {
            case 'hset': {
              const existing = model.get(o.key)?.fields;
              const fresh = new Set(o.pairs.map(([f]) => f).filter((f) => !existing?.has(f)));
              expect(client.call('HSET', o.key, ...o.pairs.flat())).toBe(fresh.size);
              const entry = entryFor(o.key);
              entry.peak = Math.max(entry.peak, o.pairs.length);
              for (const [f, v] of o.pairs) {
                entry.fields.set(f, v);
                note(entry, f, v);
              }
              break;
            }
            case 'hsetnx': {
              const had = model.get(o.key)?.fields.has(o.field) ?? false;
              expect(client.call('HSETNX', o.key, o.field, o.value)).toBe(had ? 0 : 1);
              if (!had) {
                const entry = entryFor(o.key);
                entry.fields.set(o.field, o.value);
                note(entry, o.field, o.value);
              }
              break;
            }
            case 'hdel': {
              const entry = model.get(o.key);
              let removed = 0;
              for (const f of o.fields) if (entry?.fields.delete(f)) removed++;
              expect(client.call('HDEL', o.key, ...o.fields)).toBe(removed);
              if (entry !== undefined && entry.fields.size === 0) model.delete(o.key);
              break;
            }
            case 'hincrby': {
              const old = model.get(o.key)?.fields.get(o.field);
              const reply = client.call('HINCRBY', o.key, o.field, String(o.by));
              if (old !== undefined && !/^(0|-?[1-9]\d*)$/.test(old)) {
                expect(reply).toEqual(HASH_NOT_INTEGER);
                break;
              }
              const result = (old === undefined ? 0 : Number(old)) + o.by;
              expect(reply).toBe(result);
              const entry = entryFor(o.key);
              entry.fields.set(o.field, String(result));
              note(entry, o.field, String(result));
              break;
            }
            case 'hincrbyfloat': {
              const old = model.get(o.key)?.fields.get(o.field);
              const reply = client.call('HINCRBYFLOAT', o.key, o.field, o.by);
              if (old === undefined || /^-?\d{1,10}(\.5)?$/.test(old)) {
                // Sums of these are exact in doubles, so JS prints what Redis prints.
                expect(reply).toBe(String((old === undefined ? 0 : Number(old)) + Number(o.by)));
              } else if (reply instanceof ReplyError) {
                // Other texts may or may not be floats to Redis; an error must be this one.
                expect(reply).toEqual(HASH_NOT_FLOAT);
                break;
              }
              const entry = entryFor(o.key);
              entry.fields.set(o.field, reply as string);
              note(entry, o.field, reply as string);
              break;
            }
            case 'del': {
              expect(client.call('DEL', o.key)).toBe(model.delete(o.key) ? 1 : 0);
              break;
            }
            case 'read':
              checkReads(client, model, o.key, o.field);
              break;
          }
        }
        for (const k of KEYS) checkReads(client, model, k, 'a');
        // Replaying the effects on an empty server gives the same data.
        const replica = new Harness({ config });
        const replayer = replica.connect();
        for (const effect of server.takeEffects()) expect(replayer.call(...effect)).not.toBeInstanceOf(ReplyError);
        for (const k of KEYS) {
          expect(pairs(replayer.call('HGETALL', k))).toEqual(model.get(k)?.fields ?? new Map());
        }
      }),
      { numRuns: 150 },
    );
  });

  it('HSCAN returns every field present for the whole scan, under writes between calls', () => {
    const batch = fc.array(
      fc.oneof(
        fc.record({ kind: fc.constant('add' as const), n: fc.integer({ min: 1, max: 80 }) }),
        fc.record({ kind: fc.constant('delReturned' as const) }),
        fc.record({ kind: fc.constant('delSome' as const), every: fc.integer({ min: 1, max: 4 }) }),
        fc.record({ kind: fc.constant('update' as const) }),
      ),
      { maxLength: 2 },
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 400 }), fc.integer({ min: 1, max: 30 }), fc.array(batch, { maxLength: 40 }), (initial, count, batches) => {
        const server = new Harness({ config: [['hash-max-listpack-entries', '8']] });
        const client = server.connect();
        let next = 0;
        const add = (n: number) => {
          const argv: string[] = [];
          for (let i = 0; i < n; i++, next++) argv.push(`f${next}`, `v${next}`);
          client.call('HSET', 'h', ...argv);
        };
        add(initial);
        const start = new Set((client.call('HKEYS', 'h') as string[]).map(String));
        const deleted = new Set<string>();
        const returned = new Set<string>();
        let cursor = '0';
        let calls = 0;
        do {
          const reply = client.call('HSCAN', 'h', cursor, 'COUNT', String(count));
          if (reply instanceof ReplyError) throw new Error(reply.message);
          const [nextCursor, items] = reply as [string, string[]];
          const page: string[] = [];
          for (let i = 0; i < items.length; i += 2) {
            page.push(items[i]!);
            returned.add(items[i]!);
            expect(items[i + 1]!.startsWith('v')).toBe(true);
          }
          for (const action of batches[calls] ?? []) {
            if (action.kind === 'add') add(action.n);
            else if (action.kind === 'update' && page.length > 0) client.call('HSET', 'h', page[0]!, 'v-updated');
            else {
              const victims =
                action.kind === 'delReturned'
                  ? page
                  : (client.call('HKEYS', 'h') as string[]).filter((_, i) => i % (action.kind === 'delSome' ? action.every : 1) === 0);
              if (victims.length > 0) {
                client.call('HDEL', 'h', ...victims);
                for (const v of victims) deleted.add(v);
              }
            }
          }
          cursor = nextCursor;
          expect(++calls).toBeLessThan(100_000);
        } while (cursor !== '0');
        for (const f of start) if (!deleted.has(f)) expect(returned.has(f)).toBe(true);
      }),
      { numRuns: 100 },
    );
  });
});
