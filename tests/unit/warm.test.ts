// warmKernel: the warm-up exercises every strategy's pass and both portfolio passes with real trading, and
// leaves nothing behind: a module that was warmed gives the same results as one that never ran.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { alignBars } from '../../src/data/align.js';
import { generateBars } from '../../src/data/generate.js';
import { runPortfolio } from '../../src/engine/portfolio.js';
import { DEFAULT_EXECUTION, type PortfolioSpec } from '../../src/engine/spec.js';
import { warmKernel } from '../../src/engine/warm.js';
import { compileKernel } from '../../src/engine/wasm.js';

const bytes = () => readFile(new URL('../../build/foliolab.wasm', import.meta.url));

describe('warmKernel', () => {
  it('runs every strategy with a per-bar pass on one symbol, and one on two symbols, each trading', async () => {
    const runs = await warmKernel(await compileKernel(await bytes()));
    // buy_and_hold has no per-bar strategy pass; every other strategy must be there.
    expect(runs.filter((r) => r.symbols === 1).map((r) => r.strategy).sort())
      .toEqual(['breakout', 'mean_reversion', 'momentum', 'rsi', 'signals', 'sma_crossover']);
    expect(runs.some((r) => r.symbols === 2)).toBe(true);
    // A run without fills would leave the trade path (sizing, limits, fills) cold.
    for (const r of runs) expect(r.fills, `${r.strategy} on ${r.symbols} symbol(s)`).toBeGreaterThanOrEqual(100);
  });

  it('changes no result: a warmed module and a fresh one give bit-identical runs', async () => {
    const warmed = await compileKernel(await bytes());
    await warmKernel(warmed);
    const fresh = await compileKernel(await bytes());
    const bars = alignBars(generateBars({ symbols: ['A', 'B'], bars: 5_000, interval: '1m', seed: 7 }));
    const spec: PortfolioSpec = {
      portfolioId: 'p', namespace: 'p', initialCapital: 100_000,
      strategy: { type: 'mean_reversion', lookbackPeriod: 15, entryThreshold: 1, exitThreshold: 0, allowShort: true },
      sizers: [{ type: 'percentage', size: 0.05 }], limits: [], execution: DEFAULT_EXECUTION,
    };
    const a = await runPortfolio(warmed, spec, bars);
    const b = await runPortfolio(fresh, spec, bars);
    expect(a.fills.length).toBeGreaterThan(50);
    expect(Buffer.from(a.equity.buffer).equals(Buffer.from(b.equity.buffer))).toBe(true);
    expect(Buffer.from(a.fills.column('price').slice().buffer).equals(Buffer.from(b.fills.column('price').slice().buffer))).toBe(true);
  });
});
