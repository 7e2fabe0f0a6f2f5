import type { Logger } from 'pino';

/** What the start-up banner reports. */
export interface BannerInfo {
  version: string;
  redisVersion: string;
  pid: number;
  port: number;
  /** Absolute path of the config file, 'stdin', or null when started without config. */
  configSource: string | null;
  nodeVersion?: string;
}

export interface LogLine {
  level: 'info' | 'warn';
  msg: string;
}

/**
 * The lines redis-server logs at start, adapted to aki. Tools grep for
 * `PID: ` and, logged later by main once listening, `Ready to accept
 * connections tcp`. Like Redis, the first lines are warnings so that they
 * show even at `loglevel warning`.
 */
export function bannerLines(info: BannerInfo): LogLine[] {
  const bits = process.arch.endsWith('64') ? 64 : 32;
  return [
    { level: 'warn', msg: 'oO0OoO0OoO0Oo aki is starting oO0OoO0OoO0Oo' },
    {
      level: 'warn',
      msg:
        `aki ${info.version} (Redis ${info.redisVersion} compatible), ` +
        `node=${info.nodeVersion ?? process.version}, bits=${bits}, pid=${info.pid}, just started`,
    },
    info.configSource === null
      ? {
          level: 'warn',
          msg:
            'Warning: no config file specified, using the default config. ' +
            'In order to specify a config file use aki-server /path/to/aki.conf',
        }
      : { level: 'warn', msg: `Configuration loaded from ${info.configSource}` },
    { level: 'info', msg: `Running mode=standalone, port=${info.port}.` },
    { level: 'info', msg: `PID: ${info.pid}` },
  ];
}

export function logBanner(logger: Logger, info: BannerInfo): void {
  for (const line of bannerLines(info)) logger[line.level](line.msg);
}
