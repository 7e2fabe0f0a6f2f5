import { ReplyWriter, RequestParser } from '@aki/resp-codec';

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
  readonly reply: ReplyWriter;
  readonly parser: RequestParser;
  /** The dispatcher's reusable per-client command context (opaque here). */
  executionContext: unknown;

  constructor(
    readonly id: number,
    readonly transport: ClientTransport,
    readonly createdAt: number,
    options: { authenticated: boolean; maxBulkLength: number },
  ) {
    this.authenticated = options.authenticated;
    this.lastInteraction = createdAt;
    this.reply = new ReplyWriter();
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
