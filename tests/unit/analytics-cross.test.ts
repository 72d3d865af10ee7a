// Cross-portfolio analytics against hand-made oracles: correlations of series built to be +1, −1 and 0,
// Spearman with ties by hand, risk contributions in closed form, attribution with flows, drawdowns by hand.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { attribution } from '../../src/analytics/attribution.js';
import { averageRanks, correlationMatrix, moments } from '../../src/analytics/correlation.js';
import { analyzeCross, portfoliosFromRun, toPlain } from '../../src/analytics/cross.js';
import { drawdowns, drawdownSeries } from '../../src/analytics/drawdowns.js';
import type { PortfolioSeries } from '../../src/analytics/returns.js';
import { riskContribution, riskFromCovariance } from '../../src/analytics/risk.js';

const set = (columns: Record<string, number[]>) => ({
  ids: Object.keys(columns),
  returns: Object.fromEntries(Object.entries(columns).map(([id, v]) => [id, Float64Array.from(v)])),
});

describe('correlationMatrix', () => {
  it('Pearson: +1, −1 and 0 by construction', () => {
    const x = [0.01, -0.02, 0.03, 0.005, -0.01, 0.02, -0.005, 0.0];
    const c = correlationMatrix(set({
      x,
      up: x.map((v) => 2 * v + 0.003), // affine, positive slope
      down: x.map((v) => -0.5 * v), // negative slope
    }));
    expect(c.matrix[0][1]).toBeCloseTo(1, 14);
    expect(c.matrix[0][2]).toBeCloseTo(-1, 14);
    expect(c.matrix[1][2]).toBeCloseTo(-1, 14);
    expect(c.matrix[0][0]).toBe(1);
    // Centered and orthogonal: Σ(a − ā)(b − b̄) = 0 exactly.
    const zero = correlationMatrix(set({ a: [1, -1, 1, -1], b: [1, 1, -1, -1] }));
    expect(zero.matrix[0][1]).toBe(0);
    expect(zero.observations).toEqual([[4, 4], [4, 4]]);
  });

  it('uses pairwise overlaps and counts them', () => {
    const c = correlationMatrix(set({ a: [1, 2, NaN, 4, 5], b: [2, 4, 6, NaN, 10], c: [NaN, NaN, 1, 2, NaN] }));
    expect(c.observations).toEqual([[4, 3, 1], [3, 4, 1], [1, 1, 2]]);
    expect(c.matrix[0][1]).toBeCloseTo(1, 14); // over periods 0, 1, 4
    expect(c.matrix[0][2]).toBeNaN(); // one common period
    expect(c.matrix[2][2]).toBe(1);
  });

  it('a constant series: NaN with every other and NaN on its diagonal; never throws', () => {
    const c = correlationMatrix(set({ flat: [0.001, 0.001, 0.001], x: [0.01, -0.02, 0.03], empty: [NaN, NaN, NaN] }));
    expect(c.matrix[0][1]).toBeNaN();
    expect(c.matrix[0][0]).toBeNaN();
    expect(c.matrix[1][1]).toBe(1);
    expect(c.matrix[2]).toEqual([NaN, NaN, NaN]);
    expect(c.observations[2]).toEqual([0, 0, 0]);
    expect(correlationMatrix({ ids: [], returns: {} }).matrix).toEqual([]);
  });

  it('Spearman: average ranks for ties, worked by hand', () => {
    expect(Array.from(averageRanks([10, 20, 20, 20, 5]))).toEqual([2, 4, 4, 4, 1]);
    // x ranks [1, 2.5, 2.5, 4], y ranks [1, 3, 2, 4]: Σdxdy = 4.5, Σdx² = 4.5, Σdy² = 5 → 4.5/√22.5.
    const c = correlationMatrix(set({ x: [1, 2, 2, 3], y: [10, 30, 20, 40] }), { method: 'spearman' });
    expect(c.method).toBe('spearman');
    expect(c.matrix[0][1]).toBeCloseTo(4.5 / Math.sqrt(22.5), 14);
    // Monotone but not linear: Spearman 1, Pearson below 1.
    const m = set({ x: [1, 2, 3, 4, 5], y: [1, 8, 27, 64, 125] });
    expect(correlationMatrix(m, { method: 'spearman' }).matrix[0][1]).toBeCloseTo(1, 14);
    expect(correlationMatrix(m).matrix[0][1]).toBeLessThan(0.99);
  });
});

