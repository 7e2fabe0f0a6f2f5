import { beforeEach, describe, expect, it } from 'vitest';
import { Harness, ReplyError, type Reply, type TestClient } from '../testing/harness.js';

/*
 * Generic keyspace commands through the in-process harness. Expected replies
 * and error texts were checked against redis-server 7.0.15. `effects()` drops
 * SELECTs; tests about other databases assert the raw stream.
 */

const NOW = 1_700_000_000_000;
const err = (message: string) => new ReplyError(message);
const SYNTAX = err('ERR syntax error');
const NOT_INTEGER = err('ERR value is not an integer or out of range');
const invalidExpire = (command: string) => err(`ERR invalid expire time in '${command}' command`);

let h: Harness;
let c: TestClient;
const effects = () => h.takeEffects().filter((argv) => argv[0] !== 'SELECT');
const stats = () => h.core.state.stats;
const sorted = (reply: Reply) => [...(reply as string[])].sort();

beforeEach(() => {
  h = new Harness({ now: NOW });
  c = h.connect();
});

/** Runs setup commands and forgets their effects and keyspace counters. */
function given(...commands: string[][]): void {
  for (const argv of commands) c.call(...argv);
  h.takeEffects();
  stats().keyspaceHits = 0;
  stats().keyspaceMisses = 0;
}

describe('DEL / UNLINK', () => {
  it('counts removed keys and propagates DEL of exactly those', () => {
    given(['MSET', 'a', '1', 'b', '2', 'c', '3']);
    expect(c.call('DEL', 'a', 'zz', 'b', 'a')).toBe(2);
    expect(c.call('del', 'c')).toBe(1);
    expect(c.call('DEL', 'zz', 'yy')).toBe(0);
    expect(effects()).toEqual([
      ['DEL', 'a', 'b'],
      ['DEL', 'c'],
    ]);
  });

  it('UNLINK is DEL', () => {
    given(['MSET', 'a', '1', 'b', '2']);
    expect(c.call('UNLINK', 'a', 'b', 'zz')).toBe(2);
    expect(c.call('unlink', 'zz')).toBe(0);
    expect(effects()).toEqual([['DEL', 'a', 'b']]);
  });

  it('a logically expired key counts as missing; its expiry is the DEL effect', () => {
    given(['SET', 'k', 'v', 'PX', '10']);
    h.advance(10);
    expect(c.call('DEL', 'k')).toBe(0);
    expect(effects()).toEqual([['DEL', 'k']]);
    expect(stats().keyspaceHits + stats().keyspaceMisses).toBe(0);
  });

  it('needs a key', () => {
    expect(c.call('DEL')).toEqual(err("ERR wrong number of arguments for 'del' command"));
  });
});

describe('EXISTS / TYPE / TOUCH', () => {
  it('EXISTS counts each named key, duplicates included', () => {
    given(['MSET', 'a', '1', 'b', '2']);
    expect(c.call('EXISTS', 'a', 'b', 'a', 'zz')).toBe(3);
    expect(stats().keyspaceHits).toBe(3);
    expect(stats().keyspaceMisses).toBe(1);
  });

  it('TYPE replies a status', () => {
    given(['SET', 'a', '1']);
    expect(c.callBytes('TYPE', 'a')).toBe('+string\r\n');
    expect(c.callBytes('TYPE', 'zz')).toBe('+none\r\n');
    expect(stats().keyspaceHits).toBe(1);
    expect(stats().keyspaceMisses).toBe(1);
  });

  it('TOUCH counts existing keys and propagates nothing', () => {
    given(['SET', 'a', '1']);
    expect(c.call('TOUCH', 'a', 'a', 'zz')).toBe(2);
    expect(effects()).toEqual([]);
  });
});

