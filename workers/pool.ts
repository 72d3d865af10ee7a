// The worker pool executor: spreads trading systems over a few workers (many portfolios share a worker,
// each with its own kernel instance), sends the compiled module and the bars once per worker, advances
// every worker in lockstep when capital has to move, streams progress, and stops every worker on abort.
import { proxy, transfer } from 'comlink';
import { canShareMemory, packBars, type PackedBars } from '../src/data/pack.js';
import type { PortfolioSpec } from '../src/engine/spec.js';
import {
  abortError, defaultPoolSize, failureOf, WorkersUnavailable, type CashMove, type Executor, type ExecutorJob, type ExecutorSession,
  type SystemFailure, type WorkerPoolOptions,
} from '../src/workflow/executor.js';
import type { SystemOutcome, SystemState } from '../src/workflow/system.js';
import type { HeldOutcome } from './worker-api.js';
import { unlessDead, type Spawn, type SpawnedWorker } from './spawn.js';

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

let nextSession = 1;

export class WorkerPool implements Executor {
  readonly kind = 'workers' as const;
  readonly size: number;
  /** Workers by index, as promises so concurrent sessions never spawn the same one twice. */
  private readonly workers: Array<Promise<SpawnedWorker> | undefined> = [];
  private disposed = false;
  private readonly idleMs: number | undefined;
  /** Runs and lockstep sessions in progress: while any is, the workers keep a Node process alive. */
  private busy = 0;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  /** Workers that have answered a call: a worker that dies before its first answer never started. */
  private readonly started = new WeakSet<SpawnedWorker>();

  constructor(private readonly spawn: Spawn, options: WorkerPoolOptions = {}) {
    this.size = options.size ?? defaultPoolSize();
    if (!Number.isInteger(this.size) || this.size < 1) throw new RangeError(`worker pool size must be a whole number ≥ 1, got ${options.size}`);
    if (options.idleMs !== undefined && !(options.idleMs >= 0)) throw new RangeError(`idleMs must be ≥ 0, got ${options.idleMs}`);
    this.idleMs = options.idleMs;
  }

  private worker(i: number): Promise<SpawnedWorker> {
    return (this.workers[i] ??= this.spawn().then((worker) => {
      worker.hold?.(this.busy > 0);
      return worker;
    }));
  }

  /** Marks the start of a run; returns its end, which lets the workers go idle once nothing else runs. */
  private enter(): () => void {
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    if (this.busy++ === 0) this.holdAll(true);
    let left = false;
    return () => {
      if (left) return;
      left = true;
      if (--this.busy > 0) return;
      this.holdAll(false);
      if (this.idleMs === undefined || this.disposed) return;
      this.idleTimer = setTimeout(() => {
        if (this.busy > 0) return;
        for (let w = 0; w < this.workers.length; w++) this.drop(w);
      }, this.idleMs);
      (this.idleTimer as { unref?: () => void }).unref?.(); // an idle pool never keeps Node alive
    };
  }

  private holdAll(busy: boolean): void {
    for (const worker of this.workers) void worker?.then((w) => w.hold?.(busy), () => {});
  }

  /**
   * Without capital moves there is no lockstep: the bars go to each worker once, then every worker takes
   * the next system from a shared queue as soon as it is free (systems differ in cost; a static split
   * would leave one worker idle). Each worker has two requests in flight, so the next system is already
   * waiting when one ends (the worker runs them one after the other: one instance alive at a time).
   */
  async run(job: ExecutorJob): Promise<Array<SystemOutcome | SystemFailure>> {
    const leave = this.enter();
    try {
      return await this.runQueued(job);
    } finally {
      leave();
    }
  }

