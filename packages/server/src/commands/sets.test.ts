import { DEFAULT_ENCODING_LIMITS, type SetValue } from '@aki/keyspace';
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { Harness, type Reply, ReplyError, type TestClient } from '../testing/harness.js';

/*
 * Set commands through the in-process harness. Replies, error texts and
 * their order were checked against redis-server 7.0.15 (RESP2 and RESP3
 * bytes); encodings and effects follow Redis 7.2's t_set.c. The effect
 * stream is asserted exactly; `effects()` drops the SELECT the stream
 * starts with.
 */

const NOW = 1_700_000_000_000;
const err = (message: string) => new ReplyError(message);
const WRONGTYPE = err('WRONGTYPE Operation against a key holding the wrong kind of value');
const SYNTAX = err('ERR syntax error');
const NOT_INTEGER = err('ERR value is not an integer or out of range');
const arity = (name: string) => err(`ERR wrong number of arguments for '${name}' command`);

let h: Harness;
let c: TestClient;
const effects = () => h.takeEffects().filter((argv) => argv[0] !== 'SELECT');
const stats = () => h.core.state.stats;
const members = (key: string) => new Set(c.call('SMEMBERS', key) as string[]);
const sorted = (reply: Reply) => [...(reply as string[])].sort();
const stored = (key: string) => h.core.state.keyspace.databases[0]!.peek(key) as SetValue;
const encodingOf = (key: string) => stored(key).encoding(DEFAULT_ENCODING_LIMITS);
const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => String(from + i));
const resp3 = (client: TestClient) => client.call('HELLO', '3');

beforeEach(() => {
  h = new Harness({ now: NOW });
  c = h.connect();
});

describe('SADD / SREM / SCARD / SISMEMBER / SMISMEMBER', () => {
  it('adds members, counting only new ones, and propagates only those', () => {
    expect(c.call('SADD', 's', 'a', 'b', 'a')).toBe(2);
    expect(c.call('sadd', 's', 'b', 'c', 'd', 'c')).toBe(2);
    expect(c.call('SADD', 's', 'a', 'b')).toBe(0);
    expect(c.call('SCARD', 's')).toBe(4);
    expect(members('s')).toEqual(new Set(['a', 'b', 'c', 'd']));
    expect(effects()).toEqual([
      ['SADD', 's', 'a', 'b'],
      ['SADD', 's', 'c', 'd'],
    ]);
  });

  it('propagates the request itself when every member was new', () => {
    expect(c.call('sadd', 's', 'x', 'y')).toBe(2);
    expect(effects()).toEqual([['SADD', 's', 'x', 'y']]);
  });

  it('is binary safe', () => {
    const odd = ['', '\x00', 'a\r\nb', '\xff\xfe'];
    expect(c.call('SADD', 'bin\x00', ...odd)).toBe(4);
    expect(members('bin\x00')).toEqual(new Set(odd));
    expect(c.call('SISMEMBER', 'bin\x00', '')).toBe(1);
    expect(c.call('SISMEMBER', 'bin\x00', 'a')).toBe(0);
  });

  it('removes members, deletes the key with the last one and propagates only what went', () => {
    c.call('SADD', 's', 'a', 'b', 'c');
    h.takeEffects();
    expect(c.call('SREM', 's', 'x', 'a', 'a', 'y')).toBe(1);
    expect(c.call('srem', 's', 'b')).toBe(1);
    expect(c.call('SREM', 's', 'nope')).toBe(0);
    expect(c.call('SREM', 's', 'c', 'zzz')).toBe(1);
    expect(c.call('EXISTS', 's')).toBe(0);
    expect(c.call('SREM', 's', 'c')).toBe(0);
    expect(effects()).toEqual([
      ['SREM', 's', 'a'],
      ['SREM', 's', 'b'],
      ['SREM', 's', 'c'],
    ]);
  });

  it('answers membership and cardinality, 0 for a missing key', () => {
    c.call('SADD', 's', 'a', 'b');
    expect(c.call('SISMEMBER', 's', 'a')).toBe(1);
    expect(c.call('SISMEMBER', 's', 'z')).toBe(0);
    expect(c.call('SISMEMBER', 'nokey', 'a')).toBe(0);
    expect(c.call('SMISMEMBER', 's', 'a', 'z', 'b')).toEqual([1, 0, 1]);
    expect(c.call('SMISMEMBER', 'nokey', 'a', 'b')).toEqual([0, 0]);
    expect(c.call('SCARD', 's')).toBe(2);
    expect(c.call('SCARD', 'nokey')).toBe(0);
  });

  it('counts keyspace hits and misses on reads, not on writes', () => {
    c.call('SADD', 's', 'a');
    c.call('SREM', 'nokey', 'a');
    expect(stats().keyspaceHits + stats().keyspaceMisses).toBe(0);
    c.call('SCARD', 's');
    c.call('SISMEMBER', 'nokey', 'a');
    c.call('SINTER', 's', 'nokey');
    expect(stats().keyspaceHits).toBe(2);
    expect(stats().keyspaceMisses).toBe(2);
  });

  it('replies with the arity errors', () => {
    expect(c.call('SADD', 's')).toEqual(arity('sadd'));
    expect(c.call('SREM', 's')).toEqual(arity('srem'));
    expect(c.call('SISMEMBER', 's')).toEqual(arity('sismember'));
    expect(c.call('SMISMEMBER', 's')).toEqual(arity('smismember'));
    expect(c.call('SCARD')).toEqual(arity('scard'));
    expect(c.call('SMOVE', 'a', 'b')).toEqual(arity('smove'));
    expect(c.call('SINTERCARD', '1')).toEqual(arity('sintercard'));
    expect(c.call('SINTERSTORE', 'd')).toEqual(arity('sinterstore'));
    expect(c.call('SSCAN', 's')).toEqual(arity('sscan'));
    expect(c.call('SPOP')).toEqual(arity('spop'));
  });
});

