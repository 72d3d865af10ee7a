// Kernel throughput: one portfolio over 1M one-minute bars, the WebAssembly engine against the plain-JS
// loop of bench/js-engine.ts (same algorithm, same arithmetic), measured in the same run after checking
// that both give the same equity, cash and gross exposure per bar, bit for bit. Two tiers:
//   kernel:      the engine loop with output buffers (equity, cash, gross, fill table) reused on both
//                sides; the kernel's chunk copies are included;
//   end_to_end:  runPortfolio from a fresh instance to fresh result arrays, against runJs likewise.
import { readFile } from 'node:fs/promises';
import { alignBars } from '../src/data/align.js';
import type { AlignedBars } from '../src/data/bars.js';
import { generateBars } from '../src/data/generate.js';
import { PortfolioKernel, runPortfolio } from '../src/engine/portfolio.js';
import { FillTable } from '../src/engine/records.js';
import { DEFAULT_EXECUTION, type PortfolioSpec } from '../src/engine/spec.js';
import { warmKernel } from '../src/engine/warm.js';
import { compileKernel } from '../src/engine/wasm.js';
import { jsBuffers, runJs } from './js-engine.js';

export const KERNEL_CASES: Record<string, PortfolioSpec> = {
  momentum: {
    portfolioId: 'momentum', namespace: 'momentum', initialCapital: 1_000_000,
    strategy: { type: 'momentum', lookbackPeriod: 20, momentumThreshold: 0.0002, allowShort: true },
    sizers: [{ type: 'fixed', size: 100 }], limits: [], execution: DEFAULT_EXECUTION,
  },
  mean_reversion: {
    portfolioId: 'mean_reversion', namespace: 'mean_reversion', initialCapital: 1_000_000,
    strategy: { type: 'mean_reversion', lookbackPeriod: 15, entryThreshold: 1, exitThreshold: 0, allowShort: true },
    sizers: [{ type: 'percentage', size: 0.02 }], limits: [], execution: DEFAULT_EXECUTION,
  },
};

export function benchBars(n: number): AlignedBars {
  return alignBars(generateBars({ symbols: ['SPY'], bars: n, interval: '1m', seed: 20_240_102 }));
}

export async function kernelBytes(): Promise<Uint8Array> {
  return readFile(new URL('../build/foliolab.wasm', import.meta.url));
}

export interface KernelFigures {
  wasm_bars_per_s: number;
  js_bars_per_s: number;
  ratio: number;
  /** First kernel-tier run in a fresh process, the kernel compiled and warmed before the data was loaded. */
  first_run_ms: number;
  /** The same without the warm-up. */
  first_run_unwarmed_ms: number;
  /** Compiling plus warming the kernel (once per process, before the data is loaded). */
  load_ms: number;
  /** First end-to-end run in a fresh process (kernel warmed), against end_to_end_ms. */
  first_end_to_end_ms: number;
  median_ms: number;
  js_median_ms: number;
  js_first_run_ms: number;
  end_to_end_ms: number;
  js_end_to_end_ms: number;
  end_to_end_ratio: number;
  fills: number;
  /** Resident memory the cold 1M-bar run added (results, instance, tables), each engine. */
  wasm_rss_growth_mb: number;
  js_rss_growth_mb: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const same = (a: Float64Array, b: Float64Array) => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));

export interface FirstRuns {
  /** Compiling the module, and warming it when the mode does (see warmKernel). */
  load_ms: number;
  /** The first kernel-tier run (outputs and fill table allocated and touched first, as in the warm median). */
  wasm_first_ms: number;
  /** The first end-to-end run (runPortfolio, fresh results), and the JS baseline's first run likewise. */
  wasm_first_e2e_ms: number;
  js_first_ms: number;
  /** Growth of the process's resident memory during each cold end-to-end run (its results, instance, tables). */
  wasm_rss_growth_mb: number;
  js_rss_growth_mb: number;
}

/** The first runs of bench/first-run.ts, from three fresh processes (warmed kernel tier, unwarmed, end to end). */
export type FirstRunFigures = FirstRuns & { wasm_first_unwarmed_ms: number };

/** A fill table holding `count` fills' worth of touched pages, then emptied (as the warm tier's reused table is). */
function touchedFills(count: number): FillTable {
  const fills = new FillTable();
  for (let i = 0; i < count; i++) fills.append(0, 0, 0, 0, 0, 0, 0);
  fills.clear();
  return fills;
}

/**
 * The first runs of each engine in this (fresh) process, as a library user meets them: the kernel is
 * loaded (compiled, then warmed unless `warm` is false), then the data, then the first backtests.
 * Called by bench/first-run.ts; one kernel-tier run then one end-to-end run would measure the second
 * cold, so `mode` picks one.
 */
export async function firstRuns(name: string, n: number, mode: 'kernel' | 'e2e', warm: boolean): Promise<Partial<FirstRuns>> {
  const spec = KERNEL_CASES[name];
  let t = performance.now();
  const module = await compileKernel(await kernelBytes());
  if (warm) await warmKernel(module);
  const load_ms = performance.now() - t;
  const bars = benchBars(n);
  if (mode === 'kernel') {
    const fills = touchedFills(200_000);
    const engine = await PortfolioKernel.create(module, spec, bars.symbols, { runSteps: n, fills });
    const pages = new Uint8Array(engine.memory.buffer);
    for (let b = 0; b < pages.length; b += 4096) pages[b] = pages[b]; // map every page, change nothing
    t = performance.now();
    engine.runSteps(bars, [0], 0, n);
    engine.finish();
    return { load_ms, wasm_first_ms: performance.now() - t };
  }
  const mb = (bytes: number) => Number((bytes / 2 ** 20).toFixed(1));
  let rss = process.memoryUsage().rss;
  t = performance.now();
  const wasm = await runPortfolio(module, spec, bars);
  const wasm_first_e2e_ms = performance.now() - t;
  const wasm_rss_growth_mb = mb(process.memoryUsage().rss - rss);
  rss = process.memoryUsage().rss;
  t = performance.now();
  const js = runJs(spec, bars.open[0], bars.close[0]);
  const js_first_ms = performance.now() - t;
  const js_rss_growth_mb = mb(process.memoryUsage().rss - rss);
  if (wasm.equity.length !== js.equity.length) throw new Error('cold runs disagree');
  return { load_ms, wasm_first_e2e_ms, js_first_ms, wasm_rss_growth_mb, js_rss_growth_mb };
}

