import { describe, expect, it } from 'vitest';
import { encodeCommand } from './reply-writer.js';
import { MAX_ARGUMENT_LENGTH, RequestParser, type RequestParserOptions } from './request-parser.js';
import { ProtocolError } from './errors.js';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');

/** Feeds `input` in one chunk and drains every command. */
function parse(input: string | Buffer, options?: RequestParserOptions & { authenticated?: boolean }): string[][] {
  const parser = new RequestParser(options);
  if (options?.authenticated === false) parser.authenticated = false;
  parser.feed(typeof input === 'string' ? b(input) : input);
  return drain(parser);
}

function drain(parser: RequestParser): string[][] {
  const out: string[][] = [];
  for (let argv = parser.next(); argv !== null; argv = parser.next()) out.push(argv);
  return out;
}

/** Asserts that parsing `input` throws a ProtocolError with exactly `message`. */
function expectError(input: string | Buffer, message: string, options?: RequestParserOptions & { authenticated?: boolean }): void {
  let caught: unknown;
  try {
    parse(input, options);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ProtocolError);
  expect((caught as Error).message).toBe(message);
}

const INVALID_MULTIBULK = 'ERR Protocol error: invalid multibulk length';
const INVALID_BULK = 'ERR Protocol error: invalid bulk length';

describe('RequestParser: well-formed requests', () => {
  it('parses multibulk commands, binary safe', () => {
    expect(parse('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nv\r\n\x00\xff\r\n')).toEqual([['SET', 'k', 'v\r\n\x00\xff']]);
  });

  it('parses empty and long arguments', () => {
    const long = 'x'.repeat(100_000);
    expect(parse(`*3\r\n$0\r\n\r\n$${long.length}\r\n${long}\r\n$12\r\nabcdefghijkl\r\n`)).toEqual([['', long, 'abcdefghijkl']]);
  });

  it('parses a pipeline in order', () => {
    const input = Buffer.concat([encodeCommand(['PING']), encodeCommand(['GET', 'a']), b('PING\r\n'), encodeCommand(['ECHO', 'z'])]);
    expect(parse(input)).toEqual([['PING'], ['GET', 'a'], ['PING'], ['ECHO', 'z']]);
  });

  it('reports inline vs multibulk in lastWasInline', () => {
    const parser = new RequestParser();
    parser.feed(b('PING\r\n*1\r\n$4\r\nPING\r\n'));
    expect(parser.next()).toEqual(['PING']);
    expect(parser.lastWasInline).toBe(true);
    expect(parser.next()).toEqual(['PING']);
    expect(parser.lastWasInline).toBe(false);
    expect(parser.next()).toBeNull();
  });

  it('accepts inline commands ending in LF only, and CRLF', () => {
    expect(parse('PING\n')).toEqual([['PING']]);
    expect(parse('SET a "b c"\r\nGET a\n')).toEqual([['SET', 'a', 'b c'], ['GET', 'a']]);
  });

  it('ignores empty lines, blank lines, *0, *-1, *-10 and any N <= 0; PING still works afterwards', () => {
    expect(parse('\r\n\n   \r\n*0\r\n*-1\r\n*-10\r\n*-9223372036854775808\r\nPING\r\n')).toEqual([['PING']]);
    expect(parse('*-10\r\n*1\r\n$4\r\nPING\r\n')).toEqual([['PING']]);
  });

  it('skips the two bytes after a bulk payload and after a CR without checking them (as Redis)', () => {
    expect(parse('*1\r\n$4\r\nPINGxx*1\rX$4\rYPING\r\n')).toEqual([['PING'], ['PING']]);
  });

  it('does not lose a command whose last bytes arrive later', () => {
    const parser = new RequestParser();
    parser.feed(b('*2\r\n$3\r\nGET\r\n$3\r\nke'));
    expect(parser.next()).toBeNull();
    parser.feed(b('y'));
    expect(parser.next()).toBeNull();
    parser.feed(b('\r'));
    expect(parser.next()).toBeNull();
    parser.feed(b('\n'));
    expect(parser.next()).toEqual(['GET', 'key']);
    expect(parser.bufferedBytes).toBe(0);
  });

  it('accepts a bulk of exactly maxBulkLength and one of maxUnauthenticatedBulk when unauthenticated', () => {
    expect(parse('*1\r\n$5\r\nabcde\r\n', { maxBulkLength: 5 })).toEqual([['abcde']]);
    const arg = 'a'.repeat(16384);
    expect(parse(`*1\r\n$16384\r\n${arg}\r\n`, { authenticated: false })).toEqual([[arg]]);
    const args = Array.from({ length: 10 }, (_, i) => String(i));
    expect(parse(encodeCommand(args), { authenticated: false })).toEqual([args]);
  });

  it('lifts the unauthenticated limits when authenticated flips between commands', () => {
    const parser = new RequestParser();
    parser.authenticated = false;
    parser.feed(b('AUTH pass\r\n*11\r\n'));
    expect(parser.next()).toEqual(['AUTH', 'pass']);
    parser.authenticated = true;
    expect(parser.next()).toBeNull();
    parser.feed(encodeCommand(Array.from({ length: 11 }, () => 'x')).subarray(5));
    expect(parser.next()).toHaveLength(11);
  });

  it('honours a runtime change of maxBulkLength', () => {
    const parser = new RequestParser();
    parser.maxBulkLength = 3;
    parser.feed(b('*1\r\n$4\r\nabcd\r\n'));
    expect(() => parser.next()).toThrow(INVALID_BULK);
  });
});

