import { ListValue } from '@aki/keyspace';
import { Err } from '../errors.js';
import { blockingTimeoutArg, INT64_MIN_TEXT, isOption, longArg, mpopArgs, nonNegativeArg } from './args.js';
import { COUNT_ARG, defineCommand, KEY_ARG, keyAt, keyRange, KEYS_ARG, NUMKEYS_ARG, TIMEOUT_ARG, tokenChoice } from './define.js';
import { deleteIfEmpty, isOfType, readList, storeNew, writeList } from './typed.js';
import type { ArgumentDoc, CommandContext, CommandSpec } from './types.js';

/*
 * List commands. Elements are latin1 JS strings (one char per byte); the
 * value is the keyspace's ListValue deque. A list that loses its last
 * element is deleted (Redis never keeps an empty list).
 *
 * Effects (what AOF and followers receive; nothing when nothing changed):
 *   LPUSH, RPUSH, LPUSHX, RPUSHX, LSET, LREM, LTRIM, LINSERT
 *                               -> themselves (name and keywords canonicalised)
 *   LPOP, RPOP [count]          -> themselves (not LPOP k 0, which pops nothing)
 *   LMOVE, RPOPLPUSH            -> themselves
 *   LMPOP                       -> LPOP|RPOP key <number popped>
 *   BLPOP, BRPOP                -> LPOP|RPOP key (also when a blocked client is served later)
 *   BLMPOP                      -> LPOP|RPOP key <number popped>
 *   BLMOVE                      -> LMOVE src dst from to
 *   BRPOPLPUSH                  -> RPOPLPUSH src dst
 *
 * OBJECT ENCODING follows Redis 7.2 (listpack / quicklist): every insertion
 * calls ListValue.growEncoding with list-max-listpack-size before it
 * inserts, every removal ListValue.shrinkEncoding after it (see ListValue).
 *
 * Blocking commands serve at once when a list has elements; inside a
 * transaction they reply their timeout answer at once; otherwise they park
 * the client with ctx.block. Their `tryServe` re-runs the command's
 * non-blocking part over all its keys once a list appears under one of them,
 * which is how Redis 7.2 serves a blocked client (it re-executes the
 * command): keys are tried in argument order, and a key of another type
 * before the first list answers WRONGTYPE.
 */

const ERR_INDEX_OUT_OF_RANGE = 'ERR index out of range';
const ERR_RANK_ZERO =
  "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list";
const ERR_COUNT_NEGATIVE = "ERR COUNT can't be negative";
const ERR_MAXLEN_NEGATIVE = "ERR MAXLEN can't be negative";

/** list-max-listpack-size, read at each write (the encoding is decided by the writes; see ListValue). */
const listFill = (ctx: CommandContext): number => ctx.server.config.get('list-max-listpack-size');

/** After elements were removed: deletes the key when the list is empty, else lets the encoding shrink. */
function afterRemoval(ctx: CommandContext, key: string, list: ListValue): void {
  if (!deleteIfEmpty(ctx, key, list)) list.shrinkEncoding(listFill(ctx));
}

/** 'LEFT' -> true (head), 'RIGHT' -> false (tail), anything else -> undefined. */
function directionArg(text: string): boolean | undefined {
  if (isOption(text, 'LEFT')) return true;
  if (isOption(text, 'RIGHT')) return false;
  return undefined;
}

/** True when `key` holds a list: the condition for serving a client blocked on it. */
function holdsList(ctx: CommandContext, key: string): boolean {
  return isOfType(ctx.db.lookup(key, ctx.now), 'list');
}

// ---------------------------------------------------------------------------
// Push

/**
 * LPUSH / RPUSH key element [element ...] -> the new length; creates the list.
 * LPUSHX / RPUSHX key element [element ...] -> the new length, or 0 (nothing
 * done) when the key does not exist.
 * LPUSH a b c leaves c, b, a at the head.
 */
function pushGeneric(ctx: CommandContext, argv: string[], toHead: boolean, onlyExisting: boolean, name: string): void {
  const key = argv[1]!;
  let list = writeList(ctx, key);
  if (list === null) return;
  const added = argv.length - 2;
  if (list === undefined) {
    if (onlyExisting) return ctx.reply.integer(0);
    list = new ListValue(added);
    storeNew(ctx, key, list);
  }
  let bytes = 0;
  for (let i = 2; i < argv.length; i++) bytes += argv[i]!.length;
  list.growEncoding(listFill(ctx), bytes, added);
  if (toHead) for (let i = 2; i < argv.length; i++) list.pushHead(argv[i]!);
  else for (let i = 2; i < argv.length; i++) list.pushTail(argv[i]!);
  ctx.reply.integer(list.size);
  argv[0] = name;
  ctx.propagate(argv);
}

