import { digestDataset, digestValue, stringEncoding, ZERO_DIGEST } from '@aki/keyspace';
import { allowsProtectedAction } from '../config/index.js';
import { Err, printable } from '../errors.js';
import { parseInteger } from './args.js';
import { encodingOf } from './keys.js';
import { defineCommand } from './define.js';
import { replyHelp } from './server.js';
import type { CommandContext, CommandSpec } from './types.js';

/**
 * DEBUG: the subcommands operators and test tools rely on. Gated by
 * `enable-debug-command` (no / yes / local = loopback clients only), because
 * DEBUG SLEEP stalls the server and POPULATE writes at will.
 */

function debugAllowed(ctx: CommandContext): boolean {
  return allowsProtectedAction(ctx.server.config.get('enable-debug-command'), ctx.client.transport.isLocal);
}

/** Blocks the whole event loop, as DEBUG SLEEP blocks Redis's main thread. */
function sleepSynchronously(ms: number): void {
  if (ms > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Approximate RDB-serialised length of a string value (DEBUG OBJECT serializedlength). */
function serializedLength(value: string): number {
  if (stringEncoding(value) === 'int') {
    const n = Number(value);
    if (n >= -128 && n <= 127) return 2;
    if (n >= -32768 && n <= 32767) return 3;
    if (n >= -2147483648 && n <= 2147483647) return 5;
  }
  const len = value.length;
  const prefix = len < 64 ? 1 : len < 16384 ? 2 : len <= 0xffffffff ? 5 : 9;
  return prefix + len;
}

const ERR_NOT_POSITIVE = 'ERR value is out of range, must be positive';

const PROTOCOL_TYPES = 'string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false';

/** DEBUG PROTOCOL <type>: one reply of each RESP type, for testing client decoders. */
function debugProtocol(ctx: CommandContext, type: string): void {
  const reply = ctx.reply;
  switch (type.toLowerCase()) {
    case 'string':
      return reply.bulk('Hello World');
    case 'integer':
      return reply.integer(12345);
    case 'double':
      return reply.double(3.141);
    case 'bignum':
      return reply.bigNumber('1234567999999999999999999999999999999');
    case 'null':
      return reply.nullBulk();
    case 'array':
      reply.arrayHeader(3);
      for (let i = 0; i < 3; i++) reply.integer(i);
      return;
    case 'set':
      reply.setHeader(3);
      for (let i = 0; i < 3; i++) reply.integer(i);
      return;
    case 'map':
      reply.mapHeader(3);
      for (let i = 0; i < 3; i++) {
        reply.integer(i);
        reply.boolean(i === 1);
      }
      return;
    case 'attrib':
      if (ctx.client.protocol === 3) {
        reply.raw(Buffer.from('|1\r\n$14\r\nkey-popularity\r\n*2\r\n$7\r\nkey:123\r\n:90\r\n', 'latin1'));
      }
      return reply.bulk('Some real reply following the attribute');
    case 'push':
      if (ctx.client.protocol !== 3) return ctx.error('ERR RESP2 is not supported by this command');
      reply.pushHeader(2);
      reply.bulk('server-cpu-usage');
      reply.integer(42);
      return reply.bulk('Some real reply following the push reply');
    case 'verbatim':
      return reply.verbatim('txt', 'This is a verbatim\nstring');
    case 'true':
      return reply.boolean(true);
    case 'false':
      return reply.boolean(false);
    default:
      return ctx.error(`ERR Wrong protocol type name. Please use one of the following: ${PROTOCOL_TYPES}`);
  }
}

/**
 * DEBUG POPULATE count [prefix] [size]: creates keys prefix:0..count-1 with
 * values "value:N" (padded with zero bytes or cut to `size`), skipping keys
 * that exist. Each created key is propagated as a SET, so the effect stream
 * (and later the AOF and followers) stays identical to memory.
 */
function debugPopulate(ctx: CommandContext, argv: string[]): void {
  const count = parseInteger(argv[2]!);
  if (count === undefined || count < 0) return ctx.error(ERR_NOT_POSITIVE);
  const prefix = argv[3] ?? 'key';
  let size: number | undefined;
  if (argv[4] !== undefined) {
    size = parseInteger(argv[4]);
    if (size === undefined || size < 0) return ctx.error(ERR_NOT_POSITIVE);
    if (size === 0) size = undefined; // as Redis: 0 means "no size"
  }
  const db = ctx.db;
  for (let i = 0; i < count; i++) {
    const key = `${prefix}:${i}`;
    if (db.has(key, ctx.now)) continue;
    let value = `value:${i}`;
    if (size !== undefined) value = value.length >= size ? value.slice(0, size) : value + '\0'.repeat(size - value.length);
    db.set(key, value, undefined, ctx.now);
    ctx.propagate(['SET', key, value]);
  }
  ctx.reply.simple('OK');
}

/** DEBUG OBJECT key: reads the raw table, so a logically expired key not yet removed still shows. */
function debugObject(ctx: CommandContext, key: string): void {
  const value = ctx.db.peek(key);
  if (value === undefined) return ctx.error(Err.noSuchKey);
  const encoding = encodingOf(ctx, key, value);
  // serializedlength is the RDB size; aki computes it for strings only until the RDB codec exists.
  const length = typeof value === 'string' ? serializedLength(value) : 0;
  ctx.reply.simple(`Value at:0x0 refcount:1 encoding:${encoding} serializedlength:${length} lru:0 lru_seconds_idle:0`);
}

const DEBUG_HELP = [
  'DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'DIGEST',
  '    A hex digest of the whole dataset (equal datasets give equal digests).',
  'LOADAOF',
  '    Flush the AOF to disk, empty the dataset and load it again from the AOF.',
  'DIGEST-VALUE <key> [<key> ...]',
  '    A hex digest of the value of each key.',
  'OBJECT <key>',
  '    Internal details of the value stored at <key>.',
  'POPULATE <count> [<prefix>] [<size>]',
  '    Create <count> string keys <prefix>:<n> (prefix defaults to "key"); existing',
  '    keys are skipped; the new keys are propagated like any write.',
  'RELOAD',
  '    Save the RDB file, empty the dataset and load it again from the RDB file.',
  'PROTOCOL <type>',
  '    Reply with a sample value of <type>: string, integer, double, bignum, null,',
  '    array, set, map, attrib, push, verbatim, true, false.',
  'SET-ACTIVE-EXPIRE <0|1>',
  '    0 stops removing expired keys in the background; 1 resumes it.',
  'SLEEP <seconds>',
  '    Block the server for <seconds> (decimals allowed).',
  'HELP',
  '    Print this help.',
];

/**
 * DEBUG RELOAD (save the RDB, empty memory, load it back) and DEBUG LOADAOF
 * (fsync the AOF, empty memory, replay it) -> +OK. Other clients get
 * -LOADING meanwhile; this one waits for the outcome.
 */
function debugReload(ctx: CommandContext, sub: 'reload' | 'loadaof'): void {
  const persistence = ctx.server.persistence;
  const finish = ctx.suspend();
  const work = sub === 'reload' ? persistence.debugReload() : persistence.debugLoadAof();
  void work.then((problem) => finish((done) => (problem === null ? done.reply.simple('OK') : done.error(problem))));
}

/** DEBUG <subcommand> ...: dispatches by hand because each form has its own arity. */
function debug(ctx: CommandContext, argv: string[]): void {
  if (!debugAllowed(ctx)) return ctx.error(Err.debugDisabled);
  const sub = argv[1]!.toLowerCase();
  const argc = argv.length;
  if (sub === 'help' && argc === 2) return replyHelp(ctx, DEBUG_HELP);
  if (sub === 'sleep' && argc === 3) {
    // strtod semantics: text that is not a number sleeps 0 seconds.
    const seconds = Number.parseFloat(argv[2]!);
    sleepSynchronously(Number.isFinite(seconds) ? Math.max(0, seconds * 1000) : 0);
    return ctx.reply.simple('OK');
  }
  if (sub === 'digest' && argc === 2) return ctx.reply.simple(digestDataset(ctx.server.keyspace.databases));
  if (sub === 'digest-value' && argc >= 2) {
    ctx.reply.arrayHeader(argc - 2);
    for (const key of argv.slice(2)) {
      // Raw read, as Redis: a logically expired key not yet removed is digested, not deleted.
      const value = ctx.db.peek(key);
      ctx.reply.simple(value === undefined ? ZERO_DIGEST : digestValue(value, ctx.db.getExpireAt(key) !== undefined));
    }
    return;
  }
  if (sub === 'populate' && argc >= 3 && argc <= 5) return debugPopulate(ctx, argv);
  if (sub === 'set-active-expire' && argc === 3) {
    // atoi semantics: anything that does not start with a non-zero number disables.
    ctx.server.keyspace.activeExpireEnabled = (Number.parseInt(argv[2]!, 10) || 0) !== 0;
    return ctx.reply.simple('OK');
  }
  if (sub === 'object' && argc === 3) return debugObject(ctx, argv[2]!);
  if ((sub === 'reload' || sub === 'loadaof') && argc === 2 && !ctx.inTransaction) return debugReload(ctx, sub);
  if (sub === 'protocol' && argc === 3) return debugProtocol(ctx, argv[2]!);
  ctx.error(`ERR unknown subcommand or wrong number of arguments for '${printable(argv[1]!, 128)}'. Try DEBUG HELP.`);
}

export const debugCommands: CommandSpec[] = [
  defineCommand({
    name: 'debug',
    arity: -2,
    flags: ['admin', 'noscript', 'loading', 'stale'],
    group: 'server',
    summary: 'A container for debugging commands.',
    since: '1.0.0',
    complexity: 'Depends on subcommand.',
    extraCategories: ['dangerous'],
    handler: debug,
  }),
];
