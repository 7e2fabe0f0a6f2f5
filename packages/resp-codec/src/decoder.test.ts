import { describe, expect, it } from 'vitest';
import { RespDecoder, RespError, RespPush, RespVerbatim, type RespValue } from './decoder.js';
import { ProtocolError } from './errors.js';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');

function decodeAll(input: string | Buffer, decoder = new RespDecoder()): RespValue[] {
  decoder.feed(typeof input === 'string' ? b(input) : input);
  const out: RespValue[] = [];
  for (let v = decoder.next(); v !== undefined; v = decoder.next()) out.push(v);
  return out;
}

function decodeError(input: string, decoder?: RespDecoder): string {
  try {
    decodeAll(input, decoder);
  } catch (error) {
    expect(error).toBeInstanceOf(ProtocolError);
    return (error as Error).message;
  }
  throw new Error('expected a ProtocolError');
}

describe('RespDecoder: RESP2', () => {
  it('decodes every RESP2 type', () => {
    const [simple, err, int, bulk, nullBulk, arr, nullArr] = decodeAll(
      '+OK\r\n-ERR bad thing\r\n:-42\r\n$5\r\nhe\r\no\r\n$-1\r\n*2\r\n:1\r\n*1\r\n$0\r\n\r\n*-1\r\n',
    );
    expect(simple).toBe('OK');
    expect(err).toBeInstanceOf(RespError);
    expect((err as RespError).message).toBe('ERR bad thing');
    expect((err as RespError).code).toBe('ERR');
    expect(int).toBe(-42);
    expect(bulk).toEqual(b('he\r\no'));
    expect(nullBulk).toBeNull();
    expect(arr).toEqual([1, [Buffer.alloc(0)]]);
    expect(nullArr).toBeNull();
  });

  it('returns bigint for integers beyond 2^53', () => {
    expect(decodeAll(':9223372036854775807\r\n:-9223372036854775808\r\n:9007199254740991\r\n')).toEqual([
      9223372036854775807n,
      -9223372036854775808n,
      9007199254740991,
    ]);
  });
});

describe('RespDecoder: RESP3', () => {
  it('decodes every RESP3 type', () => {
    const values = decodeAll(
      '_\r\n,1.5\r\n,inf\r\n,-inf\r\n,nan\r\n,1e+300\r\n#t\r\n#f\r\n(123456789012345678901234567890\r\n' +
        '!8\r\nSYNTAX x\r\n=8\r\ntxt:abcd\r\n%2\r\n+a\r\n:1\r\n$1\r\nb\r\n,2\r\n~2\r\n:1\r\n:2\r\n>2\r\n+message\r\n$1\r\nx\r\n',
    );
    expect(values.slice(0, 3)).toEqual([null, 1.5, Infinity]);
    expect(values[3]).toBe(-Infinity);
    expect(values[4]).toBeNaN();
    expect(values.slice(5, 9)).toEqual([1e300, true, false, 123456789012345678901234567890n]);
    expect(values[9]).toBeInstanceOf(RespError);
    expect((values[9] as RespError).message).toBe('SYNTAX x');
    expect(values[10]).toEqual(new RespVerbatim('txt', b('abcd')));
    const map = values[11] as Map<RespValue, RespValue>;
    expect(map).toBeInstanceOf(Map);
    expect([...map]).toEqual([
      ['a', 1],
      [b('b'), 2],
    ]);
    expect(values[12]).toEqual(new Set([1, 2]));
    expect(values[13]).toEqual(new RespPush(['message', b('x')]));
  });

  it('decodes empty aggregates', () => {
    expect(decodeAll('*0\r\n%0\r\n~0\r\n>0\r\n')).toEqual([[], new Map(), new Set(), new RespPush([])]);
  });

  it('skips attributes and passes them to onAttribute', () => {
    const seen: Map<RespValue, RespValue>[] = [];
    const decoder = new RespDecoder({ onAttribute: (a) => seen.push(a) });
    expect(decodeAll('|1\r\n+key-popularity\r\n*1\r\n:7\r\n*2\r\n|1\r\n+ttl\r\n:3\r\n:1\r\n:2\r\n', decoder)).toEqual([[1, 2]]);
    expect(seen).toHaveLength(2);
    expect([...seen[0]]).toEqual([['key-popularity', [7]]]);
    expect([...seen[1]]).toEqual([['ttl', 3]]);
  });

  it('decodes values split at every byte', () => {
    const input = b('*3\r\n$5\r\nhello\r\n%1\r\n+k\r\n,0.5\r\n:-7\r\n');
    const decoder = new RespDecoder();
    const out: RespValue[] = [];
    for (let i = 0; i < input.length; i++) {
      decoder.feed(input.subarray(i, i + 1));
      for (let v = decoder.next(); v !== undefined; v = decoder.next()) out.push(v);
    }
    expect(out).toEqual([[b('hello'), new Map([['k', 0.5]]), -7]]);
  });

  it('does not blow the stack on deep nesting, and enforces maxDepth', () => {
    const depth = 100_000;
    const deep = '*1\r\n'.repeat(depth) + ':1\r\n';
    let value = decodeAll(deep, new RespDecoder({ maxDepth: depth }))[0];
    for (let i = 0; i < depth; i++) value = (value as RespValue[])[0];
    expect(value).toBe(1);
    expect(decodeError('*1\r\n'.repeat(11) + ':1\r\n', new RespDecoder({ maxDepth: 10 }))).toBe(
      'ERR Protocol error: reply nesting too deep',
    );
  });
});

