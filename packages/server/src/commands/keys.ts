import {
  INT64_MAX,
  INT64_MIN,
  compileGlob,
  parseSafeInteger,
  stringEncoding,
  typeOf,
  type StoredValue,
} from '@aki/keyspace';
import { encodingLimitsOf } from '../encoding-limits.js';
import { Err } from '../errors.js';
import { absoluteTimeArg, dbIndexArg, int32Arg, isOption, parseInteger } from './args.js';
import { defineCommand, KEY_ARG, keyAt, keyRange, KEYS_ARG, keysFrom, tokenChoice } from './define.js';
import { effectOfActedOn } from './partial-effect.js';
import { ERR_INVALID_CURSOR, parseCursor, replyScanPage } from './scan-args.js';
import type { ArgumentDoc, CommandContext, CommandSpec } from './types.js';

/*
 * Generic keyspace commands.
 *
 * Effects (nothing is propagated when nothing changed):
 *   DEL, UNLINK            -> DEL with only the keys actually removed
 *   EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT
 *                          -> PEXPIREAT key <abs ms>, or DEL key when the time is already past
 *   PERSIST                -> PERSIST key (only when a time to live was removed)
 *   RENAME, RENAMENX       -> themselves (not for a same-name rename, which changes nothing)
 *   COPY, MOVE, SWAPDB     -> themselves
 *   FLUSHDB, FLUSHALL      -> FLUSHDB / FLUSHALL without ASYNC|SYNC (the freeing strategy
 *                             is not part of the effect)
 * Exception, as in Redis: SWAPDB (even of a database with itself) and FLUSHDB /
 * FLUSHALL (even of empty databases) are always propagated. They are cheap,
 * idempotent, and a follower may hold keys its leader no longer has.
 * Reads that find a logically expired key delete it, which the keyspace
 * reports as a DEL effect of its own.
 */

const ERR_NX_XX_GT_LT = 'ERR NX and XX, GT or LT options at the same time are not compatible';
const ERR_GT_LT = 'ERR GT and LT options at the same time are not compatible';
const ERR_INVALID_FIRST_DB = 'ERR invalid first DB index';
const ERR_INVALID_SECOND_DB = 'ERR invalid second DB index';
const ERR_LFU_NOT_SELECTED =
  'ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.';
const ERR_LFU_SELECTED =
  'ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.';
/** aki keeps a per-key access time but no LFU counter. */
const ERR_FREQ_NOT_TRACKED = 'ERR access frequency is not tracked by this server';

const unsupportedOption = (option: string): string => `ERR Unsupported option ${option.replace(/[\r\n]/g, ' ')}`;

/** Redis's OBJ_SHARED_REFCOUNT: the refcount OBJECT REFCOUNT shows for shared objects. */
const SHARED_REFCOUNT = 2147483647;
/** Integers 0..9999 are shared objects in Redis (OBJ_SHARED_INTEGERS). */
const SHARED_INTEGERS = 10000;

/**
 * A read lookup (honours expiry) that counts keyspace_hits / keyspace_misses,
 * as Redis's lookupKeyRead does. Write-path lookups use `db.lookup`/`db.has`
 * directly and count nothing.
 */
export function lookupRead(ctx: CommandContext, key: string, touch = true): StoredValue | undefined {
  const value = touch ? ctx.db.lookup(key, ctx.now) : ctx.db.lookupWithoutTouch(key, ctx.now);
  if (value === undefined) ctx.server.stats.keyspaceMisses++;
  else ctx.server.stats.keyspaceHits++;
  return value;
}

/** Replies an integer that may exceed 2^53 (huge expire times), clamped to int64. */
function replyInt64(ctx: CommandContext, n: number): void {
  if (Number.isSafeInteger(n)) return ctx.reply.integer(n);
  let big = BigInt(Math.trunc(n));
  if (big > INT64_MAX) big = INT64_MAX;
  if (big < INT64_MIN) big = INT64_MIN;
  ctx.reply.integer(big);
}


// ---------------------------------------------------------------------------
// DEL, EXISTS, TYPE, TOUCH

/**
 * DEL key [key ...] / UNLINK key [key ...] -> the number of keys removed.
 * Propagated as DEL of only the removed keys (the request's argv itself when
 * all were removed).
 */
function del(ctx: CommandContext, argv: string[]): void {
  const db = ctx.db;
  const now = ctx.now;
  const effect = effectOfActedOn(argv, 1, 'DEL', (key) => db.delete(key, now));
  ctx.reply.integer(effect === undefined ? 0 : effect.length - 1);
  if (effect !== undefined) ctx.propagate(effect);
}

