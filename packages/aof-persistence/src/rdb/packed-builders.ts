/**
 * Independent encoders of Redis's packed structures and RDB framing, for
 * crafting decoder test inputs (test helpers, not exported from the package).
 */
import { Crc64 } from './crc64.js';

type Item = string | bigint;

function le(n: bigint, bytes: number): number[] {
  const out: number[] = [];
  let v = BigInt.asUintN(bytes * 8, n);
  for (let i = 0; i < bytes; i++) {
    out.push(Number(v & 0xffn));
    v >>= 8n;
  }
  return out;
}

const u32le = (n: number) => le(BigInt(n), 4);
const u16le = (n: number) => le(BigInt(n), 2);
const latin1 = (s: string) => [...Buffer.from(s, 'latin1')];

/** A ziplist of `items` (bigints take the smallest integer encoding). `bigPrevlen` writes every prevlen in 5 bytes. */
export function ziplistOf(items: Item[], options: { bigPrevlen?: boolean; count?: number } = {}): Buffer {
  const entries: number[][] = [];
  let prev = 0;
  for (const item of items) {
    const prevlen = options.bigPrevlen || prev >= 254 ? [254, ...u32le(prev)] : [prev];
    let body: number[];
    if (typeof item === 'string') {
      const n = item.length;
      const head = n < 64 ? [n] : n < 16384 ? [0x40 | (n >> 8), n & 0xff] : [0x80, (n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
      body = [...head, ...latin1(item)];
    } else if (item >= 0n && item <= 12n) body = [0xf1 + Number(item)];
    else if (item >= -128n && item <= 127n) body = [0xfe, ...le(item, 1)];
    else if (item >= -32768n && item <= 32767n) body = [0xc0, ...le(item, 2)];
    else if (item >= -(2n ** 23n) && item < 2n ** 23n) body = [0xf0, ...le(item, 3)];
    else if (item >= -(2n ** 31n) && item < 2n ** 31n) body = [0xd0, ...le(item, 4)];
    else body = [0xe0, ...le(item, 8)];
    const entry = [...prevlen, ...body];
    entries.push(entry);
    prev = entry.length;
  }
  const flat = entries.flat();
  const total = 10 + flat.length + 1;
  const tail = entries.length === 0 ? 10 : 10 + flat.length - entries[entries.length - 1].length;
  return Buffer.from([...u32le(total), ...u32le(tail), ...u16le(options.count ?? Math.min(items.length, 0xffff)), ...flat, 0xff]);
}

function backlen(size: number): number[] {
  if (size <= 127) return [size];
  if (size < 16383) return [size >> 7, (size & 127) | 128];
  if (size < 2097151) return [size >> 14, ((size >> 7) & 127) | 128, (size & 127) | 128];
  return [size >> 21, ((size >> 14) & 127) | 128, ((size >> 7) & 127) | 128, (size & 127) | 128];
}

/** A listpack of `items` (bigints take the smallest integer encoding). */
export function listpackOf(items: Item[], options: { count?: number } = {}): Buffer {
  const entries: number[] = [];
  for (const item of items) {
    let body: number[];
    if (typeof item === 'string') {
      const n = item.length;
      const head = n < 64 ? [0x80 | n] : n < 4096 ? [0xe0 | (n >> 8), n & 0xff] : [0xf0, ...u32le(n)];
      body = [...head, ...latin1(item)];
    } else if (item >= 0n && item <= 127n) body = [Number(item)];
    else if (item >= -4096n && item <= 4095n) {
      const v = Number(BigInt.asUintN(13, item));
      body = [0xc0 | (v >> 8), v & 0xff];
    } else if (item >= -32768n && item <= 32767n) body = [0xf1, ...le(item, 2)];
    else if (item >= -(2n ** 23n) && item < 2n ** 23n) body = [0xf2, ...le(item, 3)];
    else if (item >= -(2n ** 31n) && item < 2n ** 31n) body = [0xf3, ...le(item, 4)];
    else body = [0xf4, ...le(item, 8)];
    entries.push(...body, ...backlen(body.length));
  }
  const total = 6 + entries.length + 1;
  return Buffer.from([...u32le(total), ...u16le(options.count ?? Math.min(items.length, 0xffff)), ...entries, 0xff]);
}

export function intsetOf(values: bigint[], width: 2 | 4 | 8): Buffer {
  return Buffer.from([...u32le(width), ...u32le(values.length), ...values.flatMap((v) => le(v, width))]);
}

export function zipmapOf(pairs: Array<[string, string]>, free = 0): Buffer {
  const out: number[] = [pairs.length < 254 ? pairs.length : 254];
  const len = (n: number) => (n < 254 ? [n] : [254, ...u32le(n)]);
  for (const [f, v] of pairs) out.push(...len(f.length), ...latin1(f), ...len(v.length), free, ...latin1(v), ...new Array<number>(free).fill(0));
  out.push(0xff);
  return Buffer.from(out);
}

/** RDB framing: opcodes, lengths and strings, then the EOF opcode and a checksum. */
export class RdbBytes {
  private readonly parts: number[] = [];

  byte(...bytes: number[]): this {
    this.parts.push(...bytes);
    return this;
  }

  hex(h: string): this {
    return this.byte(...Buffer.from(h.replace(/\s/g, ''), 'hex'));
  }

  len(n: number): this {
    if (n < 64) return this.byte(n);
    if (n < 16384) return this.byte(0x40 | (n >> 8), n & 0xff);
    if (n < 2 ** 32) return this.byte(0x80, (n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
    const v = BigInt(n);
    return this.byte(0x81, ...le(v, 8).reverse());
  }

  /** A plain length-prefixed string. */
  str(s: string | Buffer): this {
    const b = typeof s === 'string' ? Buffer.from(s, 'latin1') : s;
    return this.len(b.length).byte(...b);
  }

  /** A key of type `type` named `key` (the value follows). */
  key(type: number, key: string): this {
    return this.byte(type).str(key);
  }

  selectDb(db: number): this {
    return this.byte(0xfe).len(db);
  }

  /** The file: "REDIS" + version, the parts, 0xFF and (version >= 5) the checksum. */
  build(version = 10, checksum: 'crc' | 'zero' | 'none' = version >= 5 ? 'crc' : 'none'): Buffer {
    const body = Buffer.concat([Buffer.from('REDIS' + String(version).padStart(4, '0'), 'latin1'), Buffer.from(this.parts), Buffer.from([0xff])]);
    if (checksum === 'none') return body;
    const tail = Buffer.alloc(8);
    if (checksum === 'crc') new Crc64().update(body).writeLE(tail, 0);
    return Buffer.concat([body, tail]);
  }
}
