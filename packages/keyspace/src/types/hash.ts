import type { DigestView } from '../digest.js';
import type { CollectionValue } from '../values.js';
import { Dict } from './dict.js';
import { type EncodingLimits, GrowthMarks } from './encoding.js';

/** HRANDFIELD with a positive count shuffles a copy of the fields when the count is more than 1/3 of them. */
const RANDOM_DISTINCT_SHUFFLE_MUL = 3;

/**
 * A Redis hash: latin1 fields mapped to latin1 values in a `Dict`, so HSCAN
 * gets Redis's reverse-binary cursor and HRANDFIELD an O(1) random field.
 *
 * Encoding (OBJECT ENCODING). Redis 7.2 keeps a hash as a "listpack" while it
 * has at most hash-max-listpack-entries fields and every field and value is
 * at most hash-max-listpack-value bytes, and converts it to a "hashtable" on
 * the write that crosses either limit, never back. aki stores every hash the
 * same way and remembers (in `GrowthMarks`) the most fields the hash ever
 * held and the longest field or value ever written to it, which decides the
 * name against the limits given to `encoding`. Two Redis 7.2 details are
 * part of that: HSET / HMSET convert up front when they carry more pairs than
 * the entry limit, duplicates included (`noteSizeHint`), and a write that
 * only replaces a value still counts its length. The result is exact while
 * the limits stay as they were when the writes happened (a CONFIG SET in
 * between is judged here against the new values).
 *
 * Slots (`randomSlot`, `randomDistinctSlots`, `fieldAt`, `valueAt`) are the
 * dict's handles: valid until the next deletion from this hash.
 */
export class HashValue implements CollectionValue {
  readonly type = 'hash' as const;

  private dict = new Dict<string>();
  private marks = new GrowthMarks();

  /** Number of fields (HLEN). */
  get size(): number {
    return this.dict.size;
  }

  /** The value of `field`, or undefined when absent. */
  get(field: string): string | undefined {
    return this.dict.get(field);
  }

  has(field: string): boolean {
    return this.dict.has(field);
  }

  /** Sets `field` to `value`; returns true when the field is new. */
  set(field: string, value: string): boolean {
    const added = this.dict.set(field, value);
    this.marks.note(this.dict.size, field.length > value.length ? field.length : value.length);
    return added;
  }

  /** Sets `field` only when absent (HSETNX); returns true when it was added. */
  setIfAbsent(field: string, value: string): boolean {
    if (!this.dict.add(field, value)) return false;
    this.marks.note(this.dict.size, field.length > value.length ? field.length : value.length);
    return true;
  }

  /** Removes `field`; returns whether it was there. Never changes the encoding. */
  delete(field: string): boolean {
    return this.dict.delete(field);
  }

  /**
   * Records that a command is about to write `pairs` field/value pairs
   * (HSET / HMSET, duplicates included): Redis 7.2 converts a listpack to a
   * hashtable up front when that is more than hash-max-listpack-entries.
   */
  noteSizeHint(pairs: number): void {
    if (pairs > this.marks.peakSize) this.marks.peakSize = pairs;
  }

  /** The slot of a field chosen at random (see `Dict.randomSlot`), or -1 when empty. */
  randomSlot(): number {
    return this.dict.randomSlot();
  }

  /**
   * The slots of `count` distinct fields chosen at random, in random order
   * (HRANDFIELD key count with 0 < count < size). O(count): for a count
   * close to the size it shuffles a copy of the slots (at most three times
   * the count), otherwise it samples until enough are distinct.
   */
  randomDistinctSlots(count: number): number[] {
    const dict = this.dict;
    const size = dict.size;
    if (count <= 0) return [];
    if (count >= size) return this.allSlots();
    if (count * RANDOM_DISTINCT_SHUFFLE_MUL > size) {
      const slots = this.allSlots();
      for (let i = 0; i < count; i++) {
        const j = i + Math.floor(Math.random() * (size - i));
        const chosen = slots[j]!;
        slots[j] = slots[i]!;
        slots[i] = chosen;
      }
      slots.length = count;
      return slots;
    }
    const picked = new Set<number>();
    while (picked.size < count) picked.add(dict.randomSlot());
    return [...picked];
  }

  /** The field in `slot`. */
  fieldAt(slot: number): string {
    return this.dict.keyAt(slot);
  }

  /** The value in `slot`. */
  valueAt(slot: number): string {
    return this.dict.valueAt(slot);
  }

  /** Calls `visit` for every field and value (table order). Do not write to the hash meanwhile. */
  forEach(visit: (field: string, value: string) => void): void {
    this.dict.forEach(visit);
  }

  /** Every [field, value] pair (table order). Do not write to the hash while iterating. */
  entries(): IterableIterator<[string, string]> {
    return this.dict.entries();
  }

  /**
   * One HSCAN step over the hash table (see `Dict.scan`): visits fields from
   * `cursor` until about `count` were seen; returns the next cursor, 0 when
   * done. Every field present for the whole scan is visited at least once.
   */
  scan(cursor: number, count: number, visit: (field: string, value: string) => void): number {
    return this.dict.scan(cursor, count, visit);
  }

  clone(): HashValue {
    const copy = new HashValue();
    const target = copy.dict;
    this.dict.forEach((field, value) => {
      target.add(field, value);
    });
    copy.marks.copyFrom(this.marks);
    return copy;
  }

  /** "listpack" or "hashtable", as Redis 7.2 would have it (see the class comment). */
  encoding(limits: EncodingLimits): 'listpack' | 'hashtable' {
    return this.marks.peakSize <= limits.hashMaxListpackEntries && this.marks.longestElement <= limits.hashMaxListpackValue
      ? 'listpack'
      : 'hashtable';
  }

  digestView(): DigestView {
    const dict = this.dict;
    return { type: 'hash', fields: { [Symbol.iterator]: () => dict.entries() } };
  }

  private allSlots(): number[] {
    const slots: number[] = [];
    this.dict.forEachSlot((slot) => {
      slots.push(slot);
    });
    return slots;
  }
}
