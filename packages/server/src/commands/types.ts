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
  | 'no_async_loading'
  | 'skip_slowlog'
  | 'random'
  | 'sort_for_script'
  | 'may_replicate'
  | 'no_mandatory_keys'
  | 'movablekeys';

/** The command groups of COMMAND DOCS. */
export type CommandGroup =
  | 'generic'
  | 'string'
  | 'list'
  | 'hash'
  | 'set'
  | 'sorted-set'
  | 'connection'
  | 'server'
  | 'pubsub'
  | 'transactions';

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
  /**
   * Marks `key` (in the client's database) modified for WATCH without an
   * effect: for the rare write Redis counts as a modification although it
   * changed nothing, so propagates nothing (LTRIM keeping every element).
   * Every write that propagates an effect is seen by WATCH already.
   */
  signalModified(key: string): void;
  /** Replies with an error (counted in INFO errorstats and the command's failed_calls). */
  error(message: string): void;
  /**
   * True while the command runs inside EXEC: a blocking command must not
   * block then, and replies as if its timeout had passed, as Redis does.
   */
  readonly inTransaction: boolean;
  /**
   * Parks the client until `request.tryServe` succeeds or its deadline
   * passes. The handler writes no reply itself when it calls this; the
   * client reads no further commands meanwhile. Never call it when
   * `inTransaction` is true.
   */
  block(request: BlockRequest): void;
  /**
   * Parks the client while the command waits for something outside the
   * keyspace (a file being written, an fsync): the handler writes no reply
   * now, and the client reads no further commands until `finish` is called.
   * `finish` runs its callback with a fresh context of this client (its own
   * effect bracket) to write the one reply; after the client closed it does
   * nothing. Never call it when `inTransaction` is true.
   */
  suspend(): (finish: (ctx: CommandContext) => void) => void;
}

/** What a blocking command asks for when it cannot be served at once (see `CommandContext.block`). */
export interface BlockRequest {
  /** Keys (in the client's selected database) whose change may serve the client. */
  readonly keys: readonly string[];
  /** Absolute unix-ms deadline, or 0 to wait forever (see `blockingTimeoutArg`). */
  readonly deadline: number;
  /**
   * Tries to serve the client after a write touched `key`. It runs once the
   * writing command or transaction completed, with the blocked client's own
   * context (its db, reply, clock, propagate), in arrival order among the
   * clients blocked on `key`. Returns true when it replied (the client is
   * unblocked), false to keep waiting (e.g. the key holds another type or is
   * still empty). Effects it propagates are those of the pop it did (LPOP,
   * LMOVE, ZPOPMIN, ...), never the blocking command itself.
   */
  tryServe(ctx: CommandContext, key: string): boolean;
  /** Replies the timeout answer (a null array for BLPOP, a null bulk for BLMOVE, ...). */
  timeout(ctx: CommandContext): void;
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
  /**
   * For commands whose keys are counted by an argument (LMPOP, ZUNION,
   * SINTERCARD, ...: Redis's "movablekeys"): the argv index of that count;
   * the keys are the arguments right after it. Comes on top of `keys`
   * (ZUNIONSTORE's destination is argv[1], its sources follow argv[2]).
   */
  numKeysAt?: number;
  group: CommandGroup;
  summary: string;
  since: string;
  complexity: string;
  arguments?: readonly ArgumentDoc[];
  /** Absent on containers whose subcommands carry the handlers (CLIENT, CONFIG, ...). */
  handler?: CommandHandler;
  subcommands?: readonly CommandSpec[];
}
