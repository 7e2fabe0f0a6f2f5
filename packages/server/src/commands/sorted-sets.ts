import {
  type LexRange,
  type ScoreRange,
  type SetValue,
  SortedSetValue,
} from '@aki/keyspace';
import type { ReplyWriter } from '@aki/resp-codec';
import { Err } from '../errors.js';
import {
  blockingTimeoutArg,
  isOption,
  MIN_REPLY_ELEMENT_BYTES,
  mpopArgs,
  nonNegativeArg,
  parseInteger,
  randomCountArg,
  refuseOversizedReply,
} from './args.js';
import { defineCommand, KEY_ARG, keyAt, keyRange, KEYS_ARG, NUMKEYS_ARG, TIMEOUT_ARG, tokenChoice } from './define.js';
import { removeElements } from './partial-effect.js';
import { ERR_INVALID_CURSOR, parseCollectionScan, parseCursor, replyScanPage } from './scan-args.js';
import { compactScoreText, parseLexRange, parseScore, parseScoreRange, scoreText } from './sorted-set-args.js';
import { deleteIfEmpty, isOfType, readSortedSet, storeNew, writeSortedSet } from './typed.js';
import type { ArgumentDoc, CommandContext, CommandSpec } from './types.js';

/*
 * Sorted set commands (SortedSetValue: a member dict plus a skip list with
 * spans, so ranks, by-rank and first-in-range are O(log n)).
 *
 * Effects (nothing is propagated when nothing changed):
 *   ZADD                      -> ZADD key score member ... of the members added or
 *                                changed (flags dropped: the outcome is decided;
 *                                with INCR the resulting score)
 *   ZINCRBY                   -> itself
 *   ZREM                      -> ZREM key <members actually removed>
 *   ZPOPMIN, ZPOPMAX          -> themselves
 *   ZMPOP, BZMPOP             -> ZPOPMIN|ZPOPMAX key <number popped>
 *   BZPOPMIN, BZPOPMAX        -> ZPOPMIN|ZPOPMAX key
 *   ZREMRANGEBYSCORE|RANK|LEX -> themselves (when they removed something)
 *   ZRANGESTORE, ZUNIONSTORE, ZINTERSTORE, ZDIFFSTORE
 *                             -> themselves (deterministic: they read replicated
 *                                keys); also when an empty result deleted the
 *                                destination, nothing when it changed nothing
 * A request that is its own effect is propagated with its name canonicalised in place.
 *
 * Scores are read with C strtod's grammar and printed as doubles
 * (ReplyWriter.double: RESP2 bulk text, RESP3 `,`). With WITHSCORES, RESP2
 * replies are flat member/score arrays and RESP3 replies arrays of
 * [member, score] pairs, as Redis 7 does.
 */

const ERR_NX_XX = 'ERR XX and NX options at the same time are not compatible';
const ERR_GT_LT_NX = 'ERR GT, LT, and/or NX options at the same time are not compatible';
const ERR_INCR_PAIR = 'ERR INCR option supports a single increment-element pair';
const ERR_NAN_SCORE = 'ERR resulting score is not a number (NaN)';
const ERR_SCORE_RANGE = 'ERR min or max is not a float';
const ERR_LEX_RANGE = 'ERR min or max not valid string range item';
const ERR_LIMIT_NEEDS_BY = 'ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX';
const ERR_WITHSCORES_LEX = 'ERR syntax error, WITHSCORES not supported in combination with BYLEX';
const ERR_WEIGHT = 'ERR weight value is not a float';
const errNoInputKeys = (command: string): string => `ERR at least 1 input key is needed for '${command}' command`;

// ---------------------------------------------------------------------------
// Shared helpers

/** The listpack limits of the current config (what OBJECT ENCODING would judge by). */
const maxEntries = (ctx: CommandContext): number => ctx.server.config.get('zset-max-listpack-entries');
const maxValue = (ctx: CommandContext): number => ctx.server.config.get('zset-max-listpack-value');

/**
 * The score to store for `member`: a listpack keeps no negative zero (Redis
 * stores an integral score as an integer there), so -0 becomes 0 in a set
 * that stays listpack-encoded; a skiplist keeps -0.
 */
function storedScore(ctx: CommandContext, z: SortedSetValue, member: string, score: number): number {
  if (score !== 0) return score;
  return z.isCompactWith(member, maxEntries(ctx), maxValue(ctx)) ? 0 : score;
}

/** Stores a computed result (the *STORE commands), applying the listpack's -0 rule first. */
function storeResult(ctx: CommandContext, key: string, z: SortedSetValue): void {
  if (z.isCompact(maxEntries(ctx), maxValue(ctx))) z.dropNegativeZeros();
  storeNew(ctx, key, z);
}

/**
 * Replies with the size of the result stored at `dst` and propagates the
 * request; an empty result deletes `dst` instead (propagated only when it existed).
 */
function finishStore(ctx: CommandContext, argv: string[], name: string, dst: string, result: SortedSetValue): void {
  if (result.size > 0) {
    storeResult(ctx, dst, result);
    ctx.reply.integer(result.size);
  } else {
    const deleted = ctx.db.delete(dst, ctx.now);
    ctx.reply.integer(0);
    if (!deleted) return;
  }
  argv[0] = name;
  ctx.propagate(argv);
}

/** Array header for `n` members, with their scores when `withScores` (RESP2 flat, RESP3 pairs). */
function entriesHeader(reply: ReplyWriter, n: number, withScores: boolean): void {
  reply.arrayHeader(withScores && reply.protocol !== 3 ? n * 2 : n);
}

/** One member of a reply opened by `entriesHeader`. */
function writeEntry(reply: ReplyWriter, member: string, score: number, withScores: boolean): void {
  if (!withScores) return reply.bulk(member);
  if (reply.protocol === 3) reply.arrayHeader(2);
  reply.bulk(member);
  reply.double(score);
}

// ---------------------------------------------------------------------------
// ZADD / ZINCRBY

const ZADD_NX = 1;
const ZADD_XX = 2;
const ZADD_CH = 4;
const ZADD_INCR = 8;
const ZADD_GT = 16;
const ZADD_LT = 32;

/** Scores parsed by the running ZADD (module scratch: handlers are synchronous). */
const parsedScores: number[] = [];

/**
 * ZADD key [NX | XX] [GT | LT] [CH] [INCR] score member [score member ...]
 * -> the number of members added (with CH: added or changed); with INCR the
 * member's new score, or null when NX/XX/GT/LT prevented it.
 * ZINCRBY key increment member -> the member's new score.
 *
 * Redis's order: options (any order, until the first non-option), pair
 * count, option conflicts, every score, then the key; nothing is written
 * unless all of that passed. A NaN produced by INCR is refused. Redis 7.2
 * converts a listpack set to a skiplist up front when a ZADD carries more
 * pairs than zset-max-listpack-entries (duplicates included), which the
 * growth marks record.
 */
