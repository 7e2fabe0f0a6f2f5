import { HashValue } from '@aki/keyspace';
import { encodingLimitsOf } from '../encoding-limits.js';
import { Err } from '../errors.js';
import { addToInt64Text, int64Arg, MIN_REPLY_ELEMENT_BYTES, randomCountArg, refuseOversizedReply } from './args.js';
import { defineCommand, KEY_ARG, keyAt } from './define.js';
import { addFloatText } from './long-double.js';
import { removeElements } from './partial-effect.js';
import { ERR_INVALID_CURSOR, parseCollectionScan, parseCursor, replyScanPage } from './scan-args.js';
import { readHash, storeNew, writeHash } from './typed.js';
import type { ArgumentDoc, CommandContext, CommandSpec } from './types.js';

/*
 * Hash commands. Fields and values are latin1 JS strings (one char per byte).
 *
 * Effects (what AOF and followers receive; nothing when nothing changed):
 *   HSET, HMSET                  -> HSET k f v ... (Redis itself passes HMSET on as HMSET;
 *                                   both set the same pairs, HSET is the one current name)
 *   HSETNX (when it set)         -> HSET k f v
 *   HDEL                         -> HDEL k with only the fields actually removed
 *   HINCRBY                      -> itself (exact int64 arithmetic is deterministic)
 *   HINCRBYFLOAT                 -> HSET k f <new value> (as Redis; long double results
 *                                   must not be recomputed elsewhere)
 * HSET / HMSET are propagated even when every value was already the one set
 * (a write happened, as in Redis). A hash that loses its last field is
 * deleted. When the request itself is the effect, its argv is reused with the
 * name canonicalised in place.
 */

const ERR_HASH_NOT_INTEGER = 'ERR hash value is not an integer';
const ERR_HASH_NOT_FLOAT = 'ERR hash value is not a float';
/** HINCRBYFLOAT's refusal of an infinite increment (checked before the key is looked up). */
const ERR_NAN_OR_INFINITY_ARG = 'ERR value is NaN or Infinity';

// ---------------------------------------------------------------------------
// Writes

/**
 * Sets the pairs argv[2..] of HSET / HMSET into the hash at argv[1];
 * returns how many fields were new, or -1 after replying an error.
 */
function setPairs(ctx: CommandContext, argv: string[], name: string): number {
  if (argv.length % 2 !== 0) {
    ctx.error(Err.wrongArity(name));
    return -1;
  }
  const key = argv[1]!;
  let hash = writeHash(ctx, key);
  if (hash === null) return -1;
  const created = hash === undefined;
  if (hash === undefined) hash = new HashValue();
  hash.noteSizeHint((argv.length - 2) / 2);
  let added = 0;
  for (let i = 2; i < argv.length; i += 2) if (hash.set(argv[i]!, argv[i + 1]!)) added++;
  if (created) storeNew(ctx, key, hash);
  argv[0] = 'HSET';
  ctx.propagate(argv);
  return added;
}

/** HSET key field value [field value ...] -> the number of fields that were new. */
function hset(ctx: CommandContext, argv: string[]): void {
  const added = setPairs(ctx, argv, 'hset');
  if (added >= 0) ctx.reply.integer(added);
}

/** HMSET key field value [field value ...] -> +OK (deprecated form of HSET). */
function hmset(ctx: CommandContext, argv: string[]): void {
  if (setPairs(ctx, argv, 'hmset') >= 0) ctx.reply.ok();
}

/** HSETNX key field value -> 1 when the field was set, 0 when it already existed. */
function hsetnx(ctx: CommandContext, argv: string[]): void {
  const key = argv[1]!;
  const field = argv[2]!;
  const value = argv[3]!;
  let hash = writeHash(ctx, key);
  if (hash === null) return;
  const created = hash === undefined;
  if (hash === undefined) hash = new HashValue();
  if (!hash.setIfAbsent(field, value)) return ctx.reply.integer(0);
  if (created) storeNew(ctx, key, hash);
  ctx.reply.integer(1);
  ctx.propagate(['HSET', key, field, value]);
}

/** HDEL key field [field ...] -> the number of fields removed; deletes the key when none remain. */
function hdel(ctx: CommandContext, argv: string[]): void {
  const key = argv[1]!;
  const hash = writeHash(ctx, key);
  if (hash === null) return;
  if (hash === undefined) return ctx.reply.integer(0);
  removeElements(ctx, argv, 'HDEL', hash, (field) => hash.delete(field));
}

