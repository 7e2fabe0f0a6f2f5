import { ConfigError, ConfigFileError, describeError, parseConfigText, readLatin1, type Directive, type ReadText, type ServerConfig } from '@aki/server';
import type { CommandLineOption } from './argv.js';

/**
 * The app's side of configuration: collects the directives of the config
 * file, stdin and the command line, applies them to a ServerConfig in order
 * (later lines win), and prints config errors as Redis does. The redis.conf
 * line format itself (quoting, comments, `include`) lives in @aki/server,
 * which also reads it for CONFIG REWRITE; its names are re-exported here.
 */

export {
  ConfigFileError,
  MAX_INCLUDE_DEPTH,
  parseConfigText,
  type Directive,
  type DirectiveOrigin,
  type ReadText,
} from '@aki/server';

/** A config file (or stdin) could not be read at all. */
export class ConfigReadError extends Error {
  override readonly name = 'ConfigReadError';
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
      throw new ConfigReadError(`Fatal error, can't open config file '${sources.configFile}': ${describeError(err)}`);
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

/** A JS (UTF-16) string as the latin1 string of its UTF-8 bytes. */
export function toLatin1(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1');
}

/** A latin1 byte string decoded as UTF-8, for human-facing output. */
export function fromLatin1(text: string): string {
  return Buffer.from(text, 'latin1').toString('utf8');
}
