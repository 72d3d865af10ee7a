// Chunked processing: results do not depend on chunk size, event-buffer size or instance; memory
// stays flat however many chunks run (nothing is allocated per call).
import { describe, expect, it } from 'vitest';
import type { AlignedBars } from '../../src/data/bars.js';
import { PortfolioKernel, runPortfolio } from '../../src/engine/portfolio.js';
import { fillsOf } from '../../src/engine/records.js';
import type { PortfolioSpec } from '../../src/engine/spec.js';
import { kernelModule, specWith } from '../helpers/kernel.js';

/** A deterministic cent-priced random walk (xorshift), two symbols with gaps in the second. */
function walk(steps: number, seed: number): AlignedBars {
  let x = seed >>> 0 || 1;
  const rnd = () => ((x ^= x << 13), (x ^= x >>> 17), (x ^= x << 5), (x >>> 0) / 2 ** 32);
  const col = () => new Float64Array(steps);
  const bars: AlignedBars = {
    timestamps: Float64Array.from({ length: steps }, (_, i) => i * 60_000), symbols: ['A', 'B'],
    open: [col(), col()], high: [col(), col()], low: [col(), col()], close: [col(), col()], volume: [col(), col()], columns: {},
  };
  for (let s = 0; s < 2; s++) {
    let cents = 10_000 + s * 5_000;
    for (let i = 0; i < steps; i++) {
      const open = cents;
      cents = Math.max(100, cents + Math.round((rnd() - 0.5) * 40));
      const gap = s === 1 && rnd() < 0.1;
      bars.open[s][i] = gap ? NaN : open / 100;
      bars.close[s][i] = gap ? NaN : cents / 100;
      bars.high[s][i] = gap ? NaN : (Math.max(open, cents) + 3) / 100;
      bars.low[s][i] = gap ? NaN : (Math.min(open, cents) - 3) / 100;
      bars.volume[s][i] = gap ? NaN : 100;
    }
  }
  return bars;
}

const specs: PortfolioSpec[] = [
  specWith({ strategy: { type: 'momentum', lookbackPeriod: 20, momentumThreshold: 0.0002, allowShort: true }, sizers: [{ type: 'fixed', size: 100 }], limits: [{ type: 'max_gross_exposure', value: 1.5 }] }),
  specWith({ strategy: { type: 'mean_reversion', lookbackPeriod: 15, entryThreshold: 1, exitThreshold: 0, allowShort: true }, sizers: [{ type: 'percentage', size: 0.02 }] }),
  specWith({ strategy: { type: 'breakout', lookbackPeriod: 30, allowShort: true }, sizers: [{ type: 'fixed_value', value: 2_000 }], limits: [{ type: 'max_drawdown', value: 0.02 }] }),
  specWith({ strategy: { type: 'rsi', period: 14, oversold: 30, overbought: 70, allowShort: false }, sizers: [{ type: 'fixed', size: 10 }] }),
  specWith({ strategy: { type: 'sma_crossover', fastPeriod: 5, slowPeriod: 40, allowShort: true }, sizers: [{ type: 'fixed', size: 10 }], execution: { fill: 'close', slippageBps: 2, commission: { perShare: 0.005, percent: 0, minimum: 1 }, allowMargin: false, margin: { initial: 0.5, maintenance: 0.3 } } }),
];

describe('chunked processing', () => {
  const bars = walk(5_000, 7);

  it.each(specs.map((s) => [s.strategy.type, s] as const))('%s: identical results for chunk sizes 1 … 5 000', async (_, spec) => {
    const module = await kernelModule();
    const whole = await runPortfolio(module, spec, bars, { tracing: 'full', chunkSize: 5_000, firstChunk: 5_000 });
    expect(whole.fills.length).toBeGreaterThan(5); // the case must trade to prove anything
    for (const [chunkSize, firstChunk, eventCapacity] of [[1, 1, 64], [7, 3, 64], [64, 64, 100], [1_000, 13, 16_384], [4_999, 1, 64]]) {
      const run = await runPortfolio(module, spec, bars, { tracing: 'full', chunkSize, firstChunk, eventCapacity });
      expect(run.records).toEqual(whole.records);
      expect(Array.from(run.equity)).toEqual(Array.from(whole.equity));
      expect(Array.from(run.cash)).toEqual(Array.from(whole.cash));
    }
  });

  it('feeding steps in arbitrary slices equals one call', async () => {
    const module = await kernelModule();
    const spec = specs[0];
    const whole = await runPortfolio(module, spec, bars, { tracing: 'trades' });
    const engine = await PortfolioKernel.create(module, spec, bars.symbols, { tracing: 'trades', chunkSize: 512 });
    const n = bars.timestamps.length;
    const out = { equity: new Float64Array(n), cash: new Float64Array(n), gross: new Float64Array(n) };
    const cuts = [0, 1, 2, 500, 511, 512, 1_999, 3_333, n];
    for (let i = 1; i < cuts.length; i++) engine.runSteps(bars, [0, 1], cuts[i - 1], cuts[i], out);
    engine.finish();
    expect(engine.records).toEqual(whole.records);
    expect(Array.from(out.equity)).toEqual(Array.from(whole.equity));
    expect(() => engine.runSteps(bars, [0, 1], 10, 20, out)).toThrow(/consecutive/);
  });

  it('two fresh instances give bit-identical results (determinism)', async () => {
    const module = await kernelModule();
    for (const spec of specs) {
      const a = await runPortfolio(module, spec, bars, { tracing: 'full' });
      const b = await runPortfolio(module, spec, bars, { tracing: 'full' });
      expect(b.records).toEqual(a.records);
      expect(Buffer.from(b.equity.buffer).equals(Buffer.from(a.equity.buffer))).toBe(true);
    }
  });

  it('the tracing level changes which records are kept, never their sequence numbers or the results', async () => {
    const module = await kernelModule();
    const spec = specs[2];
    const full = await runPortfolio(module, spec, bars, { tracing: 'full' });
    const trades = await runPortfolio(module, spec, bars, { tracing: 'trades' });
    const off = await runPortfolio(module, spec, bars, { tracing: 'off' });
    expect(trades.records).toEqual(full.records.filter((r) => r.kind !== 'signal'));
    expect(off.records).toEqual([]);
    expect(off.fills.toArray()).toEqual(fillsOf(full.records));
    expect(full.fills.toArray()).toEqual(fillsOf(full.records));
    expect(Array.from(off.equity)).toEqual(Array.from(full.equity));
  });

  it('memory stays flat over 10 000 chunks', async () => {
    const module = await kernelModule();
    const spec = specs[0];
    const steps = 10_000 * 50;
    const long = walk(steps, 11);
    const engine = await PortfolioKernel.create(module, spec, long.symbols, { chunkSize: 50, firstChunk: 50, tracing: 'full', eventCapacity: 256 });
    const out = { equity: new Float64Array(steps), cash: new Float64Array(steps), gross: new Float64Array(steps) };
    const before = engine.memoryBytes;
    engine.runSteps(long, [0, 1], 0, 50, out);
    const afterFirst = engine.memoryBytes;
    engine.runSteps(long, [0, 1], 50, steps, out); // 9 999 more kernel calls of 50 steps
    engine.finish();
    expect(afterFirst).toBe(before);
    expect(engine.memoryBytes).toBe(before);
    expect(before).toBeLessThan(4 * 65_536); // a few pages: 50 steps of input and output, 256 records
    expect(engine.fills.length).toBeGreaterThan(100);
  });
});
