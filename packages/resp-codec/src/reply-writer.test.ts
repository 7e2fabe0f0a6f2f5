import { describe, expect, it } from 'vitest';
import { encodeCommand, ReplyWriter } from './reply-writer.js';
import { formatDouble, formatDoubleShortest } from './double.js';

function bytes(protocol: 2 | 3, write: (w: ReplyWriter) => void): string {
  const w = new ReplyWriter(64);
  w.protocol = protocol;
  write(w);
  return w.take().toString('latin1');
}

describe('ReplyWriter: exact bytes', () => {
  it('simple, error, integer, ok', () => {
    for (const p of [2, 3] as const) {
      expect(bytes(p, (w) => w.simple('PONG'))).toBe('+PONG\r\n');
      expect(bytes(p, (w) => w.ok())).toBe('+OK\r\n');
      expect(bytes(p, (w) => w.error('ERR syntax error'))).toBe('-ERR syntax error\r\n');
      expect(bytes(p, (w) => [0, 7, 10, 9999, -1, -123456, 2147483648, 9007199254740991, -9007199254740991].forEach((n) => w.integer(n)))).toBe(
        ':0\r\n:7\r\n:10\r\n:9999\r\n:-1\r\n:-123456\r\n:2147483648\r\n:9007199254740991\r\n:-9007199254740991\r\n',
      );
      expect(bytes(p, (w) => w.integer(-9223372036854775808n))).toBe(':-9223372036854775808\r\n');
    }
  });

  it('bulk strings from latin1 strings and buffers', () => {
    expect(bytes(2, (w) => w.bulk('hello'))).toBe('$5\r\nhello\r\n');
    expect(bytes(2, (w) => w.bulk(''))).toBe('$0\r\n\r\n');
    expect(bytes(2, (w) => w.bulk('\x00\xff\r\n'))).toBe('$4\r\n\x00\xff\r\n\r\n');
    const long = 'abcdefghij'.repeat(1000);
    expect(bytes(2, (w) => w.bulk(long))).toBe(`$10000\r\n${long}\r\n`);
    expect(bytes(3, (w) => w.bulkBuffer(Buffer.from([1, 2, 3])))).toBe('$3\r\n\x01\x02\x03\r\n');
  });

  it('nulls', () => {
    expect(bytes(2, (w) => (w.nullBulk(), w.nullArray(), w.bulk(null)))).toBe('$-1\r\n*-1\r\n$-1\r\n');
    expect(bytes(3, (w) => (w.nullBulk(), w.nullArray(), w.bulk(null)))).toBe('_\r\n_\r\n_\r\n');
  });

  it('aggregate headers', () => {
    const all = (w: ReplyWriter) => {
      w.arrayHeader(3);
      w.mapHeader(2);
      w.setHeader(4);
      w.pushHeader(3);
      w.arrayHeader(0);
    };
    expect(bytes(2, all)).toBe('*3\r\n*4\r\n*4\r\n*3\r\n*0\r\n');
    expect(bytes(3, all)).toBe('*3\r\n%2\r\n~4\r\n>3\r\n*0\r\n');
  });

  it('doubles', () => {
    const values = [1.5, 0.1, 1e300, -0, 3.0, Infinity, -Infinity, NaN];
    expect(bytes(3, (w) => values.forEach((d) => w.double(d)))).toBe(
      ',1.5\r\n,0.10000000000000001\r\n,1.0000000000000001e+300\r\n,-0\r\n,3\r\n,inf\r\n,-inf\r\n,nan\r\n',
    );
    expect(bytes(2, (w) => values.forEach((d) => w.double(d)))).toBe(
      '$3\r\n1.5\r\n$19\r\n0.10000000000000001\r\n$23\r\n1.0000000000000001e+300\r\n$2\r\n-0\r\n$1\r\n3\r\n$3\r\ninf\r\n$4\r\n-inf\r\n$3\r\nnan\r\n',
    );
  });

  it('booleans, verbatim strings and big numbers', () => {
    expect(bytes(3, (w) => (w.boolean(true), w.boolean(false)))).toBe('#t\r\n#f\r\n');
    expect(bytes(2, (w) => (w.boolean(true), w.boolean(false)))).toBe(':1\r\n:0\r\n');
    expect(bytes(3, (w) => w.verbatim('txt', 'Some string'))).toBe('=15\r\ntxt:Some string\r\n');
    expect(bytes(2, (w) => w.verbatim('txt', 'Some string'))).toBe('$11\r\nSome string\r\n');
    expect(() => bytes(3, (w) => w.verbatim('text', 'x'))).toThrow(RangeError);
    expect(bytes(3, (w) => w.bigNumber('-3492890328409238509324850943850943825024385'))).toBe(
      '(-3492890328409238509324850943850943825024385\r\n',
    );
    expect(bytes(2, (w) => w.bigNumber('12345678901234567890'))).toBe('$20\r\n12345678901234567890\r\n');
  });

  it('raw bytes and commands', () => {
    expect(bytes(2, (w) => (w.raw(Buffer.from('+OK\r\n')), w.raw(Buffer.from('$20\r\n12345678901234567890\r\n'))))).toBe(
      '+OK\r\n$20\r\n12345678901234567890\r\n',
    );
    expect(bytes(2, (w) => w.command(['SET', Buffer.from('k'), 'v']))).toBe('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n');
  });

  it('length, truncate and take', () => {
    const w = new ReplyWriter(64);
    expect(w.length).toBe(0);
    expect(w.take().length).toBe(0);
    w.simple('OK');
    const mark = w.length;
    expect(mark).toBe(5);
    w.bulk('partial');
    w.truncate(mark);
    w.error('ERR internal error');
    expect(w.take().toString()).toBe('+OK\r\n-ERR internal error\r\n');
    expect(w.length).toBe(0);
  });

  it('grows past its initial capacity and take() results stay valid after later writes', () => {
    const w = new ReplyWriter(64);
    const big = 'x'.repeat(10_000);
    w.bulk(big);
    const first = w.take(); // large: the internal buffer is handed over
    w.simple('A'.repeat(100));
    const second = w.take(); // small: copied out
    w.bulk('y'.repeat(20_000));
    w.simple('B'.repeat(100));
    expect(first.toString('latin1')).toBe(`$10000\r\n${big}\r\n`);
    expect(second.toString('latin1')).toBe(`+${'A'.repeat(100)}\r\n`);
    expect(w.take().toString('latin1')).toBe(`$20000\r\n${'y'.repeat(20_000)}\r\n+${'B'.repeat(100)}\r\n`);
  });
});

