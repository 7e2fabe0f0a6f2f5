import { isCanonicalInt64, SetValue } from '@aki/keyspace';
import { encodingLimitsOf } from '../encoding-limits.js';
import { Err } from '../errors.js';
import { isOption, MIN_REPLY_ELEMENT_BYTES, nonNegativeArg, parseInteger, randomCountArg, refuseOversizedReply } from './args.js';
import { COUNT_ARG, defineCommand, KEY_ARG, keyAt, keyRange, KEYS_ARG, keysFrom } from './define.js';
import { effectOfActedOn, removeElements } from './partial-effect.js';
import { ERR_INVALID_CURSOR, parseCollectionScan, parseCursor, replyScanPage } from './scan-args.js';
import { deleteIfEmpty, isOfType, readSet, storeNew, writeSet } from './typed.js';
import type { ArgumentDoc, CommandContext, CommandSpec } from './types.js';

/*
 * Set commands. Members are latin1 JS strings (one char per byte).
 *
 * Effects (what AOF and followers receive; nothing when nothing changed):
 *   SADD k m ...          -> SADD k <only the members that were added>
 *   SREM k m ...          -> SREM k <only the members that were removed>
 *   SPOP k                -> SREM k <the popped member>
 *   SPOP k count          -> SREM k <popped members>, 1024 members per SREM (several
 *                            effects of one command reach the stream as MULTI/EXEC);
 *                            DEL k when the count took the whole set (as Redis 7.2)
 *   SMOVE src dst m       -> itself, when the member left src for dst; SREM src m when
 *                            dst had it already (only src changed)
 *   SINTERSTORE, SUNIONSTORE, SDIFFSTORE
 *                         -> themselves when the result is not empty (deterministic:
 *                            a follower holds the same sources); DEL dst when the
 *                            result is empty and dst existed; nothing otherwise
 * Read commands (SRANDMEMBER included) propagate nothing.
 *
 * Reply order. Redis keeps small all-integer sets as a sorted intset, so
 * SMEMBERS & co. list them in ascending numeric order; aki does the same for
 * every set (and result) that Redis would hold as an intset. Other sets come
 * in table order (Redis's listpack keeps insertion order; clients must not
 * rely on either).
 */

const ERR_NUMKEYS_TOO_MANY = "ERR Number of keys can't be greater than number of args";

/** Most members per SREM effect of a SPOP with a count (Redis's batch size). */
const SPOP_EFFECT_BATCH = 1024;

// ---------------------------------------------------------------------------
// Helpers

/** True when Redis would hold `set` as an intset (its members then come sorted). */
function isIntset(ctx: CommandContext, set: SetValue): boolean {
  return set.integersOnly && set.encoding(encodingLimitsOf(ctx.server.config)) === 'intset';
}

/**
 * Orders canonical int64 texts numerically without parsing them: sign, then
 * length (no leading zeros), then digits.
 */
function compareIntegerTexts(a: string, b: string): number {
  const aNegative = a.charCodeAt(0) === 45;
  const bNegative = b.charCodeAt(0) === 45;
  if (aNegative !== bNegative) return aNegative ? -1 : 1;
  const order = a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0;
  return aNegative ? -order : order;
}

/** Replies `members` as a RESP3 set (RESP2 array), sorted numerically when `intsetOrder`. */
function replyMemberSet(ctx: CommandContext, members: string[], intsetOrder: boolean): void {
  if (intsetOrder) members.sort(compareIntegerTexts);
  const reply = ctx.reply;
  reply.setHeader(members.length);
  for (let i = 0; i < members.length; i++) reply.bulk(members[i]!);
}

/** Replies every member of `set` as a RESP3 set, in the order Redis would list them. */
function replyWholeSet(ctx: CommandContext, set: SetValue): void {
  if (isIntset(ctx, set)) return replyMemberSet(ctx, set.toArray(), true);
  const reply = ctx.reply;
  reply.setHeader(set.size);
  set.forEach((member) => reply.bulk(member));
}

/**
 * Looks up the sets named by argv[first..] for reading. A missing key is an
 * empty set (undefined in the result). Every key is checked, so a key of
 * another type anywhere fails the command with WRONGTYPE (null returned,
 * already replied), as Redis checks them all before computing.
 */
