import {
  FollowerLink,
  type LinkState,
  ReplicationHistory,
  ReplicationLeader,
  type ReplicationStream,
} from '@aki/replication';
import type { Logger } from 'pino';
import type { ClientSession } from '../client-session.js';
import type { CommandSpec } from '../commands/types.js';
import type { Dispatcher } from '../dispatcher.js';
import type { EffectSink } from '../effects.js';
import type { ServerState } from '../server-state.js';
import { Failover } from './failover.js';
import { installDataset, stagePayload } from './payload.js';
import { PromotionHandover } from './promotion-handover.js';
import { StreamApplier } from './stream-applier.js';

export const ERR_READONLY = "READONLY You can't write against a read only replica.";
export const ERR_NOREPLICAS = 'NOREPLICAS Not enough good replicas to write.';
export const ERR_MASTERDOWN = "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.";
export const ERR_UNBLOCKED_ROLE =
  'UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)';

/**
 * How long a promotion handover may hold the old leader's writes while this
 * follower catches up (its FAILOVER TIMEOUT), and how long the old leader may
 * take to answer. A follower whose link is up is normally milliseconds behind.
 */
const HANDOVER_TIMEOUT_MS = 2000;

/** The replication id, offset and stream database an RDB written now records (repl-id, repl-offset, repl-stream-db). */
export interface ReplicationMarkNow {
  replicationId: string;
  offset: number;
  streamDb: number;
}

/**
 * This server's place in replication: a leader (always, for whoever
 * attaches with PSYNC) and, after REPLICAOF host port, a follower of
 * another server. Owns the replication history, switches roles (demotion
 * and promotion, with Redis's PSYNC2 rules), applies the leader's stream
 * through a StreamApplier, and answers the dispatcher's role gates.
 */
export class ReplicationService {
  readonly history: ReplicationHistory;
  readonly leader: ReplicationLeader;
  private link: FollowerLink | undefined;
  private applier: StreamApplier | undefined;
  /**
   * True when this server holds a history its next leader may continue
   * (PSYNC <replid> <offset+1>): it synced before, loaded one from disk,
   * or was a leader whose offset counted every change.
   */
  private canContinue = false;
  /** "host port" of the leader the current dataset was last fully synced from (the empty-resync guard). */
  private syncedFrom: string | undefined;
  /** Set when the files loaded at start-up recorded a history (with the stream's database then). */
  private loadedHistory: { streamDb: number } | undefined;
  /** WAIT / WAITAOF clients, ended with UNBLOCKED when this server becomes a follower. */
  private readonly waiting = new Set<(error: string) => void>();
  private lastEmptyRefusalLog = 0;
  /** FAILOVER, on this server as leader or as its target. */
  readonly failover: Failover;
  /** REPLICAOF NO ONE that waits for the leader to hand over (promotion-handover yes). */
  private readonly handover: PromotionHandover;
  /** A REPLICAOF withdrew a pending handover: the leader's late PSYNC ... FAILOVER is refused (see Failover.accept). */
  private handoverWithdrawn = false;
  /** min-replicas-to-write and min-replicas-max-lag are both set (kept from the config: read per command). */
  private minReplicasGate = false;
  private readonly logger: Logger;

  constructor(
    private readonly state: ServerState,
    private readonly dispatcher: Dispatcher,
  ) {
    this.logger = state.logger.child({ component: 'replication' });
    this.history = new ReplicationHistory();
    const propagator = state.propagator;
    const stream: ReplicationStream = {
      get offset() {
        return propagator.offset;
      },
      attach: (sink) => propagator.addSink(sink as EffectSink),
      detach: (sink) => propagator.removeSink(sink as EffectSink),
      appendWithoutDb: (argv) => propagator.recordWithoutDb(argv),
      resetSelectedDb: () => propagator.resetSelectedDb(),
      get untracked() {
        return propagator.untracked;
      },
      clearUntracked: () => {
        propagator.untracked = false;
      },
    };
    this.leader = new ReplicationLeader({
      history: this.history,
      stream,
      payloads: {
        begin: () => {
          this.syncOffset();
          return state.persistence.snapshotForReplicas(this.markNow());
        },
      },
      settings: () => {
        const config = state.config;
        const limit = config.get('client-output-buffer-limit').replica;
        return {
          backlogSize: config.get('repl-backlog-size'),
          backlogTtl: config.get('repl-backlog-ttl'),
          pingPeriod: config.get('repl-ping-replica-period'),
          timeout: config.get('repl-timeout'),
          outputHardLimit: limit.hard,
          outputSoftLimit: limit.soft,
          outputSoftSeconds: limit.softSeconds,
        };
      },
      clock: state.clock,
      logger: this.logger,
    });
    state.config.onChange('repl-backlog-size', (size) => this.leader.resizeBacklog(size));
    const config = state.config;
    const updateGate = (): void => {
      this.minReplicasGate = config.get('min-replicas-to-write') > 0 && config.get('min-replicas-max-lag') > 0;
    };
    updateGate();
    config.onChange('min-replicas-to-write', updateGate);
    config.onChange('min-replicas-max-lag', updateGate);
    const service = this;
    this.failover = new Failover(
      {
        leader: this.leader,
        history: this.history,
        get isFollower() {
          return service.isFollower;
        },
        streamOffset: () => propagator.offset,
        handOverTo: (host, port) => void this.follow(host, port),
        promote: () => this.promote(),
        get handoverWithdrawn() {
          return service.handoverWithdrawn;
        },
      },
      this.logger,
    );
    this.handover = new PromotionHandover(this.logger, () => this.promote());
  }