describe('EXPIRE / PEXPIRE / EXPIREAT / PEXPIREAT', () => {
  beforeEach(() => given(['SET', 'k', 'v']));

  it('each form is propagated as PEXPIREAT <absolute ms>', () => {
    expect(c.call('EXPIRE', 'k', '100')).toBe(1);
    expect(c.call('TTL', 'k')).toBe(100);
    expect(c.call('pexpire', 'k', '1500')).toBe(1);
    expect(c.call('PTTL', 'k')).toBe(1500);
    expect(c.call('EXPIREAT', 'k', '1800000000')).toBe(1);
    expect(c.call('PEXPIREAT', 'k', '1800000000123')).toBe(1);
    expect(c.call('PEXPIRETIME', 'k')).toBe(1_800_000_000_123);
    expect(effects()).toEqual([
      ['PEXPIREAT', 'k', String(NOW + 100_000)],
      ['PEXPIREAT', 'k', String(NOW + 1500)],
      ['PEXPIREAT', 'k', '1800000000000'],
      ['PEXPIREAT', 'k', '1800000000123'],
    ]);
  });

  it('a missing key replies 0 and propagates nothing', () => {
    expect(c.call('EXPIRE', 'zz', '100')).toBe(0);
    expect(c.call('PEXPIREAT', 'zz', '1')).toBe(0);
    expect(effects()).toEqual([]);
  });

  it('a time already past deletes the key and propagates DEL', () => {
    expect(c.call('EXPIRE', 'k', '-1')).toBe(1);
    expect(c.call('EXISTS', 'k')).toBe(0);
    c.call('SET', 'a', 'v');
    c.call('SET', 'b', 'v');
    c.call('SET', 'c', 'v');
    h.takeEffects();
    expect(c.call('EXPIREAT', 'a', '0')).toBe(1);
    expect(c.call('PEXPIREAT', 'b', String(NOW))).toBe(1); // "now" counts as past
    expect(c.call('PEXPIRE', 'c', '0')).toBe(1);
    expect(c.call('DBSIZE')).toBe(0);
    expect(effects()).toEqual([
      ['DEL', 'a'],
      ['DEL', 'b'],
      ['DEL', 'c'],
    ]);
  });

  it('the fake clock expires the key lazily with a DEL effect', () => {
    c.call('PEXPIRE', 'k', '1000');
    h.advance(999);
    expect(c.call('PTTL', 'k')).toBe(1);
    h.advance(1);
    expect(c.call('PTTL', 'k')).toBe(-2);
    expect(effects()).toEqual([
      ['PEXPIREAT', 'k', String(NOW + 1000)],
      ['DEL', 'k'],
    ]);
  });

  it('NX / XX / GT / LT follow Redis 7 (no time to live counts as infinite)', () => {
    expect(c.call('EXPIRE', 'k', '100', 'XX')).toBe(0);
    expect(c.call('EXPIRE', 'k', '100', 'GT')).toBe(0);
    expect(c.call('EXPIRE', 'k', '100', 'NX')).toBe(1);
    expect(c.call('EXPIRE', 'k', '50', 'NX')).toBe(0);
    expect(c.call('EXPIRE', 'k', '200', 'LT')).toBe(0);
    expect(c.call('EXPIRE', 'k', '100', 'LT')).toBe(0); // not strictly less
    expect(c.call('EXPIRE', 'k', '50', 'lt')).toBe(1);
    expect(c.call('EXPIRE', 'k', '50', 'GT')).toBe(0);
    expect(c.call('EXPIRE', 'k', '60', 'gt')).toBe(1);
    expect(c.call('EXPIRE', 'k', '70', 'XX', 'GT')).toBe(1);
    expect(c.call('EXPIRE', 'k', '80', 'XX', 'LT')).toBe(0);
    expect(c.call('TTL', 'k')).toBe(70);
    c.call('PERSIST', 'k');
    expect(c.call('EXPIRE', 'k', '10', 'LT')).toBe(1); // LT on a key without one succeeds
    expect(effects()).toEqual([
      ['PEXPIREAT', 'k', String(NOW + 100_000)],
      ['PEXPIREAT', 'k', String(NOW + 50_000)],
      ['PEXPIREAT', 'k', String(NOW + 60_000)],
      ['PEXPIREAT', 'k', String(NOW + 70_000)],
      ['PERSIST', 'k'],
      ['PEXPIREAT', 'k', String(NOW + 10_000)],
    ]);
  });

  it('conditions are checked before a past time deletes', () => {
    expect(c.call('EXPIRE', 'k', '-1', 'GT')).toBe(0);
    expect(c.call('EXISTS', 'k')).toBe(1);
    expect(c.call('EXPIRE', 'k', '-1', 'LT')).toBe(1);
    expect(c.call('EXISTS', 'k')).toBe(0);
    expect(effects()).toEqual([['DEL', 'k']]);
  });

  it('refuses incompatible and unknown options before parsing the time', () => {
    const nxWith = err('ERR NX and XX, GT or LT options at the same time are not compatible');
    expect(c.call('EXPIRE', 'k', '100', 'NX', 'XX')).toEqual(nxWith);
    expect(c.call('EXPIRE', 'k', '100', 'nx', 'gt')).toEqual(nxWith);
    expect(c.call('EXPIRE', 'k', '100', 'LT', 'NX')).toEqual(nxWith);
    expect(c.call('EXPIRE', 'k', '100', 'GT', 'LT')).toEqual(err('ERR GT and LT options at the same time are not compatible'));
    expect(c.call('EXPIRE', 'k', 'abc', 'foo')).toEqual(err('ERR Unsupported option foo'));
    expect(c.call('EXPIRE', 'k', '100', 'f\r\no')).toEqual(err('ERR Unsupported option f  o'));
    expect(c.call('EXPIRE', 'k', 'abc')).toEqual(NOT_INTEGER);
    expect(c.call('EXPIRE', 'k', '1.5')).toEqual(NOT_INTEGER);
    expect(c.call('EXPIRE', 'k')).toEqual(err("ERR wrong number of arguments for 'expire' command"));
    expect(effects()).toEqual([]);
  });

  it('refuses times that overflow int64, even for a missing key', () => {
    expect(c.call('EXPIRE', 'k', '9223372036854776')).toEqual(invalidExpire('expire'));
    expect(c.call('EXPIRE', 'k', '-9223372036854776')).toEqual(invalidExpire('expire'));
    expect(c.call('EXPIRE', 'k', '9223372036854775')).toEqual(invalidExpire('expire')); // overflows once now is added
    expect(c.call('EXPIRE', 'zz', '9223372036854775')).toEqual(invalidExpire('expire'));
    expect(c.call('PEXPIRE', 'k', '9223372036854775807')).toEqual(invalidExpire('pexpire'));
    expect(c.call('EXPIREAT', 'k', '9223372036854776')).toEqual(invalidExpire('expireat'));
    expect(c.call('EXPIREAT', 'k', '9223372036854775808')).toEqual(NOT_INTEGER);
    expect(c.call('TTL', 'k')).toBe(-1);
    expect(effects()).toEqual([]);
  });

  it('accepts the extremes exactly', () => {
    expect(c.call('PEXPIREAT', 'k', '9223372036854775807')).toBe(1);
    expect(c.call('PEXPIRETIME', 'k')).toBe(9223372036854775807n);
    expect(c.call('EXPIREAT', 'k', '9223372036854775', 'LT')).toBe(1);
    c.call('SET', 'm', 'v');
    expect(c.call('PEXPIRE', 'm', '-9223372036854775808')).toBe(1);
    expect(c.call('EXISTS', 'm')).toBe(0);
    expect(effects()).toEqual([
      ['PEXPIREAT', 'k', '9223372036854775807'],
      ['PEXPIREAT', 'k', '9223372036854775000'],
      ['SET', 'm', 'v'],
      ['DEL', 'm'],
    ]);
  });
});

