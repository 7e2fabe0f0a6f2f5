import { DEFAULT_ENCODING_LIMITS, type EncodingLimits, type StoredValue } from '@aki/keyspace';
import type { DatasetReceiver } from '../dataset.js';
import {
  OP_AUX,
  OP_EOF,
  OP_EXPIRETIME,
  OP_EXPIRETIME_MS,
  OP_FREQ,
  OP_FUNCTION2,
  OP_FUNCTION_PRE_GA,
  OP_IDLE,
  OP_MODULE_AUX,
  OP_RESIZEDB,
  OP_SELECTDB,
  RDB_FIRST_CHECKSUM_VERSION,
  RDB_MAX_READ_VERSION,
} from './constants.js';
import { u32le } from './bytes.js';
import { Crc64 } from './crc64.js';
import { RdbReader } from './reader.js';
import { readValue, type ValueReaderOptions } from './value-reader.js';

export { RdbFormatError } from './errors.js';

/** "REDIS" followed by four ASCII digits. */
const MAGIC = [0x52, 0x45, 0x44, 0x49, 0x53];
const HEADER_BYTES = 9;

export interface RdbDecoderOptions {
  /**
   * The encoding limits (CONFIG) loaded values are settled against, as
   * Redis's loader converts them: a list's listpack/quicklist state, and
   * -0 scores of sorted sets small enough for a listpack becoming 0.
   * Default: Redis's defaults.
   */
  encodingLimits?: Readonly<EncodingLimits>;
  /** Number of databases; a SELECTDB at or beyond it is an error (default 16). */
  databases?: number;
  /**
   * Reject a key that appears twice in one database (default true). Costs a
   * set of every key loaded; a receiver that detects duplicates itself can
   * turn it off.
   */
  detectDuplicateKeys?: boolean;
}

