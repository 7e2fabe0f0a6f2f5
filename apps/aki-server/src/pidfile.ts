import { unlinkSync, writeFileSync } from 'node:fs';

/**
 * The `pidfile` option: written at start, removed at exit. Paths are latin1
 * strings, as all config values. Failures are reported, never thrown: Redis
 * only warns when it cannot write its pid file.
 */

/** Writes "<pid>\n"; returns an error description, or null on success. */
export function writePidFile(path: string, pid: number): string | null {
  try {
    writeFileSync(Buffer.from(path, 'latin1'), `${pid}\n`);
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

export function removePidFile(path: string): void {
  try {
    unlinkSync(Buffer.from(path, 'latin1'));
  } catch {
    // Already gone: nothing to clean up.
  }
}
