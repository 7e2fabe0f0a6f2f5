import type { ClientSession } from '../client-session.js';
import { Err } from '../errors.js';
import type { ServerState } from '../server-state.js';
import { parseInteger } from './args.js';
import { clientNameProblem } from './connection.js';
import { defineCommand } from './define.js';
import { replyHelp } from './server.js';
import type { CommandContext, CommandFlag, CommandSpec } from './types.js';

/** One CLIENT LIST / CLIENT INFO line, with Redis 7's fields in Redis's order. */
export function describeClient(state: ServerState, client: ClientSession): string {
  const now = state.clock();
  const qbuf = client.parser.bufferedBytes;
  const omem = client.reply.length;
  return [
    `id=${client.id}`,
    `addr=${client.transport.remoteAddress}`,
    `laddr=${client.transport.localAddress}`,
    `fd=${client.id + 7}`,
    `name=${client.name}`,
    `age=${Math.floor((now - client.createdAt) / 1000)}`,
    `idle=${Math.floor((now - client.lastInteraction) / 1000)}`,
    `flags=${clientFlags(client)}`,
    `db=${client.dbIndex}`,
    `sub=${client.subscriptions?.channels.size ?? 0}`,
    `psub=${client.subscriptions?.patterns.size ?? 0}`,
    `ssub=${client.subscriptions?.shardChannels.size ?? 0}`,
    `multi=${client.transaction === null ? -1 : client.transaction.length}`,
    `qbuf=${qbuf}`,
    'qbuf-free=0',
    'argv-mem=0',
    'multi-mem=0',
    'rbs=1024',
    'rbp=0',
    'obl=0',
    'oll=0',
    `omem=${omem}`,
    `tot-mem=${qbuf + omem + 1024}`,
    'events=r',
    `cmd=${client.lastCommand}`,
    'user=default',
    'redir=-1',
    `resp=${client.protocol}`,
    `lib-name=${client.libName}`,
    `lib-ver=${client.libVersion}`,
  ].join(' ');
}

/**
 * CLIENT LIST flags=: letters in Redis's order (P subscribed, x in MULTI,
 * b blocked, d a WATCHed key changed), or 'N' when none apply.
 */
function clientFlags(client: ClientSession): string {
  let flags = '';
  if (client.replicaPeer !== null) flags += 'S';
  if (client.isLeaderLink) flags += 'M';
  if (client.subscriptions !== null) flags += 'P';
  if (client.transaction !== null) flags += 'x';
  if (client.blocked) flags += 'b';
  if (client.watchedKeyChanged) flags += 'd';
  return flags === '' ? 'N' : flags;
}

/**
 * The TYPE a client matches in CLIENT LIST / KILL: `replica` for a
 * follower's connection, `master` for this follower's link to its leader,
 * `pubsub` while it holds a subscription, else `normal`.
 */
function clientType(client: ClientSession): string {
  if (client.replicaPeer !== null) return 'replica';
  if (client.isLeaderLink) return 'master';
  return client.subscriptions !== null ? 'pubsub' : 'normal';
}

/** `slave` is the old name of the `replica` type. */
const typeName = (text: string): string => {
  const type = text.toLowerCase();
  return type === 'slave' ? 'replica' : type;
};

/** Every client CLIENT LIST and KILL see: connections, plus the link to our leader on a follower. */
function listedClients(state: ServerState): ClientSession[] {
  const clients = [...state.clients.values()];
  const leader = state.replication.leaderSession;
  if (leader !== undefined) clients.push(leader);
  return clients;
}

function clientId(ctx: CommandContext): void {
  ctx.reply.integer(ctx.client.id);
}

function clientGetName(ctx: CommandContext): void {
  ctx.reply.bulk(ctx.client.name === '' ? null : ctx.client.name);
}

/** CLIENT SETNAME name -> +OK; an empty name clears it. */
function clientSetName(ctx: CommandContext, argv: string[]): void {
  const name = argv[2]!;
  const problem = name === '' ? undefined : clientNameProblem(name);
  if (problem !== undefined) return ctx.error(problem);
  ctx.client.name = name;
  ctx.reply.simple('OK');
}

