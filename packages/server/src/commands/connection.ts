import { createHash, timingSafeEqual } from 'node:crypto';
import { Err } from '../errors.js';
import { dbIndexArg, parseInteger } from './args.js';
import { defineCommand } from './define.js';
import type { CommandContext, CommandSpec } from './types.js';

const DEFAULT_USER = 'default';

/**
 * Checks credentials against the only user aki has, `default`, whose password
 * is `requirepass` (no password means any password is accepted for `default`,
 * as Redis's nopass user). Returns true when they match.
 */
function credentialsMatch(ctx: CommandContext, user: string, password: string): boolean {
  if (user !== DEFAULT_USER) return false;
  const required = ctx.server.config.get('requirepass');
  return required === '' || constantTimeEquals(required, password);
}

/** Compares secrets in constant time (hashes first, so lengths leak nothing either). */
function constantTimeEquals(a: string, b: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text, 'latin1').digest();
  return timingSafeEqual(digest(a), digest(b));
}

/**
 * PING [message] -> +PONG, or the message as a bulk string. A RESP2 client in
 * subscribed mode gets the array ["pong", message or ""] instead (its replies
 * share the stream with messages, which are arrays too).
 */
function ping(ctx: CommandContext, argv: string[]): void {
  if (argv.length > 2) return ctx.error(Err.wrongArity('ping'));
  if (ctx.client.subscriptions !== null && ctx.client.protocol === 2) {
    ctx.reply.arrayHeader(2);
    ctx.reply.bulk('pong');
    ctx.reply.bulk(argv.length === 2 ? argv[1]! : '');
    return;
  }
  if (argv.length === 2) ctx.reply.bulk(argv[1]!);
  else ctx.reply.simple('PONG');
}

/** ECHO message -> the message. */
function echo(ctx: CommandContext, argv: string[]): void {
  ctx.reply.bulk(argv[1]!);
}

/** QUIT -> +OK, then the connection closes once the reply is written. */
function quit(ctx: CommandContext): void {
  ctx.reply.simple('OK');
  ctx.client.closeAfterReply();
}

/** SELECT index -> +OK; errors for a non-integer or out-of-range index. */
function select(ctx: CommandContext, argv: string[]): void {
  const index = dbIndexArg(ctx, argv[1]!);
  if (index === undefined) return;
  ctx.client.dbIndex = index;
  ctx.reply.simple('OK');
}

/**
 * AUTH [username] password -> +OK, -WRONGPASS, or an error when no password is
 * configured and the one-argument form is used.
 */
function auth(ctx: CommandContext, argv: string[]): void {
  if (argv.length > 3) return ctx.error(Err.syntax);
  const user = argv.length === 3 ? argv[1]! : DEFAULT_USER;
  const password = argv[argv.length - 1]!;
  if (argv.length === 2 && ctx.server.config.get('requirepass') === '') return ctx.error(Err.authNotConfigured);
  if (!credentialsMatch(ctx, user, password)) {
    ctx.server.logger.warn({ client: ctx.client.id }, 'failed AUTH attempt');
    return ctx.error(Err.wrongPass);
  }
  ctx.client.authenticate();
  ctx.reply.simple('OK');
}

/**
 * HELLO [protover [AUTH username password] [SETNAME clientname]]
 * -> the connection's properties as a map (a flat array under RESP2), after
 * switching protocol. Options are validated before anything changes.
 */
function hello(ctx: CommandContext, argv: string[]): void {
  let protocol: 2 | 3 | undefined;
  if (argv.length >= 2) {
    const version = parseInteger(argv[1]!);
    if (version === undefined) return ctx.error('ERR Protocol version is not an integer or out of range');
    if (version !== 2 && version !== 3) return ctx.error(Err.noProto);
    protocol = version;
  }
  let credentials: [string, string] | undefined;
  let clientName: string | undefined;
  for (let i = 2; i < argv.length; i++) {
    const option = argv[i]!.toUpperCase();
    const remaining = argv.length - i - 1;
    if (option === 'AUTH' && remaining >= 2) {
      credentials = [argv[i + 1]!, argv[i + 2]!];
      i += 2;
    } else if (option === 'SETNAME' && remaining >= 1) {
      clientName = argv[i + 1]!;
      const problem = clientNameProblem(clientName);
      if (problem !== undefined) return ctx.error(problem);
      i += 1;
    } else {
      return ctx.error(`ERR Syntax error in HELLO option '${argv[i]}'`);
    }
  }
  if (credentials !== undefined) {
    if (!credentialsMatch(ctx, credentials[0], credentials[1])) return ctx.error(Err.wrongPass);
    ctx.client.authenticate();
  }
  if (!ctx.client.authenticated) return ctx.error(Err.helloNoAuth);
  if (clientName !== undefined) ctx.client.name = clientName;
  if (protocol !== undefined) ctx.client.protocol = protocol;

  const reply = ctx.reply;
  reply.mapHeader(7);
  reply.bulk('server');
  reply.bulk('redis');
  reply.bulk('version');
  reply.bulk(ctx.server.redisVersion);
  reply.bulk('proto');
  reply.integer(ctx.client.protocol);
  reply.bulk('id');
  reply.integer(ctx.client.id);
  reply.bulk('mode');
  reply.bulk('standalone');
  reply.bulk('role');
  reply.bulk('master');
  reply.bulk('modules');
  reply.arrayHeader(0);
}

