/**
 * A hash table of latin1 string keys to values with what a JS Map lacks and
 * Redis collections need:
 *
 * - `scan(cursor, count, visit)`: Redis's reverse-binary bucket cursor (HSCAN,
 *   SSCAN, ZSCAN). Every entry present for the whole iteration is visited at
 *   least once even when the table grows, shrinks or loses other entries
 *   between calls (deleting what was just returned is the common pattern); an
 *   entry may be visited twice.
 * - `randomSlot()`: a uniformly chosen entry (SPOP, SRANDMEMBER, HRANDFIELD,
 *   ZRANDMEMBER), O(1) expected.
 * - Iteration (`entries`, `forEach`, ...) in insertion order, as Redis's
 *   listpack-encoded small hashes and sets list their elements.
 *
 * Layout: separate chaining over a power-of-two `buckets` table holding slot
 * numbers + 1 (0 = empty chain); slots are parallel arrays (key, value, hash,
 * chain link, insertion-order links) recycled through a free list. A slot number is the cheap handle
 * `slotOf`/`keyAt`/`valueAt` work on; it stays valid until the next
 * `delete` or `clear` (any delete may shrink the table, and a shrink packs
 * the slots so a dict that grew big and emptied gives its memory back).
 */

import { hashString, nextScanCursor } from '../hash-table.js';

const INITIAL_BUCKETS = 4;

export class Dict<V> {
  private buckets = new Int32Array(INITIAL_BUCKETS);
  private mask = INITIAL_BUCKETS - 1;
  private keys: Array<string | undefined> = [];
  private values: Array<V | undefined> = [];
  private hashes: number[] = [];
  /** Next slot in the chain + 1 (0 = end); for free slots, the next free slot + 1. */
  private next: number[] = [];
  /** Insertion order as a doubly linked list of slot + 1 (0 = none). */
  private older: number[] = [];
  private newer: number[] = [];
  private oldest = 0;
  private newest = 0;
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

  /** The slot of `key`, or -1 when absent. Valid until the next delete or clear. */
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
    this.older = [];
    this.newer = [];
    this.oldest = 0;
    this.newest = 0;
    this.freeHead = 0;
    this.live = 0;
  }

  /**
   * The slot of an entry chosen uniformly at random, or -1 when empty.
   * Rejection sampling over the slot arrays: a free slot is drawn again.
   * Expected O(1): the arrays hold at most 8 slots per live entry (they
   * never outgrow the bucket table, and the table shrinks, packing the
   * slots, before fewer than 1/8 of its size are live).
   */
  randomSlot(): number {
    if (this.live === 0) return -1;
    const keys = this.keys;
    for (;;) {
      const slot = (Math.random() * keys.length) | 0;
      if (keys[slot] !== undefined) return slot;
    }
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

  /*
   * Iteration is in insertion order (an update keeps an entry's place, a
   * delete closes the gap): the order Redis's listpack encoding gives small
   * hashes and sets, so HGETALL, HKEYS or SMEMBERS of a small collection
   * answer what Redis answers.
   */

  /** Every entry in insertion order. Do not write while iterating. */
  *entries(): IterableIterator<[string, V]> {
    for (let s = this.oldest; s !== 0; s = this.newer[s - 1]!) yield [this.keys[s - 1]!, this.values[s - 1] as V];
  }

  /** Every key in insertion order. Do not write while iterating. */
  *keysIterator(): IterableIterator<string> {
    for (let s = this.oldest; s !== 0; s = this.newer[s - 1]!) yield this.keys[s - 1]!;
  }

  /** Calls `visit` for every entry in insertion order (faster than the iterators). Do not write while visiting. */
  forEach(visit: (key: string, value: V) => void): void {
    const newer = this.newer;
    for (let s = this.oldest; s !== 0; s = newer[s - 1]!) visit(this.keys[s - 1]!, this.values[s - 1] as V);
  }

  /** Calls `visit` with the slot of every entry in insertion order. Do not write while visiting. */
  forEachSlot(visit: (slot: number) => void): void {
    const newer = this.newer;
    for (let s = this.oldest; s !== 0; s = newer[s - 1]!) visit(s - 1);
  }

  /** Number of buckets of the table (a power of two, at least 4). */
  get bucketCount(): number {
    return this.buckets.length;
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
      this.older.push(0);
      this.newer.push(0);
    }
    this.keys[slot] = key;
    this.values[slot] = value;
    this.hashes[slot] = hash;
    this.older[slot] = this.newest;
    this.newer[slot] = 0;
    if (this.newest !== 0) this.newer[this.newest - 1] = slot + 1;
    else this.oldest = slot + 1;
    this.newest = slot + 1;
    const bucket = hash & this.mask;
    this.next[slot] = this.buckets[bucket]!;
    this.buckets[bucket] = slot + 1;
    this.live++;
  }

  private release(slot: number): void {
    const older = this.older[slot]!;
    const newer = this.newer[slot]!;
    if (older !== 0) this.newer[older - 1] = newer;
    else this.oldest = newer;
    if (newer !== 0) this.older[newer - 1] = older;
    else this.newest = older;
    this.keys[slot] = undefined;
    this.values[slot] = undefined;
    this.next[slot] = this.freeHead;
    this.freeHead = slot + 1;
    this.live--;
    if (this.live === 0) this.clear();
  }

  /**
   * Shrinks the table when mostly empty (as Redis shrinks dicts), keeping
   * random picks O(1), and packs the slot arrays down to the live entries:
   * without that they would keep the length of the largest size ever held.
   * Amortised O(1): a shrink needs 7/8 of the entries gone since the table
   * last had its size.
   */
  private maybeShrink(): void {
    const size = this.buckets.length;
    if (size > INITIAL_BUCKETS && this.live * 8 < size) {
      let target = size;
      while (target > INITIAL_BUCKETS && this.live * 8 < target) target >>>= 1;
      this.rebuildPacked(target);
    }
  }

  /**
   * Rebuilds the table with `size` buckets and the live entries in slots
   * 0..live-1, in insertion order (slot numbers change, the order does not).
   */
  private rebuildPacked(size: number): void {
    const oldKeys = this.keys;
    const oldValues = this.values;
    const oldHashes = this.hashes;
    const oldNewer = this.newer;
    const buckets = new Int32Array(size);
    const mask = size - 1;
    const keys: Array<string | undefined> = [];
    const values: Array<V | undefined> = [];
    const hashes: number[] = [];
    const next: number[] = [];
    const older: number[] = [];
    const newer: number[] = [];
    for (let s = this.oldest; s !== 0; s = oldNewer[s - 1]!) {
      const hash = oldHashes[s - 1]!;
      const bucket = hash & mask;
      keys.push(oldKeys[s - 1]);
      values.push(oldValues[s - 1]);
      hashes.push(hash);
      next.push(buckets[bucket]!);
      const slotPlusOne = keys.length;
      buckets[bucket] = slotPlusOne;
      older.push(slotPlusOne - 1);
      newer.push(slotPlusOne + 1);
    }
    if (newer.length !== 0) newer[newer.length - 1] = 0;
    this.buckets = buckets;
    this.mask = mask;
    this.keys = keys;
    this.values = values;
    this.hashes = hashes;
    this.next = next;
    this.older = older;
    this.newer = newer;
    this.oldest = keys.length === 0 ? 0 : 1;
    this.newest = keys.length;
    this.freeHead = 0;
  }

  /** Relinks every entry into a table of `size` buckets (slot numbers stay). */
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
