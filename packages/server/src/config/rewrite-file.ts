import { readFileSync, realpathSync } from 'node:fs';
import { readLatin1, type ReadText } from './config-text.js';
import { replaceFileSync } from './replace-file.js';
import { rewriteConfigText } from './rewrite.js';
import type { ServerConfig } from './server-config.js';

/**
 * CONFIG REWRITE's file work: reads the config file at `path` (a missing one
 * counts as empty, as in Redis), computes its new text (rewriteConfigText)
 * and replaces it atomically and durably (replaceFileSync). A symbolic link
 * stays a link: the file it points to is rewritten. Throws the system error
 * of the first step that failed.
 */
export function rewriteConfigFile(path: string, live: ServerConfig, readText: ReadText = readLatin1): void {
  let target = path;
  let text = '';
  try {
    target = realpathSync(path);
    text = readFileSync(target, 'latin1');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  replaceFileSync(target, Buffer.from(rewriteConfigText(text, live, readText), 'latin1'));
}