/** Counts the existing keys among argv[1..] (a key named twice counts twice). */
function countExisting(ctx: CommandContext, argv: string[], touch: boolean): number {
  let count = 0;
  for (let i = 1; i < argv.length; i++) if (lookupRead(ctx, argv[i]!, touch) !== undefined) count++;
  return count;
}

/** EXISTS key [key ...] -> how many of the keys exist; not an access (OBJECT IDLETIME unchanged). */
function exists(ctx: CommandContext, argv: string[]): void {
  ctx.reply.integer(countExisting(ctx, argv, false));
}

/** TOUCH key [key ...] -> how many of the keys exist; refreshes each key's access time. */
function touch(ctx: CommandContext, argv: string[]): void {
  ctx.reply.integer(countExisting(ctx, argv, true));
}

/** TYPE key -> +string, +list, ... or +none. Not an access. */
function type(ctx: CommandContext, argv: string[]): void {
  const value = lookupRead(ctx, argv[1]!, false);
  ctx.reply.simple(value === undefined ? 'none' : typeOf(value));
}

// ---------------------------------------------------------------------------
// Expiry

const EXPIRE_NX = 1;
const EXPIRE_XX = 2;
const EXPIRE_GT = 4;
const EXPIRE_LT = 8;

/**
 * EXPIRE key seconds [NX|XX|GT|LT], PEXPIRE key ms ..., EXPIREAT key unix-s ...,
 * PEXPIREAT key unix-ms ... -> 1 when the time to live was set (or the key
 * deleted because the time is past), 0 when the key is missing or a condition
 * failed. Options are checked first, then the number, then overflow (Redis's
 * order, so a bad number is reported even for a missing key). GT treats "no
 * time to live" as infinite (never greater); LT succeeds on a key without one.
 */
function expireGeneric(ctx: CommandContext, argv: string[], unitMs: number, relative: boolean, command: string): void {
  let flags = 0;
  for (let i = 3; i < argv.length; i++) {
    const option = argv[i]!;
    if (isOption(option, 'NX')) flags |= EXPIRE_NX;
    else if (isOption(option, 'XX')) flags |= EXPIRE_XX;
    else if (isOption(option, 'GT')) flags |= EXPIRE_GT;
    else if (isOption(option, 'LT')) flags |= EXPIRE_LT;
    else return ctx.error(unsupportedOption(option));
  }
  if ((flags & EXPIRE_NX) !== 0 && (flags & (EXPIRE_XX | EXPIRE_GT | EXPIRE_LT)) !== 0) return ctx.error(ERR_NX_XX_GT_LT);
  if ((flags & EXPIRE_GT) !== 0 && (flags & EXPIRE_LT) !== 0) return ctx.error(ERR_GT_LT);

  const now = ctx.now;
  const resolved = absoluteTimeArg(ctx, argv[2]!, unitMs, relative ? now : 0, command, false);
  if (resolved === undefined) return;
  const when = resolved.ms;
  const key = argv[1]!;
  const db = ctx.db;
  if (!db.has(key, now)) return ctx.reply.integer(0);
  if (flags !== 0) {
    const current = db.getExpireAt(key);
    if ((flags & EXPIRE_NX) !== 0 && current !== undefined) return ctx.reply.integer(0);
    if ((flags & EXPIRE_XX) !== 0 && current === undefined) return ctx.reply.integer(0);
    if ((flags & EXPIRE_GT) !== 0 && (current === undefined || when <= current)) return ctx.reply.integer(0);
    if ((flags & EXPIRE_LT) !== 0 && current !== undefined && when >= current) return ctx.reply.integer(0);
  }
  if (when <= now && !ctx.server.loading) {
    db.delete(key, now);
    ctx.reply.integer(1);
    ctx.propagate(['DEL', key]);
    return;
  }
  db.setExpireAt(key, when);
  ctx.reply.integer(1);
  ctx.propagate(['PEXPIREAT', key, resolved.text]);
}

const expire = (ctx: CommandContext, argv: string[]): void => expireGeneric(ctx, argv, 1000, true, 'expire');
const pexpire = (ctx: CommandContext, argv: string[]): void => expireGeneric(ctx, argv, 1, true, 'pexpire');
const expireat = (ctx: CommandContext, argv: string[]): void => expireGeneric(ctx, argv, 1000, false, 'expireat');
const pexpireat = (ctx: CommandContext, argv: string[]): void => expireGeneric(ctx, argv, 1, false, 'pexpireat');

