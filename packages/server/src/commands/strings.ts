import { constants as bufferConstants } from 'node:buffer';
import { INT64_MIN, KEEP_TTL } from '@aki/keyspace';
import { Err } from '../errors.js';
import { absoluteTimeArg, type AbsoluteTime, addToInt64Text, int64Arg, parseInteger } from './args.js';
import { defineCommand, EXPIRY_TOKENS, KEY_ARG, keyAt, keysFrom, tokenChoice, VALUE_ARG } from './define.js';
import { lookupRead } from './keys.js';
import { addFloatText } from './long-double.js';
import type { CommandContext, CommandSpec } from './types.js';

/*
 * String commands. Values are latin1 JS strings (one char per byte).
 *
 * Effects (what AOF and followers receive; nothing when nothing changed):
 *   SET k v [KEEPTTL]           -> SET k v [KEEPTTL]  (NX/XX/GET dropped: the outcome is decided)
 *   SET k v EX|PX|EXAT|PXAT t   -> SET k v PXAT <abs ms>
 *   SETNX, GETSET               -> SET k v
 *   SETEX, PSETEX               -> SET k v PXAT <abs ms>
 *   MSET, MSETNX (when it set)  -> MSET k v ...
 *   GETDEL                      -> DEL k
 *   GETEX EX|PX|EXAT|PXAT       -> PEXPIREAT k <abs ms>, or DEL k when the time is already past
 *   GETEX PERSIST               -> PERSIST k (only when the key had a time to live)
 *   APPEND, SETRANGE            -> themselves (nothing when they change nothing)
 *   INCR, DECR, INCRBY, DECRBY  -> themselves (exact int64 arithmetic is deterministic)
 *   INCRBYFLOAT                 -> SET k <new value> KEEPTTL
 * When the request itself is the effect, the request's argv is reused with its
 * name canonicalised in place (no allocation on the hot path).
 */

/** Largest string V8 can hold; a result beyond it is refused like one beyond proto-max-bulk-len. */
const MAX_JS_STRING_LENGTH = bufferConstants.MAX_STRING_LENGTH;

const ERR_DECREMENT_OVERFLOW = 'ERR decrement would overflow';

// ---------------------------------------------------------------------------
// Option parsing shared by SET and GETEX (Redis's parseExtendedStringArguments).

const OPT_NX = 1;
const OPT_XX = 2;
const OPT_GET = 4;
const OPT_KEEPTTL = 8;
const OPT_EX = 16;
const OPT_PX = 32;
const OPT_EXAT = 64;
const OPT_PXAT = 128;
const OPT_PERSIST = 256;
const OPT_ANY_EXPIRE = OPT_EX | OPT_PX | OPT_EXAT | OPT_PXAT;

/** argv index of the expire value found by the last parseStringOptions call (module scratch: handlers are synchronous). */
let parsedExpireIndex = 0;

/**
 * Parses SET (`forSet`) or GETEX options from argv[start..]. Returns the
 * option bits, or -1 after replying with a syntax error. The grammar is
 * Redis's: NX/XX exclude each other, one expire form at most (repeating the
 * same one is allowed, the last wins), KEEPTTL and PERSIST exclude expire
 * forms, an expire form needs a following argument.
 */
