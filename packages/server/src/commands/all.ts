import { clientCommands } from './client.js';
import { connectionCommands } from './connection.js';
import { debugCommands } from './debug.js';
import { introspectionCommands } from './introspection.js';
import { keyCommands } from './keys.js';
import { serverCommands } from './server.js';
import { stringCommands } from './strings.js';
import type { CommandSpec } from './types.js';

/** Every command aki serves, in COMMAND's order. */
export const allCommands: readonly CommandSpec[] = [
  ...connectionCommands,
  ...stringCommands,
  ...keyCommands,
  ...serverCommands,
  ...clientCommands,
  ...introspectionCommands,
  ...debugCommands,
];