function zaddGeneric(ctx: CommandContext, argv: string[], flagsIn: number): void {
  let flags = flagsIn;
  let i = 2;
  for (; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg.length > 4) break;
    const option = arg.toUpperCase();
    if (option === 'NX') flags |= ZADD_NX;
    else if (option === 'XX') flags |= ZADD_XX;
    else if (option === 'CH') flags |= ZADD_CH;
    else if (option === 'INCR') flags |= ZADD_INCR;
    else if (option === 'GT') flags |= ZADD_GT;
    else if (option === 'LT') flags |= ZADD_LT;
    else break;
  }
  const remaining = argv.length - i;
  if (remaining === 0 || remaining % 2 !== 0) return ctx.error(Err.syntax);
  const pairs = remaining / 2;
  const nx = (flags & ZADD_NX) !== 0;
  const xx = (flags & ZADD_XX) !== 0;
  const gt = (flags & ZADD_GT) !== 0;
  const lt = (flags & ZADD_LT) !== 0;
  const incr = (flags & ZADD_INCR) !== 0;
  if (nx && xx) return ctx.error(ERR_NX_XX);
  if ((gt && nx) || (lt && nx) || (gt && lt)) return ctx.error(ERR_GT_LT_NX);
  if (incr && pairs > 1) return ctx.error(ERR_INCR_PAIR);
  parsedScores.length = 0;
  for (let j = 0; j < pairs; j++) {
    const score = parseScore(argv[i + 2 * j]!);
    if (score === undefined) return ctx.error(Err.notFloat);
    parsedScores.push(score);
  }

  const key = argv[1]!;
  let z = writeSortedSet(ctx, key);
  if (z === null) return;
  let created = false;
  if (z === undefined) {
    if (xx) return incr ? ctx.reply.nullBulk() : ctx.reply.integer(0);
    z = new SortedSetValue();
    created = true;
  }
  z.marks.note(pairs, 0);

  let added = 0;
  let updated = 0;
  let processed = 0;
  let score = 0;
  let effect: string[] | undefined;
  for (let j = 0; j < pairs; j++) {
    const member = argv[i + 2 * j + 1]!;
    score = parsedScores[j]!;
    const node = z.nodeOf(member);
    if (node !== 0) {
      if (nx) continue;
      const current = z.scoreOf(node);
      if (incr) {
        score += current;
        if (score !== score) return ctx.error(ERR_NAN_SCORE); // only pair: nothing was written
      }
      if ((lt && score >= current) || (gt && score <= current)) continue;
      processed++;
      if (score === current) continue;
      z.set(member, storedScore(ctx, z, member, score));
      updated++;
    } else {
      if (xx) continue;
      z.set(member, storedScore(ctx, z, member, score));
      added++;
      processed++;
    }
    effect ??= ['ZADD', key];
    effect.push(incr ? scoreText(score) : argv[i + 2 * j]!, member);
  }
  if (created && z.size > 0) storeNew(ctx, key, z);

  if (incr) {
    if (processed > 0) ctx.reply.double(score);
    else ctx.reply.nullBulk();
  } else {
    ctx.reply.integer((flags & ZADD_CH) !== 0 ? added + updated : added);
  }
  if (effect === undefined) return;
  if (flagsIn === ZADD_INCR) {
    argv[0] = 'ZINCRBY';
    ctx.propagate(argv);
  } else {
    ctx.propagate(effect);
  }
}

const zadd = (ctx: CommandContext, argv: string[]): void => zaddGeneric(ctx, argv, 0);
const zincrby = (ctx: CommandContext, argv: string[]): void => zaddGeneric(ctx, argv, ZADD_INCR);

// ---------------------------------------------------------------------------
// Point reads and ZREM

/** ZREM key member [member ...] -> how many members were removed. */
function zrem(ctx: CommandContext, argv: string[]): void {
  const key = argv[1]!;
  const z = writeSortedSet(ctx, key);
  if (z === null) return;
  if (z === undefined) return ctx.reply.integer(0);
  removeElements(ctx, argv, 'ZREM', z, (member) => z.delete(member));
}

/** ZSCORE key member -> the score, or null. */
function zscore(ctx: CommandContext, argv: string[]): void {
  const z = readSortedSet(ctx, argv[1]!);
  if (z === null) return;
  const score = z?.score(argv[2]!);
  if (score === undefined) ctx.reply.nullBulk();
  else ctx.reply.double(score);
}

/** ZMSCORE key member [member ...] -> an array of scores (null for absent members). */
function zmscore(ctx: CommandContext, argv: string[]): void {
  const z = readSortedSet(ctx, argv[1]!);
  if (z === null) return;
  ctx.reply.arrayHeader(argv.length - 2);
  for (let i = 2; i < argv.length; i++) {
    const score = z?.score(argv[i]!);
    if (score === undefined) ctx.reply.nullBulk();
    else ctx.reply.double(score);
  }
}

/** ZCARD key -> the number of members (0 for a missing key). */
function zcard(ctx: CommandContext, argv: string[]): void {
  const z = readSortedSet(ctx, argv[1]!);
  if (z === null) return;
  ctx.reply.integer(z === undefined ? 0 : z.size);
}

/** ZCOUNT key min max -> how many members have a score in the range. O(log n). */
function zcount(ctx: CommandContext, argv: string[]): void {
  const range = parseScoreRange(argv[2]!, argv[3]!);
  if (range === undefined) return ctx.error(ERR_SCORE_RANGE);
  const z = readSortedSet(ctx, argv[1]!);
  if (z === null) return;
  ctx.reply.integer(z === undefined ? 0 : z.countInRange(range));
}

/** ZLEXCOUNT key min max -> how many members are in the lex range. O(log n). */
function zlexcount(ctx: CommandContext, argv: string[]): void {
  const range = parseLexRange(argv[2]!, argv[3]!);
  if (range === undefined) return ctx.error(ERR_LEX_RANGE);
  const z = readSortedSet(ctx, argv[1]!);
  if (z === null) return;
  ctx.reply.integer(z === undefined ? 0 : z.countInLexRange(range));
}

/**
 * ZRANK key member [WITHSCORE] / ZREVRANK ... -> the 0-based rank (from the
 * highest score for ZREVRANK), or null; with WITHSCORE [rank, score], or a
 * null array. More than one option is an arity error, as in Redis 7.2.
 */
function zrankGeneric(ctx: CommandContext, argv: string[], reverse: boolean, name: string): void {
  if (argv.length > 4) return ctx.error(Err.wrongArity(name));
  const withScore = argv.length === 4;
  if (withScore && !isOption(argv[3]!, 'WITHSCORE')) return ctx.error(Err.syntax);
  const z = readSortedSet(ctx, argv[1]!);
  if (z === null) return;
  const node = z === undefined ? 0 : z.nodeOf(argv[2]!);
  if (node === 0) return withScore ? ctx.reply.nullArray() : ctx.reply.nullBulk();
  const rank = z!.rankOf(node);
  if (withScore) ctx.reply.arrayHeader(2);
  ctx.reply.integer(reverse ? z!.size - 1 - rank : rank);
  if (withScore) ctx.reply.double(z!.scoreOf(node));
}

const zrank = (ctx: CommandContext, argv: string[]): void => zrankGeneric(ctx, argv, false, 'zrank');
const zrevrank = (ctx: CommandContext, argv: string[]): void => zrankGeneric(ctx, argv, true, 'zrevrank');

// ---------------------------------------------------------------------------
// ZRANGE family

const BY_AUTO = 0;
const BY_RANK = 1;
const BY_SCORE = 2;
const BY_LEX = 3;
const DIRECTION_AUTO = 0;
const FORWARD = 1;
const REVERSE = 2;

/** The selection computed by `select*` (module scratch): first node and how many to walk. */
let selectedFirst = 0;
let selectedCount = 0;

/** Ranks start..end (negative from the end, clamped), walking from the highest score when `reverse`. */
function selectRanks(z: SortedSetValue, start: number, end: number, reverse: boolean): void {
  const length = z.size;
  if (start < 0) start += length;
  if (end < 0) end += length;
  if (start < 0) start = 0;
  selectedCount = 0;
  if (start > end || start >= length) return;
  if (end >= length) end = length - 1;
  selectedCount = end - start + 1;
  selectedFirst = z.at(reverse ? length - 1 - start : start);
}

/**
 * The in-range run from `first` to `last` (in walk order) after skipping
 * `offset` and keeping at most `limit` (negative: all). O(log n): the offset
 * is skipped by rank, not by walking.
 */
function selectRun(z: SortedSetValue, first: number, last: number, reverse: boolean, offset: number, limit: number): void {
  selectedCount = 0;
  if (first === 0 || offset < 0) return;
  const a = z.rankOf(first);
  const b = z.rankOf(last);
  const total = (reverse ? a - b : b - a) + 1;
  if (offset >= total) return;
  let n = total - offset;
  if (limit >= 0 && limit < n) n = limit;
  if (n === 0) return;
  selectedCount = n;
  selectedFirst = z.at(reverse ? a - offset : a + offset);
}

