// Scaling with portfolios on the same 1M bars: 1, 10, 100, 1000 trading systems (parameter variants of
// the two seed strategies), inline vs a worker pool, with peak RSS sampled during each run.
import type { RunConfig } from '../src/config/schema.js';
import type { AlignedBars } from '../src/data/bars.js';
import { DEFAULT_EXECUTION, type PortfolioSpec } from '../src/engine/spec.js';
import { runBacktest, type RunResult } from '../src/workflow/run.js';
import type { KeepOptions } from '../src/workflow/system.js';
import { createWorkerPool } from '../workers/index.js';
import { measureCeiling } from './ceiling.js';

export function variants(n: number): PortfolioSpec[] {
  return Array.from({ length: n }, (_, i): PortfolioSpec => {
    const momentum = i % 2 === 0;
    const k = Math.floor(i / 2);
    return {
      portfolioId: `s${i}`, namespace: `s${i}`, initialCapital: 50_000,
      strategy: momentum
        ? { type: 'momentum', lookbackPeriod: 10 + (k % 40), momentumThreshold: 0.0001 * (1 + (k % 5)), allowShort: true }
        : { type: 'mean_reversion', lookbackPeriod: 10 + (k % 30), entryThreshold: 0.8 + 0.1 * (k % 8), exitThreshold: 0, allowShort: true },
      sizers: [momentum ? { type: 'fixed', size: 100 } : { type: 'percentage', size: 0.02 }],
      limits: momentum ? [{ type: 'max_position_value', value: 50_000 }] : [], execution: DEFAULT_EXECUTION,
    };
  });
}

export function configOf(systems: PortfolioSpec[]): RunConfig {
  return {
    workflow: { type: 'multi_portfolio_backtest', name: 'scaling' }, data: { source: 'csv', symbols: ['SPY'] }, tradingSystems: systems,
    execution: DEFAULT_EXECUTION, reporting: { individualReports: false, combinedDashboard: false, correlationAnalysis: false }, tracing: 'off', warnings: [],
  };
}

/** Runs fn while sampling RSS every 10 ms; returns its result, the time and the peak RSS rise. */
async function measured<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number; peakRssMb: number }> {
  globalThis.gc?.();
  const base = process.memoryUsage().rss;
  let peak = base;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
  const t = performance.now();
  const value = await fn();
  const ms = performance.now() - t;
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage().rss);
  return { value, ms, peakRssMb: Math.round((peak - base) / 2 ** 20) };
}

export interface ScalingRow {
  systems: number;
  keep: string;
  inline_ms: number | null;
  workers_ms: number;
  workers: number;
  bars_per_s_workers: number;
  peak_rss_mb_inline: number | null;
  peak_rss_mb_workers: number;
}

