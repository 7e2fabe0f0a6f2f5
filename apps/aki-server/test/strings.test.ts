// String commands, checked byte for byte against what redis-server 7 replies.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RawConnection, startAki, waitFor, type RunningServer } from '@aki/test-utils';

let server: RunningServer;
let c: RawConnection;

/** Sends one command and returns the raw reply as a latin1 string. */
const q = async (...args: Array<string | number | Buffer>): Promise<string> => (await c.call(...args)).toString('latin1');
const bulk = (s: string) => `$${Buffer.byteLength(s, 'latin1')}\r\n${s}\r\n`;
const int = (n: number | bigint | string) => `:${n}\r\n`;
const OK = '+OK\r\n';
const NIL = '$-1\r\n';
const NOT_INT = '-ERR value is not an integer or out of range\r\n';
const SYNTAX = '-ERR syntax error\r\n';
const arity = (cmd: string) => `-ERR wrong number of arguments for '${cmd}' command\r\n`;
const invalidExpire = (cmd: string) => `-ERR invalid expire time in '${cmd}' command\r\n`;

async function ttl(key: string): Promise<number> {
  return Number((await q('TTL', key)).slice(1, -2));
}
async function pttl(key: string): Promise<number> {
  return Number((await q('PTTL', key)).slice(1, -2));
}

beforeAll(async () => {
  server = await startAki();
  c = await RawConnection.open(server.port);
});

afterAll(async () => {
  c?.close();
  await server?.stop();
});

beforeEach(async () => {
  expect(await q('FLUSHALL')).toBe(OK);
});

