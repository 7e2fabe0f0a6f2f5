import { beforeEach, describe, expect, it } from 'vitest';
import { Harness, ReplyError, type TestClient } from '../testing/harness.js';
import { addFloatText } from './long-double.js';

/*
 * String commands through the in-process harness. Expected replies and error
 * texts were checked against redis-server 7.0.15. The effect stream is
 * asserted exactly; `effects()` drops the SELECT the stream starts with.
 */

const NOW = 1_700_000_000_000;
const err = (message: string) => new ReplyError(message);
const SYNTAX = err('ERR syntax error');
const NOT_INTEGER = err('ERR value is not an integer or out of range');
const NOT_FLOAT = err('ERR value is not a valid float');
const NAN_OR_INF = err('ERR increment would produce NaN or Infinity');
const OVERFLOW = err('ERR increment or decrement would overflow');
const invalidExpire = (command: string) => err(`ERR invalid expire time in '${command}' command`);

let h: Harness;
let c: TestClient;
const effects = () => h.takeEffects().filter((argv) => argv[0] !== 'SELECT');
const stats = () => h.core.state.stats;

beforeEach(() => {
  h = new Harness({ now: NOW });
  c = h.connect();
});

describe('GET / SET', () => {
  it('sets and gets, canonicalising the effect name', () => {
    expect(c.call('set', 'k', 'v')).toBe('OK');
    expect(c.call('GET', 'k')).toBe('v');
    expect(c.call('GET', 'missing')).toBeNull();
    expect(h.takeEffects()).toEqual([
      ['SELECT', '0'],
      ['SET', 'k', 'v'],
    ]);
  });

  it('is binary safe and keeps empty values', () => {
    const value = 'a\x00b\xff\r\n';
    expect(c.call('SET', 'bin\x00key', value)).toBe('OK');
    expect(c.call('GET', 'bin\x00key')).toBe(value);
    expect(c.callBytes('GET', 'bin\x00key')).toBe(`$6\r\n${value}\r\n`);
    expect(c.call('SET', 'empty', '')).toBe('OK');
    expect(c.callBytes('GET', 'empty')).toBe('$0\r\n\r\n');
    expect(c.callBytes('GET', 'nothing')).toBe('$-1\r\n');
  });

  it('counts keyspace hits and misses on GET', () => {
    c.call('SET', 'k', 'v');
    c.call('GET', 'k');
    c.call('GET', 'k');
    c.call('GET', 'nope');
    expect(stats().keyspaceHits).toBe(2);
    expect(stats().keyspaceMisses).toBe(1);
  });

  it('replies with the arity error', () => {
    expect(c.call('SET', 'k')).toEqual(err("ERR wrong number of arguments for 'set' command"));
    expect(c.call('GET')).toEqual(err("ERR wrong number of arguments for 'get' command"));
  });

  it('NX and XX decide the write and propagate nothing when it is refused', () => {
    expect(c.call('SET', 'k', 'v1', 'NX')).toBe('OK');
    expect(c.call('SET', 'k', 'v2', 'nx')).toBeNull();
    expect(c.call('SET', 'k', 'v3', 'XX')).toBe('OK');
    expect(c.call('SET', 'other', 'v', 'xx')).toBeNull();
    expect(c.call('GET', 'k')).toBe('v3');
    expect(c.call('EXISTS', 'other')).toBe(0);
    expect(effects()).toEqual([
      ['SET', 'k', 'v1'],
      ['SET', 'k', 'v3'],
    ]);
  });

  it('GET returns the old value, also with NX/XX, and is propagated as a plain SET', () => {
    expect(c.call('SET', 'k', 'v1', 'GET')).toBeNull();
    expect(c.call('SET', 'k', 'v2', 'GET')).toBe('v1');
    expect(c.call('SET', 'k', 'v3', 'NX', 'GET')).toBe('v2'); // refused, old value still replied
    expect(c.call('SET', 'n', 'v', 'XX', 'GET')).toBeNull(); // refused
    expect(c.call('SET', 'k', 'v4', 'get', 'get')).toBe('v2');
    expect(c.call('GET', 'k')).toBe('v4');
    expect(c.call('EXISTS', 'n')).toBe(0);
    expect(effects()).toEqual([
      ['SET', 'k', 'v1'],
      ['SET', 'k', 'v2'],
      ['SET', 'k', 'v4'],
    ]);
  });

  it('EX, PX, EXAT and PXAT become SET ... PXAT <absolute ms>', () => {
    expect(c.call('SET', 'a', 'v', 'EX', '10')).toBe('OK');
    expect(c.call('SET', 'b', 'v', 'px', '1500')).toBe('OK');
    expect(c.call('SET', 'c', 'v', 'EXAT', '1800000000')).toBe('OK');
    expect(c.call('SET', 'd', 'v', 'PXAT', '1800000000123')).toBe('OK');
    expect(c.call('PTTL', 'a')).toBe(10_000);
    expect(c.call('PTTL', 'b')).toBe(1500);
    expect(c.call('PEXPIRETIME', 'c')).toBe(1_800_000_000_000);
    expect(c.call('PEXPIRETIME', 'd')).toBe(1_800_000_000_123);
    expect(effects()).toEqual([
      ['SET', 'a', 'v', 'PXAT', String(NOW + 10_000)],
      ['SET', 'b', 'v', 'PXAT', String(NOW + 1500)],
      ['SET', 'c', 'v', 'PXAT', '1800000000000'],
      ['SET', 'd', 'v', 'PXAT', '1800000000123'],
    ]);
  });

  it('repeating the same expire option is allowed (the last wins)', () => {
    expect(c.call('SET', 'k', 'v', 'EX', '10', 'EX', '20')).toBe('OK');
    expect(c.call('TTL', 'k')).toBe(20);
    expect(c.call('SET', 'k', 'v', 'NX', 'NX')).toBeNull();
    expect(c.call('SET', 'k', 'v', 'KEEPTTL', 'KEEPTTL')).toBe('OK');
  });

  it('a plain SET clears the time to live, KEEPTTL keeps it', () => {
    c.call('SET', 'k', 'v', 'EX', '100');
    expect(c.call('SET', 'k', 'w', 'KEEPTTL')).toBe('OK');
    expect(c.call('TTL', 'k')).toBe(100);
    expect(c.call('SET', 'k', 'x')).toBe('OK');
    expect(c.call('TTL', 'k')).toBe(-1);
    expect(effects()).toEqual([
      ['SET', 'k', 'v', 'PXAT', String(NOW + 100_000)],
      ['SET', 'k', 'w', 'KEEPTTL'],
      ['SET', 'k', 'x'],
    ]);
  });

  it('refuses conflicting or incomplete options with a syntax error', () => {
    for (const options of [
      ['NX', 'XX'],
      ['XX', 'NX'],
      ['EX', '10', 'PX', '100'],
      ['PX', '10', 'EXAT', '100'],
      ['EXAT', '10', 'PXAT', '100'],
      ['KEEPTTL', 'EX', '10'],
      ['EX', '10', 'KEEPTTL'],
      ['EX'],
      ['PXAT'],
      ['PERSIST'],
      ['FOO'],
      ['EXX', '1'],
    ]) {
      expect(c.call('SET', 'k', 'v', ...options)).toEqual(SYNTAX);
    }
    expect(c.call('EXISTS', 'k')).toBe(0);
    expect(effects()).toEqual([]);
  });

  it('refuses invalid expire times with the exact Redis errors', () => {
    expect(c.call('SET', 'k', 'v', 'EX', '0')).toEqual(invalidExpire('set'));
    expect(c.call('SET', 'k', 'v', 'EX', '-1')).toEqual(invalidExpire('set'));
    expect(c.call('SET', 'k', 'v', 'PXAT', '0')).toEqual(invalidExpire('set'));
    expect(c.call('SET', 'k', 'v', 'EX', 'abc')).toEqual(NOT_INTEGER);
    expect(c.call('SET', 'k', 'v', 'EX', '1.5')).toEqual(NOT_INTEGER);
    expect(c.call('SET', 'k', 'v', 'EX', '01')).toEqual(NOT_INTEGER);
    expect(c.call('SET', 'k', 'v', 'EX', '9223372036854775808')).toEqual(NOT_INTEGER);
    // seconds beyond INT64_MAX / 1000, and relative times that overflow int64 once now is added
    expect(c.call('SET', 'k', 'v', 'EX', '9223372036854776')).toEqual(invalidExpire('set'));
    expect(c.call('SET', 'k', 'v', 'EX', '9223372036854775')).toEqual(invalidExpire('set'));
    expect(c.call('SET', 'k', 'v', 'PX', '9223372036854775807')).toEqual(invalidExpire('set'));
    expect(effects()).toEqual([]);
  });

  it('accepts absolute times up to INT64_MAX and propagates them exactly', () => {
    expect(c.call('SET', 'k', 'v', 'EXAT', '9223372036854775')).toBe('OK');
    expect(c.call('SET', 'm', 'v', 'PXAT', '9223372036854775807')).toBe('OK');
    expect(c.call('PEXPIRETIME', 'm')).toBe(9223372036854775807n);
    expect(effects()).toEqual([
      ['SET', 'k', 'v', 'PXAT', '9223372036854775000'],
      ['SET', 'm', 'v', 'PXAT', '9223372036854775807'],
    ]);
  });

  it('an absolute time in the past stores a key that is gone at once (lazily deleted with a DEL effect)', () => {
    expect(c.call('SET', 'k', 'v', 'EXAT', '1')).toBe('OK');
    expect(c.call('GET', 'k')).toBeNull();
    expect(effects()).toEqual([
      ['SET', 'k', 'v', 'PXAT', '1000'],
      ['DEL', 'k'],
    ]);
  });

  it('lazy expiry on GET produces a DEL effect and counts an expired key', () => {
    c.call('SET', 'k', 'v', 'PX', '100');
    h.advance(99);
    expect(c.call('GET', 'k')).toBe('v');
    h.advance(1);
    expect(c.call('GET', 'k')).toBeNull();
    expect(stats().expiredKeys).toBe(1);
    expect(effects()).toEqual([
      ['SET', 'k', 'v', 'PXAT', String(NOW + 100)],
      ['DEL', 'k'],
    ]);
  });

  it('SET NX on a logically expired key records the expiry DEL and the SET in one transaction', () => {
    c.call('SET', 'k', 'old', 'PX', '10');
    h.takeEffects();
    h.advance(10);
    expect(c.call('SET', 'k', 'new', 'NX')).toBe('OK');
    expect(h.takeEffects()).toEqual([['MULTI'], ['DEL', 'k'], ['SET', 'k', 'new'], ['EXEC']]);
  });
});

