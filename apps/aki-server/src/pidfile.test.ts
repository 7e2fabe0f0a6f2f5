import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removePidFile, writePidFile } from './pidfile.js';

const tmp = mkdtempSync(join(tmpdir(), 'aki-pid-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('pid file', () => {
  it('is written and removed', () => {
    const path = join(tmp, 'aki.pid');
    expect(writePidFile(path, 4321)).toBeNull();
    expect(readFileSync(path, 'utf8')).toBe('4321\n');
    removePidFile(path);
    expect(existsSync(path)).toBe(false);
    removePidFile(path); // already gone: no error
  });

  it('reports a failure instead of throwing', () => {
    expect(writePidFile(join(tmp, 'missing', 'aki.pid'), 1)).toMatch(/ENOENT/);
  });
});
