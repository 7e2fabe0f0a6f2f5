import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServerConfig } from '@aki/server';
import { afterAll, describe, expect, it } from 'vitest';
import {
  applyDirectives,
  collectDirectives,
  commandLineDirectives,
  ConfigFileError,
  ConfigReadError,
  formatConfigFileError,
  MAX_INCLUDE_DEPTH,
  parseConfigText,
  type ReadText,
} from './config-file.js';

const tmp = mkdtempSync(join(tmpdir(), 'aki-conf-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A ReadText over an in-memory set of files. */
const files =
  (contents: Record<string, string>): ReadText =>
  (path) => {
    const text = contents[path];
    if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
    return text;
  };

function fileError(fn: () => unknown): ConfigFileError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigFileError);
    return err as ConfigFileError;
  }
  throw new Error('expected a ConfigFileError');
}

describe('parseConfigText', () => {
  it('skips comments and blank lines and splits with quoting', () => {
    const text = '# comment\n\n  port 6380  \r\n\t# indented comment\nrequirepass "a b\\x41"\nsave ""\n \nbind 127.0.0.1 -::1\n';
    expect(parseConfigText(text, 'x.conf').map(({ name, args, origin }) => [name, args, origin.line])).toEqual([
      ['port', ['6380'], 3],
      ['requirepass', ['a bA'], 5],
      ['save', [''], 6],
      ['bind', ['127.0.0.1', '-::1'], 8],
    ]);
  });

  it('reports unbalanced quotes with the line', () => {
    const error = fileError(() => parseConfigText('port 1\nport "abc\n', 'x.conf'));
    expect(error.origin).toEqual({ source: 'x.conf', line: 2, text: 'port "abc' });
    expect(error.reason).toBe('Unbalanced quotes in configuration line');
  });

  it('expands includes in place', () => {
    const read = files({ 'b.conf': 'port 2\ninclude c.conf\n', 'c.conf': 'timeout 3\n' });
    const directives = parseConfigText('port 1\ninclude b.conf\nmaxclients 4\n', 'a.conf', read);
    expect(directives.map(({ name, args, origin }) => `${origin.source}:${origin.line} ${name} ${args[0]}`)).toEqual([
      'a.conf:1 port 1',
      'b.conf:1 port 2',
      'c.conf:1 timeout 3',
      'a.conf:3 maxclients 4',
    ]);
  });

  it('reports a missing include and includes nested too deep', () => {
    const missing = fileError(() => parseConfigText('include nope.conf', 'a.conf', files({})));
    expect(missing.reason).toBe("can't open config file 'nope.conf': No such file or directory");
    expect(missing.origin.line).toBe(1);

    const loop = fileError(() => parseConfigText('include self.conf', 'self.conf', files({ 'self.conf': 'include self.conf' })));
    expect(loop.reason).toBe(`includes nested more than ${MAX_INCLUDE_DEPTH} deep`);

    expect(fileError(() => parseConfigText('include a b', 'a.conf')).reason).toBe('wrong number of arguments');
  });
});

describe('commandLineDirectives', () => {
  it('numbers options and shows them as typed', () => {
    const [first, second] = commandLineDirectives([
      { name: 'port', args: ['1'] },
      { name: 'save', args: [''] },
    ]);
    expect(first!.origin).toEqual({ source: 'the command line', line: 1, text: '--port 1' });
    expect(second!.origin.text).toBe('--save ""');
  });

  it('carries non-ASCII values as their UTF-8 bytes (latin1), like the wire', () => {
    const [directive] = commandLineDirectives([{ name: 'requirepass', args: ['pässword'] }]);
    expect(directive!.args[0]).toBe(Buffer.from('pässword', 'utf8').toString('latin1'));
  });
});

describe('collectDirectives', () => {
  it('orders the file, then stdin, then the command line', () => {
    const directives = collectDirectives(
      { configFile: 'a.conf', stdinText: 'port 2\n', options: [{ name: 'port', args: ['3'] }] },
      files({ 'a.conf': 'port 1\n' }),
    );
    expect(directives.map((d) => [d.origin.source, d.args[0]])).toEqual([
      ['a.conf', '1'],
      ['stdin', '2'],
      ['the command line', '3'],
    ]);
  });

  it('fails when the config file cannot be read', () => {
    expect(() => collectDirectives({ configFile: 'missing.conf', stdinText: null, options: [] }, files({}))).toThrow(
      new ConfigReadError("Fatal error, can't open config file 'missing.conf': No such file or directory"),
    );
  });

  it('reads real files', () => {
    const path = join(tmp, 'real.conf');
    writeFileSync(path, 'port 7001\n');
    const [directive] = collectDirectives({ configFile: path, stdinText: null, options: [] });
    expect(directive!.args).toEqual(['7001']);
  });
});

describe('applyDirectives', () => {
  it('applies in order, later lines winning, and returns warnings', () => {
    const config = new ServerConfig();
    const directives = parseConfigText('port 1\ndaemonize yes\nport 2\n', 'a.conf');
    expect(applyDirectives(config, directives)).toEqual(['daemonize is not supported, run aki-server under a supervisor']);
    expect(config.get('port')).toBe(2);
  });

  it('ties a rejected directive to its line', () => {
    const config = new ServerConfig();
    const error = fileError(() => applyDirectives(config, parseConfigText('port 6380\n\nfoo bar\n', '/etc/aki.conf')));
    expect(error.origin).toEqual({ source: '/etc/aki.conf', line: 3, text: 'foo bar' });
    expect(formatConfigFileError(error, '0.1.0')).toBe(
      "\n*** FATAL CONFIG FILE ERROR (aki 0.1.0) ***\nReading the configuration file /etc/aki.conf, at line 3\n>>> 'foo bar'\nBad directive or wrong number of arguments\n",
    );
  });

  it('formats errors from stdin and the command line', () => {
    const config = new ServerConfig();
    const fromStdin = fileError(() => applyDirectives(config, parseConfigText('appendonly maybe', 'stdin')));
    expect(formatConfigFileError(fromStdin, '0.1.0')).toContain(
      "Reading the configuration from stdin, at line 1\n>>> 'appendonly maybe'\nargument must be 'yes' or 'no'\n",
    );
    const fromArgv = fileError(() =>
      applyDirectives(config, commandLineDirectives([{ name: 'port', args: ['1'] }, { name: 'port', args: [] }])),
    );
    expect(formatConfigFileError(fromArgv, '0.1.0')).toContain(
      "Reading the command line, at option 2\n>>> '--port'\nwrong number of arguments\n",
    );
  });

  it('loads the stock Redis redis.conf of this machine, if there is one', () => {
    const stock = '/etc/redis/redis.conf';
    if (!existsSync(stock)) return;
    try {
      readFileSync(stock);
    } catch {
      return; // not readable by this user
    }
    const config = new ServerConfig();
    // The stock file names directories of a packaged Redis; only its syntax matters here.
    const directives = collectDirectives({ configFile: stock, stdinText: null, options: [] }).map((d) =>
      d.name.toLowerCase() === 'dir' ? { ...d, args: [tmp] } : d,
    );
    const warnings = applyDirectives(config, directives);
    // Debian's file says `daemonize yes`; every directive is known, so nothing else is fatal.
    expect(warnings.every((w) => typeof w === 'string')).toBe(true);
    expect(config.get('port')).toBeGreaterThanOrEqual(0);
  });
});