describe('encodeCommand', () => {
  it('encodes strings and buffers as a multibulk array', () => {
    expect(encodeCommand(['SET', 'key', Buffer.from([0, 255])]).toString('latin1')).toBe('*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$2\r\n\x00\xff\r\n');
    expect(encodeCommand([]).toString()).toBe('*0\r\n');
    expect(encodeCommand(['', 'a'.repeat(12345)]).toString()).toBe(`*2\r\n$0\r\n\r\n$12345\r\n${'a'.repeat(12345)}\r\n`);
  });
});

describe('formatDouble (%.17g)', () => {
  const cases: [number, string][] = [
    [1.5, '1.5'],
    [0.1, '0.10000000000000001'],
    [1e300, '1.0000000000000001e+300'],
    [-0, '-0'],
    [0, '0'],
    [3.0, '3'],
    [-3, '-3'],
    [Infinity, 'inf'],
    [-Infinity, '-inf'],
    [NaN, 'nan'],
    [1 / 3, '0.33333333333333331'],
    [2 ** 55, '36028797018963968'],
    [1e16, '10000000000000000'],
    [1e17, '1e+17'],
    [123456789012345680000, '1.2345678901234568e+20'],
    [0.0001, '0.0001'],
    [0.00001, '1.0000000000000001e-05'],
    [3e-5, '3.0000000000000001e-05'],
    [5e-324, '4.9406564584124654e-324'],
    [1.7976931348623157e308, '1.7976931348623157e+308'],
    [-2.5, '-2.5'],
    [100, '100'],
    [1234.5678, '1234.5678'],
    // an exact tie at the 18th digit: printf rounds half to even, JS's toExponential rounds up
    [26215 / 262144, '0.10000228881835938'],
    [5.0000000000000000e-1 + 2 ** -53, '0.50000000000000011'],
  ];
  for (const [value, text] of cases) {
    it(`${String(value)} -> ${text}`, () => {
      expect(formatDouble(value)).toBe(text);
    });
  }

  it('rounds exact ties half to even like printf (JS toPrecision rounds them up)', () => {
    // Each value's exact decimal expansion has 18 significant digits ending in 5,
    // with an even 17th digit: printf keeps it, toPrecision(17) would round up.
    // Expected strings from Python's '%.17g' (correctly rounded, half to even).
    expect((0.10000991821289062).toPrecision(17)).toBe('0.10000991821289063');
    expect(formatDouble(0.10000991821289062)).toBe('0.10000991821289062');
    expect(formatDouble(0.010004043579101562)).toBe('0.010004043579101562');
    expect(formatDouble(0.00010156631469726562)).toBe('0.00010156631469726562');
  });
});

