/**
 * Model test of the point-in-time snapshot: random datasets (all value types,
 * expiry), random interleavings of every Database/Keyspace mutator, in-place
 * changes of looked-up collections, expiry deletions and snapshot steps of
 * random budgets. The snapshot must emit exactly the dataset of its start,
 * each key once; the live dataset afterwards must equal a model that
 * applied the same writes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KEEP_TTL } from './database.js';
import { type DigestView, digestValue } from './digest.js';
import { Keyspace } from './keyspace.js';
import { HashValue } from './types/hash.js';
import { ListValue } from './types/list.js';
import { SetValue } from './types/set.js';
import { SortedSetValue } from './types/sorted-set.js';
import type { StoredValue } from './values.js';

const DATABASES = 3;
const START = 1_700_000_000_000;
const LARGE = 'L'.repeat(70_000);

/** A value as the model holds it: plain data. */
type ModelValue =
  | { t: 'string'; s: string }
  | { t: 'list'; items: string[] }
  | { t: 'hash'; fields: Map<string, string> }
  | { t: 'set'; members: Set<string> }
  | { t: 'zset'; scores: Map<string, number> };

interface ModelEntry {
  value: ModelValue;
  /** unix ms, 0 = none (as the store keeps it). */
  expireAt: number;
}

type Model = Array<Map<string, ModelEntry>>;

const element = fc.string({ unit: fc.constantFrom('a', 'b', 'c', '\x00', '\xff', '1'), maxLength: 4 });

const valueSpec: fc.Arbitrary<ModelValue> = fc.oneof(
  fc.oneof(element, fc.constant(LARGE)).map((s): ModelValue => ({ t: 'string', s })),
  fc.array(element, { minLength: 1, maxLength: 5 }).map((items): ModelValue => ({ t: 'list', items })),
  fc
    .array(fc.tuple(element, element), { minLength: 1, maxLength: 5 })
    .map((pairs): ModelValue => ({ t: 'hash', fields: new Map(pairs) })),
  fc.array(element, { minLength: 1, maxLength: 5 }).map((m): ModelValue => ({ t: 'set', members: new Set(m) })),
  fc
    .array(fc.tuple(element, fc.integer({ min: -5, max: 5 })), { minLength: 1, maxLength: 5 })
    .map((pairs): ModelValue => ({ t: 'zset', scores: new Map(pairs) })),
);

/** Keys from a small pool with a few hot ones, so that writes hit the same keys again and again. */
const key = fc.oneof(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 24 })).map((n) => `key:${n}`);
const db = fc.integer({ min: 0, max: DATABASES - 1 });
/** An expiry relative to the clock: none, past (logically expired), or soon. */
const expiry = fc.oneof(fc.constant(undefined), fc.integer({ min: -20, max: 200 }));

type Op =
  | { op: 'set'; db: number; key: string; value: ModelValue; ttl: number | undefined | 'keep' }
  | { op: 'replace'; db: number; key: string; value: ModelValue }
  | { op: 'delete'; db: number; key: string }
  | { op: 'expire'; db: number; key: string; ttl: number }
  | { op: 'persist'; db: number; key: string }
  | { op: 'mutate'; db: number; key: string; how: 'lookup' | 'noTouch' | 'peek'; seed: number; element: string; storeAgain: boolean }
  | { op: 'readonly'; db: number; key: string }
  | { op: 'rename'; db: number; from: string; to: string }
  | { op: 'advance'; ms: number }
  | { op: 'sweep'; db: number; budget: number }
  | { op: 'random'; db: number }
  | { op: 'swap'; a: number; b: number }
  | { op: 'flush'; db: number }
  | { op: 'flushAll' }
  | { op: 'bulkInsert'; db: number; count: number }
  | { op: 'bulkDelete'; db: number }
  | { op: 'step'; budget: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: fc.constant('set' as const), db, key, value: valueSpec, ttl: fc.oneof(expiry, fc.constant('keep' as const)) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('replace' as const), db, key, value: valueSpec }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('delete' as const), db, key }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('expire' as const), db, key, ttl: fc.integer({ min: -20, max: 200 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('persist' as const), db, key }) },
  {
    weight: 8,
    arbitrary: fc.record({
      op: fc.constant('mutate' as const),
      db,
      key,
      how: fc.constantFrom('lookup' as const, 'noTouch' as const, 'peek' as const),
      seed: fc.nat(),
      element,
      storeAgain: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('readonly' as const), db, key }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('rename' as const), db, from: key, to: key }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 80 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('sweep' as const), db, budget: fc.integer({ min: 1, max: 30 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('random' as const), db }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('swap' as const), a: db, b: db }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('flush' as const), db }) },
  { weight: 1, arbitrary: fc.constant({ op: 'flushAll' as const }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('bulkInsert' as const), db, count: fc.integer({ min: 100, max: 2500 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('bulkDelete' as const), db }) },
  { weight: 8, arbitrary: fc.record({ op: fc.constant('step' as const), budget: fc.integer({ min: 1, max: 40 }) }) },
);