describe('SETNX / SETEX / PSETEX', () => {
  it('SETNX sets only a missing key and propagates SET', () => {
    expect(c.call('SETNX', 'k', 'a')).toBe(1);
    expect(c.call('SETNX', 'k', 'b')).toBe(0);
    expect(c.call('GET', 'k')).toBe('a');
    expect(effects()).toEqual([['SET', 'k', 'a']]);
  });

  it('SETEX and PSETEX propagate SET ... PXAT', () => {
    expect(c.call('SETEX', 'a', '10', 'v')).toBe('OK');
    expect(c.call('PSETEX', 'b', '1500', 'w')).toBe('OK');
    expect(c.call('TTL', 'a')).toBe(10);
    expect(c.call('PTTL', 'b')).toBe(1500);
    expect(c.call('GET', 'b')).toBe('w');
    expect(effects()).toEqual([
      ['SET', 'a', 'v', 'PXAT', String(NOW + 10_000)],
      ['SET', 'b', 'w', 'PXAT', String(NOW + 1500)],
    ]);
  });

  it('SETEX and PSETEX name themselves in the invalid expire error', () => {
    expect(c.call('SETEX', 'k', '0', 'v')).toEqual(invalidExpire('setex'));
    expect(c.call('SETEX', 'k', '-5', 'v')).toEqual(invalidExpire('setex'));
    expect(c.call('SETEX', 'k', '9223372036854775', 'v')).toEqual(invalidExpire('setex'));
    expect(c.call('SETEX', 'k', 'x', 'v')).toEqual(NOT_INTEGER);
    expect(c.call('PSETEX', 'k', '0', 'v')).toEqual(invalidExpire('psetex'));
    expect(c.call('PSETEX', 'k', '9223372036854775807', 'v')).toEqual(invalidExpire('psetex'));
    expect(c.call('EXISTS', 'k')).toBe(0);
    expect(effects()).toEqual([]);
  });
});

