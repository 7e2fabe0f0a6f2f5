import type { Database } from '@aki/keyspace';
import type { ReplyWriter } from '@aki/resp-codec';
import type { ClientSession } from './client-session.js';
import type { BlockRequest, CommandContext, CommandSpec } from './commands/types.js';
import { Err } from './errors.js';
import { subscribedModeRefusal } from './pubsub.js';
import type { ServerState } from './server-state.js';
import type { CommandStats } from './stats.js';

/**
 * Runs one command for one client, applying policy once in Redis's order:
 * unknown command, arity, authentication, loading; then the handler, then the
 * effect commit. Handlers never re-check these gates. An exception from a
 * handler is a bug: the client gets -ERR internal error (any partial reply is
 * discarded first) and keeps its connection.
 */
export class Dispatcher {
  /** Stats of the commands run since beginBatch(), one entry per command; endBatch() shares the time out. */
  private readonly batch: CommandStats[] = [];
  private inBatch = false;
  private batchStarted = 0;
  /** The blocked-client timeout timer and the deadline it fires for. */
  private timer: NodeJS.Timeout | undefined;
  private timerDeadline: number | undefined;

  constructor(private readonly server: ServerState) {}

  /**
   * Starts timing a batch of commands (those of one read event). Reading the
   * clock costs about as much as running a GET (measured: two reads per
   * command took 20-28% of SET/GET throughput at -P 16), so commands run
   * inside a batch are timed together and the elapsed time is shared equally
   * among them: INFO commandstats usec totals stay exact, while usec_per_call
   * is averaged within each batch. Outside a batch each command is timed alone.
   */
  beginBatch(): void {
    this.inBatch = true;
    this.batch.length = 0;
    this.batchStarted = performance.now();
  }

  /** Ends the batch begun by beginBatch(), crediting each command its share of the time. */
  endBatch(): void {
    this.inBatch = false;
    const batch = this.batch;
    if (batch.length === 0) return;
    const share = ((performance.now() - this.batchStarted) * 1000) / batch.length;
    for (let i = 0; i < batch.length; i++) batch[i]!.usec += share;
    batch.length = 0;
  }

  execute(client: ClientSession, argv: string[]): void {
    const server = this.server;
    const top = server.commands.get(argv[0]!);
    if (top === undefined) {
      client.lastCommand = 'NULL';
      return this.reject(client, Err.unknownCommand(argv[0]!, argv.slice(1)));
    }
    let spec: CommandSpec = top;
    if (top.subcommands !== undefined && (argv.length >= 2 || top.handler === undefined)) {
      client.lastCommand = top.name;
      if (argv.length < 2) return this.rejectCall(client, top, Err.wrongArity(top.name));
      const sub = server.commands.getSubcommand(top, argv[1]!);
      if (sub === undefined) return this.reject(client, Err.unknownSubcommand(top.name, argv[1]!));
      spec = sub;
    }
    client.lastCommand = spec.name;
    const arity = spec.arity;
    if (arity > 0 ? argv.length !== arity : argv.length < -arity) {
      return this.rejectCall(client, spec, Err.wrongArity(spec.name));
    }
    if (!client.authenticated && !spec.flags.includes('no_auth')) {
      return this.rejectCall(client, spec, Err.noAuth);
    }
    // Redis refuses PING too, so a health check notices the disk error (MISCONF).
    if (server.persistence.writeRefusal !== null && (spec.flags.includes('write') || spec.name === 'ping')) {
      return this.rejectCall(client, spec, server.persistence.writeRefusal);
    }
    // NOREPLICAS, READONLY, MASTERDOWN: the replication role's gates.
    if (server.replication.gated) {
      const refusal = this.roleRefusal(client, spec);
      if (refusal !== null) return this.rejectCall(client, spec, refusal);
    }
    // RESP2 subscribed mode (Redis checks it here, after auth and before loading).
    const pubsubRefusal = client.subscriptions === null ? null : subscribedModeRefusal(client, spec);
    if (pubsubRefusal !== null) return this.rejectCall(client, spec, pubsubRefusal);
    if (server.loading && !spec.flags.includes('loading')) {
      return this.rejectCall(client, spec, Err.loading);
    }
    if (client.transaction !== null && !runsDuringMulti(spec)) {
      if (spec.flags.includes('no_multi')) return this.rejectCall(client, spec, ERR_NOT_IN_MULTI);
      client.transaction.push({ spec, argv });
      client.reply.simple('QUEUED');
      return;
    }

    // A FAILOVER pauses writes, and whatever else moves the stream (PUBLISH): the client waits,
    // then its command runs (and meets the new role).
    if (server.replication.failover.writesPaused && movesStream(spec)) {
      client.blocked = true;
      server.replication.failover.holdWrite(() => {
        client.blocked = false;
        if (client.closing) return;
        this.execute(client, argv);
        client.transport.requestFlush();
      });
      return;
    }
    this.run(client, spec, argv, this.server.clock(), false);
    if (server.blocking.hasReadyKeys) this.serveBlockedClients();
  }

