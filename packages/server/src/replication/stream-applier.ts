import { encodeCommand } from '@aki/resp-codec';
import { ClientSession, type ClientTransport } from '../client-session.js';
import type { Dispatcher } from '../dispatcher.js';
import type { ServerState } from '../server-state.js';

/**
 * The leader's pseudo-client has no socket of its own: its replies are
 * dropped (a follower never answers its leader), and closing it (CLIENT
 * KILL TYPE master) drops the link, which reconnects with PSYNC.
 */
function leaderTransport(link: { readonly address: string; drop(): void }): ClientTransport {
  const drop = () => link.drop();
  return {
    get remoteAddress() {
      return link.address;
    },
    localAddress: '',
    isLocal: false,
    closeAfterFlush: drop,
    destroy: drop,
    requestFlush() {},
  };
}

/**
 * Applies the leader's stream on a follower, command by command, as the
 * leader's pseudo-client, and passes what was applied on verbatim to this
 * server's own sinks (AOF, backlog, sub-followers), so every node of a chain
 * holds the same bytes at the same offsets.
 *
 * Offsets move at command boundaries, and a transaction counts only once
 * its EXEC was applied: a link that drops inside MULTI forgets the queued
 * part, and the PSYNC that follows asks for the stream from the MULTI again.
 */
export class StreamApplier {
  readonly session: ClientSession;
  /** Stream bytes applied (the follower's processed offset). */
  processed: number;
  /** Commands applied since the last `flush`, waiting to be passed on. */
  private applied: string[][] = [];
  /** The open transaction's commands and bytes, from MULTI on. */
  private transaction: string[][] = [];
  private transactionBytes = 0;

  constructor(
    private readonly state: ServerState,
    private readonly dispatcher: Dispatcher,
    startOffset: number,
    streamDb: number,
    link: { readonly address: string; drop(): void },
  ) {
    this.session = new ClientSession(0, leaderTransport(link), state.clock(), {
      authenticated: true,
      maxBulkLength: Number.MAX_SAFE_INTEGER,
    });
    this.session.isLeaderLink = true;
    this.session.dbIndex = streamDb;
    this.processed = startOffset;
  }

  /** The database the stream has selected (an RDB written now records it as repl-stream-db). */
  get streamDb(): number {
    return this.session.dbIndex;
  }

  /** Applies one command of `bytes` stream bytes. */
  apply(argv: string[], bytes: number): void {
    const name = argv[0]!.toLowerCase();
    const inTransaction = this.session.transaction !== null;
    // REPLCONF GETACK was answered by the link; PING needs no work. Both still travel on.
    if (name !== 'replconf' && name !== 'ping') this.run(argv);
    if (name === 'multi' && !inTransaction) {
      this.transaction = [argv];
      this.transactionBytes = bytes;
      return;
    }
    if (this.session.transaction !== null || inTransaction) {
      this.transaction.push(argv);
      this.transactionBytes += bytes;
      if (this.session.transaction !== null) return;
      // EXEC or DISCARD closed it: the whole transaction now counts.
      for (const command of this.transaction) this.applied.push(command);
      this.processed += this.transactionBytes;
      this.transaction = [];
      this.transactionBytes = 0;
      return;
    }
    this.applied.push(argv);
    this.processed += bytes;
  }

  /** Passes every command applied since the last call on to the sinks, as one batch. */
  flush(): void {
    const commands = this.applied;
    if (commands.length === 0) return;
    this.applied = [];
    const bytes =
      commands.length === 1 ? encodeCommand(commands[0]!) : Buffer.concat(commands.map((argv) => encodeCommand(argv)));
    this.state.propagator.appendVerbatim(commands, bytes);
  }

  /** The link dropped: a transaction still open is forgotten (its bytes were never counted). */
  abandonTransaction(): void {
    this.session.transaction = null;
    this.session.transactionFailed = false;
    this.transaction = [];
    this.transactionBytes = 0;
  }

  private run(argv: string[]): void {
    const keyspace = this.state.keyspace;
    // The leader decided this command against keys it still had: apply it to the same keys here.
    keyspace.setExpiryMode('keep');
    try {
      const problem = this.dispatcher.applyFromLeader(this.session, argv);
      if (problem !== null) {
        this.state.logger.warn(`== CRITICAL == This replica failed to apply a command from its master: ${problem}`);
      }
    } finally {
      keyspace.setExpiryMode('hide');
      this.session.reply.take();
    }
  }
}
