/**
 * A hash table of latin1 string keys to values with what a JS Map lacks and
 * Redis collections need:
 *
 * - `scan(cursor, count, visit)`: Redis's reverse-binary bucket cursor (HSCAN,
 *   SSCAN, ZSCAN). Every entry present for the whole iteration is visited at
 *   least once even when the table grows, shrinks or loses other entries
 *   between calls (deleting what was just returned is the common pattern); an
 *   entry may be visited twice.
 * - `randomSlot()`: a uniformly chosen bucket, then a uniform entry of its
 *   chain (SPOP, SRANDMEMBER, HRANDFIELD, ZRANDMEMBER), O(1) expected because
 *   the table keeps between 1/8 and 1 entries per bucket.
 *
 * Layout: separate chaining over a power-of-two `buckets` table holding slot
 * numbers + 1 (0 = empty chain); slots are parallel arrays (key, value, hash,
 * next) recycled through a free list. A slot number stays valid until that
 * entry is deleted: it is the cheap handle `slotOf`/`keyAt`/`valueAt` work on.
 */

const INITIAL_BUCKETS = 4;

/** Per-process seed, so clients cannot precompute colliding fields. */
const HASH_SEED = (Math.random() * 0x100000000) | 0;

/** FNV-1a over the key's chars (latin1: one byte each) with a final avalanche. */
export function hashString(key: string): number {
  let h = 0x811c9dc5 ^ HASH_SEED;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h | 0;
}

/** Reverses the bits of a 32-bit unsigned value (the SCAN cursor increment). */
export function reverseBits(v: number): number {
  v = ((v >>> 1) & 0x55555555) | ((v & 0x55555555) << 1);
  v = ((v >>> 2) & 0x33333333) | ((v & 0x33333333) << 2);
  v = ((v >>> 4) & 0x0f0f0f0f) | ((v & 0x0f0f0f0f) << 4);
  v = ((v >>> 8) & 0x00ff00ff) | ((v & 0x00ff00ff) << 8);
  return ((v >>> 16) | (v << 16)) >>> 0;
}

/** The cursor after bucket `v` of a table with `mask`: Redis's reverse-binary increment. */
export function nextScanCursor(v: number, mask: number): number {
  v = (v | ~mask) >>> 0;
  v = reverseBits(v);
  v = (v + 1) >>> 0;
  return reverseBits(v);
}

export class Dict<V> {
  private buckets = new Int32Array(INITIAL_BUCKETS);
  private mask = INITIAL_BUCKETS - 1;
  private keys: Array<string | undefined> = [];
  private values: Array<V | undefined> = [];
  private hashes: number[] = [];
  /** Next slot in the chain + 1 (0 = end); for free slots, the next free slot + 1. */
  private next: number[] = [];
  private freeHead = 0;
  private live = 0;

  /** Number of entries. */
  get size(): number {
    return this.live;
  }

  has(key: string): boolean {
    return this.slotOf(key) !== -1;
  }

  get(key: string): V | undefined {
    const slot = this.slotOf(key);
    return slot === -1 ? undefined : this.values[slot];
  }

  /** The slot of `key`, or -1 when absent. Valid until that entry is deleted. */
  slotOf(key: string): number {
    const hash = hashString(key);
    let s = this.buckets[hash & this.mask]!;
    while (s !== 0) {
      const slot = s - 1;
      if (this.hashes[slot] === hash && this.keys[slot] === key) return slot;
      s = this.next[slot]!;
    }
    return -1;
  }

  keyAt(slot: number): string {
    return this.keys[slot]!;
  }

  valueAt(slot: number): V {
    return this.values[slot] as V;
  }

  setValueAt(slot: number, value: V): void {
    this.values[slot] = value;
  }

  /** Sets `key` to `value`; returns true when the key is new. */
  set(key: string, value: V): boolean {
    const hash = hashString(key);
    let s = this.buckets[hash & this.mask]!;
    while (s !== 0) {
      const slot = s - 1;
      if (this.hashes[slot] === hash && this.keys[slot] === key) {
        this.values[slot] = value;
        return false;
      }
      s = this.next[slot]!;
    }
    this.insert(key, value, hash);
    return true;
  }

  /** Adds `key` only when absent; returns true when it was added. */
  add(key: string, value: V): boolean {
    if (this.slotOf(key) !== -1) return false;
    this.insert(key, value, hashString(key));
    return true;
  }

  /** Removes `key`; returns whether it was there. */
  delete(key: string): boolean {
    const hash = hashString(key);
    const bucket = hash & this.mask;
    let previous = -1;
    let s = this.buckets[bucket]!;
    while (s !== 0) {
      const slot = s - 1;
      if (this.hashes[slot] === hash && this.keys[slot] === key) {
        if (previous === -1) this.buckets[bucket] = this.next[slot]!;
        else this.next[previous] = this.next[slot]!;
        this.release(slot);
        this.maybeShrink();
        return true;
      }
      previous = slot;
      s = this.next[slot]!;
    }
    return false;
  }