describe('MGET / MSET / MSETNX', () => {
  it('MGET returns values and nulls, counting hits and misses', () => {
    c.call('MSET', 'a', '1', 'b', '\x00\xff');
    expect(c.call('MGET', 'a', 'zz', 'b', 'a')).toEqual(['1', null, '\x00\xff', '1']);
    expect(stats().keyspaceHits).toBe(3);
    expect(stats().keyspaceMisses).toBe(1);
  });

  it('MSET sets all, clears times to live and propagates itself', () => {
    c.call('SET', 'a', 'x', 'EX', '100');
    h.takeEffects();
    expect(c.call('mset', 'a', '1', 'b', '2')).toBe('OK');
    expect(c.call('TTL', 'a')).toBe(-1);
    expect(c.call('MSET', 'a', '1', 'b')).toEqual(err("ERR wrong number of arguments for 'mset' command"));
    expect(effects()).toEqual([['MSET', 'a', '1', 'b', '2']]);
  });

  it('MSETNX is all or nothing and propagates MSET', () => {
    c.call('SET', 'a', '1');
    expect(c.call('MSETNX', 'a', '3', 'q', '4')).toBe(0);
    expect(c.call('EXISTS', 'q')).toBe(0);
    expect(c.call('MSETNX', 'q', '4', 'r', '5')).toBe(1);
    expect(c.call('MGET', 'q', 'r')).toEqual(['4', '5']);
    expect(c.call('MSETNX', 's', '1', 's', '2')).toBe(1);
    expect(c.call('GET', 's')).toBe('2');
    expect(c.call('MSETNX', 'q', '1', 'x')).toEqual(err("ERR wrong number of arguments for 'msetnx' command"));
    expect(effects()).toEqual([
      ['SET', 'a', '1'],
      ['MSET', 'q', '4', 'r', '5'],
      ['MSET', 's', '1', 's', '2'],
    ]);
  });
});