function readSources(ctx: CommandContext, argv: string[], first: number, end = argv.length): Array<SetValue | undefined> | null {
  const sets = new Array<SetValue | undefined>(end - first);
  for (let i = first; i < end; i++) {
    const set = readSet(ctx, argv[i]!);
    if (set === null) return null;
    sets[i - first] = set;
  }
  return sets;
}

/** The sets present, smallest first (the intersection iterates the smallest), or undefined if one is missing. */
function sortedForIntersection(sets: Array<SetValue | undefined>): SetValue[] | undefined {
  const present: SetValue[] = [];
  for (const set of sets) {
    if (set === undefined) return undefined;
    present.push(set);
  }
  return present.sort((a, b) => a.size - b.size);
}

/**
 * Visits the members of the intersection of `sets` (smallest first): each
 * member of the smallest set is checked against the others, a set named
 * twice only once. `visit` returns false to stop early.
 */
function visitIntersection(sets: SetValue[], visit: (member: string) => boolean): void {
  const smallest = sets[0]!;
  const others = sets.filter((set, i) => i > 0 && set !== smallest);
  for (const member of smallest.members()) {
    let everywhere = true;
    for (let j = 0; j < others.length; j++) {
      if (!others[j]!.has(member)) {
        everywhere = false;
        break;
      }
    }
    if (everywhere && !visit(member)) return;
  }
}

/** The union of `sets` in a fresh set that starts as an empty intset (as Redis builds it). */
function unionOf(sets: Array<SetValue | undefined>): SetValue {
  const result = new SetValue();
  for (const set of sets) {
    if (set === undefined) continue;
    set.forEach((member) => {
      result.add(member);
    });
  }
  return result;
}

/**
 * The difference first - others in a fresh set that starts as an empty
 * intset, with Redis's choice of algorithm: checking each member of the
 * first set against the others (O(N*M), the others largest first), or
 * copying the first set and removing the others' members (O(total)) when
 * that is less than half the work. The choice shows in the result's
 * encoding history, as in Redis. A source named again as a subtrahend makes
 * the result empty.
 */
function differenceOf(sets: Array<SetValue | undefined>): SetValue {
  const result = new SetValue();
  const first = sets[0];
  if (first === undefined) return result;
  for (let j = 1; j < sets.length; j++) if (sets[j] === first) return result;

  let checkEachWork = 0;
  let subtractWork = 0;
  for (const set of sets) {
    if (set === undefined) continue;
    checkEachWork += first.size;
    subtractWork += set.size;
  }
  const others: SetValue[] = [];
  for (let j = 1; j < sets.length; j++) if (sets[j] !== undefined) others.push(sets[j]!);

  if (Math.floor(checkEachWork / 2) <= subtractWork) {
    others.sort((a, b) => b.size - a.size);
    first.forEach((member) => {
      for (let j = 0; j < others.length; j++) if (others[j]!.has(member)) return;
      result.add(member);
    });
    return result;
  }
  first.forEach((member) => {
    result.add(member);
  });
  for (const set of others) {
    set.forEach((member) => {
      result.delete(member);
    });
    if (result.size === 0) break;
  }
  return result;
}

/**
 * The end of SINTERSTORE / SUNIONSTORE / SDIFFSTORE: stores a non-empty
 * result under argv[1] (replacing any value and its time to live) and
 * propagates the command itself; an empty result deletes argv[1] instead
 * (propagated as DEL when there was one). Replies the result's size.
 */
function storeResult(ctx: CommandContext, argv: string[], name: string, result: SetValue | undefined): void {
  const destination = argv[1]!;
  if (result === undefined || result.size === 0) {
    const existed = ctx.db.delete(destination, ctx.now);
    ctx.reply.integer(0);
    if (existed) ctx.propagate(['DEL', destination]);
    return;
  }
  storeNew(ctx, destination, result);
  ctx.reply.integer(result.size);
  argv[0] = name;
  ctx.propagate(argv);
}


// ---------------------------------------------------------------------------
// SADD, SREM

/**
 * SADD key member [member ...] -> the number of members added (not already
 * there). Propagated as SADD of only the added members (the request itself
 * when all were new; nothing when none was).
 */
