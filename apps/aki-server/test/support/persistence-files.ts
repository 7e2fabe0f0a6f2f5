// Hand-made persistence files for the persistence-*.test.ts tier: AOF records
// as the exact RESP bytes a server appends, a multi-part AOF directory
// (manifest + base + incr files), a small RDB file with a correct CRC-64
// trailer, and readers for what a server left on disk.
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { encodeCommand } from '@aki/test-utils';

export const AOF_DIR = 'appendonlydir';
export const MANIFEST = 'appendonly.aof.manifest';

/** One AOF record: the command in RESP multibulk form, byte for byte. */
export function record(...args: Array<string | number>): Buffer {
  return encodeCommand(...args.map((a) => (typeof a === 'number' ? String(a) : Buffer.from(a, 'latin1'))));
}

/** Several records back to back, with the byte offset where each one starts. */
export function records(commands: Array<Array<string | number>>): { bytes: Buffer; starts: number[] } {
  const parts = commands.map((c) => record(...c));
  const starts: number[] = [];
  let at = 0;
  for (const p of parts) {
    starts.push(at);
    at += p.length;
  }
  return { bytes: Buffer.concat(parts), starts };
}

export interface ManifestLine {
  file: string;
  seq: number;
  type: string;
}

/** A manifest's text from its entries, one `file <name> seq <n> type <t>` line each. */
export function manifestText(lines: ManifestLine[]): string {
  return lines.map((l) => `file ${l.file} seq ${l.seq} type ${l.type}\n`).join('');
}

/**
 * Writes `<dir>/appendonlydir/` with the given manifest text (written verbatim,
 * so invalid manifests can be made) and files (name -> bytes).
 */
export function writeAofDir(dir: string, manifest: string | null, files: Record<string, Buffer | string>): string {
  const aofDir = path.join(dir, AOF_DIR);
  mkdirSync(aofDir, { recursive: true });
  if (manifest !== null) writeFileSync(path.join(aofDir, MANIFEST), manifest, 'latin1');
  for (const [name, bytes] of Object.entries(files)) {
    writeFileSync(path.join(aofDir, name), typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes);
  }
  return aofDir;
}

/** The manifest a server left in `<dir>/appendonlydir`, parsed (every key/value pair kept as text). */
export function readManifest(dir: string): ManifestLine[] {
  const text = readFileSync(path.join(dir, AOF_DIR, MANIFEST), 'latin1');
  return text
    .split('\n')
    .filter((l) => l.length > 0)
    .map((line) => {
      const words = line.split(' ');
      const kv: Record<string, string> = {};
      for (let i = 0; i + 1 < words.length; i += 2) kv[words[i]!] = words[i + 1]!;
      return { file: kv.file!, seq: Number(kv.seq), type: kv.type! };
    });
}

/** Names in `<dir>/appendonlydir`, sorted ([] when it does not exist). */
export function aofDirFiles(dir: string): string[] {
  const aofDir = path.join(dir, AOF_DIR);
  return existsSync(aofDir) ? readdirSync(aofDir).sort() : [];
}

// ---------------------------------------------------------------------------
// CRC-64/Jones (reflected polynomial 0x95ac9329ac4bc9b5, init 0, no final xor):
// the checksum of an RDB file's last 8 bytes.

const CRC_TABLE: bigint[] = (() => {
  const poly = 0x95ac9329ac4bc9b5n;
  const table: bigint[] = [];
  for (let n = 0; n < 256; n++) {
    let c = BigInt(n);
    for (let k = 0; k < 8; k++) c = c & 1n ? (c >> 1n) ^ poly : c >> 1n;
    table.push(c);
  }
  return table;
})();

export function crc64(bytes: Uint8Array, crc = 0n): bigint {
  for (const b of bytes) crc = CRC_TABLE[Number((crc ^ BigInt(b)) & 0xffn)]! ^ (crc >> 8n);
  return crc;
}

// ---------------------------------------------------------------------------
// A small RDB (version 10, readable by Redis 7.0 and 7.2) built from the
// oldest value encodings every reader supports: plain strings, hash-table sets
// (type 2) and hashes (type 4).

export type RdbValue =
  | { type: 'string'; value: string }
  | { type: 'set'; members: string[] }
  | { type: 'hash'; fields: Array<[string, string]> };

export interface RdbEntry {
  key: string;
  value: RdbValue;
  /** Absolute expiry in unix milliseconds. */
  expireAtMs?: number;
}

function rdbLength(n: number): Buffer {
  if (n < 64) return Buffer.from([n]);
  if (n < 16384) return Buffer.from([0x40 | (n >> 8), n & 0xff]);
  const b = Buffer.alloc(5);
  b[0] = 0x80;
  b.writeUInt32BE(n, 1);
  return b;
}

function rdbString(s: string): Buffer {
  const bytes = Buffer.from(s, 'latin1');
  return Buffer.concat([rdbLength(bytes.length), bytes]);
}

/** An RDB file holding `dbs` (db index -> entries), with aux fields and the CRC-64 trailer. */
export function rdbFile(dbs: Record<number, RdbEntry[]>): Buffer {
  const parts: Buffer[] = [Buffer.from('REDIS0010', 'latin1')];
  const aux = (k: string, v: string) => parts.push(Buffer.from([0xfa]), rdbString(k), rdbString(v));
  aux('redis-ver', '7.0.15');
  aux('redis-bits', '64');
  for (const [db, entries] of Object.entries(dbs)) {
    parts.push(Buffer.from([0xfe]), rdbLength(Number(db)));
    parts.push(Buffer.from([0xfb]), rdbLength(entries.length), rdbLength(entries.filter((e) => e.expireAtMs !== undefined).length));
    for (const e of entries) {
      if (e.expireAtMs !== undefined) {
        const t = Buffer.alloc(9);
        t[0] = 0xfc;
        t.writeBigUInt64LE(BigInt(e.expireAtMs), 1);
        parts.push(t);
      }
      const v = e.value;
      if (v.type === 'string') parts.push(Buffer.from([0]), rdbString(e.key), rdbString(v.value));
      else if (v.type === 'set') parts.push(Buffer.from([2]), rdbString(e.key), rdbLength(v.members.length), ...v.members.map(rdbString));
      else parts.push(Buffer.from([4]), rdbString(e.key), rdbLength(v.fields.length), ...v.fields.flatMap(([f, x]) => [rdbString(f), rdbString(x)]));
    }
  }
  parts.push(Buffer.from([0xff]));
  const body = Buffer.concat(parts);
  const trailer = Buffer.alloc(8);
  trailer.writeBigUInt64LE(crc64(body));
  return Buffer.concat([body, trailer]);
}

// ---------------------------------------------------------------------------

/** A deterministic PRNG (mulberry32) so a failing random schedule can be replayed from its seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The seed for randomized tests: AKI_TEST_SEED when set, else `fallback`. */
export function testSeed(fallback: number): number {
  const env = process.env.AKI_TEST_SEED;
  return env !== undefined && env !== '' ? Number(env) : fallback;
}
