// computeMetrics and inferAnnualization against values worked out by hand (docs/metrics.md gives the
// formulas): returns, risk, drawdowns, trade statistics, degenerate input, inference, and speed.
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
