import type { ScanOptions, ScanPage } from './scan.js';
import { StringStore } from './string-store.js';
import { type StoredValue, typeOf } from './values.js';

/**
 * What a database reports upwards. The keyspace knows nothing of RESP or of
 * propagation; the server turns these into effects (an expired key becomes a DEL).
 */
export interface DatabaseHooks {
  /** A key was removed because its time to live passed (lazily or by the active cycle). */
  onExpired(dbIndex: number, key: string): void;
}

/**
 * How a lookup treats a key whose time to live has passed.
 * - `delete` (leader): an expired key is deleted on access and reported through `onExpired`.
 * - `hide` (follower): an expired key is hidden from reads but kept until the leader's DEL arrives.
 * - `keep` (follower, while it applies its leader's stream): an expired key is
 *   still alive. The leader decided the command against a key it still had
 *   (it would have sent a DEL otherwise), so the follower must apply it to the
 *   same key even when its own clock says the key is past its time.
 */
export type ExpiryMode = 'delete' | 'hide' | 'keep';

/**
 * How the running command uses what lookups return, shared by the databases
 * of a keyspace (Keyspace.accessIsReadOnly). While a snapshot is active, a
 * lookup that hands out a collection keeps a copy for the snapshot first,
 * because the caller may modify it in place; a read-only caller will not.
 */
export interface AccessMode {
  readOnly: boolean;
}

/**
 * One numbered database. Values and their expiry times live off the V8 heap
 * in a StringStore (see there for why); this class adds Redis's semantics on
 * top: logical expiry, lazy and active deletion, SCAN, RANDOMKEY.
 *
 * Contract: every read goes through `lookup`, which honours logical expiry;
 * `peek` is the raw view for persistence and digests. Methods take `now` from
 * the caller's injected clock, never from Date.now().
 */
export class Database {
  private store = new StringStore();
  /** Bucket cursor of the active expiry sweep (continues where the last cycle stopped). */
  private expiryCursor = 0;
  /** Smoothed mean remaining time to live (ms) of keys seen by the active sweep; 0 = unknown. */
  private ttlEstimate = 0;

  constructor(
    readonly index: number,
    private readonly hooks: DatabaseHooks,
    private readonly expiryMode: () => ExpiryMode,
    private readonly access: AccessMode = { readOnly: false },
  ) {}

  /** Number of keys, including logically expired keys not yet removed (as Redis's DBSIZE). */
  get size(): number {
    return this.store.size;
  }

  /** Number of keys with a time to live. */
  get expiringCount(): number {
    return this.store.expiringCount;
  }

  /** Estimated mean remaining time to live in ms of keys with one (INFO keyspace avg_ttl); 0 when unknown. */
  get averageTtl(): number {
    return this.store.expiringCount === 0 ? 0 : Math.round(this.ttlEstimate);
  }

  /**
   * The value of `key`, or undefined when absent or logically expired. Counts
   * as an access (OBJECT IDLETIME), as Redis's lookups for reading and writing do.
   */
  lookup(key: string, now: number): StoredValue | undefined {
    const ref = this.liveRecord(key, now);
    if (ref === 0) return undefined;
    const store = this.store;
    store.touch(ref, toSeconds(now));
    if (store.snapshot !== null) this.beforeHandingOut(key, ref);
    return store.valueOf(ref);
  }

  /**
   * Like `lookup`, but returns a handle to the value instead of the value, for
   * copying it straight into a reply (`valueLength`, `copyValue`: the
   * Database is a BulkSource). 0 when absent or logically expired. A handle
   * is valid only until the next write to this database. Only for values
   * that are not modified in place (strings): it never preserves anything
   * for a snapshot.
   */
  lookupHandle(key: string, now: number): number {
    const ref = this.liveRecord(key, now);
    if (ref !== 0) this.store.touch(ref, toSeconds(now));
    return ref;
  }

  /** True when the value behind a `lookupHandle` handle is a string (GET answers WRONGTYPE otherwise). */
  holdsString(handle: number): boolean {
    return this.store.holdsString(handle);
  }

  /** Length in bytes of the string value behind a `lookupHandle` handle. */
  valueLength(handle: number): number {
    return this.store.valueLengthOf(handle);
  }

  /** Copies the string value behind a `lookupHandle` handle into `target` at `offset`. */
  copyValue(handle: number, target: Buffer, offset: number): void {
    this.store.copyValueTo(handle, target, offset);
  }

  /**
   * Like `lookup` but not an access: what Redis's NOTOUCH lookups do for
   * EXISTS, TYPE, TTL, OBJECT and SCAN, so they leave OBJECT IDLETIME alone.
   */
  lookupWithoutTouch(key: string, now: number): StoredValue | undefined {
    const ref = this.liveRecord(key, now);
    if (ref === 0) return undefined;
    const store = this.store;
    if (store.snapshot !== null) this.beforeHandingOut(key, ref);
    return store.valueOf(ref);
  }

  /** True when `key` exists and is not logically expired (not an access). */
  has(key: string, now: number): boolean {
    return this.liveRecord(key, now) !== 0;
  }