/**
 * TTL / PTTL / EXPIRETIME / PEXPIRETIME key -> the remaining (or absolute)
 * time to live in seconds or ms; -1 without one, -2 when the key is missing.
 * Seconds are rounded to nearest, as Redis ((ms + 500) / 1000).
 */
function ttlGeneric(ctx: CommandContext, argv: string[], inMs: boolean, absolute: boolean): void {
  const key = argv[1]!;
  if (lookupRead(ctx, key, false) === undefined) return ctx.reply.integer(-2);
  const expireAt = ctx.db.getExpireAt(key);
  if (expireAt === undefined) return ctx.reply.integer(-1);
  let ttl = absolute ? expireAt : expireAt - ctx.now;
  if (ttl < 0) ttl = 0;
  replyInt64(ctx, inMs ? ttl : Math.floor((ttl + 500) / 1000));
}

const ttl = (ctx: CommandContext, argv: string[]): void => ttlGeneric(ctx, argv, false, false);
const pttl = (ctx: CommandContext, argv: string[]): void => ttlGeneric(ctx, argv, true, false);
const expiretime = (ctx: CommandContext, argv: string[]): void => ttlGeneric(ctx, argv, false, true);
const pexpiretime = (ctx: CommandContext, argv: string[]): void => ttlGeneric(ctx, argv, true, true);

/** PERSIST key -> 1 when a time to live was removed, 0 otherwise. */
function persist(ctx: CommandContext, argv: string[]): void {
  const key = argv[1]!;
  if (!ctx.db.has(key, ctx.now) || !ctx.db.persist(key)) return ctx.reply.integer(0);
  ctx.reply.integer(1);
  argv[0] = 'PERSIST';
  ctx.propagate(argv);
}

// ---------------------------------------------------------------------------
// Iteration

/**
 * KEYS_ARG pattern -> every live key matching the glob pattern. Logically expired
 * keys are skipped but not deleted here (Redis 7.0 does the same). The exact
 * pattern "*" matches every key, the empty key included.
 */
function keys(ctx: CommandContext, argv: string[]): void {
  const pattern = argv[1]!;
  const match = pattern === '*' ? undefined : compileGlob(pattern);
  const db = ctx.db;
  const now = ctx.now;
  const found: string[] = [];
  for (const key of db.keys()) {
    if (match !== undefined && !match(key)) continue;
    const expireAt = db.getExpireAt(key);
    if (expireAt !== undefined && expireAt <= now) continue;
    found.push(key);
  }
  const reply = ctx.reply;
  reply.arrayHeader(found.length);
  for (const key of found) reply.bulk(key);
}

/**
 * SCAN cursor [MATCH pattern] [COUNT count] [TYPE type] -> [next cursor, keys].
 * COUNT below 1 is a syntax error; TYPE compares case-insensitively and an
 * unknown type simply matches nothing (Redis 7.0).
 */
function scan(ctx: CommandContext, argv: string[]): void {
  const cursor = parseCursor(argv[1]!);
  if (cursor === undefined) return ctx.error(ERR_INVALID_CURSOR);
  let count = 10;
  let pattern: string | undefined;
  let typeName: string | undefined;
  for (let i = 2; i < argv.length; i += 2) {
    const option = argv[i]!;
    const hasValue = i + 1 < argv.length;
    if (isOption(option, 'COUNT') && hasValue) {
      const n = parseInteger(argv[i + 1]!);
      if (n === undefined) return ctx.error(Err.notInteger);
      if (n < 1) return ctx.error(Err.syntax);
      count = n;
    } else if (isOption(option, 'MATCH') && hasValue) {
      pattern = argv[i + 1]!;
    } else if (isOption(option, 'TYPE') && hasValue) {
      typeName = argv[i + 1]!.toLowerCase();
    } else {
      return ctx.error(Err.syntax);
    }
  }
  const match = pattern === undefined || pattern === '*' ? undefined : compileGlob(pattern);
  const page = ctx.db.scan(cursor, { count, match, type: typeName }, ctx.now);
  replyScanPage(ctx, page.cursor, page.keys);
}

/**
 * RANDOMKEY -> a random live key, or null when the database is empty. Like
 * Redis on a replica, it may return a logically expired key when it finds
 * nothing else after several rounds.
 */
