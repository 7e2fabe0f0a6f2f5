import { rewriteConfigFile } from '../config/rewrite-file.js';
import { Err } from '../errors.js';
import { renderInfo } from '../info.js';
import { describeError } from '../persistence/context.js';
import { defineCommand, tokenChoice } from './define.js';
import type { CommandContext, CommandSpec } from './types.js';

/** INFO [section ...] -> the sections as one verbatim/bulk string of CRLF lines. */
function info(ctx: CommandContext, argv: string[]): void {
  const text = renderInfo(ctx.server, argv.slice(1));
  if (ctx.client.protocol === 3) ctx.reply.verbatim('txt', text);
  else ctx.reply.bulk(text);
}

/** CONFIG GET parameter [parameter ...] -> name/value pairs (a map under RESP3). */
function configGet(ctx: CommandContext, argv: string[]): void {
  const pairs = ctx.server.config.getMatching(argv.slice(2));
  ctx.reply.mapHeader(pairs.length);
  for (const [name, value] of pairs) {
    ctx.reply.bulk(name);
    ctx.reply.bulk(value);
  }
}

/** CONFIG SET parameter value [parameter value ...] -> +OK, all pairs applied or none. */
function configSet(ctx: CommandContext, argv: string[]): void {
  if (argv.length % 2 !== 0) return ctx.error(Err.syntax);
  const pairs: Array<[string, string]> = [];
  for (let i = 2; i < argv.length; i += 2) pairs.push([argv[i]!, argv[i + 1]!]);
  const problem = ctx.server.config.setAtRuntime(pairs, ctx.client.transport.isLocal);
  if (problem !== null) return ctx.error(problem);
  ctx.reply.simple('OK');
}

/** CONFIG RESETSTAT -> +OK after zeroing INFO's counters. */
function configResetStat(ctx: CommandContext): void {
  ctx.server.stats.reset();
  ctx.reply.simple('OK');
}

/**
 * CONFIG REWRITE -> +OK once the config file the server started from holds
 * the running configuration: only the lines of options whose value differs
 * from what the file gives are replaced, removed or appended (see
 * rewriteConfigText), and the file is replaced atomically and fsynced.
 * Errors: "ERR The server is running without a config file", or "ERR
 * Rewriting config file: <strerror text>" when it cannot be read or written
 * (the old file is then untouched).
 */
function configRewrite(ctx: CommandContext): void {
  const path = ctx.server.configFile;
  if (path === '') return ctx.error('ERR The server is running without a config file');
  try {
    rewriteConfigFile(path, ctx.server.config);
  } catch (err) {
    // Only system errors are expected here; anything else is a bug for the dispatcher.
    if (typeof (err as NodeJS.ErrnoException | undefined)?.code !== 'string') throw err;
    ctx.server.logger.warn(`CONFIG REWRITE failed: ${describeError(err)}`);
    return ctx.error(`ERR Rewriting config file: ${describeError(err)}`);
  }
  ctx.server.logger.info('CONFIG REWRITE executed with success.');
  ctx.reply.simple('OK');
}

const CONFIG_HELP = [
  'CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'GET <pattern>',
  '    Name/value pairs of every parameter matching the glob <pattern>.',
  'SET <directive> <value>',
  '    Change <directive> to <value> now (several pairs apply together or not at all).',
  'RESETSTAT',
  '    Zero the counters INFO reports.',
  'REWRITE',
  '    Write the running configuration back to the config file.',
  'HELP',
  '    Print this help.',
];

/** Writes a HELP reply: an array of status lines. */
export function replyHelp(ctx: CommandContext, lines: readonly string[]): void {
  ctx.reply.arrayHeader(lines.length);
  for (const line of lines) ctx.reply.simple(line);
}

/** TIME -> [unix seconds, microseconds] as bulk strings. */
function time(ctx: CommandContext): void {
  const micros = Math.floor((performance.timeOrigin + performance.now()) * 1000);
  ctx.reply.arrayHeader(2);
  ctx.reply.bulk(String(Math.floor(micros / 1e6)));
  ctx.reply.bulk(String(micros % 1e6));
}

/**
 * SHUTDOWN [NOSAVE | SAVE] [NOW] [FORCE] [ABORT]: on success the server
 * waits up to shutdown-timeout for lagging followers (not with NOW), saves what it must (RDB when asked or when save points are set, AOF fsync)
 * and exits; the client gets no reply (its connection closes). When the data
 * cannot be saved, the server stays up and the client gets an error, unless
 * FORCE was given.
 */