function parseStringOptions(ctx: CommandContext, argv: string[], start: number, forSet: boolean): number {
  let flags = 0;
  const last = argv.length - 1;
  for (let j = start; j <= last; j++) {
    const arg = argv[j]!;
    const opt = arg.length <= 7 ? arg.toUpperCase() : '';
    const hasNext = j < last;
    if (opt === 'NX' && forSet && (flags & OPT_XX) === 0) {
      flags |= OPT_NX;
    } else if (opt === 'XX' && forSet && (flags & OPT_NX) === 0) {
      flags |= OPT_XX;
    } else if (opt === 'GET' && forSet) {
      flags |= OPT_GET;
    } else if (opt === 'KEEPTTL' && forSet && (flags & (OPT_PERSIST | OPT_ANY_EXPIRE)) === 0) {
      flags |= OPT_KEEPTTL;
    } else if (opt === 'PERSIST' && !forSet && (flags & (OPT_KEEPTTL | OPT_ANY_EXPIRE)) === 0) {
      flags |= OPT_PERSIST;
    } else if (opt === 'EX' && hasNext && (flags & (OPT_KEEPTTL | OPT_PERSIST | (OPT_ANY_EXPIRE & ~OPT_EX))) === 0) {
      flags |= OPT_EX;
      parsedExpireIndex = ++j;
    } else if (opt === 'PX' && hasNext && (flags & (OPT_KEEPTTL | OPT_PERSIST | (OPT_ANY_EXPIRE & ~OPT_PX))) === 0) {
      flags |= OPT_PX;
      parsedExpireIndex = ++j;
    } else if (opt === 'EXAT' && hasNext && (flags & (OPT_KEEPTTL | OPT_PERSIST | (OPT_ANY_EXPIRE & ~OPT_EXAT))) === 0) {
      flags |= OPT_EXAT;
      parsedExpireIndex = ++j;
    } else if (opt === 'PXAT' && hasNext && (flags & (OPT_KEEPTTL | OPT_PERSIST | (OPT_ANY_EXPIRE & ~OPT_PXAT))) === 0) {
      flags |= OPT_PXAT;
      parsedExpireIndex = ++j;
    } else {
      ctx.error(Err.syntax);
      return -1;
    }
  }
  return flags;
}


/** The EX/PX/EXAT/PXAT argument of SET or GETEX as an absolute time (positive, as Redis requires). */
const expiryArg = (ctx: CommandContext, text: string, flags: number, command: string): AbsoluteTime | undefined =>
  absoluteTimeArg(ctx, text, unitOf(flags), isRelative(flags) ? ctx.now : 0, command, true);

const unitOf = (flags: number): number => ((flags & (OPT_EX | OPT_EXAT)) !== 0 ? 1000 : 1);
const isRelative = (flags: number): boolean => (flags & (OPT_EX | OPT_PX)) !== 0;

// ---------------------------------------------------------------------------
// GET / SET family

/** GET key -> the value as a bulk string, or null. */
function get(ctx: CommandContext, argv: string[]): void {
  // The value's bytes go from the store straight into the reply (no JS string).
  const db = ctx.db;
  const handle = db.lookupHandle(argv[1]!, ctx.now);
  if (handle === 0) {
    ctx.server.stats.keyspaceMisses++;
    ctx.reply.nullBulk();
    return;
  }
  ctx.server.stats.keyspaceHits++;
  if (!db.holdsString(handle)) return ctx.error(Err.wrongType);
  ctx.reply.bulkFrom(db, handle);
}

/**
 * SET key value [NX | XX] [GET] [EX s | PX ms | EXAT unix-s | PXAT unix-ms | KEEPTTL]
 * -> +OK; null when NX/XX prevented the write; with GET, the old value (or
 * null) instead of +OK.
 */
function set(ctx: CommandContext, argv: string[]): void {
  if (argv.length === 3) {
    ctx.db.set(argv[1]!, argv[2]!, undefined, ctx.now);
    ctx.reply.ok();
    argv[0] = 'SET';
    ctx.propagate(argv);
    return;
  }
  setWithOptions(ctx, argv);
}

