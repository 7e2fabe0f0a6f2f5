import type { HashValue, ListValue, SetValue, SortedSetValue, StoredValue } from '@aki/keyspace';
import type { AuxFields } from '../dataset.js';
import { writeLatin1 } from './bytes.js';
import {
  ENC_INT16,
  ENC_INT32,
  ENC_INT8,
  LEN_32BIT,
  LEN_64BIT,
  OP_AUX,
  OP_EOF,
  OP_EXPIRETIME_MS,
  OP_RESIZEDB,
  OP_SELECTDB,
  RDB_WRITE_VERSION,
  TYPE_HASH,
  TYPE_LIST,
  TYPE_SET,
  TYPE_STRING,
  TYPE_ZSET_2,
} from './constants.js';
import { Crc64 } from './crc64.js';

export { crc64, Crc64 } from './crc64.js';

const DEFAULT_CHUNK_BYTES = 64 * 1024;
/** Smallest chunk accepted: room for any fixed-size field group written at once. */
const MIN_CHUNK_BYTES = 64;
const TWO_32 = 4294967296;
/** Marker for "not a canonical int32". */
const NOT_INT = 0x100000000;

export interface RdbEncoderOptions {
  /** About how many bytes each chunk handed to the sink holds (default 64 KiB). */
  chunkBytes?: number;
}

/**
 * Writes an RDB file (version 10, "REDIS0010", which Redis 7.0 and later
 * load) with the plainest encodings Redis reads: strings as type 0
 * (integers of up to 11 characters in the int8/16/32 forms, as Redis
 * does; everything else length-prefixed, never compressed), lists as type 1
 * (a count and the elements), sets as type 2, sorted sets as type 5
 * (binary double scores) and hashes as type 4. Redis converts those to its
 * compact encodings on load.
 *
 * Usage: `header`, then per non-empty database `selectDb` and its keys
 * (`entry`), then `finish`. The bytes go to `sink` in order, in chunks of
 * about `chunkBytes` (each a fresh buffer the sink may keep), the CRC64
 * computed over each chunk as it leaves. Nothing is allocated per key
 * except for strings too long for the current chunk (they are split).
 */
export class RdbEncoder {
  private readonly sink: (chunk: Buffer) => void;
  private readonly chunkBytes: number;
  private buf: Buffer;
  private pos = 0;
  private flushed = 0;
  private readonly crc = new Crc64();
  private finished = false;

  private readonly writeMember = (member: string): void => {
    this.writeString(member);
  };
  private readonly writePair = (field: string, value: string): void => {
    this.writeString(field);
    this.writeString(value);
  };
  private readonly writeScored = (member: string, score: number): void => {
    this.writeString(member);
    this.room(8);
    this.buf.writeDoubleLE(score, this.pos);
    this.pos += 8;
  };

  constructor(sink: (chunk: Buffer) => void, options: RdbEncoderOptions = {}) {
    this.sink = sink;
    this.chunkBytes = Math.max(MIN_CHUNK_BYTES, Math.floor(options.chunkBytes ?? DEFAULT_CHUNK_BYTES));
    this.buf = Buffer.allocUnsafe(this.chunkBytes);
  }

  /** Bytes produced so far (handed to the sink or still buffered). */
  get bytesWritten(): number {
    return this.flushed + this.pos;
  }

  /** "REDIS0010" and the auxiliary fields, in order. */
  header(aux: AuxFields): void {
    this.room(9);
    writeLatin1(this.buf, this.pos, 'REDIS00' + String(RDB_WRITE_VERSION));
    this.pos += 9;
    for (const [name, value] of aux) {
      this.room(1);
      this.buf[this.pos++] = OP_AUX;
      this.writeString(name);
      this.writeString(typeof value === 'number' ? String(value) : value);
    }
  }

  /** SELECTDB `db`, then the RESIZEDB hint: `keys` keys, `expiring` of them with a time to live. */
  selectDb(db: number, keys: number, expiring: number): void {
    this.room(1 + 9 + 1 + 9 + 9);
    this.buf[this.pos++] = OP_SELECTDB;
    this.writeLength(db);
    this.buf[this.pos++] = OP_RESIZEDB;
    this.writeLength(keys);
    this.writeLength(expiring);
  }

  /** One key of the current database; `expireAt` is absolute unix ms, or undefined. Collections must be non-empty. */
  entry(key: string, value: StoredValue, expireAt: number | undefined): void {
    this.room(1 + 8 + 1);
    const b = this.buf;
    if (expireAt !== undefined) {
      b[this.pos++] = OP_EXPIRETIME_MS;
      const hi = Math.floor(expireAt / TWO_32);
      b.writeUInt32LE(expireAt - hi * TWO_32, this.pos);
      b.writeInt32LE(hi, this.pos + 4);
      this.pos += 8;
    }
    if (typeof value === 'string') {
      b[this.pos++] = TYPE_STRING;
      this.writeString(key);
      this.writeString(value);
      return;
    }
    switch (value.type) {
      case 'list':
        b[this.pos++] = TYPE_LIST;
        this.writeString(key);
        this.writeList(value);
        return;
      case 'set':
        b[this.pos++] = TYPE_SET;
        this.writeString(key);
        this.writeSet(value);
        return;
      case 'zset':
        b[this.pos++] = TYPE_ZSET_2;
        this.writeString(key);
        this.writeSortedSet(value);
        return;
      case 'hash':
        b[this.pos++] = TYPE_HASH;
        this.writeString(key);
        this.writeHash(value);
        return;
    }
  }

