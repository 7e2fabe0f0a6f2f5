import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { digestValue } from '../digest.js';
import { DEFAULT_ENCODING_LIMITS, type EncodingLimits } from './encoding.js';
import { SetValue } from './set.js';

const L = DEFAULT_ENCODING_LIMITS;
const ints = (from: number, count: number) => Array.from({ length: count }, (_, i) => String(from + i));
const words = (count: number, prefix = 'm') => Array.from({ length: count }, (_, i) => `${prefix}${i}`);

/** Builds a set the way SADD key m1 m2 ... does: created for the first member with the argument count as hint. */
function sadd(members: string[], set?: SetValue): SetValue {
  if (set === undefined) set = SetValue.forFirstMember(members[0]!, members.length);
  else set.noteSizeHint(members.length);
  for (const m of members) set.add(m);
  return set;
}

describe('SetValue basics', () => {
  it('adds, finds and removes binary-safe members', () => {
    const set = new SetValue();
    expect(set.type).toBe('set');
    expect(set.add('a\x00b')).toBe(true);
    expect(set.add('a\x00b')).toBe(false);
    expect(set.add('\xff')).toBe(true);
    expect(set.add('')).toBe(true);
    expect(set.size).toBe(3);
    expect(set.has('a\x00b')).toBe(true);
    expect(set.has('a')).toBe(false);
    expect(set.delete('a\x00b')).toBe(true);
    expect(set.delete('a\x00b')).toBe(false);
    expect(new Set(set.toArray())).toEqual(new Set(['\xff', '']));
    expect(new Set(set.members())).toEqual(new Set(['\xff', '']));
    const seen: string[] = [];
    set.forEach((m) => seen.push(m));
    expect(new Set(seen)).toEqual(new Set(['\xff', '']));
  });

  it('returns random members from the set and undefined when empty', () => {
    const set = new SetValue();
    expect(set.randomMember()).toBeUndefined();
    expect(set.popRandomMember()).toBeUndefined();
    sadd(['a', 'b', 'c'], set);
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) seen.add(set.randomMember()!);
    expect(seen).toEqual(new Set(['a', 'b', 'c']));
    const popped = [set.popRandomMember()!, set.popRandomMember()!, set.popRandomMember()!];
    expect(new Set(popped)).toEqual(new Set(['a', 'b', 'c']));
    expect(set.size).toBe(0);
  });

  it('clones deeply, keeping the encoding history', () => {
    const set = sadd(ints(0, 600));
    for (let i = 0; i < 590; i++) set.delete(String(i));
    const copy = set.clone();
    expect(copy.encoding(L)).toBe('hashtable');
    copy.add('new');
    copy.delete('599');
    expect(set.has('new')).toBe(false);
    expect(set.has('599')).toBe(true);
    expect(copy.size).toBe(10);
    const small = sadd(['1', '2']).clone();
    expect(small.encoding(L)).toBe('intset');
  });

  it('digests like a plain view of the same members', () => {
    const set = sadd(['x', 'y', '7']);
    const expected = digestValue({ type: 'set', members: ['7', 'y', 'x'] });
    expect(digestValue(set)).toBe(expected);
    // The view can be iterated more than once.
    const view = set.digestView();
    if (view.type !== 'set') throw new Error('not a set view');
    expect([...view.members].length).toBe(3);
    expect([...view.members].length).toBe(3);
  });
});