function sadd(ctx: CommandContext, argv: string[]): void {
  const key = argv[1]!;
  let set = writeSet(ctx, key);
  if (set === null) return;
  const count = argv.length - 2;
  if (set === undefined) {
    set = SetValue.forFirstMember(argv[2]!, count);
    storeNew(ctx, key, set);
  } else {
    set.noteSizeHint(count);
  }
  const target = set;
  const effect = effectOfActedOn(argv, 2, 'SADD', (member) => target.add(member));
  ctx.reply.integer(effect === undefined ? 0 : effect.length - 2);
  if (effect !== undefined) ctx.propagate(effect);
}

/**
 * SREM key member [member ...] -> the number of members removed. Deletes the
 * key with its last member. Propagated as SREM of only the removed members.
 */
function srem(ctx: CommandContext, argv: string[]): void {
  const key = argv[1]!;
  const set = writeSet(ctx, key);
  if (set === null) return;
  if (set === undefined) return ctx.reply.integer(0);
  removeElements(ctx, argv, 'SREM', set, (member) => set.delete(member));
}

// ---------------------------------------------------------------------------
// Membership and size

/** SMEMBERS key -> every member, a set (RESP3 `~`); empty for a missing key. */
function smembers(ctx: CommandContext, argv: string[]): void {
  const set = readSet(ctx, argv[1]!);
  if (set === null) return;
  if (set === undefined) return ctx.reply.setHeader(0);
  replyWholeSet(ctx, set);
}

/** SISMEMBER key member -> 1 when member is in the set, else 0. */
function sismember(ctx: CommandContext, argv: string[]): void {
  const set = readSet(ctx, argv[1]!);
  if (set === null) return;
  ctx.reply.integer(set !== undefined && set.has(argv[2]!) ? 1 : 0);
}

/** SMISMEMBER key member [member ...] -> an array of 1 / 0, one per member (all 0 for a missing key). */
function smismember(ctx: CommandContext, argv: string[]): void {
  const set = readSet(ctx, argv[1]!);
  if (set === null) return;
  const reply = ctx.reply;
  reply.arrayHeader(argv.length - 2);
  for (let i = 2; i < argv.length; i++) reply.integer(set !== undefined && set.has(argv[i]!) ? 1 : 0);
}

/** SCARD key -> the number of members, 0 for a missing key. */
function scard(ctx: CommandContext, argv: string[]): void {
  const set = readSet(ctx, argv[1]!);
  if (set === null) return;
  ctx.reply.integer(set === undefined ? 0 : set.size);
}

// ---------------------------------------------------------------------------
// SPOP, SRANDMEMBER

/**
 * SPOP key -> a random member, removed (null for a missing key); propagated
 * as SREM key member. SPOP key count -> up to count distinct random
 * members, removed, as a set (RESP3 `~`; empty for a missing key or a count
 * of 0). Errors: a count that is not an integer, "value is out of range,
 * must be positive" for a negative one (checked before the key), "syntax
 * error" for more arguments.
 */
function spop(ctx: CommandContext, argv: string[]): void {
  if (argv.length > 3) return ctx.error(Err.syntax);
  const key = argv[1]!;
  if (argv.length === 2) {
    const set = writeSet(ctx, key);
    if (set === null) return;
    if (set === undefined) return ctx.reply.nullBulk();
    const member = set.popRandomMember()!;
    deleteIfEmpty(ctx, key, set);
    ctx.reply.bulk(member);
    ctx.propagate(['SREM', key, member]);
    return;
  }
  // Redis reads the count as a positive long: non-integers get the same error as negatives.
  const count = nonNegativeArg(ctx, argv[2]!);
  if (count === undefined) return;
  const set = writeSet(ctx, key);
  if (set === null) return;
  if (set === undefined || count === 0) return ctx.reply.setHeader(0);

  if (count >= set.size) {
    // The whole set: reply it as SMEMBERS would and drop the key.
    replyWholeSet(ctx, set);
    ctx.db.delete(key, ctx.now);
    ctx.propagate(['DEL', key]);
    return;
  }
  const popped = set.popRandomMembers(count, encodingLimitsOf(ctx.server.config));
  const reply = ctx.reply;
  reply.setHeader(popped.length);
  for (let i = 0; i < popped.length; i++) reply.bulk(popped[i]!);
  for (let start = 0; start < popped.length; start += SPOP_EFFECT_BATCH) {
    const end = Math.min(start + SPOP_EFFECT_BATCH, popped.length);
    const effect = new Array<string>(2 + end - start);
    effect[0] = 'SREM';
    effect[1] = key;
    for (let i = start; i < end; i++) effect[2 + i - start] = popped[i]!;
    ctx.propagate(effect);
  }
}

