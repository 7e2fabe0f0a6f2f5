import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  baseFileName,
  formatManifest,
  incrFileName,
  manifestFileName,
  ManifestError,
  nextBaseSeq,
  nextIncrSeq,
  parseManifest,
  tempManifestFileName,
  type Manifest,
  type ManifestErrorReason,
} from './manifest.js';

const BASE = 'file appendonly.aof.1.base.rdb seq 1 type b\n';

function rejects(text: string, reason: ManifestErrorReason, line?: number): ManifestError {
  let caught: unknown;
  try {
    parseManifest(text);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ManifestError);
  const error = caught as ManifestError;
  expect(error.reason).toBe(reason);
  expect(error.line).toBe(line);
  return error;
}

describe('parseManifest', () => {
  it('reads what Redis 7.0 writes', () => {
    const m = parseManifest(BASE + 'file appendonly.aof.1.incr.aof seq 1 type i\n');
    expect(m).toEqual({
      base: { name: 'appendonly.aof.1.base.rdb', seq: 1, kind: 'rdb' },
      incr: [{ name: 'appendonly.aof.1.incr.aof', seq: 1 }],
      history: [],
    });
  });

  it('accepts keys in any order and case, extra keys, comments, blanks around the line and CRLF', () => {
    const m = parseManifest(
      '# a comment\n  seq 3 TYPE b File x.3.base.aof  \r\n' + 'type i file x.4.incr.aof future 1 seq 4\n' + 'file old seq 2 type h\n',
    );
    expect(m.base).toEqual({ name: 'x.3.base.aof', seq: 3, kind: 'aof' });
    expect(m.incr).toEqual([{ name: 'x.4.incr.aof', seq: 4 }]);
    expect(m.history).toEqual([{ name: 'old', seq: 2 }]);
  });

  it('reads seq like atoll and type by its first character, as Redis does', () => {
    const m = parseManifest('file b seq -5 type bogus\nfile i seq 1abc type i\n');
    expect(m.base).toEqual({ name: 'b', seq: -5, kind: 'aof' });
    expect(m.incr).toEqual([{ name: 'i', seq: 1 }]);
  });

  it('lets a later key of a line override an earlier one', () => {
    const m = parseManifest(BASE + 'file a seq 1 type i file b\n');
    expect(m.incr).toEqual([{ name: 'b', seq: 1 }]);
  });

  it('allows a base-only and an incr-only manifest, and sequence gaps', () => {
    expect(parseManifest(BASE).incr).toEqual([]);
    const m = parseManifest('file a seq 1 type i\nfile b seq 5 type i\n');
    expect(m.base).toBeUndefined();
    expect(m.incr.map((f) => f.seq)).toEqual([1, 5]);
  });

  it('parses a comment-only manifest as empty (Redis then starts fresh)', () => {
    expect(parseManifest('# nothing here\n')).toEqual({ incr: [], history: [] });
  });

  it('reads quoted names with escapes', () => {
    const m = parseManifest('file "a b\\t\\x01\\xe9\\"q" seq 1 type i\n');
    expect(m.incr[0]!.name).toBe('a b\t\x01\xe9"q');
  });

  // One case per failure of Redis's tests/integration/aof-multi-part.tcl, with
  // the log text redis-server 7.0.15 prints for it.
  it('rejects an empty manifest', () => {
    const e = rejects('', 'empty');
    expect(e.redisText).toBe('Found an empty AOF manifest');
    expect(e.logLines()).toEqual(['*** FATAL AOF MANIFEST FILE ERROR ***', 'Found an empty AOF manifest']);
  });

  it('rejects a blank line', () => {
    const e = rejects(BASE + '\nfile appendonly.aof.1.incr.aof seq 1 type i\n', 'invalid-format', 2);
    expect(e.redisText).toBe('Invalid AOF manifest file format');
    expect(e.detail).toBe('blank line');
    expect(e.logLines()).toEqual([
      '*** FATAL AOF MANIFEST FILE ERROR ***',
      'Reading the manifest file, at line 2',
      ">>> ''",
      'Invalid AOF manifest file format',
    ]);
    rejects(BASE + '   \r\n', 'invalid-format', 2);
  });

  it('rejects a non-increasing incr sequence', () => {
    const e = rejects(BASE + 'file a seq 3 type i\nfile b seq 2 type i\n', 'non-monotonic', 3);
    expect(e.redisText).toBe('Found a non-monotonic sequence number');
    expect(e.text).toBe('file b seq 2 type i');
    rejects(BASE + 'file a seq 3 type i\nfile b seq 3 type i\n', 'non-monotonic', 3);
    rejects('file a seq -1 type i\n', 'non-monotonic', 1);
  });

  it('rejects a duplicate base', () => {
    const e = rejects(BASE + BASE, 'duplicate-base', 2);
    expect(e.redisText).toBe('Found duplicate base file information');
  });

  it('rejects an unknown type', () => {
    const e = rejects(BASE + 'file a seq 1 type x\n', 'unknown-type', 2);
    expect(e.redisText).toBe('Unknown AOF file type');
    rejects(BASE + 'file a seq 1 type I\n', 'unknown-type', 2);
  });

  it('rejects a line with a required key missing', () => {
    expect(rejects(BASE + 'filex a seq 1 type i\n', 'invalid-format', 2).detail).toBe("missing key 'file'");
    expect(rejects(BASE + 'file a seqx 1 type i\n', 'invalid-format', 2).detail).toMatch(/seq/);
    expect(rejects(BASE + 'file a seq 1 typex i\n', 'invalid-format', 2).detail).toBe("missing key 'type'");
    expect(rejects(BASE + 'file a seq 1 type ""\n', 'invalid-format', 2).detail).toBe("missing key 'type'");
  });

  it('rejects an invalid seq (0, not a number, beyond 2^53)', () => {
    rejects(BASE + 'file a seq 0 type i\n', 'invalid-format', 2);
    rejects(BASE + 'file a seq abc type i\n', 'invalid-format', 2);
    expect(rejects(BASE + 'file a seq 99999999999999999999 type i\n', 'invalid-format', 2).detail).toMatch(/range/);
  });

  it('rejects too few fields and an odd number of parameters', () => {
    expect(rejects(BASE + 'file a seq 1\n', 'invalid-format', 2).detail).toMatch(/too few/);
    expect(rejects(BASE + 'file a seq 1 type\n', 'invalid-format', 2).detail).toMatch(/too few/);
    expect(rejects(BASE + 'file a seq 1 type i x\n', 'invalid-format', 2).detail).toMatch(/odd/);
  });

  it('rejects unbalanced quotes', () => {
    rejects(BASE + 'file "a seq 1 type i\n', 'invalid-format', 2);
  });

  it('rejects a line too long for Redis (1024 characters with the newline is the limit)', () => {
    const fits = 'file a seq 1 type i x ' + 'y'.repeat(padFor(1024)) + '\n';
    expect(fits.length).toBe(1024);
    expect(parseManifest(BASE + fits).incr).toEqual([{ name: 'a', seq: 1 }]);
    const tooLong = 'file a seq 1 type i x ' + 'y'.repeat(padFor(1025)) + '\n';
    const e = rejects(BASE + tooLong, 'line-too-long');
    expect(e.redisText).toBe('The AOF manifest file contains too long line');
  });

  it('rejects a last line without its newline (Redis sees it as too long)', () => {
    rejects(BASE + 'file a seq 1 type i', 'line-too-long');
  });

  it('rejects a file name that is a path', () => {
    const e = rejects(BASE + 'file ../x/a seq 1 type i\n', 'path', 2);
    expect(e.redisText).toBe("File can't be a path, just a filename");
    rejects(BASE + 'file "a\\\\b" seq 1 type i\n', 'path', 2);
  });
});

