// A Node worker pool whose workers misbehave on cue: a pool call that rejects while its worker lives on,
// or a worker that dies in the middle of a call. For the pool's failure paths (tests/integration/pool-failures).
import { WorkerPool } from '../../workers/pool.js';
import { spawnNodeWorker, type Spawn, type SpawnedWorker } from '../../workers/spawn.js';
import type { PortfolioWorkerApi } from '../../workers/worker-api.js';

type Method = keyof PortfolioWorkerApi;

/** What to do to a call: nothing, reject it (the worker stays alive) or kill the worker. */
export type Fault = 'reject' | 'die' | undefined;

/** Decides a fault from the spawn index of the worker, the method, its arguments and how often it was called. */
export type FaultPlan = (call: { worker: number; method: Method; args: unknown[]; count: number }) => Fault;

export interface FaultyPool {
  pool: WorkerPool;
  /** Workers killed by the plan. */
  deaths(): number;
  /** Calls the plan rejected. */
  rejections(): number;
  /** Spawn index of each worker slot's current worker, in spawn order. */
  spawned(): number;
}

export function faultyPool(size: number, plan: FaultPlan): FaultyPool {
  let spawned = 0;
  let deaths = 0;
  let rejections = 0;
  const spawn: Spawn = async () => {
    const index = spawned++; // before any await: the pool calls spawn for its slots in order
    const worker: SpawnedWorker = await spawnNodeWorker();
    const counts = new Map<string, number>();
    const api = new Proxy(worker.api, {
      get(target, key) {
        const real = Reflect.get(target, key);
        if (typeof key !== 'string' || key === 'then') return real;
        return (...args: unknown[]) => {
          const count = (counts.get(key) ?? 0) + 1;
          counts.set(key, count);
          const fault = plan({ worker: index, method: key as Method, args, count });
          if (fault === 'reject') {
            rejections++;
            return Promise.reject(new Error(`injected failure of ${key}`));
          }
          if (fault === 'die') {
            deaths++;
            worker.terminate();
            return new Promise(() => {}); // never answered: the pool learns of the death from `died`
          }
          return (real as (...a: unknown[]) => unknown)(...args);
        };
      },
    });
    return { ...worker, api };
  };
  return { pool: new WorkerPool(spawn, { size }), deaths: () => deaths, rejections: () => rejections, spawned: () => spawned };
}

/** The portfolio ids of a runEach call's specs (its second argument). */
export function runEachIds(args: unknown[]): string[] {
  return (args[1] as Array<{ portfolioId: string }>).map((s) => s.portfolioId);
}