const lpush = (ctx: CommandContext, argv: string[]) => pushGeneric(ctx, argv, true, false, 'LPUSH');
const rpush = (ctx: CommandContext, argv: string[]) => pushGeneric(ctx, argv, false, false, 'RPUSH');
const lpushx = (ctx: CommandContext, argv: string[]) => pushGeneric(ctx, argv, true, true, 'LPUSHX');
const rpushx = (ctx: CommandContext, argv: string[]) => pushGeneric(ctx, argv, false, true, 'RPUSHX');

// ---------------------------------------------------------------------------
// Pop

/**
 * LPOP / RPOP key [count]
 * Without count: the element, or null when the key does not exist.
 * With count: an array of up to count elements (empty for count 0), or a
 * null array when the key does not exist. A negative or non-integer count
 * is "value is out of range, must be positive".
 */
function popGeneric(ctx: CommandContext, argv: string[], fromHead: boolean, name: string): void {
  if (argv.length > 3) return ctx.error(Err.wrongArity(name.toLowerCase()));
  let count = -1;
  if (argv.length === 3) {
    const n = nonNegativeArg(ctx, argv[2]!);
    if (n === undefined) return;
    count = n;
  }
  const key = argv[1]!;
  const list = writeList(ctx, key);
  if (list === null) return;
  const reply = ctx.reply;
  if (list === undefined) return count < 0 ? reply.nullBulk() : reply.nullArray();
  if (count < 0) {
    reply.bulk((fromHead ? list.popHead() : list.popTail())!);
  } else {
    if (count === 0) return reply.arrayHeader(0);
    const n = Math.min(count, list.size);
    reply.arrayHeader(n);
    if (fromHead) for (let i = 0; i < n; i++) reply.bulk(list.popHead()!);
    else for (let i = 0; i < n; i++) reply.bulk(list.popTail()!);
  }
  afterRemoval(ctx, key, list);
  argv[0] = name;
  ctx.propagate(argv);
}

const lpop = (ctx: CommandContext, argv: string[]) => popGeneric(ctx, argv, true, 'LPOP');
const rpop = (ctx: CommandContext, argv: string[]) => popGeneric(ctx, argv, false, 'RPOP');

// ---------------------------------------------------------------------------
// Reads

/**
 * LRANGE key start stop -> the elements from start to stop inclusive (0-based,
 * negative from the tail, clamped to the list); an empty array when the range
 * is empty or the key does not exist. O(S+N) where S is the distance of
 * start from the head: index access is O(1).
 */
function lrange(ctx: CommandContext, argv: string[]): void {
  const start = longArg(ctx, argv[2]!);
  if (start === undefined) return;
  const stop = longArg(ctx, argv[3]!);
  if (stop === undefined) return;
  const list = readList(ctx, argv[1]!);
  if (list === null) return;
  const reply = ctx.reply;
  if (list === undefined) return reply.arrayHeader(0);
  const n = list.size;
  let from = start < 0 ? start + n : start;
  let to = stop < 0 ? stop + n : stop;
  if (from < 0) from = 0;
  if (to >= n) to = n - 1;
  if (from > to) return reply.arrayHeader(0);
  reply.arrayHeader(to - from + 1);
  for (let i = from; i <= to; i++) reply.bulk(list.at(i)!);
}

/** LLEN key -> the length, 0 when the key does not exist. */
function llen(ctx: CommandContext, argv: string[]): void {
  const list = readList(ctx, argv[1]!);
  if (list === null) return;
  ctx.reply.integer(list === undefined ? 0 : list.size);
}

/** LINDEX key index -> the element at index (negative from the tail), or null. */
function lindex(ctx: CommandContext, argv: string[]): void {
  const list = readList(ctx, argv[1]!);
  if (list === null) return;
  if (list === undefined) return ctx.reply.nullBulk();
  const index = longArg(ctx, argv[2]!);
  if (index === undefined) return;
  const value = list.at(index);
  if (value === undefined) ctx.reply.nullBulk();
  else ctx.reply.bulk(value);
}

/**
 * LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]
 * Without COUNT: the index of the match (the rank-th from the head, or from
 * the tail for a negative rank), or null. With COUNT: an array of up to
 * num-matches indices (0 = all), from that match on. MAXLEN limits how many
 * elements are compared (0 = all). Options may repeat; the last one wins.
 */
