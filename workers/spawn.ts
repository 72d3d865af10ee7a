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
