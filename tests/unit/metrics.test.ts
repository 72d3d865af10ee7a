// computeMetrics and inferAnnualization against values worked out by hand (docs/metrics.md gives the
// formulas): returns, risk, drawdowns, trade statistics, degenerate input, inference, and speed.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeMetrics, inferAnnualization, type MetricsInput, type PortfolioMetrics } from '../../src/analytics/index.js';
import type { Fill } from '../../src/engine/records.js';

const DAY = 86_400_000;
const MINUTE = 60_000;
/** UTC midnight of 2024-01-dd. */
const jan = (dd: number) => Date.UTC(2024, 0, dd);

const fill = (step: number, symbol: number, quantity: number, price: number, commission: number, realized = 0): Fill =>
  ({ step, symbol, quantity, price, commission, realized, orderSeq: 0 });

function input(equity: number[], opts: Partial<MetricsInput> = {}): MetricsInput {
  return {
    timestamps: Float64Array.from(equity, (_, i) => jan(2 + i)), // Tue 2 … : consecutive weekdays for ≤ 4 values
    equity: Float64Array.from(equity),
    gross: new Float64Array(equity.length),
    fills: [],
    symbols: ['A', 'B'],
    initialCapital: 100,
    ...opts,
  };
}

/** Relative closeness for large values (toBeCloseTo is absolute). */
const near = (actual: number, expected: number, rel = 1e-12) =>
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rel * Math.abs(expected));

describe('computeMetrics: equity 100 → 100, 110, 99, 121 on four daily bars', () => {
  // Returns, the first from the initial capital 100:
  //   r0 = 100/100 − 1 = 0, r1 = 110/100 − 1 = 0.1, r2 = 99/110 − 1 = −0.1, r3 = 121/99 − 1 = 2/9.
  //   mean = (0 + 0.1 − 0.1 + 2/9) / 4 = 1/18.
  //   deviations −1/18, 2/45, −7/45, 1/6 → squares 25, 16, 196, 225 (/8100) → Σ = 462/8100.
  //   sample variance = 462/8100/3 = 154/8100 → s = √154 / 90.
  // Daily bars on weekdays → P = 252.
  //   sharpe = (1/18) / (√154/90) · √252 = 5·√(252/154) = 5·√(18/11).
  //   vol = √154/90 · √252.
  //   downside: only r2 < 0 → D = √(0.01/4) = 0.05 → sortino = (1/18)/0.05 · √252 = (10/9)·√252.
  // totalReturn = 121/100 − 1 = 0.21; years = 4/252 → cagr = 1.21^63 − 1 = 1.1^126 − 1.
  // Drawdown: peak 110 at step 1, 99 at step 2 → 11/110 = 0.1; recovered at step 3 (121 ≥ 110):
  //   2 steps, 2 days. calmar = cagr / 0.1.
  // Fills (symbols A, B), closed trades' netPnl:
  //   A long 10 @ 10 → 12 (steps 0–1): 20 − 1 − 1 = 18 (win)
  //   A short 5 @ 20 → 22 (steps 2–3): −10 − 1 − 1 = −12 (loss)
  //   B long 4 @ 50 from step 1: open at the end, not counted.
  //   trades 2, winRate 1/2, profitFactor 18/12 = 1.5, averageTrade (18 − 12)/2 = 3, bars (1 + 1)/2 = 1.
  //   fees 1 + 1 + 1 + 1 + 0.5 = 4.5; traded value 100 + 120 + 100 + 110 + 200 = 630.
  //   mean equity (100 + 110 + 99 + 121)/4 = 107.5 → turnover = 630 / 107.5 / (4/252) = 158 760 / 430.
  // gross 0, 110, 99, 0 → exposure 2/4 = 0.5.
  const fills = [fill(0, 0, 10, 10, 1), fill(1, 0, -10, 12, 1, 20), fill(1, 1, 4, 50, 0.5),
    fill(2, 0, -5, 20, 1), fill(3, 0, 5, 22, 1, -10)];
  const m = computeMetrics(input([100, 110, 99, 121], { fills, gross: Float64Array.of(0, 110, 99, 0) }));

  it('annualizes as daily bars', () => {
    expect(m.periodsPerYear).toBe(252);
    expect(m.annualization).toMatchObject({ frequency: 'daily', source: 'inferred', medianSpacingMs: DAY, sessionsPerYear: 252 });
    expect(m.bars).toBe(4);
  });

  it('returns and risk', () => {
    expect(m.finalEquity).toBe(121);
    expect(m.totalReturn).toBeCloseTo(0.21, 14);
    near(m.cagr, Math.pow(1.1, 126) - 1, 1e-9);
    expect(m.annualizedVolatility).toBeCloseTo((Math.sqrt(154) / 90) * Math.sqrt(252), 12);
    expect(m.sharpe).toBeCloseTo(5 * Math.sqrt(18 / 11), 12);
    expect(m.sortino).toBeCloseTo((10 / 9) * Math.sqrt(252), 12);
  });

  it('drawdown', () => {
    expect(m.maxDrawdown).toBeCloseTo(0.1, 14);
    expect(m.maxDrawdownDuration).toEqual({ steps: 2, ms: 2 * DAY, peakStep: 1, endStep: 3, recovered: true });
    near(m.calmar, (Math.pow(1.1, 126) - 1) / 0.1, 1e-9);
  });

  it('trade statistics, exposure, turnover and fees', () => {
    expect(m).toMatchObject({ trades: 2, openTrades: 1, winRate: 0.5, profitFactor: 1.5, averageTrade: 3, averageWin: 18,
      averageLoss: -12, averageBarsHeld: 1, exposure: 0.5, tradedValue: 630, fees: 4.5 });
    expect(m.turnover).toBeCloseTo(158_760 / 430, 10);
  });

  it('subtracts a compounded risk-free rate per period', () => {
    // rf = 5 % a year → rf_p = 1.05^(1/252) − 1 per day. Excess mean = 1/18 − rf_p; s is unchanged.
    // Downside of r − rf_p: r0 = −rf_p and r2 = −0.1 − rf_p are negative → D = √((rf_p² + (0.1 + rf_p)²)/4).
    const rf = Math.pow(1.05, 1 / 252) - 1;
    const withRf = computeMetrics(input([100, 110, 99, 121]), { riskFreeRate: 0.05 });
    expect(withRf.sharpe).toBeCloseTo(((1 / 18 - rf) / (Math.sqrt(154) / 90)) * Math.sqrt(252), 12);
    expect(withRf.sortino).toBeCloseTo(((1 / 18 - rf) / Math.sqrt((rf * rf + (0.1 + rf) ** 2) / 4)) * Math.sqrt(252), 12);
    expect(withRf.annualizedVolatility).toBeCloseTo(m.annualizedVolatility, 14);
  });

  it('uses periodsPerYear when given', () => {
    // P = 12: sharpe = 5·√(12/154); cagr = 1.21^(12/4) − 1 = 0.771561.
    const monthly = computeMetrics(input([100, 110, 99, 121]), { periodsPerYear: 12 });
    expect(monthly.periodsPerYear).toBe(12);
    expect(monthly.annualization.source).toBe('option');
    expect(monthly.sharpe).toBeCloseTo(5 * Math.sqrt(12 / 154), 12);
    expect(monthly.cagr).toBeCloseTo(0.771561, 12);
  });
});

