import type { Keyspace } from '@aki/keyspace';
import type { ClientSession } from './client-session.js';

/** One WATCHed key of one client. */
interface WatchedKey {
  readonly dbIndex: number;
  readonly key: string;
  /** The key existed (and was not logically expired) when WATCH ran. */
  readonly existed: boolean;
}

/**
 * WATCH bookkeeping: which clients watch which keys, and flagging a client's
 * transaction when one of its keys changes. Changes arrive from the effect
 * stream (see key-changes.ts), so any write by any client (the watcher's
 * own included), an expiry, a FLUSH or a SWAPDB between WATCH and EXEC
 * counts, as in Redis.
 */
export class WatchRegistry {
  /** "<db>:<key>" -> clients watching it. */
  private readonly watchers = new Map<string, Set<ClientSession>>();
  private readonly byClient = new Map<ClientSession, WatchedKey[]>();

  constructor(private readonly keyspace: Keyspace) {}

  /** True when nobody watches anything (the common case: changes cost one check). */
  get isEmpty(): boolean {
    return this.byClient.size === 0;
  }

  /** WATCH key: remembers `key` of database `dbIndex` for `client` (idempotent). */
  watch(client: ClientSession, dbIndex: number, key: string, now: number): void {
    let keys = this.byClient.get(client);
    if (keys === undefined) {
      keys = [];
      this.byClient.set(client, keys);
    }
    if (keys.some((w) => w.dbIndex === dbIndex && w.key === key)) return;
    keys.push({ dbIndex, key, existed: this.keyspace.db(dbIndex).has(key, now) });
    const id = watchId(dbIndex, key);
    let set = this.watchers.get(id);
    if (set === undefined) {
      set = new Set();
      this.watchers.set(id, set);
    }
    set.add(client);
  }

  /** UNWATCH, EXEC, DISCARD, RESET and disconnects: forgets every key `client` watches and its dirty flag. */
  unwatchAll(client: ClientSession): void {
    client.watchedKeyChanged = false;
    const keys = this.byClient.get(client);
    if (keys === undefined) return;
    this.byClient.delete(client);
    for (const { dbIndex, key } of keys) {
      const id = watchId(dbIndex, key);
      const set = this.watchers.get(id);
      if (set === undefined) continue;
      set.delete(client);
      if (set.size === 0) this.watchers.delete(id);
    }
  }

  /** Number of keys `client` watches (CLIENT LIST watch=). */
  watchedCount(client: ClientSession): number {
    return this.byClient.get(client)?.length ?? 0;
  }

  /** A write touched `key`: every client watching it will see EXEC fail. */
  keyChanged(dbIndex: number, key: string): void {
    const set = this.watchers.get(watchId(dbIndex, key));
    if (set === undefined) return;
    for (const client of set) client.watchedKeyChanged = true;
  }

  /** Every key of `dbIndex` may have changed (FLUSHDB/FLUSHALL/SWAPDB). */
  databaseChanged(dbIndex: number): void {
    for (const [client, keys] of this.byClient) {
      if (keys.some((w) => w.dbIndex === dbIndex)) client.watchedKeyChanged = true;
    }
  }

  /**
   * EXEC's check: true when the transaction must fail because a watched key
   * changed, or because a key that existed at WATCH time has since expired
   * logically without anything deleting it yet (Redis 7 counts that too).
   */
  isDirty(client: ClientSession, now: number): boolean {
    if (client.watchedKeyChanged) return true;
    const keys = this.byClient.get(client);
    if (keys === undefined) return false;
    for (const w of keys) {
      if (w.existed && !this.keyspace.db(w.dbIndex).has(w.key, now)) return true;
    }
    return false;
  }
}

const watchId = (dbIndex: number, key: string): string => `${dbIndex}:${key}`;
