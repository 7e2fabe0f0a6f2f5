import type { DigestView } from '../digest.js';
import { type CollectionValue, isCanonicalInt64 } from '../values.js';
import { Dict } from './dict.js';
import { type EncodingLimits, GrowthMarks } from './encoding.js';

/** Redis caps an intset at 2^30 entries whatever set-max-intset-entries says. */
const INTSET_HARD_LIMIT = 1 << 30;

/** SPOP with a count keeps the popped-from set when it keeps more than 1/5 of the count. */
const SPOP_MOVE_STRATEGY_MUL = 5;

/** SRANDMEMBER copies the whole set when the count is more than 1/3 of it. */
const SRANDMEMBER_SUB_STRATEGY_MUL = 3;

/**
 * A Redis set: unique latin1 members in a `Dict`, so SSCAN gets Redis's
 * reverse-binary cursor and SPOP / SRANDMEMBER an O(1) random member.
 *
 * Encoding (OBJECT ENCODING). Redis 7.2 keeps a set as an "intset" while
 * every member is a canonical int64 and there are at most
 * set-max-intset-entries of them, as a "listpack" while it has at most
 * set-max-listpack-entries members of at most set-max-listpack-value bytes,
 * and as a "hashtable" otherwise; it converts on the write that crosses a
 * limit and never back. aki stores every set the same way and derives the
 * name Redis would show from what the set went through, replaying Redis's
 * rules against the limits given to `encoding`:
 *
 * - how it was created (`setTypeCreate`: the first member and the number
 *   of members the creating command carried, the "size hint"; or an empty
 *   intset / listpack, as SUNIONSTORE or SPOP build theirs);
 * - the largest size or size hint while it held integers only
 *   (`integerPeak`): beyond the intset limit it became a hashtable;
 * - the largest size or size hint since the first non-integer member
 *   (`mixedPeak`) and, in `marks`, the longest member ever and the overall
 *   peak: an intset turns into a listpack (or a hashtable) at its first
 *   non-integer member, and a listpack into a hashtable at the member that
 *   makes it too big or too long.
 *
 * The result is exact while the limits stay as they were when the writes
 * happened (Redis applies the limits of the moment; a CONFIG SET in between
 * is judged here against the new values).
 */
export class SetValue implements CollectionValue {
  readonly type = 'set' as const;

  private dict = new Dict<true>();
  private marks = new GrowthMarks();
  private integerPeak = 0;
  private mixedPeak = 0;
  private bornForIntegers: boolean;
  private creationHint: number;

  /**
   * An empty set. By default it starts the way Redis's empty intset does
   * (what SUNIONSTORE and SDIFFSTORE build their result in);
   * `startAsListpack` starts it as an empty listpack instead.
   */
  constructor(startAsListpack = false) {
    this.bornForIntegers = !startAsListpack;
    this.creationHint = 0;
  }

  /**
   * The empty set a command creates for a missing key before it adds
   * `firstMember` and the rest of its members (Redis's setTypeCreate):
   * `sizeHint` is how many members the command carries (SADD: all of its
   * member arguments, duplicates included; SMOVE: 1).
   */
  static forFirstMember(firstMember: string, sizeHint: number): SetValue {
    const set = new SetValue(!isCanonicalInt64(firstMember));
    set.creationHint = sizeHint;
    set.noteSizeHint(sizeHint);
    return set;
  }

  /** Number of members (SCARD). */
  get size(): number {
    return this.dict.size;
  }

  /** True while every member ever added was a canonical int64 (necessary for the intset encoding). */
  get integersOnly(): boolean {
    return !this.marks.hadNonInteger;
  }

  has(member: string): boolean {
    return this.dict.has(member);
  }

  /** Adds `member`; returns true when it was not there yet. */
  add(member: string): boolean {
    if (!this.dict.add(member, true)) return false;
    const size = this.dict.size;
    if (!this.marks.hadNonInteger) {
      if (isCanonicalInt64(member)) {
        if (size > this.integerPeak) this.integerPeak = size;
      } else {
        this.marks.hadNonInteger = true;
        this.mixedPeak = size;
      }
    } else if (size > this.mixedPeak) {
      this.mixedPeak = size;
    }
    this.marks.note(size, member.length);
    return true;
  }

  /** Removes `member`; returns whether it was there. Never changes the encoding. */
  delete(member: string): boolean {
    return this.dict.delete(member);
  }

  /**
   * Records that a command is about to add up to `hint` members (SADD's
   * member count, Redis's setTypeMaybeConvert): an intset or listpack too
   * small for that many converts to a hashtable up front.
   */
  noteSizeHint(hint: number): void {
    if (!this.marks.hadNonInteger) {
      if (hint > this.integerPeak) this.integerPeak = hint;
    } else if (hint > this.mixedPeak) {
      this.mixedPeak = hint;
    }
    if (hint > this.marks.peakSize) this.marks.peakSize = hint;
  }

  /** A uniformly chosen member, or undefined when empty. */
  randomMember(): string | undefined {
    const slot = this.dict.randomSlot();
    return slot === -1 ? undefined : this.dict.keyAt(slot);
  }

