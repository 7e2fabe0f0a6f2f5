#!/usr/bin/env node
// `pnpm start`: runs the built aki-server on 127.0.0.1:6379 with its data in
// ./data (created if missing). Extra arguments are passed on to aki-server,
// e.g. `pnpm start -- --port 7000`.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const dataDir = path.join(root, 'data');
mkdirSync(dataDir, { recursive: true });

const binary = path.join(root, 'apps', 'aki-server', 'bin', 'aki-server');
const extra = process.argv.slice(2).filter((arg) => arg !== '--');
const child = spawn(
  process.execPath,
  [binary, '--port', '6379', '--bind', '127.0.0.1', '--dir', dataDir, ...extra],
  { stdio: 'inherit' },
);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => child.kill(signal));
}
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
