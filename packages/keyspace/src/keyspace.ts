import { type AccessMode, Database, type DatabaseHooks, type ExpiryMode } from './database.js';
import { KeyspaceSnapshot } from './snapshot.js';
import type { StringStore } from './string-store.js';

export interface KeyspaceOptions {
  /** Number of databases (Redis `databases`, default 16). */
  databases?: number;
  /** Receives keys removed by expiry; the server turns them into DEL effects. */
  onExpired?: DatabaseHooks['onExpired'];

}

/** Active expiry keeps sweeping while more than this share of examined keys had expired. */
const ACTIVE_EXPIRE_REPEAT_RATIO = 0.25;
const ACTIVE_EXPIRE_KEYS_PER_STEP = 20;

/**
 * The numbered databases of one server. Owns expiry policy: a leader deletes
 * expired keys (lazily on access and in the active cycle) and reports them; a
 * follower only hides them, because its leader's DEL is the authority.
 */
export class Keyspace {
  readonly databases: readonly Database[];
  /** Follows `setExpiryMode`; read by every database on each expiry decision. */
  private mode: ExpiryMode = 'delete';
  /** DEBUG SET-ACTIVE-EXPIRE toggles this. */
  activeExpireEnabled = true;

  /** Where the next active-expiry cycle starts, so a cut-short cycle never starves later databases. */
  private nextExpireDb = 0;

  /** Shared with every database (see accessIsReadOnly). */
  private readonly access: AccessMode = { readOnly: false };
  private snapshot: KeyspaceSnapshot | null = null;

  constructor(options: KeyspaceOptions = {}) {
    const count = options.databases ?? 16;
    const hooks: DatabaseHooks = { onExpired: options.onExpired ?? (() => {}) };
    const mode = () => this.mode;
    const access = this.access;
    this.databases = Array.from({ length: count }, (_, index) => new Database(index, hooks, mode, access));
  }

  /**
   * Set by the server while it runs a command flagged readonly: lookups then
   * hand out collections without preserving a copy for an active snapshot
   * (the command will not modify them in place). Must be false whenever a
   * command may modify a looked-up collection.
   */
  get accessIsReadOnly(): boolean {
    return this.access.readOnly;
  }

  set accessIsReadOnly(readOnly: boolean) {
    this.access.readOnly = readOnly;
  }

  /** True from `beginSnapshot` until that snapshot has emitted everything or was aborted. */
  get snapshotActive(): boolean {
    return this.snapshot !== null;
  }

  /**
   * Starts a point-in-time snapshot of every database (see KeyspaceSnapshot).
   * Only one at a time: throws while one is active.
   */
  beginSnapshot(): KeyspaceSnapshot {
    if (this.snapshot !== null) throw new Error('a keyspace snapshot is already active');
    const captured: Array<{ index: number; store: StringStore }> = [];
    for (const db of this.databases) {
      const store = db.beginSnapshot();
      if (store !== undefined) captured.push({ index: db.index, store });
    }
    const snapshot = new KeyspaceSnapshot(captured, () => {
      if (this.snapshot === snapshot) this.snapshot = null;
    });
    this.snapshot = snapshot;
    return snapshot;
  }

  /** The database numbered `index` (caller validates the range). */
  db(index: number): Database {
    return this.databases[index]!;
  }

  setExpiryMode(mode: ExpiryMode): void {
    this.mode = mode;
  }

  /** How lookups treat keys past their time now (see ExpiryMode). */
  get expiryMode(): ExpiryMode {
    return this.mode;
  }

  /** Total number of keys across databases. */
  get size(): number {
    let total = 0;
    for (const db of this.databases) total += db.size;
    return total;
  }

  /** SWAPDB: exchanges the contents of two databases. */
  swap(a: number, b: number): void {
    if (a !== b) this.db(a).swapContents(this.db(b));
  }

  /** FLUSHALL: empties every database; returns how many keys were removed. */
  flushAll(): number {
    let removed = 0;
    for (const db of this.databases) removed += db.flush();
    return removed;
  }

  /**
   * One active-expiry cycle, run by the server's timer (`hz` times a second):
   * sweeps each database in steps of 20 keys with a time to live, repeating a
   * database while more than a quarter of a step had expired, within `budgetMs`
   * of wall time measured by `clock`. Returns the number of keys expired.
   */
  activeExpireCycle(now: number, budgetMs: number, clock: () => number = performance.now.bind(performance)): number {
    if (!this.activeExpireEnabled || this.mode !== 'delete') return 0;
    const started = clock();
    let expired = 0;
    const count = this.databases.length;
    for (let visited = 0; visited < count; visited++) {
      const db = this.databases[this.nextExpireDb]!;
      this.nextExpireDb = (this.nextExpireDb + 1) % count;
      for (;;) {
        const step = db.sweepExpired(now, ACTIVE_EXPIRE_KEYS_PER_STEP);
        expired += step.expired;
        if (step.examined === 0 || step.expired <= step.examined * ACTIVE_EXPIRE_REPEAT_RATIO) break;
        if (clock() - started > budgetMs) return expired;
      }
      if (clock() - started > budgetMs) break;
    }
    return expired;
  }
}
