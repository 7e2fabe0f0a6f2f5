import type { ClientSession } from './client-session.js';
import type { BlockRequest } from './commands/types.js';

/** One client parked in a blocking command (BLPOP, BLMOVE, BZPOPMIN, ...). */
export interface BlockedClient {
  readonly client: ClientSession;
  /** The database the command ran in (its keys are in there). */
  readonly dbIndex: number;
  readonly request: BlockRequest;
}

/**
 * Who waits on which key, in arrival order, and which keys became ready.
 * Pure bookkeeping: the dispatcher decides when to serve and time clients
 * out, because only it can run a command's callbacks with a context.
 *
 * Keys become ready through the effect stream (see key-changes.ts): any
 * write to a key someone waits on marks it, whatever the command (a push, a
 * RENAME onto it, MOVE, SWAPDB, a served BLMOVE's push). Whether the key now
 * holds something to pop is for the command's `tryServe` to decide.
 */
export class BlockedClients {
  /** "<db>:<key>" -> clients waiting on it, oldest first. */
  private readonly waiting = new Map<string, BlockedClient[]>();
  private readonly byClient = new Map<ClientSession, BlockedClient>();
  /** Ready keys not yet served, as "<db>:<key>" -> [db, key], in the order they became ready. */
  private ready = new Map<string, readonly [number, string]>();

  /** True when no client is blocked (the common case: changes cost one check). */
  get isEmpty(): boolean {
    return this.byClient.size === 0;
  }

  /** Number of blocked clients (INFO blocked_clients). */
  get clientCount(): number {
    return this.byClient.size;
  }

  /** Number of distinct keys clients wait on (INFO total_blocking_keys). */
  get keyCount(): number {
    return this.waiting.size;
  }

  get hasReadyKeys(): boolean {
    return this.ready.size !== 0;
  }

  isBlocked(client: ClientSession): boolean {
    return this.byClient.has(client);
  }

  /** Parks `client` on the request's keys of database `dbIndex`. A client blocks at most once at a time. */
  block(client: ClientSession, dbIndex: number, request: BlockRequest): void {
    const entry: BlockedClient = { client, dbIndex, request };
    this.byClient.set(client, entry);
    for (const key of new Set(request.keys)) {
      const id = keyId(dbIndex, key);
      const queue = this.waiting.get(id);
      if (queue === undefined) this.waiting.set(id, [entry]);
      else queue.push(entry);
    }
  }

  /** Unparks `client` (served, timed out, unblocked or gone); returns its entry, or undefined when it was not blocked. */
  remove(client: ClientSession): BlockedClient | undefined {
    const entry = this.byClient.get(client);
    if (entry === undefined) return undefined;
    this.byClient.delete(client);
    for (const key of new Set(entry.request.keys)) {
      const id = keyId(entry.dbIndex, key);
      const queue = this.waiting.get(id);
      if (queue === undefined) continue;
      const at = queue.indexOf(entry);
      if (at !== -1) queue.splice(at, 1);
      if (queue.length === 0) this.waiting.delete(id);
    }
    return entry;
  }

  /** A write touched `key`: when someone waits on it, it is served after the current command. */
  keyChanged(dbIndex: number, key: string): void {
    const id = keyId(dbIndex, key);
    if (this.waiting.has(id) && !this.ready.has(id)) this.ready.set(id, [dbIndex, key]);
  }

  /** Every key of `dbIndex` may have changed (SWAPDB, FLUSH): each waited-on key there is ready. */
  databaseChanged(dbIndex: number): void {
    for (const queue of this.waiting.values()) {
      const entry = queue[0]!;
      if (entry.dbIndex !== dbIndex) continue;
      for (const key of entry.request.keys) this.keyChanged(dbIndex, key);
    }
  }

  /** Returns and forgets the ready keys, oldest first. */
  takeReadyKeys(): Array<readonly [number, string]> {
    const keys = [...this.ready.values()];
    this.ready = new Map();
    return keys;
  }

  /** The clients waiting on `key` of `dbIndex`, oldest first (a copy: serving changes the queue). */
  waitersOf(dbIndex: number, key: string): BlockedClient[] {
    return [...(this.waiting.get(keyId(dbIndex, key)) ?? [])];
  }

  /** The clients whose deadline is at or before `now`. */
  expiredAt(now: number): BlockedClient[] {
    const expired: BlockedClient[] = [];
    for (const entry of this.byClient.values()) {
      const deadline = entry.request.deadline;
      if (deadline !== 0 && deadline <= now) expired.push(entry);
    }
    return expired;
  }

  /** The earliest deadline of any blocked client, or undefined when none has one. */
  nextDeadline(): number | undefined {
    let next: number | undefined;
    for (const entry of this.byClient.values()) {
      const deadline = entry.request.deadline;
      if (deadline !== 0 && (next === undefined || deadline < next)) next = deadline;
    }
    return next;
  }
}

const keyId = (dbIndex: number, key: string): string => `${dbIndex}:${key}`;
