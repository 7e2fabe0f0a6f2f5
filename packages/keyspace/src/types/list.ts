import type { DigestView } from '../digest.js';
import { parseInt64, parseSafeInteger, type CollectionValue } from '../values.js';
import type { EncodingLimits } from './encoding.js';

/** Smallest ring capacity; capacities are powers of two so an index wraps with a mask. */
const MIN_CAPACITY = 4;

/** Bytes of an empty Redis listpack: a 6-byte header and the end marker. */
const LISTPACK_EMPTY_BYTES = 7;

/** Redis's cap on a quicklist node's bytes when the fill counts entries (SIZE_SAFETY_LIMIT). */
const SIZE_SAFETY_LIMIT = 8192;

/**
 * A Redis list: a growable ring-buffer deque of latin1 strings (one char per
 * byte). Push and pop at either end are O(1) amortized, and so is access by
 * index, so a list of millions of elements answers LPUSH, RPOP, LINDEX and a
 * small LRANGE at once. Inserting or removing in the middle moves the shorter
 * side (LINSERT), and whole-list scans (LREM, LPOS) are O(n), as in Redis.
 * The ring doubles when full and halves when a quarter full, so its memory
 * follows the list.
 *
 * Indices are 0-based from the head; where noted, a negative index counts
 * from the tail (-1 is the last element), as Redis does. The deque does not
 * delete itself when emptied: commands delete the key (Redis never keeps an
 * empty list).
 *
 * OBJECT ENCODING: Redis 7.2 keeps a list as one listpack while it is small
 * and converts it to a quicklist the moment a write would make it exceed
 * list-max-listpack-size, converting back only when a removal leaves it at
 * half the limit or less. The choice depends on the config at the time of
 * each write, so writers report it: `growEncoding` before inserting,
 * `shrinkEncoding` after removing (Redis's listTypeTryConversion), and code
 * that builds a list wholesale (loading, SORT STORE) calls `settleEncoding`.
 * To decide, the list keeps the byte size a listpack of its elements would
 * have (Redis's lpBytes: integers in their compact encodings, per-entry
 * headers and back-lengths).
 */
export class ListValue implements CollectionValue {
  readonly type = 'list' as const;
  /** The ring; unused slots hold '' so the array stays packed and drops references. */
  private slots: string[];
  private mask: number;
  private head = 0;
  private count = 0;
  /** What lpBytes would be for a listpack holding exactly these elements. */
  private packedBytes = LISTPACK_EMPTY_BYTES;
  /** True while Redis would hold this list as a quicklist. */
  private quick = false;

  /** An empty list with room for `capacity` elements before it grows. */
  constructor(capacity = MIN_CAPACITY) {
    const size = ringCapacityFor(capacity);
    this.slots = emptySlots(size);
    this.mask = size - 1;
  }

  /** A list holding `elements` in order (head first). Its encoding is listpack until settled. */
  static from(elements: Iterable<string>): ListValue {
    const list = new ListValue(Array.isArray(elements) ? elements.length : MIN_CAPACITY);
    for (const element of elements) list.pushTail(element);
    return list;
  }

  get size(): number {
    return this.count;
  }

  /** The element at `index` (negative counts from the tail), or undefined when out of range. */
  at(index: number): string | undefined {
    const n = this.count;
    if (index < 0) index += n;
    if (index < 0 || index >= n) return undefined;
    return this.slots[(this.head + index) & this.mask];
  }

  /** Replaces the element at `index` (negative counts from the tail); false when out of range. */
  set(index: number, value: string): boolean {
    const n = this.count;
    if (index < 0) index += n;
    if (index < 0 || index >= n) return false;
    const slot = (this.head + index) & this.mask;
    this.packedBytes += listpackEntryBytes(value) - listpackEntryBytes(this.slots[slot]!);
    this.slots[slot] = value;
    return true;
  }

