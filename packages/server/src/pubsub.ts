import { compileGlob } from '@aki/keyspace';
import { ReplyWriter } from '@aki/resp-codec';
import type { ClientSession } from './client-session.js';
import type { CommandSpec } from './commands/types.js';

/**
 * What one client is subscribed to. The registry creates it on the client's
 * first subscription, keeps it in step with its own maps, and sets
 * `ClientSession.subscriptions` back to null when the last one goes, so
 * "is this client in pub/sub mode" is one null check on the hot path.
 * Sets keep subscription order (UNSUBSCRIBE without arguments follows it).
 */
export class ClientSubscriptions {
  readonly channels = new Set<string>();
  readonly patterns = new Set<string>();
  readonly shardChannels = new Set<string>();

  /** The count SUBSCRIBE / UNSUBSCRIBE / PSUBSCRIBE / PUNSUBSCRIBE confirmations carry (shard channels excluded, as in Redis). */
  get count(): number {
    return this.channels.size + this.patterns.size;
  }

  get isEmpty(): boolean {
    return this.channels.size === 0 && this.patterns.size === 0 && this.shardChannels.size === 0;
  }
}

/** The subscribers of one pattern and its matcher, compiled once when the pattern gets its first subscriber. */
interface PatternSubscription {
  readonly matches: (channel: string) => boolean;
  readonly subscribers: Set<ClientSession>;
}

/** The three namespaces a client can subscribe in. */
export type SubscriptionKind = 'channel' | 'pattern' | 'shard';

/**
 * The server's pub/sub registry: channel -> subscribers, pattern ->
 * subscribers, shard channel -> subscribers, each in subscription order, plus
 * every client's own subscriptions (on the session). Delivery writes the
 * message into each receiver's reply buffer and asks its transport to flush.
 *
 * Shard channels (SSUBSCRIBE / SPUBLISH) are a separate namespace: in a
 * non-cluster server they behave exactly like plain channels, but a
 * SUBSCRIBE to "x" never hears an SPUBLISH to "x", and patterns never match
 * shard channels.
 *
 * Output-buffer limits for pub/sub clients (client-output-buffer-limit
 * pubsub) are not enforced: a slow subscriber's buffer grows without bound.
 */
export class PubSub {
  private readonly channels = new Map<string, Set<ClientSession>>();
  private readonly patterns = new Map<string, PatternSubscription>();
  private readonly shardChannels = new Map<string, Set<ClientSession>>();
  /** Scratch writers that encode a message once per protocol, whatever the number of receivers. */
  private readonly encoders = { 2: new ReplyWriter(256), 3: new ReplyWriter(256) };

  /** Number of channels with at least one subscriber (INFO pubsub_channels). */
  get channelCount(): number {
    return this.channels.size;
  }

  /** Number of distinct patterns with at least one subscriber (INFO pubsub_patterns, PUBSUB NUMPAT). */
  get patternCount(): number {
    return this.patterns.size;
  }

  /** Number of shard channels with at least one subscriber (INFO pubsubshard_channels). */
  get shardChannelCount(): number {
    return this.shardChannels.size;
  }

  /** Subscribes `client` to `name` in the namespace `kind`; a repeated subscription changes nothing. */
  subscribe(client: ClientSession, kind: SubscriptionKind, name: string): void {
    let own = client.subscriptions;
    if (own === null) {
      own = new ClientSubscriptions();
      client.subscriptions = own;
    }
    if (kind === 'pattern') {
      if (own.patterns.has(name)) return;
      own.patterns.add(name);
      let entry = this.patterns.get(name);
      if (entry === undefined) {
        entry = { matches: compileGlob(name), subscribers: new Set() };
        this.patterns.set(name, entry);
      }
      entry.subscribers.add(client);
      return;
    }
    const mine = kind === 'channel' ? own.channels : own.shardChannels;
    if (mine.has(name)) return;
    mine.add(name);
    const registry = kind === 'channel' ? this.channels : this.shardChannels;
    let subscribers = registry.get(name);
    if (subscribers === undefined) {
      subscribers = new Set();
      registry.set(name, subscribers);
    }
    subscribers.add(client);
  }

  /** Removes one subscription of `client`; returns false when it had none by that name. */
  unsubscribe(client: ClientSession, kind: SubscriptionKind, name: string): boolean {
    const own = client.subscriptions;
    if (own === null) return false;
    if (kind === 'pattern') {
      if (!own.patterns.delete(name)) return false;
      const entry = this.patterns.get(name)!;
      entry.subscribers.delete(client);
      if (entry.subscribers.size === 0) this.patterns.delete(name);
    } else {
      const mine = kind === 'channel' ? own.channels : own.shardChannels;
      if (!mine.delete(name)) return false;
      const registry = kind === 'channel' ? this.channels : this.shardChannels;
      const subscribers = registry.get(name)!;
      subscribers.delete(client);
      if (subscribers.size === 0) registry.delete(name);
    }
    if (own.isEmpty) client.subscriptions = null;
    return true;
  }