describe('RequestParser: bufferedBytes', () => {
  it('counts unparsed bytes and the parsed part of an unfinished command', () => {
    const parser = new RequestParser();
    parser.feed(b('*2\r\n$3\r\nGET\r\n$3\r\nk'));
    expect(parser.bufferedBytes).toBe(18);
    expect(parser.next()).toBeNull();
    expect(parser.bufferedBytes).toBe(18);
    parser.feed(b('ey\r\nPI'));
    expect(parser.bufferedBytes).toBe(24);
    expect(parser.next()).toEqual(['GET', 'key']);
    expect(parser.bufferedBytes).toBe(2);
    expect(parser.next()).toBeNull();
    expect(parser.bufferedBytes).toBe(2);
    parser.feed(b('NG\r\n'));
    expect(parser.next()).toEqual(['PING']);
    expect(parser.bufferedBytes).toBe(0);
  });
});

describe('RequestParser: multibulk length errors', () => {
  for (const n of ['3000000000', '2147483648', 'abc', '99999999999999999999', '9223372036854775808', '-9223372036854775809', '', '+1', ' 1', '01', '-0', '1 ', '1x', '\xff']) {
    it(`*${JSON.stringify(n)} is an invalid multibulk length`, () => {
      expectError(`*${n}\r\n`, INVALID_MULTIBULK);
    });
  }

  it('accepts *2147483647 as a header (INT_MAX) and waits for arguments', () => {
    const parser = new RequestParser();
    parser.feed(b('*2147483647\r\n'));
    expect(parser.next()).toBeNull();
  });

  it('rejects *11 when unauthenticated but accepts *10', () => {
    expectError('*11\r\n', 'ERR Protocol error: unauthenticated multibulk length', { authenticated: false });
    expectError('*100\r\n', 'ERR Protocol error: unauthenticated multibulk length', { authenticated: false });
    expect(parse('*10\r\n', { authenticated: false })).toEqual([]);
  });

  it('checks validity before the unauthenticated limit', () => {
    expectError('*3000000000\r\n', INVALID_MULTIBULK, { authenticated: false });
  });

  it('waits for the CR before judging a *N line', () => {
    expect(parse('*abc')).toEqual([]);
  });
});

