import { accessSync, constants, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const cache = new Map<string, string | null>();

/** Absolute path of an executable found on PATH, or null. */
export function whichBinary(name: string): string | null {
  if (cache.has(name)) return cache.get(name)!;
  let found: string | null = null;
  if (name.includes('/')) {
    found = isExecutable(name) ? path.resolve(name) : null;
  } else {
    for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
      if (!dir) continue;
      const candidate = path.join(dir, name);
      if (isExecutable(candidate)) {
        found = candidate;
        break;
      }
    }
  }
  cache.set(name, found);
  return found;
}

function isExecutable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** True when `name` (e.g. 'redis-server', 'redis-cli') is an executable on PATH. */
export function hasBinary(name: string): boolean {
  return whichBinary(name) !== null;
}

/** Root of the monorepo (this file lives in tooling/test-utils/{src,dist}). */
export function repoRoot(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  return path.resolve(here, '..', '..', '..');
}

/** Absolute path to apps/aki-server/bin/aki-server (AKI_SERVER_BIN overrides it). */
export function akiBinaryPath(): string {
  const override = process.env.AKI_SERVER_BIN;
  if (override) return path.resolve(override);
  return path.join(repoRoot(), 'apps', 'aki-server', 'bin', 'aki-server');
}

/** True when the aki-server build output the binary runs (dist/main.js) exists. */
export function akiIsBuilt(): boolean {
  if (process.env.AKI_SERVER_BIN) return existsSync(akiBinaryPath());
  return existsSync(path.join(repoRoot(), 'apps', 'aki-server', 'dist', 'main.js'));
}