/** Sets `field` of the hash at `key` (`hash`, or a new hash stored there when undefined). */
function storeField(ctx: CommandContext, key: string, hash: HashValue | undefined, field: string, value: string): void {
  if (hash !== undefined) {
    hash.set(field, value);
    return;
  }
  const created = new HashValue();
  created.set(field, value);
  storeNew(ctx, key, created);
}

/**
 * HINCRBY key field increment -> the new value. A missing field counts as 0;
 * a value that is not an int64 is refused, and so is a result beyond int64.
 */
function hincrby(ctx: CommandContext, argv: string[]): void {
  const by = int64Arg(ctx, argv[3]!);
  if (by === undefined) return;
  const key = argv[1]!;
  const field = argv[2]!;
  const hash = writeHash(ctx, key);
  if (hash === null) return;
  const old = hash?.get(field);
  const result = old === undefined ? by : addToInt64Text(ctx, old, by, ERR_HASH_NOT_INTEGER);
  if (result === undefined) return;
  storeField(ctx, key, hash, field, String(result));
  ctx.reply.integer(result);
  argv[0] = 'HINCRBY';
  ctx.propagate(argv);
}

/**
 * HINCRBYFLOAT key field increment -> the new value as a bulk string, with
 * Redis's long double arithmetic and formatting (see long-double.ts). Errors,
 * in Redis's order: a bad increment ("value is not a valid float"), an
 * infinite one ("value is NaN or Infinity"), WRONGTYPE, a stored value that
 * is not a float ("hash value is not a float"), an infinite result.
 */
function hincrbyfloat(ctx: CommandContext, argv: string[]): void {
  const increment = argv[3]!;
  // The increment alone (0 + increment): validates it and is the result for a missing field.
  const alone = addFloatText(undefined, increment);
  if (!alone.ok) return ctx.error(alone.error === Err.notFloat ? Err.notFloat : ERR_NAN_OR_INFINITY_ARG);
  const key = argv[1]!;
  const field = argv[2]!;
  const hash = writeHash(ctx, key);
  if (hash === null) return;
  const old = hash?.get(field);
  let value = alone.value;
  if (old !== undefined) {
    const sum = addFloatText(old, increment);
    // The increment parsed above, so "not a valid float" can only be the stored value.
    if (!sum.ok) return ctx.error(sum.error === Err.notFloat ? ERR_HASH_NOT_FLOAT : sum.error);
    value = sum.value;
  }
  storeField(ctx, key, hash, field, value);
  ctx.reply.bulk(value);
  ctx.propagate(['HSET', key, field, value]);
}

// ---------------------------------------------------------------------------
// Reads

/** HGET key field -> the value, or null when the field or the key is missing. */
function hget(ctx: CommandContext, argv: string[]): void {
  const hash = readHash(ctx, argv[1]!);
  if (hash === null) return;
  const value = hash?.get(argv[2]!);
  if (value === undefined) ctx.reply.nullBulk();
  else ctx.reply.bulk(value);
}

/** HMGET key field [field ...] -> an array with each field's value or null. */
function hmget(ctx: CommandContext, argv: string[]): void {
  const hash = readHash(ctx, argv[1]!);
  if (hash === null) return;
  const reply = ctx.reply;
  reply.arrayHeader(argv.length - 2);
  for (let i = 2; i < argv.length; i++) {
    const value = hash?.get(argv[i]!);
    if (value === undefined) reply.nullBulk();
    else reply.bulk(value);
  }
}

/** HGETALL key -> every field and value: a map in RESP3, a flat array in RESP2; empty when missing. */
function hgetall(ctx: CommandContext, argv: string[]): void {
  const hash = readHash(ctx, argv[1]!);
  if (hash === null) return;
  const reply = ctx.reply;
  if (hash === undefined) return reply.mapHeader(0);
  reply.mapHeader(hash.size);
  hash.forEach((field, value) => {
    reply.bulk(field);
    reply.bulk(value);
  });
}

/** HKEYS key -> every field (an array; empty when missing). */
function hkeys(ctx: CommandContext, argv: string[]): void {
  const hash = readHash(ctx, argv[1]!);
  if (hash === null) return;
  const reply = ctx.reply;
  if (hash === undefined) return reply.arrayHeader(0);
  reply.arrayHeader(hash.size);
  hash.forEach((field) => reply.bulk(field));
}