function lpos(ctx: CommandContext, argv: string[]): void {
  let rank = 1;
  let count = -1; // -1: no COUNT, reply one index
  let maxlen = 0;
  for (let j = 3; j < argv.length; j++) {
    const option = argv[j]!;
    const hasValue = j + 1 < argv.length;
    if (hasValue && isOption(option, 'RANK')) {
      const text = argv[++j]!;
      // Redis 7.2 refuses RANK LONG_MIN (its negation would overflow).
      if (text === INT64_MIN_TEXT) return ctx.error(Err.outsideLongRange);
      const n = longArg(ctx, text);
      if (n === undefined) return;
      if (n === 0) return ctx.error(ERR_RANK_ZERO);
      rank = n;
    } else if (hasValue && isOption(option, 'COUNT')) {
      const n = nonNegativeArg(ctx, argv[++j]!, ERR_COUNT_NEGATIVE);
      if (n === undefined) return;
      count = n;
    } else if (hasValue && isOption(option, 'MAXLEN')) {
      const n = nonNegativeArg(ctx, argv[++j]!, ERR_MAXLEN_NEGATIVE);
      if (n === undefined) return;
      maxlen = n;
    } else {
      return ctx.error(Err.syntax);
    }
  }
  const list = readList(ctx, argv[1]!);
  if (list === null) return;
  const reply = ctx.reply;
  if (list === undefined) return count < 0 ? reply.nullBulk() : reply.arrayHeader(0);
  const element = argv[2]!;
  const n = list.size;
  const fromTail = rank < 0;
  let skip = (fromTail ? -rank : rank) - 1;
  const limit = maxlen === 0 || maxlen > n ? n : maxlen;
  const wanted = count < 0 ? 1 : count === 0 ? n : count;
  // Matches are collected first: an array header needs the count up front.
  let found: number[] | undefined;
  for (let scanned = 0; scanned < limit; scanned++) {
    const index = fromTail ? n - 1 - scanned : scanned;
    if (list.at(index) !== element) continue;
    if (skip > 0) {
      skip--;
      continue;
    }
    if (count < 0) return reply.integer(index);
    (found ??= []).push(index);
    if (found.length === wanted) break;
  }
  if (count < 0) return reply.nullBulk();
  if (found === undefined) return reply.arrayHeader(0);
  reply.arrayHeader(found.length);
  for (const index of found) reply.integer(index);
}

// ---------------------------------------------------------------------------
// Writes in place

/** LSET key index element -> OK; "no such key" when missing, "index out of range" when outside. */
function lset(ctx: CommandContext, argv: string[]): void {
  const key = argv[1]!;
  const list = writeList(ctx, key);
  if (list === null) return;
  if (list === undefined) return ctx.error(Err.noSuchKey);
  const index = longArg(ctx, argv[2]!);
  if (index === undefined) return;
  const element = argv[3]!;
  const fill = listFill(ctx);
  // As Redis: the growth check first (as for an insertion), then the shrink check after replacing.
  list.growEncoding(fill, element.length, 1);
  if (!list.set(index, element)) return ctx.error(ERR_INDEX_OUT_OF_RANGE);
  list.shrinkEncoding(fill);
  ctx.reply.ok();
  argv[0] = 'LSET';
  ctx.propagate(argv);
}

/**
 * LREM key count element -> how many were removed: count > 0 removes that
 * many from the head, count < 0 from the tail, 0 all of them.
 */
function lrem(ctx: CommandContext, argv: string[]): void {
  const count = longArg(ctx, argv[2]!);
  if (count === undefined) return;
  const key = argv[1]!;
  const list = writeList(ctx, key);
  if (list === null) return;
  if (list === undefined) return ctx.reply.integer(0);
  const removed = list.removeMatching(argv[3]!, Math.abs(count), count < 0);
  ctx.reply.integer(removed);
  if (removed === 0) return;
  afterRemoval(ctx, key, list);
  argv[0] = 'LREM';
  ctx.propagate(argv);
}

/**
 * LTRIM key start stop -> OK; keeps only start..stop (inclusive, negative
 * from the tail); an empty range deletes the key. O(number removed). On an
 * existing list Redis counts it as a modification even when it keeps every
 * element (WATCH sees it; nothing is propagated then).
 */
