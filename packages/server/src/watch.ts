import type { Keyspace } from '@aki/keyspace';
import type { ClientSession } from './client-session.js';
import { keyId } from './key-changes.js';

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
 * own included) or expiry between WATCH and EXEC counts, as in Redis;
 * FLUSHDB, FLUSHALL and SWAPDB report before they act (databaseWillChange).
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
    const id = keyId(dbIndex, key);
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
      const id = keyId(dbIndex, key);
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
    const set = this.watchers.get(keyId(dbIndex, key));
    if (set === undefined) return;
    for (const client of set) client.watchedKeyChanged = true;
  }

  /**
   * Called just before FLUSHDB/FLUSHALL empties database `dbIndex`, or SWAPDB
   * replaces its contents with those of `replacementIndex`: flags the
   * watchers of keys that are live there now (or live in the replacement),
   * as Redis does. A watched key that exists on neither side is not
   * changed by it. (The effect comes after the change, too late to tell.)
   */
  databaseWillChange(dbIndex: number, now: number, replacementIndex?: number): void {
    if (this.isEmpty) return;
    const db = this.keyspace.db(dbIndex);
    const replacement = replacementIndex === undefined ? undefined : this.keyspace.db(replacementIndex);
    for (const [client, keys] of this.byClient) {
      for (const w of keys) {
        if (w.dbIndex !== dbIndex) continue;
        if (db.has(w.key, now) || (replacement !== undefined && replacement.has(w.key, now))) {
          client.watchedKeyChanged = true;
        }
      }
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