/** HVALS key -> every value (an array; empty when missing). */
function hvals(ctx: CommandContext, argv: string[]): void {
  const hash = readHash(ctx, argv[1]!);
  if (hash === null) return;
  const reply = ctx.reply;
  if (hash === undefined) return reply.arrayHeader(0);
  reply.arrayHeader(hash.size);
  hash.forEach((_field, value) => reply.bulk(value));
}

/** HEXISTS key field -> 1 when the field exists, else 0. */
function hexists(ctx: CommandContext, argv: string[]): void {
  const hash = readHash(ctx, argv[1]!);
  if (hash === null) return;
  ctx.reply.integer(hash !== undefined && hash.has(argv[2]!) ? 1 : 0);
}

/** HLEN key -> the number of fields (0 when missing). */
function hlen(ctx: CommandContext, argv: string[]): void {
  const hash = readHash(ctx, argv[1]!);
  if (hash === null) return;
  ctx.reply.integer(hash === undefined ? 0 : hash.size);
}

/** HSTRLEN key field -> the length in bytes of the field's value (0 when missing). */
function hstrlen(ctx: CommandContext, argv: string[]): void {
  const hash = readHash(ctx, argv[1]!);
  if (hash === null) return;
  ctx.reply.integer(hash?.get(argv[2]!)?.length ?? 0);
}

// ---------------------------------------------------------------------------
// HRANDFIELD

/**
 * HRANDFIELD key [count [WITHVALUES]].
 * Without count -> one random field, or null when the key is missing.
 * With count -> an array: count > 0 gives min(count, HLEN) distinct fields
 * (the whole hash when count >= HLEN); count < 0 gives |count| fields that may
 * repeat; count 0 or a missing key gives an empty array. WITHVALUES adds
 * each field's value: flat [f, v, ...] in RESP2, [[f, v], ...] in RESP3.
 * Count is checked (range [-2^63+1, 2^63-1], WITHVALUES: |count| <= 2^62-1)
 * and the options parsed before the key is looked up, as Redis does. A
 * negative count whose reply could not fit in the client's output limit is
 * refused before any pick (refuseOversizedReply).
 */
function hrandfield(ctx: CommandContext, argv: string[]): void {
  if (argv.length === 2) {
    const hash = readHash(ctx, argv[1]!);
    if (hash === null) return;
    if (hash === undefined) return ctx.reply.nullBulk();
    ctx.reply.bulk(hash.fieldAt(hash.randomSlot()));
    return;
  }
  const count = randomCountArg(ctx, argv, 'WITHVALUES');
  if (count === undefined) return;
  const withValues = argv.length === 4;
  const hash = readHash(ctx, argv[1]!);
  if (hash === null) return;
  const reply = ctx.reply;
  if (hash === undefined || count === 0) return reply.arrayHeader(0);
  const pairsAsArrays = withValues && reply.protocol === 3;
  if (count < 0) {
    const picks = -count;
    if (refuseOversizedReply(ctx, picks, withValues ? 2 * MIN_REPLY_ELEMENT_BYTES : MIN_REPLY_ELEMENT_BYTES)) return;
    reply.arrayHeader(withValues && !pairsAsArrays ? picks * 2 : picks);
    for (let i = 0; i < picks; i++) replyPick(ctx, hash, hash.randomSlot(), withValues, pairsAsArrays);
    return;
  }
  if (count >= hash.size) {
    reply.arrayHeader(withValues && !pairsAsArrays ? hash.size * 2 : hash.size);
    hash.forEach((field, value) => {
      if (pairsAsArrays) reply.arrayHeader(2);
      reply.bulk(field);
      if (withValues) reply.bulk(value);
    });
    return;
  }
  const slots = hash.randomDistinctSlots(count);
  reply.arrayHeader(withValues && !pairsAsArrays ? count * 2 : count);
  for (let i = 0; i < slots.length; i++) replyPick(ctx, hash, slots[i]!, withValues, pairsAsArrays);
}

function replyPick(ctx: CommandContext, hash: HashValue, slot: number, withValues: boolean, pairsAsArrays: boolean): void {
  const reply = ctx.reply;
  if (pairsAsArrays) reply.arrayHeader(2);
  reply.bulk(hash.fieldAt(slot));
  if (withValues) reply.bulk(hash.valueAt(slot));
}

// ---------------------------------------------------------------------------
// HSCAN

