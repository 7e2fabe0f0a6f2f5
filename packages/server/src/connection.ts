import type { Socket } from 'node:net';
import type { ReplicaChannel } from '@aki/replication';
import { ProtocolError } from '@aki/resp-codec';
import type { ClientSession, ClientTransport } from './client-session.js';
import type { ServerCore } from './core.js';
import { dropOverflowedClient } from './dispatcher.js';
import type { HeldReplies } from './persistence/reply-gate.js';
import type { ServerState } from './server-state.js';

/** Commands run for one client before yielding the event loop to others. */
const COMMANDS_PER_TURN = 4096;
/** Stop reading from a client whose unsent replies exceed this, until they drain. */
const OUTPUT_PAUSE_BYTES = 16 * 1024 * 1024;
/** A client that has not authenticated may buffer at most this much unparsed input. */
const UNAUTHENTICATED_QUERY_LIMIT = 1024 * 1024;
/**
 * A subscriber that lets this much output queue up unread is disconnected:
 * Redis's default hard limit for pub/sub clients (client-output-buffer-limit
 * pubsub 32mb 8mb 60; aki applies the hard limit only). Without it one slow
 * subscriber makes the server buffer every message for it without bound.
 */
const PUBSUB_OUTPUT_LIMIT_BYTES = 32 * 1024 * 1024;
/** "Possible SECURITY ATTACK" is logged at most this often. */
const SECURITY_WARNING_INTERVAL_MS = 60_000;

let lastSecurityWarning = 0;

/** True for peers on the loopback interface. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined) return false;
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

/** An IPv4 peer as IPv4 (Node reports "::ffff:127.0.0.1" on dual-stack sockets). */
const plainAddress = (address: string): string => (address.startsWith('::ffff:') ? address.slice(7) : address);

function formatAddress(address: string | undefined, port: number | undefined): string {
  if (address === undefined) return '?:0';
  return `${plainAddress(address)}:${port ?? 0}`;
}

/**
 * Binds one socket to one client session: reads go through the session's
 * request parser to the dispatcher, and everything the commands of one read
 * event replied leaves in a single socket write (the measured big win over a
 * write per reply). Bad input never throws out of here: protocol errors get
 * their reply and close the connection, as Redis does.
 */
export class Connection implements ClientTransport, HeldReplies {
  readonly session: ClientSession;
  readonly remoteAddress: string;
  readonly localAddress: string;
  readonly isLocal: boolean;
  private endAfterFlush = false;
  private flushScheduled = false;
  private yielded = false;
  private pausedForOutput = false;
  /** Set while the server shuts down: nothing more is read or run (see pauseCommands). */
  private commandsPaused = false;
  /**
   * Replies waiting for the AOF to make durable what they could have
   * observed (see ReplyGate): each with the effect-stream offset it waits
   * for, oldest first. Later replies queue behind earlier ones, so replies
   * leave in order.
   */
  private held: Array<{ bytes: Buffer; offset: number }> = [];
  private heldBytes = 0;
  /** Reading stopped because held replies passed OUTPUT_PAUSE_BYTES (a stalled fsync must not buffer without bound). */
  private pausedForHeld = false;
  /** Set once the peer became a follower (replicaChannel): replies are dropped, the leader writes the stream. */
  private replicaLink = false;

