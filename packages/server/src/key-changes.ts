import type { CommandTable } from './commands/table.js';

/**
 * What a write changed, derived from its effect: every change to the dataset
 * is propagated as an effect (the invariant the effect stream rests on), so
 * the effect tells which keys a command, a transaction, a served blocked
 * client or an expiry touched, without every handler remembering to signal.
 * Waking blocked clients and WATCH invalidation read it from here. WATCH
 * has two more inputs the effect cannot give: writes Redis counts as
 * modifications though they change nothing (`ctx.signalModified`), and the
 * keys FLUSH/SWAPDB are about to replace (`WatchRegistry.databaseWillChange`).
 */
export interface KeyChangeObserver {
  /** `key` in database `dbIndex` was written or deleted. */
  keyChanged(dbIndex: number, key: string): void;
  /** Every key of database `dbIndex` may have changed (FLUSHDB, FLUSHALL, SWAPDB). */
  databaseChanged(dbIndex: number): void;
}

/**
 * Effects whose key spec names keys they only read: for these only the
 * destination (argv[1]) is written.
 */
const WRITES_FIRST_KEY_ONLY = new Set([
  'SINTERSTORE',
  'SUNIONSTORE',
  'SDIFFSTORE',
  'ZUNIONSTORE',
  'ZINTERSTORE',
  'ZDIFFSTORE',
  'ZRANGESTORE',
]);

/** Effects that carry no key (stream framing, PING) or none that changes. */
const KEYLESS = new Set(['SELECT', 'MULTI', 'EXEC', 'PING']);

/**
 * Reports the keys the effect `argv`, recorded against database `dbIndex`,
 * wrote. `databases` is the number of databases (FLUSHALL touches each).
 */
export function reportWrittenKeys(
  commands: CommandTable,
  databases: number,
  dbIndex: number,
  argv: readonly string[],
  observer: KeyChangeObserver,
): void {
  const name = argv[0]!.toUpperCase();
  if (KEYLESS.has(name)) return;
  switch (name) {
    case 'FLUSHDB':
      return observer.databaseChanged(dbIndex);
    case 'FLUSHALL':
      for (let db = 0; db < databases; db++) observer.databaseChanged(db);
      return;
    case 'SWAPDB':
      observer.databaseChanged(Number(argv[1]));
      observer.databaseChanged(Number(argv[2]));
      return;
    case 'MOVE':
      observer.keyChanged(dbIndex, argv[1]!);
      observer.keyChanged(Number(argv[2]), argv[1]!);
      return;
    case 'COPY':
      observer.keyChanged(copyTargetDb(argv, dbIndex), argv[2]!);
      return;
  }
  if (WRITES_FIRST_KEY_ONLY.has(name)) return observer.keyChanged(dbIndex, argv[1]!);
  const spec = commands.get(name);
  if (spec === undefined || spec.keys.first === 0) return;
  const { first, step } = spec.keys;
  const last = spec.keys.last < 0 ? argv.length + spec.keys.last : spec.keys.last;
  for (let i = first; i <= last && i < argv.length; i += step) observer.keyChanged(dbIndex, argv[i]!);
}

/** The DB option of a COPY effect, or the effect's own database. */
function copyTargetDb(argv: readonly string[], dbIndex: number): number {
  for (let i = 3; i + 1 < argv.length; i++) {
    if (argv[i]!.toUpperCase() === 'DB') return Number(argv[i + 1]);
  }
  return dbIndex;
}

/** One string naming `key` of database `dbIndex`, for maps keyed by both. */
export const keyId = (dbIndex: number, key: string): string => `${dbIndex}:${key}`;
