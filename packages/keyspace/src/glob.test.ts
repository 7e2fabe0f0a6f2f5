import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileGlob, globMatch } from './glob.js';

/**
 * [pattern, subject, expected]. Every expectation was checked against a real
 * redis-server 7.0.15 (x86-64) with `KEYS pattern` over a database holding
 * each subject as a key (sent as raw binary-safe RESP).
 */
const REDIS_CASES: Array<[string, string, boolean]> = [
  ["hello", "hello", true],
  ["hello", "hell", false],
  ["hello", "helloo", false],
  ["h?llo", "hallo", true],
  ["h?llo", "hllo", false],
  ["h*llo", "hllo", true],
  ["h*llo", "heeeello", true],
  ["h*llo", "hello world", false],
  ["h[ae]llo", "hello", true],
  ["h[ae]llo", "hillo", false],
  ["h[^e]llo", "hallo", true],
  ["h[^e]llo", "hello", false],
  ["h[a-b]llo", "hbllo", true],
  ["h[a-b]llo", "hcllo", false],
  ["**", "", false],
  ["*", "x", true],
  ["", "", true],
  ["", "a", false],
  ["a", "", false],
  ["?", "", false],
  ["?*", "a", true],
  ["*?", "a", true],
  ["*?", "", false],
  ["a*", "a", true],
  ["a**", "a", true],
  ["a*b*", "ab", true],
  ["a*b", "a", false],
  ["*a*", "a", true],
  ["*a", "ba", true],
  ["*a", "ab", false],
  ["[z-a]", "m", true],
  ["[z-a]", "A", false],
  ["[a-]", "]", true],
  ["[a-]", "_", true],
  ["[a-]", "-", false],
  ["[a-]b", "]", true],
  ["[-a]", "-", true],
  ["[-a]", "a", true],
  ["[a-c-e]", "d", false],
  ["[a-c-e]", "-", true],
  ["[]", "]", false],
  ["[]", "", false],
  ["[]a]", "a]", false],
  ["[]a]", "]", false],
  ["[^]", "x", true],
  ["[^]", "]", true],
  ["[^]x", "]x", true],
  ["[", "[", false],
  ["[", "a", false],
  ["[^", "a", true],
  ["[^", "", false],
  ["[abc", "b", true],
  ["[abc", "b]", false],
  ["[^abc", "d", true],
  ["\\", "\\", true],
  ["\\", "a", false],
  ["a\\", "a\\", true],
  ["\\*", "*", true],
  ["\\*", "a", false],
  ["\\?", "?", true],
  ["\\[a]", "[a]", true],
  ["\\a", "a", true],
  ["a\\\\", "a\\", true],
  ["[\\]]", "]", true],
  ["[\\\\]", "\\", true],
  ["[\\", "\\", true],
  ["[a\\", "\\", true],
  ["[\\-]", "-", true],
  ["[a\\-z]", "b", false],
  ["[a\\-z]", "-", true],
  ["[\\^a]", "^", true],
  ["[a-\\]", "\\", true],
  ["[a-\\]", "_", true],
  ["[*]", "*", true],
  ["[*]", "a", false],
  ["[?]", "?", true],
  ["[?]", "a", false],
  ["[[]", "[", true],
  ["[^^]", "^", false],
  ["[^^]", "a", true],
  ["[a^]", "^", true],
  ["[\x80-\xff]", "\x90", true],
  ["[\x80-\xff]", "a", false],
  ["[a-\xff]", "\xff", true],
  ["[a-\xff]", "0", true],
  ["[a-\xff]", "\x80", false],
  ["[a-\xff]", "b", false],
  ["[\x00-\x7f]", "\x80", false],
  ["[\x7f-\x80]", "\x00", true],
  ["[\x7f-\x80]", "\x81", true],
  ["a\x00b", "a\x00b", true],
  ["a?b", "a\x00b", true],
  ["*\x00*", "x\x00y", true],
  ["[\x00]", "\x00", true],
  ["\xe9*", "\xe9t\xe9", true],
  ["*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaa", false],
  ["*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaab", true],
  ["*a]a]a]*c", "a]a]a]a]a]a]a]c", true],
  ["*a]a]a]*c", "a]a]a]a]a]a]a]d", false],
  ["user:*:name", "user:42:name", true],
  ["user:*:name", "user:42:names", false],
  ["user:?:*", "user:1:x", true],
  ["*:*:*", "a::b", true],
  ["*:*:*", "a:b", false],
  ["A", "a", false],
  ["[A-Z]", "q", false],
];

/**
 * nocase cases, checked against redis-server 7.0.15 through CONFIG GET (which
 * matches config names case-insensitively) where the pattern has a glob char.
 */