describe('risk contribution', () => {
  it('two portfolios in closed form: σ² = w1²σ1² + w2²σ2² + 2w1w2ρσ1σ2', () => {
    const [s1, s2, rho, w1, w2] = [0.2, 0.1, 0.3, 0.6, 0.4];
    const c = rho * s1 * s2;
    const r = riskFromCovariance([w1, w2], [[s1 * s1, c], [c, s2 * s2]]);
    const sigma = Math.sqrt(0.0144 + 0.0016 + 0.00288); // = √0.01888
    expect(r.volatility).toBeCloseTo(sigma, 15);
    expect(r.marginal[0]).toBeCloseTo((w1 * s1 * s1 + w2 * c) / sigma, 15); // 0.0264/σ
    expect(r.marginal[1]).toBeCloseTo((w2 * s2 * s2 + w1 * c) / sigma, 15); // 0.0076/σ
    expect(r.component[0]).toBeCloseTo(0.01584 / sigma, 15);
    expect(r.component[1]).toBeCloseTo(0.00304 / sigma, 15);
    expect(r.percent[0]).toBeCloseTo(0.01584 / 0.01888, 14);
    expect(r.component[0] + r.component[1]).toBeCloseTo(r.volatility, 15);
  });

  it('components sum to σ and percents to 1 (random series and weights)', () => {
    fc.assert(fc.property(
      fc.array(fc.array(fc.double({ min: -0.05, max: 0.05, noNaN: true }), { minLength: 3, maxLength: 3 }), { minLength: 5, maxLength: 30 }),
      fc.array(fc.double({ min: -1, max: 2, noNaN: true }), { minLength: 3, maxLength: 3 }),
      (rows, weights) => {
        const s = set({ a: rows.map((r) => r[0]), b: rows.map((r) => r[1]), c: rows.map((r) => r[2]) });
        const r = riskContribution(s, { weights });
        const total = r.component.reduce((a, v) => a + v, 0);
        expect(Math.abs(total - r.volatility)).toBeLessThanOrEqual(1e-12 * Math.max(1, r.volatility));
        if (r.volatility > 1e-12) expect(r.percent.reduce((a, v) => a + v, 0)).toBeCloseTo(1, 9);
      },
    ), { numRuns: 200 });
  });

  it('defaults to last-equity shares; annualizes σ by √P; zero volatility is all zeros with a note', () => {
    const s = { ...set({ a: [0.01, -0.01, 0.02], b: [0.0, 0.01, -0.01] }), lastEquity: { a: 300, b: 100 } };
    const r = riskContribution(s);
    expect(r.weights).toEqual([0.75, 0.25]);
    const { covariance } = moments([s.returns.a, s.returns.b]);
    const byHand = riskFromCovariance([0.75, 0.25], covariance);
    expect(r.volatility).toBe(byHand.volatility);
    const annual = riskContribution(s, { annualize: true, periodsPerYear: 252 });
    expect(annual.volatility).toBeCloseTo(r.volatility * Math.sqrt(252), 14);
    expect(annual.percent).toEqual(r.percent);
    const flat = riskContribution(set({ a: [0, 0, 0], b: [0, 0, 0] }));
    expect(flat.volatility).toBe(0);
    expect(flat.component).toEqual([0, 0]);
    expect(flat.notes[0]).toMatch(/zero volatility/);
  });
});