describe('GET / SET', () => {
  it('round-trips a value and returns nil for a missing key', async () => {
    expect(await q('GET', 'k')).toBe(NIL);
    expect(await q('SET', 'k', 'hello')).toBe(OK);
    expect(await q('GET', 'k')).toBe(bulk('hello'));
    expect(await q('SET', 'k', 'world')).toBe(OK);
    expect(await q('GET', 'k')).toBe(bulk('world'));
    expect(await q('SET', 'empty', '')).toBe(OK);
    expect(await q('GET', 'empty')).toBe('$0\r\n\r\n');
  });

  it('is binary safe in keys and values', async () => {
    const key = Buffer.from([0x00, 0xff, 0x0d, 0x0a, 0x20, 0x80, 0x00]);
    const value = Buffer.from([0x00, 0x01, 0xfe, 0xff, 0x0d, 0x0a, 0x24, 0x2a]);
    expect(await q('SET', key, value)).toBe(OK);
    const raw = await c.call('GET', key);
    expect(raw).toEqual(Buffer.concat([Buffer.from('$8\r\n'), value, Buffer.from('\r\n')]));
    expect(await q('STRLEN', key)).toBe(int(8));
    expect(await q('EXISTS', Buffer.from([0x00, 0xff, 0x0d, 0x0a, 0x20, 0x80]))).toBe(int(0));
  });

  it('stores a 1 MB value intact', async () => {
    const value = Buffer.alloc(1024 * 1024);
    for (let i = 0; i < value.length; i++) value[i] = (i * 31 + 7) & 0xff;
    expect(await q('SET', 'big', value)).toBe(OK);
    const raw = await c.call('GET', 'big');
    expect(raw.subarray(0, 10).toString()).toBe('$1048576\r\n');
    expect(raw.length).toBe(10 + 1048576 + 2);
    expect(raw.subarray(raw.length - 2 - value.length, raw.length - 2).equals(value)).toBe(true);
    expect(await q('STRLEN', 'big')).toBe(int(1048576));
  });

  it('NX and XX', async () => {
    expect(await q('SET', 'k', 'a', 'XX')).toBe(NIL);
    expect(await q('EXISTS', 'k')).toBe(int(0));
    expect(await q('SET', 'k', 'a', 'NX')).toBe(OK);
    expect(await q('SET', 'k', 'b', 'NX')).toBe(NIL);
    expect(await q('GET', 'k')).toBe(bulk('a'));
    expect(await q('SET', 'k', 'c', 'XX')).toBe(OK);
    expect(await q('GET', 'k')).toBe(bulk('c'));
    expect(await q('set', 'k', 'd', 'xx')).toBe(OK); // options are case-insensitive
    expect(await q('GET', 'k')).toBe(bulk('d'));
  });

  it('GET option returns the old value', async () => {
    expect(await q('SET', 'k', 'v1', 'GET')).toBe(NIL);
    expect(await q('SET', 'k', 'v2', 'GET')).toBe(bulk('v1'));
    expect(await q('GET', 'k')).toBe(bulk('v2'));
    // NX GET on an existing key: returns the old value and does not write.
    expect(await q('SET', 'k', 'v3', 'NX', 'GET')).toBe(bulk('v2'));
    expect(await q('GET', 'k')).toBe(bulk('v2'));
    // XX GET on a missing key: nil, nothing written.
    expect(await q('SET', 'nokey', 'x', 'XX', 'GET')).toBe(NIL);
    expect(await q('EXISTS', 'nokey')).toBe(int(0));
  });

  it('EX, PX, EXAT and PXAT set the TTL', async () => {
    expect(await q('SET', 'ex', 'v', 'EX', '100')).toBe(OK);
    expect(await ttl('ex')).toBe(100);
    expect(await q('SET', 'px', 'v', 'PX', '5000')).toBe(OK);
    const p = await pttl('px');
    expect(p).toBeGreaterThan(4000);
    expect(p).toBeLessThanOrEqual(5000);
    const at = Math.floor(Date.now() / 1000) + 200;
    expect(await q('SET', 'exat', 'v', 'EXAT', at)).toBe(OK);
    expect(await q('EXPIRETIME', 'exat')).toBe(int(at));
    const pat = Date.now() + 300_000;
    expect(await q('SET', 'pxat', 'v', 'PXAT', pat)).toBe(OK);
    expect(await q('PEXPIRETIME', 'pxat')).toBe(int(pat));
    // The same option twice: the last one wins (redis 7 accepts it).
    expect(await q('SET', 'twice', 'v', 'EX', '1', 'EX', '1000')).toBe(OK);
    expect(await ttl('twice')).toBe(1000);
  });

  it('an absolute time in the past writes nothing visible', async () => {
    expect(await q('SET', 'past', 'v', 'PXAT', '1')).toBe(OK);
    expect(await q('GET', 'past')).toBe(NIL);
    expect(await q('EXISTS', 'past')).toBe(int(0));
    expect(await q('SET', 'past2', 'v', 'EXAT', '1')).toBe(OK);
    expect(await q('TTL', 'past2')).toBe(int(-2));
  });

  it('plain SET clears the TTL, KEEPTTL keeps it', async () => {
    await q('SET', 'k', 'v', 'EX', '100');
    expect(await q('SET', 'k', 'v2', 'KEEPTTL')).toBe(OK);
    expect(await ttl('k')).toBe(100);
    expect(await q('GET', 'k')).toBe(bulk('v2'));
    expect(await q('SET', 'k', 'v3')).toBe(OK);
    expect(await q('TTL', 'k')).toBe(int(-1));
  });

  it('a key written with PX expires', async () => {
    expect(await q('SET', 'short', 'v', 'PX', '30')).toBe(OK);
    await waitFor(async () => (await q('GET', 'short')) === NIL, 2000);
    expect(await q('TTL', 'short')).toBe(int(-2));
  });

  it('rejects bad options with Redis error texts', async () => {
    expect(await q('SET', 'k', 'v', 'EX', '0')).toBe(invalidExpire('set'));
    expect(await q('SET', 'k', 'v', 'EX', '-1')).toBe(invalidExpire('set'));
    expect(await q('SET', 'k', 'v', 'PX', '0')).toBe(invalidExpire('set'));
    expect(await q('SET', 'k', 'v', 'PXAT', '0')).toBe(invalidExpire('set'));
    expect(await q('SET', 'k', 'v', 'EXAT', '-1')).toBe(invalidExpire('set'));
    expect(await q('SET', 'k', 'v', 'EX', '9223372036854775807')).toBe(invalidExpire('set'));
    expect(await q('SET', 'k', 'v', 'PX', '9223372036854775807')).toBe(invalidExpire('set'));
    expect(await q('SET', 'k', 'v', 'EXAT', '9223372036854775807')).toBe(invalidExpire('set'));
    expect(await q('SET', 'k', 'v', 'EX', 'abc')).toBe(NOT_INT);
    expect(await q('SET', 'k', 'v', 'EX', '1.5')).toBe(NOT_INT);
    expect(await q('SET', 'k', 'v', 'EX')).toBe(SYNTAX);
    expect(await q('SET', 'k', 'v', 'NX', 'XX')).toBe(SYNTAX);
    expect(await q('SET', 'k', 'v', 'EX', '10', 'PX', '100')).toBe(SYNTAX);
    expect(await q('SET', 'k', 'v', 'KEEPTTL', 'EX', '10')).toBe(SYNTAX);
    expect(await q('SET', 'k', 'v', 'PXAT', '100', 'EXAT', '100')).toBe(SYNTAX);
    expect(await q('SET', 'k', 'v', 'FOO')).toBe(SYNTAX);
    expect(await q('SET', 'k')).toBe(arity('set'));
    expect(await q('GET')).toBe(arity('get'));
    expect(await q('GET', 'a', 'b')).toBe(arity('get'));
    // Nothing above may have written the key.
    expect(await q('EXISTS', 'k')).toBe(int(0));
  });

  it('names the command in lower case in arity errors, whatever case was sent', async () => {
    expect(await q('GeT')).toBe(arity('get'));
    expect(await q('sEtEx', 'k')).toBe(arity('setex'));
  });
});