describe('WRONGTYPE', () => {
  const cases: string[][] = [
    ['SADD', 'str', 'a'],
    ['SREM', 'str', 'a'],
    ['SMEMBERS', 'str'],
    ['SISMEMBER', 'str', 'a'],
    ['SMISMEMBER', 'str', 'a'],
    ['SCARD', 'str'],
    ['SPOP', 'str'],
    ['SPOP', 'str', '0'],
    ['SRANDMEMBER', 'str'],
    ['SRANDMEMBER', 'str', '0'],
    ['SMOVE', 'str', 'set', 'a'],
    ['SMOVE', 'set', 'str', 'a'],
    ['SMOVE', 'set', 'str', 'missing-member'],
    ['SINTER', 'nokey', 'str'],
    ['SINTER', 'set', 'str'],
    ['SINTERCARD', '2', 'nokey', 'str'],
    ['SUNION', 'set', 'str'],
    ['SDIFF', 'nokey', 'str'],
    ['SINTERSTORE', 'd', 'nokey', 'str'],
    ['SUNIONSTORE', 'd', 'str'],
    ['SDIFFSTORE', 'd', 'set', 'str'],
    ['SSCAN', 'str', '0'],
    ['SSCAN', 'str', '0', 'COUNT', '0'],
  ];
  it.each(cases)('%s %s ... against a string', (...argv) => {
    c.call('SET', 'str', 'v');
    c.call('SADD', 'set', 'a');
    h.takeEffects();
    expect(c.call(...argv)).toEqual(WRONGTYPE);
    expect(c.call('GET', 'str')).toBe('v');
    expect(c.call('SCARD', 'set')).toBe(1);
    expect(c.call('EXISTS', 'd')).toBe(0);
    expect(effects()).toEqual([]);
  });
});

describe('SMEMBERS and reply shapes', () => {
  it('replies an array under RESP2 and a set under RESP3', () => {
    c.call('SADD', 's', 'a');
    expect(c.callBytes('SMEMBERS', 's')).toBe('*1\r\n$1\r\na\r\n');
    expect(c.callBytes('SMEMBERS', 'nokey')).toBe('*0\r\n');
    resp3(c);
    expect(c.callBytes('SMEMBERS', 's')).toBe('~1\r\n$1\r\na\r\n');
    expect(c.callBytes('SMEMBERS', 'nokey')).toBe('~0\r\n');
    expect(c.call('SMEMBERS', 's')).toEqual(new Set(['a']));
  });

  it('lists an intset in ascending numeric order, as Redis does', () => {
    const values = ['5', '-3', '10', '0', '-20', '9223372036854775807', '-9223372036854775808', '100', '-100'];
    c.call('SADD', 'i', ...values);
    expect(c.call('SMEMBERS', 'i')).toEqual([
      '-9223372036854775808',
      '-100',
      '-20',
      '-3',
      '0',
      '5',
      '10',
      '100',
      '9223372036854775807',
    ]);
    expect(c.call('SUNION', 'i')).toEqual(c.call('SMEMBERS', 'i'));
    expect(c.call('SINTER', 'i', 'i')).toEqual(c.call('SMEMBERS', 'i'));
  });

  it('uses the RESP3 set type for SINTER, SUNION, SDIFF and SPOP with a count, arrays elsewhere', () => {
    c.call('SADD', 's', 'a', 'b');
    resp3(c);
    expect(c.callBytes('SINTER', 's', 'nokey')).toBe('~0\r\n');
    expect(c.callBytes('SUNION', 'nokey')).toBe('~0\r\n');
    expect(c.callBytes('SDIFF', 'nokey', 's')).toBe('~0\r\n');
    expect(c.call('SINTER', 's', 's')).toEqual(new Set(['a', 'b']));
    expect(c.call('SUNION', 's', 'nokey')).toEqual(new Set(['a', 'b']));
    expect(c.call('SDIFF', 's', 'nokey')).toEqual(new Set(['a', 'b']));
    expect(c.callBytes('SPOP', 'nokey', '2')).toBe('~0\r\n');
    expect(c.callBytes('SPOP', 's', '0')).toBe('~0\r\n');
    expect(c.callBytes('SPOP', 'nokey')).toBe('_\r\n');
    expect(c.callBytes('SRANDMEMBER', 'nokey')).toBe('_\r\n');
    expect(c.callBytes('SRANDMEMBER', 'nokey', '2')).toBe('*0\r\n');
    expect(c.callBytes('SRANDMEMBER', 's', '0')).toBe('*0\r\n');
    expect(c.callBytes('SRANDMEMBER', 's', '-3').startsWith('*3\r\n')).toBe(true);
    expect(c.callBytes('SRANDMEMBER', 's', '5').startsWith('*2\r\n')).toBe(true);
    expect(c.callBytes('SMISMEMBER', 's', 'a', 'z')).toBe('*2\r\n:1\r\n:0\r\n');
    expect(c.callBytes('SSCAN', 'nokey', '0')).toBe('*2\r\n$1\r\n0\r\n*0\r\n');
    expect(c.callBytes('SINTERCARD', '1', 's')).toBe(':2\r\n');
    const popped = c.callBytes('SPOP', 's', '1');
    expect(popped.startsWith('~1\r\n$1\r\n')).toBe(true);
  });

  it('RESP2 nulls and empty arrays', () => {
    expect(c.callBytes('SPOP', 'nokey')).toBe('$-1\r\n');
    expect(c.callBytes('SRANDMEMBER', 'nokey')).toBe('$-1\r\n');
    expect(c.callBytes('SPOP', 'nokey', '3')).toBe('*0\r\n');
    expect(c.callBytes('SINTER', 'nokey')).toBe('*0\r\n');
  });
});