export async function benchScaling(bars: AlignedBars, log: (s: string) => void) {
  const steps = bars.timestamps.length;
  const pools = { 1: createWorkerPool({ size: 1 }), 2: createWorkerPool({ size: 2 }) };
  // Start the workers once (module loading is start-up cost, reported apart from the runs).
  const warm = await measured(() => Promise.all([pools[1], pools[2]].map((p) => runBacktest(configOf(variants(2)), { bars, executor: p }))));
  log(`worker start-up (3 workers, first run of 2 systems each): ${warm.ms.toFixed(0)} ms`);
  const rows: ScalingRow[] = [];
  const check = (a: RunResult, b: RunResult) => {
    for (const id of Object.keys(a.portfolios)) {
      const x = a.portfolios[id];
      const y = b.portfolios[id];
      if (x.status !== 'ok' || y.status !== 'ok' || !Object.is(x.finalEquity, y.finalEquity)) throw new Error(`scaling: ${id} differs between executors`);
    }
  };
  for (const n of [1, 10, 100, 1000]) {
    const keep: KeepOptions = n >= 1000 ? { equity: 'daily', fills: false } : n >= 100 ? { equity: 'daily' } : {};
    const systems = variants(n);
    const inline = n <= 100 ? await measured(() => runBacktest(configOf(systems), { bars, executor: 'inline', keep })) : undefined;
    const pooled = await measured(() => runBacktest(configOf(systems), { bars, executor: pools[2], keep }));
    if (inline) check(inline.value, pooled.value);
    const row: ScalingRow = {
      systems: n, keep: JSON.stringify(keep), inline_ms: inline ? Math.round(inline.ms) : null, workers_ms: Math.round(pooled.ms), workers: 2,
      bars_per_s_workers: Math.round((n * steps) / (pooled.ms / 1000)), peak_rss_mb_inline: inline?.peakRssMb ?? null, peak_rss_mb_workers: pooled.peakRssMb,
    };
    rows.push(row);
    log(`${String(n).padStart(5)} systems (${row.keep}): inline ${row.inline_ms ?? '—'} ms, 2 workers ${row.workers_ms} ms, ` +
      `${(row.bars_per_s_workers / 1e6).toFixed(0)} M portfolio-bars/s, peak RSS +${row.peak_rss_mb_inline ?? '—'} / +${row.peak_rss_mb_workers} MB`);
  }
  // 2 workers against 1 on the same 100 systems: one untimed run on each pool, so both pools' code is
  // optimized, then alternate; the median of 5 of each, and the spread of the 5 paired ratios (this VM's
  // runs differ by up to 30%).
  const hundred = configOf(variants(100));
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  const speedupWith = async (keep: KeepOptions) => {
    for (const pool of [pools[1], pools[2]]) await runBacktest(hundred, { bars, executor: pool, keep });
    const ones: number[] = [];
    const twos: number[] = [];
    for (let r = 0; r < 5; r++) {
      ones.push((await measured(() => runBacktest(hundred, { bars, executor: pools[1], keep }))).ms);
      twos.push((await measured(() => runBacktest(hundred, { bars, executor: pools[2], keep }))).ms);
    }
    const paired = ones.map((one, r) => one / twos[r]);
    return {
      one: median(ones), two: median(twos), speedup: Number((median(ones) / median(twos)).toFixed(2)),
      paired_min: Number(Math.min(...paired).toFixed(2)), paired_max: Number(Math.max(...paired).toFixed(2)),
    };
  };
  const kept = await speedupWith({ equity: 'daily' });
  log(`100 systems (daily equity, fills kept): 1 worker ${kept.one.toFixed(0)} ms, 2 workers ${kept.two.toFixed(0)} ms (medians of 5) → speedup ${kept.speedup}× (paired runs ${kept.paired_min}–${kept.paired_max}×)`);
  // The same without fills: the main thread then receives little, which shows the workers' own scaling.
  const bare = await speedupWith({ equity: 'daily', fills: false });
  log(`100 systems (daily equity, no fills kept): 1 worker ${bare.one.toFixed(0)} ms, 2 workers ${bare.two.toFixed(0)} ms → speedup ${bare.speedup}× (paired runs ${bare.paired_min}–${bare.paired_max}×)`);
  // What this machine allows 2 workers over 1 at all, measured right after (a VM's ceiling drifts), for a
  // loop in registers and one streaming through memory.
  const ceiling = await measureCeiling();
  log(`this machine's ceiling for 2 workers over 1: ${ceiling.compute_speedup_2_over_1}× (compute loop), ${ceiling.stream_speedup_2_over_1}× (memory-streaming loop)`);
  const speedup = kept.speedup;
  // Memory per added portfolio beyond its kept outputs: 1000 systems keeping daily equity only.
  const thousand = rows.find((r) => r.systems === 1000)!;
  const perPortfolioKb = Math.round((thousand.peak_rss_mb_workers * 1024) / 1000);
  log(`memory per portfolio (1000 systems, daily equity, no fills kept): ~${perPortfolioKb} kB of peak RSS`);
  const ten = rows.find((r) => r.systems === 10)!;
  log(`10 portfolios × ${steps.toLocaleString('en')} bars end to end: inline ${ten.inline_ms} ms, 2 workers ${ten.workers_ms} ms`);
  await Promise.all(Object.values(pools).map((p) => p.dispose()));
  return { rows, startup_ms: Math.round(warm.ms), speedup_2_over_1: speedup, speedup_2_over_1_no_fills: bare.speedup, speedup_2_over_1_paired: [kept.paired_min, kept.paired_max], ceiling, memory_per_portfolio_kb: perPortfolioKb, ten_portfolios_ms: { inline: ten.inline_ms, workers: ten.workers_ms } };
}
