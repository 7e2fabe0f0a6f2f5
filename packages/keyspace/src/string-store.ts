import { constants as bufferConstants } from 'node:buffer';
import { hashString, nextScanCursor } from './hash-table.js';
import type { StoredValue } from './values.js';

/**
 * An off-heap hash table of latin1 keys to values, each with an optional
 * absolute expiry time. String values live in the arena as bytes; a
 * collection (list, hash, set, sorted set), like a string too large for the
 * arena, is kept as a JS reference in a side table (a "side value").
 *
 * Why off-heap: a JS Map holding every value makes each SET allocate a string
 * that survives, so the young-generation collector promotes it and the old
 * generation keeps growing and being marked. Measured on this project's
 * 2-core machine, a Map with 100k churning keys cut a do-nothing server from
 * 1.33M to 450k SET/s. Here keys and values live as bytes in one arena
 * Buffer; the only JS objects are a few typed arrays.
 *
 * Layout
 * - `buckets` (separate chaining, power-of-two size): the first record of
 *   each chain as a record reference, 0 = empty. A record reference is
 *   (byte offset / 8) + 1.
 * - Records are 8-byte aligned in `arena`:
 *     i32[0] key length, i32[1] value length (or large-value index),
 *     i32[2] value capacity (-1 = side value: a large string or a collection),
 *     i32[3] next record in the chain, i32[4] key hash, i32[5] last access
 *     (bits 0-29: seconds since ACCESS_EPOCH, for OBJECT IDLETIME; bit 30: the
 *     value is "raw" encoded, i.e. was modified in place by APPEND/SETRANGE),
 *     f64 at +24 expiry (unix ms, 0 = none), key bytes at +32, then value bytes.
 * - Chaining (not open addressing) is what makes SCAN exact: with Redis's
 *   reverse-binary cursor over buckets, every key present for a whole scan is
 *   returned even when the table grows or shrinks between calls.
 * - Space freed by deletes and by values outgrowing their record counts as
 *   garbage; the arena is compacted when garbage passes half of it.
 *
 * Point-in-time snapshots (see `beginSnapshot`): while one is active, the
 * first write to a key the snapshot has not emitted yet keeps the key's state
 * at the start in the snapshot's state. With no snapshot active, every write
 * and lookup pays one null check of `snapshot`.
 */

/** Buffer methods Node has on every Buffer but @types/node does not declare (the fast paths). */
interface Latin1Buffer extends Buffer {
  latin1Slice(start: number, end: number): string;
  latin1Write(text: string, offset: number, length: number): number;
}

const MAX_BUFFER_LENGTH = bufferConstants.MAX_LENGTH;
const HEADER_BYTES = 32;
const INITIAL_BUCKETS = 1024;
const INITIAL_ARENA_BYTES = 256 * 1024;
/** Values longer than this stay JS strings outside the arena (no huge arena copies). */
const LARGE_VALUE_BYTES = 64 * 1024;
/** A snapshot step examines at most this many buckets per key of budget (bounds the work on sparse tables). */
const SNAPSHOT_BUCKETS_PER_KEY = 16;

/** Field indexes (in 32-bit words) within a record header. */
const KEY_LENGTH = 0;
const VALUE_LENGTH = 1;
const VALUE_CAPACITY = 2;
const NEXT = 3;
const HASH = 4;
const ACCESS = 5;
/** Access times count seconds from 2020-01-01 in 30 bits (until 2054). */
const ACCESS_EPOCH = 1577836800;
const ACCESS_MASK = 0x3fffffff;
const RAW_FLAG = 0x40000000;
/** Byte offset of the expiry double within a record. */
const EXPIRY_BYTE = 24;

const align8 = (n: number): number => (n + 7) & ~7;

/** The 30-bit access field for unix `seconds` (clamped to the representable range). */
const accessStamp = (seconds: number): number => Math.min(Math.max(seconds - ACCESS_EPOCH, 0), ACCESS_MASK);