/**
 * HSCAN key cursor [MATCH pattern] [COUNT count] -> [next cursor, [field,
 * value, ...]] (a flat array in RESP3 too). MATCH filters on the field. A
 * hash Redis would keep as a listpack comes back whole in one call with
 * cursor 0, whatever the cursor and COUNT, as in Redis; a bigger one is
 * walked with the dict's reverse-binary cursor, so every field present for
 * the whole iteration is returned at least once. Redis's order of checks:
 * the cursor, then the key (a missing key answers an empty page even with
 * bad options), then the options.
 */
function hscan(ctx: CommandContext, argv: string[]): void {
  if (parseCursor(argv[2]!) === undefined) return ctx.error(ERR_INVALID_CURSOR);
  const hash = readHash(ctx, argv[1]!);
  if (hash === null) return;
  if (hash === undefined) return replyScanPage(ctx, 0);
  const args = parseCollectionScan(ctx, argv);
  if (args === undefined) return;
  const match = args.match;
  const found: string[] = [];
  const collect = (field: string, value: string): void => {
    if (match === undefined || match(field)) found.push(field, value);
  };
  let next = 0;
  if (hash.encoding(encodingLimitsOf(ctx.server.config)) === 'listpack') hash.forEach(collect);
  else next = hash.scan(args.cursor, args.count, collect);
  replyScanPage(ctx, next, found);
}

// ---------------------------------------------------------------------------
// The records

const FIELD_ARG: ArgumentDoc = { name: 'field', type: 'string' };
const VALUE_ARG: ArgumentDoc = { name: 'value', type: 'string' };
const PAIRS_ARG: ArgumentDoc = { name: 'data', type: 'block', multiple: true, arguments: [FIELD_ARG, VALUE_ARG] };

