import { afterEach, describe, expect, it, vi } from 'vitest';
import { KEEP_TTL } from './database.js';
import { digestValue } from './digest.js';
import { Keyspace } from './keyspace.js';
import type { KeyspaceSnapshot } from './snapshot.js';
import { HashValue } from './types/hash.js';
import { ListValue } from './types/list.js';
import { SetValue } from './types/set.js';
import { SortedSetValue } from './types/sorted-set.js';

/** What one emitted (or live) entry looks like once materialized: its content digest and expiry. */
type Materialized = Map<string, { digest: string; expireAt: number | undefined }>;

const NOW = 1_700_000_000_000;

function setup(databases = 4) {
  const expired: Array<[number, string]> = [];
  const keyspace = new Keyspace({ databases, onExpired: (db, key) => expired.push([db, key]) });
  return { keyspace, expired };
}

/** "db:key" -> materialized entry, for every raw entry of the keyspace now. */
function materialize(keyspace: Keyspace): Materialized {
  const out: Materialized = new Map();
  for (const db of keyspace.databases) {
    for (const [key, value] of db.entries()) {
      out.set(`${db.index}:${key}`, { digest: digestValue(value), expireAt: db.getExpireAt(key) });
    }
  }
  return out;
}

/**
 * Steps `snapshot` to the end with `budget`, running `between(stepNumber)`
 * between steps; fails on a duplicate key or a step over the budget plus
 * one chain's slack. Returns the emitted entries and the largest step.
 */
function drain(
  snapshot: KeyspaceSnapshot,
  budget: number,
  between: (step: number) => void = () => {},
): { emitted: Materialized; largestStep: number; steps: number } {
  const emitted: Materialized = new Map();
  let largestStep = 0;
  let steps = 0;
  for (;;) {
    let inStep = 0;
    const done = snapshot.step(budget, (db, key, value, expireAt) => {
      const id = `${db}:${key}`;
      if (emitted.has(id)) throw new Error(`duplicate ${id}`);
      emitted.set(id, { digest: digestValue(value), expireAt });
      inStep++;
    });
    largestStep = Math.max(largestStep, inStep);
    steps++;
    if (done) return { emitted, largestStep, steps };
    between(steps);
  }
}

