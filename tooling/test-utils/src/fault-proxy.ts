import net from 'node:net';
import { freePort } from './ports.js';

/**
 * An in-process TCP proxy that injects network faults, in the style of toxiproxy:
 * tests put it between a client and a server (a follower and its leader, say) and
 * switch toxics on and off while traffic flows.
 *
 *   const proxy = await startFaultProxy({ targetPort: leader.port });
 *   // the follower connects to proxy.port instead of leader.port
 *   proxy.blackhole(true);          // partition: bytes are held, sockets stay open
 *   proxy.blackhole(false);         // heal: the held bytes are delivered, in order
 *   proxy.limitData(1000, { direction: 'downstream' }); // cut the next transfer after 1000 bytes
 *   await proxy.close();
 *
 * Contracts:
 * - Bytes are never reordered, duplicated or dropped while a connection lives: every
 *   toxic only delays them (or ends the connection: resetAll, limitData).
 * - Toxics apply to both directions unless `{ direction }` says otherwise; upstream is
 *   client → target, downstream is target → client. A change applies at once to the
 *   connections already open (including bytes already held) and to new ones.
 * - Half-close is forwarded: a FIN from one side reaches the other once the bytes
 *   before it were delivered (so it is held by a blackhole and delayed by latency
 *   like data). A side that closes with an error (RST, EPIPE) makes the proxy reset
 *   the other side; a target that cannot be reached resets the client.
 * - Backpressure is kept: a direction buffers at most about 64 KiB before it stops
 *   reading from its source, so a slow or blackholed direction fills the sender's
 *   socket buffers as a real slow link would.
 */

/** upstream = client → target; downstream = target → client. */
export type ProxyDirection = 'upstream' | 'downstream';

export interface FaultProxyOptions {
  /** Host connections are forwarded to; default 127.0.0.1. */
  targetHost?: string;
  targetPort: number;
}

/** Restricts a toxic to one direction; without it the toxic applies to both. */
export interface ToxicOptions {
  direction?: ProxyDirection;
}

/** Bytes written towards the target (upstream) and towards clients (downstream). */
export interface BytesForwarded {
  upstream: number;
  downstream: number;
}

export interface FaultProxy {
  /** Port on 127.0.0.1 that clients connect to. */
  readonly port: number;
  /** Connections currently open through the proxy (accepted, not yet closed on both sides). */
  readonly connectionCount: number;
  /** Totals since start over all connections, closed ones included (a fresh snapshot per read). */
  readonly bytesForwarded: BytesForwarded;
  /**
   * Holds every chunk for `ms` (± a uniform random `jitterMs`, never below 0) after it
   * reached the proxy. Jitter never reorders bytes: a chunk also waits for the ones
   * before it. `setLatency(0)` removes the toxic and releases what is held.
   */
  setLatency(ms: number, options?: ToxicOptions): void;
  setLatency(ms: number, jitterMs: number, options?: ToxicOptions): void;
  /** Throttles each connection's direction to `bytesPerSecond` (in writes of at most 50 ms worth); null removes it. */
  setBandwidth(bytesPerSecond: number | null, options?: ToxicOptions): void;
  /** On: stop forwarding, hold the bytes (and FINs), keep the sockets open. Off: deliver what was held, in order. */
  blackhole(on: boolean, options?: ToxicOptions): void;
  /** Resets (RST) both sockets of every open connection: each peer sees ECONNRESET. New connections work as before. */
  resetAll(): void;
  /**
   * On: forward one byte per write, and let the event loop poll I/O between two writes,
   * so a reader sees frames arrive in pieces. Slow by design (one byte per loop turn).
   */
  slice(on: boolean, options?: ToxicOptions): void;
  /**
   * Closes a connection (FIN to both sides, after the bytes already forwarded) once
   * `bytes` more bytes were forwarded in that direction: counted from this call for
   * the connections already open, from their start for new ones. With 0 a connection
   * closes when its next byte arrives. null removes the toxic.
   */
  limitData(bytes: number | null, options?: ToxicOptions): void;
  /** On: new connections are accepted and closed at once, never reaching the target. Open ones are not touched. */
  refuse(on: boolean): void;
  /** Removes every toxic (refuse included): held bytes are released, the proxy is transparent again. */
  clear(): void;
  /** Stops listening and destroys every connection. Idempotent. */
  close(): Promise<void>;
}

/** Starts a proxy on a free port of 127.0.0.1 forwarding to targetHost:targetPort. */
export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const { targetHost = '127.0.0.1', targetPort } = options;
  if (!Number.isInteger(targetPort) || targetPort <= 0 || targetPort > 65535) {
    throw new RangeError(`startFaultProxy: bad targetPort ${targetPort}`);
  }
  const proxy = new FaultProxyImpl(targetHost, targetPort);
  await proxy.listen();
  return proxy;
}

