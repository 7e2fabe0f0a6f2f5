import { describe, expect, it } from 'vitest';
import { KEEP_TTL } from './database.js';
import { Keyspace } from './keyspace.js';

function setup() {
  const expired: Array<[number, string]> = [];
  const keyspace = new Keyspace({ onExpired: (db, key) => expired.push([db, key]) });
  return { keyspace, db: keyspace.db(0), expired };
}

describe('Database', () => {
  it('stores, looks up and deletes binary-safe keys and values', () => {
    const { db } = setup();
    const key = 'k\x00\xff';
    db.set(key, 'v\r\n\x00', undefined, 0);
    expect(db.lookup(key, 0)).toBe('v\r\n\x00');
    expect(db.size).toBe(1);
    expect(db.delete(key, 0)).toBe(true);
    expect(db.delete(key, 0)).toBe(false);
    expect(db.lookup(key, 0)).toBeUndefined();
  });

  it('hands out value handles that copy the bytes out, small, large and binary', () => {
    const { db } = setup();
    const big = 'b\x00'.repeat(40_000);
    db.set('small', 'v\r\n', undefined, 0);
    db.set('big', big, undefined, 0);
    db.set('gone', 'x', 10, 0);
    for (const [key, value] of [['small', 'v\r\n'], ['big', big]] as const) {
      const handle = db.lookupHandle(key, 0);
      expect(db.valueLength(handle)).toBe(value.length);
      const target = Buffer.alloc(value.length + 2);
      db.copyValue(handle, target, 1);
      expect(target.toString('latin1', 1, value.length + 1)).toBe(value);
    }
    expect(db.lookupHandle('missing', 0)).toBe(0);
    expect(db.lookupHandle('gone', 100)).toBe(0);
  });

  it('expires lazily on access and reports the key once', () => {
    const { db, expired } = setup();
    db.set('a', '1', 1000, 0);
    expect(db.lookup('a', 999)).toBe('1');
    expect(db.lookup('a', 1000)).toBeUndefined();
    expect(db.size).toBe(0);
    expect(expired).toEqual([[0, 'a']]);
    expect(db.lookup('a', 2000)).toBeUndefined();
    expect(expired).toHaveLength(1);
  });

  it('on a follower hides expired keys without deleting or reporting them', () => {
    const { keyspace, db, expired } = setup();
    keyspace.setExpiryMode('hide');
    db.set('a', '1', 1000, 0);
    expect(db.lookup('a', 5000)).toBeUndefined();
    expect(db.size).toBe(1);
    expect(expired).toEqual([]);
    expect(keyspace.activeExpireCycle(5000, 100)).toBe(0);
    expect(db.peek('a')).toBe('1');
  });

  it("while applying the leader's stream sees expired keys as alive, deleting nothing", () => {
    const { keyspace, db, expired } = setup();
    keyspace.setExpiryMode('keep');
    db.set('a', '1', 1000, 0);
    expect(db.lookup('a', 5000)).toBe('1');
    expect(db.has('a', 5000)).toBe(true);
    expect(db.randomKey(5000)).toBe('a');
    expect(db.delete('a', 5000)).toBe(true);
    expect(expired).toEqual([]);
    db.set('b', '2', 1000, 0);
    expect(keyspace.activeExpireCycle(5000, 100)).toBe(0);
    keyspace.setExpiryMode('hide');
    expect(db.lookup('b', 5000)).toBeUndefined();
    expect(db.size).toBe(1);
  });

  it('keeps, replaces or clears the time to live on set', () => {
    const { db } = setup();
    db.set('a', '1', 5000, 0);
    db.set('a', '2', KEEP_TTL, 0);
    expect(db.getExpireAt('a')).toBe(5000);
    db.replaceValue('a', '3', 0);
    expect(db.getExpireAt('a')).toBe(5000);
    db.set('a', '4', undefined, 0);
    expect(db.getExpireAt('a')).toBeUndefined();
    expect(db.expiringCount).toBe(0);
  });

  it('persist removes a time to live and reports whether there was one', () => {
    const { db } = setup();
    db.set('a', '1', 5000, 0);
    expect(db.persist('a')).toBe(true);
    expect(db.persist('a')).toBe(false);
  });

  it('randomKey returns live keys and undefined on an empty database', () => {
    const { db } = setup();
    expect(db.randomKey(0)).toBeUndefined();
    for (let i = 0; i < 50; i++) db.set(`k${i}`, 'v', undefined, 0);
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) seen.add(db.randomKey(0)!);
    expect(seen.size).toBe(50);
  });

  it('randomKey skips and removes expired keys on a leader', () => {
    const { db, expired } = setup();
    db.set('dead', 'v', 10, 0);
    db.set('live', 'v', undefined, 0);
    for (let i = 0; i < 20; i++) expect(db.randomKey(100)).toBe('live');
    expect(expired).toEqual([[0, 'dead']]);
  });

  it('flush empties the database and returns the count', () => {
    const { db } = setup();
    db.set('a', '1', 10, 0);
    db.set('b', '2', undefined, 0);
    expect(db.flush()).toBe(2);
    expect(db.size).toBe(0);
    expect(db.expiringCount).toBe(0);
  });
});