describe('formatDoubleShortest', () => {
  it('uses the shortest round-trip digits in the %.17g layout', () => {
    expect(formatDoubleShortest(0.1)).toBe('0.1');
    expect(formatDoubleShortest(1.5)).toBe('1.5');
    expect(formatDoubleShortest(1e300)).toBe('1e+300');
    expect(formatDoubleShortest(3)).toBe('3');
    expect(formatDoubleShortest(-0)).toBe('-0');
    expect(formatDoubleShortest(1e-5)).toBe('1e-05');
    expect(formatDoubleShortest(2 ** 55)).toBe('36028797018963970');
    expect(formatDoubleShortest(1e17)).toBe('1e+17');
    expect(formatDoubleShortest(Infinity)).toBe('inf');
    expect(formatDoubleShortest(NaN)).toBe('nan');
    for (const x of [Math.PI, 1 / 3, 123.456, 5e-324, 1.7976931348623157e308, 0.000123]) {
      expect(Number(formatDoubleShortest(x))).toBe(x);
      expect(Number(formatDoubleShortest(-x))).toBe(-x);
    }
  });
});

describe('one-line replies', () => {
  it('writes CR and LF in status and error text as spaces, so echoed input cannot forge replies', () => {
    const w = new ReplyWriter();
    w.error("ERR Syntax error in HELLO option 'x\r\n+INJECTED'");
    w.simple('a\nb');
    expect(w.take().toString('latin1')).toBe("-ERR Syntax error in HELLO option 'x  +INJECTED'\r\n+a b\r\n");
  });

  it('writes integers beyond 2^53 exactly, never in exponent form', () => {
    const w = new ReplyWriter();
    w.integer(1e21);
    w.integer(-(2 ** 60));
    expect(w.take().toString('latin1')).toBe(':1000000000000000000000\r\n:-1152921504606846976\r\n');
  });
});

describe('bulkFrom', () => {
  it('writes a bulk string whose bytes the source copies in place', () => {
    const values = [Buffer.from('hello'), Buffer.from(''), Buffer.from('x\r\n\x00'.repeat(10), 'latin1')];
    const source = {
      valueLength: (h: number) => values[h]!.length,
      copyValue: (h: number, target: Buffer, offset: number) => void values[h]!.copy(target, offset),
    };
    const w = new ReplyWriter(64);
    for (let h = 0; h < values.length; h++) w.bulkFrom(source, h);
    expect(w.take().toString('latin1')).toBe(
      `$5\r\nhello\r\n$0\r\n\r\n$40\r\n${'x\r\n\x00'.repeat(10)}\r\n`,
    );
  });
});

describe('ReplyWriter.maxLength', () => {
  it('discards everything pending once a write would pass maxLength, and says so', () => {
    const w = new ReplyWriter(64);
    w.maxLength = 100;
    w.bulk('x'.repeat(50));
    expect(w.overflowed).toBe(false);
    w.bulk('y'.repeat(60));
    expect(w.overflowed).toBe(true);
    expect(w.length).toBe(67); // only the write that overflowed ($60\r\n...\r\n): memory stays bounded
    for (let i = 0; i < 1000; i++) w.bulk('z'.repeat(40));
    expect(w.length).toBeLessThanOrEqual(100);
  });

  it('does not keep a buffer grown for one huge reply', () => {
    const w = new ReplyWriter(64);
    w.bulk('x'.repeat(2_000_000));
    w.truncate(0);
    w.simple('OK');
    expect(w.take().toString()).toBe('+OK\r\n');
  });
});
