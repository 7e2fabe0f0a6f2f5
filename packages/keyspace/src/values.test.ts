import { describe, expect, it } from 'vitest';
import { parseInt64, parseSafeInteger, stringEncoding } from './values.js';

describe('strict integer parsing (string2ll rules)', () => {
  it.each([
    ['0', 0],
    ['-1', -1],
    ['123', 123],
    ['9007199254740991', 9007199254740991],
  ])('parses %s', (text, value) => {
    expect(parseSafeInteger(text)).toBe(value);
    expect(parseInt64(text)).toBe(BigInt(value));
  });

  it.each(['', '-', '+1', ' 1', '1 ', '01', '-0', '00', '1.0', '1e3', 'abc', '0x10', '9223372036854775808', '-9223372036854775809'])(
    'rejects %j',
    (text) => {
      expect(parseInt64(text)).toBeUndefined();
    },
  );

  it('accepts the int64 limits exactly', () => {
    expect(parseInt64('9223372036854775807')).toBe(9223372036854775807n);
    expect(parseInt64('-9223372036854775808')).toBe(-9223372036854775808n);
    expect(parseSafeInteger('9223372036854775807')).toBeUndefined();
  });
});

describe('stringEncoding', () => {
  it('follows Redis 7: int, embstr up to 44 bytes, raw beyond', () => {
    expect(stringEncoding('12345')).toBe('int');
    expect(stringEncoding('-9223372036854775808')).toBe('int');
    expect(stringEncoding('012')).toBe('embstr');
    expect(stringEncoding('x'.repeat(44))).toBe('embstr');
    expect(stringEncoding('x'.repeat(45))).toBe('raw');
  });
});