describe('SETNX / SETEX / PSETEX / GETSET / GETDEL', () => {
  it('SETNX', async () => {
    expect(await q('SETNX', 'k', 'a')).toBe(int(1));
    expect(await q('SETNX', 'k', 'b')).toBe(int(0));
    expect(await q('GET', 'k')).toBe(bulk('a'));
    expect(await q('SETNX', 'k')).toBe(arity('setnx'));
  });

  it('SETEX and PSETEX', async () => {
    expect(await q('SETEX', 'k', '100', 'v')).toBe(OK);
    expect(await ttl('k')).toBe(100);
    expect(await q('GET', 'k')).toBe(bulk('v'));
    expect(await q('PSETEX', 'p', '100000', 'v')).toBe(OK);
    expect(await pttl('p')).toBeGreaterThan(99_000);
    expect(await q('SETEX', 'k', '0', 'v')).toBe(invalidExpire('setex'));
    expect(await q('PSETEX', 'k', '-5', 'v')).toBe(invalidExpire('psetex'));
    expect(await q('SETEX', 'k', 'abc', 'v')).toBe(NOT_INT);
    expect(await q('SETEX', 'k', '10')).toBe(arity('setex'));
  });

  it('GETSET returns the old value and clears the TTL', async () => {
    expect(await q('GETSET', 'k', 'a')).toBe(NIL);
    await q('SET', 'k', 'b', 'EX', '100');
    expect(await q('GETSET', 'k', 'c')).toBe(bulk('b'));
    expect(await q('GET', 'k')).toBe(bulk('c'));
    expect(await q('TTL', 'k')).toBe(int(-1));
  });

  it('GETDEL', async () => {
    expect(await q('GETDEL', 'k')).toBe(NIL);
    await q('SET', 'k', 'v');
    expect(await q('GETDEL', 'k')).toBe(bulk('v'));
    expect(await q('EXISTS', 'k')).toBe(int(0));
    expect(await q('GETDEL')).toBe(arity('getdel'));
  });
});