describe('computeMetrics: drawdown spells', () => {
  it('measures the longest spell to the end when it does not recover, in steps and in calendar time', () => {
    // Weekdays Thu 4, Fri 5, Mon 8, Tue 9, Wed 10, Thu 11; initial capital 100.
    // 95 (under the initial peak from step 0), 100 (recovered at step 1: 1 step), 120 (peak, step 2),
    // 90 (30/120 = 0.25), 100, 110: not recovered, step 2 → 5: 3 steps, Mon 8 → Thu 11 = 3 days.
    // The first spell's depth is 5/100 = 0.05, so maxDrawdown = 0.25.
    const timestamps = Float64Array.of(jan(4), jan(5), jan(8), jan(9), jan(10), jan(11));
    const m = computeMetrics(input([95, 100, 120, 90, 100, 110], { timestamps }));
    expect(m.maxDrawdown).toBeCloseTo(0.25, 14);
    expect(m.maxDrawdownDuration).toEqual({ steps: 3, ms: 3 * DAY, peakStep: 2, endStep: 5, recovered: false });
  });

  it('breaks a tie in steps by calendar time (a weekend inside the spell)', () => {
    // Fri 5, Mon 8, Tue 9, Wed 10, Thu 11, Fri 12; initial 100.
    // 100, 90, 100 (peak step 0 → 2: 2 steps, Fri 5 → Tue 9 = 4 days), 95, 100 (step 2 → 4: 2 steps, 2 days), 101.
    const timestamps = Float64Array.of(jan(5), jan(8), jan(9), jan(10), jan(11), jan(12));
    const m = computeMetrics(input([100, 90, 100, 95, 100, 101], { timestamps }));
    expect(m.maxDrawdownDuration).toEqual({ steps: 2, ms: 4 * DAY, peakStep: 0, endStep: 2, recovered: true });
    expect(m.maxDrawdown).toBeCloseTo(0.1, 14);
  });

  it('leaves capital flows out of returns and drawdowns', () => {
    // Equity 110, 160, 150 with 50 deposited at the close of step 1.
    // r0 = 110/100 − 1 = 0.1, r1 = (160 − 50)/110 − 1 = 0, r2 = 150/160 − 1 = −0.0625.
    // totalReturn = 1.1 · 1 · 0.9375 − 1 = 0.03125 (not 150/100 − 1 = 0.5).
    // Peak 110 at step 1, scaled by 160/110 to 160 by the deposit → drawdown 10/160 = 0.0625.
    const m = computeMetrics(input([110, 160, 150], { flows: [{ step: 1, amount: 50 }] }));
    expect(m.totalReturn).toBeCloseTo(0.03125, 14);
    expect(m.maxDrawdown).toBeCloseTo(0.0625, 14);
    expect(m.maxDrawdownDuration).toMatchObject({ steps: 1, peakStep: 1, endStep: 2, recovered: false });
    // Without the flow the deposit reads as a 45 % gain.
    expect(computeMetrics(input([110, 160, 150])).totalReturn).toBeCloseTo(0.5, 14);
    expect(() => computeMetrics(input([110, 160, 150], { flows: [{ step: 3, amount: 1 }] }))).toThrow(RangeError);
  });
});

describe('computeMetrics: trade statistics edge cases', () => {
  it('profit factor: Infinity with wins only, 0 with losses only, NaN with no closed trade', () => {
    const win = [fill(0, 0, 1, 10, 0), fill(1, 0, -1, 12, 0, 2)];
    const loss = [fill(0, 0, 1, 10, 0), fill(1, 0, -1, 8, 0, -2)];
    const eq = [100, 102];
    expect(computeMetrics(input(eq, { fills: win }))).toMatchObject({ profitFactor: Infinity, winRate: 1, averageTrade: 2, averageLoss: NaN });
    expect(computeMetrics(input(eq, { fills: loss }))).toMatchObject({ profitFactor: 0, winRate: 0, averageTrade: -2, averageWin: NaN });
    const none = computeMetrics(input(eq, { fills: [fill(0, 0, 1, 10, 0.5)] }));
    expect(none).toMatchObject({ trades: 0, openTrades: 1, profitFactor: NaN, winRate: NaN, averageTrade: NaN, fees: 0.5 });
    // A break-even trade is neither a win nor a loss.
    const flat = computeMetrics(input(eq, { fills: [fill(0, 0, 1, 10, 0), fill(1, 0, -1, 10, 0, 0)] }));
    expect(flat).toMatchObject({ trades: 1, winRate: 0, profitFactor: NaN, averageTrade: 0 });
  });

  it('counts a flip as two trades with its fee split', () => {
    // Long 10 @ 100 (k 1), sell 30 @ 90 (k 3, realized −100), buy 20 @ 80 (k 2, realized 200).
    // Long: −100 − 1 − 1 = −102; short: 200 − 2 − 2 = 196 → profitFactor 196/102, average 47.
    const fills = [fill(0, 0, 10, 100, 1), fill(1, 0, -30, 90, 3, -100), fill(2, 0, 20, 80, 2, 200)];
    const m = computeMetrics(input([100, 101, 102], { fills }));
    expect(m.trades).toBe(2);
    expect(m.profitFactor).toBeCloseTo(196 / 102, 14);
    expect(m.averageTrade).toBeCloseTo(47, 12);
    expect(m.fees).toBe(6);
  });
});

/** Every number-valued metric except profitFactor must be finite or NaN, never ±Infinity. */
function expectNoInfinity(m: PortfolioMetrics) {
  for (const [key, value] of Object.entries(m)) {
    if (typeof value === 'number' && key !== 'profitFactor') expect(Math.abs(value), key).not.toBe(Infinity);
  }
  expect(Number.isFinite(m.maxDrawdownDuration.steps)).toBe(true);
}

