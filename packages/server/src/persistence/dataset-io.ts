import type { AuxFields, DatasetReceiver, RdbDecoder, RdbDecoderOptions } from '@aki/aof-persistence';
import { RdbEncoder } from '@aki/aof-persistence';
import type { Keyspace, KeyspaceSnapshot, StoredValue } from '@aki/keyspace';
import type { ServerConfig } from '../config/index.js';
import { encodingLimitsOf } from '../encoding-limits.js';

/**
 * Moving whole datasets between the keyspace and the RDB codec: loading an
 * RDB (or an AOF's RDB base) into memory, and writing memory out as an RDB,
 * either at once (SAVE, startup) or from a point-in-time snapshot in slices
 * between event-loop turns (BGSAVE, AOF rewrite) so the server keeps serving.
 */

/** Replication state an RDB carries in its aux fields (repl-id, repl-offset). */
export interface ReplicationMark {
  replicationId: string;
  offset: number;
}

/**
 * Options for decoding an RDB into a KeyspaceLoader: loaded values settle
 * their encodings against the live config, a db beyond `databases` is
 * refused, and duplicate keys are left to the loader (see entry), so the
 * decoder need not keep a set of every key.
 */
export function loaderDecoderOptions(config: ServerConfig, databases: number): RdbDecoderOptions {
  return { detectDuplicateKeys: false, encodingLimits: encodingLimitsOf(config), databases };
}

/** Keys decoded between yields to clients while an RDB loads in slices. */
const KEYS_PER_SLICE = 2048;

/**
 * Runs `decoder` to its end in slices, letting clients be served between
 * them; `afterSlice` sees the byte offset reached (progress reports).
 */