  // ---- role -----------------------------------------------------------------

  get isFollower(): boolean {
    return this.link !== undefined;
  }

  /** The follower link, while this server follows a leader. */
  get followerLink(): FollowerLink | undefined {
    return this.link;
  }

  /** The leader's pseudo-client on a follower (CLIENT LIST, CLIENT KILL TYPE master). */
  get leaderSession(): ClientSession | undefined {
    return this.link === undefined ? undefined : this.applier?.session;
  }

  /** True when the dispatcher must consult `refusal` (a follower, or min-replicas-to-write is on). */
  get gated(): boolean {
    return this.link !== undefined || this.minReplicasGate;
  }

  /**
   * The role gates, in Redis's order: NOREPLICAS (a leader without enough
   * good followers refuses writes), READONLY (a read-only follower refuses
   * clients' writes), MASTERDOWN (a follower whose link is down and that
   * must not serve stale data refuses everything not flagged `stale`).
   */
  refusal(spec: CommandSpec, write: boolean): string | null {
    const config = this.state.config;
    if (this.link === undefined) {
      if (!write) return null;
      const needed = config.get('min-replicas-to-write');
      const maxLag = config.get('min-replicas-max-lag');
      if (needed > 0 && maxLag > 0 && this.leader.countGoodReplicas(maxLag) < needed) return ERR_NOREPLICAS;
      return null;
    }
    if (write && config.get('replica-read-only')) return ERR_READONLY;
    if (this.link.state !== 'connected' && !config.get('replica-serve-stale-data') && !spec.flags.includes('stale')) {
      return ERR_MASTERDOWN;
    }
    return null;
  }

  /**
   * Start-up, after the dataset was loaded: continue the history the files
   * recorded (a leader keeps a backlog from now on, so followers can PSYNC
   * after its restart), then follow `replicaof` if configured.
   */
  start(): void {
    const loadedMark = this.loadedHistory;
    // Replaying the files recorded effects without sinks; the offset they recorded still accounts for them.
    this.state.propagator.untracked = false;
    // A follower with an AOF tells its leader at once when more of the stream is fsynced (WAITAOF counts FACKs).
    this.state.persistence.onAofSynced(() => this.link?.sendAckSoon());
    const target = this.state.config.get('replicaof');
    if (target !== '') {
      const at = target.lastIndexOf(' ');
      const host = target.slice(0, at);
      const port = Number(target.slice(at + 1));
      // The data on disk came from this leader (or nobody knows better): guard it against an empty resync.
      if (loadedMark !== undefined) this.syncedFrom = `${host} ${port}`;
      // Without a history from disk there is nothing to continue: PSYNC ? -1, as Redis starts.
      this.follow(host, port, { continueOwnHistory: loadedMark !== undefined });
    } else if (loadedMark !== undefined) {
      // A leader continuing a history from disk may be behind a follower that
      // applied more before the restart: the loaded history stays valid only up
      // to where the files end (replid2), and what comes now is new (as Redis 7).
      this.syncOffset();
      this.history.shiftHistory();
      this.leader.ensureBacklog(true);
      this.logger.info(
        `Continuing replication history ${this.history.replid2} up to offset ${this.history.secondReplOffset - 1} from the data files; new replication ID ${this.history.replid}`,
      );
      this.persistHistoryChange();
    }
  }

