import pino, { type Logger } from 'pino';
import { ReplicationBacklog } from './backlog.js';
import type { ReplicationHistory } from './history.js';

/**
 * The leader side of replication: the backlog, the followers attached to
 * this server, full syncs, acknowledgements and the waiters of WAIT and
 * WAITAOF. It knows the stream only as bytes with offsets and the dataset
 * only as an RDB payload that the server produces (FullSyncSource).
 */

/** One batch of the replication stream (the server's effect batches fit this shape). */
export interface StreamBatch {
  readonly bytes: Buffer;
  /** Stream offset of the batch's last byte. */
  readonly endOffset: number;
}

/** The server's stream, as the leader needs it. */
export interface ReplicationStream {
  /** Offset of the last byte appended (master_repl_offset). */
  readonly offset: number;
  /** Starts delivering every batch to `sink` (the first one begins with SELECT). */
  attach(sink: { append(batch: StreamBatch): void }): void;
  detach(sink: { append(batch: StreamBatch): void }): void;
  /** Appends a command that belongs to no database (PING, REPLCONF GETACK). */
  appendWithoutDb(argv: string[]): void;
  /**
   * Makes the next batch begin with SELECT. A full sync's payload records
   * database 0 as the stream's, so what follows its offset must select its
   * database itself (Redis resets slaveseldb at a full sync too).
   */
  resetSelectedDb(): void;
  /**
   * True when changes were made that the stream offset does not account for
   * (no sink was attached), since the last clearUntracked().
   */
  readonly untracked: boolean;
  clearUntracked(): void;
}

/** A follower's connection, as the server hands it over after PSYNC. */
export interface ReplicaChannel {
  /** Peer IP address (without port). */
  readonly address: string;
  write(bytes: Buffer | string): void;
  /** Bytes written but not yet sent to the peer. */
  readonly pendingBytes: number;
  /** Drops the connection (the peer's state is forgotten through `leader.detach`). */
  close(): void;
}

/** Produces the RDB payload of a full sync. */
export interface FullSyncSource {
  /**
   * Fixes a point-in-time view of the dataset now, synchronously (the
   * stream offset at this moment is the sync's offset), and resolves with
   * the payload. Undefined when no snapshot can start now (another one
   * runs); the leader retries on its next tick.
   */
  begin(): Promise<Buffer[]> | undefined;
}

export type ReplicaState = 'wait_bgsave' | 'send_bulk' | 'online';

/** What a follower declared with REPLCONF before PSYNC. */
export interface ReplicaDeclaration {
  listeningPort: number;
  announcedIp: string | undefined;
  capabilities: ReadonlySet<string>;
}

/** One follower attached to this leader. */
export class ReplicaPeer {
  state: ReplicaState = 'wait_bgsave';
  /** Highest offset the follower acknowledged (REPLCONF ACK). */
  ackOffset = 0;
  /** Highest offset the follower reported fsynced to its AOF (FACK), -1 when it never did. */
  aofOffset = -1;
  /** Unix ms of the last ACK (INFO lag, min-replicas-max-lag, repl-timeout). */
  lastAckAt: number;
  /** Connected with the old SYNC command: the payload comes without a +FULLRESYNC line. */
  legacySync = false;
  /**
   * While the payload drains (send_bulk): bytes queued up to the payload's
   * end when it was written, stream bytes written after it, how many had
   * left the queue at the last check and when that last grew. The output
   * limit counts only the stream part.
   */
  payloadEnd = 0;
  streamWritten = 0;
  lastDrainAt = 0;
  lastDrained = 0;
  /** Unix ms since the stream output has been over the soft limit, or 0. */
  overSoftSince = 0;

  constructor(
    readonly id: number,
    readonly channel: ReplicaChannel,
    readonly declaration: ReplicaDeclaration,
    now: number,
  ) {
    this.lastAckAt = now;
  }

  /** The address INFO and ROLE show: REPLCONF ip-address when given, else the peer's. */
  get address(): string {
    return this.declaration.announcedIp ?? this.channel.address;
  }
}

export type PsyncOutcome = 'continue' | 'full';