describe('SPOP', () => {
  it('pops one member, propagates SREM and deletes the emptied key', () => {
    c.call('SADD', 's', 'a', 'b');
    h.takeEffects();
    const first = c.call('SPOP', 's') as string;
    const second = c.call('spop', 's') as string;
    expect(new Set([first, second])).toEqual(new Set(['a', 'b']));
    expect(c.call('EXISTS', 's')).toBe(0);
    expect(c.call('SPOP', 's')).toBeNull();
    expect(effects()).toEqual([
      ['SREM', 's', first],
      ['SREM', 's', second],
    ]);
  });

  it('checks the count before the key, and the arguments before anything', () => {
    c.call('SET', 'str', 'v');
    expect(c.call('SPOP', 'nokey', '-1')).toEqual(err('ERR value is out of range, must be positive'));
    expect(c.call('SPOP', 'str', '-1')).toEqual(err('ERR value is out of range, must be positive'));
    expect(c.call('SPOP', 'str', 'abc')).toEqual(err('ERR value is out of range, must be positive'));
    expect(c.call('SPOP', 'nokey', '1.5')).toEqual(err('ERR value is out of range, must be positive'));
    expect(c.call('SPOP', 'nokey', '99999999999999999999')).toEqual(err('ERR value is out of range, must be positive'));
    expect(c.call('SPOP', 'str', '1', '2')).toEqual(SYNTAX);
    expect(c.call('SPOP', 'nokey', '0')).toEqual([]);
    expect(c.call('SPOP', 'nokey', '9223372036854775807')).toEqual([]);
  });

  it('pops a count of distinct members and propagates them as SREM', () => {
    c.call('SADD', 's', ...range(0, 100).map((n) => `m${n}`));
    h.takeEffects();
    const popped = c.call('SPOP', 's', '10') as string[];
    expect(popped.length).toBe(10);
    expect(new Set(popped).size).toBe(10);
    expect(c.call('SCARD', 's')).toBe(90);
    for (const m of popped) expect(c.call('SISMEMBER', 's', m)).toBe(0);
    expect(effects()).toEqual([['SREM', 's', ...popped]]);
  });

  it('pops most of a set by keeping the few (and replies them all)', () => {
    c.call('SADD', 's', ...range(0, 100).map((n) => `m${n}`));
    h.takeEffects();
    const popped = c.call('SPOP', 's', '97') as string[];
    expect(new Set(popped).size).toBe(97);
    const left = [...members('s')];
    expect(left.length).toBe(3);
    expect(new Set([...popped, ...left]).size).toBe(100);
    expect(effects()).toEqual([['SREM', 's', ...popped]]);
  });

  it('popping the whole set replies it, deletes the key and propagates DEL', () => {
    c.call('SADD', 's', '3', '1', '2');
    h.takeEffects();
    expect(c.call('SPOP', 's', '3')).toEqual(['1', '2', '3']);
    expect(c.call('EXISTS', 's')).toBe(0);
    c.call('SADD', 't', 'x', 'y');
    h.takeEffects();
    expect(sorted(c.call('SPOP', 't', '1000'))).toEqual(['x', 'y']);
    expect(effects()).toEqual([['DEL', 't']]);
  });

  it('propagates a large pop as SREM batches of 1024 inside MULTI/EXEC', () => {
    c.call('SADD', 's', ...range(0, 3000));
    h.takeEffects();
    const popped = c.call('SPOP', 's', '2500') as string[];
    expect(popped.length).toBe(2500);
    const stream = effects();
    expect(stream[0]).toEqual(['MULTI']);
    expect(stream[stream.length - 1]).toEqual(['EXEC']);
    const batches = stream.slice(1, -1);
    expect(batches.map((argv) => argv.length - 2)).toEqual([1024, 1024, 452]);
    for (const argv of batches) expect(argv.slice(0, 2)).toEqual(['SREM', 's']);
    expect(batches.flatMap((argv) => argv.slice(2))).toEqual(popped);
    expect(c.call('SCARD', 's')).toBe(500);
  });

  it('the kept-few strategy rebuilds a hashtable as a small set (Redis 7.2)', () => {
    c.call('SADD', 's', ...range(0, 1000));
    expect(encodingOf('s')).toBe('hashtable');
    c.call('SPOP', 's', '995');
    expect(c.call('SCARD', 's')).toBe(5);
    expect(encodingOf('s')).toBe('listpack');
  });

  it('keeps the time to live of the set', () => {
    c.call('SADD', 's', ...range(0, 50));
    c.call('EXPIRE', 's', '100');
    c.call('SPOP', 's', '48');
    c.call('SPOP', 's');
    expect(c.call('TTL', 's')).toBe(100);
  });
});