/**
 * SRANDMEMBER key -> a random member (null for a missing key).
 * SRANDMEMBER key count -> an array (in RESP3 too): for count > 0, up to
 * count distinct members; for count < 0, exactly -count members that may
 * repeat (O(-count)); empty for 0 or a missing key. The count must be an
 * int64 above -2^63 ("value is out of range, value must between ..."),
 * checked before the key. A negative count whose reply could not fit in the
 * client's output limit is refused before any pick (refuseOversizedReply).
 * Propagates nothing.
 */
function srandmember(ctx: CommandContext, argv: string[]): void {
  if (argv.length > 3) return ctx.error(Err.syntax);
  const key = argv[1]!;
  if (argv.length === 2) {
    const set = readSet(ctx, key);
    if (set === null) return;
    if (set === undefined) return ctx.reply.nullBulk();
    ctx.reply.bulk(set.randomMember()!);
    return;
  }
  const count = randomCountArg(ctx, argv);
  if (count === undefined) return;
  const set = readSet(ctx, key);
  if (set === null) return;
  const reply = ctx.reply;
  if (set === undefined || count === 0) return reply.arrayHeader(0);
  if (count < 0) {
    const n = -count;
    if (refuseOversizedReply(ctx, n, MIN_REPLY_ELEMENT_BYTES)) return;
    reply.arrayHeader(n);
    for (let i = 0; i < n; i++) reply.bulk(set.randomMember()!);
    return;
  }
  const members = count >= set.size ? set.toArray() : set.randomDistinctMembers(count);
  if (count >= set.size && isIntset(ctx, set)) members.sort(compareIntegerTexts);
  reply.arrayHeader(members.length);
  for (let i = 0; i < members.length; i++) reply.bulk(members[i]!);
}

// ---------------------------------------------------------------------------
// SMOVE

/**
 * SMOVE source destination member -> 1 when member was moved (or, with
 * source = destination, is there), 0 when source is missing or lacks it.
 * A missing source answers 0 before any type check; otherwise a source or
 * an existing destination of another type is WRONGTYPE. The source is
 * deleted with its last member; a missing destination is created.
 * Propagated as itself when the member left the source, as SREM source
 * member when the destination had it already.
 */
function smove(ctx: CommandContext, argv: string[]): void {
  const sourceKey = argv[1]!;
  const destinationKey = argv[2]!;
  const member = argv[3]!;
  const db = ctx.db;
  const now = ctx.now;
  // Both keys are looked up first, as Redis does (access time, lazy expiry).
  const source = db.lookup(sourceKey, now);
  const destination = db.lookup(destinationKey, now);
  if (source === undefined) return ctx.reply.integer(0);
  if (!isOfType(source, 'set') || (destination !== undefined && !isOfType(destination, 'set'))) return ctx.error(Err.wrongType);
  if (source === destination) return ctx.reply.integer(source.has(member) ? 1 : 0);
  if (!source.delete(member)) return ctx.reply.integer(0);
  deleteIfEmpty(ctx, sourceKey, source);
  let target = destination as SetValue | undefined;
  if (target === undefined) {
    target = SetValue.forFirstMember(member, 1);
    storeNew(ctx, destinationKey, target);
  }
  const added = target.add(member);
  ctx.reply.integer(1);
  if (added) {
    argv[0] = 'SMOVE';
    ctx.propagate(argv);
  } else {
    // The destination had the member already: only the source changed (and
    // only the source is a modified key for WATCH, as in Redis).
    ctx.propagate(['SREM', sourceKey, member]);
  }
}

// ---------------------------------------------------------------------------
// Intersection, union, difference

/**
 * SINTER key [key ...] -> the members present in every set, a set (RESP3
 * `~`); empty when any key is missing. Iterates the smallest set.
 */
