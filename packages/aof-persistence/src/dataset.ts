import type { StoredValue } from '@aki/keyspace';

/**
 * Where a reader delivers a dataset (an RDB file, an AOF's RDB preamble, a
 * full-sync payload). The reader owns the format; the receiver owns the
 * keyspace. Values arrive fully built (keyspace types), keys and strings as
 * latin1 strings (one char per byte).
 */
export interface DatasetReceiver {
  /** An auxiliary field (0xFA): `redis-ver`, `ctime`, `repl-id`, `repl-offset`, `aof-base`, ... */
  aux?(name: string, value: string): void;
  /** A RESIZEDB hint for database `db` (may be ignored). */
  resizeHint?(db: number, keys: number, expiring: number): void;
  /** One key of database `db`. `expireAt` is absolute unix ms, or undefined for no time to live. */
  entry(db: number, key: string, value: StoredValue, expireAt: number | undefined): void;
}

/** Auxiliary fields a writer puts in the header, in order. Numbers are written as integers. */
export type AuxFields = ReadonlyArray<readonly [name: string, value: string | number]>;
