/**
 * The ordered index of a sorted set: a skip list with spans, as Redis's
 * zskiplist (W. Pugh's skip list, each forward link also counting the nodes
 * it jumps over so ranks come out of the same O(log n) walk).
 *
 * Order: by score, then by member bytes (latin1 strings: JS string
 * comparison is byte comparison, a prefix sorting first, as memcmp plus
 * length). Scores are never NaN; -0 and 0 compare equal, as doubles do in C.
 *
 * Layout: nodes are numbers (handles) indexing parallel arrays (score,
 * member, backward link, height, base of its links); a node's `height`
 * forward links and spans live in the shared `next` / `span` arrays at
 * `base .. base + height - 1`. Freed nodes and freed link blocks (per height)
 * are recycled, so a long-lived set does not grow its arrays without bound
 * and nothing is allocated per node beyond array growth. Node 0 is the
 * header; 0 also means "no node" (the header is never a forward or backward
 * target). The header's link block starts small and moves to a bigger block
 * when the list grows taller. A handle stays valid until its node is removed.
 */

/** Most links a node can have (Redis's ZSKIPLIST_MAXLEVEL). */
export const MAX_LEVEL = 32;
/** Probability of each further level (Redis's ZSKIPLIST_P). */
const LEVEL_P = 0.25;
const HEADER = 0;
/** Links the header starts with; it grows by doubling up to MAX_LEVEL. */
const INITIAL_HEADER_LEVELS = 4;

/**
 * A score interval (ZRANGEBYSCORE, ZCOUNT, ZREMRANGEBYSCORE). `min` and `max`
 * may be infinite, never NaN.
 */
export interface ScoreRange {
  readonly min: number;
  readonly max: number;
  readonly minExclusive: boolean;
  readonly maxExclusive: boolean;
}

/** How one end of a lex range bounds: `[x`, `(x`, `-` or `+`. */
export const LexBound = {
  Inclusive: 0,
  Exclusive: 1,
  /** `-`: below every string. */
  NegativeInfinity: 2,
  /** `+`: above every string. */
  PositiveInfinity: 3,
} as const;
export type LexBound = (typeof LexBound)[keyof typeof LexBound];

/** A member interval (ZRANGEBYLEX, ZLEXCOUNT, ZREMRANGEBYLEX); `min`/`max` are ignored for infinite bounds. */
export interface LexRange {
  readonly min: string;
  readonly minBound: LexBound;
  readonly max: string;
  readonly maxBound: LexBound;
}

export function scoreGteMin(value: number, range: ScoreRange): boolean {
  return range.minExclusive ? value > range.min : value >= range.min;
}

export function scoreLteMax(value: number, range: ScoreRange): boolean {
  return range.maxExclusive ? value < range.max : value <= range.max;
}

export function lexGteMin(value: string, range: LexRange): boolean {
  switch (range.minBound) {
    case LexBound.Inclusive:
      return value >= range.min;
    case LexBound.Exclusive:
      return value > range.min;
    case LexBound.NegativeInfinity:
      return true;
    default:
      return false;
  }
}

export function lexLteMax(value: string, range: LexRange): boolean {
  switch (range.maxBound) {
    case LexBound.Inclusive:
      return value <= range.max;
    case LexBound.Exclusive:
      return value < range.max;
    case LexBound.PositiveInfinity:
      return true;
    default:
      return false;
  }
}

/** True when no score can be inside `range` (min above max, or equal with an open end). */
export function isEmptyScoreRange(range: ScoreRange): boolean {
  return range.min > range.max || (range.min === range.max && (range.minExclusive || range.maxExclusive));
}

/** Position of a lex bound on the line: -1 for `-`, 1 for `+`, 0 for a string. */
const infinityOf = (bound: LexBound): number =>
  bound === LexBound.NegativeInfinity ? -1 : bound === LexBound.PositiveInfinity ? 1 : 0;

/**
 * True when no string can be inside `range`: min above max, or both equal
 * with an open end (`-` and `+` count as open, so `- -` and `+ +` are empty).
 */
export function isEmptyLexRange(range: LexRange): boolean {
  const a = infinityOf(range.minBound);
  const b = infinityOf(range.maxBound);
  let cmp: number;
  if (a !== 0 || b !== 0) cmp = a === b ? 0 : a < b ? -1 : 1;
  else cmp = range.min === range.max ? 0 : range.min < range.max ? -1 : 1;
  return cmp > 0 || (cmp === 0 && (range.minBound !== LexBound.Inclusive || range.maxBound !== LexBound.Inclusive));
}