  pushHead(value: string): void {
    if (this.count === this.slots.length) this.resize(this.slots.length * 2);
    this.head = (this.head - 1) & this.mask;
    this.slots[this.head] = value;
    this.count++;
    this.packedBytes += listpackEntryBytes(value);
  }

  pushTail(value: string): void {
    if (this.count === this.slots.length) this.resize(this.slots.length * 2);
    this.slots[(this.head + this.count) & this.mask] = value;
    this.count++;
    this.packedBytes += listpackEntryBytes(value);
  }

  /** Removes and returns the first element, or undefined when empty. */
  popHead(): string | undefined {
    if (this.count === 0) return undefined;
    const slots = this.slots;
    const value = slots[this.head]!;
    slots[this.head] = '';
    this.head = (this.head + 1) & this.mask;
    this.count--;
    this.packedBytes -= listpackEntryBytes(value);
    this.shrinkIfSparse();
    return value;
  }

  /** Removes and returns the last element, or undefined when empty. */
  popTail(): string | undefined {
    if (this.count === 0) return undefined;
    const slots = this.slots;
    const slot = (this.head + this.count - 1) & this.mask;
    const value = slots[slot]!;
    slots[slot] = '';
    this.count--;
    this.packedBytes -= listpackEntryBytes(value);
    this.shrinkIfSparse();
    return value;
  }

  /** Removes the first `n` elements (all when n >= size). O(n removed). */
  removeHead(n: number): void {
    if (n >= this.count) return this.clear();
    const slots = this.slots;
    const mask = this.mask;
    let head = this.head;
    let bytes = this.packedBytes;
    for (let i = 0; i < n; i++) {
      bytes -= listpackEntryBytes(slots[head]!);
      slots[head] = '';
      head = (head + 1) & mask;
    }
    this.head = head;
    this.count -= n;
    this.packedBytes = bytes;
    this.shrinkIfSparse();
  }

  /** Removes the last `n` elements (all when n >= size). O(n removed). */
  removeTail(n: number): void {
    if (n >= this.count) return this.clear();
    const slots = this.slots;
    const mask = this.mask;
    let bytes = this.packedBytes;
    let slot = (this.head + this.count - 1) & mask;
    for (let i = 0; i < n; i++) {
      bytes -= listpackEntryBytes(slots[slot]!);
      slots[slot] = '';
      slot = (slot - 1) & mask;
    }
    this.count -= n;
    this.packedBytes = bytes;
    this.shrinkIfSparse();
  }

  /**
   * Inserts `value` so that it ends up at `index` (0..size; size appends).
   * O(min(index, size - index)): the shorter side moves.
   */
  insert(index: number, value: string): void {
    const n = this.count;
    if (index <= 0) return this.pushHead(value);
    if (index >= n) return this.pushTail(value);
    if (n === this.slots.length) this.resize(this.slots.length * 2);
    const slots = this.slots;
    const mask = this.mask;
    if (index < n - index) {
      const head = (this.head - 1) & mask;
      this.head = head;
      for (let i = 0; i < index; i++) slots[(head + i) & mask] = slots[(head + i + 1) & mask]!;
      slots[(head + index) & mask] = value;
    } else {
      const head = this.head;
      for (let i = n; i > index; i--) slots[(head + i) & mask] = slots[(head + i - 1) & mask]!;
      slots[(head + index) & mask] = value;
    }
    this.count = n + 1;
    this.packedBytes += listpackEntryBytes(value);
  }

  /** Index of the first element equal to `value` from the head, or -1. */
  indexOf(value: string): number {
    const slots = this.slots;
    const mask = this.mask;
    const head = this.head;
    for (let i = 0, n = this.count; i < n; i++) if (slots[(head + i) & mask] === value) return i;
    return -1;
  }