describe('SRANDMEMBER', () => {
  it('returns a random member without changing anything', () => {
    c.call('SADD', 's', 'a', 'b', 'c');
    h.takeEffects();
    const seen = new Set<Reply>();
    for (let i = 0; i < 100; i++) seen.add(c.call('SRANDMEMBER', 's'));
    expect(seen).toEqual(new Set(['a', 'b', 'c']));
    expect(c.call('SRANDMEMBER', 'nokey')).toBeNull();
    expect(c.call('SCARD', 's')).toBe(3);
    expect(effects()).toEqual([]);
  });

  it('a positive count gives distinct members, at most the whole set', () => {
    c.call('SADD', 's', ...range(0, 50).map((n) => `m${n}`));
    for (const count of [1, 5, 20, 49, 50, 51, 1000]) {
      const picked = c.call('SRANDMEMBER', 's', String(count)) as string[];
      expect(picked.length).toBe(Math.min(count, 50));
      expect(new Set(picked).size).toBe(picked.length);
      for (const m of picked) expect(c.call('SISMEMBER', 's', m)).toBe(1);
    }
    expect(c.call('SRANDMEMBER', 's', '0')).toEqual([]);
    expect(c.call('SRANDMEMBER', 'nokey', '5')).toEqual([]);
    expect(c.call('SRANDMEMBER', 'nokey', '-5')).toEqual([]);
  });

  it('a negative count gives exactly that many members, repeats allowed', () => {
    c.call('SADD', 's', 'a', 'b');
    const picked = c.call('SRANDMEMBER', 's', '-200') as string[];
    expect(picked.length).toBe(200);
    expect(new Set(picked)).toEqual(new Set(['a', 'b']));
    expect(c.call('SRANDMEMBER', 's', '-1')).toHaveLength(1);
  });

  it('lists a whole intset in order', () => {
    c.call('SADD', 'i', '3', '-1', '2');
    expect(c.call('SRANDMEMBER', 'i', '10')).toEqual(['-1', '2', '3']);
  });

  it('refuses bad counts before looking at the key', () => {
    c.call('SET', 'str', 'v');
    expect(c.call('SRANDMEMBER', 'str', '-9223372036854775808')).toEqual(
      err('ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807'),
    );
    expect(c.call('SRANDMEMBER', 'str', '9223372036854775808')).toEqual(NOT_INTEGER);
    expect(c.call('SRANDMEMBER', 'str', 'abc')).toEqual(NOT_INTEGER);
    expect(c.call('SRANDMEMBER', 'str', '1', '2')).toEqual(SYNTAX);
    expect(c.call('SRANDMEMBER', 'nokey', '1', '2')).toEqual(SYNTAX);
    expect(c.call('SRANDMEMBER', 'nokey', '-9223372036854775807')).toEqual([]);
  });

  it('refuses, before any pick, a negative count whose reply cannot fit in the output limit', () => {
    c.call('SADD', 's', 'a');
    c.call('SET', 'str', 'v');
    const tooLarge = (limit: number) =>
      err(`ERR count is too large: the reply would pass the ${limit} bytes a client may have pending`);
    // 200 million picks of at least 6 bytes pass the 1 GiB limit: refused at once.
    expect(c.call('SRANDMEMBER', 's', '-200000000')).toEqual(tooLarge(1024 ** 3));
    expect(c.call('SRANDMEMBER', 's', '-9223372036854775807')).toEqual(tooLarge(1024 ** 3));
    // The count's own errors, the type and a missing key still come first.
    expect(c.call('SRANDMEMBER', 's', '-9223372036854775808')).toEqual(
      err('ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807'),
    );
    expect(c.call('SRANDMEMBER', 'str', '-200000000')).toEqual(WRONGTYPE);
    expect(c.call('SRANDMEMBER', 'nokey', '-200000000')).toEqual([]);
    // A positive count is bounded by the set.
    expect(c.call('SRANDMEMBER', 's', '9223372036854775807')).toEqual(['a']);
    // The bound is what the client may still have pending; a reply that fits is never refused.
    c.session.reply.maxLength = 1000;
    expect(c.call('SRANDMEMBER', 's', '-167')).toEqual(tooLarge(1000)); // 167 * 6 > 1000
    expect(c.call('SRANDMEMBER', 's', '-100')).toEqual(Array.from({ length: 100 }, () => 'a'));
    expect(c.closed).toBe(false);
    // 166 * 6 <= 1000 passes the check; its 1168 bytes then meet the output limit, which closes the client.
    c.callRaw(['SRANDMEMBER', 's', '-166']);
    expect(c.closed).toBe(true);
  });
});

describe('SMOVE', () => {
  it('moves a member, creating the destination and deleting the emptied source', () => {
    c.call('SADD', 'src', 'a', 'b');
    h.takeEffects();
    expect(c.call('SMOVE', 'src', 'dst', 'a')).toBe(1);
    expect(members('src')).toEqual(new Set(['b']));
    expect(members('dst')).toEqual(new Set(['a']));
    expect(c.call('smove', 'src', 'dst', 'b')).toBe(1);
    expect(c.call('EXISTS', 'src')).toBe(0);
    expect(members('dst')).toEqual(new Set(['a', 'b']));
    expect(effects()).toEqual([
      ['SMOVE', 'src', 'dst', 'a'],
      ['SMOVE', 'src', 'dst', 'b'],
    ]);
  });

  it('moves also when the destination already has the member: only the source changes, propagated as SREM', () => {
    c.call('SADD', 'src', 'a', 'b');
    c.call('SADD', 'dst', 'a');
    h.takeEffects();
    expect(c.call('SMOVE', 'src', 'dst', 'a')).toBe(1);
    expect(members('src')).toEqual(new Set(['b']));
    expect(members('dst')).toEqual(new Set(['a']));
    expect(effects()).toEqual([['SREM', 'src', 'a']]);
  });

  it('invalidates a WATCH of the destination only when the member was added to it, as in Redis', () => {
    // [whether dst already holds the member, whether EXEC is refused], checked against redis-server.
    for (const [dstHasIt, refused] of [
      [true, false],
      [false, true],
    ] as const) {
      c.call('DEL', 'src', 'dst');
      c.call('SADD', 'src', 'a', 'b');
      c.call('SADD', 'dst', dstHasIt ? 'a' : 'z');
      c.call('WATCH', 'dst');
      expect(c.call('SMOVE', 'src', 'dst', 'a')).toBe(1);
      c.call('MULTI');
      c.call('PING');
      expect(c.call('EXEC')).toEqual(refused ? null : ['PONG']);
    }
  });

  it('answers 0 and changes nothing for a missing source or member', () => {
    c.call('SADD', 'src', 'a');
    c.call('SET', 'str', 'v');
    h.takeEffects();
    expect(c.call('SMOVE', 'nokey', 'dst', 'a')).toBe(0);
    expect(c.call('SMOVE', 'nokey', 'str', 'a')).toBe(0); // a missing source wins over the type check
    expect(c.call('SMOVE', 'src', 'dst', 'zzz')).toBe(0);
    expect(c.call('EXISTS', 'dst')).toBe(0);
    expect(effects()).toEqual([]);
  });

  it('with source = destination only reports membership', () => {
    c.call('SADD', 's', 'a');
    h.takeEffects();
    expect(c.call('SMOVE', 's', 's', 'a')).toBe(1);
    expect(c.call('SMOVE', 's', 's', 'z')).toBe(0);
    expect(members('s')).toEqual(new Set(['a']));
    expect(effects()).toEqual([]);
  });

  it('keeps the time to live of both sets', () => {
    c.call('SADD', 'src', 'a', 'b');
    c.call('SADD', 'dst', 'c');
    c.call('EXPIRE', 'src', '50');
    c.call('EXPIRE', 'dst', '60');
    c.call('SMOVE', 'src', 'dst', 'a');
    expect(c.call('TTL', 'src')).toBe(50);
    expect(c.call('TTL', 'dst')).toBe(60);
  });
});

