import net from 'node:net';
import { decodeReply, encodeCommand, replyLength, type RespValue } from './resp.js';

/** What readUntil waits for. */
export type ReadPredicate =
  | string // these exact bytes (latin1) appear; returns everything up to and including them
  | Buffer // same, as bytes
  | RegExp // matches the buffered bytes read as latin1; returns up to the end of the match
  | number // at least this many bytes; returns exactly that many
  | ((buffered: Buffer) => boolean | number); // true: all buffered bytes; n > 0: the first n; -k: not yet, and do not ask again before k bytes are buffered

/** Shows bytes in failure messages readably, escaping control and high bytes. */
export function showBytes(buf: Buffer, max = 400): string {
  const s = JSON.stringify(buf.subarray(0, max).toString('latin1'));
  return buf.length > max ? `${s}... (${buf.length} bytes)` : s;
}

interface Waiter {
  predicate: ReadPredicate;
  resolve: (b: Buffer) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * A plain TCP connection for tests where exact bytes matter. Incoming bytes are
 * buffered; readUntil consumes them. One read may be outstanding at a time.
 */
export class RawConnection {
  /** Resolves when the peer or we closed the socket (never rejects). */
  readonly closed: Promise<void>;
  /** Total bytes received so far. */
  bytesReceived = 0;
  // Received bytes as a chunk list, joined lazily: a 512 MB reply must not be
  // re-concatenated on every packet.
  private chunks: Buffer[] = [];
  private chunkBytes = 0;
  private minBytes = 0;
  private waiter: Waiter | undefined;
  private isClosedFlag = false;
  private lastError: Error | undefined;

  private constructor(readonly socket: net.Socket) {
    this.closed = new Promise<void>((resolve) => {
      socket.once('close', () => {
        this.isClosedFlag = true;
        resolve();
        this.check();
      });
    });
    socket.on('data', (chunk: Buffer) => {
      this.bytesReceived += chunk.length;
      this.chunks.push(chunk);
      this.chunkBytes += chunk.length;
      if (this.chunkBytes >= this.minBytes || !this.waiter) this.check();
    });
    socket.on('error', (err) => {
      // ECONNRESET / EPIPE are normal when the server closes on us.
      this.lastError = err;
    });
  }

