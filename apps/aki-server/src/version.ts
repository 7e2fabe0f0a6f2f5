import { readFileSync } from 'node:fs';

/**
 * aki's version, from this app's package.json. Both the sources (src/) and
 * the bundle (dist/) sit one level below the package root.
 */
export function akiVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** The one-line `aki-server --version` output, shaped like redis-server's. */
export function versionLine(version: string, redisVersion: string): string {
  const bits = process.arch.endsWith('64') ? 64 : 32;
  return `aki-server v=${version} node=${process.version} bits=${bits} redis_version=${redisVersion}`;
}
