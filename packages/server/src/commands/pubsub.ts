import { printable } from '../errors.js';
import type { SubscriptionKind } from '../pubsub.js';
import { defineCommand, keyAt, keysFrom } from './define.js';
import { replyHelp } from './server.js';
import type { CommandContext, CommandFlag, CommandSpec } from './types.js';

/**
 * Pub/sub commands. Every (un)subscribe command replies one confirmation per
 * channel or pattern, `[kind, name, count]`, as a RESP3 push or a RESP2
 * array; `count` is the client's channels plus patterns after the change
 * (for the shard commands, its shard channels). Messages reach other clients
 * through the PubSub registry (server.pubsub), outside their own calls.
 */

/** The count a confirmation of `kind` carries for this client. */
function confirmationCount(ctx: CommandContext, kind: SubscriptionKind): number {
  const own = ctx.client.subscriptions;
  if (own === null) return 0;
  return kind === 'shard' ? own.shardChannels.size : own.count;
}

function confirm(ctx: CommandContext, verb: string, name: string | null, kind: SubscriptionKind): void {
  const reply = ctx.reply;
  reply.pushHeader(3);
  reply.bulk(verb);
  reply.bulk(name);
  reply.integer(confirmationCount(ctx, kind));
}

/** SUBSCRIBE / PSUBSCRIBE / SSUBSCRIBE name [name ...]: one confirmation per name, repeats included. */
function subscriber(verb: string, kind: SubscriptionKind) {
  return (ctx: CommandContext, argv: string[]): void => {
    const pubsub = ctx.server.pubsub;
    for (let i = 1; i < argv.length; i++) {
      pubsub.subscribe(ctx.client, kind, argv[i]!);
      confirm(ctx, verb, argv[i]!, kind);
    }
  };
}

/**
 * UNSUBSCRIBE / PUNSUBSCRIBE / SUNSUBSCRIBE [name ...]: one confirmation per
 * name given (also for names the client was not subscribed to); without
 * names, one per subscription of that kind, or a single `[verb, nil, count]`
 * when there is none.
 */
function unsubscriber(verb: string, kind: SubscriptionKind) {
  return (ctx: CommandContext, argv: string[]): void => {
    const pubsub = ctx.server.pubsub;
    const names = argv.length > 1 ? argv.slice(1) : pubsub.subscriptionsOf(ctx.client, kind);
    if (names.length === 0) return confirm(ctx, verb, null, kind);
    for (const name of names) {
      pubsub.unsubscribe(ctx.client, kind, name);
      confirm(ctx, verb, name, kind);
    }
  };
}

/**
 * PUBLISH channel message -> :receivers (channel subscribers plus one per
 * matching pattern subscription). Not a write, but it travels to followers
 * (as in Redis), so their subscribers hear the leader's messages: once a
 * backlog exists it enters the stream (and so the AOF, where replaying it at
 * start-up reaches nobody). It never counts as a change for `save`.
 */
function publish(ctx: CommandContext, argv: string[]): void {
  ctx.reply.integer(ctx.server.pubsub.publish(argv[1]!, argv[2]!));
  if (ctx.server.replication.leader.backlog !== null) ctx.propagate(['PUBLISH', argv[1]!, argv[2]!]);
}

/** SPUBLISH shardchannel message -> :receivers. Same propagation note as PUBLISH. */
function spublish(ctx: CommandContext, argv: string[]): void {
  ctx.reply.integer(ctx.server.pubsub.publishShard(argv[1]!, argv[2]!));
}

/** PUBSUB CHANNELS / SHARDCHANNELS [pattern] -> array of active channel names (optionally glob-matched). */
function channels(kind: 'channel' | 'shard') {
  return (ctx: CommandContext, argv: string[]): void => {
    if (argv.length > 3) {
      return ctx.error(
        `ERR unknown subcommand or wrong number of arguments for '${printable(argv[1]!, 128)}'. Try PUBSUB HELP.`,
      );
    }
    const names = ctx.server.pubsub.activeChannels(kind, argv[2]);
    ctx.reply.arrayHeader(names.length);
    for (const name of names) ctx.reply.bulk(name);
  };
}

/** PUBSUB NUMSUB / SHARDNUMSUB [channel ...] -> flat array channel, count, ... (an array in RESP3 too, as Redis). */
function numsub(kind: 'channel' | 'shard') {
  return (ctx: CommandContext, argv: string[]): void => {
    const pubsub = ctx.server.pubsub;
    ctx.reply.arrayHeader((argv.length - 2) * 2);
    for (let i = 2; i < argv.length; i++) {
      ctx.reply.bulk(argv[i]!);
      ctx.reply.integer(pubsub.subscriberCount(kind, argv[i]!));
    }
  };
}

/** PUBSUB NUMPAT -> :number of distinct patterns with subscribers (Redis 7 counts patterns, not subscriptions). */
function numpat(ctx: CommandContext): void {
  ctx.reply.integer(ctx.server.pubsub.patternCount);
}

const PUBSUB_HELP = [
  'PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'CHANNELS [<pattern>]',
  '    Channels that have subscribers, only those matching <pattern> if given.',
  'NUMPAT',
  '    How many distinct patterns have subscribers.',
  'NUMSUB [<channel> ...]',
  '    Each channel followed by its subscriber count (pattern subscribers not counted).',
  'SHARDCHANNELS [<pattern>]',
  '    Shard channels that have subscribers, only those matching <pattern> if given.',
  'SHARDNUMSUB [<shardchannel> ...]',
  '    Each shard channel followed by its subscriber count.',
  'HELP',
  '    Print this help.',
];