  /** The EOF opcode and the CRC64 (little-endian); hands over the last chunk. */
  finish(): void {
    if (this.finished) throw new Error('RdbEncoder.finish called twice');
    this.finished = true;
    this.room(9);
    this.buf[this.pos++] = OP_EOF;
    this.crc.update(this.buf, 0, this.pos);
    this.crc.writeLE(this.buf, this.pos);
    this.pos += 8;
    const last = this.buf.subarray(0, this.pos);
    this.flushed += this.pos;
    this.pos = 0;
    this.sink(last);
  }

  private writeList(list: ListValue): void {
    const n = list.size;
    this.room(9);
    this.writeLength(n);
    for (let i = 0; i < n; i++) this.writeString(list.at(i)!);
  }

  private writeSet(set: SetValue): void {
    this.room(9);
    this.writeLength(set.size);
    set.forEach(this.writeMember);
  }

  private writeSortedSet(zset: SortedSetValue): void {
    this.room(9);
    this.writeLength(zset.size);
    zset.forEach(this.writeScored);
  }

  private writeHash(hash: HashValue): void {
    this.room(9);
    this.writeLength(hash.size);
    hash.forEach(this.writePair);
  }

  /**
   * A string: the int8/16/32 form when it is the canonical text of such an
   * integer (at most 11 characters, Redis's rule), else length + bytes.
   */
  private writeString(s: string): void {
    const len = s.length;
    if (len <= 11 && len > 0) {
      const c = s.charCodeAt(0);
      if ((c >= 48 && c <= 57) || c === 45) {
        const v = canonicalInt32(s);
        if (v !== NOT_INT) return this.writeInteger(v);
      }
    }
    if (this.buf.length - this.pos >= len + 9) {
      this.writeLength(len);
      writeLatin1(this.buf, this.pos, s);
      this.pos += len;
      return;
    }
    this.room(9);
    this.writeLength(len);
    this.writeLongBytes(s);
  }

  /** The bytes of `s`, split over as many chunks as it takes. */
  private writeLongBytes(s: string): void {
    const len = s.length;
    let done = 0;
    while (done < len) {
      if (this.pos === this.buf.length) this.flush();
      const n = Math.min(this.buf.length - this.pos, len - done);
      writeLatin1(this.buf, this.pos, done === 0 && n === len ? s : s.slice(done, done + n));
      this.pos += n;
      done += n;
    }
  }

  private writeInteger(v: number): void {
    this.room(5);
    const b = this.buf;
    let p = this.pos;
    if (v >= -128 && v <= 127) {
      b[p++] = 0xc0 | ENC_INT8;
      b[p++] = v & 0xff;
    } else if (v >= -32768 && v <= 32767) {
      b[p++] = 0xc0 | ENC_INT16;
      b[p++] = v & 0xff;
      b[p++] = (v >> 8) & 0xff;
    } else {
      b[p++] = 0xc0 | ENC_INT32;
      b[p++] = v & 0xff;
      b[p++] = (v >> 8) & 0xff;
      b[p++] = (v >> 16) & 0xff;
      b[p++] = (v >>> 24) & 0xff;
    }
    this.pos = p;
  }

  /** A length (the caller made room for 9 bytes). */
  private writeLength(n: number): void {
    const b = this.buf;
    let p = this.pos;
    if (n < 64) {
      b[p++] = n;
    } else if (n < 16384) {
      b[p++] = 0x40 | (n >>> 8);
      b[p++] = n & 0xff;
    } else if (n < TWO_32) {
      b[p++] = LEN_32BIT;
      b.writeUInt32BE(n, p);
      p += 4;
    } else {
      b[p++] = LEN_64BIT;
      const hi = Math.floor(n / TWO_32);
      b.writeUInt32BE(hi, p);
      b.writeUInt32BE(n - hi * TWO_32, p + 4);
      p += 8;
    }
    this.pos = p;
  }

  /** Makes sure `n` (small) bytes fit in the current chunk, handing the chunk over first when not. */
  private room(n: number): void {
    if (this.buf.length - this.pos < n) this.flush();
  }

  private flush(): void {
    if (this.pos === 0) return;
    const chunk = this.buf.subarray(0, this.pos);
    this.crc.update(chunk);
    this.flushed += this.pos;
    this.buf = Buffer.allocUnsafe(this.chunkBytes);
    this.pos = 0;
    this.sink(chunk);
  }
}

/**
 * The value of `s` when it is exactly how an int32 prints (optional '-',
 * no leading zeros, no "-0"), else NOT_INT. `s` has 1 to 11 characters.
 */
function canonicalInt32(s: string): number {
  const len = s.length;
  let i = 0;
  let negative = false;
  if (s.charCodeAt(0) === 45) {
    if (len === 1) return NOT_INT;
    negative = true;
    i = 1;
  }
  const first = s.charCodeAt(i) - 48;
  if (first === 0) return len === 1 ? 0 : NOT_INT;
  let v = 0;
  for (; i < len; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return NOT_INT;
    v = v * 10 + d;
  }
  if (negative) v = -v;
  return v >= -2147483648 && v <= 2147483647 ? v : NOT_INT;
}
