import net from 'node:net';
import { encodeCommand, RespDecoder, RespError, type RespValue } from '@aki/resp-codec';

export type HandoverOutcome = { accepted: true } | { accepted: false; reason: string };

export interface HandoverRequestOptions {
  /** The leader. */
  host: string;
  port: number;
  /** Credentials for the leader (masteruser / masterauth); empty strings for none. */
  masteruser: string;
  masterauth: string;
  /**
   * This follower as the leader knows it: its listening port (or
   * replica-announce-port) and its replica-announce-ip, or undefined to use
   * the address the leader sees this connection come from (CLIENT INFO),
   * which is the address it knows the follower's link by, NAT included.
   */
  target: { host: string | undefined; port: number };
  /** FAILOVER's TIMEOUT: how long the leader holds writes for us to catch up before it gives up. */
  failoverTimeoutMs: number;
  /** How long to wait for the leader's replies before giving up on it. */
  replyTimeoutMs: number;
}

export interface HandoverRequest {
  /** Settles once: accepted (the leader now runs FAILOVER TO us) or not, with the reason. */
  readonly outcome: Promise<HandoverOutcome>;
  /** Closes the connection; an outcome not known yet becomes "cancelled". */
  cancel(): void;
}

/**
 * Asks a leader, on a plain client connection, to hand its role over to this
 * follower: `[AUTH ...] [CLIENT INFO] FAILOVER TO <target host> <target port>
 * TIMEOUT <ms>` (Redis 6.2's coordinated switchover, which aki and
 * redis-server both implement). Accepted means the leader pauses writes,
 * waits until the target acknowledged its whole stream, then becomes the
 * target's follower with `PSYNC ... FAILOVER`, which promotes the target. The
 * connection is closed as soon as the reply is in; the FAILOVER goes on
 * without it.
 */
export function requestHandover(options: HandoverRequestOptions): HandoverRequest {
  let settle: (outcome: HandoverOutcome) => void = () => {};
  const outcome = new Promise<HandoverOutcome>((resolve) => {
    settle = resolve;
  });
  let done = false;
  const socket = net.connect({ host: options.host, port: options.port });
  const finish = (result: HandoverOutcome) => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    socket.destroy();
    settle(result);
  };
  const timer = setTimeout(() => finish({ accepted: false, reason: 'the master did not answer in time' }), options.replyTimeoutMs);
  timer.unref();

  const failover = (host: string) =>
    encodeCommand(['FAILOVER', 'TO', host, String(options.target.port), 'TIMEOUT', String(options.failoverTimeoutMs)]);
  // What to do with each reply still expected, in order; a step that ends the exchange calls finish.
  const steps: Array<(reply: RespValue) => void> = [];
  if (options.masterauth !== '') {
    steps.push((reply) => {
      if (reply instanceof RespError) finish({ accepted: false, reason: `AUTH failed: ${reply.message}` });
    });
  }
  if (options.target.host === undefined) {
    steps.push((reply) => {
      const host = reply instanceof Buffer ? clientInfoIp(reply.toString('latin1')) : undefined;
      if (host === undefined) finish({ accepted: false, reason: `no address in the CLIENT INFO reply: ${describe(reply)}` });
      else socket.write(failover(host));
    });
  }
  steps.push((reply) => finish(reply === 'OK' ? { accepted: true } : { accepted: false, reason: describe(reply) }));

  const decoder = new RespDecoder({ maxBulkLength: 64 * 1024, maxDepth: 4 });
  socket.setNoDelay(true);
  socket.on('connect', () => {
    const auth = options.masteruser !== '' ? ['AUTH', options.masteruser, options.masterauth] : ['AUTH', options.masterauth];
    socket.write(
      Buffer.concat([
        ...(options.masterauth !== '' ? [encodeCommand(auth)] : []),
        options.target.host === undefined ? encodeCommand(['CLIENT', 'INFO']) : failover(options.target.host),
      ]),
    );
  });
  socket.on('data', (chunk: Buffer) => {
    try {
      decoder.feed(chunk);
      for (let reply = decoder.next(); reply !== undefined && !done; reply = decoder.next()) steps.shift()?.(reply);
    } catch (err) {
      finish({ accepted: false, reason: `unexpected reply: ${(err as Error).message}` });
    }
  });
  socket.on('error', (err) => finish({ accepted: false, reason: err.message }));
  socket.on('close', () => finish({ accepted: false, reason: 'the connection closed before the reply' }));
  return { outcome, cancel: () => finish({ accepted: false, reason: 'cancelled' }) };
}

/** The IP of `addr=<ip>:<port>` in a CLIENT INFO line (IPv6 addresses contain colons too). */
function clientInfoIp(line: string): string | undefined {
  const addr = /(?:^| )addr=(\S+)/.exec(line)?.[1];
  const colon = addr?.lastIndexOf(':') ?? -1;
  return addr === undefined || colon <= 0 ? undefined : addr.slice(0, colon);
}

function describe(reply: RespValue): string {
  if (reply instanceof RespError) return reply.message;
  if (reply instanceof Buffer) return reply.toString('latin1');
  return String(reply);
}
