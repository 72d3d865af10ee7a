// Executors run trading systems: inline (this thread; edge runtimes, small runs) or a worker pool
// (workers/, registered at import so src/ never touches Worker or comlink). Both run the same
// runTradingSystem, so they give identical results.
import type { AlignedBars } from '../data/bars.js';
import type { PortfolioSpec, TracingLevel } from '../engine/spec.js';
import { runTradingSystem, SystemAborted, type KeepOptions, type SystemOutcome } from './system.js';

export interface SystemFailure {
  status: 'failed';
  portfolioId: string;
  namespace: string;
  error: string;
}

export interface ExecutorJob {
  module: WebAssembly.Module;
  bars: AlignedBars;
  systems: PortfolioSpec[];
  tracing: TracingLevel;
  keep?: KeepOptions;
  sliceSteps?: number;
  onProgress?: (portfolioId: string, stepsDone: number, steps: number) => void;
  signal?: AbortSignal;
}

/** Runs every system of a job; results come back in the order of `job.systems`. */
export interface Executor {
  readonly kind: 'inline' | 'workers';
  run(job: ExecutorJob): Promise<Array<SystemOutcome | SystemFailure>>;
  /** Releases workers and instances; an executor is unusable afterwards. */
  dispose(): Promise<void>;
}

export function abortError(): Error {
  return typeof DOMException === 'function' ? new DOMException('The backtest was aborted', 'AbortError') : Object.assign(new Error('The backtest was aborted'), { name: 'AbortError' });
}

export function failureOf(spec: PortfolioSpec, e: unknown): SystemFailure {
  return { status: 'failed', portfolioId: spec.portfolioId, namespace: spec.namespace, error: e instanceof Error ? e.message : String(e) };
}

/** Runs the systems one after another in this thread. */
export class InlineExecutor implements Executor {
  readonly kind = 'inline' as const;

  async run(job: ExecutorJob): Promise<Array<SystemOutcome | SystemFailure>> {
    const results: Array<SystemOutcome | SystemFailure> = [];
    for (const spec of job.systems) {
      if (job.signal?.aborted) throw abortError();
      try {
        results.push(await runTradingSystem(job.module, spec, job.bars, {
          tracing: job.tracing, keep: job.keep, sliceSteps: job.sliceSteps,
          onProgress: (done, steps) => job.onProgress?.(spec.portfolioId, done, steps),
          aborted: () => job.signal?.aborted ?? false,
        }));
      } catch (e) {
        if (e instanceof SystemAborted || job.signal?.aborted) throw abortError();
        results.push(failureOf(spec, e));
      }
    }
    return results;
  }

  async dispose(): Promise<void> {}
}

export interface WorkerPoolOptions {
  /** Number of workers; default clamp(hardwareConcurrency − 1, 1, 4). */
  size?: number;
}

type PoolFactory = (options: WorkerPoolOptions) => Executor;
let poolFactory: PoolFactory | undefined;

/** Called by workers/ when it is imported; makes executor 'workers' (and 'auto') available. */
export function registerWorkerPool(factory: PoolFactory): void {
  poolFactory = factory;
}

export function workerPoolAvailable(): boolean {
  return poolFactory !== undefined;
}

export function createRegisteredPool(options: WorkerPoolOptions = {}): Executor {
  if (!poolFactory) {
    throw new Error("executor 'workers' needs the worker pool: import 'foliolab' (not 'foliolab/core'), or pass an Executor");
  }
  return poolFactory(options);
}

/** Default pool size: one core left for the page or the main thread, at most 4. */
export function defaultPoolSize(): number {
  const cores = typeof navigator !== 'undefined' && navigator.hardwareConcurrency ? navigator.hardwareConcurrency : 2;
  return Math.min(4, Math.max(1, cores - 1));
}