describe('attribution', () => {
  const ts = Float64Array.of(1, 2, 3, 4);
  // A gives 30 to B at the close of step 2 (an internal rebalance).
  const a: PortfolioSeries = { id: 'A', timestamps: ts, equity: Float64Array.of(100, 110, 80, 85), initialCapital: 100, flows: [{ step: 2, amount: -30 }] };
  const b: PortfolioSeries = { id: 'B', timestamps: ts, equity: Float64Array.of(100, 95, 125, 130), initialCapital: 100, flows: [{ step: 2, amount: 30 }] };

  it('contributions net of an internal flow, by hand, summing to the combined return', () => {
    const r = attribution([a, b]);
    expect(r.combinedReturn).toBe(0.075); // (215 − 200) / 200
    expect(r.pnl).toEqual({ A: 15, B: 0 }); // 85 − 100 + 30, 130 − 100 − 30
    expect(r.contributions).toEqual({ A: 0.075, B: 0 });
    expect(r.netFlows).toEqual({ A: -30, B: 30 });
    expect(Array.from(r.series.cumulative.A)).toEqual([0, 0.05, 0.05, 0.075]);
    expect(Array.from(r.series.cumulative.B)).toEqual([0, -0.025, -0.025, 0]);
    expect(Array.from(r.series.combined)).toEqual([0, 0.025, 0.025, 0.075]);
  });

  it('without flows, and with an external flow that is not P&L', () => {
    const plain = attribution([{ ...a, flows: undefined, equity: Float64Array.of(100, 110, 80, 85) }, { ...b, flows: undefined }]);
    expect(plain.combinedReturn).toBeCloseTo((85 + 130 - 200) / 200, 15);
    expect(plain.contributions.A + plain.contributions.B).toBeCloseTo(plain.combinedReturn, 15);
    // 50 deposited into A at step 1: the book grew by 50 more, none of it earned.
    const deposit = attribution([{ ...a, flows: [{ step: 1, amount: 50 }], equity: Float64Array.of(100, 160, 130, 135) }, { ...b, flows: undefined }]);
    expect(deposit.combinedReturn).toBeCloseTo((135 + 130 - 200 - 50) / 200, 15);
    expect(deposit.contributions.A).toBeCloseTo((135 - 100 - 50) / 200, 15);
  });

  it('contributions sum to the combined return within 1e-12 (random books with flows)', () => {
    fc.assert(fc.property(
      fc.array(fc.record({
        capital: fc.double({ min: 1_000, max: 1e6, noNaN: true }),
        path: fc.array(fc.double({ min: 0.5, max: 2, noNaN: true }), { minLength: 5, maxLength: 5 }),
        flows: fc.array(fc.record({ step: fc.integer({ min: 0, max: 4 }), amount: fc.double({ min: -500, max: 500, noNaN: true }) }), { maxLength: 3 }),
      }), { minLength: 1, maxLength: 4 }),
      (books) => {
        const ps = books.map((bk, i): PortfolioSeries => ({
          id: `p${i}`, timestamps: Float64Array.of(1, 2, 3, 4, 5), equity: Float64Array.from(bk.path, (m) => m * bk.capital), initialCapital: bk.capital, flows: bk.flows,
        }));
        const r = attribution(ps);
        const sum = ps.reduce((acc, p) => acc + r.contributions[p.id], 0);
        expect(Math.abs(sum - r.combinedReturn)).toBeLessThanOrEqual(1e-12);
        expect(Math.abs(r.series.combined[4] - r.combinedReturn)).toBeLessThanOrEqual(1e-12);
      },
    ), { numRuns: 200 });
  });
});

describe('drawdowns', () => {
  it('peaks, troughs, recoveries, depths and lengths of a hand series', () => {
    const equity = Float64Array.of(100, 120, 90, 110, 130, 117, 104, 110);
    const ts = Float64Array.from(equity, (_, i) => 1_000 * i);
    const d = drawdownSeries(equity, ts);
    expect(Array.from(d.underwater)).toEqual([0, 0, 90 / 120 - 1, 110 / 120 - 1, 0, 117 / 130 - 1, 104 / 130 - 1, 110 / 130 - 1]);
    expect(d.top).toEqual([
      { peakStep: 1, peakTimestamp: 1000, troughStep: 2, troughTimestamp: 2000, recoveryStep: 4, recoveryTimestamp: 4000, depth: 1 - 90 / 120, lengthSteps: 3, lengthMs: 3000, recovered: true },
      { peakStep: 4, peakTimestamp: 4000, troughStep: 6, troughTimestamp: 6000, depth: 1 - 104 / 130, lengthSteps: 3, lengthMs: 3000, recovered: false },
    ]);
    expect(d.top[1].recoveryStep).toBeUndefined();
    expect(d.maxDrawdown).toBe(0.25);
    expect(drawdownSeries(equity, ts, 1).top).toHaveLength(1);
    // Back exactly at the peak counts as recovered; a later equal value is the new peak.
    const flat = drawdownSeries(Float64Array.of(100, 100, 90, 100), Float64Array.of(0, 1, 2, 3));
    expect(flat.top[0]).toMatchObject({ peakStep: 1, troughStep: 2, recoveryStep: 3, depth: 1 - 90 / 100 });
    expect(drawdownSeries(Float64Array.of(1, 2, 3), Float64Array.of(0, 1, 2)).maxDrawdown).toBe(0);
  });

  it('capital moved out is not a drawdown (flow-adjusted), unless asked for raw equity; the book sums equity', () => {
    const ts = Float64Array.of(0, 1, 2, 3);
    const giver: PortfolioSeries = { id: 'g', timestamps: ts, equity: Float64Array.of(100, 100, 50, 50), initialCapital: 100, flows: [{ step: 2, amount: -50 }] };
    const taker: PortfolioSeries = { id: 't', timestamps: ts, equity: Float64Array.of(100, 90, 140, 150), initialCapital: 100, flows: [{ step: 2, amount: 50 }] };
    const d = drawdowns([giver, taker]);
    expect(d.portfolios.g.maxDrawdown).toBe(0);
    // The taker's 50 received is not a gain: it earned 0 at step 2, then 150/140 − 1 at step 3.
    expect(d.portfolios.t.top[0]).toMatchObject({ peakStep: 0, troughStep: 1, depth: 1 - 90 / 100, recovered: false, lengthSteps: 3 });
    expect(Array.from(d.portfolios.t.underwater)).toEqual([0, 90 / 100 - 1, 90 / 100 - 1, (90 * (150 / 140)) / 100 - 1]);
    expect(Array.from(d.combined.underwater)).toEqual([0, 190 / 200 - 1, 190 / 200 - 1, 0]);
    expect(drawdowns([giver], { basis: 'equity' }).portfolios.g.maxDrawdown).toBe(0.5);
  });
});