  /**
   * REPLICAOF host port. Returns the status reply: 'OK', or 'OK Already
   * connected to specified master' when nothing changes.
   */
  follow(host: string, port: number, options: { continueOwnHistory?: boolean } = {}): string {
    // Also for the leader already followed: the operator wants this server to stay its follower.
    this.handoverWithdrawn = this.handover.settle();
    this.state.config.recordRuntimeValue('replicaof', `${host} ${port}`);
    const current = this.link;
    // Hosts compare as strings, ignoring case (localhost and 127.0.0.1 are different leaders).
    if (current !== undefined && current.host.toLowerCase() === host.toLowerCase() && current.port === port) {
      return 'OK Already connected to specified master';
    }
    const propagator = this.state.propagator;
    if (current === undefined) {
      // Demotion: our own history is what the new leader may continue.
      this.canContinue = (options.continueOwnHistory ?? true) && !propagator.untracked;
      this.endWaits(ERR_UNBLOCKED_ROLE);
      this.dispatcher.unblockAll(ERR_UNBLOCKED_ROLE);
      propagator.verbatim = true;
      this.state.keyspace.setExpiryMode('hide');
      this.leader.relaying = true;
      this.syncOffset();
      this.applier = this.newApplier(propagator.offset, this.loadedHistory?.streamDb ?? 0);
      this.logger.info(`Before turning into a replica, using my own master parameters to synthesize a cached master: I may be able to synchronize with the new master with just a partial transfer.`);
    } else {
      current.stop();
      this.applier?.abandonTransaction();
    }
    this.link = new FollowerLink({
      host,
      port,
      handlers: {
        // FAILOVER rides only the PSYNC of a handover in progress, never a later reconnect.
        psyncRequest: () =>
          this.canContinue
            ? { replid: this.history.replid, offset: propagator.offset + 1, failover: this.failover.state === 'failover-in-progress' }
            : undefined,
        loadPayload: (replid, offset, payload) => this.loadPayload(host, port, replid, offset, payload),
        continued: (replid) => this.continued(replid),
        apply: (argv, bytes) => this.applier!.apply(argv, bytes),
        applied: () => this.applier!.flush(),
        processedOffset: () => this.applier?.processed ?? propagator.offset,
        aofSyncedOffset: () => (this.state.persistence.aofEnabled ? this.state.persistence.aofSyncedOffset : -1),
        stateChanged: (linkState) => this.linkStateChanged(linkState),
        streamBroken: () => {
          this.canContinue = false;
        },
      },
      settings: () => {
        const config = this.state.config;
        const announcedPort = config.get('replica-announce-port');
        return {
          masterauth: config.get('masterauth'),
          masteruser: config.get('masteruser'),
          listeningPort: announcedPort !== 0 ? announcedPort : this.state.tcpPort,
          announceIp: config.get('replica-announce-ip'),
          timeout: config.get('repl-timeout'),
        };
      },
      clock: this.state.clock,
      logger: this.logger,
    });
    this.logger.info(`REPLICAOF ${host}:${port} enabled`);
    this.link.start();
    return 'OK';
  }

  /**
   * REPLICAOF NO ONE: this follower becomes a leader. Its data stays; the
   * history it followed becomes replid2 (valid up to the current offset), so
   * its own followers and the old leader can continue with a partial sync.
   */
  promote(): void {
    this.handover.settle();
    this.handoverWithdrawn = false;
    const link = this.link;
    if (link === undefined) return;
    link.stop();
    this.link = undefined;
    this.state.config.recordRuntimeValue('replicaof', '');
    this.applier?.abandonTransaction();
    this.applier?.flush();
    this.applier = undefined;
    const propagator = this.state.propagator;
    this.syncOffset();
    this.history.shiftHistory();
    propagator.verbatim = false;
    propagator.resetSelectedDb();
    this.state.keyspace.setExpiryMode('delete');
    this.leader.relaying = false;
    this.leader.disconnectAll('the replication id changed (promoted to master)');
    this.leader.ensureBacklog(true);
    this.canContinue = true;
    this.logger.info(
      `Setting secondary replication ID to ${this.history.replid2}, valid up to offset: ${this.history.secondReplOffset}. New replication ID is ${this.history.replid}`,
    );
    this.logger.info('MASTER MODE enabled');
    this.persistHistoryChange();
  }

