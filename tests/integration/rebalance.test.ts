// The capital rebalancer, worked by hand: scheduled moves, threshold, partial moves for lack of cash,
// sizers seeing new capital from the next bar, rebalance events on both namespaces, executors agreeing,
// and the kernel's capital flows matching the reference model on random runs.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/index.js';
import type { RebalanceSpec, RunConfig } from '../../src/config/schema.js';
import type { AlignedBars } from '../../src/data/bars.js';
import { decodeAll } from '../../src/engine/records.js';
import { DEFAULT_EXECUTION, type PortfolioSpec } from '../../src/engine/spec.js';
import { analysisToJSON, analyze } from '../../src/analytics/analyze.js';
import { calendarOf } from '../../src/data/calendar.js';
import { rebalanceSteps } from '../../src/workflow/rebalance.js';
import { runBacktest, type PortfolioOk, type RunResult } from '../../src/workflow/run.js';
import { systemScratch, TradingSystem } from '../../src/workflow/system.js';
import { createWorkerPool } from '../../workers/index.js';
import { barsAndSpecArb } from '../helpers/arbitraries.js';
import { barsFrom, kernelModule, specWith } from '../helpers/kernel.js';
import { runReference } from '../reference/model.js';

/** Flat prices at 100 and a signal column: NaN means "no signal" (a portfolio that only holds cash). */
function flatBars(steps: number, signal: number[] = []): AlignedBars {
  const bars = barsFrom(Array.from({ length: steps }, () => [100, 100] as [number, number]));
  bars.columns.signal = [Float64Array.from({ length: steps }, (_, i) => signal[i] ?? NaN)];
  return bars;
}

/** 400 bars of a saw-tooth close around 100, opening at the previous close; signals flip every ~20 bars. */
function sawBars(): AlignedBars {
  const bars = flatBars(400, Array.from({ length: 400 }, (_, i) => (i % 37 < 20 ? 1 : -1)));
  bars.close[0] = Float64Array.from({ length: 400 }, (_, i) => 100 + ((i * 7) % 13) - 6);
  bars.open[0] = Float64Array.from(bars.close[0], (c, i) => (i ? bars.close[0][i - 1] : c));
  bars.high[0] = Float64Array.from(bars.close[0], (c, i) => Math.max(c, bars.open[0][i]));
  bars.low[0] = Float64Array.from(bars.close[0], (c, i) => Math.min(c, bars.open[0][i]));
  return bars;
}

const cashOnly = (id: string, capital: number, over: Partial<PortfolioSpec> = {}): PortfolioSpec => ({
  portfolioId: id, namespace: id, initialCapital: capital, strategy: { type: 'signals', column: 'signal', allowShort: true },
  sizers: [{ type: 'fixed', size: 1 }], limits: [], execution: DEFAULT_EXECUTION, ...over,
});

function configOf(systems: PortfolioSpec[], rebalance: RebalanceSpec): RunConfig {
  return {
    workflow: { type: 'multi_portfolio_backtest', name: 'rebalance' }, data: { source: 'csv', symbols: ['SPY'] }, tradingSystems: systems,
    execution: DEFAULT_EXECUTION, rebalance, reporting: { individualReports: false, combinedDashboard: false, correlationAnalysis: false },
    tracing: 'full', warnings: [],
  };
}

const ok = (r: RunResult, id: string) => r.portfolios[id] as PortfolioOk;
const pool = createWorkerPool({ size: 2 });
afterAll(() => pool.dispose());