/** Length of filler so that 'file a seq 1 type i x ' + filler + '\n' has `total` characters. */
function padFor(total: number): number {
  return total - 'file a seq 1 type i x '.length - 1;
}

describe('formatManifest', () => {
  it('writes the base, then history, then incr, as Redis does', () => {
    const m: Manifest = {
      base: { name: 'appendonly.aof.2.base.rdb', seq: 2, kind: 'rdb' },
      history: [{ name: 'appendonly.aof.1.base.rdb', seq: 1 }],
      incr: [
        { name: 'appendonly.aof.2.incr.aof', seq: 2 },
        { name: 'appendonly.aof.3.incr.aof', seq: 3 },
      ],
    };
    expect(formatManifest(m)).toBe(
      'file appendonly.aof.2.base.rdb seq 2 type b\n' +
        'file appendonly.aof.1.base.rdb seq 1 type h\n' +
        'file appendonly.aof.2.incr.aof seq 2 type i\n' +
        'file appendonly.aof.3.incr.aof seq 3 type i\n',
    );
  });

  it('quotes names the way redis-server 7.0.15 wrote them', () => {
    // Observed: appendfilename "a b.aof", 'q"x.aof', "v\vf\f.aof", "t\tab\x01\x7f\xe9.aof".
    const line = (name: string) => formatManifest({ incr: [{ name, seq: 1 }], history: [] });
    expect(line('a b.aof.1.incr.aof')).toBe('file "a b.aof.1.incr.aof" seq 1 type i\n');
    expect(line('q"x.aof.1.incr.aof')).toBe('file "q\\"x.aof.1.incr.aof" seq 1 type i\n');
    expect(line('v\vf\f.aof.1.incr.aof')).toBe('file "v\\x0bf\\x0c.aof.1.incr.aof" seq 1 type i\n');
    expect(line('t\tab\x01\x7f\xe9.aof.1.incr.aof')).toBe('file "t\\tab\\x01\\x7f\\xe9.aof.1.incr.aof" seq 1 type i\n');
    expect(line('n\nr\ra\x07b\b')).toBe('file "n\\nr\\ra\\ab\\b" seq 1 type i\n');
  });

  it('refuses names Redis could not read back', () => {
    expect(() => formatManifest({ incr: [{ name: '', seq: 1 }], history: [] })).toThrow(RangeError);
    expect(() => formatManifest({ incr: [{ name: 'a/b', seq: 1 }], history: [] })).toThrow(RangeError);
  });

  it('round-trips any manifest with any file names', () => {
    const name = fc
      .string({ unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 30 })
      .filter((s) => !s.includes('/') && !s.includes('\\'));
    const seqs = fc.uniqueArray(fc.integer({ min: 1, max: 1_000_000 }), { maxLength: 6 }).map((a) => a.sort((x, y) => x - y));
    fc.assert(
      fc.property(
        fc.option(fc.record({ name, seq: fc.integer({ min: 1, max: 1e9 }), rdb: fc.boolean() }), { nil: undefined }),
        seqs,
        fc.array(name, { maxLength: 6 }),
        fc.array(fc.record({ name, seq: fc.integer({ min: 1, max: 1e9 }) }), { maxLength: 3 }),
        (base, incrSeqs, incrNames, history) => {
          const m: Manifest = {
            incr: incrSeqs.map((seq, i) => ({ name: incrNames[i] ?? `n${i}`, seq })),
            history,
          };
          if (base !== undefined) {
            const baseName = base.rdb ? `${base.name}.rdb` : base.name;
            m.base = { name: baseName, seq: base.seq, kind: baseName.endsWith('.rdb') ? 'rdb' : 'aof' };
          }
          const text = formatManifest(m);
          if (text === '') return; // nothing listed: Redis would not write a manifest
          expect(parseManifest(text)).toEqual(m);
          expect(parseManifest(Buffer.from(text, 'latin1'))).toEqual(m);
        },
      ),
    );
  });
});

describe('file names', () => {
  it('follows Redis 7.0 naming', () => {
    expect(manifestFileName('appendonly.aof')).toBe('appendonly.aof.manifest');
    expect(tempManifestFileName('appendonly.aof')).toBe('temp-appendonly.aof.manifest');
    expect(baseFileName('appendonly.aof', 3, 'rdb')).toBe('appendonly.aof.3.base.rdb');
    expect(baseFileName('appendonly.aof', 3, 'aof')).toBe('appendonly.aof.3.base.aof');
    expect(incrFileName('appendonly.aof', 7)).toBe('appendonly.aof.7.incr.aof');
  });

  it('computes the next sequence numbers', () => {
    expect(nextBaseSeq({ incr: [], history: [] })).toBe(1);
    expect(nextIncrSeq({ incr: [], history: [] })).toBe(1);
    const m = parseManifest('file a seq 4 type b\nfile b seq 2 type i\nfile c seq 9 type i\n');
    expect(nextBaseSeq(m)).toBe(5);
    expect(nextIncrSeq(m)).toBe(10);
  });
});
