import { describe, expect, it } from 'vitest';
import { bannerLines } from './banner.js';

describe('bannerLines', () => {
  const info = { version: '0.1.0', redisVersion: '7.2.4', pid: 1234, port: 6380, nodeVersion: 'v20.0.0' };

  it('has the lines tools look for', () => {
    const text = bannerLines({ ...info, configSource: '/etc/aki.conf' }).map((line) => line.msg);
    expect(text[0]).toBe('oO0OoO0OoO0Oo aki is starting oO0OoO0OoO0Oo');
    expect(text[1]).toMatch(/^aki 0\.1\.0 \(Redis 7\.2\.4 compatible\), node=v20\.0\.0, bits=(64|32), pid=1234, just started$/);
    expect(text).toContain('Configuration loaded from /etc/aki.conf');
    expect(text).toContain('Running mode=standalone, port=6380.');
    expect(text).toContain('PID: 1234');
    expect(text.some((line) => line.includes('Ready to accept'))).toBe(false);
  });

  it('warns when no config file was given', () => {
    const lines = bannerLines({ ...info, configSource: null });
    expect(lines.find((line) => line.msg.startsWith('Warning: no config file specified'))?.level).toBe('warn');
  });
});