function setWithOptions(ctx: CommandContext, argv: string[]): void {
  const flags = parseStringOptions(ctx, argv, 3, true);
  if (flags < 0) return;
  let expireAt: AbsoluteTime | undefined;
  if ((flags & OPT_ANY_EXPIRE) !== 0) {
    expireAt = expiryArg(ctx, argv[parsedExpireIndex]!, flags, 'set');
    if (expireAt === undefined) return;
  }
  const key = argv[1]!;
  const value = argv[2]!;
  const db = ctx.db;
  const wantsOld = (flags & OPT_GET) !== 0;
  let old: string | undefined;
  let found = false;
  if (wantsOld) {
    const current = lookupRead(ctx, key);
    if (current !== undefined && typeof current !== 'string') return ctx.error(Err.wrongType);
    old = current;
    found = old !== undefined;
  } else if ((flags & (OPT_NX | OPT_XX)) !== 0) {
    found = db.has(key, ctx.now);
  }
  if (((flags & OPT_NX) !== 0 && found) || ((flags & OPT_XX) !== 0 && !found)) {
    if (wantsOld && old !== undefined) ctx.reply.bulk(old);
    else ctx.reply.nullBulk();
    return;
  }
  const keepTtl = (flags & OPT_KEEPTTL) !== 0;
  db.set(key, value, expireAt?.ms ?? (keepTtl ? KEEP_TTL : undefined), ctx.now);
  if (!wantsOld) ctx.reply.ok();
  else if (old !== undefined) ctx.reply.bulk(old);
  else ctx.reply.nullBulk();
  if (expireAt !== undefined) ctx.propagate(['SET', key, value, 'PXAT', expireAt.text]);
  else if (keepTtl) ctx.propagate(['SET', key, value, 'KEEPTTL']);
  else ctx.propagate(['SET', key, value]);
}

/** SETNX key value -> 1 when the key was set, 0 when it already existed. */
function setnx(ctx: CommandContext, argv: string[]): void {
  const key = argv[1]!;
  if (ctx.db.has(key, ctx.now)) {
    ctx.reply.integer(0);
    return;
  }
  ctx.db.set(key, argv[2]!, undefined, ctx.now);
  ctx.reply.integer(1);
  ctx.propagate(['SET', key, argv[2]!]);
}

/** SETEX key seconds value / PSETEX key milliseconds value -> +OK. */
function setexGeneric(ctx: CommandContext, argv: string[], unitMs: number, command: string): void {
  const expireAt = absoluteTimeArg(ctx, argv[2]!, unitMs, ctx.now, command, true);
  if (expireAt === undefined) return;
  const key = argv[1]!;
  const value = argv[3]!;
  ctx.db.set(key, value, expireAt.ms, ctx.now);
  ctx.reply.ok();
  ctx.propagate(['SET', key, value, 'PXAT', expireAt.text]);
}

const setex = (ctx: CommandContext, argv: string[]): void => setexGeneric(ctx, argv, 1000, 'setex');
const psetex = (ctx: CommandContext, argv: string[]): void => setexGeneric(ctx, argv, 1, 'psetex');

/** MGET key [key ...] -> an array with each value or null (null for non-strings too). */
function mget(ctx: CommandContext, argv: string[]): void {
  const reply = ctx.reply;
  reply.arrayHeader(argv.length - 1);
  for (let i = 1; i < argv.length; i++) {
    const value = lookupRead(ctx, argv[i]!);
    if (value === undefined || typeof value !== 'string') reply.nullBulk();
    else reply.bulk(value);
  }
}

/** MSET key value [key value ...] -> +OK; clears the keys' times to live. */
function mset(ctx: CommandContext, argv: string[]): void {
  if (argv.length % 2 === 0) return ctx.error(Err.wrongArity('mset'));
  const db = ctx.db;
  for (let i = 1; i < argv.length; i += 2) db.set(argv[i]!, argv[i + 1]!, undefined, ctx.now);
  ctx.reply.ok();
  argv[0] = 'MSET';
  ctx.propagate(argv);
}

