import { describe, expect, it } from 'vitest';
import { ReplicationBacklog } from './backlog.js';
import { ReplicationHistory } from './history.js';
import { NO_REPLICATION_ID } from './replication-id.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const C = 'c'.repeat(40);
const HEX40 = /^[0-9a-f]{40}$/;

/** A backlog holding stream offsets first..end (histlen = end - first + 1). */
function backlogWith(first: number, end: number, size = 1024): ReplicationBacklog {
  const bl = new ReplicationBacklog(size, first - 1);
  bl.append(Buffer.alloc(end - first + 1, 0x78));
  expect([bl.firstByteOffset, bl.endOffset]).toEqual([first, end]);
  return bl;
}

describe('ReplicationHistory: transitions', () => {
  it('starts with a fresh id, no previous history, offset 0', () => {
    const h = new ReplicationHistory();
    expect(h.replid).toMatch(HEX40);
    expect(h.replid2).toBe(NO_REPLICATION_ID);
    expect(h.secondReplOffset).toBe(-1);
    expect(h.offset).toBe(0);
    const given = new ReplicationHistory(A, 42);
    expect([given.replid, given.offset]).toEqual([A, 42]);
  });

  it('shiftHistory: promotion keeps the old history valid up to offset', () => {
    const h = new ReplicationHistory(A, 50);
    h.shiftHistory();
    expect(h.replid).toMatch(HEX40);
    expect(h.replid).not.toBe(A);
    expect(h.replid2).toBe(A);
    expect(h.secondReplOffset).toBe(51);
    expect(h.offset).toBe(50);
  });

  it('resetHistory: new id, previous history forgotten, offset kept', () => {
    const h = new ReplicationHistory(A, 50);
    h.shiftHistory();
    h.resetHistory();
    expect(h.replid).toMatch(HEX40);
    expect(h.replid).not.toBe(A);
    expect(h.replid2).toBe(NO_REPLICATION_ID);
    expect(h.secondReplOffset).toBe(-1);
    expect(h.offset).toBe(50);
  });

  it('adopt: takes id and offset, clears replid2', () => {
    const h = new ReplicationHistory(A, 10);
    h.shiftHistory();
    h.adopt(B, 999);
    expect([h.replid, h.replid2, h.secondReplOffset, h.offset]).toEqual([B, NO_REPLICATION_ID, -1, 999]);
  });

  it('continueAs: another id shifts the history; the same id changes nothing', () => {
    const h = new ReplicationHistory(A, 1593);
    expect(h.continueAs(A)).toBe(false);
    expect([h.replid, h.replid2, h.secondReplOffset]).toEqual([A, NO_REPLICATION_ID, -1]);
    expect(h.continueAs(B)).toBe(true);
    expect([h.replid, h.replid2, h.secondReplOffset, h.offset]).toEqual([B, A, 1594, 1593]);
  });
});