/** Starts a snapshot, runs `writes` after its first step, drains it; expects the dataset of the start. */
function expectPointInTime(keyspace: Keyspace, budget: number, writes: (step: number) => void): Materialized {
  const before = materialize(keyspace);
  const snapshot = keyspace.beginSnapshot();
  const { emitted } = drain(snapshot, budget, writes);
  expect(emitted).toEqual(before);
  expect(keyspace.snapshotActive).toBe(false);
  return emitted;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('Keyspace snapshot', () => {
  it('emits every key once with its expiry, db by db, and reports the counts of non-empty dbs', () => {
    const { keyspace } = setup();
    const db0 = keyspace.db(0);
    const db2 = keyspace.db(2);
    for (let i = 0; i < 50; i++) db0.set(`k${i}`, `v${i}`, i % 5 === 0 ? NOW + i : undefined, NOW);
    db2.set('list', ListValue.from(['a', 'b']), undefined, NOW);
    db2.set('old', 'expired but not reclaimed', NOW - 10, NOW);
    const snapshot = keyspace.beginSnapshot();
    expect(keyspace.snapshotActive).toBe(true);
    expect(snapshot.databases).toEqual([
      { index: 0, keys: 50, expiring: 10 },
      { index: 2, keys: 2, expiring: 1 },
    ]);
    const order: number[] = [];
    const seen: Materialized = new Map();
    let done = false;
    while (!done) {
      done = snapshot.step(7, (db, key, value, expireAt) => {
        order.push(db);
        seen.set(`${db}:${key}`, { digest: digestValue(value), expireAt });
      });
    }
    expect(seen).toEqual(materialize(keyspace));
    expect(seen.get('2:old')!.expireAt).toBe(NOW - 10);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(keyspace.snapshotActive).toBe(false);
    expect(snapshot.step(10, () => expect.unreachable())).toBe(true);
  });

  it('allows one snapshot at a time; an empty keyspace finishes at the first step', () => {
    const { keyspace } = setup();
    const snapshot = keyspace.beginSnapshot();
    expect(() => keyspace.beginSnapshot()).toThrow(/already active/);
    expect(snapshot.databases).toEqual([]);
    expect(snapshot.step(10, () => expect.unreachable())).toBe(true);
    expect(keyspace.snapshotActive).toBe(false);
    keyspace.beginSnapshot().abort();
  });

  it('keeps the start value of strings overwritten in place, grown into a new record, or made large', () => {
    const { keyspace } = setup();
    const db = keyspace.db(0);
    for (let i = 0; i < 200; i++) db.set(`k${i}`, 'original value', NOW + 1000, NOW);
    expectPointInTime(keyspace, 5, (step) => {
      if (step !== 1) return;
      for (let i = 0; i < 200; i++) {
        if (i % 3 === 0) db.set(`k${i}`, 'short', undefined, NOW);
        else if (i % 3 === 1) db.replaceValue(`k${i}`, 'a much longer value that needs a new record', NOW, true);
        else db.set(`k${i}`, 'L'.repeat(70_000), KEEP_TTL, NOW);
      }
    });
    expect(db.lookup('k0', NOW)).toBe('short');
    expect(db.getExpireAt('k0')).toBeUndefined();
    expect(db.getExpireAt('k1')).toBe(NOW + 1000);
    expect(db.lookup('k2', NOW)).toBe('L'.repeat(70_000));
  });

  it('emits deleted keys, and neither keys created after the start nor re-created values', () => {
    const { keyspace } = setup();
    const db = keyspace.db(0);
    for (let i = 0; i < 100; i++) db.set(`k${i}`, `v${i}`, undefined, NOW);
    expectPointInTime(keyspace, 3, (step) => {
      if (step === 1) {
        for (let i = 0; i < 100; i += 2) expect(db.delete(`k${i}`, NOW)).toBe(true);
        for (let i = 0; i < 100; i++) db.set(`new${i}`, 'later', undefined, NOW);
      }
      if (step === 2) {
        for (let i = 0; i < 100; i += 4) db.set(`k${i}`, 'came back', undefined, NOW);
        for (let i = 0; i < 100; i += 3) db.delete(`new${i}`, NOW);
        for (let i = 0; i < 100; i += 6) db.set(`new${i}`, 'again', undefined, NOW);
      }
      if (step === 3) for (let i = 0; i < 100; i += 4) db.delete(`k${i}`, NOW);
    });
    expect(db.has('k0', NOW)).toBe(false);
    expect(db.lookup('k1', NOW)).toBe('v1');
    expect(db.lookup('new6', NOW)).toBe('again');
    expect(db.has('new3', NOW)).toBe(false);
  });

  it('emits the expiry of the start after EXPIRE, PERSIST and SET with a new TTL', () => {
    const { keyspace } = setup();
    const db = keyspace.db(0);
    for (let i = 0; i < 60; i++) db.set(`k${i}`, ListValue.from([`e${i}`]), i % 2 === 0 ? NOW + 500 : undefined, NOW);
    const clone = vi.spyOn(ListValue.prototype, 'clone');
    expectPointInTime(keyspace, 4, (step) => {
      if (step !== 1) return;
      for (let i = 0; i < 60; i++) {
        if (i % 2 === 0) expect(db.persist(`k${i}`)).toBe(true);
        else db.setExpireAt(`k${i}`, NOW + 9000);
      }
    });
    // Expiry changes never copy the value.
    expect(clone).not.toHaveBeenCalled();
    expect(db.getExpireAt('k0')).toBeUndefined();
    expect(db.getExpireAt('k1')).toBe(NOW + 9000);
  });

  it('keeps collections as they were when a lookup hands them out for modification in place', () => {
    const { keyspace } = setup();
    const db = keyspace.db(1);
    for (let i = 0; i < 30; i++) {
      db.set(`list${i}`, ListValue.from(['a', 'b']), undefined, NOW);
      const hash = new HashValue();
      hash.set('f', 'v');
      db.set(`hash${i}`, hash, undefined, NOW);
      const set = new SetValue();
      set.add('m');
      db.set(`set${i}`, set, NOW + 100, NOW);
      const zset = new SortedSetValue();
      zset.set('m', 1);
      db.set(`zset${i}`, zset, undefined, NOW);
    }
    expectPointInTime(keyspace, 6, (step) => {
      if (step > 3) return;
      for (let i = 0; i < 30; i++) {
        (db.lookup(`list${i}`, NOW) as ListValue).pushTail(`x${step}`);
        (db.lookupWithoutTouch(`hash${i}`, NOW) as HashValue).set(`f${step}`, 'w');
        (db.peek(`set${i}`) as SetValue).add(`m${step}`);
        const zset = db.lookup(`zset${i}`, NOW) as SortedSetValue;
        zset.set('m', step + 10);
        zset.set(`n${step}`, 2);
        // Storing the same, modified object again must not expose it either.
        db.replaceValue(`zset${i}`, zset, NOW);
      }
    });
    expect((db.lookup('list0', NOW) as ListValue).toArray()).toEqual(['a', 'b', 'x1', 'x2', 'x3']);
  });

  it('copies a collection once per snapshot, never after its bucket was emitted, never for readonly access', () => {
    const { keyspace } = setup();
    const db0 = keyspace.db(0);
    const db1 = keyspace.db(1);
    db0.set('only', ListValue.from(['a']), undefined, NOW);
    for (let i = 0; i < 500; i++) db1.set(`k${i}`, ListValue.from(['a']), undefined, NOW);
    const clone = vi.spyOn(ListValue.prototype, 'clone');
    const snapshot = keyspace.beginSnapshot();

    keyspace.accessIsReadOnly = true;
    const readOnly = db1.lookup('k1', NOW) as ListValue;
    db1.lookupWithoutTouch('k2', NOW);
    db1.peek('k3');
    expect(clone).not.toHaveBeenCalled();
    keyspace.accessIsReadOnly = false;
    // The flag is what made those lookups skip the copy: a violation shows in the snapshot.
    readOnly.pushTail('changed under a readonly lookup');

    db1.lookup('k4', NOW);
    db1.lookup('k4', NOW);
    db1.peek('k4');
    expect(clone).toHaveBeenCalledTimes(1);

    // Budget 1 until db0's only key came out: its bucket is behind the cursor now.
    const emitted: string[] = [];
    while (emitted.length === 0) {
      expect(snapshot.step(1, (db, key, value) => emitted.push(`${db}:${key}:${digestValue(value)}`))).toBe(false);
    }
    expect(emitted).toEqual([`0:only:${digestValue(ListValue.from(['a']))}`]);
    (db0.lookup('only', NOW) as ListValue).pushTail('b');
    expect(clone).toHaveBeenCalledTimes(1);

    const rest = new Map<string, string>();
    while (!snapshot.step(50, (_db, key, value) => rest.set(key, digestValue(value))));
    expect(rest.size).toBe(500);
    expect(rest.get('k1')).toBe(digestValue(ListValue.from(['a', 'changed under a readonly lookup'])));
    expect(rest.get('k4')).toBe(digestValue(ListValue.from(['a'])));
  });

  it('emits keys that expire during the snapshot, lazily, actively, through DEL or RANDOMKEY', () => {
    const { keyspace, expired } = setup();
    const db = keyspace.db(0);
    for (let i = 0; i < 200; i++) db.set(`k${i}`, `v${i}`, NOW + 100 + (i % 4), NOW);
    db.set('stays', 'x', undefined, NOW);
    const later = NOW + 1000;
    expectPointInTime(keyspace, 10, (step) => {
      if (step !== 1) return;
      for (let i = 0; i < 50; i++) expect(db.lookup(`k${i}`, later)).toBeUndefined();
      for (let i = 50; i < 100; i++) expect(db.delete(`k${i}`, later)).toBe(false);
      db.randomKey(later);
      while (db.sweepExpired(later, 20).expired > 0);
    });
    expect(db.size).toBe(1);
    expect(expired.length).toBe(200);
  });

  it('follows the stores, not the numbers, across SWAPDB', () => {
    const { keyspace } = setup();
    for (let i = 0; i < 100; i++) {
      keyspace.db(0).set(`a${i}`, 'in db 0', undefined, NOW);
      keyspace.db(1).set(`b${i}`, 'in db 1', undefined, NOW);
    }
    keyspace.db(3).set('c', 'in db 3', undefined, NOW);
    expectPointInTime(keyspace, 8, (step) => {
      if (step === 1) keyspace.swap(0, 1);
      if (step === 2) {
        for (let i = 0; i < 100; i++) keyspace.db(0).set(`b${i}`, 'changed', undefined, NOW);
        keyspace.db(1).delete('a5', NOW);
        keyspace.swap(1, 2); // db 2 was empty at the start: its writes are never emitted
        keyspace.db(1).set('fresh', 'x', undefined, NOW);
        keyspace.swap(3, 1);
        keyspace.db(3).set('also fresh', 'x', undefined, NOW);
      }
    });
    expect(keyspace.db(0).lookup('b0', NOW)).toBe('changed');
    expect(keyspace.db(2).has('a0', NOW)).toBe(true);
    expect(keyspace.db(2).has('a5', NOW)).toBe(false);
    expect(keyspace.db(1).lookup('c', NOW)).toBe('in db 3');
  });

  it('keeps what FLUSHDB and FLUSHALL removed, and emits nothing written after them', () => {
    const { keyspace } = setup();
    for (let i = 0; i < 100; i++) {
      keyspace.db(0).set(`a${i}`, 'zero', undefined, NOW);
      keyspace.db(1).set(`b${i}`, ListValue.from(['one']), undefined, NOW);
      keyspace.db(2).set(`c${i}`, 'two', NOW + 5, NOW);
    }
    expectPointInTime(keyspace, 8, (step) => {
      if (step === 1) {
        expect(keyspace.db(1).flush()).toBe(100);
        keyspace.db(1).set('b0', 'after flushdb', undefined, NOW);
      }
      if (step === 3) {
        expect(keyspace.flushAll()).toBe(201);
        for (let i = 0; i < 3; i++) keyspace.db(i).set('after', 'flushall', undefined, NOW);
      }
      if (step === 4) expect(keyspace.flushAll()).toBe(3);
    });
    expect(keyspace.size).toBe(0);
  });

  it('keeps walking its table while writes grow it, and shrinks it below its start size only after', () => {
    const { keyspace } = setup();
    const db = keyspace.db(0);
    for (let i = 0; i < 4000; i++) db.set(`k${i}`, `v${i}`, undefined, NOW);
    const buckets = () => (db as unknown as { store: { bucketCount: number } }).store.bucketCount;
    expect(buckets()).toBe(4096);
    expectPointInTime(keyspace, 100, (step) => {
      if (step === 2) {
        for (let i = 0; i < 40_000; i++) db.set(`grown${i}`, 'x', undefined, NOW);
        for (let i = 0; i < 4000; i += 2) db.set(`k${i}`, 'changed', undefined, NOW);
        expect(buckets()).toBe(65536);
      }
      if (step === 4) {
        for (let i = 0; i < 40_000; i++) db.delete(`grown${i}`, NOW);
        for (let i = 0; i < 4000; i++) if (i % 16 !== 2) db.delete(`k${i}`, NOW);
        // Shrinks back, but not below the size at the start (that would merge the snapshot's buckets).
        expect(buckets()).toBe(4096);
      }
    });
    expect(db.size).toBe(250);
    expect(buckets()).toBe(1024); // the deferred shrink, down to the minimum
    expect(db.lookup('k2', NOW)).toBe('changed');
  });

  it('copies a collection stored again as it is before anything can modify it', () => {
    const { keyspace } = setup();
    const db = keyspace.db(0);
    for (let i = 0; i < 100; i++) db.set(`k${i}`, ListValue.from(['a']), undefined, NOW);
    expectPointInTime(keyspace, 5, (step) => {
      if (step !== 1) return;
      // A raw reference that preserved nothing (entries() is not a lookup), stored again, then modified.
      for (const [k, value] of [...db.entries()]) {
        db.set(k, value, undefined, NOW);
        (db.lookup(k, NOW) as ListValue).pushTail('b');
      }
    });
  });

  it('captures the value of a key whose expiry changed first, once a lookup hands it out', () => {
    const { keyspace } = setup();
    const db = keyspace.db(0);
    for (let i = 0; i < 100; i++) db.set(`k${i}`, ListValue.from(['a']), NOW + 100, NOW);
    expectPointInTime(keyspace, 5, (step) => {
      if (step !== 1) return;
      for (let i = 0; i < 100; i++) {
        db.setExpireAt(`k${i}`, NOW + 200);
        (db.lookup(`k${i}`, NOW) as ListValue).pushTail('b');
        db.persist(`k${i}`);
      }
    });
  });

  it('forgets keys created and removed again during the snapshot', () => {
    const { keyspace } = setup();
    const db = keyspace.db(0);
    db.set('existing', 'v', undefined, NOW);
    const snapshot = keyspace.beginSnapshot();
    for (let i = 0; i < 100; i++) db.set(`temp${i}`, 'x', undefined, NOW);
    for (let i = 0; i < 100; i++) db.delete(`temp${i}`, NOW);
    const state = (db as unknown as { store: { snapshot: { preserved: Map<string, unknown> } } }).store.snapshot;
    expect(state.preserved.size).toBe(0);
    snapshot.abort();
  });

  it('abort releases the snapshot; stepping it afterwards throws', () => {
    const { keyspace } = setup();
    const db = keyspace.db(0);
    for (let i = 0; i < 3000; i++) db.set(`k${i}`, 'v', undefined, NOW);
    const snapshot = keyspace.beginSnapshot();
    snapshot.step(10, () => {});
    for (let i = 0; i < 2500; i++) db.delete(`k${i}`, NOW);
    snapshot.abort();
    expect(keyspace.snapshotActive).toBe(false);
    expect(snapshot.active).toBe(false);
    expect(() => snapshot.step(10, () => {})).toThrow(/aborted/);
    snapshot.abort();
    // The deferred shrink ran; a new snapshot sees the new dataset.
    expect((db as unknown as { store: { bucketCount: number } }).store.bucketCount).toBe(2048);
    db.flush();
    db.set('x', 'y', undefined, NOW);
    expect(expectPointInTime(keyspace, 10, () => {})).toEqual(new Map([['0:x', { digest: digestValue('y'), expireAt: undefined }]]));
  });

  it('walks a million keys in steps that stay within the budget plus one chain', () => {
    const { keyspace } = setup(1);
    const db = keyspace.db(0);
    for (let i = 0; i < 1_000_000; i++) db.set(`key:${i}`, 'v', undefined, NOW);
    const snapshot = keyspace.beginSnapshot();
    const budget = 1000;
    let total = 0;
    let largest = 0;
    let slowest = 0;
    let steps = 0;
    for (let done = false; !done; ) {
      let inStep = 0;
      const started = performance.now();
      done = snapshot.step(budget, () => {
        inStep++;
      });
      slowest = Math.max(slowest, performance.now() - started);
      total += inStep;
      largest = Math.max(largest, inStep);
      steps++;
      if (steps % 50 === 0) db.set(`key:${steps}`, 'written meanwhile', undefined, NOW);
    }
    expect(total).toBe(1_000_000);
    expect(largest).toBeLessThanOrEqual(budget + 16);
    expect(steps).toBeLessThan(1_100);
    expect(slowest).toBeLessThan(100);
  }, 60_000);
});