const NOCASE_CASES: Array<[string, string, boolean]> = [
  ['MAXMEMORY*', 'maxmemory-policy', true],
  ['[L-M]AXMEMORY', 'maxmemory', true],
  ['[\\M]axmemory', 'maxmemory', false], // escaped class member: always case-sensitive
  ['[\\m]AXMEMORY', 'maxmemory', true],
  ['[A-z]axmemory', 'maxmemory', true],
  ['[Z-a]axmemory', 'maxmemory', false], // bounds lowered after the swap: z..a is empty
  ['[_-a]axmemory', 'maxmemory', false],
  ['[m-_]axmemory', 'maxmemory', true],
  ['\\Maxmemor?', 'maxmemory', true], // escaped literal outside a class honours nocase
  ['MaxMem?ry-*', 'maxmemory-samples', true],
  ['[^A-L]AXMEMORY*', 'maxmemory', true],
  // Not checkable through CONFIG GET (config names are ASCII): Redis folds with
  // tolower() in the C locale, so only ASCII letters fold and latin1 ones stay distinct.
  ['\xc9*', '\xe9t\xe9', false],
  ['[\xc0-\xde]', '\xe9', false],
  ['[A-Z]', '_', false],
];

/**
 * Reference matcher written straight from the rules, char by char with plain
 * recursive backtracking (exponential; short inputs only). Independent of the
 * compiled segment matcher under test.
 */
function refMatch(p: string, s: string, nocase: boolean): boolean {
  const low = (c: number) => (c >= 65 && c <= 90 ? c + 32 : c);
  const signed = (c: number) => (c >= 128 ? c - 256 : c);
  const at = (str: string, i: number) => (i < str.length ? str.charCodeAt(i) : -1000);

  // Evaluates the class whose body starts at pi against byte c.
  // Returns [matched, index just past the class].
  function cls(pi: number, c: number): [boolean, number] {
    let neg = false;
    if (at(p, pi) === 94) {
      neg = true;
      pi++;
    }
    let hit = false;
    while (pi < p.length) {
      const ch = p.charCodeAt(pi);
      const left = p.length - pi;
      if (ch === 92 && left >= 2) {
        if (p.charCodeAt(pi + 1) === c) hit = true;
        pi += 2;
      } else if (ch === 93) {
        pi++;
        return [hit !== neg, pi];
      } else if (left >= 3 && p.charCodeAt(pi + 1) === 45) {
        let a = signed(ch);
        let b = signed(p.charCodeAt(pi + 2));
        let x = signed(c);
        if (a > b) [a, b] = [b, a];
        if (nocase) [a, b, x] = [low(a), low(b), low(x)];
        if (x >= a && x <= b) hit = true;
        pi += 3;
      } else {
        if (nocase ? low(ch) === low(c) : ch === c) hit = true;
        pi++;
      }
    }
    return [hit !== neg, pi];
  }

  function m(pi: number, si: number): boolean {
    if (si === s.length) {
      while (at(p, pi) === 42) pi++;
      return pi === p.length;
    }
    if (pi === p.length) return false;
    const ch = p.charCodeAt(pi);
    const c = s.charCodeAt(si);
    if (ch === 42) {
      for (let k = si; k <= s.length; k++) if (m(pi + 1, k)) return true;
      return false;
    }
    if (ch === 63) return m(pi + 1, si + 1);
    if (ch === 91) {
      const [ok, next] = cls(pi + 1, c);
      return ok && m(next, si + 1);
    }
    let lit = ch;
    let next = pi + 1;
    if (ch === 92 && pi + 1 < p.length) {
      lit = p.charCodeAt(pi + 1);
      next = pi + 2;
    }
    return (nocase ? low(lit) === low(c) : lit === c) && m(next, si + 1);
  }

  if (s.length === 0) return p.length === 0; // Redis: nothing matches the empty subject but ""
  return m(0, 0);
}