describe('rebalance schedule', () => {
  it('rebalances at the last bar of each period, never at the final step', () => {
    // 1-minute bars over two days: 09:30–09:32 on Jan 2 and on Jan 3 (UTC here for clarity).
    const t = (d: number, m: number) => Date.UTC(2024, 0, d, 14, 30 + m);
    const ts = Float64Array.from([t(2, 0), t(2, 1), t(2, 2), t(3, 0), t(3, 1), t(3, 2)]);
    expect(rebalanceSteps(ts, 'daily')).toEqual([2]);
    expect(rebalanceSteps(ts, { everyBars: 2 })).toEqual([1, 3]);
    expect(rebalanceSteps(ts, 'monthly')).toEqual([]);
    // Wed Jan 31, Thu Feb 1, Fri Mar 29, Mon Apr 1, Tue Apr 2. Months change after steps 0 (Jan → Feb),
    // 1 (Feb → Mar) and 2 (Mar → Apr); the quarter only after step 2; ISO weeks (from Monday) after
    // step 1 (Feb 1 and Mar 29 are weeks apart) and step 2 (Fri → Mon); Jan 31 and Feb 1 share a week.
    // Daily bars are New York midnights (05:00 UTC in EST, 04:00 UTC in EDT): the exchange calendar cuts them.
    const month = Float64Array.from([Date.UTC(2024, 0, 31, 5), Date.UTC(2024, 1, 1, 5), Date.UTC(2024, 2, 29, 4), Date.UTC(2024, 3, 1, 4), Date.UTC(2024, 3, 2, 4)]);
    expect(rebalanceSteps(month, 'monthly')).toEqual([0, 1, 2]);
    expect(rebalanceSteps(month, 'quarterly')).toEqual([2]);
    expect(rebalanceSteps(month, 'weekly')).toEqual([1, 2]);
    // Bars at 23:00 New York (04:00 UTC the next day, EST): UTC months would change a day early.
    const late = Float64Array.from([Date.UTC(2024, 0, 31, 4), Date.UTC(2024, 1, 1, 4), Date.UTC(2024, 1, 2, 4)]); // Jan 30, Jan 31, Feb 1 in New York
    expect(rebalanceSteps(late, 'monthly')).toEqual([1]);
    expect(rebalanceSteps(late, 'monthly', calendarOf('UTC'))).toEqual([0]);
  });

  it('the config rejects weights that do not sum to 1 and unknown portfolios', () => {
    const yaml = (weights: string) => `data: { source: generated, symbols: [SPY], bars: 10, interval: 1m, seed: 1 }
trading_systems:
  - { portfolio_id: a, initial_capital: 1000, strategy: { type: buy_and_hold }, risk: { position_sizers: [{ type: fixed, size: 1 }] } }
  - { portfolio_id: b, initial_capital: 1000, strategy: { type: buy_and_hold }, risk: { position_sizers: [{ type: fixed, size: 1 }] } }
rebalance: { target_weights: ${weights}, schedule: daily }`;
    expect(() => loadConfig(yaml('{ a: 0.6, b: 0.5 }'))).toThrow(ConfigError);
    expect(() => loadConfig(yaml('{ a: 0.6, b: 0.5 }'))).toThrow(/rebalance\.target_weights.*sum/);
    expect(() => loadConfig(yaml('{ a: 0.5, zz: 0.5 }'))).toThrow(/zz/);
    expect(loadConfig(yaml('{ a: 0.25, b: 0.75 }')).rebalance?.targetWeights).toEqual({ a: 0.25, b: 0.75 });
  });
});

