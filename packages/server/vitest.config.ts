import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Unit tests run against the sibling packages' sources, so a change in
// keyspace or resp-codec is seen without rebuilding their dist first.
const source = (pkg: string) => fileURLToPath(new URL(`../${pkg}/src/index.ts`, import.meta.url));

export default defineConfig({
  resolve: {
    alias: {
      '@aki/keyspace': source('keyspace'),
      '@aki/resp-codec': source('resp-codec'),
      '@aki/aof-persistence': source('aof-persistence'),
      '@aki/replication': source('replication'),
    },
  },
  test: {
    include: ['src/**/*.test.ts'],
  },
});
