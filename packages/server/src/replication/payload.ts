import { isRdb, RdbDecoder } from '@aki/aof-persistence';
import { Keyspace } from '@aki/keyspace';
import { decodeInSlices, KeyspaceLoader, loaderDecoderOptions } from '../persistence/dataset-io.js';
import type { ServerState } from '../server-state.js';

/** A full-sync payload decoded into a dataset of its own, not yet live. */
export interface StagedDataset {
  readonly keyspace: Keyspace;
  readonly keys: number;
  /** The leader stream's database at the snapshot (repl-stream-db aux, 0 when absent). */
  readonly streamDb: number;
}

/**
 * Decodes an RDB payload into a fresh keyspace beside the live one, in
 * slices between event-loop turns, so the follower keeps serving its old
 * data until the new one is complete and verified (checksum included).
 * Nothing live changes here: a payload that fails to decode leaves the
 * follower exactly as it was. Keys already expired are kept, as a follower
 * keeps them: its leader's DEL will come.
 */
export async function stagePayload(state: ServerState, payload: Buffer[]): Promise<StagedDataset> {
  const bytes = payload.length === 1 ? payload[0]! : Buffer.concat(payload);
  if (!isRdb(bytes)) throw new Error('the payload is not an RDB file (wrong signature)');
  const keyspace = new Keyspace({ databases: state.keyspace.databases.length });
  keyspace.setExpiryMode('hide');
  const loader = new KeyspaceLoader(keyspace, state.clock(), false);
  await decodeInSlices(new RdbDecoder(bytes, loader, 0, loaderDecoderOptions(state.config, keyspace.databases.length)));
  return { keyspace, keys: loader.keysLoaded, streamDb: loader.streamDb };
}

/**
 * Makes a staged dataset the live one, in O(databases): each database
 * trades its contents with the staged one. WATCHed keys are invalidated and
 * blocked clients re-examined as for FLUSHALL, because every key may have
 * changed.
 */
export function installDataset(state: ServerState, staged: StagedDataset): void {
  const now = state.clock();
  for (const db of state.keyspace.databases) {
    // Before and after: a watched key changed if it lives in either dataset.
    state.watches.databaseWillChange(db.index, now);
    db.swapContents(staged.keyspace.db(db.index));
    state.watches.databaseWillChange(db.index, now);
    state.blocking.databaseChanged(db.index);
  }
}