describe('GETSET / GETDEL', () => {
  it('GETSET returns the old value, clears the time to live, propagates SET', () => {
    c.call('SET', 't', 'v', 'EX', '100');
    h.takeEffects();
    expect(c.call('GETSET', 't', 'v2')).toBe('v');
    expect(c.call('TTL', 't')).toBe(-1);
    expect(c.call('GETSET', 'new', 'x')).toBeNull();
    expect(c.call('GET', 'new')).toBe('x');
    expect(effects()).toEqual([
      ['SET', 't', 'v2'],
      ['SET', 'new', 'x'],
    ]);
  });

  it('GETDEL returns and deletes, propagating DEL only when something was deleted', () => {
    c.call('SET', 'k', 'v');
    h.takeEffects();
    expect(c.call('GETDEL', 'k')).toBe('v');
    expect(c.call('GETDEL', 'k')).toBeNull();
    expect(c.call('EXISTS', 'k')).toBe(0);
    expect(effects()).toEqual([['DEL', 'k']]);
    expect(stats().keyspaceHits).toBe(1);
    expect(stats().keyspaceMisses).toBe(2);
  });
});

describe('GETEX', () => {
  beforeEach(() => {
    c.call('SET', 'g', 'v');
    h.takeEffects();
  });

  it('without options is a plain read with no effect', () => {
    expect(c.call('GETEX', 'g')).toBe('v');
    expect(c.call('GETEX', 'missing')).toBeNull();
    expect(effects()).toEqual([]);
  });

  it('EX/PX/EXAT/PXAT set the time to live and propagate PEXPIREAT', () => {
    expect(c.call('GETEX', 'g', 'EX', '100')).toBe('v');
    expect(c.call('TTL', 'g')).toBe(100);
    expect(c.call('GETEX', 'g', 'px', '5000')).toBe('v');
    expect(c.call('PTTL', 'g')).toBe(5000);
    expect(c.call('GETEX', 'g', 'EXAT', '1800000000')).toBe('v');
    expect(c.call('GETEX', 'g', 'PXAT', '1800000000001')).toBe('v');
    expect(c.call('PEXPIRETIME', 'g')).toBe(1_800_000_000_001);
    expect(effects()).toEqual([
      ['PEXPIREAT', 'g', String(NOW + 100_000)],
      ['PEXPIREAT', 'g', String(NOW + 5000)],
      ['PEXPIREAT', 'g', '1800000000000'],
      ['PEXPIREAT', 'g', '1800000000001'],
    ]);
  });

  it('PERSIST removes the time to live, propagating PERSIST only when there was one', () => {
    expect(c.call('GETEX', 'g', 'PERSIST')).toBe('v');
    expect(effects()).toEqual([]);
    c.call('GETEX', 'g', 'EX', '10');
    h.takeEffects();
    expect(c.call('GETEX', 'g', 'persist')).toBe('v');
    expect(c.call('TTL', 'g')).toBe(-1);
    expect(effects()).toEqual([['PERSIST', 'g']]);
  });

  it('an absolute time already past deletes the key and propagates DEL', () => {
    expect(c.call('GETEX', 'g', 'EXAT', '1')).toBe('v');
    expect(c.call('EXISTS', 'g')).toBe(0);
    expect(effects()).toEqual([['DEL', 'g']]);
  });

  it('checks options before the key, and the expire value after it', () => {
    expect(c.call('GETEX', 'missing', 'FOO')).toEqual(SYNTAX);
    expect(c.call('GETEX', 'missing', 'EX', '0')).toBeNull();
    expect(c.call('GETEX', 'g', 'EX', '0')).toEqual(invalidExpire('getex'));
    expect(c.call('GETEX', 'g', 'EX', 'abc')).toEqual(NOT_INTEGER);
    expect(c.call('GETEX', 'g', 'EX', '9223372036854775')).toEqual(invalidExpire('getex'));
    for (const options of [['PERSIST', 'EX', '10'], ['EX', '10', 'PERSIST'], ['KEEPTTL'], ['NX'], ['XX'], ['GET'], ['EX'], ['EX', '1', 'PX', '1']]) {
      expect(c.call('GETEX', 'g', ...options)).toEqual(SYNTAX);
    }
    expect(c.call('TTL', 'g')).toBe(-1);
    expect(effects()).toEqual([]);
  });
});