/**
 * ZRANGE and its older forms, and ZRANGESTORE (`dst` set, source at
 * argv[srcIndex]): `type` and `direction` are fixed by the older commands
 * and chosen by options for ZRANGE / ZRANGESTORE. Redis's order: options,
 * conflicts, range, then the key.
 */
function zrangeGeneric(
  ctx: CommandContext,
  argv: string[],
  srcIndex: number,
  dst: string | undefined,
  type: number,
  direction: number,
): void {
  let withScores = false;
  let offset = 0;
  let limit = -1;
  for (let j = srcIndex + 3; j < argv.length; j++) {
    const arg = argv[j]!;
    const left = argv.length - j - 1;
    if (dst === undefined && isOption(arg, 'WITHSCORES')) {
      withScores = true;
    } else if (left >= 2 && isOption(arg, 'LIMIT')) {
      const o = parseInteger(argv[j + 1]!);
      const l = o === undefined ? undefined : parseInteger(argv[j + 2]!);
      if (o === undefined || l === undefined) return ctx.error(Err.notInteger);
      offset = o;
      limit = l;
      j += 2;
    } else if (direction === DIRECTION_AUTO && isOption(arg, 'REV')) {
      direction = REVERSE;
    } else if (type === BY_AUTO && isOption(arg, 'BYLEX')) {
      type = BY_LEX;
    } else if (type === BY_AUTO && isOption(arg, 'BYSCORE')) {
      type = BY_SCORE;
    } else {
      return ctx.error(Err.syntax);
    }
  }
  if (direction === DIRECTION_AUTO) direction = FORWARD;
  if (type === BY_AUTO) type = BY_RANK;
  if (limit !== -1 && type === BY_RANK) return ctx.error(ERR_LIMIT_NEEDS_BY);
  if (withScores && type === BY_LEX) return ctx.error(ERR_WITHSCORES_LEX);
  const reverse = direction === REVERSE;
  // Score and lex ranges are given as max min when reversed.
  const minText = argv[srcIndex + (reverse && type !== BY_RANK ? 2 : 1)]!;
  const maxText = argv[srcIndex + (reverse && type !== BY_RANK ? 1 : 2)]!;
  let start = 0;
  let end = 0;
  let range: ScoreRange | undefined;
  let lexRange: LexRange | undefined;
  if (type === BY_RANK) {
    const s = parseInteger(minText);
    const e = s === undefined ? undefined : parseInteger(maxText);
    if (s === undefined || e === undefined) return ctx.error(Err.notInteger);
    start = s;
    end = e;
  } else if (type === BY_SCORE) {
    range = parseScoreRange(minText, maxText);
    if (range === undefined) return ctx.error(ERR_SCORE_RANGE);
  } else {
    lexRange = parseLexRange(minText, maxText);
    if (lexRange === undefined) return ctx.error(ERR_LEX_RANGE);
  }

  const z = readSortedSet(ctx, argv[srcIndex]!);
  if (z === null) return;
  selectedCount = 0;
  if (z !== undefined) {
    if (type === BY_RANK) selectRanks(z, start, end, reverse);
    else if (range !== undefined) {
      const low = z.firstInRange(range);
      const high = low === 0 ? 0 : z.lastInRange(range);
      if (reverse) selectRun(z, high, low, true, offset, limit);
      else selectRun(z, low, high, false, offset, limit);
    } else {
      const low = z.firstInLexRange(lexRange!);
      const high = low === 0 ? 0 : z.lastInLexRange(lexRange!);
      if (reverse) selectRun(z, high, low, true, offset, limit);
      else selectRun(z, low, high, false, offset, limit);
    }
  }
  const count = selectedCount;
  let node = selectedFirst;

  if (dst !== undefined) {
    const result = new SortedSetValue();
    for (let i = 0; i < count; i++) {
      result.set(z!.memberOf(node), z!.scoreOf(node));
      node = reverse ? z!.prev(node) : z!.next(node);
    }
    return finishStore(ctx, argv, 'ZRANGESTORE', dst, result);
  }
  const reply = ctx.reply;
  entriesHeader(reply, count, withScores);
  for (let i = 0; i < count; i++) {
    writeEntry(reply, z!.memberOf(node), z!.scoreOf(node), withScores);
    node = reverse ? z!.prev(node) : z!.next(node);
  }
}

/** ZRANGE key start stop [BYSCORE | BYLEX] [REV] [LIMIT offset count] [WITHSCORES] -> the members in range. */
const zrange = (ctx: CommandContext, argv: string[]): void => zrangeGeneric(ctx, argv, 1, undefined, BY_AUTO, DIRECTION_AUTO);
/** ZRANGESTORE dst src min max [BYSCORE | BYLEX] [REV] [LIMIT offset count] -> the size of the stored result. */
const zrangestore = (ctx: CommandContext, argv: string[]): void => zrangeGeneric(ctx, argv, 2, argv[1]!, BY_AUTO, DIRECTION_AUTO);
/** ZREVRANGE key start stop [WITHSCORES] -> members by rank from the highest score. */
const zrevrange = (ctx: CommandContext, argv: string[]): void => zrangeGeneric(ctx, argv, 1, undefined, BY_RANK, REVERSE);
/** ZRANGEBYSCORE key min max [WITHSCORES] [LIMIT offset count]. */
const zrangebyscore = (ctx: CommandContext, argv: string[]): void => zrangeGeneric(ctx, argv, 1, undefined, BY_SCORE, FORWARD);
/** ZREVRANGEBYSCORE key max min [WITHSCORES] [LIMIT offset count]. */
const zrevrangebyscore = (ctx: CommandContext, argv: string[]): void => zrangeGeneric(ctx, argv, 1, undefined, BY_SCORE, REVERSE);
/** ZRANGEBYLEX key min max [LIMIT offset count]. */
const zrangebylex = (ctx: CommandContext, argv: string[]): void => zrangeGeneric(ctx, argv, 1, undefined, BY_LEX, FORWARD);
/** ZREVRANGEBYLEX key max min [LIMIT offset count]. */
const zrevrangebylex = (ctx: CommandContext, argv: string[]): void => zrangeGeneric(ctx, argv, 1, undefined, BY_LEX, REVERSE);

// ---------------------------------------------------------------------------
// ZREMRANGEBY*

/**
 * ZREMRANGEBYRANK key start stop / ZREMRANGEBYSCORE key min max /
 * ZREMRANGEBYLEX key min max -> how many members were removed. O(log n + M).
 */
function zremrangeGeneric(ctx: CommandContext, argv: string[], type: number, name: string): void {
  let start = 0;
  let end = 0;
  let range: ScoreRange | undefined;
  let lexRange: LexRange | undefined;
  if (type === BY_RANK) {
    const s = parseInteger(argv[2]!);
    const e = s === undefined ? undefined : parseInteger(argv[3]!);
    if (s === undefined || e === undefined) return ctx.error(Err.notInteger);
    start = s;
    end = e;
  } else if (type === BY_SCORE) {
    range = parseScoreRange(argv[2]!, argv[3]!);
    if (range === undefined) return ctx.error(ERR_SCORE_RANGE);
  } else {
    lexRange = parseLexRange(argv[2]!, argv[3]!);
    if (lexRange === undefined) return ctx.error(ERR_LEX_RANGE);
  }
  const key = argv[1]!;
  const z = writeSortedSet(ctx, key);
  if (z === null) return;
  if (z === undefined) return ctx.reply.integer(0);
  let removed: number;
  if (type === BY_RANK) {
    const length = z.size;
    if (start < 0) start += length;
    if (end < 0) end += length;
    if (start < 0) start = 0;
    if (start > end || start >= length) return ctx.reply.integer(0);
    if (end >= length) end = length - 1;
    removed = z.removeRangeByRank(start, end);
  } else if (range !== undefined) {
    removed = z.removeRangeByScore(range);
  } else {
    removed = z.removeRangeByLex(lexRange!);
  }
  ctx.reply.integer(removed);
  if (removed === 0) return;
  deleteIfEmpty(ctx, key, z);
  argv[0] = name;
  ctx.propagate(argv);
}