  private async runQueued(job: ExecutorJob): Promise<Array<SystemOutcome | SystemFailure>> {
    const id = nextSession++;
    const all = [job.systems.map((_, i) => i)];
    const workers = Math.min(this.size, job.systems.length);
    const { each, barsFor, progress, noneStarted } = await this.prepare(job, Array.from({ length: workers }, () => all[0]));
    const results: Array<SystemOutcome | SystemFailure> = new Array(job.systems.length);
    // With two workers or more, fills stay in each worker until its queue is done, then come over in one
    // message per worker (see the worker's load()); heldBy[i] is the worker holding system i's fills. One
    // worker leaves a core to this thread, where taking results as they come costs nothing, while taking
    // them all at the end is a tail the run waits for (~2% of a 100-system run).
    const holdFills = (job.keep?.fills ?? true) && workers > 1;
    const options = { tracing: job.tracing, keep: job.keep, metrics: job.metrics, sliceSteps: job.sliceSteps };
    await each((worker, w) => worker.api.load(id, job.module, barsFor(w), holdFills));
    noneStarted();
    try {
      let queue = job.systems.map((_, i) => i);
      for (let round = 0; queue.length > 0 && round < 2; round++) {
        const heldBy = new Map<number, number>();
        let next = 0;
        const take = async (worker: SpawnedWorker, w: number) => {
          for (let k = next++; k < queue.length; k = next++) {
            const i = queue[k];
            try {
              // unlessDead: a call in flight when its worker dies fails with the death, not 'no worker left'.
              const [outcome] = await unlessDead(worker, worker.api.runEach(id, [job.systems[i]], options, progress));
              results[i] = outcome;
              if (outcome.status === 'ok' && outcome.heldFills !== undefined) heldBy.set(i, w);
            } catch (e) {
              results[i] = failureOf(job.systems[i], e);
              // A call can fail while its worker lives on (e.g. no memory for that one system): only that
              // system fails. A dead or silent worker stops its loops; the others take the rest of the queue.
              if (!(await isResponsive(worker))) throw e;
            }
          }
        };
        // Each worker hands over its fills as soon as its part of the queue is done, while the others
        // finish theirs.
        const held = await each(async (worker, w) => {
          await Promise.all([take(worker, w), take(worker, w)]);
          return holdFills ? worker.api.collectFills(id) : [];
        });
        if (heldBy.size === 0) break;
        // A worker that died after running systems took their fills with it: those run again (once) on
        // the workers left. The system that was running when it died is a failure, as above.
        queue = [];
        for (const [i, w] of heldBy) {
          const { heldFills, ...outcome } = results[i] as HeldOutcome;
          const fills = held[w]?.[heldFills!];
          if (fills) results[i] = { ...outcome, fills };
          else {
            results[i] = failureOf(job.systems[i], new Error('its worker stopped before returning its fills'));
            queue.push(i);
          }
        }
      }
    } finally {
      await each((worker) => worker.api.unload(id)).catch(() => {});
    }
    // Systems a dead worker had taken are failures already; any never started (all workers died) too.
    for (let i = 0; i < job.systems.length; i++) results[i] ??= failureOf(job.systems[i], new Error('no worker left to run it'));
    return results;
  }

  /** Lockstep sessions, for runs that move capital between portfolios. */
  async open(job: ExecutorJob): Promise<ExecutorSession> {
    const leave = this.enter();
    // A session that throws is over (the caller does not go on with it); one that finishes, too.
    const ending = <A extends unknown[], T>(call: (...args: A) => Promise<T>, last = false) => async (...args: A): Promise<T> => {
      try {
        return await call(...args);
      } catch (e) {
        leave();
        throw e;
      } finally {
        if (last) leave();
      }
    };
    return ending(async () => {
      const id = nextSession++;
      const groups = assignSystems(job.systems, job.bars.symbols, this.size);
      const { each, failed, barsFor, progress, noneStarted } = await this.prepare(job, groups);
      await each((worker, w) => worker.api.open(id, job.module, barsFor(w), groups[w].map((i) => job.systems[i]),
        { tracing: job.tracing, keep: job.keep, metrics: job.metrics, sliceSteps: job.sliceSteps }, progress));
      noneStarted();
      const ownerOf = new Map<string, number>();
      groups.forEach((g, w) => g.forEach((i) => ownerOf.set(job.systems[i].portfolioId, w)));
      return {
        advance: ending(async (to: number): Promise<SystemState[]> => (await each((worker) => worker.api.advance(id, to))).flatMap((s) => s ?? [])),
        adjust: ending(async (moves: CashMove[]): Promise<void> => {
          await each((worker, w) => worker.api.adjust(id, moves.filter((m) => ownerOf.get(m.portfolioId) === w)));
        }),
        finish: ending(async () => {
          const outcomes = await each((worker) => worker.api.finish(id));
          const results: Array<SystemOutcome | SystemFailure> = new Array(job.systems.length);
          groups.forEach((g, w) => g.forEach((i, k) => (results[i] = failed.get(i) ?? outcomes[w]![k])));
          return results;
        }, true),
      };
    })();
  }

