import { describe, expect, it } from 'vitest';
import { BlockedClients } from './blocking.js';
import type { ClientSession } from './client-session.js';
import type { BlockRequest } from './commands/types.js';

const client = (id: number) => ({ id }) as unknown as ClientSession;
const request = (keys: string[], deadline = 0): BlockRequest => ({
  keys,
  deadline,
  tryServe: () => true,
  timeout: () => {},
});

describe('BlockedClients', () => {
  it('keeps waiters per key in arrival order and forgets them on removal', () => {
    const blocked = new BlockedClients();
    const [a, b] = [client(1), client(2)];
    blocked.block(a, 0, request(['q', 'r']));
    blocked.block(b, 0, request(['q']));
    expect(blocked.waitersOf(0, 'q').map((w) => w.client)).toEqual([a, b]);
    expect(blocked.clientCount).toBe(2);
    expect(blocked.keyCount).toBe(2);
    expect(blocked.remove(a)?.client).toBe(a);
    expect(blocked.remove(a)).toBeUndefined();
    expect(blocked.waitersOf(0, 'q').map((w) => w.client)).toEqual([b]);
    expect(blocked.keyCount).toBe(1);
    blocked.remove(b);
    expect(blocked.isEmpty).toBe(true);
    expect(blocked.keyCount).toBe(0);
  });

  it('counts a key named twice by one command once', () => {
    const blocked = new BlockedClients();
    const a = client(1);
    blocked.block(a, 0, request(['q', 'q']));
    expect(blocked.waitersOf(0, 'q')).toHaveLength(1);
    blocked.remove(a);
    expect(blocked.keyCount).toBe(0);
  });

  it('marks only waited-on keys ready, once each, in the order they changed', () => {
    const blocked = new BlockedClients();
    blocked.block(client(1), 0, request(['a', 'b']));
    blocked.block(client(2), 3, request(['a']));
    blocked.keyChanged(0, 'zzz');
    expect(blocked.hasReadyKeys).toBe(false);
    blocked.keyChanged(0, 'b');
    blocked.keyChanged(3, 'a');
    blocked.keyChanged(0, 'b');
    expect(blocked.takeReadyKeys()).toEqual([
      [0, 'b'],
      [3, 'a'],
    ]);
    expect(blocked.hasReadyKeys).toBe(false);
  });

  it('marks every waited-on key of a database ready when the whole database changed', () => {
    const blocked = new BlockedClients();
    blocked.block(client(1), 0, request(['a', 'b']));
    blocked.block(client(2), 1, request(['c']));
    blocked.databaseChanged(0);
    expect(blocked.takeReadyKeys()).toEqual([
      [0, 'a'],
      [0, 'b'],
    ]);
  });

  it('finds expired waiters and the next deadline; 0 waits forever', () => {
    const blocked = new BlockedClients();
    const [a, b, c] = [client(1), client(2), client(3)];
    blocked.block(a, 0, request(['k'], 200));
    blocked.block(b, 0, request(['k'], 100));
    blocked.block(c, 0, request(['k'], 0));
    expect(blocked.nextDeadline()).toBe(100);
    expect(blocked.expiredAt(150).map((w) => w.client)).toEqual([b]);
    blocked.remove(b);
    expect(blocked.nextDeadline()).toBe(200);
    blocked.remove(a);
    expect(blocked.nextDeadline()).toBeUndefined();
    expect(blocked.expiredAt(Number.MAX_SAFE_INTEGER)).toEqual([]);
  });
});

describe('BlockedClients deadlines', () => {
  it('expires many clients in deadline order, skipping those that left', () => {
    const blocked = new BlockedClients();
    const clients = Array.from({ length: 1000 }, (_, i) => client(i));
    const deadlines = clients.map((_, i) => 1000 + ((i * 7919) % 1000));
    clients.forEach((c, i) => blocked.block(c, 0, request([`k${i}`], deadlines[i])));
    for (let i = 0; i < 1000; i += 2) blocked.remove(clients[i]!);
    const expired = blocked.expiredAt(1500).map((w) => w.request.deadline);
    expect(expired).toEqual([...expired].sort((a, b) => a - b));
    expect(expired).toEqual(deadlines.filter((d, i) => i % 2 === 1 && d <= 1500).sort((a, b) => a - b));
    for (const w of blocked.waitersOf(0, 'k1')) blocked.remove(w.client);
    expect(blocked.nextDeadline()).toBeGreaterThan(1500);
  });

  it('forgets an old deadline when the same client blocks again', () => {
    const blocked = new BlockedClients();
    const a = client(1);
    blocked.block(a, 0, request(['k'], 100));
    blocked.remove(a);
    blocked.block(a, 0, request(['k'], 500));
    expect(blocked.nextDeadline()).toBe(500);
    expect(blocked.expiredAt(200)).toEqual([]);
  });
});