const zremrangebyrank = (ctx: CommandContext, argv: string[]): void => zremrangeGeneric(ctx, argv, BY_RANK, 'ZREMRANGEBYRANK');
const zremrangebyscore = (ctx: CommandContext, argv: string[]): void => zremrangeGeneric(ctx, argv, BY_SCORE, 'ZREMRANGEBYSCORE');
const zremrangebylex = (ctx: CommandContext, argv: string[]): void => zremrangeGeneric(ctx, argv, BY_LEX, 'ZREMRANGEBYLEX');

// ---------------------------------------------------------------------------
// Pops

/**
 * Pops up to `count` members from the low (or, with `max`, the high) end
 * of `z` and writes them: as pairs ([[m, s], ...], RESP2 and RESP3 alike)
 * when `nested`, else as WITHSCORES entries. Deletes the key when emptied.
 * Returns how many were popped. O(log n + M).
 */
function popAndWrite(ctx: CommandContext, key: string, z: SortedSetValue, count: number, max: boolean, nested: boolean): number {
  const n = Math.min(count, z.size);
  const reply = ctx.reply;
  if (nested) reply.arrayHeader(n);
  else entriesHeader(reply, n, true);
  let node = max ? z.last() : z.first();
  for (let i = 0; i < n; i++) {
    if (nested) {
      reply.arrayHeader(2);
      reply.bulk(z.memberOf(node));
      reply.double(z.scoreOf(node));
    } else {
      writeEntry(reply, z.memberOf(node), z.scoreOf(node), true);
    }
    node = max ? z.prev(node) : z.next(node);
  }
  if (max) z.removeRangeByRank(z.size - n, z.size - 1);
  else z.removeRangeByRank(0, n - 1);
  deleteIfEmpty(ctx, key, z);
  return n;
}

/**
 * ZPOPMIN key [count] / ZPOPMAX key [count] -> the popped members with
 * their scores: without count a flat [member, score]; with count, WITHSCORES
 * shape (RESP3 pairs). Empty array for a missing key or a count of 0.
 */
function zpopGeneric(ctx: CommandContext, argv: string[], max: boolean): void {
  if (argv.length > 3) return ctx.error(Err.syntax);
  let count = 1;
  if (argv.length === 3) {
    const n = nonNegativeArg(ctx, argv[2]!);
    if (n === undefined) return;
    count = n;
  }
  const key = argv[1]!;
  const z = writeSortedSet(ctx, key);
  if (z === null) return;
  if (z === undefined || count === 0) return ctx.reply.arrayHeader(0);
  if (argv.length === 2) {
    // No count: always a flat [member, score], RESP3 included.
    const node = max ? z.last() : z.first();
    ctx.reply.arrayHeader(2);
    ctx.reply.bulk(z.memberOf(node));
    ctx.reply.double(z.scoreOf(node));
    z.delete(z.memberOf(node));
    deleteIfEmpty(ctx, key, z);
  } else {
    popAndWrite(ctx, key, z, count, max, false);
  }
  argv[0] = max ? 'ZPOPMAX' : 'ZPOPMIN';
  ctx.propagate(argv);
}

const zpopmin = (ctx: CommandContext, argv: string[]): void => zpopGeneric(ctx, argv, false);
const zpopmax = (ctx: CommandContext, argv: string[]): void => zpopGeneric(ctx, argv, true);

/** BZPOPMIN/BZPOPMAX's answer for `key`: [key, member, score], propagated as ZPOPMIN|ZPOPMAX key. */
function serveBzpop(ctx: CommandContext, key: string, z: SortedSetValue, max: boolean): void {
  const node = max ? z.last() : z.first();
  const member = z.memberOf(node);
  ctx.reply.arrayHeader(3);
  ctx.reply.bulk(key);
  ctx.reply.bulk(member);
  ctx.reply.double(z.scoreOf(node));
  z.delete(member);
  deleteIfEmpty(ctx, key, z);
  ctx.propagate([max ? 'ZPOPMAX' : 'ZPOPMIN', key]);
}

/**
 * BZPOPMIN key [key ...] timeout / BZPOPMAX ... -> [key, member, score] from
 * the first key holding a sorted set; blocks until one of the keys gets
 * members or the timeout passes (then a null array). Keys are checked in
 * order and a key of another type before the served one is WRONGTYPE.
 * Inside MULTI it answers at once as if timed out.
 */
function bzpopGeneric(ctx: CommandContext, argv: string[], max: boolean): void {
  const deadline = blockingTimeoutArg(ctx, argv[argv.length - 1]!);
  if (deadline === undefined) return;
  for (let i = 1; i < argv.length - 1; i++) {
    const key = argv[i]!;
    const z = writeSortedSet(ctx, key);
    if (z === null) return;
    if (z !== undefined) return serveBzpop(ctx, key, z, max);
  }
  if (ctx.inTransaction) return ctx.reply.nullArray();
  ctx.block({
    keys: argv.slice(1, -1),
    deadline,
    tryServe(served: CommandContext, key: string): boolean {
      const value = served.db.lookup(key, served.now);
      if (!isOfType(value, 'zset')) return false;
      serveBzpop(served, key, value, max);
      return true;
    },
    timeout: (served: CommandContext) => served.reply.nullArray(),
  });
}

const bzpopmin = (ctx: CommandContext, argv: string[]): void => bzpopGeneric(ctx, argv, false);
const bzpopmax = (ctx: CommandContext, argv: string[]): void => bzpopGeneric(ctx, argv, true);

/** [B]ZMPOP's answer for `key`: [key, [[member, score], ...]], propagated as ZPOPMIN|ZPOPMAX key n. */
function serveMpop(ctx: CommandContext, key: string, z: SortedSetValue, max: boolean, count: number): void {
  ctx.reply.arrayHeader(2);
  ctx.reply.bulk(key);
  const n = popAndWrite(ctx, key, z, count, max, true);
  ctx.propagate([max ? 'ZPOPMAX' : 'ZPOPMIN', key, String(n)]);
}

/** ZMPOP numkeys key [key ...] MIN | MAX [COUNT count] -> [key, [[member, score], ...]] or a null array. */
function zmpop(ctx: CommandContext, argv: string[]): void {
  const args = mpopArgs(ctx, argv, 1, 'MIN', 'MAX');
  if (args === undefined) return;
  for (let i = args.firstKey; i <= args.lastKey; i++) {
    const key = argv[i]!;
    const z = writeSortedSet(ctx, key);
    if (z === null) return;
    if (z !== undefined) return serveMpop(ctx, key, z, args.second, args.count);
  }
  ctx.reply.nullArray();
}

/**
 * BZMPOP timeout numkeys key [key ...] MIN | MAX [COUNT count] -> as ZMPOP,
 * blocking while every key is empty (a null array on timeout; at once
 * inside MULTI).
 */
function bzmpop(ctx: CommandContext, argv: string[]): void {
  const deadline = blockingTimeoutArg(ctx, argv[1]!);
  if (deadline === undefined) return;
  const args = mpopArgs(ctx, argv, 2, 'MIN', 'MAX');
  if (args === undefined) return;
  const { firstKey, lastKey, count } = args;
  const max = args.second;
  for (let i = firstKey; i <= lastKey; i++) {
    const key = argv[i]!;
    const z = writeSortedSet(ctx, key);
    if (z === null) return;
    if (z !== undefined) return serveMpop(ctx, key, z, max, count);
  }
  if (ctx.inTransaction) return ctx.reply.nullArray();
  ctx.block({
    keys: argv.slice(firstKey, lastKey + 1),
    deadline,
    tryServe(served: CommandContext, key: string): boolean {
      const value = served.db.lookup(key, served.now);
      if (!isOfType(value, 'zset')) return false;
      serveMpop(served, key, value, max, count);
      return true;
    },
    timeout: (served: CommandContext) => served.reply.nullArray(),
  });
}

