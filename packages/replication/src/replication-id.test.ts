import { describe, expect, it } from 'vitest';
import { NO_REPLICATION_ID, REPLICATION_ID_LENGTH, newReplicationId } from './replication-id.js';

describe('replication ids', () => {
  it('makes 40 lowercase hex characters', () => {
    for (let i = 0; i < 50; i++) expect(newReplicationId()).toMatch(/^[0-9a-f]{40}$/);
  });

  it('never repeats and is never the "none" id', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) seen.add(newReplicationId());
    expect(seen.size).toBe(1000);
    expect(seen.has(NO_REPLICATION_ID)).toBe(false);
  });

  it('uses every hex digit (is not a fixed pattern)', () => {
    const digits = new Set(Array.from({ length: 20 }, () => newReplicationId()).join(''));
    expect(digits.size).toBe(16);
  });

  it('NO_REPLICATION_ID is forty zeros', () => {
    expect(REPLICATION_ID_LENGTH).toBe(40);
    expect(NO_REPLICATION_ID).toBe('0000000000000000000000000000000000000000');
  });
});