describe('SetValue encoding (Redis 7.2 rules)', () => {
  it('is an intset while all members are canonical integers within set-max-intset-entries', () => {
    const set = sadd(['1', '-5', '9223372036854775807', '-9223372036854775808']);
    expect(set.integersOnly).toBe(true);
    expect(set.encoding(L)).toBe('intset');
    sadd(ints(100, 508), set); // 512 members
    expect(set.size).toBe(512);
    expect(set.encoding(L)).toBe('intset');
    set.add('100000');
    expect(set.encoding(L)).toBe('hashtable');
    for (let i = 100; i < 608; i++) set.delete(String(i));
    expect(set.encoding(L)).toBe('hashtable'); // never converted back
  });

  it.each(['01', '-0', '+1', ' 1', '1.0', '9223372036854775808', 'a'])('treats %j as a non-integer', (member) => {
    const set = sadd([member]);
    expect(set.integersOnly).toBe(false);
    expect(set.encoding(L)).toBe('listpack');
  });

  it('an intset turns into a listpack at its first non-integer member when that fits', () => {
    const set = sadd(ints(0, 127));
    set.add('a');
    expect(set.size).toBe(128);
    expect(set.encoding(L)).toBe('listpack');
    set.add('b');
    expect(set.encoding(L)).toBe('hashtable');
  });

  it('an intset of set-max-listpack-entries integers goes straight to a hashtable on a non-integer', () => {
    const set = sadd(ints(0, 128));
    expect(set.encoding(L)).toBe('intset');
    set.add('a');
    expect(set.encoding(L)).toBe('hashtable');
  });

  it('a listpack holds set-max-listpack-entries members of at most set-max-listpack-value bytes', () => {
    const set = sadd(words(128));
    expect(set.encoding(L)).toBe('listpack');
    set.add('x');
    expect(set.encoding(L)).toBe('hashtable');
    const long = sadd(['a', 'x'.repeat(64)]);
    expect(long.encoding(L)).toBe('listpack');
    long.add('y'.repeat(65));
    expect(long.encoding(L)).toBe('hashtable');
    long.delete('y'.repeat(65));
    expect(long.encoding(L)).toBe('hashtable');
  });

  it('integers longer than set-max-listpack-value force a hashtable when the intset converts', () => {
    const limits: EncodingLimits = { ...L, setMaxListpackValue: 3 };
    const set = sadd(['1', '12345']);
    expect(set.encoding(limits)).toBe('intset');
    set.add('a');
    expect(set.encoding(limits)).toBe('hashtable');
  });

  it('uses the size hint of the creating command (setTypeCreate)', () => {
    // 600 integer arguments: too many for an intset and for a listpack.
    expect(sadd(ints(0, 600)).encoding(L)).toBe('hashtable');
    // The hint counts arguments, duplicates included.
    const dup = SetValue.forFirstMember('1', 513);
    dup.add('1');
    expect(dup.encoding(L)).toBe('hashtable');
    expect(sadd(Array(200).fill('7')).encoding(L)).toBe('intset');
    // A non-integer first member: a listpack for up to 128 arguments.
    expect(sadd(['a', ...Array(127).fill('a')]).encoding(L)).toBe('listpack');
    expect(sadd(['a', ...Array(128).fill('a')]).encoding(L)).toBe('hashtable');
    // An integer first member with a hint between the two limits makes a listpack
    // (possible when set-max-intset-entries < set-max-listpack-entries).
    const limits: EncodingLimits = { ...L, setMaxIntsetEntries: 10 };
    expect(sadd(ints(0, 20)).encoding(limits)).toBe('listpack');
    expect(sadd(ints(0, 5)).encoding(limits)).toBe('intset');
  });

  it('a later command that carries many members converts up front (setTypeMaybeConvert)', () => {
    const set = sadd(['1']);
    sadd(Array(513).fill('1'), set);
    expect(set.size).toBe(1);
    expect(set.encoding(L)).toBe('hashtable');
    const lp = sadd(['a']);
    sadd(Array(129).fill('a'), lp);
    expect(lp.encoding(L)).toBe('hashtable');
    const ok = sadd(['a']);
    sadd(Array(128).fill('b'), ok);
    expect(ok.encoding(L)).toBe('listpack');
  });

  it('an intset beyond a small set-max-intset-entries becomes a hashtable, not a listpack', () => {
    const limits: EncodingLimits = { ...L, setMaxIntsetEntries: 4 };
    const set = sadd(ints(0, 4));
    expect(set.encoding(limits)).toBe('intset');
    set.add('4');
    expect(set.encoding(limits)).toBe('hashtable');
  });

  it('an empty listpack start never becomes an intset', () => {
    const set = new SetValue(true);
    set.add('1');
    expect(set.encoding(L)).toBe('listpack');
    expect(new SetValue().encoding(L)).toBe('intset');
  });
});

