import type { ReplicaChannel, ReplicaPeer } from '@aki/replication';
import { ReplyWriter, RequestParser } from '@aki/resp-codec';
import type { ClientSubscriptions } from './pubsub.js';
import type { CommandSpec } from './commands/types.js';

/**
 * Most reply bytes a client may have pending at once. Redis sets no limit for
 * normal clients (client-output-buffer-limit normal 0 0 0), so one command
 * can make it allocate without bound; aki closes a client whose pending
 * output passes 1 GiB (see dropOverflowedClient), far above any reply a
 * client can use.
 */
export const MAX_PENDING_REPLY_BYTES = 1024 * 1024 * 1024;

/** A command queued between MULTI and EXEC, already checked for existence and arity. */
export interface QueuedCommand {
  readonly spec: CommandSpec;
  readonly argv: string[];
}

/** What a session needs from its transport; tests provide an in-memory one. */
export interface ClientTransport {
  readonly remoteAddress: string;
  readonly localAddress: string;
  /** True for loopback and unix-socket peers (protected mode, enable-*-command local). */
  readonly isLocal: boolean;
  /** Closes the connection once pending replies are flushed. */
  closeAfterFlush(): void;
  /** Closes the connection at once, dropping pending output. */
  destroy(): void;
  /**
   * Hands the connection over to replication after PSYNC/SYNC: pending
   * replies are sent first; from then on the leader writes the stream itself
   * and no reply reaches this peer. Absent for transports without a socket.
   */
  replicaChannel?(): ReplicaChannel;
  /**
   * Asks for the session's pending replies to be sent soon, outside the
   * client's own read event: a pub/sub message or the reply of a blocked
   * command that another client's write served. Cheap to call repeatedly.
   */
  requestFlush(): void;
}

/**
 * The state of one client connection that commands read and change: identity,
 * selected database, protocol version, authentication, names for CLIENT LIST.
 * Knows nothing of sockets beyond its transport.
 */
export class ClientSession {
  name = '';
  libName = '';
  libVersion = '';
  dbIndex = 0;
  authenticated: boolean;
  /** Lower-case name of the last command run (CLIENT LIST cmd=). */
  lastCommand = 'NULL';
  lastInteraction: number;
  /** Set by QUIT, protocol errors and CLIENT KILL: stop reading, flush, close. */
  closing = false;
  /**
   * Pub/sub subscriptions, owned by the server's PubSub registry (which keeps
   * them in step with its maps); null while the client has none, so the
   * subscribed-mode check is one comparison.
   */
  subscriptions: ClientSubscriptions | null = null;
  readonly reply: ReplyWriter;
  readonly parser: RequestParser;
  /** The dispatcher's reusable per-client command context (opaque here). */
  executionContext: unknown;
  /** Commands queued since MULTI, or null outside a transaction. */
  transaction: QueuedCommand[] | null = null;
  /** A command was refused while queueing (unknown, wrong arity, ...): EXEC answers EXECABORT. */
  transactionFailed = false;
  /** A WATCHed key changed since WATCH: EXEC answers null (see WatchRegistry). */
  watchedKeyChanged = false;
  /** True while the client waits in a blocking command: it reads no further commands. */
  blocked = false;
  /** Effect-stream offset right after this client's last command, reads included (Redis's woff: what WAIT/WAITAOF wait for). */
  writeOffset = 0;
  /** Run once when the session closes (a parked WAIT cancels its wait). */
  closeHooks: Array<() => void> | null = null;
  /** Ends a wait parked outside the blocking registry (WAIT, WAITAOF) for CLIENT UNBLOCK; null otherwise. */
  unblockHook: ((how: 'timeout' | 'error') => void) | null = null;
  /** What this client declared with REPLCONF listening-port / ip-address / capa (a follower-to-be). */
  replicaDeclaration: { listeningPort: number; announcedIp: string | undefined; capabilities: Set<string> } | null = null;
  /** True for a follower's pseudo-client that applies its leader's stream (CLIENT LIST flag M, TYPE master). */
  isLeaderLink = false;
  /** Set once PSYNC/SYNC made this connection a follower of ours; it gets no replies after that. */
  replicaPeer: ReplicaPeer | null = null;

  constructor(
    readonly id: number,
    readonly transport: ClientTransport,
    readonly createdAt: number,
    options: { authenticated: boolean; maxBulkLength: number },
  ) {
    this.authenticated = options.authenticated;
    this.lastInteraction = createdAt;
    this.reply = new ReplyWriter();
    this.reply.maxLength = MAX_PENDING_REPLY_BYTES;
    this.parser = new RequestParser({ maxBulkLength: options.maxBulkLength });
    this.parser.authenticated = options.authenticated;
  }

  get protocol(): 2 | 3 {
    return this.reply.protocol;
  }

  set protocol(version: 2 | 3) {
    this.reply.protocol = version;
  }

  /** Marks the session authenticated; lifts the parser's unauthenticated limits. */
  authenticate(): void {
    this.authenticated = true;
    this.parser.authenticated = true;
  }

  /** Stop processing input, flush what is pending, then close. */
  closeAfterReply(): void {
    this.closing = true;
    this.transport.closeAfterFlush();
  }
}