/** CLIENT SETINFO LIB-NAME name | LIB-VER version -> +OK. */
function clientSetInfo(ctx: CommandContext, argv: string[]): void {
  const attribute = argv[2]!.toLowerCase();
  const value = argv[3]!;
  if (attribute !== 'lib-name' && attribute !== 'lib-ver') {
    return ctx.error(`ERR Unrecognized option '${argv[2]}'`);
  }
  if (value !== '' && clientNameProblem(value) !== undefined) {
    return ctx.error(`ERR ${argv[2]} cannot contain spaces, newlines or special characters.`);
  }
  if (attribute === 'lib-name') ctx.client.libName = value;
  else ctx.client.libVersion = value;
  ctx.reply.simple('OK');
}

/**
 * CLIENT LIST [TYPE normal|master|replica|pubsub] | [ID id [id ...]] -> one
 * line per client. With ID, clients come in the order given (a repeated id
 * repeats its line); ids that are not positive match nothing.
 */
function clientList(ctx: CommandContext, argv: string[]): void {
  let clients = listedClients(ctx.server);
  if (argv.length > 2) {
    const option = argv[2]!.toUpperCase();
    if (option === 'TYPE' && argv.length === 4) {
      const type = typeName(argv[3]!);
      if (!CLIENT_TYPES.has(type)) return ctx.error(`ERR Unknown client type '${argv[3]}'`);
      clients = clients.filter((c) => clientType(c) === type);
    } else if (option === 'ID' && argv.length >= 4) {
      const selected: ClientSession[] = [];
      for (const text of argv.slice(3)) {
        const id = parseInteger(text);
        if (id === undefined) return ctx.error('ERR Invalid client ID');
        const client = ctx.server.clients.get(id);
        if (client !== undefined) selected.push(client);
      }
      clients = selected;
    } else {
      return ctx.error(Err.syntax);
    }
  }
  replyClientText(ctx, clients.map((client) => `${describeClient(ctx.server, client)}\n`).join(''));
}

/** CLIENT LIST / INFO text: a verbatim string under RESP3, a bulk string under RESP2. */
function replyClientText(ctx: CommandContext, text: string): void {
  if (ctx.client.protocol === 3) ctx.reply.verbatim('txt', text);
  else ctx.reply.bulk(text);
}

const CLIENT_TYPES = new Set(['normal', 'master', 'replica', 'slave', 'pubsub']);

function clientInfo(ctx: CommandContext): void {
  replyClientText(ctx, `${describeClient(ctx.server, ctx.client)}\n`);
}

/**
 * CLIENT UNBLOCK client-id [TIMEOUT | ERROR] -> 1 when that client was
 * blocked in a blocking command and is now released (with the command's
 * timeout reply, or with the UNBLOCKED error), 0 otherwise. Redis's order of
 * checks: more than one option is "unknown subcommand or wrong number of
 * arguments", then the reason, then the id.
 */
function clientUnblock(ctx: CommandContext, argv: string[]): void {
  if (argv.length > 4) return ctx.error(Err.unknownSubcommandOrArity('CLIENT', argv[1]!));
  let how: 'timeout' | 'error' = 'timeout';
  if (argv.length === 4) {
    const option = argv[3]!.toUpperCase();
    if (option === 'ERROR') how = 'error';
    else if (option !== 'TIMEOUT') return ctx.error('ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR');
  }
  const id = parseInteger(argv[2]!);
  if (id === undefined) return ctx.error(Err.notInteger);
  const target = ctx.server.clients.get(id);
  ctx.reply.integer(target !== undefined && ctx.server.unblock(target, how) ? 1 : 0);
}

/**
 * CLIENT KILL ip:port -> +OK or an error; CLIENT KILL <filter value> ... ->
 * the number of clients killed. Filters: ID, TYPE, USER, ADDR, LADDR, SKIPME,
 * MAXAGE. The calling client is skipped unless SKIPME no.
 */
