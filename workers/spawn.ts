// Starting one pool worker, per platform: a module Worker in browsers (this exact `new Worker(new URL(...))`
// form is what Vite bundles), a worker_thread in Node (with tsx's loader when running from source).
import { wrap, type Remote } from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import type { PortfolioWorkerApi } from './portfolio-worker.js';

export interface SpawnedWorker {
  api: Remote<PortfolioWorkerApi>;
  /** Resolves with an Error when the worker dies (crash, out of memory), never otherwise. */
  died: Promise<Error>;
  terminate(): void;
}

/**
 * `call`, or the worker's death if that comes first. Not a Promise.race with `died`: a promise that
 * never settles keeps every reaction added to it, and each would keep its call's scope (in the pool,
 * every result of every run) for as long as the worker lives. The reaction added here is dropped when
 * the call settles.
 */
export function unlessDead<T>(worker: { died: Promise<Error> }, call: Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const watch = deathWatchers.get(worker.died) ?? watchDeath(worker.died);
    watch.add(reject);
    call.then((value) => { watch.delete(reject); resolve(value); }, (error) => { watch.delete(reject); reject(error); });
  });
}

/** @internal Calls still waiting on this worker's death (0 once they have all settled). */
export function deathWatcherCount(worker: { died: Promise<Error> }): number {
  return deathWatchers.get(worker.died)?.size ?? 0;
}

/** Who is waiting on each worker's death: one reaction on `died`, however many calls. */
const deathWatchers = new WeakMap<Promise<Error>, Set<(error: Error) => void>>();

function watchDeath(died: Promise<Error>): Set<(error: Error) => void> {
  const watchers = new Set<(error: Error) => void>();
  deathWatchers.set(died, watchers);
  void died.then((error) => { for (const reject of watchers) reject(error); watchers.clear(); });
  return watchers;
}

export type Spawn = () => Promise<SpawnedWorker>;

export const inBrowser = typeof (globalThis as { window?: unknown }).window !== 'undefined' ||
  typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !== 'undefined';

export const spawnBrowserWorker: Spawn = async () => {
  const worker = new Worker(new URL('./portfolio-worker.ts', import.meta.url), { type: 'module' });
  const died = new Promise<Error>((resolve) => worker.addEventListener('error', (e) => resolve(new Error(`worker failed: ${e.message}`))));
  return { api: wrap<PortfolioWorkerApi>(worker), died, terminate: () => worker.terminate() };
};

interface NodeWorker {
  on(event: 'error' | 'exit', listener: (arg: unknown) => void): void;
  terminate(): Promise<number>;
}

export const spawnNodeWorker: Spawn = async () => {
  const threads = 'node:worker_threads'; // a variable, so browser bundles leave it alone
  const { Worker } = (await import(/* @vite-ignore */ threads)) as { Worker: new (url: URL, options: object) => NodeWorker };
  const entry = new URL('./portfolio-worker.ts', import.meta.url);
  const worker = entry.pathname.endsWith('.ts')
    ? new Worker(new URL('./node-bootstrap.mjs', import.meta.url), { workerData: { entry: entry.href } })
    : new Worker(entry, {});
  const died = new Promise<Error>((resolve) => {
    worker.on('error', (e) => resolve(e instanceof Error ? e : new Error(String(e))));
    worker.on('exit', (code) => resolve(new Error(`worker exited with code ${code}`)));
  });
  const api = wrap<PortfolioWorkerApi>(nodeEndpoint(worker as unknown as Parameters<typeof nodeEndpoint>[0]));
  return { api, died, terminate: () => void worker.terminate() };
};