describe('SCAN', () => {
  function scanAll(db: ReturnType<typeof setup>['db'], count: number, onStep?: (step: number) => void) {
    const keys: string[] = [];
    let cursor = 0;
    let step = 0;
    do {
      const page = db.scan(cursor, { count }, 0);
      keys.push(...page.keys);
      cursor = page.cursor;
      onStep?.(step++);
    } while (cursor !== 0);
    return keys;
  }

  it('returns every key exactly once when nothing changes', () => {
    const { db } = setup();
    for (let i = 0; i < 1000; i++) db.set(`k${i}`, 'v', undefined, 0);
    const keys = scanAll(db, 7);
    expect(keys).toHaveLength(1000);
    expect(new Set(keys).size).toBe(1000);
  });

  it('returns every key present for the whole scan despite deletes and inserts during it', () => {
    const { db } = setup();
    for (let i = 0; i < 500; i++) db.set(`stable${i}`, 'v', undefined, 0);
    for (let i = 0; i < 500; i++) db.set(`doomed${i}`, 'v', undefined, 0);
    const keys = scanAll(db, 10, (step) => {
      db.delete(`doomed${step}`, 0);
      db.set(`new${step}`, 'v', undefined, 0);
    });
    const found = new Set(keys);
    for (let i = 0; i < 500; i++) expect(found.has(`stable${i}`)).toBe(true);
  });

  it('resumes from a cursor that is no longer parked by position', () => {
    const { keyspace } = setup();
    const db = keyspace.db(0);
    for (let i = 0; i < 100; i++) db.set(`k${i}`, 'v', undefined, 0);
    const first = db.scan(0, { count: 10 }, 0);
    // A fresh keyspace holding the same keys in the same order stands in for a restart.
    const other = new Keyspace().db(0);
    for (let i = 0; i < 100; i++) other.set(`k${i}`, 'v', undefined, 0);
    const rest: string[] = [];
    let cursor = first.cursor;
    do {
      const page = other.scan(cursor, { count: 10 }, 0);
      rest.push(...page.keys);
      cursor = page.cursor;
    } while (cursor !== 0);
    expect(new Set([...first.keys, ...rest]).size).toBe(100);
  });

  it('filters by match and type and hides expired keys', () => {
    const { db } = setup();
    db.set('user:1', 'a', undefined, 0);
    db.set('user:2', 'b', 10, 0);
    db.set('other', 'c', undefined, 0);
    const page = db.scan(0, { count: 100, match: (k) => k.startsWith('user:') }, 100);
    expect(page).toEqual({ cursor: 0, keys: ['user:1'] });
    expect(db.scan(0, { count: 100, type: 'list' }, 100).keys).toEqual([]);
    expect(db.scan(0, { count: 100, type: 'string' }, 100).keys.sort()).toEqual(['other', 'user:1']);
  });
});

describe('Keyspace', () => {
  it('has 16 databases by default and swaps contents', () => {
    const { keyspace } = setup();
    expect(keyspace.databases).toHaveLength(16);
    keyspace.db(0).set('a', '1', 100, 0);
    keyspace.swap(0, 5);
    expect(keyspace.db(0).size).toBe(0);
    expect(keyspace.db(5).lookup('a', 0)).toBe('1');
    expect(keyspace.db(5).getExpireAt('a')).toBe(100);
    expect(keyspace.db(5).index).toBe(5);
  });

  it('active expiry removes expired keys across databases and reports them', () => {
    const { keyspace, expired } = setup();
    for (let i = 0; i < 100; i++) keyspace.db(i % 3).set(`k${i}`, 'v', i < 60 ? 10 : 10_000, 0);
    const removed = keyspace.activeExpireCycle(100, 1000);
    expect(removed).toBe(60);
    expect(expired).toHaveLength(60);
    expect(keyspace.size).toBe(40);
  });

  it('active expiry visits a bounded number of buckets per step when few keys have a time to live', () => {
    const { keyspace } = setup();
    const db = keyspace.db(0);
    for (let i = 0; i < 50_000; i++) db.set(`k${i}`, 'v', undefined, 0);
    db.set('doomed', 'v', 10, 0);
    const step = db.sweepExpired(100, 20);
    expect(step.examined).toBeLessThanOrEqual(1);
    // Repeated cycles still reach the one expiring key.
    let removed = 0;
    for (let cycle = 0; cycle < 1000 && removed === 0; cycle++) removed = keyspace.activeExpireCycle(100, 1000);
    expect(removed).toBe(1);
    expect(db.has('doomed', 0)).toBe(false);
  });

  it('on a follower, the leader\'s DEL removes a key that is already logically expired', () => {
    const { keyspace, db, expired } = setup();
    keyspace.setExpiryMode('hide');
    db.set('k', 'v', 1000, 0);
    expect(db.delete('k', 2000)).toBe(true);
    expect(db.size).toBe(0);
    expect(expired).toEqual([]);
  });

  it('keeps an expiry at or before the epoch as already expired, not as "no expiry"', () => {
    const { db } = setup();
    db.set('k', 'v', undefined, 0);
    db.setExpireAt('k', 0);
    expect(db.getExpireAt('k')).toBe(1);
    expect(db.lookup('k', 5)).toBeUndefined();
  });

  it('active expiry does nothing when disabled', () => {
    const { keyspace } = setup();
    keyspace.db(0).set('a', 'v', 10, 0);
    keyspace.activeExpireEnabled = false;
    expect(keyspace.activeExpireCycle(100, 1000)).toBe(0);
    expect(keyspace.db(0).size).toBe(1);
  });

  it('estimates the average time to live from the sweep', () => {
    const { keyspace } = setup();
    const db = keyspace.db(0);
    for (let i = 0; i < 10; i++) db.set(`k${i}`, 'v', 1000 + 10_000, 0);
    keyspace.activeExpireCycle(1000, 1000);
    expect(db.averageTtl).toBe(10_000);
    db.flush();
    expect(db.averageTtl).toBe(0);
  });

  it('flushAll empties every database', () => {
    const { keyspace } = setup();
    keyspace.db(0).set('a', '1', undefined, 0);
    keyspace.db(15).set('b', '1', undefined, 0);
    expect(keyspace.flushAll()).toBe(2);
    expect(keyspace.size).toBe(0);
  });
});
