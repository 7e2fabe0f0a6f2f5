/**
 * Redis-compatible glob matching (the semantics of Redis's `stringmatchlen`),
 * used by KEYS, SCAN MATCH, PSUBSCRIBE, CONFIG GET and friends.
 *
 * Subjects and patterns are latin1 strings: one char per byte (binary safe).
 *
 * Syntax:
 *   `*`        any run of bytes (consecutive stars are one group)
 *   `?`        exactly one byte
 *   `[...]`    one byte from a class; `[^...]` negates it; `x-y` is a range
 *              (reversed ranges such as `z-a` are swapped); `\x` inside a class
 *              is the literal byte x
 *   `\x`       the literal byte x (a trailing lone backslash is a literal `\`)
 *   otherwise  the literal byte
 *
 * Redis quirks reproduced on purpose (clients and test suites observe them):
 *   - An empty subject matches only the empty pattern (even `*` does not match
 *     ""). KEYS and SCAN special-case the exact pattern `*` themselves, before
 *     calling the matcher; callers that want that must do the same.
 *   - Class parsing: `]` right after `[` or `[^` closes the class, so `[]`
 *     matches nothing and `[^]` matches any byte. An unclosed class runs to the
 *     end of the pattern (`[` alone matches nothing, `[^` matches any byte).
 *     `x-y` is a range whenever at least three pattern bytes remain, so in
 *     `[a-]` the range is `a` .. `]` and the class stays unclosed.
 *   - Range bounds are compared as C `char` on x86-64, i.e. signed: bytes
 *     0x80..0xff sort below 0x00. `[a-\xff]` is the range -1 .. 0x61.
 *   - nocase lowers only ASCII A-Z (the C locale), for literals and ranges
 *     (bounds are lowered after the swap). An escaped byte inside a class is
 *     always compared case-sensitively.
 *   - Nesting limit: a pattern whose matching would need more than 1000
 *     star groups followed by more pattern (i.e. more than 1000 non-final `*`
 *     groups) never matches, as in Redis's recursion limit.
 *
 * Complexity: a pattern is compiled to segments separated by star groups; each
 * segment is placed at its leftmost fit (the same decision Redis's "skip longer
 * matches" early exit makes), so matching is O(|subject| * |pattern|) in the
 * worst case and never exponential.
 */

/** Maximum number of non-final star groups; more means "no match" (Redis: nesting > 1000). */
export const GLOB_MAX_NESTING = 1000;

const ANY = -1; // token code for `?`; literal bytes are >= 0, class k is -2 - k

/** One run of single-byte tokens between two star groups. */
interface Segment {
  /** Token codes: >= 0 literal char code, -1 any byte, <= -2 class index (-2 - k). */
  readonly codes: Int32Array;
  /** The segment as a plain string when every token is a literal, else null. */
  readonly literal: string | null;
}

interface CompiledGlob {
  /** Segment before the first star group (possibly empty). */
  readonly head: Segment;
  /** Segments after each star group, in order. */
  readonly rest: Segment[];
  /** Whether the pattern ends with a star group. */
  readonly trailingStar: boolean;
  /** 8 x 32-bit words per class: membership bitsets for bytes 0..255. */
  readonly classBits: Uint32Array;
  /** The pattern was empty. */
  readonly empty: boolean;
}

const lowerAscii = (c: number): number => (c >= 65 && c <= 90 ? c + 32 : c);
const isAsciiLetter = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
/** A byte as the signed C `char` of x86-64. */
const signedByte = (c: number): number => (c >= 128 && c <= 255 ? c - 256 : c);

function setBit(bits: number[], c: number): void {
  if (c >= 0 && c <= 255) bits[c >>> 5] |= 1 << (c & 31);
}

/**
 * Parses a class starting just after `[` at index i. Returns the index just
 * past the class (past its `]`, or pattern.length if unclosed) and fills bits.
 */
