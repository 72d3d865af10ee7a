// The rebalancer where it meets the run: the threshold exactly at the boundary, a failed portfolio's
// weight shared out among the live ones, 'no equity', rebalance events after the same bar's kernel
// events, and an abort in the middle of a lockstep run. Expected values worked by hand in the comments.
import { afterAll, describe, expect, it } from 'vitest';
import type { RebalanceSpec, RunConfig } from '../../src/config/schema.js';
import type { AlignedBars } from '../../src/data/bars.js';
import { DEFAULT_EXECUTION, type PortfolioSpec } from '../../src/engine/spec.js';
import { PortfolioRebalancer, rebalanceSteps } from '../../src/workflow/rebalance.js';
import { runBacktest, type PortfolioOk, type RunResult } from '../../src/workflow/run.js';
import type { SystemState } from '../../src/workflow/system.js';
import { createWorkerPool } from '../../workers/index.js';
import { barsFrom, kernelModule } from '../helpers/kernel.js';

/** Bars from [open, close] rows, a signal column (NaN: no signal) and a column with no signal at all. */
function barsWith(rows: Array<[number, number]>, signal: number[] = []): AlignedBars {
  const bars = barsFrom(rows);
  bars.columns.signal = [Float64Array.from(rows, (_, i) => signal[i] ?? NaN)];
  bars.columns.quiet = [new Float64Array(rows.length).fill(NaN)];
  return bars;
}
const flat = (steps: number, signal: number[] = []) => barsWith(Array.from({ length: steps }, () => [100, 100] as [number, number]), signal);

const cashOnly = (id: string, capital: number, over: Partial<PortfolioSpec> = {}): PortfolioSpec => ({
  portfolioId: id, namespace: id, initialCapital: capital, strategy: { type: 'signals', column: 'signal', allowShort: true },
  sizers: [{ type: 'fixed', size: 10 }], limits: [], execution: DEFAULT_EXECUTION, ...over, // no commission, no slippage
});

function configOf(systems: PortfolioSpec[], rebalance: RebalanceSpec): RunConfig {
  return {
    workflow: { type: 'multi_portfolio_backtest', name: 'seams' }, data: { source: 'csv', symbols: ['SPY'] }, tradingSystems: systems,
    execution: DEFAULT_EXECUTION, rebalance, reporting: { individualReports: false, combinedDashboard: false, correlationAnalysis: false },
    tracing: 'full', warnings: [],
  };
}

const ok = (r: RunResult, id: string) => r.portfolios[id] as PortfolioOk;
const state = (portfolioId: string, equity: number, cash = equity): SystemState => ({ portfolioId, step: 0, equity, cash, halted: false });
const pool = createWorkerPool({ size: 2 });
afterAll(() => pool.dispose());

describe('rebalance threshold at the boundary', () => {
  // A 75, B 25 of 100, targets ½ each: both drift by exactly 0.25 (every number here is exact in binary).
  const spec = (threshold: number): RebalanceSpec => ({ targetWeights: { A: 0.5, B: 0.5 }, schedule: 'daily', threshold });

  it('a drift equal to the threshold moves nothing; a drift just above it moves', () => {
    const at = new PortfolioRebalancer(spec(0.25)).plan([state('A', 75), state('B', 25)], 3, 1_000);
    expect(at).toMatchObject({ skipped: 'threshold', transfers: [], moves: [], weightsBefore: { A: 0.75, B: 0.25 }, targets: { A: 0.5, B: 0.5 } });
    const below = new PortfolioRebalancer(spec(0.25 - 2 ** -20)).plan([state('A', 75), state('B', 25)], 3, 1_000);
    expect(below.skipped).toBeUndefined();
    expect(below.transfers).toEqual([{ step: 3, from: 'A', to: 'B', amount: 25 }]);
    expect(below.moves).toEqual([{ portfolioId: 'A', amount: -25 }, { portfolioId: 'B', amount: 25 }]);
  });

  it('measures drift as the largest of all portfolios, not the smallest', () => {
    // 400 / 300 / 100 of 800 against ½, ¼, ¼: drifts 0, 0.125, 0.125 → 0.125 > 0.1 → B gives 100 to C.
    const plan = new PortfolioRebalancer({ targetWeights: { A: 0.5, B: 0.25, C: 0.25 }, schedule: 'daily', threshold: 0.1 })
      .plan([state('A', 400), state('B', 300), state('C', 100)], 0, 0);
    expect(plan.skipped).toBeUndefined();
    expect(plan.transfers.map((t) => [t.from, t.to, t.amount])).toEqual([['B', 'C', 100]]);
  });

  it('ignores portfolios it has no target for', () => {
    const plan = new PortfolioRebalancer({ targetWeights: { A: 0.5, B: 0.5 }, schedule: 'daily' }).plan([state('A', 75), state('X', 1_000), state('B', 25)], 0, 0);
    expect(plan).toMatchObject({ weightsBefore: { A: 0.75, B: 0.25 }, targets: { A: 0.5, B: 0.5 } });
    expect(plan.transfers.map((t) => [t.from, t.to, t.amount])).toEqual([['A', 'B', 25]]);
  });

  it('the config threshold reaches the run: 75 000 / 25 000 at threshold 0.25 stays put, at 0.2 moves 25 000', async () => {
    const kernel = await kernelModule();
    const systems = [cashOnly('A', 75_000), cashOnly('B', 25_000)];
    const still = await runBacktest(configOf(systems, { targetWeights: { A: 0.5, B: 0.5 }, schedule: { everyBars: 1 }, threshold: 0.25 }), { bars: flat(3), executor: 'inline', kernel });
    expect(still.rebalances.map((d) => d.skipped)).toEqual(['threshold', 'threshold']);
    expect(Array.from(ok(still, 'A').equity)).toEqual([75_000, 75_000, 75_000]);
    const moved = await runBacktest(configOf(systems, { targetWeights: { A: 0.5, B: 0.5 }, schedule: { everyBars: 1 }, threshold: 0.2 }), { bars: flat(3), executor: 'inline', kernel });
    // Step 0: A gives 25 000 → 50 000 each; step 1: no drift (0 > 0.2 is false) → skipped.
    expect(moved.rebalances.map((d) => [d.skipped, d.transfers.map((t) => t.amount)])).toEqual([[undefined, [25_000]], ['threshold', []]]);
    expect(Array.from(ok(moved, 'B').equity)).toEqual([50_000, 50_000, 50_000]);
  });
});

