// What a pool worker does (exposed by portfolio-worker.ts in browsers, node-worker.ts in Node): hosts one
// kernel instance per portfolio it is given, in sessions that advance in lockstep, with the same
// LocalSession the inline executor uses — which is what makes the executors give identical results.
import { transfer } from 'comlink';
import type { MetricsOptions } from '../src/analytics/metrics.js';
import { unpackBars, type PackedBars } from '../src/data/pack.js';
import type { PortfolioSpec, TracingLevel } from '../src/engine/spec.js';
import { KernelMemoryPool } from '../src/engine/wasm.js';
import { LocalSession, type CashMove, type SystemFailure } from '../src/workflow/executor.js';
import {
  fillBuffersOf, SystemAborted, systemScratch, transferablesOf, type FillColumns, type KeepOptions, type SystemOutcome, type SystemScratch, type SystemState,
} from '../src/workflow/system.js';

export interface WorkerRunOptions {
  tracing: TracingLevel;
  keep?: KeepOptions;
  metrics?: MetricsOptions;
  sliceSteps?: number;
}

export type ProgressCallback = (portfolioId: string, stepsDone: number, steps: number) => void;

/**
 * An outcome whose fills the worker holds until the run's `collectFills` (see `load`): `heldFills` is
 * their index in what that call returns.
 */
export type HeldOutcome = SystemOutcome & { heldFills?: number };

const sessions = new Map<number, LocalSession>();
/** runEach calls run one after another, in order of arrival (they share the run's scratch storage). */
let runEachQueue: Promise<unknown> = Promise.resolve();

/** Bars and module loaded for a queue-driven run (see the pool's run()). */
const loaded = new Map<number, {
  module: WebAssembly.Module;
  bars: ReturnType<typeof unpackBars>;
  scratch?: SystemScratch;
  /** Fills of this run's systems, kept back when the run holds them (see `load`). */
  held?: FillColumns[];
}>();
/** Kernel memories passed from each finished system to the next (runEach calls run one at a time). */
const memories = new KernelMemoryPool();

function session(id: number): LocalSession {
  const s = sessions.get(id);
  if (!s) throw new Error(`no session ${id} in this worker`);
  return s;
}

async function runEachNow(id: number, specs: PortfolioSpec[], options: WorkerRunOptions,
  progress?: ProgressCallback): Promise<Array<HeldOutcome | SystemFailure>> {
  const run = loaded.get(id);
  if (!run) throw new Error(`no bars loaded for run ${id} in this worker`);
  // One set of per-step arrays for every runEach call of this run (results are copied out anyway).
  run.scratch ??= systemScratch(run.bars.timestamps.length);
  const results = await LocalSession.runEach(run.module, run.bars, specs, {
    ...options, scratch: run.scratch, memories, onProgress: progress && ((pid, done, steps) => void progress(pid, done, steps)),
  });
  const { held } = run;
  const out: Array<HeldOutcome | SystemFailure> = results.map((r) => {
    if (!held || r.status !== 'ok' || !r.fills) return r;
    held.push(r.fills);
    return { ...r, fills: undefined, heldFills: held.length - 1 };
  });
  return transfer(out, out.flatMap((r) => (r.status === 'ok' ? transferablesOf(r) : [])));
}

export const workerApi = {
  /**
   * Keeps the module and bars of run `id` for the runEach calls that follow. With `holdFills`, the fills
   * of those systems stay here until `collectFills(id)` returns them all at once. A thread that receives
   * buffers one result at a time grows its external memory in many small steps, and V8 answers every
   * 64 MB of growth with a full collection of that thread's heap: on the thread that receives 100
   * results of 1M bars, about 20 of them per run, which stole a tenth of two workers' time. Received
   * at once, the same bytes cost one or two.
   */
  load(id: number, module: WebAssembly.Module, packed: PackedBars, holdFills = false): void {
    loaded.set(id, { module, bars: unpackBars(packed), held: holdFills ? [] : undefined });
  },
  /** The fills held for run `id`, in the order of the outcomes' `heldFills`, transferred. */
  collectFills(id: number): FillColumns[] {
    const run = loaded.get(id);
    if (!run?.held) throw new Error(`run ${id} holds no fills in this worker`);
    const { held } = run;
    run.held = [];
    return transfer(held, held.flatMap(fillBuffersOf));
  },
  unload(id: number): void {
    loaded.delete(id);
  },
  /**
   * Runs the systems one after another (one instance alive at a time); results are transferred back.
   * Calls that arrive while one runs wait for it (the pool keeps two in flight per worker).
   */
  runEach(id: number, specs: PortfolioSpec[], options: WorkerRunOptions,
    progress?: ProgressCallback): Promise<Array<HeldOutcome | SystemFailure>> {
    const result = runEachQueue.then(() => runEachNow(id, specs, options, progress));
    runEachQueue = result.catch(() => undefined);
    return result;
  },
  async open(id: number, module: WebAssembly.Module, packed: PackedBars, specs: PortfolioSpec[], options: WorkerRunOptions,
    progress?: ProgressCallback): Promise<void> {
    sessions.set(id, await LocalSession.open(module, unpackBars(packed), specs, {
      ...options, onProgress: progress && ((pid, done, steps) => void progress(pid, done, steps)),
    }));
  },
  advance(id: number, to: number): SystemState[] {
    try {
      return session(id).advance(to);
    } catch (e) {
      if (e instanceof SystemAborted) sessions.delete(id);
      throw e;
    }
  },
  adjust(id: number, moves: CashMove[]): void {
    session(id).adjust(moves);
  },
  /** Ends the session; results are transferred back (the worker keeps no copy). */
  finish(id: number): Array<SystemOutcome | SystemFailure> {
    const results = session(id).finish();
    sessions.delete(id);
    return transfer(results, results.flatMap((r) => (r.status === 'ok' ? transferablesOf(r) : [])));
  },
  close(id: number): void {
    sessions.delete(id);
  },
};

export type PortfolioWorkerApi = typeof workerApi;
