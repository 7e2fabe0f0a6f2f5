import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { digestValue } from '../digest.js';
import { DEFAULT_ENCODING_LIMITS, type EncodingLimits } from './encoding.js';
import { HashValue } from './hash.js';

const limits = (entries: number, value: number): EncodingLimits => ({
  ...DEFAULT_ENCODING_LIMITS,
  hashMaxListpackEntries: entries,
  hashMaxListpackValue: value,
});
const small = limits(4, 8);

function hashOf(...pairs: Array<[string, string]>): HashValue {
  const hash = new HashValue();
  for (const [f, v] of pairs) hash.set(f, v);
  return hash;
}

describe('HashValue fields', () => {
  it('sets, replaces, reads and deletes fields', () => {
    const hash = new HashValue();
    expect(hash.type).toBe('hash');
    expect(hash.size).toBe(0);
    expect(hash.set('f', 'v1')).toBe(true);
    expect(hash.set('f', 'v2')).toBe(false);
    expect(hash.get('f')).toBe('v2');
    expect(hash.setIfAbsent('f', 'v3')).toBe(false);
    expect(hash.setIfAbsent('g', '')).toBe(true);
    expect(hash.get('g')).toBe('');
    expect(hash.has('g')).toBe(true);
    expect(hash.get('nope')).toBeUndefined();
    expect(hash.size).toBe(2);
    expect(hash.delete('f')).toBe(true);
    expect(hash.delete('f')).toBe(false);
    expect(hash.size).toBe(1);
  });

  it('is binary safe in fields and values', () => {
    const hash = hashOf(['\x00', '\xff\r\n'], ['', 'empty field'], ['a\x00b', '']);
    expect(hash.get('\x00')).toBe('\xff\r\n');
    expect(hash.get('')).toBe('empty field');
    expect(hash.get('a\x00b')).toBe('');
    expect(hash.get('a')).toBeUndefined();
  });

  it('iterates every pair with forEach and entries', () => {
    const hash = hashOf(['a', '1'], ['b', '2'], ['c', '3']);
    const seen = new Map<string, string>();
    hash.forEach((f, v) => seen.set(f, v));
    expect(seen).toEqual(new Map([['a', '1'], ['b', '2'], ['c', '3']]));
    expect(new Map(hash.entries())).toEqual(seen);
  });

  it('scans every field of a big hash with a cursor', () => {
    const hash = new HashValue();
    for (let i = 0; i < 500; i++) hash.set(`f${i}`, `v${i}`);
    const seen = new Map<string, string>();
    let cursor = 0;
    do {
      cursor = hash.scan(cursor, 10, (f, v) => seen.set(f, v));
    } while (cursor !== 0);
    expect(seen.size).toBe(500);
    for (let i = 0; i < 500; i++) expect(seen.get(`f${i}`)).toBe(`v${i}`);
  });
});

describe('HashValue random picks', () => {
  it('randomSlot gives a field and its value, -1 when empty', () => {
    expect(new HashValue().randomSlot()).toBe(-1);
    const hash = hashOf(['a', '1'], ['b', '2']);
    for (let i = 0; i < 20; i++) {
      const slot = hash.randomSlot();
      const field = hash.fieldAt(slot);
      expect(['a', 'b']).toContain(field);
      expect(hash.valueAt(slot)).toBe(hash.get(field));
    }
  });

  it('randomDistinctSlots gives count distinct fields, or all of them', () => {
    const hash = new HashValue();
    for (let i = 0; i < 100; i++) hash.set(`f${i}`, `v${i}`);
    for (const count of [1, 5, 33, 34, 60, 99, 100, 150]) {
      const slots = hash.randomDistinctSlots(count);
      expect(slots.length).toBe(Math.min(count, 100));
      const fields = slots.map((s) => hash.fieldAt(s));
      expect(new Set(fields).size).toBe(fields.length);
      for (const s of slots) expect(hash.valueAt(s)).toBe(`v${hash.fieldAt(s).slice(1)}`);
    }
    expect(hash.randomDistinctSlots(0)).toEqual([]);
  });

  it('randomDistinctSlots picks every field sometimes on both strategies', () => {
    const hash = new HashValue();
    for (let i = 0; i < 30; i++) hash.set(`f${i}`, '');
    for (const count of [3, 20]) {
      const seen = new Set<string>();
      for (let round = 0; round < 300; round++) for (const s of hash.randomDistinctSlots(count)) seen.add(hash.fieldAt(s));
      expect(seen.size).toBe(30);
    }
  });
});

