import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { replaceFileSync } from './replace-file.js';

const tmp = mkdtempSync(join(tmpdir(), 'aki-replace-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('replaceFileSync', () => {
  it('replaces the content, keeps the mode and leaves no temporary file', () => {
    const dir = mkdtempSync(join(tmp, 'a-'));
    const path = join(dir, 'aki.conf');
    writeFileSync(path, 'old\n');
    chmodSync(path, 0o600);
    replaceFileSync(path, Buffer.from('new \xe9\n', 'latin1'));
    expect(readFileSync(path, 'latin1')).toBe('new \xe9\n');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['aki.conf']);
  });

  it('creates a missing file', () => {
    const path = join(tmp, 'fresh.conf');
    replaceFileSync(path, Buffer.from('port 1\n'));
    expect(readFileSync(path, 'utf8')).toBe('port 1\n');
  });

  it('throws the system error when the directory is gone, and when the target is a directory', () => {
    expect(() => replaceFileSync(join(tmp, 'gone', 'aki.conf'), Buffer.from('x'))).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    const dir = mkdtempSync(join(tmp, 'b-'));
    const target = mkdtempSync(join(dir, 'conf-'));
    expect(() => replaceFileSync(target, Buffer.from('x'))).toThrow(expect.objectContaining({ code: expect.stringMatching(/EISDIR|ENOTEMPTY|EEXIST/) }));
    // The temporary file went away with the failure.
    expect(readdirSync(dir)).toHaveLength(1);
  });
});