describe('TTL / PTTL / EXPIRETIME / PEXPIRETIME / PERSIST', () => {
  it('-2 for a missing key, -1 without a time to live', () => {
    given(['SET', 'k', 'v']);
    for (const command of ['TTL', 'PTTL', 'EXPIRETIME', 'PEXPIRETIME']) {
      expect(c.call(command, 'zz')).toBe(-2);
      expect(c.call(command, 'k')).toBe(-1);
    }
    expect(stats().keyspaceHits).toBe(4);
    expect(stats().keyspaceMisses).toBe(4);
  });

  it('rounds seconds to nearest like Redis', () => {
    given(['SET', 'k', 'v', 'PX', '1500']);
    expect(c.call('TTL', 'k')).toBe(2);
    h.advance(1);
    expect(c.call('TTL', 'k')).toBe(1);
    expect(c.call('PTTL', 'k')).toBe(1499);
    h.advance(1000);
    expect(c.call('TTL', 'k')).toBe(0);
    c.call('PEXPIREAT', 'k', '1999999999499');
    expect(c.call('EXPIRETIME', 'k')).toBe(1999999999);
    expect(c.call('PEXPIRETIME', 'k')).toBe(1999999999499);
    c.call('PEXPIREAT', 'k', '1999999999500');
    expect(c.call('EXPIRETIME', 'k')).toBe(2000000000);
  });

  it('PERSIST removes a time to live and propagates only then', () => {
    given(['SET', 'k', 'v', 'EX', '100'], ['SET', 'p', 'v']);
    expect(c.call('PERSIST', 'k')).toBe(1);
    expect(c.call('TTL', 'k')).toBe(-1);
    expect(c.call('PERSIST', 'k')).toBe(0);
    expect(c.call('PERSIST', 'p')).toBe(0);
    expect(c.call('PERSIST', 'zz')).toBe(0);
    expect(effects()).toEqual([['PERSIST', 'k']]);
  });
});