function randomkey(ctx: CommandContext): void {
  const db = ctx.db;
  const now = ctx.now;
  let key = db.randomKey(now);
  for (let round = 0; round < 16 && key !== undefined && !db.has(key, now); round++) key = db.randomKey(now);
  if (key === undefined) ctx.reply.nullBulk();
  else ctx.reply.bulk(key);
}

/** DBSIZE -> the number of keys in the selected database (expired ones not yet removed included, as Redis). */
function dbsize(ctx: CommandContext): void {
  ctx.reply.integer(ctx.db.size);
}

// ---------------------------------------------------------------------------
// Renaming, copying, moving

/**
 * RENAME key newkey -> +OK; RENAMENX key newkey -> 1, or 0 when newkey exists.
 * A missing key is "ERR no such key"; renaming a key to itself changes nothing
 * (+OK / 0). The time to live moves with the value.
 */
function renameGeneric(ctx: CommandContext, argv: string[], nx: boolean): void {
  const source = argv[1]!;
  const target = argv[2]!;
  const db = ctx.db;
  const now = ctx.now;
  const value = db.lookup(source, now);
  if (value === undefined) return ctx.error(Err.noSuchKey);
  if (source === target) return nx ? ctx.reply.integer(0) : ctx.reply.ok();
  if (nx && db.has(target, now)) return ctx.reply.integer(0);
  const expireAt = db.getExpireAt(source);
  const raw = db.isRawEncoded(source);
  db.delete(source, now);
  db.set(target, value, expireAt, now, raw);
  if (nx) ctx.reply.integer(1);
  else ctx.reply.ok();
  argv[0] = nx ? 'RENAMENX' : 'RENAME';
  ctx.propagate(argv);
}

const rename = (ctx: CommandContext, argv: string[]): void => renameGeneric(ctx, argv, false);
const renamenx = (ctx: CommandContext, argv: string[]): void => renameGeneric(ctx, argv, true);

/**
 * COPY source destination [DB index] [REPLACE] -> 1 when copied, 0 when the
 * source is missing or the destination exists without REPLACE. The time to
 * live is copied too. Strings are immutable and shared; collections are
 * mutable and deep-copied.
 */
function copy(ctx: CommandContext, argv: string[]): void {
  let replace = false;
  let targetIndex = ctx.client.dbIndex;
  for (let i = 3; i < argv.length; i++) {
    const option = argv[i]!;
    if (isOption(option, 'REPLACE')) {
      replace = true;
    } else if (isOption(option, 'DB') && i + 1 < argv.length) {
      const index = dbIndexArg(ctx, argv[++i]!);
      if (index === undefined) return;
      targetIndex = index;
    } else {
      return ctx.error(Err.syntax);
    }
  }
  const source = argv[1]!;
  const destination = argv[2]!;
  if (targetIndex === ctx.client.dbIndex && source === destination) return ctx.error(Err.sameObject);
  const value = lookupRead(ctx, source);
  if (value === undefined) return ctx.reply.integer(0);
  const expireAt = ctx.db.getExpireAt(source);
  const target = ctx.server.keyspace.db(targetIndex);
  if (!replace && target.has(destination, ctx.now)) return ctx.reply.integer(0);
  const copied = typeof value === 'string' ? value : value.clone();
  target.set(destination, copied, expireAt, ctx.now, ctx.db.isRawEncoded(source));
  ctx.reply.integer(1);
  argv[0] = 'COPY';
  ctx.propagate(argv);
}

/** MOVE key db -> 1 when moved, 0 when the key is missing or exists in the target database. */
function move(ctx: CommandContext, argv: string[]): void {
  const targetIndex = dbIndexArg(ctx, argv[2]!);
  if (targetIndex === undefined) return;
  if (targetIndex === ctx.client.dbIndex) return ctx.error(Err.sameObject);
  const key = argv[1]!;
  const db = ctx.db;
  const now = ctx.now;
  const value = db.lookup(key, now);
  if (value === undefined) return ctx.reply.integer(0);
  const target = ctx.server.keyspace.db(targetIndex);
  if (target.has(key, now)) return ctx.reply.integer(0);
  const expireAt = db.getExpireAt(key);
  const raw = db.isRawEncoded(key);
  db.delete(key, now);
  target.set(key, value, expireAt, now, raw);
  ctx.reply.integer(1);
  argv[0] = 'MOVE';
  ctx.propagate(argv);
}