describe('PortfolioRebalancer', () => {
  it('moves cash to the targets at each scheduled close, with an event on both namespaces', async () => {
    // A 60 000, B 40 000, cash only, targets 50/50 every 2 bars → steps 1 and 3.
    // Step 1: combined 100 000 → A gives 10 000 to B; both show it in step 1's equity already.
    // Step 3: both at 50 000 → nothing to move.
    const r = await runBacktest(configOf([cashOnly('A', 60_000), cashOnly('B', 40_000)], { targetWeights: { A: 0.5, B: 0.5 }, schedule: { everyBars: 2 } }),
      { bars: flatBars(5), executor: 'inline', kernel: await kernelModule() });
    expect(Array.from(ok(r, 'A').equity)).toEqual([60_000, 50_000, 50_000, 50_000, 50_000]);
    expect(Array.from(ok(r, 'B').cash)).toEqual([40_000, 50_000, 50_000, 50_000, 50_000]);
    expect(r.rebalances.map((d) => [d.step, d.transfers, d.partial])).toEqual([
      [1, [{ step: 1, from: 'A', to: 'B', amount: 10_000 }], false],
      [3, [], false],
    ]);
    expect(r.rebalances[0].weightsBefore).toEqual({ A: 0.6, B: 0.4 });
    expect(ok(r, 'A').flows).toEqual([{ step: 1, amount: -10_000 }]);
    expect(ok(r, 'A').events.map((e) => [e.type, e.namespace, e.barIndex, e.payload])).toEqual([['rebalance', 'A', 1, { from: 'A', to: 'B', amount: -10_000 }]]);
    expect(ok(r, 'B').events.map((e) => [e.type, e.namespace, e.payload])).toEqual([['rebalance', 'B', { from: 'A', to: 'B', amount: 10_000 }]]);
  });

  it('does nothing while no weight has drifted more than the threshold', async () => {
    // A 52 000, B 48 000: weights 0.52/0.48, drift 0.02 ≤ threshold 0.05 → skipped, equity untouched.
    const r = await runBacktest(configOf([cashOnly('A', 52_000), cashOnly('B', 48_000)], { targetWeights: { A: 0.5, B: 0.5 }, schedule: { everyBars: 1 }, threshold: 0.05 }),
      { bars: flatBars(3), executor: 'inline', kernel: await kernelModule() });
    expect(r.rebalances.map((d) => d.skipped)).toEqual(['threshold', 'threshold']);
    expect(Array.from(ok(r, 'A').equity)).toEqual([52_000, 52_000, 52_000]);
  });

  it('moves only what a donor has in cash, and says the move is partial', async () => {
    // A: 100 000, buys 900 shares at 100 (order at bar 0, fill at bar 1's open) → cash 10 000, equity 100 000.
    // B: 20 000 cash. Targets A 0.3, B 0.7 of 120 000 → A should give 64 000 but has 10 000 in cash:
    // it gives 10 000 (partial). A: 90 000 (cash 0), B: 30 000.
    const holder = cashOnly('A', 100_000, { strategy: { type: 'buy_and_hold' }, sizers: [{ type: 'fixed', size: 900 }] });
    const r = await runBacktest(configOf([holder, cashOnly('B', 20_000)], { targetWeights: { A: 0.3, B: 0.7 }, schedule: { everyBars: 2 } }),
      { bars: flatBars(3), executor: 'inline', kernel: await kernelModule() });
    expect(r.rebalances[0]).toMatchObject({ step: 1, partial: true, transfers: [{ from: 'A', to: 'B', amount: 10_000 }] });
    expect(Array.from(ok(r, 'A').cash)).toEqual([100_000, 0, 0]);
    expect(Array.from(ok(r, 'A').equity)).toEqual([100_000, 90_000, 90_000]);
    expect(Array.from(ok(r, 'B').equity)).toEqual([20_000, 30_000, 30_000]);
  });

  it('equity-based sizers see the new capital from the next bar on', async () => {
    // A: 10 000, percentage 0.5, signal +1 at bar 2 (close 100). B: 30 000 cash. 50/50 at step 1:
    // A receives 10 000 → 20 000, so at bar 2 it sizes floor(0.5 · 20 000 / 100) = 100 shares (not 50).
    const trader = cashOnly('A', 10_000, { sizers: [{ type: 'percentage', size: 0.5 }] });
    const r = await runBacktest(configOf([trader, cashOnly('B', 30_000)], { targetWeights: { A: 0.5, B: 0.5 }, schedule: { everyBars: 2 } }),
      { bars: flatBars(4, [NaN, NaN, 1, NaN]), executor: 'inline', kernel: await kernelModule() });
    expect(ok(r, 'A').fills.toArray().map((f) => [f.barIndex, f.quantity])).toEqual([[3, 100]]);
  });

  it('a rebalanced run is identical inline and in workers', async () => {
    const bars = sawBars();
    const config = configOf([
      cashOnly('A', 50_000, { sizers: [{ type: 'percentage', size: 0.5 }] }),
      cashOnly('B', 30_000, { strategy: { type: 'momentum', lookbackPeriod: 3, momentumThreshold: 0, allowShort: true }, sizers: [{ type: 'percentage', size: 0.8 }] }),
      cashOnly('C', 20_000),
    ], { targetWeights: { A: 0.4, B: 0.4, C: 0.2 }, schedule: { everyBars: 25 }, threshold: 0.01 });
    const inline = await runBacktest(config, { bars, executor: 'inline' });
    const pooled = await runBacktest(config, { bars, executor: pool });
    expect(inline.rebalances.filter((d) => d.transfers.length).length).toBeGreaterThan(3);
    expect(pooled.rebalances).toEqual(inline.rebalances);
    for (const id of ['A', 'B', 'C']) {
      expect(Array.from(ok(pooled, id).equity)).toEqual(Array.from(ok(inline, id).equity));
      expect(ok(pooled, id).flows).toEqual(ok(inline, id).flows);
    }
  });
});