describe('KEYS', () => {
  beforeEach(() => given(['MSET', 'foo', '1', 'fob', '2', 'bar', '3', 'a[b', '4', 'a*b', '5']));

  it('matches glob patterns', () => {
    expect(sorted(c.call('KEYS', '*'))).toEqual(['a*b', 'a[b', 'bar', 'fob', 'foo']);
    expect(sorted(c.call('KEYS', 'fo?'))).toEqual(['fob', 'foo']);
    expect(sorted(c.call('KEYS', '[fb]*'))).toEqual(['bar', 'fob', 'foo']);
    expect(c.call('KEYS', 'a\\*b')).toEqual(['a*b']);
    expect(c.call('KEYS', 'a[*]b')).toEqual(['a*b']);
    expect(c.call('KEYS', 'foo')).toEqual(['foo']);
    expect(c.call('KEYS', 'nomatch')).toEqual([]);
  });

  it('"*" includes the empty key, other patterns do not', () => {
    c.call('SET', '', 'x');
    expect(sorted(c.call('KEYS', '*'))).toContain('');
    expect(sorted(c.call('KEYS', '?*'))).not.toContain('');
  });

  it('skips logically expired keys without deleting them or counting stats', () => {
    c.call('SET', 'gone', 'x', 'PX', '5');
    h.takeEffects();
    h.advance(5);
    expect(sorted(c.call('KEYS', '*'))).not.toContain('gone');
    expect(c.call('DBSIZE')).toBe(6);
    expect(effects()).toEqual([]);
    expect(stats().keyspaceHits + stats().keyspaceMisses).toBe(0);
  });
});

describe('SCAN', () => {
  /** Follows the cursor to 0, collecting keys. */
  function scanAll(...options: string[]): string[] {
    const found: string[] = [];
    let cursor = '0';
    let rounds = 0;
    do {
      const [next, keys] = c.call('SCAN', cursor, ...options) as [string, string[]];
      found.push(...keys);
      cursor = next;
      if (++rounds > 1000) throw new Error('SCAN did not terminate');
    } while (cursor !== '0');
    return found.sort();
  }

  it('iterates every key across several calls', () => {
    const keys = Array.from({ length: 100 }, (_, i) => `key:${i}`);
    for (const key of keys) c.call('SET', key, 'v');
    expect(scanAll()).toEqual([...keys].sort());
    expect(scanAll('COUNT', '7')).toEqual([...keys].sort());
    const [cursor] = c.call('SCAN', '0', 'COUNT', '10') as [string, string[]];
    expect(cursor).not.toBe('0');
  });

  it('filters with MATCH and TYPE (case-insensitive, unknown types match nothing)', () => {
    c.call('MSET', 'user:1', 'a', 'user:2', 'b', 'item:1', 'c', '', 'empty');
    expect(scanAll('MATCH', 'user:*')).toEqual(['user:1', 'user:2']);
    expect(scanAll('match', '*', 'COUNT', '1000')).toEqual(['', 'item:1', 'user:1', 'user:2']);
    expect(scanAll('MATCH', '?*')).toEqual(['item:1', 'user:1', 'user:2']);
    expect(scanAll('TYPE', 'STRING')).toHaveLength(4);
    expect(scanAll('TYPE', 'list')).toEqual([]);
    expect(scanAll('TYPE', 'nope')).toEqual([]);
  });

  it('removes logically expired keys it meets (DEL effects)', () => {
    c.call('SET', 'a', '1', 'PX', '5');
    c.call('SET', 'b', '2');
    h.takeEffects();
    h.advance(5);
    expect(scanAll()).toEqual(['b']);
    expect(effects()).toEqual([['DEL', 'a']]);
  });

  it('reads the cursor as strtoul does', () => {
    c.call('SET', 'n', '1');
    expect(c.call('SCAN', '')).toEqual(['0', ['n']]);
    expect(c.call('SCAN', '+0')).toEqual(['0', ['n']]);
    expect(c.call('SCAN', '-0')).toEqual(['0', ['n']]);
    expect(c.call('SCAN', '-1')).toEqual(['0', []]);
    expect(c.call('SCAN', '18446744073709551615')).toEqual(['0', []]);
    const invalid = err('ERR invalid cursor');
    for (const cursor of ['abc', ' 1', '1 ', '18446744073709551616', '-18446744073709551616', '-', '+', '1.5']) {
      expect(c.call('SCAN', cursor)).toEqual(invalid);
    }
  });

  it('refuses bad options', () => {
    expect(c.call('SCAN', '0', 'COUNT', '0')).toEqual(SYNTAX);
    expect(c.call('SCAN', '0', 'COUNT', '-1')).toEqual(SYNTAX);
    expect(c.call('SCAN', '0', 'COUNT', 'abc')).toEqual(NOT_INTEGER);
    expect(c.call('SCAN', '0', 'FOO', 'x')).toEqual(SYNTAX);
    expect(c.call('SCAN', '0', 'MATCH')).toEqual(SYNTAX);
    expect(c.call('SCAN', 'x', 'MATCH')).toEqual(err('ERR invalid cursor'));
  });

  it('counts no keyspace hits', () => {
    c.call('SET', 'n', '1');
    c.call('SCAN', '0');
    expect(stats().keyspaceHits + stats().keyspaceMisses).toBe(0);
  });
});

