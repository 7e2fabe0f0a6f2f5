import net from 'node:net';
import pino, { type Logger } from 'pino';
import { encodeCommand } from '@aki/resp-codec';
import { LeaderInput, LeaderProtocolError } from './leader-input.js';
import { REPLICATION_ID_LENGTH, newReplicationId } from './replication-id.js';
import { StreamCommandReader } from './stream-reader.js';

/**
 * The follower's side of one replication link: connects to the leader,
 * runs Redis's handshake (PING, AUTH, REPLCONF, PSYNC), receives the full
 * sync payload or the partial-resync stream, applies the stream through the
 * server's handlers and acknowledges once a second. A failed attempt is
 * retried after a pause, forever, until `stop()`.
 *
 * The link knows neither the dataset nor the RDB format: a payload is handed
 * whole to `FollowerHandlers.loadPayload`, which validates and loads it (or
 * refuses), and each stream command to `apply`.
 */

/** Link states, as ROLE names them. */
export type LinkState = 'connect' | 'connecting' | 'handshake' | 'sync' | 'connected';

export interface FollowerHandlers {
  /**
   * What PSYNC asks for: the cached history and the first offset still
   * needed, or undefined to ask for a full sync (`PSYNC ? -1`).
   */
  psyncRequest(): { replid: string; offset: number; failover?: boolean } | undefined;
  /**
   * A full sync's payload arrived whole. Resolves true once it is loaded and
   * the server continues history `replid` at `offset`; false (or a
   * rejection) when it was refused or could not be loaded: the link drops
   * and the current dataset stays.
   */
  loadPayload(replid: string, offset: number, payload: Buffer[]): Promise<boolean>;
  /** +CONTINUE: the leader continues our history, possibly under a new id. */
  continued(replid: string | undefined): void;
  /** One command of the stream, `bytes` long. REPLCONF GETACK comes here too, after its ACK left. */
  apply(argv: string[], bytes: number): void;
  /** The stream read so far was applied (end of one read): pass what was applied on. */
  applied(): void;
  /** Bytes of the leader's stream processed (what ACK reports). */
  processedOffset(): number;
  /** Stream offset fsynced to the local AOF, or -1 without an AOF (FACK). */
  aofSyncedOffset(): number;
  /** The stream from the leader was malformed: the next attempt should ask for a full sync. */
  streamBroken?(): void;
  /** The link went up or down (INFO, blocked clients, stale-data policy). */
  stateChanged?(state: LinkState): void;
}

export interface FollowerSettings {
  masterauth: string;
  masteruser: string;
  /** REPLCONF listening-port. */
  listeningPort: number;
  /** REPLCONF ip-address, or '' for none. */
  announceIp: string;
  /** Seconds of silence after which the link is given up (repl-timeout). */
  timeout: number;
}

export interface FollowerLinkOptions {
  host: string;
  port: number;
  handlers: FollowerHandlers;
  settings: () => FollowerSettings;
  logger?: Logger;
  clock?: () => number;
  /** First retry delay after a failed attempt (ms). */
  retryDelayMs?: number;
}

/** Most replies to the handshake commands before PSYNC (AUTH, listening-port, ip-address, capa). */
type Expected = 'auth' | 'port' | 'ip' | 'capa';

/** How long to wait before retrying, growing on consecutive failures (ms). */
const MAX_RETRY_DELAY_MS = 5000;
const ACK_INTERVAL_MS = 1000;