describe('APPEND / STRLEN', () => {
  it('creates, appends binary data, keeps the time to live', () => {
    expect(c.call('APPEND', 'k', 'hello')).toBe(5);
    c.call('EXPIRE', 'k', '100');
    expect(c.call('append', 'k', ' \x00\xff')).toBe(8);
    expect(c.call('GET', 'k')).toBe('hello \x00\xff');
    expect(c.call('TTL', 'k')).toBe(100);
    expect(c.call('STRLEN', 'k')).toBe(8);
    expect(c.call('STRLEN', 'missing')).toBe(0);
    expect(effects()).toEqual([
      ['APPEND', 'k', 'hello'],
      ['PEXPIREAT', 'k', String(NOW + 100_000)],
      ['APPEND', 'k', ' \x00\xff'],
    ]);
  });

  it('an empty append creates a missing key and, on an existing one, is a write that changes nothing', () => {
    expect(c.call('APPEND', 'e', '')).toBe(0);
    expect(c.call('EXISTS', 'e')).toBe(1);
    c.call('SET', 'k', 'abc');
    expect(c.call('APPEND', 'k', '')).toBe(3);
    expect(c.call('GET', 'k')).toBe('abc');
    // Redis propagates it too (server.dirty is always bumped).
    expect(effects()).toEqual([
      ['APPEND', 'e', ''],
      ['SET', 'k', 'abc'],
      ['APPEND', 'k', ''],
    ]);
  });

  it('an empty append to an existing key invalidates WATCH, as in Redis', () => {
    c.call('SET', 'k', 'abc');
    c.call('WATCH', 'k');
    c.call('APPEND', 'k', '');
    c.call('MULTI');
    c.call('PING');
    expect(c.call('EXEC')).toBeNull();
  });

  it('refuses a result longer than proto-max-bulk-len', () => {
    const limited = new Harness({ now: NOW, config: [['proto-max-bulk-len', '1mb']] });
    const client = limited.connect();
    client.call('SET', 'k', 'x'.repeat(1024 * 1024));
    expect(client.call('APPEND', 'k', 'y')).toEqual(err('ERR string exceeds maximum allowed size (proto-max-bulk-len)'));
    expect(client.call('STRLEN', 'k')).toBe(1024 * 1024);
  });
});

describe('GETRANGE / SUBSTR', () => {
  beforeEach(() => {
    c.call('SET', 's', 'hello');
  });

  it.each([
    ['0', '-1', 'hello'],
    ['-1', '-5', ''],
    ['0', '-100', 'h'], // Redis 7.0 clamps a too-negative end to 0
    ['5', '-1', ''],
    ['-100', '-200', ''],
    ['3', '2', ''],
    ['-3', '-1', 'llo'],
    ['1', '100', 'ello'],
    ['-100', '2', 'hel'],
    ['0', '0', 'h'],
    ['4', '4', 'o'],
    ['5', '5', ''],
    ['-5', '-5', 'h'],
    ['-6', '-6', 'h'],
    ['0', '9223372036854775807', 'hello'],
    ['-9223372036854775808', '9223372036854775807', 'hello'],
  ])('GETRANGE s %s %s -> %j', (start, end, expected) => {
    expect(c.call('GETRANGE', 's', start, end)).toBe(expected);
  });

  it('replies "" for a missing key or an empty value, errors on bad indexes', () => {
    expect(c.callBytes('GETRANGE', 'missing', '0', '-1')).toBe('$0\r\n\r\n');
    c.call('SET', 'e', '');
    expect(c.call('GETRANGE', 'e', '0', '-1')).toBe('');
    expect(c.call('GETRANGE', 'e', '-1', '0')).toBe('');
    expect(c.call('GETRANGE', 's', 'a', '1')).toEqual(NOT_INTEGER);
    expect(c.call('GETRANGE', 's', '1', '1.5')).toEqual(NOT_INTEGER);
    expect(c.call('GETRANGE', 'missing', 'x', '1')).toEqual(NOT_INTEGER);
  });

  it('is binary safe, and SUBSTR is the same command', () => {
    c.call('SET', 'b', '\x00\x01\xff\xfe');
    expect(c.call('GETRANGE', 'b', '1', '2')).toBe('\x01\xff');
    expect(c.call('SUBSTR', 's', '1', '3')).toBe('ell');
  });
});

