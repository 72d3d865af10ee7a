// A result's fills as a user reads them: iterable named fills over columnar storage, the same whether
// the portfolio ran inline or in a worker (whose result arrives as a structured clone, without
// prototypes, and is rebuilt on this thread).
import { afterAll, describe, expect, it } from 'vitest';
import type { RunConfig } from '../../src/config/schema.js';
import { DEFAULT_EXECUTION } from '../../src/engine/spec.js';
import { runBacktest, type PortfolioOk } from '../../src/workflow/run.js';
import { createWorkerPool } from '../../workers/index.js';
import { barsFrom, kernelModule, specWith } from '../helpers/kernel.js';

const pool = createWorkerPool({ size: 1 });
afterAll(() => pool.dispose());

function config(): RunConfig {
  return {
    workflow: { type: 'multi_portfolio_backtest', name: 'fills' }, data: { source: 'csv', symbols: ['SPY'] },
    tradingSystems: [specWith({ portfolioId: 'p', namespace: 'p', strategy: { type: 'signals', column: 'signal', allowShort: true },
      execution: { ...DEFAULT_EXECUTION, commission: { perShare: 0.5, percent: 0, minimum: 0 } } })],
    execution: DEFAULT_EXECUTION, reporting: { individualReports: false, combinedDashboard: false, correlationAnalysis: false },
    tracing: 'off', warnings: [],
  };
}

describe('result fills', () => {
  for (const executor of ['inline', 'workers'] as const) {
    it(`iterate as { barIndex, timestamp, symbol, quantity, price, commission, realized } (${executor})`, async () => {
      // Signals +1, +1, −1, −1, fixed 10, 0.5 per share. Bar 0 close 11: buy 10 → fills at bar 1's open 12
      // (commission 5). Bar 2 signal −1: target −10, order −20 → fills at bar 3's open 15 (commission 10):
      // realized 10·(15 − 12) = 30.
      const bars = barsFrom([[10, 11], [12, 13], [14, 14], [15, 16]]);
      bars.columns.signal = [Float64Array.of(1, 1, -1, -1)];
      const result = await runBacktest(config(), { bars, executor: executor === 'inline' ? 'inline' : pool, kernel: await kernelModule() });
      const p = result.portfolios.p as PortfolioOk;
      const expected = [
        { barIndex: 1, timestamp: bars.timestamps[1], symbol: 'SPY', quantity: 10, price: 12, commission: 5, realized: 0 },
        { barIndex: 3, timestamp: bars.timestamps[3], symbol: 'SPY', quantity: -20, price: 15, commission: 10, realized: 30 },
      ];
      expect([...p.fills]).toEqual(expected);
      expect(p.fills.length).toBe(2);
      expect(p.fills.at(0)).toEqual(expected[0]);
      expect(p.fills.at(-1)).toEqual(expected[1]);
      expect(p.fills.at(2)).toBeUndefined();
      expect(p.fills.toArray()).toEqual(expected);
      // The columnar storage, for speed.
      expect(p.fills.columns.price).toBeInstanceOf(Float64Array);
      expect(Array.from(p.fills.columns.quantity)).toEqual([10, -20]);
      expect(Array.from(p.fills.columns.orderSeq)).toEqual([1, 4]);
      // Trades are objects already: one closed long (12 → 15) and an open short.
      expect(p.trades.map((t) => [t.symbol, t.direction, t.open])).toEqual([['SPY', 'long', false], ['SPY', 'short', true]]);
    });
  }

  it('is empty (and iterates nothing) when fills are not kept', async () => {
    const bars = barsFrom([[10, 11], [12, 13]]);
    bars.columns.signal = [Float64Array.of(1, 1)];
    const result = await runBacktest(config(), { bars, executor: 'inline', kernel: await kernelModule(), keep: { fills: false } });
    const p = result.portfolios.p as PortfolioOk;
    expect([...p.fills]).toEqual([]);
    expect(p.fills.length).toBe(0);
  });
});