describe('computeMetrics: degenerate input', () => {
  it('one bar: no dispersion, no drawdown', () => {
    // r0 = 100/100 − 1 = 0; one timestamp → fallback P = 252; cagr = 1^(252) − 1 = 0.
    const m = computeMetrics(input([100]));
    expect(m).toMatchObject({ bars: 1, totalReturn: 0, cagr: 0, annualizedVolatility: NaN, sharpe: NaN, sortino: NaN,
      maxDrawdown: 0, calmar: NaN, exposure: 0, turnover: 0, periodsPerYear: 252 });
    expect(m.annualization.source).toBe('fallback');
    expect(m.maxDrawdownDuration).toEqual({ steps: 0, ms: 0, recovered: true });
    expectNoInfinity(m);
  });

  it('no bars at all', () => {
    const m = computeMetrics(input([]));
    expect(m).toMatchObject({ bars: 0, finalEquity: 100, totalReturn: 0, cagr: NaN, sharpe: NaN, exposure: NaN, turnover: NaN });
    expectNoInfinity(m);
  });

  it('flat equity: zero volatility gives volatility 0 and Sharpe/Sortino NaN', () => {
    const m = computeMetrics(input([100, 100, 100, 100]));
    expect(m).toMatchObject({ totalReturn: 0, cagr: 0, annualizedVolatility: 0, sharpe: NaN, sortino: NaN, maxDrawdown: 0, calmar: NaN });
    expectNoInfinity(m);
  });

  it('equal non-zero returns are not divided by rounding noise', () => {
    // r = 0.01 every step: s is 0 up to rounding → volatility 0, Sharpe NaN; no downside → Sortino NaN.
    const m = computeMetrics(input([101, 102.01, 103.0301, 104.060401]));
    expect(m.annualizedVolatility).toBe(0);
    expect(m.sharpe).toBeNaN();
    expect(m.sortino).toBeNaN();
    expectNoInfinity(m);
  });

  it('zero initial capital and ruin give NaN or −1, never a throw', () => {
    const zero = computeMetrics(input([0, 0, 0], { initialCapital: 0 }));
    expect(zero).toMatchObject({ totalReturn: NaN, cagr: NaN, sharpe: NaN, sortino: NaN, maxDrawdown: 0, turnover: NaN });
    expectNoInfinity(zero);
    // 100 → 50 → 0 → 0: r = −0.5, −1, then a return from 0 is NaN; total −100 %, cagr −1, drawdown 100 %.
    const ruin = computeMetrics(input([50, 0, 0]));
    expect(ruin).toMatchObject({ totalReturn: -1, cagr: -1, maxDrawdown: 1, calmar: -1, sharpe: NaN });
    expectNoInfinity(ruin);
  });

  it('a very short run that cannot be annualized gives NaN, not Infinity', () => {
    // 1.5^(98 280 / 2) overflows.
    const ts = Float64Array.of(jan(2) + 14.5 * 3_600_000, jan(2) + 14.5 * 3_600_000 + MINUTE);
    const m = computeMetrics(input([120, 150], { timestamps: ts }), { periodsPerYear: 98_280 });
    expect(m.cagr).toBeNaN();
    expect(m.calmar).toBeNaN();
    expectNoInfinity(m);
  });

  it('refuses malformed input', () => {
    expect(() => computeMetrics({ ...input([1, 2]), gross: new Float64Array(1) })).toThrow('series lengths differ');
    expect(() => computeMetrics(input([1, 2]), { periodsPerYear: 0 })).toThrow('periodsPerYear is 0');
    expect(() => computeMetrics(input([1, 2]), { riskFreeRate: NaN })).toThrow('riskFreeRate');
    expect(() => computeMetrics(input([1, 2], { fills: [fill(0, 5, 1, 1, 0)] }))).toThrow('fills[0].symbol is 5');
  });
});

/** `days` sessions (weekdays from Mon 2024-01-08) of `perDay` bars `spacing` apart from 14:30 UTC (9:30 New York). */
function sessions(days: number, perDay: number, spacing: number, halfDay?: number): Float64Array {
  const out: number[] = [];
  for (let d = 0, date = 8; d < days; date++) {
    const weekday = new Date(jan(date)).getUTCDay();
    if (weekday === 0 || weekday === 6) continue;
    const bars = d === halfDay ? Math.floor(perDay / 2) : perDay;
    for (let i = 0; i < bars; i++) out.push(jan(date) + 14.5 * 3_600_000 + i * spacing);
    d++;
  }
  return Float64Array.from(out);
}

describe('inferAnnualization', () => {
  it('1-minute bars of a 390-bar session: 390 × 252 = 98 280', () => {
    const a = inferAnnualization(sessions(5, 390, MINUTE));
    expect(a).toEqual({ periodsPerYear: 98_280, frequency: 'intraday', source: 'inferred', medianSpacingMs: MINUTE,
      sessionsPerYear: 252, barsPerSession: 390 });
    // A half day (195 bars) among full sessions does not move the median.
    expect(inferAnnualization(sessions(5, 390, MINUTE, 2)).periodsPerYear).toBe(98_280);
    // Two days, the first joined mid-session (counts 120 and 390): the higher middle count, 390, is the session.
    const joined = sessions(2, 390, MINUTE).subarray(270);
    expect(inferAnnualization(joined)).toMatchObject({ periodsPerYear: 98_280, barsPerSession: 390 });
  });

  it('5-minute bars: 78 × 252 = 19 656', () => {
    expect(inferAnnualization(sessions(10, 78, 5 * MINUTE))).toMatchObject({ periodsPerYear: 19_656, barsPerSession: 78 });
  });

  it('hourly bars 9:30 … 15:30: 7 × 252 = 1 764', () => {
    expect(inferAnnualization(sessions(10, 7, 60 * MINUTE))).toMatchObject({ periodsPerYear: 1_764, barsPerSession: 7, frequency: 'intraday' });
  });

  it('hourly bars around the clock, weekends included: 24 × 365 = 8 760', () => {
    const ts = Float64Array.from({ length: 24 * 21 }, (_, i) => jan(1) + i * 3_600_000);
    expect(inferAnnualization(ts)).toMatchObject({ periodsPerYear: 8_760, sessionsPerYear: 365, barsPerSession: 24 });
  });

  it('daily bars: 252 on weekdays (weekend gaps do not count), 365 every day', () => {
    expect(inferAnnualization(sessions(40, 1, 0))).toMatchObject({ periodsPerYear: 252, frequency: 'daily', medianSpacingMs: DAY });
    const everyDay = Float64Array.from({ length: 60 }, (_, i) => jan(1) + i * DAY);
    expect(inferAnnualization(everyDay)).toMatchObject({ periodsPerYear: 365, frequency: 'daily', sessionsPerYear: 365 });
  });

  it('weekly, monthly and quarterly bars: 52, 12, 4', () => {
    const weekly = Float64Array.from({ length: 30 }, (_, i) => jan(5) + i * 7 * DAY);
    expect(inferAnnualization(weekly)).toMatchObject({ periodsPerYear: 52, frequency: 'weekly' });
    const monthly = Float64Array.from({ length: 24 }, (_, i) => Date.UTC(2022, i, 1));
    expect(inferAnnualization(monthly)).toMatchObject({ periodsPerYear: 12, frequency: 'monthly' });
    const quarterly = Float64Array.from({ length: 12 }, (_, i) => Date.UTC(2020, 3 * i, 1));
    expect(inferAnnualization(quarterly)).toMatchObject({ periodsPerYear: 4, frequency: 'quarterly' });
  });

  it('falls back to 252 with fewer than two timestamps', () => {
    expect(inferAnnualization(new Float64Array(0))).toMatchObject({ periodsPerYear: 252, frequency: 'unknown', source: 'fallback' });
    expect(inferAnnualization(Float64Array.of(jan(2)))).toMatchObject({ periodsPerYear: 252, source: 'fallback' });
  });
});