describe('GETEX', () => {
  it('reads and changes the TTL', async () => {
    expect(await q('GETEX', 'nokey', 'EX', '10')).toBe(NIL);
    expect(await q('EXISTS', 'nokey')).toBe(int(0));
    await q('SET', 'k', 'v');
    expect(await q('GETEX', 'k')).toBe(bulk('v'));
    expect(await q('TTL', 'k')).toBe(int(-1));
    expect(await q('GETEX', 'k', 'EX', '100')).toBe(bulk('v'));
    expect(await ttl('k')).toBe(100);
    expect(await q('GETEX', 'k', 'PX', '200000')).toBe(bulk('v'));
    expect(await ttl('k')).toBe(200);
    const at = Math.floor(Date.now() / 1000) + 300;
    expect(await q('GETEX', 'k', 'EXAT', at)).toBe(bulk('v'));
    expect(await q('EXPIRETIME', 'k')).toBe(int(at));
    expect(await q('GETEX', 'k', 'PERSIST')).toBe(bulk('v'));
    expect(await q('TTL', 'k')).toBe(int(-1));
    expect(await q('GETEX', 'k', 'PXAT', '1')).toBe(bulk('v'));
    expect(await q('EXISTS', 'k')).toBe(int(0));
  });

  it('rejects bad options', async () => {
    await q('SET', 'k', 'v');
    expect(await q('GETEX', 'k', 'PERSIST', 'EX', '1')).toBe(SYNTAX);
    expect(await q('GETEX', 'k', 'FOO')).toBe(SYNTAX);
    expect(await q('GETEX', 'k', 'EX', '0')).toBe(invalidExpire('getex'));
    expect(await q('GETEX', 'k', 'EX', '-1')).toBe(invalidExpire('getex'));
    expect(await q('GETEX', 'k', 'EX', 'x')).toBe(NOT_INT);
    expect(await q('GETEX')).toBe(arity('getex'));
    expect(await q('TTL', 'k')).toBe(int(-1));
  });
});

describe('MGET / MSET / MSETNX', () => {
  it('MSET then MGET, with nil for missing keys', async () => {
    expect(await q('MSET', 'a', '1', 'b', '2', 'a', '3')).toBe(OK);
    expect(await q('MGET', 'a', 'b', 'nokey')).toBe(`*3\r\n${bulk('3')}${bulk('2')}${NIL}`);
    expect(await q('MSET', 'a')).toBe(arity('mset'));
    expect(await q('MSET', 'a', '1', 'b')).toBe(arity('mset'));
    expect(await q('MGET')).toBe(arity('mget'));
  });

  it('MSET clears TTLs of the keys it overwrites', async () => {
    await q('SET', 'a', 'x', 'EX', '100');
    await q('MSET', 'a', 'y');
    expect(await q('TTL', 'a')).toBe(int(-1));
  });

  it('MSETNX is all or nothing', async () => {
    expect(await q('MSETNX', 'x', '1', 'y', '2')).toBe(int(1));
    expect(await q('MSETNX', 'y', 'new', 'z', '3')).toBe(int(0));
    expect(await q('MGET', 'x', 'y', 'z')).toBe(`*3\r\n${bulk('1')}${bulk('2')}${NIL}`);
    expect(await q('MSETNX', 'x', '1', 'y')).toBe(arity('msetnx'));
  });
});