function sinter(ctx: CommandContext, argv: string[]): void {
  const sources = readSources(ctx, argv, 1);
  if (sources === null) return;
  const sets = sortedForIntersection(sources);
  if (sets === undefined) return ctx.reply.setHeader(0);
  const members: string[] = [];
  visitIntersection(sets, (member) => {
    members.push(member);
    return true;
  });
  // The result lists in the smallest set's order: sorted when that is an intset.
  replyMemberSet(ctx, members, isIntset(ctx, sets[0]!));
}

/**
 * SINTERCARD numkeys key [key ...] [LIMIT limit] -> the size of the
 * intersection, counting stopped at limit (0 = no limit). Errors in Redis's
 * order: "numkeys should be greater than 0", "Number of keys can't be
 * greater than number of args", "LIMIT can't be negative", "syntax error"
 * for anything else after the keys, then WRONGTYPE.
 */
function sintercard(ctx: CommandContext, argv: string[]): void {
  const numkeys = parseInteger(argv[1]!);
  if (numkeys === undefined || numkeys < 1) return ctx.error(Err.numkeysNotPositive);
  if (numkeys > argv.length - 2) return ctx.error(ERR_NUMKEYS_TOO_MANY);
  const keysEnd = 2 + numkeys;
  let limit = 0;
  for (let i = keysEnd; i < argv.length; i++) {
    if (isOption(argv[i]!, 'LIMIT') && i + 1 < argv.length) {
      const n = nonNegativeArg(ctx, argv[++i]!, Err.limitNegative);
      if (n === undefined) return;
      limit = n;
    } else {
      return ctx.error(Err.syntax);
    }
  }
  const sources = readSources(ctx, argv, 2, keysEnd);
  if (sources === null) return;
  const sets = sortedForIntersection(sources);
  if (sets === undefined) return ctx.reply.integer(0);
  let cardinality = 0;
  visitIntersection(sets, () => {
    cardinality++;
    return limit === 0 || cardinality < limit;
  });
  ctx.reply.integer(cardinality);
}

/**
 * SINTERSTORE destination key [key ...] -> the size of the intersection,
 * stored in destination (see `storeResult` for an empty one). The result
 * starts as an intset when all its members are integers, as Redis ends up.
 */
function sinterstore(ctx: CommandContext, argv: string[]): void {
  const sources = readSources(ctx, argv, 2);
  if (sources === null) return;
  const sets = sortedForIntersection(sources);
  if (sets === undefined) return storeResult(ctx, argv, 'SINTERSTORE', undefined);
  const members: string[] = [];
  let integers = true;
  visitIntersection(sets, (member) => {
    members.push(member);
    if (integers && !isCanonicalInt64(member)) integers = false;
    return true;
  });
  const result = new SetValue(!integers);
  for (let i = 0; i < members.length; i++) result.add(members[i]!);
  storeResult(ctx, argv, 'SINTERSTORE', result);
}

/** SUNION key [key ...] -> the members of any of the sets, a set (RESP3 `~`). */
function sunion(ctx: CommandContext, argv: string[]): void {
  const sources = readSources(ctx, argv, 1);
  if (sources === null) return;
  replyWholeSet(ctx, unionOf(sources));
}

/** SUNIONSTORE destination key [key ...] -> the size of the union, stored in destination. */
function sunionstore(ctx: CommandContext, argv: string[]): void {
  const sources = readSources(ctx, argv, 2);
  if (sources === null) return;
  storeResult(ctx, argv, 'SUNIONSTORE', unionOf(sources));
}

/** SDIFF key [key ...] -> the members of the first set in none of the others, a set (RESP3 `~`). */
function sdiff(ctx: CommandContext, argv: string[]): void {
  const sources = readSources(ctx, argv, 1);
  if (sources === null) return;
  replyWholeSet(ctx, differenceOf(sources));
}

/** SDIFFSTORE destination key [key ...] -> the size of the difference, stored in destination. */
function sdiffstore(ctx: CommandContext, argv: string[]): void {
  const sources = readSources(ctx, argv, 2);
  if (sources === null) return;
  storeResult(ctx, argv, 'SDIFFSTORE', differenceOf(sources));
}

// ---------------------------------------------------------------------------
// SSCAN

