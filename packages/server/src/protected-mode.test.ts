import { describe, expect, it } from 'vitest';
import { ServerConfig } from './config/index.js';
import { protectedModeRefuses } from './server.js';

function config(directives: Array<[string, string]>): ServerConfig {
  const c = new ServerConfig();
  for (const [name, value] of directives) c.applyDirective(name, [value]);
  return c;
}

describe('protected mode', () => {
  it('refuses non-loopback clients when no password is set', () => {
    const c = config([]);
    for (const address of ['192.0.2.2', '10.0.0.1', '::ffff:10.1.2.3', 'fe80::1', undefined]) {
      expect(protectedModeRefuses(c, address)).toBe(true);
    }
  });

  it('serves loopback clients, IPv4-mapped loopback included', () => {
    const c = config([]);
    for (const address of ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1']) {
      expect(protectedModeRefuses(c, address)).toBe(false);
    }
  });

  it('is lifted by a password or by protected-mode no', () => {
    expect(protectedModeRefuses(config([['requirepass', 'pw']]), '192.0.2.2')).toBe(false);
    expect(protectedModeRefuses(config([['protected-mode', 'no']]), '192.0.2.2')).toBe(false);
  });

  it('follows runtime changes of the password', () => {
    const c = config([]);
    expect(c.setAtRuntime([['requirepass', 'pw']], true)).toBeNull();
    expect(protectedModeRefuses(c, '10.0.0.1')).toBe(false);
    expect(c.setAtRuntime([['requirepass', '']], true)).toBeNull();
    expect(protectedModeRefuses(c, '10.0.0.1')).toBe(true);
  });
});