describe('APPEND / STRLEN / GETRANGE / SETRANGE', () => {
  it('APPEND creates and extends', async () => {
    expect(await q('APPEND', 'k', 'Hello')).toBe(int(5));
    expect(await q('APPEND', 'k', ' World')).toBe(int(11));
    expect(await q('GET', 'k')).toBe(bulk('Hello World'));
    expect(await q('APPEND', 'k', '')).toBe(int(11));
    expect(await q('APPEND', 'k')).toBe(arity('append'));
  });

  it('APPEND to an integer-looking value and keeps the TTL', async () => {
    await q('SET', 'n', '123', 'EX', '100');
    expect(await q('APPEND', 'n', '4')).toBe(int(4));
    expect(await q('GET', 'n')).toBe(bulk('1234'));
    expect(await ttl('n')).toBe(100);
  });

  it('STRLEN', async () => {
    expect(await q('STRLEN', 'nokey')).toBe(int(0));
    await q('SET', 'k', 'héllo'); // utf8: 6 bytes
    expect(await q('STRLEN', 'k')).toBe(int(6));
  });

  it('GETRANGE with negative and out-of-range indexes', async () => {
    await q('SET', 'k', 'This is a string');
    expect(await q('GETRANGE', 'k', '0', '3')).toBe(bulk('This'));
    expect(await q('GETRANGE', 'k', '-3', '-1')).toBe(bulk('ing'));
    expect(await q('GETRANGE', 'k', '0', '-1')).toBe(bulk('This is a string'));
    expect(await q('GETRANGE', 'k', '10', '100')).toBe(bulk('string'));
    expect(await q('GETRANGE', 'k', '-100', '3')).toBe(bulk('This'));
    expect(await q('GETRANGE', 'k', '5', '1')).toBe('$0\r\n\r\n');
    expect(await q('GETRANGE', 'k', '100', '200')).toBe('$0\r\n\r\n');
    expect(await q('GETRANGE', 'nokey', '0', '-1')).toBe('$0\r\n\r\n');
    expect(await q('GETRANGE', 'k', 'a', 'b')).toBe(NOT_INT);
    expect(await q('GETRANGE', 'k', '0')).toBe(arity('getrange'));
  });

  it('SETRANGE pads with zero bytes', async () => {
    await q('SET', 'k', 'Hello World');
    expect(await q('SETRANGE', 'k', '6', 'Redis')).toBe(int(11));
    expect(await q('GET', 'k')).toBe(bulk('Hello Redis'));
    expect(await q('SETRANGE', 'pad', '3', 'ab')).toBe(int(5));
    expect(await q('GET', 'pad')).toBe(bulk('\x00\x00\x00ab'));
    expect(await q('SETRANGE', 'k', '0', '')).toBe(int(11));
    // An empty write to a missing key creates nothing.
    expect(await q('SETRANGE', 'none', '5', '')).toBe(int(0));
    expect(await q('EXISTS', 'none')).toBe(int(0));
  });

  it('SETRANGE keeps the TTL and rejects bad offsets', async () => {
    await q('SET', 'k', 'abc', 'EX', '100');
    expect(await q('SETRANGE', 'k', '1', 'x')).toBe(int(3));
    expect(await ttl('k')).toBe(100);
    expect(await q('SETRANGE', 'k', '-1', 'x')).toBe('-ERR offset is out of range\r\n');
    expect(await q('SETRANGE', 'k', 'x', 'x')).toBe(NOT_INT);
    expect(await q('SETRANGE', 'k', '536870912', 'x')).toBe(
      '-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n',
    );
    expect(await q('SETRANGE', 'k', '536870000', 'x'.repeat(1000))).toBe(
      '-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n',
    );
    expect(await q('GET', 'k')).toBe(bulk('axc'));
  });
});

describe('INCR / DECR / INCRBY / DECRBY', () => {
  it('counts from zero on a missing key', async () => {
    expect(await q('INCR', 'n')).toBe(int(1));
    expect(await q('INCR', 'n')).toBe(int(2));
    expect(await q('DECR', 'n')).toBe(int(1));
    expect(await q('INCRBY', 'n', '10')).toBe(int(11));
    expect(await q('DECRBY', 'n', '20')).toBe(int(-9));
    expect(await q('INCRBY', 'n', '-1')).toBe(int(-10));
    expect(await q('GET', 'n')).toBe(bulk('-10'));
    expect(await q('DECR', 'm')).toBe(int(-1));
  });

  it('is exact beyond 2^53', async () => {
    await q('SET', 'n', '9007199254740993');
    expect(await q('INCR', 'n')).toBe(int('9007199254740994'));
    expect(await q('INCRBY', 'n', '9000000000000000000')).toBe(int('9009007199254740994'));
    expect(await q('GET', 'n')).toBe(bulk('9009007199254740994'));
  });

  it('overflow is an error and leaves the value alone', async () => {
    await q('SET', 'n', '9223372036854775806');
    expect(await q('INCR', 'n')).toBe(int('9223372036854775807'));
    expect(await q('INCR', 'n')).toBe('-ERR increment or decrement would overflow\r\n');
    expect(await q('INCRBY', 'n', '1')).toBe('-ERR increment or decrement would overflow\r\n');
    expect(await q('GET', 'n')).toBe(bulk('9223372036854775807'));
    await q('SET', 'm', '-9223372036854775807');
    expect(await q('DECR', 'm')).toBe(int('-9223372036854775808'));
    expect(await q('DECR', 'm')).toBe('-ERR increment or decrement would overflow\r\n');
    expect(await q('GET', 'm')).toBe(bulk('-9223372036854775808'));
    expect(await q('DECRBY', 'z', '-9223372036854775808')).toBe('-ERR decrement would overflow\r\n');
    expect(await q('DECRBY', 'z', '9223372036854775807')).toBe(int('-9223372036854775807'));
    expect(await q('INCRBY', 'w', '9223372036854775808')).toBe(NOT_INT);
  });

  it('rejects values and increments that are not strict integers', async () => {
    for (const bad of [' 1', '1 ', '01', '+1', '-0', '1.5', 'abc', '', '18446744073709551616', '0x10', '1e3']) {
      await q('SET', 'n', bad);
      expect(await q('INCR', 'n'), JSON.stringify(bad)).toBe(NOT_INT);
    }
    expect(await q('GET', 'n')).toBe(bulk('1e3'));
    expect(await q('INCRBY', 'x', '1.5')).toBe(NOT_INT);
    expect(await q('INCRBY', 'x', 'abc')).toBe(NOT_INT);
    expect(await q('DECRBY', 'x', ' 1')).toBe(NOT_INT);
    expect(await q('EXISTS', 'x')).toBe(int(0));
    expect(await q('INCR')).toBe(arity('incr'));
    expect(await q('INCRBY', 'x')).toBe(arity('incrby'));
  });

  it('keeps the TTL', async () => {
    await q('SET', 'n', '1', 'EX', '100');
    expect(await q('INCR', 'n')).toBe(int(2));
    expect(await ttl('n')).toBe(100);
  });

  it('accepts the largest and smallest 64-bit values', async () => {
    await q('SET', 'n', '-9223372036854775808');
    expect(await q('INCRBY', 'n', '9223372036854775807')).toBe(int(-1));
    expect(await q('INCRBY', 'n', '-9223372036854775808')).toBe('-ERR increment or decrement would overflow\r\n');
  });
});

