import { randomBytes } from 'node:crypto';

/** Length of a replication id: 40 characters (Redis's CONFIG_RUN_ID_SIZE). */
export const REPLICATION_ID_LENGTH = 40;

/**
 * The "no history" id: forty '0' characters. Shown as master_replid2 when there
 * is no previous history (with second_repl_offset -1).
 */
export const NO_REPLICATION_ID: string = '0'.repeat(REPLICATION_ID_LENGTH);

/**
 * A fresh replication id: 40 lowercase hex characters from 20 bytes of
 * cryptographic randomness, so two histories never share an id by accident.
 */
export function newReplicationId(): string {
  return randomBytes(REPLICATION_ID_LENGTH / 2).toString('hex');
}