// ---------------------------------------------------------------------------
// ZRANDMEMBER

/** Above count * 3 > size, ZRANDMEMBER picks from a copy of every member (Redis's ZRANDMEMBER_SUB_STRATEGY_MUL). */
const RANDMEMBER_SUB_STRATEGY_MUL = 3;

/**
 * ZRANDMEMBER key [count [WITHSCORES]] -> without count one random member
 * (or null); with a positive count that many distinct members (all when
 * count >= size), with a negative one |count| members that may repeat.
 */
function zrandmember(ctx: CommandContext, argv: string[]): void {
  if (argv.length === 2) {
    const z = readSortedSet(ctx, argv[1]!);
    if (z === null) return;
    if (z === undefined) return ctx.reply.nullBulk();
    ctx.reply.bulk(z.memberOf(z.randomNode()));
    return;
  }
  const count = randomCountArg(ctx, argv, 'WITHSCORES');
  if (count === undefined) return;
  const withScores = argv.length === 4;
  const z = readSortedSet(ctx, argv[1]!);
  if (z === null) return;
  if (z === undefined || count === 0) return ctx.reply.arrayHeader(0);
  const reply = ctx.reply;
  const size = z.size;

  if (count < 0 || count === 1) {
    // With repetition (or a single pick): independent random members.
    const n = Math.abs(count);
    if (refuseOversizedReply(ctx, n, withScores ? 2 * MIN_REPLY_ELEMENT_BYTES : MIN_REPLY_ELEMENT_BYTES)) return;
    entriesHeader(reply, n, withScores);
    for (let i = 0; i < n; i++) {
      const node = z.randomNode();
      writeEntry(reply, z.memberOf(node), z.scoreOf(node), withScores);
    }
    return;
  }
  if (count >= size) {
    entriesHeader(reply, size, withScores);
    for (let node = z.first(); node !== 0; node = z.next(node)) writeEntry(reply, z.memberOf(node), z.scoreOf(node), withScores);
    return;
  }
  entriesHeader(reply, count, withScores);
  if (count * RANDMEMBER_SUB_STRATEGY_MUL > size) {
    // Most of the set: a partial Fisher-Yates over every node.
    const nodes = new Int32Array(size);
    let i = 0;
    for (let node = z.first(); node !== 0; node = z.next(node)) nodes[i++] = node;
    for (let k = 0; k < count; k++) {
      const pick = k + Math.floor(Math.random() * (size - k));
      const node = nodes[pick]!;
      nodes[pick] = nodes[k]!;
      writeEntry(reply, z.memberOf(node), z.scoreOf(node), withScores);
    }
    return;
  }
  // A small part: random picks until `count` distinct ones.
  const seen = new Set<number>();
  while (seen.size < count) {
    const node = z.randomNode();
    if (seen.has(node)) continue;
    seen.add(node);
    writeEntry(reply, z.memberOf(node), z.scoreOf(node), withScores);
  }
}

// ---------------------------------------------------------------------------
// ZUNION / ZINTER / ZDIFF (+STORE), ZINTERCARD

const OP_UNION = 0;
const OP_INTER = 1;
const OP_DIFF = 2;
const AGGREGATE_SUM = 0;
const AGGREGATE_MIN = 1;
const AGGREGATE_MAX = 2;

/** One input of a set operation: a sorted set, a plain set (scores 1) or a missing key (empty). */
interface Source {
  readonly zset: SortedSetValue | undefined;
  readonly set: SetValue | undefined;
  readonly size: number;
  weight: number;
}

/** Score of `member` in `source`, or undefined when absent. */
function scoreIn(source: Source, member: string): number | undefined {
  if (source.zset !== undefined) return source.zset.score(member);
  return source.set !== undefined && source.set.has(member) ? 1 : undefined;
}

/** Visits every member of `source` with its score. */
function forEachIn(source: Source, visit: (member: string, score: number) => void): void {
  if (source.zset !== undefined) source.zset.forEach(visit);
  else source.set?.forEach((member) => visit(member, 1));
}

/** Redis's zunionInterAggregate: a NaN sum is 0; MIN/MAX ignore a NaN newcomer. */
function aggregate(target: number, value: number, mode: number): number {
  if (mode === AGGREGATE_SUM) {
    const sum = target + value;
    return sum !== sum ? 0 : sum;
  }
  if (mode === AGGREGATE_MIN) return value < target ? value : target;
  return value > target ? value : target;
}

/**
 * The set operations: ZUNION|ZINTER|ZDIFF numkeys key [key ...] [WEIGHTS w
 * ...] [AGGREGATE SUM|MIN|MAX] [WITHSCORES] (no WEIGHTS/AGGREGATE for DIFF),
 * their *STORE forms with `dst` (no WITHSCORES), and ZINTERCARD numkeys key
 * [key ...] [LIMIT limit] (`cardinalityOnly`). Plain sets count as members
 * with score 1. Redis's order: numkeys, the keys (WRONGTYPE), then options.
 * UNION and INTER combine inputs from the smallest, as Redis does (float
 * sums depend on the order); a weighted score that is NaN (0 * inf) is 0.
 */
function zsetOperation(
  ctx: CommandContext,
  argv: string[],
  numkeysIndex: number,
  op: number,
  name: string,
  dst: string | undefined,
  cardinalityOnly: boolean,
): void {
  const numkeys = parseInteger(argv[numkeysIndex]!);
  if (numkeys === undefined) return ctx.error(Err.notInteger);
  if (numkeys < 1) return ctx.error(errNoInputKeys(name.toLowerCase()));
  if (numkeys > argv.length - numkeysIndex - 1) return ctx.error(Err.syntax);
  const sources: Source[] = [];
  for (let i = 0; i < numkeys; i++) {
    const value = ctx.db.lookup(argv[numkeysIndex + 1 + i]!, ctx.now);
    if (value === undefined) {
      ctx.server.stats.keyspaceMisses++;
      sources.push({ zset: undefined, set: undefined, size: 0, weight: 1 });
      continue;
    }
    ctx.server.stats.keyspaceHits++;
    if (typeof value === 'string' || (value.type !== 'zset' && value.type !== 'set')) return ctx.error(Err.wrongType);
    if (value.type === 'zset') sources.push({ zset: value, set: undefined, size: value.size, weight: 1 });
    else sources.push({ zset: undefined, set: value as SetValue, size: value.size, weight: 1 });
  }
  let mode = AGGREGATE_SUM;
  let withScores = false;
  let limit = 0;
  for (let j = numkeysIndex + 1 + numkeys; j < argv.length; j++) {
    const remaining = argv.length - j;
    const arg = argv[j]!;
    if (op !== OP_DIFF && !cardinalityOnly && remaining >= numkeys + 1 && isOption(arg, 'WEIGHTS')) {
      for (let i = 0; i < numkeys; i++) {
        const weight = parseScore(argv[++j]!);
        if (weight === undefined) return ctx.error(ERR_WEIGHT);
        sources[i]!.weight = weight;
      }
    } else if (op !== OP_DIFF && !cardinalityOnly && remaining >= 2 && isOption(arg, 'AGGREGATE')) {
      const how = argv[++j]!;
      if (isOption(how, 'SUM')) mode = AGGREGATE_SUM;
      else if (isOption(how, 'MIN')) mode = AGGREGATE_MIN;
      else if (isOption(how, 'MAX')) mode = AGGREGATE_MAX;
      else return ctx.error(Err.syntax);
    } else if (dst === undefined && !cardinalityOnly && isOption(arg, 'WITHSCORES')) {
      withScores = true;
    } else if (cardinalityOnly && remaining >= 2 && isOption(arg, 'LIMIT')) {
      const n = nonNegativeArg(ctx, argv[++j]!, Err.limitNegative);
      if (n === undefined) return;
      limit = n;
    } else {
      return ctx.error(Err.syntax);
    }
  }

  // Smallest first for UNION and INTER (DIFF keeps its first input first); the sort is stable.
  if (op !== OP_DIFF) sources.sort((a, b) => a.size - b.size);

  if (cardinalityOnly) return ctx.reply.integer(intersectionSize(sources, limit));

  const result = new SortedSetValue();
  if (op === OP_UNION) {
    const scores = new Map<string, number>();
    for (const source of sources) {
      const weight = source.weight;
      forEachIn(source, (member, score) => {
        let value = weight * score;
        if (value !== value) value = 0;
        const existing = scores.get(member);
        scores.set(member, existing === undefined ? value : aggregate(existing, value, mode));
      });
    }
    for (const [member, score] of scores) result.set(member, score);
  } else if (op === OP_INTER) {
    const first = sources[0]!;
    if (first.size > 0) {
      forEachIn(first, (member, score) => {
        let value = first.weight * score;
        if (value !== value) value = 0;
        for (let i = 1; i < sources.length; i++) {
          const other = scoreIn(sources[i]!, member);
          if (other === undefined) return;
          value = aggregate(value, other * sources[i]!.weight, mode);
        }
        result.set(member, value);
      });
    }
  } else {
    forEachIn(sources[0]!, (member, score) => {
      for (let i = 1; i < sources.length; i++) if (scoreIn(sources[i]!, member) !== undefined) return;
      result.set(member, score);
    });
  }

  if (dst !== undefined) return finishStore(ctx, argv, name, dst, result);
  const reply = ctx.reply;
  entriesHeader(reply, result.size, withScores);
  for (let node = result.first(); node !== 0; node = result.next(node)) {
    writeEntry(reply, result.memberOf(node), result.scoreOf(node), withScores);
  }
}