export interface LeaderOptions {
  history: ReplicationHistory;
  stream: ReplicationStream;
  payloads: FullSyncSource;
  settings: () => LeaderSettings;
  clock?: () => number;
  logger?: Logger;
}

export interface LeaderSettings {
  backlogSize: number;
  /** Seconds; 0 keeps the backlog forever. */
  backlogTtl: number;
  /** Seconds between stream PINGs. */
  pingPeriod: number;
  /** Seconds without an ACK after which an online follower is dropped. */
  timeout: number;
  /** Output a follower may have queued before it is dropped (0 = unlimited). */
  outputHardLimit: number;
  outputSoftLimit: number;
  outputSoftSeconds: number;
}

/** A WAIT or WAITAOF client waiting for acknowledgements: re-checked on every one, true ends the wait. */
type AckWaiter = () => boolean;

/** A full sync in progress: the followers waiting for one payload and the stream since its offset. */
interface SyncJob {
  offset: number;
  replid: string;
  peers: Set<ReplicaPeer>;
  /** Stream bytes after `offset`, sent after the payload. Shared by every peer of the job. */
  tail: Buffer[];
  tailBytes: number;
  started: boolean;
}

const GETACK = ['REPLCONF', 'GETACK', '*'];
/** A full sync may keep this many times the replica output limit queued (see overSyncLimit). */
const SYNC_LIMIT_FACTOR = 4;

export class ReplicationLeader {
  private readonly peers = new Set<ReplicaPeer>();
  private backlogStore: ReplicationBacklog | null = null;
  private job: SyncJob | null = null;
  private readonly waiters = new Set<AckWaiter>();
  private getAckScheduled = false;
  private nextPeerId = 1;
  private lastPingAt = 0;
  /** Unix ms since the leader has had no follower (backlog TTL). */
  private aloneSince: number;
  private readonly clock: () => number;
  private readonly logger: Logger;
  private relayingValue = false;
  /** True while this server follows a leader of its own: it passes that stream on and adds no PINGs. */
  get relaying(): boolean {
    return this.relayingValue;
  }

  /**
   * A follower never frees its backlog, so when it leads again (promotion)
   * the backlog TTL counts from then, as Redis restarts repl_no_slaves_since:
   * else the backlog and replid2 of a long-running follower would go at the
   * next tick and its old leader's other followers could not continue.
   */
  set relaying(on: boolean) {
    if (this.relayingValue && !on && this.peers.size === 0) this.aloneSince = this.clock();
    this.relayingValue = on;
  }

  /** Set while writes are paused for a failover: no PING or GETACK may move the offset. */
  streamFrozen = false;
  /** Counters for INFO stats. */
  readonly stats = { syncFull: 0, syncPartialOk: 0, syncPartialErr: 0 };
  private readonly sink = { append: (batch: StreamBatch) => this.append(batch) };
  /** Stream bytes appended this event-loop turn, not yet sent (see flushOutgoing). */
  private outgoing: Buffer[] = [];
  private outgoingBytes = 0;
  private flushScheduled = false;

  constructor(private readonly options: LeaderOptions) {
    this.clock = options.clock ?? Date.now;
    this.logger = options.logger ?? pino({ level: 'silent' });
    this.aloneSince = this.clock();
    // PINGs keep their period from start-up (as Redis counts cron loops), not from the first follower.
    this.lastPingAt = this.clock();
  }

  get replicas(): ReadonlySet<ReplicaPeer> {
    return this.peers;
  }

  get backlog(): ReplicationBacklog | null {
    return this.backlogStore;
  }

  /**
   * Makes sure a backlog exists, so the stream from now on can be served to
   * followers. A backlog created afresh starts a new history unless the
   * current one accounts for every change (`keepHistory` and nothing
   * untracked), because a follower could otherwise continue across writes
   * the offset never counted.
   */
  ensureBacklog(keepHistory: boolean): ReplicationBacklog {
    if (this.backlogStore !== null) return this.backlogStore;
    const stream = this.options.stream;
    if (!keepHistory || stream.untracked) this.options.history.resetHistory();
    stream.clearUntracked();
    this.backlogStore = new ReplicationBacklog(this.options.settings().backlogSize, stream.offset);
    stream.attach(this.sink);
    this.logger.info(
      `Replication backlog created, my new replication IDs are '${this.options.history.replid}' and '${this.options.history.replid2}'`,
    );
    return this.backlogStore;
  }

