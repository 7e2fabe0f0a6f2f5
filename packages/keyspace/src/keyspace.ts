import { Database, type DatabaseHooks, type ExpiryMode } from './database.js';

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
  private expiryMode: ExpiryMode = 'delete';
  /** DEBUG SET-ACTIVE-EXPIRE toggles this. */
  activeExpireEnabled = true;

  /** Where the next active-expiry cycle starts, so a cut-short cycle never starves later databases. */
  private nextExpireDb = 0;

  constructor(options: KeyspaceOptions = {}) {
    const count = options.databases ?? 16;
    const hooks: DatabaseHooks = { onExpired: options.onExpired ?? (() => {}) };
    const mode = () => this.expiryMode;
    this.databases = Array.from({ length: count }, (_, index) => new Database(index, hooks, mode));
  }

  /** The database numbered `index` (caller validates the range). */
  db(index: number): Database {
    return this.databases[index]!;
  }

  setExpiryMode(mode: ExpiryMode): void {
    this.expiryMode = mode;
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
    if (!this.activeExpireEnabled || this.expiryMode !== 'delete') return 0;
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
