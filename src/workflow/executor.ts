// Executors run trading systems: inline (this thread; edge runtimes, small runs) or a worker pool
// (workers/, registered at import so src/ never touches Worker or comlink). Both run the same
// runTradingSystem, so they give identical results.
import type { AlignedBars } from '../data/bars.js';
import type { PortfolioSpec, TracingLevel } from '../engine/spec.js';
import { KernelMemoryPool } from '../engine/wasm.js';
import type { MetricsOptions } from '../analytics/metrics.js';
import { SystemAborted, systemScratch, TradingSystem, type KeepOptions, type SystemScratch, type SystemOutcome, type SystemRunOptions, type SystemState } from './system.js';

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
  metrics?: MetricsOptions;
  sliceSteps?: number;
  onProgress?: (portfolioId: string, stepsDone: number, steps: number) => void;
  signal?: AbortSignal;
}

export function abortError(): Error {
  return typeof DOMException === 'function' ? new DOMException('The backtest was aborted', 'AbortError') : Object.assign(new Error('The backtest was aborted'), { name: 'AbortError' });
}

export function failureOf(spec: PortfolioSpec, e: unknown): SystemFailure {
  return { status: 'failed', portfolioId: spec.portfolioId, namespace: spec.namespace, error: e instanceof Error ? e.message : String(e) };
}

/** A capital move for one portfolio at the close of the last step run. */
export interface CashMove {
  portfolioId: string;
  amount: number;
}

/**
 * Live systems advancing in lockstep: advance all to a step, read their equity and cash, move capital,
 * go on. `finish` returns every system's result (failures included) in the order of `job.systems`.
 */
export interface ExecutorSession {
  advance(to: number): Promise<SystemState[]>;
  adjust(moves: CashMove[]): Promise<void>;
  finish(): Promise<Array<SystemOutcome | SystemFailure>>;
}

export interface Executor {
  readonly kind: 'inline' | 'workers';
  /** Creates every system of the job (a system that cannot start is kept as a failure). */
  open(job: ExecutorJob): Promise<ExecutorSession>;
  /**
   * Runs every system to the end, one instance alive at a time per thread; results come back in the
   * order of `job.systems`.
   */
  run(job: ExecutorJob): Promise<Array<SystemOutcome | SystemFailure>>;
  /** Releases workers and instances; an executor is unusable afterwards. */
  dispose(): Promise<void>;
}

/** How a thread runs its systems (what LocalSession needs from a job). */
export interface LocalRunOptions {
  tracing: TracingLevel;
  keep?: KeepOptions;
  metrics?: MetricsOptions;
  sliceSteps?: number;
  onProgress?: ExecutorJob['onProgress'];
  aborted?: () => boolean;
  /** Storage for runEach to reuse across its systems (made by runEach when absent). */
  scratch?: SystemScratch;
  /** Linear memories for runEach to pass from one finished system to the next (made by runEach when absent). */
  memories?: KernelMemoryPool;
}

/** One system's run options, with progress reported under its portfolio id. */
function systemOptions(spec: PortfolioSpec, options: LocalRunOptions): SystemRunOptions {
  return {
    tracing: options.tracing, keep: options.keep, metrics: options.metrics, sliceSteps: options.sliceSteps, aborted: options.aborted,
    onProgress: options.onProgress && ((done, steps) => options.onProgress!(spec.portfolioId, done, steps)),
  };
}

/**
 * The systems of one thread (inline, or inside one worker): a system that throws becomes a failure and
 * leaves the session; the others go on.
 */
export class LocalSession {
  private readonly live = new Map<string, TradingSystem>();
  private readonly failed = new Map<string, SystemFailure>();

  private constructor(private readonly specs: PortfolioSpec[]) {}

  static async open(module: WebAssembly.Module, bars: AlignedBars, specs: PortfolioSpec[],
    options: LocalRunOptions): Promise<LocalSession> {
    const session = new LocalSession(specs);
    for (const spec of specs) {
      try {
        session.live.set(spec.portfolioId, await TradingSystem.create(module, spec, bars, systemOptions(spec, options)));
      } catch (e) {
        session.failed.set(spec.portfolioId, failureOf(spec, e));
      }
    }
    return session;
  }

  /**
   * Runs each system from start to end before creating the next, so only one instance is alive at a
   * time: what a run without capital moves needs. When the kept series are sampled, every system writes
   * its per-step outputs to the same scratch arrays.
   */
  static async runEach(module: WebAssembly.Module, bars: AlignedBars, specs: PortfolioSpec[],
    options: LocalRunOptions): Promise<Array<SystemOutcome | SystemFailure>> {
    const results: Array<SystemOutcome | SystemFailure> = [];
    // Every-step series that are kept need arrays of their own; sampled ones can share scratch storage.
    const everyStep = (options.keep?.equity ?? 'bar') === 'bar';
    const scratch = everyStep ? undefined : options.scratch ?? systemScratch(bars.timestamps.length);
    const memories = options.memories ?? new KernelMemoryPool();
    for (const spec of specs) {
      try {
        const system = await TradingSystem.create(module, spec, bars, { ...systemOptions(spec, options), scratch, memories });
        system.advance(bars.timestamps.length);
        results.push(system.finish());
      } catch (e) {
        if (e instanceof SystemAborted) throw e;
        results.push(failureOf(spec, e));
      }
    }
    return results;
  }

