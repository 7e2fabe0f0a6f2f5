import { KeyScanner, type ScanOptions, type ScanPage } from './scan.js';
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
 */
export type ExpiryMode = 'delete' | 'hide';

/**
 * One numbered database: a map of keys to values plus a map of absolute expiry
 * times (unix ms), the same split Redis makes between its main and expires dicts.
 *
 * Contract: every read goes through `lookup`, which honours logical expiry;
 * `peek` is the raw view for persistence and digests. Methods take `now` from the
 * caller's injected clock, never from Date.now().
 */
export class Database {
  private data = new Map<string, StoredValue>();
  private expires = new Map<string, number>();
  private scanner = new KeyScanner(() => this.data);
  /** Rotating cursor over `expires` for the active expiry sweep (live, survives mutation). */
  private expirySweep: IterableIterator<[string, number]> | undefined;
  /** Smoothed mean remaining time to live (ms) of keys seen by the active sweep; 0 = unknown. */
  private ttlEstimate = 0;
  /** Rotating cursor over `data` for RANDOMKEY. */
  private randomWalk: IterableIterator<string> | undefined;

  constructor(
    readonly index: number,
    private readonly hooks: DatabaseHooks,
    private readonly expiryMode: () => ExpiryMode,
  ) {}

  /** Number of keys, including logically expired keys not yet removed (as Redis's DBSIZE). */
  get size(): number {
    return this.data.size;
  }

  /** Number of keys with a time to live. */
  get expiringCount(): number {
    return this.expires.size;
  }

  /** Estimated mean remaining time to live in ms of keys with one (INFO keyspace avg_ttl); 0 when unknown. */
  get averageTtl(): number {
    return this.expires.size === 0 ? 0 : Math.round(this.ttlEstimate);
  }

  /** The value of `key`, or undefined when absent or logically expired. */
  lookup(key: string, now: number): StoredValue | undefined {
    const value = this.data.get(key);
    if (value === undefined) return undefined;
    if (this.expires.size !== 0 && this.isExpired(key, now)) return undefined;
    return value;
  }

  /** True when `key` exists and is not logically expired. */
  has(key: string, now: number): boolean {
    return this.lookup(key, now) !== undefined;
  }

  /** Raw value without expiry checks (persistence, digests, snapshot). */
  peek(key: string): StoredValue | undefined {
    return this.data.get(key);
  }

  /**
   * Stores `value` under `key`. `expireAt` is an absolute unix-ms time, or
   * undefined to clear any time to live, or `KEEP_TTL` to keep the current one.
   */
  set(key: string, value: StoredValue, expireAt?: number | typeof KEEP_TTL): void {
    this.data.set(key, value);
    if (expireAt === KEEP_TTL) return;
    if (expireAt === undefined) {
      if (this.expires.size !== 0) this.expires.delete(key);
    } else {
      this.expires.set(key, expireAt);
    }
  }

  /** Replaces the value of an existing key and keeps its time to live. */
  replaceValue(key: string, value: StoredValue): void {
    this.data.set(key, value);
  }

  /** Removes `key`; returns whether it existed (expired-but-present counts as absent). */
  delete(key: string, now: number): boolean {
    if (!this.has(key, now)) return false;
    this.data.delete(key);
    this.expires.delete(key);
    return true;
  }

  /** Absolute expiry time in unix ms, or undefined when the key has no time to live. */
  getExpireAt(key: string): number | undefined {
    return this.expires.size === 0 ? undefined : this.expires.get(key);
  }

  /** Sets the absolute expiry of an existing key. */
  setExpireAt(key: string, expireAt: number): void {
    this.expires.set(key, expireAt);
  }

  /** Removes the time to live of `key`; returns whether it had one. */
  persist(key: string): boolean {
    return this.expires.delete(key);
  }

  /** Removes every key; returns how many there were. */
  flush(): number {
    const removed = this.data.size;
    // New maps rather than clear(): live iterators (SCAN cursors) of the old
    // contents then simply finish instead of walking a table reused by new keys.
    this.data = new Map();
    this.expires = new Map();
    this.scanner = new KeyScanner(() => this.data);
    this.expirySweep = undefined;
    this.randomWalk = undefined;
    this.ttlEstimate = 0;
    return removed;
  }

  /** Raw iteration over every stored entry (expired ones included). */
  entries(): IterableIterator<[string, StoredValue]> {
    return this.data.entries();
  }

