import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigFileError, formatConfigArg, formatDirectiveLine, parseConfigLine, parseConfigText, type ReadText } from './config-text.js';

const files =
  (contents: Record<string, string>): ReadText =>
  (path) => {
    const text = contents[path];
    if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
    return text;
  };

describe('parseConfigLine', () => {
  it('classifies blank, comment, unbalanced and directive lines', () => {
    expect(parseConfigLine('')).toEqual({ kind: 'blank' });
    expect(parseConfigLine('  # note')).toEqual({ kind: 'blank' });
    expect(parseConfigLine('\x0b\x0c')).toEqual({ kind: 'blank' });
    expect(parseConfigLine('requirepass "abc')).toEqual({ kind: 'unbalanced' });
    expect(parseConfigLine('\tSave  "" \r')).toEqual({ kind: 'directive', name: 'Save', args: [''] });
  });
});

describe('parseConfigText with skipBadLines', () => {
  it('skips unbalanced lines, unreadable includes and includes nested too deep', () => {
    const read = files({ 'loop.conf': 'hz 1\ninclude loop.conf\n', 'ok.conf': 'timeout 2\n"bad\n' });
    const text = 'port 1\n"x\ninclude missing.conf\ninclude a b\ninclude ok.conf\ninclude loop.conf\nport 2\n';
    expect(() => parseConfigText(text, 'main', read)).toThrow(ConfigFileError);
    const directives = parseConfigText(text, 'main', read, { skipBadLines: true });
    expect(directives.map((d) => `${d.name} ${d.args.join(' ')}`)).toEqual([
      'port 1',
      'timeout 2',
      ...Array<string>(16).fill('hz 1'),
      'port 2',
    ]);
  });
});

describe('formatConfigArg', () => {
  it('quotes only what needs it', () => {
    expect(formatConfigArg('127.0.0.1')).toBe('127.0.0.1');
    expect(formatConfigArg('a\\b#c')).toBe('a\\b#c');
    expect(formatConfigArg('')).toBe('""');
    expect(formatConfigArg('a b')).toBe('"a b"');
    expect(formatConfigArg("it's")).toBe('"it\'s"');
    expect(formatConfigArg('say "hi"\\')).toBe('"say \\"hi\\"\\\\"');
    expect(formatConfigArg('\n\r\t\x07\x08\x00\x7f\xff')).toBe('"\\n\\r\\t\\a\\b\\x00\\x7f\\xff"');
  });

  it('reads back as the same bytes, whatever the latin1 arguments', () => {
    const latin1 = fc.string({ unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)) });
    fc.assert(
      fc.property(fc.array(latin1, { minLength: 1, maxLength: 5 }), (args) => {
        const line = formatDirectiveLine('requirepass', args);
        expect(line).not.toContain('\n');
        expect(parseConfigLine(line)).toEqual({ kind: 'directive', name: 'requirepass', args });
        expect(parseConfigText(`${line}\n`, 'x').map((d) => d.args)).toEqual([args]);
      }),
      { numRuns: 500 },
    );
  });
});