describe('globMatch: exact Redis behaviour', () => {
  it.each(REDIS_CASES)('%j vs %j -> %s', (pattern, subject, expected) => {
    expect(globMatch(pattern, subject)).toBe(expected);
    expect(compileGlob(pattern)(subject)).toBe(expected);
    expect(refMatch(pattern, subject, false)).toBe(expected);
  });

  it.each(NOCASE_CASES)('nocase %j vs %j -> %s', (pattern, subject, expected) => {
    expect(globMatch(pattern, subject, true)).toBe(expected);
    expect(compileGlob(pattern, true)(subject)).toBe(expected);
    expect(refMatch(pattern, subject, true)).toBe(expected);
  });

  it('is case-sensitive by default and folds ASCII with nocase', () => {
    expect(globMatch('Hello*', 'hello world')).toBe(false);
    expect(globMatch('Hello*', 'hello world', true)).toBe(true);
    expect(globMatch('h[A-C]llo', 'hbllo', true)).toBe(true);
    expect(globMatch('h[a-c]llo', 'hBllo', true)).toBe(true);
    expect(globMatch('h[abc]llo', 'hBllo', true)).toBe(true);
    expect(globMatch('h[^abc]llo', 'hBllo', true)).toBe(false);
  });

  it('fast-path shapes agree with the general matcher', () => {
    for (const [p, s, want] of [
      ['*', '', false],
      ['*', 'anything', true],
      ['***', 'x', true],
      ['user:*', 'user:', true],
      ['user:*', 'use', false],
      ['*:1', 'a:1', true],
      ['*:1', ':1', true],
      ['*:1', ':', false],
      ['*ab*', 'xaby', true],
      ['*ab*', 'ab', true],
      ['*ab*', 'a', false],
      ['plain', 'plain', true],
      ['plain', 'Plain', false],
    ] as Array<[string, string, boolean]>) {
      expect(compileGlob(p)(s), `${p} ${s}`).toBe(want);
      expect(refMatch(p, s, false), `ref ${p} ${s}`).toBe(want);
    }
    expect(compileGlob('plain', true)('PLAIN')).toBe(true);
    expect(compileGlob('pl*', true)('PLx')).toBe(true);
  });

  it('caps star nesting at 1000 non-final star groups (checked against Redis 7.0.15)', () => {
    const a = (n: number) => 'a'.repeat(n);
    expect(globMatch('*a'.repeat(1000), a(2000))).toBe(true);
    expect(globMatch('*a'.repeat(1001), a(2000))).toBe(false);
    expect(globMatch('*a'.repeat(1000) + '*', a(1000))).toBe(true);
    expect(globMatch('*a'.repeat(1001) + '*', a(2000))).toBe(false);
    expect(globMatch('a*'.repeat(1001), a(1001))).toBe(true); // last group is final
    expect(globMatch('a*'.repeat(1001) + 'a', a(2000))).toBe(false);
    expect(globMatch('*a'.repeat(999) + '**', a(999))).toBe(true);
  });
});

describe('globMatch: property tests against the reference', () => {
  const patChar = fc.constantFrom(...'*?[]^-\\abAz0\x00\x80\xff'.split(''), '**', '[a-b]', '[^a]');
  const subjChar = fc.constantFrom(...'abABz-]^\\*?[0\x00\x80\xff'.split(''));
  const pattern = fc.array(patChar, { maxLength: 9 }).map((a) => a.join(''));
  const subject = fc.array(subjChar, { maxLength: 9 }).map((a) => a.join(''));

  it('globMatch and compileGlob equal the reference', () => {
    fc.assert(
      fc.property(pattern, subject, fc.boolean(), (p, s, nocase) => {
        const want = refMatch(p, s, nocase);
        expect(globMatch(p, s, nocase)).toBe(want);
        expect(compileGlob(p, nocase)(s)).toBe(want);
      }),
      { numRuns: 20000 },
    );
  });

  it('a subject always matches itself with its specials escaped', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary-ascii', maxLength: 30 }), (s) => {
        const escaped = s.replace(/[*?[\]\\]/g, (c) => '\\' + c);
        expect(globMatch(escaped, s)).toBe(true);
        expect(globMatch(escaped + 'x', s)).toBe(false);
      }),
    );
  });
});

describe('globMatch: hostile patterns finish quickly', () => {
  const big = 'a'.repeat(10_000);

  it('many stars against a long non-matching subject', { timeout: 2000 }, () => {
    expect(globMatch('*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b', big)).toBe(false);
    expect(globMatch('*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a', big)).toBe(true);
    expect(globMatch('*a'.repeat(500) + 'b', big)).toBe(false);
    expect(globMatch('*a'.repeat(500) + '*b*', big)).toBe(false);
  });

  it('bracket-heavy and ? heavy patterns', { timeout: 2000 }, () => {
    const subj = 'a]'.repeat(5_000);
    expect(globMatch('*a]a]a]a]a]a]a]a]a]*c', subj)).toBe(false);
    expect(globMatch('*a]a]a]a]a]a]a]a]a]*]', subj)).toBe(true);
    expect(globMatch('*' + '[a]?'.repeat(200) + 'c*', subj)).toBe(false);
    expect(globMatch('*' + '?'.repeat(3000) + 'b*', big)).toBe(false);
    expect(globMatch('*' + 'a'.repeat(3000) + 'b', big)).toBe(false);
    expect(globMatch('*' + 'a'.repeat(3000) + 'b*', big)).toBe(false);
  });

  it('a huge pattern against a huge subject', { timeout: 3000 }, () => {
    const pat = ('*' + '?a'.repeat(50)).repeat(100) + 'x';
    expect(globMatch(pat, big)).toBe(false);
    expect(globMatch('[a-z]'.repeat(10_000), big)).toBe(true);
    expect(globMatch('*'.repeat(100_000) + 'b', big)).toBe(false);
  });
});