/**
 * What a snapshot keeps of one key it has not emitted yet, taken at the key's
 * first write since the start: its expiry at the start and, once a write
 * changes or may change the value, its value at the start (`value`
 * undefined: the live value is still the one of the start, only the expiry
 * changed). Keys created after the start map to `ABSENT_AT_START`.
 */
/** reserve() grows the table to at most this many buckets (a bad hint must not allocate without bound). */
const MAX_RESERVED_BUCKETS = 1 << 26;

class PreservedKey {
  /** Next entry of its bucket's list of keys removed since the start (see StoreSnapshotState.removed). */
  nextRemoved: PreservedKey | null = null;
  listedAsRemoved = false;

  constructor(
    readonly key: string,
    public value: StoredValue | undefined,
    readonly expireAt: number,
  ) {}
}

/** The one marker for keys that did not exist at the start. */
const ABSENT_AT_START = new PreservedKey('', undefined, 0);

/**
 * A store's part of a point-in-time snapshot. Keys belong to "snapshot
 * buckets": hash & `mask`, the table's mask at the start. The table may grow
 * during the snapshot, and shrink back, but never below its size at the start
 * (a smaller table would merge snapshot buckets): snapshot bucket b is the
 * current buckets b, b + `size`, b + 2 * `size`, ..., and a key's snapshot
 * bucket is fixed. Buckets below `cursor` are emitted: their keys may be
 * written freely. A key at or past the cursor is preserved on its first write.
 */
class StoreSnapshotState {
  cursor = 0;
  readonly mask: number;
  /** Key -> state at the start, for keys written since then and not emitted yet. */
  readonly preserved = new Map<string, PreservedKey>();
  /**
   * Snapshot bucket -> linked list of preserved keys that existed at the
   * start and were removed since (each listed once; it may have come back):
   * emitting a bucket finds in its chains every key but these.
   */
  readonly removed = new Map<number, PreservedKey>();

  constructor(readonly size: number) {
    this.mask = size - 1;
  }
}

/** Receives the entries of a snapshot; `expireAt` is unix ms or undefined. */
export type SnapshotVisitor = (db: number, key: string, value: StoredValue, expireAt: number | undefined) => void;

export class StringStore {
  private buckets = new Int32Array(INITIAL_BUCKETS);
  private mask = INITIAL_BUCKETS - 1;
  private live = 0;
  private arena = Buffer.alloc(INITIAL_ARENA_BYTES) as Latin1Buffer;
  private i32: Int32Array = new Int32Array(this.arena.buffer, this.arena.byteOffset, this.arena.length / 4);
  private f64: Float64Array = new Float64Array(this.arena.buffer, this.arena.byteOffset, this.arena.length / 8);
  private top = 0;
  private garbage = 0;
  private readonly largeValues: Array<StoredValue | undefined> = [];
  private readonly freeLargeIndexes: number[] = [];
  /** Number of keys with an expiry time. */
  expiringCount = 0;
  private lastHashedKey = '';
  private lastHash = hashString('');
  /**
   * The active point-in-time snapshot of this store, or null. Database reads
   * it to decide whether a lookup of a collection (which the caller may
   * mutate in place) must preserve it first (`preserveForMutation`).
   */
  snapshot: StoreSnapshotState | null = null;

  /** Number of keys. */
  get size(): number {
    return this.live;
  }

  /** Number of buckets (a power of two). */
  get bucketCount(): number {
    return this.buckets.length;
  }

  /** Reference of `key`'s record, or 0 when absent. References are valid until the next write. */
  find(key: string): number {
    const hash = this.hashOf(key);
    const i32 = this.i32;
    let ref = this.buckets[hash & this.mask]!;
    while (ref !== 0) {
      const w = (ref - 1) * 2;
      if (i32[w + HASH] === hash && this.keyEquals(ref, key)) return ref;
      ref = i32[w + NEXT]!;
    }
    return 0;
  }