function clientKill(ctx: CommandContext, argv: string[]): void {
  const clients = listedClients(ctx.server);
  if (argv.length === 3) {
    const target = clients.find((c) => c.transport.remoteAddress === argv[2]);
    if (target === undefined) return ctx.error('ERR No such client');
    ctx.reply.simple('OK');
    kill(ctx, target);
    return;
  }
  if (argv.length % 2 !== 0) return ctx.error(Err.syntax);
  let skipMe = true;
  const filters: Array<(c: ClientSession) => boolean> = [];
  for (let i = 2; i < argv.length; i += 2) {
    const option = argv[i]!.toUpperCase();
    const value = argv[i + 1]!;
    if (option === 'ID') {
      const id = parseInteger(value);
      if (id === undefined || id <= 0) return ctx.error('ERR client-id should be greater than 0');
      filters.push((c) => c.id === id);
    } else if (option === 'TYPE') {
      const type = typeName(value);
      if (!CLIENT_TYPES.has(type)) return ctx.error(`ERR Unknown client type '${value}'`);
      filters.push((c) => clientType(c) === type);
    } else if (option === 'USER') {
      if (value !== 'default') return ctx.error(`ERR No such user '${value}'`);
    } else if (option === 'ADDR') {
      filters.push((c) => c.transport.remoteAddress === value);
    } else if (option === 'LADDR') {
      filters.push((c) => c.transport.localAddress === value);
    } else if (option === 'SKIPME') {
      const answer = value.toLowerCase();
      if (answer !== 'yes' && answer !== 'no') return ctx.error(Err.syntax);
      skipMe = answer === 'yes';
    } else if (option === 'MAXAGE') {
      const maxAge = parseInteger(value);
      if (maxAge === undefined) return ctx.error(Err.notInteger);
      const now = ctx.now;
      filters.push((c) => (now - c.createdAt) / 1000 >= maxAge);
    } else {
      return ctx.error(Err.syntax);
    }
  }
  const victims = clients.filter((c) => !(skipMe && c === ctx.client) && filters.every((f) => f(c)));
  ctx.reply.integer(victims.length);
  for (const victim of victims) kill(ctx, victim);
}

/** Closes a killed client: the caller's own connection after its reply, others at once. */
function kill(ctx: CommandContext, victim: ClientSession): void {
  if (victim === ctx.client) victim.closeAfterReply();
  else {
    victim.closing = true;
    victim.transport.destroy();
  }
}

const CLIENT_HELP = [
  'CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'GETNAME',
  '    This connection\'s name, or null.',
  'ID',
  '    This connection\'s numeric id.',
  'INFO',
  '    This connection\'s CLIENT LIST line.',
  'KILL <ip:port>',
  '    Close the connection whose peer address is <ip:port>.',
  'KILL <option> <value> [<option> <value> [...]]',
  '    Close every connection matching all filters: ID, TYPE, USER, ADDR, LADDR, SKIPME, MAXAGE.',
  'UNBLOCK <clientid> [TIMEOUT|ERROR]',
  '    End the wait of a client blocked in a blocking command, with its timeout reply',
  '    (default) or with an UNBLOCKED error.',
  'LIST [options ...]',
  '    One line per connection, optionally only of a TYPE or with the given IDs.',
  'SETNAME <name>',
  '    Name this connection (no spaces or newlines; empty clears it).',
  'SETINFO <option> <value>',
  '    Record the client library\'s LIB-NAME or LIB-VER.',
  'HELP',
  '    Print this help.',
];

const sub = (
  name: string,
  arity: number,
  summary: string,
  handler: (ctx: CommandContext, argv: string[]) => void,
  flags: readonly CommandFlag[] = ['noscript', 'loading', 'stale'],
) => ({ name, arity, flags, group: 'connection' as const, summary, since: '2.4.0', complexity: 'O(1)', handler });

export const clientCommands: CommandSpec[] = [
  defineCommand({
    name: 'client',
    arity: -2,
    flags: [],
    group: 'connection',
    summary: 'A container for client connection commands.',
    since: '2.4.0',
    complexity: 'Depends on subcommand.',
    subcommands: [
      sub('id', 2, 'Returns the unique client ID of the connection.', clientId),
      sub('getname', 2, 'Returns the name of the connection.', clientGetName),
      sub('setname', 3, 'Sets the connection name.', clientSetName),
      sub('setinfo', 4, 'Sets information specific to the client or connection.', clientSetInfo),
      sub('list', -2, 'Lists open connections.', clientList, ['admin', 'noscript', 'loading', 'stale']),
      sub('info', 2, 'Returns information about the connection.', clientInfo),
      sub('kill', -3, 'Terminates open connections.', clientKill, ['admin', 'noscript', 'loading', 'stale']),
      sub(
        'unblock',
        -3,
        'Unblocks a client blocked by a blocking command from a different connection.',
        clientUnblock,
        ['admin', 'noscript', 'loading', 'stale'],
      ),
      sub('help', 2, 'Returns helpful text about the different subcommands.', (ctx) => replyHelp(ctx, CLIENT_HELP), [
        'loading',
        'stale',
      ]),
    ],
  }),
];
