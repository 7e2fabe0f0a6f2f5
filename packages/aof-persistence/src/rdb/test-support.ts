/**
 * Helpers for the RDB codec's tests (not exported from the package): a
 * receiver that collects a decoded dataset, a plain-data view of datasets
 * for deep comparisons, and the digest source shape of keyspace's
 * digestDataset.
 */
import { HashValue, ListValue, SetValue, SortedSetValue, type StoredValue } from '@aki/keyspace';
import type { DigestSource, DigestValue } from '@aki/keyspace';
import type { DatasetReceiver } from '../dataset.js';

export interface Entry {
  value: StoredValue;
  expireAt: number | undefined;
}

/** A dataset: db number -> key -> entry. */
export type Dataset = Map<number, Map<string, Entry>>;

export class Collector implements DatasetReceiver {
  readonly dbs: Dataset = new Map();
  readonly auxFields: Array<[string, string]> = [];
  readonly hints: Array<[number, number, number]> = [];

  aux(name: string, value: string): void {
    this.auxFields.push([name, value]);
  }

  resizeHint(db: number, keys: number, expiring: number): void {
    this.hints.push([db, keys, expiring]);
  }

  entry(db: number, key: string, value: StoredValue, expireAt: number | undefined): void {
    let keys = this.dbs.get(db);
    if (keys === undefined) this.dbs.set(db, (keys = new Map()));
    keys.set(key, { value, expireAt });
  }
}

/** A value as plain data: type and contents, sets sorted, hashes as sorted pairs, zsets in rank order. */
export type PlainValue =
  | { type: 'string'; value: string }
  | { type: 'list'; value: string[] }
  | { type: 'set'; value: string[] }
  | { type: 'hash'; value: Array<[string, string]> }
  | { type: 'zset'; value: Array<[string, number]> };

export function plainValue(value: StoredValue): PlainValue {
  if (typeof value === 'string') return { type: 'string', value };
  switch (value.type) {
    case 'list':
      return { type: 'list', value: value.toArray() };
    case 'set':
      return { type: 'set', value: value.toArray().sort() };
    case 'hash':
      return { type: 'hash', value: [...value.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)) };
    case 'zset':
      return { type: 'zset', value: [...value.entries()] };
  }
}

/** db -> key -> { plain value, expireAt } as nested plain objects (for toEqual). */
export function plainDataset(dbs: Dataset): Record<string, Record<string, { value: PlainValue; expireAt: number | null }>> {
  const out: Record<string, Record<string, { value: PlainValue; expireAt: number | null }>> = {};
  for (const [db, keys] of [...dbs].sort((a, b) => a[0] - b[0])) {
    if (keys.size === 0) continue;
    const o: Record<string, { value: PlainValue; expireAt: number | null }> = {};
    for (const [key, e] of keys) o[key] = { value: plainValue(e.value), expireAt: e.expireAt ?? null };
    out[String(db)] = o;
  }
  return out;
}

/** A fixture's JSON (see the fixtures README) in the shape of `plainDataset`. */
export function plainFromFixtureJson(
  json: Record<string, Record<string, { type: string; value: unknown; pexpireat: number | null }>>,
): ReturnType<typeof plainDataset> {
  const out: ReturnType<typeof plainDataset> = {};
  for (const [db, keys] of Object.entries(json)) {
    const o: Record<string, { value: PlainValue; expireAt: number | null }> = {};
    for (const [key, e] of Object.entries(keys)) {
      let value: PlainValue;
      switch (e.type) {
        case 'string':
          value = { type: 'string', value: e.value as string };
          break;
        case 'list':
          value = { type: 'list', value: e.value as string[] };
          break;
        case 'set':
          value = { type: 'set', value: [...(e.value as string[])].sort() };
          break;
        case 'hash':
          value = {
            type: 'hash',
            value: Object.entries(e.value as Record<string, string>).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)),
          };
          break;
        case 'zset':
          value = { type: 'zset', value: (e.value as Array<[string, string]>).map(([m, s]) => [m, scoreFromText(s)]) };
          break;
        default:
          throw new Error(`fixture type ${e.type}`);
      }
      o[key] = { value, expireAt: e.pexpireat };
    }
    out[db] = o;
  }
  return out;
}

function scoreFromText(s: string): number {
  if (s === 'inf') return Infinity;
  if (s === '-inf') return -Infinity;
  return Number(s);
}

/** Builds keyspace values from plain data (the generators' output). */
export function buildValue(v: PlainValue): StoredValue {
  switch (v.type) {
    case 'string':
      return v.value;
    case 'list':
      return ListValue.from(v.value);
    case 'set': {
      const s = new SetValue();
      for (const m of v.value) s.add(m);
      return s;
    }
    case 'hash': {
      const h = new HashValue();
      for (const [f, x] of v.value) h.set(f, x);
      return h;
    }
    case 'zset': {
      const z = new SortedSetValue();
      for (const [m, score] of v.value) z.set(m, score);
      return z;
    }
  }
}

/** A dataset as digestDataset's sources. */
export function digestSources(dbs: Dataset): DigestSource[] {
  return [...dbs].map(([index, keys]) => ({
    index,
    size: keys.size,
    *entries(): IterableIterator<[string, DigestValue]> {
      for (const [key, e] of keys) yield [key, e.value];
    },
    getExpireAt: (key: string) => keys.get(key)?.expireAt,
  }));
}