function shutdown(ctx: CommandContext, argv: string[]): void {
  let save: boolean | undefined;
  let force = false;
  let now = false;
  for (const arg of argv.slice(1)) {
    const option = arg.toUpperCase();
    if (option === 'NOSAVE' && save === undefined) save = false;
    else if (option === 'SAVE' && save === undefined) save = true;
    else if (option === 'FORCE') force = true;
    else if (option === 'NOW') now = true;
    // ABORT cancels a shutdown in progress and takes no other option.
    else if (option === 'ABORT' && argv.length === 2) return ctx.error('ERR No shutdown in progress.');
    else return ctx.error(Err.syntax);
  }
  const finish = ctx.suspend();
  void ctx.server.requestShutdown({ reason: 'User requested shutdown...', save, force, now }).then((problem) => {
    if (problem !== null) finish((done) => done.error(problem));
  });
}

export const serverCommands: CommandSpec[] = [
  defineCommand({
    name: 'info',
    arity: -1,
    flags: ['loading', 'stale'],
    group: 'server',
    summary: 'Returns information and statistics about the server.',
    since: '1.0.0',
    complexity: 'O(1)',
    extraCategories: ['dangerous'],
    arguments: [{ name: 'section', type: 'string', optional: true, multiple: true }],
    handler: info,
  }),
  defineCommand({
    name: 'config',
    arity: -2,
    flags: [],
    group: 'server',
    summary: 'A container for server configuration commands.',
    since: '2.0.0',
    complexity: 'Depends on subcommand.',
    subcommands: [
      {
        name: 'get',
        arity: -3,
        flags: ['admin', 'noscript', 'loading', 'stale'],
        group: 'server',
        summary: 'Returns the effective values of configuration parameters.',
        since: '2.0.0',
        complexity: 'O(N) when N is the number of configuration parameters provided',
        arguments: [{ name: 'parameter', type: 'string', multiple: true }],
        handler: configGet,
      },
      {
        name: 'set',
        arity: -4,
        flags: ['admin', 'noscript', 'loading', 'stale'],
        group: 'server',
        summary: 'Sets configuration parameters in-flight.',
        since: '2.0.0',
        complexity: 'O(N) when N is the number of configuration parameters provided',
        arguments: [
          {
            name: 'data',
            type: 'block',
            multiple: true,
            arguments: [
              { name: 'parameter', type: 'string' },
              { name: 'value', type: 'string' },
            ],
          },
        ],
        handler: configSet,
      },
      {
        name: 'resetstat',
        arity: 2,
        flags: ['admin', 'noscript', 'loading', 'stale'],
        group: 'server',
        summary: 'Resets the server\'s statistics.',
        since: '2.0.0',
        complexity: 'O(1)',
        handler: configResetStat,
      },
      {
        name: 'rewrite',
        arity: 2,
        flags: ['admin', 'noscript', 'loading', 'stale'],
        group: 'server',
        summary: 'Persists the effective configuration to file.',
        since: '2.8.0',
        complexity: 'O(1)',
        handler: configRewrite,
      },
      {
        name: 'help',
        arity: 2,
        flags: ['loading', 'stale'],
        group: 'server',
        summary: 'Returns helpful text about the different subcommands.',
        since: '5.0.0',
        complexity: 'O(1)',
        handler: (ctx) => replyHelp(ctx, CONFIG_HELP),
      },
    ],
  }),
  defineCommand({
    name: 'time',
    arity: 1,
    flags: ['loading', 'stale', 'fast'],
    group: 'server',
    summary: 'Returns the server time.',
    since: '2.6.0',
    complexity: 'O(1)',
    handler: time,
  }),
  defineCommand({
    name: 'shutdown',
    arity: -1,
    flags: ['admin', 'noscript', 'loading', 'stale', 'no_multi', 'allow_busy'],
    group: 'server',
    summary: 'Synchronously saves the database(s) to disk and shuts down the Redis server.',
    since: '1.0.0',
    complexity: 'O(N) when saving, where N is the total number of keys in all databases when saving data, otherwise O(1)',
    arguments: [
      tokenChoice('save-selector', ['NOSAVE', 'SAVE'], { optional: true }),
      { name: 'now', type: 'pure-token', token: 'NOW', optional: true },
      { name: 'force', type: 'pure-token', token: 'FORCE', optional: true },
      { name: 'abort', type: 'pure-token', token: 'ABORT', optional: true },
    ],
    handler: shutdown,
  }),
];