  /** The value of the record `ref`. */
  valueOf(ref: number): StoredValue {
    const w = (ref - 1) * 2;
    const capacity = this.i32[w + VALUE_CAPACITY]!;
    if (capacity === -1) return this.largeValues[this.i32[w + VALUE_LENGTH]!]!;
    const start = ((ref - 1) * 8) + HEADER_BYTES + this.i32[w + KEY_LENGTH]!;
    return this.arena.latin1Slice(start, start + this.i32[w + VALUE_LENGTH]!);
  }

  /** True when the record `ref` holds a string (in the arena or as a large side value). */
  holdsString(ref: number): boolean {
    const w = (ref - 1) * 2;
    return this.i32[w + VALUE_CAPACITY] !== -1 || typeof this.largeValues[this.i32[w + VALUE_LENGTH]!] === 'string';
  }

  /** Length in bytes of the string value of the record `ref` (see holdsString). */
  valueLengthOf(ref: number): number {
    const w = (ref - 1) * 2;
    if (this.i32[w + VALUE_CAPACITY] === -1) return (this.largeValues[this.i32[w + VALUE_LENGTH]!] as string).length;
    return this.i32[w + VALUE_LENGTH]!;
  }

  /** Copies the string value bytes of the record `ref` into `target` at `offset` (see holdsString). */
  copyValueTo(ref: number, target: Buffer, offset: number): void {
    const w = (ref - 1) * 2;
    const capacity = this.i32[w + VALUE_CAPACITY]!;
    if (capacity === -1) {
      const value = this.largeValues[this.i32[w + VALUE_LENGTH]!] as string;
      (target as Latin1Buffer).latin1Write(value, offset, value.length);
      return;
    }
    const start = (ref - 1) * 8 + HEADER_BYTES + this.i32[w + KEY_LENGTH]!;
    const length = this.i32[w + VALUE_LENGTH]!;
    if (length > 32) {
      this.arena.copy(target, offset, start, start + length);
      return;
    }
    const arena = this.arena;
    for (let i = 0; i < length; i++) target[offset + i] = arena[start + i]!;
  }

  /** The key of the record `ref`. */
  keyOf(ref: number): string {
    const start = ((ref - 1) * 8) + HEADER_BYTES;
    return this.arena.latin1Slice(start, start + this.i32[(ref - 1) * 2]!);
  }

  /** Expiry (unix ms) of the record `ref`, 0 when it has none. */
  expireAtOf(ref: number): number {
    return this.f64[(ref - 1) + EXPIRY_BYTE / 8]!;
  }

  /** Sets the expiry (unix ms, 0 = none) of the record `ref`. */
  setExpireAtOf(ref: number, expireAt: number): void {
    if (this.snapshot !== null) this.preserveBeforeExpiryChange(ref);
    this.writeExpiry(ref, expireAt);
  }

  private writeExpiry(ref: number, expireAt: number): void {
    const index = (ref - 1) + EXPIRY_BYTE / 8;
    const before = this.f64[index]!;
    if (before === 0 && expireAt !== 0) this.expiringCount++;
    else if (before !== 0 && expireAt === 0) this.expiringCount--;
    this.f64[index] = expireAt;
  }

  /** Last access time (unix seconds) of the record `ref`. */
  accessOf(ref: number): number {
    return (this.i32[((ref - 1) * 2) + ACCESS]! & ACCESS_MASK) + ACCESS_EPOCH;
  }

  /** Records an access (unix seconds) to the record `ref`. */
  touch(ref: number, seconds: number): void {
    const index = ((ref - 1) * 2) + ACCESS;
    this.i32[index] = (this.i32[index]! & RAW_FLAG) | accessStamp(seconds);
  }

  /** True when the value of `ref` was stored as raw-encoded (OBJECT ENCODING). */
  isRaw(ref: number): boolean {
    return (this.i32[((ref - 1) * 2) + ACCESS]! & RAW_FLAG) !== 0;
  }