// A direction stops reading from its source above HIGH_WATER held bytes and reads
// again at LOW_WATER or below.
const HIGH_WATER = 64 * 1024;
const LOW_WATER = 16 * 1024;
// A socket being closed gracefully (limitData) is destroyed after this long if its
// peer does not answer our FIN with its own.
const GRACEFUL_CLOSE_MS = 1000;

interface Toxics {
  latencyMs: number;
  jitterMs: number;
  bytesPerSecond: number | null;
  blackholed: boolean;
  sliced: boolean;
  limit: number | null;
}

function noToxics(): Toxics {
  return { latencyMs: 0, jitterMs: 0, bytesPerSecond: null, blackholed: false, sliced: false, limit: null };
}

/** What the proxy shares with its connections. */
interface Shared {
  toxics: Record<ProxyDirection, Toxics>;
  forwarded: BytesForwarded;
  connections: Set<Connection>;
}

interface Held {
  data: Buffer;
  arrivedAt: number; // performance.now() when the chunk reached the proxy
  jitter: number; // uniform in [-1, 1]; the chunk's delay is latency + jitter * jitterMs
}

/** Sends RST when the socket is connected; a socket still connecting has nothing to reset. */
function reset(socket: net.Socket): void {
  if (socket.destroyed) return;
  if (socket.connecting) socket.destroy();
  else socket.resetAndDestroy();
}

/** One direction of one connection: reads `source`, holds bytes as the toxics say, writes `dest`. */
class Pipe {
  private queue: Held[] = [];
  private queuedBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private awaitingDrain = false;
  private sliceInFlight = false;
  private sourcePaused = false;
  private sourceEnded = false;
  private destEnded = false;
  private stopped = false;
  // Bandwidth: the earliest time the next write may happen.
  private nextWriteAt = 0;
  /** Bytes this direction may still forward before limitData closes the connection; null: no limit. */
  limitRemaining: number | null;

  constructor(
    private readonly conn: Connection,
    private readonly shared: Shared,
    readonly dir: ProxyDirection,
    private readonly source: net.Socket,
    private readonly dest: net.Socket,
  ) {
    this.limitRemaining = shared.toxics[dir].limit;
  }

  push(data: Buffer): void {
    if (this.stopped) return;
    this.queue.push({ data, arrivedAt: performance.now(), jitter: Math.random() * 2 - 1 });
    this.queuedBytes += data.length;
    if (this.queuedBytes >= HIGH_WATER && !this.sourcePaused) {
      this.sourcePaused = true;
      this.source.pause();
    }
    this.pump();
  }

  /** The source sent FIN: forward it after the held bytes. */
  sourceEnd(): void {
    this.sourceEnded = true;
    this.pump();
  }

  /** Re-evaluates the toxics now (they changed). */
  kick(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.pump();
  }

  /** A new bandwidth applies from now on, not to the schedule of the old one. */
  resetBandwidth(): void {
    this.nextWriteAt = 0;
  }