function parseClass(p: string, i: number, nocase: boolean, bits: number[]): number {
  const n = p.length;
  let negate = false;
  if (i < n && p.charCodeAt(i) === 94 /* ^ */) {
    negate = true;
    i++;
  }
  for (;;) {
    if (i >= n) break; // unclosed: the class swallows the rest of the pattern
    const c = p.charCodeAt(i);
    if (c === 92 /* \ */ && i + 1 < n) {
      setBit(bits, p.charCodeAt(i + 1)); // escaped: exact byte, even with nocase
      i += 2;
      continue;
    }
    if (c === 93 /* ] */) {
      i++;
      break;
    }
    if (i + 2 < n && p.charCodeAt(i + 1) === 45 /* - */) {
      let lo = signedByte(c);
      let hi = signedByte(p.charCodeAt(i + 2));
      if (lo > hi) [lo, hi] = [hi, lo];
      if (nocase) {
        lo = lowerAscii(lo);
        hi = lowerAscii(hi);
        for (let b = 0; b < 256; b++) {
          const v = lowerAscii(signedByte(b));
          if (v >= lo && v <= hi) setBit(bits, b);
        }
      } else {
        for (let v = Math.max(lo, -128); v <= Math.min(hi, 127); v++) setBit(bits, v & 255);
      }
      i += 3;
      continue;
    }
    setBit(bits, c);
    if (nocase && isAsciiLetter(c)) setBit(bits, c ^ 32);
    i++;
  }
  if (negate) for (let w = 0; w < 8; w++) bits[w] = ~bits[w];
  return i;
}

function makeSegment(codes: number[]): Segment {
  let literal: string | null = '';
  for (const c of codes) {
    if (c < 0) {
      literal = null;
      break;
    }
    literal += String.fromCharCode(c);
  }
  return { codes: Int32Array.from(codes), literal };
}

function compile(pattern: string, nocase: boolean): CompiledGlob {
  const n = pattern.length;
  const classWords: number[] = [];
  const segments: Segment[] = [];
  let codes: number[] = [];
  let trailingStar = false;
  let i = 0;
  while (i < n) {
    const c = pattern.charCodeAt(i);
    if (c === 42 /* * */) {
      while (i < n && pattern.charCodeAt(i) === 42) i++;
      segments.push(makeSegment(codes));
      codes = [];
      if (i === n) trailingStar = true;
      continue;
    }
    trailingStar = false;
    if (c === 63 /* ? */) {
      codes.push(ANY);
      i++;
    } else if (c === 91 /* [ */) {
      const bits = [0, 0, 0, 0, 0, 0, 0, 0];
      i = parseClass(pattern, i + 1, nocase, bits);
      codes.push(-2 - classWords.length / 8);
      classWords.push(...bits);
    } else {
      let lit = c;
      if (c === 92 /* \ */ && i + 1 < n) {
        lit = pattern.charCodeAt(i + 1);
        i += 2;
      } else {
        i++;
      }
      if (nocase && isAsciiLetter(lit)) {
        const bits = [0, 0, 0, 0, 0, 0, 0, 0];
        setBit(bits, lit);
        setBit(bits, lit ^ 32);
        codes.push(-2 - classWords.length / 8);
        classWords.push(...bits);
      } else {
        codes.push(lit);
      }
    }
  }
  if (!trailingStar) segments.push(makeSegment(codes));
  const head = segments.shift() as Segment;
  return {
    head,
    rest: segments,
    trailingStar,
    classBits: Uint32Array.from(classWords),
    empty: n === 0,
  };
}

/** Whether the segment's tokens match subject at position pos (caller checks bounds). */
function segmentAt(g: CompiledGlob, seg: Segment, s: string, pos: number): boolean {
  const codes = seg.codes;
  const bits = g.classBits;
  for (let k = 0; k < codes.length; k++) {
    const t = codes[k];
    const c = s.charCodeAt(pos + k);
    if (t >= 0) {
      if (c !== t) return false;
    } else if (t !== ANY) {
      if (c > 255) return false;
      if (((bits[(-2 - t) * 8 + (c >>> 5)] >>> (c & 31)) & 1) === 0) return false;
    }
  }
  return true;
}

