import { closeSync, openSync, writeSync } from 'node:fs';
import { pino, type DestinationStream, type LevelWithSilent, type Logger } from 'pino';
import type { ConfigValues } from '@aki/server';

/**
 * The root logger. It is built here only and handed to the server; packages
 * derive `child({ component })` loggers from it.
 *
 * Two formats:
 * - `redis` (default): Redis's text lines, for familiarity and for tools that
 *   grep them: `<pid>:<role> <dd Mon yyyy HH:MM:ss.mmm> <c> <message>`, where
 *   c is `.` debug, `-` verbose, `*` notice (info), `#` warning and worse.
 *   Fields of child loggers follow the message in parentheses.
 * - `json`: pino's own JSON lines.
 *
 * Both write synchronously (fs.writeSync) to stdout or to the log file opened
 * for appending, so nothing is lost when the process exits right after a
 * fatal line and no flush is ever pending.
 */

export type LogFormat = ConfigValues['log-format'];
export type LogLevel = ConfigValues['loglevel'];

export interface LoggingOptions {
  format: LogFormat;
  /** Redis `loglevel`. */
  level: LogLevel;
  /** Redis `logfile`: '' for stdout, else a path (latin1) opened for appending. */
  logfile: string;
  pid?: number;
  /** Role character: M primary, S replica, C child (Redis). */
  role?: () => string;
}

export interface Logging {
  readonly logger: Logger;
  /** Applies a new Redis `loglevel` (CONFIG SET loglevel). */
  setLevel(level: LogLevel): void;
  /** Closes the log file, if any. Later log calls are dropped. */
  close(): void;
}

/** Redis loglevel -> pino level. pino has no level between debug and info, so verbose is debug. */
export function pinoLevel(level: LogLevel): LevelWithSilent {
  switch (level) {
    case 'debug':
    case 'verbose':
      return 'debug';
    case 'notice':
      return 'info';
    case 'warning':
      return 'warn';
    case 'nothing':
      return 'silent';
  }
}

/** Keys whose values never reach a log line, at the top level or one level down. */
const SECRET_KEYS = ['password', 'requirepass', 'masterauth', 'masteruser-password', 'auth', 'pass'];
export const REDACT_PATHS = SECRET_KEYS.flatMap((key) => [key, `*.${key}`]);
export const REDACTED = '[redacted]';

/** Builds the root logger. Throws if the log file cannot be opened. */
export function createLogging(options: LoggingOptions): Logging {
  const pid = options.pid ?? process.pid;
  const role = options.role ?? (() => 'M');
  const fd = options.logfile === '' ? 1 : openSync(Buffer.from(options.logfile, 'latin1'), 'a');
  let open = true;
  const sink: DestinationStream = {
    write(line: string) {
      if (!open) return;
      const text = options.format === 'json' ? line : formatRedisLine(JSON.parse(line) as LogRecord, pid, role());
      writeAllSync(fd, Buffer.from(text, 'utf8'));
    },
  };
  const logger = pino(
    {
      level: pinoLevel(options.level),
      base: { pid },
      redact: { paths: REDACT_PATHS, censor: REDACTED },
    },
    sink,
  );
  return {
    logger,
    setLevel(level) {
      logger.level = pinoLevel(level);
    },
    close() {
      if (!open) return;
      open = false;
      if (fd !== 1) closeSync(fd);
    },
  };
}

/** A pino JSON record. */
export interface LogRecord {
  level: number;
  time: number;
  msg?: string;
  [field: string]: unknown;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** Redis's log timestamp in local time: "22 Nov 2026 04:45:21.803". */
export function formatLogTime(date: Date): string {
  return (
    `${pad(date.getDate())} ${MONTHS[date.getMonth()]} ${date.getFullYear()} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`
  );
}

/** Redis's level character for a pino level number. */
export function levelChar(level: number): string {
  if (level < 25) return '.';
  if (level < 30) return '-';
  if (level < 40) return '*';
  return '#';
}

/** Fields pino adds itself, not worth repeating on a text line. */
const OWN_FIELDS = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'err']);

/**
 * One pino record as a Redis log line (with its newline). Extra fields go in
 * parentheses after the message; an error adds its message, and for levels
 * error and fatal its stack on the following lines.
 */
export function formatRedisLine(record: LogRecord, pid: number, role: string): string {
  const extras = Object.entries(record)
    .filter(([key]) => !OWN_FIELDS.has(key))
    .map(([key, value]) => `${key}=${renderValue(value)}`);
  const err = record.err as { message?: unknown; stack?: unknown } | undefined;
  let message = record.msg ?? '';
  if (err && typeof err === 'object' && err.message !== undefined) {
    const errText = String(err.message);
    message = message === '' ? errText : message === errText ? message : `${message}: ${errText}`;
  }
  if (extras.length > 0) message += ` (${extras.join(', ')})`;
  let line = `${pid}:${role} ${formatLogTime(new Date(record.time))} ${levelChar(record.level)} ${message}\n`;
  if (record.level >= 50 && err && typeof err.stack === 'string') {
    line += err.stack.split('\n').slice(1).map((frame) => `    ${frame.trim()}\n`).join('');
  }
  return line;
}

function renderValue(value: unknown): string {
  if (typeof value === 'string') return /^[^\s"=,()]+$/.test(value) ? value : JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  return JSON.stringify(value);
}

const sleepCell = new Int32Array(new SharedArrayBuffer(4));

/**
 * Writes all of `data` to `fd`, synchronously. A non-blocking pipe that is
 * full (EAGAIN) is retried after a millisecond; a reader that went away
 * (EPIPE) drops the line: losing log lines must never stop the server.
 */
export function writeAllSync(fd: number, data: Buffer): void {
  let offset = 0;
  while (offset < data.length) {
    try {
      offset += writeSync(fd, data, offset);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') {
        Atomics.wait(sleepCell, 0, 0, 1);
        continue;
      }
      if (code === 'EPIPE') return;
      throw err;
    }
  }
}