export class FollowerLink {
  private stateValue: LinkState = 'connect';
  private socket: net.Socket | undefined;
  private input = new LeaderInput();
  private stream = new StreamCommandReader();
  private step: 'pong' | 'replies' | 'psync' | 'payload-header' | 'payload' | 'loading' | 'stream' = 'pong';
  private expected: Expected[] = [];
  private fullSync: { replid: string; offset: number } | undefined;
  private payload: Buffer[] = [];
  /** Bytes announced by `$<len>`, or -1 for an EOF-marked payload. */
  private payloadTotal = 0;
  private payloadRead = 0;
  private eofFraming = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private ackTimer: NodeJS.Timeout | undefined;
  private failures = 0;
  private stopped = false;
  private paused = false;
  private ackSoon = false;
  /** Unix ms of the last byte received from the leader. */
  lastIoAt = 0;
  /** Unix ms when the link was last lost (or this link created), for master_link_down_since_seconds. */
  downSince: number;
  /** True once the link was up at least once. */
  everUp = false;
  private readonly clock: () => number;
  private readonly logger: Logger;

  constructor(private readonly options: FollowerLinkOptions) {
    this.clock = options.clock ?? Date.now;
    this.logger = options.logger ?? pino({ level: 'silent' });
    this.downSince = this.clock();
  }

  get host(): string {
    return this.options.host;
  }

  get port(): number {
    return this.options.port;
  }

  get state(): LinkState {
    return this.stateValue;
  }

  /**
   * While a full sync is in progress (payload being received, then loaded):
   * its size (0 when EOF-marked, so unknown) and bytes read so far.
   */
  get transfer(): { total: number; read: number } | undefined {
    if (this.step !== 'payload' && this.step !== 'payload-header' && this.step !== 'loading') return undefined;
    return { total: this.eofFraming ? 0 : this.payloadTotal, read: this.payloadRead };
  }

  start(): void {
    this.connect();
  }

  /** Ends the link for good (REPLICAOF NO ONE or another leader). */
  stop(): void {
    this.stopped = true;
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    this.closeSocket();
    this.setState('connect');
  }

  /**
   * Stops applying the stream (the server is shutting down and saves what it
   * has): bytes wait in the socket, and the timeout check rests.
   */
  pause(): void {
    this.paused = true;
    this.socket?.pause();
  }