describe('SINTER / SUNION / SDIFF', () => {
  beforeEach(() => {
    c.call('SADD', 'a', '1', '2', '3', 'x');
    c.call('SADD', 'b', '2', '3', '4', 'x', 'y');
    c.call('SADD', 'c', '3', 'x', 'z');
    h.takeEffects();
  });

  it('intersects, treating a missing key as empty', () => {
    expect(sorted(c.call('SINTER', 'a', 'b'))).toEqual(['2', '3', 'x']);
    expect(sorted(c.call('SINTER', 'a', 'b', 'c'))).toEqual(['3', 'x']);
    expect(sorted(c.call('SINTER', 'a'))).toEqual(['1', '2', '3', 'x']);
    expect(sorted(c.call('SINTER', 'a', 'a'))).toEqual(['1', '2', '3', 'x']);
    expect(c.call('SINTER', 'a', 'nokey')).toEqual([]);
    expect(c.call('SINTER', 'nokey', 'a')).toEqual([]);
  });

  it('unites', () => {
    expect(sorted(c.call('SUNION', 'a', 'b', 'c', 'nokey'))).toEqual(['1', '2', '3', '4', 'x', 'y', 'z']);
    expect(c.call('SUNION', 'nokey')).toEqual([]);
  });

  it('subtracts with either algorithm', () => {
    expect(sorted(c.call('SDIFF', 'a', 'b'))).toEqual(['1']);
    expect(sorted(c.call('SDIFF', 'b', 'a', 'c'))).toEqual(['4', 'y']);
    expect(sorted(c.call('SDIFF', 'a', 'nokey'))).toEqual(['1', '2', '3', 'x']);
    expect(c.call('SDIFF', 'nokey', 'a')).toEqual([]);
    expect(c.call('SDIFF', 'a', 'b', 'a')).toEqual([]);
    // A big first set and tiny others: copy-then-remove (5*300/2 > 300+8); the reverse: check each.
    c.call('SADD', 'big', ...range(0, 300));
    c.call('SADD', 'small', '5', '7');
    const diff = c.call('SDIFF', 'big', 'small', 'small', 'small', 'small') as string[];
    expect(diff.length).toBe(298);
    expect(diff).not.toContain('5');
    expect(c.call('SDIFF', 'small', 'big')).toEqual([]);
    expect(c.call('SDIFF', 'small', 'c')).toEqual(['5', '7']);
  });

  it('SINTERCARD counts the intersection, up to LIMIT', () => {
    expect(c.call('SINTERCARD', '2', 'a', 'b')).toBe(3);
    expect(c.call('sintercard', '2', 'a', 'b', 'LIMIT', '2')).toBe(2);
    expect(c.call('SINTERCARD', '2', 'a', 'b', 'limit', '0')).toBe(3);
    expect(c.call('SINTERCARD', '2', 'a', 'b', 'LIMIT', '10')).toBe(3);
    expect(c.call('SINTERCARD', '2', 'a', 'b', 'LIMIT', '1', 'LIMIT', '5')).toBe(3);
    expect(c.call('SINTERCARD', '3', 'a', 'b', 'c')).toBe(2);
    expect(c.call('SINTERCARD', '1', 'a')).toBe(4);
    expect(c.call('SINTERCARD', '2', 'a', 'nokey')).toBe(0);
    expect(c.call('SINTERCARD', '1', 'nokey', 'LIMIT', '5', 'LIMIT', '3')).toBe(0);
  });

  it('SINTERCARD errors come in Redis order', () => {
    c.call('SET', 'str', 'v');
    const NUMKEYS = err('ERR numkeys should be greater than 0');
    expect(c.call('SINTERCARD', '0', 'a')).toEqual(NUMKEYS);
    expect(c.call('SINTERCARD', '-1', 'a')).toEqual(NUMKEYS);
    expect(c.call('SINTERCARD', 'abc', 'a')).toEqual(NUMKEYS);
    expect(c.call('SINTERCARD', '9223372036854775808', 'a')).toEqual(NUMKEYS);
    expect(c.call('SINTERCARD', '2', 'a')).toEqual(err("ERR Number of keys can't be greater than number of args"));
    expect(c.call('SINTERCARD', '1', 'str', 'LIMIT', '-1')).toEqual(err("ERR LIMIT can't be negative"));
    expect(c.call('SINTERCARD', '1', 'str', 'LIMIT', 'abc')).toEqual(err("ERR LIMIT can't be negative"));
    expect(c.call('SINTERCARD', '1', 'str', 'LIMIT')).toEqual(SYNTAX);
    expect(c.call('SINTERCARD', '1', 'str', 'FOO', '1')).toEqual(SYNTAX);
    expect(c.call('SINTERCARD', '1', 'nokey', 'str')).toEqual(SYNTAX);
    expect(c.call('SINTERCARD', '1', 'str')).toEqual(WRONGTYPE);
  });

  it('SINTER iterates the smallest set', () => {
    c.call('SADD', 'huge', ...range(0, 5000));
    c.call('SADD', 'tiny', '17', '4999', 'nope');
    expect(sorted(c.call('SINTER', 'huge', 'tiny'))).toEqual(['17', '4999']);
    expect(sorted(c.call('SINTER', 'tiny', 'huge'))).toEqual(['17', '4999']);
  });
});

