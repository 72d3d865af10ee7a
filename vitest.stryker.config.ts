// The test run Stryker drives (npm run mutation): the Node tests only, in one project. Stryker's vitest
// runner cannot drive the browser project, and the workerd test starts a second runtime it cannot see into.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // MUTATION_TESTS (comma-separated globs) narrows the run, for code no test imports (see docs/testing.md).
    include: process.env.MUTATION_TESTS?.split(',') ?? ['tests/unit/**/*.test.ts', 'tests/integration/**/*.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Hands the active mutant to the worker threads the pool tests start (see the file).
    setupFiles: ['tests/mutation/worker-mutant.ts'],
  },
});