function ltrim(ctx: CommandContext, argv: string[]): void {
  const start = longArg(ctx, argv[2]!);
  if (start === undefined) return;
  const stop = longArg(ctx, argv[3]!);
  if (stop === undefined) return;
  const key = argv[1]!;
  const list = writeList(ctx, key);
  if (list === null) return;
  ctx.reply.ok();
  if (list === undefined) return;
  const n = list.size;
  let from = start < 0 ? start + n : start;
  let to = stop < 0 ? stop + n : stop;
  if (from < 0) from = 0;
  let dropHead: number;
  let dropTail: number;
  if (from > to || from >= n) {
    dropHead = n;
    dropTail = 0;
  } else {
    if (to >= n) to = n - 1;
    dropHead = from;
    dropTail = n - 1 - to;
  }
  if (dropHead + dropTail === 0) return ctx.signalModified(key);
  list.removeHead(dropHead);
  list.removeTail(dropTail);
  afterRemoval(ctx, key, list);
  argv[0] = 'LTRIM';
  ctx.propagate(argv);
}

/**
 * LINSERT key BEFORE|AFTER pivot element -> the new length; -1 when the pivot
 * is not in the list; 0 when the key does not exist.
 */
function linsert(ctx: CommandContext, argv: string[]): void {
  const where = argv[2]!;
  let after: boolean;
  if (isOption(where, 'AFTER')) after = true;
  else if (isOption(where, 'BEFORE')) after = false;
  else return ctx.error(Err.syntax);
  const key = argv[1]!;
  const list = writeList(ctx, key);
  if (list === null) return;
  if (list === undefined) return ctx.reply.integer(0);
  const element = argv[4]!;
  // Redis checks the growth before looking for the pivot, so even a miss can convert.
  list.growEncoding(listFill(ctx), element.length, 1);
  const pivot = list.indexOf(argv[3]!);
  if (pivot < 0) return ctx.reply.integer(-1);
  list.insert(after ? pivot + 1 : pivot, element);
  ctx.reply.integer(list.size);
  argv[0] = 'LINSERT';
  argv[2] = after ? 'AFTER' : 'BEFORE';
  ctx.propagate(argv);
}

// ---------------------------------------------------------------------------
// Moves

/**
 * Moves one element from `source` (head when `fromHead`) to `destination`
 * (head when `toHead`), replying the element. Returns false, having replied
 * nothing, when `source` does not exist; true when it replied (the element,
 * or WRONGTYPE for either key: the destination is checked only when the
 * source exists, as in Redis). Propagates LMOVE, or RPOPLPUSH when
 * `asRpoplpush`.
 */
function serveMove(
  ctx: CommandContext,
  source: string,
  destination: string,
  fromHead: boolean,
  toHead: boolean,
  asRpoplpush: boolean,
): boolean {
  const from = writeList(ctx, source);
  if (from === null) return true;
  if (from === undefined) return false;
  let to = writeList(ctx, destination);
  if (to === null) return true;
  const value = (fromHead ? from.popHead() : from.popTail())!;
  if (to === undefined) {
    to = new ListValue();
    storeNew(ctx, destination, to);
  }
  to.growEncoding(listFill(ctx), value.length, 1);
  if (toHead) to.pushHead(value);
  else to.pushTail(value);
  // The same list when source === destination: it never empties then.
  afterRemoval(ctx, source, from);
  ctx.reply.bulk(value);
  ctx.propagate(
    asRpoplpush
      ? ['RPOPLPUSH', source, destination]
      : ['LMOVE', source, destination, fromHead ? 'LEFT' : 'RIGHT', toHead ? 'LEFT' : 'RIGHT'],
  );
  return true;
}

/** LMOVE source destination LEFT|RIGHT LEFT|RIGHT -> the element moved, or null when source does not exist. */
function lmove(ctx: CommandContext, argv: string[]): void {
  const fromHead = directionArg(argv[3]!);
  const toHead = directionArg(argv[4]!);
  if (fromHead === undefined || toHead === undefined) return ctx.error(Err.syntax);
  if (!serveMove(ctx, argv[1]!, argv[2]!, fromHead, toHead, false)) ctx.reply.nullBulk();
}

/** RPOPLPUSH source destination -> as LMOVE source destination RIGHT LEFT. */
function rpoplpush(ctx: CommandContext, argv: string[]): void {
  if (!serveMove(ctx, argv[1]!, argv[2]!, false, true, true)) ctx.reply.nullBulk();
}

// ---------------------------------------------------------------------------
// LMPOP

/**
 * Pops up to `count` elements from the first list among argv[firstKey..lastKey],
 * replying [key, [element ...]] and propagating LPOP|RPOP key n. Returns false,
 * having replied nothing, when no key holds a list; true when it replied
 * (WRONGTYPE for a key of another type met before the first list).
 */