/** MSETNX key value [key value ...] -> 1 when all were set, 0 (nothing set) when any key exists. */
function msetnx(ctx: CommandContext, argv: string[]): void {
  if (argv.length % 2 === 0) return ctx.error(Err.wrongArity('msetnx'));
  const db = ctx.db;
  const now = ctx.now;
  for (let i = 1; i < argv.length; i += 2) {
    if (db.has(argv[i]!, now)) {
      ctx.reply.integer(0);
      return;
    }
  }
  for (let i = 1; i < argv.length; i += 2) db.set(argv[i]!, argv[i + 1]!, undefined, ctx.now);
  ctx.reply.integer(1);
  argv[0] = 'MSET';
  ctx.propagate(argv);
}

/** GETSET key value -> the old value or null; sets the new one and clears the time to live. */
function getset(ctx: CommandContext, argv: string[]): void {
  const key = argv[1]!;
  const old = lookupRead(ctx, key);
  if (old !== undefined && typeof old !== 'string') return ctx.error(Err.wrongType);
  ctx.db.set(key, argv[2]!, undefined, ctx.now);
  if (old === undefined) ctx.reply.nullBulk();
  else ctx.reply.bulk(old);
  ctx.propagate(['SET', key, argv[2]!]);
}

/** GETDEL key -> the value (then deleted) or null. */
function getdel(ctx: CommandContext, argv: string[]): void {
  const key = argv[1]!;
  const value = lookupRead(ctx, key);
  if (value === undefined) return ctx.reply.nullBulk();
  if (typeof value !== 'string') return ctx.error(Err.wrongType);
  ctx.db.delete(key, ctx.now);
  ctx.reply.bulk(value);
  ctx.propagate(['DEL', key]);
}

/**
 * GETEX key [EX s | PX ms | EXAT unix-s | PXAT unix-ms | PERSIST] -> the value
 * or null, then changes the time to live. An absolute time already past
 * deletes the key (except while loading, as Redis). A missing key replies
 * null before the expire value is validated (Redis's order).
 */
function getex(ctx: CommandContext, argv: string[]): void {
  const flags = parseStringOptions(ctx, argv, 2, false);
  if (flags < 0) return;
  const key = argv[1]!;
  const value = lookupRead(ctx, key);
  if (value === undefined) return ctx.reply.nullBulk();
  if (typeof value !== 'string') return ctx.error(Err.wrongType);
  let expireAt: AbsoluteTime | undefined;
  if ((flags & OPT_ANY_EXPIRE) !== 0) {
    expireAt = expiryArg(ctx, argv[parsedExpireIndex]!, flags, 'getex');
    if (expireAt === undefined) return;
  }
  ctx.reply.bulk(value);
  const db = ctx.db;
  if (expireAt !== undefined) {
    if (expireAt.ms <= ctx.now && !ctx.server.loading) {
      db.delete(key, ctx.now);
      ctx.propagate(['DEL', key]);
    } else {
      db.setExpireAt(key, expireAt.ms);
      ctx.propagate(['PEXPIREAT', key, expireAt.text]);
    }
  } else if ((flags & OPT_PERSIST) !== 0 && db.persist(key)) {
    ctx.propagate(['PERSIST', key]);
  }
}

// ---------------------------------------------------------------------------
// Byte-range commands

/** Replies "string exceeds maximum allowed size" when a result of `length` bytes is too long; returns true if so. */
function refuseLength(ctx: CommandContext, length: number): boolean {
  if (length > ctx.server.config.get('proto-max-bulk-len') || length > MAX_JS_STRING_LENGTH) {
    ctx.error(Err.stringTooLong);
    return true;
  }
  return false;
}

/**
 * APPEND key value -> the new length; creates the key when missing, keeps the
 * time to live. An empty value on an existing key changes nothing but still
 * counts as a write, as in Redis (propagated, invalidates WATCH).
 */