describe('SINTERSTORE / SUNIONSTORE / SDIFFSTORE', () => {
  beforeEach(() => {
    c.call('SADD', 'a', '1', '2', '3', 'x');
    c.call('SADD', 'b', '2', '3', '4', 'x', 'y');
    h.takeEffects();
  });

  it('stores the result, replies its size and propagates the command itself', () => {
    expect(c.call('SINTERSTORE', 'i', 'a', 'b')).toBe(3);
    expect(members('i')).toEqual(new Set(['2', '3', 'x']));
    expect(c.call('sunionstore', 'u', 'a', 'b', 'nokey')).toBe(6);
    expect(members('u')).toEqual(new Set(['1', '2', '3', '4', 'x', 'y']));
    expect(c.call('SDIFFSTORE', 'd', 'b', 'a')).toBe(2);
    expect(members('d')).toEqual(new Set(['4', 'y']));
    expect(effects()).toEqual([
      ['SINTERSTORE', 'i', 'a', 'b'],
      ['SUNIONSTORE', 'u', 'a', 'b', 'nokey'],
      ['SDIFFSTORE', 'd', 'b', 'a'],
    ]);
  });

  it('replaces a destination of any type and drops its time to live', () => {
    c.call('SET', 'dst', 'string', 'EX', '100');
    expect(c.call('SUNIONSTORE', 'dst', 'a')).toBe(4);
    expect(c.call('TYPE', 'dst')).toBe('set');
    expect(c.call('TTL', 'dst')).toBe(-1);
  });

  it('may name the destination among the sources', () => {
    expect(c.call('SINTERSTORE', 'a', 'a', 'b')).toBe(3);
    expect(members('a')).toEqual(new Set(['2', '3', 'x']));
    expect(c.call('SDIFFSTORE', 'b', 'b', 'a')).toBe(2);
    expect(members('b')).toEqual(new Set(['4', 'y']));
  });

  it('an empty result deletes the destination (DEL effect) or does nothing when there was none', () => {
    c.call('SET', 'dst', 'v');
    c.call('SADD', 'dst2', 'q');
    h.takeEffects();
    expect(c.call('SINTERSTORE', 'dst', 'a', 'nokey')).toBe(0);
    expect(c.call('SDIFFSTORE', 'dst2', 'a', 'a')).toBe(0);
    expect(c.call('EXISTS', 'dst', 'dst2')).toBe(0);
    expect(c.call('SUNIONSTORE', 'none', 'nokey')).toBe(0);
    expect(c.call('SINTERSTORE', 'none', 'a', 'nokey')).toBe(0);
    expect(c.call('SDIFFSTORE', 'none', 'nokey', 'a')).toBe(0);
    expect(c.call('EXISTS', 'none')).toBe(0);
    expect(effects()).toEqual([
      ['DEL', 'dst'],
      ['DEL', 'dst2'],
    ]);
  });

  it('stores results with the encoding Redis 7.2 gives them', () => {
    c.call('SADD', 'ints', ...range(0, 300));
    c.call('SADD', 'mixed', ...range(0, 300), 'word');
    expect(encodingOf('mixed')).toBe('hashtable');
    c.call('SINTERSTORE', 'r1', 'ints', 'mixed'); // 300 integers: converted to an intset at the end
    expect(encodingOf('r1')).toBe('intset');
    c.call('SUNIONSTORE', 'r2', 'a', 'b');
    expect(encodingOf('r2')).toBe('listpack');
    c.call('SUNIONSTORE', 'r3', 'ints');
    expect(encodingOf('r3')).toBe('intset');
    c.call('SUNIONSTORE', 'r4', 'mixed');
    expect(encodingOf('r4')).toBe('hashtable');
    // SDIFFSTORE chooses like Redis; copy-then-remove passes through the first set's size.
    const word = (n: string) => `w${n}`;
    c.call('SADD', 'words', ...range(0, 130).map(word));
    const parts: string[] = [];
    for (let j = 0; j < 10; j++) {
      c.call('SADD', `part${j}`, ...range(j * 13, j === 9 ? 8 : 13).map(word)); // w0..w124 in all
      parts.push(`part${j}`);
    }
    expect(c.call('SDIFFSTORE', 'r5', 'words', ...parts)).toBe(5); // 11*130/2 > 130+125: copy-then-remove
    expect(encodingOf('r5')).toBe('hashtable');
    c.call('SADD', 'most', ...range(0, 125).map(word));
    expect(c.call('SDIFFSTORE', 'r6', 'words', 'most')).toBe(5); // 2*130/2 <= 130+125: check each
    expect(encodingOf('r6')).toBe('listpack');
    expect(sorted(c.call('SMEMBERS', 'r5'))).toEqual(sorted(c.call('SMEMBERS', 'r6')));
    expect(c.call('SDIFFSTORE', 'r7', 'words', 'nokey')).toBe(130);
    expect(encodingOf('r7')).toBe('hashtable');
  });
});

describe('SSCAN', () => {
  it('returns a small set whole with cursor 0, whatever the cursor and COUNT', () => {
    c.call('SADD', 's', 'a', 'b', 'c');
    const [cursor, found] = c.call('SSCAN', 's', '0', 'COUNT', '1') as [string, string[]];
    expect(cursor).toBe('0');
    expect(new Set(found)).toEqual(new Set(['a', 'b', 'c']));
    expect((c.call('SSCAN', 's', '12345') as [string, string[]])[1]).toHaveLength(3);
  });

  it('lists an intset in order and filters with MATCH', () => {
    c.call('SADD', 'i', '5', '-3', '10', '0', '-20', '9223372036854775807', '-9223372036854775808');
    expect(c.call('SSCAN', 'i', '0', 'MATCH', '*0*')).toEqual([
      '0',
      ['-9223372036854775808', '-20', '0', '10', '9223372036854775807'],
    ]);
    c.call('SADD', 's', 'apple', 'banana', 'avocado');
    expect(sorted((c.call('SSCAN', 's', '0', 'match', 'a*') as [string, string[]])[1])).toEqual(['apple', 'avocado']);
  });

  it('iterates a hashtable-encoded set with a cursor, visiting every member', () => {
    const all = range(0, 1000).map((n) => `m${n}`);
    c.call('SADD', 's', ...all);
    const seen = new Set<string>();
    let cursor = '0';
    let calls = 0;
    do {
      const [next, found] = c.call('SSCAN', 's', cursor, 'COUNT', '20') as [string, string[]];
      for (const m of found) seen.add(m);
      cursor = next;
      calls++;
    } while (cursor !== '0' && calls < 1000);
    expect(cursor).toBe('0');
    expect(calls).toBeGreaterThan(10);
    expect(seen).toEqual(new Set(all));
  });

  it('checks the cursor, then the key, then the options', () => {
    c.call('SADD', 's', 'a');
    c.call('SET', 'str', 'v');
    expect(c.call('SSCAN', 's', 'abc')).toEqual(err('ERR invalid cursor'));
    expect(c.call('SSCAN', 'str', 'abc')).toEqual(err('ERR invalid cursor'));
    expect(c.call('SSCAN', 'nokey', '0', 'COUNT', '0')).toEqual(['0', []]);
    expect(c.call('SSCAN', 'nokey', '0', 'FOO')).toEqual(['0', []]);
    expect(c.call('SSCAN', 's', '0', 'COUNT', '0')).toEqual(SYNTAX);
    expect(c.call('SSCAN', 's', '0', 'COUNT', 'x')).toEqual(NOT_INTEGER);
    expect(c.call('SSCAN', 's', '0', 'FOO', 'bar')).toEqual(SYNTAX);
    expect(c.call('SSCAN', 's', '0', 'MATCH')).toEqual(SYNTAX);
  });

  it('follows CONFIG SET of the set encoding limits', () => {
    c.call('SADD', 's', ...range(0, 50).map((n) => `m${n}`));
    expect((c.call('SSCAN', 's', '0', 'COUNT', '5') as [string, string[]])[0]).toBe('0');
    expect(c.call('CONFIG', 'SET', 'set-max-listpack-entries', '10')).toBe('OK');
    const [cursor, found] = c.call('SSCAN', 's', '0', 'COUNT', '5') as [string, string[]];
    expect(cursor).not.toBe('0');
    expect(found.length).toBeLessThan(50);
  });
});