  /** Drops what is held and forwards nothing more. */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.queue = [];
    this.queuedBytes = 0;
    this.dest.off('drain', this.onDrain);
  }

  private pump(): void {
    if (this.stopped || this.timer || this.awaitingDrain || this.sliceInFlight) return;
    if (this.dest.connecting) return; // kicked again on 'connect'
    const t = this.shared.toxics[this.dir];
    if (t.blackholed) return; // kicked again when it is lifted
    if (this.dest.destroyed || this.destEnded) {
      // Nobody left to deliver to; the connection is going away.
      this.queue = [];
      this.queuedBytes = 0;
      this.resumeSourceIfLow();
      return;
    }
    while (this.queue.length > 0) {
      const head = this.queue[0];
      const now = performance.now();
      const readyAt = head.arrivedAt + Math.max(0, t.latencyMs + head.jitter * t.jitterMs);
      if (now < readyAt) return this.wait(readyAt - now);
      if (this.limitRemaining === 0) return this.conn.shutdown();
      let n = head.data.length;
      if (this.limitRemaining !== null) n = Math.min(n, this.limitRemaining);
      if (t.bytesPerSecond !== null) {
        if (now < this.nextWriteAt) return this.wait(this.nextWriteAt - now);
        n = Math.min(n, Math.max(1, Math.floor(t.bytesPerSecond / 20)));
        this.nextWriteAt = now + (n * 1000) / t.bytesPerSecond;
      }
      const sliced = t.sliced;
      if (sliced) n = 1;
      let piece: Buffer;
      if (n === head.data.length) {
        piece = head.data;
        this.queue.shift();
      } else {
        piece = head.data.subarray(0, n);
        head.data = head.data.subarray(n);
      }
      this.queuedBytes -= n;
      const flushed = sliced ? this.dest.write(piece, this.afterSliceWrite) : this.dest.write(piece);
      this.shared.forwarded[this.dir] += n;
      if (this.limitRemaining !== null) {
        this.limitRemaining -= n;
        if (this.limitRemaining === 0) return this.conn.shutdown(); // end() still flushes `piece`
      }
      this.resumeSourceIfLow();
      if (sliced) {
        this.sliceInFlight = true;
        return;
      }
      if (!flushed) {
        this.awaitingDrain = true;
        this.dest.once('drain', this.onDrain);
        return;
      }
    }
    this.resumeSourceIfLow();
    if (this.sourceEnded) {
      this.destEnded = true;
      this.dest.end();
    }
  }

  private wait(ms: number): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.pump();
    }, Math.max(1, Math.ceil(ms)));
  }

  private resumeSourceIfLow(): void {
    if (this.sourcePaused && this.queuedBytes <= LOW_WATER && !this.stopped) {
      this.sourcePaused = false;
      this.source.resume();
    }
  }

  private readonly onDrain = (): void => {
    this.awaitingDrain = false;
    this.pump();
  };

  // The next slice waits for this one to reach the kernel and then for a turn of the
  // event loop, so that an in-process reader gets one read per byte.
  private readonly afterSliceWrite = (): void => {
    setImmediate(this.afterSlice);
  };

  private readonly afterSlice = (): void => {
    this.sliceInFlight = false;
    this.pump();
  };
}

/** A client socket, its socket to the target, and the two pipes between them. */
class Connection {
  readonly up: Pipe;
  readonly down: Pipe;
  private openSockets = 2;
  // Set once the proxy itself tears the connection down (limit, reset, close):
  // socket closes are then expected and must not be propagated as resets.
  private over = false;

  constructor(
    private readonly shared: Shared,
    readonly client: net.Socket,
    readonly target: net.Socket,
  ) {
    this.up = new Pipe(this, shared, 'upstream', client, target);
    this.down = new Pipe(this, shared, 'downstream', target, client);
    client.on('data', (chunk: Buffer) => this.up.push(chunk));
    target.on('data', (chunk: Buffer) => this.down.push(chunk));
    client.on('end', () => this.up.sourceEnd());
    target.on('end', () => this.down.sourceEnd());
    target.once('connect', () => this.up.kick());
    for (const socket of [client, target]) {
      // Errors surface as close(hadError) below, which propagates them.
      socket.on('error', () => {});
      socket.once('close', (hadError: boolean) => this.onSocketClose(hadError));
    }
  }

  /** Every pipe re-evaluates its toxics. */
  kick(dir?: ProxyDirection): void {
    if (dir !== 'downstream') this.up.kick();
    if (dir !== 'upstream') this.down.kick();
  }

  pipe(dir: ProxyDirection): Pipe {
    return dir === 'upstream' ? this.up : this.down;
  }

  /** limitData: FIN to both peers after what was already written; destroy if they do not close too. */
  shutdown(): void {
    if (this.over) return;
    this.over = true;
    this.up.stop();
    this.down.stop();
    for (const socket of [this.client, this.target]) {
      if (socket.destroyed) continue;
      if (socket.connecting) {
        socket.destroy();
        continue;
      }
      socket.resume(); // keep reading (and discarding) so the peer is not reset over unread bytes
      if (!socket.writableEnded) socket.end();
      const timer = setTimeout(() => socket.destroy(), GRACEFUL_CLOSE_MS);
      socket.once('close', () => clearTimeout(timer));
    }
  }

  resetBoth(): void {
    this.over = true;
    this.up.stop();
    this.down.stop();
    reset(this.client);
    reset(this.target);
  }

  destroyBoth(): void {
    this.over = true;
    this.up.stop();
    this.down.stop();
    this.client.destroy();
    this.target.destroy();
  }

  private onSocketClose(hadError: boolean): void {
    // A side that died (RST, EPIPE, target unreachable) takes the other down the
    // same way. A clean close needs nothing more: the other side got (or will get,
    // once the held bytes are delivered) the FIN through its pipe, and a pipe into
    // a destroyed socket drops its bytes.
    if (hadError && !this.over) this.resetBoth();
    if (--this.openSockets === 0) {
      this.up.stop();
      this.down.stop();
      this.shared.connections.delete(this);
    }
  }
}