  /**
   * REPLICAOF NO ONE from a client. With promotion-handover yes and the link
   * to the leader up, the leader is asked to hand its role over first (see
   * PromotionHandover): this server stays a follower until the leader's
   * PSYNC ... FAILOVER promotes it, or promotes itself when the handover
   * cannot happen. Otherwise it promotes at once, as Redis does.
   */
  requestPromotion(): void {
    const link = this.link;
    if (link === undefined || this.handover.inProgress) return;
    const config = this.state.config;
    if (!config.get('promotion-handover') || link.state !== 'connected') return this.promote();
    const announcedIp = config.get('replica-announce-ip');
    const announcedPort = config.get('replica-announce-port');
    this.handover.start({
      host: link.host,
      port: link.port,
      masteruser: config.get('masteruser'),
      masterauth: config.get('masterauth'),
      // The leader knows us by our announced IP, else by the address our link comes from (it tells us: CLIENT INFO).
      target: { host: announcedIp !== '' ? announcedIp : undefined, port: announcedPort !== 0 ? announcedPort : this.state.tcpPort },
      failoverTimeoutMs: HANDOVER_TIMEOUT_MS,
      replyTimeoutMs: HANDOVER_TIMEOUT_MS,
    });
    // The promotion is decided (the handover ends in one unless a REPLICAOF withdraws it):
    // the CONFIG REWRITE Sentinel sends right after must already record this server as a leader.
    this.state.config.recordRuntimeValue('replicaof', '');
  }

  /** Shutdown: a pending handover must not promote this server while it stops. */
  abandonPromotionHandover(): void {
    this.handover.settle();
  }

  /** Once a second (the server's cron). */
  tick(): void {
    this.leader.tick();
    this.link?.tick();
  }

  /** The marks an RDB written now records. */
  markNow(): ReplicationMarkNow {
    this.syncOffset();
    return {
      replicationId: this.history.replid,
      offset: this.state.propagator.offset,
      streamDb: this.applier !== undefined && this.link !== undefined ? this.applier.streamDb : -1,
    };
  }

  /** The files loaded at start-up recorded this history (and the stream's database at their end). */
  adoptLoadedHistory(replicationId: string, offset: number, streamDb: number): void {
    this.history.adopt(replicationId, offset);
    this.state.propagator.offset = offset;
    this.loadedHistory = { streamDb };
  }

  // ---- WAIT / WAITAOF ------------------------------------------------------

  /**
   * Parks a WAIT or WAITAOF: `check` runs on every acknowledgement (and on
   * `recheck`) until it returns true; `fail` ends the wait with an error
   * when the role changes. Returns the cancel function.
   */
  waitForAcks(check: () => boolean, fail: (error: string) => void): () => void {
    const cancelAcks = this.leader.waitForAcks(check);
    this.waiting.add(fail);
    return () => {
      cancelAcks();
      this.waiting.delete(fail);
    };
  }