describe('analyze on a rebalanced run', () => {
  it('attribution sums to the combined return; internal moves net to zero', async () => {
    // The same three systems as the executor test above, rebalanced every 25 bars.
    const bars = sawBars();
    const systems = [
      cashOnly('A', 50_000, { sizers: [{ type: 'percentage', size: 0.5 }] }),
      cashOnly('B', 30_000, { strategy: { type: 'momentum', lookbackPeriod: 3, momentumThreshold: 0, allowShort: true }, sizers: [{ type: 'percentage', size: 0.8 }] }),
    ];
    const r = await runBacktest(configOf(systems, { targetWeights: { A: 0.5, B: 0.5 }, schedule: { everyBars: 25 } }), { bars, executor: 'inline' });
    const a = analyze(r, { frequency: 'bar' });
    const finals = ok(r, 'A').finalEquity + ok(r, 'B').finalEquity;
    // Σ initial 80 000; moves are internal, so the combined return is just (Σ final − 80 000) / 80 000.
    expect(a.attribution.combinedReturn).toBeCloseTo(finals / 80_000 - 1, 12);
    expect(a.attribution.contributions.A + a.attribution.contributions.B).toBeCloseTo(a.attribution.combinedReturn, 12);
    // The identities above are the implementation's own; each quantity also against a value found
    // another way: A's net flow from the rebalancer's decisions (not the portfolio's flow list).
    const fromDecisions = (id: string) => r.rebalances.flatMap((d) => d.transfers)
      .reduce((sum, t) => sum + (t.to === id ? t.amount : t.from === id ? -t.amount : 0), 0);
    expect(r.rebalances[0].transfers).toEqual([{ step: 24, from: 'A', to: 'B', amount: expect.any(Number) }]);
    expect(fromDecisions('A')).toBeLessThan(0); // A started above its half (50 000 of 80 000 vs 40 000) and gave
    expect(a.attribution.netFlows.A).toBeCloseTo(fromDecisions('A'), 6);
    expect(a.attribution.netFlows.B).toBeCloseTo(fromDecisions('B'), 6);
    expect(a.attribution.netFlows.A + a.attribution.netFlows.B).toBeCloseTo(0, 9);
    // P&L leaves the capital given or received out: final − initial − net flows; contribution = P&L / 80 000.
    const pnlA = ok(r, 'A').finalEquity - 50_000 - fromDecisions('A');
    const pnlB = ok(r, 'B').finalEquity - 30_000 - fromDecisions('B');
    expect(a.attribution.pnl.A).toBeCloseTo(pnlA, 6);
    expect(a.attribution.contributions.A).toBeCloseTo(pnlA / 80_000, 12);
    expect(a.attribution.contributions.B).toBeCloseTo(pnlB / 80_000, 12);
    expect(Object.keys(a.metrics)).toEqual(['A', 'B']);
    // The JSON form carries the typed series as plain arrays, value for value.
    const json = JSON.parse(JSON.stringify(analysisToJSON(a)));
    expect(json.attribution.series.timestamps).toEqual(Array.from(r.timestamps));
    expect(json.attribution.series.cumulative.A).toEqual(Array.from(a.attribution.series.cumulative.A));
    expect(json.attribution.contributions).toEqual(a.attribution.contributions);
  });
});

describe('capital flows: kernel ≡ reference model', () => {
  it('matches on 500 random runs with random flows', async () => {
    const module = await kernelModule();
    await fc.assert(fc.asyncProperty(barsAndSpecArb, fc.array(fc.tuple(fc.nat(300), fc.integer({ min: -5_000, max: 5_000 })), { maxLength: 6 }),
      async ([bars, spec], raw) => {
        const steps = bars.timestamps.length;
        const flows = [...new Map(raw.map(([s, a]) => [s % steps, a])).entries()].map(([step, amount]) => ({ step, amount })).sort((a, b) => a.step - b.step);
        const system = await TradingSystem.create(module, spec, bars, { tracing: 'full' });
        for (const f of flows) {
          system.advance(f.step + 1);
          system.adjustCash(f.amount);
        }
        system.advance(steps);
        const run = system.finish();
        const ref = runReference(spec, bars, flows);
        expect(decodeAll(run.recordData)).toEqual(ref.records);
        // The result keeps the portfolio's own steps (a bar of one of its symbols): compare there.
        const own = run.sampledAt ? Array.from(run.sampledAt) : Array.from({ length: steps }, (_, k) => k);
        expect(Array.from(run.equity)).toEqual(own.map((k) => ref.equity[k]));
        expect(Array.from(run.cash)).toEqual(own.map((k) => ref.cash[k]));
      }), { numRuns: 500 });
  });
});

describe('scratch storage', () => {
  it('refuses a capital move, and scratch arrays shorter than the run', async () => {
    const module = await kernelModule();
    const bars = barsFrom([[10, 11], [12, 13], [13, 12], [12, 14]]);
    const spec = specWith({});
    await expect(TradingSystem.create(module, spec, bars, { tracing: 'off', scratch: systemScratch(3) }))
      .rejects.toThrow('scratch outputs hold 3 steps; the run has 4');
    const system = await TradingSystem.create(module, spec, bars, { tracing: 'off', scratch: systemScratch(4) });
    system.advance(2);
    expect(() => system.adjustCash(1_000)).toThrow('capital cannot move in a system that writes to scratch outputs');
  });
});