describe('ReplicationHistory.partialSyncPossible (REPLICATION.md §1)', () => {
  it('accepts the current id anywhere in firstByteOffset..endOffset+1', () => {
    const h = new ReplicationHistory(A, 100);
    const bl = backlogWith(41, 100);
    expect(h.partialSyncPossible(A, 40, bl)).toBe(false);
    expect(h.partialSyncPossible(A, 41, bl)).toBe(true);
    expect(h.partialSyncPossible(A, 70, bl)).toBe(true);
    expect(h.partialSyncPossible(A, 100, bl)).toBe(true);
    expect(h.partialSyncPossible(A, 101, bl)).toBe(true); // nothing missing
    expect(h.partialSyncPossible(A, 102, bl)).toBe(false);
    expect(h.partialSyncPossible(A, 999999, bl)).toBe(false); // observed: beyond master offset -> full
  });

  it('offset 1 with a backlog starting at 1 continues with the whole backlog', () => {
    const h = new ReplicationHistory(A, 228);
    expect(h.partialSyncPossible(A, 1, backlogWith(1, 228))).toBe(true);
  });

  it('an empty backlog only accepts endOffset + 1', () => {
    const h = new ReplicationHistory(A, 0);
    const bl = new ReplicationBacklog(1024, 0);
    expect(h.partialSyncPossible(A, 1, bl)).toBe(true);
    expect(h.partialSyncPossible(A, 0, bl)).toBe(false);
    expect(h.partialSyncPossible(A, 2, bl)).toBe(false);
  });

  it('without a backlog it is always a full resync', () => {
    const h = new ReplicationHistory(A, 0);
    expect(h.partialSyncPossible(A, 1, null)).toBe(false);
    expect(h.partialSyncPossible(A, 0, null)).toBe(false);
  });

  it('"?" and unknown ids mean full resync', () => {
    const h = new ReplicationHistory(A, 10);
    const bl = backlogWith(1, 10);
    expect(h.partialSyncPossible('?', 1, bl)).toBe(false);
    expect(h.partialSyncPossible('?', -1, bl)).toBe(false);
    expect(h.partialSyncPossible(C, 5, bl)).toBe(false);
    expect(h.partialSyncPossible('', 5, bl)).toBe(false);
    expect(h.partialSyncPossible(A.slice(1), 5, bl)).toBe(false);
    expect(h.partialSyncPossible(A + 'a', 5, bl)).toBe(false);
  });

  it('non-integer or non-positive offsets never pass', () => {
    const h = new ReplicationHistory(A, 10);
    const bl = backlogWith(1, 10);
    expect(h.partialSyncPossible(A, Number.NaN, bl)).toBe(false);
    expect(h.partialSyncPossible(A, 0, bl)).toBe(false);
    expect(h.partialSyncPossible(A, -1, bl)).toBe(false);
  });

  it('compares ids case-insensitively, like Redis (observed on 7.0.15)', () => {
    const h = new ReplicationHistory('abcdef0123456789abcdef0123456789abcdef01', 10);
    const bl = backlogWith(1, 10);
    expect(h.partialSyncPossible('ABCDEF0123456789ABCDEF0123456789ABCDEF01', 5, bl)).toBe(true);
    h.shiftHistory();
    expect(h.partialSyncPossible('ABCDEF0123456789abcdef0123456789abcdef01', 11, bl)).toBe(true);
  });

  describe('replid2 / second_repl_offset', () => {
    // A follower of the old leader A had offsets up to 50 when this node was promoted
    // (observed on 7.0.15: second_repl_offset 51; PSYNC old-id 51 -> CONTINUE, 52 -> FULLRESYNC).
    function promoted(): { h: ReplicationHistory; bl: ReplicationBacklog } {
      const h = new ReplicationHistory(A, 50);
      const bl = backlogWith(1, 50);
      h.shiftHistory();
      // the new leader has written 14 more bytes (a PING) under its new id
      bl.append(Buffer.alloc(14, 0x70));
      h.offset = bl.endOffset;
      return { h, bl };
    }

    it('accepts the old id up to and including second_repl_offset', () => {
      const { h, bl } = promoted();
      expect(h.secondReplOffset).toBe(51);
      expect(h.partialSyncPossible(A, 1, bl)).toBe(true);
      expect(h.partialSyncPossible(A, 50, bl)).toBe(true);
      expect(h.partialSyncPossible(A, 51, bl)).toBe(true);
    });

    it('refuses the old id past second_repl_offset even when the backlog covers it', () => {
      const { h, bl } = promoted();
      expect(bl.covers(52)).toBe(true);
      expect(h.partialSyncPossible(A, 52, bl)).toBe(false);
      expect(h.partialSyncPossible(A, 65, bl)).toBe(false);
    });

    it('accepts the new id over the whole backlog, including before the promotion point', () => {
      const { h, bl } = promoted();
      expect(h.partialSyncPossible(h.replid, 1, bl)).toBe(true);
      expect(h.partialSyncPossible(h.replid, 52, bl)).toBe(true);
      expect(h.partialSyncPossible(h.replid, 65, bl)).toBe(true);
      expect(h.partialSyncPossible(h.replid, 66, bl)).toBe(false);
    });

    it('the old id still needs the backlog to cover the offset', () => {
      const { h } = promoted();
      const small = backlogWith(30, 64);
      expect(h.partialSyncPossible(A, 29, small)).toBe(false);
      expect(h.partialSyncPossible(A, 30, small)).toBe(true);
      expect(h.partialSyncPossible(A, 29, null)).toBe(false);
    });

    it('the forty-zero id never matches an empty replid2', () => {
      const h = new ReplicationHistory(A, 10);
      const bl = backlogWith(1, 10);
      expect(h.replid2).toBe(NO_REPLICATION_ID);
      for (const off of [-2, -1, 0, 1, 5, 11]) expect(h.partialSyncPossible(NO_REPLICATION_ID, off, bl)).toBe(false);
    });

    it('after resetHistory or adopt the old id is no longer accepted', () => {
      const { h, bl } = promoted();
      h.resetHistory();
      expect(h.partialSyncPossible(A, 10, bl)).toBe(false);
      const { h: h2, bl: bl2 } = promoted();
      h2.adopt(B, 64);
      expect(h2.partialSyncPossible(A, 10, bl2)).toBe(false);
      expect(h2.partialSyncPossible(B, 10, bl2)).toBe(true);
    });

    it('a follower that switched ids with +CONTINUE serves both ids', () => {
      // follower at offset 50 under A; its leader answers +CONTINUE B
      const h = new ReplicationHistory(A, 50);
      const bl = backlogWith(1, 50);
      h.continueAs(B);
      bl.append(Buffer.alloc(10, 0x71));
      h.offset = 60;
      expect(h.partialSyncPossible(A, 51, bl)).toBe(true);
      expect(h.partialSyncPossible(A, 52, bl)).toBe(false);
      expect(h.partialSyncPossible(B, 61, bl)).toBe(true);
      expect(h.partialSyncPossible(B, 1, bl)).toBe(true);
    });
  });
});
