import { RespDecoder, RespError, RespPush, RespVerbatim } from '@aki/resp-codec';
import type { ClientSession, ClientTransport } from '../client-session.js';
import { ServerConfig } from '../config/index.js';
import { ServerCore } from '../core.js';

/**
 * In-process test harness: a ServerCore without sockets, clients with
 * in-memory transports, a controllable clock and a capture of the effect
 * stream. Replies are decoded into plain values (see `Reply`).
 */

/** An error reply; `message` is the full text after '-' (e.g. "ERR syntax error"). */
export class ReplyError {
  constructor(readonly message: string) {}
}

/**
 * A decoded reply: simple and bulk strings as latin1 strings, integers as
 * numbers (bigint beyond 2^53), nulls as null, arrays as arrays, RESP3 maps
 * as Map, sets as Set, doubles as numbers, booleans as booleans, errors as ReplyError.
 */
export type Reply = string | number | bigint | boolean | null | ReplyError | Reply[] | Map<Reply, Reply> | Set<Reply>;

export interface HarnessOptions {
  /** Config directives applied before start, e.g. [['requirepass', 'secret']]. */
  config?: Array<[string, ...string[]]>;
  /** Initial unix-ms time of the fake clock (default 1_700_000_000_000). */
  now?: number;
}

export class TestClient {
  private readonly decoder = new RespDecoder();
  closed = false;

  constructor(
    private readonly core: ServerCore,
    readonly session: ClientSession,
  ) {}

  /** Runs one command and returns its decoded reply. */
  call(...argv: string[]): Reply {
    const replies = this.callRaw(argv);
    if (replies.length !== 1) throw new Error(`expected one reply to ${argv.join(' ')}, got ${replies.length}`);
    return replies[0]!;
  }

  /** Runs one command and returns every reply it produced (0 or more). */
  callRaw(argv: string[]): Reply[] {
    this.core.dispatcher.execute(this.session, argv);
    return this.drain();
  }

  /** Runs one command and returns the exact reply bytes as a latin1 string. */
  callBytes(...argv: string[]): string {
    this.core.dispatcher.execute(this.session, argv);
    return this.session.reply.take().toString('latin1');
  }

  /**
   * Replies that arrived outside a call of this client: pub/sub messages, or
   * the reply of a blocked command that another client's write served.
   */
  pending(): Reply[] {
    return this.drain();
  }

  private drain(): Reply[] {
    const bytes = this.session.reply.take();
    if (bytes.length === 0) return [];
    this.decoder.feed(Buffer.from(bytes));
    const replies: Reply[] = [];
    for (let value = this.decoder.next(); value !== undefined; value = this.decoder.next()) {
      replies.push(normalize(value));
    }
    return replies;
  }
}

export class Harness {
  readonly core: ServerCore;
  /** Every effect committed so far, in stream order (SELECT and MULTI/EXEC included). */
  readonly effects: string[][] = [];
  private time: number;

  constructor(options: HarnessOptions = {}) {
    this.time = options.now ?? 1_700_000_000_000;
    const config = new ServerConfig();
    for (const [name, ...args] of options.config ?? []) config.applyDirective(name, args);
    this.core = new ServerCore({ config, clock: () => this.time, version: '0.0.0-test' });
    this.core.state.propagator.addSink({ append: (batch) => this.effects.push(...batch.commands) });
  }

  get now(): number {
    return this.time;
  }

  /** Moves the fake clock forward by `ms`, timing out blocked clients whose deadline passed. */
  advance(ms: number): void {
    this.time += ms;
    this.core.dispatcher.expireBlockedClients();
  }

  /** Returns and forgets the effects recorded so far. */
  takeEffects(): string[][] {
    return this.effects.splice(0, this.effects.length);
  }

  connect(options: { isLocal?: boolean } = {}): TestClient {
    let client: TestClient;
    const transport: ClientTransport = {
      remoteAddress: '127.0.0.1:50000',
      localAddress: '127.0.0.1:6379',
      isLocal: options.isLocal ?? true,
      closeAfterFlush: () => {
        client.closed = true;
      },
      destroy: () => {
        client.closed = true;
        this.core.closeSession(session);
      },
      // Tests read pending replies themselves (TestClient.pending()).
      requestFlush: () => {},
    };
    const session = this.core.openSession(transport);
    client = new TestClient(this.core, session);
    return client;
  }
}

/** Converts a codec-decoded value into the harness's plain `Reply` shape. */
function normalize(value: unknown): Reply {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return value;
  }
  if (Buffer.isBuffer(value)) return value.toString('latin1');
  if (Array.isArray(value)) return value.map(normalize);
  if (value instanceof Map) {
    const map = new Map<Reply, Reply>();
    for (const [k, v] of value) map.set(normalize(k), normalize(v));
    return map;
  }
  if (value instanceof Set) return new Set([...value].map(normalize));
  return normalizeTagged(value as object);
}

/** Codec wrappers unwrapped: errors, verbatim strings (their text), pushes (their values). */
function normalizeTagged(value: object): Reply {
  if (value instanceof RespError) return new ReplyError(value.message);
  if (value instanceof RespVerbatim) return value.text.toString('latin1');
  if (value instanceof RespPush) return value.values.map(normalize);
  throw new Error(`harness cannot normalize reply ${String(value)}`);
}