  /** Undoes pause (the shutdown was refused). */
  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.lastIoAt = this.clock();
    if (this.step !== 'loading') this.socket?.resume();
  }

  /** Drops the connection and reconnects after a pause (CLIENT KILL TYPE master, a protocol error). */
  drop(reason: string): void {
    if (this.socket === undefined) return;
    this.logger.info(`Connection with master lost: ${reason}`);
    this.fail();
  }

  /** Sends REPLCONF ACK now (also used after an EOF-marked payload and for GETACK). */
  sendAck(offset = this.options.handlers.processedOffset()): void {
    const socket = this.socket;
    if (socket === undefined || this.stateValue !== 'connected') return;
    const aof = this.options.handlers.aofSyncedOffset();
    const argv = ['REPLCONF', 'ACK', String(offset)];
    if (aof >= 0) argv.push('FACK', String(aof));
    socket.write(encodeCommand(argv));
  }

  /**
   * Sends an ACK at the end of this event-loop turn (once, however often it
   * is asked): the local AOF fsynced more of the stream, which WAITAOF on
   * the leader waits to hear (FACK).
   */
  sendAckSoon(): void {
    if (this.ackSoon || this.stateValue !== 'connected') return;
    this.ackSoon = true;
    setImmediate(() => {
      this.ackSoon = false;
      this.sendAck();
    });
  }

  /** Called once a second: the repl-timeout check. */
  tick(): void {
    if (this.socket === undefined || this.step === 'loading' || this.paused) return;
    const timeoutMs = this.options.settings().timeout * 1000;
    if (this.clock() - this.lastIoAt > timeoutMs) {
      const what = this.stateValue === 'connected' ? 'MASTER timeout: no data nor PING received...' : 'Timeout connecting to the MASTER...';
      this.logger.warn(what);
      this.fail();
    }
  }

  // -------------------------------------------------------------------------

  private connect(): void {
    if (this.stopped) return;
    this.retryTimer = undefined;
    this.input = new LeaderInput();
    this.stream = new StreamCommandReader();
    this.step = 'pong';
    this.payload = [];
    this.payloadRead = 0;
    this.fullSync = undefined;
    this.lastIoAt = this.clock();
    this.logger.info(`Connecting to MASTER ${this.options.host}:${this.options.port}`);
    const socket = net.connect({ host: this.options.host, port: this.options.port });
    this.socket = socket;
    this.setState('connecting');
    socket.setNoDelay(true);
    socket.on('connect', () => {
      this.logger.info('MASTER <-> REPLICA sync started');
      this.setState('handshake');
      this.lastIoAt = this.clock();
      socket.write(encodeCommand(['PING']));
    });
    socket.on('data', (chunk: Buffer) => this.onData(socket, chunk));
    socket.on('error', (error) => {
      if (this.socket === socket) this.logger.warn(`Error condition on socket for SYNC: ${error.message}`);
    });
    socket.on('close', () => {
      if (this.socket !== socket) return;
      if (this.stateValue === 'connected') this.logger.info('Connection with master lost.');
      this.fail();
    });
  }

  /** Ends this attempt and schedules the next. */
  private fail(): void {
    this.closeSocket();
    this.setState('connect');
    if (this.stopped) return;
    this.failures++;
    const delay = Math.min((this.options.retryDelayMs ?? 1000) * Math.max(1, this.failures - 2), MAX_RETRY_DELAY_MS);
    this.retryTimer = setTimeout(() => this.connect(), this.failures === 1 ? (this.options.retryDelayMs ?? 1000) : delay);
    this.retryTimer.unref();
  }

  private closeSocket(): void {
    const socket = this.socket;
    this.socket = undefined;
    if (this.ackTimer !== undefined) clearInterval(this.ackTimer);
    this.ackTimer = undefined;
    socket?.destroy();
  }

  private setState(state: LinkState): void {
    if (state === this.stateValue) return;
    const wasUp = this.stateValue === 'connected';
    this.stateValue = state;
    if (wasUp) this.downSince = this.clock();
    if (state === 'connected') {
      this.everUp = true;
      this.failures = 0;
    }
    this.options.handlers.stateChanged?.(state);
  }

  private onData(socket: net.Socket, chunk: Buffer): void {
    if (this.socket !== socket) return;
    this.lastIoAt = this.clock();
    this.guarded(() => {
      if (this.step === 'stream') {
        this.stream.feed(chunk);
        this.runStream();
        return;
      }
      this.input.feed(chunk);
      this.advance();
    });
  }

  /**
   * Runs link work; whatever it throws ends this attempt (and a retry
   * follows) instead of escaping: bad bytes from a leader never take the
   * server down.
   */
  private guarded(work: () => void): void {
    try {
      work();
    } catch (error) {
      if (error instanceof LeaderProtocolError) {
        this.logger.warn(`Protocol error from MASTER: ${error.message}; reconnecting`);
        // The stream did not continue where we thought: do not trust our offset into it again.
        if (this.step === 'stream') this.options.handlers.streamBroken?.();
      } else {
        this.logger.error({ err: error }, 'internal error on the replication link; reconnecting');
      }
      this.fail();
    }
  }

  /** Runs the handshake state machine as far as the buffered input allows. */
  private advance(): void {
    const socket = this.socket!;
    const settings = this.options.settings();
    for (;;) {
      switch (this.step) {
        case 'pong': {
          const line = this.input.readLine();
          if (line === null) return;
          if (line.startsWith('-') && !/^-(NOAUTH|NOPERM|ERR operation not permitted)/.test(line)) {
            this.logger.warn(`Error reply to PING from master: '${line}'`);
            return this.fail();
          }
          this.sendHandshake(socket, settings);
          this.step = 'replies';
          break;
        }
        case 'replies': {
          const line = this.input.readLine();
          if (line === null) return;
          const what = this.expected.shift()!;
          if (line.startsWith('-')) {
            if (what === 'auth') {
              this.logger.warn(`Unable to AUTH to MASTER: ${line.slice(1)}`);
              return this.fail();
            }
            this.logger.info(`(Non critical) Master does not understand REPLCONF ${what === 'capa' ? 'capa' : what === 'ip' ? 'ip-address' : 'listening-port'}: ${line.slice(1)}`);
          }
          if (this.expected.length === 0) {
            this.sendPsync(socket);
            this.step = 'psync';
          }
          break;
        }
        case 'psync': {
          const line = this.input.readLine();
          if (line === null) return;
          if (!this.onPsyncReply(socket, line)) return;
          break;
        }
        case 'payload-header': {
          const header = this.input.readPayloadHeader();
          if (header === null) return;
          if (header.kind === 'error') {
            this.logger.warn(`MASTER aborted replication with an error: ${header.message}`);
            return this.fail();
          }
          this.eofFraming = header.kind === 'eof';
          this.payloadTotal = header.kind === 'length' ? header.length : -1;
          this.payloadRead = 0;
          this.logger.info(
            `MASTER <-> REPLICA sync: receiving ${this.eofFraming ? 'streamed RDB from master with EOF to parser' : `${this.payloadTotal} bytes from master to memory`}`,
          );
          this.step = 'payload';
          break;
        }
        case 'payload': {
          const { chunks, done } = this.input.readPayload();
          for (const chunk of chunks) {
            this.payload.push(chunk);
            this.payloadRead += chunk.length;
          }
          if (!done) return;
          this.loadPayload(socket);
          return;
        }
        case 'loading':
        case 'stream':
          return;
      }
    }
  }

  private sendHandshake(socket: net.Socket, settings: FollowerSettings): void {
    this.expected = [];
    if (settings.masterauth !== '') {
      const argv = settings.masteruser !== '' ? ['AUTH', settings.masteruser, settings.masterauth] : ['AUTH', settings.masterauth];
      socket.write(encodeCommand(argv));
      this.expected.push('auth');
    }
    socket.write(encodeCommand(['REPLCONF', 'listening-port', String(settings.listeningPort)]));
    this.expected.push('port');
    if (settings.announceIp !== '') {
      socket.write(encodeCommand(['REPLCONF', 'ip-address', settings.announceIp]));
      this.expected.push('ip');
    }
    socket.write(encodeCommand(['REPLCONF', 'capa', 'eof', 'capa', 'psync2']));
    this.expected.push('capa');
  }

  private sendPsync(socket: net.Socket): void {
    const request = this.options.handlers.psyncRequest();
    if (request === undefined) {
      this.logger.info('Partial resynchronization not possible (no cached master)');
      socket.write(encodeCommand(['PSYNC', '?', '-1']));
    } else {
      this.logger.info(`Trying a partial resynchronization (request ${request.replid}:${request.offset}).`);
      const argv = ['PSYNC', request.replid, String(request.offset)];
      // FAILOVER: we were the leader and hand the role over to this server (it promotes itself).
      if (request.failover === true) argv.push('FAILOVER');
      socket.write(encodeCommand(argv));
    }
  }

  /** Handles the reply to PSYNC (or SYNC); false when the attempt ended. */
  private onPsyncReply(socket: net.Socket, line: string): boolean {
    if (line.startsWith('+FULLRESYNC')) {
      const [, replid, offsetText] = line.split(' ');
      const offset = offsetText !== undefined && /^[0-9]{1,16}$/.test(offsetText) ? Number(offsetText) : Number.NaN;
      if (replid === undefined || replid.length !== REPLICATION_ID_LENGTH || !Number.isSafeInteger(offset)) {
        this.logger.warn(`Master replied with wrong +FULLRESYNC syntax: '${line}'`);
        this.fail();
        return false;
      }
      this.logger.info(`Full resync from master: ${replid}:${offset}`);
      this.fullSync = { replid, offset };
      this.beginTransfer();
      return true;
    }
    if (line.startsWith('+CONTINUE')) {
      // Anything but a 40-character id after +CONTINUE is no id (Redis ignores it too).
      const candidate = line.slice(10).trim();
      const replid = candidate.length === REPLICATION_ID_LENGTH ? candidate : undefined;
      this.logger.info(`Successful partial resynchronization with master${replid === undefined ? '' : ` (replication id ${replid})`}.`);
      this.options.handlers.continued(replid);
      this.beginStream(socket, this.input.takeRest());
      return false;
    }
    if (line.startsWith('-NOMASTERLINK') || line.startsWith('-LOADING')) {
      this.logger.info(`Master is currently unable to PSYNC but should be in the future: ${line}`);
      this.fail();
      return false;
    }
    if (line.startsWith('-')) {
      // A leader without PSYNC: fall back to the old SYNC, whose reply is the payload itself.
      this.logger.info(`Master does not support PSYNC or is in error state (reply: ${line}); trying SYNC`);
      this.fullSync = { replid: newReplicationId(), offset: 0 };
      socket.write(encodeCommand(['SYNC']));
      this.beginTransfer();
      return true;
    }
    this.logger.warn(`Unexpected reply to PSYNC from master: ${line}`);
    this.fail();
    return false;
  }

  /** A full sync's payload comes next (ROLE and INFO: sync, master_sync_in_progress). */
  private beginTransfer(): void {
    this.step = 'payload-header';
    this.payloadTotal = 0;
    this.payloadRead = 0;
    this.eofFraming = false;
    this.setState('sync');
  }

  private loadPayload(socket: net.Socket): void {
    const { replid, offset } = this.fullSync!;
    const payload = this.payload;
    this.payload = [];
    this.step = 'loading';
    // Stream bytes that arrive meanwhile stay queued in the socket (TCP holds the leader back).
    socket.pause();
    const rest = this.input.takeRest();
    this.logger.info('MASTER <-> REPLICA sync: Loading DB in memory');
    this.options.handlers.loadPayload(replid, offset, payload).then(
      (loaded) => {
        if (this.socket !== socket) return;
        if (!loaded) return this.fail();
        this.logger.info('MASTER <-> REPLICA sync: Finished with success');
        // The socket rested while loading: repl-timeout counts from now, or a load longer than it would drop the link at once.
        this.lastIoAt = this.clock();
        // A Redis leader holds an EOF-marked sync's stream back until this first ACK.
        const ackNow = this.eofFraming;
        this.guarded(() => this.beginStream(socket, rest));
        if (this.socket !== socket) return;
        if (!this.paused) socket.resume();
        if (ackNow) this.sendAck();
      },
      (error: unknown) => {
        this.logger.warn(`MASTER <-> REPLICA sync: failed to load the payload: ${(error as Error).message}`);
        if (this.socket === socket) this.fail();
      },
    );
  }

  private beginStream(socket: net.Socket, rest: Buffer): void {
    this.step = 'stream';
    this.setState('connected');
    this.ackTimer = setInterval(() => this.sendAck(), ACK_INTERVAL_MS);
    this.ackTimer.unref();
    if (rest.length !== 0) {
      this.stream.feed(rest);
      this.runStream();
    }
    void socket;
  }

  /** Applies every complete command of the stream buffered so far. */
  private runStream(): void {
    const handlers = this.options.handlers;
    let any = false;
    try {
      for (;;) {
        const command = this.stream.next();
        if (command === null) break;
        any = true;
        const { argv, bytes } = command;
        if (argv.length === 3 && argv[0]!.toUpperCase() === 'REPLCONF' && argv[1]!.toUpperCase() === 'GETACK') {
          // The answer reports the offset before the GETACK itself, as Redis's followers do.
          this.sendAck(handlers.processedOffset());
        }
        handlers.apply(argv, bytes);
        if (this.socket === undefined) break;
      }
    } finally {
      if (any) {
        handlers.applied();
        // Acknowledge what this read applied right away (once per event-loop
        // turn), not only on GETACK or the 1 s timer: a WAIT on the leader is
        // then usually answered without the GETACK round trip.
        this.sendAckSoon();
      }
    }
  }
}