/** Members present in every source, counting at most `limit` (0: no limit). Sources come smallest first. */
function intersectionSize(sources: Source[], limit: number): number {
  const first = sources[0]!;
  if (first.size === 0) return 0;
  let count = 0;
  const visitMember = (member: string): boolean => {
    for (let i = 1; i < sources.length; i++) if (scoreIn(sources[i]!, member) === undefined) return true;
    count++;
    return limit === 0 || count < limit;
  };
  if (first.zset !== undefined) {
    for (let node = first.zset.first(); node !== 0; node = first.zset.next(node)) {
      if (!visitMember(first.zset.memberOf(node))) break;
    }
  } else {
    for (const member of first.set!.members()) if (!visitMember(member)) break;
  }
  return count;
}

const zunion = (ctx: CommandContext, argv: string[]): void => zsetOperation(ctx, argv, 1, OP_UNION, 'zunion', undefined, false);
const zinter = (ctx: CommandContext, argv: string[]): void => zsetOperation(ctx, argv, 1, OP_INTER, 'zinter', undefined, false);
const zdiff = (ctx: CommandContext, argv: string[]): void => zsetOperation(ctx, argv, 1, OP_DIFF, 'zdiff', undefined, false);
const zunionstore = (ctx: CommandContext, argv: string[]): void =>
  zsetOperation(ctx, argv, 2, OP_UNION, 'ZUNIONSTORE', argv[1]!, false);
const zinterstore = (ctx: CommandContext, argv: string[]): void =>
  zsetOperation(ctx, argv, 2, OP_INTER, 'ZINTERSTORE', argv[1]!, false);
const zdiffstore = (ctx: CommandContext, argv: string[]): void => zsetOperation(ctx, argv, 2, OP_DIFF, 'ZDIFFSTORE', argv[1]!, false);
const zintercard = (ctx: CommandContext, argv: string[]): void => zsetOperation(ctx, argv, 1, OP_INTER, 'zintercard', undefined, true);

// ---------------------------------------------------------------------------
// ZSCAN

/**
 * ZSCAN key cursor [MATCH pattern] [COUNT count] -> [next cursor, [member,
 * score, ...]] (scores as bulk strings in RESP3 too). A listpack-sized set
 * is returned whole with cursor 0, printing scores as its listpack stores
 * them; a bigger one walks the member dict with Redis's reverse-binary
 * cursor. Redis's order: cursor, key, then the options.
 */
function zscan(ctx: CommandContext, argv: string[]): void {
  if (parseCursor(argv[2]!) === undefined) return ctx.error(ERR_INVALID_CURSOR);
  const z = readSortedSet(ctx, argv[1]!);
  if (z === null) return;
  if (z === undefined) return replyScanPage(ctx, 0);
  const args = parseCollectionScan(ctx, argv);
  if (args === undefined) return;
  const match = args.match;
  const found: string[] = [];
  let next = 0;
  if (z.isCompact(maxEntries(ctx), maxValue(ctx))) {
    z.forEach((member, score) => {
      if (match === undefined || match(member)) found.push(member, compactScoreText(score));
    });
  } else {
    next = z.scan(args.cursor, args.count, (member, score) => {
      if (match === undefined || match(member)) found.push(member, scoreText(score));
    });
  }
  replyScanPage(ctx, next, found);
}

// ---------------------------------------------------------------------------
// The table

const MEMBER_ARG: ArgumentDoc = { name: 'member', type: 'string' };
const MEMBERS_ARG: ArgumentDoc = { name: 'member', type: 'string', multiple: true };
const WITHSCORES_ARG: ArgumentDoc = { name: 'withscores', type: 'pure-token', token: 'WITHSCORES', optional: true };
const LIMIT_ARG: ArgumentDoc = {
  name: 'limit',
  type: 'block',
  token: 'LIMIT',
  optional: true,
  arguments: [
    { name: 'offset', type: 'integer' },
    { name: 'count', type: 'integer' },
  ],
};
const WEIGHTS_ARG: ArgumentDoc = { name: 'weight', type: 'integer', token: 'WEIGHTS', optional: true, multiple: true };
const AGGREGATE_ARG: ArgumentDoc = tokenChoice('aggregate', ['SUM', 'MIN', 'MAX'], { token: 'AGGREGATE', optional: true });
const WHERE_ARG: ArgumentDoc = tokenChoice('where', ['MIN', 'MAX']);
const COUNT_TOKEN_ARG: ArgumentDoc = { name: 'count', type: 'integer', token: 'COUNT', optional: true };
const RANGE_ARGS: readonly ArgumentDoc[] = [KEY_ARG, { name: 'min', type: 'string' }, { name: 'max', type: 'string' }];
const SCORE_RANGE_ARGS: readonly ArgumentDoc[] = [KEY_ARG, { name: 'min', type: 'double' }, { name: 'max', type: 'double' }];
const BY_ARG: ArgumentDoc = tokenChoice('sortby', ['BYSCORE', 'BYLEX'], { optional: true });
const REV_ARG: ArgumentDoc = { name: 'rev', type: 'pure-token', token: 'REV', optional: true };

const group = 'sorted-set' as const;