  /**
   * Stores `value` under `key`. `expireAt` is unix ms, 0 for none, or -1 to
   * keep the key's current expiry; `seconds` stamps the access time; `raw`
   * marks a value modified in place (OBJECT ENCODING "raw").
   */
  set(key: string, value: StoredValue, expireAt: number, seconds = ACCESS_EPOCH, raw = false): boolean {
    const stamp = accessStamp(seconds) | (raw ? RAW_FLAG : 0);
    if (this.snapshot !== null) this.preserveBeforeSet(key, value);
    const ref = this.find(key);
    if (ref !== 0) {
      if (this.tryOverwrite(ref, value)) {
        if (expireAt !== -1) this.writeExpiry(ref, expireAt);
        this.i32[((ref - 1) * 2) + ACCESS] = stamp;
        return true;
      }
      const keep = expireAt === -1 ? this.expireAtOf(ref) : expireAt;
      this.unlink(key);
      this.insert(key, value, keep, stamp);
      return true;
    }
    this.insert(key, value, expireAt === -1 ? 0 : expireAt, stamp);
    return false;
  }

  /** Removes `key`; returns whether it was there. */
  remove(key: string): boolean {
    if (this.snapshot !== null) this.preserveBeforeRemove(key);
    return this.unlink(key);
  }

  private unlink(key: string): boolean {
    const hash = this.hashOf(key);
    const i32 = this.i32;
    const bucket = hash & this.mask;
    let previous = 0;
    let ref = this.buckets[bucket]!;
    while (ref !== 0) {
      const w = (ref - 1) * 2;
      if (i32[w + HASH] === hash && this.keyEquals(ref, key)) {
        const next = i32[w + NEXT]!;
        if (previous === 0) this.buckets[bucket] = next;
        else i32[((previous - 1) * 2) + NEXT] = next;
        this.release(ref);
        this.maybeShrink();
        return true;
      }
      previous = ref;
      ref = i32[w + NEXT]!;
    }
    return false;
  }

  /** Removes every entry. Not while a snapshot is active (Database.flush replaces the store instead). */
  clear(): void {
    if (this.snapshot !== null) throw new Error('StringStore.clear during a snapshot');
    this.buckets = new Int32Array(INITIAL_BUCKETS);
    this.mask = INITIAL_BUCKETS - 1;
    this.live = 0;
    this.setArena(Buffer.alloc(INITIAL_ARENA_BYTES));
    this.top = 0;
    this.garbage = 0;
    this.largeValues.length = 0;
    this.freeLargeIndexes.length = 0;
    this.expiringCount = 0;
  }

  /**
   * One SCAN step: visits whole buckets starting at `cursor` until at least
   * `count` records were seen or the table is done; returns the next cursor
   * (0 = done). Redis's reverse-binary cursor: it increments the reversed
   * bits of the bucket index, so buckets that a resize splits or merges are
   * covered whatever the table size at each call.
   */
  scan(cursor: number, count: number, visit: (ref: number) => void): number {
    let v = cursor >>> 0;
    let seen = 0;
    do {
      const mask = this.mask;
      let ref = this.buckets[v & mask]!;
      while (ref !== 0) {
        const next = this.i32[((ref - 1) * 2) + NEXT]!;
        visit(ref);
        seen++;
        ref = next;
      }
      v = nextScanCursor(v, mask);
    } while (v !== 0 && seen < count);
    return v;
  }

  /** A record chosen at random (uniform over buckets, then within a chain), or 0 when empty. */
  randomRecord(): number {
    if (this.live === 0) return 0;
    let ref = 0;
    while (ref === 0) ref = this.buckets[Math.floor(Math.random() * this.buckets.length)]!;
    let length = 0;
    for (let r = ref; r !== 0; r = this.i32[((r - 1) * 2) + NEXT]!) length++;
    let pick = Math.floor(Math.random() * length);
    while (pick-- > 0) ref = this.i32[((ref - 1) * 2) + NEXT]!;
    return ref;
  }

  /** Every record reference (iteration over the current table; do not write while iterating). */
  *records(): IterableIterator<number> {
    const buckets = this.buckets;
    for (let b = 0; b < buckets.length; b++) {
      let ref = buckets[b]!;
      while (ref !== 0) {
        const next = this.i32[((ref - 1) * 2) + NEXT]!;
        yield ref;
        ref = next;
      }
    }
  }