const dataset = fc.array(fc.tuple(db, key, valueSpec, expiry), { maxLength: 60, size: 'max' });
/** Keys added to the initial dataset of db 0, so that its table sometimes starts larger than the minimum. */
const initialBulk = fc.constantFrom(0, 0, 1500);

function toStored(v: ModelValue): StoredValue {
  switch (v.t) {
    case 'string':
      return v.s;
    case 'list':
      return ListValue.from(v.items);
    case 'hash': {
      const hash = new HashValue();
      for (const [f, x] of v.fields) hash.set(f, x);
      return hash;
    }
    case 'set': {
      const set = new SetValue();
      for (const m of v.members) set.add(m);
      return set;
    }
    case 'zset': {
      const zset = new SortedSetValue();
      for (const [m, s] of v.scores) zset.set(m, s);
      return zset;
    }
  }
}

function copyModelValue(v: ModelValue): ModelValue {
  switch (v.t) {
    case 'string':
      return v;
    case 'list':
      return { t: 'list', items: [...v.items] };
    case 'hash':
      return { t: 'hash', fields: new Map(v.fields) };
    case 'set':
      return { t: 'set', members: new Set(v.members) };
    case 'zset':
      return { t: 'zset', scores: new Map(v.scores) };
  }
}

function digestOfModel(v: ModelValue): string {
  let view: string | DigestView;
  switch (v.t) {
    case 'string':
      view = v.s;
      break;
    case 'list':
      view = { type: 'list', elements: v.items };
      break;
    case 'hash':
      view = { type: 'hash', fields: [...v.fields] };
      break;
    case 'set':
      view = { type: 'set', members: v.members };
      break;
    case 'zset':
      view = { type: 'zset', entries: [...v.scores] };
      break;
  }
  return digestValue(view);
}

/** "db:key" -> "digest@expiry" of every raw entry in the model. */
function materializeModel(model: Model): Map<string, string> {
  const out = new Map<string, string>();
  model.forEach((entries, index) => {
    for (const [k, e] of entries) out.set(`${index}:${k}`, `${digestOfModel(e.value)}@${e.expireAt}`);
  });
  return out;
}

/** The same for the live keyspace. */
function materializeKeyspace(keyspace: Keyspace): Map<string, string> {
  const out = new Map<string, string>();
  for (const d of keyspace.databases) {
    for (const [k, v] of d.entries()) out.set(`${d.index}:${k}`, `${digestValue(v)}@${d.getExpireAt(k) ?? 0}`);
  }
  return out;
}

/**
 * Changes `live` (a collection just looked up) and the model's copy the same
 * way, keeping both non-empty. `seed` picks add or remove.
 */