function serveMpop(ctx: CommandContext, argv: readonly string[], firstKey: number, lastKey: number, fromHead: boolean, count: number): boolean {
  for (let i = firstKey; i <= lastKey; i++) {
    const key = argv[i]!;
    const list = writeList(ctx, key);
    if (list === null) return true;
    if (list === undefined) continue;
    const n = Math.min(count, list.size);
    const reply = ctx.reply;
    reply.arrayHeader(2);
    reply.bulk(key);
    reply.arrayHeader(n);
    if (fromHead) for (let k = 0; k < n; k++) reply.bulk(list.popHead()!);
    else for (let k = 0; k < n; k++) reply.bulk(list.popTail()!);
    afterRemoval(ctx, key, list);
    ctx.propagate([fromHead ? 'LPOP' : 'RPOP', key, String(n)]);
    return true;
  }
  return false;
}

/**
 * LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count] -> [key, [element ...]]
 * from the first non-empty list (up to count elements, default 1), or a null
 * array when every key is missing.
 */
function lmpop(ctx: CommandContext, argv: string[]): void {
  const args = mpopArgs(ctx, argv, 1, 'LEFT', 'RIGHT');
  if (args === undefined) return;
  if (!serveMpop(ctx, argv, args.firstKey, args.lastKey, !args.second, args.count)) ctx.reply.nullArray();
}

// ---------------------------------------------------------------------------
// Blocking variants

/**
 * Pops one element from the first list among argv[1..lastKey], replying
 * [key, element] and propagating LPOP|RPOP key. Returns false, having
 * replied nothing, when no key holds a list (WRONGTYPE counts as replied).
 */
function servePop(ctx: CommandContext, argv: readonly string[], lastKey: number, fromHead: boolean): boolean {
  for (let i = 1; i <= lastKey; i++) {
    const key = argv[i]!;
    const list = writeList(ctx, key);
    if (list === null) return true;
    if (list === undefined) continue;
    const value = (fromHead ? list.popHead() : list.popTail())!;
    ctx.reply.arrayHeader(2);
    ctx.reply.bulk(key);
    ctx.reply.bulk(value);
    afterRemoval(ctx, key, list);
    ctx.propagate([fromHead ? 'LPOP' : 'RPOP', key]);
    return true;
  }
  return false;
}

const replyNullArray = (ctx: CommandContext): void => ctx.reply.nullArray();

/**
 * BLPOP / BRPOP key [key ...] timeout -> [key, element] from the first
 * non-empty list; blocks until one of the keys gets elements or the timeout
 * (seconds, fractional; 0 = forever) passes, then a null array. The timeout
 * is validated before the keys are looked at.
 */
function blockingPop(ctx: CommandContext, argv: string[], fromHead: boolean): void {
  const deadline = blockingTimeoutArg(ctx, argv[argv.length - 1]!);
  if (deadline === undefined) return;
  const lastKey = argv.length - 2;
  if (servePop(ctx, argv, lastKey, fromHead)) return;
  if (ctx.inTransaction) return ctx.reply.nullArray();
  const args = argv.slice(); // the request outlives this call
  ctx.block({
    keys: args.slice(1, lastKey + 1), // a key named twice counts once (BlockedClients)
    deadline,
    tryServe: (served, key) => holdsList(served, key) && servePop(served, args, lastKey, fromHead),
    timeout: replyNullArray,
  });
}

const blpop = (ctx: CommandContext, argv: string[]) => blockingPop(ctx, argv, true);
const brpop = (ctx: CommandContext, argv: string[]) => blockingPop(ctx, argv, false);

/**
 * Shared by BLMOVE and BRPOPLPUSH: moves at once when source has elements;
 * else inside a transaction replies null (a null bulk, as Redis does there);
 * else blocks on source. On timeout Redis replies a null *array*, also for
 * these two commands, and so does aki.
 */
function blockingMove(
  ctx: CommandContext,
  source: string,
  destination: string,
  fromHead: boolean,
  toHead: boolean,
  asRpoplpush: boolean,
  deadline: number,
): void {
  if (serveMove(ctx, source, destination, fromHead, toHead, asRpoplpush)) return;
  if (ctx.inTransaction) return ctx.reply.nullBulk();
  ctx.block({
    keys: [source],
    deadline,
    tryServe: (served, key) =>
      holdsList(served, key) && serveMove(served, source, destination, fromHead, toHead, asRpoplpush),
    timeout: replyNullArray,
  });
}

/** BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout -> the element moved; null on timeout. */
function blmove(ctx: CommandContext, argv: string[]): void {
  const fromHead = directionArg(argv[3]!);
  const toHead = directionArg(argv[4]!);
  if (fromHead === undefined || toHead === undefined) return ctx.error(Err.syntax);
  const deadline = blockingTimeoutArg(ctx, argv[5]!);
  if (deadline === undefined) return;
  blockingMove(ctx, argv[1]!, argv[2]!, fromHead, toHead, false, deadline);
}

/** BRPOPLPUSH source destination timeout -> as BLMOVE source destination RIGHT LEFT timeout. */
function brpoplpush(ctx: CommandContext, argv: string[]): void {
  const deadline = blockingTimeoutArg(ctx, argv[3]!);
  if (deadline === undefined) return;
  blockingMove(ctx, argv[1]!, argv[2]!, false, true, true, deadline);
}

/**
 * BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count] -> as LMPOP,
 * blocking while every key is missing; a null array on timeout. The
 * arguments after the timeout are validated before the timeout, as in Redis.
 */
function blmpop(ctx: CommandContext, argv: string[]): void {
  const parsed = mpopArgs(ctx, argv, 2, 'LEFT', 'RIGHT');
  if (parsed === undefined) return;
  const { lastKey, count } = parsed;
  const fromHead = !parsed.second;
  const deadline = blockingTimeoutArg(ctx, argv[1]!);
  if (deadline === undefined) return;
  if (serveMpop(ctx, argv, 3, lastKey, fromHead, count)) return;
  if (ctx.inTransaction) return ctx.reply.nullArray();
  const args = argv.slice();
  ctx.block({
    keys: args.slice(3, lastKey + 1),
    deadline,
    tryServe: (served, key) => holdsList(served, key) && serveMpop(served, args, 3, lastKey, fromHead, count),
    timeout: replyNullArray,
  });
}

// ---------------------------------------------------------------------------
// The command table

const ELEMENTS_ARG: ArgumentDoc = { name: 'element', type: 'string', multiple: true };
const ELEMENT_ARG: ArgumentDoc = { name: 'element', type: 'string' };
const START_STOP_ARGS: readonly ArgumentDoc[] = [
  { name: 'start', type: 'integer' },
  { name: 'stop', type: 'integer' },
];
const leftRight = (name: string): ArgumentDoc => tokenChoice(name, ['LEFT', 'RIGHT']);
const SOURCE_ARG: ArgumentDoc = { name: 'source', type: 'key' };
const DESTINATION_ARG: ArgumentDoc = { name: 'destination', type: 'key' };
const MPOP_ARGS: readonly ArgumentDoc[] = [
  NUMKEYS_ARG,
  KEYS_ARG,
  leftRight('where'),
  { name: 'count', type: 'integer', token: 'COUNT', optional: true },
];

/*
 * LMPOP and BLMPOP take their keys after a numkeys argument, which the legacy
 * first/last/step key spec cannot express: like Redis (whose COMMAND INFO
 * shows 0 0 0 and the movablekeys flag for them), their spec lists no keys.
 */