  static open(port: number, host = '127.0.0.1', timeoutMs = 5000): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host });
      socket.setNoDelay(true);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`RawConnection: connect to ${host}:${port} timed out`));
      }, timeoutMs);
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(new RawConnection(socket));
      });
    });
  }

  /** Writes bytes as given (strings as latin1, so '\xff' is one byte). Ignored once closed. */
  write(data: string | Buffer): void {
    if (this.isClosedFlag || this.socket.destroyed) return;
    this.socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  }

  /** Writes and resolves once the bytes were handed to the kernel. */
  writeAsync(data: string | Buffer): Promise<void> {
    return new Promise((resolve) => {
      // Yield a macrotask even when nothing is written, so loops around this let events through.
      if (this.isClosedFlag || this.socket.destroyed) return setImmediate(resolve);
      this.socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data, () => resolve());
    });
  }

  /** Sends one command as multibulk. */
  send(...args: Array<string | Buffer | number>): void {
    this.write(encodeCommand(...args));
  }

  /** Sends one command and returns the raw bytes of its reply. */
  async call(...args: Array<string | Buffer | number>): Promise<Buffer> {
    this.send(...args);
    return this.readReply();
  }

  /** Sends one command and returns its decoded reply. */
  async command(...args: Array<string | Buffer | number>): Promise<RespValue> {
    const raw = await this.call(...args);
    return decodeReply(raw)!.value;
  }

  /** Reads exactly one complete RESP reply and returns its bytes. */
  readReply(timeoutMs = 5000): Promise<Buffer> {
    return this.readUntil((b) => {
      const n = replyLength(b);
      return n >= 0 ? n : -bulkNeeds(b);
    }, timeoutMs);
  }

  /** Reads `count` complete replies and returns their bytes, concatenated. */
  readReplies(count: number, timeoutMs = 5000): Promise<Buffer> {
    return this.readUntil((b) => {
      let off = 0;
      for (let i = 0; i < count; i++) {
        const n = replyLength(b, off);
        if (n < 0) return false;
        off += n;
      }
      return off === 0 ? false : off;
    }, timeoutMs);
  }

  /**
   * Resolves with the consumed bytes once `predicate` is satisfied by the buffered
   * input. Rejects on timeout, or when the connection closes first, with the bytes
   * received in the message.
   */
  readUntil(predicate: ReadPredicate, timeoutMs = 5000): Promise<Buffer> {
    if (this.waiter) return Promise.reject(new Error('RawConnection: a read is already pending'));
    return new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(
          new Error(
            `RawConnection.readUntil(${describe(predicate)}) timed out after ${timeoutMs} ms; buffered: ${showBytes(this.buffered())}`,
          ),
        );
      }, timeoutMs);
      this.waiter = { predicate, resolve, reject, timer };
      this.check();
    });
  }

  /** Everything that arrives until the connection closes or `timeoutMs` passes (never rejects). */
  async readAll(timeoutMs = 1000): Promise<Buffer> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.closed, new Promise((r) => (timer = setTimeout(r, timeoutMs)))]);
    clearTimeout(timer);
    const out = this.buffered();
    this.chunks = [];
    this.chunkBytes = 0;
    return out;
  }

  /** Bytes received and not yet consumed (not consumed by this call). */
  peek(): Buffer {
    return this.buffered();
  }

  /** Number of bytes received and not yet consumed. */
  bufferedBytes(): number {
    return this.chunkBytes;
  }

  /** Drops everything buffered so far. */
  discard(): void {
    this.chunks = [];
    this.chunkBytes = 0;
  }

  private buffered(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks, this.chunkBytes)];
    return this.chunks[0] ?? Buffer.alloc(0);
  }

  /** True once the socket closed or was destroyed (by either side). */
  isClosed(): boolean {
    return this.isClosedFlag || this.socket.destroyed;
  }

  /** The last socket error seen (ECONNRESET and the like), if any. */
  error(): Error | undefined {
    return this.lastError;
  }

  /** Sends FIN (half-close); replies can still arrive. */
  end(): void {
    this.socket.end();
  }

  close(): void {
    this.socket.destroy();
  }

  private check(): void {
    const w = this.waiter;
    if (!w) return;
    let take: number;
    const buf = this.buffered();
    try {
      take = match(w.predicate, buf);
    } catch (err) {
      this.finish(w);
      w.reject(err instanceof Error ? err : new Error(String(err)));
      return;
    }
    if (take >= 0) {
      const out = Buffer.from(buf.subarray(0, take));
      const rest = buf.subarray(take);
      this.chunks = rest.length ? [rest] : [];
      this.chunkBytes = rest.length;
      this.finish(w);
      w.resolve(out);
      return;
    }
    this.minBytes = -take;
    if (this.isClosedFlag) {
      this.finish(w);
      w.reject(
        new Error(
          `RawConnection.readUntil(${describe(w.predicate)}): connection closed first; buffered: ${showBytes(buf)}`,
        ),
      );
    }
  }

  private finish(w: Waiter): void {
    clearTimeout(w.timer);
    this.waiter = undefined;
    this.minBytes = 0;
  }
}

function describe(p: ReadPredicate): string {
  if (typeof p === 'function') return 'predicate';
  if (typeof p === 'number') return `${p} bytes`;
  if (p instanceof RegExp) return String(p);
  return showBytes(Buffer.isBuffer(p) ? p : Buffer.from(p, 'latin1'), 80);
}

/** Total bytes needed before a top-level bulk reply at the start of `buf` can be complete (0 when unknown). */
function bulkNeeds(buf: Buffer): number {
  if (buf.length === 0 || buf[0] !== 0x24 /* $ */) return 0;
  const eol = buf.indexOf('\r\n', 1, 'latin1');
  if (eol < 0) return 0;
  const n = Number(buf.toString('latin1', 1, eol));
  return Number.isFinite(n) && n > 0 ? eol + 2 + n + 2 : 0;
}

/** Bytes to consume (>= 0), or a negative number -k: not satisfied; k = bytes needed before checking again. */
function match(p: ReadPredicate, buf: Buffer): number {
  if (typeof p === 'number') return buf.length >= p ? p : -p;
  if (typeof p === 'string' || Buffer.isBuffer(p)) {
    const needle = typeof p === 'string' ? Buffer.from(p, 'latin1') : p;
    const i = buf.indexOf(needle);
    return i < 0 ? -1 : i + needle.length;
  }
  if (p instanceof RegExp) {
    const re = new RegExp(p.source, p.flags.replace('g', ''));
    const m = re.exec(buf.toString('latin1'));
    return m ? m.index + m[0].length : -1;
  }
  const r = p(buf);
  if (r === true) return buf.length;
  if (typeof r === 'number' && r > 0) return Math.min(r, buf.length);
  if (typeof r === 'number' && r < 0) return r;
  return -1;
}