describe('rebalance with a failed portfolio', () => {
  it("shares the failed portfolio's weight out in proportion to the live ones' targets", async () => {
    // Targets A 0.4, B 0.4, C 0.2; C trades an unknown symbol and fails at start. Live targets
    // 0.4 / 0.8 = ½ each. A 70 000 + B 30 000 = 100 000 → A gives 20 000 (without renormalizing:
    // targets 40 000 each, and A would give only 30 000 − 40 000… i.e. 10 000 less).
    const systems = [cashOnly('A', 70_000), cashOnly('B', 30_000), cashOnly('C', 50_000, { symbols: ['QQQ'] })];
    const r = await runBacktest(configOf(systems, { targetWeights: { A: 0.4, B: 0.4, C: 0.2 }, schedule: { everyBars: 2 } }),
      { bars: flat(4), executor: 'inline', kernel: await kernelModule() });
    expect(r.portfolios.C).toMatchObject({ status: 'failed', error: 'unknown symbol "QQQ"; the data has SPY' });
    expect(r.rebalances).toHaveLength(1);
    expect(r.rebalances[0]).toMatchObject({ step: 1, targets: { A: 0.5, B: 0.5 }, weightsBefore: { A: 0.7, B: 0.3 }, partial: false,
      transfers: [{ step: 1, from: 'A', to: 'B', amount: 20_000 }] });
    expect(Array.from(ok(r, 'A').equity)).toEqual([70_000, 50_000, 50_000, 50_000]);
    expect(Array.from(ok(r, 'B').cash)).toEqual([30_000, 50_000, 50_000, 50_000]);
  });

  it("skips with 'no equity' when nothing live has equity or a target, and says why", () => {
    const rebalancer = new PortfolioRebalancer({ targetWeights: { A: 0.5, B: 0.5 }, schedule: 'daily' });
    const none = rebalancer.plan([state('A', 0), state('B', 0)], 4, 9);
    expect(none).toMatchObject({ step: 4, timestamp: 9, skipped: 'no equity', transfers: [], moves: [], partial: false, targets: { A: 0.5, B: 0.5 } });
    expect(none.weightsBefore.A).toBeNaN();
    // A negative combined equity (a short gone wrong) is no equity to share either.
    const negative = rebalancer.plan([state('A', -10), state('B', 5)], 4, 9);
    expect(negative.skipped).toBe('no equity');
    expect(negative.weightsBefore.A).toBeNaN(); // not −10 / −5 = 2
    // Only portfolios without a target are live: no weight to share.
    expect(rebalancer.plan([state('X', 100)], 4, 9)).toMatchObject({ skipped: 'no equity', targets: {}, weightsBefore: {} });
    // B failed and A's own target is 0: equity, but no weight to share it by (not NaN targets).
    const zero = new PortfolioRebalancer({ targetWeights: { A: 0, B: 1 }, schedule: 'daily' }).plan([state('A', 100)], 4, 9);
    expect(zero).toMatchObject({ skipped: 'no equity', transfers: [], moves: [] });
    // One live portfolio with equity: its target is everything, nothing to move, not skipped.
    expect(rebalancer.plan([state('A', 100)], 4, 9)).toMatchObject({ targets: { A: 1 }, weightsBefore: { A: 1 }, transfers: [], moves: [] });
    expect(rebalancer.plan([state('A', 100)], 4, 9).skipped).toBeUndefined();
  });

  it('pairs donors with receivers in config order, never taking a donor below zero cash', () => {
    // Targets ¼ each of 400: A 200 (cash 40) and B 150 (cash 150) give; C 50 and D 0 receive.
    // A owes 100 but has 40: gives 40 to C. B owes 50: gives 10 more to C (C needed 50), then 40 to D. D still lacks 60.
    const plan = new PortfolioRebalancer({ targetWeights: { A: 0.25, B: 0.25, C: 0.25, D: 0.25 }, schedule: 'daily' })
      .plan([state('A', 200, 40), state('B', 150), state('C', 50), state('D', 0)], 2, 0);
    expect(plan.partial).toBe(true);
    expect(plan.transfers.map((t) => [t.from, t.to, t.amount])).toEqual([['A', 'C', 40], ['B', 'C', 10], ['B', 'D', 40]]);
    expect(plan.moves).toEqual([{ portfolioId: 'A', amount: -40 }, { portfolioId: 'B', amount: -50 }, { portfolioId: 'C', amount: 50 }, { portfolioId: 'D', amount: 40 }]);
  });
});