  /** Removes and returns a random member, or undefined when empty (SPOP). */
  popRandomMember(): string | undefined {
    const slot = this.dict.randomSlot();
    if (slot === -1) return undefined;
    const member = this.dict.keyAt(slot);
    this.dict.delete(member);
    return member;
  }

  /**
   * Removes `count` distinct random members and returns them (SPOP key
   * count); with `count >= size` that is every member and the set is left
   * empty. When few members would remain (at most a fifth of `count`) it
   * picks the members to keep instead and moves them to a fresh set, which
   * replaces this one, as Redis does: O(count) either way rather than
   * O(count) slow random picks from an emptying table. The fresh set starts
   * as an intset when this one was an intset under `limits`, as a listpack
   * otherwise (what Redis builds), so the encoding may shrink.
   */
  popRandomMembers(count: number, limits: EncodingLimits): string[] {
    const size = this.dict.size;
    if (count >= size) {
      const all = this.toArray();
      this.dict.clear();
      return all;
    }
    if (count <= 0) return [];
    let remaining = size - count;
    if (remaining * SPOP_MOVE_STRATEGY_MUL > count) {
      const popped = new Array<string>(count);
      for (let i = 0; i < count; i++) popped[i] = this.popRandomMember()!;
      return popped;
    }
    const kept = new SetValue(this.encoding(limits) !== 'intset');
    while (remaining-- > 0) kept.add(this.popRandomMember()!);
    const popped = this.toArray();
    this.dict = kept.dict;
    this.marks = kept.marks;
    this.integerPeak = kept.integerPeak;
    this.mixedPeak = kept.mixedPeak;
    this.bornForIntegers = kept.bornForIntegers;
    this.creationHint = kept.creationHint;
    return popped;
  }

  /**
   * `count` distinct random members (SRANDMEMBER key count with count > 0),
   * in random order; every member when `count >= size`. O(count): for a
   * count close to the size it shuffles a copy of the members (at most
   * three times the count), otherwise it samples until enough are distinct.
   */
  randomDistinctMembers(count: number): string[] {
    const size = this.dict.size;
    if (count >= size) return this.toArray();
    if (count <= 0) return [];
    if (count * SRANDMEMBER_SUB_STRATEGY_MUL > size) {
      const all = this.toArray();
      for (let i = 0; i < count; i++) {
        const j = i + Math.floor(Math.random() * (size - i));
        const chosen = all[j]!;
        all[j] = all[i]!;
        all[i] = chosen;
      }
      all.length = count;
      return all;
    }
    const picked = new Set<string>();
    while (picked.size < count) picked.add(this.dict.keyAt(this.dict.randomSlot()));
    return [...picked];
  }

  /** Calls `visit` for every member (table order). Do not write to the set meanwhile. */
  forEach(visit: (member: string) => void): void {
    // The dict passes (member, true); a one-parameter visitor ignores the value.
    this.dict.forEach(visit);
  }

  /** Every member (table order). Do not write to the set while iterating. */
  members(): IterableIterator<string> {
    return this.dict.keysIterator();
  }

  /** The members as a new array (table order). */
  toArray(): string[] {
    const out = new Array<string>(this.dict.size);
    let i = 0;
    this.dict.forEach((member) => {
      out[i++] = member;
    });
    return out;
  }

  /**
   * One SSCAN step over the hash table (see `Dict.scan`): visits members from
   * `cursor` until about `count` were seen; returns the next cursor, 0 when
   * done. Every member present for the whole scan is visited at least once.
   */
  scan(cursor: number, count: number, visit: (member: string) => void): number {
    return this.dict.scan(cursor, count, visit);
  }

  clone(): SetValue {
    const copy = new SetValue();
    this.dict.forEach((member) => {
      copy.dict.add(member, true);
    });
    copy.marks.copyFrom(this.marks);
    copy.integerPeak = this.integerPeak;
    copy.mixedPeak = this.mixedPeak;
    copy.bornForIntegers = this.bornForIntegers;
    copy.creationHint = this.creationHint;
    return copy;
  }

  /** "intset", "listpack" or "hashtable", as Redis 7.2 would have it (see the class comment). */
  encoding(limits: EncodingLimits): 'intset' | 'listpack' | 'hashtable' {
    const intsetLimit = Math.min(limits.setMaxIntsetEntries, INTSET_HARD_LIMIT);
    const startedAsIntset = this.bornForIntegers && this.creationHint <= intsetLimit;
    let listpackPeak: number;
    if (startedAsIntset) {
      if (this.integerPeak > intsetLimit) return 'hashtable';
      if (!this.marks.hadNonInteger) return 'intset';
      // The first non-integer member converted the intset to a listpack
      // (when that fits) or a hashtable.
      listpackPeak = this.mixedPeak;
    } else {
      if (this.creationHint > limits.setMaxListpackEntries) return 'hashtable';
      listpackPeak = this.marks.peakSize;
    }
    return listpackPeak <= limits.setMaxListpackEntries && this.marks.longestElement <= limits.setMaxListpackValue
      ? 'listpack'
      : 'hashtable';
  }

  digestView(): DigestView {
    const dict = this.dict;
    return { type: 'set', members: { [Symbol.iterator]: () => dict.keysIterator() } };
  }
}
