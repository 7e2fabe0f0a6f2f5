import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { akiVersion, versionLine } from './version.js';

describe('version', () => {
  it('comes from package.json', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    expect(akiVersion()).toBe(pkg.version);
  });
  it('prints a redis-server style line', () => {
    expect(versionLine('0.1.0', '7.2.4')).toMatch(/^aki-server v=0\.1\.0 node=v\d+\.\d+\.\d+ bits=(64|32) redis_version=7\.2\.4$/);
  });
});
