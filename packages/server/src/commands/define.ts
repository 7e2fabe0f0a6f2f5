import {
  type ArgumentDoc,
  type CommandFlag,
  type CommandGroup,
  type CommandHandler,
  type CommandSpec,
  type KeySpec,
  NO_KEYS,
} from './types.js';

export interface CommandDefinition {
  name: string;
  arity: number;
  flags: readonly CommandFlag[];
  /** Key positions; omit for commands without keys. */
  keys?: KeySpec;
  /** argv index of a key count whose keys follow it (see CommandSpec.numKeysAt); adds the movablekeys flag. */
  numKeysAt?: number;
  group: CommandGroup;
  summary: string;
  since: string;
  complexity: string;
  /** ACL categories beyond those derived from flags and group (e.g. 'dangerous'). */
  extraCategories?: readonly string[];
  arguments?: readonly ArgumentDoc[];
  handler?: CommandHandler;
  subcommands?: readonly CommandDefinition[];
}

const CATEGORY_OF_GROUP: Record<CommandGroup, string | undefined> = {
  generic: 'keyspace',
  string: 'string',
  list: 'list',
  hash: 'hash',
  set: 'set',
  'sorted-set': 'sortedset',
  connection: 'connection',
  server: undefined,
  // @pubsub comes from the `pubsub` flag: PUBSUB HELP, in the group but without the flag, is only @slow.
  pubsub: undefined,
  transactions: 'transaction',
};

/**
 * Builds a command record, deriving its ACL categories from its flags and
 * group the way Redis does (write -> @write, readonly -> @read, admin ->
 * @admin @dangerous, fast or else @slow, ...). Subcommands are named
 * `parent|sub`.
 */
export function defineCommand(definition: CommandDefinition, parent?: string): CommandSpec {
  const name = parent === undefined ? definition.name : `${parent}|${definition.name}`;
  return {
    name,
    arity: definition.arity,
    flags:
      definition.numKeysAt !== undefined && !definition.flags.includes('movablekeys')
        ? [...definition.flags, 'movablekeys']
        : definition.flags,
    categories: deriveCategories(definition),
    keys: definition.keys ?? NO_KEYS,
    numKeysAt: definition.numKeysAt,
    group: definition.group,
    summary: definition.summary,
    since: definition.since,
    complexity: definition.complexity,
    arguments: definition.arguments,
    handler: definition.handler,
    subcommands: definition.subcommands?.map((sub) => defineCommand(sub, name)),
  };
}

function deriveCategories(definition: CommandDefinition): string[] {
  // A pure container (CLIENT, CONFIG, OBJECT) is only @slow; its subcommands carry the rest.
  if (definition.subcommands !== undefined && definition.handler === undefined) return ['slow'];
  const flags = new Set(definition.flags);
  const categories: string[] = [];
  const add = (category: string | undefined) => {
    if (category !== undefined && !categories.includes(category)) categories.push(category);
  };
  if (flags.has('write')) add('write');
  if (flags.has('readonly')) add('read');
  if (flags.has('admin')) {
    add('admin');
    add('dangerous');
  }
  if (flags.has('pubsub')) add('pubsub');
  add(flags.has('fast') ? 'fast' : 'slow');
  if (flags.has('blocking')) add('blocking');
  add(CATEGORY_OF_GROUP[definition.group]);
  for (const extra of definition.extraCategories ?? []) add(extra);
  return categories;
}

/** Key spec helpers for the common shapes. */
export const keyAt = (position: number): KeySpec => ({ first: position, last: position, step: 1 });
export const keysFrom = (first: number, step = 1): KeySpec => ({ first, last: -1, step });
export const keyRange = (first: number, last: number, step = 1): KeySpec => ({ first, last, step });

/** Argument docs shared by many commands (COMMAND DOCS). */
export const KEY_ARG: ArgumentDoc = { name: 'key', type: 'key' };
export const KEYS_ARG: ArgumentDoc = { name: 'key', type: 'key', multiple: true };
export const VALUE_ARG: ArgumentDoc = { name: 'value', type: 'string' };
/** The key count of the movable-keys commands (LMPOP, ZUNION, SINTERCARD, ...). */
export const NUMKEYS_ARG: ArgumentDoc = { name: 'numkeys', type: 'integer' };
/** The optional COUNT of pops and random picks. */
export const COUNT_ARG: ArgumentDoc = { name: 'count', type: 'integer', optional: true };
/** The seconds a blocking command waits (fractions allowed). */
export const TIMEOUT_ARG: ArgumentDoc = { name: 'timeout', type: 'double' };
/**
 * A choice of pure tokens (COMMAND DOCS type "oneof"), each named after its
 * token in lower case, as Redis names them: tokenChoice('condition', ['NX', 'XX']).
 */
export function tokenChoice(
  name: string,
  tokens: readonly string[],
  traits: { token?: string; optional?: boolean } = {},
): ArgumentDoc {
  return {
    name,
    type: 'oneof',
    ...(traits.token === undefined ? {} : { token: traits.token }),
    ...(traits.optional === true ? { optional: true } : {}),
    arguments: tokens.map((token) => ({ name: token.toLowerCase(), type: 'pure-token', token })),
  };
}

/** EX / PX / EXAT / PXAT, the expiry forms SET and GETEX share. */
export const EXPIRY_TOKENS: readonly ArgumentDoc[] = [
  { name: 'seconds', type: 'integer', token: 'EX' },
  { name: 'milliseconds', type: 'integer', token: 'PX' },
  { name: 'unix-time-seconds', type: 'unix-time', token: 'EXAT' },
  { name: 'unix-time-milliseconds', type: 'unix-time', token: 'PXAT' },
];
