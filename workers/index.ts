// The full foliolab entry (browsers and Node): the core library plus the worker pool, registered so
// runBacktest's executor 'workers' and 'auto' can use it. Edge runtimes import 'foliolab/core'.
import { registerWorkerPool, type WorkerPoolOptions } from '../src/workflow/executor.js';
import { WorkerPool } from './pool.js';
import { inBrowser, spawnBrowserWorker, spawnNodeWorker } from './spawn.js';

export * from '../src/index.js';
export { WorkerPool, assignSystems } from './pool.js';
export { disposeDefaultPool, WorkersUnavailable } from '../src/workflow/executor.js';

/**
 * A pool of workers for this platform; pass it as `executor` to reuse it across runs, then dispose it.
 * Runs without an executor of their own share a default pool (see `disposeDefaultPool`).
 */
export function createWorkerPool(options: WorkerPoolOptions = {}): WorkerPool {
  return new WorkerPool(inBrowser ? spawnBrowserWorker : spawnNodeWorker, options);
}

registerWorkerPool(createWorkerPool);