const SUBSCRIBE_FLAGS: readonly CommandFlag[] = ['pubsub', 'noscript', 'loading', 'stale'];
const PUBLISH_FLAGS: readonly CommandFlag[] = ['pubsub', 'loading', 'stale', 'fast'];
const INTROSPECTION_FLAGS: readonly CommandFlag[] = ['pubsub', 'loading', 'stale'];

const subscribeCommand = (
  name: string,
  arity: number,
  since: string,
  summary: string,
  argument: string,
  handler: (ctx: CommandContext, argv: string[]) => void,
  shard: boolean,
) =>
  defineCommand({
    name,
    arity,
    flags: SUBSCRIBE_FLAGS,
    // Shard channels occupy key positions, so cluster-aware clients route them by slot.
    keys: shard ? keysFrom(1) : undefined,
    group: 'pubsub',
    summary,
    since,
    complexity: 'O(N) where N is the number of channels or patterns given (or subscribed to, without arguments).',
    arguments: [{ name: argument, type: argument === 'pattern' ? 'pattern' : 'string', multiple: true, optional: arity === -1 }],
    handler,
  });

export const pubsubCommands: CommandSpec[] = [
  subscribeCommand('subscribe', -2, '2.0.0', 'Listens for messages published to channels.', 'channel', subscriber('subscribe', 'channel'), false),
  subscribeCommand('unsubscribe', -1, '2.0.0', 'Stops listening to messages posted to channels.', 'channel', unsubscriber('unsubscribe', 'channel'), false),
  subscribeCommand('psubscribe', -2, '2.0.0', 'Listens for messages published to channels that match one or more patterns.', 'pattern', subscriber('psubscribe', 'pattern'), false),
  subscribeCommand('punsubscribe', -1, '2.0.0', 'Stops listening to messages published to channels that match one or more patterns.', 'pattern', unsubscriber('punsubscribe', 'pattern'), false),
  subscribeCommand('ssubscribe', -2, '7.0.0', 'Listens for messages published to shard channels.', 'shardchannel', subscriber('ssubscribe', 'shard'), true),
  subscribeCommand('sunsubscribe', -1, '7.0.0', 'Stops listening to messages posted to shard channels.', 'shardchannel', unsubscriber('sunsubscribe', 'shard'), true),
  defineCommand({
    name: 'publish',
    arity: 3,
    flags: PUBLISH_FLAGS,
    group: 'pubsub',
    summary: 'Posts a message to a channel.',
    since: '2.0.0',
    complexity: 'O(N+M) where N is the number of clients subscribed to the receiving channel and M is the total number of subscribed patterns (by any client).',
    arguments: [
      { name: 'channel', type: 'string' },
      { name: 'message', type: 'string' },
    ],
    handler: publish,
  }),
  defineCommand({
    name: 'spublish',
    arity: 3,
    flags: PUBLISH_FLAGS,
    keys: keyAt(1),
    group: 'pubsub',
    summary: 'Post a message to a shard channel.',
    since: '7.0.0',
    complexity: 'O(N) where N is the number of clients subscribed to the receiving shard channel.',
    arguments: [
      { name: 'shardchannel', type: 'string' },
      { name: 'message', type: 'string' },
    ],
    handler: spublish,
  }),
  defineCommand({
    name: 'pubsub',
    arity: -2,
    flags: [],
    group: 'pubsub',
    summary: 'A container for Pub/Sub commands.',
    since: '2.8.0',
    complexity: 'Depends on subcommand.',
    subcommands: [
      {
        name: 'channels',
        arity: -2,
        flags: INTROSPECTION_FLAGS,
        group: 'pubsub',
        summary: 'Returns the active channels.',
        since: '2.8.0',
        complexity: 'O(N) where N is the number of active channels, and assuming constant time pattern matching (relatively short channels and patterns)',
        arguments: [{ name: 'pattern', type: 'pattern', optional: true }],
        handler: channels('channel'),
      },
      {
        name: 'numpat',
        arity: 2,
        flags: INTROSPECTION_FLAGS,
        group: 'pubsub',
        summary: 'Returns a count of unique pattern subscriptions.',
        since: '2.8.0',
        complexity: 'O(1)',
        handler: numpat,
      },
      {
        name: 'numsub',
        arity: -2,
        flags: INTROSPECTION_FLAGS,
        group: 'pubsub',
        summary: 'Returns a count of subscribers to channels.',
        since: '2.8.0',
        complexity: 'O(N) for the NUMSUB subcommand, where N is the number of requested channels',
        arguments: [{ name: 'channel', type: 'string', optional: true, multiple: true }],
        handler: numsub('channel'),
      },
      {
        name: 'shardchannels',
        arity: -2,
        flags: INTROSPECTION_FLAGS,
        group: 'pubsub',
        summary: 'Returns the active shard channels.',
        since: '7.0.0',
        complexity: 'O(N) where N is the number of active shard channels, and assuming constant time pattern matching (relatively short shard channels).',
        arguments: [{ name: 'pattern', type: 'pattern', optional: true }],
        handler: channels('shard'),
      },
      {
        name: 'shardnumsub',
        arity: -2,
        flags: INTROSPECTION_FLAGS,
        group: 'pubsub',
        summary: 'Returns the count of subscribers of shard channels.',
        since: '7.0.0',
        complexity: 'O(N) for the SHARDNUMSUB subcommand, where N is the number of requested shard channels',
        arguments: [{ name: 'shardchannel', type: 'string', optional: true, multiple: true }],
        handler: numsub('shard'),
      },
      {
        name: 'help',
        arity: 2,
        flags: ['loading', 'stale'],
        group: 'pubsub',
        summary: 'Returns helpful text about the different subcommands.',
        since: '6.2.0',
        complexity: 'O(1)',
        handler: (ctx) => replyHelp(ctx, PUBSUB_HELP),
      },
    ],
  }),
];
