import { requestHandover, type HandoverRequest, type HandoverRequestOptions } from '@aki/replication';
import type { Logger } from 'pino';

/** How long after the leader's FAILOVER TIMEOUT we stop waiting for its PSYNC ... FAILOVER. */
const GRACE_MS = 1000;

/**
 * `promotion-handover yes`: a lossless REPLICAOF NO ONE on a follower whose
 * leader is reachable.
 *
 * Redis promotes at once, so the old leader keeps taking writes until
 * someone repoints it; Sentinel's planned switchover (SENTINEL FAILOVER)
 * works that way, and every write the old leader acknowledged in that window
 * (WAIT included: its other followers still count) is lost when the group
 * resyncs from the new leader. With the handover, the follower first asks
 * its leader for `FAILOVER TO <this follower>`: the leader holds writes,
 * waits until this follower has its whole stream, becomes its follower and
 * sends `PSYNC ... FAILOVER`, which promotes this follower (Failover.accept).
 * If the leader refuses, cannot be reached, or does not finish in time, the
 * follower promotes itself as Redis would.
 */
export class PromotionHandover {
  private pending: { request: HandoverRequest; deadline: NodeJS.Timeout } | undefined;

  constructor(
    private readonly logger: Logger,
    /** REPLICAOF NO ONE without a handover. */
    private readonly promoteNow: () => void,
  ) {}

  get inProgress(): boolean {
    return this.pending !== undefined;
  }

  start(options: HandoverRequestOptions): void {
    this.settle();
    this.logger.info(
      `Promotion requested: asking MASTER ${options.host}:${options.port} to hand over to ${options.target.host ?? 'this replica'}:${options.target.port} first (promotion-handover yes).`,
    );
    const request = requestHandover(options);
    const deadline = setTimeout(() => this.fallBack('the master did not hand over in time'), options.failoverTimeoutMs + GRACE_MS);
    deadline.unref();
    this.pending = { request, deadline };
    void request.outcome.then((outcome) => {
      if (this.pending?.request !== request) return;
      if (!outcome.accepted) return this.fallBack(outcome.reason);
      this.logger.info('MASTER accepted the handover: waiting for it to catch this replica up and step down.');
    });
  }

  /**
   * The role changed (the leader's PSYNC ... FAILOVER promoted us, another
   * REPLICAOF, a shutdown): the handover is over. Returns true when one was
   * pending: the leader may still be running the FAILOVER it accepted.
   */
  settle(): boolean {
    const pending = this.pending;
    if (pending === undefined) return false;
    this.pending = undefined;
    clearTimeout(pending.deadline);
    pending.request.cancel();
    return true;
  }

  private fallBack(reason: string): void {
    if (this.pending === undefined) return;
    this.settle();
    this.logger.warn(`Promotion handover did not happen (${reason}): promoting without it.`);
    this.promoteNow();
  }
}