describe('RENAME / RENAMENX', () => {
  it('renames, moving the time to live and replacing the destination', () => {
    given(['SET', 'a', '1', 'EX', '100'], ['SET', 'b', '2', 'EX', '500']);
    expect(c.call('RENAME', 'a', 'b')).toBe('OK');
    expect(c.call('GET', 'b')).toBe('1');
    expect(c.call('TTL', 'b')).toBe(100);
    expect(c.call('EXISTS', 'a')).toBe(0);
    c.call('SET', 'p', 'x');
    h.takeEffects();
    expect(c.call('rename', 'p', 'b')).toBe('OK');
    expect(c.call('TTL', 'b')).toBe(-1); // the destination's time to live does not survive
    expect(effects()).toEqual([['RENAME', 'p', 'b']]);
  });

  it('RENAMENX refuses an existing destination', () => {
    given(['SET', 'a', '1'], ['SET', 'c', '3']);
    expect(c.call('RENAMENX', 'a', 'c')).toBe(0);
    expect(c.call('RENAMENX', 'a', 'd')).toBe(1);
    expect(c.call('GET', 'd')).toBe('1');
    expect(effects()).toEqual([['RENAMENX', 'a', 'd']]);
  });

  it('a missing source is an error; renaming to itself changes nothing', () => {
    expect(c.call('RENAME', 'zz', 'x')).toEqual(err('ERR no such key'));
    expect(c.call('RENAMENX', 'zz', 'x')).toEqual(err('ERR no such key'));
    given(['SET', 'a', '1']);
    expect(c.call('RENAME', 'a', 'a')).toBe('OK');
    expect(c.call('RENAMENX', 'a', 'a')).toBe(0);
    expect(effects()).toEqual([]);
  });
});

describe('COPY', () => {
  it('copies value and time to live, refusing an existing destination without REPLACE', () => {
    given(['SET', 'a', '1', 'EX', '100'], ['SET', 'b', '2']);
    expect(c.call('COPY', 'a', 'b')).toBe(0);
    expect(c.call('COPY', 'a', 'c')).toBe(1);
    expect(c.call('TTL', 'c')).toBe(100);
    expect(c.call('copy', 'a', 'b', 'REPLACE')).toBe(1);
    expect(c.call('GET', 'b')).toBe('1');
    expect(c.call('COPY', 'zz', 'b')).toBe(0);
    expect(effects()).toEqual([
      ['COPY', 'a', 'c'],
      ['COPY', 'a', 'b', 'REPLACE'],
    ]);
  });

  it('copies to another database', () => {
    given(['SET', 'a', '1']);
    expect(c.call('COPY', 'a', 'a', 'DB', '1')).toBe(1);
    expect(c.call('COPY', 'a', 'a', 'DB', '1')).toBe(0);
    expect(h.takeEffects()).toEqual([['COPY', 'a', 'a', 'DB', '1']]);
    c.call('SELECT', '1');
    expect(c.call('GET', 'a')).toBe('1');
  });

  it('refuses bad arguments', () => {
    given(['SET', 'a', '1']);
    expect(c.call('COPY', 'a', 'a')).toEqual(err('ERR source and destination objects are the same'));
    expect(c.call('COPY', 'a', 'a', 'DB', '0')).toEqual(err('ERR source and destination objects are the same'));
    expect(c.call('COPY', 'a', 'b', 'DB', '99')).toEqual(err('ERR DB index is out of range'));
    expect(c.call('COPY', 'a', 'b', 'DB', '-1')).toEqual(err('ERR DB index is out of range'));
    expect(c.call('COPY', 'a', 'b', 'DB', 'x')).toEqual(NOT_INTEGER);
    expect(c.call('COPY', 'a', 'b', 'DB', '2147483648')).toEqual(
      err('ERR value is out of range, value must between -2147483648 and 2147483647'),
    );
    expect(c.call('COPY', 'a', 'b', 'DB')).toEqual(SYNTAX);
    expect(c.call('COPY', 'a', 'b', 'FOO')).toEqual(SYNTAX);
    expect(effects()).toEqual([]);
  });

  it('counts the source read as a keyspace hit or miss', () => {
    given(['SET', 'a', '1']);
    c.call('COPY', 'a', 'b');
    c.call('COPY', 'zz', 'b');
    expect(stats().keyspaceHits).toBe(1);
    expect(stats().keyspaceMisses).toBe(1);
  });
});