describe('SetValue random selections', () => {
  it('pops distinct members with either strategy and keeps the rest', () => {
    for (const count of [1, 5, 50, 95, 99, 100, 150]) {
      const set = sadd(words(100));
      const popped = set.popRandomMembers(count, L);
      const expected = Math.min(count, 100);
      expect(popped.length).toBe(expected);
      expect(new Set(popped).size).toBe(expected);
      expect(set.size).toBe(100 - expected);
      for (const m of popped) expect(set.has(m)).toBe(false);
      const union = new Set([...popped, ...set.toArray()]);
      expect(union).toEqual(new Set(words(100)));
    }
    expect(sadd(['a']).popRandomMembers(0, L)).toEqual([]);
  });

  it('the keep-the-few strategy starts the kept members in a fresh intset or listpack', () => {
    const big = sadd(ints(0, 1000));
    expect(big.encoding(L)).toBe('hashtable');
    big.popRandomMembers(995, L);
    expect(big.size).toBe(5);
    expect(big.encoding(L)).toBe('listpack'); // Redis rebuilds a hashtable's survivors in a listpack
    const intset = sadd(ints(0, 100));
    intset.popRandomMembers(90, L);
    expect(intset.encoding(L)).toBe('intset');
    const strings = sadd(words(1000));
    strings.popRandomMembers(990, L);
    expect(strings.encoding(L)).toBe('listpack');
    const few = sadd(words(1000));
    few.popRandomMembers(10, L); // plain random pops: the table stays a hashtable
    expect(few.encoding(L)).toBe('hashtable');
  });

  it('every member can be popped by the keep-the-few strategy', () => {
    const seen = new Set<string>();
    for (let round = 0; round < 200; round++) {
      const set = sadd(words(10));
      for (const m of set.popRandomMembers(9, L)) seen.add(m);
    }
    expect(seen).toEqual(new Set(words(10)));
  });

  it('samples distinct members with either strategy', () => {
    const set = sadd(words(300));
    for (const count of [1, 10, 99, 100, 101, 250, 299, 300, 1000]) {
      const picked = set.randomDistinctMembers(count);
      const expected = Math.min(count, 300);
      expect(picked.length).toBe(expected);
      expect(new Set(picked).size).toBe(expected);
      for (const m of picked) expect(set.has(m)).toBe(true);
    }
    expect(set.size).toBe(300);
    expect(set.randomDistinctMembers(0)).toEqual([]);
  });

  it('sampling reaches every member', () => {
    const set = sadd(words(20));
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) for (const m of set.randomDistinctMembers(15)) seen.add(m);
    for (let i = 0; i < 200; i++) for (const m of set.randomDistinctMembers(2)) seen.add(m);
    expect(seen.size).toBe(20);
  });
});

describe('SetValue scan', () => {
  it('visits every member present for the whole scan while members are removed and added', () => {
    const set = sadd(words(1000));
    const stable = new Set(words(500));
    const seen = new Set<string>();
    let cursor = 0;
    let steps = 0;
    let extra = 0;
    do {
      cursor = set.scan(cursor, 7, (m) => seen.add(m));
      // Delete some of the unstable members, add new ones: the table shrinks and grows.
      for (let i = 0; i < 20; i++) set.delete(`m${500 + ((steps * 20 + i) % 500)}`);
      if (steps % 3 === 0) for (let i = 0; i < 30; i++) set.add(`extra${extra++}`);
      steps++;
    } while (cursor !== 0 && steps < 10_000);
    expect(cursor).toBe(0);
    for (const m of stable) expect(seen.has(m)).toBe(true);
  });
});

describe('SetValue against a model (fast-check)', () => {
  const member = fc.oneof(
    fc.integer({ min: -20, max: 20 }).map(String),
    fc.constantFrom('a', 'b', 'c', '', '\x00', '\xff\xfe', '01', '-0'),
  );
  const op = fc.oneof(
    fc.record({ kind: fc.constant('add' as const), members: fc.array(member, { minLength: 1, maxLength: 6 }) }),
    fc.record({ kind: fc.constant('delete' as const), member }),
    fc.record({ kind: fc.constant('pop' as const), count: fc.integer({ min: 0, max: 12 }) }),
    fc.record({ kind: fc.constant('sample' as const), count: fc.integer({ min: 0, max: 12 }) }),
    fc.record({ kind: fc.constant('clone' as const) }),
  );

  it('agrees with a JS Set', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        let set = new SetValue();
        const model = new Set<string>();
        for (const o of ops) {
          switch (o.kind) {
            case 'add':
              set.noteSizeHint(o.members.length);
              for (const m of o.members) {
                const isNew = !model.has(m);
                model.add(m);
                expect(set.add(m)).toBe(isNew);
              }
              break;
            case 'delete':
              expect(set.delete(o.member)).toBe(model.delete(o.member));
              break;
            case 'pop': {
              const before = model.size;
              const popped = set.popRandomMembers(o.count, L);
              expect(popped.length).toBe(Math.min(o.count, before));
              expect(new Set(popped).size).toBe(popped.length);
              for (const m of popped) expect(model.delete(m)).toBe(true);
              break;
            }
            case 'sample': {
              const picked = set.randomDistinctMembers(o.count);
              expect(picked.length).toBe(Math.min(o.count, model.size));
              expect(new Set(picked).size).toBe(picked.length);
              for (const m of picked) expect(model.has(m)).toBe(true);
              break;
            }
            case 'clone':
              set = set.clone();
              break;
          }
          expect(set.size).toBe(model.size);
        }
        expect(new Set(set.toArray())).toEqual(model);
        const scanned = new Set<string>();
        let cursor = 0;
        do cursor = set.scan(cursor, 3, (m) => scanned.add(m));
        while (cursor !== 0);
        expect(scanned).toEqual(model);
        for (const m of model) expect(set.has(m)).toBe(true);
        const encoding = set.encoding(L);
        if (encoding === 'intset') expect(set.integersOnly).toBe(true);
        expect(['intset', 'listpack', 'hashtable']).toContain(encoding);
      }),
      { numRuns: 300 },
    );
  });
});