describe('SETRANGE', () => {
  it('pads a new key with zero bytes', () => {
    expect(c.call('SETRANGE', 'k', '5', 'abc')).toBe(8);
    expect(c.call('GET', 'k')).toBe('\x00\x00\x00\x00\x00abc');
    expect(effects()).toEqual([['SETRANGE', 'k', '5', 'abc']]);
  });

  it('overwrites inside, extends beyond the end, keeps the time to live', () => {
    c.call('SET', 'k', 'Hello World', 'EX', '100');
    expect(c.call('setrange', 'k', '6', 'Redis')).toBe(11);
    expect(c.call('GET', 'k')).toBe('Hello Redis');
    expect(c.call('SETRANGE', 'k', '0', 'J')).toBe(11);
    expect(c.call('SETRANGE', 'k', '13', '\xff\x00')).toBe(15);
    expect(c.call('GET', 'k')).toBe('Jello Redis\x00\x00\xff\x00');
    expect(c.call('SETRANGE', 'k', '1', 'long-overwrite-beyond-end')).toBe(26);
    expect(c.call('GET', 'k')).toBe('Jlong-overwrite-beyond-end');
    expect(c.call('TTL', 'k')).toBe(100);
  });

  it('an empty value changes nothing and creates nothing', () => {
    c.call('SET', 'k', 'abc');
    h.takeEffects();
    expect(c.call('SETRANGE', 'k', '10', '')).toBe(3);
    expect(c.call('SETRANGE', 'missing', '2', '')).toBe(0);
    expect(c.call('EXISTS', 'missing')).toBe(0);
    expect(c.call('GET', 'k')).toBe('abc');
    expect(effects()).toEqual([]);
  });

  it('refuses negative and too large offsets', () => {
    expect(c.call('SETRANGE', 'k', '-1', 'a')).toEqual(err('ERR offset is out of range'));
    expect(c.call('SETRANGE', 'k', 'x', 'a')).toEqual(NOT_INTEGER);
    const tooLong = err('ERR string exceeds maximum allowed size (proto-max-bulk-len)');
    expect(c.call('SETRANGE', 'k', '536870912', 'a')).toEqual(tooLong);
    expect(c.call('SETRANGE', 'k', '9223372036854775807', 'a')).toEqual(tooLong);
    c.call('SET', 'k', 'v');
    expect(c.call('SETRANGE', 'k', '536870912', 'a')).toEqual(tooLong);
    expect(c.call('SETRANGE', 'k', '-1', '')).toEqual(err('ERR offset is out of range'));
  });

  it('turns an integer into a string value', () => {
    c.call('SET', 'i', '10');
    expect(c.call('SETRANGE', 'i', '0', '2')).toBe(2);
    expect(c.call('GET', 'i')).toBe('20');
    expect(c.call('INCR', 'i')).toBe(21);
  });
});

