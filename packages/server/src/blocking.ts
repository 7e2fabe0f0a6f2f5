import type { ClientSession } from './client-session.js';
import type { BlockRequest } from './commands/types.js';
import { keyId } from './key-changes.js';

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
  /**
   * Entries with a deadline, earliest first. Removal is lazy: an entry whose
   * client is no longer blocked on it is skipped when it reaches the top.
   */
  private readonly deadlines = new DeadlineHeap();

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

  /** Every blocked client, in the order they blocked (a copy: safe to unblock while iterating). */
  clients(): ClientSession[] {
    return [...this.byClient.keys()];
  }

  /** Parks `client` on the request's keys of database `dbIndex`. A client blocks at most once at a time. */
  block(client: ClientSession, dbIndex: number, request: BlockRequest): void {
    const entry: BlockedClient = { client, dbIndex, request };
    this.byClient.set(client, entry);
    if (request.deadline !== 0) this.deadlines.push(entry);
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

  /** The clients whose deadline is at or before `now`, earliest first (O(k log n) for k of them). */
  expiredAt(now: number): BlockedClient[] {
    const expired: BlockedClient[] = [];
    for (let top = this.liveTop(); top !== undefined && top.request.deadline <= now; top = this.liveTop()) {
      this.deadlines.pop();
      expired.push(top);
    }
    return expired;
  }

  /** The earliest deadline of any blocked client, or undefined when none has one. */
  nextDeadline(): number | undefined {
    return this.liveTop()?.request.deadline;
  }

  /** The heap's top after dropping entries whose client left (or blocked again since). */
  private liveTop(): BlockedClient | undefined {
    for (let top = this.deadlines.peek(); top !== undefined; top = this.deadlines.peek()) {
      if (this.byClient.get(top.client) === top) return top;
      this.deadlines.pop();
    }
    return undefined;
  }
}

/** A binary min-heap of blocked clients by deadline. */
class DeadlineHeap {
  private readonly items: BlockedClient[] = [];

  peek(): BlockedClient | undefined {
    return this.items[0];
  }

  push(entry: BlockedClient): void {
    const items = this.items;
    let i = items.push(entry) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (items[parent]!.request.deadline <= entry.request.deadline) break;
      items[i] = items[parent]!;
      i = parent;
    }
    items[i] = entry;
  }

  pop(): BlockedClient | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length === 0 || last === undefined) return top;
    let i = 0;
    const deadline = last.request.deadline;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= items.length) break;
      if (child + 1 < items.length && items[child + 1]!.request.deadline < items[child]!.request.deadline) child++;
      if (items[child]!.request.deadline >= deadline) break;
      items[i] = items[child]!;
      i = child;
    }
    items[i] = last;
    return top;
  }
}