  /** Drops the backlog (and with it the ability to serve partial syncs). */
  freeBacklog(): void {
    if (this.backlogStore === null) return;
    this.options.stream.detach(this.sink);
    this.backlogStore = null;
  }

  /** CONFIG SET repl-backlog-size. */
  resizeBacklog(size: number): void {
    this.backlogStore?.resize(size);
  }

  /**
   * PSYNC from a follower that declared `declaration`: answers +CONTINUE
   * with the missing bytes when the history and the backlog allow it, else
   * +FULLRESYNC and a payload. `replid` '?' asks for a full sync. `sync`
   * marks the old SYNC command (payload only, no reply line, no offsets).
   */
  psync(
    channel: ReplicaChannel,
    declaration: ReplicaDeclaration,
    replid: string,
    offset: number,
    sync = false,
  ): { peer: ReplicaPeer; outcome: PsyncOutcome } {
    const history = this.options.history;
    // What the followers already attached are owed goes first: this one gets it from the backlog.
    this.flushOutgoing();
    const peer = new ReplicaPeer(this.nextPeerId++, channel, declaration, this.clock());
    this.peers.add(peer);
    if (!sync && replid !== '?' && history.partialSyncPossible(replid, offset, this.backlogStore)) {
      const psync2 = declaration.capabilities.has('psync2');
      channel.write(psync2 ? `+CONTINUE ${history.replid}\r\n` : '+CONTINUE\r\n');
      for (const slice of this.backlogStore!.readFrom(offset)) channel.write(slice);
      peer.state = 'online';
      this.stats.syncPartialOk++;
      this.logger.info(
        `Partial resynchronization request from ${peer.address}:${declaration.listeningPort} accepted. Sending ${this.options.stream.offset - offset + 1} bytes of backlog starting from offset ${offset}.`,
      );
      return { peer, outcome: 'continue' };
    }
    if (!sync && replid !== '?') {
      this.stats.syncPartialErr++;
      this.logger.info(
        `Partial resynchronization not accepted for ${peer.address}:${declaration.listeningPort}: ${this.refusalReason(replid, offset)}`,
      );
    } else {
      this.logger.info(`Replica ${peer.address}:${declaration.listeningPort} asks for synchronization`);
    }
    this.stats.syncFull++;
    this.ensureBacklog(true);
    this.joinFullSync(peer, sync);
    return { peer, outcome: 'full' };
  }

  /** Forgets a follower whose connection closed. */
  detach(peer: ReplicaPeer): void {
    if (!this.peers.delete(peer)) return;
    this.job?.peers.delete(peer);
    if (this.peers.size === 0) this.aloneSince = this.clock();
    this.recheckWaiters();
  }

  /** REPLCONF ACK <offset> [FACK <aofOffset>] from a follower. */
  acknowledge(peer: ReplicaPeer, offset: number, aofOffset: number | undefined): void {
    if (offset > peer.ackOffset) peer.ackOffset = offset;
    if (aofOffset !== undefined && aofOffset > peer.aofOffset) peer.aofOffset = aofOffset;
    peer.lastAckAt = this.clock();
    this.recheckWaiters();
  }

  /** Online followers that acknowledged `offset` (REPLCONF ACK, or FACK for 'aof'). */
  countAcknowledged(offset: number, kind: 'ack' | 'aof' = 'ack'): number {
    let count = 0;
    for (const peer of this.peers) {
      if (peer.state !== 'online') continue;
      if ((kind === 'ack' ? peer.ackOffset : peer.aofOffset) >= offset) count++;
    }
    return count;
  }

  /** Online followers whose last ACK is at most `maxLagSeconds` old (min-replicas-to-write). */
  countGoodReplicas(maxLagSeconds: number): number {
    const now = this.clock();
    let count = 0;
    for (const peer of this.peers) {
      if (peer.state === 'online' && Math.floor((now - peer.lastAckAt) / 1000) <= maxLagSeconds) count++;
    }
    return count;
  }