/**
 * SSCAN key cursor [MATCH pattern] [COUNT count] -> [next cursor, members].
 * A set Redis would hold as an intset or listpack comes whole in one reply
 * with cursor 0, whatever the cursor and COUNT (as in Redis). Checked in
 * Redis's order: the cursor, then the key (a missing key answers cursor 0
 * and no members before options are looked at), then the type, then the
 * options.
 */
function sscan(ctx: CommandContext, argv: string[]): void {
  if (parseCursor(argv[2]!) === undefined) return ctx.error(ERR_INVALID_CURSOR);
  const set = readSet(ctx, argv[1]!);
  if (set === null) return;
  if (set === undefined) return replyScanPage(ctx, 0);
  const args = parseCollectionScan(ctx, argv);
  if (args === undefined) return;
  const match = args.match;
  const found: string[] = [];
  const collect = (member: string) => {
    if (match === undefined || match(member)) found.push(member);
  };
  let next = 0;
  const encoding = set.encoding(encodingLimitsOf(ctx.server.config));
  if (encoding === 'hashtable') next = set.scan(args.cursor, args.count, collect);
  else set.forEach(collect);
  if (encoding === 'intset') found.sort(compareIntegerTexts);
  replyScanPage(ctx, next, found);
}

// ---------------------------------------------------------------------------
// The table

const MEMBER_ARG: ArgumentDoc = { name: 'member', type: 'string' };
const MEMBERS_ARG: ArgumentDoc = { name: 'member', type: 'string', multiple: true };
const DESTINATION_ARG: ArgumentDoc = { name: 'destination', type: 'key' };