function append(ctx: CommandContext, argv: string[]): void {
  const key = argv[1]!;
  const suffix = argv[2]!;
  const db = ctx.db;
  const old = db.lookup(key, ctx.now);
  if (old === undefined) {
    db.set(key, suffix, undefined, ctx.now);
    ctx.reply.integer(suffix.length);
  } else {
    if (typeof old !== 'string') return ctx.error(Err.wrongType);
    if (refuseLength(ctx, old.length + suffix.length)) return;
    ctx.reply.integer(old.length + suffix.length);
    if (suffix.length !== 0) db.replaceValue(key, old + suffix, ctx.now, true);
  }
  argv[0] = 'APPEND';
  ctx.propagate(argv);
}

/** STRLEN key -> the length in bytes (0 when missing). */
function strlen(ctx: CommandContext, argv: string[]): void {
  const value = lookupRead(ctx, argv[1]!);
  if (value === undefined) return ctx.reply.integer(0);
  if (typeof value !== 'string') return ctx.error(Err.wrongType);
  ctx.reply.integer(value.length);
}

/**
 * GETRANGE key start end (and its old name SUBSTR) -> the bytes from start to
 * end inclusive; negative indexes count from the end; "" when missing or
 * empty. Reproduces Redis 7.0's clamping, e.g. `GETRANGE "hello" 0 -100` is "h".
 */
function getrange(ctx: CommandContext, argv: string[]): void {
  let start = parseInteger(argv[2]!);
  if (start === undefined) return ctx.error(Err.notInteger);
  let end = parseInteger(argv[3]!);
  if (end === undefined) return ctx.error(Err.notInteger);
  const value = lookupRead(ctx, argv[1]!);
  if (value === undefined) return ctx.reply.bulk('');
  if (typeof value !== 'string') return ctx.error(Err.wrongType);
  const length = value.length;
  if (start < 0 && end < 0 && start > end) return ctx.reply.bulk('');
  if (start < 0) start = length + start;
  if (end < 0) end = length + end;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= length) end = length - 1;
  if (start > end || length === 0) return ctx.reply.bulk('');
  ctx.reply.bulk(value.slice(start, end + 1));
}

/**
 * SETRANGE key offset value -> the new length. Overwrites from `offset`,
 * padding with zero bytes; an empty value changes nothing (and creates
 * nothing). Keeps the time to live.
 */
function setrange(ctx: CommandContext, argv: string[]): void {
  const offset = parseInteger(argv[2]!);
  if (offset === undefined) return ctx.error(Err.notInteger);
  if (offset < 0) return ctx.error(Err.offsetOutOfRange);
  const key = argv[1]!;
  const patch = argv[3]!;
  const db = ctx.db;
  const old = db.lookup(key, ctx.now);
  if (old === undefined) {
    if (patch.length === 0) return ctx.reply.integer(0);
    if (refuseLength(ctx, offset + patch.length)) return;
    db.set(key, '\0'.repeat(offset) + patch, undefined, ctx.now, true);
    ctx.reply.integer(offset + patch.length);
  } else {
    if (typeof old !== 'string') return ctx.error(Err.wrongType);
    if (patch.length === 0) return ctx.reply.integer(old.length);
    if (refuseLength(ctx, offset + patch.length)) return;
    const head = old.length >= offset ? old.slice(0, offset) : old + '\0'.repeat(offset - old.length);
    const updated = head + patch + old.slice(offset + patch.length);
    db.replaceValue(key, updated, ctx.now, true);
    ctx.reply.integer(updated.length);
  }
  argv[0] = 'SETRANGE';
  ctx.propagate(argv);
}

// ---------------------------------------------------------------------------
// Integer counters

/**
 * Adds `by` (a safe integer, or a bigint when it is not) to the int64 stored at
 * argv[1] (0 when missing), with Redis's overflow error. Replies the new value
 * and propagates argv (renamed to `name`). The common case stays in doubles;
 * BigInt is used only beyond 2^53.
 */
