import { EventEmitter } from 'node:events';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { handleShutdownSignals } from './signals.js';

function setup() {
  const lines: string[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line).msg) });
  const target = new EventEmitter();
  const shutdowns: string[] = [];
  const exits: number[] = [];
  const dispose = handleShutdownSignals({
    logger,
    shutdown: (reason) => shutdowns.push(reason),
    exitNow: (code) => exits.push(code),
    target: target as unknown as NodeJS.Process,
  });
  return { lines, target, shutdowns, exits, dispose };
}

describe('handleShutdownSignals', () => {
  it('shuts down gracefully on SIGTERM, once', () => {
    const { lines, target, shutdowns, exits } = setup();
    target.emit('SIGTERM');
    target.emit('SIGTERM');
    expect(lines).toEqual(['Received SIGTERM scheduling shutdown...', 'Received SIGTERM scheduling shutdown...']);
    expect(shutdowns).toEqual(['User requested shutdown...']);
    expect(exits).toEqual([]);
  });

  it('exits at once on a second SIGINT', () => {
    const { lines, target, shutdowns, exits } = setup();
    target.emit('SIGINT');
    target.emit('SIGINT');
    expect(lines).toEqual(['Received SIGINT scheduling shutdown...', 'You insist... exiting now.']);
    expect(shutdowns).toHaveLength(1);
    expect(exits).toEqual([1]);
  });

  it('can be removed', () => {
    const { target, shutdowns, dispose } = setup();
    dispose();
    target.emit('SIGTERM');
    expect(shutdowns).toEqual([]);
  });
});
