import { encodeCommand } from '@aki/resp-codec';

/**
 * One unit of the effect stream, ready for the sinks: the commands exactly as
 * AOF and followers receive them, with SELECT inserted where the database
 * changes and several effects of one command wrapped in MULTI/EXEC.
 */
export interface EffectBatch {
  readonly commands: readonly string[][];
  /** RESP encoding of `commands` (computed once, shared by every sink). */
  readonly bytes: Buffer;
  /** Stream offset (bytes) after this batch. */
  readonly endOffset: number;
}

/** A consumer of the effect stream: the AOF writer, the replication backlog, a test. */
export interface EffectSink {
  append(batch: EffectBatch): void;
}

/**
 * The one path every write's effect takes. Handlers record effects while a
 * command runs; the dispatcher commits them when it returns, so one command
 * (or one transaction) becomes one batch. Effects recorded outside any command
 * (active expiry) are committed at once, one batch each.
 *
 * Without sinks nothing is kept or encoded, so the hot path pays for the
 * stream only once something consumes it.
 */
export class EffectPropagator {
  private readonly sinks: EffectSink[] = [];
  private pending: Array<[dbIndex: number, argv: string[]]> = [];
  private commandDepth = 0;
  /** Database the stream's consumers currently have selected; -1 forces a SELECT. */
  private streamDb = -1;
  /** Bytes appended to the stream so far. */
  offset = 0;
  /**
   * Changes recorded so far, sinks or not: the count behind `save` rules and
   * INFO rdb_changes_since_last_save (Redis's "dirty" counter; see changesIn).
   */
  changes = 0;
  /**
   * Sees every effect as it is recorded, sinks or not (WATCH and blocked
   * clients learn from it which keys changed). Called synchronously, before
   * the effect is queued for the sinks.
   */
  onEffect: ((dbIndex: number, argv: readonly string[]) => void) | undefined;
  /**
   * Set while this server follows a leader: the stream is then the leader's,
   * appended verbatim by the follower link (appendVerbatim), so the effects
   * its commands record only count as changes and reach onEffect; they never
   * form batches of their own. Offsets then stay byte-identical to the leader's.
   */
  verbatim = false;
  /**
   * True once an effect was recorded while no sink was attached: the stream
   * offset then no longer accounts for every change, so a replication
   * history continued from it could skip writes (see ReplicationState).
   */
  untracked = false;

  /** Attaches a consumer; its first batch starts with a SELECT. */
  addSink(sink: EffectSink): void {
    this.sinks.push(sink);
    this.streamDb = -1;
  }

  removeSink(sink: EffectSink): void {
    const at = this.sinks.indexOf(sink);
    if (at !== -1) this.sinks.splice(at, 1);
  }

  /** Forget the selected database, so the next batch starts with SELECT (e.g. for a new consumer). */
  resetSelectedDb(): void {
    this.streamDb = -1;
  }

  /** Marks the start of a command (or transaction); effects are held until `endCommand`. */
  beginCommand(): void {
    this.commandDepth++;
  }

  /** Ends a command and, at the outermost level, commits its effects as one batch. */
  endCommand(): void {
    if (--this.commandDepth === 0 && this.pending.length !== 0) this.commit();
  }

  record(dbIndex: number, argv: string[]): void {
    this.changes += changesIn(argv);
    this.onEffect?.(dbIndex, argv);
    if (this.verbatim) return;
    // Without a consumer nothing could observe the batch: skip the bookkeeping.
    if (this.sinks.length === 0) {
      this.untracked = true;
      return;
    }
    this.pending.push([dbIndex, argv]);
    if (this.commandDepth === 0) this.commit();
  }

  /**
   * Appends a command that belongs to no database (PING keepalives and
   * REPLCONF GETACK of replication) as a batch of its own, without SELECT.
   * Nothing happens without sinks.
   */
  recordWithoutDb(argv: string[]): void {
    if (this.sinks.length === 0 || this.verbatim) return;
    const bytes = encodeCommand(argv);
    this.offset += bytes.length;
    this.emit({ commands: [argv], bytes, endOffset: this.offset });
  }

  /**
   * A follower passes its leader's stream on: `bytes` (the exact RESP of
   * `commands`, already applied) go to every sink unchanged and advance the
   * offset by their length. The stream's own SELECTs keep sinks in step.
   */
  appendVerbatim(commands: string[][], bytes: Buffer): void {
    this.offset += bytes.length;
    if (this.sinks.length !== 0) this.emit({ commands, bytes, endOffset: this.offset });
  }

  private emit(batch: EffectBatch): void {
    for (const sink of this.sinks) sink.append(batch);
  }

  private commit(): void {
    const effects = this.pending;
    this.pending = [];
    const commands: string[][] = [];
    const wrap = effects.length > 1;
    for (let i = 0; i < effects.length; i++) {
      const [dbIndex, argv] = effects[i]!;
      if (dbIndex !== this.streamDb) {
        commands.push(['SELECT', String(dbIndex)]);
        this.streamDb = dbIndex;
      }
      if (wrap && i === 0) commands.push(['MULTI']);
      commands.push(argv);
    }
    if (wrap) commands.push(['EXEC']);
    const bytes = Buffer.concat(commands.map((argv) => encodeCommand(argv)));
    this.offset += bytes.length;
    this.emit({ commands, bytes, endOffset: this.offset });
  }
}

/**
 * How many changes Redis's dirty counter counts for an effect: one per
 * element for the commands that add or remove several at once (RPUSH l a b
 * is 2, HSET h f v g w is 2, MSET and DEL count keys), one for anything else.
 */
function changesIn(argv: readonly string[]): number {
  const name = argv[0]!;
  // PUBLISH rides the stream to reach followers' subscribers; the dataset did not change.
  if (name === 'PUBLISH') return 0;
  const per = ELEMENTS_PER_CHANGE.get(name);
  if (per === undefined) return 1;
  const [skip, width] = per;
  return Math.max(1, Math.floor((argv.length - skip) / width));
}

/** Effect name -> [leading arguments that are not elements, arguments per element]. */
const ELEMENTS_PER_CHANGE = new Map<string, readonly [number, number]>();
for (const [names, skip, width] of [
  [['RPUSH', 'LPUSH', 'RPUSHX', 'LPUSHX', 'SADD', 'SREM', 'HDEL', 'ZREM'], 2, 1],
  [['HSET', 'HMSET', 'ZADD'], 2, 2],
  [['MSET', 'MSETNX'], 1, 2],
  [['DEL', 'UNLINK'], 1, 1],
] as const) {
  for (const name of names) {
    ELEMENTS_PER_CHANGE.set(name, [skip, width]);
    ELEMENTS_PER_CHANGE.set(name.toLowerCase(), [skip, width]);
  }
}