function randomLevel(): number {
  let level = 1;
  while (level < MAX_LEVEL && Math.random() < LEVEL_P) level++;
  return level;
}

// Search-path scratch shared by every list: operations are synchronous and
// never nest, so one set of buffers serves all of them without allocation.
const update = new Int32Array(MAX_LEVEL);
const rankAt = new Float64Array(MAX_LEVEL);

export class SkipList {
  private score: number[] = [0];
  private member: string[] = [''];
  private back: number[] = [0];
  private height: number[] = [INITIAL_HEADER_LEVELS];
  private base: number[] = [0];
  private next: number[] = new Array<number>(INITIAL_HEADER_LEVELS).fill(0);
  private span: number[] = new Array<number>(INITIAL_HEADER_LEVELS).fill(0);
  /**
   * Per height h: first free link block of that height + 1 (0 = none),
   * chained through next[block]; created on the first free (small sets that
   * only grow never need it).
   */
  private freeBlocks: number[] | undefined;
  /** First free node + 1 (0 = none); chained through back[node]. */
  private freeNode = 0;
  private count = 0;
  /** Levels in use (at least 1). */
  private level = 1;
  private tail = 0;

  /** Number of nodes. */
  get size(): number {
    return this.count;
  }

  /** Node slots allocated (live, free and the header): what the arrays hold. */
  get capacity(): number {
    return this.score.length;
  }

  first(): number {
    return this.next[this.base[HEADER]!]!;
  }

  last(): number {
    return this.tail;
  }

  /** The node after `node` in order, or 0. */
  nextOf(node: number): number {
    return this.next[this.base[node]!]!;
  }

  /** The node before `node` in order, or 0. */
  prevOf(node: number): number {
    return this.back[node]!;
  }

  scoreOf(node: number): number {
    return this.score[node]!;
  }

  memberOf(node: number): string {
    return this.member[node]!;
  }

  /** Inserts a node for (score, member), which must not be present; returns its handle. */
  insert(score: number, member: string): number {
    const node = this.allocate(randomLevel());
    this.score[node] = score;
    this.member[node] = member;
    this.link(node);
    return node;
  }

  /**
   * Changes the score of `node`, moving it when its place changes (the node
   * keeps its handle). O(1) when the order is unchanged, else O(log n).
   */
  updateScore(node: number, score: number): void {
    const member = this.member[node]!;
    const prev = this.back[node]!;
    const following = this.next[this.base[node]!]!;
    if (
      (prev === 0 || this.precedes(prev, score, member)) &&
      (following === 0 || !this.precedes(following, score, member))
    ) {
      this.score[node] = score;
      return;
    }
    this.findPath(this.score[node]!, member);
    this.unlink(node);
    this.score[node] = score;
    this.link(node);
  }

  /** Removes `node` (found by its own score and member). */
  remove(node: number): void {
    this.findPath(this.score[node]!, this.member[node]!);
    this.unlink(node);
    this.release(node);
  }

  /** 1-based rank of (score, member), or 0 when absent. O(log n). */
  rank(score: number, member: string): number {
    const { next, span, base } = this;
    let x = HEADER;
    let rank = 0;
    for (let i = this.level - 1; i >= 0; i--) {
      for (;;) {
        const f = next[base[x]! + i]!;
        if (f === 0) break;
        const s = this.score[f]!;
        if (s < score || (s === score && this.member[f]! <= member)) {
          rank += span[base[x]! + i]!;
          x = f;
        } else break;
      }
      if (x !== HEADER && this.member[x] === member && this.score[x] === score) return rank;
    }
    return 0;
  }

  /** 1-based rank of `node`. */
  rankOf(node: number): number {
    return this.rank(this.score[node]!, this.member[node]!);
  }

  /** The node at 1-based `rank`, or 0 when out of range. O(log n). */
  at(rank: number): number {
    if (rank < 1 || rank > this.count) return 0;
    const { next, span, base } = this;
    let x = HEADER;
    let traversed = 0;
    for (let i = this.level - 1; i >= 0; i--) {
      for (;;) {
        const f = next[base[x]! + i]!;
        if (f === 0 || traversed + span[base[x]! + i]! > rank) break;
        traversed += span[base[x]! + i]!;
        x = f;
      }
      if (traversed === rank) return x;
    }
    return 0;
  }