  /**
   * The replication role's refusal of `spec` for `client`, or null. EXEC
   * counts as a write when its transaction holds one (the role may have
   * changed since the writes were queued): it then ends the transaction
   * with EXECABORT and the reason, as Redis does.
   */
  private roleRefusal(client: ClientSession, spec: CommandSpec): string | null {
    const queued = spec.name === 'exec' ? client.transaction : null;
    const write = spec.flags.includes('write') || (queued?.some((q) => q.spec.flags.includes('write')) ?? false);
    const refusal = this.server.replication.refusal(spec, write);
    if (refusal === null || queued === null) return refusal;
    client.transaction = null;
    client.transactionFailed = false;
    this.server.watches.unwatchAll(client);
    return `EXECABORT Transaction discarded because of: ${refusal}`;
  }

  /**
   * Runs a command read back from the AOF for the loading pseudo-client,
   * without the gates (it passed them when it first ran, and loading itself
   * would refuse it). Returns an error text when the command is unknown or
   * has the wrong arity, which means the file is not an AOF aki can replay.
   */
  replay(client: ClientSession, argv: string[]): string | null {
    const server = this.server;
    let spec = server.commands.get(argv[0]!);
    if (spec === undefined) return `Unknown command '${argv[0]}' reading the append only file`;
    if (spec.subcommands !== undefined && (argv.length >= 2 || spec.handler === undefined)) {
      spec = argv.length < 2 ? undefined : server.commands.getSubcommand(spec, argv[1]!);
      if (spec === undefined) return `Unknown command '${argv.slice(0, 2).join(' ')}' reading the append only file`;
    }
    const arity = spec.arity;
    if (arity > 0 ? argv.length !== arity : argv.length < -arity) {
      return `Wrong number of arguments for '${spec.name}' reading the append only file`;
    }
    this.run(client, spec, argv, server.clock(), false);
    return null;
  }

  /**
   * Runs a command of this follower's leader for its pseudo-client. None of
   * the gates apply (the leader ran them, and a read-only follower must still
   * apply its leader's writes), but MULTI queues as for any client, so no
   * reader sees half a transaction. Returns null, or the error text when the
   * command failed (unknown, wrong arity, an error reply): the follower has
   * then diverged, which the caller logs.
   */
  applyFromLeader(client: ClientSession, argv: string[]): string | null {
    const server = this.server;
    let spec = server.commands.get(argv[0]!);
    if (spec !== undefined && spec.subcommands !== undefined && (argv.length >= 2 || spec.handler === undefined)) {
      spec = argv.length < 2 ? undefined : server.commands.getSubcommand(spec, argv[1]!);
    }
    if (spec === undefined) return `unknown command '${argv.slice(0, 2).join(' ')}'`;
    const arity = spec.arity;
    if (arity > 0 ? argv.length !== arity : argv.length < -arity) return `wrong number of arguments for '${spec.name}'`;
    if (client.transaction !== null && !runsDuringMulti(spec)) {
      client.transaction.push({ spec, argv });
      return null;
    }
    const replyStart = client.reply.length;
    this.run(client, spec, argv, server.clock(), false);
    if (server.blocking.hasReadyKeys) this.serveBlockedClients();
    if (!(client.executionContext as ExecutionContext).failed) return null;
    const reply = client.reply.take().subarray(replyStart).toString('latin1');
    return `'${argv.slice(0, 3).join(' ')}' answered ${reply.trim()}`;
  }

  /** Runs one queued command of a transaction (see ServerState.runQueued). */
  runQueued(client: ClientSession, spec: CommandSpec, argv: string[], now: number): void {
    // The queued command shares EXEC's context: EXEC's own outcome must survive it.
    const context = client.executionContext as ExecutionContext;
    const execFailed = context.failed;
    this.run(client, spec, argv, now, true);
    context.failed = execFailed;
  }