function incrementBy(ctx: CommandContext, argv: string[], name: string, by: number | bigint): void {
  const key = argv[1]!;
  const db = ctx.db;
  const old = db.lookup(key, ctx.now);
  let result: number | bigint | undefined = by;
  if (old !== undefined) {
    if (typeof old !== 'string') return ctx.error(Err.wrongType);
    result = addToInt64Text(ctx, old, by, Err.notInteger);
    if (result === undefined) return;
  }
  const text = String(result);
  if (old === undefined) db.set(key, text, undefined, ctx.now);
  else db.replaceValue(key, text, ctx.now);
  ctx.reply.integer(result);
  argv[0] = name;
  ctx.propagate(argv);
}

/** INCR key -> the incremented value. */
const incr = (ctx: CommandContext, argv: string[]): void => incrementBy(ctx, argv, 'INCR', 1);

/** DECR key -> the decremented value. */
const decr = (ctx: CommandContext, argv: string[]): void => incrementBy(ctx, argv, 'DECR', -1);

/** INCRBY key increment -> the new value. */
function incrby(ctx: CommandContext, argv: string[]): void {
  const by = int64Arg(ctx, argv[2]!);
  if (by !== undefined) incrementBy(ctx, argv, 'INCRBY', by);
}

/** DECRBY key decrement -> the new value; decrementing by INT64_MIN is refused (its negation overflows). */
function decrby(ctx: CommandContext, argv: string[]): void {
  const by = int64Arg(ctx, argv[2]!);
  if (by === undefined) return;
  if (by === INT64_MIN) return ctx.error(ERR_DECREMENT_OVERFLOW);
  incrementBy(ctx, argv, 'DECRBY', by === 0 ? 0 : -by);
}


/** INCRBYFLOAT key increment -> the new value as a bulk string; keeps the time to live. */
function incrbyfloat(ctx: CommandContext, argv: string[]): void {
  const key = argv[1]!;
  const db = ctx.db;
  const old = db.lookup(key, ctx.now);
  if (old !== undefined && typeof old !== 'string') return ctx.error(Err.wrongType);
  const outcome = addFloatText(old, argv[2]!);
  if (!outcome.ok) return ctx.error(outcome.error);
  if (old === undefined) db.set(key, outcome.value, undefined, ctx.now);
  else db.replaceValue(key, outcome.value, ctx.now);
  ctx.reply.bulk(outcome.value);
  ctx.propagate(['SET', key, outcome.value, 'KEEPTTL']);
}

// ---------------------------------------------------------------------------
// The records


