// Worker entry (a browser module Worker or a Node worker_thread): hosts one kernel instance per
// portfolio it is given and runs them with the same runTradingSystem as the inline executor.
import { expose, proxy, transfer } from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { unpackBars, type PackedBars } from '../src/data/pack.js';
import type { PortfolioSpec, TracingLevel } from '../src/engine/spec.js';
import { failureOf, type SystemFailure } from '../src/workflow/executor.js';
import { runTradingSystem, transferablesOf, type KeepOptions, type SystemOutcome } from '../src/workflow/system.js';

export interface WorkerRunOptions {
  tracing: TracingLevel;
  keep?: KeepOptions;
  sliceSteps?: number;
}

export type ProgressCallback = (portfolioId: string, stepsDone: number, steps: number) => void;

const api = {
  /** Runs the given systems one after another over the packed bars; results are transferred back. */
  async run(module: WebAssembly.Module, packed: PackedBars, specs: PortfolioSpec[], options: WorkerRunOptions,
    progress?: ProgressCallback): Promise<Array<SystemOutcome | SystemFailure>> {
    const bars = unpackBars(packed);
    const results: Array<SystemOutcome | SystemFailure> = [];
    for (const spec of specs) {
      try {
        results.push(await runTradingSystem(module, spec, bars, {
          ...options, onProgress: progress && ((done, steps) => void progress(spec.portfolioId, done, steps)),
        }));
      } catch (e) {
        results.push(failureOf(spec, e));
      }
    }
    return transfer(results, results.flatMap((r) => (r.status === 'ok' ? transferablesOf(r) : [])));
  },
  ping(): string {
    return 'pong';
  },
};

export type PortfolioWorkerApi = typeof api;
export { proxy };

const inNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string' && typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope === 'undefined';
if (inNode) {
  const threads = 'node:worker_threads'; // a variable, so browser bundles leave it alone
  const { parentPort } = (await import(/* @vite-ignore */ threads)) as { parentPort: Parameters<typeof nodeEndpoint>[0] | null };
  if (parentPort) expose(api, nodeEndpoint(parentPort));
} else {
  expose(api);
}