describe('computeMetrics at scale', () => {
  // Speed is measured in bench/, not here; this checks the results on a million steps.
  it('handles a million 1-minute steps: sessions, trades, fees, exposure', () => {
    const n = 1_000_000;
    const timestamps = sessions(Math.ceil(n / 390), 390, MINUTE).subarray(0, n);
    const equity = new Float64Array(n);
    const gross = new Float64Array(n);
    let e = 100_000;
    let seed = 42;
    for (let t = 0; t < n; t++) {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      e *= 1 + (seed / 2_147_483_648 - 0.5) * 0.002;
      equity[t] = e;
      gross[t] = t % 3 === 0 ? 0 : e;
    }
    const fills = Array.from({ length: 2_000 }, (_, i) => fill(i * 400, 0, i % 2 === 0 ? 10 : -10, 100, 1, i % 2 === 0 ? 0 : 5));
    const run = () => computeMetrics({ timestamps, equity, gross, fills, symbols: ['A'], initialCapital: 100_000 });
    const m = run();
    // Output first: 2 564 full sessions → 98 280; 1 000 closed trades of 5 − 2 = 3 each.
    expect(m.periodsPerYear).toBe(98_280);
    expect(m).toMatchObject({ bars: n, trades: 1_000, averageTrade: 3, fees: 2_000 });
    expect(m.exposure).toBeCloseTo(2 / 3, 5);
  });
});

/**
 * The step metrics computed directly from their definitions (docs/metrics.md), one array of returns and
 * one loop per quantity: an oracle for the blocked passes of computeMetrics.
 */
function directStepMetrics(equity: Float64Array, flows: { step: number; amount: number }[], initialCapital: number, P: number) {
  const n = equity.length;
  const flow = new Float64Array(n);
  for (const f of flows) flow[f.step] += f.amount;
  const r = Array.from(equity, (e, t) => {
    const base = t === 0 ? initialCapital : equity[t - 1];
    return base > 0 ? (e - flow[t]) / base - 1 : NaN;
  });
  const mean = r.reduce((a, b) => a + b, 0) / n;
  const std = Math.sqrt(r.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1));
  const downside = Math.sqrt(r.reduce((a, x) => a + (x < 0 ? x * x : x < 0 || x >= 0 ? 0 : NaN), 0) / n);
  let peak = initialCapital, peakStep = 0, maxDrawdown = 0, squared = 0;
  let longest = { steps: 0, peakStep: -1, endStep: -1, recovered: true };
  let under = false;
  for (let t = 0; t < n; t++) {
    const before = equity[t] - flow[t];
    if (before >= peak) {
      if (under && t - peakStep > longest.steps) longest = { steps: t - peakStep, peakStep, endStep: t, recovered: true };
      under = false; peak = before; peakStep = t;
    } else {
      under = true;
      maxDrawdown = Math.max(maxDrawdown, (peak - before) / peak);
      squared += ((peak - before) / peak) ** 2;
    }
    if (flow[t] !== 0) peak *= equity[t] / before;
  }
  if (under && n - 1 - peakStep > longest.steps) longest = { steps: n - 1 - peakStep, peakStep, endStep: n - 1, recovered: false };
  const wealth = r.reduce((w, x) => w * (1 + x), 1);
  return { sharpe: (mean / std) * Math.sqrt(P), sortino: (mean / downside) * Math.sqrt(P), totalReturn: flows.length ? wealth - 1 : equity[n - 1] / initialCapital - 1,
    maxDrawdown, ulcerIndex: Math.sqrt(squared / n), longest };
}

describe('computeMetrics: long series (the per-step passes run block by block)', () => {
  it('agrees with the direct computation, with flows and drawdown spells across block edges', () => {
    const edges = [0, 4_095, 4_096, 4_097, 8_191, 8_192, 12_287];
    fc.assert(fc.property(
      fc.integer({ min: 4_000, max: 13_000 }),
      fc.array(fc.record({ at: fc.constantFrom(...edges, 100, 5_000), amount: fc.integer({ min: -500, max: 2_000 }) }), { maxLength: 4 }),
      fc.integer({ min: 1, max: 2 ** 31 - 2 }), // a Lehmer seed: 2³¹ − 1 itself would give 0 forever (flat equity)
      (n, rawFlows, seed) => {
        // A walk with long spells under water (a slow drift down, then recoveries) and some flat steps.
        const equity = new Float64Array(n);
        let e = 10_000;
        let s = seed;
        for (let t = 0; t < n; t++) {
          s = (s * 48_271) % 2_147_483_647;
          const u = s / 2_147_483_647;
          e *= u < 0.1 ? 1 : 1 + (u - 0.52) * 0.01;
          equity[t] = e;
        }
        const flows = rawFlows.filter((f) => f.at < n).sort((a, b) => a.at - b.at).map((f) => ({ step: f.at, amount: f.amount }));
        for (const f of flows) for (let t = f.step; t < n; t++) equity[t] += f.amount;
        const timestamps = Float64Array.from({ length: n }, (_, t) => Date.UTC(2024, 0, 2) + t * MINUTE);
        const m = computeMetrics({ timestamps, equity, gross: equity, fills: [], symbols: ['A'], initialCapital: 10_000, flows }, { periodsPerYear: 1_000 });
        const d = directStepMetrics(equity, flows, 10_000, 1_000);
        near(m.sharpe, d.sharpe, 1e-9);
        near(m.sortino, d.sortino, 1e-9);
        near(m.totalReturn, d.totalReturn, 1e-9);
        near(m.maxDrawdown, d.maxDrawdown, 1e-12);
        near(m.ulcerIndex, d.ulcerIndex, 1e-9);
        expect(m.maxDrawdownDuration).toMatchObject(d.longest.peakStep < 0 ? { steps: 0 } : d.longest);
      }), { numRuns: 40 });
  });

  it('gives NaN ratios when a base ≤ 0 sits in a later block', () => {
    const n = 9_000;
    // A negative equity at step 6000 (a margin account in debt): the return of step 6001 from it is NaN,
    // not (100 − (−50)) / (−50) − 1 = −4, and so are the ratios built on the returns.
    const equity = Float64Array.from({ length: n }, (_, t) => (t === 6_000 ? -50 : 100 + (t % 7)));
    const timestamps = Float64Array.from({ length: n }, (_, t) => Date.UTC(2024, 0, 2) + t * MINUTE);
    const m = computeMetrics({ timestamps, equity, gross: equity, fills: [], symbols: ['A'], initialCapital: 100 });
    expect(m).toMatchObject({ sharpe: NaN, sortino: NaN, annualizedVolatility: NaN });
    // The drawdown does not use returns: from the peak 106 to −50 is 156/106.
    expect(m.maxDrawdown).toBeCloseTo(156 / 106, 14);
    // With a flow the total return compounds the returns, so it is NaN too.
    const flows = [{ step: 100, amount: 0 }];
    expect(computeMetrics({ timestamps, equity, gross: equity, fills: [], symbols: ['A'], initialCapital: 100, flows }).totalReturn).toBeNaN();
  });
});

