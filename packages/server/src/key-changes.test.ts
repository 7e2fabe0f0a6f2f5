import { describe, expect, it } from 'vitest';
import { allCommands } from './commands/all.js';
import { CommandTable } from './commands/table.js';
import { type KeyChangeObserver, reportWrittenKeys } from './key-changes.js';

const table = new CommandTable(allCommands);

/** What `reportWrittenKeys` reports for one effect recorded in database 0 of 16. */
function changes(...argv: string[]): string[] {
  const seen: string[] = [];
  const observer: KeyChangeObserver = {
    keyChanged: (db, key) => seen.push(`${db}:${key}`),
    databaseChanged: (db) => seen.push(`${db}:*`),
  };
  reportWrittenKeys(table, 16, 0, argv, observer);
  return seen;
}

describe('the keys an effect writes', () => {
  it('follows the key spec of the effect command', () => {
    expect(changes('SET', 'k', 'v')).toEqual(['0:k']);
    expect(changes('DEL', 'a', 'b', 'c')).toEqual(['0:a', '0:b', '0:c']);
    expect(changes('MSET', 'a', '1', 'b', '2')).toEqual(['0:a', '0:b']);
    expect(changes('RENAME', 'a', 'b')).toEqual(['0:a', '0:b']);
    expect(changes('PEXPIREAT', 'k', '123')).toEqual(['0:k']);
  });

  it('reports nothing for stream framing', () => {
    expect(changes('SELECT', '3')).toEqual([]);
    expect(changes('MULTI')).toEqual([]);
    expect(changes('EXEC')).toEqual([]);
  });

  it('reports whole databases for FLUSHDB, FLUSHALL and SWAPDB', () => {
    expect(changes('FLUSHDB')).toEqual(['0:*']);
    expect(changes('FLUSHALL')).toHaveLength(16);
    expect(changes('SWAPDB', '2', '5')).toEqual(['2:*', '5:*']);
  });

  it('reports both databases of MOVE and the target of COPY', () => {
    expect(changes('MOVE', 'k', '4')).toEqual(['0:k', '4:k']);
    expect(changes('COPY', 'src', 'dst')).toEqual(['0:dst']);
    expect(changes('COPY', 'src', 'dst', 'DB', '7', 'REPLACE')).toEqual(['7:dst']);
  });

  it('reports only the destination of the STORE commands', () => {
    expect(changes('SINTERSTORE', 'dst', 'a', 'b')).toEqual(['0:dst']);
    expect(changes('ZUNIONSTORE', 'dst', '2', 'a', 'b')).toEqual(['0:dst']);
  });

  it('ignores unknown names', () => {
    expect(changes('NOSUCHTHING', 'k')).toEqual([]);
  });
});
