import type { Database } from '@aki/keyspace';
import type { ReplyWriter } from '@aki/resp-codec';
import type { ClientSession } from './client-session.js';
import type { CommandContext, CommandSpec } from './commands/types.js';
import { Err } from './errors.js';
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
    const reply = client.reply;
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
    if (server.loading && !spec.flags.includes('loading')) {
      return this.rejectCall(client, spec, Err.loading);
    }

    const context = this.contextFor(client);
    const replyStart = reply.length;
    const started = this.inBatch ? 0 : performance.now();
    server.propagator.beginCommand();
    try {
      spec.handler!(context, argv);
    } catch (error) {
      server.logger.error({ err: error, command: spec.name }, 'internal error while running a command');
      reply.truncate(replyStart);
      context.error(Err.internal);
    } finally {
      server.propagator.endCommand();
    }
    // Looked up after the handler: CONFIG RESETSTAT clears the table and counts itself afresh.
    const stats = server.stats.commandStats(spec.name);
    if (this.inBatch) this.batch.push(stats);
    else stats.usec += (performance.now() - started) * 1000;
    stats.calls++;
    if (context.failed) stats.failedCalls++;
    server.stats.totalCommandsProcessed++;
  }

  /** Refuses a known command before it runs (INFO commandstats rejected_calls). */
  private rejectCall(client: ClientSession, spec: CommandSpec, error: string): void {
    this.server.stats.commandStats(spec.name).rejectedCalls++;
    this.reject(client, error);
  }

  private reject(client: ClientSession, error: string): void {
    this.server.stats.countError(error);
    client.reply.error(error);
  }

  private contextFor(client: ClientSession): ExecutionContext {
    let context = client.executionContext as ExecutionContext | undefined;
    if (context === undefined) {
      context = new ExecutionContext(this.server, client);
      client.executionContext = context;
    }
    context.db = this.server.keyspace.db(client.dbIndex);
    context.now = this.server.clock();
    context.failed = false;
    return context;
  }
}

/** The per-client CommandContext, reused for every command of that client (no allocation per command). */
class ExecutionContext implements CommandContext {
  readonly reply: ReplyWriter;
  db!: Database;
  now = 0;
  /** Set when the handler replied with an error. */
  failed = false;

  constructor(
    readonly server: ServerState,
    readonly client: ClientSession,
  ) {
    this.reply = client.reply;
  }

  propagate(argv: string[]): void {
    this.server.propagator.record(this.client.dbIndex, argv);
  }

  propagateIn(dbIndex: number, argv: string[]): void {
    this.server.propagator.record(dbIndex, argv);
  }

  error(message: string): void {
    this.failed = true;
    this.server.stats.countError(message);
    this.reply.error(message);
  }
}