/** UTC instant of 2024-01-dd hh:mm. */
const janAt = (dd: number, hh: number, mm = 0) => Date.UTC(2024, 0, dd, hh, mm);

describe('computeMetrics: daily metrics on six New York days of two steps each', () => {
  // Weekdays Tue 2, Wed 3, Thu 4, Fri 5, Mon 8, Tue 9 January 2024, a step at 15:00Z (10:00 EST) and one at
  // 21:00Z (16:00 EST). The 10:00 equity is 95 every day: only the day's last equity counts.
  // Daily returns (%), from the initial capital 100: 3, −1, 2, −4, 1, 5 → closes
  //   103, 101.97, 104.0094, 99.849024, 100.84751424, 105.889889952.
  // D = 6, mean 1 %. Deviations (%): 2, −2, 1, −5, 0, 4.
  //   Σ dev² = 4 + 4 + 1 + 25 + 0 + 16 = 50; Σ dev³ = 8 − 8 + 1 − 125 + 0 + 64 = −60;
  //   Σ dev⁴ = 16 + 16 + 1 + 625 + 0 + 256 = 914.
  //   Sample variance 50/5 = 10 (%²) → s = √10 % → dailyVolatility = 0.01·√10·√252.
  //   m2 = 50/6, m3 = −60/6 = −10, m4 = 914/6.
  //   Skew: g1 = m3 / m2^1.5 = −10 / (50/6)^1.5; G1 = √(D(D−1))/(D−2)·g1 = √30/4 · g1 ≈ −0.5692.
  //   Kurtosis: g2 = m4/m2² − 3 = (914/6)·(36/2500) − 3 = 5484/2500 − 3 = −0.8064;
  //     G2 = ((D+1)·g2 + 6)·(D−1)/((D−2)(D−3)) = (7·(−0.8064) + 6)·5/12 = 0.3552·5/12 = 0.148.
  // Sorted (%): −4, −1, 1, 2, 3, 5. Type-7 quantiles, h = (D−1)·p:
  //   p = 0.05: h = 0.25 → −4 + 0.25·(−1 − (−4)) = −3.25 → var95 = 0.0325;
  //     days at or below −3.25: only −4 → cvar95 = 0.04.
  //   p = 0.95: h = 4.75 → 3 + 0.75·(5 − 3) = 4.5 → tailRatio = 4.5/3.25 = 18/13.
  // Omega: gains 3 + 2 + 1 + 5 = 11, losses 1 + 4 = 5 → 2.2. Winning days 4 of 6.
  const closes = [103, 101.97, 104.0094, 99.849024, 100.84751424, 105.889889952];
  const dates = [2, 3, 4, 5, 8, 9];
  const timestamps = Float64Array.from(dates.flatMap((d) => [janAt(d, 15), janAt(d, 21)]));
  const equity = closes.flatMap((c) => [95, c]);
  const six = (options = {}) => computeMetrics(input(equity, { timestamps }), options);
  const m = six();

  it('cuts six days and takes each day\'s last equity', () => {
    expect(m.timeZone).toBe('America/New_York');
    expect(m.bars).toBe(12);
    expect(m.days).toBe(6);
    expect(m.bestDay).toBeCloseTo(0.05, 14);
    expect(m.worstDay).toBeCloseTo(-0.04, 14);
    expect(m.winningDaysPct).toBeCloseTo(4 / 6, 14);
  });

  it('volatility, skewness and excess kurtosis', () => {
    expect(m.dailyVolatility).toBeCloseTo(0.01 * Math.sqrt(10) * Math.sqrt(252), 12);
    expect(m.dailySkew).toBeCloseTo((Math.sqrt(30) / 4) * (-10 / Math.pow(50 / 6, 1.5)), 10);
    expect(m.dailySkew).toBeCloseTo(-0.5692, 4);
    expect(m.dailyKurtosis).toBeCloseTo(0.148, 10);
    // 365 days a year (a 24/7 market): 0.01·√10·√365.
    expect(six({ daysPerYear: 365 }).dailyVolatility).toBeCloseTo(0.01 * Math.sqrt(3650), 12);
  });

  it('historical VaR and CVaR as positive losses, tail ratio, omega', () => {
    expect(m.var95).toBeCloseTo(0.0325, 14);
    expect(m.cvar95).toBeCloseTo(0.04, 14);
    expect(m.tailRatio).toBeCloseTo(18 / 13, 12);
    expect(m.omega).toBeCloseTo(2.2, 12);
  });

  it('one month, compounded from the daily returns', () => {
    // 1.03 · 0.99 · 1.02 · 0.96 · 1.01 · 1.05 − 1 = 105.889889952/100 − 1.
    expect(m.monthlyReturns).toEqual([{ year: 2024, month: 1, return: expect.closeTo(0.05889889952, 12) }]);
  });

  it('rolling Sharpe over 3-day windows, annualized with √252', () => {
    // Windows (%) ending Thu 4, Fri 5, Mon 8, Tue 9 at 21:00Z:
    //   3, −1, 2:  mean 4/3;  dev 5/3, −7/3, 2/3  → Σ dev² = 78/9  → var 13/3
    //   −1, 2, −4: mean −1;   dev 0, 3, −3        → Σ dev² = 18    → var 9
    //   2, −4, 1:  mean −1/3; dev 7/3, −11/3, 4/3 → Σ dev² = 186/9 → var 31/3
    //   −4, 1, 5:  mean 2/3;  dev −14/3, 1/3, 13/3 → Σ dev² = 366/9 → var 61/3
    // Sharpe = mean / √var · √252 (the % cancel).
    const r = six({ rollingWindow: 3 }).rollingSharpe;
    expect(r.window).toBe(3);
    expect(Array.from(r.timestamps)).toEqual([janAt(4, 21), janAt(5, 21), janAt(8, 21), janAt(9, 21)]);
    const expected = [(4 / 3) / Math.sqrt(13 / 3), -1 / 3, (-1 / 3) / Math.sqrt(31 / 3), (2 / 3) / Math.sqrt(61 / 3)];
    expected.forEach((e, i) => expect(r.values[i], `window ${i}`).toBeCloseTo(e * Math.sqrt(252), 11));
    // Default window 63 > 6 days: no full window.
    expect(m.rollingSharpe).toEqual({ window: 63, timestamps: new Float64Array(0), values: new Float64Array(0) });
    // With rf = 5 %: rf_d = 1.05^(1/252) − 1 comes off each window's mean; window 2: (−0.01 − rf_d) / 0.03 · √252.
    const rfDaily = Math.pow(1.05, 1 / 252) - 1;
    expect(six({ rollingWindow: 3, riskFreeRate: 0.05 }).rollingSharpe.values[1]).toBeCloseTo(((-0.01 - rfDaily) / 0.03) * Math.sqrt(252), 11);
  });

  it('windows spanning two blocks agree with the direct computation (window 4 over 6 days)', () => {
    // Windows (%): 3, −1, 2, −4 (mean 0, Σ dev² = 30, var 10); −1, 2, −4, 1 (mean −0.5, dev −0.5, 2.5, −3.5, 1.5,
    // Σ = 0.25 + 6.25 + 12.25 + 2.25 = 21, var 7); 2, −4, 1, 5 (mean 1, dev 1, −5, 0, 4, Σ = 42, var 14).
    const r = six({ rollingWindow: 4 }).rollingSharpe;
    expect(r.values.length).toBe(3);
    expect(r.values[0]).toBeCloseTo(0, 12);
    expect(r.values[1]).toBeCloseTo((-0.5 / Math.sqrt(7)) * Math.sqrt(252), 11);
    expect(r.values[2]).toBeCloseTo((1 / Math.sqrt(14)) * Math.sqrt(252), 11);
  });
});

