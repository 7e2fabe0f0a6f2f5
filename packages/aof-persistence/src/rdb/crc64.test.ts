import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Crc64, crc64 } from './crc64.js';

/** Bit-at-a-time reference with BigInt: reflected 0xad93d23594c935a9, init 0, no final xor. */
function reference(bytes: Uint8Array): bigint {
  const poly = 0x95ac9329ac4bc9b5n; // 0xad93d23594c935a9 bit-reversed
  let crc = 0n;
  for (const b of bytes) {
    crc ^= BigInt(b);
    for (let i = 0; i < 8; i++) crc = crc & 1n ? (crc >> 1n) ^ poly : crc >> 1n;
  }
  return crc;
}

describe('CRC-64/Jones', () => {
  it('has the check value 0xe9c6d914c4b8d9ca for "123456789"', () => {
    expect(new Crc64().update(Buffer.from('123456789')).hex()).toBe('e9c6d914c4b8d9ca');
    expect(crc64(0n, Buffer.from('123456789'))).toBe(0xe9c6d914c4b8d9can);
    expect(reference(Buffer.from('123456789'))).toBe(0xe9c6d914c4b8d9can);
  });

  it('gives the CRCs of the empty RDBs in REPLICATION.md (stored little-endian)', () => {
    const le = (hex: string) => {
      const c = new Crc64().update(Buffer.from(hex, 'hex'));
      const out = Buffer.alloc(8);
      c.writeLE(out, 0);
      expect(c.matchesLE(out, 0)).toBe(true);
      return out.toString('hex');
    };
    expect(le('524544495330303130ff')).toBe('a9fd37fe89a77eeb');
    expect(le('524544495330303039ff')).toBe('9aac7abcfb0fad74');
  });

  it('matches the bitwise reference for any bytes, at any alignment, split anywhere', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), fc.integer({ min: 0, max: 7 }), fc.array(fc.nat(), { maxLength: 5 }), (data, shift, cuts) => {
        // Copy into a buffer at an odd offset so the word path meets every alignment.
        const backing = new Uint8Array(data.length + 8);
        backing.set(data, shift);
        const view = backing.subarray(shift, shift + data.length);
        const expected = reference(data);
        expect(new Crc64().update(view).value()).toBe(expected);
        const points = [...new Set(cuts.map((c) => c % (data.length + 1)))].sort((a, b) => a - b);
        const c = new Crc64();
        let from = 0;
        for (const p of [...points, data.length]) {
          c.update(view, from, p);
          from = p;
        }
        expect(c.value()).toBe(expected);
        expect(crc64(crc64(0n, data.subarray(0, points[0] ?? 0)), data.subarray(points[0] ?? 0))).toBe(expected);
      }),
      { numRuns: 300 },
    );
  });
});