function mutateBoth(live: StoredValue, model: ModelValue, seed: number, elem: string): void {
  const remove = seed % 3 === 0;
  if (typeof live === 'string' || model.t === 'string') throw new Error('not a collection');
  switch (model.t) {
    case 'list': {
      const list = live as ListValue;
      if (remove && model.items.length > 1) {
        list.popHead();
        model.items.shift();
      } else {
        list.pushTail(elem);
        model.items.push(elem);
      }
      return;
    }
    case 'hash': {
      const hash = live as HashValue;
      const first = [...model.fields.keys()][seed % model.fields.size]!;
      if (remove && model.fields.size > 1) {
        hash.delete(first);
        model.fields.delete(first);
      } else {
        hash.set(elem, `${seed}`);
        model.fields.set(elem, `${seed}`);
      }
      return;
    }
    case 'set': {
      const set = live as SetValue;
      const first = [...model.members][seed % model.members.size]!;
      if (remove && model.members.size > 1) {
        set.delete(first);
        model.members.delete(first);
      } else {
        set.add(elem);
        model.members.add(elem);
      }
      return;
    }
    case 'zset': {
      const zset = live as SortedSetValue;
      const first = [...model.scores.keys()][seed % model.scores.size]!;
      if (remove && model.scores.size > 1) {
        zset.delete(first);
        model.scores.delete(first);
      } else {
        const score = (seed % 11) - 5;
        zset.set(elem, score);
        model.scores.set(elem, score);
      }
      return;
    }
  }
}