  /** Raw value without expiry checks (persistence, digests, snapshot). */
  peek(key: string): StoredValue | undefined {
    const store = this.store;
    const ref = store.find(key);
    if (ref === 0) return undefined;
    if (store.snapshot !== null) this.beforeHandingOut(key, ref);
    return store.valueOf(ref);
  }

  /**
   * Stores `value` under `key` at time `now` (the access time). `expireAt` is
   * an absolute unix-ms time, or undefined to clear any time to live, or
   * `KEEP_TTL` to keep the current one. `raw` marks a value modified in place
   * (APPEND, SETRANGE), which Redis reports as OBJECT ENCODING "raw" whatever
   * its content. Returns whether `key` was stored already (expired or not).
   */
  set(key: string, value: StoredValue, expireAt: number | typeof KEEP_TTL | undefined, now: number, raw = false): boolean {
    const code = expireAt === undefined ? 0 : expireAt === KEEP_TTL ? -1 : storedExpiry(expireAt);
    return this.store.set(key, value, code, toSeconds(now), raw);
  }

  /** Makes room for `keys` keys in one step (a load that knows its size); a hint, never a limit. */
  reserve(keys: number): void {
    this.store.reserve(keys);
  }

  /** Replaces the value of an existing key and keeps its time to live (see `set` for `raw`). */
  replaceValue(key: string, value: StoredValue, now: number, raw = false): void {
    this.store.set(key, value, -1, toSeconds(now), raw);
  }

  /** True when the value of `key` was last stored as modified in place (see replaceValue). */
  isRawEncoded(key: string): boolean {
    const ref = this.store.find(key);
    return ref !== 0 && this.store.isRaw(ref);
  }

  /**
   * Seconds since `key` was last read or written (OBJECT IDLETIME), without
   * counting this query as an access; undefined when the key is absent.
   */
  idleSeconds(key: string, now: number): number | undefined {
    if (!this.has(key, now)) return undefined;
    const ref = this.store.find(key);
    return Math.max(0, toSeconds(now) - this.store.accessOf(ref));
  }

  /**
   * Removes `key`; returns whether it existed. On a leader a logically expired
   * key counts as absent (it is expired and reported instead); on a follower
   * it is removed like any other, because there the leader's DEL is what
   * ends a key's life.
   */
  delete(key: string, now: number): boolean {
    const ref = this.store.find(key);
    if (ref === 0) return false;
    const expireAt = this.store.expireAtOf(ref);
    if (expireAt !== 0 && expireAt <= now && this.expiryMode() === 'delete') {
      this.expireNow(key);
      return false;
    }
    this.store.remove(key);
    return true;
  }

  /** Absolute expiry time in unix ms, or undefined when the key has no time to live. */
  getExpireAt(key: string): number | undefined {
    const ref = this.store.find(key);
    if (ref === 0) return undefined;
    const expireAt = this.store.expireAtOf(ref);
    return expireAt === 0 ? undefined : expireAt;
  }

  /** Sets the absolute expiry of an existing key. */
  setExpireAt(key: string, expireAt: number): void {
    const ref = this.store.find(key);
    if (ref !== 0) this.store.setExpireAtOf(ref, storedExpiry(expireAt));
  }

  /** Removes the time to live of `key`; returns whether it had one. */
  persist(key: string): boolean {
    const ref = this.store.find(key);
    if (ref === 0 || this.store.expireAtOf(ref) === 0) return false;
    this.store.setExpireAtOf(ref, 0);
    return true;
  }

  /**
   * Removes every key; returns how many there were. A store that an active
   * snapshot still has to emit is left to the snapshot as it is (never
   * written again) and replaced by a fresh one: O(1), nothing to preserve.
   */
  flush(): number {
    const removed = this.store.size;
    if (this.store.snapshot !== null) this.store = new StringStore();
    else this.store.clear();
    this.expiryCursor = 0;
    this.ttlEstimate = 0;
    return removed;
  }

  /** Raw iteration over every stored entry (expired ones included). No writes while iterating. */
  *entries(): IterableIterator<[string, StoredValue]> {
    const store = this.store;
    for (const ref of store.records()) yield [store.keyOf(ref), store.valueOf(ref)];
  }

  /** Raw iteration over every key (expired ones included). No writes while iterating. */
  *keys(): IterableIterator<string> {
    const store = this.store;
    for (const ref of store.records()) yield store.keyOf(ref);
  }

  /**
   * One SCAN step. The cursor is Redis's reverse-binary bucket cursor: every
   * key present for the whole iteration is returned at least once, even when
   * the table grows or shrinks between calls; a key may come back twice.
   */
  scan(cursor: number, options: ScanOptions, now: number): ScanPage {
    const store = this.store;
    const candidates: string[] = [];
    const next = store.scan(cursor, Math.max(1, options.count), (ref) => {
      const key = store.keyOf(ref);
      if (options.match === undefined || options.match(key)) candidates.push(key);
    });
    // Filter only after the store's step: expiring a key writes to the table.
    const keys: string[] = [];
    for (const key of candidates) {
      const value = this.lookupWithoutTouch(key, now);
      if (value === undefined) continue;
      if (options.type === undefined || typeOf(value) === options.type) keys.push(key);
    }
    return { cursor: next, keys };
  }

