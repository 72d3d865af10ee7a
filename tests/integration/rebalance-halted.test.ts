// The rebalancer and halted portfolios, worked by hand: a bankrupt portfolio neither receives nor
// gives; the targets are renormalized over the others (docs/semantics.md, "Margin and bankruptcy").
import { afterAll, describe, expect, it } from 'vitest';
import type { RunConfig } from '../../src/config/schema.js';
import { DEFAULT_EXECUTION, type PortfolioSpec } from '../../src/engine/spec.js';
import { PortfolioRebalancer } from '../../src/workflow/rebalance.js';
import { runBacktest, type PortfolioOk, type RunResult } from '../../src/workflow/run.js';
import { createWorkerPool } from '../../workers/index.js';
import { barsFrom, kernelModule } from '../helpers/kernel.js';

const system = (id: string, capital: number, column: string): PortfolioSpec => ({
  portfolioId: id, namespace: id, initialCapital: capital, strategy: { type: 'signals', column, allowShort: true },
  sizers: [{ type: 'fixed', size: 100 }], limits: [], execution: DEFAULT_EXECUTION,
});

/**
 * SPY opens and closes at 10, then closes at 25 from step 1 on. A shorts 100 at step 0 (signal −1):
 * filled at step 1's open 10 (cash 2 000), marked at 25: equity 2 000 − 2 500 = −500 → bankrupt at
 * step 1. B (1 000) and C (3 000) never trade (their column is all NaN).
 */
function config(): { config: RunConfig; bars: ReturnType<typeof barsFrom> } {
  const bars = barsFrom([[10, 10], [10, 25], [25, 25], [25, 25], [25, 25], [25, 25]]);
  bars.columns.short = [Float64Array.of(-1, -1, -1, -1, -1, -1)];
  bars.columns.idle = [new Float64Array(6).fill(NaN)];
  const config: RunConfig = {
    workflow: { type: 'multi_portfolio_backtest', name: 'halted' }, data: { source: 'csv', symbols: ['SPY'] },
    tradingSystems: [system('A', 1_000, 'short'), system('B', 1_000, 'idle'), system('C', 3_000, 'idle')],
    execution: DEFAULT_EXECUTION,
    rebalance: { targetWeights: { A: 1 / 3, B: 1 / 3, C: 1 / 3 }, schedule: { everyBars: 2 } },
    reporting: { individualReports: false, combinedDashboard: false, correlationAnalysis: false }, tracing: 'trades', warnings: [],
  };
  return { config, bars };
}

const pool = createWorkerPool({ size: 1 });
afterAll(() => pool.dispose());

describe('rebalancing around a halted portfolio', () => {
  it('plans nothing into or out of a halted portfolio and renormalizes the targets over the others', () => {
    // Without the exclusion, A (equity −500 of a combined 3 500) would be owed 3 500/3 + 500 = 1 666.67.
    const plan = new PortfolioRebalancer({ targetWeights: { A: 1 / 3, B: 1 / 3, C: 1 / 3 }, schedule: { everyBars: 2 } }).plan([
      { portfolioId: 'A', step: 1, equity: -500, cash: 2_000, halted: true },
      { portfolioId: 'B', step: 1, equity: 1_000, cash: 1_000, halted: false },
      { portfolioId: 'C', step: 1, equity: 3_000, cash: 3_000, halted: false },
    ], 1, 0);
    // B and C: targets 1/2 each of 4 000 → C gives 3 000 − 2 000 = 1 000 to B.
    expect(plan.targets).toEqual({ B: 0.5, C: 0.5 });
    expect(plan.transfers).toEqual([{ step: 1, from: 'C', to: 'B', amount: 1_000 }]);
  });

  for (const where of ['inline', 'workers'] as const) {
    it(`a bankrupt portfolio receives nothing in a run (${where})`, async () => {
      const { config: cfg, bars } = config();
      const r: RunResult = await runBacktest(cfg, { bars, executor: where === 'inline' ? 'inline' : pool, kernel: await kernelModule() });
      const [a, b, c] = (['A', 'B', 'C'] as const).map((id) => r.portfolios[id] as PortfolioOk);
      expect(a.bankrupt).toBe(true);
      expect(a.events.some((e) => e.type === 'risk' && e.payload.reason === 'bankrupt')).toBe(true);
      // Rebalances at steps 1 and 3 (every 2 bars, never the final step 5). Step 1: A is out; B and C
      // split 4 000 evenly (C → B 1 000). Step 3: B and C at 2 000 each: nothing to move.
      expect(r.rebalances.map((d) => [d.step, d.targets, d.transfers])).toEqual([
        [1, { B: 0.5, C: 0.5 }, [{ step: 1, from: 'C', to: 'B', amount: 1_000 }]],
        [3, { B: 0.5, C: 0.5 }, []],
      ]);
      expect(a.flows).toEqual([]);
      // A: bankrupt at step 1 (−500); its flattening buy fills at step 2's open 25: cash 2 000 − 2 500.
      expect(Array.from(a.equity)).toEqual([1_000, -500, -500, -500, -500, -500]);
      expect(Array.from(b.equity)).toEqual([1_000, 2_000, 2_000, 2_000, 2_000, 2_000]);
      expect(Array.from(c.equity)).toEqual([3_000, 2_000, 2_000, 2_000, 2_000, 2_000]);
    });
  }
});
