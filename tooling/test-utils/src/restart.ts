// Starting a server on an existing data directory without waiting for it to be
// ready: for tests that talk to it while it loads, that expect it to refuse to
// start, or that kill and restart it on the same directory.
import { spawn } from 'node:child_process';
import { akiBinaryPath, akiIsBuilt, whichBinary } from './binaries.js';
import { freePort } from './ports.js';
import { trackChild } from './reaper.js';
import { controls, type RunningServer, type StartOptions } from './server.js';

export type ServerKind = 'aki' | 'redis';

/** The server the black-box tier tests: redis-server when AKI_TEST_AGAINST_REDIS=1, else aki. */
export function serverUnderTest(): ServerKind {
  return process.env.AKI_TEST_AGAINST_REDIS === '1' ? 'redis' : 'aki';
}

export interface LaunchOptions extends Omit<StartOptions, 'readyTimeoutMs' | 'dir'> {
  /** Data directory (required: these helpers are for directories the test owns). */
  dir: string;
  /** Which binary; serverUnderTest() when omitted. */
  kind?: ServerKind;
}

/** A server that was spawned but may not be ready (or may never be). */
export interface LaunchedServer extends RunningServer {
  kind: ServerKind;
  /** Resolves once the ready line was logged; rejects (with the logs) if the process exits first. */
  ready: Promise<void>;
  /** True once the ready line was logged. */
  isReady(): boolean;
}

const AKI_READY = /Ready to accept connections tcp/;
const REDIS_READY = /Ready to accept connections/;
const LOG_CAP = 8 * 1024 * 1024;

function spec(kind: ServerKind): { command: string; prefix: string[]; defaults: string[]; ready: RegExp } {
  if (kind === 'redis') {
    const bin = whichBinary('redis-server');
    if (!bin) throw new Error('redis-server is not installed (not on PATH)');
    return { command: bin, prefix: [], defaults: ['--save', '', '--appendonly', 'no', '--daemonize', 'no'], ready: REDIS_READY };
  }
  if (!akiIsBuilt()) {
    throw new Error(`aki-server is not built (${akiBinaryPath()} needs apps/aki-server/dist/main.js): run \`npx -y pnpm@10 build\` first`);
  }
  return { command: process.execPath, prefix: [akiBinaryPath()], defaults: [], ready: AKI_READY };
}

/**
 * Spawns the server on a free port and `options.dir` and returns at once,
 * without waiting for the ready line (the listener of a server that is loading
 * its data set may already accept connections; see `ready`). Same argument
 * order as startAki/startRedis: config file, defaults, --port, --dir, then
 * `options.args` (which win).
 */
export async function launchServer(options: LaunchOptions): Promise<LaunchedServer> {
  const kind = options.kind ?? serverUnderTest();
  const s = spec(kind);
  const userArgs = options.args ?? [];
  const port = await freePort();
  const argv = [
    ...s.prefix,
    ...(options.configFile ? [options.configFile] : []),
    ...s.defaults,
    '--port',
    String(port),
    '--dir',
    options.dir,
    ...userArgs,
  ];
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.NODE_OPTIONS;
  const child = spawn(s.command, argv, { env: { ...env, ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] });
  trackChild(child);
  child.stdin?.on('error', () => {});
  child.stdin?.end(options.stdin ?? '');

  let all = '';
  let out = '';
  let readyFlag = false;
  let exitedFlag = false;
  const append = (cur: string, chunk: string) => {
    const next = cur + chunk;
    return next.length > LOG_CAP ? next.slice(next.length - LOG_CAP) : next;
  };
  let onReady: () => void = () => {};
  let onNotReady: (e: Error) => void = () => {};
  const ready = new Promise<void>((resolve, reject) => {
    onReady = resolve;
    onNotReady = reject;
  });
  ready.catch(() => {}); // callers that never await it must not see an unhandled rejection
  child.stdout?.setEncoding('utf8');
  child.stderr?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    all = append(all, chunk);
    out = append(out, chunk);
    if (!readyFlag && s.ready.test(out)) {
      readyFlag = true;
      onReady();
    }
  });
  child.stderr?.on('data', (chunk: string) => {
    all = append(all, chunk);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('close', (code, signal) => {
      exitedFlag = true;
      resolve({ code, signal });
    });
    child.once('error', (e) => {
      exitedFlag = true;
      all = append(all, `spawn error: ${e.message}\n`);
      resolve({ code: null, signal: null });
    });
  });
  void exited.then(({ code, signal }) => {
    if (!readyFlag) onNotReady(new Error(`${kind} exited before it was ready (code ${code}, signal ${signal}; argv: ${argv.join(' ')}). Logs:\n${all}`));
  });

  const server: LaunchedServer = {
    kind,
    host: '127.0.0.1',
    port,
    pid: child.pid ?? -1,
    dir: options.dir,
    process: child,
    ready,
    isReady: () => readyFlag,
    logs: () => all,
    exited,
    hasExited: () => exitedFlag,
    ...controls(kind, child, exited, () => exitedFlag, () => all),
  };
  return server;
}

export type StartOutcome =
  | { ready: true; server: LaunchedServer }
  | { ready: false; code: number | null; signal: NodeJS.Signals | null; output: string; timedOut: boolean };

/**
 * Launches the server and waits until it is either ready (the caller then owns
 * `server` and must stop it) or has exited (its status and output are returned).
 * After `timeoutMs` (default 15 s) without either, it is SIGKILLed and reported
 * with timedOut: true.
 */
export async function startOrExit(options: LaunchOptions & { timeoutMs?: number }): Promise<StartOutcome> {
  for (let attempt = 0; ; attempt++) {
    const outcome = await startOrExitOnce(options);
    // Another process took the free port between the probe and the bind: try another one.
    if (!outcome.ready && attempt < 3 && /address already in use|EADDRINUSE/i.test(outcome.output)) continue;
    return outcome;
  }
}

async function startOrExitOnce(options: LaunchOptions & { timeoutMs?: number }): Promise<StartOutcome> {
  const server = await launchServer(options);
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    server.ready.then(
      () => 'ready' as const,
      () => 'exited' as const,
    ),
    new Promise<'timeout'>((r) => {
      timer = setTimeout(() => r('timeout'), options.timeoutMs ?? 15_000);
    }),
  ]);
  clearTimeout(timer);
  if (outcome === 'ready') return { ready: true, server };
  if (outcome === 'timeout') await server.kill();
  const { code, signal } = await server.exited;
  return { ready: false, code, signal, output: server.logs(), timedOut: outcome === 'timeout' };
}
