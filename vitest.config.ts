import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // rebuilds the kernel and the host first when their sources are newer (test/support/build.ts)
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    // the machine has two cores; the large-file and CLI tests spawn processes
    maxWorkers: 2,
  },
});