export const listCommands: readonly CommandSpec[] = [
  defineCommand({
    name: 'lpush',
    arity: -3,
    flags: ['write', 'denyoom', 'fast'],
    keys: keyAt(1),
    group: 'list',
    summary: 'Prepends elements to a list, creating it when the key does not exist.',
    since: '1.0.0',
    complexity: 'O(1) for each element added, so O(N) to add N elements.',
    arguments: [KEY_ARG, ELEMENTS_ARG],
    handler: lpush,
  }),
  defineCommand({
    name: 'rpush',
    arity: -3,
    flags: ['write', 'denyoom', 'fast'],
    keys: keyAt(1),
    group: 'list',
    summary: 'Appends elements to a list, creating it when the key does not exist.',
    since: '1.0.0',
    complexity: 'O(1) for each element added, so O(N) to add N elements.',
    arguments: [KEY_ARG, ELEMENTS_ARG],
    handler: rpush,
  }),
  defineCommand({
    name: 'lpushx',
    arity: -3,
    flags: ['write', 'denyoom', 'fast'],
    keys: keyAt(1),
    group: 'list',
    summary: 'Prepends elements to a list only when the list exists.',
    since: '2.2.0',
    complexity: 'O(1) for each element added, so O(N) to add N elements.',
    arguments: [KEY_ARG, ELEMENTS_ARG],
    handler: lpushx,
  }),
  defineCommand({
    name: 'rpushx',
    arity: -3,
    flags: ['write', 'denyoom', 'fast'],
    keys: keyAt(1),
    group: 'list',
    summary: 'Appends elements to a list only when the list exists.',
    since: '2.2.0',
    complexity: 'O(1) for each element added, so O(N) to add N elements.',
    arguments: [KEY_ARG, ELEMENTS_ARG],
    handler: rpushx,
  }),
  defineCommand({
    name: 'lpop',
    arity: -2,
    flags: ['write', 'fast'],
    keys: keyAt(1),
    group: 'list',
    summary: 'Removes and returns the first elements of a list; deletes the list when it empties.',
    since: '1.0.0',
    complexity: 'O(N) where N is the number of elements returned',
    arguments: [KEY_ARG, COUNT_ARG],
    handler: lpop,
  }),
  defineCommand({
    name: 'rpop',
    arity: -2,
    flags: ['write', 'fast'],
    keys: keyAt(1),
    group: 'list',
    summary: 'Removes and returns the last elements of a list; deletes the list when it empties.',
    since: '1.0.0',
    complexity: 'O(N) where N is the number of elements returned',
    arguments: [KEY_ARG, COUNT_ARG],
    handler: rpop,
  }),
  defineCommand({
    name: 'lrange',
    arity: 4,
    flags: ['readonly'],
    keys: keyAt(1),
    group: 'list',
    summary: 'Returns a range of elements of a list.',
    since: '1.0.0',
    complexity: 'O(S+N) where S is the distance of the start offset from the head and N the number of elements in the range (aki: O(N)).',
    arguments: [KEY_ARG, ...START_STOP_ARGS],
    handler: lrange,
  }),
  defineCommand({
    name: 'llen',
    arity: 2,
    flags: ['readonly', 'fast'],
    keys: keyAt(1),
    group: 'list',
    summary: 'Returns the length of a list.',
    since: '1.0.0',
    complexity: 'O(1)',
    arguments: [KEY_ARG],
    handler: llen,
  }),
  defineCommand({
    name: 'lindex',
    arity: 3,
    flags: ['readonly'],
    keys: keyAt(1),
    group: 'list',
    summary: 'Returns an element of a list by its index.',
    since: '1.0.0',
    complexity: 'O(1) in aki (Redis: O(N) where N is the number of elements to traverse).',
    arguments: [KEY_ARG, { name: 'index', type: 'integer' }],
    handler: lindex,
  }),
  defineCommand({
    name: 'lset',
    arity: 4,
    flags: ['write', 'denyoom'],
    keys: keyAt(1),
    group: 'list',
    summary: 'Replaces the element at an index of a list.',
    since: '1.0.0',
    complexity: 'O(1) in aki (Redis: O(N) where N is the length of the list).',
    arguments: [KEY_ARG, { name: 'index', type: 'integer' }, ELEMENT_ARG],
    handler: lset,
  }),
  defineCommand({
    name: 'lrem',
    arity: 4,
    flags: ['write'],
    keys: keyAt(1),
    group: 'list',
    summary: 'Removes occurrences of an element from a list; deletes the list when it empties.',
    since: '1.0.0',
    complexity: 'O(N+M) where N is the length of the list and M is the number of elements removed.',
    arguments: [KEY_ARG, { name: 'count', type: 'integer' }, ELEMENT_ARG],
    handler: lrem,
  }),
  defineCommand({
    name: 'ltrim',
    arity: 4,
    flags: ['write'],
    keys: keyAt(1),
    group: 'list',
    summary: 'Keeps only a range of elements of a list; deletes the list when the range is empty.',
    since: '1.0.0',
    complexity: 'O(N) where N is the number of elements to be removed by the operation.',
    arguments: [KEY_ARG, ...START_STOP_ARGS],
    handler: ltrim,
  }),
  defineCommand({
    name: 'linsert',
    arity: 5,
    flags: ['write', 'denyoom'],
    keys: keyAt(1),
    group: 'list',
    summary: 'Inserts an element before or after another element of a list.',
    since: '2.2.0',
    complexity: 'O(N) where N is the number of elements to traverse before seeing the value pivot.',
    arguments: [
      KEY_ARG,
      tokenChoice('where', ['BEFORE', 'AFTER']),
      { name: 'pivot', type: 'string' },
      ELEMENT_ARG,
    ],
    handler: linsert,
  }),
  defineCommand({
    name: 'lpos',
    arity: -3,
    flags: ['readonly'],
    keys: keyAt(1),
    group: 'list',
    summary: 'Returns the indices of the elements of a list that match an element.',
    since: '6.0.6',
    complexity: 'O(N) where N is the number of elements in the list, for the average case.',
    arguments: [
      KEY_ARG,
      ELEMENT_ARG,
      { name: 'rank', type: 'integer', token: 'RANK', optional: true },
      { name: 'num-matches', type: 'integer', token: 'COUNT', optional: true },
      { name: 'len', type: 'integer', token: 'MAXLEN', optional: true },
    ],
    handler: lpos,
  }),
  defineCommand({
    name: 'lmove',
    arity: 5,
    flags: ['write', 'denyoom'],
    keys: keyRange(1, 2),
    group: 'list',
    summary: 'Pops an element from one end of a list and pushes it to an end of another; deletes the source when it empties.',
    since: '6.2.0',
    complexity: 'O(1)',
    arguments: [SOURCE_ARG, DESTINATION_ARG, leftRight('wherefrom'), leftRight('whereto')],
    handler: lmove,
  }),
  defineCommand({
    name: 'rpoplpush',
    arity: 3,
    flags: ['write', 'denyoom'],
    keys: keyRange(1, 2),
    group: 'list',
    summary: 'Pops the last element of a list and pushes it to the head of another (deprecated: LMOVE ... RIGHT LEFT).',
    since: '1.2.0',
    complexity: 'O(1)',
    arguments: [SOURCE_ARG, DESTINATION_ARG],
    handler: rpoplpush,
  }),
  defineCommand({
    name: 'lmpop',
    arity: -4,
    flags: ['write'],
    numKeysAt: 1,
    group: 'list',
    summary: 'Pops elements from the first non-empty list among several; deletes a list when it empties.',
    since: '7.0.0',
    complexity: 'O(N+M) where N is the number of provided keys and M is the number of elements returned.',
    arguments: MPOP_ARGS,
    handler: lmpop,
  }),
  defineCommand({
    name: 'blpop',
    arity: -3,
    flags: ['write', 'noscript', 'blocking'],
    keys: keyRange(1, -2),
    group: 'list',
    summary: 'Removes and returns the first element of the first non-empty list, blocking until one is available or the timeout passes.',
    since: '2.0.0',
    complexity: 'O(N) where N is the number of provided keys.',
    arguments: [KEYS_ARG, TIMEOUT_ARG],
    handler: blpop,
  }),
  defineCommand({
    name: 'brpop',
    arity: -3,
    flags: ['write', 'noscript', 'blocking'],
    keys: keyRange(1, -2),
    group: 'list',
    summary: 'Removes and returns the last element of the first non-empty list, blocking until one is available or the timeout passes.',
    since: '2.0.0',
    complexity: 'O(N) where N is the number of provided keys.',
    arguments: [KEYS_ARG, TIMEOUT_ARG],
    handler: brpop,
  }),
  defineCommand({
    name: 'blmove',
    arity: 6,
    flags: ['write', 'denyoom', 'noscript', 'blocking'],
    keys: keyRange(1, 2),
    group: 'list',
    summary: 'Moves an element from one list to another as LMOVE does, blocking until the source has one or the timeout passes.',
    since: '6.2.0',
    complexity: 'O(1)',
    arguments: [SOURCE_ARG, DESTINATION_ARG, leftRight('wherefrom'), leftRight('whereto'), TIMEOUT_ARG],
    handler: blmove,
  }),
  defineCommand({
    name: 'brpoplpush',
    arity: 4,
    flags: ['write', 'denyoom', 'noscript', 'blocking'],
    keys: keyRange(1, 2),
    group: 'list',
    summary: 'Pops the last element of a list and pushes it to the head of another, blocking until one is available (deprecated: BLMOVE ... RIGHT LEFT).',
    since: '2.2.0',
    complexity: 'O(1)',
    arguments: [SOURCE_ARG, DESTINATION_ARG, TIMEOUT_ARG],
    handler: brpoplpush,
  }),
  defineCommand({
    name: 'blmpop',
    arity: -5,
    flags: ['write', 'blocking'],
    numKeysAt: 2,
    group: 'list',
    summary: 'Pops elements from the first non-empty list among several, blocking until one is available or the timeout passes.',
    since: '7.0.0',
    complexity: 'O(N+M) where N is the number of provided keys and M is the number of elements returned.',
    arguments: [TIMEOUT_ARG, ...MPOP_ARGS],
    handler: blmpop,
  }),
];
