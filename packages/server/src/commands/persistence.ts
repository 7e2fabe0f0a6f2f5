import { Err } from '../errors.js';
import type { Outcome } from '../persistence/control.js';
import { longArg } from './args.js';
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

const ERR_TIMEOUT_NOT_INTEGER = 'ERR timeout is not an integer or out of range';
const ERR_TIMEOUT_NEGATIVE = 'ERR timeout is negative';
const ERR_WAITAOF_NO_AOF = 'ERR WAITAOF cannot be used when numlocal is set but appendonly is disabled.';

/**
 * WAITAOF numlocal numreplicas timeout -> [local, replicas]: blocks until the
 * client's last write is fsynced to the local AOF (numlocal 1) and to
 * `numreplicas` followers' AOFs, or `timeout` ms pass (0 = forever). Without
 * followers (this server has none yet) replicas acknowledged is always 0, so
 * asking for any makes it wait for the timeout, as Redis does. Inside MULTI
 * it answers at once with what holds now.
 */
function waitaof(ctx: CommandContext, argv: string[]): void {
  const numlocal = longArg(ctx, argv[1]!);
  if (numlocal === undefined) return;
  const numreplicas = longArg(ctx, argv[2]!);
  if (numreplicas === undefined) return;
  const timeoutText = argv[3]!;
  const timeout = /^-?[0-9]+$/.test(timeoutText) ? Number(timeoutText) : Number.NaN;
  if (!Number.isSafeInteger(timeout)) return ctx.error(ERR_TIMEOUT_NOT_INTEGER);
  if (timeout < 0) return ctx.error(ERR_TIMEOUT_NEGATIVE);
  const persistence = ctx.server.persistence;
  if (numlocal !== 0 && !persistence.aofEnabled) return ctx.error(ERR_WAITAOF_NO_AOF);
  const target = ctx.client.writeOffset;
  const localDone = (): number => (persistence.aofEnabled && persistence.aofSyncedOffset >= target ? 1 : 0);
  const answer = (done: CommandContext): void => {
    done.reply.arrayHeader(2);
    done.reply.integer(localDone());
    done.reply.integer(0);
  };
  if (ctx.inTransaction || (localDone() >= numlocal && numreplicas <= 0)) return answer(ctx);

  const finish = ctx.suspend();
  let timer: NodeJS.Timeout | undefined;
  const stop = persistence.onAofSynced(() => {
    if (localDone() >= numlocal && numreplicas <= 0) end();
  });
  const end = (): void => {
    stop();
    if (timer !== undefined) clearTimeout(timer);
    finish(answer);
  };
  if (timeout > 0) timer = setTimeout(end, Math.min(timeout, 2 ** 31 - 1));
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
  defineCommand({
    name: 'waitaof',
    arity: 4,
    flags: ['noscript'],
    // Redis files WAITAOF under "generic" yet gives it only @connection; the group here carries that category.
    group: 'connection',
    summary:
      'Blocks until all of the preceding write commands sent by the connection are written to the append-only file of the master and/or replicas.',
    since: '7.2.0',
    complexity: 'O(1)',
    arguments: [
      { name: 'numlocal', type: 'integer' },
      { name: 'numreplicas', type: 'integer' },
      { name: 'timeout', type: 'integer' },
    ],
    handler: waitaof,
  }),
];