describe('HashValue encoding', () => {
  it('is listpack while within both limits', () => {
    const hash = hashOf(['a', '12345678'], ['12345678', 'b'], ['c', ''], ['d', 'x']);
    expect(hash.encoding(small)).toBe('listpack');
    expect(new HashValue().encoding(small)).toBe('listpack');
  });

  it('becomes hashtable past the entry limit and stays so after deletes', () => {
    const hash = hashOf(['a', '1'], ['b', '2'], ['c', '3'], ['d', '4']);
    hash.set('e', '5');
    expect(hash.encoding(small)).toBe('hashtable');
    hash.delete('e');
    hash.delete('d');
    expect(hash.size).toBe(3);
    expect(hash.encoding(small)).toBe('hashtable');
  });

  it('becomes hashtable for a long field or value, also when only a value is replaced', () => {
    expect(hashOf(['123456789', 'v']).encoding(small)).toBe('hashtable');
    expect(hashOf(['f', '123456789']).encoding(small)).toBe('hashtable');
    const replaced = hashOf(['f', 'short']);
    replaced.set('f', '123456789');
    replaced.set('f', 'short');
    expect(replaced.encoding(small)).toBe('hashtable');
  });

  it('counts a setIfAbsent that added, not one that was refused', () => {
    const hash = hashOf(['f', 'v']);
    hash.setIfAbsent('f', '123456789');
    expect(hash.encoding(small)).toBe('listpack');
    hash.setIfAbsent('g', '123456789');
    expect(hash.encoding(small)).toBe('hashtable');
  });

  it('a size hint above the entry limit converts up front (HSET with many pairs)', () => {
    const hash = new HashValue();
    hash.noteSizeHint(5);
    hash.set('a', '1');
    expect(hash.size).toBe(1);
    expect(hash.encoding(small)).toBe('hashtable');
    const fits = new HashValue();
    fits.noteSizeHint(4);
    fits.set('a', '1');
    expect(fits.encoding(small)).toBe('listpack');
  });

  it('judges against the limits it is given (exactly at a limit is still listpack)', () => {
    const hash = new HashValue();
    for (let i = 0; i < 128; i++) hash.set(`f${i}`, 'x'.repeat(64));
    expect(hash.encoding(limits(128, 64))).toBe('listpack');
    expect(hash.encoding(limits(127, 64))).toBe('hashtable');
    expect(hash.encoding(limits(128, 63))).toBe('hashtable');
    hash.set('f128', '');
    expect(hash.encoding(limits(128, 64))).toBe('hashtable');
    expect(hash.encoding(DEFAULT_ENCODING_LIMITS)).toBe('listpack');
  });

  it('with limits of 0 any field makes it a hashtable, empty strings do not', () => {
    expect(hashOf(['', '']).encoding(limits(1, 0))).toBe('listpack');
    expect(hashOf(['', '']).encoding(limits(0, 64))).toBe('hashtable');
  });
});

describe('HashValue clone and digest', () => {
  it('clone is a deep copy keeping the encoding history', () => {
    const hash = hashOf(['a', '1'], ['b', '123456789']);
    hash.set('b', '2');
    const copy = hash.clone();
    expect(copy).not.toBe(hash);
    expect(new Map(copy.entries())).toEqual(new Map(hash.entries()));
    expect(copy.encoding(small)).toBe('hashtable');
    copy.set('c', '3');
    copy.delete('a');
    expect(hash.get('c')).toBeUndefined();
    expect(hash.get('a')).toBe('1');
    expect(copy.size).toBe(2);
    expect(hashOf(['a', '1']).clone().encoding(small)).toBe('listpack');
  });

  it('digestView is the hash view of its pairs, independent of insertion order', () => {
    const pairs: Array<[string, string]> = [];
    for (let i = 0; i < 50; i++) pairs.push([`f${i}`, `v${i}`]);
    const forward = hashOf(...pairs);
    const backward = hashOf(...[...pairs].reverse());
    const view = forward.digestView();
    expect(view.type).toBe('hash');
    if (view.type === 'hash') expect(new Map([...view.fields])).toEqual(new Map(pairs));
    expect(digestValue(forward)).toBe(digestValue({ type: 'hash', fields: pairs }));
    expect(digestValue(backward)).toBe(digestValue(forward));
    expect(digestValue(forward)).not.toBe(digestValue(hashOf(...pairs.slice(1))));
  });
});

describe('HashValue against a Map model', () => {
  it('agrees with a Map under random writes', () => {
    const field = fc.constantFrom('a', 'b', 'c', 'd', '', '\x00', 'long-field-name-x');
    const op = fc.oneof(
      fc.tuple(fc.constant('set' as const), field, fc.string({ maxLength: 12 })),
      fc.tuple(fc.constant('setnx' as const), field, fc.string({ maxLength: 12 })),
      fc.tuple(fc.constant('del' as const), field, fc.constant('')),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
        const hash = new HashValue();
        const model = new Map<string, string>();
        let peak = 0;
        let longest = 0;
        for (const [kind, f, v] of ops) {
          if (kind === 'set') {
            expect(hash.set(f, v)).toBe(!model.has(f));
            model.set(f, v);
          } else if (kind === 'setnx') {
            const added = !model.has(f);
            expect(hash.setIfAbsent(f, v)).toBe(added);
            if (added) model.set(f, v);
            else continue;
          } else {
            expect(hash.delete(f)).toBe(model.delete(f));
            continue;
          }
          peak = Math.max(peak, model.size);
          longest = Math.max(longest, f.length, v.length);
        }
        expect(hash.size).toBe(model.size);
        expect(new Map(hash.entries())).toEqual(model);
        expect(hash.encoding(small)).toBe(peak <= 4 && longest <= 8 ? 'listpack' : 'hashtable');
      }),
    );
  });
});
