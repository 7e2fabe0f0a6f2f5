/**
 * The redis-server command line:
 *
 *   aki-server [/path/to/aki.conf | -] [--name value [value ...]] ...
 *
 * - A first argument that does not start with '-' is the config file; a lone
 *   '-' as the first or the last argument reads the config from stdin.
 * - Every `--name v1 v2` becomes the config line `name v1 v2`, applied after
 *   the file (and stdin), so the command line wins. The token right after a
 *   name is always a value, even when it starts with `--` (`--requirepass
 *   --x`); later tokens up to the next `--xxx` are more values.
 * - `--save` followed by another option, or last, means `save ""`.
 * - `"--port 6380"` as one token is a name and its values.
 * - `-v`/`--version` and `-h`/`--help` as the first argument.
 */

export interface CommandLineOption {
  /** The name without its leading `--`. */
  name: string;
  args: string[];
}

export type CommandLine =
  | { kind: 'version' }
  | { kind: 'help' }
  | {
      kind: 'run';
      /** Path of the config file, or null. */
      configFile: string | null;
      /** Read config lines from standard input (after the file). */
      configFromStdin: boolean;
      options: CommandLineOption[];
    };

/** The command line makes no sense; the message is for the user. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export function parseCommandLine(argv: readonly string[]): CommandLine {
  const first = argv[0];
  if (first === '-v' || first === '--version') return { kind: 'version' };
  if (first === '-h' || first === '--help') return { kind: 'help' };

  let configFile: string | null = null;
  let configFromStdin = false;
  let i = 0;
  if (first !== undefined && !first.startsWith('-')) {
    configFile = first;
    i = 1;
  }

  const options: CommandLineOption[] = [];
  let current: CommandLineOption | null = null;
  /** The current option still needs its first value: take the next token whatever it is. */
  let wantsValue = false;
  for (; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === '-' && (i === 0 || i === argv.length - 1)) {
      configFromStdin = true;
      continue;
    }
    if (wantsValue && !(isOptionName(token) && current?.name.toLowerCase() === 'save')) {
      current!.args.push(token);
      wantsValue = false;
      continue;
    }
    if (isOptionName(token)) {
      if (wantsValue) current!.args.push(''); // `--save --next`: save ""
      const [name, ...inlineArgs] = token.slice(2).split(/[ \t]+/).filter((word) => word !== '');
      if (name === undefined) throw new UsageError(`invalid option '${token}'`);
      current = { name, args: inlineArgs };
      options.push(current);
      wantsValue = inlineArgs.length === 0;
      continue;
    }
    if (current === null) throw new UsageError(`unexpected argument '${token}'`);
    current.args.push(token);
  }
  // A trailing bare `--save` means `save ""`.
  if (wantsValue && current?.name.toLowerCase() === 'save') current.args.push('');
  return { kind: 'run', configFile, configFromStdin, options };
}

function isOptionName(token: string): boolean {
  return token.startsWith('--');
}

export function usage(program = 'aki-server'): string {
  return [
    `Usage: ./${program} [/path/to/aki.conf] [options] [-]`,
    `       ./${program} - (read config from stdin)`,
    `       ./${program} -v or --version`,
    `       ./${program} -h or --help`,
    '',
    'Examples:',
    `       ./${program} (run the server with default conf)`,
    `       echo 'maxmemory 128mb' | ./${program} -`,
    `       ./${program} /etc/aki/6379.conf`,
    `       ./${program} --port 7777`,
    `       ./${program} --port 7777 --replicaof 127.0.0.1 8888`,
    `       ./${program} /etc/myaki.conf --loglevel verbose -`,
    `       ./${program} /etc/myaki.conf --loglevel verbose`,
    '',
    'Any redis.conf directive can be given as --name value [value ...].',
    'aki only: --log-format redis|json (default redis).',
    '',
  ].join('\n');
}