  /**
   * LREM's removal: removes elements equal to `value`, at most `limit` of
   * them (0 = all), scanning from the head, or from the tail when
   * `fromTail`. Returns how many were removed. O(n), one pass.
   */
  removeMatching(value: string, limit: number, fromTail: boolean): number {
    const n = this.count;
    const slots = this.slots;
    const mask = this.mask;
    const head = this.head;
    const max = limit <= 0 ? n : limit;
    let removed = 0;
    if (!fromTail) {
      let write = 0;
      for (let read = 0; read < n; read++) {
        const element = slots[(head + read) & mask]!;
        if (removed < max && element === value) removed++;
        else {
          if (write !== read) slots[(head + write) & mask] = element;
          write++;
        }
      }
      for (let i = write; i < n; i++) slots[(head + i) & mask] = '';
    } else {
      let write = n - 1;
      for (let read = n - 1; read >= 0; read--) {
        const element = slots[(head + read) & mask]!;
        if (removed < max && element === value) removed++;
        else {
          if (write !== read) slots[(head + write) & mask] = element;
          write--;
        }
      }
      for (let i = 0; i <= write; i++) slots[(head + i) & mask] = '';
      this.head = (head + removed) & mask;
    }
    if (removed > 0) {
      this.count = n - removed;
      this.packedBytes -= removed * listpackEntryBytes(value);
      this.shrinkIfSparse();
    }
    return removed;
  }

  /** The elements from the head, as an iterator (the digest, tests). */
  *values(): IterableIterator<string> {
    const slots = this.slots;
    const mask = this.mask;
    const head = this.head;
    for (let i = 0, n = this.count; i < n; i++) yield slots[(head + i) & mask]!;
  }

  /** The elements from the head in a new array. */
  toArray(): string[] {
    const out: string[] = [];
    const slots = this.slots;
    const mask = this.mask;
    const head = this.head;
    for (let i = 0, n = this.count; i < n; i++) out.push(slots[(head + i) & mask]!);
    return out;
  }

  clone(): ListValue {
    const copy = new ListValue(this.count);
    const slots = this.slots;
    const mask = this.mask;
    const head = this.head;
    const target = copy.slots;
    for (let i = 0, n = this.count; i < n; i++) target[i] = slots[(head + i) & mask]!;
    copy.count = this.count;
    copy.packedBytes = this.packedBytes;
    copy.quick = this.quick;
    return copy;
  }

  /**
   * The encoding Redis 7.2 would hold this list in. It is a state decided
   * by the writes (see the class comment), so `limits` is not consulted: as
   * in Redis, a CONFIG SET changes nothing until the next write.
   */
  encoding(_limits: EncodingLimits): 'listpack' | 'quicklist' {
    return this.quick ? 'quicklist' : 'listpack';
  }

  /**
   * Before inserting `addedCount` elements totalling `addedBytes` bytes:
   * a listpack that would exceed list-max-listpack-size `fill` becomes a
   * quicklist (Redis counts the new elements' raw lengths, as here).
   */
  growEncoding(fill: number, addedBytes: number, addedCount: number): void {
    if (!this.quick && exceedsListpackLimit(fill, this.packedBytes + addedBytes, this.count + addedCount)) {
      this.quick = true;
    }
  }

  /**
   * After removing elements: a quicklist that would fit in one node at half
   * of list-max-listpack-size `fill` (entries and bytes) becomes a listpack
   * again, as Redis 7.2 does. Redis also requires the quicklist to have a
   * single node; that is approximated by the bytes fitting one node.
   */
  shrinkEncoding(fill: number): void {
    if (!this.quick) return;
    const bytes = this.packedBytes;
    const n = this.count;
    if (fill >= 0) {
      const countLimit = fill === 0 ? 1 : fill;
      if ((bytes <= SIZE_SAFETY_LIMIT || n === 1) && n <= Math.floor(countLimit / 2)) this.quick = false;
    } else if (bytes <= negativeFillBytes(fill) / 2) {
      this.quick = false;
    }
  }