  /** First node with a score inside `range`, or 0. */
  firstInRange(range: ScoreRange): number {
    if (!this.mayIntersect(range)) return 0;
    const x = this.nextOf(this.descend((f) => !scoreGteMin(this.score[f]!, range)));
    return x !== 0 && scoreLteMax(this.score[x]!, range) ? x : 0;
  }

  /** Last node with a score inside `range`, or 0. */
  lastInRange(range: ScoreRange): number {
    if (!this.mayIntersect(range)) return 0;
    const x = this.descend((f) => scoreLteMax(this.score[f]!, range));
    return x !== HEADER && scoreGteMin(this.score[x]!, range) ? x : 0;
  }

  /**
   * First node whose member is inside `range`, or 0. Meaningful when all
   * scores are equal (the list is then ordered by member), as in Redis.
   */
  firstInLexRange(range: LexRange): number {
    if (!this.mayIntersectLex(range)) return 0;
    const x = this.nextOf(this.descend((f) => !lexGteMin(this.member[f]!, range)));
    return x !== 0 && lexLteMax(this.member[x]!, range) ? x : 0;
  }

  /** Last node whose member is inside `range`, or 0 (see firstInLexRange). */
  lastInLexRange(range: LexRange): number {
    if (!this.mayIntersectLex(range)) return 0;
    const x = this.descend((f) => lexLteMax(this.member[f]!, range));
    return x !== HEADER && lexGteMin(this.member[x]!, range) ? x : 0;
  }

  /** Removes every node with a score inside `range`, calling `removed` with each member; returns how many. */
  removeRangeByScore(range: ScoreRange, removed: (member: string) => void): number {
    if (isEmptyScoreRange(range)) return 0;
    // `this.score`, not a local: removal may reallocate the arrays.
    return this.removeRun(
      (node) => scoreGteMin(this.score[node]!, range),
      (node) => scoreLteMax(this.score[node]!, range),
      removed,
    );
  }

  /** Removes every node whose member is inside `range` (see firstInLexRange); returns how many. */
  removeRangeByLex(range: LexRange, removed: (member: string) => void): number {
    if (isEmptyLexRange(range)) return 0;
    return this.removeRun(
      (node) => lexGteMin(this.member[node]!, range),
      (node) => lexLteMax(this.member[node]!, range),
      removed,
    );
  }

  /**
   * The search every range operation starts with: from the header down the
   * levels, moving forward while the next node satisfies `advance` (which
   * must hold for a prefix of the list). Returns the last node reached (the
   * header when none), with the path left in `update` for an unlink.
   */
  private descend(advance: (node: number) => boolean): number {
    const { next, base } = this;
    let x = HEADER;
    for (let i = this.level - 1; i >= 0; i--) {
      for (;;) {
        const f = next[base[x]! + i]!;
        if (f === 0 || !advance(f)) break;
        x = f;
      }
      update[i] = x;
    }
    return x;
  }

  /**
   * Removes the run of nodes that starts at the first node for which
   * `reachesStart` holds and goes on while `inRun` holds (the list is
   * ordered so both are monotonic), calling `removed` with each member.
   * O(log n + M).
   */
  private removeRun(
    reachesStart: (node: number) => boolean,
    inRun: (node: number) => boolean,
    removed: (member: string) => void,
  ): number {
    let n = 0;
    let x = this.nextOf(this.descend((f) => !reachesStart(f)));
    while (x !== 0 && inRun(x)) {
      const following = this.next[this.base[x]!]!;
      this.unlink(x);
      removed(this.member[x]!);
      this.release(x);
      n++;
      x = following;
    }
    return n;
  }

