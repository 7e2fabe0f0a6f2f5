import type { Database } from '@aki/keyspace';
import type { ReplyWriter } from '@aki/resp-codec';
import type { ClientSession } from './client-session.js';
import type { CommandContext, CommandSpec } from './commands/types.js';
import { Err } from './errors.js';
import type { ServerState } from './server-state.js';

/**
 * Runs one command for one client, applying policy once in Redis's order:
 * unknown command, arity, authentication, loading; then the handler, then the
 * effect commit. Handlers never re-check these gates. An exception from a
 * handler is a bug: the client gets -ERR internal error (any partial reply is
 * discarded first) and keeps its connection.
 */
export class Dispatcher {
  constructor(private readonly server: ServerState) {}

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
    const started = performance.now();
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
    stats.usec += Math.round((performance.now() - started) * 1000);
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