describe('computeMetrics: ulcer index, recovery factor, longest drawdown', () => {
  it('on 100 → 110, 99, 121', () => {
    // Running peaks 100, 110, 110, 121 → drawdowns 0, 0, 0.1, 0 → ulcer = √(0.01/4) = 0.05.
    // Net profit 121 − 100 = 21; largest fall in currency 110 − 99 = 11 → recovery 21/11.
    const m = computeMetrics(input([100, 110, 99, 121]));
    expect(m.ulcerIndex).toBeCloseTo(0.05, 14);
    expect(m.recoveryFactor).toBeCloseTo(21 / 11, 14);
    // The longest spell is maxDrawdownDuration under its other name: one object, one computation.
    expect(m.longestDrawdown).toBe(m.maxDrawdownDuration);
    expect(m.longestDrawdown).toEqual({ steps: 2, ms: 2 * DAY, peakStep: 1, endStep: 3, recovered: true });
  });

  it('on 95, 100, 120, 90, 100, 110 (an unrecovered spell)', () => {
    // Peaks 100, 100, 120, 120, 120, 120 → drawdowns 0.05, 0, 0, 0.25, 1/6, 1/12.
    // Ulcer = √((0.0025 + 0.0625 + 1/36 + 1/144)/6). Falls in currency 5, 0, 0, 30, 20, 10 → recovery 10/30.
    const timestamps = Float64Array.of(jan(4), jan(5), jan(8), jan(9), jan(10), jan(11));
    const m = computeMetrics(input([95, 100, 120, 90, 100, 110], { timestamps }));
    expect(m.ulcerIndex).toBeCloseTo(Math.sqrt((0.0025 + 0.0625 + 1 / 36 + 1 / 144) / 6), 14);
    expect(m.recoveryFactor).toBeCloseTo(1 / 3, 14);
    expect(m.longestDrawdown).toMatchObject({ steps: 3, recovered: false });
  });

  it('measures the recovery factor against the largest fall in currency, not the deepest in percent', () => {
    // 100 → 50 (−50, −50 %), 1000, 800 (−200, −20 %): maxDrawdown 0.5, largest fall 200.
    // Recovery = (800 − 100)/200 = 3.5. Drawdowns 0.5, 0, 0.2 → ulcer = √((0.25 + 0.04)/3).
    const m = computeMetrics(input([50, 1000, 800]));
    expect(m.maxDrawdown).toBeCloseTo(0.5, 14);
    expect(m.recoveryFactor).toBeCloseTo(3.5, 14);
    expect(m.ulcerIndex).toBeCloseTo(Math.sqrt(0.29 / 3), 14);
  });

  it('leaves capital flows out of the net profit', () => {
    // 110, 160, 150 with 50 deposited at step 1: net profit 150 − 100 − 50 = 0; the fall 160 − 150 = 10 → 0.
    // Drawdowns 0, 0, 10/160 = 0.0625 → ulcer = 0.0625/√3.
    const m = computeMetrics(input([110, 160, 150], { flows: [{ step: 1, amount: 50 }] }));
    expect(m.recoveryFactor).toBe(0);
    expect(m.ulcerIndex).toBeCloseTo(0.0625 / Math.sqrt(3), 14);
  });
});

