import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { FaultyFileSystem } from '@aki/aof-persistence';
import { ServerConfig } from '../config/index.js';
import { AkiServer } from '../server.js';
import { TcpTestClient } from './tcp-client.js';

/**
 * AkiServer in-process over real TCP, with its files on a FaultyFileSystem
 * (`fs.crash()` drops every byte that was not fsynced, as a power loss
 * would). `dir` is a real directory because the `dir` option checks that it
 * exists; the files themselves live only in the fake file system.
 */
export const TEST_DIR = os.tmpdir();

export interface StartedServer {
  server: AkiServer;
  client: TcpTestClient;
  /** Exit codes the server asked for (it never really exits in tests). */
  exits: number[];
  /** Sends a command and returns its reply as plain values (bulk strings as latin1 text, errors as "ERROR: ..."). */
  call(...argv: string[]): Promise<unknown>;
}

/** Servers and clients started by `startServer`, for `stopAll` in afterEach. */
const running: AkiServer[] = [];
const clients: TcpTestClient[] = [];

/** A fake file system holding TEST_DIR and its parents, all durable. */
export async function freshFileSystem(): Promise<FaultyFileSystem> {
  const fs = new FaultyFileSystem();
  await fs.mkdir(TEST_DIR);
  for (let dir = TEST_DIR; ; dir = path.dirname(dir)) {
    await fs.syncDirectory(dir);
    if (dir === path.dirname(dir)) break;
  }
  return fs;
}

/** Starts a server on `fs` with `directives` applied after port, dir and `save ""`. */
export async function startServer(fs: FaultyFileSystem, directives: Array<[string, ...string[]]> = []): Promise<StartedServer> {
  const config = new ServerConfig();
  const base: Array<[string, ...string[]]> = [['port', String(await freePort())], ['dir', TEST_DIR], ['save', '']];
  for (const [name, ...args] of [...base, ...directives]) config.applyDirective(name, args);
  const exits: number[] = [];
  const server = new AkiServer({ config, version: '0.0.0-test', fileSystem: fs, exit: (code) => exits.push(code) });
  await server.start();
  running.push(server);
  const client = await connectClient(server.port);
  const call = async (...argv: string[]): Promise<unknown> => plainReply(await client.call(...argv));
  return { server, client, exits, call };
}

/** Another client of a started server (closed by stopAll). */
export async function connectClient(port: number): Promise<TcpTestClient> {
  const client = await TcpTestClient.connect(port);
  clients.push(client);
  return client;
}

/** Stops a server as a power loss would: the fake disk keeps only fsynced bytes, nothing is flushed. */
export async function powerLoss(fs: FaultyFileSystem, started: StartedServer): Promise<void> {
  fs.crash();
  started.client.close();
  const at = running.indexOf(started.server);
  if (at !== -1) running.splice(at, 1);
  // Its later writes hit the handles the crash invalidated, and go nowhere.
  await started.server.shutdown('power loss', false).catch(() => {});
}

/** Closes every client and shuts every server down (afterEach). */
export async function stopAll(): Promise<void> {
  for (const client of clients.splice(0)) client.close();
  for (const server of running.splice(0)) await server.shutdown('test over', false).catch(() => {});
}

/** Bulk strings as latin1 text, arrays element by element, errors as "ERROR: <message>". */
export function plainReply(value: unknown): unknown {
  if (Buffer.isBuffer(value)) return value.toString('latin1');
  if (Array.isArray(value)) return value.map(plainReply);
  if (value instanceof Error) return `ERROR: ${value.message}`;
  return value;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}