export const setCommands: readonly CommandSpec[] = [
  defineCommand({
    name: 'sadd',
    arity: -3,
    flags: ['write', 'denyoom', 'fast'],
    keys: keyAt(1),
    group: 'set',
    summary: "Adds one or more members to a set. Creates the key if it doesn't exist.",
    since: '1.0.0',
    complexity: 'O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.',
    arguments: [KEY_ARG, MEMBERS_ARG],
    handler: sadd,
  }),
  defineCommand({
    name: 'scard',
    arity: 2,
    flags: ['readonly', 'fast'],
    keys: keyAt(1),
    group: 'set',
    summary: 'Returns the number of members in a set.',
    since: '1.0.0',
    complexity: 'O(1)',
    arguments: [KEY_ARG],
    handler: scard,
  }),
  defineCommand({
    name: 'sdiff',
    arity: -2,
    flags: ['readonly'],
    keys: keysFrom(1),
    group: 'set',
    summary: 'Returns the difference of multiple sets.',
    since: '1.0.0',
    complexity: 'O(N) where N is the total number of elements in all given sets.',
    arguments: [KEYS_ARG],
    handler: sdiff,
  }),
  defineCommand({
    name: 'sdiffstore',
    arity: -3,
    flags: ['write', 'denyoom'],
    keys: keysFrom(1),
    group: 'set',
    summary: 'Stores the difference of multiple sets in a key.',
    since: '1.0.0',
    complexity: 'O(N) where N is the total number of elements in all given sets.',
    arguments: [DESTINATION_ARG, KEYS_ARG],
    handler: sdiffstore,
  }),
  defineCommand({
    name: 'sinter',
    arity: -2,
    flags: ['readonly'],
    keys: keysFrom(1),
    group: 'set',
    summary: 'Returns the intersect of multiple sets.',
    since: '1.0.0',
    complexity: 'O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.',
    arguments: [KEYS_ARG],
    handler: sinter,
  }),
  defineCommand({
    name: 'sintercard',
    arity: -3,
    flags: ['readonly'],
    // The keys follow numkeys: movablekeys, legacy key spec 0 0 0, as in Redis.
    numKeysAt: 1,
    group: 'set',
    summary: 'Returns the number of members of the intersect of multiple sets.',
    since: '7.0.0',
    complexity: 'O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.',
    arguments: [{ name: 'numkeys', type: 'integer' }, KEYS_ARG, { name: 'limit', type: 'integer', token: 'LIMIT', optional: true }],
    handler: sintercard,
  }),
  defineCommand({
    name: 'sinterstore',
    arity: -3,
    flags: ['write', 'denyoom'],
    keys: keysFrom(1),
    group: 'set',
    summary: 'Stores the intersect of multiple sets in a key.',
    since: '1.0.0',
    complexity: 'O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.',
    arguments: [DESTINATION_ARG, KEYS_ARG],
    handler: sinterstore,
  }),
  defineCommand({
    name: 'sismember',
    arity: 3,
    flags: ['readonly', 'fast'],
    keys: keyAt(1),
    group: 'set',
    summary: 'Determines whether a member belongs to a set.',
    since: '1.0.0',
    complexity: 'O(1)',
    arguments: [KEY_ARG, MEMBER_ARG],
    handler: sismember,
  }),
  defineCommand({
    name: 'smembers',
    arity: 2,
    flags: ['readonly'],
    keys: keyAt(1),
    group: 'set',
    summary: 'Returns all members of a set.',
    since: '1.0.0',
    complexity: 'O(N) where N is the set cardinality.',
    arguments: [KEY_ARG],
    handler: smembers,
  }),
  defineCommand({
    name: 'smismember',
    arity: -3,
    flags: ['readonly', 'fast'],
    keys: keyAt(1),
    group: 'set',
    summary: 'Determines whether multiple members belong to a set.',
    since: '6.2.0',
    complexity: 'O(N) where N is the number of elements being checked for membership',
    arguments: [KEY_ARG, MEMBERS_ARG],
    handler: smismember,
  }),
  defineCommand({
    name: 'smove',
    arity: 4,
    flags: ['write', 'fast'],
    keys: keyRange(1, 2),
    group: 'set',
    summary: 'Moves a member from one set to another.',
    since: '1.0.0',
    complexity: 'O(1)',
    arguments: [{ name: 'source', type: 'key' }, DESTINATION_ARG, MEMBER_ARG],
    handler: smove,
  }),
  defineCommand({
    name: 'spop',
    arity: -2,
    flags: ['write', 'fast'],
    keys: keyAt(1),
    group: 'set',
    summary: 'Returns one or more random members from a set after removing them. Deletes the set if the last member was popped.',
    since: '1.0.0',
    complexity: 'Without the count argument O(1), otherwise O(N) where N is the value of the passed count.',
    arguments: [KEY_ARG, COUNT_ARG],
    handler: spop,
  }),
  defineCommand({
    name: 'srandmember',
    arity: -2,
    flags: ['readonly'],
    keys: keyAt(1),
    group: 'set',
    summary: 'Get one or multiple random members from a set',
    since: '1.0.0',
    complexity: 'Without the count argument O(1), otherwise O(N) where N is the absolute value of the passed count.',
    arguments: [KEY_ARG, COUNT_ARG],
    handler: srandmember,
  }),
  defineCommand({
    name: 'srem',
    arity: -3,
    flags: ['write', 'fast'],
    keys: keyAt(1),
    group: 'set',
    summary: 'Removes one or more members from a set. Deletes the set if the last member was removed.',
    since: '1.0.0',
    complexity: 'O(N) where N is the number of members to be removed.',
    arguments: [KEY_ARG, MEMBERS_ARG],
    handler: srem,
  }),
  defineCommand({
    name: 'sscan',
    arity: -3,
    flags: ['readonly'],
    keys: keyAt(1),
    group: 'set',
    summary: 'Iterates over members of a set.',
    since: '2.8.0',
    complexity:
      'O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.',
    arguments: [
      KEY_ARG,
      { name: 'cursor', type: 'integer' },
      { name: 'pattern', type: 'pattern', token: 'MATCH', optional: true },
      { name: 'count', type: 'integer', token: 'COUNT', optional: true },
    ],
    handler: sscan,
  }),
  defineCommand({
    name: 'sunion',
    arity: -2,
    flags: ['readonly'],
    keys: keysFrom(1),
    group: 'set',
    summary: 'Returns the union of multiple sets.',
    since: '1.0.0',
    complexity: 'O(N) where N is the total number of elements in all given sets.',
    arguments: [KEYS_ARG],
    handler: sunion,
  }),
  defineCommand({
    name: 'sunionstore',
    arity: -3,
    flags: ['write', 'denyoom'],
    keys: keysFrom(1),
    group: 'set',
    summary: 'Stores the union of multiple sets in a key.',
    since: '1.0.0',
    complexity: 'O(N) where N is the total number of elements in all given sets.',
    arguments: [DESTINATION_ARG, KEYS_ARG],
    handler: sunionstore,
  }),
];
