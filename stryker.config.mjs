// Mutation testing (npm run mutation; not part of npm test or CI: on 2 cores the whole tree takes hours).
// Mutate one folder at a time: npm run mutation -- --mutate 'src/workflow/**/*.ts'
// Results: reports/mutation/mutation.html; reports/stryker-incremental.json lets a rerun test only
// the mutants whose code or tests changed.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  // Only the test files that import a mutated file run for it; MUTATION_RELATED=false runs them all
  // (for workers/portfolio-worker.ts, which runs in worker threads and which no test imports).
  vitest: { configFile: 'vitest.stryker.config.ts', related: process.env.MUTATION_RELATED !== 'false' },
  mutate: ['src/**/*.ts', 'workers/**/*.ts', '!src/**/*.d.ts', '!workers/**/*.d.ts'],
  // Type errors in mutants are not failures (web/'s decorators upset the preprocessor, so only these folders).
  disableTypeChecks: '{src,workers}/**/*.ts',
  coverageAnalysis: 'perTest',
  concurrency: 2,
  incremental: true,
  incrementalFile: 'reports/stryker-incremental.json',
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  timeoutMS: 60_000,
  timeoutFactor: 2,
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  thresholds: { high: 90, low: 80, break: null },
};
