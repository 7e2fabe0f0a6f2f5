// Stock Redis Sentinel processes for the high-availability tests: each one gets
// its own config file (Sentinel rewrites it as it learns the topology) and a
// free port, and is reaped with the test process like every server we start.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { whichBinary } from './binaries.js';
import { freePort } from './ports.js';
import { trackChild } from './reaper.js';
import { waitFor } from './wait.js';

export interface SentinelOptions {
  /** The monitored group's name (`sentinel monitor <name> ...`). */
  masterName: string;
  masterHost?: string;
  masterPort: number;
  quorum: number;
  /** `sentinel down-after-milliseconds`. */
  downAfterMs: number;
  /** `sentinel failover-timeout`. */
  failoverTimeoutMs: number;
  /** Directory for the config file and Sentinel's working dir; a fresh temp dir when omitted. */
  dir?: string;
}

export interface RunningSentinel {
  port: number;
  pid: number;
  /** The config file Sentinel owns (it rewrites it). */
  configFile: string;
  /** Everything Sentinel logged so far (its events: +sdown, +switch-master, ...). */
  logs(): string;
  /** SIGKILL and wait for exit. */
  kill(): Promise<void>;
}

/** True when a `redis-sentinel` binary is on PATH. */
export function hasSentinel(): boolean {
  return whichBinary('redis-sentinel') !== null;
}

/** The config a test sentinel starts from. */
export function sentinelConfig(port: number, dir: string, o: SentinelOptions): string {
  return [
    `port ${port}`,
    `dir ${JSON.stringify(dir)}`,
    // Loopback only, and no hostname resolution: the nodes announce IPs.
    'bind 127.0.0.1',
    `sentinel monitor ${o.masterName} ${o.masterHost ?? '127.0.0.1'} ${o.masterPort} ${o.quorum}`,
    `sentinel down-after-milliseconds ${o.masterName} ${o.downAfterMs}`,
    `sentinel failover-timeout ${o.masterName} ${o.failoverTimeoutMs}`,
    `sentinel parallel-syncs ${o.masterName} 1`,
    '',
  ].join('\n');
}

/**
 * Starts `redis-sentinel` on a free port and waits until its log shows
 * `+monitor` (it has loaded its config and monitors the group). Throws when the binary is missing or
 * the process exits first.
 */
export async function startSentinel(options: SentinelOptions): Promise<RunningSentinel> {
  const bin = whichBinary('redis-sentinel');
  if (bin === null) throw new Error('redis-sentinel is not installed (not on PATH)');
  const dir = options.dir ?? mkdtempSync(path.join(os.tmpdir(), 'aki-sentinel-'));
  const port = await freePort();
  const configFile = path.join(dir, `sentinel-${port}.conf`);
  writeFileSync(configFile, sentinelConfig(port, dir, options));

  const child = spawn(bin, [configFile], { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir });
  trackChild(child);
  let output = '';
  const append = (chunk: string) => {
    output += chunk;
    if (output.length > 4 * 1024 * 1024) output = output.slice(-2 * 1024 * 1024);
  };
  child.stdout?.setEncoding('utf8');
  child.stderr?.setEncoding('utf8');
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  let exited = false;
  const closed = new Promise<void>((resolve) => {
    child.once('close', () => {
      exited = true;
      resolve();
    });
  });

  try {
    await waitFor(() => {
      if (exited) throw new Error('exited');
      return output.includes('+monitor');
    }, 10_000);
  } catch {
    child.kill('SIGKILL');
    throw new Error(`redis-sentinel did not start (config ${configFile}). Output:\n${output}`);
  }
  return {
    port,
    pid: child.pid ?? -1,
    configFile,
    logs: () => output,
    async kill() {
      if (!exited) child.kill('SIGKILL');
      await closed;
    },
  };
}