describe('INCR / DECR / INCRBY / DECRBY', () => {
  it('counts from 0 and propagates the commands themselves', () => {
    expect(c.call('incr', 'n')).toBe(1);
    expect(c.call('INCR', 'n')).toBe(2);
    expect(c.call('INCRBY', 'n', '10')).toBe(12);
    expect(c.call('DECR', 'n')).toBe(11);
    expect(c.call('decrby', 'n', '5')).toBe(6);
    expect(c.call('INCRBY', 'n', '-100')).toBe(-94);
    expect(c.call('GET', 'n')).toBe('-94');
    expect(c.call('DECR', 'm')).toBe(-1);
    expect(effects()).toEqual([
      ['INCR', 'n'],
      ['INCR', 'n'],
      ['INCRBY', 'n', '10'],
      ['DECR', 'n'],
      ['DECRBY', 'n', '5'],
      ['INCRBY', 'n', '-100'],
      ['DECR', 'm'],
    ]);
  });

  it('keeps the time to live and counts no keyspace hits (write lookups)', () => {
    c.call('SET', 'n', '5', 'EX', '100');
    expect(c.call('INCR', 'n')).toBe(6);
    expect(c.call('TTL', 'n')).toBe(100);
    expect(stats().keyspaceHits).toBe(1); // the TTL only
  });

  it('is exact up to the int64 limits and refuses overflow without changing the value', () => {
    c.call('SET', 'big', '9223372036854775806');
    expect(c.call('INCR', 'big')).toBe(9223372036854775807n);
    expect(c.call('INCR', 'big')).toEqual(OVERFLOW);
    expect(c.call('GET', 'big')).toBe('9223372036854775807');
    c.call('SET', 'small', '-9223372036854775807');
    expect(c.call('DECR', 'small')).toBe(-9223372036854775808n);
    expect(c.call('DECR', 'small')).toEqual(OVERFLOW);
    expect(c.call('DECRBY', 'small', '-1')).toBe(-9223372036854775807n);
    expect(c.call('INCRBY', 'small', '9223372036854775807')).toBe(0);
    expect(c.call('INCRBY', 'z', '9223372036854775807')).toBe(9223372036854775807n);
    expect(c.call('INCRBY', 'z', '1')).toEqual(OVERFLOW);
    expect(c.call('INCRBY', 'z2', '-9223372036854775808')).toBe(-9223372036854775808n);
    expect(c.call('DECR', 'z2')).toEqual(OVERFLOW);
  });

  it('leaves the double fast path exactly beyond 2^53', () => {
    c.call('SET', 'n', '9007199254740993');
    expect(c.call('INCR', 'n')).toBe(9007199254740994n);
    expect(c.call('INCRBY', 'n', '9007199254740993')).toBe(18014398509481987n);
    expect(c.call('GET', 'n')).toBe('18014398509481987');
    c.call('SET', 'm', '9007199254740991');
    expect(c.call('INCR', 'm')).toBe(9007199254740992n);
  });

  it('DECRBY INT64_MIN is refused because its negation overflows', () => {
    expect(c.call('DECRBY', 'n', '-9223372036854775808')).toEqual(err('ERR decrement would overflow'));
    expect(c.call('EXISTS', 'n')).toBe(0);
  });

  it('refuses values and amounts that are not canonical int64', () => {
    for (const value of [' 1', '+1', '01', '1.0', 'abc', '', '-0', '9223372036854775808']) {
      c.call('SET', 'v', value);
      expect(c.call('INCR', 'v')).toEqual(NOT_INTEGER);
    }
    for (const amount of ['1.5', '9223372036854775808', '', ' 1', 'x']) {
      expect(c.call('INCRBY', 'n', amount)).toEqual(NOT_INTEGER);
      expect(c.call('DECRBY', 'n', amount)).toEqual(NOT_INTEGER);
    }
    expect(c.call('EXISTS', 'n')).toBe(0);
  });

  it('zero amounts and negative zero never produce "-0"', () => {
    expect(c.call('DECRBY', 'x', '0')).toBe(0);
    expect(c.call('GET', 'x')).toBe('0');
    expect(c.callBytes('DECRBY', 'x', '0')).toBe(':0\r\n');
  });
});

