// Warming the kernel: V8 first runs WebAssembly on its baseline compiler and compiles a function with its
// optimizing compiler (TurboFan) in the background only once the function has run for a while; a call
// already running keeps the baseline code. The fused portfolio pass takes ~5 ms to optimize, so the first
// 1M-bar backtest ran about half its bars at baseline speed. Running every strategy and both portfolio
// passes briefly on synthetic bars as soon as the module is compiled starts those compiles at once; by the
// time real data is loaded they are done, and the first backtest runs at full speed.
import type { AlignedBars } from '../data/bars.js';
import { PortfolioKernel } from './portfolio.js';
import { DEFAULT_EXECUTION, type PortfolioSpec, type StrategySpec, type StrategyType } from './spec.js';

/** Steps per warm-up run: enough for V8 to decide to optimize each hot function (8 192 was, in Node 20). */
const WARM_STEPS = 16_384;

const STRATEGIES: StrategySpec[] = [
  { type: 'momentum', lookbackPeriod: 20, momentumThreshold: 0.0002, allowShort: true },
  { type: 'mean_reversion', lookbackPeriod: 15, entryThreshold: 1, exitThreshold: 0, allowShort: true },
  { type: 'sma_crossover', fastPeriod: 5, slowPeriod: 20, allowShort: true },
  { type: 'breakout', lookbackPeriod: 20, allowShort: true },
  { type: 'rsi', period: 14, oversold: 30, overbought: 70, allowShort: true },
  { type: 'signals', column: 'signal', allowShort: true },
];

/** Two overlaid waves per symbol, so every strategy enters, adds, reduces and flips many times. */
function warmBars(symbols: number): AlignedBars {
  const close: Float64Array[] = [];
  const signal: Float64Array[] = [];
  for (let s = 0; s < symbols; s++) {
    const c = new Float64Array(WARM_STEPS);
    const g = new Float64Array(WARM_STEPS);
    for (let i = 0; i < WARM_STEPS; i++) {
      c[i] = 100 + 10 * Math.sin(i / 37 + s) + 3 * Math.sin(i / 5.3);
      g[i] = ((i >> 5) % 3) - 1;
    }
    close.push(c);
    signal.push(g);
  }
  const timestamps = new Float64Array(WARM_STEPS);
  for (let i = 0; i < WARM_STEPS; i++) timestamps[i] = i * 60_000;
  return {
    timestamps, symbols: close.map((_, s) => `W${s}`),
    open: close, high: close, low: close, close, volume: close, columns: { signal },
  };
}

/** One warm-up run: what it ran and how many fills it made (each must trade to exercise the trade path). */
export interface WarmRun {
  strategy: StrategyType;
  symbols: number;
  steps: number;
  fills: number;
}

const specOf = (strategy: StrategySpec): PortfolioSpec => ({
  portfolioId: 'warm', namespace: 'warm', initialCapital: 1_000_000, strategy,
  sizers: [{ type: 'percentage', size: 0.02 }], limits: [{ type: 'max_position_value', value: 50_000 }], execution: DEFAULT_EXECUTION,
});

/**
 * Runs each strategy on one symbol and one on two symbols (the one- and many-symbol portfolio passes) over
 * 16 384 synthetic bars, so the runtime starts optimizing the kernel's hot functions now rather than during
 * the first real backtest. Takes a few milliseconds; the optimizing compiles continue in the background.
 * Instances of the same module share the optimized code (in workers of the same process too).
 * @example
 *   const module = await compileKernel(bytes);
 *   await warmKernel(module); // then load the data
 */
export async function warmKernel(module: WebAssembly.Module): Promise<WarmRun[]> {
  const one = warmBars(1);
  const two = warmBars(2);
  const runs: Array<[StrategySpec, AlignedBars]> = [...STRATEGIES.map((s): [StrategySpec, AlignedBars] => [s, one]), [STRATEGIES[0], two]];
  const done: WarmRun[] = [];
  for (const [strategy, bars] of runs) {
    const engine = await PortfolioKernel.create(module, specOf(strategy), bars.symbols, { runSteps: WARM_STEPS, chunkSize: 4_096, firstChunk: 4_096 });
    engine.runSteps(bars, bars.symbols.map((_, s) => s), 0, WARM_STEPS);
    engine.finish();
    done.push({ strategy: strategy.type, symbols: bars.symbols.length, steps: WARM_STEPS, fills: engine.fills.length });
  }
  return done;
}
