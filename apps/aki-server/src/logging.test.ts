import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogging, formatLogTime, formatRedisLine, levelChar, pinoLevel, REDACTED } from './logging.js';

const tmp = mkdtempSync(join(tmpdir(), 'aki-log-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('pinoLevel', () => {
  it('maps Redis log levels', () => {
    expect(pinoLevel('debug')).toBe('debug');
    expect(pinoLevel('verbose')).toBe('debug');
    expect(pinoLevel('notice')).toBe('info');
    expect(pinoLevel('warning')).toBe('warn');
    expect(pinoLevel('nothing')).toBe('silent');
  });
});

describe('formatLogTime', () => {
  it('prints Redis timestamps in local time', () => {
    expect(formatLogTime(new Date(2026, 10, 2, 4, 5, 6, 7))).toBe('02 Nov 2026 04:05:06.007');
    expect(formatLogTime(new Date(2025, 0, 31, 23, 59, 59, 999))).toBe('31 Jan 2025 23:59:59.999');
  });
});

describe('levelChar', () => {
  it('uses . - * #', () => {
    expect(levelChar(10)).toBe('.');
    expect(levelChar(20)).toBe('.');
    expect(levelChar(25)).toBe('-');
    expect(levelChar(30)).toBe('*');
    expect(levelChar(40)).toBe('#');
    expect(levelChar(50)).toBe('#');
    expect(levelChar(60)).toBe('#');
  });
});

describe('formatRedisLine', () => {
  const time = new Date(2026, 10, 22, 4, 45, 21, 803).getTime();

  it('formats a plain message', () => {
    expect(formatRedisLine({ level: 30, time, pid: 42, hostname: 'h', msg: 'Ready to accept connections tcp' }, 42, 'M')).toBe(
      '42:M 22 Nov 2026 04:45:21.803 * Ready to accept connections tcp\n',
    );
  });

  it('appends child-logger fields briefly', () => {
    expect(formatRedisLine({ level: 40, time, msg: 'slow', component: 'server', client: 5, addr: '1.2.3.4:5' }, 1, 'M')).toBe(
      '1:M 22 Nov 2026 04:45:21.803 # slow (component=server, client=5, addr=1.2.3.4:5)\n',
    );
    expect(formatRedisLine({ level: 20, time, msg: 'x', note: 'two words', list: [1] }, 1, 'S')).toBe(
      '1:S 22 Nov 2026 04:45:21.803 . x (note="two words", list=[1])\n',
    );
  });

  it('adds the error message, and the stack for errors', () => {
    const err = { type: 'Error', message: 'boom', stack: 'Error: boom\n    at f (a.js:1:1)\n    at g (b.js:2:2)' };
    expect(formatRedisLine({ level: 40, time, msg: 'failed', err }, 1, 'M')).toBe(
      '1:M 22 Nov 2026 04:45:21.803 # failed: boom\n',
    );
    expect(formatRedisLine({ level: 60, time, err }, 1, 'M')).toBe(
      '1:M 22 Nov 2026 04:45:21.803 # boom\n    at f (a.js:1:1)\n    at g (b.js:2:2)\n',
    );
  });
});

describe('createLogging', () => {
  it('appends Redis-format lines to the log file, at the configured level', () => {
    const file = join(tmp, 'redis.log');
    const logging = createLogging({ format: 'redis', level: 'notice', logfile: file, pid: 7 });
    logging.logger.debug('hidden');
    logging.logger.info('shown');
    logging.logger.child({ component: 'server' }).warn('careful');
    logging.setLevel('debug');
    logging.logger.debug('now shown');
    logging.close();
    logging.logger.info('after close');
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^7:M \d\d \w{3} \d{4} \d\d:\d\d:\d\d\.\d{3} \* shown$/);
    expect(lines[1]).toMatch(/ # careful \(component=server\)$/);
    expect(lines[2]).toMatch(/ \. now shown$/);

    const again = createLogging({ format: 'redis', level: 'notice', logfile: file, pid: 7 });
    again.logger.info('appended');
    again.close();
    expect(readFileSync(file, 'utf8').trimEnd().split('\n')).toHaveLength(4);
  });

  it('writes pino JSON lines in json format', () => {
    const file = join(tmp, 'json.log');
    const logging = createLogging({ format: 'json', level: 'warning', logfile: file, pid: 9 });
    logging.logger.info('hidden');
    logging.logger.warn({ component: 'x' }, 'hello');
    logging.close();
    const record = JSON.parse(readFileSync(file, 'utf8'));
    expect(record).toMatchObject({ level: 40, pid: 9, component: 'x', msg: 'hello' });
  });

  it('redacts secrets', () => {
    const file = join(tmp, 'secret.log');
    const logging = createLogging({ format: 'json', level: 'notice', logfile: file });
    logging.logger.info({ requirepass: 'hunter2', user: { password: 'pw' }, masterauth: 'm' }, 'config');
    logging.close();
    const text = readFileSync(file, 'utf8');
    expect(text).not.toMatch(/hunter2|"pw"|"m"/);
    expect(JSON.parse(text)).toMatchObject({ requirepass: REDACTED, user: { password: REDACTED }, masterauth: REDACTED });
  });

  it('logs nothing at level nothing', () => {
    const file = join(tmp, 'nothing.log');
    const logging = createLogging({ format: 'redis', level: 'nothing', logfile: file });
    logging.logger.fatal('even this');
    logging.close();
    expect(readFileSync(file, 'utf8')).toBe('');
  });

  it('fails when the log file cannot be opened', () => {
    expect(() => createLogging({ format: 'redis', level: 'notice', logfile: join(tmp, 'no/such/dir.log') })).toThrow(
      /ENOENT/,
    );
  });
});