  // -------------------------------------------------------------------------
  // Point-in-time snapshot

  /**
   * Starts a snapshot of this store: from now on `snapshotStep` emits the
   * entries as they are now, each once, while writes go on. Until it ends
   * (`snapshotStep` reaches the end, or `endSnapshot`), the table does not
   * shrink below its current size and writes to keys not yet emitted keep
   * their state at the start.
   */
  beginSnapshot(): void {
    if (this.snapshot !== null) throw new Error('StringStore already has an active snapshot');
    this.snapshot = new StoreSnapshotState(this.buckets.length);
  }

  /**
   * Emits the next snapshot buckets, whole, until at least `budget` entries
   * were visited or `budget * 16` table buckets were examined (so sparse
   * tables cost bounded work too), and returns the number visited. Each
   * entry comes as it was at `beginSnapshot`; logically expired entries are
   * included (the raw view). `visit` receives `db` as is and must not write
   * to this store. The snapshot ends by itself after the last bucket
   * (`snapshot` is then null).
   */
  snapshotStep(db: number, budget: number, visit: SnapshotVisitor): number {
    const state = this.snapshot;
    if (state === null) return 0;
    const preserved = state.preserved;
    const stride = state.size;
    let visited = 0;
    let bucketsLeft = Math.max(1, budget) * SNAPSHOT_BUCKETS_PER_KEY;
    while (state.cursor < stride && visited < budget && bucketsLeft > 0) {
      const bucket = state.cursor;
      // Never smaller than at the start, so the table is `stride` times a power of two.
      const buckets = this.buckets;
      for (let b = bucket; b < buckets.length; b += stride) {
        bucketsLeft--;
        let ref = buckets[b]!;
        while (ref !== 0) {
          const key = this.keyOf(ref);
          const kept = preserved.size === 0 ? undefined : preserved.get(key);
          if (kept === undefined) {
            const expireAt = this.expireAtOf(ref);
            visit(db, key, this.valueOf(ref), expireAt === 0 ? undefined : expireAt);
            visited++;
          } else {
            preserved.delete(key);
            if (kept !== ABSENT_AT_START) {
              const expireAt = kept.expireAt;
              visit(db, key, kept.value ?? this.valueOf(ref), expireAt === 0 ? undefined : expireAt);
              visited++;
            }
          }
          ref = this.i32[((ref - 1) * 2) + NEXT]!;
        }
      }
      const removed = state.removed.get(bucket);
      if (removed !== undefined) {
        for (let kept: PreservedKey | null = removed; kept !== null; kept = kept.nextRemoved) {
          // Gone from the map: it came back and its chain emitted it.
          if (preserved.get(kept.key) !== kept) continue;
          preserved.delete(kept.key);
          const expireAt = kept.expireAt;
          visit(db, kept.key, kept.value!, expireAt === 0 ? undefined : expireAt);
          visited++;
        }
        state.removed.delete(bucket);
      }
      state.cursor = bucket + 1;
    }
    if (state.cursor === stride) this.endSnapshot();
    return visited;
  }

  /** Ends the snapshot (done or abandoned): drops what it preserved and runs a shrink that was deferred. */
  endSnapshot(): void {
    if (this.snapshot === null) return;
    this.snapshot = null;
    let size = this.buckets.length;
    while (size > INITIAL_BUCKETS && this.live * 8 < size) size /= 2;
    if (size !== this.buckets.length) this.resize(size);
  }

  /**
   * Called by Database when a lookup hands out the collection of record
   * `ref` (key `key`), which the caller may then modify in place: a snapshot
   * that has not emitted the key yet keeps a copy of it first.
   */
  preserveForMutation(key: string, ref: number): void {
    const state = this.snapshot;
    if (state === null || (this.i32[((ref - 1) * 2) + HASH]! & state.mask) < state.cursor) return;
    const kept = state.preserved.get(key);
    if (kept === undefined) state.preserved.set(key, new PreservedKey(key, this.valueCopy(ref), this.expireAtOf(ref)));
    else if (kept !== ABSENT_AT_START && kept.value === undefined) kept.value = this.valueCopy(ref);
  }