  /**
   * Shutdown: resolves once every online follower acknowledged the whole
   * stream, or after `timeoutMs` (logging who still lags). Clients are
   * paused by then, so the stream no longer grows.
   */
  waitForFollowers(timeoutMs: number): Promise<void> {
    const offset = this.state.propagator.offset;
    const lagging = (): number =>
      [...this.leader.replicas].filter((peer) => peer.state === 'online' && peer.ackOffset < offset).length;
    if (this.link !== undefined || timeoutMs === 0 || lagging() === 0) return Promise.resolve();
    this.logger.info(`Waiting for replicas before shutting down.`);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        cancel();
        this.logger.warn(`${lagging()} of ${this.leader.replicas.size} replicas are lagging when shutting down.`);
        resolve();
      }, timeoutMs);
      const cancel = this.leader.waitForAcks(() => {
        if (lagging() !== 0) return false;
        clearTimeout(timer);
        this.logger.info('All replicas are in sync.');
        resolve();
        return true;
      });
    });
  }

  /** Clients parked in WAIT or WAITAOF (INFO blocked_clients counts them, as Redis does). */
  get waitingClients(): number {
    return this.waiting.size;
  }

  private endWaits(error: string): void {
    for (const fail of [...this.waiting]) fail(error);
    this.waiting.clear();
  }

  // ---- follower internals ------------------------------------------------------

  private newApplier(offset: number, streamDb: number): StreamApplier {
    const service = this;
    return new StreamApplier(this.state, this.dispatcher, offset, streamDb, {
      get address() {
        const link = service.link;
        return link === undefined ? '' : `${link.host}:${link.port}`;
      },
      drop: () => this.link?.drop('closed by CLIENT KILL'),
    });
  }

  /**
   * The history got a new id while the AOF's base still records the old one,
   * under which the incr files would then seem to continue: after a restart,
   * another node that went on under the old id could be offered a partial
   * sync into bytes that are not its own. A rewrite records the new id.
   */
  private persistHistoryChange(): void {
    const persistence = this.state.persistence;
    if (!persistence.aofEnabled) return;
    const outcome = persistence.rewriteSoon();
    this.logger.info(
      `Rewriting the AOF to record replication ID ${this.history.replid}: ${'error' in outcome ? outcome.error : outcome.status}`,
    );
  }

  private syncOffset(): void {
    this.history.offset = this.state.propagator.offset;
  }

  private linkStateChanged(linkState: LinkState): void {
    if (linkState !== 'connected') this.applier?.abandonTransaction();
    // The target of our FAILOVER did not take over (refused or unreachable): lead again.
    if (linkState === 'connect') this.failover.linkLost();
  }

  private continued(replid: string | undefined): void {
    this.failover.completed('the target continued our history');
    this.syncOffset();
    if (replid !== undefined && this.history.continueAs(replid)) {
      this.logger.info(`Master replication ID changed to ${replid}`);
      this.leader.disconnectAll('the replication id changed');
    }
    this.leader.ensureBacklog(true);
    this.canContinue = true;
  }

  /**
   * A full sync's payload arrived: decode it beside the live data, check the
   * empty-resync guard, then swap it in, continue the leader's history and
   * rebuild the AOF from the new data. Until the swap, clients read the old
   * data; if anything fails the old data stays.
   */
  private async loadPayload(host: string, port: number, replid: string, offset: number, payload: Buffer[]): Promise<boolean> {
    const state = this.state;
    const link = this.link;
    // A FAILOVER target continues our history; a full sync means it did not
    // catch up. Without FORCE that aborts the failover; with FORCE the handover
    // goes on and this server takes the target's data (what FORCE accepts).
    const forcedHandover = this.failover.forced;
    if (this.failover.state === 'failover-in-progress' && !forcedHandover) return false;
    const staged = await stagePayload(state, payload);
    if (this.link !== link) return false;
    if (this.refusesEmptyResync(host, port, replid, staged.keys)) return false;
    let installed = false;
    await state.persistence.replaceDataset(() => {
      // Promoted or pointed elsewhere while the AOF closed: this payload is no longer wanted.
      if (this.link !== link) return;
      installed = true;
      installDataset(state, staged);
      this.history.adopt(replid, offset);
      state.propagator.offset = offset;
      // The leader's offset accounts for everything now, whatever was written here before.
      state.propagator.untracked = false;
      this.applier = this.newApplier(offset, staged.streamDb);
      this.leader.disconnectAll('the dataset changed (full sync from my master)');
      this.leader.freeBacklog();
      this.leader.ensureBacklog(true);
      this.canContinue = true;
      this.syncedFrom = `${host} ${port}`;
      // The whole dataset changed: save points count it (dump.rdb then records the new history).
      state.propagator.changes += staged.keys + 1;
    });
    if (!installed) return false;
    if (forcedHandover) this.failover.completed('forced: took a full sync from the new master');
    this.logger.info(`MASTER <-> REPLICA sync: loaded ${staged.keys} keys, continuing ${replid}:${offset}`);
    return true;
  }

  /**
   * aki's guard against a leader that restarted empty: a follower holding
   * data refuses to replace it with an empty dataset of an unrelated history
   * from the same leader its data came from (`replica-refuse-empty-resync`).
   */
  private refusesEmptyResync(host: string, port: number, replid: string, keys: number): boolean {
    const state = this.state;
    if (keys !== 0 || !state.config.get('replica-refuse-empty-resync')) return false;
    const held = state.keyspace.size;
    if (held === 0 || this.syncedFrom !== `${host} ${port}`) return false;
    if (replid === this.history.replid || replid === this.history.replid2) return false;
    const now = state.clock();
    if (now - this.lastEmptyRefusalLog > 60_000) {
      this.lastEmptyRefusalLog = now;
      this.logger.warn(
        `Refusing the full sync from MASTER ${host}:${port}: it offers an EMPTY dataset under an unrelated replication history (${replid}) while this replica holds ${held} keys of history ${this.history.replid}. The master probably restarted without its data. This replica keeps its data and retries. To accept the empty dataset anyway run CONFIG SET replica-refuse-empty-resync no; to serve this data as a master run REPLICAOF NO ONE.`,
      );
    }
    return true;
  }
}