export const sortedSetCommands: readonly CommandSpec[] = [
  defineCommand({
    name: 'zadd',
    arity: -4,
    flags: ['write', 'denyoom', 'fast'],
    keys: keyAt(1),
    group,
    summary: 'Adds members to a sorted set or updates their scores; creates the key when missing.',
    since: '1.2.0',
    complexity: 'O(log(N)) for each item added, where N is the number of elements in the sorted set.',
    arguments: [
      KEY_ARG,
      tokenChoice('condition', ['NX', 'XX'], { optional: true }),
      tokenChoice('comparison', ['GT', 'LT'], { optional: true }),
      { name: 'change', type: 'pure-token', token: 'CH', optional: true },
      { name: 'increment', type: 'pure-token', token: 'INCR', optional: true },
      {
        name: 'data',
        type: 'block',
        multiple: true,
        arguments: [{ name: 'score', type: 'double' }, MEMBER_ARG],
      },
    ],
    handler: zadd,
  }),
  defineCommand({
    name: 'zincrby',
    arity: 4,
    flags: ['write', 'denyoom', 'fast'],
    keys: keyAt(1),
    group,
    summary: 'Adds an increment to the score of a member; adds the member (and the key) when missing.',
    since: '1.2.0',
    complexity: 'O(log(N)) where N is the number of elements in the sorted set.',
    arguments: [KEY_ARG, { name: 'increment', type: 'integer' }, MEMBER_ARG],
    handler: zincrby,
  }),
  defineCommand({
    name: 'zrem',
    arity: -3,
    flags: ['write', 'fast'],
    keys: keyAt(1),
    group,
    summary: 'Removes members from a sorted set; deletes the key when it becomes empty.',
    since: '1.2.0',
    complexity: 'O(M*log(N)) with N being the number of elements in the sorted set and M the number of elements to be removed.',
    arguments: [KEY_ARG, MEMBERS_ARG],
    handler: zrem,
  }),
  defineCommand({
    name: 'zscore',
    arity: 3,
    flags: ['readonly', 'fast'],
    keys: keyAt(1),
    group,
    summary: 'Returns the score of a member.',
    since: '1.2.0',
    complexity: 'O(1)',
    arguments: [KEY_ARG, MEMBER_ARG],
    handler: zscore,
  }),
  defineCommand({
    name: 'zmscore',
    arity: -3,
    flags: ['readonly', 'fast'],
    keys: keyAt(1),
    group,
    summary: 'Returns the scores of several members.',
    since: '6.2.0',
    complexity: 'O(N) where N is the number of members being requested.',
    arguments: [KEY_ARG, MEMBERS_ARG],
    handler: zmscore,
  }),
  defineCommand({
    name: 'zcard',
    arity: 2,
    flags: ['readonly', 'fast'],
    keys: keyAt(1),
    group,
    summary: 'Returns the number of members of a sorted set.',
    since: '1.2.0',
    complexity: 'O(1)',
    arguments: [KEY_ARG],
    handler: zcard,
  }),
  defineCommand({
    name: 'zcount',
    arity: 4,
    flags: ['readonly', 'fast'],
    keys: keyAt(1),
    group,
    summary: 'Returns how many members have a score within a range.',
    since: '2.0.0',
    complexity: 'O(log(N)) with N being the number of elements in the sorted set.',
    arguments: SCORE_RANGE_ARGS,
    handler: zcount,
  }),
  defineCommand({
    name: 'zlexcount',
    arity: 4,
    flags: ['readonly', 'fast'],
    keys: keyAt(1),
    group,
    summary: 'Returns how many members are within a lexicographical range.',
    since: '2.8.9',
    complexity: 'O(log(N)) with N being the number of elements in the sorted set.',
    arguments: RANGE_ARGS,
    handler: zlexcount,
  }),
  defineCommand({
    name: 'zrange',
    arity: -4,
    flags: ['readonly'],
    keys: keyAt(1),
    group,
    summary: 'Returns members within a range of ranks, scores or members.',
    since: '1.2.0',
    complexity: 'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned.',
    arguments: [KEY_ARG, { name: 'start', type: 'string' }, { name: 'stop', type: 'string' }, BY_ARG, REV_ARG, LIMIT_ARG, WITHSCORES_ARG],
    handler: zrange,
  }),
  defineCommand({
    name: 'zrangestore',
    arity: -5,
    flags: ['write', 'denyoom'],
    keys: keyRange(1, 2),
    group,
    summary: 'Stores a range of members of a sorted set in another key.',
    since: '6.2.0',
    complexity: 'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements stored into the destination key.',
    arguments: [
      { name: 'dst', type: 'key' },
      { name: 'src', type: 'key' },
      { name: 'min', type: 'string' },
      { name: 'max', type: 'string' },
      BY_ARG,
      REV_ARG,
      LIMIT_ARG,
    ],
    handler: zrangestore,
  }),
  defineCommand({
    name: 'zrangebyscore',
    arity: -4,
    flags: ['readonly'],
    keys: keyAt(1),
    group,
    summary: 'Returns members within a range of scores.',
    since: '1.0.5',
    complexity: 'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned.',
    arguments: [...SCORE_RANGE_ARGS, WITHSCORES_ARG, LIMIT_ARG],
    handler: zrangebyscore,
  }),
  defineCommand({
    name: 'zrevrangebyscore',
    arity: -4,
    flags: ['readonly'],
    keys: keyAt(1),
    group,
    summary: 'Returns members within a range of scores, highest first.',
    since: '2.2.0',
    complexity: 'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned.',
    arguments: [KEY_ARG, { name: 'max', type: 'double' }, { name: 'min', type: 'double' }, WITHSCORES_ARG, LIMIT_ARG],
    handler: zrevrangebyscore,
  }),
  defineCommand({
    name: 'zrangebylex',
    arity: -4,
    flags: ['readonly'],
    keys: keyAt(1),
    group,
    summary: 'Returns members within a lexicographical range.',
    since: '2.8.9',
    complexity: 'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned.',
    arguments: [...RANGE_ARGS, LIMIT_ARG],
    handler: zrangebylex,
  }),
  defineCommand({
    name: 'zrevrangebylex',
    arity: -4,
    flags: ['readonly'],
    keys: keyAt(1),
    group,
    summary: 'Returns members within a lexicographical range, highest first.',
    since: '2.8.9',
    complexity: 'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned.',
    arguments: [KEY_ARG, { name: 'max', type: 'string' }, { name: 'min', type: 'string' }, LIMIT_ARG],
    handler: zrevrangebylex,
  }),
  defineCommand({
    name: 'zrevrange',
    arity: -4,
    flags: ['readonly'],
    keys: keyAt(1),
    group,
    summary: 'Returns members within a range of ranks, highest score first.',
    since: '1.2.0',
    complexity: 'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned.',
    arguments: [KEY_ARG, { name: 'start', type: 'integer' }, { name: 'stop', type: 'integer' }, WITHSCORES_ARG],
    handler: zrevrange,
  }),
  defineCommand({
    name: 'zrank',
    arity: -3,
    flags: ['readonly', 'fast'],
    keys: keyAt(1),
    group,
    summary: 'Returns the rank of a member, lowest score first.',
    since: '2.0.0',
    complexity: 'O(log(N))',
    arguments: [KEY_ARG, MEMBER_ARG, { name: 'withscore', type: 'pure-token', token: 'WITHSCORE', optional: true }],
    handler: zrank,
  }),
  defineCommand({
    name: 'zrevrank',
    arity: -3,
    flags: ['readonly', 'fast'],
    keys: keyAt(1),
    group,
    summary: 'Returns the rank of a member, highest score first.',
    since: '2.0.0',
    complexity: 'O(log(N))',
    arguments: [KEY_ARG, MEMBER_ARG, { name: 'withscore', type: 'pure-token', token: 'WITHSCORE', optional: true }],
    handler: zrevrank,
  }),
  defineCommand({
    name: 'zremrangebyscore',
    arity: 4,
    flags: ['write'],
    keys: keyAt(1),
    group,
    summary: 'Removes the members within a range of scores; deletes the key when it becomes empty.',
    since: '1.2.0',
    complexity: 'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.',
    arguments: SCORE_RANGE_ARGS,
    handler: zremrangebyscore,
  }),
  defineCommand({
    name: 'zremrangebyrank',
    arity: 4,
    flags: ['write'],
    keys: keyAt(1),
    group,
    summary: 'Removes the members within a range of ranks; deletes the key when it becomes empty.',
    since: '2.0.0',
    complexity: 'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.',
    arguments: [KEY_ARG, { name: 'start', type: 'integer' }, { name: 'stop', type: 'integer' }],
    handler: zremrangebyrank,
  }),
  defineCommand({
    name: 'zremrangebylex',
    arity: 4,
    flags: ['write'],
    keys: keyAt(1),
    group,
    summary: 'Removes the members within a lexicographical range; deletes the key when it becomes empty.',
    since: '2.8.9',
    complexity: 'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.',
    arguments: RANGE_ARGS,
    handler: zremrangebylex,
  }),
  defineCommand({
    name: 'zpopmin',
    arity: -2,
    flags: ['write', 'fast'],
    keys: keyAt(1),
    group,
    summary: 'Removes and returns the members with the lowest scores; deletes the key when it becomes empty.',
    since: '5.0.0',
    complexity: 'O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped.',
    arguments: [KEY_ARG, { name: 'count', type: 'integer', optional: true }],
    handler: zpopmin,
  }),
  defineCommand({
    name: 'zpopmax',
    arity: -2,
    flags: ['write', 'fast'],
    keys: keyAt(1),
    group,
    summary: 'Removes and returns the members with the highest scores; deletes the key when it becomes empty.',
    since: '5.0.0',
    complexity: 'O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped.',
    arguments: [KEY_ARG, { name: 'count', type: 'integer', optional: true }],
    handler: zpopmax,
  }),
  defineCommand({
    name: 'bzpopmin',
    arity: -3,
    flags: ['write', 'noscript', 'blocking', 'fast'],
    keys: keyRange(1, -2),
    group,
    summary: 'Removes and returns the member with the lowest score from the first non-empty sorted set; blocks until one is available or the timeout passes.',
    since: '5.0.0',
    complexity: 'O(log(N)) with N being the number of elements in the sorted set.',
    arguments: [KEYS_ARG, TIMEOUT_ARG],
    handler: bzpopmin,
  }),
  defineCommand({
    name: 'bzpopmax',
    arity: -3,
    flags: ['write', 'noscript', 'blocking', 'fast'],
    keys: keyRange(1, -2),
    group,
    summary: 'Removes and returns the member with the highest score from the first non-empty sorted set; blocks until one is available or the timeout passes.',
    since: '5.0.0',
    complexity: 'O(log(N)) with N being the number of elements in the sorted set.',
    arguments: [KEYS_ARG, TIMEOUT_ARG],
    handler: bzpopmax,
  }),
  defineCommand({
    name: 'zmpop',
    arity: -4,
    flags: ['write'],
    numKeysAt: 1,
    group,
    summary: 'Removes and returns members with the lowest or highest scores from the first non-empty sorted set among several.',
    since: '7.0.0',
    complexity: 'O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.',
    arguments: [NUMKEYS_ARG, KEYS_ARG, WHERE_ARG, COUNT_TOKEN_ARG],
    handler: zmpop,
  }),
  defineCommand({
    name: 'bzmpop',
    arity: -5,
    flags: ['write', 'blocking'],
    numKeysAt: 2,
    group,
    summary: 'As ZMPOP, blocking until a member is available or the timeout passes.',
    since: '7.0.0',
    complexity: 'O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.',
    arguments: [TIMEOUT_ARG, NUMKEYS_ARG, KEYS_ARG, WHERE_ARG, COUNT_TOKEN_ARG],
    handler: bzmpop,
  }),
  defineCommand({
    name: 'zrandmember',
    arity: -2,
    flags: ['readonly'],
    keys: keyAt(1),
    group,
    summary: 'Returns one or more random members of a sorted set.',
    since: '6.2.0',
    complexity: 'O(N) where N is the number of members returned',
    arguments: [
      KEY_ARG,
      {
        name: 'options',
        type: 'block',
        optional: true,
        arguments: [{ name: 'count', type: 'integer' }, { name: 'withscores', type: 'pure-token', token: 'WITHSCORES', optional: true }],
      },
    ],
    handler: zrandmember,
  }),
  defineCommand({
    name: 'zunion',
    arity: -3,
    flags: ['readonly'],
    numKeysAt: 1,
    group,
    summary: 'Returns the union of sorted sets (and sets).',
    since: '6.2.0',
    complexity: 'O(N)+O(M*log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.',
    arguments: [NUMKEYS_ARG, KEYS_ARG, WEIGHTS_ARG, AGGREGATE_ARG, WITHSCORES_ARG],
    handler: zunion,
  }),
  defineCommand({
    name: 'zinter',
    arity: -3,
    flags: ['readonly'],
    numKeysAt: 1,
    group,
    summary: 'Returns the intersection of sorted sets (and sets).',
    since: '6.2.0',
    complexity: 'O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set.',
    arguments: [NUMKEYS_ARG, KEYS_ARG, WEIGHTS_ARG, AGGREGATE_ARG, WITHSCORES_ARG],
    handler: zinter,
  }),
  defineCommand({
    name: 'zdiff',
    arity: -3,
    flags: ['readonly'],
    numKeysAt: 1,
    group,
    summary: 'Returns the members of the first sorted set that are in none of the others.',
    since: '6.2.0',
    complexity: 'O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set.',
    arguments: [NUMKEYS_ARG, KEYS_ARG, WITHSCORES_ARG],
    handler: zdiff,
  }),
  defineCommand({
    name: 'zunionstore',
    arity: -4,
    flags: ['write', 'denyoom'],
    keys: keyAt(1),
    numKeysAt: 2,
    group,
    summary: 'Stores the union of sorted sets (and sets) in a key.',
    since: '2.0.0',
    complexity: 'O(N)+O(M log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.',
    arguments: [{ name: 'destination', type: 'key' }, NUMKEYS_ARG, KEYS_ARG, WEIGHTS_ARG, AGGREGATE_ARG],
    handler: zunionstore,
  }),
  defineCommand({
    name: 'zinterstore',
    arity: -4,
    flags: ['write', 'denyoom'],
    keys: keyAt(1),
    numKeysAt: 2,
    group,
    summary: 'Stores the intersection of sorted sets (and sets) in a key.',
    since: '2.0.0',
    complexity: 'O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set.',
    arguments: [{ name: 'destination', type: 'key' }, NUMKEYS_ARG, KEYS_ARG, WEIGHTS_ARG, AGGREGATE_ARG],
    handler: zinterstore,
  }),
  defineCommand({
    name: 'zdiffstore',
    arity: -4,
    flags: ['write', 'denyoom'],
    keys: keyAt(1),
    numKeysAt: 2,
    group,
    summary: 'Stores the members of the first sorted set that are in none of the others in a key.',
    since: '6.2.0',
    complexity: 'O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set.',
    arguments: [{ name: 'destination', type: 'key' }, NUMKEYS_ARG, KEYS_ARG],
    handler: zdiffstore,
  }),
  defineCommand({
    name: 'zintercard',
    arity: -3,
    flags: ['readonly'],
    numKeysAt: 1,
    group,
    summary: 'Returns the number of members in the intersection of sorted sets (and sets).',
    since: '7.0.0',
    complexity: 'O(N*K) worst case with N being the smallest input sorted set, K being the number of input sorted sets.',
    arguments: [NUMKEYS_ARG, KEYS_ARG, { name: 'limit', type: 'integer', token: 'LIMIT', optional: true }],
    handler: zintercard,
  }),
  defineCommand({
    name: 'zscan',
    arity: -3,
    flags: ['readonly'],
    keys: keyAt(1),
    group,
    summary: 'Iterates over the members and scores of a sorted set.',
    since: '2.8.0',
    complexity: 'O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.',
    arguments: [
      KEY_ARG,
      { name: 'cursor', type: 'integer' },
      { name: 'pattern', type: 'pattern', token: 'MATCH', optional: true },
      { name: 'count', type: 'integer', token: 'COUNT', optional: true },
    ],
    handler: zscan,
  }),
];
