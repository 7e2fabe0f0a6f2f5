import type { Keyspace } from '@aki/keyspace';
import type { Logger } from 'pino';
import type { BlockedClients } from './blocking.js';
import type { ClientSession } from './client-session.js';
import type { CommandTable } from './commands/table.js';
import type { CommandSpec } from './commands/types.js';
import type { ServerConfig } from './config/index.js';
import type { EffectPropagator } from './effects.js';
import type { PersistenceControl } from './persistence/control.js';
import type { ReplyGate } from './persistence/reply-gate.js';
import type { PubSub } from './pubsub.js';
import type { ReplicationService } from './replication/service.js';
import type { ServerStats } from './stats.js';
import type { WatchRegistry } from './watch.js';

/** What SHUTDOWN asks of the process that owns the server. */
export interface ShutdownRequest {
  reason: string;
  /** SHUTDOWN SAVE (true) / NOSAVE (false); undefined saves when save points are configured. */
  save?: boolean | undefined;
  /** SHUTDOWN FORCE: exit even when the data could not be made durable. */
  force?: boolean;
  /** SHUTDOWN NOW: do not wait for lagging followers (shutdown-timeout). */
  now?: boolean;
}

/**
 * Server-wide state shared by every command handler: the keyspace, config,
 * counters, connected clients, the effect stream. The process-level parts
 * (listeners, timers) live in AkiServer, which fills in the hooks here.
 */
export interface ServerState {
  readonly keyspace: Keyspace;
  readonly config: ServerConfig;
  readonly propagator: EffectPropagator;
  readonly stats: ServerStats;
  readonly commands: CommandTable;
  readonly clients: Map<number, ClientSession>;
  /** Channel and pattern subscriptions of every client (SUBSCRIBE, PUBLISH, ...). */
  readonly pubsub: PubSub;
  /** Clients parked in blocking commands. */
  readonly blocking: BlockedClients;
  /** WATCHed keys of every client. */
  readonly watches: WatchRegistry;
  /**
   * Runs one queued command of a transaction for `client` (EXEC): the
   * handler with the dispatcher's context, stats and error handling, but
   * none of its gates (they ran at queueing time). Installed by the dispatcher.
   */
  runQueued(client: ClientSession, spec: CommandSpec, argv: string[], now: number): void;
  /** Serves or times out blocked clients as CLIENT UNBLOCK asks; true when `client` was blocked. */
  unblock(client: ClientSession, how: 'timeout' | 'error'): boolean;
  readonly logger: Logger;
  /** aki's own version; `redisVersion` is the Redis version it is compatible with. */
  readonly version: string;
  readonly redisVersion: string;
  readonly runId: string;
  /** This server's replication role, history, followers and link (installed by ServerCore). */
  replication: ReplicationService;
  /** Unix ms when the server started. */
  readonly startedAt: number;
  /** The injected wall clock (unix ms). */
  readonly clock: () => number;
  /** TCP port actually listened on (0 before listening). */
  tcpPort: number;
  /** Path of the config file the server started from, or '' when none. */
  configFile: string;
  /** True while the dataset loads; commands without the `loading` flag get -LOADING. */
  loading: boolean;
  /** AOF and RDB snapshots (inert until the owner starts persistence). */
  persistence: PersistenceControl;
  /** Holds replies until what they observed is durable (see ReplyGate). */
  readonly replyGate: ReplyGate;
  /**
   * Asks the owner to shut the server down. Resolves with an error reply
   * text when it refused (the data could not be saved); on success the
   * process exits and nothing resolves that anyone waits for.
   */
  requestShutdown(request: ShutdownRequest): Promise<string | null>;
}