/**
 * Why a client name is refused, or undefined when it is acceptable: names are
 * shown space-separated in CLIENT LIST, so spaces and newlines would let a
 * client forge fields.
 */
export function clientNameProblem(name: string): string | undefined {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c < 33 || c > 126) return 'ERR Client names cannot contain spaces, newlines or special characters.';
  }
  return undefined;
}

/**
 * RESET -> +RESET. Returns the connection to its initial state: any MULTI
 * discarded and WATCHed keys forgotten, every subscription dropped (without
 * confirmations), RESP2, database 0, no name, and authenticated only if the
 * default user needs no password. The library name and version stay (they
 * describe the client behind the connection). The dispatcher runs RESET
 * even between MULTI and EXEC.
 */
function reset(ctx: CommandContext): void {
  const client = ctx.client;
  client.transaction = null;
  client.transactionFailed = false;
  ctx.server.watches.unwatchAll(client);
  ctx.server.pubsub.unsubscribeAll(client);
  client.protocol = 2;
  client.dbIndex = 0;
  client.name = '';
  if (ctx.server.config.get('requirepass') !== '') {
    client.authenticated = false;
    client.parser.authenticated = false;
  }
  ctx.reply.simple('RESET');
}

export const connectionCommands: CommandSpec[] = [
  defineCommand({
    name: 'ping',
    arity: -1,
    flags: ['fast'],
    group: 'connection',
    summary: 'Returns the server\'s liveliness response.',
    since: '1.0.0',
    complexity: 'O(1)',
    arguments: [{ name: 'message', type: 'string', optional: true }],
    handler: ping,
  }),
  defineCommand({
    name: 'echo',
    arity: 2,
    flags: ['loading', 'stale', 'fast'],
    group: 'connection',
    summary: 'Returns the given string.',
    since: '1.0.0',
    complexity: 'O(1)',
    arguments: [{ name: 'message', type: 'string' }],
    handler: echo,
  }),
  defineCommand({
    name: 'quit',
    arity: -1,
    flags: ['allow_busy', 'no_auth', 'fast', 'loading', 'stale', 'noscript'],
    group: 'connection',
    summary: 'Closes the connection.',
    since: '1.0.0',
    complexity: 'O(1)',
    handler: quit,
  }),
  defineCommand({
    name: 'select',
    arity: 2,
    flags: ['loading', 'stale', 'fast'],
    group: 'connection',
    summary: 'Changes the selected database.',
    since: '1.0.0',
    complexity: 'O(1)',
    arguments: [{ name: 'index', type: 'integer' }],
    handler: select,
  }),
  defineCommand({
    name: 'auth',
    arity: -2,
    flags: ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'],
    group: 'connection',
    summary: 'Authenticates the connection.',
    since: '1.0.0',
    complexity: 'O(N) where N is the number of passwords defined for the user',
    arguments: [
      { name: 'username', type: 'string', optional: true },
      { name: 'password', type: 'string' },
    ],
    handler: auth,
  }),
  defineCommand({
    name: 'hello',
    arity: -1,
    flags: ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'],
    group: 'connection',
    summary: 'Handshakes with the Redis server.',
    since: '6.0.0',
    complexity: 'O(1)',
    arguments: [
      {
        name: 'arguments',
        type: 'block',
        optional: true,
        arguments: [
          { name: 'protover', type: 'integer' },
          {
            name: 'username-password',
            type: 'block',
            token: 'AUTH',
            optional: true,
            arguments: [
              { name: 'username', type: 'string' },
              { name: 'password', type: 'string' },
            ],
          },
          { name: 'clientname', type: 'string', token: 'SETNAME', optional: true },
        ],
      },
    ],
    handler: hello,
  }),
  defineCommand({
    name: 'reset',
    arity: 1,
    flags: ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'],
    group: 'connection',
    summary: 'Resets the connection.',
    since: '6.2.0',
    complexity: 'O(1)',
    handler: reset,
  }),
];