  /** Before `set(key, value)`: keeps the key's state at the start unless already kept or emitted. */
  private preserveBeforeSet(key: string, value: StoredValue): void {
    const state = this.snapshot!;
    if ((this.hashOf(key) & state.mask) < state.cursor) return;
    const kept = state.preserved.get(key);
    if (kept === undefined) {
      const ref = this.find(key);
      state.preserved.set(
        key,
        ref === 0 ? ABSENT_AT_START : new PreservedKey(key, this.replacedValue(ref, value), this.expireAtOf(ref)),
      );
    } else if (kept !== ABSENT_AT_START && kept.value === undefined) {
      kept.value = this.replacedValue(this.find(key), value);
    }
  }

  /** Before `remove(key)`: keeps the key's state at the start unless already kept or emitted. */
  private preserveBeforeRemove(key: string): void {
    const state = this.snapshot!;
    const bucket = this.hashOf(key) & state.mask;
    if (bucket < state.cursor) return;
    const ref = this.find(key);
    if (ref === 0) return; // nothing changes
    let kept = state.preserved.get(key);
    if (kept === ABSENT_AT_START) {
      // Created after the start and now gone again: the live state is the start's.
      state.preserved.delete(key);
      return;
    }
    // The value leaves the store, so it needs no copy.
    if (kept === undefined) {
      kept = new PreservedKey(key, this.valueOf(ref), this.expireAtOf(ref));
      state.preserved.set(key, kept);
    } else if (kept.value === undefined) {
      kept.value = this.valueOf(ref);
    }
    if (!kept.listedAsRemoved) {
      kept.listedAsRemoved = true;
      kept.nextRemoved = state.removed.get(bucket) ?? null;
      state.removed.set(bucket, kept);
    }
  }

  /** Before the expiry of record `ref` changes: keeps the expiry at the start (the value stays live). */
  private preserveBeforeExpiryChange(ref: number): void {
    const state = this.snapshot!;
    if ((this.i32[((ref - 1) * 2) + HASH]! & state.mask) < state.cursor) return;
    const key = this.keyOf(ref);
    if (!state.preserved.has(key)) state.preserved.set(key, new PreservedKey(key, undefined, this.expireAtOf(ref)));
  }

  /**
   * The value of `ref` that `next` replaces: as is when it leaves the store
   * (strings are immutable; a replaced collection is no longer reachable
   * through the store), a copy when the same collection object is stored
   * again (it stays live and may change further).
   */
  private replacedValue(ref: number, next: StoredValue): StoredValue {
    const value = this.valueOf(ref);
    return value === next && typeof value !== 'string' ? value.clone() : value;
  }

  /** The value of `ref`, copied when it is a collection (which may be modified in place). */
  private valueCopy(ref: number): StoredValue {
    const value = this.valueOf(ref);
    return typeof value === 'string' ? value : value.clone();
  }

  /**
   * The key's hash, remembered for the last key: a command usually looks a key
   * up and then writes it (INCR, APPEND, SET NX), hashing the same string twice.
   */
  private hashOf(key: string): number {
    if (key === this.lastHashedKey) return this.lastHash;
    const hash = hashString(key);
    this.lastHashedKey = key;
    this.lastHash = hash;
    return hash;
  }

  private keyEquals(ref: number, key: string): boolean {
    const offset = (ref - 1) * 8;
    const length = this.i32[offset / 4]!;
    if (length !== key.length) return false;
    const arena = this.arena;
    const start = offset + HEADER_BYTES;
    for (let i = 0; i < length; i++) {
      if (arena[start + i] !== key.charCodeAt(i)) return false;
    }
    return true;
  }

