import { clientCommands } from './client.js';
import { connectionCommands } from './connection.js';
import { debugCommands } from './debug.js';
import { introspectionCommands } from './introspection.js';
import { hashCommands } from './hashes.js';
import { keyCommands } from './keys.js';
import { listCommands } from './lists.js';
import { persistenceCommands } from './persistence.js';
import { pubsubCommands } from './pubsub.js';
import { replicationCommands } from './replication.js';
import { serverCommands } from './server.js';
import { setCommands } from './sets.js';
import { sortedSetCommands } from './sorted-sets.js';
import { stringCommands } from './strings.js';
import { transactionCommands } from './transactions.js';
import type { CommandSpec } from './types.js';

/** Every command aki serves, in COMMAND's order. */
export const allCommands: readonly CommandSpec[] = [
  ...connectionCommands,
  ...stringCommands,
  ...keyCommands,
  ...listCommands,
  ...hashCommands,
  ...setCommands,
  ...sortedSetCommands,
  ...transactionCommands,
  ...pubsubCommands,
  ...serverCommands,
  ...persistenceCommands,
  ...replicationCommands,
  ...clientCommands,
  ...introspectionCommands,
  ...debugCommands,
];