describe('rebalance schedule: ISO weeks', () => {
  it('a week starts on Monday: Sunday to Monday is a new week, Monday to Sunday is not', () => {
    // Sun 2024-01-07, Mon 01-08, Sun 01-14, Mon 01-15.
    const ts = Float64Array.from([7, 8, 14, 15].map((d) => Date.UTC(2024, 0, d, 15)));
    expect(rebalanceSteps(ts, 'weekly')).toEqual([0, 2]);
  });
});

describe('rebalance events in bar order', () => {
  // A: signal +1 at bar 2 → order at bar 2's close (10 shares at 100), fill at bar 3's open 100;
  // bar 3 closes at 110 → A's equity 50 000 + 10 · 10 = 50 100. B holds 50 000 cash after step 1.
  // Every 2 bars: step 1 (A 60 000 → gives 10 000 to B) and step 3 (A 50 100 vs B 50 000 → A gives 50).
  const rows: Array<[number, number]> = [[100, 100], [100, 100], [100, 100], [100, 110], [110, 110]];
  const quiet = cashOnly('B', 40_000, { strategy: { type: 'signals', column: 'quiet', allowShort: true } });
  const config = configOf([cashOnly('A', 60_000), quiet], { targetWeights: { A: 0.5, B: 0.5 }, schedule: { everyBars: 2 } });

  for (const executor of ['inline', 'workers'] as const) {
    it(`a rebalance comes after its bar's signal, order and fill (${executor})`, async () => {
      const r = await runBacktest(config, { bars: barsWith(rows, [NaN, NaN, 1]), executor: executor === 'inline' ? 'inline' : pool, kernel: await kernelModule() });
      expect(r.rebalances.map((d) => d.transfers.map((t) => [t.step, t.from, t.to, t.amount]))).toEqual([[[1, 'A', 'B', 10_000]], [[3, 'A', 'B', 50]]]);
      expect(ok(r, 'A').events.map((e) => `${e.type}@${e.barIndex}`)).toEqual(['rebalance@1', 'signal@2', 'order@2', 'fill@3', 'rebalance@3']);
      expect(ok(r, 'B').events.map((e) => `${e.type}@${e.barIndex}`)).toEqual(['rebalance@1', 'rebalance@3']);
      const [, , , fill, last] = ok(r, 'A').events;
      expect(fill.payload).toMatchObject({ quantity: 10, price: 100 });
      expect(last).toMatchObject({ id: 'A@rebalance1', seq: 1, causationId: 'A@bar3', timestamp: r.timestamps[3], payload: { from: 'A', to: 'B', amount: -50 } });
      expect(ok(r, 'A').flows).toEqual([{ step: 1, amount: -10_000 }, { step: 3, amount: -50 }]);
      expect(ok(r, 'A').finalEquity).toBe(50_050);
    });
  }
});

describe('abort in the middle of a rebalanced run', () => {
  for (const executor of ['inline', 'workers'] as const) {
    it(`rejects with an AbortError and no result (${executor}); the executor works afterwards`, async () => {
      const bars = flat(3_000, Array.from({ length: 3_000 }, (_, i) => (i % 50 < 25 ? 1 : -1)));
      const cfg = configOf([cashOnly('A', 60_000), cashOnly('B', 40_000)], { targetWeights: { A: 0.5, B: 0.5 }, schedule: { everyBars: 100 } });
      const controller = new AbortController();
      let seen = 0;
      const run = runBacktest(cfg, {
        bars, executor: executor === 'inline' ? 'inline' : pool, sliceSteps: 50, signal: controller.signal,
        onProgress: (p) => { seen = Math.max(seen, p.stepsDone); if (p.stepsDone >= 1_000) controller.abort(); },
      });
      await expect(run).rejects.toMatchObject({ name: 'AbortError' });
      expect(seen).toBeGreaterThanOrEqual(1_000);
      expect(seen).toBeLessThan(3_000);
      const after = await runBacktest(cfg, { bars, executor: executor === 'inline' ? 'inline' : pool });
      expect(after.rebalances).toHaveLength(29); // steps 99, 199, …, 2 899
      expect(ok(after, 'A').equity).toHaveLength(3_000);
    });
  }
});