  /**
   * A random key, or undefined when the database is empty. Tries up to 100
   * picks for one that is not logically expired, deleting expired picks on a
   * leader, and otherwise returns the last pick (as Redis does on a follower).
   */
  randomKey(now: number): string | undefined {
    const store = this.store;
    let candidate: string | undefined;
    for (let attempt = 0; attempt < 100; attempt++) {
      const ref = store.randomRecord();
      if (ref === 0) return undefined;
      candidate = store.keyOf(ref);
      const expireAt = store.expireAtOf(ref);
      if (expireAt === 0 || expireAt > now || this.expiryMode() === 'keep') return candidate;
      if (this.expiryMode() === 'delete') this.onLogicallyExpired(candidate);
    }
    return candidate;
  }

  /**
   * Active expiry: examines up to `budget` keys, continuing from where the
   * previous call stopped, and removes the expired ones. Returns how many keys
   * with a time to live were examined and how many were removed. Does nothing
   * on followers.
   */
  sweepExpired(now: number, budget: number): { examined: number; expired: number } {
    const store = this.store;
    let examined = 0;
    let expired = 0;
    if (store.expiringCount === 0 || this.expiryMode() !== 'delete') return { examined, expired };
    const doomed: string[] = [];
    let ttlSum = 0;
    let ttlSamples = 0;
    // Bounded work per call even when few keys have a time to live: at most
    // 20 buckets per key budgeted (Redis likewise stops after 10x empty buckets).
    let bucketsLeft = Math.min(store.bucketCount, budget * 20);
    do {
      this.expiryCursor = store.scan(this.expiryCursor, 1, (ref) => {
        const expireAt = store.expireAtOf(ref);
        if (expireAt === 0) return;
        examined++;
        if (expireAt <= now) doomed.push(store.keyOf(ref));
        else {
          ttlSum += expireAt - now;
          ttlSamples++;
        }
      });
    } while (examined < budget && --bucketsLeft > 0 && this.expiryCursor !== 0);
    for (const key of doomed) {
      this.expireNow(key);
      expired++;
    }
    if (ttlSamples !== 0) {
      // Exponential smoothing over sweeps, as Redis estimates avg_ttl from its expire cycle.
      const sample = ttlSum / ttlSamples;
      this.ttlEstimate = this.ttlEstimate === 0 ? sample : this.ttlEstimate * 0.98 + sample * 0.02;
    }
    return { examined, expired };
  }

  /**
   * Starts a point-in-time snapshot of this database's current store (see
   * StringStore.beginSnapshot) and returns that store, or undefined when the
   * database is empty (nothing to emit, nothing to preserve). The store stays
   * the snapshot's even when SWAPDB moves it to another database or FLUSHDB
   * detaches it. For Keyspace.beginSnapshot.
   */
  beginSnapshot(): StringStore | undefined {
    const store = this.store;
    if (store.size === 0) return undefined;
    store.beginSnapshot();
    return store;
  }

  /** Exchanges contents with `other` (SWAPDB); indexes stay. */
  swapContents(other: Database): void {
    [this.store, other.store] = [other.store, this.store];
    [this.ttlEstimate, other.ttlEstimate] = [other.ttlEstimate, this.ttlEstimate];
    this.expiryCursor = other.expiryCursor = 0;
  }

  /** A lookup hands out the value of `ref` during a snapshot: a collection the caller may modify is preserved first. */
  private beforeHandingOut(key: string, ref: number): void {
    if (!this.access.readOnly && !this.store.holdsString(ref)) this.store.preserveForMutation(key, ref);
  }

  /**
   * The store record of `key` when it exists and is not logically expired,
   * else 0. A logically expired key is deleted and reported on a leader,
   * only hidden on a follower.
   */
  private liveRecord(key: string, now: number): number {
    const ref = this.store.find(key);
    if (ref === 0) return 0;
    const expireAt = this.store.expireAtOf(ref);
    if (expireAt !== 0 && expireAt <= now && this.expiryMode() !== 'keep') {
      this.onLogicallyExpired(key);
      return 0;
    }
    return ref;
  }

  /** A key found logically expired: a leader deletes and reports it; a follower only hides it. */
  private onLogicallyExpired(key: string): void {
    if (this.expiryMode() === 'delete') this.expireNow(key);
  }

  private expireNow(key: string): void {
    this.store.remove(key);
    this.hooks.onExpired(this.index, key);
  }
}

/** Unix seconds of a unix-ms time. */
const toSeconds = (ms: number): number => Math.floor(ms / 1000);

/**
 * The store uses 0 for "no time to live", so an absolute time at or before
 * the epoch is kept as 1 ms: still long past, still expired.
 */
const storedExpiry = (expireAt: number): number => (expireAt >= 1 ? expireAt : 1);

/** Marker for `Database.set`: keep the key's current time to live. */
export const KEEP_TTL: unique symbol = Symbol('KEEP_TTL');
