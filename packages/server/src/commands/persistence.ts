import { Err } from '../errors.js';
import type { Outcome } from '../persistence/control.js';
import { defineCommand } from './define.js';
import type { CommandContext, CommandSpec } from './types.js';

function replyOutcome(ctx: CommandContext, outcome: Outcome): void {
  if ('error' in outcome) ctx.error(outcome.error);
  else ctx.reply.simple(outcome.status);
}

/** SAVE -> +OK once the RDB file is on disk (the client waits; others are served meanwhile). */
function save(ctx: CommandContext): void {
  const finish = ctx.suspend();
  void ctx.server.persistence.save().then((problem) =>
    finish((done) => (problem === null ? done.reply.simple('OK') : done.error(problem))),
  );
}

/** BGSAVE [SCHEDULE] -> +Background saving started | +Background saving scheduled, or an error. */
function bgsave(ctx: CommandContext, argv: string[]): void {
  let schedule = false;
  if (argv.length === 2) {
    if (argv[1]!.toUpperCase() !== 'SCHEDULE') return ctx.error(Err.syntax);
    schedule = true;
  } else if (argv.length > 2) {
    return ctx.error(Err.syntax);
  }
  replyOutcome(ctx, ctx.server.persistence.backgroundSave(schedule));
}

/** LASTSAVE -> unix time (seconds) of the last successful RDB save. */
function lastsave(ctx: CommandContext): void {
  ctx.reply.integer(ctx.server.persistence.lastSaveTime);
}

/** BGREWRITEAOF -> +Background append only file rewriting started | scheduled, or an error. */
function bgrewriteaof(ctx: CommandContext): void {
  replyOutcome(ctx, ctx.server.persistence.backgroundRewrite());
}

export const persistenceCommands: CommandSpec[] = [
  defineCommand({
    name: 'save',
    arity: 1,
    flags: ['admin', 'noscript', 'no_async_loading', 'no_multi'],
    group: 'server',
    summary: 'Synchronously saves the database(s) to disk.',
    since: '1.0.0',
    complexity: 'O(N) where N is the total number of keys in all databases',
    extraCategories: ['dangerous'],
    handler: save,
  }),
  defineCommand({
    name: 'bgsave',
    arity: -1,
    flags: ['admin', 'noscript', 'no_async_loading'],
    group: 'server',
    summary: 'Asynchronously saves the database(s) to disk.',
    since: '1.0.0',
    complexity: 'O(1)',
    extraCategories: ['dangerous'],
    arguments: [{ name: 'schedule', type: 'pure-token', token: 'SCHEDULE', optional: true }],
    handler: bgsave,
  }),
  defineCommand({
    name: 'lastsave',
    arity: 1,
    flags: ['loading', 'stale', 'fast'],
    group: 'server',
    summary: 'Returns the Unix timestamp of the last successful save to disk.',
    since: '1.0.0',
    complexity: 'O(1)',
    extraCategories: ['admin', 'dangerous'],
    handler: lastsave,
  }),
  defineCommand({
    name: 'bgrewriteaof',
    arity: 1,
    flags: ['admin', 'noscript', 'no_async_loading'],
    group: 'server',
    summary: 'Asynchronously rewrites the append-only file to disk.',
    since: '1.0.0',
    complexity: 'O(1)',
    extraCategories: ['dangerous'],
    handler: bgrewriteaof,
  }),
];