describe('RespDecoder: bad input', () => {
  it('throws ProtocolError for malformed values', () => {
    expect(decodeError('?\r\n')).toBe("ERR Protocol error: invalid RESP type byte '?'");
    expect(decodeError('+OK\rX')).toBe('ERR Protocol error: expected CRLF');
    expect(decodeError('$3\r\nabcXY')).toBe('ERR Protocol error: expected CRLF after bulk payload');
    expect(decodeError('$-2\r\n')).toBe('ERR Protocol error: invalid bulk length');
    expect(decodeError('$abc\r\n')).toBe('ERR Protocol error: invalid bulk length');
    expect(decodeError('$?\r\n')).toBe('ERR Protocol error: invalid bulk length');
    expect(decodeError('$11\r\n', new RespDecoder({ maxBulkLength: 10 }))).toBe('ERR Protocol error: invalid bulk length');
    expect(decodeError('*-2\r\n')).toBe('ERR Protocol error: invalid multibulk length');
    expect(decodeError('%-1\r\n')).toBe('ERR Protocol error: invalid multibulk length');
    expect(decodeError('*3000000000\r\n')).toBe('ERR Protocol error: invalid multibulk length');
    expect(decodeError(':1.5\r\n')).toBe('ERR Protocol error: invalid integer');
    expect(decodeError(',\r\n')).toBe('ERR Protocol error: invalid double');
    expect(decodeError(',1x\r\n')).toBe('ERR Protocol error: invalid double');
    expect(decodeError(',1e\r\n')).toBe('ERR Protocol error: invalid double');
    expect(decodeError('#x\r\n')).toBe('ERR Protocol error: invalid boolean');
    expect(decodeError('_x\r\n')).toBe('ERR Protocol error: invalid null');
    expect(decodeError('(12a\r\n')).toBe('ERR Protocol error: invalid big number');
    expect(decodeError('=3\r\nabc\r\n')).toBe('ERR Protocol error: invalid verbatim string length');
    expect(decodeError('=5\r\nabcde\r\n')).toBe('ERR Protocol error: invalid verbatim string');
  });

  it('bounds an unterminated line', () => {
    const decoder = new RespDecoder({ maxLineLength: 100 });
    decoder.feed(b('+' + 'A'.repeat(100)));
    expect(decoder.next()).toBeUndefined();
    decoder.feed(b('AAAA'));
    expect(() => decoder.next()).toThrow('ERR Protocol error: too big line');
  });

  it('chunks are borrowed only until next() returns undefined', () => {
    const shared = Buffer.alloc(32);
    const decoder = new RespDecoder();
    const out: RespValue[] = [];
    for (const part of ['*2\r\n$5\r\nhel', 'lo\r\n+wor', 'ld\r\n:1', '\r\n']) {
      const n = shared.write(part, 'latin1');
      decoder.feed(shared.subarray(0, n));
      for (let v = decoder.next(); v !== undefined; v = decoder.next()) out.push(v);
      shared.fill(0x2a);
    }
    expect(out).toEqual([[b('hello'), 'world'], 1]);
  });
});
