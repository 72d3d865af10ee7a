// A TradingSystem run: one portfolio's whole pipeline on its own kernel instance, from bars to a
// plain, transferable result (kept series, fills, records, final book). The same code runs inline
// and inside a worker, which is what makes the executors give identical results.
import type { AlignedBars } from '../data/bars.js';
import { PortfolioKernel, type PositionState } from '../engine/portfolio.js';
import type { TraceRecord } from '../engine/records.js';
import type { PortfolioSpec, TracingLevel } from '../engine/spec.js';

/** How much of each portfolio's output is kept (memory follows this, not the number of bars). */
export interface KeepOptions {
  /** Equity, cash and gross exposure: every step, the last step of each UTC day, N evenly spaced points, or none. */
  equity?: 'bar' | 'daily' | number | 'none';
  /** Keep the fill table. Default true. */
  fills?: boolean;
}

/** Fills column by column (plain typed arrays, so they cross threads by transfer). */
export interface FillColumns {
  step: Float64Array;
  symbol: Float64Array;
  quantity: Float64Array;
  price: Float64Array;
  commission: Float64Array;
  realized: Float64Array;
  orderSeq: Float64Array;
}

export interface SystemOutcome {
  status: 'ok';
  portfolioId: string;
  namespace: string;
  initialCapital: number;
  symbols: string[];
  /** Steps of the aligned timeline the series below are sampled at; undefined means every step. */
  sampledAt?: Float64Array;
  equity: Float64Array;
  cash: Float64Array;
  gross: Float64Array;
  finalEquity: number;
  fills?: FillColumns;
  fillCount: number;
  records: TraceRecord[];
  positions: PositionState[];
  halted: boolean;
}

export interface SystemRunOptions {
  tracing: TracingLevel;
  keep?: KeepOptions;
  /** Steps per kernel slice between progress reports and abort checks. */
  sliceSteps?: number;
  onProgress?: (stepsDone: number, steps: number) => void;
  /** Checked between slices; returning true abandons the run (the caller reports the abort). */
  aborted?: () => boolean;
}

export class SystemAborted extends Error {
  override name = 'AbortError';
}

/** Indices of the steps kept for a `keep.equity` choice (undefined: every step). */
export function sampleSteps(timestamps: Float64Array, keep: KeepOptions['equity']): Float64Array | undefined {
  const n = timestamps.length;
  if (keep === undefined || keep === 'bar') return undefined;
  if (keep === 'none') return new Float64Array(0);
  if (keep === 'daily') {
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      const day = Math.floor(timestamps[i] / 86_400_000);
      if (i === n - 1 || Math.floor(timestamps[i + 1] / 86_400_000) !== day) out.push(i);
    }
    return Float64Array.from(out);
  }
  if (!Number.isInteger(keep) || keep < 1) throw new RangeError(`keep.equity: expected 'bar', 'daily', 'none' or a whole number of points ≥ 1, got ${keep}`);
  if (keep >= n) return undefined;
  // The last step of each of `keep` equal buckets, so the final step is always kept.
  return Float64Array.from({ length: keep }, (_, b) => Math.floor(((b + 1) * n) / keep) - 1);
}

function gather(series: Float64Array, at: Float64Array | undefined): Float64Array {
  if (!at) return series.slice();
  const out = new Float64Array(at.length);
  for (let i = 0; i < at.length; i++) out[i] = series[at[i]];
  return out;
}

/** Runs one trading system over the aligned bars to the end. */
export async function runTradingSystem(module: WebAssembly.Module, spec: PortfolioSpec, bars: AlignedBars,
  options: SystemRunOptions): Promise<SystemOutcome> {
  const symbols = spec.symbols ?? bars.symbols;
  const index = symbols.map((name) => {
    const i = bars.symbols.indexOf(name);
    if (i < 0) throw new Error(`unknown symbol "${name}"; the data has ${bars.symbols.join(', ')}`);
    return i;
  });
  const steps = bars.timestamps.length;
  const engine = await PortfolioKernel.create(module, spec, symbols, { tracing: options.tracing, runSteps: steps });
  const slice = options.sliceSteps ?? 65_536;
  for (let from = 0; from < steps; from += slice) {
    if (options.aborted?.()) throw new SystemAborted(`portfolio "${spec.portfolioId}" aborted`);
    const to = Math.min(steps, from + slice);
    engine.runSteps(bars, index, from, to);
    options.onProgress?.(to, steps);
  }
  engine.finish();
  const out = engine.outputs(); // views of the instance's memory: copied below, so the instance can go
  const at = sampleSteps(bars.timestamps, options.keep?.equity);
  const keepFills = options.keep?.fills ?? true;
  const table = engine.fills;
  const fills = keepFills
    ? Object.fromEntries((['step', 'symbol', 'quantity', 'price', 'commission', 'realized', 'orderSeq'] as const)
      .map((f) => [f, table.column(f).slice()])) as unknown as FillColumns
    : undefined;
  return {
    status: 'ok', portfolioId: spec.portfolioId, namespace: spec.namespace, initialCapital: spec.initialCapital, symbols,
    sampledAt: at, equity: gather(out.equity, at), cash: gather(out.cash, at), gross: gather(out.gross, at),
    finalEquity: steps ? out.equity[steps - 1] : spec.initialCapital,
    fills, fillCount: table.length, records: engine.records, positions: engine.positions(), halted: engine.halted,
  };
}

/** The typed arrays of an outcome, for a transfer list. */
export function transferablesOf(outcome: SystemOutcome): ArrayBuffer[] {
  const arrays = [outcome.equity, outcome.cash, outcome.gross, outcome.sampledAt, ...Object.values(outcome.fills ?? {})];
  return arrays.filter((a): a is Float64Array => a !== undefined).map((a) => a.buffer as ArrayBuffer);
}
