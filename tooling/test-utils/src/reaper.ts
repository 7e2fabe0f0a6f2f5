// Makes sure no server started by a test process outlives it.
//
// Two layers: a synchronous SIGKILL of every tracked child on 'exit' (covers a
// normal exit and process.exit), and a tiny sidecar "reaper" process that holds a
// pipe to us. When this process dies for any reason, even SIGKILL, the pipe
// closes and the reaper kills every pid it was told about. Protocol on the
// reaper's stdin: "+<pid>\n" to track, "-<pid>\n" to forget.
import { spawn, type ChildProcess } from 'node:child_process';

const REAPER_SOURCE = `
const pids = new Set();
let pending = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  pending += chunk;
  let nl;
  while ((nl = pending.indexOf('\\n')) >= 0) {
    const line = pending.slice(0, nl);
    pending = pending.slice(nl + 1);
    const pid = Number(line.slice(1));
    if (!Number.isInteger(pid) || pid <= 0) continue;
    if (line[0] === '+') pids.add(pid); else pids.delete(pid);
  }
});
const reap = () => {
  for (const pid of pids) { try { process.kill(pid, 'SIGKILL'); } catch {} }
  process.exit(0);
};
process.stdin.on('end', reap);
process.stdin.on('error', reap);
process.on('SIGTERM', reap);
process.on('SIGINT', () => {});
`;

const tracked = new Map<number, ChildProcess>();
let reaper: ChildProcess | undefined;
let reaperBroken = false;
let exitHookInstalled = false;

function reaperSend(line: string): void {
  if (reaperBroken) return;
  if (!reaper) {
    try {
      reaper = spawn(process.execPath, ['-e', REAPER_SOURCE], {
        stdio: ['pipe', 'ignore', 'ignore'],
        detached: true, // own process group: a Ctrl-C on the test run must not kill it first
      });
      reaper.on('error', () => {
        reaperBroken = true;
      });
      reaper.stdin?.on('error', () => {
        reaperBroken = true;
      });
      reaper.unref();
      (reaper.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    } catch {
      reaperBroken = true;
      return;
    }
  }
  try {
    reaper.stdin?.write(line);
  } catch {
    reaperBroken = true;
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const pid of tracked.keys()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
}

/** Registers a spawned server so it is killed if this process goes away. */
export function trackChild(child: ChildProcess): void {
  const pid = child.pid;
  if (pid === undefined) return;
  installExitHook();
  tracked.set(pid, child);
  reaperSend(`+${pid}\n`);
  child.once('exit', () => untrackChild(pid));
}

export function untrackChild(pid: number): void {
  if (!tracked.delete(pid)) return;
  reaperSend(`-${pid}\n`);
}

/** Pids of servers started by this process that have not exited yet. */
export function trackedPids(): number[] {
  return [...tracked.keys()];
}