  /** Raw iteration over every key (expired ones included). */
  keys(): IterableIterator<string> {
    return this.data.keys();
  }

  /** One SCAN step; see KeyScanner for the cursor contract. */
  scan(cursor: number, options: ScanOptions, now: number): ScanPage {
    return this.scanner.scan(cursor, options, (key) => {
      const value = this.lookup(key, now);
      if (value === undefined) return false;
      return options.type === undefined || typeOf(value) === options.type;
    });
  }

  /**
   * A random live key, or undefined when the database is empty. Walks a rotating
   * cursor a random number of steps, so it is O(1) amortised instead of O(n) and
   * reaches every key over time. Gives up after a bounded number of expired keys,
   * as Redis does, returning one of them (it is then removed by the caller's lookup).
   */
  randomKey(now: number): string | undefined {
    if (this.data.size === 0) return undefined;
    let candidate: string | undefined;
    for (let attempt = 0; attempt < 100; attempt++) {
      const steps = Math.floor(Math.random() * Math.min(this.data.size, 16));
      for (let i = 0; i <= steps; i++) candidate = this.nextRandomWalkKey();
      if (candidate === undefined) return undefined;
      if (!this.isExpiredRaw(candidate, now)) return candidate;
      if (this.expiryMode() === 'delete') {
        this.expireNow(candidate);
        if (this.data.size === 0) return undefined;
      }
    }
    return candidate;
  }

  /**
   * Active expiry: examines up to `budget` keys that have a time to live,
   * continuing where the previous call stopped, and removes the expired ones.
   * Returns how many keys were examined and removed. Does nothing on followers.
   */
  sweepExpired(now: number, budget: number): { examined: number; expired: number } {
    let examined = 0;
    let expired = 0;
    if (this.expires.size === 0 || this.expiryMode() !== 'delete') {
      return { examined, expired };
    }
    let wrapped = false;
    let ttlSum = 0;
    let ttlSamples = 0;
    while (examined < budget && this.expires.size !== 0) {
      this.expirySweep ??= this.expires.entries();
      const next = this.expirySweep.next();
      if (next.done) {
        this.expirySweep = undefined;
        if (wrapped) break;
        wrapped = true;
        continue;
      }
      examined++;
      const [key, expireAt] = next.value;
      if (expireAt <= now) {
        this.expireNow(key);
        expired++;
      } else {
        ttlSum += expireAt - now;
        ttlSamples++;
      }
    }
    if (ttlSamples !== 0) {
      // Exponential smoothing over sweeps, as Redis estimates avg_ttl from its expire cycle.
      const sample = ttlSum / ttlSamples;
      this.ttlEstimate = this.ttlEstimate === 0 ? sample : this.ttlEstimate * 0.98 + sample * 0.02;
    }
    return { examined, expired };
  }

  /** Exchanges contents with `other` (SWAPDB); indexes stay. */
  swapContents(other: Database): void {
    [this.data, other.data] = [other.data, this.data];
    [this.expires, other.expires] = [other.expires, this.expires];
    [this.scanner, other.scanner] = [other.scanner, this.scanner];
    [this.ttlEstimate, other.ttlEstimate] = [other.ttlEstimate, this.ttlEstimate];
    this.expirySweep = other.expirySweep = undefined;
    this.randomWalk = other.randomWalk = undefined;
  }

  private isExpired(key: string, now: number): boolean {
    if (!this.isExpiredRaw(key, now)) return false;
    if (this.expiryMode() === 'delete') this.expireNow(key);
    return true;
  }

  private isExpiredRaw(key: string, now: number): boolean {
    const expireAt = this.expires.get(key);
    return expireAt !== undefined && expireAt <= now;
  }

  private expireNow(key: string): void {
    this.data.delete(key);
    this.expires.delete(key);
    this.hooks.onExpired(this.index, key);
  }

  private nextRandomWalkKey(): string | undefined {
    this.randomWalk ??= this.data.keys();
    let next = this.randomWalk.next();
    if (next.done) {
      this.randomWalk = this.data.keys();
      next = this.randomWalk.next();
    }
    return next.done ? undefined : next.value;
  }
}

/** Marker for `Database.set`: keep the key's current time to live. */
export const KEEP_TTL: unique symbol = Symbol('KEEP_TTL');