  /** Removes the nodes at 1-based ranks start..end (inclusive, within 1..size); returns how many. */
  removeRangeByRank(start: number, end: number, removed: (member: string) => void): number {
    const { next, span, base } = this;
    let x = HEADER;
    let traversed = 0;
    for (let i = this.level - 1; i >= 0; i--) {
      for (;;) {
        const f = next[base[x]! + i]!;
        if (f === 0 || traversed + span[base[x]! + i]! >= start) break;
        traversed += span[base[x]! + i]!;
        x = f;
      }
      update[i] = x;
    }
    traversed++;
    let n = 0;
    x = this.next[this.base[x]!]!;
    while (x !== 0 && traversed <= end) {
      const following = this.next[this.base[x]!]!;
      this.unlink(x);
      removed(this.member[x]!);
      this.release(x);
      n++;
      traversed++;
      x = following;
    }
    return n;
  }

  /** A deep copy with identical handles. */
  clone(): SkipList {
    const copy = new SkipList();
    copy.score = this.score.slice();
    copy.member = this.member.slice();
    copy.back = this.back.slice();
    copy.height = this.height.slice();
    copy.base = this.base.slice();
    copy.next = this.next.slice();
    copy.span = this.span.slice();
    copy.freeBlocks = this.freeBlocks?.slice();
    copy.freeNode = this.freeNode;
    copy.count = this.count;
    copy.level = this.level;
    copy.tail = this.tail;
    return copy;
  }

  /**
   * Checks every structural invariant (order, spans, back links, tail,
   * length, level); throws on the first violation. For tests.
   */
  verify(): void {
    const { next, span, base } = this;
    // Level 0 walk: order, back links, tail, count.
    const rankOfNode = new Map<number, number>();
    let prev = 0;
    let rank = 0;
    for (let x = next[base[HEADER]!]!; x !== 0; x = next[base[x]!]!) {
      rank++;
      rankOfNode.set(x, rank);
      if (this.back[x] !== prev) throw new Error(`bad back link at rank ${rank}`);
      if (prev !== 0 && !this.precedes(prev, this.score[x]!, this.member[x]!)) throw new Error(`order broken at rank ${rank}`);
      prev = x;
    }
    if (rank !== this.count) throw new Error(`length ${this.count} but ${rank} nodes`);
    if (this.tail !== prev) throw new Error('bad tail');
    // Every level: spans equal rank differences.
    for (let i = 0; i < this.height[HEADER]!; i++) {
      let x = HEADER;
      let r = 0;
      for (;;) {
        const f = next[base[x]! + i]!;
        if (i >= this.level) {
          if (f !== 0) throw new Error(`link above level ${this.level}`);
          break;
        }
        if (f === 0) break;
        const fr = rankOfNode.get(f);
        if (fr === undefined) throw new Error(`level ${i} links a node not on level 0`);
        if (span[base[x]! + i] !== fr - r) throw new Error(`bad span at level ${i}`);
        if (this.height[f]! <= i) throw new Error(`level ${i} links a shorter node`);
        x = f;
        r = fr;
      }
    }
    if (this.level > 1 && next[base[HEADER]! + this.level - 1] === 0) throw new Error('level not trimmed');
  }

  /** True when node `a` sorts before (score, member). */
  private precedes(a: number, score: number, member: string): boolean {
    const s = this.score[a]!;
    return s < score || (s === score && this.member[a]! < member);
  }

  private mayIntersect(range: ScoreRange): boolean {
    if (isEmptyScoreRange(range) || this.count === 0) return false;
    return scoreGteMin(this.score[this.tail]!, range) && scoreLteMax(this.score[this.first()]!, range);
  }

  private mayIntersectLex(range: LexRange): boolean {
    if (isEmptyLexRange(range) || this.count === 0) return false;
    return lexGteMin(this.member[this.tail]!, range) && lexLteMax(this.member[this.first()]!, range);
  }

  /** Fills `update` with, per level, the last node before (score, member). */
  private findPath(score: number, member: string): void {
    const { next, base } = this;
    let x = HEADER;
    for (let i = this.level - 1; i >= 0; i--) {
      for (;;) {
        const f = next[base[x]! + i]!;
        if (f === 0 || !this.precedes(f, score, member)) break;
        x = f;
      }
      update[i] = x;
    }
  }