export const hashCommands: readonly CommandSpec[] = [
  defineCommand({
    name: 'hset',
    arity: -4,
    flags: ['write', 'denyoom', 'fast'],
    keys: keyAt(1),
    group: 'hash',
    summary: 'Creates or modifies the value of a field in a hash.',
    since: '2.0.0',
    complexity:
      'O(1) for each field/value pair added, so O(N) to add N field/value pairs when the command is called with multiple field/value pairs.',
    arguments: [KEY_ARG, PAIRS_ARG],
    handler: hset,
  }),
  defineCommand({
    name: 'hsetnx',
    arity: 4,
    flags: ['write', 'denyoom', 'fast'],
    keys: keyAt(1),
    group: 'hash',
    summary: "Sets the value of a field in a hash only when the field doesn't exist.",
    since: '2.0.0',
    complexity: 'O(1)',
    arguments: [KEY_ARG, FIELD_ARG, VALUE_ARG],
    handler: hsetnx,
  }),
  defineCommand({
    name: 'hget',
    arity: 3,
    flags: ['readonly', 'fast'],
    keys: keyAt(1),
    group: 'hash',
    summary: 'Returns the value of a field in a hash.',
    since: '2.0.0',
    complexity: 'O(1)',
    arguments: [KEY_ARG, FIELD_ARG],
    handler: hget,
  }),
  defineCommand({
    name: 'hmget',
    arity: -3,
    flags: ['readonly', 'fast'],
    keys: keyAt(1),
    group: 'hash',
    summary: 'Returns the values of all fields in a hash.',
    since: '2.0.0',
    complexity: 'O(N) where N is the number of fields being requested.',
    arguments: [KEY_ARG, { ...FIELD_ARG, multiple: true }],
    handler: hmget,
  }),
  defineCommand({
    name: 'hmset',
    arity: -4,
    flags: ['write', 'denyoom', 'fast'],
    keys: keyAt(1),
    group: 'hash',
    summary: 'Sets the values of multiple fields (deprecated: HSET with several pairs).',
    since: '2.0.0',
    complexity: 'O(N) where N is the number of fields being set.',
    arguments: [KEY_ARG, PAIRS_ARG],
    handler: hmset,
  }),
  defineCommand({
    name: 'hgetall',
    arity: 2,
    flags: ['readonly'],
    keys: keyAt(1),
    group: 'hash',
    summary: 'Returns all fields and values in a hash.',
    since: '2.0.0',
    complexity: 'O(N) where N is the size of the hash.',
    arguments: [KEY_ARG],
    handler: hgetall,
  }),
  defineCommand({
    name: 'hdel',
    arity: -3,
    flags: ['write', 'fast'],
    keys: keyAt(1),
    group: 'hash',
    summary: 'Deletes one or more fields and their values from a hash. Deletes the hash if no fields remain.',
    since: '2.0.0',
    complexity: 'O(N) where N is the number of fields to be removed.',
    arguments: [KEY_ARG, { ...FIELD_ARG, multiple: true }],
    handler: hdel,
  }),
  defineCommand({
    name: 'hexists',
    arity: 3,
    flags: ['readonly', 'fast'],
    keys: keyAt(1),
    group: 'hash',
    summary: 'Determines whether a field exists in a hash.',
    since: '2.0.0',
    complexity: 'O(1)',
    arguments: [KEY_ARG, FIELD_ARG],
    handler: hexists,
  }),
  defineCommand({
    name: 'hlen',
    arity: 2,
    flags: ['readonly', 'fast'],
    keys: keyAt(1),
    group: 'hash',
    summary: 'Returns the number of fields in a hash.',
    since: '2.0.0',
    complexity: 'O(1)',
    arguments: [KEY_ARG],
    handler: hlen,
  }),
  defineCommand({
    name: 'hstrlen',
    arity: 3,
    flags: ['readonly', 'fast'],
    keys: keyAt(1),
    group: 'hash',
    summary: 'Returns the length of the value of a field.',
    since: '3.2.0',
    complexity: 'O(1)',
    arguments: [KEY_ARG, FIELD_ARG],
    handler: hstrlen,
  }),
  defineCommand({
    name: 'hkeys',
    arity: 2,
    flags: ['readonly'],
    keys: keyAt(1),
    group: 'hash',
    summary: 'Returns all fields in a hash.',
    since: '2.0.0',
    complexity: 'O(N) where N is the size of the hash.',
    arguments: [KEY_ARG],
    handler: hkeys,
  }),
  defineCommand({
    name: 'hvals',
    arity: 2,
    flags: ['readonly'],
    keys: keyAt(1),
    group: 'hash',
    summary: 'Returns all values in a hash.',
    since: '2.0.0',
    complexity: 'O(N) where N is the size of the hash.',
    arguments: [KEY_ARG],
    handler: hvals,
  }),
  defineCommand({
    name: 'hincrby',
    arity: 4,
    flags: ['write', 'denyoom', 'fast'],
    keys: keyAt(1),
    group: 'hash',
    summary: "Increments the integer value of a field in a hash by a number. Uses 0 as initial value if the field doesn't exist.",
    since: '2.0.0',
    complexity: 'O(1)',
    arguments: [KEY_ARG, FIELD_ARG, { name: 'increment', type: 'integer' }],
    handler: hincrby,
  }),
  defineCommand({
    name: 'hincrbyfloat',
    arity: 4,
    flags: ['write', 'denyoom', 'fast'],
    keys: keyAt(1),
    group: 'hash',
    summary: "Increments the floating point value of a field by a number. Uses 0 as initial value if the field doesn't exist.",
    since: '2.6.0',
    complexity: 'O(1)',
    arguments: [KEY_ARG, FIELD_ARG, { name: 'increment', type: 'double' }],
    handler: hincrbyfloat,
  }),
  defineCommand({
    name: 'hrandfield',
    arity: -2,
    flags: ['readonly'],
    keys: keyAt(1),
    group: 'hash',
    summary: 'Returns one or more random fields from a hash.',
    since: '6.2.0',
    complexity: 'O(N) where N is the number of fields returned',
    arguments: [
      KEY_ARG,
      {
        name: 'options',
        type: 'block',
        optional: true,
        arguments: [
          { name: 'count', type: 'integer' },
          { name: 'withvalues', type: 'pure-token', token: 'WITHVALUES', optional: true },
        ],
      },
    ],
    handler: hrandfield,
  }),
  defineCommand({
    name: 'hscan',
    arity: -3,
    flags: ['readonly'],
    keys: keyAt(1),
    group: 'hash',
    summary: 'Iterates over fields and values of a hash.',
    since: '2.8.0',
    complexity:
      'O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.',
    arguments: [
      KEY_ARG,
      { name: 'cursor', type: 'integer' },
      { name: 'pattern', type: 'pattern', token: 'MATCH', optional: true },
      { name: 'count', type: 'integer', token: 'COUNT', optional: true },
    ],
    handler: hscan,
  }),
];
