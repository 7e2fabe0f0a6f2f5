import { readFileSync } from 'node:fs';
import { splitArgs } from '@aki/resp-codec';
import { describeError } from '../persistence/context.js';

/**
 * The redis.conf text format, both ways: reading lines into directives
 * (config files at start-up, and CONFIG REWRITE reading the file it is about
 * to rewrite) and printing a directive so that reading it back yields the
 * same bytes (CONFIG REWRITE).
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

/** Reads a file named by a latin1 path and returns its text as latin1. */
export type ReadText = (path: string) => string;

export const readLatin1: ReadText = (path) => readFileSync(Buffer.from(path, 'latin1'), 'latin1');

/** One line of config text. */
export type ConfigLine =
  /** Empty, blank or a comment. */
  | { kind: 'blank' }
  /** A quote that is not closed (or a closing quote followed by more text). */
  | { kind: 'unbalanced' }
  | { kind: 'directive'; name: string; args: string[] };

const EDGE_BLANKS = /^[ \t\r\n]+|[ \t\r\n]+$/g;

/** Classifies one line (without its '\n'). */
export function parseConfigLine(raw: string): ConfigLine {
  const line = raw.replace(EDGE_BLANKS, '');
  if (line === '' || line.startsWith('#')) return { kind: 'blank' };
  const words = splitArgs(line);
  if (words === null) return { kind: 'unbalanced' };
  const [name, ...args] = words;
  return name === undefined ? { kind: 'blank' } : { kind: 'directive', name, args };
}

export interface ParseOptions {
  /**
   * Skip what cannot be read (a line with unbalanced quotes, an include that
   * cannot be opened or is nested too deep, an include with a wrong argument
   * count) instead of throwing. CONFIG REWRITE reads the file this way: the
   * file on disk may have been edited since start-up.
   */
  skipBadLines?: boolean;
}

/**
 * Splits config text into directives, expanding `include` lines through
 * `readText`. Throws ConfigFileError for unbalanced quotes, a bad include,
 * or includes nested too deep (unless `skipBadLines`).
 */
export function parseConfigText(
  text: string,
  source: string,
  readText: ReadText = readLatin1,
  options: ParseOptions = {},
): Directive[] {
  const directives: Directive[] = [];
  collect(text, source, readText, options.skipBadLines ?? false, 0, directives);
  return directives;
}

function collect(text: string, source: string, readText: ReadText, skipBad: boolean, depth: number, out: Directive[]): void {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const parsed = parseConfigLine(lines[i]!);
    if (parsed.kind === 'blank') continue;
    const origin: DirectiveOrigin = { source, line: i + 1, text: lines[i]!.replace(EDGE_BLANKS, '') };
    try {
      if (parsed.kind === 'unbalanced') throw new ConfigFileError(origin, 'Unbalanced quotes in configuration line');
      const { name, args } = parsed;
      if (name.toLowerCase() !== 'include') {
        out.push({ name, args, origin });
        continue;
      }
      if (args.length !== 1) throw new ConfigFileError(origin, 'wrong number of arguments');
      if (depth >= MAX_INCLUDE_DEPTH) {
        throw new ConfigFileError(origin, `includes nested more than ${MAX_INCLUDE_DEPTH} deep`);
      }
      const path = args[0]!;
      let included: string;
      try {
        included = readText(path);
      } catch (err) {
        throw new ConfigFileError(origin, `can't open config file '${path}': ${describeError(err)}`);
      }
      collect(included, path, readText, skipBad, depth + 1, out);
    } catch (err) {
      if (!(skipBad && err instanceof ConfigFileError)) throw err;
    }
  }
}

/**
 * One argument as config text that splitArgs reads back as exactly `arg`:
 * as is when it is plain printable ASCII without quotes, otherwise in double
 * quotes with \\ \" \n \r \t \a \b escaped and every other byte outside
 * printable ASCII written as \xHH.
 */
export function formatConfigArg(arg: string): string {
  if (/^[\x21-\x7e]+$/.test(arg) && !/["']/.test(arg)) return arg;
  let out = '"';
  for (let i = 0; i < arg.length; i++) {
    const c = arg.charCodeAt(i);
    switch (c) {
      case 0x5c:
        out += '\\\\';
        break;
      case 0x22:
        out += '\\"';
        break;
      case 0x0a:
        out += '\\n';
        break;
      case 0x0d:
        out += '\\r';
        break;
      case 0x09:
        out += '\\t';
        break;
      case 0x07:
        out += '\\a';
        break;
      case 0x08:
        out += '\\b';
        break;
      default:
        out += c >= 0x20 && c <= 0x7e ? arg[i] : `\\x${c.toString(16).padStart(2, '0')}`;
    }
  }
  return `${out}"`;
}

/** A directive as one config line (no line ending): the name, then each argument quoted as needed. */
export function formatDirectiveLine(name: string, args: readonly string[]): string {
  return [name, ...args.map(formatConfigArg)].join(' ');
}