describe('MOVE', () => {
  it('moves a key with its time to live', () => {
    given(['SET', 'k', 'v', 'EX', '100']);
    expect(c.call('MOVE', 'k', '1')).toBe(1);
    expect(c.call('EXISTS', 'k')).toBe(0);
    expect(h.takeEffects()).toEqual([['MOVE', 'k', '1']]);
    c.call('SELECT', '1');
    expect(c.call('GET', 'k')).toBe('v');
    expect(c.call('TTL', 'k')).toBe(100);
  });

  it('refuses when missing or when the target has the key', () => {
    given(['SET', 'k', 'v'], ['SELECT', '1'], ['SET', 'k', 'other'], ['SELECT', '0']);
    expect(c.call('MOVE', 'k', '1')).toBe(0);
    expect(c.call('MOVE', 'zz', '1')).toBe(0);
    expect(c.call('GET', 'k')).toBe('v');
    expect(effects()).toEqual([]);
  });

  it('refuses bad database indexes', () => {
    given(['SET', 'k', 'v']);
    expect(c.call('MOVE', 'k', '0')).toEqual(err('ERR source and destination objects are the same'));
    expect(c.call('MOVE', 'k', '16')).toEqual(err('ERR DB index is out of range'));
    expect(c.call('MOVE', 'k', '-1')).toEqual(err('ERR DB index is out of range'));
    expect(c.call('MOVE', 'k', 'x')).toEqual(NOT_INTEGER);
    expect(c.call('MOVE', 'k', '99999999999999999999')).toEqual(NOT_INTEGER);
  });
});

describe('SWAPDB', () => {
  it('swaps contents for every client and propagates itself', () => {
    given(['SET', 'k', 'in0']);
    const other = h.connect();
    other.call('SELECT', '1');
    expect(other.call('GET', 'k')).toBeNull();
    expect(c.call('SWAPDB', '0', '1')).toBe('OK');
    expect(other.call('GET', 'k')).toBe('in0');
    expect(c.call('GET', 'k')).toBeNull();
    expect(c.call('SWAPDB', '0', '0')).toBe('OK');
    expect(effects()).toEqual([
      ['SWAPDB', '0', '1'],
      ['SWAPDB', '0', '0'],
    ]);
  });

  it('refuses bad indexes with Redis\'s messages', () => {
    expect(c.call('SWAPDB', 'x', '0')).toEqual(err('ERR invalid first DB index'));
    expect(c.call('SWAPDB', '2147483648', '0')).toEqual(err('ERR invalid first DB index'));
    expect(c.call('SWAPDB', '0', 'x')).toEqual(err('ERR invalid second DB index'));
    expect(c.call('SWAPDB', '0', '16')).toEqual(err('ERR DB index is out of range'));
    expect(c.call('SWAPDB', '-1', '0')).toEqual(err('ERR DB index is out of range'));
    expect(effects()).toEqual([]);
  });
});

