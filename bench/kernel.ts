// Kernel throughput: one portfolio over 1M one-minute bars, the WebAssembly engine against the plain-JS
// loop of bench/js-engine.ts, measured in the same run after checking both give the same equity.
import { readFile } from 'node:fs/promises';
import { alignBars } from '../src/data/align.js';
import type { AlignedBars } from '../src/data/bars.js';
import { generateBars } from '../src/data/generate.js';
import { runPortfolio } from '../src/engine/portfolio.js';
import { DEFAULT_EXECUTION, type PortfolioSpec } from '../src/engine/spec.js';
import { compileKernel } from '../src/engine/wasm.js';
import { runJs } from './js-engine.js';

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
  first_run_ms: number;
  median_ms: number;
  js_median_ms: number;
  js_first_run_ms: number;
  fills: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Times one run of each engine on a cold process: called by bench/first-run.ts in a child process. */
export async function firstRuns(name: string, n: number): Promise<{ wasm_first_ms: number; js_first_ms: number }> {
  const bars = benchBars(n);
  const spec = KERNEL_CASES[name];
  const module = await compileKernel(await kernelBytes());
  let t = performance.now();
  await runPortfolio(module, spec, bars);
  const wasm_first_ms = performance.now() - t;
  t = performance.now();
  runJs(spec, bars.open[0], bars.close[0]);
  return { wasm_first_ms, js_first_ms: performance.now() - t };
}

export async function benchKernel(opts: { bars: number; runs: number; firstRun: (name: string) => Promise<{ wasm_first_ms: number; js_first_ms: number }> }): Promise<Record<string, KernelFigures>> {
  const bars = benchBars(opts.bars);
  const module = await compileKernel(await kernelBytes());
  const result: Record<string, KernelFigures> = {};
  for (const [name, spec] of Object.entries(KERNEL_CASES)) {
    const cold = await opts.firstRun(name);
    // Same work check before any timing: bit-identical equity and the same number of fills.
    const wasm = await runPortfolio(module, spec, bars);
    const js = runJs(spec, bars.open[0], bars.close[0]);
    if (wasm.fills.length !== js.fills || !wasm.equity.every((v, i) => Object.is(v, js.equity[i]))) {
      throw new Error(`${name}: the JS baseline and the kernel disagree (${js.fills} vs ${wasm.fills.length} fills)`);
    }
    if (wasm.fills.length < 100) throw new Error(`${name}: only ${wasm.fills.length} fills; the benchmark would not exercise trading`);
    const wasmTimes: number[] = [];
    const jsTimes: number[] = [];
    for (let r = 0; r < opts.runs; r++) {
      let t = performance.now();
      await runPortfolio(module, spec, bars);
      wasmTimes.push(performance.now() - t);
      t = performance.now();
      runJs(spec, bars.open[0], bars.close[0]);
      jsTimes.push(performance.now() - t);
    }
    const wasmMs = median(wasmTimes);
    const jsMs = median(jsTimes);
    result[name] = {
      wasm_bars_per_s: Math.round(opts.bars / (wasmMs / 1000)),
      js_bars_per_s: Math.round(opts.bars / (jsMs / 1000)),
      ratio: Number((jsMs / wasmMs).toFixed(3)),
      first_run_ms: Number(cold.wasm_first_ms.toFixed(2)),
      median_ms: Number(wasmMs.toFixed(2)),
      js_median_ms: Number(jsMs.toFixed(2)),
      js_first_run_ms: Number(cold.js_first_ms.toFixed(2)),
      fills: wasm.fills.length,
    };
  }
  return result;
}