/** Leftmost position >= from where seg fits entirely inside s, or -1. */
function findSegment(g: CompiledGlob, seg: Segment, s: string, from: number): number {
  if (seg.literal !== null) return s.indexOf(seg.literal, from);
  const last = s.length - seg.codes.length;
  for (let p = from; p <= last; p++) if (segmentAt(g, seg, s, p)) return p;
  return -1;
}

function run(g: CompiledGlob, s: string): boolean {
  const n = s.length;
  if (n === 0) return g.empty;
  const head = g.head;
  const rest = g.rest;
  const hl = head.codes.length;
  if (rest.length === 0 && !g.trailingStar) {
    // no star at all: exact length match
    return n === hl && segmentAt(g, head, s, 0);
  }
  if (hl > n || !segmentAt(g, head, s, 0)) return false;
  let pos = hl;
  if (pos === n) {
    // subject used up: only a lone final star group may remain
    return rest.length === 0;
  }
  // Here a star group is reached with bytes left. Middle segments commit to
  // their leftmost fit; the last segment (if no final star) must end the subject.
  const middle = g.trailingStar ? rest.length : rest.length - 1;
  for (let j = 0; j < middle; j++) {
    const seg = rest[j];
    const at = findSegment(g, seg, s, pos);
    if (at < 0) return false;
    pos = at + seg.codes.length;
    if (pos === n) return j === middle - 1 && g.trailingStar;
  }
  if (g.trailingStar) return true;
  const tail = rest[rest.length - 1];
  const at = n - tail.codes.length;
  return at >= pos && segmentAt(g, tail, s, at);
}

function hasSpecials(p: string): boolean {
  for (let i = 0; i < p.length; i++) {
    const c = p.charCodeAt(i);
    if (c === 42 || c === 63 || c === 91 || c === 92) return true;
  }
  return false;
}

/**
 * Compiles a glob pattern into a matcher for repeated use (KEYS over many
 * keys, SCAN MATCH, PSUBSCRIBE). Exactly equivalent to
 * `(s) => globMatch(pattern, s, nocase)`, with fast paths for common shapes.
 */
export function compileGlob(pattern: string, nocase = false): (subject: string) => boolean {
  const g = compile(pattern, nocase);
  // Every star group except a final one is followed by exactly one segment in
  // `rest`, and any successful match must pass all of them with bytes left.
  if (g.rest.length > GLOB_MAX_NESTING) return () => false;

  if (!nocase && !hasSpecials(pattern)) return (s) => s === pattern;
  const headLit = g.head.literal;
  if (headLit !== null && g.trailingStar) {
    if (g.rest.length === 0) {
      // "*" or "prefix*" (the empty subject never matches, see above)
      return headLit === '' ? (s) => s.length > 0 : (s) => s.startsWith(headLit);
    }
    const mid = g.rest[0].literal;
    if (headLit === '' && g.rest.length === 1 && mid !== null) return (s) => s.includes(mid); // "*lit*"
  }
  if (headLit === '' && !g.trailingStar && g.rest.length === 1) {
    const tail = g.rest[0].literal;
    if (tail !== null) return (s) => s.endsWith(tail); // "*suffix" (suffix is never empty)
  }
  return (s) => run(g, s);
}

const CACHE_LIMIT = 256;
const CACHE_MAX_PATTERN = 1024;
const cache = new Map<string, (subject: string) => boolean>();

/**
 * Matches subject against a Redis glob pattern (see the module comment).
 * Small patterns' compiled forms are cached, so repeated calls are cheap.
 */
export function globMatch(pattern: string, subject: string, nocase = false): boolean {
  if (pattern.length > CACHE_MAX_PATTERN) return compileGlob(pattern, nocase)(subject);
  const key = (nocase ? 'i' : 's') + pattern;
  let m = cache.get(key);
  if (m === undefined) {
    m = compileGlob(pattern, nocase);
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
    cache.set(key, m);
  }
  return m(subject);
}