/** True when `bytes` holds "REDIS" + four digits at `at` (an RDB file, or an AOF's RDB preamble). */
export function isRdb(bytes: Uint8Array, at = 0): boolean {
  if (bytes.length - at < HEADER_BYTES) return false;
  for (let i = 0; i < 5; i++) if (bytes[at + i] !== MAGIC[i]) return false;
  for (let i = 5; i < HEADER_BYTES; i++) {
    const c = bytes[at + i];
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

/**
 * Reads an RDB held in memory (versions 1 to 11: Redis 2.x to 7.2) and
 * delivers its dataset to a `DatasetReceiver`, a slice at a time so a large
 * load can yield to the event loop between `step` calls.
 *
 * Supported: every opcode Redis writes (AUX, RESIZEDB, expiry in ms and s,
 * SELECTDB, EOF; LRU idle and LFU frequency are read and ignored) and every
 * string, list, set, sorted set and hash encoding (plain, ziplist, zipmap,
 * intset, quicklist 1 and 2, listpack). Streams, modules and functions are
 * refused with a clear error. Packed encodings are fully validated; empty
 * collections are skipped and counted, as Redis does. The CRC64 after the
 * EOF opcode (version 5 on) is checked unless it is zero, incrementally over
 * the bytes each step consumed.
 *
 * Any problem with the bytes throws an RdbFormatError; nothing else is
 * thrown for any input (exceptions from the receiver pass through).
 */
export class RdbDecoder {
  private readonly reader: RdbReader;
  private readonly receiver: DatasetReceiver;
  private readonly valueOptions: ValueReaderOptions;
  private readonly databases: number;
  private readonly seenKeys: Map<number, Set<string>> | undefined;
  private readonly crc = new Crc64();
  /** Bytes before this offset are folded into `crc`. */
  private crcPos: number;
  private db = 0;
  private expireAt: number | undefined = undefined;
  private started = false;
  private done = false;
  private rdbVersion = 0;
  private loaded = 0;
  private skipped = 0;
  private verified = false;

  constructor(bytes: Buffer, receiver: DatasetReceiver, start = 0, options: RdbDecoderOptions = {}) {
    this.reader = new RdbReader(bytes, start);
    this.receiver = receiver;
    this.crcPos = start;
    this.valueOptions = { limits: options.encodingLimits ?? DEFAULT_ENCODING_LIMITS };
    this.databases = options.databases ?? 16;
    this.seenKeys = options.detectDuplicateKeys === false ? undefined : new Map();
  }

  /** Byte offset just past what was consumed (after the 8-byte checksum once done). */
  get offset(): number {
    return this.reader.pos;
  }

  /** The file's format version (0 until the header was read). */
  get version(): number {
    return this.rdbVersion;
  }

  /** Keys delivered so far. */
  get keysLoaded(): number {
    return this.loaded;
  }

  /** Empty collections skipped so far. */
  get emptyKeysSkipped(): number {
    return this.skipped;
  }

  /** True once done with a non-zero checksum that matched (false: zero checksum, or a version without one). */
  get checksumVerified(): boolean {
    return this.verified;
  }

  /**
   * Decodes up to `maxKeys` keys (at least one); true once the EOF opcode
   * and checksum were read. Throws RdbFormatError.
   */
  step(maxKeys: number): boolean {
    if (this.done) return true;
    const r = this.reader;
    if (!this.started) {
      this.readHeader();
      this.started = true;
    }
    let budget = maxKeys > 1 ? maxKeys : 1;
    for (;;) {
      const at = r.pos;
      const op = r.u8();
      switch (op) {
        case OP_EXPIRETIME_MS:
          this.expireAt = r.i64leNumber();
          continue;
        case OP_EXPIRETIME:
          this.expireAt = r.i32le() * 1000;
          continue;
        case OP_IDLE:
          r.length();
          continue;
        case OP_FREQ:
          r.u8();
          continue;
        case OP_SELECTDB: {
          const db = r.length();
          if (db >= this.databases) {
            r.fail(`Data file was created with a server configured to handle more than ${this.databases} databases (SELECTDB ${db})`, at);
          }
          this.db = db;
          continue;
        }
        case OP_RESIZEDB: {
          const keys = r.length();
          const expiring = r.length();
          this.receiver.resizeHint?.(this.db, keys, expiring);
          continue;
        }
        case OP_AUX: {
          const name = r.string();
          const value = r.string();
          this.receiver.aux?.(name, value);
          continue;
        }
        case OP_MODULE_AUX:
          return r.fail('aki does not support modules (the RDB holds module auxiliary data)', at);
        case OP_FUNCTION_PRE_GA:
        case OP_FUNCTION2:
          return r.fail('aki does not support functions (the RDB holds a function library)', at);
        case OP_EOF:
          this.finish();
          return true;
        default:
          this.readKey(op, at);
          if (--budget === 0) {
            this.foldCrc();
            return false;
          }
      }
    }
  }

  /** Decodes everything that is left (tests, small payloads). */
  run(): this {
    while (!this.step(Number.MAX_SAFE_INTEGER)) {
      // every call decodes as much as it can
    }
    return this;
  }

  private readHeader(): void {
    const r = this.reader;
    const at = r.pos;
    if (r.end - at < HEADER_BYTES) {
      if (isPrefixOfMagic(r.bytes, at)) r.truncated();
      r.fail('Wrong signature trying to load DB from file', at);
    }
    if (!isRdb(r.bytes, at)) r.fail('Wrong signature trying to load DB from file', at);
    let version = 0;
    for (let i = 5; i < HEADER_BYTES; i++) version = version * 10 + (r.bytes[at + i] - 0x30);
    if (version < 1 || version > RDB_MAX_READ_VERSION) r.fail(`Can't handle RDB format version ${version}`, at);
    this.rdbVersion = version;
    r.pos = at + HEADER_BYTES;
  }

  private readKey(type: number, typeAt: number): void {
    const r = this.reader;
    const key = r.string();
    const value: StoredValue | undefined = readValue(r, type, typeAt, this.valueOptions);
    const expireAt = this.expireAt;
    this.expireAt = undefined;
    if (value === undefined) {
      this.skipped++;
      return;
    }
    if (this.seenKeys !== undefined) {
      let keys = this.seenKeys.get(this.db);
      if (keys === undefined) this.seenKeys.set(this.db, (keys = new Set()));
      const before = keys.size;
      keys.add(key);
      if (keys.size === before) r.fail(`Duplicate key ${describeKey(key)} found in DB ${this.db}`, typeAt);
    }
    this.loaded++;
    this.receiver.entry(this.db, key, value, expireAt);
  }

  private finish(): void {
    const r = this.reader;
    this.foldCrc();
    if (this.rdbVersion >= RDB_FIRST_CHECKSUM_VERSION) {
      r.need(8);
      const at = r.pos;
      let zero = true;
      for (let i = 0; i < 8; i++) if (r.bytes[at + i] !== 0) zero = false;
      if (!zero) {
        if (!this.crc.matchesLE(r.bytes, at)) {
          const stored = hex32(u32le(r.bytes, at + 4)) + hex32(u32le(r.bytes, at));
          r.fail(`Wrong RDB checksum expected: (${this.crc.hex()}) got: (${stored})`, at);
        }
        this.verified = true;
      }
      r.pos = at + 8;
    }
    this.done = true;
  }

  private foldCrc(): void {
    const r = this.reader;
    this.crc.update(r.bytes, this.crcPos, r.pos);
    this.crcPos = r.pos;
  }
}

/** A key for an error message: quoted, escaped, at most 64 characters. */
function describeKey(key: string): string {
  return JSON.stringify(key.length > 64 ? key.slice(0, 64) + '...' : key);
}

/** True when the bytes from `at` to the end are a proper beginning of "REDIS" + digits. */
function isPrefixOfMagic(bytes: Uint8Array, at: number): boolean {
  for (let i = at; i < bytes.length; i++) {
    const k = i - at;
    const c = bytes[i];
    if (k < 5 ? c !== MAGIC[k] : c < 0x30 || c > 0x39) return false;
  }
  return true;
}

function hex32(n: number): string {
  return n.toString(16).padStart(8, '0');
}