describe('RequestParser: bulk errors', () => {
  it("reports the byte found where '$' was expected", () => {
    expectError('*1\r\nfoo\r\n', "ERR Protocol error: expected '$', got 'f'");
    expectError('*3\r\n$3\r\nSET\r\n$1\r\nx\r\nfooz\r\n', "ERR Protocol error: expected '$', got 'f'");
    expectError('*1\r\n:1\r\n', "ERR Protocol error: expected '$', got ':'");
    // CR/LF are shown as a space so the error reply stays one line
    expectError('*1\r\n\r\n', "ERR Protocol error: expected '$', got ' '");
  });

  for (const n of ['-1', '-2', '-10', 'blabla', '2000000000', '03', '+3', ' 3', '0:', '3 ', '', '-0', '99999999999999999999', '9223372036854775808']) {
    it(`$${JSON.stringify(n)} in a request is an invalid bulk length`, () => {
      expectError(`*1\r\n$${n}\r\n`, INVALID_BULK);
    });
  }

  it('rejects a bulk above maxBulkLength before allocating', () => {
    expectError(`*1\r\n$${512 * 1024 * 1024 + 1}\r\n`, INVALID_BULK);
    expectError('*1\r\n$6\r\n', INVALID_BULK, { maxBulkLength: 5 });
  });

  it('accepts a 512 MiB declared length within the JS string limit only', () => {
    // 512 MiB = proto-max-bulk-len is above V8's longest string: rejected as invalid.
    expectError(`*1\r\n$${512 * 1024 * 1024}\r\n`, INVALID_BULK);
    const parser = new RequestParser();
    parser.feed(b(`*1\r\n$${MAX_ARGUMENT_LENGTH}\r\nabc`));
    expect(parser.next()).toBeNull(); // accepted, waiting for the payload
    expect(parser.bufferedBytes).toBeLessThan(100); // nothing allocated from the declared length
  });

  it('rejects $16385 when unauthenticated', () => {
    expectError('*1\r\n$16385\r\n', 'ERR Protocol error: unauthenticated bulk length', { authenticated: false });
    expectError('*1\r\n$100000000\r\n', 'ERR Protocol error: unauthenticated bulk length', { authenticated: false });
  });

  it('reports invalid bulk length before the unauthenticated limit', () => {
    expectError('*1\r\n$2000000000\r\n', INVALID_BULK, { authenticated: false });
  });
});