describe('INCRBYFLOAT', () => {
  it('adds with long double precision and propagates SET ... KEEPTTL', () => {
    expect(c.call('INCRBYFLOAT', 'f', '0.1')).toBe('0.1');
    expect(c.call('INCRBYFLOAT', 'f', '0.2')).toBe('0.3');
    expect(c.call('GET', 'f')).toBe('0.3');
    expect(effects()).toEqual([
      ['SET', 'f', '0.1', 'KEEPTTL'],
      ['SET', 'f', '0.3', 'KEEPTTL'],
    ]);
  });

  it('keeps the time to live', () => {
    c.call('SET', 'f', '5', 'EX', '100');
    expect(c.call('INCRBYFLOAT', 'f', '1.5')).toBe('6.5');
    expect(c.call('TTL', 'f')).toBe(100);
  });

  it.each([
    // [start value, increment, Redis 7.0.15 result]
    ['0', '1e-20', '0'],
    ['10.5', '0.1', '10.6'],
    ['1', '-1.1', '-0.1'],
    ['17179869184', '1.5', '17179869185.5'],
    ['17179869184', '17179869184', '34359738368'],
    ['0', '0x10', '16'],
    ['16', '1e30', '1000000000000000000024696061952'],
    ['3', '1e-300', '3'],
    ['3', '123456789.123456789', '123456792.12345678899873747'],
    ['0.1', '0.7', '0.8'],
    ['1.1e1', '0XA.8P1', '32'],
    ['32', '-0x.1p4', '31'],
    ['10', '1.23456789012345678901234567890', '11.23456789012345679'],
    ['1', '1e19', '10000000000000000001'],
    ['5.0e3', '0', '5000'],
    ['3.0', '0', '3'],
    ['0', '-1e-20', '0'],
    ['0', '0.000000000000000015', '0.00000000000000002'],
    ['0', '0.000000000000000025', '0.00000000000000002'],
    ['0', '.5', '0.5'],
    ['0', '5.', '5'],
    ['0', '+5', '5'],
    ['0', '1e-4940', '0'],
    ['0', '00000.5e-0000', '0.5'],
    ['0.024390243902439025', '-0.024390243902439025', '0'],
  ])('%s + %s = %s', (start, increment, expected) => {
    c.call('SET', 'f', start);
    expect(c.call('INCRBYFLOAT', 'f', increment)).toBe(expected);
  });

  it('prints huge values in full decimal notation', () => {
    const once = c.call('INCRBYFLOAT', 'f', '1e308') as string;
    expect(once.length).toBe(308);
    expect(once.startsWith('99999999999999999996685879655845645660560099847415567207797047994921734868838061872100126921888539320446747225054013223152134749593960583597420814430196418767959100019603190778663109604507106667939153395788938914560543563061268364901618630217086589253444881623791300855757318142424510452728255046343928578048')).toBe(true);
    // 2e308 overflows a double but not a long double
    expect((c.call('INCRBYFLOAT', 'f', '1e308') as string).startsWith('1999999999999999999933717593116912913211201996948')).toBe(true);
    c.call('SET', 'g', '1.5e300');
    expect((c.call('INCRBYFLOAT', 'g', '0') as string).startsWith('150000000000000000004980010986147216636237923911867392855121')).toBe(true);
  });

  it('repeated 0.1 increments stay exact in the printed form', () => {
    c.call('SET', 'f', '1');
    for (let i = 0; i < 10; i++) c.call('INCRBYFLOAT', 'f', '0.1');
    expect(c.call('GET', 'f')).toBe('2');
  });

  it('refuses invalid floats, NaN and infinite results without changing the value', () => {
    c.call('SET', 'f', '1');
    for (const increment of [' 1', '1 ', 'abc', '', '.', '1e', '0x', 'nan', '1e5000', '1e-5000', '1.5e-4952', '1\x002', 'x'.repeat(6000)]) {
      expect(c.call('INCRBYFLOAT', 'f', increment)).toEqual(NOT_FLOAT);
    }
    for (const increment of ['inf', '-INF', 'infinity', '+Infinity', '1e4932']) {
      c.call('SET', 'g', '1e4932');
      expect(c.call('INCRBYFLOAT', 'g', increment)).toEqual(NAN_OR_INF);
    }
    expect(c.call('GET', 'f')).toBe('1');
    c.call('SET', 'f', 'abc');
    expect(c.call('INCRBYFLOAT', 'f', '1')).toEqual(NOT_FLOAT);
    c.call('SET', 'f', 'inf');
    expect(c.call('INCRBYFLOAT', 'f', '1')).toEqual(NAN_OR_INF);
    c.call('SET', 'f', '1');
    c.call('SETRANGE', 'f', '2', '2'); // "1\0" + "2": a zero byte inside
    expect(c.call('INCRBYFLOAT', 'f', '1')).toEqual(NOT_FLOAT);
    expect(c.call('INCRBYFLOAT', 'missing', 'abc')).toEqual(NOT_FLOAT);
    expect(c.call('EXISTS', 'missing')).toBe(0);
    h.takeEffects();
    expect(c.call('INCRBYFLOAT', 'f', 'x')).toEqual(NOT_FLOAT);
    expect(effects()).toEqual([]);
  });

  it('accepts the largest finite long double and subnormals', () => {
    expect(c.call('INCRBYFLOAT', 'f', '1.18973149535723176502e+4932')).toMatch(/^118973149535723176502\d{4912}$/);
    expect(c.call('INCRBYFLOAT', 'g', '4.9e-4951')).toBe('0');
  });
});

describe('addFloatText', () => {
  it('is the shared INCRBYFLOAT arithmetic', () => {
    expect(addFloatText(undefined, '2.5')).toEqual({ ok: true, value: '2.5' });
    expect(addFloatText('0.1', '0.2')).toEqual({ ok: true, value: '0.3' });
    expect(addFloatText('x', '1')).toEqual({ ok: false, error: 'ERR value is not a valid float' });
    expect(addFloatText('1', 'inf')).toEqual({ ok: false, error: 'ERR increment would produce NaN or Infinity' });
  });
});