  private recordBytes(ref: number): number {
    const w = (ref - 1) * 2;
    const capacity = this.i32[w + VALUE_CAPACITY]!;
    return align8(HEADER_BYTES + this.i32[w + KEY_LENGTH]! + (capacity === -1 ? 0 : capacity));
  }

  /** Writes `value` into the record in place when it fits; false when it needs a new record. */
  private tryOverwrite(ref: number, value: StoredValue): boolean {
    const w = (ref - 1) * 2;
    const capacity = this.i32[w + VALUE_CAPACITY]!;
    if (capacity === -1) {
      if (!isSideValue(value)) return false;
      this.largeValues[this.i32[w + VALUE_LENGTH]!] = value;
      return true;
    }
    if (typeof value !== 'string' || value.length > capacity) return false;
    const length = value.length;
    this.i32[w + VALUE_LENGTH] = length;
    writeLatin1(this.arena, ((ref - 1) * 8) + HEADER_BYTES + this.i32[w + KEY_LENGTH]!, value);
    return true;
  }

  /**
   * Grows the table at once to hold `keys` keys without further resizing
   * (a load that knows its size from the RDB's RESIZEDB hint). Never shrinks;
   * not during a snapshot, whose cursor relies on the table's growth steps.
   */
  reserve(keys: number): void {
    if (this.snapshot !== null || keys <= this.buckets.length) return;
    let size = this.buckets.length;
    while (size < keys && size < MAX_RESERVED_BUCKETS) size *= 2;
    if (size !== this.buckets.length) this.resize(size);
  }

  private insert(key: string, value: StoredValue, expireAt: number, stamp: number): void {
    if (this.live >= this.buckets.length) this.resize(this.buckets.length * 2);
    const large = isSideValue(value);
    const capacity = large ? 0 : (value as string).length;
    const offset = this.allocate(align8(HEADER_BYTES + key.length + capacity));
    const ref = (offset / 8) + 1;
    const w = offset / 4;
    const hash = this.hashOf(key);
    const i32 = this.i32;
    i32[w + KEY_LENGTH] = key.length;
    i32[w + HASH] = hash;
    i32[w + ACCESS] = stamp;
    this.f64[(offset + EXPIRY_BYTE) / 8] = expireAt;
    if (expireAt !== 0) this.expiringCount++;
    writeLatin1(this.arena, offset + HEADER_BYTES, key);
    if (large) {
      i32[w + VALUE_LENGTH] = this.storeLarge(value);
      i32[w + VALUE_CAPACITY] = -1;
    } else {
      i32[w + VALUE_LENGTH] = capacity;
      i32[w + VALUE_CAPACITY] = capacity;
      writeLatin1(this.arena, offset + HEADER_BYTES + key.length, value as string);
    }
    const bucket = hash & this.mask;
    i32[w + NEXT] = this.buckets[bucket]!;
    this.buckets[bucket] = ref;
    this.live++;
  }

  private release(ref: number): void {
    const w = (ref - 1) * 2;
    if (this.f64[(ref - 1) + EXPIRY_BYTE / 8] !== 0) this.expiringCount--;
    this.garbage += this.recordBytes(ref);
    if (this.i32[w + VALUE_CAPACITY] === -1) this.releaseLarge(this.i32[w + VALUE_LENGTH]!);
    this.live--;
  }

  /**
   * Halves the table when it is mostly empty, as Redis shrinks its dicts;
   * during a snapshot not below the table's size at its start (that shrink
   * is deferred to the snapshot's end).
   */
  private maybeShrink(): void {
    const size = this.buckets.length;
    if (size > INITIAL_BUCKETS && this.live * 8 < size && (this.snapshot === null || size > this.snapshot.size)) {
      this.resize(size / 2);
    }
  }