describe('FLUSHDB / FLUSHALL / DBSIZE / RANDOMKEY', () => {
  it('FLUSHDB empties the selected database only', () => {
    given(['SET', 'a', '1'], ['SET', 'b', '2'], ['SELECT', '1'], ['SET', 'c', '3'], ['SELECT', '0']);
    expect(c.call('DBSIZE')).toBe(2);
    expect(c.call('FLUSHDB')).toBe('OK');
    expect(c.call('DBSIZE')).toBe(0);
    c.call('SELECT', '1');
    expect(c.call('DBSIZE')).toBe(1);
    expect(c.call('FLUSHALL', 'ASYNC')).toBe('OK');
    expect(c.call('DBSIZE')).toBe(0);
    expect(c.call('flushdb', 'sync')).toBe('OK'); // propagated even when empty
    expect(h.takeEffects()).toEqual([['SELECT', '0'], ['FLUSHDB'], ['SELECT', '1'], ['FLUSHALL'], ['FLUSHDB']]);
  });

  it('refuses unknown flush options', () => {
    expect(c.call('FLUSHDB', 'foo')).toEqual(SYNTAX);
    expect(c.call('FLUSHDB', 'ASYNC', 'SYNC')).toEqual(SYNTAX);
    expect(c.call('FLUSHALL', 'ASYNC', 'x')).toEqual(SYNTAX);
    expect(effects()).toEqual([]);
  });

  it('RANDOMKEY returns a live key or null', () => {
    expect(c.call('RANDOMKEY')).toBeNull();
    c.call('MSET', 'a', '1', 'b', '2');
    for (let i = 0; i < 10; i++) expect(['a', 'b']).toContain(c.call('RANDOMKEY'));
    c.call('FLUSHDB');
    c.call('SET', 'x', '1', 'PX', '1');
    c.call('SET', 'y', '1', 'PX', '1');
    h.takeEffects();
    h.advance(1);
    expect(c.call('RANDOMKEY')).toBeNull();
    // both lazy expiries belong to one command, so they form one transaction
    const stream = effects();
    expect(stream[0]).toEqual(['MULTI']);
    expect(stream[3]).toEqual(['EXEC']);
    expect(stream.slice(1, 3).sort()).toEqual([
      ['DEL', 'x'],
      ['DEL', 'y'],
    ]);
  });
});

