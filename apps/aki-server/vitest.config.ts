import { defineConfig } from 'vitest/config';

// Two tiers: unit tests beside the code, and the black-box tier that spawns the
// built binary (test/) and talks to it over TCP. Servers are child processes, so
// the black-box tier runs in forked workers with generous timeouts.
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['src/**/*.test.ts'] } },
      {
        test: {
          name: 'blackbox',
          include: ['test/**/*.test.ts'],
          pool: 'forks',
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
    ],
  },
});