  /**
   * Runs a command's handler for `client` with its reusable context: the
   * effect bracket, exception containment and INFO commandstats.
   */
  private run(client: ClientSession, spec: CommandSpec, argv: string[], now: number, inTransaction: boolean): void {
    const server = this.server;
    const reply = client.reply;
    const context = this.contextFor(client, now);
    context.inTransaction = inTransaction;
    const replyStart = reply.length;
    const started = this.inBatch ? 0 : performance.now();
    const propagator = server.propagator;
    const keyspace = server.keyspace;
    // A snapshot in progress must copy a collection before a command may change it in place; read-only commands cannot.
    const guarded = keyspace.snapshotActive;
    if (guarded) keyspace.accessIsReadOnly = spec.flags.includes('readonly');
    propagator.beginCommand();
    try {
      spec.handler!(context, argv);
    } catch (error) {
      server.logger.error({ err: error, command: spec.name }, 'internal error while running a command');
      reply.truncate(replyStart);
      context.error(Err.internal);
    } finally {
      propagator.endCommand();
      if (guarded) keyspace.accessIsReadOnly = false;
    }
    // WAIT and WAITAOF wait for the stream offset after the client's last command, reads included (Redis's c->woff).
    client.writeOffset = propagator.offset;
    // Looked up after the handler: CONFIG RESETSTAT clears the table and counts itself afresh.
    const stats = server.stats.commandStats(spec.name);
    if (this.inBatch) this.batch.push(stats);
    else stats.usec += (performance.now() - started) * 1000;
    stats.calls++;
    if (context.failed) stats.failedCalls++;
    server.stats.totalCommandsProcessed++;
    context.inTransaction = false;
    if (reply.overflowed) dropOverflowedClient(server, client);
  }

  // -------------------------------------------------------------------------
  // Blocked clients

  /** Parks `client` (CommandContext.block). */
  park(client: ClientSession, request: BlockRequest): void {
    client.blocked = true;
    this.server.blocking.block(client, client.dbIndex, request);
    if (request.deadline !== 0) this.scheduleBlockedTimeout();
  }

  /**
   * Serves clients blocked on keys that writes touched, oldest first per key,
   * until no key is ready: serving one client may make other keys ready (a
   * BLMOVE pushes), so it loops. Each serve is its own effect batch, after
   * the write that woke it, as Redis propagates it.
   */
  serveBlockedClients(): void {
    const blocking = this.server.blocking;
    while (blocking.hasReadyKeys) {
      for (const [dbIndex, key] of blocking.takeReadyKeys()) {
        const db = this.server.keyspace.db(dbIndex);
        const now = this.server.clock();
        for (const waiter of blocking.waitersOf(dbIndex, key)) {
          // Once a pop emptied (and so deleted) the key, nobody else can be served from it.
          if (!db.has(key, now)) break;
          if (!blocking.isBlocked(waiter.client) || waiter.client.closing) continue;
          if (this.callBlocked(waiter.client, (ctx) => waiter.request.tryServe(ctx, key))) {
            this.release(waiter.client);
          }
        }
      }
    }
  }

  /** Times out every blocked client whose deadline passed (the timer and tests call this). */
  expireBlockedClients(): void {
    const now = this.server.clock();
    for (const waiter of this.server.blocking.expiredAt(now)) {
      this.release(waiter.client);
      this.callBlocked(waiter.client, (ctx) => {
        waiter.request.timeout(ctx);
        return true;
      });
    }
    this.scheduleBlockedTimeout();
  }

  /**
   * CLIENT UNBLOCK: ends `client`'s wait with its timeout reply, or with the
   * UNBLOCKED error. False when the client was not blocked.
   */
  unblock(client: ClientSession, how: 'timeout' | 'error'): boolean {
    const waiter = this.server.blocking.remove(client);
    if (waiter === undefined) {
      const hook = client.unblockHook;
      if (hook === null) return false;
      hook(how);
      return true;
    }
    this.release(client);
    this.callBlocked(client, (ctx) => {
      if (how === 'timeout') waiter.request.timeout(ctx);
      else ctx.error(Err.unblocked);
      return true;
    });
    return true;
  }

  /**
   * Ends every blocked client's wait with `error` (the server became a
   * follower: what they waited for can no longer happen here).
   */
  unblockAll(error: string): void {
    for (const client of this.server.blocking.clients()) {
      this.server.blocking.remove(client);
      this.release(client);
      this.callBlocked(client, (ctx) => {
        ctx.error(error);
        return true;
      });
    }
  }

  /** A session closed: drop what the server keeps for it (blocked wait, WATCHed keys, transaction). */
  forget(client: ClientSession): void {
    this.server.blocking.remove(client);
    client.blocked = false;
    this.server.watches.unwatchAll(client);
    client.transaction = null;
  }

  /**
   * Runs a blocked client's callback as a command of its own: fresh context
   * and time, effect bracket, exceptions contained. Returns the callback's
   * result (an exception counts as served: the client got an error).
   */
  private callBlocked(client: ClientSession, callback: (ctx: ExecutionContext) => boolean): boolean {
    const server = this.server;
    const context = this.contextFor(client, server.clock());
    const replyStart = client.reply.length;
    const propagator = server.propagator;
    propagator.beginCommand();
    try {
      return callback(context);
    } catch (error) {
      server.logger.error({ err: error, client: client.id }, 'internal error while serving a blocked client');
      client.reply.truncate(replyStart);
      context.error(Err.internal);
      return true;
    } finally {
      propagator.endCommand();
      client.writeOffset = propagator.offset;
    }
  }

