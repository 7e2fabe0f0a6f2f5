import type { Logger } from 'pino';

export interface SignalOptions {
  logger: Logger;
  /** Starts a graceful shutdown; the caller exits once the server has closed. */
  shutdown: (reason: string) => void;
  /** Exits at once (second SIGINT). */
  exitNow: (code: number) => void;
  /** The process to listen on (tests pass an EventEmitter). */
  target?: Pick<NodeJS.Process, 'on' | 'off'>;
}

/**
 * SIGTERM and SIGINT start a graceful shutdown, as in Redis. A second SIGINT
 * while it runs gives up waiting and exits 1 ("You insist..."). Returns a
 * function that removes the handlers.
 */
export function handleShutdownSignals(options: SignalOptions): () => void {
  const target = options.target ?? process;
  let shuttingDown = false;
  const onSignal = (signal: 'SIGTERM' | 'SIGINT') => {
    if (shuttingDown && signal === 'SIGINT') {
      options.logger.warn('You insist... exiting now.');
      options.exitNow(1);
      return;
    }
    options.logger.warn(`Received ${signal} scheduling shutdown...`);
    if (shuttingDown) return;
    shuttingDown = true;
    options.shutdown('User requested shutdown...');
  };
  const onTerm = () => onSignal('SIGTERM');
  const onInt = () => onSignal('SIGINT');
  target.on('SIGTERM', onTerm);
  target.on('SIGINT', onInt);
  return () => {
    target.off('SIGTERM', onTerm);
    target.off('SIGINT', onInt);
  };
}
