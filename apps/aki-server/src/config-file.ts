import { readFileSync } from 'node:fs';
import { splitArgs } from '@aki/resp-codec';
import { ConfigError, type ServerConfig } from '@aki/server';
import type { CommandLineOption } from './argv.js';

/**
 * The redis.conf reader: turns config files, stdin and command-line options
 * into directives, then applies them to a ServerConfig in order (later lines
 * win).
 *
 * Format: one directive per line; leading and trailing blanks are ignored;
 * empty lines and lines starting with '#' are skipped; arguments are split
 * with Redis's quoting rules (splitArgs); the directive name is
 * case-insensitive. `include <path>` reads another file in place (the path is
 * used as given, so a relative one is relative to the working directory, as
 * in Redis), nested at most MAX_INCLUDE_DEPTH deep.
 *
 * Text is handled as latin1 (one char per byte), the representation aki uses
 * for every string that reaches the keyspace or the wire, so a password in a
 * config file compares equal to the same bytes sent with AUTH.
 */

export const MAX_INCLUDE_DEPTH = 16;

/** Where a directive came from, for error messages. */
export interface DirectiveOrigin {
  /** A file path, 'stdin', or 'the command line'. */
  source: string;
  /** 1-based line in that source (for the command line: the option's position). */
  line: number;
  /** The line as written (for the command line: `--name v1 v2`). */
  text: string;
}

export interface Directive {
  name: string;
  args: string[];
  origin: DirectiveOrigin;
}

/** A config problem tied to a line; printed as Redis's fatal config error block. */
export class ConfigFileError extends Error {
  override readonly name = 'ConfigFileError';
  constructor(
    readonly origin: DirectiveOrigin,
    readonly reason: string,
  ) {
    super(`${origin.source}:${origin.line}: ${reason}`);
  }
}

/** A config file (or stdin) could not be read at all. */
export class ConfigReadError extends Error {
  override readonly name = 'ConfigReadError';
}

/** Reads a file named by a latin1 path and returns its text as latin1. */
export type ReadText = (path: string) => string;

const readLatin1: ReadText = (path) => readFileSync(Buffer.from(path, 'latin1'), 'latin1');

/**
 * Splits config text into directives, expanding `include` lines through
 * `readText`. Throws ConfigFileError for unbalanced quotes, a bad include,
 * or includes nested too deep.
 */
export function parseConfigText(text: string, source: string, readText: ReadText = readLatin1, depth = 0): Directive[] {
  const directives: Directive[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
    if (line === '' || line.startsWith('#')) continue;
    const origin: DirectiveOrigin = { source, line: i + 1, text: line };
    const words = splitArgs(line);
    if (words === null) throw new ConfigFileError(origin, 'Unbalanced quotes in configuration line');
    const [name, ...args] = words;
    if (name === undefined) continue;
    if (name.toLowerCase() === 'include') {
      if (args.length !== 1) throw new ConfigFileError(origin, 'wrong number of arguments');
      if (depth >= MAX_INCLUDE_DEPTH) {
        throw new ConfigFileError(origin, `includes nested more than ${MAX_INCLUDE_DEPTH} deep`);
      }
      const path = args[0]!;
      let included: string;
      try {
        included = readText(path);
      } catch (err) {
        throw new ConfigFileError(origin, `can't open config file '${path}': ${describeSystemError(err)}`);
      }
      directives.push(...parseConfigText(included, path, readText, depth + 1));
      continue;
    }
    directives.push({ name, args, origin });
  }
  return directives;
}

/** Turns command-line options into directives (values converted to latin1 like file text). */
export function commandLineDirectives(options: readonly CommandLineOption[]): Directive[] {
  return options.map((option, i) => {
    const args = option.args.map(toLatin1);
    return {
      name: toLatin1(option.name),
      args,
      origin: {
        source: 'the command line',
        line: i + 1,
        text: [`--${option.name}`, ...option.args.map((arg) => (arg === '' ? '""' : arg))].join(' '),
      },
    };
  });
}

export interface ConfigSources {
  /** As given on the command line (a JS string). */
  configFile: string | null;
  /** Text read from stdin when the command line asked for it, else null. */
  stdinText: string | null;
  options: readonly CommandLineOption[];
}

/**
 * Collects the directives of the file, then stdin, then the command line.
 * Throws ConfigReadError when the main file cannot be read, ConfigFileError
 * for a bad line.
 */
export function collectDirectives(sources: ConfigSources, readText: ReadText = readLatin1): Directive[] {
  const directives: Directive[] = [];
  if (sources.configFile !== null) {
    let text: string;
    try {
      text = readText(toLatin1(sources.configFile));
    } catch (err) {
      throw new ConfigReadError(`Fatal error, can't open config file '${sources.configFile}': ${describeSystemError(err)}`);
    }
    directives.push(...parseConfigText(text, toLatin1(sources.configFile), readText));
  }
  if (sources.stdinText !== null) directives.push(...parseConfigText(sources.stdinText, 'stdin', readText));
  directives.push(...commandLineDirectives(sources.options));
  return directives;
}

/**
 * Applies directives in order. Returns the warnings (one per directive that
 * was accepted but will not be acted on) for the caller to log; throws
 * ConfigFileError for the first rejected directive.
 */
export function applyDirectives(config: ServerConfig, directives: readonly Directive[]): string[] {
  const warnings: string[] = [];
  for (const directive of directives) {
    try {
      const { warning } = config.applyDirective(directive.name, directive.args);
      if (warning !== undefined) warnings.push(warning);
    } catch (err) {
      if (err instanceof ConfigError) throw new ConfigFileError(directive.origin, err.message);
      throw err;
    }
  }
  return warnings;
}

/**
 * Redis's fatal config error block, e.g.
 *
 *   *** FATAL CONFIG FILE ERROR (aki 0.1.0) ***
 *   Reading the configuration file /etc/aki.conf, at line 3
 *   >>> 'foo bar'
 *   Bad directive or wrong number of arguments
 */
export function formatConfigFileError(error: ConfigFileError, version: string): string {
  const { source, line, text } = error.origin;
  const where =
    source === 'the command line'
      ? `Reading the command line, at option ${line}`
      : source === 'stdin'
        ? `Reading the configuration from stdin, at line ${line}`
        : `Reading the configuration file ${fromLatin1(source)}, at line ${line}`;
  return `\n*** FATAL CONFIG FILE ERROR (aki ${version}) ***\n${where}\n>>> '${fromLatin1(text)}'\n${fromLatin1(error.reason)}\n`;
}

/** The text of a system error as strerror would give it ("No such file or directory"). */
export function describeSystemError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return 'No such file or directory';
    case 'EACCES':
      return 'Permission denied';
    case 'EISDIR':
      return 'Is a directory';
    case 'ENOTDIR':
      return 'Not a directory';
    default:
      return err instanceof Error ? err.message : String(err);
  }
}

/** A JS (UTF-16) string as the latin1 string of its UTF-8 bytes. */
export function toLatin1(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1');
}

/** A latin1 byte string decoded as UTF-8, for human-facing output. */
export function fromLatin1(text: string): string {
  return Buffer.from(text, 'latin1').toString('utf8');
}