  /**
   * Registers a waiter: `check` runs on every acknowledgement until it
   * returns true; returns the function that cancels the wait. Asks the
   * followers for an ACK (one GETACK per event-loop turn for all waiters).
   */
  waitForAcks(check: () => boolean): () => void {
    const waiter: AckWaiter = () => check();
    this.waiters.add(waiter);
    this.requestAcks();
    return () => {
      this.waiters.delete(waiter);
    };
  }

  /** Re-checks every waiter (an ACK arrived, or a local fsync finished). */
  recheckWaiters(): void {
    for (const waiter of [...this.waiters]) {
      if (waiter()) this.waiters.delete(waiter);
    }
  }

  /** Puts REPLCONF GETACK * into the stream once this event-loop turn, so followers answer at once. */
  requestAcks(): void {
    if (this.getAckScheduled) return;
    this.getAckScheduled = true;
    queueMicrotask(() => {
      this.getAckScheduled = false;
      if (this.peers.size === 0 || this.relaying || this.streamFrozen) return;
      this.options.stream.appendWithoutDb([...GETACK]);
    });
  }

  /** Closes every follower connection (they reconnect and learn what changed). */
  disconnectAll(reason: string): void {
    this.outgoing = [];
    this.outgoingBytes = 0;
    if (this.peers.size !== 0) this.logger.info(`Disconnecting ${this.peers.size} replica(s): ${reason}`);
    for (const peer of [...this.peers]) {
      peer.channel.close();
      this.detach(peer);
    }
    this.job = null;
  }

  /**
   * Once a second: PINGs into the stream, newlines to followers waiting for
   * a payload, dropping silent or overflowing followers, the backlog TTL,
   * and starting a full sync that had to wait for the snapshot slot.
   */
  tick(): void {
    const now = this.clock();
    const settings = this.options.settings();
    if (this.job !== null && !this.job.started) this.startJob(this.job);
    for (const peer of this.peers) {
      if (peer.state === 'wait_bgsave') peer.channel.write('\n');
    }
    if (
      this.peers.size !== 0 &&
      !this.relaying &&
      !this.streamFrozen &&
      now - this.lastPingAt >= settings.pingPeriod * 1000
    ) {
      this.lastPingAt = now;
      this.options.stream.appendWithoutDb(['ping']);
    }
    for (const peer of [...this.peers]) {
      if (peer.state === 'send_bulk') this.trackPayloadDrain(peer, now, settings.timeout);
      // Followers of the old SYNC never ACK (redis-cli --replica): only their socket tells.
      else if (peer.state === 'online' && !peer.legacySync && now - peer.lastAckAt > settings.timeout * 1000) {
        this.logger.warn(`Disconnecting timedout replica (streaming sync): ${peer.address}:${peer.declaration.listeningPort}`);
        peer.channel.close();
        this.detach(peer);
      }
    }
    if (
      this.backlogStore !== null &&
      !this.relaying &&
      this.peers.size === 0 &&
      settings.backlogTtl > 0 &&
      now - this.aloneSince > settings.backlogTtl * 1000
    ) {
      this.freeBacklog();
      this.options.history.resetHistory();
      this.logger.info(
        `Replication backlog freed after ${settings.backlogTtl} seconds without connected replicas.`,
      );
    }
  }

  // -------------------------------------------------------------------------