export async function decodeInSlices(decoder: RdbDecoder, afterSlice?: (offset: number) => void): Promise<void> {
  while (!decoder.step(KEYS_PER_SLICE)) {
    afterSlice?.(decoder.offset);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/**
 * A DatasetReceiver that stores every key into the keyspace. Keys already
 * expired are dropped when `dropExpired` (a leader loading dump.rdb, as
 * Redis does) unless the file records a replication history (see entry); an
 * AOF base keeps them, and they expire through the normal path, so the
 * stream that follows still applies to the same keys.
 */
export class KeyspaceLoader implements DatasetReceiver {
  keysLoaded = 0;
  keysExpired = 0;
  /** The stream's selected database when the file was written (repl-stream-db aux), 0 when absent. */
  streamDb = 0;
  private replId: string | undefined;
  private replOffset: number | undefined;

  constructor(
    private readonly keyspace: Keyspace,
    private readonly now: number,
    private readonly dropExpired: boolean,
  ) {}

  aux(name: string, value: string): void {
    if (name === 'repl-id' && /^[0-9a-f]{40}$/.test(value)) this.replId = value;
    else if (name === 'repl-offset' && /^[0-9]+$/.test(value)) this.replOffset = Number(value);
    else if (name === 'repl-stream-db' && /^[0-9]+$/.test(value) && Number(value) < this.keyspace.databases.length) {
      this.streamDb = Number(value);
    }
  }

  resizeHint(db: number, keys: number): void {
    if (db < this.keyspace.databases.length) this.keyspace.db(db).reserve(keys);
  }

  entry(db: number, key: string, value: StoredValue, expireAt: number | undefined): void {
    const databases = this.keyspace.databases.length;
    if (db >= databases) {
      throw new Error(
        `Data file was created with a server configured to handle more than ${databases} databases (found db ${db}).`,
      );
    }
    // A file that records a replication history keeps its expired keys: followers may
    // continue that history from its offset, and only the DELs the expiry will
    // propagate from here on can remove those keys on their side too.
    if (this.dropExpired && this.replId === undefined && expireAt !== undefined && expireAt <= this.now) {
      this.keysExpired++;
      return;
    }
    // Duplicates are found here, by the insert itself: a separate set of every key cost the decoder 1.3 s per million keys.
    if (this.keyspace.db(db).set(key, value, expireAt, this.now)) {
      throw new Error(`Duplicate key ${JSON.stringify(key.length > 64 ? `${key.slice(0, 64)}...` : key)} found in DB ${db}`);
    }
    this.keysLoaded++;
  }

  /** The replication id and offset the file recorded, when it recorded both. */
  get replicationMark(): ReplicationMark | undefined {
    if (this.replId === undefined || this.replOffset === undefined) return undefined;
    return { replicationId: this.replId, offset: this.replOffset };
  }
}

/** What goes into an RDB header besides the dataset. */
export interface RdbHeader {
  redisVersion: string;
  /** Unix ms. */
  now: number;
  usedMemory: number;
  /** 1 when this RDB is an AOF base. */
  aofBase: boolean;
  replication?: ReplicationMark & { streamDb: number };
}

export function auxFieldsOf(header: RdbHeader): AuxFields {
  const fields: Array<readonly [string, string | number]> = [
    ['redis-ver', header.redisVersion],
    ['redis-bits', 64],
    ['ctime', Math.floor(header.now / 1000)],
    ['used-mem', header.usedMemory],
  ];
  if (header.replication !== undefined) {
    fields.push(['repl-stream-db', Math.max(0, header.replication.streamDb)]);
    fields.push(['repl-id', header.replication.replicationId]);
    fields.push(['repl-offset', header.replication.offset]);
  }
  fields.push(['aof-base', header.aofBase ? 1 : 0]);
  return fields;
}

/** Encodes the whole keyspace as it is now, in one go (SAVE, DEBUG RELOAD, the first AOF base). */
export function encodeKeyspace(keyspace: Keyspace, header: RdbHeader, sink: (chunk: Buffer) => void): void {
  const encoder = new RdbEncoder(sink);
  encoder.header(auxFieldsOf(header));
  for (const db of keyspace.databases) {
    if (db.size === 0) continue;
    encoder.selectDb(db.index, db.size, db.expiringCount);
    for (const [key, value] of db.entries()) encoder.entry(key, value, db.getExpireAt(key));
  }
  encoder.finish();
}

/** Keys encoded per snapshot step before the clock is read again. */
const KEYS_PER_STEP = 128;
/** Longest a slice of snapshot encoding may run before yielding to clients. */
const SLICE_BUDGET_MS = 1;

/**
 * Encodes a point-in-time snapshot in slices: each slice encodes keys for
 * about SLICE_BUDGET_MS, hands the chunks produced to `write` (awaited, so
 * memory stays bounded by what the disk or socket absorbs), then waits for
 * `pause` (see slicePacer) so clients are served between slices. Resolves
 * once the EOF and checksum were written; ends the snapshot (abort) if
 * anything fails.
 */
export async function encodeSnapshot(
  snapshot: KeyspaceSnapshot,
  header: RdbHeader,
  write: (chunk: Buffer) => Promise<void>,
  pause: () => Promise<void> = () => new Promise<void>((resolve) => setImmediate(resolve)),
): Promise<void> {
  let chunks: Buffer[] = [];
  const encoder = new RdbEncoder((chunk) => chunks.push(chunk));
  const sizes = new Map(snapshot.databases.map((db) => [db.index, db]));
  let currentDb = -1;
  const visit = (db: number, key: string, value: StoredValue, expireAt: number | undefined): void => {
    if (db !== currentDb) {
      const size = sizes.get(db);
      encoder.selectDb(db, size?.keys ?? 0, size?.expiring ?? 0);
      currentDb = db;
    }
    encoder.entry(key, value, expireAt);
  };
  try {
    encoder.header(auxFieldsOf(header));
    let done = false;
    while (!done) {
      const sliceStart = performance.now();
      do {
        done = snapshot.step(KEYS_PER_STEP, visit);
      } while (!done && performance.now() - sliceStart < SLICE_BUDGET_MS);
      if (done) encoder.finish();
      const ready = chunks;
      chunks = [];
      for (const chunk of ready) await write(chunk);
      if (!done) await pause();
    }
  } catch (error) {
    snapshot.abort();
    throw error;
  }
}

/**
 * The pause between snapshot slices. With clients idle it is one event-loop
 * turn (the snapshot runs at full speed). When commands ran during the last
 * pause, clients are busy: then it waits about a millisecond, long enough
 * for the event loop to block on their sockets and serve what arrives, so a
 * background save takes about half of the event loop under load instead of
 * nearly all of it (measured: a 1M-key rewrite cut a pipelined SET/GET load
 * to 12-20% with turn-long pauses).
 */
export function slicePacer(commandsProcessed: () => number): () => Promise<void> {
  let seen = commandsProcessed();
  return () => {
    const now = commandsProcessed();
    const busy = now !== seen;
    seen = now;
    return new Promise<void>((resolve) => (busy ? setTimeout(resolve, 1) : setImmediate(resolve)));
  };
}