/** SWAPDB index1 index2 -> +OK; every client sees the other database's contents at once. */
function swapdb(ctx: CommandContext, argv: string[]): void {
  const first = int32Arg(ctx, argv[1]!, ERR_INVALID_FIRST_DB);
  if (first === undefined) return;
  const second = int32Arg(ctx, argv[2]!, ERR_INVALID_SECOND_DB);
  if (second === undefined) return;
  const count = ctx.server.keyspace.databases.length;
  if (first < 0 || first >= count || second < 0 || second >= count) return ctx.error(Err.dbIndexOutOfRange);
  if (first !== second) {
    ctx.server.watches.databaseWillChange(first, ctx.now, second);
    ctx.server.watches.databaseWillChange(second, ctx.now, first);
  }
  ctx.server.keyspace.swap(first, second);
  ctx.reply.ok();
  argv[0] = 'SWAPDB';
  ctx.propagate(argv);
}

/** Validates FLUSHDB/FLUSHALL's optional ASYNC|SYNC; replies a syntax error and returns false otherwise. */
function flushOptionOk(ctx: CommandContext, argv: string[]): boolean {
  if (argv.length === 1) return true;
  if (argv.length === 2 && (isOption(argv[1]!, 'ASYNC') || isOption(argv[1]!, 'SYNC'))) return true;
  ctx.error(Err.syntax);
  return false;
}

/** FLUSHDB [ASYNC|SYNC] -> +OK; empties the selected database (always synchronously). */
function flushdb(ctx: CommandContext, argv: string[]): void {
  if (!flushOptionOk(ctx, argv)) return;
  ctx.server.watches.databaseWillChange(ctx.db.index, ctx.now);
  ctx.db.flush();
  ctx.reply.ok();
  ctx.propagate(['FLUSHDB']);
}

/** FLUSHALL [ASYNC|SYNC] -> +OK; empties every database (always synchronously). */
function flushall(ctx: CommandContext, argv: string[]): void {
  if (!flushOptionOk(ctx, argv)) return;
  for (const db of ctx.server.keyspace.databases) ctx.server.watches.databaseWillChange(db.index, ctx.now);
  ctx.server.keyspace.flushAll();
  ctx.reply.ok();
  ctx.propagate(['FLUSHALL']);
}

// ---------------------------------------------------------------------------
// OBJECT

const isLfuPolicy = (ctx: CommandContext): boolean => ctx.server.config.get('maxmemory-policy').includes('lfu');

/**
 * OBJECT ENCODING key -> the value's internal representation name, or null:
 * "raw" once APPEND or SETRANGE modified it in place (as Redis), otherwise
 * what Redis would choose for the content.
 */
function objectEncoding(ctx: CommandContext, argv: string[]): void {
  const key = argv[2]!;
  const value = lookupRead(ctx, key, false);
  if (value === undefined) return ctx.reply.nullBulk();
  ctx.reply.bulk(encodingOf(ctx, key, value));
}

/** OBJECT ENCODING's name for the value of `key`. */
export function encodingOf(ctx: CommandContext, key: string, value: StoredValue): string {
  if (typeof value !== 'string') return value.encoding(encodingLimitsOf(ctx.server.config));
  return ctx.db.isRawEncoded(key) ? 'raw' : stringEncoding(value);
}

/**
 * OBJECT REFCOUNT key -> 2147483647 for the integers 0..9999 (shared objects
 * in Redis unless an LRU/LFU policy with maxmemory disables sharing), else 1.
 */
function objectRefcount(ctx: CommandContext, argv: string[]): void {
  const value = lookupRead(ctx, argv[2]!, false);
  if (value === undefined) return ctx.reply.nullBulk();
  ctx.reply.integer(isSharedInteger(ctx, value) ? SHARED_REFCOUNT : 1);
}

function isSharedInteger(ctx: CommandContext, value: StoredValue): boolean {
  if (typeof value !== 'string' || value.length > 4) return false;
  const n = parseSafeInteger(value);
  if (n === undefined || n < 0 || n >= SHARED_INTEGERS) return false;
  const config = ctx.server.config;
  if (config.get('maxmemory') === 0) return true;
  const policy = config.get('maxmemory-policy');
  return !policy.includes('lru') && !policy.includes('lfu');
}

/**
 * OBJECT IDLETIME key -> seconds since the key was last read or written
 * (this query does not count), null for a missing key, Redis's error under
 * an LFU policy.
 */
function objectIdletime(ctx: CommandContext, argv: string[]): void {
  const idle = ctx.db.idleSeconds(argv[2]!, ctx.now);
  if (idle === undefined) return ctx.reply.nullBulk();
  if (isLfuPolicy(ctx)) return ctx.error(ERR_LFU_SELECTED);
  ctx.reply.integer(idle);
}

