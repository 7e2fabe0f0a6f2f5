import type { ReplicaPeer, ReplicationHistory, ReplicationLeader } from '@aki/replication';
import type { Logger } from 'pino';

export type FailoverState = 'no-failover' | 'waiting-for-sync' | 'failover-in-progress';

/** What a failover needs of the server's replication role. */
export interface FailoverRole {
  readonly leader: ReplicationLeader;
  readonly history: ReplicationHistory;
  readonly isFollower: boolean;
  /** The stream offset now (what the target must have acknowledged). */
  streamOffset(): number;
  /** Becomes a follower of host:port, sending PSYNC ... FAILOVER. */
  handOverTo(host: string, port: number): void;
  /** REPLICAOF NO ONE. */
  promote(): void;
  /**
   * True when a promotion handover this follower asked for was withdrawn by
   * a REPLICAOF since (see PromotionHandover): the leader's late PSYNC ...
   * FAILOVER must not promote it.
   */
  readonly handoverWithdrawn: boolean;
}

/**
 * FAILOVER, Redis 6.2's coordinated switchover, from both sides. On the
 * leader: writes pause ("waiting-for-sync") until the target follower (any,
 * without TO) acknowledged the whole stream, then this server becomes its
 * follower with `PSYNC <replid> <offset> FAILOVER` ("failover-in-progress")
 * until the target continues our history, and the held writes run (and
 * meet the new role). On the target: that PSYNC promotes it.
 */
export class Failover {
  private stateValue: FailoverState = 'no-failover';
  private current:
    | { host: string | undefined; port: number; force: boolean; timer: NodeJS.Timeout | undefined; cancel: () => void }
    | undefined;
  /** Write commands held while writes are paused, in arrival order. */
  private heldWrites: Array<() => void> = [];

  constructor(
    private readonly role: FailoverRole,
    private readonly logger: Logger,
  ) {}

  /** INFO master_failover_state. */
  get state(): FailoverState {
    return this.stateValue;
  }

  /** True while clients' writes are held back. */
  get writesPaused(): boolean {
    return this.stateValue !== 'no-failover';
  }

  /** True when a full sync from the target must still complete the handover (FAILOVER ... FORCE). */
  get forced(): boolean {
    return this.stateValue === 'failover-in-progress' && this.current?.force === true;
  }

  /** Runs `retry` (a held write command) once writes are no longer paused. */
  holdWrite(retry: () => void): void {
    this.heldWrites.push(retry);
  }

  /**
   * FAILOVER [TO host port] [TIMEOUT ms] [FORCE] on a leader. Returns an
   * error text, or null when the failover started. The caller validated the
   * syntax; the checks here come in Redis's order.
   */
  start(target: { host: string; port: number } | undefined, timeoutMs: number, force: boolean): string | null {
    const role = this.role;
    // A failover in progress is reported first (also once its followers left).
    if (this.stateValue !== 'no-failover') return 'ERR FAILOVER already in progress.';
    if (role.isFollower) return 'ERR FAILOVER is not valid when server is a replica.';
    if (role.leader.replicas.size === 0) return 'ERR FAILOVER requires connected replicas.';
    if (force && (timeoutMs === 0 || target === undefined)) {
      return 'ERR FAILOVER with force option requires both a timeout and target HOST and IP.';
    }
    if (target !== undefined) {
      const peer = this.findReplica(target.host, target.port);
      if (peer === undefined) return 'ERR FAILOVER target HOST and PORT is not a replica.';
      if (peer.state !== 'online') return 'ERR FAILOVER target replica is not online.';
    }
    this.stateValue = 'waiting-for-sync';
    // No PING or GETACK may move the offset the target has to reach.
    role.leader.streamFrozen = true;
    const current = { host: target?.host, port: target?.port ?? 0, force, timer: undefined as NodeJS.Timeout | undefined, cancel: () => {} };
    this.current = current;
    this.logger.info(`FAILOVER requested to ${target === undefined ? 'any replica' : `${target.host}:${target.port}`}.`);
    current.cancel = role.leader.waitForAcks(() => {
      if (this.current !== current || this.stateValue !== 'waiting-for-sync') return true;
      const caughtUp = this.caughtUpReplica(current.host, current.port);
      if (caughtUp === undefined) return false;
      this.switchOver(caughtUp.host, caughtUp.port);
      return true;
    });
    if (timeoutMs > 0) {
      current.timer = setTimeout(() => {
        if (this.current !== current || this.stateValue !== 'waiting-for-sync') return;
        if (!current.force) return void this.abort('Replica never caught up before timeout');
        this.logger.info('FAILOVER timeout reached, forcing the failover');
        this.switchOver(current.host!, current.port);
      }, timeoutMs);
      current.timer.unref();
    }
    role.leader.recheckWaiters();
    return null;
  }

