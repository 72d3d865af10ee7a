// Mutation runs only: passes Stryker's active mutant to worker threads. Stryker activates a mutant in
// the test thread's globals; a pool worker is a new thread with its own globals, whose instrumented code
// reads the mutant from this environment variable instead (threads copy process.env when they start).
import { beforeAll } from 'vitest';

beforeAll(() => {
  const active = (globalThis as { __stryker__?: { activeMutant?: string | number } }).__stryker__?.activeMutant;
  if (active === undefined) delete process.env.__STRYKER_ACTIVE_MUTANT__;
  else process.env.__STRYKER_ACTIVE_MUTANT__ = String(active);
});
