// Starting one pool worker, per platform: a module Worker in browsers (the `new Worker(new URL(...))` form
// is what bundlers rewrite; from another origin, through a blob URL), a worker_thread in Node (with tsx's
// loader when running from source).
import { wrap, type Remote } from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import type { PortfolioWorkerApi } from './worker-api.js';

export interface SpawnedWorker {
  api: Remote<PortfolioWorkerApi>;
  /** Resolves with an Error when the worker dies (crash, out of memory), never otherwise. */
  died: Promise<Error>;
  terminate(): void;
  /**
   * Node only: whether the worker keeps the process alive. The pool holds its workers while calls are in
   * flight and lets go when idle, so a script that never disposes the default pool still exits.
   */
  hold?(busy: boolean): void;
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

/**
 * `Worker`, except that a script of another origin (a CDN, a bundle whose `base` is one) is started
 * through a same-origin blob that imports it: browsers refuse `new Worker(url)` across origins with a
 * SecurityError, but a module worker may import a cross-origin module (CORS applies, as for any script).
 */
function crossOriginWorker(): typeof globalThis.Worker {
  // `globalThis.Worker`, not `Worker`: a free `Worker` in this module would make bundlers rename the
  // local `Worker` below, and the `new Worker(new URL(…))` text they look for would be gone.
  return (CrossOriginWorker ??= class extends globalThis.Worker {
    constructor(url: URL | string, options?: WorkerOptions) {
      const href = String(url);
      if (!isCrossOrigin(href)) {
        super(url, options);
      } else {
        const loader = new Blob([`import ${JSON.stringify(href)};`], { type: 'text/javascript' });
        super(URL.createObjectURL(loader), { ...options, type: 'module' });
      }
    }
  });
}

/** Made on first use: `Worker` does not exist at module load in Node or workerd. */
let CrossOriginWorker: typeof globalThis.Worker | undefined;

function isCrossOrigin(href: string): boolean {
  const here = (globalThis as { location?: { origin: string } }).location?.origin;
  if (here === undefined || here === 'null' || /^(blob|data):/.test(href)) return false;
  return new URL(href, here).origin !== here;
}

export const spawnBrowserWorker: Spawn = async () => {
  // A local `Worker`: bundlers (Vite, webpack, Parcel) recognise `new Worker(new URL('…', import.meta.url))`
  // by its text, bundle the worker and put its URL here; the class behind the name is ours.
  const Worker = crossOriginWorker();
  const worker = new Worker(new URL('./portfolio-worker.ts', import.meta.url), { type: 'module' });
  const died = new Promise<Error>((resolve) => worker.addEventListener('error', (e) => {
    e.preventDefault();
    resolve(new Error(`worker failed: ${e.message || 'it could not be loaded'}`));
  }));
  return { api: wrap<PortfolioWorkerApi>(worker), died, terminate: () => worker.terminate() };
};

interface NodeWorker {
  on(event: 'error' | 'exit', listener: (arg: unknown) => void): void;
  terminate(): Promise<number>;
  ref(): void;
  unref(): void;
}

export const spawnNodeWorker: Spawn = async () => {
  const threads = 'node:worker_threads'; // a variable, so browser bundles leave it alone
  const { Worker: Thread } = (await import(/* @vite-ignore */ threads)) as { Worker: new (url: URL, options: object) => NodeWorker };
  const entry = new URL('./node-worker.ts', import.meta.url);
  const worker = entry.pathname.endsWith('.ts')
    ? new Thread(new URL('./node-bootstrap.mjs', import.meta.url), { workerData: { entry: entry.href } })
    : new Thread(entry, {});
  const died = new Promise<Error>((resolve) => {
    worker.on('error', (e) => resolve(e instanceof Error ? e : new Error(String(e))));
    worker.on('exit', (code) => resolve(new Error(`worker exited with code ${code}`)));
  });
  const api = wrap<PortfolioWorkerApi>(nodeEndpoint(worker as unknown as Parameters<typeof nodeEndpoint>[0]));
  return { api, died, terminate: () => void worker.terminate(), hold: (busy) => (busy ? worker.ref() : worker.unref()) };
};
