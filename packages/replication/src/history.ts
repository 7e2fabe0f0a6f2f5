import type { ReplicationBacklog } from './backlog.js';
import { NO_REPLICATION_ID, newReplicationId } from './replication-id.js';

/**
 * A node's replication history, as Redis names it in INFO replication:
 *
 * - `replid`           master_replid: the id of the current history;
 * - `replid2`          master_replid2: the previous history's id, or 40 '0's;
 * - `secondReplOffset` second_repl_offset: the first offset that is NOT valid
 *                      under replid2 (-1 when there is no previous history);
 * - `offset`           master_repl_offset: stream bytes under this history
 *                      (on a follower: stream bytes applied).
 *
 * The owner advances `offset` itself as stream bytes are appended or applied.
 */
export class ReplicationHistory {
  replid: string;
  replid2: string = NO_REPLICATION_ID;
  secondReplOffset = -1;
  offset: number;

  constructor(replid: string = newReplicationId(), offset = 0) {
    this.replid = replid;
    this.offset = offset;
  }

  /**
   * Promotion (REPLICAOF NO ONE, failover): the current history becomes the
   * previous one, valid up to and including `offset`, so followers of the old
   * leader can still PSYNC here; a new id starts.
   */
  shiftHistory(): void {
    this.replid2 = this.replid;
    this.secondReplOffset = this.offset + 1;
    this.replid = newReplicationId();
  }

  /**
   * A new history with no predecessor (the backlog was created from scratch or
   * freed): fresh id, replid2 cleared. `offset` is kept.
   */
  resetHistory(): void {
    this.replid = newReplicationId();
    this.clearSecond();
  }

  /** After a full sync (`+FULLRESYNC <replid> <offset>`): take the leader's history; replid2 cleared. */
  adopt(replid: string, offset: number): void {
    this.replid = replid;
    this.offset = offset;
    this.clearSecond();
  }

  /**
   * After `+CONTINUE <newReplid>`: if the id differs from ours the leader was
   * promoted meanwhile; our history so far stays valid under the old id (replid2
   * := old id, secondReplOffset := offset + 1) and we continue under the new one.
   * Returns true iff the id changed (the caller must then drop its own
   * sub-followers so they learn the new id). Same id: nothing changes.
   */
  continueAs(newReplid: string): boolean {
    if (newReplid === this.replid) return false;
    this.replid2 = this.replid;
    this.secondReplOffset = this.offset + 1;
    this.replid = newReplid;
    return true;
  }

  /**
   * Whether `PSYNC reqId reqOffset` can be answered with +CONTINUE
   * (REPLICATION.md §1). `reqOffset` is the follower's first missing byte.
   * Accept iff both:
   * 1. reqId is our replid, or it is our replid2 and reqOffset <= secondReplOffset
   *    (the follower's history did not go past the point where ours diverged);
   * 2. a backlog exists and firstByteOffset <= reqOffset <= endOffset + 1.
   * `?` (and anything else that is not one of our ids) means full resync. Ids
   * are compared case-insensitively, as Redis does (strcasecmp; verified against
   * redis-server 7.0.15: an upper-cased replid or replid2 is accepted).
   */
  partialSyncPossible(reqId: string, reqOffset: number, backlog: ReplicationBacklog | null): boolean {
    if (reqId === '?' || backlog === null) return false;
    const id = reqId.toLowerCase();
    const current = id === this.replid.toLowerCase();
    const previous =
      this.secondReplOffset >= 0 && id === this.replid2.toLowerCase() && reqOffset <= this.secondReplOffset;
    if (!current && !previous) return false;
    return backlog.covers(reqOffset);
  }

  private clearSecond(): void {
    this.replid2 = NO_REPLICATION_ID;
    this.secondReplOffset = -1;
  }
}
