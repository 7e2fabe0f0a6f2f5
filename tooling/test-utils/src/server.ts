import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { akiBinaryPath, akiIsBuilt, whichBinary } from './binaries.js';
import { freePort } from './ports.js';
import { trackChild } from './reaper.js';

export interface StartOptions {
  /** Extra command-line arguments, appended after the defaults (so they win). */
  args?: string[];
  /** A config file, passed as the first argument. */
  configFile?: string;
  /** Data directory; a fresh temp dir (removed after the server stops) when omitted. */
  dir?: string;
  /** Environment overrides, merged over process.env (NODE_OPTIONS is dropped unless given here). */
  env?: NodeJS.ProcessEnv;
  /** How long to wait for the ready line (default 15 s). */
  readyTimeoutMs?: number;
  /** Written to the server's stdin, which is then closed (for `aki-server -`). */
  stdin?: string;
}

export interface RunningServer {
  host: string;
  port: number;
  pid: number;
  dir: string;
  process: ChildProcess;
  /** Everything the server wrote to stdout and stderr so far. */
  logs(): string;
  /** Waits until the logs match `pattern`; rejects with the logs on timeout. */
  waitForLog(pattern: string | RegExp, timeoutMs?: number): Promise<void>;
  /** Resolves with the exit code (null when killed by a signal) once the process exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  hasExited(): boolean;
  /** Sends `signal` (default SIGTERM), waits for exit and returns the exit code. After `timeoutMs` (default 10 s) the process is SIGKILLed and this rejects. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | null>;
  /** SIGKILL and wait for exit. */
  kill(): Promise<void>;
}

const AKI_READY = /Ready to accept connections tcp/;
// redis-server 7.0 prints "Ready to accept connections", 7.2+ appends " tcp".
const REDIS_READY = /Ready to accept connections/;
const LOG_CAP = 8 * 1024 * 1024;

interface SpawnSpec {
  command: string;
  argvPrefix: string[];
  readyPattern: RegExp;
  defaults: string[];
  name: string;
}

/** A spawned child with its combined output captured. */
export interface CapturedProcess {
  process: ChildProcess;
  output(): string;
  stdout(): string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function capture(child: ChildProcess): CapturedProcess {
  let all = '';
  let out = '';
  let err = '';
  const append = (cur: string, s: string) => {
    const next = cur + s;
    return next.length > LOG_CAP ? next.slice(next.length - LOG_CAP) : next;
  };
  child.stdout?.setEncoding('utf8');
  child.stderr?.setEncoding('utf8');
  child.stdout?.on('data', (s: string) => {
    all = append(all, s);
    out = append(out, s);
  });
  child.stderr?.on('data', (s: string) => {
    all = append(all, s);
    err = append(err, s);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    // 'close' fires after stdio is drained, so output() is complete by then.
    child.once('close', (code, signal) => resolve({ code, signal }));
    child.once('error', () => resolve({ code: null, signal: null }));
  });
  return { process: child, output: () => all, stdout: () => out, stderr: () => err, exited };
}

function buildEnv(env?: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const merged: NodeJS.ProcessEnv = { ...process.env };
  delete merged.NODE_OPTIONS;
  return { ...merged, ...env };
}

/**
 * Spawns aki-server with exactly `args` (no defaults) and captures its output.
 * For start-up tests that expect the process to fail or that manage ports themselves.
 */
export function spawnAki(args: string[], options: { env?: NodeJS.ProcessEnv; stdin?: string; cwd?: string } = {}): CapturedProcess {
  const child = spawn(process.execPath, [akiBinaryPath(), ...args], {
    env: buildEnv(options.env),
    stdio: ['pipe', 'pipe', 'pipe'],
    cwd: options.cwd,
  });
  trackChild(child);
  child.stdin?.on('error', () => {});
  child.stdin?.end(options.stdin ?? '');
  return capture(child);
}

/**
 * Runs aki-server with `args` until it exits (it is SIGKILLed after `timeoutMs`,
 * default 10 s) and returns its exit status and output.
 */
export async function runAkiToExit(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; stdin?: string; timeoutMs?: number; cwd?: string } = {},
): Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string; stdout: string; stderr: string; timedOut: boolean }> {
  const p = spawnAki(args, options);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    p.process.kill('SIGKILL');
  }, options.timeoutMs ?? 10_000);
  const r = await p.exited;
  clearTimeout(timer);
  return { ...r, output: p.output(), stdout: p.stdout(), stderr: p.stderr(), timedOut };
}

function lastOptionValue(args: string[], name: string): string | undefined {
  let value: string | undefined;
  for (let i = 0; i < args.length - 1; i++) if (args[i] === name) value = args[i + 1];
  return value;
}

/**
 * The waitForLog, stop and kill methods of a RunningServer over `child`, shared by
 * startAki/startRedis and launchServer. `name` labels the errors, `exited` is the
 * child's exit, `hasExited` whether that happened yet and `logs` its output so far.
 */