/**
 * OBJECT FREQ key -> null for a missing key; Redis's error unless an LFU
 * policy is selected; otherwise an error saying aki keeps no access counter.
 */
function objectFreq(ctx: CommandContext, argv: string[]): void {
  if (lookupRead(ctx, argv[2]!, false) === undefined) return ctx.reply.nullBulk();
  if (!isLfuPolicy(ctx)) return ctx.error(ERR_LFU_NOT_SELECTED);
  ctx.error(ERR_FREQ_NOT_TRACKED);
}

const OBJECT_HELP = [
  'OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'ENCODING <key>',
  '    The name of the internal representation of the value at <key>.',
  'FREQ <key>',
  '    The logarithmic access-frequency counter of <key> (LFU policies only).',
  'IDLETIME <key>',
  '    Seconds since <key> was last accessed.',
  'REFCOUNT <key>',
  '    How many references the value at <key> has.',
  'HELP',
  '    Print this help.',
];

/** OBJECT HELP -> the subcommands, one status line each. */
function objectHelp(ctx: CommandContext): void {
  ctx.reply.arrayHeader(OBJECT_HELP.length);
  for (const line of OBJECT_HELP) ctx.reply.simple(line);
}

// ---------------------------------------------------------------------------
// The records

const EXPIRE_CONDITION: ArgumentDoc = tokenChoice('condition', ['NX', 'XX', 'GT', 'LT'], { optional: true });
const FLUSH_MODE: ArgumentDoc = tokenChoice('flush-type', ['ASYNC', 'SYNC'], { optional: true });