describe('INCRBYFLOAT', () => {
  it('adds and formats like Redis', async () => {
    await q('SET', 'f', '10.50');
    expect(await q('INCRBYFLOAT', 'f', '0.1')).toBe(bulk('10.6'));
    expect(await q('INCRBYFLOAT', 'f', '-5')).toBe(bulk('5.6'));
    await q('SET', 'g', '5.0e3');
    expect(await q('INCRBYFLOAT', 'g', '2.0e2')).toBe(bulk('5200'));
    expect(await q('INCRBYFLOAT', 'new', '1.5')).toBe(bulk('1.5'));
    await q('SET', 'h', '3.0');
    expect(await q('INCRBYFLOAT', 'h', '0')).toBe(bulk('3'));
    await q('SET', 'i', '1e3');
    expect(await q('INCRBYFLOAT', 'i', '0')).toBe(bulk('1000'));
    expect(await q('INCRBYFLOAT', 'j', '-0.25')).toBe(bulk('-0.25'));
    expect(await q('GET', 'j')).toBe(bulk('-0.25'));
  });

  it('rejects NaN, infinity and non-floats', async () => {
    expect(await q('INCRBYFLOAT', 'f', 'inf')).toBe('-ERR increment would produce NaN or Infinity\r\n');
    expect(await q('INCRBYFLOAT', 'f', 'nan')).toBe('-ERR value is not a valid float\r\n');
    expect(await q('INCRBYFLOAT', 'f', 'abc')).toBe('-ERR value is not a valid float\r\n');
    expect(await q('INCRBYFLOAT', 'f', ' 1')).toBe('-ERR value is not a valid float\r\n');
    expect(await q('EXISTS', 'f')).toBe(int(0));
    await q('SET', 's', 'hello');
    expect(await q('INCRBYFLOAT', 's', '1')).toBe('-ERR value is not a valid float\r\n');
    await q('SET', 'g', '2.5');
    expect(await q('INCRBYFLOAT', 'g', '-inf')).toBe('-ERR increment would produce NaN or Infinity\r\n');
    expect(await q('GET', 'g')).toBe(bulk('2.5'));
    expect(await q('INCRBYFLOAT', 'f')).toBe(arity('incrbyfloat'));
  });

  it('keeps the TTL', async () => {
    await q('SET', 'f', '1', 'EX', '100');
    expect(await q('INCRBYFLOAT', 'f', '1.5')).toBe(bulk('2.5'));
    expect(await ttl('f')).toBe(100);
  });
});
