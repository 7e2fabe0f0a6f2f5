import type { DigestView } from '../digest.js';
import type { CollectionValue } from '../values.js';
import { Dict } from './dict.js';
import { type EncodingLimits, GrowthMarks } from './encoding.js';
import { type LexRange, type ScoreRange, SkipList } from './skiplist.js';

/**
 * A set that shrank below 1/8 of the node slots it once needed (and holds
 * more than this many slots) is rebuilt compactly, so a set that was large
 * once does not keep its peak memory. Amortized O(log n) per removal.
 */
const COMPACT_MIN_CAPACITY = 1024;

/**
 * A sorted set (ZADD and friends): members (latin1 strings) with double
 * scores, ordered by (score, member bytes).
 *
 * Two structures, as Redis's skiplist encoding: a `Dict` from member to its
 * node in a `SkipList` (O(1) ZSCORE and membership, scan-safe ZSCAN cursor,
 * O(1) random member), and the skip list with spans (O(log n) insert,
 * delete, rank, by-rank and first-in-range; ranges then walk M nodes). The
 * dict holds node handles rather than scores: a handle is a small integer,
 * so no boxed double is allocated per member or per score change, and the
 * score is one array read away.
 *
 * Nodes are exposed as handles (numbers, 0 = none) for allocation-free
 * range walks in the commands: `first`/`last`/`next`/`prev`/`at` and the
 * range finders return handles, `memberOf`/`scoreOf` read them. A handle is
 * valid until the next removal from the set: a removal that leaves the set
 * much smaller than it was renumbers every node (see `compactIfSparse`).
 * Adding members and changing scores keep handles.
 *
 * Ranks here are 0-based (ZRANK's), unlike the skip list's.
 */
export class SortedSetValue implements CollectionValue {
  readonly type = 'zset' as const;
  /** Peak size and longest member, for OBJECT ENCODING (see GrowthMarks). */
  readonly marks = new GrowthMarks();
  private index = new SkipList();
  private dict = new Dict<number>();
  /** The dict-side removal the skip list's range deletions call back (one closure per set, not per call). */
  private readonly forget = (member: string): void => {
    this.dict.delete(member);
  };

  /** Number of members (ZCARD). */
  get size(): number {
    return this.index.size;
  }

  /** The score of `member`, or undefined when absent. */
  score(member: string): number | undefined {
    const slot = this.dict.slotOf(member);
    return slot === -1 ? undefined : this.index.scoreOf(this.dict.valueAt(slot));
  }

  has(member: string): boolean {
    return this.dict.slotOf(member) !== -1;
  }

  /** The node of `member`, or 0 when absent. */
  nodeOf(member: string): number {
    const slot = this.dict.slotOf(member);
    return slot === -1 ? 0 : this.dict.valueAt(slot);
  }

  /**
   * Sets the score of `member`, adding it when absent; returns true when it
   * was added. A score equal to the current one (-0 equals 0, as in C) leaves
   * the member untouched.
   */
  set(member: string, score: number): boolean {
    const slot = this.dict.slotOf(member);
    if (slot === -1) {
      this.dict.set(member, this.index.insert(score, member));
      this.marks.note(this.index.size, member.length);
      return true;
    }
    const node = this.dict.valueAt(slot);
    if (this.index.scoreOf(node) !== score) this.index.updateScore(node, score);
    return false;
  }

  /** Removes `member`; returns whether it was present. */
  delete(member: string): boolean {
    const slot = this.dict.slotOf(member);
    if (slot === -1) return false;
    const node = this.dict.valueAt(slot);
    this.dict.delete(member);
    this.index.remove(node);
    this.compactIfSparse();
    return true;
  }

  /** 0-based rank of `member` (from the highest score when `reverse`), or -1 when absent. O(log n). */
  rank(member: string, reverse = false): number {
    const node = this.nodeOf(member);
    if (node === 0) return -1;
    const rank = this.index.rankOf(node) - 1;
    return reverse ? this.index.size - 1 - rank : rank;
  }

  /** 0-based rank of `node` in ascending order. O(log n). */
  rankOf(node: number): number {
    return this.index.rankOf(node) - 1;
  }

  /** The node at 0-based ascending `rank`, or 0 when out of range. O(log n). */
  at(rank: number): number {
    return this.index.at(rank + 1);
  }

  /** Node with the lowest score, or 0 when empty. */
  first(): number {
    return this.index.first();
  }

  /** Node with the highest score, or 0 when empty. */
  last(): number {
    return this.index.last();
  }

  /** Next node in ascending order, or 0. */
  next(node: number): number {
    return this.index.nextOf(node);
  }

  /** Previous node in ascending order, or 0. */
  prev(node: number): number {
    return this.index.prevOf(node);
  }

  memberOf(node: number): string {
    return this.index.memberOf(node);
  }

  scoreOf(node: number): number {
    return this.index.scoreOf(node);
  }

  /** Lowest node with a score in `range`, or 0. */
  firstInRange(range: ScoreRange): number {
    return this.index.firstInRange(range);
  }

  /** Highest node with a score in `range`, or 0. */
  lastInRange(range: ScoreRange): number {
    return this.index.lastInRange(range);
  }

  /** Lowest node whose member is in `range`, or 0 (meaningful when all scores are equal, as in Redis). */
  firstInLexRange(range: LexRange): number {
    return this.index.firstInLexRange(range);
  }

  /** Highest node whose member is in `range`, or 0. */
  lastInLexRange(range: LexRange): number {
    return this.index.lastInLexRange(range);
  }