  advance(to: number): SystemState[] {
    const states: SystemState[] = [];
    for (const [id, system] of this.live) {
      try {
        system.advance(to);
        states.push(system.state());
      } catch (e) {
        if (e instanceof SystemAborted) throw e;
        this.live.delete(id);
        this.failed.set(id, failureOf(system.spec, e));
      }
    }
    return states;
  }

  adjust(moves: CashMove[]): void {
    for (const move of moves) this.live.get(move.portfolioId)?.adjustCash(move.amount);
  }

  finish(): Array<SystemOutcome | SystemFailure> {
    return this.specs.map((spec) => {
      const system = this.live.get(spec.portfolioId);
      if (!system) return this.failed.get(spec.portfolioId)!;
      try {
        return system.finish();
      } catch (e) {
        return failureOf(spec, e);
      }
    });
  }
}

/** Runs the systems in this thread. */
export class InlineExecutor implements Executor {
  readonly kind = 'inline' as const;

  async open(job: ExecutorJob): Promise<ExecutorSession> {
    const aborted = () => job.signal?.aborted ?? false;
    const local = await LocalSession.open(job.module, job.bars, job.systems, { ...job, aborted });
    const check = <T>(fn: () => T): T => {
      if (aborted()) throw abortError();
      try {
        return fn();
      } catch (e) {
        throw e instanceof SystemAborted ? abortError() : e;
      }
    };
    return {
      advance: async (to) => check(() => local.advance(to)),
      adjust: async (moves) => check(() => local.adjust(moves)),
      finish: async () => check(() => local.finish()),
    };
  }

  async run(job: ExecutorJob): Promise<Array<SystemOutcome | SystemFailure>> {
    if (job.signal?.aborted) throw abortError();
    try {
      return await LocalSession.runEach(job.module, job.bars, job.systems, { ...job, aborted: () => job.signal?.aborted ?? false });
    } catch (e) {
      throw e instanceof SystemAborted || job.signal?.aborted ? abortError() : e;
    }
  }

  async dispose(): Promise<void> {}
}

export interface WorkerPoolOptions {
  /** Number of workers; default clamp(hardwareConcurrency − 1, 1, 4). */
  size?: number;
  /**
   * Milliseconds without work after which the workers are stopped (the pool stays usable and starts
   * them again on the next run). Default: never, for pools you create; 30 s for the default pool.
   */
  idleMs?: number;
}

/** No worker of a pool could start (blocked by a CSP, a missing worker file, no Worker at all). */
export class WorkersUnavailable extends Error {
  override name = 'WorkersUnavailable';
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

/** How long the default pool keeps idle workers. */
export const DEFAULT_POOL_IDLE_MS = 30_000;

/** The default pools, by size: what `executor: 'workers' | 'auto'` reuse from one run to the next. */
const defaultPools = new Map<number, Executor>();
/** Why workers could not start, once they could not: later runs go inline at once. */
let workersUnavailable: string | undefined;

/**
 * The default worker pool of a size (default `defaultPoolSize()`), made on first use and shared by every
 * run that does not pass its own executor. Its workers stop after `DEFAULT_POOL_IDLE_MS` without work
 * and never keep a Node process alive while idle; `disposeDefaultPool()` stops them at once.
 */
export function defaultWorkerPool(size = defaultPoolSize()): Executor {
  let pool = defaultPools.get(size);
  if (!pool) defaultPools.set(size, (pool = createRegisteredPool({ size, idleMs: DEFAULT_POOL_IDLE_MS })));
  return pool;
}

/** Stops the default pools' workers now (a later run starts new ones, and tries workers again). */
export async function disposeDefaultPool(): Promise<void> {
  const pools = [...defaultPools.values()];
  defaultPools.clear();
  workersUnavailable = undefined;
  await Promise.all(pools.map((p) => p.dispose()));
}

/** @internal Remembers that workers cannot start here, so later runs go inline without trying. */
export function markWorkersUnavailable(reason: string | undefined): void {
  workersUnavailable = reason;
}

/** @internal Why workers cannot start in this context, if they could not before. */
export function workersUnavailableReason(): string | undefined {
  return workersUnavailable;
}

/**
 * Default pool size, at most 4: in a browser one core is left to the page; in Node the main thread only
 * waits for the workers, so every core works (Node 20 has no `navigator`: 2 cores are assumed there).
 */
export function defaultPoolSize(): number {
  const cores = typeof navigator !== 'undefined' && navigator.hardwareConcurrency ? navigator.hardwareConcurrency : 2;
  const inNode = typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === 'string' &&
    typeof (globalThis as { window?: unknown }).window === 'undefined';
  return Math.min(4, Math.max(1, inNode ? cores : cores - 1));
}
