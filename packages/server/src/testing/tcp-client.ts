import net from 'node:net';
import { encodeCommand, RespDecoder } from '@aki/resp-codec';

/**
 * A minimal pipelining RESP client for in-process tests of AkiServer over
 * real TCP: `call` resolves with the decoded reply (errors as Error
 * instances, not rejections), in order.
 */
export class TcpTestClient {
  private readonly decoder = new RespDecoder();
  private readonly waiting: Array<(reply: unknown) => void> = [];
  private closedReason: Error | undefined;

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (chunk) => {
      this.decoder.feed(chunk);
      for (let value = this.decoder.next(); value !== undefined; value = this.decoder.next()) {
        this.waiting.shift()?.(value);
      }
    });
    socket.on('close', () => {
      this.closedReason = new Error('connection closed');
      for (const resolve of this.waiting.splice(0)) resolve(this.closedReason);
    });
    socket.on('error', () => {});
  }

  static connect(port: number): Promise<TcpTestClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: '127.0.0.1', port }, () => resolve(new TcpTestClient(socket)));
      socket.once('error', reject);
    });
  }

  call(...argv: string[]): Promise<unknown> {
    if (this.closedReason !== undefined) return Promise.resolve(this.closedReason);
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.socket.write(encodeCommand(argv));
    });
  }

  close(): void {
    this.socket.destroy();
  }
}
