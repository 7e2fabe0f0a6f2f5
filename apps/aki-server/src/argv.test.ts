import { describe, expect, it } from 'vitest';
import { parseCommandLine, usage, UsageError } from './argv.js';

const run = (argv: string[]) => {
  const result = parseCommandLine(argv);
  if (result.kind !== 'run') throw new Error(`expected a run, got ${result.kind}`);
  return result;
};

describe('parseCommandLine', () => {
  it('runs with defaults when given nothing', () => {
    expect(run([])).toEqual({ kind: 'run', configFile: null, configFromStdin: false, options: [] });
  });

  it('recognizes version and help as the first argument', () => {
    expect(parseCommandLine(['-v'])).toEqual({ kind: 'version' });
    expect(parseCommandLine(['--version'])).toEqual({ kind: 'version' });
    expect(parseCommandLine(['-h'])).toEqual({ kind: 'help' });
    expect(parseCommandLine(['--help'])).toEqual({ kind: 'help' });
  });

  it('takes a first argument without a dash as the config file', () => {
    expect(run(['/etc/aki.conf', '--port', '6380'])).toEqual({
      kind: 'run',
      configFile: '/etc/aki.conf',
      configFromStdin: false,
      options: [{ name: 'port', args: ['6380'] }],
    });
  });

  it('reads stdin for a lone dash first or last', () => {
    expect(run(['-']).configFromStdin).toBe(true);
    expect(run(['-', '--port', '1']).options).toEqual([{ name: 'port', args: ['1'] }]);
    const last = run(['/x.conf', '--loglevel', 'verbose', '-']);
    expect(last.configFromStdin).toBe(true);
    expect(last.configFile).toBe('/x.conf');
    expect(last.options).toEqual([{ name: 'loglevel', args: ['verbose'] }]);
  });

  it('collects several values up to the next option', () => {
    expect(run(['--replicaof', '127.0.0.1', '6379', '--appendonly', 'yes', '--dir', '/data']).options).toEqual([
      { name: 'replicaof', args: ['127.0.0.1', '6379'] },
      { name: 'appendonly', args: ['yes'] },
      { name: 'dir', args: ['/data'] },
    ]);
  });

  it('always takes the token after a name as its value', () => {
    expect(run(['--requirepass', '--secret', '--port', '1']).options).toEqual([
      { name: 'requirepass', args: ['--secret'] },
      { name: 'port', args: ['1'] },
    ]);
    expect(run(['--maxmemory-clients', '-10']).options).toEqual([{ name: 'maxmemory-clients', args: ['-10'] }]);
  });

  it('treats --save "" and a bare --save as an empty save', () => {
    expect(run(['--save', '']).options).toEqual([{ name: 'save', args: [''] }]);
    expect(run(['--port', '1', '--save']).options).toEqual([
      { name: 'port', args: ['1'] },
      { name: 'save', args: [''] },
    ]);
    expect(run(['--save', '--port', '1']).options).toEqual([
      { name: 'save', args: [''] },
      { name: 'port', args: ['1'] },
    ]);
    expect(run(['--SAVE']).options).toEqual([{ name: 'SAVE', args: [''] }]);
  });

  it('leaves other options without a value empty (the config rejects them)', () => {
    expect(run(['--port']).options).toEqual([{ name: 'port', args: [] }]);
  });

  it('splits a name and values given as one token', () => {
    expect(run(['--port 6380', '--bind', '127.0.0.1']).options).toEqual([
      { name: 'port', args: ['6380'] },
      { name: 'bind', args: ['127.0.0.1'] },
    ]);
  });

  it('rejects stray arguments', () => {
    expect(() => parseCommandLine(['--', 'x'])).toThrow(UsageError);
    expect(() => parseCommandLine(['-x'])).toThrow(UsageError);
    expect(() => parseCommandLine(['/x.conf', 'extra'])).toThrow(UsageError);
  });

  it('has a usage text', () => {
    expect(usage()).toMatch(/Usage: \.\/aki-server \[\/path\/to\/aki\.conf\]/);
  });
});