describe('RequestParser: lines too long', () => {
  const big = 'A'.repeat(64 * 1024 + 1);

  it('too big inline request', () => {
    expectError(big, 'ERR Protocol error: too big inline request');
  });

  it('too big mbulk count string', () => {
    expectError('*' + big, 'ERR Protocol error: too big mbulk count string');
  });

  it('too big bulk count string', () => {
    expectError('*1\r\n$' + big, 'ERR Protocol error: too big bulk count string');
    expectError('*1\r\n' + big, 'ERR Protocol error: too big bulk count string');
  });

  it('allows a line of exactly maxInlineLength still waiting for its end', () => {
    expect(parse('A'.repeat(64 * 1024))).toEqual([]);
    expect(parse('*' + '1'.repeat(64 * 1024 - 1))).toEqual([]);
  });

  it('applies the limit when the line arrives in small chunks', () => {
    for (const prefix of ['', '*', '*1\r\n$']) {
      const parser = new RequestParser({ maxInlineLength: 100 });
      parser.feed(b(prefix));
      let caught: unknown;
      try {
        for (let i = 0; i < 200; i++) {
          parser.feed(b('A'));
          parser.next();
          expect(parser.bufferedBytes).toBeLessThanOrEqual(102 + 4);
        }
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(ProtocolError);
    }
  });

  it('honours a custom maxInlineLength', () => {
    expectError('A'.repeat(11), 'ERR Protocol error: too big inline request', { maxInlineLength: 10 });
    expect(parse('A'.repeat(11) + '\n', { maxInlineLength: 10 })).toEqual([['A'.repeat(11)]]);
  });
});

describe('RequestParser: inline quoting', () => {
  it('rejects unbalanced quotes', () => {
    expectError('set """test-key""" v\r\n', 'ERR Protocol error: unbalanced quotes in request');
    expectError('set "abc\r\n', 'ERR Protocol error: unbalanced quotes in request');
    expectError("set 'abc\r\n", 'ERR Protocol error: unbalanced quotes in request');
    expectError('set "a"b\r\n', 'ERR Protocol error: unbalanced quotes in request');
  });

  it('splits quoted arguments with escapes', () => {
    expect(parse('set "a\\x00\\xffb" \'it\\\'s\'\r\n')).toEqual([['set', 'a\x00\xffb', "it's"]]);
  });
});

describe('RequestParser: garbage stays bounded (protocol desync regression)', () => {
  for (const start of ['\x00', '*\x00', '$\x00']) {
    it(`${JSON.stringify(start)} followed by endless "AAAA...\\n" ends in a protocol error`, () => {
      const parser = new RequestParser();
      parser.feed(b(start));
      const payload = b('A'.repeat(1024) + '\n');
      let maxBuffered = 0;
      let caught: unknown;
      try {
        for (let i = 0; i < 1000; i++) {
          parser.feed(payload);
          while (parser.next() !== null) {
            /* drain */
          }
          maxBuffered = Math.max(maxBuffered, parser.bufferedBytes);
        }
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(ProtocolError);
      expect((caught as Error).message).toMatch(/^ERR Protocol error: too big (inline request|mbulk count string)$/);
      expect(maxBuffered).toBeLessThanOrEqual(64 * 1024 + 1025);
    });
  }

  it('a NUL inside an inline line keeps it from ending (as in Redis)', () => {
    expect(parse('GET a\x00b\r\nPING\r\n')).toEqual([]);
  });

  it('a TLS ClientHello on the plain port does not crash', () => {
    const hello = Buffer.from('160301020001', 'hex');
    expect(() => parse(Buffer.concat([hello, Buffer.alloc(70_000, 0x41)]))).toThrow(ProtocolError);
  });

  it('an HTTP request is parsed as inline commands (the server spots POST / Host:)', () => {
    expect(parse('POST / HTTP/1.1\r\nHost: x\r\n')).toEqual([
      ['POST', '/', 'HTTP/1.1'],
      ['Host:', 'x'],
    ]);
  });
});

describe('RequestParser: borrowed chunks', () => {
  it('keeps working after the caller overwrites a chunk once next() returned null', () => {
    const shared = Buffer.alloc(64);
    const parser = new RequestParser();
    const parts = ['*3\r\n$3\r\nSET\r\n$3\r\nk', 'ey\r\n$10\r\n0123', '456789\r\n*1\r\n$4\r\nPI', 'NG\r\nEC', 'HO "x y"\n'];
    const got: string[][] = [];
    for (const part of parts) {
      const n = shared.write(part, 'latin1');
      parser.feed(shared.subarray(0, n));
      got.push(...drain(parser));
      shared.fill(0x2a); // the server reuses its read buffer for the next socket
    }
    expect(got).toEqual([['SET', 'key', '0123456789'], ['PING'], ['ECHO', 'x y']]);
  });

  it('compact() copies borrowed bytes when the caller stops draining early', () => {
    const shared = Buffer.alloc(64);
    const parser = new RequestParser();
    const n = shared.write('PING\r\nGET a\r\n*1\r\n$3\r\nab', 'latin1');
    parser.feed(shared.subarray(0, n));
    expect(parser.next()).toEqual(['PING']);
    parser.compact(); // e.g. the client got blocked
    shared.fill(0);
    expect(parser.next()).toEqual(['GET', 'a']);
    expect(parser.next()).toBeNull();
    parser.feed(b('c\r\n'));
    expect(parser.next()).toEqual(['abc']);
  });

  it('handles feed() twice without draining', () => {
    const parser = new RequestParser();
    parser.feed(b('*1\r\n$4\r\nPI'));
    parser.feed(b('NG\r\nPI'));
    parser.feed(b('NG\r\n'));
    expect(drain(parser)).toEqual([['PING'], ['PING']]);
  });

  it('assembles a large argument split over many chunks without quadratic copying', () => {
    const size = 8 * 1024 * 1024;
    const payload = Buffer.alloc(size, 0x61);
    const input = Buffer.concat([b(`*2\r\n$3\r\nSET\r\n$${size}\r\n`), payload, b('\r\n')]);
    const parser = new RequestParser();
    const shared = Buffer.alloc(16 * 1024);
    const started = performance.now();
    const got: string[][] = [];
    for (let off = 0; off < input.length; off += shared.length) {
      const n = input.copy(shared, 0, off, Math.min(input.length, off + shared.length));
      parser.feed(shared.subarray(0, n));
      got.push(...drain(parser));
      shared.fill(0);
    }
    expect(performance.now() - started).toBeLessThan(2000);
    expect(got).toHaveLength(1);
    expect(got[0][0]).toBe('SET');
    expect(got[0][1].length).toBe(size);
    expect(got[0][1] === 'a'.repeat(size)).toBe(true);
  });
});
