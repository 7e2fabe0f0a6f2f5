import { globMatch } from '@aki/keyspace';
import type { ReplyWriter } from '@aki/resp-codec';
import { Err } from '../errors.js';
import { parseInteger } from './args.js';
import { defineCommand } from './define.js';
import { replyHelp } from './server.js';
import type { ArgumentDoc, CommandContext, CommandSpec } from './types.js';

/**
 * COMMAND and its subcommands, derived entirely from the command table, so
 * what clients learn (redis-cli builds its hints from COMMAND DOCS; cluster
 * clients read key positions from COMMAND INFO) always matches what runs.
 */

function writeCommandInfo(reply: ReplyWriter, spec: CommandSpec): void {
  reply.arrayHeader(10);
  reply.bulk(spec.name);
  reply.integer(spec.arity);
  reply.setHeader(spec.flags.length);
  for (const flag of spec.flags) reply.simple(flag);
  reply.integer(spec.keys.first);
  reply.integer(spec.keys.last);
  reply.integer(spec.keys.step);
  reply.setHeader(spec.categories.length);
  for (const category of spec.categories) reply.simple(`@${category}`);
  reply.arrayHeader(0); // tips
  writeKeySpecs(reply, spec);
  const subs = spec.subcommands ?? [];
  reply.arrayHeader(subs.length);
  for (const sub of subs) writeCommandInfo(reply, sub);
}

/**
 * Redis 7 key specifications, expressed from the legacy first/last/step
 * triple, plus a "keynum" spec for a movable-keys command's counted keys.
 */
function writeKeySpecs(reply: ReplyWriter, spec: CommandSpec): void {
  const access = spec.flags.includes('write') ? ['RW', 'update'] : ['RO', 'access'];
  const hasRange = spec.keys.first !== 0;
  const hasCount = spec.numKeysAt !== undefined;
  reply.arrayHeader((hasRange ? 1 : 0) + (hasCount ? 1 : 0));
  if (hasRange) writeRangeKeySpec(reply, spec, access);
  if (hasCount) writeKeyNumKeySpec(reply, spec.numKeysAt!, access);
}

/** A key spec whose keys are counted by the argument at `index` and follow it. */
function writeKeyNumKeySpec(reply: ReplyWriter, index: number, access: readonly string[]): void {
  reply.mapHeader(3);
  reply.bulk('flags');
  reply.setHeader(access.length);
  for (const flag of access) reply.simple(flag);
  reply.bulk('begin_search');
  reply.mapHeader(2);
  reply.bulk('type');
  reply.bulk('index');
  reply.bulk('spec');
  reply.mapHeader(1);
  reply.bulk('index');
  reply.integer(index);
  reply.bulk('find_keys');
  reply.mapHeader(2);
  reply.bulk('type');
  reply.bulk('keynum');
  reply.bulk('spec');
  reply.mapHeader(3);
  reply.bulk('keynumidx');
  reply.integer(0);
  reply.bulk('firstkey');
  reply.integer(1);
  reply.bulk('keystep');
  reply.integer(1);
}

function writeRangeKeySpec(reply: ReplyWriter, spec: CommandSpec, access: readonly string[]): void {
  reply.mapHeader(3);
  reply.bulk('flags');
  reply.setHeader(access.length);
  for (const flag of access) reply.simple(flag);
  reply.bulk('begin_search');
  reply.mapHeader(2);
  reply.bulk('type');
  reply.bulk('index');
  reply.bulk('spec');
  reply.mapHeader(1);
  reply.bulk('index');
  reply.integer(spec.keys.first);
  reply.bulk('find_keys');
  reply.mapHeader(2);
  reply.bulk('type');
  reply.bulk('range');
  reply.bulk('spec');
  reply.mapHeader(3);
  reply.bulk('lastkey');
  reply.integer(spec.keys.last < 0 ? spec.keys.last : spec.keys.last - spec.keys.first);
  reply.bulk('keystep');
  reply.integer(spec.keys.step);
  reply.bulk('limit');
  reply.integer(0);
}

