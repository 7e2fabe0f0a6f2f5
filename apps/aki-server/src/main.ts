import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { AkiServer, describeError, REDIS_COMPAT_VERSION, ServerConfig } from '@aki/server';
import { parseCommandLine, usage, UsageError } from './argv.js';
import { logBanner } from './banner.js';
import {
  applyDirectives,
  collectDirectives,
  ConfigFileError,
  ConfigReadError,
  formatConfigFileError,
} from './config-file.js';
import { createLogging, writeAllSync, type Logging } from './logging.js';
import { removePidFile, writePidFile } from './pidfile.js';
import { handleShutdownSignals } from './signals.js';
import { akiVersion, versionLine } from './version.js';

/**
 * aki-server's entry point: command line and config -> root logger ->
 * banner -> AkiServer -> "Ready to accept connections tcp" -> wait until the
 * server closes (SHUTDOWN, SIGTERM, SIGINT) -> exit with its code.
 *
 * Exit codes: 0 after a clean shutdown (and for --version/--help), 1 for a
 * bad command line or config, a failure to listen, a second SIGINT, or a
 * crash.
 */

/** How long a signal-initiated shutdown may take before the process gives up. */
const SHUTDOWN_WATCHDOG_MS = 30_000;

const version = akiVersion();

/** Writes to stdout (1) or stderr (2) synchronously: the process may exit right after. */
function print(fd: 1 | 2, message: string): void {
  writeAllSync(fd, Buffer.from(message.endsWith('\n') ? message : `${message}\n`, 'utf8'));
}

function fail(message: string): never {
  print(2, message);
  process.exit(1);
}

/** Parses the command line and reads every config source; exits on errors. */
function loadConfig(argv: readonly string[]): {
  config: ServerConfig;
  configFile: string | null;
  configFromStdin: boolean;
  warnings: string[];
} {
  let commandLine;
  try {
    commandLine = parseCommandLine(argv);
  } catch (err) {
    if (err instanceof UsageError) fail(`aki-server: ${err.message}\n\n${usage()}`);
    throw err;
  }
  if (commandLine.kind === 'version') {
    print(1, versionLine(version, REDIS_COMPAT_VERSION));
    process.exit(0);
  }
  if (commandLine.kind === 'help') {
    print(1, usage());
    process.exit(0);
  }

  const config = new ServerConfig();
  try {
    const stdinText = commandLine.configFromStdin ? readFileSync(0).toString('latin1') : null;
    const directives = collectDirectives({
      configFile: commandLine.configFile,
      stdinText,
      options: commandLine.options,
    });
    const warnings = applyDirectives(config, directives);
    const configFile = commandLine.configFile === null ? null : resolve(commandLine.configFile);
    return { config, configFile, configFromStdin: commandLine.configFromStdin, warnings };
  } catch (err) {
    if (err instanceof ConfigFileError) fail(formatConfigFileError(err, version));
    if (err instanceof ConfigReadError) fail(err.message);
    fail(`Fatal error, can't read the configuration: ${describeError(err)}`);
  }
}

async function main(argv: readonly string[]): Promise<never> {
  const { config, configFile, configFromStdin, warnings } = loadConfig(argv);

  let logging: Logging;
  try {
    logging = createLogging({
      format: config.get('log-format'),
      level: config.get('loglevel'),
      logfile: config.get('logfile'),
    });
  } catch (err) {
    fail(`Can't open the log file: ${describeError(err)}`);
  }
  const logger = logging.logger;
  const pidfile = config.get('pidfile');

  const exit = (code: number): never => {
    if (pidfile !== '') removePidFile(pidfile);
    logging.close();
    process.exit(code);
  };
  process.on('uncaughtException', (err) => {
    logger.fatal({ err }, 'Uncaught exception, exiting');
    exit(1);
  });
  process.on('unhandledRejection', (reason) => {
    logger.fatal({ err: reason }, 'Unhandled promise rejection, exiting');
    exit(1);
  });

  logBanner(logger, {
    version,
    redisVersion: REDIS_COMPAT_VERSION,
    pid: process.pid,
    port: config.get('port'),
    configSource: configFile ?? (configFromStdin ? 'stdin' : null),
  });
  for (const warning of warnings) logger.warn(warning);
  if (pidfile !== '') {
    const error = writePidFile(pidfile, process.pid);
    if (error !== null) logger.warn(`Failed to write PID file: ${error}`);
  }

  const server = new AkiServer({
    config,
    logger,
    version,
    // A failed AOF write under appendfsync always ends the process this way (pid file removed, logs flushed).
    exit,
    ...(configFile === null ? {} : { configFile }),
  });
  config.onChange('loglevel', (level) => logging.setLevel(level));

  handleShutdownSignals({
    logger,
    shutdown: (reason) => {
      setTimeout(() => {
        logger.warn('Shutdown is taking too long, exiting now.');
        exit(1);
      }, SHUTDOWN_WATCHDOG_MS).unref();
      void server.shutdown(reason);
    },
    exitNow: exit,
  });

  try {
    await server.start();
  } catch (err) {
    logger.error((err as Error).message);
    return exit(1);
  }
  logger.info(config.get('port') === 0 ? 'Ready to accept connections (TCP disabled: port 0)' : 'Ready to accept connections tcp');

  // The process lives until the server closes, even with nothing listening
  // (port 0) and no timer of the server's own keeping the event loop busy.
  const keepAlive = setInterval(() => {}, 1 << 30);
  const code = await server.closed;
  clearInterval(keepAlive);
  logger.warn('aki is now ready to exit, bye bye...');
  return exit(code);
}

await main(process.argv.slice(2));