class FaultProxyImpl implements FaultProxy {
  port = 0;
  private readonly shared: Shared = {
    toxics: { upstream: noToxics(), downstream: noToxics() },
    forwarded: { upstream: 0, downstream: 0 },
    connections: new Set(),
  };
  private readonly server: net.Server;
  private refusing = false;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {
    this.server = net.createServer({ allowHalfOpen: true, noDelay: true }, (client) => this.accept(client));
  }

  async listen(): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const port = await freePort();
      try {
        await new Promise<void>((resolve, reject) => {
          this.server.once('error', reject);
          this.server.listen({ port, host: '127.0.0.1', exclusive: true }, () => {
            this.server.off('error', reject);
            resolve();
          });
        });
        this.port = port;
        this.server.on('error', () => {}); // nothing useful to do with accept errors in a test helper
        return;
      } catch (err) {
        // The port was taken between freePort and listen: try another.
        if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= 20) throw err;
      }
    }
  }

  get connectionCount(): number {
    return this.shared.connections.size;
  }

  get bytesForwarded(): BytesForwarded {
    return { ...this.shared.forwarded };
  }

  setLatency(ms: number, jitterOrOptions?: number | ToxicOptions, maybeOptions?: ToxicOptions): void {
    const jitterMs = typeof jitterOrOptions === 'number' ? jitterOrOptions : 0;
    const options = typeof jitterOrOptions === 'object' ? jitterOrOptions : maybeOptions;
    checkNonNegative('setLatency', 'ms', ms);
    checkNonNegative('setLatency', 'jitterMs', jitterMs);
    this.apply(options, (t) => {
      t.latencyMs = ms;
      t.jitterMs = jitterMs;
    });
  }

  setBandwidth(bytesPerSecond: number | null, options?: ToxicOptions): void {
    if (bytesPerSecond !== null && !(Number.isFinite(bytesPerSecond) && bytesPerSecond > 0)) {
      throw new RangeError(`setBandwidth: bytesPerSecond must be > 0 or null, got ${bytesPerSecond}`);
    }
    this.apply(
      options,
      (t) => (t.bytesPerSecond = bytesPerSecond),
      (p) => p.resetBandwidth(),
    );
  }

  blackhole(on: boolean, options?: ToxicOptions): void {
    this.apply(options, (t) => (t.blackholed = on));
  }

  slice(on: boolean, options?: ToxicOptions): void {
    this.apply(options, (t) => (t.sliced = on));
  }

  limitData(bytes: number | null, options?: ToxicOptions): void {
    if (bytes !== null && !(Number.isInteger(bytes) && bytes >= 0)) {
      throw new RangeError(`limitData: bytes must be an integer >= 0 or null, got ${bytes}`);
    }
    this.apply(
      options,
      (t) => (t.limit = bytes),
      (p) => (p.limitRemaining = bytes),
    );
  }

  resetAll(): void {
    for (const conn of [...this.shared.connections]) conn.resetBoth();
  }

  refuse(on: boolean): void {
    this.refusing = on;
  }

  clear(): void {
    this.refusing = false;
    this.shared.toxics.upstream = noToxics();
    this.shared.toxics.downstream = noToxics();
    for (const conn of this.shared.connections) {
      for (const p of [conn.up, conn.down]) {
        p.limitRemaining = null;
        p.resetBandwidth();
      }
      conn.kick();
    }
  }

  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      for (const conn of [...this.shared.connections]) conn.destroyBoth();
    });
    return this.closing;
  }

  /** Changes the toxics of the chosen direction(s), adjusts each open pipe, then lets them re-evaluate. */
  private apply(options: ToxicOptions | undefined, change: (t: Toxics) => void, perPipe?: (p: Pipe) => void): void {
    const dirs: ProxyDirection[] = options?.direction ? [options.direction] : ['upstream', 'downstream'];
    for (const dir of dirs) change(this.shared.toxics[dir]);
    for (const conn of [...this.shared.connections]) {
      for (const dir of dirs) {
        const p = conn.pipe(dir);
        perPipe?.(p);
        p.kick();
      }
    }
  }

  private accept(client: net.Socket): void {
    client.on('error', () => {});
    if (this.refusing || this.closing) {
      client.destroy();
      return;
    }
    const target = net.connect({ host: this.targetHost, port: this.targetPort, allowHalfOpen: true, noDelay: true });
    this.shared.connections.add(new Connection(this.shared, client, target));
  }
}

function checkNonNegative(fn: string, name: string, value: number): void {
  if (!(Number.isFinite(value) && value >= 0)) throw new RangeError(`${fn}: ${name} must be a number >= 0, got ${value}`);
}
