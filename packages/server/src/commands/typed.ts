import type { HashValue, ListValue, SetValue, SortedSetValue, StoredValue } from '@aki/keyspace';
import { Err } from '../errors.js';
import type { CommandContext } from './types.js';

/**
 * Typed key lookups shared by the collection commands. Each returns the value
 * when the key holds the wanted type, `undefined` when the key is absent (or
 * logically expired), and `null` after replying WRONGTYPE when it holds
 * another type, so a handler reads:
 *
 *   const list = readList(ctx, key);
 *   if (list === null) return;           // WRONGTYPE already replied
 *   if (list === undefined) return ctx.reply.integer(0);
 *
 * `read*` count keyspace_hits / keyspace_misses (Redis's lookupKeyRead);
 * `write*` are the write-path lookups and count nothing (lookupKeyWrite).
 * Both count as an access (OBJECT IDLETIME).
 */

interface TypeOf {
  list: ListValue;
  hash: HashValue;
  set: SetValue;
  zset: SortedSetValue;
}

function checked<T extends keyof TypeOf>(
  ctx: CommandContext,
  value: StoredValue | undefined,
  type: T,
): TypeOf[T] | undefined | null {
  if (value === undefined) return undefined;
  if (typeof value === 'string' || value.type !== type) {
    ctx.error(Err.wrongType);
    return null;
  }
  return value as TypeOf[T];
}

/** Read-path lookup of a value of `type` (see the module comment for the return contract). */
export function readTyped<T extends keyof TypeOf>(ctx: CommandContext, key: string, type: T): TypeOf[T] | undefined | null {
  const value = ctx.db.lookup(key, ctx.now);
  if (value === undefined) ctx.server.stats.keyspaceMisses++;
  else ctx.server.stats.keyspaceHits++;
  return checked(ctx, value, type);
}

/** Write-path lookup of a value of `type` (see the module comment for the return contract). */
export function writeTyped<T extends keyof TypeOf>(ctx: CommandContext, key: string, type: T): TypeOf[T] | undefined | null {
  return checked(ctx, ctx.db.lookup(key, ctx.now), type);
}

export const readList = (ctx: CommandContext, key: string) => readTyped(ctx, key, 'list');
export const writeList = (ctx: CommandContext, key: string) => writeTyped(ctx, key, 'list');
export const readHash = (ctx: CommandContext, key: string) => readTyped(ctx, key, 'hash');
export const writeHash = (ctx: CommandContext, key: string) => writeTyped(ctx, key, 'hash');
export const readSet = (ctx: CommandContext, key: string) => readTyped(ctx, key, 'set');
export const writeSet = (ctx: CommandContext, key: string) => writeTyped(ctx, key, 'set');
export const readSortedSet = (ctx: CommandContext, key: string) => readTyped(ctx, key, 'zset');
export const writeSortedSet = (ctx: CommandContext, key: string) => writeTyped(ctx, key, 'zset');

/**
 * Stores a newly created collection under `key` (no time to live), as the
 * first write to a missing key does.
 */
export function storeNew(ctx: CommandContext, key: string, value: StoredValue): void {
  ctx.db.set(key, value, undefined, ctx.now);
}

/**
 * Deletes `key` when its collection became empty: Redis never keeps an
 * empty collection. Returns true when the key was deleted.
 */
export function deleteIfEmpty(ctx: CommandContext, key: string, value: { readonly size: number }): boolean {
  if (value.size !== 0) return false;
  ctx.db.delete(key, ctx.now);
  return true;
}

/**
 * True when `value` is a collection of `type`; replies nothing and counts
 * nothing (a blocked client's re-check, SMOVE's destination check).
 */
export function isOfType<T extends keyof TypeOf>(value: StoredValue | undefined, type: T): value is TypeOf[T] {
  return value !== undefined && typeof value !== 'string' && value.type === type;
}