describe('computeMetrics: days in the exchange time zone', () => {
  // Steps Tue 2 21:00Z (16:00 EST Tue 2), Wed 3 03:00Z (22:00 EST Tue 2), Wed 3 21:00Z; equity 110, 121, 121.
  const timestamps = Float64Array.of(janAt(2, 21), janAt(3, 3), janAt(3, 21));
  const evening = input([110, 121, 121], { timestamps });

  it('puts 03:00 UTC in winter on the New York day before', () => {
    // New York: Tue 2 = steps 0, 1 → 121/100 − 1 = 0.21; Wed 3 = step 2 → 121/121 − 1 = 0.
    const m = computeMetrics(evening, { rollingWindow: 2 });
    expect(m).toMatchObject({ days: 2, winningDaysPct: 0.5 });
    expect(m.bestDay).toBeCloseTo(0.21, 14);
    expect(m.worstDay).toBe(0);
    // One 2-day window, ending Wed 3 21:00Z: mean 0.105, s = √(2·0.105²/1) = 0.105·√2 → Sharpe = √252/√2 = √126.
    expect(Array.from(m.rollingSharpe.timestamps)).toEqual([janAt(3, 21)]);
    expect(m.rollingSharpe.values[0]).toBeCloseTo(Math.sqrt(126), 12);
  });

  it('puts it on the UTC day of its date with timeZone UTC', () => {
    // UTC: Tue 2 = step 0 → 0.1; Wed 3 = steps 1, 2 → 121/110 − 1 = 0.1. Equal returns: no dispersion → NaN.
    const m = computeMetrics(evening, { timeZone: 'UTC', rollingWindow: 2 });
    expect(m).toMatchObject({ timeZone: 'UTC', days: 2, winningDaysPct: 1 });
    expect(m.bestDay).toBeCloseTo(0.1, 14);
    expect(m.worstDay).toBeCloseTo(0.1, 14);
    expect(m.rollingSharpe.values[0]).toBeNaN();
  });

  it('follows daylight saving time (EDT, UTC−4, in July)', () => {
    // Tue 9 July 20:00Z = 16:00 EDT Jul 9 (110); Wed 10 03:30Z = 23:30 EDT Jul 9 (121);
    // Wed 10 04:30Z = 00:30 EDT Jul 10 (133.1). Days: Jul 9 → 121/100 − 1 = 0.21, Jul 10 → 133.1/121 − 1 = 0.1.
    // (At UTC−5 all three would fall on Jul 9.)
    const ts = Float64Array.of(Date.UTC(2024, 6, 9, 20), Date.UTC(2024, 6, 10, 3, 30), Date.UTC(2024, 6, 10, 4, 30));
    const m = computeMetrics(input([110, 121, 133.1], { timestamps: ts }));
    expect(m.days).toBe(2);
    expect(m.bestDay).toBeCloseTo(0.21, 14);
    expect(m.worstDay).toBeCloseTo(0.1, 14);
    expect(computeMetrics(input([110, 121, 133.1], { timestamps: ts }), { timeZone: '-05:00' }).days).toBe(1);
  });

  it('nets a day\'s flows out of its return, from the last equity of the day before', () => {
    // Tue 2 15:00Z: 155 after 50 deposited; Tue 2 21:00Z: 165; Wed 3 21:00Z: 181.5.
    // Tue 2: (165 − 50)/100 − 1 = 0.15; Wed 3: 181.5/165 − 1 = 0.1.
    const ts = Float64Array.of(janAt(2, 15), janAt(2, 21), janAt(3, 21));
    const m = computeMetrics(input([155, 165, 181.5], { timestamps: ts, flows: [{ step: 0, amount: 50 }] }));
    expect(m.days).toBe(2);
    expect(m.bestDay).toBeCloseTo(0.15, 14);
    expect(m.worstDay).toBeCloseTo(0.1, 14);
    expect(m.monthlyReturns).toEqual([{ year: 2024, month: 1, return: expect.closeTo(1.15 * 1.1 - 1, 14) }]);
  });
});

describe('computeMetrics: monthly returns across a year boundary', () => {
  // Closes at 21:00Z (16:00 EST) Thu 2023-12-28: 110, Fri 12-29: 121; Mon 2024-01-01 03:00Z (Sun Dec 31,
  // 22:00 EST): 133.1; Tue 01-02 21:00Z: 119.79; Thu 02-01 21:00Z: 131.769. Each a return of ±10 %.
  const timestamps = Float64Array.of(Date.UTC(2023, 11, 28, 21), Date.UTC(2023, 11, 29, 21), Date.UTC(2024, 0, 1, 3),
    Date.UTC(2024, 0, 2, 21), Date.UTC(2024, 1, 1, 21));
  const data = input([110, 121, 133.1, 119.79, 131.769], { timestamps });

  it('in New York: the 03:00Z bar closes December', () => {
    // Dec 2023: 1.1³ − 1 = 0.331; Jan 2024: 119.79/133.1 − 1 = −0.1; Feb 2024: 131.769/119.79 − 1 = 0.1.
    const m = computeMetrics(data);
    expect(m.days).toBe(5);
    expect(m.monthlyReturns).toEqual([
      { year: 2023, month: 12, return: expect.closeTo(0.331, 12) },
      { year: 2024, month: 1, return: expect.closeTo(-0.1, 12) },
      { year: 2024, month: 2, return: expect.closeTo(0.1, 12) },
    ]);
  });

  it('in UTC: the 03:00Z bar opens January', () => {
    // Dec 2023: 1.1² − 1 = 0.21; Jan 2024: 1.1 · 0.9 − 1 = −0.01; Feb 2024: 0.1.
    const m = computeMetrics(data, { timeZone: 'UTC' });
    expect(m.monthlyReturns).toEqual([
      { year: 2023, month: 12, return: expect.closeTo(0.21, 12) },
      { year: 2024, month: 1, return: expect.closeTo(-0.01, 12) },
      { year: 2024, month: 2, return: expect.closeTo(0.1, 12) },
    ]);
  });

  it('leaves out a month without a step', () => {
    // Jan 2024 (110), then Mar 2024 (121): March's return is from January's close, February is absent.
    const ts = Float64Array.of(Date.UTC(2024, 0, 31, 21), Date.UTC(2024, 2, 1, 21));
    const m = computeMetrics(input([110, 121], { timestamps: ts }));
    expect(m.monthlyReturns).toEqual([{ year: 2024, month: 1, return: expect.closeTo(0.1, 14) },
      { year: 2024, month: 3, return: expect.closeTo(0.1, 14) }]);
  });
});