export function controls(
  name: string,
  child: ChildProcess,
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>,
  hasExited: () => boolean,
  logs: () => string,
): Pick<RunningServer, 'waitForLog' | 'stop' | 'kill'> {
  return {
    async waitForLog(pattern, timeoutMs = 5000) {
      const test = () => (typeof pattern === 'string' ? logs().includes(pattern) : pattern.test(logs()));
      const deadline = Date.now() + timeoutMs;
      while (!test()) {
        if (Date.now() > deadline) throw new Error(`${name} logs did not match ${String(pattern)} within ${timeoutMs} ms. Logs:\n${logs()}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 10_000) {
      if (!hasExited()) {
        try {
          child.kill(signal);
        } catch {
          // already gone
        }
        let timer: NodeJS.Timeout | undefined;
        const timedOut = await Promise.race([
          exited.then(() => false),
          new Promise<boolean>((r) => {
            timer = setTimeout(() => r(true), timeoutMs);
          }),
        ]);
        clearTimeout(timer);
        if (timedOut) {
          child.kill('SIGKILL');
          await exited;
          throw new Error(`${name} (pid ${child.pid}) did not exit within ${timeoutMs} ms of ${signal}; killed. Logs:\n${logs()}`);
        }
      }
      return (await exited).code;
    },
    async kill() {
      if (!hasExited()) {
        try {
          child.kill('SIGKILL');
        } catch {
          // already gone
        }
      }
      await exited;
    },
  };
}

async function startOnce(spec: SpawnSpec, options: StartOptions, port: number, dir: string): Promise<RunningServer> {
  const userArgs = options.args ?? [];
  const argv = [
    ...spec.argvPrefix,
    ...(options.configFile ? [options.configFile] : []),
    ...spec.defaults,
    ...(userArgs.includes('--port') ? [] : ['--port', String(port)]),
    ...(userArgs.includes('--dir') ? [] : ['--dir', dir]),
    ...userArgs,
  ];
  const child = spawn(spec.command, argv, { env: buildEnv(options.env), stdio: ['pipe', 'pipe', 'pipe'] });
  trackChild(child);
  child.stdin?.on('error', () => {});
  child.stdin?.end(options.stdin ?? '');
  const cap = capture(child);
  let exitedFlag = false;
  void cap.exited.then(() => {
    exitedFlag = true;
  });

  const pidOrFail = await new Promise<number>((resolve, reject) => {
    const timeoutMs = options.readyTimeoutMs ?? 15_000;
    let settled = false;
    const done = (err?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      if (err) reject(err);
      else resolve(child.pid!);
    };
    const onData = () => {
      if (spec.readyPattern.test(cap.stdout())) done();
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      done(new Error(`${spec.name} did not become ready within ${timeoutMs} ms (argv: ${argv.join(' ')}). Logs:\n${cap.output()}`));
    }, timeoutMs);
    child.stdout?.on('data', onData);
    child.once('error', (e) => done(new Error(`${spec.name} could not be spawned: ${e.message}`)));
    void cap.exited.then(({ code, signal }) =>
      done(
        new Error(
          `${spec.name} exited before it was ready (code ${code}, signal ${signal}; argv: ${argv.join(' ')}). Logs:\n${cap.output()}`,
        ),
      ),
    );
  });

  const effectivePort = Number(lastOptionValue(userArgs, '--port') ?? port);
  const effectiveDir = lastOptionValue(userArgs, '--dir') ?? dir;

  const server: RunningServer = {
    host: '127.0.0.1',
    port: effectivePort,
    pid: pidOrFail,
    dir: effectiveDir,
    process: child,
    logs: cap.output,
    exited: cap.exited.then((r) => r),
    hasExited: () => exitedFlag,
    ...controls(spec.name, child, cap.exited, () => exitedFlag, cap.output),
  };
  return server;
}

async function startServer(spec: SpawnSpec, options: StartOptions = {}): Promise<RunningServer> {
  const ownDir = options.dir === undefined;
  const dir = options.dir ?? mkdtempSync(path.join(os.tmpdir(), `${spec.name}-test-`));
  const portFixed = (options.args ?? []).includes('--port');
  let lastErr: Error | undefined;
  for (let attempt = 0; attempt < 4; attempt++) {
    const port = await freePort();
    try {
      const server = await startOnce(spec, options, port, dir);
      if (ownDir) {
        void server.exited.then(() => {
          try {
            rmSync(dir, { recursive: true, force: true });
          } catch {
            // best effort: a leftover temp dir is harmless
          }
        });
      }
      return server;
    } catch (err) {
      lastErr = err as Error;
      // Another process grabbed the port between probe and bind: try another one.
      if (!portFixed && /address already in use|EADDRINUSE/i.test(lastErr.message)) continue;
      break;
    }
  }
  if (ownDir) rmSync(dir, { recursive: true, force: true });
  throw lastErr;
}

/**
 * Starts the built aki-server on a free port with a fresh data directory and
 * resolves once it logs "Ready to accept connections tcp". Rejects with the
 * captured logs if it exits or times out first. With AKI_TEST_AGAINST_REDIS=1
 * in the environment it starts a real redis-server instead (to check a test
 * against the reference implementation).
 */
export function startAki(options: StartOptions = {}): Promise<RunningServer> {
  // For checking the tests themselves: run the black-box tier against a real
  // redis-server (the reference) instead of aki.
  if (process.env.AKI_TEST_AGAINST_REDIS === '1') return startRedis(options);
  if (!akiIsBuilt()) {
    return Promise.reject(
      new Error(`aki-server is not built (${akiBinaryPath()} needs apps/aki-server/dist/main.js): run \`npx -y pnpm@10 build\` first`),
    );
  }
  return startServer(
    { name: 'aki-server', command: process.execPath, argvPrefix: [akiBinaryPath()], readyPattern: AKI_READY, defaults: [] },
    options,
  );
}

/**
 * Starts a real redis-server (from PATH) the same way, with `--save "" --appendonly no`
 * defaults (overridable through `args`).
 */
export function startRedis(options: StartOptions = {}): Promise<RunningServer> {
  const bin = whichBinary('redis-server');
  if (!bin) return Promise.reject(new Error('redis-server is not installed (not on PATH)'));
  return startServer(
    {
      name: 'redis-server',
      command: bin,
      argvPrefix: [],
      readyPattern: REDIS_READY,
      defaults: ['--save', '', '--appendonly', 'no', '--daemonize', 'no'],
    },
    options,
  );
}