function run(
  initial: Array<[number, string, ModelValue, number | undefined]>,
  initialBulk: number,
  ops: Op[],
  follower: boolean,
): void {
  let now = START;
  const model: Model = Array.from({ length: DATABASES }, () => new Map());
  const keyspace = new Keyspace({
    databases: DATABASES,
    onExpired: (index, k) => {
      const entry = model[index]!.get(k);
      // Only keys whose time has come may expire.
      expect(entry !== undefined && entry.expireAt !== 0 && entry.expireAt <= now).toBe(true);
      model[index]!.delete(k);
    },
  });
  if (follower) keyspace.setExpiryMode('hide');
  const setBoth = (index: number, k: string, value: ModelValue, ttl: number | undefined | 'keep'): void => {
    const d = keyspace.db(index);
    const absolute = ttl === undefined || ttl === 'keep' ? ttl : now + ttl;
    d.set(k, toStored(value), absolute === 'keep' ? KEEP_TTL : absolute, now);
    const previous = model[index]!.get(k);
    const expireAt = absolute === 'keep' ? (previous?.expireAt ?? 0) : (absolute ?? 0);
    model[index]!.set(k, { value: copyModelValue(value), expireAt });
  };

  let bulk = 0;
  for (const [index, k, value, ttl] of initial) setBoth(index, k, value, ttl);
  for (let i = 0; i < initialBulk; i++) setBoth(0, `bulk:${bulk++}`, { t: 'string', s: `${i}` }, i % 5 === 0 ? 100 : undefined);
  const atStart = materializeModel(model);
  expect(materializeKeyspace(keyspace)).toEqual(atStart);

  const snapshot = keyspace.beginSnapshot();
  const emitted = new Map<string, string>();
  let done = false;
  const step = (budget: number): void => {
    if (done) return;
    let inStep = 0;
    done = snapshot.step(budget, (index, k, value, expireAt) => {
      const id = `${index}:${k}`;
      expect(emitted.has(id), `duplicate ${id}`).toBe(false);
      emitted.set(id, `${digestValue(value)}@${expireAt ?? 0}`);
      inStep++;
    });
    // A step finishes its last bucket: chains are short (at most one key per bucket on average).
    expect(inStep).toBeLessThanOrEqual(budget + 24);
  };

  for (const o of ops) {
    switch (o.op) {
      case 'set':
        setBoth(o.db, o.key, o.value, o.ttl);
        break;
      case 'replace': {
        if (!keyspace.db(o.db).has(o.key, now)) break;
        keyspace.db(o.db).replaceValue(o.key, toStored(o.value), now);
        model[o.db]!.get(o.key)!.value = copyModelValue(o.value);
        break;
      }
      case 'delete':
        // A leader reports an expired key through onExpired instead of deleting it.
        if (keyspace.db(o.db).delete(o.key, now)) model[o.db]!.delete(o.key);
        break;
      case 'expire': {
        const entry = model[o.db]!.get(o.key);
        keyspace.db(o.db).setExpireAt(o.key, now + o.ttl);
        if (entry !== undefined) entry.expireAt = now + o.ttl;
        break;
      }
      case 'persist': {
        const entry = model[o.db]!.get(o.key);
        expect(keyspace.db(o.db).persist(o.key)).toBe(entry !== undefined && entry.expireAt !== 0);
        if (entry !== undefined) entry.expireAt = 0;
        break;
      }
      case 'mutate': {
        const d = keyspace.db(o.db);
        const value = o.how === 'lookup' ? d.lookup(o.key, now) : o.how === 'noTouch' ? d.lookupWithoutTouch(o.key, now) : d.peek(o.key);
        if (value === undefined || typeof value === 'string') break;
        mutateBoth(value, model[o.db]!.get(o.key)!.value, o.seed, o.element);
        if (o.storeAgain) d.replaceValue(o.key, value, now);
        break;
      }
      case 'readonly': {
        keyspace.accessIsReadOnly = true;
        keyspace.db(o.db).lookup(o.key, now);
        keyspace.db(o.db).peek(o.key);
        keyspace.accessIsReadOnly = false;
        break;
      }
      case 'rename': {
        // RENAME as handlers do it: take the value, delete the source, store it under the target with its TTL.
        const d = keyspace.db(o.db);
        const value = d.lookup(o.from, now);
        if (value === undefined || o.from === o.to) break;
        const expireAt = d.getExpireAt(o.from);
        d.delete(o.from, now);
        d.set(o.to, value, expireAt, now);
        const entry = model[o.db]!.get(o.from)!;
        model[o.db]!.delete(o.from);
        model[o.db]!.set(o.to, entry);
        break;
      }
      case 'advance':
        now += o.ms;
        break;
      case 'sweep':
        keyspace.db(o.db).sweepExpired(now, o.budget);
        break;
      case 'random':
        keyspace.db(o.db).randomKey(now);
        break;
      case 'swap':
        keyspace.swap(o.a, o.b);
        [model[o.a], model[o.b]] = [model[o.b]!, model[o.a]!];
        break;
      case 'flush':
        keyspace.db(o.db).flush();
        model[o.db]!.clear();
        break;
      case 'flushAll':
        keyspace.flushAll();
        for (const entries of model) entries.clear();
        break;
      case 'bulkInsert':
        for (let i = 0; i < o.count; i++) setBoth(o.db, `bulk:${bulk++}`, { t: 'string', s: 'b' }, i % 7 === 0 ? 50 : undefined);
        break;
      case 'bulkDelete':
        for (const k of [...model[o.db]!.keys()]) {
          if (k.startsWith('bulk:') && keyspace.db(o.db).delete(k, now)) model[o.db]!.delete(k);
        }
        break;
      case 'step':
        step(o.budget);
        break;
    }
  }
  while (!done) step(37);

  expect(keyspace.snapshotActive).toBe(false);
  expect(emitted).toEqual(atStart);
  const perDb = snapshot.databases.map((d) => ({ ...d }));
  const expectedPerDb = [];
  for (let index = 0; index < DATABASES; index++) {
    const keys = [...atStart.keys()].filter((id) => id.startsWith(`${index}:`));
    if (keys.length === 0) continue;
    const expiring = keys.filter((id) => !atStart.get(id)!.endsWith('@0')).length;
    expectedPerDb.push({ index, keys: keys.length, expiring });
  }
  expect(perDb).toEqual(expectedPerDb);

  expect(materializeKeyspace(keyspace)).toEqual(materializeModel(model));
  model.forEach((entries, index) => {
    const d = keyspace.db(index);
    expect(d.size).toBe(entries.size);
    expect(d.expiringCount).toBe([...entries.values()].filter((e) => e.expireAt !== 0).length);
  });
  // The keyspace is free for the next snapshot, which sees the live dataset.
  const next = keyspace.beginSnapshot();
  const again = new Map<string, string>();
  while (!next.step(1000, (index, k, v, e) => again.set(`${index}:${k}`, `${digestValue(v)}@${e ?? 0}`)));
  expect(again).toEqual(materializeModel(model));
}

describe('Keyspace snapshot (model)', () => {
  it('emits exactly the dataset of its start while every kind of write goes on, and the writes all land', () => {
    fc.assert(
      fc.property(dataset, initialBulk, fc.array(op, { maxLength: 100, size: 'max' }), fc.boolean(), (initial, bulk, ops, follower) => {
        run(initial, bulk, ops, follower);
      }),
      { numRuns: 200 },
    );
  }, 120_000);
});
