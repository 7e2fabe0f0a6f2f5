import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StringStore } from './string-store.js';

function get(store: StringStore, key: string): string | undefined {
  const ref = store.find(key);
  return ref === 0 ? undefined : (store.valueOf(ref) as string);
}

function scanAll(store: StringStore, count: number, between?: (step: number) => void): string[] {
  const keys: string[] = [];
  let cursor = 0;
  let step = 0;
  do {
    cursor = store.scan(cursor, count, (ref) => keys.push(store.keyOf(ref)));
    between?.(step++);
  } while (cursor !== 0);
  return keys;
}

describe('StringStore', () => {
  it('round-trips binary keys and values, empty ones included', () => {
    const store = new StringStore();
    const samples: Array<[string, string]> = [
      ['', ''],
      ['\x00', '\xff\x00\r\n'],
      ['k'.repeat(1000), 'v'.repeat(70_000)],
      ['é\x80', 'x'],
    ];
    for (const [k, v] of samples) store.set(k, v, 0);
    for (const [k, v] of samples) expect(get(store, k)).toBe(v);
    expect(store.size).toBe(samples.length);
  });

  it('overwrites in place, grows a value into a new record, and keeps or clears expiry as asked', () => {
    const store = new StringStore();
    store.set('a', 'short', 1000);
    store.set('a', 'tiny', -1);
    expect(get(store, 'a')).toBe('tiny');
    expect(store.expireAtOf(store.find('a'))).toBe(1000);
    store.set('a', 'a much longer value than before', -1);
    expect(get(store, 'a')).toBe('a much longer value than before');
    expect(store.expireAtOf(store.find('a'))).toBe(1000);
    expect(store.expiringCount).toBe(1);
    store.set('a', 'x', 0);
    expect(store.expireAtOf(store.find('a'))).toBe(0);
    expect(store.expiringCount).toBe(0);
  });

  it('moves values between the arena and the large-value side table', () => {
    const store = new StringStore();
    const big = 'b'.repeat(100_000);
    store.set('k', 'small', 0);
    store.set('k', big, 0);
    expect(get(store, 'k')).toBe(big);
    expect(store.valueLengthOf(store.find('k'))).toBe(100_000);
    store.set('k', 'small again', 0);
    expect(get(store, 'k')).toBe('small again');
    expect(store.remove('k')).toBe(true);
    expect(store.size).toBe(0);
  });

  it('agrees with a Map under random operations (growth, shrink, compaction)', () => {
    const key = fc.oneof(fc.integer({ min: 0, max: 300 }).map((n) => `key:${n}`), fc.string({ maxLength: 4 }));
    const value = fc.oneof(fc.string({ maxLength: 40 }), fc.constant('x'.repeat(70_000)), fc.constant(''));
    const op = fc.oneof(
      fc.record({ kind: fc.constant('set' as const), key, value, expireAt: fc.integer({ min: -1, max: 3 }) }),
      fc.record({ kind: fc.constant('remove' as const), key }),
      fc.record({ kind: fc.constant('clear' as const) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 2000 }), (ops) => {
        const store = new StringStore();
        const model = new Map<string, { value: string; expireAt: number }>();
        for (const o of ops) {
          if (o.kind === 'set') {
            const previous = model.get(o.key)?.expireAt ?? 0;
            model.set(o.key, { value: o.value, expireAt: o.expireAt === -1 ? previous : o.expireAt });
            store.set(o.key, o.value, o.expireAt);
          } else if (o.kind === 'remove') {
            expect(store.remove(o.key)).toBe(model.delete(o.key));
          } else {
            store.clear();
            model.clear();
          }
        }
        expect(store.size).toBe(model.size);
        expect(store.expiringCount).toBe([...model.values()].filter((e) => e.expireAt !== 0).length);
        for (const [k, e] of model) {
          const ref = store.find(k);
          expect(ref).not.toBe(0);
          expect(store.valueOf(ref)).toBe(e.value);
          expect(store.expireAtOf(ref)).toBe(e.expireAt);
        }
        expect(new Set(scanAll(store, 7))).toEqual(new Set(model.keys()));
      }),
      { numRuns: 60 },
    );
  });

  it('survives many inserts and deletes (compaction) with every key intact', () => {
    const store = new StringStore();
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 20_000; i++) store.set(`k${i}`, `value-${round}-${i}`, 0);
      for (let i = 0; i < 20_000; i += 2) store.remove(`k${i}`);
    }
    expect(store.size).toBe(10_000);
    for (let i = 1; i < 20_000; i += 2) expect(get(store, `k${i}`)).toBe(`value-4-${i}`);
  });

  it('SCAN returns every key present throughout, while the table grows and shrinks between calls', () => {
    const store = new StringStore();
    for (let i = 0; i < 3000; i++) store.set(`stable${i}`, 'v', 0);
    const seen = new Set(
      scanAll(store, 10, (step) => {
        // Grow hard early, then shrink: both resize directions happen mid-scan.
        if (step < 20) for (let i = 0; i < 1000; i++) store.set(`churn${step}:${i}`, 'v', 0);
        else if (step === 20) for (let s = 0; s < 20; s++) for (let i = 0; i < 1000; i++) store.remove(`churn${s}:${i}`);
      }),
    );
    for (let i = 0; i < 3000; i++) expect(seen.has(`stable${i}`)).toBe(true);
  });

  it('randomRecord reaches every key', () => {
    const store = new StringStore();
    expect(store.randomRecord()).toBe(0);
    for (let i = 0; i < 30; i++) store.set(`k${i}`, 'v', 0);
    const seen = new Set<string>();
    for (let i = 0; i < 3000; i++) seen.add(store.keyOf(store.randomRecord()));
    expect(seen.size).toBe(30);
  });
});