  /** Number of members with a score in `range` (ZCOUNT). O(log n). */
  countInRange(range: ScoreRange): number {
    const first = this.index.firstInRange(range);
    if (first === 0) return 0;
    return this.index.rankOf(this.index.lastInRange(range)) - this.index.rankOf(first) + 1;
  }

  /** Number of members in the lex `range` (ZLEXCOUNT). O(log n). */
  countInLexRange(range: LexRange): number {
    const first = this.index.firstInLexRange(range);
    if (first === 0) return 0;
    return this.index.rankOf(this.index.lastInLexRange(range)) - this.index.rankOf(first) + 1;
  }

  /** Removes the members with a score in `range`; returns how many. O(log n + M). */
  removeRangeByScore(range: ScoreRange): number {
    const removed = this.index.removeRangeByScore(range, this.forget);
    this.compactIfSparse();
    return removed;
  }

  /** Removes the members in the lex `range`; returns how many. O(log n + M). */
  removeRangeByLex(range: LexRange): number {
    const removed = this.index.removeRangeByLex(range, this.forget);
    this.compactIfSparse();
    return removed;
  }

  /** Removes the members at 0-based ranks start..end (inclusive, clamped by the caller to 0..size-1). */
  removeRangeByRank(start: number, end: number): number {
    if (start > end || start < 0 || end >= this.index.size) return 0;
    const removed = this.index.removeRangeByRank(start + 1, end + 1, this.forget);
    this.compactIfSparse();
    return removed;
  }

  /** A node chosen at random (about uniformly, as Redis's fair random key), or 0 when empty. */
  randomNode(): number {
    const slot = this.dict.randomSlot();
    return slot === -1 ? 0 : this.dict.valueAt(slot);
  }

  /**
   * One ZSCAN step over the member table (see Dict.scan for the guarantee);
   * returns the next cursor, 0 when done. `visit` must not write to the set.
   */
  scan(cursor: number, count: number, visit: (member: string, score: number) => void): number {
    const index = this.index;
    return this.dict.scan(cursor, count, (member, node) => visit(member, index.scoreOf(node)));
  }

  /** Calls `visit` for every member in ascending order. Do not write while visiting. */
  forEach(visit: (member: string, score: number) => void): void {
    const index = this.index;
    for (let node = index.first(); node !== 0; node = index.nextOf(node)) visit(index.memberOf(node), index.scoreOf(node));
  }

  /** Every [member, score] in ascending order. Do not write while iterating. */
  *entries(): IterableIterator<[string, number]> {
    const index = this.index;
    for (let node = index.first(); node !== 0; node = index.nextOf(node)) yield [index.memberOf(node), index.scoreOf(node)];
  }

  /**
   * True while Redis would keep this set as a listpack under these limits:
   * it never held more than `maxEntries` members nor a member longer than
   * `maxValue` bytes (conversion to a skiplist is one-way).
   */
  isCompact(maxEntries: number, maxValue: number): boolean {
    return this.marks.peakSize <= maxEntries && this.marks.longestElement <= maxValue;
  }

  /** True when the set would still be compact once it holds `member` (see isCompact). */
  isCompactWith(member: string, maxEntries: number, maxValue: number): boolean {
    const size = this.has(member) ? this.index.size : this.index.size + 1;
    return Math.max(this.marks.peakSize, size) <= maxEntries && Math.max(this.marks.longestElement, member.length) <= maxValue;
  }

  /**
   * Replaces every -0 score by 0. A listpack stores an integral score as an
   * integer, so a listpack-encoded Redis set holds no negative zero: the
   * server calls this when a set it builds will be reported as listpack.
   */
  dropNegativeZeros(): void {
    const index = this.index;
    for (let node = index.first(); node !== 0; node = index.nextOf(node)) {
      if (Object.is(index.scoreOf(node), -0)) index.updateScore(node, 0); // same place: -0 == 0
    }
  }

  clone(): SortedSetValue {
    const copy = new SortedSetValue();
    copy.index = this.index.clone();
    // Handles are identical in the cloned list, so the dict maps over as is.
    this.dict.forEach((member, node) => copy.dict.set(member, node));
    copy.marks.copyFrom(this.marks);
    return copy;
  }

  encoding(limits: EncodingLimits): string {
    return this.isCompact(limits.zsetMaxListpackEntries, limits.zsetMaxListpackValue) ? 'listpack' : 'skiplist';
  }

  digestView(): DigestView {
    return { type: 'zset', entries: this.entries() };
  }

  /** Rebuilds the skip list without its free slots when they dominate (see COMPACT_MIN_CAPACITY). */
  private compactIfSparse(): void {
    const old = this.index;
    if (old.capacity <= COMPACT_MIN_CAPACITY || old.size * 8 >= old.capacity) return;
    const fresh = new SkipList();
    const dict = this.dict;
    for (let node = old.first(); node !== 0; node = old.nextOf(node)) {
      const member = old.memberOf(node);
      dict.setValueAt(dict.slotOf(member), fresh.insert(old.scoreOf(node), member));
    }
    this.index = fresh;
  }

  /** Node slots the skip list holds (for tests of compaction). */
  get capacity(): number {
    return this.index.capacity;
  }

  /** Checks the skip list's invariants and the dict's agreement with it; throws on a violation. For tests. */
  verify(): void {
    this.index.verify();
    if (this.dict.size !== this.index.size) throw new Error(`dict holds ${this.dict.size}, list ${this.index.size}`);
    this.dict.forEach((member, node) => {
      if (this.index.memberOf(node) !== member) throw new Error(`dict entry ${member} points at ${this.index.memberOf(node)}`);
    });
  }
}
