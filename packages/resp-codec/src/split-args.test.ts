import { describe, expect, it } from 'vitest';
import { splitArgs } from './split-args.js';

describe('splitArgs (sdssplitargs semantics)', () => {
  it('splits on blanks and ignores leading/trailing/repeated blanks', () => {
    expect(splitArgs('  set  key\tvalue  ')).toEqual(['set', 'key', 'value']);
    expect(splitArgs('')).toEqual([]);
    expect(splitArgs(' \t\r\n\v\f')).toEqual([]);
  });

  it('keeps \\v and \\f inside an unquoted argument (only space, \\t, \\r, \\n end it)', () => {
    expect(splitArgs('a\vb c\fd')).toEqual(['a\vb', 'c\fd']);
  });

  it('double quotes: escapes and \\xHH', () => {
    expect(splitArgs('"a b" "\\n\\r\\t\\b\\a\\\\\\"\\q"')).toEqual(['a b', '\n\r\t\b\x07\\"q']);
    expect(splitArgs('"\\x41\\x6a\\xFF\\x00"')).toEqual(['Aj\xff\x00']);
    // \x without two hex digits is just "x"
    expect(splitArgs('"\\xg1" "\\x4"')).toEqual(['xg1', 'x4']);
  });

  it("single quotes: only \\' is an escape", () => {
    expect(splitArgs("'a\\'b' 'c\\nd' 'e\\\\f'")).toEqual(["a'b", 'c\\nd', 'e\\\\f']);
    // a backslash before the closing quote escapes it: unterminated
    expect(splitArgs("'a\\\\'")).toBeNull();
  });

  it('a quote may start mid-argument; empty quotes give an empty argument', () => {
    expect(splitArgs('foo"bar baz" x')).toEqual(['foobar baz', 'x']);
    expect(splitArgs('"" \'\' x')).toEqual(['', '', 'x']);
  });

  it('a closing quote must be followed by a blank or the end', () => {
    expect(splitArgs('"a"b')).toBeNull();
    expect(splitArgs("'a'b")).toBeNull();
    expect(splitArgs('"a"\tb')).toEqual(['a', 'b']);
    expect(splitArgs('"a"\vb')).toEqual(['a', 'b']);
    expect(splitArgs('set """test-key""" v')).toBeNull();
  });

  it('unterminated quotes are errors', () => {
    expect(splitArgs('"abc')).toBeNull();
    expect(splitArgs("'abc")).toBeNull();
    expect(splitArgs('"abc\\"')).toBeNull();
    expect(splitArgs('"abc\\')).toBeNull();
    expect(splitArgs("'abc\\'")).toBeNull();
  });

  it('is binary safe on latin1 strings', () => {
    expect(splitArgs('\xff\x80 \x01')).toEqual(['\xff\x80', '\x01']);
    expect(splitArgs('a\x00b')).toEqual(['a\x00b']);
  });

  it('parses config-file style lines', () => {
    expect(splitArgs('save 900 1')).toEqual(['save', '900', '1']);
    expect(splitArgs('requirepass "p a\\"ss"')).toEqual(['requirepass', 'p a"ss']);
  });
});