export const keyCommands: CommandSpec[] = [
  defineCommand({
    name: 'del',
    arity: -2,
    flags: ['write'],
    keys: keysFrom(1),
    group: 'generic',
    summary: 'Deletes keys.',
    since: '1.0.0',
    complexity: 'O(N) where N is the number of keys',
    arguments: [KEYS_ARG],
    handler: del,
  }),
  defineCommand({
    name: 'unlink',
    arity: -2,
    flags: ['write', 'fast'],
    keys: keysFrom(1),
    group: 'generic',
    summary: 'Deletes keys (in aki the same as DEL).',
    since: '4.0.0',
    complexity: 'O(N) where N is the number of keys',
    arguments: [KEYS_ARG],
    handler: del,
  }),
  defineCommand({
    name: 'exists',
    arity: -2,
    flags: ['readonly', 'fast'],
    keys: keysFrom(1),
    group: 'generic',
    summary: 'Counts how many of the given keys exist.',
    since: '1.0.0',
    complexity: 'O(N) where N is the number of keys',
    arguments: [KEYS_ARG],
    handler: exists,
  }),
  defineCommand({
    name: 'type',
    arity: 2,
    flags: ['readonly', 'fast'],
    keys: keyAt(1),
    group: 'generic',
    summary: 'Returns the type of the value stored at a key.',
    since: '1.0.0',
    complexity: 'O(1)',
    arguments: [KEY_ARG],
    handler: type,
  }),
  defineCommand({
    name: 'expire',
    arity: -3,
    flags: ['write', 'fast'],
    keys: keyAt(1),
    group: 'generic',
    summary: 'Sets the time to live of a key in seconds.',
    since: '1.0.0',
    complexity: 'O(1)',
    arguments: [KEY_ARG, { name: 'seconds', type: 'integer' }, EXPIRE_CONDITION],
    handler: expire,
  }),
  defineCommand({
    name: 'pexpire',
    arity: -3,
    flags: ['write', 'fast'],
    keys: keyAt(1),
    group: 'generic',
    summary: 'Sets the time to live of a key in milliseconds.',
    since: '2.6.0',
    complexity: 'O(1)',
    arguments: [KEY_ARG, { name: 'milliseconds', type: 'integer' }, EXPIRE_CONDITION],
    handler: pexpire,
  }),
  defineCommand({
    name: 'expireat',
    arity: -3,
    flags: ['write', 'fast'],
    keys: keyAt(1),
    group: 'generic',
    summary: 'Sets the expiry of a key as a unix time in seconds.',
    since: '1.2.0',
    complexity: 'O(1)',
    arguments: [KEY_ARG, { name: 'unix-time-seconds', type: 'unix-time' }, EXPIRE_CONDITION],
    handler: expireat,
  }),
  defineCommand({
    name: 'pexpireat',
    arity: -3,
    flags: ['write', 'fast'],
    keys: keyAt(1),
    group: 'generic',
    summary: 'Sets the expiry of a key as a unix time in milliseconds.',
    since: '2.6.0',
    complexity: 'O(1)',
    arguments: [KEY_ARG, { name: 'unix-time-milliseconds', type: 'unix-time' }, EXPIRE_CONDITION],
    handler: pexpireat,
  }),
  defineCommand({
    name: 'ttl',
    arity: 2,
    flags: ['readonly', 'fast'],
    keys: keyAt(1),
    group: 'generic',
    summary: 'Returns the remaining time to live of a key in seconds.',
    since: '1.0.0',
    complexity: 'O(1)',
    arguments: [KEY_ARG],
    handler: ttl,
  }),
  defineCommand({
    name: 'pttl',
    arity: 2,
    flags: ['readonly', 'fast'],
    keys: keyAt(1),
    group: 'generic',
    summary: 'Returns the remaining time to live of a key in milliseconds.',
    since: '2.6.0',
    complexity: 'O(1)',
    arguments: [KEY_ARG],
    handler: pttl,
  }),
  defineCommand({
    name: 'expiretime',
    arity: 2,
    flags: ['readonly', 'fast'],
    keys: keyAt(1),
    group: 'generic',
    summary: 'Returns the expiry of a key as a unix time in seconds.',
    since: '7.0.0',
    complexity: 'O(1)',
    arguments: [KEY_ARG],
    handler: expiretime,
  }),
  defineCommand({
    name: 'pexpiretime',
    arity: 2,
    flags: ['readonly', 'fast'],
    keys: keyAt(1),
    group: 'generic',
    summary: 'Returns the expiry of a key as a unix time in milliseconds.',
    since: '7.0.0',
    complexity: 'O(1)',
    arguments: [KEY_ARG],
    handler: pexpiretime,
  }),
  defineCommand({
    name: 'persist',
    arity: 2,
    flags: ['write', 'fast'],
    keys: keyAt(1),
    group: 'generic',
    summary: 'Removes the time to live of a key.',
    since: '2.2.0',
    complexity: 'O(1)',
    arguments: [KEY_ARG],
    handler: persist,
  }),
  defineCommand({
    name: 'keys',
    arity: 2,
    flags: ['readonly'],
    group: 'generic',
    extraCategories: ['dangerous'],
    summary: 'Returns every key matching a glob pattern.',
    since: '1.0.0',
    complexity: 'O(N) where N is the number of keys in the database',
    arguments: [{ name: 'pattern', type: 'pattern' }],
    handler: keys,
  }),
  defineCommand({
    name: 'scan',
    arity: -2,
    flags: ['readonly'],
    group: 'generic',
    summary: 'Iterates over the keys of the database in steps.',
    since: '2.8.0',
    complexity: 'O(1) per call, O(N) for a whole iteration',
    arguments: [
      { name: 'cursor', type: 'integer' },
      { name: 'pattern', type: 'pattern', token: 'MATCH', optional: true },
      { name: 'count', type: 'integer', token: 'COUNT', optional: true },
      { name: 'type', type: 'string', token: 'TYPE', optional: true },
    ],
    handler: scan,
  }),
  defineCommand({
    name: 'rename',
    arity: 3,
    flags: ['write'],
    keys: keyRange(1, 2),
    group: 'generic',
    summary: 'Renames a key, overwriting the destination.',
    since: '1.0.0',
    complexity: 'O(1)',
    arguments: [KEY_ARG, { name: 'newkey', type: 'key' }],
    handler: rename,
  }),
  defineCommand({
    name: 'renamenx',
    arity: 3,
    flags: ['write', 'fast'],
    keys: keyRange(1, 2),
    group: 'generic',
    summary: 'Renames a key only when the new name does not exist.',
    since: '1.0.0',
    complexity: 'O(1)',
    arguments: [KEY_ARG, { name: 'newkey', type: 'key' }],
    handler: renamenx,
  }),
  defineCommand({
    name: 'randomkey',
    arity: 1,
    flags: ['readonly'],
    group: 'generic',
    summary: 'Returns a random key of the database.',
    since: '1.0.0',
    complexity: 'O(1)',
    handler: randomkey,
  }),
  defineCommand({
    name: 'copy',
    arity: -3,
    flags: ['write', 'denyoom'],
    keys: keyRange(1, 2),
    group: 'generic',
    summary: 'Copies the value of a key to another key, possibly in another database.',
    since: '6.2.0',
    complexity: 'O(1) for strings',
    arguments: [
      { name: 'source', type: 'key' },
      { name: 'destination', type: 'key' },
      { name: 'destination-db', type: 'integer', token: 'DB', optional: true },
      { name: 'replace', type: 'pure-token', token: 'REPLACE', optional: true },
    ],
    handler: copy,
  }),
  defineCommand({
    name: 'dbsize',
    arity: 1,
    flags: ['readonly', 'fast'],
    group: 'server',
    extraCategories: ['keyspace'],
    summary: 'Returns the number of keys in the selected database.',
    since: '1.0.0',
    complexity: 'O(1)',
    handler: dbsize,
  }),
  defineCommand({
    name: 'flushdb',
    arity: -1,
    flags: ['write'],
    group: 'server',
    extraCategories: ['keyspace', 'dangerous'],
    summary: 'Removes every key of the selected database.',
    since: '1.0.0',
    complexity: 'O(N) where N is the number of keys in the database',
    arguments: [FLUSH_MODE],
    handler: flushdb,
  }),
  defineCommand({
    name: 'flushall',
    arity: -1,
    flags: ['write'],
    group: 'server',
    extraCategories: ['keyspace', 'dangerous'],
    summary: 'Removes every key of every database.',
    since: '1.0.0',
    complexity: 'O(N) where N is the number of keys in all databases',
    arguments: [FLUSH_MODE],
    handler: flushall,
  }),
  defineCommand({
    name: 'move',
    arity: 3,
    flags: ['write', 'fast'],
    keys: keyAt(1),
    group: 'generic',
    summary: 'Moves a key to another database.',
    since: '1.0.0',
    complexity: 'O(1)',
    arguments: [KEY_ARG, { name: 'db', type: 'integer' }],
    handler: move,
  }),
  defineCommand({
    name: 'swapdb',
    arity: 3,
    flags: ['write', 'fast'],
    group: 'server',
    extraCategories: ['keyspace', 'dangerous'],
    summary: 'Exchanges the contents of two databases.',
    since: '4.0.0',
    complexity: 'O(N) where N is the number of clients watching or blocked on keys of both databases',
    arguments: [
      { name: 'index1', type: 'integer' },
      { name: 'index2', type: 'integer' },
    ],
    handler: swapdb,
  }),
  defineCommand({
    name: 'touch',
    arity: -2,
    flags: ['readonly', 'fast'],
    keys: keysFrom(1),
    group: 'generic',
    summary: 'Counts how many of the given keys exist (would update their access time).',
    since: '3.2.1',
    complexity: 'O(N) where N is the number of keys',
    arguments: [KEYS_ARG],
    handler: touch,
  }),
  defineCommand({
    name: 'object',
    arity: -2,
    flags: [],
    group: 'generic',
    summary: 'A container for object introspection commands.',
    since: '2.2.3',
    complexity: 'Depends on subcommand.',
    subcommands: [
      {
        name: 'encoding',
        arity: 3,
        flags: ['readonly'],
        keys: keyAt(2),
        group: 'generic',
        summary: 'Returns the internal encoding of a value.',
        since: '2.2.3',
        complexity: 'O(1)',
        arguments: [KEY_ARG],
        handler: objectEncoding,
      },
      {
        name: 'freq',
        arity: 3,
        flags: ['readonly'],
        keys: keyAt(2),
        group: 'generic',
        summary: 'Returns the logarithmic access frequency counter of a key.',
        since: '4.0.0',
        complexity: 'O(1)',
        arguments: [KEY_ARG],
        handler: objectFreq,
      },
      {
        name: 'idletime',
        arity: 3,
        flags: ['readonly'],
        keys: keyAt(2),
        group: 'generic',
        summary: 'Returns the seconds since a key was last accessed.',
        since: '2.2.3',
        complexity: 'O(1)',
        arguments: [KEY_ARG],
        handler: objectIdletime,
      },
      {
        name: 'refcount',
        arity: 3,
        flags: ['readonly'],
        keys: keyAt(2),
        group: 'generic',
        summary: 'Returns the reference count of a value.',
        since: '2.2.3',
        complexity: 'O(1)',
        arguments: [KEY_ARG],
        handler: objectRefcount,
      },
      {
        name: 'help',
        arity: 2,
        flags: ['loading', 'stale'],
        group: 'generic',
        summary: 'Returns helpful text about the OBJECT subcommands.',
        since: '6.2.0',
        complexity: 'O(1)',
        handler: objectHelp,
      },
    ],
  }),
];
