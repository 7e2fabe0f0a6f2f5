import { randomBytes } from 'node:crypto';
import { Keyspace } from '@aki/keyspace';
import pino, { type Logger } from 'pino';
import { ClientSession, type ClientTransport } from './client-session.js';
import { allCommands } from './commands/all.js';
import { CommandTable } from './commands/table.js';
import { ServerConfig } from './config/index.js';
import { BlockedClients } from './blocking.js';
import { Dispatcher } from './dispatcher.js';
import { EffectPropagator } from './effects.js';
import { NO_PERSISTENCE } from './persistence/control.js';
import { ReplyGate } from './persistence/reply-gate.js';
import { PubSub } from './pubsub.js';
import { ReplicationService } from './replication/service.js';
import { type KeyChangeObserver, reportWrittenKeys } from './key-changes.js';
import type { ServerState, ShutdownRequest } from './server-state.js';
import { ServerStats } from './stats.js';
import { WatchRegistry } from './watch.js';

/** The Redis version aki is compatible with, reported as redis_version. */
export const REDIS_COMPAT_VERSION = '7.2.4';

export interface ServerCoreOptions {
  config?: ServerConfig;
  logger?: Logger;
  version?: string;
  /** Wall clock in unix ms (tests inject a fake one). */
  clock?: () => number;
}

/**
 * The server without sockets: state, command table, dispatcher and effect
 * stream, plus session creation. AkiServer adds listeners and timers; tests
 * drive it directly with in-memory transports.
 */
export class ServerCore {
  readonly state: ServerState;
  readonly dispatcher: Dispatcher;
  private nextClientId = 1;
  private shutdownHandler: (request: ShutdownRequest) => Promise<string | null> = async () =>
    'ERR shutdown is not available in this server';

  constructor(options: ServerCoreOptions = {}) {
    const config = options.config ?? new ServerConfig();
    const clock = options.clock ?? Date.now;
    const propagator = new EffectPropagator();
    const stats = new ServerStats();
    const keyspace = new Keyspace({
      databases: config.get('databases'),
      onExpired: (dbIndex, key) => {
        stats.expiredKeys++;
        propagator.record(dbIndex, ['DEL', key]);
      },
    });
    const core = this;
    const commands = new CommandTable(allCommands);
    const blocking = new BlockedClients();
    const watches = new WatchRegistry(keyspace);
    const databases = keyspace.databases.length;
    const keyChanges: KeyChangeObserver = {
      keyChanged(dbIndex, key) {
        if (!watches.isEmpty) watches.keyChanged(dbIndex, key);
        if (!blocking.isEmpty) blocking.keyChanged(dbIndex, key);
      },
      // WATCH hears of these from the commands themselves, before they act (databaseWillChange).
      databaseChanged(dbIndex) {
        blocking.databaseChanged(dbIndex);
      },
    };
    propagator.onEffect = (dbIndex, argv) => {
      if (watches.isEmpty && blocking.isEmpty) return;
      reportWrittenKeys(commands, databases, dbIndex, argv, keyChanges);
    };
    this.state = {
      keyspace,
      config,
      propagator,
      stats,
      commands,
      clients: new Map(),
      pubsub: new PubSub(),
      blocking,
      watches,
      runQueued(client, spec, argv, now) {
        core.dispatcher.runQueued(client, spec, argv, now);
      },
      unblock(client, how) {
        return core.dispatcher.unblock(client, how);
      },
      logger: (options.logger ?? pino({ level: 'silent' })).child({ component: 'server' }),
      version: options.version ?? '0.0.0',
      redisVersion: REDIS_COMPAT_VERSION,
      runId: randomBytes(20).toString('hex'),
      // Installed right below: the service needs the state and the dispatcher.
      replication: undefined as unknown as ReplicationService,
      startedAt: clock(),
      clock,
      tcpPort: 0,
      configFile: '',
      loading: false,
      persistence: NO_PERSISTENCE,
      replyGate: new ReplyGate(),
      requestShutdown(request) {
        return core.shutdownHandler(request);
      },
    };
    this.dispatcher = new Dispatcher(this.state);
    this.state.replication = new ReplicationService(this.state, this.dispatcher);
  }

  /** Installs what SHUTDOWN calls (AkiServer sets it). */
  onShutdownRequest(handler: (request: ShutdownRequest) => Promise<string | null>): void {
    this.shutdownHandler = handler;
  }

  /** Creates and registers the session of a newly accepted connection. */
  openSession(transport: ClientTransport): ClientSession {
    const config = this.state.config;
    const session = new ClientSession(this.nextClientId++, transport, this.state.clock(), {
      authenticated: config.get('requirepass') === '',
      maxBulkLength: config.get('proto-max-bulk-len'),
    });
    this.state.clients.set(session.id, session);
    this.state.stats.totalConnectionsReceived++;
    return session;
  }

  /** Forgets a session whose connection closed. */
  closeSession(session: ClientSession): void {
    const hooks = session.closeHooks;
    session.closeHooks = null;
    if (hooks !== null) for (const hook of hooks) hook();
    this.state.clients.delete(session.id);
    if (session.replicaPeer !== null) this.state.replication.leader.detach(session.replicaPeer);
    this.state.pubsub.unsubscribeAll(session);
    this.dispatcher.forget(session);
  }
}
