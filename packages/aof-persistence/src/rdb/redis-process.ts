/**
 * A real redis-server for the RDB codec's interop tests (test helper, not
 * exported from the package): start one on a free port in a directory,
 * talk RESP to it, stop it. Tests skip when the binaries are missing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { encodeCommand, RespDecoder, type RespValue } from '@aki/resp-codec';

export const REDIS_SERVER = '/usr/bin/redis-server';
export const REDIS_CHECK_RDB = '/usr/bin/redis-check-rdb';
export const hasRedis = existsSync(REDIS_SERVER) && existsSync(REDIS_CHECK_RDB);

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen({ port: 0, host: '127.0.0.1', exclusive: true }, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export class RedisProcess {
  private constructor(
    readonly port: number,
    private readonly child: ChildProcess,
    private readonly output: { text: string },
  ) {}

  /** Starts redis-server with `dir`/`dbfilename` (loading it when present), no AOF, no automatic saves. */
  static async start(dir: string, dbfilename: string): Promise<RedisProcess> {
    for (let attempt = 0; ; attempt++) {
      const port = await freePort();
      const child = spawn(
        REDIS_SERVER,
        ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--dbfilename', dbfilename, '--appendonly', 'no', '--save', '', '--enable-debug-command', 'yes'],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      const output = { text: '' };
      const ready = new Promise<boolean>((resolve) => {
        const onData = (d: Buffer) => {
          output.text += d.toString();
          if (output.text.includes('Ready to accept connections')) resolve(true);
        };
        child.stdout!.on('data', onData);
        child.stderr!.on('data', onData);
        child.once('exit', () => resolve(false));
      });
      if (await ready) return new RedisProcess(port, child, output);
      if (attempt >= 3 || !output.text.includes('Address already in use')) {
        throw new Error(`redis-server did not start:\n${output.text}`);
      }
    }
  }

  get log(): string {
    return this.output.text;
  }

  /** Sends the commands pipelined and resolves with their replies, in order. */
  async commands(cmds: ReadonlyArray<ReadonlyArray<string>>): Promise<RespValue[]> {
    const socket = net.connect(this.port, '127.0.0.1');
    const decoder = new RespDecoder();
    const replies: RespValue[] = [];
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.on('data', (chunk) => {
          decoder.feed(chunk);
          for (let v = decoder.next(); v !== undefined; v = decoder.next()) replies.push(v);
          if (replies.length >= cmds.length) resolve();
        });
        socket.once('connect', () => {
          socket.write(Buffer.concat(cmds.map((c) => encodeCommand(c))));
        });
      });
    } finally {
      socket.destroy();
    }
    return replies;
  }

  async command(...argv: string[]): Promise<RespValue> {
    return (await this.commands([argv]))[0]!;
  }

  /** Kills the server (SIGKILL by its pid: nothing to save) and waits for it to exit. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGKILL');
    await exited;
  }
}