describe('encodings', () => {
  it('follow the creating command and later writes', () => {
    c.call('SADD', 'i', '1', '2', '3');
    expect(encodingOf('i')).toBe('intset');
    c.call('SADD', 'i', 'a');
    expect(encodingOf('i')).toBe('listpack');
    c.call('SADD', 'big', ...range(0, 513));
    expect(encodingOf('big')).toBe('hashtable');
    c.call('SADD', 'long', 'x'.repeat(65));
    expect(encodingOf('long')).toBe('hashtable');
    c.call('SMOVE', 'i', 'moved', '1');
    expect(encodingOf('moved')).toBe('intset');
    c.call('SMOVE', 'i', 'moved2', 'a');
    expect(encodingOf('moved2')).toBe('listpack');
  });

  it('COPY keeps the encoding and makes an independent set', () => {
    c.call('SADD', 'src', ...range(0, 600));
    c.call('SREM', 'src', ...range(0, 590));
    expect(c.call('COPY', 'src', 'dst')).toBe(1);
    expect(encodingOf('dst')).toBe('hashtable');
    c.call('SADD', 'dst', 'new');
    expect(c.call('SISMEMBER', 'src', 'new')).toBe(0);
  });
});

describe('randomized model test (fast-check)', () => {
  type Command = string[];
  const key = fc.constantFrom('k1', 'k2', 'k3');
  const member = fc.oneof(
    { weight: 3, arbitrary: fc.integer({ min: -30, max: 30 }).map(String) },
    { weight: 2, arbitrary: fc.constantFrom('a', 'b', 'c', 'd', '', '\x00x', 'long'.repeat(20)) },
  );
  const members = fc.array(member, { minLength: 1, maxLength: 8 });
  // Up to four sources: SDIFF picks its copy-then-remove algorithm only with three or more.
  const keys = fc.array(key, { minLength: 1, maxLength: 4 });
  const command: fc.Arbitrary<Command> = fc.oneof(
    { weight: 5, arbitrary: fc.tuple(key, members).map(([k, ms]) => ['SADD', k, ...ms]) },
    { weight: 2, arbitrary: fc.tuple(key, members).map(([k, ms]) => ['SREM', k, ...ms]) },
    { weight: 1, arbitrary: key.map((k) => ['SPOP', k]) },
    { weight: 2, arbitrary: fc.tuple(key, fc.integer({ min: 0, max: 12 })).map(([k, n]) => ['SPOP', k, String(n)]) },
    { weight: 2, arbitrary: fc.tuple(key, fc.integer({ min: -40, max: 40 })).map(([k, n]) => ['SRANDMEMBER', k, String(n)]) },
    { weight: 1, arbitrary: fc.tuple(key, key, member).map(([s, d, m]) => ['SMOVE', s, d, m]) },
    ...(['SINTERSTORE', 'SUNIONSTORE', 'SDIFFSTORE'] as const).map((name) => ({
      weight: 1,
      arbitrary: fc.tuple(key, keys).map(([d, ks]) => [name, d, ...ks]),
    })),
    // A set subtracted several times: the shape that makes SDIFF copy-then-remove.
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom('SDIFF', 'SDIFFSTORE'), key, key, fc.integer({ min: 2, max: 4 }))
        .map(([name, a, b, n]) => (name === 'SDIFF' ? [name, a, ...Array(n).fill(b)] : [name, a, a, ...Array(n).fill(b)])),
    },
    ...(['SINTER', 'SUNION', 'SDIFF'] as const).map((name) => ({
      weight: 1,
      arbitrary: keys.map((ks) => [name, ...ks]),
    })),
    { weight: 1, arbitrary: fc.tuple(key, key, fc.integer({ min: 0, max: 5 })).map(([a, b, n]) => ['SINTERCARD', '2', a, b, 'LIMIT', String(n)]) },
    { weight: 1, arbitrary: fc.tuple(key, members).map(([k, ms]) => ['SMISMEMBER', k, ...ms]) },
    { weight: 1, arbitrary: key.map((k) => ['SCARD', k]) },
  );

  const get = (model: Map<string, Set<string>>, k: string) => model.get(k) ?? new Set<string>();
  const put = (model: Map<string, Set<string>>, k: string, s: Set<string>) => {
    if (s.size === 0) model.delete(k);
    else model.set(k, s);
  };

  /** Runs one command against aki and the model; asserts the reply. */
  function step(client: TestClient, model: Map<string, Set<string>>, argv: Command): void {
    const reply = client.call(...argv);
    const [name, k] = argv as [string, string, ...string[]];
    const s = get(model, k);
    switch (name) {
      case 'SADD': {
        const next = new Set(s);
        for (const m of argv.slice(2)) next.add(m);
        expect(reply).toBe(next.size - s.size);
        return put(model, k, next);
      }
      case 'SREM': {
        const next = new Set(s);
        for (const m of argv.slice(2)) next.delete(m);
        expect(reply).toBe(s.size - next.size);
        return put(model, k, next);
      }
      case 'SPOP': {
        if (argv.length === 2) {
          if (s.size === 0) return expect(reply).toBeNull();
          expect(s.has(reply as string)).toBe(true);
          const next = new Set(s);
          next.delete(reply as string);
          return put(model, k, next);
        }
        const popped = reply as string[];
        expect(popped.length).toBe(Math.min(Number(argv[2]), s.size));
        expect(new Set(popped).size).toBe(popped.length);
        const next = new Set(s);
        for (const m of popped) expect(next.delete(m)).toBe(true);
        return put(model, k, next);
      }
      case 'SRANDMEMBER': {
        const n = Number(argv[2]);
        const picked = reply as string[];
        for (const m of picked) expect(s.has(m)).toBe(true);
        if (n < 0) expect(picked.length).toBe(s.size === 0 ? 0 : -n);
        else {
          expect(picked.length).toBe(Math.min(n, s.size));
          expect(new Set(picked).size).toBe(picked.length);
        }
        return;
      }
      case 'SMOVE': {
        const [, src, dst, m] = argv as [string, string, string, string];
        const from = get(model, src);
        if (!from.has(m)) return expect(reply).toBe(0);
        expect(reply).toBe(1);
        if (src === dst) return;
        const nextFrom = new Set(from);
        nextFrom.delete(m);
        const nextTo = new Set(get(model, dst));
        nextTo.add(m);
        put(model, src, nextFrom);
        return put(model, dst, nextTo);
      }
      case 'SINTERSTORE':
      case 'SUNIONSTORE':
      case 'SDIFFSTORE': {
        const result = combine(name, argv.slice(2).map((source) => get(model, source)));
        expect(reply).toBe(result.size);
        return put(model, k, result);
      }
      case 'SINTER':
      case 'SUNION':
      case 'SDIFF':
        expect(new Set(reply as string[])).toEqual(combine(name, argv.slice(1).map((source) => get(model, source))));
        return;
      case 'SINTERCARD': {
        const size = combine('SINTER', [get(model, argv[2]!), get(model, argv[3]!)]).size;
        const limit = Number(argv[5]);
        expect(reply).toBe(limit === 0 ? size : Math.min(size, limit));
        return;
      }
      case 'SMISMEMBER':
        expect(reply).toEqual(argv.slice(2).map((m) => (s.has(m) ? 1 : 0)));
        return;
      case 'SCARD':
        expect(reply).toBe(s.size);
        return;
    }
    throw new Error(`unmodelled ${name}`);
  }

  function combine(name: string, sources: Array<Set<string>>): Set<string> {
    const [first, ...rest] = sources as [Set<string>, ...Array<Set<string>>];
    if (name.startsWith('SINTER')) return new Set([...first].filter((m) => rest.every((s) => s.has(m))));
    if (name.startsWith('SUNION')) return new Set(sources.flatMap((s) => [...s]));
    return new Set([...first].filter((m) => !rest.some((s) => s.has(m))));
  }

  /** A full SSCAN of `k` with a small COUNT. */
  function scanAll(client: TestClient, k: string): Set<string> {
    const seen = new Set<string>();
    let cursor = '0';
    let calls = 0;
    do {
      const [next, found] = client.call('SSCAN', k, cursor, 'COUNT', '3') as [string, string[]];
      for (const m of found) seen.add(m);
      cursor = next;
    } while (cursor !== '0' && ++calls < 10_000);
    return seen;
  }

  it('agrees with a JS Set model, and the effect stream rebuilds the same data', () => {
    fc.assert(
      fc.property(fc.array(command, { minLength: 30, maxLength: 120 }), fc.boolean(), (commands, smallLimits) => {
        const leader = new Harness({ now: NOW });
        const client = leader.connect();
        if (smallLimits) {
          // Small limits make the hashtable paths (cursor SSCAN, rebuilt SPOP sets) reachable.
          client.call('CONFIG', 'SET', 'set-max-intset-entries', '4');
          client.call('CONFIG', 'SET', 'set-max-listpack-entries', '3');
        }
        const model = new Map<string, Set<string>>();
        for (const argv of commands) step(client, model, argv);
        for (const k of ['k1', 'k2', 'k3']) {
          const expected = get(model, k);
          expect(new Set(client.call('SMEMBERS', k) as string[])).toEqual(expected);
          expect(scanAll(client, k)).toEqual(expected);
          expect(client.call('EXISTS', k)).toBe(expected.size === 0 ? 0 : 1);
        }
        const follower = new Harness({ now: NOW });
        const replica = follower.connect();
        for (const effect of leader.effects) {
          const replies = replica.callRaw(effect);
          for (const r of replies) expect(r).not.toBeInstanceOf(ReplyError);
        }
        expect(replica.call('DEBUG', 'DIGEST')).toBe(client.call('DEBUG', 'DIGEST'));
      }),
      { numRuns: 150 },
    );
  });
});