  /** Relinks every record into a table of `size` buckets (chains are rebuilt, records stay). */
  private resize(size: number): void {
    const old = this.buckets;
    const buckets = new Int32Array(size);
    const mask = size - 1;
    const i32 = this.i32;
    for (let b = 0; b < old.length; b++) {
      let ref = old[b]!;
      while (ref !== 0) {
        const w = (ref - 1) * 2;
        const next = i32[w + NEXT]!;
        const bucket = i32[w + HASH]! & mask;
        i32[w + NEXT] = buckets[bucket]!;
        buckets[bucket] = ref;
        ref = next;
      }
    }
    this.buckets = buckets;
    this.mask = mask;
  }

  /** Reserves `size` bytes at the arena's end, compacting or growing it first when needed. */
  private allocate(size: number): number {
    if (this.top + size > this.arena.length) {
      if (this.garbage * 2 > this.arena.length) this.compact(size);
      if (this.top + size > this.arena.length) this.growArena(this.top + size);
    }
    const offset = this.top;
    this.top += size;
    return offset;
  }

  private growArena(needed: number): void {
    let length = this.arena.length * 2;
    while (length < needed) length *= 2;
    const next = newArena(length);
    this.arena.copy(next, 0, 0, this.top);
    this.setArena(next);
  }

  /** Copies live records into a fresh arena, dropping garbage, and relinks the chains. */
  private compact(extra: number): void {
    let length = INITIAL_ARENA_BYTES;
    while (length < (this.top - this.garbage + extra) * 2) length *= 2;
    const next = newArena(length);
    const nextI32 = new Int32Array(next.buffer, next.byteOffset, next.length / 4);
    let top = 0;
    const buckets = this.buckets;
    for (let b = 0; b < buckets.length; b++) {
      let ref = buckets[b]!;
      let previousNew = 0;
      while (ref !== 0) {
        const offset = (ref - 1) * 8;
        const bytes = this.recordBytes(ref);
        const following = this.i32[(offset / 4) + NEXT]!;
        this.arena.copy(next, top, offset, offset + bytes);
        const newRef = (top / 8) + 1;
        if (previousNew === 0) buckets[b] = newRef;
        else nextI32[((previousNew - 1) * 2) + NEXT] = newRef;
        nextI32[(top / 4) + NEXT] = 0;
        previousNew = newRef;
        top += bytes;
        ref = following;
      }
    }
    this.setArena(next);
    this.top = top;
    this.garbage = 0;
  }

  private setArena(arena: Buffer): void {
    // Views first: if one cannot be made, the store keeps its old arena intact.
    const i32 = new Int32Array(arena.buffer, arena.byteOffset, arena.length / 4);
    const f64 = new Float64Array(arena.buffer, arena.byteOffset, arena.length / 8);
    this.arena = arena as Latin1Buffer;
    this.i32 = i32;
    this.f64 = f64;
  }

  private storeLarge(value: StoredValue): number {
    const index = this.freeLargeIndexes.pop() ?? this.largeValues.length;
    this.largeValues[index] = value;
    return index;
  }

  private releaseLarge(index: number): void {
    this.largeValues[index] = undefined;
    this.freeLargeIndexes.push(index);
  }
}

/** Values kept as JS references instead of arena bytes: collections and strings too large for the arena. */
function isSideValue(value: StoredValue): boolean {
  return typeof value !== 'string' || value.length > LARGE_VALUE_BYTES;
}

/**
 * A fresh arena of `length` bytes: its own (8-byte aligned) memory, not zeroed,
 * because insert writes every header field. Arenas are limited by the largest
 * Buffer Node can make (4 GiB); beyond that the write fails with a RangeError.
 */
function newArena(length: number): Buffer {
  if (length > MAX_BUFFER_LENGTH) throw new RangeError(`string store is full (${MAX_BUFFER_LENGTH} bytes)`);
  return Buffer.allocUnsafeSlow(length);
}

/** Copies a latin1 string's chars as bytes; a plain loop beats latin1Write for short strings. */
function writeLatin1(target: Latin1Buffer, offset: number, text: string): void {
  const length = text.length;
  if (length > 32) {
    target.latin1Write(text, offset, length);
    return;
  }
  for (let i = 0; i < length; i++) target[offset + i] = text.charCodeAt(i);
}