describe('OBJECT', () => {
  it('ENCODING follows Redis\'s string encodings', () => {
    const cases: Array<[string, string]> = [
      ['1', 'int'],
      ['-1', 'int'],
      ['9223372036854775807', 'int'],
      ['-9223372036854775808', 'int'],
      ['9223372036854775808', 'embstr'],
      ['01', 'embstr'],
      [' 1', 'embstr'],
      ['', 'embstr'],
      ['x'.repeat(44), 'embstr'],
      ['x'.repeat(45), 'raw'],
    ];
    for (const [value, encoding] of cases) {
      c.call('SET', 'k', value);
      expect(c.call('OBJECT', 'ENCODING', 'k')).toBe(encoding);
    }
    expect(c.call('object', 'encoding', 'zz')).toBeNull();
  });

  it('REFCOUNT shows shared integers 0..9999', () => {
    const cases: Array<[string, number]> = [
      ['100', 2147483647],
      ['0', 2147483647],
      ['9999', 2147483647],
      ['10000', 1],
      ['-1', 1],
      ['abc', 1],
    ];
    for (const [value, refcount] of cases) {
      c.call('SET', 'k', value);
      expect(c.call('OBJECT', 'REFCOUNT', 'k')).toBe(refcount);
    }
    expect(c.call('OBJECT', 'REFCOUNT', 'zz')).toBeNull();
    const lru = new Harness({ config: [['maxmemory', '100mb'], ['maxmemory-policy', 'allkeys-lru']] }).connect();
    lru.call('SET', 'k', '100');
    expect(lru.call('OBJECT', 'REFCOUNT', 'k')).toBe(1);
  });

  it('ENCODING stays raw when RENAME, COPY or MOVE carries a value modified in place', () => {
    c.call('SET', 'a', '1');
    c.call('APPEND', 'a', '2');
    expect(c.call('OBJECT', 'ENCODING', 'a')).toBe('raw');
    c.call('RENAME', 'a', 'b');
    expect(c.call('OBJECT', 'ENCODING', 'b')).toBe('raw');
    c.call('COPY', 'b', 'c');
    expect(c.call('OBJECT', 'ENCODING', 'c')).toBe('raw');
    c.call('MOVE', 'c', '1');
    c.call('SELECT', '1');
    expect(c.call('OBJECT', 'ENCODING', 'c')).toBe('raw');
    c.call('SET', 'c', '12');
    expect(c.call('OBJECT', 'ENCODING', 'c')).toBe('int');
  });

  it('FREQ and IDLETIME report what is not tracked, with Redis\'s errors under the policies', () => {
    c.call('SET', 'k', 'v');
    expect(c.call('OBJECT', 'FREQ', 'zz')).toBeNull();
    expect(c.call('OBJECT', 'FREQ', 'k')).toEqual(
      err(
        'ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.',
      ),
    );
    expect(c.call('OBJECT', 'IDLETIME', 'zz')).toBeNull();
    expect(c.call('OBJECT', 'IDLETIME', 'k')).toBe(0);
    h.advance(5_000);
    expect(c.call('OBJECT', 'IDLETIME', 'k')).toBe(5);
    expect(c.call('OBJECT', 'IDLETIME', 'k')).toBe(5); // the query itself is not an access
    c.call('GET', 'k');
    expect(c.call('OBJECT', 'IDLETIME', 'k')).toBe(0);
    h.advance(3_000);
    c.call('TOUCH', 'k');
    expect(c.call('OBJECT', 'IDLETIME', 'k')).toBe(0);
    h.advance(2_000);
    c.call('SET', 'k', 'v2');
    expect(c.call('OBJECT', 'IDLETIME', 'k')).toBe(0);
    // Like Redis's NOTOUCH lookups, these read the key without counting as an access.
    h.advance(4_000);
    for (const argv of [['EXISTS', 'k'], ['TYPE', 'k'], ['TTL', 'k'], ['PTTL', 'k'], ['EXPIRETIME', 'k'], ['OBJECT', 'ENCODING', 'k'], ['OBJECT', 'REFCOUNT', 'k'], ['SCAN', '0']]) {
      c.call(...argv);
      expect(c.call('OBJECT', 'IDLETIME', 'k')).toBe(4);
    }

    const lfu = new Harness({ config: [['maxmemory-policy', 'allkeys-lfu']] }).connect();
    lfu.call('SET', 'k', 'v');
    expect(lfu.call('OBJECT', 'IDLETIME', 'k')).toEqual(
      err(
        'ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.',
      ),
    );
    expect(lfu.call('OBJECT', 'FREQ', 'k')).toEqual(err('ERR access frequency is not tracked by this server'));
  });

  it('counts keyspace hits and misses', () => {
    given(['SET', 'k', 'v']);
    c.call('OBJECT', 'ENCODING', 'k');
    c.call('OBJECT', 'ENCODING', 'zz');
    expect(stats().keyspaceHits).toBe(1);
    expect(stats().keyspaceMisses).toBe(1);
  });

  it('HELP lists the subcommands as status lines; unknown ones are refused', () => {
    const help = c.call('OBJECT', 'HELP') as string[];
    expect(help[0]).toBe('OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:');
    expect(help.filter((line) => !line.startsWith(' '))).toEqual([
      help[0],
      'ENCODING <key>',
      'FREQ <key>',
      'IDLETIME <key>',
      'REFCOUNT <key>',
      'HELP',
    ]);
    expect(c.callBytes('OBJECT', 'HELP').split('\r\n')[1]!.startsWith('+')).toBe(true);
    expect(c.call('OBJECT', 'foo')).toEqual(err("ERR unknown subcommand 'foo'. Try OBJECT HELP."));
    expect(c.call('OBJECT')).toEqual(err("ERR wrong number of arguments for 'object' command"));
    expect(c.call('OBJECT', 'ENCODING')).toEqual(err("ERR wrong number of arguments for 'object|encoding' command"));
    expect(c.call('OBJECT', 'ENCODING', 'k', 'x')).toEqual(err("ERR wrong number of arguments for 'object|encoding' command"));
  });
});

describe('command records', () => {
  it('declare Redis 7 flags, arity and key positions', () => {
    const table = h.core.state.commands;
    const spec = (name: string) => table.get(name)!;
    expect(spec('del')).toMatchObject({ arity: -2, flags: ['write'], keys: { first: 1, last: -1, step: 1 } });
    expect(spec('rename')).toMatchObject({ arity: 3, keys: { first: 1, last: 2, step: 1 } });
    expect(spec('keys').categories).toEqual(expect.arrayContaining(['keyspace', 'read', 'slow', 'dangerous']));
    expect(spec('flushall').categories).toEqual(expect.arrayContaining(['keyspace', 'write', 'dangerous']));
    expect(spec('ttl').flags).toEqual(['readonly', 'fast']);
    const object = spec('object');
    expect(table.getSubcommand(object, 'ENCODING')).toMatchObject({ name: 'object|encoding', arity: 3, keys: { first: 2 } });
  });
});
