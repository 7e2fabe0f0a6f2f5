/**
 * Holds replies back until the writes they could have observed are durable
 * (ARCHITECTURE: "Durability and ordering"). A reply flushed when the effect
 * stream stood at offset S may leave only once the AOF reports S released
 * (fsynced under `always`, written under `everysec`/`no`), so no client,
 * reader or writer, ever sees a write that a crash could still take back.
 *
 * Without an AOF nothing is held: `releasedOffset` is +Infinity.
 */
export interface HeldReplies {
  /** Sends every held reply whose offset is now released, in order; true once none is left. */
  releaseUpTo(released: number): boolean;
}

export class ReplyGate {
  private source: (() => number) | undefined;
  private readonly waiting = new Set<HeldReplies>();

  /** The stream offset up to which replies may leave now. */
  get releasedOffset(): number {
    return this.source === undefined ? Number.POSITIVE_INFINITY : this.source();
  }

  /**
   * Makes `released` the gate's source (the AOF while it is enabled), or
   * removes it (undefined): then everything held is let go at once.
   */
  setSource(released: (() => number) | undefined): void {
    this.source = released;
    this.progress();
  }

  /** `holder` has replies waiting; it is called back as the released offset moves. */
  wait(holder: HeldReplies): void {
    this.waiting.add(holder);
  }

  /** The released offset may have moved: lets every holder send what it can. */
  progress(): void {
    if (this.waiting.size === 0) return;
    const released = this.releasedOffset;
    for (const holder of this.waiting) if (holder.releaseUpTo(released)) this.waiting.delete(holder);
  }

  /** A holder that went away (connection closed). */
  forget(holder: HeldReplies): void {
    this.waiting.delete(holder);
  }
}
