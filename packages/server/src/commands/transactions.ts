import { defineCommand, KEYS_ARG, keysFrom } from './define.js';
import type { CommandContext, CommandSpec } from './types.js';

/*
 * Transactions: MULTI, EXEC, DISCARD, WATCH, UNWATCH.
 *
 * Between MULTI and EXEC the dispatcher queues commands instead of running
 * them (after its existence, arity and auth gates: a command refused there
 * dooms the transaction, and EXEC answers EXECABORT). EXEC runs the queue
 * in one go, atomically because handlers are synchronous, at one command
 * time, inside one effect bracket: the effects of a transaction reach AOF
 * and followers as one MULTI/EXEC block (a single effect goes alone, as in
 * Redis). WATCHed keys are invalidated from the effect stream (watch.ts).
 */

const ERR_NESTED_MULTI = 'ERR MULTI calls can not be nested';
const ERR_EXEC_WITHOUT_MULTI = 'ERR EXEC without MULTI';
const ERR_DISCARD_WITHOUT_MULTI = 'ERR DISCARD without MULTI';
const ERR_WATCH_IN_MULTI = 'ERR WATCH inside MULTI is not allowed';
const ERR_EXECABORT = 'EXECABORT Transaction discarded because of previous errors.';

/** MULTI -> +OK; starts queueing. Nested MULTI is an error that leaves the transaction intact. */
function multi(ctx: CommandContext): void {
  const client = ctx.client;
  if (client.transaction !== null) return ctx.error(ERR_NESTED_MULTI);
  client.transaction = [];
  client.transactionFailed = false;
  ctx.reply.ok();
}

/**
 * EXEC -> an array with each queued command's reply; null (a null array)
 * when a WATCHed key changed; EXECABORT when a command was refused while
 * queueing. Ends the transaction and forgets the WATCHed keys either way.
 */
function exec(ctx: CommandContext): void {
  const client = ctx.client;
  const queued = client.transaction;
  if (queued === null) return ctx.error(ERR_EXEC_WITHOUT_MULTI);
  const failed = client.transactionFailed;
  client.transaction = null;
  client.transactionFailed = false;
  const watches = ctx.server.watches;
  const dirty = watches.isDirty(client, ctx.now);
  watches.unwatchAll(client);
  if (failed) return ctx.error(ERR_EXECABORT);
  if (dirty) return ctx.reply.nullArray();
  ctx.reply.arrayHeader(queued.length);
  const now = ctx.now;
  for (const { spec, argv } of queued) ctx.server.runQueued(client, spec, argv, now);
}

/** DISCARD -> +OK; drops the queue and the WATCHed keys. */
function discard(ctx: CommandContext): void {
  const client = ctx.client;
  if (client.transaction === null) return ctx.error(ERR_DISCARD_WITHOUT_MULTI);
  client.transaction = null;
  client.transactionFailed = false;
  ctx.server.watches.unwatchAll(client);
  ctx.reply.ok();
}

/** WATCH key [key ...] -> +OK; EXEC will fail if any of them changes first. Not allowed inside MULTI. */
function watch(ctx: CommandContext, argv: string[]): void {
  const client = ctx.client;
  if (client.transaction !== null) return ctx.error(ERR_WATCH_IN_MULTI);
  for (let i = 1; i < argv.length; i++) ctx.server.watches.watch(client, client.dbIndex, argv[i]!, ctx.now);
  ctx.reply.ok();
}

/** UNWATCH -> +OK; forgets every WATCHed key. */
function unwatch(ctx: CommandContext): void {
  ctx.server.watches.unwatchAll(ctx.client);
  ctx.reply.ok();
}

export const transactionCommands: CommandSpec[] = [
  defineCommand({
    name: 'multi',
    arity: 1,
    flags: ['noscript', 'loading', 'stale', 'fast', 'allow_busy'],
    group: 'transactions',
    summary: 'Starts a transaction.',
    since: '1.2.0',
    complexity: 'O(1)',
    handler: multi,
  }),
  defineCommand({
    name: 'exec',
    arity: 1,
    flags: ['noscript', 'loading', 'stale', 'skip_slowlog'],
    group: 'transactions',
    summary: 'Executes all commands in a transaction.',
    since: '1.2.0',
    complexity: 'Depends on commands in the transaction',
    handler: exec,
  }),
  defineCommand({
    name: 'discard',
    arity: 1,
    flags: ['noscript', 'loading', 'stale', 'fast', 'allow_busy'],
    group: 'transactions',
    summary: 'Discards a transaction.',
    since: '2.0.0',
    complexity: 'O(N), when N is the number of queued commands',
    handler: discard,
  }),
  defineCommand({
    name: 'watch',
    arity: -2,
    flags: ['noscript', 'loading', 'stale', 'fast', 'allow_busy'],
    keys: keysFrom(1),
    group: 'transactions',
    summary: 'Monitors changes to keys to determine the execution of a transaction.',
    since: '2.2.0',
    complexity: 'O(1) for every key.',
    arguments: [KEYS_ARG],
    handler: watch,
  }),
  defineCommand({
    name: 'unwatch',
    arity: 1,
    flags: ['noscript', 'loading', 'stale', 'fast', 'allow_busy'],
    group: 'transactions',
    summary: 'Forgets about watched keys of a transaction.',
    since: '2.2.0',
    complexity: 'O(1)',
    handler: unwatch,
  }),
];
