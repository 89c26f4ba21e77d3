import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // The examples run as they are documented: `npx vitest run examples/oc-client.test.ts`.
    include: ['test/**/*.test.ts', 'examples/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
