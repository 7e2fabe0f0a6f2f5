/**
 * Encoder (and decoder) throughput on 1M small string keys (not a test; run by hand):
 *   npx esbuild src/rdb/bench-encoder.ts --bundle --platform=node --format=esm --outfile=/tmp/bench-encoder.mjs && node /tmp/bench-encoder.mjs
 * Prints keys/s and MB/s of RdbEncoder (CRC64 included) over pre-built keys and values.
 */
import { HashValue } from '@aki/keyspace';
import { RdbDecoder } from './decoder.js';
import { RdbEncoder } from './encoder.js';

const N = Number(process.env.KEYS ?? 1_000_000);
const keys: string[] = [];
const values: string[] = [];
/** A flat string, as keys and values arriving from the RESP parser are (concatenation makes cons strings). */
const flat = (s: string) => Buffer.from(s, 'latin1').toString('latin1');
for (let i = 0; i < N; i++) {
  keys.push(flat('key:' + String(i).padStart(9, '0')));
  values.push(flat(i % 4 === 0 ? String(i) : 'value-' + i.toString(36) + '-xxxxxxxx'));
}

function encodeAll(): { bytes: number; chunks: Buffer[] } {
  const chunks: Buffer[] = [];
  const enc = new RdbEncoder((c) => chunks.push(c));
  enc.header([['redis-ver', '7.2.4'], ['redis-bits', 64], ['ctime', Math.floor(Date.now() / 1000)]]);
  enc.selectDb(0, N, 0);
  for (let i = 0; i < N; i++) enc.entry(keys[i], values[i], i % 10 === 0 ? 1e13 + i : undefined);
  enc.finish();
  return { bytes: enc.bytesWritten, chunks };
}

for (let round = 0; round < 5; round++) {
  const t0 = performance.now();
  const { bytes, chunks } = encodeAll();
  const s = (performance.now() - t0) / 1000;
  console.log(`encode: ${N} keys, ${(bytes / 1e6).toFixed(1)} MB in ${(s * 1000).toFixed(0)} ms: ${(N / s / 1e6).toFixed(2)} M keys/s, ${(bytes / 1e6 / s).toFixed(0)} MB/s`);
  if (round === 4) {
    const all = Buffer.concat(chunks);
    chunks.length = 0;
    const t1 = performance.now();
    let n = 0;
    new RdbDecoder(all, { entry: () => void n++ }, 0, { detectDuplicateKeys: false }).run();
    const d = (performance.now() - t1) / 1000;
    console.log(`decode (no duplicate check): ${n} keys in ${(d * 1000).toFixed(0)} ms: ${(n / d / 1e6).toFixed(2)} M keys/s, ${(all.length / 1e6 / d).toFixed(0)} MB/s`);
    // Receivers that keep the keys, as a keyspace does.
    for (const detectDuplicateKeys of [false, true]) {
      const kept = new Map<string, unknown>();
      const t3 = performance.now();
      new RdbDecoder(all, { entry: (_db, key, value) => void kept.set(key, value) }, 0, { detectDuplicateKeys }).run();
      const d2 = (performance.now() - t3) / 1000;
      console.log(`decode into a Map, detectDuplicateKeys ${detectDuplicateKeys}: ${(d2 * 1000).toFixed(0)} ms: ${(N / d2 / 1e6).toFixed(2)} M keys/s`);
    }
  }
}

// A few big hashes: per-element cost.
const hash = new HashValue();
for (let i = 0; i < 1_000_000; i++) hash.set(flat('field:' + i), flat('v' + i));
const t2 = performance.now();
let total = 0;
const enc = new RdbEncoder((c) => (total += c.length));
enc.header([]);
enc.selectDb(0, 1, 0);
enc.entry('h', hash, undefined);
enc.finish();
const h = (performance.now() - t2) / 1000;
console.log(`hash of 1M fields: ${(h * 1000).toFixed(0)} ms, ${(total / 1e6 / h).toFixed(0)} MB/s`);