  /** Parks `client` for CommandContext.suspend and returns the function that finishes its command. */
  suspend(client: ClientSession): (finish: (ctx: CommandContext) => void) => void {
    client.blocked = true;
    let finished = false;
    return (finish) => {
      if (finished) return;
      finished = true;
      if (client.closing) return;
      this.callBlocked(client, (ctx) => {
        finish(ctx);
        return true;
      });
      this.release(client);
    };
  }

  /** Unparks `client` (if still parked) and lets its connection send the reply and read on. */
  private release(client: ClientSession): void {
    this.server.blocking.remove(client);
    client.blocked = false;
    client.transport.requestFlush();
  }

  /** One timer for the earliest deadline of any blocked client. */
  private scheduleBlockedTimeout(): void {
    const next = this.server.blocking.nextDeadline();
    if (next === this.timerDeadline) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerDeadline = next;
    if (next === undefined) return;
    const delay = Math.min(Math.max(next - this.server.clock(), 0), MAX_TIMER_DELAY_MS);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerDeadline = undefined;
      this.expireBlockedClients();
    }, delay);
    this.timer.unref();
  }

  /** Refuses a known command before it runs (INFO commandstats rejected_calls). */
  private rejectCall(client: ClientSession, spec: CommandSpec, error: string): void {
    this.server.stats.commandStats(spec.name).rejectedCalls++;
    this.reject(client, error);
  }

  private reject(client: ClientSession, error: string): void {
    // A command refused while queueing dooms the transaction (EXEC answers EXECABORT).
    if (client.transaction !== null) client.transactionFailed = true;
    this.server.stats.countError(error);
    client.reply.error(error);
  }

  private contextFor(client: ClientSession, now: number): ExecutionContext {
    let context = client.executionContext as ExecutionContext | undefined;
    if (context === undefined) {
      context = new ExecutionContext(this.server, client, this);
      client.executionContext = context;
    }
    context.db = this.server.keyspace.db(client.dbIndex);
    context.now = now;
    context.failed = false;
    return context;
  }
}

/**
 * A client whose pending output passed its limit lost replies, so its reply
 * stream can no longer be trusted: close it, as Redis closes a client over
 * its output-buffer limit. The command that overflowed still ran to its end
 * and propagated its effects, so no write is half-done.
 */
export function dropOverflowedClient(server: ServerState, client: ClientSession): void {
  if (client.closing) return;
  server.logger.warn(
    `Client id=${client.id} addr=${client.transport.remoteAddress} closed for overcoming of output buffer limits (over ${client.reply.maxLength} bytes pending).`,
  );
  client.closing = true;
  client.transport.destroy();
}

/** Commands that run at once inside MULTI instead of being queued (as Redis's processCommand lists them). */
const RUN_DURING_MULTI = new Set(['exec', 'discard', 'multi', 'watch', 'quit', 'reset']);

const runsDuringMulti = (spec: CommandSpec): boolean => RUN_DURING_MULTI.has(spec.name);

/** Commands a write pause holds: writes, EXEC (its queue may write), and PUBLISH, which reaches followers through the stream. */
const movesStream = (spec: CommandSpec): boolean =>
  spec.flags.includes('write') || spec.name === 'exec' || spec.name === 'publish' || spec.name === 'spublish';

const ERR_NOT_IN_MULTI = 'ERR Command not allowed inside a transaction';
/** setTimeout's longest delay; a later deadline is re-armed when this fires. */
const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

/** The per-client CommandContext, reused for every command of that client (no allocation per command). */
class ExecutionContext implements CommandContext {
  readonly reply: ReplyWriter;
  db!: Database;
  now = 0;
  /** Set when the handler replied with an error. */
  failed = false;
  inTransaction = false;

  constructor(
    readonly server: ServerState,
    readonly client: ClientSession,
    private readonly dispatcher: Dispatcher,
  ) {
    this.reply = client.reply;
  }

  propagate(argv: string[]): void {
    this.server.propagator.record(this.client.dbIndex, argv);
  }

  propagateIn(dbIndex: number, argv: string[]): void {
    this.server.propagator.record(dbIndex, argv);
  }

  signalModified(key: string): void {
    this.server.watches.keyChanged(this.client.dbIndex, key);
  }

  block(request: BlockRequest): void {
    if (this.inTransaction) throw new Error('a blocking command tried to block inside a transaction');
    this.dispatcher.park(this.client, request);
  }

  suspend(): (finish: (ctx: CommandContext) => void) => void {
    if (this.inTransaction) throw new Error('a command tried to suspend inside a transaction');
    return this.dispatcher.suspend(this.client);
  }

  error(message: string): void {
    this.failed = true;
    this.server.stats.countError(message);
    this.reply.error(message);
  }
}