  /**
   * Bars for each worker, progress relay, abort wiring and the guarded fan-out call, for workers that
   * will run the given groups of systems (indices into job.systems).
   */
  private async prepare(job: ExecutorJob, groups: number[][]) {
    if (this.disposed) throw new Error('this worker pool has been disposed');
    if (job.signal?.aborted) throw abortError();
    // Shared memory: one copy of the bars for every worker. Otherwise each worker gets a copy of just the
    // symbols its systems trade, transferred (no worker receives data it does not use).
    const shared = canShareMemory() ? packBars(job.bars, { shared: true }) : undefined;
    const failed = new Map<number, SystemFailure>();
    const alive = new Set(groups.map((_, w) => w));
    let aborted = false;

    const abort = new Promise<never>((_, reject) => {
      const stop = () => {
        aborted = true;
        for (let w = 0; w < this.workers.length; w++) this.drop(w);
        reject(abortError());
      };
      if (job.signal?.aborted) stop();
      job.signal?.addEventListener('abort', stop, { once: true });
    });
    abort.catch(() => {}); // observed by every call below; silences the unhandled rejection otherwise
    const progress = job.onProgress && proxy((pid: string, done: number, steps: number) => {
      if (!aborted) job.onProgress!(pid, done, steps);
    });

    /** Calls every live worker; a worker that dies takes only its own systems with it. */
    let startError: unknown;
    const each = async <T>(call: (worker: SpawnedWorker, w: number) => Promise<T>): Promise<Array<T | undefined>> => {
      const out = await Promise.race([Promise.all([...alive].map(async (w) => {
        let worker: SpawnedWorker | undefined;
        try {
          worker = await this.worker(w);
          const value = await unlessDead(worker, call(worker, w));
          this.started.add(worker);
          return [w, value] as const;
        } catch (e) {
          if (aborted) return [w, undefined] as const;
          if ((e as Error).name === 'AbortError') throw e;
          if (!worker || !this.started.has(worker)) startError ??= e;
          for (const i of groups[w]) if (!failed.has(i)) failed.set(i, failureOf(job.systems[i], e));
          alive.delete(w);
          if (!worker || !(await isResponsive(worker))) this.drop(w);
          return [w, undefined] as const;
        }
      })), abort]);
      if (aborted) throw abortError();
      const byWorker: Array<T | undefined> = [];
      for (const [w, value] of out) byWorker[w] = value;
      return byWorker;
    };

    const barsFor = (w: number): PackedBars => {
      if (shared) return shared;
      const specs = groups[w].map((i) => job.systems[i]);
      const used = job.bars.symbols.filter((s) => specs.some((spec) => (spec.symbols ?? job.bars.symbols).includes(s)));
      const packed = packBars(job.bars, { symbols: used.length ? used : job.bars.symbols });
      return transfer(packed, [packed.buffer as ArrayBuffer]);
    };
    /** After the first call to every worker: throws WorkersUnavailable when not one of them started. */
    const noneStarted = () => {
      if (alive.size > 0) return;
      const reason = startError instanceof Error ? startError.message : String(startError ?? 'no worker answered');
      throw new WorkersUnavailable(reason);
    };
    return { each, groups, failed, barsFor, progress, noneStarted };
  }

  private drop(w: number): void {
    void this.workers[w]?.then((worker) => worker.terminate(), () => {});
    this.workers[w] = undefined;
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    clearTimeout(this.idleTimer);
    for (let w = 0; w < this.workers.length; w++) this.drop(w);
  }
}

/** A worker that answers after a failed call is still usable (the failure was the call's, not the worker's). */
async function isResponsive(worker: SpawnedWorker): Promise<boolean> {
  const timeout = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 1_000));
  const alive = worker.api.close(-1).then(() => true, () => false);
  return Promise.race([unlessDead(worker, alive), timeout]).catch(() => false);
}