describe('computeMetrics: daily metrics on degenerate input', () => {
  const nanDaily = { bestDay: NaN, worstDay: NaN, winningDaysPct: NaN, dailyVolatility: NaN, dailySkew: NaN, dailyKurtosis: NaN,
    var95: NaN, cvar95: NaN, omega: NaN, tailRatio: NaN };

  it('no step: no day, NaN statistics, empty tables', () => {
    const m = computeMetrics(input([]));
    expect(m).toMatchObject({ days: 0, ...nanDaily, ulcerIndex: NaN, recoveryFactor: NaN, monthlyReturns: [] });
    expect(m.rollingSharpe).toEqual({ window: 63, timestamps: new Float64Array(0), values: new Float64Array(0) });
    expectNoInfinity(m);
  });

  it('one day: its return, no dispersion', () => {
    // r = 100/100 − 1 = 0 (Mon 1 Jan 19:00 EST): best = worst = 0, not a winning day; the 5th percentile is 0 →
    // VaR = CVaR = 0 and no tail ratio; no gain and no loss → omega NaN; no drawdown → recovery NaN, ulcer 0.
    const m = computeMetrics(input([100]));
    expect(m).toMatchObject({ days: 1, bestDay: 0, worstDay: 0, winningDaysPct: 0, var95: 0, cvar95: 0, omega: NaN, tailRatio: NaN,
      dailyVolatility: NaN, dailySkew: NaN, dailyKurtosis: NaN, ulcerIndex: 0, recoveryFactor: NaN });
    expect(Object.is(m.var95, 0)).toBe(true); // +0, not −0
    expect(m.monthlyReturns).toEqual([{ year: 2024, month: 1, return: 0 }]);
    expectNoInfinity(m);
  });

  it('skewness needs 3 days and kurtosis 4', () => {
    // 2 days (10 %, −10 %): volatility defined, skew and kurtosis not.
    const two = computeMetrics(input([110, 99]));
    expect(two.dailyVolatility).toBeGreaterThan(0);
    expect(two).toMatchObject({ dailySkew: NaN, dailyKurtosis: NaN });
    // 3 days 10 %, −10 %, 10 %: deviations (%) 10/3, −20/3, 10/3 → m2 = 600/27 = 200/9, m3 = −6000/27/3 = −2000/27 → g1 = m3/m2^1.5 = −2000/(200·√200) = −1/√2;
    // G1 = √6/1 · g1 = −√3. Kurtosis still NaN.
    const three = computeMetrics(input([110, 99, 108.9]));
    expect(three.dailySkew).toBeCloseTo(-Math.sqrt(3), 12);
    expect(three.dailyKurtosis).toBeNaN();
  });

  it('equal daily returns: volatility 0, no skewness, kurtosis, omega or rolling Sharpe', () => {
    // r = 0.01 every day: s is 0 up to rounding; the 5th percentile is a gain of 1 % → VaR −0.01; tail ratio 1.
    const m = computeMetrics(input([101, 102.01, 103.0301, 104.060401]), { rollingWindow: 2 });
    expect(m).toMatchObject({ days: 4, dailyVolatility: 0, dailySkew: NaN, dailyKurtosis: NaN, omega: NaN, winningDaysPct: 1 });
    expect(m.var95).toBeCloseTo(-0.01, 14);
    expect(m.tailRatio).toBeCloseTo(1, 12);
    expect(m.rollingSharpe.values.length).toBe(3);
    for (const v of m.rollingSharpe.values) expect(v).toBeNaN();
    expectNoInfinity(m);
  });

  it('flat equity: zero returns give NaN ratios, not 0/0 noise', () => {
    const m = computeMetrics(input([100, 100, 100, 100]), { rollingWindow: 2, riskFreeRate: 0.05 });
    expect(m).toMatchObject({ dailyVolatility: 0, dailySkew: NaN, omega: NaN, tailRatio: NaN, var95: 0, ulcerIndex: 0, recoveryFactor: NaN });
    for (const v of m.rollingSharpe.values) expect(v).toBeNaN();
    expectNoInfinity(m);
  });

  it('ruin: a NaN daily return makes the daily statistics NaN', () => {
    // 100 → 50 → 0 → 0: daily −0.5, −1, then a return from 0 (NaN). January compounds to NaN.
    // Drawdowns 0.5, 1, 1 → ulcer = √(2.25/3); net profit −100 over a fall of 100 → recovery −1.
    const m = computeMetrics(input([50, 0, 0]));
    expect(m).toMatchObject({ days: 3, ...nanDaily, recoveryFactor: -1, monthlyReturns: [{ year: 2024, month: 1, return: NaN }] });
    expect(m.ulcerIndex).toBeCloseTo(Math.sqrt(0.75), 14);
    expectNoInfinity(m);
    const zero = computeMetrics(input([0, 0, 0], { initialCapital: 0 }));
    expect(zero).toMatchObject({ days: 3, ...nanDaily, recoveryFactor: NaN });
    expectNoInfinity(zero);
  });

  it('refuses an unknown time zone and malformed daily options', () => {
    expect(() => computeMetrics(input([1, 2]), { timeZone: 'Mars/Olympus' })).toThrow(/computeMetrics: timeZone.*Mars\/Olympus/);
    expect(() => computeMetrics(input([1, 2]), { rollingWindow: 1 })).toThrow('rollingWindow is 1');
    expect(() => computeMetrics(input([1, 2]), { rollingWindow: 2.5 })).toThrow('rollingWindow is 2.5');
    expect(() => computeMetrics(input([1, 2]), { daysPerYear: 0 })).toThrow('daysPerYear is 0');
  });
});

describe('computeMetrics: daily metrics at scale', () => {
  it('cuts a million 1-minute steps into New York days, months and windows', () => {
    // 1 000 000 = 2 564 sessions of 390 + 160: 2 565 days (14:30–20:59Z is the same day in New York, EST or EDT).
    // 2 565 weekdays from Mon 2024-01-08 = 513 weeks; the last day is 2024-01-08 + 512 weeks + 4 days = 3 588 days = Fri 2033-11-04
    // → Jan 2024 … Nov 2033 = 119 months; windows of 63 days: 2 565 − 62 = 2 503.
    const n = 1_000_000;
    const timestamps = sessions(Math.ceil(n / 390), 390, MINUTE).subarray(0, n);
    const equity = new Float64Array(n).fill(100_000);
    for (let t = 0; t < n; t++) equity[t] += (t % 7) - 3;
    const m = computeMetrics({ timestamps, equity, gross: new Float64Array(n), fills: [], symbols: ['A'], initialCapital: 100_000 });
    expect(m.days).toBe(2_565);
    expect(m.monthlyReturns.length).toBe(119);
    expect(m.monthlyReturns[0]).toMatchObject({ year: 2024, month: 1 });
    expect(m.monthlyReturns[118]).toMatchObject({ year: 2033, month: 11 });
    expect(m.rollingSharpe.values.length).toBe(2_503);
    expect(m.rollingSharpe.timestamps[2_502]).toBe(timestamps[n - 1]);
  });
});