  /** The names `client` is subscribed to in `kind`, in subscription order (a copy: safe to unsubscribe while iterating). */
  subscriptionsOf(client: ClientSession, kind: SubscriptionKind): string[] {
    const own = client.subscriptions;
    if (own === null) return [];
    return [...(kind === 'channel' ? own.channels : kind === 'pattern' ? own.patterns : own.shardChannels)];
  }

  /** Drops every subscription of `client` without notifying it (disconnect, RESET). */
  unsubscribeAll(client: ClientSession): void {
    const own = client.subscriptions;
    if (own === null) return;
    for (const kind of ['channel', 'pattern', 'shard'] as const) {
      for (const name of this.subscriptionsOf(client, kind)) this.unsubscribe(client, kind, name);
    }
    client.subscriptions = null;
  }

  /**
   * PUBLISH: delivers `message` to the subscribers of `channel`, then to the
   * subscribers of every pattern matching it (a client subscribed to the
   * channel and to two matching patterns receives three messages). Returns
   * the number of messages delivered, which is what PUBLISH replies.
   */
  publish(channel: string, message: string): number {
    let delivered = 0;
    const subscribers = this.channels.get(channel);
    if (subscribers !== undefined) {
      delivered += this.deliver(subscribers, 'message', null, channel, message);
    }
    for (const [pattern, entry] of this.patterns) {
      if (entry.matches(channel)) delivered += this.deliver(entry.subscribers, 'pmessage', pattern, channel, message);
    }
    return delivered;
  }

  /** SPUBLISH: delivers `message` as `smessage` to the subscribers of the shard channel; returns their number. */
  publishShard(channel: string, message: string): number {
    const subscribers = this.shardChannels.get(channel);
    return subscribers === undefined ? 0 : this.deliver(subscribers, 'smessage', null, channel, message);
  }

  /** Channels (or shard channels) with subscribers, optionally only those matching a glob pattern. */
  activeChannels(kind: 'channel' | 'shard', pattern?: string): string[] {
    const registry = kind === 'channel' ? this.channels : this.shardChannels;
    if (pattern === undefined) return [...registry.keys()];
    const matches = compileGlob(pattern);
    const found: string[] = [];
    for (const name of registry.keys()) if (matches(name)) found.push(name);
    return found;
  }

  /** Number of clients subscribed to `channel` (pattern subscriptions not counted: PUBSUB NUMSUB). */
  subscriberCount(kind: 'channel' | 'shard', channel: string): number {
    return (kind === 'channel' ? this.channels : this.shardChannels).get(channel)?.size ?? 0;
  }

  /**
   * Writes one message to each subscriber: `[kind, channel, message]`, or
   * `[kind, pattern, channel, message]` for a pattern match, as a RESP3 push
   * or a RESP2 array. The frame is encoded at most once per protocol and
   * copied into each receiver's buffer. A client already closing is counted
   * (as Redis counts it until it is freed) but sent nothing.
   */
  private deliver(
    subscribers: Set<ClientSession>,
    kind: string,
    pattern: string | null,
    channel: string,
    message: string,
  ): number {
    let resp2: Buffer | undefined;
    let resp3: Buffer | undefined;
    for (const client of subscribers) {
      if (client.closing) continue;
      let frame: Buffer;
      if (client.protocol === 3) frame = resp3 ??= this.encode(3, kind, pattern, channel, message);
      else frame = resp2 ??= this.encode(2, kind, pattern, channel, message);
      client.reply.raw(frame);
      client.transport.requestFlush();
    }
    return subscribers.size;
  }

  private encode(protocol: 2 | 3, kind: string, pattern: string | null, channel: string, message: string): Buffer {
    const writer = this.encoders[protocol];
    writer.protocol = protocol;
    writer.pushHeader(pattern === null ? 3 : 4);
    writer.bulk(kind);
    if (pattern !== null) writer.bulk(pattern);
    writer.bulk(channel);
    writer.bulk(message);
    return writer.take();
  }
}

/** Commands a RESP2 client may still run while it holds subscriptions (top-level names). */
const ALLOWED_WHILE_SUBSCRIBED = new Set([
  'subscribe',
  'unsubscribe',
  'psubscribe',
  'punsubscribe',
  'ssubscribe',
  'sunsubscribe',
  'ping',
  'quit',
  'reset',
]);

/**
 * The subscribed-mode gate: a RESP2 connection with at least one
 * subscription (of any kind) carries messages interleaved with replies, so
 * it may only run the (un)subscribe commands, PING, QUIT and RESET. RESP3
 * pushes are told apart from replies, so RESP3 has no restriction. Returns
 * the error to refuse `spec` with, or null to let it run. `spec.name` is the
 * full name Redis quotes (`client|list` for a subcommand).
 */
export function subscribedModeRefusal(client: ClientSession, spec: CommandSpec): string | null {
  if (client.subscriptions === null || client.protocol !== 2 || ALLOWED_WHILE_SUBSCRIBED.has(spec.name)) return null;
  return `ERR Can't execute '${spec.name}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`;
}