  constructor(
    private readonly core: ServerCore,
    private readonly socket: Socket,
  ) {
    this.remoteAddress = formatAddress(socket.remoteAddress, socket.remotePort);
    this.localAddress = formatAddress(socket.localAddress, socket.localPort);
    this.isLocal = isLoopbackAddress(socket.remoteAddress);
    this.session = core.openSession(this);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => this.onDrain());
    socket.on('error', () => {
      // ECONNRESET and friends: 'close' follows and cleans up.
    });
    socket.on('close', () => this.onClose());
  }

  /**
   * Stops running this client's commands (a shutdown is making the data
   * durable): the socket stops reading, and input already buffered waits.
   */
  pauseCommands(): void {
    this.commandsPaused = true;
    this.socket.pause();
  }

  /** Undoes pauseCommands (the shutdown was refused): runs what was buffered and reads on. */
  resumeCommands(): void {
    if (!this.commandsPaused) return;
    this.commandsPaused = false;
    if (!this.pausedForOutput && !this.pausedForHeld && !this.yielded) this.socket.resume();
    if (this.session.parser.bufferedBytes !== 0) this.requestFlush();
  }

  closeAfterFlush(): void {
    this.endAfterFlush = true;
  }

  replicaChannel(): ReplicaChannel {
    const socket = this.socket;
    // What was answered before PSYNC (the REPLCONF +OKs) leaves first; it observed no data, so no gate applies.
    for (const held of this.held) socket.write(held.bytes);
    this.held.length = 0;
    this.heldBytes = 0;
    this.core.state.replyGate.forget(this);
    const pending = this.session.reply.take();
    if (pending.length !== 0) socket.write(pending);
    this.replicaLink = true;
    return {
      address: plainAddress(socket.remoteAddress ?? '?'),
      write: (bytes) => {
        if (!socket.destroyed) socket.write(bytes);
      },
      get pendingBytes() {
        return socket.writableLength;
      },
      close: () => this.destroy(),
    };
  }

  destroy(): void {
    this.session.closing = true;
    this.socket.destroy();
    // At once, not on 'close': a client killed mid-batch must not be served a pop meanwhile.
    this.core.closeSession(this.session);
  }

  requestFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // After the current event's work: every message of one PUBLISH batch leaves in one write.
    setImmediate(() => {
      this.flushScheduled = false;
      const session = this.session;
      // A client released from a blocking command reads on: its pipeline may hold more commands.
      if (!session.blocked && !session.closing && !this.yielded && session.parser.bufferedBytes !== 0) {
        this.processInput();
      } else {
        this.flush();
      }
    });
  }

  private onData(chunk: Buffer): void {
    const session = this.session;
    const stats = this.core.state.stats;
    stats.netInputBytes += chunk.length;
    if (session.closing) return;
    session.lastInteraction = this.core.state.clock();
    session.parser.feed(chunk);
    this.processInput();
  }

  /** Runs every complete command buffered, up to COMMANDS_PER_TURN, then flushes. */
  private processInput(): void {
    const session = this.session;
    const dispatcher = this.core.dispatcher;
    dispatcher.beginBatch();
    try {
      if (!this.runCommands()) return;
    } finally {
      dispatcher.endBatch();
    }
    if (!session.closing) this.enforceQueryBufferLimit();
    this.flush();
  }

  /** The command loop of processInput; false when the connection was dropped (nothing to flush). */
  private runCommands(): boolean {
    const session = this.session;
    const parser = session.parser;
    const dispatcher = this.core.dispatcher;
    let processed = 0;
    try {
      // A blocked client reads nothing more until it is served (its input stays buffered).
      while (!session.closing && !session.blocked && !this.commandsPaused) {
        if (processed === COMMANDS_PER_TURN) {
          this.yieldTurn();
          break;
        }
        const argv = parser.next();
        if (argv === null) break;
        if (this.looksLikeHttp(argv[0]!)) return false;
        dispatcher.execute(session, argv);
        processed++;
      }
      // A blocked or paused client's input stays unparsed until it goes on:
      // the parser must own it, as the shared read buffer is reused by the next read.
      if (session.blocked || this.commandsPaused) parser.compact();
    } catch (error) {
      if (!(error instanceof ProtocolError)) {
        // A bug, not bad input: drop this client, keep the server and everyone else.
        this.core.state.logger.error({ err: error, client: session.id }, 'internal error while reading a request');
        this.destroy();
        return false;
      }
      // Redis logs these at verbose level: a misbehaving client must not flood the log.
      this.core.state.logger.debug(
        `Protocol error (${error.message}) from client: id=${session.id} addr=${this.remoteAddress}`,
      );
      session.reply.error(error.message);
      session.closeAfterReply();
    }
    return true;
  }

  /** Lets other clients run before continuing a long pipeline. */
  private yieldTurn(): void {
    this.session.parser.compact();
    if (this.yielded) return;
    this.yielded = true;
    this.socket.pause();
    setImmediate(() => {
      this.yielded = false;
      if (this.session.closing) return;
      if (!this.pausedForOutput && !this.pausedForHeld && !this.commandsPaused) this.socket.resume();
      this.processInput();
    });
  }

  /**
   * Browsers can be made to POST to port 6379; Redis closes such connections
   * without a reply so the body's lines are never run as inline commands.
   */
  private looksLikeHttp(name: string): boolean {
    // First letter 'p' or 'h' (any case) before anything costlier: this runs for every command.
    const first = name.charCodeAt(0) | 0x20;
    if ((first !== 0x70 && first !== 0x68) || (name.length !== 4 && name.length !== 5)) return false;
    const lower = name.toLowerCase();
    if (lower !== 'post' && lower !== 'host:') return false;
    const now = Date.now();
    if (now - lastSecurityWarning > SECURITY_WARNING_INTERVAL_MS) {
      lastSecurityWarning = now;
      this.core.state.logger.warn(
        `Possible SECURITY ATTACK detected: a client at ${this.remoteAddress} sent an HTTP request line (POST or Host:), as a browser tricked into cross-protocol scripting would. Connection closed without a reply.`,
      );
    }
    this.destroy();
    return true;
  }

  private enforceQueryBufferLimit(): void {
    const session = this.session;
    const buffered = session.parser.bufferedBytes;
    const stats = this.core.state.stats;
    if (buffered > stats.recentMaxInputBuffer) stats.recentMaxInputBuffer = buffered;
    const limit = session.authenticated
      ? this.core.state.config.get('client-query-buffer-limit')
      : UNAUTHENTICATED_QUERY_LIMIT;
    if (buffered > limit) {
      this.core.state.logger.warn(
        { client: session.id, addr: this.remoteAddress, qbuf: buffered },
        'Closing client that reached max query buffer length',
      );
      this.destroy();
    }
  }

  private flush(): void {
    const reply = this.session.reply;
    if (this.replicaLink) {
      // A follower never gets replies (REPLCONF ACK has none; anything else it sends is answered nowhere).
      reply.take();
      return;
    }
    if (reply.overflowed) return dropOverflowedClient(this.core.state, this.session);
    if (reply.length !== 0 && !this.socket.destroyed) {
      const bytes = reply.take();
      const state = this.core.state;
      const stats = state.stats;
      stats.netOutputBytes += bytes.length;
      if (bytes.length > stats.recentMaxOutputBuffer) stats.recentMaxOutputBuffer = bytes.length;
      const observed = state.propagator.offset;
      if (this.held.length === 0 && state.replyGate.releasedOffset >= observed) {
        if (!this.send(bytes)) return;
      } else {
        this.held.push({ bytes, offset: observed });
        this.heldBytes += bytes.length;
        state.replyGate.wait(this);
        if (this.heldBytes > OUTPUT_PAUSE_BYTES && !this.pausedForHeld) {
          this.pausedForHeld = true;
          this.socket.pause();
        }
      }
    }
    if (this.endAfterFlush && this.held.length === 0 && !this.socket.destroyed) this.socket.end();
  }

  releaseUpTo(released: number): boolean {
    const held = this.held;
    let sent = 0;
    while (sent < held.length && held[sent]!.offset <= released && !this.socket.destroyed) {
      const bytes = held[sent++]!.bytes;
      this.heldBytes -= bytes.length;
      if (!this.send(bytes)) break;
    }
    if (sent !== 0) held.splice(0, sent);
    if (this.pausedForHeld && this.heldBytes <= OUTPUT_PAUSE_BYTES / 2) {
      this.pausedForHeld = false;
      if (!this.pausedForOutput && !this.yielded && !this.commandsPaused && !this.session.closing) this.socket.resume();
    }
    if (this.socket.destroyed) {
      held.length = 0;
      this.heldBytes = 0;
      return true;
    }
    if (held.length !== 0) return false;
    if (this.endAfterFlush) this.socket.end();
    return true;
  }

  /** Writes reply bytes to the socket and applies the output limits; false when the client was dropped. */
  private send(bytes: Buffer): boolean {
    this.socket.write(bytes);
    if (this.session.subscriptions !== null && this.socket.writableLength > PUBSUB_OUTPUT_LIMIT_BYTES) {
      dropSlowSubscriber(this.core.state, this.session, this.socket.writableLength);
      return false;
    }
    if (this.socket.writableLength > OUTPUT_PAUSE_BYTES && !this.pausedForOutput) {
      this.pausedForOutput = true;
      this.socket.pause();
    }
    return true;
  }

  private onDrain(): void {
    if (!this.pausedForOutput) return;
    this.pausedForOutput = false;
    if (!this.yielded && !this.session.closing && !this.commandsPaused && !this.pausedForHeld) this.socket.resume();
  }

  private onClose(): void {
    this.session.closing = true;
    this.held.length = 0;
    this.heldBytes = 0;
    this.core.state.replyGate.forget(this);
    this.core.closeSession(this.session);
  }
}

function dropSlowSubscriber(state: ServerState, session: ClientSession, queued: number): void {
  state.logger.warn(
    `Client id=${session.id} addr=${session.transport.remoteAddress} closed for overcoming of output buffer limits (pubsub: ${queued} bytes queued unread).`,
  );
  session.transport.destroy();
}

/** Text of the -DENIED reply sent to remote clients in protected mode. */
export const PROTECTED_MODE_DENIED =
  '-DENIED Running in protected mode because protected mode is enabled and no password is set for the default user. ' +
  'In this mode connections are only accepted from the loopback interface. To accept remote clients, do one of: ' +
  "1) run 'CONFIG SET protected-mode no' from a loopback connection (make sure the server is not reachable from the internet); " +
  "2) set 'protected-mode no' in the configuration file and restart; " +
  "3) restart with the '--protected-mode no' option; " +
  '4) set a password for the default user (requirepass).\r\n';