describe('the command table', () => {
  // Arity, flags, key positions and categories are pinned against Redis in introspection.test.ts.
  it('gives COMMAND GETKEYS the keys of every set command, SINTERCARD counted', () => {
    expect(c.call('COMMAND', 'GETKEYS', 'SINTERCARD', '2', 'a', 'b', 'LIMIT', '1')).toEqual(['a', 'b']);
    expect(c.call('COMMAND', 'GETKEYS', 'SMOVE', 'a', 'b', 'm')).toEqual(['a', 'b']);
    expect(c.call('COMMAND', 'GETKEYS', 'SINTERSTORE', 'd', 'a', 'b')).toEqual(['d', 'a', 'b']);
    expect(c.call('COMMAND', 'GETKEYS', 'SADD', 'k', 'm')).toEqual(['k']);
  });
});

describe('DEBUG DIGEST-VALUE', () => {
  it('digests sets as Redis does (values from redis-server 7.0.15)', () => {
    c.call('SADD', 'dg', 'a', 'b', 'c', '1', '');
    c.call('SADD', 'ig', '5', '-3', '10');
    expect(c.call('DEBUG', 'DIGEST-VALUE', 'dg', 'ig')).toEqual([
      'b66f9ed15f158e050895061d0aa62d69a59ff5d0',
      '71a8f3174a4496a8e39388e4f4d8714607a814ea',
    ]);
  });
});