  /** For a list built wholesale: the encoding Redis gives a loaded list (listpack when it fits the limit). */
  settleEncoding(fill: number): void {
    this.quick = exceedsListpackLimit(fill, this.packedBytes, this.count);
  }

  digestView(): DigestView {
    return { type: 'list', elements: this.values() };
  }

  private clear(): void {
    const size = MIN_CAPACITY;
    if (this.slots.length === size) this.slots.fill('');
    else this.slots = emptySlots(size);
    this.mask = size - 1;
    this.head = 0;
    this.count = 0;
    this.packedBytes = LISTPACK_EMPTY_BYTES;
  }

  /** Halves the ring (or more) once it is at most a quarter full: memory follows the list, O(1) amortized. */
  private shrinkIfSparse(): void {
    const capacity = this.slots.length;
    if (capacity > MIN_CAPACITY && this.count <= capacity >>> 2) this.resize(ringCapacityFor(this.count * 2));
  }

  /** Moves the elements into a new ring of `capacity` slots (a power of two >= count), head at 0. */
  private resize(capacity: number): void {
    const slots = this.slots;
    const mask = this.mask;
    const head = this.head;
    const n = this.count;
    const next: string[] = [];
    for (let i = 0; i < n; i++) next.push(slots[(head + i) & mask]!);
    for (let i = n; i < capacity; i++) next.push('');
    this.slots = next;
    this.mask = capacity - 1;
    this.head = 0;
  }
}

/** The power of two >= max(n, MIN_CAPACITY). */
function ringCapacityFor(n: number): number {
  let size = MIN_CAPACITY;
  while (size < n) size *= 2;
  return size;
}

/** A packed array of `n` empty strings (pushing keeps V8's PACKED_ELEMENTS kind; `new Array(n)` is holey). */
function emptySlots(n: number): string[] {
  const slots: string[] = [];
  for (let i = 0; i < n; i++) slots.push('');
  return slots;
}

/** The byte limit of a quicklist node for a negative list-max-listpack-size: -1..-5 = 4..64 KiB. */
function negativeFillBytes(fill: number): number {
  const level = Math.min(-fill, 5);
  return 4096 << (level - 1);
}

/**
 * Redis's quicklistNodeExceedsLimit: a negative fill limits the bytes; a
 * positive fill limits the entries (0 means 1), and the bytes to 8 KiB.
 */
function exceedsListpackLimit(fill: number, bytes: number, count: number): boolean {
  if (fill < 0) return bytes > negativeFillBytes(fill);
  if (bytes > SIZE_SAFETY_LIMIT) return true;
  return count > (fill === 0 ? 1 : fill);
}

/**
 * Bytes one element takes in a Redis listpack: its encoding (a canonical
 * int64 in 1, 2, 3, 4, 5 or 9 bytes; a string with a 1, 2 or 5 byte header)
 * plus the back-length (1 to 5 bytes).
 */
export function listpackEntryBytes(value: string): number {
  const len = value.length;
  let encoded: number;
  const n = len <= 17 ? parseSafeInteger(value) : undefined;
  if (n !== undefined) {
    if (n >= 0 && n <= 127) encoded = 1;
    else if (n >= -4096 && n <= 4095) encoded = 2;
    else if (n >= -32768 && n <= 32767) encoded = 3;
    else if (n >= -8388608 && n <= 8388607) encoded = 4;
    else if (n >= -2147483648 && n <= 2147483647) encoded = 5;
    else encoded = 9;
  } else if (len >= 18 && len <= 20 && parseInt64(value) !== undefined) {
    encoded = 9;
  } else {
    encoded = len < 64 ? 1 + len : len < 4096 ? 2 + len : 5 + len;
  }
  return encoded + (encoded <= 127 ? 1 : encoded < 16383 ? 2 : encoded < 2097151 ? 3 : encoded < 268435455 ? 4 : 5);
}
