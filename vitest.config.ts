import { defineConfig } from 'vitest/config';

// One run covers unit tests (next to the code), integration tests (test/) and the
// browser end-to-end test (test/e2e). Two workers: this machine has two cores.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    globalSetup: ['test/global-setup.ts'],
    setupFiles: ['test/setup-no-network.ts'],
  },
});
