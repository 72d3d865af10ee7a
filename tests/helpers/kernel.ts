// Test helpers: the compiled kernel (read from build/ once per test file), small bar builders, and a
// run of both engines (kernel and reference model) that must agree exactly.
import { readFile } from 'node:fs/promises';
import { expect } from 'vitest';
import type { AlignedBars } from '../../src/data/bars.js';
import { runPortfolio, type PortfolioRun } from '../../src/engine/portfolio.js';
import { fillsOf, type Fill } from '../../src/engine/records.js';
import { compileKernel } from '../../src/engine/wasm.js';
import { DEFAULT_EXECUTION, type PortfolioSpec } from '../../src/engine/spec.js';
import { runReference } from '../reference/model.js';

let compiled: Promise<WebAssembly.Module> | undefined;

/** The release kernel, compiled once. `npm test` builds it first (pretest). */
export function kernelModule(): Promise<WebAssembly.Module> {
  compiled ??= readFile(new URL('../../build/foliolab.wasm', import.meta.url)).then((bytes) => compileKernel(bytes));
  return compiled;
}

/** One symbol's bars from [open, close] pairs (high/low = max/min of them), one minute apart. */
export function barsFrom(rows: Array<[number, number]>, symbol = 'SPY'): AlignedBars {
  return alignedFrom({ [symbol]: rows.map(([o, c]) => [o, c]) });
}

/**
 * Several symbols on one timeline; a `null` row means that symbol has no bar at that step.
 * Rows are [open, close] or [open, high, low, close].
 */
export function alignedFrom(series: Record<string, Array<number[] | null>>): AlignedBars {
  const symbols = Object.keys(series);
  const steps = Math.max(...symbols.map((s) => series[s].length));
  const make = () => symbols.map(() => new Float64Array(steps).fill(NaN));
  const bars: AlignedBars = {
    timestamps: Float64Array.from({ length: steps }, (_, i) => Date.UTC(2024, 0, 2, 14, 30 + i)),
    symbols, open: make(), high: make(), low: make(), close: make(), volume: make(), columns: {},
  };
  symbols.forEach((name, s) => {
    series[name].forEach((row, i) => {
      if (!row) return;
      const [o, h, l, c] = row.length === 2 ? [row[0], Math.max(row[0], row[1]), Math.min(row[0], row[1]), row[1]] : row;
      bars.open[s][i] = o; bars.high[s][i] = h; bars.low[s][i] = l; bars.close[s][i] = c; bars.volume[s][i] = 100;
    });
  });
  return bars;
}

/** A portfolio spec with defaults, overridden field by field. */
export function specWith(overrides: Partial<PortfolioSpec>): PortfolioSpec {
  return {
    portfolioId: 'p', namespace: 'p', initialCapital: 10_000,
    strategy: { type: 'buy_and_hold' }, sizers: [{ type: 'fixed', size: 10 }], limits: [],
    execution: DEFAULT_EXECUTION, ...overrides,
  };
}

export type CaseRun = Omit<PortfolioRun, 'fills'> & { fills: Fill[] };

/** Runs both engines, checks they agree exactly, returns the kernel's run (fills as objects). */
export async function both(spec: PortfolioSpec, bars: AlignedBars): Promise<CaseRun> {
  const run = await runPortfolio(await kernelModule(), spec, bars, { tracing: 'full' });
  const ref = runReference(spec, bars);
  expect(run.records).toEqual(ref.records);
  expect(run.fills.toArray()).toEqual(fillsOf(ref.records));
  expect(Array.from(run.equity)).toEqual(Array.from(ref.equity));
  expect(Array.from(run.cash)).toEqual(Array.from(ref.cash));
  expect(Array.from(run.gross)).toEqual(Array.from(ref.gross));
  expect(run.halted).toBe(ref.halted);
  expect(run.bankrupt).toBe(ref.bankrupt);
  return { ...run, fills: run.fills.toArray() };
}

/** Bars whose signal column is given per step (a `signals` strategy trades exactly these directions). */
export function withSignals(rows: Array<[number, number]>, signal: number[]): AlignedBars {
  const bars = barsFrom(rows);
  bars.columns.signal = [Float64Array.from(signal)];
  return bars;
}