function writeCommandDocs(reply: ReplyWriter, spec: CommandSpec): void {
  const subs = spec.subcommands ?? [];
  const args = spec.arguments ?? [];
  reply.mapHeader(4 + (args.length > 0 ? 1 : 0) + (subs.length > 0 ? 1 : 0));
  reply.bulk('summary');
  reply.bulk(spec.summary);
  reply.bulk('since');
  reply.bulk(spec.since);
  reply.bulk('group');
  reply.bulk(spec.group);
  reply.bulk('complexity');
  reply.bulk(spec.complexity);
  if (args.length > 0) {
    reply.bulk('arguments');
    writeArgumentDocs(reply, args);
  }
  if (subs.length > 0) {
    reply.bulk('subcommands');
    reply.mapHeader(subs.length);
    for (const sub of subs) {
      reply.bulk(sub.name);
      writeCommandDocs(reply, sub);
    }
  }
}

function writeArgumentDocs(reply: ReplyWriter, args: readonly ArgumentDoc[]): void {
  reply.arrayHeader(args.length);
  for (const arg of args) {
    const flags = [arg.optional ? 'optional' : undefined, arg.multiple ? 'multiple' : undefined].filter(
      (f): f is string => f !== undefined,
    );
    const nested = arg.arguments ?? [];
    reply.mapHeader(3 + (arg.token !== undefined ? 1 : 0) + (flags.length > 0 ? 1 : 0) + (nested.length > 0 ? 1 : 0));
    reply.bulk('name');
    reply.bulk(arg.name);
    reply.bulk('type');
    reply.bulk(arg.type);
    reply.bulk('display_text');
    reply.bulk(arg.name);
    if (arg.token !== undefined) {
      reply.bulk('token');
      reply.bulk(arg.token);
    }
    if (flags.length > 0) {
      reply.bulk('flags');
      reply.arrayHeader(flags.length);
      for (const flag of flags) reply.simple(flag);
    }
    if (nested.length > 0) {
      reply.bulk('arguments');
      writeArgumentDocs(reply, nested);
    }
  }
}

/** COMMAND -> info for every command. */
function commandAll(ctx: CommandContext): void {
  const specs = ctx.server.commands.specs;
  ctx.reply.arrayHeader(specs.length);
  for (const spec of specs) writeCommandInfo(ctx.reply, spec);
}

/** Resolves `name` or `parent|sub` against the table. */
function findSpec(ctx: CommandContext, name: string): CommandSpec | undefined {
  const bar = name.indexOf('|');
  if (bar === -1) return ctx.server.commands.get(name);
  const parent = ctx.server.commands.get(name.slice(0, bar));
  return parent && ctx.server.commands.getSubcommand(parent, name.slice(bar + 1));
}

/** COMMAND INFO [name ...] -> info per name, null for unknown names; no names = all. */
function commandInfo(ctx: CommandContext, argv: string[]): void {
  if (argv.length === 2) return commandAll(ctx);
  ctx.reply.arrayHeader(argv.length - 2);
  for (const name of argv.slice(2)) {
    const spec = findSpec(ctx, name);
    if (spec === undefined) ctx.reply.nullBulk();
    else writeCommandInfo(ctx.reply, spec);
  }
}

/** COMMAND DOCS [name ...] -> a map of name to docs; unknown names are left out. */
function commandDocs(ctx: CommandContext, argv: string[]): void {
  const specs =
    argv.length === 2
      ? ctx.server.commands.specs
      : argv.slice(2).flatMap((name) => findSpec(ctx, name) ?? []);
  ctx.reply.mapHeader(specs.length);
  for (const spec of specs) {
    ctx.reply.bulk(spec.name);
    writeCommandDocs(ctx.reply, spec);
  }
}

function commandCount(ctx: CommandContext): void {
  ctx.reply.integer(ctx.server.commands.size);
}

/** COMMAND LIST [FILTERBY MODULE name | ACLCAT category | PATTERN pattern] -> names. */
function commandList(ctx: CommandContext, argv: string[]): void {
  let filter: (spec: CommandSpec) => boolean = () => true;
  if (argv.length !== 2) {
    if (argv.length !== 5 || argv[2]!.toUpperCase() !== 'FILTERBY') return ctx.error(Err.syntax);
    const kind = argv[3]!.toUpperCase();
    const value = argv[4]!;
    if (kind === 'MODULE') filter = () => false;
    else if (kind === 'ACLCAT') filter = (spec) => spec.categories.includes(value.toLowerCase());
    else if (kind === 'PATTERN') filter = (spec) => globMatch(value, spec.name, true);
    else return ctx.error(Err.syntax);
  }
  const names: string[] = [];
  for (const spec of ctx.server.commands.specs) {
    if (filter(spec)) names.push(spec.name);
    for (const sub of spec.subcommands ?? []) if (filter(sub)) names.push(sub.name);
  }
  ctx.reply.arrayHeader(names.length);
  for (const name of names) ctx.reply.bulk(name);
}