export async function benchKernel(opts: { bars: number; runs: number; warmup?: number; firstRun: (name: string) => Promise<FirstRunFigures> }): Promise<Record<string, KernelFigures>> {
  const bars = benchBars(opts.bars);
  const n = bars.timestamps.length;
  const module = await compileKernel(await kernelBytes());
  const result: Record<string, KernelFigures> = {};
  for (const [name, spec] of Object.entries(KERNEL_CASES)) {
    const cold = await opts.firstRun(name);
    // Same work check before any timing.
    const wasm = await runPortfolio(module, spec, bars);
    const js = runJs(spec, bars.open[0], bars.close[0]);
    const fillsAgree = ['step', 'quantity', 'price', 'commission', 'realized'].every((f) => same(wasm.fills.column(f as 'price'), js.fills.column(f as 'price')));
    if (!fillsAgree || !same(wasm.equity, js.equity) || !same(wasm.cash, js.cash) || !same(wasm.gross, js.gross)) {
      throw new Error(`${name}: the JS baseline and the kernel disagree (${js.fills.length} vs ${wasm.fills.length} fills)`);
    }
    if (wasm.fills.length < 100) throw new Error(`${name}: only ${wasm.fills.length} fills; the benchmark would not exercise trading`);

    // Each tier and side is timed in its own phase after untimed warm-up rounds: V8 needs several calls
    // of a 1M-bar JS loop before it is fully optimized (the first runs take 2-4x the warm time), the
    // kernel's first chunks run on the baseline compiler, and interleaving the sides lets one's
    // allocations (fresh instances, fresh result arrays) slow the other's timed runs.
    const warmup = opts.warmup ?? 6;
    const phase = async (run: () => Promise<number> | number): Promise<number[]> => {
      const times: number[] = [];
      for (let r = -warmup; r < opts.runs; r++) {
        const ms = await run();
        if (r >= 0) times.push(ms);
      }
      return times;
    };
    /** A run of fn, timed. */
    const timed = (fn: () => unknown) => async () => {
      const t = performance.now();
      await fn();
      return performance.now() - t;
    };
    const buffers = jsBuffers(n);
    const jsTimes = await phase(timed(() => runJs(spec, bars.open[0], bars.close[0], buffers)));
    if (!same(buffers.equity, js.equity)) throw new Error(`${name}: timed JS run changed the results`);
    const fills = new FillTable();
    let checked = false;
    const kernelTimes = await phase(async () => {
      // A fresh instance per run (an instance runs once); its memory is touched first so that, like the
      // reused JS buffers, the kernel writes to pages that are already mapped.
      fills.clear();
      const engine = await PortfolioKernel.create(module, spec, bars.symbols, { runSteps: n, fills });
      const pages = new Uint8Array(engine.memory.buffer);
      for (let b = 0; b < pages.length; b += 4096) pages[b] = pages[b]; // map every page, change nothing
      const t = performance.now();
      engine.runSteps(bars, [0], 0, n);
      engine.finish();
      const ms = performance.now() - t;
      if (!checked && !same(engine.outputs().equity, js.equity)) throw new Error(`${name}: timed kernel run changed the results`);
      checked = true;
      return ms;
    });
    const e2eTimes = await phase(timed(() => runPortfolio(module, spec, bars)));
    const jsE2eTimes = await phase(timed(() => runJs(spec, bars.open[0], bars.close[0])));
    const wasmMs = median(kernelTimes);
    const jsMs = median(jsTimes);
    result[name] = {
      wasm_bars_per_s: Math.round(n / (wasmMs / 1000)),
      js_bars_per_s: Math.round(n / (jsMs / 1000)),
      ratio: Number((jsMs / wasmMs).toFixed(3)),
      first_run_ms: Number(cold.wasm_first_ms.toFixed(2)),
      first_run_unwarmed_ms: Number(cold.wasm_first_unwarmed_ms.toFixed(2)),
      load_ms: Number(cold.load_ms.toFixed(2)),
      first_end_to_end_ms: Number(cold.wasm_first_e2e_ms.toFixed(2)),
      median_ms: Number(wasmMs.toFixed(2)),
      js_median_ms: Number(jsMs.toFixed(2)),
      js_first_run_ms: Number(cold.js_first_ms.toFixed(2)),
      end_to_end_ms: Number(median(e2eTimes).toFixed(2)),
      js_end_to_end_ms: Number(median(jsE2eTimes).toFixed(2)),
      end_to_end_ratio: Number((median(jsE2eTimes) / median(e2eTimes)).toFixed(3)),
      fills: wasm.fills.length,
      wasm_rss_growth_mb: cold.wasm_rss_growth_mb,
      js_rss_growth_mb: cold.js_rss_growth_mb,
    };
  }
  return result;
}