export const stringCommands: CommandSpec[] = [
  defineCommand({
    name: 'get',
    arity: 2,
    flags: ['readonly', 'fast'],
    keys: keyAt(1),
    group: 'string',
    summary: 'Returns the string value of a key.',
    since: '1.0.0',
    complexity: 'O(1)',
    arguments: [KEY_ARG],
    handler: get,
  }),
  defineCommand({
    name: 'set',
    arity: -3,
    flags: ['write', 'denyoom'],
    keys: keyAt(1),
    group: 'string',
    summary: 'Sets the string value of a key, with optional conditions and time to live.',
    since: '1.0.0',
    complexity: 'O(1)',
    arguments: [
      KEY_ARG,
      VALUE_ARG,
      tokenChoice('condition', ['NX', 'XX'], { optional: true }),
      { name: 'get', type: 'pure-token', token: 'GET', optional: true },
      {
        name: 'expiration',
        type: 'oneof',
        optional: true,
        arguments: [
          ...EXPIRY_TOKENS,
          { name: 'keepttl', type: 'pure-token', token: 'KEEPTTL' },
        ],
      },
    ],
    handler: set,
  }),
  defineCommand({
    name: 'setnx',
    arity: 3,
    flags: ['write', 'denyoom', 'fast'],
    keys: keyAt(1),
    group: 'string',
    summary: 'Sets the string value of a key only when the key does not exist.',
    since: '1.0.0',
    complexity: 'O(1)',
    arguments: [KEY_ARG, VALUE_ARG],
    handler: setnx,
  }),
  defineCommand({
    name: 'setex',
    arity: 4,
    flags: ['write', 'denyoom'],
    keys: keyAt(1),
    group: 'string',
    summary: 'Sets the string value and the time to live in seconds of a key.',
    since: '2.0.0',
    complexity: 'O(1)',
    arguments: [KEY_ARG, { name: 'seconds', type: 'integer' }, VALUE_ARG],
    handler: setex,
  }),
  defineCommand({
    name: 'psetex',
    arity: 4,
    flags: ['write', 'denyoom'],
    keys: keyAt(1),
    group: 'string',
    summary: 'Sets the string value and the time to live in milliseconds of a key.',
    since: '2.6.0',
    complexity: 'O(1)',
    arguments: [KEY_ARG, { name: 'milliseconds', type: 'integer' }, VALUE_ARG],
    handler: psetex,
  }),
  defineCommand({
    name: 'mget',
    arity: -2,
    flags: ['readonly', 'fast'],
    keys: keysFrom(1),
    group: 'string',
    summary: 'Returns the string values of several keys.',
    since: '1.0.0',
    complexity: 'O(N) where N is the number of keys',
    arguments: [{ ...KEY_ARG, multiple: true }],
    handler: mget,
  }),
  defineCommand({
    name: 'mset',
    arity: -3,
    flags: ['write', 'denyoom'],
    keys: keysFrom(1, 2),
    group: 'string',
    summary: 'Sets the string values of several keys.',
    since: '1.0.1',
    complexity: 'O(N) where N is the number of keys',
    arguments: [{ name: 'data', type: 'block', multiple: true, arguments: [KEY_ARG, VALUE_ARG] }],
    handler: mset,
  }),
  defineCommand({
    name: 'msetnx',
    arity: -3,
    flags: ['write', 'denyoom'],
    keys: keysFrom(1, 2),
    group: 'string',
    summary: 'Sets the string values of several keys only when none of them exists.',
    since: '1.0.1',
    complexity: 'O(N) where N is the number of keys',
    arguments: [{ name: 'data', type: 'block', multiple: true, arguments: [KEY_ARG, VALUE_ARG] }],
    handler: msetnx,
  }),
  defineCommand({
    name: 'getset',
    arity: 3,
    flags: ['write', 'denyoom', 'fast'],
    keys: keyAt(1),
    group: 'string',
    summary: 'Sets the string value of a key and returns its previous value (deprecated: SET ... GET).',
    since: '1.0.0',
    complexity: 'O(1)',
    arguments: [KEY_ARG, VALUE_ARG],
    handler: getset,
  }),
  defineCommand({
    name: 'getdel',
    arity: 2,
    flags: ['write', 'fast'],
    keys: keyAt(1),
    group: 'string',
    summary: 'Returns the string value of a key and deletes the key.',
    since: '6.2.0',
    complexity: 'O(1)',
    arguments: [KEY_ARG],
    handler: getdel,
  }),
  defineCommand({
    name: 'getex',
    arity: -2,
    flags: ['write', 'fast'],
    keys: keyAt(1),
    group: 'string',
    summary: 'Returns the string value of a key and changes or removes its time to live.',
    since: '6.2.0',
    complexity: 'O(1)',
    arguments: [
      KEY_ARG,
      {
        name: 'expiration',
        type: 'oneof',
        optional: true,
        arguments: [
          ...EXPIRY_TOKENS,
          { name: 'persist', type: 'pure-token', token: 'PERSIST' },
        ],
      },
    ],
    handler: getex,
  }),
  defineCommand({
    name: 'append',
    arity: 3,
    flags: ['write', 'denyoom', 'fast'],
    keys: keyAt(1),
    group: 'string',
    summary: 'Appends bytes to the string value of a key, creating the key when missing.',
    since: '2.0.0',
    complexity: 'O(1) amortized for small appends',
    arguments: [KEY_ARG, VALUE_ARG],
    handler: append,
  }),
  defineCommand({
    name: 'strlen',
    arity: 2,
    flags: ['readonly', 'fast'],
    keys: keyAt(1),
    group: 'string',
    summary: 'Returns the length in bytes of the string value of a key.',
    since: '2.2.0',
    complexity: 'O(1)',
    arguments: [KEY_ARG],
    handler: strlen,
  }),
  defineCommand({
    name: 'getrange',
    arity: 4,
    flags: ['readonly'],
    keys: keyAt(1),
    group: 'string',
    summary: 'Returns a byte range of the string value of a key.',
    since: '2.4.0',
    complexity: 'O(N) where N is the length of the returned range',
    arguments: [KEY_ARG, { name: 'start', type: 'integer' }, { name: 'end', type: 'integer' }],
    handler: getrange,
  }),
  defineCommand({
    name: 'substr',
    arity: 4,
    flags: ['readonly'],
    keys: keyAt(1),
    group: 'string',
    summary: 'Returns a byte range of the string value of a key (deprecated: GETRANGE).',
    since: '1.0.0',
    complexity: 'O(N) where N is the length of the returned range',
    arguments: [KEY_ARG, { name: 'start', type: 'integer' }, { name: 'end', type: 'integer' }],
    handler: getrange,
  }),
  defineCommand({
    name: 'setrange',
    arity: 4,
    flags: ['write', 'denyoom'],
    keys: keyAt(1),
    group: 'string',
    summary: 'Overwrites part of the string value of a key from an offset, padding with zero bytes.',
    since: '2.2.0',
    complexity: 'O(M) where M is the length of the value argument, plus the copy of the string',
    arguments: [KEY_ARG, { name: 'offset', type: 'integer' }, VALUE_ARG],
    handler: setrange,
  }),
  defineCommand({
    name: 'incr',
    arity: 2,
    flags: ['write', 'denyoom', 'fast'],
    keys: keyAt(1),
    group: 'string',
    summary: 'Adds one to the integer value of a key (0 when missing).',
    since: '1.0.0',
    complexity: 'O(1)',
    arguments: [KEY_ARG],
    handler: incr,
  }),
  defineCommand({
    name: 'decr',
    arity: 2,
    flags: ['write', 'denyoom', 'fast'],
    keys: keyAt(1),
    group: 'string',
    summary: 'Subtracts one from the integer value of a key (0 when missing).',
    since: '1.0.0',
    complexity: 'O(1)',
    arguments: [KEY_ARG],
    handler: decr,
  }),
  defineCommand({
    name: 'incrby',
    arity: 3,
    flags: ['write', 'denyoom', 'fast'],
    keys: keyAt(1),
    group: 'string',
    summary: 'Adds an amount to the integer value of a key (0 when missing).',
    since: '1.0.0',
    complexity: 'O(1)',
    arguments: [KEY_ARG, { name: 'increment', type: 'integer' }],
    handler: incrby,
  }),
  defineCommand({
    name: 'decrby',
    arity: 3,
    flags: ['write', 'denyoom', 'fast'],
    keys: keyAt(1),
    group: 'string',
    summary: 'Subtracts an amount from the integer value of a key (0 when missing).',
    since: '1.0.0',
    complexity: 'O(1)',
    arguments: [KEY_ARG, { name: 'decrement', type: 'integer' }],
    handler: decrby,
  }),
  defineCommand({
    name: 'incrbyfloat',
    arity: 3,
    flags: ['write', 'denyoom', 'fast'],
    keys: keyAt(1),
    group: 'string',
    summary: 'Adds a floating point amount to the numeric value of a key (0 when missing).',
    since: '2.6.0',
    complexity: 'O(1)',
    arguments: [KEY_ARG, { name: 'increment', type: 'double' }],
    handler: incrbyfloat,
  }),
];