  /** FAILOVER ABORT, or a handover that did not complete: this server stays (or becomes again) the leader. */
  abort(reason: string): string | null {
    if (this.stateValue === 'no-failover') return 'ERR No failover in progress.';
    this.logger.warn(`FAILOVER aborted: ${reason}`);
    // Lead again before the held writes run: they were accepted by a leader and must land on one.
    if (this.stateValue === 'failover-in-progress') this.role.promote();
    this.end();
    return null;
  }

  /** The target continued our history (+CONTINUE), or a forced handover took its full sync: done. */
  completed(how: string): void {
    if (this.stateValue !== 'failover-in-progress') return;
    this.logger.info(`Failover complete (${how}): this server is now a replica.`);
    this.end();
  }

  /** The link to the target went down before it took over: lead again. */
  linkLost(): void {
    if (this.stateValue !== 'failover-in-progress') return;
    queueMicrotask(() => {
      if (this.stateValue === 'failover-in-progress') this.abort('the target replica did not accept the handover');
    });
  }

  /**
   * PSYNC <replid> <offset> FAILOVER from our leader, which hands its role
   * over: when it continues our history, this follower promotes itself, and
   * the PSYNC then continues as any other. Returns an error text or null.
   *
   * Beyond Redis: refused when this follower asked its leader for the
   * handover (promotion-handover) and a REPLICAOF withdrew that promotion
   * before the leader's PSYNC arrived; the history id alone would still match.
   */
  accept(replid: string): string | null {
    if (!this.role.isFollower) return "ERR PSYNC FAILOVER can't be sent to a master.";
    if (replid.toLowerCase() !== this.role.history.replid) return 'ERR PSYNC FAILOVER replid must match my replid.';
    if (this.role.handoverWithdrawn) return 'ERR PSYNC FAILOVER refused: the promotion it answers was withdrawn by REPLICAOF.';
    this.logger.info('Failover request received from my master: becoming the master.');
    this.role.promote();
    return null;
  }

  private switchOver(host: string, port: number): void {
    this.stateValue = 'failover-in-progress';
    this.logger.info(`Failover target ${host}:${port} is synced, failing over to it.`);
    this.role.handOverTo(host, port);
  }

  private end(): void {
    const current = this.current;
    if (current !== undefined) {
      current.cancel();
      if (current.timer !== undefined) clearTimeout(current.timer);
    }
    this.current = undefined;
    this.stateValue = 'no-failover';
    this.role.leader.streamFrozen = false;
    const held = this.heldWrites;
    this.heldWrites = [];
    for (const retry of held) retry();
  }

  private findReplica(host: string, port: number): ReplicaPeer | undefined {
    for (const peer of this.role.leader.replicas) {
      if (peer.address === host && peer.declaration.listeningPort === port) return peer;
    }
    return undefined;
  }

  /** The failover target (or any follower) once it acknowledged every byte of the stream. */
  private caughtUpReplica(host: string | undefined, port: number): { host: string; port: number } | undefined {
    const offset = this.role.streamOffset();
    for (const peer of this.role.leader.replicas) {
      if (peer.state !== 'online' || peer.ackOffset !== offset) continue;
      if (host !== undefined && (peer.address !== host || peer.declaration.listeningPort !== port)) continue;
      return { host: peer.address, port: peer.declaration.listeningPort };
    }
    return undefined;
  }
}