/**
 * The argv positions of the keys of a command line, from its key spec and,
 * for movable-keys commands, its key count; undefined when the count is not
 * a positive integer that fits the arguments.
 */
export function keyPositions(spec: CommandSpec, argv: readonly string[]): number[] | undefined {
  const argc = argv.length;
  const positions: number[] = [];
  const { first, last, step } = spec.keys;
  if (first !== 0) {
    const end = last < 0 ? argc + last : Math.min(last, argc - 1);
    for (let i = first; i <= end; i += step) positions.push(i);
  }
  if (spec.numKeysAt !== undefined) {
    const count = parseInteger(argv[spec.numKeysAt] ?? '');
    if (count === undefined || count < 1 || spec.numKeysAt + count >= argc) return undefined;
    for (let i = 1; i <= count; i++) positions.push(spec.numKeysAt + i);
  }
  return positions;
}

/** COMMAND GETKEYS command [arg ...] -> the key arguments of that command line. */
function commandGetKeys(ctx: CommandContext, argv: string[]): void {
  const target = argv.slice(2);
  const spec = ctx.server.commands.resolve(target);
  if (spec === undefined) return ctx.error('ERR Invalid command specified');
  if (spec.keys.first === 0 && spec.numKeysAt === undefined) return ctx.error('ERR The command has no key arguments');
  if (spec.arity > 0 ? target.length !== spec.arity : target.length < -spec.arity) {
    return ctx.error('ERR Invalid number of arguments specified for command');
  }
  const positions = keyPositions(spec, target);
  if (positions === undefined) return ctx.error('ERR Invalid arguments specified for command');
  ctx.reply.arrayHeader(positions.length);
  for (const position of positions) ctx.reply.bulk(target[position]!);
}

const COMMAND_HELP = [
  'COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  '(no subcommand)',
  '    COMMAND INFO for every command.',
  'COUNT',
  '    How many commands this server has.',
  'LIST',
  '    The name of every command and subcommand.',
  'INFO [<command-name> ...]',
  '    Arity, flags, key positions and categories of each named command.',
  'DOCS [<command-name> ...]',
  '    Summary, version, group, complexity and arguments of each named command.',
  'GETKEYS <full-command>',
  '    The key arguments of the given command line.',
  'HELP',
  '    Print this help.',
];

const introspectionFlags = ['loading', 'stale'] as const;
const connectionCategory = ['connection'];

export const introspectionCommands: CommandSpec[] = [
  defineCommand({
    name: 'command',
    arity: -1,
    flags: introspectionFlags,
    group: 'server',
    summary: 'Returns detailed information about all commands.',
    since: '2.8.13',
    complexity: 'O(N) where N is the total number of Redis commands',
    extraCategories: ['connection'],
    handler: commandAll,
    subcommands: [
      { name: 'count', arity: 2, flags: introspectionFlags, group: 'server', extraCategories: connectionCategory, summary: 'Returns a count of commands.', since: '2.8.13', complexity: 'O(1)', handler: commandCount },
      { name: 'info', arity: -2, flags: introspectionFlags, group: 'server', extraCategories: connectionCategory, summary: 'Returns information about one, multiple or all commands.', since: '2.8.13', complexity: 'O(N) where N is the number of commands to look up', handler: commandInfo },
      { name: 'docs', arity: -2, flags: introspectionFlags, group: 'server', extraCategories: connectionCategory, summary: 'Returns documentary information about one, multiple or all commands.', since: '7.0.0', complexity: 'O(N) where N is the number of commands to look up', handler: commandDocs },
      { name: 'list', arity: -2, flags: introspectionFlags, group: 'server', extraCategories: connectionCategory, summary: 'Returns a list of command names.', since: '7.0.0', complexity: 'O(N) where N is the total number of Redis commands', handler: commandList },
      { name: 'getkeys', arity: -4, flags: introspectionFlags, group: 'server', extraCategories: connectionCategory, summary: 'Extracts the key names from an arbitrary command.', since: '2.8.13', complexity: 'O(N) where N is the number of arguments to the command', handler: commandGetKeys },
      { name: 'help', arity: 2, flags: introspectionFlags, group: 'server', extraCategories: connectionCategory, summary: 'Returns helpful text about the different subcommands.', since: '5.0.0', complexity: 'O(1)', handler: (ctx) => replyHelp(ctx, COMMAND_HELP) },
    ],
  }),
];