describe('analyzeCross', () => {
  /** Three portfolios on New York trading days, two of them random walks and one idle (all cash). */
  function book(): PortfolioSeries[] {
    const days = 60;
    const ts = Float64Array.from({ length: days }, (_, i) => Date.UTC(2024, 0, 2 + i, 21));
    let seed = 7;
    const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) - 0.5;
    const walk = (capital: number, vol: number, drift: number) => {
      const e = new Float64Array(days);
      let v = capital;
      for (let i = 0; i < days; i++) e[i] = v *= 1 + drift + vol * rand();
      return e;
    };
    return [
      { id: 'momentum', timestamps: ts, equity: walk(50_000, 0.02, 0.001), initialCapital: 50_000, flows: [] },
      { id: 'reversion', timestamps: ts, equity: walk(50_000, 0.01, 0.0005), initialCapital: 50_000 },
      { id: 'idle', timestamps: ts, equity: new Float64Array(days).fill(10_000), initialCapital: 10_000 },
    ];
  }

  it('returns every view, consistent with the parts, as plain JSON', () => {
    const ps = book();
    const cross = analyzeCross(ps, { annualize: true });
    expect(cross.returns.frequency).toBe('daily');
    expect(cross.returns.labels![0]).toBe('2024-01-02');
    expect(cross.correlation.ids).toEqual(['momentum', 'reversion', 'idle']);
    expect(cross.correlation.matrix[2][0]).toBeNaN(); // idle has no variance
    const sum = Object.values(cross.attribution.contributions).reduce((a, v) => a + v, 0);
    expect(Math.abs(sum - cross.attribution.combinedReturn)).toBeLessThanOrEqual(1e-12);
    expect(cross.riskContribution.annualized).toBe(true);
    expect(cross.riskContribution.component.reduce((a, v) => a + v, 0)).toBeCloseTo(cross.riskContribution.volatility, 12);
    expect(cross.frontier.degenerate).toBe('singular covariance');
    expect(cross.frontier.minVariance.weights).toEqual([0, 0, 1]);
    expect(cross.frontier.maxSharpe.weights.reduce((a, v) => a + v, 0)).toBeCloseTo(1, 12);
    expect(Object.keys(cross.drawdowns.portfolios)).toEqual(['momentum', 'reversion', 'idle']);
    const plain = toPlain(cross);
    expect(Array.isArray(plain.returns.returns.momentum)).toBe(true);
    expect(Array.isArray(plain.drawdowns.combined.underwater)).toBe(true);
    const json = JSON.parse(JSON.stringify(plain));
    expect(json.attribution.series.combined).toHaveLength(60);
    expect(json.correlation.matrix[2][0]).toBeNull();
  });

  it('reads a run result structurally, skipping failed portfolios', () => {
    const [m] = book();
    const inputs = portfoliosFromRun({
      portfolios: {
        momentum: { status: 'ok', portfolioId: 'momentum', timestamps: m.timestamps, equity: m.equity, initialCapital: 50_000, flows: [] },
        broken: { status: 'failed' },
      },
    });
    expect(inputs.map((p) => p.id)).toEqual(['momentum']);
    const single = analyzeCross(inputs);
    expect(single.frontier.degenerate).toBe('single portfolio');
    expect(single.frontier.maxSharpe.weights).toEqual([1]);
    expect(() => analyzeCross([])).toThrow(/at least one portfolio/);
  });
});
