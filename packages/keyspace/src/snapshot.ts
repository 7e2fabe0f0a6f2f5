import type { SnapshotVisitor, StringStore } from './string-store.js';

export type { SnapshotVisitor } from './string-store.js';

/** One database as a snapshot found it at its start (for RDB's RESIZEDB). */
export interface SnapshotDatabase {
  /** Database number at the start (SWAPDB later does not change what it holds in the snapshot). */
  readonly index: number;
  /** Keys at the start, logically expired ones included: exactly what `step` emits for this database. */
  readonly keys: number;
  /** Of those, keys with a time to live. */
  readonly expiring: number;
}

/**
 * A point-in-time view of a whole keyspace, read in slices while clients go
 * on writing (Node cannot fork: AOF rewrite and full syncs walk the live
 * data between event-loop turns). `step` emits every key that existed at
 * `Keyspace.beginSnapshot`, exactly once, with its value and expiry of that
 * moment, database by database in ascending order: never a later value,
 * never a key created later, never a duplicate.
 *
 * How: each database's store is captured at the start. A store walks its
 * buckets in order; the first write to a key of a bucket it has not emitted
 * yet keeps the key's state at the start (copy-on-write per key). SWAPDB
 * moves stores between databases and FLUSHDB/FLUSHALL detach them, so a
 * captured store still holds what its database held at the start.
 *
 * Values handed to `visit` may be live objects: serialize each one before
 * `visit` returns, and never write to the keyspace from inside `visit`.
 */
export class KeyspaceSnapshot {
  readonly databases: ReadonlyArray<SnapshotDatabase>;
  private readonly stores: StringStore[];
  /** Index into `stores` of the store being emitted. */
  private position = 0;
  private state: 'active' | 'done' | 'aborted' = 'active';

  /** For Keyspace.beginSnapshot: `captured` in ascending database order, each store already begun. */
  constructor(
    captured: ReadonlyArray<{ index: number; store: StringStore }>,
    private readonly onEnd: () => void,
  ) {
    this.databases = captured.map(({ index, store }) => ({ index, keys: store.size, expiring: store.expiringCount }));
    this.stores = captured.map(({ store }) => store);
  }

  /** True until `step` has emitted everything or `abort` was called. */
  get active(): boolean {
    return this.state === 'active';
  }

  /**
   * Visits up to `budget` keys of the point-in-time dataset (a bucket is
   * always finished, so a step may pass the budget by one chain; on sparse
   * tables a step may also stop early after examining `budget * 16` empty
   * buckets). Returns true when every key was visited; the snapshot has then
   * ended (later calls return true and visit nothing). Throws after `abort`.
   */
  step(budget: number, visit: SnapshotVisitor): boolean {
    if (this.state === 'done') return true;
    if (this.state === 'aborted') throw new Error('the snapshot was aborted');
    const stores = this.stores;
    let left = Math.max(1, budget);
    while (this.position < stores.length) {
      const store = stores[this.position]!;
      left -= store.snapshotStep(this.databases[this.position]!.index, left, visit);
      if (store.snapshot !== null) return false; // budget (or bucket allowance) used up
      this.position++;
      if (left <= 0) break;
    }
    if (this.position < stores.length) return false;
    this.state = 'done';
    this.onEnd();
    return true;
  }

  /** Ends the snapshot early and releases everything it preserved. Idempotent; a finished snapshot stays finished. */
  abort(): void {
    if (this.state !== 'active') return;
    this.state = 'aborted';
    for (let i = this.position; i < this.stores.length; i++) this.stores[i]!.endSnapshot();
    this.onEnd();
  }
}
