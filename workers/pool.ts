// The worker pool executor: spreads trading systems over a few workers (many portfolios share a
// worker, each with its own kernel instance), sends the compiled module and the bars once per worker,
// streams progress, and stops every worker at once on abort.
import { proxy, transfer } from 'comlink';
import { canShareMemory, packBars, type PackedBars } from '../src/data/pack.js';
import type { PortfolioSpec } from '../src/engine/spec.js';
import {
  abortError, defaultPoolSize, failureOf, type Executor, type ExecutorJob, type SystemFailure, type WorkerPoolOptions,
} from '../src/workflow/executor.js';
import type { SystemOutcome } from '../src/workflow/system.js';
import type { Spawn, SpawnedWorker } from './spawn.js';

/** Splits systems over n workers, largest first onto the least loaded (cost = symbols traded). */
export function assignSystems(systems: PortfolioSpec[], allSymbols: string[], n: number): number[][] {
  const load = new Array<number>(n).fill(0);
  const groups: number[][] = Array.from({ length: n }, () => []);
  const order = systems.map((s, i) => ({ i, cost: (s.symbols ?? allSymbols).length })).sort((a, b) => b.cost - a.cost || a.i - b.i);
  for (const { i, cost } of order) {
    let w = 0;
    for (let k = 1; k < n; k++) if (load[k] < load[w]) w = k;
    groups[w].push(i);
    load[w] += cost;
  }
  return groups.map((g) => g.sort((a, b) => a - b)).filter((g) => g.length > 0);
}

export class WorkerPool implements Executor {
  readonly kind = 'workers' as const;
  readonly size: number;
  private readonly workers: SpawnedWorker[] = [];
  private disposed = false;

  constructor(private readonly spawn: Spawn, options: WorkerPoolOptions = {}) {
    this.size = options.size ?? defaultPoolSize();
    if (!Number.isInteger(this.size) || this.size < 1) throw new RangeError(`worker pool size must be a whole number ≥ 1, got ${options.size}`);
  }

  private async worker(i: number): Promise<SpawnedWorker> {
    while (this.workers.length <= i) this.workers.push(await this.spawn());
    return this.workers[i];
  }

  async run(job: ExecutorJob): Promise<Array<SystemOutcome | SystemFailure>> {
    if (this.disposed) throw new Error('this worker pool has been disposed');
    if (job.signal?.aborted) throw abortError();
    const groups = assignSystems(job.systems, job.bars.symbols, this.size);
    const shared = canShareMemory();
    // Shared memory: one copy of the bars for every worker. Otherwise each worker gets a copy of just the
    // symbols its systems trade, transferred (the data distributor: no worker receives what it does not use).
    const sharedBars = shared ? packBars(job.bars, { shared: true }) : undefined;
    const results: Array<SystemOutcome | SystemFailure> = new Array(job.systems.length);
    let aborted = false;
    const abort = new Promise<never>((_, reject) => {
      const stop = () => {
        aborted = true;
        this.terminateAll();
        reject(abortError());
      };
      if (job.signal?.aborted) stop();
      job.signal?.addEventListener('abort', stop, { once: true });
    });
    abort.catch(() => {}); // observed below; avoids an unhandled rejection when the run finishes first
    const progress = job.onProgress && proxy((id: string, done: number, steps: number) => {
      if (!aborted) job.onProgress!(id, done, steps);
    });
    const runs = groups.map(async (group, w) => {
      const specs = group.map((i) => job.systems[i]);
      let packed: PackedBars;
      if (sharedBars) packed = sharedBars;
      else {
        const used = job.bars.symbols.filter((s) => specs.some((spec) => (spec.symbols ?? job.bars.symbols).includes(s)));
        packed = packBars(job.bars, { symbols: used.length ? used : job.bars.symbols });
      }
      const worker = await this.worker(w);
      const bars = shared ? packed : transfer(packed, [packed.buffer as ArrayBuffer]);
      const call = worker.api.run(job.module, bars, specs, { tracing: job.tracing, keep: job.keep, sliceSteps: job.sliceSteps }, progress);
      try {
        const out = await Promise.race([call, worker.died.then((e) => Promise.reject(e))]);
        group.forEach((i, k) => (results[i] = out[k]));
      } catch (e) {
        if (aborted) return;
        // The worker died: its systems fail, the other workers' systems are unaffected.
        group.forEach((i) => (results[i] = failureOf(job.systems[i], e)));
        this.replace(w);
      }
    });
    await Promise.race([Promise.all(runs), abort]);
    if (aborted) throw abortError();
    return results;
  }

  private replace(i: number): void {
    this.workers[i]?.terminate();
    this.workers.splice(i, 1);
  }

  private terminateAll(): void {
    for (const w of this.workers.splice(0)) w.terminate();
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    this.terminateAll();
  }
}