  /** Removes every entry. */
  clear(): void {
    this.buckets = new Int32Array(INITIAL_BUCKETS);
    this.mask = INITIAL_BUCKETS - 1;
    this.keys = [];
    this.values = [];
    this.hashes = [];
    this.next = [];
    this.freeHead = 0;
    this.live = 0;
  }

  /**
   * The slot of an entry chosen at random (uniform bucket among the non-empty
   * ones, then uniform within its chain, as Redis's dictGetFairRandomKey is
   * close to), or -1 when empty.
   */
  randomSlot(): number {
    if (this.live === 0) return -1;
    let s = 0;
    while (s === 0) s = this.buckets[(Math.random() * this.buckets.length) | 0]!;
    let length = 0;
    for (let r = s; r !== 0; r = this.next[r - 1]!) length++;
    let pick = (Math.random() * length) | 0;
    while (pick-- > 0) s = this.next[s - 1]!;
    return s - 1;
  }

  /**
   * One SCAN step: visits whole buckets from `cursor` until at least `count`
   * entries were seen or the table is done; returns the next cursor (0 =
   * done). `visit` must not write to the dict.
   */
  scan(cursor: number, count: number, visit: (key: string, value: V) => void): number {
    let v = cursor >>> 0;
    let seen = 0;
    do {
      let s = this.buckets[v & this.mask]!;
      while (s !== 0) {
        const slot = s - 1;
        visit(this.keys[slot]!, this.values[slot] as V);
        seen++;
        s = this.next[slot]!;
      }
      v = nextScanCursor(v, this.mask);
    } while (v !== 0 && seen < count);
    return v;
  }

  /** Every entry in table order. Do not write while iterating. */
  *entries(): IterableIterator<[string, V]> {
    for (let b = 0; b < this.buckets.length; b++) {
      for (let s = this.buckets[b]!; s !== 0; s = this.next[s - 1]!) {
        yield [this.keys[s - 1]!, this.values[s - 1] as V];
      }
    }
  }

  /** Every key in table order. Do not write while iterating. */
  *keysIterator(): IterableIterator<string> {
    for (let b = 0; b < this.buckets.length; b++) {
      for (let s = this.buckets[b]!; s !== 0; s = this.next[s - 1]!) yield this.keys[s - 1]!;
    }
  }

  /** Calls `visit` for every entry in table order (faster than the iterators). Do not write while visiting. */
  forEach(visit: (key: string, value: V) => void): void {
    const buckets = this.buckets;
    for (let b = 0; b < buckets.length; b++) {
      for (let s = buckets[b]!; s !== 0; s = this.next[s - 1]!) visit(this.keys[s - 1]!, this.values[s - 1] as V);
    }
  }

  private insert(key: string, value: V, hash: number): void {
    if (this.live >= this.buckets.length) this.resize(this.buckets.length * 2);
    let slot: number;
    if (this.freeHead !== 0) {
      slot = this.freeHead - 1;
      this.freeHead = this.next[slot]!;
    } else {
      slot = this.keys.length;
      this.keys.push(undefined);
      this.values.push(undefined);
      this.hashes.push(0);
      this.next.push(0);
    }
    this.keys[slot] = key;
    this.values[slot] = value;
    this.hashes[slot] = hash;
    const bucket = hash & this.mask;
    this.next[slot] = this.buckets[bucket]!;
    this.buckets[bucket] = slot + 1;
    this.live++;
  }

  private release(slot: number): void {
    this.keys[slot] = undefined;
    this.values[slot] = undefined;
    this.next[slot] = this.freeHead;
    this.freeHead = slot + 1;
    this.live--;
    if (this.live === 0) this.clear();
  }

  /** Halves the table when mostly empty (as Redis shrinks dicts), keeping random picks O(1). */
  private maybeShrink(): void {
    const size = this.buckets.length;
    if (size > INITIAL_BUCKETS && this.live * 8 < size) {
      let target = size;
      while (target > INITIAL_BUCKETS && this.live * 8 < target) target >>>= 1;
      this.resize(target);
    }
  }

  /** Relinks every entry into a table of `size` buckets. */
  private resize(size: number): void {
    const old = this.buckets;
    const buckets = new Int32Array(size);
    const mask = size - 1;
    for (let b = 0; b < old.length; b++) {
      let s = old[b]!;
      while (s !== 0) {
        const slot = s - 1;
        const following = this.next[slot]!;
        const bucket = this.hashes[slot]! & mask;
        this.next[slot] = buckets[bucket]!;
        buckets[bucket] = s;
        s = following;
      }
    }
    this.buckets = buckets;
    this.mask = mask;
  }
}
