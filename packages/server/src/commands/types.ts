import type { ReplyWriter } from '@aki/resp-codec';
import type { Database } from '@aki/keyspace';
import type { ClientSession } from '../client-session.js';
import type { ServerState } from '../server-state.js';

/**
 * Command flags as Redis 7 names them in COMMAND INFO. The dispatcher's gates
 * read them: `write` (refused on read-only followers, propagated), `denyoom`,
 * `admin`, `pubsub`, `noscript`, `loading` (allowed while loading), `stale`
 * (allowed on a follower with a down link), `fast`, `no_auth` (allowed before
 * AUTH), `blocking`, `allow_busy`, `no_multi`, `skip_slowlog`, `readonly`.
 */
export type CommandFlag =
  | 'write'
  | 'readonly'
  | 'denyoom'
  | 'admin'
  | 'pubsub'
  | 'noscript'
  | 'loading'
  | 'stale'
  | 'fast'
  | 'no_auth'
  | 'blocking'
  | 'allow_busy'
  | 'no_multi'
  | 'skip_slowlog'
  | 'random'
  | 'sort_for_script'
  | 'may_replicate'
  | 'no_mandatory_keys';

/** The command groups of COMMAND DOCS. */
export type CommandGroup = 'generic' | 'string' | 'connection' | 'server' | 'pubsub' | 'transactions';

/**
 * Where the keys of a command are in argv (Redis's legacy key spec: 1-based
 * first and last positions, step; a negative last counts from the end).
 */
export interface KeySpec {
  first: number;
  last: number;
  step: number;
}

export const NO_KEYS: KeySpec = { first: 0, last: 0, step: 0 };

/** One argument of a command, for COMMAND DOCS (and redis-cli hints). */
export interface ArgumentDoc {
  name: string;
  type: 'key' | 'string' | 'integer' | 'double' | 'pattern' | 'unix-time' | 'pure-token' | 'oneof' | 'block';
  token?: string;
  optional?: boolean;
  multiple?: boolean;
  arguments?: ArgumentDoc[];
}

/** Everything a handler may touch while it runs one command. */
export interface CommandContext {
  readonly server: ServerState;
  readonly client: ClientSession;
  /** The client's reply buffer; a handler writes exactly one reply. */
  readonly reply: ReplyWriter;
  /** The client's selected database. */
  readonly db: Database;
  /** Unix time in ms for this command, from the injected clock; constant during the command. */
  readonly now: number;
  /**
   * Records one deterministic effect of this command in the current database
   * (e.g. SET EX becomes SET ... PXAT). Several effects of one command are
   * wrapped in MULTI/EXEC by the propagator.
   */
  propagate(argv: string[]): void;
  /** Records an effect against a database other than the client's (MOVE, COPY DB). */
  propagateIn(dbIndex: number, argv: string[]): void;
  /** Replies with an error (counted in INFO errorstats and the command's failed_calls). */
  error(message: string): void;
}

export type CommandHandler = (ctx: CommandContext, argv: string[]) => void;

/** One record of the command table. COMMAND, COMMAND DOCS and the dispatcher's gates derive from it. */
export interface CommandSpec {
  /** Lower-case name, as COMMAND prints it. */
  name: string;
  /** Redis arity: counts the name; negative means "at least". */
  arity: number;
  flags: readonly CommandFlag[];
  /** ACL categories without the '@' (e.g. 'string', 'keyspace', 'read', 'fast'). */
  categories: readonly string[];
  keys: KeySpec;
  group: CommandGroup;
  summary: string;
  since: string;
  complexity: string;
  arguments?: readonly ArgumentDoc[];
  /** Absent on containers whose subcommands carry the handlers (CLIENT, CONFIG, ...). */
  handler?: CommandHandler;
  subcommands?: readonly CommandSpec[];
}