  private append(batch: StreamBatch): void {
    this.backlogStore?.append(batch.bytes);
    const job = this.job;
    if (job !== null && job.started) {
      job.tail.push(batch.bytes);
      job.tailBytes += batch.bytes.length;
      if (this.overSyncLimit(job.tailBytes)) this.abandonJob(job, `${job.tailBytes} bytes of writes arrived while the snapshot was built`);
    }
    this.outgoing.push(batch.bytes);
    this.outgoingBytes += batch.bytes.length;
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.flushOutgoing);
    }
  }

  /**
   * Sends the stream appended since the last flush to every follower that
   * takes it, in one write each: once per event-loop turn, after all the
   * commands of the turn ran (as Redis writes to replicas before it sleeps).
   * A write per command would cost a system call per command and per
   * follower. Runs early, synchronously, before a follower starts receiving
   * the stream (a partial sync or a payload), so nothing is sent twice.
   */
  private readonly flushOutgoing = (): void => {
    this.flushScheduled = false;
    if (this.outgoing.length === 0) return;
    const bytes = this.outgoing.length === 1 ? this.outgoing[0]! : Buffer.concat(this.outgoing, this.outgoingBytes);
    this.outgoing = [];
    this.outgoingBytes = 0;
    this.send(bytes);
  };

  private send(bytes: Buffer): void {
    for (const peer of [...this.peers]) {
      if (peer.state === 'wait_bgsave') continue;
      peer.channel.write(bytes);
      if (peer.state !== 'send_bulk') this.enforceOutputLimit(peer);
      else {
        peer.streamWritten += bytes.length;
        if (this.overSyncLimit(peer.streamWritten)) {
          this.logger.warn(
            `Client ${peer.address}:${peer.declaration.listeningPort} (replica) closed during its full sync: ${peer.streamWritten} bytes of writes queued behind the payload, over ${SYNC_LIMIT_FACTOR} times the replica output limit (client-output-buffer-limit replica).`,
          );
          peer.channel.close();
          this.detach(peer);
        }
      }
    }
  }

  /**
   * What a full sync may keep queued (stream behind a payload being built or
   * sent): a generous multiple of the replica output limit, so only a sync
   * that could never finish is dropped; unlimited when the limit is 0.
   */
  private overSyncLimit(bytes: number): boolean {
    const hard = this.options.settings().outputHardLimit;
    return hard > 0 && bytes > hard * SYNC_LIMIT_FACTOR;
  }

  private abandonJob(job: SyncJob, why: string): void {
    this.logger.warn(
      `Full sync at offset ${job.offset} abandoned: ${why}, over ${SYNC_LIMIT_FACTOR} times the replica output limit (client-output-buffer-limit replica).`,
    );
    if (this.job === job) this.job = null;
    for (const peer of job.peers) {
      peer.channel.close();
      this.detach(peer);
    }
    job.tail = [];
    job.tailBytes = 0;
  }

  private joinFullSync(peer: ReplicaPeer, sync: boolean): void {
    const history = this.options.history;
    let job = this.job;
    if (job === null || job.replid !== history.replid) {
      job = { offset: 0, replid: history.replid, peers: new Set(), tail: [], tailBytes: 0, started: false };
      this.job = job;
      job.peers.add(peer);
      peer.legacySync = sync;
      this.startJob(job);
      return;
    }
    job.peers.add(peer);
    peer.legacySync = sync;
    // A job that already started serves this follower too: the offset it was taken at and the tail since.
    if (job.started && !sync) peer.channel.write(`+FULLRESYNC ${job.replid} ${job.offset}\r\n`);
  }

  private startJob(job: SyncJob): void {
    const pending = this.options.payloads.begin();
    if (pending === undefined) {
      this.logger.info('Full sync waits: another snapshot of the dataset is in progress');
      return;
    }
    job.started = true;
    job.offset = this.options.stream.offset;
    // A relayed stream is the leader's own, SELECTs included; the payload then records its database instead.
    if (!this.relaying) this.options.stream.resetSelectedDb();
    this.logger.info(`Starting a snapshot for ${job.peers.size} replica(s) at offset ${job.offset}`);
    for (const peer of job.peers) {
      if (!peer.legacySync) peer.channel.write(`+FULLRESYNC ${job.replid} ${job.offset}\r\n`);
    }
    pending.then(
      (payload) => this.finishJob(job, payload),
      (error: unknown) => {
        this.logger.warn(`Snapshot for replicas failed: ${(error as Error).message}`);
        if (this.job === job) this.job = null;
        for (const peer of job.peers) {
          peer.channel.close();
          this.detach(peer);
        }
      },
    );
  }

  /** The payload is ready: every follower of the job gets it, then the stream since its offset, and goes online. */
  private finishJob(job: SyncJob, payload: Buffer[]): void {
    if (this.job !== job) {
      // Abandoned meanwhile: whoever still waits for this payload starts over.
      for (const peer of job.peers) {
        if (!this.peers.has(peer) || peer.state !== 'wait_bgsave') continue;
        peer.channel.close();
        this.detach(peer);
      }
      return;
    }
    this.job = null;
    // The job's tail holds everything since its offset; the other followers get what is pending first.
    this.flushOutgoing();
    let length = 0;
    for (const chunk of payload) length += chunk.length;
    const header = Buffer.from(`$${length}\r\n`, 'latin1');
    for (const peer of job.peers) {
      if (!this.peers.has(peer)) continue;
      const channel = peer.channel;
      channel.write(header);
      for (const chunk of payload) channel.write(chunk);
      const now = this.clock();
      peer.payloadEnd = channel.pendingBytes;
      peer.lastDrained = 0;
      peer.lastDrainAt = now;
      peer.streamWritten = 0;
      for (const bytes of job.tail) {
        channel.write(bytes);
        peer.streamWritten += bytes.length;
      }
      peer.state = 'send_bulk';
      this.trackPayloadDrain(peer, now, this.options.settings().timeout);
      // The payload counts as the first sign of life: lag and repl-timeout start from here.
      peer.lastAckAt = now;
      this.logger.info(
        `Synchronization with replica ${peer.address}:${peer.declaration.listeningPort} succeeded (${length} bytes of payload)`,
      );
    }
  }

  /**
   * A follower in send_bulk goes online once its payload left the socket
   * queue (everything queued after it is stream). Until then its output
   * limit does not apply: the stream that piles up behind a payload is
   * bounded by the transfer time, and dropping it there would only start
   * the same full sync again (the sync loop of redis#4697). A transfer that
   * makes no progress for repl-timeout seconds is given up.
   */
  private trackPayloadDrain(peer: ReplicaPeer, now: number, timeoutSeconds: number): void {
    const pending = peer.channel.pendingBytes;
    const drained = peer.payloadEnd + peer.streamWritten - pending;
    if (drained >= peer.payloadEnd) {
      peer.state = 'online';
      peer.lastAckAt = now;
      this.enforceOutputLimit(peer);
      return;
    }
    // Progress is bytes leaving the queue, however fast the stream behind the payload grows.
    if (drained > peer.lastDrained) {
      peer.lastDrained = drained;
      peer.lastDrainAt = now;
    } else if (now - peer.lastDrainAt > timeoutSeconds * 1000) {
      this.logger.warn(`Disconnecting timedout replica (full sync): ${peer.address}:${peer.declaration.listeningPort}`);
      peer.channel.close();
      this.detach(peer);
    }
  }

  /** A follower that lets too much output queue up is dropped, as Redis's client-output-buffer-limit replica does. */
  private enforceOutputLimit(peer: ReplicaPeer): void {
    const settings = this.options.settings();
    const pending = peer.channel.pendingBytes;
    let over: string | undefined;
    if (settings.outputHardLimit > 0 && pending > settings.outputHardLimit) {
      over = `the hard limit of ${settings.outputHardLimit}`;
    } else if (settings.outputSoftLimit > 0 && pending > settings.outputSoftLimit) {
      const now = this.clock();
      if (peer.overSoftSince === 0) peer.overSoftSince = now;
      else if (now - peer.overSoftSince > settings.outputSoftSeconds * 1000) {
        over = `the soft limit of ${settings.outputSoftLimit} for ${settings.outputSoftSeconds} seconds`;
      }
    } else {
      peer.overSoftSince = 0;
    }
    if (over === undefined) return;
    this.logger.warn(
      `Client ${peer.address}:${peer.declaration.listeningPort} (replica) closed for overcoming of output buffer limits: ${pending} bytes queued, over ${over}. Raise client-output-buffer-limit replica if the link is slow but sound.`,
    );
    peer.channel.close();
    this.detach(peer);
  }

  private refusalReason(replid: string, offset: number): string {
    const history = this.options.history;
    if (replid !== history.replid && replid !== history.replid2) {
      return `Replication ID mismatch (Replica asked for '${replid}', my replication IDs are '${history.replid}' and '${history.replid2}')`;
    }
    if (replid === history.replid2 && offset > history.secondReplOffset) {
      return `Requested offset for second ID was ${offset}, but I can reply up to ${history.secondReplOffset}`;
    }
    const backlog = this.backlogStore;
    if (backlog === null) return 'no backlog';
    return `Unable to partial resync: requested offset ${offset} is outside the backlog (${backlog.firstByteOffset}..${backlog.endOffset + 1})`;
  }
}
