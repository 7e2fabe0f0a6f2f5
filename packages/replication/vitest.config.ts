import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Unit tests run against the sibling packages' sources, so a change in
// resp-codec is seen without rebuilding its dist first.
const source = (pkg: string) => fileURLToPath(new URL(`../${pkg}/src/index.ts`, import.meta.url));

export default defineConfig({
  resolve: {
    alias: {
      '@aki/resp-codec': source('resp-codec'),
    },
  },
  test: {
    include: ['src/**/*.test.ts'],
  },
});