  /** Links the allocated `node` (score and member set) into its place. */
  private link(node: number): void {
    const score = this.score[node]!;
    const member = this.member[node]!;
    const h = this.height[node]!;
    if (h > this.level) this.growLevel(h);
    const { next, span, base } = this;
    let x = HEADER;
    for (let i = this.level - 1; i >= 0; i--) {
      rankAt[i] = i === this.level - 1 ? 0 : rankAt[i + 1]!;
      for (;;) {
        const f = next[base[x]! + i]!;
        if (f === 0 || !this.precedes(f, score, member)) break;
        rankAt[i] += span[base[x]! + i]!;
        x = f;
      }
      update[i] = x;
    }
    const nodeBase = base[node]!;
    const rank0 = rankAt[0]!;
    for (let i = 0; i < h; i++) {
      const u = base[update[i]!]! + i;
      next[nodeBase + i] = next[u]!;
      next[u] = node;
      span[nodeBase + i] = span[u]! - (rank0 - rankAt[i]!);
      span[u] = rank0 - rankAt[i]! + 1;
    }
    for (let i = h; i < this.level; i++) span[base[update[i]!]! + i]!++;
    const u0 = update[0]!;
    this.back[node] = u0 === HEADER ? 0 : u0;
    const following = next[nodeBase]!;
    if (following !== 0) this.back[following] = node;
    else this.tail = node;
    this.count++;
  }

  /** Raises the list to `h` levels: the header's new levels span the whole list. */
  private growLevel(h: number): void {
    if (this.height[HEADER]! < h) this.growHeader(h);
    const headerBase = this.base[HEADER]!;
    for (let i = this.level; i < h; i++) {
      this.next[headerBase + i] = 0;
      this.span[headerBase + i] = this.count;
    }
    this.level = h;
  }

  /** Moves the header's links to a block of at least `h` levels. */
  private growHeader(h: number): void {
    const oldHeight = this.height[HEADER]!;
    let height = oldHeight;
    while (height < h) height *= 2;
    if (height > MAX_LEVEL) height = MAX_LEVEL;
    const oldBase = this.base[HEADER]!;
    const newBase = this.allocateBlock(height);
    for (let i = 0; i < height; i++) {
      this.next[newBase + i] = i < oldHeight ? this.next[oldBase + i]! : 0;
      this.span[newBase + i] = i < oldHeight ? this.span[oldBase + i]! : 0;
    }
    this.freeBlock(oldBase, oldHeight);
    this.base[HEADER] = newBase;
    this.height[HEADER] = height;
  }

  /** Unlinks `node`, with `update` holding its search path. Does not free it. */
  private unlink(node: number): void {
    const { next, span, base } = this;
    const nodeBase = base[node]!;
    for (let i = 0; i < this.level; i++) {
      const u = base[update[i]!]! + i;
      if (next[u] === node) {
        span[u] += span[nodeBase + i]! - 1;
        next[u] = next[nodeBase + i]!;
      } else {
        span[u]!--;
      }
    }
    const following = next[nodeBase]!;
    if (following !== 0) this.back[following] = this.back[node]!;
    else this.tail = this.back[node]!;
    const headerBase = base[HEADER]!;
    while (this.level > 1 && next[headerBase + this.level - 1] === 0) this.level--;
    this.count--;
  }

  private allocate(h: number): number {
    const blockBase = this.allocateBlock(h);
    let node: number;
    if (this.freeNode !== 0) {
      node = this.freeNode - 1;
      this.freeNode = this.back[node]!;
      this.height[node] = h;
      this.base[node] = blockBase;
    } else {
      node = this.score.length;
      this.score.push(0);
      this.member.push('');
      this.back.push(0);
      this.height.push(h);
      this.base.push(blockBase);
    }
    return node;
  }

  private release(node: number): void {
    this.freeBlock(this.base[node]!, this.height[node]!);
    this.member[node] = '';
    this.back[node] = this.freeNode;
    this.freeNode = node + 1;
  }

  private allocateBlock(h: number): number {
    const freeBlocks = this.freeBlocks;
    const free = freeBlocks === undefined ? 0 : freeBlocks[h]!;
    if (free !== 0) {
      const blockBase = free - 1;
      freeBlocks![h] = this.next[blockBase]!;
      return blockBase;
    }
    const blockBase = this.next.length;
    for (let i = 0; i < h; i++) {
      this.next.push(0);
      this.span.push(0);
    }
    return blockBase;
  }

  private freeBlock(blockBase: number, h: number): void {
    const freeBlocks = (this.freeBlocks ??= new Array<number>(MAX_LEVEL + 1).fill(0));
    this.next[blockBase] = freeBlocks[h]!;
    freeBlocks[h] = blockBase + 1;
  }
}
