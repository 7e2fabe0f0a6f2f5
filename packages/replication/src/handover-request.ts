import net from 'node:net';
import { encodeCommand } from '@aki/resp-codec';
import { LeaderInput } from './leader-input.js';

export type HandoverOutcome = { accepted: true } | { accepted: false; reason: string };

export interface HandoverRequestOptions {
  /** The leader. */
  host: string;
  port: number;
  /** Credentials for the leader (masteruser / masterauth); empty strings for none. */
  masteruser: string;
  masterauth: string;
  /** This follower as the leader knows it: its address and listening port. */
  target: { host: string; port: number };
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
 * follower: `[AUTH ...] FAILOVER TO <target host> <target port> TIMEOUT <ms>`
 * (Redis 6.2's coordinated switchover, which aki and redis-server both
 * implement). Accepted means the leader pauses writes, waits until the target
 * acknowledged its whole stream, then becomes the target's follower with
 * `PSYNC ... FAILOVER`, which promotes the target. The connection is closed
 * as soon as the reply is in; the FAILOVER goes on without it.
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

  const authenticate = options.masterauth !== '';
  const input = new LeaderInput();
  let awaiting: 'auth' | 'failover' = authenticate ? 'auth' : 'failover';
  socket.setNoDelay(true);
  socket.on('connect', () => {
    const failover = encodeCommand([
      'FAILOVER',
      'TO',
      options.target.host,
      String(options.target.port),
      'TIMEOUT',
      String(options.failoverTimeoutMs),
    ]);
    if (!authenticate) return void socket.write(failover);
    const auth = options.masteruser !== '' ? ['AUTH', options.masteruser, options.masterauth] : ['AUTH', options.masterauth];
    socket.write(Buffer.concat([encodeCommand(auth), failover]));
  });
  socket.on('data', (chunk: Buffer) => {
    try {
      input.feed(chunk);
      for (let line = input.readLine(); line !== null; line = input.readLine()) {
        if (awaiting === 'auth') {
          if (line.startsWith('-')) return finish({ accepted: false, reason: `AUTH failed: ${line.slice(1)}` });
          awaiting = 'failover';
          continue;
        }
        return finish(line === '+OK' ? { accepted: true } : { accepted: false, reason: line.replace(/^[-+]/, '') });
      }
    } catch (err) {
      finish({ accepted: false, reason: `unexpected reply: ${(err as Error).message}` });
    }
  });
  socket.on('error', (err) => finish({ accepted: false, reason: err.message }));
  socket.on('close', () => finish({ accepted: false, reason: 'the connection closed before the reply' }));
  return { outcome, cancel: () => finish({ accepted: false, reason: 'cancelled' }) };
}
